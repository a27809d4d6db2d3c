//! pip requirements files (`requirements*.txt`, `requirements/*.txt`, the
//! `.in` inputs of pip-compile) and the files they include.
//!
//! Only pinned requirements (`name==1.0`, `name===1.0`, a VCS URL at a
//! revision, a direct archive URL) become components: a range or a bare name
//! locks nothing, and reporting "some version of flask" as a component would
//! put an invented version into the SBOM. Those are reported as
//! `python::unpinned` diagnostics instead, unless a constraints file (`-c`)
//! pins them. Pins that appear only in constraints files restrict versions
//! but install nothing, so they are no components either.
//!
//! pip-compile output names each package's dependents in `# via` comments;
//! they are read as edges. A file whose name says dev/test/lint/docs marks
//! its packages Dev, and so does everything it includes.

use std::collections::{BTreeMap, BTreeSet};

use sovra_core::plugin::{SourceTree, file_name, join_rel, parent_dir, read_text};
use sovra_core::{Completeness, Component, Scope, Source};

use crate::common;
use crate::lock::Lock;
use crate::pep508;

/// Deepest chain of `-r`/`-c` includes followed; real projects use two or three.
const MAX_INCLUDE_DEPTH: usize = 16;
/// Most files one unit reads through includes.
const MAX_FILES: usize = 256;

/// Words in a file or directory name that mark requirements for development only.
const DEV_WORDS: &[&str] = &[
    "dev",
    "develop",
    "development",
    "test",
    "tests",
    "testing",
    "lint",
    "linting",
    "docs",
    "doc",
    "typing",
    "mypy",
    "style",
    "ci",
    "coverage",
    "bench",
    "benchmark",
    "benchmarks",
];

/// Whether a requirements file's name says it is for development only
/// (`requirements-dev.txt`, `requirements/tests.txt`, `dev-requirements.txt`, `test/requirements.txt`).
pub fn is_dev_file(path: &str) -> bool {
    let words = |s: &str| -> bool {
        s.to_ascii_lowercase().split(|c: char| !c.is_ascii_alphanumeric()).any(|w| DEV_WORDS.contains(&w))
    };
    words(file_name(path)) || words(file_name(parent_dir(path)))
}

/// The `-r`/`-c` targets of a file, resolved against its directory. Used to
/// group files into units without parsing them fully.
pub fn includes(text: &str, path: &str) -> Vec<String> {
    logical_lines(text)
        .into_iter()
        .filter_map(|(_, l)| {
            let (opt, value) = split_option(&l)?;
            matches!(opt, "-r" | "--requirement" | "-c" | "--constraint").then_some(value)?
        })
        .filter_map(|v| join_rel(parent_dir(path), &v))
        .collect()
}

/// Read the requirements file `root` and everything it includes.
pub fn parse_requirements(tree: &dyn SourceTree, root: &str) -> Lock {
    let mut w = Walker::new(tree);
    let scope = if is_dev_file(root) { Scope::Dev } else { Scope::Required };
    w.file(root, scope, false, &mut Vec::new());
    w.finish()
}

/// A pinned requirement seen in a constraints file.
struct Constraint {
    component: Component,
    used: bool,
}

struct Walker<'t> {
    tree: &'t dyn SourceTree,
    lock: Lock,
    /// Files done, with the strongest scope and kind they were read with.
    done: BTreeMap<String, (Scope, bool)>,
    constraints: BTreeMap<String, Constraint>,
    /// Unpinned requirements: name, scope, file, line.
    unpinned: Vec<(String, Scope, String, u32)>,
    /// `# via` annotations: (file, dependent, dependency) by normalised names.
    vias: Vec<(String, String, String)>,
    /// Purl of each pin per file and name, to resolve `# via` inside its file.
    pins: BTreeMap<(String, String), String>,
    index_url: Option<String>,
    extra_index_urls: BTreeSet<String>,
}

