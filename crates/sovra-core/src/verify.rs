//! Comparing a delivered SBOM with what Sovra finds in the delivered source.
//!
//! An auditor receives software with its vendor's SBOM and asks whether the
//! SBOM tells the truth. [`verify`] lines up the SBOM's components
//! ([`vendor_components`], read through [`crate::validate::Document`], so JSON
//! and XML alike) with the components of Sovra's own scan ([`Inventory`]) by
//! package identity (purl type, namespace, name; normalised as the ecosystem
//! compares names) and reports, as [`Difference`]s:
//!
//! * components Sovra found that the SBOM does not list (`missing`),
//! * components the SBOM lists that are not in the source (`extra`),
//! * the same package at another version (`version`),
//! * the same package under another licence (`licence`).
//!
//! Packages only used to develop or build (scope dev, Maven provided) are not
//! delivered, so an SBOM need not list them; they count as missing only with
//! `include_dev`. A component the SBOM lists that Sovra knows as a
//! first-party project is not extra.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::license;
use crate::model::{Component, Inventory, Scope};
use crate::validate::{Document, display_path};

/// A component as the delivered SBOM states it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VendorComponent {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub version: String,
    /// Licences as SPDX expressions (ids and names normalised), any acknowledgement.
    pub licences: Vec<String>,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// The third-party components of an SBOM: `components`, nested ones
/// included; `metadata.component` (the product itself) and what is nested in
/// it are first-party.
pub fn vendor_components(doc: &Document) -> Vec<VendorComponent> {
    doc.components()
        .into_iter()
        .filter(|(ptr, _)| ptr.starts_with("/components"))
        .map(|(ptr, c)| {
            let s = |k: &str| c[k].as_str().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
            let mut licences: Vec<String> = c["licenses"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| match (&l["expression"], &l["license"]) {
                    (Value::String(e), _) => Some(e.clone()),
                    (_, lic) => lic["id"].as_str().or(lic["name"].as_str()).map(str::to_string),
                })
                .map(|raw| license::normalize(&raw).expression)
                .collect();
            licences.sort();
            licences.dedup();
            VendorComponent {
                bom_ref: s("bom-ref"),
                purl: s("purl"),
                name: s("name").unwrap_or_default(),
                group: s("group"),
                version: s("version").unwrap_or_default(),
                licences,
                path: display_path(&ptr),
                line: doc.line(&ptr),
            }
        })
        .collect()
}

/// Package identity without version: purl type (when known), namespace, name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Key {
    ty: Option<String>,
    namespace: Option<String>,
    name: String,
}

impl Key {
    fn new(ty: Option<&str>, namespace: Option<&str>, name: &str) -> Key {
        // Names compare case-insensitively in most registries; Python also
        // treats `-`, `_` and `.` alike (PEP 503).
        let fold = |s: &str| {
            let s = s.trim().to_lowercase();
            if ty == Some("pypi") { s.replace(['_', '.'], "-") } else { s }
        };
        Key { ty: ty.map(str::to_string), namespace: namespace.map(fold).filter(|n| !n.is_empty()), name: fold(name) }
    }

    fn of_vendor(v: &VendorComponent) -> Key {
        match v.purl.as_deref().and_then(crate::purl::parse) {
            Some((ty, ns, name, _)) => Key::new(Some(&ty), ns.as_deref(), &name),
            None => Key::new(None, v.group.as_deref(), &v.name),
        }
    }

    fn of_ours(c: &Component) -> Key {
        let ty = c.ecosystem.map(|e| e.purl_type());
        Key::new(ty, c.namespace.as_deref(), &c.name)
    }

    /// `pkg:type/namespace/name` as people read it.
    fn display(&self) -> String {
        let mut s = format!("pkg:{}/", self.ty.as_deref().unwrap_or("?"));
        if let Some(ns) = &self.namespace {
            s.push_str(ns);
            s.push('/');
        }
        s.push_str(&self.name);
        s
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// In the source, not in the SBOM.
    Missing,
    /// In the SBOM, not in the source.
    Extra,
    Version,
    Licence,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Missing => "missing",
            Kind::Extra => "extra",
            Kind::Version => "version",
            Kind::Licence => "licence",
        }
    }
}

