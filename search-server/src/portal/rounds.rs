//! Werkestafette rounds, up to the choice of tables: an organiser (a coach or operator)
//! creates a round and shares its link; coaches join with an introduction, each leading a
//! table; seekers register and, after the kick-off, choose the table they want while the
//! choice is open: a full table refuses politely and offers the others. The organiser sees
//! everyone, moves people and closes the choice.
//!
//! Who sees what: the round's name, city, date and the coaches' introductions are for every
//! coach and seeker with the link (they need them to join and choose); the names at a table
//! are for that table's members and coach, and for the organiser, who sees all tables.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use vindwerk_model::{ActionKind, Role, UserId};
use vindwerk_store::{NewRound, Participant, Round, RoundTable, Seat, User};

use super::session::{PageError, SignedIn, check_csrf};
use super::{CsrfForm, Portal, new_id, portal, site_url, with_store};
use crate::AppState;
use crate::pages::render;

/// Weeks a round lasts unless the organiser says otherwise.
pub const DEFAULT_WEEKS: u32 = 4;
/// Seats a table has unless the organiser says otherwise; also the most.
pub const DEFAULT_TABLE_SIZE: u32 = vindwerk_store::MAX_TABLE_SIZE;

fn may_organise(user: &User) -> bool {
    user.has_role(Role::Coach) || user.has_role(Role::Operator)
}

/// How the viewer stands to a round.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Standing {
    organiser: bool,
    /// The viewer's table when they coach one.
    coach_of: Option<String>,
    /// Registered as a participant; and the table chosen.
    participant: bool,
    seated_at: Option<String>,
    may_coach: bool,
    may_take_part: bool,
}

struct RoundData {
    round: Round,
    tables: Vec<RoundTable>,
    participants: Vec<Participant>,
}

/// Round `id` with its tables and participants, and the viewer's standing; 404 for no
/// round, 403 for a viewer who can neither coach nor take part nor organise it.
async fn round_for(
    portal: &Arc<Portal>,
    signed_in: &SignedIn,
    id: String,
) -> Result<(RoundData, Standing), PageError> {
    let user = signed_in.session.user.clone();
    let data = with_store(portal, move |store| {
        let round = store.round(&id)?.ok_or(PageError::NotFound)?;
        Ok(RoundData {
            tables: store.round_tables(&round.id)?,
            participants: store.round_participants(&round.id)?,
            round,
        })
    })
    .await?;
    let me = &user.id;
    let participant = data.participants.iter().find(|p| p.user == *me);
    let standing = Standing {
        organiser: data.round.organiser == *me,
        coach_of: data
            .tables
            .iter()
            .find(|t| t.coach == *me)
            .map(|t| t.id.clone()),
        participant: participant.is_some(),
        seated_at: participant.and_then(|p| p.table.clone()),
        may_coach: user.has_role(Role::Coach),
        may_take_part: user.has_role(Role::Seeker),
    };
    if !(standing.organiser
        || standing.coach_of.is_some()
        || standing.participant
        || standing.may_coach
        || standing.may_take_part)
    {
        return Err(PageError::Forbidden);
    }
    Ok((data, standing))
}

#[derive(Template)]
#[template(path = "rounds.html")]
struct RoundsPage<'a> {
    rounds: &'a [(String, String, String)],
    may_organise: bool,
    csrf: &'a str,
    problem: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "round.html")]
struct RoundPage<'a> {
    round: &'a Round,
    kickoff: String,
    csrf: &'a str,
    link: String,
    organiser: bool,
    may_join_as_coach: bool,
    coach_intro: Option<String>,
    may_register: bool,
    participant: bool,
    choice_open: bool,
    tables: Vec<TableView>,
    /// For the organiser: everyone, with their table.
    everyone: Vec<(String, String, String)>,
    notice: Option<&'a str>,
}

