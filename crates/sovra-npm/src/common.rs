//! What every npm lockfile format shares: package names and descriptors,
//! aliases, where a package was fetched from, integrity strings, licence
//! fields, and the scope a package gets from the way it is reached.
//!
//! The four lockfile parsers only read their own syntax and hand these
//! helpers the strings they found, so that a name, an alias or a git URL is
//! understood the same way whatever file it came from.

use std::collections::{BTreeMap, VecDeque};

use sovra_core::purl::Purl;
use sovra_core::{Component, DeclaredLicense, Diagnostic, Ecosystem, Hash, Location, Parsed, Scope, Source};

/// The plug-in id, prefix of every diagnostic code.
pub const ID: &str = "npm";

/// Deepest nesting any parser follows (package-lock v1 trees, JSON line
/// index). Real trees stay below 20; the bound only stops hostile input.
pub const MAX_DEPTH: usize = 48;

/// A diagnostic code `npm::<what>`.
pub fn code(what: &str) -> String {
    format!("{ID}::{what}")
}

pub fn error(what: &str, file: &str, line: Option<u32>, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(&code(what), Location::new(file, line), message)
}

pub fn warning(what: &str, file: &str, line: Option<u32>, message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(&code(what), Location::new(file, line), message)
}

/// `@scope/name` -> (`Some("@scope")`, `name`); `name` -> (`None`, `name`).
/// The purl spec keeps the `@` in the npm namespace (it is percent-encoded in the string).
pub fn split_name(full: &str) -> (Option<&str>, &str) {
    match full.strip_prefix('@').and_then(|rest| rest.split_once('/')) {
        Some((scope, name)) => (Some(&full[..scope.len() + 1]), name),
        None => (None, full),
    }
}

/// Whether a string is a plausible npm package name (scoped or not). Used
/// to tell a package key from garbage before a purl is built from it.
pub fn is_package_name(name: &str) -> bool {
    let (scope, base) = split_name(name);
    let ok = |s: &str| !s.is_empty() && !s.contains(['/', ' ', '\\', ':']) && s != "." && s != "..";
    ok(base) && scope.is_none_or(|s| ok(&s[1..]))
}

/// Split a descriptor `name@range` (yarn entry keys, pnpm keys) at the `@`
/// that ends the name; a leading `@` belongs to a scoped name.
pub fn split_descriptor(desc: &str) -> Option<(&str, &str)> {
    let start = usize::from(desc.starts_with('@'));
    let at = desc[start..].find('@')? + start;
    Some((&desc[..at], &desc[at + 1..]))
}

/// An npm alias range `npm:real-name@range` -> (`real-name`, `range`).
/// `npm:^1.2.3` (yarn berry's explicit registry protocol) is not an alias.
pub fn parse_alias(range: &str) -> Option<(&str, &str)> {
    let rest = range.strip_prefix("npm:")?;
    let (name, range) = split_descriptor(rest)?;
    is_package_name(name).then_some((name, range))
}

/// A third-party npm component for `name@version` (the real package name,
/// never an alias).
pub fn component(name: &str, version: &str) -> Component {
    let (ns, base) = split_name(name);
    Component::new(Ecosystem::Npm, ns, base, version)
}

/// Where a package came from, as read from a `resolved` URL, a version
/// string or a yarn/pnpm resolution.
#[derive(Debug, Default, PartialEq)]
pub struct Origin {
    pub source: Source,
    pub download_url: Option<String>,
    pub filename: Option<String>,
    /// `vcs_url` qualifier for the purl, for git sources (purl spec).
    pub vcs_url: Option<String>,
}

const DEFAULT_REGISTRIES: [&str; 2] = ["https://registry.npmjs.org/", "https://registry.yarnpkg.com/"];

