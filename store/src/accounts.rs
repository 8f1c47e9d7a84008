//! The portal's people: users with their roles, their sign-in sessions, and failed sign-ins
//! (for the sign-in limit).
//!
//! The store keeps what a leaked copy of the file should not hand over unusable: passwords only
//! as the caller's argon2id hashes, and sessions only as the blake3 hash of their token, so the
//! cookie a browser holds is nowhere on disk. Deciding who may do what is the server's job.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use vindwerk_model::{Role, UserId};

use crate::codec::{self, Place};
use crate::{Batch, Store, StoreError};

/// A portal user as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    /// Lower case; unique.
    pub email: String,
    pub name: String,
    /// An argon2id PHC string.
    pub password_hash: String,
    /// Sorted, without duplicates.
    pub roles: Vec<Role>,
    pub created_at: DateTime<Utc>,
}

impl User {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// What [`Batch::create_user`] needs.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub id: &'a UserId,
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub roles: &'a [Role],
}

/// A live sign-in session and its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    /// The token that state-changing forms of this session must carry.
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The hash under which a session token is kept.
pub(crate) fn token_hash(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

/// Email addresses compare without case and surrounding space.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

const USER_COLUMNS: &str = "id, email, name, password_hash, created_at";

impl Store {
    /// The user with `email` (any case), if any.
    pub fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?1");
        self.user_where(&sql, &normalise_email(email))
    }

    /// The user with `id`, if any.
    pub fn user(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1");
        self.user_where(&sql, id.as_str())
    }

    /// How many users there are (for the first operator account and health reports).
    pub fn count_users(&self) -> Result<u64, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM users", [], |row| row.get::<_, i64>(0))
            .map(|n| n.max(0) as u64)
            .map_err(StoreError::sql("count users"))
    }

    /// The session of `token` when it exists and has not expired at `now`.
    pub fn session(&self, token: &str, now: DateTime<Utc>) -> Result<Option<Session>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT user_id, csrf, created_at, expires_at FROM sessions
                 WHERE token_hash = ?1 AND expires_at > ?2",
            )
            .and_then(|mut statement| {
                statement
                    .query_row(params![token_hash(token), codec::timestamp(now)], |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?,
                            row.get::<_, String>(3)?,
                        ))
                    })
                    .optional()
            })
            .map_err(StoreError::sql("read a session"))?;
        let Some((user_id, csrf, created_at, expires_at)) = row else {
            return Ok(None);
        };
        let place = |column| Place {
            table: "sessions",
            column,
            row: &"(a session)",
        };
        let Some(user) = self.user(&UserId::new(user_id))? else {
            return Ok(None);
        };
        Ok(Some(Session {
            user,
            csrf,
            created_at: codec::parse_timestamp(&created_at, place("created_at"))?,
            expires_at: codec::parse_timestamp(&expires_at, place("expires_at"))?,
        }))
    }

    /// How many sign-ins failed under `key` (an account or an address) since `since`.
    pub fn login_failures_since(&self, key: &str, since: DateTime<Utc>) -> Result<u64, StoreError> {
        self.conn
            .prepare_cached("SELECT count(*) FROM login_failures WHERE key = ?1 AND at > ?2")
            .and_then(|mut statement| {
                statement.query_row(params![key, codec::timestamp(since)], |row| {
                    row.get::<_, i64>(0)
                })
            })
            .map(|n| n.max(0) as u64)
            .map_err(StoreError::sql("count failed sign-ins"))
    }

    fn user_where(&self, sql: &str, value: &str) -> Result<Option<User>, StoreError> {
        let row = self
            .conn
            .prepare_cached(sql)
            .and_then(|mut statement| {
                statement
                    .query_row([value], |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?,
                            row.get::<_, String>(3)?,
                            row.get::<_, String>(4)?,
                        ))
                    })
                    .optional()
            })
            .map_err(StoreError::sql("read a user"))?;
        let Some((id, email, name, password_hash, created_at)) = row else {
            return Ok(None);
        };
        let roles = self.roles_of(&id)?;
        let place = Place {
            table: "users",
            column: "created_at",
            row: &id,
        };
        Ok(Some(User {
            created_at: codec::parse_timestamp(&created_at, place)?,
            id: UserId::new(id),
            email,
            name,
            password_hash,
            roles,
        }))
    }

    fn roles_of(&self, user_id: &str) -> Result<Vec<Role>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT role FROM user_roles WHERE user_id = ?1 ORDER BY role")
            .map_err(StoreError::sql("read roles"))?;
        let words = statement
            .query_map([user_id], |row| row.get::<_, String>(0))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(StoreError::sql("read roles"))?;
        let place = Place {
            table: "user_roles",
            column: "role",
            row: &user_id,
        };
        let mut roles = Vec::with_capacity(words.len());
        for word in words {
            roles.push(codec::parse_word(&word, place)?);
        }
        roles.sort_unstable();
        Ok(roles)
    }
}

