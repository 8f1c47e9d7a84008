//! Extraction from pages: schema.org JSON-LD, microdata, configured selectors, closed pages;
//! and that no input makes it panic.

use chrono::NaiveDate;
use proptest::prelude::*;
use url::Url;
use vindwerk_crawler::config::{self, Selectors};
use vindwerk_crawler::extract::{Rules, extract, links};
use vindwerk_model::{EmploymentType, SalaryPeriod};

fn page(name: &str) -> String {
    let path = format!("{}/tests/pages/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn url(text: &str) -> Url {
    Url::parse(text).expect("test url")
}

fn date(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The selectors of `gemeente-zwolle` in the repository's example sources file.
fn zwolle_rules() -> Rules {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../sources.toml");
    let config = config::load(path).expect("example loads");
    let source = config
        .sources
        .iter()
        .find(|source| source.id.as_str() == "gemeente-zwolle")
        .expect("zwolle in the example");
    Rules::for_source(source)
}

#[test]
fn json_ld_graph_with_sloppy_json() {
    let page_url = url(
        "https://werkenbij.ziekenhuisrivierenland.nl/vacatures/verpleegkundige-oncologie?ref=home",
    );
    let extracted = extract(
        &page("ziekenhuis-jsonld.html"),
        &page_url,
        &Rules::default(),
    );
    assert_eq!(extracted.problems, vec![]);
    assert!(!extracted.closed);
    let [posting] = extracted.postings.as_slice() else {
        panic!("one posting: {:?}", extracted.postings);
    };
    assert_eq!(
        posting.url,
        "https://werkenbij.ziekenhuisrivierenland.nl/vacatures/verpleegkundige-oncologie"
    );
    assert_eq!(posting.title, "Verpleegkundige oncologie & hematologie");
    assert_eq!(posting.employer.as_deref(), Some("Ziekenhuis Rivierenland"));
    assert!(posting.description.contains("<li>32-36 uur</li>"));
    assert_eq!(posting.date_posted, date(2026, 11, 1));
    assert_eq!(posting.valid_through, date(2026, 12, 31));
    assert_eq!(
        posting.employment_types,
        vec![EmploymentType::FullTime, EmploymentType::PartTime]
    );
    assert_eq!(posting.location.locality.as_deref(), Some("Tiel"));
    assert_eq!(posting.location.postal_code.as_deref(), Some("4002 WP"));
    assert_eq!(
        posting.location.street.as_deref(),
        Some("President Kennedylaan 1")
    );
    assert_eq!(posting.location.country.as_deref(), Some("NL"));
    assert_eq!(posting.location.lat, Some(51.8867));
    assert_eq!(posting.location.lon, Some(5.4290));
    let salary = posting.salary.as_ref().expect("salary");
    assert_eq!((salary.min, salary.max), (Some(3245.0), Some(4567.0)));
    assert_eq!(salary.currency.as_deref(), Some("EUR"));
    assert_eq!(salary.period, Some(SalaryPeriod::Month));
    assert_eq!(posting.reference.as_deref(), Some("VAC-2026-0142"));
    assert_eq!(posting.hours_text.as_deref(), Some("32 - 36 uur per week"));
    assert_eq!(posting.education_text.as_deref(), Some("hbo-v of mbo-v"));
    assert!(!posting.remote);
}

#[test]
fn microdata_with_nested_items() {
    let page_url = url("https://www.werkenvooramersfoort.nl/vacature/beleidsadviseur-wonen");
    let extracted = extract(
        &page("gemeente-microdata.html"),
        &page_url,
        &Rules::default(),
    );
    assert_eq!(extracted.problems, vec![]);
    let [posting] = extracted.postings.as_slice() else {
        panic!("one posting: {:?}", extracted.postings);
    };
    assert_eq!(posting.url, page_url.as_str());
    assert_eq!(posting.title, "Beleidsadviseur wonen");
    assert_eq!(posting.employer.as_deref(), Some("Gemeente Amersfoort"));
    assert_eq!(posting.date_posted, date(2026, 10, 28));
    assert_eq!(posting.valid_through, date(2026, 11, 25));
    assert_eq!(posting.location.locality.as_deref(), Some("Amersfoort"));
    assert_eq!(posting.location.postal_code.as_deref(), Some("3811 LM"));
    assert_eq!(posting.employment_types, vec![EmploymentType::FullTime]);
    let salary = posting.salary.as_ref().expect("salary");
    assert_eq!((salary.min, salary.max), (Some(4012.0), Some(5942.0)));
    assert_eq!(salary.period, Some(SalaryPeriod::Month));
    assert!(
        posting
            .description
            .contains("<strong>betaalbare woningen</strong>")
    );
}

#[test]
fn configured_selectors_when_there_is_no_schema() {
    let page_url = url("https://www.zwolle.nl/werken-bij/vacatures/medewerker-buitendienst");
    let extracted = extract(&page("zwolle-selectors.html"), &page_url, &zwolle_rules());
    assert_eq!(extracted.problems, vec![]);
    assert!(
        !extracted.closed,
        "a phrase inside a script is not the page's text"
    );
    let [posting] = extracted.postings.as_slice() else {
        panic!("one posting: {:?}", extracted.postings);
    };
    assert_eq!(posting.title, "Medewerker buitendienst");
    assert_eq!(posting.employer.as_deref(), Some("Gemeente Zwolle"));
    assert_eq!(
        posting.location.text.as_deref(),
        Some("Zwolle (Stadshagen)")
    );
    assert_eq!(posting.date_posted, date(2026, 11, 3));
    assert_eq!(posting.valid_through, date(2026, 12, 1));
    assert_eq!(posting.hours_text.as_deref(), Some("36 uur per week"));
    assert_eq!(
        posting.salary_text.as_deref(),
        Some("€ 2.800 - € 3.600 bruto per maand")
    );
    assert_eq!(posting.salary.as_ref().and_then(|s| s.min), Some(2800.0));
    assert_eq!(
        posting.description,
        "<p>Je houdt de openbare ruimte schoon en veilig.</p>"
    );
}

#[test]
fn without_selectors_a_plain_page_has_no_posting() {
    let page_url = url("https://www.zwolle.nl/werken-bij/vacatures/medewerker-buitendienst");
    let extracted = extract(&page("zwolle-selectors.html"), &page_url, &Rules::default());
    assert_eq!(extracted.postings, vec![]);
}

#[test]
fn closed_pages_say_so() {
    let page_url = url("https://werkenbij.dekeuken.nl/vacatures/kok");
    let extracted = extract(&page("gesloten.html"), &page_url, &Rules::default());
    assert!(extracted.closed);
    let english = "<html><body><p>Sorry, this job is no longer available.</p></body></html>";
    assert!(extract(english, &page_url, &Rules::default()).closed);
    let quoted = "<main><h1>Kok</h1><p>De vacature &quot;Kok&quot; is gesloten. Er kan niet meer\n worden gesolliciteerd.</p></main>";
    assert!(extract(quoted, &page_url, &Rules::default()).closed);
    let open = "<html><body><p>Bekijk ook onze gesloten werkplaats.</p></body></html>";
    assert!(!extract(open, &page_url, &Rules::default()).closed);

    let selectors = Selectors {
        closed: Some(config::FieldSelector::parse(".badge-closed").expect("selector")),
        ..Selectors::default()
    };
    let marked = "<html><body><span class='badge-closed'></span><h1>Kok</h1></body></html>";
    assert!(extract(marked, &page_url, &Rules::new(selectors)).closed);
}

#[test]
fn a_listing_of_postings_keeps_each_url_and_reports_a_broken_block() {
    let page_url = url("https://www.flexwerkoost.nl/vacatures");
    let extracted = extract(
        &page("overzicht-meerdere.html"),
        &page_url,
        &Rules::default(),
    );
    assert_eq!(extracted.postings.len(), 2, "{:?}", extracted.postings);
    assert_eq!(extracted.problems.len(), 1, "{:?}", extracted.problems);
    assert!(
        extracted.problems[0]
            .to_string()
            .starts_with("json-ld #2: invalid JSON")
    );

    let picker = &extracted.postings[0];
    assert_eq!(
        picker.url,
        "https://www.flexwerkoost.nl/vacatures/orderpicker-zwolle"
    );
    assert_eq!(picker.employer.as_deref(), Some("Flexwerk Oost"));
    assert_eq!(picker.employment_types, vec![EmploymentType::PartTime]);
    assert_eq!(picker.location.text.as_deref(), Some("Zwolle"));
    assert_eq!(picker.salary.as_ref().and_then(|s| s.max), Some(14.5));
    assert_eq!(picker.date_posted, date(2026, 11, 1));

    let driver = &extracted.postings[1];
    assert_eq!(
        driver.url,
        "https://www.flexwerkoost.nl/vacatures/heftruck-deventer"
    );
    assert!(driver.remote);
    assert_eq!(driver.employment_types, vec![EmploymentType::FullTime]);
    assert_eq!(driver.reference.as_deref(), Some("FO-778"));
    assert_eq!(driver.date_posted, date(2026, 11, 1));
    let salary = driver.salary.as_ref().expect("salary");
    assert_eq!((salary.min, salary.max), (Some(3200.0), Some(4500.0)));
    assert_eq!(salary.period, Some(SalaryPeriod::Month));
    assert_eq!(salary.currency.as_deref(), Some("EUR"));
}

#[test]
fn titles_lose_tags_but_keep_escaped_script_as_text() {
    let html = r#"<html><head><script type="application/ld+json">
        {"@type": "JobPosting", "title": "<b>Kok</b> &lt;script&gt;alert(1)&lt;/script&gt;",
         "hiringOrganization": "<span>De Keuken</span>"}
    </script></head><body></body></html>"#;
    let extracted = extract(html, &url("https://dekeuken.nl/kok"), &Rules::default());
    let posting = &extracted.postings[0];
    assert_eq!(posting.title, "Kok <script>alert(1)</script>");
    assert_eq!(posting.employer.as_deref(), Some("De Keuken"));
}

#[test]
fn a_job_posting_without_title_is_a_problem() {
    let html = r#"<script type="application/ld+json">{"@type": "JobPosting", "description": "x"}</script>"#;
    let extracted = extract(html, &url("https://acme.nl/v/1"), &Rules::default());
    assert_eq!(extracted.postings, vec![]);
    assert_eq!(
        extracted.problems[0].to_string(),
        "json-ld #1: JobPosting without a title"
    );
}

#[test]
fn nested_job_posting_and_sloppy_values() {
    let html = r#"<script type="application/ld+json">
    {"@context": "https://schema.org", "@type": "WebPage",
     "mainEntity": {"@type": "http://schema.org/JobPosting", "name": "Monteur",
        "employmentType": "Full-time, TEMPORARY", "baseSalary": "€ 18,50 per uur",
        "validThrough": "01-12-2026", "identifier": 4711,
        "jobLocation": [{"@type": "Place", "address": {"addressLocality": "Utrecht"}},
                        {"@type": "Place", "address": {"addressLocality": "Nieuwegein"}}]}}
    </script>"#;
    let extracted = extract(html, &url("https://acme.nl/v/monteur"), &Rules::default());
    let posting = &extracted.postings[0];
    assert_eq!(posting.title, "Monteur");
    assert_eq!(
        posting.employment_types,
        vec![EmploymentType::FullTime, EmploymentType::Temporary]
    );
    assert_eq!(posting.salary_text.as_deref(), Some("€ 18,50 per uur"));
    let salary = posting.salary.as_ref().expect("salary");
    assert_eq!(
        (salary.min, salary.period),
        (Some(18.5), Some(SalaryPeriod::Hour))
    );
    assert_eq!(posting.valid_through, date(2026, 12, 1));
    assert_eq!(posting.reference.as_deref(), Some("4711"));
    assert_eq!(posting.location.locality.as_deref(), Some("Utrecht"));
    assert_eq!(
        posting.location.text.as_deref(),
        Some("Utrecht, Nieuwegein")
    );
}

#[test]
fn selectors_fill_what_json_ld_leaves_out() {
    let html = r#"<html><head><script type="application/ld+json">
        {"@type": "JobPosting", "title": "Medewerker buitendienst"}</script></head>
        <body><p class="werkgever">Gemeente Zwolle</p><p class="uren">32 uur</p></body></html>"#;
    let extracted = extract(html, &url("https://www.zwolle.nl/v/1"), &zwolle_rules());
    let posting = &extracted.postings[0];
    assert_eq!(posting.employer.as_deref(), Some("Gemeente Zwolle"));
    assert_eq!(posting.hours_text.as_deref(), Some("32 uur"));
}

#[test]
fn links_are_resolved_normalised_and_unique() {
    let html = r#"<html><head><base href="https://acme.nl/vacatures/"></head><body>
        <a href="kok?utm_source=x">Kok</a> <a href="kok#top">Kok</a>
        <a href="?page=2">2</a> <a href="mailto:hr@acme.nl">mail</a>
        <a href="https://other.nl/x">x</a></body></html>"#;
    let found: Vec<String> = links(html, &url("https://acme.nl/vacatures/index"))
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(
        found,
        vec![
            "https://acme.nl/vacatures/kok",
            "https://acme.nl/vacatures/?page=2",
            "https://other.nl/x"
        ]
    );
}

const SAMPLE_JSON_LD: &str = r#"{"@context":"https://schema.org","@graph":[{"@type":"JobPosting","title":"Kok","datePosted":"2026-11-01","employmentType":["FULL_TIME"],"hiringOrganization":{"@type":"Organization","name":"De Keuken"},"jobLocation":{"@type":"Place","address":{"@type":"PostalAddress","addressLocality":"Tiel"},"geo":{"latitude":51.9,"longitude":5.4}},"baseSalary":{"@type":"MonetaryAmount","currency":"EUR","value":{"@type":"QuantitativeValue","minValue":2800,"maxValue":3400,"unitText":"MONTH"}},"identifier":{"@type":"PropertyValue","value":"K-1"}}]}"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let page_url = url("https://acme.nl/v/1");
        let _ = extract(&text, &page_url, &zwolle_rules());
        let wrapped = format!("<script type=\"application/ld+json\">{text}</script>");
        let _ = extract(&wrapped, &page_url, &Rules::default());
    }

    #[test]
    fn mutated_json_ld_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..3, "\\PC{0,3}"), 1..8)
    ) {
        let mut json: Vec<char> = SAMPLE_JSON_LD.chars().collect();
        for (index, operation, insert) in edits {
            if json.is_empty() {
                break;
            }
            let at = index.index(json.len());
            match operation {
                0 => { json.remove(at); }
                1 => { for (offset, ch) in insert.chars().enumerate() { json.insert(at + offset, ch); } }
                _ => { json.truncate(at); }
            }
        }
        let json: String = json.into_iter().collect();
        let html = format!("<html><head><script type=\"application/ld+json\">{json}</script></head></html>");
        let extracted = extract(&html, &url("https://acme.nl/v/1"), &Rules::default());
        prop_assert!(extracted.postings.len() <= 1);
    }
}

