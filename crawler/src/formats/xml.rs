//! A small, forgiving XML reader on top of quick-xml, for the XML formats (sitemaps, RSS, Atom,
//! Indeed, Personio): names are local (namespace prefixes dropped), entities decoded, CDATA
//! kept as text, mismatched end tags tolerated, and a body cut off mid-way still gives the
//! part that arrived.
//!
//! A document is read item by item ([`Items`]): only the element being read (a feed's
//! `<item>`, a sitemap's `<url>`) is built as a tree, so that a feed of thousands of postings
//! holds one of them at a time, not the whole document twice over.

use std::io::BufRead;

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

    /// The bytes of its name and attributes.
    fn size(&self) -> usize {
        self.name.len()
            + self
                .attrs
                .iter()
                .map(|(key, value)| key.len() + value.len())
                .sum::<usize>()
    }

    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// A document opened up to its root element, ready to be read item by item.
pub(crate) struct Document<R> {
    reader: Reader<R>,
    buf: Vec<u8>,
    /// The root element: its name and attributes, without children.
    root: Element,
    /// The root was written `<root/>`: nothing is inside.
    root_is_empty: bool,
}

/// Opens a document: reads up to its root element. An error (or the end) before any element
/// is an error; anything later is forgiven as far as it can be (see [`Items`]).
pub(crate) fn open(body: &str) -> Result<Document<&[u8]>, FormatError> {
    open_reader(body.trim_start_matches('\u{feff}').as_bytes())
}

/// Opens a document that is read as it arrives (UTF-8, without a byte-order mark).
pub(crate) fn open_reader<R: BufRead>(input: R) -> Result<Document<R>, FormatError> {
    let mut reader = Reader::from_reader(input);
    let mut buf = Vec::new();
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.allow_dangling_amp = true;
    loop {
        buf.clear();
        let (root, root_is_empty) = match reader.read_event_into(&mut buf) {
            Ok(Event::Start(start)) => (element(&start), false),
            Ok(Event::Empty(start)) => (element(&start), true),
            Ok(Event::Eof) => return Err(FormatError::Xml("no root element".to_owned())),
            Ok(_) => continue,
            Err(error) => {
                return Err(FormatError::Xml(format!(
                    "at byte {}: {error}",
                    reader.error_position()
                )));
            }
        };
        return Ok(Document {
            reader,
            buf,
            root,
            root_is_empty,
        });
    }
}

impl<R: BufRead> Document<R> {
    /// The root element's name and attributes (its children are not read yet).
    pub(crate) fn root(&self) -> &Element {
        &self.root
    }

    /// Reads the elements at `path` below the root, one at a time. Every step of the path but
    /// the last takes the first child of that name (as [`Element::child`]); the last takes
    /// every child of that name (as [`Element::children_named`]). An empty path reads the
    /// root itself as the one item.
    pub(crate) fn items(self, path: &'static [&'static str]) -> Items<R> {
        let mut items = Items {
            reader: self.reader,
            buf: self.buf,
            item_bytes: 0,
            max_item_bytes: usize::MAX,
            path,
            outside: Vec::new(),
            item: Vec::new(),
            ready: None,
            note: None,
            done: false,
        };
        if path.is_empty() {
            if self.root_is_empty {
                items.ready = Some(self.root);
            } else {
                items.item.push(self.root);
            }
        } else if !self.root_is_empty {
            items.outside.push(Open {
                name: self.root.name,
                on_path: true,
                took_child: false,
            });
        }
        items
    }
}

/// An open element outside the item being read: only its name is kept.
struct Open {
    name: String,
    /// The root, or the first child of its name along the path.
    on_path: bool,
    /// Whether the child of the path's next name has been taken (only the first is followed).
    took_child: bool,
}

/// The items of a document, each a whole [`Element`], in document order. After the last item
/// comes nothing; an error that makes the document unreadable (nesting too deep, broken XML
/// after the root element closed) is yielded once, after the items before it.
pub(crate) struct Items<R> {
    reader: Reader<R>,
    /// The reader's buffer for the event being read.
    buf: Vec<u8>,
    /// Text and names held by the item being read, roughly; past `max_item_bytes` the
    /// document is unreadable.
    item_bytes: usize,
    max_item_bytes: usize,
    path: &'static [&'static str],
    /// Open elements outside the item being read, the root first.
    outside: Vec<Open>,
    /// The item being read and its open descendants, innermost last. While it is not empty,
    /// the open elements are `outside` followed by these, and `outside.len() == path.len()`.
    item: Vec<Element>,
    /// An item complete before the next event is read.
    ready: Option<Element>,
    note: Option<String>,
    done: bool,
}

impl<R: BufRead> Items<R> {
    /// Refuses an item of more than `max` bytes of text and names: the document is then
    /// unreadable from there on (a feed's item is a posting, never megabytes).
    pub(crate) fn with_item_limit(mut self, max: usize) -> Self {
        self.max_item_bytes = max;
        self
    }

