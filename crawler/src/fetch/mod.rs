//! The one gate every request of a crawl passes: address guard, robots.txt, the host's rate and
//! Retry-After, then one shared HTTP client.
//!
//! A [`Fetcher`] holds one reqwest client (rustls, HTTP/1.1 and 2, gzip/brotli/deflate,
//! connection reuse) and follows redirects itself, so that every hop is checked again: its
//! scheme and IP-literal host by the address guard (names are checked after resolution by the
//! guard's DNS resolver), its path by its own origin's robots.txt, its host's rate by the
//! politeness gate. Transient failures (time-outs, resets, 5xx, 429) are retried with
//! exponential back-off and jitter; bodies are streamed and cut off at `max_body_bytes` of
//! decompressed data (a body that is itself gzip, like a `.xml.gz` sitemap served as
//! `application/gzip`, is unpacked under the same limit).
//!
//! The address guard is why tests pass `allowed_networks = ["127.0.0.0/8"]` rather than
//! `allow_private_addresses`: loopback answers while `10.0.0.0/8` and `169.254.0.0/16` stay
//! refused.
//!
//! What it returns is data for the crawl: [`Outcome`] tells a page from `304 Not Modified`,
//! `404` and `410`; a [`FetchError`] names its URL. It does not parse pages, decide which URLs
//! to crawl, or store anything.

mod error;
mod robots_cache;
mod send;
mod stream;
mod types;

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
pub use self::stream::{BodyStream, Streamed};
pub use self::types::{FetchOptions, FetchSettings, FetchStats, Fetched, Outcome, Page};
use crate::address::{AddressGuard, GuardedResolver};
use crate::charset::{self, GunzipError};
use crate::politeness::{Politeness, PolitenessSettings};

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
            // A round moves from host to host: a connection idle longer than two of its
            // host's intervals belongs to a source that has finished, and the hundreds of
            // hosts a round passes each second would otherwise hold sockets and buffers.
            .pool_idle_timeout(idle_timeout(settings.rate_per_host))
            .pool_max_idle_per_host(2)
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

    /// GETs `url` through the gate like [`Fetcher::get`], but hands a 2xx answer over with
    /// its body still to come, read chunk by chunk as the caller consumes it (a feed of
    /// thousands of postings is parsed as it arrives). The answer holds its request slot
    /// until it is dropped. Gzip as Content-Encoding is undone; a body that is itself gzip is
    /// the caller's to unpack.
    pub async fn get_stream(
        &self,
        url: &Url,
        options: &FetchOptions,
    ) -> Result<Streamed, FetchError> {
        let inner = &self.inner;
        let hop = inner
            .follow(Method::Get, url, None, options, BodyLimit::Stream)
            .await;
        let result = hop.and_then(|hop| {
            let status = hop.response.status;
            let body = match hop.response.live {
                Some(response) => Some(BodyStream::new(
                    self.clone(),
                    hop.final_url.clone(),
                    response,
                    hop.response.admission,
                )),
                None => {
                    outcome(&hop.final_url, status, &hop.response.headers, Bytes::new())?;
                    None
                }
            };
            Ok(Streamed {
                final_url: hop.final_url,
                status: status.as_u16(),
                body,
            })
        });
        inner.note_failure(url, result)
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
        file.result_for(url)?;
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
        let limit = BodyLimit::Fail(self.settings.max_body_bytes);
        let result = match self.follow(method, url, json, options, limit).await {
            Ok(hop) => self.answer(hop, options).await,
            Err(error) => Err(error),
        };
        self.note_failure(url, result)
    }

    /// The answer of the last hop as the crawl reads it.
    async fn answer(&self, hop: Hop, options: &FetchOptions) -> Result<Fetched, FetchError> {
        let Hop {
            final_url,
            response,
        } = hop;
        let body = self.unpack_gzip(&final_url, response.body).await?;
        let outcome = outcome(&final_url, response.status, &response.headers, body)?;
        Ok(Fetched {
            final_url,
            status: response.status.as_u16(),
            outcome,
            slot: options.keep_slot.then(|| Arc::new(response.admission)),
        })
    }

    /// Counts and logs a URL that was not fetched.
    fn note_failure<T>(&self, url: &Url, result: Result<T, FetchError>) -> Result<T, FetchError> {
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
        limit: BodyLimit,
    ) -> Result<Hop, FetchError> {
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
                    limit,
                })
                .await?;
            let status = response.status;
            if !is_followed_redirect(status) {
                return Ok(Hop {
                    final_url: current,
                    response,
                });
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

    /// A body that is itself gzip data (a `.xml.gz` sitemap served as `application/gzip`, with
    /// no Content-Encoding for the client to undo) is unpacked within the same limit. Data
    /// that only looks like gzip is left as it is.
    async fn unpack_gzip(&self, url: &Url, body: Bytes) -> Result<Bytes, FetchError> {
        if !charset::is_gzip(&body) {
            return Ok(body);
        }
        let limit = self.settings.max_body_bytes;
        let packed = body.clone();
        // Inflating megabytes takes milliseconds: off the reactor.
        let unpacked = tokio::task::spawn_blocking(move || charset::gunzip(&packed, limit)).await;
        match unpacked {
            Ok(Ok(unpacked)) => Ok(Bytes::from(unpacked)),
            Ok(Err(GunzipError::TooLarge { limit })) => Err(FetchError::BodyTooLarge {
                url: url.clone(),
                limit,
            }),
            Ok(Err(error)) => {
                tracing::debug!(%url, %error, "body starts like gzip but is not: kept as is");
                Ok(body)
            }
            Err(error) => {
                tracing::warn!(%url, %error, "unpacking gzip did not finish: body kept as is");
                Ok(body)
            }
        }
    }

    async fn check_robots(&self, url: &Url, rate: Option<f64>) -> Result<(), FetchError> {
        let file = self.robots_for(url, rate).await;
        file.result_for(url)?;
        if !file.robots.allows_url(&self.settings.user_agent, url) {
            return Err(FetchError::Disallowed { url: url.clone() });
        }
        Ok(())
    }
}

