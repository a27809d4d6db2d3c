//! Sovra plug-in for Python: pip requirements files, `poetry.lock`,
//! `Pipfile.lock`, `uv.lock` and `pyproject.toml`.
//!
//! [`PythonPlugin`] claims the files by name and groups them into units: each
//! lockfile with the `pyproject.toml` beside it (a `uv.lock` also takes the
//! member manifests of its workspace below it), each requirements file that
//! no other requirements file includes (its includes are followed while
//! parsing), and every `pyproject.toml` no lockfile takes.
//!
//! Each format has its own module with a pure parser that returns a
//! [`lock::Lock`]: the [`sovra_core::Parsed`] result plus a lookup by
//! normalised name. [`pyproject`] reads the first-party project into a
//! [`pyproject::Manifest`], which [`lock::Lock::link_manifest`] ties to the
//! lock (the project and edges to its declared direct dependencies).
//! [`scopes`] derives Required/Optional/Dev by reachability where a format
//! records no scope per package; [`pep508`] parses dependency strings;
//! [`common`] holds name normalisation, purls, hashes and TOML helpers.
//!
//! `setup.py` and `setup.cfg` are not read: `setup.py` is code whose result
//! depends on running it, and neither pins versions, so neither can name
//! the components that are installed.

pub mod common;
pub mod installed;
pub mod lock;
pub mod pep508;
pub mod pipfile;
pub mod poetry;
pub mod pyproject;
pub mod requirements;
pub mod scopes;
pub mod uv;

use std::collections::{BTreeMap, BTreeSet};

use sovra_core::plugin::{SourceTree, Unit, file_name, parent_dir, read_text};
use sovra_core::{Completeness, Parsed, Plugin};

use crate::lock::Lock;
use crate::pyproject::Manifest;

pub struct PythonPlugin;

const LOCKFILES: &[(&str, &str)] = &[("poetry.lock", "poetry"), ("uv.lock", "uv"), ("Pipfile.lock", "pipfile")];

/// `requirements*.txt`, `*requirements*.txt`, `requirements/*.txt` and the
/// `.in` inputs pip-compile turns into them.
pub fn is_requirements_file(path: &str) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    (name.ends_with(".txt") || name.ends_with(".in"))
        && (name.contains("requirements") || file_name(parent_dir(path)).eq_ignore_ascii_case("requirements"))
}

fn lock_kind(path: &str) -> Option<&'static str> {
    let name = file_name(path);
    LOCKFILES.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

impl Plugin for PythonPlugin {
    fn id(&self) -> &'static str {
        common::ID
    }

    fn claims(&self, path: &str) -> bool {
        lock_kind(path).is_some() || file_name(path) == "pyproject.toml" || is_requirements_file(path)
    }

    fn units(&self, claimed: &[String], tree: &dyn SourceTree) -> Vec<Unit> {
        let pyprojects: BTreeMap<&str, &String> =
            claimed.iter().filter(|p| file_name(p) == "pyproject.toml").map(|p| (parent_dir(p), p)).collect();
        let lock_dirs: BTreeSet<&str> =
            claimed.iter().filter(|p| lock_kind(p).is_some()).map(|p| parent_dir(p)).collect();
        let mut taken: BTreeSet<&String> = BTreeSet::new();
        let mut units = Vec::new();
        for path in claimed {
            let Some(kind) = lock_kind(path) else { continue };
            let dir = parent_dir(path);
            let mut unit = Unit::new(path.clone(), kind);
            if let Some(p) = pyprojects.get(dir) {
                unit.related.push((*p).clone());
                taken.insert(p);
            }
            if kind == "uv" {
                // Workspace members: manifests below with no lockfile of their own
                // whose nearest lockfile directory is this one.
                for (pdir, p) in &pyprojects {
                    if *pdir != dir && is_below(pdir, dir) && nearest_lock_dir(pdir, &lock_dirs) == Some(dir) {
                        unit.related.push((*p).clone());
                        taken.insert(p);
                    }
                }
            }
            units.push(unit);
        }
        for root in requirement_roots(claimed, tree) {
            let dir = parent_dir(&root);
            let mut unit = Unit::new(root.clone(), "requirements");
            if let Some(p) = pyprojects.get(dir).filter(|_| !lock_dirs.contains(dir)) {
                unit.related.push((*p).clone());
                taken.insert(p);
            }
            units.push(unit);
        }
        units.extend(pyprojects.values().filter(|p| !taken.contains(*p)).map(|p| Unit::new((*p).clone(), "pyproject")));
        units.sort();
        units
    }

    fn parse(&self, unit: &Unit, tree: &dyn SourceTree) -> Parsed {
        parse_unit(unit, tree)
    }

    fn installed(&self, tree: &dyn SourceTree) -> sovra_core::installed::Installed {
        installed::installed(tree, &sovra_core::installed::manifest_dirs(tree, |f| self.claims(f)))
    }
}

fn is_below(dir: &str, ancestor: &str) -> bool {
    ancestor.is_empty() || dir.strip_prefix(ancestor).is_some_and(|r| r.starts_with('/'))
}

