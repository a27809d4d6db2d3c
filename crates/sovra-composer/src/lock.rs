//! composer.lock, read together with the composer.json beside it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use sovra_core::plugin::{join_rel, line_of, parent_dir};
use sovra_core::purl::Purl;
use sovra_core::{
    Completeness, Component, Diagnostic, Hash, HashAlg, Location, Parsed, Project, Scope, Severity, Source,
};

use crate::manifest::{Manifest, parse_manifest, project_ref, syntax_error};
use crate::metadata::{Object, apply_metadata, is_platform, new_component, platform_summary, requirements, str_field};
use sovra_core::json_pos::{find_member, json_string};

/// A file handed to the parser: its path relative to the scanned root and its text.
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    pub path: &'a str,
    pub text: &'a str,
}

/// The lockfile sections and the scope of the packages in each.
const SECTIONS: [(&str, Scope); 2] = [("packages", Scope::Required), ("packages-dev", Scope::Dev)];

/// Parse a composer.lock with its composer.json (either may be missing).
///
/// Without a lockfile only the project is reported, with a diagnostic of
/// `unlocked_severity`: a composer.json names constraints, not versions, so no
/// component is invented from it.
pub fn parse_unit(lock: Option<Input>, manifest: Option<Input>, unlocked_severity: Severity) -> Parsed {
    let mut out = Parsed::default();
    let manifest = manifest.and_then(|m| {
        out.files.push(m.path.to_string());
        parse_manifest(m.text, m.path, &mut out.diagnostics)
    });
    let Some(lock) = lock else {
        let Some(m) = manifest else {
            out.completeness = Completeness::Unknown;
            return out;
        };
        out.diagnostics.push(Diagnostic::new(
            unlocked_severity,
            "composer::unlocked",
            m.project.manifest.clone(),
            "composer.json has no composer.lock beside it: its dependencies are constraints, not \
             resolved versions, so no components are listed for it",
        ));
        let mut project = m.project;
        for (key, reqs) in [("require", &m.require), ("require-dev", &m.require_dev)] {
            let list: Vec<String> = reqs.iter().map(|(n, c)| format!("{n} {c}")).collect();
            if !list.is_empty() {
                project.component.properties.insert(format!("sovra:composer:{key}"), list.join(", "));
            }
        }
        out.projects.push(project);
        out.completeness = Completeness::Incomplete;
        return out;
    };
    out.files.push(lock.path.to_string());
    out.files.sort();
    parse_lock(lock, manifest, &mut out);
    out
}

/// One locked package, component or first-party path package.
struct Entry<'a> {
    bom_ref: String,
    obj: &'a Object,
    loc: Location,
}

fn parse_lock(lock: Input, manifest: Option<Manifest>, out: &mut Parsed) {
    let root_loc = Location::new(lock.path, Some(1));
    let value: Value = match serde_json::from_str(lock.text) {
        Ok(v) => v,
        Err(e) => {
            out.diagnostics.push(syntax_error(lock.path, &e));
            out.projects.extend(manifest.map(|m| m.project));
            return;
        }
    };
    let Some(root) = value.as_object() else {
        out.diagnostics.push(Diagnostic::error(
            "composer::invalid-lock",
            root_loc,
            "composer.lock is not a JSON object",
        ));
        out.projects.extend(manifest.map(|m| m.project));
        return;
    };
    let mut project = match &manifest {
        Some(m) => m.project.clone(),
        None => {
            out.diagnostics.push(Diagnostic::warning(
                "composer::missing-manifest",
                root_loc.clone(),
                "no composer.json beside composer.lock: the direct dependencies are inferred as \
                 the locked packages no other package requires",
            ));
            Project {
                bom_ref: project_ref(lock.path),
                component: Component {
                    name: sovra_core::plugin::file_name(parent_dir(lock.path)).to_string(),
                    purl: String::new(),
                    ..new_component("root", "")
                },
                manifest: root_loc.clone(),
            }
        }
    };
    project_properties(root, &mut project.component);
    if let Some(m) = &manifest
        && !m.path_repositories.is_empty()
    {
        project.component.properties.insert("sovra:composer:path-repositories".into(), m.path_repositories.join(", "));
    }

    let dir = parent_dir(lock.path);
    let mut entries: Vec<Entry> = Vec::new();
    for (section, scope) in SECTIONS {
        let section_at = find_member(lock.text, 0, section, "").unwrap_or(0);
        let list = match root.get(section) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(list)) => list,
            Some(_) => {
                out.diagnostics.push(Diagnostic::error(
                    "composer::invalid-lock",
                    Location::new(lock.path, Some(line_of(lock.text, section_at))),
                    format!("`{section}` is not an array of packages"),
                ));
                continue;
            }
        };
        let mut cursor = section_at;
        for (i, item) in list.iter().enumerate() {
            let named = item.as_object().and_then(|o| Some((o, str_field(o, "name")?)));
            let Some((obj, name)) = named else {
                // A scalar can be found by its JSON text; an object without a name cannot.
                if !item.is_object()
                    && !item.is_array()
                    && let Some(at) = lock.text[cursor..].find(&item.to_string())
                {
                    cursor += at;
                }
                out.diagnostics.push(Diagnostic::warning(
                    "composer::invalid-package",
                    Location::new(lock.path, Some(line_of(lock.text, cursor))),
                    format!("entry {i} of `{section}` is not a package object with a name; skipped"),
                ));
                continue;
            };
            if let Some(at) = find_member(lock.text, cursor, "name", &json_string(name)) {
                cursor = at;
            }
            let loc = Location::new(lock.path, Some(line_of(lock.text, cursor)));
            let Some(version) = str_field(obj, "version") else {
                out.diagnostics.push(Diagnostic::warning(
                    "composer::invalid-package",
                    loc,
                    format!("package {name} has no version; skipped"),
                ));
                continue;
            };
            let notification = str_field(root, "notification-url").or(str_field(obj, "notification-url"));
            let bom_ref = match locked_package(obj, name, version, scope, notification, dir, &loc, out) {
                Locked::Component(c) => {
                    let r = c.purl.clone();
                    out.components.push(*c);
                    r
                }
                Locked::Project(p) => {
                    let r = p.bom_ref.clone();
                    out.projects.push(*p);
                    r
                }
            };
            entries.push(Entry { bom_ref, obj, loc });
        }
    }

    resolve_edges(&entries, manifest.as_ref(), &project, out);
    out.projects.push(project);
    out.completeness = Completeness::Complete;
}

