//! The search benchmark: vindwerk's index and search server on a synthetic corpus, side by
//! side with SQLite FTS5 and (with `--postgres`) PostgreSQL full-text search answering the same
//! queries in the same run.
//!
//! Phases: generate the corpus (the fixture world, normalised; cached as JSON lines), build
//! the index from it (time, peak memory), update it with changed vacancies, start the real
//! `vindwerk serve` binary and time its first answer, query it over loopback HTTP from one
//! client and from many, run the same query mix in process, then load each baseline and run
//! the mix there (`vindwerk_benches::baseline`), and compare PostgreSQL's answers with
//! FTS5's. `benches/scripts/run-search.sh` builds and runs it.

use std::collections::BTreeMap;
use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{NaiveDate, Utc};
use clap::Parser;
use serde::Serialize;
use vindwerk_benches::baseline::{self, Agreement, BaselineReport, PerQueryFigures, measure_mix};
use vindwerk_benches::corpus::{self, JsonLinesWriter, read_json_lines};
use vindwerk_benches::measure::{
    Latencies, latencies, peak_rss_bytes, process_peak_rss_bytes, round3, rss_bytes, timed,
};
use vindwerk_benches::queries::{self, LogicalQuery};
use vindwerk_indexer::index::{IndexHandle, WriterConfig, build_index, update_index};
use vindwerk_indexer::normalise::{Gazetteer, Occupations};
use vindwerk_indexer::pipeline::Normaliser;
use vindwerk_model::Vacancy;
use vindwerk_search_server::search::{SearchContext, search};
use vindwerk_search_server::{AppState, SearchRequest, Synonyms, VacancyMap};

#[derive(Debug, Parser)]
#[command(about = "Search benchmark: vindwerk side by side with SQLite FTS5 and PostgreSQL")]
struct Args {
    /// Vacancies in the corpus.
    #[arg(long, default_value_t = 100_000)]
    vacancies: usize,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Work directory (corpus cache, index, store, FTS5 database); default
    /// benches/out/search-<vacancies>.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Measured queries per single-client run (the mix repeats).
    #[arg(long, default_value_t = 1_000)]
    queries: usize,
    /// Concurrent HTTP clients in the load test.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Longest load test, in seconds.
    #[arg(long, default_value_t = 20.0)]
    duration: f64,
    /// Most requests of the load test.
    #[arg(long, default_value_t = 20_000)]
    max_requests: usize,
    /// Vacancies changed for the incremental update.
    #[arg(long, default_value_t = 10_000)]
    changed: usize,
    /// The world's date (default: today, UTC).
    #[arg(long)]
    today: Option<NaiveDate>,
    /// The `vindwerk` binary to serve with (default: target/release/vindwerk).
    #[arg(long)]
    vindwerk: Option<PathBuf>,
    /// Generate the corpus even when a cached one exists.
    #[arg(long)]
    fresh: bool,
    /// Count every facet in vindwerk's queries, not only the six FTS5 counts too.
    #[arg(long)]
    all_facets: bool,
    /// Only measure the queries in process, on the index an earlier run left in the work
    /// directory (for profiling a change to the search).
    #[arg(long)]
    queries_only: bool,
    /// Leave out the FTS5 baseline.
    #[arg(long)]
    skip_fts: bool,
    /// Also run the queries on PostgreSQL full-text search at this connection string (a
    /// cluster of `benches/scripts/setup-postgres.sh`); its table is dropped and loaded anew.
    #[arg(long)]
    postgres: Option<String>,
    /// Queries per baseline (FTS5, PostgreSQL), when fewer than `--queries` will do: at a
    /// million vacancies they take seconds each.
    #[arg(long)]
    baseline_queries: Option<usize>,
    /// Print the report as one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct Report {
    date: String,
    machine: Machine,
    vacancies: usize,
    seed: u64,
    today: NaiveDate,
    corpus: CorpusReport,
    index: IndexReport,
    update: UpdateReport,
    startup: StartupReport,
    http_single: Latencies,
    http_load: LoadReport,
    in_process: Latencies,
    fts: Option<BaselineReport>,
    postgres: Option<BaselineReport>,
    /// PostgreSQL's answers against FTS5's, when both ran.
    postgres_agreement: Option<Agreement>,
    /// A baseline's figure divided by vindwerk's, keyed `fts5 ...` or `postgres ...` (above
    /// 1: vindwerk is faster).
    ratios: BTreeMap<String, f64>,
    per_query: Vec<PerQuery>,
}

