/*!
Sovra plug-in for the npm ecosystem: npm, yarn (classic and berry) and pnpm.

[`NpmPlugin`] claims lockfiles (`package-lock.json`, `npm-shrinkwrap.json`,
`yarn.lock`, `pnpm-lock.yaml`), `package.json` and `pnpm-workspace.yaml`.
A unit is one lockfile with the package.json files of its folder and of the
workspace members its folder declares; a package.json that no lockfile
covers is a unit of its own (the project, and a warning that nothing is locked).

Each unit's package.json files become a [`package_json::ProjectSet`] of
first-party projects; the lockfile parser ([`package_lock`],
[`yarn_classic`], [`yarn_berry`], [`pnpm`]) turns the lockfile into
components and edges and links them to those projects. What the formats
share (names, aliases, sources, integrity, scope by reachability) lives
in [`common`], so every parser reads a descriptor or a git URL the same way.
*/

pub mod common;
pub mod installed;
pub mod package_json;
pub mod package_lock;
pub mod pnpm;
pub mod yarn_berry;
pub mod yarn_classic;

use std::collections::BTreeSet;

use sovra_core::plugin::{file_name, join_rel, parent_dir, read_text};
use sovra_core::{Completeness, Parsed, Plugin, SourceTree, Unit};

use crate::common::ID;
use crate::package_json::{ProjectSet, expand_workspaces, parse_manifest};

pub struct NpmPlugin;

const PACKAGE_LOCK: &str = "package-lock";
const YARN: &str = "yarn";
const PNPM: &str = "pnpm";
const MANIFEST: &str = "manifest";
const YARNRC: &str = ".yarnrc.yml";

fn lockfile_kind(name: &str) -> Option<&'static str> {
    match name {
        "package-lock.json" | "npm-shrinkwrap.json" => Some(PACKAGE_LOCK),
        "yarn.lock" => Some(YARN),
        "pnpm-lock.yaml" => Some(PNPM),
        _ => None,
    }
}

impl Plugin for NpmPlugin {
    /// npm names tarballs `<name>-<version>.tgz` under the package's path.
    fn distribution(&self, c: &sovra_core::Component) -> Option<(String, String)> {
        if c.ecosystem != Some(sovra_core::Ecosystem::Npm) {
            return None;
        }
        let file = format!("{}-{}.tgz", c.name, c.version);
        let full = c.namespace.as_ref().map_or(c.name.clone(), |ns| format!("{ns}/{}", c.name));
        let url = format!("https://registry.npmjs.org/{full}/-/{file}");
        Some((file, url))
    }

    fn id(&self) -> &'static str {
        ID
    }

    fn claims(&self, path: &str) -> bool {
        let name = file_name(path);
        lockfile_kind(name).is_some() || name == "package.json" || name == "pnpm-workspace.yaml"
    }

    fn units(&self, claimed: &[String], tree: &dyn SourceTree) -> Vec<Unit> {
        let mut units = Vec::new();
        let mut covered: BTreeSet<String> = BTreeSet::new();
        for path in claimed {
            let Some(kind) = lockfile_kind(file_name(path)) else { continue };
            let mut unit = Unit::new(path.clone(), kind);
            unit.related = members_of(parent_dir(path), kind, tree);
            covered.extend(unit.related.iter().cloned());
            units.push(unit);
        }
        for path in claimed {
            if file_name(path) == "package.json" && !covered.contains(path) {
                units.push(Unit::new(path.clone(), MANIFEST));
            }
        }
        units.sort();
        units
    }

    fn parse(&self, unit: &Unit, tree: &dyn SourceTree) -> Parsed {
        let mut members = ProjectSet::default();
        let manifests = unit.related.iter().filter(|p| file_name(p) == "package.json");
        let manifests: Vec<&String> = if unit.kind == MANIFEST { vec![&unit.primary] } else { manifests.collect() };
        for path in manifests {
            match read_text(tree, path, ID) {
                Ok(text) => members.add_text(path, &text),
                Err(d) => {
                    members.files.push(path.clone());
                    members.diagnostics.push(d);
                }
            }
        }
        if unit.kind == MANIFEST {
            return manifest_only(&unit.primary, &members);
        }
        let text = match read_text(tree, &unit.primary, ID) {
            Ok(t) => t,
            Err(d) => {
                let mut out = Parsed { files: vec![unit.primary.clone()], ..Parsed::default() };
                members.emit(&mut out);
                out.diagnostics.push(d);
                return out;
            }
        };
        let mut out = match unit.kind {
            PACKAGE_LOCK => package_lock::parse_package_lock(&text, &unit.primary, &members),
            PNPM => pnpm::parse_pnpm_lock(&text, &unit.primary, &members),
            _ if yarn_berry::is_berry(&text) => {
                let mut catalogs = yarn_berry::Catalogs::default();
                for rc in unit.related.iter().filter(|p| file_name(p) == YARNRC) {
                    match read_text(tree, rc, ID) {
                        Ok(t) => catalogs = yarn_berry::Catalogs::parse(&t, rc, &mut members.diagnostics),
                        Err(d) => members.diagnostics.push(d),
                    }
                }
                yarn_berry::parse_yarn_berry(&text, &unit.primary, &members, &catalogs)
            }
            _ => yarn_classic::parse_yarn_classic(&text, &unit.primary, &members),
        };
        out.files.extend(unit.related.iter().filter(|p| file_name(p) != "package.json").cloned());
        out.files.sort();
        out.files.dedup();
        out
    }

    fn installed(&self, tree: &dyn SourceTree) -> sovra_core::installed::Installed {
        installed::installed(tree, &sovra_core::installed::manifest_dirs(tree, |f| self.claims(f)))
    }
}