struct TableView {
    id: String,
    coach: String,
    intro: String,
    seats: String,
    full: bool,
    mine: bool,
    /// Names at the table, for its members, its coach and the organiser.
    members: Option<Vec<String>>,
    may_choose: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewRoundForm {
    csrf: String,
    name: String,
    city: String,
    kickoff: String,
    weeks: String,
    table_size: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CoachForm {
    csrf: String,
    intro: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    csrf: String,
    participant: String,
    table: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChoiceForm {
    csrf: String,
    /// `ja` opens the choice, anything else closes it.
    open: String,
}

/// `GET /estafettes`: the viewer's rounds, and for coaches and operators the form of a new one.
pub async fn rounds_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    rounds_list(&state, &signed_in, StatusCode::OK, None).await
}

async fn rounds_list(
    state: &AppState,
    signed_in: &SignedIn,
    status: StatusCode,
    problem: Option<&str>,
) -> Result<Response, PageError> {
    let portal = portal(state)?;
    let user = signed_in.session.user.id.clone();
    let rounds = with_store(&portal, move |store| Ok(store.rounds_of(&user)?)).await?;
    let rounds: Vec<(String, String, String)> = rounds
        .into_iter()
        .map(|round| {
            (
                round.id,
                round.name,
                format!("{}, {}", round.city, round.kickoff.format("%d-%m-%Y")),
            )
        })
        .collect();
    Ok(render(
        status,
        &RoundsPage {
            rounds: &rounds,
            may_organise: may_organise(&signed_in.session.user),
            csrf: &signed_in.session.csrf,
            problem,
        },
    ))
}

/// `POST /estafettes`: a new round.
pub async fn create_round(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<NewRoundForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    if !may_organise(&signed_in.session.user) {
        return Err(PageError::Forbidden);
    }
    let name: String = form.name.trim().chars().take(100).collect();
    let city: String = form.city.trim().chars().take(100).collect();
    let kickoff = NaiveDate::parse_from_str(form.kickoff.trim(), "%Y-%m-%d").ok();
    let weeks = number_or(&form.weeks, DEFAULT_WEEKS, 1..=12);
    let table_size = number_or(&form.table_size, DEFAULT_TABLE_SIZE, 2..=DEFAULT_TABLE_SIZE);
    let problem = if name.is_empty() || city.is_empty() {
        Some("Geef de ronde een naam en een plaats.")
    } else if kickoff.is_none() {
        Some("Geef de datum van de aftrap.")
    } else if weeks.is_none() {
        Some("Een ronde duurt 1 tot 12 weken.")
    } else if table_size.is_none() {
        Some("Een tafel heeft 2 tot 6 deelnemers.")
    } else {
        None
    };
    let (Some(kickoff), Some(weeks), Some(table_size), None) =
        (kickoff, weeks, table_size, problem)
    else {
        return rounds_list(&state, &signed_in, StatusCode::BAD_REQUEST, problem).await;
    };
    let id = new_id('r')?;
    let organiser = signed_in.session.user.id.clone();
    let round_id = id.clone();
    with_store(&portal, move |store| {
        store.write(|batch| {
            batch.create_round(
                &NewRound {
                    id: &round_id,
                    organiser: &organiser,
                    name: &name,
                    city: &city,
                    kickoff,
                    weeks,
                    table_size,
                },
                Utc::now(),
            )
        })?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&format!("/estafettes/{id}")).into_response())
}

/// A whole number in `range` from a form field; the default when the field is empty.
fn number_or(text: &str, default: u32, range: std::ops::RangeInclusive<u32>) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() {
        return Some(default);
    }
    text.parse().ok().filter(|n| range.contains(n))
}

/// `GET /estafettes/{id}`
pub async fn round_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    let (data, standing) = round_for(&portal, &signed_in, id).await?;
    let link = format!(
        "{}/estafettes/{}",
        site_url(&portal, &headers),
        data.round.id
    );
    Ok(render(
        StatusCode::OK,
        &round_view(&data, &standing, &signed_in.session.csrf, link, None),
    ))
}

fn round_view<'a>(
    data: &'a RoundData,
    standing: &Standing,
    csrf: &'a str,
    link: String,
    notice: Option<&'a str>,
) -> RoundPage<'a> {
    let round = &data.round;
    let names_at = |table: &str| -> Vec<String> {
        data.participants
            .iter()
            .filter(|p| p.table.as_deref() == Some(table))
            .map(|p| p.name.clone())
            .collect()
    };
    let tables = data
        .tables
        .iter()
        .map(|table| {
            let mine = standing.seated_at.as_deref() == Some(table.id.as_str())
                || standing.coach_of.as_deref() == Some(table.id.as_str());
            let full = table.seated >= round.table_size;
            TableView {
                id: table.id.clone(),
                coach: table.coach_name.clone(),
                intro: table.intro.clone(),
                seats: format!("{} van {} plaatsen bezet", table.seated, round.table_size),
                full,
                mine,
                members: (mine || standing.organiser).then(|| names_at(&table.id)),
                may_choose: standing.participant
                    && round.choice_open
                    && standing.seated_at.as_deref() != Some(table.id.as_str()),
            }
        })
        .collect();
    let everyone = if standing.organiser {
        data.participants
            .iter()
            .map(|p| {
                let table = p
                    .table
                    .as_deref()
                    .and_then(|id| data.tables.iter().find(|t| t.id == id))
                    .map_or_else(
                        || "nog geen tafel".to_owned(),
                        |t| format!("tafel van {}", t.coach_name),
                    );
                (p.user.to_string(), p.name.clone(), table)
            })
            .collect()
    } else {
        Vec::new()
    };
    RoundPage {
        round,
        kickoff: round.kickoff.format("%d-%m-%Y").to_string(),
        csrf,
        link,
        organiser: standing.organiser,
        may_join_as_coach: standing.may_coach,
        coach_intro: standing.coach_of.as_ref().and_then(|id| {
            data.tables
                .iter()
                .find(|t| &t.id == id)
                .map(|t| t.intro.clone())
        }),
        may_register: standing.may_take_part && !standing.participant,
        participant: standing.participant,
        choice_open: round.choice_open,
        tables,
        everyone,
        notice,
    }
}

