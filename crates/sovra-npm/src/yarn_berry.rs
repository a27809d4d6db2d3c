//! yarn.lock of yarn berry (yarn 2 and later, `__metadata.version` 4 to 10):
//! a YAML document whose keys are comma-separated descriptors and whose
//! entries name the package they resolve to in `resolution` (a locator,
//! `name@protocol:reference`).
//!
//! The protocol decides what an entry is: `npm:` a registry package,
//! `workspace:` a first-party project, `link:`/`portal:`/`file:` a local
//! folder (first-party too), `patch:` the same package with a patch applied
//! (folded into the unpatched one, marked `sovra:npm:patched`), `virtual:`
//! a peer-dependency instance of another entry (folded as well); anything
//! else (git, tarball URL) a package from that origin.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Deserialize;
use sovra_core::plugin::parent_dir;
use sovra_core::{Location, Parsed, Scope};

use crate::common::{self, ComponentSet, DepKind, apply_scopes, dep_scope};
use crate::package_json::{ProjectSet, local_path, lockfile_project};

/// Whether a yarn.lock is berry's YAML (it has `__metadata`), not classic.
pub fn is_berry(text: &str) -> bool {
    text.lines().any(|l| l.trim_end() == "__metadata:")
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(default)]
    version: Option<serde_norway::Value>,
    #[serde(default)]
    resolution: Option<String>,
    #[serde(default)]
    dependencies: BTreeMap<String, serde_norway::Value>,
    #[serde(default)]
    dependencies_meta: BTreeMap<String, DependencyMeta>,
    #[serde(default)]
    checksum: Option<String>,
    #[serde(default)]
    language_name: Option<String>,
    #[serde(default)]
    link_type: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct DependencyMeta {
    #[serde(default)]
    optional: bool,
}

#[derive(Debug, Deserialize)]
struct Metadata {
    version: serde_norway::Value,
}

/// What a resolution stands for.
enum Resolved {
    Component(String),
    Project(String),
}

/// Catalogs of a `.yarnrc.yml` (yarn 4.10+): `catalog:` ranges in
/// manifests are replaced by these before locking, but workspace entries of
/// the lockfile keep writing `catalog:`.
#[derive(Debug, Default, Deserialize)]
pub struct Catalogs {
    #[serde(default)]
    catalog: BTreeMap<String, String>,
    #[serde(default)]
    catalogs: BTreeMap<String, BTreeMap<String, String>>,
}

impl Catalogs {
    /// Read a `.yarnrc.yml`; an unreadable one is a warning and no catalogs.
    pub fn parse(text: &str, path: &str, diags: &mut Vec<sovra_core::Diagnostic>) -> Catalogs {
        serde_norway::from_str(text).unwrap_or_else(|e: serde_norway::Error| {
            let line = e.location().map(|l| l.line() as u32);
            diags.push(common::warning("yarnrc", path, line, format!("catalogs not read: {e}")));
            Catalogs::default()
        })
    }

    fn range(&self, name: &str, range: &str) -> Option<&str> {
        let which = range.strip_prefix("catalog:")?;
        let list = if which.is_empty() { Some(&self.catalog) } else { self.catalogs.get(which) };
        list?.get(name).map(String::as_str)
    }
}

