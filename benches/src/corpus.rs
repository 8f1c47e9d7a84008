//! Synthetic vacancies for the search benchmark: the fixture world's vacancies as an employer's
//! own career site publishes them, normalised by the real normaliser and merged into
//! [`Vacancy`] values, one posting each.
//!
//! Deduplication is the indexer's job and not what the search benchmark measures, so every
//! vacancy here has exactly one posting and an id made from the world's vacancy number.
//! Generation runs on a few threads in chunks and hands the vacancies over in world order, so
//! the same seed, size and day always give the same corpus.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::thread;

use anyhow::Context;
use chrono::{NaiveDate, NaiveTime, TimeDelta};
use vindwerk_fixtures::world::text::{education_text, hours_text, vacancy_text};
use vindwerk_fixtures::world::{AtsKind, Publisher};
use vindwerk_fixtures::{Round, World};
use vindwerk_indexer::dedup::{PostingHead, merge_vacancy};
use vindwerk_indexer::pipeline::{Normaliser, merge_fields};
use vindwerk_model::{
    Channel, Location, Posting, PostingData, PostingId, Salary, SourceId, SourceKind, Status,
    Vacancy, VacancyId,
};

use crate::fixture;

/// World vacancies normalised per thread before they are handed over in order.
const CHUNK: usize = 5_000;

/// The world behind a corpus of `n_vacancies` (round 1) from `seed`, dated `today`.
pub fn world(seed: u64, n_vacancies: usize, today: NaiveDate) -> anyhow::Result<World> {
    fixture::world(seed, n_vacancies, today).context("cannot generate the fixture world")
}

