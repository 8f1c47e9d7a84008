//! Upsert outcomes, history, touch, expiry, change tracking and vacancies.

use crate::common::{acme, at, day, full_posting, full_vacancy};
use vindwerk_model::{
    Audience, Channel, ExpiryReason, Posting, PostingData, PostingId, SourceKind, Status, VacancyId,
};
use vindwerk_store::{ChangeSeq, HistoryEvent, Store, StoreError, UpsertOutcome, Upserted};

fn upsert(store: &mut Store, data: &PostingData, hour: u32) -> Upserted {
    store
        .write(|batch| {
            batch.upsert_posting(
                &acme(),
                SourceKind::Sitemap,
                Channel::Employer,
                data,
                at(hour),
            )
        })
        .expect("upsert")
}

fn expire(store: &mut Store, id: PostingId, hour: u32) -> bool {
    store
        .write(|batch| batch.expire_posting(id, at(hour), ExpiryReason::NotFound))
        .expect("expire")
}

fn changed_since(store: &Store, since: ChangeSeq) -> Vec<Posting> {
    let mut postings = Vec::new();
    store
        .for_each_posting_changed_since(since, |posting| {
            postings.push(posting);
            Ok::<_, StoreError>(())
        })
        .expect("stream");
    postings
}

#[test]
fn upsert_tells_new_changed_unchanged_and_reactivated_apart() {
    let mut store = Store::open_in_memory().expect("store");
    let mut data = full_posting("https://acme.nl/vacatures/1");

    let first = upsert(&mut store, &data, 6);
    assert_eq!(first.outcome, UpsertOutcome::New);
    assert_eq!(
        upsert(&mut store, &data, 7),
        Upserted {
            id: first.id,
            outcome: UpsertOutcome::Unchanged
        }
    );

    data.title = "Verpleegkundige oncologie (32 uur)".to_owned();
    assert_eq!(upsert(&mut store, &data, 8).outcome, UpsertOutcome::Changed);

    assert!(expire(&mut store, first.id, 9));
    assert_eq!(
        upsert(&mut store, &data, 10).outcome,
        UpsertOutcome::Reactivated
    );

    let posting = store.posting(first.id).expect("read").expect("exists");
    assert_eq!(posting.data, data);
    assert_eq!(posting.status, Status::Active);
    assert_eq!((posting.expired_at, posting.expiry_reason), (None, None));
    assert_eq!(
        (posting.first_seen, posting.changed_at, posting.last_seen),
        (at(6), at(8), at(10))
    );

    let events: Vec<_> = store
        .posting_history(first.id)
        .expect("history")
        .into_iter()
        .map(|entry| (entry.event, entry.at, entry.data.is_some()))
        .collect();
    assert_eq!(
        events,
        vec![
            (HistoryEvent::New, at(6), true),
            (HistoryEvent::Changed, at(8), true),
            (HistoryEvent::Expired, at(9), false),
            // Reactivated with the data it had: nothing new to keep.
            (HistoryEvent::Reactivated, at(10), false),
        ]
    );
}

#[test]
fn every_change_is_kept_in_the_history() {
    let mut store = Store::open_in_memory().expect("store");
    let mut data = full_posting("https://acme.nl/vacatures/1");
    let id = upsert(&mut store, &data, 6).id;
    let original = data.clone();
    data.salary_text = Some("€ 3.400,- tot € 4.700,-".to_owned());
    upsert(&mut store, &data, 7);
    assert!(expire(&mut store, id, 8));
    data.title = "Senior verpleegkundige".to_owned();
    assert_eq!(
        upsert(&mut store, &data, 9).outcome,
        UpsertOutcome::Reactivated
    );

    let history = store.posting_history(id).expect("history");
    let kept: Vec<_> = history
        .iter()
        .filter_map(|entry| entry.data.clone())
        .collect();
    assert_eq!(kept.len(), 3);
    assert_eq!(kept[0], original);
    assert_eq!(kept[2], data);
    assert_ne!(history[0].content_hash, history[1].content_hash);
    assert_eq!(
        history[1].content_hash, history[2].content_hash,
        "expiry keeps the data"
    );
    let posting = store.posting(id).expect("read").expect("exists");
    assert_eq!(posting.content_hash, history[3].content_hash);
    assert_eq!(
        posting.changed_at,
        at(9),
        "reactivated with new data is a change"
    );
}

