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

/// `--online` reads the page behind a URL-only file; without it, or when the
/// page cannot be had, the answer stays NOASSERTION.
#[test]
fn online_reads_the_page_a_url_only_file_names() {
    use sovra_registry::testing::{Reply, Server};
    let notice = std::fs::read_to_string(fixtures().join("apache-notice.txt")).unwrap();
    let server = Server::start(move |_| {
        let notice = notice.clone();
        move |target: &str| match target {
            "/o/r/LICENSE.html" => Reply::ok(format!("<html><body><h1>Licence</h1><pre>{notice}</pre></body></html>")),
            "/o/r/README" => Reply::ok("Nothing to see here, just a readme about the build."),
            _ => Reply::status(404),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    for (name, path) in [("good.txt", "/o/r/LICENSE.html"), ("readme.txt", "/o/r/README"), ("gone.txt", "/o/r/missing")]
    {
        std::fs::write(dir.path().join(name), format!("{}{path}\n", server.url())).unwrap();
    }
    let run = |online: bool| {
        let mut cmd = Command::cargo_bin("sovra").unwrap();
        cmd.args(["licenses", "detect", "--format", "json", "good.txt", "readme.txt", "gone.txt"])
            .current_dir(dir.path());
        if online {
            cmd.arg("--online");
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        let got: Vec<String> = rows.iter().map(|r| r["expression"].as_str().unwrap().to_string()).collect();
        (got, rows, String::from_utf8_lossy(&out.stderr).into_owned())
    };

    let (offline, _, _) = run(false);
    assert_eq!(offline, ["NOASSERTION"; 3]);
    assert_eq!(server.requests(), 0);

    let (online, rows, stderr) = run(true);
    // In path order: gone, good, readme.
    assert_eq!(online, ["NOASSERTION", "Apache-2.0", "NOASSERTION"]);
    assert!(rows[1]["matched"][0].as_str().unwrap().starts_with("read from http://127.0.0.1:"), "{}", rows[1]);
    assert!(stderr.contains("gone.txt: cannot read the licence URL"), "{stderr}");
    assert_eq!(server.requests(), 3);
}
