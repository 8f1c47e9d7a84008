//! An employer's history: every vacancy the index holds for one employer, current and expired,
//! per month of posting and by occupation, with how long its vacancies stayed open and in which
//! months of the year each occupation is usually posted ("this employer hires nurses every
//! spring"). `/api/employers/{name}/history` answers it as JSON; the page `/werkgever/{name}`
//! draws it.
//!
//! It reads the fast fields of the employer's documents (one term's postings), never the stored
//! documents, so a large employer costs a few milliseconds.

use std::collections::HashMap;

use chrono::{DateTime as ChronoDateTime, Datelike, Months, NaiveDate};
use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{DateTime, DocId, Score, SegmentOrdinal, SegmentReader, Term};
use vindwerk_indexer::index::field;

use crate::error::ApiError;
use crate::state::AppState;

/// Months of the chart at most, this month included.
pub const HISTORY_MONTHS: u32 = 24;
/// Months of the chart at least: an employer seen only lately still gets a year.
pub const MIN_HISTORY_MONTHS: u32 = 12;
/// Days between an occupation's first and last posting before its months can show a pattern.
const PATTERN_SPAN_DAYS: i64 = 300;
/// Occupations with a colour of their own in the chart; the rest are "overige beroepen".
pub const OCCUPATIONS_SHOWN: usize = 6;
/// The name of vacancies without a known occupation.
pub const UNKNOWN_OCCUPATION: &str = "onbekend beroep";
/// The name of the occupations beyond [`OCCUPATIONS_SHOWN`] in the chart.
pub const OTHER_OCCUPATIONS: &str = "overige beroepen";

/// One vacancy as the history reads it.
#[derive(Debug, Clone, PartialEq)]
struct Record {
    posted: Option<NaiveDate>,
    expired: Option<NaiveDate>,
    occupation: Option<String>,
    active: bool,
}

