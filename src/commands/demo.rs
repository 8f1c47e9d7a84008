//! `vindwerk demo`: the whole product on the built-in fixture web. It generates a world of
//! employers and vacancies, serves it on loopback ports, crawls it with the real crawler,
//! indexes it, and serves search until Ctrl-C.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use tokio_util::sync::CancellationToken;
use vindwerk_crawler::config;
use vindwerk_crawler::round::{self, RoundOptions};
use vindwerk_fixtures::{FixtureWeb, Round, World, WorldParams};
use vindwerk_model::{ActionKind, Role, Status, UserId, Vacancy};
use vindwerk_search_server::portal::hash_password;
use vindwerk_store::{
    Action, Advice, Agreement, Batch, Lead, Meeting, NewRound, NewUser, Offering, Provider,
    SavedSearch, Store, StoreError,
};

use super::{EXIT_OK, index, serve};
use crate::cli::DemoArgs;

/// Vacancies per employer in the demo's world.
const VACANCIES_PER_EMPLOYER: usize = 15;

pub fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let (dir, _temporary) = match &args.dir {
        Some(dir) => (dir.clone(), None),
        None => {
            let temporary = tempfile::tempdir().context("cannot create a temporary directory")?;
            (temporary.path().to_owned(), Some(temporary))
        }
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let options = serve::ServeOptions {
        secure_cookies: false,
        portal: serve::portal_config(&args.portal)?,
    };
    let runtime = super::runtime()?;
    runtime.block_on(demo(args, dir, &options))?;
    Ok(ExitCode::from(EXIT_OK))
}

async fn demo(args: &DemoArgs, dir: PathBuf, options: &serve::ServeOptions) -> anyhow::Result<()> {
    let today = Utc::now().date_naive();
    let n_employers =
        (args.vacancies / VACANCIES_PER_EMPLOYER).max(vindwerk_fixtures::world::MIN_EMPLOYERS);
    let params = WorldParams {
        seed: args.seed,
        n_employers,
        n_vacancies: args.vacancies,
        today,
    };
    let world = Arc::new(World::generate(params).context("cannot generate the fixture world")?);
    let web = FixtureWeb::start(world, Round::One)
        .await
        .context("cannot start the fixture web")?;
    eprintln!("fixture web: {} hosts on 127.0.0.1", web.hosts.len());

    let sources = dir.join("sources.toml");
    let served = web.sources_toml();
    let internal = vindwerk_fixtures::with_internal_site(&served);
    let text = internal.as_ref().map_or(&served, |site| &site.sources);
    std::fs::write(&sources, text)
        .with_context(|| format!("cannot write {}", sources.display()))?;
    let config = config::load(&sources).map_err(|errors| anyhow::anyhow!("{errors}"))?;
    let db = dir.join("vindwerk.db");
    let index_dir = dir.join("index");
    // Two rounds a week apart, as two nightly runs would see the web: the second finds
    // vacancies filled, removed and new, so the demo has history and expired vacancies too.
    let now = Utc::now();
    let first = round::run_round(&config, &db, RoundOptions::new(now - Duration::days(7))).await?;
    eprintln!("{first}");
    web.set_round(Round::Two);
    let second = round::run_round(&config, &db, RoundOptions::new(now)).await?;
    eprintln!("{second}");
    let report = {
        let (db, index_dir) = (db.clone(), index_dir.clone());
        tokio::task::spawn_blocking(move || {
            let run = index::IndexRun {
                full: true,
                ..index::IndexRun::at(now)
            };
            index::index(&db, &index_dir, &run)
        })
        .await
        .context("indexing stopped")??
    };
    index::print_report(&report);
    let seeker = {
        let db = db.clone();
        tokio::task::spawn_blocking(move || add_demo_seeker(&db))
            .await
            .context("adding the demo seeker stopped")??
    };
    let organisation = match internal {
        Some(site) => {
            let slug = site.slug;
            let db = db.clone();
            tokio::task::spawn_blocking(move || add_demo_organisation(&db, &slug))
                .await
                .context("adding the demo organisation stopped")??
        }
        None => None,
    };

    let listener = serve::bind(args.addr).await?;
    let address = listener
        .local_addr()
        .context("cannot read the listening address")?;
    // Whoever reads standard output may stop reading after the URL (a script, `head -1`):
    // the demo goes on serving, so a closed pipe is not an error here.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "vindwerk demo: http://{address}/");
    let _ = writeln!(
        out,
        "  search API: http://{address}/api/search?q=verpleegkundige"
    );
    let _ = writeln!(
        out,
        "  portal: sign in at http://{address}/inloggen as {} with password {}",
        seeker.email, seeker.password
    );
    let _ = writeln!(
        out,
        "  her circle: {} (same password) gives pluimen at http://{address}/kring",
        seeker.friend
    );
    let _ = writeln!(
        out,
        "  a werkestafette: coach@demo.vindwerk.nl (same password) at http://{address}/estafettes/r-demo-utrecht"
    );
    if let Some((slug, name)) = &organisation {
        let _ = writeln!(
            out,
            "  internal vacancies of {name}: {DEMO_ADMIN} (same password) at http://{address}/organisatie/{slug}"
        );
    }
    let _ = writeln!(
        out,
        "  trainings and coaching: http://{address}/aanbod (Sanne's trajectory at /traject, her coach reads it at /traject/coach)"
    );
    let _ = writeln!(out, "  store and index in {}", dir.display());
    let _ = out.flush();
    drop(out);
    let shutdown = CancellationToken::new();
    serve::shutdown_on_ctrl_c(shutdown.clone());
    serve::serve(&db, &index_dir, listener, shutdown, options).await?;
    web.shutdown().await;
    Ok(())
}

