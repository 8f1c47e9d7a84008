//! Sign up, sign in, sign out, and the account page: change the password, download
//! everything vindwerk holds about you, delete the account.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use vindwerk_model::{Role, UserId};
use vindwerk_store::{NewUser, StoreError, User, normalise_email};

use super::password::{check_new_password, decoy_hash, hash_password, verify_password};
use super::session::{
    FORM_COOKIE, PageError, SESSION_COOKIE, SignedIn, Viewer, check_csrf, cookie, local_path,
    random_token, set_cookie,
};
use super::{
    CsrfForm, LOGIN_WINDOW_MINUTES, MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS, Portal,
    blocking, new_id, portal, session_length, with_store,
};
use crate::AppState;
use crate::pages::{encode_query, message, render};

/// The address a request came from, when the server knows it.
pub struct ClientAddress(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<ClientAddress, Infallible> {
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(ClientAddress(address))
    }
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage<'a> {
    csrf: &'a str,
    name: &'a str,
    email: &'a str,
    back: &'a str,
    problem: Option<&'a str>,
}

impl SignupPage<'_> {
    /// The sign-in page, bringing the visitor to the same place afterwards.
    fn signin_href(&self) -> String {
        format!("/inloggen?terug={}", encode_query(self.back))
    }
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SigninPage<'a> {
    csrf: &'a str,
    email: &'a str,
    back: &'a str,
    problem: Option<&'a str>,
    notice: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    user: &'a User,
    roles: String,
    seeker: bool,
    /// A circle member who is not a seeker: offered to become one.
    offer_seeking: bool,
    csrf: &'a str,
    notice: Option<&'a str>,
    problem: Option<&'a str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignupForm {
    csrf: String,
    name: String,
    email: String,
    password: String,
    password_again: String,
    back: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SigninForm {
    csrf: String,
    email: String,
    password: String,
    back: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    csrf: String,
    current: String,
    password: String,
    password_again: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    csrf: String,
    password: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BackQuery {
    terug: String,
    /// Set after a password reset.
    hersteld: String,
}

/// The form token of an anonymous form: the visitor's form cookie, or a new one to set.
pub(super) fn form_token(headers: &HeaderMap) -> Result<(String, bool), PageError> {
    match cookie(headers, FORM_COOKIE) {
        Some(token) => Ok((token, false)),
        None => Ok((random_token()?, true)),
    }
}

pub(super) fn with_form_cookie(
    mut response: Response,
    token: &str,
    new: bool,
    secure: bool,
) -> Response {
    if new {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(FORM_COOKIE, token, 2 * 3600, secure),
        );
    }
    response
}

pub(super) fn check_form_cookie(headers: &HeaderMap, given: &str) -> Result<(), PageError> {
    let expected = cookie(headers, FORM_COOKIE).unwrap_or_default();
    check_csrf(&expected, given)
}

/// What is wrong with a new password, in Dutch.
pub(super) fn password_problem(password: &str, again: &str) -> Option<&'static str> {
    if let Err(weak) = check_new_password(password) {
        return Some(weak.dutch());
    }
    if password != again {
        return Some("De twee wachtwoorden zijn niet gelijk.");
    }
    None
}

fn signup_problem(form: &SignupForm) -> Option<&'static str> {
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Some("Vul je naam in (hoogstens 100 tekens).");
    }
    let email = form.email.trim();
    let plausible = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.contains(char::is_whitespace);
    if !plausible {
        return Some("Vul een geldig e-mailadres in.");
    }
    password_problem(&form.password, &form.password_again)
}

/// Signs `user` in: a new session (a new token, whatever the visitor had before), its cookie,
/// and a redirect to `target`.
async fn start_session(
    portal: &Arc<Portal>,
    user: UserId,
    previous: Option<String>,
    target: &str,
) -> Result<Response, PageError> {
    let token = random_token()?;
    let csrf = random_token()?;
    let now = Utc::now();
    let expires = now + session_length();
    let stored = token.clone();
    with_store(portal, move |store| {
        store.write(|batch| {
            if let Some(previous) = &previous {
                batch.delete_session(previous)?;
            }
            batch.create_session(&stored, &user, &csrf, now, expires)
        })?;
        Ok(())
    })
    .await?;
    let mut response = Redirect::to(target).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            SESSION_COOKIE,
            &token,
            session_length().num_seconds(),
            portal.secure_cookies,
        ),
    );
    Ok(response)
}

