//! The labour-market map (`/api/map`, `/kaart`) and employer histories (`/api/employers/{name}/
//! history`, `/werkgever/{name}`) over the hand-made world, checked against the world itself
//! and, for the map, against the search's facet counts for the same filters.

use std::collections::BTreeMap;

use crate::common::{encode, get, get_json, state, today, world};
use axum::http::StatusCode;
use chrono::{Duration, TimeZone, Utc};
use serde_json::Value;
use vindwerk_model::{Status, Vacancy, VacancyId};

/// The world, plus vacancies in Midden-Utrecht that expired 13 months ago (outside the
/// map's twelve months) and last month.
fn map_world() -> Vec<Vacancy> {
    let mut vacancies = world(240);
    for (i, days_ago) in [(0, 400), (1, 30)] {
        let mut old = vacancies[0].clone();
        old.id = VacancyId::new(format!("old{i}"));
        old.title = "Kok".to_owned();
        old.city = Some("Utrecht".to_owned());
        old.region = Some("Midden-Utrecht".to_owned());
        old.province = Some("Utrecht".to_owned());
        (old.lat, old.lon) = (Some(52.0907), Some(5.1214));
        old.status = Status::Expired;
        let day = today() - Duration::days(days_ago);
        old.expired_at =
            Some(Utc.from_utc_datetime(&day.and_hms_opt(12, 0, 0).expect("valid time")));
        vacancies.push(old);
    }
    vacancies
}

fn since() -> String {
    (today() - Duration::days(365)).to_string()
}

/// Counts per value of `key` (region, province or city) of the vacancies `keep` selects.
fn brute(
    vacancies: &[Vacancy],
    key: fn(&Vacancy) -> Option<&String>,
    keep: impl Fn(&Vacancy) -> bool,
) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for vacancy in vacancies.iter().filter(|v| keep(v)) {
        if let Some(value) = key(vacancy) {
            *counts.entry(value.clone()).or_insert(0) += 1;
        }
    }
    counts
}

fn recently_expired(vacancy: &Vacancy) -> bool {
    let cut = Utc.from_utc_datetime(
        &(today() - Duration::days(365))
            .and_hms_opt(0, 0, 0)
            .expect("valid time"),
    );
    vacancy.status == Status::Expired && vacancy.expired_at.is_some_and(|at| at >= cut)
}

/// The map's figures as name -> (active, expired).
fn figures(list: &Value) -> BTreeMap<String, (u64, u64)> {
    list.as_array()
        .expect("an array")
        .iter()
        .map(|row| {
            (
                row["name"].as_str().expect("name").to_owned(),
                (
                    row["active"].as_u64().expect("active"),
                    row["expired"].as_u64().expect("expired"),
                ),
            )
        })
        .collect()
}

fn facet(results: &Value, name: &str) -> BTreeMap<String, u64> {
    results["facets"][name]
        .as_array()
        .expect("facet counted")
        .iter()
        .filter(|c| c["count"].as_u64() != Some(0))
        .map(|c| {
            (
                c["value"].as_str().expect("value").to_owned(),
                c["count"].as_u64().expect("count"),
            )
        })
        .collect()
}

fn split(figures: &BTreeMap<String, (u64, u64)>) -> (BTreeMap<String, u64>, BTreeMap<String, u64>) {
    let pick = |side: fn(&(u64, u64)) -> u64| {
        figures
            .iter()
            .filter(|(_, counts)| side(counts) > 0)
            .map(|(name, counts)| (name.clone(), side(counts)))
            .collect()
    };
    (pick(|c| c.0), pick(|c| c.1))
}

