//! The hand-written fixtures under `fixtures/go`, scanned through the plug-in
//! and the core merge, as a user's scan would see them.

use std::collections::BTreeSet;

use sovra_core::testing::{fixtures_dir, scan_with};
use sovra_core::{Completeness, Inventory, Severity};
use sovra_go::GoPlugin;

fn scan(dir: &str) -> Inventory {
    scan_with(&GoPlugin, &fixtures_dir().join("go").join(dir))
}

fn purls(inv: &Inventory) -> Vec<&str> {
    inv.components.iter().map(|c| c.purl.as_str()).collect()
}

fn deps<'a>(inv: &'a Inventory, from: &str) -> Vec<&'a str> {
    inv.dependencies[from].iter().map(String::as_str).collect()
}

fn prop<'a>(inv: &'a Inventory, purl: &str, key: &str) -> Option<&'a str> {
    inv.component(purl).unwrap_or_else(|| panic!("no {purl}")).properties.get(key).map(String::as_str)
}

/// The diagnostics as (severity, code, file, line), sorted.
fn codes(inv: &Inventory) -> Vec<(Severity, &str, &str, Option<u32>)> {
    let mut v: Vec<_> = inv
        .diagnostics
        .iter()
        .map(|d| (d.severity, d.code.as_str(), d.location.file.as_str(), d.location.line))
        .collect();
    v.sort();
    v
}

#[test]
fn every_go_mod_directive() {
    let inv = scan("replace");
    assert_eq!(
        purls(&inv),
        vec![
            "pkg:golang/example.com/fork@v1.2.0",
            "pkg:golang/github.com/Azure/go-autorest/autorest@v0.11.29",
            "pkg:golang/github.com/docker/docker@v24.0.7%2Bincompatible",
            "pkg:golang/github.com/go-chi/chi/v5@v5.0.12",
            "pkg:golang/github.com/go-yaml/yaml/v3@v3.0.2",
            "pkg:golang/github.com/spf13/cobra@v1.8.0",
            "pkg:golang/golang.org/x/sys@v0.0.0-20240110080051-1b2cbbf1d33b",
            "pkg:golang/golang.org/x/tools@v0.17.0",
        ]
    );
    // The local replace target is first-party, and the same project as lib/go.mod's own.
    let refs: Vec<&str> = inv.projects.iter().map(|p| p.bom_ref.as_str()).collect();
    assert_eq!(refs, vec!["sovra:project:app/go.mod", "sovra:project:lib/go.mod"]);
    assert_eq!(inv.projects[0].component.purl, "pkg:golang/example.com/app");
    assert_eq!(inv.projects[1].component.purl, "pkg:golang/example.com/lib");

    let mut expected: Vec<&str> = purls(&inv);
    expected.push("sovra:project:lib/go.mod");
    expected.sort();
    assert_eq!(deps(&inv, "sovra:project:app/go.mod"), expected);
    assert!(deps(&inv, "pkg:golang/github.com/spf13/cobra@v1.8.0").is_empty());

    // Replacements: version-less (every version) and exact.
    assert_eq!(prop(&inv, "pkg:golang/example.com/fork@v1.2.0", "sovra:go:replaces"), Some("example.com/old"));
    assert_eq!(
        prop(&inv, "pkg:golang/github.com/go-yaml/yaml/v3@v3.0.2", "sovra:go:replaces"),
        Some("gopkg.in/yaml.v3@v3.0.1")
    );
    // `// indirect` and `// indirect; reason` are indirect, still Required.
    let docker = inv.component("pkg:golang/github.com/docker/docker@v24.0.7%2Bincompatible").unwrap();
    assert_eq!(docker.properties.get("sovra:go:indirect").map(String::as_str), Some("true"));
    assert_eq!(docker.scope, Some(sovra_core::Scope::Required));
    assert_eq!(prop(&inv, "pkg:golang/golang.org/x/tools@v0.17.0", "sovra:go:indirect"), Some("true"));
    assert_eq!(prop(&inv, "pkg:golang/github.com/spf13/cobra@v1.8.0", "sovra:go:indirect"), None);
    assert_eq!(
        prop(&inv, "pkg:golang/golang.org/x/tools@v0.17.0", "sovra:go:tool"),
        Some("golang.org/x/tools/cmd/stringer")
    );

    // h1: checksums are properties, never file hashes.
    let cobra = inv.component("pkg:golang/github.com/spf13/cobra@v1.8.0").unwrap();
    assert!(cobra.hashes.is_empty());
    assert_eq!(
        cobra.properties.get("sovra:go:h1").map(String::as_str),
        Some("h1:7aJaZx1B85qltLMc546zn58BxxfZdR/W22ej9CFoEf0=")
    );
    assert_eq!(
        cobra.properties.get("sovra:go:h1-go.mod").map(String::as_str),
        Some("h1:WXLWApfZ71AjXPya3WOlMsY9yMs7YeiHhFVlGLyhkCo=")
    );
    let at: Vec<String> = cobra.locations.iter().map(ToString::to_string).collect();
    assert_eq!(at, vec!["app/go.mod:10", "app/go.sum:12"]);
    assert_eq!(prop(&inv, "pkg:golang/golang.org/x/tools@v0.17.0", "sovra:go:h1"), None);
    assert_eq!(
        inv.component("pkg:golang/github.com/Azure/go-autorest/autorest@v0.11.29").unwrap().download_url.as_deref(),
        Some("https://proxy.golang.org/github.com/!azure/go-autorest/autorest/@v/v0.11.29.zip")
    );

    // exclude / retract / go / toolchain belong to the module itself.
    let app = &inv.projects[0].component.properties;
    assert_eq!(app["sovra:go:go-version"], "1.22");
    assert_eq!(app["sovra:go:toolchain"], "go1.22.3");
    assert_eq!(
        app["sovra:go:exclude"],
        "github.com/spf13/cobra@v1.7.0, golang.org/x/sys@v0.0.0-20200101000000-000000000000"
    );
    assert_eq!(app["sovra:go:retract"], "v1.0.0, [v1.1.0, v1.1.5]");

    // mousetrap (a /go.mod line only) and cobra v1.7.0 (excluded) are go.sum-only.
    assert_eq!(codes(&inv), vec![(Severity::Info, "go::sum-only", "app/go.sum", None)]);
    assert!(inv.diagnostics[0].message.starts_with("2 of 10 "), "{}", inv.diagnostics[0].message);
    assert_eq!(inv.completeness["app/go.mod"], Completeness::IncompleteFirstPartyOnly);
}

