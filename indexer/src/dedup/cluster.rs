//! Grouping postings into vacancies: boilerplate removal, candidate pairs (exact signals, LSH
//! bands, title blocks), their verification, and a union-find that never lets one group hold
//! two known employers or two known places.

use std::collections::{HashMap, HashSet};

use tracing::debug;

use super::minhash::{BANDS, Signature, fnv1a, shingles};
use super::text::{
    head, name_key, overlap, reference_key, reference_shape, sentences, title_tokens, url_key,
    words,
};
use super::{DedupConfig, DedupItem, Terms};
use vindwerk_model::Channel;

/// Below this many shingles a description says too little to compare.
const MIN_SHINGLES: usize = 8;
/// Below this many shingles left after boilerplate, a description holds nothing of its own.
const MIN_KEPT: usize = 3;
/// How far into a description to look for the name of an employer or place.
const MENTION_WORDS: usize = 60;
/// The most words of a place name at the end of a title.
const MAX_PLACE_WORDS: usize = 3;
/// A bucket up to this size is compared pair by pair; a larger one (one text posted many times,
/// e.g. by an agency in every city) only between neighbours in a sorted order.
const MAX_BUCKET: usize = 48;
const NEIGHBOURS: usize = 24;

/// How a pair was found; lower kinds are applied first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Signal {
    /// The same page: joined even when the postings disagree.
    Url,
    /// The same reference at the same employer (or the same source when the employer is hidden).
    Reference,
    /// Near-duplicate text with compatible title, employer, place and date.
    Similar,
}

/// What dedup knows of one posting, prepared once.
struct Prepared {
    /// Who may see the posting, interned: postings of different audiences never join.
    audience: u32,
    employer: Option<u32>,
    place: Option<u32>,
    title: Vec<String>,
    title_text: String,
    date: Option<chrono::NaiveDate>,
    /// The signature of the description without boilerplate (of the whole description when
    /// nothing is left).
    signature: Option<Signature>,
    /// Whether the description has text of its own to compare; when not, only title,
    /// employer and place can join it.
    informative: bool,
    /// The signature of the whole description, to rank the matches of an uninformative one.
    full: Option<Signature>,
    /// The reference in the employer's own numbering (a posting of the employer's site or
    /// ATS), as (shape, key): two different numbers of one shape are two vacancies.
    own_reference: Option<(String, String)>,
    /// The folded names of employer and place, to look for in another posting's text.
    employer_name: Option<String>,
    place_name: Option<String>,
    /// The place's words as title tokens, to drop from another posting's title.
    place_tokens: Vec<String>,
    /// ` title and opening words `, folded, when the employer or the place is unknown: a
    /// page that names them only in its text ("Acme in Utrecht") still names them.
    mentions: Option<String>,
    /// The hours, salary and employment type: postings that state different ones are
    /// different jobs, and postings that state the same ones more likely one.
    terms: Terms,
}