/// What the history shows.
#[derive(Debug, Clone, Serialize)]
pub struct EmployerHistory {
    pub employer: String,
    pub total: u64,
    pub active: u64,
    pub expired: u64,
    pub first_posted: Option<NaiveDate>,
    /// The median of the days from posting to expiry over the expired vacancies.
    pub median_days_open: Option<u32>,
    /// The names of the chart's series, in the order of [`MonthFigure::by_occupation`]: the
    /// most frequent occupations, then [`OTHER_OCCUPATIONS`] when there are more.
    pub series: Vec<String>,
    /// The months since the employer's first vacancy, at least the last [`MIN_HISTORY_MONTHS`]
    /// and at most the last [`HISTORY_MONTHS`], oldest first.
    pub months: Vec<MonthFigure>,
    /// Every occupation, most vacancies first.
    pub occupations: Vec<OccupationFigure>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonthFigure {
    /// "2026-11".
    pub month: String,
    /// Vacancies posted in the month, per series.
    pub by_occupation: Vec<u64>,
    pub posted: u64,
    /// Vacancies that expired in the month.
    pub expired: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct OccupationFigure {
    pub name: String,
    pub total: u64,
    pub active: u64,
    pub expired: u64,
    pub median_days_open: Option<u32>,
    /// Vacancies posted per calendar month, January first, over all the years held.
    pub by_calendar_month: [u64; 12],
    /// The calendar months (1-12) in which this occupation is usually posted: those with at
    /// least three quarters of the busiest month's count, when the occupation has enough
    /// vacancies for a pattern (at least four) and the busiest months hold most of them.
    pub peak_months: Vec<u32>,
}

/// Reads the history of `employer` (the value of the `employer` facet); 404 when the index
/// holds no vacancy of it.
pub async fn employer_history(
    state: &AppState,
    employer: String,
) -> Result<EmployerHistory, ApiError> {
    if employer.trim().is_empty() || employer.chars().count() > 200 {
        return Err(ApiError::NotFound("no such employer".to_owned()));
    }
    state
        .blocking(move |state| {
            let snapshot = state.snapshot();
            let term = Term::from_field_text(snapshot.fields.employer, &employer);
            let query = TermQuery::new(term, IndexRecordOption::Basic);
            let records = snapshot
                .searcher
                .search(&query, &RecordCollector)
                .map_err(|error| ApiError::internal(format!("reading {employer:?}: {error}")))?;
            if records.is_empty() {
                return Err(ApiError::NotFound(format!(
                    "no vacancy of employer {employer:?}"
                )));
            }
            Ok(summarise(employer, &records, state.today()))
        })
        .await
}

/// `GET /api/employers/{name}/history`.
pub async fn history_handler(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::extract::Path(employer): axum::extract::Path<String>,
) -> Result<axum::Json<EmployerHistory>, ApiError> {
    Ok(axum::Json(employer_history(&state, employer).await?))
}

fn summarise(employer: String, records: &[Record], today: NaiveDate) -> EmployerHistory {
    let this_month = month_start(today);
    let back = |months: u32| {
        this_month
            .checked_sub_months(Months::new(months - 1))
            .unwrap_or(this_month)
    };
    let first_posted = records.iter().filter_map(|r| r.posted).min();
    let first_month = first_posted
        .map(month_start)
        .unwrap_or(this_month)
        .clamp(back(HISTORY_MONTHS), back(MIN_HISTORY_MONTHS));
    let shown = (0..HISTORY_MONTHS)
        .take_while(|&i| {
            first_month
                .checked_add_months(Months::new(i))
                .is_some_and(|month| month <= this_month)
        })
        .count() as u32;
    let months: Vec<NaiveDate> = (0..shown)
        .filter_map(|i| first_month.checked_add_months(Months::new(i)))
        .collect();
    let month_index = |day: NaiveDate| months.iter().position(|m| *m == month_start(day));

    let mut by_name: HashMap<&str, Vec<&Record>> = HashMap::new();
    for record in records {
        let name = record.occupation.as_deref().unwrap_or(UNKNOWN_OCCUPATION);
        by_name.entry(name).or_default().push(record);
    }
    let mut occupations: Vec<OccupationFigure> = by_name
        .iter()
        .map(|(name, records)| occupation_figure(name, records))
        .collect();
    occupations.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.name.cmp(&b.name)));

    let mut series: Vec<String> = occupations
        .iter()
        .take(OCCUPATIONS_SHOWN)
        .map(|o| o.name.clone())
        .collect();
    if occupations.len() > OCCUPATIONS_SHOWN {
        series.push(OTHER_OCCUPATIONS.to_owned());
    }
    let mut month_figures: Vec<MonthFigure> = months
        .iter()
        .map(|month| MonthFigure {
            month: month.format("%Y-%m").to_string(),
            by_occupation: vec![0; series.len()],
            posted: 0,
            expired: 0,
        })
        .collect();
    for record in records {
        if let Some(index) = record.posted.and_then(month_index) {
            let name = record.occupation.as_deref().unwrap_or(UNKNOWN_OCCUPATION);
            let slot = series
                .iter()
                .position(|s| s == name)
                .unwrap_or(series.len().saturating_sub(1));
            let figure = &mut month_figures[index];
            figure.posted += 1;
            if let Some(count) = figure.by_occupation.get_mut(slot) {
                *count += 1;
            }
        }
        if let Some(index) = record.expired.and_then(month_index) {
            month_figures[index].expired += 1;
        }
    }
    let active = records.iter().filter(|r| r.active).count() as u64;
    EmployerHistory {
        employer,
        total: records.len() as u64,
        active,
        expired: records.len() as u64 - active,
        first_posted,
        median_days_open: median_days_open(records.iter()),
        series,
        months: month_figures,
        occupations,
    }
}