#[tokio::test]
async fn the_map_counts_what_the_world_holds_per_region_and_province() {
    let vacancies = map_world();
    let state = state(&vacancies);
    let (status, map) = get_json(&state, "/api/map").await;
    assert_eq!(status, StatusCode::OK, "{map}");
    assert_eq!(map["level"], "region");
    assert_eq!(map["expired_since"], since());
    let (active, expired) = split(&figures(&map["areas"]));
    let region: fn(&Vacancy) -> Option<&String> = |v| v.region.as_ref();
    assert_eq!(
        active,
        brute(&vacancies, region, |v| v.status == Status::Active)
    );
    assert_eq!(expired, brute(&vacancies, region, recently_expired));
    // The vacancy that expired 13 months ago is not counted; the one of last month is.
    let all_expired_utrecht =
        brute(&vacancies, region, |v| v.status == Status::Expired)["Midden-Utrecht"];
    assert_eq!(expired["Midden-Utrecht"] + 1, all_expired_utrecht);
    assert_eq!(
        map["total_active"].as_u64(),
        Some(
            vacancies
                .iter()
                .filter(|v| v.status == Status::Active)
                .count() as u64
        )
    );
    assert_eq!(
        map["total_expired"].as_u64(),
        Some(vacancies.iter().filter(|v| recently_expired(v)).count() as u64)
    );
    assert_eq!(map["opened"], Value::Null);
    assert_eq!(map["places"], serde_json::json!([]));

    let (status, map) = get_json(&state, "/api/map?level=province&q=kok").await;
    assert_eq!(status, StatusCode::OK, "{map}");
    assert_eq!(map["level"], "province");
    let (active, expired) = split(&figures(&map["areas"]));
    let is_kok = |v: &Vacancy| v.title.to_lowercase().contains("kok");
    let province: fn(&Vacancy) -> Option<&String> = |v| v.province.as_ref();
    assert_eq!(
        active,
        brute(&vacancies, province, |v| is_kok(v)
            && v.status == Status::Active)
    );
    assert_eq!(
        expired,
        brute(&vacancies, province, |v| is_kok(v) && recently_expired(v))
    );
    assert!(active.contains_key("Utrecht"), "{active:?}");
}

