//! One round: every source of `sources.toml` read once into the store.
//!
//! Sources are read concurrently; every request passes the fetcher's politeness gate, so the
//! only pace here is the hosts'. Pages are parsed on blocking threads (`extract` is
//! synchronous and CPU-bound) and every write goes through the store's one writer thread.
//!
//! What a round may conclude about expiry (CONTRACT.md):
//! - a detail page that answers 404 or 410, or says it is closed, expires its posting;
//! - after a complete, healthy read of a source's listing, its postings no longer listed, and
//!   those whose closing date has passed, expire;
//! - a source whose listing did not load completely expires nothing by absence or date.

mod feed;
mod pages;
mod summary;
mod walk;
mod writer;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use tokio_util::sync::CancellationToken;
use tracing::info;
use vindwerk_model::{ExpiryReason, PostingData, PostingId};
use vindwerk_store::{
    ActivePosting, RunId, RunStatus, SourceRunSummary, Store, StoreError, UpsertOutcome,
};

pub use summary::{RoundSummary, SourceSummary};

use crate::config::{Config, SourceConfig};
use crate::extract::Rules;
use crate::fetch::Fetcher;
use writer::Writer;

/// A change in a round's progress, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    PageFetched,
    PostingFound,
    SourceFinished,
}

/// How a round runs.
#[derive(Clone)]
pub struct RoundOptions {
    /// The round's clock: postings are seen at this time and closing dates compared with it.
    pub now: DateTime<Utc>,
    /// Cancelling ends the round early, as if every unfinished source had failed.
    pub cancel: CancellationToken,
    pub progress: Option<Arc<dyn Fn(Progress) + Send + Sync>>,
    /// Turns off the per-host rate limits (benchmarks on the fixture web only).
    pub unlimited_rate: bool,
}

