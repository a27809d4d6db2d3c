//! PyPI's JSON API: `GET /pypi/{name}/{version}/json` answers
//! `{"info": {...}, "urls": [files]}`. The licence is `info.license_expression`
//! (PEP 639), else `info.license` when it is a name rather than a pasted
//! licence text, else the `License ::` trove classifiers. `info.yanked` and
//! `info.yanked_reason` mark a yanked release; the files' `upload_time_iso_8601`
//! date it. PyPI names no maintainers in this API.

use serde_json::Value;
use sovra_core::{Component, DeclaredLicense, Ecosystem};

use super::{Context, Source, segment, text};
use crate::facts::{Facts, clean_repository, looks_like_repository, timestamp};
use crate::http::FetchError;

pub struct Pypi;

impl Source for Pypi {
    fn name(&self) -> &'static str {
        "pypi"
    }
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Pypi
    }
    fn default_url(&self) -> &'static str {
        "https://pypi.org"
    }

    fn lookup(&self, cx: &Context<'_>, c: &Component) -> Result<Facts, FetchError> {
        let url = format!("{}/pypi/{}/{}/json", cx.base, segment(&normalized_name(&c.name)), segment(&c.version));
        let doc = cx.json(&url)?;
        let info =
            doc.get("info").filter(|i| i.is_object()).ok_or_else(|| FetchError::malformed(&url, "no `info` object"))?;
        let published = doc["urls"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| text(&f["upload_time_iso_8601"]).or_else(|| text(&f["upload_time"])))
            .filter_map(|t| timestamp(&t))
            .min();
        let yanked = info["yanked"].as_bool().unwrap_or(false);
        Ok(Facts {
            license: license(info),
            repository: repository(info),
            published,
            // A yank reason is the nearest PyPI has to a deprecation message.
            deprecated: yanked.then(|| text(&info["yanked_reason"])).flatten(),
            yanked,
            url,
            ..Facts::default()
        })
    }
}

/// PEP 503: runs of `-`, `_`, `.` become one `-`, lower case.
fn normalized_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for ch in name.chars() {
        if matches!(ch, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.extend(ch.to_lowercase());
        }
    }
    out
}

fn license(info: &Value) -> Option<String> {
    if let Some(e) = text(&info["license_expression"]) {
        return Some(e);
    }
    // Many projects paste the whole licence text into `license`; that is
    // a text for the licence detector, not a declared name.
    if let Some(l) = text(&info["license"]).filter(|l| !l.contains('\n') && l.len() <= 100) {
        return Some(l);
    }
    let classifiers: Vec<&str> = info["classifiers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|c| c.starts_with("License ::") && *c != "License :: OSI Approved")
        .collect();
    DeclaredLicense::any_of(&classifiers).map(|d| d.raw)
}

/// `project_urls` under the names projects use for their code, else a home
/// page on a code host.
fn repository(info: &Value) -> Option<String> {
    const KEYS: [&str; 7] = ["source", "source code", "repository", "code", "github", "gitlab", "homepage"];
    let urls = info["project_urls"].as_object();
    for key in KEYS {
        let hit =
            urls.into_iter().flatten().find(|(k, _)| k.trim().eq_ignore_ascii_case(key)).and_then(|(_, v)| text(v));
        if let Some(u) = hit.filter(|u| key != "homepage" || looks_like_repository(u)) {
            return clean_repository(&u);
        }
    }
    text(&info["home_page"]).filter(|u| looks_like_repository(u)).and_then(|u| clean_repository(&u))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_normalised() {
        assert_eq!(normalized_name("Typing_Extensions"), "typing-extensions");
        assert_eq!(normalized_name("zope.interface"), "zope-interface");
        assert_eq!(normalized_name("a-_.b"), "a-b");
    }

    #[test]
    fn licence_order_of_preference() {
        let info = json!({"license_expression": "MIT", "license": "BSD", "classifiers": []});
        assert_eq!(license(&info).as_deref(), Some("MIT"));
        let pasted = json!({"license": "Copyright (c) 2020\n\nPermission is hereby granted...", "classifiers": [
            "License :: OSI Approved", "License :: OSI Approved :: BSD License", "Programming Language :: Python"]});
        assert_eq!(license(&pasted).as_deref(), Some("License :: OSI Approved :: BSD License"));
        assert_eq!(license(&json!({"license": null, "classifiers": null})), None);
    }

    #[test]
    fn repository_prefers_source_links() {
        let info = json!({"project_urls": {"Homepage": "https://example.org", "Source": "https://github.com/a/b"}});
        assert_eq!(repository(&info).as_deref(), Some("https://github.com/a/b"));
        let home = json!({"project_urls": {"Homepage": "https://github.com/a/b"}, "home_page": ""});
        assert_eq!(repository(&home).as_deref(), Some("https://github.com/a/b"));
        assert_eq!(repository(&json!({"home_page": "https://example.org/x/y"})), None);
    }
}
