//! `sovra scan --online` end to end: every source pointed at a local server
//! that answers with recorded responses in each registry's format
//! (`fixtures/registry/responses`), misbehaves on purpose, or counts the
//! connections nobody should open. No test touches the real network.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;
use sovra_registry::testing::{Reply, Server, fixtures, responses_dir};

const SOURCES: [&str; 8] = ["cargo", "composer", "gem", "golang", "maven", "npm", "nuget", "pypi"];

fn project(sub: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/registry/project").join(sub)
}

/// `--source NAME=<server>/NAME` for every source (NuGet names its service index).
fn source_args(base: &str) -> Vec<String> {
    SOURCES
        .iter()
        .flat_map(|s| {
            let url = if *s == "nuget" { format!("{base}/nuget/v3/index.json") } else { format!("{base}/{s}") };
            ["--source".to_string(), format!("{s}={url}")]
        })
        .collect()
}

struct Run {
    bom: Value,
    stdout: String,
    stderr: String,
    code: i32,
}

fn scan(path: &Path, args: &[String]) -> Run {
    let out = Command::cargo_bin("sovra")
        .unwrap()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        // The local server is reached directly, whatever proxy the machine uses.
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env_remove("all_proxy")
        .arg("scan")
        .arg(path)
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let bom = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {stdout}"));
    Run {
        bom,
        stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// purl -> (property name -> value) of every component.
fn properties(bom: &Value) -> BTreeMap<String, BTreeMap<String, String>> {
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let props = c["properties"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| (p["name"].as_str().unwrap().to_string(), p["value"].as_str().unwrap().to_string()))
                .collect();
            (c["purl"].as_str().unwrap().to_string(), props)
        })
        .collect()
}

/// purl -> the licence ids / expressions / names of every component.
fn licences(bom: &Value) -> BTreeMap<String, Vec<String>> {
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let list = c["licenses"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| {
                    l["expression"].as_str().or(l["license"]["id"].as_str()).or(l["license"]["name"].as_str())
                })
                .map(str::to_string)
                .collect();
            (c["purl"].as_str().unwrap().to_string(), list)
        })
        .collect()
}

fn vcs(bom: &Value, purl_prefix: &str) -> Option<String> {
    let c = bom["components"]
        .as_array()?
        .iter()
        .find(|c| c["purl"].as_str().is_some_and(|p| p.starts_with(purl_prefix)))?;
    c["externalReferences"].as_array()?.iter().find(|r| r["type"] == "vcs")?["url"].as_str().map(str::to_string)
}

fn prop<'a>(props: &'a BTreeMap<String, BTreeMap<String, String>>, purl_prefix: &str, key: &str) -> Option<&'a str> {
    let (_, p) = props.iter().find(|(purl, _)| purl.starts_with(purl_prefix))?;
    p.get(&format!("sovra:registry:{key}")).map(String::as_str)
}

