//! Licences of installed and vendored packages.
//!
//! Lockfiles say which packages a project uses; the packages themselves, where
//! the tree holds them installed (`node_modules`, `vendor/`, a virtualenv) or
//! the user's package caches hold them (`--package-cache`), say under which
//! licence: their metadata *declares* one and their licence files *grant*
//! one. This module folds both into the inventory's components:
//!
//! * each plug-in reads its ecosystem's layout ([`crate::Plugin::installed`],
//!   [`crate::Plugin::cached`]) into [`InstalledPackage`]s: a purl, the
//!   declared licences with the metadata file as their source, and the paths
//!   of the licence files;
//! * [`attach`] matches them to components by purl (qualifiers aside), adds
//!   the declared licences, and has a [`Concluder`] read the licence files
//!   into the component's concluded licence (CycloneDX 1.6 `acknowledgement:
//!   concluded`). Where the text grants a licence the metadata does not
//!   declare, a `license::disagreement` warning says so.
//!
//! The core knows no layout and no licence text: plug-ins know the former,
//! the `sovra-licenses` crate implements [`Concluder`] for the latter.
//! Installed packages never become components: a package present in
//! `node_modules` but in no lockfile is not evidence of what is delivered.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::license;
use crate::model::{Component, ConcludedLicense, DeclaredLicense, Diagnostic, Inventory, Location};
use crate::plugin::{DiskTree, Plugin, SourceTree};

/// Licence files read per package. Real packages carry one to three
/// (`LICENSE-MIT`, `LICENSE-APACHE`, `NOTICE`); more is a licence collection.
pub const MAX_LICENSE_FILES: usize = 8;
/// Largest licence file read. The detector looks at the first MiB anyway.
pub const MAX_LICENSE_BYTES: u64 = 1 << 20;
/// Packages one plug-in reports from one tree or cache: a bound for
/// pathological trees, far above real `node_modules` folders (a few thousand).
pub const MAX_PACKAGES: usize = 50_000;

/// One installed package, as a plug-in read it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InstalledPackage {
    /// The purl of the component it is a copy of, built like the plug-in's
    /// lockfile parser builds it.
    pub purl: String,
    /// The package's directory, relative to the tree it was found in.
    pub dir: String,
    /// Licences its metadata states, each with the metadata file as `source`.
    pub declared: Vec<DeclaredLicense>,
    /// Its licence files, relative to the tree, in the order they are read.
    pub license_files: Vec<String>,
}

impl InstalledPackage {
    /// Add the licence files of [`InstalledPackage::dir`] ([`license_files`])
    /// after those the metadata named, without repeats, at most
    /// [`MAX_LICENSE_FILES`].
    pub fn add_license_files(&mut self, tree: &dyn SourceTree) {
        for f in license_files(tree, &self.dir) {
            if !self.license_files.contains(&f) {
                self.license_files.push(f);
            }
        }
        self.license_files.truncate(MAX_LICENSE_FILES);
    }
}

/// What a plug-in found in one tree or cache.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Installed {
    pub packages: Vec<InstalledPackage>,
    /// Metadata that could not be read (a broken `package.json` in `node_modules`).
    pub diagnostics: Vec<Diagnostic>,
}

/// Where the user's package caches are: the home directory, and the
/// environment variables that move a cache (`CARGO_HOME`, `NUGET_PACKAGES`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CacheHome {
    pub home: PathBuf,
    /// Only the variables a front end chose to honour; tests leave it empty.
    pub vars: BTreeMap<String, PathBuf>,
}

impl CacheHome {
    /// `$var/<below>` when the variable is set, else `<home>/<default>/<below>`,
    /// with a label for locations that names no user's home
    /// (`~/.cargo/registry/src`, `$CARGO_HOME/registry/src`).
    pub fn cache(&self, var: Option<&str>, default: &str, below: &str) -> PackageCache {
        let join = |base: PathBuf, label: String| {
            let (dir, label) =
                if below.is_empty() { (base, label) } else { (base.join(below), format!("{label}/{below}")) };
            PackageCache { dir, label }
        };
        match var.and_then(|v| self.vars.get(v).map(|p| (v, p))) {
            Some((v, p)) => join(p.clone(), format!("${v}")),
            None => join(self.home.join(default), format!("~/{default}")),
        }
    }
}