#[test]
fn postings_are_keyed_by_source_and_url() {
    let mut store = Store::open_in_memory().expect("store");
    let data = full_posting("https://acme.nl/vacatures/1");
    let ours = upsert(&mut store, &data, 6);
    let board = vindwerk_model::SourceId::new("nationale-vacaturebank");
    let theirs = store
        .write(|batch| batch.upsert_posting(&board, SourceKind::Feed, Channel::Board, &data, at(6)))
        .expect("upsert");
    assert_eq!(
        theirs.outcome,
        UpsertOutcome::New,
        "another source's posting of the same URL"
    );
    assert_ne!(ours.id, theirs.id);
    assert_eq!(
        store.posting_id(&board, &data.url).expect("find"),
        Some(theirs.id)
    );
    assert_eq!(
        store
            .posting_id(&board, "https://acme.nl/other")
            .expect("find"),
        None
    );
    let posting = store.posting(theirs.id).expect("read").expect("exists");
    assert_eq!(
        (posting.source_kind, posting.channel),
        (SourceKind::Feed, Channel::Board)
    );
}

#[test]
fn an_empty_url_is_refused() {
    let mut store = Store::open_in_memory().expect("store");
    let error = store
        .write(|batch| {
            batch.upsert_posting(
                &acme(),
                SourceKind::Site,
                Channel::Employer,
                &PostingData::default(),
                at(6),
            )
        })
        .expect_err("no url");
    assert_eq!(error.to_string(), "posting of source acme has an empty url");
}

#[test]
fn a_failed_batch_leaves_nothing_behind() {
    let mut store = Store::open_in_memory().expect("store");
    let data = full_posting("https://acme.nl/vacatures/1");
    let result = store.write(|batch| {
        batch.upsert_posting(&acme(), SourceKind::Site, Channel::Employer, &data, at(6))?;
        batch.expire_posting(PostingId(999), at(7), ExpiryReason::Gone)
    });
    assert!(
        matches!(result, Err(StoreError::UnknownPosting(PostingId(999)))),
        "{result:?}"
    );
    assert_eq!(
        store.posting_id(&acme(), &data.url).expect("find"),
        None,
        "rolled back"
    );
    assert_eq!(store.change_seq().expect("seq"), ChangeSeq(0));
}

#[test]
fn a_failed_write_is_undone_and_the_rest_of_the_batch_commits() {
    let mut store = Store::open_in_memory().expect("store");
    let data = full_posting("https://acme.nl/vacatures/1");
    let id = upsert(&mut store, &data, 6).id;
    // Listing a posting the store does not have fails after the vacancy row is written.
    let broken = full_vacancy(
        "v-broken",
        &[(id, &data.url), (PostingId(404), "https://x.nl/")],
    );
    let good = full_vacancy("v-good", &[(id, &data.url)]);
    let before = store.change_seq().expect("seq");
    store
        .write(|batch| {
            let error = batch
                .upsert_vacancy(&broken, at(7))
                .expect_err("unknown posting");
            assert!(error.to_string().contains("posting 404"), "{error}");
            batch.upsert_vacancy(&good, at(7))
        })
        .expect("the batch commits");
    assert_eq!(
        store.vacancy(&VacancyId::new("v-broken")).expect("read"),
        None
    );
    assert_eq!(
        store.vacancy(&VacancyId::new("v-good")).expect("read"),
        Some(good)
    );
    assert_eq!(
        store.vacancy_assignments().expect("assignments").get(&id),
        Some(&VacancyId::new("v-good"))
    );
    assert_eq!(
        store.change_seq().expect("seq").0,
        before.0 + 1,
        "one change number per batch"
    );
}

