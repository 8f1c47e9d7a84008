//! `sources.toml`: the repository's example loads, and every kind of mistake is reported with
//! its place, all of them at once.

use vindwerk_crawler::config::{self, FeedFormat, SourceSpec};
use vindwerk_model::{Channel, SourceKind};

const MINIMAL: &str = r#"
[[source]]
name = "acme"
kind = "sitemap"
url = "https://werkenbij.acme.nl/sitemap.xml"
"#;

#[test]
fn the_example_sources_file_loads_with_every_kind() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../sources.toml");
    let config = config::load(path).unwrap_or_else(|errors| panic!("{errors}"));
    for kind in SourceKind::ALL {
        assert!(
            config.sources.iter().any(|source| source.kind == *kind),
            "the example lacks a source of kind {kind}"
        );
    }
    let zwolle = config
        .sources
        .iter()
        .find(|source| source.id.as_str() == "gemeente-zwolle")
        .expect("gemeente-zwolle is in the example");
    let selectors = zwolle.selectors().expect("a site has selectors");
    let date = selectors
        .date_posted
        .as_ref()
        .expect("date_posted selector");
    assert_eq!(date.attr.as_deref(), Some("datetime"));
    assert_eq!(config.crawler.concurrency.get(), 64);
}

#[test]
fn defaults_fill_what_the_file_leaves_out() {
    let config = config::parse(MINIMAL).expect("minimal file is valid");
    assert_eq!(config.crawler, config::CrawlerSettings::default());
    assert_eq!(config.crawler.rate_per_host.per_second(), 2.0);
    assert_eq!(config.crawler.timeout.as_secs(), 20);
    assert_eq!(config.crawler.max_body_bytes.get(), 5_000_000);
    assert!(!config.crawler.allow_private_addresses);
    let source = &config.sources[0];
    assert_eq!(source.channel, Channel::Employer);
    assert_eq!(source.rate_per_host, None);
}

#[test]
fn a_source_may_name_the_employer_its_postings_leave_out() {
    let text = "[[source]]\nname = \"a\"\nkind = \"lever\"\ncompany = \"polderenergie\"\nemployer = \" Polder   Energie B.V. \"\n\n[[source]]\nname = \"b\"\nkind = \"lever\"\ncompany = \"b\"\n";
    let config = config::parse(text).expect("valid");
    assert_eq!(
        config.sources[0].employer.as_deref(),
        Some("Polder Energie B.V.")
    );
    assert_eq!(config.sources[1].employer, None);
}

#[test]
fn a_source_may_be_internal_to_one_organisation() {
    let config = config::parse(
        "[[source]]\nname = \"intern\"\nkind = \"lever\"\ncompany = \"a\"\n\
         audience = \"org:zorggroep-noord\"\n\
         [[source]]\nname = \"open\"\nkind = \"lever\"\ncompany = \"b\"\n",
    )
    .expect("valid");
    let audiences: Vec<String> = config
        .sources
        .iter()
        .map(|source| source.audience.to_string())
        .collect();
    assert_eq!(audiences, ["org:zorggroep-noord", "public"]);
}

#[test]
fn ats_kinds_get_their_default_base_and_channel() {
    let text = r#"
[[source]]
name = "a"
kind = "recruitee"
company = "acme"

[[source]]
name = "b"
kind = "greenhouse"
company = "acme"
base_url = "http://127.0.0.1:8080/gh"
channel = "board"

[[source]]
name = "c"
kind = "workday"
url = "https://acme.wd3.myworkdayjobs.com/en-US/External"

[[source]]
name = "d"
kind = "feed"
url = "https://example.nl/feed"
format = "indeed-xml"
"#;
    let config = config::parse(text).unwrap_or_else(|errors| panic!("{errors}"));
    let SourceSpec::Recruitee(recruitee) = &config.sources[0].spec else {
        panic!("recruitee spec");
    };
    assert_eq!(recruitee.base_url.as_str(), "https://acme.recruitee.com/");
    assert_eq!(config.sources[0].channel, Channel::Ats);
    let SourceSpec::Greenhouse(greenhouse) = &config.sources[1].spec else {
        panic!("greenhouse spec");
    };
    assert_eq!(greenhouse.base_url.as_str(), "http://127.0.0.1:8080/gh");
    assert_eq!(config.sources[1].channel, Channel::Board);
    let SourceSpec::Workday(workday) = &config.sources[2].spec else {
        panic!("workday spec");
    };
    assert_eq!(
        (workday.tenant.as_str(), workday.site.as_str()),
        ("acme", "External")
    );
    assert_eq!(
        workday.api_base().as_str(),
        "https://acme.wd3.myworkdayjobs.com/wday/cxs/acme/External/"
    );
    let SourceSpec::Feed(feed) = &config.sources[3].spec else {
        panic!("feed spec");
    };
    assert_eq!(feed.format, FeedFormat::IndeedXml);
}

