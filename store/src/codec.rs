//! How values are spelled in SQLite: timestamps, dates, vocabularies and JSON, and the content
//! hash of a posting. Kept in one place so that every table spells a value the same way.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::StoreError;

/// Timestamps are RFC 3339 text in UTC with nine fraction digits: readable in the `sqlite3`
/// shell, exact for every `DateTime<Utc>`, and of fixed width, so SQL compares them as text
/// in time order (`max(last_seen, ?)`, `ORDER BY`).
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

pub(crate) fn date(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// Where a stored value came from, for [`StoreError::Corrupt`].
#[derive(Clone, Copy)]
pub(crate) struct Place<'a> {
    pub table: &'static str,
    pub column: &'static str,
    pub row: &'a dyn std::fmt::Display,
}

impl Place<'_> {
    pub(crate) fn corrupt(&self, detail: impl ToString) -> StoreError {
        StoreError::Corrupt {
            table: self.table,
            column: self.column,
            row: self.row.to_string(),
            detail: detail.to_string(),
        }
    }
}

pub(crate) fn parse_timestamp(text: &str, place: Place<'_>) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|error| place.corrupt(format_args!("{text:?}: {error}")))
}

pub(crate) fn parse_optional_timestamp(
    text: Option<String>,
    place: Place<'_>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    text.map(|text| parse_timestamp(&text, place)).transpose()
}

pub(crate) fn parse_optional_date(
    text: Option<String>,
    place: Place<'_>,
) -> Result<Option<NaiveDate>, StoreError> {
    let Some(text) = text else {
        return Ok(None);
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map(Some)
        .map_err(|error| place.corrupt(format_args!("{text:?}: {error}")))
}

/// Parses a vocabulary value (status, kind, channel, reason) as the model spells it.
pub(crate) fn parse_word<T>(text: &str, place: Place<'_>) -> Result<T, StoreError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|error| place.corrupt(error))
}

pub(crate) fn parse_optional_word<T>(
    text: Option<String>,
    place: Place<'_>,
) -> Result<Option<T>, StoreError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    text.map(|text| parse_word(&text, place)).transpose()
}

pub(crate) fn parse_json<T: DeserializeOwned>(
    text: &str,
    place: Place<'_>,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|error| place.corrupt(error))
}

pub(crate) fn to_json<T: Serialize>(
    value: &T,
    what: impl FnOnce() -> String,
) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|source| StoreError::Encode {
        what: what(),
        source,
    })
}

/// The content hash of a value: blake3, in hex, over its canonical JSON.
///
/// Canonical means object keys sorted and `null`, `false` and `[]` left out. Those are the
/// values a field added to the model later with `#[serde(default)]` takes, so extending
/// `PostingData` does not make every stored posting look changed on the next round; they are
/// also what an absent key deserialises to, so leaving them out loses nothing.
pub(crate) fn content_hash<T: Serialize>(
    value: &T,
    what: impl FnOnce() -> String,
) -> Result<String, StoreError> {
    let value = serde_json::to_value(value).map_err(|source| StoreError::Encode {
        what: what(),
        source,
    })?;
    let mut canonical = String::new();
    write_canonical(&value, &mut canonical);
    Ok(blake3::hash(canonical.as_bytes()).to_hex().to_string())
}

fn is_default(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => true,
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> =
                map.iter().filter(|(_, value)| !is_default(value)).collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (n, (key, value)) in entries.into_iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hash(value: Value) -> String {
        content_hash(&value, || "test value".to_owned()).expect("json values encode")
    }

    #[test]
    fn timestamps_have_fixed_width_and_round_trip() {
        let place = Place {
            table: "t",
            column: "c",
            row: &1,
        };
        for text in [
            "2026-11-22T06:00:00Z",
            "2026-11-22T06:00:00.123456789Z",
            "1999-01-01T00:00:00.5Z",
        ] {
            let at = DateTime::parse_from_rfc3339(text)
                .expect("valid")
                .with_timezone(&Utc);
            let stored = timestamp(at);
            assert_eq!(
                stored.len(),
                "2026-11-22T06:00:00.000000000Z".len(),
                "{stored}"
            );
            assert_eq!(parse_timestamp(&stored, place).expect("parses"), at);
        }
    }

    #[test]
    fn a_bad_timestamp_names_its_place() {
        let place = Place {
            table: "postings",
            column: "last_seen",
            row: &7,
        };
        let error = parse_timestamp("gisteren", place).expect_err("not a timestamp");
        assert!(
            error
                .to_string()
                .starts_with("unreadable last_seen in postings row 7"),
            "{error}"
        );
    }

    #[test]
    fn hash_ignores_key_order_and_default_values() {
        assert_eq!(
            hash(json!({"a": 1, "b": "x"})),
            hash(json!({"b": "x", "a": 1}))
        );
        assert_eq!(
            hash(json!({"a": 1})),
            hash(json!({"a": 1, "new": null, "flag": false, "list": []}))
        );
        assert_eq!(hash(json!({"o": {"a": null}})), hash(json!({"o": {}})));
    }

    #[test]
    fn hash_tells_different_values_apart() {
        assert_ne!(hash(json!({"a": 1})), hash(json!({"a": 2})));
        assert_ne!(hash(json!({"a": ""})), hash(json!({})));
        assert_ne!(hash(json!({"a": true})), hash(json!({})));
        assert_ne!(hash(json!({"a": [1, 2]})), hash(json!({"a": [2, 1]})));
        assert_ne!(hash(json!({"a": "1"})), hash(json!({"a": 1})));
    }
}
