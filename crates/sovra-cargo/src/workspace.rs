//! A Cargo.lock together with the manifests of its workspace, turned into the model.
//!
//! The lockfile alone gives every package, checksum and edge. The manifests
//! add what it does not record: which local packages are workspace members,
//! their metadata (licence, authors, ...), and through their dependency tables
//! whether a locked package is needed at run time, only to build, only
//! behind an optional feature, or only for tests ([`Reach`]).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::rc::Rc;

use sovra_core::plugin::{join_rel, parent_dir, read_text};
use sovra_core::purl::Purl;
use sovra_core::{
    Completeness, Component, DeclaredLicense, Diagnostic, Ecosystem, Hash, HashAlg, Location, Parsed, Project, Scope,
    Source, SourceTree,
};

use crate::ID;
use crate::glob;
use crate::lock::{CrateSource, LockPackage, Lockfile, parse_lockfile};
use crate::manifest::{DepDecl, DepKind, Manifest, PackageMeta};

/// Bound on the manifests one unit follows through path dependencies; real
/// workspaces have a few hundred.
const MAX_MANIFESTS: usize = 10_000;

const BUILD_ONLY: &str = "sovra:cargo:build-only";

/// How a locked package is reached from the workspace members, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Reach {
    Normal,
    Build,
    Optional,
    Dev,
}

impl Reach {
    fn of(kind: DepKind, optional: bool) -> Reach {
        match (kind, optional) {
            (DepKind::Dev, _) => Reach::Dev,
            (_, true) => Reach::Optional,
            (DepKind::Normal, false) => Reach::Normal,
            (DepKind::Build, false) => Reach::Build,
        }
    }

    fn scope(self) -> Scope {
        match self {
            Reach::Normal | Reach::Build => Scope::Required,
            Reach::Optional => Scope::Optional,
            Reach::Dev => Scope::Dev,
        }
    }
}

/// Manifests read through the tree, each once; records the files read and
/// the diagnostics of those that could not be parsed.
pub struct Manifests<'t> {
    tree: &'t dyn SourceTree,
    cache: BTreeMap<String, Option<Rc<Manifest>>>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'t> Manifests<'t> {
    pub fn new(tree: &'t dyn SourceTree) -> Self {
        Manifests { tree, cache: BTreeMap::new(), diagnostics: Vec::new() }
    }

    /// The manifest at `path`, `None` when absent or unreadable (the latter reported).
    pub fn get(&mut self, path: &str) -> Option<Rc<Manifest>> {
        if let Some(cached) = self.cache.get(path) {
            return cached.clone();
        }
        let parsed = if !self.tree.exists(path) {
            None
        } else if self.cache.len() >= MAX_MANIFESTS {
            self.diagnostics.push(Diagnostic::warning(
                "cargo::too-many-manifests",
                Location::new(path, None),
                format!("more than {MAX_MANIFESTS} manifests in one workspace; this one is not read"),
            ));
            None
        } else {
            match read_text(self.tree, path, ID).and_then(|text| Manifest::parse(&text, path)) {
                Ok(m) => Some(Rc::new(m)),
                Err(d) => {
                    self.diagnostics.push(d);
                    None
                }
            }
        };
        self.cache.insert(path.to_string(), parsed.clone());
        parsed
    }

    /// Every manifest file that was read (parsed or not).
    pub fn files(&self) -> Vec<String> {
        self.cache.keys().filter(|p| self.tree.exists(p)).cloned().collect()
    }

    /// The root manifest of the workspace `path` belongs to (itself when it
    /// declares `[workspace]`): `package.workspace` if given, else the nearest
    /// ancestor whose `[workspace]` counts it as a member, as cargo searches.
    pub fn workspace_root_of(&mut self, path: &str) -> Option<Rc<Manifest>> {
        let m = self.get(path)?;
        if m.is_workspace_root() {
            return Some(m);
        }
        if let Some(explicit) = m.explicit_workspace() {
            let root = join_rel(parent_dir(path), explicit).and_then(|d| join_rel(&d, "Cargo.toml"))?;
            return self.get(&root);
        }
        let mut dir = parent_dir(path);
        while !dir.is_empty() {
            dir = parent_dir(dir);
            let candidate = join_rel(dir, "Cargo.toml").unwrap_or_default();
            if let Some(root) = self.get(&candidate).filter(|r| r.is_workspace_root()) {
                return is_member(&root, path).then_some(root);
            }
        }
        None
    }

    /// The package metadata of the manifest at `path`, inheritance resolved.
    fn meta(&mut self, path: &str) -> Option<PackageMeta> {
        let ws = self.workspace_root_of(path);
        self.get(path)?.package(ws.as_deref(), &mut self.diagnostics)
    }

    fn dependencies(&mut self, path: &str) -> Vec<DepDecl> {
        let ws = self.workspace_root_of(path);
        match self.get(path) {
            Some(m) => m.dependencies(ws.as_deref(), &mut self.diagnostics),
            None => Vec::new(),
        }
    }
}

