//! A seeker's circle: invitations, members, the actions the seeker logs and the kudos
//! ("pluimen") that members give them.
//!
//! An invitation is a single-use link that expires; only the hash of its token is kept, so the
//! store cannot hand out a working link. Who may see what is the caller's decision; these
//! functions only answer for the seeker or member they are given.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};
use vindwerk_model::{ActionKind, Role, UserId, VacancyId};

use crate::accounts::token_hash;
use crate::codec::{self, Place};
use crate::{Batch, Store, StoreError};

/// A valid invitation, as the invitee sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub seeker: UserId,
    pub seeker_name: String,
    /// Whom the seeker invited, in their own words ("Tante Ria").
    pub name: String,
    pub expires_at: DateTime<Utc>,
}

/// An invitation not used yet, as the seeker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInvitation {
    /// The hash of the token: names the invitation (to revoke it), not a working link.
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Someone in a circle: a member of a seeker's circle, or a seeker whose circle one joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CirclePerson {
    pub user: UserId,
    pub name: String,
    pub joined_at: DateTime<Utc>,
}

/// A step a seeker logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// Random and unguessable: it appears in URLs.
    pub id: String,
    pub seeker: UserId,
    pub kind: ActionKind,
    pub day: NaiveDate,
    /// The vacancy it was about, kept when the vacancy expires or leaves the index.
    pub vacancy: Option<VacancyId>,
    /// The position and employer, as the seeker wrote them or as the vacancy named them.
    pub position: String,
    pub employer: String,
    /// How it turned out ("uitgenodigd", "afgewezen"...), for the overview for UWV.
    pub result: String,
    pub note: String,
    /// Shown to the circle; otherwise the seeker's alone.
    pub shared: bool,
    pub created_at: DateTime<Utc>,
}

/// A pluim: one per member per action, with an optional short message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kudos {
    pub action: String,
    pub member: UserId,
    pub member_name: String,
    pub message: String,
    pub given_at: DateTime<Utc>,
}

const ACTION_COLUMNS: &str = "id, seeker_id, kind, day, vacancy_id, position, employer, result, \
                              note, shared, created_at";

impl Store {
    /// The invitation of `token` when it is unused and has not expired at `now`.
    pub fn invitation(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Invitation>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT i.seeker_id, u.name, i.name, i.expires_at
                 FROM invitations i JOIN users u ON u.id = i.seeker_id
                 WHERE i.token_hash = ?1 AND i.used_at IS NULL AND i.expires_at > ?2",
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
            .map_err(StoreError::sql("read an invitation"))?;
        let Some((seeker, seeker_name, name, expires_at)) = row else {
            return Ok(None);
        };
        let place = Place {
            table: "invitations",
            column: "expires_at",
            row: &"(an invitation)",
        };
        Ok(Some(Invitation {
            expires_at: codec::parse_timestamp(&expires_at, place)?,
            seeker: UserId::new(seeker),
            seeker_name,
            name,
        }))
    }

    /// The invitations of `seeker` that are neither used nor expired at `now`, newest first.
    pub fn open_invitations(
        &self,
        seeker: &UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<OpenInvitation>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT token_hash, name, created_at, expires_at FROM invitations
                 WHERE seeker_id = ?1 AND used_at IS NULL AND expires_at > ?2
                 ORDER BY created_at DESC",
            )
            .map_err(StoreError::sql("read invitations"))?;
        let rows = statement
            .query_map(params![seeker.as_str(), codec::timestamp(now)], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(StoreError::sql("read invitations"))?;
        rows.into_iter()
            .map(|(id, name, created_at, expires_at)| {
                let place = |column| Place {
                    table: "invitations",
                    column,
                    row: &"(an invitation)",
                };
                Ok(OpenInvitation {
                    created_at: codec::parse_timestamp(&created_at, place("created_at"))?,
                    expires_at: codec::parse_timestamp(&expires_at, place("expires_at"))?,
                    id,
                    name,
                })
            })
            .collect()
    }

    /// The members of `seeker`'s circle, in the order they joined.
    pub fn circle_of(&self, seeker: &UserId) -> Result<Vec<CirclePerson>, StoreError> {
        self.circle_people(
            "SELECT c.member_id, u.name, c.joined_at FROM circle_members c
             JOIN users u ON u.id = c.member_id WHERE c.seeker_id = ?1
             ORDER BY c.joined_at, u.name",
            seeker,
        )
    }

    /// The seekers whose circle `member` is in, by name.
    pub fn circles_joined(&self, member: &UserId) -> Result<Vec<CirclePerson>, StoreError> {
        self.circle_people(
            "SELECT c.seeker_id, u.name, c.joined_at FROM circle_members c
             JOIN users u ON u.id = c.seeker_id WHERE c.member_id = ?1
             ORDER BY u.name COLLATE NOCASE, c.joined_at",
            member,
        )
    }