/// Groups the items (sorted and unique by posting id) into clusters of indices, each sorted,
/// ordered by their first index.
pub(crate) fn cluster(items: &[&DedupItem], config: &DedupConfig) -> Vec<Vec<usize>> {
    let mut names = Interner::default();
    let mut audiences = Interner::default();
    let employer_keys: Vec<Option<String>> = items
        .iter()
        .map(|item| item.employer_key.as_deref().and_then(name_key))
        .collect();
    let mut place_keys: Vec<Option<String>> = items
        .iter()
        .map(|item| item.place_key.as_deref().and_then(name_key))
        .collect();
    infer_places(items, &mut place_keys);
    let boilerplate = Boilerplate::find(items, &employer_keys);
    let prepared: Vec<Prepared> = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let employer = employer_keys[index].as_deref();
            let place = place_keys[index].as_deref();
            let source = item.source.as_str();
            let title = title_tokens(&item.title_key, place, employer, source);
            let (signature, informative, full) = boilerplate.signature(item, employer);
            let mentions = (employer.is_none() || place.is_none()).then(|| {
                let mut text = String::from(" ");
                let opening = words(&item.title_key)
                    .chain(words(head(&item.description)).take(MENTION_WORDS));
                for word in opening {
                    text.push_str(&word);
                    text.push(' ');
                }
                text
            });
            Prepared {
                audience: audiences.intern(&item.audience.to_string()),
                employer_name: employer.map(str::to_owned),
                place_name: place.map(str::to_owned),
                place_tokens: place
                    .map(|place| title_tokens(place, None, None, ""))
                    .unwrap_or_default(),
                mentions,
                employer: employer.map(|key| names.intern(key)),
                place: place.map(|key| names.intern(key)),
                title_text: title.join(" "),
                title,
                date: item.date_posted,
                signature,
                informative,
                full,
                own_reference: own_reference(item),
                terms: item.terms,
            }
        })
        .collect();

    let mut pairs: Vec<(Signal, f64, u32, u32)> = Vec::new();
    exact_pairs(items, &employer_keys, &mut pairs);
    reference_pairs(items, &prepared, config, &mut pairs);
    let candidates = candidate_pairs(&prepared, config);
    let n_candidates = candidates.len();
    for (a, b) in candidates.iter() {
        if let Some(score) = verify(&prepared[a as usize], &prepared[b as usize], config) {
            pairs.push((Signal::Similar, score, a, b));
        }
    }
    debug!(
        postings = items.len(),
        candidates = n_candidates,
        pairs = pairs.len(),
        "dedup pairs"
    );
    pairs.sort_by(|x, y| {
        x.0.cmp(&y.0)
            .then_with(|| y.1.total_cmp(&x.1))
            .then_with(|| (x.2, x.3).cmp(&(y.2, y.3)))
    });

    let mut groups = Groups::new(&prepared);
    for (signal, _, a, b) in pairs {
        let join = match signal {
            Signal::Url => Join::Forced,
            Signal::Reference => Join::Exact,
            Signal::Similar => Join::Similar,
        };
        groups.union(a as usize, b as usize, join);
    }
    groups.into_clusters()
}

/// Gives a posting without a place the place its title ends in, when another posting has that
/// place: boards write "Kok - Utrecht" where the page says nothing else about where.
fn infer_places(items: &[&DedupItem], place_keys: &mut [Option<String>]) {
    let known: HashSet<String> = place_keys.iter().flatten().cloned().collect();
    if known.is_empty() {
        return;
    }
    for (item, place) in items.iter().zip(place_keys.iter_mut()) {
        if place.is_some() {
            continue;
        }
        let title: Vec<String> = words(&item.title_key).collect();
        // Longest suffix first ("almere stad" before "stad"), never the whole title.
        for length in (1..=MAX_PLACE_WORDS.min(title.len().saturating_sub(1))).rev() {
            let suffix = title[title.len() - length..].join(" ");
            if known.contains(&suffix) {
                *place = Some(suffix);
                break;
            }
        }
    }
}

/// Pairs from exact signals: the same canonical URL, the same reference in one scope.
fn exact_pairs(
    items: &[&DedupItem],
    employer_keys: &[Option<String>],
    pairs: &mut Vec<(Signal, f64, u32, u32)>,
) {
    let mut by_url: HashMap<String, u32> = HashMap::new();
    let mut by_reference: HashMap<(String, String), u32> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        let index = index as u32;
        if let Some(key) = url_key(&item.url) {
            let first = *by_url.entry(key).or_insert(index);
            if first != index {
                pairs.push((Signal::Url, 1.0, first, index));
            }
        }
        let Some(reference) = item.reference.as_deref().and_then(reference_key) else {
            continue;
        };
        let scope = match &employer_keys[index as usize] {
            Some(employer) => format!("employer:{employer}"),
            None => format!("source:{}", item.source),
        };
        let first = *by_reference.entry((scope, reference)).or_insert(index);
        if first != index {
            pairs.push((Signal::Reference, 1.0, first, index));
        }
    }
}

