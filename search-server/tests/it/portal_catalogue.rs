//! The provider catalogue and trajectories through the router as people use them: a provider
//! registers and lists offerings, which reach the catalogue only once an operator approved the
//! provider; a seeker composes a trajectory and the coach of her table reads it. One table
//! walks every route for seven kinds of visitor.

use crate::common::browser::{
    Browser, PASSWORD, add_user, csrf_of, get, matches, post, registered_routes, visit, world,
};
use axum::http::StatusCode;
use chrono::{NaiveDate, Utc};
use vindwerk_model::{Role, UserId};
use vindwerk_store::{NewRound, Store};

const ROLES: [&str; 7] = [
    "anonymous",
    "seeker",
    "other seeker",
    "her table's coach",
    "operator",
    "the provider's member",
    "another provider's member",
];

fn user_id(email: &str) -> UserId {
    UserId::new(format!("u-{}", email.replace(['@', '.'], "-")))
}

/// The id in the first `prefix{id}"` of `html`.
fn id_after(html: &str, prefix: &str) -> String {
    html.split(prefix)
        .nth(1)
        .and_then(|rest| rest.split(['"', '/']).next())
        .unwrap_or_else(|| panic!("{prefix} in {html}"))
        .to_owned()
}

/// `seeker` sits at `coach`'s table in a round.
fn seat(db: &std::path::Path, coach: &str, seeker: &str) {
    let mut store = Store::open(db).expect("store");
    let (coach, seeker) = (user_id(coach), user_id(seeker));
    store
        .write(|batch| {
            batch.create_round(
                &NewRound {
                    id: "r-test",
                    organiser: &coach,
                    name: "Werkestafette Utrecht",
                    city: "Utrecht",
                    kickoff: NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
                    weeks: 4,
                    table_size: 6,
                },
                Utc::now(),
            )?;
            batch.join_round_as_coach("r-test", &coach, "t-test", "Welkom", Utc::now())?;
            batch.register_for_round("r-test", &seeker, Utc::now())?;
            batch.seat("r-test", &seeker, "t-test").map(drop)
        })
        .expect("a table");
}

