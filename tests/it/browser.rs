//! The search pages in headless Chromium (Debian's `chromium`, installed by `scripts/setup`):
//! what a seeker's browser renders, and screenshots under `target/screenshots/` to look at.

use crate::common;
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> PathBuf {
    let path = PathBuf::from("/usr/bin/chromium");
    assert!(
        path.exists(),
        "no {}: run scripts/setup, which installs Debian's chromium",
        path.display()
    );
    path
}

/// Chromium without a profile, sandbox or background traffic: only the page asked for.
fn headless(profile: &Path) -> Command {
    let mut command = Command::new(chromium());
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1400",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

fn dump_dom(profile: &Path, url: &str) -> String {
    let output = headless(profile)
        .arg("--dump-dom")
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn screenshot(profile: &Path, url: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    let file = dir.join(name);
    let output = headless(profile)
        .arg(format!("--screenshot={}", file.display()))
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    file
}

#[test]
fn search_pages_render_in_chromium() {
    let demo = common::Demo::start(250);
    let profile = tempfile::tempdir().expect("profile dir");

    let search = demo.url("/?q=medewerker&province=Utrecht");
    let dom = dump_dom(profile.path(), &search);
    let head: String = dom.chars().take(500).collect();
    assert!(dom.contains("<label"), "the search form has labels: {head}");
    assert!(dom.contains("<mark>"), "results carry highlighted snippets");
    assert!(dom.contains("Provincie"), "the facet sidebar is there");
    assert!(dom.contains("/vacature/"), "results link to vacancy pages");

    let png = screenshot(profile.path(), &search, "search.png");
    assert!(std::fs::metadata(&png).expect("screenshot written").len() > 10_000);

    let first = dom
        .split("href=\"/vacature/")
        .nth(1)
        .expect("a vacancy link");
    let id: String = first
        .chars()
        .take_while(|c| *c != '"' && *c != '?')
        .collect();
    let vacancy = demo.url(&format!("/vacature/{id}"));
    let dom = dump_dom(profile.path(), &vacancy);
    assert!(dom.contains("<h1"), "the vacancy page has a heading");
    screenshot(profile.path(), &vacancy, "vacancy.png");
}

#[test]
fn portal_forms_render_in_chromium() {
    let demo = common::Demo::start(250);
    let profile = tempfile::tempdir().expect("profile dir");
    for (path, name, expected) in [
        ("/aanmelden", "signup.png", "Account maken"),
        ("/inloggen", "signin.png", "Inloggen"),
    ] {
        let url = demo.url(path);
        let dom = dump_dom(profile.path(), &url);
        assert!(dom.contains(expected), "{path} renders its heading");
        assert!(
            dom.contains("<label for=\"email\""),
            "{path} labels its fields"
        );
        assert!(dom.contains("name=\"csrf\""), "{path} carries a CSRF token");
        let png = screenshot(profile.path(), &url, name);
        assert!(std::fs::metadata(&png).expect("screenshot written").len() > 5_000);
    }
}

#[test]
fn the_labour_market_map_and_an_employer_history_render_in_chromium() {
    let demo = common::Demo::start(250);
    let profile = tempfile::tempdir().expect("profile dir");

    let map = demo.url("/kaart");
    let dom = dump_dom(profile.path(), &map);
    // Both maps draw all 35 labour-market regions.
    assert_eq!(dom.matches("<path ").count(), 70, "two maps of 35 regions");
    assert!(dom.contains("Nu open"), "the map of active vacancies");
    assert!(dom.contains("Verlopen sinds"), "the map of expired ones");
    assert!(dom.contains("class=\"legend\""), "a legend");
    assert!(dom.contains("<th scope=\"row\">"), "the figures as a table");
    let png = screenshot(profile.path(), &map, "map.png");
    assert!(std::fs::metadata(&png).expect("screenshot written").len() > 20_000);

    // The table opens a region on the map: its places and employers.
    let opened = dom
        .split("href=\"/kaart?region=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link that opens a region");
    let region = demo.url(&format!("/kaart?region={opened}"));
    let dom = dump_dom(profile.path(), &region);
    assert!(dom.contains("<circle "), "places as circles");
    screenshot(profile.path(), &region, "map-region.png");
    let employer = dom
        .split("href=\"/werkgever/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("an employer's history link");

    let history = demo.url(&format!("/werkgever/{employer}"));
    let dom = dump_dom(profile.path(), &history);
    assert!(dom.contains("class=\"series-0\""), "the monthly chart");
    assert!(dom.contains("Per beroep"), "the table per occupation");
    let png = screenshot(profile.path(), &history, "employer.png");
    assert!(std::fs::metadata(&png).expect("screenshot written").len() > 10_000);
}

/// A signed-in page as the browser of `session` gets it, saved with a base address so that
/// Chromium loads its stylesheet from the server: Chromium's command line sets no cookies.
fn signed_in_page(
    demo: &common::Demo,
    session: &str,
    path: &str,
    dir: &Path,
    name: &str,
) -> PathBuf {
    let (status, _, body) = demo.request(
        "GET",
        path,
        &[format!("Cookie: vindwerk_sessie={session}")],
        "",
    );
    assert!(status.contains("200"), "{path}: {status}");
    let base = demo.url("/");
    let html = body.replacen("<head>", &format!("<head><base href=\"{base}\">"), 1);
    let file = dir.join(name);
    std::fs::write(&file, html).expect("page written");
    file
}

#[test]
fn a_running_werkestafette_renders_in_chromium() {
    let demo = common::Demo::start(250);
    let profile = tempfile::tempdir().expect("profile dir");
    let pages = tempfile::tempdir().expect("pages dir");
    let session = common::sign_in(&demo, "coach@demo.vindwerk.nl", "vindwerk-demo");
    for (path, name, expected) in [
        (
            "/estafettes/r-demo-utrecht",
            "round",
            "Tafel van Ahmed El Amrani",
        ),
        (
            "/estafettes/r-demo-utrecht/tafels/t-demo-zorg",
            "round-table",
            "Joost Visser voor Sanne de Vries",
        ),
        (
            "/estafettes/r-demo-utrecht/samenvatting",
            "round-summary",
            "De hele ronde",
        ),
    ] {
        let file = signed_in_page(&demo, &session, path, pages.path(), &format!("{name}.html"));
        let url = format!("file://{}", file.display());
        let dom = dump_dom(profile.path(), &url);
        assert!(dom.contains(expected), "{path} renders: {expected}");
        let png = screenshot(profile.path(), &url, &format!("{name}.png"));
        assert!(std::fs::metadata(&png).expect("screenshot written").len() > 10_000);
    }
}

/// The #8 play-through, in Chromium driven as a person uses it: a seeker signs up, saves a
/// search, invites a friend and logs a letter sent; the friend joins and gives a pluim with a
/// message; the seeker sees it; a coach puts a vacancy on a list and downloads it for Excel.
#[test]
fn a_seeker_her_friend_and_a_coach_play_the_portal_through_in_chromium() {
    let demo = common::Demo::start(250);
    let mut chrome = common::cdp::Chrome::start();

    let sanne = chrome.tab();
    chrome.open(&sanne, &demo.url("/aanmelden"));
    chrome.fill(&sanne, "#name", "Sanne Proef");
    chrome.fill(&sanne, "#email", "sanne.proef@example.nl");
    chrome.fill(&sanne, "#password", "een-lang-wachtwoord");
    chrome.fill(&sanne, "#password_again", "een-lang-wachtwoord");
    chrome.click(&sanne, "form[action='/aanmelden'] button[type=submit]");
    assert!(
        chrome.location(&sanne).ends_with("/mijn"),
        "home after signing up"
    );

    chrome.open(&sanne, &demo.url("/?q=medewerker"));
    chrome.click(&sanne, "a[href^='/zoekopdrachten/nieuw']");
    chrome.click(&sanne, "form[action='/zoekopdrachten'] button[type=submit]");
    let saved = chrome.text(&sanne);
    assert!(
        saved.contains("Je zoekopdrachten") && saved.contains("medewerker"),
        "{saved}"
    );

    chrome.open(&sanne, &demo.url("/kring"));
    chrome.fill(
        &sanne,
        "form[action='/kring/uitnodigen'] input[name=name]",
        "Ria",
    );
    chrome.click(
        &sanne,
        "form[action='/kring/uitnodigen'] button[type=submit]",
    );
    let link = chrome
        .eval(&sanne, "document.querySelector('#invitation-link').value")
        .as_str()
        .expect("the invitation link")
        .to_owned();

    chrome.open(&sanne, &demo.url("/acties"));
    chrome.eval(
        &sanne,
        "document.querySelector('[name=kind]').value = 'letter'",
    );
    chrome.fill(
        &sanne,
        "form[action='/acties'] [name=position]",
        "Verpleegkundige",
    );
    chrome.fill(
        &sanne,
        "form[action='/acties'] [name=employer]",
        "Zorggroep Noord",
    );
    chrome.eval(
        &sanne,
        "document.querySelector('[name=shared]').checked = true",
    );
    chrome.click(&sanne, "form[action='/acties'] button[type=submit]");
    assert!(
        chrome
            .text(&sanne)
            .contains("Sollicitatiebrief verstuurd: Verpleegkundige")
    );

    // Ria opens the link in her own browser, makes an account and joins.
    let ria = chrome.tab();
    chrome.open(&ria, &link);
    assert!(chrome.text(&ria).contains("Sanne Proef nodigt je uit"));
    chrome.click(&ria, "a[href^='/aanmelden']");
    chrome.fill(&ria, "#name", "Ria");
    chrome.fill(&ria, "#email", "ria.proef@example.nl");
    chrome.fill(&ria, "#password", "nog-een-lang-wachtwoord");
    chrome.fill(&ria, "#password_again", "nog-een-lang-wachtwoord");
    chrome.click(&ria, "form[action='/aanmelden'] button[type=submit]");
    chrome.click(&ria, "form button[type=submit]");
    assert!(chrome.text(&ria).contains("De stappen van Sanne Proef"));
    chrome.fill(&ria, "input[name=message]", "Goed bezig, Sanne!");
    chrome.click_in_place(
        &ria,
        "form[action$='/pluim'] button[type=submit]",
        "1 pluim",
    );

    chrome.open(&sanne, &demo.url("/acties"));
    let steps = chrome.text(&sanne);
    assert!(steps.contains("Ria: Goed bezig, Sanne!"), "{steps}");

    // The demo's coach puts a vacancy on a new list and downloads it.
    let coach = chrome.tab();
    chrome.open(&coach, &demo.url("/inloggen"));
    chrome.fill(&coach, "#email", "coach@demo.vindwerk.nl");
    chrome.fill(&coach, "#password", "vindwerk-demo");
    chrome.click(&coach, "form[action='/inloggen'] button[type=submit]");
    chrome.open(&coach, &demo.url("/lijsten"));
    chrome.fill(&coach, "#name", "Voor de tafel");
    chrome.click(&coach, "form[action='/lijsten'] button[type=submit]");
    chrome.open(&coach, &demo.url("/?q=medewerker"));
    chrome.click(&coach, "ol.hits a[href^='/vacature/']");
    chrome.click(&coach, "form[action$='/vacatures'] button[type=submit]");
    let csv = chrome
        .eval(
            &coach,
            "fetch(location.pathname + '/export.csv').then(r => r.text())",
        )
        .as_str()
        .expect("the CSV")
        .to_owned();
    // The browser's text decoding drops the BOM; the bytes keep it.
    let first = chrome.eval(
        &coach,
        "fetch(location.pathname + '/export.csv').then(r => r.arrayBuffer()).then(b => Array.from(new Uint8Array(b).slice(0, 3)))",
    );
    assert_eq!(
        first,
        serde_json::json!([0xEF, 0xBB, 0xBF]),
        "UTF-8 with BOM"
    );
    let header = csv.lines().next().unwrap_or_default();
    assert!(
        header.starts_with("titel;werkgever;plaats;provincie;status"),
        "{header}"
    );
    assert_eq!(csv.lines().count(), 2, "one vacancy on the list");
}

/// Signs `tab` in through the sign-in form.
fn sign_in_in(
    chrome: &mut common::cdp::Chrome,
    tab: &common::cdp::Tab,
    demo: &common::Demo,
    email: &str,
) {
    chrome.open(tab, &demo.url("/inloggen"));
    chrome.fill(tab, "#email", email);
    chrome.fill(tab, "#password", "vindwerk-demo");
    chrome.click(tab, "form[action='/inloggen'] button[type=submit]");
}

/// Gives the first element matching `selector` whose text holds `text` the id `id`, so that
/// a click can name it.
fn mark_by_text(
    chrome: &mut common::cdp::Chrome,
    tab: &common::cdp::Tab,
    selector: &str,
    text: &str,
    inner: &str,
    id: &str,
) {
    let script = format!(
        "(() => {{ const found = Array.from(document.querySelectorAll({})).find(e => e.innerText.includes({})); if (!found) throw new Error('not found'); const target = {} ? found.querySelector({}) : found; target.id = {}; return true; }})()",
        serde_json::json!(selector),
        serde_json::json!(text),
        !inner.is_empty(),
        serde_json::json!(if inner.is_empty() { "*" } else { inner }),
        serde_json::json!(id),
    );
    chrome.eval(tab, &script);
}

/// The #9 play-through in Chromium: an organiser creates a round, two coaches introduce
/// themselves, seven participants choose tables (the seventh finds one full and takes the
/// other), a participant brings a lead to a tablemate, who records a coffee conversation that
/// the coach and a tablemate give pluimen; the coach's view shows it, the summary prints, and
/// the coach plans the first weekly meeting.
#[test]
fn a_werkestafette_from_kickoff_to_the_first_meeting_in_chromium() {
    let demo = common::Demo::start(250);
    let mut chrome = common::cdp::Chrome::start();

    let marieke = chrome.tab();
    sign_in_in(&mut chrome, &marieke, &demo, "coach@demo.vindwerk.nl");
    chrome.open(&marieke, &demo.url("/estafettes"));
    chrome.fill(&marieke, "#name", "Estafette Amersfoort");
    chrome.fill(&marieke, "#city", "Amersfoort");
    chrome.fill(&marieke, "#kickoff", "2027-03-01");
    chrome.click(&marieke, "form[action='/estafettes'] button[type=submit]");
    let round = chrome.location(&marieke);
    let path = round[round.find("/estafettes/").expect("the round's page")..].to_owned();
    chrome.fill(&marieke, "#intro", "Twintig jaar in de zorg.");
    chrome.click(&marieke, "form[action$='/coach'] button[type=submit]");

    let ahmed = chrome.tab();
    sign_in_in(&mut chrome, &ahmed, &demo, "ahmed@demo.vindwerk.nl");
    chrome.open(&ahmed, &round);
    chrome.fill(&ahmed, "#intro", "Techniek en logistiek.");
    chrome.click(&ahmed, "form[action$='/coach'] button[type=submit]");

    let mut people = Vec::new();
    for i in 1..=7 {
        let tab = chrome.tab();
        chrome.open(&tab, &demo.url(&format!("/aanmelden?terug={path}")));
        chrome.fill(&tab, "#name", &format!("Deelnemer {i}"));
        chrome.fill(&tab, "#email", &format!("d{i}.proef@example.nl"));
        chrome.fill(&tab, "#password", "een-lang-wachtwoord");
        chrome.fill(&tab, "#password_again", "een-lang-wachtwoord");
        chrome.click(&tab, "form[action='/aanmelden'] button[type=submit]");
        chrome.click(&tab, "form[action$='/aanmelden'] button[type=submit]");
        let page = chrome.text(&tab);
        if i < 7 {
            mark_by_text(
                &mut chrome,
                &tab,
                "article.round-table",
                "Marieke",
                "form button",
                "kies",
            );
        } else {
            assert!(page.contains("6 van 6 plaatsen bezet · vol"), "{page}");
            mark_by_text(
                &mut chrome,
                &tab,
                "article.round-table",
                "Ahmed",
                "form button",
                "kies",
            );
        }
        chrome.click(&tab, "#kies");
        assert!(chrome.text(&tab).contains("(jouw tafel)"));
        people.push(tab);
    }
    chrome.open(&marieke, &round);
    assert!(chrome.text(&marieke).contains("Deelnemer 7"));

    // Deelnemer 1 brings Deelnemer 2 an opening.
    let (one, two, three) = (people[0].clone(), people[1].clone(), people[2].clone());
    chrome.click(&one, "article.mine h3 a");
    let table = chrome.location(&one);
    chrome.eval(
        &one,
        "(() => { const to = document.querySelector('#to'); to.value = Array.from(to.options).find(o => o.text === 'Deelnemer 2').value; return true; })()",
    );
    chrome.fill(
        &one,
        "#title",
        "Koffie bij Zorggroep Noord via mijn buurman",
    );
    chrome.click(&one, "form[action$='/kansen'] button[type=submit]");

    // Deelnemer 2 had the conversation.
    chrome.open(&two, &table);
    chrome.eval(
        &two,
        "document.querySelector('select[name=outcome]').value = 'conversation'",
    );
    chrome.fill(
        &two,
        "input[name=note][id^=outcome-note]",
        "Ze zoeken iemand na de zomer",
    );
    chrome.click(&two, "form[action*='/kansen/'] button[type=submit]");
    assert!(
        chrome
            .text(&two)
            .contains("Gesprek gehad – Ze zoeken iemand na de zomer")
    );

    // The coach and a tablemate give pluimen.
    chrome.open(&marieke, &table);
    chrome.fill(&marieke, "input[name=message]", "Zo werkt het!");
    chrome.click_in_place(
        &marieke,
        "form[action$='/pluim'] button[type=submit]",
        "1 pluim",
    );
    chrome.open(&three, &table);
    chrome.click_in_place(
        &three,
        "form[action$='/pluim'] button[type=submit]",
        "2 pluimen",
    );

    // The coach's view shows it; the summary prints; the first meeting is planned.
    chrome.open(&marieke, &table);
    let view = chrome.text(&marieke);
    assert!(view.contains("De week van de tafel"), "{view}");
    assert!(view.contains("Koffiegesprek: Koffie bij Zorggroep Noord"));
    chrome.open(&marieke, &demo.url(&format!("{path}/samenvatting")));
    let summary = chrome.text(&marieke);
    assert!(
        summary.contains("Tafel van Marieke Bakker\t6\t1\t1\t1\t0\t0"),
        "{summary}"
    );
    chrome.open(&marieke, &table);
    chrome.fill(&marieke, "#meeting-day", "2027-03-08");
    chrome.fill(&marieke, "#meeting-place", "Bibliotheek Amersfoort");
    chrome.fill(&marieke, "#meeting-agenda", "Kansen van de week");
    chrome.click(
        &marieke,
        "form[action$='/bijeenkomsten'] button[type=submit]",
    );
    assert!(chrome.text(&marieke).contains("Bijeenkomst van 08-03-2027"));
}

/// The demo's organisation: its administrator sees its internal vacancies beside the public
/// ones and on its own page with its members; an anonymous visitor sees none of it.
#[test]
fn an_organisations_internal_vacancies_render_for_its_members_in_chromium() {
    let demo = common::Demo::start(250);
    let profile = tempfile::tempdir().expect("profile dir");
    let pages = tempfile::tempdir().expect("pages dir");
    let session = common::sign_in(&demo, "joris@demo.vindwerk.nl", "vindwerk-demo");
    let (_, _, home) = demo.request(
        "GET",
        "/mijn",
        &[format!("Cookie: vindwerk_sessie={session}")],
        "",
    );
    let organisation = home
        .split("href=\"/organisatie/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|slug| format!("/organisatie/{slug}"))
        .expect("a link to the organisation");
    for (path, name, expected) in [
        ("/", "search-internal", "Intern bij"),
        (organisation.as_str(), "organisation", "Medewerkers"),
    ] {
        let file = signed_in_page(&demo, &session, path, pages.path(), &format!("{name}.html"));
        let url = format!("file://{}", file.display());
        let dom = dump_dom(profile.path(), &url);
        assert!(dom.contains(expected), "{path} renders: {expected}");
        assert!(
            dom.contains("interne vacature"),
            "{path} shows internal vacancies"
        );
        let png = screenshot(profile.path(), &url, &format!("{name}.png"));
        assert!(std::fs::metadata(&png).expect("screenshot written").len() > 10_000);
    }
    let (_, public) = demo.get("/");
    assert!(!public.contains("Intern bij") && !public.contains("interne vacature"));
    let (status, _) = demo.get(&organisation);
    assert!(
        status.contains("303"),
        "{organisation} asks to sign in: {status}"
    );
}

/// The demo's catalogue: anyone browses it; Sanne's trajectory, and her coach reading it.
#[test]
fn the_catalogue_and_a_trajectory_render_in_chromium() {
    let demo = common::Demo::start(250);
    let profile = tempfile::tempdir().expect("profile dir");
    let pages = tempfile::tempdir().expect("pages dir");
    let catalogue = demo.url("/aanbod?kind=coaching");
    let dom = dump_dom(profile.path(), &catalogue);
    assert!(
        dom.contains("Netwerken zonder vacature"),
        "the catalogue renders"
    );
    assert!(
        !dom.contains("Zij-instromen in de zorg"),
        "filtered by kind"
    );
    let png = screenshot(profile.path(), &demo.url("/aanbod"), "catalogue.png");
    assert!(std::fs::metadata(&png).expect("screenshot written").len() > 10_000);
    for (email, path, name, expected) in [
        (
            "sanne@demo.vindwerk.nl",
            "/traject",
            "trajectory",
            "Ingeschreven",
        ),
        (
            "coach@demo.vindwerk.nl",
            "/traject/coach",
            "coach-trajectories",
            "Sanne de Vries",
        ),
        (
            "sanne@demo.vindwerk.nl",
            "/advies",
            "advice",
            "de afgelopen twaalf maanden",
        ),
    ] {
        let session = common::sign_in(&demo, email, "vindwerk-demo");
        let file = signed_in_page(&demo, &session, path, pages.path(), &format!("{name}.html"));
        let url = format!("file://{}", file.display());
        let dom = dump_dom(profile.path(), &url);
        assert!(dom.contains(expected), "{path} renders: {expected}");
        if path.starts_with("/traject") {
            assert!(
                dom.contains("Netwerken zonder vacature"),
                "{path} shows the trajectory"
            );
        } else {
            assert!(
                dom.contains("Marieke Bakker"),
                "{path} shows the coach's advice"
            );
        }
        let png = screenshot(profile.path(), &url, &format!("{name}.png"));
        assert!(std::fs::metadata(&png).expect("screenshot written").len() > 10_000);
    }
}
