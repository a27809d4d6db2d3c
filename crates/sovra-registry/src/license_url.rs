//! Licences stated only as a URL: NuGet's legacy `licenseUrl`, a pom's
//! `<license><url>` without a name, npm's legacy `licenses[{url}]`. A URL of
//! a licence's own text (opensource.org, gnu.org, apache.org ...) is read
//! offline by the normaliser; a URL into a project (its `LICENSE` on GitHub,
//! a project page) says nothing offline and stays `NOASSERTION`. Online, the
//! page behind it is fetched and read by the licence detector, which is what
//! an auditor would do by hand.
//!
//! Hosting sites serve a repository file inside an HTML page; [`raw_url`]
//! asks for the file itself instead, so the detector sees the licence and
//! not the site's navigation. One answer per URL is cached like a registry
//! answer (source [`SOURCE`]), so a second scan needs no network.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use sovra_core::{Diagnostic, Inventory, Location, Severity};
use sovra_licenses::{Detection, Detector, Method};

use crate::cache::Cached;
use crate::facts::Facts;
use crate::http::{FetchError, Http};
use crate::{Config, parallel, remember};

/// The cache's name for these answers.
pub const SOURCE: &str = "license-url";
/// A licence page larger than this is not a licence page.
const PAGE_LIMIT: u64 = 2 << 20;
/// What the detector must be sure of before its answer is taken as a
/// package's licence (a licence page here, a Go module's licence file).
const MIN_CONFIDENCE: f32 = 0.8;

/// Whether a detection is sure enough, and names a licence, to be taken as
/// a package's licence.
pub(crate) fn accepted(d: &Detection) -> bool {
    d.confidence >= MIN_CONFIDENCE
        && d.method != Method::UrlOnly
        && d.expression != "NONE"
        && d.expression != "NOASSERTION"
}

/// Whether a declared licence is nothing but a URL.
pub fn is_url(raw: &str) -> bool {
    let t = raw.trim();
    (t.starts_with("http://") || t.starts_with("https://")) && !t.contains(char::is_whitespace)
}

/// The address of the file itself for a URL that shows a repository file in
/// a hosting site's page (GitHub `blob`/`raw`, `raw.github.com`, GitLab
/// `-/blob`, Bitbucket `src`); other URLs unchanged.
pub fn raw_url(url: &str) -> String {
    let url = url.trim().split('#').next().unwrap_or_default();
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let segments: Vec<&str> = path.split('/').collect();
    let host = host.to_ascii_lowercase();
    match (host.trim_start_matches("www."), segments.as_slice()) {
        ("github.com", [owner, repo, "blob" | "raw", reference, file @ ..]) if !file.is_empty() => {
            format!("https://raw.githubusercontent.com/{owner}/{repo}/{reference}/{}", file.join("/"))
        }
        ("raw.github.com", [owner, repo, reference, file @ ..]) if !file.is_empty() => {
            format!("https://raw.githubusercontent.com/{owner}/{repo}/{reference}/{}", file.join("/"))
        }
        // Without GitLab's `-` marker the file is taken to be one segment.
        ("gitlab.com", [project @ .., "-", "blob", reference, file] | [project @ .., "blob", reference, file])
            if !project.is_empty() =>
        {
            format!("https://gitlab.com/{}/-/raw/{reference}/{file}", project.join("/"))
        }
        ("bitbucket.org", [owner, repo, "src", reference, file @ ..]) if !file.is_empty() => {
            format!("https://bitbucket.org/{owner}/{repo}/raw/{reference}/{}", file.join("/"))
        }
        _ => format!("{scheme}://{rest}"),
    }
}

/// What the page behind `url` grants: its detection, `NOASSERTION` when it
/// names no licence the detector is sure of.
pub fn resolve(http: &Http, detector: &Detector, url: &str) -> Result<Detection, FetchError> {
    let body = http.get(&raw_url(url), PAGE_LIMIT)?;
    let mut found = detector.detect(&body.bytes);
    if !accepted(&found) {
        found.expression = "NOASSERTION".to_string();
    }
    Ok(found)
}

