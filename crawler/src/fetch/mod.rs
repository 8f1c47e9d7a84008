//! The one gate every request of a crawl passes: address guard, robots.txt, the host's rate and
//! Retry-After, then one shared HTTP client.
//!
//! A [`Fetcher`] holds one reqwest client (rustls, HTTP/1.1 and 2, gzip/brotli/deflate,
//! connection reuse) and follows redirects itself, so that every hop is checked again: its
//! scheme and IP-literal host by the address guard (names are checked after resolution by the
//! guard's DNS resolver), its path by its own origin's robots.txt, its host's rate by the
//! politeness gate. Transient failures (time-outs, resets, 5xx, 429) are retried with
//! exponential back-off and jitter; bodies are streamed and cut off at `max_body_bytes` of
//! decompressed data.
//!
//! What it returns is data for the crawl: [`Outcome`] tells a page from `304 Not Modified`,
//! `404` and `410`; a [`FetchError`] names its URL. It does not parse pages, decide which URLs
//! to crawl, or store anything.

mod error;
mod robots_cache;
mod send;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use url::Url;

pub use self::error::FetchError;
use self::robots_cache::RobotsCache;
use self::send::{BodyLimit, Method, Request};
use crate::address::{AddressGuard, GuardedResolver, IpNet};
use crate::config::CrawlerSettings;
use crate::politeness::{Politeness, PolitenessSettings};

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
    /// The most decompressed body bytes read; more fails the URL.
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
}

/// A request that got an answer.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Where the last redirect led (the requested URL when there was none).
    pub final_url: Url,
    pub status: u16,
    pub outcome: Outcome,
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

/// What the answer means for the crawl. Other statuses are a [`FetchError::Status`].
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
    /// Decompressed (Content-Encoding), at most `max_body_bytes`.
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

#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    bytes: AtomicU64,
    retries: AtomicU64,
    robots_refusals: AtomicU64,
    address_refusals: AtomicU64,
    failures: AtomicU64,
}

fn bump(counter: &AtomicU64, by: u64) {
    counter.fetch_add(by, Ordering::Relaxed);
}

/// The crawl's HTTP gate; cheap to clone, shared by every task of a round.
#[derive(Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

struct Inner {
    client: reqwest::Client,
    settings: FetchSettings,
    guard: Arc<AddressGuard>,
    politeness: Politeness,
    robots: RobotsCache,
    counters: Counters,
}

impl fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fetcher")
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

impl Fetcher {
    pub fn new(settings: FetchSettings) -> Result<Fetcher, FetchError> {
        let mut guard = AddressGuard::new(settings.allow_private_addresses);
        for net in &settings.allowed_networks {
            guard = guard.allow_net(*net);
        }
        let guard = Arc::new(guard);
        let client = reqwest::Client::builder()
            .user_agent(settings.user_agent.as_str())
            // Redirects are followed by `fetch`, which checks every hop.
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(GuardedResolver::new(Arc::clone(&guard)))
            .no_proxy()
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_keepalive(Duration::from_secs(30))
            .build()
            .map_err(FetchError::Client)?;
        let politeness = Politeness::new(PolitenessSettings {
            rate_per_host: settings.rate_per_host,
            concurrency: settings.concurrency,
            retry_after_cap: settings.retry_after_cap,
            max_crawl_delay: settings.max_crawl_delay,
        });
        Ok(Fetcher {
            inner: Arc::new(Inner {
                client,
                settings,
                guard,
                politeness,
                robots: RobotsCache::default(),
                counters: Counters::default(),
            }),
        })
    }

    pub fn settings(&self) -> &FetchSettings {
        &self.inner.settings
    }

    /// GETs `url` through the gate, following redirects.
    pub async fn get(&self, url: &Url, options: &FetchOptions) -> Result<Fetched, FetchError> {
        self.inner.fetch(Method::Get, url, None, options).await
    }

