//! The BSI TR-03183-2 profile (v2.1.0, August 2025): what an SBOM for German
//! public administration must contain, how Sovra fills it during a scan, and
//! which fields a scan could not fill.
//!
//! * [`Field`] is the list of the guideline's data fields as they map onto
//!   CycloneDX (the guideline's mapping tables and the BSI's CycloneDX property
//!   taxonomy, `bsi:component:*`). The validator ([`crate::validate`]) reports
//!   findings and scores per field; the scan reports its [`Gap`]s per field, so
//!   the two can be compared.
//! * [`apply`] fills what the inputs allow: the file name and URL of each
//!   package's deployable file from the ecosystem's naming rules, the
//!   classification properties, creators with a contact; [`gaps`] lists every
//!   required field still empty, per component. Nothing is invented: a field
//!   without data stays empty and becomes a gap.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Component, Ecosystem, HashAlg, Inventory, Source};
use crate::party::Organization;
use crate::plugin::Plugin;
use crate::scan::ROOT_REF;

/// The profile's name on the command line and in `sovra.toml`.
pub const PROFILE: &str = "bsi-tr-03183-2";
/// The version of the guideline the rules follow.
pub const GUIDELINE: &str = "BSI TR-03183-2 v2.1.0";

pub const PROP_FILENAME: &str = "bsi:component:filename";
pub const PROP_EXECUTABLE: &str = "bsi:component:executable";
pub const PROP_ARCHIVE: &str = "bsi:component:archive";
pub const PROP_STRUCTURED: &str = "bsi:component:structured";
pub const PROP_EFFECTIVE_LICENCE: &str = "bsi:component:effectiveLicence";

/// Whether the guideline demands a field always, or whenever the data exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Requirement {
    /// Must be present; its absence fails the profile.
    Required,
    /// Must be present when the data exists ("additional" fields); its
    /// absence is a warning, because a checker cannot know whether it exists.
    Additional,
}

/// Whether a field belongs to the document or to each component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Sbom,
    Component,
}

/// One data field of the guideline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    /// CycloneDX 1.6 or newer.
    SpecVersion,
    /// No vulnerability data in the SBOM.
    NoVulnerabilities,
    /// `metadata.manufacturer` with an email or a URL.
    SbomCreator,
    /// `metadata.timestamp`.
    Timestamp,
    /// `serialNumber`.
    SbomUri,
    /// The component's `manufacturer` with an email or a URL.
    Creator,
    Name,
    /// `version` (or the file's modification date when it has none).
    Version,
    /// `bsi:component:filename`.
    Filename,
    /// An entry in `dependencies`.
    Dependencies,
    /// Listed in a `compositions` entry stating completeness.
    Completeness,
    /// A licence with `acknowledgement: concluded`, as an SPDX id or expression.
    DistributionLicence,
    /// SHA-512 in `externalReferences[type=distribution].hashes`.
    Hash,
    Executable,
    Archive,
    Structured,
    /// `externalReferences[type=source-distribution]`.
    SourceUri,
    /// `externalReferences[type=distribution]`.
    DistributionUri,
    /// purl or CPE.
    Identifiers,
    /// A licence with `acknowledgement: declared`.
    OriginalLicence,
    /// `bsi:component:effectiveLicence`: optional; checked only where present.
    EffectiveLicence,
}

