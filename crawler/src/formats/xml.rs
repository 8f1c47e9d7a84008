//! A small, forgiving XML tree on top of quick-xml, for the XML formats (sitemaps, RSS, Atom,
//! Indeed, Personio): names are local (namespace prefixes dropped), entities decoded, CDATA
//! kept as text, mismatched end tags tolerated, and a body cut off mid-way still gives the
//! part that arrived.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::FormatError;

/// Deeper nesting is refused: no feed needs it, and it guards the stack.
const MAX_DEPTH: usize = 128;

#[derive(Debug, Clone, Default)]
pub(crate) struct Element {
    /// Local name, as written (`encoded` for `content:encoded`).
    pub(crate) name: String,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) children: Vec<Node>,
}

#[derive(Debug, Clone)]
pub(crate) enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    pub(crate) fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    pub(crate) fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|node| match node {
            Node::Element(element) => Some(element),
            Node::Text(_) => None,
        })
    }

    pub(crate) fn children_named<'a, 'n>(
        &'a self,
        name: &'n str,
    ) -> impl Iterator<Item = &'a Element> + use<'a, 'n> {
        self.elements().filter(move |element| element.is(name))
    }

    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children_named(name).next()
    }

    /// All text inside, concatenated, trimmed.
    pub(crate) fn text(&self) -> String {
        let mut text = String::new();
        self.push_text(&mut text);
        text.trim().to_owned()
    }

    fn push_text(&self, text: &mut String) {
        for node in &self.children {
            match node {
                Node::Text(chunk) => text.push_str(chunk),
                Node::Element(element) => element.push_text(text),
            }
        }
    }

    /// The text of the first child named `name`, when it is not empty.
    pub(crate) fn child_text(&self, name: &str) -> Option<String> {
        self.children_named(name)
            .map(Element::text)
            .find(|text| !text.is_empty())
    }

    /// The first non-empty child text among `names`, in that order.
    pub(crate) fn first_text(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|name| self.child_text(name))
    }

    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// The document's root element, and a note when the body ended early or broke off (the tree
/// then holds what came before).
pub(crate) fn parse(body: &str) -> Result<(Element, Option<String>), FormatError> {
    let body = body.trim_start_matches('\u{feff}');
    let mut reader = Reader::from_str(body);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.allow_dangling_amp = true;

    // stack[0] is a synthetic document node; its first element child is the root.
    let mut stack: Vec<Element> = vec![Element::default()];
    let mut note = None;
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(error) => {
                let message = format!("at byte {}: {error}", reader.error_position());
                if stack.len() > 1 {
                    note = Some(format!("XML broke off {message}"));
                    break;
                }
                return Err(FormatError::Xml(message));
            }
        };
        match event {
            Event::Start(start) => {
                if stack.len() > MAX_DEPTH {
                    return Err(FormatError::Xml(format!(
                        "at byte {}: nesting deeper than {MAX_DEPTH}",
                        reader.buffer_position()
                    )));
                }
                stack.push(element(&start));
            }
            Event::Empty(start) => {
                let empty = element(&start);
                push_node(&mut stack, Node::Element(empty));
            }
            Event::End(end) => {
                let name = local(end.name().as_ref());
                // Close up to the matching open element; a stray end tag closes nothing.
                if let Some(depth) = stack.iter().rposition(|open| open.name == name)
                    && depth > 0
                {
                    while stack.len() > depth {
                        close(&mut stack);
                    }
                }
            }
            Event::Text(text) => push_text(&mut stack, &text.xml10_content()),
            Event::CData(data) => push_text(&mut stack, &data.xml10_content()),
            Event::GeneralRef(reference) => {
                let decoded = match reference.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    _ => named_entity(&reference.xml10_content()),
                };
                push_text(&mut stack, &decoded);
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if stack.len() > 1 && note.is_none() {
        note = Some("XML ended before its elements were closed".to_owned());
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    let document = stack.pop().unwrap_or_default();
    let root = document
        .children
        .into_iter()
        .find_map(|node| match node {
            Node::Element(element) => Some(element),
            Node::Text(_) => None,
        })
        .ok_or_else(|| FormatError::Xml("no root element".to_owned()))?;
    Ok((root, note))
}

fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or(name).to_owned()
}

fn element(start: &BytesStart<'_>) -> Element {
    let mut attrs = Vec::new();
    for attribute in start.attributes().with_checks(false).flatten() {
        let key = local(attribute.key.as_ref());
        let raw = attribute.value.as_ref();
        let value = quick_xml::escape::unescape(raw)
            .map(|value| value.into_owned())
            .unwrap_or_else(|_| raw.to_owned());
        attrs.push((key, value));
    }
    Element {
        name: local(start.name().as_ref()),
        attrs,
        children: Vec::new(),
    }
}

fn push_node(stack: &mut [Element], node: Node) {
    if let Some(top) = stack.last_mut() {
        top.children.push(node);
    }
}

fn push_text(stack: &mut [Element], text: &str) {
    let Some(top) = stack.last_mut() else {
        return;
    };
    if let Some(Node::Text(last)) = top.children.last_mut() {
        last.push_str(text);
    } else {
        top.children.push(Node::Text(text.to_owned()));
    }
}

fn close(stack: &mut Vec<Element>) {
    if stack.len() > 1
        && let Some(done) = stack.pop()
    {
        push_node(stack, Node::Element(done));
    }
}

/// XML's five entities and the HTML ones feeds use without declaring; others stay as written.
fn named_entity(name: &str) -> String {
    match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" => "\u{a0}",
        "euro" => "€",
        "eacute" => "é",
        "euml" => "ë",
        "iuml" => "ï",
        "ouml" => "ö",
        "uuml" => "ü",
        "hellip" => "…",
        "ndash" => "–",
        "mdash" => "—",
        other => return format!("&{other};"),
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_namespaces_entities_cdata_and_broken_ends() {
        let body = r#"<?xml version="1.0"?>
            <rss xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
            <item><title>Kok &amp; gastheer&#33;</title>
            <content:encoded><![CDATA[<p>Hallo</p>]]></content:encoded>
            <link href="a?x=1&amp;y=2"/></item></b></channel></rss>"#;
        let (root, note) = parse(body).expect("parses");
        assert_eq!(note, None);
        let item = root
            .child("channel")
            .and_then(|c| c.child("item"))
            .expect("item");
        assert_eq!(item.child_text("title").as_deref(), Some("Kok & gastheer!"));
        assert_eq!(item.child_text("encoded").as_deref(), Some("<p>Hallo</p>"));
        assert_eq!(
            item.child("link").and_then(|l| l.attr("href")),
            Some("a?x=1&y=2")
        );
    }

    #[test]
    fn a_cut_off_body_keeps_what_arrived() {
        let (root, note) =
            parse("<urlset><url><loc>https://a.nl/1</loc></url><url><lo").expect("partial tree");
        assert!(note.is_some());
        assert_eq!(root.children_named("url").count(), 2);
        assert!(parse("not xml at all").is_err());
        assert!(parse("").is_err());
    }
}
