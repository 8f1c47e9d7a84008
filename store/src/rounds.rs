//! Werkestafette rounds: an organiser creates a round (name, city, kick-off, weeks, table
//! size); coaches join it with an introduction, each leading a table; seekers register and
//! choose a table while the choice is open; the organiser can move them and close the choice.
//!
//! A table takes at most the round's table size: [`Batch::seat`] checks it in the same
//! transaction that seats, so two people choosing the last seat at once cannot both get it.
//! Who may see what is the server's decision.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};
use vindwerk_model::UserId;

use crate::codec::{self, Place};
use crate::{Batch, Store, StoreError};

/// The most seats a table has.
pub const MAX_TABLE_SIZE: u32 = 6;

/// A round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    /// Random and unguessable: the organiser shares the round's link.
    pub id: String,
    pub organiser: UserId,
    pub name: String,
    pub city: String,
    pub kickoff: NaiveDate,
    pub weeks: u32,
    pub table_size: u32,
    pub choice_open: bool,
    pub created_at: DateTime<Utc>,
}

/// What [`Batch::create_round`] needs.
#[derive(Debug, Clone)]
pub struct NewRound<'a> {
    pub id: &'a str,
    pub organiser: &'a UserId,
    pub name: &'a str,
    pub city: &'a str,
    pub kickoff: NaiveDate,
    pub weeks: u32,
    pub table_size: u32,
}

/// A coach's table in a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundTable {
    pub id: String,
    pub coach: UserId,
    pub coach_name: String,
    /// What the coach knows, can do and why they take part.
    pub intro: String,
    /// How many participants sit at it.
    pub seated: u32,
}

/// A registered participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub user: UserId,
    pub name: String,
    pub table: Option<String>,
    pub registered_at: DateTime<Utc>,
}

/// What [`Batch::seat`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seat {
    Seated,
    /// The table has no seat left; nothing changed.
    Full,
    /// No such table in the round, or not a participant of it.
    Unknown,
}

const ROUND_COLUMNS: &str =
    "id, organiser_id, name, city, kickoff, weeks, table_size, choice_open, created_at";

type RoundRow = (
    String,
    String,
    String,
    String,
    String,
    u32,
    u32,
    bool,
    String,
);

fn round_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RoundRow> {
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
    ))
}

fn round_of(row: RoundRow) -> Result<Round, StoreError> {
    let (id, organiser, name, city, kickoff, weeks, table_size, choice_open, created_at) = row;
    let place = |column| Place {
        table: "rounds",
        column,
        row: &id,
    };
    let kickoff = codec::parse_optional_date(Some(kickoff), place("kickoff"))?
        .ok_or_else(|| place("kickoff").corrupt("no date"))?;
    Ok(Round {
        created_at: codec::parse_timestamp(&created_at, place("created_at"))?,
        kickoff,
        organiser: UserId::new(organiser),
        name,
        city,
        weeks,
        table_size,
        choice_open,
        id,
    })
}

