//! Sources, postings and their history: the crawler's writes (upsert, touch, expire) and the
//! reads the crawler, the indexer and the server make.
//!
//! A posting is keyed by its source and its URL. Its current data is kept whole as JSON; the
//! columns beside it (title, content hash, dates, status) are what SQL filters on. Every event
//! that changes its data or status appends a history row in the same transaction, so the
//! history always explains the current row.

mod read;

pub(crate) use read::IN_SETTLED_VACANCY;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use vindwerk_model::{
    Audience, Channel, ExpiryReason, PostingData, PostingId, SourceId, SourceKind, Status,
};

use crate::codec;
use crate::{Batch, StoreError};

/// What [`Batch::upsert_posting`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpsertOutcome {
    /// First seen: a new posting.
    New,
    /// Active before, and its data differs from what was stored.
    Changed,
    /// Active before, same data; only `last_seen` moved.
    Unchanged,
    /// Expired before and seen again: active once more (its data updated if it differs).
    Reactivated,
}

/// The posting an upsert wrote and what happened to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Upserted {
    pub id: PostingId,
    pub outcome: UpsertOutcome,
}

/// An active posting of a source, as the crawler needs it to expire postings that a complete
/// read no longer lists or whose closing date has passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivePosting {
    pub id: PostingId,
    pub url: String,
    pub last_seen: DateTime<Utc>,
    pub valid_through: Option<NaiveDate>,
}

/// A source as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRecord {
    pub name: SourceId,
    pub kind: SourceKind,
    pub channel: Channel,
    /// Who may see its vacancies.
    pub audience: Audience,
}

/// What happened to a posting at one point in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryEvent {
    New,
    Changed,
    Expired,
    Reactivated,
}

impl HistoryEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryEvent::New => "new",
            HistoryEvent::Changed => "changed",
            HistoryEvent::Expired => "expired",
            HistoryEvent::Reactivated => "reactivated",
        }
    }
}

impl std::str::FromStr for HistoryEvent {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "new" => Ok(HistoryEvent::New),
            "changed" => Ok(HistoryEvent::Changed),
            "expired" => Ok(HistoryEvent::Expired),
            "reactivated" => Ok(HistoryEvent::Reactivated),
            other => Err(format!("unknown history event {other:?}")),
        }
    }
}

/// One row of a posting's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub event: HistoryEvent,
    /// The content hash of the posting's data after the event.
    pub content_hash: String,
    /// The posting's data after the event, when the event brought new data (always for `New`
    /// and `Changed`; for `Reactivated` when the data differs from before); else `None`.
    pub data: Option<PostingData>,
    /// Why it expired, for `Expired`.
    pub expiry_reason: Option<ExpiryReason>,
}

/// A source's row id as a batch caches it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SourceRow {
    id: i64,
    kind: SourceKind,
    channel: Channel,
}

