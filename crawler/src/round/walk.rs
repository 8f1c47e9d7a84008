//! How each kind of source is read: which listing to load, how to page through it, which
//! detail pages or records it leads to. Returns whether the listing was read completely and
//! healthily, the condition for expiry by absence.

use std::collections::HashSet;

use futures::SinkExt;
use futures::channel::mpsc;
use futures::{Stream, StreamExt};
use url::Url;
use vindwerk_model::PostingData;

use super::SourceRun;
use crate::config::{AtsSpec, SiteSpec, SitemapSpec, SourceSpec, WorkdaySpec};
use crate::formats::{self, SitemapKind};

/// Sitemap indexes nest; real ones go two levels deep at most.
const MAX_SITEMAP_DOCUMENTS: usize = 1_000;
/// Pages of an API listing before the listing counts as endless (and so incomplete).
const MAX_API_PAGES: usize = 10_000;
const LEVER_PAGE: usize = 100;
const SMARTRECRUITERS_PAGE: usize = 100;
/// Saves of one listing waiting for the store writer at a time (a writer's batch is 512).
const SAVES_IN_FLIGHT: usize = 256;
/// Detail pages of a site found and waiting to be read.
const DETAILS_QUEUED: usize = 256;

pub(crate) async fn walk(run: &SourceRun) -> bool {
    match &run.source.spec {
        SourceSpec::Sitemap(spec) => sitemap(run, spec).await,
        SourceSpec::Site(spec) => site(run, spec).await,
        SourceSpec::Feed(spec) => super::feed::feed(run, spec).await,
        SourceSpec::Recruitee(spec) => recruitee(run, spec).await,
        SourceSpec::Greenhouse(spec) => greenhouse(run, spec).await,
        SourceSpec::Lever(spec) => lever(run, spec).await,
        SourceSpec::Personio(spec) => personio(run, spec).await,
        SourceSpec::SmartRecruiters(spec) => smartrecruiters(run, spec).await,
        SourceSpec::Workday(spec) => workday(run, spec).await,
    }
}

/// Reads detail pages concurrently; the fetcher's gate sets the pace per host.
pub(super) async fn read_details(run: &SourceRun, urls: Vec<Url>) {
    futures::stream::iter(urls)
        .map(|url| run.read_detail(url))
        .buffer_unordered(run.shared.concurrency)
        .collect::<()>()
        .await;
}

async fn sitemap(run: &SourceRun, spec: &SitemapSpec) -> bool {
    let mut pending: Vec<Url> = if spec.url.path() == "/" || spec.url.path().is_empty() {
        match run.shared.fetcher.robots_sitemaps(&spec.url).await {
            Ok(named) if !named.is_empty() => named,
            Ok(_) => {
                run.error(
                    "listing",
                    format!("{}: robots.txt names no sitemap", spec.url),
                );
                return false;
            }
            Err(error) => {
                run.error("listing", error.report());
                return false;
            }
        }
    } else {
        vec![spec.url.clone()]
    };
    let mut seen_documents = HashSet::new();
    let mut complete = true;
    while let Some(document_url) = pending.pop() {
        if !seen_documents.insert(document_url.clone()) {
            continue;
        }
        if seen_documents.len() > MAX_SITEMAP_DOCUMENTS {
            run.error(
                "listing",
                format!("{document_url}: more than {MAX_SITEMAP_DOCUMENTS} sitemaps"),
            );
            complete = false;
            break;
        }
        let Some(body) = run.fetch_listing(&document_url).await else {
            complete = false;
            continue;
        };
        let sitemap = match formats::parse_sitemap(&body, &document_url) {
            Ok(sitemap) => sitemap,
            Err(error) => {
                run.error("parse", format!("{document_url}: {error}"));
                complete = false;
                continue;
            }
        };
        for problem in &sitemap.problems {
            tracing::debug!(source = %run.source.id, url = %document_url, "{problem}");
        }
        match sitemap.kind {
            SitemapKind::Index => pending.extend(sitemap.entries.into_iter().map(|e| e.url)),
            SitemapKind::Urlset => {
                // Each urlset's pages are read before the next document is loaded, so that
                // a source holds one sitemap's worth of URLs (at most 50,000), not all.
                let mut pages = Vec::new();
                for entry in sitemap.entries {
                    // A page listed twice (or already read) is read once.
                    if spec.wants(&entry.url) && run.mark_alive(entry.url.as_str()) {
                        pages.push(entry.url);
                    }
                }
                read_details(run, pages).await;
            }
        }
    }
    complete
}