impl<'t> Walker<'t> {
    fn new(tree: &'t dyn SourceTree) -> Walker<'t> {
        Walker {
            tree,
            lock: Lock::default(),
            done: BTreeMap::new(),
            constraints: BTreeMap::new(),
            unpinned: Vec::new(),
            vias: Vec::new(),
            pins: BTreeMap::new(),
            index_url: None,
            extra_index_urls: BTreeSet::new(),
        }
    }

    fn file(&mut self, path: &str, inherited: Scope, constraint: bool, stack: &mut Vec<String>) {
        let scope = if is_dev_file(path) { Scope::Dev } else { inherited };
        // Read again only when reached with a stronger scope, or as requirements after constraints.
        if self.done.get(path).is_some_and(|(s, c)| *s <= scope && *c <= constraint) {
            return;
        }
        if self.done.len() >= MAX_FILES {
            self.lock.parsed.diagnostics.push(common::error(
                "too-many-includes",
                path,
                None,
                format!("more than {MAX_FILES} requirements files through includes; not reading further"),
            ));
            return;
        }
        self.done.insert(path.to_string(), (scope, constraint));
        self.lock.parsed.files.push(path.to_string());
        let text = match read_text(self.tree, path, common::ID) {
            Ok(t) => t,
            Err(d) => {
                self.lock.parsed.diagnostics.push(d);
                return;
            }
        };
        stack.push(path.to_string());
        let logical: BTreeMap<u32, String> = logical_lines(&text).into_iter().collect();
        // The requirement a `# via` comment below it belongs to.
        let mut current: Option<String> = None;
        let mut in_via = false;
        for (i, raw) in text.lines().enumerate() {
            if let Some(l) = logical.get(&(i as u32 + 1)) {
                in_via = false;
                current = if l.starts_with('-') {
                    self.option(l, path, i as u32 + 1, scope, constraint, stack);
                    None
                } else {
                    self.requirement(l, path, i as u32 + 1, scope, constraint)
                };
            } else if let Some(comment) = raw.trim().strip_prefix('#') {
                let comment = comment.trim();
                if let Some(rest) = comment.strip_prefix("via") {
                    in_via = true;
                    self.via(path, current.as_deref(), rest);
                } else if in_via {
                    self.via(path, current.as_deref(), comment);
                }
            }
        }
        stack.pop();
    }

    /// Record a `# via` dependent of the requirement above the comment.
    fn via(&mut self, path: &str, current: Option<&str>, text: &str) {
        let (Some(child), Some(parent)) = (current, text.split_whitespace().next()) else { return };
        // `-r file.in` / `-c file` name the input file: a direct requirement.
        if parent.starts_with('-') {
            return;
        }
        let parent = parent.split('[').next().unwrap_or(parent);
        if common::valid_name(parent) {
            self.vias.push((path.to_string(), common::normalize(parent), child.to_string()));
        }
    }

    fn option(&mut self, l: &str, path: &str, line: u32, scope: Scope, constraint: bool, stack: &mut Vec<String>) {
        let Some((opt, value)) = split_option(l) else { return };
        let value = value.unwrap_or_default();
        match opt {
            "-r" | "--requirement" | "-c" | "--constraint" => {
                let as_constraint = constraint || opt.starts_with("-c") || opt == "--constraint";
                let Some(target) = join_rel(parent_dir(path), &value).filter(|_| !value.is_empty()) else {
                    self.lock.parsed.diagnostics.push(common::error(
                        "missing-include",
                        path,
                        Some(line),
                        format!("include `{value}` leaves the scanned tree"),
                    ));
                    return;
                };
                if stack.contains(&target) {
                    self.lock.parsed.diagnostics.push(common::warning(
                        "include-cycle",
                        path,
                        Some(line),
                        format!("`{value}` includes itself through {}; not followed again", stack.join(" -> ")),
                    ));
                } else if stack.len() >= MAX_INCLUDE_DEPTH {
                    self.lock.parsed.diagnostics.push(common::error(
                        "include-depth",
                        path,
                        Some(line),
                        format!("includes nested deeper than {MAX_INCLUDE_DEPTH}; `{value}` not read"),
                    ));
                } else if !self.tree.exists(&target) {
                    self.lock.parsed.diagnostics.push(common::error(
                        "missing-include",
                        path,
                        Some(line),
                        format!("included file `{value}` ({target}) does not exist"),
                    ));
                } else {
                    self.file(&target, scope, as_constraint, stack);
                }
            }
            "-e" | "--editable" => {
                if let Some(c) = self.direct(&value, path, line, scope) {
                    let mut c = c;
                    c.properties.insert(common::prop("editable"), "true".into());
                    self.add(c, path, constraint);
                }
            }
            "-i" | "--index-url" => {
                self.index_url.get_or_insert(value);
            }
            "--extra-index-url" => {
                self.extra_index_urls.insert(value);
            }
            "-f" | "--find-links" | "--no-index" | "--pre" | "--trusted-host" | "--prefer-binary"
            | "--require-hashes" | "--only-binary" | "--no-binary" | "--use-feature" | "--config-settings"
            | "--global-option" | "--install-option" | "--hash" => {}
            other => self.lock.parsed.diagnostics.push(common::warning(
                "unknown-option",
                path,
                Some(line),
                format!("unknown requirements-file option `{other}`"),
            )),
        }
    }

    /// One requirement line; returns the normalised name for `# via` comments.
    fn requirement(&mut self, l: &str, path: &str, line: u32, scope: Scope, constraint: bool) -> Option<String> {
        let (spec, opts) = split_trailing_options(l);
        let hashes: Vec<_> =
            opts.iter().filter(|(k, _)| k == "--hash").filter_map(|(_, v)| common::parse_hash(v)).collect();
        let direct_start =
            spec.starts_with(['.', '/']) || spec.contains("://") && !spec.contains(" @") && !spec.contains("@ ");
        let mut c = if direct_start {
            self.direct(spec, path, line, scope)?
        } else {
            let Some(r) = pep508::parse(spec) else {
                self.lock.parsed.diagnostics.push(common::warning(
                    "invalid-requirement",
                    path,
                    Some(line),
                    format!("cannot parse requirement `{spec}`"),
                ));
                return None;
            };
            let mut c = match (&r.url, r.pinned_version()) {
                (Some(url), _) => self.direct_url(url, Some(&r.name), path, line)?,
                (None, Some(v)) => common::component(&r.name, v, path, Some(line)),
                (None, None) => {
                    if !constraint {
                        self.unpinned.push((common::normalize(&r.name), scope, path.to_string(), line));
                    }
                    return Some(common::normalize(&r.name));
                }
            };
            if let Some(m) = &r.marker {
                c.properties.insert(common::prop("marker"), m.clone());
            }
            if !r.extras.is_empty() {
                c.properties.insert(common::prop("extras"), r.extras.join(","));
            }
            c
        };
        c.scope = Some(scope);
        c.hashes.extend(hashes);
        let name = c.name.clone();
        self.add(c, path, constraint);
        Some(name)
    }

    /// A requirement given as a URL or path (`-e`, a bare URL, `name @ url`).
    fn direct(&mut self, spec: &str, path: &str, line: u32, scope: Scope) -> Option<Component> {
        let spec = spec.trim();
        if let Some(r) = pep508::parse(spec).filter(|r| r.url.is_some()) {
            let mut c = self.direct_url(r.url.as_deref()?, Some(&r.name), path, line)?;
            c.scope = Some(scope);
            return Some(c);
        }
        let mut c = self.direct_url(spec, None, path, line)?;
        c.scope = Some(scope);
        Some(c)
    }

    /// A VCS URL, an archive URL or a local path, with the name from `name @`
    /// or `#egg=`. Local directories are first-party and become projects.
    fn direct_url(&mut self, url: &str, name: Option<&str>, path: &str, line: u32) -> Option<Component> {
        let (base, fragment) = url.split_once('#').unwrap_or((url, ""));
        let egg = fragment.split('&').find_map(|kv| kv.strip_prefix("egg="));
        let file = common::url_file_name(base);
        let name =
            name.or(egg).map(str::to_string).or_else(|| file.filter(|f| common::is_archive(f)).and_then(dist_name));
        let vcs = ["git+", "hg+", "svn+", "bzr+"].iter().any(|p| base.starts_with(p));
        let local = !base.contains("://") || base.starts_with("file:");
        let diags = &mut self.lock.parsed.diagnostics;
        if local && !common::is_archive(base) {
            let rel = base.trim_start_matches("file://").trim_start_matches("file:");
            let dir = join_rel(parent_dir(path), rel).unwrap_or_else(|| rel.to_string());
            let manifest = join_rel(&dir, "pyproject.toml").unwrap_or_default();
            // The directory's own manifest names the project, so that the
            // reference matches the one its pyproject.toml unit gives.
            let own = read_text(self.tree, &manifest, common::ID)
                .ok()
                .and_then(|t| crate::pyproject::parse_pyproject(&t, &manifest).0);
            let version = own.as_ref().map(|m| m.project.component.version.clone()).filter(|v| !v.is_empty());
            let pname = own.map(|m| m.name().to_string()).or(name).unwrap_or_else(|| file_name(&dir).to_string());
            if common::valid_name(&pname) {
                let p = common::project(&pname, version.as_deref(), &dir, &manifest, Some(line));
                self.lock.index(&pname, &p.bom_ref.clone());
                self.lock.parsed.projects.push(p);
            }
            return None;
        }
        let Some(name) = name.filter(|n| common::valid_name(n)) else {
            diags.push(common::warning(
                "invalid-requirement",
                path,
                Some(line),
                format!("cannot tell the package name of `{url}` (add `#egg=name` or `name @`)"),
            ));
            return None;
        };
        if vcs {
            let (repo, rev) = split_vcs_rev(base);
            let Some(rev) = rev else {
                diags.push(common::warning(
                    "unpinned",
                    path,
                    Some(line),
                    format!("`{name}` from {repo} names no revision; not reported as a component"),
                ));
                return None;
            };
            let mut c = common::component(&name, rev, path, Some(line));
            let commit = (rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit())).then(|| rev.to_string());
            let reference = commit.is_none().then(|| rev.to_string());
            let repo = repo.split_once('+').map_or(repo, |(_, r)| r);
            common::set_source(&mut c, Source::Git { url: repo.to_string(), commit, reference });
            return Some(c);
        }
        let version = file.and_then(common::version_from_file_name).unwrap_or_default();
        let mut c = common::component(&name, &version, path, Some(line));
        c.filename = file.map(str::to_string);
        if local {
            c.source = Source::Path { path: base.to_string() };
        } else {
            common::set_source(&mut c, Source::Url { url: base.to_string() });
        }
        Some(c)
    }

