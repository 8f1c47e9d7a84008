//! One pass over the hits of a query: the exact distance filter, the hit list with what it
//! sorts by, and the counts of facet values, read from the fast fields per segment.
//!
//! Counting per term ordinal and naming the values once per segment keeps the pass cheap; the
//! disjunctive counts of a selected facet are another pass with the facet's own filter left
//! out (see `search`).

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DateTime, DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};
use vindwerk_indexer::index::field;

use crate::geo::{GeoPoint, haversine_km};
use crate::params::POSTED_WITHIN_DAYS;

const DAY_SECS: i64 = 86_400;

/// A hit before its stored fields are read.
#[derive(Debug, Clone)]
pub struct RawHit {
    pub address: DocAddress,
    pub score: Score,
    pub km: Option<f64>,
    /// The posting day (seconds since the epoch).
    pub posted: Option<i64>,
    pub id: String,
}

/// What one pass found.
#[derive(Debug, Default)]
pub struct Collected {
    pub total: u64,
    pub hits: Vec<RawHit>,
    /// Per facet field asked for, value -> count.
    pub counts: Vec<HashMap<String, u64>>,
    /// Hits posted within each of [`POSTED_WITHIN_DAYS`] of today.
    pub posted_within: Vec<u64>,
}

/// The collector of one pass.
pub struct HitCollector {
    /// Keep the hits (the main pass), or only count (a facet's disjunctive pass).
    pub keep_hits: bool,
    /// Fast string fields to count values of.
    pub facet_fields: Vec<&'static str>,
    /// Only hits within this many km of this point; each hit gets its distance.
    pub within: Option<(GeoPoint, f64)>,
    /// Midnight UTC of today, for "posted within".
    pub today: i64,
    pub count_posted_within: bool,
}

pub struct SegmentHits {
    segment: SegmentOrdinal,
    keep_hits: bool,
    within: Option<(GeoPoint, f64)>,
    lat: Option<Column<f64>>,
    lon: Option<Column<f64>>,
    posted: Option<Column<DateTime>>,
    id: Option<StrColumn>,
    facets: Vec<Option<StrColumn>>,
    /// Per facet, count per term ordinal.
    ord_counts: Vec<Vec<u64>>,
    /// The earliest posting second of each "posted within" bucket; empty when not counted.
    posted_since: Vec<i64>,
    posted_counts: Vec<u64>,
    total: u64,
    hits: Vec<RawHit>,
    /// The id's term ordinal of each kept hit, named in one pass at harvest.
    id_ords: Vec<u64>,
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
        Ok(SegmentHits {
            segment,
            keep_hits: self.keep_hits,
            within: self.within,
            lat: fast.column_opt(field::LAT)?,
            lon: fast.column_opt(field::LON)?,
            posted: fast.column_opt(field::POSTED)?,
            id: if self.keep_hits {
                fast.str(field::ID)?
            } else {
                None
            },
            facets,
            ord_counts,
            posted_counts: vec![0; posted_since.len()],
            posted_since,
            total: 0,
            hits: Vec::new(),
            id_ords: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.keep_hits
    }

    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let mut merged = Collected {
            counts: vec![HashMap::new(); self.facet_fields.len()],
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
            for (into, from) in merged.counts.iter_mut().zip(fruit.counts) {
                for (value, count) in from {
                    *into.entry(value).or_default() += count;
                }
            }
            for (into, from) in merged.posted_within.iter_mut().zip(fruit.posted_within) {
                *into += from;
            }
        }
        Ok(merged)
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
}

impl SegmentCollector for SegmentHits {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(km) = self.distance(doc) else {
            return;
        };
        self.total += 1;
        for (column, counts) in self.facets.iter().zip(self.ord_counts.iter_mut()) {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    if let Some(count) = counts.get_mut(ord as usize) {
                        *count += 1;
                    }
                }
            }
        }
        let posted = self
            .posted
            .as_ref()
            .and_then(|column| column.first(doc))
            .map(|date| date.into_timestamp_secs());
        if let Some(posted) = posted {
            for (since, count) in self.posted_since.iter().zip(self.posted_counts.iter_mut()) {
                if posted >= *since {
                    *count += 1;
                }
            }
        }
        if !self.keep_hits {
            return;
        }
        // An id that cannot be read sorts as "": the hit still shows, its id comes from the
        // stored document.
        let id_ord = self
            .id
            .as_ref()
            .and_then(|column| column.term_ords(doc).next())
            .unwrap_or(u64::MAX);
        self.id_ords.push(id_ord);
        self.hits.push(RawHit {
            address: DocAddress::new(self.segment, doc),
            score,
            km,
            posted,
            id: String::new(),
        });
    }

    fn harvest(mut self) -> Collected {
        // Terms are named in ordinal order in one walk over each dictionary: looking each one
        // up on its own decodes a dictionary block per hit, which dominated large searches.
        if let Some(column) = &self.id {
            let mut by_ord: Vec<(u64, usize)> = self
                .id_ords
                .iter()
                .enumerate()
                .filter(|(_, ord)| **ord != u64::MAX)
                .map(|(hit, ord)| (*ord, hit))
                .collect();
            by_ord.sort_unstable();
            let ords: Vec<u64> = by_ord.iter().map(|(ord, _)| *ord).collect();
            let mut next = by_ord.iter().map(|(_, hit)| *hit);
            let hits = &mut self.hits;
            let _ = column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                if let Some(hit) = next.next() {
                    hits[hit].id = String::from_utf8_lossy(bytes).into_owned();
                }
            });
        }
        let mut counts = Vec::with_capacity(self.facets.len());
        for (column, ord_counts) in self.facets.iter().zip(self.ord_counts) {
            let mut named = HashMap::new();
            if let Some(column) = column {
                let (ords, counted): (Vec<u64>, Vec<u64>) = ord_counts
                    .into_iter()
                    .enumerate()
                    .filter(|(_, count)| *count > 0)
                    .map(|(ord, count)| (ord as u64, count))
                    .unzip();
                let mut counted = counted.into_iter();
                let _ = column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                    if let (Some(count), Ok(value)) = (counted.next(), std::str::from_utf8(bytes)) {
                        named.insert(value.to_owned(), count);
                    }
                });
            }
            counts.push(named);
        }
        Collected {
            total: self.total,
            hits: self.hits,
            counts,
            posted_within: self.posted_counts,
        }
    }
}
