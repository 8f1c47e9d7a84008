//! The tantivy schema of the vacancy index: its fields, the analysers they use and the mapping
//! of a [`Vacancy`] onto a document. The search server builds its queries and facet counts on
//! the field names defined here ([`field`]) and reads them back through [`Fields`].
//!
//! # Fields
//!
//! Free-text fields (searched by `q`; the server boosts `title` over the others):
//!
//! | name | analyser | stored | content |
//! |---|---|---|---|
//! | `title` | [`DUTCH_ANALYSER`] with positions, and a column of whole titles (fast, `raw`) | yes | the vacancy's title |
//! | `description` | [`DUTCH_ANALYSER`] with positions | yes, in full (snippets) | plain-text description |
//! | `employer_text` | [`PLAIN_ANALYSER`] | no | employer name |
//! | `place_text` | [`PLAIN_ANALYSER`] | no | city, region and province names |
//! | `occupation_text` | [`DUTCH_ANALYSER`] | no | ESCO occupation label |
//!
//! Facet fields are `STRING | FAST` text fields: indexed untokenised (a filter is a
//! `TermQuery` on the exact value) and columnar (counts are a terms aggregation, or a
//! per-segment pass over the string column, which makes disjunctive counts cheap: count a facet
//! over the query with every filter but its own). Values are exactly as in the export
//! (`"Utrecht"`, `"full_time"`, `"hbo"`). Multi-valued ones are marked *multi*.
//!
//! | name | value |
//! |---|---|
//! | `id` | vacancy id (also stored; the key for updates and for `/api/vacancies/{id}`) |
//! | `status` | `active` / `expired` (stored) |
//! | `province`, `region` | province and labour-market region names |
//! | `city` | place name (stored) |
//! | `employer` | employer name as shown (stored); absent when hidden |
//! | `occupation` | ESCO preferred label |
//! | `isco` | ISCO-08 unit group (four digits) |
//! | `isco_path` | *multi*: every prefix of the unit group, `2`, `22`, `222`, `2221`, so that a filter at any level of ISCO is one term |
//! | `employment_type` | schema.org value in lower case |
//! | `education_level` | `vmbo` … `wo` |
//! | `hours_band` | *multi*: every band of [`HOURS_BANDS`] the hours range touches |
//! | `salary_band` | *multi*: every band of [`SALARY_BANDS`] the monthly salary range touches |
//! | `source_kind` | *multi*: the kinds of the sources of its postings |
//! | `channel` | *multi*: the channels of its postings |
//! | `source` | *multi*: the source names of its postings |
//!
//! Numeric and date fields are `INDEXED | FAST` (range filters, sorting, distance):
//! `salary_month_min`, `salary_month_max` (f64, EUR a month), `hours_min`, `hours_max` (f64,
//! hours a week), `lat`, `lon` (f64, also stored), `remote` (bool), `date_posted` (stored),
//! `valid_through`, `first_seen`, `expired` (the instant an expired vacancy's last posting
//! ended; absent while active: the map's "expired in the last 12 months", `expired_after`), and
//! `posted` — the date to sort *newest* by and to filter `posted_after` / "posted within" on:
//! `date_posted`, else the day it was first seen. Dates have second precision. An unknown value is simply absent, so a range filter
//! excludes it.
//!
//! `geo_cell` (raw terms, indexed only): the cells of the point at every level of the grid in
//! [`grid`](super::grid), so that a distance search reads the postings of a few cells.
//!
//! `fingerprint` (u64, fast only) is a hash of everything else in the document: an
//! incremental run ([`sync_index`](super::sync_index)) rewrites only the documents whose
//! fingerprint changed. For the same reason the index holds nothing that changes on every
//! crawl without changing the vacancy (such as `last_seen`).
//!
//! "Posted within" is deliberately not a stored band: it depends on today and would go stale
//! in an index that is updated incrementally; it is a range on `posted` at query time.
//!
//! # Stored data
//!
//! The index stores what a search hit shows: `id`, `title`, `employer`, `city`, `status`,
//! `date_posted`, `lat`, `lon` and the full `description` (for snippets). The vacancy's detail
//! (`/api/vacancies/{id}`, exports) comes from the store, which is the source of truth; the
//! index is a derived view that can always be rebuilt from it.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use tantivy::schema::document::Document;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TokenizerManager,
};
use tantivy::{DateTime as TantivyDateTime, TantivyDocument};
use vindwerk_model::{Status, Vacancy};

