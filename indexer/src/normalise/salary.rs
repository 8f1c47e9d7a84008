//! Salary: a structured salary or free text ("€ 3.200,- tot € 4.500,- bruto per maand",
//! "€18,50 per uur", "€ 45.000 - € 60.000 per jaar", "max. €4.000") to amounts in the period
//! as published, plus EUR per month for filtering.
//!
//! # The period rule
//! The period is what the source states (a structured period, or words such as "per uur",
//! "p/m", "jaarsalaris", "per year"). When nothing states it, only the magnitude of the
//! amounts decides, and only where it cannot mean anything else: every amount below 100 is an
//! hourly wage, every amount from 1,500 to 15,000 a monthly salary, every amount from 20,000
//! to 500,000 a yearly one. Other amounts (a day rate or a month? a week?) keep no period and
//! no monthly figure.
//!
//! Amounts are parsed with Dutch and English number formats: "3.200", "3.200,50", "3200,-",
//! "3,200.50", "45k".

use std::sync::LazyLock;

use regex::Regex;
use vindwerk_model::{Salary, SalaryPeriod};

/// A salary in the period it was published in, and per month in EUR for filtering.
#[derive(Debug, Clone, PartialEq)]
pub struct NormalisedSalary {
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// ISO 4217, upper case ("EUR"); `None` when the source does not say.
    pub currency: Option<String>,
    pub period: Option<SalaryPeriod>,
    /// `min` in EUR per month ([`SalaryPeriod::monthly_factor`]); `None` without a period or
    /// in another currency. An unstated currency counts as EUR here: Dutch postings pay in
    /// euros.
    pub month_min: Option<f64>,
    pub month_max: Option<f64>,
}

/// The salary of a posting: the structured one when it has an amount, else the text's.
/// A structured salary without a period takes the period the text states.
pub fn normalise_salary(
    structured: Option<&Salary>,
    text: Option<&str>,
) -> Option<NormalisedSalary> {
    let from_text = text.and_then(parse_salary_text);
    let Some(salary) = structured else {
        return from_text;
    };
    let valid = |amount: Option<f64>| amount.filter(|value| plausible(*value));
    let (mut min, mut max) = (valid(salary.min), valid(salary.max));
    if min.is_none() && max.is_none() {
        return from_text;
    }
    if let (Some(low), Some(high)) = (min, max)
        && low > high
    {
        (min, max) = (Some(high), Some(low));
    }
    let currency = salary
        .currency
        .as_deref()
        .map(|code| code.trim().to_ascii_uppercase())
        .filter(|code| !code.is_empty())
        .or_else(|| {
            from_text
                .as_ref()
                .and_then(|parsed| parsed.currency.clone())
        });
    let period = salary
        .period
        .or_else(|| text.and_then(stated_period))
        .or_else(|| period_by_magnitude(min, max));
    Some(finish(min, max, currency, period))
}

/// The salary a plain-text description states in a line of its own ("Salaris: vanaf € 2.950
/// bruto per maand", "- Een salaris van € 3.200 - € 4.500 bruto per maand.", "A salary of
/// €48,500 - €60,000 gross per year."), for postings that publish it nowhere else. Only short
/// lines that name pay and an amount in euros count: elsewhere in a text a number is a count,
/// a year or a budget.
pub fn salary_in_description(description: &str) -> Option<NormalisedSalary> {
    description
        .lines()
        .filter(|line| line.len() <= 200)
        .map(str::to_lowercase)
        .filter(|line| {
            SALARY_LINE.is_match(line) && (line.contains('€') || EURO_WORD.is_match(line))
        })
        .find_map(|line| parse_salary_text(&line))
}

static SALARY_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:salaris|salary|loon|uurloon|maandloon|beloning|wage|pay)\b")
        .expect("salary line pattern should compile")
});

/// A salary in free text; `None` when the text holds no amount.
pub fn parse_salary_text(text: &str) -> Option<NormalisedSalary> {
    let lower = text.to_lowercase();
    let amounts = amounts(&lower);
    let first = amounts.first()?;
    let (min, max) = match amounts.get(1) {
        Some(second) if is_range_between(&lower[first.end..second.start]) => (
            Some(first.value.min(second.value)),
            Some(first.value.max(second.value)),
        ),
        _ => {
            let before = &lower[..first.start];
            if UPPER_BOUND.is_match(before) {
                (None, Some(first.value))
            } else if LOWER_BOUND.is_match(before) {
                (Some(first.value), None)
            } else {
                (Some(first.value), Some(first.value))
            }
        }
    };
    let currency = if lower.contains('€') || EURO_WORD.is_match(&lower) {
        Some("EUR".to_owned())
    } else {
        None
    };
    let period = stated_period(&lower).or_else(|| period_by_magnitude(min, max));
    Some(finish(min, max, currency, period))
}

