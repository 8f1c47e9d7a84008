//! `sources.toml`: the crawler's settings and its sources, parsed into types whose fields cannot
//! be wrong (parsed URLs, compiled regexes and selectors, non-zero rates).
//!
//! Parse, don't validate: private serde structs (`raw`) read the TOML, and one pass turns them
//! into the public types below while collecting *every* problem with its place, so that
//! `vindwerk check-config` can show an operator all that is wrong in one go. This module does
//! no IO except [`load`] reading the file; it does not fetch or check that URLs answer.
//!
//! Additions to CONTRACT.md (compatible): every source takes an optional `channel`
//! (`employer`, `ats`, `board`, `agency`; default [`SourceKind::default_channel`]) and an
//! optional `employer` (the hiring organisation of the source's postings that name none, as
//! Lever's API never does: a company's board is the company's); `workday`
//! takes an optional `tenant` (for boards not on `*.myworkdayjobs.com`); `[source.selectors]`
//! also takes `salary`, `hours`, `employment_type`, `reference` and `closed` (a selector whose
//! presence marks the page as closed); every source takes an optional `audience`: `public` (the
//! default) or `org:<slug>`, an internal labour market whose vacancies only the members of that
//! organisation may see.

mod raw;
mod spec;

use std::fmt;
use std::num::{NonZeroU64, NonZeroUsize};
use std::path::Path;
use std::time::Duration;

use regex::Regex;
use scraper::Selector;
use url::Url;
use vindwerk_model::{Audience, Channel, SourceId, SourceKind};

/// Every problem found in a sources file, in file order; displayed one per line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .problems.join("\n"))]
pub struct ConfigErrors {
    pub problems: Vec<String>,
}

/// A validated `sources.toml`.
#[derive(Debug, Clone)]
pub struct Config {
    pub crawler: CrawlerSettings,
    pub sources: Vec<SourceConfig>,
}

/// The `[crawler]` table, with CONTRACT.md's defaults for what it leaves out.
#[derive(Debug, Clone, PartialEq)]
pub struct CrawlerSettings {
    pub user_agent: String,
    pub rate_per_host: Rate,
    pub concurrency: NonZeroUsize,
    pub timeout: Duration,
    pub max_body_bytes: NonZeroU64,
    pub allow_private_addresses: bool,
}

impl Default for CrawlerSettings {
    fn default() -> Self {
        Self {
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            rate_per_host: Rate(2.0),
            concurrency: NonZeroUsize::new(64).expect("64 is not zero"),
            timeout: Duration::from_secs(20),
            max_body_bytes: NonZeroU64::new(5_000_000).expect("5e6 is not zero"),
            allow_private_addresses: false,
        }
    }
}

pub const DEFAULT_USER_AGENT: &str = "vindwerk/0.1 (+https://example.org/bot)";

/// Requests per second: finite and greater than zero.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Rate(f64);

impl Rate {
    pub fn new(per_second: f64) -> Option<Rate> {
        (per_second.is_finite() && per_second > 0.0).then_some(Rate(per_second))
    }

    pub fn per_second(self) -> f64 {
        self.0
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/s", self.0)
    }
}

/// One `[[source]]`.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    pub id: SourceId,
    pub kind: SourceKind,
    pub channel: Channel,
    /// Overrides `crawler.rate_per_host` for this source's hosts.
    pub rate_per_host: Option<Rate>,
    /// The employer of the postings that name none (whitespace collapsed, never empty).
    pub employer: Option<String>,
    /// Who may see the source's vacancies.
    pub audience: Audience,
    pub spec: SourceSpec,
}

impl SourceConfig {
    /// The page selectors of a page-reading kind (empty for API kinds).
    pub fn selectors(&self) -> Option<&Selectors> {
        match &self.spec {
            SourceSpec::Sitemap(spec) => Some(&spec.selectors),
            SourceSpec::Site(spec) => Some(&spec.selectors),
            SourceSpec::Feed(spec) => Some(&spec.selectors),
            _ => None,
        }
    }
}

/// What a source reads, per kind. The variant always matches `SourceConfig::kind`.
#[derive(Debug, Clone)]
pub enum SourceSpec {
    Sitemap(SitemapSpec),
    Site(SiteSpec),
    Feed(FeedSpec),
    Recruitee(AtsSpec),
    Greenhouse(AtsSpec),
    Lever(AtsSpec),
    Personio(AtsSpec),
    SmartRecruiters(AtsSpec),
    Workday(WorkdaySpec),
}