#[test]
fn touch_moves_last_seen_forward_only() {
    let mut store = Store::open_in_memory().expect("store");
    let data = full_posting("https://acme.nl/vacatures/1");
    let id = upsert(&mut store, &data, 8).id;
    let touched = store
        .write(|batch| batch.touch_posting(&acme(), &data.url, at(9)))
        .expect("touch");
    assert!(touched);
    store
        .write(|batch| batch.touch_posting(&acme(), &data.url, at(7)))
        .expect("touch with an older time");
    let untouched = store
        .write(|batch| batch.touch_posting(&acme(), "https://acme.nl/unknown", at(9)))
        .expect("touch");
    assert!(!untouched);
    let posting = store.posting(id).expect("read").expect("exists");
    assert_eq!(posting.last_seen, at(9));
    assert_eq!(posting.changed_at, at(8));
    assert_eq!(
        store.posting_history(id).expect("history").len(),
        1,
        "a touch is no event"
    );
}

#[test]
fn expiry_happens_once_and_leaves_the_active_list() {
    let mut store = Store::open_in_memory().expect("store");
    let first = full_posting("https://acme.nl/vacatures/1");
    let mut second = full_posting("https://acme.nl/vacatures/2");
    second.valid_through = None;
    let first_id = upsert(&mut store, &first, 6).id;
    let second_id = upsert(&mut store, &second, 6).id;

    let active = store.active_postings(&acme()).expect("active");
    assert_eq!(active.len(), 2);
    assert_eq!(
        (active[0].id, active[0].url.as_str()),
        (first_id, first.url.as_str())
    );
    assert_eq!(
        (active[0].last_seen, active[0].valid_through),
        (at(6), Some(day(12, 31)))
    );
    assert_eq!(active[1].valid_through, None);

    assert!(expire(&mut store, first_id, 7));
    assert!(!expire(&mut store, first_id, 8), "already expired: a no-op");
    let posting = store.posting(first_id).expect("read").expect("exists");
    assert_eq!(posting.expired_at, Some(at(7)), "the first expiry stands");
    assert_eq!(store.posting_history(first_id).expect("history").len(), 2);

    let active = store.active_postings(&acme()).expect("active");
    assert_eq!(
        active.iter().map(|posting| posting.id).collect::<Vec<_>>(),
        vec![second_id]
    );
    let error = store
        .write(|batch| batch.expire_posting(PostingId(42), at(9), ExpiryReason::Gone))
        .expect_err("unknown id");
    assert_eq!(error.to_string(), "no posting with id 42");
}

#[test]
fn the_change_counter_reports_what_changed_since_a_watermark() {
    let mut store = Store::open_in_memory().expect("store");
    let mut first = full_posting("https://acme.nl/vacatures/1");
    let second = full_posting("https://acme.nl/vacatures/2");
    let first_id = upsert(&mut store, &first, 6).id;
    let second_id = upsert(&mut store, &second, 6).id;
    let watermark = store.change_seq().expect("seq");
    assert!(watermark > ChangeSeq(0));
    assert_eq!(changed_since(&store, ChangeSeq(0)).len(), 2);
    assert!(changed_since(&store, watermark).is_empty());

    upsert(&mut store, &second, 7);
    store
        .write(|batch| batch.touch_posting(&acme(), &second.url, at(8)))
        .expect("touch");
    assert!(
        changed_since(&store, watermark).is_empty(),
        "unchanged and touched are no change"
    );
    assert_eq!(
        store.change_seq().expect("seq"),
        watermark,
        "no change takes no number"
    );

    first.description.push_str(" Nu ook in Amersfoort.");
    upsert(&mut store, &first, 9);
    expire(&mut store, second_id, 9);
    let changed: Vec<_> = changed_since(&store, watermark)
        .into_iter()
        .map(|posting| posting.id)
        .collect();
    assert_eq!(changed, vec![first_id, second_id]);
    assert_eq!("17".parse::<ChangeSeq>(), Ok(ChangeSeq(17)));
}

