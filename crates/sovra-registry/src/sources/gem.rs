//! RubyGems.org API: `GET /api/v2/rubygems/{name}/versions/{version}.json`
//! (with `?platform=` for a platform build) answers the version's `licenses`
//! list, `sha` (SHA-256 of the .gem), `created_at`, `yanked` and the
//! `source_code_uri`; `GET /api/v1/gems/{name}/owners.json` lists owners.

use sovra_core::{Component, DeclaredLicense, Ecosystem};

use super::{Context, Source, purl_qualifier, segment, text};
use crate::facts::{Facts, clean_repository, looks_like_repository, timestamp};
use crate::http::FetchError;

pub struct Gem;

impl Source for Gem {
    fn name(&self) -> &'static str {
        "gem"
    }
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Gem
    }
    fn default_url(&self) -> &'static str {
        "https://rubygems.org"
    }

    fn lookup(&self, cx: &Context<'_>, c: &Component) -> Result<Facts, FetchError> {
        let name = segment(&c.name);
        let mut url = format!("{}/api/v2/rubygems/{name}/versions/{}.json", cx.base, segment(&c.version));
        if let Some(platform) = purl_qualifier(&c.purl, "platform").filter(|p| p != "ruby") {
            url = format!("{url}?platform={}", segment(&platform));
        }
        let doc = cx.json(&url)?;
        if !doc.is_object() {
            return Err(FetchError::malformed(&url, "the version document is not an object"));
        }
        let owners = cx.optional_shared_json(&format!("{}/api/v1/gems/{name}/owners.json", cx.base))?;
        let owners = owners.as_ref().and_then(|o| o.as_array()).map(|o| o.len() as u32);
        let licenses: Vec<String> = doc["licenses"].as_array().into_iter().flatten().filter_map(text).collect();
        let repository = [&doc["source_code_uri"], &doc["metadata"]["source_code_uri"]]
            .into_iter()
            .find_map(text)
            .or_else(|| text(&doc["homepage_uri"]).filter(|u| looks_like_repository(u)));
        Ok(Facts {
            license: DeclaredLicense::any_of(&licenses).map(|d| d.raw),
            repository: repository.and_then(|r| clean_repository(&r)),
            published: text(&doc["created_at"])
                .or_else(|| text(&doc["version_created_at"]))
                .and_then(|t| timestamp(&t)),
            yanked: doc["yanked"].as_bool().unwrap_or(false),
            maintainers: owners,
            sha256: text(&doc["sha"]).filter(|s| s.len() == 64).map(|s| s.to_ascii_lowercase()),
            url,
            ..Facts::default()
        })
    }
}
