//! The baseline a developer would reach for instead of vindwerk's search: SQLite FTS5 over the
//! same vacancies, answering the same logical queries.
//!
//! One `vacancies` table holds the fields filtered and counted, an external-content FTS5 table
//! indexes title and description (`unicode61`, diacritics removed: no stemming, no compound
//! splitting, no synonyms, no typos, which vindwerk's text search does). A search
//!
//! 1. collects its candidates once into a temporary table: the text match (with its bm25
//!    score) within the distance (a bounding box on `lat`/`lon`, then the equirectangular
//!    distance, exact to well under 0.1% at these radii);
//! 2. counts the total and six facets on the candidates with `GROUP BY`, each facet ignoring
//!    its own filter (disjunctive, as vindwerk counts them);
//! 3. reads the 20 best (bm25 with the title weighted 3 to 1, or the newest for an empty text)
//!    with a highlighted snippet of the description.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use rusqlite::types::Value;
use rusqlite::{Connection, params, params_from_iter};
use vindwerk_model::Vacancy;

/// The facets counted, as `vacancies` columns (and vindwerk's facet parameters).
pub const FACETS: [&str; 6] = [
    "province",
    "region",
    "occupation",
    "employment_type",
    "education_level",
    "employer",
];

/// Hits per page, as vindwerk's default.
pub const PER_PAGE: usize = 20;
/// Most values listed per facet, as vindwerk's.
const FACET_LIMIT: usize = 100;
/// Rows inserted per transaction while loading.
const LOAD_BATCH: usize = 50_000;
const KM_PER_DEGREE: f64 = 111.195;

const SCHEMA: &str = "
CREATE TABLE vacancies (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    employer TEXT,
    city TEXT,
    province TEXT,
    region TEXT,
    occupation TEXT,
    employment_type TEXT,
    education_level TEXT,
    status TEXT NOT NULL,
    date_posted TEXT,
    lat REAL,
    lon REAL
);
CREATE VIRTUAL TABLE fts USING fts5(
    title, description,
    content = 'vacancies', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);
";

/// Indexes created after the load, as one would for a bulk import.
const INDEXES: &str = "
CREATE INDEX vacancies_lat ON vacancies (lat);
CREATE INDEX vacancies_province ON vacancies (province);
ANALYZE;
";

/// A search on the FTS5 baseline: the logical query with its place already located.
#[derive(Debug, Clone, PartialEq)]
pub struct FtsQuery {
    pub text: String,
    pub lat: f64,
    pub lon: f64,
    pub km: f64,
    /// Facet column -> accepted values (OR within, AND across).
    pub filters: BTreeMap<&'static str, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FtsHit {
    pub id: String,
    pub title: String,
    pub employer: Option<String>,
    pub city: Option<String>,
    pub snippet: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FtsResults {
    pub total: u64,
    pub hits: Vec<FtsHit>,
    /// Facet -> (value, count), most frequent first.
    pub facets: BTreeMap<&'static str, Vec<(String, u64)>>,
}

/// An FTS5 database of vacancies.
pub struct FtsIndex {
    conn: Connection,
}

impl FtsIndex {
    /// Creates a new database at `path` (which must not exist yet).
    pub fn create(path: &Path) -> anyhow::Result<FtsIndex> {
        let conn = Connection::open(path)
            .with_context(|| format!("cannot create the FTS5 database {}", path.display()))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -262144;",
        )
        .context("cannot set up the FTS5 database")?;
        conn.execute_batch(SCHEMA)
            .context("cannot create the FTS5 tables (is FTS5 compiled in?)")?;
        Ok(FtsIndex { conn })
    }

    /// Opens a database made by [`create`](Self::create) and [`load`](Self::load).
    pub fn open(path: &Path) -> anyhow::Result<FtsIndex> {
        let conn = Connection::open(path)
            .with_context(|| format!("cannot open the FTS5 database {}", path.display()))?;
        conn.execute_batch(
            "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 8589934592;",
        )
        .context("cannot set up the FTS5 database")?;
        conn.set_prepared_statement_cache_capacity(256);
        Ok(FtsIndex { conn })
    }

