//! The provider catalogue: career providers (approved by an operator) list offerings
//! (training, coaching, workshops, advice); a seeker composes a trajectory of chosen offerings
//! with their status, which the coaches of their tables read.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use vindwerk_model::UserId;

use crate::codec::{self, Place};
use crate::{Batch, Store, StoreError};

/// A career provider. Its members edit its offerings; the catalogue lists them once an
/// operator approved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub id: String,
    pub name: String,
    pub website: String,
    pub description: String,
    pub approved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// What a provider offers.
#[derive(Debug, Clone, PartialEq)]
pub struct Offering {
    pub id: String,
    pub provider: String,
    /// Filled in when read with its provider.
    pub provider_name: String,
    /// `training`, `coaching`, `workshop` or `advice`.
    pub kind: String,
    pub title: String,
    pub description: String,
    /// In euros; `None` when free or on request (see `price_note`).
    pub price_euros: Option<f64>,
    pub duration: String,
    /// A labour-market region, or `None` for everywhere.
    pub region: Option<String>,
    pub online: bool,
    pub link: String,
    pub updated_at: DateTime<Utc>,
}

/// The kinds of offering.
pub const OFFERING_KINDS: [&str; 4] = ["training", "coaching", "workshop", "advice"];
/// Where an offering stands in a seeker's trajectory.
pub const TRAJECTORY_STATUSES: [&str; 3] = ["interested", "enrolled", "done"];

/// An offering in a seeker's trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct TrajectoryItem {
    pub offering: Offering,
    pub status: String,
    pub note: String,
    pub updated_at: DateTime<Utc>,
}

const OFFERING_COLUMNS: &str = "o.id, o.provider_id, p.name, o.kind, o.title, o.description, \
     o.price_euros, o.duration, o.region, o.online, o.link, o.updated_at";

type OfferingRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<f64>,
    String,
    Option<String>,
    bool,
    String,
    String,
);

fn offering_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<OfferingRow> {
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
        row.get(11)?,
    ))
}

fn offering_of(row: OfferingRow) -> Result<Offering, StoreError> {
    let (
        id,
        provider,
        provider_name,
        kind,
        title,
        description,
        price,
        duration,
        region,
        online,
        link,
        updated,
    ) = row;
    let place = Place {
        table: "offerings",
        column: "updated_at",
        row: &id,
    };
    Ok(Offering {
        updated_at: codec::parse_timestamp(&updated, place)?,
        id,
        provider,
        provider_name,
        kind,
        title,
        description,
        price_euros: price,
        duration,
        region,
        online,
        link,
    })
}

type ProviderRow = (String, String, String, String, Option<String>, String);

fn provider_of(
    (id, name, website, description, approved, created): ProviderRow,
) -> Result<Provider, StoreError> {
    let place = |column| Place {
        table: "providers",
        column,
        row: &id,
    };
    Ok(Provider {
        approved_at: codec::parse_optional_timestamp(approved, place("approved_at"))?,
        created_at: codec::parse_timestamp(&created, place("created_at"))?,
        id: id.clone(),
        name,
        website,
        description,
    })
}

impl Store {
    fn providers_where(
        &self,
        condition: &str,
        arguments: impl rusqlite::Params,
    ) -> Result<Vec<Provider>, StoreError> {
        let sql = format!(
            "SELECT id, name, website, description, approved_at, created_at FROM providers
             WHERE {condition} ORDER BY name COLLATE NOCASE, id"
        );
        let mut statement = self
            .conn
            .prepare_cached(&sql)
            .map_err(StoreError::sql("read providers"))?;
        let rows = statement
            .query_map(arguments, |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<ProviderRow>, _>>())
            .map_err(StoreError::sql("read providers"))?;
        rows.into_iter().map(provider_of).collect()
    }

    /// Every provider, approved or waiting, by name.
    pub fn providers(&self) -> Result<Vec<Provider>, StoreError> {
        self.providers_where("TRUE", [])
    }

    /// The provider `id`, if any.
    pub fn provider(&self, id: &str) -> Result<Option<Provider>, StoreError> {
        Ok(self.providers_where("id = ?1", [id])?.into_iter().next())
    }

    /// The providers `user` works for.
    pub fn providers_of(&self, user: &UserId) -> Result<Vec<Provider>, StoreError> {
        self.providers_where(
            "id IN (SELECT provider_id FROM provider_members WHERE user_id = ?1)",
            [user.as_str()],
        )
    }