    fn add(&mut self, c: Component, path: &str, constraint: bool) {
        if constraint {
            self.constraints.entry(c.name.clone()).or_insert(Constraint { component: c, used: false });
            return;
        }
        self.pins.insert((path.to_string(), c.name.clone()), c.purl.clone());
        self.lock.index(&c.name, &c.purl);
        self.lock.parsed.components.push(c);
    }

    fn finish(mut self) -> Lock {
        let unpinned = std::mem::take(&mut self.unpinned);
        let mut open = 0;
        for (name, scope, file, line) in unpinned {
            if !self.lock.lookup(&name).is_empty() {
                continue;
            }
            match self.constraints.get_mut(&name) {
                Some(con) => {
                    con.used = true;
                    let mut c = con.component.clone();
                    c.scope = Some(scope);
                    c.locations.push(sovra_core::Location::new(&file, Some(line)));
                    self.lock.index(&name, &c.purl);
                    self.lock.parsed.components.push(c);
                }
                None => {
                    open += 1;
                    self.lock.parsed.diagnostics.push(common::warning(
                        "unpinned",
                        &file,
                        Some(line),
                        format!("`{name}` is not pinned to one version (no `==`); not reported as a component"),
                    ));
                }
            }
        }
        let unused = self.constraints.values().filter(|c| !c.used).count();
        if unused > 0 {
            let first =
                self.constraints.values().find(|c| !c.used).and_then(|c| c.component.locations.first().cloned());
            let loc = first.unwrap_or_else(|| sovra_core::Location::new("", None));
            self.lock.parsed.diagnostics.push(common::info(
                "constraints-only",
                &loc.file,
                loc.line,
                format!("{unused} pins appear only in constraints files; they restrict versions but install nothing"),
            ));
        }
        for (file, parent, child) in std::mem::take(&mut self.vias) {
            let (Some(from), Some(to)) = (self.pins.get(&(file.clone(), parent)), self.pins.get(&(file, child))) else {
                continue;
            };
            self.lock.parsed.edges.push((from.clone(), to.clone()));
        }
        let registry = common::registry(self.index_url.as_deref());
        let extra = self.extra_index_urls.iter().cloned().collect::<Vec<_>>().join(" ");
        for c in &mut self.lock.parsed.components {
            if c.source == Source::default() {
                c.source = registry.clone();
                if !extra.is_empty() {
                    c.properties.insert(common::prop("extra-index-urls"), extra.clone());
                }
            }
        }
        self.lock.parsed.completeness = match (open, self.lock.parsed.edges.is_empty()) {
            (0, false) => Completeness::Complete,
            (0, true) => Completeness::IncompleteFirstPartyOnly,
            _ => Completeness::Incomplete,
        };
        self.lock
    }
}