impl RoundOptions {
    pub fn new(now: DateTime<Utc>) -> RoundOptions {
        RoundOptions {
            now,
            cancel: CancellationToken::new(),
            progress: None,
            unlimited_rate: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RoundError {
    #[error("store: {0}")]
    Store(#[from] vindwerk_store::StoreError),
    #[error("cannot set up fetching: {0}")]
    Fetcher(String),
    #[error("the store writer stopped unexpectedly")]
    WriterStopped,
}

/// What every source of a round shares.
pub(crate) struct Shared {
    pub(crate) fetcher: Fetcher,
    pub(crate) writer: Writer,
    /// A read connection for fetch state and the postings known before the round.
    pub(crate) reader: Mutex<Store>,
    pub(crate) options: RoundOptions,
    pub(crate) concurrency: usize,
}

impl Shared {
    pub(crate) fn report(&self, progress: Progress) {
        if let Some(report) = &self.options.progress {
            report(progress);
        }
    }
}

/// Reads every source of `config` once into the store at `db_path`. The caller holds the
/// run lock.
pub async fn run_round(
    config: &Config,
    db_path: &std::path::Path,
    options: RoundOptions,
) -> Result<RoundSummary, RoundError> {
    let started_at = options.now;
    let clock = Instant::now();
    let mut store = Store::open(db_path)?;
    let run_id = store.write(|batch| -> Result<RunId, StoreError> {
        let run_id = batch.begin_run(started_at)?;
        for source in &config.sources {
            batch.upsert_source(&source.id, source.kind, source.channel, &source.audience)?;
        }
        Ok(run_id)
    })?;
    let reader = Store::open_readonly(db_path)?;
    let fetcher = Fetcher::new(pages::fetch_settings(&config.crawler, &options))
        .map_err(|error| RoundError::Fetcher(error.to_string()))?;
    let (writer, writer_thread) = Writer::start(store);
    let shared = Arc::new(Shared {
        fetcher,
        writer,
        reader: Mutex::new(reader),
        options: options.clone(),
        concurrency: config.crawler.concurrency.get(),
    });

    // Sources are read a bounded number at a time, so that what a round holds (each active
    // source's queue of detail pages, its known postings, its walk) does not grow with the
    // number of sources. They start in an order that alternates hosts, so that the active
    // ones spread over many hosts rather than queueing at one.
    let at_once = sources_at_once(shared.concurrency);
    let mut slots: Vec<Option<SourceSummary>> = vec![None; config.sources.len()];
    let mut running = futures::stream::iter(start_order(&config.sources))
        .map(|index| {
            let shared = Arc::clone(&shared);
            let source = config.sources[index].clone();
            async move { (index, tokio::spawn(crawl_source(shared, source)).await) }
        })
        .buffer_unordered(at_once);
    while let Some((index, finished)) = running.next().await {
        let summary = finished.unwrap_or_else(|error| {
            let source = &config.sources[index];
            let mut summary = SourceSummary::new(source.id.clone(), source.kind);
            summary.record_error("internal", format!("source {}: {error}", source.id));
            summary
        });
        slots[index] = Some(summary);
    }
    drop(running);
    let summaries: Vec<SourceSummary> = slots.into_iter().flatten().collect();

    drop(shared);
    let mut store = writer_thread
        .join()
        .map_err(|_| RoundError::WriterStopped)?;
    let elapsed = chrono::Duration::from_std(clock.elapsed()).unwrap_or_default();
    let finished_at = started_at + elapsed;
    let status = if options.cancel.is_cancelled() {
        RunStatus::Interrupted
    } else {
        RunStatus::Completed
    };
    store.write(|batch| -> Result<(), StoreError> {
        for summary in &summaries {
            batch.record_source_run(run_id, &summary.to_store())?;
        }
        batch.finish_run(run_id, finished_at, status)
    })?;
    Ok(RoundSummary {
        run_id: run_id.0,
        started_at,
        finished_at,
        sources: summaries,
    })
}

/// How many sources a round reads at once: enough to keep every request slot busy when most
/// hosts are slow (each host's rate caps what one source can use), few enough that memory
/// stays flat however many sources there are.
fn sources_at_once(concurrency: usize) -> usize {
    concurrency.saturating_mul(2).max(16)
}

/// The order in which sources start: round robin over their hosts (in order of first
/// appearance), so that sources of one host (one ATS's API, one job board) do not fill the
/// active set and wait behind each other's rate.
fn start_order(sources: &[SourceConfig]) -> Vec<usize> {
    let mut by_host: Vec<(String, std::collections::VecDeque<usize>)> = Vec::new();
    let mut host_index: HashMap<String, usize> = HashMap::new();
    for (index, source) in sources.iter().enumerate() {
        let host = source
            .spec
            .entry_url()
            .map(crate::fetch::host_key)
            .unwrap_or_default();
        let slot = *host_index.entry(host.clone()).or_insert_with(|| {
            by_host.push((host, std::collections::VecDeque::new()));
            by_host.len() - 1
        });
        by_host[slot].1.push_back(index);
    }
    let mut order = Vec::with_capacity(sources.len());
    while order.len() < sources.len() {
        for (_, queue) in &mut by_host {
            if let Some(index) = queue.pop_front() {
                order.push(index);
            }
        }
    }
    order
}

/// What one source's crawl knows while it runs.
pub(crate) struct SourceRun {
    pub(crate) shared: Arc<Shared>,
    pub(crate) source: SourceConfig,
    pub(crate) rules: Rules,
    pub(crate) summary: Mutex<SourceSummary>,
    /// Active postings of this source before the round, by URL.
    known: HashMap<String, PostingId>,
    /// Posting URLs this round saw alive: listed, extracted or confirmed unchanged.
    alive: Mutex<HashSet<String>>,
    /// Set when a page of the source failed for a reason that may pass (a time-out, a 5xx):
    /// what that page holds is unknown, so nothing may expire by absence.
    incomplete: AtomicBool,
}

impl SourceRun {
    pub(crate) fn summary(&self) -> std::sync::MutexGuard<'_, SourceSummary> {
        self.summary
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn error(&self, kind: &str, message: String) {
        tracing::warn!(source = %self.source.id, kind, "{message}");
        self.summary().record_error(kind, message);
    }

    pub(crate) fn mark_incomplete(&self) {
        self.incomplete.store(true, Ordering::Relaxed);
    }

    /// Records `url` as alive in this round; false when it already was.
    pub(crate) fn mark_alive(&self, url: &str) -> bool {
        self.alive
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(url.to_owned())
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.shared.options.now
    }

    /// Stores one posting the source publishes now; one that names no employer gets the
    /// source's configured one.
    pub(crate) async fn save(&self, mut data: PostingData) {
        if data.employer.is_none() {
            data.employer.clone_from(&self.source.employer);
        }
        if data.url.is_empty() || data.title.trim().is_empty() {
            self.error(
                "parse",
                format!("posting without url or title at {:?}", data.url),
            );
            return;
        }
        self.mark_alive(&data.url);
        self.shared.report(Progress::PostingFound);
        if data
            .valid_through
            .is_some_and(|date| date < self.now().date_naive())
        {
            self.save_closed(data).await;
            return;
        }
        let result = self
            .shared
            .writer
            .upsert(
                &self.source.id,
                self.source.kind,
                self.source.channel,
                data,
                self.now(),
            )
            .await;
        let mut summary = self.summary();
        summary.postings_found += 1;
        match result {
            Ok(upserted) => match upserted.outcome {
                UpsertOutcome::New => summary.postings_new += 1,
                UpsertOutcome::Changed | UpsertOutcome::Reactivated => {
                    summary.postings_changed += 1
                }
                UpsertOutcome::Unchanged => summary.postings_unchanged += 1,
            },
            Err(error) => summary.record_error("store", error),
        }
    }

    /// A posting whose closing date has passed: expired if it was active, stored expired if it
    /// is new, and left alone if it had already expired (so it does not come back to life).
    async fn save_closed(&self, data: PostingData) {
        self.summary().postings_found += 1;
        if self.known.contains_key(&data.url) {
            self.expire_url(&data.url, ExpiryReason::ClosingDatePassed)
                .await;
            return;
        }
        let existing = {
            let reader = self
                .shared
                .reader
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            reader.posting_id(&self.source.id, &data.url)
        };
        if !matches!(existing, Ok(None)) {
            return;
        }
        let writer = &self.shared.writer;
        let (kind, channel) = (self.source.kind, self.source.channel);
        match writer
            .upsert(&self.source.id, kind, channel, data, self.now())
            .await
        {
            Ok(upserted) => {
                self.summary().postings_new += 1;
                if writer
                    .expire(upserted.id, self.now(), ExpiryReason::ClosingDatePassed)
                    .await
                {
                    self.summary().postings_expired += 1;
                }
            }
            Err(error) => self.summary().record_error("store", error),
        }
    }

    /// Expires the posting at `url`, when this source has one there.
    pub(crate) async fn expire_url(&self, url: &str, reason: ExpiryReason) {
        let Some(&id) = self.known.get(url) else {
            return;
        };
        if self.shared.writer.expire(id, self.now(), reason).await {
            self.summary().postings_expired += 1;
        }
    }
}

async fn crawl_source(shared: Arc<Shared>, source: SourceConfig) -> SourceSummary {
    let started = Instant::now();
    let known = {
        let reader = shared
            .reader
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        reader.active_postings(&source.id)
    };
    let run = SourceRun {
        rules: Rules::for_source(&source),
        summary: Mutex::new(SourceSummary::new(source.id.clone(), source.kind)),
        known: HashMap::new(),
        alive: Mutex::new(HashSet::new()),
        incomplete: AtomicBool::new(false),
        shared: Arc::clone(&shared),
        source,
    };
    let (run, active) = match known {
        Ok(active) => {
            let known = active.iter().map(|p| (p.url.clone(), p.id)).collect();
            (SourceRun { known, ..run }, active)
        }
        Err(error) => {
            run.error(
                "store",
                format!("cannot read the postings of {}: {error}", run.source.id),
            );
            (run, Vec::new())
        }
    };

    let complete = tokio::select! {
        complete = walk::walk(&run) => complete && !run.incomplete.load(Ordering::Relaxed),
        () = shared.options.cancel.cancelled() => false,
    };
    if complete {
        expire_after_complete_read(&run, &active).await;
    }
    shared.writer.flush().await;
    shared.report(Progress::SourceFinished);

    let mut summary = run.summary().clone();
    summary.complete = complete;
    summary.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    info!(
        source = %summary.source,
        pages = summary.pages_fetched,
        postings = summary.postings_found,
        new = summary.postings_new,
        expired = summary.postings_expired,
        errors = summary.error_count(),
        complete,
        "source finished"
    );
    summary
}

/// After a complete read: postings no longer listed, and those past their closing date.
async fn expire_after_complete_read(run: &SourceRun, active: &[ActivePosting]) {
    let today = run.now().date_naive();
    let alive = run
        .alive
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    for posting in active {
        let reason = if !alive.contains(&posting.url) {
            ExpiryReason::GoneFromListing
        } else if posting.valid_through.is_some_and(|date| date < today) {
            ExpiryReason::ClosingDatePassed
        } else {
            continue;
        };
        if run
            .shared
            .writer
            .expire(posting.id, run.now(), reason)
            .await
        {
            run.summary().postings_expired += 1;
        }
    }
}

impl SourceSummary {
    fn to_store(&self) -> SourceRunSummary {
        SourceRunSummary {
            pages_fetched: self.pages_fetched,
            postings_found: self.postings_found,
            postings_new: self.postings_new,
            postings_changed: self.postings_changed,
            postings_unchanged: self.postings_unchanged,
            postings_expired: self.postings_expired,
            errors: self.errors.clone(),
            complete: self.complete,
            duration_ms: self.duration_ms,
            ..SourceRunSummary::new(self.source.clone())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_start_alternating_hosts() {
        let sitemap = |name: &str, host: &str| {
            format!(
                "[[source]]\nname = \"{name}\"\nkind = \"sitemap\"\nurl = \"https://{host}/sitemap.xml\"\n"
            )
        };
        let text = [
            sitemap("a1", "a.example"),
            sitemap("a2", "a.example"),
            sitemap("a3", "a.example"),
            sitemap("b1", "b.example"),
            sitemap("c1", "c.example:8080"),
            sitemap("c2", "c.example:8080"),
            "[[source]]\nname = \"g1\"\nkind = \"greenhouse\"\ncompany = \"x\"\n".to_owned(),
            "[[source]]\nname = \"g2\"\nkind = \"greenhouse\"\ncompany = \"y\"\n".to_owned(),
        ]
        .concat();
        let config = crate::config::parse(&text).expect("valid sources");
        let names: Vec<&str> = start_order(&config.sources)
            .into_iter()
            .map(|index| config.sources[index].id.as_str())
            .collect();
        assert_eq!(names, ["a1", "b1", "c1", "g1", "a2", "c2", "g2", "a3"]);
    }

    #[test]
    fn sources_at_once_grows_with_concurrency_from_a_floor() {
        assert_eq!(sources_at_once(1), 16);
        assert_eq!(sources_at_once(64), 128);
    }
}
