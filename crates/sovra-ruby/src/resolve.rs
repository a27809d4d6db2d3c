//! From a parsed [`Lockfile`] to Sovra's model.
//!
//! * `GEM` and `GIT` specs are components, one per `name@version`: a gem built
//!   for several platforms (`nokogiri (1.16.0)`, `(1.16.0-x86_64-linux)`, ...)
//!   is one package at one version, so its purl carries no `platform`
//!   qualifier (that would split it into one component per build); the
//!   platforms are listed in `sovra:ruby:platforms` and every build's `.gem`
//!   checksum is kept with its file name.
//! * `PATH` specs are first-party projects; so is the directory of the
//!   lockfile, with edges to the `DEPENDENCIES` entries.
//! * Spec dependency lines are edges. `bundler` is never a spec (it is the
//!   tool that reads the lockfile, recorded under `BUNDLED WITH`), so edges to
//!   it are not emitted.
//! * Scope: the lockfile does not record Gemfile groups (`:development`,
//!   `:test`), so every gem is Required.

use std::collections::BTreeMap;

use sovra_core::plugin::parent_dir;
use sovra_core::purl::Purl;
use sovra_core::{
    Completeness, Component, Diagnostic, Ecosystem, Hash, HashAlg, Location, Parsed, Project, Severity, Source,
};

use crate::lockfile::{Lockfile, SourceKind, SourceSection, Spec};

const RUBYGEMS: &str = "https://rubygems.org/";
const PLATFORMS: &str = "sovra:ruby:platforms";

/// Whether a remote is the default registry (with or without the trailing slash, http or https).
fn is_default_remote(remote: &str) -> bool {
    let r = remote.trim_end_matches('/');
    r == "https://rubygems.org" || r == "http://rubygems.org"
}

/// The purl spec's `vcs_url` form: `git+<url>@<commit>`.
fn vcs_url(remote: &str, revision: Option<&str>) -> String {
    let base =
        if remote.contains("://") && !remote.starts_with("git") { format!("git+{remote}") } else { remote.to_string() };
    match revision {
        Some(rev) => format!("{base}@{rev}"),
        None => base,
    }
}

/// What one `name@version` resolved to: a component being built or a PATH project.
enum Node {
    Component(Box<Component>),
    Project(String),
}

