//! Executes a [`SearchRequest`] on one snapshot of the index: text (see `text`), facet
//! filters (OR within a facet, AND across), ranges, distance (the grid cells covering the
//! bounding box, then the exact haversine distance per hit), disjunctive facet counts,
//! sorting, pages and cursors, and snippets.
//!
//! One pass over all hits counts the facets and keeps the best hits of the page with their
//! sort keys (see `collect`); relevance, date and distance, the freshness touch and
//! search-after share that one exact code path. Only the requested facets are counted.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime as ChronoDateTime, NaiveDate};
use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::schema::{Field, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Searcher, TantivyDocument};
use vindwerk_indexer::index::schema::day_to_index;
use vindwerk_indexer::index::{Fields, IndexSnapshot};

use crate::collect::{Collected, ExactHits, HitCollector, Keep, RawHit};
use crate::cursor::{Cursor, SortKey};
use crate::error::ApiError;
use crate::geo::PlaceLookup;
use crate::ordinals::FacetOrdinals;
use crate::params::{Facet, POSTED_WITHIN_DAYS, Page, SearchRequest, Sort};
use crate::snippet::{SNIPPET_CHARS, opening_html, snippet_html};
use crate::text::{TextContext, TextQuery, text_query};
use crate::vocabulary::{Synonyms, Vocabulary};

mod filters;
mod similar;

pub use self::similar::{find_vacancy, similar};

use filters::{Loose, build_query, plan};

/// Most values listed per facet (selected values are always listed).
pub const FACET_LIMIT: usize = 100;
const DAY_SECS: i64 = 86_400;

/// What a search runs on.
pub struct SearchContext<'a> {
    pub snapshot: &'a IndexSnapshot,
    pub vocabulary: &'a Arc<Vocabulary>,
    pub synonyms: &'a Synonyms,
    pub places: &'a dyn PlaceLookup,
    /// "Posted within" counts back from this day.
    pub today: NaiveDate,
}