impl Field {
    pub const ALL: [Field; 21] = [
        Field::SpecVersion,
        Field::NoVulnerabilities,
        Field::SbomCreator,
        Field::Timestamp,
        Field::SbomUri,
        Field::Creator,
        Field::Name,
        Field::Version,
        Field::Filename,
        Field::Dependencies,
        Field::Completeness,
        Field::DistributionLicence,
        Field::Hash,
        Field::Executable,
        Field::Archive,
        Field::Structured,
        Field::SourceUri,
        Field::DistributionUri,
        Field::Identifiers,
        Field::OriginalLicence,
        Field::EffectiveLicence,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Field::SpecVersion => "spec-version",
            Field::NoVulnerabilities => "no-vulnerabilities",
            Field::SbomCreator => "sbom-creator",
            Field::Timestamp => "timestamp",
            Field::SbomUri => "sbom-uri",
            Field::Creator => "creator",
            Field::Name => "name",
            Field::Version => "version",
            Field::Filename => "filename",
            Field::Dependencies => "dependencies",
            Field::Completeness => "completeness",
            Field::DistributionLicence => "distribution-licence",
            Field::Hash => "hash",
            Field::Executable => "executable",
            Field::Archive => "archive",
            Field::Structured => "structured",
            Field::SourceUri => "source-uri",
            Field::DistributionUri => "distribution-uri",
            Field::Identifiers => "identifiers",
            Field::OriginalLicence => "original-licence",
            Field::EffectiveLicence => "effective-licence",
        }
    }

    pub fn parse(id: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.id() == id)
    }

    /// `None` for the optional effective licence, which is never missing.
    pub fn requirement(self) -> Option<Requirement> {
        match self {
            Field::SbomUri
            | Field::SourceUri
            | Field::DistributionUri
            | Field::Identifiers
            | Field::OriginalLicence => Some(Requirement::Additional),
            Field::EffectiveLicence => None,
            _ => Some(Requirement::Required),
        }
    }

    pub fn level(self) -> Level {
        match self {
            Field::SpecVersion | Field::NoVulnerabilities | Field::SbomCreator | Field::Timestamp | Field::SbomUri => {
                Level::Sbom
            }
            _ => Level::Component,
        }
    }

    /// Where the field lives in a CycloneDX document, for messages.
    pub fn cyclonedx(self) -> &'static str {
        match self {
            Field::SpecVersion => "specVersion >= 1.6",
            Field::NoVulnerabilities => "no vulnerabilities",
            Field::SbomCreator => "metadata.manufacturer (email or url)",
            Field::Timestamp => "metadata.timestamp",
            Field::SbomUri => "serialNumber",
            Field::Creator => "manufacturer (email or url)",
            Field::Name => "name",
            Field::Version => "version",
            Field::Filename => "properties[bsi:component:filename]",
            Field::Dependencies => "dependencies[ref]",
            Field::Completeness => "compositions[aggregate]",
            Field::DistributionLicence => "licenses[acknowledgement=concluded]",
            Field::Hash => "externalReferences[type=distribution].hashes[SHA-512]",
            Field::Executable => "properties[bsi:component:executable]",
            Field::Archive => "properties[bsi:component:archive]",
            Field::Structured => "properties[bsi:component:structured]",
            Field::SourceUri => "externalReferences[type=source-distribution]",
            Field::DistributionUri => "externalReferences[type=distribution]",
            Field::Identifiers => "purl or cpe",
            Field::OriginalLicence => "licenses[acknowledgement=declared]",
            Field::EffectiveLicence => "properties[bsi:component:effectiveLicence]",
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// Fill what the profile needs and the inputs allow: the deployable file's
/// name and URL from the plug-ins' naming rules where the plug-in left them
/// empty (the URL only for packages from the ecosystem's default registry,
/// whose URLs follow fixed rules), and the classification properties of
/// registry packages, which are all archives of code with package metadata.
pub fn apply(inv: &mut Inventory, plugins: &[&dyn Plugin]) {
    for c in &mut inv.components {
        let unlocked = c.properties.contains_key(crate::model::PROP_UNLOCKED);
        if (c.filename.is_none() || c.download_url.is_none())
            && !c.version.is_empty()
            && !unlocked
            && let Some((file, url)) = plugins.iter().find_map(|p| p.distribution(c))
        {
            if c.filename.is_none() {
                c.filename = Some(file);
            }
            if c.download_url.is_none() && c.source == (Source::Registry { url: None }) {
                c.download_url = Some(url);
            }
        }
        if c.ecosystem.is_some_and(|e| e != Ecosystem::Generic) {
            c.properties.entry(PROP_EXECUTABLE.into()).or_insert_with(|| "executable".into());
            c.properties.entry(PROP_ARCHIVE.into()).or_insert_with(|| "archive".into());
            c.properties.entry(PROP_STRUCTURED.into()).or_insert_with(|| "structured".into());
        }
    }
}

/// Where the source code of exactly this version of a component lies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceCode {
    pub url: String,
    pub comment: Option<String>,
    /// The URL is the deployable file itself, so its hashes apply.
    pub is_deployable: bool,
}