fn occupation_figure(name: &str, records: &[&Record]) -> OccupationFigure {
    let mut by_calendar_month = [0u64; 12];
    for record in records {
        if let Some(day) = record.posted {
            by_calendar_month[day.month0() as usize] += 1;
        }
    }
    let active = records.iter().filter(|r| r.active).count() as u64;
    let days: Vec<NaiveDate> = records.iter().filter_map(|r| r.posted).collect();
    let span = match (days.iter().min(), days.iter().max()) {
        (Some(first), Some(last)) => (*last - *first).num_days(),
        _ => 0,
    };
    OccupationFigure {
        name: name.to_owned(),
        total: records.len() as u64,
        active,
        expired: records.len() as u64 - active,
        median_days_open: median_days_open(records.iter().copied()),
        // Months can only stand out over most of a year.
        peak_months: if span >= PATTERN_SPAN_DAYS {
            peak_months(&by_calendar_month)
        } else {
            Vec::new()
        },
        by_calendar_month,
    }
}

/// The months of the year that stand out: see [`OccupationFigure::peak_months`].
fn peak_months(by_month: &[u64; 12]) -> Vec<u32> {
    let total: u64 = by_month.iter().sum();
    let busiest = by_month.iter().copied().max().unwrap_or(0);
    if total < 4 || busiest < 2 {
        return Vec::new();
    }
    let peaks: Vec<u32> = (0..12u32)
        .filter(|&m| by_month[m as usize] * 4 >= busiest * 3)
        .map(|m| m + 1)
        .collect();
    let in_peaks: u64 = peaks.iter().map(|&m| by_month[m as usize - 1]).sum();
    // A pattern: a few months hold most of the vacancies.
    if peaks.len() <= 4 && in_peaks * 2 > total {
        peaks
    } else {
        Vec::new()
    }
}

fn median_days_open<'a>(records: impl Iterator<Item = &'a Record>) -> Option<u32> {
    let mut days: Vec<u32> = records
        .filter_map(|r| {
            let open = (r.expired? - r.posted?).num_days();
            u32::try_from(open).ok()
        })
        .collect();
    if days.is_empty() {
        return None;
    }
    days.sort_unstable();
    Some(days[days.len() / 2])
}

fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// Reads the [`Record`] of every document matched.
struct RecordCollector;

struct SegmentRecords {
    posted: Option<Column<DateTime>>,
    expired: Option<Column<DateTime>>,
    occupation: Option<StrColumn>,
    status: Option<StrColumn>,
    records: Vec<Record>,
}

