//! Sovra plug-in for Composer (PHP).
//!
//! [`ComposerPlugin`] claims `composer.json` and `composer.lock` and makes one
//! unit per directory: the lockfile with the composer.json beside it, or a
//! composer.json alone. [`parse_unit`] is the pure parser behind it:
//!
//! * composer.json ([`manifest`]) gives the root [`sovra_core::Project`], its
//!   `require`/`require-dev` (the project's edges) and path repositories;
//! * composer.lock ([`lock`]) gives one [`sovra_core::Component`] per entry of
//!   `packages` (required) and `packages-dev` (dev), with licences, authors,
//!   dist URL and SHA-1, git source and the `require` edges between packages;
//!   `dist.type: path` entries are first-party projects, not components.
//!
//! [`metadata`] holds what both files share (package fields, platform
//! requirements such as `php` and `ext-*`, which are never packages).

pub mod installed;
pub mod lock;
pub mod manifest;
pub mod metadata;

use sovra_core::plugin::{SourceTree, Unit, file_name, parent_dir, read_text};
use sovra_core::{Parsed, Plugin, Severity};

pub use lock::{Input, parse_unit};

const LOCK: &str = "composer.lock";
const MANIFEST: &str = "composer.json";

/// Unit kinds: a lockfile (with its manifest), a manifest alone, and a
/// manifest alone below a locked project (a path package or a fixture of it).
const KIND_LOCK: &str = "lock";
const KIND_MANIFEST: &str = "manifest";
const KIND_NESTED: &str = "nested-manifest";

pub struct ComposerPlugin;

impl Plugin for ComposerPlugin {
    fn id(&self) -> &'static str {
        "composer"
    }

    fn claims(&self, path: &str) -> bool {
        matches!(file_name(path), LOCK | MANIFEST)
    }

    fn units(&self, claimed: &[String], _tree: &dyn SourceTree) -> Vec<Unit> {
        let sibling = |dir: &str, name: &str| {
            if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") }
        };
        let locked_dirs: Vec<&str> = claimed.iter().filter(|p| file_name(p) == LOCK).map(|p| parent_dir(p)).collect();
        let mut units = Vec::new();
        for path in claimed {
            let dir = parent_dir(path);
            if file_name(path) == LOCK {
                let mut unit = Unit::new(path.clone(), KIND_LOCK);
                let manifest = sibling(dir, MANIFEST);
                if claimed.contains(&manifest) {
                    unit.related.push(manifest);
                }
                units.push(unit);
            } else if !locked_dirs.contains(&dir) {
                let below_lock = locked_dirs.iter().any(|d| d.is_empty() || dir.starts_with(&format!("{d}/")));
                units.push(Unit::new(path.clone(), if below_lock { KIND_NESTED } else { KIND_MANIFEST }));
            }
        }
        units.sort();
        units
    }

    fn parse(&self, unit: &Unit, tree: &dyn SourceTree) -> Parsed {
        let mut failed = Vec::new();
        let mut read = |path: &str| match read_text(tree, path, self.id()) {
            Ok(t) => Some((path.to_string(), t)),
            Err(d) => {
                failed.push(d);
                None
            }
        };
        let (lock, manifest) = if unit.kind == KIND_LOCK {
            (read(&unit.primary), unit.related.first().and_then(|m| read(m)))
        } else {
            (None, read(&unit.primary))
        };
        let severity = if unit.kind == KIND_NESTED { Severity::Info } else { Severity::Warning };
        let mut parsed = parse_unit(input(&lock), input(&manifest), severity);
        for d in failed {
            parsed.files.push(d.location.file.clone());
            parsed.diagnostics.push(d);
        }
        parsed.files.sort();
        parsed.files.dedup();
        parsed
    }

    fn installed(&self, tree: &dyn SourceTree) -> sovra_core::installed::Installed {
        installed::installed(tree, &sovra_core::installed::manifest_dirs(tree, |f| self.claims(f)))
    }
}

fn input(file: &Option<(String, String)>) -> Option<Input<'_>> {
    file.as_ref().map(|(path, text)| Input { path, text })
}
