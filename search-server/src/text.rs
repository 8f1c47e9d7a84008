//! The free-text part of a search as a tantivy query, in the style of Meilisearch: every word
//! must match (AND), a word matches through its own stem, its ESCO synonyms, the compounds it
//! is part of, or, failing all of those, a typo (fuzzy); phrases in double quotes match as
//! phrases. Title counts over occupation over description.
//!
//! Typo matches are kept apart: [`TextQuery::exact`] is the query without them, and the
//! search ranks every exact hit before every fuzzy one ("exact before fuzzy"). A word that
//! many vacancies hold as typed gets no typo matches at all.

use std::sync::LazyLock;

use regex::Regex;
use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};
use tantivy::{Index, Searcher};
use vindwerk_indexer::index::Fields;

use crate::vocabulary::{Compounds, Synonyms};

const TITLE_BOOST: f32 = 3.0;
const OCCUPATION_BOOST: f32 = 2.0;
const DESCRIPTION_BOOST: f32 = 1.0;
const NAME_BOOST: f32 = 1.0;
const SYNONYM_WEIGHT: f32 = 0.7;
const COMPOUND_WEIGHT: f32 = 0.5;
const FUZZY_WEIGHT: f32 = 0.2;
/// Meilisearch's defaults: one typo from 5 letters, two from 9.
const ONE_TYPO_FROM: usize = 5;
const TWO_TYPOS_FROM: usize = 9;
/// A word found as typed in at least this many titles and descriptions is taken as typed:
/// its typo variants would only add hits ranked after all of these, at the cost of reading
/// every term of the dictionary within two edits.
const TYPO_FREE_FROM_DOCS: u64 = 50;

static PHRASE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""([^"]*)""#).expect("phrase pattern is valid"));

/// A text query and its typo-free twin.
pub struct TextQuery {
    pub query: Box<dyn Query>,
    /// The query without typo matches; `None` when no word allowed a typo (then `query` is
    /// already exact).
    pub exact: Option<Box<dyn Query>>,
}

/// What the text query is built from.
pub struct TextContext<'a> {
    pub index: &'a Index,
    /// For how often a word occurs as typed.
    pub searcher: &'a Searcher,
    pub fields: &'a Fields,
    pub synonyms: &'a Synonyms,
    pub compounds: &'a Compounds,
}

/// Builds the query of `text`; `None` when it holds no word to match (empty, only stop
/// words), which means "everything".
pub fn text_query(text: &str, context: &TextContext<'_>) -> tantivy::Result<Option<TextQuery>> {
    let fields = context.fields;
    let mut dutch = context.index.tokenizer_for_field(fields.title)?;
    let mut plain = context.index.tokenizer_for_field(fields.employer_text)?;

    let mut exact_clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut full_clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut any_fuzzy = false;

    for phrase in PHRASE.captures_iter(text) {
        let tokens = analyse(&mut dutch, &phrase[1]);
        if let Some(query) = phrase_query(fields, &tokens) {
            exact_clauses.push((Occur::Must, query.box_clone()));
            full_clauses.push((Occur::Must, query));
        }
    }
    let rest = PHRASE.replace_all(text, " ");
    for word in analyse(&mut plain, &rest) {
        // A lone letter is left over from "'s-Hertogenbosch" or "A/B": it matches nothing.
        if word.chars().count() < 2 {
            continue;
        }
        let Some(stem) = analyse(&mut dutch, &word).into_iter().next() else {
            continue; // a stop word
        };
        let mut exact = word_clauses(context, &mut dutch, &word, &stem);
        let mut full: Vec<(Occur, Box<dyn Query>)> = exact
            .iter()
            .map(|(occur, query)| (*occur, query.box_clone()))
            .collect();
        let typos = match word.chars().count() {
            n if n >= TWO_TYPOS_FROM => 2,
            n if n >= ONE_TYPO_FROM => 1,
            _ => 0,
        };
        let typos = if typos > 0 && found_as_typed(context, &stem)? >= TYPO_FREE_FROM_DOCS {
            0
        } else {
            typos
        };
        if typos > 0 {
            any_fuzzy = true;
            for (field, boost) in [
                (fields.title, TITLE_BOOST),
                (fields.description, DESCRIPTION_BOOST),
            ] {
                let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, &stem), typos, true);
                full.push(should(Box::new(fuzzy), boost * FUZZY_WEIGHT));
            }
        }
        exact_clauses.push((
            Occur::Must,
            Box::new(BooleanQuery::new(std::mem::take(&mut exact))),
        ));
        full_clauses.push((Occur::Must, Box::new(BooleanQuery::new(full))));
    }
    if full_clauses.is_empty() {
        return Ok(None);
    }
    let exact = any_fuzzy.then(|| Box::new(BooleanQuery::new(exact_clauses)) as Box<dyn Query>);
    Ok(Some(TextQuery {
        query: Box::new(BooleanQuery::new(full_clauses)),
        exact,
    }))
}

