//! Package URLs and proxy URLs for Go modules.
//!
//! The purl `golang` type splits a module path at its last `/`: namespace =
//! everything before (`github.com/spf13`), name = the last element (`cobra`,
//! or `v2` for a major-version suffix path, which stays part of the path).
//! The version keeps its `v` prefix, pseudo-versions and `+incompatible`.
//!
//! The type definition still says to lowercase namespace and name, but it
//! predates modules and the purl maintainers call it outdated
//! (package-url/purl-spec#308): module paths are case-sensitive (the proxy
//! escapes capitals as `!x`), so lowercasing makes `github.com/Azure/...`
//! unfetchable and breaks lookups in OSV and deps.dev. syft, ScanCode and Go's
//! own vulnerability tooling keep the case, and so does Sovra. The `packageurl`
//! crate behind `sovra_core::purl` lowercases golang namespaces, so the purl is
//! written here, with the same percent-encoding as that crate.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// Characters percent-encoded in a purl segment or version (as `packageurl` does).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'?')
    .add(b'{')
    .add(b'}')
    .add(b';')
    .add(b'=')
    .add(b'+')
    .add(b'@')
    .add(b'\\')
    .add(b'[')
    .add(b']')
    .add(b'^')
    .add(b'|')
    .add(b'/');

/// `(namespace, name)` of a module path.
pub fn split_path(module: &str) -> (Option<&str>, &str) {
    match module.rsplit_once('/') {
        Some((ns, name)) => (Some(ns), name),
        None => (None, module),
    }
}

/// `pkg:golang/<path>[@version]`, case preserved.
pub fn golang_purl(module: &str, version: Option<&str>) -> String {
    let mut out = String::from("pkg:golang");
    for seg in module.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.extend(utf8_percent_encode(seg, SEGMENT));
    }
    if let Some(v) = version.filter(|v| !v.is_empty()) {
        out.push('@');
        out.extend(utf8_percent_encode(v, SEGMENT));
    }
    out
}

/// The module zip on the default proxy (`GOPROXY=https://proxy.golang.org`),
/// with capitals escaped as the proxy protocol requires.
pub fn proxy_zip_url(module: &str, version: &str) -> String {
    format!("https://proxy.golang.org/{}/@v/{}.zip", proxy_escape(module), proxy_escape(version))
}

/// The module proxy protocol's case encoding: `A` -> `!a`, so that paths
/// stay distinct on case-insensitive file systems.
pub fn proxy_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_keep_case_v_prefix_and_encode_plus() {
        assert_eq!(golang_purl("github.com/spf13/cobra", Some("v1.8.0")), "pkg:golang/github.com/spf13/cobra@v1.8.0");
        assert_eq!(
            golang_purl("github.com/Azure/go-autorest/v14", Some("v14.2.0+incompatible")),
            "pkg:golang/github.com/Azure/go-autorest/v14@v14.2.0%2Bincompatible"
        );
        assert_eq!(golang_purl("compliance", None), "pkg:golang/compliance");
        assert_eq!(split_path("go.yaml.in/yaml/v3"), (Some("go.yaml.in/yaml"), "v3"));
    }

    #[test]
    fn proxy_urls_escape_capitals() {
        assert_eq!(
            proxy_zip_url("github.com/BurntSushi/toml", "v1.3.2"),
            "https://proxy.golang.org/github.com/!burnt!sushi/toml/@v/v1.3.2.zip"
        );
    }

    #[test]
    fn module_paths_are_case_encoded() {
        assert_eq!(proxy_escape("github.com/BurntSushi/toml"), "github.com/!burnt!sushi/toml");
        assert_eq!(proxy_escape("v1.0.0"), "v1.0.0");
    }
}
