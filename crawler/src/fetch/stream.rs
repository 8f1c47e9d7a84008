//! A body read as it arrives: feeds run to many megabytes, and are parsed item by item while
//! the rest is still on its way, so that a round holds a few chunks of one, never all of it.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header;
use url::Url;

use super::{FetchError, Fetcher, bump};
use crate::politeness::Admission;

/// The answer of [`Fetcher::get_stream`].
#[derive(Debug)]
pub struct Streamed {
    /// Where the last redirect led (the requested URL when there was none).
    pub final_url: Url,
    pub status: u16,
    /// The body to come, for a 2xx; none for 304, 404 and 410 (other statuses are errors).
    pub body: Option<BodyStream>,
}

/// A 2xx body, chunk by chunk. It holds the request's slot of the gate until dropped.
pub struct BodyStream {
    fetcher: Fetcher,
    url: Url,
    response: reqwest::Response,
    content_type: Option<String>,
    read: u64,
    _admission: Admission,
}

impl std::fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyStream")
            .field("url", &self.url.as_str())
            .field("read", &self.read)
            .finish_non_exhaustive()
    }
}

impl BodyStream {
    pub(super) fn new(
        fetcher: Fetcher,
        url: Url,
        response: reqwest::Response,
        admission: Admission,
    ) -> BodyStream {
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        BodyStream {
            fetcher,
            url,
            response,
            content_type,
            read: 0,
            _admission: admission,
        }
    }

    pub fn url(&self) -> &Url {
        &self.url
    }

    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The next chunk (decompressed when the answer had a Content-Encoding), or `None` at the
    /// end. Each wait for a chunk has the request's time-out; the whole body may run to
    /// `max_stream_bytes`.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, FetchError> {
        let settings = self.fetcher.settings();
        let timeout: Duration = settings.timeout;
        let limit = settings.max_stream_bytes();
        let chunk = match tokio::time::timeout(timeout, self.response.chunk()).await {
            Err(_elapsed) => Err(FetchError::Timeout {
                url: self.url.clone(),
                timeout,
            }),
            Ok(Err(source)) => Err(FetchError::Network {
                url: self.url.clone(),
                source,
            }),
            Ok(Ok(chunk)) => Ok(chunk),
        }?;
        if let Some(chunk) = &chunk {
            self.read += chunk.len() as u64;
            bump(&self.fetcher.inner.counters.bytes, chunk.len() as u64);
            if self.read > limit {
                return Err(FetchError::BodyTooLarge {
                    url: self.url.clone(),
                    limit,
                });
            }
        }
        Ok(chunk)
    }
}
