//! Vacancies, the deduplicated jobs the indexer writes back, and which posting belongs to
//! which vacancy, so that the indexer can keep a vacancy's id when its postings change.
//!
//! A vacancy is kept whole as JSON of [`Vacancy`] (the export's shape); its status is a column
//! for the export's filter. Writing an unchanged vacancy changes nothing, so the change
//! counter only moves for vacancies the index must update.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use vindwerk_model::{PostingId, Status, Vacancy, VacancyId};

use crate::codec::{self, Place};
use crate::postings::IN_SETTLED_VACANCY;
use crate::{Batch, ChangeSeq, Store, StoreError};

impl Batch<'_> {
    /// Inserts or replaces a vacancy and assigns it the postings it lists (taking them from
    /// the vacancy they belonged to before). Returns `false`, changing nothing, when the
    /// stored vacancy is equal.
    pub fn upsert_vacancy(
        &mut self,
        vacancy: &Vacancy,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.atomically(|batch| batch.upsert_vacancy_unguarded(vacancy, at))
    }

    fn upsert_vacancy_unguarded(
        &mut self,
        vacancy: &Vacancy,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let id = vacancy.id.as_str();
        let context = || format!("vacancy {id}");
        // Every crawl moves the last-seen times of every active vacancy; that alone is no
        // change for the index, which holds none of them. The hash leaves them out: such a
        // vacancy is rewritten with its new times but keeps its place in the change sequence.
        let hash = codec::content_hash(&without_last_seen(vacancy), context)?;
        let sql_error = |error| StoreError::sqlite(format!("write vacancy {id}"), error);
        let stored_hash: Option<String> = self
            .tx
            .prepare_cached("SELECT content_hash FROM vacancies WHERE id = ?1")
            .and_then(|mut statement| statement.query_row([id], |row| row.get(0)).optional())
            .map_err(sql_error)?;
        let json = codec::to_json(vacancy, context)?;
        if stored_hash.as_deref() == Some(hash.as_str()) {
            self.tx
                .prepare_cached("UPDATE vacancies SET data = ?2 WHERE id = ?1 AND data <> ?2")
                .and_then(|mut statement| statement.execute(params![id, json]))
                .map_err(sql_error)?;
            return Ok(false);
        }
        let seq = self.change_seq()?;
        self.tx
            .prepare_cached(
                "INSERT INTO vacancies (id, data, content_hash, status, updated_at, change_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data,
                     content_hash = excluded.content_hash, status = excluded.status,
                     updated_at = excluded.updated_at, change_seq = excluded.change_seq",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    id,
                    json,
                    hash,
                    vacancy.status.as_str(),
                    codec::timestamp(at),
                    seq
                ])
            })
            .map_err(sql_error)?;
        self.tx
            .prepare_cached("DELETE FROM vacancy_postings WHERE vacancy_id = ?1")
            .and_then(|mut statement| statement.execute([id]))
            .map_err(sql_error)?;
        self.tx
            .prepare_cached("DELETE FROM deleted_vacancies WHERE id = ?1")
            .and_then(|mut statement| statement.execute([id]))
            .map_err(sql_error)?;
        for posting in &vacancy.postings {
            self.tx
                .prepare_cached(
                    "INSERT INTO vacancy_postings (posting_id, vacancy_id) VALUES (?1, ?2)
                     ON CONFLICT (posting_id) DO UPDATE SET vacancy_id = excluded.vacancy_id",
                )
                .and_then(|mut statement| statement.execute(params![posting.posting_id.0, id]))
                .map_err(|error| {
                    StoreError::sqlite(
                        format!("assign posting {} to vacancy {id}", posting.posting_id),
                        error,
                    )
                })?;
        }
        Ok(true)
    }

    /// Deletes a vacancy and its posting assignments, leaving a tombstone for
    /// [`Store::vacancies_deleted_since`]. Returns whether it existed.
    pub fn delete_vacancy(&mut self, id: &VacancyId) -> Result<bool, StoreError> {
        self.atomically(|batch| batch.delete_vacancy_unguarded(id))
    }

    fn delete_vacancy_unguarded(&mut self, id: &VacancyId) -> Result<bool, StoreError> {
        let sql_error = |error| StoreError::sqlite(format!("delete vacancy {id}"), error);
        let deleted = self
            .tx
            .prepare_cached("DELETE FROM vacancies WHERE id = ?1")
            .and_then(|mut statement| statement.execute([id.as_str()]))
            .map_err(sql_error)?;
        if deleted == 0 {
            return Ok(false);
        }
        let seq = self.change_seq()?;
        self.tx
            .prepare_cached(
                "INSERT INTO deleted_vacancies (id, change_seq) VALUES (?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET change_seq = excluded.change_seq",
            )
            .and_then(|mut statement| statement.execute(params![id.as_str(), seq]))
            .map_err(sql_error)?;
        Ok(true)
    }
}

impl Store {
    /// The vacancy with id `id`.
    pub fn vacancy(&self, id: &VacancyId) -> Result<Option<Vacancy>, StoreError> {
        let data: Option<String> = self
            .conn()
            .prepare_cached("SELECT data FROM vacancies WHERE id = ?1")
            .and_then(|mut statement| {
                statement
                    .query_row([id.as_str()], |row| row.get(0))
                    .optional()
            })
            .map_err(|error| StoreError::sqlite(format!("read vacancy {id}"), error))?;
        let place = Place {
            table: "vacancies",
            column: "data",
            row: id,
        };
        data.map(|data| codec::parse_json(&data, place)).transpose()
    }

