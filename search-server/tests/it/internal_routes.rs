//! Internal labour markets, route by route. The vacancies of organisation `intern` (and one
//! of organisation `ander`) sit in their own indexes beside the public one; seven kinds of
//! visitor walk every public route and every organisation route: anonymous, a seeker, a coach
//! and an operator from outside, a member of the other organisation, a member and the
//! administrator of `intern`. No outsider gets an internal vacancy, its title, its employer,
//! its id or its count from any route; members see theirs beside the public ones; only the
//! administrator manages the members.

use crate::common;
use std::sync::Arc;

use crate::common::browser::{
    Browser, PASSWORD, World, add_user, csrf_of, get, matches, post, registered_routes, visit,
};
use axum::http::StatusCode;
use chrono::Utc;
use vindwerk_indexer::index::{IndexHandle, WriterConfig, build_index, build_internal_indexes};
use vindwerk_model::{Audience, Role, Status, UserId, Vacancy};
use vindwerk_search_server::{Portal, app};
use vindwerk_store::Store;

const ROLES: [&str; 7] = [
    "anonymous",
    "seeker",
    "coach",
    "operator",
    "member of ander",
    "member of intern",
    "administrator of intern",
];

/// Who sees the internal vacancies of `intern` (markers "Geheimproject", "Zwanenhof").
const SEES_INTERN: [bool; 7] = [false, false, false, false, false, true, true];
/// Who sees the one of `ander` ("Anderproject", "Anderhof").
const SEES_ANDER: [bool; 7] = [false, false, false, false, true, false, false];

const INTERN_IDS: [usize; 3] = [3, 7, 11];
const ANDER_ID: usize = 5;

/// The world's vacancies with four made internal.
fn vacancies() -> Vec<Vacancy> {
    let mut vacancies = common::world(30);
    for (n, vacancy) in vacancies.iter_mut().enumerate() {
        let (word, employer, slug) = if INTERN_IDS.contains(&n) {
            ("Geheimproject", "Zwanenhof Intern BV", "intern")
        } else if n == ANDER_ID {
            ("Anderproject", "Anderhof BV", "ander")
        } else {
            continue;
        };
        vacancy.title = format!("{word} {}", vacancy.title);
        vacancy.employer = Some(employer.to_owned());
        vacancy.audience = Audience::organisation(slug).expect("slug");
        vacancy.status = Status::Active;
        vacancy.expired_at = None;
        for posting in &mut vacancy.postings {
            posting.status = Status::Active;
            posting.expired_at = None;
        }
    }
    vacancies
}

/// A server over the public index and the organisations' own, written the way `vindwerk
/// index` writes them, with a portal store.
fn internal_world() -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("vindwerk.db");
    let root = dir.path().join("index");
    let vacancies = vacancies();
    let config = WriterConfig {
        threads: 1,
        heap_bytes: 15_000_000,
    };
    build_index(&root, vacancies.iter().cloned(), config, None).expect("public index");
    let internal = build_internal_indexes(&root, &vacancies, config).expect("internal indexes");
    assert_eq!(
        internal
            .iter()
            .map(|(slug, stats)| (slug.as_str(), stats.documents))
            .collect::<Vec<_>>(),
        [("ander", 1), ("intern", 3)]
    );
    let handle = Arc::new(IndexHandle::open(&root).expect("index"));
    let portal = Portal::open(&db).expect("portal store");
    let state = common::state_on(handle, &vacancies)
        .with_internal_indexes(&root)
        .with_portal(portal);
    World {
        app: app(state),
        db,
        vacancies,
        _dir: dir,
    }
}

fn user_id(email: &str) -> UserId {
    UserId::new(format!("u-{}", email.replace(['@', '.'], "-")))
}

fn organise(db: &std::path::Path, slug: &str, name: &str, members: &[(&str, bool)]) {
    let mut store = Store::open(db).expect("store");
    store
        .write(|batch| {
            batch.put_organisation(slug, name, Utc::now())?;
            for (email, admin) in members {
                batch.put_member(slug, &user_id(email), *admin, Utc::now())?;
            }
            Ok::<_, vindwerk_store::StoreError>(())
        })
        .expect("organisation");
}

/// Whether `body` shows any of `markers`, leaving out those the request itself names (an
/// error may echo the path).
fn shows(body: &str, path: &str, markers: &[String]) -> Vec<String> {
    let path = path.replace("%20", " ").to_lowercase();
    markers
        .iter()
        .filter(|marker| !path.contains(&marker.to_lowercase()) && body.contains(marker.as_str()))
        .cloned()
        .collect()
}

