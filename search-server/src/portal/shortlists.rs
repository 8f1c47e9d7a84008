//! Shortlists: a seeker or coach keeps named lists of vacancies with a note per vacancy, sees
//! each vacancy's current status (expired since when, where it was published), and exports a
//! list as CSV that Dutch Excel opens as it should (UTF-8 with BOM, `;`, dates as dd-mm-jjjj)
//! and that cannot smuggle in a formula.
//!
//! A list is its owner's: anyone else gets 404, as if it did not exist, unless the owner
//! shares it; then the members of their circle, and their tablemates and table coach in a
//! Werkestafette, read it (with its notes) and download it, and only the owner changes it.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use vindwerk_model::{Role, Status, Vacancy, VacancyId};
use vindwerk_store::{Shortlist, ShortlistItem, User};

use super::session::{PageError, SignedIn, check_csrf};
use super::{CsrfForm, Portal, blocking, new_id, portal, random_token, with_store};
use crate::AppState;
use crate::api::load_vacancy;
use crate::error::ApiError;
use crate::pages::{encode_path, render};

/// Roles that keep shortlists.
pub(crate) fn may_keep_lists(user: &User) -> bool {
    user.has_role(Role::Seeker) || user.has_role(Role::Coach)
}

/// The list `id` when `signed_in` owns it; 404 otherwise.
async fn own_list(
    portal: &Arc<Portal>,
    signed_in: &SignedIn,
    id: String,
) -> Result<Shortlist, PageError> {
    if !may_keep_lists(&signed_in.session.user) {
        return Err(PageError::Forbidden);
    }
    let owner = signed_in.session.user.id.clone();
    with_store(portal, move |store| match store.shortlist(&id)? {
        Some(list) if list.owner == owner => Ok(list),
        _ => Err(PageError::NotFound),
    })
    .await
}

/// The list `id` when `signed_in` owns it or it is shared with a circle they are in: the
/// list, and the owner's name when the viewer is not the owner. 404 otherwise.
async fn readable_list(
    portal: &Arc<Portal>,
    signed_in: &SignedIn,
    id: String,
) -> Result<(Shortlist, Option<String>), PageError> {
    let viewer = signed_in.session.user.id.clone();
    let may_own = may_keep_lists(&signed_in.session.user);
    with_store(portal, move |store| {
        let Some(list) = store.shortlist(&id)? else {
            return Err(PageError::NotFound);
        };
        if list.owner == viewer && may_own {
            return Ok((list, None));
        }
        if !list.shared_with_circle {
            return Err(PageError::NotFound);
        }
        // Shared: with the owner's circle, and with their Werkestafette table and its coach.
        if !(store.is_in_circle(&list.owner, &viewer)?
            || store.shares_table(&list.owner, &viewer)?)
        {
            return Err(PageError::NotFound);
        }
        let owner = store
            .user(&list.owner)?
            .map(|user| user.name)
            .ok_or(PageError::NotFound)?;
        Ok((list, Some(owner)))
    })
    .await
}

#[derive(Template)]
#[template(path = "shortlists.html")]
struct ListsPage<'a> {
    lists: &'a [Shortlist],
    csrf: &'a str,
}

struct ItemView {
    href: String,
    vacancy_id: String,
    title: String,
    employer: Option<String>,
    city: Option<String>,
    status: String,
    expired: bool,
    sources: String,
    note: String,
}

#[derive(Template)]
#[template(path = "shortlist.html")]
struct ListPage<'a> {
    list: &'a Shortlist,
    items: &'a [ItemView],
    csrf: &'a str,
    /// For the owner with a key: the address scripts download the list from.
    script_url: Option<String>,
    /// For a member of the owner's circle: whose list this is (and no forms).
    shared_by: Option<&'a str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShareForm {
    csrf: String,
    /// `ja` shares the list with the circle, anything else stops sharing it.
    delen: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewListForm {
    csrf: String,
    name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PutForm {
    csrf: String,
    vacancy: String,
    note: String,
}

/// `GET /lijsten`
pub async fn lists_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    if !may_keep_lists(&signed_in.session.user) {
        return Err(PageError::Forbidden);
    }
    let owner = signed_in.session.user.id.clone();
    let lists = with_store(&portal, move |store| Ok(store.shortlists_of(&owner)?)).await?;
    Ok(render(
        StatusCode::OK,
        &ListsPage {
            lists: &lists,
            csrf: &signed_in.session.csrf,
        },
    ))
}

/// `POST /lijsten`: a new, empty list.
pub async fn create_list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<NewListForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    if !may_keep_lists(&signed_in.session.user) {
        return Err(PageError::Forbidden);
    }
    let name: String = form.name.trim().chars().take(100).collect();
    let name = if name.is_empty() {
        "Mijn lijst".to_owned()
    } else {
        name
    };
    let id = new_id('l')?;
    let owner = signed_in.session.user.id.clone();
    let list_id = id.clone();
    with_store(&portal, move |store| {
        store.write(|batch| batch.create_shortlist(&list_id, &owner, &name, Utc::now()))?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&format!("/lijsten/{id}")).into_response())
}

