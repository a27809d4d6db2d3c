//! package-lock.json and npm-shrinkwrap.json, lockfileVersion 1, 2 and 3.
//!
//! Both shapes are brought to one table of installed packages keyed by
//! their folder (`node_modules/a/node_modules/b`): v2/v3 write that table
//! as `packages`; the v1 `dependencies` tree is flattened into it. Edges
//! are then resolved once, for all versions, the way node's module
//! resolution finds a package: in the nearest `node_modules` going upwards.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};
use sovra_core::plugin::parent_dir;
use sovra_core::{Completeness, Location, Parsed, Project, Scope};

use crate::common::{self, ComponentSet, DepKind, MAX_DEPTH};
use crate::package_json::{ProjectSet, local_path, lockfile_project};

/// One installed package or first-party folder of the lockfile.
struct Installed<'a> {
    /// Folder relative to the lockfile (`""` for the root project).
    key: String,
    entry: &'a Map<String, Value>,
    line: Option<u32>,
    /// Declared dependencies: `dependencies`/`optionalDependencies`/
    /// `peerDependencies` (v2/v3) or `requires` (v1).
    deps: Vec<(String, DepKind)>,
}

/// What a folder of the table stands for.
enum Node {
    Component(String),
    Project(String),
    /// A `link: true` entry: the package is the folder `target` (a key).
    Link(String),
    /// An entry that could not be read (reported already).
    Skipped,
}

pub fn parse_package_lock(text: &str, path: &str, members: &ProjectSet) -> Parsed {
    let mut out = members.start(path);
    let root: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            out.diagnostics.push(common::error(
                "parse",
                path,
                Some(e.line() as u32),
                format!("package-lock is not valid JSON: {e}"),
            ));
            out.completeness = Completeness::Unknown;
            return out;
        }
    };
    let Value::Object(root) = root else {
        out.diagnostics.push(common::error("wrong-type", path, Some(1), "package-lock is not a JSON object"));
        out.completeness = Completeness::Unknown;
        return out;
    };
    let lines = common::json_member_lines(text);
    let version = root.get("lockfileVersion").and_then(Value::as_u64);
    if !matches!(version, Some(1..=3)) {
        out.diagnostics.push(common::warning(
            "lockfile-version",
            path,
            Some(1),
            format!("unknown lockfileVersion {:?}; reading it like version 3", root.get("lockfileVersion")),
        ));
    }
    let mut table: Vec<Installed> = Vec::new();
    match root.get("packages") {
        Some(Value::Object(packages)) => {
            for (key, entry) in packages {
                let line = lines.get(&format!("packages\0{key}")).copied();
                let Value::Object(entry) = entry else {
                    out.diagnostics.push(common::error(
                        "wrong-type",
                        path,
                        line,
                        format!("packages entry `{key}` is not an object"),
                    ));
                    continue;
                };
                let is_project = !is_installed(key);
                let mut deps = Vec::new();
                for (field, kind) in [
                    ("dependencies", DepKind::Prod),
                    ("optionalDependencies", DepKind::Optional),
                    ("peerDependencies", DepKind::Peer),
                    ("devDependencies", DepKind::Dev),
                ] {
                    // Only a project's own devDependencies are installed.
                    if kind == DepKind::Dev && !is_project {
                        continue;
                    }
                    if let Some(Value::Object(m)) = entry.get(field) {
                        deps.extend(m.keys().map(|k| (k.clone(), kind)));
                    }
                }
                table.push(Installed { key: key.clone(), entry, line, deps });
            }
        }
        Some(_) => {
            out.diagnostics.push(common::error(
                "wrong-type",
                path,
                lines.get("packages").copied(),
                "`packages` is not an object; reading the legacy `dependencies` tree instead",
            ));
            flatten_v1(&root, path, &lines, members, &mut table, &mut out);
        }
        None => flatten_v1(&root, path, &lines, members, &mut table, &mut out),
    }
    resolve_table(&root, &table, path, members, &mut out);
    out
}

/// Whether a `packages` key is an installed package (as opposed to the root
/// `""` or a workspace folder).
fn is_installed(key: &str) -> bool {
    key.starts_with("node_modules/") || key.contains("/node_modules/")
}

/// Turn the v1 `dependencies` tree into the installed-folder table, with the
/// root project (from package.json, which v1 does not copy) first.
fn flatten_v1<'a>(
    root: &'a Map<String, Value>,
    path: &str,
    lines: &HashMap<String, u32>,
    members: &ProjectSet,
    table: &mut Vec<Installed<'a>>,
    out: &mut Parsed,
) {
    let root_deps = members
        .get(parent_dir(path))
        .map(|m| m.manifest.deps.iter().map(|(n, (_, k))| (n.clone(), *k)).collect())
        .unwrap_or_default();
    table.push(Installed { key: String::new(), entry: root, line: Some(1), deps: root_deps });
    match root.get("dependencies") {
        Some(Value::Object(deps)) => walk_v1(deps, "", "dependencies", lines, path, 0, table, out),
        None => {}
        Some(_) => out.diagnostics.push(common::error(
            "wrong-type",
            path,
            None,
            "`dependencies` is not an object; no packages read",
        )),
    }
}