    /// POSTs `body` as JSON (Workday's job search), following redirects (307/308 repeat the
    /// POST, 301/302/303 turn into a GET). `Accept` defaults to `application/json`.
    pub async fn post_json(
        &self,
        url: &Url,
        body: &serde_json::Value,
        options: &FetchOptions,
    ) -> Result<Fetched, FetchError> {
        self.inner
            .fetch(Method::Post, url, Some(body), options)
            .await
    }

    /// The `Sitemap` URLs of the robots.txt of `url`'s origin, resolved against it (unparsable
    /// ones are skipped). A robots.txt that answers 4xx names none.
    pub async fn robots_sitemaps(&self, url: &Url) -> Result<Vec<Url>, FetchError> {
        self.inner
            .guard
            .check_url(url)
            .map_err(|reason| FetchError::Refused {
                url: url.clone(),
                reason: Box::new(reason),
            })?;
        let file = self.inner.robots_for(url, None).await;
        if let Some(reason) = file.unreachable {
            return Err(FetchError::RobotsUnreachable {
                url: robots_cache::robots_url(url),
                reason,
            });
        }
        let base = robots_cache::robots_url(url);
        let mut sitemaps = Vec::new();
        for listed in file.robots.sitemaps() {
            match base.join(listed) {
                Ok(sitemap) => sitemaps.push(sitemap),
                Err(error) => tracing::debug!(%base, listed, %error, "unparsable sitemap line"),
            }
        }
        Ok(sitemaps)
    }

    pub fn stats(&self) -> FetchStats {
        let counters = &self.inner.counters;
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        FetchStats {
            requests: read(&counters.requests),
            bytes: read(&counters.bytes),
            retries: read(&counters.retries),
            robots_refusals: read(&counters.robots_refusals),
            address_refusals: read(&counters.address_refusals),
            failures: read(&counters.failures),
        }
    }
}

impl Inner {
    async fn fetch(
        &self,
        method: Method,
        url: &Url,
        json: Option<&serde_json::Value>,
        options: &FetchOptions,
    ) -> Result<Fetched, FetchError> {
        let result = self.follow(method, url, json, options).await;
        if let Err(error) = &result {
            match error {
                FetchError::Disallowed { .. } | FetchError::RobotsUnreachable { .. } => {
                    bump(&self.counters.robots_refusals, 1);
                    tracing::debug!(%url, error = %error, "not fetched");
                }
                FetchError::Refused { .. } => {
                    bump(&self.counters.address_refusals, 1);
                    tracing::warn!(%url, error = %error.report(), "fetch refused");
                }
                _ => {
                    bump(&self.counters.failures, 1);
                    tracing::warn!(%url, error = %error.report(), "fetch failed");
                }
            }
        }
        result
    }

    async fn follow(
        &self,
        mut method: Method,
        url: &Url,
        mut json: Option<&serde_json::Value>,
        options: &FetchOptions,
    ) -> Result<Fetched, FetchError> {
        let requested_host = host_key(url);
        let mut current = url.clone();
        let mut n_redirects = 0;
        loop {
            self.guard
                .check_url(&current)
                .map_err(|reason| FetchError::Refused {
                    url: current.clone(),
                    reason: Box::new(reason),
                })?;
            let rate = options
                .host_rate
                .filter(|_| host_key(&current) == requested_host);
            self.check_robots(&current, rate).await?;
            let response = self
                .send(&Request {
                    method,
                    url: &current,
                    json,
                    options,
                    rate,
                    limit: BodyLimit::Fail(self.settings.max_body_bytes),
                })
                .await?;
            let status = response.status;
            if !is_followed_redirect(status) {
                return outcome(current, status, response.headers, response.body);
            }
            let next =
                location(&current, &response.headers).ok_or_else(|| FetchError::BadRedirect {
                    url: current.clone(),
                    status: status.as_u16(),
                })?;
            if n_redirects == self.settings.max_redirects {
                return Err(FetchError::TooManyRedirects {
                    url: url.clone(),
                    limit: self.settings.max_redirects,
                });
            }
            n_redirects += 1;
            // RFC 9110 15.4: 303 always, and 301/302 in practice, turn a POST into a GET.
            if method == Method::Post
                && matches!(
                    status,
                    StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND | StatusCode::SEE_OTHER
                )
            {
                method = Method::Get;
                json = None;
            }
            tracing::debug!(from = %current, to = %next, status = status.as_u16(), "redirect");
            current = next;
        }
    }

