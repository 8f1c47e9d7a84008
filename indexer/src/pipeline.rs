//! From stored postings to vacancies: normalise every posting, deduplicate them into clusters
//! with stable ids, and merge each cluster into one vacancy.
//!
//! The binary feeds it the store's postings and the previous posting-to-vacancy assignment,
//! and writes the vacancies back into the store and the index; nothing here does IO.

use std::collections::HashMap;

use tracing::info;
use vindwerk_model::{Posting, PostingId, Vacancy, VacancyId};

use crate::dedup::{self, DedupConfig, DedupItem, NormalisedFields, PostingHead};
use crate::normalise::{self, Gazetteer, NormaliseError, Normalised, Occupations};

/// The reference data normalisation needs, loaded once.
#[derive(Debug, Clone)]
pub struct Normaliser {
    pub gazetteer: Gazetteer,
    pub occupations: Occupations,
}

impl Normaliser {
    pub fn load() -> Result<Normaliser, NormaliseError> {
        Ok(Normaliser {
            gazetteer: Gazetteer::load()?,
            occupations: Occupations::load()?,
        })
    }

    pub fn normalise(&self, posting: &Posting) -> Normalised {
        normalise::normalise(&posting.data, &self.gazetteer, &self.occupations)
    }
}

/// The fields a merge takes from a normalised posting.
pub fn merge_fields(normalised: &Normalised) -> NormalisedFields {
    let place = normalised.place.as_ref();
    let salary = normalised.salary.as_ref();
    let hours = normalised.hours.as_ref();
    NormalisedFields {
        title: normalised.title.clone(),
        employer: normalised.employer.clone(),
        city: place.map(|place| place.city.clone()),
        postcode: place.and_then(|place| place.postcode.clone()),
        province: place.and_then(|place| place.province.clone()),
        region: place.and_then(|place| place.region.clone()),
        lat: place.map(|place| place.lat),
        lon: place.map(|place| place.lon),
        employment_type: normalised.employment_type,
        hours_min: hours.and_then(|hours| hours.min),
        hours_max: hours.and_then(|hours| hours.max),
        salary_min: salary.and_then(|salary| salary.min),
        salary_max: salary.and_then(|salary| salary.max),
        salary_currency: salary.and_then(|salary| salary.currency.clone()),
        salary_period: salary.and_then(|salary| salary.period),
        salary_month_min: salary.and_then(|salary| salary.month_min),
        salary_month_max: salary.and_then(|salary| salary.month_max),
        education_level: normalised.education_level,
        occupation: normalised.occupation.clone(),
        isco: normalised.isco.clone(),
        description: normalised.description.clone(),
        date_posted: normalised.date_posted,
        valid_through: normalised.valid_through,
        remote: normalised.remote,
    }
}

/// Each posting normalised: the fields a merge takes, and what dedup compares.
pub fn prepare(
    postings: &[Posting],
    normaliser: &Normaliser,
) -> (Vec<NormalisedFields>, Vec<DedupItem>) {
    postings
        .iter()
        .map(|posting| prepare_one(posting, normaliser))
        .unzip()
}

/// One posting normalised: its merge fields and its dedup item.
fn prepare_one(posting: &Posting, normaliser: &Normaliser) -> (NormalisedFields, DedupItem) {
    let normalised = normaliser.normalise(posting);
    let fields = merge_fields(&normalised);
    let mut item = dedup::dedup_item(posting, &fields);
    item.employer_key = normalised.employer_key;
    (fields, item)
}

/// Postings normalised one at a time as they are read, keeping only what dedup and the merge
/// read: each posting's head (its ids, dates and status, a third of a [`Posting`]), its merge
/// fields, and its dedup item, which holds the one copy of its URL and text (as plain text)
/// until dedup is done; the head gets the URL back for the merge. A store of a million
/// postings is never in memory as HTML.
#[derive(Debug, Default)]
pub struct Prepared {
    heads: Vec<PostingHead>,
    fields: Vec<NormalisedFields>,
    items: Vec<DedupItem>,
}