    /// Once the items are read: why the document ended early or broke off, when it did (the
    /// items then are those that arrived).
    pub(crate) fn take_note(&mut self) -> Option<String> {
        self.note.take()
    }

    fn depth(&self) -> usize {
        self.outside.len() + self.item.len()
    }

    /// Closes the innermost open element; returns the item when that was the item.
    fn close(&mut self) -> Option<Element> {
        if let Some(done) = self.item.pop() {
            match self.item.last_mut() {
                Some(parent) => parent.children.push(Node::Element(done)),
                None => {
                    self.item_bytes = 0;
                    return Some(done);
                }
            }
        } else {
            self.outside.pop();
        }
        None
    }

    /// Closes every open element, at the end of the body or where it broke off.
    fn close_all(&mut self) -> Option<Element> {
        let mut item = None;
        while self.depth() > 0 {
            item = self.close().or(item);
        }
        item
    }

    /// Where an element opening now belongs: in the item being read, as a new item, or outside.
    fn place(&mut self, start: &BytesStart<'_>) -> Place {
        if !self.item.is_empty() {
            return Place::InItem;
        }
        let depth = self.outside.len();
        let path = self.path;
        let Some(parent) = self.outside.last_mut().filter(|parent| parent.on_path) else {
            return Place::Outside { on_path: false };
        };
        let name = local(start.name().as_ref());
        let Some(wanted) = path.get(depth - 1) else {
            return Place::Outside { on_path: false };
        };
        if !name.eq_ignore_ascii_case(wanted) {
            return Place::Outside { on_path: false };
        }
        if depth == path.len() {
            return Place::Item;
        }
        let on_path = !parent.took_child;
        parent.took_child = true;
        Place::Outside { on_path }
    }

    fn push_text(&mut self, text: &str) {
        // Text outside the items is not needed.
        let Some(top) = self.item.last_mut() else {
            return;
        };
        self.item_bytes += text.len();
        if let Some(Node::Text(last)) = top.children.last_mut() {
            last.push_str(text);
        } else {
            top.children.push(Node::Text(text.to_owned()));
        }
    }

    fn read(&mut self) -> Option<Result<Element, FormatError>> {
        let mut buf = std::mem::take(&mut self.buf);
        let read = self.read_with(&mut buf);
        self.buf = buf;
        read
    }