impl Store {
    /// Round `id`, whoever may see it.
    pub fn round(&self, id: &str) -> Result<Option<Round>, StoreError> {
        let sql = format!("SELECT {ROUND_COLUMNS} FROM rounds WHERE id = ?1");
        let row = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut statement| statement.query_row([id], round_row).optional())
            .map_err(StoreError::sql("read a round"))?;
        row.map(round_of).transpose()
    }

    /// The rounds `user` organises, coaches in or takes part in, newest kick-off first.
    pub fn rounds_of(&self, user: &UserId) -> Result<Vec<Round>, StoreError> {
        let sql = format!(
            "SELECT {ROUND_COLUMNS} FROM rounds WHERE organiser_id = ?1
               OR id IN (SELECT round_id FROM round_tables WHERE coach_id = ?1)
               OR id IN (SELECT round_id FROM round_participants WHERE user_id = ?1)
             ORDER BY kickoff DESC, name"
        );
        let rows = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut statement| {
                statement
                    .query_map([user.as_str()], round_row)?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(StoreError::sql("read rounds"))?;
        rows.into_iter().map(round_of).collect()
    }

    /// The tables of round `id`, in the order their coaches joined.
    pub fn round_tables(&self, round: &str) -> Result<Vec<RoundTable>, StoreError> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT t.id, t.coach_id, u.name, t.intro,
                        (SELECT count(*) FROM round_participants p WHERE p.table_id = t.id)
                 FROM round_tables t JOIN users u ON u.id = t.coach_id
                 WHERE t.round_id = ?1 ORDER BY t.joined_at, t.id",
            )
            .and_then(|mut statement| {
                statement
                    .query_map([round], |row| {
                        Ok(RoundTable {
                            id: row.get(0)?,
                            coach: UserId::new(row.get::<_, String>(1)?),
                            coach_name: row.get(2)?,
                            intro: row.get(3)?,
                            seated: row.get(4)?,
                        })
                    })?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(StoreError::sql("read a round's tables"))?;
        Ok(rows)
    }

    /// The participants of round `id`, by name.
    pub fn round_participants(&self, round: &str) -> Result<Vec<Participant>, StoreError> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT p.user_id, u.name, p.table_id, p.registered_at
                 FROM round_participants p JOIN users u ON u.id = p.user_id
                 WHERE p.round_id = ?1 ORDER BY u.name COLLATE NOCASE, p.user_id",
            )
            .and_then(|mut statement| {
                statement
                    .query_map([round], |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, Option<String>>(2)?,
                            row.get::<_, String>(3)?,
                        ))
                    })?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(StoreError::sql("read a round's participants"))?;
        rows.into_iter()
            .map(|(user, name, table, registered_at)| {
                let place = Place {
                    table: "round_participants",
                    column: "registered_at",
                    row: &user,
                };
                Ok(Participant {
                    registered_at: codec::parse_timestamp(&registered_at, place)?,
                    user: UserId::new(user),
                    name,
                    table,
                })
            })
            .collect()
    }
}

/// A lead a participant brought to a tablemate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lead {
    pub id: String,
    pub round: String,
    pub from: UserId,
    pub from_name: String,
    pub to: UserId,
    pub to_name: String,
    /// `vacancy`, `contact`, `organisation` or `opening`.
    pub kind: String,
    /// What it is: the vacancy's title, a person, an organisation, "koffie bij X via Y".
    pub title: String,
    pub vacancy: Option<String>,
    pub note: String,
    pub created_at: DateTime<Utc>,
    /// What came of it: `contact`, `conversation`, `interview`, `job` or `nothing`.
    pub outcome: Option<String>,
    pub outcome_note: String,
}

impl Store {
    /// Whether `viewer` sits at, or coaches, the table at which `seeker` sits in some round.
    pub fn shares_table(&self, seeker: &UserId, viewer: &UserId) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT EXISTS (
                   SELECT 1 FROM round_participants p WHERE p.user_id = ?1 AND p.table_id IS NOT NULL
                     AND (p.table_id IN (SELECT table_id FROM round_participants WHERE user_id = ?2)
                          OR p.table_id IN (SELECT id FROM round_tables WHERE coach_id = ?2)))",
            )
            .and_then(|mut statement| {
                statement.query_row(params![seeker.as_str(), viewer.as_str()], |row| row.get(0))
            })
            .map_err(StoreError::sql("read a table"))
    }

    /// The leads between the people at `table` (given or received), newest first.
    pub fn leads_at_table(&self, table: &str) -> Result<Vec<Lead>, StoreError> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT l.id, l.round_id, l.from_id, f.name, l.to_id, t.name, l.kind, l.title,
                        l.vacancy_id, l.note, l.created_at, l.outcome, l.outcome_note
                 FROM leads l JOIN users f ON f.id = l.from_id JOIN users t ON t.id = l.to_id
                 WHERE l.to_id IN (SELECT user_id FROM round_participants WHERE table_id = ?1)
                   AND l.from_id IN (SELECT user_id FROM round_participants WHERE table_id = ?1)
                 ORDER BY l.created_at DESC, l.id",
            )
            .and_then(|mut statement| {
                statement
                    .query_map([table], |row| {
                        Ok((
                            (
                                row.get::<_, String>(0)?,
                                row.get::<_, String>(1)?,
                                row.get::<_, String>(2)?,
                                row.get::<_, String>(3)?,
                                row.get::<_, String>(4)?,
                                row.get::<_, String>(5)?,
                            ),
                            (
                                row.get::<_, String>(6)?,
                                row.get::<_, String>(7)?,
                                row.get::<_, Option<String>>(8)?,
                                row.get::<_, String>(9)?,
                                row.get::<_, String>(10)?,
                                row.get::<_, Option<String>>(11)?,
                                row.get::<_, String>(12)?,
                            ),
                        ))
                    })?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(StoreError::sql("read a table's leads"))?;
        rows.into_iter()
            .map(|((id, round, from, from_name, to, to_name), rest)| {
                let (kind, title, vacancy, note, created_at, outcome, outcome_note) = rest;
                let place = Place {
                    table: "leads",
                    column: "created_at",
                    row: &id,
                };
                Ok(Lead {
                    created_at: codec::parse_timestamp(&created_at, place)?,
                    from: UserId::new(from),
                    to: UserId::new(to),
                    id,
                    round,
                    from_name,
                    to_name,
                    kind,
                    title,
                    vacancy,
                    note,
                    outcome,
                    outcome_note,
                })
            })
            .collect()
    }
}

