//! The private serde shapes of `sources.toml` and the one pass that turns them into the public
//! types of `config`, collecting every problem with its place (the kinds' own values are
//! compiled in `spec`).
//!
//! Each table is read in three steps: keys the shape does not know are reported one by one
//! (and dropped); the rest is deserialised into a `deny_unknown_fields` struct, reporting a
//! value of the wrong type and retrying without it, so that one bad value hides no other
//! problem; then the values are checked and compiled.

use std::collections::HashMap;
use std::num::{NonZeroU64, NonZeroUsize};
use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Spanned;
use vindwerk_model::{Audience, Channel, SourceId, SourceKind};

use super::{Config, ConfigErrors, CrawlerSettings, Rate, SourceConfig};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCrawler {
    user_agent: Option<String>,
    rate_per_host: Option<f64>,
    concurrency: Option<i64>,
    timeout_s: Option<f64>,
    max_body_bytes: Option<i64>,
    allow_private_addresses: Option<bool>,
}

const CRAWLER_FIELDS: &[&str] = &[
    "user_agent",
    "rate_per_host",
    "concurrency",
    "timeout_s",
    "max_body_bytes",
    "allow_private_addresses",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    pub(super) name: Option<String>,
    pub(super) kind: Option<String>,
    pub(super) channel: Option<String>,
    pub(super) rate_per_host: Option<f64>,
    pub(super) employer: Option<String>,
    pub(super) audience: Option<String>,
    pub(super) url: Option<String>,
    pub(super) include: Option<StringList>,
    pub(super) exclude: Option<StringList>,
    pub(super) start: Option<StringList>,
    pub(super) follow: Option<StringList>,
    pub(super) detail: Option<String>,
    pub(super) max_pages: Option<i64>,
    pub(super) format: Option<String>,
    pub(super) company: Option<String>,
    pub(super) base_url: Option<String>,
    pub(super) tenant: Option<String>,
    pub(super) selectors: Option<toml::Table>,
}

/// Fields every kind takes.
const COMMON_FIELDS: &[&str] = &[
    "name",
    "kind",
    "channel",
    "rate_per_host",
    "employer",
    "audience",
];

/// Fields some kind takes; which kind is [`kind_fields`].
const KIND_FIELDS: &[&str] = &[
    "url",
    "include",
    "exclude",
    "start",
    "follow",
    "detail",
    "max_pages",
    "format",
    "company",
    "base_url",
    "tenant",
    "selectors",
];

/// (optional, required) fields of a kind beyond the common ones.
fn kind_fields(kind: SourceKind) -> (&'static [&'static str], &'static [&'static str]) {
    match kind {
        SourceKind::Sitemap => (&["include", "exclude", "selectors"], &["url"]),
        SourceKind::Site => (&["follow", "detail", "max_pages", "selectors"], &["start"]),
        SourceKind::Feed => (&["selectors"], &["url", "format"]),
        SourceKind::Recruitee
        | SourceKind::Greenhouse
        | SourceKind::Lever
        | SourceKind::Personio
        | SourceKind::SmartRecruiters => (&["base_url"], &["company"]),
        SourceKind::Workday => (&["tenant"], &["url"]),
    }
}

/// A string or a list of strings (`include = "^/vacatures/"` or `include = ["a", "b"]`).
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "invalid type: expected a string or a list of strings"
)]
pub(super) enum StringList {
    One(String),
    Many(Vec<String>),
}

impl StringList {
    pub(super) fn into_vec(self) -> Vec<String> {
        match self {
            StringList::One(one) => vec![one],
            StringList::Many(many) => many,
        }
    }
}

