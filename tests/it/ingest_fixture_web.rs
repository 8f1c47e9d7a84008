//! The real `vindwerk` binary on the fixture web, as an operator's cron job runs it: crawl,
//! index and export, then the same world a week later. Scored with the fixture web's
//! evaluator against its ground truth and request log (the quality gate of the fixture web).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use vindwerk_fixtures::{Field, FixtureWeb, Report, Round, World, WorldParams, evaluate};

struct Operator {
    dir: tempfile::TempDir,
    sources: PathBuf,
    db: PathBuf,
    index: PathBuf,
}

impl Operator {
    fn new(web: &FixtureWeb) -> Operator {
        let dir = tempfile::tempdir().expect("temp dir");
        let sources = dir.path().join("sources.toml");
        std::fs::write(&sources, web.sources_toml()).expect("write sources");
        let db = dir.path().join("data").join("vindwerk.db");
        let index = dir.path().join("data").join("index");
        Operator {
            dir,
            sources,
            db,
            index,
        }
    }

    fn vindwerk(&self, args: &[&str]) -> Output {
        let output = Command::new(env!("CARGO_BIN_EXE_vindwerk"))
            .current_dir(self.dir.path())
            .args(args)
            .output()
            .expect("run vindwerk");
        println!(
            "$ vindwerk {}\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout)
        );
        assert!(
            output.status.success(),
            "vindwerk {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// One nightly run; the pages the round says it fetched.
    fn ingest(&self, now: DateTime<Utc>) -> u64 {
        let output = self.vindwerk(&[
            "ingest",
            "--json",
            "--sources",
            path(&self.sources),
            "--db",
            path(&self.db),
            "--index",
            path(&self.index),
            "--now",
            &now.to_rfc3339(),
        ]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let summary: serde_json::Value = stdout
            .lines()
            .next()
            .and_then(|line| serde_json::from_str(line).ok())
            .expect("ingest --json prints the round's summary first");
        summary["sources"]
            .as_array()
            .expect("sources in the summary")
            .iter()
            .map(|source| source["pages_fetched"].as_u64().unwrap_or_default())
            .sum()
    }

    /// `vindwerk index` with `extra` arguments; its report line.
    fn index(&self, extra: &[&str]) -> String {
        let mut args = vec![
            "index",
            "--db",
            path(&self.db),
            "--index",
            path(&self.index),
        ];
        args.extend_from_slice(extra);
        let output = self.vindwerk(&args);
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn export(&self) -> String {
        let output = Command::new(env!("CARGO_BIN_EXE_vindwerk"))
            .args(["export", "--db", path(&self.db)])
            .output()
            .expect("run vindwerk export");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("export is UTF-8")
    }
}

fn path(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

/// Lever's API names no employer; the fixture's sources.toml names it per Lever source, and
/// every vacancy posted there must show it.
fn assert_lever_vacancies_name_their_employer(export: &str) {
    for line in export.lines() {
        let vacancy: serde_json::Value = serde_json::from_str(line).expect("export line is json");
        let on_lever = vacancy["postings"]
            .as_array()
            .expect("postings")
            .iter()
            .any(|posting| {
                posting["source"]
                    .as_str()
                    .is_some_and(|s| s.starts_with("lever-"))
            });
        if on_lever {
            assert!(vacancy["employer"].is_string(), "no employer: {line}");
        }
    }
}

fn score(web: &FixtureWeb, export: &str) -> Report {
    let report = evaluate(export, &web.truth(), &web.request_log, &web.limits()).expect("evaluate");
    println!("{report}");
    report
}

fn assert_quality_gate(report: &Report) {
    assert_eq!(report.robots_violations, 0, "robots.txt violations");
    assert!(
        report
            .host_rates
            .iter()
            .all(|host| host.peak <= host.allowed),
        "a host above its rate"
    );
    assert_eq!(report.false_expiries, 0, "false expiries");
    assert!(
        report.coverage() >= 0.98,
        "vacancy coverage {:.3}",
        report.coverage()
    );
    // The fixture web's target (issue 3); it only rises.
    assert!(
        report.dedup.f1() >= 0.95,
        "dedup F1 {:.3}",
        report.dedup.f1()
    );
    // Field accuracy where the postings state the field (issue: >= 95% each). Few vacancies
    // may go unscored for want of a posting that states the field, lest the gate go blind.
    for field in Field::ALL {
        let score = report.field(field);
        assert!(
            score.accuracy() >= 0.95,
            "{} accuracy {:.3}",
            field.name(),
            score.accuracy()
        );
        assert!(
            score.compared * 10 >= report.covered_vacancies * 9,
            "{}: only {} of {} vacancies scored",
            field.name(),
            score.compared,
            report.covered_vacancies
        );
    }
}

#[test]
fn ingest_two_rounds_of_the_fixture_web() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 2).expect("date");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let params = WorldParams {
        seed: 5,
        n_employers: 30,
        n_vacancies: 300,
        today,
    };
    let world = Arc::new(World::generate(params).expect("world"));
    let web = runtime
        .block_on(FixtureWeb::start(world, Round::One))
        .expect("fixture web");
    let operator = Operator::new(&web);
    let round_one = Utc.from_utc_datetime(&today.and_hms_opt(6, 0, 0).expect("time"));

    let pages = operator.ingest(round_one);
    // Pages robots.txt kept back were never fetched (the servers also see robots.txt and
    // retries, so they see at least as many requests).
    assert!(
        pages <= web.request_log.len() as u64,
        "{pages} pages fetched, {} requests served",
        web.request_log.len()
    );
    let export = operator.export();
    let report = score(&web, &export);
    assert_quality_gate(&report);
    assert_lever_vacancies_name_their_employer(&export);

    web.set_round(Round::Two);
    operator.ingest(round_one + Duration::days(7));
    let report = score(&web, &operator.export());
    assert_quality_gate(&report);
    assert!(report.truth_expired > 0, "round 2 expires vacancies");
    assert_eq!(
        report.expired_recalled, report.truth_expired,
        "every expiry recalled"
    );

    // An index run half a year later (a replay at that clock, the default of 120 days): the
    // expired vacancies are settled, left as they are, and still exported and indexed.
    let export = operator.export();
    let expired = export
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|vacancy| vacancy["status"] == "expired")
        .count() as u64;
    let total = export.lines().count() as u64;
    assert!(expired > 0);
    let later = (round_one + Duration::days(200)).to_rfc3339();
    let settled = operator.index(&["--now", &later]);
    assert_eq!(
        (
            count_before(&settled, " settled ones"),
            count_before(&settled, " changed")
        ),
        (expired, 0),
        "{settled}"
    );
    assert_eq!(operator.export(), export, "settling changes no vacancy");
    let rebuilt = operator.index(&["--now", &later, "--full"]);
    assert_eq!(
        count_before(&rebuilt, " documents"),
        total,
        "a full rebuild indexes the settled vacancies too: {rebuilt}"
    );
    // Settling only after a hundred years reads them all again and finds nothing to change.
    let reread = operator.index(&["--now", &later, "--settle-after-days", "36500"]);
    assert_eq!(
        (
            count_before(&reread, " settled ones"),
            count_before(&reread, " changed")
        ),
        (0, 0),
        "{reread}"
    );
    assert_eq!(operator.export(), export);

    runtime.block_on(web.shutdown());
}

/// The number just before `what` in an index run's report line.
fn count_before(report: &str, what: &str) -> u64 {
    let end = report
        .find(what)
        .unwrap_or_else(|| panic!("{what:?} in {report}"));
    let start = report[..end]
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    report[start..end]
        .parse()
        .unwrap_or_else(|_| panic!("a number before {what:?} in {report}"))
}
