//! A CycloneDX XML document in the shape of its JSON encoding.
//!
//! The profile rules and `sovra verify` read one shape; this module maps the
//! XML elements they look at (metadata, components and their nested
//! components, dependencies, compositions, vulnerabilities) onto the JSON
//! names, and records each mapped value's source line under its JSON pointer,
//! so findings name the XML line. Elements the rules never read are left out:
//! the XSD check (`xmllint`) covers the whole document.

use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use serde_json::{Map, Value};

use super::LoadError;

/// Element nesting accepted; CycloneDX nests components, but never this deep.
const MAX_DEPTH: usize = 200;
const NAMESPACE_PREFIX: &str = "http://cyclonedx.org/schema/bom/";

struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
    line: u32,
}

impl Node {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    fn text_of(&self, name: &str) -> Option<String> {
        self.child(name).map(|c| c.text.trim().to_string())
    }
}

/// The document as JSON-shaped value, its specification version and the
/// line of each mapped value.
pub fn read(text: &str, file: &str) -> Result<(Value, String, HashMap<String, u32>), LoadError> {
    let root = tree(text, file)?;
    let xmlns = root.attr("xmlns").unwrap_or_default();
    let spec = match (root.name.as_str(), xmlns.strip_prefix(NAMESPACE_PREFIX)) {
        ("bom", Some(v)) if !v.is_empty() => v.to_string(),
        _ => {
            return Err(LoadError::new(
                file,
                Some(root.line),
                format!("not a CycloneDX document: root element <{}> in namespace `{xmlns}`", root.name),
            ));
        }
    };
    let mut m = Mapper { lines: HashMap::new() };
    let mut bom = Map::new();
    bom.insert("bomFormat".into(), "CycloneDX".into());
    bom.insert("specVersion".into(), spec.clone().into());
    m.mark("", &root);
    for attr in ["serialNumber", "version"] {
        if let Some(v) = root.attr(attr) {
            m.mark(&format!("/{attr}"), &root);
            let v = if attr == "version" { v.parse::<u64>().map(Value::from).unwrap_or_else(|_| v.into()) } else { v.into() };
            bom.insert(attr.into(), v);
        }
    }
    if let Some(meta) = root.child("metadata") {
        bom.insert("metadata".into(), m.metadata(meta, "/metadata"));
    }
    if let Some(list) = root.child("components") {
        bom.insert("components".into(), m.components(list, "/components"));
    }
    if let Some(deps) = root.child("dependencies") {
        m.mark("/dependencies", deps);
        let items = deps
            .all("dependency")
            .enumerate()
            .map(|(i, d)| {
                let ptr = format!("/dependencies/{i}");
                m.mark(&ptr, d);
                let on: Vec<Value> = d.all("dependency").filter_map(|x| x.attr("ref")).map(Value::from).collect();
                let mut o = Map::new();
                o.insert("ref".into(), d.attr("ref").unwrap_or_default().into());
                o.insert("dependsOn".into(), Value::Array(on));
                Value::Object(o)
            })
            .collect();
        bom.insert("dependencies".into(), Value::Array(items));
    }
    if let Some(list) = root.child("compositions") {
        m.mark("/compositions", list);
        let items = list
            .all("composition")
            .enumerate()
            .map(|(i, c)| {
                m.mark(&format!("/compositions/{i}"), c);
                let refs = |outer: &str, inner: &str| -> Value {
                    let found = c.child(outer).into_iter().flat_map(|o| o.all(inner).filter_map(|x| x.attr("ref")));
                    Value::Array(found.map(Value::from).collect())
                };
                let mut o = Map::new();
                o.insert("aggregate".into(), c.text_of("aggregate").unwrap_or_default().into());
                o.insert("assemblies".into(), refs("assemblies", "assembly"));
                o.insert("dependencies".into(), refs("dependencies", "dependency"));
                Value::Object(o)
            })
            .collect();
        bom.insert("compositions".into(), Value::Array(items));
    }
    if let Some(v) = root.child("vulnerabilities") {
        m.mark("/vulnerabilities", v);
        let items = v.all("vulnerability").map(|x| Value::from(x.attr("bom-ref").unwrap_or_default())).collect();
        bom.insert("vulnerabilities".into(), Value::Array(items));
    }
    Ok((Value::Object(bom), spec, m.lines))
}

