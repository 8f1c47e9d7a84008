//! The search page: the form, the facet sidebar (links that toggle a value, so it works
//! without JavaScript), the hits and the pages.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::{HitView, hit_view, href, href_at, render, thousands, value_label};
use crate::api::{Pairs, pairs, run_search};
use crate::error::ErrorCode;
use crate::params::{Counted, Facet, Page, SearchRequest, Sort, format_number};
use crate::portal::Viewer;
use crate::portal::organisations::{InternalBox, beside_public};
use crate::search::{FacetCount, SearchResults};
use crate::state::AppState;

const KM_OPTIONS: &[u32] = &[5, 10, 15, 25, 50, 75, 100, 150, 200, 300];
/// Values shown per facet in the sidebar.
const SIDEBAR_VALUES: usize = 12;

/// The facets of the sidebar, in order, with their Dutch headings.
const SIDEBAR: &[(Facet, &str)] = &[
    (Facet::Province, "Provincie"),
    (Facet::Region, "Arbeidsmarktregio"),
    (Facet::City, "Plaats"),
    (Facet::Occupation, "Beroep"),
    (Facet::Isco, "Beroepsgroep"),
    (Facet::EmploymentType, "Dienstverband"),
    (Facet::EducationLevel, "Opleidingsniveau"),
    (Facet::HoursBand, "Uren per week"),
    (Facet::SalaryBand, "Salaris per maand"),
    (Facet::Employer, "Werkgever"),
    (Facet::Channel, "Werkgever of bureau"),
    (Facet::Status, "Status"),
];

/// The request as the page runs it: counting only what the sidebar shows.
fn sidebar_request(request: &SearchRequest) -> SearchRequest {
    let facets: Vec<Facet> = SIDEBAR.iter().map(|(facet, _)| *facet).collect();
    SearchRequest {
        counted: Counted::only(&facets, true),
        ..request.clone()
    }
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    q: String,
    near: String,
    km_options: Vec<(String, bool)>,
    sort_options: Vec<(&'static str, &'static str, bool)>,
    hidden: Vec<(String, String)>,
    error: Option<String>,
    clear_href: String,
    summary: String,
    understood: Vec<String>,
    groups: Vec<FacetGroup>,
    hits: Vec<HitView>,
    /// A member's internal vacancies for the same search, per organisation.
    internal: Vec<InternalBox>,
    prev_href: Option<String>,
    next_href: Option<String>,
    page_label: String,
    export_href: String,
    map_href: String,
    save_href: String,
}

struct FacetGroup {
    id: &'static str,
    label: &'static str,
    values: Vec<FacetLink>,
}

struct FacetLink {
    label: String,
    count: u64,
    selected: bool,
    href: String,
}

/// `GET /`: the search page.
pub async fn search_page(State(state): State<AppState>, viewer: Viewer, query: Pairs) -> Response {
    // The form always sends a distance; without a place it means nothing, not an error.
    let parsed = pairs(query).and_then(|mut pairs| {
        if !pairs
            .iter()
            .any(|(name, value)| name == "near" && !value.trim().is_empty())
        {
            pairs.retain(|(name, _)| name != "km");
        }
        SearchRequest::from_pairs(&pairs)
    });
    let (request, error) = match parsed {
        Ok(request) => (request, None),
        Err(error) => (SearchRequest::default(), Some(error)),
    };
    let (results, error) = match error {
        Some(error) => (None, Some(error)),
        None => match run_search(&state, sidebar_request(&request)).await {
            Ok(results) => (Some(results), None),
            Err(error) => (None, Some(error)),
        },
    };
    let status = error.as_ref().map_or(StatusCode::OK, |e| e.code().status());
    let message = error.map(|error| {
        error.log();
        match error.code() {
            ErrorCode::InvalidParameter => {
                format!("Deze zoekopdracht klopt niet: {}", error.public_message())
            }
            _ => "Zoeken lukt nu even niet. Probeer het zo opnieuw.".to_owned(),
        }
    });
    let mut page = search_view(&request, results.as_ref(), message);
    if results.is_some() {
        page.internal = beside_public(&state, &viewer, &request).await;
    }
    render(status, &page)
}

