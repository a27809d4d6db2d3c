//! What a registry says about one package version, and how it goes into the
//! model: the licence as a declared licence beside the lockfile's, the rest
//! as `sovra:registry:*` properties the risk model reads.

use serde::{Deserialize, Serialize};
use sovra_core::license::normalize;
use sovra_core::{Component, DeclaredLicense, Diagnostic, HashAlg, Location};

// The property names the risk model reads.
pub use sovra_core::risk::{PROP_ABANDONED, PROP_DEPRECATED, PROP_MAINTAINERS, PROP_PUBLISHED, PROP_YANKED};
/// Which source answered for a component.
pub const PROP_SOURCE: &str = "sovra:registry:source";

/// The registry's facts about one package version. Everything is optional:
/// sources know different things.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// The document the facts were read from (named as the licence's source).
    pub url: String,
    /// The licence as the registry states it (raw, like a lockfile's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// RFC 3339, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// The deprecation message, or `true` when none is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub yanked: bool,
    /// `true`, or the suggested replacement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abandoned: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintainers: Option<u32>,
    /// SHA-256 of the package file, lower-case hex, to check the lockfile's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// Write what a source found into a component; the diagnostics it raises.
///
/// The lockfile's own declared licence stays first; the registry's is added
/// after it only when it says something the lockfile does not, and a real
/// disagreement between the two is a warning.
pub fn apply(c: &mut Component, source: &str, facts: &Facts) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let at = c.locations.first().cloned().unwrap_or_else(|| Location::new(c.purl.clone(), None));
    if let Some(raw) = facts.license.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        let registry = normalize(raw).expression;
        let known: Vec<String> = c
            .declared_licenses
            .iter()
            .map(|d| d.expression.clone().unwrap_or_else(|| normalize(&d.raw).expression))
            .filter(|e| e != "NOASSERTION")
            .collect();
        let says_more = !known.contains(&registry) && (known.is_empty() || registry != "NOASSERTION");
        if says_more {
            if !known.is_empty() {
                diags.push(Diagnostic::warning(
                    "registry::license-mismatch",
                    at.clone(),
                    format!(
                        "{}@{}: the lockfile declares {} but {source} says {raw} ({registry})",
                        c.display_name(),
                        c.version,
                        known.join(", ")
                    ),
                ));
            }
            c.declared_licenses.push(DeclaredLicense {
                raw: raw.to_string(),
                expression: None,
                source: Some(Location::new(format!("{source}:{}", facts.url), None)),
            });
            sovra_core::license::normalize_component(c);
        }
    }
    if c.repository_url.is_none() {
        c.repository_url = facts.repository.clone();
    }
    if let Some(sha) = &facts.sha256 {
        let locked: Vec<&str> = c
            .hashes
            .iter()
            .filter(|h| h.alg == HashAlg::Sha256 && h.file.is_none())
            .map(|h| h.value.as_str())
            .collect();
        if !locked.is_empty() && !locked.contains(&sha.as_str()) {
            diags.push(Diagnostic::warning(
                "registry::checksum-mismatch",
                at,
                format!(
                    "{}@{}: the lockfile's SHA-256 {} differs from {source}'s {sha}",
                    c.display_name(),
                    c.version,
                    locked.join(", ")
                ),
            ));
        }
    }
    let props = [
        (PROP_PUBLISHED, facts.published.clone()),
        (PROP_DEPRECATED, facts.deprecated.clone()),
        (PROP_YANKED, facts.yanked.then(|| "true".to_string())),
        (PROP_ABANDONED, facts.abandoned.clone()),
        (PROP_MAINTAINERS, facts.maintainers.map(|n| n.to_string())),
        (PROP_SOURCE, Some(source.to_string())),
    ];
    for (key, value) in props {
        if let Some(v) = value {
            c.properties.entry(key.to_string()).or_insert(v);
        }
    }
    diags
}