/// The answer that ended a chain of redirects, and where.
struct Hop {
    final_url: Url,
    response: send::Response,
}

/// How long an idle connection is kept: twice the interval between requests to a host, at
/// least 2 and at most 30 seconds (the pool checks at that interval too, so a connection
/// lingers up to twice as long).
fn idle_timeout(rate_per_host: Option<f64>) -> Duration {
    let interval = rate_per_host
        .filter(|rate| *rate > 0.0)
        .map_or(0.0, |rate| 1.0 / rate);
    Duration::from_secs_f64((2.0 * interval).clamp(2.0, 30.0))
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
    final_url: &Url,
    status: StatusCode,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Outcome, FetchError> {
    let outcome = match status {
        _ if status.is_success() => Outcome::Page(Page {
            body,
            content_type: header_text(headers, header::CONTENT_TYPE),
            etag: header_text(headers, header::ETAG),
            last_modified: header_text(headers, header::LAST_MODIFIED),
        }),
        StatusCode::NOT_MODIFIED => Outcome::NotModified,
        StatusCode::NOT_FOUND => Outcome::NotFound,
        StatusCode::GONE => Outcome::Gone,
        _ => {
            return Err(FetchError::Status {
                url: final_url.clone(),
                status: status.as_u16(),
            });
        }
    };
    Ok(outcome)
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
    fn idle_connections_outlive_two_intervals_within_bounds() {
        assert_eq!(idle_timeout(None), Duration::from_secs(2));
        assert_eq!(idle_timeout(Some(1e6)), Duration::from_secs(2));
        assert_eq!(idle_timeout(Some(0.2)), Duration::from_secs(10));
        assert_eq!(idle_timeout(Some(0.001)), Duration::from_secs(30));
        assert_eq!(idle_timeout(Some(0.0)), Duration::from_secs(2));
    }

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
                &url,
                StatusCode::from_u16(status).unwrap(),
                &HeaderMap::new(),
                Bytes::new(),
            )
        };
        assert!(matches!(fetched(200).unwrap(), Outcome::Page(_)));
        assert_eq!(fetched(304).unwrap(), Outcome::NotModified);
        assert_eq!(fetched(404).unwrap(), Outcome::NotFound);
        assert_eq!(fetched(410).unwrap(), Outcome::Gone);
        let error = fetched(403).unwrap_err();
        assert_eq!(error.to_string(), "https://example.org/ answered 403");
    }
}
