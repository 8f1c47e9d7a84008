//! Stable vacancy ids.
//!
//! Clusters are recomputed from all postings every run; ids carry over by majority. Each
//! cluster votes, with each of its postings, for the id that posting had in the previous
//! assignment. Ids are handed out greedily over all (cluster, id) votes, most votes first
//! (ties: the larger cluster, then the cluster with the smaller first posting, then the smaller
//! id), each id to one cluster and each cluster one id. So a vacancy keeps its id when a
//! posting is added, changes or expires; when two vacancies merge, the merged one keeps the id
//! of the larger; when one splits, the largest part keeps the id. A cluster left without an id
//! gets a new one derived from its first posting: `v` and 16 hex digits of a blake3 hash, with
//! a counter mixed in should that id be taken or have been used before (an id never moves to
//! another vacancy).

use std::collections::{HashMap, HashSet};

use vindwerk_model::{PostingId, VacancyId};

/// The id of each cluster (clusters of posting ids, each sorted, none empty). A new id is
/// never one of `previous`, nor one that `in_use` says is in use.
pub(crate) fn assign_ids(
    clusters: &[Vec<PostingId>],
    previous: &HashMap<PostingId, VacancyId>,
    in_use: &dyn Fn(&VacancyId) -> bool,
) -> Vec<VacancyId> {
    let mut votes: Vec<(usize, &VacancyId, usize)> = Vec::new();
    for (index, postings) in clusters.iter().enumerate() {
        let mut counts: HashMap<&VacancyId, usize> = HashMap::new();
        for posting in postings {
            if let Some(id) = previous.get(posting) {
                *counts.entry(id).or_default() += 1;
            }
        }
        votes.extend(counts.into_iter().map(|(id, count)| (index, id, count)));
    }
    votes.sort_by(|(ca, ia, na), (cb, ib, nb)| {
        nb.cmp(na)
            .then_with(|| clusters[*cb].len().cmp(&clusters[*ca].len()))
            .then_with(|| clusters[*ca][0].cmp(&clusters[*cb][0]))
            .then_with(|| ia.cmp(ib))
    });

    let mut ids: Vec<Option<VacancyId>> = vec![None; clusters.len()];
    let mut taken: HashSet<&VacancyId> = HashSet::new();
    for (index, id, _) in votes {
        if ids[index].is_none() && taken.insert(id) {
            ids[index] = Some(id.clone());
        }
    }

    let used_before: HashSet<&VacancyId> = previous.values().collect();
    let mut minted: HashSet<VacancyId> = HashSet::new();
    // Clusters are in the order of their first posting, so minting is deterministic.
    let mut result = Vec::with_capacity(clusters.len());
    for (index, id) in ids.into_iter().enumerate() {
        let id = match id {
            Some(id) => id,
            None => {
                let first = clusters[index][0];
                let mut attempt = 0u32;
                loop {
                    let candidate = new_id(first, attempt);
                    if !used_before.contains(&candidate)
                        && !minted.contains(&candidate)
                        && !in_use(&candidate)
                    {
                        break candidate;
                    }
                    attempt += 1;
                }
            }
        };
        minted.insert(id.clone());
        result.push(id);
    }
    result
}

/// The id a cluster whose first posting is `first` gets when it inherits none.
pub(crate) fn new_id(first: PostingId, attempt: u32) -> VacancyId {
    let seed = if attempt == 0 {
        format!("posting:{}", first.0)
    } else {
        format!("posting:{}:{attempt}", first.0)
    };
    let hash = blake3::hash(seed.as_bytes());
    let hex = hash.to_hex();
    VacancyId::new(format!("v{}", &hex.as_str()[..16]))
}
