//! The language of a posting, Dutch or English, from a count of common function words. Other
//! languages and texts too short to tell give `None`.

use std::collections::HashSet;
use std::sync::LazyLock;

/// How much of a text is read: enough words to tell, bounded for huge pages.
const MAX_WORDS: usize = 400;
/// The bytes read at most, so that a huge page costs no more than a short one.
const MAX_BYTES: usize = 4000;
/// Fewest function words before deciding.
const MIN_HITS: usize = 3;

static DUTCH: LazyLock<HashSet<&str>> = LazyLock::new(|| {
    [
        "de", "het", "een", "en", "van", "je", "jij", "wij", "we", "ons", "onze", "voor", "met",
        "op", "is", "zijn", "bij", "als", "niet", "ook", "naar", "wat", "die", "dat", "deze",
        "wordt", "heb", "hebt", "heeft", "bent", "ben", "jouw", "uur", "werk", "functie", "bieden",
    ]
    .into_iter()
    .collect()
});

static ENGLISH: LazyLock<HashSet<&str>> = LazyLock::new(|| {
    [
        "the",
        "and",
        "of",
        "to",
        "a",
        "you",
        "your",
        "we",
        "our",
        "for",
        "with",
        "on",
        "is",
        "are",
        "be",
        "at",
        "as",
        "not",
        "also",
        "what",
        "that",
        "this",
        "will",
        "have",
        "has",
        "work",
        "role",
        "team",
        "offer",
        "experience",
    ]
    .into_iter()
    .collect()
});

/// "nl", "en" or `None`.
pub fn detect_language(text: &str) -> Option<&'static str> {
    let (mut dutch, mut english) = (0usize, 0usize);
    let sample = &text[..floor_char_boundary(text, MAX_BYTES)];
    let lower = sample.to_lowercase();
    let words = lower
        .split(|c: char| !c.is_alphabetic())
        .filter(|word| !word.is_empty())
        .take(MAX_WORDS);
    for word in words {
        dutch += usize::from(DUTCH.contains(word));
        english += usize::from(ENGLISH.contains(word));
    }
    if dutch.max(english) < MIN_HITS {
        return None;
    }
    // A clear majority: Dutch texts quote English job words and the other way round.
    if dutch * 2 > english * 3 {
        Some("nl")
    } else if english * 2 > dutch * 3 {
        Some("en")
    } else {
        None
    }
}

/// The largest index at most `at` that starts a character.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    (0..=at)
        .rev()
        .find(|&index| text.is_char_boundary(index))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dutch_and_english_are_told_apart() {
        let check = |text: &str, expected: Option<&str>| {
            assert_eq!(detect_language(text), expected, "{text:?}");
        };
        check(
            "Wij zoeken een verpleegkundige voor onze afdeling. Je werkt in een team.",
            Some("nl"),
        );
        check(
            "We are looking for a software engineer to join our team. You will build the platform.",
            Some("en"),
        );
        check("Verpleegkundige", None);
        check("Der Arbeitsplatz ist in Berlin und sehr schön.", None);
        check("", None);
    }

    proptest! {
        #[test]
        fn never_panics(text in any::<String>()) {
            let _ = detect_language(&text);
        }
    }
}
