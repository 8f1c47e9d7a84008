//! Occupations: a vacancy title to an ESCO occupation with its ISCO-08 unit group, through
//! ESCO's Dutch preferred, alternative and hidden labels (which hold the male and female
//! forms) plus the project's extra labels (`data/occupation_labels_extra.tsv`).
//!
//! # Matching
//! 1. The title, cleaned of gender markers and hours and folded, is looked up whole.
//! 2. Without seniority words ("senior", "ervaren", "trainee"), the longest run of its words
//!    that is a label ("Docent wiskunde Amsterdam" → "docent wiskunde"), also written as one
//!    word ("account manager" → "accountmanager"). A run after a role word ("Praktijk-
//!    ondersteuner huisarts") is not the role; one word of a longer title matches only as a
//!    preferred or extra label.
//! 3. A two-word title turned into its compound ("Medewerker magazijn" → "magazijnmedewerker").
//! 4. The longest label that ends a word ("wijkverpleegkundige" → "verpleegkundige").
//!
//! Words that alone say nothing of a job ("medewerker", "manager", "operator") never match
//! alone. A label of several occupations goes to the one whose preferred label it is, else to
//! the one whose preferred label is closest (words in common, also inside compounds, then a
//! common start), else to the first in the data.
//!
//! It also gives the search server its vocabulary: every label with its occupation, and the
//! synonyms of a term (all labels of its occupation: "verpleegkundige" → "verpleger").

use std::collections::{HashMap, HashSet};

use super::NormaliseError;
use super::text::{clean_title, fold};

const ESCO_CSV: &str = include_str!("../../data/esco_occupations_nl.csv");
const EXTRA_TSV: &str = include_str!("../../data/occupation_labels_extra.tsv");

/// Words that name no job on their own; as a whole title or a run of words they match nothing.
const GENERIC: &[&str] = &[
    "medewerker",
    "medewerkster",
    "manager",
    "operator",
    "monteur",
    "directeur",
    "directrice",
    "chef",
    "engineer",
    "specialist",
    "adviseur",
    "consultant",
    "assistent",
    "assistente",
    "coordinator",
    "leider",
    "hoofd",
    "teamleider",
    "employee",
    "officer",
    "analist",
    "technicus",
    "ict",
    "it",
    "vertegenwoordiger",
    "beheerder",
    "begeleider",
    "professional",
    "expert",
    "stagiair",
    "stagiaire",
    "trainee",
    "medior",
    "junior",
    "senior",
];

/// Words of rank or experience, not of the job.
const SENIORITY: &[&str] = &[
    "junior",
    "medior",
    "senior",
    "ervaren",
    "startende",
    "startend",
    "trainee",
    "lead",
    "sr",
    "jr",
    "allround",
    "allrounder",
    "young",
    "professional",
    "jong",
    "talent",
    "principal",
    "vacature",
    "gezocht",
    "wanted",
    "m",
    "v",
    "x",
    "mv",
    "mvx",
];

/// An ESCO occupation.
#[derive(Debug, Clone, PartialEq)]
pub struct Occupation {
    /// The ESCO concept URI.
    pub uri: String,
    /// The Dutch preferred label.
    pub label: String,
    /// The ISCO-08 unit group, four digits.
    pub isco: String,
    /// Alternative labels (male and female forms, variants) and the project's extra labels.
    pub alt_labels: Vec<String>,
}

impl Occupation {
    /// The preferred label and every alternative label.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.label.as_str()).chain(self.alt_labels.iter().map(String::as_str))
    }
}

/// How strongly a label names its occupation; higher wins a shared label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    Hidden,
    Alternative,
    /// The project's extra labels: curated, they win over ESCO's alternatives.
    Extra,
    Preferred,
}

