//! One posting's normalisation: every normaliser applied to the fields it belongs to.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use vindwerk_model::{EducationLevel, EmploymentType, PostingData};

use super::text::{clean_title, collapse_whitespace, fold, html_to_text, looks_like_html};
use super::{
    Gazetteer, Hours, NormalisedSalary, Occupations, ResolvedPlace, contract_lines,
    detect_language, education_level, employment_type, hours_in_description, mentions_remote,
    normalise_salary, parse_hours, salary_in_description,
};
use crate::dedup::NormalisedFields;

/// A posting's normalised fields. Unknown is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalised {
    /// The title without gender markers, hours and a trailing place ([`clean_title`]).
    pub title: String,
    /// The employer as published (markup and extra whitespace removed; "B.V." kept); `None`
    /// when hidden ("onze opdrachtgever") or unknown.
    pub employer: Option<String>,
    /// The employer folded for comparing: lower case, no diacritics or punctuation, without
    /// legal forms ("b.v.", "n.v.") — see [`employer_key`].
    pub employer_key: Option<String>,
    pub place: Option<ResolvedPlace>,
    /// The posting says the work is (partly) remote: the source's flag, or its location or
    /// title says "remote", "thuiswerk", "hybride".
    pub remote: bool,
    /// ESCO preferred label (Dutch).
    pub occupation: Option<String>,
    /// ISCO-08 unit group of the occupation.
    pub isco: Option<String>,
    pub salary: Option<NormalisedSalary>,
    pub hours: Option<Hours>,
    pub employment_type: Option<EmploymentType>,
    pub education_level: Option<EducationLevel>,
    /// "nl" or "en".
    pub language: Option<&'static str>,
    /// Plain text.
    pub description: String,
    pub date_posted: Option<NaiveDate>,
    pub valid_through: Option<NaiveDate>,
}

/// Normalises one posting. Pure and cheap: the gazetteer and the occupations are loaded once
/// and shared.
pub fn normalise(
    data: &PostingData,
    gazetteer: &Gazetteer,
    occupations: &Occupations,
) -> Normalised {
    // A board that states no location often names the place in the title ("Kok - Utrecht").
    let place = if data.location.is_empty() {
        place_in_title(&data.title, gazetteer)
    } else {
        gazetteer.resolve(&data.location)
    };
    let mut place_names: Vec<&str> = Vec::with_capacity(3);
    if let Some(place) = &place {
        place_names.push(place.city.as_str());
    }
    place_names.extend(data.location.locality.as_deref());
    place_names.extend(data.location.text.as_deref());
    let title = clean_title(&data.title, &place_names);
    let occupation = occupations.classify(&title);
    let description = html_to_text(&data.description);
    // Salary, hours and contract come from the fields that hold them, else from the lines of
    // the description that state them (ATS APIs and RSS boards publish them only there).
    let hours = data
        .hours_text
        .as_deref()
        .and_then(parse_hours)
        .or_else(|| parse_hours(&data.title))
        .or_else(|| hours_in_description(&description));
    let salary = normalise_salary(data.salary.as_ref(), data.salary_text.as_deref())
        .or_else(|| salary_in_description(&description));
    let mut type_texts: Vec<&str> = [data.hours_text.as_deref(), Some(data.title.as_str())]
        .into_iter()
        .flatten()
        .collect();
    type_texts.extend(contract_lines(&description));
    let education = match data.education_text.as_deref().and_then(education_level) {
        Some(level) => Some(level),
        None => education_level(&description),
    };
    let location_texts = [
        data.location.text.as_deref(),
        data.location.locality.as_deref(),
    ];
    let remote = data.remote
        || location_texts.into_iter().flatten().any(mentions_remote)
        || mentions_remote(&data.title);
    let language_sample = format!("{title}\n{description}");
    let employer = data.employer.as_deref().and_then(clean_employer);
    Normalised {
        employer_key: employer
            .as_deref()
            .map(employer_key)
            .filter(|key| !key.is_empty()),
        employer,
        place,
        remote,
        occupation: occupation.map(|occupation| occupation.label.clone()),
        isco: occupation.map(|occupation| occupation.isco.clone()),
        salary,
        hours,
        employment_type: employment_type(&data.employment_types, &type_texts),
        education_level: education,
        language: detect_language(&language_sample),
        title,
        description,
        date_posted: data.date_posted,
        valid_through: data.valid_through,
    }
}

