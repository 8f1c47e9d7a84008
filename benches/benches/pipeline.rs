//! Micro benchmarks of each stage of the pipeline on realistic inputs: extraction of recorded
//! pages, normalisation, deduplication and indexing of a crawled fixture web, and search
//! requests through the server's router. `cargo bench -p vindwerk-benches --bench pipeline`.

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use tower::ServiceExt;
use url::Url;
use vindwerk_benches::crawled::{self, Crawled};
use vindwerk_crawler::config;
use vindwerk_crawler::extract::{self, Rules};
use vindwerk_indexer::dedup::{self, DedupConfig};
use vindwerk_indexer::index::{self, IndexHandle, WriterConfig};
use vindwerk_indexer::normalise::Gazetteer;
use vindwerk_indexer::pipeline;
use vindwerk_search_server::{AppState, Synonyms, VacancyMap};

/// Vacancies in the crawled world (about 1.6 postings each).
const WORLD_VACANCIES: usize = 1_000;

fn extraction(c: &mut Criterion) {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../sources.toml");
    let example = config::load(example).expect("the example sources.toml loads");
    let zwolle = example
        .sources
        .iter()
        .find(|source| source.id.as_str() == "gemeente-zwolle")
        .map(Rules::for_source)
        .expect("gemeente-zwolle is in the example");
    let pages = [
        ("json-ld", "ziekenhuis-jsonld.html", Rules::default()),
        ("microdata", "gemeente-microdata.html", Rules::default()),
        ("selectors", "zwolle-selectors.html", zwolle),
        ("closed", "gesloten.html", Rules::default()),
    ];
    let page_url = Url::parse("https://werkenbij.example.nl/vacatures/verpleegkundige")
        .expect("url literal should parse");
    let mut group = c.benchmark_group("extract");
    for (name, file, rules) in pages {
        let html = crawled::recorded_page(file).expect("recorded page");
        group.throughput(Throughput::Bytes(html.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| extract::extract(black_box(&html), &page_url, &rules));
        });
    }
    group.finish();
}

fn normalisation(c: &mut Criterion, crawled: &Crawled) {
    let mut group = c.benchmark_group("normalise");
    group.throughput(Throughput::Elements(crawled.postings.len() as u64));
    group.bench_function("postings", |b| {
        b.iter(|| {
            for posting in &crawled.postings {
                black_box(crawled.normaliser.normalise(posting));
            }
        });
    });
    group.finish();
}

fn deduplication(c: &mut Criterion, crawled: &Crawled) {
    let (_, items) = pipeline::prepare(&crawled.postings, &crawled.normaliser);
    let none = HashMap::new();
    let config = DedupConfig::default();
    let mut group = c.benchmark_group("dedup");
    group.throughput(Throughput::Elements(items.len() as u64));
    group.bench_function("cluster", |b| {
        b.iter(|| dedup::deduplicate(black_box(&items), &none, &config));
    });
    group.bench_function("normalise+cluster+merge", |b| {
        b.iter(|| {
            pipeline::build_vacancies(black_box(&crawled.postings), &none, &crawled.normaliser)
        });
    });
    group.finish();
}

fn indexing(c: &mut Criterion, crawled: &Crawled) {
    let mut group = c.benchmark_group("index");
    group.sample_size(10);
    group.throughput(Throughput::Elements(crawled.vacancies.len() as u64));
    group.bench_function("full build", |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("temp dir"),
            |dir| {
                index::build_index(
                    dir.path(),
                    crawled.vacancies.iter().cloned(),
                    WriterConfig::default(),
                    None,
                )
                .expect("index builds");
                dir
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

fn search(c: &mut Criterion, crawled: &Crawled) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let index = IndexHandle::open(&crawled.index).expect("index opens");
    let state = AppState::new(
        Arc::new(index),
        Arc::new(VacancyMap::new(crawled.vacancies.iter().cloned())),
        Arc::new(Gazetteer::load().expect("gazetteer loads")),
    )
    .with_synonyms(Synonyms::from_esco(&crawled.normaliser.occupations));
    let app = vindwerk_search_server::app(state);
    let queries = [
        ("everything", "/api/search?q="),
        ("one word", "/api/search?q=verpleegkundige"),
        ("compound", "/api/search?q=chauffeur"),
        (
            "text+facets+distance",
            "/api/search?q=medewerker&province=Utrecht&province=Gelderland&employment_type=part_time&near=3584&km=50",
        ),
        ("typo", "/api/search?q=verpleegkundge"),
        ("understood", "/api/search?q=zorg%2032%20uur%20utrecht"),
        ("page", "/?q=monteur&near=Zwolle&km=25"),
    ];
    let mut group = c.benchmark_group("search");
    for (name, uri) in queries {
        group.bench_function(name, |b| {
            b.to_async(&runtime).iter(|| {
                let app = app.clone();
                async move {
                    let request = Request::get(uri).body(Body::empty()).expect("request");
                    let response = app.oneshot(request).await.expect("router answers");
                    assert!(
                        response.status().is_success(),
                        "{uri}: {}",
                        response.status()
                    );
                    axum::body::to_bytes(response.into_body(), usize::MAX)
                        .await
                        .expect("body")
                }
            });
        });
    }
    group.finish();
}

fn pipeline_benches(c: &mut Criterion) {
    extraction(c);
    let crawled = crawled::crawl_fixture_web(WORLD_VACANCIES).expect("crawl the fixture web");
    eprintln!(
        "crawled world: {} postings, {} vacancies",
        crawled.postings.len(),
        crawled.vacancies.len()
    );
    normalisation(c, &crawled);
    deduplication(c, &crawled);
    indexing(c, &crawled);
    search(c, &crawled);
}

criterion_group!(benches, pipeline_benches);
criterion_main!(benches);