/// The source code of a component, where the inputs name it: a git source
/// pinned to a commit (in the VCS form `git+<url>@<commit>` SPDX and pip
/// use), the deployable file of ecosystems that publish source code (a
/// `.crate`, a Go module zip, a Composer dist archive) and a Python sdist.
/// A repository URL alone names no version and is never passed off as one
/// (it stays the `vcs` reference); nor is a built package (a wheel, a jar).
pub fn source_code(c: &Component) -> Option<SourceCode> {
    if let Source::Git { url, commit: Some(commit), .. } = &c.source {
        let base = url.strip_prefix("git+").unwrap_or(url);
        let has_scheme = ["https://", "http://", "ssh://", "git://", "file://"].iter().any(|s| base.starts_with(s));
        if !has_scheme || commit.trim().is_empty() {
            return None;
        }
        return Some(SourceCode {
            url: format!("git+{base}@{commit}"),
            comment: Some(format!("commit {commit}")),
            is_deployable: false,
        });
    }
    let direct = match &c.source {
        Source::Url { url } => Some(url.as_str()),
        _ => None,
    };
    let download = c.download_url.as_deref().or(direct)?;
    let is_source = match c.ecosystem? {
        Ecosystem::Cargo | Ecosystem::Golang | Ecosystem::Composer => {
            !matches!(c.source, Source::Git { .. } | Source::Path { .. })
        }
        Ecosystem::Pypi => is_sdist(last_segment(download)),
        _ => false,
    };
    is_source.then(|| SourceCode { url: download.to_string(), comment: None, is_deployable: true })
}

/// A Python source distribution's file name (PEP 625 `.tar.gz`, legacy `.zip`
/// and other archives), as opposed to a wheel or an egg.
fn is_sdist(file: &str) -> bool {
    let f = file.to_ascii_lowercase();
    [".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip"].iter().any(|ext| f.ends_with(ext))
}

/// The file name at the end of a URL's path.
pub(crate) fn last_segment(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/').next().unwrap_or(path)
}

/// The fields [`gaps`] judges from an inventory. The others (specification
/// version, timestamp, serial number, name, dependencies, completeness) the
/// CycloneDX writer always fills.
pub const JUDGED: [Field; 13] = [
    Field::SbomCreator,
    Field::Creator,
    Field::Version,
    Field::Filename,
    Field::DistributionLicence,
    Field::Hash,
    Field::Executable,
    Field::Archive,
    Field::Structured,
    Field::SourceUri,
    Field::DistributionUri,
    Field::Identifiers,
    Field::OriginalLicence,
];

/// A field a scan could not fill for one component (or for the SBOM).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Gap {
    pub field: Field,
    pub bom_ref: String,
    pub reason: &'static str,
}

impl Gap {
    pub fn requirement(&self) -> Option<Requirement> {
        self.field.requirement()
    }
}

/// Every field that stays empty after [`apply`], for the scanned tree
/// itself, every project and every third-party component, plus the SBOM
/// creator when no manufacturer contact is configured. Required fields and
/// the "additional" ones a scan can judge (source code URI, distribution
/// URI, identifiers, original licence); [`Gap::requirement`] tells them apart.
/// The rules mirror what the CycloneDX writer puts where, so that `sovra
/// validate --profile` finds exactly these fields missing.
pub fn gaps(inv: &Inventory, has_manufacturer: bool) -> Vec<Gap> {
    let mut out = Vec::new();
    if !has_manufacturer {
        out.push(Gap {
            field: Field::SbomCreator,
            bom_ref: ROOT_REF.into(),
            reason: "no --manufacturer-email/--manufacturer-url or [bsi] manufacturer in sovra.toml",
        });
    }
    for (bom_ref, c) in subjects(inv) {
        for (field, reason) in component_gaps(c) {
            out.push(Gap { field, bom_ref: bom_ref.to_string(), reason });
        }
    }
    out.sort();
    out
}

/// What the profile judges per component: the scanned tree, the projects
/// and the third-party components, with their bom-refs.
pub fn subjects(inv: &Inventory) -> impl Iterator<Item = (&str, &Component)> {
    let root = std::iter::once((ROOT_REF, &inv.root));
    let projects = inv.projects.iter().map(|p| (p.bom_ref.as_str(), &p.component));
    let components = inv.components.iter().map(|c| (c.purl.as_str(), c));
    root.chain(projects).chain(components)
}

