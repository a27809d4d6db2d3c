//! The plug-in against the hand-written inputs in `fixtures/cargo/`.

use sovra_cargo::CargoPlugin;
use sovra_core::testing::{fixtures_dir, scan_with};
use sovra_core::{Completeness, Component, HashAlg, Inventory, Scope, Severity, Source};

fn scan(name: &str) -> Inventory {
    scan_with(&CargoPlugin, &fixtures_dir().join("cargo").join(name))
}

fn component<'a>(inv: &'a Inventory, purl: &str) -> &'a Component {
    inv.component(purl).unwrap_or_else(|| {
        let all: Vec<&str> = inv.components.iter().map(|c| c.purl.as_str()).collect();
        panic!("no component {purl}; have {all:?}")
    })
}

fn purls(inv: &Inventory) -> Vec<&str> {
    inv.components.iter().map(|c| c.purl.as_str()).collect()
}

fn projects(inv: &Inventory) -> Vec<&str> {
    inv.projects.iter().map(|p| p.bom_ref.as_str()).collect()
}

fn deps<'a>(inv: &'a Inventory, from: &str) -> Vec<&'a str> {
    inv.dependencies.get(from).map(|s| s.iter().map(String::as_str).collect()).unwrap_or_default()
}

/// `(severity, code, file, line)` of every diagnostic, sorted.
fn diags(inv: &Inventory) -> Vec<(Severity, &str, &str, Option<u32>)> {
    inv.diagnostics.iter().map(|d| (d.severity, d.code.as_str(), d.location.file.as_str(), d.location.line)).collect()
}

const ITOA_SHA: &str = "c974b73f5039d8c4d1f86e6d502ffef6b1ade4953a3b8b91ccc8851d8e7a2896";

#[test]
fn v1_reads_checksums_from_metadata() {
    let inv = scan("lock-v1");
    assert_eq!(purls(&inv), ["pkg:cargo/itoa@1.0.1", "pkg:cargo/memchr@2.3.3"]);
    assert_eq!(projects(&inv), ["pkg:cargo/demo@0.1.0"]);
    let itoa = component(&inv, "pkg:cargo/itoa@1.0.1");
    assert_eq!(itoa.hashes.len(), 1);
    assert_eq!(itoa.hashes[0].alg, HashAlg::Sha256);
    // sha256("itoa"), as the fixture's [metadata] table states it.
    assert_eq!(itoa.hashes[0].value, "a0a7eb79b1b3c30f8f2305963533f972fdb65420c43e902b1044bb2b625562d6");
    assert_eq!(itoa.hashes[0].file.as_deref(), Some("itoa-1.0.1.crate"));
    assert_eq!(itoa.download_url.as_deref(), Some("https://static.crates.io/crates/itoa/itoa-1.0.1.crate"));
    assert_eq!(itoa.filename.as_deref(), Some("itoa-1.0.1.crate"));
    assert_eq!(itoa.source, Source::Registry { url: None });
    assert_eq!(itoa.locations[0].line, Some(11));
    assert!(component(&inv, "pkg:cargo/memchr@2.3.3").hashes.len() == 1);
    assert_eq!(deps(&inv, "pkg:cargo/demo@0.1.0"), ["pkg:cargo/itoa@1.0.1", "pkg:cargo/memchr@2.3.3"]);
    let demo = &inv.projects[0].component;
    assert_eq!(demo.declared_licenses[0].raw, "MIT/Apache-2.0");
    assert_eq!(demo.description.as_deref(), Some("A demo crate."));
    assert_eq!(inv.projects[0].manifest.file, "Cargo.toml");
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    assert_eq!(inv.completeness.get("Cargo.lock"), Some(&Completeness::Complete));
}

#[test]
fn v2_v3_v4_read_inline_checksums_and_short_dependency_names() {
    for (dir, demo) in [("lock-v2", "0.2.0"), ("lock-v3", "0.3.0"), ("lock-v4", "0.4.0")] {
        let inv = scan(dir);
        assert_eq!(purls(&inv), ["pkg:cargo/itoa@1.0.1"], "{dir}");
        let project = format!("pkg:cargo/demo@{demo}");
        assert_eq!(projects(&inv), [project.as_str()], "{dir}");
        assert_eq!(deps(&inv, &project), ["pkg:cargo/itoa@1.0.1"], "{dir}");
        let itoa = component(&inv, "pkg:cargo/itoa@1.0.1");
        assert_eq!(itoa.hashes[0].value.len(), 64, "{dir}");
        // The sparse crates.io index (v4 fixture) is crates.io too: no qualifier, no registry URL.
        assert_eq!(itoa.source, Source::Registry { url: None }, "{dir}");
        assert_eq!(itoa.scope, Some(Scope::Required), "{dir}");
        assert!(inv.diagnostics.is_empty(), "{dir}: {:?}", inv.diagnostics);
    }
}

