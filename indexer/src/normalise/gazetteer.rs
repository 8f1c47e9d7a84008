//! The gazetteer: Dutch places, 4-digit postcodes, provinces and labour-market regions, from
//! the open data in `indexer/data/` (GeoNames, CBS/PDOK; see its README), embedded in the
//! binary. A place's province and region come from point-in-polygon once, at load.
//!
//! It resolves what a posting says about its place ([`Gazetteer::resolve`]) and what a seeker
//! types after `near=` ([`Gazetteer::lookup_place`], [`Gazetteer::lookup_postcode`]). It does
//! not guess: several places, a foreign country or an unknown name give `None`.

use std::collections::HashMap;

use vindwerk_model::Location;

use super::NormaliseError;
use super::geo::AreaSet;
use super::text::fold;

const PLACES_CSV: &str = include_str!("../../data/nl_places.csv");
const POSTCODES_TSV: &str = include_str!("../../data/nl_postcodes_pc4.tsv");
const PROVINCES_GEOJSON: &str = include_str!("../../data/nl_provinces_2024.geojson");
const REGIONS_GEOJSON: &str = include_str!("../../data/nl_labour_market_regions_2025.geojson");

/// How far a posting's postcode may lie from its named place and still be taken as its
/// address (a postcode of a neighbouring village belongs to the same job).
const POSTCODE_AGREES_KM: f64 = 15.0;
/// How far a posting's own coordinates may lie from the nearest known place to be named after
/// it, when the posting names no place.
const NEAREST_PLACE_KM: f64 = 5.0;

/// A populated place.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// The Dutch name ("Den Haag", not GeoNames' "The Hague").
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// The province's `statnaam` ("Fryslân", "Noord-Holland").
    pub province: Option<String>,
    /// The labour-market region's `statnaam` ("Midden-Utrecht", "Groot Amsterdam").
    pub region: Option<String>,
    pub municipality: Option<String>,
    /// Inhabitants as GeoNames counts them; 0 when unknown.
    pub population: u64,
}

/// The centre of a 4-digit postcode area.
#[derive(Debug, Clone, PartialEq)]
pub struct Postcode {
    /// Four digits, "3584".
    pub postcode: String,
    /// The place the postcode belongs to, as [`Place::name`] spells it ("Den Haag").
    pub place: String,
    pub municipality: Option<String>,
    pub lat: f64,
    pub lon: f64,
    pub province: Option<String>,
    pub region: Option<String>,
}

/// Where a posting's work is, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedPlace {
    pub city: String,
    pub postcode: Option<String>,
    pub province: Option<String>,
    pub region: Option<String>,
    pub lat: f64,
    pub lon: f64,
}

/// A place resolved as itself: its centre, province and region.
impl From<&Place> for ResolvedPlace {
    fn from(place: &Place) -> ResolvedPlace {
        ResolvedPlace {
            city: place.name.clone(),
            postcode: None,
            province: place.province.clone(),
            region: place.region.clone(),
            lat: place.lat,
            lon: place.lon,
        }
    }
}

/// Places, postcodes, provinces and regions of the Netherlands. Load once and share (`Arc`):
/// loading parses a few MB.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    places: Vec<Place>,
    /// GeoNames feature rank per place: capital, province capital, municipality seat, other.
    ranks: Vec<u8>,
    /// Folded official names and their Dutch display spelling.
    names: HashMap<String, Vec<usize>>,
    /// Folded alternate names (exonyms, "Den Bosch", "Bergen (NH)").
    alternate_names: HashMap<String, Vec<usize>>,
    postcodes: HashMap<String, Postcode>,
    provinces: AreaSet,
    regions: AreaSet,
    /// Folded official names with their place, sorted, for completion.
    sorted_names: Vec<(String, usize)>,
}

/// GeoNames' English or district spellings shown as the Dutch know them.
const DISPLAY_NAMES: &[(&str, &str)] = &[("The Hague", "Den Haag"), ("Almere Stad", "Almere")];

/// The twelve provinces of the embedded data, with their outlines.
pub fn province_areas() -> Result<AreaSet, NormaliseError> {
    AreaSet::from_geojson("nl_provinces_2024.geojson", PROVINCES_GEOJSON)
}

/// The 35 labour-market regions of the embedded data, with their outlines.
pub fn region_areas() -> Result<AreaSet, NormaliseError> {
    AreaSet::from_geojson("nl_labour_market_regions_2025.geojson", REGIONS_GEOJSON)
}