#[allow(clippy::too_many_arguments)]
fn walk_v1<'a>(
    deps: &'a Map<String, Value>,
    prefix: &str,
    json_path: &str,
    lines: &HashMap<String, u32>,
    path: &str,
    depth: usize,
    table: &mut Vec<Installed<'a>>,
    out: &mut Parsed,
) {
    for (name, entry) in deps {
        let key = format!("{prefix}node_modules/{name}");
        let entry_path = format!("{json_path}\0{name}");
        let line = lines.get(&entry_path).copied();
        let Value::Object(entry) = entry else {
            out.diagnostics.push(common::error(
                "wrong-type",
                path,
                line,
                format!("dependency `{name}` is not an object"),
            ));
            continue;
        };
        let requires = match entry.get("requires") {
            Some(Value::Object(r)) => r.keys().map(|k| (k.clone(), DepKind::Prod)).collect(),
            _ => Vec::new(),
        };
        table.push(Installed { key: key.clone(), entry, line, deps: requires });
        if let Some(Value::Object(nested)) = entry.get("dependencies") {
            if depth + 1 >= MAX_DEPTH {
                out.diagnostics.push(common::error(
                    "too-deep",
                    path,
                    line,
                    format!("dependency tree nested deeper than {MAX_DEPTH} levels below `{name}`; not followed"),
                ));
                continue;
            }
            walk_v1(
                nested,
                &format!("{key}/"),
                &format!("{entry_path}\0dependencies"),
                lines,
                path,
                depth + 1,
                table,
                out,
            );
        }
    }
}

/// Build components and projects from the table, then the edges.
fn resolve_table(root: &Map<String, Value>, table: &[Installed], path: &str, members: &ProjectSet, out: &mut Parsed) {
    let lock_dir = parent_dir(path);
    let mut components = ComponentSet::default();
    let mut known_projects: BTreeSet<String> = out.projects.iter().map(|p| p.bom_ref.clone()).collect();
    let mut nodes: Vec<Node> = Vec::with_capacity(table.len());
    for inst in table {
        let node = if !is_installed(&inst.key) {
            let dir = local_path(lock_dir, &inst.key);
            let project = match members.get(&dir) {
                Some(m) => m.project.clone(),
                None => {
                    // v2/v3 copy name and version of the root and workspaces into the lockfile.
                    let (name, version) = if inst.key.is_empty() {
                        (
                            str_of(inst.entry, "name").or(str_of(root, "name")),
                            str_of(inst.entry, "version").or(str_of(root, "version")),
                        )
                    } else {
                        (str_of(inst.entry, "name"), str_of(inst.entry, "version"))
                    };
                    lockfile_project(name, version, &dir, path, inst.line)
                }
            };
            add_project(project, &mut known_projects, out)
        } else if inst.entry.get("link").and_then(Value::as_bool) == Some(true) {
            match str_of(inst.entry, "resolved") {
                Some(target) => Node::Link(target.to_string()),
                None => {
                    out.diagnostics.push(common::warning(
                        "link",
                        path,
                        inst.line,
                        format!("link `{}` has no `resolved` target", inst.key),
                    ));
                    Node::Skipped
                }
            }
        } else {
            installed_component(inst, path, &mut components, &mut known_projects, out)
        };
        nodes.push(node);
    }

    let index: HashMap<&str, usize> = table.iter().enumerate().map(|(i, inst)| (inst.key.as_str(), i)).collect();
    let reference = |i: usize| -> Option<&str> {
        match &nodes[i] {
            Node::Component(r) | Node::Project(r) => Some(r),
            Node::Link(target) => match index.get(target.as_str()).map(|t| &nodes[*t]) {
                Some(Node::Project(r) | Node::Component(r)) => Some(r),
                _ => None,
            },
            Node::Skipped => None,
        }
    };
    let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
    for (i, inst) in table.iter().enumerate() {
        let Some(from) = reference(i) else { continue };
        for (name, kind) in &inst.deps {
            match resolve(&index, &inst.key, name).and_then(reference) {
                Some(to) => {
                    edges.insert((from.to_string(), to.to_string()));
                }
                // A missing optional or peer dependency is normal (other platform, not installed).
                None if matches!(kind, DepKind::Optional | DepKind::Peer) => {}
                None => out.diagnostics.push(common::warning(
                    "unresolved-dependency",
                    path,
                    inst.line,
                    format!(
                        "`{}` depends on `{name}`, which is not installed where node would look",
                        display_key(&inst.key)
                    ),
                )),
            }
        }
    }
    out.edges.extend(edges);
    out.components.extend(components.into_vec());
}

fn display_key(key: &str) -> &str {
    if key.is_empty() { "(root)" } else { key }
}

fn add_project(project: Project, known: &mut BTreeSet<String>, out: &mut Parsed) -> Node {
    let r = project.bom_ref.clone();
    if known.insert(r.clone()) {
        out.projects.push(project);
    }
    Node::Project(r)
}

