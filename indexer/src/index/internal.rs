//! The indexes of organisations' internal labour markets, beside the public one:
//!
//! ```text
//! index/                 the public index (generations and CURRENT)
//!   org-intern/          the index of organisation `intern`: generations and CURRENT
//! ```
//!
//! The public index never holds an internal vacancy, so that no public route can show one;
//! a member's search runs on the public index and on their organisations' own. An internal
//! labour market is small, so each run rebuilds its index whole. An organisation whose
//! vacancies are all gone gets an empty generation, so that none stays visible.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use vindwerk_model::{Audience, Vacancy, is_slug};

use super::IndexError;
use super::generation::{GenerationWriter, IndexStats, WriterConfig};

const INTERNAL_PREFIX: &str = "org-";

/// Where the index of organisation `slug` lives under the public index's `root`.
pub fn internal_root(root: &Path, slug: &str) -> PathBuf {
    root.join(format!("{INTERNAL_PREFIX}{slug}"))
}

/// The organisations with an index under `root`, by slug.
pub fn internal_indexes(root: &Path) -> Result<Vec<String>, IndexError> {
    let entries = match fs::read_dir(root) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(IndexError::io(root, source)),
    };
    let mut slugs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| IndexError::io(root, source))?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if let Some(slug) = name.strip_prefix(INTERNAL_PREFIX)
            && is_slug(slug)
            && entry.path().is_dir()
        {
            slugs.push(slug.to_owned());
        }
    }
    slugs.sort();
    Ok(slugs)
}

/// Rebuilds the index of every organisation that has vacancies among `vacancies` or an
/// index under `root` already. Returns each organisation's slug with what its new
/// generation holds.
pub fn build_internal_indexes<'a>(
    root: &Path,
    vacancies: impl IntoIterator<Item = &'a Vacancy>,
    config: WriterConfig,
) -> Result<Vec<(String, IndexStats)>, IndexError> {
    let mut by_organisation: BTreeMap<String, Vec<&Vacancy>> = internal_indexes(root)?
        .into_iter()
        .map(|slug| (slug, Vec::new()))
        .collect();
    for vacancy in vacancies {
        if let Some(slug) = vacancy.audience.organisation_slug() {
            by_organisation
                .entry(slug.to_owned())
                .or_default()
                .push(vacancy);
        }
    }
    let mut built = Vec::with_capacity(by_organisation.len());
    for (slug, vacancies) in by_organisation {
        let audience = Audience::Organisation(slug.clone());
        let mut generation =
            GenerationWriter::create(&internal_root(root, &slug), config)?.for_audience(audience);
        for vacancy in vacancies {
            generation.upsert(vacancy)?;
        }
        built.push((slug, generation.publish(None)?));
    }
    Ok(built)
}