/// Walks a site's listing pages one after the other while its detail pages are read beside
/// them: the details found wait in a bounded queue, so that a board of a hundred thousand
/// postings holds a queue's worth of URLs (and its set of URLs seen alive), not all of them.
async fn site(run: &SourceRun, spec: &SiteSpec) -> bool {
    let (details, queued) = mpsc::channel(DETAILS_QUEUED);
    let read = queued
        .map(|url| run.read_detail(url))
        .buffer_unordered(run.shared.concurrency)
        .collect::<()>();
    let (complete, ()) = futures::join!(walk_listings(run, spec, details), read);
    complete
}

/// The listing pages of a site, breadth first; sends each new detail page to `details`.
async fn walk_listings(run: &SourceRun, spec: &SiteSpec, mut details: mpsc::Sender<Url>) -> bool {
    let max_pages = spec.max_pages.map_or(usize::MAX, |n| n.get());
    let mut queue: std::collections::VecDeque<Url> = spec.start.iter().cloned().collect();
    // Listing pages seen; detail pages are remembered in the run's set of URLs seen alive.
    let mut seen: HashSet<Url> = queue.iter().cloned().collect();
    let mut listing_pages = 0usize;
    let mut complete = true;
    while let Some(listing_url) = queue.pop_front() {
        if listing_pages >= max_pages {
            // The listing goes on beyond what we may read: what it no longer lists is unknown.
            run.error(
                "listing",
                format!("{listing_url}: max_pages ({max_pages}) reached"),
            );
            complete = false;
            break;
        }
        listing_pages += 1;
        let Some(body) = run.fetch_listing(&listing_url).await else {
            complete = false;
            continue;
        };
        let links = crate::extract::links(&body, &listing_url);
        let mut listings = Vec::new();
        let mut new_details = Vec::new();
        for link in links {
            let is_detail = spec
                .detail
                .as_ref()
                .is_some_and(|re| re.is_match(link.as_str()));
            if is_detail {
                if run.mark_alive(link.as_str()) {
                    new_details.push(link);
                }
            } else if spec.follow.iter().any(|re| re.is_match(link.as_str()))
                && seen.insert(link.clone())
            {
                listings.push(link);
            }
        }
        if spec.detail.is_none() {
            // Without a detail pattern every page reached may hold a posting.
            run.read_page_text(&listing_url, &body).await;
        }
        drop(body);
        // A listing page that brings no new posting ends its branch of pagination: a trap
        // that generates "next" pages without end stops at its first empty page. Start pages
        // are always followed (they may be mere indexes of listings).
        let is_start = spec.start.contains(&listing_url);
        if !new_details.is_empty() || is_start || spec.detail.is_none() {
            queue.extend(listings);
        } else {
            tracing::debug!(source = %run.source.id, url = %listing_url, "no new postings: not followed");
        }
        for url in new_details {
            if details.send(url).await.is_err() {
                return false;
            }
        }
    }
    complete
}

/// Stores the postings of an API listing page; its unreadable items are recorded.
async fn save_listing(run: &SourceRun, url: &Url, listing: formats::Listing) {
    for problem in listing.problems {
        run.error("parse", format!("{url}: {problem}"));
    }
    save_all(run, futures::stream::iter(listing.postings)).await;
}

/// Stores postings with many saves in flight, so that they share the writer's transactions
/// instead of waiting for one commit each: a feed of thousands of postings is read at the
/// writer's pace, and its body is let go as soon.
pub(super) async fn save_all(run: &SourceRun, postings: impl Stream<Item = PostingData>) {
    postings
        .map(|data| run.save(data))
        .buffer_unordered(SAVES_IN_FLIGHT)
        .collect::<()>()
        .await;
}

/// Reads a single-document API listing.
async fn api_listing(
    run: &SourceRun,
    url: Url,
    parse: impl FnOnce(&str) -> Result<formats::Listing, formats::FormatError>,
) -> bool {
    let Some(body) = run.fetch_listing(&url).await else {
        return false;
    };
    let parsed = parse(&body);
    drop(body);
    match parsed {
        Ok(listing) => {
            save_listing(run, &url, listing).await;
            true
        }
        Err(error) => {
            run.error("parse", format!("{url}: {error}"));
            false
        }
    }
}

async fn recruitee(run: &SourceRun, spec: &AtsSpec) -> bool {
    let url = formats::recruitee_offers_url(spec);
    api_listing(run, url, |body| {
        formats::parse_recruitee(body, &spec.base_url)
    })
    .await
}

async fn greenhouse(run: &SourceRun, spec: &AtsSpec) -> bool {
    let url = formats::greenhouse_jobs_url(spec);
    api_listing(run, url, |body| {
        formats::parse_greenhouse(body, &spec.base_url)
    })
    .await
}

