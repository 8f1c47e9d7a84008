//! Deduplication: which postings are one vacancy, under which stable id, and the merge of a
//! vacancy's fields from its postings.
//!
//! One vacancy is one job at one employer in one place, however many sites publish it, however
//! often it is reposted, and also when an agency hides the employer. Different vacancies of an
//! employer that share its boilerplate, and one title in two cities, stay apart.
//!
//! # Rules
//! 1. Exact signals: postings at the same canonical URL are one vacancy; so are postings with
//!    the same reference number (an ATS id) at the same employer, or in the same source when
//!    the employer is hidden, and an agency posting that keeps the employer's number when its
//!    place agrees and its title, or two of its terms, do too.
//! 2. Near-duplicates: descriptions are cut into sentences and those into three-word shingles.
//!    Sentences that a source or an employer repeats over postings with different texts are
//!    boilerplate and left out. MinHash signatures and LSH bands, plus blocks of equal titles
//!    at one employer or place (and of one title, place and stated terms; and of one place,
//!    day and terms), propose candidate pairs in near-linear time; a pair is one vacancy when
//!    its titles are compatible (the job words of the shorter title are in the longer: boards
//!    rewrite titles), its employers and places do not differ (one may be unknown), its terms
//!    (hours, salary, employment type: [`Terms`]) do not differ where both state them, its
//!    publication dates are at most [`DedupConfig::max_days_apart`] apart, and its texts
//!    without boilerplate are similar enough — the more of employer, place, title and terms
//!    agree, the lower the bar. A text with nothing of its own left (a trimmed copy, a bare
//!    template) joins only on the same title at the same named employer and place, to the
//!    match whose whole text holds it best. A copy with a text of its own (an agency that
//!    hides the employer and writes its own) joins, more weakly than any match by text, on a
//!    compatible title in the same place on the same day with the same terms.
//! 3. Pairs join groups strongest first (exact before similar, then by similarity, then by
//!    closeness of dates); a join is refused when it would give a group two known employers,
//!    two known places, or two different reference numbers of one shape from the employer's
//!    own site or ATS (`VAC-00041` and `VAC-100042` are two vacancies), and a join of similar
//!    postings when any of one group's terms differ from any of the other's. So an unplaced
//!    board copy cannot chain Utrecht to Amsterdam, nor a template or a copy silent on its
//!    terms chain two jobs of one employer.
//! 4. Ids: majority inheritance and deterministic new ids (the `ids` module says how).
//!
//! Feed dedup every posting of the open vacancies, expired ones included: a vacancy keeps its
//! expired postings, and its id, until they are pruned. A settled vacancy (every posting long
//! expired) is left out whole, and [`deduplicate_among`] keeps new ids off its id. Which other
//! postings are fed can still change a cluster at the edges: leaving the settled ones out
//! changed 0.1% of the open vacancies in the benchmark (`benches/RESULTS.md`).
//!
//! The result depends only on the set of items, never on their order, and feeding the output
//! back as the previous assignment changes nothing.
//!
//! Dedup sees [`DedupItem`]s, not store rows or HTML; the merge ([`merge_vacancy`]) sees each
//! posting's head ([`PostingHead`]) with its normalised fields. Neither normalises anything
//! itself beyond folding keys.

mod cluster;
mod ids;
mod merge;
mod minhash;
mod terms;
mod text;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use tracing::info;
use vindwerk_model::{Audience, Channel, PostingId, SourceId, VacancyId};

pub use merge::{NormalisedFields, PostingHead, dedup_item, merge_vacancy};
pub use terms::Terms;

/// What dedup needs of one posting.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DedupItem {
    pub posting_id: PostingId,
    pub source: SourceId,
    pub channel: Channel,
    /// The posting's public page (CONTRACT.md).
    pub url: String,
    /// An ATS id or reference number, as published.
    pub reference: Option<String>,
    /// The cleaned title.
    pub title_key: String,
    /// The employer's name; `None` when hidden (an agency's "onze opdrachtgever") or unknown.
    pub employer_key: Option<String>,
    /// The place (city) of the work; `None` when unknown.
    pub place_key: Option<String>,
    pub date_posted: Option<NaiveDate>,
    /// The description as plain text.
    pub description: String,
    /// The hours, salary and employment type it states.
    pub terms: Terms,
    /// Who may see it: postings for different audiences are never one vacancy.
    pub audience: Audience,
}

/// A vacancy as dedup finds it: its id and its postings, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    pub id: VacancyId,
    pub postings: Vec<PostingId>,
}

/// Tunables of dedup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DedupConfig {
    /// Postings whose publication dates are further apart are different vacancies (a job
    /// published again after this is a new round of hiring).
    pub max_days_apart: i64,
}

impl Default for DedupConfig {
    fn default() -> Self {
        Self { max_days_apart: 60 }
    }
}

/// Groups `items` into vacancies with stable ids, given the previous assignment of posting to
/// vacancy (empty on the first run). Clusters are sorted by their first posting. An item whose
/// posting id repeats is taken once (the smallest by its fields, so that the order of the input
/// never matters).
pub fn deduplicate(
    items: &[DedupItem],
    previous: &HashMap<PostingId, VacancyId>,
    config: &DedupConfig,
) -> Vec<Cluster> {
    deduplicate_among(items, previous, &|_| false, config)
}

/// [`deduplicate`] beside vacancies it does not see: a new vacancy never gets an id that
/// `in_use` says is in use (a settled vacancy's, whose postings are not in `items`).
pub fn deduplicate_among(
    items: &[DedupItem],
    previous: &HashMap<PostingId, VacancyId>,
    in_use: &dyn Fn(&VacancyId) -> bool,
    config: &DedupConfig,
) -> Vec<Cluster> {
    let mut sorted: Vec<&DedupItem> = items.iter().collect();
    sorted.sort();
    sorted.dedup_by_key(|item| item.posting_id);
    let unique = sorted;

    let groups = cluster::cluster(&unique, config);
    let postings: Vec<Vec<PostingId>> = groups
        .iter()
        .map(|group| {
            group
                .iter()
                .map(|&index| unique[index].posting_id)
                .collect()
        })
        .collect();
    let ids = ids::assign_ids(&postings, previous, in_use);
    let previous_ids: HashSet<&VacancyId> = previous.values().collect();
    let kept = ids.iter().filter(|id| previous_ids.contains(id)).count();
    info!(
        postings = unique.len(),
        vacancies = postings.len(),
        kept_ids = kept,
        "dedup finished"
    );
    ids.into_iter()
        .zip(postings)
        .map(|(id, postings)| Cluster { id, postings })
        .collect()
}

/// The assignment of posting to vacancy that `clusters` make: the `previous` of the next run.
pub fn assignment(clusters: &[Cluster]) -> HashMap<PostingId, VacancyId> {
    let mut assignment = HashMap::new();
    for cluster in clusters {
        for posting in &cluster.postings {
            assignment.insert(*posting, cluster.id.clone());
        }
    }
    assignment
}

/// The ids of the previous assignment that no cluster holds any more (their postings joined
/// another vacancy, or left the input): the vacancies to delete from the store and the index.
/// Sorted.
pub fn vanished_ids(
    previous: &HashMap<PostingId, VacancyId>,
    clusters: &[Cluster],
) -> Vec<VacancyId> {
    let current: HashSet<&VacancyId> = clusters.iter().map(|cluster| &cluster.id).collect();
    let mut vanished: Vec<VacancyId> = previous
        .values()
        .filter(|id| !current.contains(id))
        .cloned()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    vanished.sort();
    vanished
}

#[cfg(test)]
mod tests;
