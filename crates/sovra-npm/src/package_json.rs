//! package.json: the first-party side of every unit. A [`Manifest`] is what
//! one package.json says (name, metadata, declared dependencies, workspace
//! globs); a [`ProjectSet`] holds the manifests of one unit (the lockfile's
//! folder and its workspace members) as [`Project`]s, which the lockfile
//! parsers link their components to.

use std::collections::BTreeMap;

use serde_json::Value;
use sovra_core::plugin::{join_rel, parent_dir};
use sovra_core::{Component, Diagnostic, Location, Parsed, Project, Source};

use crate::common::{self, DepKind, declared_license, split_name};

/// One package.json.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Manifest {
    pub name: Option<String>,
    pub version: Option<String>,
    /// Declared dependencies by name; a name listed under several kinds keeps
    /// the strongest (a package in `dependencies` and `devDependencies` ships).
    pub deps: BTreeMap<String, (String, DepKind)>,
    /// `workspaces` globs (array form or `{packages: [...]}`).
    pub workspaces: Vec<String>,
    /// yarn `resolutions`: pattern (`name`, `name@range`, `parent/name`) -> range used instead.
    pub resolutions: BTreeMap<String, String>,
    pub component: Component,
}

impl Manifest {
    /// The range yarn `resolutions` force for `name@range` wanted by `parent`.
    pub fn resolution_for(&self, parent: Option<&str>, name: &str, range: &str) -> Option<&str> {
        let by_parent = parent.map(|p| format!("{p}/{name}"));
        [by_parent, Some(format!("{name}@{range}")), Some(name.to_string())]
            .into_iter()
            .flatten()
            .find_map(|k| self.resolutions.get(&k).map(String::as_str))
    }

    /// The kind under which `name` is declared, if it is.
    pub fn kind_of(&self, name: &str) -> Option<DepKind> {
        self.deps.get(name).map(|(_, k)| *k)
    }
}

/// Parse a package.json. A file that is not a JSON object is an error
/// diagnostic; wrongly typed fields are skipped with a warning.
pub fn parse_manifest(text: &str, path: &str) -> Result<(Manifest, Vec<Diagnostic>), Diagnostic> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        common::error("parse", path, Some(e.line() as u32), format!("package.json is not valid JSON: {e}"))
    })?;
    let Value::Object(obj) = value else {
        return Err(common::error("parse", path, Some(1), "package.json is not a JSON object"));
    };
    let mut diags = Vec::new();
    let str_field = |k: &str| obj.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let name = str_field("name").map(str::to_string);
    let version = str_field("version").map(str::to_string);

    let dir = parent_dir(path);
    let display = name.clone().unwrap_or_else(|| if dir.is_empty() { "root".into() } else { dir.to_string() });
    let (ns, base) = split_name(&display);
    let mut component = Component::new(sovra_core::Ecosystem::Npm, ns, base, version.as_deref().unwrap_or(""));
    component.scope = None;
    component.source = Source::Path { path: if dir.is_empty() { ".".into() } else { dir.to_string() } };
    component.locations.push(Location::new(path, Some(1)));
    component.description = str_field("description").map(str::to_string);
    component.homepage = str_field("homepage").map(str::to_string);
    component.repository_url = match obj.get("repository") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Object(r)) => r.get("url").and_then(Value::as_str).map(str::to_string),
        _ => None,
    };
    for key in ["author", "contributors", "maintainers"] {
        let people: Vec<&Value> = match obj.get(key) {
            Some(Value::Array(a)) => a.iter().collect(),
            Some(v) => vec![v],
            None => vec![],
        };
        component.authors.extend(people.into_iter().filter_map(person));
    }
    if let Some(l) = obj.get("license").or_else(|| obj.get("licenses")).and_then(declared_license) {
        component.declared_licenses.push(l);
    }

    let mut deps: BTreeMap<String, (String, DepKind)> = BTreeMap::new();
    for (field, kind) in [
        ("dependencies", DepKind::Prod),
        ("optionalDependencies", DepKind::Optional),
        ("peerDependencies", DepKind::Peer),
        ("devDependencies", DepKind::Dev),
    ] {
        match obj.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (dep, range) in m {
                    let range = range.as_str().unwrap_or_default().to_string();
                    let entry = deps.entry(dep.clone()).or_insert((range.clone(), kind));
                    // optionalDependencies override dependencies in npm; otherwise the strongest wins.
                    if kind < entry.1 || (kind == DepKind::Optional && entry.1 == DepKind::Prod) {
                        *entry = (range, kind);
                    }
                }
            }
            Some(_) => diags.push(common::warning(
                "wrong-type",
                path,
                None,
                format!("`{field}` is not an object; its entries are ignored"),
            )),
        }
    }
    let workspaces = match obj.get("workspaces") {
        None => Vec::new(),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        Some(Value::Object(o)) => o
            .get("packages")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default(),
        Some(_) => {
            diags.push(common::warning("wrong-type", path, None, "`workspaces` is neither a list nor an object"));
            Vec::new()
        }
    };
    let resolutions = match obj.get("resolutions") {
        Some(Value::Object(r)) => r
            .iter()
            .filter_map(|(k, v)| Some((k.trim_start_matches("**/").to_string(), v.as_str()?.to_string())))
            .collect(),
        _ => BTreeMap::new(),
    };
    Ok((Manifest { name, version, deps, workspaces, resolutions, component }, diags))
}

