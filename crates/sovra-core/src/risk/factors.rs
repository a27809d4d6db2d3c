//! The factors of the risk model: one function decides for all of them, so
//! that the table in `docs/risk-model.md` and this file can be read side by side.

use serde::{Deserialize, Serialize};

use super::{Evidence, Finding, RiskConfig, Severity, is_full_commit, path_leaves_tree, source_is_registry_or_url};
use crate::license::{self, LicenseClass};
use crate::model::{Component, Ecosystem, Source};

/// Every factor of the model, by its stable id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Factor {
    LicenseMissing,
    LicenseUnknown,
    LicenseNonFree,
    LicenseSourceAvailable,
    LicenseProprietary,
    LicenseCopyleft,
    LicenseNetworkCopyleft,
    LicenseMismatch,
    VendorLockIn,
    DataEgress,
    ProvenanceNoHash,
    ProvenanceUrl,
    ProvenanceGitUnpinned,
    ProvenancePathOutside,
    ProvenanceUnlocked,
    MaturityPre1_0,
    MaturityPreRelease,
    MaintenanceStale,
    MaintenanceDeprecated,
    MaintenanceYanked,
    MaintenanceAbandoned,
    MaintenanceSingleMaintainer,
}

impl Factor {
    pub const ALL: [Factor; 22] = [
        Factor::LicenseMissing,
        Factor::LicenseUnknown,
        Factor::LicenseNonFree,
        Factor::LicenseSourceAvailable,
        Factor::LicenseProprietary,
        Factor::LicenseCopyleft,
        Factor::LicenseNetworkCopyleft,
        Factor::LicenseMismatch,
        Factor::VendorLockIn,
        Factor::DataEgress,
        Factor::ProvenanceNoHash,
        Factor::ProvenanceUrl,
        Factor::ProvenanceGitUnpinned,
        Factor::ProvenancePathOutside,
        Factor::ProvenanceUnlocked,
        Factor::MaturityPre1_0,
        Factor::MaturityPreRelease,
        Factor::MaintenanceStale,
        Factor::MaintenanceDeprecated,
        Factor::MaintenanceYanked,
        Factor::MaintenanceAbandoned,
        Factor::MaintenanceSingleMaintainer,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Factor::LicenseMissing => "license-missing",
            Factor::LicenseUnknown => "license-unknown",
            Factor::LicenseNonFree => "license-non-free",
            Factor::LicenseSourceAvailable => "license-source-available",
            Factor::LicenseProprietary => "license-proprietary",
            Factor::LicenseCopyleft => "license-copyleft",
            Factor::LicenseNetworkCopyleft => "license-network-copyleft",
            Factor::LicenseMismatch => "license-mismatch",
            Factor::VendorLockIn => "vendor-lock-in",
            Factor::DataEgress => "data-egress",
            Factor::ProvenanceNoHash => "provenance-no-hash",
            Factor::ProvenanceUrl => "provenance-url",
            Factor::ProvenanceGitUnpinned => "provenance-git-unpinned",
            Factor::ProvenancePathOutside => "provenance-path-outside",
            Factor::ProvenanceUnlocked => "provenance-unlocked",
            Factor::MaturityPre1_0 => "maturity-pre-1.0",
            Factor::MaturityPreRelease => "maturity-pre-release",
            Factor::MaintenanceStale => "maintenance-stale",
            Factor::MaintenanceDeprecated => "maintenance-deprecated",
            Factor::MaintenanceYanked => "maintenance-yanked",
            Factor::MaintenanceAbandoned => "maintenance-abandoned",
            Factor::MaintenanceSingleMaintainer => "maintenance-single-maintainer",
        }
    }

    pub fn parse(id: &str) -> Option<Factor> {
        Factor::ALL.into_iter().find(|f| f.id() == id)
    }

    pub fn default_severity(self) -> Severity {
        use Severity::*;
        match self {
            Factor::LicenseNonFree | Factor::LicenseSourceAvailable | Factor::LicenseProprietary => Critical,
            Factor::LicenseMissing
            | Factor::LicenseUnknown
            | Factor::ProvenanceGitUnpinned
            | Factor::MaintenanceDeprecated
            | Factor::MaintenanceYanked
            | Factor::MaintenanceAbandoned => High,
            Factor::LicenseMismatch
            | Factor::VendorLockIn
            | Factor::DataEgress
            | Factor::ProvenanceUrl
            | Factor::ProvenancePathOutside
            | Factor::ProvenanceUnlocked
            | Factor::MaintenanceStale => Medium,
            Factor::ProvenanceNoHash
            | Factor::MaturityPre1_0
            | Factor::MaturityPreRelease
            | Factor::MaintenanceSingleMaintainer => Low,
            Factor::LicenseCopyleft | Factor::LicenseNetworkCopyleft => Info,
        }
    }
}

