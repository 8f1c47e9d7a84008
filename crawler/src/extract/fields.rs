//! Reading the loosely written values that pages, feeds and APIs publish: text with tags and
//! entities, dates in many spellings, employment types in Dutch and English, salaries as
//! numbers or prose. Shared by `extract` and `formats`; each function returns `None` rather than
//! guess.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate};
use regex::Regex;
use scraper::Html;
use vindwerk_model::{EmploymentType, Salary, SalaryPeriod};

/// Collapses runs of whitespace into one space and trims.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Plain text of a value that may hold tags or entities: tags are stripped, entities decoded,
/// whitespace collapsed. Text that reads like a tag after decoding (`&lt;script&gt;`) stays
/// as text; escaping it is the renderer's job.
pub(crate) fn plain_text(text: &str) -> String {
    if !text.contains(['<', '&']) {
        return collapse_whitespace(text);
    }
    let fragment = Html::parse_fragment(text);
    collapse_whitespace(&fragment.root_element().text().collect::<String>())
}

/// `Some(plain_text)` unless it is empty.
pub(crate) fn non_empty_text(text: &str) -> Option<String> {
    let text = plain_text(text);
    (!text.is_empty()).then_some(text)
}

/// A description as HTML: entity-escaped HTML (`&lt;p&gt;`, as Greenhouse sends it) is
/// decoded once; HTML or plain text is kept as published.
pub(crate) fn description_html(text: &str) -> String {
    let text = text.trim();
    if !text.contains('<') && text.contains("&lt;") {
        let fragment = Html::parse_fragment(text);
        return fragment
            .root_element()
            .text()
            .collect::<String>()
            .trim()
            .to_owned();
    }
    text.to_owned()
}

static ISO_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})").expect("date regex should compile")
});
static DMY_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b").expect("date regex should compile")
});
static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2})(?:st|nd|rd|th|e)?\.?\s+([a-z]{3,9})\.?,?\s+(\d{4})\b")
        .expect("date regex should compile")
});
static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
        .expect("date regex should compile")
});

fn month_number(name: &str) -> Option<u32> {
    let name = name.to_lowercase();
    const MONTHS: [&[&str]; 12] = [
        &["jan", "januari", "january"],
        &["feb", "februari", "february"],
        &["mrt", "maart", "mar", "march"],
        &["apr", "april"],
        &["mei", "may"],
        &["jun", "juni", "june"],
        &["jul", "juli", "july"],
        &["aug", "augustus", "august"],
        &["sep", "sept", "september"],
        &["okt", "oct", "oktober", "october"],
        &["nov", "november"],
        &["dec", "december"],
    ];
    MONTHS
        .iter()
        .position(|names| names.contains(&name.as_str()))
        .and_then(|index| u32::try_from(index + 1).ok())
}

/// A date from the spellings pages use: `2026-11-01`, `2026-11-01T09:00`, RFC 3339,
/// `01-11-2026` (day first, as in Dutch), `1 november 2026`, `November 1, 2026`,
/// `Fri, 01 Nov 2026 09:00:00 +0100`. The date is taken as written, ignoring a time zone.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if text.is_empty() || text.len() > 200 {
        return None;
    }
    let number = |captures: &regex::Captures<'_>, index: usize| -> Option<u32> {
        captures.get(index)?.as_str().parse().ok()
    };
    if let Some(captures) = ISO_DATE.captures(text) {
        let year = i32::try_from(number(&captures, 1)?).ok()?;
        return NaiveDate::from_ymd_opt(year, number(&captures, 2)?, number(&captures, 3)?);
    }
    if let Some(captures) = DMY_DATE.captures(text) {
        let year = i32::try_from(number(&captures, 3)?).ok()?;
        return NaiveDate::from_ymd_opt(year, number(&captures, 2)?, number(&captures, 1)?);
    }
    if let Some(captures) = DAY_MONTH_YEAR.captures(text)
        && let Some(month) = month_number(&captures[2])
    {
        let year = i32::try_from(number(&captures, 3)?).ok()?;
        return NaiveDate::from_ymd_opt(year, month, number(&captures, 1)?);
    }
    if let Some(captures) = MONTH_DAY_YEAR.captures(text)
        && let Some(month) = month_number(&captures[1])
    {
        let year = i32::try_from(number(&captures, 3)?).ok()?;
        return NaiveDate::from_ymd_opt(year, month, number(&captures, 2)?);
    }
    None
}