    fn circle_people(&self, sql: &str, user: &UserId) -> Result<Vec<CirclePerson>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(sql)
            .map_err(StoreError::sql("read a circle"))?;
        let rows = statement
            .query_map([user.as_str()], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(StoreError::sql("read a circle"))?;
        rows.into_iter()
            .map(|(user, name, joined_at)| {
                let place = Place {
                    table: "circle_members",
                    column: "joined_at",
                    row: &user,
                };
                Ok(CirclePerson {
                    joined_at: codec::parse_timestamp(&joined_at, place)?,
                    user: UserId::new(user),
                    name,
                })
            })
            .collect()
    }

    /// Whether `member` is in `seeker`'s circle.
    pub fn is_in_circle(&self, seeker: &UserId, member: &UserId) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM circle_members WHERE seeker_id = ?1 AND member_id = ?2)",
            )
            .and_then(|mut statement| {
                statement.query_row(params![seeker.as_str(), member.as_str()], |row| row.get(0))
            })
            .map_err(StoreError::sql("read a circle"))
    }

    /// The action `id`, whoever logged it (the caller decides who may see it).
    pub fn action(&self, id: &str) -> Result<Option<Action>, StoreError> {
        let row = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ACTION_COLUMNS} FROM actions WHERE id = ?1"
            ))
            .and_then(|mut statement| statement.query_row([id], action_row).optional())
            .map_err(StoreError::sql("read an action"))?;
        row.map(action_of).transpose()
    }

    /// The actions of `seeker`, newest first: all of them, or only those shared with the
    /// circle.
    pub fn actions_of(
        &self,
        seeker: &UserId,
        shared_only: bool,
    ) -> Result<Vec<Action>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ACTION_COLUMNS} FROM actions
                 WHERE seeker_id = ?1 AND (shared = 1 OR ?2 = 0)
                 ORDER BY day DESC, created_at DESC"
            ))
            .map_err(StoreError::sql("read actions"))?;
        let rows = statement
            .query_map(params![seeker.as_str(), shared_only], action_row)
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(StoreError::sql("read actions"))?;
        rows.into_iter().map(action_of).collect()
    }

    /// The kudos on the actions of `seeker`, oldest first.
    pub fn kudos_for_seeker(&self, seeker: &UserId) -> Result<Vec<Kudos>, StoreError> {
        self.kudos_where("a.seeker_id = ?1", seeker.as_str())
    }

    /// The kudos that `member` gave, oldest first (for their data export).
    pub fn kudos_given_by(&self, member: &UserId) -> Result<Vec<Kudos>, StoreError> {
        self.kudos_where("k.member_id = ?1", member.as_str())
    }

    fn kudos_where(&self, condition: &str, value: &str) -> Result<Vec<Kudos>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT k.action_id, k.member_id, u.name, k.message, k.given_at
                 FROM kudos k JOIN actions a ON a.id = k.action_id
                 JOIN users u ON u.id = k.member_id
                 WHERE {condition} ORDER BY k.given_at, k.member_id"
            ))
            .map_err(StoreError::sql("read kudos"))?;
        let rows = statement
            .query_map([value], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(StoreError::sql("read kudos"))?;
        rows.into_iter()
            .map(|(action, member, member_name, message, given_at)| {
                let place = Place {
                    table: "kudos",
                    column: "given_at",
                    row: &action,
                };
                Ok(Kudos {
                    given_at: codec::parse_timestamp(&given_at, place)?,
                    member: UserId::new(member),
                    action,
                    member_name,
                    message,
                })
            })
            .collect()
    }
}

type ActionRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    bool,
    String,
);

fn action_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ActionRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
        row.get(8)?,
        row.get(9)?,
        row.get(10)?,
    ))
}

fn action_of(row: ActionRow) -> Result<Action, StoreError> {
    let (id, seeker, kind, day, vacancy, position, employer, result, note, shared, created_at) =
        row;
    let place = |column| Place {
        table: "actions",
        column,
        row: &id,
    };
    let day = codec::parse_optional_date(Some(day), place("day"))?
        .ok_or_else(|| place("day").corrupt("no day"))?;
    Ok(Action {
        kind: codec::parse_word(&kind, place("kind"))?,
        created_at: codec::parse_timestamp(&created_at, place("created_at"))?,
        seeker: UserId::new(seeker),
        day,
        vacancy: vacancy.map(VacancyId::new),
        position,
        employer,
        result,
        note,
        shared,
        id,
    })
}

