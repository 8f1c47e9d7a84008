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
use vindwerk_model::{Role, UserId};
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