/// The UTC date of a Unix time in milliseconds (Lever's `createdAt`).
pub(crate) fn date_from_millis(millis: i64) -> Option<NaiveDate> {
    DateTime::from_timestamp_millis(millis).map(|time| time.date_naive())
}

/// Employment types from free spellings: `FULL_TIME`, `Full-time`, `fulltime`, `Voltijd`,
/// `Deeltijd`, `fulltime_fixed_term`, `Fulltime / Parttime`. Unknown words give nothing.
pub(crate) fn parse_employment_types(text: &str) -> Vec<EmploymentType> {
    let mut types = Vec::new();
    for token in text.split([',', '/', ';', '|', '+', '&']) {
        let key: String = token
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        let key = key.as_str();
        let mut found = |kind: EmploymentType| {
            if !types.contains(&kind) {
                types.push(kind);
            }
        };
        if key.contains("fulltime") || key.contains("voltijd") || key.contains("fulltijd") {
            found(EmploymentType::FullTime);
        }
        if key.contains("parttime") || key.contains("deeltijd") {
            found(EmploymentType::PartTime);
        }
        if matches!(
            key,
            "contract" | "contractor" | "contractors" | "zzp" | "interim"
        ) || key.starts_with("freelance")
            || key.starts_with("selfemployed")
            || key.starts_with("zzp")
        {
            found(EmploymentType::Contractor);
        }
        if key.starts_with("temp")
            || key.contains("tijdelijk")
            || key.contains("fixedterm")
            || key.contains("seasonal")
        {
            found(EmploymentType::Temporary);
        }
        if key.starts_with("intern")
            && !key.starts_with("internal")
            && !key.starts_with("internation")
            || key.starts_with("stage")
            || key.starts_with("stagiair")
            || key.contains("werkstudent")
            || key.contains("workingstudent")
            || key.starts_with("afstudeer")
        {
            found(EmploymentType::Intern);
        }
        if key.starts_with("volunte") || key.starts_with("vrijwillig") {
            found(EmploymentType::Volunteer);
        }
        if key == "perdiem" {
            found(EmploymentType::PerDiem);
        }
        if key == "other" || key == "overig" || key == "overige" {
            found(EmploymentType::Other);
        }
    }
    types
}

/// The period a salary's unit names: schema.org's `unitText` (`HOUR`, `MONTH`, `YEAR`) or
/// prose (`per uur`, `bruto per maand`, `p/m`, `per-year-salary`).
pub(crate) fn parse_period(text: &str) -> Option<SalaryPeriod> {
    let text = text.to_lowercase();
    // An explicit "per maand" wins over other unit words ("per maand bij 36 uur").
    let unit = PER_UNIT
        .captures(&text)
        .and_then(|captures| captures.get(1))
        .map(|unit| unit.as_str().to_owned());
    let text = unit.unwrap_or(text);
    let has = |words: &[&str]| words.iter().any(|word| text.contains(word));
    if has(&["month", "maand", "mnd", "p/m", "p.m."]) {
        Some(SalaryPeriod::Month)
    } else if has(&["year", "jaar", "annual", "annum", "p/j"]) {
        Some(SalaryPeriod::Year)
    } else if has(&["hour", "uur"]) {
        Some(SalaryPeriod::Hour)
    } else if has(&["week"]) {
        Some(SalaryPeriod::Week)
    } else if has(&["day", "dag", "daily"]) {
        Some(SalaryPeriod::Day)
    } else {
        None
    }
}

static PER_UNIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\bper|/)[\s-]*(uur|maand|mnd|jaar|week|dag|hour|month|year|annum|day)")
        .expect("unit regex should compile")
});

static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\d(?:[\d.,]*\d)?(?:\s?k\b)?").expect("amount regex should compile")
});

