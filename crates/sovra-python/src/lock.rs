//! What every lockfile parser hands back, and how a manifest is tied to it:
//! the project becomes a [`sovra_core::Project`] and its declared direct
//! dependencies become edges to the locked packages of the same name.

use std::collections::BTreeMap;

use sovra_core::{Parsed, Scope};

use crate::common;
use crate::pyproject::Manifest;

/// A parsed lockfile (or set of pinned requirements files) plus a lookup of
/// its entries by normalised name.
#[derive(Default)]
pub struct Lock {
    pub parsed: Parsed,
    /// Normalised name -> references (purls or project refs) of the locked entries.
    pub by_name: BTreeMap<String, Vec<String>>,
}

impl Lock {
    /// A lock for the TOML lockfile at `path` with its parsed document, or
    /// with the syntax error recorded and no document.
    pub fn from_toml(text: &str, path: &str) -> (Lock, Option<toml::Table>) {
        let mut lock = Lock::default();
        lock.parsed.files.push(path.to_string());
        match common::parse_toml(text, path) {
            Ok(doc) => (lock, Some(doc)),
            Err(d) => {
                lock.parsed.diagnostics.push(d);
                (lock, None)
            }
        }
    }

    pub fn index(&mut self, name: &str, reference: &str) {
        let refs = self.by_name.entry(common::normalize(name)).or_default();
        if !refs.iter().any(|r| r == reference) {
            refs.push(reference.to_string());
        }
    }

    pub fn lookup(&self, name: &str) -> &[String] {
        self.by_name.get(&common::normalize(name)).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Tie a manifest to this lock. `member_only`: the manifest is not beside
    /// the lockfile (a workspace member further down), so it only enriches a
    /// project the lock itself lists; it never becomes a root of its own.
    /// Returns false when it was not tied (the caller then treats it alone).
    pub fn link_manifest(&mut self, manifest: &Manifest, member_only: bool) -> bool {
        let name = manifest.name().to_string();
        let existing = self.parsed.projects.iter_mut().find(|p| p.component.name == name);
        let bom_ref = match existing {
            Some(p) => {
                let mut own = manifest.project.component.clone();
                // The lockfile knows the resolved version of a dynamic one.
                own.version = p.component.version.clone();
                own.purl = p.component.purl.clone();
                let mut merged = own;
                merged.merge(p.component.clone());
                p.component = merged;
                p.manifest = manifest.project.manifest.clone();
                p.bom_ref.clone()
            }
            None if member_only => return false,
            None => {
                self.parsed.projects.push(manifest.project.clone());
                manifest.project.bom_ref.clone()
            }
        };
        for dep in &manifest.deps {
            let targets = self.lookup(&dep.name).to_vec();
            if targets.is_empty() {
                self.parsed.diagnostics.push(common::info(
                    "not-locked",
                    &manifest.path,
                    manifest.project.manifest.line,
                    format!(
                        "declared dependency `{}` is not in the lockfile (not installed for this platform or extra?)",
                        dep.name
                    ),
                ));
            }
            for t in targets {
                if t != bom_ref {
                    self.parsed.edges.push((bom_ref.clone(), t));
                }
            }
        }
        if !self.parsed.files.contains(&manifest.path) {
            self.parsed.files.push(manifest.path.clone());
        }
        true
    }

    /// Seeds for scope reachability from a manifest's declared dependencies.
    pub fn manifest_seeds(&self, manifest: &Manifest) -> Vec<(String, Scope)> {
        manifest.deps.iter().flat_map(|d| self.lookup(&d.name).iter().map(move |r| (r.clone(), d.scope))).collect()
    }

    /// Sort what was emitted, so output does not depend on file order.
    pub fn finish(mut self) -> Parsed {
        let p = &mut self.parsed;
        p.components.sort_by(|a, b| a.purl.cmp(&b.purl));
        p.projects.sort_by(|a, b| a.bom_ref.cmp(&b.bom_ref));
        p.edges.sort();
        p.edges.dedup();
        p.diagnostics.sort();
        p.diagnostics.dedup();
        p.files.sort();
        p.files.dedup();
        self.parsed
    }
}
