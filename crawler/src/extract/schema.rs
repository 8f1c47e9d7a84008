//! schema.org `JobPosting` as a JSON value (from JSON-LD, or built from microdata) into
//! `PostingData`, tolerating the many ways sites fill it in: strings where objects belong,
//! arrays where one value belongs, numbers as strings, free spellings of enumerations.

use std::collections::HashMap;

use serde_json::{Map, Value};
use vindwerk_model::{Location, PostingData, Salary};

use super::fields::{
    description_html, non_empty_text, parse_currency, parse_date, parse_employment_types,
    parse_period, parse_salary_text, plain_text,
};

/// Nesting deeper than this is not followed (hostile input; real pages nest a few levels).
const MAX_DEPTH: usize = 48;
/// At most this many postings are taken from one page.
pub(crate) const MAX_POSTINGS: usize = 500;

/// Whether `@type` (a string or an array) names `type_name`, spelled `JobPosting`,
/// `schema:JobPosting` or `https://schema.org/JobPosting`.
pub(crate) fn has_type(value: &Value, type_name: &str) -> bool {
    let names_it = |text: &str| {
        let last = text.rsplit(['/', ':', '#']).next().unwrap_or(text);
        last.trim().eq_ignore_ascii_case(type_name)
    };
    match value.get("@type") {
        Some(Value::String(text)) => names_it(text),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).any(names_it),
        _ => false,
    }
}

/// Every `JobPosting` object inside `value`: top-level, in arrays, in `@graph`, or nested in
/// other objects (`mainEntity`, `itemListElement`).
pub(crate) fn job_postings(value: &Value) -> Vec<&Value> {
    let mut found = Vec::new();
    collect(value, 0, &mut found);
    found
}

fn collect<'a>(value: &'a Value, depth: usize, found: &mut Vec<&'a Value>) {
    if depth > MAX_DEPTH || found.len() >= MAX_POSTINGS {
        return;
    }
    match value {
        Value::Object(map) => {
            if has_type(value, "JobPosting") {
                found.push(value);
                return;
            }
            for child in map.values() {
                collect(child, depth + 1, found);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect(item, depth + 1, found);
            }
        }
        _ => {}
    }
}

/// Every node of a JSON-LD document that has an `@id` and says something about it.
pub(crate) fn node_ids(value: &Value) -> HashMap<&str, &Value> {
    let mut ids = HashMap::new();
    collect_ids(value, 0, &mut ids);
    ids
}

fn collect_ids<'a>(value: &'a Value, depth: usize, ids: &mut HashMap<&'a str, &'a Value>) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(map) => {
            if let Some(Value::String(id)) = map.get("@id")
                && !is_reference(map)
            {
                ids.entry(id.as_str()).or_insert(value);
            }
            for child in map.values() {
                collect_ids(child, depth + 1, ids);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_ids(item, depth + 1, ids);
            }
        }
        _ => {}
    }
}

/// An object that only points at a node elsewhere: `{"@id": "https://acme.nl/#org"}`.
fn is_reference(map: &Map<String, Value>) -> bool {
    map.contains_key("@id") && map.keys().all(|key| key == "@id" || key == "@type")
}

/// `value` with references to nodes of the same document replaced by those nodes (as Yoast
/// and other generators write `hiringOrganization` and `jobLocation`), a few levels deep.
pub(crate) fn resolve_references(value: &Value, ids: &HashMap<&str, &Value>) -> Value {
    // Nodes may refer to each other in circles; the budget bounds the work on hostile input.
    let mut budget = 10_000_usize;
    resolve(value, ids, 0, &mut budget)
}

