//! `poetry.lock`, lock-version 1.1, 2.0 and 2.1.
//!
//! Every `[[package]]` is a third-party package (Poetry never locks the root
//! project), except `directory` sources, which are first-party path
//! dependencies. Scope comes from `category` (1.1: main/dev) or `groups`
//! (2.1); 2.0 files have neither, so scope is derived from what the
//! `pyproject.toml` beside the lockfile declares, through the lock's edges.
//! Hashes are per distribution file: `files` (2.x) or `[metadata.files]` (1.1).

use std::collections::BTreeMap;

use sovra_core::plugin::{join_rel, parent_dir};
use sovra_core::{Hash, Scope, Source};
use toml::{Table, Value};

use crate::common::{self, normalize};
use crate::lock::Lock;
use crate::pyproject::Manifest;
use crate::scopes::Graph;

/// Lock versions this parser knows; newer minor versions are read as the
/// latest major, with a warning.
const KNOWN_VERSIONS: &[&str] = &["1.0", "1.1", "2.0", "2.1"];

struct Entry {
    key: String,
    line: Option<u32>,
    /// Scope recorded in the file (category/groups), if any.
    scope: Option<Scope>,
    optional: bool,
    /// Normalised dependency names, and whether each is an optional (extra) dependency.
    deps: Vec<(String, bool)>,
}

pub fn parse_poetry_lock(text: &str, path: &str, manifest: Option<&Manifest>) -> Lock {
    let (mut lock, doc) = Lock::from_toml(text, path);
    let Some(doc) = doc else { return lock };
    let diags = &mut lock.parsed.diagnostics;
    let metadata = common::table_field(&doc, "metadata", path, None, diags);
    let lock_version = metadata.and_then(|m| m.get("lock-version")).and_then(Value::as_str).unwrap_or("1.0");
    if !KNOWN_VERSIONS.contains(&lock_version) {
        diags.push(common::warning(
            "unsupported-version",
            path,
            None,
            format!("poetry.lock lock-version {lock_version} is newer than this parser knows; reading it as 2.1"),
        ));
    }
    let files_1x = metadata.and_then(|m| m.get("files")).and_then(Value::as_table);
    let hashes_10 = metadata.and_then(|m| m.get("hashes")).and_then(Value::as_table);
    let old_files: BTreeMap<String, &Value> =
        files_1x.into_iter().chain(hashes_10).flatten().map(|(k, v)| (normalize(k), v)).collect();
    let dir = parent_dir(path);
    let mut entries = Vec::new();
    for (t, line) in common::package_tables(&doc, text, path, diags) {
        if let Some(e) = read_package(t, path, dir, line, &old_files, &mut lock) {
            entries.push(e);
        }
    }
    let mut graph = Graph::default();
    for e in &entries {
        for (dep, optional) in &e.deps {
            let targets = lock.lookup(dep).to_vec();
            // An optional dependency is locked only when some package asks
            // for its extra, so a missing one is expected, not an error.
            if targets.is_empty() && !optional {
                lock.parsed.diagnostics.push(common::warning(
                    "unresolved-dependency",
                    path,
                    e.line,
                    format!("dependency `{dep}` of {} is not in the lockfile", e.key),
                ));
            }
            for t in targets {
                graph.edge(&e.key, &t, *optional);
                lock.parsed.edges.push((e.key.clone(), t));
            }
        }
    }
    if entries.iter().any(|e| e.scope.is_none()) {
        derive_scopes(&mut lock, &entries, graph, manifest, path);
    }
    lock.parsed.completeness = sovra_core::Completeness::Complete;
    lock
}

/// Scopes for a lock that does not record them: reachability from the
/// manifest's declared dependencies. Without a manifest nothing is known, so
/// packages stay Required (the conservative claim) and a note says why.
fn derive_scopes(lock: &mut Lock, entries: &[Entry], mut graph: Graph, manifest: Option<&Manifest>, path: &str) {
    let Some(manifest) = manifest else {
        lock.parsed.diagnostics.push(common::info(
            "scope-unknown",
            path,
            None,
            "poetry.lock records no groups and no pyproject.toml is beside it: every package is reported as required",
        ));
        return;
    };
    for (r, s) in lock.manifest_seeds(manifest) {
        graph.seed(&r, s);
    }
    let solved = graph.solve();
    let by_key: BTreeMap<&str, &Entry> = entries.iter().map(|e| (e.key.as_str(), e)).collect();
    for c in &mut lock.parsed.components {
        let Some(e) = by_key.get(c.purl.as_str()) else { continue };
        if e.scope.is_some() {
            continue;
        }
        let reached = solved.get(&c.purl).copied().unwrap_or(Scope::Required);
        // `optional = true` on a package means only extras pull it in.
        c.scope = Some(if e.optional { reached.max(Scope::Optional) } else { reached });
    }
}

