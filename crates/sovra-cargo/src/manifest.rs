//! `Cargo.toml`: the package's own metadata, its `[workspace]` declaration
//! and its dependency declarations, with `workspace = true` inheritance
//! resolved against the workspace root's `[workspace.package]` and
//! `[workspace.dependencies]`.

use sovra_core::plugin::{join_rel, line_of, parent_dir};
use sovra_core::{Diagnostic, Location};

/// The dependency tables of a manifest and what each means for scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DepKind {
    Normal,
    Build,
    Dev,
}

const DEP_TABLES: [(&str, DepKind); 5] = [
    ("dependencies", DepKind::Normal),
    ("build-dependencies", DepKind::Build),
    ("dev-dependencies", DepKind::Dev),
    // Spellings cargo still accepts from before 2018.
    ("build_dependencies", DepKind::Build),
    ("dev_dependencies", DepKind::Dev),
];

/// One entry of a dependency table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepDecl {
    /// The real package name (`package = "..."` when the key renames it).
    pub name: String,
    pub kind: DepKind,
    pub optional: bool,
    /// The manifest of a path dependency, relative to the scanned root.
    pub path_manifest: Option<String>,
}

/// A package's own metadata after inheritance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackageMeta {
    pub name: String,
    pub version: String,
    pub license: Option<String>,
    pub license_file: Option<String>,
    pub authors: Vec<String>,
    pub repository: Option<String>,
    pub homepage: Option<String>,
    pub description: Option<String>,
}

/// A parsed `Cargo.toml`.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// Relative to the scanned root.
    pub path: String,
    table: toml::Table,
    /// Line of the `[package]` header.
    pub package_line: Option<u32>,
}

impl Manifest {
    pub fn parse(text: &str, path: &str) -> Result<Manifest, Diagnostic> {
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            Diagnostic::error(
                "cargo::manifest-parse",
                Location::new(path, e.span().map(|s| line_of(text, s.start))),
                format!("not a valid Cargo.toml: {}", e.message().trim()),
            )
        })?;
        let package_line =
            text.lines().position(|l| matches!(l.trim(), "[package]" | "[project]")).map(|i| i as u32 + 1);
        Ok(Manifest { path: path.to_string(), table, package_line })
    }

    pub fn dir(&self) -> &str {
        parent_dir(&self.path)
    }

    pub fn location(&self) -> Location {
        Location::new(&self.path, self.package_line)
    }

    fn package_table(&self) -> Option<&toml::Table> {
        // `[project]` is the pre-1.0 name of `[package]`.
        self.table.get("package").or_else(|| self.table.get("project")).and_then(|v| v.as_table())
    }

    fn workspace_table(&self) -> Option<&toml::Table> {
        self.table.get("workspace").and_then(|v| v.as_table())
    }

    pub fn has_package(&self) -> bool {
        self.package_table().is_some()
    }

    pub fn is_workspace_root(&self) -> bool {
        self.workspace_table().is_some()
    }

    /// `package.workspace`: an explicit path to the workspace root's directory.
    pub fn explicit_workspace(&self) -> Option<&str> {
        self.package_table()?.get("workspace")?.as_str()
    }

    /// `workspace.members` and `workspace.exclude`, as written.
    pub fn members_and_excludes(&self) -> (Vec<String>, Vec<String>) {
        let list = |key: &str| -> Vec<String> {
            self.workspace_table()
                .and_then(|w| w.get(key))
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
                .unwrap_or_default()
        };
        (list("members"), list("exclude"))
    }

    /// Whether `field` of `[package]` is `{ workspace = true }`.
    fn inherits(value: &toml::Value) -> bool {
        value.as_table().and_then(|t| t.get("workspace")).and_then(|w| w.as_bool()) == Some(true)
    }

    /// The package's metadata, `None` for a virtual manifest (no `[package]`)
    /// or one without a name. `ws` is the workspace root's manifest, if found.
    pub fn package(&self, ws: Option<&Manifest>, diags: &mut Vec<Diagnostic>) -> Option<PackageMeta> {
        let pkg = self.package_table()?;
        let Some(name) = pkg.get("name").and_then(|v| v.as_str()) else {
            diags.push(Diagnostic::error(
                "cargo::manifest-no-name",
                self.location(),
                "[package] has no `name`; the package is not reported",
            ));
            return None;
        };
        let ws_package = ws.and_then(|w| w.workspace_table()).and_then(|t| t.get("package")).and_then(|v| v.as_table());
        let mut field = |key: &str| -> Option<toml::Value> {
            let value = pkg.get(key)?;
            if !Self::inherits(value) {
                return Some(value.clone());
            }
            let inherited = ws_package.and_then(|t| t.get(key)).cloned();
            if inherited.is_none() {
                diags.push(Diagnostic::warning(
                    "cargo::inherit-unresolved",
                    self.location(),
                    format!("`{key}.workspace = true` but no [workspace.package] {key} was found"),
                ));
            }
            inherited
        };
        let string = |v: Option<toml::Value>| v.and_then(|v| v.as_str().map(|s| s.trim().to_string()));
        Some(PackageMeta {
            name: name.to_string(),
            // Since Rust 1.75 `version` may be left out and means 0.0.0.
            version: string(field("version")).unwrap_or_else(|| "0.0.0".to_string()),
            license: string(field("license")),
            license_file: string(field("license-file")),
            authors: field("authors")
                .and_then(|v| v.as_array().cloned())
                .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
                .unwrap_or_default(),
            repository: string(field("repository")),
            homepage: string(field("homepage")),
            description: string(field("description")),
        })
    }

    /// Manifests named by `path` in `[workspace.dependencies]`.
    pub fn workspace_path_dependencies(&self) -> Vec<String> {
        let deps = self.workspace_table().and_then(|w| w.get("dependencies")).and_then(|v| v.as_table());
        deps.into_iter().flat_map(|t| t.values()).filter_map(|d| path_manifest(self.dir(), d)).collect()
    }

    /// Every dependency declared in this manifest, target-specific tables included.
    pub fn dependencies(&self, ws: Option<&Manifest>, diags: &mut Vec<Diagnostic>) -> Vec<DepDecl> {
        let targets = self.table.get("target").and_then(|v| v.as_table());
        let holders = std::iter::once(&self.table)
            .chain(targets.into_iter().flat_map(|t| t.values().filter_map(|v| v.as_table())));
        let tables: Vec<(&toml::Table, DepKind)> = holders
            .flat_map(|h| DEP_TABLES.iter().filter_map(|(key, kind)| Some((h.get(*key)?.as_table()?, *kind))))
            .collect();
        let ws_deps =
            ws.and_then(|w| w.workspace_table()).and_then(|t| t.get("dependencies")).and_then(|v| v.as_table());
        let mut out = Vec::new();
        for (table, kind) in tables {
            for (key, value) in table {
                let optional = value.get("optional").and_then(|v| v.as_bool()) == Some(true);
                // Where `package` and `path` are read: the entry itself, or the
                // workspace's entry it inherits (whose paths are relative to the root).
                let (decl, base_dir) = if Self::inherits(value) {
                    match (ws, ws_deps.and_then(|d| d.get(key))) {
                        (Some(w), Some(d)) => (d, w.dir()),
                        _ => {
                            diags.push(Diagnostic::warning(
                                "cargo::inherit-unresolved",
                                Location::new(&self.path, None),
                                format!("dependency `{key}` has `workspace = true` but no [workspace.dependencies] entry was found"),
                            ));
                            (value, self.dir())
                        }
                    }
                } else {
                    (value, self.dir())
                };
                let name = decl.get("package").and_then(|v| v.as_str()).unwrap_or(key);
                let path_manifest = path_manifest(base_dir, decl);
                out.push(DepDecl { name: name.to_string(), kind, optional, path_manifest });
            }
        }
        out
    }
}

