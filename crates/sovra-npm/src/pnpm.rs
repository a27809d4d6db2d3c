//! pnpm-lock.yaml, lockfileVersion 5.x, 6.0 and 9.0.
//!
//! The three versions differ in how a package instance is keyed:
//! `/name/1.2.3_peer@2.0.0` (5.x, peers after `_`, `/` in peer names
//! written `+`), `/name@1.2.3(peer@2.0.0)` (6.0) and `name@1.2.3(peer@2.0.0)`
//! (9.0, where `packages:` holds the metadata of `name@1.2.3` and
//! `snapshots:` the peer-resolved instances with their dependencies).
//! Instances of one name@version fold into one component.
//!
//! `importers` are the workspace projects. 5.x and 6.0 mark `dev: true/false`
//! on packages; 9.0 does not, so scopes come from reachability from the
//! importers' `dependencies`/`optionalDependencies`/`devDependencies`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Deserialize;
use serde_norway::Value;
use sovra_core::plugin::parent_dir;
use sovra_core::{Location, Parsed, Scope};

use crate::common::{self, ComponentSet, DepKind, assign_scopes, dep_scope, reach_scopes};
use crate::package_json::{ProjectSet, local_path, lockfile_project};

/// The `packages` globs of a pnpm-workspace.yaml (empty if unreadable).
pub fn workspace_globs(text: &str) -> Vec<String> {
    #[derive(Deserialize)]
    struct Workspace {
        #[serde(default)]
        packages: Vec<String>,
    }
    serde_norway::from_str::<Workspace>(text).map(|w| w.packages).unwrap_or_default()
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Importer {
    #[serde(default)]
    dependencies: BTreeMap<String, Value>,
    #[serde(default)]
    optional_dependencies: BTreeMap<String, Value>,
    #[serde(default)]
    dev_dependencies: BTreeMap<String, Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Package {
    #[serde(default)]
    resolution: Option<Resolution>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<Value>,
    #[serde(default)]
    dependencies: BTreeMap<String, Value>,
    #[serde(default)]
    optional_dependencies: BTreeMap<String, Value>,
    #[serde(default)]
    dev: Option<bool>,
    #[serde(default)]
    optional: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
struct Resolution {
    #[serde(default)]
    integrity: Option<String>,
    #[serde(default)]
    tarball: Option<String>,
    #[serde(default)]
    repo: Option<String>,
    #[serde(default)]
    commit: Option<String>,
    #[serde(default)]
    directory: Option<String>,
}

/// One package instance (5.x/6.0 `packages` key, 9.0 `snapshots` key).
struct Node {
    key: String,
    line: Option<u32>,
    /// Metadata: the same entry in 5.x/6.0, the peer-free `packages` entry in 9.0.
    meta: Option<usize>,
    /// Dependencies of this instance, name -> reference.
    deps: Vec<(String, String, DepKind)>,
}

pub fn parse_pnpm_lock(text: &str, path: &str, members: &ProjectSet) -> Parsed {
    let mut out = members.start(path);
    let Some(doc) = common::yaml_document(text, path, &mut out) else { return out };
    let top_lines = common::yaml_key_lines(text, None);
    let major = doc.get("lockfileVersion").and_then(version_number).map(|v| v.floor() as u32);
    let major = match major {
        Some(m @ 5..=9) => m,
        _ => {
            out.diagnostics.push(common::warning(
                "lockfile-version",
                path,
                top_lines.get("lockfileVersion").copied(),
                format!("unknown pnpm lockfileVersion {:?}; reading it like 9.0", doc.get("lockfileVersion")),
            ));
            9
        }
    };
    let mut doc = doc;
    let mut section = |name: &str, out: &mut Parsed| -> Vec<(String, Value)> {
        match doc.remove(name) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Mapping(m)) => m
                .into_iter()
                .map(|(k, v)| match k {
                    Value::String(s) => (s, v),
                    other => (format!("{other:?}"), v),
                })
                .collect(),
            Some(_) => {
                out.diagnostics.push(common::error(
                    "wrong-type",
                    path,
                    top_lines.get(name).copied(),
                    format!("`{name}` is not a mapping; ignored"),
                ));
                Vec::new()
            }
        }
    };
    let packages_raw = section("packages", &mut out);
    let snapshots_raw = section("snapshots", &mut out);
    let mut importers_raw = section("importers", &mut out);
    if importers_raw.is_empty() {
        // A lockfile of a single project keeps the importer's fields at the top.
        let single: serde_norway::Mapping = ["dependencies", "optionalDependencies", "devDependencies"]
            .iter()
            .filter_map(|k| doc.get(*k).map(|v| (Value::String(k.to_string()), v.clone())))
            .collect();
        importers_raw.push((".".into(), Value::Mapping(single)));
    }

    let pkg_lines = common::yaml_key_lines(text, Some("packages"));
    let snap_lines = common::yaml_key_lines(text, Some("snapshots"));
    let imp_lines = common::yaml_key_lines(text, Some("importers"));
    let mut packages: Vec<(String, Package)> = Vec::new();
    for (key, value) in packages_raw {
        match serde_norway::from_value::<Package>(value) {
            Ok(p) => packages.push((key, p)),
            Err(e) => out.diagnostics.push(common::error(
                "wrong-type",
                path,
                pkg_lines.get(&key).copied(),
                format!("package `{key}`: {e}"),
            )),
        }
    }
    let pkg_index: HashMap<&str, usize> = packages.iter().enumerate().map(|(i, (k, _))| (k.as_str(), i)).collect();

    let mut nodes: Vec<Node> = Vec::new();
    if major >= 9 {
        let mut used: BTreeSet<usize> = BTreeSet::new();
        for (key, value) in snapshots_raw {
            let line = snap_lines.get(&key).copied();
            let snap: Package = match serde_norway::from_value(value) {
                Ok(s) => s,
                Err(e) => {
                    out.diagnostics.push(common::error("wrong-type", path, line, format!("snapshot `{key}`: {e}")));
                    continue;
                }
            };
            let meta = pkg_index.get(strip_peers(&key, major)).copied();
            used.extend(meta);
            nodes.push(Node { deps: deps_of(&snap), key, line, meta });
        }
        // Metadata without a snapshot still names an installed package.
        for (i, (key, _)) in packages.iter().enumerate().filter(|(i, _)| !used.contains(i)) {
            nodes.push(Node { key: key.clone(), line: pkg_lines.get(key).copied(), meta: Some(i), deps: Vec::new() });
        }
    } else {
        for (i, (key, p)) in packages.iter().enumerate() {
            nodes.push(Node { key: key.clone(), line: pkg_lines.get(key).copied(), meta: Some(i), deps: deps_of(p) });
        }
    }
    let node_index: HashMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.key.as_str(), i)).collect();

    let lock_dir = parent_dir(path);
    let mut components = ComponentSet::default();
    let mut known: BTreeSet<String> = out.projects.iter().map(|p| p.bom_ref.clone()).collect();
    let mut refs: Vec<Option<String>> = Vec::with_capacity(nodes.len());
    let mut fixed: Vec<Option<Scope>> = Vec::with_capacity(nodes.len());
    for n in &nodes {
        let meta = n.meta.map(|i| &packages[i].1);
        fixed.push(meta.and_then(flag_scope));
        refs.push(node_component(n, meta, major, path, lock_dir, &mut components, &mut known, &mut out));
    }

    let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
    let mut graph: Vec<Vec<(usize, DepKind)>> = vec![Vec::new(); nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        for (name, reference, kind) in &n.deps {
            match lookup(&node_index, name, reference, major) {
                Some(t) => {
                    graph[i].push((t, *kind));
                    if let (Some(from), Some(to)) = (&refs[i], &refs[t]) {
                        edges.insert((from.clone(), to.clone()));
                    }
                }
                None if reference.starts_with("link:") || *kind == DepKind::Optional => {}
                None => out.diagnostics.push(common::warning(
                    "unresolved-dependency",
                    path,
                    n.line,
                    format!("`{}` depends on `{name}@{reference}`, which the lockfile does not list", n.key),
                )),
            }
        }
    }

    let mut roots: Vec<(usize, Scope)> = Vec::new();
    for (ikey, value) in importers_raw {
        let line = imp_lines.get(&ikey).copied();
        let importer: Importer = match serde_norway::from_value(value) {
            Ok(i) => i,
            Err(e) => {
                out.diagnostics.push(common::error("wrong-type", path, line, format!("importer `{ikey}`: {e}")));
                continue;
            }
        };
        let dir = local_path(lock_dir, &ikey);
        let project = members
            .get(&dir)
            .map(|m| m.project.clone())
            .unwrap_or_else(|| lockfile_project(None, None, &dir, path, line));
        let from = project.bom_ref.clone();
        if known.insert(from.clone()) {
            out.projects.push(project);
        }
        for (deps, kind) in [
            (&importer.dependencies, DepKind::Prod),
            (&importer.optional_dependencies, DepKind::Optional),
            (&importer.dev_dependencies, DepKind::Dev),
        ] {
            for (name, value) in deps {
                let reference = dep_reference(value);
                if let Some(local) = reference.strip_prefix("link:") {
                    let target = local_path(&dir, local);
                    let to = members.get(&target).map(|m| m.project.bom_ref.clone()).unwrap_or_else(|| {
                        let p = lockfile_project(Some(name), None, &target, path, line);
                        let r = p.bom_ref.clone();
                        if known.insert(r.clone()) {
                            out.projects.push(p);
                        }
                        r
                    });
                    edges.insert((from.clone(), to));
                    continue;
                }
                match lookup(&node_index, name, &reference, major) {
                    Some(t) => {
                        roots.push((t, dep_scope(kind)));
                        if let Some(to) = &refs[t] {
                            edges.insert((from.clone(), to.clone()));
                        }
                    }
                    None => out.diagnostics.push(common::warning(
                        "unresolved-dependency",
                        path,
                        line,
                        format!("importer `{ikey}` depends on `{name}@{reference}`, which the lockfile does not list"),
                    )),
                }
            }
        }
    }

    let reached = reach_scopes(nodes.len(), &roots, &graph);
    let scopes: Vec<Option<Scope>> = fixed.iter().zip(reached).map(|(f, r)| f.or(r)).collect();
    assign_scopes(&refs, &scopes, &mut components);
    out.edges.extend(edges);
    out.components.extend(components.into_vec());
    out
}

