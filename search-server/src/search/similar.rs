//! Finding a vacancy's document by id, and vacancies like it (a more-like-this query on the
//! words of its title and description) for the vacancy page.

use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::query::{BooleanQuery, MoreLikeThisQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};
use vindwerk_indexer::index::IndexSnapshot;

use super::{Hit, read_hit};
use crate::collect::RawHit;
use crate::error::ApiError;

/// The document of vacancy `id` in the snapshot.
pub fn find_vacancy(snapshot: &IndexSnapshot, id: &str) -> Result<Option<DocAddress>, ApiError> {
    let query = TermQuery::new(
        Term::from_field_text(snapshot.fields.id, id),
        IndexRecordOption::Basic,
    );
    let found = snapshot
        .searcher
        .search(&query, &DocSetCollector)
        .map_err(ApiError::internal)?;
    Ok(found.into_iter().min())
}

/// Up to `limit` active vacancies most like vacancy `id` (words of its title and
/// description), best first; none when the index does not hold it.
pub fn similar(snapshot: &IndexSnapshot, id: &str, limit: usize) -> Result<Vec<Hit>, ApiError> {
    let Some(address) = find_vacancy(snapshot, id)? else {
        return Ok(Vec::new());
    };
    let fields = &snapshot.fields;
    let like = MoreLikeThisQuery::builder()
        .with_min_doc_frequency(1)
        .with_min_term_frequency(1)
        .with_max_query_terms(30)
        .with_min_word_length(3)
        .with_document(address);
    let active = TermQuery::new(
        Term::from_field_text(fields.status, "active"),
        IndexRecordOption::Basic,
    );
    let itself = TermQuery::new(
        Term::from_field_text(fields.id, id),
        IndexRecordOption::Basic,
    );
    let query = BooleanQuery::new(vec![
        (Occur::Must, Box::new(like) as Box<dyn Query>),
        (Occur::Must, Box::new(active)),
        (Occur::MustNot, Box::new(itself)),
    ]);
    let top = snapshot
        .searcher
        .search(&query, &TopDocs::with_limit(limit).order_by_score())
        .map_err(ApiError::internal)?;
    let mut hits = Vec::with_capacity(top.len());
    for (score, address) in top {
        let raw = RawHit {
            address,
            score,
            km: None,
            posted: None,
            id: String::new(),
            id_ord: u64::MAX,
        };
        hits.push(read_hit(&snapshot.searcher, fields, &raw, None)?);
    }
    Ok(hits)
}