/// `GET /aanmelden`
pub async fn signup_page(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Query(query): Query<BackQuery>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    let back = local_path(&query.terug).unwrap_or("/mijn");
    if viewer.session.is_some() {
        return Ok(Redirect::to(back).into_response());
    }
    let (csrf, new) = form_token(&headers)?;
    let page = SignupPage {
        csrf: &csrf,
        name: "",
        email: "",
        back,
        problem: None,
    };
    Ok(with_form_cookie(
        render(StatusCode::OK, &page),
        &csrf,
        new,
        portal.secure_cookies,
    ))
}

/// `POST /aanmelden`: a new seeker account, signed in at once.
pub async fn signup(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<SignupForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_form_cookie(&headers, &form.csrf)?;
    let again = |problem: &str| {
        render(
            StatusCode::BAD_REQUEST,
            &SignupPage {
                csrf: &form.csrf,
                name: &form.name,
                email: &form.email,
                back: &form.back,
                problem: Some(problem),
            },
        )
    };
    if let Some(problem) = signup_problem(&form) {
        return Ok(again(problem));
    }
    let password = form.password.clone();
    let hash = blocking(move || hash_password(&password))
        .await?
        .map_err(|error| PageError::Internal(error.to_string()))?;
    let id = UserId::new(new_id('u')?);
    let (name, email) = (form.name.trim().to_owned(), normalise_email(&form.email));
    // Someone who signs up to join a circle comes to follow a seeker, not to search: they
    // become a seeker themselves from their account page if they want to.
    let role = if local_path(&form.back).is_some_and(|back| back.starts_with("/uitnodiging/")) {
        Role::Circle
    } else {
        Role::Seeker
    };
    let new_id = id.clone();
    let created = with_store(&portal, move |store| {
        let result = store.write(|batch| {
            batch.create_user(
                &NewUser {
                    id: &new_id,
                    email: &email,
                    name: &name,
                    password_hash: &hash,
                    roles: &[role],
                },
                Utc::now(),
            )
        });
        match result {
            Ok(()) => Ok(true),
            Err(StoreError::Duplicate { .. }) => Ok(false),
            Err(error) => Err(error.into()),
        }
    })
    .await?;
    if !created {
        return Ok(again(
            "Met dit e-mailadres kun je geen nieuw account maken. Heb je al een account? Log dan in.",
        ));
    }
    tracing::info!(user = %id, "account created");
    let back = local_path(&form.back).unwrap_or("/mijn");
    start_session(&portal, id, viewer.token, back).await
}

/// `GET /inloggen`
pub async fn signin_page(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Query(query): Query<BackQuery>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    let back = local_path(&query.terug).unwrap_or("/mijn");
    if viewer.session.is_some() {
        return Ok(Redirect::to(back).into_response());
    }
    let (csrf, new) = form_token(&headers)?;
    let page = SigninPage {
        csrf: &csrf,
        email: "",
        back,
        problem: None,
        notice: (!query.hersteld.is_empty())
            .then_some("Je nieuwe wachtwoord is bewaard. Log ermee in."),
    };
    Ok(with_form_cookie(
        render(StatusCode::OK, &page),
        &csrf,
        new,
        portal.secure_cookies,
    ))
}

/// `POST /inloggen`: the same answer whether the account exists or not; failures are
/// limited per account and per address.
pub async fn signin(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    ClientAddress(address): ClientAddress,
    Form(form): Form<SigninForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_form_cookie(&headers, &form.csrf)?;
    let email = normalise_email(&form.email);
    let account_key = format!("account:{email}");
    let address_key = address.map(|address| format!("address:{address}"));
    let now = Utc::now();
    let window_start = now - Duration::minutes(LOGIN_WINDOW_MINUTES);

    let (keys, lookup) = ((account_key.clone(), address_key.clone()), email.clone());
    let (user, limited) = with_store(&portal, move |store| {
        let (account_key, address_key) = keys;
        let mut limited =
            store.login_failures_since(&account_key, window_start)? >= MAX_FAILURES_PER_ACCOUNT;
        if let Some(key) = &address_key {
            limited |= store.login_failures_since(key, window_start)? >= MAX_FAILURES_PER_ADDRESS;
        }
        Ok((store.user_by_email(&lookup)?, limited))
    })
    .await?;
    if limited {
        return Err(PageError::TooManyAttempts);
    }
    let password = form.password.clone();
    let hash = user.as_ref().map_or_else(
        || decoy_hash().to_owned(),
        |user| user.password_hash.clone(),
    );
    let matches = blocking(move || verify_password(&password, &hash)).await?;
    let back = local_path(&form.back).unwrap_or("/mijn").to_owned();
    match user.filter(|_| matches) {
        Some(user) => {
            with_store(&portal, move |store| {
                store.write(|batch| batch.clear_login_failures(&account_key))?;
                Ok(())
            })
            .await?;
            start_session(&portal, user.id, viewer.token, &back).await
        }
        None => {
            with_store(&portal, move |store| {
                let forget = now - Duration::days(1);
                store.write(|batch| {
                    batch.record_login_failure(&account_key, now, forget)?;
                    if let Some(key) = &address_key {
                        batch.record_login_failure(key, now, forget)?;
                    }
                    Ok::<_, StoreError>(())
                })?;
                Ok(())
            })
            .await?;
            let page = SigninPage {
                csrf: &form.csrf,
                email: &form.email,
                back: &back,
                problem: Some("Dit e-mailadres en wachtwoord horen niet bij elkaar."),
                notice: None,
            };
            Ok(render(StatusCode::UNAUTHORIZED, &page))
        }
    }
}

