//! Every migration applies to an empty file, and every type the store keeps comes back equal.

use std::collections::BTreeMap;

use crate::common::{acme, at, full_posting, full_vacancy};
use vindwerk_model::{Audience, Channel, ExpiryReason, SourceKind, Status, VacancyId};
use vindwerk_store::{
    FetchState, HistoryEvent, RunStatus, SourceRecord, SourceRunSummary, Store, StoreError,
    UpsertOutcome,
};

#[test]
fn every_migration_applies_to_an_empty_file_and_every_type_round_trips() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("vindwerk.db");
    let mut store = Store::open(&path).expect("open creates and migrates");
    let data = full_posting("https://acme.nl/vacatures/1");

    let (posting_id, run) = store
        .write(|batch| {
            let upserted = batch.upsert_posting(
                &acme(),
                SourceKind::Sitemap,
                Channel::Employer,
                &data,
                at(6),
            )?;
            batch.expire_posting(upserted.id, at(8), ExpiryReason::GoneFromListing)?;
            batch.save_fetch_state(
                &data.url,
                &FetchState {
                    etag: Some("\"abc\"".to_owned()),
                    last_modified: Some("Sun, 22 Nov 2026 06:00:00 GMT".to_owned()),
                    last_status: Some(200),
                    fetched_at: at(6),
                    body_hash: Some("f00d".to_owned()),
                },
            )?;
            let run = batch.begin_run(at(5))?;
            let mut summary = SourceRunSummary::new(acme());
            summary.pages_fetched = 12;
            summary.postings_found = 10;
            summary.postings_new = 3;
            summary.postings_changed = 2;
            summary.postings_unchanged = 5;
            summary.postings_expired = 1;
            summary.errors =
                BTreeMap::from([("timeout".to_owned(), 2), ("http_5xx".to_owned(), 1)]);
            summary.complete = true;
            summary.duration_ms = 4321;
            batch.record_source_run(run, &summary)?;
            batch.finish_run(run, at(9), RunStatus::Completed)?;
            batch.meta_set("last_index_run", "2026-11-22T09:00:00Z")?;
            Ok::<_, StoreError>((upserted.id, run))
        })
        .expect("write everything");
    let vacancy = full_vacancy("v-1", &[(posting_id, data.url.as_str())]);
    store
        .write(|batch| batch.upsert_vacancy(&vacancy, at(10)))
        .expect("write the vacancy");
    drop(store);

    // Read it all back through a second, read-only connection to the file.
    let store = Store::open_readonly(&path).expect("open read-only");
    assert_eq!(store.integrity_check().expect("check runs"), Ok(()));

    let posting = store
        .posting(posting_id)
        .expect("read")
        .expect("posting exists");
    assert_eq!(posting.data, data);
    assert_eq!(posting.source, acme());
    assert_eq!(posting.source_kind, SourceKind::Sitemap);
    assert_eq!(posting.channel, Channel::Employer);
    assert_eq!(
        (posting.first_seen, posting.last_seen, posting.changed_at),
        (at(6), at(6), at(6))
    );
    assert_eq!(posting.status, Status::Expired);
    assert_eq!(posting.expired_at, Some(at(8)));
    assert_eq!(posting.expiry_reason, Some(ExpiryReason::GoneFromListing));
    assert_eq!(posting.content_hash.len(), 64, "blake3 in hex");

    let history = store.posting_history(posting_id).expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(
        (history[0].event, history[0].at),
        (HistoryEvent::New, at(6))
    );
    assert_eq!(history[0].data.as_ref(), Some(&data));
    assert_eq!(history[0].content_hash, posting.content_hash);
    assert_eq!(
        (history[1].event, history[1].at),
        (HistoryEvent::Expired, at(8))
    );
    assert_eq!(
        history[1].expiry_reason,
        Some(ExpiryReason::GoneFromListing)
    );
    assert_eq!(history[1].data, None);

    let state = store.fetch_state(&data.url).expect("read").expect("saved");
    assert_eq!(state.etag.as_deref(), Some("\"abc\""));
    assert_eq!(state.last_status, Some(200));
    assert_eq!(state.fetched_at, at(6));
    assert_eq!(
        store.fetch_state("https://elsewhere.nl/").expect("read"),
        None
    );

    let runs = store.last_runs(5).expect("runs");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].id, run);
    assert_eq!(
        (runs[0].started_at, runs[0].finished_at),
        (at(5), Some(at(9)))
    );
    assert_eq!(runs[0].status, RunStatus::Completed);
    assert_eq!(runs[0].sources.len(), 1);
    let summary = &runs[0].sources[0];
    assert_eq!(
        (
            summary.pages_fetched,
            summary.postings_new,
            summary.duration_ms
        ),
        (12, 3, 4321)
    );
    assert_eq!(summary.errors.get("timeout"), Some(&2));
    assert!(summary.complete);

    assert_eq!(
        store.vacancy(&VacancyId::new("v-1")).expect("read"),
        Some(vacancy.clone())
    );
    assert_eq!(store.vacancy(&VacancyId::new("v-2")).expect("read"), None);
    let assignments = store.vacancy_assignments().expect("assignments");
    assert_eq!(assignments.get(&posting_id), Some(&VacancyId::new("v-1")));
    let mut exported = Vec::new();
    store
        .for_each_vacancy(Some(Status::Active), |vacancy| {
            exported.push(vacancy);
            Ok::<_, StoreError>(())
        })
        .expect("export");
    assert_eq!(exported, vec![vacancy]);

    assert_eq!(
        store.meta_get("last_index_run").expect("meta").as_deref(),
        Some("2026-11-22T09:00:00Z")
    );
    assert_eq!(store.meta_get("missing").expect("meta"), None);
    assert_eq!(
        store.sources().expect("sources"),
        vec![SourceRecord {
            name: acme(),
            kind: SourceKind::Sitemap,
            channel: Channel::Employer,
            audience: Audience::Public,
        }]
    );
    let internal = Audience::organisation("acme-intern").expect("a slug");
    Store::open(&path)
        .expect("a writer")
        .write(|batch| {
            batch.upsert_source(&acme(), SourceKind::Sitemap, Channel::Employer, &internal)
        })
        .expect("audience set");
    assert_eq!(store.sources().expect("sources")[0].audience, internal);
}

