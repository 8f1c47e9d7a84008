//! The one-request JSON APIs: Recruitee's careers-site offers, Greenhouse's job board and
//! Lever's postings (paged with `skip`/`limit`). Each item is read on its own, so one odd item
//! costs only itself.

use serde_json::Value;
use url::Url;
use vindwerk_model::{PostingData, Salary};

use super::feeds::is_remote;
use super::{
    FormatError, Listing, at, endpoint, join_sections, number_at, page_url, parse_json,
    shape_error, text_at,
};
use crate::config::AtsSpec;
use crate::extract::fields::{
    date_from_millis, description_html, non_empty_text, parse_date, parse_employment_types,
    parse_period, parse_salary_text,
};

/// `GET {base}/api/offers/`.
pub fn recruitee_offers_url(spec: &AtsSpec) -> Url {
    endpoint(&spec.base_url, "api/offers/")
}

/// `GET {base}/v1/boards/{company}/jobs?content=true`.
pub fn greenhouse_jobs_url(spec: &AtsSpec) -> Url {
    let mut url = endpoint(&spec.base_url, &format!("v1/boards/{}/jobs", spec.company));
    url.query_pairs_mut().append_pair("content", "true");
    url
}

/// `GET {base}/v0/postings/{company}?mode=json&skip={skip}&limit={limit}`. A page with fewer
/// than `limit` items is the last.
pub fn lever_postings_url(spec: &AtsSpec, skip: usize, limit: usize) -> Url {
    let mut url = endpoint(&spec.base_url, &format!("v0/postings/{}", spec.company));
    url.query_pairs_mut()
        .append_pair("mode", "json")
        .append_pair("skip", &skip.to_string())
        .append_pair("limit", &limit.to_string());
    url
}

/// Recruitee `{"offers": [...]}`; see README.md for the fields read.
pub fn parse_recruitee(body: &str, base: &Url) -> Result<Listing, FormatError> {
    let value = parse_json(body)?;
    let Some(Value::Array(offers)) = value.get("offers") else {
        return Err(shape_error(
            "a Recruitee offers list ({\"offers\": [...]})",
            &value,
        ));
    };
    let mut listing = Listing {
        n_items: offers.len(),
        total: Some(offers.len()),
        ..Listing::default()
    };
    for (index, offer) in offers.iter().enumerate() {
        match recruitee_offer(offer, base) {
            Ok(posting) => listing.postings.push(posting),
            Err(problem) => listing
                .problems
                .push(format!("offer #{}: {problem}", index + 1)),
        }
    }
    Ok(listing)
}

fn recruitee_offer(offer: &Value, base: &Url) -> Result<PostingData, String> {
    let title = title_at(offer, &["title"])?;
    let url = text_at(offer, &["careers_url"])
        .or_else(|| text_at(offer, &["slug"]).map(|slug| format!("/o/{slug}")))
        .and_then(|text| page_url(&text, base))
        .ok_or("no careers_url")?;
    let mut posting = PostingData {
        url: url.into(),
        title,
        ..PostingData::default()
    };
    posting.employer = text_at(offer, &["company_name"]).and_then(|t| non_empty_text(&t));
    posting.description = join_sections(&[
        (None, text_at(offer, &["description"]).unwrap_or_default()),
        (None, text_at(offer, &["requirements"]).unwrap_or_default()),
    ]);
    posting.location.text = text_at(offer, &["location"]);
    posting.location.locality = text_at(offer, &["city"]);
    posting.location.region = text_at(offer, &["state_name"]);
    posting.location.postal_code = text_at(offer, &["postal_code"]);
    posting.location.country =
        text_at(offer, &["country_code"]).or_else(|| text_at(offer, &["country"]));
    posting.remote = matches!(at(offer, &["remote"]), Some(Value::Bool(true)))
        || matches!(at(offer, &["hybrid"]), Some(Value::Bool(true)));
    if let Some(code) = text_at(offer, &["employment_type_code"]) {
        posting.employment_types = parse_employment_types(&code);
    }
    posting.hours_text = hours_text(
        number_at(offer, &["min_hours"]),
        number_at(offer, &["max_hours"]),
    );
    posting.salary = salary_at(offer, &["salary"], "min", "max", "period");
    posting.education_text = text_at(offer, &["education_code"]);
    posting.date_posted = text_at(offer, &["published_at"])
        .or_else(|| text_at(offer, &["created_at"]))
        .and_then(|text| parse_date(&text));
    posting.valid_through = text_at(offer, &["close_at"]).and_then(|text| parse_date(&text));
    posting.reference = text_at(offer, &["id"]);
    Ok(posting)
}

