//! A small element tree over `quick-xml`, built for untrusted input.
//!
//! POMs, Gradle verification metadata, NuGet nuspecs and CycloneDX XML are
//! read whole into [`Element`]s so that format code can ask for
//! `project/dependencies/dependency` instead of driving a pull parser. The builder is iterative (no recursion on input),
//! refuses documents nested deeper than [`MAX_DEPTH`], and never expands
//! entities: only the five predefined ones and character references are
//! resolved; a DTD's `<!ENTITY>` declarations are ignored and references to
//! them are kept verbatim with a warning.

use crate::model::{Diagnostic, Location};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// Deepest element nesting accepted. Real POMs nest plugin configuration a
/// dozen levels deep; hundreds of levels are an attack, not a build file.
pub const MAX_DEPTH: usize = 256;

/// An element with its local name (namespace prefix dropped), attributes,
/// direct text (all text children joined, untrimmed) and 1-based start line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
    pub line: u32,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The element at a `/`-separated path below this one (first match at each step).
    pub fn at(&self, path: &str) -> Option<&Element> {
        path.split('/').try_fold(self, |e, step| e.child(step))
    }

    /// Every element at a path whose last step may repeat (`dependencies/dependency`).
    pub fn all<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        let (parent, last) = path.rsplit_once('/').map_or((None, path), |(p, l)| (Some(p), l));
        let parent = match parent {
            Some(p) => self.at(p),
            None => Some(self),
        };
        parent.into_iter().flat_map(move |p| p.children(last))
    }

    /// Trimmed text of the child at `path`, `None` when absent or blank.
    pub fn text_at(&self, path: &str) -> Option<String> {
        self.at(path).map(|e| e.text.trim()).filter(|t| !t.is_empty()).map(str::to_string)
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Byte offset to line lookup, built once per document.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        Lines(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i).collect())
    }
    fn line(&self, offset: u64) -> u32 {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        1 + self.0.partition_point(|&nl| nl < offset) as u32
    }
}

/// Parse a document into its root element, with warnings about things kept
/// verbatim (undefined entities). `Err` says why the document is not usable XML.
pub fn parse(text: &str, path: &str, plugin: &str) -> Result<(Element, Vec<Diagnostic>), Diagnostic> {
    let lines = Lines::new(text);
    let err =
        |line: u32, msg: String| Diagnostic::error(&format!("{plugin}::xml"), Location::new(path, Some(line)), msg);
    let mut warnings = Vec::new();
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let start = reader.buffer_position();
        let event =
            reader.read_event().map_err(|e| err(lines.line(reader.error_position()), format!("malformed XML: {e}")))?;
        let line = lines.line(start);
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(err(line, "content after the root element".into()));
            }
            Event::Start(s) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(Diagnostic::error(
                        &format!("{plugin}::xml-depth"),
                        Location::new(path, Some(line)),
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                stack.push(element(&s, line, path, plugin, &mut warnings));
            }
            Event::Empty(s) => {
                let e = element(&s, line, path, plugin, &mut warnings);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(e),
                    None => root = Some(e),
                }
            }
            Event::End(_) => {
                // quick-xml checks that end names match, so the stack cannot underflow.
                if let Some(done) = stack.pop() {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => root = Some(done),
                    }
                }
            }
            Event::Text(t) => {
                let content = t.xml_content(XmlVersion::Implicit1_0);
                match stack.last_mut() {
                    Some(e) => e.text.push_str(&content),
                    None if content.trim().is_empty() => {}
                    None => {
                        return Err(err(line, "text outside the root element: not an XML document".into()));
                    }
                }
            }
            Event::CData(t) => {
                if let Some(e) = stack.last_mut() {
                    e.text.push_str(&t.xml_content(XmlVersion::Implicit1_0));
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    Ok(None) => predefined(&r).map(str::to_string),
                    Err(e) => return Err(err(line, format!("bad character reference &{};: {e}", &*r))),
                };
                let piece = resolved.unwrap_or_else(|| {
                    warnings.push(entity_warning(path, plugin, line, &r));
                    format!("&{};", &*r)
                });
                match stack.last_mut() {
                    Some(e) => e.text.push_str(&piece),
                    None => return Err(err(line, "entity reference outside the root element".into())),
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(err(
            lines.line(text.len() as u64),
            format!("truncated: <{}> opened at line {} is never closed", open.name, open.line),
        ));
    }
    root.map(|r| (r, warnings)).ok_or_else(|| err(1, "no XML element found".into()))
}