#[test]
fn workspace_with_local_replace() {
    let inv = scan("workspace");
    assert_eq!(
        purls(&inv),
        vec![
            "pkg:golang/github.com/sirupsen/logrus@v1.9.3",
            "pkg:golang/github.com/stretchr/testify@v1.8.4",
            "pkg:golang/golang.org/x/sys@v0.15.0",
            "pkg:golang/golang.org/x/sys@v0.16.0",
        ]
    );
    let refs: BTreeSet<&str> = inv.projects.iter().map(|p| p.bom_ref.as_str()).collect();
    assert_eq!(
        refs,
        BTreeSet::from([
            "sovra:project:app/go.mod",
            "sovra:project:forks/errors/go.mod",
            "sovra:project:shared/go.mod",
            "sovra:project:tools/go.mod",
        ])
    );
    // Requirements on workspace modules and the go.work local replace resolve to projects.
    assert_eq!(
        deps(&inv, "sovra:project:app/go.mod"),
        vec![
            "pkg:golang/github.com/sirupsen/logrus@v1.9.3",
            "pkg:golang/golang.org/x/sys@v0.15.0",
            "sovra:project:forks/errors/go.mod",
            "sovra:project:shared/go.mod",
        ]
    );
    assert_eq!(
        deps(&inv, "sovra:project:tools/go.mod"),
        vec!["pkg:golang/github.com/stretchr/testify@v1.8.4", "sovra:project:app/go.mod"]
    );
    // go.work's exact-version replace applied to app's requirement.
    assert_eq!(
        prop(&inv, "pkg:golang/github.com/sirupsen/logrus@v1.9.3", "sovra:go:replaces"),
        Some("github.com/sirupsen/logrus@v1.9.0")
    );
    // go.work.sum supplies checksums for modules without a go.sum of their own.
    assert_eq!(
        prop(&inv, "pkg:golang/github.com/stretchr/testify@v1.8.4", "sovra:go:h1"),
        Some("h1:CcVxjf3Q8PM0mHUKJCdn+eZZtm+1ytc4dTwmkJ6L+ZE=")
    );
    assert_eq!(prop(&inv, "pkg:golang/golang.org/x/sys@v0.15.0", "sovra:go:indirect"), Some("true"));
    assert_eq!(prop(&inv, "pkg:golang/golang.org/x/sys@v0.16.0", "sovra:go:indirect"), None);
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
    let files = &inv.files["go"];
    assert!(files.contains(&"go.work.sum".to_string()) && files.contains(&"tools/go.mod".to_string()));
}

