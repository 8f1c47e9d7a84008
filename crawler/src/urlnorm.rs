//! URL normalisation, so that the frontier fetches a page once however it is linked: lower-case
//! scheme and host, no default port, no fragment, percent-escapes in one spelling, query
//! parameters sorted and tracking parameters (`utm_*`, `fbclid`, `gclid`, ...) dropped.
//!
//! It does not guess at equivalences a server may not share: the path's case, a trailing
//! slash, `www.` and `index.html` are kept as they are.

use url::Url;

/// Query parameters that only track a visitor and never change the page.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid",
    "mc_eid", "_hsenc", "_hsmi", "_ga", "_gl",
];

fn is_tracking(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.starts_with("utm_") || TRACKING_PARAMS.contains(&key.as_str())
}

/// The normal form of `url`. Idempotent: `normalize(&normalize(u)) == normalize(u)`.
pub fn normalize(url: &Url) -> Url {
    let mut url = url.clone();
    url.set_fragment(None);

    // The url crate already lower-cases the scheme and host of http(s) URLs, removes dot
    // segments and drops a default port; a trailing dot on the host is a second spelling.
    if let Some(host) = url.host_str()
        && host.len() > 1
        && host.ends_with('.')
    {
        let trimmed = host.trim_end_matches('.').to_owned();
        if !trimmed.is_empty() {
            // Cannot fail: the host parsed before and loses only its dots.
            let _ = url.set_host(Some(&trimmed));
        }
    }

    let path = normalize_escapes(url.path());
    if path != url.path() {
        url.set_path(&path);
    }

    if url.query().is_some() {
        let mut pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(key, _)| !key.is_empty() && !is_tracking(key))
            .map(|(key, value)| (key.into_owned(), value.into_owned()))
            .collect();
        pairs.sort();
        if pairs.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
    }
    url
}

/// Resolves a link found on `base` (an `href`) and normalises it; `None` for links that are no
/// http(s) page: `mailto:`, `javascript:`, `tel:`, unparsable ones.
pub fn resolve(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let url = base.join(href).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return None;
    }
    Some(normalize(&url))
}

/// Decodes escapes of unreserved characters (`%7E` is `~`) and upper-cases the hex of the
/// others (`%c3%a9` is `%C3%A9`), as RFC 3986 section 6.2.2 allows.
fn normalize_escapes(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%'
            && index + 2 < bytes.len()
            && bytes[index + 1].is_ascii_hexdigit()
            && bytes[index + 2].is_ascii_hexdigit()
        {
            let hex = &path[index + 1..index + 3];
            let value = u8::from_str_radix(hex, 16).expect("two hex digits make a byte");
            if value.is_ascii_alphanumeric() || matches!(value, b'-' | b'.' | b'_' | b'~') {
                out.push(char::from(value));
            } else {
                out.push('%');
                out.push_str(&hex.to_ascii_uppercase());
            }
            index += 3;
        } else {
            let ch = path[index..]
                .chars()
                .next()
                .expect("index is on a char boundary");
            out.push(ch);
            index += ch.len_utf8();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(input: &str, expected: &str) {
        let url = Url::parse(input).expect("test input parses");
        assert_eq!(normalize(&url).as_str(), expected, "normalize({input})");
    }

    #[test]
    fn normalises_spellings_of_one_page() {
        check(
            "HTTPS://WerkenBij.Acme.NL/Vacatures",
            "https://werkenbij.acme.nl/Vacatures",
        );
        check("https://acme.nl:443/a", "https://acme.nl/a");
        check("http://acme.nl:80/a", "http://acme.nl/a");
        check("http://acme.nl:8080/a", "http://acme.nl:8080/a");
        check("https://acme.nl/a#solliciteer", "https://acme.nl/a");
        check("https://acme.nl/a?b=2&a=1", "https://acme.nl/a?a=1&b=2");
        check(
            "https://acme.nl/a?utm_source=x&id=7&fbclid=y&gclid=z",
            "https://acme.nl/a?id=7",
        );
        check("https://acme.nl/a?UTM_Medium=mail", "https://acme.nl/a");
        check("https://acme.nl/a?", "https://acme.nl/a");
        check("https://acme.nl", "https://acme.nl/");
        check("https://acme.nl/a/./b/../c", "https://acme.nl/a/c");
        check(
            "https://acme.nl/%7Ejan/caf%c3%a9",
            "https://acme.nl/~jan/caf%C3%A9",
        );
        check("https://acme.nl./a", "https://acme.nl/a");
        check("https://acme.nl/a/", "https://acme.nl/a/");
        check(
            "https://acme.nl/zoek?q=zorg+thuis&p=2",
            "https://acme.nl/zoek?p=2&q=zorg+thuis",
        );
    }

    #[test]
    fn resolves_relative_links_and_skips_non_pages() {
        let base = Url::parse("https://acme.nl/vacatures/?page=2").expect("base");
        let resolved = |href: &str| resolve(&base, href).map(|url| url.to_string());
        assert_eq!(
            resolved("verpleegkundige#top").as_deref(),
            Some("https://acme.nl/vacatures/verpleegkundige")
        );
        assert_eq!(
            resolved("/over-ons").as_deref(),
            Some("https://acme.nl/over-ons")
        );
        assert_eq!(
            resolved("//cdn.acme.nl/x").as_deref(),
            Some("https://cdn.acme.nl/x")
        );
        assert_eq!(
            resolved("?page=3").as_deref(),
            Some("https://acme.nl/vacatures/?page=3")
        );
        assert_eq!(resolved("mailto:hr@acme.nl"), None);
        assert_eq!(resolved("javascript:void(0)"), None);
        assert_eq!(resolved("  "), None);
        assert_eq!(resolved("http://[::1"), None);
    }

    proptest! {
        #[test]
        fn normalisation_is_idempotent(
            host in "[a-zA-Z]{1,8}\\.(nl|com)",
            path in "(/[a-zA-Z0-9%~._-]{0,6}){0,3}",
            query in proptest::collection::vec(("[a-z_]{1,6}", "[a-zA-Z0-9%+ ]{0,5}"), 0..4),
            fragment in proptest::option::of("[a-z]{0,4}"),
        ) {
            let mut text = format!("https://{host}{path}");
            if !query.is_empty() {
                let pairs: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
                text.push('?');
                text.push_str(&pairs.join("&"));
            }
            if let Some(fragment) = fragment {
                text.push('#');
                text.push_str(&fragment);
            }
            if let Ok(url) = Url::parse(&text) {
                let once = normalize(&url);
                prop_assert_eq!(normalize(&once), once.clone());
                prop_assert!(once.fragment().is_none());
            }
        }
    }
}