/// Greenhouse `{"jobs": [...], "meta": {"total": N}}`; `content` is entity-escaped HTML.
pub fn parse_greenhouse(body: &str, base: &Url) -> Result<Listing, FormatError> {
    let value = parse_json(body)?;
    let Some(Value::Array(jobs)) = value.get("jobs") else {
        return Err(shape_error(
            "a Greenhouse job board ({\"jobs\": [...]})",
            &value,
        ));
    };
    let mut listing = Listing {
        n_items: jobs.len(),
        total: number_at(&value, &["meta", "total"]).map(|n| n as usize),
        ..Listing::default()
    };
    for (index, job) in jobs.iter().enumerate() {
        match greenhouse_job(job, base) {
            Ok(posting) => listing.postings.push(posting),
            Err(problem) => listing
                .problems
                .push(format!("job #{}: {problem}", index + 1)),
        }
    }
    Ok(listing)
}

fn greenhouse_job(job: &Value, base: &Url) -> Result<PostingData, String> {
    let title = title_at(job, &["title"])?;
    let url = text_at(job, &["absolute_url"])
        .and_then(|text| page_url(&text, base))
        .ok_or("no absolute_url")?;
    let mut posting = PostingData {
        url: url.into(),
        title,
        ..PostingData::default()
    };
    posting.employer = text_at(job, &["company_name"]).and_then(|t| non_empty_text(&t));
    posting.description = text_at(job, &["content"])
        .map(|text| description_html(&text))
        .unwrap_or_default();
    posting.location.text = text_at(job, &["location", "name"]);
    posting.date_posted = text_at(job, &["first_published"])
        .or_else(|| text_at(job, &["updated_at"]))
        .and_then(|text| parse_date(&text));
    posting.reference = text_at(job, &["requisition_id"]).or_else(|| text_at(job, &["id"]));
    // Boards put employment type, hours, salary and closing date in custom metadata, named
    // as they like.
    if let Some(Value::Array(metadata)) = at(job, &["metadata"]) {
        for field in metadata {
            let name = text_at(field, &["name"]).unwrap_or_default();
            let value = match at(field, &["value"]) {
                Some(Value::Array(values)) => values
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => text_at(field, &["value"]).unwrap_or_default(),
            };
            read_custom_field(&name, &value, &mut posting);
        }
    }
    posting.remote = posting.location.text.as_deref().is_some_and(is_remote);
    Ok(posting)
}

/// Lever: a JSON array of postings (one page of `skip`/`limit`).
pub fn parse_lever(body: &str, base: &Url) -> Result<Listing, FormatError> {
    let value = parse_json(body)?;
    let Value::Array(postings) = &value else {
        return Err(shape_error("a Lever postings array", &value));
    };
    let mut listing = Listing {
        n_items: postings.len(),
        ..Listing::default()
    };
    for (index, item) in postings.iter().enumerate() {
        match lever_posting(item, base) {
            Ok(posting) => listing.postings.push(posting),
            Err(problem) => listing
                .problems
                .push(format!("posting #{}: {problem}", index + 1)),
        }
    }
    Ok(listing)
}

