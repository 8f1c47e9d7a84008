//! `/api/search` against brute force over the same vacancies: hits, disjunctive facet counts,
//! distances, cursors; and every bad parameter is a 400 naming it.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use chrono::Duration;
use serde_json::Value;
use vindwerk_indexer::index::schema::{bands_of, isco_path};
use vindwerk_indexer::index::{HOURS_BANDS, SALARY_BANDS};
use vindwerk_model::Vacancy;
use vindwerk_search_server::{GeoPoint, haversine_km};

use crate::common::*;

/// The facets of the API and the values a vacancy has for each.
fn facet_values(vacancy: &Vacancy, facet: &str) -> Vec<String> {
    let one = |value: Option<&str>| value.map(|v| vec![v.to_owned()]).unwrap_or_default();
    match facet {
        "status" => vec![vacancy.status.as_str().to_owned()],
        "province" => one(vacancy.province.as_deref()),
        "region" => one(vacancy.region.as_deref()),
        "city" => one(vacancy.city.as_deref()),
        "employer" => one(vacancy.employer.as_deref()),
        "occupation" => one(vacancy.occupation.as_deref()),
        "isco" => vacancy
            .isco
            .as_deref()
            .map(|isco| isco_path(isco).into_iter().map(str::to_owned).collect())
            .unwrap_or_default(),
        "employment_type" => one(vacancy.employment_type.map(|v| v.as_str())),
        "education_level" => one(vacancy.education_level.map(|v| v.as_str())),
        "hours_band" => bands_of(HOURS_BANDS, vacancy.hours_min, vacancy.hours_max)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        "salary_band" => bands_of(
            SALARY_BANDS,
            vacancy.salary_month_min,
            vacancy.salary_month_max,
        )
        .into_iter()
        .map(str::to_owned)
        .collect(),
        "channel" => vacancy
            .postings
            .iter()
            .map(|p| p.channel.as_str().to_owned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        "source_kind" => vacancy
            .postings
            .iter()
            .map(|p| p.source_kind.as_str().to_owned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        other => panic!("unknown facet {other}"),
    }
}

const FACETS: &[&str] = &[
    "status",
    "province",
    "region",
    "city",
    "employer",
    "occupation",
    "isco",
    "employment_type",
    "education_level",
    "hours_band",
    "salary_band",
    "channel",
    "source_kind",
];

fn overlaps(
    min: Option<f64>,
    max: Option<f64>,
    want_min: Option<f64>,
    want_max: Option<f64>,
) -> bool {
    if min.is_none() && max.is_none() {
        return want_min.is_none() && want_max.is_none();
    }
    let top = max.or(min).expect("one end known");
    let bottom = min.or(max).expect("one end known");
    want_min.is_none_or(|w| top >= w) && want_max.is_none_or(|w| bottom <= w)
}

/// Whether `vacancy` passes every filter of `pairs` but those of parameter `except`.
fn passes(vacancy: &Vacancy, pairs: &[(&str, &str)], except: Option<&str>) -> bool {
    let mut grouped: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, value) in pairs {
        grouped.entry(name).or_default().push(value);
    }
    if !grouped.contains_key("status") {
        grouped.insert("status", vec!["active"]);
    }
    let number = |name: &str| {
        grouped
            .get(name)
            .map(|v| v[0].parse::<f64>().expect("number"))
    };
    for (name, values) in &grouped {
        if Some(*name) == except {
            continue;
        }
        let ok = match *name {
            "status" if values.contains(&"all") => true,
            facet if FACETS.contains(&facet) => {
                let have = facet_values(vacancy, facet);
                values.iter().any(|v| have.iter().any(|h| h == v))
            }
            "q" => {
                assert_eq!(values, &["kok"], "brute force knows only q=kok");
                vacancy
                    .title
                    .to_lowercase()
                    .split_whitespace()
                    .any(|w| w == "kok")
            }
            "salary_min" | "salary_max" => overlaps(
                vacancy.salary_month_min,
                vacancy.salary_month_max,
                number("salary_min"),
                number("salary_max"),
            ),
            "hours_min" | "hours_max" => overlaps(
                vacancy.hours_min,
                vacancy.hours_max,
                number("hours_min"),
                number("hours_max"),
            ),
            "remote" => vacancy.remote == (values[0] == "true"),
            "posted_within" => {
                let days: i64 = values[0].parse().expect("days");
                vacancy
                    .date_posted
                    .is_some_and(|d| d >= today() - Duration::days(days))
            }
            "near" | "km" => {
                let (_, lat, lon, _, _) = CITIES
                    .iter()
                    .find(|c| c.0 == grouped["near"][0])
                    .expect("known city");
                let km = number("km").expect("km given");
                match (vacancy.lat, vacancy.lon) {
                    (Some(la), Some(lo)) => {
                        haversine_km(GeoPoint::new(*lat, *lon), GeoPoint::new(la, lo)) <= km
                    }
                    _ => false,
                }
            }
            "sort" | "per_page" => true,
            other => panic!("brute force does not know {other}"),
        };
        if !ok {
            return false;
        }
    }
    true
}

fn query_string(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(n, v)| format!("{n}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn counts_of(json: &Value, facet: &str) -> BTreeMap<String, u64> {
    json["facets"][facet]
        .as_array()
        .unwrap_or_else(|| panic!("facet {facet} missing: {json}"))
        .iter()
        .filter(|entry| entry["count"].as_u64() != Some(0))
        .map(|entry| {
            (
                entry["value"].as_str().expect("value").to_owned(),
                entry["count"].as_u64().expect("count"),
            )
        })
        .collect()
}

#[tokio::test]
async fn hits_and_disjunctive_facet_counts_equal_brute_force() {
    let vacancies = world(95);
    // One segment, and three (each numbers its facet values its own way).
    let states = [
        state(&vacancies),
        state_on(segmented_index(&vacancies, 3), &vacancies),
    ];
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("status", "all")],
        vec![("status", "expired")],
        vec![("province", "Utrecht")],
        vec![("province", "Utrecht"), ("province", "Limburg")],
        vec![("province", "Utrecht"), ("employment_type", "part_time")],
        vec![
            ("city", "Amsterdam"),
            ("city", "Rotterdam"),
            ("education_level", "hbo"),
            ("education_level", "wo"),
            ("status", "all"),
        ],
        vec![("isco", "2"), ("hours_band", "32-36")],
        vec![("isco", "512"), ("channel", "agency")],
        vec![("source_kind", "recruitee"), ("salary_band", "3000-3500")],
        vec![("salary_min", "3000")],
        vec![("salary_max", "3000"), ("hours_min", "30")],
        vec![
            ("salary_min", "2500"),
            ("salary_max", "4000"),
            ("hours_max", "24"),
            ("status", "all"),
        ],
        vec![("remote", "true"), ("employer", "Zorggroep Noord")],
        vec![("posted_within", "7")],
        vec![
            ("province", "Utrecht"),
            ("employment_type", "part_time"),
            ("posted_within", "30"),
            ("status", "all"),
        ],
        vec![("q", "kok")],
        vec![
            ("q", "kok"),
            ("posted_within", "7"),
            ("province", "Utrecht"),
            ("province", "Noord-Holland"),
        ],
        vec![
            ("q", "kok"),
            ("province", "Utrecht"),
            ("province", "Overijssel"),
        ],
        vec![("near", "Utrecht"), ("km", "40")],
        vec![
            ("near", "Utrecht"),
            ("km", "40"),
            ("province", "Noord-Holland"),
            ("status", "all"),
        ],
    ];
    for (pairs, state) in cases
        .iter()
        .flat_map(|pairs| states.iter().map(move |state| (pairs.clone(), state)))
    {
        let uri = format!("/api/search?per_page=100&{}", query_string(&pairs));
        let (status, json) = get_json(state, &uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {json}");

        let expected: BTreeSet<String> = vacancies
            .iter()
            .filter(|v| passes(v, &pairs, None))
            .map(|v| v.id.to_string())
            .collect();
        let got: BTreeSet<String> = json["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|hit| hit["id"].as_str().expect("id").to_owned())
            .collect();
        assert_eq!(json["total"].as_u64(), Some(expected.len() as u64), "{uri}");
        assert_eq!(got, expected, "{uri}");

        for facet in FACETS {
            let mut expected: BTreeMap<String, u64> = BTreeMap::new();
            for vacancy in vacancies.iter().filter(|v| passes(v, &pairs, Some(facet))) {
                for value in facet_values(vacancy, facet) {
                    *expected.entry(value).or_default() += 1;
                }
            }
            assert_eq!(counts_of(&json, facet), expected, "{uri}: facet {facet}");
        }
        let mut within = BTreeMap::new();
        for days in ["1", "3", "7", "30"] {
            let count = vacancies
                .iter()
                .filter(|v| passes(v, &pairs, Some("posted_within")))
                .filter(|v| passes(v, &[("posted_within", days), ("status", "all")], None))
                .count() as u64;
            if count > 0 {
                within.insert(days.to_owned(), count);
            }
        }
        assert_eq!(
            counts_of(&json, "posted_within"),
            within,
            "{uri}: posted_within"
        );

        // Counting fewer facets: a selected facet that is not counted filters as it did.
        let fewer = format!("{uri}&facets=region,employment_type");
        let (status, few) = get_json(state, &fewer).await;
        assert_eq!(status, StatusCode::OK, "{fewer}: {few}");
        assert_eq!(few["total"], json["total"], "{fewer}");
        assert_eq!(few["hits"], json["hits"], "{fewer}");
        for facet in ["region", "employment_type"] {
            assert_eq!(counts_of(&few, facet), counts_of(&json, facet), "{fewer}");
        }
    }
}

#[tokio::test]
async fn selecting_a_province_keeps_the_counts_of_the_others() {
    let vacancies = world(60);
    let state = state(&vacancies);
    let (_, all) = get_json(&state, "/api/search").await;
    let (_, utrecht) = get_json(&state, "/api/search?province=Utrecht").await;
    assert_eq!(counts_of(&all, "province"), counts_of(&utrecht, "province"));
    assert!(utrecht["total"].as_u64() < all["total"].as_u64());
}

#[tokio::test]
async fn distances_are_the_hand_computed_ones() {
    let vacancies = world(80);
    let state = state(&vacancies);
    // Great-circle distances from Utrecht (52.0907, 5.1214), computed by hand with the
    // haversine formula and a mean earth radius of 6371.0088 km.
    let expected = [
        ("Utrecht", 0.0),
        ("Amersfoort", 19.6),
        ("Amsterdam", 34.2),
        ("Rotterdam", 47.8),
        ("Zwolle", 80.7),
    ];
    let (status, json) = get_json(
        &state,
        "/api/search?near=Utrecht&km=100&sort=nearest&per_page=100",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let hits = json["hits"].as_array().expect("hits");
    assert!(!hits.is_empty());
    let mut previous = 0.0;
    for hit in hits {
        let city = hit["city"].as_str().expect("a hit near a place has a city");
        let km = hit["distance_km"].as_f64().expect("distance");
        let (_, want) = expected
            .iter()
            .find(|(name, _)| *name == city)
            .unwrap_or_else(|| panic!("{city} is beyond 100 km"));
        assert!(
            (km - want).abs() < 0.051,
            "{city}: {km} km, expected {want}"
        );
        assert!(km >= previous, "sorted by distance");
        previous = km;
    }
    assert!(
        hits.iter().all(|hit| hit["city"] != "Maastricht"),
        "Maastricht is 143 km away"
    );
    assert!(hits.iter().any(|hit| hit["city"] == "Zwolle"));

    let (_, near) = get_json(
        &state,
        "/api/search?near=3584&km=20&status=all&per_page=100",
    )
    .await;
    let cities: BTreeSet<&str> = near["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["city"].as_str())
        .collect();
    assert_eq!(cities, BTreeSet::from(["Amersfoort", "Utrecht"]));
    assert_eq!(near["near"]["place"], "3584 Utrecht");
}

#[tokio::test]
async fn a_cursor_visits_every_hit_exactly_once() {
    let vacancies = world(90);
    let state = state(&vacancies);
    for base in [
        "status=all&per_page=7",
        "status=all&per_page=7&sort=newest",
        "per_page=4&sort=nearest&near=Amsterdam&km=300",
        "q=kok&status=all&per_page=3",
        "q=verpleegkundige&status=all&per_page=2",
    ] {
        let (_, first) = get_json(&state, &format!("/api/search?{base}")).await;
        let total = first["total"].as_u64().expect("total") as usize;
        let mut seen = Vec::new();
        let mut page = first;
        loop {
            for hit in page["hits"].as_array().expect("hits") {
                seen.push(hit["id"].as_str().expect("id").to_owned());
            }
            let Some(cursor) = page["next_cursor"].as_str() else {
                break;
            };
            let (status, next) = get_json(
                &state,
                &format!("/api/search?{base}&cursor={}", encode(cursor)),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{next}");
            page = next;
        }
        let unique: BTreeSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "{base}: no hit twice");
        assert_eq!(seen.len(), total, "{base}: every hit once");
    }
}

#[tokio::test]
async fn pages_split_the_same_order() {
    let vacancies = world(50);
    let state = state(&vacancies);
    let (_, all) = get_json(&state, "/api/search?status=all&per_page=50&sort=newest").await;
    let (_, second) = get_json(
        &state,
        "/api/search?status=all&per_page=10&page=2&sort=newest",
    )
    .await;
    assert_eq!(
        all["hits"].as_array().expect("hits")[10..20],
        second["hits"].as_array().expect("hits")[..]
    );
    let dates: Vec<&str> = all["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["date_posted"].as_str().expect("date"))
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
}

/// The ids of the hits of one answer.
fn ids(json: &Value) -> Vec<String> {
    json["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| hit["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn pages_and_cursors_follow_one_order_across_segments() {
    let vacancies = world(90);
    let handle = segmented_index(&vacancies, 4);
    assert_eq!(handle.searcher().segment_readers().len(), 4);
    let state = state_on(handle, &vacancies);
    for base in [
        "status=all",
        "status=all&sort=newest",
        "sort=nearest&near=Amsterdam&km=300&status=all",
        "q=kok&status=all",
        "q=verpleegkundge&status=all",
    ] {
        let (_, whole) = get_json(&state, &format!("/api/search?{base}&per_page=100")).await;
        let expected = ids(&whole);
        assert!(expected.len() > 6, "{base}: {} hits", expected.len());
        assert_eq!(whole["next_cursor"], Value::Null, "{base}");

        let mut by_page = Vec::new();
        for page in 1.. {
            let (_, answer) = get_json(
                &state,
                &format!("/api/search?{base}&per_page=3&page={page}"),
            )
            .await;
            let hits = ids(&answer);
            if hits.is_empty() {
                break;
            }
            by_page.extend(hits);
        }
        assert_eq!(by_page, expected, "{base}: pages");

        let mut by_cursor = Vec::new();
        let (_, mut answer) = get_json(&state, &format!("/api/search?{base}&per_page=2")).await;
        loop {
            by_cursor.extend(ids(&answer));
            let Some(cursor) = answer["next_cursor"].as_str() else {
                break;
            };
            answer = get_json(
                &state,
                &format!("/api/search?{base}&per_page=2&cursor={}", encode(cursor)),
            )
            .await
            .1;
        }
        assert_eq!(by_cursor, expected, "{base}: cursor");
    }
}

#[tokio::test]
async fn only_the_requested_facets_are_counted() {
    let vacancies = world(60);
    let state = state(&vacancies);
    let (_, all) = get_json(&state, "/api/search?province=Utrecht").await;
    let (status, some) = get_json(
        &state,
        "/api/search?province=Utrecht&facets=province,employment_type,posted_within",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{some}");
    let keys: Vec<&String> = some["facets"].as_object().expect("facets").keys().collect();
    assert_eq!(keys, ["employment_type", "posted_within", "province"]);
    for facet in ["province", "employment_type", "posted_within"] {
        assert_eq!(all["facets"][facet], some["facets"][facet], "{facet}");
    }
    assert_eq!(all["total"], some["total"]);
    assert_eq!(all["hits"], some["hits"]);

    let (_, none) = get_json(&state, "/api/search?province=Utrecht&facets=").await;
    assert_eq!(none["facets"], serde_json::json!({}));
    assert_eq!(all["hits"], none["hits"]);
}

#[tokio::test]
async fn every_bad_parameter_is_a_400_naming_it() {
    let state = state(&world(10));
    let cases = [
        ("km=500&near=Utrecht", "km"),
        ("km=10", "km"),
        ("near=Atlantis", "near"),
        ("sort=nearest", "sort"),
        ("sort=oldest", "sort"),
        ("salary_min=veel", "salary_min"),
        ("salary_min=5000&salary_max=1000", "salary_max"),
        ("hours_min=-3", "hours_min"),
        ("posted_after=31-12-2026", "posted_after"),
        ("posted_within=5", "posted_within"),
        ("page=0", "page"),
        ("per_page=1000", "per_page"),
        ("cursor=%%%", "cursor"),
        ("cursor=bm90IGEgY3Vyc29y", "cursor"),
        ("employment_type=zzp", "employment_type"),
        ("status=open", "status"),
        ("remote=soms", "remote"),
        ("isco=x", "isco"),
        ("q=a&q=b", "q"),
        ("facets=province,salaris", "facets"),
        ("unknown=1", "query"),
    ];
    for (query, parameter) in cases {
        let (status, json) = get_json(&state, &format!("/api/search?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {json}");
        assert_eq!(json["error"]["code"], "invalid_parameter", "{query}");
        let message = json["error"]["message"].as_str().expect("message");
        assert!(
            message.starts_with(&format!("{parameter}: ")),
            "{query}: {message}"
        );
    }
    let (_, first) = get_json(&state, "/api/search?per_page=1&status=all").await;
    let cursor = first["next_cursor"].as_str().expect("a cursor");
    let (status, json) = get_json(
        &state,
        &format!("/api/search?sort=newest&cursor={}", encode(cursor)),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        json["error"]["message"]
            .as_str()
            .expect("message")
            .starts_with("cursor: ")
    );
}

#[tokio::test]
async fn unknown_vacancy_and_route_are_404_json() {
    let vacancies = world(5);
    let state = state(&vacancies);
    for uri in [
        "/api/vacancies/nope",
        "/api/vacancies/nope/similar",
        "/api/nothing",
    ] {
        let (status, json) = get_json(&state, uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(json["error"]["code"], "not_found", "{uri}");
    }
    let (status, json) = get_json(&state, "/api/vacancies/v003").await;
    assert_eq!(status, StatusCode::OK);
    let exported: Value = serde_json::to_value(&vacancies[3]).expect("serialise");
    assert_eq!(json, exported, "the vacancy as in the export");
}

#[tokio::test]
async fn the_csv_export_holds_every_hit_in_search_order() {
    let mut vacancies = world(150);
    vacancies[0].title = "=HYPERLINK(\"https://evil.example\")".to_owned();
    let state = state(&vacancies);
    let (status, content_type, csv) = get(&state, "/api/search.csv?status=all&sort=newest").await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    assert!(content_type.starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let ids: Vec<String> = reader
        .records()
        .map(|r| r.expect("record")[0].to_owned())
        .collect();
    assert_eq!(ids.len(), 150, "more than one page of 100");
    let mut expected = Vec::new();
    let mut uri = "/api/search?status=all&sort=newest&per_page=100".to_owned();
    loop {
        let (_, page) = get_json(&state, &uri).await;
        expected.extend(
            page["hits"]
                .as_array()
                .expect("hits")
                .iter()
                .map(|h| h["id"].as_str().expect("id").to_owned()),
        );
        let Some(cursor) = page["next_cursor"].as_str() else {
            break;
        };
        uri = format!(
            "/api/search?status=all&sort=newest&per_page=100&cursor={}",
            encode(cursor)
        );
    }
    assert_eq!(ids, expected);
    assert!(csv.contains("'=HYPERLINK"), "formula made text");
    let (status, json) = get_json(&state, "/api/search.csv?km=3").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
}

#[tokio::test]
async fn other_methods_get_the_error_shape() {
    use tower::ServiceExt;
    let state = state(&world(3));
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/api/search")
        .body(axum::body::Body::empty())
        .expect("request");
    let response = vindwerk_search_server::app(state)
        .oneshot(request)
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    let json: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(json["error"]["code"], "method_not_allowed");
}