#[test]
fn vacancies_keep_their_postings_and_report_changes_and_deletions() {
    let mut store = Store::open_in_memory().expect("store");
    let first = full_posting("https://acme.nl/vacatures/1");
    let second = full_posting("https://acme.nl/vacatures/2");
    let first_id = upsert(&mut store, &first, 6).id;
    let second_id = upsert(&mut store, &second, 6).id;

    let mut one = full_vacancy("v-1", &[(first_id, &first.url), (second_id, &second.url)]);
    let written = store
        .write(|batch| batch.upsert_vacancy(&one, at(10)))
        .expect("write");
    assert!(written);
    let watermark = store.change_seq().expect("seq");
    let unchanged = store
        .write(|batch| batch.upsert_vacancy(&one, at(11)))
        .expect("write");
    assert!(!unchanged, "an equal vacancy is not written again");
    assert_eq!(store.change_seq().expect("seq"), watermark);

    // A crawl that sees it again moves only its last-seen times: stored, but no change for
    // the index.
    let mut seen_again = one.clone();
    seen_again.last_seen = at(11);
    for posting in &mut seen_again.postings {
        posting.last_seen = at(11);
    }
    let changed = store
        .write(|batch| batch.upsert_vacancy(&seen_again, at(11)))
        .expect("write");
    assert!(!changed, "new last-seen times alone are no change");
    assert_eq!(store.change_seq().expect("seq"), watermark);
    let stored = store
        .vacancy(&seen_again.id)
        .expect("read")
        .expect("vacancy");
    assert_eq!(stored.last_seen, at(11));
    assert!(
        stored
            .postings
            .iter()
            .all(|posting| posting.last_seen == at(11))
    );

    // The second posting moves to a vacancy of its own.
    one.postings.truncate(1);
    let two = full_vacancy("v-2", &[(second_id, &second.url)]);
    store
        .write(|batch| {
            batch.upsert_vacancy(&one, at(12))?;
            batch.upsert_vacancy(&two, at(12))
        })
        .expect("write");
    let assignments = store.vacancy_assignments().expect("assignments");
    assert_eq!(assignments.get(&first_id), Some(&VacancyId::new("v-1")));
    assert_eq!(assignments.get(&second_id), Some(&VacancyId::new("v-2")));
    let mut changed = Vec::new();
    store
        .for_each_vacancy_changed_since(watermark, |vacancy| {
            changed.push(vacancy.id);
            Ok::<_, StoreError>(())
        })
        .expect("stream");
    assert_eq!(changed, vec![VacancyId::new("v-1"), VacancyId::new("v-2")]);

    let before_delete = store.change_seq().expect("seq");
    let deleted = store
        .write(|batch| batch.delete_vacancy(&VacancyId::new("v-2")))
        .expect("delete");
    assert!(deleted);
    assert!(
        !store
            .write(|batch| batch.delete_vacancy(&VacancyId::new("v-2")))
            .expect("delete")
    );
    assert_eq!(
        store
            .vacancies_deleted_since(before_delete)
            .expect("deleted"),
        vec![VacancyId::new("v-2")]
    );
    assert!(
        !store
            .vacancy_assignments()
            .expect("assignments")
            .contains_key(&second_id)
    );
    assert_eq!(store.vacancy(&VacancyId::new("v-2")).expect("read"), None);

    let mut expired = one.clone();
    expired.id = VacancyId::new("v-3");
    expired.status = Status::Expired;
    expired.postings.clear();
    store
        .write(|batch| batch.upsert_vacancy(&expired, at(13)))
        .expect("write");
    let by_status = |status| {
        let mut ids = Vec::new();
        store
            .for_each_vacancy(status, |vacancy| {
                ids.push(vacancy.id.0);
                Ok::<_, StoreError>(())
            })
            .expect("export");
        ids
    };
    assert_eq!(by_status(Some(Status::Active)), vec!["v-1"]);
    assert_eq!(by_status(Some(Status::Expired)), vec!["v-3"]);
    assert_eq!(by_status(None), vec!["v-1", "v-3"]);
    let stats = store.stats().expect("stats");
    assert_eq!(
        (stats.sources, stats.postings_active, stats.postings_expired),
        (1, 2, 0)
    );
    assert_eq!((stats.vacancies_active, stats.vacancies_expired), (1, 1));
}

#[test]
fn a_callback_error_stops_the_stream_and_is_passed_on() {
    let mut store = Store::open_in_memory().expect("store");
    for n in 0..5 {
        upsert(
            &mut store,
            &full_posting(&format!("https://acme.nl/vacatures/{n}")),
            6,
        );
    }
    #[derive(Debug)]
    enum Failure {
        Full,
        Store,
    }
    impl From<StoreError> for Failure {
        fn from(_: StoreError) -> Self {
            Failure::Store
        }
    }
    let mut seen = 0;
    let result = store.for_each_posting(|_| {
        seen += 1;
        if seen == 3 {
            Err(Failure::Full)
        } else {
            Ok(())
        }
    });
    assert!(matches!(result, Err(Failure::Full)), "{result:?}");
    assert_eq!(seen, 3);
}

