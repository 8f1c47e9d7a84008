//! Fetching for a round: listings and API documents (whose failure makes a read incomplete)
//! and detail pages (conditional, extracted on a blocking thread, stored or expired).

use std::sync::Arc;

use chrono::Utc;
use url::Url;
use vindwerk_model::ExpiryReason;
use vindwerk_store::FetchState;

use super::{Progress, RoundOptions, SourceRun};
use crate::config::CrawlerSettings;
use crate::extract::{self, Extracted};
use crate::fetch::{BodyStream, FetchError, FetchOptions, FetchSettings, Fetched, Outcome};
use crate::politeness::Admission;

/// The fetcher's settings for a round: `[crawler]`, and the benchmark switch.
pub(super) fn fetch_settings(crawler: &CrawlerSettings, options: &RoundOptions) -> FetchSettings {
    let mut settings = FetchSettings::from_crawler(crawler);
    if options.unlimited_rate {
        settings.rate_per_host = None;
    }
    settings
}

/// A short stable name of a fetch failure, for the run summary's errors by kind.
pub(super) fn error_kind(error: &FetchError) -> &'static str {
    match error {
        FetchError::Disallowed { .. } => "robots_disallowed",
        FetchError::RobotsUnreachable { .. } => "robots_unreachable",
        FetchError::Refused { .. } => "address_refused",
        FetchError::BodyTooLarge { .. } => "body_too_large",
        FetchError::Timeout { .. } => "timeout",
        FetchError::Status { status, .. } if *status >= 500 => "http_5xx",
        FetchError::Status { status: 429, .. } => "http_429",
        FetchError::Status { .. } => "http_4xx",
        FetchError::RetryAfterTooLong { .. } => "retry_after_too_long",
        FetchError::TooManyRedirects { .. } | FetchError::BadRedirect { .. } => "redirect",
        FetchError::Network { .. } => "network",
        FetchError::Client(_) => "client",
    }
}

/// Whether what the URL holds is unknown for now (it may answer next time), rather than known
/// to be unreadable. Robots.txt being unreachable counts: RFC 9309 says to assume nothing.
fn is_transient(error: &FetchError) -> bool {
    match error {
        FetchError::Timeout { .. }
        | FetchError::Network { .. }
        | FetchError::RetryAfterTooLong { .. }
        | FetchError::RobotsUnreachable { .. }
        | FetchError::Client(_) => true,
        FetchError::Status { status, .. } => *status >= 500 || *status == 429,
        FetchError::Disallowed { .. }
        | FetchError::Refused { .. }
        | FetchError::BodyTooLarge { .. }
        | FetchError::TooManyRedirects { .. }
        | FetchError::BadRedirect { .. } => false,
    }
}

impl SourceRun {
    /// Loads a listing, a sitemap, a feed or an API document. `None` when it did not load;
    /// the error is recorded and the read of this source is incomplete.
    pub(crate) async fn fetch_listing(&self, url: &Url) -> Option<String> {
        let fetched = self.shared.fetcher.get(url, &self.fetch_options()).await;
        self.count_page(&fetched);
        self.listing_text(url, fetched)
    }

    /// Opens a feed to be read as it arrives. `None` when it did not load; the error is
    /// recorded and the read of this source is incomplete.
    pub(crate) async fn stream_listing(&self, url: &Url) -> Option<BodyStream> {
        let streamed = self
            .shared
            .fetcher
            .get_stream(url, &self.fetch_options())
            .await;
        self.count_page(&streamed);
        self.listing_body(
            url,
            streamed.map(|streamed| (streamed.status, streamed.body)),
        )
    }

    fn listing_text(&self, url: &Url, fetched: Result<Fetched, FetchError>) -> Option<String> {
        let answer = fetched.map(|fetched| {
            let status = fetched.status;
            (status, fetched.into_page().map(|page| page.text()))
        });
        self.listing_body(url, answer)
    }

    /// A listing's body, or `None` with the reason recorded: an answer without one (304, 404,
    /// 410; its status is named) or the fetch's error.
    fn listing_body<T>(
        &self,
        url: &Url,
        answer: Result<(u16, Option<T>), FetchError>,
    ) -> Option<T> {
        match answer {
            Ok((_, Some(body))) => Some(body),
            Ok((status, None)) => {
                self.error("listing", format!("{url}: listing answered {status}"));
                None
            }
            Err(error) => {
                self.error(error_kind(&error), error.report());
                None
            }
        }
    }

    fn fetch_options(&self) -> FetchOptions {
        FetchOptions {
            host_rate: self.source.rate_per_host.map(|rate| rate.per_second()),
            ..FetchOptions::default()
        }
    }