/// A registry timestamp (`2019-03-15T21:31:57.613254+00:00`, `...Z`, a space
/// instead of `T`) as RFC 3339 UTC to the second; `None` if it is not one.
pub fn timestamp(s: &str) -> Option<String> {
    let s = s.trim();
    let day = sovra_core::time::days_from_rfc3339(s)?;
    let rest = s.get(10..)?;
    if rest.is_empty() {
        return Some(sovra_core::time::rfc3339(day * 86_400));
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let num = |r: &str| r.parse::<i64>().ok();
    let (h, m, sec) = (num(rest.get(0..2)?)?, num(rest.get(3..5)?)?, num(rest.get(6..8)?)?);
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut tail = &rest[8..];
    if let Some(frac) = tail.strip_prefix('.') {
        tail = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match tail {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match tail.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let t = &tail[1..];
            let (oh, om) = match t.len() {
                5 => (num(&t[0..2])?, num(&t[3..5])?),
                4 => (num(&t[0..2])?, num(&t[2..4])?),
                2 => (num(t)?, 0),
                _ => return None,
            };
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(sovra_core::time::rfc3339(day * 86_400 + h * 3600 + m * 60 + sec - offset))
}

/// Whether a URL names a source repository rather than a home page: some
/// registries only have a "project URL" that is often the repository.
pub fn looks_like_repository(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let host = lower.split("://").nth(1).unwrap_or(&lower).split('/').next().unwrap_or("");
    let host = host.strip_prefix("www.").unwrap_or(host);
    let path_parts = lower.split("://").nth(1).map_or(0, |r| r.split('/').filter(|p| !p.is_empty()).count());
    matches!(
        host,
        "github.com"
            | "gitlab.com"
            | "codeberg.org"
            | "bitbucket.org"
            | "sr.ht"
            | "git.sr.ht"
            | "opencode.de"
            | "gitlab.opencode.de"
    ) && path_parts >= 3
}

/// A repository URL as people use it: no `git+` prefix, no `.git` suffix,
/// `git@host:path` and `git://` turned into `https://`.
pub fn clean_repository(url: &str) -> Option<String> {
    let mut u = url.trim().trim_start_matches("git+").to_string();
    if let Some(rest) = u.strip_prefix("git@") {
        u = format!("https://{}", rest.replacen(':', "/", 1));
    } else if let Some(rest) = u.strip_prefix("git://").or_else(|| u.strip_prefix("ssh://git@")) {
        u = format!("https://{rest}");
    } else if let Some(rest) = u.strip_prefix("scm:git:") {
        return clean_repository(rest);
    }
    let u = u.trim_end_matches('/');
    let u = u.strip_suffix(".git").unwrap_or(u);
    (u.starts_with("https://") || u.starts_with("http://")).then(|| u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sovra_core::{Ecosystem, Hash};

    #[test]
    fn timestamps_of_every_registry_become_utc_seconds() {
        assert_eq!(timestamp("2019-03-15T21:31:57.613254+00:00").as_deref(), Some("2019-03-15T21:31:57Z"));
        assert_eq!(timestamp("2021-02-20T15:42:16.891Z").as_deref(), Some("2021-02-20T15:42:16Z"));
        assert_eq!(timestamp("2021-01-01T01:30:00+02:00").as_deref(), Some("2020-12-31T23:30:00Z"));
        assert_eq!(timestamp("2021-01-01 10:00:00").as_deref(), Some("2021-01-01T10:00:00Z"));
        assert_eq!(timestamp("2021-01-01").as_deref(), Some("2021-01-01T00:00:00Z"));
        assert_eq!(timestamp("yesterday"), None);
        assert_eq!(timestamp("2021-01-01T25:00:00Z"), None);
        assert_eq!(timestamp("2021-01-01T10:00:00+0x:00"), None);
    }

    #[test]
    fn repository_urls_are_cleaned_and_recognised() {
        assert_eq!(clean_repository("git+https://github.com/a/b.git").as_deref(), Some("https://github.com/a/b"));
        assert_eq!(clean_repository("git@github.com:a/b.git").as_deref(), Some("https://github.com/a/b"));
        assert_eq!(clean_repository("scm:git:git://github.com/a/b.git").as_deref(), Some("https://github.com/a/b"));
        assert_eq!(clean_repository("not a url"), None);
        assert!(looks_like_repository("https://github.com/psf/requests"));
        assert!(!looks_like_repository("https://github.com/psf"));
        assert!(!looks_like_repository("https://requests.readthedocs.io/x/y"));
    }

    fn lodash() -> Component {
        let mut c = Component::new(Ecosystem::Npm, None, "lodash", "4.17.21");
        c.locations.push(Location::new("package-lock.json", Some(7)));
        c
    }

    #[test]
    fn a_registry_licence_fills_a_gap_and_is_normalised() {
        let mut c = lodash();
        let facts = Facts { url: "https://r/lodash".into(), license: Some("MIT".into()), ..Facts::default() };
        assert!(apply(&mut c, "npm", &facts).is_empty());
        assert_eq!(c.declared_licenses.len(), 1);
        assert_eq!(c.declared_licenses[0].expression.as_deref(), Some("MIT"));
        assert_eq!(c.declared_licenses[0].source.as_ref().unwrap().file, "npm:https://r/lodash");
        assert_eq!(c.properties.get(PROP_SOURCE).map(String::as_str), Some("npm"));
    }

    #[test]
    fn the_lockfile_licence_stays_first_and_a_disagreement_is_a_warning() {
        let mut c = lodash();
        c.declared_licenses.push(DeclaredLicense::raw("MIT"));
        // The same licence spelled differently adds nothing.
        let same = Facts { license: Some("mit".into()), ..Facts::default() };
        assert!(apply(&mut c, "npm", &same).is_empty());
        assert_eq!(c.declared_licenses.len(), 1);
        let other = Facts { license: Some("ISC".into()), ..Facts::default() };
        let diags = apply(&mut c, "npm", &other);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "registry::license-mismatch");
        assert_eq!(diags[0].location, Location::new("package-lock.json", Some(7)));
        assert_eq!(c.declared_licenses[0].raw, "MIT");
        assert_eq!(c.declared_licenses[1].raw, "ISC");
        // A registry statement that names no licence does not contradict one.
        let vague = Facts { license: Some("SEE LICENSE IN LICENSE".into()), ..Facts::default() };
        assert!(apply(&mut c, "npm", &vague).is_empty());
        assert_eq!(c.declared_licenses.len(), 2);
    }

    #[test]
    fn maintenance_facts_become_properties_and_checksums_are_compared() {
        let mut c = lodash();
        c.hashes.push(Hash::from_hex(HashAlg::Sha256, &"a".repeat(64)).unwrap());
        let facts = Facts {
            published: Some("2021-02-20T15:42:16Z".into()),
            deprecated: Some("use something else".into()),
            yanked: true,
            abandoned: Some("other/pkg".into()),
            maintainers: Some(1),
            repository: Some("https://github.com/lodash/lodash".into()),
            sha256: Some("b".repeat(64)),
            ..Facts::default()
        };
        let diags = apply(&mut c, "npm", &facts);
        assert_eq!(diags.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(), ["registry::checksum-mismatch"]);
        assert_eq!(c.properties[PROP_PUBLISHED], "2021-02-20T15:42:16Z");
        assert_eq!(c.properties[PROP_DEPRECATED], "use something else");
        assert_eq!(c.properties[PROP_YANKED], "true");
        assert_eq!(c.properties[PROP_ABANDONED], "other/pkg");
        assert_eq!(c.properties[PROP_MAINTAINERS], "1");
        assert_eq!(c.repository_url.as_deref(), Some("https://github.com/lodash/lodash"));
    }
}
