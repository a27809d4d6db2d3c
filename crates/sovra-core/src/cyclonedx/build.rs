//! From an [`Inventory`] to the document model.
//!
//! * `metadata.component` is the scanned tree (bom-ref [`ROOT_REF`]) with the
//!   first-party projects nested in it; top-level `components` are the
//!   third-party packages, bom-ref = purl.
//! * `compositions` state, per completeness, which components' dependency
//!   lists (and for projects, also their assemblies) are complete: each
//!   reference gets the strongest completeness of the files it was read from.
//! * Diagnostics become `annotations` on the root made by the Sovra tool
//!   component. Annotations are the specification's place for remarks about
//!   a document, validate in every version written here, and are ignored
//!   by consumers that do not use them (Dependency-Track imports the BOM
//!   unchanged); a `sovra:diagnostic` metadata property would have said less
//!   (no time, no annotator).

use std::collections::{BTreeMap, BTreeSet};

use super::doc::{
    Annotation, Annotator, Bom, Component, Composition, Contact, Dependency, Entity, ExternalReference, Hash, Metadata,
    Property, Tools,
};
use super::{Dialect, WriteOptions, licenses, uri};
use crate::model::{self, Completeness, Inventory, Source};
use crate::party::{self, Organization};
use crate::scan::ROOT_REF;

const TOOL_NAME: &str = "sovra";
const TOOL_REPOSITORY: &str = "https://github.com/sovra-sbom/sovra";

pub fn bom(inv: &Inventory, opts: &WriteOptions, d: Dialect) -> Bom {
    let tool = tool(&opts.tool_version);
    // BSI TR-03183-2 maps a component's creator to `manufacturer`; outside
    // the profile the authors say the same and the organisation is not claimed.
    let creator = |c: &model::Component| {
        (opts.profile.is_some() && d.manufacturer)
            .then(|| Organization::from_authors(&c.authors))
            .flatten()
            .map(|o| entity(&o))
    };
    // A project another package depends on is a library; the others are what
    // the tree delivers.
    let depended_on: BTreeSet<&str> = inv
        .dependencies
        .iter()
        .filter(|(from, _)| from.as_str() != ROOT_REF)
        .flat_map(|(_, to)| to.iter().map(String::as_str))
        .collect();
    let projects = inv
        .projects
        .iter()
        .map(|p| {
            let kind = if depended_on.contains(p.bom_ref.as_str()) { "library" } else { "application" };
            // A project is what is being delivered: a scope would say how another
            // uses it, and its manifest already says where it lies.
            let own = model::Component { scope: None, source: Source::default(), ..p.component.clone() };
            let manifest = Property::new("sovra:manifest", p.manifest.to_string());
            Component { manufacturer: creator(&own), ..component(&own, kind, &p.bom_ref, d, vec![manifest]) }
        })
        .collect();
    let tree = model::Component { source: Source::default(), ..inv.root.clone() };
    let mut root = component(&tree, "application", ROOT_REF, d, Vec::new());
    root.manufacturer = creator(&tree);
    if root.name.is_empty() {
        root.name = "root".into();
    }
    root.components = projects;

    let annotations = inv
        .diagnostics
        .iter()
        .map(|diag| Annotation {
            subjects: vec![ROOT_REF.to_string()],
            annotator: Annotator { component: tool.clone() },
            timestamp: opts.timestamp.clone(),
            text: diag.to_string(),
        })
        .collect();
    Bom {
        schema: d.json_schema(),
        bom_format: "CycloneDX",
        spec_version: d.spec.as_str(),
        serial_number: String::new(),
        version: 1,
        metadata: Metadata {
            timestamp: opts.timestamp.clone(),
            tools: Tools { components: vec![tool] },
            component: root,
            manufacturer: opts.manufacturer.as_ref().filter(|_| d.manufacturer).map(entity),
        },
        components: inv
            .components
            .iter()
            .map(|c| Component { manufacturer: creator(c), ..component(c, "library", &c.purl, d, Vec::new()) })
            .collect(),
        dependencies: inv
            .dependencies
            .iter()
            .filter(|(from, _)| !from.is_empty())
            .map(|(from, to)| Dependency {
                reference: from.clone(),
                depends_on: to.iter().filter(|t| !t.is_empty()).cloned().collect(),
            })
            .collect(),
        compositions: compositions(inv),
        annotations,
    }
}

/// Sovra itself, for `metadata.tools` and as annotator. Without a bom-ref:
/// it appears more than once, and the XSD wants bom-refs unique.
fn tool(version: &str) -> Component {
    Component {
        kind: "application",
        name: TOOL_NAME.into(),
        version: non_empty(version),
        external_references: vec![ExternalReference {
            kind: "vcs",
            url: TOOL_REPOSITORY.into(),
            comment: None,
            hashes: Vec::new(),
        }],
        ..Component::default()
    }
}

