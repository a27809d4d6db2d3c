//! yarn.lock of yarn classic (v1).
//!
//! The format is yarn's own, not YAML: an entry header lists several
//! comma-separated descriptors (`"a@^1", a@^1.2:`), and fields are written
//! `key value` without a colon, which a YAML parser rejects or misreads.
//! Its grammar is small (entries at column 0, fields indented two spaces,
//! one level of nested maps indented four), so a line-based reader is written
//! here; it reports the line of anything it does not understand.
//!
//! The lockfile records no dev-ness and no workspace packages; both come
//! from the package.json files of the unit.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sovra_core::plugin::parent_dir;
use sovra_core::{Completeness, Hash, HashAlg, Location, Parsed, Scope};

use crate::common::{self, ComponentSet, DepKind, apply_scopes, dep_scope};
use crate::package_json::{ProjectSet, local_path, lockfile_project};

/// One entry: the descriptors of its header and its fields.
#[derive(Debug, Default)]
pub struct Entry {
    pub specifiers: Vec<String>,
    pub line: u32,
    pub fields: BTreeMap<String, String>,
    /// Nested maps (`dependencies`, `optionalDependencies`), name -> range.
    pub maps: BTreeMap<String, Vec<(String, String)>>,
}

/// Read the entries; syntax errors become diagnostics and the line is skipped.
pub fn parse_entries(text: &str, path: &str, diags: &mut Vec<sovra_core::Diagnostic>) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut open_map: Option<String> = None;
    for (n, raw) in text.lines().enumerate() {
        let line_no = n as u32 + 1;
        let line = raw.trim_end_matches('\r');
        let body = line.trim_start_matches(' ');
        if body.trim().is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = line.len() - body.len();
        let syntax =
            |what: &str| common::error("yarn-syntax", path, Some(line_no), format!("{what}: `{}`", truncate(body)));
        match (indent, entries.last_mut()) {
            (0, _) => {
                open_map = None;
                match body.trim_end().strip_suffix(':').map(header_specifiers) {
                    Some(Some(specs)) if !specs.is_empty() => {
                        entries.push(Entry { specifiers: specs, line: line_no, ..Entry::default() })
                    }
                    _ => diags.push(syntax("expected an entry header `descriptor[, descriptor]:`")),
                }
            }
            (2, Some(entry)) => {
                if let Some(key) = body.trim_end().strip_suffix(':') {
                    let key = common::unquote(key).to_string();
                    entry.maps.entry(key.clone()).or_default();
                    open_map = Some(key);
                } else {
                    open_map = None;
                    match key_value(body) {
                        Some((k, v)) => {
                            entry.fields.insert(k, v);
                        }
                        None => diags.push(syntax("expected `key value`")),
                    }
                }
            }
            (4, Some(entry)) => match (&open_map, key_value(body)) {
                (Some(map), Some(kv)) => entry.maps.entry(map.clone()).or_default().push(kv),
                _ => diags.push(syntax("nested value outside a map")),
            },
            _ => diags.push(syntax("unexpected indentation")),
        }
    }
    entries
}

fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

/// Split a header (without its final colon) into descriptors, honouring quotes.
fn header_specifiers(header: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = header.trim();
    while !rest.is_empty() {
        let (token, after) = token(rest)?;
        out.push(token);
        rest = after.trim_start();
        match rest.strip_prefix(',') {
            Some(r) => rest = r.trim_start(),
            None if rest.is_empty() => {}
            None => return None,
        }
    }
    Some(out)
}

/// One token: a JSON-style quoted string or a run up to whitespace or comma.
fn token(s: &str) -> Option<(String, &str)> {
    if s.starts_with('"') {
        let mut escaped = false;
        for (i, ch) in s.char_indices().skip(1) {
            match ch {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    let value: String = serde_json::from_str(&s[..=i]).ok()?;
                    return Some((value, &s[i + 1..]));
                }
                _ => escaped = false,
            }
        }
        None
    } else {
        let end = s.find(|c: char| c.is_whitespace() || c == ',').unwrap_or(s.len());
        (end > 0).then(|| (s[..end].to_string(), &s[end..]))
    }
}

