//! Who is asking: the session cookie, the extractors [`Viewer`] (anyone) and [`SignedIn`]
//! (a live session, or a redirect to the sign-in page), CSRF tokens, and the portal's page
//! errors.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use vindwerk_store::{Session, StoreError};

use crate::AppState;
use crate::pages::{encode_query, message};

/// The cookie holding a session's token.
pub const SESSION_COOKIE: &str = "vindwerk_sessie";
/// The cookie holding the CSRF token of forms shown to visitors without a session (sign up,
/// sign in): the form must send back the same value (double submit).
pub const FORM_COOKIE: &str = "vindwerk_formulier";

/// 32 random bytes from the operating system, in hex.
pub fn random_token() -> Result<String, PageError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|error| PageError::Internal(format!("no random bytes: {error}")))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// Whether `text` can be a token of [`random_token`]; anything else is ignored unread.
fn looks_like_token(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|byte| byte.is_ascii_hexdigit())
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| looks_like_token(value))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, for the whole site; `max_age` 0 deletes it.
pub(crate) fn set_cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text =
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// Compares a form's CSRF token with the expected one in constant time.
pub fn check_csrf(expected: &str, given: &str) -> Result<(), PageError> {
    let same = blake3::hash(expected.as_bytes()) == blake3::hash(given.as_bytes());
    if same && !expected.is_empty() {
        Ok(())
    } else {
        Err(PageError::Csrf)
    }
}

/// Anyone: a visitor, or someone with a live session.
pub struct Viewer {
    pub session: Option<Session>,
    /// The session cookie's token as sent (even when it named no live session).
    pub token: Option<String>,
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Viewer, PageError> {
        let token = cookie(&parts.headers, SESSION_COOKIE);
        let (Some(token), Some(portal)) = (token, state.portal().cloned()) else {
            return Ok(Viewer {
                session: None,
                token: None,
            });
        };
        let now = Utc::now();
        let lookup = token.clone();
        let session =
            super::with_store(&portal, move |store| Ok(store.session(&lookup, now)?)).await?;
        Ok(Viewer {
            session,
            token: Some(token),
        })
    }
}

/// Someone with a live session. A visitor without one is sent to the sign-in page, which
/// brings them back afterwards.
pub struct SignedIn {
    pub session: Session,
    pub token: String,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<SignedIn, PageError> {
        if state.portal().is_none() {
            return Err(PageError::Unavailable);
        }
        let viewer = Viewer::from_request_parts(parts, state).await?;
        match (viewer.session, viewer.token) {
            (Some(session), Some(token)) => Ok(SignedIn { session, token }),
            _ => {
                let back = parts
                    .uri
                    .path_and_query()
                    .map(|path| path.as_str().to_owned())
                    .unwrap_or_default();
                Err(PageError::SignInFirst { back })
            }
        }
    }
}

/// What a portal page answers instead of itself.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// No session: 303 to the sign-in page.
    #[error("sign in first")]
    SignInFirst { back: String },
    /// A state-changing form without the right CSRF token: 403.
    #[error("csrf token missing or wrong")]
    Csrf,
    /// Signed in, but this is not theirs to see: 403.
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Too many failed sign-ins: 429.
    #[error("too many attempts")]
    TooManyAttempts,
    /// The server runs without the portal (no writable store): 503.
    #[error("portal unavailable")]
    Unavailable,
    /// Logged with its cause; the visitor sees a generic page.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> PageError {
        PageError::Internal(error.to_string())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::SignInFirst { back } => {
                let target = format!("/inloggen?terug={}", encode_query(&back));
                Redirect::to(&target).into_response()
            }
            PageError::Csrf => message(
                StatusCode::FORBIDDEN,
                "Formulier verlopen",
                "Dit formulier is verlopen of kwam niet van vindwerk. Ga terug, laad de pagina opnieuw en probeer het nog eens.",
            ),
            PageError::Forbidden => message(
                StatusCode::FORBIDDEN,
                "Geen toegang",
                "Deze pagina is niet voor jouw account.",
            ),
            PageError::NotFound => message(
                StatusCode::NOT_FOUND,
                "Pagina niet gevonden",
                "Deze pagina bestaat niet.",
            ),
            PageError::TooManyAttempts => message(
                StatusCode::TOO_MANY_REQUESTS,
                "Te veel pogingen",
                "Er is te vaak een verkeerd wachtwoord opgegeven. Probeer het over een kwartier opnieuw.",
            ),
            PageError::Unavailable => message(
                StatusCode::SERVICE_UNAVAILABLE,
                "Niet beschikbaar",
                "Het portaal is op deze server niet ingeschakeld.",
            ),
            PageError::Internal(detail) => {
                tracing::error!(%detail, "portal page failed");
                message(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Er ging iets mis",
                    "Er ging aan onze kant iets mis. Probeer het later opnieuw.",
                )
            }
        }
    }
}

/// Where to go after signing in: a path of this site, never another host.
pub(crate) fn local_path(back: &str) -> Option<&str> {
    let local = back.starts_with('/')
        && !back.starts_with("//")
        && !back.starts_with("/\\")
        && !back.contains(['\r', '\n']);
    local.then_some(back)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_name_and_only_as_tokens() {
        let token = "ab".repeat(32);
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_str(&format!("a=1; {SESSION_COOKIE}={token}; b=2")).expect("header"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some(token));
        assert_eq!(cookie(&headers, FORM_COOKIE), None);
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("vindwerk_sessie=<script>"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), None);
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(local_path("/account"), Some("/account"));
        assert_eq!(local_path("//evil.example/"), None);
        assert_eq!(local_path("/\\evil.example/"), None);
        assert_eq!(local_path("https://evil.example/"), None);
        assert_eq!(local_path(""), None);
    }

    #[test]
    fn csrf_tokens_must_match_and_not_be_empty() {
        assert!(check_csrf("abc", "abc").is_ok());
        assert!(check_csrf("abc", "abd").is_err());
        assert!(check_csrf("", "").is_err());
    }

    #[test]
    fn tokens_are_random_hex() {
        let a = random_token().expect("token");
        let b = random_token().expect("token");
        assert!(looks_like_token(&a));
        assert_ne!(a, b);
    }
}
