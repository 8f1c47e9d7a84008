//! `vindwerk index` and the index half of `ingest`: postings to vacancies (normalise, dedup,
//! merge) written back into the store, then the search index brought up to date.
//!
//! The store numbers its changes; the index keeps the number it last caught up with as its
//! watermark, so a run rewrites only the vacancies that changed since, and `--full` (or a
//! missing index) rebuilds from every vacancy.

use std::cell::RefCell;
use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use tracing::info;
use vindwerk_indexer::index::{self, GenerationWriter, WriterConfig};
use vindwerk_indexer::pipeline::{Normaliser, Prepared};
use vindwerk_model::{Vacancy, VacancyId};
use vindwerk_store::{ChangeSeq, Store, StoreError};

use super::EXIT_OK;
use crate::cli::IndexArgs;

/// What an index run did.
#[derive(Debug, Clone, Serialize)]
pub struct IndexReport {
    pub postings: usize,
    pub vacancies: usize,
    pub vacancies_changed: usize,
    pub vacancies_deleted: usize,
    /// Vacancies settled long ago, which the run left as they are (see [`SETTLE_AFTER_DAYS`]).
    pub vacancies_settled: u64,
    pub generation: String,
    pub documents: u64,
    pub documents_written: u64,
    pub full_rebuild: bool,
    /// Per organisation with an internal labour market: its slug and the vacancies its own
    /// index holds.
    pub internal: Vec<(String, u64)>,
    pub seconds: f64,
}

pub fn run(args: &IndexArgs) -> anyhow::Result<ExitCode> {
    let run = IndexRun {
        full: args.full,
        now: args.now.unwrap_or_else(Utc::now),
        settle_after: TimeDelta::days(args.settle.settle_after_days),
    };
    let report = index(&args.db.db, &args.index.index, &run)?;
    print_report(&report);
    Ok(ExitCode::from(EXIT_OK))
}

pub fn print_report(report: &IndexReport) {
    println!(
        "indexed {} postings into {} vacancies ({} changed, {} removed, {} settled ones left as they are); {} {} documents, {} written, in {:.1} s",
        report.postings,
        report.vacancies,
        report.vacancies_changed,
        report.vacancies_deleted,
        report.vacancies_settled,
        report.generation,
        report.documents,
        report.documents_written,
        report.seconds
    );
    for (slug, documents) in &report.internal {
        println!("internal labour market org:{slug}: {documents} vacancies in its own index");
    }
}

/// How long after its last posting expired a vacancy is settled: left as it is by the index
/// runs, which then read only the live and recently expired part of the store. Twice dedup's
/// date window (60 days between publication dates): a settled posting is too old to join a
/// new one.
pub const SETTLE_AFTER_DAYS: i64 = 120;

/// How an index run goes.
#[derive(Debug, Clone)]
pub struct IndexRun {
    /// Rebuild the whole index instead of updating what changed.
    pub full: bool,
    /// The run's clock: vacancies are written at it and settle by it.
    pub now: DateTime<Utc>,
    /// How long after its last posting expired a vacancy is settled.
    pub settle_after: TimeDelta,
}

impl IndexRun {
    /// An incremental run at `now` that settles vacancies after [`SETTLE_AFTER_DAYS`].
    pub fn at(now: DateTime<Utc>) -> IndexRun {
        IndexRun {
            full: false,
            now,
            settle_after: TimeDelta::days(SETTLE_AFTER_DAYS),
        }
    }
}