/// Whether `password` is the signed-in user's (hashing runs on a blocking thread).
async fn password_of(signed_in: &SignedIn, password: &str) -> Result<bool, PageError> {
    let (password, hash) = (
        password.to_owned(),
        signed_in.session.user.password_hash.clone(),
    );
    blocking(move || verify_password(&password, &hash)).await
}

/// `response` with the session cookie deleted.
fn without_session(mut response: Response, portal: &Portal) -> Response {
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, portal.secure_cookies),
    );
    response
}

/// `POST /uitloggen`
pub async fn signout(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let token = signed_in.token;
    with_store(&portal, move |store| {
        store.write(|batch| batch.delete_session(&token))?;
        Ok(())
    })
    .await?;
    Ok(without_session(Redirect::to("/").into_response(), &portal))
}

/// `POST /account/zelf-zoeken`: a circle member who looks for work too becomes a seeker.
pub async fn become_seeker(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    let user = signed_in.session.user.id.clone();
    with_store(&portal, move |store| {
        store.write(|batch| batch.add_role(&user, Role::Seeker))?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to("/account").into_response())
}

fn account_page_of(
    status: StatusCode,
    signed_in: &SignedIn,
    notice: Option<&str>,
    problem: Option<&str>,
) -> Response {
    let user = &signed_in.session.user;
    let roles = user
        .roles
        .iter()
        .map(|role| role_label(*role))
        .collect::<Vec<_>>()
        .join(", ");
    render(
        status,
        &AccountPage {
            user,
            roles,
            seeker: user.has_role(Role::Seeker),
            offer_seeking: user.has_role(Role::Circle) && !user.has_role(Role::Seeker),
            csrf: &signed_in.session.csrf,
            notice,
            problem,
        },
    )
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Seeker => "werkzoekende",
        Role::Circle => "kring",
        Role::Coach => "coach",
        Role::Operator => "beheerder",
    }
}

/// `GET /account`
pub async fn account_page(signed_in: SignedIn) -> Response {
    account_page_of(StatusCode::OK, &signed_in, None, None)
}

/// `POST /account/wachtwoord`: a new password; every other session of the account ends.
pub async fn change_password(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    if !password_of(&signed_in, &form.current).await? {
        return Ok(account_page_of(
            StatusCode::BAD_REQUEST,
            &signed_in,
            None,
            Some("Je huidige wachtwoord klopt niet."),
        ));
    }
    if let Some(problem) = password_problem(&form.password, &form.password_again) {
        return Ok(account_page_of(
            StatusCode::BAD_REQUEST,
            &signed_in,
            None,
            Some(problem),
        ));
    }
    let password = form.password.clone();
    let new_hash = blocking(move || hash_password(&password))
        .await?
        .map_err(|error| PageError::Internal(error.to_string()))?;
    let (user, keep) = (signed_in.session.user.id.clone(), signed_in.token.clone());
    with_store(&portal, move |store| {
        store.write(|batch| {
            batch.set_password_hash(&user, &new_hash)?;
            batch.delete_other_sessions(&user, Some(&keep))
        })?;
        Ok(())
    })
    .await?;
    Ok(account_page_of(
        StatusCode::OK,
        &signed_in,
        Some("Je wachtwoord is gewijzigd. Op andere apparaten ben je uitgelogd."),
        None,
    ))
}

