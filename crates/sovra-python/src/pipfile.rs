//! `Pipfile.lock` (pipfile-spec 6): JSON with `default` (Required) and
//! `develop` (Dev) sections of `name -> {version: "==x", hashes, markers,
//! index | git+ref | path/editable | file}`. It records no edges between
//! packages, so the graph it gives is incomplete.

use std::collections::BTreeMap;

use serde_json::Value;
use sovra_core::plugin::{join_rel, line_of, parent_dir};
use sovra_core::{Completeness, Scope, Source};

use crate::common;
use crate::lock::Lock;

pub fn parse_pipfile_lock(text: &str, path: &str) -> Lock {
    let mut lock = Lock::default();
    lock.parsed.files.push(path.to_string());
    lock.parsed.completeness = Completeness::IncompleteFirstPartyOnly;
    let doc: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let line = u32::try_from(e.line()).ok().filter(|l| *l > 0);
            lock.parsed.diagnostics.push(common::error("parse", path, line, format!("invalid JSON: {e}")));
            return lock;
        }
    };
    let Some(doc) = doc.as_object() else {
        lock.parsed.diagnostics.push(common::error(
            "invalid-type",
            path,
            Some(1),
            "Pipfile.lock should be a JSON object",
        ));
        return lock;
    };
    let meta = doc.get("_meta");
    let spec = meta.and_then(|m| m.get("pipfile-spec")).and_then(Value::as_i64);
    if spec != Some(6) {
        lock.parsed.diagnostics.push(common::warning(
            "unsupported-version",
            path,
            None,
            format!("pipfile-spec {} is not 6; reading it as 6", spec.map_or("(missing)".into(), |s| s.to_string())),
        ));
    }
    let indexes: BTreeMap<&str, &str> = meta
        .and_then(|m| m.get("sources"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| Some((s.get("name")?.as_str()?, s.get("url")?.as_str()?)))
        .collect();
    for (section, scope) in [("default", Scope::Required), ("develop", Scope::Dev)] {
        let Some(value) = doc.get(section) else { continue };
        let start = text.find(&format!("\"{section}\"")).unwrap_or(0);
        let Some(entries) = value.as_object() else {
            lock.parsed.diagnostics.push(common::error(
                "invalid-type",
                path,
                Some(line_of(text, start)),
                format!("`{section}` should be an object"),
            ));
            continue;
        };
        for (name, entry) in entries {
            // Entries are written in order under their section: find the key after the section's start.
            let line = text[start..].find(&format!("\"{name}\"")).map(|o| line_of(text, start + o));
            read_entry(&mut lock, name, entry, scope, &indexes, path, line);
        }
    }
    lock
}

fn read_entry(
    lock: &mut Lock,
    name: &str,
    entry: &Value,
    scope: Scope,
    indexes: &BTreeMap<&str, &str>,
    path: &str,
    line: Option<u32>,
) {
    let diags = &mut lock.parsed.diagnostics;
    if !common::valid_name(name) {
        diags.push(common::error("invalid-entry", path, line, format!("`{name}` is not a valid package name")));
        return;
    }
    let Some(e) = entry.as_object() else {
        diags.push(common::error("invalid-type", path, line, format!("entry `{name}` should be an object")));
        return;
    };
    let s = |k: &str| e.get(k).and_then(Value::as_str);
    let version = s("version").map(|v| v.trim_start_matches("===").trim_start_matches("==").trim());
    if let Some(local) = s("path") {
        // A local directory (usually `-e .`) is the project itself or a sibling: first-party.
        if !common::is_archive(local) {
            let dir = join_rel(parent_dir(path), local).unwrap_or_else(|| local.to_string());
            let manifest = join_rel(&dir, "pyproject.toml").unwrap_or_default();
            let p = common::project(name, version, &dir, &manifest, line);
            lock.index(name, &p.bom_ref.clone());
            lock.parsed.projects.push(p);
            return;
        }
    }
    let git = s("git");
    let reference = s("ref");
    // A VCS checkout without a version is identified by the revision it is pinned to.
    let Some(version) = version.or(reference.filter(|_| git.is_some())) else {
        diags.push(common::warning(
            "unpinned",
            path,
            line,
            format!("`{name}` has no pinned version; not reported as a component"),
        ));
        return;
    };
    let mut c = common::component(name, version, path, line);
    c.scope = Some(scope);
    c.hashes = e
        .get("hashes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(common::parse_hash)
        .collect();
    if let Some(m) = s("markers") {
        c.properties.insert(common::prop("markers"), m.to_string());
    }
    let extras: Vec<&str> =
        e.get("extras").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    if !extras.is_empty() {
        c.properties.insert(common::prop("extras"), extras.join(","));
    }
    if e.get("editable").and_then(Value::as_bool) == Some(true) {
        c.properties.insert(common::prop("editable"), "true".into());
    }
    if let Some(url) = git {
        let commit = reference.filter(|r| r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit()));
        common::set_source(
            &mut c,
            Source::Git {
                url: url.trim_start_matches("git+").to_string(),
                commit: commit.map(str::to_string),
                reference: reference.filter(|_| commit.is_none()).map(str::to_string),
            },
        );
    } else if let Some(url) = s("file") {
        common::set_source(&mut c, Source::Url { url: url.to_string() });
    } else if let Some(local) = s("path") {
        c.source = Source::Path { path: local.to_string() };
    } else if let Some(index) = s("index") {
        c.source = common::registry(indexes.get(index).copied());
    }
    let key = c.purl.clone();
    lock.index(name, &key);
    lock.parsed.components.push(c);
}
