//! Werkestafette rounds as their people use them, up to the choice of tables: an organiser
//! creates a round, two coaches introduce themselves, seven participants choose tables (the
//! seventh finds one full and takes the other), the organiser moves someone and closes the
//! choice; and who sees which names, per role.

use crate::common::browser::{Browser, PASSWORD, World, add_user, csrf_of, world};
use axum::http::StatusCode;
use vindwerk_model::Role;

async fn person(world: &World, email: &str, roles: &[Role]) -> Browser {
    add_user(&world.db, email, roles);
    let mut browser = Browser::new(world);
    let signed_in = browser.sign_in(email, PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{email}");
    browser
}

/// The id of the table of `coach` (their email, which is also their name here) on `page`.
fn table_of(page: &str, coach: &str) -> String {
    let heading = format!("Tafel van {coach}");
    let at = page.find(&heading).expect("the coach's table");
    let before = &page[..at];
    let start = before.rfind("id=\"tafel-").expect("the table's id") + "id=\"tafel-".len();
    before[start..].chars().take_while(|c| *c != '"').collect()
}

/// Signs in `browser`'s person and returns the page's CSRF token from the account page.
async fn token(browser: &mut Browser) -> String {
    browser.csrf("/account").await
}

/// Makes the round "Ronde" in Zwolle as `organiser`; the round's page.
async fn new_round(organiser: &mut Browser) -> String {
    let csrf = token(organiser).await;
    organiser
        .post(
            "/estafettes",
            &[
                ("csrf", &csrf),
                ("name", "Ronde"),
                ("city", "Zwolle"),
                ("kickoff", "2027-01-11"),
            ],
        )
        .await
        .location
        .expect("a round")
}

/// `coach` joins `round` as a table coach.
async fn join_as_coach(coach: &mut Browser, round: &str, intro: &str) {
    let csrf = token(coach).await;
    let joined = coach
        .post(
            &format!("{round}/coach"),
            &[("csrf", &csrf), ("intro", intro)],
        )
        .await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
}

/// `browser` registers for `round` and, given a table, sits down at it.
async fn take_part(browser: &mut Browser, round: &str, table: Option<&str>) {
    let csrf = token(browser).await;
    let registered = browser
        .post(&format!("{round}/aanmelden"), &[("csrf", &csrf)])
        .await;
    assert_eq!(registered.status, StatusCode::SEE_OTHER);
    if let Some(table) = table {
        let seated = browser
            .post(&format!("{round}/tafels/{table}"), &[("csrf", &csrf)])
            .await;
        assert_eq!(seated.status, StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn a_round_from_creation_to_the_choice_of_tables() {
    let world = world();
    let mut organiser = person(&world, "organisator@example.nl", &[Role::Coach]).await;
    let csrf = organiser.csrf("/account").await;
    let bad = organiser
        .post(
            "/estafettes",
            &[
                ("csrf", &csrf),
                ("name", "Estafette"),
                ("city", "Utrecht"),
                ("kickoff", "maandag"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("Geef de datum van de aftrap"));
    let made = organiser
        .post(
            "/estafettes",
            &[
                ("csrf", &csrf),
                ("name", "Estafette <Utrecht> voorjaar"),
                ("city", "Utrecht"),
                ("kickoff", "2027-03-01"),
                ("weeks", ""),
                ("table_size", "6"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let round = made.location.expect("the round's page");
    let page = organiser.get(&round).await;
    assert!(page.body.contains("Estafette &#60;Utrecht&#62; voorjaar"));
    assert!(page.body.contains("aftrap 01-03-2027 · 4 weken"));
    assert!(
        page.body.contains(&format!("{round}\" readonly")),
        "the link to share"
    );

    // Two coaches introduce themselves.
    let mut anna = person(&world, "anna@example.nl", &[Role::Coach]).await;
    let mut bram = person(&world, "bram@example.nl", &[Role::Coach]).await;
    for (coach, intro) in [
        (&mut anna, "Zorg en welzijn; <script>alert(1)</script>"),
        (&mut bram, "Techniek en logistiek"),
    ] {
        let csrf = coach.csrf("/account").await;
        let joined = coach
            .post(
                &format!("{round}/coach"),
                &[("csrf", &csrf), ("intro", intro)],
            )
            .await;
        assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);
    }

    // Seven participants register and choose.
    let mut people = Vec::new();
    for i in 1..=7 {
        let mut seeker = person(&world, &format!("deelnemer{i}@example.nl"), &[Role::Seeker]).await;
        let page = seeker.get(&round).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Aanmelden als deelnemer"));
        assert!(
            page.body.contains("Zorg en welzijn; &#60;script&#62;"),
            "intros are escaped"
        );
        let csrf = csrf_of(&page.body);
        let registered = seeker
            .post(&format!("{round}/aanmelden"), &[("csrf", &csrf)])
            .await;
        assert_eq!(registered.status, StatusCode::SEE_OTHER);
        people.push(seeker);
    }
    let page = people[0].get(&round).await;
    let anna_table = table_of(&page.body, "anna@example.nl");
    let bram_table = table_of(&page.body, "bram@example.nl");
    for seeker in people.iter_mut().take(6) {
        let csrf = seeker.csrf("/account").await;
        let chose = seeker
            .post(&format!("{round}/tafels/{anna_table}"), &[("csrf", &csrf)])
            .await;
        assert_eq!(chose.status, StatusCode::SEE_OTHER, "{}", chose.body);
    }
    let seventh = &mut people[6];
    let csrf = seventh.csrf("/account").await;
    let full = seventh
        .post(&format!("{round}/tafels/{anna_table}"), &[("csrf", &csrf)])
        .await;
    assert_eq!(full.status, StatusCode::CONFLICT);
    assert!(full.body.contains("Die tafel is vol"));
    assert!(
        full.body.contains(&format!("/tafels/{bram_table}\"")),
        "the other table is offered"
    );
    assert!(
        !full.body.contains(&format!("/tafels/{anna_table}\"")),
        "the full one is not"
    );
    let chose = seventh
        .post(&format!("{round}/tafels/{bram_table}"), &[("csrf", &csrf)])
        .await;
    assert_eq!(chose.status, StatusCode::SEE_OTHER);

    // Names: a table's members and coach see the names at it; nobody sees another table's.
    let seen = people[6].get(&round).await.body;
    assert!(seen.contains("Aan tafel: deelnemer7@example.nl"));
    assert!(
        !seen.contains("deelnemer1@example.nl"),
        "another table's names stay there"
    );
    let seen = anna.get(&round).await.body;
    assert!(seen.contains("deelnemer1@example.nl") && seen.contains("deelnemer6@example.nl"));
    assert!(!seen.contains("deelnemer7@example.nl"));
    assert!(seen.contains("6 van 6 plaatsen bezet"));

    // The organiser sees everyone, moves one to the other table and closes the choice.
    let page = organiser.get(&round).await;
    for i in 1..=7 {
        assert!(page.body.contains(&format!("deelnemer{i}@example.nl")));
    }
    let csrf = csrf_of(&page.body);
    let moved = organiser
        .post(
            &format!("{round}/verplaatsen"),
            &[
                ("csrf", &csrf),
                ("participant", "u-deelnemer1-example-nl"),
                ("table", &bram_table),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert!(
        people[6]
            .get(&round)
            .await
            .body
            .contains("deelnemer1@example.nl")
    );
    let closed = organiser
        .post(
            &format!("{round}/keuze"),
            &[("csrf", &csrf), ("open", "nee")],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    let csrf = people[1].csrf("/account").await;
    let late = people[1]
        .post(&format!("{round}/tafels/{bram_table}"), &[("csrf", &csrf)])
        .await;
    assert_eq!(late.status, StatusCode::FORBIDDEN);
    assert!(
        people[1]
            .get(&round)
            .await
            .body
            .contains("De keuze van tafels is gesloten")
    );

    // A participant's data export holds the round and the table's coach.
    let data = people[6].get("/account/gegevens.json").await;
    let json: serde_json::Value = serde_json::from_str(&data.body).expect("json");
    assert_eq!(json["rounds"][0]["table_coach"], "bram@example.nl");
    assert_eq!(json["rounds"][0]["participant"], true);

    // The round is in everyone's list.
    for browser in [&mut organiser, &mut anna, &mut people[3]] {
        let list = browser.get("/estafettes").await;
        assert!(list.body.contains(&round), "{}", list.body);
    }
}

#[tokio::test]
async fn a_round_answers_each_role_as_designed() {
    let world = world();
    let mut organiser = person(&world, "organisator@example.nl", &[Role::Operator]).await;
    let round = new_round(&mut organiser).await;
    let missing = "/estafettes/r000000000000000000000000";

    // Anonymous: sent to sign in, for every page and form.
    let mut anonymous = Browser::new(&world);
    for path in ["/estafettes".to_owned(), round.clone()] {
        let answer = anonymous.get(&path).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "GET {path}");
    }
    for path in [
        "/estafettes".to_owned(),
        format!("{round}/coach"),
        format!("{round}/aanmelden"),
        format!("{round}/tafels/t1"),
        format!("{round}/verplaatsen"),
        format!("{round}/keuze"),
    ] {
        let answer = anonymous.post(&path, &[("csrf", "x")]).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "POST {path}");
    }

    // A circle member: not theirs.
    let mut member = person(&world, "ria@example.nl", &[Role::Circle]).await;
    assert_eq!(member.get(&round).await.status, StatusCode::FORBIDDEN);
    let csrf = member.csrf("/account").await;
    let made = member
        .post(
            "/estafettes",
            &[
                ("csrf", &csrf),
                ("name", "x"),
                ("city", "y"),
                ("kickoff", "2027-01-11"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::FORBIDDEN);

    // A seeker: registers; may neither coach, move nor close; a forged form changes nothing.
    let mut seeker = person(&world, "sanne@example.nl", &[Role::Seeker]).await;
    assert_eq!(seeker.get(missing).await.status, StatusCode::NOT_FOUND);
    let page = seeker.get(&round).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Meedoen als tafelcoach"));
    assert!(!page.body.contains("Organiseren"));
    let csrf = csrf_of(&page.body);
    let forged = seeker
        .post(&format!("{round}/aanmelden"), &[("csrf", "fout")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let not_yet = seeker
        .post(&format!("{round}/tafels/t1"), &[("csrf", &csrf)])
        .await;
    assert_eq!(not_yet.status, StatusCode::NOT_FOUND, "not registered");
    for (path, fields) in [
        (
            format!("{round}/coach"),
            vec![("csrf", csrf.as_str()), ("intro", "x")],
        ),
        (
            format!("{round}/verplaatsen"),
            vec![
                ("csrf", csrf.as_str()),
                ("participant", "x"),
                ("table", "y"),
            ],
        ),
        (
            format!("{round}/keuze"),
            vec![("csrf", csrf.as_str()), ("open", "nee")],
        ),
    ] {
        let answer = seeker.post(&path, &fields).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "POST {path}");
    }
    let registered = seeker
        .post(&format!("{round}/aanmelden"), &[("csrf", &csrf)])
        .await;
    assert_eq!(registered.status, StatusCode::SEE_OTHER);
    let unknown_table = seeker
        .post(&format!("{round}/tafels/t-niet"), &[("csrf", &csrf)])
        .await;
    assert_eq!(unknown_table.status, StatusCode::NOT_FOUND);

    // A coach with the link joins; may not move people in someone else's round.
    let mut coach = person(&world, "coach@example.nl", &[Role::Coach]).await;
    let csrf = coach.csrf("/account").await;
    assert_eq!(
        coach
            .post(
                &format!("{round}/keuze"),
                &[("csrf", &csrf), ("open", "nee")]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let joined = coach
        .post(
            &format!("{round}/coach"),
            &[("csrf", &csrf), ("intro", "Bouw")],
        )
        .await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER);
    assert!(
        coach
            .get(&round)
            .await
            .body
            .contains("Jouw voorstelling als tafelcoach")
    );
    // The organiser (an operator) sees the seeker, who has no table yet.
    let page = organiser.get(&round).await.body;
    assert!(page.contains("sanne@example.nl") && page.contains("nog geen tafel"));
}

#[tokio::test]
async fn a_tablemate_brings_a_lead_and_the_conversation_gets_pluimen_from_the_table() {
    let world = world();
    let mut organiser = person(&world, "organisator@example.nl", &[Role::Coach]).await;
    let round = new_round(&mut organiser).await;
    let mut anna = person(&world, "anna@example.nl", &[Role::Coach]).await;
    join_as_coach(&mut anna, &round, "Zorg").await;
    let table = table_of(&anna.get(&round).await.body, "anna@example.nl");
    let table_page = format!("{round}/tafels/{table}");

    let mut sanne = person(&world, "sanne@example.nl", &[Role::Seeker]).await;
    let mut piet = person(&world, "piet@example.nl", &[Role::Seeker]).await;
    let mut kees = person(&world, "kees@example.nl", &[Role::Seeker]).await;
    for (browser, seat) in [(&mut sanne, true), (&mut piet, true), (&mut kees, false)] {
        take_part(browser, &round, seat.then_some(table.as_str())).await;
    }
    assert_eq!(kees.get(&table_page).await.status, StatusCode::NOT_FOUND);
    let mut stranger = person(&world, "vreemde@example.nl", &[Role::Seeker]).await;
    assert_eq!(
        stranger.get(&table_page).await.status,
        StatusCode::NOT_FOUND
    );

    // Sanne brings Piet an opening.
    let page = sanne.get(&table_page).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Een kans brengen"));
    assert!(page.body.contains("value=\"u-piet-example-nl\""));
    assert!(
        !page.body.contains("value=\"u-kees-example-nl\""),
        "only tablemates"
    );
    let csrf = csrf_of(&page.body);
    let leads = format!("{table_page}/kansen");
    let not_here = sanne
        .post(
            &leads,
            &[
                ("csrf", &csrf),
                ("to", "u-kees-example-nl"),
                ("kind", "opening"),
                ("title", "x"),
            ],
        )
        .await;
    assert_eq!(not_here.status, StatusCode::NOT_FOUND);
    let brought = sanne
        .post(
            &leads,
            &[
                ("csrf", &csrf),
                ("to", "u-piet-example-nl"),
                ("kind", "opening"),
                ("title", "Koffie bij Zorggroep <Noord> via Jan"),
                ("note", "Jan verwacht je telefoontje"),
            ],
        )
        .await;
    assert_eq!(brought.status, StatusCode::SEE_OTHER, "{}", brought.body);

    // Piet sees it and records the conversation; Sanne cannot record for him.
    let page = piet.get(&table_page).await;
    assert!(page.body.contains(
        "sanne@example.nl voor piet@example.nl: Koffie bij Zorggroep &#60;Noord&#62; via Jan"
    ));
    let lead = page
        .body
        .split("class=\"action lead\" id=\"kans-")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the lead")
        .to_owned();
    let outcome = format!("{leads}/{lead}");
    let csrf = csrf_of(&page.body);
    let sanne_csrf = token(&mut sanne).await;
    let not_hers = sanne
        .post(
            &outcome,
            &[("csrf", &sanne_csrf), ("outcome", "job"), ("note", "")],
        )
        .await;
    assert_eq!(not_hers.status, StatusCode::NOT_FOUND);
    let recorded = piet
        .post(
            &outcome,
            &[
                ("csrf", &csrf),
                ("outcome", "conversation"),
                ("note", "Goed gesprek"),
            ],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER);
    let page = piet.get(&table_page).await;
    assert!(
        page.body
            .contains("Wat het opleverde:</strong> Gesprek gehad – Goed gesprek")
    );
    assert!(
        page.body.contains("Koffiegesprek: Koffie bij Zorggroep"),
        "a step in his log"
    );
    assert!(
        !page.body.contains("Geef een pluim"),
        "no pluim for one's own step"
    );

    // The coach and the tablemate give a pluim; the page returns to the table.
    let action = page
        .body
        .split("id=\"actie-")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the step")
        .to_owned();
    for browser in [&mut anna, &mut sanne] {
        let page = browser.get(&table_page).await;
        assert!(page.body.contains("Geef een pluim"));
        let csrf = csrf_of(&page.body);
        let given = browser
            .post(
                &format!("/acties/{action}/pluim"),
                &[("csrf", &csrf), ("message", "Mooi!"), ("back", &table_page)],
            )
            .await;
        assert_eq!(given.status, StatusCode::SEE_OTHER, "{}", given.body);
        assert_eq!(
            given.location.as_deref(),
            Some(format!("{table_page}#actie-{action}").as_str())
        );
    }
    let csrf = token(&mut kees).await;
    let outsider = kees
        .post(
            &format!("/acties/{action}/pluim"),
            &[("csrf", &csrf), ("message", "")],
        )
        .await;
    assert_eq!(outsider.status, StatusCode::NOT_FOUND);
    let own = piet.get("/acties").await;
    assert!(own.body.contains("2 pluimen"), "{}", own.body);
    // The organiser sees the table too.
    assert_eq!(organiser.get(&table_page).await.status, StatusCode::OK);

    // The coach's view: per participant the week's steps, leads, openings and pluimen.
    let view = anna.get(&table_page).await.body;
    assert!(view.contains("De week van de tafel"));
    assert!(
        view.contains("<th scope=\"row\">sanne@example.nl</th><td>0</td><td>1</td><td>0</td><td>1</td><td>0</td>"),
        "{view}"
    );
    assert!(view.contains(
        "<th scope=\"row\">piet@example.nl</th><td>1</td><td>0</td><td>1</td><td>0</td><td>2</td>"
    ));
    assert!(
        !piet
            .get(&table_page)
            .await
            .body
            .contains("De week van de tafel"),
        "for the coach"
    );

    // Piet shares a list: the table and the coach read and export it; the organiser does not.
    let csrf = token(&mut piet).await;
    let list = piet
        .post("/lijsten", &[("csrf", &csrf), ("name", "Zorg in Zwolle")])
        .await
        .location
        .expect("a list");
    assert!(
        !anna.get(&table_page).await.body.contains("Zorg in Zwolle"),
        "not shared yet"
    );
    assert_eq!(anna.get(&list).await.status, StatusCode::NOT_FOUND);
    piet.post(
        &format!("{list}/delen"),
        &[("csrf", &csrf), ("delen", "ja")],
    )
    .await;
    let view = anna.get(&table_page).await.body;
    assert!(
        view.contains(&format!("href=\"{list}/export.csv\"")),
        "{view}"
    );
    assert_eq!(
        anna.get(&format!("{list}/export.csv")).await.status,
        StatusCode::OK
    );
    assert_eq!(sanne.get(&list).await.status, StatusCode::OK);
    assert!(
        !organiser
            .get(&table_page)
            .await
            .body
            .contains("Zorg in Zwolle")
    );
    assert_eq!(organiser.get(&list).await.status, StatusCode::NOT_FOUND);
    assert_eq!(kees.get(&list).await.status, StatusCode::NOT_FOUND);

    // The summary of the round, for the organiser and the coaches only.
    let summary = format!("{round}/samenvatting");
    for browser in [&mut organiser, &mut anna] {
        let page = browser.get(&summary).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("<th scope=\"row\">Tafel van anna@example.nl</th><td>2</td><td>1</td><td>1</td><td>1</td><td>0</td><td>0</td>"), "{}", page.body);
        assert!(
            page.body
                .contains("<th scope=\"row\">De hele ronde</th><td>2</td>")
        );
    }
    assert_eq!(piet.get(&summary).await.status, StatusCode::NOT_FOUND);
    assert_eq!(stranger.get(&summary).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_coach_plans_a_meeting_records_who_came_and_agreements_carry_over() {
    let world = world();
    let mut organiser = person(&world, "organisator@example.nl", &[Role::Coach]).await;
    let round = new_round(&mut organiser).await;
    let mut anna = person(&world, "anna@example.nl", &[Role::Coach]).await;
    join_as_coach(&mut anna, &round, "Zorg").await;
    let coach_csrf = token(&mut anna).await;
    let table = table_of(&anna.get(&round).await.body, "anna@example.nl");
    let table_page = format!("{round}/tafels/{table}");
    let mut sanne = person(&world, "sanne@example.nl", &[Role::Seeker]).await;
    let mut piet = person(&world, "piet@example.nl", &[Role::Seeker]).await;
    for browser in [&mut sanne, &mut piet] {
        take_part(browser, &round, Some(&table)).await;
    }

    // A participant does not plan meetings; the coach does.
    let sanne_csrf = token(&mut sanne).await;
    let meetings = format!("{table_page}/bijeenkomsten");
    let fields = [
        ("day", "2027-01-18"),
        ("place", "https://meet.example.nl/tafel-anna"),
        ("agenda", "Kansen van de week <b>bespreken</b>"),
    ];
    let mut with_csrf = vec![("csrf", sanne_csrf.as_str())];
    with_csrf.extend(fields);
    assert_eq!(
        sanne.post(&meetings, &with_csrf).await.status,
        StatusCode::FORBIDDEN
    );
    let mut with_csrf = vec![("csrf", coach_csrf.as_str())];
    with_csrf.extend(fields);
    let planned = anna.post(&meetings, &with_csrf).await;
    assert_eq!(planned.status, StatusCode::SEE_OTHER, "{}", planned.body);
    let page = anna.get(&table_page).await.body;
    assert!(page.contains("Bijeenkomst van 18-01-2027"));
    assert!(page.contains("href=\"https://meet.example.nl/tafel-anna\""));
    assert!(page.contains("Kansen van de week &#60;b&#62;bespreken&#60;/b&#62;"));
    let meeting = page
        .split("id=\"bijeenkomst-")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the meeting")
        .to_owned();

    // The coach records who came (an outsider's id in the form is ignored) and the notes.
    let recorded = anna
        .post(
            &format!("{meetings}/{meeting}"),
            &[
                ("csrf", &coach_csrf),
                ("present", "u-sanne-example-nl"),
                ("present", "u-organisator-example-nl"),
                ("notes", "Goede start"),
            ],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let page = sanne.get(&table_page).await.body;
    assert!(page.contains("Aanwezig: sanne@example.nl</p>"), "{page}");
    assert!(page.contains("Verslag:</strong> Goede start"));
    assert!(!page.contains("Bijeenkomst plannen"), "the coach plans");

    // Sanne agrees to do something for Piet; Piet cannot tick it off, Sanne can.
    let agreed = sanne
        .post(
            &format!("{table_page}/afspraken"),
            &[
                ("csrf", &sanne_csrf),
                ("meeting", &meeting),
                ("who", "u-sanne-example-nl"),
                ("for", "u-piet-example-nl"),
                ("what", "Piet voorstellen aan mijn oud-collega"),
            ],
        )
        .await;
    assert_eq!(agreed.status, StatusCode::SEE_OTHER, "{}", agreed.body);
    let page = piet.get(&table_page).await.body;
    assert!(page.contains("☐ <strong>sanne@example.nl</strong> voor piet@example.nl: Piet voorstellen aan mijn oud-collega"));
    let agreement = page
        .split(&format!("{table_page}/afspraken/"))
        .nth(1)
        .and_then(|rest| rest.split('"').next());
    assert!(
        agreement.is_none(),
        "Piet gets no button for Sanne's agreement"
    );
    let page = sanne.get(&table_page).await.body;
    let agreement = page
        .split(&format!("{table_page}/afspraken/"))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("Sanne's button")
        .to_owned();
    let piet_csrf = token(&mut piet).await;
    let tick = format!("{table_page}/afspraken/{agreement}");
    assert_eq!(
        piet.post(&tick, &[("csrf", &piet_csrf), ("klaar", "ja")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        sanne
            .post(&tick, &[("csrf", &sanne_csrf), ("klaar", "ja")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert!(
        piet.get(&table_page)
            .await
            .body
            .contains("class=\"done\">☑ <strong>sanne@example.nl</strong>")
    );
    let view = anna.get(&table_page).await.body;
    assert!(
        view.contains("<td>1 van 1</td>"),
        "the coach sees the agreement kept"
    );
    // Sanne leaves the round: her agreement, her steps and leads leave the table's page.
    let left = sanne
        .post(&format!("{round}/verlaten"), &[("csrf", &sanne_csrf)])
        .await;
    assert_eq!(left.status, StatusCode::SEE_OTHER);
    let page = piet.get(&table_page).await.body;
    assert!(
        !page.contains("Piet voorstellen aan mijn oud-collega"),
        "{page}"
    );
    assert!(!page.contains("sanne@example.nl"));
    assert_eq!(sanne.get(&table_page).await.status, StatusCode::NOT_FOUND);
    // An agreement for someone not at the table, or at a meeting of no table, is refused.
    let refused = sanne
        .post(
            &format!("{table_page}/afspraken"),
            &[
                ("csrf", &sanne_csrf),
                ("meeting", "m-niet"),
                ("who", "u-sanne-example-nl"),
                ("what", "x"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
}

/// A form's path, its fields but the token, and the status per role.
type FormCase<'a> = (String, Vec<(&'a str, &'a str)>, [u16; 9]);

/// Every page and form of a round for every role, as a table: who gets the page (200), who
/// is sent to sign in (303 to /inloggen), who is refused (403) and for whom it does not exist
/// (404).
#[tokio::test]
async fn every_round_route_answers_every_role_as_designed() {
    let world = world();
    let mut organiser = person(&world, "organisator@example.nl", &[Role::Coach]).await;
    let round = new_round(&mut organiser).await;
    let mut coach_a = person(&world, "anna@example.nl", &[Role::Coach]).await;
    let mut coach_b = person(&world, "bram@example.nl", &[Role::Coach]).await;
    for coach in [&mut coach_a, &mut coach_b] {
        join_as_coach(coach, &round, "x").await;
    }
    let page = organiser.get(&round).await.body;
    let (table_a, table_b) = (
        table_of(&page, "anna@example.nl"),
        table_of(&page, "bram@example.nl"),
    );
    let mut member_a = person(&world, "a@example.nl", &[Role::Seeker]).await;
    let mut member_a2 = person(&world, "a2@example.nl", &[Role::Seeker]).await;
    let mut member_b = person(&world, "b@example.nl", &[Role::Seeker]).await;
    let mut unseated = person(&world, "los@example.nl", &[Role::Seeker]).await;
    for (browser, table) in [
        (&mut member_a, Some(&table_a)),
        (&mut member_a2, Some(&table_a)),
        (&mut member_b, Some(&table_b)),
        (&mut unseated, None),
    ] {
        take_part(browser, &round, table.map(String::as_str)).await;
    }
    let outsider = person(&world, "buiten@example.nl", &[Role::Seeker]).await;
    let circle = person(&world, "kring@example.nl", &[Role::Circle]).await;
    let anonymous = Browser::new(&world);

    let table = format!("{round}/tafels/{table_a}");
    let gets = [
        (
            "/estafettes".to_owned(),
            [303, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (round.clone(), [303, 200, 200, 200, 200, 200, 200, 200, 403]),
        (table.clone(), [303, 200, 200, 404, 200, 404, 404, 404, 403]),
        (
            format!("{round}/samenvatting"),
            [303, 200, 200, 200, 404, 404, 404, 404, 403],
        ),
    ];
    let mut people = [
        anonymous, organiser, coach_a, coach_b, member_a, member_b, unseated, outsider, circle,
    ];
    let roles = [
        "anonymous",
        "organiser",
        "table's coach",
        "other coach",
        "table member",
        "other table's member",
        "registered without a table",
        "other seeker",
        "circle member",
    ];
    for (path, expected) in &gets {
        for ((browser, role), status) in people.iter_mut().zip(roles).zip(expected) {
            let answer = browser.get(path).await;
            assert_eq!(answer.status.as_u16(), *status, "GET {path} as {role}");
            if *status == 303 {
                assert!(answer.location.is_some_and(|l| l.starts_with("/inloggen")));
            }
        }
    }

    // Forms that only some may send; each with the sender's own token. 303 is done.
    let posts: [FormCase; 5] = [
        (
            format!("{round}/keuze"),
            vec![("open", "ja")],
            [303, 303, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            format!("{round}/verplaatsen"),
            vec![("participant", "u-a2-example-nl"), ("table", &table_a)],
            [303, 303, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            format!("{table}/bijeenkomsten"),
            vec![("day", "2027-01-18"), ("place", "Zwolle"), ("agenda", "")],
            [303, 303, 303, 404, 403, 404, 404, 404, 403],
        ),
        (
            format!("{table}/kansen"),
            vec![
                ("to", "u-a2-example-nl"),
                ("kind", "opening"),
                ("title", "Koffie"),
            ],
            [303, 403, 403, 404, 303, 404, 404, 404, 403],
        ),
        (
            format!("{round}/coach"),
            vec![("intro", "y")],
            [303, 303, 303, 303, 403, 403, 403, 403, 403],
        ),
    ];
    for (path, fields, expected) in &posts {
        for ((browser, role), status) in people.iter_mut().zip(roles).zip(expected) {
            let csrf = if role == "anonymous" {
                "x".to_owned()
            } else {
                token(browser).await
            };
            let mut form = vec![("csrf", csrf.as_str())];
            form.extend(fields.iter().copied());
            let answer = browser.post(path, &form).await;
            assert_eq!(answer.status.as_u16(), *status, "POST {path} as {role}");
        }
    }
}
