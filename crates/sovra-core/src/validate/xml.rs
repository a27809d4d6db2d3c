//! A CycloneDX XML document in the shape of its JSON encoding.
//!
//! The profile rules and `sovra verify` read one shape; this module maps the
//! XML elements they look at (metadata, components and their nested
//! components, dependencies, compositions, vulnerabilities) onto the JSON
//! names, and records each mapped value's source line under its JSON pointer,
//! so findings name the XML line. Elements the rules never read are left out:
//! the XSD check (`xmllint`) covers the whole document.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::LoadError;
use crate::xml::Element as Node;

const NAMESPACE_PREFIX: &str = "http://cyclonedx.org/schema/bom/";

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
            let v = if attr == "version" {
                v.parse::<u64>().map(Value::from).unwrap_or_else(|_| v.into())
            } else {
                v.into()
            };
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
        let items = m.list(deps, "dependency", "/dependencies", |d| {
            let on: Vec<Value> = d.children("dependency").filter_map(|x| x.attr("ref")).map(Value::from).collect();
            let mut o = Map::new();
            o.insert("ref".into(), d.attr("ref").unwrap_or_default().into());
            o.insert("dependsOn".into(), Value::Array(on));
            o
        });
        bom.insert("dependencies".into(), items);
    }
    if let Some(list) = root.child("compositions") {
        let items = m.list(list, "composition", "/compositions", |c| {
            let refs = |outer: &str, inner: &str| -> Value {
                let found = c.child(outer).into_iter().flat_map(|o| o.all(inner).filter_map(|x| x.attr("ref")));
                Value::Array(found.map(Value::from).collect())
            };
            let mut o = Map::new();
            o.insert("aggregate".into(), c.text_at("aggregate").unwrap_or_default().into());
            o.insert("assemblies".into(), refs("assemblies", "assembly"));
            o.insert("dependencies".into(), refs("dependencies", "dependency"));
            o
        });
        bom.insert("compositions".into(), items);
    }
    if let Some(v) = root.child("vulnerabilities") {
        m.mark("/vulnerabilities", v);
        let items = v.children("vulnerability").map(|x| Value::from(x.attr("bom-ref").unwrap_or_default())).collect();
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

    /// The `child` elements of `parent` as a JSON array at `ptr`, each
    /// mapped by `item`, with their lines.
    fn list(&mut self, parent: &Node, child: &str, ptr: &str, item: impl Fn(&Node) -> Map<String, Value>) -> Value {
        self.mark(ptr, parent);
        let items = parent
            .all(child)
            .enumerate()
            .map(|(i, n)| {
                self.mark(&format!("{ptr}/{i}"), n);
                Value::Object(item(n))
            })
            .collect();
        Value::Array(items)
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
        if let Some(name) = e.text_at("name") {
            o.insert("name".into(), name.into());
        }
        let urls: Vec<Value> = e.children("url").map(|u| Value::from(u.text.trim())).collect();
        if !urls.is_empty() {
            o.insert("url".into(), Value::Array(urls));
        }
        let contacts: Vec<Value> = e.children("contact").map(contact).collect();
        if !contacts.is_empty() {
            o.insert("contact".into(), Value::Array(contacts));
        }
        Value::Object(o)
    }

    fn components(&mut self, list: &Node, ptr: &str) -> Value {
        self.mark(ptr, list);
        Value::Array(
            list.children("component").enumerate().map(|(i, c)| self.component(c, &format!("{ptr}/{i}"))).collect(),
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
            o.insert("authors".into(), Value::Array(a.children("author").map(contact).collect()));
        }
        if let Some(h) = c.child("hashes") {
            self.mark(&format!("{ptr}/hashes"), h);
            o.insert("hashes".into(), hashes(h));
        }
        if let Some(l) = c.child("licenses") {
            o.insert("licenses".into(), self.licenses(l, &format!("{ptr}/licenses")));
        }
        if let Some(refs) = c.child("externalReferences") {
            let items = self.list(refs, "reference", &format!("{ptr}/externalReferences"), |r| {
                let mut x = Map::new();
                x.insert("type".into(), r.attr("type").unwrap_or_default().into());
                x.insert("url".into(), r.text_at("url").unwrap_or_default().into());
                if let Some(h) = r.child("hashes") {
                    x.insert("hashes".into(), hashes(h));
                }
                x
            });
            o.insert("externalReferences".into(), items);
        }
        if let Some(props) = c.child("properties") {
            let items = self.list(props, "property", &format!("{ptr}/properties"), |n| {
                let mut x = Map::new();
                x.insert("name".into(), n.attr("name").unwrap_or_default().into());
                x.insert("value".into(), n.text.trim().into());
                x
            });
            o.insert("properties".into(), items);
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
                        if let Some(v) = e.text_at(key) {
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
        if let Some(v) = c.text_at(key) {
            o.insert(key.into(), v.into());
        }
    }
    Value::Object(o)
}

fn hashes(h: &Node) -> Value {
    Value::Array(
        h.children("hash")
            .map(|x| {
                let mut o = Map::new();
                o.insert("alg".into(), x.attr("alg").unwrap_or_default().into());
                o.insert("content".into(), x.text.trim().into());
                Value::Object(o)
            })
            .collect(),
    )
}

/// The element tree, through the shared hardened reader (bounded depth, no
/// entity expansion); its warnings about unexpanded entities do not matter here.
fn tree(text: &str, file: &str) -> Result<Node, LoadError> {
    crate::xml::parse(text, file, "validate")
        .map(|(root, _)| root)
        .map_err(|d| LoadError::new(file, d.location.line, d.message))
}