/// The ESCO occupations with their labels, indexed by folded label.
#[derive(Debug, Clone)]
pub struct Occupations {
    occupations: Vec<Occupation>,
    /// Folded label → (occupation, strength): the winner of each label.
    by_label: HashMap<String, (usize, Strength)>,
    /// The same labels without spaces, for titles that split or join compounds.
    by_joined: HashMap<String, usize>,
    /// Words in the longest label.
    max_words: usize,
}

impl Occupations {
    /// The occupations of the embedded ESCO data and extra labels.
    pub fn load() -> Result<Occupations, NormaliseError> {
        let mut occupations = read_esco(ESCO_CSV)?;
        let extra = add_extra_labels(&mut occupations, EXTRA_TSV)?;
        let mut candidates: HashMap<String, Vec<(usize, Strength)>> = HashMap::new();
        for (index, occupation) in occupations.iter().enumerate() {
            let mut add = |label: &str, strength| {
                let key = fold(label);
                if key.is_empty() || GENERIC.contains(&key.as_str()) {
                    return;
                }
                candidates.entry(key).or_default().push((index, strength));
            };
            add(&occupation.label, Strength::Preferred);
            for label in &occupation.alt_labels {
                let strength = if extra.contains(&(index, label.clone())) {
                    Strength::Extra
                } else {
                    Strength::Alternative
                };
                add(label, strength);
            }
        }
        for (index, hidden) in read_hidden_labels(ESCO_CSV)? {
            let key = fold(&hidden);
            if !key.is_empty() && !GENERIC.contains(&key.as_str()) {
                candidates
                    .entry(key)
                    .or_default()
                    .push((index, Strength::Hidden));
            }
        }
        let mut by_label = HashMap::with_capacity(candidates.len());
        let mut max_words = 1;
        for (key, entries) in candidates {
            let best = entries
                .iter()
                .copied()
                .max_by(|a, b| {
                    let overlap = |index: usize| closeness(&key, &fold(&occupations[index].label));
                    a.1.cmp(&b.1)
                        .then(overlap(a.0).cmp(&overlap(b.0)))
                        .then(b.0.cmp(&a.0))
                })
                .expect("a label has at least one occupation");
            max_words = max_words.max(key.split(' ').count());
            by_label.insert(key, best);
        }
        let mut by_joined = HashMap::with_capacity(by_label.len());
        let mut keys: Vec<&String> = by_label.keys().collect();
        // Spaced labels first: "account manager" and "accountmanager" join to one key, and the
        // label written as one word wins it.
        keys.sort_by_key(|key| (!key.contains(' '), key.as_str()));
        for key in keys {
            by_joined.insert(key.replace(' ', ""), by_label[key].0);
        }
        Ok(Occupations {
            occupations,
            by_label,
            by_joined,
            max_words,
        })
    }

    /// Every occupation, in data order.
    pub fn occupations(&self) -> &[Occupation] {
        &self.occupations
    }

    /// The occupation one label (any case or spelling the fold joins) names exactly.
    pub fn lookup_label(&self, label: &str) -> Option<&Occupation> {
        let key = fold(label);
        let index = self.by_label.get(&key).map(|(index, _)| *index)?;
        Some(&self.occupations[index])
    }

    /// Every label with the occupation it names (its winner when several share it): the
    /// vocabulary for synonyms and decompounding. Folded labels, in no particular order.
    pub fn vocabulary(&self) -> impl Iterator<Item = (&str, &Occupation)> {
        self.by_label
            .iter()
            .map(|(label, (index, _))| (label.as_str(), &self.occupations[*index]))
    }

    /// All labels of the occupation `term` names ("verpleegkundige" → "algemeen
    /// verpleegkundige", "verpleger", "verpleegster", ...), the term's own included; empty
    /// when it names none.
    pub fn synonyms(&self, term: &str) -> Vec<&str> {
        self.lookup_label(term)
            .map(|occupation| occupation.labels().collect())
            .unwrap_or_default()
    }

