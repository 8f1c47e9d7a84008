//! The integration tests of the store, in one test binary: one link instead of one per file.

mod accounts;
mod circle;
mod common;
mod concurrency;
mod postings;
mod properties;
mod round_trip;
mod shortlists;
