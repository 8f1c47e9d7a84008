//! From a response's bytes to text, and from a gzipped sitemap to its bytes.
//!
//! The encoding is found as browsers find it, in this order: a byte-order mark, the
//! `charset` of the Content-Type header, a `<meta charset>` or `<meta http-equiv>` (or an XML
//! declaration) in the first 1024 bytes. Without any of these the body is UTF-8 when it is
//! valid UTF-8, else windows-1252: the usual encoding of old Dutch pages that declare nothing,
//! and a better guess than replacement characters. Labels are read by encoding_rs (WHATWG), so
//! `ISO-8859-1` decodes as windows-1252, as browsers do.
//!
//! This module does not fetch and does not parse HTML beyond the prescan. Decoding megabytes
//! takes milliseconds: callers on the async runtime should hand large bodies to a blocking
//! thread.

use std::io::Read;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// How far into the body a `<meta>` declaration is looked for (the HTML prescan's limit).
const PRESCAN_BYTES: usize = 1024;

/// The text of `body`, decoded with [`detect`]'s encoding; malformed sequences become U+FFFD.
pub fn decode(body: &[u8], content_type: Option<&str>) -> String {
    let encoding = detect(body, content_type);
    // `decode` strips a BOM of its own encoding and would honour any BOM over `encoding`;
    // detect has already given the BOM precedence, so the two agree.
    let (text, _, _) = encoding.decode(body);
    text.into_owned()
}

/// The encoding of `body`: BOM, then Content-Type, then a declaration in the document, then
/// UTF-8 if the body is valid UTF-8, else windows-1252.
pub fn detect(body: &[u8], content_type: Option<&str>) -> &'static Encoding {
    declared(body, content_type).unwrap_or_else(|| {
        if std::str::from_utf8(body).is_ok() {
            UTF_8
        } else {
            WINDOWS_1252
        }
    })
}

/// The encoding a body names: its BOM, then the Content-Type, then a declaration in its first
/// 1024 bytes.
fn declared(body: &[u8], content_type: Option<&str>) -> Option<&'static Encoding> {
    if let Some((encoding, _)) = Encoding::for_bom(body) {
        return Some(encoding);
    }
    let head = &body[..body.len().min(PRESCAN_BYTES)];
    content_type
        .and_then(charset_param)
        .and_then(label_encoding)
        .or_else(|| declared_in_document(head).and_then(|label| label_encoding(&label)))
}

/// An encoding label as the web reads it; a document cannot declare itself UTF-16 in ASCII, so
/// such a label means UTF-8 (WHATWG "get an encoding" for meta).
fn label_encoding(label: &str) -> Option<&'static Encoding> {
    let encoding = Encoding::for_label(label.trim().as_bytes())?;
    if encoding == encoding_rs::UTF_16BE || encoding == encoding_rs::UTF_16LE {
        return Some(UTF_8);
    }
    if encoding == encoding_rs::X_USER_DEFINED {
        return Some(WINDOWS_1252);
    }
    Some(encoding)
}

/// The `charset` parameter of a Content-Type value, unquoted.
pub fn charset_param(content_type: &str) -> Option<&str> {
    for param in content_type.split(';').skip(1) {
        let Some((name, value)) = param.split_once('=') else {
            continue;
        };
        if name.trim().eq_ignore_ascii_case("charset") {
            let value = value.trim().trim_matches(['"', '\'']).trim();
            return (!value.is_empty()).then_some(value);
        }
    }
    None
}

/// The label of an XML declaration's `encoding` or of the first `<meta>` that declares one.
fn declared_in_document(head: &[u8]) -> Option<String> {
    let lower = head.to_ascii_lowercase();
    if lower.starts_with(b"<?xml") {
        let end = find(&lower, b"?>", 0).unwrap_or(lower.len());
        return attributes(&lower[5..end])
            .into_iter()
            .find(|(name, _)| name == "encoding")
            .map(|(_, value)| value);
    }
    let mut from = 0;
    while let Some(start) = find(&lower, b"<meta", from) {
        let after = start + b"<meta".len();
        // `<metadata>` or `<meta-x>` are not meta elements.
        if lower
            .get(after)
            .is_some_and(|byte| !byte.is_ascii_whitespace() && *byte != b'/')
        {
            from = after;
            continue;
        }
        let end = find(&lower, b">", after).unwrap_or(lower.len());
        if let Some(label) = meta_charset(&attributes(&lower[after..end])) {
            return Some(label);
        }
        from = end;
    }
    None
}