struct Mapper {
    lines: HashMap<String, u32>,
}

impl Mapper {
    fn mark(&mut self, ptr: &str, node: &Node) {
        self.lines.insert(ptr.to_string(), node.line);
    }

    fn metadata(&mut self, meta: &Node, ptr: &str) -> Value {
        self.mark(ptr, meta);
        let mut o = Map::new();
        if let Some(t) = meta.child("timestamp") {
            self.mark(&format!("{ptr}/timestamp"), t);
            o.insert("timestamp".into(), t.text.trim().into());
        }
        // `manufacture` is the deprecated 1.5 name of `manufacturer`.
        for key in ["manufacturer", "manufacture", "supplier"] {
            if let Some(e) = meta.child(key) {
                o.insert(key.into(), self.entity(e, &format!("{ptr}/{key}")));
            }
        }
        if let Some(c) = meta.child("component") {
            o.insert("component".into(), self.component(c, &format!("{ptr}/component")));
        }
        Value::Object(o)
    }

    /// An `organizationalEntity`: name, urls, contacts.
    fn entity(&mut self, e: &Node, ptr: &str) -> Value {
        self.mark(ptr, e);
        let mut o = Map::new();
        if let Some(name) = e.text_of("name") {
            o.insert("name".into(), name.into());
        }
        let urls: Vec<Value> = e.all("url").map(|u| Value::from(u.text.trim())).collect();
        if !urls.is_empty() {
            o.insert("url".into(), Value::Array(urls));
        }
        let contacts: Vec<Value> = e.all("contact").map(contact).collect();
        if !contacts.is_empty() {
            o.insert("contact".into(), Value::Array(contacts));
        }
        Value::Object(o)
    }

    fn components(&mut self, list: &Node, ptr: &str) -> Value {
        self.mark(ptr, list);
        Value::Array(
            list.all("component")
                .enumerate()
                .map(|(i, c)| self.component(c, &format!("{ptr}/{i}")))
                .collect(),
        )
    }

    fn component(&mut self, c: &Node, ptr: &str) -> Value {
        self.mark(ptr, c);
        let mut o = Map::new();
        for attr in ["type", "bom-ref"] {
            if let Some(v) = c.attr(attr) {
                o.insert(attr.into(), v.into());
            }
        }
        for key in ["group", "name", "version", "purl", "cpe", "author"] {
            if let Some(n) = c.child(key) {
                self.mark(&format!("{ptr}/{key}"), n);
                o.insert(key.into(), n.text.trim().into());
            }
        }
        for key in ["manufacturer", "supplier"] {
            if let Some(e) = c.child(key) {
                o.insert(key.into(), self.entity(e, &format!("{ptr}/{key}")));
            }
        }
        if let Some(a) = c.child("authors") {
            o.insert("authors".into(), Value::Array(a.all("author").map(contact).collect()));
        }
        if let Some(h) = c.child("hashes") {
            self.mark(&format!("{ptr}/hashes"), h);
            o.insert("hashes".into(), hashes(h));
        }
        if let Some(l) = c.child("licenses") {
            o.insert("licenses".into(), self.licenses(l, &format!("{ptr}/licenses")));
        }
        if let Some(refs) = c.child("externalReferences") {
            let p = format!("{ptr}/externalReferences");
            self.mark(&p, refs);
            let items = refs
                .all("reference")
                .enumerate()
                .map(|(i, r)| {
                    self.mark(&format!("{p}/{i}"), r);
                    let mut x = Map::new();
                    x.insert("type".into(), r.attr("type").unwrap_or_default().into());
                    x.insert("url".into(), r.text_of("url").unwrap_or_default().into());
                    if let Some(h) = r.child("hashes") {
                        x.insert("hashes".into(), hashes(h));
                    }
                    Value::Object(x)
                })
                .collect();
            o.insert("externalReferences".into(), Value::Array(items));
        }
        if let Some(props) = c.child("properties") {
            let p = format!("{ptr}/properties");
            self.mark(&p, props);
            let items = props
                .all("property")
                .enumerate()
                .map(|(i, n)| {
                    self.mark(&format!("{p}/{i}"), n);
                    let mut x = Map::new();
                    x.insert("name".into(), n.attr("name").unwrap_or_default().into());
                    x.insert("value".into(), n.text.trim().into());
                    Value::Object(x)
                })
                .collect();
            o.insert("properties".into(), Value::Array(items));
        }
        if let Some(list) = c.child("components") {
            o.insert("components".into(), self.components(list, &format!("{ptr}/components")));
        }
        Value::Object(o)
    }

