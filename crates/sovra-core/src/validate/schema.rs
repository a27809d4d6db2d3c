//! The official CycloneDX schema check.
//!
//! The schemas are not compiled in (they are not Sovra's to redistribute in
//! every binary, and they change with each specification release); they are
//! read at run time from a directory laid out as the CycloneDX specification
//! repository and the `cyclonedx-python-lib` wheel ship them
//! (`bom-1.6.SNAPSHOT.schema.json`, `bom-1.6.SNAPSHOT.xsd`, `spdx.SNAPSHOT.schema.json`, ...).
//! JSON is checked with the `jsonschema` crate, offline, with formats; XML
//! with `xmllint --schema`, when it is installed. Whatever could not be
//! checked is said as a finding, never skipped silently.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use super::{Document, Encoding, Finding, Severity};

/// Environment variable naming the schema directory.
pub const SCHEMA_ENV: &str = "SOVRA_CDX_SCHEMAS";

/// Schemas the bom schemas refer to by relative name.
const SIBLINGS: [&str; 3] =
    ["spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json", "cryptography-defs.SNAPSHOT.schema.json"];

/// How many schema errors are reported per document; a badly broken one
/// would otherwise drown the output.
const MAX_SCHEMA_ERRORS: usize = 50;

/// The schema directory: the explicit one, else `$SOVRA_CDX_SCHEMAS`, else
/// `$XDG_DATA_HOME/sovra/cyclonedx-schemas` (`~/.local/share/...`).
/// `None` when none of them exists.
pub fn find_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = explicit {
        return Some(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os(SCHEMA_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(data.join("sovra/cyclonedx-schemas")).filter(|d| d.is_dir())
}

/// What the schema check did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SchemaResult {
    /// The schema file used, when the check ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// `Some(valid)` when checked, `None` when it could not be.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid: Option<bool>,
}

/// Check `doc` against its version's schema in `dir` (if any); findings are appended.
pub fn check(doc: &Document, text: &str, dir: Option<&Path>, findings: &mut Vec<Finding>) -> SchemaResult {
    let not_checked = |findings: &mut Vec<Finding>, why: String| {
        findings.push(Finding::document(
            Severity::Warning,
            "schema.not-checked",
            None,
            format!("schema not checked: {why}"),
        ));
        SchemaResult { schema: None, valid: None }
    };
    let Some(dir) = dir else {
        return not_checked(findings, format!("no schema directory (use --schema-dir or ${SCHEMA_ENV})"));
    };
    let ext = match doc.encoding {
        Encoding::Json => "schema.json",
        Encoding::Xml => "xsd",
    };
    let file = dir.join(format!("bom-{}.SNAPSHOT.{ext}", doc.spec_version));
    if !file.is_file() {
        return not_checked(findings, format!("{} does not exist", file.display()));
    }
    let shown = Some(file.display().to_string());
    let errors = match doc.encoding {
        Encoding::Json => json_errors(doc, dir, &file),
        Encoding::Xml => xml_errors(text, &file),
    };
    match errors {
        Err(why) => not_checked(findings, why),
        Ok(errors) => {
            let valid = errors.is_empty();
            findings.extend(errors);
            SchemaResult { schema: shown, valid: Some(valid) }
        }
    }
}

fn load(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))
}

fn json_errors(doc: &Document, dir: &Path, file: &Path) -> Result<Vec<Finding>, String> {
    // The bom schemas' `$id`s live under http://cyclonedx.org/schema/ and
    // refer to their siblings by relative name: register them there.
    let mut registry = jsonschema::Registry::new();
    for name in SIBLINGS {
        let path = dir.join(name);
        if path.is_file() {
            registry = registry
                .add(format!("http://cyclonedx.org/schema/{name}"), load(&path)?)
                .map_err(|e| format!("schema {name}: {e}"))?;
        }
    }
    let registry = registry.prepare().map_err(|e| format!("schema registry: {e}"))?;
    let validator = jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&load(file)?)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(validator
        .iter_errors(&doc.value)
        .take(MAX_SCHEMA_ERRORS)
        .map(|e| {
            let ptr = e.instance_path().to_string();
            let mut f = Finding::document(Severity::Error, "schema", None, e.to_string());
            f.path = super::display_path(&ptr);
            f.line = doc.line(&ptr);
            f
        })
        .collect())
}

/// `xmllint --schema`, reading the document from stdin; its error lines
/// (`-:LINE: element x: Schemas validity error : ...`) become findings.
fn xml_errors(text: &str, xsd: &Path) -> Result<Vec<Finding>, String> {
    let mut child = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(xsd)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|_| "xmllint is not installed (Debian: libxml2-utils)".to_string())?;
    if let Some(mut stdin) = child.stdin.take() {
        // A write error means xmllint stopped early; its exit status says why.
        let _ = stdin.write_all(text.as_bytes());
    }
    let out = child.wait_with_output().map_err(|e| format!("xmllint: {e}"))?;
    if out.status.success() {
        return Ok(Vec::new());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<Finding> = stderr
        .lines()
        .filter(|l| !l.ends_with(" validates") && !l.ends_with("fails to validate"))
        .filter_map(|l| {
            let rest = l.strip_prefix("-:")?;
            let (line, message) = rest.split_once(':')?;
            let mut f = Finding::document(Severity::Error, "schema", None, message.trim().to_string());
            f.line = line.parse().ok();
            Some(f)
        })
        .take(MAX_SCHEMA_ERRORS)
        .collect();
    if errors.is_empty() {
        // xmllint failed without a validity error: the XSD itself did not load.
        return Err(format!("xmllint failed: {}", stderr.trim()));
    }
    Ok(errors)
}
