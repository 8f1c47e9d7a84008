//! crawler

pub mod config;
pub mod extract;
pub mod urlnorm;
