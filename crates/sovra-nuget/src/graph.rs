//! Turning evaluated projects and lock files into the model.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use sovra_core::plugin::{SourceTree, file_name, join_rel, parent_dir};
use sovra_core::{
    Completeness, Component, DeclaredLicense, Diagnostic, Ecosystem, Location, Parsed, Project, Scope, Source,
};

use crate::lockfile::{EntryKind, LockEntry, LockFile, Section};
use crate::msbuild::PROJECT_REFERENCE;
use crate::project::{ProjectInfo, is_test_name, is_test_package, read_xml};

/// File extensions of MSBuild project files that restore NuGet packages.
pub const PROJECT_EXTENSIONS: [&str; 3] = [".csproj", ".fsproj", ".vbproj"];

pub fn is_project_file(path: &str) -> bool {
    let lower = file_name(path).to_ascii_lowercase();
    PROJECT_EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// Bound on project files read to match a lock file's `Project` entry by
/// `PackageId`/`AssemblyName` (only done when the file name does not match).
const MAX_PROJECT_SCAN: usize = 2000;

pub use sovra_core::project_ref;

fn prop(key: &str) -> String {
    format!("sovra:nuget:{key}")
}

/// The project node for a project file (or, without one, for the lock file's directory).
pub fn project_node(info: Option<&ProjectInfo>, lock_path: Option<&str>) -> Project {
    let manifest = info.map(|i| i.path.as_str()).or(lock_path).unwrap_or_default();
    let dir = parent_dir(manifest);
    let Some(info) = info else {
        let name = if dir.is_empty() { "root" } else { file_name(dir) };
        let mut c = Component::new(Ecosystem::Nuget, None, name, "");
        c.source = Source::Path { path: if dir.is_empty() { ".".into() } else { dir.into() } };
        return Project { bom_ref: project_ref(manifest), component: c, manifest: Location::new(manifest, None) };
    };
    let p = &info.eval.properties;
    let known = |k: &str| p.get(k).map(str::trim).filter(|v| !v.contains("$(")).map(str::to_string);
    let mut c = Component::new(Ecosystem::Nuget, None, &info.package_id(), &known("Version").unwrap_or_default());
    c.source = Source::Path { path: if dir.is_empty() { ".".into() } else { dir.into() } };
    c.description = known("Description");
    c.homepage = known("PackageProjectUrl");
    c.repository_url = known("RepositoryUrl");
    if let Some(authors) = known("Authors") {
        c.authors = authors.split([';', ',']).map(str::trim).filter(|a| !a.is_empty()).map(str::to_string).collect();
    }
    if let Some(l) = known("PackageLicenseExpression") {
        let mut l = DeclaredLicense::raw(l);
        l.source = Some(Location::new(manifest, None));
        c.declared_licenses.push(l);
    }
    let tfms = info.target_frameworks();
    if !tfms.is_empty() {
        c.properties.insert(prop("target-frameworks"), tfms.join(", "));
    }
    if p.is_true("ManagePackageVersionsCentrally") {
        c.properties.insert(prop("central-package-management"), "true".into());
    }
    if info.is_test() {
        c.properties.insert(prop("test-project"), "true".into());
    }
    c.locations.push(Location::new(manifest, Some(1)));
    Project { bom_ref: project_ref(manifest), component: c, manifest: Location::new(manifest, Some(1)) }
}

/// Everything a unit's graph needs about its project.
pub struct Context<'a> {
    pub tree: &'a dyn SourceTree,
    pub root: &'a Project,
    pub info: Option<&'a ProjectInfo>,
    pub lock_path: &'a str,
}