/// Build the model. `project_ref` names the lockfile's directory project
/// (`sovra:project:<Gemfile or lockfile path>`).
pub fn resolve(lock: &Lockfile, path: &str, project_ref: &str, mut diags: Vec<Diagnostic>) -> Parsed {
    let loc = |line: u32| Location::new(path, Some(line));
    let mut projects: Vec<Project> = Vec::new();
    let mut nodes: BTreeMap<(String, String), Node> = BTreeMap::new();
    // name -> (version, bom-ref) of the first spec with that name.
    let mut by_name: BTreeMap<String, (String, String)> = BTreeMap::new();
    for section in &lock.sources {
        for spec in &section.specs {
            let key = (spec.name.clone(), spec.version.clone());
            match by_name.get(&spec.name) {
                Some((v, _)) if *v != spec.version => diags.push(Diagnostic::warning(
                    "ruby::duplicate-gem",
                    loc(spec.line),
                    format!("{} is locked at {v} and {}; edges go to {v}", spec.name, spec.version),
                )),
                _ => {}
            }
            let node = nodes.entry(key).or_insert_with(|| new_node(section, spec, path, &mut projects));
            let bom_ref = match node {
                Node::Component(c) => {
                    add_platform(c, spec, section);
                    c.purl.clone()
                }
                Node::Project(r) => r.clone(),
            };
            by_name.entry(spec.name.clone()).or_insert((spec.version.clone(), bom_ref));
        }
    }

    let mut edges = Vec::new();
    for spec in lock.sources.iter().flat_map(|s| &s.specs) {
        let from = match nodes.get(&(spec.name.clone(), spec.version.clone())) {
            Some(Node::Component(c)) => c.purl.clone(),
            Some(Node::Project(r)) => r.clone(),
            None => continue,
        };
        for dep in &spec.deps {
            match by_name.get(dep) {
                Some((_, to)) => edges.push((from.clone(), to.clone())),
                None if dep == "bundler" => {}
                None => diags.push(Diagnostic::warning(
                    "ruby::unresolved-dependency",
                    loc(spec.line),
                    format!("{} {} depends on {dep}, which the lockfile does not lock", spec.name, spec.version),
                )),
            }
        }
    }
    for dep in &lock.dependencies {
        match by_name.get(&dep.name) {
            Some((_, to)) => edges.push((project_ref.to_string(), to.clone())),
            None => diags.push(Diagnostic::new(
                Severity::Info,
                "ruby::not-locked",
                loc(dep.line),
                format!(
                    "{} is declared in the Gemfile but not locked: Bundler leaves out gems restricted to platforms not listed under PLATFORMS",
                    dep.name
                ),
            )),
        }
    }

    apply_checksums(lock, &mut nodes, path, &mut diags);
    if !lock.has_dependencies_section {
        diags.push(Diagnostic::warning(
            "ruby::no-dependencies",
            Location::new(path, None),
            "no DEPENDENCIES section (truncated file?): the project's direct dependencies are unknown",
        ));
    }
    projects.push(directory_project(lock, path, project_ref));
    edges.sort();
    edges.dedup();
    Parsed {
        projects,
        components: nodes
            .into_values()
            .filter_map(|n| match n {
                Node::Component(mut c) => {
                    // Only a gem with platform builds needs its platforms listed.
                    if c.properties.get(PLATFORMS).is_some_and(|p| p == "ruby") {
                        c.properties.remove(PLATFORMS);
                    }
                    Some(*c)
                }
                Node::Project(_) => None,
            })
            .collect(),
        edges,
        diagnostics: diags,
        completeness: if lock.has_dependencies_section { Completeness::Complete } else { Completeness::Incomplete },
        files: Vec::new(),
    }
}

fn new_node(section: &SourceSection, spec: &Spec, path: &str, projects: &mut Vec<Project>) -> Node {
    let location = Location::new(path, Some(spec.line));
    let mut c = Component::new(Ecosystem::Gem, None, &spec.name, &spec.version);
    c.locations.push(location.clone());
    let remote = section.remotes.first().map(String::as_str);
    match section.kind {
        SourceKind::Path => {
            c.scope = None;
            c.source = Source::Path { path: remote.unwrap_or(".").to_string() };
            let bom_ref = c.purl.clone();
            projects.push(Project { bom_ref: bom_ref.clone(), component: c, manifest: location });
            return Node::Project(bom_ref);
        }
        SourceKind::Git => {
            let url = remote.unwrap_or_default().to_string();
            c.purl = Purl::new("gem", None, &spec.name, Some(&spec.version))
                .qualifier("vcs_url", vcs_url(&url, section.revision.as_deref()))
                .to_string();
            c.repository_url = Some(url.clone());
            c.source = Source::Git { url, commit: section.revision.clone(), reference: section.reference.clone() };
            if let Some(glob) = &section.glob {
                c.properties.insert("sovra:ruby:glob".into(), glob.clone());
            }
            if section.submodules {
                c.properties.insert("sovra:ruby:submodules".into(), "true".into());
            }
        }
        SourceKind::Gem | SourceKind::Plugin => {
            match section.remotes.as_slice() {
                [one] if !is_default_remote(one) => {
                    c.purl = Purl::new("gem", None, &spec.name, Some(&spec.version))
                        .qualifier("repository_url", one.clone())
                        .to_string();
                    c.source = Source::Registry { url: Some(one.clone()) };
                }
                [] | [_] => {}
                several => {
                    // Bundler 1.x merged several remotes into one section and did
                    // not record which served a gem: no single repository to name.
                    c.properties.insert("sovra:ruby:remotes".into(), several.join(", "));
                    if !several.iter().any(|r| is_default_remote(r)) {
                        c.source = Source::Registry { url: Some(several[0].clone()) };
                    }
                }
            }
            if section.kind == SourceKind::Plugin {
                // Plug-ins extend Bundler at install time; they are not part of the application.
                c.scope = Some(sovra_core::Scope::Dev);
                c.properties.insert("sovra:ruby:bundler-plugin".into(), "true".into());
            }
        }
    }
    Node::Component(Box::new(c))
}