impl Gazetteer {
    /// The gazetteer of the embedded data.
    pub fn load() -> Result<Gazetteer, NormaliseError> {
        let provinces = province_areas()?;
        let regions = region_areas()?;
        let rows = read_postcode_rows(POSTCODES_TSV)?;
        let municipalities: HashMap<u32, String> = rows
            .iter()
            .filter_map(|row| Some((row.municipality_code?, row.municipality.clone()?)))
            .collect();
        let mut gazetteer = Gazetteer {
            places: Vec::new(),
            ranks: Vec::new(),
            names: HashMap::new(),
            alternate_names: HashMap::new(),
            postcodes: HashMap::new(),
            provinces,
            regions,
            sorted_names: Vec::new(),
        };
        gazetteer.read_places(PLACES_CSV, &municipalities)?;
        gazetteer.add_postcodes(&rows);
        let mut sorted: Vec<(String, usize)> = gazetteer
            .names
            .iter()
            .flat_map(|(key, places)| places.iter().map(move |&index| (key.clone(), index)))
            .collect();
        sorted.sort();
        gazetteer.sorted_names = sorted;
        Ok(gazetteer)
    }

    fn read_places(
        &mut self,
        csv_text: &str,
        municipalities: &HashMap<u32, String>,
    ) -> Result<(), NormaliseError> {
        const FILE: &str = "nl_places.csv";
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|error| NormaliseError::data(FILE, format!("header: {error}")))?
            .clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|header| header == name)
                .ok_or_else(|| NormaliseError::data(FILE, format!("no column {name}")))
        };
        let (c_name, c_ascii, c_alt) = (
            column("name")?,
            column("asciiname")?,
            column("alternatenames")?,
        );
        let (c_lat, c_lon, c_code) = (
            column("latitude")?,
            column("longitude")?,
            column("featurecode")?,
        );
        let (c_admin2, c_population) = (column("admin2code")?, column("population")?);
        for (line, record) in reader.records().enumerate() {
            let record = record.map_err(|error| {
                NormaliseError::data(FILE, format!("row {}: {error}", line + 2))
            })?;
            let field = |index: usize| record.get(index).unwrap_or("").trim();
            let bad =
                |what: &str| NormaliseError::data(FILE, format!("row {}: bad {what}", line + 2));
            let lat: f64 = field(c_lat).parse().map_err(|_| bad("latitude"))?;
            let lon: f64 = field(c_lon).parse().map_err(|_| bad("longitude"))?;
            let official = field(c_name);
            if official.is_empty() {
                return Err(bad("name"));
            }
            let name = DISPLAY_NAMES
                .iter()
                .find(|(geonames, _)| *geonames == official)
                .map_or(official, |(_, dutch)| *dutch);
            let municipality =
                parse_code(field(c_admin2)).and_then(|code| municipalities.get(&code));
            let population = parse_code(field(c_population)).map_or(0, u64::from);
            let rank = match field(c_code) {
                "PPLC" => 3,
                "PPLA" => 2,
                "PPLA2" => 1,
                _ => 0,
            };
            let index = self.push_place(name, lat, lon, municipality.cloned(), population, rank);
            for spelling in [official, name, field(c_ascii)] {
                add_key(&mut self.names, spelling, index);
            }
            for alternate in field(c_alt).split(',') {
                add_key(&mut self.alternate_names, alternate, index);
            }
        }
        Ok(())
    }

    fn push_place(
        &mut self,
        name: &str,
        lat: f64,
        lon: f64,
        municipality: Option<String>,
        population: u64,
        rank: u8,
    ) -> usize {
        let province = self
            .provinces
            .locate(lon, lat)
            .map(|area| area.name.clone());
        let region = self.regions.locate(lon, lat).map(|area| area.name.clone());
        self.places.push(Place {
            name: name.to_owned(),
            lat,
            lon,
            province,
            region,
            municipality,
            population,
        });
        self.ranks.push(rank);
        self.places.len() - 1
    }

    /// Postcode centres, and the postcodes' place names GeoNames' places lack ("Bergen (NH)",
    /// "Almere") as places at the centre of their postcodes.
    fn add_postcodes(&mut self, rows: &[PostcodeRow]) {
        let mut by_postcode: HashMap<&str, Vec<&PostcodeRow>> = HashMap::new();
        let mut by_place: HashMap<String, Vec<&PostcodeRow>> = HashMap::new();
        for row in rows {
            by_postcode
                .entry(row.postcode.as_str())
                .or_default()
                .push(row);
            by_place.entry(fold(&row.place)).or_default().push(row);
        }
        let mut missing: Vec<(String, Vec<&PostcodeRow>)> = by_place
            .into_iter()
            .filter(|(key, _)| !self.names.contains_key(key))
            .collect();
        missing.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, rows) in missing {
            let (lat, lon) = centre(&rows);
            let first = rows[0];
            // "Almere" is GeoNames' "Almere Stad": an alternate name that a postcode
            // spells is the same place, not a new one.
            if let Some(existing) = self.find(&key, None) {
                add_key(&mut self.names, &first.place, existing);
                continue;
            }
            let index = self.push_place(&first.place, lat, lon, first.municipality.clone(), 0, 0);
            add_key(&mut self.names, &first.place, index);
        }
        for (postcode, rows) in by_postcode {
            let (lat, lon) = centre(&rows);
            let first = rows[0];
            let province = self
                .provinces
                .locate(lon, lat)
                .map(|area| area.name.clone());
            // The place in the gazetteer's own spelling: "Den Haag", not "'s-Gravenhage".
            let place = self
                .find(&fold(&first.place), province.as_deref())
                .map_or_else(
                    || first.place.clone(),
                    |index| self.places[index].name.clone(),
                );
            self.postcodes.insert(
                postcode.to_owned(),
                Postcode {
                    postcode: postcode.to_owned(),
                    place,
                    municipality: first.municipality.clone(),
                    lat,
                    lon,
                    province,
                    region: self.regions.locate(lon, lat).map(|area| area.name.clone()),
                },
            );
        }
    }

    /// Every place, in data order.
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// Every postcode centre, in no particular order.
    pub fn postcodes(&self) -> impl Iterator<Item = &Postcode> {
        self.postcodes.values()
    }

    /// The place called `name`: any case, with or without diacritics or apostrophes, official
    /// or alternate name ("'s-Gravenhage", "den bosch"), optionally with a province hint
    /// ("Bergen (NH)", "Hengelo, Gelderland"). Of several places with one name the most
    /// populous, unless the hint says otherwise.
    pub fn lookup_place(&self, name: &str) -> Option<&Place> {
        if let Some(index) = self.find(&fold(name), None) {
            return Some(&self.places[index]);
        }
        let mut hint = None;
        let mut place_name = None;
        for segment in segments(self, name) {
            let key = fold(segment);
            if key.is_empty() {
                continue;
            }
            if place_name.is_some() {
                hint = hint.or(province_hint(&key));
            } else {
                place_name = Some(key);
            }
        }
        let index = self.find(&place_name?, hint)?;
        Some(&self.places[index])
    }

    /// The centre of a 4-digit postcode ("3584", "3584 CS", "3584CS").
    pub fn lookup_postcode(&self, postcode: &str) -> Option<&Postcode> {
        let captures = POSTCODE.captures(postcode.trim())?;
        self.postcodes.get(captures.get(1)?.as_str())
    }

    /// Up to `limit` place names starting with `prefix` (folded), most populous first.
    pub fn complete(&self, prefix: &str, limit: usize) -> Vec<&Place> {
        let prefix = fold(prefix);
        if prefix.is_empty() || limit == 0 {
            return Vec::new();
        }
        let start = self
            .sorted_names
            .partition_point(|(key, _)| key.as_str() < prefix.as_str());
        let mut found: Vec<usize> = self.sorted_names[start..]
            .iter()
            .take_while(|(key, _)| key.starts_with(&prefix))
            .map(|(_, index)| *index)
            .collect();
        found.sort_by(|a, b| self.preference(*b).cmp(&self.preference(*a)).then(a.cmp(b)));
        found.dedup();
        found.truncate(limit);
        found.into_iter().map(|index| &self.places[index]).collect()
    }

    /// The province (by `statnaam`) and labour-market region holding a point.
    pub fn areas_at(&self, lat: f64, lon: f64) -> (Option<&str>, Option<&str>) {
        (
            self.provinces
                .locate(lon, lat)
                .map(|area| area.name.as_str()),
            self.regions.locate(lon, lat).map(|area| area.name.as_str()),
        )
    }

    /// The province names (`statnaam`), as the geojson spells them.
    pub fn province_names(&self) -> impl Iterator<Item = &str> {
        self.provinces.areas().iter().map(|area| area.name.as_str())
    }

    /// The labour-market region names (`statnaam`).
    pub fn region_names(&self) -> impl Iterator<Item = &str> {
        self.regions.areas().iter().map(|area| area.name.as_str())
    }

    fn preference(&self, index: usize) -> (u64, u8) {
        (self.places[index].population, self.ranks[index])
    }

    /// The best place for a folded name: official names before alternate ones; the hinted
    /// province's places if any; the most populous.
    fn find(&self, key: &str, hint: Option<&str>) -> Option<usize> {
        let candidates = self
            .names
            .get(key)
            .or_else(|| self.alternate_names.get(key))?;
        let in_hint: Vec<usize> = match hint {
            Some(province) => candidates
                .iter()
                .copied()
                .filter(|&index| self.places[index].province.as_deref() == Some(province))
                .collect(),
            None => Vec::new(),
        };
        let pool = if in_hint.is_empty() {
            candidates.as_slice()
        } else {
            in_hint.as_slice()
        };
        pool.iter()
            .copied()
            .max_by(|&a, &b| self.preference(a).cmp(&self.preference(b)).then(b.cmp(&a)))
    }
}

