//! SPDX 3.0.1 JSON-LD.
//!
//! The graph holds one `CreationInfo` (a blank node every element points
//! to), the agents that created the document (Sovra as a `SoftwareAgent`,
//! and the configured manufacturer as an `Organization`), Sovra as the
//! `Tool` used, the `SpdxDocument` and the `software_Sbom` whose root is the
//! scanned tree, a `software_Package` per [`super::Package`], one
//! `simplelicensing_LicenseExpression` per distinct expression, and
//! `Relationship`s: `describes` (the SBOM its root), `contains` (the tree
//! its projects), `dependsOn`, `hasDeclaredLicense` and
//! `hasConcludedLicense`. Ids are IRIs in the document's namespace.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{EdgeKind, Options, TOOL_NAME};
use crate::model::{HashAlg, Inventory};

const CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";
const CREATION: &str = "_:creationinfo";

pub fn write(inv: &Inventory, opts: &Options) -> String {
    // The namespace stands for the content; the graph without it is the seed.
    let draft = graph(inv, opts, "urn:sovra:draft");
    let ns = super::namespace(opts, inv, &Value::Array(draft).to_string());
    let doc = json!({ "@context": CONTEXT, "@graph": graph(inv, opts, &ns) });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

/// Elements under construction, all sharing the creation info.
struct Graph<'a> {
    ns: &'a str,
    elements: Vec<Value>,
    relationships: usize,
}

impl Graph<'_> {
    fn iri(&self, local: &str) -> String {
        format!("{}#{local}", self.ns)
    }

    /// Add an element; returns its id.
    fn add(&mut self, kind: &str, local: &str, mut fields: Value) -> String {
        let id = self.iri(local);
        if let Some(obj) = fields.as_object_mut() {
            obj.insert("type".into(), json!(kind));
            obj.insert("spdxId".into(), json!(id));
            obj.insert("creationInfo".into(), json!(CREATION));
        }
        self.elements.push(fields);
        id
    }

    fn relate(&mut self, from: &str, kind: &str, to: Vec<String>) {
        self.relationships += 1;
        let local = format!("SPDXRef-Relationship-{}", self.relationships);
        self.add("Relationship", &local, json!({ "from": from, "relationshipType": kind, "to": to }));
    }
}

