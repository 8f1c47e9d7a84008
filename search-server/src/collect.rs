//! One pass over the hits of a query: the exact distance filter, the best hits in the order
//! asked for, and the counts of facet values, read from the fast fields per segment.
//!
//! Counting per term ordinal, turned into the generation's global ordinals at the end of each
//! segment (see `ordinals`), keeps the pass cheap: no value is named here.
//!
//! Disjunctive counts come from the same pass. The query leaves the selected filters whose
//! counts are asked for *loose* (all but one must hold, see `search::filters`); the pass checks
//! each loose filter on the hit's fast fields. A hit that passes them all is a hit and counts
//! everywhere; a hit that fails one counts only for that filter's own facet, as if that filter
//! were not selected.
//!
//! Of the hits, each segment keeps only the best `limit` by sort key and then id (a segment's
//! id ordinals sort as its ids do), so a search reads the ids and sorts only the hits a page
//! can show, however many match.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DateTime, DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};
use vindwerk_indexer::index::field;

use crate::cursor::{Cursor, SortKey};
use crate::geo::{GeoPoint, haversine_km};
use crate::params::{POSTED_WITHIN_DAYS, Sort};
use crate::vocabulary::Vocabulary;

const DAY_SECS: i64 = 86_400;
/// How much a brand-new vacancy gains over an old one of the same score.
const FRESHNESS: f32 = 0.15;
/// Days after which the freshness touch has halved.
const FRESHNESS_HALF_LIFE_DAYS: f32 = 14.0;

/// A hit before its stored fields are read.
#[derive(Debug, Clone)]
pub struct RawHit {
    pub address: DocAddress,
    pub score: Score,
    pub km: Option<f64>,
    /// The posting day (seconds since the epoch).
    pub posted: Option<i64>,
    pub id: String,
    /// The id's ordinal in its segment (`u64::MAX`: unreadable).
    pub(crate) id_ord: u64,
}

/// What one pass found.
#[derive(Debug, Default)]
pub struct Collected {
    pub total: u64,
    /// The best hits after the cursor, at most `limit`, in order.
    pub hits: Vec<(SortKey, RawHit)>,
    /// Per facet field asked for, (global ordinal, count) of the values counted, by ordinal.
    pub counts: Vec<Vec<(u32, u64)>>,
    /// Hits posted within each of [`POSTED_WITHIN_DAYS`] of today.
    pub posted_within: Vec<u64>,
    /// Per segment that kept hits, its id column: ids are named once the segments' hits
    /// are merged, only for the hits that can make the page.
    id_columns: Vec<(SegmentOrdinal, StrColumn)>,
}

/// Which hits the main pass keeps.
#[derive(Debug, Clone)]
pub struct Keep {
    pub sort: Sort,
    /// The most hits kept: the best ones, in the order of `sort`, then id.
    pub limit: usize,
    /// For relevance: the hits that match without a typo sort first. `None`: all do.
    pub exact: Option<Arc<ExactHits>>,
    /// Only hits that sort after this one.
    pub after: Option<Cursor>,
}

/// The documents that match a query without typos, per segment.
#[derive(Debug, Default)]
pub struct ExactHits {
    segments: HashMap<SegmentOrdinal, HashSet<DocId>>,
}

impl ExactHits {
    pub fn new(addresses: HashSet<DocAddress>) -> ExactHits {
        let mut segments: HashMap<SegmentOrdinal, HashSet<DocId>> = HashMap::new();
        for address in addresses {
            segments
                .entry(address.segment_ord)
                .or_default()
                .insert(address.doc_id);
        }
        ExactHits { segments }
    }
}

/// A loose filter, checked per hit.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// The hit holds one of these values of a fast string field.
    Values {
        field: &'static str,
        values: Vec<String>,
    },
    /// The hit was posted at or after this second.
    PostedSince(i64),
}

