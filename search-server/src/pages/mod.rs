//! The portal's pages for people, server-rendered with askama, in Dutch: the search page
//! (`/`) with its facet sidebar, hits with snippets, distance and status, and pages; and the
//! vacancy page (`/vacature/{id}`) with every posting and similar vacancies. Everything works
//! without JavaScript (facets are links, the form is a GET); a small script only adds
//! autocompletion. Askama escapes every value; snippets arrive escaped with `<mark>` added.

mod employer;
mod map;
mod search;
mod vacancy;

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use vindwerk_model::Status;

use crate::error::ApiError;
use crate::params::{Facet, format_number};
use crate::search::Hit;

pub use employer::{employer_href, employer_page};
pub use map::map_page;
pub use search::search_page;
pub use vacancy::vacancy_page;

const STYLE: &str = include_str!("../../static/vindwerk.css");
const SCRIPT: &str = include_str!("../../static/vindwerk.js");

/// A hit as a result list shows it (`hit.html`).
pub(crate) struct HitView {
    pub(crate) href: String,
    pub(crate) title: String,
    pub(crate) employer: Option<String>,
    pub(crate) city: Option<String>,
    pub(crate) distance: Option<String>,
    pub(crate) date: Option<String>,
    pub(crate) status_label: &'static str,
    pub(crate) status_class: &'static str,
    pub(crate) expired: bool,
    /// Escaped HTML with `<mark>`.
    pub(crate) snippet: String,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    heading: &'a str,
    message: &'a str,
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

pub(crate) fn hit_view(hit: &Hit) -> HitView {
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

/// Any unknown page.
pub async fn not_found_page() -> Response {
    message(
        StatusCode::NOT_FOUND,
        "Pagina niet gevonden",
        "Deze pagina bestaat niet.",
    )
}

pub(crate) fn message(status: StatusCode, heading: &str, text: &str) -> Response {
    render(
        status,
        &MessagePage {
            heading,
            message: text,
        },
    )
}

pub(crate) fn render(status: StatusCode, template: &impl Template) -> Response {
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

/// The search page's address with these parameters.
fn href(pairs: &[(String, String)]) -> String {
    href_at("/", pairs)
}

/// The address of `path` with these parameters, encoded as a browser sends a form.
pub(crate) fn href_at(path: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return path.to_owned();
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(name, value)| format!("{}={}", encode_query(name), encode_query(value)))
        .collect();
    format!("{path}?{}", query.join("&"))
}

/// application/x-www-form-urlencoded, as a browser sends a form.
pub(crate) fn encode_query(text: &str) -> String {
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

pub(crate) fn encode_path(text: &str) -> String {
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
pub(crate) fn thousands(n: u64) -> String {
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
    use super::vacancy::{host_of, safe_url};
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