    /// The offerings of approved providers, newest first; with `provider`, only its own
    /// (approved or not).
    pub fn offerings(&self, provider: Option<&str>) -> Result<Vec<Offering>, StoreError> {
        let condition = match provider {
            Some(_) => "o.provider_id = ?1",
            None => "p.approved_at IS NOT NULL",
        };
        let sql = format!(
            "SELECT {OFFERING_COLUMNS} FROM offerings o JOIN providers p ON p.id = o.provider_id
             WHERE {condition} ORDER BY o.updated_at DESC, o.id"
        );
        let mut statement = self
            .conn
            .prepare_cached(&sql)
            .map_err(StoreError::sql("read offerings"))?;
        let rows = match provider {
            Some(provider) => statement.query_map([provider], offering_row),
            None => statement.query_map([], offering_row),
        }
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(StoreError::sql("read offerings"))?;
        rows.into_iter().map(offering_of).collect()
    }

    /// Whether offering `id` is in the catalogue: it exists and its provider is approved.
    pub fn offering_listed(&self, id: &str) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM offerings o JOIN providers p ON p.id = o.provider_id
                 WHERE o.id = ?1 AND p.approved_at IS NOT NULL)",
            )
            .and_then(|mut statement| statement.query_row([id], |row| row.get(0)))
            .map_err(StoreError::sql("read an offering"))
    }

    /// The offering `id` with its provider's name, if any (approved or not).
    pub fn offering(&self, id: &str) -> Result<Option<Offering>, StoreError> {
        let sql = format!(
            "SELECT {OFFERING_COLUMNS} FROM offerings o JOIN providers p ON p.id = o.provider_id
             WHERE o.id = ?1"
        );
        let row = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut statement| statement.query_row([id], offering_row).optional())
            .map_err(StoreError::sql("read an offering"))?;
        row.map(offering_of).transpose()
    }

    /// `seeker`'s trajectory, most recently changed first (offerings of providers no longer
    /// approved included: the seeker chose them).
    pub fn trajectory(&self, seeker: &UserId) -> Result<Vec<TrajectoryItem>, StoreError> {
        let sql = format!(
            "SELECT {OFFERING_COLUMNS}, t.status, t.note, t.updated_at
             FROM trajectory_items t JOIN offerings o ON o.id = t.offering_id
             JOIN providers p ON p.id = o.provider_id
             WHERE t.seeker_id = ?1 ORDER BY t.updated_at DESC, o.id"
        );
        let mut statement = self
            .conn
            .prepare_cached(&sql)
            .map_err(StoreError::sql("read a trajectory"))?;
        let rows = statement
            .query_map([seeker.as_str()], |row| {
                Ok((
                    offering_row(row)?,
                    row.get::<_, String>(12)?,
                    row.get::<_, String>(13)?,
                    row.get::<_, String>(14)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(StoreError::sql("read a trajectory"))?;
        rows.into_iter()
            .map(|(offering, status, note, updated)| {
                let offering = offering_of(offering)?;
                let place = Place {
                    table: "trajectory_items",
                    column: "updated_at",
                    row: &offering.id,
                };
                Ok(TrajectoryItem {
                    updated_at: codec::parse_timestamp(&updated, place)?,
                    offering,
                    status,
                    note,
                })
            })
            .collect()
    }

    /// The seekers at the tables `coach` leads in any round: (id, name), by name.
    pub fn seekers_of_coach(&self, coach: &UserId) -> Result<Vec<(UserId, String)>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT u.id, u.name FROM round_participants p
                 JOIN round_tables t ON t.id = p.table_id JOIN users u ON u.id = p.user_id
                 WHERE t.coach_id = ?1 ORDER BY u.name COLLATE NOCASE, u.id",
            )
            .map_err(StoreError::sql("read a coach's seekers"))?;
        statement
            .query_map([coach.as_str()], |row| {
                Ok((UserId::new(row.get::<_, String>(0)?), row.get(1)?))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(StoreError::sql("read a coach's seekers"))
    }
}

impl Batch<'_> {
    /// Registers provider `provider` (waiting for approval) with `member` working for it.
    pub fn create_provider(
        &mut self,
        provider: &Provider,
        member: &UserId,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO providers (id, name, website, description, approved_at, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    provider.id,
                    provider.name,
                    provider.website,
                    provider.description,
                    provider.approved_at.map(codec::timestamp),
                    codec::timestamp(provider.created_at)
                ])
            })
            .map_err(StoreError::sql("add a provider"))?;
        self.tx
            .prepare_cached("INSERT INTO provider_members (provider_id, user_id) VALUES (?1, ?2)")
            .and_then(|mut statement| statement.execute(params![provider.id, member.as_str()]))
            .map(drop)
            .map_err(StoreError::sql("add a provider's member"))
    }

    /// Approves provider `id` (or withdraws the approval). Returns whether it exists.
    pub fn approve_provider(
        &mut self,
        id: &str,
        approved_at: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached("UPDATE providers SET approved_at = ?2 WHERE id = ?1")
            .and_then(|mut statement| {
                statement.execute(params![id, approved_at.map(codec::timestamp)])
            })
            .map(|n| n > 0)
            .map_err(StoreError::sql("approve a provider"))
    }

    /// Adds `offering`, or replaces the one with its id.
    pub fn put_offering(&mut self, offering: &Offering) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO offerings (id, provider_id, kind, title, description, price_euros,
                   duration, region, online, link, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, title = excluded.title,
                   description = excluded.description, price_euros = excluded.price_euros,
                   duration = excluded.duration, region = excluded.region,
                   online = excluded.online, link = excluded.link,
                   updated_at = excluded.updated_at
                 WHERE offerings.provider_id = excluded.provider_id",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    offering.id,
                    offering.provider,
                    offering.kind,
                    offering.title,
                    offering.description,
                    offering.price_euros,
                    offering.duration,
                    offering.region,
                    offering.online,
                    offering.link,
                    codec::timestamp(offering.updated_at)
                ])
            })
            .map(drop)
            .map_err(|source| {
                StoreError::sqlite(format!("put offering {:?}", offering.title), source)
            })
    }

    /// Removes offering `id` of `provider`. Returns whether there was one.
    pub fn delete_offering(&mut self, provider: &str, id: &str) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached("DELETE FROM offerings WHERE id = ?1 AND provider_id = ?2")
            .and_then(|mut statement| statement.execute(params![id, provider]))
            .map(|n| n > 0)
            .map_err(StoreError::sql("remove an offering"))
    }

    /// Puts offering `offering` in `seeker`'s trajectory with `status`, or changes its status.
    pub fn put_in_trajectory(
        &mut self,
        seeker: &UserId,
        offering: &str,
        status: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO trajectory_items (seeker_id, offering_id, status, note, added_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                 ON CONFLICT (seeker_id, offering_id) DO UPDATE SET status = excluded.status,
                   note = excluded.note, updated_at = excluded.updated_at",
            )
            .and_then(|mut statement| {
                statement.execute(params![seeker.as_str(), offering, status, note, codec::timestamp(now)])
            })
            .map(drop)
            .map_err(StoreError::sql("put an offering in a trajectory"))
    }

    /// Takes offering `offering` out of `seeker`'s trajectory. Returns whether it was in it.
    pub fn take_from_trajectory(
        &mut self,
        seeker: &UserId,
        offering: &str,
    ) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached(
                "DELETE FROM trajectory_items WHERE seeker_id = ?1 AND offering_id = ?2",
            )
            .and_then(|mut statement| statement.execute(params![seeker.as_str(), offering]))
            .map(|n| n > 0)
            .map_err(StoreError::sql("take an offering out of a trajectory"))
    }
}

