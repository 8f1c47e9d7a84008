//! The query string of `GET /api/search` (and of the search page, which takes the same
//! parameters) parsed into a typed [`SearchRequest`], as CONTRACT.md lists them. Every problem
//! is an [`ApiError::InvalidParameter`] that names the parameter.
//!
//! Parameters arrive as pairs, because facet filters repeat (`province=Utrecht&province=
//! Zeeland`); an empty value counts as absent, so that a form's empty fields do no harm.
//! Parameters beyond CONTRACT.md (additions, never changes): `hours_band`, `salary_band`,
//! `channel`, `posted_within`, `remote`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use vindwerk_indexer::index::{HOURS_BANDS, SALARY_BANDS, field};
use vindwerk_model::{Channel, EducationLevel, EmploymentType, SourceKind};

use crate::cursor::Cursor;
use crate::error::ApiError;

/// Most hits on one page; a coach exports more by following `next_cursor`.
pub const MAX_PER_PAGE: usize = 100;
pub const DEFAULT_PER_PAGE: usize = 20;
/// Deepest page number; further down, use the cursor.
pub const MAX_PAGE: usize = 500;
/// werk.nl offers 5 to 300 km; 1 km is allowed for city centres.
pub const MIN_KM: f64 = 1.0;
pub const MAX_KM: f64 = 300.0;
/// The radius when `near` is given without `km`, or a place is named in `q`.
pub const DEFAULT_KM: f64 = 10.0;
const MAX_TEXT_CHARS: usize = 500;
const MAX_VALUE_CHARS: usize = 200;
const MAX_VALUES: usize = 50;

/// A facet: a field whose values can be filtered on (OR within, AND across) and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Facet {
    Status,
    Province,
    Region,
    City,
    Occupation,
    Isco,
    EmploymentType,
    EducationLevel,
    HoursBand,
    SalaryBand,
    Employer,
    Channel,
    SourceKind,
}

impl Facet {
    pub const ALL: &'static [Facet] = &[
        Facet::Status,
        Facet::Province,
        Facet::Region,
        Facet::City,
        Facet::Occupation,
        Facet::Isco,
        Facet::EmploymentType,
        Facet::EducationLevel,
        Facet::HoursBand,
        Facet::SalaryBand,
        Facet::Employer,
        Facet::Channel,
        Facet::SourceKind,
    ];

    /// The query parameter and the key in the response's `facets`.
    pub fn param(self) -> &'static str {
        match self {
            Facet::Status => "status",
            Facet::Province => "province",
            Facet::Region => "region",
            Facet::City => "city",
            Facet::Occupation => "occupation",
            Facet::Isco => "isco",
            Facet::EmploymentType => "employment_type",
            Facet::EducationLevel => "education_level",
            Facet::HoursBand => "hours_band",
            Facet::SalaryBand => "salary_band",
            Facet::Employer => "employer",
            Facet::Channel => "channel",
            Facet::SourceKind => "source_kind",
        }
    }

    /// The index field filtered and counted. ISCO filters and counts every level of the
    /// hierarchy through the prefixes in `isco_path`.
    pub fn field(self) -> &'static str {
        match self {
            Facet::Status => field::STATUS,
            Facet::Province => field::PROVINCE,
            Facet::Region => field::REGION,
            Facet::City => field::CITY,
            Facet::Occupation => field::OCCUPATION,
            Facet::Isco => field::ISCO_PATH,
            Facet::EmploymentType => field::EMPLOYMENT_TYPE,
            Facet::EducationLevel => field::EDUCATION_LEVEL,
            Facet::HoursBand => field::HOURS_BAND,
            Facet::SalaryBand => field::SALARY_BAND,
            Facet::Employer => field::EMPLOYER,
            Facet::Channel => field::CHANNEL,
            Facet::SourceKind => field::SOURCE_KIND,
        }
    }

    fn from_param(name: &str) -> Option<Facet> {
        Facet::ALL
            .iter()
            .copied()
            .find(|facet| facet.param() == name)
    }

    /// Checks one value of the facet's closed vocabulary, if it has one.
    fn validate(self, value: &str) -> Result<(), String> {
        let known: Option<Vec<&str>> = match self {
            Facet::Status => return Ok(()),
            Facet::EmploymentType => Some(EmploymentType::ALL.iter().map(|v| v.as_str()).collect()),
            Facet::EducationLevel => Some(EducationLevel::ALL.iter().map(|v| v.as_str()).collect()),
            Facet::Channel => Some(Channel::ALL.iter().map(|v| v.as_str()).collect()),
            Facet::SourceKind => Some(SourceKind::ALL.iter().map(|v| v.as_str()).collect()),
            Facet::HoursBand => Some(HOURS_BANDS.iter().map(|b| b.0).collect()),
            Facet::SalaryBand => Some(SALARY_BANDS.iter().map(|b| b.0).collect()),
            Facet::Isco => {
                let valid =
                    (1..=4).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit());
                return if valid {
                    Ok(())
                } else {
                    Err(format!("{value:?} is not an ISCO code of 1 to 4 digits"))
                };
            }
            _ => None,
        };
        match known {
            Some(known) if !known.contains(&value) => Err(format!(
                "unknown value {value:?}, expected one of {}",
                known.join(", ")
            )),
            _ => Ok(()),
        }
    }
}

