use std::fs;

use tantivy::collector::Count;
use tantivy::query::AllQuery;
use tantivy::schema::document::Document;
use tempfile::TempDir;
use vindwerk_model::Status;

use super::super::*;
use super::vacancy;

fn small() -> WriterConfig {
    WriterConfig {
        threads: 1,
        heap_bytes: 20_000_000,
    }
}

fn count(root: &std::path::Path) -> usize {
    let handle = IndexHandle::open(root).expect("open");
    handle.searcher().search(&AllQuery, &Count).expect("count")
}

#[test]
fn a_sync_rewrites_only_what_changed_and_equals_a_rebuild() {
    let dir = TempDir::new().expect("temp dir");
    let round1 = vec![
        vacancy("a", "Kok", "Koken."),
        vacancy("b", "Kapper", "Knippen."),
        vacancy("c", "Bakker", "Brood."),
    ];
    let first = sync_index(dir.path(), round1.clone(), small(), Some("1")).expect("first sync");
    assert_eq!((first.documents, first.changed, first.deleted), (3, 3, 0));

    // Nothing changed but the day it was last seen: no new generation.
    let mut seen_again = round1.clone();
    for v in &mut seen_again {
        v.last_seen += chrono::Duration::days(1);
    }
    let same = sync_index(dir.path(), seen_again, small(), Some("1")).expect("no-op sync");
    assert_eq!(same.generation, first.generation);
    assert_eq!((same.changed, same.deleted), (0, 0));

    let mut expired = vacancy("b", "Kapper", "Knippen.");
    expired.status = Status::Expired;
    let round2 = vec![
        vacancy("a", "Kok", "Koken."),
        expired,
        vacancy("d", "Slager", "Vlees."),
    ];
    let second = sync_index(dir.path(), round2.clone(), small(), Some("2")).expect("second sync");
    assert_ne!(second.generation, first.generation);
    assert_eq!(
        (second.documents, second.changed, second.deleted),
        (3, 2, 1)
    );
    assert_eq!(
        index_watermark(dir.path()).expect("watermark").as_deref(),
        Some("2")
    );

    let rebuilt = TempDir::new().expect("temp dir");
    build_index(rebuilt.path(), round2, small(), None).expect("rebuild");
    let (live, _, _) = open_index(dir.path()).expect("live");
    let (full, _, _) = open_index(rebuilt.path()).expect("full");
    let docs = |index: &tantivy::Index| -> Vec<String> {
        let searcher = index.reader().expect("reader").searcher();
        let mut docs: Vec<String> = Vec::new();
        for segment in searcher.segment_readers() {
            let store = segment.get_store_reader(1).expect("store");
            for doc in segment.doc_ids_alive() {
                let doc: tantivy::TantivyDocument = store.get(doc).expect("doc");
                let mut json: serde_json::Value =
                    serde_json::from_str(&doc.to_json(&index.schema())).expect("json");
                json.as_object_mut()
                    .expect("object")
                    .remove(field::FINGERPRINT);
                docs.push(json.to_string());
            }
        }
        docs.sort();
        docs
    };
    assert_eq!(docs(&live), docs(&full));
}

#[test]
fn a_sync_over_another_schema_rebuilds() {
    let dir = TempDir::new().expect("temp dir");
    let old = dir.path().join("gen-000001");
    fs::create_dir(&old).expect("dir");
    let mut builder = tantivy::schema::Schema::builder();
    builder.add_text_field("id", tantivy::schema::STRING);
    tantivy::Index::create_in_dir(&old, builder.build()).expect("old index");
    fs::write(dir.path().join(CURRENT_FILE), "gen-000001\n").expect("pointer");

    let stats = sync_index(
        dir.path(),
        vec![vacancy("a", "Kok", "Koken.")],
        small(),
        None,
    )
    .expect("sync");
    assert_eq!(stats.generation, "gen-000002");
    assert_eq!(count(dir.path()), 1);
}

#[test]
fn a_sync_of_nothing_empties_the_index() {
    let dir = TempDir::new().expect("temp dir");
    sync_index(
        dir.path(),
        vec![vacancy("a", "Kok", "Koken.")],
        small(),
        None,
    )
    .expect("sync");
    let stats = sync_index(dir.path(), Vec::new(), small(), None).expect("sync");
    assert_eq!((stats.documents, stats.deleted), (0, 1));
    assert_eq!(count(dir.path()), 0);
}
