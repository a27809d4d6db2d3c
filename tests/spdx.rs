//! `sovra scan --format spdx-json` checked by the SPDX project's validators:
//! every fixture directory and every corpus project, in SPDX 3.0.1 (read by
//! the SPDX project's Python bindings generated from the official SHACL
//! model: classes, properties, types, required properties and cardinalities)
//! and SPDX 2.3 (by `pyspdxtools -i`), plus what the documents must say about
//! a small input.
//!
//! `.ci/fetch-spdx-tools` installs the validators in `target/spdx-venv`.
//! Without them these tests print a notice and pass, unless `CI` is set.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn venv() -> PathBuf {
    std::env::var_os("SOVRA_SPDX_VENV").map(PathBuf::from).unwrap_or_else(|| root().join("target/spdx-venv"))
}

/// The validator's path, or `None` (with a notice; a failure under CI) when absent.
fn tool(name: &str) -> Option<PathBuf> {
    let path = venv().join("bin").join(name);
    if path.is_file() {
        return Some(path);
    }
    assert!(std::env::var_os("CI").is_none(), "CI is set but {} is missing; run .ci/fetch-spdx-tools", path.display());
    eprintln!("notice: {} absent (run .ci/fetch-spdx-tools); skipping", path.display());
    None
}

/// Scan every project in one SPDX version and run the validator on each document.
fn validate_all(version: &str, validator: &Path, args: &[&str]) {
    let work = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let projects = common::projects();
    for (i, dir) in projects.iter().enumerate() {
        let label = dir.strip_prefix(root()).unwrap_or(dir).display().to_string();
        let text = match common::scan(dir, &["--format", "spdx-json", "--spdx-version", version]) {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{label}: {e}"));
                continue;
            }
        };
        let file = work.path().join(format!("{i}.spdx.json"));
        std::fs::write(&file, &text).unwrap();
        let out = Command::new(validator).args(args).arg(&file).output().unwrap();
        if !out.status.success() {
            let msg = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            failures.push(format!("{label} (SPDX {version}): {}", msg.chars().take(2000).collect::<String>()));
        }
    }
    assert!(projects.len() > 10, "too few projects found");
    assert!(
        failures.is_empty(),
        "{} of {} documents invalid:\n{}",
        failures.len(),
        projects.len(),
        failures.join("\n")
    );
}

#[test]
fn spdx_2_3_outputs_validate() {
    let Some(v) = tool("pyspdxtools") else { return };
    validate_all("2.3", &v, &["-i"]);
}

#[test]
fn spdx_3_0_1_outputs_validate() {
    let Some(v) = tool("spdx3-check") else { return };
    validate_all("3.0.1", &v, &[]);
}

fn doc(version: &str) -> Value {
    let text = common::scan(&root().join("fixtures/e2e/mixed"), &["--format", "spdx-json", "--spdx-version", version])
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn spdx_2_3_says_what_the_inventory_holds() {
    let d = doc("2.3");
    assert_eq!(d["spdxVersion"], "SPDX-2.3");
    assert_eq!(d["creationInfo"]["created"], "2023-11-14T22:13:20Z");
    let packages = d["packages"].as_array().unwrap();
    let by_name = |n: &str| packages.iter().find(|p| p["name"] == n).unwrap_or_else(|| panic!("no package {n}"));
    let left_pad = by_name("left-pad");
    assert_eq!(left_pad["licenseDeclared"], "WTFPL");
    // Nothing read a licence text: the concluded licence is not asserted.
    assert_eq!(left_pad["licenseConcluded"], "NOASSERTION");
    let purl = &left_pad["externalRefs"][0];
    assert_eq!(
        (purl["referenceCategory"].as_str(), purl["referenceType"].as_str()),
        (Some("PACKAGE-MANAGER"), Some("purl"))
    );
    let rels = d["relationships"].as_array().unwrap();
    let describes: Vec<&Value> = rels.iter().filter(|r| r["relationshipType"] == "DESCRIBES").collect();
    assert_eq!(describes.len(), 1);
    assert_eq!(describes[0]["relatedSpdxElement"], packages[0]["SPDXID"]);
    assert!(
        rels.iter().any(|r| r["relationshipType"] == "DEPENDS_ON" && r["relatedSpdxElement"] == left_pad["SPDXID"])
    );
    // Every relationship names packages of the document.
    let ids: Vec<&Value> = packages.iter().map(|p| &p["SPDXID"]).chain([&d["SPDXID"]]).collect();
    for r in rels {
        assert!(ids.contains(&&r["spdxElementId"]) && ids.contains(&&r["relatedSpdxElement"]), "{r}");
    }
    // Reproducible with SOURCE_DATE_EPOCH: the same bytes twice.
    assert_eq!(d, doc("2.3"));
}

#[test]
fn spdx_3_links_packages_licences_and_dependencies() {
    let d = doc("3.0.1");
    assert_eq!(d["@context"], "https://spdx.org/rdf/3.0.1/spdx-context.jsonld");
    let graph = d["@graph"].as_array().unwrap();
    fn typed<'a>(graph: &'a [Value], t: &'a str) -> impl Iterator<Item = &'a Value> {
        graph.iter().filter(move |e| e["type"] == t)
    }
    let of_type = |t: &'static str| typed(graph, t);
    let creation = of_type("CreationInfo").next().unwrap();
    assert_eq!(
        (creation["specVersion"].as_str(), creation["created"].as_str()),
        (Some("3.0.1"), Some("2023-11-14T22:13:20Z"))
    );
    let left_pad = of_type("software_Package").find(|p| p["name"] == "left-pad").unwrap();
    assert_eq!(left_pad["externalIdentifier"][0]["externalIdentifierType"], "packageUrl");
    let declared = of_type("Relationship")
        .find(|r| r["relationshipType"] == "hasDeclaredLicense" && r["from"] == left_pad["spdxId"])
        .expect("declared licence of left-pad");
    let lic = graph.iter().find(|e| e["spdxId"] == declared["to"][0]).unwrap();
    assert_eq!(lic["simplelicensing_licenseExpression"], "WTFPL");
    assert!(!of_type("Relationship").any(|r| r["relationshipType"] == "hasConcludedLicense"));
    // Every reference resolves to an element of the graph.
    let ids: Vec<&str> = graph.iter().filter_map(|e| e["spdxId"].as_str()).collect();
    for r in of_type("Relationship") {
        for end in std::iter::once(&r["from"]).chain(r["to"].as_array().unwrap()) {
            assert!(ids.contains(&end.as_str().unwrap()), "{end} dangles");
        }
    }
    let sbom = of_type("software_Sbom").next().unwrap();
    let root = &sbom["rootElement"][0];
    assert!(of_type("Relationship").any(|r| r["relationshipType"] == "describes" && &r["to"][0] == root));
    assert!(of_type("Relationship").any(|r| r["relationshipType"] == "dependsOn"));
    assert_eq!(d, doc("3.0.1"));
}