/// `"Name <mail> (url)"` or `{name, email}`.
fn person(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Object(o) => {
            let name = o.get("name")?.as_str()?;
            Some(match o.get("email").and_then(Value::as_str) {
                Some(mail) => format!("{name} <{mail}>"),
                None => name.to_string(),
            })
        }
        _ => None,
    }
}

/// The bom-ref of a first-party project: its purl when it has a name and a
/// version, else its manifest path (private workspace members often have no version).
pub fn project_ref(name: Option<&str>, version: Option<&str>, manifest: &str) -> String {
    match (name, version) {
        (Some(n), Some(v)) if common::is_package_name(n) => common::component(n, v).purl,
        _ => sovra_core::project_ref(manifest),
    }
}

/// A folder named relative to `base` (a workspace path, a `file:`/`link:`
/// target). A target outside the scanned tree keeps its `..` so that it
/// stays distinct from the folders inside.
pub fn local_path(base: &str, rel: &str) -> String {
    join_rel(base, rel).unwrap_or_else(|| {
        let joined = if base.is_empty() { rel.to_string() } else { format!("{base}/{rel}") };
        joined.trim_start_matches("./").to_string()
    })
}

/// A project that only the lockfile knows (its package.json is not in the tree).
pub fn lockfile_project(
    name: Option<&str>,
    version: Option<&str>,
    dir: &str,
    lockfile: &str,
    line: Option<u32>,
) -> Project {
    let manifest = join_rel(dir, "package.json").unwrap_or_else(|| "package.json".into());
    let display = name.unwrap_or(if dir.is_empty() { "root" } else { dir });
    let (ns, base) = split_name(display);
    let mut component = Component::new(sovra_core::Ecosystem::Npm, ns, base, version.unwrap_or(""));
    component.scope = None;
    component.source = Source::Path { path: if dir.is_empty() { ".".into() } else { dir.into() } };
    component.locations.push(Location::new(lockfile, line));
    Project { bom_ref: project_ref(name, version, &manifest), component, manifest: Location::new(manifest, Some(1)) }
}

/// A member of a unit: its project and what its package.json declares.
#[derive(Clone, Debug)]
pub struct Member {
    pub project: Project,
    pub manifest: Manifest,
}

/// The first-party projects of one unit, by folder (relative to the root).
#[derive(Clone, Debug, Default)]
pub struct ProjectSet {
    pub by_dir: BTreeMap<String, Member>,
    pub diagnostics: Vec<Diagnostic>,
    pub files: Vec<String>,
}

impl ProjectSet {
    /// Build from `(path, text)` pairs of package.json files.
    pub fn from_texts<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> ProjectSet {
        let mut set = ProjectSet::default();
        for (path, text) in files {
            set.add_text(path, text);
        }
        set
    }

    pub fn add_text(&mut self, path: &str, text: &str) {
        self.files.push(path.to_string());
        match parse_manifest(text, path) {
            Ok((manifest, diags)) => {
                self.diagnostics.extend(diags);
                let bom_ref = project_ref(manifest.name.as_deref(), manifest.version.as_deref(), path);
                let project =
                    Project { bom_ref, component: manifest.component.clone(), manifest: Location::new(path, Some(1)) };
                self.by_dir.insert(parent_dir(path).to_string(), Member { project, manifest });
            }
            Err(d) => self.diagnostics.push(d),
        }
    }

    pub fn get(&self, dir: &str) -> Option<&Member> {
        self.by_dir.get(dir)
    }

    /// The member with this package name, for workspace dependencies.
    pub fn by_name(&self, name: &str) -> Option<&Member> {
        self.by_dir.values().find(|m| m.manifest.name.as_deref() == Some(name))
    }

    /// The start of a lockfile's result: complete until something says
    /// otherwise, with the lockfile and every member in it.
    pub fn start(&self, lockfile: &str) -> Parsed {
        let mut out = Parsed {
            completeness: sovra_core::Completeness::Complete,
            files: vec![lockfile.to_string()],
            ..Parsed::default()
        };
        self.emit(&mut out);
        out
    }

