//! Organisations with an internal labour market: the sources with `audience = "org:<slug>"`
//! publish to the members of the organisation `<slug>`. Its administrators add and remove
//! members; an operator creates the organisation and names its first administrator.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use vindwerk_model::UserId;

use crate::codec::{self, Place};
use crate::{Batch, Store, StoreError};

/// An organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    /// As in `org:<slug>`.
    pub slug: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// A person's place in an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub organisation: Organisation,
    /// Manages the organisation's members.
    pub admin: bool,
}

/// A member as the organisation's administrators see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user: UserId,
    pub name: String,
    pub email: String,
    pub admin: bool,
    pub added_at: DateTime<Utc>,
}

impl Store {
    /// The organisation `slug`, if any.
    pub fn organisation(&self, slug: &str) -> Result<Option<Organisation>, StoreError> {
        let row = self
            .conn
            .prepare_cached("SELECT slug, name, created_at FROM organisations WHERE slug = ?1")
            .and_then(|mut statement| {
                statement
                    .query_row([slug], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get::<_, String>(2)?))
                    })
                    .optional()
            })
            .map_err(StoreError::sql("read an organisation"))?;
        row.map(organisation_of).transpose()
    }

    /// Every organisation, by slug.
    pub fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT slug, name, created_at FROM organisations ORDER BY slug")
            .map_err(StoreError::sql("read organisations"))?;
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(StoreError::sql("read organisations"))?;
        rows.into_iter().map(organisation_of).collect()
    }

    /// The organisations `user` belongs to, by slug.
    pub fn memberships_of(&self, user: &UserId) -> Result<Vec<Membership>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT o.slug, o.name, o.created_at, m.admin
                 FROM organisation_members m JOIN organisations o ON o.slug = m.slug
                 WHERE m.user_id = ?1 ORDER BY o.slug",
            )
            .map_err(StoreError::sql("read memberships"))?;
        let rows = statement
            .query_map([user.as_str()], |row| {
                Ok((
                    (row.get(0)?, row.get(1)?, row.get(2)?),
                    row.get::<_, bool>(3)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(StoreError::sql("read memberships"))?;
        rows.into_iter()
            .map(|(organisation, admin)| {
                Ok(Membership {
                    organisation: organisation_of(organisation)?,
                    admin,
                })
            })
            .collect()
    }

    /// The members of organisation `slug`, administrators first, then by name.
    pub fn members_of(&self, slug: &str) -> Result<Vec<Member>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT u.id, u.name, u.email, m.admin, m.added_at
                 FROM organisation_members m JOIN users u ON u.id = m.user_id
                 WHERE m.slug = ?1 ORDER BY m.admin DESC, u.name COLLATE NOCASE, u.email",
            )
            .map_err(StoreError::sql("read an organisation's members"))?;
        let rows = statement
            .query_map([slug], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, bool>(3)?,
                    row.get::<_, String>(4)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(StoreError::sql("read an organisation's members"))?;
        rows.into_iter()
            .map(|(user, name, email, admin, added_at)| {
                let place = Place {
                    table: "organisation_members",
                    column: "added_at",
                    row: &user,
                };
                Ok(Member {
                    added_at: codec::parse_timestamp(&added_at, place)?,
                    user: UserId::new(user),
                    name,
                    email,
                    admin,
                })
            })
            .collect()
    }
}

fn organisation_of(
    (slug, name, created_at): (String, String, String),
) -> Result<Organisation, StoreError> {
    let place = Place {
        table: "organisations",
        column: "created_at",
        row: &slug,
    };
    Ok(Organisation {
        created_at: codec::parse_timestamp(&created_at, place)?,
        slug,
        name,
    })
}

impl Batch<'_> {
    /// Adds organisation `slug`, or renames it when it exists.
    pub fn put_organisation(
        &mut self,
        slug: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO organisations (slug, name, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (slug) DO UPDATE SET name = excluded.name",
            )
            .and_then(|mut statement| statement.execute(params![slug, name, codec::timestamp(now)]))
            .map(drop)
            .map_err(|source| StoreError::sqlite(format!("put organisation {slug:?}"), source))
    }

    /// Makes `user` a member (or, with `admin`, an administrator) of organisation `slug`;
    /// a member already is given the new `admin`.
    pub fn put_member(
        &mut self,
        slug: &str,
        user: &UserId,
        admin: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO organisation_members (slug, user_id, admin, added_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (slug, user_id) DO UPDATE SET admin = excluded.admin",
            )
            .and_then(|mut statement| {
                statement.execute(params![slug, user.as_str(), admin, codec::timestamp(now)])
            })
            .map(drop)
            .map_err(|source| {
                StoreError::sqlite(format!("add a member to organisation {slug:?}"), source)
            })
    }

    /// Takes `user` out of organisation `slug`. Returns whether they were a member.
    pub fn remove_member(&mut self, slug: &str, user: &UserId) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached("DELETE FROM organisation_members WHERE slug = ?1 AND user_id = ?2")
            .and_then(|mut statement| statement.execute(params![slug, user.as_str()]))
            .map(|n| n > 0)
            .map_err(|source| {
                StoreError::sqlite(format!("remove a member of organisation {slug:?}"), source)
            })
    }
}
