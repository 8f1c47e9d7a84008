//! A posting's location text to one place: segments ("Hybride / Amsterdam", "Amsterdam,
//! Noord-Holland, Nederland"), postcodes ("3584 CS Utrecht"), province hints, remote and
//! several-places phrases.

use std::sync::LazyLock;

use regex::Regex;
use vindwerk_model::Location;

use super::{
    Gazetteer, NEAREST_PLACE_KM, POSTCODE_AGREES_KM, Place, ResolvedPlace, distance_km, fold,
};

/// Separators between the parts of a location text: "Amsterdam, Noord-Holland", "Hybride /
/// Utrecht".
const PART_SEPARATOR: &str = r"[,/|;()\[\]•·+&]|\s+[-–—]\s+";

/// A conjunction between two places ("Utrecht of Amersfoort"), and inside some names ("Berkel
/// en Rodenrijs", "Son en Breugel").
const CONJUNCTION: &str = r"\s+(?:en|of|and|or)\s+";

/// Where a location text splits into parts; a part may still hold a conjunction.
static PART_SPLIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!("(?i){PART_SEPARATOR}")).expect("part pattern should compile")
});

static CONJUNCTION_SPLIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!("(?i){CONJUNCTION}")).expect("conjunction pattern should compile")
});

/// "a/d" in "Alphen a/d Rijn", "Capelle a/d IJssel".
static ABBREVIATIONS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\s+a\s*/\s*d\s+").expect("abbreviation pattern should compile")
});

/// A whole string that is a 4-digit postcode, with or without its letters.
pub(in crate::normalise) static POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*([1-9][0-9]{3})\s?(?:[A-Za-z]{2})?\s*$")
        .expect("postcode pattern should compile")
});

/// A postcode inside a folded segment: "3584 cs utrecht", "3584cs", "3584 utrecht".
static POSTCODE_IN_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|\s)([1-9][0-9]{3})(?:\s?[a-z]{2})?(?:\s|$)")
        .expect("postcode pattern should compile")
});

static REMOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:(?:volledig|fully|deels|gedeeltelijk|partly|100)\s+)?(?:remote|thuiswerken|thuiswerk|thuis|hybride|hybrid|home\s?office|work from home|wfh|vanuit huis|op afstand|anywhere)\b",
    )
    .expect("remote pattern should compile")
});

static SEVERAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:(?:meerdere|diverse|verschillende|div|alle)\s+(?:locaties|vestigingen|plaatsen|steden|regios)|landelijk|heel nederland|nationwide|(?:multiple|various|several)\s+(?:locations|offices|cities))\b",
    )
    .expect("several pattern should compile")
});

const NETHERLANDS: &[&str] = &[
    "nederland",
    "nl",
    "nld",
    "netherlands",
    "the netherlands",
    "holland",
];
const ABROAD: &[&str] = &[
    "belgie",
    "belgium",
    "belgique",
    "be",
    "duitsland",
    "germany",
    "deutschland",
    "frankrijk",
    "france",
    "verenigd koninkrijk",
    "united kingdom",
    "uk",
    "spanje",
    "spain",
    "usa",
    "united states",
    "luxemburg",
    "luxembourg",
];
/// Words around a place name that are not part of it.
const NOISE: &[&str] = &[
    "regio",
    "omgeving",
    "gemeente",
    "provincie",
    "te",
    "in",
    "nabij",
    "bij",
    "rond",
    "rondom",
    "centrum",
    "locatie",
    "standplaats",
    "werklocatie",
    "vestiging",
    "kantoor",
    "hoofdkantoor",
    "office",
    "area",
    "stad",
    "city",
];

/// A province's `statnaam` from a folded name or abbreviation ("nh", "gld", "fryslan").
pub(in crate::normalise) fn province_hint(key: &str) -> Option<&'static str> {
    let province = match key {
        "groningen" | "gn" | "gr" | "provincie groningen" => "Groningen",
        "friesland" | "fryslan" | "fr" | "frl" => "Fryslân",
        "drenthe" | "dr" => "Drenthe",
        "overijssel" | "ov" => "Overijssel",
        "flevoland" | "fl" | "fle" => "Flevoland",
        "gelderland" | "gld" | "gl" | "ge" => "Gelderland",
        "utrecht" | "ut" | "u" | "provincie utrecht" => "Utrecht",
        "noord holland" | "nh" | "n h" | "north holland" => "Noord-Holland",
        "zuid holland" | "zh" | "z h" | "south holland" => "Zuid-Holland",
        "zeeland" | "zl" | "zld" | "z" => "Zeeland",
        "noord brabant" | "nb" | "n b" | "brabant" | "north brabant" => "Noord-Brabant",
        "limburg" | "l" | "lb" | "li" => "Limburg",
        _ => return None,
    };
    Some(province)
}

