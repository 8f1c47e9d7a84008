//! Vacancy feeds: RSS 2.0 (`<rss><channel><item>`), Atom (`<feed><entry>`) and the Indeed-style
//! XML feed that Dutch job boards and ATSs export (`<source><job>`).
//!
//! An item gives a posting with what it carries; when it has only a title and a link, the
//! description stays empty and the crawl loop reads the linked page (CONTRACT.md, `feed`).

use std::io::BufRead;

use url::Url;
use vindwerk_model::PostingData;

use super::xml::Element;
use super::{FormatError, Listing, page_url, xml};
use crate::config::FeedFormat;
use crate::extract::fields::{
    description_html, non_empty_text, parse_date, parse_employment_types, parse_salary_text,
};

/// Parses a whole feed of the format the source names. The crawl reads feeds with
/// [`read_feed`] instead, one item at a time; this collects the same items into a [`Listing`]
/// (a cut-off body is a problem of the listing, as with the other formats).
pub fn parse_feed(format: FeedFormat, body: &str, base: &Url) -> Result<Listing, FormatError> {
    let mut items = read_feed(format, body, base)?;
    let mut listing = Listing::default();
    for item in items.by_ref() {
        match item {
            Ok(posting) => listing.postings.push(posting),
            Err(problem) => listing.problems.push(problem),
        }
    }
    listing.n_items = items.n_items();
    match items.finish() {
        Ok(()) => {}
        Err(FeedEnd::CutOff(note)) => listing.problems.push(note),
        Err(FeedEnd::Unreadable(error)) => return Err(error),
    }
    Ok(listing)
}

/// RSS 2.0. Besides the standard `title`, `link`, `guid`, `description`, `content:encoded`,
/// `pubDate`, it reads the job extensions some boards add as children of `<item>`:
/// `company`, `location`/`city`, `salary`, `hours`/`workHours`, `jobtype`/`employmentType`,
/// `expires`/`validThrough`.
pub fn parse_rss(body: &str, base: &Url) -> Result<Listing, FormatError> {
    parse_feed(FeedFormat::Rss, body, base)
}

/// Atom 1.0: `entry` with `title`, `link rel="alternate"` (or no `rel`), `content`/`summary`,
/// `published`/`updated`, `id`.
pub fn parse_atom(body: &str, base: &Url) -> Result<Listing, FormatError> {
    parse_feed(FeedFormat::Atom, body, base)
}

/// The Indeed XML feed: `<source><job>` with `title`, `url`, `company`, `city`, `state`,
/// `country`, `postalcode`, `streetaddress`, `date`, `expirationdate`, `referencenumber`,
/// `description`, `salary`, `hours`, `education`, `jobtype`, `remotetype`, `experience`,
/// `category`.
pub fn parse_indeed(body: &str, base: &Url) -> Result<Listing, FormatError> {
    parse_feed(FeedFormat::IndeedXml, body, base)
}

/// Opens a feed to be read item by item: a board's feed of thousands of postings is never
/// held as a tree or as a list, only the item being read is. A body that is not a feed of
/// that format at all is an error here; an unreadable item is a problem in its place.
pub fn read_feed<'a>(
    format: FeedFormat,
    body: &'a str,
    base: &Url,
) -> Result<FeedItems<&'a [u8]>, FormatError> {
    feed_items(format, xml::open(body)?, base)
}

/// Like [`read_feed`], for a feed read as it arrives (UTF-8, without a byte-order mark; see
/// [`crate::charset::Utf8Reader`]): an item of more than `max_item_bytes` makes the rest of
/// the feed unreadable.
pub fn read_feed_from<R: BufRead>(
    format: FeedFormat,
    input: R,
    base: &Url,
    max_item_bytes: usize,
) -> Result<FeedItems<R>, FormatError> {
    let mut items = feed_items(format, xml::open_reader(input)?, base)?;
    items.items = items.items.with_item_limit(max_item_bytes);
    Ok(items)
}

