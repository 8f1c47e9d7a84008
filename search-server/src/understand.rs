//! Query understanding: what Dutch seekers type into one box, turned into text to match and
//! filters. "verpleegkundige 32 uur utrecht thuiswerk € 3.500" becomes the text
//! `verpleegkundige` with 32 hours a week, at least € 3,500 a month, remote work, near
//! Utrecht.
//!
//! A pure function of the text and a place lookup. Explicit parameters win over what is read
//! here (the search merges them); phrases in double quotes are left alone. Bare 4-digit
//! numbers are only a postcode when the gazetteer knows it; an amount is only a salary with
//! `€` or `euro`, so that "3500" never silently becomes a salary filter.

use std::sync::LazyLock;

use regex::Regex;
use vindwerk_model::{EducationLevel, EmploymentType, SalaryPeriod};

use crate::geo::{PlaceLookup, fold, is_postcode};
use crate::params::Range;

/// What a query's text means.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Understood {
    /// The words left to match as text (phrases keep their quotes).
    pub text: String,
    pub hours: Option<Range>,
    /// At least this much a month, in EUR.
    pub salary_min: Option<f64>,
    pub remote: bool,
    pub employment_type: Option<EmploymentType>,
    pub education_level: Option<EducationLevel>,
    /// A province named in full ("Noord-Brabant").
    pub province: Option<String>,
    /// A place or a postcode to search near.
    pub place: Option<crate::geo::Place>,
}

/// The twelve provinces as the index spells them, with the names people also use.
const PROVINCES: &[(&str, &str)] = &[
    ("groningen", "Groningen"),
    ("friesland", "Fryslân"),
    ("fryslan", "Fryslân"),
    ("drenthe", "Drenthe"),
    ("overijssel", "Overijssel"),
    ("flevoland", "Flevoland"),
    ("gelderland", "Gelderland"),
    ("utrecht", "Utrecht"),
    ("noord-holland", "Noord-Holland"),
    ("noord holland", "Noord-Holland"),
    ("zuid-holland", "Zuid-Holland"),
    ("zuid holland", "Zuid-Holland"),
    ("zeeland", "Zeeland"),
    ("noord-brabant", "Noord-Brabant"),
    ("noord brabant", "Noord-Brabant"),
    ("brabant", "Noord-Brabant"),
    ("limburg", "Limburg"),
];

/// Provinces named after their capital: the name means the city.
const CAPITALS: &[&str] = &["groningen", "utrecht"];

static PHRASE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""[^"]*""#).expect("phrase pattern is valid"));
static HOURS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2})(?:\s*(?:-|–|tot)\s*(\d{1,2}))?\s*(?:uur|u)\b(?:\s*(?:per|p/|/)\s*(?:week|wk|w)\b)?")
        .expect("hours pattern is valid")
});
static SALARY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:€\s*(?P<a>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?:\d{2}|-))?",
        r"|\b(?P<b>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?:\d{2}|-))?\s*(?:euro|eur)\b)",
        r"(?:\s*(?:bruto\s*)?(?:per|p/|/)\s*(?P<period>uur|u|maand|mnd|m|jaar|jr|j)\b)?"
    ))
    .expect("salary pattern is valid")
});
static REMOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:thuiswerk(?:en)?|thuis\s+werken|vanuit\s+huis|remote|hybride?|hybrid)\b")
        .expect("remote pattern is valid")
});
static EMPLOYMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?P<part>part-?time|deeltijd)\b|\b(?P<full>full-?time|voltijd)\b")
        .expect("employment pattern is valid")
});
static EDUCATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:(?P<level>vmbo|mbo|havo|vwo|hbo)(?:[- ]?niveau)?|(?P<wo>wo)[- ]?niveau)\b",
    )
    .expect("education pattern is valid")
});
static POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b([1-9]\d{3})(?:\s?[a-z]{2})?\b").expect("postcode pattern is valid")
});

