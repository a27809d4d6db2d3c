//! Hand-written Composer inputs: every feature the plug-in reads, and bad files.

use sovra_composer::ComposerPlugin;
use sovra_core::testing::{fixtures_dir, scan_with};
use sovra_core::{Completeness, Hash, HashAlg, Inventory, Scope, Severity, Source};

fn scan(dir: &str) -> Inventory {
    scan_with(&ComposerPlugin, &fixtures_dir().join("composer").join(dir))
}

fn codes(inv: &Inventory) -> Vec<(&str, String, Severity)> {
    inv.diagnostics.iter().map(|d| (d.code.as_str(), d.location.to_string(), d.severity)).collect()
}

#[test]
fn lock_with_manifest() {
    let inv = scan("app");
    let purls: Vec<&str> = inv.components.iter().map(|c| c.purl.as_str()).collect();
    assert_eq!(
        purls,
        [
            "pkg:composer/acme/forked@dev-main?vcs_url=git%2Bhttps:%2F%2Fgit.example.org%2Facme%2Fforked.git%404f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39",
            "pkg:composer/acme/private-lib@v2.1.0",
            "pkg:composer/monolog/monolog@3.5.0",
            "pkg:composer/phpunit/phpunit@10.5.9",
            "pkg:composer/psr/log@3.0.0",
        ]
    );
    let get = |name: &str| inv.components.iter().find(|c| c.name == name).unwrap();

    let monolog = get("monolog");
    assert_eq!(monolog.scope, Some(Scope::Required));
    assert_eq!(monolog.source, Source::Registry { url: None });
    assert_eq!(monolog.hashes, [Hash::from_hex(HashAlg::Sha1, "3a2cbcf3b0a5a6b8e0e5d1b4a4b0f1a3c2d1e0f9").unwrap()]);
    assert_eq!(
        monolog.download_url.as_deref(),
        Some("https://api.github.com/repos/Seldaek/monolog/zipball/c915e2634718dbc8a4a15c61b0e62e7a44e14448")
    );
    assert_eq!(monolog.repository_url.as_deref(), Some("https://github.com/Seldaek/monolog/tree/3.5.0"));
    assert_eq!(monolog.authors, ["Jordi Boggiano <j.boggiano@seld.be>"]);
    assert_eq!(monolog.declared_licenses[0].raw, "MIT");
    assert_eq!(monolog.properties["sovra:composer:platform-requires"], "ext-mbstring *, php >=8.1");
    assert_eq!(monolog.locations[0].to_string(), "composer.lock:8");

    // Empty shasum: no hash, no complaint. A licence string works like a one-element array.
    let log = get("log");
    assert!(log.hashes.is_empty());
    assert_eq!(log.declared_licenses[0].raw, "MIT");
    assert_eq!(log.authors, ["PHP-FIG"]);

    // A git-only package: Source::Git with the commit, branch, vcs_url qualifier.
    let forked = get("forked");
    assert_eq!(
        forked.source,
        Source::Git {
            url: "https://git.example.org/acme/forked.git".into(),
            commit: Some("4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39".into()),
            reference: Some("main".into()),
        }
    );
    assert_eq!(forked.properties["sovra:composer:source-reference"], "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39");
    assert_eq!(forked.declared_licenses[0].raw, "GPL-2.0-or-later OR LGPL-2.1-only");

    let private = get("private-lib");
    assert_eq!(private.source, Source::Registry { url: Some("https://repo.example.org".into()) });
    assert_eq!(private.declared_licenses[0].raw, "(MIT or GPL-3.0-or-later)");

    let phpunit = get("phpunit");
    assert_eq!(phpunit.scope, Some(Scope::Dev));
    assert!(phpunit.hashes.is_empty());

    // The path repository is a first-party project, never a component.
    let refs: Vec<&str> = inv.projects.iter().map(|p| p.bom_ref.as_str()).collect();
    assert_eq!(refs, ["sovra:project:composer.json", "sovra:project:packages/tool/composer.json"]);
    let root = &inv.projects[0].component;
    assert_eq!(root.purl, "pkg:composer/acme/app");
    assert_eq!(root.declared_licenses[0].raw, "MIT OR Apache-2.0");
    assert_eq!(root.authors, ["Ada Example <ada@example.org>"]);
    assert_eq!(root.properties["sovra:composer:platform"], "ext-json *, php ^8.1");
    assert_eq!(root.properties["sovra:composer:platform-requires"], "ext-json *, php ^8.1");
    assert_eq!(root.properties["sovra:composer:content-hash"], "0123456789abcdef0123456789abcdef");
    assert_eq!(root.properties["sovra:composer:path-repositories"], "packages/tool");
    let tool = &inv.projects[1];
    assert_eq!(tool.component.source, Source::Path { path: "packages/tool".into() });
    // The package's own composer.json was read too (its description).
    assert_eq!(tool.component.description.as_deref(), Some("A first-party package pulled in by a path repository"));

    // Edges: project -> direct requirements (psr/log-implementation through
    // monolog's `provide`), packages -> their requirements, no platform edges.
    let deps = |r: &str| inv.dependencies[r].iter().cloned().collect::<Vec<_>>();
    assert_eq!(
        deps("sovra:project:composer.json"),
        [
            forked.purl.clone(),
            monolog.purl.clone(),
            phpunit.purl.clone(),
            "sovra:project:packages/tool/composer.json".to_string(),
        ]
    );
    assert_eq!(deps(&monolog.purl), std::slice::from_ref(&log.purl));
    assert_eq!(deps("sovra:project:packages/tool/composer.json"), std::slice::from_ref(&log.purl));
    assert_eq!(deps(&forked.purl), std::slice::from_ref(&log.purl));
    assert_eq!(inv.completeness["composer.lock"], Completeness::Complete);

    assert_eq!(
        codes(&inv),
        [
            ("composer::invalid-hash", "composer.lock:96".to_string(), Severity::Warning),
            ("composer::invalid-package", "composer.lock:113".to_string(), Severity::Warning),
            ("composer::invalid-package", "composer.lock:114".to_string(), Severity::Warning),
            ("composer::unresolved-requirement", "composer.lock:96".to_string(), Severity::Warning),
            ("composer::unlocked", "packages/tool/composer.json:1".to_string(), Severity::Info),
        ]
    );
}