/// "Posted within": 1 (24 hours), 3, 7 or 30 days.
pub const POSTED_WITHIN_DAYS: &[u32] = &[1, 3, 7, 30];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first, with a touch of freshness.
    #[default]
    Relevance,
    Newest,
    /// Needs a place (`near`, or one named in `q`).
    Nearest,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Newest => "newest",
            Sort::Nearest => "nearest",
        }
    }
}

/// An inclusive range a vacancy's own range must overlap; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Range {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Range {
    pub fn is_open(&self) -> bool {
        self.min.is_none() && self.max.is_none()
    }
}

/// The place to measure distances from, as given.
#[derive(Debug, Clone, PartialEq)]
pub struct Near {
    /// A place name or a 4-digit postcode.
    pub place: String,
    pub km: f64,
}

/// Which page of hits: by number, or after a cursor.
#[derive(Debug, Clone, PartialEq)]
pub enum Page {
    Number(usize),
    After(Cursor),
}

/// A validated search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// Free text; may hold phrases in double quotes and what query understanding reads
    /// ("32 uur", "€ 3.500", "thuiswerk", a place).
    pub q: String,
    /// Selected values per facet; `status` holds `active` unless `status=expired|all` is given
    /// (`all` is no entry).
    pub facets: BTreeMap<Facet, Vec<String>>,
    pub salary: Range,
    pub hours: Range,
    pub posted_after: Option<NaiveDate>,
    /// Expired on or after this day (only expired vacancies have an expiry day).
    pub expired_after: Option<NaiveDate>,
    /// First seen by vindwerk after this instant: "new since your last visit".
    pub new_since: Option<DateTime<Utc>>,
    /// Days; one of [`POSTED_WITHIN_DAYS`].
    pub posted_within: Option<u32>,
    pub remote: Option<bool>,
    pub near: Option<Near>,
    pub sort: Sort,
    pub page: Page,
    pub per_page: usize,
    /// The facets counted in the answer (`facets=`); all unless the request names them.
    pub counted: Counted,
}

/// Which facet counts a search computes: counting costs a pass over every hit per facet, so
/// a client that shows three facets asks for three (`facets=province,region,posted_within`;
/// `facets=` alone asks for none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    facets: Vec<Facet>,
    posted_within: bool,
}

impl Counted {
    /// Every facet and "posted within".
    pub fn all() -> Counted {
        Counted {
            facets: Facet::ALL.to_vec(),
            posted_within: true,
        }
    }

    /// No counts at all (an export).
    pub fn none() -> Counted {
        Counted {
            facets: Vec::new(),
            posted_within: false,
        }
    }

    /// These facets, with or without "posted within".
    pub fn only(facets: &[Facet], posted_within: bool) -> Counted {
        Counted {
            facets: Facet::ALL
                .iter()
                .copied()
                .filter(|facet| facets.contains(facet))
                .collect(),
            posted_within,
        }
    }