#[derive(Debug, Serialize)]
struct Machine {
    cpus: usize,
    model: Option<String>,
}

#[derive(Debug, Serialize)]
struct CorpusReport {
    cached: bool,
    world_s: Option<f64>,
    normalise_s: Option<f64>,
    file_bytes: u64,
    /// One pass that only reads and parses the corpus file: part of the index build's time.
    read_s: f64,
}

#[derive(Debug, Serialize)]
struct IndexReport {
    build_s: f64,
    documents: u64,
    bytes: u64,
    peak_rss_bytes: Option<u64>,
    threads: usize,
    heap_bytes: usize,
}

#[derive(Debug, Serialize)]
struct UpdateReport {
    changed: usize,
    update_s: f64,
    documents: u64,
    peak_rss_bytes: Option<u64>,
}

#[derive(Debug, Serialize)]
struct StartupReport {
    /// From spawning `vindwerk serve` to the first search answered over HTTP.
    binary_first_answer_s: f64,
    /// In process: open the index, load reference data, build the vocabulary, first search.
    open_index_s: f64,
    reference_data_s: f64,
    vocabulary_s: f64,
    first_search_s: f64,
}

#[derive(Debug, Serialize)]
struct LoadReport {
    clients: usize,
    requests: usize,
    errors: usize,
    seconds: f64,
    queries_per_s: f64,
    latencies: Latencies,
    server_peak_rss_bytes: Option<u64>,
}

