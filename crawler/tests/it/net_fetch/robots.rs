use axum::Router;
use axum::http::StatusCode;
use axum::response::Redirect;
use axum::routing::get;
use vindwerk_crawler::{FetchError, FetchOptions, Fetcher, Outcome};

use super::support::{serve, settings};

const ROBOTS: &str = "\
User-agent: *
Disallow: /private/
Allow: /private/open

User-agent: vindwerk-test
Disallow: /zoeken
Disallow: /*.pdf$
Sitemap: /sitemap-index.xml
Sitemap: https://cdn.example.org/jobs.xml.gz
";

fn site() -> Router {
    Router::new()
        .route("/robots.txt", get(|| async { ROBOTS }))
        .route("/zoeken", get(|| async { "search results" }))
        .route("/report.pdf", get(|| async { "pdf" }))
        .route("/report.pdf.html", get(|| async { "html" }))
        .route("/private/x", get(|| async { "private" }))
        .route("/vacature/1", get(|| async { "vacature" }))
}

#[tokio::test]
async fn disallowed_urls_are_never_requested() {
    let server = serve(site()).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let options = FetchOptions::default();

    for path in ["/zoeken", "/report.pdf"] {
        let error = fetcher.get(&server.url(path), &options).await.unwrap_err();
        assert!(
            matches!(error, FetchError::Disallowed { .. }),
            "{path}: {error}"
        );
        assert!(error.is_robots_refusal());
        assert_eq!(
            error.to_string(),
            format!("{} is disallowed by robots.txt", server.url(path))
        );
    }
    // Our group applies, not `*`: /private/ is open to us.
    for path in ["/report.pdf.html", "/private/x", "/vacature/1"] {
        let fetched = fetcher.get(&server.url(path), &options).await.unwrap();
        assert!(matches!(fetched.outcome, Outcome::Page(_)), "{path}");
    }

    assert_eq!(
        server.targets(),
        [
            "/robots.txt",
            "/report.pdf.html",
            "/private/x",
            "/vacature/1"
        ],
        "robots.txt is read once and disallowed paths are never requested"
    );
    let stats = fetcher.stats();
    assert_eq!(stats.robots_refusals, 2);
    assert_eq!(stats.requests, 4);
}

#[tokio::test]
async fn the_user_agent_is_sent() {
    let server = serve(site()).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    fetcher
        .get(&server.url("/vacature/1"), &FetchOptions::default())
        .await
        .unwrap();
    for hit in server.hits() {
        assert_eq!(hit.headers["user-agent"], super::support::USER_AGENT);
    }
}

#[tokio::test]
async fn sitemaps_are_named_by_robots_txt() {
    let server = serve(site()).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let sitemaps = fetcher
        .robots_sitemaps(&server.url("/anything"))
        .await
        .unwrap();
    assert_eq!(
        sitemaps,
        [
            server.url("/sitemap-index.xml"),
            "https://cdn.example.org/jobs.xml.gz".parse().unwrap()
        ]
    );
}

#[tokio::test]
async fn a_missing_robots_txt_allows_everything() {
    let router = Router::new()
        .route(
            "/robots.txt",
            get(|| async { (StatusCode::NOT_FOUND, "no") }),
        )
        .route("/zoeken", get(|| async { "results" }));
    let server = serve(router).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let fetched = fetcher
        .get(&server.url("/zoeken"), &FetchOptions::default())
        .await
        .unwrap();
    assert_eq!(fetched.status, 200);
    assert!(
        fetcher
            .robots_sitemaps(&server.url("/"))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_unreachable_robots_txt_disallows_everything() {
    let router = Router::new()
        .route(
            "/robots.txt",
            get(|| async { (StatusCode::SERVICE_UNAVAILABLE, "down") }),
        )
        .route("/vacature/1", get(|| async { "vacature" }));
    let server = serve(router).await;
    let fetcher = Fetcher::new(settings()).unwrap();

    let error = fetcher
        .get(&server.url("/vacature/1"), &FetchOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(error, FetchError::RobotsUnreachable { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("answered 503"), "{error}");
    // robots.txt was retried like any 5xx; the page was never requested, now or later.
    fetcher
        .get(&server.url("/vacature/1"), &FetchOptions::default())
        .await
        .unwrap_err();
    assert_eq!(server.targets(), ["/robots.txt"; 3]);
    assert!(matches!(
        fetcher.robots_sitemaps(&server.url("/")).await,
        Err(FetchError::RobotsUnreachable { .. })
    ));
}

#[tokio::test]
async fn a_redirected_robots_txt_is_followed() {
    let router = Router::new()
        .route(
            "/robots.txt",
            get(|| async { Redirect::permanent("/real-robots.txt") }),
        )
        .route(
            "/real-robots.txt",
            get(|| async { "User-agent: *\nDisallow: /zoeken\n" }),
        )
        .route("/zoeken", get(|| async { "results" }));
    let server = serve(router).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let error = fetcher
        .get(&server.url("/zoeken"), &FetchOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, FetchError::Disallowed { .. }), "{error}");
    assert_eq!(server.targets(), ["/robots.txt", "/real-robots.txt"]);
}

#[tokio::test]
async fn robots_txt_is_read_up_to_500_kib() {
    // A rule beyond the first 500 KiB is not read.
    let mut robots = String::from("User-agent: *\nDisallow: /early\n");
    while robots.len() < 520 * 1024 {
        robots.push_str("# padding padding padding padding padding padding padding\n");
    }
    robots.push_str("Disallow: /late\n");
    let router = Router::new()
        .route("/robots.txt", get(move || async move { robots }))
        .route("/late", get(|| async { "late" }));
    let server = serve(router).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let options = FetchOptions::default();
    assert!(fetcher.get(&server.url("/late"), &options).await.is_ok());
    assert!(matches!(
        fetcher.get(&server.url("/early"), &options).await,
        Err(FetchError::Disallowed { .. })
    ));
}

#[tokio::test]
async fn robots_txt_is_read_again_once_it_expires() {
    let server = serve(site()).await;
    let fetcher = Fetcher::new(vindwerk_crawler::FetchSettings {
        robots_ttl: std::time::Duration::from_millis(200),
        ..settings()
    })
    .unwrap();
    let url = server.url("/vacature/1");
    let options = FetchOptions::default();
    fetcher.get(&url, &options).await.unwrap();
    fetcher.get(&url, &options).await.unwrap();
    assert_eq!(server.hits_to("/robots.txt").len(), 1, "cached");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    fetcher.get(&url, &options).await.unwrap();
    assert_eq!(
        server.hits_to("/robots.txt").len(),
        2,
        "expired and read again"
    );
}
