//! The plug-in against the real projects in the shared corpus (skipped when it is absent).
//!
//! The expected numbers were computed once, independently of this crate, by a
//! short Python script (xml.etree) over the corpus files:
//!
//! * POMs: parents linked by the default `../pom.xml`; properties merged down
//!   the parent chain plus `project.version`/`groupId`/`artifactId`;
//!   `<dependencyManagement>` merged down the chain, keyed by
//!   group:artifact:type:classifier; each `project/dependencies/dependency`
//!   counted as reactor-internal (its group:artifact:version is a POM of the
//!   tree), unresolved (no version after management, a `${...}` left, or a
//!   range), or a component (unique group:artifact:version plus
//!   classifier/type qualifiers).
//! * gradle.lockfile: unique `group:artifact:version` over all lock lines,
//!   comments and `empty=` excluded.
//! * verification-metadata.xml: unique (group, name, version) of `<component>`.
//!
//! Output: maven {poms 38, declared 408, components 53, reactor 192,
//! resolved to components 173, unresolved 43}; commons-lang {poms 1,
//! declared 7, components 2, reactor 0, resolved 2, unresolved 5};
//! dd-trace-java 1331; dd-javac-plugin 12; besu 1114 elements, 1114 unique.

use std::collections::BTreeSet;

use sovra_core::testing::{corpus_dir, scan_with};
use sovra_core::{Inventory, Scope};
use sovra_maven::MavenPlugin;

fn scan(project: &str) -> Option<Inventory> {
    let dir = corpus_dir()?.join("maven").join(project);
    Some(scan_with(&MavenPlugin, &dir))
}

/// Declarations that became components: distinct (file, line) over all components.
fn declarations_resolved_to_components(inv: &Inventory) -> usize {
    inv.components.iter().flat_map(|c| &c.locations).collect::<BTreeSet<_>>().len()
}

fn count(inv: &Inventory, code: &str) -> usize {
    inv.diagnostics.iter().filter(|d| d.code == code).count()
}

/// Dependency declarations that point at another POM of the reactor. Each
/// module declares a sibling at most once in this corpus, so edges between
/// projects count declarations.
fn project_edges(inv: &Inventory) -> usize {
    let projects: BTreeSet<&str> = inv.projects.iter().map(|p| p.bom_ref.as_str()).collect();
    inv.dependencies
        .iter()
        .filter(|(from, _)| projects.contains(from.as_str()))
        .map(|(_, tos)| tos.iter().filter(|t| projects.contains(t.as_str())).count())
        .sum()
}

/// SOURCE.txt counts 502 `<dependency>` elements in apache/maven: 408 under
/// `project/dependencies`, 87 under `<dependencyManagement>` (constraints,
/// among them the junit and mockito BOM imports), 4 plugin dependencies
/// (build tooling) and 3 inside japicmp's `<oldVersion>` configuration.
/// Of the 408: 192 name another module of the reactor (edges between
/// projects), 173 resolve to third-party components (53 unique purls), and
/// 43 cannot be resolved in the tree: they rely on maven-parent or the
/// junit/mockito BOMs, none of which is in the tree. 192 + 173 + 43 = 408.
#[test]
fn apache_maven_reactor() {
    let Some(inv) = scan("maven") else { return };
    assert_eq!(inv.projects.len(), 38);
    assert_eq!(inv.components.len(), 53);
    assert_eq!(project_edges(&inv), 192);
    assert_eq!(declarations_resolved_to_components(&inv), 173);
    assert_eq!(count(&inv, "maven::unresolved-version") + count(&inv, "maven::version-range"), 43);
    assert_eq!(inv.diagnostics.len(), 43, "{:#?}", inv.diagnostics);
    // Spot checks: a managed version with classifier, a managed optional, a test dependency.
    let guice = inv.component("pkg:maven/com.google.inject/guice@5.1.0?classifier=classes").expect("guice");
    assert_eq!(guice.properties["sovra:maven:managed-at"], "pom.xml:354");
    assert_eq!(
        inv.component("pkg:maven/ch.qos.logback/logback-classic@1.6.3").and_then(|c| c.scope),
        Some(Scope::Optional)
    );
    assert_eq!(inv.component("pkg:maven/org.xmlunit/xmlunit-core@2.13.0").and_then(|c| c.scope), Some(Scope::Dev));
    let core = "pkg:maven/org.apache.maven/maven-core@4.1.0-SNAPSHOT";
    assert!(inv.dependencies[core].contains("pkg:maven/org.apache.maven/maven-api-core@4.1.0-SNAPSHOT"));
    assert!(inv.diagnostics.iter().all(|d| d.message.contains("org.apache.maven:maven-parent:49 is outside the tree")));
}

