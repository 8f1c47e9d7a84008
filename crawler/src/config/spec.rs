//! Turning one source's values into its kind's spec: URLs, regexes, selectors, ATS bases and
//! Workday boards, each problem named with the source and field.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{LazyLock, Mutex, PoisonError};

use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use url::Url;
use vindwerk_model::SourceKind;

use super::raw::{RawSource, StringList, deserialize_table};
use super::{
    AtsSpec, FeedFormat, FeedSpec, FieldSelector, Selectors, SiteSpec, SitemapSpec, SourceSpec,
    WorkdaySpec,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSelectors {
    title: Option<String>,
    employer: Option<String>,
    location: Option<String>,
    description: Option<String>,
    date_posted: Option<String>,
    valid_through: Option<String>,
    salary: Option<String>,
    hours: Option<String>,
    employment_type: Option<String>,
    reference: Option<String>,
    closed: Option<String>,
}

const SELECTOR_FIELDS: &[&str] = &[
    "title",
    "employer",
    "location",
    "description",
    "date_posted",
    "valid_through",
    "salary",
    "hours",
    "employment_type",
    "reference",
    "closed",
];

/// The kind's spec; `None` when a required value is missing or invalid (already reported).
pub(super) fn source_spec(
    kind: SourceKind,
    raw: RawSource,
    place: &str,
    problems: &mut Vec<String>,
) -> Option<SourceSpec> {
    let selectors = raw
        .selectors
        .map(|table| selectors(table, place, problems))
        .unwrap_or_default();
    let url = raw
        .url
        .and_then(|text| http_url(&text, "url", place, problems));
    match kind {
        SourceKind::Sitemap => Some(SourceSpec::Sitemap(SitemapSpec {
            url: url?,
            include: regexes(raw.include, "include", place, problems),
            exclude: regexes(raw.exclude, "exclude", place, problems),
            selectors,
        })),
        SourceKind::Site => {
            let mut start = Vec::new();
            let texts = raw.start.map(StringList::into_vec);
            if texts.as_ref().is_some_and(Vec::is_empty) {
                problems.push(format!("{place}: start: must list at least one URL"));
            }
            for (index, text) in texts.into_iter().flatten().enumerate() {
                let field = format!("start[{index}]");
                if let Some(url) = http_url(&text, &field, place, problems) {
                    start.push(url);
                }
            }
            let max_pages = match raw.max_pages {
                Some(n) => {
                    let max = usize::try_from(n).ok().and_then(NonZeroUsize::new);
                    if max.is_none() {
                        problems.push(format!("{place}: max_pages: must be at least 1"));
                    }
                    max
                }
                None => None,
            };
            let detail = raw
                .detail
                .and_then(|text| compile_regex(&text, "detail", place, problems));
            (!start.is_empty()).then(|| {
                SourceSpec::Site(SiteSpec {
                    start,
                    follow: regexes(raw.follow, "follow", place, problems),
                    detail,
                    max_pages,
                    selectors,
                })
            })
        }
        SourceKind::Feed => {
            let format = match raw.format.as_deref() {
                Some("rss") => Some(FeedFormat::Rss),
                Some("atom") => Some(FeedFormat::Atom),
                Some("indeed-xml") => Some(FeedFormat::IndeedXml),
                Some(other) => {
                    problems.push(format!(
                        "{place}: format: unknown feed format {other:?} (expected rss, atom or indeed-xml)"
                    ));
                    None
                }
                None => None,
            };
            Some(SourceSpec::Feed(FeedSpec {
                url: url?,
                format: format?,
                selectors,
            }))
        }
        SourceKind::Workday => {
            let board_url = url?;
            workday_spec(board_url, raw.tenant, place, problems).map(SourceSpec::Workday)
        }
        SourceKind::Recruitee
        | SourceKind::Greenhouse
        | SourceKind::Lever
        | SourceKind::Personio
        | SourceKind::SmartRecruiters => {
            let company = raw.company?;
            if !is_company_token(&company) {
                problems.push(format!(
                    "{place}: company: {company:?} is not a board name (letters, digits, '-', '_' and '.')"
                ));
                return None;
            }
            let base_url = match raw.base_url {
                Some(text) => http_url(&text, "base_url", place, problems)?,
                None => default_base(kind, &company, place, problems)?,
            };
            let spec = AtsSpec { company, base_url };
            Some(match kind {
                SourceKind::Recruitee => SourceSpec::Recruitee(spec),
                SourceKind::Greenhouse => SourceSpec::Greenhouse(spec),
                SourceKind::Lever => SourceSpec::Lever(spec),
                SourceKind::Personio => SourceSpec::Personio(spec),
                _ => SourceSpec::SmartRecruiters(spec),
            })
        }
    }
}

fn is_company_token(company: &str) -> bool {
    !company.is_empty()
        && company.len() <= 100
        && company
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn default_base(
    kind: SourceKind,
    company: &str,
    place: &str,
    problems: &mut Vec<String>,
) -> Option<Url> {
    let text = match kind {
        SourceKind::Recruitee => format!("https://{company}.recruitee.com"),
        SourceKind::Greenhouse => "https://boards-api.greenhouse.io".to_owned(),
        SourceKind::Lever => "https://api.lever.co".to_owned(),
        SourceKind::Personio => format!("https://{company}.jobs.personio.de"),
        _ => "https://api.smartrecruiters.com".to_owned(),
    };
    http_url(&text, "company", place, problems)
}

/// Tenant and site from the board URL: `https://{tenant}.wd3.myworkdayjobs.com/[{locale}/]{site}`
/// or the API form `.../wday/cxs/{tenant}/{site}`.
fn workday_spec(
    board_url: Url,
    tenant: Option<String>,
    place: &str,
    problems: &mut Vec<String>,
) -> Option<WorkdaySpec> {
    let segments: Vec<String> = board_url
        .path_segments()
        .map(|segments| {
            segments
                .filter(|segment| !segment.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let (path_tenant, site) = match segments.as_slice() {
        [wday, cxs, tenant, site, ..] if wday == "wday" && cxs == "cxs" => {
            (Some(tenant.clone()), Some(site.clone()))
        }
        [locale, site, ..] if is_locale(locale) => (None, Some(site.clone())),
        [site, ..] => (None, Some(site.clone())),
        [] => (None, None),
    };
    let host_tenant = board_url
        .host_str()
        .filter(|host| host.ends_with(".myworkdayjobs.com") || host.ends_with(".workday.com"))
        .and_then(|host| host.split('.').next())
        .map(str::to_owned);
    let Some(site) = site else {
        problems.push(format!(
            "{place}: url: {:?} names no career site (expected https://TENANT.wdN.myworkdayjobs.com/SITE)",
            board_url.as_str()
        ));
        return None;
    };
    let Some(tenant) = tenant.or(path_tenant).or(host_tenant) else {
        problems.push(format!(
            "{place}: tenant: cannot tell the Workday tenant from {:?}; add tenant = \"...\"",
            board_url.as_str()
        ));
        return None;
    };
    if !is_company_token(&tenant) || !is_company_token(&site) {
        problems.push(format!(
            "{place}: url: tenant {tenant:?} or site {site:?} is not a plain name"
        ));
        return None;
    }
    Some(WorkdaySpec {
        board_url,
        tenant,
        site,
    })
}

fn is_locale(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    matches!(bytes.len(), 2 | 5)
        && bytes[..2].iter().all(u8::is_ascii_lowercase)
        && (bytes.len() == 2 || (bytes[2] == b'-' && bytes[3..].iter().all(u8::is_ascii_uppercase)))
}

fn http_url(text: &str, field: &str, place: &str, problems: &mut Vec<String>) -> Option<Url> {
    match Url::parse(text.trim()) {
        Ok(url) if !matches!(url.scheme(), "http" | "https") => {
            problems.push(format!(
                "{place}: {field}: invalid URL {text:?}: only http and https are allowed"
            ));
            None
        }
        Ok(url) if url.host_str().is_none_or(str::is_empty) => {
            problems.push(format!("{place}: {field}: invalid URL {text:?}: no host"));
            None
        }
        Ok(url) => Some(url),
        Err(error) => {
            problems.push(format!("{place}: {field}: invalid URL {text:?}: {error}"));
            None
        }
    }
}

fn regexes(
    list: Option<StringList>,
    field: &str,
    place: &str,
    problems: &mut Vec<String>,
) -> Vec<Regex> {
    let texts = list.map(StringList::into_vec).unwrap_or_default();
    let many = texts.len() > 1;
    let mut compiled = Vec::new();
    for (index, text) in texts.iter().enumerate() {
        let name = if many {
            format!("{field}[{index}]")
        } else {
            field.to_owned()
        };
        if let Some(regex) = compile_regex(text, &name, place, problems) {
            compiled.push(regex);
        }
    }
    compiled
}

fn compile_regex(
    text: &str,
    field: &str,
    place: &str,
    problems: &mut Vec<String>,
) -> Option<Regex> {
    // Thousands of sources often share a handful of patterns: each is compiled once and
    // shared (a clone shares the compiled program).
    static COMPILED: LazyLock<Mutex<HashMap<String, Regex>>> = LazyLock::new(Default::default);
    let mut compiled = COMPILED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(regex) = compiled.get(text) {
        return Some(regex.clone());
    }
    // A size limit keeps a careless pattern from costing a crawl its memory.
    match RegexBuilder::new(text).size_limit(1 << 20).build() {
        Ok(regex) => {
            if compiled.len() >= 10_000 {
                compiled.clear();
            }
            compiled.insert(text.to_owned(), regex.clone());
            Some(regex)
        }
        Err(error) => {
            let reason = error.to_string();
            // regex renders a multi-line diagram; its last line is the reason.
            let reason = reason
                .lines()
                .last()
                .unwrap_or("")
                .trim_start_matches("error: ");
            problems.push(format!(
                "{place}: {field}: invalid regex {text:?}: {reason}"
            ));
            None
        }
    }
}

fn selectors(mut table: toml::Table, place: &str, problems: &mut Vec<String>) -> Selectors {
    let selectors_place = format!("{place}: selectors");
    let unknown: Vec<String> = table
        .keys()
        .filter(|key| !SELECTOR_FIELDS.contains(&key.as_str()))
        .cloned()
        .collect();
    for key in unknown {
        problems.push(format!("{place}: selectors: unknown field {key:?}"));
        table.remove(&key);
    }
    let (raw, _) = deserialize_table::<RawSelectors>(table, &selectors_place, problems);
    let Some(raw) = raw else {
        return Selectors::default();
    };
    let mut compile = |field: &str, text: Option<String>| {
        let text = text?;
        match FieldSelector::parse(&text) {
            Ok(selector) => Some(selector),
            Err(message) => {
                problems.push(format!("{place}: selectors.{field}: {message}"));
                None
            }
        }
    };
    Selectors {
        title: compile("title", raw.title),
        employer: compile("employer", raw.employer),
        location: compile("location", raw.location),
        description: compile("description", raw.description),
        date_posted: compile("date_posted", raw.date_posted),
        valid_through: compile("valid_through", raw.valid_through),
        salary: compile("salary", raw.salary),
        hours: compile("hours", raw.hours),
        employment_type: compile("employment_type", raw.employment_type),
        reference: compile("reference", raw.reference),
        closed: compile("closed", raw.closed),
    }
}