/// Pairs of the same reference where the employer is hidden on one side: an agency that
/// keeps the employer's reference number. A reference alone is weak across employers, so the
/// pair must also pass every check but the text's, with a compatible title or two terms
/// stated alike.
fn reference_pairs(
    items: &[&DedupItem],
    prepared: &[Prepared],
    config: &DedupConfig,
    pairs: &mut Vec<(Signal, f64, u32, u32)>,
) {
    let mut by_reference: HashMap<String, Vec<u32>> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        if let Some(reference) = item.reference.as_deref().and_then(reference_key) {
            by_reference
                .entry(reference)
                .or_default()
                .push(index as u32);
        }
    }
    for bucket in by_reference.into_values() {
        if bucket.len() > MAX_BUCKET {
            continue;
        }
        for (i, &a) in bucket.iter().enumerate() {
            for &b in &bucket[i + 1..] {
                let (x, y) = (&prepared[a as usize], &prepared[b as usize]);
                if x.employer.is_some() == y.employer.is_some() {
                    continue;
                }
                // An agency may write its own title ("Filiaalmanager" for "Store Manager"):
                // the same terms stand in for it.
                if compare(x, y, config).is_some_and(|c| c.titles_compatible || c.terms_agree >= 2)
                {
                    pairs.push((Signal::Reference, 0.9, a, b));
                }
            }
        }
    }
}

/// Candidate pairs from LSH bands over the descriptions and from blocks of equal titles at one
/// employer or one place (which find descriptions too short or too cut to share a band).
fn candidate_pairs(prepared: &[Prepared], config: &DedupConfig) -> Candidates {
    let mut candidates = Candidates::default();
    for band in 0..BANDS {
        let mut buckets: HashMap<u64, Vec<u32>> = HashMap::new();
        for (index, item) in prepared.iter().enumerate() {
            if let Some(signature) = &item.signature {
                buckets
                    .entry(signature.band_key(band))
                    .or_default()
                    .push(index as u32);
            }
        }
        for bucket in buckets.into_values() {
            add_bucket(bucket, prepared, config, &mut candidates);
        }
    }
    // A block of one title in a big city can exceed MAX_BUCKET, where only neighbours are
    // compared; the same title and place with the same stated terms is a small block that
    // finds a board's copy without an employer all the same.
    let mut blocks: HashMap<(u8, u32, &str, Option<Terms>), Vec<u32>> = HashMap::new();
    // An agency's own title ("Ervaren kok" for "Kok") shares no block of equal titles: the
    // same place, terms and day make one.
    let mut by_terms: HashMap<(u32, Terms, chrono::NaiveDate), Vec<u32>> = HashMap::new();
    for (index, item) in prepared.iter().enumerate() {
        if item.title_text.is_empty() {
            continue;
        }
        if let Some(employer) = item.employer {
            blocks
                .entry((0, employer, &item.title_text, None))
                .or_default()
                .push(index as u32);
        }
        if let Some(place) = item.place {
            blocks
                .entry((1, place, &item.title_text, None))
                .or_default()
                .push(index as u32);
            if item.terms.hours.is_some() || item.terms.salary.is_some() {
                blocks
                    .entry((2, place, &item.title_text, Some(item.terms)))
                    .or_default()
                    .push(index as u32);
                if let Some(date) = item.date {
                    by_terms
                        .entry((place, item.terms, date))
                        .or_default()
                        .push(index as u32);
                }
            }
        }
    }
    for bucket in blocks.into_values().chain(by_terms.into_values()) {
        add_bucket(bucket, prepared, config, &mut candidates);
    }
    candidates.compact();
    candidates
}

/// Candidate pairs, each once: packed into one `u64` (8 bytes, where a hash set of pairs takes
/// about twice that and three times while it grows) and made unique by sorting whenever the
/// buffer is full, so that it holds at most twice the distinct pairs. Tens of millions of
/// pairs are usual at a hundred thousand postings.
#[derive(Debug, Default)]
struct Candidates {
    packed: Vec<u64>,
    /// How many pairs at the front are sorted and unique.
    unique: usize,
}

impl Candidates {
    fn insert(&mut self, a: u32, b: u32) {
        if self.packed.len() == self.packed.capacity() && self.packed.len() > self.unique {
            self.compact();
            // Grow only when repeats were not what filled it.
            if self.packed.len() * 2 < self.packed.capacity() {
                self.packed.push(pack(a, b));
                return;
            }
        }
        self.packed.push(pack(a, b));
    }

    fn compact(&mut self) {
        self.packed.sort_unstable();
        self.packed.dedup();
        self.unique = self.packed.len();
    }

