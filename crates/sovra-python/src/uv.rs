//! `uv.lock` (version 1, any revision).
//!
//! Every `[[package]]` is either a third-party package (registry, git, URL
//! or archive sources) or first-party: workspace members (`editable`,
//! `virtual`, the names in `[manifest] members`) and local directories.
//! uv records no scope per package, so scopes come from reachability:
//! first-party `dependencies` are Required, their `optional-dependencies`
//! Optional, their `dev-dependencies` (dependency groups) Dev. Extras of
//! third-party packages are followed only where a dependency asks for them;
//! what no member reaches at all is Optional.

use sovra_core::plugin::{join_rel, parent_dir};
use sovra_core::{Completeness, Scope, Source};
use toml::{Table, Value};

use crate::common;
use crate::lock::Lock;
use crate::scopes::Graph;

/// One dependency entry: `{ name, version?, source?, marker?, extra? }`.
struct DepRef {
    name: String,
    version: Option<String>,
    extras: Vec<String>,
}

struct Entry {
    key: String,
    name: String,
    version: String,
    first_party: bool,
    line: Option<u32>,
    deps: Vec<DepRef>,
    /// extra -> its dependencies.
    optional: Vec<(String, Vec<DepRef>)>,
    /// dependency group -> its dependencies.
    groups: Vec<(String, Vec<DepRef>)>,
}