/// SOURCE.txt: 7 `<dependency>` declarations, parent commons-parent outside
/// the tree. easymock has a literal version and commons-text's
/// `${commons.text.version}` is a property of this POM: 2 components. The
/// other 5 get their version from commons-parent (junit-jupiter, junit-pioneer,
/// mockito-inline by management, `${commons.jmh.version}` twice): unresolved.
#[test]
fn commons_lang_single_pom() {
    let Some(inv) = scan("commons-lang") else { return };
    assert_eq!(inv.projects.len(), 1);
    assert_eq!(inv.projects[0].bom_ref, "pkg:maven/org.apache.commons/commons-lang3@3.21.0-SNAPSHOT");
    let purls: Vec<&str> = inv.components.iter().map(|c| c.purl.as_str()).collect();
    assert_eq!(purls.len(), 2);
    assert!(
        purls.iter().all(|p| p.starts_with("pkg:maven/org.apache.commons/commons-text@")
            || p.starts_with("pkg:maven/org.easymock/easymock@5.6.0")),
        "{purls:?}"
    );
    assert!(inv.components.iter().all(|c| c.scope == Some(Scope::Dev)));
    assert_eq!(declarations_resolved_to_components(&inv), 2);
    assert_eq!(count(&inv, "maven::unresolved-version"), 5);
    assert_eq!(inv.diagnostics.len(), 5);
}

/// SOURCE.txt lists per-lockfile counts (128+157+113+113+365+171+842+122+259+77+152+25
/// = 2524 lines); the same module recurs across the 12 lockfiles: 1331 unique.
#[test]
fn dd_trace_java_lockfiles() {
    let Some(inv) = scan("gradle-lockfile-dd-trace-java") else { return };
    assert_eq!(inv.components.len(), 1331);
    assert_eq!(inv.projects.len(), 12);
    assert!(inv.diagnostics.is_empty(), "{:#?}", inv.diagnostics);
    let per_lock: usize =
        inv.dependencies.iter().filter(|(k, _)| k.starts_with("sovra:project:")).map(|(_, v)| v.len()).sum();
    assert_eq!(per_lock, 2524, "one edge per lock line");
    // Every component keeps its configurations; a runtime one is Required.
    assert!(inv.components.iter().all(|c| c.properties.contains_key("sovra:maven:configurations")));
    let okhttp = inv.component("pkg:maven/com.datadoghq.okhttp3/okhttp@3.12.15").expect("okhttp");
    assert_eq!(okhttp.scope, Some(Scope::Required));
}

/// SOURCE.txt: 12 + 7 lock lines; the client's 7 are all in the root's 12.
#[test]
fn dd_javac_plugin_lockfiles() {
    let Some(inv) = scan("gradle-lockfile-dd-javac-plugin") else { return };
    assert_eq!(inv.components.len(), 12);
    assert_eq!(inv.projects.len(), 2);
    let required: Vec<&str> =
        inv.components.iter().filter(|c| c.scope == Some(Scope::Required)).map(|c| c.name.as_str()).collect();
    assert_eq!(required, ["jvm-driver", "core", "jvm-driver"], "compile+runtime ones; the rest is test-only");
}

/// SOURCE.txt: 1114 `<component>` elements, all distinct: 1114 components,
/// plugins and build tooling included (the file cannot tell them apart).
#[test]
fn besu_verification_metadata() {
    let Some(inv) = scan("gradle-verification-besu") else { return };
    assert_eq!(inv.components.len(), 1114);
    assert!(inv.components.iter().all(|c| c.scope.is_none() && !c.hashes.is_empty()));
    assert!(inv.diagnostics.is_empty());
    let aop = inv.component("pkg:maven/aopalliance/aopalliance@1.0").expect("aopalliance");
    assert_eq!(aop.filename.as_deref(), Some("aopalliance-1.0.jar"));
    assert_eq!(aop.hashes.len(), 2);
}
