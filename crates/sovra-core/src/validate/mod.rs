//! Reading and checking any CycloneDX document, Sovra's own or a vendor's.
//!
//! * [`Document`] is a CycloneDX document, JSON or XML, read into one
//!   JSON-shaped [`serde_json::Value`] (XML is mapped onto the JSON names by
//!   [`xml`]), with the source line of each value by JSON pointer ([`lines`]).
//!   A file that is not a CycloneDX document is a [`LoadError`] naming the file
//!   and, where known, the line.
//! * [`validate`] checks a document against the official schema of its
//!   version ([`schema`]) and, when asked, against a profile ([`profile`]: BSI
//!   TR-03183-2), and returns a [`Report`]: [`Finding`]s, each with the
//!   component's bom-ref, the JSON path and the line, and per-field
//!   [`Score`]s (how many components satisfy each field).
//! * `sovra verify` ([`crate::verify`]) reads the components of a delivered
//!   SBOM through the same [`Document`].

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

use crate::bsi::Field;
pub use crate::model::Severity;

mod lines;
pub mod profile;
pub mod schema;
mod xml;

pub use schema::SchemaResult;

/// How the document is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    Json,
    Xml,
}

/// A file that could not be read as a CycloneDX document.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    pub file: String,
    pub line: Option<u32>,
    pub message: String,
}

impl LoadError {
    pub fn new(file: &str, line: Option<u32>, message: String) -> LoadError {
        LoadError { file: file.to_string(), line, message }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// A CycloneDX document in JSON shape.
#[derive(Clone, Debug)]
pub struct Document {
    pub file: String,
    pub encoding: Encoding,
    /// `specVersion` (JSON) or the version of the XML namespace.
    pub spec_version: String,
    pub value: Value,
    lines: HashMap<String, u32>,
}

impl Document {
    /// Read a document; `file` names it in errors and findings.
    pub fn parse(bytes: Vec<u8>, file: &str) -> Result<Document, LoadError> {
        let text = text(bytes, file)?;
        Self::parse_text(&text, file)
    }

    pub fn parse_text(text: &str, file: &str) -> Result<Document, LoadError> {
        match text.trim_start().as_bytes().first() {
            Some(b'<') => {
                let (value, spec_version, lines) = xml::read(text, file)?;
                Ok(Document { file: file.to_string(), encoding: Encoding::Xml, spec_version, value, lines })
            }
            Some(b'{') | Some(b'[') => {
                let value: Value = serde_json::from_str(text)
                    .map_err(|e| LoadError::new(file, Some(e.line() as u32), format!("not valid JSON: {e}")))?;
                let spec_version = match (&value["bomFormat"], &value["specVersion"]) {
                    (Value::String(f), Value::String(v)) if f == "CycloneDX" => v.clone(),
                    _ if !value.is_object() => {
                        return Err(LoadError::new(
                            file,
                            Some(1),
                            "not a CycloneDX document: JSON is not an object".into(),
                        ));
                    }
                    _ => {
                        return Err(LoadError::new(
                            file,
                            None,
                            "not a CycloneDX document: no `bomFormat: \"CycloneDX\"` with a `specVersion`".into(),
                        ));
                    }
                };
                let lines = lines::json_lines(text);
                Ok(Document { file: file.to_string(), encoding: Encoding::Json, spec_version, value, lines })
            }
            _ => Err(LoadError::new(file, Some(1), "not a CycloneDX document: neither JSON nor XML".into())),
        }
    }

    /// The line of the value at a JSON pointer, or of its nearest ancestor.
    pub fn line(&self, ptr: &str) -> Option<u32> {
        let mut p = ptr;
        loop {
            if let Some(l) = self.lines.get(p) {
                return Some(*l);
            }
            p = p.rsplit_once('/')?.0;
        }
    }

    /// Every component of the document with its JSON pointer: the described
    /// one (`metadata.component`) and `components`, nested ones included,
    /// in document order.
    pub fn components(&self) -> Vec<(String, &Value)> {
        fn walk<'a>(list: &'a Value, ptr: &str, out: &mut Vec<(String, &'a Value)>) {
            for (i, c) in list.as_array().into_iter().flatten().enumerate() {
                let p = format!("{ptr}/{i}");
                out.push((p.clone(), c));
                walk(&c["components"], &format!("{p}/components"), out);
            }
        }
        let mut out = Vec::new();
        let meta = &self.value["metadata"]["component"];
        if meta.is_object() {
            out.push(("/metadata/component".to_string(), meta));
            walk(&meta["components"], "/metadata/component/components", &mut out);
        }
        walk(&self.value["components"], "/components", &mut out);
        out
    }
}

/// The text of a file, or why it is not one.
fn text(bytes: Vec<u8>, file: &str) -> Result<String, LoadError> {
    crate::plugin::text_from_bytes(bytes, file, "validate")
        .map_err(|d| LoadError::new(file, d.location.line, d.message))
}

/// Pretty JSON with a final newline. The reports hold only strings, numbers
/// and lists, which always serialise.
pub(crate) fn pretty_json<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

/// A JSON pointer as the JSON path people read: `$.components[3].name`.
pub fn display_path(ptr: &str) -> String {
    let mut out = String::from("$");
    for step in ptr.split('/').skip(1) {
        let step = step.replace("~1", "/").replace("~0", "~");
        if step.bytes().all(|b| b.is_ascii_digit()) && !step.is_empty() {
            out.push_str(&format!("[{step}]"));
        } else if step.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            out.push('.');
            out.push_str(&step);
        } else {
            out.push_str(&format!("[{step:?}]"));
        }
    }
    out
}

/// One thing found wrong (or left unchecked) in a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// `schema`, `schema.not-checked`, `bsi.<field>`.
    pub rule: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<Field>,
    #[serde(rename = "bomRef", skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
    /// JSON path (`$.components[3].licenses`).
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub message: String,
}

