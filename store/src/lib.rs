//! The SQLite store of vindwerk: what the crawler writes and the indexer, the exporter and the
//! server read.
//!
//! It owns one database file (WAL mode, versioned migrations) holding
//! - **sources** and their **postings**: the current data of each posting (as JSON of
//!   [`PostingData`](vindwerk_model::PostingData)) with a few queryable columns, and the
//!   posting's **history**: every new, changed, expired and reactivated event with its time and
//!   content hash, so nothing is overwritten silently;
//! - **fetch state** per URL (ETag, Last-Modified, last status) for conditional requests;
//! - crawl **runs** and per-source run summaries, for reports;
//! - **vacancies** (the deduplicated jobs the indexer writes back) and which posting belongs to
//!   which vacancy, so vacancy ids stay stable across index runs;
//! - the portal's **users**, their roles and sign-in **sessions** (tokens kept only hashed);
//! - **shortlists** of vacancies that users keep, with a note per vacancy;
//! - **saved searches**, with the last visit and a private feed token;
//! - **password resets** (token hashes) and the **outbox** of messages for people;
//! - Werkestafette **rounds**: their coaches' tables and the participants' choices;
//! - a seeker's **circle**: invitations (kept hashed), members, the **actions** the seeker logs
//!   and the **kudos** members give;
//! - a small **meta** key/value table;
//! - and, beside the file, the **run lock** ([`RunLock`]) that keeps a second crawl out.
//!
//! # Reading and writing
//! [`Store::open`] opens (creating and migrating) the file for the one writer;
//! [`Store::open_readonly`] opens further readers, which never block the writer nor are
//! blocked by it. Reads are methods of [`Store`]; [`Store::read`] holds one snapshot over
//! several. Writes are methods of [`Batch`], one SQLite transaction: [`Store::write`] runs a
//! closure in one and commits it when the closure returns `Ok`, so a crawler commits hundreds
//! of upserts at once. Each write method is all or nothing within its batch: one that fails
//! leaves the batch as it was, so the others can still commit.
//!
//! ```no_run
//! # fn main() -> Result<(), vindwerk_store::StoreError> {
//! use chrono::Utc;
//! use vindwerk_model::{Channel, PostingData, SourceId, SourceKind};
//! use vindwerk_store::Store;
//!
//! let mut store = Store::open("data/vindwerk.db")?;
//! let source = SourceId::new("acme");
//! let data = PostingData { url: "https://acme.nl/vacatures/1".into(), ..PostingData::default() };
//! let upserted = store.write(|batch| {
//!     batch.upsert_posting(&source, SourceKind::Sitemap, Channel::Employer, &data, Utc::now())
//! })?;
//! println!("{:?} posting {}", upserted.outcome, upserted.id);
//! # Ok(()) }
//! ```
//!
//! Streams over many rows take a callback (`for_each_*`), so a million postings are never
//! collected into memory. Changes are numbered with a store-wide [`ChangeSeq`], so a consumer
//! (the index) asks for what changed since the sequence number it last caught up with.
//!
//! # What it does not do
//! It knows no HTTP, no HTML and no tantivy; it does not decide when a posting expires (the
//! crawler does) nor which postings form a vacancy (the indexer does). It is synchronous:
//! async callers give it a thread of its own.

mod accounts;
mod catalogue;
mod circle;
mod codec;
mod error;
mod fetch_state;
mod lock;
mod organisations;
mod outbox;
mod postings;
mod rounds;
mod runs;
mod saved_searches;
mod schema;
mod shortlists;
mod vacancies;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};
use rusqlite_migration::SchemaVersion;
use serde::{Deserialize, Serialize};

pub use accounts::{NewUser, Session, User, normalise_email};
pub use catalogue::{
    Advice, OFFERING_KINDS, Offering, Provider, TRAJECTORY_STATUSES, TrajectoryItem,
};
pub use circle::{Action, CirclePerson, Invitation, Kudos, OpenInvitation};
pub use error::StoreError;
pub use fetch_state::FetchState;
pub use lock::RunLock;
pub use organisations::{Member, Membership, Organisation};
pub use outbox::{OutboxMessage, PasswordReset};
pub use postings::{
    ActivePosting, HistoryEntry, HistoryEvent, SourceRecord, UpsertOutcome, Upserted,
};
pub use rounds::{
    Agreement, Lead, MAX_TABLE_SIZE, Meeting, NewRound, Participant, Round, RoundTable, Seat,
};
pub use runs::{RunId, RunReport, RunStatus, SourceRunSummary};
pub use saved_searches::SavedSearch;
pub use shortlists::{Shortlist, ShortlistItem};

/// How much the store holds, for summaries and health checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreStats {
    pub sources: u64,
    pub postings_active: u64,
    pub postings_expired: u64,
    pub vacancies_active: u64,
    pub vacancies_expired: u64,
}