fn meta_charset(attributes: &[(String, String)]) -> Option<String> {
    let value = |wanted: &str| {
        attributes
            .iter()
            .find(|(name, _)| name == wanted)
            .map(|(_, value)| value.as_str())
    };
    if let Some(charset) = value("charset") {
        return Some(charset.to_owned());
    }
    if value("http-equiv").is_some_and(|equiv| equiv.trim() == "content-type") {
        return value("content").and_then(charset_param).map(str::to_owned);
    }
    None
}

/// `name="value"`, `name='value'`, `name=value` and bare `name` pairs of a start tag.
fn attributes(tag: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(tag);
    let mut attributes = Vec::new();
    let mut rest = text.as_ref();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if rest.is_empty() {
            return attributes;
        }
        let name_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_owned();
        rest = rest[name_end..].trim_start();
        let Some(after_equals) = rest.strip_prefix('=') else {
            attributes.push((name, String::new()));
            continue;
        };
        rest = after_equals.trim_start();
        let value;
        if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let inner = &rest[1..];
            let close = inner.find(quote).unwrap_or(inner.len());
            value = inner[..close].to_owned();
            rest = inner.get(close + 1..).unwrap_or("");
        } else {
            let end = rest
                .find(|c: char| c.is_ascii_whitespace())
                .unwrap_or(rest.len());
            value = rest[..end].to_owned();
            rest = &rest[end..];
        }
        attributes.push((name, value));
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|position| position + from)
}

/// Reads a body of any encoding as UTF-8 while it arrives (a feed parsed item by item): the
/// encoding is found in the first 1024 bytes as [`detect`] finds it, except that a body that
/// declares nothing is taken for UTF-8 (the rest is not there yet to be checked). A
/// byte-order mark is dropped; malformed sequences become U+FFFD.
pub struct Utf8Reader<R> {
    inner: R,
    content_type: Option<String>,
    decoder: Option<encoding_rs::Decoder>,
    input: Vec<u8>,
    output: Vec<u8>,
    /// How much of `output` has been handed out.
    handed: usize,
    done: bool,
}

/// Input read from the inner reader per decoding step.
const DECODE_CHUNK: usize = 16 * 1024;

impl<R: Read> Utf8Reader<R> {
    pub fn new(inner: R, content_type: Option<&str>) -> Utf8Reader<R> {
        Utf8Reader {
            inner,
            content_type: content_type.map(str::to_owned),
            decoder: None,
            input: Vec::with_capacity(DECODE_CHUNK),
            output: Vec::new(),
            handed: 0,
            done: false,
        }
    }

    /// Reads into `input` until it holds `want` bytes or the body ends; false at the end.
    fn fill(&mut self, want: usize) -> std::io::Result<bool> {
        self.input.clear();
        let mut chunk = [0u8; 4096];
        while self.input.len() < want {
            let room = (want - self.input.len()).min(chunk.len());
            match self.inner.read(&mut chunk[..room]) {
                Ok(0) => return Ok(false),
                Ok(n) => self.input.extend_from_slice(&chunk[..n]),
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        Ok(true)
    }

    /// Decodes the next piece of input into `output`.
    fn decode_next(&mut self) -> std::io::Result<()> {
        let more = match self.decoder {
            Some(_) => self.fill(DECODE_CHUNK)?,
            None => {
                let more = self.fill(PRESCAN_BYTES)?;
                // Without a mark or a declaration, UTF-8: the rest is not there yet to be checked.
                let encoding = declared(&self.input, self.content_type.as_deref()).unwrap_or(UTF_8);
                // Sniffs a BOM (which wins, as in `detect`) and drops it.
                self.decoder = Some(encoding.new_decoder());
                more
            }
        };
        let last = !more;
        let Some(decoder) = self.decoder.as_mut() else {
            return Ok(());
        };
        let room = decoder
            .max_utf8_buffer_length(self.input.len())
            .unwrap_or(self.input.len() * 3 + 16);
        self.output.clear();
        self.output.resize(room, 0);
        self.handed = 0;
        let (_, _read, written, _malformed) =
            decoder.decode_to_utf8(&self.input, &mut self.output, last);
        self.output.truncate(written);
        self.done = last;
        Ok(())
    }
}

impl<R: Read> Read for Utf8Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.handed < self.output.len() {
                let n = buf.len().min(self.output.len() - self.handed);
                buf[..n].copy_from_slice(&self.output[self.handed..self.handed + n]);
                self.handed += n;
                return Ok(n);
            }
            if self.done || buf.is_empty() {
                return Ok(0);
            }
            self.decode_next()?;
        }
    }
}