#[test]
fn git_sources_carry_vcs_url_commit_and_reference() {
    let inv = scan("git-source");
    assert_eq!(
        purls(&inv),
        [
            "pkg:cargo/bare@0.1.0?vcs_url=git%2Bhttps:%2F%2Fexample.org%2Fbare.git%401111111111111111111111111111111111111111",
            "pkg:cargo/by-branch@0.2.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fo%2Fby-branch%402222222222222222222222222222222222222222",
            "pkg:cargo/by-rev@0.3.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fo%2Fby-rev%40abc1230000000000000000000000000000000000",
            "pkg:cargo/by-tag@0.4.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fo%2Fby-tag%404444444444444444444444444444444444444444",
        ]
    );
    let branch = &inv.components[1];
    assert_eq!(
        branch.source,
        Source::Git {
            url: "https://github.com/o/by-branch".into(),
            commit: Some("2222222222222222222222222222222222222222".into()),
            reference: Some("feat/x".into()),
        }
    );
    assert_eq!(branch.repository_url.as_deref(), Some("https://github.com/o/by-branch"));
    assert!(branch.hashes.is_empty() && branch.download_url.is_none());
    let refs: Vec<Option<&str>> = inv
        .components
        .iter()
        .map(|c| match &c.source {
            Source::Git { reference, .. } => reference.as_deref(),
            _ => Some("not git"),
        })
        .collect();
    assert_eq!(refs, [None, Some("feat/x"), Some("abc123"), Some("v0.4.0")]);
    assert_eq!(deps(&inv, "pkg:cargo/app@0.1.0").len(), 4);
}

#[test]
fn alternative_registries_get_repository_url() {
    let inv = scan("alt-registry");
    assert_eq!(
        purls(&inv),
        [
            "pkg:cargo/corp-util@2.0.0?repository_url=https:%2F%2Fgit.corp.example%2Fcrates-index",
            "pkg:cargo/serde@1.0.0",
            "pkg:cargo/serde@1.0.0?repository_url=sparse%2Bhttps:%2F%2Fcargo.corp.example%2Findex%2F",
        ]
    );
    let corp = &inv.components[0];
    assert_eq!(corp.source, Source::Registry { url: Some("https://git.corp.example/crates-index".into()) });
    // Only crates.io's download location is known without the registry's config.json.
    assert_eq!(corp.download_url, None);
    assert_eq!(corp.filename.as_deref(), Some("corp-util-2.0.0.crate"));
    assert_eq!(
        inv.components[2].source,
        Source::Registry { url: Some("sparse+https://cargo.corp.example/index/".into()) }
    );
    // The same name and version from two registries are two packages, both depended on.
    assert_eq!(deps(&inv, "pkg:cargo/app@0.1.0"), purls(&inv));
    assert_ne!(inv.components[1].hashes, inv.components[2].hashes);
}

#[test]
fn two_versions_of_one_name_resolve_exactly() {
    let inv = scan("same-name");
    assert_eq!(purls(&inv), ["pkg:cargo/bitflags@1.3.2", "pkg:cargo/bitflags@2.4.0", "pkg:cargo/uses-old@0.5.0"]);
    assert_eq!(deps(&inv, "pkg:cargo/uses-old@0.5.0"), ["pkg:cargo/bitflags@1.3.2"]);
    assert_eq!(deps(&inv, "pkg:cargo/app@1.0.0"), purls(&inv));
    assert!(inv.components.iter().all(|c| c.scope == Some(Scope::Required)));
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
}