    /// Put every member's project, the files and diagnostics into `out`.
    pub fn emit(&self, out: &mut Parsed) {
        out.projects.extend(self.by_dir.values().map(|m| m.project.clone()));
        out.files.extend(self.files.iter().cloned());
        out.diagnostics.extend(self.diagnostics.iter().cloned());
    }
}

/// The package.json files under `dir` that the workspace globs select, from
/// the sorted file list of the tree. Supports what npm, yarn and pnpm accept
/// in practice: `*` within one folder name, `**` for any depth, and `!`
/// exclusions.
pub fn expand_workspaces(dir: &str, patterns: &[String], files: &[String]) -> Vec<String> {
    let (include, exclude): (Vec<&String>, Vec<&String>) = patterns.iter().partition(|p| !p.starts_with('!'));
    let split = |p: &str| -> Option<Vec<String>> {
        let joined = join_rel(dir, p.trim_start_matches('!').trim_end_matches('/'))?;
        Some(joined.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect())
    };
    let include: Vec<Vec<String>> = include.iter().filter_map(|p| split(p)).collect();
    let exclude: Vec<Vec<String>> = exclude.iter().filter_map(|p| split(p)).collect();
    files
        .iter()
        .filter(|f| sovra_core::plugin::file_name(f) == "package.json")
        .filter(|f| {
            let member: Vec<&str> = parent_dir(f).split('/').filter(|s| !s.is_empty()).collect();
            let hit = |pats: &[Vec<String>]| pats.iter().any(|p| glob_match(p, &member));
            parent_dir(f) != dir && hit(&include) && !hit(&exclude)
        })
        .cloned()
        .collect()
}

fn glob_match(pattern: &[String], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((seg, rest)) if seg == "**" => (0..=path.len()).any(|skip| glob_match(rest, &path[skip..])),
        Some((seg, rest)) => {
            path.split_first().is_some_and(|(head, tail)| segment_match(seg, head) && glob_match(rest, tail))
        }
    }
}

/// `*` matches any run of characters inside one folder name.
fn segment_match(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((prefix, rest)) => {
            let Some(tail) = name.strip_prefix(prefix) else { return false };
            if rest.is_empty() {
                return true;
            }
            (0..=tail.len()).filter(|i| tail.is_char_boundary(*i)).any(|i| segment_match(rest, &tail[i..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_fields_and_dep_kinds() {
        let text = r#"{"name":"@acme/app","version":"1.0.0","license":"MIT","author":{"name":"A","email":"a@x"},
            "dependencies":{"a":"^1","b":"^2"},"devDependencies":{"b":"^2","c":"^3"},
            "optionalDependencies":{"a":"^1"},"workspaces":{"packages":["packages/*"]}}"#;
        let (m, d) = parse_manifest(text, "sub/package.json").unwrap();
        assert!(d.is_empty());
        assert_eq!(m.kind_of("a"), Some(DepKind::Optional));
        assert_eq!(m.kind_of("b"), Some(DepKind::Prod));
        assert_eq!(m.kind_of("c"), Some(DepKind::Dev));
        assert_eq!(m.workspaces, vec!["packages/*"]);
        assert_eq!(m.component.authors, vec!["A <a@x>"]);
        assert_eq!(m.component.declared_licenses[0].raw, "MIT");
        assert_eq!(project_ref(m.name.as_deref(), m.version.as_deref(), "x"), "pkg:npm/%40acme/app@1.0.0");
        assert_eq!(project_ref(Some("x"), None, "a/package.json"), "sovra:project:a/package.json");
    }

    #[test]
    fn bad_manifests() {
        assert_eq!(parse_manifest("[1]", "p").unwrap_err().code, "npm::parse");
        let e = parse_manifest("{\n\"a\": ", "p").unwrap_err();
        assert_eq!((e.code.as_str(), e.location.line), ("npm::parse", Some(2)));
        let (_, d) = parse_manifest(r#"{"dependencies": ["x"]}"#, "p").unwrap();
        assert_eq!(d[0].code, "npm::wrong-type");
    }

    #[test]
    fn workspace_globs() {
        let files: Vec<String> = [
            "package.json",
            "packages/a/package.json",
            "packages/b/package.json",
            "packages/b/deep/package.json",
            "tools/x-cli/package.json",
            "tools/y/package.json",
            "other/package.json",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let pats: Vec<String> = ["packages/*", "tools/*-cli", "!packages/b"].iter().map(|s| s.to_string()).collect();
        assert_eq!(expand_workspaces("", &pats, &files), vec!["packages/a/package.json", "tools/x-cli/package.json"]);
        let deep = vec!["packages/**".to_string()];
        assert_eq!(expand_workspaces("", &deep, &files).len(), 3);
    }
}
