use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use futures::future::join_all;
use vindwerk_crawler::{FetchError, FetchOptions, FetchSettings, Fetcher};

use super::support::{assert_spaced, serve, settings};

/// Scheduling on a loaded machine may delay a request on its way to the server; waits are
/// asserted less this.
const TOLERANCE: Duration = Duration::from_millis(40);

fn pages() -> Router {
    Router::new()
        .route("/robots.txt", get(|| async { "User-agent: *\nAllow: /\n" }))
        .route("/page", get(|| async { "page" }))
}

#[tokio::test]
async fn requests_to_one_host_keep_the_rate() {
    let server = serve(pages()).await;
    let fetcher = Fetcher::new(FetchSettings {
        rate_per_host: Some(5.0),
        ..settings()
    })
    .unwrap();
    let urls: Vec<_> = (0..12)
        .map(|n| server.url(&format!("/page?n={n}")))
        .collect();
    let options = FetchOptions::default();
    let results = join_all(urls.iter().map(|url| fetcher.get(url, &options))).await;
    assert!(results.iter().all(Result::is_ok));

    let hits = server.hits();
    assert_eq!(hits.len(), 13, "robots.txt and twelve pages");
    assert_spaced(&hits, Duration::from_millis(200));
}

#[tokio::test]
async fn a_source_override_sets_the_rate_of_its_host() {
    let server = serve(pages()).await;
    let fetcher = Fetcher::new(FetchSettings {
        rate_per_host: Some(100.0),
        ..settings()
    })
    .unwrap();
    let options = FetchOptions {
        host_rate: Some(4.0),
        ..FetchOptions::default()
    };
    let urls: Vec<_> = (0..5)
        .map(|n| server.url(&format!("/page?n={n}")))
        .collect();
    join_all(urls.iter().map(|url| fetcher.get(url, &options))).await;
    assert_spaced(&server.hits(), Duration::from_millis(250));
}

#[tokio::test]
async fn a_stricter_crawl_delay_slows_the_host() {
    let router = Router::new()
        .route(
            "/robots.txt",
            get(|| async { "User-agent: vindwerk-test\nCrawl-delay: 0.3\n" }),
        )
        .route("/page", get(|| async { "page" }));
    let server = serve(router).await;
    let fetcher = Fetcher::new(FetchSettings {
        rate_per_host: Some(50.0),
        ..settings()
    })
    .unwrap();
    let urls: Vec<_> = (0..5)
        .map(|n| server.url(&format!("/page?n={n}")))
        .collect();
    let options = FetchOptions::default();
    join_all(urls.iter().map(|url| fetcher.get(url, &options))).await;
    let hits = server.hits();
    assert_eq!(hits.len(), 6);
    assert_spaced(&hits, Duration::from_millis(300));
}

/// Answers 429 with `Retry-After: 1` to the first request for /busy, then 200.
fn busy_once(retry_after: &'static str) -> Router {
    let calls = Arc::new(AtomicUsize::new(0));
    Router::new().route(
        "/busy",
        get(move || {
            let calls = Arc::clone(&calls);
            async move {
                if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        [(header::RETRY_AFTER, retry_after)],
                        "slow down",
                    )
                        .into_response()
                } else {
                    "ok".into_response()
                }
            }
        }),
    )
}

#[tokio::test]
async fn retry_after_holds_the_host_then_the_request_succeeds() {
    let server = serve(busy_once("1").route("/other", get(|| async { "other" }))).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let options = FetchOptions::default();

    let busy = server.url("/busy");
    let other = server.url("/other");
    let (first, second) = tokio::join!(fetcher.get(&busy, &options), async {
        // Sent while the host is held: it must wait too.
        tokio::time::sleep(Duration::from_millis(300)).await;
        fetcher.get(&other, &options).await
    });
    assert_eq!(first.unwrap().status, 200);
    assert_eq!(second.unwrap().status, 200);

    let busy_hits = server.hits_to("/busy");
    assert_eq!(busy_hits.len(), 2);
    let first_at = busy_hits[0].at;
    for hit in server.hits().iter().filter(|hit| hit.at > first_at) {
        assert!(
            hit.at.duration_since(first_at) >= Duration::from_secs(1) - TOLERANCE,
            "{} came {:?} after the 429",
            hit.target,
            hit.at.duration_since(first_at)
        );
    }
    assert_eq!(fetcher.stats().retries, 1);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let date = (chrono::Utc::now() + chrono::Duration::seconds(2))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let date: &'static str = Box::leak(date.into_boxed_str());
    let server = serve(busy_once(date)).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let fetched = fetcher
        .get(&server.url("/busy"), &FetchOptions::default())
        .await
        .unwrap();
    assert_eq!(fetched.status, 200);
    let hits = server.hits_to("/busy");
    // The date has one-second resolution: at least one second of the two is waited.
    assert!(hits[1].at.duration_since(hits[0].at) >= Duration::from_secs(1) - TOLERANCE);
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_fails_the_url_and_holds_the_host() {
    let router = Router::new()
        .route(
            "/busy",
            get(|| async {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, "3600")],
                    "",
                )
            }),
        )
        .route("/other", get(|| async { "other" }));
    let server = serve(router).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let options = FetchOptions::default();

    let error = fetcher
        .get(&server.url("/busy"), &options)
        .await
        .unwrap_err();
    assert!(
        matches!(error, FetchError::RetryAfterTooLong { .. }),
        "{error}"
    );
    let error = fetcher
        .get(&server.url("/other"), &options)
        .await
        .unwrap_err();
    assert!(
        matches!(error, FetchError::RetryAfterTooLong { .. }),
        "{error}"
    );
    assert_eq!(
        server.targets(),
        ["/robots.txt", "/busy"],
        "nothing sent while held"
    );
}

#[tokio::test]
async fn requests_in_flight_stay_within_the_concurrency() {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (counter, record) = (Arc::clone(&in_flight), Arc::clone(&peak));
    let router = Router::new().route(
        "/slow",
        get(move || {
            let (counter, record) = (Arc::clone(&counter), Arc::clone(&record));
            async move {
                let now = counter.fetch_add(1, Ordering::SeqCst) + 1;
                record.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                counter.fetch_sub(1, Ordering::SeqCst);
                "slow"
            }
        }),
    );
    let server = serve(router).await;
    let fetcher = Fetcher::new(FetchSettings {
        concurrency: 2,
        ..settings()
    })
    .unwrap();
    let urls: Vec<_> = (0..8)
        .map(|n| server.url(&format!("/slow?n={n}")))
        .collect();
    let options = FetchOptions::default();
    let results = join_all(urls.iter().map(|url| fetcher.get(url, &options))).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(peak.load(Ordering::SeqCst), 2);
}
