//! The data model every plug-in fills and every writer reads.
//!
//! Paths in the model are always relative to the scanned root and use `/`
//! separators, so that output does not depend on where the tree was checked out.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

/// The package ecosystem a component belongs to. Its purl type is the key used
/// everywhere (purls, vendor patterns, registry sources).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    Cargo,
    Npm,
    Pypi,
    Maven,
    Golang,
    Composer,
    Nuget,
    Gem,
    /// Anything found outside a package manager (a vendored file, a URL download).
    Generic,
}

impl Ecosystem {
    /// The purl type of this ecosystem, as the purl specification names it.
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "cargo",
            Ecosystem::Npm => "npm",
            Ecosystem::Pypi => "pypi",
            Ecosystem::Maven => "maven",
            Ecosystem::Golang => "golang",
            Ecosystem::Composer => "composer",
            Ecosystem::Nuget => "nuget",
            Ecosystem::Gem => "gem",
            Ecosystem::Generic => "generic",
        }
    }

    pub fn from_purl_type(t: &str) -> Option<Self> {
        Some(match t {
            "cargo" => Ecosystem::Cargo,
            "npm" => Ecosystem::Npm,
            "pypi" => Ecosystem::Pypi,
            "maven" => Ecosystem::Maven,
            "golang" => Ecosystem::Golang,
            "composer" => Ecosystem::Composer,
            "nuget" => Ecosystem::Nuget,
            "gem" => Ecosystem::Gem,
            "generic" => Ecosystem::Generic,
            _ => return None,
        })
    }

    pub const ALL: [Ecosystem; 9] = [
        Ecosystem::Cargo,
        Ecosystem::Npm,
        Ecosystem::Pypi,
        Ecosystem::Maven,
        Ecosystem::Golang,
        Ecosystem::Composer,
        Ecosystem::Nuget,
        Ecosystem::Gem,
        Ecosystem::Generic,
    ];
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.purl_type())
    }
}

/// How a component takes part in what is delivered.
///
/// Ordered from the strongest claim to the weakest, so that merging the same
/// package seen in several places keeps the strongest (`min`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Shipped and needed at run time.
    Required,
    /// Shipped when present but not needed (npm optionalDependencies, cargo optional features).
    Optional,
    /// Only used to develop, build or test the project (npm devDependencies, Maven test scope,
    /// poetry dev groups). Not shipped; `--exclude-dev` drops these.
    Dev,
    /// Declared but expected to be provided by the environment (Maven `provided`/`system`).
    Excluded,
}

impl Scope {
    /// The CycloneDX `scope` value. CycloneDX has no "dev": a dev-only
    /// package is optional for the delivered software, and Sovra marks it with
    /// the `sovra:scope` property so the distinction survives.
    pub fn cyclonedx(self) -> &'static str {
        match self {
            Scope::Required => "required",
            Scope::Optional | Scope::Dev => "optional",
            Scope::Excluded => "excluded",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Required => "required",
            Scope::Optional => "optional",
            Scope::Dev => "dev",
            Scope::Excluded => "excluded",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum HashAlg {
    #[serde(rename = "MD5")]
    Md5,
    #[serde(rename = "SHA-1")]
    Sha1,
    #[serde(rename = "SHA-256")]
    Sha256,
    #[serde(rename = "SHA-384")]
    Sha384,
    #[serde(rename = "SHA-512")]
    Sha512,
}

impl HashAlg {
    /// The CycloneDX `hash-alg` name.
    pub fn cyclonedx(self) -> &'static str {
        match self {
            HashAlg::Md5 => "MD5",
            HashAlg::Sha1 => "SHA-1",
            HashAlg::Sha256 => "SHA-256",
            HashAlg::Sha384 => "SHA-384",
            HashAlg::Sha512 => "SHA-512",
        }
    }

    /// Length of the digest in hex characters.
    pub fn hex_len(self) -> usize {
        match self {
            HashAlg::Md5 => 32,
            HashAlg::Sha1 => 40,
            HashAlg::Sha256 => 64,
            HashAlg::Sha384 => 96,
            HashAlg::Sha512 => 128,
        }
    }
}

/// A digest of a downloadable file of the component (a tarball, a `.crate`, a wheel).
///
/// `file` names the file the digest belongs to when the lockfile says so
/// (Python lockfiles carry one hash per wheel/sdist).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hash {
    pub alg: HashAlg,
    /// Lower-case hex.
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

impl Hash {
    /// A hash from a hex digest; `None` if the digest is not hex of the algorithm's length.
    pub fn from_hex(alg: HashAlg, hex: &str) -> Option<Hash> {
        let hex = hex.trim();
        if hex.len() != alg.hex_len() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(Hash { alg, value: hex.to_ascii_lowercase(), file: None })
    }

