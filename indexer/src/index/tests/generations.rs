use std::fs;
use std::sync::Arc;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, QueryParser};
use tantivy::schema::Value;
use tantivy::{Searcher, TantivyDocument};
use tempfile::TempDir;
use vindwerk_model::VacancyId;

use super::super::*;
use super::vacancy;

fn small() -> WriterConfig {
    WriterConfig {
        threads: 1,
        heap_bytes: 20_000_000,
    }
}

/// The ids a query finds, sorted.
fn ids(searcher: &Searcher, index: &tantivy::Index, fields: &Fields, q: &str) -> Vec<String> {
    let parser = QueryParser::for_index(index, vec![fields.title, fields.description]);
    let query = parser.parse_query(q).expect("query parses");
    let hits = searcher
        .search(&query, &TopDocs::with_limit(100).order_by_score())
        .expect("search");
    let mut ids: Vec<String> = hits
        .into_iter()
        .map(|(_, address)| {
            let doc: TantivyDocument = searcher.doc(address).expect("stored");
            doc.get_first(fields.id)
                .and_then(|value| value.as_str().map(str::to_owned))
                .expect("every document has an id")
        })
        .collect();
    ids.sort();
    ids
}

fn live_ids(root: &std::path::Path, q: &str) -> Vec<String> {
    let handle = IndexHandle::open(root).expect("open live generation");
    let snapshot = handle.snapshot();
    ids(&snapshot.searcher, &snapshot.index, &snapshot.fields, q)
}

#[test]
fn a_build_is_served_and_finds_stemmed_words() {
    let dir = TempDir::new().expect("temp dir");
    let stats = build_index(
        dir.path(),
        vec![
            vacancy("v1", "Verpleegkundige", "Zorg voor patiënten."),
            vacancy("v2", "Kok", "Koken in een restaurant."),
        ],
        small(),
        Some("run-1"),
    )
    .expect("build");
    assert_eq!(stats.documents, 2);
    assert_eq!(
        current_generation(dir.path()).expect("pointer"),
        Some(stats.generation)
    );
    assert_eq!(live_ids(dir.path(), "verpleegkundigen"), vec!["v1"]);
    assert_eq!(live_ids(dir.path(), "patienten"), vec!["v1"]);
    assert_eq!(
        index_watermark(dir.path()).expect("watermark").as_deref(),
        Some("run-1")
    );
}

#[test]
fn a_full_build_goes_live_as_one_segment_with_its_watermark() {
    let dir = TempDir::new().expect("temp dir");
    // Two indexing threads write a segment each.
    let config = WriterConfig {
        threads: 2,
        heap_bytes: 40_000_000,
    };
    let vacancies: Vec<_> = (0..400)
        .map(|n| vacancy(&format!("v{n}"), "Kok", &format!("Koken in keuken {n}.")))
        .collect();
    let stats = build_index(dir.path(), vacancies, config, Some("run-7")).expect("build");
    assert_eq!(stats.documents, 400);
    let live = dir.path().join(&stats.generation);
    let index = tantivy::Index::open_in_dir(&live).expect("open the generation");
    assert_eq!(index.searchable_segment_ids().expect("segments").len(), 1);
    assert_eq!(
        live_ids(dir.path(), "keuken").len(),
        100,
        "a search still finds them"
    );
    assert_eq!(
        index_watermark(dir.path()).expect("watermark").as_deref(),
        Some("run-7")
    );
}

#[test]
fn an_incremental_update_replaces_and_deletes_documents() {
    let dir = TempDir::new().expect("temp dir");
    build_index(
        dir.path(),
        vec![
            vacancy("v1", "Verpleegkundige", "Zorg."),
            vacancy("v2", "Kok", "Koken."),
            vacancy("v3", "Chauffeur", "Rijden."),
        ],
        small(),
        None,
    )
    .expect("build");
    let stats = update_index(
        dir.path(),
        vec![
            vacancy("v1", "Timmerman", "Hout."),
            vacancy("v4", "Bakker", "Brood."),
        ],
        &[VacancyId::new("v3")],
        small(),
        Some("run-2"),
    )
    .expect("update");
    assert_eq!(stats.documents, 3);
    assert!(live_ids(dir.path(), "verpleegkundige").is_empty());
    assert_eq!(live_ids(dir.path(), "timmerman"), vec!["v1"]);
    assert!(live_ids(dir.path(), "chauffeur").is_empty());
    assert_eq!(live_ids(dir.path(), "bakker"), vec!["v4"]);
    assert_eq!(
        index_watermark(dir.path()).expect("watermark").as_deref(),
        Some("run-2")
    );
}

