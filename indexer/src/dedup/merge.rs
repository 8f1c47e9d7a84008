//! The merge of a cluster's postings into one [`Vacancy`]: fields from the best posting, gaps
//! filled from the others, status and dates rolled up.
//!
//! The best posting is the one of the most trustworthy channel (employer site and ATS over
//! boards over agencies, [`Channel::rank`]), then the most complete, then the oldest. Groups of
//! fields that belong together (place with its coordinates, salary with its period, the hours)
//! come whole from one posting, so a vacancy never shows one posting's minimum with another's
//! maximum.

use std::cmp::Reverse;

use chrono::NaiveDate;
use vindwerk_model::{
    Audience, EducationLevel, EmploymentType, Posting, SalaryPeriod, Status, Vacancy, VacancyId,
    VacancyPosting,
};

use super::{DedupItem, Terms};

/// A posting's fields after normalisation, as the merge takes them. Unknown is `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NormalisedFields {
    pub title: String,
    /// `None` when the employer is hidden or unknown.
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
    pub salary_month_min: Option<f64>,
    pub salary_month_max: Option<f64>,
    pub education_level: Option<EducationLevel>,
    pub occupation: Option<String>,
    pub isco: Option<String>,
    /// Plain text.
    pub description: String,
    pub date_posted: Option<NaiveDate>,
    pub valid_through: Option<NaiveDate>,
    pub remote: bool,
}

impl NormalisedFields {
    /// How many fields are known: the tie-break between postings of one channel.
    fn completeness(&self) -> usize {
        let known = [
            !self.title.trim().is_empty(),
            self.employer.is_some(),
            self.city.is_some(),
            self.postcode.is_some(),
            self.lat.is_some(),
            self.employment_type.is_some(),
            self.hours_min.is_some() || self.hours_max.is_some(),
            self.salary_min.is_some() || self.salary_max.is_some(),
            self.education_level.is_some(),
            self.occupation.is_some(),
            !self.description.trim().is_empty(),
            self.date_posted.is_some(),
            self.valid_through.is_some(),
        ];
        known.into_iter().filter(|known| *known).count()
    }
}

/// What the merge reads of a posting besides its normalised fields: the vacancy's line for it
/// (ids, URL, dates, status), and who may see it. A third of a [`Posting`]: the indexer keeps
/// one for every posting of the store while dedup runs.
#[derive(Debug, Clone, PartialEq)]
pub struct PostingHead {
    pub listed: VacancyPosting,
    pub audience: Audience,
}

impl From<&Posting> for PostingHead {
    fn from(posting: &Posting) -> PostingHead {
        PostingHead {
            listed: VacancyPosting {
                posting_id: posting.id,
                url: posting.data.url.clone(),
                source: posting.source.clone(),
                source_kind: posting.source_kind,
                channel: posting.channel,
                first_seen: posting.first_seen,
                last_seen: posting.last_seen,
                status: posting.status,
                expired_at: posting.expired_at,
                expiry_reason: posting.expiry_reason,
            },
            audience: posting.audience.clone(),
        }
    }
}

/// The dedup item of a posting with its normalised fields.
pub fn dedup_item(posting: &Posting, fields: &NormalisedFields) -> DedupItem {
    DedupItem {
        posting_id: posting.id,
        source: posting.source.clone(),
        channel: posting.channel,
        url: posting.data.url.clone(),
        reference: posting.data.reference.clone(),
        title_key: fields.title.clone(),
        employer_key: fields.employer.clone(),
        place_key: fields.city.clone(),
        date_posted: fields.date_posted,
        description: fields.description.clone(),
        terms: Terms::new(
            (fields.hours_min, fields.hours_max),
            (fields.salary_min, fields.salary_max, fields.salary_period),
            fields.employment_type,
        ),
        audience: posting.audience.clone(),
    }
}