#[test]
fn graph_references_are_followed() {
    let html = r##"<script type="application/ld+json">
    {"@context": "https://schema.org", "@graph": [
      {"@type": "Organization", "@id": "https://acme.nl/#org", "name": "Acme Techniek",
       "parentOrganization": {"@id": "https://acme.nl/#org"}},
      {"@type": "Place", "@id": "https://acme.nl/#hq",
       "address": {"@type": "PostalAddress", "addressLocality": "Eindhoven"}},
      {"@type": "JobPosting", "title": "", "name": "Storingsmonteur",
       "hiringOrganization": {"@id": "https://acme.nl/#org"},
       "jobLocation": [{"@id": "https://acme.nl/#hq"}],
       "identifier": {"@id": "https://acme.nl/#missing"}}
    ]}</script>"##;
    let extracted = extract(
        html,
        &url("https://acme.nl/v/storingsmonteur"),
        &Rules::default(),
    );
    let posting = &extracted.postings[0];
    assert_eq!(posting.title, "Storingsmonteur");
    assert_eq!(posting.employer.as_deref(), Some("Acme Techniek"));
    assert_eq!(posting.location.locality.as_deref(), Some("Eindhoven"));
    assert_eq!(posting.reference, None);
}

#[test]
fn circular_references_stay_bounded() {
    let mut nodes = Vec::new();
    for index in 0..50 {
        let refs: Vec<String> = (0..50)
            .map(|other| format!("{{\"@id\": \"#n{other}\"}}"))
            .collect();
        nodes.push(format!(
            "{{\"@id\": \"#n{index}\", \"@type\": \"Thing\", \"name\": \"n\", \"links\": [{}]}}",
            refs.join(",")
        ));
    }
    nodes.push(
        r##"{"@type": "JobPosting", "title": "Kok", "hiringOrganization": {"@id": "#n0"}}"##
            .to_owned(),
    );
    let html = format!(
        "<script type=\"application/ld+json\">{{\"@graph\": [{}]}}</script>",
        nodes.join(",")
    );
    let extracted = extract(&html, &url("https://acme.nl/v/kok"), &Rules::default());
    assert_eq!(extracted.postings[0].employer.as_deref(), Some("n"));
}
