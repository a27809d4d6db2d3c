//! A small element tree over quick-xml, with line numbers.
//!
//! MSBuild files are small; reading them into a tree first lets the evaluator
//! walk `Project > PropertyGroup > Name` without a hand-written state machine.

use quick_xml::Reader;
use quick_xml::events::Event;
use sovra_core::plugin::line_of;

/// Deepest element nesting accepted. MSBuild files nest a handful of levels;
/// the bound keeps hostile input from exhausting the stack of later walks.
const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    /// Text content (concatenated, trimmed).
    pub text: String,
    pub line: u32,
}

impl Element {
    /// An attribute by name, compared case-insensitively as MSBuild does.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// A child element's text, for item metadata written as elements
    /// (`<PackageReference Include="X"><Version>1.0</Version></PackageReference>`).
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.children.iter().find(|c| c.is(name)).map(|c| c.text.as_str())
    }

    /// Metadata given either as attribute or as child element.
    pub fn metadata(&self, name: &str) -> Option<&str> {
        self.attr(name).or_else(|| self.child_text(name)).map(str::trim).filter(|s| !s.is_empty())
    }
}

/// Why a document could not be read, and where.
#[derive(Debug, PartialEq)]
pub struct XmlError {
    pub line: u32,
    pub message: String,
    /// The document ended inside an element.
    pub truncated: bool,
}

/// Parse a document into its root element.
pub fn parse(text: &str) -> Result<Element, XmlError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let err = |line: u32, message: String| XmlError { line, message, truncated: false };
    loop {
        let pos = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| err(line_of(text, reader.error_position() as usize), format!("malformed XML: {e}")))?;
        match event {
            Event::Start(e) | Event::Empty(e) if stack.len() >= MAX_DEPTH => {
                let _ = e;
                return Err(err(line_of(text, pos), format!("elements nested deeper than {MAX_DEPTH}")));
            }
            Event::Start(e) => stack.push(element(&e, line_of(text, pos))?),
            Event::Empty(e) => {
                let el = element(&e, line_of(text, pos))?;
                attach(&mut stack, &mut root, el, text, pos)?;
            }
            Event::End(_) => {
                let Some(mut el) = stack.pop() else {
                    return Err(err(line_of(text, pos), "closing tag without opening tag".into()));
                };
                el.text = el.text.trim().to_string();
                attach(&mut stack, &mut root, el, text, pos)?;
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                } else if !t.xml10_content().trim().is_empty() {
                    return Err(err(line_of(text, pos), "text outside the root element".into()));
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match &*r.into_inner() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                if let (Some(top), Some(c)) = (stack.last_mut(), resolved) {
                    top.text.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(XmlError {
            line: line_of(text, text.len()),
            message: format!("document ends inside <{}> (truncated?)", open.name),
            truncated: true,
        });
    }
    root.ok_or_else(|| XmlError { line: 1, message: "no root element".into(), truncated: true })
}

fn element(e: &quick_xml::events::BytesStart<'_>, line: u32) -> Result<Element, XmlError> {
    let name = e.local_name().as_ref().to_string();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| XmlError { line, message: format!("malformed attribute: {err}"), truncated: false })?;
        let key = a.key.local_name().as_ref().to_string();
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| XmlError { line, message: format!("malformed attribute value: {err}"), truncated: false })?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(Element { name, attrs, line, ..Element::default() })
}

fn attach(
    stack: &mut [Element],
    root: &mut Option<Element>,
    el: Element,
    text: &str,
    pos: usize,
) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None if root.is_none() => *root = Some(el),
        None => {
            return Err(XmlError {
                line: line_of(text, pos),
                message: "more than one root element".into(),
                truncated: false,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_attributes_children_text_and_lines() {
        let doc = "<Project>\n  <ItemGroup>\n    <PackageReference Include=\"A&amp;B\" />\n    \
                   <PackageReference Include=\"C\"><Version>1.0 &lt;x&gt;</Version></PackageReference>\n  \
                   </ItemGroup>\n</Project>";
        let root = parse(doc).unwrap();
        let group = &root.children[0];
        assert_eq!(group.children[0].attr("include"), Some("A&B"));
        assert_eq!(group.children[0].line, 3);
        assert_eq!(group.children[1].metadata("Version"), Some("1.0 <x>"));
        assert_eq!(group.children[1].line, 4);
    }

    #[test]
    fn reports_truncation_and_mismatched_tags() {
        let e = parse("<Project>\n<ItemGroup>\n").unwrap_err();
        assert!(e.truncated);
        let e = parse("<Project>\n<A></B>\n</Project>").unwrap_err();
        assert!(!e.truncated);
        assert_eq!(e.line, 2);
        assert!(parse("not xml at all").is_err());
    }
}
