//! Normalisation: what a source published ([`PostingData`]) to the fields a vacancy is searched
//! and deduplicated by. Unknown stays `None`, never guessed.

mod gazetteer;
mod geo;
pub mod text;

pub use gazetteer::{Gazetteer, Place, Postcode, ResolvedPlace};

use vindwerk_model::PostingData;

/// A failure to load the embedded reference data.
#[derive(Debug, thiserror::Error)]
pub enum NormaliseError {
    #[error("data file {file}: {problem}")]
    Data { file: &'static str, problem: String },
}

impl NormaliseError {
    fn data(file: &'static str, problem: String) -> NormaliseError {
        NormaliseError::Data { file, problem }
    }
}

#[allow(dead_code)]
fn _unused(_: &PostingData) {}
