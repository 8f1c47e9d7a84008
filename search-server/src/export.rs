//! `GET /api/search.csv`: every hit of a search (up to [`MAX_EXPORT_ROWS`]) as CSV, for
//! coaches who work in a spreadsheet. It walks the search with cursors, so the rows are
//! exactly the hits of `/api/search` in the same order.
//!
//! Crawled text is hostile: a title starting with `=` would be a formula in a spreadsheet, so
//! such cells are prefixed with `'` (the OWASP advice on CSV injection).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::api::{Pairs, pairs};
use crate::cursor::Cursor;
use crate::error::ApiError;
use crate::params::{Counted, MAX_PER_PAGE, Page, SearchRequest};
use crate::search::search;
use crate::state::AppState;

/// Most rows of one export.
pub const MAX_EXPORT_ROWS: usize = 10_000;

const COLUMNS: &[&str] = &[
    "id",
    "title",
    "employer",
    "city",
    "status",
    "date_posted",
    "distance_km",
];

/// `GET /api/search.csv`: the search parameters of `/api/search`; `page`, `per_page` and
/// `cursor` are not used (the export starts at the first hit).
pub async fn export_handler(
    State(state): State<AppState>,
    query: Pairs,
) -> Result<Response, ApiError> {
    let mut request = SearchRequest::from_pairs(&pairs(query)?)?;
    request.per_page = MAX_PER_PAGE;
    request.page = Page::Number(1);
    request.counted = Counted::none();
    let body = state
        .blocking(move |state| {
            let snapshot = state.snapshot();
            let vocabulary = state.vocabulary(&snapshot)?;
            let context = state.search_context(&snapshot, &vocabulary);
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record(COLUMNS).map_err(ApiError::internal)?;
            let mut rows = 0;
            loop {
                let results = search(&request, &context)?;
                for hit in &results.hits {
                    if rows >= MAX_EXPORT_ROWS {
                        break;
                    }
                    let distance = hit.distance_km.map(|km| km.to_string()).unwrap_or_default();
                    let date = hit
                        .date_posted
                        .map(|day| day.to_string())
                        .unwrap_or_default();
                    let record = [
                        cell(&hit.id),
                        cell(&hit.title),
                        cell(hit.employer.as_deref().unwrap_or_default()),
                        cell(hit.city.as_deref().unwrap_or_default()),
                        cell(&hit.status),
                        date,
                        distance,
                    ];
                    writer.write_record(&record).map_err(ApiError::internal)?;
                    rows += 1;
                }
                let next = results.next_cursor.as_deref().and_then(Cursor::decode);
                match next {
                    Some(cursor) if rows < MAX_EXPORT_ROWS => request.page = Page::After(cursor),
                    _ => break,
                }
            }
            writer.into_inner().map_err(ApiError::internal)
        })
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"vacatures.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// A text cell that a spreadsheet shows as text, never runs as a formula.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("Kok"), "Kok");
    }
}
