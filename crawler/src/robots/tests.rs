use std::time::Duration;

use super::*;

/// Checks `agent` against `robots_txt` for each `(path, allowed)`.
fn check(robots_txt: &str, agent: &str, cases: &[(&str, bool)]) {
    let robots = Robots::parse(robots_txt);
    for (path, expected) in cases {
        assert_eq!(
            robots.is_allowed(agent, path),
            *expected,
            "{agent} {path} against:\n{robots_txt}"
        );
    }
}

/// RFC 9309 section 5.1.
const RFC_EXAMPLE: &str = "\
User-Agent: *
Disallow: *.gif$
Disallow: /example/
Allow: /publications/

User-Agent: foobot
Disallow:/
Allow:/example/page.html
Allow:/example/allowed.gif

User-Agent: barbot
User-Agent: bazbot
Disallow: /example/page.html

User-Agent: quxbot

EOF
";

#[test]
fn rfc_example_groups() {
    check(
        RFC_EXAMPLE,
        "foobot",
        &[
            ("/example/page.html", true),
            ("/example/allowed.gif", true),
            ("/example/other.html", false),
            ("/", false),
            ("/publications/", false),
        ],
    );
    for agent in ["barbot", "bazbot", "BarBot/2.0"] {
        check(
            RFC_EXAMPLE,
            agent,
            &[
                ("/example/page.html", false),
                ("/example/other.html", true),
                ("/picture.gif", true),
            ],
        );
    }
    check(
        RFC_EXAMPLE,
        "quxbot",
        &[("/example/page.html", true), ("/a.gif", true)],
    );
    check(
        RFC_EXAMPLE,
        "vindwerk/0.1 (+https://example.org/bot)",
        &[
            ("/picture.gif", false),
            ("/picture.gif?size=2", true),
            ("/example/", false),
            ("/example/deep/page", false),
            ("/publications/", true),
            ("/publications/2024.pdf", true),
            ("/elsewhere", true),
        ],
    );
}

/// RFC 9309 section 5.2: the longest match wins.
#[test]
fn rfc_longest_match() {
    let robots_txt = "\
User-Agent: foobot
Allow: /example/page/
Disallow: /example/page/disallowed.gif
";
    check(
        robots_txt,
        "foobot",
        &[
            ("/example/page/", true),
            ("/example/page/allowed.html", true),
            ("/example/page/disallowed.gif", false),
            ("/example/page/disallowed.gif?x", false),
        ],
    );
}

#[test]
fn allow_wins_a_tie_and_wildcards_count_in_length() {
    check(
        "User-agent: *\nDisallow: /page\nAllow: /page\n",
        "vindwerk",
        &[("/page", true), ("/pages/2", true)],
    );
    // Allow /page (5) against Disallow /*.html (7): the longer disallow wins.
    check(
        "User-agent: *\nAllow: /page\nDisallow: /*.html\n",
        "vindwerk",
        &[("/page.html", false), ("/page.php", true), ("/page", true)],
    );
    check(
        "User-agent: *\nAllow: /$\nDisallow: /\n",
        "vindwerk",
        &[("/", true), ("/page.htm", false)],
    );
}