/// `POST /estafettes/{id}/coach`: joins the round as a table coach (or changes the
/// introduction).
pub async fn join_as_coach(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<CoachForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let (data, standing) = round_for(&portal, &signed_in, id).await?;
    if !standing.may_coach {
        return Err(PageError::Forbidden);
    }
    let intro: String = form.intro.trim().chars().take(1000).collect();
    let coach = signed_in.session.user.id.clone();
    let table = new_id('t')?;
    let round = data.round.id.clone();
    with_store(&portal, move |store| {
        store
            .write(|batch| batch.join_round_as_coach(&round, &coach, &table, &intro, Utc::now()))?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&format!("/estafettes/{}", data.round.id)).into_response())
}

/// `POST /estafettes/{id}/aanmelden`: a seeker registers as a participant.
pub async fn register(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let (data, standing) = round_for(&portal, &signed_in, id).await?;
    if !standing.may_take_part {
        return Err(PageError::Forbidden);
    }
    let user = signed_in.session.user.id.clone();
    let round = data.round.id.clone();
    with_store(&portal, move |store| {
        store.write(|batch| batch.register_for_round(&round, &user, Utc::now()))?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&format!("/estafettes/{}", data.round.id)).into_response())
}

/// `POST /estafettes/{id}/tafels/{table}`: a participant chooses a table while the choice is
/// open. A full table answers 409 with the round's page, which offers the others.
pub async fn choose_table(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path((id, table)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let (data, standing) = round_for(&portal, &signed_in, id).await?;
    if !standing.participant {
        return Err(PageError::NotFound);
    }
    if !data.round.choice_open {
        return Err(PageError::Forbidden);
    }
    let user = signed_in.session.user.id.clone();
    seat_or_refuse(
        &portal,
        &signed_in,
        &headers,
        data.round.id.clone(),
        user,
        table,
    )
    .await
}

async fn seat_or_refuse(
    portal: &Arc<Portal>,
    signed_in: &SignedIn,
    headers: &HeaderMap,
    round: String,
    user: UserId,
    table: String,
) -> Result<Response, PageError> {
    let round_id = round.clone();
    let seat = with_store(portal, move |store| {
        Ok(store.write(|batch| batch.seat(&round_id, &user, &table))?)
    })
    .await?;
    match seat {
        Seat::Seated => Ok(Redirect::to(&format!("/estafettes/{round}")).into_response()),
        Seat::Unknown => Err(PageError::NotFound),
        Seat::Full => {
            let (data, standing) = round_for(portal, signed_in, round).await?;
            let link = format!("{}/estafettes/{}", site_url(portal, headers), data.round.id);
            Ok(render(
                StatusCode::CONFLICT,
                &round_view(
                    &data,
                    &standing,
                    &signed_in.session.csrf,
                    link,
                    Some("Die tafel is vol. Kies een van de andere tafels hieronder."),
                ),
            ))
        }
    }
}

/// `POST /estafettes/{id}/verplaatsen`: the organiser moves a participant to a table.
pub async fn move_participant(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let (data, standing) = round_for(&portal, &signed_in, id).await?;
    if !standing.organiser {
        return Err(PageError::Forbidden);
    }
    seat_or_refuse(
        &portal,
        &signed_in,
        &headers,
        data.round.id.clone(),
        UserId::new(form.participant.trim()),
        form.table.trim().to_owned(),
    )
    .await
}

/// `POST /estafettes/{id}/keuze`: the organiser opens or closes the choice of tables.
pub async fn set_choice(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ChoiceForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let (data, standing) = round_for(&portal, &signed_in, id).await?;
    if !standing.organiser {
        return Err(PageError::Forbidden);
    }
    let round = data.round.id.clone();
    let open = form.open == "ja";
    with_store(&portal, move |store| {
        store.write(|batch| batch.set_choice_open(&round, open))?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&format!("/estafettes/{}", data.round.id)).into_response())
}

/// The kinds of lead a participant brings, with their Dutch names.
const LEAD_KINDS: &[(&str, &str)] = &[
    ("opening", "Een opening (koffiegesprek, kennismaking)"),
    ("contact", "Een contactpersoon"),
    ("organisation", "Een organisatie"),
    ("vacancy", "Een vacature"),
];

/// What can come of a lead, with their Dutch names, and the step it is in the recipient's log.
const OUTCOMES: &[(&str, &str, Option<ActionKind>)] = &[
    ("contact", "Contact gelegd", Some(ActionKind::Contact)),
    ("conversation", "Gesprek gehad", Some(ActionKind::Coffee)),
    (
        "interview",
        "Sollicitatiegesprek",
        Some(ActionKind::Interview),
    ),
    ("job", "Werk gevonden", Some(ActionKind::Other)),
    ("nothing", "Niets (nu)", None),
];

fn lead_kind_label(kind: &str) -> &'static str {
    LEAD_KINDS
        .iter()
        .find(|(key, _)| *key == kind)
        .map_or("Een kans", |(_, label)| label)
}

