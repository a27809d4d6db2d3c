//! From parsed go.mod / go.work / go.sum files to components: the build list.
//!
//! The components are the `require` directives of every module of the unit,
//! after `replace`. Each module's go.mod is the build list of that module when
//! it is built or consumed on its own; a workspace builds them together, and
//! the union is what any build of the delivered tree may use, so the same
//! module may appear at two versions. A requirement on a module of the
//! workspace resolves to that first-party project, as Go resolves it. go.sum
//! only adds hashes: the module versions it lists beyond the build list were
//! consulted for version selection (`/go.mod` lines) or never built, and are
//! counted in one info diagnostic per go.sum instead of becoming components.
//!
//! Edges: each module to every requirement in its go.mod, indirect ones
//! included (they are requirements of the main module in the module graph,
//! marked `sovra:go:indirect`). go.mod does not say which dependency requires
//! which, so the graph is complete for first-party modules only: CycloneDX
//! `incomplete_first_party_only`. Before Go 1.17 go.mod may also leave out
//! indirect requirements, so such units are `incomplete`.

use std::collections::{BTreeMap, BTreeSet};

use sovra_core::plugin::{join_rel, parent_dir};
use sovra_core::{Completeness, Component, Diagnostic, Ecosystem, Location, Parsed, Project, Severity, Source};

use crate::gosum::Sums;
use crate::modfile::{ModFile, Replace, Target};
use crate::purl::{golang_purl, proxy_zip_url, split_path};

/// One module of the unit: its go.mod and, if present, its go.sum.
#[derive(Clone, Debug)]
pub struct Module {
    pub gomod_path: String,
    pub file: ModFile,
    pub sum: Option<(String, Sums)>,
}

/// A go.work and its go.work.sum.
#[derive(Clone, Debug)]
pub struct Workspace {
    pub path: String,
    pub file: ModFile,
    pub sum: Option<(String, Sums)>,
}

/// The reference of a first-party module: the go.mod that defines it (its
/// version is not written anywhere the scan can read).
pub use sovra_core::project_ref;

/// A component being collected: `direct` once any module requires it without `// indirect`.
struct Collected {
    component: Component,
    direct: bool,
}

#[derive(Default)]
struct Out {
    projects: BTreeMap<String, Project>,
    components: BTreeMap<String, Collected>,
    edges: BTreeSet<(String, String)>,
    diagnostics: Vec<Diagnostic>,
}

/// Resolve the modules of one unit (one go.mod, or every module a go.work uses).
pub fn resolve(modules: &[Module], work: Option<&Workspace>) -> Parsed {
    let mut out = Out::default();
    let workspace: BTreeMap<&str, String> = modules
        .iter()
        .filter_map(|m| m.file.module.as_ref().map(|(p, _)| (p.as_str(), project_ref(&m.gomod_path))))
        .collect();
    let mut used_by_all: BTreeSet<(String, String)> = BTreeSet::new();
    for m in modules {
        out.projects.insert(project_ref(&m.gomod_path), module_project(m));
        let used = resolve_module(m, work, &workspace, &mut out);
        if let Some((sum_path, sums)) = &m.sum {
            report_sum_only(sum_path, sums, &used, &mut out.diagnostics);
        }
        if !m.file.lists_all_requirements() {
            out.diagnostics.push(Diagnostic::new(
                Severity::Info,
                "go::old-go-version",
                Location::new(&m.gomod_path, None),
                format!(
                    "go.mod declares go {} (before 1.17, or none): go.mod may not list every indirect requirement, so the build list may be incomplete",
                    m.file.go.as_deref().unwrap_or("(none)")
                ),
            ));
        }
        used_by_all.extend(used);
    }
    if let Some(Workspace { sum: Some((sum_path, sums)), .. }) = work {
        report_sum_only(sum_path, sums, &used_by_all, &mut out.diagnostics);
    }
    let completeness = if modules.iter().all(|m| m.file.lists_all_requirements()) {
        Completeness::IncompleteFirstPartyOnly
    } else {
        Completeness::Incomplete
    };
    Parsed {
        projects: out.projects.into_values().collect(),
        components: out
            .components
            .into_values()
            .map(|mut c| {
                if !c.direct {
                    c.component.properties.insert("sovra:go:indirect".into(), "true".into());
                }
                c.component
            })
            .collect(),
        edges: out.edges.into_iter().collect(),
        diagnostics: out.diagnostics,
        completeness,
        files: Vec::new(),
    }
}

