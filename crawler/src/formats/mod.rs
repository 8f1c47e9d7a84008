//! Pure parsers of what sources publish besides pages: sitemaps and sitemap indexes, RSS 2.0,
//! Atom and Indeed-style XML feeds, and the public JSON/XML APIs of applicant-tracking systems
//! (Recruitee, Greenhouse, Lever, Personio, SmartRecruiters, Workday), plus the URLs and request
//! bodies of those APIs. The exact shapes read are written down in `README.md` beside this
//! file; the fixture web serves the same shapes.
//!
//! No IO: the crawl loop fetches (gzip is undone by the fetch layer) and hands bodies here. A
//! body that is not the format at all is a [`FormatError`]; one bad item in a good body is a
//! problem in the result and the other items are kept. `robots.txt` `Sitemap:` lines belong to
//! the robots module.

mod ats;
mod feeds;
mod personio;
mod sitemap;
mod smartrecruiters;
mod workday;
pub(crate) mod xml;

use serde_json::Value;
use url::Url;
use vindwerk_model::PostingData;

pub use ats::{
    greenhouse_jobs_url, lever_postings_url, parse_greenhouse, parse_lever, parse_recruitee,
    recruitee_offers_url,
};
pub use feeds::{
    FeedEnd, FeedItems, parse_atom, parse_feed, parse_indeed, parse_rss, read_feed, read_feed_from,
};
pub use personio::{parse_personio, personio_xml_url};
pub use sitemap::{Sitemap, SitemapEntry, SitemapKind, parse_sitemap};
pub use smartrecruiters::{
    SmartRecruitersList, SmartRecruitersSummary, parse_smartrecruiters_list,
    parse_smartrecruiters_posting, smartrecruiters_posting_url, smartrecruiters_postings_url,
};
pub use workday::{
    WORKDAY_PAGE_SIZE, WorkdayList, WorkdaySummary, parse_workday_list, parse_workday_posting,
    workday_detail_url, workday_jobs_body, workday_jobs_url, workday_public_url,
};

/// A body that is not the expected format at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("invalid JSON: {0}")]
    Json(String),
    #[error("invalid XML {0}")]
    Xml(String),
    /// Well-formed, but not the expected document (`expected` names it).
    #[error("not {expected}: {found}")]
    Shape {
        expected: &'static str,
        found: String,
    },
}

/// The postings of one API response or feed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listing {
    pub postings: Vec<PostingData>,
    /// Items that could not be read, each naming its place (`offer #3: no careers_url`).
    pub problems: Vec<String>,
    /// How many items the body held, read or not: the paging APIs use it to tell a last page
    /// (fewer items than asked for).
    pub n_items: usize,
    /// The total the API reports over all pages, when it reports one.
    pub total: Option<usize>,
}

fn parse_json(body: &str) -> Result<Value, FormatError> {
    let body = body.trim_start_matches('\u{feff}');
    serde_json::from_str(body).map_err(|error| FormatError::Json(error.to_string()))
}

fn shape_error(expected: &'static str, value: &Value) -> FormatError {
    let found = match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object without the expected fields",
    };
    FormatError::Shape {
        expected,
        found: found.to_owned(),
    }
}

/// The value at a path of object keys.
fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut current = value;
    for key in path {
        current = current.get(key)?;
    }
    (!current.is_null()).then_some(current)
}

/// Text at a path: a non-empty trimmed string, or a number written out.
fn text_at(value: &Value, path: &[&str]) -> Option<String> {
    match at(value, path)? {
        Value::String(text) => {
            let text = text.trim();
            (!text.is_empty()).then(|| text.to_owned())
        }
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// A number at a path: a JSON number or a numeric string (`"3200"`, `"3.200,50"`).
fn number_at(value: &Value, path: &[&str]) -> Option<f64> {
    match at(value, path)? {
        Value::Number(number) => number.as_f64().filter(|n| n.is_finite()),
        Value::String(text) => crate::extract::fields::parse_amount(text),
        _ => None,
    }
}

/// A coordinate at a path: a JSON number or a decimal string (`"52.0907"`, never thousands).
fn coordinate_at(value: &Value, path: &[&str]) -> Option<f64> {
    match at(value, path)? {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| n.is_finite())
}

/// A public page URL an API names: absolute http(s), or relative to `base`.
fn page_url(text: &str, base: &Url) -> Option<Url> {
    let url = base.join(text.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// `base` with `path` appended to its own path (`http://h/mirror` + `api/offers/` is
/// `http://h/mirror/api/offers/`).
fn endpoint(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    let joined = format!(
        "{}/{}",
        url.path().trim_end_matches('/'),
        path.trim_start_matches('/')
    );
    url.set_path(&joined);
    url
}

/// Sections of a description (`(title, html)`) as one HTML text, headed by their titles.
fn join_sections(sections: &[(Option<String>, String)]) -> String {
    let mut html = String::new();
    for (title, body) in sections {
        let body = body.trim();
        if body.is_empty() {
            continue;
        }
        if !html.is_empty() {
            html.push('\n');
        }
        if let Some(title) = title.as_deref().filter(|t| !t.trim().is_empty()) {
            html.push_str("<h3>");
            html.push_str(&escape_html(title.trim()));
            html.push_str("</h3>\n");
        }
        html.push_str(body);
    }
    html
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_keep_the_base_path() {
        let check = |base: &str, path: &str, expected: &str| {
            let base = Url::parse(base).expect("base");
            assert_eq!(endpoint(&base, path).as_str(), expected);
        };
        check(
            "https://acme.recruitee.com",
            "api/offers/",
            "https://acme.recruitee.com/api/offers/",
        );
        check(
            "http://127.0.0.1:8080/mirror/",
            "/v1/boards/a/jobs",
            "http://127.0.0.1:8080/mirror/v1/boards/a/jobs",
        );
        check("http://h/x?y=1#z", "xml", "http://h/x/xml");
    }
}
