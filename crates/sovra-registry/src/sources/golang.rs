//! The Go module proxy protocol (GOPROXY): `GET /{module}/@v/{version}.info`
//! answers `{"Version", "Time", "Origin": {"VCS", "URL", ...}}`; the licence
//! is in the module itself, so `GET /{module}/@v/{version}.zip` is read for
//! the licence files at its root, and those go through Sovra's licence
//! detector. Module paths and versions are case-encoded (`!` + lower case).
//! Deprecation and retraction live in the latest `go.mod` and are not read.

use sovra_core::{Component, Ecosystem};
use sovra_go::purl::proxy_escape;

use super::{Context, Source, text, zip};
use crate::facts::{Facts, clean_repository, looks_like_repository, timestamp};
use crate::http::FetchError;

pub struct Golang;

/// Largest module zip downloaded (the proxy's own limit is 500 MB; a licence
/// is not worth more than this).
const ZIP_LIMIT: u64 = 64 << 20;

impl Source for Golang {
    fn name(&self) -> &'static str {
        "golang"
    }
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Golang
    }
    fn default_url(&self) -> &'static str {
        "https://proxy.golang.org"
    }

    fn lookup(&self, cx: &Context<'_>, c: &Component) -> Result<Facts, FetchError> {
        let module = match &c.namespace {
            Some(ns) => format!("{ns}/{}", c.name),
            None => c.name.clone(),
        };
        let at = format!("{}/{}/@v/{}", cx.base, proxy_escape(&module), proxy_escape(&c.version));
        let url = format!("{at}.info");
        let info = cx.json(&url)?;
        if !info.is_object() {
            return Err(FetchError::malformed(&url, "the .info document is not an object"));
        }
        let repository = text(&info["Origin"]["URL"]).and_then(|u| clean_repository(&u)).or_else(|| {
            let guess = format!("https://{}", module.split('/').take(3).collect::<Vec<_>>().join("/"));
            looks_like_repository(&guess).then_some(guess)
        });
        Ok(Facts {
            license: license(cx, &format!("{at}.zip"), &format!("{module}@{}/", c.version))?,
            repository,
            published: text(&info["Time"]).and_then(|t| timestamp(&t)),
            url,
            ..Facts::default()
        })
    }
}

/// The licence of the module's root licence files, as the detector reads
/// them (several files: all apply). A module without a zip or a licence file
/// has no licence to report, which is not an error.
fn license(cx: &Context<'_>, zip_url: &str, prefix: &str) -> Result<Option<String>, FetchError> {
    let body = match cx.http.get(zip_url, ZIP_LIMIT) {
        Ok(b) => b,
        Err(FetchError::NotFound { .. } | FetchError::TooLarge { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let files =
        zip::licence_files(&body.bytes, prefix).ok_or_else(|| FetchError::malformed(zip_url, "not a zip archive"))?;
    if files.is_empty() {
        return Ok(None);
    }
    let detector = cx.detector.get_or_init(sovra_licenses::Detector::new);
    let mut found: Vec<String> = files
        .iter()
        .map(|(_, bytes)| detector.detect(bytes))
        .filter(crate::license_url::accepted)
        .map(|d| d.expression)
        .collect();
    found.sort();
    found.dedup();
    Ok(match found.len() {
        0 => None,
        1 => found.pop(),
        _ => Some(found.iter().map(|e| format!("({e})")).collect::<Vec<_>>().join(" AND ")),
    })
}
