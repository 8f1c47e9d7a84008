//! The schema, as versioned migrations (rusqlite_migration keeps the version in SQLite's
//! `user_version`), and the connection settings every open applies.
//!
//! A migration, once committed, is never edited: a change to the schema is a new `M::up`
//! appended to [`MIGRATIONS`]. The test `every_migration_applies_to_an_empty_file` runs them
//! all.

use std::time::Duration;

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

/// How long a statement waits for another connection's lock before failing. Readers never
/// wait for the writer in WAL mode; this covers the writer waiting for a checkpoint or a
/// second writer that ignored the run lock.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Timestamps are RFC 3339 text (see `codec::timestamp`); dates are `YYYY-MM-DD`; JSON columns
/// hold the model's serde form; vocabulary columns hold the model's spelling.
const INITIAL: &str = r#"
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL
) STRICT;

-- The store-wide change counter: every transaction that changes a posting or a vacancy takes
-- the next value and stamps the rows it changes, so consumers can ask for what changed since a
-- value they saw (a counter, not a clock: a commit never lands behind a watermark).
CREATE TABLE change_counter (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
) STRICT;
INSERT INTO change_counter (id, value) VALUES (1, 0);

CREATE TABLE postings (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources (id),
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    data TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    valid_through TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'expired')),
    expired_at TEXT,
    expiry_reason TEXT,
    change_seq INTEGER NOT NULL,
    UNIQUE (source_id, url)
) STRICT;
CREATE INDEX postings_source_status ON postings (source_id, status);
CREATE INDEX postings_change_seq ON postings (change_seq);

-- Every event in a posting's life. `data` is the posting's data when the event brought new
-- data (new, changed, reactivated with other data), else NULL.
CREATE TABLE posting_history (
    id INTEGER PRIMARY KEY,
    posting_id INTEGER NOT NULL REFERENCES postings (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('new', 'changed', 'expired', 'reactivated')),
    content_hash TEXT NOT NULL,
    data TEXT,
    expiry_reason TEXT
) STRICT;
CREATE INDEX posting_history_posting ON posting_history (posting_id, id);

CREATE TABLE fetch_state (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    last_status INTEGER,
    fetched_at TEXT NOT NULL,
    body_hash TEXT
) STRICT, WITHOUT ROWID;

CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted'))
) STRICT;

CREATE TABLE source_runs (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    pages_fetched INTEGER NOT NULL,
    postings_found INTEGER NOT NULL,
    postings_new INTEGER NOT NULL,
    postings_changed INTEGER NOT NULL,
    postings_unchanged INTEGER NOT NULL,
    postings_expired INTEGER NOT NULL,
    errors TEXT NOT NULL,
    complete INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (run_id, source)
) STRICT;

CREATE TABLE vacancies (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'expired')),
    updated_at TEXT NOT NULL,
    change_seq INTEGER NOT NULL
) STRICT;
CREATE INDEX vacancies_status ON vacancies (status);
CREATE INDEX vacancies_change_seq ON vacancies (change_seq);

-- A posting belongs to at most one vacancy.
CREATE TABLE vacancy_postings (
    posting_id INTEGER PRIMARY KEY REFERENCES postings (id) ON DELETE CASCADE,
    vacancy_id TEXT NOT NULL REFERENCES vacancies (id) ON DELETE CASCADE
) STRICT;
CREATE INDEX vacancy_postings_vacancy ON vacancy_postings (vacancy_id);

-- Deleted vacancies, so an incremental index update can delete their documents.
CREATE TABLE deleted_vacancies (
    id TEXT PRIMARY KEY,
    change_seq INTEGER NOT NULL
) STRICT;
CREATE INDEX deleted_vacancies_change_seq ON deleted_vacancies (change_seq);

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
"#;

/// The portal's people. Emails are stored lower case; passwords only as argon2id hashes;
/// sessions only as the blake3 hash of their token. Deleting a user deletes their roles and
/// sessions with them.
const ACCOUNTS: &str = r#"
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('seeker', 'circle', 'coach', 'operator')),
    PRIMARY KEY (user_id, role)
) STRICT;

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed sign-ins per account ('account:<email>') and per address ('address:<ip>').
CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at TEXT NOT NULL
) STRICT;
CREATE INDEX login_failures_key_at ON login_failures (key, at);
"#;

