//! Sovra plug-in for Maven and Gradle: the JVM ecosystem, purl type `maven`.
//!
//! [`MavenPlugin`] claims three kinds of files and groups them into units:
//!
//! * every `pom.xml` of the tree, together, as one reactor
//!   ([`reactor::parse_poms`]). [`pom::parse_pom`] reads one POM as written;
//!   the reactor links parents, inherits and interpolates properties, applies
//!   `<dependencyManagement>` and imported BOMs found in the tree, and turns
//!   every POM into a first-party `Project` and every resolvable dependency into
//!   a `Component`. Versions that only a parent or BOM outside the tree could
//!   supply are reported, never invented. POMs list direct dependencies only,
//!   so the graph is `Incomplete`.
//! * `gradle.lockfile`, `buildscript-gradle.lockfile`, `settings-gradle.lockfile`
//!   (one unit each) and the legacy `gradle/dependency-locks/*.lockfile` (one
//!   unit per folder) ([`gradle_lock::parse_gradle_locks`]): pinned modules with
//!   their configurations, scoped by configuration name.
//! * `gradle/verification-metadata.xml` ([`verification::parse_verification_metadata`]):
//!   every artifact Gradle verified, with SHA-256/SHA-512 digests per file.
//!
//! Gradle build scripts (`build.gradle`, `build.gradle.kts`, `settings.gradle`)
//! and version catalogs are programs or inputs to programs; they are not parsed:
//! without a lockfile a Gradle build's resolved versions are unknown.
//!
//! All XML goes through [`sovra_core::xml::parse`], which bounds nesting and expands no
//! entities beyond the five predefined ones.

pub mod gradle_lock;
pub mod installed;
pub mod pom;
pub mod reactor;
pub mod verification;

use sovra_core::plugin::{SourceTree, Unit, file_name, parent_dir, read_text};
use sovra_core::{Diagnostic, Parsed, Plugin};

const ID: &str = "maven";
const POMS: &str = "pom-reactor";
const LOCKFILE: &str = "gradle-lockfile";
const LEGACY_LOCKS: &str = "gradle-legacy-locks";
const VERIFICATION: &str = "gradle-verification";

pub struct MavenPlugin;

/// The unit kind of a claimed file, by name alone.
fn kind_of(path: &str) -> Option<&'static str> {
    let name = file_name(path);
    let dir = parent_dir(path);
    match name {
        "pom.xml" => Some(POMS),
        "gradle.lockfile" | "buildscript-gradle.lockfile" | "settings-gradle.lockfile" => Some(LOCKFILE),
        "verification-metadata.xml" if file_name(dir) == "gradle" => Some(VERIFICATION),
        _ if name.ends_with(".lockfile")
            && (dir == "gradle/dependency-locks" || dir.ends_with("/gradle/dependency-locks")) =>
        {
            Some(LEGACY_LOCKS)
        }
        _ => None,
    }
}

impl Plugin for MavenPlugin {
    /// Maven Central lays out `<group path>/<artifact>/<version>/<artifact>-<version>.jar`.
    fn distribution(&self, c: &sovra_core::Component) -> Option<(String, String)> {
        if c.ecosystem != Some(sovra_core::Ecosystem::Maven) {
            return None;
        }
        let group = c.namespace.as_deref()?;
        let file = format!("{}-{}.jar", c.name, c.version);
        let url = format!("https://repo1.maven.org/maven2/{}/{}/{}/{file}", group.replace('.', "/"), c.name, c.version);
        Some((file, url))
    }