#[test]
fn workspace_members_path_packages_and_nested_workspace_are_projects() {
    let inv = scan("workspace");
    assert_eq!(
        projects(&inv),
        [
            "pkg:cargo/core-lib@0.3.0",
            "pkg:cargo/excluded-tool@0.1.0",
            "pkg:cargo/helper@0.1.0",
            "pkg:cargo/ws-app@0.3.0",
            "pkg:cargo/ws-fuzz@0.0.1",
        ]
    );
    // 18 + 5 [[package]] entries = 15 + 1 (arbitrary, fuzz only) third-party
    // + 3 + 2 local; log and serde are in both lockfiles.
    assert_eq!(inv.components.len(), 16, "{:?}", purls(&inv));
    let app = inv.projects.iter().find(|p| p.component.name == "ws-app").unwrap();
    assert_eq!(app.component.version, "0.3.0", "version.workspace = true");
    assert_eq!(app.component.declared_licenses[0].raw, "EUPL-1.2");
    assert_eq!(app.component.authors, ["Sovra Fixtures <fixtures@example.org>"]);
    assert_eq!(app.component.repository_url.as_deref(), Some("https://example.org/ws"));
    assert_eq!(app.component.description.as_deref(), Some("The application"));
    assert_eq!(app.manifest.file, "crates/app/Cargo.toml");
    assert_eq!(app.manifest.line, Some(1));
    assert_eq!(app.component.source, Source::Path { path: "crates/app".into() });
    let helper = inv.projects.iter().find(|p| p.component.name == "helper").unwrap();
    assert_eq!(helper.component.declared_licenses[0].raw, "Apache-2.0");
    assert_eq!(
        deps(&inv, "pkg:cargo/ws-app@0.3.0"),
        [
            "pkg:cargo/cc@1.0.83",
            "pkg:cargo/core-lib@0.3.0",
            "pkg:cargo/flate2@1.0.28",
            "pkg:cargo/helper@0.1.0",
            "pkg:cargo/log@0.4.20",
            "pkg:cargo/rand@0.8.5",
            "pkg:cargo/tempfile@3.8.1",
            "pkg:cargo/winapi@0.3.9",
        ]
    );
    assert_eq!(deps(&inv, "pkg:cargo/ws-fuzz@0.0.1"), ["pkg:cargo/arbitrary@1.3.2", "pkg:cargo/core-lib@0.3.0"]);
    assert_eq!(deps(&inv, "pkg:cargo/helper@0.1.0"), ["pkg:cargo/itoa@1.0.9"]);
    // The excluded crate has no lockfile of its own: reported, without components.
    assert_eq!(diags(&inv), [(Severity::Warning, "cargo::no-lockfile", "crates/excluded/Cargo.toml", Some(1))]);
    assert_eq!(deps(&inv, "pkg:cargo/excluded-tool@0.1.0"), Vec::<&str>::new());
}

#[test]
fn workspace_scopes_follow_the_members_dependency_tables() {
    let inv = scan("workspace");
    let scope = |name: &str| {
        let c = inv.components.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{name}"));
        (c.scope.unwrap(), c.properties.get("sovra:cargo:build-only").map(String::as_str))
    };
    let required = (Scope::Required, None);
    // Normal dependencies, through renames (`rnd` = rand), workspace inheritance,
    // target-specific tables and path packages (helper -> itoa).
    for name in ["rand", "rand_core", "libc", "serde", "winapi", "itoa", "arbitrary"] {
        assert_eq!(scope(name), required, "{name}");
    }
    // A dev-dependency of one member and a normal one of another: required.
    assert_eq!(scope("log"), required);
    // Only for tests: tempfile (app), pretty_assertions under its key `pretty` (core-lib),
    // and what only they pull in. libc is also reached through rand, so it stays required.
    for name in ["tempfile", "fastrand", "pretty_assertions", "diff"] {
        assert_eq!(scope(name), (Scope::Dev, None), "{name}");
    }
    for name in ["cc", "jobserver"] {
        assert_eq!(scope(name), (Scope::Required, Some("true")), "{name}");
    }
    for name in ["flate2", "crc32fast"] {
        assert_eq!(scope(name), (Scope::Optional, None), "{name}");
    }
}

#[test]
fn manifest_only_crate_is_a_project_with_a_warning() {
    let inv = scan("manifest-only");
    assert_eq!(projects(&inv), ["pkg:cargo/lonely@1.0.0"]);
    assert!(inv.components.is_empty(), "no components from version requirements");
    assert_eq!(diags(&inv), [(Severity::Warning, "cargo::no-lockfile", "Cargo.toml", Some(1))]);
    assert_eq!(inv.completeness.get("Cargo.toml"), Some(&Completeness::Incomplete));
    assert_eq!(inv.projects[0].component.declared_licenses[0].raw, "MIT");
}