async fn personio(run: &SourceRun, spec: &AtsSpec) -> bool {
    let url = formats::personio_xml_url(spec);
    api_listing(run, url, |body| {
        formats::parse_personio(body, &spec.base_url)
    })
    .await
}

async fn lever(run: &SourceRun, spec: &AtsSpec) -> bool {
    for page in 0..MAX_API_PAGES {
        let url = formats::lever_postings_url(spec, page * LEVER_PAGE, LEVER_PAGE);
        let Some(body) = run.fetch_listing(&url).await else {
            return false;
        };
        let listing = match formats::parse_lever(&body, &spec.base_url) {
            Ok(listing) => listing,
            Err(error) => {
                run.error("parse", format!("{url}: {error}"));
                return false;
            }
        };
        let last_page = listing.n_items < LEVER_PAGE;
        save_listing(run, &url, listing).await;
        if last_page {
            return true;
        }
    }
    run.error(
        "listing",
        format!("{}: more than {MAX_API_PAGES} pages", spec.base_url),
    );
    false
}

async fn smartrecruiters(run: &SourceRun, spec: &AtsSpec) -> bool {
    let mut details = Vec::new();
    let mut offset = 0usize;
    let mut total = None;
    for _ in 0..MAX_API_PAGES {
        let url = formats::smartrecruiters_postings_url(spec, offset, SMARTRECRUITERS_PAGE);
        let Some(body) = run.fetch_listing(&url).await else {
            return false;
        };
        let page = match formats::parse_smartrecruiters_list(&body, spec) {
            Ok(page) => page,
            Err(error) => {
                run.error("parse", format!("{url}: {error}"));
                return false;
            }
        };
        for problem in page.problems {
            run.error("parse", format!("{url}: {problem}"));
        }
        details.extend(page.items.into_iter().map(|item| item.detail_url));
        offset += page.n_items;
        total = total.or(page.total);
        if page.n_items == 0 || total.is_none_or(|total| offset >= total) {
            break;
        }
    }
    read_api_details(run, details, formats::parse_smartrecruiters_posting).await
}

async fn workday(run: &SourceRun, spec: &WorkdaySpec) -> bool {
    let list_url = formats::workday_jobs_url(spec);
    let mut details = Vec::new();
    let mut offset = 0usize;
    let mut total = None;
    for _ in 0..MAX_API_PAGES {
        let body = serde_json::json!({
            "appliedFacets": {},
            "limit": formats::WORKDAY_PAGE_SIZE,
            "offset": offset,
            "searchText": "",
        });
        let Some(text) = run.post_listing(&list_url, &body).await else {
            return false;
        };
        let page = match formats::parse_workday_list(&text, spec) {
            Ok(page) => page,
            Err(error) => {
                run.error("parse", format!("{list_url} offset {offset}: {error}"));
                return false;
            }
        };
        for problem in page.problems {
            run.error("parse", format!("{list_url} offset {offset}: {problem}"));
        }
        details.extend(
            page.items
                .into_iter()
                .map(|item| (item.detail_url, item.public_url)),
        );
        offset += page.n_items;
        total = total.or(page.total);
        if page.n_items == 0 || total.is_none_or(|total| offset >= total) {
            break;
        }
    }
    let public_urls: std::collections::HashMap<Url, Url> = details.iter().cloned().collect();
    let detail_urls = details.into_iter().map(|(detail, _)| detail).collect();
    read_api_details(run, detail_urls, |body, detail_url| {
        let public_url = public_urls.get(detail_url).unwrap_or(detail_url);
        formats::parse_workday_posting(body, public_url)
    })
    .await
}

/// Fetches each record's detail document and saves what it holds. The listing counts as
/// complete only when every detail loaded: a posting whose detail failed is unknown, not gone.
async fn read_api_details<F>(run: &SourceRun, urls: Vec<Url>, parse: F) -> bool
where
    F: Fn(&str, &Url) -> Result<vindwerk_model::PostingData, formats::FormatError>,
{
    let parse = &parse;
    let loaded: Vec<bool> = futures::stream::iter(urls)
        .map(|url| async move {
            let Some(body) = run.fetch_listing(&url).await else {
                return false;
            };
            match parse(&body, &url) {
                Ok(data) => {
                    run.save(data).await;
                    true
                }
                Err(error) => {
                    run.error("parse", format!("{url}: {error}"));
                    false
                }
            }
        })
        .buffer_unordered(run.shared.concurrency)
        .collect()
        .await;
    loaded.into_iter().all(|ok| ok)
}
