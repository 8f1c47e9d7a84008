//! Crawl runs and what each source yielded in one: the material of the end-of-round summary
//! and of reports on earlier rounds.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use vindwerk_model::SourceId;

use crate::codec::{self, Place};
use crate::{Batch, Store, StoreError};

/// The row id of a crawl run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(pub i64);

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Begun and not finished. A run still `Running` when the next one begins was killed; the
    /// next [`Batch::begin_run`] marks it `Interrupted`.
    Running,
    /// Finished its round (some sources may have failed: see their summaries).
    Completed,
    /// Gave up as a whole (e.g. the store became unwritable).
    Failed,
    /// Stopped before the end: cancelled, or killed and found running later.
    Interrupted,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
        }
    }
}

impl std::str::FromStr for RunStatus {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "running" => Ok(RunStatus::Running),
            "completed" => Ok(RunStatus::Completed),
            "failed" => Ok(RunStatus::Failed),
            "interrupted" => Ok(RunStatus::Interrupted),
            other => Err(format!("unknown run status {other:?}")),
        }
    }
}

/// What one source yielded in one run (CONTRACT.md: the summary per source).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRunSummary {
    pub source: SourceId,
    pub pages_fetched: u64,
    pub postings_found: u64,
    pub postings_new: u64,
    pub postings_changed: u64,
    pub postings_unchanged: u64,
    pub postings_expired: u64,
    /// Errors by kind (the crawler's names, e.g. `timeout`, `http_5xx`, `parse`) and their count.
    pub errors: BTreeMap<String, u64>,
    /// The source's listing was read completely and healthily: the condition for expiring
    /// postings it no longer lists.
    pub complete: bool,
    pub duration_ms: u64,
}

impl SourceRunSummary {
    /// A summary of nothing yet, for the crawler to count into.
    pub fn new(source: SourceId) -> SourceRunSummary {
        SourceRunSummary {
            source,
            pages_fetched: 0,
            postings_found: 0,
            postings_new: 0,
            postings_changed: 0,
            postings_unchanged: 0,
            postings_expired: 0,
            errors: BTreeMap::new(),
            complete: false,
            duration_ms: 0,
        }
    }
}

/// A run with its per-source summaries, as [`Store::last_runs`] reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunReport {
    pub id: RunId,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: RunStatus,
    /// By source name.
    pub sources: Vec<SourceRunSummary>,
}

impl Batch<'_> {
    /// Records the start of a run. Runs left `Running` by a killed process become
    /// `Interrupted`: the caller holds the [`RunLock`](crate::RunLock), so none of them is live.
    pub fn begin_run(&mut self, at: DateTime<Utc>) -> Result<RunId, StoreError> {
        self.atomically(|batch| batch.begin_run_unguarded(at))
    }

    fn begin_run_unguarded(&mut self, at: DateTime<Utc>) -> Result<RunId, StoreError> {
        self.tx
            .execute(
                "UPDATE runs SET status = 'interrupted' WHERE status = 'running'",
                [],
            )
            .map_err(StoreError::sql("mark abandoned runs interrupted"))?;
        self.tx
            .query_row(
                "INSERT INTO runs (started_at, status) VALUES (?1, 'running') RETURNING id",
                [codec::timestamp(at)],
                |row| row.get(0),
            )
            .map(RunId)
            .map_err(StoreError::sql("begin a run"))
    }

    /// Records the end of a run with its final status.
    pub fn finish_run(
        &mut self,
        run: RunId,
        at: DateTime<Utc>,
        status: RunStatus,
    ) -> Result<(), StoreError> {
        let changes = self
            .tx
            .execute(
                "UPDATE runs SET finished_at = ?2, status = ?3 WHERE id = ?1",
                params![run.0, codec::timestamp(at), status.as_str()],
            )
            .map_err(|error| StoreError::sqlite(format!("finish run {run}"), error))?;
        if changes == 0 {
            return Err(StoreError::UnknownRun(run));
        }
        Ok(())
    }

    /// Records what a source yielded in `run`, replacing an earlier summary of that source in
    /// the same run.
    pub fn record_source_run(
        &mut self,
        run: RunId,
        summary: &SourceRunSummary,
    ) -> Result<(), StoreError> {
        self.atomically(|batch| batch.record_source_run_unguarded(run, summary))
    }

    fn record_source_run_unguarded(
        &mut self,
        run: RunId,
        summary: &SourceRunSummary,
    ) -> Result<(), StoreError> {
        let context = || {
            format!(
                "record the summary of source {} in run {run}",
                summary.source
            )
        };
        let known: Option<i64> = self
            .tx
            .query_row("SELECT id FROM runs WHERE id = ?1", [run.0], |row| {
                row.get(0)
            })
            .optional()
            .map_err(|error| StoreError::sqlite(context(), error))?;
        if known.is_none() {
            return Err(StoreError::UnknownRun(run));
        }
        let errors = codec::to_json(&summary.errors, context)?;
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO source_runs (run_id, source, pages_fetched, postings_found,
                     postings_new, postings_changed, postings_unchanged, postings_expired, errors,
                     complete, duration_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    run.0,
                    summary.source.as_str(),
                    count(summary.pages_fetched),
                    count(summary.postings_found),
                    count(summary.postings_new),
                    count(summary.postings_changed),
                    count(summary.postings_unchanged),
                    count(summary.postings_expired),
                    errors,
                    summary.complete,
                    count(summary.duration_ms),
                ])
            })
            .map(drop)
            .map_err(|error| StoreError::sqlite(context(), error))
    }
}

