//! The labour-market map's figures: for a search (text and filters, as `/api/search` takes
//! them), the active vacancies and those that expired in the last twelve months per
//! labour-market region or province, and per place once one area is opened.
//!
//! The figures are the search's own facet counts (two searches, active and expired, counting
//! only the area facet and, for an opened area, places), so the map and the sidebar of the
//! same search can never disagree. `/api/map` answers them as JSON; the page `/kaart` draws
//! them ([`crate::pages::map_page`]) on the outlines of [`outline`].

pub mod outline;

use chrono::{Months, NaiveDate};
use serde::Serialize;

use crate::api::run_search;
use crate::error::ApiError;
use crate::params::{Counted, Facet, Page, SearchRequest, Sort};
use crate::search::{FacetCount, SearchResults};
use crate::state::AppState;

/// How far back the map counts expired vacancies.
pub const EXPIRED_MONTHS: u32 = 12;

/// Which areas the map shades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Region,
    Province,
}

impl Level {
    pub fn facet(self) -> Facet {
        match self {
            Level::Region => Facet::Region,
            Level::Province => Facet::Province,
        }
    }

    pub fn param(self) -> &'static str {
        self.facet().param()
    }

    /// Reads `level=` (absent: regions).
    pub fn parse(value: Option<&str>) -> Result<Level, ApiError> {
        match value.map(str::trim).unwrap_or_default() {
            "" | "region" => Ok(Level::Region),
            "province" => Ok(Level::Province),
            other => Err(ApiError::invalid(
                "level",
                format!(
                    "unknown value {:?}, expected region or province",
                    other.chars().take(40).collect::<String>()
                ),
            )),
        }
    }
}

/// A map request: the search and the areas to shade.
#[derive(Debug, Clone, PartialEq)]
pub struct MapRequest {
    pub search: SearchRequest,
    pub level: Level,
}

impl MapRequest {
    /// Parses the pairs of a query string: `level=` and the parameters of `/api/search`
    /// (paging, sorting and `status` are the map's own and are ignored).
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<MapRequest, ApiError> {
        let mut level = None;
        let mut rest = Vec::with_capacity(pairs.len());
        for (name, value) in pairs {
            match name.as_str() {
                "level" => {
                    if level.is_some() {
                        return Err(ApiError::invalid("level", "given more than once"));
                    }
                    level = Some(Level::parse(Some(value))?);
                }
                "status" | "page" | "per_page" | "sort" | "cursor" | "facets" => {}
                _ => rest.push((name.clone(), value.clone())),
            }
        }
        Ok(MapRequest {
            search: SearchRequest::from_pairs(&rest)?,
            level: level.unwrap_or(Level::Region),
        })
    }

    /// The query string of this request (without `level` when it is the default).
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = self
            .search
            .to_pairs()
            .into_iter()
            .filter(|(name, _)| name != "status")
            .collect();
        if self.level != Level::Region {
            pairs.push(("level".to_owned(), self.level.param().to_owned()));
        }
        pairs
    }

    /// The one area of the level that the search selects, if exactly one: the map opens it.
    pub fn opened(&self) -> Option<&str> {
        match self.search.selected(self.level.facet()) {
            [one] => Some(one.as_str()),
            _ => None,
        }
    }
}

/// What the map shows.
#[derive(Debug, Clone, Serialize)]
pub struct MapFigures {
    pub level: Level,
    /// The first day counted for expired vacancies: twelve months before today.
    pub expired_since: NaiveDate,
    /// Every vacancy of the search: active, and expired since `expired_since` (those without a
    /// known place included).
    pub total_active: u64,
    pub total_expired: u64,
    /// Every area of the level that holds vacancies, by name.
    pub areas: Vec<AreaFigure>,
    /// The area the search selects, when it selects exactly one.
    pub opened: Option<String>,
    /// Within the opened area: the places with vacancies that the gazetteer can put on the map,
    /// most vacancies first (at most the search's facet limit).
    pub places: Vec<PlaceFigure>,
    /// Within the opened area: the employers with the most vacancies, active and expired
    /// together (at most [`EMPLOYERS_SHOWN`]), whose histories the map links to.
    pub employers: Vec<AreaFigure>,
}