impl Collector for RecordCollector {
    type Fruit = Vec<Record>;
    type Child = SegmentRecords;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentRecords> {
        let fast = reader.fast_fields();
        Ok(SegmentRecords {
            posted: fast.column_opt(field::POSTED)?,
            expired: fast.column_opt(field::EXPIRED)?,
            occupation: fast.str(field::OCCUPATION)?,
            status: fast.str(field::STATUS)?,
            records: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Record>>) -> tantivy::Result<Vec<Record>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentRecords {
    type Fruit = Vec<Record>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let day = |column: &Option<Column<DateTime>>| {
            let seconds = column.as_ref()?.first(doc)?.into_timestamp_secs();
            Some(ChronoDateTime::from_timestamp(seconds, 0)?.date_naive())
        };
        let text = |column: &Option<StrColumn>| {
            let column = column.as_ref()?;
            let ord = column.term_ords(doc).next()?;
            let mut value = String::new();
            column.ord_to_str(ord, &mut value).ok()?;
            Some(value)
        };
        self.records.push(Record {
            posted: day(&self.posted),
            expired: day(&self.expired),
            occupation: text(&self.occupation),
            active: text(&self.status).as_deref() != Some("expired"),
        });
    }

    fn harvest(self) -> Vec<Record> {
        self.records
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid day")
    }

    fn record(posted: NaiveDate, expired: Option<NaiveDate>, occupation: &str) -> Record {
        Record {
            posted: Some(posted),
            expired,
            occupation: (!occupation.is_empty()).then(|| occupation.to_owned()),
            active: expired.is_none(),
        }
    }

    #[test]
    fn an_employer_that_hires_nurses_every_spring_shows_it() {
        let mut records = Vec::new();
        for year in [2024, 2025, 2026] {
            records.push(record(
                day(year, 3, 10),
                Some(day(year, 4, 20)),
                "verpleegkundige",
            ));
            records.push(record(
                day(year, 4, 2),
                Some(day(year, 5, 2)),
                "verpleegkundige",
            ));
        }
        records.push(record(day(2026, 10, 1), None, "kok"));
        records.push(record(day(2026, 11, 5), None, ""));
        let history = summarise("Zorggroep".to_owned(), &records, day(2026, 11, 22));
        assert_eq!(history.total, 8);
        assert_eq!(history.active, 2);
        assert_eq!(history.expired, 6);
        assert_eq!(history.first_posted, Some(day(2024, 3, 10)));
        // 41, 30, 41, 30, 41, 30 days: the median of six is the fourth.
        assert_eq!(history.median_days_open, Some(41));
        // Since the first vacancy, at most 24 months back.
        assert_eq!(history.months.len(), 24);
        assert_eq!(history.months[0].month, "2024-12");
        assert_eq!(history.months[23].month, "2026-11");
        let nurses = &history.occupations[0];
        assert_eq!(nurses.name, "verpleegkundige");
        assert_eq!(nurses.peak_months, vec![3, 4]);
        assert_eq!(nurses.by_calendar_month[2], 3);
        assert_eq!(
            history.series,
            vec!["verpleegkundige", "kok", UNKNOWN_OCCUPATION]
        );
        let march_2026 = history
            .months
            .iter()
            .find(|m| m.month == "2026-03")
            .expect("in the chart");
        assert_eq!(march_2026.posted, 1);
        assert_eq!(march_2026.by_occupation, vec![1, 0, 0]);
        let april_2026 = history
            .months
            .iter()
            .find(|m| m.month == "2026-04")
            .expect("in the chart");
        assert_eq!(april_2026.expired, 1);
        // Before the chart's first month: counted in the totals, not in the months.
        let posted_in_chart: u64 = history.months.iter().map(|m| m.posted).sum();
        assert_eq!(posted_in_chart, 6);
    }

    #[test]
    fn occupations_beyond_the_shown_ones_are_grouped_in_the_chart() {
        let records: Vec<Record> = (0..9)
            .map(|i| record(day(2026, 11, 1), None, &format!("beroep {i}")))
            .collect();
        let history = summarise("X".to_owned(), &records, day(2026, 11, 22));
        // A new employer still gets a year, ending this month.
        assert_eq!(history.months.len(), 12);
        assert_eq!(history.months[0].month, "2025-12");
        assert_eq!(history.series.len(), OCCUPATIONS_SHOWN + 1);
        assert_eq!(
            history.series.last().map(String::as_str),
            Some(OTHER_OCCUPATIONS)
        );
        let november = history.months.last().expect("this month");
        assert_eq!(november.by_occupation.iter().sum::<u64>(), 9);
        assert_eq!(november.by_occupation[OCCUPATIONS_SHOWN], 3);
        assert_eq!(history.occupations.len(), 9);
    }

    #[test]
    fn a_few_months_of_postings_show_no_pattern() {
        let records: Vec<Record> = (1..=6)
            .map(|d| record(day(2026, 11, d), None, "lasser"))
            .collect();
        let history = summarise("X".to_owned(), &records, day(2026, 11, 22));
        assert_eq!(history.occupations[0].by_calendar_month[10], 6);
        assert!(history.occupations[0].peak_months.is_empty());
    }

    #[test]
    fn no_pattern_without_enough_vacancies_or_with_an_even_spread() {
        assert!(peak_months(&[1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_empty());
        assert!(peak_months(&[2; 12]).is_empty());
        assert_eq!(
            peak_months(&[0, 0, 0, 0, 0, 0, 0, 0, 5, 4, 1, 0]),
            vec![9, 10]
        );
    }
}