#[test]
fn a_single_lockfile_without_manifests_still_lists_everything() {
    let inv = scan("bad/missing-version");
    assert_eq!(purls(&inv), ["pkg:cargo/itoa@1.0.9"]);
    assert_eq!(projects(&inv), ["pkg:cargo/app@0.1.0"]);
    assert_eq!(component(&inv, "pkg:cargo/itoa@1.0.9").hashes[0].value, ITOA_SHA);
    assert_eq!(
        diags(&inv),
        [
            (Severity::Error, "cargo::bad-package", "Cargo.lock", Some(19)),
            (Severity::Warning, "cargo::unresolved-dependency", "Cargo.lock", Some(5)),
            (Severity::Info, "cargo::no-manifest", "Cargo.lock", None),
        ]
    );
    assert!(inv.diagnostics[0].message.contains("`serde` has no `version`"));
}

#[test]
fn bad_lockfiles_become_diagnostics() {
    for (dir, code, line) in [
        ("bad/empty", "cargo::empty", None),
        ("bad/binary", "cargo::binary", None),
        ("bad/truncated", "cargo::parse", Some(7)),
        ("bad/json", "cargo::parse", Some(1)),
        ("bad/wrong-type", "cargo::parse", Some(4)),
    ] {
        let inv = scan(dir);
        assert!(inv.components.is_empty() && inv.projects.is_empty(), "{dir}");
        assert_eq!(diags(&inv), [(Severity::Error, code, "Cargo.lock", line)], "{dir}");
        assert_eq!(inv.files["cargo"], ["Cargo.lock"], "{dir}");
    }
}

#[test]
fn a_broken_manifest_does_not_lose_the_lockfile() {
    let inv = scan("bad/bad-manifest");
    assert_eq!(purls(&inv), ["pkg:cargo/itoa@1.0.9"]);
    assert_eq!(projects(&inv), ["pkg:cargo/app@0.1.0"]);
    assert_eq!(
        diags(&inv),
        [
            (Severity::Error, "cargo::manifest-parse", "Cargo.toml", Some(5)),
            (Severity::Info, "cargo::no-manifest", "Cargo.lock", None),
        ]
    );
    assert_eq!(inv.files["cargo"], ["Cargo.lock", "Cargo.toml"]);
}

#[test]
fn a_lockfile_scanned_alone_finds_what_the_workspace_names_explicitly() {
    // Only Cargo.lock is offered; `crates/*` cannot be expanded without the
    // file list, but [workspace.dependencies] names core-lib's path.
    let inv = scan("workspace/Cargo.lock");
    assert_eq!(inv.components.len(), 15);
    assert_eq!(projects(&inv), ["pkg:cargo/core-lib@0.3.0", "pkg:cargo/helper@0.1.0", "pkg:cargo/ws-app@0.3.0"]);
    let core = inv.projects.iter().find(|p| p.component.name == "core-lib").unwrap();
    assert_eq!(core.component.declared_licenses[0].raw, "EUPL-1.2");
    // core-lib's own dev-dependency is still known; ws-app's are not, so they count as required.
    assert_eq!(component(&inv, "pkg:cargo/pretty_assertions@1.4.0").scope, Some(Scope::Dev));
    assert_eq!(component(&inv, "pkg:cargo/tempfile@3.8.1").scope, Some(Scope::Required));
    assert_eq!(diags(&inv), [(Severity::Info, "cargo::partial-manifests", "Cargo.lock", None)]);
    assert!(inv.diagnostics[0].message.contains("helper 0.1.0, ws-app 0.3.0"));
}

#[test]
fn a_broken_lockfile_still_reports_the_workspace_projects() {
    let inv = scan("bad/broken-lock-with-manifest");
    assert_eq!(projects(&inv), ["pkg:cargo/app@0.1.0"]);
    assert!(inv.components.is_empty());
    // The parse error says why; no "lockfile is out of date" on top of it.
    assert_eq!(diags(&inv), [(Severity::Error, "cargo::parse", "Cargo.lock", Some(3))]);
    assert_eq!(inv.completeness.get("Cargo.lock"), Some(&Completeness::Unknown));
}
