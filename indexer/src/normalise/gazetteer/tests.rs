use std::sync::LazyLock;

use proptest::prelude::*;
use vindwerk_model::Location;

use super::*;

static GAZETTEER: LazyLock<Gazetteer> =
    LazyLock::new(|| Gazetteer::load().expect("embedded data should load"));

fn text(text: &str) -> Location {
    Location {
        text: Some(text.to_owned()),
        ..Location::default()
    }
}

/// Resolves `location` and compares city, postcode, province and region.
fn check(location: Location, expected: Option<(&str, Option<&str>, &str, &str)>) {
    let resolved = GAZETTEER.resolve(&location);
    let got = resolved.as_ref().map(|place| {
        (
            place.city.as_str(),
            place.postcode.as_deref(),
            place.province.as_deref().unwrap_or("?"),
            place.region.as_deref().unwrap_or("?"),
        )
    });
    assert_eq!(got, expected, "{location:?}");
}

#[test]
fn free_text_resolves_to_one_place() {
    let utrecht = Some(("Utrecht", None, "Utrecht", "Midden-Utrecht"));
    let den_haag = Some(("Den Haag", None, "Zuid-Holland", "Haaglanden"));
    let amsterdam = Some(("Amsterdam", None, "Noord-Holland", "Groot Amsterdam"));
    let den_bosch = Some((
        "'s-Hertogenbosch",
        None,
        "Noord-Brabant",
        "Noordoost-Brabant",
    ));
    check(text("Den Haag"), den_haag);
    check(text("'s-Gravenhage"), den_haag);
    check(text("s-Gravenhage"), den_haag);
    check(text("DEN HAAG"), den_haag);
    check(text("Den Bosch"), den_bosch);
    check(text("’s-Hertogenbosch"), den_bosch);
    check(text("Utrecht (Leidsche Rijn)"), utrecht);
    check(text("Utrecht"), utrecht);
    check(text("Hybride / Amsterdam"), amsterdam);
    check(text("Amsterdam, Noord-Holland, Nederland"), amsterdam);
    check(text("Amsterdam, NL"), amsterdam);
    check(text("Regio Amsterdam"), amsterdam);
    check(text("Utrecht, Utrecht"), utrecht);
    check(text("Amsterdam, North Holland, Netherlands"), amsterdam);
    check(text("The Hague, South Holland"), den_haag);
    check(text("Amsterdam-Zuidoost"), amsterdam);
    check(
        text("Son en Breugel"),
        Some(("Son en Breugel", None, "Noord-Brabant", "Zuidoost-Brabant")),
    );
    // A name with "en" in it stays whole beside other parts; "en" between places still splits.
    let berkel = Some((
        "Berkel en Rodenrijs",
        None,
        "Zuid-Holland",
        "Zuid-Holland Centraal",
    ));
    check(text("Berkel en Rodenrijs, Netherlands"), berkel);
    check(text("Hybride / Berkel en Rodenrijs"), berkel);
    check(
        text("Son en Breugel, Noord-Brabant"),
        Some(("Son en Breugel", None, "Noord-Brabant", "Zuidoost-Brabant")),
    );
    check(text("Amsterdam en Rotterdam, Nederland"), None);
    check(
        text("Alphen a/d Rijn"),
        Some((
            "Alphen aan den Rijn",
            None,
            "Zuid-Holland",
            "Holland Rijnland",
        )),
    );
    check(
        text("Zwolle e.o."),
        Some(("Zwolle", None, "Overijssel", "Regio Zwolle")),
    );
    // A province alone is no place, and not the hamlet "Noord" either.
    check(text("Noord-Holland"), None);
    check(text("Thuiswerk"), None);
    check(text("Remote"), None);
    check(text("Meerdere locaties"), None);
    check(text("Diverse locaties in Nederland"), None);
    check(text("Amsterdam of Rotterdam"), None);
    check(text("Amsterdam, Utrecht"), None);
    check(text("Antwerpen, België"), None);
    check(text("Nergenshuizen"), None);
    check(text(""), None);
}