#[test]
fn online_fills_every_ecosystem_and_a_second_run_uses_the_cache() {
    let cache = tempfile::tempdir().unwrap();
    let mut args = vec!["--online".to_string(), "--cache-dir".to_string(), cache.path().display().to_string()];
    let server = Server::start(|base| fixtures(responses_dir(), base));
    args.extend(source_args(&server.url()));
    let first = scan(&project(""), &args);
    assert_eq!(first.code, 0, "stderr: {}", first.stderr);
    assert!(server.requests() >= 14, "only {} requests", server.requests());

    let props = properties(&first.bom);
    let lic = licences(&first.bom);
    assert_eq!(props.len(), 11, "{:?}", props.keys());
    for purl in props.keys() {
        assert!(prop(&props, purl, "source").is_some(), "{purl} was not looked up; stderr: {}", first.stderr);
    }
    // Cargo: licence, publish time, owners, repository from the version document.
    assert_eq!(lic["pkg:cargo/itoa@1.0.11"], ["MIT OR Apache-2.0"]);
    assert_eq!(prop(&props, "pkg:cargo/itoa", "published"), Some("2024-03-26T21:50:27Z"));
    assert_eq!(prop(&props, "pkg:cargo/itoa", "maintainers"), Some("1"));
    assert_eq!(vcs(&first.bom, "pkg:cargo/itoa").as_deref(), Some("https://github.com/dtolnay/itoa"));
    // npm: the lockfile's licence agrees; a deprecated package; a scoped name.
    assert_eq!(lic["pkg:npm/lodash@4.17.21"], ["MIT"]);
    assert_eq!(prop(&props, "pkg:npm/lodash", "maintainers"), Some("3"));
    assert_eq!(prop(&props, "pkg:npm/lodash", "published"), Some("2021-02-20T15:42:16Z"));
    assert_eq!(prop(&props, "pkg:npm/left-pad", "deprecated"), Some("use String.prototype.padStart()"));
    assert_eq!(lic["pkg:npm/left-pad@1.3.0"], ["WTFPL"]);
    assert_eq!(lic["pkg:npm/%40types/ms@0.7.34"], ["MIT"]);
    // PyPI: a licence name, a classifier, a yanked release.
    assert_eq!(lic["pkg:pypi/requests@2.31.0"], ["Apache-2.0"]);
    assert_eq!(vcs(&first.bom, "pkg:pypi/requests").as_deref(), Some("https://github.com/psf/requests"));
    assert_eq!(prop(&props, "pkg:pypi/requests", "published"), Some("2023-05-22T15:12:42Z"));
    assert_eq!(lic["pkg:pypi/six@1.16.0"], ["MIT"]);
    assert_eq!(prop(&props, "pkg:pypi/six", "yanked"), Some("true"));
    // Maven: the licence comes from the parent POM, the date from Last-Modified.
    assert_eq!(lic["pkg:maven/com.google.guava/guava@33.2.1-jre"], ["Apache-2.0"]);
    assert_eq!(prop(&props, "pkg:maven/com.google.guava/guava", "published"), Some("2024-05-30T18:12:05Z"));
    // Go: the licence is detected in the module zip's LICENSE.
    assert_eq!(lic["pkg:golang/github.com/pkg/errors@v0.9.1"], ["BSD-2-Clause"]);
    assert_eq!(prop(&props, "pkg:golang/github.com/pkg/errors", "published"), Some("2020-01-14T19:47:44Z"));
    // Packagist: abandoned, with the replacement.
    assert_eq!(prop(&props, "pkg:composer/swiftmailer/swiftmailer", "abandoned"), Some("symfony/mailer"));
    // NuGet: through the service index to the registration leaf.
    assert_eq!(lic["pkg:nuget/Newtonsoft.Json@13.0.3"], ["MIT"]);
    assert_eq!(prop(&props, "pkg:nuget/Newtonsoft.Json", "published"), Some("2023-03-08T07:42:54Z"));
    // RubyGems: licences list and owners.
    assert_eq!(lic["pkg:gem/rake@13.0.6"], ["MIT"]);
    assert_eq!(prop(&props, "pkg:gem/rake", "maintainers"), Some("2"));
    // The maintenance facts reach the risk model.
    let risk = |purl: &str| {
        props
            .iter()
            .find(|(p, _)| p.starts_with(purl))
            .unwrap()
            .1
            .get("sovra:risk:factors")
            .cloned()
            .unwrap_or_default()
    };
    assert!(risk("pkg:npm/left-pad").contains("maintenance-deprecated"), "{}", risk("pkg:npm/left-pad"));
    assert!(risk("pkg:composer/swiftmailer").contains("maintenance-abandoned"), "{}", risk("pkg:composer/swiftmailer"));
    assert!(!first.stderr.contains("registry::"), "stderr: {}", first.stderr);

    // The server is gone: the same answer comes from the cache.
    drop(server);
    let second = scan(&project(""), &args);
    assert_eq!(second.code, 0, "stderr: {}", second.stderr);
    assert_eq!(second.stdout, first.stdout);
    assert!(!second.stderr.contains("registry::"), "stderr: {}", second.stderr);
    assert!(second.stderr.contains("11 package(s) looked up, 11 from the cache"), "stderr: {}", second.stderr);

    // Once cleared, the cache answers nothing and the dead server is reported.
    let out = Command::cargo_bin("sovra")
        .unwrap()
        .args(["cache", "clear", "--cache-dir"])
        .arg(cache.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("removed "), "{}", String::from_utf8_lossy(&out.stderr));
    let third = scan(&project("cargo"), &args);
    assert_eq!(third.code, 0);
    assert!(third.stderr.contains("registry::unavailable"), "stderr: {}", third.stderr);
}

#[test]
fn without_online_not_one_connection_is_opened() {
    let server = Server::start(|base| fixtures(responses_dir(), base));
    let cache = tempfile::tempdir().unwrap();
    let mut args = vec!["--cache-dir".to_string(), cache.path().display().to_string()];
    args.extend(source_args(&server.url()));
    let started = Instant::now();
    let with_sources = scan(&project(""), &args);
    let plain = scan(&project(""), &[]);
    assert_eq!(server.connections(), 0);
    assert_eq!(with_sources.stdout, plain.stdout);
    assert!(!with_sources.stderr.contains("registry"), "stderr: {}", with_sources.stderr);
    assert!(started.elapsed() < Duration::from_secs(20));
    // `--offline` overrides a policy that turns the lookups on.
    let dir = tempfile::tempdir().unwrap();
    copy_npm_project(
        dir.path(),
        &format!("[online]\nenabled = true\nsources = {{ npm = \"{}/npm\" }}\n", server.url()),
    );
    let offline = scan(dir.path(), &["--offline".to_string()]);
    assert_eq!(offline.code, 0, "stderr: {}", offline.stderr);
    assert_eq!(server.connections(), 0);
    assert!(std::fs::read_dir(cache.path()).unwrap().next().is_none(), "the cache was written");
}

fn copy_npm_project(dir: &Path, policy: &str) {
    for f in ["package.json", "package-lock.json"] {
        std::fs::copy(project("npm").join(f), dir.join(f)).unwrap();
    }
    std::fs::write(dir.join("sovra.toml"), policy).unwrap();
}