    /// The distinct pairs, smaller index first, in ascending order (after [`Candidates::compact`]).
    fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.packed
            .iter()
            .map(|&pair| ((pair >> 32) as u32, pair as u32))
    }

    fn len(&self) -> usize {
        self.packed.len()
    }
}

fn pack(a: u32, b: u32) -> u64 {
    (u64::from(a.min(b)) << 32) | u64::from(a.max(b))
}

fn add_bucket(
    mut bucket: Vec<u32>,
    prepared: &[Prepared],
    config: &DedupConfig,
    candidates: &mut Candidates,
) {
    if bucket.len() < 2 {
        return;
    }
    let window = if bucket.len() <= MAX_BUCKET {
        bucket.len()
    } else {
        bucket.sort_by(|&a, &b| {
            let (x, y) = (&prepared[a as usize], &prepared[b as usize]);
            (x.place, x.employer, &x.title_text, a).cmp(&(y.place, y.employer, &y.title_text, b))
        });
        NEIGHBOURS + 1
    };
    for (i, &a) in bucket.iter().enumerate() {
        for &b in bucket.iter().skip(i + 1).take(window - 1) {
            if may_match(&prepared[a as usize], &prepared[b as usize], config) {
                candidates.insert(a, b);
            }
        }
    }
}

/// Whether two postings may be one vacancy at all, on what is known for certain: not when both
/// employers or both places are known and differ, nor when they state different terms, nor
/// when their dates are too far apart. [`compare`] begins with it; a template text shared by a
/// hundred employers puts its postings in one bucket, and they never become candidates.
fn may_match(a: &Prepared, b: &Prepared, config: &DedupConfig) -> bool {
    let differ = |x: Option<u32>, y: Option<u32>| matches!((x, y), (Some(x), Some(y)) if x != y);
    if differ(a.employer, b.employer) || differ(a.place, b.place) || a.terms.conflict(&b.terms) {
        return false;
    }
    match (a.date, b.date) {
        (Some(x), Some(y)) => (x - y).num_days().abs() <= config.max_days_apart,
        _ => true,
    }
}

/// How two postings compare apart from their texts.
struct Comparison {
    /// A tie-break between equal matches: copies usually carry the original's date.
    date_bonus: f64,
    same_day: bool,
    /// The job words of the shorter title are in the longer one.
    titles_compatible: bool,
    same_employer: Option<bool>,
    same_place: Option<bool>,
    title_jaccard: f64,
    titles_unknown: bool,
    /// How many of hours, salary and employment type both state alike.
    terms_agree: u8,
}

/// The comparison of two postings that [`may_match`]; `None` when they may not.
fn compare(a: &Prepared, b: &Prepared, config: &DedupConfig) -> Option<Comparison> {
    if !may_match(a, b, config) {
        return None;
    }
    let same_employer = same(a.employer, b.employer, a, b, |p| p.employer_name.as_deref());
    let same_place = same(a.place, b.place, a, b, |p| p.place_name.as_deref());
    let days_apart = match (a.date, b.date) {
        (Some(x), Some(y)) => Some((x - y).num_days().abs()),
        _ => None,
    };
    let date_bonus = match days_apart {
        Some(0) => 0.05,
        Some(1..=3) => 0.02,
        _ => 0.0,
    };
    // "Kok - Utrecht" from a page whose place is unknown is "Kok" in Utrecht.
    let title_a = without_place(&a.title, a.place.is_none(), &b.place_tokens);
    let title_b = without_place(&b.title, b.place.is_none(), &a.place_tokens);
    let (title_containment, title_jaccard) = overlap(&title_a, &title_b);
    let smaller_title = title_a.len().min(title_b.len());
    let titles_unknown = smaller_title == 0;
    let needed = if smaller_title <= 2 { 1.0 } else { 0.66 };
    Some(Comparison {
        titles_compatible: !titles_unknown && title_containment >= needed,
        date_bonus,
        same_day: days_apart == Some(0),
        same_employer,
        same_place,
        title_jaccard,
        titles_unknown,
        terms_agree: a.terms.agreements(&b.terms),
    })
}

