use std::sync::LazyLock;

use proptest::prelude::*;
use vindwerk_model::{EmploymentType, Location, PostingData, Salary, SalaryPeriod};

use super::*;

static DATA: LazyLock<(Gazetteer, Occupations)> = LazyLock::new(|| {
    (
        Gazetteer::load().expect("embedded gazetteer should load"),
        Occupations::load().expect("embedded occupations should load"),
    )
});

fn run(data: &PostingData) -> Normalised {
    normalise(data, &DATA.0, &DATA.1)
}

#[test]
fn a_posting_is_normalised_field_by_field() {
    let data = PostingData {
        url: "https://werkenbij.example.nl/vacature/1".into(),
        title: "Senior Verpleegkundige (m/v) | 32-36 uur - Utrecht".into(),
        employer: Some("  Zorggroep   Almere B.V. ".into()),
        description: "<p>Wij zoeken een verpleegkundige voor onze afdeling.</p><ul><li>hbo-v</li><li>Je hebt een mbo 4 of hbo diploma</li></ul>".into(),
        location: Location { text: Some("Utrecht (Leidsche Rijn)".into()), ..Location::default() },
        salary_text: Some("€ 3.200,- tot € 4.500,- bruto per maand".into()),
        hours_text: Some("32 - 36 uur per week, parttime".into()),
        date_posted: NaiveDate::from_ymd_opt(2026, 11, 1),
        ..PostingData::default()
    };
    let normalised = run(&data);
    assert_eq!(normalised.title, "Senior Verpleegkundige");
    assert_eq!(
        normalised.employer.as_deref(),
        Some("Zorggroep Almere B.V.")
    );
    assert_eq!(normalised.employer_key.as_deref(), Some("zorggroep almere"));
    let place = normalised.place.as_ref().expect("Utrecht");
    assert_eq!(
        (
            place.city.as_str(),
            place.province.as_deref(),
            place.region.as_deref()
        ),
        ("Utrecht", Some("Utrecht"), Some("Midden-Utrecht"))
    );
    assert_eq!(
        normalised.occupation.as_deref(),
        Some("algemeen verpleegkundige")
    );
    assert_eq!(normalised.isco.as_deref(), Some("2221"));
    let salary = normalised.salary.as_ref().expect("salary");
    assert_eq!(
        (salary.min, salary.max, salary.period),
        (Some(3200.0), Some(4500.0), Some(SalaryPeriod::Month))
    );
    assert_eq!(
        normalised.hours,
        Some(Hours {
            min: Some(32.0),
            max: Some(36.0)
        })
    );
    assert_eq!(normalised.employment_type, Some(EmploymentType::PartTime));
    assert_eq!(normalised.education_level, Some(EducationLevel::Mbo));
    assert_eq!(normalised.language, Some("nl"));
    assert!(!normalised.remote);
    assert!(
        normalised
            .description
            .starts_with("Wij zoeken een verpleegkundige")
    );
    assert_eq!(normalised.date_posted, data.date_posted);

    let fields = NormalisedFields::from(normalised);
    assert_eq!(fields.city.as_deref(), Some("Utrecht"));
    assert_eq!(fields.salary_month_min, Some(3200.0));
    assert_eq!(fields.hours_max, Some(36.0));
}

#[test]
fn unknown_stays_unknown() {
    let normalised = run(&PostingData {
        title: "Kok".into(),
        ..PostingData::default()
    });
    assert_eq!(normalised.place, None);
    assert_eq!(normalised.salary, None);
    assert_eq!(normalised.hours, None);
    assert_eq!(normalised.employment_type, None);
    assert_eq!(normalised.education_level, None);
    assert_eq!(normalised.employer, None);
    assert_eq!(normalised.language, None);
    assert_eq!(normalised.occupation.as_deref(), Some("kok"));
}

#[test]
fn salary_hours_and_contract_stated_only_in_the_description() {
    // A Workday or Personio posting: the API types the hours, the text states the rest.
    let data = PostingData {
        title: "Metselaar".into(),
        description: "<p>Kom ons team versterken.</p><h3>Wat bieden wij?</h3><ul><li>Een salaris van € 2.850 - € 3.600 bruto per maand.</li><li>36 - 40 uur per week.</li><li>Een freelance dienstverband.</li></ul>".into(),
        employment_types: vec![EmploymentType::FullTime],
        ..PostingData::default()
    };
    let normalised = run(&data);
    let salary = normalised.salary.as_ref().expect("salary");
    assert_eq!(
        (salary.min, salary.max, salary.period),
        (Some(2850.0), Some(3600.0), Some(SalaryPeriod::Month))
    );
    assert_eq!(
        normalised.hours,
        Some(Hours {
            min: Some(36.0),
            max: Some(40.0)
        })
    );
    assert_eq!(normalised.employment_type, Some(EmploymentType::Contractor));

    // The fields that hold them win over the description.
    let data = PostingData {
        salary_text: Some("€ 3.000 bruto per maand".into()),
        hours_text: Some("24 uur".into()),
        ..data
    };
    let normalised = run(&data);
    assert_eq!(normalised.salary.as_ref().and_then(|s| s.min), Some(3000.0));
    assert_eq!(normalised.hours.and_then(|h| h.max), Some(24.0));
}

