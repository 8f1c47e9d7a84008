//! Generations of the index on disk and the atomic swap between them.
//!
//! ```text
//! index/                 the directory given as `--index`
//!   CURRENT              "gen-000042": the live generation (replaced by rename, never edited)
//!   gen-000041/          the previous generation, kept for readers that have not moved on
//!   gen-000042/          a complete tantivy index
//!   gen-000043/          a generation being written (or left behind by an interrupted run)
//! ```
//!
//! Every run writes a *new* generation and publishes it by replacing `CURRENT` (write a temp
//! file, fsync, rename, fsync the directory). A reader follows `CURRENT`, so it sees the old
//! generation or the new one, never a half-written index: a run that is interrupted before
//! the rename leaves `CURRENT` and the generation it names untouched.
//!
//! A full rebuild ([`build_index`]) starts the generation empty. An incremental run
//! ([`update_index`]) starts it as a copy of the live generation made of hard links (tantivy
//! never changes a segment file once written, and replaces `meta.json` by rename, so the two
//! generations share files safely), then deletes and re-adds the changed vacancies by id. Both
//! end with the same documents for the same vacancies.
//!
//! After a swap, every generation but the live one and the one it replaced is removed, which
//! includes those left behind by interrupted runs.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tantivy::{Index, IndexWriter, TantivyDocument, Term};
use tracing::{debug, info, warn};
use vindwerk_model::{Audience, Vacancy, VacancyId};

use super::IndexError;
use super::schema::{self, Fields, register_analysers};

/// The file naming the live generation.
pub const CURRENT_FILE: &str = "CURRENT";
const GENERATION_PREFIX: &str = "gen-";
const LOCK_FILES: &[&str] = &[".tantivy-writer.lock", ".tantivy-meta.lock"];

/// How much the writer may use: tantivy splits the heap over its threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterConfig {
    pub threads: usize,
    pub heap_bytes: usize,
}

impl Default for WriterConfig {
    /// Two threads (the machine's cores) sharing 256 MB.
    fn default() -> Self {
        Self {
            threads: 2,
            heap_bytes: 256 * 1024 * 1024,
        }
    }
}

/// What a published generation holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexStats {
    /// The generation's directory name, e.g. `gen-000042`.
    pub generation: String,
    pub documents: u64,
    /// The caller's watermark stored with the commit (see [`GenerationWriter::publish`]).
    pub watermark: Option<String>,
    /// Documents written (added or rewritten) by the run.
    pub changed: u64,
    /// Documents deleted by the run.
    pub deleted: u64,
}

/// A new generation being written. Dropping it without [`publish`](Self::publish) abandons
/// it: the live generation stays live, and the next published run removes the leftover.
pub struct GenerationWriter {
    root: PathBuf,
    name: String,
    index: Index,
    fields: Fields,
    writer: IndexWriter<TantivyDocument>,
    /// Whose vacancies the generation holds; others are removed instead of added.
    audience: Audience,
    /// A full rebuild is merged into one segment before it goes live: every query pays per
    /// segment (its dictionaries walked for typos, its readers opened), and at a million
    /// vacancies one segment answers 15% faster than the eight a build leaves, for ten
    /// seconds of merging. An incremental run adds its small segments to the live ones and
    /// leaves merging to tantivy's policy.
    merge_into_one: bool,
    changed: u64,
    deleted: u64,
}

impl GenerationWriter {
    /// Starts an empty generation under `root`, for a full rebuild.
    pub fn create(root: &Path, config: WriterConfig) -> Result<GenerationWriter, IndexError> {
        fs::create_dir_all(root).map_err(|source| IndexError::io(root, source))?;
        let (name, path) = new_generation_dir(root)?;
        let index = Index::create_in_dir(&path, schema::schema())
            .map_err(|source| IndexError::tantivy(&path, source))?;
        let mut writer = Self::start(root, name, path, index, config)?;
        writer.merge_into_one = true;
        Ok(writer)
    }

    /// Starts a generation as a copy of the live one, for an incremental run. Fails with
    /// [`IndexError::NoGeneration`] when there is none yet.
    pub fn from_current(root: &Path, config: WriterConfig) -> Result<GenerationWriter, IndexError> {
        let live = current_generation(root)?.ok_or_else(|| IndexError::NoGeneration {
            dir: root.to_owned(),
        })?;
        let (name, path) = new_generation_dir(root)?;
        link_files(&root.join(&live), &path)?;
        let index =
            Index::open_in_dir(&path).map_err(|source| IndexError::tantivy(&path, source))?;
        Self::start(root, name, path, index, config)
    }

