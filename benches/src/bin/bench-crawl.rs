//! The end-to-end crawl benchmark: the release `vindwerk crawl` against the fixture web on
//! loopback with the per-host rate limits off, side by side with Scrapy crawling the same web in
//! the same run.
//!
//! Each crawl gets a fresh fixture web of the same world (so flaky hosts fail the first request
//! of each crawler alike) and runs as its own process, as a user runs it. The fixture web runs in
//! this process, on the same cores. Per crawl it reports:
//! - requests served by the fixture web (every robots.txt, sitemap, redirect, retry and page),
//!   and the crawler's own count of pages;
//! - postings found (vindwerk's summary; Scrapy's items);
//! - wall time of the process (start-up included) and the span from the first to the last
//!   request the web served (the sustained rate);
//! - resident memory of the crawler process, sampled from `/proc/<pid>/status` every
//!   `--sample-ms`: the peak is the last `VmHWM` read before the process exits (the kernel's
//!   high-water mark, so only growth in the final interval can be missed), and the samples of
//!   `VmRSS` are written next to the results;
//! - requests that robots.txt disallows (expected 0 for both).
//!
//! Rate limits are "off" by a per-host rate in `sources.toml` far above what loopback can serve;
//! robots.txt stays on (the fixture web names no Crawl-delay). vindwerk crawls every source and,
//! for the comparison, only the `sitemap` sources, which is what Scrapy's spider reads
//! (`benches/scrapy/vindwerk_bench_spider.py`: SitemapSpider and JSON-LD JobPosting items).
//!
//! `benches/scripts/run-crawl.sh` builds, installs Scrapy and runs this.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use vindwerk_benches::fixture;
use vindwerk_benches::measure::status_kib;

use vindwerk_fixtures::world::ROUND_GAP_DAYS;
use vindwerk_fixtures::{FixtureWeb, GroundTruth, Round, USER_AGENT, World};

/// Requests per second per host that count as no limit on loopback.
const RATE_OFF: f64 = 1_000_000.0;

