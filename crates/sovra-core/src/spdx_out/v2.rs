//! SPDX 2.3 JSON.
//!
//! One package per [`super::Package`] with `filesAnalyzed: false` (Sovra
//! reads lockfiles, not every file), the purl as a `PACKAGE-MANAGER`
//! external reference, the deployable file's checksums, `licenseDeclared`
//! and `licenseConcluded` (`NOASSERTION` where unknown). The document
//! `DESCRIBES` the scanned tree, which `CONTAINS` its projects; the rest are
//! `DEPENDS_ON` relationships. `LicenseRef-` identifiers get the
//! `hasExtractedLicensingInfos` entry 2.3 demands for each.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{EdgeKind, Options, TOOL_NAME};
use crate::model::{HashAlg, Inventory};

const NOASSERTION: &str = "NOASSERTION";

pub fn write(inv: &Inventory, opts: &Options) -> String {
    let packages = super::packages(inv);
    let mut refs = BTreeSet::new();
    let mut list = Vec::with_capacity(packages.len());
    for p in &packages {
        let c = p.component;
        let declared = super::declared_expression(c);
        let concluded = super::concluded_expression(c);
        for e in declared.iter().chain(&concluded) {
            refs.extend(super::license_refs(e));
        }
        let mut pkg = json!({
            "SPDXID": p.id,
            "name": if c.name.trim().is_empty() { "root" } else { c.name.as_str() },
            "downloadLocation": super::download_location(c).unwrap_or_else(|| NOASSERTION.into()),
            "filesAnalyzed": false,
            "licenseDeclared": declared.unwrap_or_else(|| NOASSERTION.into()),
            "licenseConcluded": concluded.unwrap_or_else(|| NOASSERTION.into()),
            "copyrightText": NOASSERTION,
            "primaryPackagePurpose": if p.first_party { "APPLICATION" } else { "LIBRARY" },
        });
        let obj = pkg.as_object_mut().expect("a JSON object");
        if !c.version.trim().is_empty() {
            obj.insert("versionInfo".into(), json!(c.version));
        }
        let checksums: Vec<Value> = super::own_hashes(c)
            .into_iter()
            .map(|h| json!({ "algorithm": algorithm(h.alg), "checksumValue": h.value }))
            .collect();
        if !checksums.is_empty() {
            obj.insert("checksums".into(), Value::Array(checksums));
        }
        if c.purl.starts_with("pkg:") {
            obj.insert(
                "externalRefs".into(),
                json!([{ "referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": c.purl }]),
            );
        }
        if let Some(home) = c.homepage.as_deref().and_then(super::plain_url) {
            obj.insert("homepage".into(), json!(home));
        }
        if let Some(d) = c.description.as_deref().filter(|d| !d.trim().is_empty()) {
            obj.insert("description".into(), json!(d));
        }
        if let Some(f) = &c.filename {
            obj.insert("packageFileName".into(), json!(f));
        }
        list.push(pkg);
    }

    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": packages[0].id,
    })];
    for e in super::edges(inv) {
        let kind = match e.kind {
            EdgeKind::Contains => "CONTAINS",
            EdgeKind::DependsOn => "DEPENDS_ON",
        };
        for to in e.to {
            relationships.push(json!({ "spdxElementId": e.from, "relationshipType": kind, "relatedSpdxElement": to }));
        }
    }

    let mut creators = vec![format!("Tool: {TOOL_NAME}-{}", opts.tool_version)];
    if let Some(m) = &opts.manufacturer {
        creators.push(match m.email() {
            Some(email) => format!("Organization: {} ({email})", m.label()),
            None => format!("Organization: {}", m.label()),
        });
    }
    let name = super::document_name(inv);
    let mut doc = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        "creationInfo": { "created": opts.created, "creators": creators },
        "packages": list,
        "relationships": relationships,
    });
    if !refs.is_empty() {
        let infos: Vec<Value> = refs
            .iter()
            .map(|r| {
                json!({
                    "licenseId": r,
                    "name": r.trim_start_matches("LicenseRef-"),
                    "extractedText": "The package's metadata names this licence; Sovra did not read its text.",
                })
            })
            .collect();
        doc["hasExtractedLicensingInfos"] = Value::Array(infos);
    }
    // The namespace stands for the content, so it is made from the rest.
    let seed = doc.to_string();
    doc["documentNamespace"] = json!(super::namespace(opts, inv, &seed));
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

fn algorithm(alg: HashAlg) -> &'static str {
    match alg {
        HashAlg::Md5 => "MD5",
        HashAlg::Sha1 => "SHA1",
        HashAlg::Sha256 => "SHA256",
        HashAlg::Sha384 => "SHA384",
        HashAlg::Sha512 => "SHA512",
    }
}
