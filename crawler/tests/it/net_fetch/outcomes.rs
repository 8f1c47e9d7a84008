use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use vindwerk_crawler::{FetchError, FetchOptions, FetchSettings, Fetcher, Outcome};

use super::support::{serve, settings};

/// Fails `failures` times with `status`, then answers "ok".
fn flaky(status: StatusCode, failures: usize) -> Router {
    let calls = Arc::new(AtomicUsize::new(0));
    Router::new().route(
        "/flaky",
        get(move || {
            let calls = Arc::clone(&calls);
            async move {
                if calls.fetch_add(1, Ordering::SeqCst) < failures {
                    (status, "not now").into_response()
                } else {
                    "ok".into_response()
                }
            }
        }),
    )
}

#[tokio::test]
async fn a_503_is_retried_until_it_succeeds() {
    let server = serve(flaky(StatusCode::SERVICE_UNAVAILABLE, 2)).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let fetched = fetcher
        .get(&server.url("/flaky"), &FetchOptions::default())
        .await
        .unwrap();
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.page().unwrap().text(), "ok");
    assert_eq!(server.hits_to("/flaky").len(), 3);
    let stats = fetcher.stats();
    assert_eq!(stats.retries, 2);
    assert_eq!(stats.failures, 0);
}

#[tokio::test]
async fn a_persistent_5xx_fails_after_the_last_try() {
    let server = serve(flaky(StatusCode::BAD_GATEWAY, usize::MAX)).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let url = server.url("/flaky");
    let error = fetcher
        .get(&url, &FetchOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(error, FetchError::Status { status: 502, .. }),
        "{error}"
    );
    assert_eq!(error.url(), Some(&url));
    assert_eq!(server.hits_to("/flaky").len(), 3);
    assert_eq!(fetcher.stats().failures, 1);
}

#[tokio::test]
async fn not_found_and_gone_are_outcomes_without_retries() {
    let router = Router::new()
        .route("/gone", get(|| async { (StatusCode::GONE, "gone") }))
        .route(
            "/forbidden",
            get(|| async { (StatusCode::FORBIDDEN, "no") }),
        );
    let server = serve(router).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let options = FetchOptions::default();

    let missing = fetcher
        .get(&server.url("/missing"), &options)
        .await
        .unwrap();
    assert_eq!((missing.status, missing.outcome), (404, Outcome::NotFound));
    let gone = fetcher.get(&server.url("/gone"), &options).await.unwrap();
    assert_eq!((gone.status, gone.outcome), (410, Outcome::Gone));
    let error = fetcher
        .get(&server.url("/forbidden"), &options)
        .await
        .unwrap_err();
    assert!(
        matches!(error, FetchError::Status { status: 403, .. }),
        "{error}"
    );

    assert_eq!(
        server.targets(),
        ["/robots.txt", "/missing", "/gone", "/forbidden"]
    );
    assert_eq!(fetcher.stats().retries, 0);
}

#[tokio::test]
async fn validators_give_not_modified() {
    let router = Router::new().route(
        "/vacature",
        get(|headers: HeaderMap| async move {
            let etag_matches = headers
                .get(header::IF_NONE_MATCH)
                .is_some_and(|value| value == "\"v1\"");
            let date_matches = headers
                .get(header::IF_MODIFIED_SINCE)
                .is_some_and(|value| value == "Sun, 22 Nov 2026 06:00:00 GMT");
            if etag_matches || date_matches {
                return StatusCode::NOT_MODIFIED.into_response();
            }
            (
                [
                    (header::ETAG, "\"v1\""),
                    (header::LAST_MODIFIED, "Sun, 22 Nov 2026 06:00:00 GMT"),
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                ],
                "<h1>Verpleegkundige</h1>",
            )
                .into_response()
        }),
    );
    let server = serve(router).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let url = server.url("/vacature");

    let first = fetcher.get(&url, &FetchOptions::default()).await.unwrap();
    let page = first.page().unwrap();
    assert_eq!(page.etag.as_deref(), Some("\"v1\""));
    assert_eq!(page.media_type().as_deref(), Some("text/html"));

    let by_etag = FetchOptions {
        etag: page.etag.clone(),
        ..FetchOptions::default()
    };
    let again = fetcher.get(&url, &by_etag).await.unwrap();
    assert_eq!((again.status, again.outcome), (304, Outcome::NotModified));

    let by_date = FetchOptions {
        last_modified: page.last_modified.clone(),
        ..FetchOptions::default()
    };
    let again = fetcher.get(&url, &by_date).await.unwrap();
    assert_eq!(again.outcome, Outcome::NotModified);
}

