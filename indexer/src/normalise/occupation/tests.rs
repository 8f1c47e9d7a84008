use std::sync::LazyLock;

use proptest::prelude::*;

use super::*;

static OCCUPATIONS: LazyLock<Occupations> =
    LazyLock::new(|| Occupations::load().expect("embedded data should load"));

/// Classifies `title` and compares the preferred label and ISCO group.
fn check(title: &str, expected: Option<(&str, &str)>) {
    let got = OCCUPATIONS
        .classify(title)
        .map(|occupation| (occupation.label.as_str(), occupation.isco.as_str()));
    assert_eq!(got, expected, "{title:?}");
}

#[test]
fn titles_map_to_esco_occupations() {
    let nurse = Some(("algemeen verpleegkundige", "2221"));
    check("Verpleegkundige", nurse);
    check("Verpleger", nurse);
    check("Verpleegster", nurse);
    check("Senior Verpleegkundige (m/v)", nurse);
    check("Verpleegkundige | 32-36 uur", nurse);
    check("Wijkverpleegkundige", nurse);
    // ESCO knows this compound: a specialised nurse.
    check(
        "Kinderverpleegkundige",
        Some(("gespecialiseerd verpleegkundige", "2221")),
    );
    check("Oncologieverpleegkundige", nurse);
    check(
        "Medewerker klantenservice",
        Some(("vertegenwoordiger klantenservice", "4225")),
    );
    check(
        "Medewerkster klantenservice (m/v/x)",
        Some(("vertegenwoordiger klantenservice", "4225")),
    );
    check(
        "Klantenservice medewerker",
        Some(("vertegenwoordiger klantenservice", "4225")),
    );
    check("Magazijnmedewerker", Some(("magazijnmedewerker", "9333")));
    check("Magazijnmedewerkster", Some(("magazijnmedewerker", "9333")));
    check(
        "Ervaren vrachtwagenchauffeur CE",
        Some(("vrachtwagenchauffeur", "8332")),
    );
    check(
        "Junior Software developer",
        Some(("ict application developer", "2514")),
    );
    check(
        "Java developer",
        Some(("ict application developer", "2514")),
    );
    check("Project Manager", Some(("projectmanager", "1219")));
    check("Projectleider", Some(("projectmanager", "1219")));
    check("Zelfstandig werkend kok", Some(("kok", "5120")));
    check(
        "Docent wiskunde",
        Some(("leerkracht wiskunde voortgezet onderwijs", "2330")),
    );
    check(
        "Financieel administratief medewerker",
        Some(("administratief medewerker", "3343")),
    );
    check("CNC-operator", Some(("operator CNC-machine", "7223")));
    check("Trainee accountmanager", Some(("accountmanager", "1420")));
    check("Credit controller", Some(("controller", "2411")));
    check("Medewerker magazijn", Some(("magazijnmedewerker", "9333")));
    // What a role works for is not the role.
    check("Praktijkondersteuner huisarts", None);
    check("Medewerker", None);
    check("Manager", None);
    check("Senior", None);
    check("Gezocht: iets met mensen", None);
    check("", None);
}

#[test]
fn every_occupation_has_an_isco_group_and_labels() {
    let occupations = OCCUPATIONS.occupations();
    assert!(occupations.len() > 3000);
    assert!(
        occupations
            .iter()
            .all(|o| o.isco.len() == 4 && !o.label.is_empty())
    );
}

#[test]
fn synonyms_hold_male_and_female_forms() {
    let synonyms = OCCUPATIONS.synonyms("verpleegkundige");
    for form in ["verpleger", "verpleegster", "algemeen verpleegkundige"] {
        assert!(synonyms.contains(&form), "{form} in {synonyms:?}");
    }
    let magazijn = OCCUPATIONS.synonyms("Magazijnmedewerker");
    assert!(magazijn.contains(&"magazijnmedewerkster"), "{magazijn:?}");
    assert!(OCCUPATIONS.synonyms("nergensmaker").is_empty());
    assert!(OCCUPATIONS.vocabulary().count() > 15_000);
}

#[test]
fn bad_extra_labels_name_their_line() {
    let mut occupations = vec![Occupation {
        uri: "u".into(),
        label: "kok".into(),
        isco: "5120".into(),
        alt_labels: Vec::new(),
    }];
    let error =
        add_extra_labels(&mut occupations, "# comment\nchef\tbakker\n").expect_err("no bakker");
    assert_eq!(
        error.to_string(),
        "data file occupation_labels_extra.tsv: line 2: no occupation with preferred label \"bakker\""
    );
    assert!(add_extra_labels(&mut occupations, "no tab here").is_err());
}

proptest! {
    #[test]
    fn classify_never_panics(title in any::<String>()) {
        let _ = OCCUPATIONS.classify(&title);
    }

    #[test]
    fn seniority_does_not_change_the_occupation(
        word in prop::sample::select(vec!["Senior", "Junior", "Ervaren", "Medior", "Trainee"]),
        title in prop::sample::select(vec![
            "verpleegkundige", "magazijnmedewerker", "kok", "accountmanager", "timmerman",
        ]),
    ) {
        let plain = OCCUPATIONS.classify(title).map(|o| o.uri.clone());
        let with_word = OCCUPATIONS.classify(&format!("{word} {title}")).map(|o| o.uri.clone());
        prop_assert!(plain.is_some());
        prop_assert_eq!(plain, with_word);
    }
}
