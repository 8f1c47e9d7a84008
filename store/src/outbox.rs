//! Password resets and the outbox.
//!
//! A reset is a single-use, expiring link whose token the store keeps only as a hash. The
//! message carrying it goes to the outbox: with no mail server, the operator reads it with
//! `vindwerk outbox` and passes it on; reading it empties its body, so the link is on disk
//! only until it has been handed over.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use vindwerk_model::UserId;

use crate::accounts::token_hash;
use crate::codec::{self, Place};
use crate::{Batch, Store, StoreError};

/// A live password reset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordReset {
    pub user: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A message for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// How often sending it by mail failed, when last, and why.
    pub attempts: u32,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

impl Store {
    /// The reset of `token` if it is unused and not expired at `now`.
    pub fn password_reset(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PasswordReset>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT user_id, created_at, expires_at FROM password_resets
                 WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
            )
            .and_then(|mut statement| {
                statement
                    .query_row(params![token_hash(token), codec::timestamp(now)], |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?,
                        ))
                    })
                    .optional()
            })
            .map_err(StoreError::sql("read a password reset"))?;
        let Some((user, created_at, expires_at)) = row else {
            return Ok(None);
        };
        let place = |column| Place {
            table: "password_resets",
            column,
            row: &user,
        };
        Ok(Some(PasswordReset {
            created_at: codec::parse_timestamp(&created_at, place("created_at"))?,
            expires_at: codec::parse_timestamp(&expires_at, place("expires_at"))?,
            user: UserId::new(user.clone()),
        }))
    }

    /// How many resets `user` asked for since `since` (to limit them).
    pub fn resets_since(&self, user: &UserId, since: DateTime<Utc>) -> Result<u64, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT count(*) FROM password_resets WHERE user_id = ?1 AND created_at > ?2",
            )
            .and_then(|mut statement| {
                statement.query_row(params![user.as_str(), codec::timestamp(since)], |row| {
                    row.get::<_, i64>(0)
                })
            })
            .map(|n| n.max(0) as u64)
            .map_err(StoreError::sql("count password resets"))
    }

    /// The messages not yet delivered, oldest first.
    pub fn undelivered(&self) -> Result<Vec<OutboxMessage>, StoreError> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT id, recipient, subject, body, created_at, attempts, last_attempt_at,
                        last_error
                 FROM outbox WHERE delivered_at IS NULL ORDER BY id",
            )
            .and_then(|mut statement| {
                statement
                    .query_map([], |row| {
                        Ok((
                            row.get::<_, i64>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?,
                            row.get::<_, String>(3)?,
                            row.get::<_, String>(4)?,
                            row.get::<_, i64>(5)?,
                            row.get::<_, Option<String>>(6)?,
                            row.get::<_, Option<String>>(7)?,
                        ))
                    })?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(StoreError::sql("read the outbox"))?;
        rows.into_iter()
            .map(
                |(
                    id,
                    recipient,
                    subject,
                    body,
                    created_at,
                    attempts,
                    last_attempt_at,
                    last_error,
                )| {
                    let row = id.to_string();
                    let place = |column| Place {
                        table: "outbox",
                        column,
                        row: &row,
                    };
                    Ok(OutboxMessage {
                        created_at: codec::parse_timestamp(&created_at, place("created_at"))?,
                        last_attempt_at: last_attempt_at
                            .map(|at| codec::parse_timestamp(&at, place("last_attempt_at")))
                            .transpose()?,
                        attempts: u32::try_from(attempts.max(0)).unwrap_or(u32::MAX),
                        last_error,
                        id,
                        recipient,
                        subject,
                        body,
                    })
                },
            )
            .collect()
    }
}

