//! Postings from an HTML page: schema.org `JobPosting` in JSON-LD first, then microdata, then
//! the source's configured CSS selectors; and whether the page says the vacancy is closed.
//!
//! Pure and synchronous: `extract(&str, &Url, &Rules)` does no IO, never panics on any input,
//! and returns owned data (`scraper::Html` is not `Send`, so it never leaves this call).
//! Fields are read as published; normalising them (places, salary per month, occupations) is
//! the indexer's job.

pub(crate) mod fields;
mod jsonld;
mod microdata;
mod schema;

use std::fmt;
use std::sync::LazyLock;

use scraper::{ElementRef, Html, Node, Selector};
use url::Url;
use vindwerk_model::PostingData;

use crate::config::{FieldSelector, Selectors, SourceConfig};
use crate::urlnorm;
use fields::{collapse_whitespace, parse_date, parse_employment_types, parse_salary_text};

/// How a source's pages are read beyond schema.org: its compiled `[source.selectors]`.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub selectors: Selectors,
}

impl Rules {
    pub fn new(selectors: Selectors) -> Rules {
        Rules { selectors }
    }

    /// The rules of a source's pages (no selectors for API kinds).
    pub fn for_source(source: &SourceConfig) -> Rules {
        Rules::new(source.selectors().cloned().unwrap_or_default())
    }
}

/// What one page holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extracted {
    pub postings: Vec<PostingData>,
    /// What could not be read (a broken JSON-LD block, a posting without title): data about
    /// the page, not a reason to stop.
    pub problems: Vec<Problem>,
    /// The page says the vacancy is closed ("vacature gesloten", "this job is no longer
    /// available", the source's `closed` selector). A past `validThrough` is not this.
    pub closed: bool,
}

/// A problem with one part of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where on the page: `json-ld #2`, `microdata #1`, `selectors.title`.
    pub place: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

impl Problem {
    fn new(place: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            place: place.into(),
            message: message.into(),
        }
    }
}

static JSON_LD: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("script[type]").expect("selector literal should parse"));
static CANONICAL: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("link[rel][href]").expect("selector literal should parse"));
static BASE: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("base[href]").expect("selector literal should parse"));
static LINKS: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("a[href]").expect("selector literal should parse"));

/// Phrases with which Dutch and English pages say a vacancy is closed (matched on the page's
/// visible text, lower-cased, whitespace collapsed).
const CLOSED_PHRASES: &[&str] = &[
    "vacature gesloten",
    "vacature is gesloten",
    "deze vacature is niet meer beschikbaar",
    "vacature is niet meer beschikbaar",
    "deze vacature is niet meer actief",
    "deze vacature is vervuld",
    "vacature is vervuld",
    "deze vacature is verlopen",
    "de sollicitatietermijn is verlopen",
    "solliciteren is niet meer mogelijk",
    "er kan niet meer worden gesolliciteerd",
    "je kunt niet meer solliciteren",
    "u kunt niet meer solliciteren",
    "de sollicitatieperiode is verlopen",
    "this job is no longer available",
    "this position is no longer available",
    "this vacancy is no longer available",
    "this job posting is no longer available",
    "this position has been filled",
    "this job has expired",
    "no longer accepting applications",
];

/// Reads the postings of a page fetched from `page_url`.
pub fn extract(html: &str, page_url: &Url, rules: &Rules) -> Extracted {
    let document = Html::parse_document(html);
    let base = base_url(&document, page_url);
    let page_posting_url = canonical_url(&document, &base).unwrap_or_else(|| page_url.clone());
    let mut extracted = Extracted::default();

    let mut postings = from_json_ld(&document, &mut extracted.problems);
    if postings.is_empty() {
        postings = from_microdata(&document, &mut extracted.problems);
    }
    let selectors = &rules.selectors;
    if postings.is_empty() {
        // Without a title the page is no posting page (a listing, an error page).
        let from_page = from_selectors(&document, selectors, &mut extracted.problems);
        if !from_page.title.is_empty() {
            postings.push(from_page);
        }
    } else if postings.len() == 1 && !selectors.is_empty() {
        let from_page = from_selectors(&document, selectors, &mut extracted.problems);
        fill_missing(&mut postings[0], from_page);
    }

    let single = postings.len() == 1;
    for posting in &mut postings {
        // On a page of several postings each keeps the URL it names, when it names one.
        let own = (!single)
            .then(|| urlnorm::resolve(&base, &posting.url))
            .flatten();
        posting.url = own.unwrap_or_else(|| page_posting_url.clone()).into();
    }
    extracted.postings = postings;
    extracted.closed = says_closed(&document, selectors);
    extracted
}

/// Every http(s) link of a page, resolved against the page (or its `<base href>`) and
/// normalised, in document order without repeats. For following listings and pagination.
pub fn links(html: &str, page_url: &Url) -> Vec<Url> {
    let document = Html::parse_document(html);
    let base = base_url(&document, page_url);
    let mut seen = std::collections::HashSet::new();
    let mut links = Vec::new();
    for anchor in document.select(&LINKS) {
        let Some(href) = anchor.value().attr("href") else {
            continue;
        };
        if let Some(url) = urlnorm::resolve(&base, href)
            && seen.insert(url.clone())
        {
            links.push(url);
        }
    }
    links
}

fn base_url(document: &Html, page_url: &Url) -> Url {
    document
        .select(&BASE)
        .next()
        .and_then(|base| base.value().attr("href"))
        .and_then(|href| page_url.join(href.trim()).ok())
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .unwrap_or_else(|| page_url.clone())
}

fn canonical_url(document: &Html, base: &Url) -> Option<Url> {
    document
        .select(&CANONICAL)
        .find(|link| {
            link.value().attr("rel").is_some_and(|rel| {
                rel.split_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("canonical"))
            })
        })
        .and_then(|link| link.value().attr("href"))
        .and_then(|href| urlnorm::resolve(base, href))
}