/// A number as Dutch or English pages write it: `3.200`, `3.200,50`, `3,200.50`, `45k`,
/// `3200,-`.
pub(crate) fn parse_amount(token: &str) -> Option<f64> {
    let token = token.trim();
    let (token, factor) = match token.strip_suffix(['k', 'K']) {
        Some(rest) => (rest.trim_end(), 1000.0),
        None => (token, 1.0),
    };
    let token = token.trim_end_matches([',', '.', '-']);
    let last_dot = token.rfind('.');
    let last_comma = token.rfind(',');
    let normal: String = match (last_dot, last_comma) {
        (Some(dot), Some(comma)) => {
            let (thousands, decimal) = if dot > comma { (',', '.') } else { ('.', ',') };
            token
                .chars()
                .filter(|&c| c != thousands)
                .map(|c| if c == decimal { '.' } else { c })
                .collect()
        }
        (Some(_), None) | (None, Some(_)) => {
            let separator = if last_dot.is_some() { '.' } else { ',' };
            let groups: Vec<&str> = token.split(separator).collect();
            let thousands = groups.len() > 1
                && groups[1..].iter().all(|group| group.len() == 3)
                && (groups.len() > 2 || factor == 1.0);
            if thousands {
                groups.concat()
            } else if groups.len() == 2 {
                format!("{}.{}", groups[0], groups[1])
            } else {
                return None;
            }
        }
        (None, None) => token.to_owned(),
    };
    let value: f64 = normal.parse().ok()?;
    let value = value * factor;
    value.is_finite().then_some(value)
}

/// A salary from prose: `€ 3.200 - € 4.500 bruto per maand`, `3200-4500`, `€18,50 per uur`.
/// The first two amounts are the range; one amount is both ends, unless the words before it
/// make it a bound: `vanaf € 600` is a minimum, `max. € 4.000` a maximum.
pub(crate) fn parse_salary_text(text: &str) -> Option<Salary> {
    let text = text.trim();
    if text.is_empty() || text.len() > 1000 {
        return None;
    }
    let found: Vec<(usize, f64)> = AMOUNT
        .find_iter(text)
        .filter_map(|found| parse_amount(found.as_str()).map(|amount| (found.start(), amount)))
        .take(2)
        .collect();
    let (min, max) = match found.as_slice() {
        [] => return None,
        [(start, one)] => {
            let before = text[..*start].to_lowercase();
            if LOWER_BOUND.is_match(&before) {
                (Some(*one), None)
            } else if UPPER_BOUND.is_match(&before) {
                (None, Some(*one))
            } else {
                (Some(*one), Some(*one))
            }
        }
        [(_, low), (_, high), ..] => (Some(*low), Some(*high)),
    };
    Some(Salary {
        min,
        max,
        currency: parse_currency(text),
        period: parse_period(text),
    })
}

/// Words that make the amount after them a minimum ("vanaf € 600", "from €14.25").
static LOWER_BOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\bvanaf|\bv\.a\.|\bmin(?:imaal|imum)?\.?|\bfrom|\bstarting\s+at|\bat\s+least|\bminstens)\s*(?:€|eur(?:o)?)?\s*$")
        .expect("bound regex should compile")
});

/// Words that make the amount after them a maximum ("max. € 4.000", "tot € 3.500").
static UPPER_BOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\bmax(?:imaal|imum)?\.?|\btot(?:\s+maximaal)?|\bt/m|\bup\s+to|\bhooguit)\s*(?:€|eur(?:o)?)?\s*$")
        .expect("bound regex should compile")
});

