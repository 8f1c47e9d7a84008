//! One hop: admission by the politeness gate, the request, the body within its limit, and the
//! retries a transient failure deserves.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use tokio::time::Instant;
use url::Url;

use super::{FetchError, FetchOptions, Inner, bump, host_key};
use crate::address::AddressError;
use crate::politeness::Admission;

const DEFAULT_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const JSON_ACCEPT: &str = "application/json";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Method {
    Get,
    Post,
}

/// What to do with a body longer than its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BodyLimit {
    /// Fail the URL (pages, feeds, API answers).
    Fail(u64),
    /// Keep the first bytes (robots.txt: RFC 9309 asks to parse at least 500 KiB).
    Truncate(u64),
    /// Read nothing: a 2xx answer is handed over with its body still to come (feeds, read
    /// item by item as they arrive).
    Stream,
}

pub(super) struct Request<'a> {
    pub method: Method,
    pub url: &'a Url,
    pub json: Option<&'a serde_json::Value>,
    pub options: &'a FetchOptions,
    /// The rate override for this hop's host.
    pub rate: Option<f64>,
    pub limit: BodyLimit,
}

/// An answer: the body is read for 2xx only.
pub(super) struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// A 2xx answer to a [`BodyLimit::Stream`] request, its body unread.
    pub live: Option<reqwest::Response>,
    /// The global slot of this request, held by the answer until its caller is done with it.
    pub admission: Admission,
}

/// What one try brought back.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    live: Option<reqwest::Response>,
}

/// How one try failed.
enum Failure {
    Timeout,
    TooLarge { limit: u64 },
    Refused(AddressError),
    Transport(reqwest::Error),
}

impl Failure {
    fn is_transient(&self) -> bool {
        match self {
            Failure::Timeout => true,
            Failure::TooLarge { .. } | Failure::Refused(_) => false,
            // Connection refused or reset, protocol errors, a body cut short; not a request we
            // built wrong or a body that does not decompress.
            Failure::Transport(error) => {
                !(error.is_builder() || error.is_decode() || error.is_redirect())
            }
        }
    }

    fn into_error(self, url: &Url, timeout: Duration) -> FetchError {
        let url = url.clone();
        match self {
            Failure::Timeout => FetchError::Timeout { url, timeout },
            Failure::TooLarge { limit } => FetchError::BodyTooLarge { url, limit },
            Failure::Refused(reason) => FetchError::Refused {
                url,
                reason: Box::new(reason),
            },
            Failure::Transport(source) => FetchError::Network { url, source },
        }
    }
}

impl Inner {
    /// Sends one hop, retrying time-outs, resets, 5xx and 429 up to `max_attempts` tries.
    /// Other answers, redirects included, are returned as they are.
    pub(super) async fn send(&self, request: &Request<'_>) -> Result<Response, FetchError> {
        let url = request.url;
        let host = host_key(url);
        let settings = &self.settings;
        let max_attempts = settings.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let admission = self
                .politeness
                .admit(&host, request.rate)
                .await
                .map_err(|held| FetchError::RetryAfterTooLong {
                    url: url.clone(),
                    delay: held.remaining,
                    cap: settings.retry_after_cap,
                })?;
            bump(&self.counters.requests, 1);
            let started = Instant::now();
            let result = match tokio::time::timeout(settings.timeout, self.try_once(request)).await
            {
                Ok(result) => result,
                Err(_elapsed) => Err(Failure::Timeout),
            };
            let elapsed_ms = started.elapsed().as_millis() as u64;

            let failure = match result {
                Ok(response) => {
                    let status = response.status;
                    tracing::debug!(
                        %url, status = status.as_u16(), bytes = response.body.len(), elapsed_ms,
                        attempt, "request"
                    );
                    bump(&self.counters.bytes, response.body.len() as u64);
                    if !is_retried_status(status) {
                        return Ok(Response {
                            status,
                            headers: response.headers,
                            body: response.body,
                            live: response.live,
                            admission,
                        });
                    }
                    drop(admission);
                    let retry_after = retry_after(status, &response.headers);
                    if let Some(delay) = retry_after {
                        if delay > settings.retry_after_cap {
                            self.politeness.hold(&host, delay);
                            return Err(FetchError::RetryAfterTooLong {
                                url: url.clone(),
                                delay,
                                cap: settings.retry_after_cap,
                            });
                        }
                        // Holds the whole host: this retry and every other request to it.
                        self.politeness.hold(&host, delay);
                    }
                    if attempt >= max_attempts {
                        return Err(FetchError::Status {
                            url: url.clone(),
                            status: status.as_u16(),
                        });
                    }
                    tracing::warn!(%url, status = status.as_u16(), attempt, ?retry_after, "retrying");
                    bump(&self.counters.retries, 1);
                    if retry_after.is_none() {
                        tokio::time::sleep(backoff(settings.backoff, attempt)).await;
                    }
                    continue;
                }
                Err(failure) => {
                    drop(admission);
                    failure
                }
            };
            if !failure.is_transient() || attempt >= max_attempts {
                return Err(failure.into_error(url, settings.timeout));
            }
            let error = failure.into_error(url, settings.timeout);
            tracing::warn!(%url, error = %error.report(), attempt, elapsed_ms, "retrying");
            bump(&self.counters.retries, 1);
            tokio::time::sleep(backoff(settings.backoff, attempt)).await;
        }
    }

    async fn try_once(&self, request: &Request<'_>) -> Result<Answer, Failure> {
        let mut builder = match request.method {
            Method::Get => self.client.get(request.url.clone()),
            Method::Post => self.client.post(request.url.clone()),
        };
        let default_accept = match request.json {
            Some(_) => JSON_ACCEPT,
            None => DEFAULT_ACCEPT,
        };
        let accept = request.options.accept.as_deref().unwrap_or(default_accept);
        builder = builder.header(header::ACCEPT, accept);
        if let Some(etag) = &request.options.etag {
            builder = builder.header(header::IF_NONE_MATCH, etag.as_str());
        }
        if let Some(last_modified) = &request.options.last_modified {
            builder = builder.header(header::IF_MODIFIED_SINCE, last_modified.as_str());
        }
        if let Some(json) = request.json {
            builder = builder.json(json);
        }
        let mut response = builder.send().await.map_err(classify)?;
        let status = response.status();
        let headers = response.headers().clone();
        if !status.is_success() {
            return Ok(Answer {
                status,
                headers,
                body: Bytes::new(),
                live: None,
            });
        }
        let (max, truncate) = match request.limit {
            BodyLimit::Fail(max) => (max, false),
            BodyLimit::Truncate(max) => (max, true),
            BodyLimit::Stream => {
                return Ok(Answer {
                    status,
                    headers,
                    body: Bytes::new(),
                    live: Some(response),
                });
            }
        };
        let body = read_body(&mut response, max, truncate).await?;
        Ok(Answer {
            status,
            headers,
            body,
            live: None,
        })
    }
}