/// One cache directory and how locations inside it are written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageCache {
    pub dir: PathBuf,
    pub label: String,
}

/// What a licence text grants, as a [`Concluder`] reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Conclusion {
    /// An SPDX expression, `NONE` (no licence in the text) or `NOASSERTION`.
    pub expression: String,
    /// 0.0 to 1.0.
    pub confidence: f32,
    /// The licences matched; for an edited text, the closest one.
    pub matched: Vec<String>,
}

/// Licence-text detection, supplied by the front end.
pub trait Concluder: Sync {
    fn conclude(&self, text: &[u8]) -> Conclusion;
}

/// Whether a file name is a licence file: `LICENSE`, `LICENCE.md`,
/// `COPYING.LIB`, `UNLICENSE`, `MIT-LICENSE`, `LICENSE-APACHE`,
/// `foo.LICENSE`; not source or metadata that happens to be named so
/// (`license.js`, `license.json`), and not `NOTICE` files, which attribute
/// rather than grant.
pub fn is_license_file(name: &str) -> bool {
    license_like(name, false)
}

/// [`is_license_file`], or a NOTICE/COPYRIGHT file: what a person asking
/// what a folder is licensed under wants to see as well.
pub fn is_license_or_notice_file(name: &str) -> bool {
    license_like(name, true)
}

fn license_like(name: &str, notices: bool) -> bool {
    const CODE: &[&str] = &[
        "rs", "py", "pyc", "js", "cjs", "mjs", "ts", "map", "go", "java", "class", "c", "h", "cpp", "cs", "rb", "php",
        "json", "yml", "yaml", "toml", "xml", "lock", "sh", "svg", "png", "html", "d",
    ];
    let lower = name.to_ascii_lowercase();
    let (stem, ext) = match lower.split_once('.') {
        Some((s, e)) => (s, e.rsplit('.').next().unwrap_or(e)),
        None => (lower.as_str(), ""),
    };
    if matches!(ext, "license" | "licence") {
        return true;
    }
    let notice = notices && (stem.starts_with("notice") || stem.starts_with("copyright"));
    !CODE.contains(&ext) && (stem.contains("licen") || stem.starts_with("copying") || stem == "unlicense" || notice)
}

/// The licence files of a package directory: licence-named files in it and
/// in a `LICENSES/` or `licenses/` folder (REUSE, PEP 639 wheels), sorted,
/// at most [`MAX_LICENSE_FILES`].
pub fn license_files(tree: &dyn SourceTree, dir: &str) -> Vec<String> {
    let join = |d: &str, n: &str| if d.is_empty() { n.to_string() } else { format!("{d}/{n}") };
    let mut out = Vec::new();
    for e in tree.list_dir(dir) {
        if !e.is_dir && is_license_file(&e.name) {
            out.push(join(dir, &e.name));
        } else if e.is_dir && e.name.eq_ignore_ascii_case("licenses") {
            let sub = join(dir, &e.name);
            out.extend(tree.list_dir(&sub).into_iter().filter(|f| !f.is_dir).map(|f| join(&sub, &f.name)));
        }
    }
    out.truncate(MAX_LICENSE_FILES);
    out
}

/// The directories holding files `claims` accepts among the tree's listed
/// files, and the root: where a plug-in looks for installed folders.
pub fn manifest_dirs(tree: &dyn SourceTree, claims: impl Fn(&str) -> bool) -> Vec<String> {
    let mut dirs: BTreeSet<String> = BTreeSet::from([String::new()]);
    dirs.extend(tree.files().iter().filter(|f| claims(f)).map(|f| crate::plugin::parent_dir(f).to_string()));
    dirs.into_iter().collect()
}

/// A declared licence read from `file` (at `line` where known).
pub fn declared(raw: &str, file: &str, line: Option<u32>) -> DeclaredLicense {
    DeclaredLicense { source: Some(Location::new(file, line)), ..DeclaredLicense::raw(raw.trim()) }
}