    /// The occupation of a vacancy title; `None` when no label fits.
    pub fn classify(&self, title: &str) -> Option<&Occupation> {
        let key = fold(&clean_title(title, &[]));
        if key.is_empty() {
            return None;
        }
        if let Some((index, _)) = self.by_label.get(&key) {
            return Some(&self.occupations[*index]);
        }
        // A title of more words is a sentence scraped as a title; its start is what a title
        // would be, and the bound keeps the run search cheap on hostile pages.
        const MAX_TITLE_WORDS: usize = 16;
        let words: Vec<&str> = key
            .split(' ')
            .filter(|word| !SENIORITY.contains(word))
            .take(MAX_TITLE_WORDS)
            .collect();
        if words.is_empty() {
            return None;
        }
        self.longest_run(&words)
            .or_else(|| self.turned_around(&words))
            .or_else(|| self.compound_head(&words))
            .map(|index| &self.occupations[index])
    }

    /// "Medewerker magazijn" is a "magazijnmedewerker", "Manager marketing" a
    /// "marketingmanager": a two-word title turned into the Dutch compound.
    fn turned_around(&self, words: &[&str]) -> Option<usize> {
        let [role, field] = words else { return None };
        self.by_joined.get(&format!("{field}{role}")).copied()
    }

    /// The occupation of the longest run of words that is a label; of runs as long, the
    /// strongest label, then the first.
    fn longest_run(&self, words: &[&str]) -> Option<usize> {
        for length in (1..=words.len().min(self.max_words)).rev() {
            let mut best: Option<(Strength, usize)> = None;
            for start in 0..=words.len() - length {
                let run = words[start..start + length].join(" ");
                if length == 1 && GENERIC.contains(&run.as_str()) {
                    continue;
                }
                // "Praktijkondersteuner huisarts" is no huisarts: a run after a role word is
                // what the role works for, not the role.
                if words[..start].iter().any(|word| looks_like_role(word)) {
                    continue;
                }
                let found = match self.by_label.get(&run) {
                    Some(&(index, strength)) => Some((strength, index)),
                    None => self
                        .by_joined
                        .get(&run.replace(' ', ""))
                        .map(|&index| (Strength::Alternative, index)),
                };
                // One word of a longer title matches only as a preferred or curated label:
                // ESCO's alternatives hold adjectives ("logistiek") and fragments.
                let partial_word = length == 1 && words.len() > 1;
                if let Some(found) = found
                    && !(partial_word && found.0 < Strength::Extra)
                    && best.is_none_or(|(strength, _)| found.0 > strength)
                {
                    best = Some(found);
                }
            }
            if let Some((_, index)) = best {
                return Some(index);
            }
        }
        None
    }

    /// The occupation of the longest label that ends a word, for Dutch compounds
    /// ("wijkverpleegkundige", "kinderverpleegkundige").
    fn compound_head(&self, words: &[&str]) -> Option<usize> {
        const MIN_HEAD: usize = 5;
        for (position, word) in words.iter().enumerate().rev() {
            if words[..position].iter().any(|word| looks_like_role(word)) {
                continue;
            }
            for (start, _) in word.char_indices().skip(1) {
                let head = &word[start..];
                if head.len() < MIN_HEAD {
                    break;
                }
                if GENERIC.contains(&head) {
                    continue;
                }
                if let Some((index, _)) = self.by_label.get(head) {
                    return Some(*index);
                }
            }
        }
        None
    }
}

/// Whether a word looks like a Dutch or English agent noun ("ondersteuner", "monteur",
/// "assistent", "verpleegkundige"): a role, so the words after it qualify it.
fn looks_like_role(word: &str) -> bool {
    const ENDINGS: &[&str] = &[
        "er", "eur", "ant", "ent", "ist", "aar", "ier", "ster", "ice", "ige", "ende",
    ];
    word.len() >= 5 && ENDINGS.iter().any(|ending| word.ends_with(ending))
}

