//! The vacancy page: its facts, description, every posting (where it was published, since
//! when, expired when) and similar vacancies.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use vindwerk_model::{Status, Vacancy};

use super::{HitView, hit_view, message, render, thousands, value_label};
use crate::api::{load_similar, load_vacancy};
use crate::error::ApiError;
use crate::params::{Facet, format_number};
use crate::portal::organisations::members_vacancy;
use crate::portal::shortlists::may_keep_lists;
use crate::portal::{Viewer, with_store};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "vacancy.html")]
struct VacancyPage {
    title: String,
    employer: Option<String>,
    /// The employer's history page.
    employer_href: Option<String>,
    place: Option<String>,
    status_label: &'static str,
    status_class: &'static str,
    facts: Vec<(&'static str, String)>,
    description: String,
    postings: Vec<PostingView>,
    similar: Vec<HitView>,
    /// For a signed-in seeker or coach: the form that puts the vacancy on one of their lists.
    shortlist: Option<ShortlistForm>,
    /// The organisation whose internal labour market the vacancy belongs to: it is shown to
    /// the organisation's members only, without lists, similar vacancies or history.
    internal: Option<String>,
}

struct ShortlistForm {
    vacancy: String,
    csrf: String,
    /// (id, name) of the viewer's lists.
    lists: Vec<(String, String)>,
}

struct PostingView {
    source: String,
    url: String,
    host: String,
    first_seen: String,
    last_seen: String,
    status: String,
}

/// `GET /vacature/{id}`: the vacancy with all its postings and similar vacancies.
pub async fn vacancy_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    viewer: Viewer,
) -> Response {
    let vacancy = match load_vacancy(&state, id.clone()).await {
        Ok(vacancy) => vacancy,
        Err(ApiError::NotFound(_)) => {
            if let Some((vacancy, organisation)) = members_vacancy(&state, &viewer, &id).await {
                let mut page = vacancy_view(&vacancy, Vec::new());
                page.employer_href = None;
                page.internal = Some(organisation);
                return render(StatusCode::OK, &page);
            }
            return message(
                StatusCode::NOT_FOUND,
                "Vacature niet gevonden",
                "Deze vacature bestaat niet (meer) bij vindwerk.",
            );
        }
        Err(error) => {
            error.log();
            return message(
                error.code().status(),
                "Even niet beschikbaar",
                "De vacature kan nu niet worden getoond. Probeer het zo opnieuw.",
            );
        }
    };
    let similar = match load_similar(&state, id).await {
        Ok(hits) => hits.iter().map(hit_view).collect(),
        Err(error) => {
            // The page is useful without them.
            error.log();
            Vec::new()
        }
    };
    let mut page = vacancy_view(&vacancy, similar);
    page.shortlist = shortlist_form(&state, viewer, &vacancy).await;
    render(StatusCode::OK, &page)
}

/// The viewer's lists, when they keep lists; the page is useful without them.
async fn shortlist_form(
    state: &AppState,
    viewer: Viewer,
    vacancy: &Vacancy,
) -> Option<ShortlistForm> {
    let session = viewer.session?;
    if !may_keep_lists(&session.user) {
        return None;
    }
    let portal = state.portal()?;
    let owner = session.user.id.clone();
    let lists = with_store(portal, move |store| Ok(store.shortlists_of(&owner)?))
        .await
        .inspect_err(|error| tracing::warn!(%error, "cannot read shortlists"))
        .ok()?;
    Some(ShortlistForm {
        vacancy: vacancy.id.to_string(),
        csrf: session.csrf,
        lists: lists.into_iter().map(|list| (list.id, list.name)).collect(),
    })
}

