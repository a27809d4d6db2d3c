//! The plug-in against the real projects in `shared/corpus/cargo`.
//!
//! Expected numbers come from each SOURCE.txt ("packages in lockfile", which
//! counts every `[[package]]` table, workspace members included) and were split
//! by hand: `grep -c '^source = '` counts the third-party entries of a
//! lockfile (members and path packages have no `source`), and where a tree has
//! two lockfiles their common `name@version` pairs were counted with `comm`.

use std::collections::BTreeMap;

use sovra_cargo::CargoPlugin;
use sovra_core::testing::{corpus_dir, scan_with};
use sovra_core::{HashAlg, Inventory, Scope};

fn scan(project: &str) -> Option<Inventory> {
    let dir = corpus_dir()?.join("cargo").join(project);
    Some(scan_with(&CargoPlugin, &dir))
}

fn names_with_scope(inv: &Inventory, scope: Scope) -> Vec<&str> {
    inv.components.iter().filter(|c| c.scope == Some(scope)).map(|c| c.name.as_str()).collect()
}

/// Every locked crates.io package has its `.crate` SHA-256, in every format
/// (v1 through the `[metadata]` table).
fn assert_all_hashed(inv: &Inventory) {
    for c in &inv.components {
        assert_eq!(c.hashes.len(), 1, "{}", c.purl);
        assert_eq!(c.hashes[0].alg, HashAlg::Sha256);
        assert_eq!(c.hashes[0].file.as_deref(), Some(format!("{}-{}.crate", c.name, c.version).as_str()));
        assert!(c.download_url.as_deref().is_some_and(|u| u.starts_with("https://static.crates.io/crates/")));
    }
}

fn codes(inv: &Inventory) -> Vec<String> {
    inv.diagnostics.iter().map(|d| format!("{} {}", d.code, d.location)).collect()
}

#[test]
fn ripgrep_v4_with_fuzz_workspace() {
    let Some(inv) = scan("ripgrep") else { return };
    // Cargo.lock: 63 packages = 52 third-party + 11 local (ripgrep and its
    // 10 workspace members). fuzz/Cargo.lock: 21 = 19 third-party + 2 local
    // (fuzz, and globset as a path package at its stale version 0.4.16).
    // The two lockfiles share no third-party name@version: 52 + 19 = 71.
    assert_eq!(inv.components.len(), 71);
    // 11 + fuzz + globset@0.4.16 (the root lockfile has globset@0.4.20).
    assert_eq!(inv.projects.len(), 13);
    assert_all_hashed(&inv);
    // The fuzz lockfile was not updated after globset's version bump
    // (`grep -n 'name = "globset"' fuzz/Cargo.lock`: header on line 62).
    assert_eq!(codes(&inv), ["cargo::stale-lockfile fuzz/Cargo.lock:62"],);
    // Dev-only: crossbeam-channel (ignore), glob (globset), regex (matcher, searcher).
    assert_eq!(names_with_scope(&inv, Scope::Dev), ["crossbeam-channel", "glob", "regex"]);
    // globset's optional `arbitrary` dependency and what only its derive feature pulls in.
    assert_eq!(names_with_scope(&inv, Scope::Optional), ["arbitrary", "derive_arbitrary", "syn"]);
    // The lockfile's 14 `dependencies` of ripgrep itself.
    assert_eq!(inv.dependencies["pkg:cargo/ripgrep@15.2.0"].len(), 14);
    let rg = inv.projects.iter().find(|p| p.component.name == "ripgrep").unwrap();
    assert_eq!(rg.component.declared_licenses[0].raw, "Unlicense OR MIT");
    assert_eq!(rg.manifest.file, "Cargo.toml");
}

#[test]
fn ripgrep_lock_v1_v2_v3() {
    // (folder, third-party, local): v1 and v2 have 65 packages = 55 + 10
    // (ripgrep + 9 members; grep-index did not exist yet). v3 has 68 = 58 + 10
    // and fuzz/Cargo.lock 21 = 19 + 2, whose globset@0.4.16 is the root's
    // member: projects 10 + fuzz = 11, third-party 58 + 19 = 77 (nothing shared).
    for (folder, third_party, local) in
        [("ripgrep-lock-v1", 55, 10), ("ripgrep-lock-v2", 55, 10), ("ripgrep-lock-v3", 77, 11)]
    {
        let Some(inv) = scan(folder) else { return };
        assert_eq!(inv.components.len(), third_party, "{folder}");
        assert_eq!(inv.projects.len(), local, "{folder}");
        assert_all_hashed(&inv);
        assert!(inv.diagnostics.is_empty(), "{folder}: {:?}", codes(&inv));
        assert!(!names_with_scope(&inv, Scope::Dev).is_empty(), "{folder}: dev-dependencies found");
        // Every package except the members themselves is someone's dependency.
        let depended: std::collections::BTreeSet<&String> = inv.dependencies.values().flatten().collect();
        assert!(inv.components.iter().all(|c| depended.contains(&c.purl)), "{folder}");
    }
}

#[test]
fn uv_large_workspace_and_excluded_trampoline() {
    let Some(inv) = scan("uv") else { return };
    // Cargo.lock: 753 packages = 683 third-party + 70 members (crates/* minus the
    // excluded crates/uv-trampoline). crates/uv-trampoline/Cargo.lock: 23 =
    // 21 third-party + 2 local (uv-trampoline, uv-windows as a path package),
    // 11 of the 21 also in the root lockfile: 683 + 21 - 11 = 693.
    assert_eq!(inv.components.len(), 693);
    assert_eq!(inv.projects.len(), 71);
    assert_all_hashed(&inv);
    assert!(inv.diagnostics.is_empty(), "{:?}", codes(&inv));
    // Licences as the 71 manifests state them, 67 through `license.workspace = true`.
    let mut licenses: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &inv.projects {
        assert_eq!(p.component.declared_licenses.len(), 1, "{}", p.bom_ref);
        *licenses.entry(p.component.declared_licenses[0].raw.as_str()).or_default() += 1;
    }
    assert_eq!(licenses, BTreeMap::from([("Apache-2.0 OR BSD-2-Clause", 2), ("MIT", 1), ("MIT OR Apache-2.0", 68)]));
    for scope in [Scope::Required, Scope::Optional, Scope::Dev] {
        assert!(!names_with_scope(&inv, scope).is_empty(), "{scope:?}");
    }
}
