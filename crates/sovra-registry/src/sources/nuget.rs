//! NuGet v3: the service index (`index.json`, the URL a source names, as in
//! `nuget.config`) lists resources; the `RegistrationsBaseUrl` one gives
//! `{base}{id lower}/index.json`, the registration index. Its pages hold the
//! catalog entries inline or by URL. A catalog entry carries
//! `licenseExpression` / `licenseUrl`, `deprecation {message, reasons,
//! alternatePackage}`, `published` and `listed` (unlisting is NuGet's yank;
//! unlisted versions are published "1900-01-01").

use serde_json::Value;
use sovra_core::{Component, Ecosystem};

use super::{Context, Source, text};
use crate::facts::{Facts, clean_repository, looks_like_repository, timestamp};
use crate::http::FetchError;

pub struct Nuget;

/// Registration pages fetched at most for one package.
const MAX_PAGES: usize = 64;

impl Source for Nuget {
    fn name(&self) -> &'static str {
        "nuget"
    }
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Nuget
    }
    fn default_url(&self) -> &'static str {
        "https://api.nuget.org/v3/index.json"
    }

    fn lookup(&self, cx: &Context<'_>, c: &Component) -> Result<Facts, FetchError> {
        let registrations = registrations_base(&cx.shared_json(cx.base)?)
            .ok_or_else(|| FetchError::malformed(cx.base, "the service index names no RegistrationsBaseUrl"))?;
        let url = format!("{}/{}/index.json", registrations.trim_end_matches('/'), c.name.to_lowercase());
        let index = cx.json(&url)?;
        let pages = index["items"].as_array().ok_or_else(|| FetchError::malformed(&url, "no `items` list of pages"))?;
        let wanted = normalized_version(&c.version);
        let mut fetched = 0;
        for page in pages {
            let loaded;
            let items = match page["items"].as_array() {
                Some(items) => items,
                None => {
                    let page_url =
                        text(&page["@id"]).ok_or_else(|| FetchError::malformed(&url, "a page without items or @id"))?;
                    if !in_range(page, &wanted) || fetched >= MAX_PAGES {
                        continue;
                    }
                    fetched += 1;
                    loaded = cx.json(&page_url)?;
                    match loaded["items"].as_array() {
                        Some(items) => items,
                        None => return Err(FetchError::malformed(&page_url, "a registration page without items")),
                    }
                }
            };
            for leaf in items {
                let entry = &leaf["catalogEntry"];
                if text(&entry["version"]).is_some_and(|v| normalized_version(&v) == wanted) {
                    return Ok(facts(entry, url));
                }
            }
        }
        Err(FetchError::NotFound { url: format!("{url} (version {})", c.version) })
    }
}

fn registrations_base(index: &Value) -> Option<String> {
    let resources = index["resources"].as_array()?;
    // Prefer the newest registration hive: it knows SemVer 2.0.0 packages.
    [
        "RegistrationsBaseUrl/3.6.0",
        "RegistrationsBaseUrl/3.4.0",
        "RegistrationsBaseUrl/3.0.0-rc",
        "RegistrationsBaseUrl",
    ]
    .iter()
    .find_map(|ty| resources.iter().find(|r| r["@type"].as_str() == Some(ty)).and_then(|r| text(&r["@id"])))
}

