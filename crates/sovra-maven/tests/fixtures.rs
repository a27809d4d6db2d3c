//! The plug-in against the hand-written inputs in `fixtures/maven/`.

use std::collections::BTreeSet;

use sovra_core::testing::{fixtures_dir, scan_with};
use sovra_core::{Component, HashAlg, Inventory, Scope};
use sovra_maven::MavenPlugin;

fn scan(dir: &str) -> Inventory {
    scan_with(&MavenPlugin, &fixtures_dir().join("maven").join(dir))
}

fn comp<'a>(inv: &'a Inventory, purl: &str) -> &'a Component {
    inv.component(purl).unwrap_or_else(|| {
        panic!("{purl} missing; have {:?}", inv.components.iter().map(|c| &c.purl).collect::<Vec<_>>())
    })
}

fn deps<'a>(inv: &'a Inventory, from: &str) -> Vec<&'a str> {
    inv.dependencies.get(from).map(|s| s.iter().map(String::as_str).collect()).unwrap_or_default()
}

/// (code, file, line) of every diagnostic.
fn diags(inv: &Inventory) -> BTreeSet<(String, String, Option<u32>)> {
    inv.diagnostics.iter().map(|d| (d.code.clone(), d.location.file.clone(), d.location.line)).collect()
}

fn d(code: &str, file: &str, line: Option<u32>) -> (String, String, Option<u32>) {
    (code.to_string(), file.to_string(), line)
}

const CORE: &str = "pkg:maven/org.example/demo-core@2.1.0";
const APP: &str = "pkg:maven/org.example/demo-app@2.1.0";
const CLI: &str = "pkg:maven/org.example/demo-cli@2.1.0";
const ROOT: &str = "pkg:maven/org.example/demo-parent@2.1.0";

#[test]
fn reactor_projects_are_first_party_with_inherited_metadata() {
    let inv = scan("reactor");
    let refs: Vec<&str> = inv.projects.iter().map(|p| p.bom_ref.as_str()).collect();
    assert_eq!(refs, [APP, "pkg:maven/org.example/demo-bom@2.1.0", CLI, CORE, ROOT]);
    let root = &inv.projects[4];
    assert_eq!(root.component.homepage.as_deref(), Some("https://example.org/demo/2.1.0"));
    assert_eq!(root.component.authors, ["Example e.V."]);
    assert_eq!(root.component.properties["sovra:maven:name"], "Demo & Friends");
    assert_eq!(root.component.properties["sovra:maven:parent"], "org.example.corp:corp-parent:7");
    // Licences: core states its own, app inherits the root's (with the root as source).
    let core = inv.projects.iter().find(|p| p.bom_ref == CORE).unwrap();
    assert_eq!(core.component.declared_licenses.iter().map(|l| l.raw.as_str()).collect::<Vec<_>>(), ["EUPL-1.2"]);
    assert_eq!(core.component.description.as_deref(), Some("Core library."));
    let app = &inv.projects[0];
    let lic = &app.component.declared_licenses;
    assert_eq!(lic.len(), 1);
    assert_eq!(lic[0].raw, "Apache License, Version 2.0");
    assert_eq!(lic[0].source.as_ref().map(|l| l.to_string()).as_deref(), Some("pom.xml:19"));
    assert_eq!(app.component.properties["sovra:maven:license-urls"], "https://www.apache.org/licenses/LICENSE-2.0.txt");
    assert_eq!(app.manifest.file, "app/pom.xml");
    // Reactor members never turn into third-party components.
    assert!(inv.components.iter().all(|c| !refs.contains(&c.purl.as_str())));
}

