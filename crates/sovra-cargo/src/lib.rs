/*!
Sovra's plug-in for Rust's Cargo.

[`CargoPlugin`] claims `Cargo.lock` and `Cargo.toml` files and groups them:
each `Cargo.lock` is a unit with the manifests below it (up to the next
directory with a lockfile of its own, such as a separate `fuzz/` workspace);
a `Cargo.toml` that no lockfile covers is a unit of its own.

* [`lock`] reads every Cargo.lock format (v1 to v4) into a [`lock::Lockfile`]:
  packages with their sources, checksums and dependencies resolved to the
  exact package they name.
* [`manifest`] reads a `Cargo.toml` ([`manifest::Manifest`]): package metadata
  and dependency tables, with `workspace = true` inheritance resolved.
* [`workspace`] puts the two together: workspace members and path packages
  become first-party projects, everything else a component whose scope
  follows from how the members' manifests reach it (normal, build-only,
  optional, dev-only).
*/

pub mod glob;
pub mod installed;
pub mod lock;
pub mod manifest;
pub mod workspace;

use std::collections::{BTreeMap, BTreeSet};

use sovra_core::plugin::{SourceTree, Unit, file_name, join_rel, parent_dir};
use sovra_core::{Parsed, Plugin};

pub use lock::parse_lockfile;

/// The plug-in id, prefix of every diagnostic code.
pub const ID: &str = "cargo";

const LOCK: &str = "lock";
const MANIFEST: &str = "manifest";

pub struct CargoPlugin;

impl Plugin for CargoPlugin {
    fn id(&self) -> &'static str {
        ID
    }

    fn claims(&self, path: &str) -> bool {
        matches!(file_name(path), "Cargo.lock" | "Cargo.toml")
    }

    fn units(&self, claimed: &[String], tree: &dyn SourceTree) -> Vec<Unit> {
        let mut lock_dirs: BTreeSet<&str> = BTreeSet::new();
        let mut manifests: Vec<&str> = Vec::new();
        for path in claimed {
            match file_name(path) {
                "Cargo.lock" => {
                    lock_dirs.insert(parent_dir(path));
                }
                _ => manifests.push(path),
            }
        }
        // A manifest scanned on its own still finds the lockfile beside it.
        let beside: Vec<&str> = manifests
            .iter()
            .map(|m| parent_dir(m))
            .filter(|d| !lock_dirs.contains(d) && tree.exists(&lock_in(d)))
            .collect();
        lock_dirs.extend(beside);

        let mut related: BTreeMap<&str, Vec<String>> = lock_dirs.iter().map(|d| (*d, Vec::new())).collect();
        let mut units = Vec::new();
        for m in manifests {
            match nearest_lock_dir(m, &lock_dirs) {
                Some(dir) => related.entry(dir).or_default().push(m.to_string()),
                None => units.push(Unit::new(m, MANIFEST)),
            }
        }
        for (dir, mut related) in related {
            related.sort();
            units.push(Unit { primary: lock_in(dir), related, kind: LOCK });
        }
        units.sort();
        units
    }

    fn parse(&self, unit: &Unit, tree: &dyn SourceTree) -> Parsed {
        match unit.kind {
            LOCK => workspace::parse_lock_unit(tree, &unit.primary, &unit.related),
            _ => workspace::parse_manifest_unit(tree, &unit.primary),
        }
    }

    fn installed(&self, tree: &dyn SourceTree) -> sovra_core::installed::Installed {
        installed::installed(tree, &sovra_core::installed::manifest_dirs(tree, |f| self.claims(f)))
    }

    fn package_caches(&self, home: &sovra_core::installed::CacheHome) -> Vec<sovra_core::installed::PackageCache> {
        installed::package_caches(home)
    }

    fn cached(&self, cache: &dyn SourceTree, wanted: &[&sovra_core::Component]) -> sovra_core::installed::Installed {
        installed::cached(cache, wanted)
    }
}

fn lock_in(dir: &str) -> String {
    join_rel(dir, "Cargo.lock").unwrap_or_else(|| "Cargo.lock".into())
}

/// The directory of the closest lockfile at or above the manifest's directory.
fn nearest_lock_dir<'a>(manifest: &str, lock_dirs: &BTreeSet<&'a str>) -> Option<&'a str> {
    let mut dir = parent_dir(manifest);
    loop {
        if let Some(found) = lock_dirs.get(dir) {
            return Some(found);
        }
        if dir.is_empty() {
            return None;
        }
        dir = parent_dir(dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sovra_core::plugin::MemoryTree;

    #[test]
    fn units_group_manifests_under_the_nearest_lockfile() {
        let files = [
            "Cargo.lock",
            "Cargo.toml",
            "crates/a/Cargo.toml",
            "fuzz/Cargo.lock",
            "fuzz/Cargo.toml",
            "tools/x/Cargo.toml",
            "other/Cargo.toml",
        ];
        let tree = MemoryTree::new(files.iter().map(|f| (*f, b"x".to_vec())));
        let claimed: Vec<String> = files.iter().map(|s| s.to_string()).collect();
        // "other" has no lockfile of its own but lies under the root's.
        let units = CargoPlugin.units(&claimed, &tree);
        let summary: Vec<(&str, Vec<&str>, &str)> = units
            .iter()
            .map(|u| (u.primary.as_str(), u.related.iter().map(String::as_str).collect(), u.kind))
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "Cargo.lock",
                    vec!["Cargo.toml", "crates/a/Cargo.toml", "other/Cargo.toml", "tools/x/Cargo.toml"],
                    LOCK
                ),
                ("fuzz/Cargo.lock", vec!["fuzz/Cargo.toml"], LOCK),
            ]
        );
    }

    #[test]
    fn lockless_manifests_are_units_and_a_lone_manifest_finds_its_lockfile() {
        let tree = MemoryTree::new([
            ("a/Cargo.toml", b"x".to_vec()),
            ("b/Cargo.toml", b"x".to_vec()),
            ("b/Cargo.lock", b"x".to_vec()),
        ]);
        let claimed = vec!["a/Cargo.toml".to_string(), "b/Cargo.toml".to_string()];
        let units = CargoPlugin.units(&claimed, &tree);
        assert_eq!(
            units,
            vec![
                Unit::new("a/Cargo.toml", MANIFEST),
                Unit { primary: "b/Cargo.lock".into(), related: vec!["b/Cargo.toml".into()], kind: LOCK },
            ]
        );
    }
}
