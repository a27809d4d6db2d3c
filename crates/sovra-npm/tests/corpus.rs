//! The npm plug-in over the shared corpus (skipped when it is absent).
//!
//! SOURCE.txt counts lockfile *entries*; Sovra lists unique purls of
//! third-party packages. The expected numbers below were computed once,
//! independently of this crate, with a short Python script (json / PyYAML)
//! that applies only these rules to each lockfile:
//! - package-lock v2/v3: keys containing `node_modules/`, minus `link: true`
//!   entries, unique by (`name` field or last key segment, `version`);
//! - package-lock v1: every entry of the nested `dependencies` tree,
//!   `npm:real@x` versions read as the real package, unique by name@version;
//! - yarn classic: entry headers, name from the first descriptor (alias ->
//!   real name), unique by name@version;
//! - yarn berry: keys except `__metadata`, minus `workspace:`/`link:` resolutions,
//!   unique by resolution name@version (so `patch:` entries fold into the
//!   package they patch), minus name@version pairs that are also a workspace
//!   package.json (the merge treats those as first-party);
//! - pnpm: keys of `packages`, peer suffix stripped, unique by name@version.

use std::path::Path;
use std::time::Instant;

use sovra_core::testing::{corpus_dir, scan_with};
use sovra_core::{Inventory, Scope, Severity};
use sovra_npm::NpmPlugin;

fn scan(dir: &Path, project: &str) -> Option<Inventory> {
    let path = dir.join("npm").join(project);
    path.is_dir().then(|| scan_with(&NpmPlugin, &path))
}

/// Unique third-party purls, workspace projects, and no error diagnostics.
fn check(project: &str, components: usize, projects: usize) -> Option<Inventory> {
    let dir = corpus_dir()?;
    let inv = scan(&dir, project)?;
    assert_eq!(inv.components.len(), components, "{project}: unique purls");
    assert_eq!(inv.projects.len(), projects, "{project}: first-party projects");
    let errors: Vec<_> = inv.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{project}: {errors:?}");
    // Every component is reached from some project (no orphaned subgraph).
    let reached: std::collections::BTreeSet<&String> = inv.dependencies.values().flatten().collect();
    let orphans: Vec<_> = inv.components.iter().filter(|c| !reached.contains(&c.purl)).map(|c| &c.purl).collect();
    assert!(
        orphans.len() <= components / 50,
        "{project}: {} orphans, e.g. {:?}",
        orphans.len(),
        &orphans[..orphans.len().min(5)]
    );
    Some(inv)
}

fn dev_share(inv: &Inventory) -> usize {
    inv.components.iter().filter(|c| c.scope == Some(Scope::Dev)).count()
}

#[test]
fn package_lock_v1() {
    // 2429 tree entries; many packages sit at several nested places:
    // 2429 - 508 repeated name@version = 1921 unique.
    if let Some(inv) = check("package-lock-v1-mocha", 1921, 1) {
        // mocha's own runtime deps are few; its dev tooling is most of the tree.
        assert!(dev_share(&inv) > 1800, "{}", dev_share(&inv));
        let d = inv.component("pkg:npm/debug@4.3.2").expect("mocha depends on debug");
        assert_eq!(d.scope, Some(Scope::Required));
    }
    // 125 entries, no repeats: 125.
    check("package-lock-v1-bookstack", 125, 1);
}

#[test]
fn package_lock_v2_v3() {
    // 1689 node_modules entries - 1 workspace link = 1688 installed; 402 of them
    // repeat a name@version at another nested path: 1286 unique.
    if let Some(inv) = check("package-lock-v2-mocha", 1286, 2) {
        // `node_modules/string-width-cjs` is an alias of string-width.
        assert!(inv.component("pkg:npm/string-width@4.2.3").is_some());
        assert!(inv.components.iter().all(|c| !c.name.ends_with("-cjs")));
    }
    // 707 entries - 1 link = 706; 27 repeats: 679 unique.
    check("package-lock-v3-mocha", 679, 2);
    // 169 entries, all distinct.
    if let Some(inv) = check("package-lock-v2-bookstack", 169, 1) {
        let c = inv.component("pkg:npm/codemirror@5.65.9").expect("bookstack ships codemirror");
        assert_eq!(c.scope, Some(Scope::Required));
        assert!(c.hashes.iter().any(|h| h.alg == sovra_core::HashAlg::Sha512));
        assert_eq!(c.filename.as_deref(), Some("codemirror-5.65.9.tgz"));
    }
}

#[test]
fn yarn_classic() {
    // 762 headers; 3 headers repeat a name@version another header has
    // (aliases like string-width-cjs -> string-width@4.2.3): 759.
    // Projects: root + actioncable, actiontext, activestorage workspaces.
    check("yarn-v1-rails", 759, 4);
    // 1397 headers, 4 alias duplicates: 1393.
    if let Some(inv) = check("yarn-v1-webpack", 1393, 1) {
        // webpack's runtime dependencies are Required, its test tooling Dev.
        assert_eq!(inv.component("pkg:npm/tapable@2.3.3").and_then(|c| c.scope), Some(Scope::Required));
        assert!(dev_share(&inv) > 1000);
    }
}

#[test]
fn yarn_berry() {
    // v10: 1586 entries + 163 workspaces = 1749 keys: 163 workspace + 4 link
    // (first-party), 9 patch entries folding into their npm originals,
    // 1573 unique npm name@version; 84 of those are babel's own packages at
    // the version of a workspace (the merge keeps them first-party): 1489.
    // Projects: 163 workspaces + linked folders.
    if let Some(inv) = check("yarn-berry-v10-babel", 1489, 165) {
        let patched = inv.components.iter().filter(|c| c.properties.contains_key("sovra:npm:patched")).count();
        assert!(patched >= 1);
        assert!(inv.components.iter().all(|c| c.hashes.is_empty()), "berry checksums are not file hashes");
    }
    // v6: 1649 keys - 178 workspace - 3 link = 1468 entries (1428 npm,
    // 35 babel `condition:` plug-in entries, 5 patch): 1463 unique, of which
    // 15 equal a workspace's name@version: 1448.
    check("yarn-berry-v6-babel", 1448, 180);
}

#[test]
fn pnpm() {
    // 5.4: 756 keys; one name@version appears with two peer suffixes: 755.
    // Projects: 18 importers + the link targets they name (3 extra folders).
    check("pnpm-v5.4-vue-core", 755, 21);
    // 6.0: 730 keys, all distinct after stripping peers: 730.
    check("pnpm-v6-vue-core", 730, 20);
    // 9.0: 620 `packages` keys are peer-free already: 620.
    if let Some(inv) = check("pnpm-v9-vue-core", 620, 21) {
        // vue's runtime dependency, via the workspace package `@vue/shared`'s siblings.
        assert_eq!(inv.component("pkg:npm/csstype@3.2.3").and_then(|c| c.scope), Some(Scope::Required));
    }
}

#[test]
fn whole_corpus_is_fast() {
    let Some(dir) = corpus_dir() else { return };
    let start = Instant::now();
    let mut total = 0;
    for entry in std::fs::read_dir(dir.join("npm")).unwrap() {
        total += scan_with(&NpmPlugin, &entry.unwrap().path()).components.len();
    }
    assert!(total > 10_000);
    // Generous for debug builds on a loaded machine; release is far below one second.
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}