    /// Parse a Subresource Integrity string (`sha512-<base64>`), as npm, yarn v1
    /// and pnpm write it. Several space-separated entries may be given; all valid ones are returned.
    pub fn from_sri(sri: &str) -> Vec<Hash> {
        use base64::Engine as _;
        sri.split_whitespace()
            .filter_map(|entry| {
                let (alg, b64) = entry.split_once('-')?;
                let alg = match alg {
                    "sha1" => HashAlg::Sha1,
                    "sha256" => HashAlg::Sha256,
                    "sha384" => HashAlg::Sha384,
                    "sha512" => HashAlg::Sha512,
                    _ => return None,
                };
                // SRI allows `?options` after the digest.
                let b64 = b64.split('?').next().unwrap_or(b64);
                let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
                Hash::from_hex(alg, &to_hex(&bytes))
            })
            .collect()
    }

    pub fn with_file(mut self, file: impl Into<String>) -> Hash {
        self.file = Some(file.into());
        self
    }
}

/// Lower-case hex of bytes.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0xf) as usize] as char);
    }
    s
}

/// Where a component's code is fetched from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Source {
    /// A package registry. `url` is set when it is not the ecosystem's default registry.
    Registry {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
    },
    /// A git repository, ideally pinned to a commit.
    Git {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        commit: Option<String>,
        /// A branch or tag named in the lockfile, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    /// A directory on disk (relative to the manifest that names it, as written there).
    Path { path: String },
    /// A direct download URL (tarball, wheel).
    Url { url: String },
}

impl Default for Source {
    fn default() -> Self {
        Source::Registry { url: None }
    }
}

/// A place in a scanned file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Relative to the scanned root, `/`-separated.
    pub file: String,
    /// 1-based line, where the parser knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl Location {
    pub fn new(file: impl Into<String>, line: Option<u32>) -> Location {
        Location { file: file.into(), line }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.file, line),
            None => f.write_str(&self.file),
        }
    }
}

/// A licence as stated by the package's creator (a manifest, lockfile or registry field).
///
/// `raw` is the text exactly as found; `expression` is its SPDX form, filled by
/// licence normalisation (`None` until then, `NOASSERTION` if it cannot be mapped).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DeclaredLicense {
    pub raw: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// Where the statement was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Location>,
}

impl DeclaredLicense {
    pub fn raw(raw: impl Into<String>) -> DeclaredLicense {
        DeclaredLicense { raw: raw.into(), expression: None, source: None }
    }

    /// A list of licences offered as alternatives (a Composer `license` array,
    /// npm's legacy `licenses` list): one statement, joined with `OR`.
    pub fn any_of<S: AsRef<str>>(alternatives: &[S]) -> Option<DeclaredLicense> {
        let parts: Vec<&str> = alternatives.iter().map(|s| s.as_ref().trim()).filter(|s| !s.is_empty()).collect();
        match parts.len() {
            0 => None,
            1 => Some(DeclaredLicense::raw(parts[0])),
            _ => Some(DeclaredLicense::raw(parts.iter().map(|p| wrap_compound(p)).collect::<Vec<_>>().join(" OR "))),
        }
    }
}

fn wrap_compound(p: &str) -> String {
    if p.contains(' ') { format!("({p})") } else { p.to_string() }
}

