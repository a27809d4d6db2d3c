//! Running the plug-ins over a tree and merging what they found.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::discover;
use crate::license;
use crate::model::{Component, Diagnostic, Inventory, Location, Parsed, Project, Scope, Source};
use crate::plugin::{DiskTree, Plugin, SourceTree, Unit};

/// What the caller may choose about a scan.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    /// Drop components whose scope is [`Scope::Dev`].
    pub exclude_dev: bool,
}

/// Notified as the scan goes, so a front end can show progress.
pub trait Progress: Sync {
    fn units_found(&self, _total: usize) {}
    fn unit_done(&self, _unit: &Unit) {}
}

/// A progress sink that ignores everything.
pub struct NoProgress;
impl Progress for NoProgress {}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("{0}: no such file or directory")]
    NotFound(PathBuf),
}

/// Scan a directory, or a single manifest or lockfile, with the given plug-ins.
pub fn scan_path(
    path: &Path,
    plugins: &[&dyn Plugin],
    options: &ScanOptions,
    progress: &dyn Progress,
) -> Result<Inventory, ScanError> {
    let meta = std::fs::metadata(path).map_err(|_| ScanError::NotFound(path.to_path_buf()))?;
    let (tree, walk_diags, root_name) = if meta.is_dir() {
        let (files, diags) = discover::walk(path);
        (DiskTree::new(path, files), diags, dir_name(path))
    } else {
        // A single file: its directory is the tree (so a Cargo.lock still finds
        // its Cargo.toml), but only the named file is offered to the plug-ins.
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        (DiskTree::new(parent, vec![name]), Vec::new(), dir_name(parent))
    };
    let mut inv = scan_tree(&tree, plugins, options, progress);
    inv.root.name = root_name;
    inv.diagnostics.extend(walk_diags);
    inv.diagnostics.sort();
    Ok(inv)
}

fn dir_name(path: &Path) -> String {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    abs.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "root".into())
}

/// Scan an already-listed tree. Units are parsed in parallel; the merge is
/// ordered, so the result does not depend on thread timing.
pub fn scan_tree(
    tree: &dyn SourceTree,
    plugins: &[&dyn Plugin],
    options: &ScanOptions,
    progress: &dyn Progress,
) -> Inventory {
    let mut jobs: Vec<(usize, Unit)> = Vec::new();
    for (i, plugin) in plugins.iter().enumerate() {
        let claimed: Vec<String> = tree.files().iter().filter(|f| plugin.claims(f)).cloned().collect();
        if claimed.is_empty() {
            continue;
        }
        jobs.extend(plugin.units(&claimed, tree).into_iter().map(|u| (i, u)));
    }
    progress.units_found(jobs.len());
    let results: Vec<(usize, Parsed)> = jobs
        .par_iter()
        .map(|(i, unit)| {
            let mut parsed = plugins[*i].parse(unit, tree);
            // The unit's own file was read even when the plug-in gave up on it.
            if !parsed.files.contains(&unit.primary) {
                parsed.files.push(unit.primary.clone());
            }
            progress.unit_done(unit);
            (*i, parsed)
        })
        .collect();
    let mut inv = merge(results.into_iter().map(|(i, p)| (plugins[i].id(), p)), options);
    inv.root = Component {
        name: "root".into(),
        purl: String::new(),
        scope: None,
        source: Source::Path { path: ".".into() },
        ..Component::default()
    };
    inv
}

/// The bom-ref of the scanned tree itself (`metadata.component`).
pub const ROOT_REF: &str = "sovra:root";

/// Merge the units' results: one component per purl, one project per
/// reference, edges de-duplicated and checked, licences normalised.
pub fn merge<'a>(results: impl Iterator<Item = (&'a str, Parsed)>, options: &ScanOptions) -> Inventory {
    let mut components: BTreeMap<String, Component> = BTreeMap::new();
    let mut projects: BTreeMap<String, Project> = BTreeMap::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut inv = Inventory::default();
    for (plugin, parsed) in results {
        for p in parsed.projects {
            match projects.get_mut(&p.bom_ref) {
                Some(existing) => existing.component.merge(p.component),
                None => {
                    projects.insert(p.bom_ref.clone(), p);
                }
            }
        }
        for c in parsed.components {
            match components.get_mut(&c.purl) {
                Some(existing) => existing.merge(c),
                None => {
                    components.insert(c.purl.clone(), c);
                }
            }
        }
        for (from, to) in parsed.edges {
            if from != to {
                edges.entry(from).or_default().insert(to);
            }
        }
        for f in &parsed.files {
            inv.completeness.insert(f.clone(), parsed.completeness);
        }
        inv.files.entry(plugin.to_string()).or_default().extend(parsed.files);
        inv.diagnostics.extend(parsed.diagnostics);
    }
    // A package that is also a first-party project is not third-party.
    components.retain(|purl, _| !projects.contains_key(purl));
    // Edges into dev packages removed by `--exclude-dev` are expected to dangle.
    let mut dropped: BTreeSet<String> = BTreeSet::new();
    if options.exclude_dev {
        components.retain(|purl, c| {
            let keep = c.scope != Some(Scope::Dev);
            if !keep {
                dropped.insert(purl.clone());
            }
            keep
        });
    }
    for c in components.values_mut() {
        c.normalize_order();
        license::normalize_component(c);
    }
    for p in projects.values_mut() {
        p.component.normalize_order();
        license::normalize_component(&mut p.component);
    }

    let known = |r: &str| components.contains_key(r) || projects.contains_key(r);
    let mut dangling: BTreeSet<(String, String)> = BTreeSet::new();
    for (from, tos) in edges.iter_mut() {
        tos.retain(|to| {
            let ok = known(to);
            if !ok && !dropped.contains(to) && !dropped.contains(from) {
                dangling.insert((from.clone(), to.clone()));
            }
            ok
        });
    }
    edges.retain(|from, _| known(from));
    for (from, to) in dangling {
        let loc = components
            .get(&from)
            .and_then(|c| c.locations.first().cloned())
            .or_else(|| projects.get(&from).map(|p| p.manifest.clone()))
            .unwrap_or_else(|| Location::new("", None));
        inv.diagnostics.push(Diagnostic::warning(
            "scan::dangling-edge",
            loc,
            format!("{from} depends on {to}, which no lockfile defines"),
        ));
    }
    // Every component and project gets an entry, leaves with an empty list,
    // so a reader can tell "no dependencies" from "not recorded".
    for r in components.keys().chain(projects.keys()) {
        edges.entry(r.clone()).or_default();
    }
    edges.insert(ROOT_REF.to_string(), projects.keys().cloned().collect());

    for list in inv.files.values_mut() {
        list.sort();
        list.dedup();
    }
    inv.diagnostics.sort();
    inv.diagnostics.dedup();
    inv.projects = projects.into_values().collect();
    inv.components = components.into_values().collect();
    inv.dependencies = edges;
    inv
}