/// The collector of one pass.
pub struct HitCollector {
    /// Keep the best hits, or only count.
    pub keep: Option<Keep>,
    /// Fast string fields to count values of.
    pub facet_fields: Vec<&'static str>,
    /// The loose filters. A hit that fails only the one on a counted field (or only "posted
    /// within") still counts for that field (or for "posted within").
    pub checks: Vec<Check>,
    /// The generation's vocabulary, whose facet ordinals name the counts.
    pub vocabulary: Arc<Vocabulary>,
    /// Only hits within this many km of this point; each hit gets its distance.
    pub within: Option<(GeoPoint, f64)>,
    /// Midnight UTC of today, for "posted within" and freshness.
    pub today: i64,
    pub count_posted_within: bool,
}

/// Where a hit sorts: relevance is the score with a touch of freshness, exact matches first.
pub fn sort_key(
    sort: Sort,
    score: Score,
    posted: Option<i64>,
    km: Option<f64>,
    exact: bool,
    today: i64,
) -> SortKey {
    match sort {
        Sort::Relevance => {
            let freshness = posted.map_or(0.0, |posted| {
                let age_days = ((today - posted) as f32 / DAY_SECS as f32).max(0.0);
                FRESHNESS * 0.5f32.powf(age_days / FRESHNESS_HALF_LIFE_DAYS)
            });
            SortKey::Relevance {
                exact,
                score: score * (1.0 + freshness),
            }
        }
        Sort::Newest => SortKey::Newest {
            posted: posted.unwrap_or(i64::MIN),
        },
        Sort::Nearest => SortKey::Nearest {
            km: km.unwrap_or(f64::INFINITY),
        },
    }
}

/// A hit a segment may keep; `id_ord` orders ties as the ids do within the segment.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    key: SortKey,
    id_ord: u64,
    doc: DocId,
    score: Score,
    km: Option<f64>,
    posted: Option<i64>,
}

fn candidate_order(a: &Candidate, b: &Candidate) -> Ordering {
    a.key.compare(&b.key).then(a.id_ord.cmp(&b.id_ord))
}

/// What a segment keeps of its hits.
struct SegmentKeep {
    sort: Sort,
    limit: usize,
    exact: Option<Arc<ExactHits>>,
    after: Option<Cursor>,
    candidates: Vec<Candidate>,
    /// Once the candidates were cut to `limit`: the worst kept; no worse hit gets in.
    worst: Option<Candidate>,
}

impl SegmentKeep {
    fn is_exact(&self, address: DocAddress) -> bool {
        self.exact.as_ref().is_none_or(|exact| {
            exact
                .segments
                .get(&address.segment_ord)
                .is_some_and(|docs| docs.contains(&address.doc_id))
        })
    }

    fn cut(&mut self) {
        if self.candidates.len() <= self.limit {
            return;
        }
        let Some(last) = self.limit.checked_sub(1) else {
            self.candidates.clear();
            return;
        };
        self.candidates
            .select_nth_unstable_by(last, candidate_order);
        self.candidates.truncate(self.limit);
        self.worst = self.candidates.get(last).copied();
    }
}

/// A loose filter in one segment's terms.
enum SegmentCheck {
    /// The segment ordinals of the wanted values; without the column, no hit holds.
    Values {
        column: Option<StrColumn>,
        ords: Vec<u64>,
    },
    PostedSince(i64),
}

impl SegmentCheck {
    fn of(check: &Check, fast: &tantivy::fastfield::FastFieldReaders) -> tantivy::Result<Self> {
        Ok(match check {
            Check::Values { field, values } => {
                let column = fast.str(field)?;
                let mut ords = Vec::with_capacity(values.len());
                if let Some(column) = &column {
                    for value in values {
                        if let Some(ord) = column.dictionary().term_ord(value.as_bytes())? {
                            ords.push(ord);
                        }
                    }
                }
                SegmentCheck::Values { column, ords }
            }
            Check::PostedSince(since) => SegmentCheck::PostedSince(*since),
        })
    }