fn key_value(body: &str) -> Option<(String, String)> {
    let (key, rest) = token(body.trim())?;
    let rest = rest.trim();
    let value = if rest.starts_with('"') { token(rest)?.0 } else { rest.to_string() };
    Some((key, value))
}

pub fn parse_yarn_classic(text: &str, path: &str, members: &ProjectSet) -> Parsed {
    let mut out = members.start(path);
    let entries = parse_entries(text, path, &mut out.diagnostics);
    if entries.is_empty() {
        out.diagnostics.push(common::error("parse", path, Some(1), "yarn.lock holds no entries"));
        out.completeness = Completeness::Unknown;
        return out;
    }
    let lock_dir = parent_dir(path);
    let by_spec: HashMap<&str, usize> =
        entries.iter().enumerate().flat_map(|(i, e)| e.specifiers.iter().map(move |s| (s.as_str(), i))).collect();

    // Node of each entry: a component purl or a (local) project reference.
    let mut components = ComponentSet::default();
    let mut refs: Vec<Option<String>> = Vec::with_capacity(entries.len());
    for e in &entries {
        refs.push(entry_node(e, path, lock_dir, &mut components, &mut out));
    }

    let mut graph: Vec<Vec<(usize, DepKind)>> = vec![Vec::new(); entries.len()];
    let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
    for (i, e) in entries.iter().enumerate() {
        for (map, kind) in [("dependencies", DepKind::Prod), ("optionalDependencies", DepKind::Optional)] {
            for (name, range) in e.maps.get(map).into_iter().flatten() {
                match by_spec.get(format!("{name}@{range}").as_str()) {
                    Some(&t) => {
                        graph[i].push((t, kind));
                        if let (Some(from), Some(to)) = (&refs[i], &refs[t]) {
                            edges.insert((from.clone(), to.clone()));
                        }
                    }
                    None if kind == DepKind::Optional => {}
                    None => out.diagnostics.push(common::warning(
                        "unresolved-dependency",
                        path,
                        Some(e.line),
                        format!("no entry for `{name}@{range}`"),
                    )),
                }
            }
        }
    }

    // Projects -> their direct dependencies; the kinds give the scopes.
    let mut roots: Vec<(usize, Scope)> = Vec::new();
    for member in members.by_dir.values() {
        for (name, (range, kind)) in &member.manifest.deps {
            let target = by_spec.get(format!("{name}@{range}").as_str()).copied();
            match (target, members.by_name(name)) {
                (Some(t), _) => {
                    roots.push((t, dep_scope(*kind)));
                    if let Some(to) = &refs[t] {
                        edges.insert((member.project.bom_ref.clone(), to.clone()));
                    }
                }
                (None, Some(ws)) => {
                    edges.insert((member.project.bom_ref.clone(), ws.project.bom_ref.clone()));
                }
                (None, None) if matches!(kind, DepKind::Optional | DepKind::Peer) => {}
                (None, None) => out.diagnostics.push(common::warning(
                    "unresolved-dependency",
                    &member.project.manifest.file,
                    Some(1),
                    format!("`{name}@{range}` has no entry in {path}"),
                )),
            }
        }
    }
    apply_scopes(&entries, &refs, &roots, &graph, &mut components);
    out.edges.extend(edges);
    out.components.extend(components.into_vec());
    out
}

