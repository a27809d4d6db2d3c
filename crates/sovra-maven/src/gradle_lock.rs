//! Gradle dependency locking: `gradle.lockfile` (Gradle 6+), the legacy
//! per-configuration `gradle/dependency-locks/<configuration>.lockfile`, and
//! the build-tooling locks `buildscript-gradle.lockfile` /
//! `settings-gradle.lockfile`.
//!
//! A lock line is `group:artifact:version=conf1,conf2`; `empty=conf1,...`
//! lists locked configurations that resolved to nothing. Lockfiles name every
//! resolved module but no edges between them, so the directory's project gets
//! an edge to each one and the graph is first-party-only.
//!
//! Scope comes from the configurations, by Gradle's naming conventions:
//! * test source sets (`testRuntimeClasspath`, `integrationTestCompileClasspath`:
//!   names starting with `test` or holding a `Test`/`_test` word) and benchmarks (`jmh*`) are Dev;
//! * tool classpaths (annotation processors, `kapt`, static analysers such as
//!   spotbugs/checkstyle/pmd/codenarc/detekt, jacoco, Kotlin compiler
//!   classpaths, the buildscript/settings classpath) are Dev as well: they run
//!   during the build and are not shipped. An annotation processor can emit
//!   code, but that code is first-party output, not the processor itself;
//! * a `compileClasspath` entry missing from the matching `runtimeClasspath`
//!   is `compileOnly`, Maven's `provided`: Excluded, but only when that
//!   runtime classpath is locked too (otherwise absence proves nothing);
//! * everything else (`runtimeClasspath`, custom configurations) is Required.
//!
//! A component takes the strongest scope of its configurations. The
//! configuration list is kept as the `sovra:maven:configurations` property.

use std::collections::{BTreeMap, BTreeSet};

use sovra_core::plugin::file_name;
use sovra_core::{Completeness, Component, Diagnostic, Ecosystem, Location, Parsed, Project, Scope, Source};

/// The lock files of one Gradle project, as (path, text).
pub fn parse_gradle_locks(project_dir: &str, files: &[(&str, &str)]) -> Parsed {
    let mut out = Parsed { completeness: Completeness::IncompleteFirstPartyOnly, ..Parsed::default() };
    if files.is_empty() {
        return out;
    }
    // group:artifact:version -> (configurations, lock lines)
    let mut found: BTreeMap<(String, String, String), Sighting> = BTreeMap::new();
    let mut locked: BTreeSet<String> = BTreeSet::new();
    for (path, text) in files {
        let name = file_name(path);
        let tooling = name.starts_with("buildscript-") || name.starts_with("settings-");
        // Legacy lockfiles hold one configuration each, named by the file.
        let legacy_conf = (name != "gradle.lockfile" && !name.ends_with("-gradle.lockfile"))
            .then(|| name.trim_end_matches(".lockfile").to_string());
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = Location::new(*path, Some(n as u32 + 1));
            let (coords, confs) = match (line.split_once('='), &legacy_conf) {
                (Some((c, confs)), _) => {
                    (c.trim(), confs.split(',').map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect())
                }
                (None, Some(conf)) => (line, vec![conf.clone()]),
                (None, None) => {
                    out.diagnostics.push(bad_line(at, line, "no `=configurations` part"));
                    continue;
                }
            };
            // Build-tooling lockfiles name ordinary-looking configurations (`classpath`).
            let confs: Vec<String> =
                if tooling { confs.into_iter().map(|c| format!("buildscript:{c}")).collect() } else { confs };
            locked.extend(confs.iter().cloned());
            if coords == "empty" {
                continue;
            }
            let parts: Vec<&str> = coords.split(':').map(str::trim).collect();
            let [g, a, v] = parts[..] else {
                out.diagnostics.push(bad_line(at, line, "expected group:artifact:version"));
                continue;
            };
            if g.is_empty() || a.is_empty() || v.is_empty() || [g, a, v].iter().any(|p| p.contains(char::is_whitespace))
            {
                out.diagnostics.push(bad_line(at, line, "expected group:artifact:version"));
                continue;
            }
            let entry = found.entry((g.into(), a.into(), v.into())).or_default();
            entry.0.extend(confs);
            entry.1.push(at);
        }
    }
    let project_ref = sovra_core::project_ref(if project_dir.is_empty() { "." } else { project_dir });
    for ((g, a, v), (confs, locations)) in found {
        let mut c = Component::new(Ecosystem::Maven, Some(&g), &a, &v);
        c.scope = Some(confs.iter().map(|conf| configuration_scope(conf, &locked)).min().unwrap_or(Scope::Required));
        c.locations = locations;
        c.properties.insert("sovra:maven:configurations".into(), confs.into_iter().collect::<Vec<_>>().join(","));
        out.edges.push((project_ref.clone(), c.purl.clone()));
        out.components.push(c);
    }
    let dir_name = project_dir.rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or(".");
    out.projects.push(Project {
        bom_ref: project_ref,
        component: Component {
            ecosystem: Some(Ecosystem::Maven),
            name: dir_name.to_string(),
            source: Source::Path { path: project_dir.to_string() },
            ..Component::default()
        },
        manifest: Location::new(files.first().map_or("", |f| f.0), None),
    });
    out
}

