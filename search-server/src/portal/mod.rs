//! The portal on top of search: people with accounts and roles (this module's first part:
//! sign up, sign in, sign out, the account page with the data export and deletion).
//!
//! Access is denied by default: every handler of a signed-in page takes a [`SignedIn`], which
//! answers anonymous visitors with a redirect to the sign-in page, and every state-changing
//! form carries a CSRF token that is checked before anything else ([`check_csrf`]). Passwords
//! are kept as argon2id hashes ([`password`]), sessions in the store as hashes of their token
//! in an HttpOnly, SameSite=Lax cookie (Secure behind TLS). Every page escapes every value
//! (askama).
//!
//! It does not know the search index: it reads and writes only the store's portal tables.

mod accounts;
pub mod advice;
pub mod catalogue;
pub mod circle;
pub mod config;
pub mod home;
pub mod mail;
pub mod organisations;
mod password;
mod recovery;
pub mod rounds;
pub mod saved;
mod session;
pub mod shortlists;
pub mod uwv;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::routing::{get, post};
use chrono::Duration;
use vindwerk_store::{Store, StoreError};

use crate::AppState;

pub use config::PortalConfig;
pub use password::{
    PasswordError, WeakPassword, check_new_password, hash_password, verify_password,
};
pub use session::{PageError, SESSION_COOKIE, SignedIn, Viewer, check_csrf, random_token};

/// How long a session lasts without signing in again.
pub const SESSION_DAYS: i64 = 14;
/// Failed sign-ins counted per account and per address within [`LOGIN_WINDOW_MINUTES`].
pub const MAX_FAILURES_PER_ACCOUNT: u64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: u64 = 20;
pub const LOGIN_WINDOW_MINUTES: i64 = 15;
/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest password accepted (argon2 hashes any length; this bounds the work).
pub const MAX_PASSWORD_BYTES: usize = 256;

/// The portal's connection to the store, and how its cookies are set.
pub struct Portal {
    store: Mutex<Store>,
    /// Cookies get `Secure`: set when the server is reached over TLS (behind a proxy).
    pub secure_cookies: bool,
    /// The public address for links that leave the browser, when configured.
    site_root: Option<String>,
    /// Woken when a message is queued in the outbox, for the mail delivery task.
    pub outbox_ready: tokio::sync::Notify,
}

impl Portal {
    /// Opens the store at `db` for the portal's writes (migrating it when needed).
    pub fn open(db: &Path) -> Result<Portal, StoreError> {
        Ok(Portal::new(Store::open(db)?))
    }

    pub fn new(store: Store) -> Portal {
        Portal {
            store: Mutex::new(store),
            secure_cookies: false,
            site_root: None,
            outbox_ready: tokio::sync::Notify::new(),
        }
    }

    /// Follows `config`: links in messages point at its `site_url`.
    pub fn with_config(mut self, config: &PortalConfig) -> Portal {
        self.site_root = config.site_root();
        self
    }

    /// Cookies with `Secure`, for a server behind TLS.
    pub fn with_secure_cookies(mut self, secure: bool) -> Portal {
        self.secure_cookies = secure;
        self
    }

    /// The store, for one short unit of work. A poisoned lock (a panic elsewhere while
    /// holding it) still gives the connection: SQLite's transactions keep it consistent.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub(crate) fn session_length() -> Duration {
    Duration::days(SESSION_DAYS)
}