/// The administrator of the demo's organisation with an internal labour market.
const DEMO_ADMIN: &str = "joris@demo.vindwerk.nl";

/// The organisation `slug`, named after the employer of its internal vacancies, with Joris
/// as its administrator; its slug and name.
fn add_demo_organisation(
    db: &std::path::Path,
    slug: &str,
) -> anyhow::Result<Option<(String, String)>> {
    let mut store = Store::open(db).context("cannot open the demo store")?;
    let audience = vindwerk_model::Audience::organisation(slug);
    let mut name = None;
    store.for_each_vacancy(None, |vacancy| -> Result<(), StoreError> {
        if name.is_none() && Some(&vacancy.audience) == audience.as_ref() {
            name = vacancy.employer;
        }
        Ok(())
    })?;
    let Some(name) = name else {
        return Ok(None);
    };
    let hash = hash_password("vindwerk-demo")?;
    let id = UserId::new("u-demo-admin");
    let now = Utc::now();
    store.write(|batch| -> Result<(), StoreError> {
        batch.create_user(
            &NewUser {
                id: &id,
                email: DEMO_ADMIN,
                name: "Joris Bakker",
                password_hash: &hash,
                roles: &[Role::Seeker],
            },
            now,
        )?;
        batch.put_organisation(slug, &name, now)?;
        batch.put_member(slug, &id, true, now)
    })?;
    Ok(Some((slug.to_owned(), name)))
}

/// The demo's ready seeker, so that a newcomer sees the portal at once.
struct DemoSeeker {
    email: &'static str,
    password: &'static str,
    /// A member of her circle, with the same password.
    friend: &'static str,
}

