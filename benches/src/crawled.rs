//! Realistic inputs for the micro benchmarks, made the way the product makes them: the fixture
//! web is crawled once by the real crawler into a temporary store, its postings normalised,
//! deduplicated and merged into vacancies, and those indexed. Each stage's benchmark then
//! replays its own stage on these inputs.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use chrono::{NaiveDate, TimeZone, Utc};
use vindwerk_crawler::config;
use vindwerk_crawler::round::{self, RoundOptions, RoundSummary};
use vindwerk_indexer::index::{self, WriterConfig};
use vindwerk_indexer::pipeline::{self, Normaliser};
use vindwerk_model::{Posting, Vacancy};
use vindwerk_store::{Store, StoreError};

use crate::fixture;

/// The day the benchmark worlds are dated: fixed, so that every run measures the same world.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 2).expect("benchmark date literal should be valid")
}

/// The fixture web after one crawl round: its store, postings, vacancies and index.
pub struct Crawled {
    /// Holds the store and the index; removed when dropped.
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub index: PathBuf,
    pub summary: RoundSummary,
    pub postings: Vec<Posting>,
    pub vacancies: Vec<Vacancy>,
    pub normaliser: Normaliser,
}

/// Crawls a world of `n_vacancies` (seed 1) served without delays, then builds its vacancies
/// and index, as `vindwerk ingest` does.
pub fn crawl_fixture_web(n_vacancies: usize) -> anyhow::Result<Crawled> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start a runtime")?;
    let world = Arc::new(fixture::world(1, n_vacancies, today())?);
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let db = dir.path().join("vindwerk.db");
    let index_dir = dir.path().join("index");
    let summary = runtime.block_on(async {
        let web = fixture::start(world).await?;
        let config = config::parse(&web.sources_toml())
            .map_err(|errors| anyhow::anyhow!("fixture sources.toml: {errors}"))?;
        let now = Utc.from_utc_datetime(&today().and_hms_opt(6, 0, 0).context("time")?);
        // Robots.txt and the one gate stay; the rate is lifted: this crawl only makes the
        // inputs, it is not what is measured.
        let mut options = RoundOptions::new(now);
        options.unlimited_rate = true;
        let summary = round::run_round(&config, &db, options).await?;
        web.shutdown().await;
        anyhow::Ok(summary)
    })?;

    let store = Store::open(&db)?;
    let mut postings = Vec::new();
    store.for_each_posting(|posting| -> Result<(), StoreError> {
        postings.push(posting);
        Ok(())
    })?;
    let normaliser = Normaliser::load()?;
    let vacancies = pipeline::build_vacancies(&postings, &Default::default(), &normaliser);
    std::fs::create_dir_all(&index_dir)?;
    index::build_index(
        &index_dir,
        vacancies.iter().cloned(),
        WriterConfig::default(),
        None,
    )?;
    Ok(Crawled {
        dir,
        db,
        index: index_dir,
        summary,
        postings,
        vacancies,
        normaliser,
    })
}

/// A recorded page of the crawler's extraction tests (`crawler/tests/pages/`).
pub fn recorded_page(name: &str) -> anyhow::Result<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../crawler/tests/pages/");
    std::fs::read_to_string(format!("{path}{name}")).with_context(|| format!("{path}{name}"))
}
