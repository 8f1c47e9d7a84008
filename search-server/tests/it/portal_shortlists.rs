//! Shortlists as seekers and coaches use them: make a list, put vacancies on it from the
//! vacancy page with a note, see their status, export the list for Excel; and nobody else
//! reaches a list.

use crate::common::browser::{Browser, PASSWORD, World, add_user, csrf_of, world};
use axum::http::StatusCode;
use vindwerk_model::Role;

/// Signs in as a fresh `email` with `roles` and makes a list named `name`; its path.
async fn list_of(
    world: &World,
    browser: &mut Browser,
    email: &str,
    roles: &[Role],
    name: &str,
) -> String {
    add_user(&world.db, email, roles);
    assert_eq!(
        browser.sign_in(email, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let csrf = browser.csrf("/lijsten").await;
    let made = browser
        .post("/lijsten", &[("csrf", &csrf), ("name", name)])
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    made.location.expect("the new list's page")
}

#[tokio::test]
async fn a_coach_puts_vacancies_on_a_list_and_exports_it_for_excel() {
    let world = world();
    let mut coach = Browser::new(&world);
    let list = list_of(
        &world,
        &mut coach,
        "coach@example.nl",
        &[Role::Coach],
        "Zorg <b>regio</b>",
    )
    .await;

    let vacancy = &world.vacancies[0];
    let page = coach.get(&format!("/vacature/{}", vacancy.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Op je lijst zetten"),
        "the vacancy page offers the list"
    );
    let csrf = csrf_of(&page.body);
    let put = coach
        .post(
            &format!("{list}/vacatures"),
            &[
                ("csrf", &csrf),
                ("vacancy", vacancy.id.as_str()),
                ("note", "=HYPERLINK(\"http://x\")"),
            ],
        )
        .await;
    assert_eq!(put.status, StatusCode::SEE_OTHER);
    let expired = world
        .vacancies
        .iter()
        .find(|vacancy| vacancy.status == vindwerk_model::Status::Expired)
        .expect("the test world has an expired vacancy");
    coach
        .post(
            &format!("{list}/vacatures"),
            &[
                ("csrf", &csrf),
                ("vacancy", expired.id.as_str()),
                ("note", "<script>x</script>"),
            ],
        )
        .await;
    let unknown = coach
        .post(
            &format!("{list}/vacatures"),
            &[("csrf", &csrf), ("vacancy", "v-none"), ("note", "")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let shown = coach.get(&list).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains(&vacancy.title));
    assert!(
        shown.body.contains("verlopen"),
        "an expired vacancy says so"
    );
    assert!(!shown.body.contains("<script>x"), "notes are escaped");
    assert!(!shown.body.contains("<b>regio"), "names are escaped");

    let csv = coach.get(&format!("{list}/export.csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with('\u{feff}'), "a BOM for Excel");
    let mut lines = csv.body.trim_start_matches('\u{feff}').lines();
    let head = lines.next().expect("a header");
    assert!(
        head.starts_with("titel;werkgever;plaats;provincie;status"),
        "{head}"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2);
    assert!(
        rows[0].contains("'=HYPERLINK"),
        "formulas are neutralised: {}",
        rows[0]
    );
    assert!(
        !rows.iter().any(|row| row.contains(";=")),
        "no cell starts a formula"
    );
    assert!(rows[1].contains("expired"));

    // The list is part of the coach's data export.
    let data = coach.get("/account/gegevens.json").await;
    let json: serde_json::Value = serde_json::from_str(&data.body).expect("json");
    assert_eq!(
        json["shortlists"][0]["vacancies"].as_array().map(Vec::len),
        Some(2)
    );

    // Taken off again.
    let off = coach
        .post(
            &format!("{list}/vacatures/{}/weg", vacancy.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert!(
        !coach
            .get(&list)
            .await
            .body
            .contains(&format!("/vacature/{}\"", vacancy.id))
    );
}

/// Every shortlist route for every role: the owner reaches the list; another seeker or coach
/// gets 404 as if it did not exist; roles without lists get 403 on the overview; visitors
/// are sent to sign in.
#[tokio::test]
async fn nobody_but_the_owner_reaches_a_list() {
    let world = world();
    let mut owner = Browser::new(&world);
    let list = list_of(
        &world,
        &mut owner,
        "eigenaar@example.nl",
        &[Role::Seeker],
        "Mijn lijst",
    )
    .await;
    let vacancy = world.vacancies[0].id.to_string();
    let routes_get = [list.clone(), format!("{list}/export.csv")];

    for route in &routes_get {
        assert_eq!(
            owner.get(route).await.status,
            StatusCode::OK,
            "owner GET {route}"
        );
    }

    let mut anonymous = Browser::new(&world);
    for route in routes_get.iter().chain([&"/lijsten".to_owned()]) {
        assert_eq!(
            anonymous.get(route).await.status,
            StatusCode::SEE_OTHER,
            "anonymous GET {route}"
        );
    }

    for (email, roles, overview) in [
        ("ander@example.nl", &[Role::Seeker][..], StatusCode::OK),
        ("coach@example.nl", &[Role::Coach][..], StatusCode::OK),
        (
            "kring@example.nl",
            &[Role::Circle][..],
            StatusCode::FORBIDDEN,
        ),
        (
            "beheer@example.nl",
            &[Role::Operator][..],
            StatusCode::FORBIDDEN,
        ),
    ] {
        add_user(&world.db, email, roles);
        let mut other = Browser::new(&world);
        assert_eq!(
            other.sign_in(email, PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            other.get("/lijsten").await.status,
            overview,
            "{email} GET /lijsten"
        );
        let csrf = csrf_of(&other.get("/account").await.body);
        for route in &routes_get {
            let answer = other.get(route).await;
            assert!(
                matches!(answer.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
                "{email} GET {route}: {}",
                answer.status
            );
            assert!(!answer.body.contains("Mijn lijst"));
        }
        let put = other
            .post(
                &format!("{list}/vacatures"),
                &[("csrf", &csrf), ("vacancy", &vacancy), ("note", "")],
            )
            .await;
        assert!(
            matches!(put.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{email} POST: {}",
            put.status
        );
        let off = other
            .post(
                &format!("{list}/vacatures/{vacancy}/weg"),
                &[("csrf", &csrf)],
            )
            .await;
        assert!(
            matches!(off.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{email} POST weg: {}",
            off.status
        );
    }
    // The owner's list is as it was.
    let csv = owner.get(&format!("{list}/export.csv")).await;
    assert_eq!(csv.body.lines().count(), 1, "still empty");
}

/// The saved search of `browser` named in `/zoekopdrachten`: its id.
async fn saved_search_id(browser: &mut Browser) -> String {
    let page = browser.get("/zoekopdrachten").await;
    page.body
        .split("href=\"/zoekopdrachten/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|id| id.split('?').next().unwrap_or(id).to_owned())
        .expect("a saved search on the page")
}

#[tokio::test]
async fn a_seeker_saves_a_search_sees_what_is_new_and_follows_its_feed() {
    use chrono::Duration;
    use vindwerk_model::Status;

    let world = world();
    let mut seeker = Browser::new(&world);
    add_user(&world.db, "sanne@example.nl", &[Role::Seeker]);
    seeker.sign_in("sanne@example.nl", PASSWORD).await;

    let search = seeker.get("/?q=verpleegkundige&sort=newest").await;
    assert!(
        search
            .body
            .contains("href=\"/zoekopdrachten/nieuw?q=verpleegkundige&#38;sort=newest\""),
        "the search page offers to save the search"
    );
    let form = seeker
        .get("/zoekopdrachten/nieuw?q=verpleegkundige&sort=newest&page=2")
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body
            .contains("value=\"q=verpleegkundige&#38;sort=newest\""),
        "{}",
        form.body
    );
    let csrf = csrf_of(&form.body);
    let saved = seeker
        .post(
            "/zoekopdrachten",
            &[
                ("csrf", &csrf),
                ("name", "Zorg <i>dichtbij</i>"),
                ("query", "q=verpleegkundige&sort=newest"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location.as_deref(), Some("/zoekopdrachten"));

    let nurses: Vec<&vindwerk_model::Vacancy> = world
        .vacancies
        .iter()
        .filter(|v| v.title.to_lowercase().contains("verple") && v.status == Status::Active)
        .collect();
    assert!(nurses.len() >= 2, "the world has nurses to find");
    let page = seeker.get("/zoekopdrachten").await;
    assert!(
        page.body.contains("Zorg &#60;i&#62;dichtbij&#60;/i&#62;"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!("{} vacatures", nurses.len())),
        "{}",
        page.body
    );
    assert!(page.body.contains("niets nieuws sinds je laatste bezoek"));
    let id = saved_search_id(&mut seeker).await;

    // A last visit before the newest nurses were first seen: those are new.
    let mut seen: Vec<_> = nurses.iter().map(|v| v.first_seen).collect();
    seen.sort();
    let visit = seen[seen.len() / 2] - Duration::seconds(1);
    let new = seen.iter().filter(|at| **at > visit).count();
    let mut store = vindwerk_store::Store::open(&world.db).expect("store");
    store
        .write(|batch| batch.visit_saved_search(&id, visit))
        .expect("visit set back");
    let page = seeker.get("/zoekopdrachten").await;
    assert!(
        page.body
            .contains(&format!("{new} nieuw sinds je laatste bezoek")),
        "{}",
        page.body
    );
    let opened = seeker
        .get(&format!("/zoekopdrachten/{id}?alleen=nieuw"))
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    let target = opened.location.expect("to the search");
    assert!(
        target.starts_with("/?q=verpleegkundige&sort=newest&new_since="),
        "{target}"
    );
    let results = seeker.get(&target).await;
    let summary = if new == 1 {
        "1 vacature".to_owned()
    } else {
        format!("{new} vacatures")
    };
    assert!(
        results.body.contains(&summary),
        "{summary}: {}",
        results.body
    );
    // Opening it was a visit.
    let page = seeker.get("/zoekopdrachten").await;
    assert!(page.body.contains("niets nieuws sinds je laatste bezoek"));

    // The feed, as a feed reader reads it: without a session.
    let feed_url = page
        .body
        .split("class=\"feed\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the feed's address")
        .to_owned();
    let path = format!("/feeds/{}", feed_url.rsplit('/').next().expect("token"));
    let mut reader = Browser::new(&world);
    let feed = reader.get(&path).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.body.starts_with("<?xml"));
    assert!(
        feed.body
            .contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">")
    );
    assert!(
        feed.body
            .contains("<title>vindwerk: Zorg &lt;i&gt;dichtbij&lt;/i&gt;</title>"),
        "{}",
        feed.body
    );
    assert_eq!(feed.body.matches("<entry>").count(), nurses.len());
    let newest = nurses
        .iter()
        .max_by_key(|v| (v.date_posted, std::cmp::Reverse(v.id.to_string())))
        .expect("a nurse");
    let first_entry = feed.body.split("<entry>").nth(1).expect("an entry");
    assert!(
        first_entry.contains(&format!("/vacature/{}</id>", newest.id)),
        "{first_entry}"
    );
    let mut reader = quick_xml::Reader::from_str(&feed.body);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(error) => panic!("the feed is not well-formed XML: {error}"),
        }
    }
    let mut stranger = Browser::new(&world);
    let wrong = format!("/feeds/{}", "0".repeat(64));
    assert_eq!(stranger.get(&wrong).await.status, StatusCode::NOT_FOUND);
    assert_eq!(stranger.get("/feeds/x").await.status, StatusCode::NOT_FOUND);

    // The seeker's data export holds the search.
    let data = seeker.get("/account/gegevens.json").await;
    assert!(data.body.contains("\"saved_searches\""));
    assert!(data.body.contains("q=verpleegkundige&sort=newest"));

    // Deleting it ends the feed too.
    let page = seeker.get("/zoekopdrachten").await;
    let csrf = csrf_of(&page.body);
    let deleted = seeker
        .post(
            &format!("/zoekopdrachten/{id}/verwijderen"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(stranger.get(&path).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn saved_searches_answer_each_role_as_designed() {
    let world = world();
    let mut owner = Browser::new(&world);
    add_user(&world.db, "owner@example.nl", &[Role::Seeker]);
    owner.sign_in("owner@example.nl", PASSWORD).await;
    let csrf = owner.csrf("/lijsten").await;
    let saved = owner
        .post(
            "/zoekopdrachten",
            &[("csrf", &csrf), ("name", "Kok"), ("query", "q=kok")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let id = saved_search_id(&mut owner).await;

    // Anonymous: sent to sign in, for every page and form.
    let mut anonymous = Browser::new(&world);
    for path in [
        "/zoekopdrachten".to_owned(),
        "/zoekopdrachten/nieuw?q=kok".to_owned(),
        format!("/zoekopdrachten/{id}"),
    ] {
        let answer = anonymous.get(&path).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "GET {path}");
        assert!(
            answer.location.is_some_and(|l| l.starts_with("/inloggen")),
            "GET {path}"
        );
    }
    for path in [
        "/zoekopdrachten".to_owned(),
        format!("/zoekopdrachten/{id}/verwijderen"),
    ] {
        let answer = anonymous.post(&path, &[("csrf", "x")]).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "POST {path}");
    }

    // Another seeker: the search does not exist for them.
    let mut other = Browser::new(&world);
    add_user(&world.db, "other@example.nl", &[Role::Seeker]);
    other.sign_in("other@example.nl", PASSWORD).await;
    let csrf = other.csrf("/lijsten").await;
    assert_eq!(
        other.get(&format!("/zoekopdrachten/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let answer = other
        .post(
            &format!("/zoekopdrachten/{id}/verwijderen"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(!other.get("/zoekopdrachten").await.body.contains(&id));

    // A circle member keeps no searches.
    let mut member = Browser::new(&world);
    add_user(&world.db, "ria@example.nl", &[Role::Circle]);
    member.sign_in("ria@example.nl", PASSWORD).await;
    assert_eq!(
        member.get("/zoekopdrachten").await.status,
        StatusCode::FORBIDDEN
    );

    // A coach does; a form without its token changes nothing.
    let mut coach = Browser::new(&world);
    add_user(&world.db, "coach@example.nl", &[Role::Coach]);
    coach.sign_in("coach@example.nl", PASSWORD).await;
    assert_eq!(coach.get("/zoekopdrachten").await.status, StatusCode::OK);
    let forged = coach
        .post(
            "/zoekopdrachten",
            &[("csrf", "fout"), ("name", "x"), ("query", "q=x")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let csrf = coach.csrf("/lijsten").await;
    let bad = coach
        .post(
            "/zoekopdrachten",
            &[("csrf", &csrf), ("name", "x"), ("query", "kleur=rood")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("Deze zoekopdracht klopt niet"));

    // The owner still has it, and deletes it.
    let csrf = owner.csrf("/lijsten").await;
    let deleted = owner
        .post(
            &format!("/zoekopdrachten/{id}/verwijderen"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        owner.get(&format!("/zoekopdrachten/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_coachs_script_downloads_a_list_with_its_key_and_nothing_without() {
    let world = world();
    let mut coach = Browser::new(&world);
    let list = list_of(
        &world,
        &mut coach,
        "coach@example.nl",
        &[Role::Coach],
        "Tafel zorg",
    )
    .await;
    let id = list.trim_start_matches("/lijsten/").to_owned();
    let csrf = coach.csrf(&list).await;
    let vacancy = world.vacancies[0].id.to_string();
    coach
        .post(
            &format!("{list}/vacatures"),
            &[("csrf", &csrf), ("vacancy", &vacancy), ("note", "@SUM(1)")],
        )
        .await;
    let mut script = Browser::new(&world);
    let plain = format!("/api/shortlists/{id}.csv");
    assert_eq!(
        script.get(&plain).await.status,
        StatusCode::NOT_FOUND,
        "no key yet"
    );

    let made = coach
        .post(
            &format!("{list}/scriptsleutel"),
            &[("csrf", &csrf), ("sleutel", "nieuw")],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    let page = coach.get(&list).await;
    let url = page
        .body
        .split("id=\"script-url\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the address for scripts")
        .replace("&#38;", "&");
    let path = url
        .find("/api/")
        .map(|at| url[at..].to_owned())
        .expect("a path");
    let csv = script.get(&path).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with('\u{feff}'), "UTF-8 with BOM");
    assert!(csv.body.contains("titel;werkgever;plaats"));
    assert!(csv.body.contains("'@SUM(1)"), "formulas neutralised");
    let wrong = format!("{plain}?token={}", "0".repeat(64));
    assert_eq!(script.get(&wrong).await.status, StatusCode::NOT_FOUND);

    // A new key: the old address stops working; withdrawn: none works.
    coach
        .post(
            &format!("{list}/scriptsleutel"),
            &[("csrf", &csrf), ("sleutel", "nieuw")],
        )
        .await;
    assert_eq!(script.get(&path).await.status, StatusCode::NOT_FOUND);
    coach
        .post(
            &format!("{list}/scriptsleutel"),
            &[("csrf", &csrf), ("sleutel", "weg")],
        )
        .await;
    assert!(!coach.get(&list).await.body.contains("script-url"));

    // Only the owner makes a key.
    let mut other = Browser::new(&world);
    add_user(&world.db, "ander@example.nl", &[Role::Coach]);
    other.sign_in("ander@example.nl", PASSWORD).await;
    let csrf = other.csrf("/lijsten").await;
    let answer = other
        .post(
            &format!("{list}/scriptsleutel"),
            &[("csrf", &csrf), ("sleutel", "nieuw")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}