/// How close a label is to a preferred label: the preferred label's words found in the label
/// (also inside compounds: "klantenservicemedewerker" holds "klantenservice"), then the
/// length of their common start ("magazijnmedewerkster" is nearer "magazijnmedewerker" than
/// "pakhuismedewerker").
fn closeness(label: &str, preferred: &str) -> (usize, usize) {
    let shared = preferred
        .split(' ')
        .filter(|word| word.len() >= 4 && label.contains(word))
        .count();
    let (a, b) = (label, preferred);
    let prefix = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    (shared, prefix)
}

fn esco_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes())
}

fn read_esco(text: &str) -> Result<Vec<Occupation>, NormaliseError> {
    const FILE: &str = "esco_occupations_nl.csv";
    let mut reader = esco_reader(text);
    let headers = reader
        .headers()
        .map_err(|error| NormaliseError::data(FILE, format!("header: {error}")))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|header| header == name)
            .ok_or_else(|| NormaliseError::data(FILE, format!("no column {name}")))
    };
    let (c_uri, c_isco, c_label, c_alt) = (
        column("conceptUri")?,
        column("iscoGroup")?,
        column("preferredLabel")?,
        column("altLabels")?,
    );
    let mut occupations = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record
            .map_err(|error| NormaliseError::data(FILE, format!("record {}: {error}", row + 1)))?;
        let field = |index: usize| record.get(index).unwrap_or("").trim();
        let isco = field(c_isco);
        if isco.len() != 4 || !isco.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NormaliseError::data(
                FILE,
                format!("record {}: bad iscoGroup {isco:?}", row + 1),
            ));
        }
        let label = field(c_label);
        if label.is_empty() {
            return Err(NormaliseError::data(
                FILE,
                format!("record {}: no preferredLabel", row + 1),
            ));
        }
        occupations.push(Occupation {
            uri: field(c_uri).to_owned(),
            label: label.to_owned(),
            isco: isco.to_owned(),
            alt_labels: lines(field(c_alt)),
        });
    }
    Ok(occupations)
}

/// Hidden labels per occupation index (search variants ESCO does not show).
fn read_hidden_labels(text: &str) -> Result<Vec<(usize, String)>, NormaliseError> {
    const FILE: &str = "esco_occupations_nl.csv";
    let mut reader = esco_reader(text);
    let headers = reader
        .headers()
        .map_err(|error| NormaliseError::data(FILE, format!("header: {error}")))?;
    let Some(c_hidden) = headers.iter().position(|header| header == "hiddenLabels") else {
        return Ok(Vec::new());
    };
    let mut hidden = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record
            .map_err(|error| NormaliseError::data(FILE, format!("record {}: {error}", row + 1)))?;
        for label in lines(record.get(c_hidden).unwrap_or("")) {
            hidden.push((row, label.trim_end_matches(';').to_owned()));
        }
    }
    Ok(hidden)
}

fn lines(field: &str) -> Vec<String> {
    field
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Adds the extra labels to their occupations' alternative labels; returns them.
fn add_extra_labels(
    occupations: &mut [Occupation],
    text: &str,
) -> Result<HashSet<(usize, String)>, NormaliseError> {
    const FILE: &str = "occupation_labels_extra.tsv";
    let by_preferred: HashMap<String, usize> = occupations
        .iter()
        .enumerate()
        .map(|(index, occupation)| (occupation.label.clone(), index))
        .collect();
    let mut added = HashSet::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((label, target)) = line.split_once('\t') else {
            return Err(NormaliseError::data(
                FILE,
                format!("line {}: no tab", number + 1),
            ));
        };
        let Some(&index) = by_preferred.get(target.trim()) else {
            return Err(NormaliseError::data(
                FILE,
                format!(
                    "line {}: no occupation with preferred label {target:?}",
                    number + 1
                ),
            ));
        };
        occupations[index].alt_labels.push(label.trim().to_owned());
        added.insert((index, label.trim().to_owned()));
    }
    Ok(added)
}

#[cfg(test)]
mod tests;
