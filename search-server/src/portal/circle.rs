//! The circle: a seeker invites people they trust with a single-use link, logs the steps of
//! their search, and the members follow the steps the seeker shares and give a pluim (kudos)
//! with a short message.
//!
//! Who sees what: a seeker sees their own circle, invitations and every action of theirs with
//! the kudos on it; a member sees, per seeker whose circle they joined, only the actions shared
//! with the circle and the circle's kudos on them. Anyone else gets 404, as if there were
//! nothing. An invitation link works once and expires after [`INVITATION_DAYS`]; the store
//! keeps only its hash, so the link is shown once, to the seeker who made it.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde::Deserialize;
use vindwerk_model::{ActionKind, Role, UserId, VacancyId};
use vindwerk_store::{Action, CirclePerson, Invitation, Kudos, OpenInvitation, User};

use super::session::{PageError, SignedIn, Viewer, check_csrf, local_path, random_token};
use super::{CsrfForm, Portal, new_id, portal, with_store};
use crate::AppState;
use crate::pages::{encode_path, encode_query, render};

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 14;
/// The longest note, message or name kept, in characters.
const MAX_TEXT_CHARS: usize = 2_000;
const MAX_MESSAGE_CHARS: usize = 280;
const MAX_NAME_CHARS: usize = 100;

pub(crate) fn clip(text: &str, max: usize) -> String {
    text.trim().chars().take(max).collect()
}

pub(crate) fn is_seeker(user: &User) -> bool {
    user.has_role(Role::Seeker)
}

fn day_text(day: NaiveDate) -> String {
    day.format("%d-%m-%Y").to_string()
}

pub(super) struct KudosView {
    pub(super) member_name: String,
    pub(super) message: String,
}

pub(super) struct ActionView {
    pub(super) id: String,
    pub(super) kind: &'static str,
    pub(super) day: String,
    pub(super) position: String,
    pub(super) employer: String,
    pub(super) result: String,
    pub(super) note: String,
    pub(super) shared: bool,
    pub(super) vacancy_href: Option<String>,
    pub(super) kudos: Vec<KudosView>,
    /// The viewing member's own pluim on it, when they gave one: its message.
    pub(super) mine: Option<String>,
    /// The viewer's own step: no pluim to give.
    pub(super) own: bool,
}

pub(super) fn action_views(
    actions: Vec<Action>,
    kudos: &[Kudos],
    viewer: &UserId,
) -> Vec<ActionView> {
    actions
        .into_iter()
        .map(|action| {
            let on_it: Vec<&Kudos> = kudos.iter().filter(|k| k.action == action.id).collect();
            ActionView {
                own: &action.seeker == viewer,
                mine: on_it
                    .iter()
                    .find(|k| &k.member == viewer)
                    .map(|k| k.message.clone()),
                kudos: on_it
                    .iter()
                    .map(|k| KudosView {
                        member_name: k.member_name.clone(),
                        message: k.message.clone(),
                    })
                    .collect(),
                vacancy_href: action
                    .vacancy
                    .as_ref()
                    .map(|id| format!("/vacature/{}", encode_path(id.as_str()))),
                kind: action.kind.label(),
                day: day_text(action.day),
                id: action.id,
                position: action.position,
                employer: action.employer,
                result: action.result,
                note: action.note,
                shared: action.shared,
            }
        })
        .collect()
}

/// "This week": the actions logged with a day in the current week (Monday to Sunday) and the
/// kudos given on them.
pub(super) struct Week {
    pub(super) actions: usize,
    pub(super) kudos: usize,
}

pub(super) fn week_at_a_glance(actions: &[Action], kudos: &[Kudos], today: NaiveDate) -> Week {
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let this_week: Vec<&Action> = actions
        .iter()
        .filter(|action| action.day >= monday && action.day <= today)
        .collect();
    Week {
        actions: this_week.len(),
        kudos: kudos
            .iter()
            .filter(|k| this_week.iter().any(|action| action.id == k.action))
            .count(),
    }
}

