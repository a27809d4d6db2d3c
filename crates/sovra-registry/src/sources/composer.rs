//! Packagist's Composer v2 metadata: `GET /p2/{vendor}/{name}.json` (dev
//! branches in `~dev.json`) answers `{"packages": {"vendor/name": [versions]}}`
//! in the minified form (`"minified": "composer/2.0"`): each version lists
//! only the keys that differ from the one before, `"__unset"` removing one.
//! A version carries `license` (a list of alternatives), `time`, `source.url`
//! and, for an abandoned package, `abandoned` (`true` or the replacement).

use serde_json::{Map, Value};
use sovra_core::{Component, DeclaredLicense, Ecosystem};

use super::{Context, Source, text};
use crate::facts::{Facts, clean_repository, timestamp};
use crate::http::FetchError;

pub struct Composer;

impl Source for Composer {
    fn name(&self) -> &'static str {
        "composer"
    }
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Composer
    }
    fn default_url(&self) -> &'static str {
        "https://repo.packagist.org"
    }

    fn lookup(&self, cx: &Context<'_>, c: &Component) -> Result<Facts, FetchError> {
        let full = match &c.namespace {
            Some(ns) => format!("{ns}/{}", c.name),
            None => c.name.clone(),
        }
        .to_lowercase();
        let dev = c.version.starts_with("dev-") || c.version.ends_with("-dev");
        let url = format!("{}/p2/{full}{}.json", cx.base, if dev { "~dev" } else { "" });
        let doc = cx.json(&url)?;
        let list = doc["packages"][&full]
            .as_array()
            .ok_or_else(|| FetchError::malformed(&url, format!("no `packages.{full}` list")))?;
        let bare = |v: &str| v.trim_start_matches(['v', 'V']).to_string();
        let version = expand(list)
            .into_iter()
            .find(|v| text(&v["version"]).is_some_and(|n| n == c.version || bare(&n) == bare(&c.version)))
            .ok_or_else(|| FetchError::NotFound { url: format!("{url} (version {})", c.version) })?;
        let v = Value::Object(version);
        let licenses: Vec<String> = match &v["license"] {
            Value::Array(a) => a.iter().filter_map(text).collect(),
            other => text(other).into_iter().collect(),
        };
        let abandoned = match &v["abandoned"] {
            Value::Bool(true) => Some("true".to_string()),
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            _ => None,
        };
        Ok(Facts {
            license: DeclaredLicense::any_of(&licenses).map(|d| d.raw),
            repository: text(&v["source"]["url"]).and_then(|u| clean_repository(&u)),
            published: text(&v["time"]).and_then(|t| timestamp(&t)),
            abandoned,
            url,
            ..Facts::default()
        })
    }
}

/// Undo Composer's minification: every version with its full set of keys.
fn expand(list: &[Value]) -> Vec<Map<String, Value>> {
    let mut state = Map::new();
    let mut out = Vec::with_capacity(list.len());
    for entry in list {
        let Some(fields) = entry.as_object() else { continue };
        for (k, v) in fields {
            if v.as_str() == Some("__unset") {
                state.remove(k);
            } else {
                state.insert(k.clone(), v.clone());
            }
        }
        out.push(state.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn minified_versions_inherit_and_unset() {
        let list = json!([
            {"version": "2.0.0", "license": ["MIT"], "time": "2021-01-01T00:00:00+00:00", "abandoned": "new/pkg"},
            {"version": "1.0.0", "abandoned": "__unset"},
            "not an object",
        ]);
        let v = expand(list.as_array().unwrap());
        assert_eq!(v.len(), 2);
        assert_eq!(v[1]["license"], json!(["MIT"]));
        assert_eq!(v[1]["version"], json!("1.0.0"));
        assert!(!v[1].contains_key("abandoned"));
        assert_eq!(v[0]["abandoned"], json!("new/pkg"));
    }
}