#[test]
fn reactor_versions_scopes_and_qualifiers() {
    let inv = scan("reactor");
    assert_eq!(inv.components.len(), 14, "{:#?}", inv.components.iter().map(|c| &c.purl).collect::<Vec<_>>());
    let scope = |p: &str| comp(&inv, p).scope;
    // Nested properties through dependencyManagement of the parent.
    assert_eq!(scope("pkg:maven/com.google.guava/guava@33.0-jre"), Some(Scope::Required));
    // Managed scope applies when the dependency states none.
    assert_eq!(scope("pkg:maven/javax.servlet/javax.servlet-api@4.0.1"), Some(Scope::Excluded));
    assert_eq!(scope("pkg:maven/com.sun/tools@1.8"), Some(Scope::Excluded));
    assert_eq!(scope("pkg:maven/org.postgresql/postgresql@42.7.3"), Some(Scope::Optional));
    assert_eq!(scope("pkg:maven/org.mockito/mockito-core@5.11.0"), Some(Scope::Dev));
    // From the BOM in the tree imported by the root, classifier and managed scope included.
    let jackson = comp(&inv, "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.17.1");
    assert_eq!(jackson.properties["sovra:maven:managed-at"], "bom/pom.xml:14");
    assert_eq!(jackson.locations[0].to_string(), "core/pom.xml:22");
    assert_eq!(
        scope("pkg:maven/io.netty/netty-transport-native-epoll@4.1.110.Final?classifier=linux-x86_64"),
        Some(Scope::Required)
    );
    comp(&inv, "pkg:maven/org.example.assets/web-assets@3.0?classifier=dist&type=zip");
    // `[2.16.1]` is an exact version; the range as written is kept.
    let io = comp(&inv, "pkg:maven/commons-io/commons-io@2.16.1");
    assert_eq!(io.properties["sovra:maven:requested-version"], "[2.16.1]");
    assert_eq!(
        comp(&inv, "pkg:maven/io.micrometer/micrometer-core@1.13.0").properties["sovra:maven:profile"],
        "metrics"
    );
    // Another version of a reactor module is an ordinary component.
    assert_eq!(scope("pkg:maven/org.example/demo-core@1.0.0"), Some(Scope::Dev));
}

#[test]
fn reactor_edges_follow_inheritance_and_child_context() {
    let inv = scan("reactor");
    // The inherited slf4j-api is managed as ${slf4j.version}, which app overrides.
    let app = deps(&inv, APP);
    assert!(app.contains(&"pkg:maven/org.slf4j/slf4j-api@2.0.9"), "{app:?}");
    assert!(app.contains(&CORE), "reactor dependency is an edge between projects: {app:?}");
    assert_eq!(app.len(), 6, "{app:?}");
    assert_eq!(deps(&inv, ROOT), ["pkg:maven/org.slf4j/slf4j-api@2.0.13"]);
    // demo-cli finds its parent by coordinates (../pom.xml is absent).
    assert_eq!(
        deps(&inv, CLI),
        [
            "pkg:maven/com.google.guava/guava@33.0-jre",
            "pkg:maven/org.slf4j/slf4j-api@2.0.13",
            "pkg:maven/org.yaml/snakeyaml@2.2"
        ]
    );
    assert_eq!(deps(&inv, CORE).len(), 8);
    assert_eq!(inv.completeness.get("pom.xml"), Some(&sovra_core::Completeness::Incomplete));
}

#[test]
fn reactor_reports_what_the_tree_cannot_resolve() {
    let inv = scan("reactor");
    let expected: BTreeSet<_> = [
        d("maven::missing-module", "pom.xml", Some(29)),
        d("maven::unresolved-version", "app/pom.xml", Some(32)),
        d("maven::version-range", "app/pom.xml", Some(37)),
        d("maven::unresolved-version", "core/pom.xml", Some(42)),
    ]
    .into();
    assert_eq!(diags(&inv), expected, "{:#?}", inv.diagnostics);
    let msg = |line| inv.diagnostics.iter().find(|d| d.location.line == Some(line)).unwrap().message.clone();
    assert!(msg(32).contains("${corp.lib.version}") && msg(32).contains("corp-parent:7 is outside"), "{}", msg(32));
    assert!(msg(42).contains("org.junit:junit-bom:5.10.2"), "{}", msg(42));
    assert!(
        !inv.components
            .iter()
            .any(|c| c.name == "from-corp-parent" || c.name == "commons-text" || c.name == "junit-jupiter")
    );
}

