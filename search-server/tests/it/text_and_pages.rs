//! What a seeker types finds what it should (stems, ESCO synonyms, compounds, typos after
//! exact matches, phrases, understood filters); the pages render escaped, accessible HTML;
//! the OpenAPI document covers every route; a new index generation is served without a
//! failed request.

use crate::common;
use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::Value;
use tantivy::IndexWriter;
use vindwerk_indexer::index::{IndexHandle, WriterConfig, build_index, document};
use vindwerk_model::Vacancy;
use vindwerk_search_server::{AppState, VacancyMap, routes};

use crate::common::*;

/// One vacancy per title, each in Utrecht, active, with a plain description.
fn titled(titles: &[&str]) -> Vec<Vacancy> {
    let mut vacancies = world(titles.len());
    for (vacancy, title) in vacancies.iter_mut().zip(titles) {
        vacancy.title = (*title).to_owned();
        vacancy.occupation = None;
        vacancy.status = vindwerk_model::Status::Active;
        vacancy.description = "Een mooie baan in een fijn team.".to_owned();
        let (city, lat, lon, province, region) = CITIES[0];
        vacancy.city = Some(city.to_owned());
        vacancy.lat = Some(lat);
        vacancy.lon = Some(lon);
        vacancy.province = Some(province.to_owned());
        vacancy.region = Some(region.to_owned());
    }
    vacancies
}