fn finish(
    min: Option<f64>,
    max: Option<f64>,
    currency: Option<String>,
    period: Option<SalaryPeriod>,
) -> NormalisedSalary {
    let in_euros = currency.as_deref().is_none_or(|code| code == "EUR");
    let monthly = |amount: Option<f64>| {
        let factor = period?.monthly_factor();
        in_euros.then_some(())?;
        amount.map(|value| (value * factor * 100.0).round() / 100.0)
    };
    NormalisedSalary {
        min,
        max,
        month_min: monthly(min),
        month_max: monthly(max),
        currency,
        period,
    }
}

/// An amount that can be pay: no hourly wage is under 5 euros (the minimum wage is about
/// 14), so smaller numbers are dates, counts or a "13e maand".
fn plausible(amount: f64) -> bool {
    amount.is_finite() && (5.0..=1_000_000.0).contains(&amount)
}

/// The period a text states, if it states one.
pub fn stated_period(text: &str) -> Option<SalaryPeriod> {
    let lower = text.to_lowercase();
    let found = PERIOD.captures(&lower)?;
    let period = if found.name("hour").is_some() {
        SalaryPeriod::Hour
    } else if found.name("day").is_some() {
        SalaryPeriod::Day
    } else if found.name("week").is_some() {
        SalaryPeriod::Week
    } else if found.name("month").is_some() {
        SalaryPeriod::Month
    } else {
        SalaryPeriod::Year
    };
    Some(period)
}

/// The period that the amounts' magnitude leaves no doubt about (see the module docs).
fn period_by_magnitude(min: Option<f64>, max: Option<f64>) -> Option<SalaryPeriod> {
    let amounts: Vec<f64> = [min, max].into_iter().flatten().collect();
    let all = |range: std::ops::Range<f64>| {
        !amounts.is_empty() && amounts.iter().all(|a| range.contains(a))
    };
    if all(0.0..100.0) {
        Some(SalaryPeriod::Hour)
    } else if all(1_500.0..15_000.01) {
        Some(SalaryPeriod::Month)
    } else if all(20_000.0..500_000.01) {
        Some(SalaryPeriod::Year)
    } else {
        None
    }
}

static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?P<hour>per\s+uur|p/u\b|p\.u\.|/\s*uur|\buurloon|\buurtarief|per\s+hour|/\s*h(?:ou)?r?\b|hourly|an\s+hour)
        |(?P<day>per\s+dag|p/d\b|/\s*dag|dagtarief|per\s+day|/\s*day|daily\s+rate|a\s+day)
        |(?P<week>per\s+week|p/w\b|/\s*week|weekloon|a\s+week|weekly)
        |(?P<month>per\s+maand|p/m\b|p\.m\.|/\s*maand|/\s*mnd|per\s+mnd|maandsalaris|maandloon|per\s+month|/\s*month|monthly|a\s+month|bruto\s+maand)
        |(?P<year>per\s+jaar|p/j\b|/\s*jaar|jaarsalaris|jaarinkomen|per\s+year|/\s*year|per\s+annum|annual|yearly|a\s+year|jaarbasis|bruto\s+jaar|p\.a\.)",
    )
    .expect("period pattern should compile")
});

static EURO_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\beur(?:o|os)?\b").expect("euro pattern should compile"));

static UPPER_BOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:max(?:imaal|imum)?\.?|tot(?:\s+maximaal)?|t/m|up\s+to|to|hooguit|ten\s+hoogste)\s*(?:€|eur(?:o)?)?\s*$")
        .expect("upper bound pattern should compile")
});

static LOWER_BOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:vanaf|min(?:imaal|imum)?\.?|from|starting\s+at|starts?\s+at|at\s+least|minstens|ten\s+minste|v\.a\.)\s*(?:€|eur(?:o)?)?\s*$")
        .expect("lower bound pattern should compile")
});

/// What may stand between the two amounts of a range.
static RANGE_BETWEEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:,-|,--|\.-)?\s*(?:eur(?:o)?|euro's)?\s*(?:bruto\s*)?(?:-|–|—|tot(?:\s+maximaal)?|t/m|to|en|and|a|à|~)\s*(?:max(?:imaal)?\.?\s*)?(?:€|eur(?:o)?)?\s*$")
        .expect("range pattern should compile")
});

fn is_range_between(text: &str) -> bool {
    RANGE_BETWEEN.is_match(text)
}

