//! The rules of BSI TR-03183-2 v2.1.0 for CycloneDX, one per [`Field`].
//!
//! Each rule looks at one field of the document or of each component and
//! says what is missing or wrong. Required fields missing are errors;
//! additional fields ("required whenever the data exists") missing are
//! warnings, because a checker cannot know whether the data exists. Every
//! component counts: the described one (`metadata.component`) and all of
//! `components`, nested ones included.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Document, Finding, Score, Severity, display_path};
use crate::bsi::{
    Field, Level, PROP_ARCHIVE, PROP_EFFECTIVE_LICENCE, PROP_EXECUTABLE, PROP_FILENAME, PROP_STRUCTURED, Requirement,
};

/// Aggregates that state a completeness; `not_specified` states none.
const AGGREGATES: [&str; 9] = [
    "complete",
    "incomplete",
    "unknown",
    "incomplete_first_party_only",
    "incomplete_first_party_proprietary_only",
    "incomplete_first_party_opensource_only",
    "incomplete_third_party_only",
    "incomplete_third_party_proprietary_only",
    "incomplete_third_party_opensource_only",
];

/// Collects findings and counts, per field, the subjects that fail it.
struct Checker<'a> {
    doc: &'a Document,
    findings: &'a mut Vec<Finding>,
    failed: BTreeMap<Field, BTreeSet<String>>,
}

impl Checker<'_> {
    fn report(&mut self, field: Field, bom_ref: Option<&str>, ptr: &str, message: String) {
        let severity = match field.requirement() {
            Some(Requirement::Additional) => Severity::Warning,
            _ => Severity::Error,
        };
        self.failed.entry(field).or_default().insert(ptr.to_string());
        self.findings.push(Finding {
            severity,
            rule: format!("bsi.{}", field.id()),
            field: Some(field),
            bom_ref: bom_ref.map(str::to_string),
            path: display_path(ptr),
            line: self.doc.line(ptr),
            message,
        });
    }
}

/// Check the document against the profile; findings are appended, scores returned.
pub fn check(doc: &Document, findings: &mut Vec<Finding>) -> Vec<Score> {
    let mut c = Checker { doc, findings, failed: BTreeMap::new() };
    document_rules(&mut c);
    let components = doc.components();
    let deps: BTreeSet<&str> =
        doc.value["dependencies"].as_array().into_iter().flatten().filter_map(|d| d["ref"].as_str()).collect();
    let mut stated: BTreeMap<&str, &str> = BTreeMap::new();
    for comp in doc.value["compositions"].as_array().into_iter().flatten() {
        let aggregate = comp["aggregate"].as_str().unwrap_or("");
        for r in comp["dependencies"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            // A reference in a stating composition wins over one in `not_specified`.
            let slot = stated.entry(r).or_insert(aggregate);
            if AGGREGATES.contains(&aggregate) {
                *slot = aggregate;
            }
        }
    }
    for (ptr, comp) in &components {
        component_rules(&mut c, ptr, comp, &deps, &stated);
    }

    Field::ALL
        .into_iter()
        .filter_map(|field| {
            let requirement = field.requirement()?;
            let total = match field.level() {
                Level::Sbom => 1,
                Level::Component => components.len(),
            };
            let failed = c.failed.get(&field).map_or(0, BTreeSet::len);
            Some(Score { field, requirement, level: field.level(), satisfied: total.saturating_sub(failed), total })
        })
        .collect()
}