fn graph(inv: &Inventory, opts: &Options, ns: &str) -> Vec<Value> {
    let mut g = Graph { ns, elements: Vec::new(), relationships: 0 };
    let mut created_by = vec![g.add("SoftwareAgent", "SPDXRef-Agent-sovra", json!({ "name": TOOL_NAME }))];
    if let Some(m) = &opts.manufacturer {
        let mut ids: Vec<Value> = m
            .contacts
            .iter()
            .filter_map(|c| c.email.as_ref())
            .map(|e| json!({ "type": "ExternalIdentifier", "externalIdentifierType": "email", "identifier": e }))
            .collect();
        ids.extend(
            m.urls.iter().map(
                |u| json!({ "type": "ExternalIdentifier", "externalIdentifierType": "urlScheme", "identifier": u }),
            ),
        );
        let mut fields = json!({ "name": m.label() });
        if !ids.is_empty() {
            fields["externalIdentifier"] = Value::Array(ids);
        }
        created_by.push(g.add("Organization", "SPDXRef-Agent-manufacturer", fields));
    }
    let tool = g.add("Tool", "SPDXRef-Tool-sovra", json!({ "name": format!("{TOOL_NAME} {}", opts.tool_version) }));

    let packages = super::packages(inv);
    let mut licenses: BTreeMap<String, String> = BTreeMap::new();
    let mut package_ids = Vec::with_capacity(packages.len());
    let mut license_links = Vec::new();
    for p in &packages {
        let c = p.component;
        let mut fields = json!({
            "name": if c.name.trim().is_empty() { "root" } else { c.name.as_str() },
            "software_primaryPurpose": if p.first_party { "application" } else { "library" },
        });
        let obj = fields.as_object_mut().expect("a JSON object");
        if !c.version.trim().is_empty() {
            obj.insert("software_packageVersion".into(), json!(c.version));
        }
        if let Some(url) = super::download_location(c) {
            obj.insert("software_downloadLocation".into(), json!(url));
        }
        if let Some(home) = c.homepage.as_deref().and_then(super::plain_url) {
            obj.insert("software_homePage".into(), json!(home));
        }
        if let Some(d) = c.description.as_deref().filter(|d| !d.trim().is_empty()) {
            obj.insert("description".into(), json!(d));
        }
        if c.purl.starts_with("pkg:") {
            obj.insert("software_packageUrl".into(), json!(c.purl));
            obj.insert(
                "externalIdentifier".into(),
                json!([{ "type": "ExternalIdentifier", "externalIdentifierType": "packageUrl", "identifier": c.purl }]),
            );
        }
        let hashes: Vec<Value> = super::own_hashes(c)
            .into_iter()
            .map(|h| json!({ "type": "Hash", "algorithm": algorithm(h.alg), "hashValue": h.value }))
            .collect();
        if !hashes.is_empty() {
            obj.insert("verifiedUsing".into(), Value::Array(hashes));
        }
        let id = g.add("software_Package", &p.id, fields);
        for (kind, expression) in [
            ("hasDeclaredLicense", super::declared_expression(c)),
            ("hasConcludedLicense", super::concluded_expression(c)),
        ] {
            if let Some(e) = expression {
                let next = licenses.len();
                let lic = licenses.entry(e).or_insert_with(|| g.iri(&format!("SPDXRef-License-{next}")));
                license_links.push((id.clone(), kind, lic.clone()));
            }
        }
        package_ids.push(id);
    }
    for (expression, id) in &licenses {
        let local = id.rsplit('#').next().unwrap_or(id).to_string();
        g.add("simplelicensing_LicenseExpression", &local, json!({ "simplelicensing_licenseExpression": expression }));
    }
    let root = package_ids[0].clone();
    let sbom_local = "SPDXRef-Sbom";
    let sbom = g.iri(sbom_local);
    g.relate(&sbom, "describes", vec![root.clone()]);
    for e in super::edges(inv) {
        let kind = match e.kind {
            EdgeKind::Contains => "contains",
            EdgeKind::DependsOn => "dependsOn",
        };
        let to = e.to.iter().map(|t| g.iri(t)).collect();
        g.relate(&g.iri(&e.from), kind, to);
    }
    for (from, kind, to) in license_links {
        g.relate(&from, kind, vec![to]);
    }

    // Everything but the agents, the tool and the two collections is content.
    let content: Vec<Value> = g
        .elements
        .iter()
        .filter_map(|e| e["spdxId"].as_str())
        .filter(|id| !created_by.iter().any(|a| a == id) && *id != tool)
        .map(|id| json!(id))
        .collect();
    g.add(
        "software_Sbom",
        sbom_local,
        json!({ "rootElement": [root], "element": content, "software_sbomType": ["source"] }),
    );
    g.add(
        "SpdxDocument",
        "SPDXRef-DOCUMENT",
        json!({
            "name": super::document_name(inv),
            "rootElement": [sbom],
            "element": content,
            "profileConformance": ["core", "software", "simpleLicensing"],
        }),
    );
    let creation = json!({
        "type": "CreationInfo",
        "@id": CREATION,
        "specVersion": "3.0.1",
        "created": opts.created,
        "createdBy": created_by,
        "createdUsing": [tool],
    });
    std::iter::once(creation).chain(g.elements).collect()
}

fn algorithm(alg: HashAlg) -> &'static str {
    match alg {
        HashAlg::Md5 => "md5",
        HashAlg::Sha1 => "sha1",
        HashAlg::Sha256 => "sha256",
        HashAlg::Sha384 => "sha384",
        HashAlg::Sha512 => "sha512",
    }
}
