//! The real `vindwerk` binary crawling the fixture web: what a cron job does, checked against
//! the fixture web's ground truth and request log.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use vindwerk_fixtures::{FixtureWeb, Round, World, WorldParams, evaluate};
use vindwerk_store::Store;

fn vindwerk() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vindwerk"))
}

/// Every stored posting as a vacancy of its own: enough to score what the crawl found.
fn postings_as_export(db: &Path) -> String {
    let store = Store::open_readonly(db).expect("open store");
    let mut lines = String::new();
    store
        .for_each_posting(|posting| -> Result<(), vindwerk_store::StoreError> {
            let line = serde_json::json!({
                "id": posting.id.0.to_string(),
                "title": posting.data.title,
                "status": posting.status.as_str(),
                "postings": [{"url": posting.data.url, "status": posting.status.as_str()}],
            });
            lines.push_str(&line.to_string());
            lines.push('\n');
            Ok(())
        })
        .expect("read postings");
    lines
}

#[test]
fn crawl_finds_every_posting_politely() {
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
    let dir = tempfile::tempdir().expect("temp dir");
    let sources = dir.path().join("sources.toml");
    std::fs::write(&sources, web.sources_toml()).expect("write sources");
    let db = dir.path().join("vindwerk.db");
    let now = Utc.from_utc_datetime(&today.and_hms_opt(6, 0, 0).expect("time"));

    let output = vindwerk()
        .args(["crawl", "--sources"])
        .arg(&sources)
        .arg("--db")
        .arg(&db)
        .args(["--now", &now.to_rfc3339()])
        .output()
        .expect("run vindwerk crawl");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(output.status.success(), "crawl failed: {stderr}");

    let export = postings_as_export(&db);
    let report =
        evaluate(&export, &web.truth(), &web.request_log, &web.limits()).expect("evaluate");
    println!("{report}");
    for vacancy in &web.truth().vacancies {
        for url in &vacancy.posting_urls {
            if !export.contains(&format!("\"{url}\"")) {
                println!("MISSING {url}");
            }
        }
    }
    assert_eq!(report.robots_violations, 0);
    assert!(
        report.posting_recall() >= 0.95,
        "posting recall {}",
        report.posting_recall()
    );
    runtime.block_on(web.shutdown());
}