fn document_rules(c: &mut Checker<'_>) {
    let v = &c.doc.value;
    let version = c.doc.spec_version.clone();
    let parsed: Option<(u32, u32)> =
        version.split_once('.').and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
    if parsed.is_none_or(|v| v < (1, 6)) {
        c.report(
            Field::SpecVersion,
            None,
            "/specVersion",
            format!("CycloneDX {version}: the guideline requires 1.6 or newer"),
        );
    }
    if v["vulnerabilities"].as_array().is_some_and(|a| !a.is_empty()) {
        c.report(
            Field::NoVulnerabilities,
            None,
            "/vulnerabilities",
            "the SBOM carries vulnerability data; the guideline wants it kept out of the SBOM (use a separate VEX/CSAF document)".into(),
        );
    }
    let meta = &v["metadata"];
    match contact_of(&meta["manufacturer"]) {
        Ok(()) => {}
        Err(why) => {
            let hint = if meta["manufacture"].is_object() {
                " (metadata.manufacture is the deprecated 1.5 field; the guideline maps to metadata.manufacturer)"
            } else {
                ""
            };
            c.report(
                Field::SbomCreator,
                None,
                "/metadata/manufacturer",
                format!("SBOM creator: metadata.manufacturer {why}{hint}"),
            );
        }
    }
    match meta["timestamp"].as_str() {
        Some(t) if is_rfc3339(t) => {}
        Some(t) => {
            c.report(Field::Timestamp, None, "/metadata/timestamp", format!("`{t}` is not an RFC 3339 date-time"))
        }
        None => c.report(Field::Timestamp, None, "/metadata/timestamp", "no metadata.timestamp".into()),
    }
    if v["serialNumber"].as_str().is_none_or(|s| s.trim().is_empty()) {
        c.report(Field::SbomUri, None, "/serialNumber", "no serialNumber (the SBOM URI)".into());
    }
}

fn component_rules(c: &mut Checker<'_>, ptr: &str, comp: &Value, deps: &BTreeSet<&str>, stated: &BTreeMap<&str, &str>) {
    let bom_ref = comp["bom-ref"].as_str().filter(|r| !r.is_empty());
    let r = bom_ref;
    let at = |sub: &str| format!("{ptr}/{sub}");
    let text = |key: &str| comp[key].as_str().map(str::trim).filter(|s| !s.is_empty());

    if let Err(why) = contact_of(&comp["manufacturer"]) {
        c.report(Field::Creator, r, &at("manufacturer"), format!("component creator: manufacturer {why}"));
    }
    if text("name").is_none() {
        c.report(Field::Name, r, &at("name"), "no name".into());
    }
    if text("version").is_none() {
        c.report(
            Field::Version,
            r,
            &at("version"),
            "no version (use the file's modification date, RFC 3339, when the component has none)".into(),
        );
    }

    let props = properties(comp);
    match one_property(&props, PROP_FILENAME) {
        Ok((i, v)) if v.contains('/') || v.contains('\\') => c.report(
            Field::Filename,
            r,
            &at(&format!("properties/{i}")),
            format!("`{v}` is a path; {PROP_FILENAME} is the file name alone"),
        ),
        Ok(_) => {}
        Err(why) => c.report(Field::Filename, r, &at("properties"), format!("{PROP_FILENAME} {why}")),
    }
    for (field, name, allowed) in [
        (Field::Executable, PROP_EXECUTABLE, ["executable", "non-executable"]),
        (Field::Archive, PROP_ARCHIVE, ["archive", "no archive"]),
        (Field::Structured, PROP_STRUCTURED, ["structured", "unstructured"]),
    ] {
        match one_property(&props, name) {
            Ok((_, v)) if allowed.contains(&v) => {}
            Ok((i, v)) => c.report(
                field,
                r,
                &at(&format!("properties/{i}")),
                format!("{name} is `{v}`; allowed: `{}` or `{}`", allowed[0], allowed[1]),
            ),
            Err(why) => c.report(field, r, &at("properties"), format!("{name} {why}")),
        }
    }
    match (one_property(&props, PROP_EFFECTIVE_LICENCE), props.iter().any(|(_, n, _)| *n == PROP_EFFECTIVE_LICENCE)) {
        (Ok((i, v)), _) => {
            if let Err(why) = licence_expression(v) {
                c.report(
                    Field::EffectiveLicence,
                    r,
                    &at(&format!("properties/{i}")),
                    format!("{PROP_EFFECTIVE_LICENCE}: {why}"),
                );
            }
        }
        (Err(why), true) => {
            c.report(Field::EffectiveLicence, r, &at("properties"), format!("{PROP_EFFECTIVE_LICENCE} {why}"))
        }
        (Err(_), false) => {}
    }

    match bom_ref {
        None => {
            c.report(
                Field::Dependencies,
                r,
                &at("bom-ref"),
                "no bom-ref, so no entry in dependencies can name it".into(),
            );
            c.report(
                Field::Completeness,
                r,
                &at("bom-ref"),
                "no bom-ref, so no composition can state its completeness".into(),
            );
        }
        Some(b) => {
            if !deps.contains(b) {
                c.report(
                    Field::Dependencies,
                    r,
                    "/dependencies",
                    format!("no dependencies entry with ref `{b}` (a leaf needs one with an empty dependsOn)"),
                );
            }
            match stated.get(b) {
                Some(a) if AGGREGATES.contains(a) => {}
                Some(a) => c.report(
                    Field::Completeness,
                    r,
                    "/compositions",
                    format!("the composition naming `{b}` has aggregate `{a}`, which states no completeness"),
                ),
                None => c.report(
                    Field::Completeness,
                    r,
                    "/compositions",
                    format!("no composition lists `{b}` under dependencies with its completeness"),
                ),
            }
        }
    }

    licence_rules(c, ptr, comp, r);
    reference_rules(c, ptr, comp, r);

    if text("purl").is_none() && text("cpe").is_none() {
        c.report(Field::Identifiers, r, &at("purl"), "no other identifier (purl or cpe)".into());
    }
}

