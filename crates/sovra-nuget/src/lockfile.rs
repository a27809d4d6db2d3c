//! packages.lock.json (NuGet lock file format versions 1 and 2).
//!
//! ```json
//! { "version": 1,
//!   "dependencies": {
//!     "net8.0": { "Name": { "type": "Direct", "requested": "[1.0.0, )",
//!                           "resolved": "1.0.0", "contentHash": "<base64>",
//!                           "dependencies": { "Other": "2.0.0" } } },
//!     "net8.0/linux-x64": { ... } } }
//! ```
//!
//! One section per target framework, plus one per framework and runtime
//! identifier. Version 2 (written with central package management) adds the
//! `CentralTransitive` type and is otherwise the same.

use serde_json::Value;
use sovra_core::plugin::line_of;
use sovra_core::{Diagnostic, Location};

use sovra_core::json_pos::{find_member, json_string};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    Direct,
    Transitive,
    /// A transitive package pinned by a central `PackageVersion`.
    CentralTransitive,
    /// Another project of the solution.
    Project,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LockEntry {
    /// The package id as written (the key of the entry).
    pub name: String,
    pub kind: EntryKind,
    pub requested: Option<String>,
    pub resolved: Option<String>,
    pub content_hash: Option<String>,
    /// `(name, version or range)` as written.
    pub dependencies: Vec<(String, String)>,
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// `net8.0` or `net8.0/linux-x64`, as written.
    pub key: String,
    pub entries: Vec<LockEntry>,
}

impl Section {
    /// The target framework without runtime identifier.
    pub fn framework(&self) -> &str {
        self.key.split('/').next().unwrap_or(&self.key)
    }

    pub fn entry(&self, name: &str) -> Option<&LockEntry> {
        self.entries.iter().find(|e| e.name.eq_ignore_ascii_case(name))
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct LockFile {
    pub version: Option<u64>,
    pub sections: Vec<Section>,
}

impl LockFile {
    /// Resolve a dependency named in `section`: in the section itself, and
    /// for a runtime section also in its framework's section (runtime
    /// sections list only what differs per runtime).
    pub fn resolve<'a>(&'a self, section: &'a Section, name: &str) -> Option<&'a LockEntry> {
        section.entry(name).or_else(|| {
            self.sections
                .iter()
                .find(|s| s.key == section.framework() && s.key != section.key)
                .and_then(|s| s.entry(name))
        })
    }
}

const CODE_SYNTAX: &str = "nuget::syntax";
const CODE_INVALID: &str = "nuget::invalid-lock";

/// Parse a lock file. Structural problems inside are warnings next to what
/// could be read; a file that is not a lock file at all is an error.
pub fn parse_lockfile(text: &str, path: &str) -> (Option<LockFile>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let loc = |offset: usize| Location::new(path, Some(line_of(text, offset)));
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let code = if e.is_eof() { "nuget::truncated" } else { CODE_SYNTAX };
            let at = Location::new(path, Some(e.line().max(1) as u32));
            diags.push(Diagnostic::error(code, at, format!("invalid JSON: {e}")));
            return (None, diags);
        }
    };
    let Some(deps) = value.as_object().and_then(|o| o.get("dependencies")).and_then(Value::as_object) else {
        diags.push(Diagnostic::error(
            CODE_INVALID,
            loc(0),
            "not a NuGet lock file: expected an object with a `dependencies` object",
        ));
        return (None, diags);
    };
    let version = value.get("version").and_then(Value::as_u64);
    if !matches!(version, Some(1 | 2)) {
        diags.push(Diagnostic::warning(
            "nuget::lock-version",
            loc(find_member(text, 0, "version", "").unwrap_or(0)),
            format!("lock file version {:?} is not 1 or 2; read as version 2", value.get("version")),
        ));
    }
    let mut lock = LockFile { version, sections: Vec::new() };
    let mut keys: Vec<&String> = deps.keys().collect();
    keys.sort();
    for key in keys {
        let start = locate(text, 0, key);
        let Some(map) = deps[key].as_object() else {
            diags.push(Diagnostic::warning(
                CODE_INVALID,
                loc(start),
                format!("section `{key}` is not an object; skipped"),
            ));
            continue;
        };
        let mut section = Section { key: key.clone(), entries: Vec::new() };
        let mut names: Vec<&String> = map.keys().collect();
        names.sort();
        for name in names {
            let at = locate(text, start, &json_key(name));
            match entry(name, &map[name.as_str()], line_of(text, at)) {
                Ok(e) => section.entries.push(e),
                Err(why) => diags.push(Diagnostic::warning(
                    CODE_INVALID,
                    loc(at),
                    format!("entry {name} of `{key}` {why}; skipped"),
                )),
            }
        }
        lock.sections.push(section);
    }
    (Some(lock), diags)
}

/// Where the member `key` (a section or an entry) starts: the first one
/// whose value is an object (a dependency map names the same keys with string
/// values), else the first one at all, else `from`.
fn locate(text: &str, from: usize, key: &str) -> usize {
    find_member(text, from, key, "{").or_else(|| find_member(text, from, key, "")).unwrap_or(from)
}

/// A member key as it appears between the quotes.
fn json_key(name: &str) -> String {
    let quoted = json_string(name);
    quoted[1..quoted.len() - 1].to_string()
}

fn entry(name: &str, v: &Value, line: u32) -> Result<LockEntry, String> {
    let obj = v.as_object().ok_or("is not an object")?;
    let s = |k: &str| obj.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let kind = match s("type").as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("direct") => EntryKind::Direct,
        Some("transitive") => EntryKind::Transitive,
        Some("centraltransitive") => EntryKind::CentralTransitive,
        Some("project") => EntryKind::Project,
        other => return Err(format!("has unknown type {other:?}")),
    };
    let resolved = s("resolved");
    if resolved.is_none() && kind != EntryKind::Project {
        return Err("has no resolved version".into());
    }
    let mut dependencies: Vec<(String, String)> = match obj.get("dependencies") {
        None => Vec::new(),
        Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string())).collect(),
        Some(_) => return Err("has `dependencies` that is not an object".into()),
    };
    dependencies.sort();
    Ok(LockEntry {
        name: name.to_string(),
        kind,
        requested: s("requested"),
        resolved,
        content_hash: s("contentHash"),
        dependencies,
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_sections_fall_back_to_their_framework() {
        let text = r#"{"version": 2, "dependencies": {
  "net8.0": {
    "A": {"type": "Direct", "requested": "[1.0.0, )", "resolved": "1.0.0", "dependencies": {"B": "2.0.0"}},
    "B": {"type": "CentralTransitive", "requested": "[2.0.0, )", "resolved": "2.0.0"}
  },
  "net8.0/linux-x64": {
    "runtime.linux-x64.A": {"type": "Transitive", "resolved": "1.0.0", "dependencies": {"B": "2.0.0"}}
  }}}"#;
        let (lock, diags) = parse_lockfile(text, "packages.lock.json");
        assert!(diags.is_empty(), "{diags:?}");
        let lock = lock.unwrap();
        let rid = &lock.sections[1];
        assert_eq!(rid.framework(), "net8.0");
        assert_eq!(rid.entries[0].line, 7);
        let b = lock.resolve(rid, "b").unwrap();
        assert_eq!((b.kind, b.resolved.as_deref(), b.line), (EntryKind::CentralTransitive, Some("2.0.0"), 4));
    }
}
