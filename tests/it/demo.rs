//! `vindwerk demo` as a newcomer runs it: one command, then a search that answers.

use crate::common;
#[test]
fn demo_serves_a_search_over_the_fixture_web() {
    let demo = common::Demo::start(250);

    let (status, body) = demo.get("/api/search?q=&per_page=5");
    assert!(status.contains("200"), "search answered {status}");
    let answer: serde_json::Value = serde_json::from_str(&body).expect("search answers JSON");
    let total = answer["total"].as_u64().expect("a total");
    assert!(
        total >= 200,
        "the demo's 250 vacancies are searchable, found {total}"
    );
    assert_eq!(answer["hits"].as_array().map(Vec::len), Some(5));

    let (status, page) = demo.get("/?q=verkoper");
    assert!(status.contains("200"), "search page answered {status}");
    assert!(page.contains("vacatures"), "the search page speaks Dutch");
}