/// Property names the online enrichment fills (see the model's maintenance section).
pub const PROP_PUBLISHED: &str = "sovra:registry:published";
pub const PROP_DEPRECATED: &str = "sovra:registry:deprecated";
pub const PROP_YANKED: &str = "sovra:registry:yanked";
pub const PROP_ABANDONED: &str = "sovra:registry:abandoned";
pub const PROP_MAINTAINERS: &str = "sovra:registry:maintainers";

/// The licence the licence factors judge, with its class.
/// The concluded licence wins: it was read from the licence text itself.
pub fn effective_license(c: &Component) -> Option<(String, license::ExpressionClass)> {
    let expr = c
        .concluded_license
        .as_ref()
        .map(|l| l.expression.clone())
        .filter(|e| e != "NOASSERTION" && e != "NONE")
        .or_else(|| {
            let known: Vec<&str> = c
                .declared_licenses
                .iter()
                .filter_map(|d| d.expression.as_deref())
                .filter(|e| *e != "NOASSERTION" && *e != "NONE")
                .collect();
            match known.len() {
                0 => None,
                1 => Some(known[0].to_string()),
                // Several declared statements (a manifest and a registry) all apply.
                _ => Some(known.iter().map(|e| format!("({e})")).collect::<Vec<_>>().join(" AND ")),
            }
        });
    expr.map(|e| {
        let class = license::classify(&e);
        (e, class)
    })
}

/// Whether an expression's class leaves the user free: OSI-approved, FSF-libre or public domain.
pub fn is_free(class: &license::ExpressionClass) -> bool {
    class.osi_approved || class.fsf_libre || class.class == LicenseClass::PublicDomain
}

/// The class's name as reports and policies write it.
pub fn class_name(class: LicenseClass) -> &'static str {
    match class {
        LicenseClass::PublicDomain => "public-domain",
        LicenseClass::Permissive => "permissive",
        LicenseClass::WeakCopyleft => "weak-copyleft",
        LicenseClass::StrongCopyleft => "strong-copyleft",
        LicenseClass::NetworkCopyleft => "network-copyleft",
        LicenseClass::SourceAvailable => "source-available",
        LicenseClass::Proprietary => "proprietary",
        LicenseClass::Unknown => "unknown",
    }
}

/// The licence of one requirement of a parsed expression, without its
/// exception, as policies and normalised expressions spell it.
pub fn req_id(req: &spdx::LicenseReq) -> String {
    req.license.to_string()
}

/// Whether two expressions name the same licences (order and grouping aside):
/// `MIT OR Apache-2.0` and `Apache-2.0 OR MIT` agree.
fn equivalent(a: &str, b: &str) -> bool {
    let ids = |e: &str| -> Option<std::collections::BTreeSet<String>> {
        let parsed = spdx::Expression::parse_mode(e, spdx::ParseMode::LAX).ok()?;
        Some(parsed.requirements().map(|r| r.req.to_string()).collect())
    };
    a == b || matches!((ids(a), ids(b)), (Some(x), Some(y)) if x == y)
}