/// Common words that are also the name of some hamlet or district ("medewerker winkel" is
/// not a job in Winkel): at the end of a query they stay text; after "in"/"bij" they are the
/// place.
const WORDS_NOT_PLACES: &[&str] = &[
    "berg", "boer", "bos", "brug", "centrum", "dijk", "dorp", "duin", "haven", "hoek", "hout",
    "kade", "kantoor", "loon", "markt", "noord", "oost", "stad", "strand", "thuis", "veld",
    "water", "werk", "west", "winkel", "zee", "zorg", "zuid",
];

/// Words that introduce a place ("in Utrecht", "omgeving Zwolle").
const PLACE_WORDS: &[&str] = &["in", "bij", "rond", "nabij", "omgeving", "regio", "rondom"];

/// Reads `q`.
pub fn understand(q: &str, places: &dyn PlaceLookup) -> Understood {
    let mut understood = Understood::default();
    let phrases: Vec<String> = PHRASE.find_iter(q).map(|m| m.as_str().to_owned()).collect();
    let mut rest = PHRASE.replace_all(q, " ").into_owned();

    rest = take(&HOURS, &rest, |caps| {
        let a: f64 = caps.get(1)?.as_str().parse().ok()?;
        let b: f64 = caps.get(2).map_or(Some(a), |m| m.as_str().parse().ok())?;
        if a > 80.0 || b > 80.0 {
            return None;
        }
        understood.hours = Some(Range {
            min: Some(a.min(b)),
            max: Some(a.max(b)),
        });
        Some(())
    });
    rest = take(&SALARY, &rest, |caps| {
        let amount = caps.name("a").or_else(|| caps.name("b"))?.as_str();
        let amount: f64 = amount.replace('.', "").parse().ok()?;
        let period = match caps.name("period").map(|m| m.as_str().to_lowercase()) {
            Some(p) if p.starts_with('u') => SalaryPeriod::Hour,
            Some(p) if p.starts_with('j') => SalaryPeriod::Year,
            _ => SalaryPeriod::Month,
        };
        let monthly = (amount * period.monthly_factor()).round();
        if monthly <= 0.0 || monthly > 1_000_000.0 {
            return None;
        }
        understood.salary_min = Some(monthly);
        Some(())
    });
    rest = take(&REMOTE, &rest, |_| {
        understood.remote = true;
        Some(())
    });
    rest = take(&EMPLOYMENT, &rest, |caps| {
        understood.employment_type = Some(if caps.name("part").is_some() {
            EmploymentType::PartTime
        } else {
            EmploymentType::FullTime
        });
        Some(())
    });
    rest = take(&EDUCATION, &rest, |caps| {
        let level = caps.name("level").or_else(|| caps.name("wo"))?;
        understood.education_level = level.as_str().to_lowercase().parse().ok();
        Some(())
    });
    rest = take(&POSTCODE, &rest, |caps| {
        if understood.place.is_some() {
            return None;
        }
        let postcode = caps.get(1)?.as_str();
        if !is_postcode(postcode) {
            return None;
        }
        understood.place = Some(places.locate(postcode)?);
        Some(())
    });

    let mut words: Vec<&str> = rest.split_whitespace().collect();
    if understood.place.is_none() {
        read_place(&mut words, places, &mut understood);
    }
    let mut text = words.join(" ");
    for phrase in phrases {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&phrase);
    }
    understood.text = text;
    understood
}

/// Replaces every match that `read` accepts with a space.
fn take(
    pattern: &Regex,
    text: &str,
    mut read: impl FnMut(&regex::Captures<'_>) -> Option<()>,
) -> String {
    pattern
        .replace_all(text, |caps: &regex::Captures<'_>| {
            if read(caps).is_some() {
                " ".to_owned()
            } else {
                caps[0].to_owned()
            }
        })
        .into_owned()
}

