//! A world in the manner of the fixture web: texts assembled from a sector's few task
//! sentences and fixed templates, big employers with many vacancies of one title in one place,
//! reference numbers on the employer's postings and on most copies. Text alone barely tells
//! such vacancies apart; references, salaries and details must.

use chrono::NaiveDate;
use vindwerk_model::{Channel, PostingId, SourceId};

use super::super::DedupItem;
use super::world::Rng;

const TASKS: &[&[&str]] = &[
    &[
        "Je verleent persoonsgerichte zorg aan cliënten en hun naasten.",
        "Je signaleert veranderingen in de gezondheid en rapporteert in het zorgdossier.",
        "Je werkt nauw samen met artsen, collega's en mantelzorgers.",
        "Je draagt bij aan het verbeteren van de kwaliteit van zorg.",
        "Je begeleidt stagiaires en nieuwe collega's.",
    ],
    &[
        "Je verzamelt orders met een handscanner en maakt ze verzendklaar.",
        "Je laadt en lost vrachtwagens en controleert de goederen.",
        "Je houdt het magazijn netjes en veilig.",
        "Je plant ritten en bewaakt de levertijden.",
        "Je werkt met ons warehouse management systeem.",
    ],
];
const TITLES: &[&[&str]] = &[
    &[
        "Verpleegkundige",
        "Verzorgende IG",
        "Helpende zorg",
        "Begeleider gehandicaptenzorg",
    ],
    &[
        "Orderpicker",
        "Heftruckchauffeur",
        "Planner",
        "Magazijnmedewerker",
    ],
];
const PLACES: &[&str] = &[
    "Utrecht",
    "Amersfoort",
    "Zwolle",
    "Breda",
    "Tilburg",
    "Almere",
];

struct Job {
    employer: usize,
    title: String,
    place: String,
    text: String,
    trimmed: String,
    date: NaiveDate,
}

/// Postings and, for each, the index of its true vacancy.
pub(crate) fn templated_world(
    seed: u64,
    n_employers: usize,
    n_vacancies: usize,
) -> (Vec<DedupItem>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let employers: Vec<(String, usize, &str, String)> = (0..n_employers)
        .map(|e| {
            let sector = rng.below(TASKS.len());
            let place = PLACES[rng.below(PLACES.len())];
            let about = format!(
                "Werkgever {e} is een organisatie uit {place}, opgericht in {}. Met ruim {} \
                 collega's werken we elke dag aan goed werk voor de regio.",
                1900 + rng.below(120),
                25 * (2 + rng.below(58))
            );
            (format!("Werkgever {e}"), sector, place, about)
        })
        .collect();
    let mut jobs = Vec::new();
    for v in 0..n_vacancies {
        // A long tail: employer 0 has the most vacancies.
        let employer = if v < n_employers {
            v
        } else {
            let spread = 1 + rng.below(n_employers);
            rng.below(spread)
        };
        let (name, sector, home, about) = &employers[employer];
        let place = if rng.chance(70) {
            home.to_string()
        } else {
            PLACES[rng.below(PLACES.len())].to_owned()
        };
        let base = TITLES[*sector][rng.below(4)];
        let title = match rng.below(20) {
            0 | 1 => format!("Senior {base}"),
            2 => format!("Junior {base}"),
            _ => base.to_owned(),
        };
        let tasks = TASKS[*sector];
        let mut chosen: Vec<&str> = Vec::new();
        while chosen.len() < 3 {
            let task = tasks[rng.below(tasks.len())];
            if !chosen.contains(&task) {
                chosen.push(task);
            }
        }
        let intro = format!(
            "Ben jij de {} die ons team in {place} komt versterken? Bij {name} krijg je de ruimte om het verschil te maken.",
            title.to_lowercase()
        );
        let salary = 2400 + 50 * rng.below(40);
        let hours = [
            "36 tot 40 uur per week",
            "32 tot 36 uur per week",
            "24 tot 32 uur per week",
            "38 uur per week",
        ][rng.below(4)];
        let text = format!(
            "{intro}\nWat ga je doen?\n- {}\n- {}\n- {}\nWat vragen wij?\n- Je hebt een afgeronde opleiding op mbo-niveau.\n- Je hebt minimaal {} jaar relevante werkervaring.\n- Je bent communicatief vaardig en werkt graag samen.\nWat bieden wij?\n- Een salaris van € {salary} tot € {} per maand.\n- {hours}.\n- 8% vakantiegeld, een goede pensioenregeling en opleidingsbudget.\nOver ons\n{about}",
            chosen[0],
            chosen[1],
            chosen[2],
            1 + rng.below(7),
            salary + 600 + 50 * rng.below(12)
        );
        let trimmed = format!("{intro} {} {}", chosen[0], chosen[1]);
        let date = NaiveDate::from_ymd_opt(2026, 10, 1)
            .and_then(|d| d.checked_add_days(chrono::Days::new(rng.below(45) as u64)))
            .unwrap_or_default();
        jobs.push(Job {
            employer,
            title,
            place,
            text,
            trimmed,
            date,
        });
    }

    let mut items = Vec::new();
    let mut truth = Vec::new();
    for (v, job) in jobs.iter().enumerate() {
        let reference = format!("VAC-{v:05}");
        let base = DedupItem {
            audience: Default::default(),
            posting_id: PostingId(0),
            source: SourceId::new(format!("site-{}", job.employer)),
            channel: Channel::Employer,
            url: format!("https://werkgever{}.example.nl/vacatures/{v}", job.employer),
            reference: Some(reference.clone()),
            title_key: job.title.clone(),
            employer_key: Some(employers[job.employer].0.clone()),
            place_key: Some(job.place.clone()),
            date_posted: Some(job.date),
            description: job.text.clone(),
            terms: Default::default(),
        };
        let mut copies = vec![base.clone()];
        let werkzoeken = if rng.chance(30) {
            if rng.chance(15) { 2 } else { 1 }
        } else {
            0
        };
        for copy in 0..werkzoeken {
            copies.push(DedupItem {
                audience: Default::default(),
                source: SourceId::new("werkzoeken"),
                channel: Channel::Board,
                url: format!("https://werkzoeken.example.nl/vacature/{v}-{copy}"),
                reference: rng.chance(80).then(|| reference.clone()),
                title_key: format!("{} in {}", job.title, job.place),
                ..base.clone()
            });
        }
        if rng.chance(20) {
            copies.push(DedupItem {
                audience: Default::default(),
                source: SourceId::new("banenbank"),
                channel: Channel::Board,
                url: format!("https://banenbank.example.nl/item/{v}"),
                reference: None,
                description: job.trimmed.clone(),
                ..base.clone()
            });
        }
        if rng.chance(8) {
            let intro = format!(
                "Voor onze opdrachtgever in {} zoeken wij een {}.",
                job.place,
                job.title.to_lowercase()
            );
            let body: String = job
                .text
                .lines()
                .skip(1)
                .take_while(|line| *line != "Over ons")
                .collect::<Vec<_>>()
                .join("\n");
            copies.push(DedupItem {
                audience: Default::default(),
                source: SourceId::new("uitzendbureau"),
                channel: Channel::Agency,
                url: format!("https://uitzendbureau.example.nl/v/{v}"),
                reference: rng.chance(50).then(|| reference.clone()),
                employer_key: None,
                description: format!("{intro}\n{body}\nInteresse? Bel onze intercedent."),
                ..base.clone()
            });
        }
        for copy in copies {
            items.push(DedupItem {
                audience: Default::default(),
                posting_id: PostingId(items.len() as i64 + 1),
                ..copy
            });
            truth.push(v);
        }
    }
    (items, truth)
}
