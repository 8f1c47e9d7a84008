//! The portal's accounts as a browser uses them, through the whole router: sign up, sign in
//! and out, the account page, the data export and deletion; CSRF, session renewal, the
//! sign-in limit, escaping, and who may reach which route.

use crate::common;
use crate::common::browser::{Browser, PASSWORD, add_user, csrf_of, world};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;
use vindwerk_model::Role;
use vindwerk_search_server::app;
use vindwerk_search_server::portal::SESSION_COOKIE;
use vindwerk_store::Store;

#[tokio::test]
async fn a_seeker_signs_up_sees_the_account_and_signs_out() {
    let world = world();
    let mut browser = Browser::new(&world);
    let answer = browser
        .sign_up("Sanne <script>alert(1)</script>", "Sanne@Example.nl")
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(answer.location.as_deref(), Some("/mijn"));
    let session = answer
        .set_cookies
        .iter()
        .find(|cookie| cookie.starts_with(SESSION_COOKIE))
        .expect("a session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));

    let page = browser.get("/account").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("sanne@example.nl"));
    assert!(page.body.contains("werkzoekende"));
    assert!(!page.body.contains("<script>alert(1)"), "names are escaped");
    assert!(
        page.body.contains("&lt;script&gt;") || page.body.contains("&#60;script&#62;"),
        "the name is shown, escaped"
    );

    let csrf = csrf_of(&page.body);
    let out = browser.post("/uitloggen", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let page = browser.get("/account").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/inloggen?terug=%2Faccount"));
}

#[tokio::test]
async fn forms_without_the_right_csrf_token_change_nothing() {
    let world = world();
    let mut browser = Browser::new(&world);
    // No form cookie and no token: refused before anything is read.
    let answer = browser
        .post(
            "/aanmelden",
            &[
                ("name", "X"),
                ("email", "x@example.nl"),
                ("password", PASSWORD),
                ("password_again", PASSWORD),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        Store::open(&world.db)
            .expect("store")
            .count_users()
            .expect("count"),
        0
    );

    browser.sign_up("Sanne", "sanne@example.nl").await;
    let wrong = browser.post("/uitloggen", &[("csrf", "0")]).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let missing = browser
        .post("/account/verwijderen", &[("password", PASSWORD)])
        .await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert_eq!(
        browser.get("/account").await.status,
        StatusCode::OK,
        "still signed in"
    );
    assert_eq!(
        Store::open(&world.db)
            .expect("store")
            .count_users()
            .expect("count"),
        1
    );
}

#[tokio::test]
async fn signing_in_gives_a_new_session_and_the_old_token_dies() {
    let world = world();
    add_user(&world.db, "coach@example.nl", &[Role::Coach]);
    let mut browser = Browser::new(&world);
    assert_eq!(
        browser.sign_in("coach@example.nl", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let first = browser.cookies[SESSION_COOKIE].clone();
    // Signing in again from the same browser (its form cookie is the form's token).
    let csrf = browser.cookies["vindwerk_formulier"].clone();
    let again = browser
        .post(
            "/inloggen",
            &[
                ("csrf", &csrf),
                ("email", "coach@example.nl"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let second = browser.cookies[SESSION_COOKIE].clone();
    assert_ne!(first, second, "a new session id at sign-in");
    assert_eq!(browser.get("/account").await.status, StatusCode::OK);

    let mut thief = Browser::new(&world);
    thief.cookies.insert(SESSION_COOKIE.to_owned(), first);
    assert_eq!(thief.get("/account").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_wrong_password_answers_the_same_whether_the_account_exists_or_not() {
    let world = world();
    add_user(&world.db, "sanne@example.nl", &[Role::Seeker]);
    let mut browser = Browser::new(&world);
    let known = browser
        .sign_in("sanne@example.nl", "niet-het-wachtwoord")
        .await;
    let unknown = browser
        .sign_in("niemand@example.nl", "niet-het-wachtwoord")
        .await;
    assert_eq!(known.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, known.status);
    let strip = |body: &str| {
        body.replace("sanne@example.nl", "")
            .replace("niemand@example.nl", "")
    };
    assert_eq!(strip(&known.body), strip(&unknown.body));
}

#[tokio::test]
async fn sign_ins_are_limited_per_account_and_per_address() {
    let world = world();
    add_user(&world.db, "sanne@example.nl", &[Role::Seeker]);
    let mut browser = Browser::new(&world);
    for _ in 0..5 {
        let answer = browser.sign_in("sanne@example.nl", "fout-fout-fout").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let limited = browser.sign_in("sanne@example.nl", PASSWORD).await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );

    // Another browser elsewhere is held for the same account, not for others.
    let mut elsewhere = Browser::new(&world);
    elsewhere.address = "10.1.2.3:40000".parse().expect("address");
    assert_eq!(
        elsewhere.sign_in("sanne@example.nl", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    add_user(&world.db, "piet@example.nl", &[Role::Seeker]);
    assert_eq!(
        elsewhere.sign_in("piet@example.nl", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );

    // One address trying many accounts is held too.
    let mut sprayer = Browser::new(&world);
    sprayer.address = "10.9.9.9:40000".parse().expect("address");
    for n in 0..20 {
        let answer = sprayer
            .sign_in(&format!("gok{n}@example.nl"), "fout-fout-fout")
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        sprayer.sign_in("piet@example.nl", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_user_downloads_their_data_and_deletes_the_account() {
    let world = world();
    add_user(&world.db, "piet@example.nl", &[Role::Seeker]);
    let mut browser = Browser::new(&world);
    browser.sign_up("Sanne", "sanne@example.nl").await;
    let data = browser.get("/account/gegevens.json").await;
    assert_eq!(data.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&data.body).expect("json");
    assert_eq!(json["account"]["email"], "sanne@example.nl");
    assert_eq!(json["account"]["roles"][0], "seeker");
    assert!(
        !data.body.contains("piet@example.nl"),
        "only their own data"
    );
    assert!(!data.body.contains("argon2"), "no password hash");

    let csrf = csrf_of(&browser.get("/account").await.body);
    let refused = browser
        .post(
            "/account/verwijderen",
            &[("csrf", &csrf), ("password", "fout")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let deleted = browser
        .post(
            "/account/verwijderen",
            &[("csrf", &csrf), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(browser.get("/account").await.status, StatusCode::SEE_OTHER);
    let store = Store::open(&world.db).expect("store");
    assert_eq!(store.user_by_email("sanne@example.nl").expect("read"), None);
    assert_eq!(store.count_users().expect("count"), 1);
    assert_eq!(
        browser.sign_in("sanne@example.nl", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions() {
    let world = world();
    add_user(&world.db, "sanne@example.nl", &[Role::Seeker]);
    let mut laptop = Browser::new(&world);
    let mut phone = Browser::new(&world);
    laptop.sign_in("sanne@example.nl", PASSWORD).await;
    phone.sign_in("sanne@example.nl", PASSWORD).await;
    let csrf = csrf_of(&laptop.get("/account").await.body);
    let new = "een-nieuw-wachtwoord";
    let changed = laptop
        .post(
            "/account/wachtwoord",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("password", new),
                ("password_again", new),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(laptop.get("/account").await.status, StatusCode::OK);
    assert_eq!(phone.get("/account").await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        phone.sign_in("sanne@example.nl", new).await.status,
        StatusCode::SEE_OTHER
    );
}

/// Every account route for every role: anonymous visitors are sent to sign in, every
/// signed-in role reaches its own account, and nobody reaches someone else's.
#[tokio::test]
async fn every_account_route_for_every_role() {
    let world = world();
    let roles: &[(&str, &[Role])] = &[
        ("seeker@example.nl", &[Role::Seeker]),
        ("circle@example.nl", &[Role::Circle]),
        ("coach@example.nl", &[Role::Coach]),
        ("operator@example.nl", &[Role::Operator]),
    ];
    for (email, roles) in roles {
        add_user(&world.db, email, roles);
    }
    let gets = ["/account", "/account/gegevens.json"];
    let posts = ["/uitloggen", "/account/wachtwoord", "/account/verwijderen"];

    let mut anonymous = Browser::new(&world);
    for route in gets {
        let answer = anonymous.get(route).await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "anonymous GET {route}"
        );
        assert!(
            answer
                .location
                .unwrap_or_default()
                .starts_with("/inloggen?terug=")
        );
    }
    for route in posts {
        let answer = anonymous.post(route, &[("csrf", "x")]).await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "anonymous POST {route}"
        );
    }
    for route in ["/aanmelden", "/inloggen"] {
        assert_eq!(anonymous.get(route).await.status, StatusCode::OK, "{route}");
    }

    for (email, _) in roles {
        let mut browser = Browser::new(&world);
        assert_eq!(
            browser.sign_in(email, PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
        for route in gets {
            let answer = browser.get(route).await;
            assert_eq!(answer.status, StatusCode::OK, "{email} GET {route}");
            assert!(
                answer.body.contains(email),
                "{email} sees their own account"
            );
            for (other, _) in roles.iter().filter(|(other, _)| other != email) {
                assert!(
                    !answer.body.contains(other),
                    "{email} sees nothing of {other}"
                );
            }
        }
        // Signed in, the sign-up and sign-in pages send to the account.
        assert_eq!(
            browser.get("/aanmelden").await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(browser.get("/inloggen").await.status, StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn without_a_portal_store_the_account_pages_are_unavailable() {
    let app = app(common::state(&common::world(5)));
    let response = app
        .oneshot(
            Request::get("/account")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("router");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn sign_in_sends_back_only_to_this_site() {
    let world = world();
    add_user(&world.db, "sanne@example.nl", &[Role::Seeker]);
    // The page an anonymous visitor is sent to carries the way back in its form.
    let mut visitor = Browser::new(&world);
    let sent = visitor.get("/account/gegevens.json").await;
    let sign_in = sent.location.expect("sent to sign in");
    assert_eq!(sign_in, "/inloggen?terug=%2Faccount%2Fgegevens.json");
    let page = visitor.get(&sign_in).await;
    assert!(
        page.body
            .contains("name=\"back\" value=\"/account/gegevens.json\"")
    );
    for (back, expected) in [
        ("/account/gegevens.json", "/account/gegevens.json"),
        ("//evil.example/", "/mijn"),
        ("https://evil.example/", "/mijn"),
    ] {
        let mut fresh = Browser::new(&world);
        let csrf = fresh.csrf("/inloggen").await;
        let answer = fresh
            .post(
                "/inloggen",
                &[
                    ("csrf", &csrf),
                    ("email", "sanne@example.nl"),
                    ("password", PASSWORD),
                    ("back", back),
                ],
            )
            .await;
        assert_eq!(answer.location.as_deref(), Some(expected), "{back}");
    }
}

#[tokio::test]
async fn form_routes_refuse_other_methods_in_the_error_shape() {
    let world = world();
    let mut browser = Browser::new(&world);
    let answer = browser.get("/uitloggen").await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    let json: serde_json::Value = serde_json::from_str(&answer.body).expect("json error");
    assert_eq!(json["error"]["code"], "method_not_allowed");
}

/// The reset link the outbox holds for `email`, and marks it read.
fn reset_link(db: &std::path::Path, email: &str) -> Option<String> {
    let mut store = Store::open(db).expect("store");
    let message = store
        .undelivered()
        .expect("outbox")
        .into_iter()
        .find(|message| message.recipient == email)?;
    store
        .write(|batch| batch.mark_delivered(message.id, chrono::Utc::now()))
        .expect("delivered");
    let start = message.body.find("/wachtwoord-herstellen/")?;
    Some(
        message.body[start..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect(),
    )
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_ends_every_session() {
    let world = world();
    let mut phone = Browser::new(&world);
    phone.sign_up("Sanne", "sanne@example.nl").await;
    assert_eq!(phone.get("/account").await.status, StatusCode::OK);

    let mut laptop = Browser::new(&world);
    let page = laptop.get("/inloggen").await;
    assert!(page.body.contains("href=\"/wachtwoord-vergeten\""));
    let csrf = laptop.csrf("/wachtwoord-vergeten").await;
    let asked = laptop
        .post(
            "/wachtwoord-vergeten",
            &[("csrf", &csrf), ("email", " Sanne@Example.nl ")],
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK);
    let link = reset_link(&world.db, "sanne@example.nl").expect("a link in the outbox");
    assert!(link.starts_with("/wachtwoord-herstellen/"), "{link}");

    // A form without its token, a wrong token, or two different passwords change nothing.
    let forged = laptop
        .post(
            &link,
            &[
                ("csrf", "x"),
                ("password", "nieuw-wachtwoord-1"),
                ("password_again", "nieuw-wachtwoord-1"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let csrf = laptop.csrf(&link).await;
    let wrong = format!("/wachtwoord-herstellen/{}", "a".repeat(64));
    assert_eq!(laptop.get(&wrong).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        laptop.get("/wachtwoord-herstellen/kort").await.status,
        StatusCode::NOT_FOUND
    );
    let differ = laptop
        .post(
            &link,
            &[
                ("csrf", &csrf),
                ("password", "nieuw-wachtwoord-1"),
                ("password_again", "nieuw-wachtwoord-2"),
            ],
        )
        .await;
    assert_eq!(differ.status, StatusCode::BAD_REQUEST);
    assert!(differ.body.contains("niet gelijk"));

    let done = laptop
        .post(
            &link,
            &[
                ("csrf", &csrf),
                ("password", "nieuw-wachtwoord-1"),
                ("password_again", "nieuw-wachtwoord-1"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/inloggen?hersteld=1"));
    assert!(
        laptop
            .get("/inloggen?hersteld=1")
            .await
            .body
            .contains("Je nieuwe wachtwoord is bewaard")
    );
    // The phone's session ended; the old password no longer works; the new one does.
    assert_eq!(phone.get("/account").await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        laptop.sign_in("sanne@example.nl", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        laptop
            .sign_in("sanne@example.nl", "nieuw-wachtwoord-1")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // Once.
    let mut other = Browser::new(&world);
    assert_eq!(other.get(&link).await.status, StatusCode::NOT_FOUND);

    // Three links an account within the window, then silence (the same answer).
    for _ in 0..4 {
        let csrf = other.csrf("/wachtwoord-vergeten").await;
        let asked = other
            .post(
                "/wachtwoord-vergeten",
                &[("csrf", &csrf), ("email", "sanne@example.nl")],
            )
            .await;
        assert_eq!(asked.status, StatusCode::OK);
    }
    let store = Store::open(&world.db).expect("store");
    let waiting = store.undelivered().expect("outbox").len();
    assert_eq!(waiting, 2, "the first link counts too: 3 in the window");
    // An address that asks too often is told to wait.
    let mut asked = StatusCode::OK;
    for _ in 0..12 {
        let csrf = other.csrf("/wachtwoord-vergeten").await;
        asked = other
            .post(
                "/wachtwoord-vergeten",
                &[("csrf", &csrf), ("email", "x@example.nl")],
            )
            .await
            .status;
    }
    assert_eq!(asked, StatusCode::TOO_MANY_REQUESTS);
}