#[test]
fn postcodes_give_place_and_point() {
    check(
        text("3584 CS Utrecht"),
        Some(("Utrecht", Some("3584"), "Utrecht", "Midden-Utrecht")),
    );
    check(
        text("3584CS"),
        Some(("Utrecht", Some("3584"), "Utrecht", "Midden-Utrecht")),
    );
    check(
        text("Stationsplein 1, 3511 ED Utrecht"),
        Some(("Utrecht", Some("3511"), "Utrecht", "Midden-Utrecht")),
    );
    check(
        Location {
            postal_code: Some("2511 AB".into()),
            ..Location::default()
        },
        Some(("Den Haag", Some("2511"), "Zuid-Holland", "Haaglanden")),
    );
    // A postcode that contradicts the named place loses to the place.
    check(
        Location {
            locality: Some("Groningen".into()),
            postal_code: Some("3584".into()),
            ..Location::default()
        },
        Some(("Groningen", None, "Groningen", "Groningen")),
    );
    let utrecht = GAZETTEER.lookup_postcode("3584").expect("3584 is Utrecht");
    assert_eq!(utrecht.place, "Utrecht");
    assert_eq!(
        GAZETTEER.lookup_postcode("2511").map(|p| p.place.as_str()),
        Some("Den Haag")
    );
    assert!((utrecht.lat - 52.085).abs() < 0.01 && (utrecht.lon - 5.16).abs() < 0.01);
    assert_eq!(
        GAZETTEER
            .lookup_postcode("3584 CS")
            .map(|p| p.postcode.as_str()),
        Some("3584")
    );
    assert_eq!(GAZETTEER.lookup_postcode("0123"), None);
    assert_eq!(GAZETTEER.lookup_postcode("12345"), None);
    assert_eq!(GAZETTEER.lookup_postcode("Utrecht"), None);
}

#[test]
fn ambiguous_names_prefer_the_populous_unless_a_province_says_otherwise() {
    let province = |name: &str| {
        GAZETTEER
            .lookup_place(name)
            .and_then(|p| p.province.clone())
    };
    assert_eq!(province("Hengelo").as_deref(), Some("Overijssel"));
    assert_eq!(province("Hengelo (Gld)").as_deref(), Some("Gelderland"));
    assert_eq!(
        province("Hengelo, Gelderland").as_deref(),
        Some("Gelderland")
    );
    assert_eq!(province("Bergen").as_deref(), Some("Noord-Holland"));
    assert_eq!(province("Bergen (L)").as_deref(), Some("Limburg"));
    assert_eq!(province("Rijswijk").as_deref(), Some("Zuid-Holland"));
    assert_eq!(province("Rijswijk (NB)").as_deref(), Some("Noord-Brabant"));
    let name = |query: &str| GAZETTEER.lookup_place(query).map(|p| p.name.clone());
    assert_eq!(
        name("Berkel en Rodenrijs, Zuid-Holland").as_deref(),
        Some("Berkel en Rodenrijs")
    );
    assert_eq!(name("Amsterdam en omgeving").as_deref(), Some("Amsterdam"));
    check(
        Location {
            locality: Some("Hengelo".into()),
            region: Some("Gelderland".into()),
            ..Location::default()
        },
        Some(("Hengelo", None, "Gelderland", "Achterhoek")),
    );
    check(
        text("Haren, Groningen"),
        Some(("Haren", None, "Groningen", "Groningen")),
    );
}

#[test]
fn provinces_and_regions_come_from_the_polygons() {
    let check_place = |name: &str, province: &str, region: &str| {
        let place = GAZETTEER
            .lookup_place(name)
            .unwrap_or_else(|| panic!("{name} is known"));
        assert_eq!(
            (place.province.as_deref(), place.region.as_deref()),
            (Some(province), Some(region)),
            "{name}"
        );
    };
    check_place("Utrecht", "Utrecht", "Midden-Utrecht");
    check_place("Amsterdam", "Noord-Holland", "Groot Amsterdam");
    check_place("Maastricht", "Limburg", "Zuid-Limburg");
    check_place("Groningen", "Groningen", "Groningen");
    check_place("Den Haag", "Zuid-Holland", "Haaglanden");
    check_place("Rotterdam", "Zuid-Holland", "Rijnmond");
    check_place("Eindhoven", "Noord-Brabant", "Zuidoost-Brabant");
    check_place("Leeuwarden", "Fryslân", "Friesland");
    check_place("Zwolle", "Overijssel", "Regio Zwolle");
    check_place("Enschede", "Overijssel", "Twente");
    check_place("Almere", "Flevoland", "Flevoland");
    check_place("Middelburg", "Zeeland", "Zeeland");
    check_place("Nijmegen", "Gelderland", "Rijk van Nijmegen");
    check_place("Emmen", "Drenthe", "Drenthe");
    // UWV's region Groningen takes in Assen and its Drenthe neighbours.
    check_place("Assen", "Drenthe", "Groningen");
    check_place("Haarlem", "Noord-Holland", "Zuid-Kennemerland en IJmond");
    check_place("Amersfoort", "Utrecht", "Amersfoort");
    check_place("Ede", "Gelderland", "FoodValley");
    check_place("Venlo", "Limburg", "Noord-Limburg");
}