/// Every round-1 vacancy of `world`, normalised on `threads` threads, handed to `sink` in world
/// order. Returns how many were handed over.
pub fn generate(
    world: &World,
    normaliser: &Normaliser,
    threads: usize,
    mut sink: impl FnMut(Vacancy) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    let published: Vec<usize> = (0..world.vacancies.len())
        .filter(|&index| world.vacancies[index].exists_in(Round::One))
        .collect();
    let threads = threads.max(1);
    let mut handed = 0;
    for round in published.chunks(CHUNK * threads) {
        let parts: Vec<Vec<Vacancy>> = thread::scope(|scope| {
            let workers: Vec<_> = round
                .chunks(CHUNK)
                .map(|chunk| {
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .map(|&index| vacancy(world, normaliser, index))
                            .collect::<Vec<Vacancy>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|worker| worker.join().expect("a corpus worker should not panic"))
                .collect()
        });
        for vacancy in parts.into_iter().flatten() {
            sink(vacancy)?;
            handed += 1;
        }
    }
    Ok(handed)
}

/// The posting an employer's career site publishes for world vacancy `index`.
pub fn posting(world: &World, index: usize) -> Posting {
    let vacancy = &world.vacancies[index];
    let employer = world.employer_of(vacancy);
    let place = world.place(vacancy.place);
    let fields = vacancy.fields(Round::One);
    let text = vacancy_text(world, vacancy, Round::One);
    let (source_kind, channel) = match employer.publisher {
        Publisher::JsonLdSite => (SourceKind::Sitemap, Channel::Employer),
        Publisher::MicrodataSite | Publisher::SelectorSite => (SourceKind::Site, Channel::Employer),
        Publisher::IndeedFeed => (SourceKind::Feed, Channel::Employer),
        Publisher::Ats(ats) => (
            match ats {
                AtsKind::Recruitee => SourceKind::Recruitee,
                AtsKind::Greenhouse => SourceKind::Greenhouse,
                AtsKind::Lever => SourceKind::Lever,
                AtsKind::Personio => SourceKind::Personio,
                AtsKind::SmartRecruiters => SourceKind::SmartRecruiters,
                AtsKind::Workday => SourceKind::Workday,
            },
            Channel::Ats,
        ),
    };
    let seen = world
        .date(Round::One)
        .and_time(NaiveTime::MIN)
        .and_utc()
        .checked_add_signed(TimeDelta::hours(6))
        .expect("a world's date plus six hours is a valid instant");
    let data = PostingData {
        url: format!(
            "https://werkenbij.{}.nl/vacatures/{}",
            employer.slug,
            vacancy.reference().to_lowercase()
        ),
        title: fields.title.clone(),
        employer: Some(employer.name.clone()),
        description: text.to_plain(&vacancy.lang),
        location: Location {
            locality: Some(place.name.clone()),
            region: Some(place.province.clone()),
            country: Some("NL".to_owned()),
            ..Location::default()
        },
        date_posted: Some(vacancy.date_posted),
        valid_through: fields.valid_through,
        employment_types: vec![fields.employment_type],
        salary: fields.salary.map(|salary| Salary {
            min: Some(salary.min),
            max: salary.max,
            currency: Some("EUR".to_owned()),
            period: Some(salary.period),
        }),
        salary_text: None,
        hours_text: fields.hours.map(|hours| hours_text(hours, &vacancy.lang)),
        education_text: Some(education_text(fields.education).to_owned()),
        reference: Some(vacancy.reference()),
        remote: false,
    };
    Posting {
        id: PostingId(i64::from(vacancy.id) + 1),
        source: SourceId::new(employer.slug.clone()),
        source_kind,
        channel,
        data,
        content_hash: format!("{:016x}", vacancy.text_seed),
        first_seen: seen,
        last_seen: seen,
        changed_at: seen,
        status: Status::Active,
        expired_at: None,
        expiry_reason: None,
        audience: Default::default(),
    }
}

/// World vacancy `index` as a normalised, merged [`Vacancy`] of one posting.
pub fn vacancy(world: &World, normaliser: &Normaliser, index: usize) -> Vacancy {
    let posting = posting(world, index);
    let fields = merge_fields(&normaliser.normalise(&posting));
    let id = VacancyId::new(format!("v{:08}", world.vacancies[index].id));
    merge_vacancy(id, &[(&PostingHead::from(&posting), &fields)])
        .expect("a vacancy of one posting always merges")
}

/// `vacancy` as its employer changes it some days later: a higher salary, an extra sentence,
/// seen again. `round` tells successive changes apart.
pub fn changed(vacancy: &Vacancy, round: u32) -> Vacancy {
    let mut changed = vacancy.clone();
    let raise = 1.0 + 0.02 * f64::from(round);
    for amount in [
        &mut changed.salary_min,
        &mut changed.salary_max,
        &mut changed.salary_month_min,
        &mut changed.salary_month_max,
    ] {
        *amount = amount.map(|value| (value * raise).round());
    }
    changed.description.push_str(&format!(
        "\n\nBijgewerkt (ronde {round}): we zoeken met spoed, solliciteer vandaag nog."
    ));
    let later = TimeDelta::days(i64::from(round));
    changed.last_seen = vacancy.last_seen + later;
    for posting in &mut changed.postings {
        posting.last_seen += later;
    }
    changed
}

/// Writes `vacancies` as JSON lines to `path`.
pub struct JsonLinesWriter {
    out: BufWriter<File>,
}

impl JsonLinesWriter {
    pub fn create(path: &Path) -> anyhow::Result<JsonLinesWriter> {
        let file =
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(JsonLinesWriter {
            out: BufWriter::with_capacity(1 << 20, file),
        })
    }

    pub fn write(&mut self, vacancy: &Vacancy) -> anyhow::Result<()> {
        serde_json::to_writer(&mut self.out, vacancy).context("cannot serialise a vacancy")?;
        self.out.write_all(b"\n").context("cannot write the corpus")
    }

    pub fn finish(mut self) -> anyhow::Result<()> {
        self.out.flush().context("cannot write the corpus")
    }
}

/// The vacancies of a JSON lines file written by [`JsonLinesWriter`], read as they are needed.
pub fn read_json_lines(
    path: &Path,
) -> anyhow::Result<impl Iterator<Item = anyhow::Result<Vacancy>>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let reader = BufReader::with_capacity(1 << 20, file);
    let path = path.to_owned();
    Ok(reader.lines().map(move |line| {
        let line = line.with_context(|| format!("cannot read {}", path.display()))?;
        serde_json::from_str(&line).with_context(|| format!("{} holds a bad line", path.display()))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> (World, Normaliser) {
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).expect("a valid date");
        let world = world(7, 300, today).expect("a small world generates");
        (world, Normaliser::load().expect("reference data loads"))
    }

    #[test]
    fn vacancies_are_normalised_in_world_order() {
        let (world, normaliser) = small();
        let mut vacancies = Vec::new();
        let handed = generate(&world, &normaliser, 2, |vacancy| {
            vacancies.push(vacancy);
            Ok(())
        })
        .expect("generation succeeds");
        assert_eq!(handed, 300);
        assert!(vacancies.windows(2).all(|pair| pair[0].id < pair[1].id));
        let placed = vacancies.iter().filter(|v| v.lat.is_some()).count();
        assert!(placed > 290, "only {placed} of 300 vacancies have a place");
        assert!(
            vacancies
                .iter()
                .all(|v| v.province.is_some() == v.lat.is_some())
        );
        assert!(vacancies.iter().all(|v| !v.description.is_empty()));
        assert!(vacancies.iter().any(|v| v.occupation.is_some()));
    }

    #[test]
    fn a_changed_vacancy_keeps_its_id_and_differs() {
        let (world, normaliser) = small();
        let vacancy = vacancy(&world, &normaliser, 3);
        let changed = changed(&vacancy, 1);
        assert_eq!(changed.id, vacancy.id);
        assert_ne!(changed.description, vacancy.description);
        assert!(changed.last_seen > vacancy.last_seen);
    }

    #[test]
    fn json_lines_round_trip() {
        let (world, normaliser) = small();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("corpus.jsonl");
        let vacancies: Vec<Vacancy> = (0..5).map(|i| vacancy(&world, &normaliser, i)).collect();
        let mut writer = JsonLinesWriter::create(&path).expect("create");
        for vacancy in &vacancies {
            writer.write(vacancy).expect("write");
        }
        writer.finish().expect("flush");
        let read: Vec<Vacancy> = read_json_lines(&path)
            .expect("open")
            .collect::<anyhow::Result<_>>()
            .expect("every line reads");
        assert_eq!(read, vacancies);
    }
}
