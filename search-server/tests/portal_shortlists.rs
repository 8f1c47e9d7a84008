//! Shortlists as seekers and coaches use them: make a list, put vacancies on it from the
//! vacancy page with a note, see their status, export the list for Excel; and nobody else
//! reaches a list.

mod common;

use axum::http::StatusCode;
use common::browser::{Browser, PASSWORD, World, add_user, csrf_of, world};
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