fn element(s: &BytesStart<'_>, line: u32, path: &str, plugin: &str, warnings: &mut Vec<Diagnostic>) -> Element {
    let name = s.local_name().as_ref().to_string();
    let mut attrs = Vec::new();
    for a in s.attributes().with_checks(false).flatten() {
        let key = a.key.local_name().as_ref().to_string();
        let value = match a.normalized_value(XmlVersion::Implicit1_0) {
            Ok(v) => v.into_owned(),
            Err(_) => {
                warnings.push(Diagnostic::warning(
                    &format!("{plugin}::xml-entity"),
                    Location::new(path, Some(line)),
                    format!("attribute {key} of <{name}> uses an undefined entity; kept unexpanded"),
                ));
                a.value.to_string()
            }
        };
        attrs.push((key, value));
    }
    Element { name, attrs, line, ..Element::default() }
}

fn predefined(name: &str) -> Option<&'static str> {
    Some(match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "apos" => "'",
        "quot" => "\"",
        _ => return None,
    })
}

fn entity_warning(path: &str, plugin: &str, line: u32, name: &str) -> Diagnostic {
    Diagnostic::warning(
        &format!("{plugin}::xml-entity"),
        Location::new(path, Some(line)),
        format!("entity &{name}; is not expanded (only the predefined XML entities are)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Element {
        parse(text, "f.xml", "t").map(|(e, _)| e).unwrap_or_else(|d| panic!("{d}"))
    }

    #[test]
    fn builds_tree_with_lines_text_and_attributes() {
        let root = ok(
            "<?xml version=\"1.0\"?>\n<p:a xmlns:p=\"u\">\n  <b x=\"1&amp;2\">t&lt;<![CDATA[c]]>&#65;</b>\n  <c/>\n</p:a>\n",
        );
        assert_eq!(root.name, "a");
        let b = root.child("b").unwrap();
        assert_eq!((b.line, b.text.as_str(), b.attr("x")), (3, "t<cA", Some("1&2")));
        assert_eq!(root.child("c").map(|c| c.line), Some(4));
        assert_eq!(root.text_at("c"), None);
    }

    #[test]
    fn entities_from_a_dtd_are_not_expanded() {
        let text = "<!DOCTYPE a [<!ENTITY x \"boom\"><!ENTITY y SYSTEM \"file:///etc/passwd\">]>\n<a><b>&x;&y;</b></a>";
        let (root, warnings) = parse(text, "f.xml", "t").unwrap();
        assert_eq!(root.text_at("b").as_deref(), Some("&x;&y;"));
        assert_eq!(warnings.len(), 2);
        assert!(warnings.iter().all(|w| w.code == "t::xml-entity" && w.location.line == Some(2)));
    }

    #[test]
    fn rejects_truncated_unbalanced_deep_and_non_xml() {
        let e = parse("<a>\n<b>\n", "f.xml", "t").unwrap_err();
        assert_eq!(e.code, "t::xml");
        assert!(e.message.contains("<b> opened at line 2"), "{}", e.message);
        assert_eq!(parse("<a><b></a>", "f", "t").unwrap_err().code, "t::xml");
        assert_eq!(parse("{\"a\": [1]}", "f", "t").unwrap_err().code, "t::xml");
        assert_eq!(parse("<!-- only -->", "f", "t").unwrap_err().code, "t::xml");
        assert_eq!(parse("<a/><b/>", "f", "t").unwrap_err().code, "t::xml");
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert_eq!(parse(&deep, "f", "t").unwrap_err().code, "t::xml-depth");
    }
}