/// Adds a seeker with a shortlist of the first active vacancies, each with a note, and her
/// circle: a friend who joined by invitation, steps of this week and last, and pluimen.
fn add_demo_seeker(db: &std::path::Path) -> anyhow::Result<DemoSeeker> {
    let seeker = DemoSeeker {
        email: "sanne@demo.vindwerk.nl",
        password: "vindwerk-demo",
        friend: "ria@demo.vindwerk.nl",
    };
    let hash = hash_password(seeker.password)?;
    let mut store = Store::open(db).context("cannot open the demo store")?;
    let mut vacancies = Vec::new();
    store.for_each_vacancy(Some(Status::Active), |vacancy| -> Result<(), StoreError> {
        if vacancies.len() < 3 {
            vacancies.push(vacancy);
        }
        Ok(())
    })?;
    let id = UserId::new("u-demo-seeker");
    let friend = UserId::new("u-demo-friend");
    let feed_token = vindwerk_search_server::portal::random_token()
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    let now = Utc::now();
    store.write(|batch| -> Result<(), StoreError> {
        batch.create_user(
            &NewUser {
                id: &id,
                email: seeker.email,
                name: "Sanne de Vries",
                password_hash: &hash,
                roles: &[Role::Seeker],
            },
            now,
        )?;
        batch.create_shortlist("l-demo-favorieten", &id, "Favorieten", now)?;
        let notes = ["Eerst bellen", "Brief sturen", "Vragen aan mijn kring"];
        for (vacancy, note) in vacancies.iter().zip(notes) {
            batch.put_on_shortlist("l-demo-favorieten", &vacancy.id, note, now)?;
        }
        add_demo_circle(batch, &id, &friend, &hash, &vacancies, now)?;
        add_demo_round(batch, &id, &hash, now)?;
        add_demo_catalogue(batch, &id, now)?;
        add_demo_advice(batch, &id, &feed_token, now)
    })?;
    Ok(seeker)
}

/// Sanne's saved search, last visited three days ago, and advice from coach Marieke, so that
/// `/advies` has both kinds.
fn add_demo_advice(
    batch: &mut Batch<'_>,
    sanne: &UserId,
    feed_token: &str,
    now: chrono::DateTime<Utc>,
) -> Result<(), StoreError> {
    batch.save_search(&SavedSearch {
        id: "z-demo-zorg".to_owned(),
        owner: sanne.clone(),
        name: "Verpleegkundige".to_owned(),
        query: "q=verpleegkundige".to_owned(),
        feed_token: feed_token.to_owned(),
        created_at: now - Duration::days(20),
        visited_at: now - Duration::days(3),
    })?;
    batch.give_advice(&Advice {
        id: "a-demo-1".to_owned(),
        seeker: sanne.clone(),
        coach: UserId::new("u-demo-coach"),
        coach_name: "Marieke Bakker".to_owned(),
        text: "Je cv is sterk. Vraag Joost of hij je wil voorstellen aan de praktijkopleider van het Diakonessenhuis, en bel zelf twee zorginstellingen zonder vacature.".to_owned(),
        created_at: now - Duration::days(1),
    })
}

/// An approved provider run by coach Marieke with four offerings, and Sanne's trajectory of
/// two of them, which Marieke reads as her table's coach.
fn add_demo_catalogue(
    batch: &mut Batch<'_>,
    sanne: &UserId,
    now: chrono::DateTime<Utc>,
) -> Result<(), StoreError> {
    let provider = Provider {
        id: "p-demo-loopbaanhuis".to_owned(),
        name: "Loopbaanhuis Utrecht".to_owned(),
        website: "https://loopbaanhuis.example.nl".to_owned(),
        description: "Loopbaancoaches voor wie weer aan het werk wil, in de zorg en daarbuiten."
            .to_owned(),
        approved_at: Some(now),
        created_at: now,
    };
    batch.create_provider(&provider, &UserId::new("u-demo-coach"))?;
    let offerings = [
        (
            "o-demo-cv",
            "workshop",
            "Je cv in één middag",
            "Je cv en brief nagelopen met een coach en twee lotgenoten.",
            Some(0.0),
            "1 middag",
            Some("Midden-Utrecht"),
            false,
        ),
        (
            "o-demo-netwerk",
            "coaching",
            "Netwerken zonder vacature",
            "Zes gesprekken: wie ken je, wie kent hen, en hoe vraag je om een kop koffie.",
            Some(450.0),
            "6 weken",
            None,
            true,
        ),
        (
            "o-demo-zorg",
            "training",
            "Zij-instromen in de zorg",
            "Wat een zorginstelling van een zij-instromer vraagt, met een meeloopdag.",
            Some(1250.0),
            "3 maanden, 1 dag per week",
            Some("Midden-Utrecht"),
            false,
        ),
        (
            "o-demo-advies",
            "advice",
            "Loopbaanadvies met test",
            "Een gesprek, een test en een advies op papier.",
            None,
            "2 gesprekken",
            None,
            true,
        ),
    ];
    for (id, kind, title, description, price, duration, region, online) in offerings {
        batch.put_offering(&Offering {
            id: id.to_owned(),
            provider: provider.id.clone(),
            provider_name: provider.name.clone(),
            kind: kind.to_owned(),
            title: title.to_owned(),
            description: description.to_owned(),
            price_euros: price,
            duration: duration.to_owned(),
            region: region.map(str::to_owned),
            online,
            link: format!("https://loopbaanhuis.example.nl/{id}"),
            updated_at: now,
        })?;
    }
    batch.put_in_trajectory(
        sanne,
        "o-demo-cv",
        "done",
        "Cv is nu één pagina.",
        now - Duration::days(6),
    )?;
    batch.put_in_trajectory(
        sanne,
        "o-demo-netwerk",
        "enrolled",
        "Eerste gesprek donderdag.",
        now,
    )
}

