//! `vindwerk check-config`: every problem of a sources file, with its place.

use std::process::ExitCode;

use vindwerk_crawler::config;

use super::{EXIT_CONFIG, EXIT_OK};
use crate::cli::CheckConfigArgs;

pub fn run(args: &CheckConfigArgs) -> ExitCode {
    let path = &args.sources.sources;
    match config::load(path) {
        Ok(config) => {
            println!(
                "{}: valid, {} sources",
                path.display(),
                config.sources.len()
            );
            ExitCode::from(EXIT_OK)
        }
        Err(errors) => {
            for problem in &errors.problems {
                eprintln!("{}: {problem}", path.display());
            }
            let count = errors.problems.len();
            let noun = if count == 1 { "problem" } else { "problems" };
            eprintln!("{}: {count} {noun}", path.display());
            ExitCode::from(EXIT_CONFIG)
        }
    }
}