/// The vacancies of a list with their current state from the store.
async fn items_of(
    state: &AppState,
    portal: &Arc<Portal>,
    list: &Shortlist,
) -> Result<Vec<(ShortlistItem, Option<Vacancy>)>, PageError> {
    let id = list.id.clone();
    let items = with_store(portal, move |store| Ok(store.shortlist_items(&id)?)).await?;
    let state = state.clone();
    blocking(move || {
        items
            .into_iter()
            .map(|item| {
                let vacancy = state.vacancies().vacancy(&item.vacancy).ok().flatten();
                (item, vacancy)
            })
            .collect()
    })
    .await
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%d-%m-%Y").to_string()
}

fn date(day: NaiveDate) -> String {
    day.format("%d-%m-%Y").to_string()
}

fn status_text(vacancy: &Vacancy) -> String {
    match (vacancy.status, vacancy.expired_at) {
        (Status::Expired, Some(at)) => format!("verlopen sinds {}", day(at)),
        (Status::Expired, None) => "verlopen".to_owned(),
        _ => "actueel".to_owned(),
    }
}

/// The sources that published `vacancy`, each once, in the order of its postings.
fn sources_text(vacancy: &Vacancy) -> String {
    let mut sources: Vec<&str> = Vec::new();
    for posting in &vacancy.postings {
        if !sources.contains(&posting.source.as_str()) {
            sources.push(posting.source.as_str());
        }
    }
    sources.join(", ")
}

fn item_view(item: &ShortlistItem, vacancy: Option<&Vacancy>) -> ItemView {
    let vacancy_id = item.vacancy.to_string();
    match vacancy {
        Some(vacancy) => ItemView {
            href: format!("/vacature/{}", encode_path(&vacancy_id)),
            vacancy_id,
            title: vacancy.title.clone(),
            employer: vacancy.employer.clone(),
            city: vacancy.city.clone(),
            status: status_text(vacancy),
            expired: vacancy.status == Status::Expired,
            sources: sources_text(vacancy),
            note: item.note.clone(),
        },
        None => ItemView {
            href: String::new(),
            vacancy_id,
            title: "Vacature niet meer bij vindwerk".to_owned(),
            employer: None,
            city: None,
            status: "onbekend".to_owned(),
            expired: true,
            sources: String::new(),
            note: item.note.clone(),
        },
    }
}

/// `GET /lijsten/{id}`
pub async fn list_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    let (list, shared_by) = readable_list(&portal, &signed_in, id).await?;
    let items = items_of(&state, &portal, &list).await?;
    let views: Vec<ItemView> = items
        .iter()
        .map(|(item, vacancy)| item_view(item, vacancy.as_ref()))
        .collect();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            list: &list,
            items: &views,
            csrf: &signed_in.session.csrf,
            script_url: match (&shared_by, &list.export_token) {
                (None, Some(token)) => Some(format!(
                    "{}/api/shortlists/{}.csv?token={token}",
                    super::site_url(&portal, &headers),
                    list.id
                )),
                _ => None,
            },
            shared_by: shared_by.as_deref(),
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct KeyForm {
    csrf: String,
    /// `nieuw` makes a new key (the old one stops working), anything else removes it.
    sleutel: String,
}