fn from_json_ld(document: &Html, problems: &mut Vec<Problem>) -> Vec<PostingData> {
    let mut postings = Vec::new();
    let blocks = document.select(&JSON_LD).filter(|script| {
        script.value().attr("type").is_some_and(|kind| {
            kind.trim()
                .to_ascii_lowercase()
                .starts_with("application/ld+json")
        })
    });
    for (index, script) in blocks.enumerate() {
        let place = format!("json-ld #{}", index + 1);
        let text: String = script.text().collect();
        let value = match jsonld::parse_lenient(&text) {
            Ok(value) => value,
            Err(message) => {
                problems.push(Problem::new(place, message));
                continue;
            }
        };
        let ids = schema::node_ids(&value);
        for found in schema::job_postings(&value) {
            if postings.len() >= schema::MAX_POSTINGS {
                break;
            }
            let found = schema::resolve_references(found, &ids);
            match schema::posting_from_schema(&found) {
                Ok(posting) => postings.push(posting),
                Err(message) => problems.push(Problem::new(place.clone(), message)),
            }
        }
    }
    postings
}

fn from_microdata(document: &Html, problems: &mut Vec<Problem>) -> Vec<PostingData> {
    let mut postings = Vec::new();
    for (index, item) in microdata::job_postings(document).iter().enumerate() {
        match schema::posting_from_schema(item) {
            Ok(posting) => postings.push(posting),
            Err(message) => {
                problems.push(Problem::new(format!("microdata #{}", index + 1), message))
            }
        }
    }
    postings
}

/// The first element a selector finds, read as text (or its attribute); `None` when absent or
/// empty.
fn select_text(document: &Html, field: &FieldSelector) -> Option<String> {
    let element = document.select(&field.selector).next()?;
    let text = match &field.attr {
        Some(attr) => element.value().attr(attr)?.to_owned(),
        None => visible_text(element),
    };
    let text = collapse_whitespace(&text);
    (!text.is_empty()).then_some(text)
}

/// The fields the configured selectors find (an empty title when none is found).
fn from_selectors(
    document: &Html,
    selectors: &Selectors,
    problems: &mut Vec<Problem>,
) -> PostingData {
    let read =
        |field: &Option<FieldSelector>| field.as_ref().and_then(|f| select_text(document, f));
    // Selected text is already plain: markup-like text in it ("<script>") stays text.
    let mut posting = PostingData {
        title: read(&selectors.title).unwrap_or_default(),
        employer: read(&selectors.employer),
        ..PostingData::default()
    };
    posting.location.text = read(&selectors.location);
    if let Some(field) = &selectors.description
        && let Some(element) = document.select(&field.selector).next()
    {
        posting.description = match &field.attr {
            Some(attr) => element.value().attr(attr).unwrap_or("").trim().to_owned(),
            None => element.inner_html().trim().to_owned(),
        };
    }
    for (name, field, target) in [
        (
            "date_posted",
            &selectors.date_posted,
            &mut posting.date_posted,
        ),
        (
            "valid_through",
            &selectors.valid_through,
            &mut posting.valid_through,
        ),
    ] {
        if let Some(text) = read(field) {
            *target = parse_date(&text);
            if target.is_none() {
                problems.push(Problem::new(
                    format!("selectors.{name}"),
                    format!("not a date: {:?}", truncate(&text, 80)),
                ));
            }
        }
    }
    if let Some(text) = read(&selectors.salary) {
        posting.salary = parse_salary_text(&text);
        posting.salary_text = Some(text);
    }
    posting.hours_text = read(&selectors.hours);
    if let Some(text) = read(&selectors.employment_type) {
        posting.employment_types = parse_employment_types(&text);
    }
    posting.reference = read(&selectors.reference);
    posting
}

/// Fills what schema.org left empty from the page's selectors.
fn fill_missing(posting: &mut PostingData, from_page: PostingData) {
    if posting.employer.is_none() {
        posting.employer = from_page.employer;
    }
    if posting.description.is_empty() {
        posting.description = from_page.description;
    }
    if posting.location.is_empty() {
        posting.location = from_page.location;
    }
    posting.date_posted = posting.date_posted.or(from_page.date_posted);
    posting.valid_through = posting.valid_through.or(from_page.valid_through);
    if posting.employment_types.is_empty() {
        posting.employment_types = from_page.employment_types;
    }
    if posting.salary.is_none() && posting.salary_text.is_none() {
        posting.salary = from_page.salary;
        posting.salary_text = from_page.salary_text;
    }
    posting.hours_text = posting.hours_text.take().or(from_page.hours_text);
    posting.reference = posting.reference.take().or(from_page.reference);
}

fn says_closed(document: &Html, selectors: &Selectors) -> bool {
    if let Some(closed) = &selectors.closed
        && document.select(&closed.selector).next().is_some()
    {
        return true;
    }
    let text = visible_text(document.root_element()).to_lowercase();
    let text = collapse_whitespace(&text);
    CLOSED_PHRASES.iter().any(|phrase| text.contains(phrase))
}

/// The text a reader sees: without `script`, `style`, `template` and `noscript` contents.
fn visible_text(element: ElementRef<'_>) -> String {
    let mut text = String::new();
    for node in element.descendants() {
        let Node::Text(chunk) = node.value() else {
            continue;
        };
        let hidden = node.ancestors().any(|ancestor| {
            ancestor.value().as_element().is_some_and(|parent| {
                matches!(parent.name(), "script" | "style" | "template" | "noscript")
            })
        });
        if !hidden {
            text.push_str(chunk);
            text.push(' ');
        }
    }
    text
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}
