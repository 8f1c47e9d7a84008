//! crawler

pub mod address;
pub mod charset;
pub mod config;
pub mod extract;
pub mod fetch;
pub mod formats;
pub mod politeness;
pub mod robots;
pub mod round;
pub mod urlnorm;

pub use fetch::{
    FetchError, FetchOptions, FetchSettings, FetchStats, Fetched, Fetcher, Outcome, Page,
};
