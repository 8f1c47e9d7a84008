//! schema.org microdata (`itemscope itemtype=".../JobPosting"` with `itemprop`s) turned into
//! the same JSON shape as JSON-LD, so that one mapping (`schema`) reads both.

use scraper::{ElementRef, Html};
use serde_json::{Map, Value};

use super::fields::collapse_whitespace;

const MAX_DEPTH: usize = 16;

/// Every top-level `JobPosting` item of the document as a JSON-LD-like object.
pub(crate) fn job_postings(document: &Html) -> Vec<Value> {
    let mut found = Vec::new();
    for element in document.root_element().descendent_elements() {
        if found.len() >= super::schema::MAX_POSTINGS {
            break;
        }
        if !is_job_posting_scope(element) {
            continue;
        }
        // An item nested in another posting's scope belongs to that posting.
        let nested = element
            .ancestors()
            .filter_map(ElementRef::wrap)
            .any(is_job_posting_scope);
        if !nested {
            found.push(item(element, 0));
        }
    }
    found
}

fn is_job_posting_scope(element: ElementRef<'_>) -> bool {
    let value = element.value();
    value.attr("itemscope").is_some()
        && value.attr("itemtype").is_some_and(|types| {
            types.split_whitespace().any(|t| {
                t.rsplit('/')
                    .next()
                    .is_some_and(|n| n.eq_ignore_ascii_case("JobPosting"))
            })
        })
}

/// The properties of the item whose scope is `scope`.
fn item(scope: ElementRef<'_>, depth: usize) -> Value {
    let mut map = Map::new();
    if let Some(types) = scope.value().attr("itemtype") {
        let names: Vec<Value> = types
            .split_whitespace()
            .map(|t| Value::String(t.rsplit('/').next().unwrap_or(t).to_owned()))
            .collect();
        map.insert("@type".to_owned(), Value::Array(names));
    }
    let mut properties = Vec::new();
    property_elements(scope, &mut properties);
    for element in properties {
        let Some(names) = element.value().attr("itemprop") else {
            continue;
        };
        for name in names.split_whitespace() {
            let value = if element.value().attr("itemscope").is_some() {
                if depth >= MAX_DEPTH {
                    continue;
                }
                item(element, depth + 1)
            } else {
                Value::String(property_value(element, name))
            };
            match map.get_mut(name) {
                Some(Value::Array(values)) => values.push(value),
                Some(existing) => {
                    let first = existing.take();
                    *existing = Value::Array(vec![first, value]);
                }
                None => {
                    map.insert(name.to_owned(), value);
                }
            }
        }
    }
    Value::Object(map)
}

/// Descendants of `scope` with `itemprop` that belong to it, not to a nested scope.
fn property_elements<'a>(scope: ElementRef<'a>, out: &mut Vec<ElementRef<'a>>) {
    let mut stack: Vec<ElementRef<'a>> = scope.child_elements().collect();
    stack.reverse();
    while let Some(element) = stack.pop() {
        if element.value().attr("itemprop").is_some() {
            out.push(element);
        }
        if element.value().attr("itemscope").is_none() {
            let mut children: Vec<ElementRef<'a>> = element.child_elements().collect();
            children.reverse();
            stack.extend(children);
        }
    }
}

/// A property's value as the microdata spec reads it from the element.
fn property_value(element: ElementRef<'_>, name: &str) -> String {
    let value = element.value();
    let attr = match value.name() {
        "meta" => value.attr("content"),
        "a" | "area" | "link" => value.attr("href"),
        "img" | "audio" | "video" | "source" | "iframe" | "embed" | "track" => value.attr("src"),
        "object" => value.attr("data"),
        "data" | "meter" => value.attr("value"),
        "time" => value.attr("datetime"),
        _ => value.attr("content"),
    };
    if let Some(attr) = attr {
        return attr.trim().to_owned();
    }
    if name == "description" {
        return element.inner_html().trim().to_owned();
    }
    collapse_whitespace(&element.text().collect::<String>())
}
