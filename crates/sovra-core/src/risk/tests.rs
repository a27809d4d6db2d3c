//! One case that triggers each factor and one that does not, for every factor
//! of `docs/risk-model.md`; then scores, levels and the aggregate.

use std::collections::BTreeSet;

use super::*;
use crate::model::{ConcludedLicense, DeclaredLicense, Ecosystem, Hash, HashAlg, Inventory, PROP_UNLOCKED};

fn base() -> Component {
    let mut c = Component::new(Ecosystem::Npm, None, "leftish", "1.2.3");
    c.hashes.push(Hash::from_hex(HashAlg::Sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709").unwrap());
    c.declared_licenses.push(declared("MIT"));
    c.locations.push(Location::new("package-lock.json", Some(10)));
    c
}

fn declared(expr: &str) -> DeclaredLicense {
    DeclaredLicense { raw: expr.into(), expression: Some(expr.into()), source: None }
}

fn with(f: impl FnOnce(&mut Component)) -> Component {
    let mut c = base();
    f(&mut c);
    c
}

fn concluded(expr: &str) -> Option<ConcludedLicense> {
    Some(ConcludedLicense {
        expression: expr.into(),
        confidence: 0.99,
        source: Location::new("node_modules/x/LICENSE", None),
    })
}

fn cfg() -> RiskConfig {
    RiskConfig { today: crate::time::days_from_civil(2026, 11, 24), ..RiskConfig::default() }
}

fn fired(c: &Component) -> BTreeSet<Factor> {
    assess_component(c, &cfg()).findings.iter().map(|f| f.factor).collect()
}

/// (factor, a component that triggers it, one that does not)
fn cases() -> Vec<(Factor, Component, Component)> {
    use Factor::*;
    vec![
        (LicenseMissing, with(|c| c.declared_licenses.clear()), base()),
        (
            LicenseUnknown,
            with(|c| {
                c.declared_licenses =
                    vec![DeclaredLicense { raw: "BSD".into(), expression: Some("NOASSERTION".into()), source: None }]
            }),
            base(),
        ),
        (
            LicenseNonFree,
            with(|c| c.declared_licenses = vec![declared("Beerware")]),
            with(|c| c.declared_licenses = vec![declared("CC-BY-4.0")]),
        ),
        (
            LicenseSourceAvailable,
            with(|c| c.declared_licenses = vec![declared("BUSL-1.1")]),
            with(|c| c.declared_licenses = vec![declared("BUSL-1.1 OR MIT")]),
        ),
        (LicenseProprietary, with(|c| c.declared_licenses = vec![declared("LicenseRef-UNLICENSED")]), base()),
        (
            LicenseCopyleft,
            with(|c| c.declared_licenses = vec![declared("GPL-3.0-only")]),
            with(|c| c.declared_licenses = vec![declared("LGPL-2.1-only")]),
        ),
        (
            LicenseNetworkCopyleft,
            with(|c| c.declared_licenses = vec![declared("AGPL-3.0-or-later")]),
            with(|c| c.declared_licenses = vec![declared("GPL-3.0-or-later")]),
        ),
        (
            LicenseMismatch,
            with(|c| c.concluded_license = concluded("Apache-2.0")),
            with(|c| c.concluded_license = concluded("MIT")),
        ),
        (
            VendorLockIn,
            with(|c| {
                *c = Component {
                    hashes: c.hashes.clone(),
                    declared_licenses: c.declared_licenses.clone(),
                    ..Component::new(Ecosystem::Nuget, None, "Azure.Storage.Blobs", "12.0.0")
                }
            }),
            base(),
        ),
        (
            DataEgress,
            with(|c| {
                *c = Component {
                    hashes: c.hashes.clone(),
                    declared_licenses: c.declared_licenses.clone(),
                    ..Component::new(Ecosystem::Npm, Some("@sentry"), "node", "8.0.0")
                }
            }),
            base(),
        ),
        (
            ProvenanceNoHash,
            with(|c| c.hashes.clear()),
            with(|c| {
                c.hashes.clear();
                c.source = Source::Path { path: "../lib".into() };
                c.locations = vec![Location::new("app/package.json", None)]
            }),
        ),
        (ProvenanceUrl, with(|c| c.source = Source::Url { url: "https://example.org/x.tgz".into() }), base()),
        (
            ProvenanceGitUnpinned,
            with(|c| {
                c.source =
                    Source::Git { url: "https://git.example/x".into(), commit: None, reference: Some("main".into()) }
            }),
            with(|c| {
                c.source = Source::Git {
                    url: "https://git.example/x".into(),
                    commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
                    reference: None,
                }
            }),
        ),
        (
            ProvenancePathOutside,
            with(|c| c.source = Source::Path { path: "../../elsewhere".into() }),
            with(|c| {
                c.source = Source::Path { path: "../lib".into() };
                c.locations = vec![Location::new("app/package.json", None)]
            }),
        ),
        (
            ProvenanceUnlocked,
            with(|c| {
                c.properties.insert(PROP_UNLOCKED.into(), "true".into());
            }),
            base(),
        ),
        (MaturityPre1_0, with(|c| c.version = "0.4.1".into()), base()),
        (MaturityPreRelease, with(|c| c.version = "2.0.0-rc.1".into()), base()),
        (
            MaintenanceStale,
            with(|c| {
                c.properties.insert(factors::PROP_PUBLISHED.into(), "2019-03-01T00:00:00Z".into());
            }),
            with(|c| {
                c.properties.insert(factors::PROP_PUBLISHED.into(), "2026-01-01T00:00:00Z".into());
            }),
        ),
        (
            MaintenanceDeprecated,
            with(|c| {
                c.properties.insert(factors::PROP_DEPRECATED.into(), "use other-pkg".into());
            }),
            with(|c| {
                c.properties.insert(factors::PROP_DEPRECATED.into(), "false".into());
            }),
        ),
        (
            MaintenanceYanked,
            with(|c| {
                c.properties.insert(factors::PROP_YANKED.into(), "true".into());
            }),
            base(),
        ),
        (
            MaintenanceAbandoned,
            with(|c| {
                c.properties.insert(factors::PROP_ABANDONED.into(), "true".into());
            }),
            base(),
        ),
        (
            MaintenanceSingleMaintainer,
            with(|c| {
                c.properties.insert(factors::PROP_MAINTAINERS.into(), "1".into());
            }),
            with(|c| {
                c.properties.insert(factors::PROP_MAINTAINERS.into(), "4".into());
            }),
        ),
    ]
}

#[test]
fn every_factor_has_a_triggering_and_a_quiet_case() {
    let cases = cases();
    let covered: BTreeSet<Factor> = cases.iter().map(|(f, _, _)| *f).collect();
    assert_eq!(covered.len(), Factor::ALL.len(), "a factor lacks a test case");
    for (factor, yes, no) in cases {
        assert!(fired(&yes).contains(&factor), "{} should fire on {:?}", factor.id(), fired(&yes));
        assert!(!fired(&no).contains(&factor), "{} should not fire: {:?}", factor.id(), fired(&no));
    }
}

#[test]
fn a_clean_component_has_no_risk() {
    let r = assess_component(&base(), &cfg());
    assert_eq!((r.level, r.score), (Level::None, 0), "{:?}", r.findings);
    assert!(r.free_license);
}

#[test]
fn defaults_follow_the_documented_levels() {
    let level = |c: Component| assess_component(&c, &cfg()).level;
    assert_eq!(level(with(|c| c.declared_licenses = vec![declared("SSPL-1.0")])), Level::Critical);
    assert_eq!(level(with(|c| c.declared_licenses.clear())), Level::High);
    assert_eq!(level(with(|c| c.declared_licenses = vec![declared("NOASSERTION")])), Level::High);
    assert_eq!(
        level(Component {
            hashes: base().hashes,
            declared_licenses: base().declared_licenses,
            ..Component::new(Ecosystem::Pypi, None, "boto3", "1.34.0")
        }),
        Level::Medium
    );
    // Copyleft is informational: no level of its own.
    assert_eq!(level(with(|c| c.declared_licenses = vec![declared("GPL-2.0-only")])), Level::None);
}

#[test]
fn score_is_worst_weight_plus_five_per_further_factor() {
    let c = with(|c| {
        c.declared_licenses.clear(); // high: 70
        c.hashes.clear(); // low
        c.version = "0.1.0-beta.1".into(); // two lows
    });
    let r = assess_component(&c, &cfg());
    assert_eq!(r.level, Level::High);
    assert_eq!(r.score, 70 + 5 * 3);
}

#[test]
fn policy_severities_change_levels() {
    let mut cfg = cfg();
    cfg.severity.insert(Factor::LicenseCopyleft, Severity::High);
    let r = assess_component(&with(|c| c.declared_licenses = vec![declared("GPL-3.0-only")]), &cfg);
    assert_eq!((r.level, r.score), (Level::High, 70));
}

#[test]
fn evidence_names_file_field_and_rule() {
    let c = Component {
        locations: vec![Location::new("src/App/packages.lock.json", Some(42))],
        ..Component::new(Ecosystem::Nuget, None, "Stripe.net", "45.0.0")
    };
    let r = assess_component(&c, &cfg());
    let f = r.findings.iter().find(|f| f.factor == Factor::VendorLockIn).expect("lock-in");
    assert_eq!(f.evidence.location, Some(Location::new("src/App/packages.lock.json", Some(42))));
    assert_eq!(f.evidence.field, "name");
    assert!(f.evidence.rule.as_deref().unwrap().contains("nuget:Stripe.net"));
    assert!(f.message.contains("United States"), "{}", f.message);
    assert_eq!(r.vendors[0].id, "stripe");
}

#[test]
fn aggregate_counts_delivered_components_and_names_vendors() {
    let mut dev = Component::new(Ecosystem::Npm, Some("@sentry"), "node", "8.0.0");
    dev.scope = Some(Scope::Dev);
    let inv = Inventory {
        components: vec![
            base(),
            with(|c| {
                c.name = "gpl".into();
                c.purl = "pkg:npm/gpl@1.0.0".into();
                c.declared_licenses = vec![declared("BUSL-1.1")]
            }),
            Component {
                declared_licenses: vec![declared("Apache-2.0")],
                ..Component::new(Ecosystem::Nuget, None, "Azure.Core", "1.0.0")
            },
            dev,
        ],
        ..Inventory::default()
    };
    let a = assess(&inv, &cfg());
    let p = &a.project;
    assert_eq!(p.components_counted, 3, "the dev package is not delivered");
    assert_eq!(p.level, Some(Level::Critical));
    assert_eq!(p.counts[&Level::Critical], 1);
    assert_eq!(p.counts[&Level::Medium], 1);
    assert_eq!(p.free_license_share, 66.7);
    assert_eq!(p.worst.first().map(String::as_str), Some("pkg:npm/gpl@1.0.0"));
    assert_eq!(p.vendors.len(), 1);
    assert_eq!(p.vendors[0].vendor.id, "azure");
    assert_eq!(p.vendors[0].packages, vec!["pkg:nuget/Azure.Core@1.0.0".to_string()]);
}

#[test]
fn annotate_writes_namespaced_properties() {
    let mut inv = Inventory { components: vec![with(|c| c.version = "0.2.0".into())], ..Inventory::default() };
    let a = assess(&inv, &cfg());
    a.annotate(&mut inv);
    let props = &inv.components[0].properties;
    assert_eq!(props["sovra:risk:level"], "low");
    assert_eq!(props["sovra:risk:score"], "15");
    assert_eq!(props["sovra:risk:factors"], "maturity-pre-1.0");
}
