//! The Gemfile.lock format as Bundler's `LockfileParser` reads it: top-level
//! section headers at column 0; in source sections (`GEM`, `GIT`, `PATH`,
//! `PLUGIN SOURCE`) `key: value` options at two spaces, `specs:` entries
//! `name (version[-platform])` at four and their dependencies at six; list
//! sections (`PLATFORMS`, `DEPENDENCIES`, `CHECKSUMS`) at two; single values
//! (`RUBY VERSION`, `BUNDLED WITH`) at three. There is no grammar crate for
//! it, and the format is simple enough that a line reader is the safest parser.

use sovra_core::{Diagnostic, Location};

/// The kind of a source section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    Gem,
    Git,
    Path,
    /// `PLUGIN SOURCE`: Bundler plug-ins, used by Bundler itself at install time.
    Plugin,
}

/// A `specs:` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    pub name: String,
    pub version: String,
    /// `x86_64-linux`, `java`, ... for a platform-specific build; `None` for `ruby`.
    pub platform: Option<String>,
    /// Names of the gems it depends on.
    pub deps: Vec<String>,
    pub line: u32,
}

/// A `GEM`, `GIT`, `PATH` or `PLUGIN SOURCE` section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceSection {
    pub kind: SourceKind,
    /// `remote:` values; old (Bundler 1.x) `GEM` sections may have several.
    pub remotes: Vec<String>,
    pub revision: Option<String>,
    /// `branch:`, `tag:` or `ref:` as written.
    pub reference: Option<String>,
    pub glob: Option<String>,
    pub submodules: bool,
    pub specs: Vec<Spec>,
    pub line: u32,
}

/// A `DEPENDENCIES` entry: a gem the Gemfile names directly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dependency {
    pub name: String,
    pub requirement: Option<String>,
    /// Written `name!`: the Gemfile gives it a source other than the default.
    pub pinned: bool,
    pub line: u32,
}

/// A `CHECKSUMS` entry (Bundler 2.6+).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checksum {
    pub name: String,
    pub version: String,
    pub platform: Option<String>,
    /// `(algorithm, digest)` pairs as written, e.g. `("sha256", "ab12...")`.
    pub digests: Vec<(String, String)>,
    pub line: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lockfile {
    pub sources: Vec<SourceSection>,
    pub platforms: Vec<String>,
    pub dependencies: Vec<Dependency>,
    pub checksums: Vec<Checksum>,
    pub ruby_version: Option<String>,
    pub bundled_with: Option<String>,
    /// Whether a `DEPENDENCIES` header was seen (every lockfile Bundler writes has one).
    pub has_dependencies_section: bool,
}

enum Section {
    Source(usize),
    Platforms,
    Dependencies,
    Checksums,
    RubyVersion,
    BundledWith,
    /// A header Bundler does not know either; its body is skipped (reported once).
    Unknown,
    /// Before the first header.
    None,
}

/// Parse the lockfile; problems become diagnostics with the file's path and line.
pub fn parse(text: &str, path: &str) -> (Lockfile, Vec<Diagnostic>) {
    let mut lock = Lockfile::default();
    let mut diags = Vec::new();
    let mut section = Section::None;
    for (i, raw) in text.lines().enumerate() {
        let line = i as u32 + 1;
        let loc = || Location::new(path, Some(line));
        let l = raw.trim_end_matches('\r');
        if l.trim().is_empty() {
            continue;
        }
        let indent = l.len() - l.trim_start_matches(' ').len();
        if indent == 0 {
            section = header(l, line, &mut lock);
            if matches!(section, Section::Unknown) {
                diags.push(Diagnostic::warning(
                    "ruby::unknown-section",
                    loc(),
                    format!("unknown section `{}` skipped", l.trim()),
                ));
            }
            continue;
        }
        let body = &l[indent..];
        let ok = match &section {
            Section::Source(idx) => source_line(&mut lock.sources[*idx], indent, body, line),
            Section::Platforms if indent == 2 => {
                lock.platforms.push(body.to_string());
                Ok(())
            }
            Section::Dependencies if indent == 2 => dependency(body, line).map(|d| lock.dependencies.push(d)),
            Section::Checksums if indent == 2 => checksum(body, line).map(|c| lock.checksums.push(c)),
            Section::RubyVersion => {
                lock.ruby_version.get_or_insert_with(|| body.trim().to_string());
                Ok(())
            }
            Section::BundledWith => {
                lock.bundled_with.get_or_insert_with(|| body.trim().to_string());
                Ok(())
            }
            Section::Unknown => Ok(()),
            Section::None => Err("content before the first section header".to_string()),
            _ => Err(format!("unexpected indentation ({indent} spaces)")),
        };
        if let Err(msg) = ok {
            diags.push(Diagnostic::warning("ruby::syntax", loc(), format!("line skipped: {msg}")));
        }
    }
    (lock, diags)
}

fn header(l: &str, line: u32, lock: &mut Lockfile) -> Section {
    let source = |kind| SourceSection {
        kind,
        remotes: Vec::new(),
        revision: None,
        reference: None,
        glob: None,
        submodules: false,
        specs: Vec::new(),
        line,
    };
    let kind = match l.trim_end() {
        "GEM" => SourceKind::Gem,
        "GIT" => SourceKind::Git,
        "PATH" => SourceKind::Path,
        "PLUGIN SOURCE" => SourceKind::Plugin,
        "PLATFORMS" => return Section::Platforms,
        "DEPENDENCIES" => {
            lock.has_dependencies_section = true;
            return Section::Dependencies;
        }
        "CHECKSUMS" => return Section::Checksums,
        "RUBY VERSION" => return Section::RubyVersion,
        "BUNDLED WITH" => return Section::BundledWith,
        _ => return Section::Unknown,
    };
    lock.sources.push(source(kind));
    Section::Source(lock.sources.len() - 1)
}

