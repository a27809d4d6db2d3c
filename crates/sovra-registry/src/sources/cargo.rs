//! crates.io's web API: `GET /api/v1/crates/{name}/{version}` answers
//! `{"version": {"license", "yanked", "created_at", "checksum", "repository", ...}}`
//! and `GET /api/v1/crates/{name}/owners` answers `{"users": [...]}`, users
//! and teams alike. crates.io requires a User-Agent naming the client, which
//! [`crate::http::Http`] sends.

use sovra_core::{Component, Ecosystem};

use super::{Context, Source, segment, text};
use crate::facts::{Facts, clean_repository, timestamp};
use crate::http::FetchError;

pub struct Cargo;

impl Source for Cargo {
    fn name(&self) -> &'static str {
        "cargo"
    }
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Cargo
    }
    fn default_url(&self) -> &'static str {
        "https://crates.io"
    }

    fn lookup(&self, cx: &Context<'_>, c: &Component) -> Result<Facts, FetchError> {
        let krate = format!("{}/api/v1/crates/{}", cx.base, segment(&c.name));
        let url = format!("{krate}/{}", segment(&c.version));
        let doc = cx.json(&url)?;
        let v = doc
            .get("version")
            .filter(|v| v.is_object())
            .ok_or_else(|| FetchError::malformed(&url, "no `version` object"))?;
        let owners = cx.optional_shared_json(&format!("{krate}/owners"))?;
        let owners = owners.as_ref().and_then(|o| o["users"].as_array()).map(|u| u.len() as u32);
        Ok(Facts {
            license: text(&v["license"]),
            repository: text(&v["repository"]).and_then(|r| clean_repository(&r)),
            published: text(&v["created_at"]).and_then(|t| timestamp(&t)),
            yanked: v["yanked"].as_bool().unwrap_or(false),
            maintainers: owners,
            sha256: text(&v["checksum"]).map(|s| s.to_ascii_lowercase()),
            url,
            ..Facts::default()
        })
    }
}
