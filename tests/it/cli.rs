//! The command line's contract with cron jobs and scripts: exit statuses and messages that
//! name their place (CONTRACT.md).

use std::path::Path;
use std::process::{Command, Output};

fn vindwerk(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vindwerk"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run vindwerk")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn check_config_accepts_the_repository_example() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("sources.toml");
    let dir = tempfile::tempdir().expect("temp dir");
    let output = vindwerk(
        &[
            "check-config",
            "--sources",
            example.to_str().expect("utf-8"),
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn check_config_names_every_problem_and_exits_78() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = r#"
[crawler]
rate_per_host = 0

[[source]]
name = "acme"
kind = "sitemap"
urll = "https://werkenbij.acme.nl/sitemap.xml"

[[source]]
name = "acme"
kind = "site"
start = ["https://example.nl/vacatures"]

[source.selectors]
title = "h1["
"#;
    std::fs::write(dir.path().join("sources.toml"), broken).expect("write");
    let output = vindwerk(&["check-config"], dir.path());
    assert_eq!(output.status.code(), Some(78));
    let message = stderr(&output);
    for expected in [
        "rate_per_host",
        "urll",
        "duplicate source name \"acme\"",
        "selectors.title",
        "h1[",
    ] {
        assert!(message.contains(expected), "no {expected:?} in:\n{message}");
    }
}

#[test]
fn crawl_with_an_invalid_sources_file_exits_78_and_touches_no_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("sources.toml"), "[[source]]\nname = 1\n").expect("write");
    let output = vindwerk(&["crawl"], dir.path());
    assert_eq!(output.status.code(), Some(78), "{}", stderr(&output));
    assert!(!dir.path().join("data").join("vindwerk.db").exists());
}

#[test]
fn a_second_run_on_a_locked_store_exits_75_naming_the_holder() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("sources.toml"), "").expect("write");
    std::fs::create_dir_all(dir.path().join("data")).expect("data dir");
    let db = dir.path().join("data").join("vindwerk.db");
    let lock = vindwerk_store::RunLock::acquire(&db).expect("first run takes the lock");
    let output = vindwerk(&["crawl"], dir.path());
    assert_eq!(output.status.code(), Some(75), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&std::process::id().to_string()),
        "{}",
        stderr(&output)
    );
    drop(lock);
    let output = vindwerk(&["crawl", "--json"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("--json prints one JSON object");
    assert!(summary["sources"].as_array().is_some_and(Vec::is_empty));
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().expect("temp dir");
    for command in [
        "demo",
        "crawl",
        "index",
        "ingest",
        "serve",
        "export",
        "check-config",
    ] {
        let output = vindwerk(&[command, "--help"], dir.path());
        assert_eq!(output.status.code(), Some(0), "{command} --help");
        assert!(String::from_utf8_lossy(&output.stdout).contains("Usage"));
    }
}