pub fn parse_yarn_berry(text: &str, path: &str, members: &ProjectSet, catalogs: &Catalogs) -> Parsed {
    let mut out = members.start(path);
    let Some(doc) = common::yaml_document(text, path, &mut out) else { return out };
    let lines = common::yaml_key_lines(text, None);
    let line_of = |key: &str| lines.get(key).copied();
    match doc.get("__metadata").map(|m| serde_norway::from_value::<Metadata>(m.clone())) {
        Some(Ok(m)) if matches!(yaml_u64(&m.version), Some(4..=10)) => {}
        Some(Ok(m)) => out.diagnostics.push(common::warning(
            "lockfile-version",
            path,
            line_of("__metadata"),
            format!("unknown yarn lockfile version {:?}; reading it like version 10", yaml_string(&m.version)),
        )),
        _ => out.diagnostics.push(common::warning(
            "lockfile-version",
            path,
            line_of("__metadata"),
            "`__metadata.version` missing",
        )),
    }

    let lock_dir = parent_dir(path);
    let mut entries: Vec<(u32, Entry)> = Vec::new();
    let mut by_desc: HashMap<String, usize> = HashMap::new();
    // First descriptor of each entry's key (a patch's names the original it patches).
    let mut firsts: Vec<String> = Vec::new();
    for (key, value) in &doc {
        if key == "__metadata" {
            continue;
        }
        let line = line_of(key);
        let entry: Entry = match serde_norway::from_value(value.clone()) {
            Ok(e) => e,
            Err(e) => {
                out.diagnostics.push(common::error("wrong-type", path, line, format!("entry `{key}`: {e}")));
                continue;
            }
        };
        let idx = entries.len();
        // Descriptors are joined by `, `; a bare `,` may occur inside one (condition: ranges).
        for desc in key.split(", ").filter(|d| !d.trim().is_empty()) {
            by_desc.insert(desc.to_string(), idx);
            by_desc.entry(strip_params(desc).trim().to_string()).or_insert(idx);
        }
        firsts.push(key.split(", ").next().unwrap_or(key).to_string());
        entries.push((line.unwrap_or(0), entry));
    }

    let mut components = ComponentSet::default();
    let mut refs: Vec<Option<String>> = Vec::with_capacity(entries.len());
    let mut project_dirs: Vec<Option<String>> = Vec::with_capacity(entries.len());
    let mut known: BTreeSet<String> = out.projects.iter().map(|p| p.bom_ref.clone()).collect();
    for (line, e) in &entries {
        let line = (*line > 0).then_some(*line);
        let Some(resolution) = e.resolution.as_deref() else {
            out.diagnostics.push(common::warning("bad-entry", path, line, "entry has no `resolution`"));
            refs.push(None);
            project_dirs.push(None);
            continue;
        };
        match resolve_locator(resolution, e, path, line, lock_dir, &mut components, &mut out) {
            Some(Resolved::Component(purl)) => {
                refs.push(Some(purl));
                project_dirs.push(None);
            }
            Some(Resolved::Project(dir)) => {
                let project = match members.get(&dir) {
                    Some(m) => m.project.clone(),
                    None => {
                        let name = common::split_descriptor(resolution).map(|(n, _)| n);
                        lockfile_project(name, None, &dir, path, line)
                    }
                };
                if known.insert(project.bom_ref.clone()) {
                    out.projects.push(project.clone());
                }
                refs.push(Some(project.bom_ref));
                project_dirs.push(Some(dir));
            }
            None => {
                refs.push(None);
                project_dirs.push(None);
            }
        }
    }

    let mut graph: Vec<Vec<(usize, DepKind)>> = vec![Vec::new(); entries.len()];
    let mut roots: Vec<(usize, Scope)> = Vec::new();
    let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
    let root_manifest = members.get(lock_dir).map(|m| &m.manifest);
    for (i, (line, e)) in entries.iter().enumerate() {
        let manifest = project_dirs[i].as_deref().and_then(|d| members.get(d)).map(|m| &m.manifest);
        let parent = e.resolution.as_deref().and_then(common::split_descriptor).map(|(n, _)| n);
        // A patched package ships the original's code: reaching one reaches the other.
        if let Some((name, patch)) = common::split_descriptor(&firsts[i])
            && let Some(original) = patch.strip_prefix("patch:")
        {
            let original = percent_decode(original.split_once('#').map_or(original, |(o, _)| o));
            if let Some((_, range)) = common::split_descriptor(&original)
                && let Some(&t) = lookup(&by_desc, name, range)
            {
                graph[i].push((t, DepKind::Prod));
            }
        }
        for (name, range) in &e.dependencies {
            let range = yaml_string(range);
            let range = catalogs.range(name, &range).unwrap_or(&range);
            // The root's `resolutions` replace ranges before yarn looks them up.
            let target = lookup(&by_desc, name, range).or_else(|| {
                let forced = root_manifest?.resolution_for(parent, name, range)?;
                lookup(&by_desc, name, forced)
            });
            let Some(&t) = target else {
                out.diagnostics.push(common::warning(
                    "unresolved-dependency",
                    path,
                    (*line > 0).then_some(*line),
                    format!("no entry for `{name}@{range}`"),
                ));
                continue;
            };
            let optional = e.dependencies_meta.get(name).is_some_and(|m| m.optional);
            let mut kind = if optional { DepKind::Optional } else { DepKind::Prod };
            if project_dirs[i].is_some() {
                // berry merges a workspace's devDependencies into its entry; package.json tells them apart.
                kind = manifest.and_then(|m| m.kind_of(name)).unwrap_or(kind);
                roots.push((t, dep_scope(kind)));
            } else {
                graph[i].push((t, kind));
            }
            if let (Some(from), Some(to)) = (&refs[i], &refs[t]) {
                edges.insert((from.clone(), to.clone()));
            }
        }
    }
    apply_scopes(&entries, &refs, &roots, &graph, &mut components);
    out.edges.extend(edges);
    out.components.extend(components.into_vec());
    out
}