/// Fold installed packages into the inventory: first those inside the tree
/// at `path` (a directory, or a scanned file's directory), then, with
/// `home`, the user's caches for what is still unknown.
pub fn attach_path(
    inv: &mut Inventory,
    path: &Path,
    plugins: &[&dyn Plugin],
    home: Option<&CacheHome>,
    concluder: &dyn Concluder,
) {
    let root = if path.is_dir() {
        path
    } else {
        path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
    };
    let mut files: Vec<String> = inv.files.values().flatten().cloned().collect();
    files.sort();
    files.dedup();
    attach(inv, &DiskTree::new(root, files), plugins, home, concluder);
}

/// [`attach_path`] on a tree already in hand (`tree.files()`: the manifests the scan read).
pub fn attach(
    inv: &mut Inventory,
    tree: &dyn SourceTree,
    plugins: &[&dyn Plugin],
    home: Option<&CacheHome>,
    concluder: &dyn Concluder,
) {
    for p in plugins {
        let found = p.installed(tree);
        apply(inv, found, tree, "", concluder);
    }
    if let Some(home) = home {
        for p in plugins {
            for cache in p.package_caches(home) {
                if !cache.dir.is_dir() {
                    continue;
                }
                let wanted: Vec<Component> = inv
                    .components
                    .iter()
                    .filter(|c| c.concluded_license.is_none() || c.declared_licenses.is_empty())
                    .cloned()
                    .collect();
                if wanted.is_empty() {
                    continue;
                }
                let refs: Vec<&Component> = wanted.iter().collect();
                let ctree = DiskTree::new(&cache.dir, Vec::new());
                let found = p.cached(&ctree, &refs);
                apply(inv, found, &ctree, &cache.label, concluder);
            }
        }
    }
    inv.diagnostics.sort();
    inv.diagnostics.dedup();
}

/// A purl without qualifiers and subpath: installed copies carry neither.
fn base(purl: &str) -> &str {
    purl.split(['?', '#']).next().unwrap_or(purl)
}

fn labelled(label: &str, path: &str) -> String {
    if label.is_empty() { path.to_string() } else { format!("{label}/{path}") }
}

fn apply(inv: &mut Inventory, found: Installed, tree: &dyn SourceTree, label: &str, concluder: &dyn Concluder) {
    inv.diagnostics.extend(found.diagnostics.into_iter().map(|mut d| {
        d.location.file = labelled(label, &d.location.file);
        d
    }));
    let mut by_base: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, c) in inv.components.iter().enumerate() {
        by_base.entry(base(&c.purl).to_string()).or_default().push(i);
    }
    let mut packages = found.packages;
    packages.truncate(MAX_PACKAGES);
    // The shallowest copy first: the one a resolver would pick.
    packages.sort_by(|a, b| {
        (&a.purl, a.dir.matches('/').count(), &a.dir).cmp(&(&b.purl, b.dir.matches('/').count(), &b.dir))
    });
    let mut declared: Vec<(usize, DeclaredLicense)> = Vec::new();
    let mut jobs: BTreeMap<usize, &InstalledPackage> = BTreeMap::new();
    for pkg in &packages {
        for &i in by_base.get(base(&pkg.purl)).into_iter().flatten() {
            for d in &pkg.declared {
                let mut d = d.clone();
                d.expression = Some(license::normalize(&d.raw).expression);
                if let Some(s) = &mut d.source {
                    s.file = labelled(label, &s.file);
                }
                declared.push((i, d));
            }
            if inv.components[i].concluded_license.is_none() && !pkg.license_files.is_empty() {
                jobs.entry(i).or_insert(pkg);
            }
            inv.components[i]
                .properties
                .entry("sovra:installed:path".into())
                .or_insert_with(|| labelled(label, &pkg.dir));
        }
    }
    for (i, d) in declared {
        let c = &mut inv.components[i];
        if !c.declared_licenses.iter().any(|e| e.raw == d.raw) {
            c.declared_licenses.push(d);
        }
    }
    let jobs: Vec<(usize, &InstalledPackage)> = jobs.into_iter().collect();
    let concluded: Vec<(usize, Option<ConcludedLicense>)> = jobs
        .par_iter()
        .map(|(i, pkg)| (*i, conclude(tree, &pkg.license_files, &inv.components[*i].declared_licenses, concluder)))
        .collect();
    for (i, concl) in concluded {
        let Some(mut concl) = concl else { continue };
        concl.source.file = labelled(label, &concl.source.file);
        let c = &mut inv.components[i];
        c.declared_licenses.sort();
        if let Some(d) = disagreement(c, &concl) {
            inv.diagnostics.push(d);
        }
        inv.components[i].concluded_license = Some(concl);
    }
}