#[test]
fn sitemap_filters_match_the_path() {
    let text = r#"
[[source]]
name = "acme"
kind = "sitemap"
url = "https://werkenbij.acme.nl/sitemap.xml"
include = '^/vacatures/'
exclude = ["open-sollicitatie"]
"#;
    let config = config::parse(text).expect("valid");
    let SourceSpec::Sitemap(spec) = &config.sources[0].spec else {
        panic!("sitemap spec");
    };
    let wants = |url: &str| spec.wants(&url::Url::parse(url).expect("test url"));
    assert!(wants("https://werkenbij.acme.nl/vacatures/verpleegkundige"));
    assert!(!wants("https://werkenbij.acme.nl/over-ons"));
    assert!(!wants(
        "https://werkenbij.acme.nl/vacatures/open-sollicitatie"
    ));
}

/// Each broken file is rejected, and its report names the place of every expected problem.
#[test]
fn broken_files_are_rejected_with_their_place() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "invalid selector",
            r#"
[[source]]
name = "acme"
kind = "site"
start = ["https://acme.nl/vacatures"]
[source.selectors]
title = "h1["
"#,
            &[r#"source "acme": selectors.title: invalid selector "h1[""#],
        ),
        (
            "unknown field",
            r#"
[[source]]
name = "acme"
kind = "sitemap"
urll = "https://acme.nl/sitemap.xml"
"#,
            &[
                r#"source "acme": unknown field "urll""#,
                r#"source "acme": missing required field "url" for kind "sitemap""#,
            ],
        ),
        (
            "toml syntax",
            "[crawler]\nrate_per_host = 2.0\n\n[[source]]\nname = \"acme\nkind = \"sitemap\"\n",
            &["line 5: "],
        ),
        (
            "missing url of an unnamed third source",
            r#"
[[source]]
name = "a"
kind = "greenhouse"
company = "a"

[[source]]
name = "b"
kind = "lever"
company = "b"

[[source]]
kind = "sitemap"
"#,
            &[
                r#"source #3: missing required field "name""#,
                r#"source #3: missing required field "url" for kind "sitemap""#,
            ],
        ),
        (
            "duplicate name",
            r#"
[[source]]
name = "acme"
kind = "lever"
company = "acme"
[[source]]
name = "b"
kind = "lever"
company = "b"
[[source]]
name = "c"
kind = "lever"
company = "c"
[[source]]
name = "acme"
kind = "personio"
company = "acme"
"#,
            &[r#"duplicate source name "acme" (sources #1 and #4)"#],
        ),
        (
            "zero rate",
            "[crawler]\nrate_per_host = 0\n",
            &["crawler.rate_per_host: must be greater than 0"],
        ),
        (
            "empty employer",
            "[[source]]\nname = \"a\"\nkind = \"lever\"\ncompany = \"a\"\nemployer = \"  \"\n",
            &[r#"source "a": employer: must not be empty"#],
        ),
        (
            "bad audience",
            "[[source]]\nname = \"a\"\nkind = \"lever\"\ncompany = \"a\"\naudience = \"org:Zorg Groep\"\n",
            &[r#"source "a": audience: "org:Zorg Groep" is not an audience"#],
        ),
        (
            "not http",
            r#"
[[source]]
name = "x"
kind = "feed"
url = "htp:/"
format = "rss"
"#,
            &[r#"source "x": url: invalid URL "htp:/""#],
        ),
        (
            "relative url",
            r#"
[[source]]
name = "x"
kind = "sitemap"
url = "/sitemap.xml"
"#,
            &[r#"source "x": url: invalid URL "/sitemap.xml""#],
        ),
        (
            "several problems in one file",
            r#"
[crawler]
concurrency = 0
speed = 3

[[source]]
name = "acme"
kind = "sitemap"
url = "https://acme.nl/sitemap.xml"
include = ["(unclosed"]
rate_per_host = -1.0
channel = "friends"
start = ["https://acme.nl/"]

[[source]]
name = "beta"
kind = "feed"
url = "https://beta.nl/feed"
format = "json"

[[source]]
name = "gamma"
kind = "ftp"
"#,
            &[
                "crawler.concurrency: must be at least 1",
                r#"crawler: unknown field "speed""#,
                r#"source "acme": include: invalid regex "(unclosed""#,
                r#"source "acme": rate_per_host: must be greater than 0"#,
                r#"source "acme": channel: unknown channel "friends""#,
                r#"source "acme": field "start" does not apply to kind "sitemap""#,
                r#"source "beta": format: unknown feed format "json""#,
                r#"source "gamma": kind: unknown kind "ftp""#,
            ],
        ),
        (
            "wrong types",
            r#"
[crawler]
timeout_s = "long"

[[source]]
name = "acme"
kind = "site"
start = 5
max_pages = "many"
"#,
            &[
                "crawler: timeout_s: invalid type",
                r#"source "acme": start: "#,
                r#"source "acme": max_pages: invalid type"#,
            ],
        ),
        (
            "company with a slash",
            r#"
[[source]]
name = "acme"
kind = "recruitee"
company = "acme/../evil"
"#,
            &[r#"source "acme": company: "acme/../evil" is not a board name"#],
        ),
        (
            "unknown selector field and top-level key",
            r#"
sources = []
[[source]]
name = "acme"
kind = "feed"
url = "https://acme.nl/feed"
format = "atom"
[source.selectors]
titel = "h1"
"#,
            &[
                r#"unknown top-level key "sources""#,
                r#"source "acme": selectors: unknown field "titel""#,
            ],
        ),
        (
            "workday without a site",
            r#"
[[source]]
name = "bank"
kind = "workday"
url = "https://bank.wd3.myworkdayjobs.com/"
"#,
            &[r#"source "bank": url: "#],
        ),
    ];
    for (label, text, expected) in cases {
        let errors = match config::parse(text) {
            Ok(_) => panic!("{label}: accepted a broken file"),
            Err(errors) => errors,
        };
        let shown = errors.to_string();
        assert_eq!(
            shown.lines().count(),
            errors.problems.len(),
            "{label}: one per line"
        );
        for needle in *expected {
            assert!(
                errors
                    .problems
                    .iter()
                    .any(|problem| problem.starts_with(needle)),
                "{label}: no problem starting with {needle:?} in:\n{shown}"
            );
        }
    }
}

#[test]
fn a_missing_file_names_its_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nope.toml");
    let errors = config::load(&path).expect_err("missing file");
    assert!(
        errors.to_string().contains("nope.toml: cannot read"),
        "{errors}"
    );
}

#[test]
fn selector_attribute_suffix_is_split_only_when_it_is_an_attribute() {
    let plain = config::FieldSelector::parse("a[href*='@']").expect("valid selector");
    assert_eq!(plain.attr, None);
    let attr = config::FieldSelector::parse("meta[name=x]@content").expect("valid");
    assert_eq!(attr.attr.as_deref(), Some("content"));
    assert!(config::FieldSelector::parse("h1[").is_err());
}

#[test]
fn config_can_cross_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<config::Config>();
}
