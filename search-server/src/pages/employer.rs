//! An employer's history (`/werkgever/{name}`): a monthly bar chart of the vacancies it posted
//! over the last two years, stacked by occupation, with the vacancies that expired each month;
//! per occupation how many, how long they stayed open and in which months they usually come;
//! and the same figures as tables. Reached from every vacancy page and from the map.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;

use super::{encode_path, href, href_at, message, render, thousands};
use crate::history::{EmployerHistory, employer_history};
use crate::state::AppState;

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];
const MONTHS_SHORT: [&str; 12] = [
    "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
];

/// The chart's size in its own units, and its margins.
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 30.0;

#[derive(Template)]
#[template(path = "employer.html")]
struct EmployerPage {
    employer: String,
    summary: String,
    open_text: Option<String>,
    active_href: String,
    expired_href: String,
    map_href: String,
    view_box: String,
    bars: Vec<Bar>,
    expired_points: String,
    expired_marks: Vec<Mark>,
    grid: Vec<Line>,
    ticks: Vec<Line>,
    legend: Vec<(String, String)>,
    months: Vec<MonthRow>,
    occupations: Vec<OccupationRow>,
}

struct Bar {
    x: String,
    y: String,
    width: String,
    height: String,
    class: String,
    title: String,
}

struct Mark {
    x: String,
    y: String,
    title: String,
}

/// A grid line or tick with its label.
struct Line {
    x: String,
    y: String,
    label: String,
}

struct MonthRow {
    label: String,
    posted: u64,
    expired: u64,
}

struct OccupationRow {
    name: String,
    total: String,
    active: String,
    expired: String,
    days_open: String,
    usually: String,
}

/// `GET /werkgever/{name}`.
pub async fn employer_page(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    match employer_history(&state, name).await {
        Ok(history) => render(StatusCode::OK, &employer_view(&history)),
        Err(error) if error.code().status() == StatusCode::NOT_FOUND => message(
            StatusCode::NOT_FOUND,
            "Werkgever niet gevonden",
            "Van deze werkgever kennen we geen vacatures.",
        ),
        Err(error) => {
            error.log();
            message(
                error.code().status(),
                "Even niet beschikbaar",
                "De geschiedenis van deze werkgever lukt nu even niet. Probeer het zo opnieuw.",
            )
        }
    }
}

/// The address of `employer`'s history page.
pub fn employer_href(employer: &str) -> String {
    format!("/werkgever/{}", encode_path(employer))
}

fn month_label(month: &str, long: bool) -> String {
    let parsed = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d");
    match parsed {
        Ok(day) => {
            use chrono::Datelike;
            let index = day.month0() as usize;
            if long {
                format!("{} {}", MONTHS[index], day.year())
            } else {
                format!("{} ’{:02}", MONTHS_SHORT[index], day.year() % 100)
            }
        }
        Err(_) => month.to_owned(),
    }
}