fn lever_posting(item: &Value, base: &Url) -> Result<PostingData, String> {
    let title = title_at(item, &["text"])?;
    let url = text_at(item, &["hostedUrl"])
        .and_then(|text| page_url(&text, base))
        .ok_or("no hostedUrl")?;
    let mut posting = PostingData {
        url: url.into(),
        title,
        ..PostingData::default()
    };
    let mut sections = vec![(None, text_at(item, &["description"]).unwrap_or_default())];
    if let Some(Value::Array(lists)) = at(item, &["lists"]) {
        for list in lists {
            let content = text_at(list, &["content"]).unwrap_or_default();
            sections.push((text_at(list, &["text"]), format!("<ul>{content}</ul>")));
        }
    }
    sections.push((None, text_at(item, &["additional"]).unwrap_or_default()));
    posting.description = join_sections(&sections);
    if posting.description.is_empty() {
        posting.description = text_at(item, &["descriptionPlain"]).unwrap_or_default();
    }
    posting.location.text = text_at(item, &["categories", "location"]);
    posting.location.country = text_at(item, &["country"]);
    if let Some(commitment) = text_at(item, &["categories", "commitment"]) {
        posting.employment_types = parse_employment_types(&commitment);
    }
    posting.date_posted = match at(item, &["createdAt"]) {
        Some(Value::Number(millis)) => millis.as_i64().and_then(date_from_millis),
        Some(Value::String(text)) => parse_date(text),
        _ => None,
    };
    posting.remote = text_at(item, &["workplaceType"]).is_some_and(|text| is_remote(&text));
    posting.salary = salary_at(item, &["salaryRange"], "min", "max", "interval");
    posting.salary_text = text_at(item, &["salaryDescriptionPlain"]);
    if posting.salary.is_none() {
        posting.salary = posting.salary_text.as_deref().and_then(parse_salary_text);
    }
    posting.reference = text_at(item, &["id"]);
    Ok(posting)
}

/// A custom field (Greenhouse `metadata`, SmartRecruiters `customField`) read by its label:
/// employment type, hours, salary or closing date, in Dutch or English. Others are ignored.
pub(super) fn read_custom_field(label: &str, value: &str, posting: &mut PostingData) {
    let label = label.to_lowercase();
    let value = value.trim();
    if value.is_empty() {
        return;
    }
    let has = |words: &[&str]| words.iter().any(|word| label.contains(word));
    if has(&[
        "employment",
        "dienstverband",
        "contract",
        "job type",
        "soort",
    ]) {
        for kind in parse_employment_types(value) {
            if !posting.employment_types.contains(&kind) {
                posting.employment_types.push(kind);
            }
        }
    } else if has(&["uren", "hours", "werkweek"]) {
        posting.hours_text.get_or_insert_with(|| value.to_owned());
    } else if has(&["salar", "loon", "compensation", "pay"]) {
        if posting.salary.is_none() {
            posting.salary = parse_salary_text(value);
        }
        posting.salary_text.get_or_insert_with(|| value.to_owned());
    } else if has(&[
        "sluitingsdatum",
        "closing",
        "deadline",
        "reageren tot",
        "apply by",
    ]) {
        posting.valid_through = posting.valid_through.or_else(|| parse_date(value));
    }
}

fn title_at(item: &Value, path: &[&str]) -> Result<String, String> {
    text_at(item, path)
        .and_then(|text| non_empty_text(&text))
        .ok_or_else(|| format!("no {}", path.join(".")))
}

/// A salary object `{min, max, currency, period}` at `path`, with the period key named.
pub(super) fn salary_at(
    item: &Value,
    path: &[&str],
    min_key: &str,
    max_key: &str,
    period_key: &str,
) -> Option<Salary> {
    let salary = at(item, path)?;
    let min = number_at(salary, &[min_key]);
    let max = number_at(salary, &[max_key]);
    if min.is_none() && max.is_none() {
        return None;
    }
    Some(Salary {
        min,
        max,
        currency: text_at(salary, &["currency"]).map(|c| c.to_uppercase()),
        period: text_at(salary, &[period_key]).and_then(|text| parse_period(&text)),
    })
}

/// Published hours as text ("32-40 uur per week"); the indexer reads it like any page's.
pub(super) fn hours_text(min: Option<f64>, max: Option<f64>) -> Option<String> {
    // Recruitee sends 0 for hours it was not told.
    let min = min.filter(|hours| *hours > 0.0);
    let max = max.filter(|hours| *hours > 0.0);
    match (min, max) {
        (Some(min), Some(max)) if min != max => Some(format!("{min}-{max} uur per week")),
        (Some(hours), _) | (None, Some(hours)) => Some(format!("{hours} uur per week")),
        (None, None) => None,
    }
}