/// The package.json files a lockfile in `dir` covers: the folder's own and
/// its workspace members (package.json `workspaces`, or
/// `pnpm-workspace.yaml` for pnpm), plus the pnpm-workspace.yaml or the
/// `.yarnrc.yml` (catalogs) itself.
fn members_of(dir: &str, kind: &str, tree: &dyn SourceTree) -> Vec<String> {
    let join = |name: &str| join_rel(dir, name).unwrap_or_else(|| name.to_string());
    let mut related = Vec::new();
    let mut globs = Vec::new();
    let manifest = join("package.json");
    if tree.exists(&manifest) {
        if let Ok(text) = read_text(tree, &manifest, ID)
            && let Ok((m, _)) = parse_manifest(&text, &manifest)
        {
            globs = m.workspaces;
        }
        related.push(manifest);
    }
    let pnpm_ws = join("pnpm-workspace.yaml");
    if kind == PNPM && tree.exists(&pnpm_ws) {
        if let Ok(text) = read_text(tree, &pnpm_ws, ID) {
            globs.extend(pnpm::workspace_globs(&text));
        }
        related.push(pnpm_ws);
    }
    let yarnrc = join(YARNRC);
    if kind == YARN && tree.exists(&yarnrc) {
        related.push(yarnrc);
    }
    related.extend(expand_workspaces(dir, &globs, tree.files()));
    // Folders the members depend on by path (`link:`, `file:`, `portal:`)
    // are first-party too and belong to this unit, transitively.
    let mut queue: Vec<String> = related.iter().filter(|p| file_name(p) == "package.json").cloned().collect();
    let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
    while let Some(manifest) = queue.pop() {
        let Ok(text) = read_text(tree, &manifest, ID) else { continue };
        let Ok((m, _)) = parse_manifest(&text, &manifest) else { continue };
        for (range, _) in m.deps.values() {
            let local = ["link:", "file:", "portal:"].iter().find_map(|p| range.strip_prefix(p));
            let Some(target) = local.filter(|t| !t.ends_with(".tgz")) else { continue };
            if let Some(target) = join_rel(parent_dir(&manifest), &format!("{target}/package.json"))
                && tree.exists(&target)
                && seen.insert(target.clone())
            {
                related.push(target.clone());
                queue.push(target);
            }
        }
    }
    related.sort();
    related.dedup();
    related
}

/// A package.json without lockfile: the project, and a warning, since
/// version ranges do not say what gets installed.
fn manifest_only(path: &str, members: &ProjectSet) -> Parsed {
    let mut out = Parsed { completeness: Completeness::Incomplete, ..Parsed::default() };
    members.emit(&mut out);
    if members.get(parent_dir(path)).is_some_and(|m| !m.manifest.deps.is_empty()) {
        out.diagnostics.push(common::warning(
            "no-lockfile",
            path,
            Some(1),
            "package.json has dependencies but no lockfile (package-lock.json, yarn.lock, pnpm-lock.yaml) beside it; \
             its dependencies are not listed, since version ranges do not say what is installed",
        ));
    }
    out
}
