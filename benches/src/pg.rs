//! The second baseline: PostgreSQL full-text search over the same vacancies, answering the same
//! logical queries as FTS5 ([`crate::fts`]) with the same results shape.
//!
//! One `vacancies` table holds the fields filtered and counted and a stored `tsvector` of the
//! title (weight A) and the description (weight B) under the `dutch` configuration (Snowball
//! stemming and stop words; no compound splitting, synonyms or typos), with a GIN index. It is
//! loaded with `COPY`, then indexed, vacuumed and analysed, as one would for a bulk import.
//! A search is one prepared statement, one round trip (as FTS5's, in process, costs none):
//!
//! 1. a materialised CTE collects the candidates once: the text match (`plainto_tsquery`:
//!    every word, stemmed) with its `ts_rank`, within the distance (a bounding box on
//!    `lat`/`lon`, then the equirectangular distance, as FTS5's);
//! 2. on them, the total and the six facets with `GROUP BY`, each facet ignoring its own
//!    filter (disjunctive), as FTS5 counts them;
//! 3. and the 20 best (by rank, or the newest for an empty text) with a `ts_headline` of the
//!    description, all in one `UNION ALL`.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use anyhow::Context;
use postgres::types::ToSql;
use postgres::{Client, NoTls, Statement};
use vindwerk_model::Vacancy;

use crate::fts::{FACETS, FtsHit, FtsQuery, FtsResults, PER_PAGE};

const FACET_LIMIT: usize = 100;
const KM_PER_DEGREE: f64 = 111.195;

const SCHEMA: &str = "
DROP TABLE IF EXISTS vacancies;
CREATE TABLE vacancies (
    rid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    title text NOT NULL,
    description text NOT NULL,
    employer text,
    city text,
    province text,
    region text,
    occupation text,
    employment_type text,
    education_level text,
    status text NOT NULL,
    date_posted date,
    lat double precision,
    lon double precision,
    tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('dutch', title), 'A')
        || setweight(to_tsvector('dutch', description), 'B')
    ) STORED
);
";

const INDEXES: &str = "
CREATE INDEX vacancies_tsv ON vacancies USING gin (tsv);
CREATE INDEX vacancies_lat ON vacancies (lat);
CREATE INDEX vacancies_province ON vacancies (province);
CREATE INDEX vacancies_employment_type ON vacancies (employment_type);
";

/// A PostgreSQL database of vacancies.
pub struct PgIndex {
    client: Client,
    /// Prepared statements by their SQL, as FTS5's `prepare_cached`.
    statements: HashMap<String, Statement>,
}

impl PgIndex {
    /// Connects to `conninfo` (`host=127.0.0.1 port=54329 user=postgres dbname=...`).
    pub fn connect(conninfo: &str) -> anyhow::Result<PgIndex> {
        let client = Client::connect(conninfo, NoTls)
            .with_context(|| format!("cannot connect to PostgreSQL at {conninfo:?}"))?;
        Ok(PgIndex {
            client,
            statements: HashMap::new(),
        })
    }

