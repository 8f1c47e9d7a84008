//! Text: HTML to plain text, folded lookup keys, and titles cleaned of what is not the job
//! (gender markers, hours, the place).
//!
//! Nothing here knows places or occupations; callers pass the place names a title may end in.

use std::sync::LazyLock;

use regex::Regex;
use scraper::{Html, Node};

/// A lookup key: lower case, without diacritics, punctuation as spaces, whitespace collapsed.
/// Apostrophes vanish (`'s-Gravenhage` → `s gravenhage`), so spellings with and without them
/// meet. `fold(fold(x)) == fold(x)`.
pub fn fold(text: &str) -> String {
    let mut key = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if matches!(c, '\'' | '’' | '‘' | '`' | '´') {
            continue;
        }
        let folded = fold_char(c);
        if folded.is_empty() {
            pending_space = true;
            continue;
        }
        if pending_space && !key.is_empty() {
            key.push(' ');
        }
        pending_space = false;
        key.push_str(folded);
    }
    key
}

/// One character as ASCII lower case, or "" for a separator.
fn fold_char(c: char) -> &'static str {
    if c.is_ascii_alphanumeric() {
        return ASCII_LOWER[c.to_ascii_lowercase() as usize - b'0' as usize];
    }
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'ā' | 'Ā' => {
            "a"
        }
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' | 'č' | 'Č' | 'ć' | 'Ć' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'ī' => "i",
        'ĳ' | 'Ĳ' => "ij",
        'ñ' | 'Ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'ō' => {
            "o"
        }
        'œ' | 'Œ' => "oe",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'ū' | 'ů' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ß' => "ss",
        'š' | 'Š' | 'ś' => "s",
        'ž' | 'Ž' | 'ź' | 'ż' => "z",
        'ł' | 'Ł' => "l",
        'ř' => "r",
        _ => "",
    }
}

/// `ASCII_LOWER[c - '0']` is the lower-case `c` as a string, for ASCII letters and digits.
static ASCII_LOWER: [&str; 75] = [
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "", "", "", "", "", "", "", "a", "b", "c",
    "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v",
    "w", "x", "y", "z", "", "", "", "", "", "", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j",
    "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z",
];

/// Whitespace runs as one space, trimmed.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

static HTML_SIGN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<[A-Za-z!/]|&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
        .expect("html sign pattern should compile")
});

/// Whether `text` holds markup: a tag or an entity. Plain text with a lone `<` or `&` is not.
pub fn looks_like_html(text: &str) -> bool {
    HTML_SIGN.is_match(text)
}

/// A description (HTML or plain text) as plain text: tags gone, entities decoded, scripts and
/// styles dropped, block elements on lines of their own, list items as "- " lines, spaces
/// collapsed within lines, at most one empty line between paragraphs.
///
/// Plain text (no tag or entity) keeps its line breaks. Idempotent on its own output when
/// that holds no `<` or `&`.
pub fn html_to_text(input: &str) -> String {
    if !looks_like_html(input) {
        return tidy_lines(input);
    }
    let fragment = Html::parse_fragment(input);
    let mut raw = String::with_capacity(input.len() / 2);
    let mut stack = vec![(fragment.tree.root(), false)];
    // An explicit stack instead of recursion: hostile pages nest deep enough to overflow.
    while let Some((node, leaving)) = stack.pop() {
        match node.value() {
            Node::Text(text) if !leaving => push_inline(&mut raw, text),
            Node::Element(element) => {
                let name = element.name();
                if SKIPPED.contains(&name) {
                    continue;
                }
                let paragraph = PARAGRAPHS.contains(&name);
                let block = paragraph || BLOCKS.contains(&name);
                if leaving {
                    if block {
                        push_break(&mut raw, paragraph);
                    }
                    continue;
                }
                match name {
                    "br" => raw.push('\n'),
                    "li" => {
                        push_break(&mut raw, false);
                        raw.push_str("- ");
                    }
                    _ if block => push_break(&mut raw, paragraph),
                    _ => {}
                }
                stack.push((node, true));
                let children: Vec<_> = node.children().collect();
                for child in children.into_iter().rev() {
                    stack.push((child, false));
                }
            }
            _ if !leaving => {
                let children: Vec<_> = node.children().collect();
                for child in children.into_iter().rev() {
                    stack.push((child, false));
                }
            }
            _ => {}
        }
    }
    tidy_lines(&raw)
}

