//! `sovra scan --profile bsi-tr-03183-2`: what the scan fills per ecosystem,
//! offline, and that the gaps it lists are exactly what `sovra validate
//! --profile bsi-tr-03183-2` then finds missing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const PROFILE: &str = "bsi-tr-03183-2";

/// Fields whose gaps and findings must agree one to one.
const COMPARED: [&str; 9] =
    ["name", "version", "filename", "hash", "executable", "archive", "structured", "creator", "distribution-licence"];

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

/// Fields some third-party component (`components[]`) fails, additional ones included.
fn failing_third_party(findings: &[Value]) -> BTreeSet<String> {
    findings
        .iter()
        .filter(|f| f["path"].as_str().unwrap().starts_with("$.components["))
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
    for field in
        ["filename", "hash", "executable", "archive", "structured", "dependencies", "completeness", "name", "version"]
    {
        assert!(!failing.contains(field), "npm: {field} should be complete: {failing:?}");
    }
}

#[test]
fn corpus_fields_complete_per_ecosystem() {
    let Some(corpus) = sovra_core::testing::corpus_dir() else { return };
    // Fields every third-party component has after an offline scan.
    let cases: &[(&str, &[&str], &[&str])] = &[
        // (project, complete, still missing)
        (
            "npm/package-lock-v3-mocha",
            &[
                "filename",
                "hash",
                "executable",
                "archive",
                "structured",
                "dependencies",
                "completeness",
                "distribution-uri",
            ],
            &["creator", "source-uri"],
        ),
        // One yarn.lock entry has no SHA-512 integrity; every other one has.
        ("npm/yarn-v1-webpack", &["filename", "executable"], &["creator"]),
        ("npm/pnpm-v9-vue-core", &["filename", "hash", "archive"], &["creator"]),
        // crates.io gives SHA-256 only.
        // A .crate is the source code: distribution and source URI are one file.
        (
            "cargo/ripgrep",
            &["filename", "executable", "dependencies", "source-uri", "distribution-uri"],
            &["hash", "distribution-licence"],
        ),
        // Composer dist archives are the source code (authors: see below).
        (
            "composer/bookstack",
            &["source-uri", "original-licence", "executable"],
            &["hash", "filename", "distribution-licence"],
        ),
        // NuGet's contentHash is not the .nupkg's hash: never passed off as one.
        ("nuget/bicep", &["filename", "structured"], &["hash"]),
        ("ruby/rails", &["filename", "archive"], &[]),
        ("go/cobra", &["filename", "archive", "source-uri"], &["hash", "creator"]),
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
    // Composer authors mostly carry emails: most components name a creator, not all.
    let (bom, gaps) = scan(&corpus.join("composer/bookstack"));
    let total = bom["components"].as_array().unwrap().len();
    let without = validate(&bom)
        .iter()
        .filter(|f| f["field"] == "creator" && f["path"].as_str().unwrap().starts_with("$.components["))
        .count();
    assert!(without > 0 && without * 2 < total, "composer creators: {without} of {total} missing");
    assert!(gaps["creator"] >= without, "every missing creator is a listed gap");
}

/// Profile runs default to CycloneDX 1.7, name the configured manufacturer,
/// and the dashboard report lists per field what is complete and per
/// bom-ref what is missing, in agreement with the gap line.
#[test]
fn manufacturer_spec_default_and_report_section() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/npm/lock-v2");
    let run = |extra: &[&str]| {
        Command::cargo_bin("sovra")
            .unwrap()
            .args(["scan", "--profile", PROFILE])
            .args(extra)
            .arg(&dir)
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .output()
            .unwrap()
    };
    let out = run(&["--manufacturer-email", "sbom@amt.example", "--manufacturer-name", "Amt"]);
    let bom: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(bom["specVersion"], "1.7");
    assert_eq!(bom["metadata"]["manufacturer"]["contact"][0]["email"], "sbom@amt.example");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("sbom-creator"));
    assert!(!validate(&bom).iter().any(|f| f["field"] == "sbom-creator"));
    let bad = run(&["--manufacturer-email", "not-an-email"]);
    assert_eq!(bad.status.code(), Some(2), "an invalid email is a usage error");
    let old = run(&["--spec-version", "1.6"]);
    assert_eq!(serde_json::from_slice::<Value>(&old.stdout).unwrap()["specVersion"], "1.6");

    let (_, gaps) = scan(&dir);
    let report = run(&["--format", "json"]);
    let report: Value = serde_json::from_slice(&report.stdout).unwrap();
    let section = &report["profile"];
    assert_eq!(section["name"], PROFILE);
    for f in section["fields"].as_array().unwrap() {
        let id = f["field"].as_str().unwrap();
        let missing = f["total"].as_u64().unwrap() - f["complete"].as_u64().unwrap();
        if f["requirement"] == "required" {
            assert_eq!(missing as usize, gaps.get(id).copied().unwrap_or(0), "{id}");
        }
        let listed = section["missing"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["fields"].as_array().unwrap().iter().any(|x| x == id))
            .count();
        assert_eq!(listed as u64, missing, "{id}: per-reference list and count differ");
    }
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/sovra-report-1.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&report), "report with a profile section does not match its schema");
}