fn licence_rules(c: &mut Checker<'_>, ptr: &str, comp: &Value, r: Option<&str>) {
    let mut concluded = Vec::new();
    let mut declared = Vec::new();
    for (i, l) in comp["licenses"].as_array().into_iter().flatten().enumerate() {
        let (ack, statement) = match (&l["expression"], &l["license"]) {
            (Value::String(e), _) => (l["acknowledgement"].as_str(), licence_expression(e)),
            (_, lic @ Value::Object(_)) => (lic["acknowledgement"].as_str(), licence_object(lic)),
            _ => continue,
        };
        let p = format!("{ptr}/licenses/{i}");
        match ack {
            Some("concluded") => concluded.push((p, statement)),
            Some("declared") => declared.push((p, statement)),
            _ => {}
        }
    }
    if concluded.is_empty() {
        c.report(
            Field::DistributionLicence,
            r,
            &format!("{ptr}/licenses"),
            "no licence with acknowledgement `concluded` (the distribution licence)".into(),
        );
    } else if !concluded.iter().any(|(_, s)| s.is_ok()) {
        for (p, s) in &concluded {
            if let Err(why) = s {
                c.report(Field::DistributionLicence, r, p, format!("concluded licence: {why}"));
            }
        }
    }
    if declared.is_empty() {
        c.report(
            Field::OriginalLicence,
            r,
            &format!("{ptr}/licenses"),
            "no licence with acknowledgement `declared` (the original licence)".into(),
        );
    } else if !declared.iter().any(|(_, s)| s.is_ok()) {
        for (p, s) in &declared {
            if let Err(why) = s {
                c.report(Field::OriginalLicence, r, p, format!("declared licence: {why}"));
            }
        }
    }
}

fn reference_rules(c: &mut Checker<'_>, ptr: &str, comp: &Value, r: Option<&str>) {
    let refs: Vec<(usize, &Value)> = comp["externalReferences"].as_array().into_iter().flatten().enumerate().collect();
    let of_type = |t: &'static str| {
        refs.iter().filter(move |(_, x)| x["type"] == t && x["url"].as_str().is_some_and(|u| !u.trim().is_empty()))
    };
    let distribution: Vec<_> = of_type("distribution").collect();
    if distribution.is_empty() {
        c.report(
            Field::DistributionUri,
            r,
            &format!("{ptr}/externalReferences"),
            "no externalReferences entry of type `distribution` (URI of the deployable form)".into(),
        );
    }
    let has_sha512 = |hashes: &Value| {
        hashes.as_array().into_iter().flatten().any(|h| {
            h["alg"] == "SHA-512"
                && h["content"].as_str().is_some_and(|c| c.len() == 128 && c.bytes().all(|b| b.is_ascii_hexdigit()))
        })
    };
    if !distribution.iter().any(|(_, x)| has_sha512(&x["hashes"])) {
        let hint = if has_sha512(&comp["hashes"]) {
            " (a SHA-512 is in the component's hashes; the guideline wants it on the distribution reference)"
        } else {
            ""
        };
        let p = distribution
            .first()
            .map_or(format!("{ptr}/externalReferences"), |(i, _)| format!("{ptr}/externalReferences/{i}"));
        c.report(
            Field::Hash,
            r,
            &p,
            format!("no SHA-512 of the deployable file in externalReferences[type=distribution].hashes{hint}"),
        );
    }
    if of_type("source-distribution").next().is_none() {
        let hint = if of_type("vcs").next().is_some() {
            " (a `vcs` reference names the repository, not the source code of this version)"
        } else {
            ""
        };
        c.report(
            Field::SourceUri,
            r,
            &format!("{ptr}/externalReferences"),
            format!("no externalReferences entry of type `source-distribution` (source code URI){hint}"),
        );
    }
}

