//! `Cargo.lock`, formats v1 to v4.
//!
//! The versions differ in three ways: v1 keeps the checksums in a
//! `[metadata]` table keyed `"checksum NAME VERSION (SOURCE)"`, v2 and later
//! put a `checksum` on each package; v1 writes every dependency as
//! `"name version (source)"`, v2 and later only as much as makes it unique
//! (`"name"`, `"name version"`, `"name version (source)"`); v3 and v4 add the
//! top-level `version` key (v4 also changed how git `?branch=` references are
//! percent-encoded, which does not concern us). [`parse_lockfile`] reads all of
//! them into one [`Lockfile`] and resolves each dependency to a package index.

use std::collections::BTreeMap;

use serde::Deserialize;
use sovra_core::plugin::line_of;
use sovra_core::{Diagnostic, Location, Source};
use toml::Spanned;

/// The newest format this parser knows; a newer one is read as far as it goes.
const NEWEST_FORMAT: i64 = 4;

const CRATES_IO_GIT_INDEX: &str = "https://github.com/rust-lang/crates.io-index";
const CRATES_IO_SPARSE_INDEX: &str = "https://index.crates.io/";

/// One `[[package]]` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct LockPackage {
    pub name: String,
    pub version: String,
    /// The `source` string as written; `None` for workspace members and path packages.
    pub source: Option<String>,
    /// SHA-256 of the `.crate` file, lower-case hex.
    pub checksum: Option<String>,
    /// Resolved `dependencies`, as indices into [`Lockfile::packages`], sorted.
    pub dependencies: Vec<usize>,
    /// 1-based line of the `[[package]]` header.
    pub line: u32,
}

impl LockPackage {
    /// First-party: a workspace member or a path dependency.
    pub fn is_local(&self) -> bool {
        self.source.as_deref().is_none_or(|s| s.starts_with("path+"))
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lockfile {
    /// The `version` key (absent in v1 and v2).
    pub format: Option<i64>,
    pub packages: Vec<LockPackage>,
}

/// What a `source` string says about where a package comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CrateSource {
    CratesIo,
    /// Another registry, by its index URL as cargo's configuration writes it
    /// (`sparse+` kept, since it is part of a sparse index's address; `registry+` dropped).
    Registry(String),
    Git {
        url: String,
        reference: Option<String>,
        commit: Option<String>,
    },
    /// A `path+file://` source (only in hand-edited or unusual lockfiles).
    Path(String),
    /// A scheme this parser does not know, as written.
    Unknown(String),
}

impl CrateSource {
    pub fn parse(source: &str) -> CrateSource {
        if let Some(url) = source.strip_prefix("registry+") {
            if url.trim_end_matches('/') == CRATES_IO_GIT_INDEX {
                return CrateSource::CratesIo;
            }
            return CrateSource::Registry(url.to_string());
        }
        if let Some(url) = source.strip_prefix("sparse+") {
            if url == CRATES_IO_SPARSE_INDEX || url == CRATES_IO_SPARSE_INDEX.trim_end_matches('/') {
                return CrateSource::CratesIo;
            }
            return CrateSource::Registry(source.to_string());
        }
        if let Some(rest) = source.strip_prefix("git+") {
            let (rest, commit) = match rest.split_once('#') {
                Some((r, c)) if !c.is_empty() => (r, Some(c.to_string())),
                Some((r, _)) => (r, None),
                None => (rest, None),
            };
            let (url, query) = rest.split_once('?').unwrap_or((rest, ""));
            let reference = query
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| matches!(*k, "branch" | "tag" | "rev"))
                .map(|(_, v)| percent_decode(v));
            return CrateSource::Git { url: url.to_string(), reference, commit };
        }
        if let Some(url) = source.strip_prefix("path+") {
            return CrateSource::Path(url.strip_prefix("file://").unwrap_or(url).to_string());
        }
        CrateSource::Unknown(source.to_string())
    }

    /// The model's view of the source.
    pub fn to_model(&self) -> Source {
        match self {
            CrateSource::CratesIo => Source::Registry { url: None },
            CrateSource::Registry(url) | CrateSource::Unknown(url) => Source::Registry { url: Some(url.clone()) },
            CrateSource::Git { url, reference, commit } => {
                Source::Git { url: url.clone(), commit: commit.clone(), reference: reference.clone() }
            }
            CrateSource::Path(path) => Source::Path { path: path.clone() },
        }
    }
}