#[test]
fn every_place_and_postcode_has_a_province_and_region() {
    let unplaced: Vec<&str> = GAZETTEER
        .places()
        .iter()
        .filter(|place| place.province.is_none() || place.region.is_none())
        .map(|place| place.name.as_str())
        .collect();
    assert!(
        unplaced.len() < 10,
        "places outside every area: {unplaced:?}"
    );
    let postcodes = GAZETTEER.postcodes().count();
    assert!(postcodes > 4000, "{postcodes} postcodes");
    let unplaced = GAZETTEER
        .postcodes()
        .filter(|p| p.province.is_none())
        .count();
    assert!(unplaced < 10, "{unplaced} postcodes outside every province");
}

#[test]
fn lookup_folds_case_diacritics_and_apostrophes() {
    let name = |query: &str| {
        GAZETTEER
            .lookup_place(query)
            .map(|place| place.name.as_str())
    };
    assert_eq!(name("den haag"), Some("Den Haag"));
    assert_eq!(name("The Hague"), Some("Den Haag"));
    assert_eq!(name("s gravenhage"), Some("Den Haag"));
    assert_eq!(name("almere"), Some("Almere"));
    assert_eq!(name("  UTRECHT "), Some("Utrecht"));
    assert_eq!(name("Nergenshuizen"), None);
    assert_eq!(name(""), None);
}

#[test]
fn own_coordinates_name_the_nearest_place() {
    check(
        Location {
            lat: Some(52.0907),
            lon: Some(5.1214),
            ..Location::default()
        },
        Some(("Utrecht", None, "Utrecht", "Midden-Utrecht")),
    );
    // Off the coast of Brazil: not a Dutch place.
    check(
        Location {
            lat: Some(-10.0),
            lon: Some(-30.0),
            ..Location::default()
        },
        None,
    );
}

#[test]
fn completion_lists_populous_places_first() {
    let names: Vec<&str> = GAZETTEER
        .complete("ams", 3)
        .into_iter()
        .map(|place| place.name.as_str())
        .collect();
    assert_eq!(names.first(), Some(&"Amsterdam"));
    assert!(names.len() <= 3);
    assert!(GAZETTEER.complete("", 3).is_empty());
}

#[test]
fn area_names_match_the_geojson() {
    assert_eq!(GAZETTEER.province_names().count(), 12);
    assert_eq!(GAZETTEER.region_names().count(), 35);
    assert!(GAZETTEER.province_names().any(|name| name == "Fryslân"));
}

proptest! {
    #[test]
    fn resolve_never_panics(
        text in any::<Option<String>>(),
        locality in any::<Option<String>>(),
        postal_code in "[0-9 A-Z]{0,8}",
        lat in any::<Option<f64>>(),
        lon in any::<Option<f64>>(),
    ) {
        let location = Location { text, locality, postal_code: Some(postal_code), lat, lon, ..Location::default() };
        let _ = GAZETTEER.resolve(&location);
    }

    #[test]
    fn a_resolved_city_resolves_to_itself(name in prop::sample::select(vec![
        "Den Haag", "'s-Gravenhage", "Utrecht (Leidsche Rijn)", "3584 CS", "Hybride / Amsterdam",
        "Hengelo (Gld)", "Bergen (NH)", "Almere", "Maastricht", "Zwolle",
    ])) {
        let first = GAZETTEER.resolve(&text(name)).expect("known place");
        let again = GAZETTEER.resolve(&text(&first.city)).expect("its own name is known");
        prop_assert_eq!(first.city, again.city);
    }
}
