//! Packages installed in `node_modules`, read for their licences.
//!
//! npm and yarn classic hoist packages into `node_modules/<name>` and
//! `node_modules/@scope/<name>`, and nest a package's own conflicting
//! versions in `<package>/node_modules`; pnpm keeps the real folders in
//! `node_modules/.pnpm/<id>/node_modules/<name>` and links them elsewhere.
//! Links are never followed, so every real folder is read once. Each
//! package's `package.json` gives its name, version and `license` (or the
//! legacy `licenses` list); its licence files lie beside it.

use sovra_core::installed::{Installed, InstalledPackage, MAX_PACKAGES, declared, license_files};
use sovra_core::json_pos::find_member;
use sovra_core::plugin::{SourceTree, read_text};

use crate::common::{ID, component, declared_license, is_package_name, warning};

/// Nesting of `node_modules` folders followed. npm nests a few levels at
/// most; the bound stops a pathological tree.
const MAX_NESTING: usize = 16;

/// Every package installed under the `node_modules` of each directory in `dirs`.
pub fn installed(tree: &dyn SourceTree, dirs: &[String]) -> Installed {
    let mut out = Installed::default();
    for d in dirs {
        walk(tree, &join(d, "node_modules"), 0, &mut out);
    }
    out
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") }
}

fn walk(tree: &dyn SourceTree, node_modules: &str, depth: usize, out: &mut Installed) {
    if depth > MAX_NESTING {
        return;
    }
    for e in tree.list_dir(node_modules).into_iter().filter(|e| e.is_dir) {
        if out.packages.len() >= MAX_PACKAGES {
            return;
        }
        let dir = join(node_modules, &e.name);
        if e.name == ".pnpm" {
            for id in tree.list_dir(&dir).into_iter().filter(|e| e.is_dir) {
                walk(tree, &join(&join(&dir, &id.name), "node_modules"), depth + 1, out);
            }
        } else if e.name.starts_with('@') {
            for p in tree.list_dir(&dir).into_iter().filter(|e| e.is_dir) {
                package(tree, &join(&dir, &p.name), depth, out);
            }
        } else if !e.name.starts_with('.') {
            // `.bin`, `.cache` and other tool folders hold no packages.
            package(tree, &dir, depth, out);
        }
    }
}

fn package(tree: &dyn SourceTree, dir: &str, depth: usize, out: &mut Installed) {
    let manifest = join(dir, "package.json");
    if tree.exists(&manifest) {
        match read_package(tree, dir, &manifest) {
            Ok(Some(p)) => out.packages.push(p),
            Ok(None) => {}
            Err(d) => out.diagnostics.push(d),
        }
    }
    walk(tree, &join(dir, "node_modules"), depth + 1, out);
}