/// Whether the workspace of `root` counts the manifest at `path` as a member:
/// the root package itself, or a directory matched by `members` and not under
/// an `exclude` (an explicitly listed member wins over an exclude, as in cargo).
fn is_member(root: &Manifest, path: &str) -> bool {
    let root_dir = root.dir();
    let dir = parent_dir(path);
    let Some(rel) = relative_to(root_dir, dir) else { return false };
    if rel.is_empty() {
        return true;
    }
    let (members, excludes) = root.members_and_excludes();
    let norm = |p: &str| join_rel("", p).unwrap_or_default();
    let explicit = members.iter().any(|m| norm(m) == rel);
    let matched = explicit || members.iter().any(|m| glob::matches(m, &rel));
    let excluded = excludes.iter().any(|e| {
        let e = norm(e);
        !e.is_empty() && (rel == e || rel.starts_with(&format!("{e}/")))
    });
    matched && (explicit || !excluded)
}

/// `dir` relative to `base` (both relative to the root), `None` if not inside it.
fn relative_to(base: &str, dir: &str) -> Option<String> {
    if base.is_empty() {
        return Some(dir.to_string());
    }
    if dir == base {
        return Some(String::new());
    }
    dir.strip_prefix(base)?.strip_prefix('/').map(str::to_string)
}

/// The first-party packages a lockfile's workspace is made of.
struct Local {
    /// Manifest paths of the workspace members.
    members: BTreeSet<String>,
    /// Manifest paths of members and of path dependencies reached from them.
    all: BTreeSet<String>,
}

/// Members of the workspace rooted at `root_path`, plus what their path
/// dependencies reach. Path dependencies inside the workspace directory are
/// members too, as cargo makes them.
fn local_packages(manifests: &mut Manifests, root_path: &str) -> Local {
    let mut members = BTreeSet::new();
    let mut all = BTreeSet::new();
    let Some(root) = manifests.get(root_path) else {
        return Local { members, all };
    };
    let mut queue: VecDeque<String> = VecDeque::new();
    if root.has_package() {
        queue.push_back(root_path.to_string());
    }
    let (patterns, _) = root.members_and_excludes();
    let listed: Vec<String> = manifests.tree.files().iter().filter(|f| is_manifest(f)).cloned().collect();
    // Explicit members and `[workspace.dependencies]` paths are found even when
    // the file list is not the whole tree (a lockfile scanned on its own).
    let explicit = patterns
        .iter()
        .filter(|p| !p.contains(['*', '?', '[']))
        .filter_map(|p| join_rel(root.dir(), p).and_then(|d| join_rel(&d, "Cargo.toml")))
        .chain(root.workspace_path_dependencies())
        .collect::<Vec<_>>();
    for path in listed.into_iter().chain(explicit) {
        if path != root_path && is_member(&root, &path) && manifests.get(&path).is_some() {
            queue.push_back(path);
        }
    }
    while let Some(path) = queue.pop_front() {
        if !all.insert(path.clone()) {
            continue;
        }
        let member = path == root_path || is_member(&root, &path);
        if member {
            members.insert(path.clone());
        }
        for dep in manifests.dependencies(&path) {
            // Dev-dependencies of a non-member are never built, so never locked.
            if dep.kind == DepKind::Dev && !member {
                continue;
            }
            if let Some(p) = dep.path_manifest
                && !all.contains(&p)
                && manifests.get(&p).is_some()
            {
                queue.push_back(p);
            }
        }
    }
    Local { members, all }
}