#[tokio::test]
async fn the_map_agrees_with_the_search_facets_for_the_same_filters() {
    let vacancies = map_world();
    let state = state(&vacancies);
    let since = since();
    for query in [
        "",
        "q=kok",
        "q=verpleegkundige&employment_type=part_time",
        "near=Utrecht&km=60",
        "region=Midden-Utrecht&region=Rijnmond",
        "education_level=hbo&salary_min=3000",
        "level=province&remote=true",
    ] {
        let (level, search_query) = match query.strip_prefix("level=province") {
            Some(rest) => ("province", rest.trim_start_matches('&')),
            None => ("region", query),
        };
        let (status, map) = get_json(&state, &format!("/api/map?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {map}");
        let (active, expired) = split(&figures(&map["areas"]));
        let (_, searched) = get_json(
            &state,
            &format!("/api/search?{search_query}&status=active&facets={level}"),
        )
        .await;
        assert_eq!(active, facet(&searched, level), "{query}: active");
        assert_eq!(map["total_active"], searched["total"], "{query}");
        let (_, searched) = get_json(
            &state,
            &format!(
                "/api/search?{search_query}&status=expired&expired_after={since}&facets={level}"
            ),
        )
        .await;
        assert_eq!(expired, facet(&searched, level), "{query}: expired");
        assert_eq!(map["total_expired"], searched["total"], "{query}");
    }
}

#[tokio::test]
async fn an_opened_region_shows_its_places() {
    let vacancies = map_world();
    let state = state(&vacancies);
    let (status, map) = get_json(&state, "/api/map?region=Midden-Utrecht").await;
    assert_eq!(status, StatusCode::OK, "{map}");
    assert_eq!(map["opened"], "Midden-Utrecht");
    // Every region is still counted (the region facet is disjunctive).
    assert!(figures(&map["areas"]).contains_key("Rijnmond"));
    let places = map["places"].as_array().expect("places");
    assert_eq!(places.len(), 1, "{places:?}");
    let utrecht = &places[0];
    assert_eq!(utrecht["name"], "Utrecht");
    assert!((utrecht["lat"].as_f64().expect("lat") - 52.0907).abs() < 1e-6);
    let in_utrecht = |v: &Vacancy| v.city.as_deref() == Some("Utrecht");
    assert_eq!(
        utrecht["active"].as_u64(),
        Some(
            vacancies
                .iter()
                .filter(|v| in_utrecht(v) && v.status == Status::Active)
                .count() as u64
        )
    );
    assert_eq!(
        utrecht["expired"].as_u64(),
        Some(
            vacancies
                .iter()
                .filter(|v| in_utrecht(v) && recently_expired(v))
                .count() as u64
        )
    );
}

#[tokio::test]
async fn the_map_page_draws_both_maps_with_titles_links_a_legend_and_a_table() {
    let vacancies = map_world();
    let state = state(&vacancies);
    let (status, content_type, html) = get(&state, "/kaart?q=kok").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    // 35 regions on each of the two maps.
    assert_eq!(html.matches("<path ").count(), 70);
    assert!(html.contains("Nu open"));
    assert!(html.contains(&format!(
        "Verlopen sinds {}",
        (today() - Duration::days(365)).format("%d-%m-%Y")
    )));
    let (_, map) = get_json(&state, "/api/map?q=kok").await;
    let utrecht = figures(&map["areas"])["Midden-Utrecht"];
    assert!(
        html.contains(&format!(
            "<title>Midden-Utrecht: {} actueel, {} verlopen sinds",
            utrecht.0, utrecht.1
        )),
        "{html}"
    );
    // A click on a region opens the search filtered to it; the expired map's to the expired.
    assert!(
        html.contains("href=\"/?q=kok&#38;region=Midden-Utrecht\""),
        "{html}"
    );
    assert!(html.contains(&format!(
        "href=\"/?q=kok&#38;region=Midden-Utrecht&#38;status=expired&#38;expired_after={}\"",
        since()
    )));
    // The table opens a region on the map.
    assert!(html.contains("href=\"/kaart?q=kok&#38;region=Midden-Utrecht\""));
    assert!(html.contains("<th scope=\"row\">Midden-Utrecht</th>"));
    assert!(html.contains("class=\"legend\""));
    // Regions without vacancies are drawn in the shade of none.
    assert!(html.contains("class=\"shade-0\""));

    // Opened: the region outlined, its neighbours faded, its place as circles on both maps.
    let (status, _, html) = get(&state, "/kaart?region=Midden-Utrecht").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Arbeidsmarktkaart: Midden-Utrecht"));
    assert!(html.contains(" opened\""));
    assert!(html.contains(" around\""));
    assert_eq!(html.matches("<circle ").count(), 2, "{html}");
    assert!(html.contains("href=\"/?region=Midden-Utrecht&#38;city=Utrecht\""));
    assert!(html.contains("Heel Nederland"));
    // The employers of the opened region, with their histories.
    assert!(html.contains("Werkgevers met de meeste vacatures hier"));
    assert!(
        html.contains("href=\"/werkgever/Transport%20%26%20Co\""),
        "{html}"
    );

    // The search page links to the map of the same search.
    let (_, _, page) = get(&state, "/?q=kok&employment_type=part_time").await;
    assert!(
        page.contains("href=\"/kaart?q=kok&#38;employment_type=part_time\""),
        "{page}"
    );
}

#[tokio::test]
async fn the_map_escapes_what_was_typed_and_names_bad_parameters() {
    let state = state(&map_world());
    let typed = "<script>alert(1)</script>";
    let (status, _, html) = get(&state, &format!("/kaart?q={}", encode(typed))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains(typed));
    assert!(html.contains("&#60;script&#62;"));

    let (status, error) = get_json(&state, "/api/map?level=gemeente").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["code"], "invalid_parameter");
    assert!(
        error["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("level")),
        "{error}"
    );
    let (status, error) = get_json(&state, "/api/map?expired_after=vorig-jaar").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    let (status, _, html) = get(&state, "/kaart?level=gemeente").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("Deze zoekopdracht klopt niet"), "{html}");
}