fn version_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn value_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// An importer dependency's resolved reference: a string in 5.x,
/// `{specifier, version}` in 6.0 and 9.0.
fn dep_reference(v: &Value) -> String {
    match v {
        Value::Mapping(m) => m.get("version").map(value_string).unwrap_or_default(),
        other => value_string(other),
    }
}

fn deps_of(p: &Package) -> Vec<(String, String, DepKind)> {
    let mut deps = Vec::new();
    for (map, kind) in [(&p.dependencies, DepKind::Prod), (&p.optional_dependencies, DepKind::Optional)] {
        deps.extend(map.iter().map(|(n, v)| (n.clone(), value_string(v), kind)));
    }
    deps
}

/// Scope from 5.x/6.0 flags: `dev: true` only dev, `dev: false` needed in
/// production, no `dev` key both (left to reachability).
fn flag_scope(p: &Package) -> Option<Scope> {
    match (p.dev, p.optional) {
        (Some(true), _) => Some(Scope::Dev),
        (Some(false), Some(true)) => Some(Scope::Optional),
        (Some(false), _) => Some(Scope::Required),
        (None, _) => None,
    }
}

/// The key of the peer-free package: `vite@4.3.1(@types/node@18)` ->
/// `vite@4.3.1`; `/vite/4.3.1_@types+node@18` -> `/vite/4.3.1`.
fn strip_peers(key: &str, major: u32) -> &str {
    let key = key.split_once('(').map_or(key, |(k, _)| k);
    if major < 6 {
        // The version follows the last `/`; its peer suffix starts at `_`.
        let slash = key.rfind('/').map_or(0, |i| i + 1);
        return key[slash..].find('_').map_or(key, |u| &key[..slash + u]);
    }
    key
}

