//! Saved searches: a seeker or coach keeps any search (text, filters, distance, sort) under a
//! name, sees per search how many vacancies are new since the last visit, opens them, and
//! follows each in a feed reader through a private Atom feed.
//!
//! A saved search is its owner's alone (anyone else gets 404). Its feed is read without
//! signing in, as feed readers do: its address holds a random token of its own, so that it
//! reveals nothing else and can be revoked by deleting the search.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use quick_xml::escape::escape;
use serde::Deserialize;
use vindwerk_model::UserId;
use vindwerk_store::SavedSearch;

use super::session::{PageError, SignedIn, check_csrf};
use super::shortlists::may_keep_lists;
use super::{Portal, new_id, portal, random_token, with_store};
use crate::AppState;
use crate::api::run_search;
use crate::error::ApiError;
use crate::pages::{encode_path, encode_query, render};
use crate::params::{Counted, Facet, Page, SearchRequest, Sort};

/// Saved searches a user may keep.
pub const MAX_SAVED_SEARCHES: usize = 50;
/// Vacancies in a feed: the newest.
pub const FEED_ENTRIES: usize = 50;
/// The longest query string kept.
const MAX_QUERY_BYTES: usize = 2000;

/// The saved search `id` when `signed_in` owns it; 404 otherwise.
async fn own_search(
    portal: &Arc<Portal>,
    signed_in: &SignedIn,
    id: String,
) -> Result<SavedSearch, PageError> {
    if !may_keep_lists(&signed_in.session.user) {
        return Err(PageError::Forbidden);
    }
    let owner = signed_in.session.user.id.clone();
    with_store(portal, move |store| match store.saved_search(&id)? {
        Some(search) if search.owner == owner => Ok(search),
        _ => Err(PageError::NotFound),
    })
    .await
}

/// Reads a query string as a search, and writes it back in its canonical form, without paging.
pub fn canonical_query(query: &str) -> Result<(SearchRequest, String), ApiError> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(ApiError::invalid(
            "query",
            format!("longer than {MAX_QUERY_BYTES} bytes"),
        ));
    }
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(name, _)| !matches!(name.as_ref(), "page" | "cursor" | "per_page" | "facets"))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let request = SearchRequest::from_pairs(&pairs)?;
    let canonical = request
        .to_pairs()
        .iter()
        .map(|(name, value)| format!("{}={}", encode_query(name), encode_query(value)))
        .collect::<Vec<_>>()
        .join("&");
    Ok((request, canonical))
}

/// What a saved search asks, for people: "verpleegkundige · Utrecht · binnen 25 km van 3584".
pub fn describe(request: &SearchRequest) -> String {
    let mut parts = Vec::new();
    if !request.q.trim().is_empty() {
        parts.push(format!("“{}”", request.q.trim()));
    }
    for (facet, values) in &request.facets {
        if *facet == Facet::Status && values.len() == 1 && values[0] == "active" {
            continue;
        }
        parts.push(values.join(" of "));
    }
    if let Some(near) = &request.near {
        parts.push(format!(
            "binnen {} km van {}",
            crate::params::format_number(near.km),
            near.place
        ));
    }
    if let Some(min) = request.salary.min {
        parts.push(format!(
            "vanaf € {} per maand",
            crate::params::format_number(min)
        ));
    }
    if let Some(min) = request.hours.min {
        parts.push(format!("vanaf {} uur", crate::params::format_number(min)));
    }
    if let Some(max) = request.hours.max {
        parts.push(format!("tot {} uur", crate::params::format_number(max)));
    }
    if request.remote == Some(true) {
        parts.push("thuiswerken".to_owned());
    }
    if parts.is_empty() {
        "alle vacatures".to_owned()
    } else {
        parts.join(" · ")
    }
}

/// How many vacancies `request` finds, and how many of them were first seen after `since`.
pub(super) async fn counts(
    state: &AppState,
    request: &SearchRequest,
    since: DateTime<Utc>,
) -> Result<(u64, u64), ApiError> {
    let counting = SearchRequest {
        counted: Counted::none(),
        sort: Sort::Newest,
        page: Page::Number(1),
        per_page: 1,
        ..request.clone()
    };
    let newer = SearchRequest {
        new_since: Some(since.max(request.new_since.unwrap_or(since))),
        ..counting.clone()
    };
    let (all, new) = tokio::try_join!(run_search(state, counting), run_search(state, newer))?;
    Ok((all.total, new.total))
}

#[derive(Template)]
#[template(path = "saved_searches.html")]
struct SavedPage<'a> {
    searches: &'a [SavedView],
    csrf: &'a str,
}

struct SavedView {
    id: String,
    name: String,
    description: String,
    total: Option<u64>,
    new: Option<u64>,
    visited: String,
    feed: String,
}

