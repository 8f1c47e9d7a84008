//! Vacancy feeds: RSS 2.0 (`<rss><channel><item>`), Atom (`<feed><entry>`) and the Indeed-style
//! XML feed that Dutch job boards and ATSs export (`<source><job>`).
//!
//! An item gives a posting with what it carries; when it has only a title and a link, the
//! description stays empty and the crawl loop reads the linked page (CONTRACT.md, `feed`).

use url::Url;
use vindwerk_model::PostingData;

use super::xml::Element;
use super::{FormatError, Listing, page_url, xml};
use crate::config::FeedFormat;
use crate::extract::fields::{
    description_html, non_empty_text, parse_date, parse_employment_types, parse_salary_text,
};

/// Parses a feed of the format the source names.
pub fn parse_feed(format: FeedFormat, body: &str, base: &Url) -> Result<Listing, FormatError> {
    match format {
        FeedFormat::Rss => parse_rss(body, base),
        FeedFormat::Atom => parse_atom(body, base),
        FeedFormat::IndeedXml => parse_indeed(body, base),
    }
}

/// RSS 2.0. Besides the standard `title`, `link`, `guid`, `description`, `content:encoded`,
/// `pubDate`, it reads the job extensions some boards add as children of `<item>`:
/// `company`, `location`/`city`, `salary`, `hours`/`workHours`, `jobtype`/`employmentType`,
/// `expires`/`validThrough`.
pub fn parse_rss(body: &str, base: &Url) -> Result<Listing, FormatError> {
    let (root, note) = xml::parse(body)?;
    // RSS 2.0 puts items inside the channel, RSS 1.0 (RDF) beside it.
    let items: Vec<&Element> = if root.is("rss") {
        root.child("channel")
            .map(|channel| channel.children_named("item").collect())
            .unwrap_or_default()
    } else if root.is("RDF") {
        root.children_named("item").collect()
    } else {
        return Err(FormatError::Shape {
            expected: "an RSS feed (<rss><channel>)",
            found: format!("<{}>", root.name),
        });
    };
    let mut listing = Listing {
        problems: note.into_iter().collect(),
        ..Listing::default()
    };
    for (index, item) in items.into_iter().enumerate() {
        listing.n_items += 1;
        let place = format!("item #{}", index + 1);
        let guid = item.child_text("guid");
        let link = item
            .child_text("link")
            .or_else(|| guid.clone().filter(|g| g.starts_with("http")));
        let mut posting = match start_posting(item.child_text("title"), link, base, &place) {
            Ok(posting) => posting,
            Err(problem) => {
                listing.problems.push(problem);
                continue;
            }
        };
        posting.description = item
            .first_text(&["encoded", "description"])
            .map(|text| description_html(&text))
            .unwrap_or_default();
        posting.date_posted = item
            .first_text(&["pubDate", "date", "datePosted"])
            .and_then(|text| parse_date(&text));
        posting.reference = guid.filter(|g| !g.starts_with("http"));
        read_job_extensions(item, &mut posting);
        listing.postings.push(posting);
    }
    Ok(listing)
}

/// Atom 1.0: `entry` with `title`, `link rel="alternate"` (or no `rel`), `content`/`summary`,
/// `published`/`updated`, `id`.
pub fn parse_atom(body: &str, base: &Url) -> Result<Listing, FormatError> {
    let (root, note) = xml::parse(body)?;
    if !root.is("feed") {
        return Err(FormatError::Shape {
            expected: "an Atom feed (<feed>)",
            found: format!("<{}>", root.name),
        });
    }
    let mut listing = Listing {
        problems: note.into_iter().collect(),
        ..Listing::default()
    };
    for (index, entry) in root.children_named("entry").enumerate() {
        listing.n_items += 1;
        let place = format!("entry #{}", index + 1);
        let link = entry
            .children_named("link")
            .find(|link| link.attr("rel").is_none_or(|rel| rel == "alternate"))
            .and_then(|link| link.attr("href"))
            .map(str::to_owned);
        let mut posting = match start_posting(entry.child_text("title"), link, base, &place) {
            Ok(posting) => posting,
            Err(problem) => {
                listing.problems.push(problem);
                continue;
            }
        };
        posting.description = entry
            .first_text(&["content", "summary"])
            .map(|text| description_html(&text))
            .unwrap_or_default();
        posting.date_posted = entry
            .first_text(&["published", "updated"])
            .and_then(|text| parse_date(&text));
        posting.reference = entry.child_text("id").filter(|id| !id.starts_with("http"));
        read_job_extensions(entry, &mut posting);
        listing.postings.push(posting);
    }
    Ok(listing)
}

/// The Indeed XML feed: `<source><job>` with `title`, `url`, `company`, `city`, `state`,
/// `country`, `postalcode`, `streetaddress`, `date`, `expirationdate`, `referencenumber`,
/// `description`, `salary`, `hours`, `education`, `jobtype`, `remotetype`, `experience`,
/// `category`.
pub fn parse_indeed(body: &str, base: &Url) -> Result<Listing, FormatError> {
    let (root, note) = xml::parse(body)?;
    if !root.is("source") && root.child("job").is_none() {
        return Err(FormatError::Shape {
            expected: "an Indeed XML feed (<source><job>)",
            found: format!("<{}>", root.name),
        });
    }
    let mut listing = Listing {
        problems: note.into_iter().collect(),
        ..Listing::default()
    };
    for (index, job) in root.children_named("job").enumerate() {
        listing.n_items += 1;
        let place = format!("job #{}", index + 1);
        let mut posting =
            match start_posting(job.child_text("title"), job.child_text("url"), base, &place) {
                Ok(posting) => posting,
                Err(problem) => {
                    listing.problems.push(problem);
                    continue;
                }
            };
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
        listing.postings.push(posting);
    }
    Ok(listing)
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