async fn titles_found(state: &AppState, query: &str) -> Vec<String> {
    let (status, json) = get_json(
        state,
        &format!("/api/search?status=all&per_page=100&{query}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{query}: {json}");
    json["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| hit["title"].as_str().expect("title").to_owned())
        .collect()
}

#[tokio::test]
async fn words_find_their_stems_synonyms_and_compounds() {
    let vacancies = titled(&[
        "Verpleger",
        "Verpleegkundigen gezocht",
        "Vrachtwagenchauffeur",
        "Medewerker thuiszorg",
        "Zorgmedewerker",
        "Kok",
        "Boekhouder",
    ]);
    let state = state(&vacancies);
    let nurse = titles_found(&state, "q=verpleegkundige").await;
    assert!(
        nurse.contains(&"Verpleger".to_owned()),
        "ESCO synonym: {nurse:?}"
    );
    assert!(
        nurse.contains(&"Verpleegkundigen gezocht".to_owned()),
        "stem: {nurse:?}"
    );
    assert!(!nurse.contains(&"Kok".to_owned()));

    assert_eq!(
        titles_found(&state, "q=chauffeur").await,
        ["Vrachtwagenchauffeur"]
    );
    let care = titles_found(&state, "q=zorg").await;
    assert!(
        care.contains(&"Medewerker thuiszorg".to_owned()),
        "{care:?}"
    );
    assert!(care.contains(&"Zorgmedewerker".to_owned()), "{care:?}");
    assert_eq!(care.len(), 2, "{care:?}");
}

#[tokio::test]
async fn exact_matches_rank_before_typos() {
    let vacancies = titled(&[
        "Boekhouder",
        "Boekhouders gezocht voor boekhouder team",
        "Boekhoudster",
        "Kok",
    ]);
    let state = state(&vacancies);
    // "boekhoudr" is a typo of "boekhouder": every hit is fuzzy, so something is found.
    let typo = titles_found(&state, "q=boekhoudr").await;
    assert!(typo.contains(&"Boekhouder".to_owned()), "{typo:?}");
    assert!(!typo.contains(&"Kok".to_owned()));
    // "boekhoudster" matches one title exactly and others within two typos: exact first.
    let found = titles_found(&state, "q=boekhoudster").await;
    assert_eq!(
        found.first().map(String::as_str),
        Some("Boekhoudster"),
        "{found:?}"
    );
    assert!(found.len() > 1, "typo matches follow: {found:?}");
}

#[tokio::test]
async fn a_word_many_vacancies_hold_as_typed_gets_no_typo_matches() {
    let mut titles = vec!["Boekhouder"; 60];
    titles.push("Boekhoudster");
    let state = state(&titled(&titles));
    let found = titles_found(&state, "q=boekhouder").await;
    assert_eq!(found.len(), 60, "{found:?}");
    assert!(!found.contains(&"Boekhoudster".to_owned()));
    // The typo itself still finds them.
    assert_eq!(titles_found(&state, "q=boekhoudr").await.len(), 61);
}

#[tokio::test]
async fn phrases_match_words_in_order() {
    let vacancies = titled(&[
        "Medewerker klantenservice",
        "Klantenservice voor medewerkers",
        "Kok",
    ]);
    let state = state(&vacancies);
    assert_eq!(
        titles_found(
            &state,
            &format!("q={}", encode("\"medewerker klantenservice\""))
        )
        .await,
        ["Medewerker klantenservice"]
    );
    assert_eq!(
        titles_found(&state, "q=medewerker+klantenservice")
            .await
            .len(),
        2
    );
}

#[tokio::test]
async fn typed_hours_salary_and_place_become_filters() {
    let vacancies = world(95);
    let state = state(&vacancies);
    let (status, json) = get_json(
        &state,
        &format!(
            "/api/search?per_page=100&q={}",
            encode("kok 32 uur utrecht € 3.000")
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["understood"]["text"], "kok");
    assert_eq!(json["understood"]["hours_min"], 32.0);
    assert_eq!(json["understood"]["salary_min"], 3000.0);
    assert_eq!(json["understood"]["place"], "Utrecht");
    assert_eq!(json["near"]["km"], 10.0);
    let hits = json["hits"].as_array().expect("hits");
    let expected = vacancies
        .iter()
        .filter(|v| v.status == vindwerk_model::Status::Active)
        .filter(|v| {
            v.title
                .to_lowercase()
                .split_whitespace()
                .any(|w| w == "kok")
        })
        .filter(|v| v.city.as_deref() == Some("Utrecht"))
        .filter(|v| {
            let (low, high) = (v.hours_min.or(v.hours_max), v.hours_max.or(v.hours_min));
            low.is_some_and(|low| low <= 32.0) && high.is_some_and(|high| high >= 32.0)
        })
        .filter(|v| {
            v.salary_month_max
                .or(v.salary_month_min)
                .is_some_and(|top| top >= 3000.0)
        })
        .count();
    assert_eq!(hits.len(), expected, "{json}");
    for hit in hits {
        assert_eq!(hit["city"], "Utrecht");
        assert_eq!(hit["distance_km"], 0.0);
    }
}

#[tokio::test]
async fn snippets_mark_escaped_text() {
    let mut vacancies = titled(&["Kok"]);
    vacancies[0].description =
        "Als kok <script>alert('x')</script> kook je voor & met gasten.".to_owned();
    let state = state(&vacancies);
    let (_, json) = get_json(&state, "/api/search?q=kok").await;
    let snippet = json["hits"][0]["snippet"].as_str().expect("snippet");
    assert!(snippet.contains("<mark>kok</mark>"), "{snippet}");
    assert!(snippet.contains("&lt;script&gt;"), "{snippet}");
    assert!(!snippet.contains("<script>"), "{snippet}");
    assert!(snippet.contains("&amp;"), "{snippet}");
}

#[tokio::test]
async fn pages_escape_a_hostile_title_and_work_without_javascript() {
    let mut vacancies = titled(&["<script>alert(1)</script> Kok", "Kok"]);
    vacancies[0].employer = Some("\"><img src=x onerror=alert(2)>".to_owned());
    vacancies[0].postings[0].url = "javascript:alert(3)".to_owned();
    vacancies[1].description = "Wij zoeken een kok voor ons restaurant.".to_owned();
    let state = state(&vacancies);

    let (status, content_type, html) = get(&state, "/?q=kok&province=Utrecht").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/html"));
    assert!(!html.contains("<script>alert"), "title escaped");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt; Kok")
            || html.contains("&#60;script&#62;"),
        "title shown escaped: {html}"
    );
    assert!(!html.contains("<img src=x"), "employer escaped");
    assert!(html.contains("<label for=\"q\">"), "labelled search box");
    assert!(
        html.contains("<form class=\"search\" action=\"/\" method=\"get\""),
        "a plain GET form"
    );
    assert!(
        html.contains("aria-current=\"true\""),
        "the selected province is marked"
    );
    assert!(
        html.contains("(gekozen, klik om te wissen)"),
        "and says so to screen readers"
    );
    assert!(
        html.contains("Provincie") && html.contains("vacatures"),
        "Dutch text"
    );
    assert!(html.contains("<mark>"), "snippets marked");

    let (status, _, page) = get(&state, &format!("/vacature/{}", vacancies[0].id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(!page.contains("javascript:alert"), "unsafe link dropped");
    assert!(page.contains("Waar deze vacature staat"));
    assert!(
        page.contains("Vergelijkbare vacatures"),
        "similar vacancies listed"
    );

    let (status, _, missing) = get(&state, "/vacature/bestaat-niet").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(missing.contains("Vacature niet gevonden"));
    let (status, _, bad) = get(&state, "/?km=9999&near=Utrecht").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        bad.contains("km: must be a number between 1 and 300"),
        "the problem is shown"
    );
    let (status, content_type, _) = get(&state, "/static/vindwerk.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/css"));
}

#[tokio::test]
async fn every_api_route_is_in_the_openapi_document_and_answers() {
    let vacancies = world(5);
    let state = state(&vacancies);
    let (status, document) = get_json(&state, routes::OPENAPI).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().expect("paths");
    for route in routes::API {
        assert!(paths.contains_key(*route), "{route} is not documented");
        let employer = vacancies
            .iter()
            .find_map(|v| v.employer.as_deref())
            .expect("an employer");
        let uri = route
            .replace("{id}", vacancies[0].id.as_str())
            .replace("{name}", &common::encode(employer));
        let (status, _, body) = get(&state, &uri).await;
        if *route == routes::SHORTLIST_CSV {
            // Only with a list's key (tested with the portal's shortlists).
            assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {body}");
            continue;
        }
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    }
    assert_eq!(
        paths.len(),
        routes::API.len(),
        "no undocumented extra and no stale path"
    );
    let parameters: Vec<&str> = document["paths"][routes::SEARCH]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .map(|p| p["name"].as_str().expect("name"))
        .collect();
    for name in vindwerk_search_server::params::SINGLE_PARAMS {
        assert!(parameters.contains(name), "{name} undocumented");
    }
    for facet in vindwerk_search_server::params::Facet::ALL {
        assert!(
            parameters.contains(&facet.param()),
            "{} undocumented",
            facet.param()
        );
    }
}

#[tokio::test]
async fn suggestions_complete_titles_and_places() {
    let vacancies = titled(&[
        "Verpleegkundige",
        "Verpleegkundige",
        "Verpleegkundige oncologie",
        "Kok",
    ]);
    let state = state(&vacancies);
    let (status, json) = get_json(&state, "/api/suggest?q=verpl").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        json["titles"],
        serde_json::json!(["Verpleegkundige", "Verpleegkundige oncologie"])
    );
    let (_, places) = get_json(&state, "/api/suggest?q=am").await;
    assert_eq!(
        places["places"],
        serde_json::json!(["Amersfoort", "Amsterdam"])
    );
    let (status, json) = get_json(&state, "/api/suggest?q=a&limit=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        json["error"]["message"]
            .as_str()
            .expect("message")
            .starts_with("limit: ")
    );
}

#[tokio::test]
async fn new_commits_show_after_a_refresh() {
    let vacancies = titled(&["Kok"]);
    let (index, handle) = index(&vacancies);
    let state = AppState::new(
        Arc::clone(&handle),
        Arc::new(VacancyMap::default()),
        Arc::new(places()),
    )
    .with_today(today());
    assert_eq!(titles_found(&state, "q=bakker").await.len(), 0);
    let mut more = titled(&["Bakker"]);
    more[0].id = vindwerk_model::VacancyId::new("new");
    let mut writer: IndexWriter = index
        .writer_with_num_threads(1, 15_000_000)
        .expect("writer");
    writer
        .add_document(document(&handle.fields(), &more[0]))
        .expect("add");
    writer.commit().expect("commit");
    assert!(handle.refresh().expect("refresh"));
    assert_eq!(titles_found(&state, "q=bakker").await, ["Bakker"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generation_swap_fails_no_request() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = WriterConfig {
        threads: 1,
        heap_bytes: 15_000_000,
    };
    let first = titled(&["Kok", "Bakker"]);
    build_index(dir.path(), first.clone(), config, None).expect("first generation");
    let handle = Arc::new(IndexHandle::open(dir.path()).expect("open"));
    let state = AppState::new(
        Arc::clone(&handle),
        Arc::new(VacancyMap::new(first.clone())),
        Arc::new(places()),
    )
    .with_today(today());
    let _refresher = state.follow_index();

    let searcher = {
        let state = state.clone();
        tokio::spawn(async move {
            let mut answers: Vec<(StatusCode, Value)> = Vec::new();
            for _ in 0..200 {
                answers.push(get_json(&state, "/api/search?q=kok&status=all").await);
                tokio::task::yield_now().await;
            }
            answers
        })
    };
    let mut second = titled(&["Kok", "Bakker", "Kok in opleiding"]);
    second[2].id = vindwerk_model::VacancyId::new("v-new");
    let root = dir.path().to_owned();
    tokio::task::spawn_blocking(move || build_index(&root, second, config, None))
        .await
        .expect("join")
        .expect("second generation");
    for (status, json) in searcher.await.expect("searches") {
        assert_eq!(status, StatusCode::OK, "{json}");
        let total = json["total"].as_u64().expect("total");
        assert!(
            total == 1 || total == 2,
            "the old generation or the new one: {json}"
        );
    }
    // The refresher follows CURRENT; poll without a time assertion until it has.
    loop {
        let (_, json) = get_json(&state, "/api/search?q=kok&status=all").await;
        if json["total"] == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[test]
fn esco_synonyms_hold_male_and_female_forms() {
    let occupations = vindwerk_indexer::normalise::Occupations::load().expect("embedded ESCO data");
    let synonyms = vindwerk_search_server::Synonyms::from_esco(&occupations);
    let nurse = synonyms.of("verpleegkundige");
    assert!(nurse.iter().any(|s| s == "verpleger"), "{nurse:?}");
    assert!(nurse.iter().any(|s| s == "verpleegster"), "{nurse:?}");
    assert!(
        synonyms
            .of("verpleger")
            .iter()
            .any(|s| s == "verpleegkundige")
    );
}

#[tokio::test]
async fn vacancy_details_come_from_the_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("vindwerk.db");
    // The store ties a vacancy's postings to crawled postings; these have none of their own.
    let mut vacancies = world(3);
    for vacancy in &mut vacancies {
        vacancy.postings.clear();
    }
    {
        let mut store = vindwerk_store::Store::open(&path).expect("store");
        let mut batch = store.batch().expect("batch");
        for vacancy in &vacancies {
            batch
                .upsert_vacancy(vacancy, vacancy.last_seen)
                .expect("upsert");
        }
        batch.commit().expect("commit");
    }
    let (_, handle) = index(&vacancies);
    let source = vindwerk_search_server::StoreVacancies::open(&path).expect("open read-only");
    let state = AppState::new(handle, Arc::new(source), Arc::new(places())).with_today(today());
    let (status, json) = get_json(&state, &format!("/api/vacancies/{}", vacancies[1].id)).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(
        json,
        serde_json::to_value(&vacancies[1]).expect("serialise")
    );
    let (status, _) = get_json(&state, "/api/vacancies/unknown").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[test]
fn the_gazetteer_places_what_seekers_type() {
    let gazetteer = vindwerk_indexer::normalise::Gazetteer::load().expect("embedded gazetteer");
    let read = vindwerk_search_server::understand::understand(
        "verpleegkundige 32 uur utrecht thuiswerk € 3.500",
        &gazetteer,
    );
    assert_eq!(read.text, "verpleegkundige");
    assert_eq!(
        read.place.map(|place| place.name).as_deref(),
        Some("Utrecht")
    );
    assert_eq!(read.salary_min, Some(3500.0));
    assert!(read.remote);
    let near_postcode = vindwerk_search_server::understand::understand("kok 3584", &gazetteer);
    assert_eq!(
        near_postcode.place.map(|place| place.name).as_deref(),
        Some("3584 Utrecht")
    );
    for words in ["medewerker winkel", "kok", "chauffeur", "monteur", "docent"] {
        let read = vindwerk_search_server::understand::understand(words, &gazetteer);
        assert!(read.place.is_none(), "{words}: {:?}", read.place);
        assert_eq!(read.text, words);
    }
}
