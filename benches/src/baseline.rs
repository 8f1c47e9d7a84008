//! The baselines of the search benchmark, run on the same corpus and query mix as vindwerk:
//! SQLite FTS5 ([`crate::fts`]) and PostgreSQL full-text search ([`crate::pg`]). Each is
//! loaded from the corpus file (timed), then answers the mix one query at a time through
//! [`measure_mix`], the same measuring loop as vindwerk's in-process run.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;
use vindwerk_indexer::normalise::Gazetteer;
use vindwerk_search_server::PlaceLookup;

use crate::corpus::read_json_lines;
use crate::fts::{FtsIndex, FtsQuery, FtsResults};
use crate::measure::{Latencies, latencies, round3, timed};
use crate::pg::PgIndex;
use crate::queries::LogicalQuery;

/// What a baseline cost to load and how fast it answered the mix from one client.
#[derive(Debug, Serialize)]
pub struct BaselineReport {
    pub load_s: f64,
    /// On disk (FTS5: the database file; PostgreSQL: the table with its indexes and TOAST).
    pub bytes: u64,
    pub single: Latencies,
}

/// Per query (its query string): the total and the mean latency in ms.
pub type PerQueryFigures = BTreeMap<String, (u64, f64)>;

/// What a baseline measured: its report, its figures per query, and its first answer to each
/// query of the mix (to compare the baselines).
pub type BaselineRun = (BaselineReport, PerQueryFigures, Vec<FtsResults>);

/// Loads the corpus into a new FTS5 database `dir/fts.db` and runs `n` queries of the mix.
pub fn fts(
    dir: &Path,
    corpus_path: &Path,
    mix: &[LogicalQuery],
    n: usize,
) -> anyhow::Result<BaselineRun> {
    let path = dir.join("fts.db");
    for suffix in ["", "-wal", "-shm"] {
        remove_if_exists(&PathBuf::from(format!("{}{suffix}", path.display())))?;
    }
    let (count, load_s) = timed(|| {
        let mut index = FtsIndex::create(&path)?;
        index.load(read_json_lines(corpus_path)?)
    })?;
    let bytes = fs::metadata(&path)?.len();
    progress(&format!(
        "fts5: {count} vacancies loaded in {load_s:.1} s, {} MB",
        bytes / 1_000_000
    ));
    let index = FtsIndex::open(&path)?;
    answer_mix("fts5", load_s, bytes, mix, n, |query| index.search(query))
}

/// Loads the corpus into the PostgreSQL database at `conninfo` (its table is dropped and
/// created anew) and runs `n` queries of the mix.
pub fn postgres(
    conninfo: &str,
    corpus_path: &Path,
    mix: &[LogicalQuery],
    n: usize,
) -> anyhow::Result<BaselineRun> {
    let mut index = PgIndex::connect(conninfo)?;
    let (count, load_s) = timed(|| index.load(read_json_lines(corpus_path)?))?;
    let bytes = index.bytes()?;
    progress(&format!(
        "postgres: {count} vacancies loaded and indexed in {load_s:.1} s, {} MB",
        bytes / 1_000_000
    ));
    let index = std::cell::RefCell::new(index);
    answer_mix("postgres", load_s, bytes, mix, n, |query| {
        index.borrow_mut().search(query)
    })
}

/// A loaded baseline answers `n` queries of the mix: its report.
fn answer_mix(
    name: &str,
    load_s: f64,
    bytes: u64,
    mix: &[LogicalQuery],
    n: usize,
    search: impl Fn(&FtsQuery) -> anyhow::Result<FtsResults>,
) -> anyhow::Result<BaselineRun> {
    let queries = fts_queries(mix)?;
    let (single, figures, answers) = measure_mix(mix, &queries, n, search)?;
    progress(&format!(
        "{name}: p50 {} ms, p95 {} ms, p99 {} ms",
        single.p50_ms, single.p95_ms, single.p99_ms
    ));
    Ok((
        BaselineReport {
            load_s: round3(load_s),
            bytes,
            single,
        },
        figures,
        answers,
    ))
}

/// An answer with a total number of hits.
pub trait Total {
    fn total(&self) -> u64;
}

impl Total for u64 {
    fn total(&self) -> u64 {
        *self
    }
}

impl Total for FtsResults {
    fn total(&self) -> u64 {
        self.total
    }
}