#[test]
fn the_policy_file_turns_lookups_on_and_names_the_mirror() {
    let server = Server::start(|base| fixtures(responses_dir(), base));
    let dir = tempfile::tempdir().unwrap();
    copy_npm_project(
        dir.path(),
        &format!(
            "[online]\nenabled = true\ncache-dir = \"cache\"\nttl-days = 1\nsources = {{ npm = \"{}/npm\" }}\n",
            server.url()
        ),
    );
    let run = scan(dir.path(), &[]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let props = properties(&run.bom);
    assert_eq!(prop(&props, "pkg:npm/left-pad", "maintainers"), Some("1"));
    assert!(dir.path().join("cache/npm").is_dir(), "the policy's cache-dir was not used");
    // An unknown source name is an error that points into the file.
    std::fs::write(dir.path().join("sovra.toml"), "[online]\nenabled = true\nsources = { cpan = \"http://x\" }\n")
        .unwrap();
    let out = Command::cargo_bin("sovra").unwrap().arg("scan").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("sovra.toml:3:") && stderr.contains("unknown registry source `cpan`"), "{stderr}");
}

/// Diagnostics of one code, as `(code, message)`.
fn diagnostics(stderr: &str, code: &str) -> Vec<String> {
    stderr.lines().filter(|l| l.contains(&format!("[{code}]"))).map(str::to_string).collect()
}

#[test]
fn server_errors_bad_bodies_and_unknown_packages_are_diagnosed_and_the_scan_completes() {
    let server = Server::start(|base| {
        let serve = fixtures(responses_dir(), base);
        move |target: &str| match target {
            "/npm/lodash" => Reply::status(500),
            "/npm/left-pad" => Reply::ok("{\"versions\": {\"1.3.0\": "),
            "/npm/@types%2fms" => Reply::status(404),
            other => serve(other),
        }
    });
    let cache = tempfile::tempdir().unwrap();
    let mut args = vec!["--online".to_string(), "--cache-dir".to_string(), cache.path().display().to_string()];
    args.extend(source_args(&server.url()));
    let run = scan(&project("npm"), &args);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(run.bom["components"].as_array().unwrap().len(), 3);
    let unavailable = diagnostics(&run.stderr, "registry::unavailable");
    assert!(
        unavailable.len() == 1 && unavailable[0].contains("lodash") && unavailable[0].contains("HTTP 500"),
        "{}",
        run.stderr
    );
    let malformed = diagnostics(&run.stderr, "registry::malformed");
    assert!(malformed.len() == 1 && malformed[0].contains("left-pad"), "{}", run.stderr);
    let missing = diagnostics(&run.stderr, "registry::not-found");
    assert!(missing.len() == 1 && missing[0].contains("@types/ms"), "{}", run.stderr);
    // The diagnostics are in the SBOM too, and point at the lockfile entry.
    assert!(run.stdout.contains("registry::not-found"));
    assert!(missing[0].contains("package-lock.json:"), "{}", missing[0]);
}

#[test]
fn rate_limits_are_waited_out_and_slow_servers_time_out() {
    let lodash_hits = Arc::new(AtomicUsize::new(0));
    let server = Server::start(|base| {
        let serve = fixtures(responses_dir(), base);
        let lodash_hits = lodash_hits.clone();
        move |target: &str| match target {
            // One 429 asking for a second's patience, then the document.
            "/npm/lodash" if lodash_hits.fetch_add(1, Ordering::SeqCst) == 0 => {
                Reply::status(429).header("Retry-After", "1")
            }
            "/npm/left-pad" => serve(target).delay(Duration::from_secs(3)),
            "/npm/@types%2fms" => Reply::status(429).header("Retry-After", "0"),
            other => serve(other),
        }
    });
    let cache = tempfile::tempdir().unwrap();
    let mut args = vec![
        "--online".to_string(),
        "--cache-dir".to_string(),
        cache.path().display().to_string(),
        "--registry-timeout".to_string(),
        "0.5".to_string(),
    ];
    args.extend(source_args(&server.url()));
    let started = Instant::now();
    let run = scan(&project("npm"), &args);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was not honoured");
    assert_eq!(lodash_hits.load(Ordering::SeqCst), 2);
    let props = properties(&run.bom);
    assert_eq!(prop(&props, "pkg:npm/lodash", "maintainers"), Some("3"));
    let unavailable = diagnostics(&run.stderr, "registry::unavailable");
    assert_eq!(unavailable.len(), 2, "{}", run.stderr);
    assert!(unavailable.iter().any(|d| d.contains("left-pad") && d.contains("no answer")), "{}", run.stderr);
    assert!(unavailable.iter().any(|d| d.contains("@types/ms") && d.contains("HTTP 429")), "{}", run.stderr);
    // Failures are not cached: a healthy server is asked again next time.
    assert!(prop(&props, "pkg:npm/left-pad", "source").is_none());
}