    fn start(
        root: &Path,
        name: String,
        path: PathBuf,
        index: Index,
        config: WriterConfig,
    ) -> Result<GenerationWriter, IndexError> {
        register_analysers(index.tokenizers());
        let fields = Fields::from_schema(&index.schema())?;
        let writer = index
            .writer_with_num_threads(config.threads.max(1), config.heap_bytes)
            .map_err(|source| IndexError::tantivy(&path, source))?;
        debug!(generation = %name, "index generation started");
        Ok(GenerationWriter {
            root: root.to_owned(),
            name,
            index,
            fields,
            writer,
            audience: Audience::Public,
            merge_into_one: false,
            changed: 0,
            deleted: 0,
        })
    }

    /// Makes the generation hold the vacancies of `audience` (the public's by default): the
    /// index of an organisation's internal labour market.
    pub fn for_audience(mut self, audience: Audience) -> GenerationWriter {
        self.audience = audience;
        self
    }

    /// The generation's directory name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Adds `vacancy`, replacing any document with its id. A vacancy of another audience
    /// (for the public index: of an organisation's internal labour market) is removed
    /// instead of added.
    pub fn upsert(&mut self, vacancy: &Vacancy) -> Result<(), IndexError> {
        if vacancy.audience != self.audience {
            self.delete(&vacancy.id);
            return Ok(());
        }
        self.writer
            .delete_term(Term::from_field_text(self.fields.id, vacancy.id.as_str()));
        self.writer
            .add_document(schema::document(&self.fields, vacancy))
            .map_err(|source| IndexError::tantivy(&self.path(), source))?;
        self.changed += 1;
        Ok(())
    }

    /// Removes the document of `id`, if any.
    pub fn delete(&mut self, id: &VacancyId) {
        self.writer
            .delete_term(Term::from_field_text(self.fields.id, id.as_str()));
        self.deleted += 1;
    }

    /// Commits the generation, waits for its merges, and makes it live by replacing
    /// `CURRENT`; then removes generations no reader needs. `watermark` is stored with the
    /// commit for the caller to read back with [`index_watermark`] (e.g. the store's change
    /// counter the index has caught up with), so an interrupted run never advances it.
    pub fn publish(mut self, watermark: Option<&str>) -> Result<IndexStats, IndexError> {
        let path = self.path();
        let mut commit = self
            .writer
            .prepare_commit()
            .map_err(|source| IndexError::tantivy(&path, source))?;
        if let Some(watermark) = watermark {
            commit.set_payload(watermark);
        }
        commit
            .commit()
            .map_err(|source| IndexError::tantivy(&path, source))?;
        if self.merge_into_one {
            let segments = self
                .index
                .searchable_segment_ids()
                .map_err(|source| IndexError::tantivy(&path, source))?;
            if segments.len() > 1 {
                self.writer
                    .merge(&segments)
                    .wait()
                    .map_err(|source| IndexError::tantivy(&path, source))?;
            }
        }
        self.writer
            .wait_merging_threads()
            .map_err(|source| IndexError::tantivy(&path, source))?;

        let reader = self
            .index
            .reader()
            .map_err(|source| IndexError::tantivy(&path, source))?;
        let documents = reader.searcher().num_docs();
        let previous = current_generation(&self.root)?;
        swap_current(&self.root, &self.name)?;
        info!(generation = %self.name, documents, "index generation published");
        remove_stale_generations(&self.root, &self.name, previous.as_deref());
        Ok(IndexStats {
            generation: self.name,
            documents,
            watermark: watermark.map(str::to_owned),
            changed: self.changed,
            deleted: self.deleted,
        })
    }

    fn path(&self) -> PathBuf {
        self.root.join(&self.name)
    }
}

/// Rebuilds the index under `root` from every vacancy into a new generation and makes it live.
pub fn build_index(
    root: &Path,
    vacancies: impl IntoIterator<Item = Vacancy>,
    config: WriterConfig,
    watermark: Option<&str>,
) -> Result<IndexStats, IndexError> {
    let mut generation = GenerationWriter::create(root, config)?;
    for vacancy in vacancies {
        generation.upsert(&vacancy)?;
    }
    generation.publish(watermark)
}

/// Brings the index under `root` up to date with the vacancies that changed (added or
/// modified) and those that no longer exist, in a new generation made live at the end. With no
/// live generation yet, it builds one from `changed`.
pub fn update_index(
    root: &Path,
    changed: impl IntoIterator<Item = Vacancy>,
    deleted: &[VacancyId],
    config: WriterConfig,
    watermark: Option<&str>,
) -> Result<IndexStats, IndexError> {
    let mut generation = match GenerationWriter::from_current(root, config) {
        Ok(generation) => generation,
        Err(IndexError::NoGeneration { .. }) => GenerationWriter::create(root, config)?,
        Err(error) => return Err(error),
    };
    for id in deleted {
        generation.delete(id);
    }
    for vacancy in changed {
        generation.upsert(&vacancy)?;
    }
    generation.publish(watermark)
}