/// The name of a distribution from its file name (`foo_bar-1.0-py3-none-any.whl`, `foo-bar-1.0.tar.gz`).
fn dist_name(file: &str) -> Option<String> {
    let version = common::version_from_file_name(file)?;
    let cut = file.find(&format!("-{version}"))?;
    Some(file[..cut].to_string())
}

/// `git+https://host/repo.git@rev` -> (`git+https://host/repo.git`, `rev`). The
/// revision's `@` follows the last `/`, which tells it from `git@host` user info.
fn split_vcs_rev(url: &str) -> (&str, Option<&str>) {
    let last_slash = url.rfind('/').unwrap_or(0);
    match url[last_slash..].rfind('@') {
        Some(i) => {
            let at = last_slash + i;
            (&url[..at], Some(&url[at + 1..]).filter(|r| !r.is_empty()))
        }
        None => (url, None),
    }
}

/// Logical lines: continuations (`\` at the end) joined, comments (`#` at
/// the start or after whitespace) removed, blank lines dropped. Each comes
/// with the line it starts on.
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut current: Option<(u32, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.trim_end_matches('\r');
        let n = i as u32 + 1;
        // A comment line inside a continuation ends it, as pip does.
        if current.is_some() && raw.trim_start().starts_with('#') {
            out.extend(current.take());
            continue;
        }
        let (start, mut buf) = current.take().unwrap_or((n, String::new()));
        match raw.strip_suffix('\\') {
            Some(part) => {
                buf.push_str(part);
                buf.push(' ');
                current = Some((start, buf));
            }
            None => {
                buf.push_str(raw);
                out.push((start, buf));
            }
        }
    }
    out.extend(current);
    out.into_iter().map(|(n, l)| (n, strip_comment(&l).trim().to_string())).filter(|(_, l)| !l.is_empty()).collect()
}