impl Batch<'_> {
    /// Starts a reset of `user`'s password under `token` (kept only as its hash).
    pub fn create_password_reset(
        &mut self,
        token: &str,
        user: &UserId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    token_hash(token),
                    user.as_str(),
                    codec::timestamp(now),
                    codec::timestamp(expires_at)
                ])
            })
            .map(drop)
            .map_err(|source| {
                StoreError::sqlite(format!("start a password reset of user {user}"), source)
            })
    }

    /// Uses the reset of `token`: it works once. Returns whether it was live at `now`.
    pub fn use_password_reset(
        &mut self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE password_resets SET used_at = ?2
                 WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
            )
            .and_then(|mut statement| {
                statement.execute(params![token_hash(token), codec::timestamp(now)])
            })
            .map(|n| n > 0)
            .map_err(StoreError::sql("use a password reset"))
    }

    /// Puts a message for `recipient` (the account `user`, if any) in the outbox.
    pub fn queue_message(
        &mut self,
        user: Option<&UserId>,
        recipient: &str,
        subject: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO outbox (user_id, recipient, subject, body, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    user.map(UserId::as_str),
                    recipient,
                    subject,
                    body,
                    codec::timestamp(now)
                ])
            })
            .map(drop)
            .map_err(StoreError::sql("queue a message"))
    }

    /// Marks message `id` delivered and empties its body. Returns whether it was undelivered.
    pub fn mark_delivered(&mut self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE outbox SET delivered_at = ?2, body = ''
                 WHERE id = ?1 AND delivered_at IS NULL",
            )
            .and_then(|mut statement| statement.execute(params![id, codec::timestamp(now)]))
            .map(|n| n > 0)
            .map_err(StoreError::sql("mark a message delivered"))
    }

    /// Records that sending message `id` failed at `now` with `error`; it stays waiting. The
    /// attempts counted become at least `at_least` (a refusal for good counts as all of them).
    pub fn record_delivery_failure(
        &mut self,
        id: i64,
        error: &str,
        now: DateTime<Utc>,
        at_least: u32,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE outbox SET attempts = max(attempts + 1, ?4), last_attempt_at = ?2,
                                   last_error = ?3
                 WHERE id = ?1 AND delivered_at IS NULL",
            )
            .and_then(|mut statement| {
                statement.execute(params![id, codec::timestamp(now), error, at_least])
            })
            .map(drop)
            .map_err(StoreError::sql("record a failed delivery"))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use vindwerk_model::Role;

    use super::*;
    use crate::NewUser;

    #[test]
    fn a_reset_works_once_before_it_expires_and_a_read_message_keeps_no_link() {
        let mut store = Store::open_in_memory().expect("store");
        let now = Utc
            .with_ymd_and_hms(2026, 12, 1, 9, 0, 0)
            .single()
            .expect("time");
        let user = UserId::new("u1");
        store
            .write(|batch| {
                batch.create_user(
                    &NewUser {
                        id: &user,
                        email: "sanne@example.nl",
                        name: "Sanne",
                        password_hash: "x",
                        roles: &[Role::Seeker],
                    },
                    now,
                )?;
                batch.create_password_reset("token-a", &user, now, now + Duration::hours(1))?;
                batch.create_password_reset("token-b", &user, now, now + Duration::hours(1))?;
                batch.queue_message(
                    Some(&user),
                    "sanne@example.nl",
                    "Wachtwoord herstellen",
                    "https://vindwerk.example/wachtwoord-herstellen/token-a",
                    now,
                )
            })
            .expect("written");
        assert_eq!(
            store
                .resets_since(&user, now - Duration::minutes(1))
                .expect("count"),
            2
        );
        let live = store.password_reset("token-a", now).expect("read");
        assert_eq!(live.map(|r| r.user), Some(user.clone()));
        assert_eq!(store.password_reset("other", now).expect("read"), None);
        let later = now + Duration::hours(2);
        assert_eq!(store.password_reset("token-b", later).expect("read"), None);
        assert!(
            !store
                .write(|batch| batch.use_password_reset("token-b", later))
                .expect("used")
        );
        assert!(
            store
                .write(|batch| batch.use_password_reset("token-a", now))
                .expect("used")
        );
        assert!(
            !store
                .write(|batch| batch.use_password_reset("token-a", now))
                .expect("used twice")
        );

        let messages = store.undelivered().expect("outbox");
        assert_eq!(messages.len(), 1);
        assert!(messages[0].body.contains("token-a"));
        assert_eq!(
            (messages[0].attempts, messages[0].last_error.as_deref()),
            (0, None)
        );
        let id = messages[0].id;
        store
            .write(|batch| batch.record_delivery_failure(id, "connection refused", now, 0))
            .expect("failure recorded");
        let waiting = &store.undelivered().expect("outbox")[0];
        assert_eq!(waiting.attempts, 1);
        assert_eq!(waiting.last_attempt_at, Some(now));
        assert_eq!(waiting.last_error.as_deref(), Some("connection refused"));
        store
            .write(|batch| batch.record_delivery_failure(id, "550 no such mailbox", now, 6))
            .expect("refusal recorded");
        assert_eq!(store.undelivered().expect("outbox")[0].attempts, 6);
        assert!(
            store
                .write(|batch| batch.mark_delivered(id, now))
                .expect("delivered")
        );
        assert!(store.undelivered().expect("outbox").is_empty());
        let body: String = store
            .conn
            .query_row("SELECT body FROM outbox WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .expect("row");
        assert_eq!(body, "", "the link is gone once read");

        store
            .write(|batch| batch.delete_user(&user))
            .expect("deleted");
        let left: i64 = store
            .conn
            .query_row(
                "SELECT (SELECT count(*) FROM outbox) + (SELECT count(*) FROM password_resets)",
                [],
                |row| row.get(0),
            )
            .expect("count");
        assert_eq!(left, 0, "resets and messages go with the account");
    }
}
