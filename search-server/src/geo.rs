//! Distances on the earth and the lookup of the place a seeker names (`near=Utrecht`,
//! `near=3584`).
//!
//! tantivy has no geo type: a distance filter is a bounding-box range on the `lat`/`lon` fast
//! fields that only narrows the candidates, then the exact great-circle distance per hit
//! ([`haversine_km`]). This module does the arithmetic; `search` applies it.
//!
//! Where a place is comes from the indexer's gazetteer; the server sees it through
//! [`PlaceLookup`], so that tests can give a handful of places and the binary the full
//! gazetteer.

use std::collections::BTreeMap;

/// Mean earth radius (IUGG), in km.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A point in WGS84 degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    pub fn new(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint { lat, lon }
    }

    pub fn is_valid(self) -> bool {
        self.lat.is_finite()
            && self.lon.is_finite()
            && (-90.0..=90.0).contains(&self.lat)
            && (-180.0..=180.0).contains(&self.lon)
    }
}

/// Great-circle distance between two points in km.
pub fn haversine_km(a: GeoPoint, b: GeoPoint) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let d_lat = lat2 - lat1;
    let d_lon = (b.lon - a.lon).to_radians();
    let h = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_lon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// A box that holds every point within `km` of a centre (and some more in its corners).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingBox {
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lon: f64,
    pub max_lon: f64,
}

impl BoundingBox {
    pub fn around(centre: GeoPoint, km: f64) -> BoundingBox {
        let d_lat = (km / EARTH_RADIUS_KM).to_degrees();
        // Longitude degrees shrink towards the poles; the cosine of the latitude furthest from
        // the equator keeps the box wide enough on both edges.
        let far_lat = (centre.lat.abs() + d_lat).min(89.9).to_radians();
        let d_lon = (km / (EARTH_RADIUS_KM * far_lat.cos())).to_degrees();
        BoundingBox {
            min_lat: centre.lat - d_lat,
            max_lat: centre.lat + d_lat,
            min_lon: centre.lon - d_lon,
            max_lon: centre.lon + d_lon,
        }
    }

    pub fn contains(&self, point: GeoPoint) -> bool {
        (self.min_lat..=self.max_lat).contains(&point.lat)
            && (self.min_lon..=self.max_lon).contains(&point.lon)
    }
}

/// A place a seeker can search near.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// The name to show ("Utrecht", or the postcode's place "3584 Utrecht").
    pub name: String,
    pub point: GeoPoint,
}

/// Where places and 4-digit postcodes are. Implemented over the indexer's gazetteer by the
/// binary, and by [`PlaceTable`] for tests and small deployments.
pub trait PlaceLookup: Send + Sync {
    /// The place called `name` (any case, with or without diacritics), or the centre of the
    /// 4-digit postcode `name`.
    fn locate(&self, name: &str) -> Option<Place>;

    /// Up to `limit` place names that start with `prefix` (any case), best known first.
    fn complete(&self, prefix: &str, limit: usize) -> Vec<String>;
}

/// A place table in memory: names (and alternate names) and postcodes to points.
#[derive(Debug, Clone, Default)]
pub struct PlaceTable {
    /// Folded name -> (display name, point, weight for completion).
    places: BTreeMap<String, (String, GeoPoint, u64)>,
    postcodes: BTreeMap<String, Place>,
}

impl PlaceTable {
    pub fn new() -> PlaceTable {
        PlaceTable::default()
    }

    /// Adds a place; `weight` (e.g. its population) orders completions. A name seen twice
    /// keeps the heavier place (the city, not the hamlet of the same name).
    pub fn add_place(&mut self, name: &str, point: GeoPoint, weight: u64) {
        let key = fold(name);
        if key.is_empty() || !point.is_valid() {
            return;
        }
        let heavier = self
            .places
            .get(&key)
            .is_none_or(|(_, _, existing)| weight > *existing);
        if heavier {
            self.places
                .insert(key, (name.trim().to_owned(), point, weight));
        }
    }

    /// Adds a 4-digit postcode with the name of its place.
    pub fn add_postcode(&mut self, postcode: &str, place: &str, point: GeoPoint) {
        let postcode = postcode.trim();
        if !is_postcode(postcode) || !point.is_valid() {
            return;
        }
        self.postcodes.entry(postcode.to_owned()).or_insert(Place {
            name: format!("{postcode} {}", place.trim()),
            point,
        });
    }
}

impl PlaceLookup for PlaceTable {
    fn locate(&self, name: &str) -> Option<Place> {
        let name = name.trim();
        if is_postcode(name) {
            return self.postcodes.get(name).cloned();
        }
        let (display, point, _) = self.places.get(&fold(name))?;
        Some(Place {
            name: display.clone(),
            point: *point,
        })
    }