/// Name of the Dutch analyser: words, lower case, ASCII folding, Dutch stop words, Dutch
/// (Snowball) stemming. `verpleegkundigen` finds `Verpleegkundige`.
pub const DUTCH_ANALYSER: &str = "vindwerk_nl";

/// Name of the plain analyser for names (employers, places): words, lower case, ASCII folding;
/// no stemming, no stop words (`Den Haag` keeps its `den`).
pub const PLAIN_ANALYSER: &str = "vindwerk_plain";

/// Tokens longer than this are dropped: crawled text holds base64 blobs and URLs that only
/// bloat the term dictionary.
const MAX_TOKEN_BYTES: usize = 40;

/// The field names of the schema, for the server's queries.
pub mod field {
    pub const ID: &str = "id";
    pub const TITLE: &str = "title";
    pub const DESCRIPTION: &str = "description";
    pub const EMPLOYER_TEXT: &str = "employer_text";
    pub const PLACE_TEXT: &str = "place_text";
    pub const OCCUPATION_TEXT: &str = "occupation_text";
    pub const STATUS: &str = "status";
    pub const PROVINCE: &str = "province";
    pub const REGION: &str = "region";
    pub const CITY: &str = "city";
    pub const EMPLOYER: &str = "employer";
    pub const OCCUPATION: &str = "occupation";
    pub const ISCO: &str = "isco";
    pub const ISCO_PATH: &str = "isco_path";
    pub const EMPLOYMENT_TYPE: &str = "employment_type";
    pub const EDUCATION_LEVEL: &str = "education_level";
    pub const HOURS_BAND: &str = "hours_band";
    pub const SALARY_BAND: &str = "salary_band";
    pub const SOURCE_KIND: &str = "source_kind";
    pub const CHANNEL: &str = "channel";
    pub const SOURCE: &str = "source";
    pub const SALARY_MONTH_MIN: &str = "salary_month_min";
    pub const SALARY_MONTH_MAX: &str = "salary_month_max";
    pub const HOURS_MIN: &str = "hours_min";
    pub const HOURS_MAX: &str = "hours_max";
    pub const LAT: &str = "lat";
    pub const LON: &str = "lon";
    pub const GEO_CELL: &str = "geo_cell";
    pub const REMOTE: &str = "remote";
    pub const DATE_POSTED: &str = "date_posted";
    pub const POSTED: &str = "posted";
    pub const VALID_THROUGH: &str = "valid_through";
    pub const FIRST_SEEN: &str = "first_seen";
    pub const EXPIRED: &str = "expired";
    pub const FINGERPRINT: &str = "fingerprint";
}

/// Hours-a-week bands, half-open `[low, high)`; the last is open-ended.
pub const HOURS_BANDS: &[(&str, f64, f64)] = &[
    ("0-16", 0.0, 16.0),
    ("16-24", 16.0, 24.0),
    ("24-32", 24.0, 32.0),
    ("32-36", 32.0, 36.0),
    ("36plus", 36.0, f64::INFINITY),
];

/// Monthly salary bands in EUR, half-open `[low, high)`; the last is open-ended.
pub const SALARY_BANDS: &[(&str, f64, f64)] = &[
    ("0-2500", 0.0, 2500.0),
    ("2500-3000", 2500.0, 3000.0),
    ("3000-3500", 3000.0, 3500.0),
    ("3500-4000", 3500.0, 4000.0),
    ("4000-5000", 4000.0, 5000.0),
    ("5000-6000", 5000.0, 6000.0),
    ("6000plus", 6000.0, f64::INFINITY),
];

/// The facet fields, by name: the fields the server counts values of.
pub const FACET_FIELDS: &[&str] = &[
    field::STATUS,
    field::PROVINCE,
    field::REGION,
    field::CITY,
    field::EMPLOYER,
    field::OCCUPATION,
    field::ISCO,
    field::ISCO_PATH,
    field::EMPLOYMENT_TYPE,
    field::EDUCATION_LEVEL,
    field::HOURS_BAND,
    field::SALARY_BAND,
    field::SOURCE_KIND,
    field::CHANNEL,
    field::SOURCE,
];

