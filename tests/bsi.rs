//! `sovra scan --profile bsi-tr-03183-2`: what the scan fills per ecosystem,
//! offline, and that the gaps it lists are exactly what `sovra validate
//! --profile bsi-tr-03183-2` then finds missing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const PROFILE: &str = "bsi-tr-03183-2";

/// Fields whose gaps and findings must agree one to one. `creator` and the
/// distribution licence are left out: the CycloneDX writer does not place
/// creators in `manufacturer` yet (see the report of the `bsi` task).
const COMPARED: [&str; 7] = ["name", "version", "filename", "hash", "executable", "archive", "structured"];

/// Scan with the profile; the SBOM and the gap counts from stderr.
fn scan(dir: &Path) -> (Value, BTreeMap<String, usize>) {
    let out = Command::cargo_bin("sovra")
        .unwrap()
        .args(["scan", "--profile", PROFILE])
        .arg(dir)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr.lines().find(|l| l.starts_with(PROFILE)).unwrap_or_else(|| panic!("no gap line: {stderr}"));
    let gaps = line
        .split_once("(gaps): ")
        .map(|(_, list)| {
            list.split(", ")
                .filter_map(|p| p.rsplit_once(' '))
                .map(|(f, n)| (f.to_string(), n.parse().unwrap()))
                .collect()
        })
        .unwrap_or_default();
    (serde_json::from_slice(&out.stdout).unwrap(), gaps)
}

/// `sovra validate --profile` on a document; its findings.
fn validate(bom: &Value) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bom.cdx.json");
    std::fs::write(&file, bom.to_string()).unwrap();
    let out = Command::cargo_bin("sovra")
        .unwrap()
        .args(["validate", "--format", "json", "--profile", PROFILE])
        .arg(&file)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["findings"].as_array().unwrap().clone()
}

/// Fields some third-party component (`components[]`) fails.
fn failing_third_party(findings: &[Value]) -> BTreeSet<String> {
    findings
        .iter()
        .filter(|f| f["path"].as_str().unwrap().starts_with("$.components[") && f["severity"] == "error")
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect()
}

fn check_agreement(label: &str, findings: &[Value], gaps: &BTreeMap<String, usize>) {
    for field in COMPARED {
        let found = findings.iter().filter(|f| f["field"] == field && f["severity"] == "error").count();
        assert_eq!(found, gaps.get(field).copied().unwrap_or(0), "{label}: field {field}");
    }
}

#[test]
fn npm_fixture_is_complete_offline_where_the_lockfile_allows() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/npm/lock-v2");
    let (bom, gaps) = scan(&dir);
    let findings = validate(&bom);
    check_agreement("fixtures/npm/lock-v2", &findings, &gaps);
    let failing = failing_third_party(&findings);
    for field in ["filename", "hash", "executable", "archive", "structured", "dependencies", "completeness", "name", "version"] {
        assert!(!failing.contains(field), "npm: {field} should be complete: {failing:?}");
    }
}

#[test]
fn corpus_fields_complete_per_ecosystem() {
    let Some(corpus) = sovra_core::testing::corpus_dir() else { return };
    // Fields every third-party component has after an offline scan.
    let cases: &[(&str, &[&str], &[&str])] = &[
        // (project, complete, still missing)
        ("npm/package-lock-v3-mocha", &["filename", "hash", "executable", "archive", "structured", "dependencies", "completeness"], &["creator"]),
        // One yarn.lock entry has no SHA-512 integrity; every other one has.
        ("npm/yarn-v1-webpack", &["filename", "executable"], &["creator"]),
        ("npm/pnpm-v9-vue-core", &["filename", "hash", "archive"], &["creator"]),
        // crates.io gives SHA-256 only.
        ("cargo/ripgrep", &["filename", "executable", "dependencies"], &["hash"]),
        // NuGet's contentHash is not the .nupkg's hash: never passed off as one.
        ("nuget/bicep", &["filename", "structured"], &["hash"]),
        ("ruby/rails", &["filename", "archive"], &[]),
        ("go/cobra", &["filename", "archive"], &["hash"]),
        // Python files are per platform: no naming rule, and hashes are SHA-256.
        ("python/flask", &["filename", "executable"], &["hash"]),
    ];
    for (project, complete, missing) in cases {
        let (bom, gaps) = scan(&corpus.join(project));
        let findings = validate(&bom);
        check_agreement(project, &findings, &gaps);
        let failing = failing_third_party(&findings);
        for f in *complete {
            assert!(!failing.contains(*f), "{project}: {f} should be complete");
        }
        for f in *missing {
            assert!(failing.contains(*f), "{project}: {f} should be a gap");
        }
    }
}