fn component(
    c: &model::Component,
    kind: &'static str,
    bom_ref: &str,
    d: Dialect,
    mut props: Vec<Property>,
) -> Component {
    let (licenses, license_props) = licenses::licenses(c, d);
    props.extend(license_props);
    if let Some(scope) = c.scope {
        props.push(Property::new("sovra:scope", scope.as_str()));
    }
    props.extend(c.locations.iter().map(|l| Property::new("sovra:location", l.to_string())));
    if let Some(f) = &c.filename {
        props.push(Property::new("bsi:component:filename", f.as_str()));
    }
    props.extend(c.properties.iter().map(|(k, v)| Property::new(k.as_str(), v.as_str())));
    let mut refs = Refs { refs: Vec::new(), props: &mut props };
    let hashes = hashes_and_distribution(c, &mut refs);
    origin(c, &mut refs);
    if let Some(src) = crate::bsi::source_code(c) {
        let hashes = if src.is_deployable { hashes.clone() } else { Vec::new() };
        if d.source_distribution {
            refs.add("source-distribution", &src.url, src.comment, hashes);
        } else {
            refs.props.push(Property::new("sovra:url:source-distribution", src.url));
        }
    }
    let mut external_references = refs.refs;
    // The same URL twice (a repository that is also the git source) is kept
    // once, with the richer entry (a comment, hashes) sorted first.
    external_references.sort_by(|a, b| (a.kind, &a.url).cmp(&(b.kind, &b.url)).then_with(|| b.cmp(a)));
    external_references.dedup_by(|later, kept| later.kind == kept.kind && later.url == kept.url);
    props.sort();
    props.dedup();

    let authors = c.authors.iter().map(|a| a.trim()).filter(|a| !a.is_empty());
    let (authors, author) = if d.author_objects {
        (authors.map(contact).collect(), None)
    } else {
        (Vec::new(), non_empty(&authors.collect::<Vec<_>>().join(", ")))
    };
    Component {
        kind,
        bom_ref: non_empty(bom_ref),
        manufacturer: None,
        authors,
        author,
        group: c.namespace.as_deref().and_then(non_empty),
        name: c.name.clone(),
        version: non_empty(&c.version),
        description: c.description.as_deref().and_then(non_empty),
        scope: c.scope.map(model::Scope::cyclonedx),
        hashes,
        licenses,
        // Only a package URL: a project's `sovra:project:` reference is not one.
        purl: non_empty(&c.purl).filter(|p| p.starts_with("pkg:")),
        external_references,
        properties: props,
        components: Vec::new(),
    }
}

/// External references under construction; a URL that is not a valid IRI
/// reference is kept as a `sovra:url:<type>` property instead.
struct Refs<'a> {
    refs: Vec<ExternalReference>,
    props: &'a mut Vec<Property>,
}

impl Refs<'_> {
    fn add(&mut self, kind: &'static str, url: &str, comment: Option<String>, hashes: Vec<Hash>) {
        match uri::reference(url) {
            Some(url) => self.refs.push(ExternalReference { kind, url, comment, hashes }),
            None => self.props.push(Property::new(format!("sovra:url:{kind}"), url)),
        }
    }
}

/// The component's `hashes`, and a `distribution` reference per file with its
/// hashes, as BSI TR-03183-2 asks. Hashes without a file name, and those of the
/// deployable file (`filename`, or the last segment of the download URL),
/// belong to the component itself; hashes of other files (one per wheel of a
/// Python package) only to the reference named after their file.
fn hashes_and_distribution(c: &model::Component, refs: &mut Refs<'_>) -> Vec<Hash> {
    let source_url = match &c.source {
        Source::Url { url } => Some(url.as_str()),
        _ => None,
    };
    let download = c.download_url.as_deref().or(source_url);
    let main_file = c.filename.as_deref().or_else(|| download.map(crate::bsi::last_segment));
    let mut own = Vec::new();
    let mut per_file: BTreeMap<&str, Vec<Hash>> = BTreeMap::new();
    for h in &c.hashes {
        let Some(hash) = hash(h, refs.props) else { continue };
        match h.file.as_deref() {
            None => own.push(hash),
            Some(f) if Some(f) == main_file => own.push(hash),
            Some(f) => per_file.entry(f).or_default().push(hash),
        }
    }
    own.sort();
    own.dedup();
    match (download, c.filename.as_deref()) {
        (Some(url), _) => refs.add("distribution", url, None, own.clone()),
        (None, Some(file)) if !own.is_empty() => {
            refs.add("distribution", &uri::file_reference(file), None, own.clone())
        }
        _ => {}
    }
    if let Some(url) = source_url.filter(|u| Some(*u) != download) {
        refs.add("distribution", url, None, Vec::new());
    }
    for (file, mut hashes) in per_file {
        hashes.sort();
        hashes.dedup();
        refs.add("distribution", &uri::file_reference(file), None, hashes);
    }
    own
}