fn resolve(value: &Value, ids: &HashMap<&str, &Value>, depth: usize, budget: &mut usize) -> Value {
    const MAX_RESOLVE_DEPTH: usize = 8;
    if depth > MAX_RESOLVE_DEPTH || *budget == 0 {
        return Value::Null;
    }
    *budget -= 1;
    match value {
        Value::Object(map) => {
            if is_reference(map)
                && let Some(Value::String(id)) = map.get("@id")
                && let Some(node) = ids.get(id.as_str())
            {
                return resolve(node, ids, depth + 1, budget);
            }
            let resolved = map
                .iter()
                .map(|(key, child)| (key.clone(), resolve(child, ids, depth + 1, budget)))
                .collect();
            Value::Object(resolved)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| resolve(item, ids, depth + 1, budget))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// One value as text: a string, a number, or an object's `name`/`@value`/`value`; the first of
/// an array.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Array(items) => items.iter().find_map(text_of),
        Value::Object(map) => ["name", "@value", "value"]
            .iter()
            .find_map(|key| map.get(*key).and_then(text_of)),
        _ => None,
    }
}

fn number_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64().filter(|n| n.is_finite()),
        Value::String(text) => super::fields::parse_amount(text.trim()),
        Value::Array(items) => items.iter().find_map(number_of),
        _ => None,
    }
}

/// A coordinate: a number or a decimal string ("5.120" is five, not five thousand).
fn coordinate_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().replace(',', ".").parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| n.is_finite())
}

fn first<'a>(map: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a Value> {
    keys.iter()
        .find_map(|key| map.get(*key).filter(|value| !value.is_null()))
}

/// The posting a `JobPosting` object describes; `Err` names what makes it unusable. Its `url`
/// is the object's own `url` as written (or empty): the caller decides the posting's URL.
pub(crate) fn posting_from_schema(value: &Value) -> Result<PostingData, String> {
    let Value::Object(map) = value else {
        return Err("JobPosting is not an object".to_owned());
    };
    let title = ["title", "name"]
        .iter()
        .filter_map(|key| map.get(*key).and_then(text_of))
        .map(|text| plain_text(&text))
        .find(|text| !text.is_empty())
        .unwrap_or_default();
    if title.is_empty() {
        return Err("JobPosting without a title".to_owned());
    }
    let mut posting = PostingData {
        url: map.get("url").and_then(text_of).unwrap_or_default(),
        title,
        ..PostingData::default()
    };
    posting.description = map
        .get("description")
        .and_then(text_of)
        .map(|text| description_html(&text))
        .unwrap_or_default();
    posting.employer = map
        .get("hiringOrganization")
        .and_then(text_of)
        .and_then(|text| non_empty_text(&text));
    posting.date_posted = map
        .get("datePosted")
        .and_then(text_of)
        .and_then(|text| parse_date(&text));
    posting.valid_through = map
        .get("validThrough")
        .and_then(text_of)
        .and_then(|text| parse_date(&text));
    if let Some(types) = map.get("employmentType") {
        for text in texts(types) {
            for kind in parse_employment_types(&text) {
                if !posting.employment_types.contains(&kind) {
                    posting.employment_types.push(kind);
                }
            }
        }
    }
    if let Some(location) = map.get("jobLocation") {
        posting.location = location_of(location);
    }
    posting.remote = map.get("jobLocationType").is_some_and(|value| {
        texts(value)
            .iter()
            .any(|t| t.eq_ignore_ascii_case("TELECOMMUTE"))
    });
    if let Some(salary) = first(map, &["baseSalary", "estimatedSalary"]) {
        let (structured, text) = salary_of(salary);
        posting.salary = structured;
        posting.salary_text = text;
    }
    posting.reference = map
        .get("identifier")
        .and_then(identifier_of)
        .and_then(|text| non_empty_text(&text));
    posting.hours_text = map
        .get("workHours")
        .and_then(text_of)
        .and_then(|text| non_empty_text(&text));
    posting.education_text = map
        .get("educationRequirements")
        .and_then(|value| match value {
            Value::Object(credential) => {
                first(credential, &["credentialCategory", "name"]).and_then(text_of)
            }
            other => text_of(other),
        })
        .and_then(|text| non_empty_text(&text));
    Ok(posting)
}

/// Every string of a value that may be one string or an array of them.
fn texts(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(text_of).collect(),
        other => text_of(other).into_iter().collect(),
    }
}

fn identifier_of(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) => first(map, &["value", "@value", "name"]).and_then(text_of),
        Value::Array(items) => items.iter().find_map(identifier_of),
        other => text_of(other),
    }
}