/// The handles of every field of the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fields {
    pub id: Field,
    pub title: Field,
    pub description: Field,
    pub employer_text: Field,
    pub place_text: Field,
    pub occupation_text: Field,
    pub status: Field,
    pub province: Field,
    pub region: Field,
    pub city: Field,
    pub employer: Field,
    pub occupation: Field,
    pub isco: Field,
    pub isco_path: Field,
    pub employment_type: Field,
    pub education_level: Field,
    pub hours_band: Field,
    pub salary_band: Field,
    pub source_kind: Field,
    pub channel: Field,
    pub source: Field,
    pub salary_month_min: Field,
    pub salary_month_max: Field,
    pub hours_min: Field,
    pub hours_max: Field,
    pub lat: Field,
    pub lon: Field,
    pub geo_cell: Field,
    pub remote: Field,
    pub date_posted: Field,
    pub posted: Field,
    pub valid_through: Field,
    pub first_seen: Field,
    pub expired: Field,
    pub fingerprint: Field,
}

/// A field the schema lacks: the index on disk was written by another version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("index schema has no field {0:?}")]
pub struct MissingField(pub String);

impl Fields {
    /// Looks every field up by name in `schema` (an index opened from disk).
    pub fn from_schema(schema: &Schema) -> Result<Fields, MissingField> {
        let get = |name: &str| {
            schema
                .get_field(name)
                .map_err(|_| MissingField(name.to_owned()))
        };
        Ok(Fields {
            id: get(field::ID)?,
            title: get(field::TITLE)?,
            description: get(field::DESCRIPTION)?,
            employer_text: get(field::EMPLOYER_TEXT)?,
            place_text: get(field::PLACE_TEXT)?,
            occupation_text: get(field::OCCUPATION_TEXT)?,
            status: get(field::STATUS)?,
            province: get(field::PROVINCE)?,
            region: get(field::REGION)?,
            city: get(field::CITY)?,
            employer: get(field::EMPLOYER)?,
            occupation: get(field::OCCUPATION)?,
            isco: get(field::ISCO)?,
            isco_path: get(field::ISCO_PATH)?,
            employment_type: get(field::EMPLOYMENT_TYPE)?,
            education_level: get(field::EDUCATION_LEVEL)?,
            hours_band: get(field::HOURS_BAND)?,
            salary_band: get(field::SALARY_BAND)?,
            source_kind: get(field::SOURCE_KIND)?,
            channel: get(field::CHANNEL)?,
            source: get(field::SOURCE)?,
            salary_month_min: get(field::SALARY_MONTH_MIN)?,
            salary_month_max: get(field::SALARY_MONTH_MAX)?,
            hours_min: get(field::HOURS_MIN)?,
            hours_max: get(field::HOURS_MAX)?,
            lat: get(field::LAT)?,
            lon: get(field::LON)?,
            geo_cell: get(field::GEO_CELL)?,
            remote: get(field::REMOTE)?,
            date_posted: get(field::DATE_POSTED)?,
            posted: get(field::POSTED)?,
            valid_through: get(field::VALID_THROUGH)?,
            first_seen: get(field::FIRST_SEEN)?,
            expired: get(field::EXPIRED)?,
            fingerprint: get(field::FINGERPRINT)?,
        })
    }
}

