//! Text keys for dedup: folded words, title tokens, canonical URLs, reference numbers and
//! sentences. Everything here is pure and total: any input gives a (possibly empty) key.

/// Descriptions are compared on their first this many bytes: crawled bodies can be huge, and
/// a vacancy is told by its opening pages.
const MAX_TEXT_BYTES: usize = 64 * 1024;

/// The head of `text` that dedup reads, cut at a character boundary.
pub(crate) fn head(text: &str) -> &str {
    if text.len() <= MAX_TEXT_BYTES {
        return text;
    }
    let mut end = MAX_TEXT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Lower-case words of letters and digits, with accents folded (`café` → `cafe`).
pub(crate) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(fold_word)
}

fn fold_word(word: &str) -> String {
    let mut folded = String::with_capacity(word.len());
    for c in word.chars().flat_map(char::to_lowercase) {
        folded.push(match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            'ÿ' | 'ý' => 'y',
            other => other,
        });
    }
    folded
}

/// A folded key of a name (employer, place): its words joined by one space, legal forms
/// dropped (`Acme B.V.` and `ACME bv` are one employer). `None` when nothing is left.
pub(crate) fn name_key(name: &str) -> Option<String> {
    const LEGAL_FORMS: &[&str] = &["bv", "nv", "vof", "b", "v", "n"];
    let mut key = String::new();
    let folded: Vec<String> = words(name).collect();
    // "B.V." splits into "b" and "v": drop single letters only as part of a legal form at the
    // end, never a whole name of single letters.
    let mut end = folded.len();
    while end > 1 && LEGAL_FORMS.contains(&folded[end - 1].as_str()) {
        end -= 1;
    }
    for word in &folded[..end] {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(word);
    }
    (!key.is_empty()).then_some(key)
}

/// Words of a title that say nothing about the job: gender marks, hours, contract words,
/// filler. Boards add them freely ("Kok (m/v) 32 uur").
const TITLE_NOISE: &[&str] = &[
    "m",
    "v",
    "x",
    "mv",
    "mvx",
    "f",
    "d",
    "h",
    "fulltime",
    "parttime",
    "full",
    "part",
    "time",
    "uur",
    "uren",
    "per",
    "week",
    "pw",
    "p",
    "vacature",
    "gezocht",
    "bij",
    "in",
    "te",
    "voor",
    "de",
    "het",
    "een",
    "en",
    "of",
    "op",
    "met",
    "the",
    "and",
    "at",
    "regio",
    "omgeving",
    "fte",
    "tijdelijk",
    "vast",
    "direct",
    "nieuw",
    "new",
    "via",
    // Legal forms of an employer named in the title ("Kok - Acme B.V.").
    "b",
    "n",
    "bv",
    "nv",
];

/// The tokens of a title that identify the job, lightly stemmed, without noise and without the
/// words of its own place, its employer and its source ("Kok - Utrecht" at place Utrecht is
/// "kok"; "Kok (via Flexkracht)" from source `flexkracht` too). Sorted and unique.
pub(crate) fn title_tokens(
    title: &str,
    place: Option<&str>,
    employer: Option<&str>,
    source: &str,
) -> Vec<String> {
    let mut skip: Vec<String> = Vec::new();
    for name in [place, employer].into_iter().flatten() {
        skip.extend(words(name));
    }
    // The source's name only where the title holds all of it ("Kok (via Flexkracht)"): a
    // board's feed `banenbank-zorg` must not take "zorg" from "Teamleider zorg".
    let source_words: Vec<String> = words(source).collect();
    let title_words: Vec<String> = words(title).collect();
    if source_words.iter().all(|word| title_words.contains(word)) {
        skip.extend(source_words);
    }
    let mut tokens: Vec<String> = words(title)
        .filter(|word| !word.chars().all(|c| c.is_ascii_digit()))
        .filter(|word| !TITLE_NOISE.contains(&word.as_str()))
        .filter(|word| !skip.contains(word))
        .map(|word| stem(&word))
        .collect();
    tokens.sort_unstable();
    tokens.dedup();
    tokens
}

/// Strips a Dutch plural or inflection ending, so `verpleegkundigen` meets `verpleegkundige`.
fn stem(word: &str) -> String {
    for suffix in ["en", "s", "e"] {
        if word.len() > suffix.len() + 3
            && let Some(stem) = word.strip_suffix(suffix)
        {
            return stem.to_owned();
        }
    }
    word.to_owned()
}

/// Overlap of two sorted token lists: `(shared / smaller, shared / union)`.
pub(crate) fn overlap(a: &[String], b: &[String]) -> (f64, f64) {
    if a.is_empty() || b.is_empty() {
        return (0.0, 0.0);
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let smaller = a.len().min(b.len());
    let union = a.len() + b.len() - shared;
    (shared as f64 / smaller as f64, shared as f64 / union as f64)
}

/// Query parameters that track a visit and never identify a page.
fn is_tracking_parameter(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("utm_")
        || matches!(
            name.as_str(),
            "gclid" | "fbclid" | "msclkid" | "mc_cid" | "mc_eid"
        )
}

/// A key under which two URLs of one page meet: scheme and `www.` dropped, host lower-cased,
/// fragment, tracking parameters and a trailing slash removed, the other parameters sorted.
/// `None` for an empty URL.
pub(crate) fn url_key(url: &str) -> Option<String> {
    let url = url.trim();
    let url = url.split('#').next().unwrap_or_default();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    let (host_and_path, query) = match rest.split_once('?') {
        Some((head, query)) => (head, Some(query)),
        None => (rest, None),
    };
    let (host, path) = match host_and_path.split_once('/') {
        Some((host, path)) => (host, path),
        None => (host_and_path, ""),
    };
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    if host.is_empty() {
        return None;
    }
    let path = path.trim_end_matches('/');
    let mut parameters: Vec<&str> = query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| !is_tracking_parameter(pair.split('=').next().unwrap_or_default()))
        .collect();
    parameters.sort_unstable();
    let mut key = format!("{host}/{path}");
    if !parameters.is_empty() {
        key.push('?');
        key.push_str(&parameters.join("&"));
    }
    Some(key)
}

