//! Normalisation: what a source published ([`PostingData`](vindwerk_model::PostingData)) to
//! the fields a vacancy is searched, filtered and deduplicated by. Unknown stays `None`, never
//! guessed.
//!
//! - [`Gazetteer`]: places, 4-digit postcodes, provinces and labour-market regions (GeoNames,
//!   CBS/PDOK); also what the search server resolves `near=` with.
//! - [`Occupations`]: ESCO occupations and ISCO-08 groups from Dutch labels; also the label
//!   vocabulary for search synonyms.
//! - [`salary`], [`hours`], [`employment`], [`education`], [`language`], [`text`]: pure
//!   functions over text.
//!
//! Everything here is synchronous and does no IO after loading the embedded data; regexes
//! are compiled once. Deduplication and the index live elsewhere (`dedup`, `index`).

pub mod education;
pub mod employment;
mod gazetteer;
pub mod geo;
pub mod hours;
pub mod language;
mod occupation;
pub mod salary;
pub mod text;

pub use education::education_level;
pub use employment::{contract_lines, employment_type};
pub use gazetteer::{
    Gazetteer, Place, Postcode, ResolvedPlace, mentions_remote, province_areas, region_areas,
};
pub use hours::{Hours, hours_in_description, parse_hours};
pub use language::detect_language;
pub use occupation::{Occupation, Occupations};
pub use salary::{NormalisedSalary, normalise_salary, parse_salary_text, salary_in_description};
pub use text::{clean_title, fold, html_to_text};

mod posting;

pub use posting::{Normalised, employer_key, normalise};

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