/// A place or province after "in"/"bij"/..., or at the end of the words (up to three words,
/// "Bergen op Zoom").
fn read_place(words: &mut Vec<&str>, places: &dyn PlaceLookup, understood: &mut Understood) {
    let mut candidates: Vec<(usize, usize)> = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if PLACE_WORDS.contains(&word.to_lowercase().as_str()) && i + 1 < words.len() {
            for len in (1..=3).rev() {
                if i + 1 + len <= words.len() {
                    candidates.push((i, i + 1 + len));
                }
            }
        }
    }
    for len in (1..=3).rev() {
        if len <= words.len() {
            candidates.push((words.len() - len, words.len()));
        }
    }
    for (start, end) in candidates {
        let name_start = if start < end
            && PLACE_WORDS.contains(&words[start].to_lowercase().as_str())
            && end - start > 1
        {
            start + 1
        } else {
            start
        };
        let name = words[name_start..end].join(" ");
        if !name.chars().any(char::is_alphabetic) {
            continue;
        }
        if name_start == start && WORDS_NOT_PLACES.contains(&fold(&name).as_str()) {
            continue;
        }
        let folded = fold(&name);
        let province = PROVINCES
            .iter()
            .find(|(alias, _)| *alias == folded)
            .map(|(_, province)| *province);
        if let Some(province) = province
            && !CAPITALS.contains(&folded.as_str())
        {
            understood.province = Some(province.to_owned());
        } else if let Some(place) = places.locate(&name) {
            understood.place = Some(place);
        } else {
            continue;
        }
        words.drain(start..end);
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::{GeoPoint, PlaceTable};

    fn places() -> PlaceTable {
        let mut table = PlaceTable::new();
        table.add_place("Utrecht", GeoPoint::new(52.09, 5.12), 360_000);
        table.add_place("Bergen op Zoom", GeoPoint::new(51.49, 4.29), 67_000);
        table.add_place("Den Haag", GeoPoint::new(52.08, 4.30), 550_000);
        table.add_place("Zeeland", GeoPoint::new(51.70, 5.67), 4_000);
        table.add_place("Winkel", GeoPoint::new(52.75, 4.90), 1_000);
        table.add_postcode("3584", "Utrecht", GeoPoint::new(52.087, 5.17));
        table
    }

    #[derive(Default)]
    struct Expect {
        text: &'static str,
        hours: Option<(f64, f64)>,
        salary_min: Option<f64>,
        remote: bool,
        employment_type: Option<EmploymentType>,
        education_level: Option<EducationLevel>,
        province: Option<&'static str>,
        place: Option<&'static str>,
    }

    fn check(q: &str, expect: Expect) {
        let got = understand(q, &places());
        assert_eq!(got.text, expect.text, "text of {q:?}");
        assert_eq!(
            got.hours,
            expect.hours.map(|(a, b)| Range {
                min: Some(a),
                max: Some(b)
            }),
            "hours of {q:?}"
        );
        assert_eq!(got.salary_min, expect.salary_min, "salary of {q:?}");
        assert_eq!(got.remote, expect.remote, "remote of {q:?}");
        assert_eq!(
            got.employment_type, expect.employment_type,
            "employment of {q:?}"
        );
        assert_eq!(
            got.education_level, expect.education_level,
            "education of {q:?}"
        );
        assert_eq!(
            got.province.as_deref(),
            expect.province,
            "province of {q:?}"
        );
        assert_eq!(
            got.place.map(|p| p.name).as_deref(),
            expect.place,
            "place of {q:?}"
        );
    }

    #[test]
    fn the_issue_example() {
        check(
            "verpleegkundige 32 uur utrecht thuiswerk € 3.500",
            Expect {
                text: "verpleegkundige",
                hours: Some((32.0, 32.0)),
                salary_min: Some(3500.0),
                remote: true,
                place: Some("Utrecht"),
                ..Expect::default()
            },
        );
    }

    #[test]
    fn hours_salary_and_kinds_of_work() {
        check(
            "kok 24-32 uur per week",
            Expect {
                text: "kok",
                hours: Some((24.0, 32.0)),
                ..Expect::default()
            },
        );
        check(
            "kok 32 tot 36 uur",
            Expect {
                text: "kok",
                hours: Some((32.0, 36.0)),
                ..Expect::default()
            },
        );
        check(
            "chauffeur 40u",
            Expect {
                text: "chauffeur",
                hours: Some((40.0, 40.0)),
                ..Expect::default()
            },
        );
        check(
            "€3.200,- bruto per maand",
            Expect {
                salary_min: Some(3200.0),
                ..Expect::default()
            },
        );
        check(
            "developer 4000 euro",
            Expect {
                text: "developer",
                salary_min: Some(4000.0),
                ..Expect::default()
            },
        );
        check(
            "€ 60000 per jaar",
            Expect {
                salary_min: Some(5000.0),
                ..Expect::default()
            },
        );
        check(
            "schoonmaker € 15 per uur",
            Expect {
                text: "schoonmaker",
                salary_min: Some((15.0 * SalaryPeriod::Hour.monthly_factor()).round()),
                ..Expect::default()
            },
        );
        check(
            "parttime zorg",
            Expect {
                text: "zorg",
                employment_type: Some(EmploymentType::PartTime),
                ..Expect::default()
            },
        );
        check(
            "Full-time monteur",
            Expect {
                text: "monteur",
                employment_type: Some(EmploymentType::FullTime),
                ..Expect::default()
            },
        );
        check(
            "hbo jurist remote",
            Expect {
                text: "jurist",
                remote: true,
                education_level: Some(EducationLevel::Hbo),
                ..Expect::default()
            },
        );
        check(
            "wo-niveau onderzoeker",
            Expect {
                text: "onderzoeker",
                education_level: Some(EducationLevel::Wo),
                ..Expect::default()
            },
        );
        check(
            "hybride werken",
            Expect {
                text: "werken",
                remote: true,
                ..Expect::default()
            },
        );
    }

    #[test]
    fn places_postcodes_and_provinces() {
        check(
            "3584 verpleegkundige",
            Expect {
                text: "verpleegkundige",
                place: Some("3584 Utrecht"),
                ..Expect::default()
            },
        );
        check(
            "3584AB",
            Expect {
                place: Some("3584 Utrecht"),
                ..Expect::default()
            },
        );
        check(
            "kok 9999",
            Expect {
                text: "kok 9999",
                ..Expect::default()
            },
        );
        check(
            "3500",
            Expect {
                text: "3500",
                ..Expect::default()
            },
        );
        check(
            "kok in bergen op zoom",
            Expect {
                text: "kok",
                place: Some("Bergen op Zoom"),
                ..Expect::default()
            },
        );
        check(
            "kok den haag",
            Expect {
                text: "kok",
                place: Some("Den Haag"),
                ..Expect::default()
            },
        );
        check(
            "lasser noord-brabant",
            Expect {
                text: "lasser",
                province: Some("Noord-Brabant"),
                ..Expect::default()
            },
        );
        check(
            "lasser zeeland",
            Expect {
                text: "lasser",
                province: Some("Zeeland"),
                ..Expect::default()
            },
        );
        check(
            "Utrecht",
            Expect {
                place: Some("Utrecht"),
                ..Expect::default()
            },
        );
        check(
            "utrecht kok",
            Expect {
                text: "utrecht kok",
                ..Expect::default()
            },
        );
    }

    #[test]
    fn phrases_are_left_alone() {
        check(
            "\"32 uur\" thuiszorg",
            Expect {
                text: "thuiszorg \"32 uur\"",
                ..Expect::default()
            },
        );
        check("", Expect::default());
        check("   ", Expect::default());
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::geo::{GeoPoint, PlaceTable};

    proptest! {
        /// Whatever a seeker types, understanding returns; the text left over is made of the
        /// words typed (nothing invented).
        #[test]
        fn any_text_is_understood_without_panic(q in "[ a-zA-Z0-9€.,\"'-]{0,60}|.{0,60}") {
            let mut places = PlaceTable::new();
            places.add_place("Utrecht", GeoPoint::new(52.09, 5.12), 1);
            let read = understand(&q, &places);
            for word in read.text.split_whitespace() {
                prop_assert!(q.contains(word.trim_matches('"')), "{word} not in {q}");
            }
        }
    }
}