impl Batch<'_> {
    /// Adds a user. An email address already taken gives [`StoreError::Duplicate`].
    pub fn create_user(
        &mut self,
        user: &NewUser<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let email = normalise_email(user.email);
        self.atomically(|batch| {
            let inserted = batch
                .tx
                .prepare_cached(
                    "INSERT INTO users (id, email, name, password_hash, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                )
                .and_then(|mut statement| {
                    statement.execute(params![
                        user.id.as_str(),
                        email,
                        user.name,
                        user.password_hash,
                        codec::timestamp(now)
                    ])
                })
                .map_err(StoreError::sql("add a user"))?;
            if inserted == 0 {
                return Err(StoreError::Duplicate {
                    what: "a user with this email address".to_owned(),
                });
            }
            for role in user.roles {
                batch.add_role(user.id, *role)?;
            }
            Ok(())
        })
    }

    /// Gives `user` a role (again is no change).
    pub fn add_role(&mut self, user: &UserId, role: Role) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO user_roles (user_id, role) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )
            .and_then(|mut statement| statement.execute(params![user.as_str(), role.as_str()]))
            .map(drop)
            .map_err(|source| StoreError::sqlite(format!("give user {user} role {role}"), source))
    }

    /// Replaces the password hash of `user`.
    pub fn set_password_hash(&mut self, user: &UserId, hash: &str) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("UPDATE users SET password_hash = ?2 WHERE id = ?1")
            .and_then(|mut statement| statement.execute(params![user.as_str(), hash]))
            .map(drop)
            .map_err(|source| {
                StoreError::sqlite(format!("set the password of user {user}"), source)
            })
    }

    /// Starts a session of `user` under `token` (kept only as its hash).
    pub fn create_session(
        &mut self,
        token: &str,
        user: &UserId,
        csrf: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    token_hash(token),
                    user.as_str(),
                    csrf,
                    codec::timestamp(now),
                    codec::timestamp(expires_at)
                ])
            })
            .map(drop)
            .map_err(|source| StoreError::sqlite(format!("start a session of user {user}"), source))
    }

    /// Ends the session of `token` (an unknown token is no change).
    pub fn delete_session(&mut self, token: &str) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")
            .and_then(|mut statement| statement.execute([token_hash(token)]))
            .map(drop)
            .map_err(StoreError::sql("end a session"))
    }

    /// Ends every session of `user` but the one of `keep` (e.g. after a password change).
    pub fn delete_other_sessions(
        &mut self,
        user: &UserId,
        keep: Option<&str>,
    ) -> Result<u64, StoreError> {
        let keep = keep.map(token_hash).unwrap_or_default();
        self.tx
            .prepare_cached("DELETE FROM sessions WHERE user_id = ?1 AND token_hash != ?2")
            .and_then(|mut statement| statement.execute(params![user.as_str(), keep]))
            .map(|n| n as u64)
            .map_err(|source| {
                StoreError::sqlite(format!("end the sessions of user {user}"), source)
            })
    }

    /// Notes a failed sign-in under `key`, and forgets failures older than `forget_before`.
    pub fn record_login_failure(
        &mut self,
        key: &str,
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("DELETE FROM login_failures WHERE at <= ?1")
            .and_then(|mut statement| statement.execute([codec::timestamp(forget_before)]))
            .and_then(|_| {
                self.tx
                    .prepare_cached("INSERT INTO login_failures (key, at) VALUES (?1, ?2)")
                    .and_then(|mut statement| statement.execute(params![key, codec::timestamp(at)]))
            })
            .map(drop)
            .map_err(StoreError::sql("note a failed sign-in"))
    }

    /// Forgets the failed sign-ins under `key` (after a successful one).
    pub fn clear_login_failures(&mut self, key: &str) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("DELETE FROM login_failures WHERE key = ?1")
            .and_then(|mut statement| statement.execute([key]))
            .map(drop)
            .map_err(StoreError::sql("forget failed sign-ins"))
    }

    /// Deletes `user` with their roles and sessions. Returns whether the user existed.
    pub fn delete_user(&mut self, user: &UserId) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached("DELETE FROM users WHERE id = ?1")
            .and_then(|mut statement| statement.execute([user.as_str()]))
            .map(|n| n > 0)
            .map_err(|source| StoreError::sqlite(format!("delete user {user}"), source))
    }
}
