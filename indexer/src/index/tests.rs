use chrono::{NaiveDate, TimeZone, Utc};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{QueryParser, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{IndexWriter, TantivyDocument, Term};
use vindwerk_model::{
    Channel, EducationLevel, EmploymentType, PostingId, SourceId, SourceKind, Status, Vacancy,
    VacancyId, VacancyPosting,
};

use super::schema::{bands_of, isco_path};
use super::*;

mod generations;
mod syncing;

pub(crate) fn vacancy(id: &str, title: &str, description: &str) -> Vacancy {
    let seen = Utc
        .with_ymd_and_hms(2026, 11, 2, 6, 0, 0)
        .single()
        .expect("valid instant");
    Vacancy {
        id: VacancyId::new(id),
        title: title.to_owned(),
        employer: Some("Ziekenhuis Noord".to_owned()),
        city: Some("Utrecht".to_owned()),
        postcode: Some("3584".to_owned()),
        province: Some("Utrecht".to_owned()),
        region: Some("Midden-Utrecht".to_owned()),
        lat: Some(52.09),
        lon: Some(5.12),
        employment_type: Some(EmploymentType::FullTime),
        hours_min: Some(32.0),
        hours_max: Some(40.0),
        salary_min: Some(3200.0),
        salary_max: Some(4500.0),
        salary_currency: Some("EUR".to_owned()),
        salary_period: None,
        salary_month_min: Some(3200.0),
        salary_month_max: Some(4500.0),
        education_level: Some(EducationLevel::Hbo),
        occupation: Some("verpleegkundige".to_owned()),
        isco: Some("2221".to_owned()),
        description: description.to_owned(),
        date_posted: NaiveDate::from_ymd_opt(2026, 11, 1),
        valid_through: None,
        remote: false,
        status: Status::Active,
        first_seen: seen,
        last_seen: seen,
        expired_at: None,
        audience: Default::default(),
        postings: vec![VacancyPosting {
            posting_id: PostingId(1),
            url: format!("https://werkenbij.example.nl/{id}"),
            source: SourceId::new("noord"),
            source_kind: SourceKind::Sitemap,
            channel: Channel::Employer,
            first_seen: seen,
            last_seen: seen,
            status: Status::Active,
            expired_at: None,
            expiry_reason: None,
        }],
    }
}

#[test]
fn bands_cover_every_band_the_range_touches() {
    assert_eq!(
        bands_of(HOURS_BANDS, Some(32.0), Some(40.0)),
        vec!["32-36", "36plus"]
    );
    assert_eq!(bands_of(HOURS_BANDS, Some(36.0), None), vec!["36plus"]);
    assert_eq!(bands_of(HOURS_BANDS, None, Some(12.0)), vec!["0-16"]);
    assert_eq!(
        bands_of(HOURS_BANDS, Some(40.0), Some(24.0)),
        vec!["24-32", "32-36", "36plus"]
    );
    assert!(bands_of(HOURS_BANDS, None, None).is_empty());
    assert!(bands_of(SALARY_BANDS, Some(f64::NAN), None).is_empty());
    assert_eq!(
        bands_of(SALARY_BANDS, Some(2900.0), Some(3100.0)),
        vec!["2500-3000", "3000-3500"]
    );
}

#[test]
fn isco_path_lists_every_prefix() {
    assert_eq!(isco_path("2221"), vec!["2", "22", "222", "2221"]);
    assert!(isco_path("").is_empty());
    assert!(isco_path("22a1").is_empty());
}

#[test]
fn dutch_analyser_stems_folds_and_drops_stop_words() {
    let mut analyser = schema::dutch_analyser();
    let mut stream = analyser.token_stream("De Verpleegkundigen van het Ziekenhuis, café");
    let mut tokens = Vec::new();
    while let Some(token) = tantivy::tokenizer::TokenStream::next(&mut stream) {
        tokens.push(token.text.clone());
    }
    let mut single = schema::dutch_analyser();
    let mut stream = single.token_stream("verpleegkundige");
    let stem = tantivy::tokenizer::TokenStream::next(&mut stream)
        .expect("one token")
        .text
        .clone();
    assert!(
        !tokens.iter().any(|t| t == "de" || t == "van" || t == "het"),
        "{tokens:?}"
    );
    assert_eq!(
        tokens[0], stem,
        "plural and singular share a stem: {tokens:?}"
    );
    assert!(tokens.iter().any(|t| t.starts_with("cafe")), "{tokens:?}");
}

#[test]
fn a_document_is_found_by_a_stemmed_word_and_its_facets() {
    let (index, fields) = create_in_ram();
    let mut writer: IndexWriter = index
        .writer_with_num_threads(1, 15_000_000)
        .expect("writer");
    writer
        .add_document(document(
            &fields,
            &vacancy(
                "v1",
                "Verpleegkundige oncologie",
                "Je werkt op de afdeling oncologie.",
            ),
        ))
        .expect("add");
    writer
        .add_document(document(
            &fields,
            &vacancy("v2", "Kok", "Je kookt voor gasten."),
        ))
        .expect("add");
    writer.commit().expect("commit");
    let searcher = index.reader().expect("reader").searcher();

    let parser = QueryParser::for_index(&index, vec![fields.title, fields.description]);
    let query = parser.parse_query("verpleegkundigen").expect("query");
    let hits = searcher
        .search(&query, &TopDocs::with_limit(10).order_by_score())
        .expect("search");
    assert_eq!(hits.len(), 1);
    let doc: TantivyDocument = searcher.doc(hits[0].1).expect("stored doc");
    let id = doc
        .get_first(fields.id)
        .and_then(|v| v.as_str().map(str::to_owned));
    assert_eq!(id.as_deref(), Some("v1"));

    let by_isco = TermQuery::new(
        Term::from_field_text(fields.isco_path, "22"),
        IndexRecordOption::Basic,
    );
    assert_eq!(searcher.search(&by_isco, &Count).expect("count"), 2);
    let by_band = TermQuery::new(
        Term::from_field_text(fields.hours_band, "36plus"),
        IndexRecordOption::Basic,
    );
    assert_eq!(searcher.search(&by_band, &Count).expect("count"), 2);
}

#[test]
fn facet_fields_count_with_a_terms_aggregation() {
    use tantivy::aggregation::agg_req::Aggregations;
    use tantivy::aggregation::agg_result::AggregationResults;
    use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard};

    let (index, fields) = create_in_ram();
    let mut writer: IndexWriter = index
        .writer_with_num_threads(1, 15_000_000)
        .expect("writer");
    let mut part_time = vacancy("v2", "Kok", "Koken.");
    part_time.hours_min = Some(20.0);
    part_time.hours_max = Some(24.0);
    part_time.city = Some("Den Haag".to_owned());
    for v in [vacancy("v1", "Kok", "Koken."), part_time] {
        writer.add_document(document(&fields, &v)).expect("add");
    }
    writer.commit().expect("commit");
    let searcher = index.reader().expect("reader").searcher();

    let request: Aggregations = serde_json::from_value(serde_json::json!({
        "hours": {"terms": {"field": field::HOURS_BAND}},
        "city": {"terms": {"field": field::CITY}},
    }))
    .expect("request");
    let collector = AggregationCollector::from_aggs(
        request,
        AggContextParams::new(
            AggregationLimitsGuard::default(),
            index.tokenizers().clone(),
        ),
    );
    let result: AggregationResults = searcher
        .search(&tantivy::query::AllQuery, &collector)
        .expect("aggregate");
    let json = serde_json::to_value(result).expect("json");
    let counts = |name: &str| -> Vec<(String, u64)> {
        let mut counts: Vec<(String, u64)> = json[name]["buckets"]
            .as_array()
            .expect("buckets")
            .iter()
            .map(|b| {
                (
                    b["key"].as_str().expect("key").to_owned(),
                    b["doc_count"].as_u64().expect("n"),
                )
            })
            .collect();
        counts.sort();
        counts
    };
    let expected: Vec<(String, u64)> = vec![
        ("16-24".into(), 1),
        ("24-32".into(), 1),
        ("32-36".into(), 1),
        ("36plus".into(), 1),
    ];
    assert_eq!(counts("hours"), expected);
    assert_eq!(
        counts("city"),
        vec![("Den Haag".into(), 1), ("Utrecht".into(), 1)]
    );
}