/// Advice a coach wrote to a seeker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advice {
    pub id: String,
    pub seeker: UserId,
    pub coach: UserId,
    pub coach_name: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

impl Store {
    /// The advice written to `seeker`, newest first.
    pub fn advice_for(&self, seeker: &UserId) -> Result<Vec<Advice>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT a.id, a.seeker_id, a.coach_id, u.name, a.text, a.created_at
                 FROM advice a JOIN users u ON u.id = a.coach_id
                 WHERE a.seeker_id = ?1 ORDER BY a.created_at DESC, a.id",
            )
            .map_err(StoreError::sql("read advice"))?;
        let rows = statement
            .query_map([seeker.as_str()], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(StoreError::sql("read advice"))?;
        rows.into_iter()
            .map(|(id, seeker, coach, coach_name, text, created)| {
                let place = Place {
                    table: "advice",
                    column: "created_at",
                    row: &id,
                };
                Ok(Advice {
                    created_at: codec::parse_timestamp(&created, place)?,
                    id,
                    seeker: UserId::new(seeker),
                    coach: UserId::new(coach),
                    coach_name,
                    text,
                })
            })
            .collect()
    }
}

impl Batch<'_> {
    /// Records `advice`.
    pub fn give_advice(&mut self, advice: &Advice) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO advice (id, seeker_id, coach_id, text, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    advice.id,
                    advice.seeker.as_str(),
                    advice.coach.as_str(),
                    advice.text,
                    codec::timestamp(advice.created_at)
                ])
            })
            .map(drop)
            .map_err(StoreError::sql("record advice"))
    }
}