fn component_gaps(c: &Component) -> Vec<(Field, &'static str)> {
    let mut gaps = Vec::new();
    if !Organization::from_authors(&c.authors).is_some_and(|o| o.has_contact()) {
        gaps.push((Field::Creator, "no author with an email or URL in the inputs"));
    }
    if c.version.is_empty() {
        gaps.push((Field::Version, "no version in the inputs"));
    }
    if c.filename.is_none() {
        gaps.push((Field::Filename, "the ecosystem has no naming rule and the lockfile names no file"));
    }
    let direct = matches!(c.source, Source::Url { .. });
    let main_file = c.filename.as_deref();
    let own_sha512 =
        c.hashes.iter().any(|h| h.alg == HashAlg::Sha512 && (h.file.is_none() || h.file.as_deref() == main_file));
    if !(own_sha512 && (c.download_url.is_some() || direct || main_file.is_some())) {
        gaps.push((Field::Hash, "the lockfile has no SHA-512 of the deployable file"));
    }
    let concluded = c
        .concluded_license
        .as_ref()
        .is_some_and(|l| crate::validate::profile::licence_expression(&l.expression).is_ok());
    if !concluded {
        // A declared licence is what the creator states, not what Sovra
        // read in the licence text; writing it as concluded would be invented.
        gaps.push((Field::DistributionLicence, "no licence text was read to conclude the distribution licence"));
    }
    for (field, prop) in
        [(Field::Executable, PROP_EXECUTABLE), (Field::Archive, PROP_ARCHIVE), (Field::Structured, PROP_STRUCTURED)]
    {
        if !c.properties.contains_key(prop) {
            gaps.push((field, "not known for first-party or non-registry components"));
        }
    }
    if source_code(c).is_none() {
        gaps.push((Field::SourceUri, "no source archive or pinned git commit in the inputs"));
    }
    let has_distribution = c.download_url.is_some()
        || direct
        || c.hashes.iter().any(|h| h.file.is_some())
        || (main_file.is_some() && !c.hashes.is_empty());
    if !has_distribution {
        gaps.push((Field::DistributionUri, "no download URL or distribution file in the inputs"));
    }
    if c.purl.is_empty() {
        gaps.push((Field::Identifiers, "no purl: the component has no package name and version"));
    }
    let declared = c.declared_licenses.iter().any(|l| {
        let e = l.expression.clone().unwrap_or_else(|| crate::license::normalize(&l.raw).expression);
        crate::validate::profile::licence_expression(&e).is_ok()
    });
    if !declared {
        gaps.push((Field::OriginalLicence, "no licence stated in the inputs, or none that maps to SPDX"));
    }
    gaps
}

/// Gap counts per field of required fields, for the summary line.
pub fn gap_counts(gaps: &[Gap]) -> BTreeMap<Field, usize> {
    let mut m = BTreeMap::new();
    for g in gaps.iter().filter(|g| g.requirement() == Some(Requirement::Required)) {
        *m.entry(g.field).or_insert(0) += 1;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Hash, Project};

    fn inventory(components: Vec<Component>) -> Inventory {
        Inventory { components, ..Inventory::default() }
    }

    #[test]
    fn gaps_name_each_missing_field_per_reference() {
        let mut with_hash = Component::new(Ecosystem::Npm, None, "a", "1.0.0");
        with_hash.hashes = Hash::from_sri(
            "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==",
        );
        with_hash.authors = vec!["A <a@example.org>".into()];
        // What a plug-in's naming rule gives (see `Plugin::distribution`).
        with_hash.filename = Some("a-1.0.0.tgz".into());
        with_hash.download_url = Some("https://registry.npmjs.org/a/-/a-1.0.0.tgz".into());
        let plain = Component::new(Ecosystem::Pypi, None, "b", "2.0");
        let mut inv = inventory(vec![with_hash, plain]);
        inv.projects.push(Project {
            bom_ref: "sovra:project:package.json".into(),
            component: Component { name: "app".into(), ..Component::default() },
            manifest: crate::model::Location::new("package.json", None),
        });
        apply(&mut inv, &[]);
        let gaps = gaps(&inv, true);
        let of = |r: &str| -> Vec<&str> {
            gaps.iter()
                .filter(|g| g.bom_ref == r && g.requirement() == Some(Requirement::Required))
                .map(|g| g.field.id())
                .collect()
        };
        assert_eq!(of("pkg:npm/a@1.0.0"), ["distribution-licence"]);
        assert_eq!(of("pkg:pypi/b@2.0"), ["creator", "filename", "distribution-licence", "hash"]);
        assert!(of("sovra:project:package.json").contains(&"executable"));
        assert!(!gaps.iter().any(|g| g.field == Field::SbomCreator));
        assert_eq!(gap_counts(&gaps)[&Field::Hash], 3);
    }
}