    /// Loads `vacancies` in batches, then builds the column indexes; returns the count.
    pub fn load(
        &mut self,
        vacancies: impl IntoIterator<Item = anyhow::Result<Vacancy>>,
    ) -> anyhow::Result<u64> {
        let mut count = 0u64;
        let mut vacancies = vacancies.into_iter().peekable();
        while vacancies.peek().is_some() {
            let tx = self.conn.transaction()?;
            {
                let mut row = tx.prepare_cached(
                    "INSERT INTO vacancies (id, title, description, employer, city, province, region,
                        occupation, employment_type, education_level, status, date_posted, lat, lon)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                )?;
                let mut text = tx.prepare_cached(
                    "INSERT INTO fts (rowid, title, description) VALUES (?1, ?2, ?3)",
                )?;
                for vacancy in vacancies.by_ref().take(LOAD_BATCH) {
                    let vacancy = vacancy?;
                    row.execute(params![
                        vacancy.id.as_str(),
                        vacancy.title,
                        vacancy.description,
                        vacancy.employer,
                        vacancy.city,
                        vacancy.province,
                        vacancy.region,
                        vacancy.occupation,
                        vacancy.employment_type.map(|kind| kind.as_str()),
                        vacancy.education_level.map(|level| level.as_str()),
                        vacancy.status.as_str(),
                        vacancy.date_posted.map(|date| date.to_string()),
                        vacancy.lat,
                        vacancy.lon,
                    ])?;
                    let rowid = tx.last_insert_rowid();
                    text.execute(params![rowid, vacancy.title, vacancy.description])?;
                    count += 1;
                }
            }
            tx.commit()?;
        }
        self.conn
            .execute_batch(INDEXES)
            .context("cannot index the FTS5 database's columns")?;
        self.conn
            .execute_batch(
                "INSERT INTO fts (fts) VALUES ('optimize'); PRAGMA wal_checkpoint(TRUNCATE);",
            )
            .context("cannot optimise the FTS5 index")?;
        Ok(count)
    }

    /// Runs one search.
    pub fn search(&self, query: &FtsQuery) -> anyhow::Result<FtsResults> {
        let text = match_expression(&query.text);
        self.collect_candidates(query, text.as_deref())?;

        let (where_all, values_all) = facet_filter(&query.filters, None);
        let total: i64 = self
            .conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM temp.candidates WHERE {where_all}"
            ))?
            .query_row(params_from_iter(&values_all), |row| row.get(0))?;

        let mut facets = BTreeMap::new();
        for facet in FACETS {
            let (filter, values) = facet_filter(&query.filters, Some(facet));
            let mut statement = self.conn.prepare_cached(&format!(
                "SELECT {facet}, count(*) FROM temp.candidates
                 WHERE {facet} IS NOT NULL AND {filter}
                 GROUP BY {facet} ORDER BY count(*) DESC, {facet} LIMIT {FACET_LIMIT}"
            ))?;
            let counts = statement
                .query_map(params_from_iter(&values), |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? as u64))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            facets.insert(facet, counts);
        }

        let hits = match &text {
            Some(text) => self.best_matches(text, &where_all, &values_all)?,
            None => self.newest(&where_all, &values_all)?,
        };
        Ok(FtsResults {
            total: total as u64,
            hits,
            facets,
        })
    }

    fn collect_candidates(&self, query: &FtsQuery, text: Option<&str>) -> anyhow::Result<()> {
        self.conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS candidates (
                rowid INTEGER PRIMARY KEY, score REAL, date_posted TEXT,
                province TEXT, region TEXT, occupation TEXT, employment_type TEXT,
                education_level TEXT, employer TEXT);
             DELETE FROM temp.candidates;",
        )?;
        let d_lat = query.km / KM_PER_DEGREE;
        let km_per_lon = KM_PER_DEGREE * query.lat.to_radians().cos();
        let d_lon = query.km / km_per_lon;
        let columns = "v.date_posted, v.province, v.region, v.occupation, v.employment_type,
                       v.education_level, v.employer";
        let within = "v.status = 'active'
             AND v.lat BETWEEN ?2 AND ?3 AND v.lon BETWEEN ?4 AND ?5
             AND ((v.lat - ?6) * ?8) * ((v.lat - ?6) * ?8)
                 + ((v.lon - ?7) * ?9) * ((v.lon - ?7) * ?9) <= ?10";
        let sql = match text {
            Some(_) => format!(
                "INSERT INTO temp.candidates
                 SELECT v.rowid, bm25(fts, 3.0, 1.0), {columns}
                 FROM fts JOIN vacancies v ON v.rowid = fts.rowid
                 WHERE fts MATCH ?1 AND {within}"
            ),
            None => format!(
                "INSERT INTO temp.candidates
                 SELECT v.rowid, 0.0, {columns} FROM vacancies v
                 WHERE ?1 IS NULL AND {within}"
            ),
        };
        self.conn.prepare_cached(&sql)?.execute(params![
            text,
            query.lat - d_lat,
            query.lat + d_lat,
            query.lon - d_lon,
            query.lon + d_lon,
            query.lat,
            query.lon,
            KM_PER_DEGREE,
            km_per_lon,
            query.km * query.km,
        ])?;
        Ok(())
    }

    fn best_matches(
        &self,
        text: &str,
        filter: &str,
        values: &[Value],
    ) -> anyhow::Result<Vec<FtsHit>> {
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT v.id, v.title, v.employer, v.city,
                    snippet(fts, 1, '<mark>', '</mark>', '…', 24)
             FROM fts JOIN vacancies v ON v.rowid = fts.rowid
             WHERE fts MATCH ? AND fts.rowid IN (SELECT rowid FROM temp.candidates WHERE {filter})
             ORDER BY bm25(fts, 3.0, 1.0) LIMIT {PER_PAGE}"
        ))?;
        let mut all: Vec<Value> = vec![Value::Text(text.to_owned())];
        all.extend_from_slice(values);
        let hits = statement
            .query_map(params_from_iter(&all), hit)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(hits)
    }

    fn newest(&self, filter: &str, values: &[Value]) -> anyhow::Result<Vec<FtsHit>> {
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT v.id, v.title, v.employer, v.city, substr(v.description, 1, 160)
             FROM (SELECT rowid, date_posted FROM temp.candidates WHERE {filter}) c
             JOIN vacancies v ON v.rowid = c.rowid
             ORDER BY c.date_posted DESC, c.rowid LIMIT {PER_PAGE}"
        ))?;
        let hits = statement
            .query_map(params_from_iter(values), hit)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(hits)
    }
}

