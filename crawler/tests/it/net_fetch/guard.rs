use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use vindwerk_crawler::address::AddressError;
use vindwerk_crawler::{FetchError, FetchOptions, FetchSettings, Fetcher};

use super::support::{serve, settings};

fn redirector() -> Router {
    Router::new()
        .route(
            "/robots.txt",
            get(|| async { "User-agent: *\nDisallow: /secret\n" }),
        )
        .route("/old", get(|| async { Redirect::permanent("/middle") }))
        .route("/middle", get(|| async { Redirect::temporary("/new?x=1") }))
        .route("/new", get(|| async { "new" }))
        .route("/to-secret", get(|| async { Redirect::to("/secret") }))
        .route("/secret", get(|| async { "secret" }))
        .route(
            "/to-private",
            get(|| async { Redirect::to("http://10.0.0.1/admin") }),
        )
        .route(
            "/to-metadata",
            get(|| async { Redirect::to("http://169.254.169.254/latest/meta-data/") }),
        )
        .route(
            "/to-file",
            get(|| async { Redirect::to("file:///etc/passwd") }),
        )
        .route("/loop", get(|| async { Redirect::to("/loop") }))
}

#[tokio::test]
async fn redirects_are_followed_to_the_final_url() {
    let server = serve(redirector()).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let fetched = fetcher
        .get(&server.url("/old"), &FetchOptions::default())
        .await
        .unwrap();
    assert_eq!(fetched.final_url, server.url("/new?x=1"));
    assert_eq!(fetched.page().unwrap().text(), "new");
}

#[tokio::test]
async fn every_hop_is_checked_against_robots_txt() {
    let server = serve(redirector()).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let error = fetcher
        .get(&server.url("/to-secret"), &FetchOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, FetchError::Disallowed { url } if url.path() == "/secret"),
        "{error}"
    );
    assert!(server.hits_to("/secret").is_empty());
}

#[tokio::test]
async fn redirects_to_private_addresses_are_refused() {
    // Loopback is let through for the test server; 10/8 and 169.254/16 are not.
    let server = serve(redirector()).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    for (path, range) in [("/to-private", "private"), ("/to-metadata", "link-local")] {
        let error = fetcher
            .get(&server.url(path), &FetchOptions::default())
            .await
            .unwrap_err();
        let FetchError::Refused { reason, .. } = &error else {
            panic!("{path}: {error}");
        };
        assert!(
            matches!(**reason, AddressError::NonPublic { range: refused, .. } if refused == range),
            "{path}: {error}"
        );
    }
    let error = fetcher
        .get(&server.url("/to-file"), &FetchOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, FetchError::Refused { reason, .. } if matches!(**reason, AddressError::Scheme { .. })),
        "{error}"
    );
    assert_eq!(fetcher.stats().address_refusals, 3);
}

#[tokio::test]
async fn a_redirect_loop_ends() {
    let server = serve(redirector()).await;
    let fetcher = Fetcher::new(FetchSettings {
        max_redirects: 4,
        ..settings()
    })
    .unwrap();
    let error = fetcher
        .get(&server.url("/loop"), &FetchOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(error, FetchError::TooManyRedirects { limit: 4, .. }),
        "{error}"
    );
    assert_eq!(server.hits_to("/loop").len(), 5);
}

#[tokio::test]
async fn a_name_resolving_to_loopback_is_refused_without_a_connection() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    let router = Router::new().fallback(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        async { "answered" }
    });
    let server = serve(router).await;
    let port = server.base.port().unwrap();
    // The guard's default: no private address, loopback included.
    let fetcher = Fetcher::new(FetchSettings {
        allowed_networks: Vec::new(),
        ..settings()
    })
    .unwrap();

    let by_name = format!("http://localhost:{port}/page").parse().unwrap();
    let error = fetcher
        .get(&by_name, &FetchOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "refused {by_name}: localhost resolves only to refused addresses \
             (127.0.0.1 is a loopback address)"
        )
    );
    assert!(
        matches!(&error, FetchError::Refused { reason, .. }
            if matches!(**reason, AddressError::ResolvesToNonPublic { .. })),
        "{error}"
    );
    // Asking for its sitemaps is refused the same way.
    let error = fetcher.robots_sitemaps(&by_name).await.unwrap_err();
    assert!(matches!(error, FetchError::Refused { .. }), "{error}");

    let literal = server.url("/page");
    let error = fetcher
        .get(&literal, &FetchOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, FetchError::Refused { .. }), "{error}");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing reached the server");
}

#[tokio::test]
async fn allow_private_addresses_opens_loopback_names() {
    let server = serve(Router::new().fallback(|| async { "answered" })).await;
    let port = server.base.port().unwrap();
    let fetcher = Fetcher::new(FetchSettings {
        allowed_networks: Vec::new(),
        allow_private_addresses: true,
        ..settings()
    })
    .unwrap();
    let url = format!("http://localhost:{port}/page").parse().unwrap();
    let fetched = fetcher.get(&url, &FetchOptions::default()).await.unwrap();
    assert_eq!(fetched.page().unwrap().text(), "answered");
}