/// `%XX` escapes decoded; invalid escapes are kept as written.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

#[derive(Deserialize)]
struct RawLock {
    version: Option<toml::Value>,
    #[serde(default)]
    package: Vec<Spanned<toml::Table>>,
    /// Lockfiles of cargo before 0.19 (2017) held the root package here.
    root: Option<Spanned<toml::Table>>,
    metadata: Option<toml::Table>,
}

/// A `dependencies` entry: `name`, `name version` or `name version (source)`.
#[derive(Debug, PartialEq, Eq)]
struct DepRef<'a> {
    name: &'a str,
    version: Option<&'a str>,
    source: Option<&'a str>,
}

impl<'a> DepRef<'a> {
    fn parse(s: &'a str) -> Option<DepRef<'a>> {
        let mut parts = s.splitn(3, ' ');
        let name = parts.next().filter(|n| !n.is_empty())?;
        let version = parts.next();
        let source = match parts.next() {
            Some(src) => Some(src.strip_prefix('(')?.strip_suffix(')')?),
            None => None,
        };
        Some(DepRef { name, version, source })
    }
}

/// Parse a Cargo.lock. Everything that cannot be used becomes a diagnostic
/// located in `path`; a file that is not TOML at all gives an empty lockfile.
pub fn parse_lockfile(text: &str, path: &str) -> (Lockfile, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let raw: RawLock = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start));
            diags.push(Diagnostic::error(
                "cargo::parse",
                Location::new(path, line),
                format!("not a valid Cargo.lock: {}", e.message().trim()),
            ));
            return (Lockfile::default(), diags);
        }
    };
    let loc = |line: Option<u32>| Location::new(path, line);
    let format = match &raw.version {
        None => None,
        Some(toml::Value::Integer(v)) => {
            if *v > NEWEST_FORMAT || *v < 1 {
                diags.push(Diagnostic::warning(
                    "cargo::unknown-format",
                    loc(Some(version_line(text))),
                    format!("Cargo.lock format version {v} is not known; read as version {NEWEST_FORMAT}"),
                ));
            }
            Some(*v)
        }
        Some(other) => {
            diags.push(Diagnostic::warning(
                "cargo::unknown-format",
                loc(Some(version_line(text))),
                format!("Cargo.lock `version` should be an integer, found {}", other.type_str()),
            ));
            None
        }
    };

    let metadata_checksums = metadata_checksums(raw.metadata.as_ref(), path, &mut diags);
    let mut packages = Vec::new();
    let mut raw_deps: Vec<Vec<String>> = Vec::new();
    for entry in raw.root.iter().chain(raw.package.iter()) {
        // toml spans a table of an array of tables by its `[[package]]` header.
        let line = line_of(text, entry.span().start);
        let table = entry.get_ref();
        let field = |key: &str| -> Result<Option<String>, String> {
            match table.get(key) {
                None => Ok(None),
                Some(toml::Value::String(s)) => Ok(Some(s.clone())),
                Some(v) => Err(format!("`{key}` should be a string, found {}", v.type_str())),
            }
        };
        let read = (|| -> Result<(String, String, Option<String>, Option<String>), String> {
            let name = field("name")?.ok_or("package has no `name`")?;
            let version = field("version")?.ok_or_else(|| format!("package `{name}` has no `version`"))?;
            Ok((name, version, field("source")?, field("checksum")?))
        })();
        let (name, version, source, checksum) = match read {
            Ok(parts) => parts,
            Err(msg) => {
                diags.push(Diagnostic::error("cargo::bad-package", loc(Some(line)), format!("{msg}; entry skipped")));
                continue;
            }
        };
        let checksum = checksum.or_else(|| {
            let src = source.as_deref().unwrap_or_default();
            metadata_checksums.get(&format!("{name} {version} ({src})")).cloned()
        });
        let checksum = match checksum {
            Some(c) if is_sha256_hex(&c) => Some(c.to_ascii_lowercase()),
            Some(c) => {
                diags.push(Diagnostic::warning(
                    "cargo::bad-checksum",
                    loc(Some(line)),
                    format!("checksum of {name} {version} is not a SHA-256 hex digest: {c:?}"),
                ));
                None
            }
            None => None,
        };
        let deps = match table.get("dependencies") {
            None => Vec::new(),
            Some(toml::Value::Array(items)) => items
                .iter()
                .filter_map(|item| match item {
                    toml::Value::String(s) => Some(s.clone()),
                    other => {
                        diags.push(Diagnostic::warning(
                            "cargo::bad-dependency",
                            loc(Some(line)),
                            format!("dependency of {name} should be a string, found {}", other.type_str()),
                        ));
                        None
                    }
                })
                .collect(),
            Some(other) => {
                diags.push(Diagnostic::warning(
                    "cargo::bad-dependency",
                    loc(Some(line)),
                    format!("`dependencies` of {name} should be an array, found {}", other.type_str()),
                ));
                Vec::new()
            }
        };
        packages.push(LockPackage { name, version, source, checksum, dependencies: Vec::new(), line });
        raw_deps.push(deps);
    }
    report_duplicates(&packages, path, &mut diags);

    let mut lock = Lockfile { format, packages };
    resolve_dependencies(&mut lock, raw_deps, path, &mut diags);
    (lock, diags)
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// v1 `[metadata]`: `"checksum NAME VERSION (SOURCE)" = "hex"`, keyed without the `checksum ` prefix.
/// Packages without a checksum (git) are written `"<none>"`.
fn metadata_checksums(
    metadata: Option<&toml::Table>,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (key, value) in metadata.into_iter().flatten() {
        let Some(id) = key.strip_prefix("checksum ") else { continue };
        match value {
            toml::Value::String(s) if s == "<none>" => {}
            toml::Value::String(s) => {
                out.insert(id.to_string(), s.clone());
            }
            other => diags.push(Diagnostic::warning(
                "cargo::bad-checksum",
                Location::new(path, None),
                format!("[metadata] checksum of {id} should be a string, found {}", other.type_str()),
            )),
        }
    }
    out
}

