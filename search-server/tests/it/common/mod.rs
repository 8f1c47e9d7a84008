//! A small world of hand-made vacancies, indexed in RAM with the indexer's own schema and
//! documents, and the server over it.

#![allow(dead_code)]

pub mod browser;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use serde_json::Value;
use tantivy::IndexWriter;
use tower::ServiceExt;
use vindwerk_indexer::index::{IndexHandle, create_in_ram, document};
use vindwerk_model::{
    Channel, EducationLevel, EmploymentType, PostingId, SourceId, SourceKind, Status, Vacancy,
    VacancyId, VacancyPosting,
};
use vindwerk_search_server::{AppState, GeoPoint, PlaceTable, Synonyms, VacancyMap, app};

pub const TODAY: (i32, u32, u32) = (2026, 11, 22);

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(TODAY.0, TODAY.1, TODAY.2).expect("valid day")
}

/// (name, lat, lon, province, region)
pub const CITIES: &[(&str, f64, f64, &str, &str)] = &[
    ("Utrecht", 52.0907, 5.1214, "Utrecht", "Midden-Utrecht"),
    ("Amersfoort", 52.1561, 5.3878, "Utrecht", "Amersfoort"),
    (
        "Amsterdam",
        52.3676,
        4.9041,
        "Noord-Holland",
        "Groot Amsterdam",
    ),
    ("Rotterdam", 51.9244, 4.4777, "Zuid-Holland", "Rijnmond"),
    ("Zwolle", 52.5168, 6.0830, "Overijssel", "Regio Zwolle"),
    ("Maastricht", 50.8514, 5.6910, "Limburg", "Zuid-Limburg"),
];

const TITLES: &[(&str, &str, &str)] = &[
    ("Verpleegkundige oncologie", "verpleegkundige", "2221"),
    ("Verpleger nachtdienst", "verpleegkundige", "2221"),
    ("Vrachtwagenchauffeur", "vrachtwagenchauffeur", "8332"),
    ("Medewerker thuiszorg", "helpende", "5322"),
    ("Kok", "kok", "5120"),
    ("Zelfstandig werkend kok", "kok", "5120"),
    ("Softwareontwikkelaar", "softwareontwikkelaar", "2512"),
    ("Docent wiskunde", "docent", "2330"),
    ("Chauffeur taxi", "taxichauffeur", "8322"),
];

const EMPLOYERS: &[&str] = &[
    "Zorggroep Noord",
    "Transport & Co",
    "Gemeente Utrecht",
    "Uitzendbureau Snel",
];

/// A deterministic pseudo-random number (a linear congruential step).
fn next(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *seed >> 33
}

/// `n` varied vacancies; ids `v000`.. sort in creation order.
pub fn world(n: usize) -> Vec<Vacancy> {
    let mut seed = 7u64;
    let mut vacancies = Vec::with_capacity(n);
    for i in 0..n {
        let (title, occupation, isco) = TITLES[i % TITLES.len()];
        let city = (next(&mut seed) % (CITIES.len() as u64 + 1)) as usize;
        let employment = [
            EmploymentType::FullTime,
            EmploymentType::PartTime,
            EmploymentType::Temporary,
        ];
        let education = [
            None,
            Some(EducationLevel::Mbo),
            Some(EducationLevel::Hbo),
            Some(EducationLevel::Wo),
        ];
        let hours = [
            (None, None),
            (Some(16.0), Some(24.0)),
            (Some(32.0), Some(36.0)),
            (Some(36.0), Some(40.0)),
            (Some(20.0), None),
        ];
        let salaries = [
            (None, None),
            (Some(2400.0), Some(2900.0)),
            (Some(3200.0), Some(4500.0)),
            (Some(5200.0), None),
            (None, Some(3100.0)),
        ];
        let (hours_min, hours_max) = hours[(next(&mut seed) % hours.len() as u64) as usize];
        let (salary_min, salary_max) = salaries[(next(&mut seed) % salaries.len() as u64) as usize];
        let employer = (next(&mut seed) % (EMPLOYERS.len() as u64 + 1)) as usize;
        let age_days = (next(&mut seed) % 45) as i64;
        let posted = today() - Duration::days(age_days);
        let seen = Utc.from_utc_datetime(&posted.and_hms_opt(6, 0, 0).expect("valid time"));
        let expired = next(&mut seed).is_multiple_of(5);
        let agency = employer == 3;
        let place = CITIES.get(city);
        let source_kind = if next(&mut seed).is_multiple_of(2) {
            SourceKind::Sitemap
        } else {
            SourceKind::Recruitee
        };
        let status = if expired {
            Status::Expired
        } else {
            Status::Active
        };
        vacancies.push(Vacancy {
            id: VacancyId::new(format!("v{i:03}")),
            title: title.to_owned(),
            employer: EMPLOYERS.get(employer).map(|e| (*e).to_owned()),
            city: place.map(|p| p.0.to_owned()),
            postcode: None,
            province: place.map(|p| p.3.to_owned()),
            region: place.map(|p| p.4.to_owned()),
            lat: place.map(|p| p.1),
            lon: place.map(|p| p.2),
            employment_type: Some(employment[(next(&mut seed) % 3) as usize]),
            hours_min,
            hours_max,
            salary_min,
            salary_max,
            salary_currency: salary_min.or(salary_max).map(|_| "EUR".to_owned()),
            salary_period: None,
            salary_month_min: salary_min,
            salary_month_max: salary_max,
            education_level: education[(next(&mut seed) % 4) as usize],
            occupation: Some(occupation.to_owned()),
            isco: Some(isco.to_owned()),
            description: format!("Wij zoeken een collega voor ons team. Je werkt zelfstandig en met plezier. Nummer {i}."),
            date_posted: Some(posted),
            valid_through: None,
            remote: next(&mut seed).is_multiple_of(4),
            status,
            first_seen: seen,
            last_seen: seen,
            expired_at: expired.then_some(seen + Duration::days(3)),
            audience: Default::default(),
            postings: vec![VacancyPosting {
                posting_id: PostingId(i as i64 + 1),
                url: format!("https://werk.example.nl/vacature/{i}"),
                source: SourceId::new(if agency { "snel" } else { "werkenbij" }),
                source_kind,
                channel: if agency { Channel::Agency } else { Channel::Employer },
                first_seen: seen,
                last_seen: seen,
                status,
                expired_at: expired.then_some(seen + Duration::days(3)),
                expiry_reason: None,
            }],
        });
    }
    vacancies
}