    fn holds(&self, doc: DocId, posted: Option<i64>) -> bool {
        match self {
            SegmentCheck::Values { column, ords } => column
                .as_ref()
                .is_some_and(|column| column.term_ords(doc).any(|ord| ords.contains(&ord))),
            SegmentCheck::PostedSince(since) => posted.is_some_and(|posted| posted >= *since),
        }
    }
}

pub struct SegmentHits {
    segment: SegmentOrdinal,
    segment_id: SegmentId,
    vocabulary: Arc<Vocabulary>,
    facet_fields: Vec<&'static str>,
    today: i64,
    within: Option<(GeoPoint, f64)>,
    lat: Option<Column<f64>>,
    lon: Option<Column<f64>>,
    posted: Option<Column<DateTime>>,
    id: Option<StrColumn>,
    facets: Vec<Option<StrColumn>>,
    /// Per facet, count per term ordinal.
    ord_counts: Vec<Vec<u64>>,
    checks: Vec<SegmentCheck>,
    /// Per facet, its own loose filter in `checks`.
    own_checks: Vec<Option<usize>>,
    /// The loose "posted within" filter in `checks`.
    posted_within_check: Option<usize>,
    /// Whether a hit's posting day is read.
    reads_posted: bool,
    /// The earliest posting second of each "posted within" bucket; empty when not counted.
    posted_since: Vec<i64>,
    posted_counts: Vec<u64>,
    total: u64,
    keep: Option<SegmentKeep>,
}

