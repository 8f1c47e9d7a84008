use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    Audience, Channel, EmploymentType, ExpiryReason, PostingId, SalaryPeriod, SourceId, SourceKind,
    Status,
};

/// What one source says about one posting, as extracted from a page, a feed item or an API
/// record: typed where the source types it, free text where it does not. The crawler fills it;
/// the indexer normalises it (places, occupation, salary, hours, education) into a vacancy.
///
/// Two extractions of an unchanged posting give equal values, so its content hash is stable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PostingData {
    /// The posting's public page (CONTRACT.md: the page's canonical URL, or the page an API
    /// names).
    pub url: String,
    pub title: String,
    /// The hiring organisation as published; `None` when hidden ("onze opdrachtgever").
    pub employer: Option<String>,
    /// The description as published, HTML or plain text.
    pub description: String,
    pub location: Location,
    pub date_posted: Option<NaiveDate>,
    pub valid_through: Option<NaiveDate>,
    pub employment_types: Vec<EmploymentType>,
    /// A structured salary (schema.org `baseSalary`, an API's compensation fields).
    pub salary: Option<Salary>,
    /// Salary as free text ("€ 3.200,- tot € 4.500,- bruto per maand").
    pub salary_text: Option<String>,
    /// Working hours as free text ("32-36 uur per week").
    pub hours_text: Option<String>,
    /// Education requirement as free text ("hbo-werk- en denkniveau").
    pub education_text: Option<String>,
    /// An identifier the publisher gives the vacancy: an ATS id or a reference number.
    pub reference: Option<String>,
    /// The posting says the work is (partly) remote.
    pub remote: bool,
}

/// Where the work is, as published: structured parts when the source gives them, else text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Location {
    /// Free text ("Hybride / Amsterdam", "Utrecht (Leidsche Rijn)").
    pub text: Option<String>,
    pub street: Option<String>,
    pub locality: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

impl Location {
    pub fn is_empty(&self) -> bool {
        *self == Location::default()
    }
}

/// A salary as published: amounts in `period`, in `currency`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Salary {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub currency: Option<String>,
    pub period: Option<SalaryPeriod>,
}

/// A posting as the store keeps it: the data of its latest read plus its life.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Posting {
    pub id: PostingId,
    pub source: SourceId,
    pub source_kind: SourceKind,
    pub channel: Channel,
    pub data: PostingData,
    /// Hash of `data`, to tell a changed posting from an unchanged one.
    pub content_hash: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// When `data` last changed (equal to `first_seen` for a posting never changed).
    pub changed_at: DateTime<Utc>,
    pub status: Status,
    pub expired_at: Option<DateTime<Utc>>,
    pub expiry_reason: Option<ExpiryReason>,
    /// Who may see it: its source's audience.
    #[serde(default, skip_serializing_if = "Audience::is_public")]
    pub audience: Audience,
}
