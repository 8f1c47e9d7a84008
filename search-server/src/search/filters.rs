//! The plan of a search (the request with what query understanding read merged in) and its
//! tantivy query: text, facet filters (OR within a facet, AND across), ranges, dates, remote
//! work and the cells of the grid that cover the distance's bounding box.
//!
//! A selected filter whose own counts are asked for is *loose*: its counts must leave it out
//! (disjunctive counts), so the query asks only that all loose filters but one hold, and the
//! collector tells per hit which hold (see `collect`). One pass then counts every facet.
//! Filters never score: they only narrow, the text alone ranks.

use std::collections::BTreeMap;
use std::ops::Bound;

use chrono::NaiveDate;
use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use vindwerk_indexer::index::schema::day_to_index;
use vindwerk_indexer::index::{Fields, grid};

use super::{DAY_SECS, Understood};
use crate::collect::Check;
use crate::error::ApiError;
use crate::geo::{BoundingBox, Place, PlaceLookup};
use crate::params::{Counted, DEFAULT_KM, Facet, Range, SearchRequest};
use crate::understand::understand;

pub(super) struct Plan {
    pub(super) text: String,
    pub(super) facets: BTreeMap<Facet, Vec<String>>,
    pub(super) salary: Range,
    pub(super) hours: Range,
    pub(super) posted_after: Option<NaiveDate>,
    pub(super) expired_after: Option<NaiveDate>,
    pub(super) new_since: Option<i64>,
    pub(super) posted_within: Option<u32>,
    pub(super) remote: Option<bool>,
    pub(super) near: Option<(Place, f64)>,
    pub(super) understood: Understood,
}

/// The selected filters whose own counts are asked for: the query asks that all of them but
/// one hold, the collector checks each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Loose {
    /// In [`Facet::ALL`] order.
    pub(super) facets: Vec<Facet>,
    pub(super) posted_within: bool,
}

impl Loose {
    /// Every filter applies in the query.
    pub(super) fn none() -> Loose {
        Loose::default()
    }

    /// The filters of `plan` that `counted` asks counts of.
    pub(super) fn of(plan: &Plan, counted: &Counted) -> Loose {
        Loose {
            facets: counted
                .facets()
                .iter()
                .copied()
                .filter(|facet| plan.facets.get(facet).is_some_and(|v| !v.is_empty()))
                .collect(),
            posted_within: counted.posted_within() && plan.posted_within.is_some(),
        }
    }

    /// The collector's checks.
    pub(super) fn checks(&self, plan: &Plan, today: i64) -> Vec<Check> {
        let mut checks: Vec<Check> = self
            .facets
            .iter()
            .map(|facet| Check::Values {
                field: facet.field(),
                values: plan.facets.get(facet).cloned().unwrap_or_default(),
            })
            .collect();
        if self.posted_within
            && let Some(days) = plan.posted_within
        {
            checks.push(Check::PostedSince(posted_since(today, days)));
        }
        checks
    }
}

fn posted_since(today: i64, days: u32) -> i64 {
    today - i64::from(days) * DAY_SECS
}

/// Runs `request`.
pub(super) fn plan(request: &SearchRequest, places: &dyn PlaceLookup) -> Result<Plan, ApiError> {
    let mut plan = Plan {
        text: request.q.clone(),
        facets: request.facets.clone(),
        salary: request.salary,
        hours: request.hours,
        posted_after: request.posted_after,
        expired_after: request.expired_after,
        new_since: request.new_since.map(|instant| instant.timestamp()),
        posted_within: request.posted_within,
        remote: request.remote,
        near: None,
        understood: Understood::default(),
    };
    if let Some(near) = &request.near {
        let place = places.locate(&near.place).ok_or_else(|| {
            ApiError::invalid(
                "near",
                format!("unknown place or postcode {:?}", near.place),
            )
        })?;
        plan.near = Some((place, near.km));
    }
    if request.q.trim().is_empty() {
        return Ok(plan);
    }
    let read = understand(&request.q, places);
    plan.text = read.text.clone();
    plan.understood.text = read.text;
    let mut add_facet = |facet: Facet, value: Option<String>| -> Option<String> {
        let value = value?;
        let selected = plan.facets.entry(facet).or_default();
        if !selected.is_empty() {
            return None;
        }
        selected.push(value.clone());
        Some(value)
    };
    plan.understood.employment_type = add_facet(
        Facet::EmploymentType,
        read.employment_type.map(|v| v.as_str().to_owned()),
    );
    plan.understood.education_level = add_facet(
        Facet::EducationLevel,
        read.education_level.map(|v| v.as_str().to_owned()),
    );
    plan.understood.province = add_facet(Facet::Province, read.province);
    if let Some(hours) = read.hours
        && plan.hours.is_open()
    {
        plan.hours = hours;
        plan.understood.hours_min = hours.min;
        plan.understood.hours_max = hours.max;
    }
    if let Some(salary) = read.salary_min
        && plan.salary.min.is_none()
        && plan.salary.max.is_none_or(|max| max >= salary)
    {
        plan.salary.min = Some(salary);
        plan.understood.salary_min = Some(salary);
    }
    if read.remote && plan.remote.is_none() {
        plan.remote = Some(true);
        plan.understood.remote = true;
    }
    if let Some(place) = read.place
        && plan.near.is_none()
    {
        plan.understood.place = Some(place.name.clone());
        plan.near = Some((place, DEFAULT_KM));
    }
    Ok(plan)
}