/// Whether two postings have the same employer (or place): equal keys when both are known;
/// when one is unknown, whether its title or opening words name the other's.
fn same(
    x: Option<u32>,
    y: Option<u32>,
    a: &Prepared,
    b: &Prepared,
    name: impl Fn(&Prepared) -> Option<&str>,
) -> Option<bool> {
    let names = |unknown: &Prepared, known: &Prepared| {
        let (Some(mentions), Some(name)) = (&unknown.mentions, name(known)) else {
            return None;
        };
        mentions.contains(&format!(" {name} ")).then_some(true)
    };
    match (x, y) {
        (Some(x), Some(y)) => Some(x == y),
        (None, Some(_)) => names(a, b),
        (Some(_), None) => names(b, a),
        (None, None) => None,
    }
}

fn without_place(title: &[String], place_unknown: bool, place: &[String]) -> Vec<String> {
    if !place_unknown || place.is_empty() {
        return title.to_vec();
    }
    title
        .iter()
        .filter(|token| !place.contains(token))
        .cloned()
        .collect()
}

/// Whether two postings are one vacancy, with the strength of the evidence.
fn verify(a: &Prepared, b: &Prepared, config: &DedupConfig) -> Option<f64> {
    let Comparison {
        date_bonus,
        same_day,
        titles_compatible,
        same_employer,
        same_place,
        title_jaccard,
        titles_unknown,
        terms_agree,
    } = compare(a, b, config)?;
    if !titles_unknown && !titles_compatible {
        return None;
    }
    // Two of hours, salary and employment type stated alike count as much as a named
    // employer: an agency hides the employer but states the terms.
    let context = u8::from(same_employer == Some(true))
        + u8::from(same_place == Some(true))
        + u8::from(title_jaccard >= 0.8)
        + u8::from(terms_agree >= 2);
    // Of several jobs of one title at one employer, the one with the same terms first.
    let terms_bonus = 0.03 * f64::from(terms_agree);
    let evidence = context + u8::from(same_day);
    // A copy that hides the employer and writes a text of its own (an agency) is one
    // vacancy by its facts: a compatible title in the same place on the same day, with the
    // same terms. Weaker than any match by text, so those join first.
    let by_terms = (titles_compatible && same_place == Some(true) && same_day && terms_agree >= 2)
        .then_some(0.05 + 0.1 * title_jaccard + terms_bonus);
    let by_text = match (&a.signature, &b.signature) {
        (Some(x), Some(y)) if a.informative && b.informative => {
            let jaccard = x.jaccard(y);
            // The text of its own of one, held in the whole text of the other: a copy that
            // keeps some sentences and words others its own way.
            let held = |kept: &Signature, full: &Option<Signature>| {
                full.as_ref().map_or(0.0, |full| kept.share_in(full))
            };
            let containment = x.containment(y).max(held(x, &b.full)).max(held(y, &a.full));
            let (jaccard_min, containment_min) = match evidence {
                4.. => (0.2, 0.4),
                3 => (0.3, 0.6),
                2 => (0.4, 0.7),
                _ => (0.5, 0.8),
            };
            let similar = (jaccard >= jaccard_min || containment >= containment_min)
                && (!titles_unknown || jaccard >= 0.7);
            similar.then_some(
                jaccard.max(containment) + 0.1 * title_jaccard + date_bonus + terms_bonus,
            )
        }
        // No text of its own on one side (too short, or all boilerplate): only the same title
        // at the same, named employer and place is one vacancy, and among such matches the
        // one whose whole text holds the other's best.
        _ => {
            if context < 3 || title_jaccard < 1.0 {
                return None;
            }
            match (&a.full, &b.full) {
                (Some(x), Some(y))
                    if x.set_size as usize >= MIN_SHINGLES
                        && y.set_size as usize >= MIN_SHINGLES =>
                {
                    let containment = x.containment(y);
                    (containment >= 0.5).then_some(0.2 * containment + date_bonus + terms_bonus)
                }
                _ => Some(0.1 + date_bonus + terms_bonus),
            }
        }
    };
    by_text.or(by_terms)
}

/// Shingles of text that an employer or a source repeats over postings (company profile,
/// benefits, "solliciteer direct"): shared by different vacancies, they say nothing about
/// whether two postings are one.
struct Boilerplate {
    by_source: HashMap<String, HashSet<u64>>,
    by_employer: HashMap<String, HashSet<u64>>,
}

