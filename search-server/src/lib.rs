//! search-server
pub mod cursor;
pub mod error;
pub mod geo;
pub mod params;
pub mod understand;
pub mod vocabulary;