#[derive(Debug, Serialize)]
struct PerQuery {
    query: String,
    vindwerk_total: u64,
    vindwerk_mean_ms: f64,
    fts_total: Option<u64>,
    fts_mean_ms: Option<f64>,
    pg_total: Option<u64>,
    pg_mean_ms: Option<f64>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let today = args.today.unwrap_or_else(|| Utc::now().date_naive());
    let dir = args.dir.clone().unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("out")
            .join(format!("search-{}", args.vacancies))
    });
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut mix = queries::mix();
    for query in &mut mix {
        query.all_facets = args.all_facets;
    }

    if args.queries_only {
        let (_, in_process, per_query) = in_process(&args, &dir.join("index"), &mix, 0.0)?;
        for query in &mix {
            if let Some((total, mean_ms)) = per_query.get(&query.to_string()) {
                println!("{mean_ms:>9.3} ms {total:>8} hits  {query}");
            }
        }
        println!(
            "in process: p50 {} ms, p95 {} ms, p99 {} ms, mean {} ms",
            in_process.p50_ms, in_process.p95_ms, in_process.p99_ms, in_process.mean_ms
        );
        return Ok(());
    }
    let corpus_path = dir.join(format!(
        "corpus-{}-{}-{today}.jsonl",
        args.seed, args.vacancies
    ));
    let mut corpus = make_corpus(&args, today, threads, &corpus_path)?;
    corpus.read_s = timed(|| read_json_lines(&corpus_path)?.try_for_each(|v| v.map(drop)))?.1;
    progress(&format!("corpus read and parsed in {:.1} s", corpus.read_s));

    let index_root = dir.join("index");
    let index = build(&corpus_path, &index_root)?;
    let update = update(&args, &corpus_path, &index_root)?;

    let store_path = dir.join("store.db");
    remove_if_exists(&store_path)?;
    vindwerk_store::Store::open(&store_path).context("cannot create the store")?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let vindwerk = args.vindwerk.clone().unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/vindwerk")
    });
    let (binary_first_answer_s, http_single, http_load, http_totals) = runtime.block_on(
        serve_and_query(&args, &vindwerk, &dir, &store_path, &index_root, &mix),
    )?;

    let (startup, in_process, vindwerk_per_query) =
        in_process(&args, &index_root, &mix, binary_first_answer_s)?;
    for (query, total) in mix.iter().zip(&http_totals) {
        if vindwerk_per_query.get(&query.to_string()).map(|(t, _)| t) != Some(total) {
            progress(&format!(
                "note: HTTP and in-process totals differ for {query}"
            ));
        }
    }

    let n = args.baseline_queries.unwrap_or(args.queries);
    let (fts, fts_per_query, fts_answers) = if args.skip_fts {
        (None, BTreeMap::new(), Vec::new())
    } else {
        let (report, per_query, answers) = baseline::fts(&dir, &corpus_path, &mix, n)?;
        (Some(report), per_query, answers)
    };

    let (postgres, pg_per_query, postgres_agreement) = match &args.postgres {
        Some(conninfo) => {
            let (report, per_query, answers) = baseline::postgres(conninfo, &corpus_path, &mix, n)?;
            let agreement =
                (fts.is_some()).then(|| baseline::agreement(&mix, &fts_answers, &answers));
            if let Some(agreement) = &agreement {
                progress(&format!("postgres against fts5: {agreement}"));
            }
            (Some(report), per_query, agreement)
        }
        None => (None, BTreeMap::new(), None),
    };

    let mut ratios = BTreeMap::new();
    for (baseline, report) in [("fts5", &fts), ("postgres", &postgres)] {
        let Some(theirs) = report else {
            continue;
        };
        for (name, ours, their) in [
            ("p50_in_process", in_process.p50_ms, theirs.single.p50_ms),
            ("p95_in_process", in_process.p95_ms, theirs.single.p95_ms),
            ("p99_in_process", in_process.p99_ms, theirs.single.p99_ms),
            ("mean_in_process", in_process.mean_ms, theirs.single.mean_ms),
            ("p50_http_single", http_single.p50_ms, theirs.single.p50_ms),
            ("p99_http_single", http_single.p99_ms, theirs.single.p99_ms),
        ] {
            ratios.insert(format!("{baseline} {name}"), round3(their / ours));
        }
        ratios.insert(
            format!("{baseline} load_s"),
            round3(theirs.load_s / index.build_s),
        );
    }
    let per_query = mix
        .iter()
        .map(|query| {
            let key = query.to_string();
            let (vindwerk_total, vindwerk_mean_ms) =
                vindwerk_per_query.get(&key).copied().unwrap_or_default();
            let fts = fts_per_query.get(&key);
            let pg = pg_per_query.get(&key);
            PerQuery {
                query: key,
                vindwerk_total,
                vindwerk_mean_ms,
                fts_total: fts.map(|(total, _)| *total),
                fts_mean_ms: fts.map(|(_, mean)| *mean),
                pg_total: pg.map(|(total, _)| *total),
                pg_mean_ms: pg.map(|(_, mean)| *mean),
            }
        })
        .collect();

    let report = Report {
        date: Utc::now().to_rfc3339(),
        machine: machine(threads),
        vacancies: args.vacancies,
        seed: args.seed,
        today,
        corpus,
        index,
        update,
        startup,
        http_single,
        http_load,
        in_process,
        fts,
        postgres,
        postgres_agreement,
        ratios,
        per_query,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(())
}