    /// The counted facets, in [`Facet::ALL`] order.
    pub fn facets(&self) -> &[Facet] {
        &self.facets
    }

    pub fn contains(&self, facet: Facet) -> bool {
        self.facets.contains(&facet)
    }

    pub fn posted_within(&self) -> bool {
        self.posted_within
    }

    /// Reads the value of `facets=`: names separated by commas.
    fn parse(value: &str) -> Result<Counted, ApiError> {
        let mut facets = Vec::new();
        let mut posted_within = false;
        for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if name == "posted_within" {
                posted_within = true;
                continue;
            }
            let facet = Facet::from_param(name).ok_or_else(|| {
                ApiError::invalid(
                    "facets",
                    format!(
                        "unknown facet {:?}, expected names from {}, posted_within",
                        truncate(name, 40),
                        Facet::ALL
                            .iter()
                            .map(|f| f.param())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
            facets.push(facet);
        }
        Ok(Counted::only(&facets, posted_within))
    }
}

impl Default for Counted {
    fn default() -> Self {
        Counted::all()
    }
}

impl Default for SearchRequest {
    fn default() -> Self {
        let mut facets = BTreeMap::new();
        facets.insert(Facet::Status, vec!["active".to_owned()]);
        SearchRequest {
            q: String::new(),
            facets,
            salary: Range::default(),
            hours: Range::default(),
            posted_after: None,
            expired_after: None,
            new_since: None,
            posted_within: None,
            remote: None,
            near: None,
            sort: Sort::Relevance,
            page: Page::Number(1),
            per_page: DEFAULT_PER_PAGE,
            counted: Counted::all(),
        }
    }
}

impl SearchRequest {
    /// Parses the pairs of a query string.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<SearchRequest, ApiError> {
        let mut request = SearchRequest::default();
        let mut singles: BTreeMap<&'static str, &str> = BTreeMap::new();
        let mut status_given = false;
        for (name, value) in pairs {
            let value = value.trim();
            if let Some(facet) = Facet::from_param(name) {
                if value.is_empty() {
                    continue;
                }
                let param = facet.param();
                check_length(param, value, MAX_VALUE_CHARS)?;
                if facet == Facet::Status {
                    if !status_given {
                        request.facets.remove(&Facet::Status);
                        status_given = true;
                    }
                    match value {
                        "active" | "expired" => {}
                        "all" => continue,
                        _ => {
                            return Err(ApiError::invalid(
                                "status",
                                format!("unknown value {value:?}, expected active, expired or all"),
                            ));
                        }
                    }
                }
                facet
                    .validate(value)
                    .map_err(|problem| ApiError::invalid(param, problem))?;
                let values = request.facets.entry(facet).or_default();
                if values.len() >= MAX_VALUES {
                    return Err(ApiError::invalid(
                        param,
                        format!("at most {MAX_VALUES} values"),
                    ));
                }
                if !values.iter().any(|v| v == value) {
                    values.push(value.to_owned());
                }
                continue;
            }
            let Some(param) = SINGLE_PARAMS.iter().copied().find(|p| p == name) else {
                return Err(ApiError::InvalidParameter {
                    parameter: "query",
                    problem: format!("unknown parameter {:?}", truncate(name, 40)),
                });
            };
            if singles.insert(param, value).is_some() {
                return Err(ApiError::invalid(param, "given more than once"));
            }
        }
        if status_given
            && request
                .facets
                .get(&Facet::Status)
                .is_some_and(Vec::is_empty)
        {
            request.facets.remove(&Facet::Status);
        }
        request.read_singles(&singles)?;
        Ok(request)
    }

    fn read_singles(&mut self, singles: &BTreeMap<&'static str, &str>) -> Result<(), ApiError> {
        let get = |name: &str| singles.get(name).copied().filter(|v| !v.is_empty());
        if let Some(value) = singles.get("facets") {
            check_length("facets", value, MAX_TEXT_CHARS)?;
            self.counted = Counted::parse(value)?;
        }
        if let Some(q) = singles.get("q") {
            check_length("q", q, MAX_TEXT_CHARS)?;
            self.q = (*q).to_owned();
        }
        self.salary = Range {
            min: number(get("salary_min"), "salary_min", 0.0, 1_000_000.0)?,
            max: number(get("salary_max"), "salary_max", 0.0, 1_000_000.0)?,
        };
        check_order(self.salary, "salary_max", "salary_min")?;
        self.hours = Range {
            min: number(get("hours_min"), "hours_min", 0.0, 168.0)?,
            max: number(get("hours_max"), "hours_max", 0.0, 168.0)?,
        };
        check_order(self.hours, "hours_max", "hours_min")?;
        if let Some(value) = get("posted_after") {
            let day = NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .map_err(|_| ApiError::invalid("posted_after", "must be a date like 2026-11-01"))?;
            self.posted_after = Some(day);
        }
        if let Some(value) = get("expired_after") {
            let day = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
                ApiError::invalid("expired_after", "must be a date like 2026-11-01")
            })?;
            self.expired_after = Some(day);
        }
        if let Some(value) = get("new_since") {
            let instant = DateTime::parse_from_rfc3339(value).map_err(|_| {
                ApiError::invalid("new_since", "must be an instant like 2026-11-01T08:00:00Z")
            })?;
            self.new_since = Some(instant.with_timezone(&Utc));
        }
        if let Some(value) = get("posted_within") {
            let days = value
                .parse::<u32>()
                .ok()
                .filter(|days| POSTED_WITHIN_DAYS.contains(days))
                .ok_or_else(|| {
                    ApiError::invalid("posted_within", "must be 1, 3, 7 or 30 (days)")
                })?;
            self.posted_within = Some(days);
        }
        if let Some(value) = get("remote") {
            self.remote = Some(match value {
                "true" | "1" | "yes" | "ja" => true,
                "false" | "0" | "no" | "nee" => false,
                _ => return Err(ApiError::invalid("remote", "must be true or false")),
            });
        }
        let km = number(get("km"), "km", MIN_KM, MAX_KM)?;
        match (get("near"), km) {
            (Some(place), km) => {
                check_length("near", place, 100)?;
                self.near = Some(Near {
                    place: place.to_owned(),
                    km: km.unwrap_or(DEFAULT_KM),
                });
            }
            (None, Some(_)) => {
                return Err(ApiError::invalid(
                    "km",
                    "needs near (a place or a postcode)",
                ));
            }
            (None, None) => {}
        }
        if let Some(value) = get("sort") {
            self.sort = match value {
                "relevance" => Sort::Relevance,
                "newest" => Sort::Newest,
                "nearest" => Sort::Nearest,
                _ => {
                    return Err(ApiError::invalid(
                        "sort",
                        format!(
                            "unknown value {:?}, expected relevance, newest or nearest",
                            truncate(value, 40)
                        ),
                    ));
                }
            };
        }
        if let Some(value) = get("per_page") {
            self.per_page = value
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_PER_PAGE).contains(n))
                .ok_or_else(|| {
                    ApiError::invalid(
                        "per_page",
                        format!("must be a whole number between 1 and {MAX_PER_PAGE}"),
                    )
                })?;
        }
        let page = match get("page") {
            Some(value) => Some(
                value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_PAGE).contains(n))
                    .ok_or_else(|| {
                        ApiError::invalid("page", format!("must be a whole number between 1 and {MAX_PAGE}; use cursor to go deeper"))
                    })?,
            ),
            None => None,
        };
        match (get("cursor"), page) {
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid("cursor", "cannot be combined with page"));
            }
            (Some(token), None) => {
                let cursor = Cursor::decode(token).ok_or_else(|| {
                    ApiError::invalid("cursor", "is not a cursor this server gave out")
                })?;
                self.page = Page::After(cursor);
            }
            (None, page) => self.page = Page::Number(page.unwrap_or(1)),
        }
        Ok(())
    }

    /// The selected values of `facet`.
    pub fn selected(&self, facet: Facet) -> &[String] {
        self.facets.get(&facet).map_or(&[], Vec::as_slice)
    }

    /// The query string of this request, with `change` applied to its pairs, for the links of
    /// the search page (facet toggles, pages). Cursors are never carried over.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        if !self.q.is_empty() {
            pairs.push(("q".to_owned(), self.q.clone()));
        }
        let status = self.selected(Facet::Status);
        if status.is_empty() {
            pairs.push(("status".to_owned(), "all".to_owned()));
        }
        for (facet, values) in &self.facets {
            if *facet == Facet::Status && values.len() == 1 && values[0] == "active" {
                continue;
            }
            for value in values {
                pairs.push((facet.param().to_owned(), value.clone()));
            }
        }
        let numbers = [
            ("salary_min", self.salary.min),
            ("salary_max", self.salary.max),
            ("hours_min", self.hours.min),
            ("hours_max", self.hours.max),
        ];
        for (name, value) in numbers {
            if let Some(value) = value {
                pairs.push((name.to_owned(), format_number(value)));
            }
        }
        if let Some(day) = self.posted_after {
            pairs.push(("posted_after".to_owned(), day.to_string()));
        }
        if let Some(day) = self.expired_after {
            pairs.push(("expired_after".to_owned(), day.to_string()));
        }
        if let Some(instant) = self.new_since {
            pairs.push((
                "new_since".to_owned(),
                instant.to_rfc3339_opts(SecondsFormat::Secs, true),
            ));
        }
        if let Some(days) = self.posted_within {
            pairs.push(("posted_within".to_owned(), days.to_string()));
        }
        if let Some(remote) = self.remote {
            pairs.push(("remote".to_owned(), remote.to_string()));
        }
        if let Some(near) = &self.near {
            pairs.push(("near".to_owned(), near.place.clone()));
            pairs.push(("km".to_owned(), format_number(near.km)));
        }
        if self.sort != Sort::Relevance {
            pairs.push(("sort".to_owned(), self.sort.as_str().to_owned()));
        }
        if self.per_page != DEFAULT_PER_PAGE {
            pairs.push(("per_page".to_owned(), self.per_page.to_string()));
        }
        if self.counted != Counted::all() {
            let mut names: Vec<&str> = self.counted.facets().iter().map(|f| f.param()).collect();
            if self.counted.posted_within() {
                names.push("posted_within");
            }
            pairs.push(("facets".to_owned(), names.join(",")));
        }
        pairs
    }
}