/// Streams the (decompressed) body, stopping as soon as it passes the limit: a gzip bomb
/// costs `limit` bytes of memory and the time to inflate them, no more.
async fn read_body(
    response: &mut reqwest::Response,
    max: u64,
    truncate: bool,
) -> Result<Bytes, Failure> {
    if !truncate && response.content_length().is_some_and(|length| length > max) {
        return Err(Failure::TooLarge { limit: max });
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(classify)? {
        let room = max.saturating_sub(body.len() as u64);
        if chunk.len() as u64 > room {
            if !truncate {
                return Err(Failure::TooLarge { limit: max });
            }
            // `room` < chunk.len(), so it fits a usize.
            body.extend_from_slice(&chunk[..room as usize]);
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Finds the address guard's refusal inside a client error (it comes from the resolver).
fn classify(error: reqwest::Error) -> Failure {
    if error.is_timeout() {
        return Failure::Timeout;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(cause) = source {
        if let Some(refusal) = cause.downcast_ref::<AddressError>()
            && !matches!(refusal, AddressError::Resolve { .. })
        {
            return Failure::Refused(refusal.clone());
        }
        source = cause.source();
    }
    Failure::Transport(error)
}

fn is_retried_status(status: StatusCode) -> bool {
    status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS
}

/// The Retry-After of a 429 or 503 (other statuses do not ask to be retried later).
fn retry_after(status: StatusCode, headers: &HeaderMap) -> Option<Duration> {
    if !matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
    ) {
        return None;
    }
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?;
    crate::politeness::parse_retry_after(value, chrono::Utc::now())
}

/// `base * 2^(attempt-1)`, scaled by a random factor in [0.5, 1] so that retries of many
/// requests do not arrive together.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let exponential = base
        .saturating_mul(1 << attempt.saturating_sub(1).min(16))
        .min(Duration::from_secs(3600));
    exponential.mul_f64(0.5 + 0.5 * unit_random())
}

/// A number in [0, 1) that differs per call: enough for jitter, without seeding an RNG.
fn unit_random() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    // Every RandomState is keyed differently (per-thread random keys, bumped per instance).
    let bits = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter() {
        let base = Duration::from_millis(100);
        for attempt in 1..=4 {
            let full = base * (1 << (attempt - 1));
            let delay = backoff(base, attempt);
            assert!(delay >= full / 2 && delay <= full, "{attempt}: {delay:?}");
        }
        assert!(backoff(base, 60) <= base * (1 << 16));
    }

    #[test]
    fn retry_after_only_for_429_and_503() {
        let mut headers = HeaderMap::new();
        headers.insert(header::RETRY_AFTER, "3".parse().unwrap());
        let three = Some(Duration::from_secs(3));
        assert_eq!(retry_after(StatusCode::TOO_MANY_REQUESTS, &headers), three);
        assert_eq!(
            retry_after(StatusCode::SERVICE_UNAVAILABLE, &headers),
            three
        );
        assert_eq!(
            retry_after(StatusCode::INTERNAL_SERVER_ERROR, &headers),
            None
        );
        assert_eq!(
            retry_after(StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new()),
            None
        );
    }

    #[test]
    fn retried_statuses() {
        assert!(is_retried_status(StatusCode::SERVICE_UNAVAILABLE));
        assert!(is_retried_status(StatusCode::BAD_GATEWAY));
        assert!(is_retried_status(StatusCode::TOO_MANY_REQUESTS));
        assert!(!is_retried_status(StatusCode::NOT_FOUND));
        assert!(!is_retried_status(StatusCode::GONE));
        assert!(!is_retried_status(StatusCode::FORBIDDEN));
    }
}
