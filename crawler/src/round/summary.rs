//! What a round did, per source: the figures of the end-of-run table and of `--json`.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;
use vindwerk_model::{SourceId, SourceKind};

/// The figures of one source in one round.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSummary {
    pub source: SourceId,
    pub kind: SourceKind,
    pub pages_fetched: u64,
    pub postings_found: u64,
    pub postings_new: u64,
    pub postings_changed: u64,
    pub postings_unchanged: u64,
    pub postings_expired: u64,
    /// Errors by kind (`timeout`, `http_5xx`, `parse`...; `robots_disallowed` for a listing
    /// that robots.txt keeps from us).
    pub errors: BTreeMap<String, u64>,
    /// The first few error messages, each naming its URL.
    pub error_samples: Vec<String>,
    /// Pages not fetched by choice, by reason (`robots_disallowed`): not errors.
    pub skipped: BTreeMap<String, u64>,
    /// The source's listing was read completely and healthily; only then may absence from it
    /// expire postings.
    pub complete: bool,
    pub duration_ms: u64,
}

impl SourceSummary {
    pub fn new(source: SourceId, kind: SourceKind) -> SourceSummary {
        SourceSummary {
            source,
            kind,
            pages_fetched: 0,
            postings_found: 0,
            postings_new: 0,
            postings_changed: 0,
            postings_unchanged: 0,
            postings_expired: 0,
            errors: BTreeMap::new(),
            error_samples: Vec::new(),
            skipped: BTreeMap::new(),
            complete: false,
            duration_ms: 0,
        }
    }

    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    pub fn skipped_count(&self) -> u64 {
        self.skipped.values().sum()
    }

    pub(crate) fn record_skipped(&mut self, reason: &str) {
        *self.skipped.entry(reason.to_owned()).or_default() += 1;
    }

    /// A source failed when its listing could not be read completely.
    pub fn failed(&self) -> bool {
        !self.complete
    }

    pub(crate) fn record_error(&mut self, kind: &str, message: String) {
        const MAX_SAMPLES: usize = 5;
        *self.errors.entry(kind.to_owned()).or_default() += 1;
        if self.error_samples.len() < MAX_SAMPLES {
            self.error_samples.push(message);
        }
    }
}

/// The figures of one round over every source.
#[derive(Debug, Clone, Serialize)]
pub struct RoundSummary {
    pub run_id: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub sources: Vec<SourceSummary>,
}

impl RoundSummary {
    pub fn failed_sources(&self) -> impl Iterator<Item = &SourceSummary> {
        self.sources.iter().filter(|source| source.failed())
    }
}

impl fmt::Display for RoundSummary {
    /// The end-of-run table.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<24} {:<15} {:>7} {:>7} {:>6} {:>7} {:>7} {:>7} {:>6}  status",
            "source", "kind", "pages", "found", "new", "changed", "expired", "skipped", "errors"
        )?;
        for source in &self.sources {
            writeln!(
                f,
                "{:<24} {:<15} {:>7} {:>7} {:>6} {:>7} {:>7} {:>7} {:>6}  {}",
                source.source.as_str(),
                source.kind.as_str(),
                source.pages_fetched,
                source.postings_found,
                source.postings_new,
                source.postings_changed,
                source.postings_expired,
                source.skipped_count(),
                source.error_count(),
                if source.complete { "ok" } else { "FAILED" }
            )?;
            for sample in &source.error_samples {
                writeln!(f, "    {sample}")?;
            }
        }
        let seconds = (self.finished_at - self.started_at).num_milliseconds() as f64 / 1000.0;
        let failed = self.failed_sources().count();
        write!(
            f,
            "{} sources, {failed} failed, {seconds:.1} s",
            self.sources.len()
        )
    }
}
