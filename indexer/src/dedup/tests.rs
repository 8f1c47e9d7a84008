use std::collections::HashMap;

use chrono::NaiveDate;
use vindwerk_model::{Channel, EmploymentType, PostingId, SalaryPeriod, SourceId, VacancyId};

use super::*;

mod merging;
mod properties;
mod templated;
mod world;

const PROFILE: &str = "Ziekenhuis Noord is een topklinisch ziekenhuis met ruim vierduizend \
    medewerkers. Wij bieden uitstekende zorg aan patiënten uit de hele regio. Je krijgt een \
    salaris volgens de cao ziekenhuizen, een eindejaarsuitkering van 8,33 procent en ruime \
    opleidingsmogelijkheden. Solliciteer direct via de knop hieronder, wij reageren binnen \
    twee weken op je sollicitatie.";

fn day(d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2026, 11, d)
}

struct Item(DedupItem);

impl Item {
    fn new(id: i64, source: &str, channel: Channel, title: &str, description: &str) -> Item {
        Item(DedupItem {
            audience: Default::default(),
            posting_id: PostingId(id),
            source: SourceId::new(source),
            channel,
            url: format!("https://{source}.example.nl/vacature/{id}"),
            reference: None,
            title_key: title.to_owned(),
            employer_key: Some("Ziekenhuis Noord".to_owned()),
            place_key: Some("Utrecht".to_owned()),
            date_posted: day(2),
            description: description.to_owned(),
            terms: Default::default(),
        })
    }
    fn employer(mut self, employer: Option<&str>) -> Item {
        self.0.employer_key = employer.map(str::to_owned);
        self
    }
    fn place(mut self, place: Option<&str>) -> Item {
        self.0.place_key = place.map(str::to_owned);
        self
    }
    fn url(mut self, url: &str) -> Item {
        self.0.url = url.to_owned();
        self
    }
    fn reference(mut self, reference: &str) -> Item {
        self.0.reference = Some(reference.to_owned());
        self
    }
    fn audience(mut self, audience: &str) -> Item {
        self.0.audience = audience.parse().expect("an audience");
        self
    }
    fn date(mut self, date: Option<NaiveDate>) -> Item {
        self.0.date_posted = date;
        self
    }
    /// Hours per week and a monthly salary from `salary`, full or part time by the hours.
    fn terms(mut self, hours: f64, salary: Option<f64>) -> Item {
        let kind = if hours >= 36.0 {
            EmploymentType::FullTime
        } else {
            EmploymentType::PartTime
        };
        self.0.terms = Terms::new(
            (Some(hours), Some(hours)),
            (salary, None, salary.map(|_| SalaryPeriod::Month)),
            Some(kind),
        );
        self
    }
}

/// The clusters as sorted lists of posting ids.
fn groups(items: Vec<Item>) -> Vec<Vec<i64>> {
    let items: Vec<DedupItem> = items.into_iter().map(|item| item.0).collect();
    let clusters = deduplicate(&items, &HashMap::new(), &DedupConfig::default());
    clusters
        .into_iter()
        .map(|cluster| cluster.postings.iter().map(|p| p.0).collect())
        .collect()
}

const ONCOLOGY: &str = "Als verpleegkundige op de afdeling oncologie verzorg je patiënten die \
    chemotherapie krijgen. Je werkt nauw samen met oncologen, diëtisten en maatschappelijk \
    werkers. Je hebt een afgeronde hbo-opleiding verpleegkunde en bij voorkeur de \
    vervolgopleiding oncologie. Je werkt 32 tot 36 uur per week in wisselende diensten.";

const CARDIOLOGY: &str = "Op de hartbewaking bewaak je patiënten na een hartinfarct of een \
    dotterbehandeling. Je leest ritmestoornissen op de monitor en grijpt in waar nodig. \
    Je beschikt over de vervolgopleiding cardiologie of CCU en je blijft rustig onder druk. \
    Het team bestaat uit twintig collega's die elkaar scherp houden.";

#[test]
fn a_board_repost_with_a_rewritten_title_merges() {
    let site = format!("{ONCOLOGY} {PROFILE}");
    let board = format!("{ONCOLOGY} {PROFILE} Bekijk ook andere vacatures op Zorgbanen.");
    assert_eq!(
        groups(vec![
            Item::new(
                1,
                "noord",
                Channel::Employer,
                "Verpleegkundige oncologie",
                &site
            ),
            Item::new(
                2,
                "zorgbanen",
                Channel::Board,
                "Verpleegkundige Oncologie (32-36 uur) - Utrecht",
                &board
            )
            .date(day(9)),
        ]),
        vec![vec![1, 2]]
    );
}

