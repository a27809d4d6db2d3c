//! Sovra plug-in for NuGet (.NET).
//!
//! [`NugetPlugin`] claims project files (`*.csproj`, `*.fsproj`, `*.vbproj`),
//! lock files (`packages.lock.json`, `packages.<project>.lock.json`) and the
//! `Directory.Build.props`/`Directory.Packages.props` files they inherit from,
//! and makes one unit per project directory.
//!
//! * [`xml`] reads MSBuild XML into a small element tree with line numbers;
//!   [`msbuild`] evaluates properties, conditions and items just far enough to
//!   know package references; [`project`] evaluates one project file with its
//!   props chain (central package management included) into a
//!   [`project::ProjectInfo`].
//! * [`lockfile`] reads packages.lock.json v1/v2 into sections per target
//!   framework and runtime.
//! * [`graph`] turns both into the model: the project file is the
//!   [`sovra_core::Project`]; with a lock file every package entry becomes a
//!   component (one per name and resolved version, across sections), `Project`
//!   entries become first-party projects, `dependencies` become edges resolved
//!   in the same section. Without a lock file the direct references are
//!   listed as unlocked (see [`graph::unlocked`]).
//!
//! Scopes: NuGet lock files do not mark development packages. Sovra marks as
//! Dev everything in a *test project* (one with `IsTestProject=true`, a
//! reference to Microsoft.NET.Test.Sdk, xunit, NUnit or MSTest, or a name
//! ending in `.Test(s)`, `.UnitTest(s)`, `.IntegrationTest(s)`) and the build-only
//! references (`PrivateAssets="all"`, `GlobalPackageReference`) with what only
//! they pull in. The merge keeps the strongest scope, so a package a
//! shipped project also uses stays Required.

pub mod graph;
pub mod installed;
pub mod lockfile;
pub mod msbuild;
pub mod project;
pub mod xml;

use sovra_core::plugin::{SourceTree, Unit, file_name, parent_dir, read_text};
use sovra_core::{Completeness, Parsed, Plugin};

use graph::{Context, is_project_file, locked, project_node, unlocked};
use project::{BUILD_PROPS, PACKAGES_PROPS, ProjectInfo, evaluate};

/// The plug-in id, used in diagnostic codes.
pub const ID: &str = "nuget";

const KIND_LOCK: &str = "lock";
const KIND_PROJECT: &str = "project";

pub struct NugetPlugin;

fn is_lockfile(path: &str) -> bool {
    let name = file_name(path);
    name == "packages.lock.json" || (name.starts_with("packages.") && name.ends_with(".lock.json"))
}

impl Plugin for NugetPlugin {
    /// The flat container serves `<id>.<version>.nupkg` with lower-case id and version.
    fn distribution(&self, c: &sovra_core::Component) -> Option<(String, String)> {
        if c.ecosystem != Some(sovra_core::Ecosystem::Nuget) {
            return None;
        }
        let (id, v) = (c.name.to_lowercase(), c.version.to_lowercase());
        let file = format!("{id}.{v}.nupkg");
        let url = format!("https://api.nuget.org/v3-flatcontainer/{id}/{v}/{file}");
        Some((file, url))
    }