impl Boilerplate {
    /// A shingle is boilerplate of a source when two or more of its postings with different
    /// texts hold it, and boilerplate of an employer when two or more of that employer's
    /// postings in one source do (one source lists a vacancy once, so what its postings share
    /// is template: "ben jij de ... die ons team in ... komt versterken" keeps only its job and
    /// place words). Postings are told apart by their whole text, so that a board's double copy
    /// or a repost does not turn that text into boilerplate.
    fn find(items: &[&DedupItem], employer_keys: &[Option<String>]) -> Boilerplate {
        let mut by_source_items: HashMap<&str, Vec<usize>> = HashMap::new();
        for (index, item) in items.iter().enumerate() {
            by_source_items
                .entry(item.source.as_str())
                .or_default()
                .push(index);
        }
        let mut boilerplate = Boilerplate {
            by_source: HashMap::new(),
            by_employer: HashMap::new(),
        };
        for (source, indices) in by_source_items {
            // Shingle -> the first text holding it, in the source and per employer.
            let mut seen: HashMap<u64, u64> = HashMap::new();
            let mut seen_employer: HashMap<(u64, &str), u64> = HashMap::new();
            let mut repeated: HashSet<u64> = HashSet::new();
            for index in indices {
                let text = head(&items[index].description);
                let document = fnv1a(text.as_bytes());
                let employer = employer_keys[index].as_deref();
                for shingle in shingle_set(text) {
                    let first = *seen.entry(shingle).or_insert(document);
                    if first != document {
                        repeated.insert(shingle);
                    }
                    let Some(employer) = employer else {
                        continue;
                    };
                    let first = *seen_employer.entry((shingle, employer)).or_insert(document);
                    if first != document {
                        boilerplate
                            .by_employer
                            .entry(employer.to_owned())
                            .or_default()
                            .insert(shingle);
                    }
                }
            }
            boilerplate.by_source.insert(source.to_owned(), repeated);
        }
        boilerplate
    }

    /// The signature of a posting's description without boilerplate, and whether that holds
    /// text of its own; the signature of the whole description when it does not.
    fn signature(
        &self,
        item: &DedupItem,
        employer: Option<&str>,
    ) -> (Option<Signature>, bool, Option<Signature>) {
        let all = shingle_set(head(&item.description));
        let by_source = self.by_source.get(item.source.as_str());
        let by_employer = employer.and_then(|employer| self.by_employer.get(employer));
        let kept: HashSet<u64> = all
            .iter()
            .copied()
            .filter(|shingle| !by_source.is_some_and(|set| set.contains(shingle)))
            .filter(|shingle| !by_employer.is_some_and(|set| set.contains(shingle)))
            .collect();
        let full = Signature::of(&all);
        if all.len() >= MIN_SHINGLES && kept.len() >= MIN_KEPT {
            (Signature::of(&kept), true, full)
        } else {
            (full.clone(), false, full)
        }
    }
}

/// The shingles of a text, sentence by sentence.
fn shingle_set(text: &str) -> HashSet<u64> {
    let mut set = HashSet::new();
    for sentence in sentences(text) {
        set.extend(shingles(&sentence));
    }
    set
}

/// The reference of a posting in the employer's own numbering, as (shape, key).
fn own_reference(item: &DedupItem) -> Option<(String, String)> {
    if !matches!(item.channel, Channel::Employer | Channel::Ats) {
        return None;
    }
    let reference = item.reference.as_deref()?;
    let key = reference_key(reference)?;
    Some((reference_shape(reference), key))
}

/// Small integer ids of employer and place keys.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
}

impl Interner {
    fn intern(&mut self, key: &str) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(key.to_owned()).or_insert(next)
    }
}

/// Union-find whose roots remember the one known employer and place of their group, and the
/// employer's own reference numbers in it.
struct Groups {
    parent: Vec<usize>,
    /// Each posting's audience, interned: groups of different audiences never join.
    audience: Vec<u32>,
    employer: Vec<Option<u32>>,
    place: Vec<Option<u32>>,
    references: Vec<Vec<(String, String)>>,
    /// The different terms a group's postings state: each must agree with each of another
    /// group's, so that postings silent on the terms cannot chain two jobs.
    terms: Vec<Vec<Terms>>,
}