impl Batch<'_> {
    /// Keeps an invitation to `seeker`'s circle under the hash of `token`.
    pub fn create_invitation(
        &mut self,
        token: &str,
        seeker: &UserId,
        name: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO invitations (token_hash, seeker_id, name, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    token_hash(token),
                    seeker.as_str(),
                    name,
                    codec::timestamp(now),
                    codec::timestamp(expires_at)
                ])
            })
            .map(drop)
            .map_err(StoreError::sql("create an invitation"))
    }

    /// Uses the invitation of `token` for `member`: they join the seeker's circle and get the
    /// circle role. `None` when the invitation is unknown, used or expired (or the seeker's
    /// own); then nothing changes.
    pub fn accept_invitation(
        &mut self,
        token: &str,
        member: &UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, StoreError> {
        let hash = token_hash(token);
        let seeker: Option<String> = self
            .tx
            .prepare_cached(
                "UPDATE invitations SET used_at = ?3, used_by = ?2
                 WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?3
                   AND seeker_id <> ?2
                 RETURNING seeker_id",
            )
            .and_then(|mut statement| {
                statement
                    .query_row(
                        params![hash, member.as_str(), codec::timestamp(now)],
                        |row| row.get(0),
                    )
                    .optional()
            })
            .map_err(StoreError::sql("use an invitation"))?;
        let Some(seeker) = seeker.map(UserId::new) else {
            return Ok(None);
        };
        self.tx
            .prepare_cached(
                "INSERT INTO circle_members (seeker_id, member_id, joined_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (seeker_id, member_id) DO NOTHING",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    seeker.as_str(),
                    member.as_str(),
                    codec::timestamp(now)
                ])
            })
            .map_err(StoreError::sql("join a circle"))?;
        self.add_role(member, Role::Circle)?;
        Ok(Some(seeker))
    }

    /// Withdraws an open invitation of `seeker` (named by [`OpenInvitation::id`]).
    pub fn revoke_invitation(&mut self, seeker: &UserId, id: &str) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached(
                "DELETE FROM invitations
                 WHERE token_hash = ?1 AND seeker_id = ?2 AND used_at IS NULL",
            )
            .and_then(|mut statement| statement.execute(params![id, seeker.as_str()]))
            .map(|n| n > 0)
            .map_err(StoreError::sql("withdraw an invitation"))
    }

    /// Takes `member` out of `seeker`'s circle (the seeker removes them, or they leave).
    pub fn leave_circle(&mut self, seeker: &UserId, member: &UserId) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached("DELETE FROM circle_members WHERE seeker_id = ?1 AND member_id = ?2")
            .and_then(|mut statement| statement.execute(params![seeker.as_str(), member.as_str()]))
            .map(|n| n > 0)
            .map_err(StoreError::sql("leave a circle"))
    }

    /// Logs `action`.
    pub fn log_action(&mut self, action: &Action) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(&format!(
                "INSERT INTO actions ({ACTION_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
            ))
            .and_then(|mut statement| {
                statement.execute(params![
                    action.id,
                    action.seeker.as_str(),
                    action.kind.as_str(),
                    codec::date(action.day),
                    action.vacancy.as_ref().map(VacancyId::as_str),
                    action.position,
                    action.employer,
                    action.result,
                    action.note,
                    action.shared,
                    codec::timestamp(action.created_at)
                ])
            })
            .map(drop)
            .map_err(StoreError::sql("log an action"))
    }

    /// Deletes action `id` of `seeker`, with its kudos. Returns whether it existed.
    pub fn delete_action(&mut self, seeker: &UserId, id: &str) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached("DELETE FROM actions WHERE id = ?1 AND seeker_id = ?2")
            .and_then(|mut statement| statement.execute(params![id, seeker.as_str()]))
            .map(|n| n > 0)
            .map_err(StoreError::sql("delete an action"))
    }

    /// Gives `member`'s pluim on action `id`; a second one replaces the first's message.
    pub fn give_kudos(
        &mut self,
        action: &str,
        member: &UserId,
        message: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO kudos (action_id, member_id, message, given_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (action_id, member_id) DO UPDATE SET message = excluded.message",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    action,
                    member.as_str(),
                    message,
                    codec::timestamp(now)
                ])
            })
            .map(drop)
            .map_err(StoreError::sql("give kudos"))
    }

    /// Takes `member`'s pluim on action `id` back. Returns whether there was one.
    pub fn take_back_kudos(&mut self, action: &str, member: &UserId) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached("DELETE FROM kudos WHERE action_id = ?1 AND member_id = ?2")
            .and_then(|mut statement| statement.execute(params![action, member.as_str()]))
            .map(|n| n > 0)
            .map_err(StoreError::sql("take back kudos"))
    }
}
