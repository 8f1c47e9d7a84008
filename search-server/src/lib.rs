//! search-server