#[test]
fn reopening_a_migrated_file_keeps_its_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("vindwerk.db");
    let data = full_posting("https://acme.nl/vacatures/1");
    let mut store = Store::open(&path).expect("open");
    store
        .write(|batch| {
            batch.upsert_posting(
                &acme(),
                SourceKind::Sitemap,
                Channel::Employer,
                &data,
                at(6),
            )
        })
        .expect("upsert");
    drop(store);
    let mut store = Store::open(&path).expect("reopen: migrations already applied");
    let upserted = store
        .write(|batch| {
            batch.upsert_posting(
                &acme(),
                SourceKind::Sitemap,
                Channel::Employer,
                &data,
                at(7),
            )
        })
        .expect("upsert again");
    assert_eq!(upserted.outcome, UpsertOutcome::Unchanged);
}

#[test]
fn a_missing_directory_or_file_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("no-such-dir").join("vindwerk.db");
    let error = Store::open(&missing).expect_err("the directory does not exist");
    assert!(matches!(error, StoreError::Open { .. }), "{error:?}");
    assert!(error.to_string().contains("no-such-dir"), "{error}");
    let error = Store::open_readonly(dir.path().join("absent.db")).expect_err("no file");
    assert!(matches!(error, StoreError::Open { .. }), "{error:?}");
}

#[test]
fn a_file_that_is_not_a_store_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notes.db");
    std::fs::write(
        &path,
        "not a database, just some text that is long enough to have a header".repeat(20),
    )
    .expect("write");
    assert!(Store::open(&path).is_err());
    assert!(Store::open_readonly(&path).is_err());
}