/// The currency a text names by symbol or code.
pub(crate) fn parse_currency(text: &str) -> Option<String> {
    let upper = text.to_uppercase();
    if text.contains('€') || upper.contains("EUR") {
        Some("EUR".to_owned())
    } else if text.contains('$') || upper.contains("USD") {
        Some("USD".to_owned())
    } else if text.contains('£') || upper.contains("GBP") {
        Some("GBP".to_owned())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, month, day)
    }

    #[test]
    fn dates_in_many_spellings() {
        let cases = [
            ("2026-11-01", date(2026, 11, 1)),
            ("2026-11-01T09:00", date(2026, 11, 1)),
            ("2026-11-01T09:00:00+01:00", date(2026, 11, 1)),
            ("2026/11/01", date(2026, 11, 1)),
            ("01-11-2026", date(2026, 11, 1)),
            ("1-11-2026", date(2026, 11, 1)),
            ("01.11.2026", date(2026, 11, 1)),
            ("1 november 2026", date(2026, 11, 1)),
            ("vrijdag 13 maart 2026", date(2026, 3, 13)),
            ("1 nov. 2026", date(2026, 11, 1)),
            ("November 1, 2026", date(2026, 11, 1)),
            ("Fri, 01 Nov 2026 09:00:00 +0100", date(2026, 11, 1)),
            ("31-02-2026", None),
            ("binnenkort", None),
            ("", None),
            ("2026-13-45", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_date(text), expected, "parse_date({text:?})");
        }
    }

    #[test]
    fn employment_types_in_free_spelling() {
        use EmploymentType::*;
        let cases: &[(&str, &[EmploymentType])] = &[
            ("FULL_TIME", &[FullTime]),
            ("Full-time", &[FullTime]),
            ("fulltime", &[FullTime]),
            ("Voltijd", &[FullTime]),
            ("Deeltijd", &[PartTime]),
            ("PART_TIME, TEMPORARY", &[PartTime, Temporary]),
            ("Fulltime / Parttime", &[FullTime, PartTime]),
            ("fulltime_fixed_term", &[FullTime, Temporary]),
            ("Freelance", &[Contractor]),
            ("CONTRACTOR", &[Contractor]),
            ("Stage", &[Intern]),
            ("INTERN", &[Intern]),
            ("internal transfer", &[]),
            ("Vrijwilligerswerk", &[Volunteer]),
            ("PER_DIEM", &[PerDiem]),
            ("OTHER", &[Other]),
            ("vast", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_employment_types(text), *expected, "{text:?}");
        }
    }

    #[test]
    fn amounts_in_dutch_and_english() {
        let cases = [
            ("3.200", Some(3200.0)),
            ("3.200,50", Some(3200.5)),
            ("3,200.50", Some(3200.5)),
            ("3200,-", Some(3200.0)),
            ("18,50", Some(18.5)),
            ("18.5", Some(18.5)),
            ("45k", Some(45000.0)),
            ("1.234.567", Some(1234567.0)),
            ("1,2,3", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_amount(text), expected, "parse_amount({text:?})");
        }
    }

    #[test]
    fn salaries_from_prose() {
        let salary = parse_salary_text("€ 3.200 - € 4.500 bruto per maand").expect("a salary");
        assert_eq!((salary.min, salary.max), (Some(3200.0), Some(4500.0)));
        assert_eq!(salary.currency.as_deref(), Some("EUR"));
        assert_eq!(salary.period, Some(SalaryPeriod::Month));
        let salary = parse_salary_text("3200-4500").expect("a range");
        assert_eq!(
            (salary.min, salary.max, salary.period),
            (Some(3200.0), Some(4500.0), None)
        );
        let salary = parse_salary_text("€ 3.200 - € 4.500 per maand bij 36 uur").expect("a salary");
        assert_eq!(salary.period, Some(SalaryPeriod::Month));
        assert_eq!(parse_period("per-year-salary"), Some(SalaryPeriod::Year));
        assert_eq!(parse_period("HOUR"), Some(SalaryPeriod::Hour));
        let hourly = parse_salary_text("€18,50 per uur").expect("hourly");
        assert_eq!(
            (hourly.min, hourly.period),
            (Some(18.5), Some(SalaryPeriod::Hour))
        );
        assert_eq!(parse_salary_text("marktconform"), None);
    }

    #[test]
    fn one_amount_is_a_bound_when_the_words_say_so() {
        let check = |text: &str, expected: (Option<f64>, Option<f64>)| {
            let salary = parse_salary_text(text).expect("an amount");
            assert_eq!((salary.min, salary.max), expected, "{text:?}");
        };
        check("vanaf € 600 bruto per maand", (Some(600.0), None));
        check("from €14.25 gross per hour", (Some(14.25), None));
        check("Minimaal €2.950 per maand", (Some(2950.0), None));
        check("max. €4.000", (None, Some(4000.0)));
        check("tot € 3.500 per maand", (None, Some(3500.0)));
        check("€ 3.500 per maand", (Some(3500.0), Some(3500.0)));
        check("Salaris: € 3.500", (Some(3500.0), Some(3500.0)));
    }

    #[test]
    fn plain_text_strips_tags_and_keeps_escaped_script_as_text() {
        assert_eq!(
            plain_text("  Verpleegkundige\n  <b>oncologie</b> "),
            "Verpleegkundige oncologie"
        );
        assert_eq!(plain_text("Kok &amp; gastheer"), "Kok & gastheer");
        assert_eq!(
            plain_text("&lt;script&gt;alert(1)&lt;/script&gt; Developer"),
            "<script>alert(1)</script> Developer"
        );
        assert_eq!(description_html("&lt;p&gt;Hallo&lt;/p&gt;"), "<p>Hallo</p>");
        assert_eq!(
            description_html("<p>Hallo &amp; welkom</p>"),
            "<p>Hallo &amp; welkom</p>"
        );
    }
}