pub fn parse_uv_lock(text: &str, path: &str) -> Lock {
    let (mut lock, doc) = Lock::from_toml(text, path);
    let Some(doc) = doc else { return lock };
    let diags = &mut lock.parsed.diagnostics;
    match doc.get("version").and_then(Value::as_integer) {
        Some(1) => {}
        other => diags.push(common::warning(
            "unsupported-version",
            path,
            Some(1),
            format!(
                "uv.lock version {} is not 1; reading it as version 1",
                other.map_or("(missing)".into(), |v| v.to_string())
            ),
        )),
    }
    let members: Vec<String> = doc
        .get("manifest")
        .and_then(|m| m.get("members"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(common::normalize)
        .collect();
    let dir = parent_dir(path);
    let mut entries = Vec::new();
    for (t, line) in common::package_tables(&doc, text, path, diags) {
        if let Some(e) = read_package(t, path, dir, line, &members, &mut lock) {
            entries.push(e);
        }
    }

    let mut graph = Graph::default();
    for e in &entries {
        if e.first_party {
            graph.seed(&e.key, Scope::Required);
        }
        link(&mut lock, &mut graph, &entries, e, &e.key, &e.deps, path);
        for (extra, deps) in &e.optional {
            let node = format!("{}[{extra}]", e.key);
            if e.first_party {
                graph.seed(&node, Scope::Optional);
            }
            link(&mut lock, &mut graph, &entries, e, &node, deps, path);
        }
        for (group, deps) in &e.groups {
            let node = format!("{}:{group}", e.key);
            if e.first_party {
                graph.seed(&node, Scope::Dev);
            }
            link(&mut lock, &mut graph, &entries, e, &node, deps, path);
        }
    }
    let solved = graph.solve();
    // Unreached with members present: only an extra nobody asks for pulls it
    // in. Without members nothing is known, and the conservative claim is that it ships.
    let unreached = if entries.iter().any(|e| e.first_party) { Scope::Optional } else { Scope::Required };
    for c in &mut lock.parsed.components {
        c.scope = Some(solved.get(&c.purl).copied().unwrap_or(unreached));
    }
    lock.parsed.completeness = Completeness::Complete;
    lock
}

/// Edges from `e` (through the graph node `node`, which is `e` itself, one
/// of its extras or one of its groups) to the entries `deps` name.
fn link(lock: &mut Lock, graph: &mut Graph, entries: &[Entry], e: &Entry, node: &str, deps: &[DepRef], path: &str) {
    // Extra and group nodes are not reached from `e` itself: first-party
    // ones are seeds, a third-party extra is reached only through a
    // dependency that asks for it (`extra = [...]`), since uv locks only
    // the extras somebody requests.
    for d in deps {
        let targets: Vec<&Entry> =
            entries.iter().filter(|t| t.name == d.name && d.version.as_ref().is_none_or(|v| *v == t.version)).collect();
        if targets.is_empty() {
            lock.parsed.diagnostics.push(common::warning(
                "unresolved-dependency",
                path,
                e.line,
                format!("dependency `{}` of {} is not in the lockfile", d.name, e.key),
            ));
        }
        for t in targets {
            lock.parsed.edges.push((e.key.clone(), t.key.clone()));
            graph.edge(node, &t.key, false);
            for x in &d.extras {
                graph.edge(node, &format!("{}[{x}]", t.key), false);
            }
        }
    }
}

fn read_package(
    t: &Table,
    path: &str,
    dir: &str,
    line: Option<u32>,
    members: &[String],
    lock: &mut Lock,
) -> Option<Entry> {
    let diags = &mut lock.parsed.diagnostics;
    let Some(name) = common::str_field(t, "name", path, line, diags).filter(|n| common::valid_name(n)) else {
        diags.push(common::error("invalid-entry", path, line, "[[package]] without a valid name"));
        return None;
    };
    // Dynamic versions of workspace members are not recorded.
    let version = common::str_field(t, "version", path, line, diags).unwrap_or("");
    let source = common::table_field(t, "source", path, line, diags);
    let deps = dep_list(t.get("dependencies"));
    let optional = dep_tables(t.get("optional-dependencies"));
    let groups = dep_tables(t.get("dev-dependencies"));
    let local = source.and_then(|s| {
        ["editable", "virtual", "directory", "path"].iter().find_map(|k| Some((*k, s.get(*k)?.as_str()?)))
    });
    let is_member = members.contains(&common::normalize(name));
    let first_party = is_member || matches!(local, Some((k, p)) if k != "path" || !common::is_archive(p));
    let mut entry = Entry {
        key: String::new(),
        name: common::normalize(name),
        version: version.to_string(),
        first_party,
        line,
        deps,
        optional,
        groups,
    };
    if first_party {
        let target = local.and_then(|(_, p)| join_rel(dir, p)).unwrap_or_else(|| dir.to_string());
        let manifest = join_rel(&target, "pyproject.toml").unwrap_or_default();
        let p = common::project(name, Some(version).filter(|v| !v.is_empty()), &target, &manifest, None);
        entry.key = p.bom_ref.clone();
        lock.index(name, &entry.key);
        lock.parsed.projects.push(p);
        return Some(entry);
    }
    if version.is_empty() {
        diags.push(common::error("invalid-entry", path, line, format!("package `{name}` has no version")));
        return None;
    }
    let mut c = common::component(name, version, path, line);
    if let Some(src) = source {
        apply_source(&mut c, src, local);
    } else {
        diags.push(common::warning("invalid-entry", path, line, format!("package `{name}` has no source")));
    }
    read_files(&mut c, t);
    entry.key = c.purl.clone();
    lock.index(name, &entry.key);
    lock.parsed.components.push(c);
    Some(entry)
}

fn apply_source(c: &mut sovra_core::Component, src: &Table, local: Option<(&str, &str)>) {
    let s = |k: &str| src.get(k).and_then(Value::as_str);
    if let Some(url) = s("git") {
        common::set_source(c, git_source(url));
    } else if let Some(url) = s("url") {
        common::set_source(c, Source::Url { url: url.to_string() });
    } else if let Some((_, p)) = local {
        c.source = Source::Path { path: p.to_string() };
    } else {
        c.source = common::registry(s("registry"));
    }
}

/// uv writes git sources as `URL?rev=...|branch=...|tag=...&subdirectory=...#<commit>`.
fn git_source(raw: &str) -> Source {
    let (rest, commit) = match raw.split_once('#') {
        Some((r, c)) => (r, Some(c.to_string()).filter(|c| !c.is_empty())),
        None => (raw, None),
    };
    let (url, query) = rest.split_once('?').unwrap_or((rest, ""));
    let reference = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| matches!(*k, "rev" | "branch" | "tag"))
        .map(|(_, v)| v.to_string());
    Source::Git { url: url.to_string(), commit, reference }
}

/// `sdist` and `wheels` hashes, each with its file name; the sdist (or the
/// only wheel) is the component's distribution file.
fn read_files(c: &mut sovra_core::Component, t: &Table) {
    let mut dists: Vec<&Table> = Vec::new();
    if let Some(s) = t.get("sdist").and_then(Value::as_table) {
        dists.push(s);
    }
    let wheels: Vec<&Table> =
        t.get("wheels").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_table).collect();
    let primary = dists.first().copied().or(if wheels.len() == 1 { Some(wheels[0]) } else { None });
    dists.extend(wheels);
    for d in dists {
        let url = d.get("url").and_then(Value::as_str);
        let file = d
            .get("filename")
            .and_then(Value::as_str)
            .or_else(|| url.and_then(common::url_file_name))
            .or_else(|| d.get("path").and_then(Value::as_str).and_then(common::url_file_name));
        let Some(h) = d.get("hash").and_then(Value::as_str).and_then(common::parse_hash) else { continue };
        c.hashes.push(match file {
            Some(f) => h.with_file(f),
            None => h,
        });
    }
    if let Some(p) = primary {
        let url = p.get("url").and_then(Value::as_str);
        if c.download_url.is_none() {
            c.download_url = url.map(str::to_string);
        }
        c.filename = p
            .get("filename")
            .and_then(Value::as_str)
            .or_else(|| url.and_then(common::url_file_name))
            .map(str::to_string);
    }
}

fn dep_list(v: Option<&Value>) -> Vec<DepRef> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_table)
        .filter_map(|d| {
            Some(DepRef {
                name: common::normalize(d.get("name")?.as_str()?),
                version: d.get("version").and_then(Value::as_str).map(str::to_string),
                extras: d
                    .get("extra")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
            })
        })
        .collect()
}

fn dep_tables(v: Option<&Value>) -> Vec<(String, Vec<DepRef>)> {
    v.and_then(Value::as_table).into_iter().flatten().map(|(k, v)| (k.clone(), dep_list(Some(v)))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_urls_split_into_url_reference_commit() {
        assert_eq!(
            git_source("https://github.com/a/b?rev=v1#0123"),
            Source::Git {
                url: "https://github.com/a/b".into(),
                commit: Some("0123".into()),
                reference: Some("v1".into())
            }
        );
    }
}