fn is_assertion(expression: &str) -> bool {
    !matches!(expression, "NONE" | "NOASSERTION" | "")
}

/// The licence the files grant together. Files that name no licence are
/// left out; when none names one, the result is `NOASSERTION` (there is a
/// licence file, and it is not one Sovra recognises). Several licences
/// make an `AND`, unless a declared expression names exactly the same
/// licences: then the files confirm it, and its `OR` is kept.
fn conclude(
    tree: &dyn SourceTree,
    files: &[String],
    declared: &[DeclaredLicense],
    concluder: &dyn Concluder,
) -> Option<ConcludedLicense> {
    let mut found: Vec<(String, Conclusion)> = Vec::new();
    for f in files.iter().take(MAX_LICENSE_FILES) {
        let Ok(mut bytes) = tree.read(f) else { continue };
        bytes.truncate(MAX_LICENSE_BYTES as usize);
        found.push((f.clone(), concluder.conclude(&bytes)));
    }
    let first = found.first()?.0.clone();
    let real: Vec<&(String, Conclusion)> = found.iter().filter(|(_, c)| is_assertion(&c.expression)).collect();
    let Some((source, _)) = real.first() else {
        return Some(ConcludedLicense {
            expression: "NOASSERTION".into(),
            confidence: 0.0,
            source: Location::new(first, None),
        });
    };
    let confidence = real.iter().map(|(_, c)| c.confidence).fold(1.0f32, f32::min);
    let mut parts: Vec<&str> = Vec::new();
    for (_, c) in &real {
        if !parts.contains(&c.expression.as_str()) {
            parts.push(&c.expression);
        }
    }
    let texts = ids(&parts.join(" AND "));
    let expression = declared
        .iter()
        .filter_map(|d| d.expression.clone())
        .find(|e| is_assertion(e) && ids(e) == texts)
        .unwrap_or_else(|| match parts.as_slice() {
            [one] => one.to_string(),
            many => many
                .iter()
                .map(|p| if p.contains(' ') { format!("({p})") } else { p.to_string() })
                .collect::<Vec<_>>()
                .join(" AND "),
        });
    Some(ConcludedLicense { expression, confidence, source: Location::new(source.clone(), None) })
}

/// The licences and exceptions an expression names, [`folded`].
fn ids(expression: &str) -> BTreeSet<String> {
    expression
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|t| !t.is_empty() && !matches!(*t, "AND" | "OR" | "WITH"))
        .map(folded)
        .collect()
}

/// A licence id with `-only`, `-or-later` and `+` folded: a GNU licence text
/// is the same for both, the choice is made in a notice the licence file
/// rarely holds.
fn folded(id: &str) -> String {
    let t = id.trim_end_matches('+');
    t.strip_suffix("-only").or_else(|| t.strip_suffix("-or-later")).unwrap_or(t).to_string()
}

/// Licences whose text holds another's whole, and the one it holds: the
/// Python licence stack opens with the PSF licence agreement, which is what
/// projects shipping the stack declare (typing_extensions: `PSF-2.0`).
const HOLDS: &[(&str, &str)] = &[("Python-2.0", "PSF-2.0"), ("Python-2.0.1", "PSF-2.0")];

/// Whether the declared licence ids meet what a licence text grants: every
/// licence of an `AND`, one side of an `OR`. A text offering a choice of
/// which the metadata names one contradicts nothing.
fn met_by(expression: &str, declared: &BTreeSet<String>) -> bool {
    let known = |id: &str| {
        let id = folded(id);
        declared.contains(&id) || HOLDS.iter().any(|(text, part)| *text == id && declared.contains(*part))
    };
    match spdx::Expression::parse_mode(expression, spdx::ParseMode::LAX) {
        Ok(e) => {
            e.evaluate(|r| known(&r.license.to_string()) && r.addition.as_ref().is_none_or(|a| known(&a.to_string())))
        }
        Err(_) => ids(expression).iter().all(|id| known(id)),
    }
}