impl Context<'_> {
    fn dir(&self) -> &str {
        parent_dir(self.info.map_or(self.lock_path, |i| i.path.as_str()))
    }

    /// Test project heuristic (see the crate docs); without a project file
    /// the lock file's direct packages and the directory name tell.
    fn is_test(&self, lock: Option<&LockFile>) -> bool {
        self.info.is_some_and(ProjectInfo::is_test)
            || is_test_name(file_name(self.dir()))
            || lock.is_some_and(|l| {
                l.sections
                    .iter()
                    .flat_map(|s| &s.entries)
                    .any(|e| e.kind == EntryKind::Direct && is_test_package(&e.name))
            })
    }

    /// Lower-cased names of the project's build-only (`PrivateAssets="all"`) references.
    fn build_only(&self) -> BTreeSet<String> {
        self.info
            .map(|i| {
                i.package_refs().into_iter().filter(|r| r.build_only).map(|r| r.name.to_ascii_lowercase()).collect()
            })
            .unwrap_or_default()
    }

    /// Paths of the project files this project references (they need not exist in the tree).
    fn project_references(&self) -> Vec<String> {
        let Some(info) = self.info else { return Vec::new() };
        info.eval.items(PROJECT_REFERENCE).iter().filter_map(|i| join_rel(self.dir(), &i.name)).collect()
    }
}

