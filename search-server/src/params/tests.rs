use super::*;
use crate::error::ErrorCode;

fn parse(query: &str) -> Result<SearchRequest, ApiError> {
    let pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (name.to_owned(), value.replace('+', " "))
        })
        .collect();
    SearchRequest::from_pairs(&pairs)
}

/// `query` fails naming `parameter`.
fn check_rejected(query: &str, parameter: &str) {
    let error = parse(query).expect_err(query);
    assert_eq!(error.code(), ErrorCode::InvalidParameter, "{query}");
    let message = error.public_message();
    assert!(
        message.starts_with(&format!("{parameter}: ")),
        "{query}: {message}"
    );
}

#[test]
fn defaults_are_active_relevance_first_page() {
    let request = parse("").expect("empty query");
    assert_eq!(request, SearchRequest::default());
    assert_eq!(request.selected(Facet::Status), ["active"]);
    assert_eq!(request.page, Page::Number(1));
    assert_eq!(request.per_page, DEFAULT_PER_PAGE);
}

#[test]
fn facets_repeat_and_empty_values_are_absent() {
    let request = parse("q=zorg&province=Utrecht&province=Zeeland&province=Utrecht&city=&isco=22&employment_type=part_time")
        .expect("valid");
    assert_eq!(request.q, "zorg");
    assert_eq!(request.selected(Facet::Province), ["Utrecht", "Zeeland"]);
    assert!(request.selected(Facet::City).is_empty());
    assert_eq!(request.selected(Facet::Isco), ["22"]);
    assert_eq!(request.selected(Facet::EmploymentType), ["part_time"]);
}

#[test]
fn status_all_removes_the_status_filter() {
    assert!(
        parse("status=all")
            .expect("valid")
            .selected(Facet::Status)
            .is_empty()
    );
    assert_eq!(
        parse("status=expired")
            .expect("valid")
            .selected(Facet::Status),
        ["expired"]
    );
    assert_eq!(
        parse("status=expired&status=active")
            .expect("valid")
            .selected(Facet::Status),
        ["expired", "active"]
    );
}

#[test]
fn ranges_near_sort_and_pages() {
    let request = parse("salary_min=3000&salary_max=4500&hours_min=24&hours_max=36&posted_after=2026-11-01&near=3584&km=25&sort=nearest&page=3&per_page=50")
        .expect("valid");
    assert_eq!(
        request.salary,
        Range {
            min: Some(3000.0),
            max: Some(4500.0)
        }
    );
    assert_eq!(
        request.hours,
        Range {
            min: Some(24.0),
            max: Some(36.0)
        }
    );
    assert_eq!(request.posted_after, NaiveDate::from_ymd_opt(2026, 11, 1));
    assert_eq!(
        request.near,
        Some(Near {
            place: "3584".to_owned(),
            km: 25.0
        })
    );
    assert_eq!(request.sort, Sort::Nearest);
    assert_eq!(request.page, Page::Number(3));
    assert_eq!(request.per_page, 50);
    let default_km = parse("near=Utrecht").expect("valid");
    assert_eq!(default_km.near.map(|near| near.km), Some(DEFAULT_KM));
}

#[test]
fn every_bad_parameter_is_named() {
    let cases = [
        ("km=0&near=Utrecht", "km"),
        ("km=301&near=Utrecht", "km"),
        ("km=ver&near=Utrecht", "km"),
        ("km=NaN&near=Utrecht", "km"),
        ("km=10", "km"),
        ("salary_min=-1", "salary_min"),
        ("salary_min=veel", "salary_min"),
        ("salary_min=4000&salary_max=3000", "salary_max"),
        ("hours_max=200", "hours_max"),
        ("hours_min=40&hours_max=32", "hours_max"),
        ("posted_after=gisteren", "posted_after"),
        ("posted_after=2026-13-01", "posted_after"),
        ("posted_within=2", "posted_within"),
        ("remote=misschien", "remote"),
        ("sort=random", "sort"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=501", "page"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("cursor=xyz", "cursor"),
        ("cursor=abcd&page=2", "cursor"),
        ("status=open", "status"),
        ("employment_type=FULL_TIME", "employment_type"),
        ("education_level=phd", "education_level"),
        ("source_kind=ftp", "source_kind"),
        ("channel=friends", "channel"),
        ("isco=22a", "isco"),
        ("isco=12345", "isco"),
        ("hours_band=1-2", "hours_band"),
        ("salary_band=lots", "salary_band"),
        ("q=a&q=b", "q"),
        ("near=a&near=b", "near"),
        ("colour=blue", "query"),
    ];
    for (query, parameter) in cases {
        check_rejected(query, parameter);
    }
    let long = format!("q={}", "a".repeat(MAX_TEXT_CHARS + 1));
    check_rejected(&long, "q");
}

#[test]
fn cursors_given_out_are_accepted() {
    let cursor = Cursor {
        key: crate::cursor::SortKey::Newest { posted: 86_400 },
        id: "v1".to_owned(),
    };
    let request = parse(&format!("cursor={}", cursor.encode())).expect("valid");
    assert_eq!(request.page, Page::After(cursor));
}

#[test]
fn pairs_round_trip() {
    for query in [
        "",
        "q=zorg&province=Utrecht&province=Zeeland",
        "status=all&near=3584&km=25&sort=nearest",
        "status=expired&salary_min=3000&hours_max=32&posted_within=7&remote=true&per_page=50",
    ] {
        let request = parse(query).expect(query);
        let again = SearchRequest::from_pairs(&request.to_pairs()).expect("pairs parse");
        assert_eq!(again, request, "{query}");
    }
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(SINGLE_PARAMS.to_vec()).prop_map(str::to_owned),
            proptest::sample::select(Facet::ALL.iter().map(|f| f.param()).collect::<Vec<_>>())
                .prop_map(str::to_owned),
            ".{0,12}",
        ]
    }

    proptest! {
        /// Any query string parses or is a 400 naming a parameter; never a panic.
        #[test]
        fn any_pairs_parse_or_name_the_problem(pairs in proptest::collection::vec((name(), ".{0,40}"), 0..8)) {
            match SearchRequest::from_pairs(&pairs) {
                Ok(request) => {
                    let again = SearchRequest::from_pairs(&request.to_pairs());
                    prop_assert!(again.is_ok(), "{:?}", request);
                }
                Err(error) => {
                    prop_assert_eq!(error.code(), ErrorCode::InvalidParameter);
                    prop_assert!(error.public_message().contains(": "));
                }
            }
        }

        #[test]
        fn any_cursor_text_decodes_or_is_refused(token in ".{0,80}") {
            let _ = Cursor::decode(&token);
        }
    }
}
