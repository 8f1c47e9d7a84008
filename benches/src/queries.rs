//! The query mix of the search benchmark: what seekers type on a Dutch vacancy site, with a
//! place and a radius, sometimes a province or an employment type ticked. One logical query
//! becomes vindwerk's `/api/search` parameters and the same search on SQLite FTS5.

use std::fmt;

/// The texts seekers type, the empty search (everything near a place) included.
pub const TEXTS: &[&str] = &[
    "verpleegkundige",
    "chauffeur",
    "zorg",
    "medewerker klantenservice",
    "",
    "developer",
    "docent",
    "monteur",
    "logistiek medewerker",
    "accountant",
    "kok",
    "beleidsmedewerker",
];

/// Places searched near, with their province (a place's province is the one a seeker
/// ticks with it; a postcode stands for its place).
pub const PLACES: &[(&str, &str)] = &[
    ("Utrecht", "Utrecht"),
    ("Amsterdam", "Noord-Holland"),
    ("3011", "Zuid-Holland"),
    ("Eindhoven", "Noord-Brabant"),
    ("Zwolle", "Overijssel"),
    ("Groningen", "Groningen"),
    ("9711", "Groningen"),
];

/// The radius of every query, in km.
pub const KM: f64 = 25.0;

/// Employment types ticked, in turn.
const EMPLOYMENT_TYPES: &[&str] = &["full_time", "part_time"];

/// One search as a seeker makes it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogicalQuery {
    /// Free text; empty for everything.
    pub text: String,
    /// A place name or a 4-digit postcode.
    pub near: String,
    pub km: f64,
    pub province: Option<String>,
    pub employment_type: Option<String>,
    /// Count every facet of vindwerk, not only the six that FTS5 counts too.
    pub all_facets: bool,
}

impl LogicalQuery {
    /// The query string pairs of vindwerk's `/api/search`.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut pairs = vec![
            ("q".to_owned(), self.text.clone()),
            ("near".to_owned(), self.near.clone()),
            ("km".to_owned(), self.km.to_string()),
        ];
        if let Some(province) = &self.province {
            pairs.push(("province".to_owned(), province.clone()));
        }
        if let Some(kind) = &self.employment_type {
            pairs.push(("employment_type".to_owned(), kind.clone()));
        }
        if !self.all_facets {
            pairs.push(("facets".to_owned(), crate::fts::FACETS.join(",")));
        }
        pairs
    }

    /// The URL query string of [`pairs`](Self::pairs).
    pub fn query_string(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.pairs())
            .finish()
    }
}

impl fmt::Display for LogicalQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.query_string())
    }
}

/// Every text near every place, with filters in turn: none, the place's province, an
/// employment type, both. The order is fixed, so that runs compare.
pub fn mix() -> Vec<LogicalQuery> {
    let mut queries = Vec::with_capacity(TEXTS.len() * PLACES.len());
    let mut turn = 0usize;
    for text in TEXTS {
        for (near, province) in PLACES {
            let employment_type = EMPLOYMENT_TYPES[turn / 4 % EMPLOYMENT_TYPES.len()];
            queries.push(LogicalQuery {
                text: (*text).to_owned(),
                near: (*near).to_owned(),
                km: KM,
                province: matches!(turn % 4, 1 | 3).then(|| (*province).to_owned()),
                employment_type: matches!(turn % 4, 2 | 3).then(|| employment_type.to_owned()),
                all_facets: false,
            });
            turn += 1;
        }
    }
    queries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mix_holds_every_text_and_place_with_all_filter_combinations() {
        let mix = mix();
        assert_eq!(mix.len(), TEXTS.len() * PLACES.len());
        assert!(
            mix.iter()
                .any(|q| q.province.is_none() && q.employment_type.is_none())
        );
        assert!(
            mix.iter()
                .any(|q| q.province.is_some() && q.employment_type.is_some())
        );
        assert!(mix.iter().any(|q| q.text.is_empty()));
        assert!(mix.iter().all(|q| q.km == KM));
    }

    #[test]
    fn query_strings_are_encoded() {
        let query = LogicalQuery {
            text: "medewerker klantenservice".to_owned(),
            near: "Utrecht".to_owned(),
            km: 25.0,
            province: Some("Noord-Holland".to_owned()),
            employment_type: None,
            all_facets: true,
        };
        assert_eq!(
            query.query_string(),
            "q=medewerker+klantenservice&near=Utrecht&km=25&province=Noord-Holland"
        );
        let six = LogicalQuery {
            all_facets: false,
            ..query
        };
        assert!(six.query_string().ends_with(
            "&facets=province%2Cregion%2Coccupation%2Cemployment_type%2Ceducation_level%2Cemployer"
        ));
    }
}