/// A reference number reduced to its letters and digits, lower case; `None` when fewer than
/// three remain (`1` or `a` identify nothing).
pub(crate) fn reference_key(reference: &str) -> Option<String> {
    let key: String = reference
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    (key.chars().count() >= 3).then_some(key)
}

/// The pattern of a reference number: its letters in lower case, each run of digits as one
/// `9`, the rest dropped. `VAC-00042`, `vac 00043` and `VAC-100042` (a numbering that grew a
/// digit) share a shape; an ATS's `4471002` has another. UUIDs (Lever's posting ids) mix
/// letters and digits at random, so all of them share the one shape `uuid`.
pub(crate) fn reference_shape(reference: &str) -> String {
    if is_uuid(reference.trim()) {
        return "uuid".to_owned();
    }
    let mut shape = String::new();
    for c in reference.chars() {
        if c.is_ascii_digit() {
            if !shape.ends_with('9') {
                shape.push('9');
            }
        } else if c.is_alphabetic() {
            shape.extend(c.to_lowercase());
        }
    }
    shape
}

/// `8-4-4-4-12` hexadecimal digits.
fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The sentences of a description, each as its words; sentences end at `.`, `!`, `?`, `;`,
/// `:`, bullets and line breaks.
pub(crate) fn sentences(text: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    text.split(['.', '!', '?', ';', ':', '\n', '\r', '•', '·', '|'])
        .map(|sentence| words(sentence).collect::<Vec<_>>())
        .filter(|sentence| !sentence.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_keys_ignore_what_does_not_identify_a_page() {
        let check = |a: &str, b: &str| assert_eq!(url_key(a), url_key(b), "{a} vs {b}");
        check(
            "https://www.Acme.nl/vacature/12/",
            "http://acme.nl/vacature/12",
        );
        check(
            "https://acme.nl/v?id=3&utm_source=x",
            "https://acme.nl/v?id=3#apply",
        );
        check("https://acme.nl/v?b=2&a=1", "https://acme.nl/v?a=1&b=2");
        assert_ne!(
            url_key("https://acme.nl/v?id=3"),
            url_key("https://acme.nl/v?id=4")
        );
        assert_eq!(url_key("  "), None);
    }

    #[test]
    fn names_drop_legal_forms_and_accents() {
        assert_eq!(name_key("Acme B.V."), name_key("ACME bv"));
        assert_eq!(name_key("Café De Zon").as_deref(), Some("cafe de zon"));
        assert_eq!(name_key(" - "), None);
        assert_eq!(name_key("B.V.").as_deref(), Some("b"));
    }

    #[test]
    fn title_tokens_drop_noise_place_and_employer() {
        let tokens = title_tokens(
            "Verpleegkundigen (m/v) 32-36 uur - Utrecht",
            Some("Utrecht"),
            None,
            "",
        );
        assert_eq!(tokens, title_tokens("Verpleegkundige", None, None, ""));
        assert_eq!(
            title_tokens("Kok bij Acme", None, Some("acme"), ""),
            vec!["kok"]
        );
        assert_eq!(
            title_tokens("Kok (via Flexkracht)", None, None, "flexkracht"),
            vec!["kok"]
        );
        // A source named after a sector keeps the sector's word in the job.
        assert_eq!(
            title_tokens("Teamleider zorg", None, None, "banenbank-zorg"),
            vec!["teamleider", "zorg"]
        );
    }

    #[test]
    fn overlap_measures_containment_and_jaccard() {
        let a = title_tokens("Verpleegkundige oncologie", None, None, "");
        let b = title_tokens("Verpleegkundige cardiologie", None, None, "");
        let c = title_tokens("Senior verpleegkundige oncologie", None, None, "");
        assert_eq!(overlap(&a, &b), (0.5, 1.0 / 3.0));
        assert_eq!(overlap(&a, &c).0, 1.0);
        assert_eq!(overlap(&a, &[]), (0.0, 0.0));
    }

    #[test]
    fn the_head_of_a_huge_text_ends_at_a_character() {
        let text = "é".repeat(MAX_TEXT_BYTES);
        let cut = head(&text);
        assert!(cut.len() <= MAX_TEXT_BYTES && cut.len() >= MAX_TEXT_BYTES - 1);
        assert_eq!(head("kort"), "kort");
    }

    #[test]
    fn short_references_identify_nothing() {
        assert_eq!(reference_key("REF-2026/042").as_deref(), Some("ref2026042"));
        assert_eq!(reference_key("#1"), None);
        assert_eq!(reference_shape("VAC-00042"), reference_shape("vac 00043"));
        assert_ne!(reference_shape("VAC-00042"), reference_shape("4471002"));
        // A numbering that grew a digit keeps its shape.
        assert_eq!(reference_shape("VAC-99999"), reference_shape("VAC-100042"));
        assert_ne!(reference_shape("VAC-00042"), reference_shape("R00042"));
        assert_eq!(
            reference_shape("ab2635f6-4550-4514-8f5d-f31875632a59"),
            reference_shape("48a708f4-F0AE-4f9f-88fd-98e42074ed5b")
        );
        assert_ne!(
            reference_shape("ab2635f6-4550-4514-8f5d-f31875632a59"),
            reference_shape("ab2635f6-4550-4514-8f5d")
        );
    }
}