/// The entry a dependency `name: range` resolves to. Ranges without a
/// protocol mean `npm:` (lockfiles before version 8 leave it out).
fn lookup<'a>(by_desc: &'a HashMap<String, usize>, name: &str, range: &str) -> Option<&'a usize> {
    let plain = format!("{name}@{range}");
    let desc = if has_protocol(range) { plain.clone() } else { format!("{name}@npm:{range}") };
    // Entries created for a patch's inner descriptor may keep the range without protocol.
    [desc.as_str(), strip_params(&desc).trim(), plain.as_str()].into_iter().find_map(|d| by_desc.get(d))
}

fn has_protocol(range: &str) -> bool {
    range.split_once(':').is_some_and(|(p, _)| {
        p.starts_with(|c: char| c.is_ascii_alphabetic())
            && p.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

/// Descriptor without yarn's `::key=value` binding parameters.
fn strip_params(desc: &str) -> &str {
    desc.split_once("::").map_or(desc, |(d, _)| d)
}

/// `%XX` escapes decoded; invalid escapes are kept as written.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// The folder a `workspace:`/`link:`/`portal:`/`file:` reference points to.
/// Relative paths of links are relative to the workspace named in the
/// `locator` parameter (`babel%40workspace%3A.`), else to the lockfile.
fn local_dir(reference: &str, lock_dir: &str) -> String {
    let (rel, params) = reference.split_once("::").unwrap_or((reference, ""));
    let mut base = lock_dir.to_string();
    for p in params.split('&') {
        if let Some(loc) = p.strip_prefix("locator=")
            && let Some((_, ws)) = percent_decode(loc).split_once("@workspace:")
        {
            base = local_path(lock_dir, ws);
        }
    }
    local_path(&base, rel)
}

#[allow(clippy::too_many_arguments)]
fn resolve_locator(
    locator: &str,
    e: &Entry,
    path: &str,
    line: Option<u32>,
    lock_dir: &str,
    components: &mut ComponentSet,
    out: &mut Parsed,
) -> Option<Resolved> {
    let Some((name, reference)) = common::split_descriptor(locator) else {
        out.diagnostics.push(common::warning(
            "bad-entry",
            path,
            line,
            format!("resolution `{locator}` is not `name@reference`"),
        ));
        return None;
    };
    let (protocol, rest) = reference.split_once(':').unwrap_or(("", reference));
    let mut patched: Option<String> = None;
    let mut protocol_note: Option<String> = None;
    let inner = match protocol {
        "workspace" | "link" | "portal" | "file" if !rest.ends_with(".tgz") => {
            let dir = local_dir(rest, lock_dir);
            return Some(Resolved::Project(dir));
        }
        // `patch:name@npm%3A1.2.3#<patch file>::version=…` and
        // `virtual:<hash>#npm:1.2.3`: the package inside is what ships.
        "patch" => {
            let (target, patch) = rest.split_once('#').unwrap_or((rest, ""));
            let target = percent_decode(target);
            patched = Some(percent_decode(strip_params(patch)));
            common::split_descriptor(&target).map_or(target.clone(), |(_, r)| r.to_string())
        }
        "virtual" => rest.split_once('#').map_or(rest, |(_, r)| r).to_string(),
        "npm" | "" => reference.to_string(),
        // git, tarball URLs (`https:`), `exec:`, plug-in protocols (`condition:`):
        // a package of that origin, kept with the protocol it came from.
        other => {
            if common::origin(reference).is_none() {
                protocol_note = Some(other.to_string());
            }
            reference.to_string()
        }
    };
    // Nested references (`npm:1.2.3` inside patch/virtual) resolve like top-level ones.
    let inner = inner.strip_prefix("npm:").unwrap_or(&inner).to_string();
    let version = e.version.as_ref().map(yaml_string).filter(|v| !v.is_empty() && v != "0.0.0-use.local");
    let origin = common::origin(&inner);
    let version = match (&origin, version) {
        (_, Some(v)) => v,
        (None, None) => inner.clone(),
        (Some(_), None) => {
            out.diagnostics.push(common::warning(
                "missing-version",
                path,
                line,
                format!("`{locator}` has no version; not listed"),
            ));
            return None;
        }
    };
    if !common::is_package_name(name) || version.is_empty() {
        out.diagnostics.push(common::warning(
            "bad-entry",
            path,
            line,
            format!("`{locator}` has no usable name or version"),
        ));
        return None;
    }
    let mut c = common::component(name, &version);
    if let Some(o) = origin {
        common::apply_origin(&mut c, o);
    }
    if let Some(p) = protocol_note {
        c.properties.insert("sovra:npm:protocol".into(), p);
    }
    if let Some(p) = patched {
        c.properties.insert("sovra:npm:patched".into(), p);
    }
    // A hash of yarn's cache zip, not of the tarball: kept, but not as a file hash.
    if let Some(sum) = &e.checksum {
        c.properties.insert("sovra:npm:yarn-checksum".into(), sum.clone());
    }
    if let Some(lang) = e.language_name.as_deref().filter(|l| *l != "node") {
        c.properties.insert("sovra:npm:language".into(), lang.to_string());
    }
    if let Some(link) = e.link_type.as_deref().filter(|l| *l != "hard") {
        c.properties.insert("sovra:npm:link-type".into(), link.to_string());
    }
    c.locations.push(Location::new(path, line));
    Some(Resolved::Component(components.add(c)))
}

fn yaml_string(v: &serde_norway::Value) -> String {
    match v {
        serde_norway::Value::String(s) => s.clone(),
        serde_norway::Value::Number(n) => n.to_string(),
        serde_norway::Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

fn yaml_u64(v: &serde_norway::Value) -> Option<u64> {
    yaml_string(v).parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_and_params() {
        assert!(has_protocol("npm:^1.0.0") && has_protocol("workspace:^") && !has_protocol("^1.0.0"));
        assert_eq!(strip_params("a@patch:a@1#p::locator=x"), "a@patch:a@1#p");
        assert_eq!(percent_decode("chokidar@npm%3A3.5.3"), "chokidar@npm:3.5.3");
        assert_eq!(local_dir("./scripts/u::locator=babel%40workspace%3Apackages%2Fx", ""), "packages/x/scripts/u");
        assert_eq!(local_dir("packages/a", "sub"), "sub/packages/a");
        assert_eq!(local_dir("../outside", ""), "../outside");
    }
}