pub(super) fn evaluate(
    c: &Component,
    cfg: &RiskConfig,
    vendors: &[super::vendors::VendorMatch<'_>],
    effective: Option<&(String, license::ExpressionClass)>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let loc = c.locations.first().cloned();
    let mut fire = |factor: Factor, message: String, field: &str, value: String, rule: Option<String>| {
        out.push(Finding {
            factor,
            severity: cfg.severity_of(factor),
            message,
            evidence: Evidence { location: loc.clone(), field: field.into(), value, rule },
        });
    };

    // Licence freedom and obligations.
    let statements: Vec<(&str, &str)> = c
        .declared_licenses
        .iter()
        .map(|d| (d.raw.as_str(), d.expression.as_deref().unwrap_or("NOASSERTION")))
        .chain(c.concluded_license.iter().map(|l| (l.expression.as_str(), l.expression.as_str())))
        .collect();
    match effective {
        None if statements.is_empty() => {
            fire(Factor::LicenseMissing, "no licence is declared or concluded".into(), "license", String::new(), None)
        }
        None => fire(
            Factor::LicenseUnknown,
            "the licence could not be identified".into(),
            "license",
            statements.iter().map(|(raw, _)| *raw).collect::<Vec<_>>().join(" | "),
            None,
        ),
        Some((expr, class)) => {
            let rule = Some(format!("licence class {}", class_name(class.class)));
            let factor = match class.class {
                LicenseClass::SourceAvailable => Some(Factor::LicenseSourceAvailable),
                LicenseClass::Proprietary => Some(Factor::LicenseProprietary),
                LicenseClass::Unknown => Some(Factor::LicenseUnknown),
                _ if !is_free(class) => Some(Factor::LicenseNonFree),
                LicenseClass::StrongCopyleft => Some(Factor::LicenseCopyleft),
                LicenseClass::NetworkCopyleft => Some(Factor::LicenseNetworkCopyleft),
                _ => None,
            };
            if let Some(f) = factor {
                fire(f, format!("licensed under {expr} ({})", class_name(class.class)), "license", expr.clone(), rule);
            }
        }
    }
    if let Some(concluded) = &c.concluded_license {
        let declared: Vec<&str> = c
            .declared_licenses
            .iter()
            .filter_map(|d| d.expression.as_deref())
            .filter(|e| *e != "NOASSERTION" && *e != "NONE")
            .collect();
        let real = concluded.expression != "NOASSERTION" && concluded.expression != "NONE";
        if real && !declared.is_empty() && !declared.iter().any(|d| equivalent(d, &concluded.expression)) {
            fire(
                Factor::LicenseMismatch,
                format!(
                    "declared {} but the licence text in {} says {}",
                    declared.join(" / "),
                    concluded.source,
                    concluded.expression
                ),
                "license",
                format!("declared: {}; concluded: {}", declared.join(" / "), concluded.expression),
                None,
            );
        }
    }

    // Vendors.
    for m in vendors {
        let v = m.vendor;
        let (factor, what) = if v.category.is_egress() {
            (Factor::DataEgress, "sends data to")
        } else {
            (Factor::VendorLockIn, "is a client of")
        };
        fire(
            factor,
            format!("{what} {} ({}, {}; legal seat {})", v.service, v.category.as_str(), v.name, v.seat),
            "name",
            c.display_name(),
            Some(format!("vendors.toml {}: {} ({})", cfg.vendors.version, m.pattern, v.id)),
        );
    }

    // Provenance.
    if source_is_registry_or_url(&c.source) && c.hashes.is_empty() {
        fire(Factor::ProvenanceNoHash, "the lockfile records no integrity hash".into(), "hashes", String::new(), None);
    }
    match &c.source {
        Source::Url { url } => {
            fire(Factor::ProvenanceUrl, format!("downloaded from an arbitrary URL: {url}"), "source", url.clone(), None)
        }
        Source::Git { url, commit, reference } if !commit.as_deref().is_some_and(is_full_commit) => fire(
            Factor::ProvenanceGitUnpinned,
            format!("git dependency {url} is not pinned to a full commit id"),
            "source",
            format!("{url} {}", commit.as_deref().or(reference.as_deref()).unwrap_or("(no reference)")),
            None,
        ),
        Source::Path { path } => {
            let manifest = c.locations.first().map(|l| l.file.as_str()).unwrap_or("");
            if path_leaves_tree(manifest, path) {
                fire(
                    Factor::ProvenancePathOutside,
                    format!("local path {path} lies outside the delivered tree"),
                    "source",
                    path.clone(),
                    None,
                );
            }
        }
        _ => {}
    }
    if c.properties.get(crate::model::PROP_UNLOCKED).is_some_and(|v| v == "true") {
        fire(
            Factor::ProvenanceUnlocked,
            "the version comes from a manifest range, not a lockfile".into(),
            crate::model::PROP_UNLOCKED,
            c.version.clone(),
            None,
        );
    }

    // Maturity.
    if is_pre_1_0(&c.version) {
        fire(Factor::MaturityPre1_0, format!("version {} is below 1.0", c.version), "version", c.version.clone(), None);
    }
    if let Some(kind) = c.ecosystem.and_then(|eco| pre_release_kind(eco, &c.version)) {
        fire(
            Factor::MaturityPreRelease,
            format!("version {} is {kind}", c.version),
            "version",
            c.version.clone(),
            None,
        );
    }

    // Maintenance (online metadata).
    if let Some(published) = c.properties.get(PROP_PUBLISHED)
        && let Some(days) = crate::time::days_from_rfc3339(published)
    {
        let age = cfg.today - days;
        if age > i64::from(cfg.stale_after_days) {
            fire(
                Factor::MaintenanceStale,
                format!("last release {published}, {age} days ago"),
                PROP_PUBLISHED,
                published.clone(),
                Some(format!("stale-after-days = {}", cfg.stale_after_days)),
            );
        }
    }
    for (prop, factor, what) in [
        (PROP_DEPRECATED, Factor::MaintenanceDeprecated, "deprecated"),
        (PROP_YANKED, Factor::MaintenanceYanked, "yanked"),
        (PROP_ABANDONED, Factor::MaintenanceAbandoned, "abandoned"),
    ] {
        if let Some(v) = c.properties.get(prop).filter(|v| !v.is_empty() && *v != "false") {
            fire(factor, format!("the registry marks it {what}: {v}"), prop, v.clone(), None);
        }
    }
    if c.properties.get(PROP_MAINTAINERS).is_some_and(|v| v == "1") {
        fire(
            Factor::MaintenanceSingleMaintainer,
            "the package has a single maintainer".into(),
            PROP_MAINTAINERS,
            "1".into(),
            None,
        );
    }
    out
}

fn is_pre_1_0(version: &str) -> bool {
    let v = version.strip_prefix('v').unwrap_or(version);
    let major = v.split(['.', '-', '+']).next().unwrap_or("");
    major == "0" && v.len() > 1
}

/// What kind of unreleased version this is, if any, by the ecosystem's own
/// version rules: a `-` suffix is a pre-release in semver ecosystems, but in
/// Maven only the qualifiers Maven itself orders before a release count
/// (`33.0.0-jre` is a release), and RubyGems treats any letter as pre-release.
fn pre_release_kind(eco: Ecosystem, version: &str) -> Option<&'static str> {
    let v = version.to_ascii_lowercase();
    if v.ends_with("-snapshot") {
        return Some("a snapshot build");
    }
    match eco {
        Ecosystem::Maven => {
            let qualifiers = ["alpha", "beta", "milestone", "rc", "cr", "m", "a", "b"];
            let is_pre = v.split(['-', '.']).skip(1).any(|part| {
                let word = part.trim_end_matches(|c: char| c.is_ascii_digit());
                qualifiers.contains(&word) && (word.len() > 1 || part.len() > 1)
            });
            return is_pre.then_some("a pre-release");
        }
        Ecosystem::Gem => {
            return v.split('.').any(|p| p.bytes().any(|b| b.is_ascii_alphabetic())).then_some("a pre-release");
        }
        _ => {}
    }
    // Go pseudo-versions: vX.Y.Z-[0.]yyyymmddhhmmss-abcdefabcdef
    let parts: Vec<&str> = v.rsplitn(3, '-').collect();
    if v.starts_with('v')
        && parts.len() == 3
        && parts[0].len() == 12
        && parts[0].bytes().all(|b| b.is_ascii_hexdigit())
        && parts[1].rsplit('.').next().is_some_and(|t| t.len() == 14 && t.bytes().all(|b| b.is_ascii_digit()))
    {
        return Some("an unreleased commit (Go pseudo-version)");
    }
    // semver pre-release: a `-` in the version core's tail; PEP 440: a1/b2/rc1/.dev
    let core_end = v.find('+').unwrap_or(v.len());
    let core = &v[..core_end];
    let markers = [".alpha", ".beta", ".rc", ".pre", ".preview", ".dev", ".canary", ".nightly", ".next", ".insiders"];
    if let Some((_, tail)) = core.split_once('-')
        && !tail.is_empty()
    {
        return Some("a pre-release");
    }
    if markers.iter().any(|m| core.contains(m)) {
        return Some("a pre-release");
    }
    // PEP 440 short forms: 2.0a1, 2.0b3, 2.0rc1
    let bytes = core.as_bytes();
    for (i, w) in bytes.windows(2).enumerate() {
        if w[0].is_ascii_digit() && (w[1] == b'a' || w[1] == b'b' || core[i + 1..].starts_with("rc")) {
            let rest = &core[i + 1..];
            let rest = rest.trim_start_matches(|c: char| c.is_ascii_alphabetic());
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                return Some("a pre-release");
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pre_1_0() {
        assert!(is_pre_1_0("0.4.1"));
        assert!(is_pre_1_0("v0.0.0-20230101000000-abcdefabcdef"));
        assert!(!is_pre_1_0("1.0.0"));
        assert!(!is_pre_1_0("10.2"));
        assert!(!is_pre_1_0("0"));
    }

    #[test]
    fn pre_releases() {
        use Ecosystem::*;
        for (eco, v) in [
            (Npm, "1.0.0-alpha.1"),
            (Cargo, "2.0.0-rc.1"),
            (Maven, "1.2-SNAPSHOT"),
            (Maven, "5.0.0-M2"),
            (Maven, "2.0-beta-3"),
            (Pypi, "2.0a1"),
            (Pypi, "3.1rc2"),
            (Pypi, "1.0.dev3"),
            (Golang, "v0.0.0-20230101120000-0123456789ab"),
            (Gem, "7.2.0.beta1"),
            (Nuget, "9.0.0-preview.3.24172.9"),
        ] {
            assert!(pre_release_kind(eco, v).is_some(), "{v}");
        }
        for (eco, v) in [
            (Npm, "1.0.0"),
            (Cargo, "1.0.0+build.5"),
            (Golang, "v2.3.4"),
            (Npm, "4.17.21"),
            (Pypi, "2.0.post1"),
            (Nuget, "1.2.3.4"),
            (Golang, "v1.8.0+incompatible"),
            (Maven, "33.0.0-jre"),
            (Maven, "2.17.0"),
            (Maven, "1.0.0.Final"),
            (Gem, "7.2.0"),
        ] {
            assert!(pre_release_kind(eco, v).is_none(), "{v}");
        }
    }
}
