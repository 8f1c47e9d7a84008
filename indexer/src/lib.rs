//! indexer

pub mod dedup;
pub mod index;
pub mod normalise;
pub mod pipeline;
