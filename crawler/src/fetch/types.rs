//! The fetcher's vocabulary: its settings, what a caller passes and what it gets back.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::address::IpNet;
use crate::config::CrawlerSettings;
use crate::politeness::Admission;
use url::Url;

/// A streamed body may be this many times `max_body_bytes` (1 GB by default): a board's feed
/// of a hundred thousand postings, not an endless one.
const STREAM_BODIES: u64 = 200;

/// How the fetcher behaves; [`FetchSettings::from_crawler`] builds it from `[crawler]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchSettings {
    pub user_agent: String,
    /// Requests per second per host; `None` switches rates and Crawl-delay off (benchmarks).
    pub rate_per_host: Option<f64>,
    /// Requests in flight over all hosts.
    pub concurrency: usize,
    /// The longest one request may take, body included (retries each get their own).
    pub timeout: Duration,
    /// The most decompressed body bytes read; more fails the URL. A streamed body (a feed)
    /// holds this much per item, and may run to [`FetchSettings::max_stream_bytes`].
    pub max_body_bytes: u64,
    /// Lets every address through (fixture webs on loopback or private ranges).
    pub allow_private_addresses: bool,
    /// Non-public networks let through although `allow_private_addresses` is off.
    pub allowed_networks: Vec<IpNet>,
    pub max_redirects: usize,
    /// Tries per request for transient failures (time-outs, resets, 5xx, 429).
    pub max_attempts: u32,
    /// The first back-off; it doubles per retry, with jitter.
    pub backoff: Duration,
    /// The longest Retry-After waited for; a longer one fails the URL.
    pub retry_after_cap: Duration,
    /// The longest robots.txt Crawl-delay honoured.
    pub max_crawl_delay: Duration,
    /// How long a robots.txt is kept (RFC 9309: at most 24 hours).
    pub robots_ttl: Duration,
}

impl FetchSettings {
    /// CONTRACT.md's defaults with `user_agent`.
    pub fn new(user_agent: impl Into<String>) -> FetchSettings {
        FetchSettings {
            user_agent: user_agent.into(),
            rate_per_host: Some(2.0),
            concurrency: 64,
            timeout: Duration::from_secs(20),
            max_body_bytes: 5_000_000,
            allow_private_addresses: false,
            allowed_networks: Vec::new(),
            max_redirects: 10,
            max_attempts: 3,
            backoff: Duration::from_millis(500),
            retry_after_cap: Duration::from_secs(600),
            max_crawl_delay: Duration::from_secs(60),
            robots_ttl: Duration::from_secs(24 * 60 * 60),
        }
    }

    /// The most bytes of a streamed body (a feed read item by item, whose items are held one
    /// at a time): 200 times `max_body_bytes`.
    pub fn max_stream_bytes(&self) -> u64 {
        self.max_body_bytes.saturating_mul(STREAM_BODIES)
    }

    /// The settings of a `[crawler]` table; the rest keeps its defaults.
    pub fn from_crawler(crawler: &CrawlerSettings) -> FetchSettings {
        FetchSettings {
            rate_per_host: Some(crawler.rate_per_host.per_second()),
            concurrency: crawler.concurrency.get(),
            timeout: crawler.timeout,
            max_body_bytes: crawler.max_body_bytes.get(),
            allow_private_addresses: crawler.allow_private_addresses,
            ..FetchSettings::new(crawler.user_agent.clone())
        }
    }
}

/// What a caller knows about one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FetchOptions {
    /// The ETag of the copy the caller has: sent as `If-None-Match`.
    pub etag: Option<String>,
    /// The Last-Modified of the copy the caller has: sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
    /// The source's `rate_per_host`, for the requested URL's host (not for hosts redirected to).
    pub host_rate: Option<f64>,
    /// An `Accept` header instead of the default (HTML and XML first).
    pub accept: Option<String>,
    /// The answer keeps its request slot until it is dropped (see [`Fetched`]). A caller
    /// that asks for this must not hold such answers while it waits for other requests.
    pub keep_slot: bool,
}

/// A request that got an answer.
///
/// Asked with [`FetchOptions::keep_slot`], it holds one of the gate's global slots until it is
/// dropped, so that the cap on requests in flight also bounds the answers in hand (being
/// decoded, extracted): a round cannot fetch faster than it reads and pile bodies up in memory.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Where the last redirect led (the requested URL when there was none).
    pub final_url: Url,
    pub status: u16,
    pub outcome: Outcome,
    pub(crate) slot: Option<Arc<Admission>>,
}

impl Fetched {
    pub fn page(&self) -> Option<&Page> {
        match &self.outcome {
            Outcome::Page(page) => Some(page),
            _ => None,
        }
    }

    pub fn into_page(self) -> Option<Page> {
        match self.outcome {
            Outcome::Page(page) => Some(page),
            _ => None,
        }
    }
}

/// What the answer means for the crawl. Other statuses are a [`super::FetchError::Status`].
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A 2xx with its body.
    Page(Page),
    /// 304: the caller's copy (its `etag` / `last_modified`) is current.
    NotModified,
    /// 404: the posting is gone (an expiry reason, not a failure).
    NotFound,
    /// 410: the posting is gone for good.
    Gone,
}

/// A body and the headers the crawl keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Decompressed (Content-Encoding, and a body that is itself gzip, such as a `.xml.gz`
    /// sitemap served as `application/gzip`), at most `max_body_bytes`.
    pub body: Bytes,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Page {
    /// The body as text: BOM, Content-Type charset, `<meta>` declaration, else UTF-8 (see
    /// [`crate::charset`]).
    pub fn text(&self) -> String {
        crate::charset::decode(&self.body, self.content_type.as_deref())
    }

    /// The media type without parameters, in lower case (`text/html`).
    pub fn media_type(&self) -> Option<String> {
        let content_type = self.content_type.as_deref()?;
        let essence = content_type.split(';').next()?.trim();
        (!essence.is_empty()).then(|| essence.to_ascii_lowercase())
    }
}

/// Counters for the run summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FetchStats {
    /// Requests sent, robots.txt and retries included.
    pub requests: u64,
    /// Body bytes read, decompressed.
    pub bytes: u64,
    pub retries: u64,
    /// URLs not fetched because of robots.txt (its rules, or its being unreachable).
    pub robots_refusals: u64,
    /// URLs refused by the address guard.
    pub address_refusals: u64,
    /// URLs that ended in an error other than the refusals above.
    pub failures: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_drop_parameters() {
        let page = Page {
            body: Bytes::new(),
            content_type: Some("Text/HTML; charset=utf-8".to_owned()),
            etag: None,
            last_modified: None,
        };
        assert_eq!(page.media_type().as_deref(), Some("text/html"));
    }

    #[test]
    fn settings_from_the_crawler_table() {
        let settings = FetchSettings::from_crawler(&CrawlerSettings::default());
        assert_eq!(settings.rate_per_host, Some(2.0));
        assert_eq!(settings.concurrency, 64);
        assert_eq!(settings.max_body_bytes, 5_000_000);
        assert!(!settings.allow_private_addresses);
    }
}
