//! The portal's pages for people, server-rendered with askama, in Dutch: the search page
//! (`/`) with its facet sidebar, hits with snippets, distance and status, and pages; and the
//! vacancy page (`/vacature/{id}`) with every posting and similar vacancies. Everything works
//! without JavaScript (facets are links, the form is a GET); a small script only adds
//! autocompletion. Askama escapes every value; snippets arrive escaped with `<mark>` added.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use vindwerk_model::{Status, Vacancy};

use crate::api::{Pairs, load_similar, load_vacancy, pairs, run_search};
use crate::error::{ApiError, ErrorCode};
use crate::params::{Facet, Page, SearchRequest, Sort, format_number};
use crate::search::{FacetCount, Hit, SearchResults};
use crate::state::AppState;

const STYLE: &str = include_str!("../static/vindwerk.css");
const SCRIPT: &str = include_str!("../static/vindwerk.js");
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
    prev_href: Option<String>,
    next_href: Option<String>,
    page_label: String,
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

struct HitView {
    href: String,
    title: String,
    employer: Option<String>,
    city: Option<String>,
    distance: Option<String>,
    date: Option<String>,
    status_label: &'static str,
    status_class: &'static str,
    expired: bool,
    /// Escaped HTML with `<mark>`.
    snippet: String,
}