fn stem(path: &str) -> &str {
    let name = file_name(path);
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// Where a lock file's `Project` entry is defined: a referenced project file
/// of that name, any project file of that name in the tree, one whose literal
/// `PackageId`/`AssemblyName` is that name; `None` if none.
fn find_project(ctx: &Context, refs: &[String], name: &str) -> Option<String> {
    let by_stem = |p: &&String| stem(p).eq_ignore_ascii_case(name);
    if let Some(p) = refs.iter().find(by_stem) {
        return Some(p.clone());
    }
    let files = ctx.tree.files();
    if let Some(p) = files.iter().filter(|f| is_project_file(f)).find(by_stem) {
        return Some(p.clone());
    }
    files.iter().filter(|f| is_project_file(f)).take(MAX_PROJECT_SCAN).find_map(|f| {
        let root = read_xml(ctx.tree, f).ok()?;
        let declared = root
            .children
            .iter()
            .filter(|g| g.is("PropertyGroup"))
            .flat_map(|g| &g.children)
            .any(|p| (p.is("PackageId") || p.is("AssemblyName")) && p.text.eq_ignore_ascii_case(name));
        declared.then(|| f.clone())
    })
}

/// Accumulates one lock file's components, keyed by lower-cased name and version.
#[derive(Default)]
struct Collected {
    components: BTreeMap<(String, String), Component>,
    frameworks: BTreeMap<(String, String), BTreeSet<String>>,
    edges: BTreeSet<(String, String)>,
}

/// The graph a lock file records.
pub fn locked(ctx: &Context, lock: &LockFile, out: &mut Parsed) {
    let is_test = ctx.is_test(Some(lock));
    let build_only = ctx.build_only();
    let refs = ctx.project_references();
    let mut projects: BTreeMap<String, String> = BTreeMap::new(); // lower name -> bom-ref
    let mut project_of = |name: &str, line: u32, out: &mut Parsed| -> String {
        let key = name.to_ascii_lowercase();
        if let Some(r) = projects.get(&key) {
            return r.clone();
        }
        let found = find_project(ctx, &refs, name);
        let bom_ref = found.as_deref().map_or_else(|| format!("sovra:project:nuget:{key}"), project_ref);
        // A project file in the tree is described by its own unit; others only here.
        if !found.as_deref().is_some_and(|p| ctx.tree.exists(p)) {
            let mut c = Component::new(Ecosystem::Nuget, None, name, "");
            c.source = Source::Path { path: found.as_deref().map_or(String::new(), |p| parent_dir(p).to_string()) };
            let manifest = match &found {
                Some(p) => Location::new(p, None),
                None => Location::new(ctx.lock_path, Some(line)),
            };
            out.projects.push(Project { bom_ref: bom_ref.clone(), component: c, manifest });
        }
        projects.insert(key, bom_ref.clone());
        bom_ref
    };

    let mut acc = Collected::default();
    let mut roots: Vec<(String, Scope)> = Vec::new();
    let referenced: BTreeSet<String> = refs.iter().map(|r| project_ref(r)).collect();
    let base_scope = if is_test { Scope::Dev } else { Scope::Required };
    for section in &lock.sections {
        // Project entries some other Project entry depends on are not direct.
        let nested: BTreeSet<String> = section
            .entries
            .iter()
            .filter(|e| e.kind == EntryKind::Project)
            .flat_map(|e| e.dependencies.iter().map(|(n, _)| n.to_ascii_lowercase()))
            .collect();
        for entry in &section.entries {
            let from = match entry.kind {
                EntryKind::Project => {
                    let r = project_of(&entry.name, entry.line, out);
                    let direct = referenced.contains(&r) || !nested.contains(&entry.name.to_ascii_lowercase());
                    if direct {
                        acc.edges.insert((ctx.root.bom_ref.clone(), r.clone()));
                    }
                    r
                }
                _ => {
                    let c = component(&mut acc, section, entry, ctx.lock_path);
                    if entry.kind == EntryKind::Direct {
                        acc.edges.insert((ctx.root.bom_ref.clone(), c.clone()));
                        let build = build_only.contains(&entry.name.to_ascii_lowercase());
                        roots.push((c.clone(), if build { Scope::Dev } else { base_scope }));
                    }
                    c
                }
            };
            for (dep, range) in &entry.dependencies {
                let Some(target) = lock.resolve(section, dep) else {
                    out.diagnostics.push(Diagnostic::warning(
                        "nuget::unresolved-dependency",
                        Location::new(ctx.lock_path, Some(entry.line)),
                        format!(
                            "{} ({}) depends on {dep} {range}, which section {} does not list",
                            entry.name, section.key, section.key
                        ),
                    ));
                    continue;
                };
                let to = if target.kind == EntryKind::Project {
                    project_of(&target.name, target.line, out)
                } else {
                    component(&mut acc, section, target, ctx.lock_path)
                };
                if entry.kind == EntryKind::Project && target.kind != EntryKind::Project {
                    roots.push((to.clone(), base_scope));
                }
                acc.edges.insert((from.clone(), to));
            }
        }
    }
    let scopes = propagate(&roots, &acc.edges);
    for (key, mut c) in acc.components {
        c.scope = Some(scopes.get(&c.purl).copied().unwrap_or(Scope::Required));
        if let Some(f) = acc.frameworks.get(&key) {
            c.properties.insert(prop("target-frameworks"), f.iter().cloned().collect::<Vec<_>>().join(", "));
        }
        if build_only.contains(&key.0) {
            c.properties.insert(prop("private-assets"), "all".into());
        }
        out.components.push(c);
    }
    out.edges.extend(acc.edges);
    out.completeness = Completeness::Complete;
}

/// The component of a package entry (created on first sight), returning its purl.
fn component(acc: &mut Collected, section: &Section, entry: &LockEntry, lock_path: &str) -> String {
    let version = entry.resolved.clone().unwrap_or_default();
    let key = (entry.name.to_ascii_lowercase(), version.clone());
    acc.frameworks.entry(key.clone()).or_default().insert(section.key.clone());
    let c = acc.components.entry(key).or_insert_with(|| {
        let mut c = Component::new(Ecosystem::Nuget, None, &entry.name, &version);
        c.locations.push(Location::new(lock_path, Some(entry.line)));
        c
    });
    // contentHash is NuGet's SHA-512 over the package *content*: for a signed
    // package it differs from the hash of the .nupkg file one downloads, so it
    // is not a file hash and stays a property.
    if let Some(h) = &entry.content_hash {
        c.properties.entry(prop("content-hash")).or_insert_with(|| h.clone());
    }
    if let Some(r) = &entry.requested {
        c.properties.entry(prop("requested")).or_insert_with(|| r.clone());
    }
    if entry.kind == EntryKind::CentralTransitive {
        c.properties.insert(prop("central-transitive"), "true".into());
    }
    c.purl.clone()
}

/// The strongest scope reaching each node from the roots.
fn propagate(roots: &[(String, Scope)], edges: &BTreeSet<(String, String)>) -> BTreeMap<String, Scope> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges {
        next.entry(from).or_default().push(to);
    }
    let mut best: BTreeMap<String, Scope> = BTreeMap::new();
    let mut queue: VecDeque<(&str, Scope)> = roots.iter().map(|(r, s)| (r.as_str(), *s)).collect();
    while let Some((node, scope)) = queue.pop_front() {
        if best.get(node).is_some_and(|s| *s <= scope) {
            continue;
        }
        best.insert(node.to_string(), scope);
        for to in next.get(node).into_iter().flatten() {
            queue.push_back((to, scope));
        }
    }
    best
}