/// A hash as the schema accepts it; anything else is kept as a property.
fn hash(h: &model::Hash, props: &mut Vec<Property>) -> Option<Hash> {
    let alg = h.alg.cyclonedx();
    if h.value.len() == h.alg.hex_len() && h.value.bytes().all(|b| b.is_ascii_hexdigit()) {
        Some(Hash { alg, content: h.value.to_ascii_lowercase() })
    } else {
        props.push(Property::new("sovra:hash:invalid", format!("{alg}:{}", h.value)));
        None
    }
}

/// Where the code lives and where it came from.
fn origin(c: &model::Component, refs: &mut Refs<'_>) {
    if let Some(url) = &c.repository_url {
        refs.add("vcs", url, None, Vec::new());
    }
    if let Some(url) = &c.homepage {
        refs.add("website", url, None, Vec::new());
    }
    match &c.source {
        Source::Registry { url: Some(url) } => refs.props.push(Property::new("sovra:source:registry", url.as_str())),
        Source::Registry { url: None } | Source::Url { .. } => {}
        Source::Git { url, commit, reference } => {
            refs.props.push(Property::new("sovra:source", "git"));
            let mut comment = Vec::new();
            if let Some(commit) = commit {
                comment.push(format!("commit {commit}"));
                refs.props.push(Property::new("sovra:source:commit", commit.as_str()));
            }
            if let Some(reference) = reference {
                comment.push(format!("reference {reference}"));
                refs.props.push(Property::new("sovra:source:reference", reference.as_str()));
            }
            refs.add("vcs", url, non_empty(&comment.join(", ")), Vec::new());
        }
        Source::Path { path } => {
            refs.props.push(Property::new("sovra:source", "path"));
            refs.props.push(Property::new("sovra:source:path", path.as_str()));
        }
    }
}

/// `Name <email> (url)`, as npm, Cargo and others write a person; the email
/// is taken out when it is one, the rest stays the name.
fn contact(text: &str) -> Contact {
    if let Some(open) = text.find('<')
        && let Some(len) = text[open..].find('>')
    {
        let email = text[open + 1..open + len].trim();
        if party::looks_like_email(email) {
            let name = format!("{} {}", text[..open].trim(), text[open + len + 1..].trim());
            return Contact { name: non_empty(name.trim()), email: Some(email.to_string()) };
        }
    }
    Contact { name: Some(text.to_string()), email: None }
}

/// An `organizationalEntity`; URLs the schema would reject are left out
/// (they are still in the authors they came from).
fn entity(org: &Organization) -> Entity {
    Entity {
        name: org.name.clone(),
        url: org.urls.iter().filter_map(|u| uri::reference(u)).collect(),
        contact: org.contacts.iter().map(|p| Contact { name: p.name.clone(), email: p.email.clone() }).collect(),
    }
}

fn compositions(inv: &Inventory) -> Vec<Composition> {
    let state = |files: &mut dyn Iterator<Item = &str>| {
        files.filter_map(|f| inv.completeness.get(f).copied()).min().unwrap_or(Completeness::Unknown)
    };
    let mut by_state: BTreeMap<Completeness, Composition> = BTreeMap::new();
    fn entry(map: &mut BTreeMap<Completeness, Composition>, s: Completeness) -> &mut Composition {
        map.entry(s).or_insert_with(|| Composition {
            aggregate: s.cyclonedx(),
            assemblies: Vec::new(),
            dependencies: Vec::new(),
        })
    }
    for p in inv.projects.iter().filter(|p| !p.bom_ref.is_empty()) {
        let mut files =
            std::iter::once(p.manifest.file.as_str()).chain(p.component.locations.iter().map(|l| l.file.as_str()));
        let e = entry(&mut by_state, state(&mut files));
        // A project's lockfile lists what is built into it as well as the edges.
        e.assemblies.push(p.bom_ref.clone());
        e.dependencies.push(p.bom_ref.clone());
    }
    for c in inv.components.iter().filter(|c| !c.purl.is_empty()) {
        let e = entry(&mut by_state, state(&mut c.locations.iter().map(|l| l.file.as_str())));
        e.dependencies.push(c.purl.clone());
    }
    by_state
        .into_values()
        .map(|mut c| {
            c.assemblies.sort();
            c.assemblies.dedup();
            c.dependencies.sort();
            c.dependencies.dedup();
            c
        })
        .collect()
}

/// The value unchanged (a bom-ref must match the references to it), unless blank.
fn non_empty(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.to_string())
}