    fn id(&self) -> &'static str {
        ID
    }

    fn claims(&self, path: &str) -> bool {
        let name = file_name(path);
        is_lockfile(path) || is_project_file(path) || name == BUILD_PROPS || name == PACKAGES_PROPS
    }

    /// One unit per directory holding a project file or lock file; props files
    /// are read by the units below them, never parsed alone.
    fn units(&self, claimed: &[String], _tree: &dyn SourceTree) -> Vec<Unit> {
        let mut by_dir: std::collections::BTreeMap<&str, (Vec<String>, Vec<String>)> = Default::default();
        for path in claimed {
            let slot = by_dir.entry(parent_dir(path)).or_default();
            if is_lockfile(path) {
                slot.0.push(path.clone());
            } else if is_project_file(path) {
                slot.1.push(path.clone());
            }
        }
        by_dir
            .into_values()
            .filter_map(|(locks, projects)| {
                let (kind, mut files) =
                    if locks.is_empty() { (KIND_PROJECT, projects) } else { (KIND_LOCK, [locks, projects].concat()) };
                if files.is_empty() {
                    return None;
                }
                let mut unit = Unit::new(files.remove(0), kind);
                unit.related = files;
                Some(unit)
            })
            .collect()
    }

    fn parse(&self, unit: &Unit, tree: &dyn SourceTree) -> Parsed {
        let files: Vec<&String> = std::iter::once(&unit.primary).chain(&unit.related).collect();
        let locks: Vec<&str> = files.iter().filter(|f| is_lockfile(f)).map(|f| f.as_str()).collect();
        let projects: Vec<ProjectInfo> =
            files.iter().filter(|f| is_project_file(f)).map(|f| evaluate(tree, f)).collect();
        parse_dir(tree, &locks, &projects)
    }

    fn package_caches(&self, home: &sovra_core::installed::CacheHome) -> Vec<sovra_core::installed::PackageCache> {
        installed::package_caches(home)
    }

    fn cached(&self, cache: &dyn SourceTree, wanted: &[&sovra_core::Component]) -> sovra_core::installed::Installed {
        installed::cached(cache, wanted)
    }
}

/// Pair each lock file with its project (`packages.<Name>.lock.json` with the
/// project `Name`, `packages.lock.json` with the only project beside it) and
/// build the graph of each pair.
pub fn parse_dir(tree: &dyn SourceTree, locks: &[&str], projects: &[ProjectInfo]) -> Parsed {
    let mut out = Parsed::default();
    let mut paired: Vec<(Option<&ProjectInfo>, Option<&str>)> = Vec::new();
    for info in projects {
        let own = format!("packages.{}.lock.json", info.file_stem());
        let lock = locks
            .iter()
            .find(|l| file_name(l).eq_ignore_ascii_case(&own))
            .or_else(|| locks.iter().find(|l| file_name(l) == "packages.lock.json").filter(|_| projects.len() == 1));
        paired.push((Some(info), lock.copied()));
    }
    for lock in locks {
        if !paired.iter().any(|(_, l)| *l == Some(*lock)) {
            paired.push((None, Some(lock)));
        }
    }
    let mut completeness = Vec::new();
    for (info, lock_path) in paired {
        let mut part = Parsed::default();
        if let Some(info) = info {
            part.files.extend(info.files.iter().cloned());
            part.diagnostics.extend(info.diagnostics.iter().cloned());
        }
        let root = project_node(info, lock_path);
        let ctx = Context { tree, root: &root, info, lock_path: lock_path.unwrap_or_default() };
        match lock_path {
            Some(path) => {
                part.files.push(path.to_string());
                match read_text(tree, path, ID) {
                    Ok(text) => {
                        let (lock, diags) = lockfile::parse_lockfile(&text, path);
                        part.diagnostics.extend(diags);
                        match lock {
                            Some(lock) => locked(&ctx, &lock, &mut part),
                            None => part.completeness = Completeness::Unknown,
                        }
                    }
                    Err(d) => part.diagnostics.push(d),
                }
            }
            None => unlocked(&ctx, &mut part),
        }
        // A project file that could not be read still names the project, but
        // says nothing: drop the node only when there is nothing at all.
        part.projects.push(root);
        completeness.push(part.completeness);
        out.projects.extend(part.projects);
        out.components.extend(part.components);
        out.edges.extend(part.edges);
        out.diagnostics.extend(part.diagnostics);
        out.files.extend(part.files);
    }
    // The weakest claim of the pairs holds for the unit.
    out.completeness = completeness.into_iter().max().unwrap_or_default();
    out.files.sort();
    out.files.dedup();
    out.edges.sort();
    out.edges.dedup();
    out
}