/// Classify a `resolved` value (or anything that may be a URL, git
/// reference or local path). `None` for plain versions and empty strings.
pub fn origin(resolved: &str) -> Option<Origin> {
    let resolved = resolved.trim();
    if resolved.is_empty() {
        return None;
    }
    if let Some(git) = git_origin(resolved) {
        return Some(git);
    }
    if let Some(path) = resolved.strip_prefix("file:") {
        let path = path.trim_start_matches("//");
        return Some(Origin {
            source: Source::Path { path: path.to_string() },
            filename: path.ends_with(".tgz").then(|| last_segment(path).to_string()),
            ..Origin::default()
        });
    }
    // GitHub's tarball of a commit, as yarn and pnpm resolve `github:` deps.
    if let Some(rest) = resolved.strip_prefix("https://codeload.github.com/")
        && let [owner, repo, "tar.gz", commit] = rest.split('/').collect::<Vec<_>>()[..]
    {
        let mut o = git_origin(&format!("git+https://github.com/{owner}/{repo}.git#{commit}"))?;
        o.download_url = Some(resolved.to_string());
        return Some(o);
    }
    if resolved.starts_with("http://") || resolved.starts_with("https://") {
        // yarn classic appends `#<sha1>` to the tarball URL.
        let url = resolved.split('#').next().unwrap_or(resolved);
        let filename = last_segment(url.split('?').next().unwrap_or(url));
        let source = if DEFAULT_REGISTRIES.iter().any(|r| url.starts_with(r)) {
            Source::Registry { url: None }
        } else if let Some((base, _)) = url.split_once("/-/") {
            Source::Registry { url: Some(registry_base(base)) }
        } else {
            Source::Url { url: url.to_string() }
        };
        return Some(Origin {
            source,
            download_url: Some(url.to_string()),
            filename: (!filename.is_empty()).then(|| filename.to_string()),
            vcs_url: None,
        });
    }
    None
}

/// `https://npm.example.org/@scope/name` -> `https://npm.example.org`: the
/// registry is the URL before the package's own path.
fn registry_base(before_dash: &str) -> String {
    let mut base = before_dash.rsplit_once('/').map_or(before_dash, |(b, _)| b);
    if let Some((b, last)) = base.rsplit_once('/')
        && last.starts_with('@')
    {
        base = b;
    }
    base.to_string()
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Git sources in the spellings npm, yarn and pnpm write: `git+ssh://…#sha`,
/// `git+https://…`, `git://…`, `github:user/repo#sha`, `git@host:path`,
/// `https://host/path.git#commit=sha` (yarn berry).
fn git_origin(spec: &str) -> Option<Origin> {
    let (url, fragment) = match spec.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (spec, None),
    };
    let url = if let Some(rest) = url.strip_prefix("github:") {
        format!("https://github.com/{}.git", rest.trim_end_matches(".git"))
    } else if let Some(rest) = url.strip_prefix("git+") {
        rest.to_string()
    } else if url.starts_with("git://")
        || url.starts_with("git@")
        || ((url.starts_with("https://") || url.starts_with("ssh://")) && url.ends_with(".git"))
    {
        url.to_string()
    } else {
        return None;
    };
    // A fragment is a commit, a branch/tag, `semver:range`, or yarn berry's
    // `commit=…&…` list.
    let mut commit = None;
    let mut reference = None;
    for part in fragment.into_iter().flat_map(|f| f.split('&')) {
        let (key, value) = part.split_once('=').unwrap_or(("", part));
        let is_sha = value.len() >= 7 && value.bytes().all(|b| b.is_ascii_hexdigit());
        match key {
            "commit" => commit = Some(value.to_string()),
            "" if is_sha => commit = Some(value.to_string()),
            "" | "head" | "tag" | "semver" if !value.is_empty() => reference = Some(value.to_string()),
            _ => {}
        }
    }
    let vcs_url = match &commit {
        Some(c) => format!("git+{url}@{c}"),
        None => format!("git+{url}"),
    };
    Some(Origin { source: Source::Git { url, commit, reference }, vcs_url: Some(vcs_url), ..Origin::default() })
}

