//! The parsers read what the fixture web serves: its `sources.toml` validates, and every
//! source (every kind, sites with and without selectors, boards, the agency) gives postings
//! whose fields are the ground truth's. This keeps the shapes of `formats` and of the fixture
//! web in step. Requests go to the fixture web on 127.0.0.1 only, with a plain client:
//! politeness is not under test.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use url::Url;
use vindwerk_crawler::config::{self, SourceConfig, SourceSpec};
use vindwerk_crawler::extract::{Rules, extract, links};
use vindwerk_crawler::formats::{self, SitemapKind};
use vindwerk_fixtures::{FixtureWeb, Round, TruthFields, WebOptions, World, WorldParams};
use vindwerk_model::{Channel, PostingData};

fn world() -> Arc<World> {
    let today = NaiveDate::from_ymd_opt(2026, 11, 2).expect("valid date");
    Arc::new(
        World::generate(WorldParams {
            seed: 11,
            n_employers: 30,
            n_vacancies: 300,
            today,
        })
        .expect("world"),
    )
}

struct Client(reqwest::Client);

impl Client {
    fn new() -> Client {
        Client(
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(20))
                .build()
                .expect("client"),
        )
    }

    async fn get(&self, url: &Url) -> String {
        let (status, body) = self.try_get(url).await;
        assert!(status.is_success(), "{url}: {status}");
        body
    }

    /// Follows redirects that stay on loopback (the fixture web also redirects elsewhere).
    async fn try_get(&self, url: &Url) -> (reqwest::StatusCode, String) {
        let mut url = url.clone();
        for _ in 0..5 {
            assert_eq!(url.host_str(), Some("127.0.0.1"), "only loopback: {url}");
            let response = self.0.get(url.clone()).send().await.expect("answered");
            let status = response.status();
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|value| value.to_str().ok())
                .and_then(|location| url.join(location).ok());
            match location {
                Some(next) if status.is_redirection() && next.host_str() == Some("127.0.0.1") => {
                    url = next;
                }
                _ => {
                    let bytes = response.bytes().await.expect("body");
                    return (status, String::from_utf8_lossy(&bytes).into_owned());
                }
            }
        }
        panic!("{url}: too many redirects");
    }

    async fn post_json(&self, url: &Url, body: String) -> String {
        assert_eq!(url.host_str(), Some("127.0.0.1"), "only loopback: {url}");
        let response = self
            .0
            .post(url.clone())
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("answered");
        assert!(
            response.status().is_success(),
            "{url}: {}",
            response.status()
        );
        response.text().await.expect("body")
    }
}

/// Postings from a few pages of a page-reading source.
async fn read_pages(client: &Client, source: &SourceConfig, pages: Vec<Url>) -> Vec<PostingData> {
    let rules = Rules::for_source(source);
    let mut postings = Vec::new();
    for page in pages.into_iter().take(30) {
        // The fixture web answers some pages with 404, 410 or a redirect away: data, not a
        // parser's concern.
        let (status, html) = client.try_get(&page).await;
        if !status.is_success() {
            continue;
        }
        let extracted = extract(&html, &page, &rules);
        assert_eq!(extracted.problems, vec![], "{page}");
        postings.extend(extracted.postings);
    }
    postings
}