#[test]
fn manifest_without_lock_lists_no_components() {
    let inv = scan("manifest-only");
    assert!(inv.components.is_empty());
    assert_eq!(inv.projects.len(), 1);
    let p = &inv.projects[0].component;
    assert_eq!(p.purl, "pkg:composer/acme/unlocked");
    assert_eq!(p.properties["sovra:composer:require"], "guzzlehttp/guzzle ^7.8, php >=8.2");
    assert_eq!(codes(&inv), [("composer::unlocked", "composer.json:1".to_string(), Severity::Warning)]);
    assert_eq!(inv.completeness["composer.json"], Completeness::Incomplete);
}

#[test]
fn lock_without_manifest_infers_direct_dependencies() {
    let inv = scan("bad/no-manifest");
    assert_eq!(inv.components.len(), 2);
    let root = &inv.projects[0];
    assert_eq!(root.bom_ref, "sovra:project:composer.lock");
    assert_eq!(inv.dependencies[&root.bom_ref].iter().collect::<Vec<_>>(), ["pkg:composer/a/top@1.0.0"]);
    assert_eq!(inv.dependencies["pkg:composer/a/top@1.0.0"].iter().collect::<Vec<_>>(), ["pkg:composer/a/leaf@1.2.0"]);
    assert_eq!(codes(&inv), [("composer::missing-manifest", "composer.lock:1".to_string(), Severity::Warning)]);
}

#[test]
fn bad_lockfiles_are_named_diagnostics() {
    for (dir, code, line) in [
        ("bad/empty", "composer::empty", None),
        ("bad/truncated", "composer::truncated", Some(18)),
        ("bad/binary", "composer::binary", None),
        ("bad/array", "composer::invalid-lock", Some(1)),
    ] {
        let inv = scan(dir);
        assert!(inv.components.is_empty(), "{dir}");
        let d = &inv.diagnostics[0];
        assert_eq!(
            (d.code.as_str(), d.location.file.as_str(), d.location.line),
            (code, "composer.lock", line),
            "{dir}"
        );
        assert_eq!(d.severity, Severity::Error);
    }
}

#[test]
fn wrongly_typed_fields_are_reported_not_fatal() {
    let inv = scan("bad/wrong-types");
    // `packages` is an object: reported; `packages-dev` still read.
    assert_eq!(inv.components.iter().map(|c| c.purl.as_str()).collect::<Vec<_>>(), ["pkg:composer/c/d@1.0.0"]);
    assert!(inv.components[0].declared_licenses.is_empty());
    assert_eq!(
        codes(&inv),
        [
            ("composer::invalid-lock", "composer.lock:2".to_string(), Severity::Error),
            ("composer::invalid-field", "composer.lock:4".to_string(), Severity::Warning),
            ("composer::missing-manifest", "composer.lock:1".to_string(), Severity::Warning),
        ]
    );
}