    async fn check_robots(&self, url: &Url, rate: Option<f64>) -> Result<(), FetchError> {
        let file = self.robots_for(url, rate).await;
        if let Some(reason) = file.unreachable {
            return Err(FetchError::RobotsUnreachable {
                url: url.clone(),
                reason,
            });
        }
        if !file.robots.allows_url(&self.settings.user_agent, url) {
            return Err(FetchError::Disallowed { url: url.clone() });
        }
        Ok(())
    }
}

fn is_followed_redirect(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    )
}

/// The redirect target, resolved against the URL that answered.
fn location(base: &Url, headers: &HeaderMap) -> Option<Url> {
    let value = headers.get(header::LOCATION)?.to_str().ok()?.trim();
    let mut next = base.join(value).ok()?;
    next.set_fragment(None);
    Some(next)
}

fn outcome(
    final_url: Url,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Fetched, FetchError> {
    let outcome = match status {
        _ if status.is_success() => Outcome::Page(Page {
            body,
            content_type: header_text(&headers, header::CONTENT_TYPE),
            etag: header_text(&headers, header::ETAG),
            last_modified: header_text(&headers, header::LAST_MODIFIED),
        }),
        StatusCode::NOT_MODIFIED => Outcome::NotModified,
        StatusCode::NOT_FOUND => Outcome::NotFound,
        StatusCode::GONE => Outcome::Gone,
        _ => {
            return Err(FetchError::Status {
                url: final_url,
                status: status.as_u16(),
            });
        }
    };
    Ok(Fetched {
        final_url,
        status: status.as_u16(),
        outcome,
    })
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// The politeness key of a URL: its host, and its port when one is written (servers on one
/// address but different ports are different sites, as in the fixture web).
pub fn host_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_keys_keep_explicit_ports() {
        let key = |url: &str| host_key(&Url::parse(url).unwrap());
        assert_eq!(key("https://example.org/a"), "example.org");
        assert_eq!(key("http://example.org:80/a"), "example.org");
        assert_eq!(key("http://127.0.0.1:8081/a"), "127.0.0.1:8081");
        assert_eq!(key("http://[::1]:8081/a"), "[::1]:8081");
    }

    #[test]
    fn locations_resolve_against_the_answering_url() {
        let base = Url::parse("https://example.org/jobs/1?x=2").unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(header::LOCATION, "../vacature/1#top".parse().unwrap());
        assert_eq!(
            location(&base, &headers).unwrap().as_str(),
            "https://example.org/vacature/1"
        );
        headers.insert(header::LOCATION, "//other.example/x".parse().unwrap());
        assert_eq!(
            location(&base, &headers).unwrap().as_str(),
            "https://other.example/x"
        );
        assert!(location(&base, &HeaderMap::new()).is_none());
    }

    #[test]
    fn outcomes_by_status() {
        let url = Url::parse("https://example.org/").unwrap();
        let fetched = |status: u16| {
            outcome(
                url.clone(),
                StatusCode::from_u16(status).unwrap(),
                HeaderMap::new(),
                Bytes::new(),
            )
        };
        assert!(matches!(fetched(200).unwrap().outcome, Outcome::Page(_)));
        assert_eq!(fetched(304).unwrap().outcome, Outcome::NotModified);
        assert_eq!(fetched(404).unwrap().outcome, Outcome::NotFound);
        assert_eq!(fetched(410).unwrap().outcome, Outcome::Gone);
        let error = fetched(403).unwrap_err();
        assert_eq!(error.to_string(), "https://example.org/ answered 403");
    }

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
}
