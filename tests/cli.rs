//! End-to-end behaviour of `sovra scan`: exit codes, where output goes,
//! diagnostics for broken files next to good ones, `--exclude-dev`.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(path)
}

fn sovra() -> Command {
    let mut cmd = Command::cargo_bin("sovra").unwrap();
    cmd.env("SOURCE_DATE_EPOCH", "1700000000");
    cmd
}

fn scan_json(args: &[&str]) -> (Value, String, i32) {
    let out = sovra().arg("scan").args(args).output().unwrap();
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (json, String::from_utf8_lossy(&out.stderr).into_owned(), out.status.code().unwrap_or(-1))
}

fn purls(bom: &Value) -> Vec<String> {
    let mut v: Vec<String> = bom["components"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["purl"].as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn broken_files_are_diagnosed_and_the_rest_is_scanned() {
    let dir = fixture("e2e/mixed");
    let (bom, stderr, code) = scan_json(&[dir.to_str().unwrap()]);
    assert_eq!(code, 0, "stderr: {stderr}");
    assert_eq!(
        purls(&bom),
        vec!["pkg:cargo/itoa@1.0.11", "pkg:cargo/ryu@1.0.18", "pkg:npm/left-pad@1.3.0", "pkg:npm/lodash@4.17.21",]
    );
    // The truncated and the empty lockfile are named on stderr ...
    assert!(stderr.contains("broken/package-lock.json"), "stderr: {stderr}");
    assert!(stderr.contains("empty/Cargo.lock"), "stderr: {stderr}");
    // ... and recorded in the SBOM itself.
    let text = bom.to_string();
    assert!(text.contains("broken/package-lock.json"));
    assert!(text.contains("empty/Cargo.lock"));
    // The first-party packages are nested under metadata.component, not third-party.
    let nested: Vec<&str> = bom["metadata"]["component"]["components"]
        .as_array()
        .expect("projects nested under metadata.component")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(nested.contains(&"demo") && nested.contains(&"demo-web"), "{nested:?}");
}

#[test]
fn dev_dependencies_are_marked_and_dropped_on_request() {
    let dir = fixture("e2e/mixed");
    let (bom, _, _) = scan_json(&[dir.to_str().unwrap()]);
    let left_pad =
        bom["components"].as_array().unwrap().iter().find(|c| c["name"] == "left-pad").expect("left-pad listed");
    assert_eq!(left_pad["scope"], "optional");
    assert!(left_pad.to_string().contains(r#""name":"sovra:scope","value":"dev""#), "{left_pad}");

    let (bom, _, code) = scan_json(&[dir.to_str().unwrap(), "--exclude-dev"]);
    assert_eq!(code, 0);
    assert_eq!(purls(&bom), vec!["pkg:cargo/itoa@1.0.11", "pkg:npm/lodash@4.17.21"]);
}

#[test]
fn a_single_lockfile_can_be_scanned() {
    let file = fixture("e2e/mixed/web/package-lock.json");
    let (bom, _, code) = scan_json(&[file.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(purls(&bom), vec!["pkg:npm/left-pad@1.3.0", "pkg:npm/lodash@4.17.21"]);
}

#[test]
fn output_file_receives_the_document_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("bom.json");
    let out = sovra()
        .args(["scan", fixture("e2e/mixed").to_str().unwrap(), "--quiet", "--output"])
        .arg(&out_file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert!(out.stderr.is_empty(), "--quiet prints nothing: {}", String::from_utf8_lossy(&out.stderr));
    let bom: Value = serde_json::from_slice(&std::fs::read(out_file).unwrap()).unwrap();
    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert_eq!(bom["specVersion"], "1.6");
}

#[test]
fn table_summarises_counts_per_ecosystem_and_scope() {
    let out = sovra()
        .args(["scan", fixture("e2e/mixed").to_str().unwrap(), "--format", "table", "--quiet"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("third-party components: 4"), "{text}");
    let npm = text.lines().find(|l| l.starts_with("npm ")).expect("npm row");
    let cols: Vec<&str> = npm.split_whitespace().collect();
    assert_eq!(cols, ["npm", "1", "0", "1", "0", "2"], "{npm}");
    assert!(text.contains("broken/package-lock.json"), "diagnostics listed: {text}");
}

#[test]
fn usage_errors_exit_2() {
    let out = sovra().args(["scan", "--format", "nonsense"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = sovra().args(["scan", "/definitely/not/here"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/definitely/not/here"));
}

#[test]
fn a_tree_without_any_manifest_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.txt"), "nothing here").unwrap();
    let out = sovra().args(["scan", dir.path().to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no manifest or lockfile"));
}

#[test]
fn a_tree_whose_only_lockfile_is_broken_exits_2() {
    let out = sovra().args(["scan", fixture("e2e/mixed/broken").to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "nothing usable was found");
    assert!(String::from_utf8_lossy(&out.stderr).contains("package-lock.json"));
}
