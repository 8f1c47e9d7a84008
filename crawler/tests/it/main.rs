//! The integration tests of the crawler, in one test binary: one link instead of one per file.

mod config;
mod extract;
mod feed_round;
mod fixture_web;
mod formats;
mod net_fetch;
mod round;
