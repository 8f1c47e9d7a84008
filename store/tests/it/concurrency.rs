//! One writer, many readers, the run lock, and a writer killed mid-write.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::{acme, at, full_posting};
use vindwerk_model::{Channel, SourceKind};
use vindwerk_store::{RunLock, Store, StoreError};

const CHILD_ENV: &str = "VINDWERK_STORE_CHILD";
const POSTINGS_PER_BATCH: usize = 200;

fn count_postings(store: &Store) -> usize {
    let mut n = 0;
    store
        .for_each_posting(|_| {
            n += 1;
            Ok::<_, StoreError>(())
        })
        .expect("stream postings");
    n
}

fn write_batch(store: &mut Store, batch_number: usize) -> Result<(), StoreError> {
    store.write(|batch| {
        for n in 0..POSTINGS_PER_BATCH {
            let data = full_posting(&format!("https://acme.nl/batch/{batch_number}/posting/{n}"));
            batch.upsert_posting(
                &acme(),
                SourceKind::Sitemap,
                Channel::Employer,
                &data,
                at(6),
            )?;
        }
        batch.meta_set("last_batch", &batch_number.to_string())
    })
}

#[test]
fn a_reader_in_a_read_transaction_never_blocks_the_writer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("vindwerk.db");
    let mut writer = Store::open(&path).expect("writer");
    write_batch(&mut writer, 0).expect("first batch");
    let reader = Store::open_readonly(&path).expect("reader");

    reader
        .read(|snapshot| {
            assert_eq!(count_postings(snapshot), POSTINGS_PER_BATCH);
            // The writer commits while the reader's transaction is open: WAL lets it, and a
            // block would surface as a busy error here, failing the test.
            for batch_number in 1..=3 {
                write_batch(&mut writer, batch_number)?;
            }
            assert_eq!(
                count_postings(snapshot),
                POSTINGS_PER_BATCH,
                "the reader keeps its snapshot"
            );
            Ok::<_, StoreError>(())
        })
        .expect("read while writing");

    assert_eq!(
        count_postings(&reader),
        4 * POSTINGS_PER_BATCH,
        "a new read sees the commits"
    );
    assert_eq!(
        reader.meta_get("last_batch").expect("meta").as_deref(),
        Some("3")
    );
}

#[test]
fn the_run_lock_admits_one_run_and_names_the_holder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("vindwerk.db");
    let lock = RunLock::acquire(&db).expect("first run takes the lock");
    assert_eq!(lock.path(), dir.path().join("vindwerk.db.lock"));

    let error = RunLock::acquire(&db).expect_err("a second run is refused");
    let StoreError::Locked { path, holder } = &error else {
        panic!("expected Locked, got {error:?}");
    };
    assert_eq!(path, &db);
    let pid = std::process::id();
    assert!(
        holder.starts_with(&format!("pid {pid} since 20")),
        "{holder}"
    );
    let message = error.to_string();
    assert!(
        message.starts_with(&format!(
            "another run holds the lock on {}: pid {pid} since ",
            db.display()
        )),
        "{message}"
    );

    drop(lock);
    let again = RunLock::acquire(&db).expect("released on drop");
    drop(again);
}

#[test]
fn the_run_lock_in_a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let error =
        RunLock::acquire(dir.path().join("absent").join("vindwerk.db")).expect_err("no directory");
    assert!(matches!(error, StoreError::LockFile { .. }), "{error:?}");
}

/// With `VINDWERK_STORE_CHILD` set (only ever on a child process that
/// `the_store_survives_being_killed_mid_write` starts), this test is that child: a writer
/// committing batches until it is killed, printing `committed N` after each commit. Without
/// it, it checks that the writer refuses a store in a directory that does not exist.
#[test]
fn killed_writer_child() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        let dir = tempfile::tempdir().expect("temp dir");
        let error =
            Store::open(dir.path().join("absent").join("vindwerk.db")).expect_err("no directory");
        assert!(matches!(error, StoreError::Open { .. }), "{error:?}");
        return;
    };
    let mut store = Store::open(Path::new(&path)).expect("child opens the store");
    // Bounded, so a child whose parent died does not write forever.
    for batch_number in 0..10_000 {
        write_batch(&mut store, batch_number).expect("child writes a batch");
        println!("committed {batch_number}");
    }
}

#[test]
fn the_store_survives_being_killed_mid_write() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("vindwerk.db");
    let exe = std::env::current_exe().expect("the test binary");
    let mut child = Command::new(exe)
        .args([
            "concurrency::killed_writer_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the writer child");

    let stdout = child.stdout.take().expect("piped stdout");
    let mut committed = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read the child's output");
        // libtest's "test killed_writer_child ... " may precede the first report on its line.
        if let Some((_, number)) = line.rsplit_once("committed ") {
            committed.push(number.parse::<usize>().expect("a batch number"));
        }
        if committed.len() == 5 {
            break;
        }
    }
    child.kill().expect("kill the child");
    let output = child.wait_with_output().expect("reap the child");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        committed,
        vec![0, 1, 2, 3, 4],
        "the child's reports ({}): {stderr}",
        output.status
    );
    assert!(!output.status.success(), "killed, not finished");

    let store = Store::open(&path).expect("reopen after the kill");
    assert_eq!(store.integrity_check().expect("check runs"), Ok(()));
    for batch_number in committed {
        for n in 0..POSTINGS_PER_BATCH {
            let url = format!("https://acme.nl/batch/{batch_number}/posting/{n}");
            assert!(
                store.posting_id(&acme(), &url).expect("look up").is_some(),
                "batch {batch_number} was reported committed but {url} is missing"
            );
        }
    }
    // A batch is all or nothing: whatever the kill interrupted left no partial batch.
    let last: usize = store
        .meta_get("last_batch")
        .expect("meta")
        .expect("some batch committed")
        .parse()
        .expect("a batch number");
    assert!(last >= 4);
    assert_eq!(count_postings(&store), (last + 1) * POSTINGS_PER_BATCH);
}
