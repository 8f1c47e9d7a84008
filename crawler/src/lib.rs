//! crawler

pub mod config;
pub mod extract;
pub mod formats;
pub mod urlnorm;