fn strip_comment(l: &str) -> &str {
    let b = l.as_bytes();
    for (i, c) in b.iter().enumerate() {
        if *c == b'#' && (i == 0 || b[i - 1].is_ascii_whitespace()) {
            return &l[..i];
        }
    }
    l
}

/// `-r file`, `-rfile`, `--requirement=file`, `--requirement file` -> (option, value).
fn split_option(l: &str) -> Option<(&str, Option<String>)> {
    let l = l.trim();
    if !l.starts_with('-') {
        return None;
    }
    let (opt, rest) = match l.find([' ', '\t', '=']) {
        Some(i) => (&l[..i], l[i + 1..].trim()),
        None => (l, ""),
    };
    // Short options may carry their value attached: `-rfile.txt`. The option
    // letter is a char, not a byte: a garbled line may put a multi-byte one there.
    let (opt, rest) = match opt.char_indices().nth(2) {
        Some((i, _)) if !opt.starts_with("--") => (&opt[..i], l[i..].trim()),
        _ => (opt, rest),
    };
    let value = rest.split_whitespace().next().map(|v| v.trim_matches(['"', '\'']).to_string());
    Some((opt, value))
}

/// `spec --hash=sha256:... --hash sha256:...` -> (spec, [(option, value)]).
/// Options start at the first whitespace followed by `-`.
fn split_trailing_options(l: &str) -> (&str, Vec<(String, String)>) {
    let b = l.as_bytes();
    let start = (1..b.len()).find(|&i| b[i] == b'-' && b[i - 1].is_ascii_whitespace());
    let Some(start) = start else { return (l.trim(), Vec::new()) };
    let mut opts = Vec::new();
    let mut tokens = l[start..].split_whitespace().peekable();
    while let Some(t) = tokens.next() {
        if let Some((k, v)) = t.split_once('=') {
            opts.push((k.to_string(), v.to_string()));
        } else if tokens.peek().is_some_and(|n| !n.starts_with('-')) {
            let v = tokens.next().unwrap_or_default();
            opts.push((t.to_string(), v.to_string()));
        } else {
            opts.push((t.to_string(), String::new()));
        }
    }
    (l[..start].trim(), opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_lines_join_and_strip() {
        let t = "a==1 \\\n  --hash=sha256:x # c\n# full\n\nb @ https://h/x#egg=b\nc==2 \\\n# stop\n";
        assert_eq!(
            logical_lines(t),
            vec![
                (1, "a==1    --hash=sha256:x".to_string()),
                (5, "b @ https://h/x#egg=b".to_string()),
                (6, "c==2".to_string())
            ]
        );
    }

    #[test]
    fn dev_file_names() {
        assert!(is_dev_file("requirements-dev.txt"));
        assert!(is_dev_file("requirements/tests.txt"));
        assert!(is_dev_file("dev-requirements.txt"));
        assert!(is_dev_file("requirements/docs-blog.txt"));
        assert!(!is_dev_file("requirements/main.txt"));
        assert!(!is_dev_file("requirements.txt"));
        assert!(!is_dev_file("requirements/deploy.txt"));
    }

    #[test]
    fn vcs_revisions() {
        assert_eq!(split_vcs_rev("git+ssh://git@h.org/a/b.git@v1"), ("git+ssh://git@h.org/a/b.git", Some("v1")));
        assert_eq!(split_vcs_rev("git+ssh://git@h.org/a/b.git"), ("git+ssh://git@h.org/a/b.git", None));
    }

    #[test]
    fn options() {
        assert_eq!(split_option("-rbase.txt"), Some(("-r", Some("base.txt".into()))));
        assert_eq!(split_option("--requirement=base.txt"), Some(("--requirement", Some("base.txt".into()))));
        assert_eq!(split_option("-c  cons.txt"), Some(("-c", Some("cons.txt".into()))));
    }

    /// Found by fuzzing: a multi-byte character right after the dash was cut
    /// inside, which panicked.
    #[test]
    fn short_option_with_a_multibyte_letter() {
        assert_eq!(split_option("-\u{316}ndex-url x"), Some(("-\u{316}", Some("ndex-url".into()))));
        assert_eq!(split_option("-é"), Some(("-é", None)));
    }
}