async fn read_source(client: &Client, source: &SourceConfig) -> Vec<PostingData> {
    match &source.spec {
        SourceSpec::Sitemap(spec) => {
            let mut sitemap_url = spec.url.clone();
            if sitemap_url.path() == "/" {
                let robots = client
                    .get(&sitemap_url.join("/robots.txt").expect("url"))
                    .await;
                let line = robots
                    .lines()
                    .find_map(|line| line.strip_prefix("Sitemap:"))
                    .expect("robots.txt names a sitemap");
                sitemap_url = Url::parse(line.trim()).expect("sitemap url");
            }
            let mut sitemap = formats::parse_sitemap(&client.get(&sitemap_url).await, &sitemap_url)
                .expect("sitemap");
            if sitemap.kind == SitemapKind::Index {
                let child = sitemap.entries[0].url.clone();
                sitemap = formats::parse_sitemap(&client.get(&child).await, &child).expect("child");
            }
            assert_eq!(sitemap.problems, Vec::<String>::new());
            let pages = sitemap
                .entries
                .into_iter()
                .map(|entry| entry.url)
                .filter(|url| spec.wants(url))
                .collect();
            read_pages(client, source, pages).await
        }
        SourceSpec::Site(spec) => {
            let start = &spec.start[0];
            let detail = spec
                .detail
                .as_ref()
                .expect("fixture sites name detail pages");
            // Preview links match `detail` too, but robots.txt disallows them: the crawl's
            // politeness gate skips them, so this plain client must as well.
            let pages = links(&client.get(start).await, start)
                .into_iter()
                .filter(|url| detail.is_match(url.as_str()) && url.query().is_none())
                .collect();
            read_pages(client, source, pages).await
        }
        SourceSpec::Feed(spec) => {
            let listing = formats::parse_feed(spec.format, &client.get(&spec.url).await, &spec.url)
                .expect("feed");
            assert_eq!(listing.problems, Vec::<String>::new());
            listing.postings
        }
        SourceSpec::Recruitee(spec) => {
            let url = formats::recruitee_offers_url(spec);
            let listing = formats::parse_recruitee(&client.get(&url).await, &url).expect("offers");
            assert_eq!(listing.problems, Vec::<String>::new());
            listing.postings
        }
        SourceSpec::Greenhouse(spec) => {
            let url = formats::greenhouse_jobs_url(spec);
            let listing = formats::parse_greenhouse(&client.get(&url).await, &url).expect("jobs");
            assert_eq!(listing.problems, Vec::<String>::new());
            listing.postings
        }
        SourceSpec::Lever(spec) => {
            let url = formats::lever_postings_url(spec, 0, 100);
            let listing = formats::parse_lever(&client.get(&url).await, &url).expect("postings");
            assert_eq!(listing.problems, Vec::<String>::new());
            listing.postings
        }
        SourceSpec::Personio(spec) => {
            let url = formats::personio_xml_url(spec);
            let listing = formats::parse_personio(&client.get(&url).await, &url).expect("xml");
            assert_eq!(listing.problems, Vec::<String>::new());
            listing.postings
        }
        SourceSpec::SmartRecruiters(spec) => {
            let url = formats::smartrecruiters_postings_url(spec, 0, 100);
            let list =
                formats::parse_smartrecruiters_list(&client.get(&url).await, spec).expect("list");
            assert_eq!(list.problems, Vec::<String>::new());
            assert_eq!(list.total, Some(list.n_items));
            let first = list.items.first().expect("a posting");
            let detail = client.get(&first.detail_url).await;
            let posting =
                formats::parse_smartrecruiters_posting(&detail, &first.detail_url).expect("detail");
            assert!(!posting.description.is_empty());
            vec![posting]
        }
        SourceSpec::Workday(spec) => {
            let url = formats::workday_jobs_url(spec);
            let body = formats::workday_jobs_body(0, formats::WORKDAY_PAGE_SIZE);
            let list = formats::parse_workday_list(&client.post_json(&url, body).await, spec)
                .expect("list");
            assert_eq!(list.problems, Vec::<String>::new());
            let first = list.items.first().expect("a posting");
            let detail = client.get(&first.detail_url).await;
            let posting =
                formats::parse_workday_posting(&detail, &first.public_url).expect("detail");
            assert!(!posting.description.is_empty());
            vec![posting]
        }
    }
}