const ALL_OK: [u16; 7] = [200; 7];
const NONE: [u16; 7] = [404; 7];

#[tokio::test]
async fn no_route_shows_an_internal_vacancy_to_an_outsider_and_members_see_theirs() {
    let world = internal_world();
    let emails = [
        "",
        "seeker@example.nl",
        "coach@example.nl",
        "operator@example.nl",
        "ander@example.nl",
        "lid@example.nl",
        "beheer@example.nl",
    ];
    let roles = [
        &[][..],
        &[Role::Seeker][..],
        &[Role::Coach][..],
        &[Role::Operator][..],
        &[Role::Seeker][..],
        &[Role::Seeker][..],
        &[Role::Seeker][..],
    ];
    for (email, roles) in emails.iter().zip(roles).skip(1) {
        add_user(&world.db, email, roles);
    }
    add_user(&world.db, "nieuw@example.nl", &[Role::Seeker]);
    organise(
        &world.db,
        "intern",
        "Zorggroep Zwanenhof",
        &[("lid@example.nl", false), ("beheer@example.nl", true)],
    );
    organise(
        &world.db,
        "ander",
        "Anderhof",
        &[("ander@example.nl", true)],
    );
    let mut people: Vec<Browser> = Vec::new();
    for (n, email) in emails.iter().enumerate() {
        let mut person = Browser::new(&world);
        person.address = format!("127.0.0.{}:50000", n + 10)
            .parse()
            .expect("address");
        if !email.is_empty() {
            let signed_in = person.sign_in(email, PASSWORD).await;
            assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{email}");
        }
        people.push(person);
    }

    let id = |n: usize| world.vacancies[n].id.to_string();
    let intern_markers: Vec<String> = ["Geheimproject", "Zwanenhof"]
        .iter()
        .map(|marker| (*marker).to_owned())
        .chain(INTERN_IDS.iter().map(|n| format!("/vacature/{}", id(*n))))
        .chain(INTERN_IDS.iter().map(|n| format!("\"{}\"", id(*n))))
        .collect();
    let ander_markers: Vec<String> = vec![
        "Anderproject".to_owned(),
        "Anderhof BV".to_owned(),
        format!("/vacature/{}", id(ANDER_ID)),
        format!("\"{}\"", id(ANDER_ID)),
    ];
    let secret = id(INTERN_IDS[0]);
    let public = id(0);
    let outsider_404 = [303, 404, 404, 404, 404, 200, 200];
    let cases = [
        // The public routes: the same answer for everyone, none of it internal; members get
        // their organisations' vacancies beside the public ones on the search page.
        get("/", ALL_OK),
        get("/?q=geheimproject", ALL_OK),
        get("/?q=anderproject&status=all", ALL_OK),
        get("/?q=zwanenhof", ALL_OK),
        get("/api/search?q=geheimproject&status=all", ALL_OK),
        get(
            "/api/search?status=all&per_page=100&facets=employer,city,province,region,occupation,isco,channel,employment_type,education_level",
            ALL_OK,
        ),
        get("/api/search.csv?q=geheimproject&status=all", ALL_OK),
        get("/api/search.csv?status=all&per_page=100", ALL_OK),
        get("/api/suggest?q=geheim", ALL_OK),
        get("/api/suggest?q=zwanen", ALL_OK),
        get("/api/suggest?q=ander", ALL_OK),
        get("/kaart?q=geheimproject", ALL_OK),
        get("/kaart", ALL_OK),
        get("/api/map", ALL_OK),
        get("/api/map?q=geheimproject", ALL_OK),
        get(format!("/vacature/{public}"), ALL_OK),
        get(format!("/api/vacancies/{public}/similar"), ALL_OK),
        get(
            format!("/vacature/{secret}"),
            [404, 404, 404, 404, 404, 200, 200],
        ),
        get(
            format!("/vacature/{}", id(ANDER_ID)),
            [404, 404, 404, 404, 200, 404, 404],
        ),
        get(format!("/api/vacancies/{secret}"), NONE),
        get(format!("/api/vacancies/{secret}/similar"), NONE),
        get("/werkgever/Zwanenhof%20Intern%20BV", NONE),
        get("/api/employers/Zwanenhof%20Intern%20BV/history", NONE),
        get("/api/employers/Anderhof%20BV/history", NONE),
        // The organisations' own routes.
        get("/organisatie/intern", outsider_404),
        get("/organisatie/intern?q=geheimproject", outsider_404),
        get("/organisatie/ander", [303, 404, 404, 404, 200, 404, 404]),
        get(
            "/organisatie/bestaat-niet",
            [303, 404, 404, 404, 404, 404, 404],
        ),
        post(
            "/organisatie/intern/leden",
            &[("email", "nieuw@example.nl")],
            [303, 404, 404, 404, 404, 403, 303],
        ),
        post(
            format!(
                "/organisatie/intern/leden/{}/weg",
                user_id("nieuw@example.nl")
            ),
            &[],
            [303, 404, 404, 404, 404, 403, 303],
        ),
    ];

    // Every organisation route the portal registers has a row.
    let missing: Vec<_> = registered_routes()
        .into_iter()
        .filter(|(method, pattern)| {
            pattern.starts_with("/organisatie/")
                && !cases
                    .iter()
                    .any(|case| case.method == method && matches(pattern, &case.path))
        })
        .collect();
    assert!(missing.is_empty(), "routes without a row: {missing:?}");

    let mut wrong = Vec::new();
    for case in &cases {
        for (n, person) in people.iter_mut().enumerate() {
            let answer = visit(person, n, ROLES[n], case, &mut wrong).await;
            for (sees, markers) in [
                (SEES_INTERN[n], &intern_markers),
                (SEES_ANDER[n], &ander_markers),
            ] {
                let shown = shows(&answer.body, &case.path, markers);
                if !sees && !shown.is_empty() {
                    wrong.push(format!(
                        "{} {} as {} shows {shown:?}",
                        case.method, case.path, ROLES[n]
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // The counts are the public ones for everyone.
    let public_count = world
        .vacancies
        .iter()
        .filter(|vacancy| vacancy.audience.is_public())
        .count() as u64;
    for (n, person) in people.iter_mut().enumerate() {
        let answer = person.get("/api/search?status=all&per_page=1").await;
        let json: serde_json::Value = serde_json::from_str(&answer.body).expect("json");
        assert_eq!(json["total"].as_u64(), Some(public_count), "{}", ROLES[n]);
    }

    // Members find theirs beside the public ones, and on their organisation's page.
    let (lid, beheer) = (5, 6);
    let search = people[lid].get("/?q=geheimproject").await.body;
    assert!(
        search.contains("Intern bij Zorggroep Zwanenhof: 3 interne vacatures"),
        "{search}"
    );
    for n in INTERN_IDS {
        assert!(search.contains(&format!("/vacature/{}", id(n))), "{search}");
    }
    assert!(!search.contains("Anderproject"));
    let page = people[lid].get("/organisatie/intern").await.body;
    assert!(page.contains("3 interne vacatures"), "{page}");
    assert!(
        !page.contains("Medewerkers"),
        "a member does not manage the members"
    );
    let vacancy = people[lid].get(&format!("/vacature/{secret}")).await.body;
    assert!(vacancy.contains("Interne vacature van Zorggroep Zwanenhof"));
    assert!(
        !vacancy.contains("op-lijst"),
        "an internal vacancy goes on no list"
    );
    let ander = people[4].get("/").await.body;
    assert!(
        ander.contains("Intern bij Anderhof: 1 interne vacature"),
        "{ander}"
    );

    // The administrator manages the members; the last administrator stays.
    let managed = people[beheer].get("/organisatie/intern").await.body;
    assert!(managed.contains("lid@example.nl") && managed.contains("beheerder"));
    let csrf = csrf_of(&managed);
    let unknown = people[beheer]
        .post(
            "/organisatie/intern/leden",
            &[("csrf", &csrf), ("email", "niemand@example.nl")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(
        unknown
            .body
            .contains("Er is geen account met het e-mailadres niemand@example.nl")
    );
    let last = people[beheer]
        .post(
            &format!(
                "/organisatie/intern/leden/{}/weg",
                user_id("beheer@example.nl")
            ),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(last.status, StatusCode::BAD_REQUEST, "{}", last.body);
    let removed = people[beheer]
        .post(
            &format!(
                "/organisatie/intern/leden/{}/weg",
                user_id("lid@example.nl")
            ),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    let after = people[lid].get("/?q=geheimproject").await.body;
    assert!(
        !after.contains("Geheimproject"),
        "a former member sees nothing internal"
    );
    assert_eq!(
        people[lid].get(&format!("/vacature/{secret}")).await.status,
        StatusCode::NOT_FOUND
    );

    // The data export names one's organisations.
    let data = people[beheer].get("/account/gegevens.json").await.body;
    let json: serde_json::Value = serde_json::from_str(&data).expect("json");
    assert_eq!(json["organisations"][0]["slug"], "intern");
    assert_eq!(json["organisations"][0]["admin"], true);
}
