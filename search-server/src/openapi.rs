//! The OpenAPI 3.1 document of the JSON API, served at `/api/openapi.json`. Hand-written next
//! to the routes it describes; a test checks that every route of the router is in it.

use serde_json::{Value, json};

use crate::params::{DEFAULT_KM, DEFAULT_PER_PAGE, Facet, MAX_KM, MAX_PAGE, MAX_PER_PAGE, MIN_KM};
use crate::routes;

fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema})
}

fn repeatable(name: &str, description: &str, values: Option<Vec<&str>>) -> Value {
    let mut items = json!({"type": "string"});
    if let Some(values) = values {
        items["enum"] = json!(values);
    }
    json!({"name": name, "in": "query", "required": false, "explode": true, "style": "form",
           "description": format!("{description} Repeatable: values of one facet are OR-ed, facets are AND-ed."),
           "schema": {"type": "array", "items": items}})
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

/// The document.
pub fn document() -> Value {
    let vocab = |facet: Facet| -> Option<Vec<&'static str>> {
        use vindwerk_indexer::index::{HOURS_BANDS, SALARY_BANDS};
        use vindwerk_model::{Channel, EducationLevel, EmploymentType, SourceKind};
        match facet {
            Facet::EmploymentType => Some(EmploymentType::ALL.iter().map(|v| v.as_str()).collect()),
            Facet::EducationLevel => Some(EducationLevel::ALL.iter().map(|v| v.as_str()).collect()),
            Facet::Channel => Some(Channel::ALL.iter().map(|v| v.as_str()).collect()),
            Facet::SourceKind => Some(SourceKind::ALL.iter().map(|v| v.as_str()).collect()),
            Facet::HoursBand => Some(HOURS_BANDS.iter().map(|b| b.0).collect()),
            Facet::SalaryBand => Some(SALARY_BANDS.iter().map(|b| b.0).collect()),
            Facet::Status => Some(vec!["active", "expired", "all"]),
            _ => None,
        }
    };
    let mut search_params = vec![query(
        "q",
        "Free text (Dutch or English). Words must all match (stems, ESCO synonyms, compounds, then typos); \"double quotes\" make a phrase. Understood as filters: hours (\"32 uur\"), salary (\"€ 3.500\"), remote work (\"thuiswerk\"), \"parttime\"/\"fulltime\", education (\"hbo\"), a place, postcode or province.",
        json!({"type": "string", "maxLength": 500}),
    )];
    for facet in Facet::ALL {
        let description = match facet {
            Facet::Status => "Vacancy status; default active, `all` for both.".to_owned(),
            Facet::Isco => "ISCO-08 code at any level (1 to 4 digits).".to_owned(),
            other => format!("Filter on {}.", other.param().replace('_', " ")),
        };
        search_params.push(repeatable(facet.param(), &description, vocab(*facet)));
    }
    search_params.extend([
        query("salary_min", "EUR per month: vacancies paying at least this somewhere in their range.", json!({"type": "number", "minimum": 0})),
        query("salary_max", "EUR per month: vacancies starting at most at this.", json!({"type": "number", "minimum": 0})),
        query("hours_min", "Hours a week: the vacancy's hours reach this.", json!({"type": "number", "minimum": 0, "maximum": 168})),
        query("hours_max", "Hours a week: the vacancy's hours start at most at this.", json!({"type": "number", "minimum": 0, "maximum": 168})),
        query("posted_after", "Posted on or after this day.", json!({"type": "string", "format": "date"})),
        query("expired_after", "Expired on or after this day (implies expired vacancies only; combine with status=expired or status=all).", json!({"type": "string", "format": "date"})),
        query("new_since", "First seen by vindwerk after this instant (RFC 3339): what is new since a last visit.", json!({"type": "string", "format": "date-time"})),
        query("posted_within", "Posted within the last 1 (24 hours), 3, 7 or 30 days.", json!({"type": "integer", "enum": [1, 3, 7, 30]})),
        query("remote", "Only (partly) remote work, or only not.", json!({"type": "boolean"})),
        query("near", "A place name or a 4-digit postcode to measure distances from.", json!({"type": "string"})),
        query("km", &format!("Radius around `near` (default {DEFAULT_KM})."), json!({"type": "number", "minimum": MIN_KM, "maximum": MAX_KM})),
        query("sort", "relevance (with a touch of freshness), newest, or nearest (needs a place).", json!({"type": "string", "enum": ["relevance", "newest", "nearest"], "default": "relevance"})),
        query("page", "Page number; use `cursor` beyond the last page allowed.", json!({"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1})),
        query("per_page", "Hits per page.", json!({"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE})),
        query("cursor", "`next_cursor` of the previous answer: the page after it (not with `page`).", json!({"type": "string"})),
        query("facets", "The facets to count, separated by commas (facet names and `posted_within`); all when absent, none when empty. Fewer counts answer faster.", json!({"type": "string"})),
    ]);
    let export_params: Vec<Value> = search_params
        .iter()
        .filter(|p| {
            !matches!(
                p["name"].as_str(),
                Some("page" | "per_page" | "cursor" | "facets")
            )
        })
        .cloned()
        .collect();
    let mut map_params: Vec<Value> = search_params
        .iter()
        .filter(|p| {
            !matches!(
                p["name"].as_str(),
                Some("page" | "per_page" | "cursor" | "facets" | "sort" | "status")
            )
        })
        .cloned()
        .collect();
    map_params.push(query(
        "level",
        "The areas to count: labour-market regions (default) or provinces.",
        json!({"type": "string", "enum": ["region", "province"], "default": "region"}),
    ));
    let map_schema = json!({"type": "object", "properties": {
        "level": {"type": "string", "enum": ["region", "province"]},
        "expired_since": {"type": "string", "format": "date"},
        "total_active": {"type": "integer"}, "total_expired": {"type": "integer"},
        "areas": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "active": {"type": "integer"}, "expired": {"type": "integer"}}}},
        "opened": {"type": ["string", "null"]},
        "places": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "lat": {"type": "number"}, "lon": {"type": "number"}, "active": {"type": "integer"}, "expired": {"type": "integer"}}}}
    }});
    let history_schema = json!({"type": "object", "properties": {
        "employer": {"type": "string"}, "total": {"type": "integer"}, "active": {"type": "integer"}, "expired": {"type": "integer"},
        "first_posted": {"type": ["string", "null"], "format": "date"}, "median_days_open": {"type": ["integer", "null"]},
        "series": {"type": "array", "items": {"type": "string"}},
        "months": {"type": "array", "items": {"type": "object", "properties": {"month": {"type": "string"}, "by_occupation": {"type": "array", "items": {"type": "integer"}}, "posted": {"type": "integer"}, "expired": {"type": "integer"}}}},
        "occupations": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "total": {"type": "integer"}, "active": {"type": "integer"}, "expired": {"type": "integer"}, "median_days_open": {"type": ["integer", "null"]}, "by_calendar_month": {"type": "array", "items": {"type": "integer"}}, "peak_months": {"type": "array", "items": {"type": "integer"}}}}}
    }});
    let id_param =
        json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "vindwerk search API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Search Dutch vacancies: free text, disjunctive facets, ranges, distance. Errors are {\"error\": {\"code\", \"message\"}} with a stable code: invalid_parameter (400, the message names the parameter), not_found (404), method_not_allowed (405), unavailable (503), internal (500)."
        },
        "paths": {
            (routes::SEARCH): {"get": {
                "summary": "Search vacancies",
                "parameters": search_params,
                "responses": {
                    "200": {"description": "Hits, facet counts and the cursor of the next page", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchResults"}}}},
                    "400": error_response("A parameter is invalid; the message names it")
                }
            }},
            (routes::EXPORT): {"get": {
                "summary": "Every hit of a search as CSV (at most 10,000 rows), in the order of /api/search",
                "parameters": export_params,
                "responses": {
                    "200": {"description": "CSV with a header row: id, title, employer, city, status, date_posted, distance_km", "content": {"text/csv": {"schema": {"type": "string"}}}},
                    "400": error_response("A parameter is invalid; the message names it")
                }
            }},
            (routes::MAP): {"get": {
                "summary": "The labour-market map's figures: active vacancies and those expired in the last 12 months, per region or province, and per place when the search selects one area (the search's own facet counts)",
                "parameters": map_params,
                "responses": {
                    "200": {"description": "Counts per area (and place)", "content": {"application/json": {"schema": map_schema}}},
                    "400": error_response("A parameter is invalid; the message names it")
                }
            }},
            (routes::EMPLOYER_HISTORY): {"get": {
                "summary": "An employer's vacancies over time: per month of the last 24 (posted, per occupation, and expired), per occupation (how many, how long open, the months they usually come in)",
                "parameters": [{"name": "name", "in": "path", "required": true, "description": "The employer as the `employer` facet names it.", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The history", "content": {"application/json": {"schema": history_schema}}},
                              "404": error_response("The index holds no vacancy of this employer")}
            }},
            (routes::SHORTLIST_CSV): {"get": {
                "summary": "A shortlist as CSV for scripts (Dutch Excel: UTF-8 with BOM, `;`, formulas neutralised), with the list's key instead of a session; the owner makes or withdraws the key on the list's page",
                "parameters": [
                    {"name": "file", "in": "path", "required": true, "description": "The list's id followed by `.csv`.", "schema": {"type": "string"}},
                    {"name": "token", "in": "query", "required": true, "description": "The list's key for scripts.", "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "The list", "content": {"text/csv": {"schema": {"type": "string"}}}},
                              "404": error_response("No such list, or the key is wrong or withdrawn")}
            }},
            (routes::VACANCY): {"get": {
                "summary": "A vacancy with all its postings, as in the export",
                "parameters": [id_param],
                "responses": {"200": {"description": "The vacancy (the export's jsonl object)", "content": {"application/json": {"schema": {"type": "object"}}}},
                              "404": error_response("No vacancy has this id")}
            }},
            (routes::SIMILAR): {"get": {
                "summary": "Active vacancies like this one",
                "parameters": [id_param],
                "responses": {"200": {"description": "Similar vacancies", "content": {"application/json": {"schema": {"type": "object", "properties": {"hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}}}}}}},
                              "404": error_response("No vacancy has this id")}
            }},
            (routes::SUGGEST): {"get": {
                "summary": "Autocomplete titles and places",
                "parameters": [
                    query("q", "What was typed so far.", json!({"type": "string", "maxLength": 100})),
                    query("limit", "Suggestions of each kind.", json!({"type": "integer", "minimum": 1, "maximum": crate::api::MAX_SUGGESTIONS, "default": 8}))
                ],
                "responses": {"200": {"description": "Titles and place names", "content": {"application/json": {"schema": {"type": "object", "properties": {"titles": {"type": "array", "items": {"type": "string"}}, "places": {"type": "array", "items": {"type": "string"}}}}}}},
                              "400": error_response("A parameter is invalid")}
            }},
            (routes::OPENAPI): {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}},
            (routes::HEALTH): {"get": {"summary": "Liveness and the index generation served", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": {"status": {"type": "string"}, "generation": {"type": "string"}, "documents": {"type": "integer"}}}}}}}}}
        },
        "components": {"schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string", "enum": ["invalid_parameter", "not_found", "method_not_allowed", "unavailable", "internal"]},
                "message": {"type": "string"}}}}},
            "Hit": {"type": "object", "properties": {
                "id": {"type": "string"}, "title": {"type": "string"}, "employer": {"type": ["string", "null"]},
                "city": {"type": ["string", "null"]}, "status": {"type": "string", "enum": ["active", "expired"]},
                "date_posted": {"type": ["string", "null"], "format": "date"},
                "distance_km": {"type": ["number", "null"]},
                "snippet": {"type": "string", "description": "HTML: escaped text, matched words in <mark>"}}},
            "SearchResults": {"type": "object", "properties": {
                "total": {"type": "integer"},
                "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                "facets": {"type": "object", "description": "Per facet (and posted_within), values with counts; a facet's counts ignore its own filter (disjunctive)",
                           "additionalProperties": {"type": "array", "items": {"type": "object", "properties": {"value": {"type": "string"}, "count": {"type": "integer"}}}}},
                "next_cursor": {"type": ["string", "null"]},
                "page": {"type": ["integer", "null"]},
                "per_page": {"type": "integer"},
                "understood": {"type": "object", "description": "What was read from q as filters"},
                "near": {"type": ["object", "null"], "properties": {"place": {"type": "string"}, "lat": {"type": "number"}, "lon": {"type": "number"}, "km": {"type": "number"}}}}}
        }}
    })
}
