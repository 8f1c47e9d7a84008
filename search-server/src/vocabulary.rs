//! The words the text query expands with: job-title synonyms and male/female forms from the
//! ESCO labels ([`Synonyms`]), and Dutch compounds from the titles and occupation labels in
//! the index ([`Compounds`]), so that "chauffeur" finds "vrachtwagenchauffeur" and "zorg"
//! finds "thuiszorg".
//!
//! Decompounding is done at query time against a dictionary of the index's own terms: no
//! change to what the indexer writes, and the dictionary follows the index as it grows. The
//! dictionary belongs to one generation of the index and is rebuilt when a new one is served
//! ([`VocabularyCache`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use tantivy::Searcher;
use tantivy::schema::Field;

use crate::geo::fold;
use crate::ordinals::FacetOrdinals;
use crate::params::Facet;

/// Most synonyms a word expands to; more only dilute the query.
const MAX_SYNONYMS: usize = 8;
/// Most compounds a word expands to.
pub const MAX_COMPOUNDS: usize = 40;
/// A part of a compound is at least this long ("zorg", not "or" of "monteur").
const MIN_PART: usize = 4;
/// A compound adds at least this much to the part ("thuis" + "zorg").
const MIN_REST: usize = 3;

/// Word-level synonyms from occupation labels: two labels of one occupation that differ in
/// one word make those words synonyms ("verpleger algemene zorg", "verpleegster algemene
/// zorg"), and one-word labels of one occupation are synonyms of each other.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    words: HashMap<String, Vec<String>>,
}

impl Synonyms {
    /// Reads the labels (preferred and alternative) of each occupation.
    pub fn from_occupations<O, L, S>(occupations: O) -> Synonyms
    where
        O: IntoIterator<Item = L>,
        L: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut pairs: BTreeMap<(String, String), usize> = BTreeMap::new();
        for labels in occupations {
            let labels: Vec<Vec<String>> = labels
                .into_iter()
                .map(|label| fold(label.as_ref()).split(' ').map(str::to_owned).collect())
                .filter(|words: &Vec<String>| !words.is_empty() && !words[0].is_empty())
                .collect();
            for (i, a) in labels.iter().enumerate() {
                for b in &labels[i + 1..] {
                    if let Some((x, y)) = single_difference(a, b) {
                        *pairs.entry((x.clone(), y.clone())).or_default() += 1;
                        *pairs.entry((y.clone(), x.clone())).or_default() += 1;
                    }
                }
            }
        }
        let mut words: HashMap<String, Vec<(usize, String)>> = HashMap::new();
        for ((word, synonym), count) in pairs {
            // ESCO gathers loose alternatives under one occupation ("verpleegkundige
            // oncologie", "verpleegkundige cardiologie"): a pair counts when it is a form of
            // one word (male/female, "verpleger"/"verpleegster") or recurs across labels.
            if shared_prefix(&word, &synonym) < MIN_SHARED_PREFIX && count < MIN_PAIR_COUNT {
                continue;
            }
            words.entry(word).or_default().push((count, synonym));
        }
        let words = words
            .into_iter()
            .map(|(word, mut synonyms)| {
                synonyms.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
                let synonyms = synonyms
                    .into_iter()
                    .take(MAX_SYNONYMS)
                    .map(|(_, synonym)| synonym)
                    .collect();
                (word, synonyms)
            })
            .collect();
        Synonyms { words }
    }

    /// The synonyms of the ESCO occupations the normaliser classifies with (their preferred,
    /// alternative and extra labels).
    pub fn from_esco(occupations: &vindwerk_indexer::normalise::Occupations) -> Synonyms {
        Synonyms::from_occupations(
            occupations
                .occupations()
                .iter()
                .map(|occupation| occupation.labels()),
        )
    }

    /// The synonyms of `word` (any case), best first.
    pub fn of(&self, word: &str) -> &[String] {
        self.words.get(&fold(word)).map_or(&[], Vec::as_slice)
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// Characters two forms of one word share at the start ("verple" of verpleger/verpleegster).
const MIN_SHARED_PREFIX: usize = 4;
/// Label pairs that make two unrelated-looking words synonyms.
const MIN_PAIR_COUNT: usize = 3;

fn shared_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// The two words in which `a` and `b` differ, when they differ in exactly one, and both are
/// real words (not numbers or one letter).
fn single_difference<'a>(a: &'a [String], b: &'a [String]) -> Option<(&'a String, &'a String)> {
    if a.len() != b.len() {
        return None;
    }
    let mut differences = a.iter().zip(b).filter(|(x, y)| x != y);
    let (x, y) = differences.next()?;
    if differences.next().is_some() || x.chars().count() < 3 || y.chars().count() < 3 {
        return None;
    }
    Some((x, y))
}