/// A running Werkestafette: coach Marieke organises it and leads a table, coach Ahmed leads
/// the other; Sanne and five others sit at the tables; Joost brought Sanne an opening, she
/// had the conversation, and Marieke and Joost gave it a pluim.
fn add_demo_round(
    batch: &mut Batch<'_>,
    sanne: &UserId,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let round = "r-demo-utrecht";
    let marieke = UserId::new("u-demo-coach");
    let ahmed = UserId::new("u-demo-coach-2");
    for (id, email, name) in [
        (&marieke, "coach@demo.vindwerk.nl", "Marieke Bakker"),
        (&ahmed, "ahmed@demo.vindwerk.nl", "Ahmed El Amrani"),
    ] {
        batch.create_user(
            &NewUser {
                id,
                email,
                name,
                password_hash: hash,
                roles: &[Role::Coach],
            },
            now,
        )?;
    }
    batch.create_round(
        &NewRound {
            id: round,
            organiser: &marieke,
            name: "Werkestafette Utrecht",
            city: "Utrecht",
            kickoff: now.date_naive() - Duration::days(7),
            weeks: 4,
            table_size: 6,
        },
        now,
    )?;
    let tables = [
        batch.join_round_as_coach(
            round,
            &marieke,
            "t-demo-zorg",
            "Twintig jaar in de zorg, nu loopbaancoach. Ik ken de zorginstellingen in de regio en weet hoe je binnenkomt zonder vacature.",
            now,
        )?,
        batch.join_round_as_coach(
            round,
            &ahmed,
            "t-demo-techniek",
            "Oud-teamleider logistiek. Ik help je je netwerk in techniek en logistiek aan te boren.",
            now,
        )?,
    ];
    let others = [
        ("u-demo-p1", "joost@demo.vindwerk.nl", "Joost Visser", 0),
        ("u-demo-p2", "fatima@demo.vindwerk.nl", "Fatima Yilmaz", 0),
        ("u-demo-p3", "henk@demo.vindwerk.nl", "Henk de Boer", 1),
        ("u-demo-p4", "lisa@demo.vindwerk.nl", "Lisa Smit", 1),
        ("u-demo-p5", "ravi@demo.vindwerk.nl", "Ravi Sharma", 1),
    ];
    batch.register_for_round(round, sanne, now)?;
    batch.seat(round, sanne, &tables[0])?;
    for (id, email, name, table) in others {
        let id = UserId::new(id);
        batch.create_user(
            &NewUser {
                id: &id,
                email,
                name,
                password_hash: hash,
                roles: &[Role::Seeker],
            },
            now,
        )?;
        batch.register_for_round(round, &id, now)?;
        batch.seat(round, &id, &tables[table])?;
    }
    let joost = UserId::new("u-demo-p1");
    batch.bring_lead(&Lead {
        id: "k-demo-1".to_owned(),
        round: round.to_owned(),
        from: joost.clone(),
        from_name: String::new(),
        to: sanne.clone(),
        to_name: String::new(),
        kind: "opening".to_owned(),
        title: "Koffie met de teamleider van Zorggroep Noord, via mijn buurman".to_owned(),
        vacancy: None,
        note: "Hij verwacht je telefoontje deze week.".to_owned(),
        created_at: now,
        outcome: None,
        outcome_note: String::new(),
    })?;
    batch.record_lead_outcome(
        "k-demo-1",
        sanne,
        "conversation",
        "Ze zoeken na de zomer iemand.",
        now,
    )?;
    batch.log_action(&Action {
        id: "a-demo-lead".to_owned(),
        seeker: sanne.clone(),
        kind: ActionKind::Coffee,
        day: now.date_naive(),
        vacancy: None,
        position: "Koffie met de teamleider van Zorggroep Noord".to_owned(),
        employer: String::new(),
        result: "Gesprek gehad".to_owned(),
        note: "Via Joost Visser: ze zoeken na de zomer iemand.".to_owned(),
        shared: true,
        created_at: now,
    })?;
    batch.give_kudos("a-demo-lead", &marieke, "Zo werkt het! Goed gedaan.", now)?;
    batch.give_kudos("a-demo-lead", &joost, "", now)?;
    let fatima = UserId::new("u-demo-p2");
    batch.plan_meeting(
        &Meeting {
            id: "m-demo-1".to_owned(),
            table: tables[0].clone(),
            day: now.date_naive() - Duration::days(2),
            place: "Bibliotheek Utrecht, zaal 2".to_owned(),
            agenda: "Wie kent wie bij de zorginstellingen? Ieder noemt drie namen.".to_owned(),
            notes: String::new(),
            present: Vec::new(),
        },
        now,
    )?;
    batch.record_meeting(
        "m-demo-1",
        "Goede eerste bijeenkomst; iedereen bracht namen mee.",
        &[sanne.clone(), joost.clone(), fatima.clone()],
    )?;
    batch.make_agreement(&Agreement {
        id: "f-demo-1".to_owned(),
        meeting: "m-demo-1".to_owned(),
        who: fatima,
        who_name: String::new(),
        for_whom: Some(sanne.clone()),
        for_name: None,
        what: "Sanne voorstellen aan de praktijkopleider van het Diakonessenhuis".to_owned(),
        done: false,
    })?;
    Ok(())
}