fn module_project(m: &Module) -> Project {
    let dir = parent_dir(&m.gomod_path);
    let f = &m.file;
    let mut c = match &f.module {
        Some((path, _)) => {
            let (ns, name) = split_path(path);
            let mut c = Component::new(Ecosystem::Golang, ns, name, "");
            c.purl = golang_purl(path, None);
            c
        }
        None => Component::for_directory(Ecosystem::Golang, dir),
    };
    c.scope = None;
    c.source = Component::for_directory(Ecosystem::Golang, dir).source;
    let line = f.module.as_ref().map(|(_, l)| *l);
    c.locations.push(Location::new(&m.gomod_path, line));
    let props = [
        ("sovra:go:go-version", f.go.clone()),
        ("sovra:go:toolchain", f.toolchain.clone()),
        ("sovra:go:exclude", (!f.excludes.is_empty()).then(|| f.excludes.join(", "))),
        ("sovra:go:retract", (!f.retracts.is_empty()).then(|| f.retracts.join(", "))),
    ];
    for (k, v) in props {
        if let Some(v) = v {
            c.properties.insert(k.into(), v);
        }
    }
    Project { bom_ref: project_ref(&m.gomod_path), component: c, manifest: Location::new(&m.gomod_path, line) }
}

/// The replacement that applies to `path@version`, and the file that states it.
/// go.work overrides the module's own go.mod; within a file a replacement of the
/// exact version wins over a version-less one.
fn find_replace<'a>(
    path: &str,
    version: &str,
    m: &'a Module,
    work: Option<&'a Workspace>,
) -> Option<(&'a Replace, &'a str)> {
    let in_file = |reps: &'a [Replace]| {
        let matching = |exact: bool| {
            reps.iter().find(|r| {
                r.old == path && if exact { r.old_version.as_deref() == Some(version) } else { r.old_version.is_none() }
            })
        };
        matching(true).or_else(|| matching(false))
    };
    work.and_then(|w| in_file(&w.file.replaces).map(|r| (r, w.path.as_str())))
        .or_else(|| in_file(&m.file.replaces).map(|r| (r, m.gomod_path.as_str())))
}

/// Resolve one module's requirements; returns the module versions its build uses.
fn resolve_module(
    m: &Module,
    work: Option<&Workspace>,
    workspace: &BTreeMap<&str, String>,
    out: &mut Out,
) -> BTreeSet<(String, String)> {
    let from = project_ref(&m.gomod_path);
    let mut used = BTreeSet::new();
    // (module path, purl) of each resolved requirement, to attach `tool` packages.
    let mut resolved: Vec<(String, String)> = Vec::new();
    for r in &m.file.requires {
        if let Some(target) = workspace.get(r.path.as_str()) {
            out.edges.insert((from.clone(), target.clone()));
            continue;
        }
        used.insert((r.path.clone(), r.version.clone()));
        let replace = find_replace(&r.path, &r.version, m, work);
        let (path, version) = match replace.map(|(rep, file)| (&rep.target, rep, file)) {
            Some((Target::Local(dir), rep, file)) => {
                let to = local_project(&r.path, dir, rep, file, out);
                out.edges.insert((from.clone(), to));
                continue;
            }
            Some((Target::Module { path, version }, _, _)) => (path.clone(), version.clone()),
            None => (r.path.clone(), r.version.clone()),
        };
        if let Some(target) = workspace.get(path.as_str()) {
            out.edges.insert((from.clone(), target.clone()));
            continue;
        }
        used.insert((path.clone(), version.clone()));
        let purl = golang_purl(&path, Some(&version));
        let entry = out
            .components
            .entry(purl.clone())
            .or_insert_with(|| Collected { component: new_component(&path, &version, &purl), direct: false });
        entry.direct |= !r.indirect;
        let c = &mut entry.component;
        c.locations.push(Location::new(&m.gomod_path, Some(r.line)));
        if let Some((rep, _)) = replace {
            let old = match &rep.old_version {
                Some(v) => format!("{}@{v}", rep.old),
                None => rep.old.clone(),
            };
            c.properties.insert("sovra:go:replaces".into(), old);
        }
        let sums = [m.sum.as_ref(), work.and_then(|w| w.sum.as_ref())];
        let found =
            sums.into_iter().flatten().find_map(|(p, s)| s.get(&(path.clone(), version.clone())).map(|e| (p, e)));
        match found {
            Some((sum_path, e)) => {
                c.locations.push(Location::new(sum_path, Some(e.line)));
                if let Some(h) = &e.content {
                    c.properties.insert("sovra:go:h1".into(), h.clone());
                }
                if let Some(h) = &e.go_mod {
                    c.properties.insert("sovra:go:h1-go.mod".into(), h.clone());
                }
            }
            None if m.sum.is_some() => out.diagnostics.push(Diagnostic::warning(
                "go::missing-sum",
                Location::new(&m.gomod_path, Some(r.line)),
                format!("{path}@{version} has no go.sum entry: Go would refuse to build it unverified"),
            )),
            None => {}
        }
        out.edges.insert((from.clone(), purl.clone()));
        resolved.push((path, purl));
    }
    if m.sum.is_none() && work.is_none_or(|w| w.sum.is_none()) && !resolved.is_empty() {
        out.diagnostics.push(Diagnostic::warning(
            "go::no-go-sum",
            Location::new(&m.gomod_path, None),
            "no go.sum beside go.mod: the requirements carry no checksums",
        ));
    }
    attach_tools(&m.file.tools, &resolved, out);
    used
}