#[test]
fn go_before_1_17_is_incomplete() {
    let inv = scan("old");
    assert_eq!(purls(&inv), vec!["pkg:golang/github.com/pkg/errors@v0.9.1"]);
    assert_eq!(inv.completeness["go.mod"], Completeness::Incomplete);
    assert_eq!(
        codes(&inv),
        vec![
            (Severity::Warning, "go::no-go-sum", "go.mod", None),
            (Severity::Info, "go::old-go-version", "go.mod", None),
        ]
    );
}

#[test]
fn lone_go_sum_lists_downloaded_modules_only() {
    let inv = scan("sumonly");
    assert_eq!(purls(&inv), vec!["pkg:golang/github.com/pkg/errors@v0.9.1"]);
    assert_eq!(
        codes(&inv),
        vec![
            (Severity::Warning, "go::sum-without-mod", "go.sum", None),
            (Severity::Info, "go::sum-only", "go.sum", None),
        ]
    );
    assert_eq!(inv.completeness["go.sum"], Completeness::Incomplete);
}

#[test]
fn bad_inputs_become_named_diagnostics() {
    let empty = scan("bad/empty");
    assert_eq!(codes(&empty), vec![(Severity::Error, "go::empty", "go.mod", None)]);
    assert!(empty.projects.is_empty());

    let binary = scan("bad/binary");
    assert_eq!(codes(&binary), vec![(Severity::Error, "go::binary", "go.sum", None)]);

    // A truncated file keeps what was read before the cut.
    let truncated = scan("bad/truncated");
    assert_eq!(
        codes(&truncated),
        vec![(Severity::Error, "go::syntax", "go.mod", Some(5)), (Severity::Warning, "go::no-go-sum", "go.mod", None)]
    );
    assert_eq!(
        purls(&truncated),
        vec!["pkg:golang/github.com/pkg/errors@v0.9.1", "pkg:golang/github.com/spf13/cobra@v1.8"]
    );

    let garbage = scan("bad/garbage");
    assert_eq!(
        codes(&garbage),
        vec![
            (Severity::Error, "go::no-module", "go.mod", None),
            (Severity::Warning, "go::bad-directive", "go.mod", Some(1)),
            (Severity::Warning, "go::bad-directive", "go.mod", Some(2)),
            (Severity::Warning, "go::bad-directive", "go.mod", Some(3)),
            (Severity::Info, "go::old-go-version", "go.mod", None),
        ]
    );
    assert!(garbage.components.is_empty());
}

#[test]
fn pure_entry_point_matches_the_plugin() {
    let text = std::fs::read_to_string(fixtures_dir().join("go/old/go.mod")).unwrap();
    let p = sovra_go::parse_module(&text, "go.mod", Some("github.com/pkg/errors v0.9.1 h1:AAA=\n"));
    assert_eq!(p.components.len(), 1);
    assert_eq!(p.components[0].properties["sovra:go:h1"], "h1:AAA=");
    assert_eq!(
        p.edges,
        vec![("sovra:project:go.mod".to_string(), "pkg:golang/github.com/pkg/errors@v0.9.1".to_string())]
    );
}
