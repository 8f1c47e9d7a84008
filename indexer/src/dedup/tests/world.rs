//! A small generated world of vacancies published over employer sites, boards and agencies,
//! with the truth of which postings are one vacancy: the measure of dedup's F1.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use vindwerk_model::{Channel, PostingId, SourceId};

use super::super::DedupItem;

/// A deterministic generator (splitmix64), so that a seed names a world.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::dedup::minhash::mix(self.0)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, values: &[&'a str]) -> &'a str {
        values[self.below(values.len())]
    }
}

const WORDS: &[&str] = &[
    "patiënten",
    "klanten",
    "team",
    "collega's",
    "afdeling",
    "planning",
    "kwaliteit",
    "veiligheid",
    "zorg",
    "onderhoud",
    "installaties",
    "magazijn",
    "voorraad",
    "bestellingen",
    "rapportages",
    "overleg",
    "projecten",
    "systemen",
    "processen",
    "begeleiding",
    "cliënten",
    "leerlingen",
    "lessen",
    "machines",
    "storingen",
    "metingen",
    "software",
    "data",
    "gebruikers",
    "vragen",
    "adviezen",
    "offertes",
    "contracten",
    "dossiers",
    "beleid",
    "subsidies",
    "gemeente",
    "bewoners",
    "voertuigen",
    "routes",
    "leveringen",
    "keuken",
    "gerechten",
    "gasten",
    "winkel",
    "kassa",
    "schappen",
    "producten",
    "monsters",
    "laboratorium",
    "analyses",
    "onderzoek",
    "budget",
    "facturen",
    "administratie",
    "salarissen",
    "werving",
    "trainingen",
    "coaching",
    "bouw",
    "tekeningen",
    "berekeningen",
    "uitvoering",
    "inspecties",
    "certificering",
    "verwerk",
    "controleer",
    "plan",
    "organiseer",
    "onderhoud",
    "ontwikkel",
    "beheer",
    "ondersteun",
    "analyseer",
    "adviseer",
    "begeleid",
    "coördineer",
    "test",
    "installeer",
    "repareer",
    "verkoop",
    "dagelijks",
    "zelfstandig",
    "nauwkeurig",
    "snel",
    "grondig",
    "samen",
    "proactief",
    "flexibel",
    "nieuwe",
    "complexe",
    "technische",
    "financiële",
    "grote",
    "kleine",
    "lokale",
    "landelijke",
];
const JOBS: &[&str] = &[
    "Verpleegkundige",
    "Monteur",
    "Magazijnmedewerker",
    "Docent wiskunde",
    "Kok",
    "Accountmanager",
    "Data analist",
    "Projectleider",
    "Schoonmaker",
    "Chauffeur",
    "Administratief medewerker",
    "Software ontwikkelaar",
    "Beleidsmedewerker",
    "Laborant",
    "Verkoopmedewerker",
    "Timmerman",
    "Elektricien",
    "HR adviseur",
    "Controller",
    "Klantenservicemedewerker",
];
const SPECIALISMS: &[&str] = &[
    "",
    "",
    "",
    "senior",
    "junior",
    "oncologie",
    "installatietechniek",
    "buitendienst",
    "backend",
];
const PLACES: &[&str] = &[
    "Utrecht",
    "Amsterdam",
    "Rotterdam",
    "Den Haag",
    "Eindhoven",
    "Groningen",
    "Zwolle",
    "Arnhem",
];

fn sentence(rng: &mut Rng, length: usize) -> String {
    let mut words: Vec<&str> = (0..length).map(|_| rng.pick(WORDS)).collect();
    let first = words[0].to_owned();
    let mut capitalised = first[..1].to_uppercase();
    capitalised.push_str(&first[1..]);
    words[0] = &capitalised;
    format!("{}.", words.join(" "))
}

fn paragraph(rng: &mut Rng, sentences: usize) -> Vec<String> {
    (0..sentences)
        .map(|_| {
            let n = 8 + rng.below(8);
            sentence(rng, n)
        })
        .collect()
}

