//! The Go projects of the shared corpus, scanned end to end with the Go plug-in.
//!
//! SOURCE.txt counts go.sum lines (unique module@version); Sovra lists the
//! build list, the `require` directives after `replace`, so the numbers differ
//! by design. The build list sizes below were computed independently with a
//! throw-away python script over the go.mod files (split `require` lines and
//! blocks, drop `//` comments, drop requirements on workspace module paths,
//! de-duplicate path@version).

use sovra_core::testing::{corpus_dir, scan_with};
use sovra_core::{Completeness, Inventory, Severity};
use sovra_go::GoPlugin;

fn scan(project: &str) -> Option<Inventory> {
    let dir = corpus_dir()?.join("go").join(project);
    Some(scan_with(&GoPlugin, &dir))
}

/// `(file, message)` of the info diagnostics with `code`; fails on any warning or error.
fn infos<'a>(inv: &'a Inventory, code: &str) -> Vec<(&'a str, &'a str)> {
    let bad: Vec<_> = inv.diagnostics.iter().filter(|d| d.severity != Severity::Info).collect();
    assert!(bad.is_empty(), "{bad:?}");
    inv.diagnostics.iter().filter(|d| d.code == code).map(|d| (d.location.file.as_str(), d.message.as_str())).collect()
}

#[test]
fn cobra() {
    let Some(inv) = scan("cobra") else { return };
    // SOURCE.txt: 6 module@version in go.sum. go.mod (go 1.15) requires 4; go.sum
    // adds blackfriday/v2 (needed by go-md2man, which go 1.15 go.mod files do not
    // list) and gopkg.in/check.v1 (consulted only): 6 - 2 = 4.
    let purls: Vec<&str> = inv.components.iter().map(|c| c.purl.as_str()).collect();
    assert_eq!(
        purls,
        vec![
            "pkg:golang/github.com/cpuguy83/go-md2man/v2@v2.0.6",
            "pkg:golang/github.com/inconshreveable/mousetrap@v1.1.0",
            "pkg:golang/github.com/spf13/pflag@v1.0.9",
            "pkg:golang/go.yaml.in/yaml/v3@v3.0.4",
        ]
    );
    let sum_only = infos(&inv, "go::sum-only");
    assert_eq!(sum_only.len(), 1);
    assert!(sum_only[0].1.starts_with("2 of 6 "), "{}", sum_only[0].1);
    assert_eq!(infos(&inv, "go::old-go-version").len(), 1);
    assert_eq!(inv.completeness["go.mod"], Completeness::Incomplete);
    assert_eq!(inv.dependencies["sovra:project:go.mod"].len(), 4);
    assert!(inv.components.iter().all(|c| c.hashes.is_empty() && c.properties.contains_key("sovra:go:h1")));
}

#[test]
fn prometheus_workspace() {
    let Some(inv) = scan("prometheus") else {
        return;
    };
    // SOURCE.txt: 596 module@version over all go.sum files (482 in the root one).
    // Build list: 250 + 20 + 29 + 138 + 97 require lines in the 5 workspace
    // modules; 2 of them name github.com/prometheus/prometheus, a workspace
    // module (first-party); the rest are 334 unique path@version (the one
    // `replace`, cloud.google.com/go, matches no requirement). 596 - 334 = 262
    // module versions appear only in go.sum files.
    assert_eq!(inv.components.len(), 334);
    assert_eq!(inv.projects.len(), 5);
    assert!(inv.component("pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azcore@v1.22.0").is_some());
    // Two modules pin different versions of the same module: both are listed.
    assert!(inv.component("pkg:golang/github.com/aws/aws-sdk-go-v2@v1.43.4").is_some());
    assert!(inv.component("pkg:golang/github.com/aws/aws-sdk-go-v2@v1.43.0").is_some());
    // The root module requires all 250 of its go.mod entries.
    assert_eq!(inv.dependencies["sovra:project:go.mod"].len(), 250);
    // compliance requires prometheus itself, which the workspace provides.
    assert!(inv.dependencies["sovra:project:compliance/go.mod"].contains("sovra:project:go.mod"));

    let mut sum_only: Vec<(&str, usize)> = infos(&inv, "go::sum-only")
        .into_iter()
        .map(|(f, m)| (f, m.split(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0)))
        .collect();
    sum_only.sort();
    assert_eq!(
        sum_only,
        vec![
            ("compliance/go.sum", 40),
            ("documentation/examples/remote_storage/go.sum", 146),
            ("go.sum", 232),
            ("internal/tools/go.sum", 54),
            ("web/ui/mantine-ui/src/promql/tools/go.sum", 56),
        ]
    );
    assert_eq!(inv.completeness["go.work"], Completeness::IncompleteFirstPartyOnly);
    let indirect = inv.components.iter().filter(|c| c.properties.contains_key("sovra:go:indirect")).count();
    assert!(indirect > 150 && indirect < 334, "{indirect}");
}
