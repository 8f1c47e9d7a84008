//! Global ordinals of the facet values of one index generation.
//!
//! Each segment numbers the values of a fast string field in its own dictionary order. A
//! search counts hits per segment ordinal, and naming those ordinals walks a dictionary per
//! segment and facet: on a large index with many employers that walk was a large part of
//! every search. Built once per generation (with the [`Vocabulary`](crate::vocabulary)), this
//! maps every segment ordinal to a global one, in the order of the values' bytes, so that the
//! counts of all segments add up in one array and only the values shown are named.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use tantivy::Searcher;
use tantivy::index::SegmentId;

/// The values of one facet field across the generation.
#[derive(Debug, Default)]
pub struct FieldOrdinals {
    /// Every value, sorted by its bytes; the index is the global ordinal.
    values: Vec<String>,
    /// Per segment, the global ordinal of each of its ordinals.
    segments: HashMap<SegmentId, Vec<u32>>,
}

impl FieldOrdinals {
    /// How many distinct values the field holds.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value of a global ordinal.
    pub fn value(&self, ordinal: u32) -> Option<&str> {
        self.values.get(ordinal as usize).map(String::as_str)
    }

    /// The global ordinal of a value.
    pub fn ordinal(&self, value: &str) -> Option<u32> {
        self.values
            .binary_search_by(|probe| probe.as_str().cmp(value))
            .ok()
            .map(|index| index as u32)
    }

    /// The global ordinals of `segment`'s ordinals.
    pub fn of_segment(&self, segment: SegmentId) -> Option<&[u32]> {
        self.segments.get(&segment).map(Vec::as_slice)
    }
}

/// The global ordinals of every facet field, by field name.
#[derive(Debug, Default)]
pub struct FacetOrdinals {
    fields: HashMap<&'static str, FieldOrdinals>,
}

impl FacetOrdinals {
    /// Reads the dictionaries of `fields` in every segment of `searcher`.
    pub fn build(searcher: &Searcher, fields: &[&'static str]) -> tantivy::Result<FacetOrdinals> {
        let mut built = HashMap::new();
        for name in fields {
            built.insert(*name, field_ordinals(searcher, name)?);
        }
        Ok(FacetOrdinals { fields: built })
    }

    pub fn field(&self, name: &str) -> Option<&FieldOrdinals> {
        self.fields.get(name)
    }
}

/// Merges the sorted dictionaries of the segments into one numbering.
fn field_ordinals(searcher: &Searcher, name: &str) -> tantivy::Result<FieldOrdinals> {
    let mut dictionaries = Vec::new();
    for segment in searcher.segment_readers() {
        let mut terms: Vec<Vec<u8>> = Vec::new();
        if let Some(column) = segment.fast_fields().str(name)? {
            let mut stream = column.dictionary().stream()?;
            while stream.advance() {
                terms.push(stream.key().to_vec());
            }
        }
        dictionaries.push((segment.segment_id(), terms));
    }
    // A k-way merge of the sorted term lists: (term, segment, position in it).
    let mut heap: BinaryHeap<Reverse<(Vec<u8>, usize, usize)>> = BinaryHeap::new();
    let mut maps: Vec<Vec<u32>> = dictionaries
        .iter()
        .map(|(_, terms)| vec![0; terms.len()])
        .collect();
    for (segment, (_, terms)) in dictionaries.iter_mut().enumerate() {
        if !terms.is_empty() {
            heap.push(Reverse((std::mem::take(&mut terms[0]), segment, 0)));
        }
    }
    let mut values: Vec<String> = Vec::new();
    let mut last: Option<Vec<u8>> = None;
    while let Some(Reverse((term, segment, position))) = heap.pop() {
        if last.as_ref() != Some(&term) {
            values.push(String::from_utf8_lossy(&term).into_owned());
            last = Some(term);
        }
        maps[segment][position] = (values.len() - 1) as u32;
        let terms = &mut dictionaries[segment].1;
        if let Some(next) = terms.get_mut(position + 1) {
            heap.push(Reverse((std::mem::take(next), segment, position + 1)));
        }
    }
    let segments = dictionaries
        .into_iter()
        .zip(maps)
        .map(|((segment, _), map)| (segment, map))
        .collect();
    Ok(FieldOrdinals { values, segments })
}