/// `jobLocation`: a `Place`, an array of them, or text; an address as `PostalAddress` or text.
fn location_of(value: &Value) -> Location {
    let places: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut location = places
        .first()
        .map(|place| place_of(place))
        .unwrap_or_default();
    if places.len() > 1 {
        let names: Vec<String> = places
            .iter()
            .map(|place| place_of(place))
            .filter_map(|place| place.locality.or(place.text))
            .collect();
        if !names.is_empty() {
            location.text = Some(names.join(", "));
        }
    }
    location
}

fn place_of(value: &Value) -> Location {
    let mut location = Location::default();
    let Value::Object(place) = value else {
        location.text = text_of(value).and_then(|text| non_empty_text(&text));
        return location;
    };
    let address = place.get("address").unwrap_or(value);
    match address {
        Value::Object(address) => {
            let field = |key: &str| {
                address
                    .get(key)
                    .and_then(text_of)
                    .and_then(|text| non_empty_text(&text))
            };
            location.street = field("streetAddress");
            location.locality = field("addressLocality");
            location.region = field("addressRegion");
            location.postal_code = field("postalCode");
            location.country = field("addressCountry");
        }
        other => location.text = text_of(other).and_then(|text| non_empty_text(&text)),
    }
    if location.is_empty() {
        location.text = place
            .get("name")
            .and_then(text_of)
            .and_then(|text| non_empty_text(&text));
    }
    if let Some(Value::Object(geo)) = place.get("geo") {
        location.lat = geo.get("latitude").and_then(coordinate_of);
        location.lon = geo.get("longitude").and_then(coordinate_of);
    }
    location
}

/// `baseSalary`: a number, a string ("3200-4500"), or a `MonetaryAmount` whose `value` is a
/// number, a string or a `QuantitativeValue` with `minValue`/`maxValue`/`value`/`unitText`.
fn salary_of(value: &Value) -> (Option<Salary>, Option<String>) {
    match value {
        Value::Number(_) => {
            let amount = number_of(value);
            let salary = Salary {
                min: amount,
                max: amount,
                ..Salary::default()
            };
            (amount.is_some().then_some(salary), None)
        }
        Value::String(text) => {
            let text = plain_text(text);
            (parse_salary_text(&text), (!text.is_empty()).then_some(text))
        }
        Value::Array(items) => items.first().map(salary_of).unwrap_or((None, None)),
        Value::Object(amount) => {
            let currency = amount
                .get("currency")
                .and_then(text_of)
                .map(|text| text.trim().to_uppercase())
                .filter(|text| !text.is_empty());
            let mut salary = match amount.get("value") {
                Some(Value::Object(quantity)) => Salary {
                    min: first(quantity, &["minValue", "value"]).and_then(number_of),
                    max: first(quantity, &["maxValue", "value"]).and_then(number_of),
                    period: quantity
                        .get("unitText")
                        .and_then(text_of)
                        .and_then(|text| parse_period(&text)),
                    ..Salary::default()
                },
                Some(Value::String(text)) => parse_salary_text(text).unwrap_or_default(),
                Some(other) => {
                    let amount = number_of(other);
                    Salary {
                        min: amount,
                        max: amount,
                        ..Salary::default()
                    }
                }
                None => Salary {
                    min: first(amount, &["minValue"]).and_then(number_of),
                    max: first(amount, &["maxValue"]).and_then(number_of),
                    ..Salary::default()
                },
            };
            if salary.period.is_none() {
                salary.period = amount
                    .get("unitText")
                    .and_then(text_of)
                    .and_then(|text| parse_period(&text));
            }
            salary.currency = currency.or(salary.currency);
            if salary.min.is_none() && salary.max.is_none() {
                return (None, None);
            }
            if salary.currency.is_none() {
                salary.currency = amount
                    .get("value")
                    .and_then(text_of)
                    .and_then(|text| parse_currency(&text));
            }
            (Some(salary), None)
        }
        _ => (None, None),
    }
}
