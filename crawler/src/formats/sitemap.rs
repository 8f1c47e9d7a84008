//! Sitemaps (sitemaps.org): a `<urlset>` of pages, a `<sitemapindex>` of further sitemaps, or
//! the plain-text form with one URL per line.

use chrono::NaiveDate;
use url::Url;

use super::{FormatError, xml};
use crate::extract::fields::parse_date;

/// The protocol's limit per sitemap file; more is ignored with a problem.
const MAX_ENTRIES: usize = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SitemapKind {
    /// `<urlset>` or plain text: its entries are pages.
    Urlset,
    /// `<sitemapindex>`: its entries are sitemaps.
    Index,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapEntry {
    pub url: Url,
    pub lastmod: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sitemap {
    pub kind: SitemapKind,
    pub entries: Vec<SitemapEntry>,
    /// Entries that could not be read, a cut-off body, entries over the limit.
    pub problems: Vec<String>,
}

/// Parses a sitemap fetched from `base` (relative `<loc>`s, though not allowed, are resolved
/// against it; only http(s) URLs are kept).
pub fn parse_sitemap(body: &str, base: &Url) -> Result<Sitemap, FormatError> {
    let trimmed = body.trim_start_matches('\u{feff}').trim_start();
    if !trimmed.starts_with('<') {
        return plain_text(trimmed, base);
    }
    // Read entry by entry: a urlset of 50,000 URLs is never held as a tree.
    let document = xml::open(trimmed)?;
    let root = document.root();
    let (kind, item_name): (SitemapKind, &'static str) = if root.is("urlset") {
        (SitemapKind::Urlset, "url")
    } else if root.is("sitemapindex") {
        (SitemapKind::Index, "sitemap")
    } else {
        return Err(FormatError::Shape {
            expected: "a sitemap (<urlset> or <sitemapindex>)",
            found: format!("<{}>", root.name),
        });
    };
    let path: &'static [&'static str] = match kind {
        SitemapKind::Urlset => &["url"],
        SitemapKind::Index => &["sitemap"],
    };
    let mut items = document.items(path);
    let mut sitemap = Sitemap {
        kind,
        entries: Vec::new(),
        problems: Vec::new(),
    };
    let mut index = 0;
    for item in items.by_ref() {
        let item = item?;
        index += 1;
        if sitemap.entries.len() >= MAX_ENTRIES {
            sitemap.problems.push(format!(
                "more than {MAX_ENTRIES} entries: the rest is ignored"
            ));
            break;
        }
        let place = format!("{item_name} #{index}");
        let Some(loc) = item.child_text("loc") else {
            sitemap.problems.push(format!("{place}: no <loc>"));
            continue;
        };
        match http_url(&loc, base) {
            Some(url) => sitemap.entries.push(SitemapEntry {
                url,
                lastmod: item
                    .child_text("lastmod")
                    .and_then(|text| parse_date(&text)),
            }),
            None => sitemap
                .problems
                .push(format!("{place}: invalid URL {:?}", truncate(&loc))),
        }
    }
    sitemap.problems.extend(items.take_note());
    Ok(sitemap)
}

fn plain_text(body: &str, base: &Url) -> Result<Sitemap, FormatError> {
    let mut sitemap = Sitemap {
        kind: SitemapKind::Urlset,
        entries: Vec::new(),
        problems: Vec::new(),
    };
    for (index, line) in body.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if sitemap.entries.len() >= MAX_ENTRIES {
            sitemap.problems.push(format!(
                "more than {MAX_ENTRIES} entries: the rest is ignored"
            ));
            break;
        }
        match http_url(line, base) {
            Some(url) => sitemap.entries.push(SitemapEntry { url, lastmod: None }),
            None => sitemap.problems.push(format!(
                "line {}: invalid URL {:?}",
                index + 1,
                truncate(line)
            )),
        }
    }
    if sitemap.entries.is_empty() {
        return Err(FormatError::Shape {
            expected: "a sitemap",
            found: "text without URLs".to_owned(),
        });
    }
    Ok(sitemap)
}

fn http_url(text: &str, base: &Url) -> Option<Url> {
    let url = base.join(text.trim()).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host_str().is_some()).then_some(url)
}

fn truncate(text: &str) -> String {
    text.chars().take(100).collect()
}
