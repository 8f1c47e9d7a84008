//! Fetch state per URL: what the crawler needs for a conditional request next round (ETag,
//! Last-Modified) and what it learnt last time (status, time, body hash).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::codec::{self, Place};
use crate::{Batch, Store, StoreError};

/// What the crawler remembers of its last fetch of one URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchState {
    /// The `ETag` the server sent, for `If-None-Match`.
    pub etag: Option<String>,
    /// The `Last-Modified` the server sent, verbatim, for `If-Modified-Since`.
    pub last_modified: Option<String>,
    /// The HTTP status of the last answer; `None` when no answer came (time-out, refused).
    pub last_status: Option<u16>,
    pub fetched_at: DateTime<Utc>,
    /// A hash of the body, when the crawler keeps one to skip unchanged bodies.
    pub body_hash: Option<String>,
}

/// A `fetch_state` row before its timestamp is parsed.
struct StoredFetchState {
    etag: Option<String>,
    last_modified: Option<String>,
    last_status: Option<u16>,
    fetched_at: String,
    body_hash: Option<String>,
}

impl Store {
    /// The fetch state of `url`, if it was ever saved.
    pub fn fetch_state(&self, url: &str) -> Result<Option<FetchState>, StoreError> {
        let sql_error = |error| StoreError::sqlite(format!("read fetch state of {url}"), error);
        let row = self
            .conn()
            .prepare_cached(
                "SELECT etag, last_modified, last_status, fetched_at, body_hash
                 FROM fetch_state WHERE url = ?1",
            )
            .and_then(|mut statement| {
                statement
                    .query_row([url], |row| {
                        Ok(StoredFetchState {
                            etag: row.get(0)?,
                            last_modified: row.get(1)?,
                            last_status: row.get(2)?,
                            fetched_at: row.get(3)?,
                            body_hash: row.get(4)?,
                        })
                    })
                    .optional()
            })
            .map_err(sql_error)?;
        let Some(StoredFetchState {
            etag,
            last_modified,
            last_status,
            fetched_at,
            body_hash,
        }) = row
        else {
            return Ok(None);
        };
        let place = Place {
            table: "fetch_state",
            column: "fetched_at",
            row: &url,
        };
        Ok(Some(FetchState {
            etag,
            last_modified,
            last_status,
            fetched_at: codec::parse_timestamp(&fetched_at, place)?,
            body_hash,
        }))
    }
}

impl Batch<'_> {
    /// Saves the fetch state of `url`, replacing the previous one.
    pub fn save_fetch_state(&mut self, url: &str, state: &FetchState) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO fetch_state (url, etag, last_modified, last_status, fetched_at, body_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,
                     last_modified = excluded.last_modified, last_status = excluded.last_status,
                     fetched_at = excluded.fetched_at, body_hash = excluded.body_hash",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    url,
                    state.etag,
                    state.last_modified,
                    state.last_status,
                    codec::timestamp(state.fetched_at),
                    state.body_hash,
                ])
            })
            .map(drop)
            .map_err(|error| StoreError::sqlite(format!("save fetch state of {url}"), error))
    }
}
