/*!
Sovra plug-in for Go modules: go.mod, go.sum, go.work and go.work.sum.

These are small line-based formats with a documented grammar
(<https://go.dev/ref/mod>) and no maintained Rust parser, so they are parsed here:

* [`lex`] splits go.mod/go.work into directives (blocks, comments, quoting);
* [`modfile::parse_mod_file`] turns directives into a [`modfile::ModFile`]
  (`module`, `go`, `toolchain`, `require`, `replace`, `exclude`, `retract`,
  `tool`, `use`), reporting malformed lines;
* [`gosum::parse_go_sum`] reads checksum files into [`gosum::Sums`];
* [`build::resolve`] turns the [`build::Module`]s of a unit (one go.mod, or
  every module a go.work uses) into projects, components and edges: the build
  list after `replace`, with go.sum `h1:` checksums as properties;
* [`purl`] writes case-preserving `pkg:golang` purls.

[`GoPlugin`] groups files into units (a go.work with the modules it uses; each
other go.mod with its go.sum; a lone go.sum) and reads them through the
`SourceTree`; [`parse_module`] is the pure entry point for one module.
*/

pub mod build;
pub mod gosum;
pub mod installed;
pub mod lex;
pub mod modfile;
pub mod purl;

use std::collections::BTreeSet;

use sovra_core::plugin::{SourceTree, Unit, file_name, join_rel, parent_dir, read_text};
use sovra_core::{Diagnostic, Location, Parsed, Plugin};

use build::{Module, Workspace};
use gosum::{Sums, parse_go_sum};
use modfile::{FileKind, parse_mod_file};

const ID: &str = "go";

pub struct GoPlugin;

impl Plugin for GoPlugin {
    /// The module proxy serves `<version>.zip` under the case-escaped module path.
    fn distribution(&self, c: &sovra_core::Component) -> Option<(String, String)> {
        if c.ecosystem != Some(sovra_core::Ecosystem::Golang) {
            return None;
        }
        let module = c.namespace.as_ref().map_or(c.name.clone(), |ns| format!("{ns}/{}", c.name));
        Some((format!("{}.zip", c.version), purl::proxy_zip_url(&module, &c.version)))
    }

    fn id(&self) -> &'static str {
        ID
    }

    fn claims(&self, path: &str) -> bool {
        matches!(file_name(path), "go.mod" | "go.sum" | "go.work" | "go.work.sum")
    }

    fn units(&self, claimed: &[String], tree: &dyn SourceTree) -> Vec<Unit> {
        let has = |p: &str| claimed.iter().any(|c| c == p);
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let mut units = Vec::new();
        for work in claimed.iter().filter(|p| file_name(p) == "go.work") {
            let mut unit = Unit::new(work.clone(), "go.work");
            // An unreadable go.work still becomes a unit, so that parse reports why.
            if let Ok(text) = read_text(tree, work, ID) {
                let (file, _) = parse_mod_file(&text, work, FileKind::GoWork);
                for (dir, _) in &file.uses {
                    let Some(d) = join_rel(parent_dir(work), dir) else {
                        continue;
                    };
                    for name in ["go.mod", "go.sum"] {
                        let p = in_dir(&d, name);
                        if has(&p) {
                            taken.insert(p.clone());
                            unit.related.push(p);
                        }
                    }
                }
            }
            let ws = sibling(work, "go.work.sum");
            if has(&ws) {
                taken.insert(ws.clone());
                unit.related.push(ws);
            }
            units.push(unit);
        }
        for gomod in claimed.iter().filter(|p| file_name(p) == "go.mod") {
            if taken.contains(gomod) {
                continue;
            }
            let mut unit = Unit::new(gomod.clone(), "go.mod");
            let sum = sibling(gomod, "go.sum");
            if has(&sum) {
                taken.insert(sum.clone());
                unit.related.push(sum);
            }
            units.push(unit);
        }
        for sum in claimed.iter().filter(|p| matches!(file_name(p), "go.sum" | "go.work.sum")) {
            if !taken.contains(sum) {
                units.push(Unit::new(sum.clone(), "go.sum"));
            }
        }
        units.sort();
        units
    }

    fn parse(&self, unit: &Unit, tree: &dyn SourceTree) -> Parsed {
        let mut files = Vec::new();
        let mut parsed = match unit.kind {
            "go.work" => read_workspace(&unit.primary, tree, &mut files),
            "go.sum" => {
                let mut diags = Vec::new();
                let p = read_sums(&unit.primary, tree, &mut diags, &mut files)
                    .map(|(path, sums)| build::from_sum_only(&path, &sums))
                    .unwrap_or_default();
                with_diagnostics(p, diags)
            }
            _ => {
                let mut diags = Vec::new();
                let module = read_module(&unit.primary, tree, &mut diags, &mut files);
                with_diagnostics(build::resolve(module.as_slice(), None), diags)
            }
        };
        parsed.files = files;
        parsed
    }

    fn installed(&self, tree: &dyn SourceTree) -> sovra_core::installed::Installed {
        installed::installed(tree, &sovra_core::installed::manifest_dirs(tree, |f| file_name(f) == "go.mod"))
    }
}

