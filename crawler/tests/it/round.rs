//! A whole round over the fixture web, through the politeness gate, at the extremes of
//! `concurrency`: with a single request slot (which a page keeps until it is extracted) the
//! round must still finish and find exactly what a wide round finds.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use vindwerk_crawler::config;
use vindwerk_crawler::round::{RoundOptions, RoundSummary, run_round};
use vindwerk_fixtures::{FixtureWeb, Round, World, WorldParams};
use vindwerk_store::Store;

fn world() -> Arc<World> {
    let today = NaiveDate::from_ymd_opt(2026, 11, 2).expect("valid date");
    Arc::new(
        World::generate(WorldParams {
            seed: 5,
            n_employers: 20,
            n_vacancies: 120,
            today,
        })
        .expect("world"),
    )
}

/// Crawls the fixture web once with `concurrency` request slots; returns the summary and,
/// per source, how many active postings the store holds.
async fn crawl(web: &FixtureWeb, concurrency: usize) -> (RoundSummary, BTreeMap<String, usize>) {
    let text = web
        .sources_toml()
        .replace("concurrency = 32", &format!("concurrency = {concurrency}"));
    let config = config::parse(&text).expect("fixture sources.toml is valid");
    assert_eq!(config.crawler.concurrency.get(), concurrency);
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("store.sqlite");
    drop(Store::open(&db).expect("store"));
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 3, 0, 0).unwrap();
    let options = RoundOptions {
        unlimited_rate: true,
        ..RoundOptions::new(now)
    };
    let summary = run_round(&config, &db, options).await.expect("round");
    let store = Store::open_readonly(&db).expect("store");
    let mut active = BTreeMap::new();
    for source in &config.sources {
        let postings = store.active_postings(&source.id).expect("postings");
        active.insert(source.id.as_str().to_owned(), postings.len());
    }
    (summary, active)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_with_one_slot_finds_what_a_wide_round_finds() {
    let web = FixtureWeb::start(world(), Round::One)
        .await
        .expect("fixture web");
    let (narrow, narrow_active) = crawl(&web, 1).await;
    let (wide, wide_active) = crawl(&web, 16).await;

    assert_eq!(narrow.sources.len(), wide.sources.len());
    assert_eq!(narrow_active, wide_active);
    let total: usize = wide_active.values().sum();
    assert!(total > 100, "the fixture web has postings: {total}");
    for (one, other) in narrow.sources.iter().zip(&wide.sources) {
        // Summaries keep the order of sources.toml, however the round scheduled them.
        assert_eq!(one.source, other.source);
        assert_eq!(one.complete, other.complete, "{}", one.source.as_str());
        assert_eq!(
            one.postings_found,
            other.postings_found,
            "{}",
            one.source.as_str()
        );
    }
    // The board links to apply pages that its robots.txt disallows: skipped, not errors.
    let skipped: u64 = wide.sources.iter().map(|s| s.skipped_count()).sum();
    assert!(skipped > 0, "robots.txt keeps some pages back");
    assert!(
        wide.sources
            .iter()
            .all(|s| !s.errors.contains_key("robots_disallowed")),
        "a disallowed detail page is not an error"
    );
}