#[tokio::test]
async fn latin1_pages_are_decoded() {
    let router = Router::new().route(
        "/oud",
        get(|| async {
            (
                [(header::CONTENT_TYPE, "text/html; charset=ISO-8859-1")],
                b"<p>Caf\xe9medewerker in Zo\xebterwoude</p>".to_vec(),
            )
        }),
    );
    let server = serve(router).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let fetched = fetcher
        .get(&server.url("/oud"), &FetchOptions::default())
        .await
        .unwrap();
    assert_eq!(
        fetched.page().unwrap().text(),
        "<p>Cafémedewerker in Zoëterwoude</p>"
    );
}

#[tokio::test]
async fn post_json_sends_and_reads_json() {
    let router = Router::new().route(
        "/wday/cxs/acme/External/jobs",
        post(
            |headers: HeaderMap, Json(body): Json<serde_json::Value>| async move {
                let accept = headers[header::ACCEPT].to_str().unwrap().to_owned();
                Json(serde_json::json!({ "echo": body, "accept": accept }))
            },
        ),
    );
    let server = serve(router).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let request = serde_json::json!({ "limit": 20, "offset": 0, "searchText": "" });
    let fetched = fetcher
        .post_json(
            &server.url("/wday/cxs/acme/External/jobs"),
            &request,
            &FetchOptions::default(),
        )
        .await
        .unwrap();
    let page = fetched.page().unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&page.body).unwrap();
    assert_eq!(answer["echo"], request);
    assert_eq!(answer["accept"], "application/json");
    assert_eq!(
        server.hits_to("/wday/cxs/acme/External/jobs")[0].method,
        "POST"
    );
}

#[tokio::test]
async fn a_slow_server_times_out() {
    let router = Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(3)).await;
            "late"
        }),
    );
    let server = serve(router).await;
    let fetcher = Fetcher::new(FetchSettings {
        timeout: Duration::from_millis(300),
        max_attempts: 2,
        ..settings()
    })
    .unwrap();
    let error = fetcher
        .get(&server.url("/slow"), &FetchOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, FetchError::Timeout { .. }), "{error}");
    assert_eq!(server.hits_to("/slow").len(), 2, "a time-out is retried");
}

#[tokio::test]
async fn a_closed_port_is_a_network_error_after_retries() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let fetcher = Fetcher::new(settings()).unwrap();
    let url = format!("http://{address}/page").parse().unwrap();
    let error = fetcher
        .get(&url, &FetchOptions::default())
        .await
        .unwrap_err();
    // robots.txt cannot be read, so the page is not requested either.
    assert!(
        matches!(error, FetchError::RobotsUnreachable { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("request to"), "{error}");
    assert_eq!(fetcher.stats().retries, 2);
}

#[tokio::test]
async fn one_connection_serves_consecutive_requests() {
    let server = serve(Router::new().route("/page", get(|| async { "page" }))).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    for n in 0..5 {
        let url = server.url(&format!("/page?n={n}"));
        fetcher.get(&url, &FetchOptions::default()).await.unwrap();
    }
    let mut peers: Vec<_> = server.hits().iter().map(|hit| hit.peer.unwrap()).collect();
    peers.dedup();
    assert_eq!(
        peers.len(),
        1,
        "robots.txt and five pages over one connection: {peers:?}"
    );
}

#[tokio::test]
async fn a_post_answered_303_continues_as_a_get() {
    let router = Router::new()
        .route(
            "/search",
            post(|| async { axum::response::Redirect::to("/results?page=1") }),
        )
        .route("/results", get(|| async { "results" }));
    let server = serve(router).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let fetched = fetcher
        .post_json(
            &server.url("/search"),
            &serde_json::json!({}),
            &FetchOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(fetched.final_url, server.url("/results?page=1"));
    let methods: Vec<_> = server
        .hits()
        .into_iter()
        .map(|hit| (hit.method, hit.target))
        .collect();
    assert_eq!(
        methods,
        [
            ("GET".to_owned(), "/robots.txt".to_owned()),
            ("POST".to_owned(), "/search".to_owned()),
            ("GET".to_owned(), "/results?page=1".to_owned()),
        ]
    );
}