/// Parses `sources.toml`. The document is read into toml's borrowed tree, and each entry is
/// made an owned table only while it is read into its source: a file of ten thousand sources
/// is never held as owned tables all at once.
pub(super) fn parse(text: &str) -> Result<Config, ConfigErrors> {
    let mut problems = Vec::new();
    let mut document = match toml::de::DeTable::parse(text) {
        Ok(document) => document.into_inner(),
        Err(error) => {
            let line = error.span().map(|span| {
                let before = &text.as_bytes()[..span.start.min(text.len())];
                before.iter().filter(|byte| **byte == b'\n').count() + 1
            });
            let message = error.message().trim().to_owned();
            let problem = match line {
                Some(line) => format!("line {line}: {message}"),
                None => message,
            };
            return Err(ConfigErrors {
                problems: vec![problem],
            });
        }
    };

    for key in document.keys() {
        let key: &str = key.get_ref();
        if key != "crawler" && key != "source" {
            problems.push(format!(
                "unknown top-level key {key:?} (expected [crawler] or [[source]])"
            ));
        }
    }

    let crawler = match document.remove("crawler").map(owned) {
        None => CrawlerSettings::default(),
        Some(toml::Value::Table(table)) => crawler_settings(table, &mut problems),
        Some(_) => {
            problems.push("crawler: must be a table ([crawler])".to_owned());
            CrawlerSettings::default()
        }
    };

    let mut sources = Vec::new();
    match document.remove("source").map(Spanned::into_inner) {
        None => {}
        Some(toml::de::DeValue::Array(mut entries)) => {
            let mut first_of_name: HashMap<String, usize> = HashMap::new();
            for (index, entry) in entries.iter_mut().enumerate() {
                let number = index + 1;
                let entry =
                    std::mem::replace(entry, Spanned::new(0..0, toml::de::DeValue::Boolean(false)));
                let toml::Value::Table(table) = owned(entry) else {
                    problems.push(format!("source #{number}: must be a table ([[source]])"));
                    continue;
                };
                if let Some(name) = table.get("name").and_then(toml::Value::as_str) {
                    match first_of_name.get(name) {
                        Some(first) => problems.push(format!(
                            "duplicate source name {name:?} (sources #{first} and #{number})"
                        )),
                        None => {
                            first_of_name.insert(name.to_owned(), number);
                        }
                    }
                }
                if let Some(source) = source_config(table, number, &mut problems) {
                    sources.push(source);
                }
            }
        }
        Some(_) => problems.push("source: must be an array of tables ([[source]])".to_owned()),
    }

    if problems.is_empty() {
        Ok(Config { crawler, sources })
    } else {
        Err(ConfigErrors { problems })
    }
}

/// A value of the borrowed tree as an owned value.
fn owned(value: Spanned<toml::de::DeValue<'_>>) -> toml::Value {
    // Every value of a parsed document is a valid TOML value.
    toml::Value::deserialize(toml::de::ValueDeserializer::from(value))
        .unwrap_or(toml::Value::Boolean(false))
}

/// Reports keys that `fields` does not know and removes them from `table`.
fn drop_unknown_keys(
    table: &mut toml::Table,
    fields: &[&str],
    place: &str,
    problems: &mut Vec<String>,
) {
    let unknown: Vec<String> = table
        .keys()
        .filter(|key| !fields.contains(&key.as_str()))
        .cloned()
        .collect();
    for key in unknown {
        problems.push(format!("{place}: unknown field {key:?}"));
        table.remove(&key);
    }
}

/// Deserialises `table` into `T`, reporting each value of the wrong type (and dropping it, so
/// that the next one is found too). Returns the value and the keys that were dropped.
pub(super) fn deserialize_table<T: DeserializeOwned>(
    mut table: toml::Table,
    place: &str,
    problems: &mut Vec<String>,
) -> (Option<T>, Vec<String>) {
    let mut dropped = Vec::new();
    for _ in 0..=table.len() {
        let error = match toml::Value::Table(table.clone()).try_into::<T>() {
            Ok(value) => return (Some(value), dropped),
            Err(error) => error,
        };
        // The key is only in the error's display ("...\nin `key`"), not in its accessors.
        let shown = error.to_string();
        let key = shown
            .lines()
            .find_map(|line| line.strip_prefix("in `")?.strip_suffix('`'))
            .map(|path| path.split('.').next().unwrap_or(path).to_owned());
        let message = error.message().trim();
        match key {
            Some(key) if table.remove(&key).is_some() => {
                problems.push(format!("{place}: {key}: {message}"));
                dropped.push(key);
            }
            _ => {
                problems.push(format!("{place}: {message}"));
                return (None, dropped);
            }
        }
    }
    (None, dropped)
}

fn crawler_settings(mut table: toml::Table, problems: &mut Vec<String>) -> CrawlerSettings {
    let place = "crawler";
    drop_unknown_keys(&mut table, CRAWLER_FIELDS, place, problems);
    let mut settings = CrawlerSettings::default();
    let (raw, _) = deserialize_table::<RawCrawler>(table, place, problems);
    let Some(raw) = raw else {
        return settings;
    };
    if let Some(user_agent) = raw.user_agent {
        if user_agent.trim().is_empty() || user_agent.chars().any(char::is_control) {
            problems.push(format!(
                "crawler.user_agent: must be a non-empty line of text, not {user_agent:?}"
            ));
        } else {
            settings.user_agent = user_agent;
        }
    }
    if let Some(rate) = raw.rate_per_host {
        match Rate::new(rate) {
            Some(rate) => settings.rate_per_host = rate,
            None => problems.push("crawler.rate_per_host: must be greater than 0".to_owned()),
        }
    }
    if let Some(concurrency) = raw.concurrency {
        match usize::try_from(concurrency)
            .ok()
            .and_then(NonZeroUsize::new)
        {
            Some(concurrency) => settings.concurrency = concurrency,
            None => problems.push("crawler.concurrency: must be at least 1".to_owned()),
        }
    }
    if let Some(timeout) = raw.timeout_s {
        match Duration::try_from_secs_f64(timeout) {
            Ok(timeout) if !timeout.is_zero() => settings.timeout = timeout,
            _ => problems.push("crawler.timeout_s: must be greater than 0".to_owned()),
        }
    }
    if let Some(max) = raw.max_body_bytes {
        match u64::try_from(max).ok().and_then(NonZeroU64::new) {
            Some(max) => settings.max_body_bytes = max,
            None => problems.push("crawler.max_body_bytes: must be at least 1".to_owned()),
        }
    }
    if let Some(allow) = raw.allow_private_addresses {
        settings.allow_private_addresses = allow;
    }
    settings
}