pub fn index(db: &Path, index_root: &Path, run: &IndexRun) -> anyhow::Result<IndexReport> {
    let started = Instant::now();
    let normaliser = Normaliser::load().context("cannot load the reference data")?;
    let mut store =
        Store::open(db).with_context(|| format!("cannot open the store {}", db.display()))?;

    // Each posting is normalised as it is read; what dedup and the merge need is kept, its
    // published text only once, as plain text.
    let stage = Instant::now();
    let now = run.now;
    let settled_before = now - run.settle_after;
    let mut prepared = Prepared::new();
    store.for_each_open_posting(settled_before, |posting| -> Result<(), StoreError> {
        prepared.push(posting, &normaliser);
        Ok(())
    })?;
    let n_postings = prepared.len();
    info!(
        postings = n_postings,
        seconds = stage.elapsed().as_secs_f64(),
        "postings read and normalised"
    );
    let previous = store.open_vacancy_assignments(settled_before)?;
    let stage = Instant::now();
    // A new vacancy never takes the id of a settled one, which dedup does not see.
    let lookup_error: RefCell<Option<StoreError>> = RefCell::new(None);
    let in_use = |id: &VacancyId| match store.has_vacancy(id) {
        Ok(found) => found,
        Err(error) => {
            lookup_error.borrow_mut().get_or_insert(error);
            false
        }
    };
    let vacancies = prepared.into_vacancies_among(&previous, &in_use);
    if let Some(error) = lookup_error.into_inner() {
        return Err(error.into());
    }
    info!(
        vacancies = vacancies.len(),
        seconds = stage.elapsed().as_secs_f64(),
        "vacancies deduplicated and merged"
    );

    let current: HashSet<&VacancyId> = vacancies.iter().map(|vacancy| &vacancy.id).collect();
    let vanished: HashSet<&VacancyId> = previous
        .values()
        .filter(|id| !current.contains(id))
        .collect();
    let stage = Instant::now();
    let vacancies_changed = store.write(|batch| -> Result<usize, StoreError> {
        let mut changed = 0;
        for vacancy in &vacancies {
            if batch.upsert_vacancy(vacancy, now)? {
                changed += 1;
            }
        }
        for id in &vanished {
            batch.delete_vacancy(id)?;
        }
        Ok(changed)
    })?;
    info!(
        changed = vacancies_changed,
        seconds = stage.elapsed().as_secs_f64(),
        "vacancies written to the store"
    );
    let stage = Instant::now();

    std::fs::create_dir_all(index_root)
        .with_context(|| format!("cannot create {}", index_root.display()))?;
    let seq = store.change_seq()?;
    let watermark =
        index::index_watermark(index_root)?.and_then(|text| text.parse::<ChangeSeq>().ok());
    let config = WriterConfig::default();
    let full_rebuild = run.full || watermark.is_none();
    let stats = match watermark {
        Some(since) if !run.full => {
            let mut changed: Vec<Vacancy> = Vec::new();
            store.for_each_vacancy_changed_since(since, |vacancy| -> Result<(), StoreError> {
                changed.push(vacancy);
                Ok(())
            })?;
            let deleted = store.vacancies_deleted_since(since)?;
            index::update_index(
                index_root,
                changed,
                &deleted,
                config,
                Some(&seq.to_string()),
            )?
        }
        // Every vacancy of the store: the settled ones too, which this run did not touch.
        _ => {
            let mut generation = GenerationWriter::create(index_root, config)?;
            store.for_each_vacancy(None, |vacancy| -> anyhow::Result<()> {
                generation.upsert(&vacancy)?;
                Ok(())
            })?;
            generation.publish(Some(&seq.to_string()))?
        }
    };
    info!(
        documents = stats.documents,
        written = stats.changed,
        seconds = stage.elapsed().as_secs_f64(),
        "index written"
    );
    let mut internal_vacancies = Vec::new();
    store.for_each_internal_vacancy(|vacancy| -> Result<(), StoreError> {
        internal_vacancies.push(vacancy);
        Ok(())
    })?;
    let internal = index::build_internal_indexes(index_root, &internal_vacancies, config)?
        .into_iter()
        .map(|(slug, stats)| (slug, stats.documents))
        .collect();
    Ok(IndexReport {
        postings: n_postings,
        vacancies: vacancies.len(),
        vacancies_changed,
        vacancies_deleted: vanished.len(),
        vacancies_settled: store
            .count_vacancies()?
            .saturating_sub(vacancies.len() as u64),
        generation: stats.generation,
        documents: stats.documents,
        documents_written: stats.changed,
        full_rebuild,
        internal,
        seconds: started.elapsed().as_secs_f64(),
    })
}