/// One row of `nl_postcodes_pc4.tsv`.
#[derive(Debug)]
struct PostcodeRow {
    postcode: String,
    place: String,
    municipality: Option<String>,
    municipality_code: Option<u32>,
    lat: f64,
    lon: f64,
}

fn read_postcode_rows(text: &str) -> Result<Vec<PostcodeRow>, NormaliseError> {
    const FILE: &str = "nl_postcodes_pc4.tsv";
    let mut rows = Vec::new();
    for (line, row) in text.lines().enumerate() {
        if row.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = row.split('\t').map(str::trim).collect();
        let bad = |what: &str| NormaliseError::data(FILE, format!("line {}: bad {what}", line + 1));
        if fields.len() < 11 {
            return Err(bad("number of fields"));
        }
        let postcode = fields[1];
        if postcode.len() != 4 || !postcode.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("postcode"));
        }
        let lat: f64 = fields[9].parse().map_err(|_| bad("latitude"))?;
        let lon: f64 = fields[10].parse().map_err(|_| bad("longitude"))?;
        rows.push(PostcodeRow {
            postcode: postcode.to_owned(),
            place: fields[2].to_owned(),
            municipality: Some(fields[5])
                .filter(|name| !name.is_empty())
                .map(str::to_owned),
            municipality_code: parse_code(fields[6]),
            lat,
            lon,
        });
    }
    Ok(rows)
}

