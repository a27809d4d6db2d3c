//! `sovra validate`: the BSI TR-03183-2 profile finds each missing field of
//! hand-made faulty SBOMs (`fixtures/validate/<field>.cdx.json`, one per rule,
//! each a copy of `complete.cdx.json` with one field broken) and passes the
//! complete ones; findings carry bom-ref, JSON path and line; files that are
//! not CycloneDX are input errors (exit 2) naming the file.
//!
//! The schema check needs the official schemas (`.ci/fetch-schemas`); without
//! them the schema assertions print a notice and are skipped, unless `CI` is set.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const PROFILE: &str = "bsi-tr-03183-2";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/validate").join(name)
}

fn schema_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SOVRA_CDX_SCHEMAS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/cyclonedx-schemas"));
    if dir.join("bom-1.6.SNAPSHOT.schema.json").is_file() {
        return Some(dir);
    }
    assert!(std::env::var_os("CI").is_none(), "CI is set but {} lacks the CycloneDX schemas", dir.display());
    eprintln!("notice: no CycloneDX schemas in {}; schema checks skipped", dir.display());
    None
}

/// Run `sovra validate --format json`; the report and the exit code.
fn validate(file: &Path, extra: &[&str]) -> (Value, i32) {
    let mut cmd = Command::cargo_bin("sovra").unwrap();
    cmd.arg("validate").arg(file).args(["--format", "json"]).args(extra);
    // Never pick up a schema directory from the machine by accident.
    cmd.env_remove("SOVRA_CDX_SCHEMAS").env("XDG_DATA_HOME", "/nonexistent");
    if let Some(dir) = schema_dir() {
        cmd.arg("--schema-dir").arg(dir);
    }
    let out = cmd.output().unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {}", file.display(), String::from_utf8_lossy(&out.stderr)));
    (report, out.status.code().unwrap_or(-1))
}

/// `(severity, rule)` of the profile's findings.
fn profile_findings(report: &Value) -> BTreeSet<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("bsi."))
        .map(|f| (f["severity"].as_str().unwrap().to_string(), f["rule"].as_str().unwrap().to_string()))
        .collect()
}

fn set(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn complete_sboms_pass_in_json_and_xml() {
    for name in ["complete.cdx.json", "complete.cdx.xml"] {
        let (report, code) = validate(&fixture(name), &["--profile", PROFILE]);
        assert_eq!(profile_findings(&report), BTreeSet::new(), "{name}: {report:#}");
        assert_eq!(code, 0, "{name}: {report:#}");
        assert_eq!(report["components"], 3);
        if schema_dir().is_some() {
            assert_eq!(report["schema"]["valid"], true, "{name}: {report:#}");
        }
        let scores = report["scores"].as_array().unwrap();
        assert!(scores.iter().all(|s| s["satisfied"] == s["total"]), "{name}: {scores:#?}");
    }
}

#[test]
fn each_faulty_sbom_reports_exactly_its_field() {
    // Required fields fail (exit 1); additional fields warn (exit 0).
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("spec-version", &[("error", "bsi.spec-version")]),
        ("no-vulnerabilities", &[("error", "bsi.no-vulnerabilities")]),
        ("sbom-creator", &[("error", "bsi.sbom-creator")]),
        ("timestamp", &[("error", "bsi.timestamp")]),
        ("sbom-uri", &[("warning", "bsi.sbom-uri")]),
        ("creator", &[("error", "bsi.creator")]),
        ("name", &[("error", "bsi.name")]),
        ("version", &[("error", "bsi.version")]),
        ("filename", &[("error", "bsi.filename")]),
        ("dependencies", &[("error", "bsi.dependencies")]),
        ("completeness", &[("error", "bsi.completeness")]),
        ("distribution-licence", &[("error", "bsi.distribution-licence")]),
        ("hash", &[("error", "bsi.hash")]),
        ("executable", &[("error", "bsi.executable")]),
        ("archive", &[("error", "bsi.archive")]),
        ("structured", &[("error", "bsi.structured")]),
        ("source-uri", &[("warning", "bsi.source-uri")]),
        // Without a distribution reference there is no place for its hash either.
        ("distribution-uri", &[("warning", "bsi.distribution-uri"), ("error", "bsi.hash")]),
        ("identifiers", &[("warning", "bsi.identifiers")]),
        ("original-licence", &[("warning", "bsi.original-licence")]),
        ("effective-licence", &[("error", "bsi.effective-licence")]),
    ];
    // Every field of the profile has its fixture.
    let covered: BTreeSet<&str> = cases.iter().map(|(n, _)| *n).collect();
    for field in sovra_core::bsi::Field::ALL {
        assert!(covered.contains(field.id()), "no fixture for field {field}");
    }
    for (name, expected) in cases {
        let (report, code) = validate(&fixture(&format!("{name}.cdx.json")), &["--profile", PROFILE]);
        assert_eq!(profile_findings(&report), set(expected), "{name}: {report:#}");
        let fails = expected.iter().any(|(sev, _)| *sev == "error");
        assert_eq!(code, if fails { 1 } else { 0 }, "{name}");
        // Component findings name left-pad, the component that was broken.
        for f in report["findings"].as_array().unwrap().iter().filter(|f| f["bomRef"].is_string()) {
            assert_eq!(f["bomRef"], "pkg:npm/left-pad@1.3.0", "{name}: {f}");
            let path = f["path"].as_str().unwrap();
            assert!(
                ["$.components[0]", "$.dependencies", "$.compositions"].iter().any(|p| path.starts_with(p)),
                "{name}: {f}"
            );
        }
    }
}