    /// Drops and creates the table, copies `vacancies` in, then builds the indexes; returns
    /// the count.
    pub fn load(
        &mut self,
        vacancies: impl IntoIterator<Item = anyhow::Result<Vacancy>>,
    ) -> anyhow::Result<u64> {
        self.client
            .batch_execute(SCHEMA)
            .context("cannot create the PostgreSQL table")?;
        let mut writer = self.client.copy_in(
            "COPY vacancies (id, title, description, employer, city, province, region,
                occupation, employment_type, education_level, status, date_posted, lat, lon)
             FROM STDIN",
        )?;
        let mut count = 0u64;
        let mut line = String::new();
        for vacancy in vacancies {
            let vacancy = vacancy?;
            line.clear();
            let date = vacancy.date_posted.map(|date| date.to_string());
            let lat = vacancy.lat.map(|lat| lat.to_string());
            let lon = vacancy.lon.map(|lon| lon.to_string());
            let fields: [Option<&str>; 14] = [
                Some(vacancy.id.as_str()),
                Some(&vacancy.title),
                Some(&vacancy.description),
                vacancy.employer.as_deref(),
                vacancy.city.as_deref(),
                vacancy.province.as_deref(),
                vacancy.region.as_deref(),
                vacancy.occupation.as_deref(),
                vacancy.employment_type.map(|kind| kind.as_str()),
                vacancy.education_level.map(|level| level.as_str()),
                Some(vacancy.status.as_str()),
                date.as_deref(),
                lat.as_deref(),
                lon.as_deref(),
            ];
            for (i, field) in fields.iter().enumerate() {
                if i > 0 {
                    line.push('\t');
                }
                push_copy_field(&mut line, *field);
            }
            line.push('\n');
            writer.write_all(line.as_bytes())?;
            count += 1;
        }
        writer.finish().context("cannot copy the vacancies in")?;
        self.client
            .batch_execute(INDEXES)
            .context("cannot index the PostgreSQL table")?;
        // Visibility map and statistics, as after any bulk import (VACUUM runs on its own).
        self.client
            .batch_execute("VACUUM ANALYZE vacancies")
            .context("cannot vacuum and analyse the PostgreSQL table")?;
        self.statements.clear();
        Ok(count)
    }

    /// The table's size with its indexes and TOAST data, in bytes.
    pub fn bytes(&mut self) -> anyhow::Result<u64> {
        let row = self
            .client
            .query_one("SELECT pg_total_relation_size('vacancies')", &[])?;
        Ok(row.get::<_, i64>(0) as u64)
    }

    /// Runs one search.
    pub fn search(&mut self, query: &FtsQuery) -> anyhow::Result<FtsResults> {
        let text = has_words(&query.text).then(|| query.text.clone());
        let (sql, lists) = search_sql(&query.filters, text.is_some());
        let statement = self.statement(&sql)?;
        let d_lat = query.km / KM_PER_DEGREE;
        let km_per_lon = KM_PER_DEGREE * query.lat.to_radians().cos();
        let d_lon = query.km / km_per_lon;
        let (min_lat, max_lat) = (query.lat - d_lat, query.lat + d_lat);
        let (min_lon, max_lon) = (query.lon - d_lon, query.lon + d_lon);
        let km2 = query.km * query.km;
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![
            &text,
            &min_lat,
            &max_lat,
            &min_lon,
            &max_lon,
            &query.lat,
            &query.lon,
            &KM_PER_DEGREE,
            &km_per_lon,
            &km2,
        ];
        params.extend(lists.iter().map(|list| list as &(dyn ToSql + Sync)));
        let rows = self.client.query(&statement, &params)?;

        let mut total = 0;
        let mut facets: BTreeMap<&'static str, Vec<(String, u64)>> =
            FACETS.iter().map(|facet| (*facet, Vec::new())).collect();
        let mut hits = Vec::new();
        for row in &rows {
            let kind: &str = row.get(0);
            match kind {
                "total" => total = row.get::<_, i64>(2) as u64,
                "hit" => hits.push((
                    row.get::<_, i64>(7),
                    FtsHit {
                        id: row.get(3),
                        title: row.get(4),
                        employer: row.get(5),
                        city: row.get(6),
                        snippet: row.get(8),
                    },
                )),
                facet => {
                    let counts = FACETS
                        .iter()
                        .find(|name| **name == facet)
                        .and_then(|name| facets.get_mut(name))
                        .with_context(|| format!("an unknown row kind {facet:?}"))?;
                    counts.push((row.get(1), row.get::<_, i64>(2) as u64));
                }
            }
        }
        // UNION ALL keeps no order: the facets' order is FTS5's, the hits' their rank.
        for counts in facets.values_mut() {
            counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        }
        hits.sort_by_key(|(ord, _)| *ord);
        Ok(FtsResults {
            total,
            hits: hits.into_iter().map(|(_, hit)| hit).collect(),
            facets,
        })
    }

    fn statement(&mut self, sql: &str) -> anyhow::Result<Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self
            .client
            .prepare(sql)
            .with_context(|| format!("cannot prepare {sql}"))?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

