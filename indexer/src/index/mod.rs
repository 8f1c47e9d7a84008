//! The search index: the tantivy schema of vacancies ([`schema`]), full rebuilds into a new
//! generation with an atomic pointer swap, incremental updates, and a handle that follows the
//! live generation for the search server.
//!
//! It indexes [`Vacancy`](vindwerk_model::Vacancy) values it is given; it never opens the store,
//! and it does not decide what a vacancy is (that is `dedup` and the merge).

mod generation;
pub mod grid;
mod handle;
mod internal;
pub mod schema;
mod sync;

use std::path::{Path, PathBuf};

use tantivy::Index;

pub use generation::{
    CURRENT_FILE, GenerationWriter, IndexStats, WriterConfig, build_index, current_generation,
    index_watermark, open_index, update_index,
};
pub use handle::{IndexHandle, IndexSnapshot};
pub use internal::{build_internal_indexes, internal_indexes, internal_root};
pub use sync::sync_index;

pub use schema::{
    DUTCH_ANALYSER, FACET_FIELDS, Fields, HOURS_BANDS, MissingField, PLAIN_ANALYSER, SALARY_BANDS,
    document, field, register_analysers,
};

/// What can go wrong reading or writing the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("index file {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("tantivy index at {path}")]
    Tantivy {
        path: PathBuf,
        #[source]
        source: tantivy::TantivyError,
    },
    #[error("no index generation under {dir}: run `vindwerk index` first")]
    NoGeneration { dir: PathBuf },
    #[error("{path} names no index generation: {content:?}")]
    BadPointer { path: PathBuf, content: String },
    #[error(transparent)]
    Schema(#[from] MissingField),
}

impl IndexError {
    fn io(path: &Path, source: std::io::Error) -> IndexError {
        IndexError::Io {
            path: path.to_owned(),
            source,
        }
    }

    fn tantivy(path: &Path, source: tantivy::TantivyError) -> IndexError {
        IndexError::Tantivy {
            path: path.to_owned(),
            source,
        }
    }
}

/// A new, empty vacancy index in memory with vindwerk's analysers registered: for tests of the
/// indexer and of the search server.
pub fn create_in_ram() -> (Index, Fields) {
    let schema = schema::schema();
    let fields = Fields::from_schema(&schema).expect("the schema defines every field");
    let index = Index::create_in_ram(schema);
    register_analysers(index.tokenizers());
    (index, fields)
}

#[cfg(test)]
mod tests;
