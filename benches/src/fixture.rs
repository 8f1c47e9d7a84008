//! The fixture web as the benchmarks use it: a world of a chosen size served without the
//! artificial misbehaviour that exists to test politeness (slow hosts, 429 answers), so that a
//! crawl is bound by the crawler and the machine rather than by sleeps in the servers.
//!
//! Redirects, gzip, flaky first answers, broken JSON-LD blocks and traps stay: they are part of
//! the work a real crawl does.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use vindwerk_crawler::config::{Config, SourceSpec};
use vindwerk_fixtures::world::MIN_EMPLOYERS;
use vindwerk_fixtures::{
    FixtureWeb, Round, ServeError, WebOptions, World, WorldError, WorldParams,
};
use vindwerk_model::SourceKind;

/// Vacancies per employer in a benchmark world (the demo's ratio is similar).
pub const VACANCIES_PER_EMPLOYER: usize = 20;

/// The world of `n_vacancies` generated from `seed`, dated `today`.
pub fn world(seed: u64, n_vacancies: usize, today: NaiveDate) -> Result<World, WorldError> {
    let n_employers = (n_vacancies / VACANCIES_PER_EMPLOYER).max(MIN_EMPLOYERS);
    World::generate(WorldParams {
        seed,
        n_employers,
        n_vacancies,
        today,
    })
}

/// Fixture web options without response delays or rate-limit answers.
pub fn web_options() -> WebOptions {
    WebOptions {
        slow_delay: Duration::ZERO,
        rate_limit_every: 0,
    }
}

/// Serves `world` (round 1) on loopback with [`web_options`].
pub async fn start(world: Arc<World>) -> Result<FixtureWeb, ServeError> {
    FixtureWeb::start_with(world, Round::One, web_options()).await
}

/// Keeps only the sources of `kinds` (all when empty).
pub fn keep_kinds(config: &mut Config, kinds: &[SourceKind]) {
    if kinds.is_empty() {
        return;
    }
    config.sources.retain(|source| kinds.contains(&source.kind));
}

/// A sitemap source as a Scrapy `SitemapSpider` takes it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SitemapTarget {
    pub name: String,
    /// A sitemap or sitemap index URL, or the site's `robots.txt` when the source names the
    /// site root (Scrapy reads the sitemaps robots.txt lists).
    pub url: String,
    /// Regexes of page paths to read (vindwerk's `include`).
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// The sitemap sources of `config`, for the Scrapy spider.
pub fn sitemap_targets(config: &Config) -> Vec<SitemapTarget> {
    let mut targets = Vec::new();
    for source in &config.sources {
        let SourceSpec::Sitemap(spec) = &source.spec else {
            continue;
        };
        let mut url = spec.url.clone();
        if url.path() == "/" {
            url.set_path("/robots.txt");
        }
        targets.push(SitemapTarget {
            name: source.id.to_string(),
            url: url.to_string(),
            include: spec
                .include
                .iter()
                .map(|re| re.as_str().to_owned())
                .collect(),
            exclude: spec
                .exclude
                .iter()
                .map(|re| re.as_str().to_owned())
                .collect(),
        });
    }
    targets
}