/// Ria joins Sanne's circle by invitation; Sanne logs steps (one private) and Ria gives
/// pluimen, one with a message.
fn add_demo_circle(
    batch: &mut Batch<'_>,
    seeker: &UserId,
    friend: &UserId,
    hash: &str,
    vacancies: &[Vacancy],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    batch.create_user(
        &NewUser {
            id: friend,
            email: "ria@demo.vindwerk.nl",
            name: "Ria Jansen",
            password_hash: hash,
            roles: &[],
        },
        now,
    )?;
    let token = "demo-invitation";
    batch.create_invitation(token, seeker, "Tante Ria", now, now + Duration::days(14))?;
    batch.accept_invitation(token, friend, now)?;
    let today = now.date_naive();
    let steps = [
        (
            ActionKind::Letter,
            0,
            true,
            "Brief gestuurd, met de tips van Ria erin.",
        ),
        (
            ActionKind::Coffee,
            1,
            true,
            "Koffie met een oud-collega over de zorg in de regio.",
        ),
        (
            ActionKind::SiteApplication,
            6,
            false,
            "Via de site, nog niets gehoord.",
        ),
    ];
    for (n, (kind, days_ago, shared, note)) in steps.into_iter().enumerate() {
        let vacancy = vacancies.get(n);
        let id = format!("a-demo-{n}");
        batch.log_action(&Action {
            id: id.clone(),
            seeker: seeker.clone(),
            kind,
            day: today - Duration::days(days_ago),
            vacancy: vacancy.map(|v| v.id.clone()),
            position: vacancy.map(|v| v.title.clone()).unwrap_or_default(),
            employer: vacancy.and_then(|v| v.employer.clone()).unwrap_or_default(),
            result: String::new(),
            note: note.to_owned(),
            shared,
            created_at: now,
        })?;
        if shared {
            let message = if n == 0 {
                "Goed zo, Sanne! Trots op je."
            } else {
                ""
            };
            batch.give_kudos(&id, friend, message, now)?;
        }
    }
    Ok(())
}