/// In how many titles and descriptions `stem` occurs (a document may count twice).
fn found_as_typed(context: &TextContext<'_>, stem: &str) -> tantivy::Result<u64> {
    let mut found = 0;
    for field in [context.fields.title, context.fields.description] {
        found += context
            .searcher
            .doc_freq(&Term::from_field_text(field, stem))?;
    }
    Ok(found)
}

/// The exact ways one word matches: its stem in the text fields, its plain form in names, its
/// synonyms, and the compounds it is part of.
fn word_clauses(
    context: &TextContext<'_>,
    dutch: &mut TextAnalyzer,
    word: &str,
    stem: &str,
) -> Vec<(Occur, Box<dyn Query>)> {
    let fields = context.fields;
    let mut clauses = Vec::new();
    let mut stems = vec![(stem.to_owned(), 1.0)];
    for synonym in context.synonyms.of(word) {
        // A multi-word synonym adds nothing a single term can match.
        let tokens = analyse(dutch, synonym);
        if let [token] = tokens.as_slice()
            && !stems.iter().any(|(s, _)| s == token)
        {
            stems.push((token.clone(), SYNONYM_WEIGHT));
        }
    }
    let mut compounds = Vec::new();
    for (term, weight) in &stems {
        for compound in context.compounds.containing(term) {
            if !stems.iter().any(|(s, _)| *s == compound)
                && !compounds.iter().any(|(c, _)| *c == compound)
            {
                compounds.push((compound, weight * COMPOUND_WEIGHT));
            }
        }
    }
    for (term, weight) in stems
        .iter()
        .chain(compounds.iter())
        .take(crate::vocabulary::MAX_COMPOUNDS + 10)
    {
        clauses.push(term_clause(fields.title, term, TITLE_BOOST * weight));
        clauses.push(term_clause(
            fields.occupation_text,
            term,
            OCCUPATION_BOOST * weight,
        ));
        clauses.push(term_clause(
            fields.description,
            term,
            DESCRIPTION_BOOST * weight,
        ));
    }
    clauses.push(term_clause(fields.employer_text, word, NAME_BOOST));
    clauses.push(term_clause(fields.place_text, word, NAME_BOOST));
    clauses
}

fn phrase_query(fields: &Fields, tokens: &[String]) -> Option<Box<dyn Query>> {
    let mut clauses = Vec::new();
    for (field, boost) in [
        (fields.title, TITLE_BOOST),
        (fields.description, DESCRIPTION_BOOST),
    ] {
        let query: Box<dyn Query> = match tokens {
            [] => return None,
            [token] => Box::new(TermQuery::new(
                Term::from_field_text(field, token),
                IndexRecordOption::WithFreqs,
            )),
            tokens => Box::new(PhraseQuery::new(
                tokens
                    .iter()
                    .map(|t| Term::from_field_text(field, t))
                    .collect(),
            )),
        };
        clauses.push(should(query, boost));
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}

fn term_clause(field: Field, term: &str, boost: f32) -> (Occur, Box<dyn Query>) {
    let query = TermQuery::new(
        Term::from_field_text(field, term),
        IndexRecordOption::WithFreqs,
    );
    should(Box::new(query), boost)
}

fn should(query: Box<dyn Query>, boost: f32) -> (Occur, Box<dyn Query>) {
    if (boost - 1.0).abs() < f32::EPSILON {
        (Occur::Should, query)
    } else {
        (Occur::Should, Box::new(BoostQuery::new(query, boost)))
    }
}

/// The tokens `analyser` makes of `text`.
pub fn analyse(analyser: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyser.token_stream(text);
    let mut tokens = Vec::new();
    while let Some(token) = stream.next() {
        tokens.push(token.text.clone());
    }
    tokens
}
