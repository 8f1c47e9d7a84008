//! search-server
pub mod collect;
pub mod cursor;
pub mod error;
pub mod geo;
pub mod params;
pub mod search;
pub mod snippet;
pub mod text;
pub mod understand;
pub mod vocabulary;