fn read_package(
    t: &Table,
    path: &str,
    dir: &str,
    line: Option<u32>,
    old_files: &BTreeMap<String, &Value>,
    lock: &mut Lock,
) -> Option<Entry> {
    let diags = &mut lock.parsed.diagnostics;
    let name = common::str_field(t, "name", path, line, diags).filter(|n| common::valid_name(n));
    let version = common::str_field(t, "version", path, line, diags);
    let (Some(name), Some(version)) = (name, version) else {
        diags.push(common::error("invalid-entry", path, line, "[[package]] without a valid name and version"));
        return None;
    };
    let optional = t.get("optional").and_then(Value::as_bool).unwrap_or(false);
    let scope = recorded_scope(t, optional);
    let deps = t
        .get("dependencies")
        .and_then(Value::as_table)
        .into_iter()
        .flatten()
        .map(|(k, v)| (normalize(k), is_optional_dep(v)))
        .collect();
    let source = common::table_field(t, "source", path, line, diags);
    let kind = source.and_then(|s| s.get("type")).and_then(Value::as_str).unwrap_or("");
    let url = source.and_then(|s| s.get("url")).and_then(Value::as_str).unwrap_or("");
    if kind == "directory" {
        let target = join_rel(dir, url).unwrap_or_else(|| url.to_string());
        let manifest = join_rel(&target, "pyproject.toml").unwrap_or_default();
        let p = common::project(name, Some(version), &target, &manifest, None);
        let key = p.bom_ref.clone();
        lock.index(name, &key);
        lock.parsed.projects.push(p);
        return Some(Entry { key, line, scope: Some(Scope::Required), optional, deps });
    }
    let mut c = common::component(name, version, path, line);
    c.description = t.get("description").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    if let Some(s) = scope {
        c.scope = Some(s);
    }
    if let Some(m) = t.get("markers").and_then(Value::as_str) {
        c.properties.insert(common::prop("markers"), m.to_string());
    }
    let files = t.get("files").or_else(|| old_files.get(&normalize(name)).copied());
    c.hashes = file_hashes(files);
    let reference = source.and_then(|s| s.get("reference")).and_then(Value::as_str);
    let resolved = source.and_then(|s| s.get("resolved_reference")).and_then(Value::as_str);
    match kind {
        "git" => common::set_source(
            &mut c,
            Source::Git {
                url: url.to_string(),
                commit: resolved.map(str::to_string),
                reference: reference.map(str::to_string),
            },
        ),
        "url" => common::set_source(&mut c, Source::Url { url: url.to_string() }),
        "file" => c.source = Source::Path { path: url.to_string() },
        "legacy" => c.source = common::registry(Some(url)),
        _ => {}
    }
    if let Some(sub) = source.and_then(|s| s.get("subdirectory")).and_then(Value::as_str) {
        c.properties.insert(common::prop("subdirectory"), sub.to_string());
    }
    let key = c.purl.clone();
    lock.index(name, &key);
    lock.parsed.components.push(c);
    Some(Entry { key, line, scope, optional, deps })
}

/// `category` (1.x) or `groups` (2.1) as a scope; `None` when the file has neither.
fn recorded_scope(t: &Table, optional: bool) -> Option<Scope> {
    let main = match (t.get("category").and_then(Value::as_str), t.get("groups").and_then(Value::as_array)) {
        (Some(cat), _) => cat == "main",
        (None, Some(groups)) => groups.iter().any(|g| g.as_str() == Some("main")),
        (None, None) => return None,
    };
    Some(match (main, optional) {
        (true, false) => Scope::Required,
        (true, true) => Scope::Optional,
        (false, _) => Scope::Dev,
    })
}

/// A dependency entry is optional when it (or every alternative of it) says `optional = true`.
fn is_optional_dep(v: &Value) -> bool {
    match v {
        Value::Table(t) => t.get("optional").and_then(Value::as_bool) == Some(true),
        Value::Array(alts) => !alts.is_empty() && alts.iter().all(is_optional_dep),
        _ => false,
    }
}

/// `[{file, hash}]` (with file names) or, in 1.0 files, a plain list of hashes.
fn file_hashes(files: Option<&Value>) -> Vec<Hash> {
    files
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| match f {
            Value::String(h) => common::parse_hash(h),
            Value::Table(t) => {
                let h = common::parse_hash(t.get("hash")?.as_str()?)?;
                Some(match t.get("file").and_then(Value::as_str) {
                    Some(file) => h.with_file(file),
                    None => h,
                })
            }
            _ => None,
        })
        .collect()
}