impl Store {
    /// The last `n` runs, newest first, with their per-source summaries.
    pub fn last_runs(&self, n: usize) -> Result<Vec<RunReport>, StoreError> {
        let sql_error = StoreError::sql("read runs");
        let mut statement = self
            .conn()
            .prepare_cached(
                "SELECT id, started_at, finished_at, status FROM runs ORDER BY id DESC LIMIT ?1",
            )
            .map_err(sql_error)?;
        let limit = i64::try_from(n).unwrap_or(i64::MAX);
        let rows: Vec<(i64, String, Option<String>, String)> = statement
            .query_map([limit], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .and_then(|rows| rows.collect())
            .map_err(StoreError::sql("read runs"))?;
        let mut reports = Vec::with_capacity(rows.len());
        for (id, started_at, finished_at, status) in rows {
            let place = |column| Place {
                table: "runs",
                column,
                row: &id,
            };
            reports.push(RunReport {
                id: RunId(id),
                started_at: codec::parse_timestamp(&started_at, place("started_at"))?,
                finished_at: codec::parse_optional_timestamp(finished_at, place("finished_at"))?,
                status: codec::parse_word(&status, place("status"))?,
                sources: self.source_runs(RunId(id))?,
            });
        }
        Ok(reports)
    }

    fn source_runs(&self, run: RunId) -> Result<Vec<SourceRunSummary>, StoreError> {
        let sql_error =
            |error| StoreError::sqlite(format!("read source summaries of run {run}"), error);
        let mut statement = self
            .conn()
            .prepare_cached(
                "SELECT source, pages_fetched, postings_found, postings_new, postings_changed,
                     postings_unchanged, postings_expired, errors, complete, duration_ms
                 FROM source_runs WHERE run_id = ?1 ORDER BY source",
            )
            .map_err(sql_error)?;
        let mut rows = statement.query([run.0]).map_err(sql_error)?;
        let mut summaries = Vec::new();
        while let Some(row) = rows.next().map_err(sql_error)? {
            let source: String = row.get(0).map_err(sql_error)?;
            let errors: String = row.get(7).map_err(sql_error)?;
            let row_name = format!("{run}/{source}");
            let read_count =
                |row: &rusqlite::Row<'_>, n: usize, row_name: &str| -> Result<u64, StoreError> {
                    let value: i64 = row.get(n).map_err(sql_error)?;
                    u64::try_from(value).map_err(|_| StoreError::Corrupt {
                        table: "source_runs",
                        column: "counts",
                        row: row_name.to_owned(),
                        detail: format!("negative count {value}"),
                    })
                };
            let place = Place {
                table: "source_runs",
                column: "errors",
                row: &row_name,
            };
            summaries.push(SourceRunSummary {
                source: SourceId(source),
                pages_fetched: read_count(row, 1, &row_name)?,
                postings_found: read_count(row, 2, &row_name)?,
                postings_new: read_count(row, 3, &row_name)?,
                postings_changed: read_count(row, 4, &row_name)?,
                postings_unchanged: read_count(row, 5, &row_name)?,
                postings_expired: read_count(row, 6, &row_name)?,
                errors: codec::parse_json(&errors, place)?,
                complete: row.get(8).map_err(sql_error)?,
                duration_ms: read_count(row, 9, &row_name)?,
            });
        }
        Ok(summaries)
    }
}

/// SQLite integers are signed; no count reaches `i64::MAX`, so saturating loses nothing real.
fn count(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