fn feed_items<R: BufRead>(
    format: FeedFormat,
    document: xml::Document<R>,
    base: &Url,
) -> Result<FeedItems<R>, FormatError> {
    let root = document.root();
    let path: &'static [&'static str] = match format {
        FeedFormat::Rss if root.is("rss") => &["channel", "item"],
        // RSS 1.0 (RDF) puts the items beside the channel.
        FeedFormat::Rss if root.is("RDF") => &["item"],
        FeedFormat::Rss => return Err(shape("an RSS feed (<rss><channel>)", root)),
        FeedFormat::Atom if root.is("feed") => &["entry"],
        FeedFormat::Atom => return Err(shape("an Atom feed (<feed>)", root)),
        // Some exports name their root otherwise; any root that holds `<job>`s will do.
        FeedFormat::IndeedXml => &["job"],
    };
    let strict_root = format != FeedFormat::IndeedXml || root.is("source");
    let root_name = root.name.clone();
    Ok(FeedItems {
        items: document.items(path),
        format,
        base: base.clone(),
        n_items: 0,
        root_name: (!strict_root).then_some(root_name),
        end: None,
    })
}

/// The items of a feed, each a posting or the problem (naming the item) that kept it out.
pub struct FeedItems<R> {
    items: xml::Items<R>,
    format: FeedFormat,
    base: Url,
    n_items: usize,
    /// The root's name when it is not the format's own: the feed counts only if items follow.
    root_name: Option<String>,
    end: Option<FormatError>,
}

/// Why a feed's items stopped before the end of a well-formed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedEnd {
    /// The body ended or broke off mid-way: the items before were read, what came after is
    /// unknown.
    CutOff(String),
    /// The document cannot be read on (nesting too deep, broken after its root), or turned
    /// out not to be a feed.
    Unreadable(FormatError),
}

impl<R: BufRead> FeedItems<R> {
    /// How many items were read so far, good or not.
    pub fn n_items(&self) -> usize {
        self.n_items
    }

    /// After the last item: whether the feed was read to its proper end. Only then is the
    /// feed the complete listing of its source.
    pub fn finish(mut self) -> Result<(), FeedEnd> {
        if let Some(error) = self.end.take() {
            return Err(FeedEnd::Unreadable(error));
        }
        if let Some(root) = self.root_name.as_deref()
            && self.n_items == 0
        {
            return Err(FeedEnd::Unreadable(FormatError::Shape {
                expected: "an Indeed XML feed (<source><job>)",
                found: format!("<{root}>"),
            }));
        }
        match self.items.take_note() {
            Some(note) => Err(FeedEnd::CutOff(note)),
            None => Ok(()),
        }
    }
}

impl<R: BufRead> Iterator for FeedItems<R> {
    type Item = Result<PostingData, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.end.is_some() {
            return None;
        }
        let item = match self.items.next()? {
            Ok(item) => item,
            Err(error) => {
                self.end = Some(error);
                return None;
            }
        };
        self.n_items += 1;
        let index = self.n_items;
        Some(match self.format {
            FeedFormat::Rss => rss_item(&item, &self.base, &format!("item #{index}")),
            FeedFormat::Atom => atom_entry(&item, &self.base, &format!("entry #{index}")),
            FeedFormat::IndeedXml => indeed_job(&item, &self.base, &format!("job #{index}")),
        })
    }
}

fn shape(expected: &'static str, root: &Element) -> FormatError {
    FormatError::Shape {
        expected,
        found: format!("<{}>", root.name),
    }
}

fn rss_item(item: &Element, base: &Url, place: &str) -> Result<PostingData, String> {
    let guid = item.child_text("guid");
    let link = item
        .child_text("link")
        .or_else(|| guid.clone().filter(|g| g.starts_with("http")));
    let mut posting = start_posting(item.child_text("title"), link, base, place)?;
    posting.description = item
        .first_text(&["encoded", "description"])
        .map(|text| description_html(&text))
        .unwrap_or_default();
    posting.date_posted = item
        .first_text(&["pubDate", "date", "datePosted"])
        .and_then(|text| parse_date(&text));
    posting.reference = guid.filter(|g| !g.starts_with("http"));
    read_job_extensions(item, &mut posting);
    Ok(posting)
}