/// Apply an origin to a component: source, download URL, file name, and the
/// `vcs_url` qualifier the purl spec defines for packages built from git.
pub fn apply_origin(c: &mut Component, origin: Origin) {
    if let Some(vcs) = &origin.vcs_url {
        let (ns, name) = (c.namespace.as_deref(), c.name.as_str());
        c.purl = Purl::new("npm", ns, name, Some(&c.version)).qualifier("vcs_url", vcs.clone()).to_string();
    }
    c.source = origin.source;
    c.download_url = origin.download_url;
    c.filename = origin.filename;
}

/// Hashes of an SRI `integrity` string, attached to the tarball's file name
/// when known. Returns whether the string held at least one usable digest.
pub fn apply_integrity(c: &mut Component, integrity: &str) -> bool {
    let hashes = Hash::from_sri(integrity);
    let found = !hashes.is_empty();
    for h in hashes {
        let h = match &c.filename {
            Some(f) => h.with_file(f.clone()),
            None => h,
        };
        if !c.hashes.contains(&h) {
            c.hashes.push(h);
        }
    }
    found
}

/// A package.json/package-lock `license` value: a string, the legacy
/// `{type, url}` object, or the legacy `licenses` array (alternatives).
pub fn declared_license(value: &serde_json::Value) -> Option<DeclaredLicense> {
    match value {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(DeclaredLicense::raw(s.trim())),
        serde_json::Value::Object(o) => o.get("type").and_then(|t| t.as_str()).map(DeclaredLicense::raw),
        serde_json::Value::Array(items) => {
            let names: Vec<String> = items.iter().filter_map(|i| declared_license(i).map(|d| d.raw)).collect();
            DeclaredLicense::any_of(&names)
        }
        _ => None,
    }
}

/// How a dependency is declared, which decides the scope of what it reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DepKind {
    Prod,
    Optional,
    Peer,
    Dev,
}

impl DepKind {
    /// The scope a package has when reached from a node of scope `from` by
    /// a dependency of this kind. Peers are installed like ordinary deps.
    fn scope_from(self, from: Scope) -> Scope {
        match self {
            DepKind::Prod | DepKind::Peer => from,
            DepKind::Optional => from.max(Scope::Optional),
            DepKind::Dev => from.max(Scope::Dev),
        }
    }
}

/// Scopes by reachability, for lockfiles that do not record dev-ness (yarn,
/// pnpm 9): a package reachable from a project's production dependencies is
/// Required, else through optional edges Optional, else Dev. `roots` are the
/// projects' direct dependencies with the scope they give; `graph[n]` the
/// outgoing edges of node `n`. A bucket queue over the three scopes keeps
/// this linear in the size of the graph. Unreached nodes get `None`.
pub fn reach_scopes(nodes: usize, roots: &[(usize, Scope)], graph: &[Vec<(usize, DepKind)>]) -> Vec<Option<Scope>> {
    let mut best: Vec<Option<Scope>> = vec![None; nodes];
    let levels = [Scope::Required, Scope::Optional, Scope::Dev];
    let mut queues: Vec<VecDeque<usize>> = vec![VecDeque::new(); levels.len()];
    let level_of = |s: Scope| levels.iter().position(|l| *l == s).unwrap_or(levels.len() - 1);
    let offer = |best: &mut Vec<Option<Scope>>, queues: &mut Vec<VecDeque<usize>>, n: usize, s: Scope| {
        if n < best.len() && best[n].is_none_or(|b| s < b) {
            best[n] = Some(s);
            queues[level_of(s)].push_back(n);
        }
    };
    for &(n, s) in roots {
        offer(&mut best, &mut queues, n, s);
    }
    for (lvl, level) in levels.iter().enumerate() {
        while let Some(n) = queues[lvl].pop_front() {
            if best[n] != Some(*level) {
                continue;
            }
            for &(to, kind) in graph.get(n).map(Vec::as_slice).unwrap_or(&[]) {
                offer(&mut best, &mut queues, to, kind.scope_from(*level));
            }
        }
    }
    best
}