    /// `<license>` and `<expression>` entries in document order, as JSON
    /// `licenses` choices.
    fn licenses(&mut self, l: &Node, ptr: &str) -> Value {
        self.mark(ptr, l);
        let items = l
            .children
            .iter()
            .filter(|e| e.name == "license" || e.name == "expression")
            .enumerate()
            .map(|(i, e)| {
                self.mark(&format!("{ptr}/{i}"), e);
                let ack = e.attr("acknowledgement");
                let mut x = Map::new();
                if e.name == "expression" {
                    x.insert("expression".into(), e.text.trim().into());
                    if let Some(a) = ack {
                        x.insert("acknowledgement".into(), a.into());
                    }
                } else {
                    let mut lic = Map::new();
                    for key in ["id", "name"] {
                        if let Some(v) = e.text_of(key) {
                            lic.insert(key.into(), v.into());
                        }
                    }
                    if let Some(a) = ack {
                        lic.insert("acknowledgement".into(), a.into());
                    }
                    x.insert("license".into(), Value::Object(lic));
                }
                Value::Object(x)
            })
            .collect();
        Value::Array(items)
    }
}

fn contact(c: &Node) -> Value {
    let mut o = Map::new();
    for key in ["name", "email", "phone"] {
        if let Some(v) = c.text_of(key) {
            o.insert(key.into(), v.into());
        }
    }
    Value::Object(o)
}

fn hashes(h: &Node) -> Value {
    Value::Array(
        h.all("hash")
            .map(|x| {
                let mut o = Map::new();
                o.insert("alg".into(), x.attr("alg").unwrap_or_default().into());
                o.insert("content".into(), x.text.trim().into());
                Value::Object(o)
            })
            .collect(),
    )
}

/// The element tree, built without recursion; entities other than the
/// predefined ones and character references are never expanded.
fn tree(text: &str, file: &str) -> Result<Node, LoadError> {
    let newlines: Vec<usize> = text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i).collect();
    let line_at = |offset: u64| 1 + newlines.partition_point(|&nl| (nl as u64) < offset) as u32;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let start = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            LoadError::new(file, Some(line_at(reader.error_position())), format!("not well-formed XML: {e}"))
        })?;
        let line = line_at(start);
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(LoadError::new(file, Some(line), "content after the root element".into()));
            }
            Event::Start(s) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(LoadError::new(file, Some(line), format!("elements nested deeper than {MAX_DEPTH} levels")));
                }
                stack.push(node(&s, line));
            }
            Event::Empty(s) => {
                let n = node(&s, line);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(n),
                    None => root = Some(n),
                }
            }
            Event::End(_) => {
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
                    Some(n) => n.text.push_str(&content),
                    None if content.trim().is_empty() => {}
                    None => return Err(LoadError::new(file, Some(line), "text outside the root element: not XML".into())),
                }
            }
            Event::CData(t) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&t.xml_content(XmlVersion::Implicit1_0));
                }
            }
            Event::GeneralRef(r) => {
                let piece = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => match &*r {
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "amp" => "&".into(),
                        "apos" => "'".into(),
                        "quot" => "\"".into(),
                        other => format!("&{other};"),
                    },
                };
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&piece);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(LoadError::new(
            file,
            Some(line_at(text.len() as u64)),
            format!("truncated XML: <{}> opened at line {} is never closed", open.name, open.line),
        ));
    }
    root.ok_or_else(|| LoadError::new(file, Some(1), "no XML element found".into()))
}

fn node(s: &BytesStart<'_>, line: u32) -> Node {
    let name = s.local_name().as_ref().to_string();
    let attrs = s
        .attributes()
        .with_checks(false)
        .flatten()
        .map(|a| {
            // The default namespace declaration keeps its full name.
            let key = a.key.as_ref().to_string();
            let key = if key == "xmlns" { key } else { a.key.local_name().as_ref().to_string() };
            let value = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.to_string());
            (key, value)
        })
        .collect();
    Node { name, attrs, text: String::new(), children: Vec::new(), line }
}
