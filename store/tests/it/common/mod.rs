//! Test data shared by the store's integration tests: values with every field filled, so a
//! round trip that drops a field fails.

#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use vindwerk_model::{
    Channel, EducationLevel, EmploymentType, Location, PostingData, PostingId, Salary,
    SalaryPeriod, SourceId, SourceKind, Status, Vacancy, VacancyId, VacancyPosting,
};

/// 22 November 2026 at `hour`:00 UTC, with a nanosecond part to prove timestamps are exact.
pub fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, hour, 0, 0)
        .single()
        .expect("valid time")
        + chrono::Duration::nanoseconds(123_456_789)
}

pub fn day(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).expect("valid date")
}

pub fn acme() -> SourceId {
    SourceId::new("acme")
}

/// A posting with every field set.
pub fn full_posting(url: &str) -> PostingData {
    PostingData {
        url: url.to_owned(),
        title: "Verpleegkundige oncologie <script>alert(1)</script>".to_owned(),
        employer: Some("Ziekenhuis X".to_owned()),
        description: "<p>Wij zoeken een collega. Ĳsselmonde, café, 😀</p>".to_owned(),
        location: Location {
            text: Some("Hybride / Utrecht".to_owned()),
            street: Some("Heidelberglaan 100".to_owned()),
            locality: Some("Utrecht".to_owned()),
            region: Some("Utrecht".to_owned()),
            postal_code: Some("3584 CX".to_owned()),
            country: Some("NL".to_owned()),
            lat: Some(52.0853),
            lon: Some(5.1791),
        },
        date_posted: Some(day(11, 1)),
        valid_through: Some(day(12, 31)),
        employment_types: vec![EmploymentType::FullTime, EmploymentType::PartTime],
        salary: Some(Salary {
            min: Some(3200.0),
            max: Some(4500.5),
            currency: Some("EUR".to_owned()),
            period: Some(SalaryPeriod::Month),
        }),
        salary_text: Some("€ 3.200,- tot € 4.500,- bruto per maand".to_owned()),
        hours_text: Some("32-36 uur per week".to_owned()),
        education_text: Some("hbo-werk- en denkniveau".to_owned()),
        reference: Some("REF-2026-042".to_owned()),
        remote: true,
    }
}

/// A vacancy with every field set, listing the given postings of `acme`.
pub fn full_vacancy(id: &str, postings: &[(PostingId, &str)]) -> Vacancy {
    Vacancy {
        id: VacancyId::new(id),
        title: "Verpleegkundige oncologie".to_owned(),
        employer: Some("Ziekenhuis X".to_owned()),
        city: Some("Utrecht".to_owned()),
        postcode: Some("3584".to_owned()),
        province: Some("Utrecht".to_owned()),
        region: Some("Midden-Utrecht".to_owned()),
        lat: Some(52.09),
        lon: Some(5.12),
        employment_type: Some(EmploymentType::FullTime),
        hours_min: Some(32.0),
        hours_max: Some(36.0),
        salary_min: Some(3200.0),
        salary_max: Some(4500.0),
        salary_currency: Some("EUR".to_owned()),
        salary_period: Some(SalaryPeriod::Month),
        salary_month_min: Some(3200.0),
        salary_month_max: Some(4500.0),
        education_level: Some(EducationLevel::Hbo),
        occupation: Some("verpleegkundige".to_owned()),
        isco: Some("2221".to_owned()),
        description: "Wij zoeken een collega.".to_owned(),
        date_posted: Some(day(11, 1)),
        valid_through: Some(day(12, 31)),
        remote: false,
        status: Status::Active,
        first_seen: at(6),
        last_seen: at(7),
        expired_at: None,
        audience: Default::default(),
        postings: postings
            .iter()
            .map(|(posting_id, url)| VacancyPosting {
                posting_id: *posting_id,
                url: (*url).to_owned(),
                source: acme(),
                source_kind: SourceKind::Sitemap,
                channel: Channel::Employer,
                first_seen: at(6),
                last_seen: at(7),
                status: Status::Active,
                expired_at: None,
                expiry_reason: None,
            })
            .collect(),
    }
}