/// The schema of the vacancy index (see the module docs for every field).
pub fn schema() -> Schema {
    let mut builder = Schema::builder();
    let text = |analyser: &str, stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(analyser)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    // The title is also a column of whole titles: autocompletion reads every distinct title
    // with its count from it, without touching the stored documents.
    builder.add_text_field(field::TITLE, text(DUTCH_ANALYSER, true).set_fast("raw"));
    builder.add_text_field(field::DESCRIPTION, text(DUTCH_ANALYSER, true));
    builder.add_text_field(field::EMPLOYER_TEXT, text(PLAIN_ANALYSER, false));
    builder.add_text_field(field::PLACE_TEXT, text(PLAIN_ANALYSER, false));
    builder.add_text_field(field::OCCUPATION_TEXT, text(DUTCH_ANALYSER, false));

    builder.add_text_field(field::ID, STRING | STORED | FAST);
    builder.add_text_field(field::STATUS, STRING | STORED | FAST);
    builder.add_text_field(field::CITY, STRING | STORED | FAST);
    builder.add_text_field(field::EMPLOYER, STRING | STORED | FAST);
    for name in [
        field::PROVINCE,
        field::REGION,
        field::OCCUPATION,
        field::ISCO,
        field::ISCO_PATH,
        field::EMPLOYMENT_TYPE,
        field::EDUCATION_LEVEL,
        field::HOURS_BAND,
        field::SALARY_BAND,
        field::SOURCE_KIND,
        field::CHANNEL,
        field::SOURCE,
    ] {
        builder.add_text_field(name, STRING | FAST);
    }

    for name in [
        field::SALARY_MONTH_MIN,
        field::SALARY_MONTH_MAX,
        field::HOURS_MIN,
        field::HOURS_MAX,
    ] {
        builder.add_f64_field(name, INDEXED | FAST);
    }
    builder.add_f64_field(field::LAT, STORED | FAST);
    builder.add_f64_field(field::LON, STORED | FAST);
    builder.add_text_field(field::GEO_CELL, STRING);
    builder.add_bool_field(field::REMOTE, INDEXED | FAST);

    builder.add_date_field(field::DATE_POSTED, INDEXED | FAST | STORED);
    for name in [
        field::POSTED,
        field::VALID_THROUGH,
        field::FIRST_SEEN,
        field::EXPIRED,
    ] {
        builder.add_date_field(name, INDEXED | FAST);
    }
    builder.add_u64_field(field::FINGERPRINT, FAST);
    builder.build()
}

/// The Dutch analyser registered as [`DUTCH_ANALYSER`].
pub fn dutch_analyser() -> TextAnalyzer {
    let stop_words = StopWordFilter::new(Language::Dutch)
        .expect("tantivy's stopwords feature is enabled and ships a Dutch list");
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(stop_words)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::Dutch))
        .build()
}

/// The plain analyser registered as [`PLAIN_ANALYSER`].
pub fn plain_analyser() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Registers vindwerk's analysers; every index must have them before it is written or queried
/// (tantivy keeps only their names in the schema). The index module's constructors do this.
pub fn register_analysers(tokenizers: &TokenizerManager) {
    tokenizers.register(DUTCH_ANALYSER, dutch_analyser());
    tokenizers.register(PLAIN_ANALYSER, plain_analyser());
}