/// The scope a project's direct dependency of this kind gives.
pub fn dep_scope(kind: DepKind) -> Scope {
    match kind {
        DepKind::Prod | DepKind::Peer => Scope::Required,
        DepKind::Optional => Scope::Optional,
        DepKind::Dev => Scope::Dev,
    }
}

/// Scope each component by reachability from the projects. Without any
/// root (no package.json beside the lockfile) nothing is known and every
/// package stays Required.
pub fn apply_scopes<T>(
    entries: &[T],
    refs: &[Option<String>],
    roots: &[(usize, Scope)],
    graph: &[Vec<(usize, DepKind)>],
    components: &mut ComponentSet,
) {
    if !roots.is_empty() {
        assign_scopes(refs, &reach_scopes(entries.len(), roots, graph), components);
    }
}

/// Give each component the strongest scope of the nodes (`refs[i]`, scope
/// `scopes[i]`) that are it. A node no project reaches counts as Required:
/// a stale or foreign entry should not be hidden as dev-only.
pub fn assign_scopes(refs: &[Option<String>], scopes: &[Option<Scope>], components: &mut ComponentSet) {
    let mut best: BTreeMap<&str, Scope> = BTreeMap::new();
    for (r, s) in refs.iter().zip(scopes) {
        if let Some(r) = r {
            let s = s.unwrap_or(Scope::Required);
            best.entry(r).and_modify(|b| *b = (*b).min(s)).or_insert(s);
        }
    }
    for (r, s) in best {
        if let Some(c) = components.get_mut(r) {
            c.scope = Some(s);
        }
    }
}

/// Components keyed by purl: several lockfile entries of one package (nested
/// copies, patched and unpatched, peer variants) fold into one.
#[derive(Default)]
pub struct ComponentSet(BTreeMap<String, Component>);

impl ComponentSet {
    /// Add a component; returns its purl.
    pub fn add(&mut self, c: Component) -> String {
        let purl = c.purl.clone();
        match self.0.get_mut(&purl) {
            Some(existing) => existing.merge(c),
            None => {
                self.0.insert(purl.clone(), c);
            }
        }
        purl
    }

    pub fn get_mut(&mut self, purl: &str) -> Option<&mut Component> {
        self.0.get_mut(purl)
    }

    pub fn into_vec(self) -> Vec<Component> {
        self.0.into_values().collect()
    }
}