    /// Calls `each` with every vacancy of `status` (every vacancy for `None`), in id order,
    /// without collecting them: the export.
    pub fn for_each_vacancy<E>(
        &self,
        status: Option<Status>,
        each: impl FnMut(Vacancy) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<StoreError>,
    {
        match status {
            Some(status) => self.stream_vacancies(
                "SELECT id, data FROM vacancies WHERE status = ?1 ORDER BY id",
                [status.as_str()],
                each,
            ),
            None => self.stream_vacancies("SELECT id, data FROM vacancies ORDER BY id", [], each),
        }
    }

    /// Calls `each` with every vacancy of an organisation's internal labour market (audience
    /// not public), in id order.
    pub fn for_each_internal_vacancy<E>(
        &self,
        each: impl FnMut(Vacancy) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<StoreError>,
    {
        self.stream_vacancies(
            "SELECT id, data FROM vacancies WHERE json_extract(data, '$.audience') IS NOT NULL
             ORDER BY id",
            [],
            each,
        )
    }

    /// Calls `each` with every vacancy written by a batch after `since`, in id order: an
    /// incremental index update (with [`Store::vacancies_deleted_since`]).
    pub fn for_each_vacancy_changed_since<E>(
        &self,
        since: ChangeSeq,
        each: impl FnMut(Vacancy) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<StoreError>,
    {
        self.stream_vacancies(
            "SELECT id, data FROM vacancies WHERE change_seq > ?1 ORDER BY id",
            [since.0],
            each,
        )
    }

    /// The ids of vacancies deleted by a batch after `since` and not written again since.
    pub fn vacancies_deleted_since(&self, since: ChangeSeq) -> Result<Vec<VacancyId>, StoreError> {
        self.conn()
            .prepare_cached("SELECT id FROM deleted_vacancies WHERE change_seq > ?1 ORDER BY id")
            .and_then(|mut statement| {
                statement
                    .query_map([since.0], |row| row.get(0).map(VacancyId))
                    .and_then(|rows| rows.collect())
            })
            .map_err(StoreError::sql("read deleted vacancies"))
    }

    /// Which vacancy each assigned posting belongs to: the indexer's memory of earlier runs.
    pub fn vacancy_assignments(&self) -> Result<HashMap<PostingId, VacancyId>, StoreError> {
        self.assignments("SELECT posting_id, vacancy_id FROM vacancy_postings", [])
    }

    /// [`Store::vacancy_assignments`] of the postings [`Store::for_each_open_posting`] reads.
    pub fn open_vacancy_assignments(
        &self,
        settled_before: DateTime<Utc>,
    ) -> Result<HashMap<PostingId, VacancyId>, StoreError> {
        let sql = format!(
            "SELECT p.id, a.vacancy_id FROM vacancy_postings a JOIN postings p ON p.id = a.posting_id
             WHERE NOT {IN_SETTLED_VACANCY}"
        );
        self.assignments(&sql, [codec::timestamp(settled_before)])
    }

    fn assignments(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<HashMap<PostingId, VacancyId>, StoreError> {
        self.conn()
            .prepare_cached(sql)
            .and_then(|mut statement| {
                statement
                    .query_map(params, |row| {
                        Ok((PostingId(row.get(0)?), VacancyId(row.get(1)?)))
                    })
                    .and_then(|rows| rows.collect())
            })
            .map_err(StoreError::sql("read vacancy assignments"))
    }

    /// How many vacancies the store holds.
    pub fn count_vacancies(&self) -> Result<u64, StoreError> {
        self.conn()
            .query_row("SELECT count(*) FROM vacancies", [], |row| {
                row.get::<_, i64>(0)
            })
            .map(|n| n.max(0) as u64)
            .map_err(StoreError::sql("count vacancies"))
    }

    /// Whether the store holds a vacancy with this id.
    pub fn has_vacancy(&self, id: &VacancyId) -> Result<bool, StoreError> {
        self.conn()
            .prepare_cached("SELECT 1 FROM vacancies WHERE id = ?1")
            .and_then(|mut statement| statement.exists([id.as_str()]))
            .map_err(|error| StoreError::sqlite(format!("look up vacancy {id}"), error))
    }

    fn stream_vacancies<E>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        mut each: impl FnMut(Vacancy) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<StoreError>,
    {
        let mut statement = self
            .conn()
            .prepare_cached(sql)
            .map_err(StoreError::sql("read vacancies"))?;
        let mut rows = statement
            .query(params)
            .map_err(StoreError::sql("read vacancies"))?;
        while let Some(row) = rows.next().map_err(StoreError::sql("read vacancies"))? {
            let id: String = row.get(0).map_err(StoreError::sql("read vacancies"))?;
            let data: String = row.get(1).map_err(StoreError::sql("read vacancies"))?;
            let place = Place {
                table: "vacancies",
                column: "data",
                row: &id,
            };
            each(codec::parse_json(&data, place)?)?;
        }
        Ok(())
    }
}

/// `vacancy` with its last-seen times (its own and its postings') set to its first-seen time:
/// what makes a vacancy changed for the index.
fn without_last_seen(vacancy: &Vacancy) -> Vacancy {
    let mut vacancy = vacancy.clone();
    vacancy.last_seen = vacancy.first_seen;
    for posting in &mut vacancy.postings {
        posting.last_seen = posting.first_seen;
    }
    vacancy
}
