//! Every route of the portal for each of seven kinds of visitor, as one table: anonymous, the
//! seeker whose things they are, another seeker, a member of her circle, a member of another
//! circle, a coach and an operator. Nobody reaches an action, a note, a list, a saved search or
//! a circle that is not theirs or shared with them. The table must name every route the portal
//! registers (the Werkestafette's routes have their own nine-role table in `portal_rounds.rs`).

use crate::common::browser::{
    Browser, PASSWORD, add_user, csrf_of, get, invite, log_step, matches, post, registered_routes,
    seeker, world,
};
use axum::http::StatusCode;
use vindwerk_model::Role;

const ROLES: [&str; 7] = [
    "anonymous",
    "seeker",
    "other seeker",
    "circle member",
    "other circle's member",
    "coach",
    "operator",
];

/// Signs up through the invitation `link` (an account for following a circle only) and
/// joins.
async fn join(browser: &mut Browser, name: &str, email: &str, link: &str) {
    let made = browser.sign_up_back_to(name, email, link).await;
    assert_eq!(made.location.as_deref(), Some(link), "{}", made.body);
    let csrf = browser.csrf(link).await;
    let joined = browser.post(link, &[("csrf", &csrf)]).await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
}

#[tokio::test]
async fn every_portal_route_answers_all_seven_roles_as_designed() {
    let world = world();
    // Sanne, the seeker: a shared step, a list shared with her circle (with a script key), a
    // saved search with its feed, an open invitation; Ria and Jan in her circle.
    let mut sanne = Browser::new(&world);
    let sanne_id = seeker(&mut sanne, "Sanne", "sanne@example.nl").await;
    log_step(&mut sanne, "gedeeld", true).await;
    let actions = sanne.get("/acties").await.body;
    let action = actions
        .split("/acties/")
        .filter_map(|rest| rest.split('/').next())
        .find(|id| id.len() > 8 && !id.contains(['"', '<', ' ']))
        .expect("an action")
        .to_owned();
    let csrf = sanne.csrf("/lijsten").await;
    let list = sanne
        .post("/lijsten", &[("csrf", &csrf), ("name", "Zorg")])
        .await
        .location
        .expect("a new list");
    let vacancy = world.vacancies[0].id.to_string();
    sanne
        .post(
            &format!("{list}/vacatures"),
            &[("csrf", &csrf), ("vacancy", &vacancy), ("note", "bellen")],
        )
        .await;
    sanne
        .post(
            &format!("{list}/delen"),
            &[("csrf", &csrf), ("delen", "ja")],
        )
        .await;
    sanne
        .post(
            &format!("{list}/scriptsleutel"),
            &[("csrf", &csrf), ("sleutel", "nieuw")],
        )
        .await;
    let script = {
        let page = sanne.get(&list).await.body;
        let url = page
            .split("id=\"script-url\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the address for scripts")
            .replace("&#38;", "&");
        url[url.find("/api/").expect("a path")..].to_owned()
    };
    let csrf = sanne.csrf("/zoekopdrachten/nieuw?q=zorg").await;
    sanne
        .post(
            "/zoekopdrachten",
            &[("csrf", &csrf), ("name", "Zorg"), ("query", "q=zorg")],
        )
        .await;
    let saved_page = sanne.get("/zoekopdrachten").await.body;
    let saved = saved_page
        .split("href=\"/zoekopdrachten/")
        .nth(1)
        .and_then(|rest| rest.split(['"', '?']).next())
        .map(|id| format!("/zoekopdrachten/{id}"))
        .expect("a saved search");
    let feed = saved_page
        .split("class=\"feed\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|url| url.rsplit('/').next())
        .map(|token| format!("/feeds/{token}"))
        .expect("a feed");
    let ria_link = invite(&mut sanne, "Ria").await;
    let jan_link = invite(&mut sanne, "Jan").await;
    let open_invitation = invite(&mut sanne, "Oom Kees").await;
    let mut ria = Browser::new(&world);
    let mut jan = Browser::new(&world);
    join(&mut ria, "Ria", "ria@example.nl", &ria_link).await;
    join(&mut jan, "Jan", "jan@example.nl", &jan_link).await;
    let jan_id = jan.user_id().await;
    let circle_page = sanne.get("/kring").await.body;
    let revoke = circle_page
        .split("action=\"/kring/uitnodigingen/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|rest| format!("/kring/uitnodigingen/{rest}"))
        .expect("an open invitation to withdraw");
    assert!(!open_invitation.is_empty());

    // Piet, another seeker, with Kees in his circle.
    let mut piet = Browser::new(&world);
    seeker(&mut piet, "Piet", "piet@example.nl").await;
    let kees_link = invite(&mut piet, "Kees").await;
    let mut kees = Browser::new(&world);
    join(&mut kees, "Kees", "kees@example.nl", &kees_link).await;

    let mut coach = Browser::new(&world);
    add_user(&world.db, "coach@example.nl", &[Role::Coach]);
    coach.sign_in("coach@example.nl", PASSWORD).await;
    let mut operator = Browser::new(&world);
    add_user(&world.db, "operator@example.nl", &[Role::Operator]);
    operator.sign_in("operator@example.nl", PASSWORD).await;
    let anonymous = Browser::new(&world);
    let mut people = [anonymous, sanne, piet, ria, kees, coach, operator];
    // Each from an address of their own, so the limits per address do not mix them up.
    for (n, person) in people.iter_mut().enumerate() {
        person.address = format!("127.0.0.{}:50000", n + 10)
            .parse()
            .expect("address");
    }

    let no_token = format!("/wachtwoord-herstellen/{}", "a".repeat(64));
    let wrong_key = format!(
        "{}?token={}",
        script.split('?').next().unwrap_or(""),
        "0".repeat(64)
    );
    let timeline = format!("/kring/{sanne_id}");
    let pluim = format!("/acties/{action}/pluim");
    let take_off = format!("{list}/vacatures/{vacancy}/weg");
    let wrong = "niet-dit-wachtwoord-1";
    let cases = [
        // Open to everyone.
        get("/aanmelden", [200, 303, 303, 303, 303, 303, 303]),
        post(
            "/aanmelden",
            &[
                ("name", "X"),
                ("email", "x@example.nl"),
                ("password", "kort"),
            ],
            [400, 400, 400, 400, 400, 400, 400],
        ),
        get("/inloggen", [200, 303, 303, 303, 303, 303, 303]),
        post(
            "/inloggen",
            &[("email", "niemand@example.nl"), ("password", wrong)],
            // The sixth wrong password for one account within the window is limited, whether
            // the account exists or not (each person comes from an address of their own).
            [401, 401, 401, 401, 401, 429, 429],
        ),
        get("/wachtwoord-vergeten", [200, 200, 200, 200, 200, 200, 200]),
        post(
            "/wachtwoord-vergeten",
            &[("email", "niemand@example.nl")],
            [200, 200, 200, 200, 200, 200, 200],
        ),
        get(&no_token, [404, 404, 404, 404, 404, 404, 404]),
        post(
            &no_token,
            &[("password", wrong), ("password_again", wrong)],
            [404, 404, 404, 404, 404, 404, 404],
        ),
        get(&open_invitation, [200, 200, 200, 200, 200, 200, 200]),
        post(&ria_link, &[], [303, 404, 404, 404, 404, 404, 404]),
        get(&feed, [200, 200, 200, 200, 200, 200, 200]),
        get(
            format!("/feeds/{}", "0".repeat(64)),
            [404, 404, 404, 404, 404, 404, 404],
        ),
        get(&script, [200, 200, 200, 200, 200, 200, 200]),
        get(&wrong_key, [404, 404, 404, 404, 404, 404, 404]),
        // Everyone signed in.
        get("/mijn", [303, 200, 200, 200, 200, 200, 200]),
        get("/account", [303, 200, 200, 200, 200, 200, 200]),
        get(
            "/account/gegevens.json",
            [303, 200, 200, 200, 200, 200, 200],
        ),
        post(
            "/account/wachtwoord",
            &[
                ("current", wrong),
                ("password", "een-nieuw-wachtwoord"),
                ("password_again", "een-nieuw-wachtwoord"),
            ],
            [303, 400, 400, 400, 400, 400, 400],
        ),
        get("/estafettes", [303, 200, 200, 200, 200, 200, 200]),
        post(
            "/estafettes",
            &[
                ("name", "Ronde Utrecht"),
                ("city", "Utrecht"),
                ("kickoff", "2027-01-11"),
                ("weeks", "8"),
                ("table_size", "6"),
            ],
            [303, 403, 403, 403, 403, 303, 303],
        ),
        // Lists: Sanne's is shared with her circle. Lists and saved searches are for seekers
        // and coaches: who only follows a circle, or runs the site, has none.
        get("/lijsten", [303, 200, 200, 403, 403, 200, 403]),
        post(
            "/lijsten",
            &[("name", "Nieuw")],
            [303, 303, 303, 403, 403, 303, 403],
        ),
        get(&list, [303, 200, 404, 200, 404, 404, 404]),
        post(
            format!("{list}/vacatures"),
            &[("vacancy", &vacancy), ("note", "x")],
            [303, 303, 404, 403, 403, 404, 403],
        ),
        post(&take_off, &[], [303, 303, 404, 403, 403, 404, 403]),
        get(
            format!("{list}/export.csv"),
            [303, 200, 404, 200, 404, 404, 404],
        ),
        post(
            format!("{list}/delen"),
            &[("delen", "ja")],
            [303, 303, 404, 403, 403, 404, 403],
        ),
        post(
            format!("{list}/scriptsleutel"),
            &[("sleutel", "nieuw")],
            [303, 303, 404, 403, 403, 404, 403],
        ),
        // Saved searches.
        get("/zoekopdrachten", [303, 200, 200, 403, 403, 200, 403]),
        get(
            "/zoekopdrachten/nieuw?q=zorg",
            [303, 200, 200, 403, 403, 200, 403],
        ),
        post(
            "/zoekopdrachten",
            &[("name", "Nieuw"), ("query", "q=bakker")],
            [303, 303, 303, 403, 403, 303, 403],
        ),
        get(&saved, [303, 303, 404, 403, 403, 404, 403]),
        // The circle and the steps.
        get("/kring", [303, 200, 200, 200, 200, 200, 200]),
        post(
            "/kring/uitnodigen",
            &[("name", "Tante")],
            [303, 200, 200, 403, 403, 403, 403],
        ),
        get(&timeline, [303, 404, 404, 200, 404, 404, 404]),
        get("/acties", [303, 200, 200, 403, 403, 403, 403]),
        post(
            "/acties",
            &[
                ("kind", "letter"),
                ("position", "Kok"),
                ("employer", "Hotel"),
            ],
            [303, 303, 303, 403, 403, 403, 403],
        ),
        get("/acties/uwv", [303, 200, 200, 403, 403, 403, 403]),
        get("/acties/uwv.csv", [303, 200, 200, 403, 403, 403, 403]),
        post(
            &pluim,
            &[("message", "Goed zo")],
            [303, 404, 404, 303, 404, 404, 404],
        ),
        post(
            format!("{pluim}/terug"),
            &[],
            [303, 404, 404, 303, 404, 404, 404],
        ),
        // What ends something comes last.
        post(&revoke, &[], [303, 303, 404, 404, 404, 404, 404]),
        post(
            format!("/kring/leden/{jan_id}/weg"),
            &[],
            [303, 303, 404, 404, 404, 404, 404],
        ),
        post(
            format!("{timeline}/verlaten"),
            &[],
            [303, 404, 404, 303, 404, 404, 404],
        ),
        post(
            format!("{saved}/verwijderen"),
            &[],
            [303, 303, 404, 403, 403, 404, 403],
        ),
        post(
            format!("/acties/{action}/verwijderen"),
            &[],
            [303, 303, 404, 404, 404, 404, 404],
        ),
        post(
            "/account/zelf-zoeken",
            &[],
            [303, 303, 303, 303, 303, 303, 303],
        ),
        post(
            "/account/verwijderen",
            &[("password", wrong)],
            [303, 400, 400, 400, 400, 400, 400],
        ),
        post("/uitloggen", &[], [303, 303, 303, 303, 303, 303, 303]),
    ];

    // Every registered route has a row here, or is a round's, an organisation's or the
    // catalogue's (their tables are in `portal_rounds.rs`, `internal_routes.rs` and
    // `portal_catalogue.rs`).
    let registered = registered_routes();
    let missing: Vec<_> = registered
        .iter()
        .filter(|(method, pattern)| {
            !pattern.starts_with("/estafettes/")
                && !pattern.starts_with("/organisatie/")
                && !["/aanbod", "/aanbieders", "/traject", "/advies"]
                    .iter()
                    .any(|covered| pattern.starts_with(covered))
                && !cases
                    .iter()
                    .any(|case| case.method == method && matches(pattern, &case.path))
        })
        .collect();
    assert!(missing.is_empty(), "routes without a row: {missing:?}");

    let mut wrong_answers = Vec::new();
    for case in &cases {
        for (n, person) in people.iter_mut().enumerate() {
            let status = if case.method == "GET" {
                person.get(&case.path).await.status
            } else {
                // The token of a form a person can open: their account page, or for forms
                // anybody may send (and for whom has no session), the form cookie's.
                let open = n == 0 || is_open_form(&case.path);
                let page = if open {
                    "/wachtwoord-vergeten"
                } else {
                    "/account"
                };
                let csrf = csrf_of(&person.get(page).await.body);
                let mut fields: Vec<(&str, &str)> = vec![("csrf", "x")];
                fields.extend(
                    case.fields
                        .iter()
                        .map(|(name, value)| (*name, value.as_str())),
                );
                // First without its token: that changes nothing.
                let forged = person.post(&case.path, &fields).await.status;
                let refused = if n == 0 && !is_open_form(&case.path) {
                    StatusCode::SEE_OTHER
                } else {
                    StatusCode::FORBIDDEN
                };
                if forged != refused {
                    wrong_answers.push(format!(
                        "{} {} as {}: a forged token got {forged}",
                        case.method, case.path, ROLES[n]
                    ));
                }
                fields[0] = ("csrf", &csrf);
                let answer = person.post(&case.path, &fields).await;
                answer.status
            };
            if status.as_u16() != case.expected[n] {
                wrong_answers.push(format!(
                    "{} {} as {}: {} (expected {})",
                    case.method,
                    case.path,
                    ROLES[n],
                    status.as_u16(),
                    case.expected[n]
                ));
            }
        }
    }
    assert!(wrong_answers.is_empty(), "{}", wrong_answers.join("\n"));
}

/// Forms that anybody may send (their token is the form cookie's).
fn is_open_form(path: &str) -> bool {
    ["/aanmelden", "/inloggen", "/wachtwoord-"]
        .iter()
        .any(|open| path.starts_with(open))
}

/// What a person writes, with markup in it: `<i>field</i>` and quotes.
fn hostile(field: &str) -> String {
    format!("<i>{field}</i>\"'&")
}

/// Every text a person writes in the portal, each with markup in it, comes out escaped on
/// every page that shows it (and each is shown somewhere, so none is checked in vain).
#[tokio::test]
async fn every_text_people_write_is_escaped_on_every_page_that_shows_it() {
    let world = world();
    let fields = [
        "seekername",
        "membername",
        "invitee",
        "position",
        "employer",
        "stepnote",
        "kudosmessage",
        "listname",
        "listnote",
        "searchname",
    ];
    let mut sanne = Browser::new(&world);
    let sanne_id = seeker(&mut sanne, &hostile("seekername"), "sanne@example.nl").await;
    let csrf = sanne.csrf("/acties").await;
    let logged = sanne
        .post(
            "/acties",
            &[
                ("csrf", &csrf),
                ("kind", "letter"),
                ("position", &hostile("position")),
                ("employer", &hostile("employer")),
                ("note", &hostile("stepnote")),
                ("shared", "1"),
            ],
        )
        .await;
    assert_eq!(logged.status, StatusCode::SEE_OTHER);
    let list = sanne
        .post(
            "/lijsten",
            &[("csrf", &csrf), ("name", &hostile("listname"))],
        )
        .await
        .location
        .expect("a list");
    let vacancy = world.vacancies[0].id.to_string();
    for (path, fields) in [
        (
            format!("{list}/vacatures"),
            vec![("vacancy", vacancy.clone()), ("note", hostile("listnote"))],
        ),
        (format!("{list}/delen"), vec![("delen", "ja".to_owned())]),
        (
            "/zoekopdrachten".to_owned(),
            vec![
                ("name", hostile("searchname")),
                ("query", "q=zorg".to_owned()),
            ],
        ),
    ] {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(fields.iter().map(|(name, value)| (*name, value.as_str())));
        let answer = sanne.post(&path, &form).await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "{path}: {}",
            answer.body
        );
    }
    let link = invite(&mut sanne, "Ria").await;
    invite(&mut sanne, &hostile("invitee")).await;
    let mut ria = Browser::new(&world);
    join(&mut ria, &hostile("membername"), "ria@example.nl", &link).await;
    let timeline = format!("/kring/{sanne_id}");
    let steps = ria.get(&timeline).await.body;
    let pluim = steps
        .split("action=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|action| action.ends_with("/pluim"))
        .expect("a pluim form")
        .to_owned();
    let csrf = ria.csrf(&timeline).await;
    let given = ria
        .post(
            &pluim,
            &[("csrf", &csrf), ("message", &hostile("kudosmessage"))],
        )
        .await;
    assert_eq!(given.status, StatusCode::SEE_OTHER);
    let saved = sanne.get("/zoekopdrachten").await.body;
    let feed = saved
        .split("class=\"feed\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|url| url.rsplit('/').next())
        .map(|token| format!("/feeds/{token}"))
        .expect("a feed");

    let mut pages = Vec::new();
    for path in [
        "/mijn",
        "/account",
        "/kring",
        "/acties",
        "/acties/uwv",
        "/lijsten",
        &list,
        "/zoekopdrachten",
    ] {
        pages.push((format!("{path} (seeker)"), sanne.get(path).await));
    }
    for path in ["/mijn", "/kring", &timeline, &list] {
        pages.push((format!("{path} (member)"), ria.get(path).await));
    }
    pages.push((feed.clone(), Browser::new(&world).get(&feed).await));
    for (page, answer) in &pages {
        assert_eq!(answer.status, StatusCode::OK, "{page}");
        for field in fields {
            let raw = format!("<i>{field}</i>");
            assert!(!answer.body.contains(&raw), "{page} shows {raw} unescaped");
        }
        assert!(
            !answer.body.contains("\"'&"),
            "{page}: quotes and ampersands are escaped"
        );
    }
    for field in fields {
        assert!(
            pages.iter().any(|(_, answer)| answer.body.contains(field)),
            "{field} is shown somewhere"
        );
    }
}