#[derive(Template)]
#[template(path = "circle.html")]
struct CirclePage<'a> {
    seeker: bool,
    members: &'a [CirclePerson],
    invitations: &'a [OpenInvitation],
    joined: &'a [CirclePerson],
    /// A link just made, shown once.
    new_link: Option<&'a str>,
    csrf: &'a str,
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage<'a> {
    invitation: &'a Invitation,
    signed_in: bool,
    own: bool,
    path: &'a str,
    back: String,
    csrf: &'a str,
}

#[derive(Template)]
#[template(path = "actions.html")]
struct ActionsPage<'a> {
    week: Week,
    actions: &'a [ActionView],
    kinds: &'a [(&'static str, &'static str)],
    today: String,
    circle_size: usize,
    csrf: &'a str,
}

#[derive(Template)]
#[template(path = "timeline.html")]
struct TimelinePage<'a> {
    seeker: &'a CirclePerson,
    actions: &'a [ActionView],
    csrf: &'a str,
    /// (id, name) of the lists the seeker shares with the circle.
    lists: &'a [(String, String)],
    back: Option<&'a str>,
}

/// One action of the timeline: what a pluim form swaps in without a page load.
#[derive(Template)]
#[template(path = "timeline_action.html")]
struct TimelineAction<'a> {
    action: &'a ActionView,
    csrf: &'a str,
    /// Where a form without script returns to (a table's page); the seeker's steps otherwise.
    back: Option<&'a str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    csrf: String,
    name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    csrf: String,
    kind: String,
    day: String,
    position: String,
    employer: String,
    vacancy: String,
    result: String,
    note: String,
    shared: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct KudosForm {
    csrf: String,
    message: String,
    back: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TakeBackForm {
    csrf: String,
    back: String,
}

async fn circle_page_of(
    portal: &Arc<Portal>,
    signed_in: &SignedIn,
    new_link: Option<&str>,
) -> Result<Response, PageError> {
    let user = signed_in.session.user.id.clone();
    let now = Utc::now();
    let (members, invitations, joined) = with_store(portal, move |store| {
        Ok((
            store.circle_of(&user)?,
            store.open_invitations(&user, now)?,
            store.circles_joined(&user)?,
        ))
    })
    .await?;
    Ok(render(
        StatusCode::OK,
        &CirclePage {
            seeker: is_seeker(&signed_in.session.user),
            members: &members,
            invitations: &invitations,
            joined: &joined,
            new_link,
            csrf: &signed_in.session.csrf,
        },
    ))
}

/// `GET /kring`: a seeker's circle and invitations; the circles one is in.
pub async fn circle_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    circle_page_of(&portal, &signed_in, None).await
}