type Sighting = (BTreeSet<String>, Vec<Location>);

fn bad_line(at: Location, line: &str, why: &str) -> Diagnostic {
    let shown: String = line.chars().take(120).collect();
    Diagnostic::warning("maven::lockfile-entry", at, format!("{why}; line skipped: {shown}"))
}

/// The words of a configuration name: camelCase humps and `_`/`-`/`:` separated parts, lower-cased.
fn words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if matches!(ch, '_' | '-' | ':' | '.') {
            words.push(String::new());
            prev_lower = false;
            continue;
        }
        if words.is_empty() || (ch.is_uppercase() && prev_lower) {
            words.push(String::new());
        }
        prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
        if let Some(w) = words.last_mut() {
            w.extend(ch.to_lowercase());
        }
    }
    words.retain(|w| !w.is_empty());
    words
}

/// Words naming a tool that runs during the build rather than code that ships.
const TOOLING: &[&str] = &[
    "buildscript",
    "processor",
    "kapt",
    "ksp",
    "spotbugs",
    "checkstyle",
    "pmd",
    "codenarc",
    "detekt",
    "ktlint",
    "errorprone",
    "spotless",
    "jacoco",
    "pitest",
    "dokka",
    "tooling",
];

fn configuration_scope(conf: &str, locked: &BTreeSet<String>) -> Scope {
    let w = words(conf);
    let has = |x: &str| w.iter().any(|y| y == x);
    let first = w.first().map(String::as_str).unwrap_or("");
    if has("test") || first.starts_with("test") || matches!(first, "jmh" | "benchmark" | "benchmarks") {
        return Scope::Dev;
    }
    if TOOLING.iter().any(|t| has(t)) || first == "kotlin" {
        return Scope::Dev;
    }
    if let Some(prefix) = conf.strip_suffix("CompileClasspath").or_else(|| (conf == "compileClasspath").then_some("")) {
        let runtime =
            if prefix.is_empty() { "runtimeClasspath".to_string() } else { format!("{prefix}RuntimeClasspath") };
        if locked.contains(&runtime) {
            return Scope::Excluded;
        }
    }
    Scope::Required
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_names_split_into_words() {
        assert_eq!(
            words("latestDepForkedTestRuntimeClasspath"),
            ["latest", "dep", "forked", "test", "runtime", "classpath"]
        );
        assert_eq!(words("test_java11RuntimeClasspath"), ["test", "java11", "runtime", "classpath"]);
        assert_eq!(words("testing"), ["testing"]);
    }

    #[test]
    fn configurations_classify() {
        let locked: BTreeSet<String> =
            ["runtimeClasspath", "compileClasspath", "fooCompileClasspath"].iter().map(|s| s.to_string()).collect();
        let s = |c: &str| configuration_scope(c, &locked);
        assert_eq!(s("runtimeClasspath"), Scope::Required);
        assert_eq!(s("compileClasspath"), Scope::Excluded);
        assert_eq!(s("fooCompileClasspath"), Scope::Required, "fooRuntimeClasspath is not locked");
        assert_eq!(s("testRuntimeClasspath"), Scope::Dev);
        assert_eq!(s("integrationTestCompileClasspath"), Scope::Dev);
        assert_eq!(s("jmhRuntimeClasspath"), Scope::Dev);
        assert_eq!(s("annotationProcessor"), Scope::Dev);
        assert_eq!(s("kotlinCompilerClasspath"), Scope::Dev);
        assert_eq!(s("buildscript:classpath"), Scope::Dev);
        assert_eq!(s("shadow"), Scope::Required);
        assert_eq!(s("testing"), Scope::Dev);
        assert_eq!(s("contestRuntimeClasspath"), Scope::Required, "only the word test counts inside a name");
    }
}