fn make_corpus(
    args: &Args,
    today: NaiveDate,
    threads: usize,
    path: &Path,
) -> anyhow::Result<CorpusReport> {
    if path.exists() && !args.fresh {
        progress(&format!("corpus: cached {}", path.display()));
        return Ok(CorpusReport {
            cached: true,
            world_s: None,
            normalise_s: None,
            file_bytes: fs::metadata(path)?.len(),
            read_s: 0.0,
        });
    }
    let (world, world_s) = timed(|| corpus::world(args.seed, args.vacancies, today))?;
    progress(&format!(
        "world of {} vacancies generated in {world_s:.1} s",
        world.vacancies.len()
    ));
    let normaliser = Normaliser::load().context("cannot load the reference data")?;
    let partial = path.with_extension("partial");
    let (count, normalise_s) = timed(|| {
        let mut writer = JsonLinesWriter::create(&partial)?;
        let count = corpus::generate(&world, &normaliser, threads, |vacancy| {
            writer.write(&vacancy)
        })?;
        writer.finish()?;
        Ok(count)
    })?;
    fs::rename(&partial, path).with_context(|| format!("cannot write {}", path.display()))?;
    progress(&format!(
        "corpus: {count} vacancies normalised and written in {normalise_s:.1} s ({:.0}/s)",
        count as f64 / normalise_s
    ));
    Ok(CorpusReport {
        cached: false,
        world_s: Some(round3(world_s)),
        normalise_s: Some(round3(normalise_s)),
        file_bytes: fs::metadata(path)?.len(),
        read_s: 0.0,
    })
}

fn build(corpus_path: &Path, index_root: &Path) -> anyhow::Result<IndexReport> {
    if index_root.exists() {
        fs::remove_dir_all(index_root)
            .with_context(|| format!("cannot remove {}", index_root.display()))?;
    }
    let config = WriterConfig::default();
    reset_peak_rss();
    let mut failure = None;
    let (stats, build_s) = timed(|| {
        let vacancies = read_json_lines(corpus_path)?.map_while(|vacancy| match vacancy {
            Ok(vacancy) => Some(vacancy),
            Err(error) => {
                failure = Some(error);
                None
            }
        });
        Ok(build_index(index_root, vacancies, config, Some("1"))?)
    })?;
    if let Some(error) = failure {
        return Err(error);
    }
    let peak = peak_rss_bytes();
    let bytes = dir_bytes(&index_root.join(&stats.generation))?;
    progress(&format!(
        "index: {} documents built in {build_s:.1} s, {} MB on disk, peak RSS {} MB",
        stats.documents,
        bytes / 1_000_000,
        peak.unwrap_or(0) / 1_000_000
    ));
    Ok(IndexReport {
        build_s: round3(build_s),
        documents: stats.documents,
        bytes,
        peak_rss_bytes: peak,
        threads: config.threads,
        heap_bytes: config.heap_bytes,
    })
}

fn update(args: &Args, corpus_path: &Path, index_root: &Path) -> anyhow::Result<UpdateReport> {
    let step = (args.vacancies / args.changed.max(1)).max(1);
    let mut changed: Vec<Vacancy> = Vec::with_capacity(args.changed);
    for (index, vacancy) in read_json_lines(corpus_path)?.enumerate() {
        if index % step == 0 && changed.len() < args.changed {
            changed.push(corpus::changed(&vacancy?, 1));
        }
    }
    let n_changed = changed.len();
    reset_peak_rss();
    let (stats, update_s) = timed(|| {
        Ok(update_index(
            index_root,
            changed,
            &[],
            WriterConfig::default(),
            Some("2"),
        )?)
    })?;
    let peak = peak_rss_bytes();
    progress(&format!(
        "update: {n_changed} changed vacancies in {update_s:.2} s ({} documents)",
        stats.documents
    ));
    Ok(UpdateReport {
        changed: n_changed,
        update_s: round3(update_s),
        documents: stats.documents,
        peak_rss_bytes: peak,
    })
}

