//! The npm registry: `GET /{name}` (scoped names as `@scope%2fname`) is the
//! packument, `{"versions": {v: version document}, "time": {v: date},
//! "maintainers": [...]}`. A version document carries `license` (an SPDX
//! expression, or the legacy `{"type": ...}` object or `licenses` array),
//! `deprecated` (the message), `maintainers` and `repository`.

use serde_json::Value;
use sovra_core::{Component, DeclaredLicense, Ecosystem};

use super::{Context, Source, text};
use crate::facts::{Facts, clean_repository, timestamp};
use crate::http::FetchError;

pub struct Npm;

impl Source for Npm {
    fn name(&self) -> &'static str {
        "npm"
    }
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Npm
    }
    fn default_url(&self) -> &'static str {
        "https://registry.npmjs.org"
    }

    fn lookup(&self, cx: &Context<'_>, c: &Component) -> Result<Facts, FetchError> {
        let name = match c.namespace.as_deref() {
            Some(ns) => format!("@{}%2f{}", ns.trim_start_matches('@'), c.name),
            None => c.name.clone(),
        };
        let url = format!("{}/{name}", cx.base);
        let doc = cx.json(&url)?;
        if !doc.is_object() {
            return Err(FetchError::malformed(&url, "the packument is not an object"));
        }
        let v = &doc["versions"][&c.version];
        if !v.is_object() {
            return Err(FetchError::NotFound { url: format!("{url} (version {})", c.version) });
        }
        let maintainers = v["maintainers"].as_array().or_else(|| doc["maintainers"].as_array());
        let repository = match &v["repository"] {
            Value::String(s) => clean_repository(s),
            r => text(&r["url"]).and_then(|u| clean_repository(&u)),
        };
        let deprecated = match &v["deprecated"] {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Bool(true) => Some("true".into()),
            _ => None,
        };
        Ok(Facts {
            license: license(v),
            repository,
            published: text(&doc["time"][&c.version]).and_then(|t| timestamp(&t)),
            deprecated,
            maintainers: maintainers.map(|m| m.len() as u32),
            url,
            ..Facts::default()
        })
    }
}

/// `"MIT"`, `{"type": "MIT"}` or `"licenses": [{"type": ...}, ...]` (alternatives).
fn license(v: &Value) -> Option<String> {
    let one = |l: &Value| text(l).or_else(|| text(&l["type"]));
    one(&v["license"]).or_else(|| {
        let list: Vec<String> = v["licenses"].as_array()?.iter().filter_map(one).collect();
        DeclaredLicense::any_of(&list).map(|d| d.raw)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn licences_in_every_historical_shape() {
        assert_eq!(license(&json!({"license": "MIT"})).as_deref(), Some("MIT"));
        assert_eq!(license(&json!({"license": {"type": "ISC", "url": "x"}})).as_deref(), Some("ISC"));
        assert_eq!(
            license(&json!({"licenses": [{"type": "MIT"}, {"type": "Apache-2.0"}]})).as_deref(),
            Some("MIT OR Apache-2.0")
        );
        assert_eq!(license(&json!({"license": ["wrong"]})), None);
    }
}