#[test]
fn gradle_lockfiles_scope_by_configuration() {
    let inv = scan("gradle-lock");
    assert_eq!(inv.components.len(), 11);
    let scope = |p: &str| comp(&inv, p).scope;
    assert_eq!(scope("pkg:maven/com.google.guava/failureaccess@1.0.2"), Some(Scope::Required));
    // Test-only in sub/, runtime in the root project: the stronger scope wins.
    assert_eq!(scope("pkg:maven/com.google.guava/guava@33.2.1-jre"), Some(Scope::Required));
    assert_eq!(scope("pkg:maven/jakarta.servlet/jakarta.servlet-api@6.0.0"), Some(Scope::Excluded));
    for dev in [
        "pkg:maven/org.junit.jupiter/junit-jupiter-api@5.10.2",
        "pkg:maven/org.testcontainers/postgresql@1.19.8",
        "pkg:maven/org.openjdk.jmh/jmh-core@1.37",
        "pkg:maven/com.google.auto.service/auto-service@1.1.1",
        "pkg:maven/com.github.spotbugs/spotbugs@4.8.5",
        "pkg:maven/com.diffplug.spotless/spotless-plugin-gradle@6.25.0",
    ] {
        assert_eq!(scope(dev), Some(Scope::Dev), "{dev}");
    }
    assert_eq!(scope("pkg:maven/org.example/shaded-extra@0.3"), Some(Scope::Required));
    let guava = comp(&inv, "pkg:maven/com.google.guava/guava@33.2.1-jre");
    assert_eq!(
        guava.locations.iter().map(|l| l.to_string()).collect::<Vec<_>>(),
        ["gradle.lockfile:5", "sub/gradle.lockfile:2"]
    );
    let refs: Vec<&str> = inv.projects.iter().map(|p| p.bom_ref.as_str()).collect();
    assert_eq!(refs, ["sovra:project:.", "sovra:project:sub"]);
    assert_eq!(deps(&inv, "sovra:project:.").len(), 10, "root lockfile (9) and buildscript lockfile (1)");
    assert_eq!(
        deps(&inv, "sovra:project:sub"),
        ["pkg:maven/com.google.guava/guava@33.2.1-jre", "pkg:maven/org.postgresql/postgresql@42.7.3"]
    );
    assert_eq!(inv.completeness.get("sub/gradle.lockfile"), Some(&sovra_core::Completeness::IncompleteFirstPartyOnly));
    assert!(inv.diagnostics.is_empty(), "{:#?}", inv.diagnostics);
}

#[test]
fn legacy_dependency_locks_name_the_configuration_by_file() {
    let inv = scan("gradle-legacy");
    assert_eq!(inv.components.len(), 4);
    let lang = comp(&inv, "pkg:maven/org.apache.commons/commons-lang3@3.14.0");
    assert_eq!(lang.scope, Some(Scope::Required));
    assert_eq!(lang.properties["sovra:maven:configurations"], "compileClasspath,runtimeClasspath,testRuntimeClasspath");
    assert_eq!(comp(&inv, "pkg:maven/javax.annotation/javax.annotation-api@1.3.2").scope, Some(Scope::Excluded));
    assert_eq!(comp(&inv, "pkg:maven/junit/junit@4.13.2").scope, Some(Scope::Dev));
    assert_eq!(inv.projects.len(), 1);
    assert_eq!(inv.projects[0].bom_ref, "sovra:project:.");
    assert_eq!(deps(&inv, "sovra:project:.").len(), 4);
}