fn is_manifest(path: &str) -> bool {
    sovra_core::plugin::file_name(path) == "Cargo.toml"
}

/// Parse a Cargo.lock unit: the lockfile, its workspace's manifests, and
/// (as manifest-only projects) the `related` manifests that turn out not to
/// belong to the workspace.
pub fn parse_lock_unit(tree: &dyn SourceTree, lock_path: &str, related: &[String]) -> Parsed {
    let mut parsed = Parsed { files: vec![lock_path.to_string()], ..Parsed::default() };
    // An unreadable lockfile still leaves the workspace's projects to report.
    let (lock, diags, lock_failed) = match read_text(tree, lock_path, ID) {
        Ok(text) => {
            let (lock, diags) = parse_lockfile(&text, lock_path);
            let failed = diags.iter().any(|d| d.code == "cargo::parse");
            (lock, diags, failed)
        }
        Err(d) => (Lockfile::default(), vec![d], true),
    };
    parsed.diagnostics.extend(diags);
    parsed.completeness = if lock_failed { Completeness::Unknown } else { Completeness::Complete };

    let mut manifests = Manifests::new(tree);
    let root_path = join_rel(parent_dir(lock_path), "Cargo.toml").unwrap_or_default();
    let local = local_packages(&mut manifests, &root_path);
    let matched = match_local(&lock, &local, &mut manifests, lock_path, &mut parsed.diagnostics);
    let reach = reachability(&lock, &matched, &mut manifests);
    let unmatched: Vec<String> =
        matched.unmatched(&lock).map(|i| format!("{} {}", lock.packages[i].name, lock.packages[i].version)).collect();
    if matched.members.is_empty() && !lock.packages.is_empty() {
        parsed.diagnostics.push(Diagnostic::info(
            "cargo::no-manifest",
            Location::new(lock_path, None),
            "no Cargo.toml of a workspace member was found beside the lockfile: dev, build and optional \
             dependencies cannot be told apart, every package is reported as required",
        ));
    } else if !unmatched.is_empty() {
        parsed.diagnostics.push(Diagnostic::info(
            "cargo::partial-manifests",
            Location::new(lock_path, None),
            format!(
                "no Cargo.toml found for the local packages {}: their dependencies are reported as required",
                unmatched.join(", ")
            ),
        ));
    }

    let refs: Vec<String> = lock.packages.iter().map(package_ref).collect();
    for (i, pkg) in lock.packages.iter().enumerate() {
        let loc = Location::new(lock_path, Some(pkg.line));
        if pkg.is_local() {
            let manifest = matched.manifest_of.get(&i).cloned();
            let meta = manifest.as_deref().and_then(|p| manifests.meta(p));
            let mloc = manifest.as_deref().and_then(|p| manifests.get(p)).map(|m| m.location());
            parsed.projects.push(project(&pkg.name, &pkg.version, meta.as_ref(), mloc, Some(loc)));
        } else {
            if let Some(CrateSource::Unknown(src)) = pkg.source.as_deref().map(CrateSource::parse) {
                parsed.diagnostics.push(Diagnostic::warning(
                    "cargo::unknown-source",
                    loc.clone(),
                    format!(
                        "source {src:?} of {} {} is of an unknown kind; kept as a registry URL",
                        pkg.name, pkg.version
                    ),
                ));
            }
            parsed.components.push(component(pkg, &refs[i], reach[i], loc));
        }
        for &d in &pkg.dependencies {
            parsed.edges.push((refs[i].clone(), refs[d].clone()));
        }
    }
    // Members the lockfile does not know: it was not updated since they were
    // added, or it could not be read.
    for path in local.all.iter().filter(|p| !matched.manifest_of.values().any(|m| m == *p)) {
        let Some(meta) = manifests.meta(path) else { continue };
        let mloc = manifests.get(path).map(|m| m.location());
        if !lock_failed {
            parsed.diagnostics.push(Diagnostic::warning(
                "cargo::stale-lockfile",
                mloc.clone().unwrap_or_else(|| Location::new(path, None)),
                format!("{} {} is not in {lock_path}; the lockfile is out of date", meta.name, meta.version),
            ));
        }
        parsed.projects.push(project(&meta.name, &meta.version, Some(&meta), mloc, None));
    }
    for path in related.iter().filter(|p| !local.all.contains(*p) && **p != root_path) {
        manifest_only(&mut manifests, path, &mut parsed);
    }
    parsed.diagnostics.append(&mut manifests.diagnostics);
    parsed.diagnostics.sort();
    parsed.files.extend(manifests.files());
    parsed.files.sort();
    parsed.files.dedup();
    parsed
}

