//! A seeker's circle in the store: invitations used once and only before they expire, members
//! who join and leave, actions private or shared, one pluim per member per action, and
//! everything gone with the account it belongs to.

use crate::common::{at, day};
use vindwerk_model::{ActionKind, Role, UserId, VacancyId};
use vindwerk_store::{Action, NewUser, Store};

fn user(store: &mut Store, id: &str, name: &str, role: Role) -> UserId {
    let id = UserId::new(id);
    store
        .write(|batch| {
            batch.create_user(
                &NewUser {
                    id: &id,
                    email: &format!("{name}@example.nl"),
                    name,
                    password_hash: "x",
                    roles: &[role],
                },
                at(6),
            )
        })
        .expect("user");
    id
}

fn action(id: &str, seeker: &UserId, shared: bool, hour: u32) -> Action {
    Action {
        id: id.to_owned(),
        seeker: seeker.clone(),
        kind: ActionKind::Letter,
        day: day(11, 20),
        vacancy: Some(VacancyId::new("v1")),
        position: "Verpleegkundige".to_owned(),
        employer: "Zorggroep".to_owned(),
        result: String::new(),
        note: format!("notitie {id}"),
        shared,
        created_at: at(hour),
    }
}

#[test]
fn an_invitation_is_used_once_and_only_before_it_expires() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(dir.path().join("vindwerk.db")).expect("open");
    let sanne = user(&mut store, "u-sanne", "Sanne", Role::Seeker);
    let ria = user(&mut store, "u-ria", "Ria", Role::Seeker);
    let piet = user(&mut store, "u-piet", "Piet", Role::Seeker);
    store
        .write(|batch| {
            batch.create_invitation("token-1", &sanne, "Tante Ria", at(7), at(10))?;
            batch.create_invitation("token-2", &sanne, "Piet", at(7), at(8))
        })
        .expect("invitations");

    let invitation = store
        .invitation("token-1", at(9))
        .expect("read")
        .expect("valid");
    assert_eq!(invitation.seeker, sanne);
    assert_eq!(invitation.seeker_name, "Sanne");
    assert_eq!(invitation.name, "Tante Ria");
    assert_eq!(
        store.open_invitations(&sanne, at(9)).expect("open").len(),
        1
    );
    assert_eq!(
        store.invitation("token-2", at(9)).expect("read"),
        None,
        "expired"
    );
    assert_eq!(
        store.invitation("token-3", at(9)).expect("read"),
        None,
        "unknown"
    );

    // The seeker cannot join her own circle; the invitation stays usable.
    let own = store.write(|batch| batch.accept_invitation("token-1", &sanne, at(9)));
    assert_eq!(own.expect("accept"), None);
    let joined = store.write(|batch| batch.accept_invitation("token-1", &ria, at(9)));
    assert_eq!(joined.expect("accept"), Some(sanne.clone()));
    let again = store.write(|batch| batch.accept_invitation("token-1", &piet, at(9)));
    assert_eq!(again.expect("accept"), None, "used once");
    let late = store.write(|batch| batch.accept_invitation("token-2", &piet, at(9)));
    assert_eq!(late.expect("accept"), None, "expired");

    assert!(store.is_in_circle(&sanne, &ria).expect("read"));
    assert!(!store.is_in_circle(&sanne, &piet).expect("read"));
    assert!(!store.is_in_circle(&ria, &sanne).expect("read"), "one way");
    let ria_user = store.user(&ria).expect("read").expect("ria");
    assert!(ria_user.has_role(Role::Circle) && ria_user.has_role(Role::Seeker));
    let members = store.circle_of(&sanne).expect("circle");
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].name, "Ria");
    let joined = store.circles_joined(&ria).expect("joined");
    assert_eq!(joined[0].user, sanne);
    assert!(
        store
            .open_invitations(&sanne, at(9))
            .expect("open")
            .is_empty()
    );

    assert!(
        store
            .write(|batch| batch.leave_circle(&sanne, &ria))
            .expect("leave")
    );
    assert!(!store.is_in_circle(&sanne, &ria).expect("read"));
}

#[test]
fn actions_are_private_or_shared_and_kudos_are_one_per_member() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(dir.path().join("vindwerk.db")).expect("open");
    let sanne = user(&mut store, "u-sanne", "Sanne", Role::Seeker);
    let ria = user(&mut store, "u-ria", "Ria", Role::Circle);
    store
        .write(|batch| {
            batch.log_action(&action("a-shared", &sanne, true, 7))?;
            batch.log_action(&action("a-private", &sanne, false, 8))
        })
        .expect("actions");
    let all = store.actions_of(&sanne, false).expect("actions");
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].id, "a-private", "newest first");
    assert_eq!(all[1], action("a-shared", &sanne, true, 7), "round trip");
    let shared = store.actions_of(&sanne, true).expect("actions");
    let ids: Vec<&str> = shared.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["a-shared"]);

    store
        .write(|batch| {
            batch.give_kudos("a-shared", &ria, "Goed bezig!", at(9))?;
            batch.give_kudos("a-shared", &ria, "Heel goed bezig!", at(10))
        })
        .expect("kudos");
    let kudos = store.kudos_for_seeker(&sanne).expect("kudos");
    assert_eq!(kudos.len(), 1, "one pluim per member per action");
    assert_eq!(kudos[0].message, "Heel goed bezig!");
    assert_eq!(kudos[0].member_name, "Ria");
    assert_eq!(kudos[0].given_at, at(9));
    assert_eq!(store.kudos_given_by(&ria).expect("kudos").len(), 1);
    assert!(
        store
            .write(|batch| batch.take_back_kudos("a-shared", &ria))
            .expect("take back")
    );
    assert!(store.kudos_for_seeker(&sanne).expect("kudos").is_empty());

    // Deleting an action takes its kudos along; deleting a seeker takes everything.
    store
        .write(|batch| batch.give_kudos("a-shared", &ria, "", at(11)))
        .expect("kudos");
    assert!(
        !store
            .write(|batch| batch.delete_action(&ria, "a-shared"))
            .expect("not hers")
    );
    assert!(
        store
            .write(|batch| batch.delete_user(&sanne))
            .expect("delete")
    );
    assert!(store.action("a-private").expect("read").is_none());
    assert!(store.kudos_given_by(&ria).expect("kudos").is_empty());
}
