//! JSON-LD blocks as sites really write them: wrapped in HTML comments or CDATA, with raw
//! newlines and tabs inside strings, trailing commas, `\'` escapes. A block that strict JSON
//! rejects is repaired once and parsed again; what still fails is a problem, not a panic.

use serde_json::Value;

/// Parses a JSON-LD block, repairing the common mistakes when strict parsing fails. The error
/// is strict parsing's, which points at the first real mistake.
pub(crate) fn parse_lenient(block: &str) -> Result<Value, String> {
    let text = unwrap_block(block);
    if text.is_empty() {
        return Err("empty block".to_owned());
    }
    let strict_error = match serde_json::from_str::<Value>(text) {
        Ok(value) => return Ok(value),
        Err(error) => error,
    };
    let repaired = repair(text);
    serde_json::from_str::<Value>(&repaired).map_err(|_| format!("invalid JSON: {strict_error}"))
}

/// Strips what sites wrap a block's JSON in: `<!-- -->`, `<![CDATA[ ]]>`, `//` before either.
fn unwrap_block(block: &str) -> &str {
    let mut text = block.trim().trim_start_matches('\u{feff}').trim();
    for (open, close) in [
        ("<!--", "-->"),
        ("//<![CDATA[", "//]]>"),
        ("<![CDATA[", "]]>"),
    ] {
        if let Some(rest) = text.strip_prefix(open) {
            text = rest.trim();
            text = text.strip_suffix(close).unwrap_or(text).trim();
        }
    }
    text.trim_end_matches(';').trim()
}

/// Escapes control characters inside strings, drops invalid escapes' backslashes and commas
/// before a closing bracket.
fn repair(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(ch) = chars.next() {
        if in_string {
            match ch {
                '"' => {
                    in_string = false;
                    out.push(ch);
                }
                '\\' => match chars.peek().copied() {
                    Some(next @ ('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' | 'u')) => {
                        out.push('\\');
                        out.push(next);
                        chars.next();
                    }
                    // `\'` and other escapes JSON does not know: keep the character.
                    Some(_) => {}
                    None => out.push_str("\\\\"),
                },
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                ch if ch.is_control() => out.push(' '),
                ch => out.push(ch),
            }
            continue;
        }
        match ch {
            '"' => {
                in_string = true;
                out.push(ch);
            }
            ',' => {
                let mut lookahead = chars.clone();
                let next = lookahead.find(|c| !c.is_whitespace());
                if !matches!(next, Some('}' | ']')) {
                    out.push(ch);
                }
            }
            ch => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_what_sites_get_wrong() {
        let cases = [
            ("{\"a\": 1}", serde_json::json!({"a": 1})),
            ("<!-- {\"a\": 1} -->", serde_json::json!({"a": 1})),
            (
                "//<![CDATA[\n{\"a\": 1}\n//]]>",
                serde_json::json!({"a": 1}),
            ),
            (
                "{\"a\": \"regel 1\nregel 2\"}",
                serde_json::json!({"a": "regel 1\nregel 2"}),
            ),
            ("{\"a\": [1, 2,], }", serde_json::json!({"a": [1, 2]})),
            ("{\"a\": \"it\\'s\"}", serde_json::json!({"a": "it's"})),
            (
                "{\"a\": \"tab\there, comma ,]\"}",
                serde_json::json!({"a": "tab\there, comma ,]"}),
            ),
            ("[{\"a\": 1},]", serde_json::json!([{"a": 1}])),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_lenient(text), Ok(expected), "{text:?}");
        }
    }

    #[test]
    fn broken_json_is_an_error_with_the_strict_position() {
        let error = parse_lenient("{\"a\": }").expect_err("not json");
        assert!(error.starts_with("invalid JSON: "), "{error}");
        assert!(error.contains("line 1"), "{error}");
        assert_eq!(parse_lenient("  "), Err("empty block".to_owned()));
    }
}