#[test]
fn an_agency_hiding_the_employer_merges() {
    let site = format!("{ONCOLOGY} {PROFILE}");
    let agency = format!(
        "Voor onze opdrachtgever, een groot ziekenhuis in Utrecht, zoeken wij een \
         verpleegkundige. {ONCOLOGY} Interesse? Bel of mail onze intercedent Sanne."
    );
    assert_eq!(
        groups(vec![
            Item::new(
                1,
                "noord",
                Channel::Employer,
                "Verpleegkundige oncologie",
                &site
            ),
            Item::new(
                7,
                "uitzendplus",
                Channel::Agency,
                "Verpleegkundige Oncologie",
                &agency
            )
            .employer(None),
        ]),
        vec![vec![1, 7]]
    );
}

#[test]
fn one_title_in_two_cities_stays_apart_even_through_an_unplaced_copy() {
    let text = format!("{ONCOLOGY} {PROFILE}");
    assert_eq!(
        groups(vec![
            Item::new(
                1,
                "noord",
                Channel::Employer,
                "Verpleegkundige oncologie",
                &text
            ),
            Item::new(
                2,
                "noord",
                Channel::Employer,
                "Verpleegkundige oncologie",
                &text
            )
            .place(Some("Amsterdam")),
            Item::new(
                3,
                "zorgbanen",
                Channel::Board,
                "Verpleegkundige oncologie",
                &text
            )
            .place(None),
        ])
        .len(),
        2
    );
}

#[test]
fn vacancies_of_one_employer_sharing_boilerplate_stay_apart() {
    let oncology = format!("{ONCOLOGY} {PROFILE}");
    let cardiology = format!("{CARDIOLOGY} {PROFILE}");
    assert_eq!(
        groups(vec![
            Item::new(1, "noord", Channel::Employer, "Verpleegkundige", &oncology),
            Item::new(
                2,
                "noord",
                Channel::Employer,
                "Verpleegkundige",
                &cardiology
            ),
            Item::new(
                3,
                "zorgbanen",
                Channel::Board,
                "Verpleegkundige (m/v)",
                &oncology
            ),
            Item::new(
                4,
                "zorgbanen",
                Channel::Board,
                "Verpleegkundige (m/v)",
                &cardiology
            ),
        ]),
        vec![vec![1, 3], vec![2, 4]]
    );
}

#[test]
fn an_ats_id_joins_postings_whose_texts_differ() {
    assert_eq!(
        groups(vec![
            Item::new(
                1,
                "noord",
                Channel::Employer,
                "Verpleegkundige oncologie",
                ONCOLOGY
            )
            .reference("GH-4471002"),
            Item::new(
                2,
                "noord-greenhouse",
                Channel::Ats,
                "Oncologie",
                "Zie de website."
            )
            .employer(Some("Ziekenhuis Noord B.V."))
            .reference("gh 4471002"),
            Item::new(
                3,
                "noord-greenhouse",
                Channel::Ats,
                "Kok",
                "Zie de website."
            )
            .reference("GH-4471003"),
        ]),
        vec![vec![1, 2], vec![3]]
    );
}

#[test]
fn an_agency_keeping_the_reference_joins_even_with_its_own_text() {
    assert_eq!(
        groups(vec![
            Item::new(
                1,
                "noord",
                Channel::Employer,
                "Verpleegkundige oncologie",
                ONCOLOGY
            )
            .reference("VAC-00042"),
            Item::new(
                2,
                "uitzend",
                Channel::Agency,
                "Verpleegkundige Oncologie",
                "Bel ons."
            )
            .employer(None)
            .reference("VAC-00042"),
            // The same number at an agency for another job is not the same vacancy.
            Item::new(3, "uitzend2", Channel::Agency, "Kok", "Bel ons.")
                .employer(None)
                .reference("VAC-00042"),
        ]),
        vec![vec![1, 2], vec![3]]
    );
}

#[test]
fn a_board_page_naming_employer_and_place_only_in_its_text_merges() {
    let site = format!("{ONCOLOGY} {PROFILE}");
    let board = "Ziekenhuis Noord in Utrecht. Als verpleegkundige op de afdeling oncologie \
                 verzorg je patiënten die chemotherapie krijgen."
        .to_owned();
    assert_eq!(
        groups(vec![
            Item::new(
                1,
                "noord",
                Channel::Employer,
                "Verpleegkundige oncologie",
                &site
            ),
            Item::new(
                2,
                "banenbank",
                Channel::Board,
                "Verpleegkundige oncologie - Utrecht",
                &board
            )
            .employer(None)
            .place(None),
            Item::new(
                3,
                "noord",
                Channel::Employer,
                "Verpleegkundige oncologie",
                &site
            )
            .place(Some("Amsterdam"))
            .date(day(20)),
        ]),
        vec![vec![1, 2], vec![3]]
    );
}