#[test]
fn wildcards_and_end_anchor() {
    let robots_txt = "\
user-agent: *
disallow: /fish*
disallow: /*.php$
disallow: /*?sessionid=
disallow: /a*b*c$
";
    check(
        robots_txt,
        "vindwerk",
        &[
            ("/fish", false),
            ("/fish.html", false),
            ("/fishheads/yummy.html", false),
            ("/Fish.asp", true),
            ("/catfish", true),
            ("/index.php", false),
            ("/filename.php?parameters", true),
            ("/folder/any.php.file.html", true),
            ("/jobs?sessionid=x", false),
            ("/jobs?page=2&sessionid=x", true),
            ("/jobs?page=2", true),
            ("/axxbyyc", false),
            ("/axxbyycd", true),
            ("/abcabc", false),
        ],
    );
}

/// RFC 9309 section 2.2.2's table: UTF-8 and percent-encoded forms compare equal, escapes of
/// unreserved characters are decoded.
#[test]
fn percent_encoding_is_normalised() {
    check(
        "User-agent: *\nDisallow: /foo/bar/ツ\nDisallow: /foo/bar/%62%61%7A\nDisallow: /q?x=%2f\n",
        "vindwerk",
        &[
            ("/foo/bar/%E3%83%84", false),
            ("/foo/bar/%e3%83%84", false),
            ("/foo/bar/baz", false),
            ("/foo/bar/%62az", false),
            ("/foo/bar/qux", true),
            ("/q?x=%2F", false),
            ("/q?x=/", true),
        ],
    );
}

#[test]
fn agent_matching_is_case_insensitive_on_the_product_token() {
    let robots_txt = "\
User-agent: VindWerk
Disallow: /private

User-agent: *
Disallow: /
";
    for agent in [
        "vindwerk",
        "VINDWERK/2.0",
        "vindwerk/0.1 (+https://example.org/bot)",
    ] {
        check(
            robots_txt,
            agent,
            &[("/private/x", false), ("/public", true)],
        );
    }
    check(robots_txt, "vindwerkbot", &[("/public", false)]);
    check(robots_txt, "otherbot", &[("/public", false)]);
}

#[test]
fn groups_naming_the_same_agent_are_merged() {
    let robots_txt = "\
User-agent: vindwerk
Disallow: /a

User-agent: other
Disallow: /b

User-agent: vindwerk
Disallow: /c
";
    check(
        robots_txt,
        "vindwerk",
        &[("/a", false), ("/b", true), ("/c", false), ("/d", true)],
    );
}

#[test]
fn lenient_about_comments_case_blank_lines_and_stray_rules() {
    let robots_txt = "\u{feff}# hello\r\nDisallow: /before-any-group\r\nUSER-AGENT : *   # all\r\n\
                      \r\nDISALLOW:/x # no x\r\nnonsense line\r\nAllow /y\r\n";
    check(
        robots_txt,
        "vindwerk",
        &[
            ("/before-any-group", true),
            ("/x", false),
            ("/x/1", false),
            ("/y", true),
        ],
    );
}

#[test]
fn empty_disallow_allows_all_and_missing_groups_allow_all() {
    check(
        "User-agent: *\nDisallow:\n",
        "vindwerk",
        &[("/anything", true)],
    );
    check("", "vindwerk", &[("/anything", true)]);
    check(
        "User-agent: otherbot\nDisallow: /\n",
        "vindwerk",
        &[("/", true)],
    );
}

#[test]
fn robots_txt_itself_is_always_allowed() {
    check(
        "User-agent: *\nDisallow: /\n",
        "vindwerk",
        &[("/robots.txt", true), ("/", false)],
    );
    assert!(Robots::disallow_all().is_allowed("vindwerk", "/robots.txt"));
    assert!(!Robots::disallow_all().is_allowed("vindwerk", "/"));
    assert!(Robots::allow_all().is_allowed("vindwerk", "/anything"));
}

#[test]
fn crawl_delay_belongs_to_the_matching_group() {
    let robots = Robots::parse(
        "User-agent: *\nCrawl-delay: 2.5\nDisallow: /x\n\nUser-agent: vindwerk\nCrawl-delay: 7\n\
         \nUser-agent: slowbot\nCrawl-delay: soon\n",
    );
    assert_eq!(
        robots.crawl_delay("vindwerk/0.1"),
        Some(Duration::from_secs(7))
    );
    assert_eq!(
        robots.crawl_delay("otherbot"),
        Some(Duration::from_millis(2500))
    );
    assert_eq!(robots.crawl_delay("slowbot"), None);
    // A group with only a Crawl-delay has no rules: the vindwerk group allows /x.
    assert!(robots.is_allowed("vindwerk", "/x"));
    assert!(!robots.is_allowed("otherbot", "/x"));
}

#[test]
fn sitemaps_are_read_anywhere() {
    let robots = Robots::parse(
        "Sitemap: https://example.org/sitemap.xml\nUser-agent: *\nDisallow: /x\n\
         sitemap:/relative.xml.gz\nSitemap:\n",
    );
    assert_eq!(
        robots.sitemaps(),
        ["https://example.org/sitemap.xml", "/relative.xml.gz"]
    );
}

#[test]
fn urls_are_matched_by_path_and_query() {
    let robots = Robots::parse("User-agent: *\nDisallow: /*?q=\nDisallow: /zoeken\n");
    let allowed = |url: &str| robots.allows_url("vindwerk", &Url::parse(url).unwrap());
    assert!(!allowed("https://example.org/jobs?q=zorg"));
    assert!(allowed("https://example.org/jobs"));
    assert!(!allowed("https://example.org/zoeken/verpleegkundige"));
    assert!(allowed("https://example.org/vacature/zoeken"));
    assert!(allowed("https://example.org/robots.txt"));
}

#[test]
fn product_tokens() {
    assert_eq!(
        product_token("vindwerk/0.1 (+https://example.org/bot)"),
        "vindwerk"
    );
    assert_eq!(product_token("Googlebot-Image/1.0"), "googlebot-image");
    assert_eq!(product_token("  Mozilla/5.0"), "mozilla");
    assert_eq!(product_token("/weird"), "");
}

#[test]
fn matching_is_not_exponential_in_stars() {
    let pattern = format!("/{}x$", "*a".repeat(40));
    let robots_txt = format!("User-agent: *\nDisallow: {pattern}\n");
    let path = format!("/{}", "a".repeat(2000));
    check(&robots_txt, "vindwerk", &[(&path, true)]);
}

mod properties {
    use proptest::prelude::*;

    use super::super::{normalize_octets, pattern_matches};

    proptest! {
        /// Without wildcards a pattern is a prefix; with a final `$`, the whole path.
        #[test]
        fn plain_patterns_are_prefixes(
            pattern in "/[a-z0-9/._?=&-]{0,12}",
            path in "/[a-z0-9/._?=&-]{0,16}",
        ) {
            prop_assert_eq!(pattern_matches(&pattern, &path), path.starts_with(&pattern));
            let anchored = format!("{pattern}$");
            prop_assert_eq!(pattern_matches(&anchored, &path), path == pattern);
        }

        /// `/*` matches every path, and a pattern always matches itself.
        #[test]
        fn stars_and_self(path in "/[a-z0-9/._?=&*-]{0,16}") {
            prop_assert!(pattern_matches("/*", &path));
            prop_assert!(pattern_matches(&path, &path));
        }

        /// Normalising twice changes nothing; any text, however broken, is accepted.
        #[test]
        fn normalisation_is_idempotent(text in "\\PC{0,24}") {
            let once = normalize_octets(&text);
            prop_assert_eq!(normalize_octets(&once), once.clone());
            prop_assert!(once.is_ascii());
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,200}", path in "/\\PC{0,20}") {
            let robots = super::Robots::parse(&text);
            let _ = robots.is_allowed("vindwerk", &path);
        }
    }
}
