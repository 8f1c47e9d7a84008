//! The circle as people use it: a seeker invites a friend with a link, the friend joins, the
//! seeker logs steps (shared or private), the friend gives a pluim with a message (with and
//! without script), the seeker sees it; and nobody outside the circle sees anything.

use crate::common::browser::{
    Browser, PASSWORD, World, add_user, csrf_of, invite, log_step, seeker, world,
};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Duration, Utc};
use vindwerk_model::{Role, UserId};
use vindwerk_store::Store;

#[tokio::test]
async fn a_friend_joins_by_link_and_gives_a_pluim_the_seeker_sees() {
    let world = world();
    let mut sanne = Browser::new(&world);
    let sanne_id = seeker(&mut sanne, "Sanne", "sanne@example.nl").await;
    let link = invite(&mut sanne, "Tante <b>Ria</b>").await;
    let circle = sanne.get("/kring").await;
    assert!(
        circle.body.contains("Tante &#60;b&#62;Ria&#60;/b&#62;")
            || circle.body.contains("Tante &lt;b&gt;Ria&lt;/b&gt;")
    );
    assert!(!circle.body.contains(&link), "the link is shown once");

    // Ria opens the link without an account: whose circle, and how to join.
    let mut ria = Browser::new(&world);
    let page = ria.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Sanne nodigt je uit"));
    assert!(page.body.contains("/aanmelden?terug=%2Fuitnodiging%2F"));
    ria.sign_up("Ria", "ria@example.nl").await;
    let csrf = ria.csrf(&link).await;
    let joined = ria.post(&link, &[("csrf", &csrf)]).await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    let timeline = format!("/kring/{sanne_id}");
    assert_eq!(joined.location.as_deref(), Some(timeline.as_str()));

    // The link works once.
    let mut piet = Browser::new(&world);
    seeker(&mut piet, "Piet", "piet@example.nl").await;
    assert_eq!(piet.get(&link).await.status, StatusCode::NOT_FOUND);
    let csrf = piet.csrf("/kring").await;
    assert_eq!(
        piet.post(&link, &[("csrf", &csrf)]).await.status,
        StatusCode::NOT_FOUND
    );

    log_step(&mut sanne, "<script>alert('brief')</script>", true).await;
    log_step(&mut sanne, "alleen voor mij", false).await;

    let seen = ria.get(&timeline).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(
        seen.body
            .contains("Sollicitatiebrief verstuurd: Verpleegkundige")
    );
    assert!(seen.body.contains("&#60;script&#62;") || seen.body.contains("&lt;script&gt;"));
    assert!(!seen.body.contains("<script>alert"), "notes are escaped");
    assert!(
        !seen.body.contains("alleen voor mij"),
        "private steps stay private"
    );
    assert!(seen.body.contains("0 pluimen"));
    let action = {
        let start = seen.body.find("/acties/").expect("a pluim form") + "/acties/".len();
        seen.body[start..]
            .chars()
            .take_while(|c| *c != '/')
            .collect::<String>()
    };

    // Nobody outside the circle reaches the timeline or the action.
    assert_eq!(piet.get(&timeline).await.status, StatusCode::NOT_FOUND);
    let csrf = piet.csrf("/kring").await;
    let intruder = piet
        .post(&format!("/acties/{action}/pluim"), &[("csrf", &csrf)])
        .await;
    assert_eq!(intruder.status, StatusCode::NOT_FOUND);

    // A pluim without script: back to the timeline at the action.
    let csrf = csrf_of(&seen.body);
    let given = ria
        .post(
            &format!("/acties/{action}/pluim"),
            &[("csrf", &csrf), ("message", "Goed <i>zo</i>!")],
        )
        .await;
    assert_eq!(given.status, StatusCode::SEE_OTHER);
    assert_eq!(given.location, Some(format!("{timeline}#actie-{action}")));
    // Taken back and given again with script: the answer is the action's part of the page.
    let request = |path: String, fields: String| {
        Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-vindwerk-fragment", "1")
            .body(Body::from(fields))
            .expect("request")
    };
    let back = ria
        .send(request(
            format!("/acties/{action}/pluim/terug"),
            format!("csrf={csrf}"),
        ))
        .await;
    assert_eq!(back.status, StatusCode::OK);
    assert!(
        back.body
            .starts_with(&format!("<article class=\"action\" id=\"actie-{action}\""))
    );
    assert!(back.body.contains("0 pluimen"));
    let again = ria
        .send(request(
            format!("/acties/{action}/pluim"),
            format!("csrf={csrf}&message=Goed+%3Ci%3Ezo%3C%2Fi%3E%21"),
        ))
        .await;
    assert!(again.body.contains("1 pluim"), "{}", again.body);
    assert!(again.body.contains("Pluim terugnemen"));

    // The seeker sees who gave what, and the week at a glance.
    let mine = sanne.get("/acties").await;
    assert!(
        mine.body.contains("Deze week: 2 acties, 1 pluim."),
        "{}",
        mine.body
    );
    assert!(mine.body.contains("<strong>Ria</strong>"));
    assert!(!mine.body.contains("<i>zo</i>"), "messages are escaped");
    assert!(mine.body.contains("alleen voor mij"));

    // Both take their data out.
    let data: serde_json::Value =
        serde_json::from_str(&sanne.get("/account/gegevens.json").await.body).expect("json");
    assert_eq!(data["circle"]["actions"].as_array().map(Vec::len), Some(2));
    assert_eq!(data["circle"]["members"][0]["name"], "Ria");
    assert_eq!(data["circle"]["kudos_received"][0]["from"], "Ria");
    let data: serde_json::Value =
        serde_json::from_str(&ria.get("/account/gegevens.json").await.body).expect("json");
    assert_eq!(
        data["circle"]["kudos_given"][0]["message"],
        "Goed <i>zo</i>!"
    );
    assert_eq!(data["circle"]["joined"][0]["name"], "Sanne");

    // The seeker takes Ria out of the circle: the timeline is closed to her.
    let ria_id = data["account"]["id"].as_str().expect("id").to_owned();
    let csrf = sanne.csrf("/kring").await;
    let removed = sanne
        .post(&format!("/kring/leden/{ria_id}/weg"), &[("csrf", &csrf)])
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(ria.get(&timeline).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_expired_or_withdrawn_invitation_does_not_open() {
    let world = world();
    let mut sanne = Browser::new(&world);
    let sanne_id = seeker(&mut sanne, "Sanne", "sanne@example.nl").await;
    let now = Utc::now();
    let mut store = Store::open(&world.db).expect("store");
    let token = "ab".repeat(32);
    store
        .write(|batch| {
            batch.create_invitation(
                &token,
                &UserId::new(sanne_id.clone()),
                "laat",
                now - Duration::days(20),
                now - Duration::days(6),
            )
        })
        .expect("invitation");
    let mut visitor = Browser::new(&world);
    assert_eq!(
        visitor.get(&format!("/uitnodiging/{token}")).await.status,
        StatusCode::NOT_FOUND
    );

    let link = invite(&mut sanne, "Piet").await;
    let page = sanne.get("/kring").await;
    let start = page
        .body
        .find("/kring/uitnodigingen/")
        .expect("revoke form");
    let revoke: String = page.body[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let csrf = csrf_of(&page.body);
    assert_eq!(
        sanne.post(&revoke, &[("csrf", &csrf)]).await.status,
        StatusCode::SEE_OTHER
    );
    let opened = visitor.get(&link).await;
    assert_eq!(opened.status, StatusCode::NOT_FOUND);
    assert!(
        !opened.body.contains("Sanne"),
        "nothing of the seeker shows"
    );
}

/// Who may reach what: every route of the circle for every kind of visitor.
#[tokio::test]
async fn every_circle_route_answers_each_role_as_designed() {
    let world: World = world();
    let mut sanne = Browser::new(&world);
    let sanne_id = seeker(&mut sanne, "Sanne", "sanne@example.nl").await;
    log_step(&mut sanne, "gedeeld", true).await;
    let page = sanne.get("/acties").await;
    let start = page.body.find("/acties/").expect("an action") + "/acties/".len();
    let action: String = page.body[start..]
        .chars()
        .take_while(|c| *c != '/')
        .collect();
    let link = invite(&mut sanne, "Ria").await;
    let mut member = Browser::new(&world);
    seeker(&mut member, "Ria", "ria@example.nl").await;
    let csrf = member.csrf(&link).await;
    member.post(&link, &[("csrf", &csrf)]).await;

    let mut other_seeker = Browser::new(&world);
    seeker(&mut other_seeker, "Piet", "piet@example.nl").await;
    let mut coach = Browser::new(&world);
    add_user(&world.db, "coach@example.nl", &[Role::Coach]);
    coach.sign_in("coach@example.nl", PASSWORD).await;
    let mut operator = Browser::new(&world);
    add_user(&world.db, "operator@example.nl", &[Role::Operator]);
    operator.sign_in("operator@example.nl", PASSWORD).await;
    let mut anonymous = Browser::new(&world);

    let timeline = format!("/kring/{sanne_id}");
    let pluim = format!("/acties/{action}/pluim");
    let delete = format!("/acties/{action}/verwijderen");
    use StatusCode as S;
    // (visitor, GET /kring, GET /acties, GET timeline, POST pluim, POST delete action); the
    // seeker comes after the member, as deleting the action is her last step.
    let table: [(&str, &mut Browser, [StatusCode; 5]); 6] = [
        (
            "anonymous",
            &mut anonymous,
            [
                S::SEE_OTHER,
                S::SEE_OTHER,
                S::SEE_OTHER,
                S::SEE_OTHER,
                S::SEE_OTHER,
            ],
        ),
        (
            "member",
            &mut member,
            [S::OK, S::OK, S::OK, S::SEE_OTHER, S::NOT_FOUND],
        ),
        (
            "seeker",
            &mut sanne,
            [S::OK, S::OK, S::NOT_FOUND, S::NOT_FOUND, S::SEE_OTHER],
        ),
        (
            "other seeker",
            &mut other_seeker,
            [S::OK, S::OK, S::NOT_FOUND, S::NOT_FOUND, S::NOT_FOUND],
        ),
        (
            "coach",
            &mut coach,
            [
                S::OK,
                S::FORBIDDEN,
                S::NOT_FOUND,
                S::NOT_FOUND,
                S::NOT_FOUND,
            ],
        ),
        (
            "operator",
            &mut operator,
            [
                S::OK,
                S::FORBIDDEN,
                S::NOT_FOUND,
                S::NOT_FOUND,
                S::NOT_FOUND,
            ],
        ),
    ];
    for (who, browser, expected) in table {
        let csrf = if who == "anonymous" {
            String::new()
        } else {
            browser.csrf("/account").await
        };
        let got = [
            browser.get("/kring").await.status,
            browser.get("/acties").await.status,
            browser.get(&timeline).await.status,
            browser.post(&pluim, &[("csrf", &csrf)]).await.status,
            browser.post(&delete, &[("csrf", &csrf)]).await.status,
        ];
        assert_eq!(got, expected, "{who}");
        if who != "anonymous" {
            // Without its CSRF token a form changes nothing.
            let forged = browser.post(&pluim, &[("csrf", "x")]).await;
            assert_eq!(forged.status, S::FORBIDDEN, "{who}");
        }
    }
}

#[tokio::test]
async fn the_overview_for_uwv_lists_the_steps_per_four_weeks_and_downloads_for_excel() {
    let world = world();
    let mut sanne = Browser::new(&world);
    seeker(&mut sanne, "Sanne", "sanne@example.nl").await;
    log_step(&mut sanne, "brief", true).await;
    let page = sanne.get("/acties/uwv").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("1 sollicitatieactiviteit,"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("<td>Zorggroep &#60;Noord&#62;</td>")
            || page.body.contains("<td>Zorggroep &lt;Noord&gt;</td>")
    );
    let csv = sanne.get("/acties/uwv.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with('\u{feff}'));
    assert!(
        csv.body
            .contains(";Zorggroep <Noord>;Verpleegkundige;Sollicitatiebrief verstuurd;ja;")
    );

    let mut coach = Browser::new(&world);
    add_user(&world.db, "coach@example.nl", &[Role::Coach]);
    coach.sign_in("coach@example.nl", PASSWORD).await;
    assert_eq!(coach.get("/acties/uwv").await.status, StatusCode::FORBIDDEN);
    let mut anonymous = Browser::new(&world);
    assert_eq!(
        anonymous.get("/acties/uwv.csv").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_shared_shortlist_is_read_by_the_circle_and_by_nobody_else() {
    let world = world();
    let mut sanne = Browser::new(&world);
    let sanne_id = seeker(&mut sanne, "Sanne", "sanne@example.nl").await;
    let link = invite(&mut sanne, "Ria").await;
    let mut ria = Browser::new(&world);
    ria.sign_up("Ria", "ria@example.nl").await;
    let csrf = ria.csrf(&link).await;
    ria.post(&link, &[("csrf", &csrf)]).await;
    let mut piet = Browser::new(&world);
    seeker(&mut piet, "Piet", "piet@example.nl").await;

    let csrf = sanne.csrf("/lijsten").await;
    let made = sanne
        .post("/lijsten", &[("csrf", &csrf), ("name", "Zorg <dichtbij>")])
        .await;
    let list = made.location.expect("the new list");
    let vacancy = world.vacancies[0].id.to_string();
    sanne
        .post(
            &format!("{list}/vacatures"),
            &[
                ("csrf", &csrf),
                ("vacancy", &vacancy),
                ("note", "bellen maandag"),
            ],
        )
        .await;
    let timeline = format!("/kring/{sanne_id}");

    // Not shared: the circle does not see it.
    assert_eq!(ria.get(&list).await.status, StatusCode::NOT_FOUND);
    assert!(!ria.get(&timeline).await.body.contains(&list));

    let page = sanne.get(&list).await;
    assert!(page.body.contains("Delen met je kring en je tafel"));
    let shared = sanne
        .post(
            &format!("{list}/delen"),
            &[("csrf", &csrf), ("delen", "ja")],
        )
        .await;
    assert_eq!(shared.status, StatusCode::SEE_OTHER);
    assert!(sanne.get(&list).await.body.contains("Niet meer delen"));

    // Shared: Ria finds it from Sanne's steps, reads it with its notes, downloads it, and
    // changes nothing.
    let steps = ria.get(&timeline).await;
    assert!(
        steps.body.contains(&format!("href=\"{list}\"")),
        "{}",
        steps.body
    );
    assert!(steps.body.contains("Zorg &#60;dichtbij&#62;"));
    let read = ria.get(&list).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(
        read.body
            .contains("Een lijst van Sanne, gedeeld met de kring en de tafel.")
    );
    assert!(read.body.contains("bellen maandag"));
    assert!(
        !read.body.contains("Van de lijst halen"),
        "no forms for the circle"
    );
    assert!(!read.body.contains("Niet meer delen"));
    assert_eq!(
        ria.get(&format!("{list}/export.csv")).await.status,
        StatusCode::OK
    );
    let ria_csrf = ria.csrf("/kring").await;
    for (path, fields) in [
        (
            format!("{list}/delen"),
            vec![("csrf", ria_csrf.as_str()), ("delen", "nee")],
        ),
        (
            format!("{list}/vacatures"),
            vec![
                ("csrf", ria_csrf.as_str()),
                ("vacancy", vacancy.as_str()),
                ("note", "x"),
            ],
        ),
        (
            format!("{list}/vacatures/{vacancy}/weg"),
            vec![("csrf", ria_csrf.as_str())],
        ),
    ] {
        let answer = ria.post(&path, &fields).await;
        assert!(
            matches!(answer.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "POST {path}: {}",
            answer.status
        );
    }
    assert!(sanne.get(&list).await.body.contains("bellen maandag"));

    // Outside the circle: nothing.
    assert_eq!(piet.get(&list).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        piet.get(&format!("{list}/export.csv")).await.status,
        StatusCode::NOT_FOUND
    );
    let mut anonymous = Browser::new(&world);
    assert_eq!(anonymous.get(&list).await.status, StatusCode::SEE_OTHER);

    // Sharing stops; and a member who leaves stops seeing it.
    sanne
        .post(
            &format!("{list}/delen"),
            &[("csrf", &csrf), ("delen", "nee")],
        )
        .await;
    assert_eq!(ria.get(&list).await.status, StatusCode::NOT_FOUND);
    sanne
        .post(
            &format!("{list}/delen"),
            &[("csrf", &csrf), ("delen", "ja")],
        )
        .await;
    assert_eq!(ria.get(&list).await.status, StatusCode::OK);
    let left = ria
        .post(&format!("{timeline}/verlaten"), &[("csrf", &ria_csrf)])
        .await;
    assert_eq!(left.status, StatusCode::SEE_OTHER);
    assert_eq!(ria.get(&list).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn who_signs_up_to_join_a_circle_follows_and_may_become_a_seeker_later() {
    let world = world();
    let mut sanne = Browser::new(&world);
    seeker(&mut sanne, "Sanne", "sanne@example.nl").await;
    let link = invite(&mut sanne, "Oom Kees").await;

    let mut kees = Browser::new(&world);
    let page = kees.get(&link).await;
    let signup = page
        .body
        .split("href=\"")
        .find(|part| part.starts_with("/aanmelden?terug="))
        .and_then(|part| part.split('"').next())
        .expect("a sign-up link back to the invitation")
        .replace("&#38;", "&");
    let csrf = kees.csrf(&signup).await;
    let back = link.clone();
    let made = kees
        .post(
            "/aanmelden",
            &[
                ("csrf", &csrf),
                ("name", "Kees"),
                ("email", "kees@example.nl"),
                ("password", PASSWORD),
                ("password_again", PASSWORD),
                ("back", &back),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    assert_eq!(made.location.as_deref(), Some(link.as_str()));
    let account = kees.get("/account").await;
    assert!(account.body.contains("<dd>kring</dd>"), "{}", account.body);
    assert_eq!(kees.get("/acties").await.status, StatusCode::FORBIDDEN);
    assert!(account.body.contains("Zelf ook werk zoeken"));

    let csrf = csrf_of(&account.body);
    let became = kees.post("/account/zelf-zoeken", &[("csrf", &csrf)]).await;
    assert_eq!(became.status, StatusCode::SEE_OTHER);
    assert_eq!(kees.get("/acties").await.status, StatusCode::OK);
    let account = kees.get("/account").await;
    assert!(account.body.contains("werkzoekende"));
    assert!(!account.body.contains("Zelf ook werk zoeken"));
    let forged = kees.post("/account/zelf-zoeken", &[("csrf", "x")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_home_page_shows_the_week_new_matches_and_pluimen() {
    let world = world();
    let mut sanne = Browser::new(&world);
    let signed_up = sanne.sign_up("Sanne", "sanne@example.nl").await;
    assert_eq!(
        signed_up.location.as_deref(),
        Some("/mijn"),
        "home after signing up"
    );
    let sanne_id = {
        let data = sanne.get("/account/gegevens.json").await;
        let json: serde_json::Value = serde_json::from_str(&data.body).expect("json");
        json["account"]["id"].as_str().expect("id").to_owned()
    };
    let csrf = sanne.csrf("/lijsten").await;
    sanne
        .post(
            "/zoekopdrachten",
            &[
                ("csrf", &csrf),
                ("name", "Kok in de buurt"),
                ("query", "q=kok"),
            ],
        )
        .await;
    let link = invite(&mut sanne, "Ria").await;
    let mut ria = Browser::new(&world);
    ria.sign_up("Ria", "ria@example.nl").await;
    let csrf = ria.csrf(&link).await;
    ria.post(&link, &[("csrf", &csrf)]).await;
    log_step(&mut sanne, "brief weg", true).await;
    let timeline = ria.get(&format!("/kring/{sanne_id}")).await;
    let action = timeline
        .body
        .split("id=\"actie-")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the step")
        .to_owned();
    let csrf = csrf_of(&timeline.body);
    ria.post(
        &format!("/acties/{action}/pluim"),
        &[("csrf", &csrf), ("message", "Knap <b>gedaan</b>")],
    )
    .await;

    let home = sanne.get("/mijn").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Hallo Sanne"));
    assert!(
        home.body.contains("Deze week: 1 actie, 1 pluim."),
        "{}",
        home.body
    );
    assert!(home.body.contains("Kok in de buurt</a>: niets nieuws"));
    assert!(home.body.contains("<strong>Ria</strong> bij „Sollicitatiebrief verstuurd: Verpleegkundige”: Knap &#60;b&#62;gedaan&#60;/b&#62;"), "{}", home.body);

    let home = ria.get("/mijn").await;
    assert!(home.body.contains(&format!("href=\"/kring/{sanne_id}\"")));

    let mut anonymous = Browser::new(&world);
    let answer = anonymous.get("/mijn").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert!(answer.location.is_some_and(|l| l.starts_with("/inloggen")));
}
