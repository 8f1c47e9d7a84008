//! indexer

pub mod index;
