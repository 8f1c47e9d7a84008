//! Shortlists: named lists of vacancies that a seeker or coach keeps, with a note per vacancy.
//! A vacancy on a list is kept by id, so it stays on the list when it expires (the list shows
//! since when) or when the index no longer holds it.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use vindwerk_model::{UserId, VacancyId};

use crate::codec::{self, Place};
use crate::{Batch, Store, StoreError};

/// A shortlist, without its vacancies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortlist {
    /// Random and unguessable: it appears in URLs.
    pub id: String,
    pub owner: UserId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// The owner's circle sees the list, with its notes.
    pub shared_with_circle: bool,
    /// The key with which scripts download the list (`/api/shortlists/{id}.csv?token=`).
    pub export_token: Option<String>,
}

/// A vacancy on a shortlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortlistItem {
    pub vacancy: VacancyId,
    pub note: String,
    pub added_at: DateTime<Utc>,
}

impl Store {
    /// The shortlist `id`, whoever owns it (the caller decides who may see it).
    pub fn shortlist(&self, id: &str) -> Result<Option<Shortlist>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT id, owner_id, name, created_at, shared_with_circle, export_token FROM shortlists
                 WHERE id = ?1",
            )
            .and_then(|mut statement| statement.query_row([id], shortlist_row).optional())
            .map_err(StoreError::sql("read a shortlist"))?;
        row.map(shortlist_of).transpose()
    }

    /// The shortlists of `owner`, by name.
    pub fn shortlists_of(&self, owner: &UserId) -> Result<Vec<Shortlist>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT id, owner_id, name, created_at, shared_with_circle, export_token FROM shortlists
                 WHERE owner_id = ?1 ORDER BY name COLLATE NOCASE, created_at",
            )
            .map_err(StoreError::sql("read shortlists"))?;
        let rows = statement
            .query_map([owner.as_str()], shortlist_row)
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(StoreError::sql("read shortlists"))?;
        rows.into_iter().map(shortlist_of).collect()
    }

    /// The vacancies on shortlist `id`, oldest first.
    pub fn shortlist_items(&self, id: &str) -> Result<Vec<ShortlistItem>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT vacancy_id, note, added_at FROM shortlist_items
                 WHERE shortlist_id = ?1 ORDER BY added_at, vacancy_id",
            )
            .map_err(StoreError::sql("read a shortlist's vacancies"))?;
        let rows = statement
            .query_map([id], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(StoreError::sql("read a shortlist's vacancies"))?;
        let mut items = Vec::with_capacity(rows.len());
        for (vacancy, note, added_at) in rows {
            let place = Place {
                table: "shortlist_items",
                column: "added_at",
                row: &vacancy,
            };
            items.push(ShortlistItem {
                added_at: codec::parse_timestamp(&added_at, place)?,
                vacancy: VacancyId::new(vacancy),
                note,
            });
        }
        Ok(items)
    }
}

type ShortlistRow = (String, String, String, String, bool, Option<String>);

/// The columns `id, owner_id, name, created_at, shared_with_circle` of a shortlist row.
fn shortlist_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ShortlistRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

fn shortlist_of(
    (id, owner, name, created_at, shared_with_circle, export_token): ShortlistRow,
) -> Result<Shortlist, StoreError> {
    let place = Place {
        table: "shortlists",
        column: "created_at",
        row: &id,
    };
    Ok(Shortlist {
        created_at: codec::parse_timestamp(&created_at, place)?,
        owner: UserId::new(owner),
        id,
        name,
        shared_with_circle,
        export_token,
    })
}

impl Batch<'_> {
    /// Starts an empty shortlist `id` of `owner`.
    pub fn create_shortlist(
        &mut self,
        id: &str,
        owner: &UserId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO shortlists (id, owner_id, name, created_at) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut statement| {
                statement.execute(params![id, owner.as_str(), name, codec::timestamp(now)])
            })
            .map(drop)
            .map_err(|source| StoreError::sqlite(format!("create shortlist {name:?}"), source))
    }

    /// Puts `vacancy` on shortlist `id` with `note`; a vacancy already on it gets the new note.
    pub fn put_on_shortlist(
        &mut self,
        id: &str,
        vacancy: &VacancyId,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO shortlist_items (shortlist_id, vacancy_id, note, added_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (shortlist_id, vacancy_id) DO UPDATE SET note = excluded.note",
            )
            .and_then(|mut statement| {
                statement.execute(params![id, vacancy.as_str(), note, codec::timestamp(now)])
            })
            .map(drop)
            .map_err(|source| {
                StoreError::sqlite(format!("put vacancy {vacancy} on a shortlist"), source)
            })
    }

    /// Takes `vacancy` off shortlist `id`. Returns whether it was on it.
    pub fn take_off_shortlist(
        &mut self,
        id: &str,
        vacancy: &VacancyId,
    ) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached(
                "DELETE FROM shortlist_items WHERE shortlist_id = ?1 AND vacancy_id = ?2",
            )
            .and_then(|mut statement| statement.execute(params![id, vacancy.as_str()]))
            .map(|n| n > 0)
            .map_err(|source| {
                StoreError::sqlite(format!("take vacancy {vacancy} off a shortlist"), source)
            })
    }

    /// Gives shortlist `id` a new key for scripts, or none. Returns whether it exists.
    pub fn set_shortlist_export_token(
        &mut self,
        id: &str,
        token: Option<&str>,
    ) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached("UPDATE shortlists SET export_token = ?2 WHERE id = ?1")
            .and_then(|mut statement| statement.execute(params![id, token]))
            .map(|n| n > 0)
            .map_err(StoreError::sql("set a shortlist's export key"))
    }

    /// Shares shortlist `id` with its owner's circle, or stops sharing it. Returns whether it
    /// exists.
    pub fn share_shortlist(&mut self, id: &str, shared: bool) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached("UPDATE shortlists SET shared_with_circle = ?2 WHERE id = ?1")
            .and_then(|mut statement| statement.execute(params![id, shared]))
            .map(|n| n > 0)
            .map_err(StoreError::sql("share a shortlist"))
    }

    /// Deletes shortlist `id` with its vacancies. Returns whether it existed.
    pub fn delete_shortlist(&mut self, id: &str) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached("DELETE FROM shortlists WHERE id = ?1")
            .and_then(|mut statement| statement.execute([id]))
            .map(|n| n > 0)
            .map_err(StoreError::sql("delete a shortlist"))
    }
}