/// The answer of `/api/search` (CONTRACT.md), with additions: `page`, `per_page`,
/// `understood` and `near`.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub total: u64,
    pub hits: Vec<Hit>,
    pub facets: BTreeMap<String, Vec<FacetCount>>,
    pub next_cursor: Option<String>,
    /// The page number, or `null` for a page after a cursor.
    pub page: Option<usize>,
    pub per_page: usize,
    /// What was read from `q` as filters.
    pub understood: Understood,
    /// The place distances are measured from.
    pub near: Option<NearPlace>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub employer: Option<String>,
    pub city: Option<String>,
    pub status: String,
    pub date_posted: Option<NaiveDate>,
    /// Rounded to 0.1 km; `null` without `near`.
    pub distance_km: Option<f64>,
    /// HTML: escaped text with `<mark>` around matched words.
    pub snippet: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Understood {
    /// The words matched as text.
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours_min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours_max: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salary_min: Option<f64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub remote: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employment_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub education_level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NearPlace {
    pub place: String,
    pub lat: f64,
    pub lon: f64,
    pub km: f64,
}

/// The request with what query understanding read merged in: explicit parameters win.
pub fn search(
    request: &SearchRequest,
    context: &SearchContext<'_>,
) -> Result<SearchResults, ApiError> {
    let plan = plan(request, context.places)?;
    if request.sort == Sort::Nearest && plan.near.is_none() {
        return Err(ApiError::invalid(
            "sort",
            "nearest needs near (a place or a postcode)",
        ));
    }
    let snapshot = context.snapshot;
    let fields = &snapshot.fields;
    let searcher = &snapshot.searcher;
    let text = text_query(
        &plan.text,
        &TextContext {
            index: &snapshot.index,
            searcher,
            fields,
            synonyms: context.synonyms,
            compounds: &context.vocabulary.compounds,
        },
    )
    .map_err(ApiError::internal)?;
    let today = day_to_index(context.today).into_timestamp_secs();
    let within = plan.near.as_ref().map(|(place, km)| (place.point, *km));

    // One pass counts every facet: the selected filters whose counts are asked for are loose
    // (see `filters`).
    let counted: &[Facet] = request.counted.facets();
    let loose = Loose::of(&plan, &request.counted);
    let exact = if request.sort == Sort::Relevance {
        exact_hits(&plan, fields, searcher, text.as_ref(), today)?
    } else {
        None
    };
    let (start, after) = match &request.page {
        Page::Number(page) => ((page - 1).saturating_mul(request.per_page), None),
        Page::After(cursor) => {
            if !same_kind(&cursor.key, request.sort) {
                return Err(ApiError::invalid(
                    "cursor",
                    "was given for another sort order",
                ));
            }
            (0, Some(cursor.clone()))
        }
    };
    let main = HitCollector {
        keep: Some(Keep {
            sort: request.sort,
            // One more than the page shows tells whether a next page exists.
            limit: start.saturating_add(request.per_page).saturating_add(1),
            exact: exact.map(Arc::new),
            after,
        }),
        facet_fields: counted.iter().map(|facet| facet.field()).collect(),
        checks: loose.checks(&plan, today),
        vocabulary: Arc::clone(context.vocabulary),
        within,
        today,
        count_posted_within: request.counted.posted_within(),
    };
    let query = build_query(
        &plan,
        fields,
        text.as_ref().map(|t| &*t.query),
        &loose,
        today,
    );
    let collected = searcher.search(&query, &main).map_err(ApiError::internal)?;

    let mut facets: BTreeMap<String, Vec<FacetCount>> = BTreeMap::new();
    for (facet, counts) in counted.iter().zip(&collected.counts) {
        facets.insert(
            facet.param().to_owned(),
            facet_counts(
                &context.vocabulary.facets,
                *facet,
                counts,
                plan.facets.get(facet),
            ),
        );
    }
    if request.counted.posted_within() {
        facets.insert(
            "posted_within".to_owned(),
            POSTED_WITHIN_DAYS
                .iter()
                .zip(&collected.posted_within)
                .map(|(days, count)| FacetCount {
                    value: days.to_string(),
                    count: *count,
                })
                .collect(),
        );
    }

    let Collected { total, hits, .. } = collected;
    let end = start.saturating_add(request.per_page).min(hits.len());
    let page: &[(SortKey, RawHit)] = hits.get(start..end).unwrap_or_default();
    let next_cursor = (end < hits.len())
        .then(|| page.last())
        .flatten()
        .map(|(key, hit)| {
            Cursor {
                key: *key,
                id: hit.id.clone(),
            }
            .encode()
        });

    let snippets = match &text {
        Some(text) => {
            let mut generator =
                SnippetGenerator::create(searcher, &*text.query, fields.description)
                    .map_err(ApiError::internal)?;
            generator.set_max_num_chars(SNIPPET_CHARS);
            Some(generator)
        }
        None => None,
    };
    let mut result_hits = Vec::with_capacity(page.len());
    for (_, raw) in page {
        result_hits.push(read_hit(searcher, fields, raw, snippets.as_ref())?);
    }
    Ok(SearchResults {
        total,
        hits: result_hits,
        facets,
        next_cursor,
        page: match request.page {
            Page::Number(page) => Some(page),
            Page::After(_) => None,
        },
        per_page: request.per_page,
        understood: plan.understood,
        near: plan.near.map(|(place, km)| NearPlace {
            place: place.name,
            lat: place.point.lat,
            lon: place.point.lon,
            km,
        }),
    })
}

/// The facet's values, most frequent first (then by value), with the selected ones always
/// listed. Only the values listed are named.
fn facet_counts(
    ordinals: &FacetOrdinals,
    facet: Facet,
    counts: &[(u32, u64)],
    selected: Option<&Vec<String>>,
) -> Vec<FacetCount> {
    let Some(field) = ordinals.field(facet.field()) else {
        return Vec::new();
    };
    // Global ordinals follow the values' order, so ties fall by value.
    let order = |a: &(u32, u64), b: &(u32, u64)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
    let mut top: Vec<(u32, u64)> = counts.to_vec();
    if top.len() > FACET_LIMIT {
        top.select_nth_unstable_by(FACET_LIMIT - 1, order);
        top.truncate(FACET_LIMIT);
    }
    top.sort_unstable_by(order);
    let mut values: Vec<FacetCount> = top
        .into_iter()
        .filter_map(|(ordinal, count)| {
            field.value(ordinal).map(|value| FacetCount {
                value: value.to_owned(),
                count,
            })
        })
        .collect();
    for value in selected.into_iter().flatten() {
        if !values.iter().any(|v| v.value == *value) {
            let count = field
                .ordinal(value)
                .and_then(|ordinal| {
                    counts
                        .binary_search_by_key(&ordinal, |(o, _)| *o)
                        .ok()
                        .map(|at| counts[at].1)
                })
                .unwrap_or(0);
            values.push(FacetCount {
                value: value.clone(),
                count,
            });
        }
    }
    values
}

/// The hits that match without a typo, when the text allowed typos.
fn exact_hits(
    plan: &filters::Plan,
    fields: &Fields,
    searcher: &Searcher,
    text: Option<&TextQuery>,
    today: i64,
) -> Result<Option<ExactHits>, ApiError> {
    let Some(exact) = text.and_then(|text| text.exact.as_ref()) else {
        return Ok(None);
    };
    let query = build_query(plan, fields, Some(&**exact), &Loose::none(), today);
    searcher
        .search(&query, &DocSetCollector)
        .map(|found| Some(ExactHits::new(found)))
        .map_err(ApiError::internal)
}

fn same_kind(key: &SortKey, sort: Sort) -> bool {
    matches!(
        (key, sort),
        (SortKey::Relevance { .. }, Sort::Relevance)
            | (SortKey::Newest { .. }, Sort::Newest)
            | (SortKey::Nearest { .. }, Sort::Nearest)
    )
}

pub(crate) fn read_hit(
    searcher: &Searcher,
    fields: &Fields,
    raw: &RawHit,
    snippets: Option<&SnippetGenerator>,
) -> Result<Hit, ApiError> {
    let doc: TantivyDocument = searcher.doc(raw.address).map_err(ApiError::internal)?;
    let text = |field: Field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let description = text(fields.description).unwrap_or_default();
    let snippet = snippets
        .map(|generator| generator.snippet(&description))
        .filter(|snippet| !snippet.highlighted().is_empty())
        .map(|snippet| snippet_html(&snippet))
        .unwrap_or_else(|| opening_html(&description, SNIPPET_CHARS));
    Ok(Hit {
        id: text(fields.id).unwrap_or_else(|| raw.id.clone()),
        title: text(fields.title).unwrap_or_default(),
        employer: text(fields.employer),
        city: text(fields.city),
        status: text(fields.status).unwrap_or_default(),
        date_posted: doc
            .get_first(fields.date_posted)
            .and_then(|v| v.as_datetime())
            .and_then(|date| ChronoDateTime::from_timestamp(date.into_timestamp_secs(), 0))
            .map(|instant| instant.date_naive()),
        distance_km: raw.km.map(|km| (km * 10.0).round() / 10.0),
        snippet,
    })
}