#[tokio::test]
async fn providers_offer_seekers_compose_and_coaches_read_and_every_route_answers_as_designed() {
    let world = world();
    let emails = [
        "",
        "sanne@example.nl",
        "piet@example.nl",
        "coach@example.nl",
        "operator@example.nl",
        "aanbieder@example.nl",
        "ander@example.nl",
    ];
    let roles: [&[Role]; 7] = [
        &[],
        &[Role::Seeker],
        &[Role::Seeker],
        &[Role::Coach],
        &[Role::Operator],
        &[Role::Coach],
        &[Role::Coach],
    ];
    let mut people = Vec::new();
    for (n, (email, roles)) in emails.iter().zip(roles).enumerate() {
        let mut person = Browser::new(&world);
        person.address = format!("127.0.0.{}:50000", n + 10)
            .parse()
            .expect("address");
        if !email.is_empty() {
            add_user(&world.db, email, roles);
            person.sign_in(email, PASSWORD).await;
        }
        people.push(person);
    }
    seat(&world.db, "coach@example.nl", "sanne@example.nl");
    let (sanne, coach, operator, provider_member, other_provider) = (1, 3, 4, 5, 6);

    // Two providers register; their offerings wait for approval.
    let mut providers = Vec::new();
    for (n, name) in [
        (provider_member, "Loopbaan & Co"),
        (other_provider, "Ander Advies"),
    ] {
        let csrf = people[n].csrf("/aanbieders").await;
        let made = people[n]
            .post(
                "/aanbieders",
                &[
                    ("csrf", &csrf),
                    ("name", name),
                    ("website", "https://loopbaan.example.nl"),
                    ("description", "Coaching voor wie zoekt."),
                ],
            )
            .await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
        let path = made.location.expect("the provider's page");
        let offered = people[n]
            .post(
                &format!("{path}/aanbod"),
                &[
                    ("csrf", &csrf),
                    ("kind", "coaching"),
                    (
                        "title",
                        &format!("Sollicitatiecoaching bij {name} <b>nu</b>"),
                    ),
                    ("description", "Zes gesprekken"),
                    ("price", "450,00"),
                    ("duration", "6 weken"),
                    ("region", "Midden-Utrecht"),
                    ("online", "ja"),
                    ("link", "https://loopbaan.example.nl/coaching"),
                ],
            )
            .await;
        assert_eq!(offered.status, StatusCode::SEE_OTHER, "{}", offered.body);
        providers.push(path);
    }
    let page = people[provider_member].get(&providers[0]).await.body;
    let offering = id_after(&page, "name=\"offering\" value=\"");
    assert!(page.contains("wacht op goedkeuring"));
    assert!(
        page.contains("&#60;b&#62;nu&#60;/b&#62;"),
        "titles are escaped"
    );
    let catalogue = people[sanne].get("/aanbod").await.body;
    assert!(
        !catalogue.contains("Sollicitatiecoaching"),
        "nothing before approval"
    );

    // The operator approves the first; its offering enters the catalogue.
    let csrf = people[operator].csrf(&providers[0]).await;
    let approved = people[operator]
        .post(
            &format!("{}/goedkeuren", providers[0]),
            &[("csrf", &csrf), ("approved", "ja")],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER);
    let catalogue = people[sanne]
        .get("/aanbod?kind=coaching&online=ja")
        .await
        .body;
    assert!(
        catalogue.contains("Sollicitatiecoaching bij Loopbaan &#38; Co"),
        "{catalogue}"
    );
    assert!(catalogue.contains("€ 450"));
    assert!(!catalogue.contains("Ander Advies"), "not approved yet");
    let workshops = people[sanne].get("/aanbod?kind=workshop").await.body;
    assert!(!workshops.contains("Sollicitatiecoaching"));

    // Sanne puts it in her trajectory and enrols; her coach reads it.
    let csrf = csrf_of(&catalogue);
    let chosen = people[sanne]
        .post(
            "/traject",
            &[
                ("csrf", &csrf),
                ("offering", &offering),
                ("status", "interested"),
            ],
        )
        .await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER);
    people[sanne]
        .post(
            "/traject",
            &[
                ("csrf", &csrf),
                ("offering", &offering),
                ("status", "enrolled"),
                ("note", "start maandag"),
            ],
        )
        .await;
    let trajectory = people[sanne].get("/traject").await.body;
    assert!(trajectory.contains("Ingeschreven") && trajectory.contains("start maandag"));
    let read = people[coach].get("/traject/coach").await.body;
    assert!(read.contains("sanne@example.nl"), "{read}");
    assert!(read.contains("Sollicitatiecoaching") && read.contains("Ingeschreven"));
    let other_coach = people[other_provider].get("/traject/coach").await.body;
    assert!(
        !other_coach.contains("Sollicitatiecoaching"),
        "not her coach"
    );
    let data = people[sanne].get("/account/gegevens.json").await.body;
    let json: serde_json::Value = serde_json::from_str(&data).expect("json");
    assert_eq!(json["trajectory"][0]["status"], "enrolled");

    // Her coach gives her advice; she reads it beside the advice read from the vacancies.
    let sanne_id = user_id("sanne@example.nl").to_string();
    let csrf = csrf_of(&read);
    let advised = people[coach]
        .post(
            &format!("/advies/{sanne_id}"),
            &[
                ("csrf", &csrf),
                ("text", "Bel de praktijkopleider <b>vóór</b> vrijdag."),
            ],
        )
        .await;
    assert_eq!(advised.status, StatusCode::SEE_OTHER);
    let csrf = people[sanne]
        .csrf("/zoekopdrachten/nieuw?status=active")
        .await;
    let saved = people[sanne]
        .post(
            "/zoekopdrachten",
            &[
                ("csrf", &csrf),
                ("name", "Alles"),
                ("query", "status=active"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let advice = people[sanne].get("/advies").await.body;
    assert!(
        advice.contains("Bel de praktijkopleider &#60;b&#62;vóór&#60;/b&#62; vrijdag."),
        "{advice}"
    );
    // "In {region} plaatsten {E} werkgevers de afgelopen twaalf maanden {n} vacatures voor
    // “alle vacatures”; {A} van hen hebben er nu een open": the figures of the world.
    let sentence = advice
        .split("<li>In ")
        .nth(1)
        .and_then(|rest| rest.split(" <a").next())
        .expect("advice from the vacancies");
    let (region, rest) = sentence.split_once(" plaatsten ").expect("a region");
    let numbers: Vec<usize> = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().expect("a number"))
        .collect();
    let in_region: Vec<_> = world
        .vacancies
        .iter()
        .filter(|vacancy| vacancy.region.as_deref() == Some(region))
        .collect();
    let mut busiest = std::collections::BTreeMap::new();
    for vacancy in &world.vacancies {
        if let Some(region) = &vacancy.region {
            *busiest.entry(region.clone()).or_insert(0) += 1;
        }
    }
    assert_eq!(
        Some(&in_region.len()),
        busiest.values().max(),
        "{region} has the most vacancies"
    );
    let employers = |active_only: bool| {
        in_region
            .iter()
            .filter(|vacancy| !active_only || vacancy.status == vindwerk_model::Status::Active)
            .filter_map(|vacancy| vacancy.employer.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    assert_eq!(
        numbers,
        [employers(false), in_region.len(), employers(true)],
        "{sentence}"
    );

    // An offering of a provider not approved cannot be chosen.
    let other_page = people[other_provider].get(&providers[1]).await.body;
    let unapproved = id_after(&other_page, "name=\"offering\" value=\"");

    let (mine, theirs) = (providers[0].clone(), providers[1].clone());
    let cases = [
        get("/aanbod", [200; 7]),
        get("/aanbieders", [303, 200, 200, 200, 200, 200, 200]),
        post(
            "/aanbieders",
            &[("name", ""), ("website", "")],
            [303, 400, 400, 400, 400, 400, 400],
        ),
        get(mine.clone(), [303, 404, 404, 404, 200, 200, 404]),
        post(
            format!("{mine}/aanbod"),
            &[
                ("offering", &offering),
                ("kind", "coaching"),
                ("title", "Nieuwe titel"),
            ],
            [303, 404, 404, 404, 403, 303, 404],
        ),
        post(
            format!("{theirs}/aanbod"),
            // Another provider's offering cannot be changed through one's own.
            &[
                ("offering", &offering),
                ("kind", "coaching"),
                ("title", "Gekaapt"),
            ],
            [303, 404, 404, 404, 403, 404, 404],
        ),
        post(
            format!("{mine}/goedkeuren"),
            &[("approved", "ja")],
            [303, 404, 404, 404, 303, 403, 404],
        ),
        post(
            format!("{mine}/aanbod/o-bestaat-niet/weg"),
            &[],
            [303, 404, 404, 404, 403, 404, 404],
        ),
        get("/traject", [303, 200, 200, 403, 403, 403, 403]),
        get("/traject/coach", [303, 403, 403, 200, 403, 200, 200]),
        get("/advies", [303, 200, 200, 403, 403, 403, 403]),
        post(
            format!("/advies/{sanne_id}"),
            &[("text", "Nog een advies")],
            // Only the coach of her table.
            [303, 403, 403, 303, 403, 404, 404],
        ),
        post(
            "/traject",
            &[("offering", &unapproved), ("status", "interested")],
            [303, 404, 404, 403, 403, 403, 403],
        ),
        post(
            format!("/traject/{unapproved}/weg"),
            &[],
            [303, 404, 404, 403, 403, 403, 403],
        ),
    ];
    let missing: Vec<_> = registered_routes()
        .into_iter()
        .filter(|(method, pattern)| {
            (pattern.starts_with("/aanbod")
                || pattern.starts_with("/advies")
                || pattern.starts_with("/aanbieders")
                || pattern.starts_with("/traject"))
                && !cases
                    .iter()
                    .any(|case| case.method == method && matches(pattern, &case.path))
        })
        .collect();
    assert!(missing.is_empty(), "routes without a row: {missing:?}");
    let mut wrong = Vec::new();
    for case in &cases {
        for (n, person) in people.iter_mut().enumerate() {
            visit(person, n, ROLES[n], case, &mut wrong).await;
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let after = people[sanne].get("/aanbod").await.body;
    assert!(!after.contains("Gekaapt"));
    assert!(
        after.contains("Nieuwe titel"),
        "the provider changed its own offering"
    );
}