#[derive(Debug, Parser)]
#[command(about = "End-to-end crawl: vindwerk against Scrapy on the fixture web")]
struct Args {
    /// World sizes in vacancies, one crawl set per size (e.g. 5000,20000).
    #[arg(long, value_delimiter = ',', default_value = "20000")]
    vacancies: Vec<usize>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Source kinds of vindwerk's full crawl (all when omitted), e.g. sitemap,site,feed.
    #[arg(long, value_delimiter = ',')]
    kinds: Vec<String>,
    /// Also crawl the sitemap sources with Scrapy.
    #[arg(long)]
    scrapy: bool,
    /// Print the results as one JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// Requests in flight over all hosts, for both crawlers (the fixture sources.toml's when
    /// omitted).
    #[arg(long)]
    concurrency: Option<usize>,
    /// The vindwerk binary (default: target/release/vindwerk of this workspace).
    #[arg(long)]
    vindwerk: Option<PathBuf>,
    /// The Python with Scrapy (default: benches/.venv/bin/python).
    #[arg(long)]
    python: Option<PathBuf>,
    /// Where stores, logs, items and memory samples go (default: benches/out/crawl).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Interval of the memory samples.
    #[arg(long, default_value_t = 100)]
    sample_ms: u64,
    /// After vindwerk's full crawl, also index and export its store and score the export
    /// against the world's ground truth (dedup, fields, coverage); then crawl round 2 of the
    /// world (a week later) into the same store, score it again and count the vacancies that
    /// kept their id, as the fixture-web test does for its small world.
    #[arg(long)]
    evaluate: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Crawler {
    Vindwerk,
    Scrapy,
}

/// The figures of one crawl.
#[derive(Debug, Serialize)]
struct CrawlResult {
    crawler: Crawler,
    /// `all` (or the `--kinds`) or `sitemap`.
    subset: String,
    vacancies: usize,
    sources: usize,
    exit_ok: bool,
    /// Requests the fixture web served during the crawl.
    requests_served: usize,
    /// Pages as the crawler counts them (vindwerk's `pages_fetched`, Scrapy's responses).
    pages_counted: u64,
    postings: u64,
    /// Errors as the crawler counts them (vindwerk's summary, Scrapy's log errors).
    errors: u64,
    robots_violations: usize,
    wall_s: f64,
    /// From the first to the last request the fixture web served.
    span_s: f64,
    /// Requests served per second of wall time.
    pages_per_s: f64,
    /// Requests served per second of the span.
    sustained_pages_per_s: f64,
    postings_per_s: f64,
    /// CPU time of the crawler process (user and system, all threads) as last sampled: near
    /// `wall_s` when it keeps one core busy, twice that for two.
    cpu_s: f64,
    /// Requests served per CPU second of the crawler: its efficiency, less sensitive than the
    /// rates to other load on the machine.
    pages_per_cpu_s: f64,
    /// The most file descriptors (sockets, the store) the crawler held open at a sample.
    peak_open_files: usize,
    peak_rss_mib: f64,
    median_rss_mib: f64,
    rss_samples: usize,
}

/// An export and the ground truth it was scored against.
struct Scored {
    export: String,
    truth: GroundTruth,
}

/// Of the vacancies in the truth of both rounds whose employer's posting both exports hold,
/// how many have the same id in both: (kept, compared).
fn kept_ids(first: &Scored, second: &Scored) -> anyhow::Result<(usize, usize)> {
    let ids_by_url = |export: &str| -> anyhow::Result<HashMap<String, String>> {
        let mut ids = HashMap::new();
        for line in export.lines().filter(|line| !line.trim().is_empty()) {
            let vacancy: serde_json::Value =
                serde_json::from_str(line).context("an export line is not JSON")?;
            let id = vacancy["id"].as_str().unwrap_or_default().to_owned();
            for posting in vacancy["postings"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                if let Some(url) = posting["url"].as_str() {
                    ids.insert(url.to_owned(), id.clone());
                }
            }
        }
        Ok(ids)
    };
    let (before, after) = (ids_by_url(&first.export)?, ids_by_url(&second.export)?);
    let in_first: HashSet<&str> = first
        .truth
        .vacancies
        .iter()
        .map(|v| v.key.as_str())
        .collect();
    let (mut kept, mut compared) = (0, 0);
    for vacancy in &second.truth.vacancies {
        if !in_first.contains(vacancy.key.as_str()) {
            continue;
        }
        // The truth lists the employer's own posting first.
        let Some(url) = vacancy.posting_urls.first() else {
            continue;
        };
        if let (Some(a), Some(b)) = (before.get(url), after.get(url)) {
            compared += 1;
            kept += usize::from(a == b);
        }
    }
    Ok((kept, compared))
}

/// What a crawler reports of its own crawl.
struct Counted {
    sources: usize,
    pages: u64,
    postings: u64,
    errors: u64,
}

/// A crawler process as it ran.
struct Ran {
    ok: bool,
    wall: Duration,
    peak_rss_kib: u64,
    /// CPU time of the process (user and system), as last sampled.
    cpu: Duration,
    peak_open_files: usize,
    rss_kib: Vec<(Duration, u64)>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let bench_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| bench_dir.join("out/crawl"));
    let vindwerk = args
        .vindwerk
        .clone()
        .unwrap_or_else(|| bench_dir.join("../target/release/vindwerk"));
    if !vindwerk.is_file() {
        bail!(
            "{} not found: build it with `cargo build --release`",
            vindwerk.display()
        );
    }
    let python = args
        .python
        .clone()
        .unwrap_or_else(|| bench_dir.join(".venv/bin/python"));
    let spider = bench_dir.join("scrapy/vindwerk_bench_spider.py");
    if args.scrapy && !python.is_file() {
        bail!(
            "{} not found: run benches/scripts/setup-python.sh",
            python.display()
        );
    }
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;