/// The `license::disagreement` warning when the licence text grants a
/// licence the metadata does not declare (compared as sets of licence ids).
fn disagreement(c: &Component, concluded: &ConcludedLicense) -> Option<Diagnostic> {
    if !is_assertion(&concluded.expression) {
        return None;
    }
    let stated: Vec<&DeclaredLicense> =
        c.declared_licenses.iter().filter(|d| d.expression.as_deref().is_some_and(is_assertion)).collect();
    let declared_ids: BTreeSet<String> = stated.iter().filter_map(|d| d.expression.as_deref()).flat_map(ids).collect();
    // A text granting less than declared is common (a dual-licensed crate
    // shipping one of its two texts) and contradicts nothing; a text
    // granting a licence the metadata never names does.
    if stated.is_empty() || met_by(&concluded.expression, &declared_ids) {
        return None;
    }
    let list: Vec<String> = stated
        .iter()
        .map(|d| match &d.source {
            Some(s) => format!("`{}` ({})", d.expression.as_deref().unwrap_or(&d.raw), s.file),
            None => format!("`{}`", d.expression.as_deref().unwrap_or(&d.raw)),
        })
        .collect();
    Some(Diagnostic::warning(
        "license::disagreement",
        concluded.source.clone(),
        format!(
            "{}@{}: the metadata declares {}, but the licence text grants `{}`",
            c.display_name(),
            c.version,
            list.join(", "),
            concluded.expression
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Ecosystem;
    use crate::plugin::MemoryTree;

    /// Reads a licence text as the expression it holds (`MIT`), so these
    /// tests do not depend on the real detector.
    struct Literal;
    impl Concluder for Literal {
        fn conclude(&self, text: &[u8]) -> Conclusion {
            let t = String::from_utf8_lossy(text).trim().to_string();
            let expression = if t.is_empty() { "NONE".into() } else { t };
            Conclusion { expression, confidence: 0.9, matched: Vec::new() }
        }
    }

    struct Fixed(Vec<InstalledPackage>);
    impl Plugin for Fixed {
        fn id(&self) -> &'static str {
            "fixed"
        }
        fn claims(&self, _: &str) -> bool {
            false
        }
        fn units(&self, _: &[String], _: &dyn SourceTree) -> Vec<crate::Unit> {
            Vec::new()
        }
        fn parse(&self, _: &crate::Unit, _: &dyn SourceTree) -> crate::Parsed {
            crate::Parsed::default()
        }
        fn installed(&self, _: &dyn SourceTree) -> Installed {
            Installed { packages: self.0.clone(), diagnostics: Vec::new() }
        }
    }

    fn inventory(declared: &[&str]) -> Inventory {
        let mut c = Component::new(Ecosystem::Npm, None, "a", "1.0.0");
        c.declared_licenses = declared.iter().map(|r| DeclaredLicense::raw(*r)).collect();
        license::normalize_component(&mut c);
        let mut vcs = Component::new(Ecosystem::Npm, None, "b", "2.0.0");
        vcs.purl.push_str("?vcs_url=git%2Bhttps://x");
        Inventory { components: vec![c, vcs], ..Inventory::default() }
    }

    fn pkg(purl: &str, dir: &str, declared_raw: &[&str], files: &[&str]) -> InstalledPackage {
        InstalledPackage {
            purl: purl.into(),
            dir: dir.into(),
            declared: declared_raw.iter().map(|r| declared(r, &format!("{dir}/package.json"), Some(3))).collect(),
            license_files: files.iter().map(|f| f.to_string()).collect(),
        }
    }

    fn run(inv: &mut Inventory, tree: &MemoryTree, pkgs: Vec<InstalledPackage>) {
        attach(inv, tree, &[&Fixed(pkgs)], None, &Literal);
    }

    #[test]
    fn declared_and_concluded_are_attached_by_purl_without_qualifiers() {
        let tree = MemoryTree::new([("m/a/LICENSE", "MIT"), ("m/b/COPYING", "ISC")]);
        let mut inv = inventory(&[]);
        run(
            &mut inv,
            &tree,
            vec![
                pkg("pkg:npm/a@1.0.0", "m/a", &["MIT"], &["m/a/LICENSE"]),
                pkg("pkg:npm/b@2.0.0", "m/b", &[], &["m/b/COPYING"]),
                pkg("pkg:npm/unused@1.0.0", "m/u", &["GPL-3.0"], &[]),
            ],
        );
        let a = &inv.components[0];
        assert_eq!(a.declared_licenses.len(), 1);
        assert_eq!(a.declared_licenses[0].expression.as_deref(), Some("MIT"));
        assert_eq!(a.declared_licenses[0].source, Some(Location::new("m/a/package.json", Some(3))));
        let concl = a.concluded_license.as_ref().unwrap();
        assert_eq!((concl.expression.as_str(), concl.source.file.as_str()), ("MIT", "m/a/LICENSE"));
        assert_eq!(a.properties.get("sovra:installed:path").map(String::as_str), Some("m/a"));
        assert_eq!(inv.components[1].concluded_license.as_ref().unwrap().expression, "ISC");
        assert_eq!(inv.components.len(), 2, "installed packages never become components");
        assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    }

    #[test]
    fn differing_text_is_a_disagreement() {
        let tree = MemoryTree::new([("m/a/LICENSE", "ISC")]);
        let mut inv = inventory(&["MIT"]);
        run(&mut inv, &tree, vec![pkg("pkg:npm/a@1.0.0", "m/a", &["MIT"], &["m/a/LICENSE"])]);
        assert_eq!(inv.components[0].concluded_license.as_ref().unwrap().expression, "ISC");
        let d: Vec<_> = inv.diagnostics.iter().filter(|d| d.code == "license::disagreement").collect();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].location.file, "m/a/LICENSE");
        assert!(d[0].message.contains("`MIT`") && d[0].message.contains("`ISC`"), "{}", d[0].message);
    }

    #[test]
    fn dual_licence_files_confirm_the_declared_choice() {
        let tree = MemoryTree::new([("v/a/LICENSE-APACHE", "Apache-2.0"), ("v/a/LICENSE-MIT", "MIT")]);
        let mut inv = inventory(&["MIT OR Apache-2.0"]);
        run(&mut inv, &tree, vec![pkg("pkg:npm/a@1.0.0", "v/a", &[], &["v/a/LICENSE-APACHE", "v/a/LICENSE-MIT"])]);
        assert_eq!(inv.components[0].concluded_license.as_ref().unwrap().expression, "MIT OR Apache-2.0");
        assert!(inv.diagnostics.is_empty());
        // Without a declaration, two texts are both granted.
        let mut inv = inventory(&[]);
        run(&mut inv, &tree, vec![pkg("pkg:npm/a@1.0.0", "v/a", &[], &["v/a/LICENSE-APACHE", "v/a/LICENSE-MIT"])]);
        assert_eq!(inv.components[0].concluded_license.as_ref().unwrap().expression, "Apache-2.0 AND MIT");
        // One of two offered texts: incomplete, not contradictory.
        let mut inv = inventory(&["MIT OR Apache-2.0"]);
        run(&mut inv, &tree, vec![pkg("pkg:npm/a@1.0.0", "v/a", &[], &["v/a/LICENSE-MIT"])]);
        assert_eq!(inv.components[0].concluded_license.as_ref().unwrap().expression, "MIT");
        assert!(inv.diagnostics.is_empty());
    }

    #[test]
    fn gnu_only_and_or_later_do_not_disagree_and_unknown_text_is_noassertion() {
        let tree = MemoryTree::new([("a/COPYING", "GPL-2.0-only"), ("b/LICENSE", "NOASSERTION")]);
        let mut inv = inventory(&["GPL-2.0+"]);
        run(&mut inv, &tree, vec![pkg("pkg:npm/a@1.0.0", "a", &[], &["a/COPYING"])]);
        assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
        let mut inv = inventory(&["MIT"]);
        run(&mut inv, &tree, vec![pkg("pkg:npm/a@1.0.0", "b", &[], &["b/LICENSE", "b/missing"])]);
        let concl = inv.components[0].concluded_license.as_ref().unwrap();
        assert_eq!((concl.expression.as_str(), concl.confidence), ("NOASSERTION", 0.0));
        assert!(inv.diagnostics.is_empty(), "an unrecognised text is no disagreement");
    }

    #[test]
    fn a_choice_the_metadata_makes_and_a_stack_it_names_agree() {
        let tree = MemoryTree::new([("p/LICENSE", "Python-2.0.1 OR 0BSD"), ("q/LICENSE", "(MIT OR ISC) AND Zlib")]);
        let warnings = |declared: &[&str], dir: &str| {
            let mut inv = inventory(declared);
            run(&mut inv, &tree, vec![pkg("pkg:npm/a@1.0.0", dir, &[], &[&format!("{dir}/LICENSE")])]);
            inv.diagnostics.len()
        };
        // Shaped like typing_extensions: the Python licence stack, whose
        // documentation part offers 0BSD too, declared as `PSF-2.0`.
        assert_eq!(warnings(&["PSF-2.0"], "p"), 0);
        // One side of an OR is enough; every licence of an AND is needed.
        assert_eq!(warnings(&["ISC AND Zlib"], "q"), 0);
        assert_eq!(warnings(&["ISC"], "q"), 1);
    }

    #[test]
    fn shallowest_copy_wins_and_existing_conclusions_stay() {
        let tree = MemoryTree::new([("n/x/n/a/LICENSE", "ISC"), ("n/a/LICENSE", "MIT")]);
        let mut inv = inventory(&[]);
        run(
            &mut inv,
            &tree,
            vec![
                pkg("pkg:npm/a@1.0.0", "n/x/n/a", &[], &["n/x/n/a/LICENSE"]),
                pkg("pkg:npm/a@1.0.0", "n/a", &[], &["n/a/LICENSE"]),
            ],
        );
        assert_eq!(inv.components[0].concluded_license.as_ref().unwrap().expression, "MIT");
        run(&mut inv, &tree, vec![pkg("pkg:npm/a@1.0.0", "n/x/n/a", &[], &["n/x/n/a/LICENSE"])]);
        assert_eq!(inv.components[0].concluded_license.as_ref().unwrap().expression, "MIT");
    }

    #[test]
    fn licence_file_names_and_listing() {
        for yes in [
            "LICENSE",
            "LICENSE.md",
            "licence.txt",
            "COPYING",
            "COPYING.LIB",
            "UNLICENSE",
            "MIT-LICENSE",
            "LICENSE-APACHE",
            "foo.LICENSE",
        ] {
            assert!(is_license_file(yes), "{yes}");
        }
        for no in ["license.js", "license.json", "README.md", "NOTICE", "Cargo.toml", "index.js"] {
            assert!(!is_license_file(no), "{no}");
        }
        let tree = MemoryTree::new([
            ("p/LICENSE", ""),
            ("p/index.js", ""),
            ("p/licenses/AUTHORS.txt", ""),
            ("p/licenses/x/deep", ""),
            ("p/sub/LICENSE", ""),
        ]);
        assert_eq!(license_files(&tree, "p"), ["p/LICENSE", "p/licenses/AUTHORS.txt"]);
    }

    #[test]
    fn cache_locations_follow_variables() {
        let mut home = CacheHome { home: PathBuf::from("/h"), vars: BTreeMap::new() };
        let c = home.cache(Some("CARGO_HOME"), ".cargo", "registry/src");
        assert_eq!((c.dir, c.label.as_str()), (PathBuf::from("/h/.cargo/registry/src"), "~/.cargo/registry/src"));
        home.vars.insert("CARGO_HOME".into(), PathBuf::from("/c"));
        let c = home.cache(Some("CARGO_HOME"), ".cargo", "registry/src");
        assert_eq!((c.dir, c.label.as_str()), (PathBuf::from("/c/registry/src"), "$CARGO_HOME/registry/src"));
    }
}
