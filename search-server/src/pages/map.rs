//! The labour-market map (`/kaart`): for a search, the labour-market regions (or provinces)
//! shaded by active vacancies, beside the same map of the vacancies that expired in the last
//! twelve months; hover titles, a legend, and a table of the same figures for screen readers.
//! A click on an area opens the search filtered to it; the table opens an area on the map,
//! which then shows its places as circles sized by their count. Server-rendered SVG: no
//! script, no tiles, nothing from elsewhere.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::{href, href_at, render, thousands};
use crate::api::{Pairs, pairs};
use crate::error::ErrorCode;
use crate::map::outline::{Frame, Outlines, outlines, project};
use crate::map::{Level, MapFigures, MapRequest, map_figures};
use crate::params::Facet;
use crate::state::AppState;

/// Shades of the legend beside "none".
const SHADES: u64 = 5;

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    q: String,
    levels: Vec<(&'static str, &'static str, bool)>,
    hidden: Vec<(String, String)>,
    error: Option<String>,
    heading: String,
    summary: String,
    search_href: String,
    country_href: Option<String>,
    maps: Vec<MapView>,
    area_label: &'static str,
    since: String,
    rows: Vec<Row>,
    place_rows: Vec<Row>,
    employer_rows: Vec<Row>,
}

struct MapView {
    id: &'static str,
    caption: String,
    class: &'static str,
    view_box: String,
    areas: Vec<AreaView>,
    points: Vec<PointView>,
    legend: Vec<(String, String)>,
}

struct AreaView {
    path: String,
    class: String,
    title: String,
    href: String,
}

struct PointView {
    cx: String,
    cy: String,
    r: String,
    title: String,
    href: String,
    /// The place's name beside the circle, for the largest places.
    label: Option<String>,
    label_x: String,
    font: String,
}

/// Places named on the map beside their circle.
const LABELLED_PLACES: usize = 8;

struct Row {
    name: String,
    active: String,
    active_href: String,
    expired: String,
    expired_href: String,
    map_href: Option<String>,
}

/// `GET /kaart`.
pub async fn map_page(State(state): State<AppState>, query: Pairs) -> Response {
    let request = pairs(query).and_then(|pairs| {
        // The search form always sends these; empty, they mean nothing.
        let pairs: Vec<(String, String)> = pairs
            .into_iter()
            .filter(|(name, value)| !(matches!(name.as_str(), "km") && value.trim().is_empty()))
            .collect();
        MapRequest::from_pairs(&pairs)
    });
    let (request, figures) = match request {
        Ok(request) => {
            let figures = map_figures(&state, &request).await;
            (request, figures)
        }
        Err(error) => (
            MapRequest {
                search: Default::default(),
                level: Level::Region,
            },
            Err(error),
        ),
    };
    let (status, page) = match (figures, outlines()) {
        (Ok(figures), Some(outlines)) => (StatusCode::OK, map_view(&request, &figures, outlines)),
        (Err(error), _) => {
            error.log();
            let message = match error.code() {
                ErrorCode::InvalidParameter => {
                    format!("Deze zoekopdracht klopt niet: {}", error.public_message())
                }
                _ => "De kaart lukt nu even niet. Probeer het zo opnieuw.".to_owned(),
            };
            (error.code().status(), empty_view(&request, message))
        }
        (Ok(_), None) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            empty_view(&request, "De kaart lukt nu even niet.".to_owned()),
        ),
    };
    render(status, &page)
}

fn level_options(level: Level) -> Vec<(&'static str, &'static str, bool)> {
    vec![
        ("region", "Arbeidsmarktregio's", level == Level::Region),
        ("province", "Provincies", level == Level::Province),
    ]
}

fn hidden_pairs(request: &MapRequest) -> Vec<(String, String)> {
    request
        .to_pairs()
        .into_iter()
        .filter(|(name, _)| !matches!(name.as_str(), "q" | "level"))
        .collect()
}

fn empty_view(request: &MapRequest, error: String) -> MapPage {
    MapPage {
        q: request.search.q.clone(),
        levels: level_options(request.level),
        hidden: hidden_pairs(request),
        error: Some(error),
        heading: "Arbeidsmarktkaart".to_owned(),
        summary: String::new(),
        search_href: href(&request.search.to_pairs()),
        country_href: None,
        maps: Vec::new(),
        area_label: area_label(request.level),
        since: String::new(),
        rows: Vec::new(),
        place_rows: Vec::new(),
        employer_rows: Vec::new(),
    }
}

fn area_label(level: Level) -> &'static str {
    match level {
        Level::Region => "Arbeidsmarktregio",
        Level::Province => "Provincie",
    }
}

/// Which of the two maps.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Active,
    Expired,
}