const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "head", "iframe", "svg", "object", "canvas",
    "button", "select", "textarea", "input",
];
const PARAGRAPHS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "table",
    "blockquote",
    "pre",
    "section",
    "article",
    "dl",
    "hr",
    "header",
    "footer",
    "figure",
];
const BLOCKS: &[&str] = &[
    "div", "li", "tr", "dt", "dd", "main", "nav", "aside", "address", "caption", "form",
    "fieldset", "details", "summary", "td", "th",
];

/// Ends `out` with a line break, or with an empty line for a paragraph, unless it has one.
fn push_break(out: &mut String, paragraph: bool) {
    let wanted = if paragraph { "\n\n" } else { "\n" };
    while !out.ends_with(wanted) {
        if out.ends_with(' ') {
            out.pop();
            continue;
        }
        out.push('\n');
    }
}

/// Inline text as HTML renders it: any whitespace run is one space.
fn push_inline(out: &mut String, text: &str) {
    let mut space = text.starts_with(char::is_whitespace);
    for word in text.split_whitespace() {
        if space && !out.is_empty() && !out.ends_with([' ', '\n']) {
            out.push(' ');
        }
        out.push_str(word);
        space = true;
    }
    if text.ends_with(char::is_whitespace) && !out.is_empty() && !out.ends_with([' ', '\n']) {
        out.push(' ');
    }
}

/// Each line's whitespace collapsed, no empty line at either end, never two in a row.
fn tidy_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_pending = false;
    for line in text.lines() {
        let line = collapse_whitespace(line);
        // A list marker alone on its line (an empty <li>) is noise.
        if line.is_empty() || line == "-" {
            blank_pending = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_pending { "\n\n" } else { "\n" });
        }
        blank_pending = false;
        out.push_str(&line);
    }
    out
}

static GENDER: LazyLock<Regex> = LazyLock::new(|| {
    // (m/v), (m/v/x), m/v/x, (v/m), (M/F/X), (m/w/d), (h/f), (all genders), (x/v/m), m|v.
    Regex::new(
        r"(?i)\(\s*(?:[mvfxwdhi]\s*[/|,]\s*)+[mvfxwdhi]\s*\)|\(\s*(?:all genders|alle genders|iedereen)\s*\)|(?:^|\s)(?:[mvfxwdh]\s*[/|]\s*)+[mvfxwdh](?:\s|$|[,.;:|])",
    )
    .expect("gender marker pattern should compile")
});

static HOURS_IN_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    // "| 32-36 uur", "(24 uur)", "- 32 tot 40 uur p/w", "38 hours", "24-32u", "0,8 fte".
    Regex::new(
        r"(?i)[\s|,\-–—/(\[]*\b\d{1,2}(?:[.,]\d)?\s*(?:(?:-|–|—|tot|t/m|to)\s*\d{1,2}(?:[.,]\d)?\s*)?(?:uur|uren|u|hours|hrs|hr|fte)\b(?:\s*(?:p/w|p\.w\.|per week|pw|/\s*week|a week|per wk))?[\s)\]]*",
    )
    .expect("hours pattern should compile")
});

/// Separators that end a title before a trailing place: "Kok - Utrecht", "Kok | Utrecht",
/// "Kok, Utrecht", "Kok in Utrecht", "Kok te Utrecht", "Kok (Utrecht)", "Kok regio Utrecht".
static PLACE_LEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:\s*[-–—|,/:(\[]\s*(?:(?:in|te|bij|regio|omgeving|locatie)\s+)*|\s+(?:(?:in|te|bij|regio|omgeving|locatie)\s+)+)$",
    )
        .expect("place lead pattern should compile")
});