/// One disagreement between the SBOM and the source.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Difference {
    pub kind: Kind,
    /// `pkg:type/namespace/name`.
    pub package: String,
    /// Version found in the source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
    /// Version the SBOM states.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sbom_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_licence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sbom_licence: Option<String>,
    /// Where in the source (lockfile and line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_location: Option<String>,
    /// Where in the SBOM (JSON path, line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sbom_location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Expect dev-only and provided packages in the SBOM too.
    pub include_dev: bool,
}

/// The outcome of [`verify`].
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub sbom: String,
    /// Components listed in the SBOM.
    pub sbom_components: usize,
    /// Delivered third-party components found in the source.
    pub source_components: usize,
    /// Pairs that agree on identity and version.
    pub matched: usize,
    /// Dev-only/provided packages found in the source and not listed (not differences).
    pub not_delivered_unlisted: usize,
    pub differences: Vec<Difference>,
}

impl Report {
    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        crate::validate::pretty_json(self)
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.differences.iter().filter(|d| d.kind == kind).count()
    }
}

/// Compare the SBOM `doc` with the scan `inv` of the delivered source.
pub fn verify(doc: &Document, inv: &Inventory, options: &Options) -> Report {
    let vendor = vendor_components(doc);
    let delivered = |c: &Component| !matches!(c.scope, Some(Scope::Dev | Scope::Excluded));
    let mut ours: BTreeMap<Key, Vec<&Component>> = BTreeMap::new();
    for c in &inv.components {
        ours.entry(Key::of_ours(c)).or_default().push(c);
    }
    let first_party: BTreeSet<Key> = inv.projects.iter().map(|p| Key::of_ours(&p.component)).collect();
    // A vendor entry without purl names no ecosystem: match it on the rest.
    let untyped: BTreeMap<Key, Key> = ours.keys().map(|k| (Key { ty: None, ..k.clone() }, k.clone())).collect();

    let mut theirs: BTreeMap<Key, Vec<&VendorComponent>> = BTreeMap::new();
    let mut differences = Vec::new();
    for v in &vendor {
        let mut key = Key::of_vendor(v);
        if key.ty.is_none()
            && let Some(k) = untyped.get(&key)
        {
            key = k.clone();
        }
        if ours.contains_key(&key) {
            theirs.entry(key).or_default().push(v);
        } else if !first_party.contains(&key) && !first_party.iter().any(|f| key.ty.is_none() && f.name == key.name) {
            differences.push(extra(&key, v));
        }
    }

    let mut matched = 0;
    let mut not_delivered_unlisted = 0;
    for (key, comps) in &ours {
        let listed = theirs.get(key).map(Vec::as_slice).unwrap_or_default();
        let listed_versions: BTreeSet<&str> = listed.iter().map(|v| v.version.as_str()).collect();
        let our_versions: BTreeSet<&str> = comps.iter().map(|c| c.version.as_str()).collect();
        let mut ours_left: Vec<&Component> = Vec::new();
        for c in comps {
            match listed.iter().find(|v| same_version(&v.version, &c.version)) {
                Some(v) => {
                    matched += 1;
                    differences.extend(licence_difference(key, c, v));
                }
                None => ours_left.push(c),
            }
        }
        let mut theirs_left: Vec<&VendorComponent> =
            listed.iter().copied().filter(|v| !our_versions.iter().any(|o| same_version(&v.version, o))).collect();
        theirs_left.dedup_by(|a, b| a.version == b.version);
        // Only delivered packages must be listed; a dev package the SBOM lists anyway is fine.
        let (must, optional): (Vec<&Component>, Vec<&Component>) =
            ours_left.into_iter().partition(|c| options.include_dev || delivered(c));
        // A listed version that matches nothing is the same package at
        // another version: paired with a package that must be listed first,
        // then with a dev one the SBOM lists anyway.
        let (mut must, mut optional) = (must.into_iter(), optional.into_iter());
        for v in theirs_left {
            match must.next().or_else(|| optional.next()) {
                Some(c) => {
                    differences.push(version_difference(key, c, v));
                    differences.extend(licence_difference(key, c, v));
                }
                None => differences.push(extra(key, v)),
            }
        }
        differences.extend(must.map(|c| missing(key, c)));
        not_delivered_unlisted += optional.filter(|c| !listed_versions.contains(c.version.as_str())).count();
    }
    differences.sort();
    differences.dedup();
    Report {
        sbom: doc.file.clone(),
        sbom_components: vendor.len(),
        source_components: inv.components.iter().filter(|c| options.include_dev || delivered(c)).count(),
        matched,
        not_delivered_unlisted,
        differences,
    }
}