fn map_view(request: &MapRequest, figures: &MapFigures, outlines: &Outlines) -> MapPage {
    let level = request.level;
    let facet = level.facet();
    let since = figures.expired_since.format("%d-%m-%Y").to_string();
    // The search without a choice of area: the base of every link.
    let base: Vec<(String, String)> = request
        .search
        .to_pairs()
        .into_iter()
        .filter(|(name, _)| !matches!(name.as_str(), "status" | "expired_after"))
        .filter(|(name, _)| name != facet.param())
        .collect();
    let search_link = |side: Side, facet: Facet, value: &str| {
        let mut pairs = base.clone();
        if facet != level.facet() {
            // A place within the opened area.
            if let Some(opened) = &figures.opened {
                pairs.push((level.param().to_owned(), opened.clone()));
            }
        }
        pairs.push((facet.param().to_owned(), value.to_owned()));
        if side == Side::Expired {
            pairs.push(("status".to_owned(), "expired".to_owned()));
            pairs.push((
                "expired_after".to_owned(),
                figures.expired_since.to_string(),
            ));
        }
        href(&pairs)
    };
    let map_link = |area: Option<&str>| {
        let mut pairs = base.clone();
        if let Some(area) = area {
            pairs.push((level.param().to_owned(), area.to_owned()));
        }
        if level != Level::Region {
            pairs.push(("level".to_owned(), level.param().to_owned()));
        }
        href_at("/kaart", &pairs)
    };
    let shapes = match level {
        Level::Region => &outlines.regions,
        Level::Province => &outlines.provinces,
    };
    let opened_shape = figures
        .opened
        .as_deref()
        .and_then(|name| shapes.iter().find(|shape| shape.name == name));
    let frame = match opened_shape {
        Some(shape) => shape.frame.padded(0.08, 8.0),
        None => outlines.country.padded(0.02, 0.0),
    };
    let figure_of = |name: &str| {
        figures
            .areas
            .iter()
            .find(|area| area.name == name)
            .map_or((0, 0), |area| (area.active, area.expired))
    };
    let mut maps = Vec::new();
    for side in [Side::Active, Side::Expired] {
        let value = |(active, expired): (u64, u64)| match side {
            Side::Active => active,
            Side::Expired => expired,
        };
        let max = figures
            .areas
            .iter()
            .map(|area| value((area.active, area.expired)))
            .max()
            .unwrap_or(0);
        let areas = shapes
            .iter()
            .map(|shape| {
                let counts = figure_of(&shape.name);
                let mut class = format!("shade-{}", shade(value(counts), max));
                if opened_shape.is_some_and(|opened| opened.name == shape.name) {
                    class.push_str(" opened");
                } else if opened_shape.is_some() {
                    class.push_str(" around");
                }
                AreaView {
                    path: shape.path.clone(),
                    class,
                    title: format!(
                        "{}: {} actueel, {} verlopen sinds {since}",
                        shape.name,
                        thousands(counts.0),
                        thousands(counts.1)
                    ),
                    href: search_link(side, facet, &shape.name),
                }
            })
            .collect();
        let points = place_points(figures, frame, side, &|name| {
            search_link(side, Facet::City, name)
        });
        maps.push(MapView {
            id: match side {
                Side::Active => "kaart-actueel",
                Side::Expired => "kaart-verlopen",
            },
            caption: match side {
                Side::Active => "Nu open".to_owned(),
                Side::Expired => format!("Verlopen sinds {since}"),
            },
            class: match side {
                Side::Active => "map map-active",
                Side::Expired => "map map-expired",
            },
            view_box: frame.view_box(),
            areas,
            points,
            legend: legend(max),
        });
    }
    let rows = figures
        .areas
        .iter()
        .map(|area| Row {
            name: area.name.clone(),
            active: thousands(area.active),
            active_href: search_link(Side::Active, facet, &area.name),
            expired: thousands(area.expired),
            expired_href: search_link(Side::Expired, facet, &area.name),
            map_href: Some(map_link(Some(&area.name))),
        })
        .collect();
    let place_rows = figures
        .places
        .iter()
        .map(|place| Row {
            name: place.name.clone(),
            active: thousands(place.active),
            active_href: search_link(Side::Active, Facet::City, &place.name),
            expired: thousands(place.expired),
            expired_href: search_link(Side::Expired, Facet::City, &place.name),
            map_href: None,
        })
        .collect();
    let employer_rows = figures
        .employers
        .iter()
        .map(|employer| Row {
            name: employer.name.clone(),
            active: thousands(employer.active),
            active_href: search_link(Side::Active, Facet::Employer, &employer.name),
            expired: thousands(employer.expired),
            expired_href: search_link(Side::Expired, Facet::Employer, &employer.name),
            map_href: Some(super::employer_href(&employer.name)),
        })
        .collect();
    let subject = if request.search.q.trim().is_empty() {
        "Alle vacatures".to_owned()
    } else {
        format!("Vacatures voor “{}”", request.search.q.trim())
    };
    let heading = match &figures.opened {
        Some(name) => format!("Arbeidsmarktkaart: {name}"),
        None => "Arbeidsmarktkaart".to_owned(),
    };
    MapPage {
        q: request.search.q.clone(),
        levels: level_options(level),
        hidden: hidden_pairs(request),
        error: None,
        heading,
        summary: format!(
            "{subject}: {} nu open, {} verlopen sinds {since}.",
            thousands(figures.total_active),
            thousands(figures.total_expired)
        ),
        search_href: href(&request.search.to_pairs()),
        country_href: figures.opened.as_ref().map(|_| map_link(None)),
        maps,
        area_label: area_label(level),
        since,
        rows,
        place_rows,
        employer_rows,
    }
}

