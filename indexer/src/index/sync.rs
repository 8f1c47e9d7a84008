//! Bringing the index up to date with the whole set of vacancies, rewriting only what
//! changed: the incremental run of `vindwerk index`.
//!
//! The live generation already knows, per vacancy id, the fingerprint of the document it
//! holds (a fast field). A run streams every vacancy, builds its document, and rewrites it only
//! when the fingerprint differs; ids it no longer sees are deleted. When nothing changed, no
//! generation is written at all. When the live generation has another schema (an upgrade of
//! vindwerk), the run rebuilds everything instead. Either way the outcome equals a full
//! rebuild from the same vacancies.

use std::collections::HashMap;
use std::path::Path;

use tantivy::Index;
use tracing::info;
use vindwerk_model::{Vacancy, VacancyId};

use super::IndexError;
use super::generation::{GenerationWriter, IndexStats, WriterConfig, current_generation};
use super::schema::{self, Fields, field};

/// Makes the live index under `root` hold exactly the public ones of `vacancies`, rewriting
/// only the documents that changed (see the module docs), and publishes the result as a new
/// generation. With no live generation, or one of another schema, it builds one from scratch.
///
/// The vacancies of an organisation's internal labour market stay in the store and out of
/// the index, which serves the public: one that turns internal leaves the index.
pub fn sync_index(
    root: &Path,
    vacancies: impl IntoIterator<Item = Vacancy>,
    config: WriterConfig,
    watermark: Option<&str>,
) -> Result<IndexStats, IndexError> {
    let vacancies = vacancies
        .into_iter()
        .filter(|vacancy| vacancy.audience.is_public());
    let live = match current_generation(root)? {
        Some(generation) => {
            let path = root.join(&generation);
            let index =
                Index::open_in_dir(&path).map_err(|source| IndexError::tantivy(&path, source))?;
            if index.schema() == schema::schema() {
                Some((index, generation))
            } else {
                info!(generation = %generation, "index schema changed: rebuilding");
                None
            }
        }
        None => None,
    };
    let Some((index, generation)) = live else {
        return rebuild(root, vacancies, config, watermark);
    };
    let fields = Fields::from_schema(&index.schema())?;
    let live_path = root.join(&generation);
    let mut indexed = fingerprints(&index, &live_path)?;
    let documents = indexed.len() as u64;
    let live_watermark = index
        .load_metas()
        .map_err(|source| IndexError::tantivy(&live_path, source))?
        .payload;
    drop(index);

    let mut writer: Option<GenerationWriter> = None;
    let mut changed = 0u64;
    for vacancy in vacancies {
        let fingerprint = schema::document(&fields, &vacancy)
            .get_first(fields.fingerprint)
            .and_then(|value| tantivy::schema::Value::as_u64(&value));
        let previous = indexed.remove(vacancy.id.as_str());
        if previous.is_some() && previous == fingerprint {
            continue;
        }
        let generation = match &mut writer {
            Some(generation) => generation,
            None => writer.insert(GenerationWriter::from_current(root, config)?),
        };
        generation.upsert(&vacancy)?;
        changed += 1;
    }
    let deleted = indexed.len() as u64;
    if writer.is_none() && deleted == 0 && live_watermark.as_deref() == watermark {
        info!(generation = %generation, documents, "index already up to date");
        return Ok(IndexStats {
            generation,
            documents,
            watermark: live_watermark,
            changed: 0,
            deleted: 0,
        });
    }
    let mut generation = match writer {
        Some(generation) => generation,
        None => GenerationWriter::from_current(root, config)?,
    };
    for id in indexed.into_keys() {
        generation.delete(&VacancyId::new(id));
    }
    let mut stats = generation.publish(watermark)?;
    stats.changed = changed;
    stats.deleted = deleted;
    Ok(stats)
}

fn rebuild(
    root: &Path,
    vacancies: impl IntoIterator<Item = Vacancy>,
    config: WriterConfig,
    watermark: Option<&str>,
) -> Result<IndexStats, IndexError> {
    let mut generation = GenerationWriter::create(root, config)?;
    let mut changed = 0u64;
    for vacancy in vacancies {
        generation.upsert(&vacancy)?;
        changed += 1;
    }
    let mut stats = generation.publish(watermark)?;
    stats.changed = changed;
    Ok(stats)
}

/// The fingerprint of every live document, by vacancy id.
fn fingerprints(index: &Index, path: &Path) -> Result<HashMap<String, u64>, IndexError> {
    let context = |source| IndexError::tantivy(path, source);
    let reader = index.reader().map_err(context)?;
    let searcher = reader.searcher();
    let mut fingerprints = HashMap::new();
    for segment in searcher.segment_readers() {
        let fast = segment.fast_fields();
        let Some(ids) = fast.str(field::ID).map_err(context)? else {
            continue;
        };
        let prints = fast.u64(field::FINGERPRINT).map_err(context)?;
        let mut id = String::new();
        for doc in segment.doc_ids_alive() {
            let Some(ord) = ids.term_ords(doc).next() else {
                continue;
            };
            id.clear();
            if !ids
                .ord_to_str(ord, &mut id)
                .map_err(|error| context(error.into()))?
            {
                continue;
            }
            if let Some(print) = prints.first(doc) {
                fingerprints.insert(id.clone(), print);
            }
        }
    }
    Ok(fingerprints)
}
