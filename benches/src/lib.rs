//! vindwerk's benchmarks: what each stage costs, and how vindwerk compares with what a user
//! would pick instead, measured in the same run on the same data. Figures go into
//! `benches/RESULTS.md` with date and machine; no test asserts a timing.
//!
//! This library holds what the bench targets and binaries share:
//! - [`baseline`]: the FTS5 and PostgreSQL baselines loaded and measured as vindwerk is;
//! - [`crawled`]: the fixture web crawled once by the real crawler, for the stage benchmarks;
//! - [`corpus`]: synthetic vacancies for the search benchmark, normalised by the real normaliser;
//! - [`fixture`]: the fixture web set up for measuring (no artificial delays), the world sizes;
//! - [`fts`]: the same searches on SQLite FTS5, the baseline a user would pick instead;
//! - [`pg`]: the same searches on PostgreSQL full-text search, the second baseline;
//! - [`measure`]: peak memory, latency percentiles, timing;
//! - [`queries`]: the search benchmark's query mix.
//!
//! It does not change any product crate's behaviour: everything runs through their public
//! API, as the binary runs them.

pub mod baseline;
pub mod corpus;
pub mod crawled;
pub mod fixture;
pub mod fts;
pub mod measure;
pub mod pg;
pub mod queries;