fn report_duplicates(packages: &[LockPackage], path: &str, diags: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<(&str, &str, Option<&str>), u32> = BTreeMap::new();
    for p in packages {
        let key = (p.name.as_str(), p.version.as_str(), p.source.as_deref());
        if let Some(first) = seen.insert(key, p.line) {
            diags.push(Diagnostic::warning(
                "cargo::duplicate-package",
                Location::new(path, Some(p.line)),
                format!("{} {} is listed twice (first at line {first})", p.name, p.version),
            ));
        }
    }
}

/// Turn each `dependencies` string into the index of the one package it names.
fn resolve_dependencies(lock: &mut Lockfile, raw_deps: Vec<Vec<String>>, path: &str, diags: &mut Vec<Diagnostic>) {
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in lock.packages.iter().enumerate() {
        by_name.entry(p.name.as_str()).or_default().push(i);
    }
    let mut resolved: Vec<Vec<usize>> = Vec::with_capacity(raw_deps.len());
    for (owner, deps) in raw_deps.iter().enumerate() {
        let owner_pkg = &lock.packages[owner];
        let mut out = Vec::new();
        for dep in deps {
            let problem = match DepRef::parse(dep) {
                None => Some("is not `name [version [(source)]]`".to_string()),
                Some(r) => {
                    let candidates: Vec<usize> = by_name
                        .get(r.name)
                        .into_iter()
                        .flatten()
                        .copied()
                        .filter(|&i| {
                            let p = &lock.packages[i];
                            r.version.is_none_or(|v| p.version == v)
                                && r.source.is_none_or(|s| p.source.as_deref() == Some(s))
                        })
                        .collect();
                    match candidates.as_slice() {
                        [one] => {
                            out.push(*one);
                            None
                        }
                        [] => Some("names no package of this lockfile".to_string()),
                        many => Some(format!("matches {} packages", many.len())),
                    }
                }
            };
            if let Some(problem) = problem {
                diags.push(Diagnostic::warning(
                    "cargo::unresolved-dependency",
                    Location::new(path, Some(owner_pkg.line)),
                    format!("dependency {dep:?} of {} {} {problem}; edge dropped", owner_pkg.name, owner_pkg.version),
                ));
            }
        }
        out.sort_unstable();
        out.dedup();
        resolved.push(out);
    }
    for (p, deps) in lock.packages.iter_mut().zip(resolved) {
        p.dependencies = deps;
    }
}