/// A title as the vacancy's name: markup and entities gone, gender markers ("(m/v/x)"),
/// hours ("| 32-36 uur") and a trailing known place ("- Utrecht", "in Amsterdam") removed,
/// whitespace collapsed. Seniority and everything else stays: "Senior Verpleegkundige (m/v) -
/// Utrecht" with `places = ["Utrecht"]` is "Senior Verpleegkundige". Idempotent.
///
/// A title that would become empty stays as it was (after markup and whitespace).
pub fn clean_title(title: &str, places: &[&str]) -> String {
    let base = if looks_like_html(title) {
        collapse_whitespace(&html_to_text(title))
    } else {
        collapse_whitespace(title)
    };
    let mut current = base.clone();
    // Removing one suffix can expose another ("Kok (m/v) - Utrecht | 40 uur"); a fixed point
    // makes the result idempotent.
    for _ in 0..8 {
        let next = clean_once(&current, places);
        if next == current {
            break;
        }
        current = next;
    }
    if current.is_empty() { base } else { current }
}

fn clean_once(title: &str, places: &[&str]) -> String {
    let without_gender = GENDER.replace_all(title, " ");
    let without_hours = HOURS_IN_TITLE.replace_all(&without_gender, " ");
    let mut text = collapse_whitespace(&without_hours);
    for place in places {
        text = strip_trailing_place(&text, place);
    }
    trim_separators(&text).to_owned()
}

/// `title` without `place` at its end when a separator or "in"/"te" comes before it; also
/// "(place)" anywhere.
fn strip_trailing_place(title: &str, place: &str) -> String {
    let place_key = fold(place);
    if place_key.is_empty() {
        return title.to_owned();
    }
    let mut title = title.to_owned();
    // "(Utrecht)" or "[Utrecht]" anywhere in the title.
    for (open, close) in [('(', ')'), ('[', ']')] {
        if let Some(start) = title.find(open)
            && let Some(len) = title[start..].find(close)
            && fold(&title[start + 1..start + len]) == place_key
        {
            title.replace_range(start..start + len + 1, " ");
            title = collapse_whitespace(&title);
        }
    }
    // The shortest tail whose fold equals the place, at a word start.
    let starts: Vec<usize> = title
        .char_indices()
        .filter(|(i, _)| *i > 0 && title[..*i].ends_with(|c: char| !c.is_alphanumeric()))
        .map(|(i, _)| i)
        .collect();
    for start in starts.into_iter().rev() {
        let tail_key = fold(&title[start..]);
        if tail_key.len() > place_key.len() {
            break;
        }
        if tail_key != place_key {
            continue;
        }
        let head = &title[..start];
        let Some(lead) = PLACE_LEAD.find(head) else {
            continue;
        };
        if lead.start() == 0 {
            // The place is the whole title; keep it.
            return title;
        }
        return head[..lead.start()].to_owned();
    }
    title
}