    fn read_with(&mut self, buf: &mut Vec<u8>) -> Option<Result<Element, FormatError>> {
        loop {
            if self.item_bytes > self.max_item_bytes {
                self.done = true;
                return Some(Err(FormatError::Xml(format!(
                    "at byte {}: an item of more than {} bytes",
                    self.reader.buffer_position(),
                    self.max_item_bytes
                ))));
            }
            buf.clear();
            let event = match self.reader.read_event_into(buf) {
                Ok(event) => event,
                Err(error) => {
                    let message = format!("at byte {}: {error}", self.reader.error_position());
                    self.done = true;
                    if self.depth() == 0 {
                        return Some(Err(FormatError::Xml(message)));
                    }
                    self.note = Some(format!("XML broke off {message}"));
                    return self.close_all().map(Ok);
                }
            };
            match event {
                Event::Start(start) => {
                    if self.depth() + 1 > MAX_DEPTH {
                        self.done = true;
                        return Some(Err(FormatError::Xml(format!(
                            "at byte {}: nesting deeper than {MAX_DEPTH}",
                            self.reader.buffer_position()
                        ))));
                    }
                    match self.place(&start) {
                        Place::InItem | Place::Item => {
                            let element = element(&start);
                            self.item_bytes += element.size();
                            self.item.push(element);
                        }
                        Place::Outside { on_path } => self.outside.push(Open {
                            name: local(start.name().as_ref()),
                            on_path,
                            took_child: false,
                        }),
                    }
                }
                Event::Empty(start) => match self.place(&start) {
                    Place::InItem => {
                        let empty = element(&start);
                        self.item_bytes += empty.size();
                        if let Some(top) = self.item.last_mut() {
                            top.children.push(Node::Element(empty));
                        }
                    }
                    Place::Item => return Some(Ok(element(&start))),
                    Place::Outside { .. } => {}
                },
                Event::End(end) => {
                    let name = local(end.name().as_ref());
                    // Close up to the matching open element; a stray end tag closes nothing.
                    let matching = match self.item.iter().rposition(|open| open.name == name) {
                        Some(index) => Some(self.outside.len() + index),
                        None => self.outside.iter().rposition(|open| open.name == name),
                    };
                    if let Some(depth) = matching {
                        let mut item = None;
                        while self.depth() > depth {
                            item = self.close().or(item);
                        }
                        if item.is_some() {
                            return item.map(Ok);
                        }
                    }
                }
                Event::Text(text) => self.push_text(&text.xml10_content()),
                Event::CData(data) => self.push_text(&data.xml10_content()),
                Event::GeneralRef(reference) => {
                    let decoded = match reference.resolve_char_ref() {
                        Ok(Some(ch)) => ch.to_string(),
                        _ => named_entity(&reference.xml10_content()),
                    };
                    self.push_text(&decoded);
                }
                Event::Eof => {
                    self.done = true;
                    if self.depth() > 0 {
                        self.note = Some("XML ended before its elements were closed".to_owned());
                    }
                    return self.close_all().map(Ok);
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
    }
}

/// Where an opening element goes.
enum Place {
    /// Inside the item being read.
    InItem,
    /// It is the next item.
    Item,
    Outside {
        on_path: bool,
    },
}

impl<R: BufRead> Iterator for Items<R> {
    type Item = Result<Element, FormatError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(item) = self.ready.take() {
            return Some(Ok(item));
        }
        if self.done {
            return None;
        }
        self.read()
    }
}

/// The whole document as one tree (the root read as the one item), and a note when the body
/// ended early or broke off (the tree then holds what came before). For documents that are
/// small or needed whole; a long list is better read with [`Document::items`].
pub(crate) fn parse(body: &str) -> Result<(Element, Option<String>), FormatError> {
    let mut items = open(body)?.items(&[]);
    let mut root = None;
    for item in items.by_ref() {
        root = root.or(Some(item?));
    }
    let root = root.ok_or_else(|| FormatError::Xml("no root element".to_owned()))?;
    Ok((root, items.take_note()))
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

    /// The `loc` of each item at `path`, or the error that ended the reading.
    fn locs(body: &str, path: &'static [&'static str]) -> (Vec<String>, Option<String>) {
        let mut items = open(body).expect("a root element").items(path);
        let mut read = Vec::new();
        for item in items.by_ref() {
            match item {
                Ok(item) => read.push(item.child_text("loc").unwrap_or_default()),
                Err(error) => read.push(format!("error: {error}")),
            }
        }
        (read, items.take_note())
    }

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

    #[test]
    fn items_are_read_one_by_one_along_the_path() {
        let body = "<rss><title>x</title><channel><item><loc>1</loc></item>\
            <image><item><loc>not an item</loc></item></image>\
            <item/><ITEM><loc>3</loc></ITEM></channel>\
            <channel><item><loc>second channel</loc></item></channel></rss>";
        assert_eq!(
            locs(body, &["channel", "item"]),
            (vec!["1".to_owned(), String::new(), "3".to_owned()], None)
        );
        let (all, _) = locs(body, &["channel"]);
        assert_eq!(all.len(), 2, "the last step takes every child of its name");
        let (none, note) = locs("<rss/>", &["channel", "item"]);
        assert_eq!((none.len(), note), (0, None));
    }

    #[test]
    fn a_broken_item_in_the_middle_keeps_the_items_after_it() {
        // The second item's end tags are wrong: </loc> closes nothing, </url> closes it.
        let body = "<urlset><url><loc>a</loc></url><url><loc>b</lc></url>\
            <url><loc>c</loc></url></urlset>";
        let (read, note) = locs(body, &["url"]);
        assert_eq!(read, ["a", "b", "c"]);
        assert_eq!(note, None);
        // An end tag of the list closes the item left open inside it.
        let body = "<urlset><url><loc>a</loc></url><url><loc>b</urlset>";
        assert_eq!(locs(body, &["url"]).0, ["a", "b"]);
    }

    #[test]
    fn a_body_cut_mid_item_gives_what_arrived() {
        let (read, note) = locs("<urlset><url><loc>a</loc></url><url><loc>b", &["url"]);
        assert_eq!(read, ["a", "b"]);
        assert_eq!(
            note.as_deref(),
            Some("XML ended before its elements were closed")
        );
        let (read, note) = locs(
            "<urlset><url><loc>a</loc></url><url><loc>b</loc><",
            &["url"],
        );
        assert_eq!(read, ["a", "b"]);
        assert!(note.is_some_and(|note| note.starts_with("XML broke off at byte")));
    }

    #[test]
    fn errors_come_after_the_items_before_them() {
        let deep = format!(
            "<urlset><url><loc>a</loc></url><url>{}</url></urlset>",
            "<x>".repeat(MAX_DEPTH)
        );
        let (read, _) = locs(&deep, &["url"]);
        assert_eq!(read.len(), 2);
        assert_eq!(read[0], "a");
        assert!(read[1].contains("nesting deeper than 128"), "{}", read[1]);
        // Broken XML after the root element closed makes the document unreadable, as before.
        let (read, _) = locs("<urlset><url><loc>a</loc></url></urlset><!-- ", &["url"]);
        assert_eq!(read.len(), 2);
        assert!(read[1].starts_with("error: "), "{}", read[1]);
        assert!(parse("<urlset></urlset><!-- ").is_err());
    }
}
