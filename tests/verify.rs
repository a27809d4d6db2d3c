//! `sovra verify`: a vendor SBOM written by hand as another tool would write
//! it, with deliberate omissions and errors, compared with Sovra's scan of
//! the source; exactly the deliberate differences must come out.
//!
//! * `fixtures/verify/mixed-vendor.cdx.xml` for `fixtures/e2e/mixed` (XML, runs everywhere);
//! * `fixtures/verify/composer-vendor.cdx.json` for the corpus project
//!   `composer/composer` (skipped without the corpus): the delivered packages
//!   of its composer.lock, minus symfony/process and seld/signal-handler,
//!   psr/log at 1.1.3 instead of 1.1.4, marc-mabe/php-enum as MIT instead of
//!   BSD-3-Clause, an invented guzzlehttp/guzzle; react/promise spelled
//!   without the `v` and justinrainbow/json-schema without purl, which must
//!   still match.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn verify(sbom: &Path, source: &Path, extra: &[&str]) -> (Value, i32) {
    let out = Command::cargo_bin("sovra")
        .unwrap()
        .args(["verify", "--quiet", "--format", "json"])
        .arg(sbom)
        .arg(source)
        .args(extra)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (report, out.status.code().unwrap_or(-1))
}

/// `kind package source sbom` of each difference, sorted.
fn differences(report: &Value) -> Vec<String> {
    let mut v: Vec<String> = report["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let (ours, theirs) = if d["kind"] == "licence" {
                (&d["sourceLicence"], &d["sbomLicence"])
            } else {
                (&d["sourceVersion"], &d["sbomVersion"])
            };
            format!(
                "{} {} {} {}",
                d["kind"].as_str().unwrap(),
                d["package"].as_str().unwrap(),
                ours.as_str().unwrap_or("-"),
                theirs.as_str().unwrap_or("-")
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn xml_vendor_sbom_differences_for_the_mixed_fixture() {
    let (report, code) =
        verify(&root().join("fixtures/verify/mixed-vendor.cdx.xml"), &root().join("fixtures/e2e/mixed"), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        differences(&report),
        vec![
            "extra pkg:cargo/serde - 1.0.200",
            "licence pkg:npm/left-pad WTFPL MIT",
            "missing pkg:npm/lodash 4.17.21 -",
            "version pkg:cargo/ryu 1.0.18 1.0.17",
        ]
    );
    assert_eq!(report["matched"], 2);
    // Each difference says where: the lockfile line and the SBOM's path and line.
    let licence = report["differences"].as_array().unwrap().iter().find(|d| d["kind"] == "licence").unwrap();
    assert_eq!(licence["sourceLocation"], "web/package-lock.json:14");
    assert_eq!(licence["sbomLocation"], "$.components[3] (line 30)");
}

#[test]
fn composer_corpus_vendor_sbom_reports_exactly_the_deliberate_differences() {
    let Some(corpus) = sovra_core::testing::corpus_dir() else { return };
    let (report, code) =
        verify(&root().join("fixtures/verify/composer-vendor.cdx.json"), &corpus.join("composer/composer"), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        differences(&report),
        vec![
            "extra pkg:composer/guzzlehttp/guzzle - 7.8.1",
            "licence pkg:composer/marc-mabe/php-enum BSD-3-Clause MIT",
            "missing pkg:composer/seld/signal-handler 2.0.2 -",
            "missing pkg:composer/symfony/process v5.4.51 -",
            "version pkg:composer/psr/log 1.1.4 1.1.3",
        ]
    );
    // 30 delivered packages: 27 agree, 2 missing, 1 at another version.
    assert_eq!((report["sourceComponents"].as_u64(), report["matched"].as_u64()), (Some(30), Some(27)));
    // The 6 dev packages are not expected in a delivery SBOM ...
    assert_eq!(report["notDeliveredUnlisted"], 6);
    // ... unless asked for.
    let (with_dev, _) = verify(
        &root().join("fixtures/verify/composer-vendor.cdx.json"),
        &corpus.join("composer/composer"),
        &["--include-dev"],
    );
    assert_eq!(differences(&with_dev).iter().filter(|d| d.starts_with("missing")).count(), 2 + 6);
}

#[test]
fn table_output_and_agreeing_sbom() {
    let out = Command::cargo_bin("sovra")
        .unwrap()
        .args(["verify", "--quiet"])
        .arg(root().join("fixtures/verify/mixed-vendor.cdx.xml"))
        .arg(root().join("fixtures/e2e/mixed"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("1 missing from the SBOM, 1 not in the source, 1 version and 1 licence disagreements"),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("version") && l.contains("pkg:cargo/ryu") && l.contains("1.0.17")),
        "{text}"
    );

    // Sovra's own SBOM of a tree agrees with a scan of that tree.
    let dir = tempfile::tempdir().unwrap();
    let sbom = dir.path().join("own.cdx.json");
    let status = Command::cargo_bin("sovra")
        .unwrap()
        .args(["scan", "--quiet", "-o"])
        .arg(&sbom)
        .arg(root().join("fixtures/e2e/mixed"))
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(0));
    let (report, code) = verify(&sbom, &root().join("fixtures/e2e/mixed"), &["--include-dev"]);
    assert_eq!(differences(&report), Vec::<String>::new());
    assert_eq!(code, 0);
}

#[test]
fn unreadable_sbom_is_a_usage_error() {
    let out = Command::cargo_bin("sovra")
        .unwrap()
        .arg("verify")
        .arg(root().join("fixtures/validate/bad/spdx.json"))
        .arg(root().join("fixtures/e2e/mixed"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("spdx.json: not a CycloneDX document"));
}