impl Collector for HitCollector {
    type Fruit = Collected;
    type Child = SegmentHits;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentHits> {
        let fast = reader.fast_fields();
        let mut facets = Vec::with_capacity(self.facet_fields.len());
        let mut ord_counts = Vec::with_capacity(self.facet_fields.len());
        for name in &self.facet_fields {
            let column = fast.str(name)?;
            ord_counts.push(vec![0; column.as_ref().map_or(0, |c| c.num_terms())]);
            facets.push(column);
        }
        let posted_since: Vec<i64> = if self.count_posted_within {
            POSTED_WITHIN_DAYS
                .iter()
                .map(|days| self.today - i64::from(*days) * DAY_SECS)
                .collect()
        } else {
            Vec::new()
        };
        let checks = self
            .checks
            .iter()
            .map(|check| SegmentCheck::of(check, fast))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let reads_posted = self.keep.is_some()
            || !posted_since.is_empty()
            || checks
                .iter()
                .any(|check| matches!(check, SegmentCheck::PostedSince(_)));
        Ok(SegmentHits {
            segment,
            segment_id: reader.segment_id(),
            vocabulary: Arc::clone(&self.vocabulary),
            facet_fields: self.facet_fields.clone(),
            today: self.today,
            within: self.within,
            lat: fast.column_opt(field::LAT)?,
            lon: fast.column_opt(field::LON)?,
            posted: fast.column_opt(field::POSTED)?,
            id: if self.keep.is_some() {
                fast.str(field::ID)?
            } else {
                None
            },
            facets,
            ord_counts,
            checks,
            own_checks: self
                .facet_fields
                .iter()
                .map(|name| {
                    self.checks.iter().position(
                        |check| matches!(check, Check::Values { field, .. } if field == name),
                    )
                })
                .collect(),
            posted_within_check: self
                .checks
                .iter()
                .position(|check| matches!(check, Check::PostedSince(_))),
            reads_posted,
            posted_counts: vec![0; posted_since.len()],
            posted_since,
            total: 0,
            keep: self.keep.as_ref().map(|keep| SegmentKeep {
                sort: keep.sort,
                limit: keep.limit,
                exact: keep.exact.clone(),
                after: keep.after.clone(),
                candidates: Vec::new(),
                worst: None,
            }),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.keep
            .as_ref()
            .is_some_and(|keep| keep.sort == Sort::Relevance)
    }

    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let mut dense: Vec<Vec<u64>> = self
            .facet_fields
            .iter()
            .map(|name| vec![0; self.vocabulary.facets.field(name).map_or(0, |f| f.len())])
            .collect();
        let mut merged = Collected {
            posted_within: vec![
                0;
                if self.count_posted_within {
                    POSTED_WITHIN_DAYS.len()
                } else {
                    0
                }
            ],
            ..Collected::default()
        };
        for fruit in fruits {
            merged.total += fruit.total;
            merged.hits.extend(fruit.hits);
            merged.id_columns.extend(fruit.id_columns);
            for (into, from) in dense.iter_mut().zip(fruit.counts) {
                for (ordinal, count) in from {
                    if let Some(slot) = into.get_mut(ordinal as usize) {
                        *slot += count;
                    }
                }
            }
            for (into, from) in merged.posted_within.iter_mut().zip(fruit.posted_within) {
                *into += from;
            }
        }
        merged.counts = dense
            .into_iter()
            .map(|counts| {
                counts
                    .into_iter()
                    .enumerate()
                    .filter(|(_, count)| *count > 0)
                    .map(|(ordinal, count)| (ordinal as u32, count))
                    .collect()
            })
            .collect();
        if let Some(keep) = &self.keep {
            name_best(&mut merged.hits, &merged.id_columns, keep.limit);
            merged.hits.sort_by(|(a, hit_a), (b, hit_b)| {
                a.compare(b).then_with(|| hit_a.id.cmp(&hit_b.id))
            });
            merged.hits.truncate(keep.limit);
        }
        Ok(merged)
    }
}

/// Names the ids of the hits that can be among the best `limit`: the best by sort key, with
/// every hit that ties the last of them (ids break ties). The others are dropped unnamed.
fn name_best(
    hits: &mut Vec<(SortKey, RawHit)>,
    id_columns: &[(SegmentOrdinal, StrColumn)],
    limit: usize,
) {
    hits.sort_by(|(a, _), (b, _)| a.compare(b));
    if let Some(last) = limit
        .checked_sub(1)
        .and_then(|last| hits.get(last))
        .map(|(k, _)| *k)
    {
        let ties = hits.partition_point(|(key, _)| key.compare(&last) != Ordering::Greater);
        hits.truncate(ties);
    } else if limit == 0 {
        hits.clear();
    }
    for (segment, column) in id_columns {
        // Ids are named in ordinal order in one walk over the dictionary: looking each one
        // up on its own decodes a dictionary block per hit.
        let mut of_segment: Vec<&mut RawHit> = hits
            .iter_mut()
            .map(|(_, hit)| hit)
            .filter(|hit| hit.address.segment_ord == *segment && hit.id_ord != u64::MAX)
            .collect();
        of_segment.sort_unstable_by_key(|hit| hit.id_ord);
        let ords: Vec<u64> = of_segment.iter().map(|hit| hit.id_ord).collect();
        let mut next = of_segment.into_iter();
        let _ = column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
            if let Some(hit) = next.next() {
                hit.id = String::from_utf8_lossy(bytes).into_owned();
            }
        });
    }
}

impl SegmentHits {
    fn distance(&self, doc: DocId) -> Option<Option<f64>> {
        let Some((centre, km)) = self.within else {
            return Some(None);
        };
        let lat = self.lat.as_ref()?.first(doc)?;
        let lon = self.lon.as_ref()?.first(doc)?;
        let distance = haversine_km(centre, GeoPoint::new(lat, lon));
        (distance <= km).then_some(Some(distance))
    }

    fn id_of(&self, id_ord: u64) -> String {
        let mut id = String::new();
        if let Some(column) = &self.id
            && id_ord != u64::MAX
        {
            let _ = column.ord_to_str(id_ord, &mut id);
        }
        id
    }

