//! Scores an export against a world's ground truth, as `bench-crawl --evaluate` wrote them:
//! `score-export DIR` reads `DIR/truth.json` and `DIR/export.jsonl` (or the files named by
//! `--truth` and `--export`, such as round 2's `truth-round2.json`) and prints coverage, dedup
//! and field accuracy. For re-scoring a benchmark's
//! store after an indexer change (`vindwerk index` and `vindwerk export` on it again) without
//! crawling it again. Politeness is not scored: the request log stays with the crawl.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use vindwerk_fixtures::{GroundTruth, Limits, RequestLog, evaluate};

#[derive(Debug, Parser)]
#[command(about = "Score an export against the ground truth of a benchmark's world")]
struct Args {
    /// The directory of one crawl of `bench-crawl --evaluate`.
    dir: PathBuf,
    /// The export to score (default: DIR/export.jsonl).
    #[arg(long)]
    export: Option<PathBuf>,
    /// The ground truth to score against (default: DIR/truth.json).
    #[arg(long)]
    truth: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let truth_path = args.truth.unwrap_or_else(|| args.dir.join("truth.json"));
    let truth: GroundTruth = serde_json::from_slice(
        &std::fs::read(&truth_path)
            .with_context(|| format!("cannot read {}", truth_path.display()))?,
    )
    .with_context(|| format!("{} is no ground truth", truth_path.display()))?;
    let export_path = args.export.unwrap_or_else(|| args.dir.join("export.jsonl"));
    let export = std::fs::read_to_string(&export_path)
        .with_context(|| format!("cannot read {}", export_path.display()))?;
    let limits = Limits {
        user_agent: vindwerk_fixtures::USER_AGENT.to_owned(),
        rate_per_host: f64::INFINITY,
        burst: 0,
    };
    let report = evaluate(&export, &truth, &RequestLog::new(), &limits)
        .with_context(|| format!("cannot score {}", export_path.display()))?;
    println!("{report}");
    Ok(())
}