fn outcome_label(outcome: &str) -> &'static str {
    OUTCOMES
        .iter()
        .find(|(key, _, _)| *key == outcome)
        .map_or("", |(_, label, _)| label)
}

/// Who the viewer is at a table.
struct AtTable {
    data: RoundData,
    table: RoundTable,
    member: bool,
    coach: bool,
}

/// Table `table` of round `id` for its members, its coach and the round's organiser; 404 for
/// anyone else, as if it did not exist.
async fn table_for(
    portal: &Arc<Portal>,
    signed_in: &SignedIn,
    id: String,
    table: String,
) -> Result<AtTable, PageError> {
    let (data, standing) = round_for(portal, signed_in, id).await?;
    let found = data
        .tables
        .iter()
        .find(|t| t.id == table)
        .cloned()
        .ok_or(PageError::NotFound)?;
    let member = standing.seated_at.as_deref() == Some(found.id.as_str());
    let coach = standing.coach_of.as_deref() == Some(found.id.as_str());
    if !(member || coach || standing.organiser) {
        return Err(PageError::NotFound);
    }
    Ok(AtTable {
        data,
        table: found,
        member,
        coach,
    })
}

#[derive(Template)]
#[template(path = "round_table.html")]
struct TablePage<'a> {
    round: &'a Round,
    table: &'a RoundTable,
    csrf: &'a str,
    back: Option<&'a str>,
    member: bool,
    members: Vec<String>,
    /// (user id, name) of the viewer's tablemates, for the lead form.
    tablemates: Vec<(String, String)>,
    kinds: &'static [(&'static str, &'static str)],
    outcomes: Vec<(&'static str, &'static str)>,
    leads: Vec<LeadView>,
    actions: Vec<super::circle::ActionView>,
    /// For the coach and the organiser: the week per participant.
    overview: Vec<MemberWeek>,
    week: String,
    /// The coach or the organiser: plans and records meetings.
    leads_table: bool,
    meetings: Vec<MeetingView>,
    agreements: Vec<AgreementView>,
    /// (user id, name) of everyone at the table, for the agreement form.
    seated: Vec<(String, String)>,
    /// (list id, name, owner's name) of the lists the members share, for the members and the
    /// coach (to read and export).
    lists: Vec<(String, String, String)>,
}

/// A participant's week at a table, for the coach.
struct MemberWeek {
    name: String,
    steps: usize,
    leads_given: usize,
    leads_received: usize,
    openings: usize,
    pluimen: usize,
    /// Agreements ticked off, of all made.
    agreements: String,
}

/// Outcomes that opened something: the aim of a Werkestafette.
fn is_opening(outcome: Option<&str>) -> bool {
    matches!(
        outcome,
        Some("contact" | "conversation" | "interview" | "job")
    )
}