/// Whether a location text says the work is (partly) remote.
pub fn mentions_remote(text: &str) -> bool {
    REMOTE.is_match(&fold(text))
}

/// What the segments of one field say.
#[derive(Debug, Default)]
struct Reading {
    /// Folded keys that name a place, with whether the key is also a province name.
    places: Vec<(String, bool)>,
    hint: Option<&'static str>,
    several: bool,
    abroad: bool,
    postcode: Option<String>,
}

fn read_field(gazetteer: &Gazetteer, text: &str, reading: &mut Reading) {
    let text = ABBREVIATIONS.replace_all(text, " aan den ");
    // A name with a separator in it ("Son en Breugel", "Oost, West en Middelbeers") is one
    // place before it is parts.
    let whole = fold(&text);
    if gazetteer.find(&whole, None).is_some() {
        reading.places.push((whole, false));
        return;
    }
    for segment in segments(gazetteer, &text) {
        read_segment(gazetteer, segment, reading);
    }
}

/// The segments of a location text, each naming at most one thing: its parts ("Amsterdam,
/// Noord-Holland"), and a part's conjuncts ("Utrecht of Amersfoort") unless the part names a
/// place whole ("Berkel en Rodenrijs", "Son en Breugel").
pub(in crate::normalise) fn segments<'a>(
    gazetteer: &'a Gazetteer,
    text: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    PART_SPLIT.split(text).flat_map(move |part| {
        if CONJUNCTION_SPLIT.is_match(part) && gazetteer.find(&fold(part), None).is_some() {
            vec![part]
        } else {
            CONJUNCTION_SPLIT.split(part).collect()
        }
    })
}

/// One segment of a location text: a place, a province, a postcode, "remote", "several
/// places", the country or abroad, or noise.
fn read_segment(gazetteer: &Gazetteer, segment: &str, reading: &mut Reading) {
    let mut key = fold(segment);
    if key.is_empty() {
        return;
    }
    if SEVERAL.is_match(&key) {
        reading.several = true;
        return;
    }
    if REMOTE.is_match(&key) {
        key = crate::normalise::text::collapse_whitespace(&REMOTE.replace_all(&key, " "));
    }
    if let Some(captures) = POSTCODE_IN_KEY.captures(&key) {
        if let Some(digits) = captures.get(1) {
            reading
                .postcode
                .get_or_insert_with(|| digits.as_str().to_owned());
        }
        key = crate::normalise::text::collapse_whitespace(&POSTCODE_IN_KEY.replace(&key, " "));
    }
    if key.is_empty() || NETHERLANDS.contains(&key.as_str()) {
        return;
    }
    if ABROAD.contains(&key.as_str()) {
        reading.abroad = true;
        return;
    }
    let province = province_hint(&key);
    if province.is_some() {
        // A province name is a place only when a place has that very name ("Utrecht");
        // "Noord-Holland" must not find the hamlet "Noord" in one of its words.
        if gazetteer.find(&key, None).is_some() {
            reading.places.push((key, true));
        } else {
            reading.hint = reading.hint.or(province);
        }
    } else if let Some(found) = place_key(gazetteer, &key) {
        reading.places.push((found, false));
    }
}

/// The key under which the gazetteer knows the place a folded segment names: the segment
/// itself, else without noise words, else its longest run of words that is a place.
fn place_key(gazetteer: &Gazetteer, key: &str) -> Option<String> {
    if gazetteer.find(key, None).is_some() {
        return Some(key.to_owned());
    }
    let words: Vec<&str> = key
        .split(' ')
        .filter(|word| !NOISE.contains(word))
        .collect();
    if words.is_empty() || words.len() > 8 {
        return None;
    }
    for length in (1..=words.len()).rev() {
        for start in 0..=words.len() - length {
            let span = words[start..start + length].join(" ");
            // A short word inside a longer text is too often not a place ("de", "ee").
            if length < words.len() && span.len() < 4 {
                continue;
            }
            if gazetteer.find(&span, None).is_some() {
                return Some(span);
            }
        }
    }
    None
}

