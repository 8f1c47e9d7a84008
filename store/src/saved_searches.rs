//! Saved searches: a user keeps searches under a name, sees what is new since the last visit,
//! and follows each in a feed reader through a private feed address. The search itself is kept
//! as its query string: the search server reads it as it reads any request.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use vindwerk_model::UserId;

use crate::codec::{self, Place};
use crate::{Batch, Store, StoreError};

/// A saved search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedSearch {
    /// Random and unguessable: it appears in URLs.
    pub id: String,
    pub owner: UserId,
    pub name: String,
    /// The search's query string, as `/` and `/api/search` take it.
    pub query: String,
    /// Random and unguessable: the feed's address, readable without signing in.
    pub feed_token: String,
    pub created_at: DateTime<Utc>,
    /// When the owner last opened it: newer vacancies are "new".
    pub visited_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, owner_id, name, query, feed_token, created_at, visited_at";

type Row = (String, String, String, String, String, String, String);

fn row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
    ))
}

fn saved_search_of(
    (id, owner, name, query, feed_token, created_at, visited_at): Row,
) -> Result<SavedSearch, StoreError> {
    let place = |column| Place {
        table: "saved_searches",
        column,
        row: &id,
    };
    Ok(SavedSearch {
        created_at: codec::parse_timestamp(&created_at, place("created_at"))?,
        visited_at: codec::parse_timestamp(&visited_at, place("visited_at"))?,
        owner: UserId::new(owner),
        name,
        query,
        feed_token,
        id,
    })
}

impl Store {
    /// The saved search `id`, whoever owns it (the caller decides who may see it).
    pub fn saved_search(&self, id: &str) -> Result<Option<SavedSearch>, StoreError> {
        self.one_saved_search("id", id)
    }

    /// The saved search whose feed token is `token`.
    pub fn saved_search_by_feed(&self, token: &str) -> Result<Option<SavedSearch>, StoreError> {
        self.one_saved_search("feed_token", token)
    }

    fn one_saved_search(&self, key: &str, value: &str) -> Result<Option<SavedSearch>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM saved_searches WHERE {key} = ?1");
        let found = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut statement| statement.query_row([value], row).optional())
            .map_err(StoreError::sql("read a saved search"))?;
        found.map(saved_search_of).transpose()
    }

    /// The saved searches of `owner`, by name.
    pub fn saved_searches_of(&self, owner: &UserId) -> Result<Vec<SavedSearch>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM saved_searches WHERE owner_id = ?1
             ORDER BY name COLLATE NOCASE, created_at"
        );
        let rows = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut statement| {
                statement
                    .query_map([owner.as_str()], row)?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(StoreError::sql("read saved searches"))?;
        rows.into_iter().map(saved_search_of).collect()
    }
}

impl Batch<'_> {
    /// Saves `search` (its `created_at` is also its first visit).
    pub fn save_search(&mut self, search: &SavedSearch) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(&format!(
                "INSERT INTO saved_searches ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            ))
            .and_then(|mut statement| {
                statement.execute(params![
                    search.id,
                    search.owner.as_str(),
                    search.name,
                    search.query,
                    search.feed_token,
                    codec::timestamp(search.created_at),
                    codec::timestamp(search.visited_at),
                ])
            })
            .map(drop)
            .map_err(|source| StoreError::sqlite(format!("save search {:?}", search.name), source))
    }

    /// Records a visit of saved search `id` at `now`. Returns whether it exists.
    pub fn visit_saved_search(&mut self, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached("UPDATE saved_searches SET visited_at = ?2 WHERE id = ?1")
            .and_then(|mut statement| statement.execute(params![id, codec::timestamp(now)]))
            .map(|n| n > 0)
            .map_err(StoreError::sql("record a visit of a saved search"))
    }

    /// Deletes saved search `id`. Returns whether it existed.
    pub fn delete_saved_search(&mut self, id: &str) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached("DELETE FROM saved_searches WHERE id = ?1")
            .and_then(|mut statement| statement.execute([id]))
            .map(|n| n > 0)
            .map_err(StoreError::sql("delete a saved search"))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use vindwerk_model::Role;

    use super::*;
    use crate::NewUser;

    #[test]
    fn a_saved_search_is_kept_visited_found_by_its_feed_and_goes_with_its_owner() {
        let mut store = Store::open_in_memory().expect("store");
        let now = Utc
            .with_ymd_and_hms(2026, 12, 1, 9, 0, 0)
            .single()
            .expect("time");
        let owner = UserId::new("u1");
        store
            .write(|batch| {
                batch.create_user(
                    &NewUser {
                        id: &owner,
                        email: "sanne@example.nl",
                        name: "Sanne",
                        password_hash: "x",
                        roles: &[Role::Seeker],
                    },
                    now,
                )
            })
            .expect("user");
        let search = SavedSearch {
            id: "s1".to_owned(),
            owner: owner.clone(),
            name: "Verpleegkundige Utrecht".to_owned(),
            query: "q=verpleegkundige&near=Utrecht&km=25".to_owned(),
            feed_token: "f".repeat(64),
            created_at: now,
            visited_at: now,
        };
        store
            .write(|batch| batch.save_search(&search))
            .expect("saved");
        assert_eq!(
            store.saved_search("s1").expect("read"),
            Some(search.clone())
        );
        assert_eq!(
            store
                .saved_search_by_feed(&"f".repeat(64))
                .expect("read")
                .map(|s| s.id),
            Some("s1".to_owned())
        );
        assert_eq!(store.saved_search_by_feed("g").expect("read"), None);
        let later = now + Duration::days(2);
        assert!(
            store
                .write(|batch| batch.visit_saved_search("s1", later))
                .expect("visit")
        );
        assert_eq!(
            store.saved_searches_of(&owner).expect("read")[0].visited_at,
            later
        );
        store
            .write(|batch| batch.delete_user(&owner))
            .expect("owner deleted");
        assert_eq!(store.saved_search("s1").expect("read"), None);
    }
}
