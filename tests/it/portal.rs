//! The portal with the real binary: the first operator added with `vindwerk user add`, then
//! signing in over HTTP to the running server, as an operator would on a fresh install.

use crate::common;
use crate::common::{csrf_of, set_cookie, sign_in};
use vindwerk_fixtures::mailbox::{Answer, Mailbox};

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

/// Asks the demo for a password reset of `email`, as the form does: the page it answers.
fn ask_for_reset(demo: &common::Demo, email: &str) -> String {
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
}

fn outbox(db: &std::path::Path) -> String {
    outbox_with(db, &[])
}

/// `vindwerk outbox --db DB` with `extra` arguments: what it printed.
fn outbox_with(db: &std::path::Path, extra: &[&std::ffi::OsStr]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_vindwerk"))
        .args(["outbox", "--db"])
        .arg(db)
        .args(extra)
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
    let ask = |email: &str| ask_for_reset(&demo, email);
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

/// A `portal.toml` that mails by the relay on loopback `port`, without TLS.
fn portal_config(dir: &std::path::Path, port: u16) -> std::path::PathBuf {
    let path = dir.join("portal.toml");
    std::fs::write(
        &path,
        format!(
            "site_url = \"https://vindwerk.example.nl\"\n\n[mail]\nhost = \"127.0.0.1\"\n\
             port = {port}\nsecurity = \"none\"\nfrom = \"vindwerk <noreply@vindwerk.example.nl>\"\n"
        ),
    )
    .expect("write portal.toml");
    path
}

#[test]
fn with_mail_configured_a_reset_link_arrives_by_smtp_pointing_at_the_public_site() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mailbox = runtime
        .block_on(Mailbox::start(Answer::Accept))
        .expect("a mailbox");
    let config_dir = tempfile::tempdir().expect("temp dir");
    let config = portal_config(config_dir.path(), mailbox.port());
    let demo = common::Demo::start_with(250, &["--portal-config".as_ref(), config.as_os_str()]);
    let db = demo.dir().join("vindwerk.db");

    ask_for_reset(&demo, "niemand@example.nl");
    ask_for_reset(&demo, "sanne@demo.vindwerk.nl");
    let mut mails = Vec::new();
    for _ in 0..200 {
        mails = mailbox.received();
        if !mails.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(mails.len(), 1, "one mail, none for an unknown address");
    let mail = &mails[0];
    assert_eq!(mail.to, ["sanne@demo.vindwerk.nl"]);
    assert_eq!(mail.from, "noreply@vindwerk.example.nl");
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Je wachtwoord bij vindwerk")
    );
    assert_eq!(mail.header("To").as_deref(), Some("sanne@demo.vindwerk.nl"));
    let text = mail.text();
    assert!(text.contains("werkt één keer"), "{text}");
    // The link points at the configured public address, not at the Host the request named.
    let start = text
        .find("https://vindwerk.example.nl/wachtwoord-herstellen/")
        .unwrap_or_else(|| panic!("a link to the public site in {text}"));
    let path: String = text[start + "https://vindwerk.example.nl".len()..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert_eq!(
        outbox(&db).trim(),
        "The outbox is empty.",
        "a mailed message leaves nothing to print"
    );
    let (status, _, _) = demo.request("GET", &path, &[], "");
    assert!(status.contains("200"), "the mailed link opens: {status}");
}

#[test]
fn what_the_relay_refuses_or_cannot_take_waits_in_the_outbox_with_its_error() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let refusing = runtime
        .block_on(Mailbox::start(Answer::RejectRecipients))
        .expect("a mailbox");
    let demo = common::Demo::start(250);
    let db = demo.dir().join("vindwerk.db");
    let config_dir = tempfile::tempdir().expect("temp dir");
    let send = |port| {
        let config = portal_config(config_dir.path(), port);
        outbox_with(
            &db,
            &[
                "--send".as_ref(),
                "--portal-config".as_ref(),
                config.as_os_str(),
            ],
        )
    };

    ask_for_reset(&demo, "sanne@demo.vindwerk.nl");
    let said = send(refusing.port());
    assert!(
        said.contains("Sent 0, to try again later 0, left for `vindwerk outbox` 1"),
        "{said}"
    );
    let peeked = outbox_with(&db, &["--peek".as_ref()]);
    assert!(peeked.contains("To: sanne@demo.vindwerk.nl"), "{peeked}");
    assert!(
        peeked.contains("Not sent by mail after 6 attempts"),
        "{peeked}"
    );
    assert!(
        peeked.contains("550"),
        "the relay's answer is kept: {peeked}"
    );

    // A relay that does not answer: tried again later, not given up.
    ask_for_reset(&demo, "ahmed@demo.vindwerk.nl");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = closed.local_addr().expect("address").port();
    drop(closed);
    let said = send(port);
    assert!(
        said.contains("Sent 0, to try again later 1, left for `vindwerk outbox` 0, not yet due 1"),
        "{said}"
    );
    // Right after, nothing is due: the next attempt waits a minute.
    let accepting = runtime
        .block_on(Mailbox::start(Answer::Accept))
        .expect("a mailbox");
    let said = send(accepting.port());
    assert!(
        said.contains("Sent 0, to try again later 0, left for `vindwerk outbox` 0, not yet due 2"),
        "{said}"
    );
    assert!(accepting.received().is_empty());
    // The operator still reads both from the outbox.
    let printed = outbox(&db);
    assert_eq!(printed.matches("To: ").count(), 2, "{printed}");
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