fn version_line(text: &str) -> u32 {
    text.lines().position(|l| l.trim_start().starts_with("version")).map_or(1, |i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dep_refs_of_every_format() {
        assert_eq!(
            DepRef::parse("memchr 2.3.3 (registry+https://github.com/rust-lang/crates.io-index)"),
            Some(DepRef {
                name: "memchr",
                version: Some("2.3.3"),
                source: Some("registry+https://github.com/rust-lang/crates.io-index")
            })
        );
        assert_eq!(
            DepRef::parse("memchr 2.3.3"),
            Some(DepRef { name: "memchr", version: Some("2.3.3"), source: None })
        );
        assert_eq!(DepRef::parse("memchr"), Some(DepRef { name: "memchr", version: None, source: None }));
        assert_eq!(DepRef::parse("a 1 source-without-parens"), None);
        assert_eq!(DepRef::parse(""), None);
    }

    #[test]
    fn sources() {
        assert_eq!(CrateSource::parse("registry+https://github.com/rust-lang/crates.io-index"), CrateSource::CratesIo);
        assert_eq!(CrateSource::parse("sparse+https://index.crates.io/"), CrateSource::CratesIo);
        assert_eq!(
            CrateSource::parse("sparse+https://cargo.example.org/index/"),
            CrateSource::Registry("sparse+https://cargo.example.org/index/".into())
        );
        assert_eq!(
            CrateSource::parse("registry+https://example.org/git-index"),
            CrateSource::Registry("https://example.org/git-index".into())
        );
        assert_eq!(
            CrateSource::parse("git+https://github.com/o/r?branch=feat%2Fx#0123abc"),
            CrateSource::Git {
                url: "https://github.com/o/r".into(),
                reference: Some("feat/x".into()),
                commit: Some("0123abc".into())
            }
        );
        assert_eq!(
            CrateSource::parse("git+https://github.com/o/r#0123abc"),
            CrateSource::Git { url: "https://github.com/o/r".into(), reference: None, commit: Some("0123abc".into()) }
        );
        assert_eq!(CrateSource::parse("weird+x"), CrateSource::Unknown("weird+x".into()));
    }

    #[test]
    fn percent_decoding_leaves_bad_escapes() {
        assert_eq!(percent_decode("a%2Fb%zz%"), "a/b%zz%");
    }

    fn codes(diags: &[Diagnostic]) -> Vec<(&str, Option<u32>)> {
        diags.iter().map(|d| (d.code.as_str(), d.location.line)).collect()
    }

    #[test]
    fn old_root_table_and_none_checksums() {
        // Cargo before 0.19 kept the root package in [root]; git packages have "<none>".
        let text = r#"[root]
name = "app"
version = "0.1.0"
dependencies = [
 "g 0.1.0 (git+https://example.org/g#abc)",
]

[[package]]
name = "g"
version = "0.1.0"
source = "git+https://example.org/g#abc"

[metadata]
"checksum g 0.1.0 (git+https://example.org/g#abc)" = "<none>"
"#;
        let (lock, diags) = parse_lockfile(text, "Cargo.lock");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(lock.packages.len(), 2);
        assert_eq!((lock.packages[0].name.as_str(), lock.packages[0].line), ("app", 1));
        assert_eq!(lock.packages[0].dependencies, vec![1]);
        assert_eq!(lock.packages[1].checksum, None);
    }

    #[test]
    fn ambiguous_unknown_and_duplicate_entries_are_reported() {
        let text = r#"version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "dup",
 "missing",
 "two",
 "two 2.0.0",
 7,
]

[[package]]
name = "two"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "not-hex"

[[package]]
name = "two"
version = "2.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "dup"
version = "1.0.0"

[[package]]
name = "dup"
version = "1.0.0"
"#;
        let (lock, diags) = parse_lockfile(text, "Cargo.lock");
        assert_eq!(
            codes(&diags),
            vec![
                ("cargo::bad-dependency", Some(3)),
                ("cargo::bad-checksum", Some(14)),
                ("cargo::duplicate-package", Some(29)),
                ("cargo::unresolved-dependency", Some(3)),
                ("cargo::unresolved-dependency", Some(3)),
                ("cargo::unresolved-dependency", Some(3)),
            ]
        );
        assert!(diags[4].message.contains("\"missing\" of app 0.1.0 names no package"));
        assert!(diags[5].message.contains("matches 2 packages"));
        // Only "two 2.0.0" resolves.
        assert_eq!(lock.packages[0].dependencies, vec![2]);
    }

    #[test]
    fn unknown_format_version_is_read_with_a_warning() {
        let text = "# c\nversion = 9\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n";
        let (lock, diags) = parse_lockfile(text, "Cargo.lock");
        assert_eq!(codes(&diags), vec![("cargo::unknown-format", Some(2))]);
        assert_eq!((lock.format, lock.packages.len()), (Some(9), 1));
    }
}
