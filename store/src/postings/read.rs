//! The reads of postings, their history and sources.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use vindwerk_model::{Posting, PostingId, SourceId};

use super::{ActivePosting, HistoryEntry, SourceRecord};
use crate::codec::{self, Place};
use crate::{ChangeSeq, Store, StoreError};

const POSTING_COLUMNS: &str = "p.id, s.name, s.kind, s.channel, p.data, p.content_hash,
    p.first_seen, p.last_seen, p.changed_at, p.status, p.expired_at, p.expiry_reason, s.audience
    FROM postings p JOIN sources s ON s.id = p.source_id";

/// True for a posting `p` of a settled vacancy: one the store holds as expired, written after
/// the last change of each of its postings, whose every posting expired before `?1` and was
/// neither seen nor changed since. The indexer leaves such a vacancy as it is. A posting that
/// comes back opens its vacancy again.
pub(crate) const IN_SETTLED_VACANCY: &str = "EXISTS (
    SELECT 1 FROM vacancy_postings vp JOIN vacancies v ON v.id = vp.vacancy_id
    WHERE vp.posting_id = p.id AND v.status = 'expired' AND NOT EXISTS (
        SELECT 1 FROM vacancy_postings vq JOIN postings q ON q.id = vq.posting_id
        WHERE vq.vacancy_id = vp.vacancy_id
        AND NOT (q.status = 'expired' AND q.expired_at IS NOT NULL AND q.expired_at < ?1
            AND q.last_seen < ?1 AND q.changed_at < ?1
            AND q.expired_at <= v.updated_at AND q.changed_at <= v.updated_at)))";

fn read_posting(row: &Row<'_>) -> Result<Posting, StoreError> {
    let id: i64 = row.get(0).map_err(StoreError::sql("read a posting row"))?;
    let sql_error = |error| StoreError::sqlite(format!("read posting {id}"), error);
    let get_text = |n: usize| row.get::<_, String>(n).map_err(sql_error);
    let get_optional = |n: usize| row.get::<_, Option<String>>(n).map_err(sql_error);
    let place = |column| Place {
        table: "postings",
        column,
        row: &id,
    };
    let source = get_text(1)?;
    let source_place = |column| Place {
        table: "sources",
        column,
        row: &source,
    };
    let source_kind = codec::parse_word(&get_text(2)?, source_place("kind"))?;
    let channel = codec::parse_word(&get_text(3)?, source_place("channel"))?;
    let audience = codec::parse_word(&get_text(12)?, source_place("audience"))?;
    Ok(Posting {
        id: PostingId(id),
        source: SourceId(source),
        source_kind,
        channel,
        data: codec::parse_json(&get_text(4)?, place("data"))?,
        content_hash: get_text(5)?,
        first_seen: codec::parse_timestamp(&get_text(6)?, place("first_seen"))?,
        last_seen: codec::parse_timestamp(&get_text(7)?, place("last_seen"))?,
        changed_at: codec::parse_timestamp(&get_text(8)?, place("changed_at"))?,
        status: codec::parse_word(&get_text(9)?, place("status"))?,
        expired_at: codec::parse_optional_timestamp(get_optional(10)?, place("expired_at"))?,
        expiry_reason: codec::parse_optional_word(get_optional(11)?, place("expiry_reason"))?,
        audience,
    })
}

impl Store {
    /// The posting with row id `id`.
    pub fn posting(&self, id: PostingId) -> Result<Option<Posting>, StoreError> {
        let sql = format!("SELECT {POSTING_COLUMNS} WHERE p.id = ?1");
        let sql_error = |error| StoreError::sqlite(format!("read posting {id}"), error);
        let mut statement = self.conn().prepare_cached(&sql).map_err(sql_error)?;
        let mut rows = statement.query([id.0]).map_err(sql_error)?;
        match rows.next().map_err(sql_error)? {
            Some(row) => read_posting(row).map(Some),
            None => Ok(None),
        }
    }

    /// The id of the posting of `source` at `url`, if the store has one.
    pub fn posting_id(
        &self,
        source: &SourceId,
        url: &str,
    ) -> Result<Option<PostingId>, StoreError> {
        self.conn()
            .prepare_cached(
                "SELECT p.id FROM postings p JOIN sources s ON s.id = p.source_id
                 WHERE s.name = ?1 AND p.url = ?2",
            )
            .and_then(|mut statement| {
                statement
                    .query_row(params![source.as_str(), url], |row| row.get(0))
                    .optional()
            })
            .map(|id| id.map(PostingId))
            .map_err(|error| {
                StoreError::sqlite(format!("find posting {url} of source {source}"), error)
            })
    }

    /// Calls `each` with every posting, in id order, without collecting them. Stops at the
    /// first error `each` returns and passes it on.
    pub fn for_each_posting<E>(&self, each: impl FnMut(Posting) -> Result<(), E>) -> Result<(), E>
    where
        E: From<StoreError>,
    {
        let sql = format!("SELECT {POSTING_COLUMNS} ORDER BY p.id");
        self.stream_postings(&sql, [], each)
    }

