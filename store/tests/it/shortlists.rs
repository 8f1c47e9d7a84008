//! Shortlists in the store: notes per vacancy, vacancies kept by id, and everything deleted
//! with its owner.

use crate::common::at;
use vindwerk_model::{Role, UserId, VacancyId};
use vindwerk_store::{NewUser, Store};

fn coach() -> UserId {
    UserId::new("u-coach")
}

fn store_with_coach(dir: &tempfile::TempDir) -> Store {
    let mut store = Store::open(dir.path().join("vindwerk.db")).expect("open");
    store
        .write(|batch| {
            batch.create_user(
                &NewUser {
                    id: &coach(),
                    email: "coach@example.nl",
                    name: "Coach",
                    password_hash: "x",
                    roles: &[Role::Coach],
                },
                at(6),
            )
        })
        .expect("user");
    store
}

#[test]
fn a_shortlist_keeps_vacancies_with_notes_in_the_order_added() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = store_with_coach(&dir);
    store
        .write(|batch| {
            batch.create_shortlist("s1", &coach(), "Zorg Utrecht", at(6))?;
            batch.create_shortlist("s2", &coach(), "andere", at(6))?;
            batch.put_on_shortlist("s1", &VacancyId::new("v2"), "bellen", at(7))?;
            batch.put_on_shortlist("s1", &VacancyId::new("v1"), "", at(8))?;
            batch.put_on_shortlist("s1", &VacancyId::new("v2"), "=gebeld", at(9))
        })
        .expect("lists");
    let lists = store.shortlists_of(&coach()).expect("lists");
    let names: Vec<&str> = lists.iter().map(|list| list.name.as_str()).collect();
    assert_eq!(names, ["andere", "Zorg Utrecht"]);
    let items = store.shortlist_items("s1").expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].vacancy, VacancyId::new("v2"));
    assert_eq!(
        items[0].note, "=gebeld",
        "a note is replaced, its place kept"
    );
    assert_eq!(items[0].added_at, at(7));
    assert!(
        store
            .write(|batch| batch.take_off_shortlist("s1", &VacancyId::new("v2")))
            .expect("take off")
    );
    assert_eq!(store.shortlist_items("s1").expect("items").len(), 1);
    assert_eq!(
        store.shortlist("s1").expect("read").map(|l| l.owner),
        Some(coach())
    );
    assert_eq!(store.shortlist("nope").expect("read"), None);
}

#[test]
fn shortlists_go_with_their_owner() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = store_with_coach(&dir);
    store
        .write(|batch| {
            batch.create_shortlist("s1", &coach(), "lijst", at(6))?;
            batch.put_on_shortlist("s1", &VacancyId::new("v1"), "", at(7))
        })
        .expect("list");
    store
        .write(|batch| batch.delete_user(&coach()))
        .expect("delete");
    assert_eq!(store.shortlist("s1").expect("read"), None);
    assert!(store.shortlist_items("s1").expect("items").is_empty());
}
