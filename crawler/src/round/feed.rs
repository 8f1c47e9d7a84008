//! A feed read as it arrives: the body is streamed from the network into a parser on a
//! blocking thread, which hands back one item at a time; each posting is saved as it comes.
//! A board's feed of a hundred thousand postings costs a few chunks and a few items in
//! flight, never the whole body; every queue between the stages is bounded, so the writer's
//! pace reaches back to the socket.
//!
//! The feed is the source's complete listing only when it reads to its proper end: a body cut
//! short, broken or too long expires nothing by absence.

use std::io::{BufRead, BufReader, Read};

use bytes::Bytes;
use futures::StreamExt;
use tokio::sync::mpsc;
use url::Url;
use vindwerk_model::PostingData;

use super::SourceRun;
use super::pages::error_kind;
use super::walk::{read_details, save_all};
use crate::charset::{self, Utf8Reader};
use crate::config::{FeedFormat, FeedSpec};
use crate::formats::{self, FeedEnd};

/// Chunks of the body waiting for the parser.
const CHUNKS_QUEUED: usize = 8;
/// Parsed items waiting to be saved.
const ITEMS_QUEUED: usize = 64;

type Item = Result<PostingData, String>;

pub(super) async fn feed(run: &SourceRun, spec: &FeedSpec) -> bool {
    let Some(mut body) = run.stream_listing(&spec.url).await else {
        return false;
    };
    let settings = run.shared.fetcher.settings();
    let parse = Parse {
        format: spec.format,
        base: spec.url.clone(),
        content_type: body.content_type().map(str::to_owned),
        max_item_bytes: usize::try_from(settings.max_body_bytes).unwrap_or(usize::MAX),
        max_bytes: settings.max_stream_bytes(),
    };
    let (chunks, chunks_in) = mpsc::channel::<Bytes>(CHUNKS_QUEUED);
    let (items_out, items_in) = mpsc::channel::<Item>(ITEMS_QUEUED);
    let parser = tokio::task::spawn_blocking(move || parse.run(chunks_in, items_out));

    let pump = async move {
        let result = loop {
            match body.chunk().await {
                Ok(Some(chunk)) => {
                    if chunks.send(chunk).await.is_err() {
                        // The parser stopped: the rest of the body is not needed.
                        break Ok(());
                    }
                }
                Ok(None) => break Ok(()),
                Err(error) => break Err(error),
            }
        };
        // Ends the request (its slot is free again) and tells the parser the body is over.
        drop(body);
        drop(chunks);
        result
    };
    let mut link_only = Vec::new();
    let items = futures::stream::unfold(items_in, |mut items| async move {
        items.recv().await.map(|item| (item, items))
    });
    let postings = items.filter_map(|item| {
        futures::future::ready(posting_or_link(run, spec, item, &mut link_only))
    });
    let (pumped, ()) = futures::join!(pump, save_all(run, postings));

    let mut complete = true;
    if let Err(error) = pumped {
        run.error(error_kind(&error), error.report());
        complete = false;
    }
    let parsed = match parser.await {
        Ok(parsed) => parsed,
        Err(error) => Err(FeedEnd::CutOff(format!("the parser stopped: {error}"))),
    };
    match parsed {
        Ok(()) => {}
        Err(FeedEnd::CutOff(note)) => {
            run.error("parse", format!("{}: {note}", spec.url));
            complete = false;
        }
        Err(FeedEnd::Unreadable(error)) => {
            run.error("parse", format!("{}: {error}", spec.url));
            complete = false;
        }
    }
    read_details(run, link_only).await;
    complete
}

/// A posting to save, or `None` for an item that names only its link (read later from the
/// page it links to) or could not be read (recorded).
fn posting_or_link(
    run: &SourceRun,
    spec: &FeedSpec,
    item: Item,
    link_only: &mut Vec<Url>,
) -> Option<PostingData> {
    let posting = match item {
        Ok(posting) => posting,
        Err(problem) => {
            run.error("parse", format!("{}: {problem}", spec.url));
            return None;
        }
    };
    if !posting.description.trim().is_empty() {
        return Some(posting);
    }
    match Url::parse(&posting.url) {
        Ok(url) => {
            run.mark_alive(url.as_str());
            link_only.push(url);
        }
        Err(error) => run.error(
            "parse",
            format!("{}: item link {:?}: {error}", spec.url, posting.url),
        ),
    }
    None
}

/// What the parser thread needs to know.
struct Parse {
    format: FeedFormat,
    base: Url,
    content_type: Option<String>,
    max_item_bytes: usize,
    max_bytes: u64,
}

impl Parse {
    /// Parses the chunks as they come and sends each item on; ends when the body ends, the
    /// document cannot be read on, or nobody takes the items any more.
    fn run(self, chunks: mpsc::Receiver<Bytes>, items: mpsc::Sender<Item>) -> Result<(), FeedEnd> {
        let mut packed = BufReader::new(ChunkReader {
            chunks,
            current: Bytes::new(),
        });
        // A feed that is itself gzip (`feed.xml.gz` served as application/gzip) is unpacked
        // here; a Content-Encoding was undone by the client.
        // Unpacked, it is held to the same limit the fetcher holds the body to.
        let is_gzip = packed.fill_buf().is_ok_and(charset::is_gzip);
        let raw: Box<dyn Read> = if is_gzip {
            Box::new(Limited {
                inner: flate2::read::MultiGzDecoder::new(packed),
                left: self.max_bytes,
                limit: self.max_bytes,
            })
        } else {
            Box::new(packed)
        };
        let text = BufReader::new(Utf8Reader::new(raw, self.content_type.as_deref()));
        let mut feed = formats::read_feed_from(self.format, text, &self.base, self.max_item_bytes)
            .map_err(FeedEnd::Unreadable)?;
        for item in feed.by_ref() {
            if items.blocking_send(item).is_err() {
                break;
            }
        }
        feed.finish()
    }
}

/// The body's chunks as a reader, on the parser's blocking thread.
struct ChunkReader {
    chunks: mpsc::Receiver<Bytes>,
    current: Bytes,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.chunks.blocking_recv() {
                Some(chunk) => self.current = chunk,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

/// Fails a read past `limit` bytes (a gzip bomb, an endless feed).
struct Limited<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(std::io::Error::other(format!(
                "the feed runs past {} bytes",
                self.limit
            )));
        }
        self.left -= n as u64;
        Ok(n)
    }
}