impl Prepared {
    pub fn new() -> Prepared {
        Prepared::default()
    }

    /// Normalises `posting` and keeps what the vacancies need of it.
    pub fn push(&mut self, posting: Posting, normaliser: &Normaliser) {
        let (mut fields, item) = prepare_one(&posting, normaliser);
        // The dedup item holds the text; the merge gets it back once dedup is done.
        fields.description = String::new();
        let mut head = PostingHead::from(&posting);
        head.listed.url = String::new();
        self.heads.push(head);
        self.fields.push(fields);
        self.items.push(item);
    }

    pub fn len(&self) -> usize {
        self.heads.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heads.is_empty()
    }

    /// Every vacancy the postings make. `previous` is the assignment of the last run (empty
    /// on the first), so that vacancies keep their ids.
    pub fn into_vacancies(self, previous: &HashMap<PostingId, VacancyId>) -> Vec<Vacancy> {
        self.into_vacancies_among(previous, &|_| false)
    }

    /// [`Prepared::into_vacancies`] beside vacancies that are not in it (settled ones): no new
    /// vacancy gets an id that `in_use` says is in use.
    pub fn into_vacancies_among(
        self,
        previous: &HashMap<PostingId, VacancyId>,
        in_use: &dyn Fn(&VacancyId) -> bool,
    ) -> Vec<Vacancy> {
        let Prepared {
            mut heads,
            mut fields,
            mut items,
        } = self;
        // What the vectors grew by beyond their length is returned before dedup, which holds
        // as much again.
        heads.shrink_to_fit();
        fields.shrink_to_fit();
        items.shrink_to_fit();
        let started = std::time::Instant::now();
        let clusters = dedup::deduplicate_among(&items, previous, in_use, &DedupConfig::default());
        info!(
            postings = items.len(),
            seconds = started.elapsed().as_secs_f64(),
            "deduplicated"
        );
        for ((head, fields), item) in heads.iter_mut().zip(fields.iter_mut()).zip(items) {
            fields.description = item.description;
            head.listed.url = item.url;
        }
        merge_clusters(&heads, fields, clusters)
    }
}

/// Every vacancy the postings make, as [`Prepared`] makes them from a store. `previous` is the
/// assignment of the last run (empty on the first), so that vacancies keep their ids.
pub fn build_vacancies(
    postings: &[Posting],
    previous: &HashMap<PostingId, VacancyId>,
    normaliser: &Normaliser,
) -> Vec<Vacancy> {
    let mut prepared = Prepared::new();
    for posting in postings {
        prepared.push(posting.clone(), normaliser);
    }
    prepared.into_vacancies(previous)
}

/// Each cluster merged into its vacancy. A merged posting's text is let go at once: the
/// vacancy holds its own copy.
fn merge_clusters(
    heads: &[PostingHead],
    mut fields: Vec<NormalisedFields>,
    clusters: Vec<dedup::Cluster>,
) -> Vec<Vacancy> {
    let index_of: HashMap<PostingId, usize> = heads
        .iter()
        .enumerate()
        .map(|(index, head)| (head.listed.posting_id, index))
        .collect();
    let mut vacancies = Vec::with_capacity(clusters.len());
    for cluster in clusters {
        let indices: Vec<usize> = cluster
            .postings
            .iter()
            .filter_map(|id| index_of.get(id).copied())
            .collect();
        let members: Vec<(&PostingHead, &NormalisedFields)> = indices
            .iter()
            .map(|&index| (&heads[index], &fields[index]))
            .collect();
        if let Some(vacancy) = dedup::merge_vacancy(cluster.id, &members) {
            vacancies.push(vacancy);
        }
        for index in indices {
            fields[index].description = String::new();
        }
    }
    vacancies
}
