//! The document model as CycloneDX XML.
//!
//! The XSD fixes the order of child elements (`xs:sequence`), so each writer
//! below emits them in the schema's order, which is also the field order of
//! [`super::doc`]. Lists wrap their items (`<hashes><hash>`), references are
//! `ref` attributes, and licences and properties carry their acknowledgement
//! and name as attributes.

use std::borrow::Cow;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::Dialect;
use super::doc::{Bom, Component, Contact, Entity, Hash, LicenseChoice};

pub fn write(bom: &Bom, d: Dialect) -> String {
    let mut x = Xml { w: Writer::new_with_indent(Vec::new(), b' ', 2) };
    x.emit(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let ns = d.xml_namespace();
    x.start("bom", &[("xmlns", &ns), ("serialNumber", &bom.serial_number), ("version", "1")]);

    x.start("metadata", &[]);
    x.leaf("timestamp", &[], &bom.metadata.timestamp);
    x.start("tools", &[]);
    x.components(&bom.metadata.tools.components);
    x.end("tools");
    x.component("component", &bom.metadata.component);
    if let Some(m) = &bom.metadata.manufacturer {
        x.entity("manufacturer", m);
    }
    x.end("metadata");

    x.components(&bom.components);

    x.start("dependencies", &[]);
    for dep in &bom.dependencies {
        let attrs = [("ref", dep.reference.as_str())];
        if dep.depends_on.is_empty() {
            x.empty("dependency", &attrs);
        } else {
            x.start("dependency", &attrs);
            for to in &dep.depends_on {
                x.empty("dependency", &[("ref", to)]);
            }
            x.end("dependency");
        }
    }
    x.end("dependencies");

    if !bom.compositions.is_empty() {
        x.start("compositions", &[]);
        for c in &bom.compositions {
            x.start("composition", &[]);
            x.leaf("aggregate", &[], c.aggregate);
            x.refs("assemblies", "assembly", &c.assemblies);
            x.refs("dependencies", "dependency", &c.dependencies);
            x.end("composition");
        }
        x.end("compositions");
    }

    if !bom.annotations.is_empty() {
        x.start("annotations", &[]);
        for a in &bom.annotations {
            x.start("annotation", &[]);
            x.refs("subjects", "subject", &a.subjects);
            x.start("annotator", &[]);
            x.component("component", &a.annotator.component);
            x.end("annotator");
            x.leaf("timestamp", &[], &a.timestamp);
            x.leaf("text", &[], &a.text);
            x.end("annotation");
        }
        x.end("annotations");
    }
    x.end("bom");
    let mut out = String::from_utf8(x.w.into_inner()).unwrap_or_default();
    out.push('\n');
    out
}

struct Xml {
    w: Writer<Vec<u8>>,
}

impl Xml {
    fn emit(&mut self, event: Event<'_>) {
        // Writing into a Vec cannot fail.
        let _ = self.w.write_event(event);
    }

    fn open<'a>(name: &'a str, attrs: &[(&str, &str)]) -> BytesStart<'a> {
        let mut e = BytesStart::new(name);
        for (k, v) in attrs {
            e.push_attribute((*k, xml_chars(v).as_ref()));
        }
        e
    }

    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.emit(Event::Start(Self::open(name, attrs)));
    }

    fn end(&mut self, name: &str) {
        self.emit(Event::End(BytesEnd::new(name)));
    }

    fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.emit(Event::Empty(Self::open(name, attrs)));
    }

    fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start(name, attrs);
        self.emit(Event::Text(BytesText::new(&xml_chars(text))));
        self.end(name);
    }

    fn opt_leaf(&mut self, name: &str, text: Option<&str>) {
        if let Some(text) = text {
            self.leaf(name, &[], text);
        }
    }

    /// `<outer><inner ref="..."/>...</outer>`, nothing when empty.
    fn refs(&mut self, outer: &str, inner: &str, refs: &[String]) {
        if refs.is_empty() {
            return;
        }
        self.start(outer, &[]);
        for r in refs {
            self.empty(inner, &[("ref", r)]);
        }
        self.end(outer);
    }

    fn components(&mut self, list: &[Component]) {
        self.start("components", &[]);
        for c in list {
            self.component("component", c);
        }
        self.end("components");
    }

    fn hashes(&mut self, hashes: &[Hash]) {
        if hashes.is_empty() {
            return;
        }
        self.start("hashes", &[]);
        for h in hashes {
            self.leaf("hash", &[("alg", h.alg)], &h.content);
        }
        self.end("hashes");
    }

    fn contact(&mut self, element: &str, c: &Contact) {
        self.start(element, &[]);
        self.opt_leaf("name", c.name.as_deref());
        self.opt_leaf("email", c.email.as_deref());
        self.end(element);
    }

    /// An `organizationalEntity`: name, then each url, then each contact.
    fn entity(&mut self, element: &str, e: &Entity) {
        self.start(element, &[]);
        self.opt_leaf("name", e.name.as_deref());
        for u in &e.url {
            self.leaf("url", &[], u);
        }
        for c in &e.contact {
            self.contact("contact", c);
        }
        self.end(element);
    }

    fn component(&mut self, element: &str, c: &Component) {
        let mut attrs = vec![("type", c.kind)];
        if let Some(r) = &c.bom_ref {
            attrs.push(("bom-ref", r));
        }
        self.start(element, &attrs);
        if let Some(m) = &c.manufacturer {
            self.entity("manufacturer", m);
        }
        if !c.authors.is_empty() {
            self.start("authors", &[]);
            for a in &c.authors {
                self.contact("author", a);
            }
            self.end("authors");
        }
        self.opt_leaf("author", c.author.as_deref());
        self.opt_leaf("group", c.group.as_deref());
        self.leaf("name", &[], &c.name);
        self.opt_leaf("version", c.version.as_deref());
        self.opt_leaf("description", c.description.as_deref());
        self.opt_leaf("scope", c.scope);
        self.hashes(&c.hashes);
        if !c.licenses.is_empty() {
            self.start("licenses", &[]);
            for l in &c.licenses {
                match l {
                    LicenseChoice::License { license } => {
                        let attrs: Vec<_> =
                            license.acknowledgement.map(|a| ("acknowledgement", a)).into_iter().collect();
                        self.start("license", &attrs);
                        self.opt_leaf("id", license.id.as_deref());
                        self.opt_leaf("name", license.name.as_deref());
                        self.end("license");
                    }
                    LicenseChoice::Expression { expression, acknowledgement } => {
                        let attrs: Vec<_> = acknowledgement.map(|a| ("acknowledgement", a)).into_iter().collect();
                        self.leaf("expression", &attrs, expression);
                    }
                }
            }
            self.end("licenses");
        }
        self.opt_leaf("purl", c.purl.as_deref());
        if !c.external_references.is_empty() {
            self.start("externalReferences", &[]);
            for r in &c.external_references {
                self.start("reference", &[("type", r.kind)]);
                self.leaf("url", &[], &r.url);
                self.opt_leaf("comment", r.comment.as_deref());
                self.hashes(&r.hashes);
                self.end("reference");
            }
            self.end("externalReferences");
        }
        if !c.properties.is_empty() {
            self.start("properties", &[]);
            for p in &c.properties {
                self.leaf("property", &[("name", &p.name)], &p.value);
            }
            self.end("properties");
        }
        if !c.components.is_empty() {
            self.components(&c.components);
        }
        self.end(element);
    }
}

/// The text with every character XML 1.0 cannot hold (most C0 controls,
/// U+FFFE, U+FFFF) replaced by U+FFFD, since a lockfile may contain them and
/// the document must still parse.
fn xml_chars(s: &str) -> Cow<'_, str> {
    let allowed =
        |c: char| matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..);
    if s.chars().all(allowed) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().map(|c| if allowed(c) { c } else { '\u{FFFD}' }).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::xml_chars;

    #[test]
    fn strips_what_xml_cannot_hold() {
        assert_eq!(xml_chars("a\u{1}b\u{FFFE}\tc"), "a\u{FFFD}b\u{FFFD}\tc");
        assert!(matches!(xml_chars("plain ü"), std::borrow::Cow::Borrowed(_)));
    }
}