fn str_of<'a>(entry: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    entry.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// The component of one installed entry (v1 or v2/v3).
fn installed_component(
    inst: &Installed,
    path: &str,
    components: &mut ComponentSet,
    known_projects: &mut BTreeSet<String>,
    out: &mut Parsed,
) -> Node {
    let e = inst.entry;
    let key_name = inst.key.rsplit_once("node_modules/").map_or(inst.key.as_str(), |(_, n)| n);
    let Some(raw_version) = str_of(e, "version") else {
        out.diagnostics.push(common::warning(
            "missing-version",
            path,
            inst.line,
            format!("`{}` has no version; not listed", inst.key),
        ));
        return Node::Skipped;
    };
    // v1 writes aliases as `npm:real@version`, local folders as `file:…` and
    // git checkouts as the git URL; v2/v3 put the real name in `name`.
    let mut name = str_of(e, "name").unwrap_or(key_name).to_string();
    let mut version = raw_version.to_string();
    let mut origin = str_of(e, "resolved").and_then(common::origin);
    if let Some((real, v)) = common::parse_alias(raw_version) {
        name = real.to_string();
        version = v.to_string();
    } else if let Some(local) = raw_version.strip_prefix("file:") {
        let dir = local_path(parent_dir(path), local);
        return add_project(lockfile_project(Some(key_name), None, &dir, path, inst.line), known_projects, out);
    } else if let Some(git) = common::origin(raw_version) {
        if let sovra_core::Source::Git { commit, reference, .. } = &git.source {
            version = commit.clone().or_else(|| reference.clone()).unwrap_or_default();
        }
        origin = Some(git);
    }
    if !common::is_package_name(&name) || version.is_empty() {
        out.diagnostics.push(common::warning(
            "bad-entry",
            path,
            inst.line,
            format!("`{}` has no usable package name or version", inst.key),
        ));
        return Node::Skipped;
    }
    let mut c = common::component(&name, &version);
    if let Some(o) = origin {
        common::apply_origin(&mut c, o);
    }
    if let Some(sri) = str_of(e, "integrity")
        && !common::apply_integrity(&mut c, sri)
    {
        out.diagnostics.push(common::warning("integrity", path, inst.line, format!("unreadable integrity `{sri}`")));
    }
    let flag = |k: &str| e.get(k).and_then(Value::as_bool) == Some(true);
    // npm: `devOptional` marks a package needed as a dev dependency or as an
    // optional dependency of a production package. `--omit=dev` still
    // installs it, so it can ship: Optional, not Dev.
    c.scope = Some(if flag("dev") {
        Scope::Dev
    } else if flag("optional") || flag("devOptional") {
        Scope::Optional
    } else {
        Scope::Required
    });
    if flag("peer") {
        c.properties.insert("sovra:npm:peer".into(), "true".into());
    }
    if flag("inBundle") || flag("bundled") {
        c.properties.insert("sovra:npm:bundled".into(), "true".into());
    }
    if flag("extraneous") {
        c.properties.insert("sovra:npm:extraneous".into(), "true".into());
    }
    if name != key_name {
        c.properties.insert("sovra:npm:alias".into(), key_name.to_string());
    }
    if let Some(l) = e.get("license").or_else(|| e.get("licenses")).and_then(common::declared_license) {
        c.declared_licenses.push(l);
    }
    c.locations.push(Location::new(path, inst.line));
    Node::Component(components.add(c))
}

/// Node's module resolution over the table: from folder `from`, look for
/// `node_modules/<name>` in it, then in each enclosing package or folder.
fn resolve(index: &HashMap<&str, usize>, from: &str, name: &str) -> Option<usize> {
    let mut dir = from;
    loop {
        let candidate =
            if dir.is_empty() { format!("node_modules/{name}") } else { format!("{dir}/node_modules/{name}") };
        if let Some(i) = index.get(candidate.as_str()) {
            return Some(*i);
        }
        if dir.is_empty() {
            return None;
        }
        dir = match dir.rfind("node_modules/") {
            // `x/node_modules/@s/p` -> `x`: the enclosing package's folder.
            Some(at) => dir[..at].trim_end_matches('/'),
            None => parent_dir(dir),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_resolution_walks_up() {
        let keys =
            ["node_modules/a", "node_modules/a/node_modules/b", "node_modules/@s/c", "packages/w/node_modules/b"];
        let index: HashMap<&str, usize> = keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
        assert_eq!(resolve(&index, "node_modules/@s/c", "a"), Some(0));
        assert_eq!(resolve(&index, "node_modules/a", "b"), Some(1));
        assert_eq!(resolve(&index, "node_modules/a/node_modules/b", "b"), Some(1));
        assert_eq!(resolve(&index, "node_modules/@s/c", "b"), None);
        assert_eq!(resolve(&index, "packages/w", "b"), Some(3));
        assert_eq!(resolve(&index, "packages/w", "a"), Some(0));
    }
}