fn search_view(
    request: &SearchRequest,
    results: Option<&SearchResults>,
    error: Option<String>,
) -> SearchPage {
    let pairs = request.to_pairs();
    let hidden: Vec<(String, String)> = pairs
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "q" | "near" | "km" | "sort"))
        .cloned()
        .collect();
    let km = request.near.as_ref().map(|near| near.km);
    let mut groups = Vec::new();
    let mut hits = Vec::new();
    let mut summary = "Vacatures zoeken".to_owned();
    let mut understood = Vec::new();
    let (mut prev_href, mut next_href, mut page_label) = (None, None, String::new());
    if let Some(results) = results {
        summary = match results.total {
            0 => "Geen vacatures".to_owned(),
            1 => "1 vacature".to_owned(),
            n => format!("{} vacatures", thousands(n)),
        };
        understood = understood_lines(results);
        for (facet, label) in SIDEBAR {
            let counts = results
                .facets
                .get(facet.param())
                .map_or(&[][..], Vec::as_slice);
            let values = facet_links(request, *facet, counts);
            if !values.is_empty() {
                groups.push(FacetGroup {
                    id: facet.param(),
                    label,
                    values,
                });
            }
        }
        if let Some(counts) = results.facets.get("posted_within") {
            let values = posted_links(request, counts);
            if !values.is_empty() {
                groups.push(FacetGroup {
                    id: "posted_within",
                    label: "Geplaatst",
                    values,
                });
            }
        }
        hits = results.hits.iter().map(hit_view).collect();
        let page = match request.page {
            Page::Number(page) => page,
            Page::After(_) => 1,
        };
        let pages = (results.total as usize).div_ceil(request.per_page).max(1);
        page_label = format!("Pagina {page} van {pages}");
        if page > 1 {
            prev_href = Some(href(&with_page(&pairs, page - 1)));
        }
        if page < pages && page < crate::params::MAX_PAGE {
            next_href = Some(href(&with_page(&pairs, page + 1)));
        }
    }
    let has_filters = pairs.iter().any(|(name, _)| name != "q");
    let without = |names: &[&str]| -> Vec<(String, String)> {
        pairs
            .iter()
            .filter(|(name, _)| !names.contains(&name.as_str()))
            .cloned()
            .collect()
    };
    let export_href = href_at(crate::routes::EXPORT, &pairs);
    // The map and a saved search take the search, not the page of it.
    let map_href = href_at("/kaart", &without(&["page", "per_page", "sort", "status"]));
    let save_href = href_at("/zoekopdrachten/nieuw", &without(&["page", "per_page"]));
    SearchPage {
        save_href,
        map_href,
        q: request.q.clone(),
        near: request
            .near
            .as_ref()
            .map(|near| near.place.clone())
            .unwrap_or_default(),
        km_options: KM_OPTIONS
            .iter()
            .map(|option| (option.to_string(), km == Some(f64::from(*option))))
            .collect(),
        sort_options: [
            (Sort::Relevance, "Beste match"),
            (Sort::Newest, "Nieuwste eerst"),
            (Sort::Nearest, "Dichtstbij"),
        ]
        .iter()
        .map(|(sort, label)| (sort.as_str(), *label, *sort == request.sort))
        .collect(),
        hidden,
        error,
        clear_href: if has_filters {
            href(
                &pairs
                    .iter()
                    .filter(|(name, _)| name == "q")
                    .cloned()
                    .collect::<Vec<_>>(),
            )
        } else {
            String::new()
        },
        summary,
        understood,
        groups,
        hits,
        internal: Vec::new(),
        prev_href,
        next_href,
        page_label,
        export_href,
    }
}