impl SourceSpec {
    /// The URL a read of the source starts from; its host is the one the source mostly asks.
    pub fn entry_url(&self) -> Option<&Url> {
        match self {
            SourceSpec::Sitemap(spec) => Some(&spec.url),
            SourceSpec::Site(spec) => spec.start.first(),
            SourceSpec::Feed(spec) => Some(&spec.url),
            SourceSpec::Recruitee(spec)
            | SourceSpec::Greenhouse(spec)
            | SourceSpec::Lever(spec)
            | SourceSpec::Personio(spec)
            | SourceSpec::SmartRecruiters(spec) => Some(&spec.base_url),
            SourceSpec::Workday(spec) => Some(&spec.board_url),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SitemapSpec {
    /// A sitemap, a sitemap index, or a site root whose robots.txt names sitemaps.
    pub url: Url,
    /// A page is read when its URL path matches any `include` (or there is none) and no
    /// `exclude`.
    pub include: Vec<Regex>,
    pub exclude: Vec<Regex>,
    pub selectors: Selectors,
}

impl SitemapSpec {
    /// Whether a page listed in the sitemap passes `include`/`exclude` (matched on the path).
    pub fn wants(&self, page: &Url) -> bool {
        let path = page.path();
        (self.include.is_empty() || self.include.iter().any(|re| re.is_match(path)))
            && !self.exclude.iter().any(|re| re.is_match(path))
    }
}

#[derive(Debug, Clone)]
pub struct SiteSpec {
    pub start: Vec<Url>,
    /// Listing and pagination URLs to follow (matched on the whole URL).
    pub follow: Vec<Regex>,
    /// Posting (detail) URLs (matched on the whole URL); without it every page reached is tried.
    pub detail: Option<Regex>,
    pub max_pages: Option<NonZeroUsize>,
    pub selectors: Selectors,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    Rss,
    Atom,
    IndeedXml,
}

impl FeedFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedFormat::Rss => "rss",
            FeedFormat::Atom => "atom",
            FeedFormat::IndeedXml => "indeed-xml",
        }
    }
}

#[derive(Debug, Clone)]
pub struct FeedSpec {
    pub url: Url,
    pub format: FeedFormat,
    pub selectors: Selectors,
}

/// An ATS API source: the company (board token) and the base URL, the default one of the kind
/// when `base_url` is not given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtsSpec {
    pub company: String,
    pub base_url: Url,
}

/// A Workday board, e.g. `https://acme.wd3.myworkdayjobs.com/External`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkdaySpec {
    pub board_url: Url,
    pub tenant: String,
    pub site: String,
}

impl WorkdaySpec {
    /// The `{host}/wday/cxs/{tenant}/{site}/` base that the board's JSON endpoints hang from.
    pub fn api_base(&self) -> Url {
        let mut base = self.board_url.clone();
        base.set_query(None);
        base.set_fragment(None);
        base.set_path(&format!("/wday/cxs/{}/{}/", self.tenant, self.site));
        base
    }
}

/// The `[source.selectors]` table, compiled.
#[derive(Debug, Clone, Default)]
pub struct Selectors {
    pub title: Option<FieldSelector>,
    pub employer: Option<FieldSelector>,
    pub location: Option<FieldSelector>,
    pub description: Option<FieldSelector>,
    pub date_posted: Option<FieldSelector>,
    pub valid_through: Option<FieldSelector>,
    pub salary: Option<FieldSelector>,
    pub hours: Option<FieldSelector>,
    pub employment_type: Option<FieldSelector>,
    pub reference: Option<FieldSelector>,
    /// Present on a page: the page says the vacancy is closed.
    pub closed: Option<FieldSelector>,
}

impl Selectors {
    pub fn is_empty(&self) -> bool {
        [
            &self.title,
            &self.employer,
            &self.location,
            &self.description,
            &self.date_posted,
            &self.valid_through,
            &self.salary,
            &self.hours,
            &self.employment_type,
            &self.reference,
            &self.closed,
        ]
        .iter()
        .all(|field| field.is_none())
    }
}

/// A CSS selector with an optional attribute: `"time.posted@datetime"` reads `datetime` of the
/// first `time.posted`; without `@attr` the element's text is read.
#[derive(Debug, Clone)]
pub struct FieldSelector {
    pub selector: Selector,
    pub attr: Option<String>,
    /// As written in `sources.toml`.
    pub source: String,
}

impl FieldSelector {
    /// Compiles `"sel"` or `"sel@attr"`; the error is the message to show after the place.
    pub fn parse(text: &str) -> Result<FieldSelector, String> {
        let invalid = || format!("invalid selector {text:?}");
        if text.trim().is_empty() {
            return Err(invalid());
        }
        if let Some((css, attr)) = text.rsplit_once('@')
            && is_attribute_name(attr)
            && let Ok(selector) = Selector::parse(css)
        {
            return Ok(FieldSelector {
                selector,
                attr: Some(attr.to_ascii_lowercase()),
                source: text.to_owned(),
            });
        }
        match Selector::parse(text) {
            Ok(selector) => Ok(FieldSelector {
                selector,
                attr: None,
                source: text.to_owned(),
            }),
            Err(_) => Err(invalid()),
        }
    }
}

fn is_attribute_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
}

/// Reads and parses a sources file; an unreadable file is one problem naming the path.
pub fn load(path: impl AsRef<Path>) -> Result<Config, ConfigErrors> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|error| ConfigErrors {
        problems: vec![format!("{}: cannot read: {error}", path.display())],
    })?;
    parse(&text)
}

/// Parses the text of a sources file, collecting every problem with its place.
pub fn parse(text: &str) -> Result<Config, ConfigErrors> {
    raw::parse(text)
}