/// Terms of the index's titles and occupation labels, to find the compounds a word is part of.
#[derive(Debug, Clone, Default)]
pub struct Compounds {
    terms: BTreeSet<String>,
    /// Every term reversed, to find those that end in a word.
    reversed: BTreeSet<String>,
}

impl Compounds {
    pub fn from_terms(terms: impl IntoIterator<Item = String>) -> Compounds {
        let terms: BTreeSet<String> = terms
            .into_iter()
            .filter(|term| term.chars().count() >= MIN_PART + MIN_REST)
            .collect();
        let reversed = terms
            .iter()
            .map(|term| term.chars().rev().collect())
            .collect();
        Compounds { terms, reversed }
    }

    /// Terms that hold `term` (an analysed token) as their head ("vrachtwagenchauffeur" for
    /// "chauffeur") or as their first part ("zorgmedewerker" for "zorg"); heads first.
    pub fn containing(&self, term: &str) -> Vec<String> {
        if term.chars().count() < MIN_PART {
            return Vec::new();
        }
        let mut found = Vec::new();
        let reversed: String = term.chars().rev().collect();
        for candidate in self.reversed.range(reversed.clone()..) {
            if !candidate.starts_with(&reversed) || found.len() >= MAX_COMPOUNDS {
                break;
            }
            if candidate.chars().count() >= term.chars().count() + MIN_REST {
                found.push(candidate.chars().rev().collect());
            }
        }
        for candidate in self.terms.range(term.to_owned()..) {
            if !candidate.starts_with(term) || found.len() >= MAX_COMPOUNDS {
                break;
            }
            if candidate.chars().count() >= term.chars().count() + MIN_REST {
                found.push(candidate.clone());
            }
        }
        found
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// Distinct titles of the index with how many vacancies carry them, for autocompletion.
#[derive(Debug, Clone, Default)]
pub struct Titles {
    /// (folded title, title as shown, vacancies), sorted by folded title.
    titles: Vec<(String, String, u32)>,
}

impl Titles {
    pub fn from_titles(titles: impl IntoIterator<Item = String>) -> Titles {
        Titles::from_counts(titles.into_iter().map(|title| (title, 1)))
    }

    /// From distinct titles with how many vacancies carry each; titles that differ only in
    /// case, accents or spacing are one, shown as their most frequent spelling.
    pub fn from_counts(titles: impl IntoIterator<Item = (String, u32)>) -> Titles {
        // folded -> (shown, total, count of the shown spelling)
        let mut spellings: BTreeMap<String, (String, u32, u32)> = BTreeMap::new();
        for (title, n) in titles {
            let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
            if title.is_empty() || n == 0 {
                continue;
            }
            let entry = spellings
                .entry(fold(&title))
                .or_insert_with(|| (title.clone(), 0, 0));
            if n > entry.2 || (n == entry.2 && title < entry.0) {
                entry.0 = title;
                entry.2 = n;
            }
            entry.1 += n;
        }
        let counts: BTreeMap<String, (String, u32)> = spellings
            .into_iter()
            .map(|(folded, (title, total, _))| (folded, (title, total)))
            .collect();
        Titles {
            titles: counts
                .into_iter()
                .map(|(folded, (title, count))| (folded, title, count))
                .collect(),
        }
    }

    /// Up to `limit` titles with a word starting with each word of `prefix` in turn (the last
    /// may be unfinished), most frequent first.
    pub fn complete(&self, prefix: &str, limit: usize) -> Vec<String> {
        let typed: Vec<String> = fold(prefix)
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        if typed.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<&(String, String, u32)> = self
            .titles
            .iter()
            .filter(|(folded, _, _)| {
                let words: Vec<&str> = folded.split(|c: char| !c.is_alphanumeric()).collect();
                typed
                    .iter()
                    .all(|t| words.iter().any(|w| w.starts_with(t.as_str())))
            })
            .collect();
        found.sort_by(|a, b| {
            let a_starts = a.0.starts_with(typed[0].as_str());
            let b_starts = b.0.starts_with(typed[0].as_str());
            b_starts
                .cmp(&a_starts)
                .then(b.2.cmp(&a.2))
                .then_with(|| a.0.cmp(&b.0))
        });
        found
            .into_iter()
            .take(limit)
            .map(|(_, title, _)| title.clone())
            .collect()
    }
}

/// What the server derives from one generation of the index.
#[derive(Debug, Default)]
pub struct Vocabulary {
    pub compounds: Compounds,
    pub titles: Titles,
    /// The global ordinals of the facet values.
    pub facets: FacetOrdinals,
}

impl Vocabulary {
    /// Reads the term dictionaries of `term_fields`, the stored titles of `title` and the
    /// values of every facet.
    pub fn build(
        searcher: &Searcher,
        term_fields: &[Field],
        title: Field,
    ) -> tantivy::Result<Vocabulary> {
        let started = std::time::Instant::now();
        let compounds = Compounds::from_terms(read_terms(searcher, term_fields)?);
        let terms_took = started.elapsed();
        let started_titles = std::time::Instant::now();
        let titles = Titles::from_counts(read_titles(searcher, title)?);
        let titles_took = started_titles.elapsed();
        let started_facets = std::time::Instant::now();
        let facet_fields: Vec<&'static str> =
            Facet::ALL.iter().map(|facet| facet.field()).collect();
        let facets = FacetOrdinals::build(searcher, &facet_fields)?;
        tracing::info!(
            took_ms = started.elapsed().as_millis() as u64,
            terms_ms = terms_took.as_millis() as u64,
            titles_ms = titles_took.as_millis() as u64,
            facets_ms = started_facets.elapsed().as_millis() as u64,
            "vocabulary built"
        );
        Ok(Vocabulary {
            compounds,
            titles,
            facets,
        })
    }
}

/// Every term of `fields` in every segment (with repeats across segments).
fn read_terms(searcher: &Searcher, fields: &[Field]) -> tantivy::Result<Vec<String>> {
    let mut terms = Vec::new();
    for segment in searcher.segment_readers() {
        for field in fields {
            let inverted = segment.inverted_index(*field)?;
            let mut stream = inverted.terms().stream()?;
            while stream.advance() {
                if let Ok(term) = std::str::from_utf8(stream.key()) {
                    terms.push(term.to_owned());
                }
            }
        }
    }
    Ok(terms)
}

/// Every distinct title of the live documents with how many carry it, from the title's
/// column (its dictionary and one ordinal per document), not from the stored documents:
/// reading and decompressing those took most of a server's start on a large index.
fn read_titles(searcher: &Searcher, title: Field) -> tantivy::Result<Vec<(String, u32)>> {
    let name = searcher.schema().get_field_name(title).to_owned();
    let mut counts: HashMap<String, u32> = HashMap::new();
    for segment in searcher.segment_readers() {
        let Some(column) = segment.fast_fields().str(&name)? else {
            continue;
        };
        let mut per_ord = vec![0u32; column.num_terms()];
        let alive = segment.alive_bitset();
        for doc in 0..segment.max_doc() {
            if alive.is_some_and(|alive| !alive.is_alive(doc)) {
                continue;
            }
            for ord in column.term_ords(doc) {
                if let Some(count) = per_ord.get_mut(ord as usize) {
                    *count += 1;
                }
            }
        }
        let mut stream = column.dictionary().stream()?;
        let mut ord = 0usize;
        while stream.advance() {
            let count = per_ord.get(ord).copied().unwrap_or(0);
            ord += 1;
            if count == 0 {
                continue;
            }
            if let Ok(text) = std::str::from_utf8(stream.key()) {
                *counts.entry(text.to_owned()).or_insert(0) += count;
            }
        }
    }
    Ok(counts.into_iter().collect())
}

/// The vocabulary of the generation being served, built once per generation (its segments).
#[derive(Default)]
pub struct VocabularyCache {
    current: Mutex<Option<(Vec<String>, Arc<Vocabulary>)>>,
}

impl VocabularyCache {
    /// The vocabulary of `searcher`'s segments, building it on first use.
    pub fn get(
        &self,
        searcher: &Searcher,
        build: impl FnOnce() -> tantivy::Result<Vocabulary>,
    ) -> tantivy::Result<Arc<Vocabulary>> {
        let key: Vec<String> = searcher
            .segment_readers()
            .iter()
            .map(|segment| {
                format!(
                    "{}:{}",
                    segment.segment_id().uuid_string(),
                    segment.num_deleted_docs()
                )
            })
            .collect();
        let mut current = match self.current.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some((cached_key, vocabulary)) = current.as_ref()
            && *cached_key == key
        {
            return Ok(Arc::clone(vocabulary));
        }
        let vocabulary = Arc::new(build()?);
        *current = Some((key, Arc::clone(&vocabulary)));
        Ok(vocabulary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_differing_in_one_word_make_synonyms() {
        let synonyms = Synonyms::from_occupations([
            vec![
                "algemeen verpleegkundige",
                "verpleger algemene zorg",
                "verpleegkundige algemene zorg",
                "verpleegster algemene zorg",
            ],
            vec![
                "gespecialiseerd verpleegkundige",
                "gespecialiseerd verpleger",
                "kinderverpleegkundige",
            ],
            vec![
                "bestuurder vrachtwagen",
                "bestuurster vrachtwagen",
                "vrachtrijder",
                "trucker",
            ],
            vec![
                "chauffeur bus",
                "bestuurder bus",
                "chauffeur tram",
                "bestuurder tram",
            ],
            vec!["chauffeur taxi", "bestuurder taxi"],
            vec!["verpleegkundige oncologie", "verpleegkundige cardiologie"],
        ]);
        let of_nurse = synonyms.of("Verpleegkundige");
        assert_eq!(
            of_nurse.first().map(String::as_str),
            Some("verpleger"),
            "{of_nurse:?}"
        );
        assert!(of_nurse.iter().any(|s| s == "verpleegster"));
        assert!(
            synonyms
                .of("verpleger")
                .iter()
                .any(|s| s == "verpleegkundige")
        );
        assert!(synonyms.of("bestuurster").iter().any(|s| s == "bestuurder"));
        assert!(
            synonyms.of("chauffeur").iter().any(|s| s == "bestuurder"),
            "recurring pair"
        );
        assert!(
            synonyms.of("trucker").is_empty(),
            "a loose alternative once"
        );
        assert!(
            synonyms.of("oncologie").is_empty(),
            "a loose alternative once"
        );
        assert!(synonyms.of("algemene").is_empty());
        assert!(synonyms.of("zorg").is_empty());
    }

    #[test]
    fn compounds_hold_the_word_as_head_or_first_part() {
        let compounds = Compounds::from_terms(
            [
                "vrachtwagenchauffeur",
                "chauffeur",
                "thuiszorg",
                "zorgmedewerker",
                "zorgen",
                "monteur",
                "bus",
            ]
            .map(str::to_owned),
        );
        assert_eq!(
            compounds.containing("chauffeur"),
            vec!["vrachtwagenchauffeur"]
        );
        assert_eq!(
            compounds.containing("zorg"),
            vec!["thuiszorg", "zorgmedewerker"]
        );
        assert!(
            compounds.containing("bus").is_empty(),
            "too short to be a part"
        );
        assert!(
            compounds.containing("teur").is_empty()
                || compounds.containing("teur") == vec!["monteur"]
        );
    }

    #[test]
    fn titles_complete_on_word_prefixes_most_frequent_first() {
        let titles = Titles::from_titles(
            [
                "Verpleegkundige",
                "Verpleegkundige",
                "Wijkverpleegkundige",
                "Kok",
                "Verpleegkundige  oncologie",
            ]
            .map(str::to_owned),
        );
        assert_eq!(
            titles.complete("verpl", 10),
            vec!["Verpleegkundige", "Verpleegkundige oncologie"]
        );
        assert_eq!(
            titles.complete("verpleegkundige onc", 10),
            vec!["Verpleegkundige oncologie"]
        );
        assert!(titles.complete("", 10).is_empty());
        assert_eq!(titles.complete("KOK", 10), vec!["Kok"]);
    }
}
