//! End-to-end: `sovra licenses detect` on the hand-written licence fixtures.

use assert_cmd::Command;
use serde_json::Value;

fn fixtures() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/licenses")
}

fn detect_json(args: &[&str]) -> Vec<Value> {
    let out = Command::cargo_bin("sovra")
        .expect("binary")
        .args(["licenses", "detect", "--format", "json"])
        .args(args)
        .current_dir(fixtures())
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    v.as_array().expect("an array").clone()
}

#[test]
fn files_give_path_expression_confidence() {
    let rows = detect_json(&["apache-notice.txt", "copyright-only.txt", "not-a-licence.md", "spdx-tag.rs"]);
    let got: Vec<(&str, &str)> =
        rows.iter().map(|r| (r["path"].as_str().unwrap(), r["expression"].as_str().unwrap())).collect();
    assert_eq!(
        got,
        [
            ("apache-notice.txt", "Apache-2.0"),
            ("copyright-only.txt", "NONE"),
            ("not-a-licence.md", "NOASSERTION"),
            ("spdx-tag.rs", "MIT OR Apache-2.0"),
        ]
    );
    for r in &rows {
        let c = r["confidence"].as_f64().expect("a number");
        assert!((0.0..=1.0).contains(&c), "{r}");
    }
}

#[test]
fn directories_are_walked_for_licence_files_only() {
    let rows = detect_json(&["tree"]);
    let paths: Vec<&str> = rows.iter().map(|r| r["path"].as_str().unwrap()).collect();
    // main.c is not a licence file; .svn is skipped.
    assert_eq!(paths, ["tree/LICENSE", "tree/sub/COPYING"]);
    assert_eq!(rows[0]["expression"], "BSD-2-Clause");
    assert_eq!(rows[1]["expression"], "GPL-3.0-or-later");
}

#[test]
fn table_output_and_errors() {
    let out = Command::cargo_bin("sovra")
        .expect("binary")
        .args(["licenses", "detect", "dual/LICENSE"])
        .current_dir(fixtures())
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("PATH"), "{text}");
    assert!(text.contains("dual/LICENSE") && text.contains("MIT OR LGPL-2.1-or-later"), "{text}");

    let missing = Command::cargo_bin("sovra")
        .expect("binary")
        .args(["licenses", "detect", "no/such/file"])
        .current_dir(fixtures())
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2));
}