/// The node a dependency `name: reference` points to. References are a
/// version (with peer suffix) of the same name, or, for aliases and
/// non-registry packages, a key of their own.
fn lookup(index: &HashMap<&str, usize>, name: &str, reference: &str, major: u32) -> Option<usize> {
    let constructed = match major {
        ..=5 => format!("/{name}/{reference}"),
        6..=8 => format!("/{name}@{reference}"),
        _ => format!("{name}@{reference}"),
    };
    [constructed.as_str(), reference, &format!("/{reference}")].iter().find_map(|k| index.get(k).copied())
}

/// Name and version of a key when the entry does not state them.
fn parse_key(key: &str, major: u32) -> Option<(String, String)> {
    let bare = strip_peers(key, major).trim_start_matches('/');
    let (name, version) = if major < 6 { bare.rsplit_once('/')? } else { common::split_descriptor(bare)? };
    Some((name.to_string(), version.to_string()))
}

#[allow(clippy::too_many_arguments)]
fn node_component(
    n: &Node,
    meta: Option<&Package>,
    major: u32,
    path: &str,
    lock_dir: &str,
    components: &mut ComponentSet,
    known: &mut BTreeSet<String>,
    out: &mut Parsed,
) -> Option<String> {
    let from_key = parse_key(&n.key, major);
    let name = meta.and_then(|m| m.name.clone()).or_else(|| from_key.as_ref().map(|k| k.0.clone()));
    let version = meta
        .and_then(|m| m.version.as_ref().map(value_string))
        .filter(|v| !v.is_empty())
        .or_else(|| from_key.as_ref().map(|k| k.1.clone()));
    let resolution = meta.and_then(|m| m.resolution.as_ref());
    if let Some(dir) = resolution.and_then(|r| r.directory.as_deref()) {
        // A `file:` folder dependency: first-party. Its key holds the path, not a version.
        let dir = local_path(lock_dir, dir);
        let stated = meta.and_then(|m| m.version.as_ref().map(value_string));
        let p = lockfile_project(name.as_deref(), stated.as_deref(), &dir, path, n.line);
        let r = p.bom_ref.clone();
        if known.insert(r.clone()) {
            out.projects.push(p);
        }
        return Some(r);
    }
    let (Some(name), Some(version)) = (name, version) else {
        out.diagnostics.push(common::warning(
            "bad-entry",
            path,
            n.line,
            format!("`{}`: no package name or version", n.key),
        ));
        return None;
    };
    if !common::is_package_name(&name) || version.is_empty() {
        out.diagnostics.push(common::warning(
            "bad-entry",
            path,
            n.line,
            format!("`{}`: no usable package name or version", n.key),
        ));
        return None;
    }
    let mut c = common::component(&name, &version);
    if let Some(r) = resolution {
        let origin = match (&r.repo, &r.commit, &r.tarball) {
            (Some(repo), Some(commit), _) => {
                common::origin(&format!("git+{}#{commit}", repo.trim_start_matches("git+")))
            }
            (_, _, Some(t)) => common::origin(t),
            _ => None,
        };
        if let Some(o) = origin {
            common::apply_origin(&mut c, o);
        }
        if let Some(sri) = &r.integrity
            && !common::apply_integrity(&mut c, sri)
        {
            out.diagnostics.push(common::warning("integrity", path, n.line, format!("unreadable integrity `{sri}`")));
        }
    }
    c.locations.push(Location::new(path, n.line));
    Some(components.add(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_suffixes() {
        assert_eq!(strip_peers("/@babel/helper-x/7.20.7_@babel+core@7.21.3", 5), "/@babel/helper-x/7.20.7");
        assert_eq!(strip_peers("/vite/4.3.1", 5), "/vite/4.3.1");
        assert_eq!(strip_peers("/vite@4.3.1(@types/node@18.0.0)(less@4.0.0)", 6), "/vite@4.3.1");
        assert_eq!(parse_key("/@babel/core/7.21.3_x", 5), Some(("@babel/core".into(), "7.21.3".into())));
        assert_eq!(parse_key("@babel/core@7.21.3(x@1)", 9), Some(("@babel/core".into(), "7.21.3".into())));
        assert_eq!(parse_key("/a@1.0.0", 6), Some(("a".into(), "1.0.0".into())));
    }
}
