use std::time::Duration;

use url::Url;

use crate::address::AddressError;

/// Why a URL was not fetched. Every variant names the URL; the crawl records it with the page
/// and goes on.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// robots.txt disallows the URL for our user agent; nothing was sent for it.
    #[error("{url} is disallowed by robots.txt")]
    Disallowed { url: Url },
    /// robots.txt of the URL's origin could not be read (5xx, 429, network failure), which
    /// RFC 9309 treats as "disallow everything"; nothing was sent for it.
    #[error("{url} is not fetched: robots.txt is unreachable ({reason})")]
    RobotsUnreachable { url: Url, reason: String },
    /// The address guard refused the URL (scheme, or a non-public address).
    #[error("refused {url}: {reason}")]
    Refused { url: Url, reason: Box<AddressError> },
    #[error("body of {url} exceeds {limit} bytes")]
    BodyTooLarge { url: Url, limit: u64 },
    #[error("{url} did not answer within {timeout:?}")]
    Timeout { url: Url, timeout: Duration },
    /// An error status after the retries it deserved (5xx, 429) or at once (other 4xx).
    #[error("{url} answered {status}")]
    Status { url: Url, status: u16 },
    /// The server (now or earlier for this host) asked to wait longer than the cap.
    #[error("{url} asks to retry after {delay:?}, more than the {cap:?} waited for")]
    RetryAfterTooLong {
        url: Url,
        delay: Duration,
        cap: Duration,
    },
    #[error("{url} redirects more than {limit} times")]
    TooManyRedirects { url: Url, limit: usize },
    #[error("{url} answered {status} without a usable Location")]
    BadRedirect { url: Url, status: u16 },
    /// Connection, TLS, protocol or decoding failure, after retries when it was transient.
    #[error("request to {url} failed")]
    Network {
        url: Url,
        #[source]
        source: reqwest::Error,
    },
    #[error("cannot build the HTTP client")]
    Client(#[source] reqwest::Error),
}

impl FetchError {
    /// The URL the failure is about (the hop that failed, after redirects).
    pub fn url(&self) -> Option<&Url> {
        match self {
            FetchError::Disallowed { url }
            | FetchError::RobotsUnreachable { url, .. }
            | FetchError::Refused { url, .. }
            | FetchError::BodyTooLarge { url, .. }
            | FetchError::Timeout { url, .. }
            | FetchError::Status { url, .. }
            | FetchError::RetryAfterTooLong { url, .. }
            | FetchError::TooManyRedirects { url, .. }
            | FetchError::BadRedirect { url, .. }
            | FetchError::Network { url, .. } => Some(url),
            FetchError::Client(_) => None,
        }
    }

    /// Whether robots.txt kept the URL from being fetched (by its rules or by being
    /// unreachable): a politeness outcome rather than a failure of the site.
    pub fn is_robots_refusal(&self) -> bool {
        matches!(
            self,
            FetchError::Disallowed { .. } | FetchError::RobotsUnreachable { .. }
        )
    }

    /// The message with its causes, for logs and run summaries:
    /// `request to https://x/ failed: error sending request: connection refused`.
    pub fn report(&self) -> String {
        let mut report = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            report.push_str(": ");
            report.push_str(&cause.to_string());
            source = cause.source();
        }
        report
    }
}
