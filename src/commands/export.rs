//! `vindwerk export`: the deduplicated vacancies, one JSON object per line (CONTRACT.md) or CSV.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use vindwerk_model::{Status, Vacancy};
use vindwerk_store::{Store, StoreError};

use super::EXIT_OK;
use crate::cli::{ExportArgs, ExportFormat, StatusFilter};

/// The CSV columns: the export's scalar fields, then the postings' URLs and sources.
const CSV_HEADER: [&str; 29] = [
    "id",
    "title",
    "employer",
    "city",
    "postcode",
    "province",
    "region",
    "lat",
    "lon",
    "employment_type",
    "hours_min",
    "hours_max",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "education_level",
    "occupation",
    "isco",
    "date_posted",
    "valid_through",
    "remote",
    "status",
    "first_seen",
    "last_seen",
    "expired_at",
    "n_postings",
    "urls",
    "sources",
];

#[derive(Debug, thiserror::Error)]
enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write: {0}")]
    Write(#[from] io::Error),
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot serialise vacancy: {0}")]
    Json(#[from] serde_json::Error),
}

pub fn run(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_readonly(&args.db.db)
        .with_context(|| format!("cannot open the store {}", args.db.db.display()))?;
    let status = match args.status {
        StatusFilter::Active => Some(Status::Active),
        StatusFilter::Expired => Some(Status::Expired),
        StatusFilter::All => None,
    };
    let stdout = io::stdout().lock();
    let result = match args.format {
        ExportFormat::Jsonl => write_jsonl(&store, status, BufWriter::new(stdout)),
        ExportFormat::Csv => write_csv(&store, status, stdout),
    };
    match result {
        Ok(()) => Ok(ExitCode::from(EXIT_OK)),
        // A reader that stops early (`| head`) is not an error.
        Err(ExportError::Write(error)) if error.kind() == io::ErrorKind::BrokenPipe => {
            Ok(ExitCode::from(EXIT_OK))
        }
        Err(error) => Err(error).context("export failed"),
    }
}

/// Calls `each` with every vacancy of `status` that everyone may see: an organisation's
/// internal vacancies are never exported.
fn for_each_public_vacancy(
    store: &Store,
    status: Option<Status>,
    mut each: impl FnMut(Vacancy) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    store.for_each_vacancy(status, |vacancy| -> Result<(), ExportError> {
        if vacancy.audience.is_public() {
            each(vacancy)?;
        }
        Ok(())
    })
}

fn write_jsonl(
    store: &Store,
    status: Option<Status>,
    mut out: impl Write,
) -> Result<(), ExportError> {
    for_each_public_vacancy(store, status, |vacancy| {
        serde_json::to_writer(&mut out, &vacancy)?;
        out.write_all(b"\n")?;
        Ok(())
    })?;
    out.flush()?;
    Ok(())
}

fn write_csv(store: &Store, status: Option<Status>, out: impl Write) -> Result<(), ExportError> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(CSV_HEADER)?;
    for_each_public_vacancy(store, status, |vacancy| {
        writer.write_record(csv_record(&vacancy))?;
        Ok(())
    })?;
    writer.flush()?;
    Ok(())
}

fn csv_record(vacancy: &Vacancy) -> Vec<String> {
    fn text<T: ToString>(value: &Option<T>) -> String {
        value.as_ref().map(ToString::to_string).unwrap_or_default()
    }
    let urls: Vec<&str> = vacancy.postings.iter().map(|p| p.url.as_str()).collect();
    let mut sources: Vec<&str> = vacancy.postings.iter().map(|p| p.source.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();
    vec![
        vacancy.id.to_string(),
        vacancy.title.clone(),
        text(&vacancy.employer),
        text(&vacancy.city),
        text(&vacancy.postcode),
        text(&vacancy.province),
        text(&vacancy.region),
        text(&vacancy.lat),
        text(&vacancy.lon),
        text(&vacancy.employment_type),
        text(&vacancy.hours_min),
        text(&vacancy.hours_max),
        text(&vacancy.salary_min),
        text(&vacancy.salary_max),
        text(&vacancy.salary_currency),
        text(&vacancy.salary_period),
        text(&vacancy.education_level),
        text(&vacancy.occupation),
        text(&vacancy.isco),
        text(&vacancy.date_posted),
        text(&vacancy.valid_through),
        vacancy.remote.to_string(),
        vacancy.status.to_string(),
        vacancy.first_seen.to_rfc3339(),
        vacancy.last_seen.to_rfc3339(),
        vacancy
            .expired_at
            .map(|at| at.to_rfc3339())
            .unwrap_or_default(),
        vacancy.postings.len().to_string(),
        urls.join(" "),
        sources.join(" "),
    ]
}
