//! `sovra scan` fills component licences from installed and vendored
//! packages (node_modules, Composer and Go vendor/, a virtualenv's
//! dist-info, cargo vendor/) and, with `--package-cache`, from the user's
//! package caches; CycloneDX 1.6 marks them `declared` or `concluded`.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/installed").join(path)
}

fn scan(dir: &str, extra: &[&str], home: Option<&str>) -> (Value, String) {
    let mut cmd = Command::cargo_bin("sovra").unwrap();
    cmd.env("SOURCE_DATE_EPOCH", "1700000000").env_remove("CARGO_HOME").env_remove("NUGET_PACKAGES");
    // Never the real home: a test must not depend on (or read) the user's caches.
    cmd.env("HOME", fixture(home.unwrap_or("no-such-home")));
    let out = cmd.arg("scan").arg(fixture(dir)).args(extra).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    let bom = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (bom, stderr)
}

fn component<'a>(bom: &'a Value, purl: &str) -> &'a Value {
    bom["components"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["purl"] == purl))
        .unwrap_or_else(|| panic!("no component {purl} in {bom}"))
}

/// `acknowledgement:id-or-expression-or-name` of each licence entry, in order.
fn licences(bom: &Value, purl: &str) -> Vec<String> {
    component(bom, purl)["licenses"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            let (body, ack) = match l.get("license") {
                Some(lic) => (lic["id"].as_str().or(lic["name"].as_str()), &lic["acknowledgement"]),
                None => (l["expression"].as_str(), &l["acknowledgement"]),
            };
            format!("{}:{}", ack.as_str().unwrap_or("-"), body.unwrap_or("?"))
        })
        .collect()
}

fn property<'a>(bom: &'a Value, purl: &str, name: &str) -> Vec<&'a str> {
    component(bom, purl)["properties"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["name"] == name)
        .filter_map(|p| p["value"].as_str())
        .collect()
}

#[test]
fn npm_node_modules_nested_scoped_and_disagreeing() {
    let (bom, stderr) = scan("npm", &[], None);
    assert_eq!(licences(&bom, "pkg:npm/a@1.0.0"), ["declared:MIT", "concluded:MIT"]);
    assert_eq!(property(&bom, "pkg:npm/a@1.0.0", "sovra:license:concluded:source"), ["node_modules/a/LICENSE"]);
    assert_eq!(licences(&bom, "pkg:npm/b@1.0.0"), ["declared:BSD-2-Clause", "concluded:BSD-2-Clause"]);
    assert_eq!(licences(&bom, "pkg:npm/%40s/c@3.0.0"), ["declared:ISC", "concluded:ISC"]);
    // The nested copy's package.json says MIT, its LICENSE is the ISC text:
    // the text wins in 1.6, the declaration stays visible, a warning says why.
    assert_eq!(licences(&bom, "pkg:npm/b@2.0.0"), ["concluded:ISC"]);
    assert_eq!(property(&bom, "pkg:npm/b@2.0.0", "sovra:license:declared"), ["MIT"]);
    let disagreement = stderr
        .lines()
        .find(|l| l.contains("license::disagreement"))
        .unwrap_or_else(|| panic!("no disagreement in {stderr}"));
    assert!(
        disagreement.contains("node_modules/a/node_modules/b/LICENSE") && disagreement.contains("b@2.0.0"),
        "{disagreement}"
    );
    assert_eq!(stderr.matches("license::disagreement").count(), 1, "{stderr}");
    assert!(
        stderr.contains("npm::installed-manifest") && stderr.contains("node_modules/broken/package.json"),
        "{stderr}"
    );
    // Installed but in no lockfile: not part of what is delivered.
    assert!(!bom.to_string().contains("not-locked"));
}

#[test]
fn composer_go_python_and_cargo_vendor_folders() {
    let (bom, _) = scan("composer", &[], None);
    assert_eq!(licences(&bom, "pkg:composer/psr/log@3.0.0"), ["declared:MIT", "concluded:MIT"]);

    let (bom, _) = scan("go", &[], None);
    let errors = "pkg:golang/github.com/pkg/errors@v0.9.1";
    assert_eq!(licences(&bom, errors), ["concluded:BSD-2-Clause"]);
    assert_eq!(property(&bom, errors, "sovra:license:concluded:source"), ["vendor/github.com/pkg/errors/LICENSE"]);

    let (bom, stderr) = scan("python", &[], None);
    // PEP 639 License-Expression with the licence file under licenses/.
    assert_eq!(licences(&bom, "pkg:pypi/attrs@24.2.0"), ["declared:MIT", "concluded:MIT"]);
    // A legacy `License: BSD` names a family, not a licence; the text decides.
    assert_eq!(licences(&bom, "pkg:pypi/old-pkg@1.0"), ["concluded:BSD-2-Clause"]);
    assert_eq!(property(&bom, "pkg:pypi/old-pkg@1.0", "sovra:license:declared"), ["BSD"]);
    // Only a trove classifier.
    assert_eq!(licences(&bom, "pkg:pypi/classy@2.0"), ["declared:ISC"]);
    assert!(!stderr.contains("license::disagreement"), "{stderr}");

    let (bom, _) = scan("cargo", &[], None);
    assert_eq!(licences(&bom, "pkg:cargo/itoa@1.0.11"), ["declared:MIT", "concluded:MIT"]);
    assert_eq!(property(&bom, "pkg:cargo/itoa@1.0.11", "sovra:installed:path"), ["vendor/itoa"]);
}

const RYU: &str = "pkg:cargo/ryu@1.0.18";
const LANG3: &str = "pkg:maven/org.apache.commons/commons-lang3@3.14.0";
const JSON_NET: &str = "pkg:nuget/Newtonsoft.Json@13.0.3";

#[test]
fn package_caches_only_when_asked() {
    let (bom, _) = scan("caches/project", &[], Some("caches/home"));
    for purl in [RYU, LANG3, JSON_NET] {
        assert!(licences(&bom, purl).is_empty(), "{purl}: {:?}", licences(&bom, purl));
    }
}

#[test]
fn cargo_maven_and_nuget_caches() {
    let dir = fixture("caches/home");
    let with_dir = ["--package-cache-dir", dir.to_str().unwrap()];
    // `--package-cache` finds the same caches through HOME.
    for (extra, home) in [(&with_dir[..], None), (&["--package-cache"][..], Some("caches/home"))] {
        let (bom, stderr) = scan("caches/project", extra, home);
        // Only the Boost text ships: less than declared is no disagreement.
        assert_eq!(licences(&bom, RYU), ["concluded:BSL-1.0"], "{stderr}");
        assert_eq!(property(&bom, RYU, "sovra:license:declared"), ["Apache-2.0 OR BSL-1.0"]);
        assert_eq!(
            property(&bom, RYU, "sovra:license:concluded:source"),
            ["~/.cargo/registry/src/index.crates.io-6f17d22bba15001f/ryu-1.0.18/LICENSE-BOOST"]
        );
        // Inherited from the parent POM in the local repository.
        assert_eq!(licences(&bom, LANG3), ["declared:Apache-2.0"]);
        assert_eq!(licences(&bom, JSON_NET), ["declared:MIT", "concluded:MIT"]);
        assert!(!stderr.contains("license::disagreement"), "{stderr}");
    }
}