/// A licence concluded by Sovra from a licence text it read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConcludedLicense {
    /// An SPDX expression, `NONE` or `NOASSERTION`.
    pub expression: String,
    /// 0.0 to 1.0.
    pub confidence: f32,
    /// The file the text was read from.
    pub source: Location,
}

/// A third-party package (or, inside [`Project`], the project itself).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Component {
    pub ecosystem: Option<Ecosystem>,
    /// Group, scope, vendor or module path prefix, as the purl type defines it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    pub version: String,
    /// The package URL; also the component's identity (`bom-ref`).
    pub purl: String,
    pub scope: Option<Scope>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declared_licenses: Vec<DeclaredLicense>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concluded_license: Option<ConcludedLicense>,
    pub source: Source,
    /// Every lockfile/manifest entry this component was read from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Creators as stated (names, `Name <email>`), for the SBOM's `authors`/`manufacturer`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// Source repository (`vcs` external reference, BSI source code URI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    /// URL of the deployable file (`distribution` external reference).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_url: Option<String>,
    /// File name of the deployable file (`bsi:component:filename`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// Everything else worth keeping, under namespaced keys (`sovra:npm:patched`, `cdx:...`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
}

impl Component {
    /// A component with its purl built from the parts.
    pub fn new(ecosystem: Ecosystem, namespace: Option<&str>, name: &str, version: &str) -> Component {
        let purl = crate::purl::Purl::new(ecosystem.purl_type(), namespace, name, Some(version)).to_string();
        Component {
            ecosystem: Some(ecosystem),
            namespace: namespace.map(str::to_string),
            name: name.to_string(),
            version: version.to_string(),
            purl,
            scope: Some(Scope::Required),
            ..Component::default()
        }
    }

    /// The component of a first-party project that is a directory rather than a
    /// package (a Go module without version, a Gemfile's folder): named after
    /// the directory (`root` at the top), with no purl of its own.
    pub fn for_directory(ecosystem: Ecosystem, dir: &str) -> Component {
        let name = if dir.is_empty() { "root" } else { crate::plugin::file_name(dir) };
        Component {
            ecosystem: Some(ecosystem),
            name: name.to_string(),
            scope: None,
            source: Source::Path { path: if dir.is_empty() { ".".into() } else { dir.to_string() } },
            ..Component::default()
        }
    }

    /// The reference other parts of the document use for this component.
    pub fn bom_ref(&self) -> &str {
        &self.purl
    }

    /// `namespace/name` or `name`, as a person reads it (Maven writes `group:artifact`).
    pub fn display_name(&self) -> String {
        match (&self.namespace, self.ecosystem) {
            (Some(ns), Some(Ecosystem::Maven)) => format!("{ns}:{}", self.name),
            (Some(ns), _) => format!("{ns}/{}", self.name),
            (None, _) => self.name.clone(),
        }
    }

    /// Fold another sighting of the same package into this one.
    pub fn merge(&mut self, other: Component) {
        self.scope = match (self.scope, other.scope) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        for h in other.hashes {
            if !self.hashes.contains(&h) {
                self.hashes.push(h);
            }
        }
        for l in other.declared_licenses {
            if !self.declared_licenses.iter().any(|d| d.raw == l.raw) {
                self.declared_licenses.push(l);
            }
        }
        if self.concluded_license.is_none() {
            self.concluded_license = other.concluded_license;
        }
        if self.source == Source::default() {
            self.source = other.source;
        }
        for l in other.locations {
            if !self.locations.contains(&l) {
                self.locations.push(l);
            }
        }
        fill(&mut self.description, other.description);
        fill(&mut self.repository_url, other.repository_url);
        fill(&mut self.homepage, other.homepage);
        fill(&mut self.download_url, other.download_url);
        fill(&mut self.filename, other.filename);
        for a in other.authors {
            if !self.authors.contains(&a) {
                self.authors.push(a);
            }
        }
        for (k, v) in other.properties {
            self.properties.entry(k).or_insert(v);
        }
    }

    /// Sort the lists so that output does not depend on the order files were read.
    pub fn normalize_order(&mut self) {
        self.hashes.sort();
        self.hashes.dedup();
        self.locations.sort();
        self.declared_licenses.sort();
        self.declared_licenses.dedup_by(|a, b| a.raw == b.raw);
        self.authors.sort();
        self.authors.dedup();
    }
}