fn atom_entry(entry: &Element, base: &Url, place: &str) -> Result<PostingData, String> {
    let link = entry
        .children_named("link")
        .find(|link| link.attr("rel").is_none_or(|rel| rel == "alternate"))
        .and_then(|link| link.attr("href"))
        .map(str::to_owned);
    let mut posting = start_posting(entry.child_text("title"), link, base, place)?;
    posting.description = entry
        .first_text(&["content", "summary"])
        .map(|text| description_html(&text))
        .unwrap_or_default();
    posting.date_posted = entry
        .first_text(&["published", "updated"])
        .and_then(|text| parse_date(&text));
    posting.reference = entry.child_text("id").filter(|id| !id.starts_with("http"));
    read_job_extensions(entry, &mut posting);
    Ok(posting)
}

fn indeed_job(job: &Element, base: &Url, place: &str) -> Result<PostingData, String> {
    let mut posting = start_posting(job.child_text("title"), job.child_text("url"), base, place)?;
    posting.employer = job
        .child_text("company")
        .and_then(|text| non_empty_text(&text));
    posting.description = job
        .child_text("description")
        .map(|text| description_html(&text))
        .unwrap_or_default();
    posting.date_posted = job.child_text("date").and_then(|text| parse_date(&text));
    posting.valid_through = job
        .child_text("expirationdate")
        .and_then(|text| parse_date(&text));
    posting.reference = job.child_text("referencenumber");
    posting.location.locality = job.child_text("city");
    posting.location.region = job.child_text("state");
    posting.location.country = job.child_text("country");
    posting.location.postal_code = job.child_text("postalcode");
    posting.location.street = job.child_text("streetaddress");
    if let Some(salary) = job.child_text("salary") {
        posting.salary = parse_salary_text(&salary);
        posting.salary_text = Some(salary);
    }
    posting.education_text = job.child_text("education");
    posting.hours_text = job
        .child_text("hours")
        .and_then(|text| non_empty_text(&text));
    if let Some(types) = job.child_text("jobtype") {
        posting.employment_types = parse_employment_types(&types);
    }
    posting.remote = job
        .child_text("remotetype")
        .is_some_and(|text| is_remote(&text));
    Ok(posting)
}

/// A posting with its title and public URL, or the problem naming what is missing.
fn start_posting(
    title: Option<String>,
    link: Option<String>,
    base: &Url,
    place: &str,
) -> Result<PostingData, String> {
    let title = title
        .and_then(|text| non_empty_text(&text))
        .ok_or_else(|| format!("{place}: no title"))?;
    let link = link.ok_or_else(|| format!("{place}: no link"))?;
    let url = page_url(&link, base).ok_or_else(|| {
        format!(
            "{place}: invalid link {:?}",
            link.chars().take(100).collect::<String>()
        )
    })?;
    Ok(PostingData {
        url: url.into(),
        title,
        ..PostingData::default()
    })
}

/// Job fields some RSS and Atom feeds add to their items.
fn read_job_extensions(item: &Element, posting: &mut PostingData) {
    posting.employer = item
        .first_text(&["company", "employer", "hiringOrganization"])
        .and_then(|text| non_empty_text(&text));
    posting.location.text = item
        .first_text(&["location", "city", "jobLocation"])
        .and_then(|text| non_empty_text(&text));
    if let Some(salary) = item.first_text(&["salary", "baseSalary"]) {
        posting.salary = parse_salary_text(&salary);
        posting.salary_text = Some(salary);
    }
    posting.hours_text = item
        .first_text(&["hours", "workHours"])
        .and_then(|text| non_empty_text(&text));
    if let Some(types) = item.first_text(&["jobtype", "employmentType"]) {
        posting.employment_types = parse_employment_types(&types);
    }
    posting.valid_through = item
        .first_text(&["validThrough", "expires", "expirationdate"])
        .and_then(|text| parse_date(&text));
}

pub(super) fn is_remote(text: &str) -> bool {
    let text = text.to_lowercase();
    ["remote", "hybrid", "thuis", "telecommute"]
        .iter()
        .any(|word| text.contains(word))
}
