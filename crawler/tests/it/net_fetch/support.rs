//! A tiny web for the fetcher's tests: an axum router on 127.0.0.1:0 that records every request
//! it receives (path, headers, the server's own `Instant`), so tests assert on what reached the
//! server, not on the client's clock.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use axum::http::HeaderMap;
use axum::middleware::Next;
use url::Url;
use vindwerk_crawler::FetchSettings;

pub const USER_AGENT: &str = "vindwerk-test/0.1 (+https://example.org/bot)";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Hit {
    pub method: String,
    /// Path and query.
    pub target: String,
    pub headers: HeaderMap,
    pub at: Instant,
    /// The client's address: one per connection.
    pub peer: Option<SocketAddr>,
}

pub struct TestServer {
    pub base: Url,
    log: Arc<Mutex<Vec<Hit>>>,
}

impl TestServer {
    pub fn url(&self, target: &str) -> Url {
        self.base.join(target).expect("test paths are valid URLs")
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.log
            .lock()
            .expect("the request log is not poisoned")
            .clone()
    }

    /// The requests for `target` (path and query), in arrival order.
    pub fn hits_to(&self, target: &str) -> Vec<Hit> {
        self.hits()
            .into_iter()
            .filter(|hit| hit.target == target)
            .collect()
    }

    pub fn targets(&self) -> Vec<String> {
        self.hits().into_iter().map(|hit| hit.target).collect()
    }
}

/// Serves `router` on loopback until the test's runtime ends.
pub async fn serve(router: Router) -> TestServer {
    let log: Arc<Mutex<Vec<Hit>>> = Arc::default();
    let recorder = Arc::clone(&log);
    let router = router.layer(axum::middleware::from_fn(
        move |request: Request, next: Next| {
            let recorder = Arc::clone(&recorder);
            async move {
                let target = request
                    .uri()
                    .path_and_query()
                    .map(|target| target.as_str().to_owned())
                    .unwrap_or_default();
                recorder
                    .lock()
                    .expect("the request log is not poisoned")
                    .push(Hit {
                        method: request.method().to_string(),
                        target,
                        headers: request.headers().clone(),
                        at: Instant::now(),
                        peer: request
                            .extensions()
                            .get::<ConnectInfo<SocketAddr>>()
                            .map(|info| info.0),
                    });
                next.run(request).await
            }
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback has a free port");
    let address = listener
        .local_addr()
        .expect("a bound listener has an address");
    tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, service)
            .await
            .expect("the test server runs until the test ends");
    });
    TestServer {
        base: Url::parse(&format!("http://{address}/")).expect("a socket address makes a URL"),
        log,
    }
}

/// Fast settings that reach loopback only: private ranges stay refused, 127.0.0.0/8 is let
/// through, no rate limit unless a test sets one, short back-offs.
pub fn settings() -> FetchSettings {
    FetchSettings {
        rate_per_host: None,
        allowed_networks: vec!["127.0.0.0/8".parse().expect("a valid network")],
        backoff: Duration::from_millis(10),
        timeout: Duration::from_secs(5),
        ..FetchSettings::new(USER_AGENT)
    }
}

/// Asserts that the server saw `hits` at least `interval` apart. A request may reach the
/// server a little later than it left the gate (scheduling on a loaded machine), which can
/// shorten the gap after it: each gap may fall short by a quarter of the interval, while the
/// whole run must span its full share less that quarter.
pub fn assert_spaced(hits: &[Hit], interval: Duration) {
    let slack = interval / 4;
    for pair in hits.windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at);
        assert!(
            gap + slack >= interval,
            "{} and {} reached the server {gap:?} apart, interval {interval:?}",
            pair[0].target,
            pair[1].target
        );
    }
    if let (Some(first), Some(last)) = (hits.first(), hits.last()) {
        let span = last.at.duration_since(first.at);
        let share = interval * (hits.len() as u32 - 1);
        assert!(
            span + slack >= share,
            "{} requests in {span:?}, interval {interval:?}",
            hits.len()
        );
    }
}