fn fill(slot: &mut Option<String>, value: Option<String>) {
    if slot.is_none() {
        *slot = value;
    }
}

/// Property set to `true` on a component whose version comes from a manifest
/// range rather than a lockfile (the risk model's `provenance-unlocked`).
pub const PROP_UNLOCKED: &str = "sovra:unlocked";

/// The reference of a first-party project known only by the manifest (or
/// directory) that defines it, because it has no name and version of its own
/// the scan can read.
pub fn project_ref(manifest: &str) -> String {
    format!("sovra:project:{manifest}")
}

/// A first-party project found in the tree: a workspace member, a module, a
/// package.json with a lockfile. Its own packages are not third-party components.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// The unique reference used in the dependency graph (usually its purl; a
    /// `sovra:project:<path>` reference where the project has no name/version).
    pub bom_ref: String,
    /// The project's own data (name, version, purl, licences, authors, ...).
    pub component: Component,
    /// The manifest that defines it.
    pub manifest: Location,
}

/// Severity of a diagnostic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// Something the scan could not do or wants a person to know: a file that could
/// not be parsed, an entry that was skipped, a version that could not be resolved.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable machine-readable code, `<area>::<what>` (`cargo::parse`, `npm::unknown-entry`).
    pub code: String,
    pub message: String,
    pub location: Location,
}

impl Diagnostic {
    pub fn new(
        severity: Severity,
        code: impl Into<String>,
        location: Location,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic { severity, code: code.into(), message: message.into(), location }
    }

    pub fn error(code: &str, location: Location, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, location, message)
    }

    pub fn warning(code: &str, location: Location, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, location, message)
    }

    pub fn info(code: &str, location: Location, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Info, code, location, message)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]: {}: {}", self.severity, self.code, self.location, self.message)
    }
}

/// What one plug-in read from one parse unit (a lockfile with its manifests).
///
/// Edges go from a `bom_ref` (a project's or a component's) to a component's
/// purl. A plug-in may emit an edge before or after the component it names;
/// edges to references nobody defines are reported by the scan as diagnostics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parsed {
    pub projects: Vec<Project>,
    pub components: Vec<Component>,
    pub edges: Vec<(String, String)>,
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the graph this unit gives is complete (a lockfile records every
    /// edge) or only partial (a manifest without lockfile lists direct deps only).
    pub completeness: Completeness,
    /// The files this unit read, relative to the root.
    pub files: Vec<String>,
}

/// How complete the dependency information of a unit is (CycloneDX `compositions`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Completeness {
    Complete,
    /// Every component is known but not every edge (for example go.sum without go.mod).
    IncompleteFirstPartyOnly,
    Incomplete,
    #[default]
    Unknown,
}

impl Completeness {
    pub fn cyclonedx(self) -> &'static str {
        match self {
            Completeness::Complete => "complete",
            Completeness::IncompleteFirstPartyOnly => "incomplete_first_party_only",
            Completeness::Incomplete => "incomplete",
            Completeness::Unknown => "unknown",
        }
    }
}

/// The merged result of a scan: what the writers turn into documents.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inventory {
    /// The scanned tree itself (`metadata.component`).
    pub root: Component,
    /// First-party projects, ordered by reference.
    pub projects: Vec<Project>,
    /// Third-party components, unique by purl, ordered by purl.
    pub components: Vec<Component>,
    /// Edges keyed by the depending reference, both sides sorted.
    pub dependencies: BTreeMap<String, BTreeSet<String>>,
    /// Per-file completeness of the dependency graph.
    pub completeness: BTreeMap<String, Completeness>,
    pub diagnostics: Vec<Diagnostic>,
    /// Files read, by plug-in id.
    pub files: BTreeMap<String, Vec<String>>,
}

impl Inventory {
    pub fn component(&self, purl: &str) -> Option<&Component> {
        self.components.binary_search_by(|c| c.purl.as_str().cmp(purl)).ok().map(|i| &self.components[i])
    }
}