#[test]
fn incremental_updates_and_a_full_rebuild_give_the_same_index() {
    let incremental = TempDir::new().expect("temp dir");
    let full = TempDir::new().expect("temp dir");
    build_index(
        incremental.path(),
        vec![
            vacancy("a", "Kok", "Koken."),
            vacancy("b", "Kapper", "Knippen."),
        ],
        small(),
        None,
    )
    .expect("build");
    update_index(
        incremental.path(),
        vec![
            vacancy("b", "Kapper senior", "Knippen en kleuren."),
            vacancy("c", "Kok", "Bakken."),
        ],
        &[VacancyId::new("a")],
        small(),
        None,
    )
    .expect("update");
    build_index(
        full.path(),
        vec![
            vacancy("b", "Kapper senior", "Knippen en kleuren."),
            vacancy("c", "Kok", "Bakken."),
        ],
        small(),
        None,
    )
    .expect("rebuild");
    for q in [
        "kok", "kapper", "kleuren", "knippen", "koken", "bakken", "*",
    ] {
        assert_eq!(
            live_ids(incremental.path(), q),
            live_ids(full.path(), q),
            "query {q}"
        );
    }
}

#[test]
fn an_interrupted_run_leaves_the_previous_generation_servable() {
    let dir = TempDir::new().expect("temp dir");
    let first = build_index(
        dir.path(),
        vec![vacancy("v1", "Kok", "Koken.")],
        small(),
        None,
    )
    .expect("build");

    // A rebuild and an update that are written, even committed, but never published.
    let mut rebuild = GenerationWriter::create(dir.path(), small()).expect("start rebuild");
    rebuild
        .upsert(&vacancy("v9", "Piloot", "Vliegen."))
        .expect("add");
    drop(rebuild);
    let mut update = GenerationWriter::from_current(dir.path(), small()).expect("start update");
    update.delete(&VacancyId::new("v1"));
    drop(update);

    assert_eq!(
        current_generation(dir.path()).expect("pointer"),
        Some(first.generation.clone())
    );
    assert_eq!(live_ids(dir.path(), "kok"), vec!["v1"]);
    assert!(live_ids(dir.path(), "piloot").is_empty());

    // The next published run numbers past the leftovers and removes them.
    let next = build_index(
        dir.path(),
        vec![vacancy("v2", "Bakker", "Brood.")],
        small(),
        None,
    )
    .expect("rebuild");
    assert!(next.generation > first.generation);
    let mut left: Vec<String> = fs::read_dir(dir.path())
        .expect("list")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.starts_with("gen-"))
        .collect();
    left.sort();
    assert_eq!(left, vec![first.generation, next.generation]);
}

#[test]
fn an_update_without_a_generation_builds_one() {
    let dir = TempDir::new().expect("temp dir");
    assert!(matches!(
        IndexHandle::open(dir.path()),
        Err(IndexError::NoGeneration { .. })
    ));
    update_index(
        dir.path(),
        vec![vacancy("v1", "Kok", "Koken.")],
        &[],
        small(),
        None,
    )
    .expect("first update");
    assert_eq!(live_ids(dir.path(), "kok"), vec!["v1"]);
}

#[test]
fn a_corrupt_pointer_is_an_error_naming_it() {
    let dir = TempDir::new().expect("temp dir");
    fs::write(dir.path().join(CURRENT_FILE), "../../etc\n").expect("write");
    let error = current_generation(dir.path()).expect_err("not a generation");
    assert!(error.to_string().contains("CURRENT"), "{error}");
}

#[test]
fn the_handle_follows_a_published_generation() {
    let dir = TempDir::new().expect("temp dir");
    build_index(
        dir.path(),
        vec![vacancy("v1", "Kok", "Koken.")],
        small(),
        None,
    )
    .expect("build");
    let handle = Arc::new(IndexHandle::open(dir.path()).expect("open"));
    let before = handle.searcher();
    assert!(!handle.refresh().expect("refresh"), "nothing new yet");

    update_index(
        dir.path(),
        vec![vacancy("v2", "Kok", "Koken.")],
        &[],
        small(),
        None,
    )
    .expect("update");
    assert!(handle.refresh().expect("refresh"));
    assert_eq!(
        handle.searcher().search(&AllQuery, &Count).expect("count"),
        2
    );
    // A search that started before the swap keeps its own generation.
    assert_eq!(before.search(&AllQuery, &Count).expect("count"), 1);
}

#[test]
fn an_in_ram_handle_sees_commits_after_a_refresh() {
    let (index, fields) = create_in_ram();
    let handle = IndexHandle::from_index(index.clone()).expect("handle");
    let mut writer: tantivy::IndexWriter = index
        .writer_with_num_threads(1, 15_000_000)
        .expect("writer");
    writer
        .add_document(document(&fields, &vacancy("v1", "Kok", "Koken.")))
        .expect("add");
    writer.commit().expect("commit");
    assert_eq!(
        handle.searcher().search(&AllQuery, &Count).expect("count"),
        0
    );
    assert!(handle.refresh().expect("refresh"));
    assert_eq!(
        handle.searcher().search(&AllQuery, &Count).expect("count"),
        1
    );
    assert!(!handle.refresh().expect("refresh"));
}
