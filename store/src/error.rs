//! The store's one error type. Every variant names what was being done and to which row or
//! file, so a message alone tells an operator where to look.

use std::path::PathBuf;

use vindwerk_model::{PostingId, SourceId};

use crate::RunId;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened or configured (missing directory, not a
    /// database, no permission).
    #[error("cannot open store {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    /// Applying the schema migrations failed.
    #[error("cannot migrate store {path} to the current schema")]
    Migrate {
        path: PathBuf,
        #[source]
        source: rusqlite_migration::Error,
    },

    /// A read-only open found a schema other than the one this build writes; open it once
    /// for writing (a crawl or an index run) to migrate it.
    #[error("store {path} has schema version {found}, this build expects {expected}")]
    SchemaVersion {
        path: PathBuf,
        found: String,
        expected: usize,
    },

    /// A write was attempted on a store opened with [`Store::open_readonly`](crate::Store::open_readonly).
    #[error("store {path} is open read-only")]
    ReadOnly { path: PathBuf },

    /// A statement failed; `context` says which operation on which row.
    #[error("cannot {context}")]
    Sqlite {
        context: String,
        #[source]
        source: rusqlite::Error,
    },

    /// A row holds a value this build cannot read (bad JSON, unknown vocabulary spelling,
    /// malformed timestamp): the file was edited by hand or written by a newer build.
    #[error("unreadable {column} in {table} row {row}: {detail}")]
    Corrupt {
        table: &'static str,
        column: &'static str,
        row: String,
        detail: String,
    },

    /// A value could not be encoded as JSON.
    #[error("cannot encode {what} as json")]
    Encode {
        what: String,
        #[source]
        source: serde_json::Error,
    },

    /// A posting without a URL cannot be keyed.
    #[error("posting of source {source_id} has an empty url")]
    EmptyUrl { source_id: SourceId },

    /// A row that must be unique exists already.
    #[error("{what} exists already")]
    Duplicate { what: String },

    #[error("no posting with id {0}")]
    UnknownPosting(PostingId),

    #[error("no crawl run with id {0}")]
    UnknownRun(RunId),

    /// Another process holds the run lock (CONTRACT.md: exit status 75).
    #[error("another run holds the lock on {path}: {holder}")]
    Locked { path: PathBuf, holder: String },

    /// The lock file could not be created, read or locked.
    #[error("cannot use lock file {path}")]
    LockFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl StoreError {
    /// A closure turning a rusqlite error into [`StoreError::Sqlite`] with a fixed context.
    pub(crate) fn sql(context: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
        move |source| StoreError::Sqlite {
            context: context.to_owned(),
            source,
        }
    }

    pub(crate) fn sqlite(context: String, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite { context, source }
    }
}