/// One installed package; `None` for a folder without name or version
/// (npm leaves such stubs for failed installs).
fn read_package(
    tree: &dyn SourceTree,
    dir: &str,
    manifest: &str,
) -> Result<Option<InstalledPackage>, sovra_core::Diagnostic> {
    let text = read_text(tree, manifest, ID)?;
    // Warnings, not errors: an installed package is no input of the scan.
    let broken = |what: &str, msg: String| warning(what, manifest, None, msg);
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| broken("installed-manifest", format!("installed package.json is not valid JSON: {e}")))?;
    let Some(obj) = value.as_object() else {
        return Err(broken("installed-manifest", "installed package.json is not a JSON object".into()));
    };
    let field = |k: &str| obj.get(k).and_then(|v| v.as_str()).map(str::trim).filter(|s| !s.is_empty());
    let (Some(name), Some(version)) = (field("name"), field("version")) else { return Ok(None) };
    if !is_package_name(name) {
        return Ok(None);
    }
    let mut p = InstalledPackage {
        purl: component(name, version).purl,
        dir: dir.to_string(),
        license_files: license_files(tree, dir),
        ..InstalledPackage::default()
    };
    for key in ["license", "licenses"] {
        if let Some(d) = obj.get(key).and_then(declared_license) {
            let line = find_member(&text, 0, key, "").map(|at| sovra_core::plugin::line_of(&text, at));
            p.declared.push(declared(&d.raw, manifest, line));
            break;
        }
    }
    Ok(Some(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sovra_core::plugin::MemoryTree;

    fn tree() -> MemoryTree {
        MemoryTree::new([
            ("package.json", r#"{"name":"app"}"#),
            ("node_modules/a/package.json", "{\"name\":\"a\",\n\"version\":\"1.0.0\",\n\"license\":\"MIT\"}"),
            ("node_modules/a/LICENSE", "MIT"),
            (
                "node_modules/a/node_modules/b/package.json",
                r#"{"name":"b","version":"2.0.0","licenses":[{"type":"MIT"},{"type":"Apache-2.0"}]}"#,
            ),
            (
                "node_modules/@s/c/package.json",
                r#"{"name":"@s/c","version":"3.0.0","license":{"type":"ISC","url":"x"}}"#,
            ),
            ("node_modules/@s/c/LICENCE.md", "ISC"),
            ("node_modules/.bin/x/package.json", r#"{"name":"x","version":"1.0.0"}"#),
            (
                "node_modules/.pnpm/d@4.0.0/node_modules/d/package.json",
                r#"{"name":"d","version":"4.0.0","license":"BSD-3-Clause"}"#,
            ),
            ("node_modules/broken/package.json", "{\"name\":"),
            ("node_modules/array/package.json", "[1]"),
            ("node_modules/stub/package.json", r#"{"name":"stub"}"#),
            ("node_modules/bin/package.json", "\0\0"),
        ])
    }

    #[test]
    fn hoisted_nested_scoped_and_pnpm_packages() {
        let found = installed(&tree(), &[String::new()]);
        let summary: Vec<(String, String, Vec<String>, Vec<String>)> = found
            .packages
            .iter()
            .map(|p| {
                (
                    p.purl.clone(),
                    p.dir.clone(),
                    p.declared.iter().map(|d| d.raw.clone()).collect(),
                    p.license_files.clone(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "pkg:npm/d@4.0.0".into(),
                    "node_modules/.pnpm/d@4.0.0/node_modules/d".into(),
                    vec!["BSD-3-Clause".into()],
                    vec![]
                ),
                (
                    "pkg:npm/%40s/c@3.0.0".into(),
                    "node_modules/@s/c".into(),
                    vec!["ISC".into()],
                    vec!["node_modules/@s/c/LICENCE.md".into()]
                ),
                (
                    "pkg:npm/a@1.0.0".into(),
                    "node_modules/a".into(),
                    vec!["MIT".into()],
                    vec!["node_modules/a/LICENSE".into()]
                ),
                (
                    "pkg:npm/b@2.0.0".into(),
                    "node_modules/a/node_modules/b".into(),
                    vec!["MIT OR Apache-2.0".into()],
                    vec![]
                ),
            ]
        );
        let a = &found.packages[2].declared[0];
        assert_eq!(
            a.source.as_ref().map(|s| (s.file.as_str(), s.line)),
            Some(("node_modules/a/package.json", Some(3)))
        );
        let codes: Vec<(&str, &str)> =
            found.diagnostics.iter().map(|d| (d.code.as_str(), d.location.file.as_str())).collect();
        assert_eq!(
            codes,
            [
                ("npm::installed-manifest", "node_modules/array/package.json"),
                ("npm::binary", "node_modules/bin/package.json"),
                ("npm::installed-manifest", "node_modules/broken/package.json"),
            ]
        );
    }

    #[test]
    fn nothing_without_node_modules() {
        let tree = MemoryTree::new([("sub/package.json", "{}")]);
        assert_eq!(installed(&tree, &[String::new(), "sub".into()]), Installed::default());
    }
}