    let today = chrono::Utc::now().date_naive();
    let mut results = Vec::new();
    for &n_vacancies in &args.vacancies {
        let world = Arc::new(
            fixture::world(args.seed, n_vacancies, today).context("cannot generate the world")?,
        );
        let full = if args.kinds.is_empty() {
            "all".to_owned()
        } else {
            args.kinds.join("+")
        };
        let mut plan = vec![
            (Crawler::Vindwerk, full, args.kinds.clone()),
            (
                Crawler::Vindwerk,
                "sitemap".to_owned(),
                vec!["sitemap".to_owned()],
            ),
        ];
        if args.scrapy {
            plan.push((
                Crawler::Scrapy,
                "sitemap".to_owned(),
                vec!["sitemap".to_owned()],
            ));
        }
        for (crawler, subset, kinds) in plan {
            let dir = out.join(format!("{n_vacancies}-{}-{subset}", name(crawler)));
            if dir.exists() {
                std::fs::remove_dir_all(&dir)
                    .with_context(|| format!("cannot clear {}", dir.display()))?;
            }
            std::fs::create_dir_all(&dir)?;
            eprintln!("{n_vacancies} vacancies: {} on {subset}", name(crawler));
            let web = fixture::start(Arc::clone(&world)).await?;
            let crawl = Crawl {
                args: &args,
                world: &world,
                web: &web,
                dir: &dir,
                kinds: &kinds,
            };
            let full_crawl = crawler == Crawler::Vindwerk && subset != "sitemap";
            let result = match crawler {
                Crawler::Vindwerk => crawl.vindwerk(&vindwerk, subset).await,
                Crawler::Scrapy => crawl.scrapy(&python, &spider, subset).await,
            };
            let result = match result {
                Ok(result) if args.evaluate && full_crawl => {
                    crawl.evaluate_two_rounds(&vindwerk).await.map(|()| result)
                }
                result => result,
            };
            web.shutdown().await;
            let result = result?;
            eprintln!("  {}", line(&result));
            results.push(result);
        }
    }

    let report = serde_json::json!({
        "date": chrono::Utc::now().to_rfc3339(),
        "seed": args.seed,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "results": results,
        "ratios": ratios(&results),
    });
    let report_path = out.join("results.json");
    std::fs::write(&report_path, serde_json::to_string_pretty(&report)?)
        .with_context(|| format!("cannot write {}", report_path.display()))?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_table(&results);
    }
    Ok(())
}

/// One crawl of one subset of the world's sources.
struct Crawl<'a> {
    args: &'a Args,
    world: &'a World,
    web: &'a FixtureWeb,
    dir: &'a Path,
    kinds: &'a [String],
}