    fn complete(&self, prefix: &str, limit: usize) -> Vec<String> {
        let prefix = fold(prefix);
        if prefix.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<&(String, GeoPoint, u64)> = self
            .places
            .range(prefix.clone()..)
            .take_while(|(key, _)| key.starts_with(&prefix))
            .map(|(_, place)| place)
            .collect();
        found.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        found
            .into_iter()
            .take(limit)
            .map(|(name, _, _)| name.clone())
            .collect()
    }
}

/// A Dutch 4-digit postcode (PC4): four digits, the first not zero.
pub fn is_postcode(text: &str) -> bool {
    text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with('0')
}

/// Lower case without diacritics and with single spaces, for matching names as people type
/// them ("Fryslân", "fryslan"; "'s-Hertogenbosch").
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            'ç' => 'c',
            'ñ' => 'n',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' && folded.ends_with(' ') {
            continue;
        }
        folded.push(c);
    }
    folded
}

/// The indexer's gazetteer answers for places and postcodes as the index spells them.
impl PlaceLookup for vindwerk_indexer::normalise::Gazetteer {
    fn locate(&self, name: &str) -> Option<Place> {
        let name = name.trim();
        if name.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
            let postcode = self.lookup_postcode(name)?;
            return Some(Place {
                name: format!("{} {}", postcode.postcode, postcode.place),
                point: GeoPoint::new(postcode.lat, postcode.lon),
            });
        }
        let place = self.lookup_place(name)?;
        Some(Place {
            name: place.name.clone(),
            point: GeoPoint::new(place.lat, place.lon),
        })
    }

    fn complete(&self, prefix: &str, limit: usize) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for place in vindwerk_indexer::normalise::Gazetteer::complete(self, prefix, limit * 2) {
            if !names.contains(&place.name) {
                names.push(place.name.clone());
            }
        }
        names.truncate(limit);
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UTRECHT: GeoPoint = GeoPoint {
        lat: 52.0907,
        lon: 5.1214,
    };
    const AMSTERDAM: GeoPoint = GeoPoint {
        lat: 52.3676,
        lon: 4.9041,
    };

    #[test]
    fn utrecht_to_amsterdam_is_about_35_km() {
        let km = haversine_km(UTRECHT, AMSTERDAM);
        assert!((km - 34.4).abs() < 1.0, "{km}");
        assert!((haversine_km(AMSTERDAM, UTRECHT) - km).abs() < 1e-9);
        assert!(haversine_km(UTRECHT, UTRECHT).abs() < 1e-9);
    }

    #[test]
    fn bounding_box_holds_the_circle() {
        for km in [1.0, 5.0, 50.0, 300.0] {
            let bbox = BoundingBox::around(UTRECHT, km);
            for step in 0..360 {
                let bearing = f64::from(step).to_radians();
                // A point at distance `km` (slightly less) on this bearing.
                let d = (km * 0.999) / EARTH_RADIUS_KM;
                let lat1 = UTRECHT.lat.to_radians();
                let lon1 = UTRECHT.lon.to_radians();
                let lat2 = (lat1.sin() * d.cos() + lat1.cos() * d.sin() * bearing.cos()).asin();
                let lon2 = lon1
                    + (bearing.sin() * d.sin() * lat1.cos())
                        .atan2(d.cos() - lat1.sin() * lat2.sin());
                let point = GeoPoint::new(lat2.to_degrees(), lon2.to_degrees());
                assert!(haversine_km(UTRECHT, point) <= km);
                assert!(bbox.contains(point), "{km} km, bearing {step}");
            }
        }
    }

    #[test]
    fn place_table_finds_names_folded_and_postcodes() {
        let mut table = PlaceTable::new();
        table.add_place("Utrecht", UTRECHT, 360_000);
        table.add_place("Uithoorn", GeoPoint::new(52.24, 4.83), 30_000);
        table.add_place("Fryslân", GeoPoint::new(53.1, 5.8), 1);
        table.add_postcode("3584", "Utrecht", UTRECHT);
        assert_eq!(
            table.locate("UTRECHT").map(|p| p.name),
            Some("Utrecht".to_owned())
        );
        assert_eq!(
            table.locate("fryslan").map(|p| p.name),
            Some("Fryslân".to_owned())
        );
        assert_eq!(
            table.locate("3584").map(|p| p.name),
            Some("3584 Utrecht".to_owned())
        );
        assert!(table.locate("0123").is_none());
        assert_eq!(table.complete("u", 5), vec!["Utrecht", "Uithoorn"]);
        assert!(table.complete("", 5).is_empty());
    }
}
