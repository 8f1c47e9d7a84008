//! crawler

pub mod config;
