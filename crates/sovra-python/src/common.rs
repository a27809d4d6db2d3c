//! Pieces every Python format shares: name normalisation, component and
//! project construction, hashes, diagnostics codes, TOML helpers.

use sovra_core::purl::Purl;
use sovra_core::{Component, Diagnostic, Ecosystem, Hash, HashAlg, Location, Project, Severity, Source};

pub const ID: &str = "python";

/// The default registry; a source naming it is not worth recording.
const PYPI_URLS: &[&str] = &["https://pypi.org/simple", "https://pypi.python.org/simple", "https://pypi.org/pypi"];

/// `python::<what>`.
pub fn code(what: &str) -> String {
    format!("{ID}::{what}")
}

/// `sovra:python:<name>`.
pub fn prop(name: &str) -> String {
    format!("sovra:{ID}:{name}")
}

pub fn error(what: &str, file: &str, line: Option<u32>, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(&code(what), Location::new(file, line), message)
}

pub fn warning(what: &str, file: &str, line: Option<u32>, message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(&code(what), Location::new(file, line), message)
}

pub fn info(what: &str, file: &str, line: Option<u32>, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(Severity::Info, code(what), Location::new(file, line), message)
}

/// PEP 503 normalisation: lowercase, every run of `-`, `_`, `.` becomes one `-`.
/// Python tools compare names only in this form, so purls and lookups use it too.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

/// Whether a name could be a distribution name (PEP 508 identifier), so
/// garbage never ends up in a purl.
pub fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// A PyPI component with its normalised name and the version as written.
pub fn component(name: &str, version: &str, file: &str, line: Option<u32>) -> Component {
    let mut c = Component::new(Ecosystem::Pypi, None, &normalize(name), version);
    c.locations.push(Location::new(file, line));
    c
}

/// Set a non-registry source and the purl qualifier the purl spec gives it
/// (`vcs_url` for VCS checkouts, `download_url` for direct downloads), so a
/// git build of a package never shares an identity with the registry release.
pub fn set_source(c: &mut Component, source: Source) {
    let base = Purl::new(Ecosystem::Pypi.purl_type(), None, &c.name, Some(&c.version));
    let purl = match &source {
        Source::Git { url, commit, reference } => {
            let url = if url.starts_with("git+") { url.clone() } else { format!("git+{url}") };
            match commit.as_ref().or(reference.as_ref()) {
                Some(rev) => base.qualifier("vcs_url", format!("{url}@{rev}")),
                None => base.qualifier("vcs_url", url),
            }
        }
        Source::Url { url } => {
            c.download_url.get_or_insert_with(|| url.clone());
            base.qualifier("download_url", url.clone())
        }
        Source::Registry { .. } | Source::Path { .. } => base,
    };
    c.purl = purl.to_string();
    c.source = source;
}

/// A registry source, `None` for PyPI itself.
pub fn registry(url: Option<&str>) -> Source {
    let url = url.map(str::trim).filter(|u| !u.is_empty() && !PYPI_URLS.contains(&u.trim_end_matches('/')));
    Source::Registry { url: url.map(str::to_string) }
}

/// `sha256:<hex>` (pip, poetry, uv and Pipfile.lock all write this form).
pub fn parse_hash(spec: &str) -> Option<Hash> {
    let (alg, hex) = spec.trim().split_once([':', '='])?;
    let alg = match alg.to_ascii_lowercase().as_str() {
        "sha256" => HashAlg::Sha256,
        "sha384" => HashAlg::Sha384,
        "sha512" => HashAlg::Sha512,
        "sha1" => HashAlg::Sha1,
        "md5" => HashAlg::Md5,
        _ => return None,
    };
    Hash::from_hex(alg, hex)
}

/// The last path segment of a URL without query or fragment: the file name of a wheel or sdist.
pub fn url_file_name(url: &str) -> Option<&str> {
    let path = url.split(['?', '#']).next()?;
    path.rsplit('/').next().filter(|s| !s.is_empty())
}

/// The version in a distribution file name: `name-1.0-py3-none-any.whl`,
/// `name-1.0.tar.gz`. `None` when the name does not follow the conventions.
pub fn version_from_file_name(file: &str) -> Option<String> {
    if let Some(stem) = file.strip_suffix(".whl") {
        let mut parts = stem.split('-');
        parts.next()?;
        return parts.next().map(str::to_string);
    }
    let stem = [".tar.gz", ".tar.bz2", ".tar.xz", ".zip", ".tgz"].iter().find_map(|ext| file.strip_suffix(ext))?;
    let (_, version) = stem.rsplit_once('-')?;
    version.starts_with(|c: char| c.is_ascii_digit()).then(|| version.to_string())
}

/// Whether a path names a distribution archive rather than a source directory.
pub fn is_archive(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    [".whl", ".tar.gz", ".tar.bz2", ".tar.xz", ".zip", ".tgz"].iter().any(|e| p.ends_with(e))
}

/// The reference of a first-party project: its purl when it has a name and a
/// version, else the manifest path (a dynamic version is common in Python).
pub fn project_ref(name: Option<&str>, version: Option<&str>, manifest: &str) -> String {
    match (name, version) {
        (Some(n), Some(v)) if !n.is_empty() && !v.is_empty() => {
            Component::new(Ecosystem::Pypi, None, &normalize(n), v).purl
        }
        _ => sovra_core::project_ref(manifest),
    }
}