/// The one statement of a search with these filters, with or without text, and the values of
/// its `text[]` parameters after the ten fixed ones: `$1` the text, `$2`..`$5` the bounding
/// box, `$6`/`$7` the place, `$8`/`$9` km per degree of latitude and longitude there, `$10` the
/// squared radius. Its rows: (kind, value, count, id, title, employer, city, rank, snippet),
/// kind `total`, a facet's name or `hit`.
fn search_sql(
    filters: &BTreeMap<&'static str, Vec<String>>,
    with_text: bool,
) -> (String, Vec<Vec<String>>) {
    const FIXED: usize = 10;
    let (score, matches, hits, order) = if with_text {
        (
            "ts_rank(v.tsv, plainto_tsquery('dutch', $1))",
            "v.tsv @@ plainto_tsquery('dutch', $1)",
            "ts_headline('dutch', v.description, plainto_tsquery('dutch', $1),
                 'StartSel=<mark>, StopSel=</mark>, MaxWords=24, MinWords=12')
             FROM (SELECT rid, score FROM c WHERE {all}
                   ORDER BY score DESC, rid LIMIT {PER_PAGE}) best
             JOIN vacancies v ON v.rid = best.rid",
            "best.score DESC, best.rid",
        )
    } else {
        (
            "0.0::real",
            "$1::text IS NULL",
            "substr(v.description, 1, 160)
             FROM (SELECT rid, date_posted FROM c WHERE {all}
                   ORDER BY date_posted DESC NULLS LAST, rid LIMIT {PER_PAGE}) newest
             JOIN vacancies v ON v.rid = newest.rid",
            "newest.date_posted DESC NULLS LAST, newest.rid",
        )
    };
    let (all, lists) = facet_filter(filters, None, FIXED + 1);
    let mut sql = format!(
        "WITH c AS MATERIALIZED (
            SELECT v.rid, {score} AS score, v.date_posted, v.province, v.region, v.occupation,
                   v.employment_type, v.education_level, v.employer
            FROM vacancies v
            WHERE {matches} AND v.status = 'active'
              AND v.lat BETWEEN $2 AND $3 AND v.lon BETWEEN $4 AND $5
              AND ((v.lat - $6) * $8) * ((v.lat - $6) * $8)
                  + ((v.lon - $7) * $9) * ((v.lon - $7) * $9) <= $10
         )
         SELECT 'total', NULL::text, count(*), NULL::text, NULL::text, NULL::text, NULL::text,
                NULL::bigint, NULL::text
         FROM c WHERE {all}"
    );
    for facet in FACETS {
        let (filter, _) = facet_filter(filters, Some(facet), FIXED + 1);
        sql.push_str(&format!(
            "
         UNION ALL (SELECT '{facet}', {facet}, count(*), NULL, NULL, NULL, NULL, NULL, NULL
            FROM c WHERE {facet} IS NOT NULL AND {filter}
            GROUP BY {facet} ORDER BY count(*) DESC, {facet} LIMIT {FACET_LIMIT})"
        ));
    }
    sql.push_str(&format!(
        "
         UNION ALL (SELECT 'hit', NULL, NULL, v.id, v.title, v.employer, v.city,
            row_number() OVER (ORDER BY {order}), {})",
        hits.replace("{all}", &all)
            .replace("{PER_PAGE}", &PER_PAGE.to_string())
    ));
    (sql, lists)
}