fn trim_separators(text: &str) -> &str {
    text.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '-' | '–' | '—' | '|' | ',' | '/' | ':' | '·' | '•')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fold_makes_one_key_of_spellings() {
        let check = |input: &str, expected: &str| assert_eq!(fold(input), expected, "{input:?}");
        check("'s-Gravenhage", "s gravenhage");
        check("’s-Hertogenbosch", "s hertogenbosch");
        check("  Den   HAAG ", "den haag");
        check("Fryslân", "fryslan");
        check("Conciërge", "concierge");
        check("Utrecht (Leidsche Rijn)", "utrecht leidsche rijn");
        check("CNC-operator", "cnc operator");
        check("IJmuiden", "ijmuiden");
        check("", "");
        check("!!!", "");
    }

    #[test]
    fn html_becomes_plain_text() {
        let check = |input: &str, expected: &str| {
            assert_eq!(html_to_text(input), expected, "{input:?}");
        };
        check(
            "<p>Wij zoeken&nbsp;een <b>kok</b>.</p><p>Kom!</p>",
            "Wij zoeken een kok.\n\nKom!",
        );
        check(
            "<ul><li>mbo 4</li><li>rijbewijs B</li></ul>",
            "- mbo 4\n- rijbewijs B",
        );
        check("regel 1<br>regel 2", "regel 1\nregel 2");
        check("<div>a</div><div>b</div>", "a\nb");
        check("R&amp;D &euro; 3.200 &#8364;", "R&D € 3.200 €");
        check("<script>alert(1)</script><style>p{}</style>Tekst", "Tekst");
        check("Plain\n\n\n  text   here\n", "Plain\n\ntext here");
        check("a < b & c", "a < b & c");
        check("<p>   </p>", "");
        check("<p>unclosed <b>bold", "unclosed bold");
        check(
            "<h2>Wat ga je doen?</h2>Je kookt",
            "Wat ga je doen?\n\nJe kookt",
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = "<div>".repeat(20_000) + "diep" + &"</div>".repeat(20_000);
        assert_eq!(html_to_text(&html), "diep");
    }

    #[test]
    fn titles_lose_gender_hours_and_place() {
        let check = |input: &str, places: &[&str], expected: &str| {
            assert_eq!(clean_title(input, places), expected, "{input:?}");
        };
        check("Verpleegkundige (m/v)", &[], "Verpleegkundige");
        check("Verpleegkundige (m/v/x)", &[], "Verpleegkundige");
        check(
            "Medewerker klantenservice m/v",
            &[],
            "Medewerker klantenservice",
        );
        check("Developer (M/F/X) | 32-36 uur", &[], "Developer");
        check("Kok | 32-36 uur - Utrecht", &["Utrecht"], "Kok");
        check("Kok 32 tot 40 uur per week", &[], "Kok");
        check("Chauffeur (24 uur)", &[], "Chauffeur");
        check(
            "Senior Verpleegkundige (m/v) - Utrecht",
            &["Utrecht"],
            "Senior Verpleegkundige",
        );
        check(
            "Docent wiskunde in Amsterdam",
            &["Amsterdam"],
            "Docent wiskunde",
        );
        check(
            "Docent wiskunde te Den Haag",
            &["Den Haag"],
            "Docent wiskunde",
        );
        check("Kok (Utrecht)", &["Utrecht"], "Kok");
        check("Kok, 's-Hertogenbosch", &["'s-Hertogenbosch"], "Kok");
        check(
            "Manager Utrecht Centraal",
            &["Utrecht"],
            "Manager Utrecht Centraal",
        );
        check("Gemeente Utrecht", &["Utrecht"], "Gemeente Utrecht");
        check("Utrecht", &["Utrecht"], "Utrecht");
        check("Kok - Amsterdam", &["Utrecht"], "Kok - Amsterdam");
        check("  Java   developer  ", &[], "Java developer");
        check("Developer <script>x()</script>", &[], "Developer");
        check("(m/v)", &[], "(m/v)");
        check("Medewerker M&amp;O", &[], "Medewerker M&O");
        check("Vrachtwagenchauffeur CE", &[], "Vrachtwagenchauffeur CE");
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(text in any::<String>()) {
            let once = fold(&text);
            prop_assert_eq!(fold(&once), once);
        }

        #[test]
        fn html_to_text_never_panics(text in any::<String>()) {
            let _ = html_to_text(&text);
        }

        #[test]
        fn html_to_text_is_idempotent_on_its_output(pieces in prop::collection::vec(
            prop::sample::select(vec![
                "<p>", "</p>", "<div>", "</div>", "<br>", "<ul>", "<li>", "</li>", "</ul>",
                "<b>", "</b>", "<h2>", "</h2>", "&nbsp;", "&euro;", "&#233;", " ", "\n", "\t",
                "kok", "zorg.", "- ", "32", "<script>x</script>",
            ]),
            0..30,
        )) {
            let once = html_to_text(&pieces.concat());
            prop_assert_eq!(html_to_text(&once), once.clone());
        }

        #[test]
        fn plain_text_is_tidied_idempotently(text in "[a-z \n\t.-]{0,80}") {
            let once = html_to_text(&text);
            prop_assert_eq!(html_to_text(&once), once.clone());
        }

        #[test]
        fn clean_title_is_idempotent(
            title in "[a-zA-Z0-9 ()/|,.\\-]{0,60}",
            place in prop::sample::select(vec!["Utrecht", "Den Haag", "Amsterdam"]),
        ) {
            let once = clean_title(&title, &[place]);
            prop_assert_eq!(clean_title(&once, &[place]), once.clone());
        }

        #[test]
        fn clean_title_never_panics(title in any::<String>(), place in any::<String>()) {
            let _ = clean_title(&title, &[&place]);
        }
    }
}