/// The sidebar's links of one facet: each toggles its value, back to the first page.
fn facet_links(request: &SearchRequest, facet: Facet, counts: &[FacetCount]) -> Vec<FacetLink> {
    let selected = request.selected(facet);
    let shown: Vec<&FacetCount> = counts
        .iter()
        .filter(|count| match facet {
            // ISCO is a hierarchy: the major groups, and one level below what is selected.
            Facet::Isco => {
                count.value.len() == 1
                    || selected.iter().any(|s| {
                        count.value.len() == s.len() + 1 && count.value.starts_with(s.as_str())
                    })
                    || selected.contains(&count.value)
            }
            _ => true,
        })
        .filter(|count| count.count > 0 || selected.contains(&count.value))
        .take(if facet == Facet::Isco {
            40
        } else {
            SIDEBAR_VALUES
        })
        .collect();
    let pairs = request.to_pairs();
    shown
        .into_iter()
        .map(|count| {
            let is_selected = selected.contains(&count.value);
            let mut next: Vec<(String, String)> = pairs
                .iter()
                .filter(|(name, value)| !(name == facet.param() && *value == count.value))
                .filter(|(name, value)| {
                    !(facet == Facet::Status && name == "status" && value == "all")
                })
                .cloned()
                .collect();
            if !is_selected {
                next.push((facet.param().to_owned(), count.value.clone()));
            } else if facet == Facet::Status && selected.len() == 1 {
                next.push(("status".to_owned(), "all".to_owned()));
            }
            FacetLink {
                label: value_label(facet, &count.value),
                count: count.count,
                selected: is_selected,
                href: href(&next),
            }
        })
        .collect()
}

fn posted_links(request: &SearchRequest, counts: &[FacetCount]) -> Vec<FacetLink> {
    let pairs = request.to_pairs();
    counts
        .iter()
        .filter(|count| count.count > 0)
        .map(|count| {
            let days: u32 = count.value.parse().unwrap_or(0);
            let selected = request.posted_within == Some(days);
            let mut next: Vec<(String, String)> = pairs
                .iter()
                .filter(|(name, _)| name != "posted_within")
                .cloned()
                .collect();
            if !selected {
                next.push(("posted_within".to_owned(), count.value.clone()));
            }
            FacetLink {
                label: match days {
                    1 => "Afgelopen 24 uur".to_owned(),
                    days => format!("Afgelopen {days} dagen"),
                },
                count: count.count,
                selected,
                href: href(&next),
            }
        })
        .collect()
}

fn understood_lines(results: &SearchResults) -> Vec<String> {
    let read = &results.understood;
    let mut lines = Vec::new();
    match (read.hours_min, read.hours_max) {
        (Some(min), Some(max)) if min == max => {
            lines.push(format!("{} uur per week", format_number(min)))
        }
        (Some(min), Some(max)) => lines.push(format!(
            "{} – {} uur per week",
            format_number(min),
            format_number(max)
        )),
        _ => {}
    }
    if let Some(salary) = read.salary_min {
        lines.push(format!("vanaf € {} per maand", thousands(salary as u64)));
    }
    if read.remote {
        lines.push("thuiswerken".to_owned());
    }
    if let Some(kind) = &read.employment_type {
        lines.push(value_label(Facet::EmploymentType, kind).to_lowercase());
    }
    if let Some(level) = &read.education_level {
        lines.push(value_label(Facet::EducationLevel, level));
    }
    if let Some(province) = &read.province {
        lines.push(format!("provincie {province}"));
    }
    if let (Some(place), Some(near)) = (&read.place, &results.near) {
        lines.push(format!("binnen {} km van {place}", format_number(near.km)));
    }
    lines
}

fn with_page(pairs: &[(String, String)], page: usize) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = pairs
        .iter()
        .filter(|(name, _)| name != "page")
        .cloned()
        .collect();
    if page > 1 {
        pairs.push(("page".to_owned(), page.to_string()));
    }
    pairs
}
