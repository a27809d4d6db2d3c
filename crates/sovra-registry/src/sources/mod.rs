//! One source per package registry, each behind [`Source`]: which documents of
//! the registry's public API it reads and how their fields map onto [`Facts`].

use std::sync::OnceLock;

use serde_json::Value;
use sovra_core::{Component, Ecosystem};

use crate::facts::Facts;
use crate::http::{Body, DOC_LIMIT, FetchError, Http};

mod cargo;
mod composer;
mod gem;
mod golang;
mod maven;
mod npm;
mod nuget;
mod pypi;
mod zip;

/// What a lookup may use besides the component.
pub struct Context<'a> {
    pub http: &'a Http,
    /// The configured base URL, without a trailing `/`.
    pub base: &'a str,
    /// Built on first use: only the Go proxy needs it, and building takes a second.
    pub detector: &'a OnceLock<sovra_licenses::Detector>,
}

impl Context<'_> {
    /// GET a JSON document.
    pub fn json(&self, url: &str) -> Result<Value, FetchError> {
        parse_json(&self.http.get(url, DOC_LIMIT)?, url)
    }

    /// GET a JSON document that other packages of the run need too.
    pub fn shared_json(&self, url: &str) -> Result<Value, FetchError> {
        parse_json(self.http.get_shared(url, DOC_LIMIT)?.as_ref(), url)
    }

    /// [`Context::shared_json`] for a document that adds to the facts (an
    /// owner list): a mirror that does not serve it still gives the rest.
    pub fn optional_shared_json(&self, url: &str) -> Result<Option<Value>, FetchError> {
        match self.shared_json(url) {
            Ok(v) => Ok(Some(v)),
            Err(FetchError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

fn parse_json(body: &Body, url: &str) -> Result<Value, FetchError> {
    serde_json::from_slice(&body.bytes).map_err(|e| FetchError::malformed(url, format!("not JSON: {e}")))
}

/// A package registry's public API.
pub trait Source: Send + Sync {
    /// The name on the command line and in `sovra.toml`: the purl type.
    fn name(&self) -> &'static str;
    fn ecosystem(&self) -> Ecosystem;
    /// The public registry; `--source NAME=URL` replaces it with a mirror.
    fn default_url(&self) -> &'static str;
    /// The facts about one component's version.
    fn lookup(&self, cx: &Context<'_>, c: &Component) -> Result<Facts, FetchError>;
}

/// Every source, in name order.
pub fn all() -> [&'static dyn Source; 8] {
    [
        &cargo::Cargo,
        &composer::Composer,
        &gem::Gem,
        &golang::Golang,
        &maven::Maven,
        &npm::Npm,
        &nuget::Nuget,
        &pypi::Pypi,
    ]
}

/// A source by its name or a common alias (`crates.io`, `rubygems`, `go`, ...).
pub fn by_name(name: &str) -> Option<&'static dyn Source> {
    let canonical = match name.to_ascii_lowercase().as_str() {
        "crates" | "crates.io" | "crates-io" => "cargo",
        "rubygems" | "rubygems.org" => "gem",
        "packagist" => "composer",
        "go" | "goproxy" | "go-proxy" => "golang",
        "maven-central" | "central" => "maven",
        other => return all().into_iter().find(|s| s.name() == other),
    };
    all().into_iter().find(|s| s.name() == canonical)
}

/// Percent-encode one path segment (RFC 3986 unreserved characters stay).
pub fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A string field, trimmed, if present and not empty.
pub fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The `platform` qualifier of a purl, if any.
pub fn purl_qualifier(purl: &str, key: &str) -> Option<String> {
    let query = purl.split_once('?')?.1.split('#').next()?;
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| v.replace("%2F", "/").replace("%2f", "/"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_found_by_name_and_alias() {
        let names: Vec<&str> = all().iter().map(|s| s.name()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        for s in all() {
            assert_eq!(s.name(), s.ecosystem().purl_type());
        }
        assert_eq!(by_name("crates.io").map(|s| s.name()), Some("cargo"));
        assert_eq!(by_name("RubyGems").map(|s| s.name()), Some("gem"));
        assert_eq!(by_name("npm").map(|s| s.name()), Some("npm"));
        assert!(by_name("cpan").is_none());
    }

    #[test]
    fn segments_and_qualifiers() {
        assert_eq!(segment("@types/node"), "%40types%2Fnode");
        assert_eq!(segment("a.b-c_d~1"), "a.b-c_d~1");
        assert_eq!(
            purl_qualifier("pkg:gem/nokogiri@1.16.0?platform=x86_64-linux", "platform").as_deref(),
            Some("x86_64-linux")
        );
        assert_eq!(purl_qualifier("pkg:gem/rake@13.0.6", "platform"), None);
    }
}