fn employer_view(history: &EmployerHistory) -> EmployerPage {
    let employer = &history.employer;
    let pairs = |status: Option<&str>| {
        let mut pairs = vec![("employer".to_owned(), employer.clone())];
        if let Some(status) = status {
            pairs.push(("status".to_owned(), status.to_owned()));
        }
        pairs
    };
    let since = history
        .first_posted
        .map(|day| format!(" sinds {}", day.format("%d-%m-%Y")))
        .unwrap_or_default();
    let summary = format!(
        "{} vacatures{since}: {} nu open, {} verlopen.",
        thousands(history.total),
        thousands(history.active),
        thousands(history.expired)
    );
    let open_text = history.median_days_open.map(|days| {
        format!("Een vacature van deze werkgever stond meestal {days} dagen open (mediaan).")
    });

    // The chart.
    let slots = history.months.len().max(1) as f64;
    let slot = (WIDTH - LEFT - RIGHT) / slots;
    let bar_width = slot * 0.7;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let highest = history
        .months
        .iter()
        .map(|m| m.posted.max(m.expired))
        .max()
        .unwrap_or(0)
        .max(1);
    let step = nice_step(highest);
    let top = highest.div_ceil(step) * step;
    let y_of = |count: u64| TOP + plot_height * (1.0 - count as f64 / top as f64);
    let mut bars = Vec::new();
    let mut points = Vec::new();
    let mut marks = Vec::new();
    let mut ticks = Vec::new();
    for (i, month) in history.months.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar_width) / 2.0;
        let long = month_label(&month.month, true);
        let mut stacked = 0;
        for (series, count) in month.by_occupation.iter().enumerate() {
            if *count == 0 {
                continue;
            }
            let y_top = y_of(stacked + count);
            let y_bottom = y_of(stacked);
            bars.push(Bar {
                x: format!("{x:.1}"),
                y: format!("{y_top:.1}"),
                width: format!("{bar_width:.1}"),
                height: format!("{:.1}", y_bottom - y_top),
                class: format!("series-{series}"),
                title: format!(
                    "{long}: {} × {}",
                    count,
                    history.series.get(series).map_or("", String::as_str)
                ),
            });
            stacked += count;
        }
        let centre = LEFT + slot * (i as f64 + 0.5);
        let y = y_of(month.expired);
        points.push(format!("{centre:.1},{y:.1}"));
        if month.expired > 0 {
            marks.push(Mark {
                x: format!("{centre:.1}"),
                y: format!("{y:.1}"),
                title: format!("{long}: {} verlopen", month.expired),
            });
        }
        if i % 3 == 0 {
            ticks.push(Line {
                x: format!("{centre:.1}"),
                y: format!("{:.1}", HEIGHT - BOTTOM + 16.0),
                label: month_label(&month.month, false),
            });
        }
    }
    let grid = (0..=top / step)
        .map(|k| {
            let count = k * step;
            Line {
                x: format!("{:.1}", LEFT - 6.0),
                y: format!("{:.1}", y_of(count)),
                label: count.to_string(),
            }
        })
        .collect();
    let legend = history
        .series
        .iter()
        .enumerate()
        .map(|(i, name)| (format!("series-{i}"), name.clone()))
        .collect();

    let months = history
        .months
        .iter()
        .map(|m| MonthRow {
            label: month_label(&m.month, true),
            posted: m.posted,
            expired: m.expired,
        })
        .collect();
    let occupations = history
        .occupations
        .iter()
        .map(|o| OccupationRow {
            name: o.name.clone(),
            total: thousands(o.total),
            active: thousands(o.active),
            expired: thousands(o.expired),
            days_open: o
                .median_days_open
                .map_or_else(|| "–".to_owned(), |days| format!("{days} dagen")),
            usually: if o.peak_months.is_empty() {
                "–".to_owned()
            } else {
                o.peak_months
                    .iter()
                    .filter_map(|m| MONTHS.get(*m as usize - 1).copied())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        })
        .collect();
    EmployerPage {
        employer: employer.clone(),
        summary,
        open_text,
        active_href: href(&pairs(None)),
        expired_href: href(&pairs(Some("expired"))),
        map_href: href_at("/kaart", &pairs(None)),
        view_box: format!("0 0 {WIDTH} {HEIGHT}"),
        bars,
        expired_points: points.join(" "),
        expired_marks: marks,
        grid,
        ticks,
        legend,
        months,
        occupations,
    }
}

/// A step for the chart's grid: 1, 2 or 5 times a power of ten, giving at most five lines.
fn nice_step(highest: u64) -> u64 {
    let mut step = 1;
    loop {
        for factor in [1, 2, 5] {
            if highest.div_ceil(step * factor) <= 5 {
                return step * factor;
            }
        }
        step *= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_steps_are_round() {
        assert_eq!(nice_step(1), 1);
        assert_eq!(nice_step(5), 1);
        assert_eq!(nice_step(6), 2);
        assert_eq!(nice_step(23), 5);
        assert_eq!(nice_step(480), 100);
        assert_eq!(month_label("2026-03", true), "maart 2026");
        assert_eq!(month_label("2026-03", false), "mrt ’26");
        assert_eq!(
            employer_href("Transport & Co"),
            "/werkgever/Transport%20%26%20Co"
        );
    }
}
