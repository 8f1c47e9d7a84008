//! Personio's public XML feed (`GET {base}/xml`): `<workzag-jobs><position>...`.

use url::Url;
use vindwerk_model::PostingData;

use super::{FormatError, Listing, endpoint, join_sections, xml};
use crate::config::AtsSpec;
use crate::extract::fields::{non_empty_text, parse_date, parse_employment_types};

/// `GET {base}/xml`.
pub fn personio_xml_url(spec: &AtsSpec) -> Url {
    endpoint(&spec.base_url, "xml")
}

/// Parses the feed fetched from `base` (the `.../xml` URL, or the board's base URL); a
/// position's public page is `job/{id}` beside the feed: `{board}/job/{id}`.
pub fn parse_personio(body: &str, base: &Url) -> Result<Listing, FormatError> {
    let board = board_of(base);
    let (root, note) = xml::parse(body)?;
    if !root.is("workzag-jobs") {
        return Err(FormatError::Shape {
            expected: "a Personio feed (<workzag-jobs>)",
            found: format!("<{}>", root.name),
        });
    }
    let mut listing = Listing {
        problems: note.into_iter().collect(),
        ..Listing::default()
    };
    for (index, position) in root.children_named("position").enumerate() {
        listing.n_items += 1;
        let place = format!("position #{}", index + 1);
        let Some(title) = position
            .child_text("name")
            .and_then(|text| non_empty_text(&text))
        else {
            listing.problems.push(format!("{place}: no name"));
            continue;
        };
        let Some(id) = position.child_text("id") else {
            listing.problems.push(format!("{place}: no id"));
            continue;
        };
        let url = endpoint(&board, &format!("job/{id}"));
        let mut posting = PostingData {
            url: url.into(),
            title,
            reference: Some(id),
            ..PostingData::default()
        };
        posting.employer = position
            .child_text("subcompany")
            .and_then(|text| non_empty_text(&text));
        let mut offices: Vec<String> = position.child_text("office").into_iter().collect();
        if let Some(additional) = position.child("additionalOffices") {
            offices.extend(
                additional
                    .children_named("office")
                    .map(|office| office.text())
                    .filter(|text| !text.is_empty()),
            );
        }
        if !offices.is_empty() {
            posting.location.text = Some(offices.join(", "));
        }
        let mut sections = Vec::new();
        if let Some(descriptions) = position.child("jobDescriptions") {
            for description in descriptions.children_named("jobDescription") {
                sections.push((
                    description.child_text("name"),
                    description.child_text("value").unwrap_or_default(),
                ));
            }
        }
        posting.description = join_sections(&sections);
        // `schedule` says full- or part-time; `employmentType` says permanent, intern,
        // trainee, freelance, temporary or working_student.
        for field in ["schedule", "employmentType"] {
            if let Some(text) = position.child_text(field) {
                for kind in parse_employment_types(&text) {
                    if !posting.employment_types.contains(&kind) {
                        posting.employment_types.push(kind);
                    }
                }
            }
        }
        posting.date_posted = position
            .child_text("createdAt")
            .and_then(|text| parse_date(&text));
        listing.postings.push(posting);
    }
    Ok(listing)
}

/// The board's base URL from the feed's URL: `https://acme.jobs.personio.de/xml?language=nl`
/// is `https://acme.jobs.personio.de`.
fn board_of(feed_url: &Url) -> Url {
    let mut board = feed_url.clone();
    board.set_query(None);
    board.set_fragment(None);
    let path = board.path().trim_end_matches('/');
    if let Some(parent) = path.strip_suffix("/xml") {
        let parent = parent.to_owned();
        board.set_path(&parent);
    }
    board
}
