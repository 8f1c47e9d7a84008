//! robots.txt per origin: fetched through the same gate as pages (address guard, the host's
//! rate, retries), read per RFC 9309 and kept for a while.
//!
//! - 2xx: parsed, at most [`ROBOTS_MAX_BYTES`] of it (the RFC's minimum; the rest is cut off).
//! - 4xx other than 429: no robots.txt, everything is allowed.
//! - 5xx, 429, time-out, network failure: unreachable, nothing is allowed. When the address
//!   guard refuses the origin itself, its pages are refused for the guard's reason.
//! - Redirects are followed up to five hops; more counts as "no robots.txt".
//!
//! A result is kept `robots_ttl` (24 hours at most per the RFC); an unreachable one only
//! [`UNREACHABLE_TTL`], so that a blip does not close a site for a whole round. Concurrent
//! requests to one origin wait for one fetch.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;
use url::Url;

use super::send::{BodyLimit, Method, Request};
use super::{FetchError, FetchOptions, Inner, host_key, location};
use crate::address::AddressError;
use crate::robots::Robots;

/// How much of a robots.txt is read (RFC 9309 2.5: at least 500 kibibytes).
pub(super) const ROBOTS_MAX_BYTES: u64 = 500 * 1024;
const ROBOTS_MAX_REDIRECTS: usize = 5;
const UNREACHABLE_TTL: Duration = Duration::from_secs(10 * 60);

/// The rules of one origin, or why they could not be read.
#[derive(Debug, Clone)]
pub(super) struct RobotsFile {
    pub robots: Arc<Robots>,
    /// Why robots.txt was unreachable (then `robots` disallows everything).
    pub unreachable: Option<String>,
    /// The address guard refused the origin itself: its pages are refused for that reason.
    pub refused: Option<AddressError>,
}

impl RobotsFile {
    fn found(robots: Robots) -> RobotsFile {
        RobotsFile {
            robots: Arc::new(robots),
            unreachable: None,
            refused: None,
        }
    }

    fn unreachable(reason: String) -> RobotsFile {
        RobotsFile {
            robots: Arc::new(Robots::disallow_all()),
            unreachable: Some(reason),
            refused: None,
        }
    }

    /// The error that keeps every URL of this origin from being fetched, if any.
    pub fn result_for(&self, url: &Url) -> Result<(), FetchError> {
        if let Some(reason) = &self.refused {
            return Err(FetchError::Refused {
                url: url.clone(),
                reason: Box::new(reason.clone()),
            });
        }
        if let Some(reason) = &self.unreachable {
            return Err(FetchError::RobotsUnreachable {
                url: url.clone(),
                reason: reason.clone(),
            });
        }
        Ok(())
    }

    fn refused(url: &Url, reason: AddressError) -> RobotsFile {
        RobotsFile {
            unreachable: Some(format!("refused {url}: {reason}")),
            refused: Some(reason),
            ..RobotsFile::unreachable(String::new())
        }
    }
}

#[derive(Debug)]
struct Entry {
    file: RobotsFile,
    expires: Instant,
}

type Slot = Arc<tokio::sync::Mutex<Option<Entry>>>;

#[derive(Debug, Default)]
pub(super) struct RobotsCache {
    origins: Mutex<HashMap<String, Slot>>,
}

impl RobotsCache {
    fn slot(&self, origin: &str) -> Slot {
        let mut origins = self
            .origins
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(origins.entry(origin.to_owned()).or_default())
    }
}

/// `/robots.txt` of the URL's origin.
pub(super) fn robots_url(url: &Url) -> Url {
    let mut robots = url.clone();
    robots.set_path("/robots.txt");
    robots.set_query(None);
    robots.set_fragment(None);
    robots
}

impl Inner {
    /// The robots.txt of `url`'s origin, from the cache or fetched; also tells the politeness
    /// gate the host's Crawl-delay.
    pub(super) async fn robots_for(&self, url: &Url, rate: Option<f64>) -> RobotsFile {
        let origin = url.origin().ascii_serialization();
        let slot = self.robots.slot(&origin);
        let mut entry = slot.lock().await;
        if let Some(cached) = entry.as_ref()
            && cached.expires > Instant::now()
        {
            return cached.file.clone();
        }
        let file = self.fetch_robots(url, rate).await;
        let ttl = match &file.unreachable {
            Some(reason) => {
                tracing::warn!(%origin, reason, "robots.txt unreachable: nothing is fetched");
                self.settings.robots_ttl.min(UNREACHABLE_TTL)
            }
            None => self.settings.robots_ttl,
        };
        let crawl_delay = file.robots.crawl_delay(&self.settings.user_agent);
        self.politeness.set_crawl_delay(&host_key(url), crawl_delay);
        *entry = Some(Entry {
            file: file.clone(),
            expires: Instant::now() + ttl,
        });
        file
    }

    async fn fetch_robots(&self, url: &Url, rate: Option<f64>) -> RobotsFile {
        let origin_host = host_key(url);
        let mut current = robots_url(url);
        let no_options = FetchOptions {
            accept: Some("text/plain,*/*;q=0.5".to_owned()),
            ..FetchOptions::default()
        };
        for hop in 0..=ROBOTS_MAX_REDIRECTS {
            if let Err(reason) = self.guard.check_url(&current) {
                if hop == 0 {
                    return RobotsFile::refused(&current, reason);
                }
                return RobotsFile::unreachable(format!("refused {current}: {reason}"));
            }
            let request = Request {
                method: Method::Get,
                url: &current,
                json: None,
                options: &no_options,
                rate: rate.filter(|_| host_key(&current) == origin_host),
                limit: BodyLimit::Truncate(ROBOTS_MAX_BYTES),
            };
            let response = match self.send(&request).await {
                Ok(response) => response,
                Err(FetchError::Refused { reason, .. }) if hop == 0 => {
                    return RobotsFile::refused(&current, *reason);
                }
                Err(error) => return RobotsFile::unreachable(error.report()),
            };
            let status = response.status;
            if status.is_success() {
                let content_type = response
                    .headers
                    .get(reqwest::header::CONTENT_TYPE)
                    .and_then(|value| value.to_str().ok());
                let text = crate::charset::decode(&response.body, content_type);
                tracing::debug!(url = %current, bytes = response.body.len(), "robots.txt read");
                return RobotsFile::found(Robots::parse(&text));
            }
            if super::is_followed_redirect(status) {
                match location(&current, &response.headers) {
                    Some(next) => {
                        current = next;
                        continue;
                    }
                    None => return RobotsFile::found(Robots::allow_all()),
                }
            }
            if status.is_client_error() && status != reqwest::StatusCode::TOO_MANY_REQUESTS {
                tracing::debug!(url = %current, status = status.as_u16(), "no robots.txt");
                return RobotsFile::found(Robots::allow_all());
            }
            return RobotsFile::unreachable(format!("{current} answered {}", status.as_u16()));
        }
        tracing::debug!(url = %current, "robots.txt redirects too often: taken as absent");
        RobotsFile::found(Robots::allow_all())
    }
}