#[test]
fn the_same_page_is_one_vacancy() {
    let url = "https://werkenbij.noord.nl/vacature/12";
    assert_eq!(
        groups(vec![
            Item::new(1, "noord", Channel::Employer, "Verpleegkundige", ONCOLOGY).url(url),
            Item::new(2, "feed", Channel::Board, "Zorgmedewerker", "Kort.")
                .url("https://www.werkenbij.noord.nl/vacature/12/?utm_source=feed"),
        ]),
        vec![vec![1, 2]]
    );
}

#[test]
fn postings_for_different_audiences_are_never_one_vacancy() {
    // The same page, the same text and reference: an organisation's internal site and its
    // public board copy stay two vacancies, so that the public one never carries the other.
    let url = "https://werkenbij.noord.nl/vacature/12";
    assert_eq!(
        groups(vec![
            Item::new(1, "noord", Channel::Employer, "Verpleegkundige", ONCOLOGY)
                .url(url)
                .reference("VAC-12")
                .audience("org:noord"),
            Item::new(2, "board", Channel::Board, "Verpleegkundige", ONCOLOGY)
                .url(url)
                .reference("VAC-12"),
            Item::new(3, "ander", Channel::Employer, "Verpleegkundige", ONCOLOGY)
                .url(url)
                .audience("org:ander"),
        ]),
        vec![vec![1], vec![2], vec![3]]
    );
}

#[test]
fn a_repost_long_after_is_a_new_vacancy() {
    assert_eq!(
        groups(vec![
            Item::new(1, "noord", Channel::Employer, "Verpleegkundige", ONCOLOGY),
            Item::new(2, "noord", Channel::Employer, "Verpleegkundige", ONCOLOGY)
                .date(NaiveDate::from_ymd_opt(2027, 6, 1)),
        ]),
        vec![vec![1], vec![2]]
    );
}

#[test]
fn short_texts_need_the_same_title_employer_and_place() {
    assert_eq!(
        groups(vec![
            Item::new(1, "a", Channel::Board, "Kok", "Kort."),
            Item::new(2, "b", Channel::Board, "Kok (m/v)", ""),
            Item::new(3, "c", Channel::Agency, "Kok", "").employer(None),
        ]),
        vec![vec![1, 2], vec![3]]
    );
}

fn ids_of(clusters: &[Cluster]) -> Vec<(Vec<i64>, VacancyId)> {
    clusters
        .iter()
        .map(|c| (c.postings.iter().map(|p| p.0).collect(), c.id.clone()))
        .collect()
}

#[test]
fn ids_survive_an_added_posting_and_a_vanished_one() {
    let text = format!("{ONCOLOGY} {PROFILE}");
    let site = Item::new(
        1,
        "noord",
        Channel::Employer,
        "Verpleegkundige oncologie",
        &text,
    )
    .0;
    let board = Item::new(
        2,
        "zorgbanen",
        Channel::Board,
        "Verpleegkundige oncologie",
        &text,
    )
    .0;
    let agency = Item::new(3, "uitzend", Channel::Agency, "Verpleegkundige", &text)
        .employer(None)
        .0;
    let config = DedupConfig::default();

    let first = deduplicate(&[site.clone(), board.clone()], &HashMap::new(), &config);
    assert_eq!(first.len(), 1);
    let id = first[0].id.clone();
    assert!(
        id.as_str().starts_with('v') && id.as_str().len() == 17,
        "{id}"
    );

    let added = deduplicate(
        &[site.clone(), board.clone(), agency],
        &assignment(&first),
        &config,
    );
    assert_eq!(ids_of(&added), vec![(vec![1, 2, 3], id.clone())]);

    // The site's posting leaves the input (pruned from the store): the rest keeps the id.
    let rest = deduplicate(&[board], &assignment(&added), &config);
    assert_eq!(ids_of(&rest), vec![(vec![2], id)]);
}