impl Batch<'_> {
    /// Keeps a lead that `lead.from` brings to `lead.to` (the caller checked they are
    /// tablemates).
    pub fn bring_lead(&mut self, lead: &Lead) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO leads (id, round_id, from_id, to_id, kind, title, vacancy_id, note,
                                    created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    lead.id,
                    lead.round,
                    lead.from.as_str(),
                    lead.to.as_str(),
                    lead.kind,
                    lead.title,
                    lead.vacancy,
                    lead.note,
                    codec::timestamp(lead.created_at)
                ])
            })
            .map(drop)
            .map_err(StoreError::sql("keep a lead"))
    }

    /// Records what came of lead `id`, by the one it was brought to. Returns whether it was
    /// theirs.
    pub fn record_lead_outcome(
        &mut self,
        id: &str,
        to: &UserId,
        outcome: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE leads SET outcome = ?3, outcome_note = ?4, outcome_at = ?5
                 WHERE id = ?1 AND to_id = ?2",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    id,
                    to.as_str(),
                    outcome,
                    note,
                    codec::timestamp(now)
                ])
            })
            .map(|n| n > 0)
            .map_err(StoreError::sql("record what came of a lead"))
    }
}

impl Batch<'_> {
    /// Creates a round; its table size is capped at [`MAX_TABLE_SIZE`].
    pub fn create_round(
        &mut self,
        round: &NewRound<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO rounds (id, organiser_id, name, city, kickoff, weeks, table_size,
                                     created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    round.id,
                    round.organiser.as_str(),
                    round.name,
                    round.city,
                    codec::date(round.kickoff),
                    round.weeks,
                    round.table_size.clamp(1, MAX_TABLE_SIZE),
                    codec::timestamp(now)
                ])
            })
            .map(drop)
            .map_err(|source| StoreError::sqlite(format!("create round {:?}", round.name), source))
    }

    /// `coach` joins round `round` with an introduction, leading table `table`; a coach who
    /// joined already gets the new introduction. Returns the id of the coach's table.
    pub fn join_round_as_coach(
        &mut self,
        round: &str,
        coach: &UserId,
        table: &str,
        intro: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO round_tables (id, round_id, coach_id, intro, joined_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (round_id, coach_id) DO UPDATE SET intro = excluded.intro",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    table,
                    round,
                    coach.as_str(),
                    intro,
                    codec::timestamp(now)
                ])
            })
            .map_err(|source| StoreError::sqlite(format!("join round {round}"), source))?;
        self.tx
            .prepare_cached("SELECT id FROM round_tables WHERE round_id = ?1 AND coach_id = ?2")
            .and_then(|mut statement| {
                statement.query_row(params![round, coach.as_str()], |row| row.get(0))
            })
            .map_err(StoreError::sql("read a coach's table"))
    }

    /// Registers `user` for round `round` (again: no change).
    pub fn register_for_round(
        &mut self,
        round: &str,
        user: &UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO round_participants (round_id, user_id, registered_at)
                 VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            )
            .and_then(|mut statement| {
                statement.execute(params![round, user.as_str(), codec::timestamp(now)])
            })
            .map(drop)
            .map_err(|source| StoreError::sqlite(format!("register for round {round}"), source))
    }

    /// Seats participant `user` of round `round` at `table`, if it has a seat left (staying at
    /// one's own table is no change).
    pub fn seat(&mut self, round: &str, user: &UserId, table: &str) -> Result<Seat, StoreError> {
        self.atomically(|batch| {
            let found: Option<(u32, u32)> = batch
                .tx
                .prepare_cached(
                    "SELECT r.table_size,
                            (SELECT count(*) FROM round_participants p
                             WHERE p.table_id = t.id AND p.user_id != ?3)
                     FROM round_tables t JOIN rounds r ON r.id = t.round_id
                     WHERE t.id = ?2 AND t.round_id = ?1
                       AND EXISTS (SELECT 1 FROM round_participants
                                   WHERE round_id = ?1 AND user_id = ?3)",
                )
                .and_then(|mut statement| {
                    statement
                        .query_row(params![round, table, user.as_str()], |row| {
                            Ok((row.get(0)?, row.get(1)?))
                        })
                        .optional()
                })
                .map_err(StoreError::sql("read a table's seats"))?;
            let Some((size, others)) = found else {
                return Ok(Seat::Unknown);
            };
            if others >= size {
                return Ok(Seat::Full);
            }
            batch
                .tx
                .prepare_cached(
                    "UPDATE round_participants SET table_id = ?3
                     WHERE round_id = ?1 AND user_id = ?2",
                )
                .and_then(|mut statement| statement.execute(params![round, user.as_str(), table]))
                .map_err(StoreError::sql("seat a participant"))?;
            Ok(Seat::Seated)
        })
    }

    /// `user` leaves round `round` and its table. Returns whether they took part.
    pub fn leave_round(&mut self, round: &str, user: &UserId) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached("DELETE FROM round_participants WHERE round_id = ?1 AND user_id = ?2")
            .and_then(|mut statement| statement.execute(params![round, user.as_str()]))
            .map(|n| n > 0)
            .map_err(StoreError::sql("leave a round"))
    }

    /// Opens or closes the choice of tables in round `round`.
    pub fn set_choice_open(&mut self, round: &str, open: bool) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached("UPDATE rounds SET choice_open = ?2 WHERE id = ?1")
            .and_then(|mut statement| statement.execute(params![round, open]))
            .map(|n| n > 0)
            .map_err(StoreError::sql("open or close a round's choice"))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use vindwerk_model::Role;

    use super::*;
    use crate::NewUser;

    fn person(store: &mut Store, id: &str, role: Role, now: DateTime<Utc>) -> UserId {
        let user = UserId::new(id);
        store
            .write(|batch| {
                batch.create_user(
                    &NewUser {
                        id: &user,
                        email: &format!("{id}@example.nl"),
                        name: id,
                        password_hash: "x",
                        roles: &[role],
                    },
                    now,
                )
            })
            .expect("user");
        user
    }

    #[test]
    fn a_table_seats_at_most_the_rounds_table_size() {
        let mut store = Store::open_in_memory().expect("store");
        let now = Utc
            .with_ymd_and_hms(2026, 12, 1, 9, 0, 0)
            .single()
            .expect("time");
        let organiser = person(&mut store, "org", Role::Coach, now);
        let coach = person(&mut store, "coach", Role::Coach, now);
        let seekers: Vec<UserId> = (0..3)
            .map(|i| person(&mut store, &format!("s{i}"), Role::Seeker, now))
            .collect();
        let kickoff = NaiveDate::from_ymd_opt(2027, 1, 11).expect("date");
        store
            .write(|batch| {
                batch.create_round(
                    &NewRound {
                        id: "r1",
                        organiser: &organiser,
                        name: "Estafette Utrecht",
                        city: "Utrecht",
                        kickoff,
                        weeks: 4,
                        table_size: 2,
                    },
                    now,
                )?;
                let table = batch.join_round_as_coach("r1", &coach, "t1", "Zorg", now)?;
                assert_eq!(table, "t1");
                // Joining again keeps the table, with the new introduction.
                let again =
                    batch.join_round_as_coach("r1", &coach, "t2", "Zorg en welzijn", now)?;
                assert_eq!(again, "t1");
                for seeker in &seekers {
                    batch.register_for_round("r1", seeker, now)?;
                }
                Ok::<_, StoreError>(())
            })
            .expect("round");
        let seat = |store: &mut Store, who: &UserId, table: &str| {
            store
                .write(|batch| batch.seat("r1", who, table))
                .expect("seat")
        };
        assert_eq!(seat(&mut store, &seekers[0], "t1"), Seat::Seated);
        assert_eq!(seat(&mut store, &seekers[1], "t1"), Seat::Seated);
        assert_eq!(
            seat(&mut store, &seekers[1], "t1"),
            Seat::Seated,
            "staying put"
        );
        assert_eq!(seat(&mut store, &seekers[2], "t1"), Seat::Full);
        assert_eq!(seat(&mut store, &seekers[2], "t9"), Seat::Unknown);
        assert_eq!(seat(&mut store, &organiser, "t1"), Seat::Unknown);
        let tables = store.round_tables("r1").expect("tables");
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].seated, 2);
        assert_eq!(tables[0].intro, "Zorg en welzijn");
        let participants = store.round_participants("r1").expect("participants");
        assert_eq!(participants.len(), 3);
        assert_eq!(participants[2].table, None);
        assert_eq!(store.rounds_of(&seekers[2]).expect("rounds").len(), 1);
        assert_eq!(store.rounds_of(&coach).expect("rounds").len(), 1);
        // A participant who deletes their account leaves a seat.
        store
            .write(|batch| batch.delete_user(&seekers[0]))
            .expect("deleted");
        assert_eq!(seat(&mut store, &seekers[2], "t1"), Seat::Seated);
        assert!(
            store
                .write(|batch| batch.set_choice_open("r1", false))
                .expect("closed")
        );
        assert!(
            !store
                .round("r1")
                .expect("round")
                .expect("exists")
                .choice_open
        );
    }
}