/// Opens the live generation under `root`, with vindwerk's analysers registered.
pub fn open_index(root: &Path) -> Result<(Index, Fields, String), IndexError> {
    let name = current_generation(root)?.ok_or_else(|| IndexError::NoGeneration {
        dir: root.to_owned(),
    })?;
    let path = root.join(&name);
    let index = Index::open_in_dir(&path).map_err(|source| IndexError::tantivy(&path, source))?;
    register_analysers(index.tokenizers());
    let fields = Fields::from_schema(&index.schema())?;
    Ok((index, fields, name))
}

/// The watermark stored with the live generation's last commit; `None` when there is no
/// generation yet or no watermark was given.
pub fn index_watermark(root: &Path) -> Result<Option<String>, IndexError> {
    let Some(name) = current_generation(root)? else {
        return Ok(None);
    };
    let path = root.join(&name);
    let index = Index::open_in_dir(&path).map_err(|source| IndexError::tantivy(&path, source))?;
    let metas = index
        .load_metas()
        .map_err(|source| IndexError::tantivy(&path, source))?;
    Ok(metas.payload)
}

/// The name of the live generation, from `CURRENT`; `None` when there is none.
pub fn current_generation(root: &Path) -> Result<Option<String>, IndexError> {
    let pointer = root.join(CURRENT_FILE);
    let content = match fs::read_to_string(&pointer) {
        Ok(content) => content,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(IndexError::io(&pointer, source)),
    };
    let name = content.trim();
    if generation_number(name).is_none() || !root.join(name).is_dir() {
        return Err(IndexError::BadPointer {
            path: pointer,
            content: name.chars().take(80).collect(),
        });
    }
    Ok(Some(name.to_owned()))
}

fn generation_number(name: &str) -> Option<u64> {
    let digits = name.strip_prefix(GENERATION_PREFIX)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn generation_dirs(root: &Path) -> Result<Vec<(u64, String)>, IndexError> {
    let mut generations = Vec::new();
    let entries = fs::read_dir(root).map_err(|source| IndexError::io(root, source))?;
    for entry in entries {
        let entry = entry.map_err(|source| IndexError::io(root, source))?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if let Some(number) = generation_number(&name) {
            generations.push((number, name));
        }
    }
    generations.sort();
    Ok(generations)
}

/// A fresh generation directory numbered above every existing one, so that a leftover of an
/// interrupted run is never reused.
fn new_generation_dir(root: &Path) -> Result<(String, PathBuf), IndexError> {
    let next = generation_dirs(root)?
        .last()
        .map_or(1, |(number, _)| number + 1);
    let name = format!("{GENERATION_PREFIX}{next:06}");
    let path = root.join(&name);
    fs::create_dir(&path).map_err(|source| IndexError::io(&path, source))?;
    Ok((name, path))
}

/// Hard-links (or, where links fail, copies) the files of generation `from` into `to`.
fn link_files(from: &Path, to: &Path) -> Result<(), IndexError> {
    let entries = fs::read_dir(from).map_err(|source| IndexError::io(from, source))?;
    for entry in entries {
        let entry = entry.map_err(|source| IndexError::io(from, source))?;
        let file_type = entry
            .file_type()
            .map_err(|source| IndexError::io(&entry.path(), source))?;
        let name = entry.file_name();
        if !file_type.is_file() || LOCK_FILES.iter().any(|lock| name == *lock) {
            continue;
        }
        let target = to.join(&name);
        if fs::hard_link(entry.path(), &target).is_err() {
            fs::copy(entry.path(), &target).map_err(|source| IndexError::io(&target, source))?;
        }
    }
    Ok(())
}

fn swap_current(root: &Path, name: &str) -> Result<(), IndexError> {
    let temp = root.join(format!("{CURRENT_FILE}.tmp"));
    let mut file = fs::File::create(&temp).map_err(|source| IndexError::io(&temp, source))?;
    file.write_all(format!("{name}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|source| IndexError::io(&temp, source))?;
    drop(file);
    let pointer = root.join(CURRENT_FILE);
    fs::rename(&temp, &pointer).map_err(|source| IndexError::io(&pointer, source))?;
    // The rename is durable only once the directory entry is; not every platform lets a
    // directory be opened for that, and the swap has happened either way.
    if let Ok(dir) = fs::File::open(root) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Removes every generation but `live` and `previous`. Failures are logged, not fatal: a
/// leftover costs disk space, not correctness, and the next run tries again.
fn remove_stale_generations(root: &Path, live: &str, previous: Option<&str>) {
    let generations = match generation_dirs(root) {
        Ok(generations) => generations,
        Err(error) => {
            warn!(%error, "cannot list index generations to clean up");
            return;
        }
    };
    for (_, name) in generations {
        if name == live || Some(name.as_str()) == previous {
            continue;
        }
        let path = root.join(&name);
        match fs::remove_dir_all(&path) {
            Ok(()) => debug!(generation = %name, "stale index generation removed"),
            Err(error) => warn!(generation = %name, %error, "cannot remove stale index generation"),
        }
    }
}