impl Finding {
    /// A finding about the document as a whole.
    pub fn document(severity: Severity, rule: &str, field: Option<Field>, message: String) -> Finding {
        Finding { severity, rule: rule.to_string(), field, bom_ref: None, path: "$".into(), line: None, message }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.severity, self.rule)?;
        if let Some(r) = &self.bom_ref {
            write!(f, " {r}")?;
        }
        write!(f, " {}", self.path)?;
        if let Some(l) = self.line {
            write!(f, " (line {l})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// How many components (or, for document fields, whether the document)
/// satisfy one field of a profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Score {
    pub field: Field,
    pub requirement: crate::bsi::Requirement,
    pub level: crate::bsi::Level,
    pub satisfied: usize,
    pub total: usize,
}

/// The profiles `validate` knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    BsiTr03183_2,
}

impl Profile {
    pub fn parse(name: &str) -> Option<Profile> {
        (name == crate::bsi::PROFILE).then_some(Profile::BsiTr03183_2)
    }
    pub fn name(self) -> &'static str {
        crate::bsi::PROFILE
    }
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub profile: Option<Profile>,
    /// Directory of the official schemas; `None`: not checked (a finding says so).
    pub schema_dir: Option<PathBuf>,
}

/// The outcome of [`validate`].
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub file: String,
    pub encoding: Encoding,
    pub spec_version: String,
    pub components: usize,
    pub schema: SchemaResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<&'static str>,
    /// Errors first, then by path.
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scores: Vec<Score>,
    pub passed: bool,
}

impl Report {
    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        pretty_json(self)
    }

    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }
}

/// Check a document read from `text`. `Err` when it is not a CycloneDX document.
pub fn validate(text: &str, file: &str, options: &Options) -> Result<Report, LoadError> {
    let doc = Document::parse_text(text, file)?;
    Ok(validate_document(&doc, text, options))
}