/// Starts `vindwerk serve`, times its first answer, then queries it from one client and from
/// `args.clients`. Returns the first-answer time, both latency reports, and the totals of
/// the mix.
async fn serve_and_query(
    args: &Args,
    vindwerk: &Path,
    dir: &Path,
    store: &Path,
    index_root: &Path,
    mix: &[LogicalQuery],
) -> anyhow::Result<(f64, Latencies, LoadReport, Vec<u64>)> {
    if !vindwerk.exists() {
        bail!(
            "no vindwerk binary at {}: run `cargo build --release` first",
            vindwerk.display()
        );
    }
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let base = format!("http://127.0.0.1:{port}/api/search?");
    let log = fs::File::create(dir.join("serve.log"))?;
    let started = Instant::now();
    let child = Command::new(vindwerk)
        .arg("serve")
        .arg("--db")
        .arg(store)
        .arg("--index")
        .arg(index_root)
        .arg("--addr")
        .arg(format!("127.0.0.1:{port}"))
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .with_context(|| format!("cannot start {}", vindwerk.display()))?;
    let mut server = Server(child);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients.max(1))
        .build()?;
    let first_url = format!("{base}{}", mix[0].query_string());
    let first_answer_s = loop {
        if let Ok(response) = client.get(&first_url).send().await
            && response.status().is_success()
        {
            response.bytes().await?;
            break started.elapsed().as_secs_f64();
        }
        if let Some(status) = server.0.try_wait()? {
            bail!("vindwerk serve exited with {status}; see serve.log");
        }
        if started.elapsed() > Duration::from_secs(120) {
            bail!("vindwerk serve gave no answer within 120 s");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    progress(&format!(
        "serve: first answer {:.0} ms after start",
        first_answer_s * 1e3
    ));

    let urls: Vec<String> = mix
        .iter()
        .map(|query| format!("{base}{}", query.query_string()))
        .collect();
    let mut totals = Vec::with_capacity(urls.len());
    for url in &urls {
        let response = client.get(url).send().await?.error_for_status()?;
        let body: serde_json::Value = response.json().await?;
        totals.push(body["total"].as_u64().context("an answer without total")?);
    }
    let mut samples = Vec::with_capacity(args.queries);
    for i in 0..args.queries {
        let began = Instant::now();
        let response = client.get(&urls[i % urls.len()]).send().await?;
        let status = response.status();
        response.bytes().await?;
        samples.push(began.elapsed());
        if !status.is_success() {
            bail!("{} answered {status}", urls[i % urls.len()]);
        }
    }
    let single = latencies(&mut samples);
    progress(&format!(
        "http, one client: p50 {} ms, p99 {} ms",
        single.p50_ms, single.p99_ms
    ));

    let load = load_test(args, &client, Arc::new(urls)).await;
    let server_peak = process_peak_rss_bytes(server.0.id());
    progress(&format!(
        "http, {} clients: {:.0} queries/s, p99 {} ms, {} errors",
        load.clients, load.queries_per_s, load.latencies.p99_ms, load.errors
    ));
    server.stop();
    Ok((
        round3(first_answer_s),
        single,
        LoadReport {
            server_peak_rss_bytes: server_peak,
            ..load
        },
        totals,
    ))
}

async fn load_test(args: &Args, client: &reqwest::Client, urls: Arc<Vec<String>>) -> LoadReport {
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Duration::from_secs_f64(args.duration);
    let max = args.max_requests;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.clients.max(1) {
        let client = client.clone();
        let urls = Arc::clone(&urls);
        let next = Arc::clone(&next);
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut errors = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= max || started.elapsed() >= deadline {
                    break;
                }
                let began = Instant::now();
                let ok = match client.get(&urls[i % urls.len()]).send().await {
                    Ok(response) => {
                        let ok = response.status().is_success();
                        response.bytes().await.is_ok() && ok
                    }
                    Err(_) => false,
                };
                if ok {
                    samples.push(began.elapsed());
                } else {
                    errors += 1;
                }
            }
            (samples, errors)
        }));
    }
    let mut samples = Vec::new();
    let mut errors = 0;
    for task in tasks {
        if let Ok((mut part, part_errors)) = task.await {
            samples.append(&mut part);
            errors += part_errors;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let requests = samples.len();
    LoadReport {
        clients: args.clients.max(1),
        requests,
        errors,
        seconds: round3(seconds),
        queries_per_s: round3(requests as f64 / seconds),
        latencies: latencies(&mut samples),
        server_peak_rss_bytes: None,
    }
}

fn in_process(
    args: &Args,
    index_root: &Path,
    mix: &[LogicalQuery],
    binary_first_answer_s: f64,
) -> anyhow::Result<(StartupReport, Latencies, PerQueryFigures)> {
    let (index, open_index_s) = timed(|| Ok(IndexHandle::open(index_root)?))?;
    let ((gazetteer, occupations), reference_data_s) =
        timed(|| Ok((Gazetteer::load()?, Occupations::load()?)))?;
    let state = AppState::new(
        Arc::new(index),
        Arc::new(VacancyMap::default()),
        Arc::new(gazetteer),
    )
    .with_synonyms(Synonyms::from_esco(&occupations));
    let (_, vocabulary_s) = timed(|| {
        state
            .vocabulary(&state.snapshot())
            .map(drop)
            .map_err(|error| anyhow::anyhow!("{error:?}"))
    })?;
    let requests: Vec<SearchRequest> = mix
        .iter()
        .map(|query| {
            SearchRequest::from_pairs(&query.pairs())
                .map_err(|error| anyhow::anyhow!("{query}: {error:?}"))
        })
        .collect::<anyhow::Result<_>>()?;
    let run = |request: &SearchRequest| -> anyhow::Result<u64> {
        let snapshot = state.snapshot();
        let vocabulary = state
            .vocabulary(&snapshot)
            .map_err(|error| anyhow::anyhow!("{error:?}"))?;
        let context = SearchContext {
            snapshot: &snapshot,
            vocabulary: &vocabulary,
            synonyms: state.synonyms(),
            places: state.places(),
            today: state.today(),
        };
        let results = search(request, &context).map_err(|error| anyhow::anyhow!("{error:?}"))?;
        Ok(results.total)
    };
    let (_, first_search_s) = timed(|| run(&requests[0]))?;
    let startup = StartupReport {
        binary_first_answer_s,
        open_index_s: round3(open_index_s),
        reference_data_s: round3(reference_data_s),
        vocabulary_s: round3(vocabulary_s),
        first_search_s: round3(first_search_s),
    };

    let (single, figures, _) = measure_mix(mix, &requests, args.queries, run)?;
    progress(&format!(
        "vindwerk in process: p50 {} ms, p95 {} ms, p99 {} ms",
        single.p50_ms, single.p95_ms, single.p99_ms
    ));
    Ok((startup, single, figures))
}

/// The server process, stopped when dropped.
struct Server(Child);

impl Server {
    fn stop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Resets this process's peak RSS (`VmHWM`) to its current RSS, so that the next reading is
/// the peak of what follows (Linux; elsewhere a no-op).
fn reset_peak_rss() {
    let _ = fs::write("/proc/self/clear_refs", "5");
    if rss_bytes().is_none() {
        progress("note: no procfs, peak memory is not measured");
    }
}

fn dir_bytes(dir: &Path) -> anyhow::Result<u64> {
    let mut bytes = 0;
    for entry in fs::read_dir(dir)? {
        let metadata = entry?.metadata()?;
        if metadata.is_file() {
            bytes += metadata.len();
        }
    }
    Ok(bytes)
}

fn remove_if_exists(path: &Path) -> anyhow::Result<()> {
    match fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            Err(error).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

fn machine(cpus: usize) -> Machine {
    let model = fs::read_to_string("/proc/cpuinfo").ok().and_then(|info| {
        info.lines()
            .find(|line| line.starts_with("model name"))
            .and_then(|line| line.split_once(':'))
            .map(|(_, model)| model.trim().to_owned())
    });
    Machine { cpus, model }
}

fn progress(message: &str) {
    eprintln!("[bench-search] {message}");
}

fn print_report(report: &Report) {
    let mb = |bytes: Option<u64>| bytes.map_or("?".to_owned(), |b| (b / 1_000_000).to_string());
    println!(
        "search benchmark, {} vacancies (seed {}, world day {}), {} on {} x {}",
        report.vacancies,
        report.seed,
        report.today,
        report.date,
        report.machine.cpus,
        report.machine.model.as_deref().unwrap_or("?")
    );
    let corpus = &report.corpus;
    match (corpus.world_s, corpus.normalise_s) {
        (Some(world), Some(normalise)) => println!(
            "corpus: world {world:.1} s, normalise + write {normalise:.1} s, {} MB",
            corpus.file_bytes / 1_000_000
        ),
        _ => println!("corpus: cached, {} MB", corpus.file_bytes / 1_000_000),
    }
    let index = &report.index;
    println!(
        "index build: {:.1} s (of which reading the corpus ~{:.1} s), {} documents, {} MB, peak RSS {} MB",
        index.build_s,
        corpus.read_s,
        index.documents,
        index.bytes / 1_000_000,
        mb(index.peak_rss_bytes)
    );
    println!(
        "incremental update: {} changed in {:.2} s, peak RSS {} MB",
        report.update.changed,
        report.update.update_s,
        mb(report.update.peak_rss_bytes)
    );
    let startup = &report.startup;
    println!(
        "startup to first answer: {:.0} ms (binary); in process: open {:.0} ms, reference data {:.0} ms, vocabulary {:.0} ms, first search {:.0} ms",
        startup.binary_first_answer_s * 1e3,
        startup.open_index_s * 1e3,
        startup.reference_data_s * 1e3,
        startup.vocabulary_s * 1e3,
        startup.first_search_s * 1e3
    );
    let line = |name: &str, l: &Latencies| {
        println!(
            "{name}: {} queries, mean {} ms, p50 {} ms, p95 {} ms, p99 {} ms, max {} ms",
            l.queries, l.mean_ms, l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms
        );
    };
    line("vindwerk in process", &report.in_process);
    line("vindwerk http, one client", &report.http_single);
    let load = &report.http_load;
    println!(
        "vindwerk http, {} clients: {} requests in {:.1} s = {:.0} queries/s, p50 {} ms, p99 {} ms, {} errors, server peak RSS {} MB",
        load.clients,
        load.requests,
        load.seconds,
        load.queries_per_s,
        load.latencies.p50_ms,
        load.latencies.p99_ms,
        load.errors,
        mb(load.server_peak_rss_bytes)
    );
    for (name, baseline) in [("fts5", &report.fts), ("postgres", &report.postgres)] {
        if let Some(baseline) = baseline {
            println!(
                "{name} load: {:.1} s, {} MB",
                baseline.load_s,
                baseline.bytes / 1_000_000
            );
            line(&format!("{name}, one client"), &baseline.single);
        }
    }
    if let Some(agreement) = &report.postgres_agreement {
        println!("postgres against fts5: {agreement}");
    }
    for (name, ratio) in &report.ratios {
        println!("ratio baseline / vindwerk, {name}: {ratio}");
    }
    println!("per query (vindwerk total, ms | fts5 total, ms | postgres total, ms):");
    for query in &report.per_query {
        println!(
            "  {:<90} {:>7} {:>8.2} | {:>7} {:>8.2} | {:>7} {:>8.2}",
            query.query,
            query.vindwerk_total,
            query.vindwerk_mean_ms,
            query.fts_total.map_or("-".to_owned(), |t| t.to_string()),
            query.fts_mean_ms.unwrap_or(f64::NAN),
            query.pg_total.map_or("-".to_owned(), |t| t.to_string()),
            query.pg_mean_ms.unwrap_or(f64::NAN)
        );
    }
}
