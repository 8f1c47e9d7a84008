//! One module per command; each returns the process exit status of CONTRACT.md.

mod check_config;
mod crawl;
mod demo;
mod export;
mod index;
mod organisation;
mod outbox;
mod serve;
mod user;

pub(crate) use index::SETTLE_AFTER_DAYS;

use std::process::ExitCode;

use anyhow::Context;

use crate::cli::Command;

/// The round completed (failed sources are reported, not fatal).
pub const EXIT_OK: u8 = 0;
/// A command failed, or with `--strict` a source failed.
pub const EXIT_FAILURE: u8 = 1;
/// Another run holds the store's lock (sysexits EX_TEMPFAIL).
pub const EXIT_LOCKED: u8 = 75;
/// The sources file is invalid (sysexits EX_CONFIG).
pub const EXIT_CONFIG: u8 = 78;

pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::CheckConfig(args) => Ok(check_config::run(&args)),
        Command::Crawl(args) => crawl::run(&args),
        Command::Export(args) => export::run(&args),
        Command::Index(args) => index::run(&args),
        Command::Ingest(args) => ingest(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::User(command) => user::run(&command),
        Command::Organisation(command) => organisation::run(&command),
        Command::Outbox(args) => outbox::run(&args),
    }
}

/// Crawl, then index under the same run lock: the one line for cron.
fn ingest(args: &crate::cli::IngestArgs) -> anyhow::Result<ExitCode> {
    let (summary, _lock) = match crawl::crawl(&args.crawl)? {
        crawl::Crawled::Done { summary, lock } => (summary, lock),
        crawl::Crawled::Exit(code) => return Ok(code),
    };
    // The index runs on the round's clock, so that a replay settles what it would have.
    let run = index::IndexRun {
        settle_after: chrono::TimeDelta::days(args.settle.settle_after_days),
        ..index::IndexRun::at(args.crawl.now.unwrap_or_else(chrono::Utc::now))
    };
    let report = index::index(&args.crawl.db.db, &args.index.index, &run)?;
    index::print_report(&report);
    Ok(crawl::exit_code(&args.crawl, &summary))
}

/// The async runtime of the network commands: both cores for IO and parsing.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("vindwerk")
        .build()
        .context("cannot start the async runtime")
}