/// The vacancy `id` made of `postings` (a cluster's postings with their normalised fields);
/// `None` for no postings.
pub fn merge_vacancy(
    id: VacancyId,
    postings: &[(&PostingHead, &NormalisedFields)],
) -> Option<Vacancy> {
    let mut ranked: Vec<&(&PostingHead, &NormalisedFields)> = postings.iter().collect();
    ranked.sort_by_key(|(head, fields)| {
        (
            head.listed.channel.rank(),
            Reverse(fields.completeness()),
            head.listed.first_seen,
            head.listed.posting_id,
        )
    });
    let (best_head, best) = **ranked.first()?;
    let fields: Vec<&NormalisedFields> = ranked.iter().map(|(_, fields)| *fields).collect();
    // The first known value in rank order.
    fn first<T: Clone>(
        fields: &[&NormalisedFields],
        get: impl Fn(&NormalisedFields) -> Option<T>,
    ) -> Option<T> {
        fields.iter().find_map(|fields| get(fields))
    }
    let place = fields
        .iter()
        .find(|f| f.city.is_some() || f.lat.is_some())
        .copied();
    let salary = fields
        .iter()
        .find(|f| f.salary_min.is_some() || f.salary_max.is_some())
        .copied();
    let occupation = fields.iter().find(|f| f.occupation.is_some()).copied();
    let hours = fields
        .iter()
        .find(|f| f.hours_min.is_some() || f.hours_max.is_some())
        .copied();

    let title = fields
        .iter()
        .map(|f| f.title.trim())
        .find(|title| !title.is_empty())
        .unwrap_or_default()
        .to_owned();
    let description = fields
        .iter()
        .map(|f| f.description.as_str())
        .find(|description| !description.trim().is_empty())
        .unwrap_or_default()
        .to_owned();

    let mut listed: Vec<VacancyPosting> = postings
        .iter()
        .map(|(head, _)| head.listed.clone())
        .collect();
    listed.sort_by_key(|posting| (posting.first_seen, posting.posting_id));

    let active = listed
        .iter()
        .any(|posting| posting.status == Status::Active);
    let expired_at = if active {
        None
    } else {
        listed.iter().filter_map(|posting| posting.expired_at).max()
    };
    let first_seen = listed
        .iter()
        .map(|posting| posting.first_seen)
        .min()
        .unwrap_or(best_head.listed.first_seen);
    let last_seen = listed
        .iter()
        .map(|posting| posting.last_seen)
        .max()
        .unwrap_or(best_head.listed.last_seen);

    Some(Vacancy {
        id,
        title,
        employer: first(&fields, |f| f.employer.clone()),
        city: place.and_then(|f| f.city.clone()),
        postcode: place.and_then(|f| f.postcode.clone()),
        province: place.and_then(|f| f.province.clone()),
        region: place.and_then(|f| f.region.clone()),
        lat: place.and_then(|f| f.lat),
        lon: place.and_then(|f| f.lon),
        employment_type: first(&fields, |f| f.employment_type),
        hours_min: hours.and_then(|f| f.hours_min),
        hours_max: hours.and_then(|f| f.hours_max),
        salary_min: salary.and_then(|f| f.salary_min),
        salary_max: salary.and_then(|f| f.salary_max),
        salary_currency: salary.and_then(|f| f.salary_currency.clone()),
        salary_period: salary.and_then(|f| f.salary_period),
        salary_month_min: salary.and_then(|f| f.salary_month_min),
        salary_month_max: salary.and_then(|f| f.salary_month_max),
        education_level: first(&fields, |f| f.education_level),
        occupation: occupation.and_then(|f| f.occupation.clone()),
        isco: occupation
            .and_then(|f| f.isco.clone())
            .or_else(|| first(&fields, |f| f.isco.clone())),
        description,
        date_posted: best
            .date_posted
            .or_else(|| fields.iter().filter_map(|f| f.date_posted).min()),
        valid_through: best
            .valid_through
            .or_else(|| fields.iter().filter_map(|f| f.valid_through).max()),
        remote: fields.iter().any(|f| f.remote),
        status: if active {
            Status::Active
        } else {
            Status::Expired
        },
        first_seen,
        last_seen,
        expired_at,
        postings: listed,
        // Dedup never joins audiences; should a cluster mix them, it stays internal.
        audience: postings
            .iter()
            .map(|(head, _)| &head.audience)
            .find(|audience| !audience.is_public())
            .cloned()
            .unwrap_or_default(),
    })
}