/// `content-hash`, `platform`, `platform-dev` and the like, on the project.
fn project_properties(root: &Object, c: &mut Component) {
    for key in ["content-hash", "plugin-api-version", "minimum-stability"] {
        if let Some(v) = str_field(root, key) {
            c.properties.insert(format!("sovra:composer:{key}"), v.to_string());
        }
    }
    for key in ["platform", "platform-dev"] {
        if let Some(Value::Object(map)) = root.get(key) {
            let mut list: Vec<String> = map.iter().map(|(n, v)| format!("{n} {}", v.as_str().unwrap_or("*"))).collect();
            list.sort();
            if !list.is_empty() {
                c.properties.insert(format!("sovra:composer:{key}"), list.join(", "));
            }
        }
    }
}

enum Locked {
    Component(Box<Component>),
    Project(Box<Project>),
}

/// One lockfile entry as a component, or as a project for a path repository.
#[allow(clippy::too_many_arguments)]
fn locked_package(
    obj: &Object,
    name: &str,
    version: &str,
    scope: Scope,
    notification: Option<&str>,
    dir: &str,
    loc: &Location,
    out: &mut Parsed,
) -> Locked {
    let dist = obj.get("dist").and_then(Value::as_object);
    let source = obj.get("source").and_then(Value::as_object);
    let mut c = new_component(name, version);
    c.scope = Some(scope);
    apply_metadata(obj, &mut c, loc);
    c.locations.push(loc.clone());
    let reqs = requirements(obj, "require", loc, &mut out.diagnostics);
    if let Some(p) = platform_summary(&reqs) {
        c.properties.insert("sovra:composer:platform-requires".into(), p);
    }

    if let Some(dist) = dist.filter(|d| str_field(d, "type") == Some("path")) {
        // A path repository is the project's own code: a first-party package.
        let url = str_field(dist, "url").unwrap_or(".");
        let manifest = join_rel(dir, url)
            .map(|p| if p.is_empty() { "composer.json".to_string() } else { format!("{p}/composer.json") })
            .unwrap_or_else(|| format!("{url}/composer.json"));
        c.source = Source::Path { path: url.to_string() };
        return Locked::Project(Box::new(Project {
            bom_ref: project_ref(&manifest),
            component: c,
            manifest: loc.clone(),
        }));
    }

    let reference = source.and_then(|s| str_field(s, "reference")).or(dist.and_then(|d| str_field(d, "reference")));
    // `dev-main` and `6.4.x-dev` name branches: the version alone does not pin the code.
    let is_branch = version.starts_with("dev-") || version.ends_with("-dev");
    if let (true, Some(r)) = (is_branch, reference) {
        c.properties.insert("sovra:composer:source-reference".into(), r.to_string());
    }
    if let Some(dist) = dist {
        c.download_url = str_field(dist, "url").map(str::to_string);
        if let Some(t) = str_field(dist, "type") {
            c.properties.insert("sovra:composer:dist-type".into(), t.to_string());
        }
        if let Some(sum) = str_field(dist, "shasum") {
            match Hash::from_hex(HashAlg::Sha1, sum) {
                Some(h) => c.hashes.push(h),
                None => out.diagnostics.push(Diagnostic::warning(
                    "composer::invalid-hash",
                    loc.clone(),
                    format!("dist.shasum of {name} is not a SHA-1 hex digest; ignored"),
                )),
            }
        }
    }
    let vcs = source.and_then(|s| Some((str_field(s, "type")?, str_field(s, "url")?)));
    if c.repository_url.is_none() {
        c.repository_url = vcs.map(|(_, url)| url.to_string());
    }
    c.source = match (notification, vcs) {
        // Packages from a Composer repository (Packagist or a private one)
        // carry the repository's download-notification URL.
        (Some(n), _) => Source::Registry { url: registry_url(n) },
        (None, Some((tool, url))) => {
            let commit = reference.map(str::to_string);
            let vcs_url = match &commit {
                Some(rev) => format!("{tool}+{url}@{rev}"),
                None => format!("{tool}+{url}"),
            };
            c.purl = Purl::new("composer", c.namespace.as_deref(), &c.name, Some(version))
                .qualifier("vcs_url", vcs_url)
                .to_string();
            Source::Git { url: url.to_string(), commit, reference: version.strip_prefix("dev-").map(str::to_string) }
        }
        (None, None) => match &c.download_url {
            Some(url) => Source::Url { url: url.clone() },
            None => Source::default(),
        },
    };
    Locked::Component(Box::new(c))
}