    /// Calls `each` with every posting but those of vacancies settled before `settled_before`
    /// (every posting of theirs expired before it, and none seen or changed since), in id
    /// order: what an index run reads, so that its work grows with the live and recent
    /// vacancies, not with all history.
    pub fn for_each_open_posting<E>(
        &self,
        settled_before: DateTime<Utc>,
        each: impl FnMut(Posting) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<StoreError>,
    {
        let sql = format!("SELECT {POSTING_COLUMNS} WHERE NOT {IN_SETTLED_VACANCY} ORDER BY p.id");
        self.stream_postings(&sql, [codec::timestamp(settled_before)], each)
    }

    /// Calls `each` with every posting that was added, changed, expired or reactivated by a
    /// batch after `since` (see [`Store::change_seq`]), in id order.
    pub fn for_each_posting_changed_since<E>(
        &self,
        since: ChangeSeq,
        each: impl FnMut(Posting) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<StoreError>,
    {
        let sql = format!("SELECT {POSTING_COLUMNS} WHERE p.change_seq > ?1 ORDER BY p.id");
        self.stream_postings(&sql, [since.0], each)
    }

    fn stream_postings<E>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        mut each: impl FnMut(Posting) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<StoreError>,
    {
        let mut statement = self
            .conn()
            .prepare(sql)
            .map_err(StoreError::sql("read postings"))?;
        let mut rows = statement
            .query(params)
            .map_err(StoreError::sql("read postings"))?;
        while let Some(row) = rows.next().map_err(StoreError::sql("read postings"))? {
            each(read_posting(row)?)?;
        }
        Ok(())
    }
}

impl Store {
    /// The history of a posting, oldest first (empty for an unknown id).
    pub fn posting_history(&self, id: PostingId) -> Result<Vec<HistoryEntry>, StoreError> {
        let sql_error = |error| StoreError::sqlite(format!("read history of posting {id}"), error);
        let mut statement = self
            .conn()
            .prepare_cached(
                "SELECT id, at, event, content_hash, data, expiry_reason FROM posting_history
                 WHERE posting_id = ?1 ORDER BY id",
            )
            .map_err(sql_error)?;
        let mut rows = statement.query([id.0]).map_err(sql_error)?;
        let mut entries = Vec::new();
        while let Some(row) = rows.next().map_err(sql_error)? {
            let row_id: i64 = row.get(0).map_err(sql_error)?;
            let place = |column| Place {
                table: "posting_history",
                column,
                row: &row_id,
            };
            let at: String = row.get(1).map_err(sql_error)?;
            let event: String = row.get(2).map_err(sql_error)?;
            let data: Option<String> = row.get(4).map_err(sql_error)?;
            entries.push(HistoryEntry {
                at: codec::parse_timestamp(&at, place("at"))?,
                event: codec::parse_word(&event, place("event"))?,
                content_hash: row.get(3).map_err(sql_error)?,
                data: data
                    .map(|data| codec::parse_json(&data, place("data")))
                    .transpose()?,
                expiry_reason: codec::parse_optional_word(
                    row.get(5).map_err(sql_error)?,
                    place("expiry_reason"),
                )?,
            });
        }
        Ok(entries)
    }

    /// The active postings of `source`, in id order: what the crawler checks against a
    /// complete read of the source's listing and against closing dates.
    pub fn active_postings(&self, source: &SourceId) -> Result<Vec<ActivePosting>, StoreError> {
        let sql_error =
            |error| StoreError::sqlite(format!("read active postings of source {source}"), error);
        let mut statement = self
            .conn()
            .prepare_cached(
                "SELECT p.id, p.url, p.last_seen, p.valid_through
                 FROM postings p JOIN sources s ON s.id = p.source_id
                 WHERE s.name = ?1 AND p.status = 'active' ORDER BY p.id",
            )
            .map_err(sql_error)?;
        let mut rows = statement.query([source.as_str()]).map_err(sql_error)?;
        let mut postings = Vec::new();
        while let Some(row) = rows.next().map_err(sql_error)? {
            let id: i64 = row.get(0).map_err(sql_error)?;
            let place = |column| Place {
                table: "postings",
                column,
                row: &id,
            };
            let last_seen: String = row.get(2).map_err(sql_error)?;
            postings.push(ActivePosting {
                id: PostingId(id),
                url: row.get(1).map_err(sql_error)?,
                last_seen: codec::parse_timestamp(&last_seen, place("last_seen"))?,
                valid_through: codec::parse_optional_date(
                    row.get(3).map_err(sql_error)?,
                    place("valid_through"),
                )?,
            });
        }
        Ok(postings)
    }

    /// Every source the store has seen, by name.
    pub fn sources(&self) -> Result<Vec<SourceRecord>, StoreError> {
        let sql_error = StoreError::sql("read sources");
        let mut statement = self
            .conn()
            .prepare_cached("SELECT name, kind, channel, audience FROM sources ORDER BY name")
            .map_err(sql_error)?;
        let mut rows = statement
            .query([])
            .map_err(StoreError::sql("read sources"))?;
        let mut sources = Vec::new();
        while let Some(row) = rows.next().map_err(StoreError::sql("read sources"))? {
            let name: String = row.get(0).map_err(StoreError::sql("read sources"))?;
            let kind: String = row.get(1).map_err(StoreError::sql("read sources"))?;
            let channel: String = row.get(2).map_err(StoreError::sql("read sources"))?;
            let audience: String = row.get(3).map_err(StoreError::sql("read sources"))?;
            let place = |column| Place {
                table: "sources",
                column,
                row: &name,
            };
            sources.push(SourceRecord {
                kind: codec::parse_word(&kind, place("kind"))?,
                channel: codec::parse_word(&channel, place("channel"))?,
                audience: codec::parse_word(&audience, place("audience"))?,
                name: SourceId(name.clone()),
            });
        }
        Ok(sources)
    }
}