/// A value of the store-wide change counter. Every committed batch that changes postings or
/// vacancies takes the next value; rows it changed carry it. Its text form (`to_string`,
/// `parse`) is what a consumer keeps as its watermark.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct ChangeSeq(pub i64);

impl fmt::Display for ChangeSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for ChangeSeq {
    type Err = std::num::ParseIntError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.trim().parse().map(ChangeSeq)
    }
}

/// A connection to the store: the writer (from [`Store::open`]) or a reader (from
/// [`Store::open_readonly`]). `Send` but not `Sync`: give each thread its own, or guard one
/// with a mutex.
pub struct Store {
    conn: Connection,
    /// The file, or `:memory:`; for error messages.
    path: PathBuf,
    readonly: bool,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("readonly", &self.readonly)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the store at `path` for writing, creating the file if it does not exist (its
    /// directory must) and migrating it to the current schema. Take the [`RunLock`] first when
    /// this is a crawl or index run: SQLite serialises writers, the lock keeps whole runs apart.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref().to_owned();
        let open_error = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(&path, flags).map_err(open_error)?;
        schema::configure_writer(&conn).map_err(open_error)?;
        migrate(&mut conn, &path)?;
        Ok(Store {
            conn,
            path,
            readonly: false,
        })
    }

    /// Opens an existing store for reading only. It must already have the current schema
    /// (open it once with [`Store::open`] to migrate). Its reads never block the writer.
    pub fn open_readonly(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref().to_owned();
        let open_error = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags).map_err(open_error)?;
        schema::configure_reader(&conn).map_err(open_error)?;
        let version = schema::MIGRATIONS
            .current_version(&conn)
            .map_err(|source| StoreError::Migrate {
                path: path.clone(),
                source,
            })?;
        if version != SchemaVersion::Inside(nonzero(schema::SCHEMA_VERSION)) {
            return Err(StoreError::SchemaVersion {
                path,
                found: version.to_string(),
                expected: schema::SCHEMA_VERSION,
            });
        }
        Ok(Store {
            conn,
            path,
            readonly: true,
        })
    }

    /// A fresh store in memory, migrated: for tests and the demo.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let path = PathBuf::from(":memory:");
        let mut conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        schema::configure_writer(&conn).map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        migrate(&mut conn, &path)?;
        Ok(Store {
            conn,
            path,
            readonly: false,
        })
    }

    /// The file this store was opened on (`:memory:` for an in-memory store).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Starts a write transaction. It takes SQLite's write lock at once (`BEGIN IMMEDIATE`),
    /// so it never fails half-way for want of it. Commit with [`Batch::commit`]; dropping the
    /// batch rolls it back.
    pub fn batch(&mut self) -> Result<Batch<'_>, StoreError> {
        if self.readonly {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
            });
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::sql("begin a write transaction"))?;
        Ok(Batch {
            tx,
            seq: None,
            sources: Default::default(),
        })
    }

    /// Runs `write` in one transaction: committed when it returns `Ok`, rolled back when it
    /// returns `Err` (which is passed on).
    pub fn write<T, E>(
        &mut self,
        write: impl FnOnce(&mut Batch<'_>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut batch = self.batch()?;
        let value = write(&mut batch)?;
        batch.commit()?;
        Ok(value)
    }

    /// Runs `read` inside one read transaction, so every read it makes sees the same snapshot
    /// of the store, however many batches the writer commits meanwhile.
    pub fn read<T, E>(&self, read: impl FnOnce(&Store) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(StoreError::sql("begin a read transaction"))?;
        let value = read(self)?;
        tx.rollback()
            .map_err(StoreError::sql("end a read transaction"))?;
        Ok(value)
    }

    /// The change counter's current value: every change committed so far has a sequence
    /// number at most this.
    pub fn change_seq(&self) -> Result<ChangeSeq, StoreError> {
        self.conn
            .query_row("SELECT value FROM change_counter WHERE id = 1", [], |row| {
                row.get(0)
            })
            .map(ChangeSeq)
            .map_err(StoreError::sql("read the change counter"))
    }

    /// The value of a meta key (e.g. when the last index run finished).
    pub fn meta_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")
            .and_then(|mut statement| statement.query_row([key], |row| row.get(0)).optional())
            .map_err(|source| StoreError::sqlite(format!("read meta key {key:?}"), source))
    }

    /// Counts of sources, postings and vacancies by status.
    pub fn stats(&self) -> Result<StoreStats, StoreError> {
        let count = |sql: &str| -> Result<u64, StoreError> {
            let n: i64 = self
                .conn
                .query_row(sql, [], |row| row.get(0))
                .map_err(StoreError::sql("count rows"))?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        Ok(StoreStats {
            sources: count("SELECT count(*) FROM sources")?,
            postings_active: count("SELECT count(*) FROM postings WHERE status = 'active'")?,
            postings_expired: count("SELECT count(*) FROM postings WHERE status = 'expired'")?,
            vacancies_active: count("SELECT count(*) FROM vacancies WHERE status = 'active'")?,
            vacancies_expired: count("SELECT count(*) FROM vacancies WHERE status = 'expired'")?,
        })
    }

    /// Runs SQLite's `PRAGMA integrity_check`; `Ok(())` when the file is sound, else the
    /// problems it lists.
    pub fn integrity_check(&self) -> Result<Result<(), Vec<String>>, StoreError> {
        let mut statement = self
            .conn
            .prepare("PRAGMA integrity_check")
            .map_err(StoreError::sql("check integrity"))?;
        let lines: Vec<String> = statement
            .query_map([], |row| row.get(0))
            .and_then(|rows| rows.collect())
            .map_err(StoreError::sql("check integrity"))?;
        if lines == ["ok"] {
            Ok(Ok(()))
        } else {
            Ok(Err(lines))
        }
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

fn nonzero(n: usize) -> std::num::NonZeroUsize {
    std::num::NonZeroUsize::new(n).expect("there is at least one migration")
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let migrate_error = |source| StoreError::Migrate {
        path: path.to_owned(),
        source,
    };
    let before = schema::MIGRATIONS
        .current_version(conn)
        .map_err(migrate_error)?;
    schema::MIGRATIONS.to_latest(conn).map_err(migrate_error)?;
    if before != SchemaVersion::Inside(nonzero(schema::SCHEMA_VERSION)) {
        tracing::info!(
            path = %path.display(),
            from = %before,
            to = schema::SCHEMA_VERSION,
            "store migrated"
        );
    }
    Ok(())
}

/// One write transaction on the store (see [`Store::batch`], [`Store::write`]). All writes
/// are its methods; none is visible to readers before [`commit`](Batch::commit).
///
/// Each write method is all or nothing: when it returns an error, the batch is as it was
/// before the call and stays usable, so a caller may report one bad posting and commit the
/// rest of the batch.
pub struct Batch<'s> {
    tx: Transaction<'s>,
    /// The change sequence number this batch stamps on what it changes, taken at its first
    /// change.
    seq: Option<i64>,
    /// Source name -> row id, kind, channel; so a batch of upserts looks its source up once.
    sources: std::collections::HashMap<vindwerk_model::SourceId, postings::SourceRow>,
}

impl Batch<'_> {
    /// Commits every write of the batch at once.
    pub fn commit(self) -> Result<(), StoreError> {
        self.tx
            .commit()
            .map_err(StoreError::sql("commit a write transaction"))
    }

    /// Sets a meta key to `value`, replacing what it held.
    pub fn meta_set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .and_then(|mut statement| statement.execute([key, value]))
            .map(drop)
            .map_err(|source| StoreError::sqlite(format!("set meta key {key:?}"), source))
    }

    /// Runs `write` as one unit inside the batch (an SQLite savepoint): when it fails, what it
    /// wrote is undone and the batch goes on as before the call, so a caller may skip one bad
    /// write and commit the others. Every public write of more than one statement uses it.
    pub(crate) fn atomically<T>(
        &mut self,
        write: impl FnOnce(&mut Self) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.tx
            .prepare_cached("SAVEPOINT batch_write")
            .and_then(|mut statement| statement.execute([]))
            .map_err(StoreError::sql("begin a savepoint"))?;
        let seq = self.seq;
        match write(self) {
            Ok(value) => {
                self.tx
                    .prepare_cached("RELEASE batch_write")
                    .and_then(|mut statement| statement.execute([]))
                    .map_err(StoreError::sql("release a savepoint"))?;
                Ok(value)
            }
            Err(error) => {
                self.tx
                    .execute_batch("ROLLBACK TO batch_write; RELEASE batch_write")
                    .map_err(StoreError::sql("roll back a savepoint"))?;
                // The rollback may have undone the counter's bump and a source's insertion.
                self.seq = seq;
                self.sources.clear();
                Err(error)
            }
        }
    }

    /// The sequence number of this batch's changes, bumping the counter at the first change.
    pub(crate) fn change_seq(&mut self) -> Result<i64, StoreError> {
        if let Some(seq) = self.seq {
            return Ok(seq);
        }
        let seq = self
            .tx
            .query_row(
                "UPDATE change_counter SET value = value + 1 WHERE id = 1 RETURNING value",
                [],
                |row| row.get(0),
            )
            .map_err(StoreError::sql("advance the change counter"))?;
        self.seq = Some(seq);
        Ok(seq)
    }
}