impl Batch<'_> {
    /// Registers a source, or updates its kind, channel and audience when `sources.toml`
    /// changed them.
    pub fn upsert_source(
        &mut self,
        source: &SourceId,
        kind: SourceKind,
        channel: Channel,
        audience: &Audience,
    ) -> Result<(), StoreError> {
        let id = self.source_row(source, kind, channel)?;
        self.tx
            .prepare_cached("UPDATE sources SET audience = ?2 WHERE id = ?1")
            .and_then(|mut statement| statement.execute(params![id, audience.to_string()]))
            .map(drop)
            .map_err(|error| StoreError::sqlite(format!("set the audience of {source}"), error))
    }

    fn source_row(
        &mut self,
        source: &SourceId,
        kind: SourceKind,
        channel: Channel,
    ) -> Result<i64, StoreError> {
        if let Some(row) = self.sources.get(source)
            && row.kind == kind
            && row.channel == channel
        {
            return Ok(row.id);
        }
        let id: i64 = self
            .tx
            .prepare_cached(
                "INSERT INTO sources (name, kind, channel) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, channel = excluded.channel
                 RETURNING id",
            )
            .and_then(|mut statement| {
                statement.query_row(
                    params![source.as_str(), kind.as_str(), channel.as_str()],
                    |row| row.get(0),
                )
            })
            .map_err(|error| StoreError::sqlite(format!("register source {source}"), error))?;
        self.sources
            .insert(source.clone(), SourceRow { id, kind, channel });
        Ok(id)
    }

    /// Records that `source` lists `data` at `seen_at`, keyed by `(source, data.url)`. A new
    /// posting is inserted; a known one gets the new data when its content hash differs
    /// (blake3 over its canonical JSON), its `last_seen` moved forward, and is reactivated when
    /// it had expired. New, changed and reactivated postings get a history row. The source
    /// is registered (or its kind and channel updated) on the way.
    pub fn upsert_posting(
        &mut self,
        source: &SourceId,
        kind: SourceKind,
        channel: Channel,
        data: &PostingData,
        seen_at: DateTime<Utc>,
    ) -> Result<Upserted, StoreError> {
        self.atomically(|batch| {
            batch.upsert_posting_unguarded(source, kind, channel, data, seen_at)
        })
    }

    fn upsert_posting_unguarded(
        &mut self,
        source: &SourceId,
        kind: SourceKind,
        channel: Channel,
        data: &PostingData,
        seen_at: DateTime<Utc>,
    ) -> Result<Upserted, StoreError> {
        if data.url.is_empty() {
            return Err(StoreError::EmptyUrl {
                source_id: source.clone(),
            });
        }
        let context = || format!("posting {} of source {source}", data.url);
        let source_id = self.source_row(source, kind, channel)?;
        let hash = codec::content_hash(data, context)?;
        let at = codec::timestamp(seen_at);
        let sql_error = |error| StoreError::sqlite(format!("upsert {}", context()), error);

        let existing: Option<(i64, String, String)> = self
            .tx
            .prepare_cached(
                "SELECT id, content_hash, status FROM postings WHERE source_id = ?1 AND url = ?2",
            )
            .and_then(|mut statement| {
                statement
                    .query_row(params![source_id, data.url], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                    })
                    .optional()
            })
            .map_err(sql_error)?;
        let valid_through = data.valid_through.map(codec::date);

        let Some((id, old_hash, status)) = existing else {
            let json = codec::to_json(data, context)?;
            let seq = self.change_seq()?;
            let id: i64 = self
                .tx
                .prepare_cached(
                    "INSERT INTO postings (source_id, url, title, data, content_hash, valid_through,
                         first_seen, last_seen, changed_at, status, change_seq)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?7, 'active', ?8)
                     RETURNING id",
                )
                .and_then(|mut statement| {
                    statement.query_row(
                        params![source_id, data.url, data.title, json, hash, valid_through, at, seq],
                        |row| row.get(0),
                    )
                })
                .map_err(sql_error)?;
            self.append_history(id, &at, HistoryEvent::New, &hash, Some(&json), None)?;
            return Ok(Upserted {
                id: PostingId(id),
                outcome: UpsertOutcome::New,
            });
        };

        let changed = old_hash != hash;
        let reactivated = status != Status::Active.as_str();
        if !changed && !reactivated {
            self.tx
                .prepare_cached("UPDATE postings SET last_seen = max(last_seen, ?2) WHERE id = ?1")
                .and_then(|mut statement| statement.execute(params![id, at]))
                .map_err(sql_error)?;
            return Ok(Upserted {
                id: PostingId(id),
                outcome: UpsertOutcome::Unchanged,
            });
        }

        let json = codec::to_json(data, context)?;
        let seq = self.change_seq()?;
        self.tx
            .prepare_cached(
                "UPDATE postings SET title = ?2, data = ?3, content_hash = ?4, valid_through = ?5,
                     last_seen = max(last_seen, ?6),
                     changed_at = CASE WHEN ?7 THEN ?6 ELSE changed_at END,
                     status = 'active', expired_at = NULL, expiry_reason = NULL, change_seq = ?8
                 WHERE id = ?1",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    id,
                    data.title,
                    json,
                    hash,
                    valid_through,
                    at,
                    changed,
                    seq
                ])
            })
            .map_err(sql_error)?;
        let (event, outcome) = if reactivated {
            (HistoryEvent::Reactivated, UpsertOutcome::Reactivated)
        } else {
            (HistoryEvent::Changed, UpsertOutcome::Changed)
        };
        let history_data = changed.then_some(json.as_str());
        self.append_history(id, &at, event, &hash, history_data, None)?;
        Ok(Upserted {
            id: PostingId(id),
            outcome,
        })
    }

    /// Moves a posting's `last_seen` forward without new data (a 304 Not Modified answer). It
    /// neither reactivates nor deletes. Returns whether a posting of that source and URL exists.
    pub fn touch_posting(
        &mut self,
        source: &SourceId,
        url: &str,
        seen_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changes = self
            .tx
            .prepare_cached(
                "UPDATE postings SET last_seen = max(last_seen, ?3)
                 WHERE source_id = (SELECT id FROM sources WHERE name = ?1) AND url = ?2",
            )
            .and_then(|mut statement| {
                statement.execute(params![source.as_str(), url, codec::timestamp(seen_at)])
            })
            .map_err(|error| {
                StoreError::sqlite(format!("touch posting {url} of source {source}"), error)
            })?;
        Ok(changes > 0)
    }

    /// Expires an active posting at `at` for `reason`, with a history row. Returns `false`, and
    /// changes nothing, when it had already expired; an unknown id is an error.
    pub fn expire_posting(
        &mut self,
        id: PostingId,
        at: DateTime<Utc>,
        reason: ExpiryReason,
    ) -> Result<bool, StoreError> {
        self.atomically(|batch| batch.expire_posting_unguarded(id, at, reason))
    }

    fn expire_posting_unguarded(
        &mut self,
        id: PostingId,
        at: DateTime<Utc>,
        reason: ExpiryReason,
    ) -> Result<bool, StoreError> {
        let sql_error = |error| StoreError::sqlite(format!("expire posting {id}"), error);
        let current: Option<(String, String)> = self
            .tx
            .prepare_cached("SELECT status, content_hash FROM postings WHERE id = ?1")
            .and_then(|mut statement| {
                statement
                    .query_row([id.0], |row| Ok((row.get(0)?, row.get(1)?)))
                    .optional()
            })
            .map_err(sql_error)?;
        let Some((status, hash)) = current else {
            return Err(StoreError::UnknownPosting(id));
        };
        if status != Status::Active.as_str() {
            return Ok(false);
        }
        let seq = self.change_seq()?;
        let at = codec::timestamp(at);
        self.tx
            .prepare_cached(
                "UPDATE postings SET status = 'expired', expired_at = ?2, expiry_reason = ?3,
                     change_seq = ?4
                 WHERE id = ?1",
            )
            .and_then(|mut statement| statement.execute(params![id.0, at, reason.as_str(), seq]))
            .map_err(sql_error)?;
        self.append_history(id.0, &at, HistoryEvent::Expired, &hash, None, Some(reason))?;
        Ok(true)
    }

    fn append_history(
        &mut self,
        posting: i64,
        at: &str,
        event: HistoryEvent,
        hash: &str,
        data: Option<&str>,
        reason: Option<ExpiryReason>,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO posting_history (posting_id, at, event, content_hash, data, expiry_reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut statement| {
                statement.execute(params![posting, at, event.as_str(), hash, data, reason.map(ExpiryReason::as_str)])
            })
            .map(drop)
            .map_err(|error| StoreError::sqlite(format!("record history of posting {posting}"), error))
    }
}