fn hit(row: &rusqlite::Row<'_>) -> rusqlite::Result<FtsHit> {
    Ok(FtsHit {
        id: row.get(0)?,
        title: row.get(1)?,
        employer: row.get(2)?,
        city: row.get(3)?,
        snippet: row.get(4)?,
    })
}

/// The FTS5 expression of `text`: every word must match (each quoted, so no word is read as
/// an operator); `None` for no words.
pub fn match_expression(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| format!("\"{}\"", word.to_lowercase()))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The SQL condition on the candidates for `filters`, leaving out `except`'s own filter (a
/// facet's counts ignore it), with its values in order.
fn facet_filter(
    filters: &BTreeMap<&'static str, Vec<String>>,
    except: Option<&str>,
) -> (String, Vec<Value>) {
    let mut conditions = vec!["1".to_owned()];
    let mut values = Vec::new();
    for (column, accepted) in filters {
        if Some(*column) == except || accepted.is_empty() {
            continue;
        }
        let marks = vec!["?"; accepted.len()].join(", ");
        conditions.push(format!("{column} IN ({marks})"));
        values.extend(accepted.iter().cloned().map(Value::Text));
    }
    (conditions.join(" AND "), values)
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};
    use vindwerk_model::{EmploymentType, Status, VacancyId};

    use super::*;

    pub(crate) fn vacancy(
        id: &str,
        title: &str,
        province: &str,
        lat: f64,
        kind: EmploymentType,
    ) -> Vacancy {
        let seen = Utc
            .with_ymd_and_hms(2026, 11, 20, 6, 0, 0)
            .single()
            .expect("a valid time");
        Vacancy {
            id: VacancyId::new(id),
            title: title.to_owned(),
            employer: Some("Zorggroep".to_owned()),
            city: Some("Utrecht".to_owned()),
            postcode: None,
            province: Some(province.to_owned()),
            region: None,
            lat: Some(lat),
            lon: Some(5.12),
            employment_type: Some(kind),
            hours_min: None,
            hours_max: None,
            salary_min: None,
            salary_max: None,
            salary_currency: None,
            salary_period: None,
            salary_month_min: None,
            salary_month_max: None,
            education_level: None,
            occupation: None,
            isco: None,
            description: format!("Wij zoeken een {title} voor ons team."),
            date_posted: NaiveDate::from_ymd_opt(2026, 11, 1),
            valid_through: None,
            remote: false,
            status: Status::Active,
            first_seen: seen,
            last_seen: seen,
            expired_at: None,
            audience: Default::default(),
            postings: Vec::new(),
        }
    }

    /// Four vacancies around Utrecht (three nurses, one in Gelderland, one driver) and a
    /// nurse some 110 km north: the baselines' test corpus.
    pub(crate) fn five_vacancies() -> Vec<Vacancy> {
        vec![
            vacancy(
                "a",
                "Verpleegkundige",
                "Utrecht",
                52.09,
                EmploymentType::FullTime,
            ),
            vacancy(
                "b",
                "Verpleegkundige",
                "Utrecht",
                52.10,
                EmploymentType::PartTime,
            ),
            vacancy(
                "c",
                "Verpleegkundige",
                "Gelderland",
                52.11,
                EmploymentType::FullTime,
            ),
            vacancy("d", "Chauffeur", "Utrecht", 52.09, EmploymentType::FullTime),
            // Some 110 km north: outside the radius.
            vacancy(
                "e",
                "Verpleegkundige",
                "Utrecht",
                53.09,
                EmploymentType::FullTime,
            ),
        ]
    }

    #[test]
    fn match_expressions_quote_every_word() {
        assert_eq!(
            match_expression("Medewerker  klantenservice!").as_deref(),
            Some("\"medewerker\" \"klantenservice\"")
        );
        assert_eq!(match_expression(" - "), None);
    }

    #[test]
    fn searches_count_facets_disjunctively_within_the_distance() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("fts.db");
        let mut index = FtsIndex::create(&path).expect("FTS5 is available");
        let vacancies = five_vacancies();
        assert_eq!(index.load(vacancies.into_iter().map(Ok)).expect("load"), 5);
        drop(index);
        let index = FtsIndex::open(&path).expect("open");
        let query = FtsQuery {
            text: "verpleegkundige".to_owned(),
            lat: 52.09,
            lon: 5.12,
            km: 25.0,
            filters: BTreeMap::from([("province", vec!["Utrecht".to_owned()])]),
        };
        let results = index.search(&query).expect("search");
        assert_eq!(results.total, 2);
        let mut ids: Vec<&str> = results.hits.iter().map(|hit| hit.id.as_str()).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["a", "b"]);
        assert!(results.hits[0].snippet.contains("<mark>"));
        assert_eq!(
            results.facets["province"],
            [("Utrecht".to_owned(), 2), ("Gelderland".to_owned(), 1)]
        );
        assert_eq!(
            results.facets["employment_type"],
            [("full_time".to_owned(), 1), ("part_time".to_owned(), 1)]
        );

        let everything = FtsQuery {
            text: String::new(),
            filters: BTreeMap::new(),
            ..query.clone()
        };
        let results = index.search(&everything).expect("search");
        assert_eq!(results.total, 4);
        assert_eq!(results.hits.len(), 4);

        let full_time_here = FtsQuery {
            text: String::new(),
            filters: BTreeMap::from([
                ("province", vec!["Utrecht".to_owned()]),
                ("employment_type", vec!["full_time".to_owned()]),
            ]),
            ..query
        };
        let results = index.search(&full_time_here).expect("search");
        assert_eq!(results.total, 2);
        let mut ids: Vec<&str> = results.hits.iter().map(|hit| hit.id.as_str()).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["a", "d"]);
    }
}