/// A table's meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub id: String,
    pub table: String,
    pub day: NaiveDate,
    /// A place, or a call's address.
    pub place: String,
    pub agenda: String,
    pub notes: String,
    /// Who came.
    pub present: Vec<UserId>,
}

/// Who does what for whom before a next meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    pub id: String,
    pub meeting: String,
    pub who: UserId,
    pub who_name: String,
    pub for_whom: Option<UserId>,
    pub for_name: Option<String>,
    pub what: String,
    pub done: bool,
}

impl Store {
    /// The meetings of table `table`, the latest first, with who came.
    pub fn meetings(&self, table: &str) -> Result<Vec<Meeting>, StoreError> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT id, day, place, agenda, notes FROM meetings WHERE table_id = ?1
                 ORDER BY day DESC, created_at DESC",
            )
            .and_then(|mut statement| {
                statement
                    .query_map([table], |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?,
                            row.get::<_, String>(3)?,
                            row.get::<_, String>(4)?,
                        ))
                    })?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(StoreError::sql("read a table's meetings"))?;
        let mut meetings = Vec::with_capacity(rows.len());
        for (id, day, place, agenda, notes) in rows {
            let at = Place {
                table: "meetings",
                column: "day",
                row: &id,
            };
            let day =
                codec::parse_optional_date(Some(day), at)?.ok_or_else(|| at.corrupt("no date"))?;
            let present = self
                .conn
                .prepare_cached("SELECT user_id FROM meeting_attendance WHERE meeting_id = ?1")
                .and_then(|mut statement| {
                    statement
                        .query_map([&id], |row| row.get::<_, String>(0))?
                        .collect::<Result<Vec<_>, _>>()
                })
                .map_err(StoreError::sql("read who came to a meeting"))?
                .into_iter()
                .map(UserId::new)
                .collect();
            meetings.push(Meeting {
                table: table.to_owned(),
                id,
                day,
                place,
                agenda,
                notes,
                present,
            });
        }
        Ok(meetings)
    }

    /// The agreements made at table `table`'s meetings between the people who sit at it now
    /// (whoever left took theirs along): open ones first, then by meeting.
    pub fn agreements(&self, table: &str) -> Result<Vec<Agreement>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT a.id, a.meeting_id, a.who_id, w.name, a.for_id, f.name, a.what,
                        a.done_at IS NOT NULL
                 FROM agreements a JOIN meetings m ON m.id = a.meeting_id
                 JOIN users w ON w.id = a.who_id LEFT JOIN users f ON f.id = a.for_id
                 WHERE m.table_id = ?1
                   AND a.who_id IN (SELECT user_id FROM round_participants WHERE table_id = ?1)
                   AND (a.for_id IS NULL
                        OR a.for_id IN (SELECT user_id FROM round_participants WHERE table_id = ?1))
                 ORDER BY a.done_at IS NOT NULL, m.day, a.rowid",
            )
            .and_then(|mut statement| {
                statement
                    .query_map([table], |row| {
                        Ok(Agreement {
                            id: row.get(0)?,
                            meeting: row.get(1)?,
                            who: UserId::new(row.get::<_, String>(2)?),
                            who_name: row.get(3)?,
                            for_whom: row.get::<_, Option<String>>(4)?.map(UserId::new),
                            for_name: row.get(5)?,
                            what: row.get(6)?,
                            done: row.get(7)?,
                        })
                    })?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(StoreError::sql("read a table's agreements"))
    }
}