/// A manifest no lockfile covers: its project (if it has a `[package]`) and a
/// warning, but no components, since version requirements are not versions.
pub fn parse_manifest_unit(tree: &dyn SourceTree, path: &str) -> Parsed {
    let mut parsed = Parsed { completeness: Completeness::Incomplete, ..Parsed::default() };
    let mut manifests = Manifests::new(tree);
    manifest_only(&mut manifests, path, &mut parsed);
    parsed.diagnostics.append(&mut manifests.diagnostics);
    parsed.files = manifests.files();
    parsed
}

fn manifest_only(manifests: &mut Manifests, path: &str, parsed: &mut Parsed) {
    let Some(manifest) = manifests.get(path) else { return };
    let root = manifests.workspace_root_of(path);
    let meta = manifests.meta(path);
    if let Some(meta) = &meta {
        parsed.projects.push(project(&meta.name, &meta.version, Some(meta), Some(manifest.location()), None));
    }
    // A member of a lockless workspace: its root reports the missing lockfile once.
    if root.is_some_and(|r| r.path != path) || (meta.is_none() && !manifest.is_workspace_root()) {
        return;
    }
    parsed.diagnostics.push(Diagnostic::warning(
        "cargo::no-lockfile",
        manifest.location(),
        "no Cargo.lock for this manifest: the project is reported without its dependencies \
         (version requirements do not say which versions are used; run `cargo generate-lockfile`)",
    ));
}

/// Which lockfile entries are which local manifests.
struct Matched {
    /// Lock package index -> manifest path.
    manifest_of: BTreeMap<usize, String>,
    /// Lock package indices of workspace members whose manifest was found.
    members: BTreeSet<usize>,
}

impl Matched {
    /// Local lockfile packages no manifest was found for.
    fn unmatched<'a>(&'a self, lock: &'a Lockfile) -> impl Iterator<Item = usize> + 'a {
        (0..lock.packages.len()).filter(|i| lock.packages[*i].is_local() && !self.manifest_of.contains_key(i))
    }
}

