//! `vindwerk crawl` and the crawl half of `ingest`: one round under the store's run lock.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use vindwerk_crawler::config;
use vindwerk_crawler::round::{self, Progress, RoundOptions, RoundSummary};
use vindwerk_store::{RunLock, StoreError};

use super::{EXIT_CONFIG, EXIT_FAILURE, EXIT_LOCKED, EXIT_OK};
use crate::cli::CrawlArgs;

/// The outcome of the crawl half, for `crawl` and `ingest` alike.
pub enum Crawled {
    Done {
        summary: RoundSummary,
        lock: RunLock,
    },
    Exit(ExitCode),
}

pub fn run(args: &CrawlArgs) -> anyhow::Result<ExitCode> {
    match crawl(args)? {
        Crawled::Done { summary, .. } => Ok(exit_code(args, &summary)),
        Crawled::Exit(code) => Ok(code),
    }
}

pub fn exit_code(args: &CrawlArgs, summary: &RoundSummary) -> ExitCode {
    if args.strict && summary.failed_sources().next().is_some() {
        ExitCode::from(EXIT_FAILURE)
    } else {
        ExitCode::from(EXIT_OK)
    }
}

/// Loads the sources, takes the lock, runs a round and prints its summary. The lock is handed
/// back so that `ingest` indexes under it too.
pub fn crawl(args: &CrawlArgs) -> anyhow::Result<Crawled> {
    let sources_path = &args.sources.sources;
    let config = match config::load(sources_path) {
        Ok(config) => config,
        Err(errors) => {
            for problem in &errors.problems {
                eprintln!("{}: {problem}", sources_path.display());
            }
            return Ok(Crawled::Exit(ExitCode::from(EXIT_CONFIG)));
        }
    };
    let db = &args.db.db;
    ensure_parent(db)?;
    let lock = match RunLock::acquire(db) {
        Ok(lock) => lock,
        Err(error @ StoreError::Locked { .. }) => {
            eprintln!("error: {error}");
            return Ok(Crawled::Exit(ExitCode::from(EXIT_LOCKED)));
        }
        Err(error) => return Err(error).context("cannot take the run lock"),
    };

    let progress = progress_bar();
    let mut options = RoundOptions::new(args.now.unwrap_or_else(Utc::now));
    options.progress = Some(progress_reporter(&progress));
    let runtime = super::runtime()?;
    let cancel = options.cancel.clone();
    let summary = runtime.block_on(async {
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                tracing::warn!("interrupted: finishing what is in flight");
                cancel.cancel();
            }
        });
        round::run_round(&config, db, options).await
    })?;
    progress.finish_and_clear();

    if args.json {
        println!(
            "{}",
            serde_json::to_string(&summary).context("cannot serialise the summary")?
        );
    } else {
        println!("{summary}");
    }
    Ok(Crawled::Done { summary, lock })
}

pub fn ensure_parent(path: &Path) -> anyhow::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    Ok(())
}

/// A spinner with counts on a terminal; nothing under cron (indicatif hides itself when
/// standard error is not a terminal).
fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed} {msg}")
            .expect("progress template literal should parse"),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn progress_reporter(bar: &ProgressBar) -> Arc<dyn Fn(Progress) + Send + Sync> {
    use std::sync::atomic::{AtomicU64, Ordering};
    let bar = bar.clone();
    let pages = AtomicU64::new(0);
    let postings = AtomicU64::new(0);
    let sources = AtomicU64::new(0);
    Arc::new(move |event| {
        match event {
            Progress::PageFetched => pages.fetch_add(1, Ordering::Relaxed),
            Progress::PostingFound => postings.fetch_add(1, Ordering::Relaxed),
            Progress::SourceFinished => sources.fetch_add(1, Ordering::Relaxed),
        };
        bar.set_message(format!(
            "{} pages, {} postings, {} sources done",
            pages.load(Ordering::Relaxed),
            postings.load(Ordering::Relaxed),
            sources.load(Ordering::Relaxed)
        ));
    })
}