/// The address the invitee opens: this server as the seeker reached it.
fn invitation_link(headers: &HeaderMap, secure: bool, token: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .filter(|host| {
            host.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let scheme = if secure { "https" } else { "http" };
    format!("{scheme}://{host}/uitnodiging/{token}")
}

/// `POST /kring/uitnodigen`: a new invitation link, shown once.
pub async fn invite(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Form(form): Form<InviteForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    if !is_seeker(&signed_in.session.user) {
        return Err(PageError::Forbidden);
    }
    let name = clip(&form.name, MAX_NAME_CHARS);
    let token = random_token()?;
    let seeker = signed_in.session.user.id.clone();
    let stored = token.clone();
    let now = Utc::now();
    with_store(&portal, move |store| {
        store.write(|batch| {
            batch.create_invitation(
                &stored,
                &seeker,
                &name,
                now,
                now + Duration::days(INVITATION_DAYS),
            )
        })?;
        Ok(())
    })
    .await?;
    let link = invitation_link(&headers, portal.secure_cookies, &token);
    circle_page_of(&portal, &signed_in, Some(&link)).await
}

/// `POST /kring/uitnodigingen/{id}/intrekken`
pub async fn revoke(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let seeker = signed_in.session.user.id.clone();
    let revoked = with_store(&portal, move |store| {
        Ok(store.write(|batch| batch.revoke_invitation(&seeker, &id))?)
    })
    .await?;
    if !revoked {
        return Err(PageError::NotFound);
    }
    Ok(Redirect::to("/kring").into_response())
}

/// `POST /kring/leden/{member}/weg`: the seeker takes someone out of their circle.
pub async fn remove_member(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(member): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let seeker = signed_in.session.user.id.clone();
    let member = UserId::new(member);
    let removed = with_store(&portal, move |store| {
        Ok(store.write(|batch| batch.leave_circle(&seeker, &member))?)
    })
    .await?;
    if !removed {
        return Err(PageError::NotFound);
    }
    Ok(Redirect::to("/kring").into_response())
}

/// `POST /kring/{seeker}/verlaten`: a member leaves a seeker's circle.
pub async fn leave(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(seeker): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let member = signed_in.session.user.id.clone();
    let seeker = UserId::new(seeker);
    let left = with_store(&portal, move |store| {
        Ok(store.write(|batch| batch.leave_circle(&seeker, &member))?)
    })
    .await?;
    if !left {
        return Err(PageError::NotFound);
    }
    Ok(Redirect::to("/kring").into_response())
}

/// `GET /uitnodiging/{token}`: whose circle it is, and how to join.
pub async fn invitation_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    let lookup = token.clone();
    let invitation = with_store(&portal, move |store| {
        Ok(store.invitation(&lookup, Utc::now())?)
    })
    .await?;
    let Some(invitation) = invitation else {
        return Err(PageError::NotFound);
    };
    let path = format!("/uitnodiging/{}", encode_path(&token));
    let own = viewer
        .session
        .as_ref()
        .is_some_and(|session| session.user.id == invitation.seeker);
    let csrf = viewer
        .session
        .as_ref()
        .map(|session| session.csrf.clone())
        .unwrap_or_default();
    let mut response = render(
        StatusCode::OK,
        &InvitationPage {
            invitation: &invitation,
            signed_in: viewer.session.is_some(),
            own,
            back: encode_query(&path),
            path: &path,
            csrf: &csrf,
        },
    );
    // The token is in the address: it must not leak to other sites through the referrer.
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

/// `POST /uitnodiging/{token}`: the signed-in visitor joins the circle.
pub async fn accept(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(token): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let member = signed_in.session.user.id.clone();
    let seeker = with_store(&portal, move |store| {
        Ok(store.write(|batch| batch.accept_invitation(&token, &member, Utc::now()))?)
    })
    .await?;
    match seeker {
        Some(seeker) => {
            tracing::info!(member = %signed_in.session.user.id, "joined a circle");
            Ok(Redirect::to(&format!("/kring/{}", encode_path(seeker.as_str()))).into_response())
        }
        None => Err(PageError::NotFound),
    }
}

const KINDS: &[(&str, &str)] = &[
    ("letter", "Sollicitatiebrief verstuurd"),
    ("site_application", "Gesolliciteerd via een site"),
    ("coffee", "Koffiegesprek"),
    ("contact", "Contact gelegd"),
    ("network", "Netwerkgesprek"),
    ("interview", "Sollicitatiegesprek"),
    ("training", "Training of cursus"),
    ("other", "Iets anders"),
];

/// `GET /acties`: the seeker's log, the week at a glance and the form for a new step.
pub async fn actions_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    if !is_seeker(&signed_in.session.user) {
        return Err(PageError::Forbidden);
    }
    let seeker = signed_in.session.user.id.clone();
    let (actions, kudos, circle) = with_store(&portal, move |store| {
        Ok((
            store.actions_of(&seeker, false)?,
            store.kudos_for_seeker(&seeker)?,
            store.circle_of(&seeker)?,
        ))
    })
    .await?;
    let today = super::today_in_amsterdam();
    let week = week_at_a_glance(&actions, &kudos, today);
    let views = action_views(actions, &kudos, &signed_in.session.user.id);
    Ok(render(
        StatusCode::OK,
        &ActionsPage {
            week,
            actions: &views,
            kinds: KINDS,
            today: today.format("%Y-%m-%d").to_string(),
            circle_size: circle.len(),
            csrf: &signed_in.session.csrf,
        },
    ))
}

/// `POST /acties`: logs a step.
pub async fn log_action(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    if !is_seeker(&signed_in.session.user) {
        return Err(PageError::Forbidden);
    }
    let now = Utc::now();
    let kind: ActionKind = form.kind.parse().unwrap_or(ActionKind::Other);
    // A date the browser did not send (or sent oddly) is today; a future date is today too.
    let day = NaiveDate::parse_from_str(form.day.trim(), "%Y-%m-%d")
        .ok()
        .filter(|day| *day <= now.date_naive())
        .unwrap_or(now.date_naive());
    let vacancy = Some(clip(&form.vacancy, MAX_NAME_CHARS))
        .filter(|id| !id.is_empty())
        .map(VacancyId::new);
    let action = Action {
        id: new_id('a')?,
        seeker: signed_in.session.user.id.clone(),
        kind,
        day,
        vacancy,
        position: clip(&form.position, MAX_NAME_CHARS),
        employer: clip(&form.employer, MAX_NAME_CHARS),
        result: clip(&form.result, MAX_NAME_CHARS),
        note: clip(&form.note, MAX_TEXT_CHARS),
        shared: !form.shared.is_empty(),
        created_at: now,
    };
    with_store(&portal, move |store| {
        store.write(|batch| batch.log_action(&action))?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to("/acties").into_response())
}

/// `POST /acties/{id}/verwijderen`
pub async fn delete_action(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let seeker = signed_in.session.user.id.clone();
    let deleted = with_store(&portal, move |store| {
        Ok(store.write(|batch| batch.delete_action(&seeker, &id))?)
    })
    .await?;
    if !deleted {
        return Err(PageError::NotFound);
    }
    Ok(Redirect::to("/acties").into_response())
}

/// The seeker `seeker` when `member` is in their circle; 404 otherwise.
async fn followed(
    portal: &Arc<Portal>,
    member: &UserId,
    seeker: &str,
) -> Result<CirclePerson, PageError> {
    let (member, seeker) = (member.clone(), UserId::new(seeker));
    with_store(portal, move |store| {
        store
            .circles_joined(&member)?
            .into_iter()
            .find(|person| person.user == seeker)
            .ok_or(PageError::NotFound)
    })
    .await
}

/// `GET /kring/{seeker}`: the shared steps of a seeker whose circle the viewer is in.
pub async fn timeline(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(seeker): Path<String>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    let person = followed(&portal, &signed_in.session.user.id, &seeker).await?;
    let seeker_id = person.user.clone();
    let (actions, kudos, lists) = with_store(&portal, move |store| {
        let lists: Vec<(String, String)> = store
            .shortlists_of(&seeker_id)?
            .into_iter()
            .filter(|list| list.shared_with_circle)
            .map(|list| (list.id, list.name))
            .collect();
        Ok((
            store.actions_of(&seeker_id, true)?,
            store.kudos_for_seeker(&seeker_id)?,
            lists,
        ))
    })
    .await?;
    let views = action_views(actions, &kudos, &signed_in.session.user.id);
    Ok(render(
        StatusCode::OK,
        &TimelinePage {
            seeker: &person,
            actions: &views,
            csrf: &signed_in.session.csrf,
            lists: &lists,
            back: None,
        },
    ))
}

/// The shared action `id` when the viewer is in its seeker's circle; 404 otherwise.
async fn shared_action_for_member(
    portal: &Arc<Portal>,
    member: &UserId,
    id: String,
) -> Result<Action, PageError> {
    let member = member.clone();
    with_store(portal, move |store| match store.action(&id)? {
        Some(action)
            if action.shared
                && action.seeker != member
                && (store.is_in_circle(&action.seeker, &member)?
                    || store.shares_table(&action.seeker, &member)?) =>
        {
            Ok(action)
        }
        _ => Err(PageError::NotFound),
    })
    .await
}

/// After a pluim: the action's part of the timeline for a script that asked for it
/// (`X-Vindwerk-Fragment`), else back to the timeline at the action.
async fn after_kudos(
    portal: &Arc<Portal>,
    signed_in: &SignedIn,
    headers: &HeaderMap,
    action: Action,
    back: &str,
) -> Result<Response, PageError> {
    // A table's page sends its own address; anything else returns to the seeker's steps.
    let back = local_path(back).filter(|back| back.starts_with("/estafettes/"));
    if headers.get("x-vindwerk-fragment").is_none() {
        let target = match back {
            Some(back) => format!("{back}#actie-{}", encode_path(&action.id)),
            None => format!(
                "/kring/{}#actie-{}",
                encode_path(action.seeker.as_str()),
                encode_path(&action.id)
            ),
        };
        return Ok(Redirect::to(&target).into_response());
    }
    let seeker = action.seeker.clone();
    let kudos = with_store(portal, move |store| Ok(store.kudos_for_seeker(&seeker)?)).await?;
    let views = action_views(vec![action], &kudos, &signed_in.session.user.id);
    let view = views.first().ok_or(PageError::NotFound)?;
    Ok(render(
        StatusCode::OK,
        &TimelineAction {
            action: view,
            csrf: &signed_in.session.csrf,
            back,
        },
    ))
}

/// `POST /acties/{id}/pluim`: a member's pluim, with an optional short message.
pub async fn give_kudos(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<KudosForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let member = signed_in.session.user.id.clone();
    let action = shared_action_for_member(&portal, &member, id).await?;
    let message = clip(&form.message, MAX_MESSAGE_CHARS);
    let action_id = action.id.clone();
    with_store(&portal, move |store| {
        store.write(|batch| batch.give_kudos(&action_id, &member, &message, Utc::now()))?;
        Ok(())
    })
    .await?;
    after_kudos(&portal, &signed_in, &headers, action, &form.back).await
}

/// `POST /acties/{id}/pluim/terug`: a member takes their pluim back.
pub async fn take_back_kudos(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<TakeBackForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let member = signed_in.session.user.id.clone();
    let action = shared_action_for_member(&portal, &member, id).await?;
    let action_id = action.id.clone();
    with_store(&portal, move |store| {
        store.write(|batch| batch.take_back_kudos(&action_id, &member))?;
        Ok(())
    })
    .await?;
    after_kudos(&portal, &signed_in, &headers, action, &form.back).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(id: &str, day: NaiveDate) -> Action {
        Action {
            id: id.to_owned(),
            seeker: UserId::new("u1"),
            kind: ActionKind::Letter,
            day,
            vacancy: None,
            position: String::new(),
            employer: String::new(),
            result: String::new(),
            note: String::new(),
            shared: true,
            created_at: Utc::now(),
        }
    }

    fn kudos(action: &str, member: &str) -> Kudos {
        Kudos {
            action: action.to_owned(),
            member: UserId::new(member),
            member_name: member.to_owned(),
            message: String::new(),
            given_at: Utc::now(),
        }
    }

    #[test]
    fn the_week_runs_from_monday_to_today() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).expect("date");
        // Wednesday 2 December 2026: the week began on Monday 30 November.
        let actions = [
            action("a", day(2)),
            action("b", NaiveDate::from_ymd_opt(2026, 11, 30).expect("date")),
            action("c", NaiveDate::from_ymd_opt(2026, 11, 29).expect("date")),
        ];
        let given = [kudos("a", "m1"), kudos("a", "m2"), kudos("c", "m1")];
        let week = week_at_a_glance(&actions, &given, day(2));
        assert_eq!(week.actions, 2);
        assert_eq!(week.kudos, 2);
    }

    #[test]
    fn an_invitation_link_names_this_server_and_nothing_odd() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "vindwerk.example:8080".parse().expect("host"));
        assert_eq!(
            invitation_link(&headers, true, "abc"),
            "https://vindwerk.example:8080/uitnodiging/abc"
        );
        headers.insert(header::HOST, "evil\"><script>".parse().expect("host"));
        assert_eq!(
            invitation_link(&headers, false, "abc"),
            "http://localhost/uitnodiging/abc"
        );
    }
}
