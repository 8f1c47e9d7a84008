//! The overview for UWV: a seeker on a WW benefit reports their application activities every
//! four weeks. The log of steps prints that overview per period (date, employer, position, how
//! applied, result) and exports it as CSV for Excel.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use vindwerk_store::Action;

use super::session::{PageError, SignedIn};
use super::shortlists::neutralise;
use super::{portal, with_store};
use crate::AppState;
use crate::pages::render;

/// A period of the overview: four weeks.
pub const PERIOD_DAYS: i64 = 28;
/// The application activities UWV usually asks for per four weeks.
pub const ACTIVITIES_PER_PERIOD: usize = 4;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PeriodQuery {
    /// The first day of the current period (`jjjj-mm-dd`); by default the period ends today.
    vanaf: String,
}

/// One period with its steps, oldest first.
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub actions: Vec<Action>,
}

impl Period {
    /// The steps UWV counts as application activities.
    pub fn applications(&self) -> usize {
        self.actions
            .iter()
            .filter(|action| action.kind.is_application())
            .count()
    }
}

/// The start of the current period: as asked (not after today), else 27 days before today.
fn current_start(asked: &str, today: NaiveDate) -> NaiveDate {
    NaiveDate::parse_from_str(asked.trim(), "%Y-%m-%d")
        .ok()
        .filter(|day| *day <= today)
        .unwrap_or(today - Duration::days(PERIOD_DAYS - 1))
}

/// The periods from the current one back to the one of the oldest step, newest first; each
/// holds its steps oldest first. Steps after the current period (a start chosen in the past)
/// fall into later periods, which are listed too.
pub fn periods(start: NaiveDate, mut actions: Vec<Action>) -> Vec<Period> {
    actions.sort_by_key(|action| (action.day, action.created_at));
    let index_of = |day: NaiveDate| (day - start).num_days().div_euclid(PERIOD_DAYS);
    let newest = actions
        .iter()
        .map(|a| index_of(a.day))
        .max()
        .unwrap_or(0)
        .max(0);
    let oldest = actions
        .iter()
        .map(|a| index_of(a.day))
        .min()
        .unwrap_or(0)
        .min(0);
    (oldest..=newest)
        .rev()
        .map(|index| {
            let first = start + Duration::days(index * PERIOD_DAYS);
            Period {
                start: first,
                end: first + Duration::days(PERIOD_DAYS - 1),
                actions: actions
                    .iter()
                    .filter(|action| index_of(action.day) == index)
                    .cloned()
                    .collect(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "uwv.html")]
struct UwvPage<'a> {
    periods: &'a [Period],
    start: String,
    csv_href: String,
    norm: usize,
}

async fn periods_of(
    state: &AppState,
    signed_in: &SignedIn,
    query: &PeriodQuery,
) -> Result<(NaiveDate, Vec<Period>), PageError> {
    let portal = portal(state)?;
    if !signed_in
        .session
        .user
        .has_role(vindwerk_model::Role::Seeker)
    {
        return Err(PageError::Forbidden);
    }
    let seeker = signed_in.session.user.id.clone();
    let actions = with_store(&portal, move |store| Ok(store.actions_of(&seeker, false)?)).await?;
    let start = current_start(&query.vanaf, super::today_in_amsterdam());
    Ok((start, periods(start, actions)))
}

/// `GET /acties/uwv`: the overview to print.
pub async fn overview(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let (start, periods) = periods_of(&state, &signed_in, &query).await?;
    let start = start.format("%Y-%m-%d").to_string();
    Ok(render(
        StatusCode::OK,
        &UwvPage {
            periods: &periods,
            csv_href: format!("/acties/uwv.csv?vanaf={start}"),
            start,
            norm: ACTIVITIES_PER_PERIOD,
        },
    ))
}

fn dutch_date(day: NaiveDate) -> String {
    day.format("%d-%m-%Y").to_string()
}

/// The overview as CSV: a BOM, `;`, dates as dd-mm-jjjj, formulas neutralised.
pub fn overview_csv(periods: &[Period]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record([
        "periode van",
        "periode tot en met",
        "datum",
        "werkgever",
        "functie",
        "hoe",
        "sollicitatieactiviteit",
        "resultaat",
        "vacature",
    ])?;
    for period in periods.iter().rev() {
        for action in &period.actions {
            let record = [
                dutch_date(period.start),
                dutch_date(period.end),
                dutch_date(action.day),
                action.employer.clone(),
                action.position.clone(),
                action.kind.label().to_owned(),
                if action.kind.is_application() {
                    "ja"
                } else {
                    "nee"
                }
                .to_owned(),
                action.result.clone(),
                action
                    .vacancy
                    .as_ref()
                    .map(|id| id.to_string())
                    .unwrap_or_default(),
            ];
            writer.write_record(record.iter().map(|cell| neutralise(cell)))?;
        }
    }
    writer
        .into_inner()
        .map_err(|error| csv::Error::from(error.into_error()))
}

/// `GET /acties/uwv.csv`
pub async fn overview_csv_file(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let (_, periods) = periods_of(&state, &signed_in, &query).await?;
    let body = overview_csv(&periods).map_err(|error| PageError::Internal(error.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"vindwerk-sollicitatieactiviteiten.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use vindwerk_model::{ActionKind, UserId};

    fn action(id: &str, day: NaiveDate, kind: ActionKind) -> Action {
        Action {
            id: id.to_owned(),
            seeker: UserId::new("u1"),
            kind,
            day,
            vacancy: None,
            position: "=1+1".to_owned(),
            employer: "Zorggroep".to_owned(),
            result: String::new(),
            note: String::new(),
            shared: false,
            created_at: Utc::now(),
        }
    }

    fn day(month: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, month, d).expect("date")
    }

    #[test]
    fn steps_fall_into_four_week_periods_from_the_start() {
        let start = day(11, 5);
        let periods = periods(
            start,
            vec![
                action("a", day(11, 5), ActionKind::Letter),
                action("b", day(12, 2), ActionKind::Coffee),
                action("c", day(11, 4), ActionKind::Interview),
                action("d", day(10, 1), ActionKind::SiteApplication),
            ],
        );
        let spans: Vec<(NaiveDate, NaiveDate, Vec<&str>)> = periods
            .iter()
            .map(|p| {
                (
                    p.start,
                    p.end,
                    p.actions.iter().map(|a| a.id.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            spans,
            [
                (day(11, 5), day(12, 2), vec!["a", "b"]),
                (day(10, 8), day(11, 4), vec!["c"]),
                (day(9, 10), day(10, 7), vec!["d"]),
            ]
        );
        assert_eq!(
            periods[0].applications(),
            1,
            "a coffee is not an application"
        );
    }

    #[test]
    fn the_current_period_ends_today_unless_asked_otherwise() {
        let today = day(12, 2);
        assert_eq!(current_start("", today), day(11, 5));
        assert_eq!(current_start("2026-11-20", today), day(11, 20));
        assert_eq!(
            current_start("2027-01-01", today),
            day(11, 5),
            "not in the future"
        );
        assert_eq!(current_start("<script>", today), day(11, 5));
    }

    #[test]
    fn the_csv_opens_in_dutch_excel_and_carries_no_formula() {
        let periods = periods(
            day(11, 5),
            vec![action("a", day(11, 6), ActionKind::Letter)],
        );
        let text = String::from_utf8(overview_csv(&periods).expect("csv")).expect("utf-8");
        assert!(text.starts_with('\u{feff}'));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[1],
            "05-11-2026;02-12-2026;06-11-2026;Zorggroep;'=1+1;Sollicitatiebrief verstuurd;ja;;"
        );
    }
}