/// How sure a join is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    /// The same page: joined whatever the groups hold.
    Forced,
    /// The same reference: refused when the groups name different employers, places or
    /// references, but not for different terms (a copy that still shows the old salary).
    Exact,
    /// Similar postings: refused for any of those, and for different terms.
    Similar,
}

impl Groups {
    fn new(prepared: &[Prepared]) -> Groups {
        Groups {
            parent: (0..prepared.len()).collect(),
            audience: prepared.iter().map(|item| item.audience).collect(),
            employer: prepared.iter().map(|item| item.employer).collect(),
            place: prepared.iter().map(|item| item.place).collect(),
            references: prepared
                .iter()
                .map(|item| item.own_reference.iter().cloned().collect())
                .collect(),
            terms: prepared.iter().map(|item| vec![item.terms]).collect(),
        }
    }

    fn find(&mut self, mut index: usize) -> usize {
        while self.parent[index] != index {
            self.parent[index] = self.parent[self.parent[index]];
            index = self.parent[index];
        }
        index
    }

    /// Joins the groups of `a` and `b` unless they name different employers or places, hold
    /// two different reference numbers of one shape, or (for a join of similar postings)
    /// state different terms; a forced join joins them anyway, keeping the values of the
    /// group with the smaller root. Postings for different audiences are never joined, not
    /// even by one URL.
    fn union(&mut self, a: usize, b: usize, join: Join) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb || self.audience[ra] != self.audience[rb] {
            return;
        }
        let conflict =
            |x: Option<u32>, y: Option<u32>| matches!((x, y), (Some(x), Some(y)) if x != y);
        if join != Join::Forced
            && (conflict(self.employer[ra], self.employer[rb])
                || conflict(self.place[ra], self.place[rb])
                || self.references_differ(ra, rb)
                || (join == Join::Similar && self.terms_differ(ra, rb)))
        {
            return;
        }
        let (root, child) = (ra.min(rb), ra.max(rb));
        self.parent[child] = root;
        for terms in std::mem::take(&mut self.terms[child]) {
            if !self.terms[root].contains(&terms) {
                self.terms[root].push(terms);
            }
        }
        self.employer[root] = self.employer[root].or(self.employer[child]);
        self.place[root] = self.place[root].or(self.place[child]);
        let moved = std::mem::take(&mut self.references[child]);
        for (shape, key) in moved {
            if !self.references[root].iter().any(|(s, _)| *s == shape) {
                self.references[root].push((shape, key));
            }
        }
    }

    fn terms_differ(&self, a: usize, b: usize) -> bool {
        self.terms[a]
            .iter()
            .any(|x| self.terms[b].iter().any(|y| x.conflict(y)))
    }

    fn references_differ(&self, a: usize, b: usize) -> bool {
        self.references[a].iter().any(|(shape, key)| {
            self.references[b]
                .iter()
                .any(|(other_shape, other_key)| shape == other_shape && key != other_key)
        })
    }

    fn into_clusters(mut self) -> Vec<Vec<usize>> {
        let mut by_root: HashMap<usize, Vec<usize>> = HashMap::new();
        for index in 0..self.parent.len() {
            let root = self.find(index);
            by_root.entry(root).or_default().push(index);
        }
        let mut clusters: Vec<Vec<usize>> = by_root.into_values().collect();
        clusters.sort_unstable_by_key(|cluster| cluster[0]);
        clusters
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_distinct_pairs_in_order_however_often_added() {
        let mut candidates = Candidates::default();
        for round in 0..5u32 {
            for a in 0..300u32 {
                let b = (a * 7 + round) % 300;
                if a != b {
                    candidates.insert(b, a);
                    candidates.insert(a, b);
                }
            }
        }
        candidates.compact();
        let pairs: Vec<(u32, u32)> = candidates.iter().collect();
        let mut expected: Vec<(u32, u32)> = (0..5u32)
            .flat_map(|round| (0..300u32).map(move |a| (a, (a * 7 + round) % 300)))
            .filter(|(a, b)| a != b)
            .map(|(a, b)| (a.min(b), a.max(b)))
            .collect();
        expected.sort_unstable();
        expected.dedup();
        assert_eq!(pairs, expected);
        assert!(candidates.packed.capacity() <= 4 * expected.len().next_power_of_two());
    }
}