/// Circles for the places of the opened area, the largest first so that small ones stay on
/// top and clickable.
fn place_points(
    figures: &MapFigures,
    frame: Frame,
    side: Side,
    link: &dyn Fn(&str) -> String,
) -> Vec<PointView> {
    let count = |active: u64, expired: u64| match side {
        Side::Active => active,
        Side::Expired => expired,
    };
    let max = figures
        .places
        .iter()
        .map(|place| count(place.active, place.expired))
        .max()
        .unwrap_or(0);
    if max == 0 {
        return Vec::new();
    }
    let largest = frame.width.min(frame.height) * 0.06;
    let mut points: Vec<(f64, PointView)> = figures
        .places
        .iter()
        .filter(|place| count(place.active, place.expired) > 0)
        .map(|place| {
            let n = count(place.active, place.expired);
            let r = (largest * (n as f64 / max as f64).sqrt()).max(largest * 0.2);
            let (x, y) = project(place.lon, place.lat);
            let label = match side {
                Side::Active => "actueel",
                Side::Expired => "verlopen",
            };
            (
                r,
                PointView {
                    cx: format!("{x:.2}"),
                    cy: format!("{y:.2}"),
                    r: format!("{r:.2}"),
                    title: format!("{}: {} {label}", place.name, thousands(n)),
                    href: link(&place.name),
                    label: Some(place.name.clone()),
                    label_x: format!("{:.2}", x + r + largest * 0.15),
                    font: format!("{:.2}", frame.width.min(frame.height) * 0.035),
                },
            )
        })
        .collect();
    points.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, point) in points.iter_mut().skip(LABELLED_PLACES) {
        point.label = None;
    }
    points.into_iter().map(|(_, point)| point).collect()
}

/// The shade of `count` (0 for none, else 1 to [`SHADES`]) on a square-root scale up to
/// `max`, so that a few large cities do not leave the rest of the country blank.
fn shade(count: u64, max: u64) -> u64 {
    if count == 0 || max == 0 {
        return 0;
    }
    (1..=SHADES)
        .find(|&k| count <= upper(k, max))
        .unwrap_or(SHADES)
}

/// The largest count of shade `k`.
fn upper(k: u64, max: u64) -> u64 {
    let scale = SHADES * SHADES;
    max.saturating_mul(k * k).div_ceil(scale)
}

/// The legend: each shade in use with the counts it stands for.
fn legend(max: u64) -> Vec<(String, String)> {
    let mut rows = vec![("shade-0".to_owned(), "geen".to_owned())];
    let mut low = 1;
    for k in 1..=SHADES {
        let high = upper(k, max);
        if high < low {
            continue;
        }
        let label = if high == low {
            thousands(low)
        } else {
            format!("{} – {}", thousands(low), thousands(high))
        };
        rows.push((format!("shade-{k}"), label));
        low = high + 1;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shades_cover_every_count_once() {
        assert_eq!(shade(0, 100), 0);
        assert_eq!(shade(1, 100), 1);
        assert_eq!(shade(4, 100), 1);
        assert_eq!(shade(5, 100), 2);
        assert_eq!(shade(100, 100), 5);
        assert_eq!(shade(3, 0), 0);
        assert_eq!(
            legend(100),
            vec![
                ("shade-0".to_owned(), "geen".to_owned()),
                ("shade-1".to_owned(), "1 – 4".to_owned()),
                ("shade-2".to_owned(), "5 – 16".to_owned()),
                ("shade-3".to_owned(), "17 – 36".to_owned()),
                ("shade-4".to_owned(), "37 – 64".to_owned()),
                ("shade-5".to_owned(), "65 – 100".to_owned()),
            ]
        );
        // Small counts: shades that would hold nothing are left out of the legend.
        assert_eq!(
            legend(2)
                .into_iter()
                .map(|(_, label)| label)
                .collect::<Vec<_>>(),
            ["geen", "1", "2"]
        );
        for count in 1..=2 {
            let class = format!("shade-{}", shade(count, 2));
            assert!(legend(2).iter().any(|(c, _)| *c == class), "{class}");
        }
    }
}