impl Crawl<'_> {
    /// Writes the sources.toml of this crawl (limits off, only `kinds`) and returns its path
    /// and parsed form.
    fn sources(&self) -> anyhow::Result<(PathBuf, vindwerk_crawler::config::Config)> {
        let text = sources_toml(&self.web.sources_toml(), self.kinds, self.args.concurrency)?;
        let config = vindwerk_crawler::config::parse(&text).map_err(|errors| {
            anyhow::anyhow!(
                "the benchmark's sources.toml is invalid: {:?}",
                errors.problems
            )
        })?;
        let path = self.dir.join("sources.toml");
        std::fs::write(&path, &text)?;
        Ok((path, config))
    }

    async fn vindwerk(&self, binary: &Path, subset: String) -> anyhow::Result<CrawlResult> {
        let (sources_path, config) = self.sources()?;
        let summary_path = self.dir.join("summary.json");
        let command = self.crawl_command(binary, &sources_path, "")?;
        let ran = self.run(command, "rss.csv").await?;
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&summary_path)?).with_context(|| {
                format!("vindwerk printed no summary: see {}", self.dir.display())
            })?;
        let sum = |field: &str| -> u64 {
            let sources = summary["sources"].as_array().map(Vec::as_slice);
            let sources = sources.unwrap_or_default();
            sources
                .iter()
                .filter_map(|source| source[field].as_u64())
                .sum()
        };
        let errors = summary["sources"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|source| source["errors"].as_object())
            .flat_map(|errors| errors.values().filter_map(serde_json::Value::as_u64))
            .sum();
        let counted = Counted {
            sources: config.sources.len(),
            pages: sum("pages_fetched"),
            postings: sum("postings_found"),
            errors,
        };
        Ok(self.result(Crawler::Vindwerk, subset, &ran, &counted))
    }

    /// `vindwerk crawl` of `sources` into the crawl's store, printing its summary as JSON into
    /// `summary{suffix}.json` and its log into `stderr{suffix}.log`.
    fn crawl_command(
        &self,
        binary: &Path,
        sources: &Path,
        suffix: &str,
    ) -> anyhow::Result<Command> {
        let mut command = Command::new(binary);
        command
            .arg("crawl")
            .arg("--sources")
            .arg(sources)
            .arg("--db")
            .arg(self.dir.join("store.sqlite"))
            .arg("--json")
            .stdout(std::fs::File::create(
                self.dir.join(format!("summary{suffix}.json")),
            )?)
            .stderr(std::fs::File::create(
                self.dir.join(format!("stderr{suffix}.log")),
            )?);
        Ok(command)
    }

    async fn scrapy(
        &self,
        python: &Path,
        spider: &Path,
        subset: String,
    ) -> anyhow::Result<CrawlResult> {
        let (_, config) = self.sources()?;
        let targets_path = self.dir.join("targets.json");
        let targets = fixture::sitemap_targets(&config);
        std::fs::write(&targets_path, serde_json::to_string_pretty(&targets)?)?;
        let items_path = self.dir.join("items.jsonl");
        let stats_path = self.dir.join("stats.json");
        let mut command = Command::new(python);
        command
            .args(["-m", "scrapy", "runspider"])
            .arg(spider)
            .arg("-a")
            .arg(format!("targets={}", targets_path.display()))
            .arg("-a")
            .arg(format!("stats={}", stats_path.display()))
            .arg("-O")
            .arg(&items_path)
            .arg("-s")
            .arg(format!(
                "CONCURRENT_REQUESTS={}",
                config.crawler.concurrency.get()
            ))
            .arg("-s")
            .arg(format!("USER_AGENT={USER_AGENT}"))
            .current_dir(self.dir)
            .stdout(std::fs::File::create(self.dir.join("stdout.log"))?)
            .stderr(std::fs::File::create(self.dir.join("stderr.log"))?);
        let ran = self.run(command, "rss.csv").await?;
        let stats: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&stats_path)
                .with_context(|| format!("scrapy wrote no stats: see {}", self.dir.display()))?,
        )?;
        let items = std::fs::read_to_string(&items_path).unwrap_or_default();
        let stat = |key: &str| stats[key].as_u64().unwrap_or(0);
        let counted = Counted {
            sources: targets.len(),
            pages: stat("downloader/response_count"),
            postings: items.lines().filter(|line| !line.trim().is_empty()).count() as u64,
            errors: stat("log_count/ERROR"),
        };
        Ok(self.result(Crawler::Scrapy, subset, &ran, &counted))
    }

    /// Scores round 1 (already crawled), crawls round 2 into the same store a week later and
    /// scores it, and counts the vacancies of both rounds that kept their id.
    async fn evaluate_two_rounds(&self, binary: &Path) -> anyhow::Result<()> {
        let first = self.evaluate(binary, "").await?;
        self.web.set_round(Round::Two);
        let now = chrono::Utc::now() + chrono::Duration::days(ROUND_GAP_DAYS);
        let mut command = self.crawl_command(binary, &self.dir.join("sources.toml"), "-round2")?;
        command.arg("--now").arg(now.to_rfc3339());
        let ran = self.run(command, "rss-round2.csv").await?;
        if !ran.ok {
            bail!(
                "vindwerk crawl of round 2 failed: see {}",
                self.dir.display()
            );
        }
        eprintln!(
            "  round 2 crawl: {:.1} s, peak RSS {:.1} MiB",
            ran.wall.as_secs_f64(),
            ran.peak_rss_kib as f64 / 1024.0
        );
        let second = self.evaluate(binary, "-round2").await?;
        let (kept, compared) = kept_ids(&first, &second)?;
        let line = format!(
            "vacancies of both rounds that kept their id: {kept} of {compared} ({:.2}%)",
            100.0 * kept as f64 / compared.max(1) as f64
        );
        std::fs::write(self.dir.join("kept-ids.txt"), format!("{line}\n"))?;
        eprintln!("{line}");
        Ok(())
    }

    /// Indexes and exports the crawl's store with `binary` and scores the export against the
    /// world's ground truth of the current round and the request log; writes
    /// `index{suffix}.log`, `index{suffix}-rss.csv`, `export{suffix}.jsonl`,
    /// `truth{suffix}.json` and `evaluation{suffix}.txt`, prints the scores and returns the
    /// export and the truth.
    async fn evaluate(&self, binary: &Path, suffix: &str) -> anyhow::Result<Scored> {
        let store = self.dir.join("store.sqlite");
        let mut index = Command::new(binary);
        index
            .arg("index")
            .arg("--db")
            .arg(&store)
            .arg("--index")
            .arg(self.dir.join("index"))
            .stdout(std::fs::File::create(
                self.dir.join(format!("index{suffix}.log")),
            )?)
            .stderr(std::fs::File::create(
                self.dir.join(format!("index{suffix}.err")),
            )?);
        let ran = self.run(index, &format!("index{suffix}-rss.csv")).await?;
        if !ran.ok {
            bail!("vindwerk index failed: see {}", self.dir.display());
        }
        eprintln!(
            "  index: {:.1} s, peak RSS {:.1} MiB",
            ran.wall.as_secs_f64(),
            ran.peak_rss_kib as f64 / 1024.0
        );
        let export_path = self.dir.join(format!("export{suffix}.jsonl"));
        let status = Command::new(binary)
            .arg("export")
            .arg("--db")
            .arg(&store)
            .stdout(std::fs::File::create(&export_path)?)
            .status()
            .context("cannot run vindwerk export")?;
        if !status.success() {
            bail!("vindwerk export failed: see {}", self.dir.display());
        }
        let export = std::fs::read_to_string(&export_path)?;
        let truth = self.web.truth();
        std::fs::write(
            self.dir.join(format!("truth{suffix}.json")),
            serde_json::to_vec(&truth)?,
        )?;
        let mut report =
            vindwerk_fixtures::evaluate(&export, &truth, &self.web.request_log, &self.web.limits())
                .context("cannot score the export")?;
        // The rates are off in this benchmark: the fixture's per-host limits do not apply.
        report.host_rates.clear();
        let scores = format!("{report}");
        std::fs::write(self.dir.join(format!("evaluation{suffix}.txt")), &scores)?;
        eprintln!("{scores}");
        Ok(Scored { export, truth })
    }

    /// Runs a process to its end, sampling its memory into `samples_file` of the crawl's
    /// directory.
    async fn run(&self, mut command: Command, samples_file: &str) -> anyhow::Result<Ran> {
        let started = Instant::now();
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot start {:?}", command.get_program()))?;
        let pid = child.id();
        let (done_tx, mut done_rx) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let status = child.wait();
            let _ = done_tx.send((status, Instant::now()));
        });
        let mut peak_rss_kib = 0;
        let mut cpu = Duration::ZERO;
        let mut peak_open_files = 0;
        let mut rss_kib = Vec::new();
        let mut samples = String::from("seconds,rss_kib,anon_kib,file_kib,open_files\n");
        let mut tick = tokio::time::interval(Duration::from_millis(self.args.sample_ms.max(1)));
        let (status, ended) = loop {
            tokio::select! {
                done = &mut done_rx => break done.context("the waiting thread stopped")?,
                _ = tick.tick() => {
                    if let Some(memory) = process_memory_kib(pid) {
                        peak_rss_kib = peak_rss_kib.max(memory.hwm).max(memory.rss);
                        cpu = process_cpu(pid).unwrap_or(cpu);
                        let files = open_files(pid);
                        peak_open_files = peak_open_files.max(files);
                        rss_kib.push((started.elapsed(), memory.rss));
                        samples.push_str(&format!(
                            "{:.3},{},{},{},{files}\n",
                            started.elapsed().as_secs_f64(),
                            memory.rss,
                            memory.anon,
                            memory.file
                        ));
                    }
                }
            }
        };
        let status = status.context("cannot wait for the crawler")?;
        std::fs::write(self.dir.join(samples_file), samples)?;
        Ok(Ran {
            ok: status.success(),
            wall: ended - started,
            peak_rss_kib,
            cpu,
            peak_open_files,
            rss_kib,
        })
    }

    fn result(
        &self,
        crawler: Crawler,
        subset: String,
        ran: &Ran,
        counted: &Counted,
    ) -> CrawlResult {
        let postings = counted.postings;
        let requests = self.web.request_log.requests();
        let first = requests.iter().map(|r| r.at).min();
        let span = match (first, requests.iter().map(|r| r.at).max()) {
            (Some(first), Some(last)) => last - first,
            _ => Duration::ZERO,
        };
        if let Some(first) = first {
            let timeline: String = requests
                .iter()
                .map(|r| {
                    let at = (r.at - first).as_secs_f64();
                    format!("{at:.4},{},{},{}\n", r.host, r.status, r.path)
                })
                .collect();
            let path = self.dir.join("requests.csv");
            if let Err(error) =
                std::fs::write(&path, format!("seconds,host,status,path\n{timeline}"))
            {
                eprintln!("cannot write {}: {error}", path.display());
            }
        }
        let per_second = |count: f64, time: Duration| {
            let seconds = time.as_secs_f64();
            if seconds > 0.0 { count / seconds } else { 0.0 }
        };
        let mut rss: Vec<u64> = ran.rss_kib.iter().map(|(_, kib)| *kib).collect();
        rss.sort_unstable();
        let median_rss_kib = rss.get(rss.len() / 2).copied().unwrap_or(0);
        CrawlResult {
            crawler,
            subset,
            vacancies: self.world.params.n_vacancies,
            sources: counted.sources,
            exit_ok: ran.ok,
            requests_served: requests.len(),
            pages_counted: counted.pages,
            postings,
            errors: counted.errors,
            robots_violations: self.web.request_log.robots_violations(USER_AGENT).len(),
            wall_s: round3(ran.wall.as_secs_f64()),
            span_s: round3(span.as_secs_f64()),
            pages_per_s: round1(per_second(requests.len() as f64, ran.wall)),
            sustained_pages_per_s: round1(per_second(requests.len() as f64, span)),
            postings_per_s: round1(per_second(postings as f64, ran.wall)),
            cpu_s: round3(ran.cpu.as_secs_f64()),
            pages_per_cpu_s: round1(per_second(requests.len() as f64, ran.cpu)),
            peak_open_files: ran.peak_open_files,
            peak_rss_mib: round1(ran.peak_rss_kib as f64 / 1024.0),
            median_rss_mib: round1(median_rss_kib as f64 / 1024.0),
            rss_samples: rss.len(),
        }
    }
}