/// Postings of `n_vacancies` vacancies at `n_employers` employers, and for each posting the
/// index of its true vacancy.
pub(crate) fn world(
    seed: u64,
    n_employers: usize,
    n_vacancies: usize,
) -> (Vec<DedupItem>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let employers: Vec<(String, Vec<String>)> = (0..n_employers)
        .map(|e| {
            (
                format!(
                    "Werkgever {e} {}",
                    rng.pick(&["Zorg", "Techniek", "Logistiek", "Bouw"])
                ),
                paragraph(&mut rng, 5),
            )
        })
        .collect();
    let board_footer = paragraph(&mut rng, 2);
    let mut items = Vec::new();
    let mut truth = Vec::new();
    let mut next_posting = 1i64;
    let mut push = |item: DedupItem, vacancy: usize, items: &mut Vec<DedupItem>| {
        items.push(DedupItem {
            audience: Default::default(),
            posting_id: PostingId(next_posting),
            ..item
        });
        next_posting += 1;
        truth.push(vacancy);
    };
    let mut vacancies: Vec<(usize, String, String, Vec<String>, NaiveDate)> = Vec::new();
    for v in 0..n_vacancies {
        let employer = rng.below(n_employers);
        // Some vacancies are the same job of an employer in another city, with the same text.
        if v > 0 && rng.chance(10) {
            let (e, title, place, text, date) = vacancies[rng.below(vacancies.len())].clone();
            let other = PLACES
                .iter()
                .find(|p| **p != place)
                .copied()
                .unwrap_or("Utrecht");
            let other = if rng.chance(50) {
                other
            } else {
                rng.pick(PLACES)
            };
            if other != place {
                vacancies.push((e, title, other.to_owned(), text, date));
                continue;
            }
        }
        let specialism = rng.pick(SPECIALISMS);
        let title = format!("{} {specialism}", rng.pick(JOBS)).trim().to_owned();
        let n = 3 + rng.below(4);
        let text = paragraph(&mut rng, n);
        let date = NaiveDate::from_ymd_opt(2026, 10, 1)
            .and_then(|d| d.checked_add_days(chrono::Days::new(rng.below(50) as u64)))
            .unwrap_or_default();
        vacancies.push((employer, title, rng.pick(PLACES).to_owned(), text, date));
    }
    for (v, (employer, title, place, text, date)) in vacancies.iter().enumerate() {
        let (employer_name, boilerplate) = &employers[*employer];
        let site_text = format!("{} {}", text.join(" "), boilerplate.join(" "));
        let base = DedupItem {
            audience: Default::default(),
            posting_id: PostingId(0),
            source: SourceId::new(format!("site-{employer}")),
            channel: Channel::Employer,
            url: format!("https://werkgever{employer}.example.nl/vacatures/{v}"),
            reference: None,
            title_key: title.clone(),
            employer_key: Some(employer_name.clone()),
            place_key: Some(place.clone()),
            date_posted: Some(*date),
            description: site_text.clone(),
            terms: Default::default(),
        };
        push(base.clone(), v, &mut items);
        for board in 0..3 {
            if !rng.chance(45) {
                continue;
            }
            let title = match rng.below(3) {
                0 => format!("{title} (m/v)"),
                1 => format!("{title} - {place}"),
                _ => format!("{title} 32-40 uur"),
            };
            let mut description = site_text.clone();
            if rng.chance(30) {
                // A board that cuts the text short.
                description = text[..2.min(text.len())].join(" ");
            }
            description.push(' ');
            description.push_str(&board_footer.join(" "));
            let place = if rng.chance(15) {
                None
            } else {
                Some(place.clone())
            };
            let date = if rng.chance(50) {
                date.checked_add_days(chrono::Days::new(rng.below(10) as u64))
            } else {
                Some(*date)
            };
            push(
                DedupItem {
                    audience: Default::default(),
                    source: SourceId::new(format!("board-{board}")),
                    channel: Channel::Board,
                    url: format!(
                        "https://board{board}.example.nl/job/{v}-{}",
                        rng.below(1000)
                    ),
                    title_key: title,
                    place_key: place,
                    date_posted: date,
                    description,
                    ..base.clone()
                },
                v,
                &mut items,
            );
        }
        if rng.chance(25) {
            let agency = rng.below(2);
            let description = format!(
                "Voor onze opdrachtgever in {place} zoeken wij een {title}. {} Interesse? Bel \
                 intercedent {}.",
                text.join(" "),
                ["Sanne", "Mehmet"][agency]
            );
            push(
                DedupItem {
                    audience: Default::default(),
                    source: SourceId::new(format!("agency-{agency}")),
                    channel: Channel::Agency,
                    url: format!("https://uitzend{agency}.example.nl/v/{v}"),
                    employer_key: None,
                    description,
                    ..base.clone()
                },
                v,
                &mut items,
            );
        }
        if rng.chance(10) {
            // The ATS behind the employer's site: the same id, a terse text.
            push(
                DedupItem {
                    audience: Default::default(),
                    source: SourceId::new(format!("ats-{employer}")),
                    channel: Channel::Ats,
                    url: format!("https://ats.example.com/werkgever{employer}/{v}"),
                    reference: Some(format!("JOB-{v:05}")),
                    description: text[0].clone(),
                    ..base.clone()
                },
                v,
                &mut items,
            );
            if let Some(site) = items.iter_mut().rev().find(|i| i.url == base.url) {
                site.reference = Some(format!("job {v:05}"));
            }
        }
    }
    (items, truth)
}

/// Pairwise precision, recall and F1 of `clusters` against the truth.
pub(crate) fn pairwise_f1(
    items: &[DedupItem],
    truth: &[usize],
    clusters: &[crate::dedup::Cluster],
) -> (f64, f64, f64) {
    let vacancy_of: HashMap<PostingId, usize> = items
        .iter()
        .zip(truth)
        .map(|(item, v)| (item.posting_id, *v))
        .collect();
    let mut found: HashSet<(PostingId, PostingId)> = HashSet::new();
    for cluster in clusters {
        for (i, a) in cluster.postings.iter().enumerate() {
            for b in &cluster.postings[i + 1..] {
                found.insert((*a.min(b), *a.max(b)));
            }
        }
    }
    let mut true_pairs: HashSet<(PostingId, PostingId)> = HashSet::new();
    for (i, a) in items.iter().enumerate() {
        for b in &items[i + 1..] {
            if vacancy_of[&a.posting_id] == vacancy_of[&b.posting_id] {
                true_pairs.insert((
                    a.posting_id.min(b.posting_id),
                    a.posting_id.max(b.posting_id),
                ));
            }
        }
    }
    let correct = found.intersection(&true_pairs).count() as f64;
    let precision = if found.is_empty() {
        1.0
    } else {
        correct / found.len() as f64
    };
    let recall = if true_pairs.is_empty() {
        1.0
    } else {
        correct / true_pairs.len() as f64
    };
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    (precision, recall, f1)
}