/// What the source published against the ground truth, for the fields it published.
fn compare(
    source: &SourceConfig,
    posting: &PostingData,
    truth: &TruthFields,
    mismatches: &mut Vec<String>,
) {
    let mut differ = |field: &str, got: String, want: String| {
        mismatches.push(format!(
            "{} {}: {field} {got} != {want}",
            source.id, posting.url
        ));
    };
    if posting.title != truth.title {
        differ("title", posting.title.clone(), truth.title.clone());
    }
    if let Some(employer) = &posting.employer
        && employer != &truth.employer
    {
        differ("employer", employer.clone(), truth.employer.clone());
    }
    if !posting.employment_types.is_empty()
        && !posting.employment_types.contains(&truth.employment_type)
    {
        differ(
            "employment_types",
            format!("{:?}", posting.employment_types),
            truth.employment_type.to_string(),
        );
    }
    if let Some(salary) = &posting.salary {
        // The fixture's Recruitee writes amounts with one decimal ("12.2" for 12.15).
        let close = match (salary.min, truth.salary_min) {
            (Some(got), Some(want)) => (got - want).abs() <= 0.051,
            (got, want) => got == want,
        };
        if !close {
            differ(
                "salary.min",
                format!("{:?}", salary.min),
                format!("{:?}", truth.salary_min),
            );
        }
        if salary.period.is_some() && salary.period != truth.salary_period {
            differ(
                "salary.period",
                format!("{:?}", salary.period),
                format!("{:?}", truth.salary_period),
            );
        }
    }
    if posting.valid_through.is_some() && posting.valid_through != truth.valid_through {
        differ(
            "valid_through",
            format!("{:?}", posting.valid_through),
            format!("{:?}", truth.valid_through),
        );
    }
    let location = &posting.location;
    let place = [&location.locality, &location.text]
        .into_iter()
        .flatten()
        .any(|text| text.contains(&truth.city));
    if !location.is_empty() && !place {
        differ("location", format!("{location:?}"), truth.city.clone());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_source_of_the_fixture_web_reads() {
    let options = WebOptions {
        slow_delay: Duration::from_millis(1),
        rate_limit_every: 0,
    };
    let web = FixtureWeb::start_with(world(), Round::One, options)
        .await
        .expect("fixture web starts");
    let config = config::parse(&web.sources_toml()).unwrap_or_else(|errors| panic!("{errors}"));
    let truth = web.truth();
    let titles: HashSet<&str> = truth
        .vacancies
        .iter()
        .map(|vacancy| vacancy.fields.title.as_str())
        .collect();
    let by_url: HashMap<&str, &TruthFields> = truth
        .vacancies
        .iter()
        .flat_map(|vacancy| {
            vacancy
                .posting_urls
                .iter()
                .map(move |url| (url.as_str(), &vacancy.fields))
        })
        .collect();
    let client = Client::new();
    let mut mismatches = Vec::new();

    let mut read_keys = HashSet::new();
    for source in &config.sources {
        let with_selectors = source.selectors().is_some_and(|s| !s.is_empty());
        let key = (source.kind, with_selectors, source.channel);
        let postings = read_source(&client, source).await;
        // A small world leaves some feeds empty (a sector without vacancies): try the next.
        if postings.is_empty() {
            continue;
        }
        read_keys.insert(key);
        for posting in &postings {
            // Boards and agencies rewrite titles ("Kok (32-36 uur)", "Ervaren kok").
            let lower = posting.title.to_lowercase();
            let known = titles.contains(posting.title.as_str())
                || (source.channel != Channel::Employer && source.channel != Channel::Ats)
                    && titles
                        .iter()
                        .any(|title| lower.contains(&title.to_lowercase()));
            assert!(
                known,
                "{}: title {:?} is not in the ground truth",
                source.id, posting.title
            );
            let url = Url::parse(&posting.url).expect("posting url");
            assert_eq!(url.host_str(), Some("127.0.0.1"), "{}", source.id);
            let own_fields = matches!(source.channel, Channel::Employer | Channel::Ats);
            match by_url.get(posting.url.as_str()) {
                Some(fields) if own_fields => compare(source, posting, fields, &mut mismatches),
                Some(_) => {}
                None => {
                    mismatches.push(format!("{}: {} is no posting URL", source.id, posting.url))
                }
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    let kinds: HashSet<_> = read_keys.iter().map(|(kind, _, _)| *kind).collect();
    assert_eq!(
        kinds.len(),
        vindwerk_model::SourceKind::ALL.len(),
        "{read_keys:?}"
    );
    web.shutdown().await;
}
