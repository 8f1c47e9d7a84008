use std::io::Write;

use axum::Router;
use axum::body::Body;
use axum::http::header;
use axum::routing::get;
use bytes::Bytes;
use vindwerk_crawler::charset;
use vindwerk_crawler::{FetchError, FetchOptions, Fetcher};

use super::support::{serve, settings};

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(data)
        .expect("writing to a Vec cannot fail");
    encoder.finish().expect("writing to a Vec cannot fail")
}

#[tokio::test]
async fn a_gzip_bomb_is_stopped_at_the_limit() {
    // 50 MB of zeros in about 50 KB.
    let bomb = Bytes::from(gzip(&vec![0; 50_000_000]));
    assert!(bomb.len() < 100_000);
    let router = Router::new().route(
        "/bomb",
        get(move || {
            let bomb = bomb.clone();
            async move { ([(header::CONTENT_ENCODING, "gzip")], bomb) }
        }),
    );
    let server = serve(router).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let url = server.url("/bomb");
    let error = fetcher
        .get(&url, &FetchOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            FetchError::BodyTooLarge {
                limit: 5_000_000,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        format!("body of {url} exceeds 5000000 bytes")
    );
    assert_eq!(
        server.hits_to("/bomb").len(),
        1,
        "a body too large is not retried"
    );
    assert!(fetcher.stats().bytes < 5_000_000);
}

#[tokio::test]
async fn compressed_bodies_are_decompressed() {
    let page = "<html><body>vacature</body></html>".repeat(100);
    let packed = Bytes::from(gzip(page.as_bytes()));
    let router = Router::new().route(
        "/page",
        get(move || {
            let packed = packed.clone();
            async move { ([(header::CONTENT_ENCODING, "gzip")], packed) }
        }),
    );
    let server = serve(router).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let fetched = fetcher
        .get(&server.url("/page"), &FetchOptions::default())
        .await
        .unwrap();
    assert_eq!(fetched.page().unwrap().text(), page);
    let accept_encoding = server.hits_to("/page")[0].headers[header::ACCEPT_ENCODING].clone();
    let accept_encoding = accept_encoding.to_str().unwrap();
    for coding in ["gzip", "br", "deflate"] {
        assert!(accept_encoding.contains(coding), "{accept_encoding}");
    }
}

#[tokio::test]
async fn a_huge_body_is_refused_by_its_length() {
    let router = Router::new().route("/huge", get(|| async { vec![b'x'; 6_000_000] }));
    let server = serve(router).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let error = fetcher
        .get(&server.url("/huge"), &FetchOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, FetchError::BodyTooLarge { .. }), "{error}");
}

#[tokio::test]
async fn a_streamed_body_without_length_is_cut_off() {
    let router = Router::new().route(
        "/endless",
        get(|| async {
            // An endless chunked body: only the limit ends it.
            let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
            let chunks =
                futures::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
            Body::from_stream(chunks)
        }),
    );
    let server = serve(router).await;
    let fetcher = Fetcher::new(vindwerk_crawler::FetchSettings {
        max_body_bytes: 1_000_000,
        ..settings()
    })
    .unwrap();
    let url = server.url("/endless");
    let error = fetcher
        .get(&url, &FetchOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("body of {url} exceeds 1000000 bytes")
    );
}

#[tokio::test]
async fn a_gzipped_sitemap_without_content_encoding_is_unpacked() {
    let sitemap =
        "<?xml version=\"1.0\"?><urlset><url><loc>https://example.org/1</loc></url></urlset>";
    let packed = Bytes::from(gzip(sitemap.as_bytes()));
    assert!(charset::is_gzip(&packed));
    let bomb = Bytes::from(gzip(&vec![b' '; 20_000_000]));
    let router = Router::new()
        .route(
            "/sitemap.xml.gz",
            get(move || {
                let packed = packed.clone();
                async move { ([(header::CONTENT_TYPE, "application/gzip")], packed) }
            }),
        )
        .route(
            "/bomb.xml.gz",
            get(move || {
                let bomb = bomb.clone();
                async move { ([(header::CONTENT_TYPE, "application/x-gzip")], bomb) }
            }),
        );
    let server = serve(router).await;
    let fetcher = Fetcher::new(settings()).unwrap();
    let options = FetchOptions::default();

    let fetched = fetcher
        .get(&server.url("/sitemap.xml.gz"), &options)
        .await
        .unwrap();
    let page = fetched.page().unwrap();
    assert_eq!(page.text(), sitemap);
    assert_eq!(page.content_type.as_deref(), Some("application/gzip"));

    let url = server.url("/bomb.xml.gz");
    let error = fetcher.get(&url, &options).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("body of {url} exceeds 5000000 bytes")
    );
}