/// Answers every query once (unmeasured: the warm-up, whose answers are returned), then runs
/// the queries of `mix` round-robin `n` times: the latencies, and per query its total hits
/// and mean milliseconds.
pub fn measure_mix<Q, A: Total>(
    mix: &[LogicalQuery],
    queries: &[Q],
    n: usize,
    run: impl Fn(&Q) -> anyhow::Result<A>,
) -> anyhow::Result<(Latencies, PerQueryFigures, Vec<A>)> {
    let answers: Vec<A> = queries.iter().map(&run).collect::<anyhow::Result<_>>()?;
    let mut samples = Vec::with_capacity(n);
    let mut per_query = vec![Duration::ZERO; queries.len()];
    let mut runs = vec![0u32; queries.len()];
    for i in 0..n {
        let which = i % queries.len();
        let began = Instant::now();
        run(&queries[which])?;
        let took = began.elapsed();
        samples.push(took);
        per_query[which] += took;
        runs[which] += 1;
    }
    let figures = mix
        .iter()
        .enumerate()
        .map(|(i, query)| {
            let mean = per_query[i].as_secs_f64() * 1e3 / f64::from(runs[i].max(1));
            (query.to_string(), (answers[i].total(), round3(mean)))
        })
        .collect();
    Ok((latencies(&mut samples), figures, answers))
}

/// The mix as the baselines get it: each place located by vindwerk's gazetteer.
pub fn fts_queries(mix: &[LogicalQuery]) -> anyhow::Result<Vec<FtsQuery>> {
    let gazetteer = Gazetteer::load()?;
    mix.iter()
        .map(|query| fts_query(query, &gazetteer))
        .collect()
}

/// One logical query as the baselines get it: the place located, the filters as columns.
pub fn fts_query(query: &LogicalQuery, gazetteer: &Gazetteer) -> anyhow::Result<FtsQuery> {
    let place = gazetteer
        .locate(&query.near)
        .with_context(|| format!("the gazetteer does not know {:?}", query.near))?;
    let mut filters = BTreeMap::new();
    if let Some(province) = &query.province {
        filters.insert("province", vec![province.clone()]);
    }
    if let Some(kind) = &query.employment_type {
        filters.insert("employment_type", vec![kind.clone()]);
    }
    Ok(FtsQuery {
        text: query.text.clone(),
        lat: place.point.lat,
        lon: place.point.lon,
        km: query.km,
        filters,
    })
}

/// How PostgreSQL's answers agree with FTS5's on the same queries. Without text both read the
/// same rows by the same filters, so totals, facet counts and the newest 20 must be equal;
/// with text they differ where the `dutch` configuration stems or drops a stop word and
/// FTS5's `unicode61` matches the plain word (ranking differs too, so hits are not compared).
#[derive(Debug, Serialize)]
pub struct Agreement {
    pub queries: usize,
    /// Queries whose totals differ.
    pub total_mismatches: usize,
    /// Of those, queries without text (which should be none).
    pub total_mismatches_without_text: usize,
    /// Queries whose six facets' counts differ.
    pub facet_mismatches: usize,
    /// Of those, queries without text (which should be none).
    pub facet_mismatches_without_text: usize,
    /// Queries without text whose 20 newest hits differ (ids, in order).
    pub hit_mismatches_without_text: usize,
    /// Each query whose totals differ: (query, FTS5 total, PostgreSQL total).
    pub differing_totals: Vec<(String, u64, u64)>,
}

/// "totals differ on 7 of 84 queries (0 without text), ...": one line for a report.
impl std::fmt::Display for Agreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "totals differ on {} of {} queries ({} without text), facet counts on {} ({} without \
             text), newest hits on {} without text",
            self.total_mismatches,
            self.queries,
            self.total_mismatches_without_text,
            self.facet_mismatches,
            self.facet_mismatches_without_text,
            self.hit_mismatches_without_text
        )
    }
}

/// Compares the answers of two baselines to the same `mix`.
pub fn agreement(mix: &[LogicalQuery], fts: &[FtsResults], pg: &[FtsResults]) -> Agreement {
    let mut agreement = Agreement {
        queries: mix.len().min(fts.len()).min(pg.len()),
        total_mismatches: 0,
        total_mismatches_without_text: 0,
        facet_mismatches: 0,
        facet_mismatches_without_text: 0,
        hit_mismatches_without_text: 0,
        differing_totals: Vec::new(),
    };
    for ((query, fts), pg) in mix.iter().zip(fts).zip(pg) {
        let without_text = !query.text.chars().any(char::is_alphanumeric);
        if fts.total != pg.total {
            agreement.total_mismatches += 1;
            agreement.total_mismatches_without_text += usize::from(without_text);
            agreement
                .differing_totals
                .push((query.to_string(), fts.total, pg.total));
        }
        if fts.facets != pg.facets {
            agreement.facet_mismatches += 1;
            agreement.facet_mismatches_without_text += usize::from(without_text);
        }
        let ids = |results: &FtsResults| -> Vec<String> {
            results.hits.iter().map(|hit| hit.id.clone()).collect()
        };
        if without_text && ids(fts) != ids(pg) {
            agreement.hit_mismatches_without_text += 1;
        }
    }
    agreement
}

fn remove_if_exists(path: &Path) -> anyhow::Result<()> {
    match fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            Err(error).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

fn progress(message: &str) {
    eprintln!("[bench-search] {message}");
}