/// A number in salary text: "3.200,50", "3,200.50", "3200", "45k", "18,50".
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:€\s*)?\b(\d{1,3}(?:[.,\u{a0} ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)(?:\s?(k)\b)?(\s*%|\s*(?:uur|uren|hours|u|fte|jaar|years?|maanden|months?)\b)?")
        .expect("number pattern should compile")
});

/// Words after which a number is a pay scale or step, not an amount.
static SCALE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:schaal|scale|trede|niveau|level|functiegroep|groep|fwg|cao|artikel)\s*$")
        .expect("scale pattern should compile")
});

#[derive(Debug)]
struct Amount {
    value: f64,
    start: usize,
    end: usize,
}

fn amounts(lower: &str) -> Vec<Amount> {
    let mut found = Vec::new();
    for captures in NUMBER.captures_iter(lower) {
        let (Some(whole), Some(digits)) = (captures.get(0), captures.get(1)) else {
            continue;
        };
        if captures.get(3).is_some() || SCALE_BEFORE.is_match(&lower[..whole.start()]) {
            continue;
        }
        let Some(mut value) = parse_number(digits.as_str()) else {
            continue;
        };
        if captures.get(2).is_some() {
            value *= 1000.0;
        }
        if !plausible(value) {
            continue;
        }
        found.push(Amount {
            value,
            start: whole.start(),
            end: whole.end(),
        });
    }
    found
}

