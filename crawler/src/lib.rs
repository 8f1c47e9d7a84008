//! crawler

pub mod config;
pub mod urlnorm;