/// The manifest a dependency entry's `path` points to (relative to `base_dir`).
fn path_manifest(base_dir: &str, decl: &toml::Value) -> Option<String> {
    let dir = join_rel(base_dir, decl.get("path")?.as_str()?)?;
    join_rel(&dir, "Cargo.toml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inheritance_and_renames() {
        let root = Manifest::parse(
            r#"
[workspace]
members = ["crates/*"]
[workspace.package]
version = "1.2.3"
license = "MIT OR Apache-2.0"
authors = ["A <a@example.org>"]
[workspace.dependencies]
serde = { version = "1", package = "serde_real" }
local = { path = "crates/local" }
"#,
            "Cargo.toml",
        )
        .unwrap();
        let member = Manifest::parse(
            r#"
[package]
name = "m"
version.workspace = true
license = { workspace = true }
authors.workspace = true
description = "own"
[dependencies]
serde = { workspace = true, optional = true }
local.workspace = true
[target.'cfg(unix)'.build-dependencies]
cc = "1"
[dev-dependencies]
pretty = { version = "1", package = "pretty_assertions" }
"#,
            "crates/m/Cargo.toml",
        )
        .unwrap();
        let mut diags = Vec::new();
        let meta = member.package(Some(&root), &mut diags).unwrap();
        assert_eq!(meta.version, "1.2.3");
        assert_eq!(meta.license.as_deref(), Some("MIT OR Apache-2.0"));
        assert_eq!(meta.authors, vec!["A <a@example.org>".to_string()]);
        assert_eq!(meta.description.as_deref(), Some("own"));
        let mut deps = member.dependencies(Some(&root), &mut diags);
        deps.sort_by(|a, b| a.name.cmp(&b.name));
        let summary: Vec<(&str, DepKind, bool, Option<&str>)> =
            deps.iter().map(|d| (d.name.as_str(), d.kind, d.optional, d.path_manifest.as_deref())).collect();
        assert_eq!(
            summary,
            vec![
                ("cc", DepKind::Build, false, None),
                ("local", DepKind::Normal, false, Some("crates/local/Cargo.toml")),
                ("pretty_assertions", DepKind::Dev, false, None),
                ("serde_real", DepKind::Normal, true, None),
            ]
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(root.workspace_path_dependencies(), vec!["crates/local/Cargo.toml".to_string()]);
    }

    #[test]
    fn inheritance_without_workspace_is_reported() {
        let m = Manifest::parse("[package]\nname = \"x\"\nversion.workspace = true\n", "x/Cargo.toml").unwrap();
        let mut diags = Vec::new();
        let meta = m.package(None, &mut diags).unwrap();
        assert_eq!(meta.version, "0.0.0");
        assert_eq!(diags[0].code, "cargo::inherit-unresolved");
        assert_eq!(diags[0].location.line, Some(1));
    }

    #[test]
    fn parse_error_has_line() {
        let e = Manifest::parse("[package]\nname = \"x\"\nversion = \n", "Cargo.toml").unwrap_err();
        assert_eq!((e.code.as_str(), e.location.line), ("cargo::manifest-parse", Some(3)));
    }
}
