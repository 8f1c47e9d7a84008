//! Advice for a seeker at `/advies`: what the coaches of their tables wrote to them, and what
//! vindwerk reads from the data for each of their saved searches, each with the numbers
//! behind it: the new matches since the last visit, and in the region with the most work of
//! the kind, how many employers posted such vacancies in the last twelve months and how many
//! have one open now.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use serde::Deserialize;
use vindwerk_model::{Role, UserId};
use vindwerk_store::{Advice, SavedSearch};

use super::circle::clip;
use super::saved::{canonical_query, counts, describe};
use super::session::{PageError, SignedIn, check_csrf};
use super::{new_id, portal, with_store};
use crate::AppState;
use crate::api::run_search;
use crate::error::ApiError;
use crate::pages::{encode_query, render};
use crate::params::{Counted, Facet, Page, SearchRequest, Sort};
use crate::search::FACET_LIMIT;

/// Saved searches read for advice: the most recently made.
const ADVISED_SEARCHES: usize = 5;
const MAX_ADVICE_CHARS: usize = 4000;

/// A piece of advice read from the data, with the search that shows its numbers.
pub(crate) struct DataAdvice {
    pub(crate) text: String,
    pub(crate) href: String,
}

/// Advice from the data for `searches`.
pub(crate) async fn data_advice(state: &AppState, searches: &[SavedSearch]) -> Vec<DataAdvice> {
    let mut advice = Vec::new();
    for search in searches.iter().take(ADVISED_SEARCHES) {
        let Ok((request, canonical)) = canonical_query(&search.query) else {
            continue;
        };
        if let Ok((total, new)) = counts(state, &request, search.visited_at).await
            && new > 0
        {
            advice.push(DataAdvice {
                text: format!(
                    "Sinds je laatste bezoek kwamen er {new} nieuwe vacatures bij voor je zoekopdracht “{}” ({total} in totaal).",
                    search.name
                ),
                href: format!("/zoekopdrachten/{}?alleen=nieuw", search.id),
            });
        }
        match employers_in_best_region(state, &request).await {
            Ok(Some(found)) => advice.push(DataAdvice {
                text: format!(
                    "In {} plaatsten {} {} de afgelopen twaalf maanden {} {} voor {}; {} van hen {} er nu een open.",
                    found.region,
                    at_least(found.employers),
                    noun(found.employers as u64, "werkgever", "werkgevers"),
                    found.vacancies,
                    noun(found.vacancies, "vacature", "vacatures"),
                    describe(&request),
                    at_least(found.open),
                    noun(found.open as u64, "heeft", "hebben"),
                ),
                href: format!(
                    "/?{}{}region={}&status=all",
                    canonical,
                    if canonical.is_empty() { "" } else { "&" },
                    encode_query(&found.region)
                ),
            }),
            Ok(None) => {}
            Err(error) => error.log(),
        }
    }
    advice
}

/// The noun for `count` things: "1 werkgever", "3 werkgevers".
fn noun<'a>(count: u64, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 { one } else { many }
}

/// A count of facet values, which stops at [`FACET_LIMIT`].
fn at_least(count: usize) -> String {
    if count >= FACET_LIMIT {
        format!("meer dan {FACET_LIMIT}")
    } else {
        count.to_string()
    }
}

struct RegionFigures {
    region: String,
    vacancies: u64,
    employers: usize,
    open: usize,
}

/// For `request`'s vacancies of the last twelve months (active or expired): the region with
/// the most, how many employers posted them there, and how many of those have one open now.
async fn employers_in_best_region(
    state: &AppState,
    request: &SearchRequest,
) -> Result<Option<RegionFigures>, ApiError> {
    let mut year = SearchRequest {
        counted: Counted::only(&[Facet::Region], false),
        sort: Sort::Newest,
        page: Page::Number(1),
        per_page: 1,
        new_since: None,
        posted_within: None,
        posted_after: Some(state.today() - Duration::days(365)),
        ..request.clone()
    };
    year.facets.remove(&Facet::Status);
    let regions = run_search(state, year.clone()).await?;
    let Some(best) = regions
        .facets
        .get(Facet::Region.param())
        .and_then(|counts| counts.iter().max_by_key(|count| count.count))
        .filter(|best| best.count > 0)
        .cloned()
    else {
        return Ok(None);
    };
    year.facets.insert(Facet::Region, vec![best.value.clone()]);
    year.counted = Counted::only(&[Facet::Employer], false);
    let mut now = year.clone();
    now.posted_after = None;
    now.facets.insert(Facet::Status, vec!["active".to_owned()]);
    let (posted, open) = tokio::try_join!(run_search(state, year), run_search(state, now))?;
    let employers = |results: &crate::search::SearchResults| {
        results
            .facets
            .get(Facet::Employer.param())
            .map_or(0, |counts| {
                counts.iter().filter(|count| count.count > 0).count()
            })
    };
    Ok(Some(RegionFigures {
        region: best.value,
        vacancies: best.count,
        employers: employers(&posted),
        open: employers(&open),
    }))
}

#[derive(Template)]
#[template(path = "advice.html")]
struct AdvicePage {
    from_coaches: Vec<(String, String, String)>,
    from_data: Vec<DataAdvice>,
    searches: bool,
}

/// `GET /advies`: a seeker's advice.
pub async fn advice_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    if !signed_in.session.user.has_role(Role::Seeker) {
        return Err(PageError::Forbidden);
    }
    let seeker = signed_in.session.user.id.clone();
    let (written, mut searches) = with_store(&portal, move |store| {
        Ok((
            store.advice_for(&seeker)?,
            store.saved_searches_of(&seeker)?,
        ))
    })
    .await?;
    searches.sort_by_key(|search| std::cmp::Reverse(search.created_at));
    let from_data = data_advice(&state, &searches).await;
    Ok(render(
        StatusCode::OK,
        &AdvicePage {
            from_coaches: written
                .into_iter()
                .map(|advice| {
                    (
                        advice.coach_name,
                        super::amsterdam(advice.created_at)
                            .format("%d-%m-%Y")
                            .to_string(),
                        advice.text,
                    )
                })
                .collect(),
            from_data,
            searches: !searches.is_empty(),
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AdviceForm {
    csrf: String,
    text: String,
}

/// `POST /advies/{seeker}`: a coach writes advice to a seeker at one of their tables; 404
/// for anyone else's seeker.
pub async fn give_advice(
    State(state): State<AppState>,
    Path(seeker): Path<String>,
    signed_in: SignedIn,
    Form(form): Form<AdviceForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    if !signed_in.session.user.has_role(Role::Coach) {
        return Err(PageError::Forbidden);
    }
    let text = clip(&form.text, MAX_ADVICE_CHARS);
    let advice = Advice {
        id: new_id('a')?,
        seeker: UserId::new(seeker),
        coach: signed_in.session.user.id.clone(),
        coach_name: signed_in.session.user.name.clone(),
        text,
        created_at: Utc::now(),
    };
    with_store(&portal, move |store| {
        let theirs = store
            .seekers_of_coach(&advice.coach)?
            .iter()
            .any(|(id, _)| *id == advice.seeker);
        if !theirs {
            return Err(PageError::NotFound);
        }
        if advice.text.is_empty() {
            return Ok(());
        }
        Ok(store.write(|batch| batch.give_advice(&advice))?)
    })
    .await?;
    Ok(Redirect::to("/traject/coach").into_response())
}
