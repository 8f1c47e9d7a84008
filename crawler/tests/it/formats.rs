//! Sitemaps, feeds and ATS API payloads (shaped like the real APIs, see
//! `src/formats/README.md`) into postings and URLs.

use chrono::NaiveDate;
use url::Url;
use vindwerk_crawler::config::{self, AtsSpec, FeedFormat, SourceSpec, WorkdaySpec};
use vindwerk_crawler::formats::{self, FormatError, SitemapKind};
use vindwerk_model::{EmploymentType, SalaryPeriod};

fn body(name: &str) -> String {
    let path = format!("{}/tests/pages/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn url(text: &str) -> Url {
    Url::parse(text).expect("test url")
}

fn date(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

fn ats(company: &str, base: &str) -> AtsSpec {
    AtsSpec {
        company: company.to_owned(),
        base_url: url(base),
    }
}

#[test]
fn sitemap_urlset_keeps_good_entries_and_names_bad_ones() {
    let base = url("https://werkenbij.ziekenhuisrivierenland.nl/sitemap.xml");
    let sitemap = formats::parse_sitemap(&body("feeds/sitemap.xml"), &base).expect("sitemap");
    assert_eq!(sitemap.kind, SitemapKind::Urlset);
    let urls: Vec<&str> = sitemap.entries.iter().map(|e| e.url.as_str()).collect();
    assert_eq!(
        urls,
        vec![
            "https://werkenbij.ziekenhuisrivierenland.nl/vacatures/verpleegkundige-oncologie",
            "https://werkenbij.ziekenhuisrivierenland.nl/vacatures/doktersassistent?afdeling=poli&regio=tiel",
            "https://werkenbij.ziekenhuisrivierenland.nl/over-ons",
        ]
    );
    assert_eq!(sitemap.entries[0].lastmod, date(2026, 11, 1));
    assert_eq!(sitemap.entries[2].lastmod, None);
    assert_eq!(sitemap.problems.len(), 2, "{:?}", sitemap.problems);
    assert!(sitemap.problems[0].starts_with("url #4: invalid URL"));
    assert_eq!(sitemap.problems[1], "url #5: no <loc>");
}

#[test]
fn sitemap_index_and_plain_text_sitemaps() {
    let base = url("https://www.zwolle.nl/sitemap.xml");
    let index = formats::parse_sitemap(&body("feeds/sitemap-index.xml"), &base).expect("index");
    assert_eq!(index.kind, SitemapKind::Index);
    assert_eq!(index.entries.len(), 2);
    assert_eq!(index.entries[0].lastmod, date(2026, 11, 2));

    let text = "https://www.zwolle.nl/a\n\n/relatief\nmailto:x@y.nl\n";
    let plain = formats::parse_sitemap(text, &base).expect("text sitemap");
    assert_eq!(plain.entries.len(), 2);
    assert_eq!(
        plain.entries[1].url.as_str(),
        "https://www.zwolle.nl/relatief"
    );
    assert_eq!(
        plain.problems,
        vec!["line 4: invalid URL \"mailto:x@y.nl\""]
    );

    let html = "<html><body>Niet gevonden</body></html>";
    assert!(matches!(
        formats::parse_sitemap(html, &base),
        Err(FormatError::Shape { .. })
    ));
    let cut = "<urlset><url><loc>https://www.zwolle.nl/a</loc></url><url><loc>https://www.zw";
    let partial = formats::parse_sitemap(cut, &base).expect("partial sitemap");
    assert_eq!(partial.entries.len(), 2);
    assert!(!partial.problems.is_empty());
}

#[test]
fn rss_items_with_job_extensions() {
    let base = url("https://www.flexwerkoost.nl/vacatures/feed.rss");
    let listing = formats::parse_feed(FeedFormat::Rss, &body("feeds/rss.xml"), &base).expect("rss");
    assert_eq!(listing.n_items, 3);
    assert_eq!(listing.problems, vec!["item #3: no link"]);
    let [picker, production] = listing.postings.as_slice() else {
        panic!("two postings: {:?}", listing.postings);
    };
    assert_eq!(picker.title, "Orderpicker (avonddienst) & heftruck");
    assert_eq!(
        picker.url,
        "https://www.flexwerkoost.nl/vacatures/orderpicker-zwolle"
    );
    assert_eq!(picker.reference.as_deref(), Some("FO-1201"));
    assert_eq!(picker.date_posted, date(2026, 11, 2));
    assert_eq!(
        picker.description,
        "<p>Werk in een modern distributiecentrum.</p>"
    );
    assert_eq!(picker.employer.as_deref(), Some("Logistiek Centrum Zwolle"));
    assert_eq!(picker.location.text.as_deref(), Some("Zwolle"));
    assert_eq!(picker.employment_types, vec![EmploymentType::PartTime]);
    let salary = picker.salary.as_ref().expect("salary");
    assert_eq!((salary.min, salary.max), (Some(14.5), Some(16.75)));
    assert_eq!(salary.period, Some(SalaryPeriod::Hour));

    assert_eq!(
        production.url,
        "https://www.flexwerkoost.nl/vacatures/productiemedewerker-deventer"
    );
    assert_eq!(
        production.description,
        "<p>Ploegendienst in <b>Deventer</b>.</p>"
    );
    assert_eq!(production.reference, None);
}

#[test]
fn atom_entries_resolve_relative_links() {
    let base = url("https://werkenbij.thuiszorgdelinde.nl/vacatures.atom");
    let listing = formats::parse_atom(&body("feeds/atom.xml"), &base).expect("atom");
    assert_eq!(listing.problems, Vec::<String>::new());
    let first = &listing.postings[0];
    assert_eq!(first.title, "Wijkverpleegkundige niveau 5");
    assert_eq!(
        first.url,
        "https://werkenbij.thuiszorgdelinde.nl/vacatures/wijkverpleegkundige-niveau-5"
    );
    assert_eq!(
        first.description,
        "<p>Zelfstandig werken in de wijk Stadshagen.</p>"
    );
    assert_eq!(first.date_posted, date(2026, 11, 3));
    assert_eq!(
        first.reference.as_deref(),
        Some("tag:thuiszorgdelinde.nl,2026:vacature-311")
    );
    let second = &listing.postings[1];
    assert_eq!(second.date_posted, date(2026, 10, 29));
    assert!(
        second.description.is_empty(),
        "only a link: the page is read"
    );
    assert!(formats::parse_atom(&body("feeds/rss.xml"), &base).is_err());
}

#[test]
fn indeed_feed_jobs() {
    let base = url("https://www.zorgbanengelderland.nl/feeds/indeed.xml");
    let listing = formats::parse_indeed(&body("feeds/indeed.xml"), &base).expect("indeed");
    assert_eq!(listing.n_items, 2);
    let job = &listing.postings[0];
    assert_eq!(job.title, "Verzorgende IG (24-32 uur)");
    assert_eq!(
        job.url,
        "https://www.zorgbanengelderland.nl/vacature/88231?utm_source=indeed"
    );
    assert_eq!(job.employer.as_deref(), Some("Zorggroep Het Baken"));
    assert_eq!(job.location.locality.as_deref(), Some("Apeldoorn"));
    assert_eq!(job.location.postal_code.as_deref(), Some("7311 AB"));
    assert_eq!(job.location.region.as_deref(), Some("Gelderland"));
    assert_eq!(job.date_posted, date(2026, 11, 3));
    assert_eq!(job.valid_through, date(2026, 12, 15));
    assert_eq!(job.reference.as_deref(), Some("ZBG-88231"));
    assert_eq!(job.education_text.as_deref(), Some("mbo niveau 3"));
    assert_eq!(
        job.employment_types,
        vec![EmploymentType::PartTime, EmploymentType::Temporary]
    );
    assert_eq!(job.salary.as_ref().and_then(|s| s.max), Some(3500.0));
    assert_eq!(
        listing.postings[1].url,
        "https://www.zorgbanengelderland.nl/vacature/88240"
    );
}

#[test]
fn feed_hours_and_a_minimum_salary() {
    let base = url("https://vacatures.example.nl/feed.xml");
    let indeed = r#"<source><job><title>Kok</title><url>https://example.nl/v/1</url>
        <salary><![CDATA[vanaf € 2.450 bruto per maand]]></salary>
        <hours><![CDATA[32 - 36 uur per week]]></hours></job></source>"#;
    let rss = r#"<rss><channel><item><title>Kok</title><link>https://example.nl/v/2</link>
        <workHours>24 uur</workHours></item></channel></rss>"#;
    let listing = formats::parse_indeed(indeed, &base).expect("indeed");
    let job = &listing.postings[0];
    assert_eq!(job.hours_text.as_deref(), Some("32 - 36 uur per week"));
    let salary = job.salary.as_ref().expect("salary");
    assert_eq!((salary.min, salary.max), (Some(2450.0), None));
    let listing = formats::parse_rss(rss, &base).expect("rss");
    assert_eq!(listing.postings[0].hours_text.as_deref(), Some("24 uur"));
}

#[test]
fn recruitee_offers() {
    let spec = ats(
        "dijkstra-software",
        "https://dijkstra-software.recruitee.com",
    );
    assert_eq!(
        formats::recruitee_offers_url(&spec).as_str(),
        "https://dijkstra-software.recruitee.com/api/offers/"
    );
    let listing = formats::parse_recruitee(&body("api/recruitee-offers.json"), &spec.base_url)
        .expect("offers");
    assert_eq!(listing.n_items, 3);
    assert_eq!(listing.problems, vec!["offer #3: no title"]);
    let offer = &listing.postings[0];
    assert_eq!(offer.title, "Backend developer (Rust)");
    assert_eq!(
        offer.url,
        "https://dijkstra-software.recruitee.com/o/backend-developer-rust"
    );
    assert_eq!(offer.employer.as_deref(), Some("Dijkstra Software B.V."));
    assert!(offer.description.contains("planningssoftware"));
    assert!(offer.description.contains("<li>3+ jaar ervaring</li>"));
    assert_eq!(offer.location.locality.as_deref(), Some("Utrecht"));
    assert_eq!(offer.location.country.as_deref(), Some("NL"));
    assert!(offer.remote, "hybrid counts as partly remote");
    assert_eq!(offer.employment_types, vec![EmploymentType::FullTime]);
    assert_eq!(offer.hours_text.as_deref(), Some("32-40 uur per week"));
    let salary = offer.salary.as_ref().expect("salary");
    assert_eq!((salary.min, salary.max), (Some(4200.0), Some(5800.0)));
    assert_eq!(salary.period, Some(SalaryPeriod::Month));
    assert_eq!(salary.currency.as_deref(), Some("EUR"));
    assert_eq!(offer.date_posted, date(2026, 10, 21));
    assert_eq!(offer.valid_through, date(2026, 12, 1));
    assert_eq!(offer.reference.as_deref(), Some("1487203"));
    let intern = &listing.postings[1];
    assert_eq!(intern.employment_types, vec![EmploymentType::Intern]);
    assert_eq!(intern.hours_text, None);
    assert_eq!(intern.salary, None);
}

#[test]
fn greenhouse_board() {
    let spec = ats("fietsfabriek", "https://boards-api.greenhouse.io");
    assert_eq!(
        formats::greenhouse_jobs_url(&spec).as_str(),
        "https://boards-api.greenhouse.io/v1/boards/fietsfabriek/jobs?content=true"
    );
    let listing =
        formats::parse_greenhouse(&body("api/greenhouse-jobs.json"), &spec.base_url).expect("jobs");
    assert_eq!(listing.total, Some(2));
    let job = &listing.postings[0];
    assert_eq!(
        job.url,
        "https://boards.greenhouse.io/fietsfabriek/jobs/4012345006"
    );
    assert_eq!(job.title, "Werkplaatsmanager");
    assert_eq!(
        job.description,
        "<p>Als werkplaatsmanager leid je een team van <strong>12 monteurs</strong>.</p>"
    );
    assert_eq!(
        job.location.text.as_deref(),
        Some("Amsterdam, Noord-Holland, Netherlands")
    );
    assert_eq!(job.date_posted, date(2026, 10, 15));
    assert_eq!(job.reference.as_deref(), Some("OPS-117"));
    assert_eq!(job.employment_types, vec![EmploymentType::FullTime]);
    assert_eq!(job.employer.as_deref(), Some("Fietsfabriek"));
    assert_eq!(job.hours_text.as_deref(), Some("36 - 40 uur"));
    assert_eq!(job.salary.as_ref().and_then(|s| s.min), Some(3400.0));
    assert_eq!(job.valid_through, date(2026, 11, 30));
    assert!(listing.postings[1].remote);
    assert_eq!(listing.postings[1].date_posted, date(2026, 11, 1));
}

#[test]
fn lever_postings_page() {
    let spec = ats("polderenergie", "https://api.lever.co");
    assert_eq!(
        formats::lever_postings_url(&spec, 100, 100).as_str(),
        "https://api.lever.co/v0/postings/polderenergie?mode=json&skip=100&limit=100"
    );
    let listing =
        formats::parse_lever(&body("api/lever-postings.json"), &spec.base_url).expect("lever");
    assert_eq!(listing.n_items, 2);
    let first = &listing.postings[0];
    assert_eq!(first.title, "Monteur middenspanning");
    assert_eq!(
        first.url,
        "https://jobs.lever.co/polderenergie/5f3a8e2b-1c4d-4e5f-9a6b-7c8d9e0f1a2b"
    );
    assert!(first.description.contains("<h3>Wat ga je doen?</h3>"));
    assert!(first.description.contains("<li>Storingen verhelpen</li>"));
    assert!(first.description.contains("leaseauto"));
    assert_eq!(first.location.text.as_deref(), Some("Leeuwarden"));
    assert_eq!(first.employment_types, vec![EmploymentType::FullTime]);
    assert_eq!(first.date_posted, date(2025, 11, 1));
    assert!(!first.remote);
    let salary = first.salary.as_ref().expect("salary");
    assert_eq!((salary.min, salary.max), (Some(3100.0), Some(4300.0)));
    assert_eq!(salary.period, Some(SalaryPeriod::Month));
    let second = &listing.postings[1];
    assert!(second.remote);
    assert_eq!(second.description, "Data-analist voor 24 uur.");
    assert_eq!(second.employment_types, vec![EmploymentType::PartTime]);
}

#[test]
fn personio_positions() {
    let spec = ats(
        "brouwerij-het-anker",
        "https://brouwerij-het-anker.jobs.personio.de",
    );
    assert_eq!(
        formats::personio_xml_url(&spec).as_str(),
        "https://brouwerij-het-anker.jobs.personio.de/xml"
    );
    let listing = formats::parse_personio(&body("api/personio.xml"), &spec.base_url).expect("xml");
    let feed_url = url("http://127.0.0.1:8080/brouwerij/xml?language=nl");
    let mirrored = formats::parse_personio(&body("api/personio.xml"), &feed_url).expect("xml");
    assert_eq!(
        mirrored.postings[0].url,
        "http://127.0.0.1:8080/brouwerij/job/1734021"
    );
    let brewer = &listing.postings[0];
    assert_eq!(brewer.title, "Brouwer (m/v/x)");
    assert_eq!(
        brewer.url,
        "https://brouwerij-het-anker.jobs.personio.de/job/1734021"
    );
    assert_eq!(brewer.employer.as_deref(), Some("Brouwerij Het Anker B.V."));
    assert_eq!(brewer.location.text.as_deref(), Some("Mechelen, Breda"));
    assert!(brewer.description.contains("<h3>Over de functie</h3>"));
    assert!(brewer.description.contains("<li>Ervaring met brouwen</li>"));
    assert_eq!(brewer.employment_types, vec![EmploymentType::FullTime]);
    assert_eq!(brewer.date_posted, date(2026, 10, 12));
    assert_eq!(brewer.reference.as_deref(), Some("1734021"));
    let student = &listing.postings[1];
    assert_eq!(
        student.employment_types,
        vec![EmploymentType::PartTime, EmploymentType::Intern]
    );
    assert_eq!(student.employer, None);
}

#[test]
fn smartrecruiters_list_then_detail() {
    let spec = ats("HavenbedrijfRotterdam", "https://api.smartrecruiters.com");
    assert_eq!(
        formats::smartrecruiters_postings_url(&spec, 100, 100).as_str(),
        "https://api.smartrecruiters.com/v1/companies/HavenbedrijfRotterdam/postings?offset=100&limit=100"
    );
    let list =
        formats::parse_smartrecruiters_list(&body("api/smartrecruiters-postings.json"), &spec)
            .expect("list");
    assert_eq!((list.n_items, list.total), (2, Some(3)));
    let first = &list.items[0];
    assert_eq!(first.id, "744000012345678");
    assert_eq!(
        first.detail_url.as_str(),
        "https://api.smartrecruiters.com/v1/companies/HavenbedrijfRotterdam/postings/744000012345678"
    );
    assert_eq!(
        first.posting.employer.as_deref(),
        Some("Havenbedrijf Rotterdam")
    );
    assert_eq!(first.posting.date_posted, date(2026, 10, 28));
    assert_eq!(first.posting.reference.as_deref(), Some("REF2026-041"));
    assert_eq!(
        first.posting.salary.as_ref().and_then(|s| s.max),
        Some(5100.0)
    );
    assert_eq!(first.posting.location.lon, Some(4.12));
    let second = &list.items[1];
    assert_eq!(
        second.detail_url,
        formats::smartrecruiters_posting_url(&spec, "744000012345679")
    );
    assert!(second.posting.remote);

    let posting = formats::parse_smartrecruiters_posting(
        &body("api/smartrecruiters-posting.json"),
        &first.detail_url,
    )
    .expect("detail");
    assert_eq!(
        posting.url,
        "https://jobs.smartrecruiters.com/HavenbedrijfRotterdam/744000012345678-nautisch-medewerker"
    );
    assert_eq!(posting.title, "Nautisch medewerker");
    assert!(posting.description.starts_with("<h3>Over ons</h3>"));
    assert!(posting.description.contains("<li>Nautische opleiding</li>"));
    assert_eq!(posting.location.locality.as_deref(), Some("Rotterdam"));
    assert_eq!(posting.location.postal_code.as_deref(), Some("3072 AP"));
    assert_eq!(posting.location.country.as_deref(), Some("NL"));
    assert_eq!(posting.employment_types, vec![EmploymentType::FullTime]);
}

fn workday_spec() -> WorkdaySpec {
    let text = r#"
[[source]]
name = "noordbank"
kind = "workday"
url = "https://noordbank.wd3.myworkdayjobs.com/NoordbankCareers"
"#;
    let config = config::parse(text).expect("valid");
    match &config.sources[0].spec {
        SourceSpec::Workday(spec) => spec.clone(),
        other => panic!("not workday: {other:?}"),
    }
}

#[test]
fn workday_list_then_detail() {
    let spec = workday_spec();
    assert_eq!(
        formats::workday_jobs_url(&spec).as_str(),
        "https://noordbank.wd3.myworkdayjobs.com/wday/cxs/noordbank/NoordbankCareers/jobs"
    );
    let request: serde_json::Value =
        serde_json::from_str(&formats::workday_jobs_body(40, formats::WORKDAY_PAGE_SIZE))
            .expect("json body");
    assert_eq!(
        request,
        serde_json::json!({"appliedFacets": {}, "limit": 20, "offset": 40, "searchText": ""})
    );
    let list = formats::parse_workday_list(&body("api/workday-jobs.json"), &spec).expect("list");
    assert_eq!((list.n_items, list.total), (3, Some(23)));
    assert_eq!(list.problems, vec!["jobPosting #3: no externalPath"]);
    let first = &list.items[0];
    assert_eq!(
        first.detail_url.as_str(),
        "https://noordbank.wd3.myworkdayjobs.com/wday/cxs/noordbank/NoordbankCareers/job/Groningen/Risk-Analyst-Kredietrisico_R-20261041"
    );
    assert_eq!(
        first.public_url.as_str(),
        "https://noordbank.wd3.myworkdayjobs.com/NoordbankCareers/job/Groningen/Risk-Analyst-Kredietrisico_R-20261041"
    );
    assert_eq!(first.reference.as_deref(), Some("R-20261041"));

    let posting = formats::parse_workday_posting(&body("api/workday-job.json"), &first.public_url)
        .expect("detail");
    assert_eq!(posting.url, first.public_url.as_str());
    assert_eq!(posting.title, "Risk Analyst Kredietrisico");
    assert_eq!(posting.employer.as_deref(), Some("Noordbank N.V."));
    assert_eq!(posting.location.text.as_deref(), Some("Groningen, Zwolle"));
    assert_eq!(posting.location.country.as_deref(), Some("Netherlands"));
    assert_eq!(posting.employment_types, vec![EmploymentType::FullTime]);
    assert_eq!(posting.date_posted, date(2026, 10, 31));
    assert_eq!(posting.reference.as_deref(), Some("R-20261041"));
    assert!(posting.description.contains("<b>kredietaanvragen</b>"));
}

#[test]
fn wrong_bodies_are_errors_not_panics() {
    let spec = ats("x", "https://api.example.nl");
    let base = spec.base_url.clone();
    assert!(matches!(
        formats::parse_recruitee("<html>", &base),
        Err(FormatError::Json(_))
    ));
    assert!(matches!(
        formats::parse_recruitee("[]", &base),
        Err(FormatError::Shape { .. })
    ));
    assert!(matches!(
        formats::parse_greenhouse("{\"jobs\": 5}", &base),
        Err(FormatError::Shape { .. })
    ));
    assert!(matches!(
        formats::parse_lever("{}", &base),
        Err(FormatError::Shape { .. })
    ));
    assert!(formats::parse_personio("{}", &base).is_err());
    assert!(formats::parse_personio("<html><body/></html>", &base).is_err());
    assert!(formats::parse_smartrecruiters_list("null", &spec).is_err());
    assert!(formats::parse_smartrecruiters_posting("{\"id\": 1}", &base).is_err());
    assert!(formats::parse_workday_list("{\"total\": 1}", &workday_spec()).is_err());
    assert!(formats::parse_workday_posting("{\"jobPostingInfo\": {}}", &base).is_err());
    assert!(formats::parse_rss("<feed/>", &base).is_err());
    assert!(formats::parse_indeed("<rss/>", &base).is_err());
    let error = formats::parse_lever("[1,", &base).expect_err("truncated");
    assert!(error.to_string().starts_with("invalid JSON: "), "{error}");
}

#[test]
fn a_mirror_base_url_keeps_its_path() {
    let spec = ats("acme", "http://127.0.0.1:8080/greenhouse/");
    assert_eq!(
        formats::greenhouse_jobs_url(&spec).as_str(),
        "http://127.0.0.1:8080/greenhouse/v1/boards/acme/jobs?content=true"
    );
    let spec = ats("acme", "http://127.0.0.1:8080");
    assert_eq!(
        formats::smartrecruiters_posting_url(&spec, "../../x").as_str(),
        "http://127.0.0.1:8080/v1/companies/acme/postings/..%2F..%2Fx"
    );
}

/// Every parser on one body; none may panic, whatever it is given.
fn parse_everything(text: &str) {
    let base = url("https://api.example.nl/x/");
    let spec = ats("acme", "https://api.example.nl");
    let _ = formats::parse_sitemap(text, &base);
    for format in [FeedFormat::Rss, FeedFormat::Atom, FeedFormat::IndeedXml] {
        let _ = formats::parse_feed(format, text, &base);
    }
    let _ = formats::parse_recruitee(text, &base);
    let _ = formats::parse_greenhouse(text, &base);
    let _ = formats::parse_lever(text, &base);
    let _ = formats::parse_personio(text, &base);
    let _ = formats::parse_smartrecruiters_list(text, &spec);
    let _ = formats::parse_smartrecruiters_posting(text, &base);
    let _ = formats::parse_workday_list(text, &workday_spec());
    let _ = formats::parse_workday_posting(text, &base);
}

const SAMPLES: &[&str] = &[
    "feeds/sitemap.xml",
    "feeds/rss.xml",
    "feeds/atom.xml",
    "feeds/indeed.xml",
    "api/recruitee-offers.json",
    "api/greenhouse-jobs.json",
    "api/lever-postings.json",
    "api/personio.xml",
    "api/smartrecruiters-postings.json",
    "api/smartrecruiters-posting.json",
    "api/workday-jobs.json",
    "api/workday-job.json",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]

    #[test]
    fn arbitrary_bodies_never_panic(text in "\\PC{0,300}") {
        parse_everything(&text);
        parse_everything(&format!("<rss><channel><item>{text}</item></channel></rss>"));
        parse_everything(&format!("{{\"offers\": [{text}], \"jobs\": [{text}], \"content\": [{text}]}}"));
    }

    #[test]
    fn mutated_payloads_never_panic(
        sample in proptest::sample::select(SAMPLES),
        edits in proptest::collection::vec(
            (proptest::prelude::any::<proptest::sample::Index>(), 0u8..3, "\\PC{0,3}"),
            1..6,
        ),
    ) {
        let mut text: Vec<char> = body(sample).chars().collect();
        for (index, operation, insert) in edits {
            if text.is_empty() {
                break;
            }
            let at = index.index(text.len());
            match operation {
                0 => { text.remove(at); }
                1 => { for (offset, ch) in insert.chars().enumerate() { text.insert(at + offset, ch); } }
                _ => text.truncate(at),
            }
        }
        parse_everything(&text.into_iter().collect::<String>());
    }
}
