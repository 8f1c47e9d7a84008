//! The integration tests of the search server, in one test binary: one link instead of one per file.

mod common;
mod internal_routes;
mod labour_market;
mod portal_accounts;
mod portal_catalogue;
mod portal_circle;
mod portal_rounds;
mod portal_routes;
mod portal_shortlists;
mod search_api;
mod text_and_pages;