    /// POSTs a JSON query for an API listing page (Workday).
    pub(crate) async fn post_listing(&self, url: &Url, body: &serde_json::Value) -> Option<String> {
        let fetched = self
            .shared
            .fetcher
            .post_json(url, body, &self.fetch_options())
            .await;
        self.count_page(&fetched);
        self.listing_text(url, fetched)
    }

    /// Reads one detail page: stores what it holds, or expires what it no longer holds.
    pub(crate) async fn read_detail(&self, url: Url) {
        let previous = self.previous_fetch(&url);
        let options = FetchOptions {
            etag: previous.as_ref().and_then(|state| state.etag.clone()),
            last_modified: previous
                .as_ref()
                .and_then(|state| state.last_modified.clone()),
            keep_slot: true,
            ..self.fetch_options()
        };
        let fetched = self.shared.fetcher.get(&url, &options).await;
        self.count_page(&fetched);
        let Fetched {
            final_url,
            status,
            outcome,
            // Holds a request slot of the gate until the page is read (see `Fetched`).
            slot,
        } = match fetched {
            Ok(fetched) => fetched,
            Err(FetchError::Disallowed { url }) => {
                // robots.txt keeps the page from us: a choice of the site, not a failure.
                tracing::debug!(source = %self.source.id, %url, "disallowed by robots.txt");
                self.summary().record_skipped("robots_disallowed");
                return;
            }
            Err(error) => {
                if is_transient(&error) {
                    self.mark_incomplete();
                }
                self.error(error_kind(&error), error.report());
                return;
            }
        };
        match outcome {
            Outcome::Page(page) => {
                let state = FetchState {
                    etag: page.etag.clone(),
                    last_modified: page.last_modified.clone(),
                    last_status: Some(status),
                    fetched_at: Utc::now(),
                    body_hash: None,
                };
                self.shared
                    .writer
                    .save_fetch_state(url.as_str(), state)
                    .await;
                let text = page.text();
                drop(page);
                self.read_page(&final_url, text, slot).await;
            }
            Outcome::NotModified => {
                drop(slot);
                self.mark_alive(url.as_str());
                self.shared
                    .writer
                    .touch(&self.source.id, url.as_str(), self.now())
                    .await;
            }
            Outcome::NotFound => {
                drop(slot);
                self.expire_url(url.as_str(), ExpiryReason::NotFound).await;
            }
            Outcome::Gone => {
                drop(slot);
                self.expire_url(url.as_str(), ExpiryReason::Gone).await;
            }
        }
    }

    /// Reads a page already fetched (a site page that is listing and posting at once).
    pub(crate) async fn read_page_text(&self, url: &Url, text: &str) {
        self.read_page(url, text.to_owned(), None).await;
    }

    /// Extracts and stores what a page holds. `in_hand` is the page's request slot: freed
    /// once the page is extracted, so that storing (which waits for the writer's next commit)
    /// does not hold up fetching, while no more pages wait for extraction than requests may
    /// be in flight.
    async fn read_page(&self, url: &Url, text: String, in_hand: Option<Arc<Admission>>) {
        let rules = self.rules.clone();
        let page_url = url.clone();
        let extracted =
            tokio::task::spawn_blocking(move || extract::extract(&text, &page_url, &rules)).await;
        drop(in_hand);
        let Extracted {
            postings,
            problems,
            closed,
        } = match extracted {
            Ok(extracted) => extracted,
            Err(error) => {
                self.error("internal", format!("{url}: extraction failed: {error}"));
                return;
            }
        };
        for problem in problems {
            tracing::debug!(source = %self.source.id, %url, "{problem}");
        }
        if closed {
            self.expire_url(url.as_str(), ExpiryReason::ClosedPage)
                .await;
            for posting in &postings {
                self.expire_url(&posting.url, ExpiryReason::ClosedPage)
                    .await;
            }
            return;
        }
        if postings.is_empty() {
            self.summary()
                .record_error("no_posting", format!("{url}: no posting on the page"));
        }
        for posting in postings {
            self.save(posting).await;
        }
    }

    fn previous_fetch(&self, url: &Url) -> Option<FetchState> {
        let reader = self
            .shared
            .reader
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        reader.fetch_state(url.as_str()).ok().flatten()
    }

    /// Counts a page fetched: one that went out, whatever it answered. A URL that robots.txt
    /// or the address guard kept back was never fetched.
    fn count_page<T>(&self, fetched: &Result<T, FetchError>) {
        if matches!(
            fetched,
            Err(FetchError::Disallowed { .. } | FetchError::Refused { .. })
        ) {
            return;
        }
        self.summary().pages_fetched += 1;
        self.shared.report(Progress::PageFetched);
    }
}