pub fn validate_document(doc: &Document, text: &str, options: &Options) -> Report {
    let mut findings = Vec::new();
    let schema = schema::check(doc, text, options.schema_dir.as_deref(), &mut findings);
    let scores = match options.profile {
        Some(Profile::BsiTr03183_2) => profile::check(doc, &mut findings),
        None => Vec::new(),
    };
    findings.sort_by(|a, b| {
        (a.severity, a.line, &a.path, &a.rule, &a.message).cmp(&(b.severity, b.line, &b.path, &b.rule, &b.message))
    });
    findings.dedup();
    let passed = !findings.iter().any(|f| f.severity == Severity::Error);
    Report {
        file: doc.file.clone(),
        encoding: doc.encoding,
        spec_version: doc.spec_version.clone(),
        components: doc.components().len(),
        schema,
        profile: options.profile.map(Profile::name),
        findings,
        scores,
        passed,
    }
}

/// Read a file and [`validate`] it.
pub fn validate_file(path: &std::path::Path, options: &Options) -> Result<Report, LoadError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| LoadError::new(&file, None, format!("cannot read: {e}")))?;
    let text = text(bytes, &file)?;
    validate(&text, &file, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_path_reads_like_json_path() {
        assert_eq!(display_path(""), "$");
        assert_eq!(display_path("/components/3/bom-ref"), "$.components[3][\"bom-ref\"]");
        assert_eq!(display_path("/metadata/timestamp"), "$.metadata.timestamp");
    }

    #[test]
    fn non_cyclonedx_inputs_are_load_errors() {
        let e = Document::parse_text("{\"a\": 1,\n \"b\": }", "x.json").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("x.json", Some(2)));
        let e = Document::parse_text("[1, 2]", "x.json").unwrap_err();
        assert!(e.message.contains("not an object"), "{e}");
        let e = Document::parse_text("{\"bomFormat\": \"SPDX\"}", "x.json").unwrap_err();
        assert!(e.message.contains("bomFormat"), "{e}");
        let e = Document::parse_text("<project xmlns=\"http://maven.apache.org/POM/4.0.0\"/>", "p.xml").unwrap_err();
        assert!(e.message.contains("<project>"), "{e}");
        let e = Document::parse_text("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">\n<components>", "t.xml")
            .unwrap_err();
        assert!(e.message.contains("never closed"), "{e}");
        assert!(Document::parse_text("hello", "h").is_err());
    }

    #[test]
    fn xml_maps_onto_json_names_with_lines() {
        let xml = r#"<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" version="1">
  <metadata><timestamp>2024-01-01T00:00:00Z</timestamp></metadata>
  <components>
    <component type="library" bom-ref="a">
      <name>a</name>
      <licenses><expression acknowledgement="concluded">MIT</expression></licenses>
      <externalReferences><reference type="distribution"><url>https://x/a.tgz</url>
        <hashes><hash alg="SHA-512">ab</hash></hashes></reference></externalReferences>
      <properties><property name="bsi:component:filename">a.tgz</property></properties>
    </component>
  </components>
  <dependencies><dependency ref="a"><dependency ref="b"/></dependency></dependencies>
</bom>"#;
        let doc = Document::parse_text(xml, "a.xml").unwrap();
        assert_eq!(doc.spec_version, "1.6");
        let c = &doc.value["components"][0];
        assert_eq!(c["bom-ref"], "a");
        assert_eq!(c["licenses"][0]["acknowledgement"], "concluded");
        assert_eq!(c["externalReferences"][0]["hashes"][0]["alg"], "SHA-512");
        assert_eq!(c["properties"][0]["value"], "a.tgz");
        assert_eq!(doc.value["dependencies"][0]["dependsOn"][0], "b");
        assert_eq!(doc.line("/components/0/properties/0"), Some(10));
        assert_eq!(doc.line("/components/0/nothing/here"), Some(5));
    }
}
