//! The integration tests of the binary, end to end, in one test binary: one link instead of one per file.

mod browser;
mod cli;
mod common;
mod demo;
mod ingest_fixture_web;
mod internal_labour_market;
mod portal;