/// Everything vindwerk holds about a user, as they download it.
#[derive(Debug, Serialize)]
pub struct PersonalData {
    pub exported_at: String,
    pub account: AccountData,
    pub shortlists: Vec<ShortlistData>,
    pub saved_searches: Vec<SavedSearchData>,
    pub rounds: Vec<RoundPartData>,
    pub circle: CircleData,
    /// The organisations whose internal vacancies one sees.
    pub organisations: Vec<OrganisationData>,
    /// The offerings one chose, with their status.
    pub trajectory: Vec<TrajectoryData>,
    /// The providers one works for: (id, name).
    pub providers: Vec<(String, String)>,
    /// Advice coaches wrote to one: (coach, text, when).
    pub advice: Vec<(String, String, String)>,
}

#[derive(Debug, Serialize)]
pub struct TrajectoryData {
    pub offering: String,
    pub title: String,
    pub provider: String,
    pub status: String,
    pub note: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize)]
pub struct OrganisationData {
    pub slug: String,
    pub name: String,
    pub admin: bool,
}

/// One's part in a Werkestafette round.
#[derive(Debug, Serialize)]
pub struct RoundPartData {
    pub id: String,
    pub name: String,
    pub city: String,
    pub kickoff: String,
    pub organiser: bool,
    /// One's introduction as a table coach.
    pub coach_intro: Option<String>,
    pub participant: bool,
    /// The coach of the table one chose.
    pub table_coach: Option<String>,
}

/// A saved search as kept: its query string, the last visit and its feed token.
#[derive(Debug, Serialize)]
pub struct SavedSearchData {
    pub id: String,
    pub name: String,
    pub query: String,
    pub feed_token: String,
    pub created_at: String,
    pub visited_at: String,
}

/// The circle: who is in one's own, whose one joined, the steps logged and the kudos.
#[derive(Debug, Serialize)]
pub struct CircleData {
    pub members: Vec<PersonData>,
    pub joined: Vec<PersonData>,
    pub actions: Vec<ActionData>,
    pub kudos_received: Vec<KudosData>,
    pub kudos_given: Vec<KudosData>,
}

#[derive(Debug, Serialize)]
pub struct PersonData {
    pub name: String,
    pub joined_at: String,
}

#[derive(Debug, Serialize)]
pub struct ActionData {
    pub id: String,
    pub kind: vindwerk_model::ActionKind,
    pub day: String,
    pub vacancy: Option<String>,
    pub position: String,
    pub employer: String,
    pub result: String,
    pub note: String,
    pub shared: bool,
    pub created_at: String,
}

#[derive(Debug, Serialize)]
pub struct KudosData {
    pub action: String,
    pub from: String,
    pub message: String,
    pub given_at: String,
}

fn circle_data(store: &vindwerk_store::Store, user: &UserId) -> Result<CircleData, StoreError> {
    let person = |p: vindwerk_store::CirclePerson| PersonData {
        name: p.name,
        joined_at: p.joined_at.to_rfc3339(),
    };
    let kudos = |k: vindwerk_store::Kudos| KudosData {
        action: k.action,
        from: k.member_name,
        message: k.message,
        given_at: k.given_at.to_rfc3339(),
    };
    Ok(CircleData {
        members: store.circle_of(user)?.into_iter().map(person).collect(),
        joined: store
            .circles_joined(user)?
            .into_iter()
            .map(person)
            .collect(),
        actions: store
            .actions_of(user, false)?
            .into_iter()
            .map(|a| ActionData {
                id: a.id,
                kind: a.kind,
                day: a.day.to_string(),
                vacancy: a.vacancy.map(|v| v.to_string()),
                position: a.position,
                employer: a.employer,
                result: a.result,
                note: a.note,
                shared: a.shared,
                created_at: a.created_at.to_rfc3339(),
            })
            .collect(),
        kudos_received: store
            .kudos_for_seeker(user)?
            .into_iter()
            .map(kudos)
            .collect(),
        kudos_given: store.kudos_given_by(user)?.into_iter().map(kudos).collect(),
    })
}

#[derive(Debug, Serialize)]
pub struct ShortlistData {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub vacancies: Vec<ShortlistItemData>,
}

#[derive(Debug, Serialize)]
pub struct ShortlistItemData {
    pub vacancy: String,
    pub note: String,
    pub added_at: String,
}

#[derive(Debug, Serialize)]
pub struct AccountData {
    pub id: String,
    pub name: String,
    pub email: String,
    pub roles: Vec<Role>,
    pub created_at: String,
}