/// An `organizationalEntity` with an email or a URL, or what is missing.
fn contact_of(entity: &Value) -> Result<(), String> {
    if !entity.is_object() {
        return Err("is missing".into());
    }
    let non_empty = |v: &Value| v.as_str().is_some_and(|s| !s.trim().is_empty());
    let url = entity["url"].as_array().into_iter().flatten().any(non_empty);
    let email = entity["contact"].as_array().into_iter().flatten().any(|c| non_empty(&c["email"]));
    if url || email { Ok(()) } else { Err("has neither an email (contact[].email) nor a URL (url[])".into()) }
}

/// `(index, name, value)` of each property.
fn properties(comp: &Value) -> Vec<(usize, &str, &str)> {
    comp["properties"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, p)| Some((i, p["name"].as_str()?, p["value"].as_str().unwrap_or("").trim())))
        .collect()
}

/// The one non-empty value of a property, or why there is none.
fn one_property<'a>(props: &[(usize, &str, &'a str)], name: &str) -> Result<(usize, &'a str), String> {
    let found: Vec<(usize, &str)> = props.iter().filter(|(_, n, _)| *n == name).map(|(i, _, v)| (*i, *v)).collect();
    match found.as_slice() {
        [] => Err("is missing".into()),
        [(_, "")] => Err("is empty".into()),
        [one] => Ok(*one),
        more => Err(format!("occurs {} times; the taxonomy allows it once", more.len())),
    }
}

/// Whether an expression is a valid SPDX licence expression that names a licence.
pub fn licence_expression(e: &str) -> Result<(), String> {
    let e = e.trim();
    match e {
        "" => Err("empty expression".into()),
        "NONE" | "NOASSERTION" => Err(format!("`{e}` names no licence")),
        _ => {
            spdx::Expression::parse(e).map(|_| ()).map_err(|_| format!("`{e}` is not a valid SPDX licence expression"))
        }
    }
}

fn licence_object(lic: &Value) -> Result<(), String> {
    match (lic["id"].as_str(), lic["name"].as_str()) {
        (Some(id), _) => licence_expression(id),
        (None, Some(name)) => Err(format!("`{name}` is free text, not an SPDX identifier or LicenseRef-")),
        (None, None) => Err("licence without id or name".into()),
    }
}

/// `YYYY-MM-DDTHH:MM:SS` with an optional fraction and a zone (`Z` or `±HH:MM`).
fn is_rfc3339(t: &str) -> bool {
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let shape = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shape || crate::time::days_from_rfc3339(t).is_none() {
        return false;
    }
    let mut rest = &t[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    matches!(rest, "Z" | "z")
        || (rest.len() == 6
            && matches!(rest.as_bytes()[0], b'+' | b'-')
            && rest.as_bytes()[3] == b':'
            && rest[1..3].bytes().chain(rest[4..].bytes()).all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_shapes() {
        assert!(is_rfc3339("2025-08-01T12:00:00Z"));
        assert!(is_rfc3339("2025-08-01T12:00:00.123+02:00"));
        assert!(!is_rfc3339("2025-08-01"));
        assert!(!is_rfc3339("2025-13-01T12:00:00Z"));
        assert!(!is_rfc3339("2025-08-01T12:00:00"));
    }

    #[test]
    fn licence_values() {
        assert!(licence_expression("MIT OR Apache-2.0").is_ok());
        assert!(licence_expression("LicenseRef-acme-eula").is_ok());
        assert!(licence_expression("NOASSERTION").is_err());
        assert!(licence_expression("NONE").is_err());
        assert!(licence_expression("the MIT licence").is_err());
    }
}