/// Record one build (platform) of a component; the pure-Ruby build names the
/// deployable file (platform builds keep theirs on their checksums).
fn add_platform(c: &mut Component, spec: &Spec, section: &SourceSection) {
    let platform = spec.platform.as_deref().unwrap_or("ruby");
    let list = c.properties.entry(PLATFORMS.to_string()).or_default();
    let mut all: Vec<&str> = list.split(", ").filter(|p| !p.is_empty()).collect();
    if !all.contains(&platform) {
        all.push(platform);
        all.sort();
        *list = all.join(", ");
    }
    if spec.platform.is_none() && matches!(section.kind, SourceKind::Gem) && c.filename.is_none() {
        let file = gem_file(&spec.name, &spec.version, None);
        // With several remotes (Bundler 1.x) the serving one is unknown.
        let remote = match section.remotes.as_slice() {
            [one] => Some(one.as_str()),
            [] => Some(RUBYGEMS),
            _ => None,
        };
        if let Some(remote) = remote {
            let base = if remote.ends_with('/') { remote.to_string() } else { format!("{remote}/") };
            c.download_url = Some(format!("{base}gems/{file}"));
        }
        c.filename = Some(file);
    }
}

fn gem_file(name: &str, version: &str, platform: Option<&str>) -> String {
    match platform {
        Some(p) => format!("{name}-{version}-{p}.gem"),
        None => format!("{name}-{version}.gem"),
    }
}

fn apply_checksums(
    lock: &Lockfile,
    nodes: &mut BTreeMap<(String, String), Node>,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) {
    for ck in &lock.checksums {
        let node = nodes.get_mut(&(ck.name.clone(), ck.version.clone()));
        let c = match node {
            Some(Node::Component(c)) => c,
            // PATH gems are built from the tree; Bundler writes them without a digest.
            Some(Node::Project(_)) => continue,
            None if ck.name == "bundler" => continue,
            None => {
                diags.push(Diagnostic::warning(
                    "ruby::orphan-checksum",
                    Location::new(path, Some(ck.line)),
                    format!("checksum for {} {}, which no spec locks", ck.name, ck.version),
                ));
                continue;
            }
        };
        for (alg, hex) in &ck.digests {
            let file = gem_file(&ck.name, &ck.version, ck.platform.as_deref());
            let hash = match alg.as_str() {
                "sha256" => Hash::from_hex(HashAlg::Sha256, hex),
                "sha512" => Hash::from_hex(HashAlg::Sha512, hex),
                _ => None,
            };
            match hash {
                Some(h) => c.hashes.push(h.with_file(file)),
                None => diags.push(Diagnostic::warning(
                    "ruby::bad-checksum",
                    Location::new(path, Some(ck.line)),
                    format!("`{alg}={hex}` for {file} is not a digest Sovra can read"),
                )),
            }
        }
    }
}

fn directory_project(lock: &Lockfile, path: &str, project_ref: &str) -> Project {
    let mut c = Component::for_directory(Ecosystem::Gem, parent_dir(path));
    c.locations.push(Location::new(path, None));
    let props = [
        ("sovra:ruby:bundled-with", lock.bundled_with.clone()),
        ("sovra:ruby:ruby-version", lock.ruby_version.clone()),
        (PLATFORMS, (!lock.platforms.is_empty()).then(|| lock.platforms.join(", "))),
    ];
    for (k, v) in props {
        if let Some(v) = v {
            c.properties.insert(k.into(), v);
        }
    }
    let manifest = project_ref.strip_prefix("sovra:project:").unwrap_or(path);
    Project { bom_ref: project_ref.to_string(), component: c, manifest: Location::new(manifest, None) }
}