#[test]
fn remote_and_hidden_employers() {
    let data = PostingData {
        title: "Java developer".into(),
        employer: Some("Onze opdrachtgever".into()),
        location: Location {
            text: Some("Hybride / Amsterdam".into()),
            ..Location::default()
        },
        salary: Some(Salary {
            min: Some(60000.0),
            max: Some(75000.0),
            currency: Some("EUR".into()),
            period: None,
        }),
        ..PostingData::default()
    };
    let normalised = run(&data);
    assert!(normalised.remote);
    assert_eq!(
        normalised.place.map(|place| place.city),
        Some("Amsterdam".to_owned())
    );
    assert_eq!(normalised.employer, None);
    let salary = normalised.salary.expect("structured salary");
    assert_eq!(salary.period, Some(SalaryPeriod::Year));
    assert_eq!(salary.month_min, Some(5000.0));
    let remote_only = run(&PostingData {
        title: "Developer".into(),
        location: Location {
            text: Some("Thuiswerk".into()),
            ..Location::default()
        },
        ..PostingData::default()
    });
    assert!(remote_only.remote);
    assert_eq!(remote_only.place, None);
}

#[test]
fn employer_keys_ignore_legal_forms_and_case() {
    let check =
        |input: &str, expected: &str| assert_eq!(employer_key(input), expected, "{input:?}");
    check("Zorggroep Almere B.V.", "zorggroep almere");
    check("ZORGGROEP ALMERE BV", "zorggroep almere");
    check("Jansen & Zonen N.V.", "jansen zonen");
    check("Café Ümlaut", "cafe umlaut");
    check("Bavaria", "bavaria");
}

proptest! {
    #[test]
    fn normalise_never_panics(
        title in any::<String>(),
        description in any::<String>(),
        text in any::<Option<String>>(),
        salary_text in any::<Option<String>>(),
        hours_text in any::<Option<String>>(),
    ) {
        let data = PostingData {
            title,
            description,
            location: Location { text, ..Location::default() },
            salary_text,
            hours_text,
            ..PostingData::default()
        };
        let _ = run(&data);
    }

    #[test]
    fn the_clean_title_is_a_fixed_point(
        title in prop::sample::select(vec![
            "Senior Verpleegkundige (m/v) - Utrecht", "Kok | 32-36 uur", "Java developer in Amsterdam",
            "Magazijnmedewerker (m/v/x) 40 uur", "Docent wiskunde, Den Haag",
        ]),
        place in prop::sample::select(vec!["Utrecht", "Amsterdam", "Den Haag"]),
    ) {
        let data = PostingData {
            title: title.to_owned(),
            location: Location { text: Some(place.to_owned()), ..Location::default() },
            ..PostingData::default()
        };
        let once = run(&data);
        let again = run(&PostingData { title: once.title.clone(), ..data });
        prop_assert_eq!(again.title, once.title);
        prop_assert_eq!(again.occupation, once.occupation);
    }
}

#[test]
fn a_board_without_a_location_is_placed_by_its_title() {
    let posting = |title: &str, location: Location| PostingData {
        url: "https://banenbank.example.nl/job/1".into(),
        title: title.into(),
        location,
        ..PostingData::default()
    };
    let city = |title: &str, location: Location| {
        let normalised = run(&posting(title, location));
        (normalised.place.map(|place| place.city), normalised.title)
    };
    let nowhere = Location::default;
    assert_eq!(
        city("Teamleider onderwijs - Voorschoten", nowhere()),
        (Some("Voorschoten".into()), "Teamleider onderwijs".into())
    );
    assert_eq!(
        city("Kok in Den Haag", nowhere()).0.as_deref(),
        Some("Den Haag")
    );
    assert_eq!(
        city("Verkoper | Krimpen aan den IJssel | Fulltime", nowhere())
            .0
            .as_deref(),
        Some("Krimpen aan den IJssel")
    );
    // The job itself is never read as a place, nor an employer whose name ends in one.
    assert_eq!(city("Best", nowhere()).0, None);
    assert_eq!(city("Kok - Van Dijk Supermarkten Best", nowhere()).0, None);
    // A location that says "several places" is not overruled by the title.
    let several = Location {
        text: Some("Meerdere locaties".into()),
        ..Location::default()
    };
    assert_eq!(city("Kok - Utrecht", several).0, None);
}