/// The labels of the bands of `bands` that the range `[min, max]` touches; one bound stands for
/// both when the other is unknown, nothing when both are.
pub fn bands_of(
    bands: &[(&'static str, f64, f64)],
    min: Option<f64>,
    max: Option<f64>,
) -> Vec<&'static str> {
    let (low, high) = match (min, max) {
        (Some(a), Some(b)) => (a.min(b), a.max(b)),
        (Some(a), None) | (None, Some(a)) => (a, a),
        (None, None) => return Vec::new(),
    };
    if !low.is_finite() || !high.is_finite() {
        return Vec::new();
    }
    bands
        .iter()
        .filter(|(_, band_low, band_high)| low < *band_high && high >= *band_low)
        .map(|(label, _, _)| *label)
        .collect()
}

/// Every prefix of an ISCO code, shortest first: `2221` gives `2`, `22`, `222`, `2221`.
pub fn isco_path(isco: &str) -> Vec<&str> {
    let isco = isco.trim();
    if isco.is_empty() || !isco.bytes().all(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    (1..=isco.len()).map(|end| &isco[..end]).collect()
}

/// A date as the index keeps it: midnight UTC of that day.
pub fn day_to_index(day: NaiveDate) -> TantivyDateTime {
    let seconds = day
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists every day")
        .and_utc()
        .timestamp();
    TantivyDateTime::from_timestamp_secs(seconds)
}

/// An instant as the index keeps it (second precision).
pub fn instant_to_index(instant: DateTime<Utc>) -> TantivyDateTime {
    TantivyDateTime::from_timestamp_secs(instant.timestamp())
}

/// The document of `vacancy`.
pub fn document(fields: &Fields, vacancy: &Vacancy) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.id, vacancy.id.as_str());
    doc.add_text(fields.title, &vacancy.title);
    doc.add_text(fields.description, &vacancy.description);
    doc.add_text(fields.status, vacancy.status.as_str());

    if let Some(employer) = non_empty(&vacancy.employer) {
        doc.add_text(fields.employer, employer);
        doc.add_text(fields.employer_text, employer);
    }
    let places = [
        (fields.city, &vacancy.city),
        (fields.region, &vacancy.region),
        (fields.province, &vacancy.province),
    ];
    for (field, value) in places {
        if let Some(value) = non_empty(value) {
            doc.add_text(field, value);
            doc.add_text(fields.place_text, value);
        }
    }
    if let Some(occupation) = non_empty(&vacancy.occupation) {
        doc.add_text(fields.occupation, occupation);
        doc.add_text(fields.occupation_text, occupation);
    }
    if let Some(isco) = non_empty(&vacancy.isco) {
        doc.add_text(fields.isco, isco);
        for prefix in isco_path(isco) {
            doc.add_text(fields.isco_path, prefix);
        }
    }
    if let Some(employment_type) = vacancy.employment_type {
        doc.add_text(fields.employment_type, employment_type.as_str());
    }
    if let Some(education_level) = vacancy.education_level {
        doc.add_text(fields.education_level, education_level.as_str());
    }
    for band in bands_of(HOURS_BANDS, vacancy.hours_min, vacancy.hours_max) {
        doc.add_text(fields.hours_band, band);
    }
    for band in bands_of(
        SALARY_BANDS,
        vacancy.salary_month_min,
        vacancy.salary_month_max,
    ) {
        doc.add_text(fields.salary_band, band);
    }
    add_postings_facets(&mut doc, fields, vacancy);

    let numbers = [
        (fields.salary_month_min, vacancy.salary_month_min),
        (fields.salary_month_max, vacancy.salary_month_max),
        (fields.hours_min, vacancy.hours_min),
        (fields.hours_max, vacancy.hours_max),
        (fields.lat, vacancy.lat),
        (fields.lon, vacancy.lon),
    ];
    for (field, value) in numbers {
        if let Some(value) = value.filter(|value| value.is_finite()) {
            doc.add_f64(field, value);
        }
    }
    if let (Some(lat), Some(lon)) = (vacancy.lat, vacancy.lon) {
        for cell in super::grid::cell_terms(lat, lon) {
            doc.add_text(fields.geo_cell, cell);
        }
    }
    doc.add_bool(fields.remote, vacancy.remote);

    if let Some(day) = vacancy.date_posted {
        doc.add_date(fields.date_posted, day_to_index(day));
    }
    let posted = vacancy
        .date_posted
        .unwrap_or_else(|| vacancy.first_seen.date_naive());
    doc.add_date(fields.posted, day_to_index(posted));
    if let Some(day) = vacancy.valid_through {
        doc.add_date(fields.valid_through, day_to_index(day));
    }
    doc.add_date(fields.first_seen, instant_to_index(vacancy.first_seen));
    if vacancy.status == Status::Expired
        && let Some(instant) = vacancy.expired_at
    {
        doc.add_date(fields.expired, instant_to_index(instant));
    }
    let fingerprint = fingerprint_of(&doc);
    doc.add_u64(fields.fingerprint, fingerprint);
    doc
}

/// A hash of the document's content, stable from run to run of one build of vindwerk.
fn fingerprint_of(doc: &TantivyDocument) -> u64 {
    static SCHEMA: LazyLock<Schema> = LazyLock::new(schema);
    let hash = blake3::hash(doc.to_json(&SCHEMA).as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&hash.as_bytes()[..8]);
    u64::from_le_bytes(bytes)
}

/// Source kinds, channels and sources of the postings, each value once, in a stable order.
fn add_postings_facets(doc: &mut TantivyDocument, fields: &Fields, vacancy: &Vacancy) {
    let mut kinds: Vec<&str> = vacancy
        .postings
        .iter()
        .map(|p| p.source_kind.as_str())
        .collect();
    let mut channels: Vec<&str> = vacancy
        .postings
        .iter()
        .map(|p| p.channel.as_str())
        .collect();
    let mut sources: Vec<&str> = vacancy.postings.iter().map(|p| p.source.as_str()).collect();
    for (field, values) in [
        (fields.source_kind, &mut kinds),
        (fields.channel, &mut channels),
        (fields.source, &mut sources),
    ] {
        values.sort_unstable();
        values.dedup();
        for value in values.iter() {
            doc.add_text(field, value);
        }
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|value| !value.is_empty())
}
