//! Education level: the lowest level a posting asks ("mbo/hbo" is mbo: an mbo graduate may
//! apply), from "vmbo", "mbo 4", "havo", "vwo", "hbo-werk- en denkniveau", "WO-niveau",
//! "universitair", "bachelor", "master". `None` when no level is named.
//!
//! A bachelor is taken as hbo (most Dutch bachelors are), a master or a doctorate as wo.

use std::sync::LazyLock;

use regex::RegexSet;
use vindwerk_model::EducationLevel;

use super::text::fold;

/// One pattern per level, lowest first, in one set: a description is scanned once.
static LEVELS: LazyLock<(Vec<EducationLevel>, RegexSet)> = LazyLock::new(|| {
    let table = [
        (
            EducationLevel::Vmbo,
            r"\b(?:vmbo|mavo|lbo|vbo|vmbo tl|vmbo kb|vmbo bb)\b",
        ),
        (
            EducationLevel::Mbo,
            r"\b(?:mbo|mts|meao|mbo niveau|vocational)\b",
        ),
        (EducationLevel::Havo, r"\bhavo\b"),
        (EducationLevel::Vwo, r"\b(?:vwo|atheneum|gymnasium)\b"),
        (
            EducationLevel::Hbo,
            r"\b(?:hbo|hts|heao|bachelor|bachelors|bsc|hogeschool)\b",
        ),
        (
            EducationLevel::Wo,
            r"\b(?:wo|universitair|universiteit|academisch|academic|university|master|masters|msc|phd|gepromoveerd|promotie)\b",
        ),
    ];
    let levels = table.iter().map(|(level, _)| *level).collect();
    let set = RegexSet::new(table.iter().map(|(_, pattern)| *pattern))
        .expect("education patterns should compile");
    (levels, set)
});

/// The lowest level `text` names.
pub fn education_level(text: &str) -> Option<EducationLevel> {
    let (levels, set) = &*LEVELS;
    let lowest = set.matches(&fold(text)).iter().next()?;
    Some(levels[lowest])
}

#[cfg(test)]
mod tests {
    use super::*;
    use EducationLevel::*;
    use proptest::prelude::*;

    fn check(text: &str, expected: Option<EducationLevel>) {
        assert_eq!(education_level(text), expected, "{text:?}");
    }

    #[test]
    fn levels_from_text() {
        check("hbo-werk- en denkniveau", Some(Hbo));
        check("HBO", Some(Hbo));
        check("MBO 4", Some(Mbo));
        check("mbo niveau 3", Some(Mbo));
        check("WO-niveau", Some(Wo));
        check("universitair werk- en denkniveau", Some(Wo));
        check("mbo/hbo", Some(Mbo));
        check("hbo of wo", Some(Hbo));
        check("vmbo", Some(Vmbo));
        check("havo/vwo", Some(Havo));
        check("afgeronde bachelor", Some(Hbo));
        check("Master's degree in economics", Some(Wo));
        check("geen opleiding vereist", None);
        check("woensdag vrij", None);
        check("", None);
    }

    proptest! {
        #[test]
        fn never_panics(text in any::<String>()) {
            let _ = education_level(&text);
        }
    }
}
