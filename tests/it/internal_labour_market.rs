//! An organisation's internal labour market: a source with `audience = "org:<slug>"` is
//! crawled and kept, and none of its vacancies reaches the public: not the index, not the
//! search, not the vacancy pages, not the export.

use crate::common;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use vindwerk_fixtures::{FixtureWeb, Round, World, WorldParams};
use vindwerk_model::{Audience, Vacancy};
use vindwerk_store::Store;

fn vindwerk(args: &[&std::ffi::OsStr]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_vindwerk"))
        .args(args)
        .output()
        .expect("run vindwerk");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// `vindwerk serve` on a free loopback port; stopped when dropped.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(db: &std::path::Path, index: &std::path::Path) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let address = format!("127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_vindwerk"))
            .arg("serve")
            .arg("--db")
            .arg(db)
            .arg("--index")
            .arg(index)
            .args(["--addr", &address])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start vindwerk serve");
        let server = Server { child, address };
        for _ in 0..300 {
            if TcpStream::connect(&server.address).is_ok() {
                return server;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("vindwerk serve did not listen on {}", server.address);
    }

    /// A plain GET: the status line and the body.
    fn get(&self, path: &str) -> (String, String) {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        write!(
            stream,
            "GET {path} HTTP/1.0\r\nHost: {}\r\n\r\n",
            self.address
        )
        .expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        let (head, body) = response.split_once("\r\n\r\n").expect("a head");
        (
            head.lines().next().unwrap_or_default().to_owned(),
            body.to_owned(),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn an_internal_sources_vacancies_are_kept_and_shown_to_no_outsider() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 2).expect("date");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let world = Arc::new(
        World::generate(WorldParams {
            seed: 11,
            n_employers: vindwerk_fixtures::world::MIN_EMPLOYERS,
            n_vacancies: 120,
            today,
        })
        .expect("world"),
    );
    let web = runtime
        .block_on(FixtureWeb::start(world, Round::One))
        .expect("fixture web");
    // The first employer's own career site becomes its internal labour market.
    let site = vindwerk_fixtures::with_internal_site(&web.sources_toml()).expect("a career site");
    let (sources, internal_source, slug) = (site.sources, site.source, site.slug);
    let dir = tempfile::tempdir().expect("temp dir");
    let (sources_path, db, index) = (
        dir.path().join("sources.toml"),
        dir.path().join("vindwerk.db"),
        dir.path().join("index"),
    );
    std::fs::write(&sources_path, &sources).expect("write sources");
    let now = Utc.from_utc_datetime(&today.and_hms_opt(6, 0, 0).expect("time"));
    let ingested = vindwerk(&[
        "ingest".as_ref(),
        "--sources".as_ref(),
        sources_path.as_os_str(),
        "--db".as_ref(),
        db.as_os_str(),
        "--index".as_ref(),
        index.as_os_str(),
        "--now".as_ref(),
        now.to_rfc3339().as_ref(),
    ]);

    // The store keeps them, for the organisation.
    let store = Store::open_readonly(&db).expect("store");
    let mut internal: Vec<Vacancy> = Vec::new();
    let mut public = 0;
    store
        .for_each_vacancy(None, |vacancy| -> Result<(), vindwerk_store::StoreError> {
            if vacancy.audience.is_public() {
                public += 1;
                assert!(
                    vacancy
                        .postings
                        .iter()
                        .all(|posting| posting.source.as_str() != internal_source),
                    "a public vacancy holds no internal posting: {:?}",
                    vacancy.id
                );
            } else {
                internal.push(vacancy);
            }
            Ok(())
        })
        .expect("vacancies");
    assert!(!internal.is_empty(), "{internal_source} was crawled");
    assert!(public > 0);
    let org = Audience::organisation(&slug).expect("slug");
    assert!(internal.iter().all(|vacancy| vacancy.audience == org));
    // Its own index holds them, for its members.
    assert!(
        ingested.contains(&format!(
            "internal labour market org:{slug}: {} vacancies in its own index",
            internal.len()
        )),
        "{ingested}"
    );
    assert!(index.join(format!("org-{slug}")).join("CURRENT").is_file());

    // The export holds none of them.
    let export = vindwerk(&["export".as_ref(), "--db".as_ref(), db.as_os_str()]);
    assert_eq!(export.lines().count(), public);
    for vacancy in &internal {
        assert!(
            !export.contains(vacancy.id.as_str()),
            "{:?} exported",
            vacancy.id
        );
    }
    assert!(!export.contains(&internal_source));

    // Nor do the search, the vacancy pages and the API.
    let server = Server::start(&db, &index);
    let (_, all) = server.get("/api/search?per_page=100&status=all");
    let all: serde_json::Value = serde_json::from_str(&all).expect("json");
    assert_eq!(all["total"].as_u64(), Some(public as u64));
    for vacancy in &internal {
        let id = vacancy.id.as_str();
        let (status, _) = server.get(&format!("/api/vacancies/{id}"));
        assert!(status.contains("404"), "/api/vacancies/{id}: {status}");
        let (status, _) = server.get(&format!("/vacature/{id}"));
        assert!(status.contains("404"), "/vacature/{id}: {status}");
        let words = encode(&vacancy.title);
        let (status, found) = server.get(&format!("/api/search?q={words}&status=all&per_page=100"));
        assert!(status.contains("200"), "{status}");
        assert!(!found.contains(id), "the search for {words} found {id}");
    }
}

/// `text` percent-encoded for a query string.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The demo crawls one employer's career site from the fixture web as the internal labour
/// market of an organisation. Over HTTP, every public route answers the same for an
/// anonymous visitor and for a signed-in seeker outside the organisation, and none shows an
/// internal vacancy; the organisation's administrator finds them beside the public ones.
#[test]
fn a_crawled_internal_labour_market_reaches_its_members_only() {
    let demo = common::Demo::start(250);
    let store = Store::open_readonly(demo.dir().join("vindwerk.db")).expect("store");
    let (mut internal, mut public) = (Vec::new(), 0u64);
    store
        .for_each_vacancy(None, |vacancy| -> Result<(), vindwerk_store::StoreError> {
            if vacancy.audience.is_public() {
                public += 1;
            } else {
                internal.push(vacancy);
            }
            Ok(())
        })
        .expect("vacancies");
    assert!(
        !internal.is_empty(),
        "the demo has an internal labour market"
    );
    let slug = internal[0]
        .audience
        .organisation_slug()
        .expect("an organisation")
        .to_owned();
    let outsider = common::sign_in(&demo, "sanne@demo.vindwerk.nl", "vindwerk-demo");
    let member = common::sign_in(&demo, "joris@demo.vindwerk.nl", "vindwerk-demo");
    let get = |path: &str, session: Option<&str>| {
        let headers: Vec<String> = session
            .map(|session| vec![format!("Cookie: vindwerk_sessie={session}")])
            .unwrap_or_default();
        let (status, _, body) = demo.request("GET", path, &headers, "");
        (status, body)
    };

    let mut paths = vec![
        "/".to_owned(),
        "/?status=all&per_page=100".to_owned(),
        "/api/search?status=all&per_page=100".to_owned(),
        "/api/search.csv?status=all&per_page=100".to_owned(),
        "/kaart".to_owned(),
        "/api/map?status=all".to_owned(),
    ];
    for vacancy in &internal {
        let words = encode(&vacancy.title);
        let prefix: String = vacancy.title.chars().take(4).collect();
        paths.push(format!("/?q={words}&status=all&per_page=100"));
        paths.push(format!("/api/search?q={words}&status=all&per_page=100"));
        paths.push(format!("/api/search.csv?q={words}&status=all"));
        paths.push(format!("/api/suggest?q={}", encode(&prefix)));
        paths.push(format!("/kaart?q={words}"));
    }
    let mut wrong = Vec::new();
    for path in &paths {
        for (who, session) in [
            ("anonymous", None),
            ("an outsider", Some(outsider.as_str())),
        ] {
            let (status, body) = get(path, session);
            if !status.contains("200") {
                wrong.push(format!("{path} as {who}: {status}"));
            }
            for vacancy in &internal {
                if body.contains(vacancy.id.as_str()) {
                    wrong.push(format!("{path} as {who} shows {}", vacancy.id));
                }
            }
        }
    }
    for vacancy in &internal {
        let id = vacancy.id.as_str();
        for path in [
            format!("/vacature/{id}"),
            format!("/api/vacancies/{id}"),
            format!("/api/vacancies/{id}/similar"),
        ] {
            for (who, session) in [
                ("anonymous", None),
                ("an outsider", Some(outsider.as_str())),
            ] {
                let (status, _) = get(&path, session);
                if !status.contains("404") {
                    wrong.push(format!("{path} as {who}: {status}"));
                }
            }
        }
        let (status, page) = get(&format!("/vacature/{id}"), Some(&member));
        if !status.contains("200") || !page.contains("Interne vacature van") {
            wrong.push(format!("/vacature/{id} as the member: {status}"));
        }
    }
    for (who, session) in [
        ("anonymous", None),
        ("an outsider", Some(outsider.as_str())),
    ] {
        let (status, _) = get(&format!("/organisatie/{slug}"), session);
        if !status.contains(if session.is_some() { "404" } else { "303" }) {
            wrong.push(format!("/organisatie/{slug} as {who}: {status}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // The public figures are the same for everyone, the member included.
    for session in [None, Some(outsider.as_str()), Some(member.as_str())] {
        let (_, all) = get("/api/search?status=all&per_page=1", session);
        let all: serde_json::Value = serde_json::from_str(&all).expect("json");
        assert_eq!(all["total"].as_u64(), Some(public));
    }
    // The member finds every internal vacancy on the organisation's page.
    let (status, page) = get(
        &format!("/organisatie/{slug}?status=all&per_page=100"),
        Some(&member),
    );
    assert!(status.contains("200"), "{status}");
    let (_, search) = get("/?status=all", Some(&member));
    assert!(search.contains("Intern bij"), "beside the public search");
    let shown = internal
        .iter()
        .filter(|vacancy| page.contains(vacancy.id.as_str()))
        .count();
    assert_eq!(
        shown,
        internal.len().min(20),
        "the first page of the organisation's vacancies"
    );
}