/// A project without lock file: its direct references, versions as written.
///
/// `Version="1.2.3"` is NuGet's minimum version ">= 1.2.3", and restore picks
/// the lowest version that satisfies it, so the written lower bound is what a
/// restore resolves when the feed still has it. Such components are marked
/// `sovra:nuget:unlocked`; the project gets a warning and the unit is Incomplete.
pub fn unlocked(ctx: &Context, out: &mut Parsed) {
    let Some(info) = ctx.info else { return };
    let is_test = ctx.is_test(None);
    out.diagnostics.push(Diagnostic::warning(
        "nuget::unlocked",
        Location::new(&info.path, Some(1)),
        "no packages.lock.json: only the direct package references are known, at the lowest \
         version they allow, and their dependencies are missing (enable RestorePackagesWithLockFile)",
    ));
    for r in info.package_refs() {
        let requested = r.version.clone().unwrap_or_default();
        let version = lowest_version(&requested);
        if version.is_none() {
            out.diagnostics.push(Diagnostic::warning(
                "nuget::unresolved-version",
                r.location.clone(),
                format!("cannot tell which version of {} `{requested}` resolves to; listed without version", r.name),
            ));
        }
        let mut c = Component::new(Ecosystem::Nuget, None, &r.name, version.as_deref().unwrap_or(""));
        c.scope = Some(if is_test || r.build_only { Scope::Dev } else { Scope::Required });
        c.locations.push(r.location.clone());
        c.properties.insert(prop("unlocked"), "true".into());
        if !requested.is_empty() {
            c.properties.insert(prop("requested"), requested);
        }
        if r.build_only {
            c.properties.insert(prop("private-assets"), "all".into());
        }
        if let Some(cond) = r.condition {
            c.properties.insert(prop("condition"), cond);
        }
        out.edges.push((ctx.root.bom_ref.clone(), c.purl.clone()));
        out.components.push(c);
    }
    for path in ctx.project_references() {
        if ctx.tree.exists(&path) {
            out.edges.push((ctx.root.bom_ref.clone(), project_ref(&path)));
        }
    }
    out.completeness = Completeness::Incomplete;
}

/// The version a restore picks for a requested version or range: the
/// inclusive lower bound. `None` for floating versions (`1.*`), exclusive
/// lower bounds and unexpanded properties.
pub fn lowest_version(requested: &str) -> Option<String> {
    let r = requested.trim();
    if r.is_empty() || r.contains('*') || r.contains("$(") {
        return None;
    }
    let v = if let Some(inner) = r.strip_prefix('[') {
        inner.split([',', ']']).next()?.trim()
    } else if r.starts_with('(') {
        return None;
    } else {
        r
    };
    (!v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+')))
        .then(|| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowest_version_of_ranges() {
        assert_eq!(lowest_version("13.0.3").as_deref(), Some("13.0.3"));
        assert_eq!(lowest_version("[8.0.2]").as_deref(), Some("8.0.2"));
        assert_eq!(lowest_version("[1.0, 2.0)").as_deref(), Some("1.0"));
        assert_eq!(lowest_version("(1.0, )"), None);
        assert_eq!(lowest_version("1.*"), None);
        assert_eq!(lowest_version("$(Missing)"), None);
        assert_eq!(lowest_version(""), None);
    }
}