#[test]
fn verification_metadata_gives_hashes_per_file() {
    let inv = scan("gradle-verification");
    assert_eq!(inv.components.len(), 4, "trusted keys and configuration are not components");
    let guava = comp(&inv, "pkg:maven/com.google.guava/guava@33.2.1-jre");
    assert_eq!(guava.scope, None, "the file cannot tell scope");
    assert_eq!(guava.properties["sovra:maven:gradle-verified"], "true");
    assert_eq!(guava.filename.as_deref(), Some("guava-33.2.1-jre.jar"));
    let jar: Vec<HashAlg> =
        guava.hashes.iter().filter(|h| h.file.as_deref() == Some("guava-33.2.1-jre.jar")).map(|h| h.alg).collect();
    assert_eq!(jar, [HashAlg::Sha256, HashAlg::Sha256, HashAlg::Sha512], "value, also-trust, sha512");
    assert_eq!(guava.hashes.len(), 4);
    assert_eq!(comp(&inv, "pkg:maven/org.junit/junit-bom@5.10.2").filename, None);
    let bc = comp(&inv, "pkg:maven/org.bouncycastle/bcprov-jdk18on@1.78.1");
    assert_eq!(bc.properties["sovra:maven:pgp-keys"], "8756C4F765C9AC3CB6B85D62379CE192D401AB61");
    let netty = comp(&inv, "pkg:maven/io.netty/netty-transport-native-epoll@4.1.110.Final");
    assert_eq!(netty.filename.as_deref(), Some("netty-transport-native-epoll-4.1.110.Final-linux-x86_64.jar"));
    assert_eq!(netty.hashes.len(), 1);
    assert!(inv.projects.is_empty());
    let expected: BTreeSet<_> = [
        d("maven::bad-hash", "gradle/verification-metadata.xml", Some(41)),
        d("maven::bad-component", "gradle/verification-metadata.xml", Some(44)),
    ]
    .into();
    assert_eq!(diags(&inv), expected);
}

#[test]
fn bad_inputs_become_named_diagnostics() {
    let inv = scan("bad");
    let expected: BTreeSet<_> = [
        d("maven::binary", "binary/pom.xml", None),
        d("maven::empty", "empty/pom.xml", None),
        d("maven::xml", "json/pom.xml", Some(1)),
        d("maven::xml", "truncated/pom.xml", Some(10)),
        d("maven::xml", "gradle/verification-metadata.xml", Some(6)),
        d("maven::xml-depth", "deep/pom.xml", Some(1)),
        d("maven::not-a-pom", "not-a-pom/pom.xml", Some(2)),
        d("maven::xml-entity", "entity/pom.xml", Some(14)),
        d("maven::xml-entity", "entity/pom.xml", Some(15)),
        d("maven::unresolved-version", "entity/pom.xml", Some(11)),
        d("maven::parent-cycle", "cycle/b/pom.xml", Some(2)),
        d("maven::unresolved-version", "cycle/a/pom.xml", Some(11)),
        d("maven::bad-dependency", "cycle/a/pom.xml", Some(16)),
        d("maven::lockfile-entry", "lockfile/gradle.lockfile", Some(3)),
        d("maven::lockfile-entry", "lockfile/gradle.lockfile", Some(4)),
        d("maven::lockfile-entry", "lockfile/gradle.lockfile", Some(5)),
        d("maven::lockfile-entry", "lockfile/gradle.lockfile", Some(6)),
        d("maven::lockfile-entry", "lockfile/gradle.lockfile", Some(7)),
    ]
    .into();
    assert_eq!(diags(&inv), expected, "{:#?}", inv.diagnostics);
    // What could be read still is.
    let purls: Vec<&str> = inv.components.iter().map(|c| c.purl.as_str()).collect();
    assert_eq!(purls, ["pkg:maven/org.example/also-good@2.0", "pkg:maven/org.example/good@1.0"]);
    let refs: Vec<&str> = inv.projects.iter().map(|p| p.bom_ref.as_str()).collect();
    assert_eq!(
        refs,
        [
            "pkg:maven/org.example/a@1",
            "pkg:maven/org.example/b@1",
            "pkg:maven/org.example/entity@1.0",
            "sovra:project:lockfile"
        ]
    );
    let entity = inv
        .diagnostics
        .iter()
        .find(|d| d.code == "maven::unresolved-version" && d.location.file == "entity/pom.xml")
        .unwrap();
    assert!(entity.message.contains("&ver;"), "{}", entity.message);
}