/// The address of this site for links that leave the browser (a feed reader's feed, a password
/// reset link in a message): the configured `site_url`, else as the request reached it (its
/// `Host`).
pub(crate) fn site_url(portal: &Portal, headers: &axum::http::HeaderMap) -> String {
    if let Some(root) = &portal.site_root {
        return root.clone();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|value| value.to_str().ok())
        .filter(|host| {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let scheme = if portal.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// `at` on Dutch wall clocks: UTC+1 in winter, UTC+2 in EU summer time, without a time-zone
/// database.
pub(crate) fn amsterdam(
    at: chrono::DateTime<chrono::Utc>,
) -> chrono::DateTime<chrono::FixedOffset> {
    let hours = if in_summer_time(at) { 2 } else { 1 };
    let offset = chrono::FixedOffset::east_opt(hours * 3600)
        .unwrap_or_else(|| chrono::Offset::fix(&chrono::Utc));
    at.with_timezone(&offset)
}

/// Whether `at` falls in EU summer time (01:00 UTC on the last Sunday of March to 01:00 UTC on
/// the last Sunday of October).
pub(crate) fn in_summer_time(at: chrono::DateTime<chrono::Utc>) -> bool {
    use chrono::{Datelike, NaiveDate, Weekday};
    let last_sunday = |month: u32| {
        let mut day = NaiveDate::from_ymd_opt(at.year(), month, 31)?;
        while day.weekday() != Weekday::Sun {
            day = day.pred_opt()?;
        }
        day.and_hms_opt(1, 0, 0).map(|t| t.and_utc())
    };
    match (last_sunday(3), last_sunday(10)) {
        (Some(start), Some(end)) => at >= start && at < end,
        _ => false,
    }
}

/// Today on Dutch wall clocks: the day the portal's weeks and periods count in.
pub(crate) fn today_in_amsterdam() -> chrono::NaiveDate {
    amsterdam(chrono::Utc::now()).date_naive()
}

/// The portal's routes; the router of [`crate::app`] merges them.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/aanmelden",
            get(accounts::signup_page).post(accounts::signup),
        )
        .route(
            "/inloggen",
            get(accounts::signin_page).post(accounts::signin),
        )
        .route("/uitloggen", post(accounts::signout))
        .route(
            "/wachtwoord-vergeten",
            get(recovery::forgot_page).post(recovery::forgot),
        )
        .route(
            "/wachtwoord-herstellen/{token}",
            get(recovery::reset_page).post(recovery::reset),
        )
        .route("/mijn", get(home::home_page))
        .route("/aanbod", get(catalogue::catalogue_page))
        .route(
            "/aanbieders",
            get(catalogue::providers_page).post(catalogue::register_provider),
        )
        .route("/aanbieders/{id}", get(catalogue::provider_page))
        .route("/aanbieders/{id}/aanbod", post(catalogue::put_offering))
        .route(
            "/aanbieders/{id}/aanbod/{offering}/weg",
            post(catalogue::delete_offering),
        )
        .route(
            "/aanbieders/{id}/goedkeuren",
            post(catalogue::approve_provider),
        )
        .route(
            "/traject",
            get(catalogue::trajectory_page).post(catalogue::put_in_trajectory),
        )
        .route("/traject/coach", get(catalogue::coach_trajectories_page))
        .route("/advies", get(advice::advice_page))
        .route("/advies/{seeker}", post(advice::give_advice))
        .route(
            "/traject/{offering}/weg",
            post(catalogue::take_from_trajectory),
        )
        .route("/organisatie/{slug}", get(organisations::organisation_page))
        .route("/organisatie/{slug}/leden", post(organisations::add_member))
        .route(
            "/organisatie/{slug}/leden/{user}/weg",
            post(organisations::remove_member),
        )
        .route("/account", get(accounts::account_page))
        .route("/account/wachtwoord", post(accounts::change_password))
        .route("/account/gegevens.json", get(accounts::export_data))
        .route("/account/verwijderen", post(accounts::delete_account))
        .route("/account/zelf-zoeken", post(accounts::become_seeker))
        .route(
            "/lijsten",
            get(shortlists::lists_page).post(shortlists::create_list),
        )
        .route("/lijsten/{id}", get(shortlists::list_page))
        .route("/lijsten/{id}/vacatures", post(shortlists::put_vacancy))
        .route(
            "/lijsten/{id}/vacatures/{vacancy}/weg",
            post(shortlists::take_off),
        )
        .route("/lijsten/{id}/export.csv", get(shortlists::export_csv))
        .route("/lijsten/{id}/delen", post(shortlists::share))
        .route(
            "/lijsten/{id}/scriptsleutel",
            post(shortlists::set_script_key),
        )
        .route(crate::routes::SHORTLIST_CSV, get(shortlists::script_export))
        .route("/zoekopdrachten", get(saved::saved_page).post(saved::save))
        .route("/zoekopdrachten/nieuw", get(saved::save_form))
        .route("/zoekopdrachten/{id}", get(saved::open))
        .route("/zoekopdrachten/{id}/verwijderen", post(saved::delete))
        .route("/feeds/{token}", get(saved::feed))
        .route(
            "/estafettes",
            get(rounds::rounds_page).post(rounds::create_round),
        )
        .route("/estafettes/{id}", get(rounds::round_page))
        .route("/estafettes/{id}/coach", post(rounds::join_as_coach))
        .route("/estafettes/{id}/aanmelden", post(rounds::register))
        .route("/estafettes/{id}/verlaten", post(rounds::leave))
        .route(
            "/estafettes/{id}/tafels/{table}",
            get(rounds::table_page).post(rounds::choose_table),
        )
        .route(
            "/estafettes/{id}/tafels/{table}/kansen",
            post(rounds::bring_lead),
        )
        .route(
            "/estafettes/{id}/tafels/{table}/bijeenkomsten",
            post(rounds::plan_meeting),
        )
        .route(
            "/estafettes/{id}/tafels/{table}/bijeenkomsten/{meeting}",
            post(rounds::record_meeting),
        )
        .route(
            "/estafettes/{id}/tafels/{table}/afspraken",
            post(rounds::make_agreement),
        )
        .route(
            "/estafettes/{id}/tafels/{table}/afspraken/{agreement}",
            post(rounds::tick_agreement),
        )
        .route(
            "/estafettes/{id}/tafels/{table}/kansen/{lead}",
            post(rounds::record_outcome),
        )
        .route(
            "/estafettes/{id}/verplaatsen",
            post(rounds::move_participant),
        )
        .route("/estafettes/{id}/keuze", post(rounds::set_choice))
        .route("/estafettes/{id}/samenvatting", get(rounds::summary_page))
        .route("/kring", get(circle::circle_page))
        .route("/kring/uitnodigen", post(circle::invite))
        .route("/kring/uitnodigingen/{id}/intrekken", post(circle::revoke))
        .route("/kring/leden/{member}/weg", post(circle::remove_member))
        .route("/kring/{seeker}", get(circle::timeline))
        .route("/kring/{seeker}/verlaten", post(circle::leave))
        .route(
            "/uitnodiging/{token}",
            get(circle::invitation_page).post(circle::accept),
        )
        .route(
            "/acties",
            get(circle::actions_page).post(circle::log_action),
        )
        .route("/acties/uwv", get(uwv::overview))
        .route("/acties/uwv.csv", get(uwv::overview_csv_file))
        .route("/acties/{id}/verwijderen", post(circle::delete_action))
        .route("/acties/{id}/pluim", post(circle::give_kudos))
        .route("/acties/{id}/pluim/terug", post(circle::take_back_kudos))
}

/// The portal of `state`; without one the portal's pages answer 503.
pub(crate) fn portal(state: &AppState) -> Result<Arc<Portal>, PageError> {
    state.portal().cloned().ok_or(PageError::Unavailable)
}

/// Runs `work` on the portal's store on a blocking thread.
pub(crate) async fn with_store<T: Send + 'static>(
    portal: &Arc<Portal>,
    work: impl FnOnce(&mut Store) -> Result<T, PageError> + Send + 'static,
) -> Result<T, PageError> {
    let portal = Arc::clone(portal);
    blocking(move || work(&mut portal.store())).await?
}

/// Runs `work` (password hashing, store reads) on a blocking thread.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, PageError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| PageError::Internal(format!("blocking task: {error}")))
}

/// A new unguessable id for URLs: `prefix` and 96 random bits in hex.
pub fn new_id(prefix: char) -> Result<String, PageError> {
    Ok(format!("{prefix}{}", &random_token()?[..24]))
}

/// The form of a button that only changes state: its CSRF token.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CsrfForm {
    pub csrf: String,
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;

    #[test]
    fn summer_time_follows_the_eu_rule() {
        let at = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .expect("instant")
                .with_timezone(&Utc)
        };
        assert!(!in_summer_time(at("2026-03-29T00:59:59Z")));
        assert!(in_summer_time(at("2026-03-29T01:00:00Z")));
        assert!(in_summer_time(at("2026-10-25T00:59:59Z")));
        assert!(!in_summer_time(at("2026-10-25T01:00:00Z")));
        assert!(!in_summer_time(at("2026-12-03T12:00:00Z")));
    }
}