    /// Keeps the hit if it is among the best so far (and after the cursor).
    fn consider(&mut self, doc: DocId, score: Score, km: Option<f64>, posted: Option<i64>) {
        let segment = self.segment;
        let today = self.today;
        // An id that cannot be read sorts last in its segment; the hit still shows, its id
        // comes from the stored document.
        let id_ord = self
            .id
            .as_ref()
            .and_then(|column| column.term_ords(doc).next())
            .unwrap_or(u64::MAX);
        let Some(keep) = &self.keep else {
            return;
        };
        let exact = keep.sort == Sort::Relevance && keep.is_exact(DocAddress::new(segment, doc));
        let candidate = Candidate {
            key: sort_key(keep.sort, score, posted, km, exact, today),
            id_ord,
            doc,
            score,
            km,
            posted,
        };
        if let Some(worst) = &keep.worst
            && candidate_order(&candidate, worst) != Ordering::Less
        {
            return;
        }
        if let Some(after) = &keep.after {
            match after.key.compare(&candidate.key) {
                Ordering::Less => {}
                Ordering::Greater => return,
                Ordering::Equal => {
                    if after.id.as_str() >= self.id_of(id_ord).as_str() {
                        return;
                    }
                }
            }
        }
        let Some(keep) = &mut self.keep else {
            return;
        };
        keep.candidates.push(candidate);
        if keep.candidates.len() >= keep.limit.saturating_mul(2).max(16) {
            keep.cut();
        }
    }
}

impl SegmentCollector for SegmentHits {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(km) = self.distance(doc) else {
            return;
        };
        let posted = if self.reads_posted {
            self.posted
                .as_ref()
                .and_then(|column| column.first(doc))
                .map(|date| date.into_timestamp_secs())
        } else {
            None
        };
        // The loose filter the hit fails, if one; failing two, it counts nowhere.
        let mut failed = None;
        for (index, check) in self.checks.iter().enumerate() {
            if !check.holds(doc, posted) {
                if failed.is_some() {
                    return;
                }
                failed = Some(index);
            }
        }
        let counts_for = |own: Option<usize>| failed.is_none() || failed == own;
        for ((column, counts), own) in self
            .facets
            .iter()
            .zip(self.ord_counts.iter_mut())
            .zip(&self.own_checks)
        {
            if let Some(column) = column
                && counts_for(*own)
            {
                for ord in column.term_ords(doc) {
                    if let Some(count) = counts.get_mut(ord as usize) {
                        *count += 1;
                    }
                }
            }
        }
        if let Some(posted) = posted
            && counts_for(self.posted_within_check)
        {
            for (since, count) in self.posted_since.iter().zip(self.posted_counts.iter_mut()) {
                if posted >= *since {
                    *count += 1;
                }
            }
        }
        if failed.is_some() {
            return;
        }
        self.total += 1;
        if self.keep.is_some() {
            self.consider(doc, score, km, posted);
        }
    }

    fn harvest(mut self) -> Collected {
        let mut hits = Vec::new();
        if let Some(mut keep) = self.keep.take() {
            keep.cut();
            hits = keep
                .candidates
                .into_iter()
                .map(|candidate| {
                    (
                        candidate.key,
                        RawHit {
                            address: DocAddress::new(self.segment, candidate.doc),
                            score: candidate.score,
                            km: candidate.km,
                            posted: candidate.posted,
                            id: String::new(),
                            id_ord: candidate.id_ord,
                        },
                    )
                })
                .collect();
        }
        // Segment ordinals become global ones: no dictionary is read.
        let mut counts = Vec::with_capacity(self.facets.len());
        for (name, ord_counts) in self.facet_fields.iter().zip(self.ord_counts) {
            let global = self
                .vocabulary
                .facets
                .field(name)
                .and_then(|field| field.of_segment(self.segment_id))
                .unwrap_or_default();
            let counted: Vec<(u32, u64)> = ord_counts
                .into_iter()
                .enumerate()
                .filter(|(_, count)| *count > 0)
                .filter_map(|(ord, count)| global.get(ord).map(|global| (*global, count)))
                .collect();
            counts.push(counted);
        }
        Collected {
            total: self.total,
            id_columns: match self.id {
                Some(column) if !hits.is_empty() => vec![(self.segment, column)],
                _ => Vec::new(),
            },
            hits,
            counts,
            posted_within: self.posted_counts,
        }
    }
}