/// A first-party project (a workspace member, a path dependency, the project itself).
pub fn project(name: &str, version: Option<&str>, dir: &str, manifest: &str, line: Option<u32>) -> Project {
    let mut c = Component::new(Ecosystem::Pypi, None, &normalize(name), version.unwrap_or(""));
    c.scope = None;
    c.source = Source::Path { path: if dir.is_empty() { ".".into() } else { dir.to_string() } };
    let bom_ref = project_ref(Some(name), version, manifest);
    Project { bom_ref, component: c, manifest: Location::new(manifest, line) }
}

/// Parse TOML, or the diagnostic (with the line of the syntax error) that says why not.
pub fn parse_toml(text: &str, path: &str) -> Result<toml::Table, sovra_core::Diagnostic> {
    text.parse::<toml::Table>().map_err(|e| {
        let line = e.span().map(|s| sovra_core::plugin::line_of(text, s.start));
        error("parse", path, line, format!("invalid TOML: {}", e.message()))
    })
}

/// The 1-based lines of each `[[<name>]]` header, in order, so that the i-th
/// entry of a TOML array of tables can be located without a spanned parser.
pub fn array_header_lines(text: &str, name: &str) -> Vec<u32> {
    let header = format!("[[{name}]]");
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let l = l.trim();
            l == header || l.strip_prefix(header.as_str()).is_some_and(|r| r.trim_start().starts_with('#'))
        })
        .map(|(i, _)| i as u32 + 1)
        .collect()
}

/// The `[[package]]` tables of a lockfile with the line each starts on.
/// Entries that are not tables are reported and left out; a lock without
/// packages (a project without dependencies) gives none.
pub fn package_tables<'a>(
    doc: &'a toml::Table,
    text: &str,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(&'a toml::Table, Option<u32>)> {
    let lines = array_header_lines(text, "package");
    let packages = array_field(doc, "package", path, None, diags).map(Vec::as_slice).unwrap_or(&[]);
    let mut out = Vec::new();
    for (i, pkg) in packages.iter().enumerate() {
        let line = lines.get(i).copied();
        match pkg.as_table() {
            Some(t) => out.push((t, line)),
            None => diags.push(error(
                "invalid-type",
                path,
                line,
                format!("[[package]] should be a table, found {}", pkg.type_str()),
            )),
        }
    }
    out
}

/// A field of one TOML type (`get` picks it, `kind` names it); a present
/// value of another type is reported.
fn typed_field<'a, T: ?Sized>(
    t: &'a toml::Table,
    key: &str,
    kind: &str,
    get: fn(&'a toml::Value) -> Option<&'a T>,
    at: (&str, Option<u32>),
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a T> {
    let v = t.get(key)?;
    let found = get(v);
    if found.is_none() {
        diags.push(error("invalid-type", at.0, at.1, format!("`{key}` should be {kind}, found {}", v.type_str())));
    }
    found
}

pub fn str_field<'a>(
    t: &'a toml::Table,
    key: &str,
    path: &str,
    line: Option<u32>,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a str> {
    typed_field(t, key, "a string", toml::Value::as_str, (path, line), diags)
}

pub fn table_field<'a>(
    t: &'a toml::Table,
    key: &str,
    path: &str,
    line: Option<u32>,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a toml::Table> {
    typed_field(t, key, "a table", toml::Value::as_table, (path, line), diags)
}

pub fn array_field<'a>(
    t: &'a toml::Table,
    key: &str,
    path: &str,
    line: Option<u32>,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a Vec<toml::Value>> {
    typed_field(t, key, "an array", toml::Value::as_array, (path, line), diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503_normalisation() {
        assert_eq!(normalize("Zope.Interface"), "zope-interface");
        assert_eq!(normalize("typing__extensions"), "typing-extensions");
        assert_eq!(normalize("a-_.b"), "a-b");
    }

    #[test]
    fn versions_from_distribution_file_names() {
        assert_eq!(version_from_file_name("foo_bar-1.2.3-py3-none-any.whl").as_deref(), Some("1.2.3"));
        assert_eq!(version_from_file_name("foo-bar-1.2.tar.gz").as_deref(), Some("1.2"));
        assert_eq!(version_from_file_name("foo.tar.gz"), None);
    }

    #[test]
    fn git_source_sets_vcs_url_qualifier() {
        let mut c = component("Foo_Bar", "1.0", "x", None);
        set_source(
            &mut c,
            Source::Git { url: "https://g.example/a.git".into(), commit: Some("abc".into()), reference: None },
        );
        assert_eq!(c.purl, "pkg:pypi/foo-bar@1.0?vcs_url=git%2Bhttps:%2F%2Fg.example%2Fa.git%40abc");
    }

    #[test]
    fn registry_drops_pypi() {
        assert_eq!(registry(Some("https://pypi.org/simple")), Source::Registry { url: None });
        assert_eq!(
            registry(Some("https://my.idx/simple")),
            Source::Registry { url: Some("https://my.idx/simple".into()) }
        );
    }
}
