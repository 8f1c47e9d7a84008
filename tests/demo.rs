//! `vindwerk demo` as a newcomer runs it: one command, then a search that answers.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

/// A plain HTTP/1.0 GET on loopback: status line and body.
fn get(address: &str, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(address).expect("connect to the demo");
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").expect("send request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read response");
    let (head, body) = response
        .split_once("\r\n\r\n")
        .expect("a response has a head");
    (
        head.lines().next().unwrap_or_default().to_owned(),
        body.to_owned(),
    )
}

#[test]
fn demo_serves_a_search_over_the_fixture_web() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_vindwerk"))
        .args([
            "demo",
            "--addr",
            "127.0.0.1:0",
            "--vacancies",
            "250",
            "--dir",
        ])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the demo");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut address = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read the demo's output");
        if let Some(url) = line.strip_prefix("vindwerk demo: http://") {
            address = Some(url.trim_end_matches('/').to_owned());
            break;
        }
    }
    let address = address.expect("the demo prints its URL");

    let (status, body) = get(&address, "/api/search?q=&per_page=5");
    let answer: serde_json::Value = serde_json::from_str(&body).expect("search answers JSON");
    let total = answer["total"].as_u64().expect("a total");
    let (page_status, page) = get(&address, "/?q=verkoper");
    child.kill().expect("stop the demo");
    let _ = child.wait();

    assert!(status.contains("200"), "search answered {status}");
    assert!(
        total >= 200,
        "the demo's 250 vacancies are searchable, found {total}"
    );
    assert_eq!(answer["hits"].as_array().map(Vec::len), Some(5));
    assert!(
        page_status.contains("200"),
        "search page answered {page_status}"
    );
    assert!(page.contains("vacatures"), "the search page speaks Dutch");
}