/// Collects the problems of one source; `None` when it had any.
fn source_config(
    mut table: toml::Table,
    number: usize,
    problems: &mut Vec<String>,
) -> Option<SourceConfig> {
    let before = problems.len();
    let place = match table.get("name").and_then(toml::Value::as_str) {
        Some(name) if !name.trim().is_empty() => format!("source {name:?}"),
        _ => format!("source #{number}"),
    };
    let known: Vec<&str> = COMMON_FIELDS.iter().chain(KIND_FIELDS).copied().collect();
    drop_unknown_keys(&mut table, &known, &place, problems);
    let present: Vec<String> = table.keys().cloned().collect();
    let (raw, dropped) = deserialize_table::<RawSource>(table, &place, problems);
    let raw = raw?;
    let given = |field: &str| present.iter().any(|key| key == field);
    let broken = |field: &str| dropped.iter().any(|key| key == field);

    let name = match raw.name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() && !name.chars().any(char::is_control) => {
            Some(name.to_owned())
        }
        Some(_) => {
            problems.push(format!("{place}: name: must be non-empty text"));
            None
        }
        None => {
            if !broken("name") {
                problems.push(format!("{place}: missing required field \"name\""));
            }
            None
        }
    };

    let kind = match raw.kind.as_deref() {
        Some(text) => match text.parse::<SourceKind>() {
            Ok(kind) => Some(kind),
            Err(_) => {
                let expected: Vec<&str> = SourceKind::ALL.iter().map(|k| k.as_str()).collect();
                problems.push(format!(
                    "{place}: kind: unknown kind {text:?} (expected one of {})",
                    expected.join(", ")
                ));
                None
            }
        },
        None => {
            if !broken("kind") {
                problems.push(format!("{place}: missing required field \"kind\""));
            }
            None
        }
    };

    let channel = match raw.channel.as_deref() {
        Some(text) => match text.parse::<Channel>() {
            Ok(channel) => Some(channel),
            Err(_) => {
                problems.push(format!(
                    "{place}: channel: unknown channel {text:?} (expected employer, ats, board or agency)"
                ));
                None
            }
        },
        None => None,
    };

    let rate_per_host = match raw.rate_per_host {
        Some(rate) => {
            let rate = Rate::new(rate);
            if rate.is_none() {
                problems.push(format!("{place}: rate_per_host: must be greater than 0"));
            }
            rate
        }
        None => None,
    };

    let employer = match raw.employer.as_deref().map(collapse_whitespace) {
        Some(employer) if employer.is_empty() => {
            problems.push(format!("{place}: employer: must not be empty"));
            None
        }
        employer => employer,
    };

    let audience = match raw.audience.as_deref().map(str::parse::<Audience>) {
        Some(Ok(audience)) => audience,
        Some(Err(error)) => {
            problems.push(format!("{place}: audience: {error}"));
            Audience::Public
        }
        None => Audience::Public,
    };

    let kind = kind?;
    let (optional, required) = kind_fields(kind);
    for field in &present {
        let field = field.as_str();
        if KIND_FIELDS.contains(&field) && !optional.contains(&field) && !required.contains(&field)
        {
            problems.push(format!(
                "{place}: field {field:?} does not apply to kind {:?}",
                kind.as_str()
            ));
        }
    }
    for field in required {
        if !given(field) {
            problems.push(format!(
                "{place}: missing required field {field:?} for kind {:?}",
                kind.as_str()
            ));
        }
    }

    let spec = super::spec::source_spec(kind, raw, &place, problems);
    let (Some(name), Some(spec)) = (name, spec) else {
        return None;
    };
    if problems.len() > before {
        return None;
    }
    Some(SourceConfig {
        id: SourceId::new(name),
        kind,
        channel: channel.unwrap_or_else(|| kind.default_channel()),
        rate_per_host,
        employer,
        audience,
        spec,
    })
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
