//! A feed is streamed and read item by item, and is its source's complete listing only when it
//! reads to its proper end: a feed cut off mid-way keeps the postings it no longer shows active
//! (and keeps what it did show), while a whole feed without them expires them. A feed may run
//! far beyond `max_body_bytes`, which holds for each of its items.

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

/// The feed's bytes and media type.
type Body = Arc<Mutex<(Vec<u8>, &'static str)>>;

async fn feed(State(body): State<Body>) -> impl IntoResponse {
    let (body, media_type) = body.lock().expect("the feed is not poisoned").clone();
    ([(header::CONTENT_TYPE, media_type)], body)
}

/// An RSS feed of the numbered items; `cut` ends the body inside the last item.
fn rss(base: &str, items: &[u32], cut: bool) -> String {
    rss_with(base, items, cut, "")
}

/// [`rss`] with `extra` text in each description.
fn rss_with(base: &str, items: &[u32], cut: bool, extra: &str) -> String {
    let mut body = String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>");
    for n in items {
        body.push_str(&format!(
            "<item><title>Verpleegkundige {n}</title><link>{base}/vacature/{n}</link>\
             <description>&lt;p&gt;Zorg in wijk {n}, 32 uur.{extra}&lt;/p&gt;</description></item>"
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
        Feed::with_settings("").await
    }

    /// A feed source with more `[crawler]` settings.
    async fn with_settings(settings: &str) -> Feed {
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
            "[crawler]\nuser_agent = \"vindwerk-test/1.0\"\nallow_private_addresses = true\n{settings}\n\
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
        let body = rss(&self.base, items, cut).into_bytes();
        self.serve_and_round(body, "application/rss+xml", now).await
    }

    async fn serve_and_round(
        &self,
        body: Vec<u8>,
        media_type: &'static str,
        now: DateTime<Utc>,
    ) -> (RoundSummary, usize) {
        *self.body.lock().expect("not poisoned") = (body, media_type);
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

fn night(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, 3, 0, 0).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_may_run_past_max_body_bytes_but_not_an_item() {
    let feed = Feed::with_settings("max_body_bytes = 20_000").await;
    // 2,000 items of about 170 bytes: 16 times the limit, every item well within it.
    let numbers: Vec<u32> = (1..=2_000).collect();
    let body = rss(&feed.base, &numbers, false);
    assert!(body.len() > 300_000, "{}", body.len());
    let (whole, active) = feed
        .serve_and_round(body.into_bytes(), "application/rss+xml", night(2))
        .await;
    assert!(whole.sources[0].complete, "{:?}", whole.sources[0]);
    assert_eq!(active, 2_000);

    // One item beyond the limit: the feed is unreadable from there on and expires nothing.
    let mut body = rss_with(&feed.base, &[1], false, &"x".repeat(30_000));
    body = body.replace("</channel></rss>", "");
    body.push_str(&rss(&feed.base, &[2], false).replacen(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>",
        "",
        1,
    ));
    let (big, active) = feed
        .serve_and_round(body.into_bytes(), "application/rss+xml", night(3))
        .await;
    let source = &big.sources[0];
    assert!(!source.complete);
    assert_eq!(source.postings_expired, 0);
    assert_eq!(active, 2_000);
    assert!(
        source
            .error_samples
            .iter()
            .any(|e| e.contains("more than 20000 bytes")),
        "{:?}",
        source.error_samples
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gzipped_latin1_feed_is_unpacked_and_decoded() {
    let feed = Feed::start().await;
    let text = rss(&feed.base, &[1, 2], false)
        .replace(
            "<?xml version=\"1.0\"?>",
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
        )
        .replace("Verpleegkundige", "Caf\u{e9}medewerker");
    let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    let mut packed = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut packed, &latin1).expect("gzip");
    let body = packed.finish().expect("gzip");
    let (round, active) = feed
        .serve_and_round(body, "application/gzip", night(2))
        .await;
    assert!(round.sources[0].complete, "{:?}", round.sources[0]);
    assert_eq!(active, 2);
    let store = Store::open_readonly(&feed.db).expect("store");
    let postings = store
        .active_postings(&feed.config.sources[0].id)
        .expect("postings");
    let titles: Vec<String> = postings
        .iter()
        .map(|posting| {
            store
                .posting(posting.id)
                .expect("posting")
                .expect("stored")
                .data
                .title
        })
        .collect();
    assert!(
        titles
            .iter()
            .all(|title| title.starts_with("Caf\u{e9}medewerker")),
        "{titles:?}"
    );
}