/// `POST /lijsten/{id}/scriptsleutel`: a new key for scripts, or none.
pub async fn set_script_key(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<KeyForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let list = own_list(&portal, &signed_in, id).await?;
    let token = if form.sleutel == "nieuw" {
        Some(random_token()?)
    } else {
        None
    };
    let list_id = list.id.clone();
    with_store(&portal, move |store| {
        store.write(|batch| batch.set_shortlist_export_token(&list_id, token.as_deref()))?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&format!("/lijsten/{}", list.id)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

/// `GET /api/shortlists/{id}.csv?token=`: the list's CSV for a coach's scripts, with the
/// list's key instead of a session. A wrong key or list answers 404 alike.
pub async fn script_export(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::NotFound("no such shortlist".to_owned());
    let portal = state.portal().cloned().ok_or_else(not_found)?;
    let id = file.strip_suffix(".csv").ok_or_else(not_found)?.to_owned();
    let given = query.token;
    let list = with_store(&portal, move |store| Ok(store.shortlist(&id)?))
        .await
        .map_err(|error| ApiError::internal(error.to_string()))?
        .filter(|list| {
            list.export_token.as_deref().is_some_and(|key| {
                !given.is_empty() && blake3::hash(key.as_bytes()) == blake3::hash(given.as_bytes())
            })
        })
        .ok_or_else(not_found)?;
    let items = items_of(&state, &portal, &list)
        .await
        .map_err(|error| ApiError::internal(error.to_string()))?;
    let body = shortlist_csv(&items).map_err(|error| ApiError::internal(error.to_string()))?;
    Ok(csv_response(&list, body))
}

fn csv_response(list: &Shortlist, body: Vec<u8>) -> Response {
    let file: String = list
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"vindwerk-{file}.csv\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// `POST /lijsten/{id}/delen`: shares the list with the owner's circle, or stops sharing it.
pub async fn share(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ShareForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let list = own_list(&portal, &signed_in, id).await?;
    let list_id = list.id.clone();
    let shared = form.delen == "ja";
    with_store(&portal, move |store| {
        store.write(|batch| batch.share_shortlist(&list_id, shared))?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&format!("/lijsten/{}", list.id)).into_response())
}

/// `POST /lijsten/{id}/vacatures`: puts a vacancy on the list (or changes its note).
pub async fn put_vacancy(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<PutForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let list = own_list(&portal, &signed_in, id).await?;
    // Only a vacancy vindwerk knows goes on a list.
    let vacancy = match load_vacancy(&state, form.vacancy.trim().to_owned()).await {
        Ok(vacancy) => vacancy.id,
        Err(ApiError::NotFound(_)) => return Err(PageError::NotFound),
        Err(error) => return Err(PageError::Internal(error.to_string())),
    };
    let note: String = form.note.trim().chars().take(1000).collect();
    let list_id = list.id.clone();
    with_store(&portal, move |store| {
        store.write(|batch| batch.put_on_shortlist(&list_id, &vacancy, &note, Utc::now()))?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&format!("/lijsten/{}", list.id)).into_response())
}

/// `POST /lijsten/{id}/vacatures/{vacancy}/weg`
pub async fn take_off(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((id, vacancy)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let list = own_list(&portal, &signed_in, id).await?;
    let list_id = list.id.clone();
    with_store(&portal, move |store| {
        store.write(|batch| batch.take_off_shortlist(&list_id, &VacancyId::new(vacancy)))?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&format!("/lijsten/{}", list.id)).into_response())
}

/// A cell as a spreadsheet may read it: text that a spreadsheet would take for a formula
/// (beginning with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// The CSV of a list: a BOM, `;`-separated, Dutch column names, dates as dd-mm-jjjj.
pub fn shortlist_csv(items: &[(ShortlistItem, Option<Vacancy>)]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record([
        "titel",
        "werkgever",
        "plaats",
        "provincie",
        "status",
        "verlopen op",
        "geplaatst",
        "sluitingsdatum",
        "salaris min",
        "salaris max",
        "salaris per",
        "uren min",
        "uren max",
        "bronnen",
        "vacaturepagina",
        "notitie",
        "op lijst sinds",
        "vindwerk-id",
    ])?;
    let number = |value: Option<f64>| {
        value
            .map(|v| format!("{v}").replace('.', ","))
            .unwrap_or_default()
    };
    for (item, vacancy) in items {
        let record: Vec<String> = match vacancy {
            Some(vacancy) => vec![
                vacancy.title.clone(),
                vacancy.employer.clone().unwrap_or_default(),
                vacancy.city.clone().unwrap_or_default(),
                vacancy.province.clone().unwrap_or_default(),
                vacancy.status.as_str().to_owned(),
                vacancy.expired_at.map(day).unwrap_or_default(),
                vacancy.date_posted.map(date).unwrap_or_default(),
                vacancy.valid_through.map(date).unwrap_or_default(),
                number(vacancy.salary_min),
                number(vacancy.salary_max),
                vacancy
                    .salary_period
                    .map(|period| period.as_str().to_owned())
                    .unwrap_or_default(),
                number(vacancy.hours_min),
                number(vacancy.hours_max),
                sources_text(vacancy),
                vacancy
                    .postings
                    .first()
                    .map(|posting| posting.url.clone())
                    .unwrap_or_default(),
                item.note.clone(),
                day(item.added_at),
                item.vacancy.to_string(),
            ],
            None => {
                let mut record = vec![String::new(); 18];
                record[4] = "onbekend".to_owned();
                record[15] = item.note.clone();
                record[16] = day(item.added_at);
                record[17] = item.vacancy.to_string();
                record
            }
        };
        writer.write_record(record.iter().map(|cell| neutralise(cell)))?;
    }
    writer
        .into_inner()
        .map_err(|error| csv::Error::from(error.into_error()))
}

/// `GET /lijsten/{id}/export.csv`
pub async fn export_csv(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    let (list, _) = readable_list(&portal, &signed_in, id).await?;
    let items = items_of(&state, &portal, &list).await?;
    let body = shortlist_csv(&items).map_err(|error| PageError::Internal(error.to_string()))?;
    Ok(csv_response(&list, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        for (cell, expected) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+31 6 1234", "'+31 6 1234"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tTAB", "'\tTAB"),
            ("\rCR", "'\rCR"),
            ("Verpleegkundige", "Verpleegkundige"),
            ("", ""),
        ] {
            assert_eq!(neutralise(cell), expected, "{cell:?}");
        }
    }
}