/// Shortlists of vacancies, owned by a user; deleted with their owner.
const SHORTLISTS: &str = r#"
CREATE TABLE shortlists (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX shortlists_owner ON shortlists (owner_id);

CREATE TABLE shortlist_items (
    shortlist_id TEXT NOT NULL REFERENCES shortlists (id) ON DELETE CASCADE,
    vacancy_id TEXT NOT NULL,
    note TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (shortlist_id, vacancy_id)
) STRICT;
"#;

/// A seeker's circle: invitations (single use, expiring, kept only as the hash of their
/// token), members, the actions the seeker logs and the kudos ("pluimen") members give.
/// Everything goes with the seeker's account; a member's kudos go with the member's.
const CIRCLE: &str = r#"
CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    seeker_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    used_by TEXT REFERENCES users (id) ON DELETE SET NULL
) STRICT;
CREATE INDEX invitations_seeker ON invitations (seeker_id);

CREATE TABLE circle_members (
    seeker_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    member_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at TEXT NOT NULL,
    PRIMARY KEY (seeker_id, member_id)
) STRICT;
CREATE INDEX circle_members_member ON circle_members (member_id);

CREATE TABLE actions (
    id TEXT PRIMARY KEY,
    seeker_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    day TEXT NOT NULL,
    vacancy_id TEXT,
    position TEXT NOT NULL,
    employer TEXT NOT NULL,
    result TEXT NOT NULL,
    note TEXT NOT NULL,
    shared INTEGER NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX actions_seeker_day ON actions (seeker_id, day);

CREATE TABLE kudos (
    action_id TEXT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    member_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message TEXT NOT NULL,
    given_at TEXT NOT NULL,
    PRIMARY KEY (action_id, member_id)
) STRICT;
"#;

/// Saved searches: a user's searches by name, with the instant of the last visit ("new since
/// your last visit") and the token of the private Atom feed; deleted with their owner.
const SAVED_SEARCHES: &str = r#"
CREATE TABLE saved_searches (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    feed_token TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    visited_at TEXT NOT NULL
) STRICT;
CREATE INDEX saved_searches_owner ON saved_searches (owner_id);
"#;

/// A shortlist its owner shares with their circle: members see it (and its notes).
const SHORTLIST_SHARING: &str = r#"
ALTER TABLE shortlists ADD COLUMN shared_with_circle INTEGER NOT NULL DEFAULT 0;
"#;

/// Password resets (single use, expiring, kept only as the hash of their token) and the
/// outbox of messages for people: with no mail server, the operator reads them with
/// `vindwerk outbox`, which empties their body once read. Both go with the account.
const RESETS_AND_OUTBOX: &str = r#"
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
) STRICT;
CREATE INDEX password_resets_user ON password_resets (user_id);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    delivered_at TEXT
) STRICT;
"#;

