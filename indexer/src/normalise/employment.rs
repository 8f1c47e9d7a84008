//! Employment type: the source's structured list first, else the words of its text
//! ("fulltime", "deeltijd", "tijdelijk", "zzp", "stage", "oproepkracht", "uitzend").
//!
//! "Vast" (a permanent contract) says nothing about hours and maps to nothing; schema.org has
//! no "permanent". When a text names several types, the most specific wins: an internship or
//! a freelance job that is also full-time is an internship or a freelance job.

use std::sync::LazyLock;

use regex::Regex;
use vindwerk_model::EmploymentType;

use super::text::fold;

/// Word patterns per type, most specific first; matched against folded text.
static WORDS: LazyLock<Vec<(EmploymentType, Regex)>> = LazyLock::new(|| {
    let table = [
        (
            EmploymentType::Intern,
            r"\b(?:stage|stages|stagiair|stagiaire|stageplek|afstudeerstage|afstudeeropdracht|meewerkstage|internship|werkstudent)\b",
        ),
        (
            EmploymentType::Volunteer,
            r"\b(?:vrijwilliger|vrijwilligers|vrijwilligerswerk|vrijwillig|volunteer|volunteering)\b",
        ),
        (
            EmploymentType::PerDiem,
            r"\b(?:oproep|oproepkracht|oproepbasis|invalkracht|nuluren|nulurencontract|min max contract|on call|per diem)\b",
        ),
        (
            EmploymentType::Contractor,
            r"\b(?:freelance|freelancer|zzp|zzper|zzp er|zelfstandige zonder personeel|interim|contractor|opdrachtbasis)\b",
        ),
        (
            EmploymentType::Temporary,
            r"\b(?:tijdelijk|tijdelijke|temporary|uitzend|uitzendkracht|uitzendbasis|uitzendwerk|detachering|projectbasis|seizoenswerk|seizoen|vakantiewerk|vakantiebaan|fixed term)\b",
        ),
        (
            EmploymentType::PartTime,
            r"\b(?:parttime|part time|deeltijd|deeltijds|bijbaan)\b",
        ),
        (
            EmploymentType::FullTime,
            r"\b(?:fulltime|full time|voltijd|voltijds)\b",
        ),
    ];
    table
        .into_iter()
        .map(|(kind, pattern)| {
            (
                kind,
                Regex::new(pattern).expect("employment pattern should compile"),
            )
        })
        .collect()
});

/// The employment type of a posting: the first of `structured` (what the source typed), else
/// the most specific type the `texts` name (title, hours text); `None` when neither says.
pub fn employment_type(structured: &[EmploymentType], texts: &[&str]) -> Option<EmploymentType> {
    if let Some(first) = structured.first() {
        return Some(*first);
    }
    let folded: Vec<String> = texts.iter().map(|text| fold(text)).collect();
    for (kind, pattern) in WORDS.iter() {
        if folded.iter().any(|text| pattern.is_match(text)) {
            return Some(*kind);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use EmploymentType::*;
    use proptest::prelude::*;

    fn check(texts: &[&str], expected: Option<EmploymentType>) {
        assert_eq!(employment_type(&[], texts), expected, "{texts:?}");
    }

    #[test]
    fn words_name_the_type() {
        check(&["fulltime"], Some(FullTime));
        check(&["Voltijd, 38 uur"], Some(FullTime));
        check(&["parttime 24 uur"], Some(PartTime));
        check(&["Part-time"], Some(PartTime));
        check(&["deeltijd"], Some(PartTime));
        check(&["tijdelijk contract"], Some(Temporary));
        check(&["Uitzendbasis"], Some(Temporary));
        check(&["freelance"], Some(Contractor));
        check(&["ZZP'er"], Some(Contractor));
        check(&["Stage marketing"], Some(Intern));
        check(&["stage, fulltime"], Some(Intern));
        check(&["vrijwilliger"], Some(Volunteer));
        check(&["oproepkracht"], Some(PerDiem));
        check(&["vast contract"], None);
        check(&["Verpleegkundige", "32 uur"], None);
        check(&["Stagebegeleider"], None);
        check(&[], None);
    }

    #[test]
    fn the_structured_type_comes_first() {
        assert_eq!(
            employment_type(&[Temporary, FullTime], &["fulltime"]),
            Some(Temporary)
        );
    }

    proptest! {
        #[test]
        fn never_panics(text in any::<String>()) {
            let _ = employment_type(&[], &[&text]);
        }
    }
}