/// Separators between a title and what a board adds to it ("Kok - Utrecht", "Kok | Utrecht |
/// Fulltime", "Kok in Utrecht").
static TITLE_PARTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s+[-–—|/]\s+|\s*[|(),]\s*|\s+(?:in|te)\s+")
        .expect("title separator pattern should compile")
});

/// The place a title names in a part of its own after the job ("Kok - Utrecht", "Kok in
/// Den Haag", "Kok (Best)"); never its first part, which is the job ("Best" is a place too).
fn place_in_title(title: &str, gazetteer: &Gazetteer) -> Option<ResolvedPlace> {
    let parts: Vec<&str> = TITLE_PARTS.split(title).map(str::trim).collect();
    // The whole part must be a place's name: "Van Dijk Supermarkten Best" is no place.
    parts
        .iter()
        .skip(1)
        .rev()
        .find_map(|part| gazetteer.lookup_place(part))
        .map(ResolvedPlace::from)
}

/// Phrases that hide the employer ("onze opdrachtgever", "confidential").
static HIDDEN_EMPLOYER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:onze|een|de)\s+)?(?:opdrachtgever|klant|relatie)(?:\s+van\s+.*)?$|^(?:anoniem|vertrouwelijk|confidential|niet bekend|onbekend|n\s?v?t|n/a|-)$",
    )
    .expect("hidden employer pattern should compile")
});

/// Legal forms, folded, that say nothing about which employer it is.
static LEGAL_FORM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:b\s?v|n\s?v|v\s?o\s?f|c\s?v|bvba|gmbh|ltd|limited|inc|llc|s\s?a|plc|holding)\b",
    )
    .expect("legal form pattern should compile")
});

fn clean_employer(employer: &str) -> Option<String> {
    let text = if looks_like_html(employer) {
        collapse_whitespace(&html_to_text(employer))
    } else {
        collapse_whitespace(employer)
    };
    let lower = text.to_lowercase();
    if text.is_empty() || HIDDEN_EMPLOYER.is_match(lower.trim_end_matches('.')) {
        return None;
    }
    Some(text)
}

/// An employer name folded for comparing across sources: "Zorggroep Almere B.V." and
/// "zorggroep almere" are one key. Legal forms go; everything else stays.
pub fn employer_key(employer: &str) -> String {
    let folded = fold(employer);
    collapse_whitespace(&LEGAL_FORM.replace_all(&folded, " "))
}

// The default fills fields dedup may add later; until then every field is set here.
#[allow(clippy::needless_update)]
impl From<Normalised> for NormalisedFields {
    fn from(normalised: Normalised) -> NormalisedFields {
        let place = normalised.place;
        let salary = normalised.salary;
        let hours = normalised.hours;
        NormalisedFields {
            title: normalised.title,
            employer: normalised.employer,
            city: place.as_ref().map(|place| place.city.clone()),
            postcode: place.as_ref().and_then(|place| place.postcode.clone()),
            province: place.as_ref().and_then(|place| place.province.clone()),
            region: place.as_ref().and_then(|place| place.region.clone()),
            lat: place.as_ref().map(|place| place.lat),
            lon: place.as_ref().map(|place| place.lon),
            employment_type: normalised.employment_type,
            hours_min: hours.and_then(|hours| hours.min),
            hours_max: hours.and_then(|hours| hours.max),
            salary_min: salary.as_ref().and_then(|salary| salary.min),
            salary_max: salary.as_ref().and_then(|salary| salary.max),
            salary_currency: salary.as_ref().and_then(|salary| salary.currency.clone()),
            salary_period: salary.as_ref().and_then(|salary| salary.period),
            salary_month_min: salary.as_ref().and_then(|salary| salary.month_min),
            salary_month_max: salary.as_ref().and_then(|salary| salary.month_max),
            education_level: normalised.education_level,
            occupation: normalised.occupation,
            isco: normalised.isco,
            description: normalised.description,
            date_posted: normalised.date_posted,
            valid_through: normalised.valid_through,
            remote: normalised.remote,
            ..NormalisedFields::default()
        }
    }
}

#[cfg(test)]
mod tests;