/// The Monday that starts the week of `day`.
fn week_start(day: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

struct LeadView {
    id: String,
    from: String,
    to: String,
    kind: &'static str,
    title: String,
    vacancy_href: Option<String>,
    note: String,
    outcome: Option<&'static str>,
    outcome_note: String,
    /// Brought to the viewer: they record what came of it.
    for_me: bool,
}

/// `GET /estafettes/{id}/tafels/{table}`: the table's members, the leads they brought each
/// other and their shared steps with pluimen.
pub async fn table_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((id, table)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    let at = table_for(&portal, &signed_in, id, table).await?;
    let me = signed_in.session.user.id.clone();
    let seated: Vec<Participant> = at
        .data
        .participants
        .iter()
        .filter(|p| p.table.as_deref() == Some(at.table.id.as_str()))
        .cloned()
        .collect();
    let table_id = at.table.id.clone();
    let people: Vec<UserId> = seated.iter().map(|p| p.user.clone()).collect();
    let names: Vec<String> = seated.iter().map(|p| p.name.clone()).collect();
    let (leads, actions, kudos, meetings, agreements, lists) = with_store(&portal, move |store| {
        let mut actions = Vec::new();
        let mut kudos = Vec::new();
        let mut lists = Vec::new();
        for (person, name) in people.iter().zip(&names) {
            actions.extend(store.actions_of(person, true)?);
            kudos.extend(store.kudos_for_seeker(person)?);
            for list in store.shortlists_of(person)? {
                if list.shared_with_circle {
                    lists.push((list.id, list.name, name.clone()));
                }
            }
        }
        Ok((
            store.leads_at_table(&table_id)?,
            actions,
            kudos,
            store.meetings(&table_id)?,
            store.agreements(&table_id)?,
            lists,
        ))
    })
    .await?;
    let mut actions = actions;
    actions.sort_by(|a, b| b.day.cmp(&a.day).then(b.created_at.cmp(&a.created_at)));
    let monday = week_start(super::today_in_amsterdam());
    let overview = if at.coach || !at.member {
        seated
            .iter()
            .map(|p| {
                let theirs: Vec<&vindwerk_store::Action> = actions
                    .iter()
                    .filter(|a| a.seeker == p.user && a.day >= monday)
                    .collect();
                MemberWeek {
                    name: p.name.clone(),
                    steps: theirs.len(),
                    leads_given: leads.iter().filter(|l| l.from == p.user).count(),
                    leads_received: leads.iter().filter(|l| l.to == p.user).count(),
                    openings: leads
                        .iter()
                        .filter(|l| l.from == p.user && is_opening(l.outcome.as_deref()))
                        .count(),
                    pluimen: kudos
                        .iter()
                        .filter(|k| {
                            k.given_at.date_naive() >= monday
                                && actions
                                    .iter()
                                    .any(|a| a.id == k.action && a.seeker == p.user)
                        })
                        .count(),
                    agreements: {
                        let theirs = agreements.iter().filter(|a| a.who == p.user);
                        let (done, all) = theirs.fold((0, 0), |(done, all), a| {
                            (done + usize::from(a.done), all + 1)
                        });
                        format!("{done} van {all}")
                    },
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let leads_table = !at.member;
    let agreement_views = agreements
        .iter()
        .map(|a| AgreementView {
            id: a.id.clone(),
            who: a.who_name.clone(),
            for_whom: a.for_name.clone(),
            what: a.what.clone(),
            done: a.done,
            may_tick: leads_table || a.who == me,
        })
        .collect();
    // One's own steps show without a pluim form: nobody gives themselves a pluim.
    let actions = super::circle::action_views(actions, &kudos, &me);
    let back = table_path(&at);
    let leads = leads
        .into_iter()
        .map(|lead| LeadView {
            for_me: lead.to == me,
            id: lead.id,
            from: lead.from_name,
            to: lead.to_name,
            kind: lead_kind_label(&lead.kind),
            title: lead.title,
            vacancy_href: lead
                .vacancy
                .map(|id| format!("/vacature/{}", crate::pages::encode_path(&id))),
            note: lead.note,
            outcome: lead.outcome.as_deref().map(outcome_label),
            outcome_note: lead.outcome_note,
        })
        .collect();
    let page = TablePage {
        round: &at.data.round,
        table: &at.table,
        csrf: &signed_in.session.csrf,
        back: Some(&back),
        member: at.member,
        members: seated.iter().map(|p| p.name.clone()).collect(),
        tablemates: seated
            .iter()
            .filter(|p| p.user != me)
            .map(|p| (p.user.to_string(), p.name.clone()))
            .collect(),
        kinds: LEAD_KINDS,
        outcomes: OUTCOMES
            .iter()
            .map(|(key, label, _)| (*key, *label))
            .collect(),
        leads,
        actions,
        overview,
        week: monday.format("%d-%m-%Y").to_string(),
        leads_table,
        meetings: meeting_views(&meetings, &seated),
        agreements: agreement_views,
        seated: seated
            .iter()
            .map(|p| (p.user.to_string(), p.name.clone()))
            .collect(),
        // The organiser sees the table, not its members' lists.
        lists: if at.member || at.coach {
            lists
        } else {
            Vec::new()
        },
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LeadForm {
    csrf: String,
    to: String,
    kind: String,
    title: String,
    vacancy: String,
    note: String,
}

/// `POST /estafettes/{id}/tafels/{table}/kansen`: a member brings a lead to a tablemate.
pub async fn bring_lead(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((id, table)): Path<(String, String)>,
    Form(form): Form<LeadForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let at = table_for(&portal, &signed_in, id, table).await?;
    if !at.member {
        return Err(PageError::Forbidden);
    }
    let to = UserId::new(form.to.trim());
    let tablemate = at
        .data
        .participants
        .iter()
        .any(|p| p.user == to && p.table.as_deref() == Some(at.table.id.as_str()));
    if !tablemate || to == signed_in.session.user.id {
        return Err(PageError::NotFound);
    }
    let kind = LEAD_KINDS
        .iter()
        .find(|(key, _)| *key == form.kind)
        .map_or("opening", |(key, _)| key);
    let title: String = form.title.trim().chars().take(200).collect();
    if title.is_empty() {
        return Err(PageError::Forbidden);
    }
    // A vacancy as its id or its vindwerk address.
    let vacancy = form
        .vacancy
        .trim()
        .rsplit('/')
        .next()
        .filter(|id| !id.is_empty() && id.len() <= 200)
        .map(str::to_owned);
    let lead = vindwerk_store::Lead {
        id: new_id('k')?,
        round: at.data.round.id.clone(),
        from: signed_in.session.user.id.clone(),
        from_name: String::new(),
        to,
        to_name: String::new(),
        kind: kind.to_owned(),
        title,
        vacancy,
        note: form.note.trim().chars().take(1000).collect(),
        created_at: Utc::now(),
        outcome: None,
        outcome_note: String::new(),
    };
    with_store(&portal, move |store| {
        store.write(|batch| batch.bring_lead(&lead))?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&table_path(&at)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OutcomeForm {
    csrf: String,
    outcome: String,
    note: String,
}

/// `POST /estafettes/{id}/tafels/{table}/kansen/{lead}`: the one a lead was brought to records
/// what came of it; a contact, conversation, interview or job is also a shared step in their
/// log, for the table and their circle to give a pluim.
pub async fn record_outcome(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((id, table, lead)): Path<(String, String, String)>,
    Form(form): Form<OutcomeForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let at = table_for(&portal, &signed_in, id, table).await?;
    let Some((outcome, _, kind)) = OUTCOMES.iter().find(|(key, _, _)| *key == form.outcome) else {
        return Err(PageError::Forbidden);
    };
    let me = signed_in.session.user.id.clone();
    let note: String = form.note.trim().chars().take(1000).collect();
    let table_id = at.table.id.clone();
    let step_id = new_id('a')?;
    let (outcome, kind) = (*outcome, *kind);
    with_store(&portal, move |store| {
        let lead = store
            .leads_at_table(&table_id)?
            .into_iter()
            .find(|l| l.id == lead && l.to == me)
            .ok_or(PageError::NotFound)?;
        store.write(|batch| {
            batch.record_lead_outcome(&lead.id, &me, outcome, &note, Utc::now())?;
            if let Some(kind) = kind {
                let now = Utc::now();
                batch.log_action(&vindwerk_store::Action {
                    id: step_id.clone(),
                    seeker: me.clone(),
                    kind,
                    day: now.date_naive(),
                    vacancy: lead.vacancy.clone().map(vindwerk_model::VacancyId::new),
                    position: lead.title.clone(),
                    employer: String::new(),
                    result: outcome_label(outcome).to_owned(),
                    note: if note.is_empty() {
                        format!("Via {}", lead.from_name)
                    } else {
                        format!("Via {}: {note}", lead.from_name)
                    },
                    shared: true,
                    created_at: now,
                })?;
            }
            Ok::<_, vindwerk_store::StoreError>(())
        })?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&table_path(&at)).into_response())
}

#[derive(Template)]
#[template(path = "round_summary.html")]
struct SummaryPage<'a> {
    round: &'a Round,
    kickoff: String,
    rows: Vec<SummaryRow>,
    total: SummaryRow,
}

#[derive(Default)]
struct SummaryRow {
    name: String,
    participants: usize,
    leads: usize,
    openings: usize,
    conversations: usize,
    interviews: usize,
    jobs: usize,
}

/// `GET /estafettes/{id}/samenvatting`: for the organiser and the round's coaches, what the
/// round brought per table and in all: leads, openings, conversations, interviews, jobs.
/// Steps count from the round's creation; printable.
pub async fn summary_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    let (data, standing) = round_for(&portal, &signed_in, id).await?;
    if !(standing.organiser || standing.coach_of.is_some()) {
        return Err(PageError::NotFound);
    }
    let tables = data.tables.clone();
    let participants = data.participants.clone();
    let since = data.round.created_at;
    let per_table = with_store(&portal, move |store| {
        let mut rows = Vec::new();
        for table in &tables {
            let seated: Vec<&Participant> = participants
                .iter()
                .filter(|p| p.table.as_deref() == Some(table.id.as_str()))
                .collect();
            let leads = store.leads_at_table(&table.id)?;
            let mut row = SummaryRow {
                name: format!("Tafel van {}", table.coach_name),
                participants: seated.len(),
                leads: leads.len(),
                openings: leads
                    .iter()
                    .filter(|l| is_opening(l.outcome.as_deref()))
                    .count(),
                jobs: leads
                    .iter()
                    .filter(|l| l.outcome.as_deref() == Some("job"))
                    .count(),
                ..SummaryRow::default()
            };
            for person in &seated {
                for action in store.actions_of(&person.user, false)? {
                    if action.created_at < since {
                        continue;
                    }
                    match action.kind {
                        ActionKind::Coffee | ActionKind::Network => row.conversations += 1,
                        ActionKind::Interview => row.interviews += 1,
                        _ => {}
                    }
                }
            }
            rows.push(row);
        }
        Ok(rows)
    })
    .await?;
    let mut total = SummaryRow {
        name: "De hele ronde".to_owned(),
        ..SummaryRow::default()
    };
    for row in &per_table {
        total.participants += row.participants;
        total.leads += row.leads;
        total.openings += row.openings;
        total.conversations += row.conversations;
        total.interviews += row.interviews;
        total.jobs += row.jobs;
    }
    Ok(render(
        StatusCode::OK,
        &SummaryPage {
            round: &data.round,
            kickoff: data.round.kickoff.format("%d-%m-%Y").to_string(),
            rows: per_table,
            total,
        },
    ))
}

/// A meeting as the table's page shows it.
struct MeetingView {
    id: String,
    day: String,
    place: String,
    /// The place when it is a call's address.
    call: Option<String>,
    agenda: String,
    notes: String,
    present: Vec<String>,
    /// (user id, name, came) per member, for the coach's record form.
    roll: Vec<(String, String, bool)>,
}

struct AgreementView {
    id: String,
    who: String,
    for_whom: Option<String>,
    what: String,
    done: bool,
    /// The viewer may tick it: the one who agreed, the coach or the organiser.
    may_tick: bool,
}

fn meeting_views(meetings: &[vindwerk_store::Meeting], seated: &[Participant]) -> Vec<MeetingView> {
    meetings
        .iter()
        .map(|meeting| {
            let place = meeting.place.clone();
            MeetingView {
                id: meeting.id.clone(),
                day: meeting.day.format("%d-%m-%Y").to_string(),
                call: (place.starts_with("https://") || place.starts_with("http://"))
                    .then(|| place.clone()),
                place,
                agenda: meeting.agenda.clone(),
                notes: meeting.notes.clone(),
                present: seated
                    .iter()
                    .filter(|p| meeting.present.contains(&p.user))
                    .map(|p| p.name.clone())
                    .collect(),
                roll: seated
                    .iter()
                    .map(|p| {
                        (
                            p.user.to_string(),
                            p.name.clone(),
                            meeting.present.contains(&p.user),
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MeetingForm {
    csrf: String,
    day: String,
    place: String,
    agenda: String,
}

fn table_path(at: &AtTable) -> String {
    format!("/estafettes/{}/tafels/{}", at.data.round.id, at.table.id)
}

/// `POST /estafettes/{id}/tafels/{table}/bijeenkomsten`: the coach (or organiser) plans a
/// meeting.
pub async fn plan_meeting(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((id, table)): Path<(String, String)>,
    Form(form): Form<MeetingForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let at = table_for(&portal, &signed_in, id, table).await?;
    if at.member {
        return Err(PageError::Forbidden);
    }
    let day =
        NaiveDate::parse_from_str(form.day.trim(), "%Y-%m-%d").map_err(|_| PageError::Forbidden)?;
    let meeting = vindwerk_store::Meeting {
        id: new_id('m')?,
        table: at.table.id.clone(),
        day,
        place: form.place.trim().chars().take(300).collect(),
        agenda: form.agenda.trim().chars().take(2000).collect(),
        notes: String::new(),
        present: Vec::new(),
    };
    with_store(&portal, move |store| {
        store.write(|batch| batch.plan_meeting(&meeting, Utc::now()))?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&table_path(&at)).into_response())
}

/// `POST /estafettes/{id}/tafels/{table}/bijeenkomsten/{meeting}`: the coach (or organiser)
/// records the notes and who came. The form repeats `present` per member who came.
pub async fn record_meeting(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((id, table, meeting)): Path<(String, String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    };
    check_csrf(&signed_in.session.csrf, field("csrf"))?;
    let at = table_for(&portal, &signed_in, id, table).await?;
    if at.member {
        return Err(PageError::Forbidden);
    }
    let seated: Vec<UserId> = at
        .data
        .participants
        .iter()
        .filter(|p| p.table.as_deref() == Some(at.table.id.as_str()))
        .map(|p| p.user.clone())
        .collect();
    let present: Vec<UserId> = fields
        .iter()
        .filter(|(key, _)| key == "present")
        .map(|(_, value)| UserId::new(value.trim()))
        .filter(|user| seated.contains(user))
        .collect();
    let notes: String = field("notes").trim().chars().take(5000).collect();
    let table_id = at.table.id.clone();
    with_store(&portal, move |store| {
        if !store.meetings(&table_id)?.iter().any(|m| m.id == meeting) {
            return Err(PageError::NotFound);
        }
        store.write(|batch| batch.record_meeting(&meeting, &notes, &present))?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&table_path(&at)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AgreementForm {
    csrf: String,
    meeting: String,
    who: String,
    #[serde(rename = "for")]
    for_whom: String,
    what: String,
}

/// `POST /estafettes/{id}/tafels/{table}/afspraken`: an agreement made at a meeting: who
/// does what for whom before the next one.
pub async fn make_agreement(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((id, table)): Path<(String, String)>,
    Form(form): Form<AgreementForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let at = table_for(&portal, &signed_in, id, table).await?;
    let seated = |user: &str| {
        at.data
            .participants
            .iter()
            .find(|p| p.user.as_str() == user && p.table.as_deref() == Some(at.table.id.as_str()))
            .map(|p| p.user.clone())
    };
    let who = seated(form.who.trim()).ok_or(PageError::NotFound)?;
    let for_whom = match form.for_whom.trim() {
        "" => None,
        other => Some(seated(other).ok_or(PageError::NotFound)?),
    };
    let what: String = form.what.trim().chars().take(500).collect();
    if what.is_empty() {
        return Err(PageError::Forbidden);
    }
    let agreement = vindwerk_store::Agreement {
        id: new_id('f')?,
        meeting: form.meeting.trim().to_owned(),
        who,
        who_name: String::new(),
        for_whom,
        for_name: None,
        what,
        done: false,
    };
    let table_id = at.table.id.clone();
    with_store(&portal, move |store| {
        if !store
            .meetings(&table_id)?
            .iter()
            .any(|m| m.id == agreement.meeting)
        {
            return Err(PageError::NotFound);
        }
        store.write(|batch| batch.make_agreement(&agreement))?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&table_path(&at)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TickForm {
    csrf: String,
    /// `ja`: done; anything else: open again.
    klaar: String,
}

/// `POST /estafettes/{id}/tafels/{table}/afspraken/{agreement}`: the one who agreed, the
/// coach or the organiser ticks an agreement off (or opens it again).
pub async fn tick_agreement(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((id, table, agreement)): Path<(String, String, String)>,
    Form(form): Form<TickForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let at = table_for(&portal, &signed_in, id, table).await?;
    let me = signed_in.session.user.id.clone();
    let table_id = at.table.id.clone();
    let leads_table = !at.member;
    let done = form.klaar == "ja";
    with_store(&portal, move |store| {
        let found = store
            .agreements(&table_id)?
            .into_iter()
            .find(|a| a.id == agreement)
            .ok_or(PageError::NotFound)?;
        if !(leads_table || found.who == me) {
            return Err(PageError::Forbidden);
        }
        store.write(|batch| batch.tick_agreement(&found.id, done, Utc::now()))?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&table_path(&at)).into_response())
}

/// `POST /estafettes/{id}/verlaten`: a participant leaves the round and their table; what they
/// shared (steps, leads, agreements) leaves the table's page with them, and stays theirs.
pub async fn leave(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let (data, standing) = round_for(&portal, &signed_in, id).await?;
    if !standing.participant {
        return Err(PageError::NotFound);
    }
    let user = signed_in.session.user.id.clone();
    let round = data.round.id.clone();
    with_store(&portal, move |store| {
        store.write(|batch| batch.leave_round(&round, &user))?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to("/estafettes").into_response())
}