/// The component (or local project) of one entry.
fn entry_node(
    e: &Entry,
    path: &str,
    lock_dir: &str,
    components: &mut ComponentSet,
    out: &mut Parsed,
) -> Option<String> {
    let first = e.specifiers.first()?;
    let Some((key_name, range)) = common::split_descriptor(first) else {
        out.diagnostics.push(common::warning(
            "bad-entry",
            path,
            Some(e.line),
            format!("`{first}` is not `name@range`"),
        ));
        return None;
    };
    let local = range.strip_prefix("file:").or_else(|| range.strip_prefix("link:"));
    if let Some(local) = local
        && !local.ends_with(".tgz")
    {
        let dir = local_path(lock_dir, local);
        let project =
            lockfile_project(Some(key_name), e.fields.get("version").map(String::as_str), &dir, path, Some(e.line));
        let r = project.bom_ref.clone();
        out.projects.push(project);
        return Some(r);
    }
    let name = common::parse_alias(range).map_or(key_name, |(real, _)| real);
    let Some(version) = e.fields.get("version").filter(|v| !v.is_empty()) else {
        out.diagnostics.push(common::warning(
            "missing-version",
            path,
            Some(e.line),
            format!("`{first}` has no version; not listed"),
        ));
        return None;
    };
    if !common::is_package_name(name) {
        out.diagnostics.push(common::warning(
            "bad-entry",
            path,
            Some(e.line),
            format!("`{name}` is not a package name"),
        ));
        return None;
    }
    let mut c = common::component(name, version);
    let resolved = e.fields.get("resolved").map(String::as_str).unwrap_or_default();
    // A git dependency's origin is in its range when `resolved` is a codeload tarball.
    if let Some(o) = common::origin(range).filter(|o| matches!(o.source, sovra_core::Source::Git { .. })) {
        common::apply_origin(&mut c, o);
    } else if let Some(o) = common::origin(resolved) {
        common::apply_origin(&mut c, o);
    }
    // `resolved` ends in `#<sha1 of the tarball>` in lockfiles older than `integrity`.
    if let Some((_, frag)) = resolved.split_once('#')
        && let Some(h) = Hash::from_hex(HashAlg::Sha1, frag)
    {
        let h = match &c.filename {
            Some(f) => h.with_file(f.clone()),
            None => h,
        };
        c.hashes.push(h);
    }
    if let Some(sri) = e.fields.get("integrity")
        && !common::apply_integrity(&mut c, sri)
    {
        out.diagnostics.push(common::warning("integrity", path, Some(e.line), format!("unreadable integrity `{sri}`")));
    }
    if name != key_name {
        c.properties.insert("sovra:npm:alias".into(), key_name.to_string());
    }
    c.locations.push(Location::new(path, Some(e.line)));
    Some(components.add(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        let text = "# yarn lockfile v1\n\n\"@a/b@^1\", \"@a/b@^1.1\":\n  version \"1.2.0\"\n  resolved \"https://registry.yarnpkg.com/@a/b/-/b-1.2.0.tgz#0123456789abcdef0123456789abcdef01234567\"\n  dependencies:\n    c \"^2\"\n    \"@d/e\" ~3\n\nc@^2:\n  version 2.0.0\n";
        let mut d = Vec::new();
        let e = parse_entries(text, "yarn.lock", &mut d);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].specifiers, vec!["@a/b@^1", "@a/b@^1.1"]);
        assert_eq!(e[0].line, 3);
        assert_eq!(e[0].fields["version"], "1.2.0");
        assert_eq!(e[0].maps["dependencies"], vec![("c".into(), "^2".into()), ("@d/e".into(), "~3".into())]);
        assert_eq!(e[1].fields["version"], "2.0.0");
    }

    #[test]
    fn syntax_errors_have_lines() {
        let mut d = Vec::new();
        let e = parse_entries("a@^1:\n  version 1\n      deep x\nnot a header\n", "y", &mut d);
        assert_eq!(e.len(), 1);
        let lines: Vec<_> = d.iter().map(|d| (d.code.as_str(), d.location.line)).collect();
        assert_eq!(lines, vec![("npm::yarn-syntax", Some(3)), ("npm::yarn-syntax", Some(4))]);
    }
}