fn has_words(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

/// A field of COPY's text format: `\N` for null, backslash escapes for the rest.
fn push_copy_field(line: &mut String, field: Option<&str>) {
    let Some(field) = field else {
        line.push_str("\\N");
        return;
    };
    for c in field.chars() {
        match c {
            '\\' => line.push_str("\\\\"),
            '\t' => line.push_str("\\t"),
            '\n' => line.push_str("\\n"),
            '\r' => line.push_str("\\r"),
            c => line.push(c),
        }
    }
}

/// The SQL condition on the candidates for `filters`, leaving out `except`'s own filter (a
/// facet's counts ignore it), and every filter's values: one `text[]` parameter per filter,
/// numbered from `$first` in order whichever is left out.
fn facet_filter(
    filters: &BTreeMap<&'static str, Vec<String>>,
    except: Option<&str>,
    first: usize,
) -> (String, Vec<Vec<String>>) {
    let mut conditions = vec!["true".to_owned()];
    let mut values = Vec::new();
    for (column, accepted) in filters {
        if accepted.is_empty() {
            continue;
        }
        values.push(accepted.clone());
        if Some(*column) != except {
            conditions.push(format!("{column} = ANY(${})", first + values.len() - 1));
        }
    }
    (conditions.join(" AND "), values)
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::fts::FtsIndex;
    use crate::fts::tests::five_vacancies;

    /// Against a live database (`VINDWERK_BENCH_PG`, a connection string as
    /// `setup-postgres.sh` prints; its `vacancies` table is replaced): the same answers as
    /// FTS5 on a small corpus. Run with `VINDWERK_BENCH_PG=... cargo test -p
    /// vindwerk-benches -- --ignored`.
    #[test]
    #[ignore = "needs a PostgreSQL cluster named by VINDWERK_BENCH_PG (setup-postgres.sh)"]
    fn answers_as_fts5_does_on_a_live_database() {
        let conninfo = std::env::var("VINDWERK_BENCH_PG")
            .expect("VINDWERK_BENCH_PG names the database (setup-postgres.sh prints it)");
        let vacancies = five_vacancies();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("fts.db");
        let mut fts = FtsIndex::create(&path).expect("FTS5 is available");
        fts.load(vacancies.clone().into_iter().map(Ok))
            .expect("load");
        let mut pg = PgIndex::connect(&conninfo).expect("connect");
        assert_eq!(pg.load(vacancies.into_iter().map(Ok)).expect("load"), 5);

        let text = FtsQuery {
            text: "verpleegkundige".to_owned(),
            lat: 52.09,
            lon: 5.12,
            km: 25.0,
            filters: BTreeMap::from([("province", vec!["Utrecht".to_owned()])]),
        };
        let everything = FtsQuery {
            text: String::new(),
            filters: BTreeMap::new(),
            ..text.clone()
        };
        let full_time_here = FtsQuery {
            text: String::new(),
            filters: BTreeMap::from([
                ("province", vec!["Utrecht".to_owned()]),
                ("employment_type", vec!["full_time".to_owned()]),
            ]),
            ..text.clone()
        };
        for query in [&text, &everything, &full_time_here] {
            let theirs = fts.search(query).expect("FTS5 search");
            let ours = pg.search(query).expect("PostgreSQL search");
            assert_eq!(ours.total, theirs.total, "{query:?}");
            assert_eq!(ours.facets, theirs.facets, "{query:?}");
            let ids = |results: &FtsResults| {
                let mut ids: Vec<String> = results.hits.iter().map(|hit| hit.id.clone()).collect();
                ids.sort_unstable();
                ids
            };
            assert_eq!(ids(&ours), ids(&theirs), "{query:?}");
        }
        let results = pg.search(&text).expect("search");
        assert_eq!(results.total, 2);
        assert!(results.hits[0].snippet.contains("<mark>"));
        assert_eq!(
            results.facets["province"],
            [("Utrecht".to_owned(), 2), ("Gelderland".to_owned(), 1)]
        );
    }

    #[test]
    fn copy_fields_escape_what_the_format_reads() {
        let mut line = String::new();
        push_copy_field(&mut line, Some("a\tb\\c\nd"));
        line.push('\t');
        push_copy_field(&mut line, None);
        assert_eq!(line, "a\\tb\\\\c\\nd\t\\N");
    }

    #[test]
    fn facet_filters_leave_out_their_own_and_keep_their_parameters_numbers() {
        let filters = BTreeMap::from([
            ("employment_type", vec!["full_time".to_owned()]),
            (
                "province",
                vec!["Utrecht".to_owned(), "Gelderland".to_owned()],
            ),
        ]);
        let (all, values) = facet_filter(&filters, None, 2);
        assert_eq!(
            all,
            "true AND employment_type = ANY($2) AND province = ANY($3)"
        );
        assert_eq!(values.len(), 2);
        let (own, values) = facet_filter(&filters, Some("province"), 1);
        assert_eq!(own, "true AND employment_type = ANY($1)");
        assert_eq!(values.len(), 2);
        let (own, _) = facet_filter(&filters, Some("employment_type"), 1);
        assert_eq!(own, "true AND province = ANY($2)");
    }
}