/// `None` for Packagist (the default registry), else the repository's origin.
fn registry_url(notification: &str) -> Option<String> {
    let rest = notification.split_once("://").map_or(notification, |(_, r)| r);
    let host = rest.split('/').next().unwrap_or(rest);
    if host == "packagist.org" || host == "repo.packagist.org" {
        return None;
    }
    let scheme = notification.split_once("://").map_or("https", |(s, _)| s);
    Some(format!("{scheme}://{host}"))
}

/// Edges from each locked package to what it requires, and from the project
/// to its direct requirements.
fn resolve_edges(entries: &[Entry], manifest: Option<&Manifest>, project: &Project, out: &mut Parsed) {
    // Real names first; a name some package provides or replaces only where
    // no package of that name is locked.
    let mut by_name: BTreeMap<String, &str> = BTreeMap::new();
    for e in entries {
        if let Some(n) = str_field(e.obj, "name") {
            by_name.insert(n.to_ascii_lowercase(), &e.bom_ref);
        }
    }
    let mut stand_ins: BTreeMap<String, &str> = BTreeMap::new();
    for e in entries {
        for key in ["provide", "replace"] {
            for (n, _) in requirements(e.obj, key, &e.loc, &mut Vec::new()) {
                stand_ins.entry(n.to_ascii_lowercase()).or_insert(&e.bom_ref);
            }
        }
    }
    let root_provided = |n: &str| manifest.is_some_and(|m| m.provided.contains(n));
    let resolve = |name: &str| {
        let n = name.to_ascii_lowercase();
        by_name.get(&n).or_else(|| stand_ins.get(&n)).map(|r| r.to_string())
    };
    let mut required: BTreeSet<String> = BTreeSet::new();
    for e in entries {
        for (dep, _) in requirements(e.obj, "require", &e.loc, &mut Vec::new()) {
            if is_platform(&dep) {
                continue;
            }
            match resolve(&dep) {
                Some(to) => {
                    required.insert(to.clone());
                    out.edges.push((e.bom_ref.clone(), to));
                }
                None if root_provided(&dep.to_ascii_lowercase()) => {}
                None => out.diagnostics.push(Diagnostic::warning(
                    "composer::unresolved-requirement",
                    e.loc.clone(),
                    format!("{} requires {dep}, which composer.lock does not contain", e.bom_ref),
                )),
            }
        }
    }
    match manifest {
        Some(m) => {
            for (dep, _) in m.require.iter().chain(&m.require_dev) {
                if is_platform(dep) {
                    continue;
                }
                match resolve(dep) {
                    Some(to) => out.edges.push((project.bom_ref.clone(), to)),
                    None => out.diagnostics.push(Diagnostic::warning(
                        "composer::unresolved-requirement",
                        project.manifest.clone(),
                        format!(
                            "composer.json requires {dep}, which composer.lock does not contain (lockfile out of date?)"
                        ),
                    )),
                }
            }
        }
        None => {
            for e in entries.iter().filter(|e| !required.contains(&e.bom_ref)) {
                out.edges.push((project.bom_ref.clone(), e.bom_ref.clone()));
            }
        }
    }
    out.edges.sort();
    out.edges.dedup();
}