/// The fixture web's sources.toml with the per-host rate limits off, only the sources of
/// `kinds` (all when empty) and, when given, another concurrency.
fn sources_toml(
    fixture_toml: &str,
    kinds: &[String],
    concurrency: Option<usize>,
) -> anyhow::Result<String> {
    let mut table: toml::Table = fixture_toml
        .parse()
        .context("the fixture sources.toml should parse")?;
    let crawler = table
        .get_mut("crawler")
        .and_then(toml::Value::as_table_mut)
        .context("the fixture sources.toml has a [crawler] table")?;
    crawler.insert("rate_per_host".to_owned(), toml::Value::Float(RATE_OFF));
    if let Some(concurrency) = concurrency {
        let concurrency = i64::try_from(concurrency).context("concurrency too large")?;
        crawler.insert("concurrency".to_owned(), toml::Value::Integer(concurrency));
    }
    if let Some(sources) = table.get_mut("source").and_then(toml::Value::as_array_mut) {
        for source in sources.iter_mut() {
            if let Some(source) = source.as_table_mut() {
                source.remove("rate_per_host");
            }
        }
        if !kinds.is_empty() {
            sources.retain(|source| {
                source
                    .get("kind")
                    .and_then(toml::Value::as_str)
                    .is_some_and(|kind| kinds.iter().any(|wanted| wanted == kind))
            });
        }
        if sources.is_empty() {
            bail!("no source of kinds {kinds:?} in the fixture web");
        }
    }
    Ok(table.to_string())
}

