//! Workday's career-site JSON (the endpoints its own job board page calls): `POST .../jobs`
//! pages of summaries, then `GET .../job/...` per posting.

use serde_json::Value;
use url::Url;
use vindwerk_model::PostingData;

use super::feeds::is_remote;
use super::{FormatError, at, endpoint, number_at, page_url, parse_json, shape_error, text_at};
use crate::config::WorkdaySpec;
use crate::extract::fields::{
    description_html, non_empty_text, parse_date, parse_employment_types,
};

/// Workday boards answer at most this many postings per list request.
pub const WORKDAY_PAGE_SIZE: usize = 20;

/// `POST {host}/wday/cxs/{tenant}/{site}/jobs` with [`workday_jobs_body`].
pub fn workday_jobs_url(spec: &WorkdaySpec) -> Url {
    endpoint(&spec.api_base(), "jobs")
}

/// The JSON body of a list request: `{"appliedFacets":{},"limit":L,"offset":N,"searchText":""}`.
pub fn workday_jobs_body(offset: usize, limit: usize) -> String {
    serde_json::json!({
        "appliedFacets": {},
        "limit": limit,
        "offset": offset,
        "searchText": "",
    })
    .to_string()
}

/// `GET {host}/wday/cxs/{tenant}/{site}{externalPath}`.
pub fn workday_detail_url(spec: &WorkdaySpec, external_path: &str) -> Url {
    endpoint(&spec.api_base(), external_path)
}

/// The posting's public page: the board URL followed by `externalPath`.
pub fn workday_public_url(spec: &WorkdaySpec, external_path: &str) -> Url {
    endpoint(&spec.board_url, external_path)
}

/// One page of the list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkdayList {
    pub items: Vec<WorkdaySummary>,
    pub problems: Vec<String>,
    /// Items on this page, read or not.
    pub n_items: usize,
    /// `total`: the next page starts at `offset + n_items` while that is below it. Workday
    /// reports it reliably only on the first page; keep the first one.
    pub total: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WorkdaySummary {
    pub title: String,
    /// `/job/Amsterdam/Engineer_R123`.
    pub external_path: String,
    pub detail_url: Url,
    pub public_url: Url,
    /// `locationsText` ("Amsterdam" or "2 Locations").
    pub locations_text: Option<String>,
    /// `postedOn` as written ("Posted 3 Days Ago"): relative, so not a date.
    pub posted_on: Option<String>,
    /// The first `bulletFields` entry, usually the requisition id.
    pub reference: Option<String>,
}

/// Parses `{total, jobPostings: [{title, externalPath, locationsText, postedOn, bulletFields}]}`.
pub fn parse_workday_list(body: &str, spec: &WorkdaySpec) -> Result<WorkdayList, FormatError> {
    let value = parse_json(body)?;
    let Some(Value::Array(postings)) = value.get("jobPostings") else {
        return Err(shape_error(
            "a Workday jobs list ({\"jobPostings\": [...]})",
            &value,
        ));
    };
    let mut list = WorkdayList {
        n_items: postings.len(),
        total: number_at(&value, &["total"]).map(|n| n as usize),
        ..WorkdayList::default()
    };
    for (index, item) in postings.iter().enumerate() {
        let place = format!("jobPosting #{}", index + 1);
        let Some(title) = text_at(item, &["title"]).and_then(|text| non_empty_text(&text)) else {
            list.problems.push(format!("{place}: no title"));
            continue;
        };
        let Some(external_path) = text_at(item, &["externalPath"]).filter(|p| p.starts_with('/'))
        else {
            list.problems.push(format!("{place}: no externalPath"));
            continue;
        };
        let reference = match at(item, &["bulletFields"]) {
            Some(Value::Array(fields)) => fields.iter().find_map(|field| {
                field
                    .as_str()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            }),
            _ => None,
        };
        list.items.push(WorkdaySummary {
            title,
            detail_url: workday_detail_url(spec, &external_path),
            public_url: workday_public_url(spec, &external_path),
            external_path,
            locations_text: text_at(item, &["locationsText"]),
            posted_on: text_at(item, &["postedOn"]),
            reference,
        });
    }
    Ok(list)
}

/// Parses `{jobPostingInfo: {...}, hiringOrganization: {name}}`; the posting's URL is
/// `externalUrl`, else `public_url` (the summary's).
pub fn parse_workday_posting(body: &str, public_url: &Url) -> Result<PostingData, FormatError> {
    let value = parse_json(body)?;
    let Some(info) = at(&value, &["jobPostingInfo"]).filter(|info| info.is_object()) else {
        return Err(shape_error(
            "a Workday posting ({\"jobPostingInfo\": {...}})",
            &value,
        ));
    };
    let title = text_at(info, &["title"])
        .and_then(|text| non_empty_text(&text))
        .ok_or_else(|| FormatError::Shape {
            expected: "a Workday posting",
            found: "jobPostingInfo without title".to_owned(),
        })?;
    let url = text_at(info, &["externalUrl"])
        .and_then(|text| page_url(&text, public_url))
        .unwrap_or_else(|| public_url.clone());
    let mut posting = PostingData {
        url: url.into(),
        title,
        ..PostingData::default()
    };
    posting.employer =
        text_at(&value, &["hiringOrganization", "name"]).and_then(|text| non_empty_text(&text));
    posting.description = text_at(info, &["jobDescription"])
        .map(|text| description_html(&text))
        .unwrap_or_default();
    let mut locations: Vec<String> = text_at(info, &["location"]).into_iter().collect();
    if let Some(Value::Array(more)) = at(info, &["additionalLocations"]) {
        locations.extend(more.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    if !locations.is_empty() {
        posting.location.text = Some(locations.join(", "));
    }
    posting.location.country = text_at(info, &["country", "descriptor"]);
    if let Some(time_type) = text_at(info, &["timeType"]) {
        posting.employment_types = parse_employment_types(&time_type);
    }
    posting.date_posted = text_at(info, &["startDate"]).and_then(|text| parse_date(&text));
    posting.valid_through = text_at(info, &["endDate"]).and_then(|text| parse_date(&text));
    posting.reference = text_at(info, &["jobReqId"]).or_else(|| text_at(info, &["id"]));
    posting.remote = text_at(info, &["remoteType"]).is_some_and(|text| is_remote(&text));
    Ok(posting)
}