fn open_postings(store: &Store, settled_before: u32) -> Vec<PostingId> {
    let mut ids = Vec::new();
    store
        .for_each_open_posting(at(settled_before), |posting| {
            ids.push(posting.id);
            Ok::<_, StoreError>(())
        })
        .expect("stream");
    ids
}

fn open_assignments(store: &Store, settled_before: u32) -> Vec<PostingId> {
    let mut ids: Vec<PostingId> = store
        .open_vacancy_assignments(at(settled_before))
        .expect("assignments")
        .into_keys()
        .collect();
    ids.sort();
    ids
}

#[test]
fn a_vacancy_long_expired_and_written_so_is_settled_until_a_posting_comes_back() {
    let mut store = Store::open_in_memory().expect("store");
    let data = |n: u32| full_posting(&format!("https://acme.nl/vacatures/{n}"));
    let (a, b, c, d, new) = (data(1), data(2), data(3), data(4), data(5));
    let a_id = upsert(&mut store, &a, 6).id;
    let b_id = upsert(&mut store, &b, 6).id;
    let c_id = upsert(&mut store, &c, 6).id;
    let d_id = upsert(&mut store, &d, 6).id;
    let mut only_a = full_vacancy("v-a", &[(a_id, &a.url)]);
    let b_and_c = full_vacancy("v-bc", &[(b_id, &b.url), (c_id, &c.url)]);
    let only_d = full_vacancy("v-d", &[(d_id, &d.url)]);
    store
        .write(|batch| {
            batch.upsert_vacancy(&only_a, at(6))?;
            batch.upsert_vacancy(&b_and_c, at(6))?;
            batch.upsert_vacancy(&only_d, at(6))
        })
        .expect("write");
    // a, b and d expire at 8; the indexer writes v-a as expired at 9, and has not run for d.
    for id in [a_id, b_id, d_id] {
        assert!(expire(&mut store, id, 8));
    }
    only_a.status = Status::Expired;
    only_a.expired_at = Some(at(8));
    store
        .write(|batch| batch.upsert_vacancy(&only_a, at(9)))
        .expect("write");
    let new_id = upsert(&mut store, &new, 10).id;

    // Before the expiry everything is open; after it, only v-a is settled: v-bc still has an
    // active posting, and v-d was not written since its posting expired.
    assert_eq!(
        open_postings(&store, 7),
        vec![a_id, b_id, c_id, d_id, new_id]
    );
    assert_eq!(open_postings(&store, 12), vec![b_id, c_id, d_id, new_id]);
    assert_eq!(open_assignments(&store, 12), vec![b_id, c_id, d_id]);
    assert_eq!(open_assignments(&store, 7), vec![a_id, b_id, c_id, d_id]);

    // Seen again, a opens its vacancy.
    assert_eq!(
        upsert(&mut store, &a, 13).outcome,
        UpsertOutcome::Reactivated
    );
    assert_eq!(
        open_postings(&store, 14),
        vec![a_id, b_id, c_id, d_id, new_id]
    );

    assert!(store.has_vacancy(&VacancyId::new("v-a")).expect("lookup"));
    assert!(!store.has_vacancy(&VacancyId::new("v-x")).expect("lookup"));
    assert_eq!(store.count_vacancies().expect("count"), 3);
}

#[test]
fn internal_vacancies_are_found_by_their_audience() {
    let mut store = Store::open_in_memory().expect("store");
    let public = full_vacancy("v-public", &[]);
    let mut internal = full_vacancy("v-internal", &[]);
    internal.audience = Audience::organisation("ziekenhuis-x").expect("slug");
    store
        .write(|batch| {
            batch.upsert_vacancy(&public, at(6))?;
            batch.upsert_vacancy(&internal, at(6))
        })
        .expect("write");
    let mut found = Vec::new();
    store
        .for_each_internal_vacancy(|vacancy| {
            found.push(vacancy);
            Ok::<_, StoreError>(())
        })
        .expect("stream");
    assert_eq!(found, vec![internal]);
}