/// Resident memory of a process in KiB.
struct Memory {
    rss: u64,
    /// The peak of `rss` so far.
    hwm: u64,
    /// Heap and other anonymous memory.
    anon: u64,
    /// Mapped files (the binary, libraries).
    file: u64,
}

/// The memory of process `pid` from `/proc/<pid>/status`, while it runs.
fn process_memory_kib(pid: u32) -> Option<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |key: &str| status_kib(&status, key);
    Some(Memory {
        rss: field("VmRSS:")?,
        hwm: field("VmHWM:")?,
        anon: field("RssAnon:")?,
        file: field("RssFile:")?,
    })
}

/// File descriptors process `pid` holds open (0 when unknown).
fn open_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, Iterator::count)
}

/// User and system CPU time of process `pid` (all threads), while it runs.
fn process_cpu(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name in parentheses may hold spaces; the fields after it are numbers.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of proc(5), 12 and 13 after the name and state.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ, the unit of these fields, is 100 on Linux.
    Some(Duration::from_millis(ticks * 10))
}

/// vindwerk's rate over Scrapy's on the same subset and size.
fn ratios(results: &[CrawlResult]) -> Vec<serde_json::Value> {
    let mut ratios = Vec::new();
    for scrapy in results.iter().filter(|r| r.crawler == Crawler::Scrapy) {
        let Some(vindwerk) = results.iter().find(|r| {
            r.crawler == Crawler::Vindwerk
                && r.subset == scrapy.subset
                && r.vacancies == scrapy.vacancies
        }) else {
            continue;
        };
        let ratio = |a: f64, b: f64| if b > 0.0 { round1(a / b) } else { 0.0 };
        ratios.push(serde_json::json!({
            "vacancies": scrapy.vacancies,
            "subset": scrapy.subset,
            "pages_per_s": ratio(vindwerk.pages_per_s, scrapy.pages_per_s),
            "sustained_pages_per_s": ratio(vindwerk.sustained_pages_per_s, scrapy.sustained_pages_per_s),
            "postings_per_s": ratio(vindwerk.postings_per_s, scrapy.postings_per_s),
            "pages_per_cpu_s": ratio(vindwerk.pages_per_cpu_s, scrapy.pages_per_cpu_s),
        }));
    }
    ratios
}