#[derive(Template)]
#[template(path = "save_search.html")]
struct SaveForm<'a> {
    name: &'a str,
    query: &'a str,
    description: &'a str,
    csrf: &'a str,
    problem: Option<&'a str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SaveSearchForm {
    csrf: String,
    name: String,
    query: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    csrf: String,
}

/// The address a feed reader is given: on the host the page was asked on.
fn feed_url(portal: &Portal, headers: &HeaderMap, token: &str) -> String {
    format!("{}/feeds/{token}", super::site_url(portal, headers))
}

/// `GET /zoekopdrachten`
pub async fn saved_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    if !may_keep_lists(&signed_in.session.user) {
        return Err(PageError::Forbidden);
    }
    let owner = signed_in.session.user.id.clone();
    let searches = with_store(&portal, move |store| Ok(store.saved_searches_of(&owner)?)).await?;
    let mut views = Vec::with_capacity(searches.len());
    for search in &searches {
        let parsed = canonical_query(&search.query).map(|(request, _)| request);
        let (description, figures) = match &parsed {
            Ok(request) => (
                describe(request),
                counts(&state, request, search.visited_at).await.ok(),
            ),
            Err(_) => ("deze zoekopdracht klopt niet meer".to_owned(), None),
        };
        views.push(SavedView {
            id: search.id.clone(),
            name: search.name.clone(),
            description,
            total: figures.map(|(total, _)| total),
            new: figures.map(|(_, new)| new),
            visited: super::amsterdam(search.visited_at)
                .format("%d-%m-%Y %H:%M")
                .to_string(),
            feed: feed_url(&portal, &headers, &search.feed_token),
        });
    }
    Ok(render(
        StatusCode::OK,
        &SavedPage {
            searches: &views,
            csrf: &signed_in.session.csrf,
        },
    ))
}

/// `GET /zoekopdrachten/nieuw?{search}`: the form that saves the search.
pub async fn save_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    portal(&state)?;
    if !may_keep_lists(&signed_in.session.user) {
        return Err(PageError::Forbidden);
    }
    let query = pairs
        .iter()
        .map(|(name, value)| format!("{}={}", encode_query(name), encode_query(value)))
        .collect::<Vec<_>>()
        .join("&");
    let (status, page) = match canonical_query(&query) {
        Ok((request, canonical)) => {
            let name: String = if request.q.trim().is_empty() {
                "Mijn zoekopdracht".to_owned()
            } else {
                request.q.trim().chars().take(100).collect()
            };
            (StatusCode::OK, (name, canonical, describe(&request), None))
        }
        Err(error) => (
            StatusCode::BAD_REQUEST,
            (
                String::new(),
                String::new(),
                String::new(),
                Some(format!(
                    "Deze zoekopdracht klopt niet: {}",
                    error.public_message()
                )),
            ),
        ),
    };
    let (name, canonical, description, problem) = page;
    Ok(render(
        status,
        &SaveForm {
            name: &name,
            query: &canonical,
            description: &description,
            csrf: &signed_in.session.csrf,
            problem: problem.as_deref(),
        },
    ))
}