/// Versions agree when equal up to a leading `v` (Go tags, some vendors' habit).
fn same_version(a: &str, b: &str) -> bool {
    let strip = |s: &str| s.trim().trim_start_matches('v').to_string();
    strip(a) == strip(b)
}

fn base(kind: Kind, key: &Key) -> Difference {
    Difference {
        kind,
        package: key.display(),
        source_version: None,
        sbom_version: None,
        source_licence: None,
        sbom_licence: None,
        source_location: None,
        sbom_location: None,
        bom_ref: None,
    }
}

fn with_ours(mut d: Difference, c: &Component) -> Difference {
    d.source_version = Some(c.version.clone());
    d.source_location = c.locations.first().map(ToString::to_string);
    d
}

fn with_theirs(mut d: Difference, v: &VendorComponent) -> Difference {
    d.sbom_version = Some(v.version.clone());
    d.sbom_location = Some(match v.line {
        Some(l) => format!("{} (line {l})", v.path),
        None => v.path.clone(),
    });
    d.bom_ref = v.bom_ref.clone();
    d
}

fn missing(key: &Key, c: &Component) -> Difference {
    let mut d = with_ours(base(Kind::Missing, key), c);
    d.source_licence = our_licences(c).into_iter().next();
    d
}

fn extra(key: &Key, v: &VendorComponent) -> Difference {
    with_theirs(base(Kind::Extra, key), v)
}

fn version_difference(key: &Key, c: &Component, v: &VendorComponent) -> Difference {
    with_theirs(with_ours(base(Kind::Version, key), c), v)
}

/// The licences Sovra knows for a component: declared expressions and the
/// one concluded from a licence text, `NOASSERTION` left out.
fn our_licences(c: &Component) -> BTreeSet<String> {
    c.declared_licenses
        .iter()
        .map(|d| d.expression.clone().unwrap_or_else(|| license::normalize(&d.raw).expression))
        .chain(c.concluded_license.iter().map(|l| l.expression.clone()))
        .filter(|e| e != "NOASSERTION" && e != "NONE")
        .collect()
}

/// A disagreement when both sides know something and share nothing; an SBOM
/// silent about a licence Sovra knows disagrees too.
fn licence_difference(key: &Key, c: &Component, v: &VendorComponent) -> Option<Difference> {
    let ours = our_licences(c);
    if ours.is_empty() {
        return None;
    }
    let theirs: BTreeSet<&String> = v.licences.iter().filter(|e| *e != "NOASSERTION").collect();
    if theirs.iter().any(|t| ours.contains(*t)) {
        return None;
    }
    let mut d = with_theirs(with_ours(base(Kind::Licence, key), c), v);
    d.source_licence = Some(ours.into_iter().collect::<Vec<_>>().join(" | "));
    d.sbom_licence = Some(if theirs.is_empty() {
        "(none stated)".to_string()
    } else {
        theirs.into_iter().cloned().collect::<Vec<_>>().join(" | ")
    });
    Some(d)
}