fn name(crawler: Crawler) -> &'static str {
    match crawler {
        Crawler::Vindwerk => "vindwerk",
        Crawler::Scrapy => "scrapy",
    }
}

fn line(r: &CrawlResult) -> String {
    format!(
        "{} {}: {} requests ({} pages counted), {} postings in {:.2} s ({:.2} s CPU) = {:.0} pages/s ({:.0} sustained), {:.0} postings/s, {:.0} pages per CPU s, peak RSS {:.1} MiB, {} open files, {} errors, {} robots violations{}",
        name(r.crawler),
        r.subset,
        r.requests_served,
        r.pages_counted,
        r.postings,
        r.wall_s,
        r.cpu_s,
        r.pages_per_s,
        r.sustained_pages_per_s,
        r.postings_per_s,
        r.pages_per_cpu_s,
        r.peak_rss_mib,
        r.peak_open_files,
        r.errors,
        r.robots_violations,
        if r.exit_ok { "" } else { ", FAILED" },
    )
}

fn print_table(results: &[CrawlResult]) {
    println!(
        "{:>9} {:<9} {:<8} {:>7} {:>9} {:>9} {:>8} {:>7} {:>8} {:>9} {:>11} {:>10} {:>8} {:>6}",
        "vacancies",
        "crawler",
        "subset",
        "sources",
        "requests",
        "postings",
        "wall s",
        "cpu s",
        "pages/s",
        "sustained",
        "pages/cpu-s",
        "postings/s",
        "peak MiB",
        "errors"
    );
    for r in results {
        println!(
            "{:>9} {:<9} {:<8} {:>7} {:>9} {:>9} {:>8.2} {:>7.2} {:>8.0} {:>9.0} {:>11.0} {:>10.0} {:>8.1} {:>6}",
            r.vacancies,
            name(r.crawler),
            r.subset,
            r.sources,
            r.requests_served,
            r.postings,
            r.wall_s,
            r.cpu_s,
            r.pages_per_s,
            r.sustained_pages_per_s,
            r.pages_per_cpu_s,
            r.postings_per_s,
            r.peak_rss_mib,
            r.errors
        );
    }
    for ratio in ratios(results) {
        println!(
            "vindwerk / scrapy at {} vacancies on {}: {}x pages/s, {}x sustained, {}x postings/s, {}x pages per CPU second",
            ratio["vacancies"],
            ratio["subset"].as_str().unwrap_or_default(),
            ratio["pages_per_s"],
            ratio["sustained_pages_per_s"],
            ratio["postings_per_s"],
            ratio["pages_per_cpu_s"]
        );
    }
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = r#"
[crawler]
user_agent = "vindwerk/0.1"
rate_per_host = 20.0
concurrency = 32

[[source]]
name = "a"
kind = "sitemap"
url = "http://127.0.0.1:1/sitemap.xml"

[[source]]
name = "b"
kind = "site"
start = ["http://127.0.0.1:2/"]
rate_per_host = 1.0

[source.selectors]
title = "h1"
"#;

    #[test]
    fn sources_toml_turns_limits_off_and_keeps_the_kinds_asked_for() {
        let text = sources_toml(FIXTURE, &["site".to_owned()], Some(8)).expect("valid");
        let table: toml::Table = text.parse().expect("written TOML parses");
        assert_eq!(table["crawler"]["rate_per_host"].as_float(), Some(RATE_OFF));
        assert_eq!(table["crawler"]["concurrency"].as_integer(), Some(8));
        let sources = table["source"].as_array().expect("sources");
        assert_eq!(sources.len(), 1);
        assert_eq!(sources[0]["name"].as_str(), Some("b"));
        assert!(sources[0].get("rate_per_host").is_none());
        assert_eq!(sources[0]["selectors"]["title"].as_str(), Some("h1"));

        let all = sources_toml(FIXTURE, &[], None).expect("valid");
        let table: toml::Table = all.parse().expect("written TOML parses");
        assert_eq!(table["source"].as_array().map(Vec::len), Some(2));
        assert!(sources_toml(FIXTURE, &["feed".to_owned()], None).is_err());
    }

    #[test]
    fn reads_memory_of_a_running_process() {
        let memory = process_memory_kib(std::process::id()).expect("procfs");
        assert!(memory.rss > 0 && memory.hwm >= memory.rss);
        assert!(memory.anon > 0 && memory.file > 0);
        assert!(process_cpu(std::process::id()).is_some());
    }
}
