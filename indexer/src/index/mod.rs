//! The search index: the tantivy schema of vacancies ([`schema`]), full rebuilds into a new
//! generation with an atomic pointer swap, incremental updates, and a handle that follows the
//! live generation for the search server.
//!
//! It indexes [`Vacancy`](vindwerk_model::Vacancy) values it is given; it never opens the store,
//! and it does not decide what a vacancy is (that is `dedup` and the merge).

pub mod schema;

use tantivy::Index;

pub use schema::{
    DUTCH_ANALYSER, FACET_FIELDS, Fields, HOURS_BANDS, MissingField, PLAIN_ANALYSER, SALARY_BANDS,
    document, field, register_analysers,
};

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