/// Line lookup for JSON: the line of every member whose value is an object
/// or an array, keyed by the member's path (keys joined by `\0`).
/// serde_json keeps no positions, and lockfile entries deserve a line in
/// diagnostics and locations. Paths deeper than [`MAX_DEPTH`] are not recorded.
pub fn json_member_lines(text: &str) -> std::collections::HashMap<String, u32> {
    let mut out = std::collections::HashMap::new();
    let bytes = text.as_bytes();
    // Per open container: (is_object, key it sits under).
    let mut stack: Vec<(bool, Option<String>)> = Vec::new();
    let mut expect_key = false;
    let mut last_key: Option<String> = None;
    let mut line = 1u32;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line += 1,
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    if bytes[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                if expect_key && stack.last().is_some_and(|(obj, _)| *obj) {
                    last_key = text.get(start..j.min(bytes.len())).map(str::to_string);
                }
                i = j;
            }
            b':' => expect_key = false,
            b',' => expect_key = stack.last().is_some_and(|(obj, _)| *obj),
            b'{' | b'[' => {
                let is_obj = bytes[i] == b'{';
                let key = if stack.last().is_some_and(|(obj, _)| *obj) { last_key.take() } else { None };
                if stack.len() <= MAX_DEPTH * 2 + 2
                    && let Some(k) = &key
                {
                    let mut path = String::new();
                    for (_, parent) in stack.iter().skip(1) {
                        path.push_str(parent.as_deref().unwrap_or(""));
                        path.push('\0');
                    }
                    path.push_str(k);
                    out.entry(path).or_insert(line);
                }
                stack.push((is_obj, key));
                expect_key = is_obj;
            }
            b'}' | b']' => {
                stack.pop();
                expect_key = false;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// A YAML lockfile's top-level mapping, or an `npm::parse` error (with the
/// line serde_norway reports) in `out`.
pub fn yaml_document(text: &str, path: &str, out: &mut Parsed) -> Option<BTreeMap<String, serde_norway::Value>> {
    match serde_norway::from_str(text) {
        Ok(d) => Some(d),
        Err(e) => {
            let line = e.location().map(|l| l.line() as u32);
            out.diagnostics.push(error("parse", path, line, format!("not valid YAML: {e}")));
            out.completeness = sovra_core::Completeness::Unknown;
            None
        }
    }
}

/// Lines of the top-level keys of a YAML document written in block style
/// (yarn berry, pnpm sections), by unquoted key, under the section `section`
/// (`None` for the document's top level). serde_norway keeps no positions.
pub fn yaml_key_lines(text: &str, section: Option<&str>) -> std::collections::HashMap<String, u32> {
    let mut out = std::collections::HashMap::new();
    let mut inside = section.is_none();
    let mut indent: Option<usize> = None;
    for (n, raw) in text.lines().enumerate() {
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let depth = raw.len() - trimmed.len();
        if let Some(sec) = section
            && depth == 0
        {
            inside = trimmed.strip_suffix(':').is_some_and(|k| unquote(k) == sec);
            indent = None;
            continue;
        }
        if !inside {
            continue;
        }
        let want = *indent.get_or_insert(depth);
        if depth == want
            && let Some(key) = trimmed.strip_suffix(':')
        {
            out.insert(unquote(key).to_string(), n as u32 + 1);
        }
    }
    out
}

/// Strip one level of matching single or double quotes (no escapes: keys
/// in these files are package descriptors).
pub fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['"', '\''] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return &s[1..s.len() - 1];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_descriptors() {
        assert_eq!(split_name("@babel/core"), (Some("@babel"), "core"));
        assert_eq!(split_name("lodash"), (None, "lodash"));
        assert_eq!(split_descriptor("@babel/core@^7.0.0"), Some(("@babel/core", "^7.0.0")));
        assert_eq!(split_descriptor("a@npm:b@1"), Some(("a", "npm:b@1")));
        assert_eq!(split_descriptor("noversion"), None);
        assert_eq!(parse_alias("npm:string-width@^4.2.0"), Some(("string-width", "^4.2.0")));
        assert_eq!(parse_alias("npm:@scope/x@1.0.0"), Some(("@scope/x", "1.0.0")));
        assert_eq!(parse_alias("npm:^1.2.3"), None);
        assert!(is_package_name("@a/b") && is_package_name("b") && !is_package_name("a b"));
        assert!(!is_package_name("@a/") && !is_package_name(""));
    }

    #[test]
    fn scoped_component_purl_is_encoded() {
        assert_eq!(component("@babel/core", "7.24.0").purl, "pkg:npm/%40babel/core@7.24.0");
    }

    #[test]
    fn origins() {
        let o = origin("https://registry.npmjs.org/@babel/core/-/core-7.24.0.tgz").unwrap();
        assert_eq!(o.source, Source::Registry { url: None });
        assert_eq!(o.filename.as_deref(), Some("core-7.24.0.tgz"));
        let o = origin("https://npm.example.org/repo/@a/b/-/b-1.0.0.tgz#abc").unwrap();
        assert_eq!(o.source, Source::Registry { url: Some("https://npm.example.org/repo".into()) });
        assert_eq!(o.download_url.as_deref(), Some("https://npm.example.org/repo/@a/b/-/b-1.0.0.tgz"));
        let o = origin("git+ssh://git@github.com/a/b.git#0123456789abcdef0123456789abcdef01234567").unwrap();
        assert_eq!(
            o.source,
            Source::Git {
                url: "ssh://git@github.com/a/b.git".into(),
                commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
                reference: None
            }
        );
        let o = origin("https://github.com/a/b.git#commit=abcdef12&head=main").unwrap();
        assert!(
            matches!(o.source, Source::Git { commit: Some(ref c), reference: Some(ref r), .. } if c == "abcdef12" && r == "main")
        );
        let o = origin("github:a/b#v1.0").unwrap();
        assert!(
            matches!(o.source, Source::Git { ref url, reference: Some(ref r), commit: None } if url == "https://github.com/a/b.git" && r == "v1.0")
        );
        assert_eq!(origin("file:../x.tgz").unwrap().source, Source::Path { path: "../x.tgz".into() });
        let o = origin("https://example.org/x.tgz").unwrap();
        assert_eq!(o.source, Source::Url { url: "https://example.org/x.tgz".into() });
        assert_eq!(origin("1.2.3"), None);
        let o = origin("https://codeload.github.com/a/b/tar.gz/abcdef1").unwrap();
        assert!(
            matches!(o.source, Source::Git { ref url, commit: Some(ref c), .. } if url == "https://github.com/a/b.git" && c == "abcdef1")
        );
        assert_eq!(o.download_url.as_deref(), Some("https://codeload.github.com/a/b/tar.gz/abcdef1"));
    }

    #[test]
    fn licences() {
        let j: serde_json::Value = serde_json::json!([{"type": "MIT"}, "Apache-2.0"]);
        assert_eq!(declared_license(&j).unwrap().raw, "MIT OR Apache-2.0");
        assert_eq!(declared_license(&serde_json::json!({"type": "ISC"})).unwrap().raw, "ISC");
        assert_eq!(declared_license(&serde_json::json!(1)), None);
    }

    #[test]
    fn reachability_prefers_the_strongest_path() {
        // 0 -> 1 (prod), 2 -> 1 (dev root), 1 -> 3 (optional), 4 unreached.
        let graph =
            vec![vec![(1, DepKind::Prod)], vec![(3, DepKind::Optional)], vec![(1, DepKind::Prod)], vec![], vec![]];
        let s = reach_scopes(5, &[(2, Scope::Dev), (0, Scope::Required)], &graph);
        assert_eq!(
            s,
            vec![Some(Scope::Required), Some(Scope::Required), Some(Scope::Dev), Some(Scope::Optional), None]
        );
    }

    #[test]
    fn json_lines_by_path() {
        let t = "{\n \"packages\": {\n  \"\": {},\n  \"node_modules/a\": {\n   \"x\": [1, {\"y\": 2}]\n  }\n },\n \"b\": 1\n}";
        let m = json_member_lines(t);
        assert_eq!(m.get("packages"), Some(&2));
        assert_eq!(m.get("packages\0"), Some(&3));
        assert_eq!(m.get("packages\0node_modules/a"), Some(&4));
        assert_eq!(m.get("packages\0node_modules/a\0x"), Some(&5));
        assert_eq!(m.len(), 4);
    }

    #[test]
    fn yaml_lines() {
        let t = "a: 1\npackages:\n\n  /x/1.0.0:\n    resolution: {}\n  '/@s/y/2.0.0':\n    dev: true\nother:\n  z:\n";
        let m = yaml_key_lines(t, Some("packages"));
        assert_eq!(m.get("/x/1.0.0"), Some(&4));
        assert_eq!(m.get("/@s/y/2.0.0"), Some(&6));
        assert_eq!(m.len(), 2);
        assert_eq!(yaml_key_lines(t, None).get("packages"), Some(&2));
    }
}