/// Employers listed for an opened area.
pub const EMPLOYERS_SHOWN: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaFigure {
    pub name: String,
    pub active: u64,
    pub expired: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceFigure {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub active: u64,
    pub expired: u64,
}

/// The first day the map counts expired vacancies from, for `today`.
pub fn expired_since(today: NaiveDate) -> NaiveDate {
    today
        .checked_sub_months(Months::new(EXPIRED_MONTHS))
        .unwrap_or(today)
}

/// The search of the active vacancies of `request`.
pub fn active_search(request: &MapRequest) -> SearchRequest {
    let mut search = counting(request);
    search
        .facets
        .insert(Facet::Status, vec!["active".to_owned()]);
    // Only expired vacancies have an expiry day.
    search.expired_after = None;
    search
}

/// The search of the vacancies of `request` that expired since `since`.
pub fn expired_search(request: &MapRequest, since: NaiveDate) -> SearchRequest {
    let mut search = counting(request);
    search
        .facets
        .insert(Facet::Status, vec!["expired".to_owned()]);
    search.expired_after = Some(search.expired_after.map_or(since, |day| day.max(since)));
    search
}

fn counting(request: &MapRequest) -> SearchRequest {
    let mut facets = vec![request.level.facet()];
    if request.opened().is_some() {
        facets.push(Facet::City);
        facets.push(Facet::Employer);
    }
    SearchRequest {
        counted: Counted::only(&facets, false),
        sort: Sort::Newest,
        page: Page::Number(1),
        per_page: 1,
        ..request.search.clone()
    }
}

/// `GET /api/map`.
pub async fn map_handler(
    axum::extract::State(state): axum::extract::State<AppState>,
    query: crate::api::Pairs,
) -> Result<axum::Json<MapFigures>, ApiError> {
    let request = MapRequest::from_pairs(&crate::api::pairs(query)?)?;
    Ok(axum::Json(map_figures(&state, &request).await?))
}

/// Runs both searches of `request` and reads the figures.
pub async fn map_figures(state: &AppState, request: &MapRequest) -> Result<MapFigures, ApiError> {
    let since = expired_since(state.today());
    let (active, expired) = tokio::try_join!(
        run_search(state, active_search(request)),
        run_search(state, expired_search(request, since)),
    )?;
    let param = request.level.param();
    let areas = merge(counts(&active, param), counts(&expired, param))
        .into_iter()
        .map(|(name, active, expired)| AreaFigure {
            name,
            active,
            expired,
        })
        .collect();
    let opened = request.opened().map(str::to_owned);
    let mut places = Vec::new();
    let mut employers = Vec::new();
    if opened.is_some() {
        let employer = Facet::Employer.param();
        employers = merge(counts(&active, employer), counts(&expired, employer))
            .into_iter()
            .map(|(name, active, expired)| AreaFigure {
                name,
                active,
                expired,
            })
            .collect();
        employers.sort_by(|a, b| {
            (b.active + b.expired)
                .cmp(&(a.active + a.expired))
                .then_with(|| a.name.cmp(&b.name))
        });
        employers.truncate(EMPLOYERS_SHOWN);
        let city = Facet::City.param();
        for (name, active, expired) in merge(counts(&active, city), counts(&expired, city)) {
            if let Some(place) = state.places().locate(&name) {
                places.push(PlaceFigure {
                    name,
                    lat: place.point.lat,
                    lon: place.point.lon,
                    active,
                    expired,
                });
            }
        }
        places.sort_by(|a, b| {
            (b.active + b.expired)
                .cmp(&(a.active + a.expired))
                .then_with(|| a.name.cmp(&b.name))
        });
    }
    Ok(MapFigures {
        level: request.level,
        expired_since: since,
        total_active: active.total,
        total_expired: expired.total,
        areas,
        opened,
        places,
        employers,
    })
}

fn counts<'a>(results: &'a SearchResults, facet: &str) -> &'a [FacetCount] {
    results.facets.get(facet).map_or(&[], Vec::as_slice)
}

/// Active and expired counts side by side, by name, leaving out names with neither.
fn merge(active: &[FacetCount], expired: &[FacetCount]) -> Vec<(String, u64, u64)> {
    let mut merged: std::collections::BTreeMap<&str, (u64, u64)> = Default::default();
    for count in active {
        merged.entry(&count.value).or_default().0 += count.count;
    }
    for count in expired {
        merged.entry(&count.value).or_default().1 += count.count;
    }
    merged
        .into_iter()
        .filter(|(_, (active, expired))| active + expired > 0)
        .map(|(name, (active, expired))| (name.to_owned(), active, expired))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(query: &str) -> Result<MapRequest, ApiError> {
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (name.to_owned(), value.to_owned())
            })
            .collect();
        MapRequest::from_pairs(&pairs)
    }

    #[test]
    fn the_map_takes_the_search_and_its_own_level() {
        let map =
            request("q=kok&level=province&province=Utrecht&status=expired&page=3").expect("valid");
        assert_eq!(map.level, Level::Province);
        assert_eq!(map.opened(), Some("Utrecht"));
        assert_eq!(
            map.to_pairs(),
            vec![
                ("q".to_owned(), "kok".to_owned()),
                ("province".to_owned(), "Utrecht".to_owned()),
                ("level".to_owned(), "province".to_owned()),
            ]
        );
        assert_eq!(request("").expect("valid").level, Level::Region);
        assert_eq!(request("region=A&region=B").expect("valid").opened(), None);
        let error = request("level=gemeente").expect_err("unknown level");
        assert!(error.to_string().contains("level"), "{error}");
        assert!(request("level=region&level=province").is_err());
        assert!(request("kleur=rood").is_err());
    }

    #[test]
    fn expired_counts_start_twelve_months_back_or_later() {
        let today = NaiveDate::from_ymd_opt(2026, 2, 28).expect("date");
        let since = expired_since(today);
        assert_eq!(since, NaiveDate::from_ymd_opt(2025, 2, 28).expect("date"));
        let map = request("region=Groningen").expect("valid");
        let expired = expired_search(&map, since);
        assert_eq!(expired.expired_after, Some(since));
        assert_eq!(expired.selected(Facet::Status), ["expired"]);
        assert!(expired.counted.contains(Facet::Region));
        assert!(expired.counted.contains(Facet::City));
        let later = request("expired_after=2026-01-01").expect("valid");
        assert_eq!(
            expired_search(&later, since).expired_after,
            NaiveDate::from_ymd_opt(2026, 1, 1)
        );
        let active = active_search(&later);
        assert_eq!(active.selected(Facet::Status), ["active"]);
        assert_eq!(active.expired_after, None);
        assert!(!active.counted.contains(Facet::City));
    }
}