/// A number written the Dutch or the English way. With both separators the last is the
/// decimal one; with one kind, it separates thousands when it occurs more than once or is
/// followed by exactly three digits.
pub fn parse_number(text: &str) -> Option<f64> {
    let text: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}'))
        .collect();
    let last_dot = text.rfind('.');
    let last_comma = text.rfind(',');
    let normalised = match (last_dot, last_comma) {
        (Some(dot), Some(comma)) => {
            let (thousands, decimal) = if dot > comma { (',', '.') } else { ('.', ',') };
            text.replace(thousands, "").replace(decimal, ".")
        }
        (Some(at), None) | (None, Some(at)) => {
            let separator = text.as_bytes()[at] as char;
            let count = text.matches(separator).count();
            if count > 1 || text.len() - at - 1 == 3 {
                text.replace(separator, "")
            } else {
                text.replace(separator, ".")
            }
        }
        (None, None) => text,
    };
    normalised.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use SalaryPeriod::{Hour, Month, Year};
    use proptest::prelude::*;

    fn check(text: &str, expected: Option<(Option<f64>, Option<f64>, Option<SalaryPeriod>)>) {
        let got = parse_salary_text(text).map(|salary| (salary.min, salary.max, salary.period));
        assert_eq!(got, expected, "{text:?}");
    }

    #[test]
    fn free_text_salaries() {
        check(
            "€ 3.200,- tot € 4.500,- bruto per maand",
            Some((Some(3200.0), Some(4500.0), Some(Month))),
        );
        check(
            "€ 3.200 - € 4.500 bruto per maand",
            Some((Some(3200.0), Some(4500.0), Some(Month))),
        );
        check("€18,50 per uur", Some((Some(18.5), Some(18.5), Some(Hour))));
        check(
            "vanaf € 14,25 bruto per uur",
            Some((Some(14.25), None, Some(Hour))),
        );
        check(
            "€ 45.000 - € 60.000 per jaar",
            Some((Some(45000.0), Some(60000.0), Some(Year))),
        );
        check("3200-4500", Some((Some(3200.0), Some(4500.0), Some(Month))));
        check("max. €4.000", Some((None, Some(4000.0), Some(Month))));
        check(
            "tussen de 2800 en 3600 euro",
            Some((Some(2800.0), Some(3600.0), Some(Month))),
        );
        check(
            "€48,500 - €60,000 gross per year",
            Some((Some(48500.0), Some(60000.0), Some(Year))),
        );
        check(
            "from €14.25 gross per hour",
            Some((Some(14.25), None, Some(Hour))),
        );
        check(
            "€ 3.200,50 p/m",
            Some((Some(3200.5), Some(3200.5), Some(Month))),
        );
        check(
            "45k - 55k",
            Some((Some(45000.0), Some(55000.0), Some(Year))),
        );
        check(
            "€ 650 per week",
            Some((Some(650.0), Some(650.0), Some(SalaryPeriod::Week))),
        );
        check(
            "dagtarief € 450",
            Some((Some(450.0), Some(450.0), Some(SalaryPeriod::Day))),
        );
        // Scale numbers and hours are not amounts.
        check(
            "schaal 8, max € 4.120 bruto per maand bij 36 uur",
            Some((None, Some(4120.0), Some(Month))),
        );
        // A day rate or a month? The magnitude does not say.
        check("€ 900", Some((Some(900.0), Some(900.0), None)));
        check("marktconform", None);
        check("8% vakantiegeld", None);
        check(
            "€ 3.000 per maand, 13e maand",
            Some((Some(3000.0), Some(3000.0), Some(Month))),
        );
        check("per 1 januari", None);
        check("", None);
    }

    #[test]
    fn salaries_stated_in_a_description() {
        let check =
            |description: &str,
             expected: Option<(Option<f64>, Option<f64>, Option<SalaryPeriod>)>| {
                let got = salary_in_description(description)
                    .map(|salary| (salary.min, salary.max, salary.period));
                assert_eq!(got, expected, "{description:?}");
            };
        check(
            "Wat bieden wij?\n- Een salaris van € 3.200 - € 4.500 bruto per maand.\n- 32 uur per week.",
            Some((Some(3200.0), Some(4500.0), Some(Month))),
        );
        check(
            "Salaris: vanaf € 2.950 bruto per maand",
            Some((Some(2950.0), None, Some(Month))),
        );
        check(
            "- A salary of from €14.25 gross per hour.",
            Some((Some(14.25), None, Some(Hour))),
        );
        check(
            "- A salary of €48,500 - €60,000 gross per year.",
            Some((Some(48500.0), Some(60000.0), Some(Year))),
        );
        // Amounts outside a line about pay, and pay without an amount in euros, say nothing.
        check(
            "Met ruim 250 collega's en een budget van € 2.000 per jaar.",
            None,
        );
        check("- 8% vakantiegeld en een goed salaris.", None);
        check("Salaris volgens cao, schaal 8.", None);
        check("", None);
    }

    #[test]
    fn monthly_figures_follow_the_period() {
        let salary = parse_salary_text("€ 45.000 - € 60.000 per jaar").expect("amounts");
        assert_eq!(
            (salary.month_min, salary.month_max),
            (Some(3750.0), Some(5000.0))
        );
        assert_eq!(salary.currency.as_deref(), Some("EUR"));
        let hourly = parse_salary_text("€ 20 per uur").expect("amount");
        assert_eq!(hourly.month_min, Some(3293.33));
        let unknown = parse_salary_text("€ 900").expect("amount");
        assert_eq!(unknown.month_min, None);
    }

    #[test]
    fn structured_salaries_come_first() {
        let structured = Salary {
            min: Some(4500.0),
            max: Some(3200.0),
            currency: Some("eur".into()),
            period: Some(Month),
        };
        let salary = normalise_salary(Some(&structured), Some("€ 10 per uur")).expect("structured");
        assert_eq!(
            (salary.min, salary.max, salary.period),
            (Some(3200.0), Some(4500.0), Some(Month))
        );
        assert_eq!(salary.currency.as_deref(), Some("EUR"));
        let no_period = Salary {
            min: Some(20.0),
            period: None,
            ..Salary::default()
        };
        let salary = normalise_salary(Some(&no_period), Some("per week")).expect("structured");
        assert_eq!(salary.period, Some(SalaryPeriod::Week));
        let dollars = Salary {
            min: Some(5000.0),
            currency: Some("USD".into()),
            period: Some(Month),
            ..Salary::default()
        };
        let salary = normalise_salary(Some(&dollars), None).expect("structured");
        assert_eq!(salary.month_min, None);
        let empty = Salary {
            min: Some(f64::NAN),
            ..Salary::default()
        };
        assert_eq!(
            normalise_salary(Some(&empty), Some("€ 3.000 per maand")).and_then(|s| s.min),
            Some(3000.0)
        );
        assert_eq!(normalise_salary(None, None), None);
    }

    #[test]
    fn numbers_in_both_formats() {
        let check =
            |text: &str, expected: f64| assert_eq!(parse_number(text), Some(expected), "{text}");
        check("3.200", 3200.0);
        check("3.200,50", 3200.5);
        check("3,200.50", 3200.5);
        check("18,50", 18.5);
        check("14.25", 14.25);
        check("1.250.000", 1_250_000.0);
        check("48,500", 48500.0);
    }

    proptest! {
        #[test]
        fn parsing_never_panics(text in any::<String>()) {
            let _ = parse_salary_text(&text);
        }

        #[test]
        fn ranges_read_back_ordered(a in 1u32..200_000, b in 1u32..200_000) {
            let salary = parse_salary_text(&format!("€ {a} - € {b}")).expect("two amounts");
            prop_assert_eq!(salary.min, Some(f64::from(a.min(b))));
            prop_assert_eq!(salary.max, Some(f64::from(a.max(b))));
        }
    }
}