/// `name` in the directory of `path`.
fn sibling(path: &str, name: &str) -> String {
    in_dir(parent_dir(path), name)
}

/// `name` in the (relative, possibly empty) directory `dir`.
fn in_dir(dir: &str, name: &str) -> String {
    if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") }
}

fn with_diagnostics(mut p: Parsed, mut diags: Vec<Diagnostic>) -> Parsed {
    diags.append(&mut p.diagnostics);
    p.diagnostics = diags;
    p
}

fn read_file(
    path: &str,
    tree: &dyn SourceTree,
    diags: &mut Vec<Diagnostic>,
    files: &mut Vec<String>,
) -> Option<String> {
    files.push(path.to_string());
    read_text(tree, path, ID).map_err(|d| diags.push(d)).ok()
}

/// A checksum file beside `gomod_or_work`, if there is one. An empty go.sum is
/// valid (a module without dependencies) and yields no entries.
fn read_sums(
    path: &str,
    tree: &dyn SourceTree,
    diags: &mut Vec<Diagnostic>,
    files: &mut Vec<String>,
) -> Option<(String, Sums)> {
    if !tree.exists(path) {
        return None;
    }
    files.push(path.to_string());
    match read_text(tree, path, ID) {
        Ok(text) => {
            let (sums, d) = parse_go_sum(&text, path);
            diags.extend(d);
            Some((path.to_string(), sums))
        }
        Err(d) if d.code.ends_with("::empty") => Some((path.to_string(), Sums::new())),
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// A go.mod and the go.sum beside it; `None` (with a diagnostic) if go.mod cannot be read.
fn read_module(
    gomod: &str,
    tree: &dyn SourceTree,
    diags: &mut Vec<Diagnostic>,
    files: &mut Vec<String>,
) -> Option<Module> {
    let text = read_file(gomod, tree, diags, files)?;
    let (file, d) = parse_mod_file(&text, gomod, FileKind::GoMod);
    diags.extend(d);
    let sum = read_sums(&sibling(gomod, "go.sum"), tree, diags, files);
    Some(Module { gomod_path: gomod.to_string(), file, sum })
}

fn read_workspace(work: &str, tree: &dyn SourceTree, files: &mut Vec<String>) -> Parsed {
    let mut diags = Vec::new();
    let Some(text) = read_file(work, tree, &mut diags, files) else {
        return with_diagnostics(Parsed::default(), diags);
    };
    let (file, d) = parse_mod_file(&text, work, FileKind::GoWork);
    diags.extend(d);
    let mut modules = Vec::new();
    for (dir, line) in &file.uses {
        match join_rel(parent_dir(work), dir).map(|d| in_dir(&d, "go.mod")) {
            Some(g) if tree.exists(&g) => modules.extend(read_module(&g, tree, &mut diags, files)),
            other => diags.push(Diagnostic::error(
                "go::missing-module",
                Location::new(work, Some(*line)),
                format!("`use {dir}`: no go.mod at {}", other.as_deref().unwrap_or("a path outside the scanned tree")),
            )),
        }
    }
    let sum = read_sums(&sibling(work, "go.work.sum"), tree, &mut diags, files);
    let ws = Workspace { path: work.to_string(), file, sum };
    with_diagnostics(build::resolve(&modules, Some(&ws)), diags)
}

/// Parse one module from its go.mod text and, if given, its go.sum text.
pub fn parse_module(gomod: &str, gomod_path: &str, gosum: Option<&str>) -> Parsed {
    let (file, mut diags) = parse_mod_file(gomod, gomod_path, FileKind::GoMod);
    let sum = gosum.map(|text| {
        let path = sibling(gomod_path, "go.sum");
        let (sums, d) = parse_go_sum(text, &path);
        diags.extend(d);
        (path, sums)
    });
    let module = Module { gomod_path: gomod_path.to_string(), file, sum };
    with_diagnostics(build::resolve(&[module], None), diags)
}