fn facts(entry: &Value, url: String) -> Facts {
    const DEPRECATED_LICENSE_URL: &str = "https://aka.ms/deprecateLicenseUrl";
    let license = text(&entry["licenseExpression"])
        .or_else(|| text(&entry["licenseUrl"]).filter(|u| u != DEPRECATED_LICENSE_URL));
    let deprecation = &entry["deprecation"];
    let deprecated = deprecation.is_object().then(|| {
        let reasons: Vec<&str> =
            deprecation["reasons"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let mut what = text(&deprecation["message"]).unwrap_or_else(|| reasons.join(", "));
        if let Some(alt) = text(&deprecation["alternatePackage"]["id"]) {
            what = format!("{what} (use {alt} instead)").trim().to_string();
        }
        if what.is_empty() { "true".to_string() } else { what }
    });
    let published = text(&entry["published"]).and_then(|t| timestamp(&t)).filter(|t| !t.starts_with("1900-"));
    Facts {
        license,
        repository: text(&entry["projectUrl"]).filter(|u| looks_like_repository(u)).and_then(|u| clean_repository(&u)),
        published,
        deprecated,
        yanked: entry["listed"].as_bool() == Some(false),
        url,
        ..Facts::default()
    }
}

/// NuGet's normalised form: lower case, no build metadata, at least three
/// numeric parts, a fourth only when it is not zero (`1.0` = `1.0.0.0`).
fn normalized_version(v: &str) -> String {
    let v = v.trim().to_lowercase();
    let v = v.split('+').next().unwrap_or_default();
    let (release, pre) = v.split_once('-').map_or((v, None), |(r, p)| (r, Some(p)));
    let mut parts: Vec<String> = release
        .split('.')
        .map(|p| p.trim_start_matches('0').to_string())
        .map(|p| if p.is_empty() { "0".into() } else { p })
        .collect();
    while parts.len() < 3 {
        parts.push("0".into());
    }
    if parts.len() == 4 && parts[3] == "0" {
        parts.pop();
    }
    let mut out = parts.join(".");
    if let Some(pre) = pre {
        out = format!("{out}-{pre}");
    }
    out
}

/// Whether a page's `lower`..`upper` may hold the version (numeric parts
/// compared; anything unreadable is "maybe").
fn in_range(page: &Value, wanted: &str) -> bool {
    let key = |v: &str| -> Option<Vec<u64>> {
        normalized_version(v).split('-').next()?.split('.').map(|p| p.parse().ok()).collect()
    };
    let (Some(w), Some(lo), Some(hi)) =
        (key(wanted), text(&page["lower"]).and_then(|l| key(&l)), text(&page["upper"]).and_then(|u| key(&u)))
    else {
        return true;
    };
    lo <= w && w <= hi
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_compare_in_normalised_form() {
        assert_eq!(normalized_version("1.0"), "1.0.0");
        assert_eq!(normalized_version("1.00.2.0"), "1.0.2");
        assert_eq!(normalized_version("1.2.3.4"), "1.2.3.4");
        assert_eq!(normalized_version("13.0.3-Beta1+sha.1"), "13.0.3-beta1");
        assert!(in_range(&json!({"lower": "1.0.0", "upper": "2.0.0"}), "1.5.0"));
        assert!(!in_range(&json!({"lower": "1.0.0", "upper": "2.0.0"}), "10.0.0"));
        assert!(in_range(&json!({}), "1.0.0"));
    }

    #[test]
    fn catalog_entry_fields() {
        let entry = json!({
            "licenseUrl": "https://aka.ms/deprecateLicenseUrl",
            "licenseExpression": "",
            "deprecation": {"reasons": ["Legacy"], "alternatePackage": {"id": "New.Pkg", "range": "[2.0.0, )"}},
            "published": "1900-01-01T00:00:00+00:00",
            "listed": false,
            "projectUrl": "https://github.com/a/b"
        });
        let f = facts(&entry, "u".into());
        assert_eq!(f.license, None);
        assert_eq!(f.deprecated.as_deref(), Some("Legacy (use New.Pkg instead)"));
        assert_eq!(f.published, None);
        assert!(f.yanked);
        assert_eq!(f.repository.as_deref(), Some("https://github.com/a/b"));
        let index = json!({"resources": [
            {"@id": "https://x/reg3/", "@type": "RegistrationsBaseUrl"},
            {"@id": "https://x/reg5/", "@type": "RegistrationsBaseUrl/3.6.0"}]});
        assert_eq!(registrations_base(&index).as_deref(), Some("https://x/reg5/"));
    }
}
