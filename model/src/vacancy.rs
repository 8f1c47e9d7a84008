use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    Audience, Channel, EducationLevel, EmploymentType, ExpiryReason, PostingId, SalaryPeriod,
    SourceId, SourceKind, Status, VacancyId,
};

/// One real job, deduplicated over all its postings, with normalised fields. Serialised, it is
/// one line of CONTRACT.md's jsonl export: the field names and meanings there are a contract.
/// Unknown values are `None` (`null`), never guessed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vacancy {
    pub id: VacancyId,
    pub title: String,
    pub employer: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub province: Option<String>,
    pub region: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub employment_type: Option<EmploymentType>,
    pub hours_min: Option<f64>,
    pub hours_max: Option<f64>,
    pub salary_min: Option<f64>,
    pub salary_max: Option<f64>,
    pub salary_currency: Option<String>,
    pub salary_period: Option<SalaryPeriod>,
    /// `salary_min` in EUR per month, for filtering (an extension of the contract).
    pub salary_month_min: Option<f64>,
    /// `salary_max` in EUR per month, for filtering (an extension of the contract).
    pub salary_month_max: Option<f64>,
    pub education_level: Option<EducationLevel>,
    /// ESCO preferred label (Dutch).
    pub occupation: Option<String>,
    /// ISCO-08 unit group of the occupation.
    pub isco: Option<String>,
    /// Plain text.
    pub description: String,
    pub date_posted: Option<NaiveDate>,
    pub valid_through: Option<NaiveDate>,
    pub remote: bool,
    pub status: Status,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub expired_at: Option<DateTime<Utc>>,
    pub postings: Vec<VacancyPosting>,
    /// Who may see it (an extension of the contract, written only for an organisation's
    /// internal vacancy).
    #[serde(default, skip_serializing_if = "Audience::is_public")]
    pub audience: Audience,
}

/// A posting as a vacancy lists it (CONTRACT.md: `postings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VacancyPosting {
    pub posting_id: PostingId,
    pub url: String,
    pub source: SourceId,
    pub source_kind: SourceKind,
    pub channel: Channel,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub status: Status,
    pub expired_at: Option<DateTime<Utc>>,
    pub expiry_reason: Option<ExpiryReason>,
}