/// The parameters that take one value.
pub const SINGLE_PARAMS: &[&str] = &[
    "q",
    "salary_min",
    "salary_max",
    "hours_min",
    "hours_max",
    "posted_after",
    "expired_after",
    "new_since",
    "posted_within",
    "remote",
    "near",
    "km",
    "sort",
    "page",
    "per_page",
    "cursor",
    "facets",
];

fn number(
    value: Option<&str>,
    name: &'static str,
    min: f64,
    max: f64,
) -> Result<Option<f64>, ApiError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let problem = || {
        ApiError::invalid(
            name,
            format!(
                "must be a number between {} and {}",
                format_number(min),
                format_number(max)
            ),
        )
    };
    let number: f64 = value.replace(',', ".").parse().map_err(|_| problem())?;
    if !number.is_finite() || number < min || number > max {
        return Err(problem());
    }
    Ok(Some(number))
}

fn check_order(range: Range, max_name: &'static str, min_name: &str) -> Result<(), ApiError> {
    if let (Some(min), Some(max)) = (range.min, range.max)
        && max < min
    {
        return Err(ApiError::invalid(
            max_name,
            format!("must not be below {min_name}"),
        ));
    }
    Ok(())
}

fn check_length(name: &'static str, value: &str, max_chars: usize) -> Result<(), ApiError> {
    if value.chars().count() > max_chars {
        return Err(ApiError::invalid(
            name,
            format!("longer than {max_chars} characters"),
        ));
    }
    Ok(())
}

fn truncate(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

/// A number without a needless `.0`.
pub fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests;
