//! A forgotten password: the visitor gives their email address and gets the same answer
//! whether an account has it or not; for an account, a single-use link that works for an
//! hour goes to the outbox, from which the operator passes it on (`vindwerk outbox`). The
//! link sets a new password, ends every session of the account and clears its failed
//! sign-ins. Requests are limited per account and per address.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use serde::Deserialize;
use vindwerk_store::{StoreError, normalise_email};

use super::accounts::{
    ClientAddress, check_form_cookie, form_token, password_problem, with_form_cookie,
};
use super::password::hash_password;
use super::session::PageError;
use super::{LOGIN_WINDOW_MINUTES, blocking, portal, random_token, site_url, with_store};
use crate::AppState;
use crate::pages::render;

/// How long a reset link works.
pub const RESET_MINUTES: i64 = 60;
/// Reset links one account gets within [`LOGIN_WINDOW_MINUTES`], at most.
pub const MAX_RESETS_PER_ACCOUNT: u64 = 3;
/// Reset requests from one address within [`LOGIN_WINDOW_MINUTES`], at most.
pub const MAX_RESETS_PER_ADDRESS: u64 = 10;

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage<'a> {
    csrf: &'a str,
    sent: bool,
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage<'a> {
    csrf: &'a str,
    token: &'a str,
    problem: Option<&'a str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForgotForm {
    csrf: String,
    email: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    csrf: String,
    password: String,
    password_again: String,
}

/// `GET /wachtwoord-vergeten`
pub async fn forgot_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    let (csrf, new) = form_token(&headers)?;
    let page = render(
        StatusCode::OK,
        &ForgotPage {
            csrf: &csrf,
            sent: false,
        },
    );
    Ok(with_form_cookie(page, &csrf, new, portal.secure_cookies))
}

/// `POST /wachtwoord-vergeten`: the same answer for every address.
pub async fn forgot(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientAddress(address): ClientAddress,
    Form(form): Form<ForgotForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_form_cookie(&headers, &form.csrf)?;
    let email = normalise_email(&form.email);
    let now = Utc::now();
    let window_start = now - Duration::minutes(LOGIN_WINDOW_MINUTES);
    let address_key = address.map(|address| format!("reset-address:{address}"));
    let token = random_token()?;
    let link = format!(
        "{}/wachtwoord-herstellen/{token}",
        site_url(&portal, &headers)
    );
    let limited = with_store(&portal, move |store| {
        if let Some(key) = &address_key {
            if store.login_failures_since(key, window_start)? >= MAX_RESETS_PER_ADDRESS {
                return Ok(true);
            }
            let forget = now - Duration::days(1);
            store.write(|batch| batch.record_login_failure(key, now, forget))?;
        }
        let Some(user) = store.user_by_email(&email)? else {
            return Ok(false);
        };
        if store.resets_since(&user.id, window_start)? >= MAX_RESETS_PER_ACCOUNT {
            return Ok(false);
        }
        let body = format!(
            "Hallo {name},\n\nIemand (hopelijk jij) vroeg een nieuw wachtwoord voor je account bij \
             vindwerk. Met deze link kies je er een; hij werkt één keer en een uur lang:\n\n{link}\n\n\
             Heb je niets gevraagd? Dan hoef je niets te doen: je wachtwoord blijft wat het was.\n",
            name = user.name,
        );
        store.write(|batch| {
            batch.create_password_reset(
                &token,
                &user.id,
                now,
                now + Duration::minutes(RESET_MINUTES),
            )?;
            batch.queue_message(
                Some(&user.id),
                &user.email,
                "Je wachtwoord bij vindwerk",
                &body,
                now,
            )?;
            Ok::<_, StoreError>(())
        })?;
        tracing::info!(user = %user.id, "password reset queued in the outbox");
        Ok(false)
    })
    .await?;
    if limited {
        return Err(PageError::TooManyAttempts);
    }
    portal.outbox_ready.notify_one();
    Ok(render(
        StatusCode::OK,
        &ForgotPage {
            csrf: &form.csrf,
            sent: true,
        },
    ))
}

/// Whether `token` can be a reset token; anything else is not looked up.
fn looks_like_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

fn dead_link() -> PageError {
    PageError::NotFound
}

/// `GET /wachtwoord-herstellen/{token}`
pub async fn reset_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    if !looks_like_token(&token) {
        return Err(dead_link());
    }
    let lookup = token.clone();
    let live = with_store(&portal, move |store| {
        Ok(store.password_reset(&lookup, Utc::now())?.is_some())
    })
    .await?;
    if !live {
        return Err(dead_link());
    }
    let (csrf, new) = form_token(&headers)?;
    let page = render(
        StatusCode::OK,
        &ResetPage {
            csrf: &csrf,
            token: &token,
            problem: None,
        },
    );
    Ok(with_form_cookie(page, &csrf, new, portal.secure_cookies))
}

/// `POST /wachtwoord-herstellen/{token}`
pub async fn reset(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response, PageError> {
    let portal = portal(&state)?;
    check_form_cookie(&headers, &form.csrf)?;
    if !looks_like_token(&token) {
        return Err(dead_link());
    }
    if let Some(problem) = password_problem(&form.password, &form.password_again) {
        return Ok(render(
            StatusCode::BAD_REQUEST,
            &ResetPage {
                csrf: &form.csrf,
                token: &token,
                problem: Some(problem),
            },
        ));
    }
    let password = form.password.clone();
    let hash = blocking(move || hash_password(&password))
        .await?
        .map_err(|error| PageError::Internal(format!("hashing a password: {error}")))?;
    let done = with_store(&portal, move |store| {
        let now = Utc::now();
        let Some(reset) = store.password_reset(&token, now)? else {
            return Ok(None);
        };
        let user = store.user(&reset.user)?;
        store
            .write(|batch| {
                if !batch.use_password_reset(&token, now)? {
                    return Ok::<_, StoreError>(None);
                }
                batch.set_password_hash(&reset.user, &hash)?;
                batch.delete_other_sessions(&reset.user, None)?;
                if let Some(user) = &user {
                    batch.clear_login_failures(&format!("account:{}", user.email))?;
                }
                Ok(Some(reset.user.clone()))
            })
            .map_err(PageError::from)
    })
    .await?;
    match done {
        Some(user) => {
            tracing::info!(user = %user, "password reset");
            Ok(Redirect::to("/inloggen?hersteld=1").into_response())
        }
        None => Err(dead_link()),
    }
}