/// Read the page of every declared licence in the inventory that is only a
/// URL the normaliser could not place, and put the page's licence beside
/// the raw URL. Pages that cannot be had, or name no licence, are
/// diagnostics; the declared licence stays `NOASSERTION` then.
pub fn resolve_inventory(inv: &mut Inventory, config: &Config) -> Vec<Diagnostic> {
    let mut wanted: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    for (ci, c) in inv.components.iter().enumerate() {
        for (di, d) in c.declared_licenses.iter().enumerate() {
            if d.expression.as_deref() == Some("NOASSERTION") && is_url(&d.raw) {
                wanted.entry(d.raw.trim().to_string()).or_default().push((ci, di));
            }
        }
    }
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut diagnostics = Vec::new();
    let urls: Vec<&String> = wanted.keys().collect();
    let mut answers: Vec<Option<Result<Facts, FetchError>>> =
        urls.iter().map(|u| config.cache.as_ref().and_then(|c| c.get(SOURCE, u)).map(from_cache)).collect();
    let pending: Vec<usize> = (0..urls.len()).filter(|&i| answers[i].is_none()).collect();
    if !pending.is_empty() {
        let http = Http::new(config.http.clone());
        let detector = OnceLock::new();
        let fetched = parallel(&pending, config.http.per_host.max(1), |&i| {
            resolve(&http, detector.get_or_init(Detector::new), urls[i]).map(|d| Facts {
                url: raw_url(urls[i]),
                license: Some(d.expression),
                ..Facts::default()
            })
        });
        for (i, result) in pending.into_iter().zip(fetched) {
            remember(config, SOURCE, urls[i], &result, &mut diagnostics);
            answers[i] = Some(result);
        }
    }

    for (url, answer) in urls.iter().zip(answers) {
        let uses = &wanted[*url];
        let names: BTreeSet<String> = uses
            .iter()
            .map(|&(ci, _)| format!("{}@{}", inv.components[ci].display_name(), inv.components[ci].version))
            .collect();
        let names = names.into_iter().collect::<Vec<_>>().join(", ");
        let at = Location::new(url.to_string(), None);
        match answer {
            Some(Ok(Facts { license: Some(expression), .. })) if expression != "NOASSERTION" => {
                for &(ci, di) in uses {
                    inv.components[ci].declared_licenses[di].expression = Some(expression.clone());
                }
                diagnostics.push(Diagnostic::new(
                    Severity::Info,
                    "registry::license-url",
                    at,
                    format!("{names}: the licence URL's page grants {expression}"),
                ));
            }
            Some(Ok(_)) => diagnostics.push(Diagnostic::warning(
                "registry::license-url-unknown",
                at,
                format!(
                    "{names}: the licence URL's page names no licence Sovra recognises; the licence stays NOASSERTION"
                ),
            )),
            Some(Err(e)) => diagnostics.push(Diagnostic::warning(
                e.code(),
                at,
                format!("{names}: cannot read the licence URL: {e}"),
            )),
            None => {}
        }
    }
    diagnostics
}

fn from_cache(hit: Cached) -> Result<Facts, FetchError> {
    match hit {
        Cached::Found(facts) => Ok(facts),
        Cached::NotFound { url } => Err(FetchError::NotFound { url }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosting_pages_become_the_files_they_show() {
        for (page, file) in [
            (
                "https://github.com/npgsql/npgsql/blob/develop/LICENSE.txt",
                "https://raw.githubusercontent.com/npgsql/npgsql/develop/LICENSE.txt",
            ),
            (
                "https://github.com/o/r/raw/master/sub/LICENSE.md#top",
                "https://raw.githubusercontent.com/o/r/master/sub/LICENSE.md",
            ),
            ("https://raw.github.com/o/r/master/LICENSE", "https://raw.githubusercontent.com/o/r/master/LICENSE"),
            (
                "https://gitlab.com/group/sub/proj/-/blob/main/COPYING",
                "https://gitlab.com/group/sub/proj/-/raw/main/COPYING",
            ),
            ("https://gitlab.com/o/r/blob/master/LICENSE", "https://gitlab.com/o/r/-/raw/master/LICENSE"),
            ("https://bitbucket.org/o/r/src/default/LICENSE.txt", "https://bitbucket.org/o/r/raw/default/LICENSE.txt"),
            // Not a file view: asked for as it is.
            ("https://github.com/robinvanderknaap/iDeal.NET", "https://github.com/robinvanderknaap/iDeal.NET"),
            ("http://rapidxml.sourceforge.net/license.txt", "http://rapidxml.sourceforge.net/license.txt"),
        ] {
            assert_eq!(raw_url(page), file, "{page}");
        }
    }

    #[test]
    fn only_a_lone_url_is_a_url_licence() {
        assert!(is_url(" https://example.org/LICENSE "));
        assert!(!is_url("MIT"));
        assert!(!is_url("MIT, see https://example.org/LICENSE"));
    }
}