    fn id(&self) -> &'static str {
        ID
    }

    fn claims(&self, path: &str) -> bool {
        kind_of(path).is_some()
    }

    fn units(&self, claimed: &[String], _tree: &dyn SourceTree) -> Vec<Unit> {
        let mut units = Vec::new();
        let mut poms: Vec<&String> = Vec::new();
        let mut legacy: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
        for path in claimed {
            match kind_of(path) {
                Some(POMS) => poms.push(path),
                Some(LEGACY_LOCKS) => legacy.entry(parent_dir(path)).or_default().push(path.clone()),
                Some(kind) => units.push(Unit::new(path.clone(), kind)),
                None => {}
            }
        }
        // The outermost POM names the reactor; every POM is read with it.
        poms.sort_by_key(|p| (p.matches('/').count(), p.as_str()));
        if let Some((first, rest)) = poms.split_first() {
            let mut unit = Unit::new(first.as_str(), POMS);
            unit.related = rest.iter().map(|p| p.to_string()).collect();
            units.push(unit);
        }
        for (_, mut files) in legacy {
            files.sort();
            let mut unit = Unit::new(files.remove(0), LEGACY_LOCKS);
            unit.related = files;
            units.push(unit);
        }
        units.sort();
        units
    }

    fn parse(&self, unit: &Unit, tree: &dyn SourceTree) -> Parsed {
        let paths: Vec<&str> =
            std::iter::once(unit.primary.as_str()).chain(unit.related.iter().map(String::as_str)).collect();
        let mut read_errors: Vec<Diagnostic> = Vec::new();
        let texts: Vec<(&str, String)> = paths
            .iter()
            .filter_map(|p| read_text(tree, p, ID).map_err(|d| read_errors.push(d)).ok().map(|t| (*p, t)))
            .collect();
        let texts: Vec<(&str, &str)> = texts.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let mut parsed = match unit.kind {
            POMS => reactor::parse_poms(&texts),
            VERIFICATION => {
                texts.first().map(|(p, t)| verification::parse_verification_metadata(t, p)).unwrap_or_default()
            }
            _ => {
                let dir = parent_dir(&unit.primary);
                // Legacy locks live in <project>/gradle/dependency-locks/.
                let project = if unit.kind == LEGACY_LOCKS { parent_dir(parent_dir(dir)) } else { dir };
                gradle_lock::parse_gradle_locks(project, &texts)
            }
        };
        parsed.diagnostics.extend(read_errors);
        parsed.diagnostics.sort();
        parsed.files = paths.iter().map(|p| p.to_string()).collect();
        parsed
    }

    fn package_caches(&self, home: &sovra_core::installed::CacheHome) -> Vec<sovra_core::installed::PackageCache> {
        installed::package_caches(home)
    }

    fn cached(&self, cache: &dyn SourceTree, wanted: &[&sovra_core::Component]) -> sovra_core::installed::Installed {
        installed::cached(cache, wanted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sovra_core::plugin::MemoryTree;

    #[test]
    fn claims_by_name_and_groups_units() {
        let files: Vec<String> = [
            "a/pom.xml",
            "pom.xml",
            "gradle.lockfile",
            "sub/buildscript-gradle.lockfile",
            "gradle/verification-metadata.xml",
            "verification-metadata.xml",
            "x/gradle/dependency-locks/compileClasspath.lockfile",
            "x/gradle/dependency-locks/runtimeClasspath.lockfile",
            "other.lockfile",
            "build.gradle.kts",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let p = MavenPlugin;
        let claimed: Vec<String> = files.iter().filter(|f| p.claims(f)).cloned().collect();
        assert_eq!(claimed.len(), 7);
        let units = p.units(&claimed, &MemoryTree::default());
        let summary: Vec<(&str, &str, usize)> =
            units.iter().map(|u| (u.primary.as_str(), u.kind, u.related.len())).collect();
        assert_eq!(
            summary,
            [
                ("gradle.lockfile", LOCKFILE, 0),
                ("gradle/verification-metadata.xml", VERIFICATION, 0),
                ("pom.xml", POMS, 1),
                ("sub/buildscript-gradle.lockfile", LOCKFILE, 0),
                ("x/gradle/dependency-locks/compileClasspath.lockfile", LEGACY_LOCKS, 1),
            ]
        );
    }
}
