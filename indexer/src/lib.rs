//! indexer

pub mod dedup;
pub mod index;
