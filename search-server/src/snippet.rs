//! Highlighted snippets: the fragment of a description that best matches the query, HTML
//! escaped first and only then marked with `<mark>`, so that crawled text can never inject
//! markup.

use tantivy::snippet::Snippet;

/// Characters of a snippet, about two lines.
pub const SNIPPET_CHARS: usize = 200;

/// `text` with `&`, `<`, `>`, `"` and `'` escaped for HTML.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The snippet as HTML: escaped text with the matched words in `<mark>`.
pub fn snippet_html(snippet: &Snippet) -> String {
    let fragment = snippet.fragment();
    let mut html = String::with_capacity(fragment.len() + 32);
    let mut at = 0;
    for range in snippet.highlighted() {
        let (Some(before), Some(marked)) =
            (fragment.get(at..range.start), fragment.get(range.clone()))
        else {
            continue;
        };
        html.push_str(&escape_html(before));
        html.push_str("<mark>");
        html.push_str(&escape_html(marked));
        html.push_str("</mark>");
        at = range.end;
    }
    html.push_str(&escape_html(fragment.get(at..).unwrap_or_default()));
    html
}

/// The opening of `text`, cut at a word within `chars` characters, escaped; for hits without
/// a matched word (an empty query, a typo match).
pub fn opening_html(text: &str, chars: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= chars {
        return escape_html(text);
    }
    let cut: String = text.chars().take(chars).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(space) if space > chars / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{} …", escape_html(cut.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(
            escape_html("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn the_opening_is_cut_at_a_word() {
        assert_eq!(opening_html("kort", 10), "kort");
        assert_eq!(
            opening_html("een lange zin <b>met</b> woorden", 20),
            "een lange zin …"
        );
        assert_eq!(
            opening_html("<b>a</b> <i>b</i> <u>c</u> d", 15),
            "&lt;b&gt;a&lt;/b&gt; …"
        );
    }
}