fn new_component(path: &str, version: &str, purl: &str) -> Component {
    let (ns, name) = split_path(path);
    let mut c = Component::new(Ecosystem::Golang, ns, name, version);
    c.purl = purl.to_string();
    c.download_url = Some(proxy_zip_url(path, version));
    c
}

/// A `replace` to a directory: first-party code, a project of its own.
fn local_project(old: &str, dir: &str, rep: &Replace, file: &str, out: &mut Out) -> String {
    let joined = if dir.starts_with('/') { None } else { join_rel(parent_dir(file), dir) };
    let gomod = match &joined {
        Some(j) if j.is_empty() => "go.mod".to_string(),
        Some(j) => format!("{j}/go.mod"),
        None => {
            out.diagnostics.push(Diagnostic::warning(
                "go::replace-outside-tree",
                Location::new(file, Some(rep.line)),
                format!("{old} is replaced by `{dir}`, outside the scanned tree: its code is not part of this scan"),
            ));
            dir.to_string()
        }
    };
    let bom_ref = project_ref(&gomod);
    out.projects.entry(bom_ref.clone()).or_insert_with(|| {
        let (ns, name) = split_path(old);
        let mut c = Component::new(Ecosystem::Golang, ns, name, "");
        c.purl = golang_purl(old, None);
        c.scope = None;
        c.source = Source::Path { path: dir.to_string() };
        c.locations.push(Location::new(file, Some(rep.line)));
        c.properties.insert("sovra:go:local-replace".into(), format!("{old} => {dir}"));
        Project { bom_ref: bom_ref.clone(), component: c, manifest: Location::new(&gomod, None) }
    });
    bom_ref
}

/// A `tool` names a package; it belongs to the required module with the longest matching path.
fn attach_tools(tools: &[String], resolved: &[(String, String)], out: &mut Out) {
    for tool in tools {
        let owner = resolved
            .iter()
            .filter(|(p, _)| tool == p || tool.strip_prefix(p.as_str()).is_some_and(|r| r.starts_with('/')))
            .max_by_key(|(p, _)| p.len());
        if let Some(c) = owner.and_then(|(_, purl)| out.components.get_mut(purl)) {
            let props = &mut c.component.properties;
            let list = props.entry("sovra:go:tool".into()).or_default();
            if !list.split(", ").any(|t| t == tool) {
                if !list.is_empty() {
                    list.push_str(", ");
                }
                list.push_str(tool);
            }
        }
    }
}

fn report_sum_only(sum_path: &str, sums: &Sums, used: &BTreeSet<(String, String)>, diags: &mut Vec<Diagnostic>) {
    let left_out = sums.keys().filter(|k| !used.contains(*k)).count();
    if left_out > 0 {
        diags.push(Diagnostic::new(
            Severity::Info,
            "go::sum-only",
            Location::new(sum_path, None),
            format!(
                "{left_out} of {} module versions in this file are not in the build list (consulted for version selection or never built) and were left out of the components",
                sums.len()
            ),
        ));
    }
}

/// A go.sum with no go.mod beside it: the modules whose content was downloaded
/// (a content hash line) are the best evidence of what was built.
pub fn from_sum_only(path: &str, sums: &Sums) -> Parsed {
    let mut parsed = Parsed { completeness: Completeness::Incomplete, ..Parsed::default() };
    let mut used = BTreeSet::new();
    for ((module, version), e) in sums {
        let Some(h) = &e.content else { continue };
        used.insert((module.clone(), version.clone()));
        let purl = golang_purl(module, Some(version));
        let mut c = new_component(module, version, &purl);
        c.locations.push(Location::new(path, Some(e.line)));
        c.properties.insert("sovra:go:h1".into(), h.clone());
        if let Some(g) = &e.go_mod {
            c.properties.insert("sovra:go:h1-go.mod".into(), g.clone());
        }
        parsed.components.push(c);
    }
    parsed.diagnostics.push(Diagnostic::warning(
        "go::sum-without-mod",
        Location::new(path, None),
        "go.sum without go.mod: listing the module versions it holds content hashes for; without go.mod the build list and its edges are unknown",
    ));
    report_sum_only(path, sums, &used, &mut parsed.diagnostics);
    parsed
}
