//! A feed is read item by item and is its source's complete listing only when it reads to its
//! proper end: a feed cut off mid-way keeps the postings it no longer shows active (and keeps
//! what it did show), while a whole feed without them expires them.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::{DateTime, TimeZone, Utc};
use vindwerk_crawler::config;
use vindwerk_crawler::round::{RoundOptions, RoundSummary, run_round};
use vindwerk_store::Store;

type Body = Arc<Mutex<String>>;

async fn feed(State(body): State<Body>) -> impl IntoResponse {
    let body = body.lock().expect("the feed is not poisoned").clone();
    ([(header::CONTENT_TYPE, "application/rss+xml")], body)
}

/// An RSS feed of the numbered items; `cut` ends the body inside the last item.
fn rss(base: &str, items: &[u32], cut: bool) -> String {
    let mut body = String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>");
    for n in items {
        body.push_str(&format!(
            "<item><title>Verpleegkundige {n}</title><link>{base}/vacature/{n}</link>\
             <description>&lt;p&gt;Zorg in wijk {n}, 32 uur.&lt;/p&gt;</description></item>"
        ));
    }
    if cut {
        body.push_str("<item><title>Kok</title><link>");
    } else {
        body.push_str("</channel></rss>");
    }
    body
}

struct Feed {
    base: String,
    body: Body,
    db: std::path::PathBuf,
    config: config::Config,
    _dir: tempfile::TempDir,
}

impl Feed {
    async fn start() -> Feed {
        let body: Body = Arc::default();
        let app = Router::new()
            .route("/feed.xml", get(feed))
            .with_state(Arc::clone(&body));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        let text = format!(
            "[crawler]\nuser_agent = \"vindwerk-test/1.0\"\nallow_private_addresses = true\n\n\
             [[source]]\nname = \"board-feed\"\nkind = \"feed\"\nchannel = \"board\"\n\
             format = \"rss\"\nurl = \"{base}/feed.xml\"\n"
        );
        let config = config::parse(&text).expect("valid sources.toml");
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("store.sqlite");
        drop(Store::open(&db).expect("store"));
        Feed {
            base,
            body,
            db,
            config,
            _dir: dir,
        }
    }

    /// Serves the items (cut off or whole) and runs a round at `now`; returns the round's
    /// summary and the titles of the source's active postings.
    async fn round(&self, items: &[u32], cut: bool, now: DateTime<Utc>) -> (RoundSummary, usize) {
        *self.body.lock().expect("not poisoned") = rss(&self.base, items, cut);
        let options = RoundOptions {
            unlimited_rate: true,
            ..RoundOptions::new(now)
        };
        let summary = run_round(&self.config, &self.db, options)
            .await
            .expect("round");
        let store = Store::open_readonly(&self.db).expect("store");
        let active = store
            .active_postings(&self.config.sources[0].id)
            .expect("active postings")
            .len();
        (summary, active)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_off_feed_expires_nothing_and_a_whole_one_does() {
    let feed = Feed::start().await;
    let night = |day| Utc.with_ymd_and_hms(2026, 11, day, 3, 0, 0).unwrap();

    let (first, active) = feed.round(&[1, 2, 3], false, night(2)).await;
    assert!(first.sources[0].complete, "{:?}", first.sources[0]);
    assert_eq!((first.sources[0].postings_new, active), (3, 3));

    // The body breaks off inside its second item: what came before is read, the rest unknown.
    let (cut, active) = feed.round(&[1], true, night(3)).await;
    let source = &cut.sources[0];
    assert!(!source.complete, "a cut-off feed is not a complete listing");
    assert_eq!(
        source.postings_unchanged, 1,
        "the item before the cut is read"
    );
    assert_eq!(source.postings_expired, 0);
    assert_eq!(active, 3, "no posting expires on a cut-off feed");
    assert!(
        source.error_samples.iter().any(|e| e.contains("feed.xml")),
        "the error names the feed: {:?}",
        source.error_samples
    );

    // The same items in a whole feed: the two no longer listed are gone.
    let (whole, active) = feed.round(&[1], false, night(4)).await;
    assert!(whole.sources[0].complete);
    assert_eq!((whole.sources[0].postings_expired, active), (2, 1));
}
