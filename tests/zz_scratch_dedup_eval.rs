//! Scratch: end-to-end dedup F1 on the fixture web (not committed).
use std::process::Command;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use vindwerk_fixtures::{FixtureWeb, Round, World, WorldParams, evaluate};

fn vindwerk() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vindwerk"))
}

#[test]
fn scratch_dedup_eval() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 2).expect("date");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let params = WorldParams::demo(today);
    let world = Arc::new(World::generate(params).expect("world"));
    let web = runtime
        .block_on(FixtureWeb::start(world, Round::One))
        .expect("fixture web");
    let dir = tempfile::tempdir().expect("temp dir");
    let sources = dir.path().join("sources.toml");
    std::fs::write(&sources, web.sources_toml()).expect("write sources");
    let db = dir.path().join("vindwerk.db");
    let index = dir.path().join("index");
    let now = Utc.from_utc_datetime(&today.and_hms_opt(6, 0, 0).expect("time"));
    let out = vindwerk()
        .args(["crawl", "--sources"])
        .arg(&sources)
        .arg("--db")
        .arg(&db)
        .args(["--now", &now.to_rfc3339()])
        .output()
        .expect("crawl");
    println!(
        "crawl: {}",
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or("")
    );
    let out = vindwerk()
        .args(["index", "--db"])
        .arg(&db)
        .arg("--index")
        .arg(&index)
        .output()
        .expect("index");
    println!(
        "index: {} {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let out = vindwerk()
        .args(["export", "--db"])
        .arg(&db)
        .output()
        .expect("export");
    let export = String::from_utf8_lossy(&out.stdout).to_string();
    std::fs::write("/tmp/scratch_export.jsonl", &export).expect("save");
    std::fs::write(
        "/tmp/scratch_truth.json",
        serde_json::to_string(
            &web.truth()
                .vacancies
                .iter()
                .map(|v| (v.key.clone(), v.posting_urls.clone()))
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default(),
    )
    .expect("save");
    std::fs::copy(&db, "/tmp/scratch.db").expect("copy db");
    let report =
        evaluate(&export, &web.truth(), &web.request_log, &web.limits()).expect("evaluate");
    println!("{report}");
    runtime.block_on(web.shutdown());
}