/// "344.0", "0344" and "344" are 344.
fn parse_code(text: &str) -> Option<u32> {
    let text = text.trim();
    let whole = text.strip_suffix(".0").unwrap_or(text);
    whole.parse().ok()
}

fn centre(rows: &[&PostcodeRow]) -> (f64, f64) {
    let n = rows.len().max(1) as f64;
    let lat = rows.iter().map(|row| row.lat).sum::<f64>() / n;
    let lon = rows.iter().map(|row| row.lon).sum::<f64>() / n;
    (lat, lon)
}

fn add_key(index: &mut HashMap<String, Vec<usize>>, name: &str, place: usize) {
    let key = fold(name);
    if key.is_empty() {
        return;
    }
    let places = index.entry(key).or_default();
    if !places.contains(&place) {
        places.push(place);
    }
}

/// Great-circle distance in km.
fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2)
        + p1.cos() * p2.cos() * ((lon2 - lon1).to_radians() / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().min(1.0).asin()
}

pub use resolve::mentions_remote;
use resolve::{POSTCODE, province_hint, segments};

mod resolve;

impl Gazetteer {
    /// The place of a posting's location, from its postcode, locality, free text, region
    /// (as a province hint) and coordinates. `None` for no place, several places
    /// ("Meerdere locaties", "Amsterdam of Utrecht"), remote only ("Thuiswerk") or abroad.
    pub fn resolve(&self, location: &Location) -> Option<ResolvedPlace> {
        resolve::resolve(self, location)
    }
}

#[cfg(test)]
mod tests;