#[test]
fn scores_count_components_per_field() {
    let (report, _) = validate(&fixture("hash.cdx.json"), &["--profile", PROFILE]);
    let score = |field: &str| {
        let s = report["scores"].as_array().unwrap().iter().find(|s| s["field"] == field).unwrap().clone();
        (s["satisfied"].as_u64().unwrap(), s["total"].as_u64().unwrap())
    };
    assert_eq!(score("hash"), (2, 3));
    assert_eq!(score("filename"), (3, 3));
    assert_eq!(score("timestamp"), (1, 1));
    // The hint says where the SHA-512 was found instead.
    let msg =
        report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "bsi.hash").unwrap()["message"].clone();
    assert!(msg.as_str().unwrap().contains("component's hashes"), "{msg}");
}

#[test]
fn findings_point_at_the_line_in_json_and_xml() {
    for (name, rule, needle) in [
        ("filename.cdx.json", "bsi.filename", "\"properties\""),
        ("xml-hash-and-filename.cdx.xml", "bsi.filename", "<properties>"),
        ("xml-hash-and-filename.cdx.xml", "bsi.hash", "<reference type=\"distribution\">"),
    ] {
        let text = std::fs::read_to_string(fixture(name)).unwrap();
        let (report, code) = validate(&fixture(name), &["--profile", PROFILE]);
        assert_eq!(code, 1);
        let f = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == rule).unwrap().clone();
        let line = f["line"].as_u64().unwrap() as usize;
        let at = text.lines().nth(line - 1).unwrap();
        assert!(at.contains(needle), "{name} {rule}: line {line} is `{at}`");
        assert_eq!(f["bomRef"], "pkg:npm/left-pad@1.3.0");
    }
}

#[test]
fn text_output_lists_findings_scores_and_verdict() {
    let out = Command::cargo_bin("sovra")
        .unwrap()
        .args(["validate", "--profile", PROFILE])
        .arg(fixture("archive.cdx.json"))
        .env("XDG_DATA_HOME", "/nonexistent")
        .env_remove("SOVRA_CDX_SCHEMAS")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(text.contains("error[bsi.archive] pkg:npm/left-pad@1.3.0 $.components[0].properties (line "), "{text}");
    assert!(
        text.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["archive", "required", "2", "3", "66%"]),
        "{text}"
    );
    // No schema directory is said, not silently skipped.
    assert!(text.contains("schema not checked: no schema directory"), "{text}");
    assert!(text.contains("FAILED"), "{text}");
}

#[test]
fn without_profile_only_the_schema_counts() {
    let (report, code) = validate(&fixture("hash.cdx.json"), &[]);
    assert_eq!(profile_findings(&report), BTreeSet::new());
    assert!(report["scores"].is_null());
    if schema_dir().is_some() {
        assert_eq!(code, 0, "{report:#}");
    }
}

#[test]
fn schema_violations_are_findings_with_paths() {
    if schema_dir().is_none() {
        return;
    }
    // 1.5 has no licence `acknowledgement`, no `manufacturer`, no `source-distribution`.
    let (report, code) = validate(&fixture("spec-version.cdx.json"), &[]);
    assert_eq!(code, 1);
    assert_eq!(report["schema"]["valid"], false);
    let schema: Vec<&Value> = report["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "schema").collect();
    assert!(!schema.is_empty());
    assert!(schema.iter().all(|f| f["path"] != "$" && f["line"].is_u64()), "{schema:#?}");
    for needle in ["licenses", "manufacturer", "source-distribution"] {
        assert!(schema.iter().any(|f| f.to_string().contains(needle)), "{needle}: {schema:#?}");
    }
}

#[test]
fn missing_schema_files_are_reported_not_skipped() {
    let empty = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("sovra")
        .unwrap()
        .args(["validate", "--format", "json", "--schema-dir"])
        .arg(empty.path())
        .arg(fixture("complete.cdx.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["schema"]["valid"].is_null());
    let f = &report["findings"][0];
    assert_eq!((f["rule"].as_str(), f["severity"].as_str()), (Some("schema.not-checked"), Some("warning")));
    assert!(f["message"].as_str().unwrap().contains("bom-1.6.SNAPSHOT.schema.json"), "{f}");
}

#[test]
fn non_cyclonedx_inputs_are_usage_errors_naming_the_file() {
    for (name, says) in [
        ("bad/empty.cdx.json", "empty"),
        ("bad/binary.cdx.json", "binary"),
        ("bad/truncated.cdx.json", "not valid JSON"),
        ("bad/array.cdx.json", "not an object"),
        ("bad/spdx.json", "not a CycloneDX document"),
        ("bad/pom.xml", "not a CycloneDX document"),
        ("does-not-exist.json", "cannot read"),
    ] {
        let path = fixture(name);
        let out = Command::cargo_bin("sovra").unwrap().arg("validate").arg(&path).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(&path.display().to_string()) && stderr.contains(says), "{name}: {stderr}");
    }
    // JSON syntax errors give the line.
    let path = fixture("bad/truncated.cdx.json");
    let lines = std::fs::read_to_string(&path).unwrap().lines().count();
    let out = Command::cargo_bin("sovra").unwrap().arg("validate").arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("{}:{lines}:", path.display())), "{stderr}");
}

#[test]
fn unknown_profile_is_a_usage_error() {
    let out = Command::cargo_bin("sovra")
        .unwrap()
        .args(["validate", "--profile", "ntia"])
        .arg(fixture("complete.cdx.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bsi-tr-03183-2"));
}