#[test]
fn a_read_only_store_refuses_writes_and_an_unmigrated_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("vindwerk.db");
    Store::open(&path).expect("create");
    let mut reader = Store::open_readonly(&path).expect("open read-only");
    let error = reader
        .write(|batch| batch.meta_set("k", "v"))
        .expect_err("read-only");
    assert!(matches!(error, StoreError::ReadOnly { .. }), "{error:?}");

    // A zero-length file is a valid SQLite database without any schema.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").expect("create empty file");
    let error = Store::open_readonly(&empty).expect_err("schema version 0");
    assert!(
        matches!(error, StoreError::SchemaVersion { expected, .. } if expected > 0),
        "{error:?}"
    );
}

#[test]
fn a_run_left_running_by_a_killed_process_is_marked_interrupted() {
    let mut store = Store::open_in_memory().expect("store");
    let killed = store.write(|batch| batch.begin_run(at(5))).expect("begin");
    let next = store
        .write(|batch| batch.begin_run(at(6)))
        .expect("begin the next run");
    let runs = store.last_runs(10).expect("runs");
    assert_eq!(
        runs.iter().map(|run| run.id).collect::<Vec<_>>(),
        vec![next, killed]
    );
    assert_eq!(runs[0].status, RunStatus::Running);
    assert_eq!(
        (runs[1].status, runs[1].finished_at),
        (RunStatus::Interrupted, None)
    );
    assert_eq!(store.last_runs(1).expect("runs").len(), 1);

    let unknown = vindwerk_store::RunId(99);
    let error = store
        .write(|batch| batch.finish_run(unknown, at(7), RunStatus::Failed))
        .expect_err("unknown run");
    assert_eq!(error.to_string(), "no crawl run with id 99");
    let error = store
        .write(|batch| batch.record_source_run(unknown, &SourceRunSummary::new(acme())))
        .expect_err("unknown run");
    assert!(matches!(error, StoreError::UnknownRun(_)), "{error:?}");
}

#[test]
fn the_content_hash_of_a_posting_is_stable_across_builds() {
    // Changing how the hash is computed makes every stored posting look changed on the next
    // round: this pins it.
    let mut store = Store::open_in_memory().expect("store");
    let data = full_posting("https://acme.nl/vacatures/1");
    let id = store
        .write(|batch| {
            batch.upsert_posting(
                &acme(),
                SourceKind::Sitemap,
                Channel::Employer,
                &data,
                at(6),
            )
        })
        .expect("upsert")
        .id;
    let posting = store.posting(id).expect("read").expect("exists");
    assert_eq!(
        posting.content_hash,
        "754f345ab50f4202abf17085b334103c443e442819193f3d4b667fbe57d7af62"
    );
}

#[test]
fn a_hand_edited_row_is_reported_with_its_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("vindwerk.db");
    let mut store = Store::open(&path).expect("open");
    let data = full_posting("https://acme.nl/vacatures/1");
    let id = store
        .write(|batch| {
            batch.upsert_posting(
                &acme(),
                SourceKind::Sitemap,
                Channel::Employer,
                &data,
                at(6),
            )
        })
        .expect("upsert")
        .id;
    let editor = rusqlite::Connection::open(&path).expect("open with sqlite");
    editor
        .execute("UPDATE postings SET data = '{\"url\": 5'", [])
        .expect("edit");
    let error = store.posting(id).expect_err("broken row");
    assert!(
        error
            .to_string()
            .starts_with(&format!("unreadable data in postings row {id}: ")),
        "{error}"
    );
    let result = store.for_each_posting(|_| Ok::<_, StoreError>(()));
    assert!(
        matches!(
            result,
            Err(StoreError::Corrupt {
                table: "postings",
                ..
            })
        ),
        "{result:?}"
    );
}