fn vacancy_view(vacancy: &Vacancy, similar: Vec<HitView>) -> VacancyPage {
    let expired = vacancy.status == Status::Expired;
    let mut facts: Vec<(&'static str, String)> = Vec::new();
    let place: Vec<&str> = [&vacancy.city, &vacancy.region, &vacancy.province]
        .iter()
        .filter_map(|part| part.as_deref())
        .collect();
    if let Some(kind) = vacancy.employment_type {
        facts.push((
            "Dienstverband",
            value_label(Facet::EmploymentType, kind.as_str()),
        ));
    }
    match (vacancy.hours_min, vacancy.hours_max) {
        (Some(min), Some(max)) if min != max => facts.push((
            "Uren per week",
            format!("{} – {}", format_number(min), format_number(max)),
        )),
        (Some(hours), _) | (None, Some(hours)) => {
            facts.push(("Uren per week", format_number(hours)))
        }
        (None, None) => {}
    }
    if vacancy.salary_min.is_some() || vacancy.salary_max.is_some() {
        let amount =
            |value: Option<f64>| value.map(|v| format!("€ {}", thousands(v.round() as u64)));
        let range = match (amount(vacancy.salary_min), amount(vacancy.salary_max)) {
            (Some(min), Some(max)) if min != max => format!("{min} – {max}"),
            (Some(one), _) | (None, Some(one)) => one,
            (None, None) => String::new(),
        };
        let period = match vacancy.salary_period.map(|p| p.as_str()) {
            Some("hour") => " per uur",
            Some("day") => " per dag",
            Some("week") => " per week",
            Some("year") => " per jaar",
            _ => " per maand",
        };
        facts.push(("Salaris", format!("{range}{period}")));
    }
    if let Some(level) = vacancy.education_level {
        facts.push(("Opleidingsniveau", level.as_str().to_uppercase()));
    }
    if let Some(occupation) = &vacancy.occupation {
        let isco = vacancy
            .isco
            .as_deref()
            .map(|isco| format!(" (ISCO {isco})"))
            .unwrap_or_default();
        facts.push(("Beroep", format!("{occupation}{isco}")));
    }
    if vacancy.remote {
        facts.push(("Thuiswerken", "Ja, (deels) mogelijk".to_owned()));
    }
    if let Some(day) = vacancy.date_posted {
        facts.push(("Geplaatst", day.format("%d-%m-%Y").to_string()));
    }
    if let Some(day) = vacancy.valid_through {
        facts.push(("Sluitingsdatum", day.format("%d-%m-%Y").to_string()));
    }
    facts.push((
        "Voor het eerst gezien",
        vacancy.first_seen.format("%d-%m-%Y").to_string(),
    ));
    if let Some(expired_at) = vacancy.expired_at {
        facts.push(("Verlopen op", expired_at.format("%d-%m-%Y").to_string()));
    }
    VacancyPage {
        title: vacancy.title.clone(),
        employer: vacancy.employer.clone(),
        employer_href: vacancy.employer.as_deref().map(super::employer_href),
        place: (!place.is_empty()).then(|| place.join(", ")),
        status_label: if expired { "Verlopen" } else { "Actueel" },
        status_class: if expired { "expired" } else { "active" },
        facts,
        description: vacancy.description.clone(),
        postings: vacancy
            .postings
            .iter()
            .map(|posting| PostingView {
                source: posting.source.to_string(),
                url: safe_url(&posting.url),
                host: host_of(&posting.url),
                first_seen: posting.first_seen.format("%d-%m-%Y").to_string(),
                last_seen: posting.last_seen.format("%d-%m-%Y").to_string(),
                status: match posting.expired_at {
                    Some(at) if posting.status == Status::Expired => {
                        format!("verlopen op {}", at.format("%d-%m-%Y"))
                    }
                    _ if posting.status == Status::Expired => "verlopen".to_owned(),
                    _ => "actueel".to_owned(),
                },
            })
            .collect(),
        similar,
        shortlist: None,
        internal: None,
    }
}

/// Only http(s) links are shown as links; anything else (`javascript:`) becomes `#`.
pub(super) fn safe_url(url: &str) -> String {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        url.trim().to_owned()
    } else {
        "#".to_owned()
    }
}

pub(super) fn host_of(url: &str) -> String {
    if safe_url(url) == "#" {
        return "(geen geldige link)".to_owned();
    }
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or(rest)
        .to_owned()
}