/// The closest directory at or above `dir` that holds a lockfile.
fn nearest_lock_dir<'a>(dir: &str, lock_dirs: &BTreeSet<&'a str>) -> Option<&'a str> {
    let mut d = dir;
    loop {
        if let Some(found) = lock_dirs.get(d) {
            return Some(found);
        }
        if d.is_empty() {
            return None;
        }
        d = parent_dir(d);
    }
}

/// Requirements files that no other claimed requirements file includes
/// (the others are read through their includer, which passes on its scope). An
/// `.in` file beside its compiled `.txt` is left out: the `.txt` pins what
/// the `.in` only bounds. Files included only within a cycle become roots
/// themselves, so nothing is lost.
fn requirement_roots(claimed: &[String], tree: &dyn SourceTree) -> Vec<String> {
    let reqs: BTreeSet<&String> = claimed.iter().filter(|p| is_requirements_file(p)).collect();
    let reqs: Vec<&String> = reqs
        .iter()
        .copied()
        .filter(|p| !p.strip_suffix(".in").is_some_and(|stem| reqs.contains(&format!("{stem}.txt"))))
        .collect();
    let mut graph: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for p in &reqs {
        let targets = read_text(tree, p, common::ID).map(|t| requirements::includes(&t, p)).unwrap_or_default();
        graph.insert(p.as_str(), targets);
    }
    let included: BTreeSet<&str> = graph.values().flatten().map(String::as_str).collect();
    // A file that is not named for development is a root even when a dev
    // file includes it (`requirements-dev.txt: -r requirements.txt`): its
    // pins ship. The merge keeps Required over the Dev sighting via the includer.
    let mut roots: Vec<String> = reqs
        .iter()
        .filter(|p| !included.contains(p.as_str()) || !requirements::is_dev_file(p))
        .map(|p| p.to_string())
        .collect();
    let mut reached: BTreeSet<String> = BTreeSet::new();
    let visit = |start: &str, reached: &mut BTreeSet<String>| {
        let mut stack = vec![start.to_string()];
        while let Some(n) = stack.pop() {
            if reached.insert(n.clone()) {
                stack.extend(graph.get(n.as_str()).into_iter().flatten().cloned());
            }
        }
    };
    for r in &roots {
        visit(r, &mut reached);
    }
    for p in &reqs {
        if !reached.contains(p.as_str()) {
            roots.push(p.to_string());
            visit(p, &mut reached);
        }
    }
    roots.sort();
    roots
}

/// Parse one unit: the manifests first (poetry.lock 2.0 needs the one
/// beside it for scopes), then the lock, then tie them together.
pub fn parse_unit(unit: &Unit, tree: &dyn SourceTree) -> Parsed {
    let mut diags = Vec::new();
    let mut manifests: Vec<(Manifest, bool)> = Vec::new();
    let lock_dir = parent_dir(&unit.primary);
    for path in unit.related.iter().chain(std::iter::once(&unit.primary).filter(|_| unit.kind == "pyproject")) {
        match read_text(tree, path, common::ID) {
            Ok(text) => {
                let (m, d) = pyproject::parse_pyproject(&text, path);
                diags.extend(d);
                if let Some(m) = m {
                    let beside = parent_dir(path) == lock_dir;
                    manifests.push((m, beside));
                }
            }
            Err(d) => diags.push(d),
        }
    }
    let beside = manifests.iter().find(|(_, b)| *b).map(|(m, _)| m);
    let read_lock = |parser: &dyn Fn(&str) -> Lock| -> Lock {
        match read_text(tree, &unit.primary, common::ID) {
            Ok(text) => parser(&text),
            Err(d) => {
                let mut lock = Lock::default();
                lock.parsed.diagnostics.push(d);
                lock.parsed.files.push(unit.primary.clone());
                lock
            }
        }
    };
    let mut lock = match unit.kind {
        "poetry" => read_lock(&|t| poetry::parse_poetry_lock(t, &unit.primary, beside)),
        "uv" => read_lock(&|t| uv::parse_uv_lock(t, &unit.primary)),
        "pipfile" => read_lock(&|t| pipfile::parse_pipfile_lock(t, &unit.primary)),
        "requirements" => requirements::parse_requirements(tree, &unit.primary),
        _ => Lock::default(),
    };
    lock.parsed.diagnostics.extend(diags);
    let standalone = unit.kind == "pyproject";
    for (m, beside) in &manifests {
        if standalone || !lock.link_manifest(m, !beside) {
            manifest_only(&mut lock, m);
        }
    }
    if standalone {
        lock.parsed.files.push(unit.primary.clone());
        lock.parsed.completeness = Completeness::Incomplete;
    }
    lock.finish()
}

/// A manifest without a lockfile: the project with its licence, and no
/// components, since declared ranges name no installed version.
fn manifest_only(lock: &mut Lock, m: &Manifest) {
    lock.parsed.projects.push(m.project.clone());
    lock.parsed.files.push(m.path.clone());
    if !m.deps.is_empty() {
        lock.parsed.diagnostics.push(common::warning(
            "no-lockfile",
            &m.path,
            m.project.manifest.line,
            format!(
                "{} declares {} dependencies but no lockfile pins them; no components are reported for them",
                m.name(),
                m.deps.len()
            ),
        ));
    }
}