/// The one place a reading names; `Err(())` when it names several.
fn one_place(gazetteer: &Gazetteer, reading: &Reading) -> Result<Option<usize>, ()> {
    let has_plain = reading.places.iter().any(|(_, province)| !province);
    let mut hint = reading.hint;
    // "Haren, Groningen": a province name next to a place is a hint, not a second place.
    let mut hint_is_place = false;
    if has_plain
        && hint.is_none()
        && let Some((key, _)) = reading.places.iter().find(|(_, province)| *province)
    {
        hint = province_hint(key);
        hint_is_place = true;
    }
    let mut chosen: Option<usize> = None;
    for (key, province) in &reading.places {
        if has_plain && *province {
            continue;
        }
        let Some(index) = gazetteer.find(key, hint) else {
            continue;
        };
        match chosen {
            None => chosen = Some(index),
            Some(first) if !same_area(&gazetteer.places[first], &gazetteer.places[index]) => {
                return Err(());
            }
            Some(_) => {}
        }
    }
    if let (Some(index), Some(province), true) = (chosen, hint, hint_is_place) {
        // "Amsterdam, Utrecht" is two cities, not Amsterdam in the province of Utrecht.
        if gazetteer.places[index].province.as_deref() != Some(province) {
            return Err(());
        }
    }
    Ok(chosen)
}

/// Two names of one place or of parts of one town ("Utrecht (Leidsche Rijn)").
fn same_area(a: &Place, b: &Place) -> bool {
    (a.municipality.is_some() && a.municipality == b.municipality)
        || distance_km(a.lat, a.lon, b.lat, b.lon) < 10.0
}

pub(super) fn resolve(gazetteer: &Gazetteer, location: &Location) -> Option<ResolvedPlace> {
    if let Some(country) = &location.country {
        let key = fold(country);
        if !key.is_empty() && !NETHERLANDS.contains(&key.as_str()) {
            return None;
        }
    }
    let region_hint = location
        .region
        .as_deref()
        .map(fold)
        .and_then(|key| province_hint(&key));
    let mut postcode = location.postal_code.as_deref().and_then(|code| {
        POSTCODE_IN_KEY
            .captures(&fold(code))?
            .get(1)
            .map(|m| m.as_str().to_owned())
    });
    let mut place = None;
    for field in [location.locality.as_deref(), location.text.as_deref()]
        .into_iter()
        .flatten()
    {
        let mut reading = Reading {
            hint: region_hint,
            ..Reading::default()
        };
        read_field(gazetteer, field, &mut reading);
        if reading.abroad && reading.places.is_empty() {
            return None;
        }
        if postcode.is_none() {
            postcode = reading.postcode.clone();
        }
        if reading.several && reading.places.is_empty() {
            return None;
        }
        match one_place(gazetteer, &reading) {
            Err(()) => return None,
            Ok(Some(index)) => {
                place = Some(index);
                break;
            }
            Ok(None) => {}
        }
    }
    let postcode = postcode.and_then(|code| gazetteer.postcodes.get(&code));
    let own_point = match (location.lat, location.lon) {
        (Some(lat), Some(lon)) if gazetteer.provinces.locate(lon, lat).is_some() => {
            Some((lat, lon))
        }
        _ => None,
    };
    let mut resolved = match (place, postcode) {
        (Some(index), Some(postcode)) => {
            let place = &gazetteer.places[index];
            let agrees = fold(&postcode.place) == fold(&place.name)
                || distance_km(place.lat, place.lon, postcode.lat, postcode.lon)
                    <= POSTCODE_AGREES_KM;
            if agrees {
                from_postcode(place.name.clone(), postcode)
            } else {
                ResolvedPlace::from(place)
            }
        }
        (Some(index), None) => ResolvedPlace::from(&gazetteer.places[index]),
        (None, Some(postcode)) => from_postcode(postcode.place.clone(), postcode),
        (None, None) => {
            let (lat, lon) = own_point?;
            let nearest = nearest_place(gazetteer, lat, lon)?;
            ResolvedPlace::from(nearest)
        }
    };
    if let Some((lat, lon)) = own_point {
        let (province, region) = gazetteer.areas_at(lat, lon);
        resolved.lat = lat;
        resolved.lon = lon;
        resolved.province = province.map(str::to_owned);
        resolved.region = region.map(str::to_owned);
    }
    Some(resolved)
}

fn from_postcode(city: String, postcode: &super::Postcode) -> ResolvedPlace {
    ResolvedPlace {
        city,
        postcode: Some(postcode.postcode.clone()),
        province: postcode.province.clone(),
        region: postcode.region.clone(),
        lat: postcode.lat,
        lon: postcode.lon,
    }
}

fn nearest_place(gazetteer: &Gazetteer, lat: f64, lon: f64) -> Option<&Place> {
    // A tenth of a degree is over 5 km in either direction at Dutch latitudes: a cheap
    // filter before the great-circle distance.
    gazetteer
        .places
        .iter()
        .filter(|place| (place.lat - lat).abs() < 0.1 && (place.lon - lon).abs() < 0.1)
        .map(|place| (distance_km(lat, lon, place.lat, place.lon), place))
        .filter(|(distance, _)| *distance <= NEAREST_PLACE_KM)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, place)| place)
}