pub fn places() -> PlaceTable {
    let mut table = PlaceTable::new();
    for (i, (name, lat, lon, _, _)) in CITIES.iter().enumerate() {
        table.add_place(name, GeoPoint::new(*lat, *lon), 1000 - i as u64);
    }
    table.add_postcode("3584", "Utrecht", GeoPoint::new(52.0907, 5.1214));
    table
}

pub fn synonyms() -> Synonyms {
    Synonyms::from_occupations([vec![
        "algemeen verpleegkundige",
        "verpleger algemene zorg",
        "verpleegkundige algemene zorg",
        "verpleegster algemene zorg",
    ]])
}

/// An index in RAM holding `vacancies`, and its handle.
pub fn index(vacancies: &[Vacancy]) -> (tantivy::Index, Arc<IndexHandle>) {
    let (index, fields) = create_in_ram();
    let mut writer: IndexWriter = index
        .writer_with_num_threads(1, 15_000_000)
        .expect("writer");
    for vacancy in vacancies {
        writer
            .add_document(document(&fields, vacancy))
            .expect("add document");
    }
    writer.commit().expect("commit");
    let handle = IndexHandle::from_index(index.clone()).expect("handle");
    (index, Arc::new(handle))
}

/// An index in RAM holding `vacancies` in `segments` segments (one commit each, never merged),
/// as an index grows between nightly updates.
pub fn segmented_index(vacancies: &[Vacancy], segments: usize) -> Arc<IndexHandle> {
    let (index, fields) = create_in_ram();
    let mut writer: IndexWriter = index
        .writer_with_num_threads(1, 15_000_000)
        .expect("writer");
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    let chunk = vacancies.len().div_ceil(segments.max(1)).max(1);
    for part in vacancies.chunks(chunk) {
        for vacancy in part {
            writer
                .add_document(document(&fields, vacancy))
                .expect("add document");
        }
        writer.commit().expect("commit");
    }
    Arc::new(IndexHandle::from_index(index).expect("handle"))
}

pub fn state(vacancies: &[Vacancy]) -> AppState {
    let (_, handle) = index(vacancies);
    state_on(handle, vacancies)
}

/// The state of a search server on `handle`, which holds `vacancies`.
pub fn state_on(handle: Arc<IndexHandle>, vacancies: &[Vacancy]) -> AppState {
    AppState::new(
        handle,
        Arc::new(VacancyMap::new(vacancies.iter().cloned())),
        Arc::new(places()),
    )
    .with_synonyms(synonyms())
    .with_today(today())
}

/// GETs `uri`: status, content type and body.
pub async fn get(state: &AppState, uri: &str) -> (StatusCode, String, String) {
    let request = Request::builder()
        .uri(uri)
        .body(Body::empty())
        .expect("request");
    let response = app(state.clone()).oneshot(request).await.expect("response");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = axum::body::to_bytes(response.into_body(), 64 << 20)
        .await
        .expect("body");
    (
        status,
        content_type,
        String::from_utf8(bytes.to_vec()).expect("utf-8 body"),
    )
}

pub async fn get_json(state: &AppState, uri: &str) -> (StatusCode, Value) {
    let (status, content_type, body) = get(state, uri).await;
    assert!(
        content_type.starts_with("application/json"),
        "{uri}: {content_type} {body}"
    );
    (status, serde_json::from_str(&body).expect("json body"))
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