fn source_line(s: &mut SourceSection, indent: usize, body: &str, line: u32) -> Result<(), String> {
    match indent {
        2 => {
            let (key, value) = body.split_once(':').ok_or_else(|| format!("expected `key: value`, found `{body}`"))?;
            let value = value.trim().to_string();
            match key {
                "remote" => s.remotes.push(value),
                "revision" => s.revision = Some(value),
                "branch" | "tag" | "ref" => s.reference = Some(value),
                "glob" => s.glob = Some(value),
                "submodules" => s.submodules = value == "true",
                // `specs:` opens the list; other options (`path:` of old PATH sections) carry nothing needed here.
                _ => {}
            }
            Ok(())
        }
        4 => {
            let (name, inner) = name_and_parens(body)?;
            let inner = inner.ok_or_else(|| format!("spec `{name}` has no version"))?;
            let (version, platform) = split_platform(inner);
            s.specs.push(Spec { name, version, platform, deps: Vec::new(), line });
            Ok(())
        }
        6 => {
            let spec = s.specs.last_mut().ok_or("dependency line before any spec")?;
            let (name, _) = name_and_parens(body)?;
            spec.deps.push(name);
            Ok(())
        }
        n => Err(format!("unexpected indentation ({n} spaces)")),
    }
}

/// `name` and the text inside a trailing ` (...)`, if any.
fn name_and_parens(body: &str) -> Result<(String, Option<&str>), String> {
    let (name, rest) = match body.split_once(' ') {
        Some((n, r)) => (n, Some(r)),
        None => (body, None),
    };
    if name.is_empty() || name.contains(['(', ')']) {
        return Err(format!("`{body}` is not `name (version)`"));
    }
    let inner = match rest {
        None => None,
        Some(r) => Some(
            r.strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| format!("`{body}` is not `name (version)` (truncated?)"))?,
        ),
    };
    Ok((name.to_string(), inner))
}

/// Bundler splits `1.16.0-x86_64-linux` at the first `-`: versions never contain one.
fn split_platform(v: &str) -> (String, Option<String>) {
    match v.split_once('-') {
        Some((ver, plat)) => (ver.to_string(), Some(plat.to_string())),
        None => (v.to_string(), None),
    }
}

fn dependency(body: &str, line: u32) -> Result<Dependency, String> {
    let (name, requirement) = name_and_parens(body)?;
    let (name, pinned) = match name.strip_suffix('!') {
        Some(n) => (n.to_string(), true),
        None => (name, false),
    };
    Ok(Dependency { name, requirement: requirement.map(str::to_string), pinned, line })
}

fn checksum(body: &str, line: u32) -> Result<Checksum, String> {
    // `name (version) sha256=hex[,alg=hex]`; PATH and GIT gems have no digest.
    let close = body.find(')').ok_or_else(|| format!("`{body}` is not `name (version) alg=digest`"))?;
    let (head, tail) = body.split_at(close + 1);
    let (name, inner) = name_and_parens(head)?;
    let inner = inner.ok_or_else(|| format!("checksum for `{name}` has no version"))?;
    let (version, platform) = split_platform(inner);
    let mut digests = Vec::new();
    for part in tail.split([',', ' ']).filter(|p| !p.is_empty()) {
        let (alg, hex) = part.split_once('=').ok_or_else(|| format!("`{part}` is not `alg=digest`"))?;
        digests.push((alg.to_string(), hex.to_string()));
    }
    Ok(Checksum { name, version, platform, digests, line })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_platform_at_the_first_dash() {
        assert_eq!(split_platform("1.16.0-x86_64-linux"), ("1.16.0".into(), Some("x86_64-linux".into())));
        assert_eq!(split_platform("1.16.0"), ("1.16.0".into(), None));
    }

    #[test]
    fn reads_sections_and_reports_bad_lines() {
        let text = "GEM\n  remote: https://rubygems.org/\n  specs:\n    a (1.0)\n      b (~> 2.0)\n    b (2.1-java)\n    broken (1.0\n\nDEPENDENCIES\n  a!\n  b (>= 2)\n\nCHECKSUMS\n  a (1.0) sha256=00\n  b (2.1-java)\n\nBUNDLED WITH\n   2.6.2\n";
        let (lock, d) = parse(text, "Gemfile.lock");
        assert_eq!(lock.sources[0].specs.len(), 2);
        assert_eq!(lock.sources[0].specs[0].deps, vec!["b".to_string()]);
        assert_eq!(lock.sources[0].specs[1].platform.as_deref(), Some("java"));
        assert_eq!((lock.dependencies[0].name.as_str(), lock.dependencies[0].pinned), ("a", true));
        assert_eq!(lock.dependencies[1].requirement.as_deref(), Some(">= 2"));
        assert_eq!(lock.checksums[0].digests, vec![("sha256".to_string(), "00".to_string())]);
        assert!(lock.checksums[1].digests.is_empty());
        assert_eq!(lock.bundled_with.as_deref(), Some("2.6.2"));
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].code.as_str(), d[0].location.line), ("ruby::syntax", Some(7)));
    }
}