#[derive(Template)]
#[template(path = "vacancy.html")]
struct VacancyPage {
    title: String,
    employer: Option<String>,
    place: Option<String>,
    status_label: &'static str,
    status_class: &'static str,
    facts: Vec<(&'static str, String)>,
    description: String,
    postings: Vec<PostingView>,
    similar: Vec<HitView>,
}

struct PostingView {
    source: String,
    url: String,
    host: String,
    first_seen: String,
    last_seen: String,
    status: String,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    heading: &'a str,
    message: &'a str,
}

/// `GET /`: the search page.
pub async fn search_page(State(state): State<AppState>, query: Pairs) -> Response {
    let parsed = pairs(query).and_then(|pairs| SearchRequest::from_pairs(&pairs));
    let (request, error) = match parsed {
        Ok(request) => (request, None),
        Err(error) => (SearchRequest::default(), Some(error)),
    };
    let (results, error) = match error {
        Some(error) => (None, Some(error)),
        None => match run_search(&state, request.clone()).await {
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
    render(status, &search_view(&request, results.as_ref(), message))
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
    SearchPage {
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
        prev_href,
        next_href,
        page_label,
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

/// A facet value as people read it.
fn value_label(facet: Facet, value: &str) -> String {
    let known = match (facet, value) {
        (Facet::Status, "active") => "Actueel",
        (Facet::Status, "expired") => "Verlopen",
        (Facet::EmploymentType, "full_time") => "Voltijd",
        (Facet::EmploymentType, "part_time") => "Deeltijd",
        (Facet::EmploymentType, "contractor") => "Freelance / zzp",
        (Facet::EmploymentType, "temporary") => "Tijdelijk",
        (Facet::EmploymentType, "intern") => "Stage",
        (Facet::EmploymentType, "volunteer") => "Vrijwilligerswerk",
        (Facet::EmploymentType, "per_diem") => "Oproepkracht",
        (Facet::EmploymentType, "other") => "Overig",
        (Facet::Channel, "employer") => "Werkgever",
        (Facet::Channel, "ats") => "Werkgever (sollicitatiesysteem)",
        (Facet::Channel, "board") => "Vacaturebank",
        (Facet::Channel, "agency") => "Uitzend- of wervingsbureau",
        (Facet::Isco, "0") => "Militaire beroepen",
        (Facet::Isco, "1") => "Leidinggevenden",
        (Facet::Isco, "2") => "Specialisten",
        (Facet::Isco, "3") => "Technici en vakspecialisten",
        (Facet::Isco, "4") => "Administratief personeel",
        (Facet::Isco, "5") => "Dienstverlening en verkoop",
        (Facet::Isco, "6") => "Land- en bosbouw, visserij",
        (Facet::Isco, "7") => "Ambachten",
        (Facet::Isco, "8") => "Bediening van machines, transport",
        (Facet::Isco, "9") => "Elementaire beroepen",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_owned();
    }
    match facet {
        Facet::EducationLevel => value.to_uppercase(),
        Facet::Isco => format!("ISCO {value}"),
        Facet::HoursBand => band_label(value, "", " uur"),
        Facet::SalaryBand => band_label(value, "€ ", ""),
        _ => value.to_owned(),
    }
}

/// "32-36" -> "32 – 36 uur", "36plus" -> "36 uur of meer".
fn band_label(value: &str, prefix: &str, suffix: &str) -> String {
    let amount = |text: &str| text.parse::<u64>().map_or(text.to_owned(), thousands);
    if let Some(low) = value.strip_suffix("plus") {
        return format!("{prefix}{}{suffix} of meer", amount(low));
    }
    match value.split_once('-') {
        Some((low, high)) => format!("{prefix}{} – {prefix}{}{suffix}", amount(low), amount(high)),
        None => value.to_owned(),
    }
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

fn hit_view(hit: &Hit) -> HitView {
    let expired = hit.status == Status::Expired.as_str();
    HitView {
        href: format!("/vacature/{}", encode_path(&hit.id)),
        title: hit.title.clone(),
        employer: hit.employer.clone(),
        city: hit.city.clone(),
        distance: hit
            .distance_km
            .map(|km| format!("{} km", format_number(km).replace('.', ","))),
        date: hit
            .date_posted
            .map(|day| day.format("%d-%m-%Y").to_string()),
        status_label: if expired { "Verlopen" } else { "Actueel" },
        status_class: if expired { "expired" } else { "active" },
        expired,
        snippet: hit.snippet.clone(),
    }
}

/// `GET /vacature/{id}`: the vacancy with all its postings and similar vacancies.
pub async fn vacancy_page(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let vacancy = match load_vacancy(&state, id.clone()).await {
        Ok(vacancy) => vacancy,
        Err(ApiError::NotFound(_)) => {
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
    render(StatusCode::OK, &vacancy_view(&vacancy, similar))
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
    }
}

/// Only http(s) links are shown as links; anything else (`javascript:`) becomes `#`.
fn safe_url(url: &str) -> String {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        url.trim().to_owned()
    } else {
        "#".to_owned()
    }
}

fn host_of(url: &str) -> String {
    if safe_url(url) == "#" {
        return "(geen geldige link)".to_owned();
    }
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or(rest)
        .to_owned()
}

/// Any unknown page.
pub async fn not_found_page() -> Response {
    message(
        StatusCode::NOT_FOUND,
        "Pagina niet gevonden",
        "Deze pagina bestaat niet.",
    )
}

fn message(status: StatusCode, heading: &str, text: &str) -> Response {
    render(
        status,
        &MessagePage {
            heading,
            message: text,
        },
    )
}

fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => ApiError::internal(format!("rendering a page: {error}")).into_response(),
    }
}

/// `GET /static/vindwerk.css`.
pub async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
        .into_response()
}

/// `GET /static/vindwerk.js`.
pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
        .into_response()
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

/// The search page's address with these parameters.
fn href(pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return "/".to_owned();
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(name, value)| format!("{}={}", encode_query(name), encode_query(value)))
        .collect();
    format!("/?{}", query.join("&"))
}

/// application/x-www-form-urlencoded, as a browser sends a form.
fn encode_query(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn encode_path(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// 12345 -> "12.345", the Dutch way.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_as_dutch() {
        assert_eq!(thousands(3500), "3.500");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1.234.567");
        assert_eq!(value_label(Facet::HoursBand, "32-36"), "32 – 36 uur");
        assert_eq!(value_label(Facet::HoursBand, "36plus"), "36 uur of meer");
        assert_eq!(
            value_label(Facet::SalaryBand, "2500-3000"),
            "€ 2.500 – € 3.000"
        );
        assert_eq!(value_label(Facet::EmploymentType, "part_time"), "Deeltijd");
        assert_eq!(value_label(Facet::Province, "Fryslân"), "Fryslân");
    }

    #[test]
    fn links_encode_like_forms() {
        assert_eq!(
            href(&[
                ("q".to_owned(), "kok & chef".to_owned()),
                ("city".to_owned(), "Den Haag".to_owned())
            ]),
            "/?q=kok+%26+chef&city=Den+Haag"
        );
        assert_eq!(href(&[]), "/");
        assert_eq!(encode_path("v 1/2"), "v%201%2F2");
        assert_eq!(safe_url("javascript:alert(1)"), "#");
        assert_eq!(host_of("https://werk.example.nl/a?b"), "werk.example.nl");
    }
}