impl Batch<'_> {
    /// Plans a meeting of table `meeting.table` (notes and attendance come later).
    pub fn plan_meeting(
        &mut self,
        meeting: &Meeting,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO meetings (id, table_id, day, place, agenda, notes, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    meeting.id,
                    meeting.table,
                    codec::date(meeting.day),
                    meeting.place,
                    meeting.agenda,
                    meeting.notes,
                    codec::timestamp(now)
                ])
            })
            .map(drop)
            .map_err(StoreError::sql("plan a meeting"))
    }

    /// Records the notes of meeting `id` and who came (replacing what was recorded).
    pub fn record_meeting(
        &mut self,
        id: &str,
        notes: &str,
        present: &[UserId],
    ) -> Result<(), StoreError> {
        self.atomically(|batch| {
            batch
                .tx
                .prepare_cached("UPDATE meetings SET notes = ?2 WHERE id = ?1")
                .and_then(|mut statement| statement.execute(params![id, notes]))
                .map_err(StoreError::sql("record a meeting"))?;
            batch
                .tx
                .prepare_cached("DELETE FROM meeting_attendance WHERE meeting_id = ?1")
                .and_then(|mut statement| statement.execute([id]))
                .map_err(StoreError::sql("record who came"))?;
            for user in present {
                batch
                    .tx
                    .prepare_cached(
                        "INSERT INTO meeting_attendance (meeting_id, user_id) VALUES (?1, ?2)
                         ON CONFLICT DO NOTHING",
                    )
                    .and_then(|mut statement| statement.execute(params![id, user.as_str()]))
                    .map_err(StoreError::sql("record who came"))?;
            }
            Ok(())
        })
    }

    /// Keeps an agreement made at meeting `agreement.meeting`.
    pub fn make_agreement(&mut self, agreement: &Agreement) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO agreements (id, meeting_id, who_id, for_id, what)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    agreement.id,
                    agreement.meeting,
                    agreement.who.as_str(),
                    agreement.for_whom.as_ref().map(UserId::as_str),
                    agreement.what
                ])
            })
            .map(drop)
            .map_err(StoreError::sql("keep an agreement"))
    }

    /// Ticks agreement `id` off (or on again). Returns whether it exists.
    pub fn tick_agreement(
        &mut self,
        id: &str,
        done: bool,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let at = done.then(|| codec::timestamp(now));
        self.tx
            .prepare_cached("UPDATE agreements SET done_at = ?2 WHERE id = ?1")
            .and_then(|mut statement| statement.execute(params![id, at]))
            .map(|n| n > 0)
            .map_err(StoreError::sql("tick an agreement off"))
    }
}