/// Werkestafette rounds: an organiser's round, the coaches who join it (each leads a table),
/// the seekers who register and the table each chose. A round goes with its organiser; a
/// coach's or participant's part goes with their account.
const ROUNDS: &str = r#"
CREATE TABLE rounds (
    id TEXT PRIMARY KEY,
    organiser_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    city TEXT NOT NULL,
    kickoff TEXT NOT NULL,
    weeks INTEGER NOT NULL,
    table_size INTEGER NOT NULL,
    choice_open INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX rounds_organiser ON rounds (organiser_id);

CREATE TABLE round_tables (
    id TEXT PRIMARY KEY,
    round_id TEXT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    coach_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    intro TEXT NOT NULL,
    joined_at TEXT NOT NULL,
    UNIQUE (round_id, coach_id)
) STRICT;

CREATE TABLE round_participants (
    round_id TEXT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    table_id TEXT REFERENCES round_tables (id) ON DELETE SET NULL,
    registered_at TEXT NOT NULL,
    PRIMARY KEY (round_id, user_id)
) STRICT;
CREATE INDEX round_participants_user ON round_participants (user_id);
"#;

/// Leads that a participant brings to a tablemate (a vacancy, a contact, an organisation, an
/// opening), with what came of them. They go with either person's account.
const LEADS: &str = r#"
CREATE TABLE leads (
    id TEXT PRIMARY KEY,
    round_id TEXT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    from_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    to_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    vacancy_id TEXT,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL,
    outcome TEXT,
    outcome_note TEXT NOT NULL DEFAULT '',
    outcome_at TEXT
) STRICT;
CREATE INDEX leads_round ON leads (round_id);
"#;

/// The key a coach's scripts export a shortlist with, without a session.
const SHORTLIST_EXPORT_TOKEN: &str = r#"
ALTER TABLE shortlists ADD COLUMN export_token TEXT;
CREATE UNIQUE INDEX shortlists_export_token ON shortlists (export_token)
    WHERE export_token IS NOT NULL;
"#;

/// A table's weekly meetings (day, place or call link, agenda, notes, who came) and the
/// agreements made at them (who does what for whom), open until ticked off.
const MEETINGS: &str = r#"
CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    table_id TEXT NOT NULL REFERENCES round_tables (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    place TEXT NOT NULL,
    agenda TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX meetings_table ON meetings (table_id);

CREATE TABLE meeting_attendance (
    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (meeting_id, user_id)
) STRICT;

CREATE TABLE agreements (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    who_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    for_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    what TEXT NOT NULL,
    done_at TEXT
) STRICT;
"#;

/// Mail delivery of the outbox: how often sending a message failed, when last, and why. A
/// message that keeps failing waits for the operator's `vindwerk outbox`.
const OUTBOX_DELIVERY: &str = r#"
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN last_attempt_at TEXT;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
"#;

/// Who may see a source's vacancies: `public`, or `org:<slug>` for an organisation's internal
/// labour market (`audience` in `sources.toml`).
const SOURCE_AUDIENCE: &str = r#"
ALTER TABLE sources ADD COLUMN audience TEXT NOT NULL DEFAULT 'public';
"#;

/// Organisations with an internal labour market and their members (administrators manage
/// the members).
const ORGANISATIONS: &str = r#"
CREATE TABLE organisations (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE organisation_members (
    slug TEXT NOT NULL REFERENCES organisations (slug) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    admin INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
    added_at TEXT NOT NULL,
    PRIMARY KEY (slug, user_id)
) STRICT;

CREATE INDEX organisation_members_by_user ON organisation_members (user_id);
"#;

/// The provider catalogue: providers (approved by an operator), the people who work for
/// them, their offerings, and seekers' trajectories of chosen offerings.
const CATALOGUE: &str = r#"
CREATE TABLE providers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    website TEXT NOT NULL,
    description TEXT NOT NULL,
    approved_at TEXT,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE provider_members (
    provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (provider_id, user_id)
) STRICT;
CREATE INDEX provider_members_by_user ON provider_members (user_id);

CREATE TABLE offerings (
    id TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('training', 'coaching', 'workshop', 'advice')),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    price_euros REAL,
    duration TEXT NOT NULL,
    region TEXT,
    online INTEGER NOT NULL CHECK (online IN (0, 1)),
    link TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX offerings_by_provider ON offerings (provider_id);

CREATE TABLE trajectory_items (
    seeker_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    offering_id TEXT NOT NULL REFERENCES offerings (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('interested', 'enrolled', 'done')),
    note TEXT NOT NULL,
    added_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (seeker_id, offering_id)
) STRICT;
"#;

/// Advice a coach writes to a seeker.
const ADVICE: &str = r#"
CREATE TABLE advice (
    id TEXT PRIMARY KEY,
    seeker_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    coach_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX advice_by_seeker ON advice (seeker_id, created_at);
"#;

const MIGRATION_LIST: &[M<'static>] = &[
    M::up(INITIAL).comment("initial schema"),
    M::up(ACCOUNTS).comment("portal accounts and sessions"),
    M::up(SHORTLISTS).comment("shortlists of vacancies"),
    M::up(CIRCLE).comment("circles, actions and kudos"),
    M::up(SAVED_SEARCHES).comment("saved searches"),
    M::up(SHORTLIST_SHARING).comment("shortlists shared with the circle"),
    M::up(RESETS_AND_OUTBOX).comment("password resets and the outbox"),
    M::up(ROUNDS).comment("werkestafette rounds and tables"),
    M::up(LEADS).comment("leads between tablemates"),
    M::up(SHORTLIST_EXPORT_TOKEN).comment("shortlist export keys for scripts"),
    M::up(MEETINGS).comment("a table's meetings and agreements"),
    M::up(OUTBOX_DELIVERY).comment("mail delivery attempts of the outbox"),
    M::up(SOURCE_AUDIENCE).comment("the audience of a source"),
    M::up(ORGANISATIONS).comment("organisations and their members"),
    M::up(CATALOGUE).comment("the provider catalogue and trajectories"),
    M::up(ADVICE).comment("a coach's advice to a seeker"),
];

/// Every migration, oldest first.
pub(crate) const MIGRATIONS: Migrations<'static> = Migrations::from_slice(MIGRATION_LIST);

/// The schema version a fully migrated store has.
pub(crate) const SCHEMA_VERSION: usize = MIGRATION_LIST.len();

/// Settings of a connection that writes: WAL so readers never block the writer (nor it them),
/// `synchronous=NORMAL` (in WAL a commit survives a killed process; only a power loss can
/// lose the last commits, never corrupt the file), and foreign keys enforced.
pub(crate) fn configure_writer(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // In-memory databases answer "memory": WAL needs a file.
    let _mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

pub(crate) fn configure_reader(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        MIGRATIONS
            .validate()
            .expect("every migration applies to an empty database");
    }
}