/// `GET /account/gegevens.json`
pub async fn export_data(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    let user = signed_in.session.user;
    let owner = user.id.clone();
    let (
        shortlists,
        saved_searches,
        rounds,
        circle,
        (organisations, trajectory, providers, advice),
    ) = with_store(&portal, move |store| {
        let mut lists = Vec::new();
        for list in store.shortlists_of(&owner)? {
            let vacancies = store
                .shortlist_items(&list.id)?
                .into_iter()
                .map(|item| ShortlistItemData {
                    vacancy: item.vacancy.to_string(),
                    note: item.note,
                    added_at: item.added_at.to_rfc3339(),
                })
                .collect();
            lists.push(ShortlistData {
                id: list.id,
                name: list.name,
                created_at: list.created_at.to_rfc3339(),
                vacancies,
            });
        }
        let saved = store
            .saved_searches_of(&owner)?
            .into_iter()
            .map(|search| SavedSearchData {
                id: search.id,
                name: search.name,
                query: search.query,
                feed_token: search.feed_token,
                created_at: search.created_at.to_rfc3339(),
                visited_at: search.visited_at.to_rfc3339(),
            })
            .collect();
        let mut rounds = Vec::new();
        for round in store.rounds_of(&owner)? {
            let tables = store.round_tables(&round.id)?;
            let me = store
                .round_participants(&round.id)?
                .into_iter()
                .find(|p| p.user == owner);
            rounds.push(RoundPartData {
                organiser: round.organiser == owner,
                coach_intro: tables
                    .iter()
                    .find(|t| t.coach == owner)
                    .map(|t| t.intro.clone()),
                participant: me.is_some(),
                table_coach: me
                    .and_then(|p| p.table)
                    .and_then(|id| tables.iter().find(|t| t.id == id))
                    .map(|t| t.coach_name.clone()),
                kickoff: round.kickoff.to_string(),
                id: round.id,
                name: round.name,
                city: round.city,
            });
        }
        let organisations = store
            .memberships_of(&owner)?
            .into_iter()
            .map(|membership| OrganisationData {
                slug: membership.organisation.slug,
                name: membership.organisation.name,
                admin: membership.admin,
            })
            .collect();
        let trajectory = store
            .trajectory(&owner)?
            .into_iter()
            .map(|item| TrajectoryData {
                offering: item.offering.id,
                title: item.offering.title,
                provider: item.offering.provider_name,
                status: item.status,
                note: item.note,
                updated_at: item.updated_at.to_rfc3339(),
            })
            .collect();
        let advice = store
            .advice_for(&owner)?
            .into_iter()
            .map(|advice| {
                (
                    advice.coach_name,
                    advice.text,
                    advice.created_at.to_rfc3339(),
                )
            })
            .collect();
        let providers = store
            .providers_of(&owner)?
            .into_iter()
            .map(|provider| (provider.id, provider.name))
            .collect();
        Ok((
            lists,
            saved,
            rounds,
            circle_data(store, &owner)?,
            (organisations, trajectory, providers, advice),
        ))
    })
    .await?;
    let data = PersonalData {
        exported_at: Utc::now().to_rfc3339(),
        account: AccountData {
            id: user.id.to_string(),
            name: user.name,
            email: user.email,
            roles: user.roles,
            created_at: user.created_at.to_rfc3339(),
        },
        shortlists,
        saved_searches,
        rounds,
        circle,
        organisations,
        trajectory,
        providers,
        advice,
    };
    Ok((
        [(
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"vindwerk-gegevens.json\"",
        )],
        Json(data),
    )
        .into_response())
}

/// `POST /account/verwijderen`: the account and everything of it, after the password.
pub async fn delete_account(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<DeleteForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_csrf(&signed_in.session.csrf, &form.csrf)?;
    if !password_of(&signed_in, &form.password).await? {
        return Ok(account_page_of(
            StatusCode::BAD_REQUEST,
            &signed_in,
            None,
            Some("Je wachtwoord klopt niet; je account is niet verwijderd."),
        ));
    }
    let user = signed_in.session.user.id.clone();
    with_store(&portal, move |store| {
        store.write(|batch| batch.delete_user(&user))?;
        Ok(())
    })
    .await?;
    tracing::info!("account deleted");
    let response = message(
        StatusCode::OK,
        "Account verwijderd",
        "Je account en alles wat vindwerk over je bewaarde zijn verwijderd.",
    );
    Ok(without_session(response, &portal))
}