/// Why a gzipped body could not be unpacked.
#[derive(Debug, thiserror::Error)]
pub enum GunzipError {
    #[error("gzip data unpacks to more than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("invalid gzip data")]
    Invalid(#[source] std::io::Error),
}

/// Whether `body` starts with the gzip magic number: a `.xml.gz` sitemap served as
/// `application/gzip` (no Content-Encoding), which the HTTP client leaves packed.
pub fn is_gzip(body: &[u8]) -> bool {
    body.starts_with(&[0x1f, 0x8b])
}

/// Unpacks gzip data, refusing to produce more than `max_bytes`: a gzip bomb fails after
/// `max_bytes`, not after filling memory. Concatenated members are read as one stream.
pub fn gunzip(body: &[u8], max_bytes: u64) -> Result<Vec<u8>, GunzipError> {
    let decoder = flate2::read::MultiGzDecoder::new(body);
    let mut out = Vec::new();
    decoder
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(GunzipError::Invalid)?;
    if out.len() as u64 > max_bytes {
        return Err(GunzipError::TooLarge { limit: max_bytes });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// Hands out one byte per read, as a slow network would.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((byte, rest)), Some(slot)) => {
                    *slot = *byte;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    fn read_utf8(body: &[u8], content_type: Option<&str>) -> String {
        let mut text = String::new();
        Utf8Reader::new(Trickle(body), content_type)
            .read_to_string(&mut text)
            .expect("valid UTF-8 out");
        text
    }

    #[test]
    fn a_body_read_as_it_arrives_comes_out_as_utf8() {
        let mut latin1 = b"<?xml version='1.0' encoding='ISO-8859-1'?><rss>".to_vec();
        let words = "caf\u{e9} \u{20ac} ".repeat(400);
        let (encoded, _, _) = WINDOWS_1252.encode(&words);
        latin1.extend_from_slice(&encoded);
        latin1.extend_from_slice(b"</rss>");
        let text = read_utf8(&latin1, None);
        assert!(text.contains(&words), "decoded across chunk boundaries");
        assert!(text.ends_with("</rss>"));
        // The header's charset, a byte-order mark, and UTF-8 by default.
        assert_eq!(
            read_utf8(b"<a>caf\xe9</a>", Some("text/xml; charset=latin1")),
            "<a>caf\u{e9}</a>"
        );
        assert_eq!(
            read_utf8(b"\xef\xbb\xbf<a>\xc3\xa9</a>", None),
            "<a>\u{e9}</a>"
        );
        assert_eq!(read_utf8(b"<a>\xff</a>", None), "<a>\u{fffd}</a>");
        assert_eq!(read_utf8(b"", None), "");
    }

    fn check(body: &[u8], content_type: Option<&str>, expected_encoding: &str, expected: &str) {
        assert_eq!(
            detect(body, content_type).name(),
            expected_encoding,
            "{content_type:?}"
        );
        assert_eq!(decode(body, content_type), expected);
    }

    #[test]
    fn the_header_charset_decodes_latin1() {
        check(
            b"caf\xe9 \x80",
            Some("text/html; charset=ISO-8859-1"),
            "windows-1252",
            "café €",
        );
        check(
            b"\xeb",
            Some("text/plain;charset=\"latin1\""),
            "windows-1252",
            "ë",
        );
        check(
            "één".as_bytes(),
            Some("text/html; charset=utf-8"),
            "UTF-8",
            "één",
        );
    }

    #[test]
    fn a_bom_beats_the_header() {
        check(
            b"\xef\xbb\xbfcaf\xc3\xa9",
            Some("text/html; charset=iso-8859-1"),
            "UTF-8",
            "café",
        );
        check(b"\xff\xfeh\x00i\x00", None, "UTF-16LE", "hi");
    }

    #[test]
    fn the_header_beats_a_meta() {
        let body = b"<meta charset=\"utf-8\"><p>caf\xe9";
        check(
            body,
            Some("text/html; charset=windows-1252"),
            "windows-1252",
            "<meta charset=\"utf-8\"><p>café",
        );
    }

    #[test]
    fn meta_declarations_in_the_first_kilobyte() {
        check(
            b"<html><head><META CHARSET=iso-8859-1><title>\xe9",
            None,
            "windows-1252",
            "<html><head><META CHARSET=iso-8859-1><title>é",
        );
        check(
            b"<meta http-equiv='Content-Type' content='text/html; charset=ISO-8859-15'>\xa4",
            Some("text/html"),
            "ISO-8859-15",
            "<meta http-equiv='Content-Type' content='text/html; charset=ISO-8859-15'>€",
        );
        check(
            b"<metadata charset=latin1><meta name=x charset='utf-8'>\xc3\xa9",
            None,
            "UTF-8",
            "<metadata charset=latin1><meta name=x charset='utf-8'>é",
        );
        check(
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><urlset>\xe9",
            None,
            "windows-1252",
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><urlset>é",
        );
        // A meta claiming UTF-16 in an ASCII-compatible document means UTF-8.
        check(
            b"<meta charset=utf-16>ok",
            None,
            "UTF-8",
            "<meta charset=utf-16>ok",
        );
    }

    #[test]
    fn a_meta_after_the_first_kilobyte_is_not_seen() {
        let mut body = vec![b' '; PRESCAN_BYTES];
        body.extend_from_slice(b"<meta charset=iso-8859-1>\xc3\xa9");
        assert_eq!(detect(&body, None).name(), "UTF-8");
    }

    #[test]
    fn undeclared_bodies_are_utf8_else_windows_1252() {
        check("zoë".as_bytes(), None, "UTF-8", "zoë");
        check(b"zo\xeb", None, "windows-1252", "zoë");
        check(b"", None, "UTF-8", "");
    }

    #[test]
    fn unknown_labels_fall_through() {
        check(
            "é".as_bytes(),
            Some("text/html; charset=nonsense"),
            "UTF-8",
            "é",
        );
        check(
            b"<meta charset=\"bogus\">",
            None,
            "UTF-8",
            "<meta charset=\"bogus\">",
        );
    }

    #[test]
    fn charset_params() {
        assert_eq!(charset_param("text/html; charset=UTF-8"), Some("UTF-8"));
        assert_eq!(
            charset_param("text/html;Charset='koi8-r' ; q=1"),
            Some("koi8-r")
        );
        assert_eq!(charset_param("text/html"), None);
        assert_eq!(charset_param("text/html; charset="), None);
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn gunzip_unpacks_a_sitemap() {
        let sitemap = b"<?xml version=\"1.0\"?><urlset></urlset>";
        let packed = gzip(sitemap);
        assert!(is_gzip(&packed));
        assert!(!is_gzip(sitemap));
        assert_eq!(gunzip(&packed, 1000).unwrap(), sitemap);
        assert_eq!(gunzip(&packed, sitemap.len() as u64).unwrap(), sitemap);
    }

    #[test]
    fn gunzip_stops_a_bomb_at_the_limit() {
        let bomb = gzip(&vec![0; 20_000_000]);
        assert!(bomb.len() < 100_000);
        let error = gunzip(&bomb, 5_000_000).unwrap_err();
        assert_eq!(
            error.to_string(),
            "gzip data unpacks to more than 5000000 bytes"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_and_header_decode(
            body in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
            content_type in "\\PC{0,40}",
        ) {
            let _ = decode(&body, Some(&content_type));
            let _ = decode(&body, None);
        }
    }

    #[test]
    fn gunzip_reports_garbage() {
        let error = gunzip(b"\x1f\x8bnot really gzip", 1000).unwrap_err();
        assert!(matches!(error, GunzipError::Invalid(_)), "{error}");
    }
}
