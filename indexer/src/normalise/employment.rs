//! Employment type: the source's structured list first, else the words of its text
//! ("fulltime", "deeltijd", "tijdelijk", "zzp", "stage", "oproepkracht", "uitzend").
//!
//! "Vast" (a permanent contract) says nothing about hours and maps to nothing; schema.org has
//! no "permanent". When a posting names several types (schema.org allows a list, an ATS may
//! say "Full time" for the hours and "freelance" for the contract), the most specific wins: an
//! internship or a freelance job that is also full-time is an internship or a freelance job.
//!
//! Descriptions are read only in the lines that state the contract ("Een tijdelijk
//! dienstverband.", "Dienstverband: stage", "A temporary position."): elsewhere in a text the
//! words say too much else ("doorgroeien naar een vast contract na je stage").

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

/// Most specific first: the order in which one type wins over another.
const SPECIFICITY: [EmploymentType; 8] = [
    EmploymentType::Intern,
    EmploymentType::Volunteer,
    EmploymentType::PerDiem,
    EmploymentType::Contractor,
    EmploymentType::Temporary,
    EmploymentType::PartTime,
    EmploymentType::FullTime,
    EmploymentType::Other,
];

/// The employment type of a posting: the most specific of the types the source typed
/// (`structured`) and the types its `texts` (title, hours text, contract lines) name; `None`
/// when none says.
pub fn employment_type(structured: &[EmploymentType], texts: &[&str]) -> Option<EmploymentType> {
    let mut named: Vec<EmploymentType> = structured.to_vec();
    let folded: Vec<String> = texts.iter().map(|text| fold(text)).collect();
    for (kind, pattern) in WORDS.iter() {
        if folded.iter().any(|text| pattern.is_match(text)) {
            named.push(*kind);
        }
    }
    SPECIFICITY.into_iter().find(|kind| named.contains(kind))
}

/// Lines of a plain-text description that state the contract: "Dienstverband: tijdelijk",
/// "Een fulltime dienstverband.", "A part-time position." Short lines only; a paragraph that
/// mentions a contract in passing is not a statement of it.
pub fn contract_lines(description: &str) -> Vec<&str> {
    description
        .lines()
        .filter(|line| line.len() <= 120 && CONTRACT_LINE.is_match(&fold(line)))
        .collect()
}

static CONTRACT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:dienstverband|arbeidsovereenkomst|contractvorm|soort contract|type contract|position|employment type|job type)\b")
        .expect("contract line pattern should compile")
});

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
    fn the_most_specific_type_wins() {
        let check = |structured: &[EmploymentType], texts: &[&str], expected| {
            assert_eq!(
                employment_type(structured, texts),
                expected,
                "{structured:?} {texts:?}"
            );
        };
        check(&[Temporary, FullTime], &["fulltime"], Some(Temporary));
        // Personio: the schedule, then the contract.
        check(&[FullTime, Contractor], &[], Some(Contractor));
        // Recruitee's "fulltime_fixed_term".
        check(&[FullTime, Temporary], &[], Some(Temporary));
        // Workday's time type refined by the contract line of the description.
        check(&[FullTime], &["Een stage dienstverband."], Some(Intern));
        check(&[PartTime], &["Verkoper"], Some(PartTime));
        check(&[Other], &[], Some(Other));
        check(&[Other, FullTime], &[], Some(FullTime));
    }

    #[test]
    fn contract_lines_are_short_statements() {
        let check = |description: &str, expected: &[&str]| {
            assert_eq!(contract_lines(description), expected, "{description:?}");
        };
        check(
            "Ben jij de kok?\n- Een tijdelijk dienstverband.\n- 8% vakantiegeld.",
            &["- Een tijdelijk dienstverband."],
        );
        check("Dienstverband: stage", &["Dienstverband: stage"]);
        check("- A part-time position.", &["- A part-time position."]);
        check("Je start met uitzicht op een vast contract.", &[]);
        check(
            &format!("{} dienstverband", "lang verhaal ".repeat(20)),
            &[],
        );
        check("", &[]);
    }

    proptest! {
        #[test]
        fn never_panics(text in any::<String>()) {
            let _ = employment_type(&[], &[&text]);
        }
    }
}
