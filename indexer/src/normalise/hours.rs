//! Working hours per week from text: "32-36 uur", "32 tot 40 uur per week", "fulltime (40
//! uur)", "parttime 24 uur", "24 - 32 hours per week", "0,8 fte", "max. 32 uur".
//!
//! A full-time equivalent is 38 hours, the week [`SalaryPeriod::monthly_factor`] counts with
//! (the common Dutch collective-agreement week). "Fulltime" without a number gives no hours:
//! it means 36 to 40 depending on the employer. Hours outside 1..=60 are not a working week
//! and are dropped.
//!
//! [`SalaryPeriod::monthly_factor`]: vindwerk_model::SalaryPeriod::monthly_factor

use std::sync::LazyLock;

use regex::Regex;

use super::salary::parse_number;

/// Hours of one full-time equivalent.
pub const FTE_HOURS: f64 = 38.0;
const BOUNDS: std::ops::RangeInclusive<f64> = 1.0..=60.0;

/// Hours per week; either end may be unknown ("max. 32 uur"), never both.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hours {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

static HOURS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?P<before>(?:max(?:imaal|imum)?\.?|tot|up\s+to|min(?:imaal|imum)?\.?|vanaf|at\s+least|from)\s*)?\b(?P<a>\d{1,2}(?:[.,]\d{1,2})?)\s*(?:(?:-|–|—|tot|t/m|to|à|a|of|or)\s*(?P<b>\d{1,2}(?:[.,]\d{1,2})?)\s*)?(?P<unit>uur|uren|u\b|hours|hrs|hour|h\b|fte)",
    )
    .expect("hours pattern should compile")
});

/// The first statement of weekly hours in `text`.
pub fn parse_hours(text: &str) -> Option<Hours> {
    for captures in HOURS.captures_iter(text) {
        let Some(unit) = captures.name("unit") else {
            continue;
        };
        let per_fte = unit.as_str().eq_ignore_ascii_case("fte");
        let scale = if per_fte { FTE_HOURS } else { 1.0 };
        let read = |name: &str| {
            let value = parse_number(captures.name(name)?.as_str())?;
            // "0,8 fte" is a fraction of a week; more than 1.2 fte is not one job.
            if per_fte && value > 1.2 {
                return None;
            }
            let hours = (value * scale * 10.0).round() / 10.0;
            BOUNDS.contains(&hours).then_some(hours)
        };
        let a = read("a");
        let b = captures.name("b").and_then(|_| read("b"));
        let Some(a) = a else { continue };
        if captures.name("b").is_some() && b.is_none() {
            continue;
        }
        let before = captures.name("before").map(|m| m.as_str().to_lowercase());
        let hours = match (b, before.as_deref()) {
            (Some(b), _) => Hours {
                min: Some(a.min(b)),
                max: Some(a.max(b)),
            },
            (None, Some(word))
                if word.starts_with("max") || word.starts_with("tot") || word.starts_with("up") =>
            {
                Hours {
                    min: None,
                    max: Some(a),
                }
            }
            (None, Some(_)) => Hours {
                min: Some(a),
                max: None,
            },
            (None, None) => Hours {
                min: Some(a),
                max: Some(a),
            },
        };
        return Some(hours);
    }
    None
}

/// The hours a plain-text description states in a line of its own ("Uren: 32 - 36 uur per
/// week", "- 24 hours per week."), for postings that publish them nowhere else. Only short
/// lines about the working week count: elsewhere "24 uur" is a response time or a shift.
pub fn hours_in_description(description: &str) -> Option<Hours> {
    description
        .lines()
        .filter(|line| line.len() <= 120 && HOURS_LINE.is_match(line))
        .find_map(parse_hours)
}

static HOURS_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bper\s+week\b|\bp/w\b|\bwerkweek\b|\ba\s+week\b|^[\s-]*(?:uren|hours|werkuren|arbeidsduur)\s*:")
        .expect("hours line pattern should compile")
});

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(text: &str, expected: Option<(Option<f64>, Option<f64>)>) {
        assert_eq!(
            parse_hours(text).map(|hours| (hours.min, hours.max)),
            expected,
            "{text:?}"
        );
    }

    #[test]
    fn weekly_hours_from_text() {
        check("32-36 uur", Some((Some(32.0), Some(36.0))));
        check("32 - 36 uur per week", Some((Some(32.0), Some(36.0))));
        check("32 tot 40 uur per week", Some((Some(32.0), Some(40.0))));
        check("fulltime (40 uur)", Some((Some(40.0), Some(40.0))));
        check("parttime 24 uur", Some((Some(24.0), Some(24.0))));
        check("24 - 32 hours per week", Some((Some(24.0), Some(32.0))));
        check("40 hours per week", Some((Some(40.0), Some(40.0))));
        check("0,8 fte", Some((Some(30.4), Some(30.4))));
        check("0,8 - 1,0 fte", Some((Some(30.4), Some(38.0))));
        check("max. 32 uur", Some((None, Some(32.0))));
        check("minimaal 24 uur", Some((Some(24.0), None)));
        check("36u", Some((Some(36.0), Some(36.0))));
        check("36 of 40 uur", Some((Some(36.0), Some(40.0))));
        check("fulltime", None);
        check("80 uur", None);
        check("2 fte", None);
        check("", None);
    }

    #[test]
    fn hours_stated_in_a_description() {
        let check = |description: &str, expected: Option<(Option<f64>, Option<f64>)>| {
            let got = hours_in_description(description).map(|hours| (hours.min, hours.max));
            assert_eq!(got, expected, "{description:?}");
        };
        check(
            "Wat bieden wij?\n- Een salaris van € 3.200 bruto per maand.\n- 32 - 36 uur per week.",
            Some((Some(32.0), Some(36.0))),
        );
        check("Uren: 24 uur per week", Some((Some(24.0), Some(24.0))));
        check("- 16 - 24 hours per week.", Some((Some(16.0), Some(24.0))));
        check("Uren: 36", None);
        // Hours that are not the working week.
        check("Wij reageren binnen 24 uur op je sollicitatie.", None);
        check(
            "Je werkt in een 24-uursdienst, 7 dagen per week bereikbaar.",
            None,
        );
        check("", None);
    }

    proptest! {
        #[test]
        fn never_panics_and_stays_in_bounds(text in any::<String>()) {
            if let Some(hours) = parse_hours(&text) {
                for value in [hours.min, hours.max].into_iter().flatten() {
                    prop_assert!(BOUNDS.contains(&value));
                }
                if let (Some(min), Some(max)) = (hours.min, hours.max) {
                    prop_assert!(min <= max);
                }
            }
        }

        #[test]
        fn ranges_read_back(a in 1u8..=60, b in 1u8..=60) {
            let hours = parse_hours(&format!("{a}-{b} uur")).expect("a range");
            prop_assert_eq!(hours.min, Some(f64::from(a.min(b))));
            prop_assert_eq!(hours.max, Some(f64::from(a.max(b))));
        }
    }
}