#[test]
fn a_split_leaves_the_id_with_the_larger_part() {
    let previous: HashMap<PostingId, VacancyId> = [1, 2, 3]
        .into_iter()
        .map(|p| (PostingId(p), VacancyId::new("vold")))
        .collect();
    let oncology = format!("{ONCOLOGY} {PROFILE}");
    let items: Vec<DedupItem> = vec![
        Item::new(1, "noord", Channel::Employer, "Verpleegkundige", CARDIOLOGY).0,
        Item::new(
            2,
            "noord",
            Channel::Employer,
            "Verpleegkundige oncologie",
            &oncology,
        )
        .0,
        Item::new(
            3,
            "zorgbanen",
            Channel::Board,
            "Verpleegkundige oncologie",
            &oncology,
        )
        .0,
    ];
    let clusters = deduplicate(&items, &previous, &DedupConfig::default());
    let ids = ids_of(&clusters);
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[1], (vec![2, 3], VacancyId::new("vold")));
    assert_ne!(ids[0].1, VacancyId::new("vold"));
    assert_eq!(ids[0].1, ids::new_id(PostingId(1), 0));
}

#[test]
fn a_merge_keeps_the_id_of_the_larger_vacancy_and_never_reuses_the_other() {
    let text = format!("{ONCOLOGY} {PROFILE}");
    let previous: HashMap<PostingId, VacancyId> = [
        (PostingId(1), VacancyId::new("vbig")),
        (PostingId(2), VacancyId::new("vbig")),
        (PostingId(3), VacancyId::new("vsmall")),
    ]
    .into_iter()
    .collect();
    let items: Vec<DedupItem> = (1..=3)
        .map(|id| {
            Item::new(
                id,
                &format!("s{id}"),
                Channel::Board,
                "Verpleegkundige",
                &text,
            )
            .0
        })
        .collect();
    let clusters = deduplicate(&items, &previous, &DedupConfig::default());
    assert_eq!(
        ids_of(&clusters),
        vec![(vec![1, 2, 3], VacancyId::new("vbig"))]
    );
}

#[test]
fn a_new_id_never_takes_one_used_before() {
    let taken = ids::new_id(PostingId(5), 0);
    let previous: HashMap<PostingId, VacancyId> =
        [(PostingId(99), taken.clone())].into_iter().collect();
    let items = vec![Item::new(5, "a", Channel::Board, "Kok", ONCOLOGY).0];
    let clusters = deduplicate(&items, &previous, &DedupConfig::default());
    assert_eq!(clusters[0].id, ids::new_id(PostingId(5), 1));
    assert_ne!(clusters[0].id, taken);
}

/// Two shop assistants of one store, one of 16 hours and one of 38, on the employer's template:
/// their terms keep them apart, also when a board's copy that states none lies between them.
#[test]
fn one_title_at_one_employer_with_other_terms_is_two_vacancies() {
    let template = format!("Als verkoper help je klanten in onze winkel. {PROFILE}");
    let item = |id: i64, source: &str, channel: Channel| {
        Item::new(id, source, channel, "Verkoper", &template)
    };
    assert_eq!(
        groups(vec![
            item(1, "noord", Channel::Employer).terms(16.0, Some(1100.0)),
            item(2, "noord", Channel::Employer).terms(38.0, Some(2400.0)),
            item(3, "zorgbanen", Channel::Board),
            item(4, "werkbank", Channel::Board).terms(38.0, Some(2400.0)),
        ]),
        vec![vec![1, 3], vec![2, 4]]
    );
}

/// An agency that hides the employer, writes its own text and title, but states the same
/// place, day and terms: one vacancy, and the one with those terms of two.
#[test]
fn an_agency_copy_with_its_own_text_joins_by_its_terms() {
    let site = format!("{ONCOLOGY} {PROFILE}");
    let other = format!("{CARDIOLOGY} {PROFILE}");
    let agency = "Voor onze opdrachtgever zoeken wij een ervaren verpleegkundige. Je wordt \
        onderdeel van een enthousiast team en pakt je taken zelfstandig op. Je start via \
        Flexkracht met uitzicht op een vast contract.";
    let postings = vec![
        Item::new(1, "noord", Channel::Employer, "Verpleegkundige", &site)
            .terms(36.0, Some(3400.0)),
        Item::new(2, "noord", Channel::Employer, "Verpleegkundige", &other)
            .terms(24.0, Some(3400.0)),
        Item::new(
            3,
            "flexkracht",
            Channel::Agency,
            "Ervaren verpleegkundige",
            agency,
        )
        .employer(None)
        .terms(36.0, Some(3400.0)),
    ];
    assert_eq!(groups(postings), vec![vec![1, 3], vec![2]]);
    // Without the terms nothing says which, and the agency's copy stays on its own.
    let silent = vec![
        Item::new(1, "noord", Channel::Employer, "Verpleegkundige", &site),
        Item::new(
            3,
            "flexkracht",
            Channel::Agency,
            "Ervaren verpleegkundige",
            agency,
        )
        .employer(None),
    ];
    assert_eq!(groups(silent), vec![vec![1], vec![3]]);
}