/// The query of the plan: every filter applies but the `loose` ones, of which all but one
/// must hold.
pub(super) fn build_query(
    plan: &Plan,
    fields: &Fields,
    text: Option<&dyn Query>,
    loose: &Loose,
    today: i64,
) -> BooleanQuery {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    match text {
        Some(text) => clauses.push((Occur::Must, text.box_clone())),
        // Every vacancy scores the same, so that freshness alone ranks: a bare `AllQuery`
        // would be dropped from an intersection with the filters, and its score with it.
        None => clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(AllQuery), 1.0)),
        )),
    }
    let mut loose_clauses: Vec<Box<dyn Query>> = Vec::new();
    for (facet, values) in &plan.facets {
        if values.is_empty() {
            continue;
        }
        let field = facet_field(fields, *facet);
        let any: Vec<(Occur, Box<dyn Query>)> = values
            .iter()
            .map(|value| {
                let term = TermQuery::new(
                    Term::from_field_text(field, value),
                    IndexRecordOption::Basic,
                );
                (Occur::Should, Box::new(term) as Box<dyn Query>)
            })
            .collect();
        let filter = unscored(BooleanQuery::new(any));
        if loose.facets.contains(facet) {
            loose_clauses.push(filter);
        } else {
            clauses.push((Occur::Must, filter));
        }
    }
    overlap(
        &mut clauses,
        plan.salary,
        fields.salary_month_min,
        fields.salary_month_max,
    );
    overlap(&mut clauses, plan.hours, fields.hours_min, fields.hours_max);
    if let Some(day) = plan.posted_after {
        clauses.push(at_least_date(
            fields.posted,
            day_to_index(day).into_timestamp_secs(),
        ));
    }
    if let Some(day) = plan.expired_after {
        clauses.push(at_least_date(
            fields.expired,
            day_to_index(day).into_timestamp_secs(),
        ));
    }
    if let Some(seconds) = plan.new_since {
        // Seen after that second: the index keeps whole seconds.
        clauses.push(at_least_date(fields.first_seen, seconds.saturating_add(1)));
    }
    if let Some(days) = plan.posted_within {
        let (occur, filter) = at_least_date(fields.posted, posted_since(today, days));
        if loose.posted_within {
            loose_clauses.push(filter);
        } else {
            clauses.push((occur, filter));
        }
    }
    // All but one: with one loose filter, that is none of it.
    if loose_clauses.len() > 1 {
        let at_least = loose_clauses.len() - 1;
        clauses.push((
            Occur::Must,
            Box::new(BooleanQuery::union_with_minimum_required_clauses(
                loose_clauses,
                at_least,
            )),
        ));
    }
    if let Some(remote) = plan.remote {
        let term = TermQuery::new(
            Term::from_field_bool(fields.remote, remote),
            IndexRecordOption::Basic,
        );
        clauses.push((Occur::Must, unscored(term)));
    }
    if let Some((place, km)) = &plan.near {
        // The cells covering the bounding box; the collector keeps the hits whose exact
        // distance is within `km`.
        let bbox = BoundingBox::around(place.point, *km);
        let cells = grid::cover(bbox.min_lat, bbox.max_lat, bbox.min_lon, bbox.max_lon)
            .into_iter()
            .map(|cell| Term::from_field_text(fields.geo_cell, &cell));
        clauses.push((Occur::Must, Box::new(TermSetQuery::new(cells))));
    }
    BooleanQuery::new(clauses)
}

/// A vacancy's range `[min, max]` (either may be unknown) must overlap the wanted range: its
/// top reaches the wanted minimum, its bottom stays under the wanted maximum. One known end
/// stands for both.
fn overlap(
    clauses: &mut Vec<(Occur, Box<dyn Query>)>,
    wanted: Range,
    min_field: Field,
    max_field: Field,
) {
    if let Some(low) = wanted.min {
        let either = [max_field, min_field].map(|field| {
            let range = RangeQuery::new(
                Bound::Included(Term::from_field_f64(field, low)),
                Bound::Unbounded,
            );
            (Occur::Should, Box::new(range) as Box<dyn Query>)
        });
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(either.into()))));
    }
    if let Some(high) = wanted.max {
        let either = [min_field, max_field].map(|field| {
            let range = RangeQuery::new(
                Bound::Unbounded,
                Bound::Included(Term::from_field_f64(field, high)),
            );
            (Occur::Should, Box::new(range) as Box<dyn Query>)
        });
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(either.into()))));
    }
}

/// A filter that adds nothing to the score.
fn unscored(query: impl Query) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(Box::new(query), 0.0))
}

fn at_least_date(field: Field, seconds: i64) -> (Occur, Box<dyn Query>) {
    let range = RangeQuery::new(
        Bound::Included(Term::from_field_date(
            field,
            tantivy::DateTime::from_timestamp_secs(seconds),
        )),
        Bound::Unbounded,
    );
    (Occur::Must, Box::new(range))
}

fn facet_field(fields: &Fields, facet: Facet) -> Field {
    match facet {
        Facet::Status => fields.status,
        Facet::Province => fields.province,
        Facet::Region => fields.region,
        Facet::City => fields.city,
        Facet::Occupation => fields.occupation,
        Facet::Isco => fields.isco_path,
        Facet::EmploymentType => fields.employment_type,
        Facet::EducationLevel => fields.education_level,
        Facet::HoursBand => fields.hours_band,
        Facet::SalaryBand => fields.salary_band,
        Facet::Employer => fields.employer,
        Facet::Channel => fields.channel,
        Facet::SourceKind => fields.source_kind,
    }
}
