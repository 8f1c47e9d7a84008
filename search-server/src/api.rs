//! The JSON API of CONTRACT.md: `/api/search`, `/api/vacancies/{id}`, plus `/api/suggest`,
//! `/api/vacancies/{id}/similar` and `/healthz`. Every failure answers in the one error shape
//! of [`ApiError`].

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::Serialize;
use vindwerk_model::{Vacancy, VacancyId};

use crate::error::ApiError;
use crate::params::SearchRequest;
use crate::search::{Hit, SearchResults, search, similar};
use crate::state::{AppState, VacancySource};

/// Most suggestions of each kind.
pub const MAX_SUGGESTIONS: usize = 20;
const DEFAULT_SUGGESTIONS: usize = 8;
const SIMILAR: usize = 5;

/// The pairs of a query string, or the error naming it.
pub type Pairs = Result<Query<Vec<(String, String)>>, QueryRejection>;

pub fn pairs(query: Pairs) -> Result<Vec<(String, String)>, ApiError> {
    query.map(|Query(pairs)| pairs).map_err(|rejection| {
        ApiError::invalid(
            "query",
            format!("unreadable query string: {}", rejection.body_text()),
        )
    })
}

/// Runs a search on a blocking thread.
pub async fn run_search(
    state: &AppState,
    request: SearchRequest,
) -> Result<SearchResults, ApiError> {
    state
        .blocking(move |state| {
            let snapshot = state.snapshot();
            let vocabulary = state.vocabulary(&snapshot)?;
            let context = state.search_context(&snapshot, &vocabulary);
            search(&request, &context)
        })
        .await
}

/// `GET /api/search`.
pub async fn search_handler(
    State(state): State<AppState>,
    query: Pairs,
) -> Result<Json<SearchResults>, ApiError> {
    let request = SearchRequest::from_pairs(&pairs(query)?)?;
    Ok(Json(run_search(&state, request).await?))
}

/// Reads vacancy `id` from the vacancy source; 404 when there is none (or it belongs to an
/// organisation's internal labour market).
pub async fn load_vacancy(state: &AppState, id: String) -> Result<Vacancy, ApiError> {
    if !plausible_id(&id) {
        return Err(ApiError::NotFound("no such vacancy".to_owned()));
    }
    read_vacancy(state, id.clone(), |source, id| source.vacancy(id))
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no vacancy with id {id:?}")))
}

/// Whether `id` could name a vacancy at all (not empty, not absurdly long).
fn plausible_id(id: &str) -> bool {
    !id.is_empty() && id.chars().count() <= 200
}

/// A reading of the vacancy source: the public `vacancy`, or `any_vacancy` for a caller that
/// checks the audience itself.
pub type ReadVacancy = fn(&dyn VacancySource, &VacancyId) -> Result<Option<Vacancy>, String>;

/// Reads vacancy `id` with `read` on a blocking thread; `None` when there is none, or for an
/// id no vacancy can have.
pub async fn read_vacancy(
    state: &AppState,
    id: String,
    read: ReadVacancy,
) -> Result<Option<Vacancy>, ApiError> {
    if !plausible_id(&id) {
        return Ok(None);
    }
    state
        .blocking(move |state| {
            read(state.vacancies(), &VacancyId::new(id.clone()))
                .map_err(|error| ApiError::Unavailable(format!("reading vacancy {id:?}: {error}")))
        })
        .await
}

/// `GET /api/vacancies/{id}`: the vacancy as in the export.
pub async fn vacancy_handler(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vacancy>, ApiError> {
    Ok(Json(load_vacancy(&state, id).await?))
}

/// Vacancies like `id`, from the index.
pub async fn load_similar(state: &AppState, id: String) -> Result<Vec<Hit>, ApiError> {
    state
        .blocking(move |state| similar(&state.snapshot(), &id, SIMILAR))
        .await
}

#[derive(Debug, Serialize)]
pub struct SimilarResponse {
    pub hits: Vec<Hit>,
}

/// `GET /api/vacancies/{id}/similar`.
pub async fn similar_handler(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<SimilarResponse>, ApiError> {
    let exists = state.blocking({
        let id = id.clone();
        move |state| crate::search::find_vacancy(&state.snapshot(), &id)
    });
    if exists.await?.is_none() {
        return Err(ApiError::NotFound(format!("no vacancy with id {id:?}")));
    }
    Ok(Json(SimilarResponse {
        hits: load_similar(&state, id).await?,
    }))
}

#[derive(Debug, Serialize)]
pub struct Suggestions {
    pub titles: Vec<String>,
    pub places: Vec<String>,
}

/// `GET /api/suggest?q=verpl&limit=8`: titles of vacancies and place names that complete
/// what was typed.
pub async fn suggest_handler(
    State(state): State<AppState>,
    query: Pairs,
) -> Result<Json<Suggestions>, ApiError> {
    let mut q = String::new();
    let mut limit = DEFAULT_SUGGESTIONS;
    for (name, value) in pairs(query)? {
        match name.as_str() {
            "q" => {
                if value.chars().count() > 100 {
                    return Err(ApiError::invalid("q", "longer than 100 characters"));
                }
                q = value;
            }
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_SUGGESTIONS).contains(n))
                    .ok_or_else(|| {
                        ApiError::invalid(
                            "limit",
                            format!("must be a whole number between 1 and {MAX_SUGGESTIONS}"),
                        )
                    })?;
            }
            other => {
                return Err(ApiError::invalid(
                    "query",
                    format!(
                        "unknown parameter {:?}",
                        other.chars().take(40).collect::<String>()
                    ),
                ));
            }
        }
    }
    let suggestions = state
        .blocking(move |state| {
            if q.trim().is_empty() {
                return Ok(Suggestions {
                    titles: Vec::new(),
                    places: Vec::new(),
                });
            }
            let snapshot = state.snapshot();
            let vocabulary = state.vocabulary(&snapshot)?;
            Ok(Suggestions {
                titles: vocabulary.titles.complete(&q, limit),
                places: state.places().complete(&q, limit),
            })
        })
        .await?;
    Ok(Json(suggestions))
}

#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
    pub generation: String,
    pub documents: u64,
}

/// `GET /healthz`: the generation being served.
pub async fn health_handler(State(state): State<AppState>) -> Json<Health> {
    let snapshot = state.snapshot();
    Json(Health {
        status: "ok",
        generation: snapshot.generation.clone(),
        documents: snapshot.searcher.num_docs(),
    })
}

/// Any other path under `/api`.
pub async fn api_not_found() -> ApiError {
    ApiError::NotFound("no such route".to_owned())
}
