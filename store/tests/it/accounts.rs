//! The portal's people in the store: users and roles, sessions kept only as hashes, failed
//! sign-ins, and deletion that takes everything of a user with it.

use crate::common::at;
use chrono::Duration;
use vindwerk_model::{Role, UserId};
use vindwerk_store::{NewUser, Store, StoreError};

fn alice() -> UserId {
    UserId::new("u-alice-3f9c")
}

fn add_alice(store: &mut Store) {
    store
        .write(|batch| {
            batch.create_user(
                &NewUser {
                    id: &alice(),
                    email: "  Alice@Example.NL ",
                    name: "Alice <b>de Vries</b>",
                    password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
                    roles: &[Role::Seeker, Role::Coach, Role::Seeker],
                },
                at(6),
            )
        })
        .expect("user added");
}

#[test]
fn a_user_comes_back_by_email_in_any_case_and_by_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(dir.path().join("vindwerk.db")).expect("open");
    add_alice(&mut store);

    let user = store
        .user_by_email("alice@example.nl")
        .expect("read")
        .expect("found by email");
    assert_eq!(user.id, alice());
    assert_eq!(user.email, "alice@example.nl");
    assert_eq!(user.name, "Alice <b>de Vries</b>");
    assert_eq!(user.roles, vec![Role::Seeker, Role::Coach]);
    assert_eq!(user.created_at, at(6));
    assert_eq!(store.user(&alice()).expect("read"), Some(user));
    assert_eq!(store.user_by_email("bob@example.nl").expect("read"), None);
    assert_eq!(store.count_users().expect("count"), 1);
}

#[test]
fn an_email_address_is_taken_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(dir.path().join("vindwerk.db")).expect("open");
    add_alice(&mut store);
    let error = store
        .write(|batch| {
            batch.create_user(
                &NewUser {
                    id: &UserId::new("u-other"),
                    email: "ALICE@example.nl",
                    name: "Other",
                    password_hash: "x",
                    roles: &[Role::Circle],
                },
                at(7),
            )
        })
        .expect_err("the address is taken");
    assert!(matches!(error, StoreError::Duplicate { .. }), "{error}");
    assert_eq!(store.count_users().expect("count"), 1);
    assert_eq!(store.user(&UserId::new("u-other")).expect("read"), None);
}

#[test]
fn a_session_lives_until_it_expires_and_its_token_is_not_on_disk() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("vindwerk.db");
    let mut store = Store::open(&path).expect("open");
    add_alice(&mut store);
    let token = "tok-7d1e0a5c9b2f4e6a8c3d1f0e9b7a5c3d";
    store
        .write(|batch| batch.create_session(token, &alice(), "csrf-1", at(6), at(8)))
        .expect("session");

    let session = store.session(token, at(7)).expect("read").expect("live");
    assert_eq!(session.user.id, alice());
    assert_eq!(session.csrf, "csrf-1");
    assert_eq!(store.session(token, at(8)).expect("read"), None, "expired");
    assert_eq!(store.session("tok-other", at(7)).expect("read"), None);

    drop(store);
    let bytes = std::fs::read(&path).expect("read the file");
    let wal = std::fs::read(dir.path().join("vindwerk.db-wal")).unwrap_or_default();
    for file in [&bytes, &wal] {
        assert!(
            !file
                .windows(token.len())
                .any(|window| window == token.as_bytes()),
            "the raw token is not stored"
        );
    }
}

#[test]
fn sessions_end_one_by_one_or_all_but_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(dir.path().join("vindwerk.db")).expect("open");
    add_alice(&mut store);
    store
        .write(|batch| {
            for token in ["a", "b", "c"] {
                batch.create_session(token, &alice(), "csrf", at(6), at(20))?;
            }
            batch.delete_session("a")
        })
        .expect("sessions");
    assert_eq!(store.session("a", at(7)).expect("read"), None);
    let ended = store
        .write(|batch| batch.delete_other_sessions(&alice(), Some("b")))
        .expect("end others");
    assert_eq!(ended, 1);
    assert!(store.session("b", at(7)).expect("read").is_some());
    assert_eq!(store.session("c", at(7)).expect("read"), None);
}

#[test]
fn failed_sign_ins_are_counted_per_key_and_forgotten() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(dir.path().join("vindwerk.db")).expect("open");
    let key = "account:alice@example.nl";
    store
        .write(|batch| {
            for hour in [6, 7, 8] {
                batch.record_login_failure(key, at(hour), at(hour) - Duration::hours(24))?;
            }
            batch.record_login_failure("address:127.0.0.1", at(8), at(0))
        })
        .expect("failures");
    assert_eq!(store.login_failures_since(key, at(6)).expect("count"), 2);
    assert_eq!(store.login_failures_since(key, at(0)).expect("count"), 3);
    store
        .write(|batch| batch.clear_login_failures(key))
        .expect("clear");
    assert_eq!(store.login_failures_since(key, at(0)).expect("count"), 0);
    assert_eq!(
        store
            .login_failures_since("address:127.0.0.1", at(0))
            .expect("count"),
        1
    );
}

#[test]
fn deleting_a_user_takes_roles_and_sessions_with_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(dir.path().join("vindwerk.db")).expect("open");
    add_alice(&mut store);
    store
        .write(|batch| batch.create_session("t", &alice(), "c", at(6), at(20)))
        .expect("session");
    assert!(
        store
            .write(|batch| batch.delete_user(&alice()))
            .expect("delete")
    );
    assert_eq!(store.user(&alice()).expect("read"), None);
    assert_eq!(store.session("t", at(7)).expect("read"), None);
    assert!(
        !store
            .write(|batch| batch.delete_user(&alice()))
            .expect("again")
    );
    // The address is free again.
    add_alice(&mut store);
}