#[tokio::test]
async fn expired_after_keeps_the_vacancies_that_expired_since_that_day() {
    let vacancies = map_world();
    let state = state(&vacancies);
    let day = today() - Duration::days(20);
    let (status, results) = get_json(
        &state,
        &format!("/api/search?status=all&expired_after={day}&per_page=100&facets="),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{results}");
    let cut = Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).expect("valid time"));
    let expected = vacancies
        .iter()
        .filter(|v| v.status == Status::Expired && v.expired_at.is_some_and(|at| at >= cut))
        .count() as u64;
    assert!(expected > 0);
    assert_eq!(results["total"].as_u64(), Some(expected));
    assert!(
        results["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .all(|hit| hit["status"] == "expired")
    );
}

#[tokio::test]
async fn an_employers_history_counts_its_vacancies_by_month_and_occupation() {
    let vacancies = map_world();
    let state = state(&vacancies);
    let employer = "Transport & Co";
    let (status, history) = get_json(
        &state,
        &format!("/api/employers/{}/history", "Transport%20%26%20Co"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    assert_eq!(history["employer"], employer);
    let theirs: Vec<&Vacancy> = vacancies
        .iter()
        .filter(|v| v.employer.as_deref() == Some(employer))
        .collect();
    let expired = theirs
        .iter()
        .filter(|v| v.status == Status::Expired)
        .count() as u64;
    assert_eq!(history["total"].as_u64(), Some(theirs.len() as u64));
    assert_eq!(history["expired"].as_u64(), Some(expired));
    assert_eq!(
        history["active"].as_u64(),
        Some(theirs.len() as u64 - expired)
    );
    let months = history["months"].as_array().expect("months");
    // A year at least, ending this month.
    assert_eq!(months.len(), 12);
    assert_eq!(months[11]["month"], "2026-11");
    // Every vacancy of the world was posted within the last two months.
    let posted: u64 = months.iter().filter_map(|m| m["posted"].as_u64()).sum();
    assert_eq!(posted, theirs.len() as u64);
    let stacked: u64 = months
        .iter()
        .flat_map(|m| m["by_occupation"].as_array().expect("series").iter())
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(stacked, posted);
    let expired_in_months: u64 = months.iter().filter_map(|m| m["expired"].as_u64()).sum();
    assert_eq!(expired_in_months, expired);
    let mut per_occupation: BTreeMap<String, u64> = BTreeMap::new();
    for vacancy in &theirs {
        let name = vacancy
            .occupation
            .clone()
            .expect("every occupation is known");
        *per_occupation.entry(name).or_insert(0) += 1;
    }
    let occupations: BTreeMap<String, u64> = history["occupations"]
        .as_array()
        .expect("occupations")
        .iter()
        .map(|o| {
            (
                o["name"].as_str().expect("name").to_owned(),
                o["total"].as_u64().expect("total"),
            )
        })
        .collect();
    assert_eq!(occupations, per_occupation);
    // The world's expired vacancies were open three days each.
    assert!(
        expired > 0,
        "the world has expired vacancies of this employer"
    );
    assert_eq!(history["median_days_open"].as_u64(), Some(3));

    let (status, error) = get_json(&state, "/api/employers/Niemand%20BV/history").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error["error"]["code"], "not_found");
}

#[tokio::test]
async fn the_employer_page_draws_the_chart_and_is_reached_from_the_vacancy() {
    let vacancies = map_world();
    let state = state(&vacancies);
    let (status, _, html) = get(&state, "/werkgever/Transport%20%26%20Co").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Transport &#38; Co</h1>"), "{html}");
    assert!(html.contains("<rect class=\"series-0\""));
    assert!(html.contains("Per beroep"));
    assert!(html.contains("november 2026"));
    assert!(html.contains("href=\"/?employer=Transport+%26+Co&#38;status=expired\""));
    assert!(html.contains("href=\"/kaart?employer=Transport+%26+Co\""));

    let id = vacancies
        .iter()
        .find(|v| v.employer.as_deref() == Some("Transport & Co"))
        .map(|v| v.id.to_string())
        .expect("a vacancy of theirs");
    let (_, _, page) = get(&state, &format!("/vacature/{id}")).await;
    assert!(
        page.contains("href=\"/werkgever/Transport%20%26%20Co\""),
        "{page}"
    );

    let (status, _, html) = get(&state, "/werkgever/%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Werkgever niet gevonden"));
    assert!(!html.contains("<script>alert"));
}