#[test]
fn deployable_files_follow_each_registrys_naming_rule() {
    use sovra_core::{Component, Ecosystem, Inventory, Plugin, Source};
    // The plug-ins whose ecosystems the components below belong to.
    let plugins: Vec<&dyn Plugin> = vec![
        &sovra_npm::NpmPlugin,
        &sovra_python::PythonPlugin,
        &sovra_maven::MavenPlugin,
        &sovra_go::GoPlugin,
        &sovra_nuget::NugetPlugin,
        &sovra_ruby::RubyPlugin,
    ];
    let mut inv = Inventory {
        components: vec![
            Component::new(Ecosystem::Npm, Some("@babel"), "core", "7.24.0"),
            Component::new(Ecosystem::Nuget, None, "Newtonsoft.Json", "13.0.3"),
            Component::new(Ecosystem::Golang, Some("github.com/BurntSushi"), "toml", "v1.3.2"),
            Component::new(Ecosystem::Maven, Some("org.apache.commons"), "commons-lang3", "3.14.0"),
            Component::new(Ecosystem::Gem, None, "rack", "3.0.8"),
            Component::new(Ecosystem::Pypi, None, "flask", "3.0.0"),
            Component {
                source: Source::Registry { url: Some("https://npm.example".into()) },
                ..Component::new(Ecosystem::Npm, None, "private", "1.0.0")
            },
        ],
        ..Inventory::default()
    };
    sovra_core::bsi::apply(&mut inv, &plugins);
    let got: Vec<(Option<&str>, Option<&str>)> =
        inv.components.iter().map(|c| (c.filename.as_deref(), c.download_url.as_deref())).collect();
    assert_eq!(got[0], (Some("core-7.24.0.tgz"), Some("https://registry.npmjs.org/@babel/core/-/core-7.24.0.tgz")));
    assert_eq!(
        got[1],
        (
            Some("newtonsoft.json.13.0.3.nupkg"),
            Some("https://api.nuget.org/v3-flatcontainer/newtonsoft.json/13.0.3/newtonsoft.json.13.0.3.nupkg")
        )
    );
    assert_eq!(
        got[2],
        (Some("v1.3.2.zip"), Some("https://proxy.golang.org/github.com/!burnt!sushi/toml/@v/v1.3.2.zip"))
    );
    assert_eq!(
        got[3].1,
        Some("https://repo1.maven.org/maven2/org/apache/commons/commons-lang3/3.14.0/commons-lang3-3.14.0.jar")
    );
    assert_eq!(got[4], (Some("rack-3.0.8.gem"), Some("https://rubygems.org/downloads/rack-3.0.8.gem")));
    // No rule for Python (wheel or sdist per platform); a private registry's URLs are not guessed.
    assert_eq!(got[5], (None, None));
    assert_eq!(got[6], (Some("private-1.0.0.tgz"), None));
    assert_eq!(inv.components[0].properties.get("bsi:component:archive").map(String::as_str), Some("archive"));
}