fn match_local(
    lock: &Lockfile,
    local: &Local,
    manifests: &mut Manifests,
    lock_path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Matched {
    let mut by_name: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for path in &local.all {
        if let Some(meta) = manifests.meta(path) {
            by_name.entry(meta.name).or_default().push((meta.version, path.clone()));
        }
    }
    let mut matched = Matched { manifest_of: BTreeMap::new(), members: BTreeSet::new() };
    for (i, pkg) in lock.packages.iter().enumerate().filter(|(_, p)| p.is_local()) {
        let candidates = by_name.get(&pkg.name).map(Vec::as_slice).unwrap_or_default();
        let path = match candidates.iter().find(|(v, _)| *v == pkg.version) {
            Some((_, path)) => path.clone(),
            None => match candidates {
                [(version, path)] => {
                    diags.push(Diagnostic::warning(
                        "cargo::stale-lockfile",
                        Location::new(lock_path, Some(pkg.line)),
                        format!(
                            "{} is locked at {} but {path} says {version}; the lockfile is out of date",
                            pkg.name, pkg.version
                        ),
                    ));
                    path.clone()
                }
                _ => continue,
            },
        };
        if local.members.contains(&path) {
            matched.members.insert(i);
        }
        matched.manifest_of.insert(i, path);
    }
    matched
}

/// How each locked package is reached from the members, strongest way first.
///
/// Each member's locked dependencies are classified by the table its manifest
/// declares them in (matched by real package name); from there the lockfile
/// graph is walked once per class, strongest first, so a package keeps the
/// strongest class it can be reached by. Members are not walked through:
/// their own dependencies are seeds with their own classes, and walking
/// through them would wrongly pass on their dev-dependencies. `None` for
/// packages no member reaches (no manifests, or a stale lockfile).
fn reachability(lock: &Lockfile, matched: &Matched, manifests: &mut Manifests) -> Vec<Option<Reach>> {
    // Local packages whose manifest was not found may be members too: their
    // dependencies count as normal ones, so that nothing is wrongly called dev.
    let roots: BTreeSet<usize> = matched.members.iter().copied().chain(matched.unmatched(lock)).collect();
    let mut seeds: Vec<(usize, Reach)> = Vec::new();
    for &m in &roots {
        let decls = match matched.manifest_of.get(&m) {
            Some(path) => manifests.dependencies(path),
            None => Vec::new(),
        };
        for &d in &lock.packages[m].dependencies {
            let name = &lock.packages[d].name;
            // Undeclared (a feature-enabled implicit dependency, or a name we
            // could not map): assume it is needed.
            let class = decls
                .iter()
                .filter(|decl| decl.name == *name)
                .map(|decl| Reach::of(decl.kind, decl.optional))
                .min()
                .unwrap_or(Reach::Normal);
            seeds.push((d, class));
        }
    }
    let mut reach: Vec<Option<Reach>> = vec![None; lock.packages.len()];
    for class in [Reach::Normal, Reach::Build, Reach::Optional, Reach::Dev] {
        let mut queue: VecDeque<usize> = seeds.iter().filter(|(_, c)| *c == class).map(|(d, _)| *d).collect();
        while let Some(i) = queue.pop_front() {
            if reach[i].is_some() || roots.contains(&i) {
                continue;
            }
            reach[i] = Some(class);
            queue.extend(lock.packages[i].dependencies.iter().copied().filter(|&d| reach[d].is_none()));
        }
    }
    reach
}

/// The bom-ref of a locked package: its purl, with the qualifiers the purl
/// spec asks for when it does not come from crates.io.
fn package_ref(pkg: &LockPackage) -> String {
    let purl = Purl::new("cargo", None, &pkg.name, Some(&pkg.version));
    let purl = match pkg.source.as_deref().map(CrateSource::parse) {
        Some(CrateSource::Registry(url) | CrateSource::Unknown(url)) => purl.qualifier("repository_url", url),
        Some(CrateSource::Git { url, commit, .. }) => {
            let vcs = match commit {
                Some(c) => format!("git+{url}@{c}"),
                None => format!("git+{url}"),
            };
            purl.qualifier("vcs_url", vcs)
        }
        _ => purl,
    };
    purl.to_string()
}

fn component(pkg: &LockPackage, purl: &str, reach: Option<Reach>, loc: Location) -> Component {
    let mut c = Component::new(Ecosystem::Cargo, None, &pkg.name, &pkg.version);
    c.purl = purl.to_string();
    c.scope = Some(reach.map_or(Scope::Required, Reach::scope));
    if reach == Some(Reach::Build) {
        c.properties.insert(BUILD_ONLY.into(), "true".into());
    }
    let source = pkg.source.as_deref().map(CrateSource::parse).unwrap_or(CrateSource::CratesIo);
    let filename = format!("{}-{}.crate", pkg.name, pkg.version);
    match &source {
        CrateSource::CratesIo => {
            c.download_url = Some(format!("https://static.crates.io/crates/{}/{filename}", pkg.name));
            c.filename = Some(filename.clone());
        }
        CrateSource::Registry(_) => c.filename = Some(filename.clone()),
        CrateSource::Git { url, .. } => c.repository_url = Some(url.clone()),
        CrateSource::Path(_) | CrateSource::Unknown(_) => {}
    }
    if let Some(sum) = pkg.checksum.as_deref().and_then(|s| Hash::from_hex(HashAlg::Sha256, s)) {
        c.hashes.push(sum.with_file(filename));
    }
    c.source = source.to_model();
    c.locations.push(loc);
    c
}

/// A first-party package, from its lockfile entry and/or its manifest.
fn project(
    name: &str,
    version: &str,
    meta: Option<&PackageMeta>,
    manifest: Option<Location>,
    lock: Option<Location>,
) -> Project {
    let mut c = Component::new(Ecosystem::Cargo, None, name, version);
    let dir = manifest.as_ref().map(|m| parent_dir(&m.file).to_string()).unwrap_or_default();
    c.source = Source::Path { path: if dir.is_empty() { ".".into() } else { dir } };
    if let Some(meta) = meta {
        if let Some(license) = &meta.license {
            let mut d = DeclaredLicense::raw(license);
            d.source = manifest.clone();
            c.declared_licenses.push(d);
        }
        if let Some(file) = &meta.license_file {
            c.properties.insert("sovra:cargo:license-file".into(), file.clone());
        }
        c.authors = meta.authors.clone();
        c.repository_url = meta.repository.clone();
        c.homepage = meta.homepage.clone();
        c.description = meta.description.as_deref().map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    c.locations.extend(manifest.iter().chain(lock.iter()).cloned());
    let bom_ref = c.purl.clone();
    let manifest = manifest.or(lock).unwrap_or_else(|| Location::new("", None));
    Project { bom_ref, component: c, manifest }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sovra_core::plugin::MemoryTree;

    #[test]
    fn unknown_source_kind_is_kept_and_reported() {
        let lock =
            "version = 4\n\n[[package]]\nname = \"x\"\nversion = \"1.0.0\"\nsource = \"weird+https://x.example\"\n";
        let tree = MemoryTree::new([("Cargo.lock", lock)]);
        let parsed = parse_lock_unit(&tree, "Cargo.lock", &[]);
        assert_eq!(parsed.components.len(), 1);
        let c = &parsed.components[0];
        assert_eq!(c.purl, "pkg:cargo/x@1.0.0?repository_url=weird%2Bhttps:%2F%2Fx.example");
        assert_eq!(c.source, Source::Registry { url: Some("weird+https://x.example".into()) });
        let codes: Vec<(&str, Option<u32>)> =
            parsed.diagnostics.iter().map(|d| (d.code.as_str(), d.location.line)).collect();
        assert_eq!(codes, vec![("cargo::unknown-source", Some(3)), ("cargo::no-manifest", None)]);
    }

    #[test]
    fn members_exclude_and_explicit_override() {
        let root = Manifest::parse(
            "[workspace]\nmembers = [\"crates/*\", \"crates/keep\"]\nexclude = [\"crates/skip\", \"crates/keep\"]\n",
            "ws/Cargo.toml",
        )
        .unwrap();
        assert!(is_member(&root, "ws/crates/a/Cargo.toml"));
        assert!(!is_member(&root, "ws/crates/skip/Cargo.toml"));
        assert!(is_member(&root, "ws/crates/keep/Cargo.toml"));
        assert!(!is_member(&root, "ws/other/Cargo.toml"));
        assert!(!is_member(&root, "elsewhere/crates/a/Cargo.toml"));
        assert!(is_member(&root, "ws/Cargo.toml"));
    }
}
