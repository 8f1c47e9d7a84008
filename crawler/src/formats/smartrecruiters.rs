//! SmartRecruiters' Posting API: a paged list of summaries, then each posting's detail with
//! its job ad.

use serde_json::Value;
use url::Url;
use vindwerk_model::PostingData;

use super::ats::read_custom_field;
use super::feeds::is_remote;
use super::{
    FormatError, at, coordinate_at, endpoint, join_sections, number_at, page_url, parse_json,
    shape_error, text_at,
};
use crate::config::AtsSpec;
use crate::extract::fields::{non_empty_text, parse_date, parse_employment_types};

/// `GET {base}/v1/companies/{company}/postings?offset={offset}&limit={limit}` (limit at most
/// 100).
pub fn smartrecruiters_postings_url(spec: &AtsSpec, offset: usize, limit: usize) -> Url {
    let mut url = endpoint(
        &spec.base_url,
        &format!("v1/companies/{}/postings", spec.company),
    );
    url.query_pairs_mut()
        .append_pair("offset", &offset.to_string())
        .append_pair("limit", &limit.to_string());
    url
}

/// `GET {base}/v1/companies/{company}/postings/{id}`.
pub fn smartrecruiters_posting_url(spec: &AtsSpec, id: &str) -> Url {
    let mut url = endpoint(
        &spec.base_url,
        &format!("v1/companies/{}/postings/", spec.company),
    );
    // Pushed as a path segment so that an odd id cannot climb out of the path.
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty().push(id);
    }
    url
}

/// One page of the list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SmartRecruitersList {
    pub items: Vec<SmartRecruitersSummary>,
    pub problems: Vec<String>,
    /// Items on this page, read or not.
    pub n_items: usize,
    /// `totalFound`: the next page starts at `offset + n_items` while that is below it.
    pub total: Option<usize>,
}

/// A posting as the list shows it: enough to know it exists and where its detail is.
#[derive(Debug, Clone, PartialEq)]
pub struct SmartRecruitersSummary {
    pub id: String,
    /// The posting's detail in the API (`ref`, else built from the id).
    pub detail_url: Url,
    /// What the list says; its `url` is `detail_url` (CONTRACT.md: `postingUrl` or `ref`)
    /// until the detail names the public page.
    pub posting: PostingData,
}

/// Parses `{offset, limit, totalFound, content: [...]}`.
pub fn parse_smartrecruiters_list(
    body: &str,
    spec: &AtsSpec,
) -> Result<SmartRecruitersList, FormatError> {
    let value = parse_json(body)?;
    let Some(Value::Array(content)) = value.get("content") else {
        return Err(shape_error(
            "a SmartRecruiters postings list ({\"content\": [...]})",
            &value,
        ));
    };
    let mut list = SmartRecruitersList {
        n_items: content.len(),
        total: number_at(&value, &["totalFound"]).map(|n| n as usize),
        ..SmartRecruitersList::default()
    };
    for (index, item) in content.iter().enumerate() {
        let place = format!("posting #{}", index + 1);
        let Some(id) = text_at(item, &["id"]) else {
            list.problems.push(format!("{place}: no id"));
            continue;
        };
        let detail_url = text_at(item, &["ref"])
            .and_then(|text| page_url(&text, &spec.base_url))
            .unwrap_or_else(|| smartrecruiters_posting_url(spec, &id));
        match posting_fields(item, detail_url.clone()) {
            Ok(posting) => list.items.push(SmartRecruitersSummary {
                id,
                detail_url,
                posting,
            }),
            Err(problem) => list.problems.push(format!("{place}: {problem}")),
        }
    }
    Ok(list)
}

/// Parses a posting's detail fetched from `detail_url`; the posting's URL is its
/// `postingUrl`, else `detail_url`.
pub fn parse_smartrecruiters_posting(
    body: &str,
    detail_url: &Url,
) -> Result<PostingData, FormatError> {
    let value = parse_json(body)?;
    if !value.is_object() || at(&value, &["name"]).is_none() {
        return Err(shape_error("a SmartRecruiters posting", &value));
    }
    let url = text_at(&value, &["postingUrl"])
        .and_then(|text| page_url(&text, detail_url))
        .unwrap_or_else(|| detail_url.clone());
    let mut posting = posting_fields(&value, url).map_err(|problem| FormatError::Shape {
        expected: "a SmartRecruiters posting",
        found: problem,
    })?;
    let sections: Vec<(Option<String>, String)> = [
        "companyDescription",
        "jobDescription",
        "qualifications",
        "additionalInformation",
    ]
    .iter()
    .map(|section| {
        (
            text_at(&value, &["jobAd", "sections", section, "title"]),
            text_at(&value, &["jobAd", "sections", section, "text"]).unwrap_or_default(),
        )
    })
    .collect();
    posting.description = join_sections(&sections);
    Ok(posting)
}

/// The fields list and detail share.
fn posting_fields(item: &Value, url: Url) -> Result<PostingData, String> {
    let title = text_at(item, &["name"])
        .and_then(|text| non_empty_text(&text))
        .ok_or("no name")?;
    let mut posting = PostingData {
        url: url.into(),
        title,
        ..PostingData::default()
    };
    posting.employer = text_at(item, &["company", "name"]).and_then(|t| non_empty_text(&t));
    posting.location.locality = text_at(item, &["location", "city"]);
    posting.location.region = text_at(item, &["location", "region"]);
    posting.location.country = text_at(item, &["location", "country"]).map(|c| c.to_uppercase());
    posting.location.postal_code = text_at(item, &["location", "postalCode"]);
    posting.location.street = text_at(item, &["location", "address"]);
    posting.remote = matches!(at(item, &["location", "remote"]), Some(Value::Bool(true)))
        || matches!(at(item, &["location", "hybrid"]), Some(Value::Bool(true)))
        || text_at(item, &["location", "fullLocation"]).is_some_and(|text| is_remote(&text));
    posting.date_posted = text_at(item, &["releasedDate"]).and_then(|text| parse_date(&text));
    if let Some(label) = text_at(item, &["typeOfEmployment", "label"])
        .or_else(|| text_at(item, &["typeOfEmployment", "id"]))
    {
        posting.employment_types = parse_employment_types(&label);
    }
    posting.location.lat = coordinate_at(item, &["location", "latitude"]);
    posting.location.lon = coordinate_at(item, &["location", "longitude"]);
    posting.reference = text_at(item, &["refNumber"]).or_else(|| text_at(item, &["id"]));
    if let Some(Value::Array(fields)) = at(item, &["customField"]) {
        for field in fields {
            let label = text_at(field, &["fieldLabel"]).unwrap_or_default();
            let value = text_at(field, &["valueLabel"]).unwrap_or_default();
            read_custom_field(&label, &value, &mut posting);
        }
    }
    Ok(posting)
}