/// `POST /zoekopdrachten`
pub async fn save(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<SaveSearchForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    if !may_keep_lists(&signed_in.session.user) {
        return Err(PageError::Forbidden);
    }
    let (request, canonical) = match canonical_query(form.query.trim()) {
        Ok(read) => read,
        Err(error) => {
            return Ok(render(
                StatusCode::BAD_REQUEST,
                &SaveForm {
                    name: &form.name,
                    query: "",
                    description: "",
                    csrf: &signed_in.session.csrf,
                    problem: Some(&format!(
                        "Deze zoekopdracht klopt niet: {}",
                        error.public_message()
                    )),
                },
            ));
        }
    };
    let name: String = form.name.trim().chars().take(100).collect();
    let name = if name.is_empty() {
        describe(&request).chars().take(100).collect()
    } else {
        name
    };
    let now = Utc::now();
    let search = SavedSearch {
        id: new_id('z')?,
        owner: signed_in.session.user.id.clone(),
        name,
        query: canonical,
        feed_token: random_token()?,
        created_at: now,
        visited_at: now,
    };
    let owner: UserId = search.owner.clone();
    let kept = with_store(&portal, move |store| {
        if store.saved_searches_of(&owner)?.len() >= MAX_SAVED_SEARCHES {
            return Ok(false);
        }
        store.write(|batch| batch.save_search(&search))?;
        Ok(true)
    })
    .await?;
    if !kept {
        return Ok(crate::pages::message(
            StatusCode::CONFLICT,
            "Te veel zoekopdrachten",
            &format!(
                "Je kunt {MAX_SAVED_SEARCHES} zoekopdrachten bewaren. Verwijder er eerst een."
            ),
        ));
    }
    Ok(Redirect::to("/zoekopdrachten").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OpenQuery {
    /// `nieuw`: only what is new since the last visit.
    alleen: String,
}

/// `GET /zoekopdrachten/{id}`: opens the search (only what is new with `?alleen=nieuw`) and
/// counts this as a visit.
pub async fn open(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Query(open): Query<OpenQuery>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    let search = own_search(&portal, &signed_in, id).await?;
    let since = search.visited_at;
    let search_id = search.id.clone();
    with_store(&portal, move |store| {
        store.write(|batch| batch.visit_saved_search(&search_id, Utc::now()))?;
        Ok(())
    })
    .await?;
    let mut target = format!("/?{}", search.query);
    if open.alleen == "nieuw" {
        let since = since.to_rfc3339_opts(SecondsFormat::Secs, true);
        target.push_str(&format!(
            "{}new_since={}",
            if search.query.is_empty() { "" } else { "&" },
            encode_query(&since)
        ));
    }
    Ok(Redirect::to(&target).into_response())
}

/// `POST /zoekopdrachten/{id}/verwijderen`
pub async fn delete(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<DeleteForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let search = own_search(&portal, &signed_in, id).await?;
    with_store(&portal, move |store| {
        store.write(|batch| batch.delete_saved_search(&search.id))?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to("/zoekopdrachten").into_response())
}

/// `GET /feeds/{token}`: the newest vacancies of a saved search as Atom, for feed readers.
pub async fn feed(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(PageError::NotFound);
    }
    let search = with_store(&portal, move |store| {
        store
            .saved_search_by_feed(&token)?
            .ok_or(PageError::NotFound)
    })
    .await?;
    let (request, _) = canonical_query(&search.query).map_err(|_| PageError::NotFound)?;
    let subtitle = describe(&request);
    let newest = SearchRequest {
        counted: Counted::none(),
        sort: Sort::Newest,
        page: Page::Number(1),
        per_page: FEED_ENTRIES,
        ..request
    };
    let results = run_search(&state, newest)
        .await
        .map_err(|error| PageError::Internal(error.to_string()))?;
    let base = super::site_url(&portal, &headers);
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut xml = String::with_capacity(4096 + results.hits.len() * 512);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    xml.push_str(&format!(
        "<title>vindwerk: {}</title>\n",
        escape(search.name.as_str())
    ));
    xml.push_str(&format!(
        "<subtitle>{}</subtitle>\n",
        escape(subtitle.as_str())
    ));
    xml.push_str(&format!(
        "<id>{}</id>\n",
        escape(format!("{base}/feeds/{}", search.feed_token).as_str())
    ));
    xml.push_str(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(format!("{base}/?{}", search.query).as_str())
    ));
    let updated = results
        .hits
        .iter()
        .filter_map(|hit| hit.date_posted)
        .max()
        .map(|day| format!("{day}T00:00:00Z"))
        .unwrap_or_else(|| now.clone());
    xml.push_str(&format!("<updated>{updated}</updated>\n"));
    xml.push_str("<author><name>vindwerk</name></author>\n");
    for hit in &results.hits {
        let url = format!("{base}/vacature/{}", encode_path(&hit.id));
        let updated = hit
            .date_posted
            .map(|day| format!("{day}T00:00:00Z"))
            .unwrap_or_else(|| now.clone());
        let mut about = Vec::new();
        if let Some(employer) = &hit.employer {
            about.push(employer.as_str());
        }
        if let Some(city) = &hit.city {
            about.push(city.as_str());
        }
        xml.push_str("<entry>\n");
        xml.push_str(&format!("  <id>{}</id>\n", escape(url.as_str())));
        xml.push_str(&format!(
            "  <title>{}</title>\n",
            escape(hit.title.as_str())
        ));
        xml.push_str(&format!(
            "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape(url.as_str())
        ));
        xml.push_str(&format!("  <updated>{updated}</updated>\n"));
        xml.push_str(&format!(
            "  <summary>{}</summary>\n",
            escape(about.join(" · ").as_str())
        ));
        // The snippet is HTML (escaped text with <mark>): escaped once more as Atom html.
        xml.push_str(&format!(
            "  <content type=\"html\">{}</content>\n",
            escape(hit.snippet.as_str())
        ));
        xml.push_str("</entry>\n");
    }
    xml.push_str("</feed>\n");
    Ok((
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=600"),
            (header::HeaderName::from_static("x-robots-tag"), "noindex"),
        ],
        xml,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_kept_in_canonical_form_without_paging() {
        let (request, canonical) =
            canonical_query("q=kok&page=3&province=Utrecht&near=3584&km=25&per_page=50")
                .expect("valid");
        assert_eq!(canonical, "q=kok&province=Utrecht&near=3584&km=25");
        assert_eq!(
            describe(&request),
            "“kok” · Utrecht · binnen 25 km van 3584"
        );
        assert!(canonical_query("kleur=rood").is_err());
        assert!(canonical_query(&"q=a".repeat(1000)).is_err());
        assert_eq!(
            describe(&canonical_query("").expect("valid").0),
            "alle vacatures"
        );
    }
}
