//! The portal with the real binary: the first operator added with `vindwerk user add`, then
//! signing in over HTTP to the running server, as an operator would on a fresh install.

mod common;

use common::{csrf_of, set_cookie, sign_in};

use std::io::Write;
use std::process::{Command, Stdio};

fn user_add(db: &std::path::Path, email: &str, password: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vindwerk"))
        .args([
            "user", "add", "--email", email, "--role", "operator", "--db",
        ])
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run vindwerk user add");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("write the password");
    child.wait_with_output().expect("user add ends")
}

#[test]
fn the_first_operator_is_added_on_the_command_line_and_signs_in() {
    let demo = common::Demo::start(250);
    let db = demo.dir().join("vindwerk.db");
    let password = "een-lang-beheerderswachtwoord";

    let added = user_add(&db, "beheer@example.nl", password);
    assert_eq!(
        added.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let again = user_add(&db, "Beheer@Example.nl", password);
    assert_eq!(again.status.code(), Some(1), "an address is taken once");
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let short = user_add(&db, "ander@example.nl", "kort");
    assert_ne!(short.status.code(), Some(0), "a short password is refused");

    let session = sign_in(&demo, "beheer@example.nl", password);

    let (status, _, page) = demo.request(
        "GET",
        "/account",
        &[format!("Cookie: vindwerk_sessie={session}")],
        "",
    );
    assert!(status.contains("200"), "{status}");
    assert!(page.contains("beheer@example.nl"));
    assert!(page.contains("beheerder"));

    let (status, headers, _) = demo.request("GET", "/account", &[], "");
    assert!(status.contains("303"), "anonymous: {status}");
    assert!(
        headers
            .iter()
            .any(|line| line == "location: /inloggen?terug=%2Faccount")
    );
}

#[test]
fn the_demo_has_a_ready_seeker_with_a_shortlist() {
    let demo = common::Demo::start(250);
    let session = sign_in(&demo, "sanne@demo.vindwerk.nl", "vindwerk-demo");
    let (status, _, page) = demo.request(
        "GET",
        "/lijsten/l-demo-favorieten",
        &[format!("Cookie: vindwerk_sessie={session}")],
        "",
    );
    assert!(status.contains("200"), "{status}");
    assert!(page.contains("Favorieten"));
    assert_eq!(
        page.matches("<li class=\"hit").count(),
        3,
        "three vacancies on the list"
    );
}

#[test]
fn the_demo_seeker_has_a_circle_with_steps_and_pluimen() {
    let demo = common::Demo::start(250);
    let sanne = sign_in(&demo, "sanne@demo.vindwerk.nl", "vindwerk-demo");
    let (status, _, page) = demo.request(
        "GET",
        "/acties",
        &[format!("Cookie: vindwerk_sessie={sanne}")],
        "",
    );
    assert!(status.contains("200"), "{status}");
    assert!(page.contains("Goed zo, Sanne! Trots op je."));
    // Three steps of her own and the conversation a tablemate of her werkestafette opened.
    assert_eq!(page.matches("<article class=\"action\"").count(), 4);

    let ria = sign_in(&demo, "ria@demo.vindwerk.nl", "vindwerk-demo");
    let (status, _, page) = demo.request(
        "GET",
        "/kring/u-demo-seeker",
        &[format!("Cookie: vindwerk_sessie={ria}")],
        "",
    );
    assert!(status.contains("200"), "{status}");
    assert!(page.contains("De stappen van Sanne de Vries"));
    assert_eq!(
        page.matches("<article class=\"action\"").count(),
        3,
        "the circle sees the shared steps only"
    );
    assert!(!page.contains("nog niets gehoord"));
}

fn outbox(db: &std::path::Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_vindwerk"))
        .args(["outbox", "--db"])
        .arg(db)
        .output()
        .expect("run vindwerk outbox");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_forgotten_password_is_reset_with_the_link_the_operator_reads_from_the_outbox() {
    let demo = common::Demo::start(250);
    let db = demo.dir().join("vindwerk.db");
    let ask = |email: &str| {
        let (_, headers, page) = demo.request("GET", "/wachtwoord-vergeten", &[], "");
        let form = set_cookie(&headers, "vindwerk_formulier").expect("a form cookie");
        let csrf = csrf_of(&page);
        let body = format!("csrf={csrf}&email={}", email.replace('@', "%40"));
        let (status, _, page) = demo.request(
            "POST",
            "/wachtwoord-vergeten",
            &[format!("Cookie: vindwerk_formulier={form}")],
            &body,
        );
        assert!(status.contains("200"), "{status}");
        page
    };
    // The same answer whether an account has the address or not.
    let unknown = ask("niemand@example.nl");
    let known = ask("sanne@demo.vindwerk.nl");
    assert!(known.contains("Hoort er een account bij dit e-mailadres"));
    assert_eq!(unknown, known);

    let printed = outbox(&db);
    assert!(printed.contains("To: sanne@demo.vindwerk.nl"), "{printed}");
    assert_eq!(
        printed.matches("To: ").count(),
        1,
        "nothing for an unknown address"
    );
    let start = printed
        .find("/wachtwoord-herstellen/")
        .expect("a reset link");
    let path: String = printed[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert_eq!(outbox(&db).trim(), "The outbox is empty.", "read once");

    let (status, headers, page) = demo.request("GET", &path, &[], "");
    assert!(status.contains("200"), "{status}");
    let form = set_cookie(&headers, "vindwerk_formulier").expect("a form cookie");
    let csrf = csrf_of(&page);
    let new_password = "een-nieuw-lang-wachtwoord";
    let body = format!("csrf={csrf}&password={new_password}&password_again={new_password}");
    let (status, headers, _) = demo.request(
        "POST",
        &path,
        &[format!("Cookie: vindwerk_formulier={form}")],
        &body,
    );
    assert!(status.contains("303"), "{status}");
    assert!(
        headers
            .iter()
            .any(|line| line == "location: /inloggen?hersteld=1")
    );
    let session = sign_in(&demo, "sanne@demo.vindwerk.nl", new_password);
    assert!(!session.is_empty());
    // The link works once.
    let (status, _, _) = demo.request("GET", &path, &[], "");
    assert!(status.contains("404"), "{status}");
}

#[test]
fn the_demo_carries_a_running_werkestafette() {
    let demo = common::Demo::start(250);
    let coach = sign_in(&demo, "coach@demo.vindwerk.nl", "vindwerk-demo");
    let cookie = [format!("Cookie: vindwerk_sessie={coach}")];
    let (status, _, round) = demo.request("GET", "/estafettes/r-demo-utrecht", &cookie, "");
    assert!(status.contains("200"), "{status}");
    assert!(round.contains("Werkestafette Utrecht"));
    assert!(round.contains("Tafel van Marieke Bakker"));
    assert!(round.contains("Tafel van Ahmed El Amrani"));
    assert!(round.contains("3 van 6 plaatsen bezet"));
    let (status, _, table) = demo.request(
        "GET",
        "/estafettes/r-demo-utrecht/tafels/t-demo-zorg",
        &cookie,
        "",
    );
    assert!(status.contains("200"), "{status}");
    assert!(table.contains("Joost Visser voor Sanne de Vries"));
    assert!(table.contains("Zo werkt het! Goed gedaan."));
    assert!(table.contains("Bijeenkomst van"));
    assert!(table.contains("Sanne voorstellen aan de praktijkopleider"));
    let (status, _, summary) = demo.request(
        "GET",
        "/estafettes/r-demo-utrecht/samenvatting",
        &cookie,
        "",
    );
    assert!(status.contains("200"), "{status}");
    assert!(summary.contains("De hele ronde"));
}
