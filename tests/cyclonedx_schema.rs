//! CycloneDX output checked against the official schemas: every fixture
//! directory and every corpus project, scanned by the `sovra` binary in each
//! specification version (1.5, 1.6, 1.7) and encoding (JSON, XML), and a
//! hand-built inventory that uses every field the writer knows, written
//! through `sovra_core` and checked field by field.
//!
//! The schemas are not in the repository; `.ci/fetch-schemas` puts them in
//! `target/cyclonedx-schemas` (or `$SOVRA_CDX_SCHEMAS`). Without them these
//! tests print a notice and pass, unless `CI` is set. JSON is validated with
//! the `jsonschema` crate (formats checked, `$ref`s to the SPDX, JSF and
//! cryptography schemas resolved locally), XML with `xmllint --schema`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use sovra_core::cyclonedx::{self, Encoding, SpecVersion, WriteOptions};
use sovra_core::model::*;
use sovra_core::scan::ROOT_REF;

const SPECS: [SpecVersion; 3] = [SpecVersion::V1_5, SpecVersion::V1_6, SpecVersion::V1_7];

fn in_ci() -> bool {
    std::env::var_os("CI").is_some()
}

fn schema_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SOVRA_CDX_SCHEMAS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/cyclonedx-schemas"));
    if SPECS.iter().all(|s| dir.join(format!("bom-{}.SNAPSHOT.schema.json", s.as_str())).is_file()) {
        return Some(dir);
    }
    assert!(!in_ci(), "CI is set but {} lacks the CycloneDX schemas; run .ci/fetch-schemas", dir.display());
    eprintln!("notice: no CycloneDX schemas in {} (run .ci/fetch-schemas); skipping", dir.display());
    None
}

/// Validates documents; XML files are collected and checked in one `xmllint`
/// run per version, since loading an XSD costs more than checking a file.
struct Checker {
    dir: PathBuf,
    json: Vec<(SpecVersion, jsonschema::Validator)>,
    xml_dir: tempfile::TempDir,
    xml_files: BTreeMap<&'static str, Vec<PathBuf>>,
    failures: Vec<String>,
    checked: usize,
}

impl Checker {
    fn new(dir: PathBuf) -> Checker {
        let json = SPECS.iter().map(|&s| (s, json_validator(&dir, s))).collect();
        Checker {
            dir,
            json,
            xml_dir: tempfile::tempdir().expect("temporary directory"),
            xml_files: BTreeMap::new(),
            failures: Vec::new(),
            checked: 0,
        }
    }

    /// Validate a JSON document; returns it parsed when it parses.
    fn json(&mut self, spec: SpecVersion, label: &str, text: &str) -> Option<Value> {
        self.checked += 1;
        let doc: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                self.failures.push(format!("{label}: not JSON: {e}"));
                return None;
            }
        };
        let validator = &self.json.iter().find(|(s, _)| *s == spec).expect("validator").1;
        let errors: Vec<String> =
            validator.iter_errors(&doc).take(5).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        if !errors.is_empty() {
            self.failures.push(format!("{label}: schema {}:\n  {}", spec.as_str(), errors.join("\n  ")));
        }
        for problem in reference_problems(&doc) {
            self.failures.push(format!("{label}: {problem}"));
        }
        Some(doc)
    }

    fn xml(&mut self, spec: SpecVersion, label: &str, text: &str) {
        self.checked += 1;
        let name: String = label.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' }).collect();
        let path = self.xml_dir.path().join(format!("{}-{name}.xml", self.checked));
        std::fs::write(&path, text).expect("write temporary XML");
        self.xml_files.entry(spec.as_str()).or_default().push(path);
    }

    /// Run xmllint over the collected files and panic with every failure.
    fn finish(mut self) {
        if !self.xml_files.is_empty() && !xmllint_available() {
            assert!(!in_ci(), "CI is set but xmllint is missing (apt-get install libxml2-utils)");
            eprintln!("notice: xmllint not found (Debian: libxml2-utils); XML not validated");
            self.xml_files.clear();
        }
        for (version, files) in &self.xml_files {
            let xsd = self.dir.join(format!("bom-{version}.SNAPSHOT.xsd"));
            // Bounded batches keep the command line short.
            for batch in files.chunks(200) {
                let out = std::process::Command::new("xmllint")
                    .args(["--noout", "--nonet", "--schema"])
                    .arg(&xsd)
                    .args(batch)
                    .output()
                    .expect("run xmllint");
                if !out.status.success() {
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    let errors: Vec<&str> = stderr.lines().filter(|l| !l.ends_with(" validates")).take(20).collect();
                    self.failures.push(format!("XML {version}:\n  {}", errors.join("\n  ")));
                }
            }
        }
        assert!(
            self.failures.is_empty(),
            "{} of {} documents failed:\n{}",
            self.failures.len(),
            self.checked,
            self.failures.join("\n")
        );
        eprintln!("{} documents valid", self.checked);
    }
}

fn xmllint_available() -> bool {
    std::process::Command::new("xmllint").arg("--version").output().is_ok_and(|o| o.status.success())
}

fn json_validator(dir: &Path, spec: SpecVersion) -> jsonschema::Validator {
    let load = |name: &str| -> Value {
        let text = std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    // The bom schemas' `$id`s live under http://cyclonedx.org/schema/ and refer
    // to their siblings by relative name; register those names there.
    let mut registry = jsonschema::Registry::new();
    for name in ["spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json", "cryptography-defs.SNAPSHOT.schema.json"]
    {
        if dir.join(name).is_file() {
            registry = registry.add(format!("http://cyclonedx.org/schema/{name}"), load(name)).expect("add schema");
        }
    }
    let registry = registry.prepare().expect("schema registry");
    let schema = load(&format!("bom-{}.SNAPSHOT.schema.json", spec.as_str()));
    jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&schema)
        .unwrap_or_else(|e| panic!("schema {}: {e}", spec.as_str()))
}

/// What the schema cannot say: bom-refs are unique and every reference in
/// `dependencies`, `compositions` and `annotations` names one.
fn reference_problems(doc: &Value) -> Vec<String> {
    fn collect<'a>(v: &'a Value, refs: &mut Vec<&'a str>) {
        match v {
            Value::Object(map) => {
                if let Some(r) = map.get("bom-ref").and_then(Value::as_str) {
                    refs.push(r);
                }
                map.values().for_each(|x| collect(x, refs));
            }
            Value::Array(items) => items.iter().for_each(|x| collect(x, refs)),
            _ => {}
        }
    }
    let mut refs = Vec::new();
    collect(doc, &mut refs);
    let mut problems = Vec::new();
    let defined: BTreeSet<&str> = refs.iter().copied().collect();
    if defined.len() != refs.len() {
        problems.push(format!("{} duplicate bom-refs", refs.len() - defined.len()));
    }
    let strings = |v: &Value| -> Vec<String> {
        v.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect()
    };
    let mut used: Vec<String> = Vec::new();
    for d in doc["dependencies"].as_array().into_iter().flatten() {
        used.extend(d["ref"].as_str().map(str::to_string));
        used.extend(strings(&d["dependsOn"]));
    }
    for c in doc["compositions"].as_array().into_iter().flatten() {
        used.extend(strings(&c["assemblies"]));
        used.extend(strings(&c["dependencies"]));
    }
    for a in doc["annotations"].as_array().into_iter().flatten() {
        used.extend(strings(&a["subjects"]));
    }
    for r in used.iter().filter(|r| !defined.contains(r.as_str())).take(5) {
        problems.push(format!("reference to undefined bom-ref {r}"));
    }
    problems
}

/// Directories to scan: each case directory `fixtures/<area>/<case>` (its
/// subdirectories come with it) and an area directory that holds files itself.
#[test]
fn fixtures_and_corpus_give_valid_documents_in_every_version_and_encoding() {
    let Some(dir) = schema_dir() else { return };
    let mut checker = Checker::new(dir);
    let fixtures = common::fixture_dirs();
    let corpus = common::corpus_projects();
    let mut summary = Vec::new();
    for project in fixtures.iter().chain(&corpus) {
        // `fixtures/npm/bad`, `corpus/npm/yarn-v1-rails`.
        let tail: Vec<_> = project.components().rev().take(3).collect();
        let label = tail.iter().rev().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        let runs: Vec<(SpecVersion, &str)> =
            SPECS.iter().flat_map(|&s| [(s, "cyclonedx-json"), (s, "cyclonedx-xml")]).collect();
        // The six scans of a project run side by side; validation stays in order.
        let outputs: Vec<Result<String, String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = runs
                .iter()
                .map(|&(spec, format)| {
                    scope.spawn(move || common::scan(project, &["--spec-version", spec.as_str(), "--format", format]))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("scan thread panicked".into()))).collect()
        });
        for ((spec, format), output) in runs.into_iter().zip(outputs) {
            let run_label = format!("{label} {} {format}", spec.as_str());
            match output {
                Err(e) => checker.failures.push(format!("{run_label}: {e}")),
                Ok(text) if format == "cyclonedx-xml" => checker.xml(spec, &run_label, &text),
                Ok(text) => {
                    let doc = checker.json(spec, &run_label, &text);
                    if spec == SpecVersion::V1_6 {
                        let n = doc.as_ref().and_then(|d| d["components"].as_array().map(Vec::len));
                        summary.push(format!("{label}: {} components", n.unwrap_or(0)));
                    }
                }
            }
        }
    }
    eprintln!("{}", summary.join("\n"));
    assert!(!fixtures.is_empty(), "no fixture directories found");
    checker.finish();
}

// ---------------------------------------------------------------------------
// A hand-built inventory with every field the writer knows.

const LOCK: &str = "app/Cargo.lock";
const MANIFEST_ONLY: &str = "web/package.json";

fn full_component() -> Component {
    let mut c = Component::new(Ecosystem::Npm, Some("@babel"), "core", "7.24.0");
    c.scope = Some(Scope::Dev);
    c.hashes = Hash::from_sri(
        "sha512-z5JcHyS4rqvxxX8Tbd2tkZkAYhYZPXN3LlQZBzFfSgs1WeGM2D9bK7wbHoQ1nr6dXZMOD/Kx7N5Q7AqiwsbXSw==",
    );
    c.declared_licenses = vec![DeclaredLicense::raw("MIT")];
    c.concluded_license = Some(ConcludedLicense {
        expression: "MIT".into(),
        confidence: 0.98,
        source: Location::new("web/LICENSE", None),
    });
    c.locations = vec![Location::new(MANIFEST_ONLY, Some(7)), Location::new("web/package-lock.json", Some(120))];
    c.description = Some("Babel compiler core.".into());
    c.authors = vec!["Sebastian McKenzie <sebmck@gmail.com> (https://babeljs.io)".into(), "The Babel Team".into()];
    c.repository_url = Some("https://github.com/babel/babel.git".into());
    c.homepage = Some("https://babel.dev/docs/en/next/babel-core".into());
    c.download_url = Some("https://registry.npmjs.org/@babel/core/-/core-7.24.0.tgz".into());
    c.filename = Some("core-7.24.0.tgz".into());
    c.properties.insert("sovra:npm:bundled".into(), "false".into());
    c
}

fn inventory() -> Inventory {
    let mut app = Component::new(Ecosystem::Cargo, None, "app", "0.1.0");
    app.declared_licenses = vec![DeclaredLicense::raw("EUPL-1.2")];
    app.authors = vec!["Amt für Digitales <it@amt.example>".into()];
    let mut lib = Component::new(Ecosystem::Cargo, None, "applib", "0.1.0");
    lib.scope = None;
    let projects = vec![
        Project { bom_ref: app.purl.clone(), component: app, manifest: Location::new("app/Cargo.toml", Some(1)) },
        Project {
            bom_ref: "sovra:project:app/lib/Cargo.toml".into(),
            component: lib,
            manifest: Location::new("app/lib/Cargo.toml", None),
        },
    ];

    // Declared compound, concluded different: 1.6 keeps the concluded one.
    let mut serde = Component::new(Ecosystem::Cargo, None, "serde", "1.0.200");
    serde.declared_licenses = vec![DeclaredLicense::raw("MIT/Apache-2.0")];
    serde.concluded_license = Some(ConcludedLicense {
        expression: "Apache-2.0 AND MIT".into(),
        confidence: 0.9,
        source: Location::new("vendor/serde/LICENSE-MIT", Some(1)),
    });
    serde.hashes = vec![Hash::from_hex(HashAlg::Sha256, &"ab".repeat(32)).expect("hex")];
    serde.locations = vec![Location::new(LOCK, Some(12))];

    // Git source, unmappable licence text.
    let mut forked = Component::new(Ecosystem::Cargo, None, "forked", "0.3.0");
    forked.source = Source::Git {
        url: "git@github.com:example/forked.git".into(),
        commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
        reference: Some("main".into()),
    };
    forked.declared_licenses = vec![DeclaredLicense::raw("Proprietary, see LICENSE.txt")];
    forked.locations = vec![Location::new(LOCK, Some(30))];

    // One hash per distribution file, as Python lockfiles give them; the wheel
    // named as the component's file is its own hash.
    let mut requests = Component::new(Ecosystem::Pypi, None, "requests", "2.31.0");
    requests.scope = Some(Scope::Optional);
    requests.filename = Some("requests-2.31.0-py3-none-any.whl".into());
    requests.hashes = vec![
        Hash::from_hex(HashAlg::Sha256, &"01".repeat(32)).expect("hex").with_file("requests-2.31.0-py3-none-any.whl"),
        Hash::from_hex(HashAlg::Sha256, &"02".repeat(32)).expect("hex").with_file("requests-2.31.0.tar.gz"),
    ];
    requests.declared_licenses = vec![DeclaredLicense::raw("NOASSERTION"), DeclaredLicense::raw("Apache 2.0")];
    requests.source = Source::Registry { url: Some("https://pypi.example.org/simple".into()) };

    let mut local = Component::new(Ecosystem::Generic, None, "vendored", "1.0");
    local.source = Source::Path { path: "../vendored".into() };
    local.scope = Some(Scope::Excluded);
    let mut tarball = Component::new(Ecosystem::Generic, None, "tarball", "2.0");
    tarball.source = Source::Url { url: "https://example.org/tarball-2.0.tar.gz".into() };
    tarball.declared_licenses = vec![DeclaredLicense::raw("GPL-2.0-or-later WITH Classpath-exception-2.0")];

    let mut components = vec![full_component(), serde, forked, requests, local, tarball];
    for c in &mut components {
        sovra_core::license::normalize_component(c);
    }
    components.sort_by(|a, b| a.purl.cmp(&b.purl));
    let purl = |name: &str| components.iter().find(|c| c.name == name).expect(name).purl.clone();

    let mut dependencies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let app_ref = projects[0].bom_ref.clone();
    let lib_ref = projects[1].bom_ref.clone();
    dependencies.insert(ROOT_REF.into(), [app_ref.clone(), lib_ref.clone()].into());
    dependencies.insert(app_ref, [lib_ref.clone(), purl("serde"), purl("forked"), purl("core")].into());
    dependencies.insert(lib_ref, [purl("serde")].into());
    for c in &components {
        dependencies.entry(c.purl.clone()).or_default();
    }
    dependencies.insert(purl("forked"), [purl("serde")].into());

    let completeness = BTreeMap::from([
        (LOCK.to_string(), Completeness::Complete),
        ("app/Cargo.toml".to_string(), Completeness::Complete),
        (MANIFEST_ONLY.to_string(), Completeness::Incomplete),
        ("web/package-lock.json".to_string(), Completeness::Complete),
    ]);
    Inventory {
        root: Component { name: "delivery".into(), purl: String::new(), scope: None, ..Component::default() },
        projects,
        components,
        dependencies,
        completeness,
        diagnostics: vec![
            Diagnostic::error("cargo::parse", Location::new("broken/Cargo.lock", Some(3)), "expected `=`"),
            Diagnostic::warning("scan::dangling-edge", Location::new(LOCK, None), "x depends on y & <z>"),
        ],
        files: BTreeMap::from([("cargo".to_string(), vec![LOCK.to_string()])]),
    }
}

fn write(inv: &Inventory, spec: SpecVersion, encoding: Encoding) -> String {
    let opts = WriteOptions::reproducible(spec, encoding, "9.9.9", 1_700_000_000).expect("options");
    cyclonedx::write(inv, &opts)
}

fn component<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["components"].as_array().into_iter().flatten().find(|c| c["name"] == name).expect(name)
}

fn properties(c: &Value, name: &str) -> Vec<String> {
    c["properties"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["name"] == name)
        .filter_map(|p| p["value"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn hand_built_inventory_is_valid_and_complete() {
    let Some(dir) = schema_dir() else { return };
    let inv = inventory();
    let mut checker = Checker::new(dir);
    let mut docs = BTreeMap::new();
    for spec in SPECS {
        let label = format!("hand-built {}", spec.as_str());
        let doc = checker.json(spec, &label, &write(&inv, spec, Encoding::Json)).expect("JSON");
        checker.xml(spec, &label, &write(&inv, spec, Encoding::Xml));
        docs.insert(spec.as_str(), doc);
    }
    checker.finish();

    let d16 = &docs["1.6"];
    let ptr = |doc: &Value, p: &str| doc.pointer(p).cloned().unwrap_or(Value::Null);
    assert_eq!(ptr(d16, "/bomFormat"), "CycloneDX");
    assert_eq!(ptr(d16, "/specVersion"), "1.6");
    assert_eq!(ptr(d16, "/version"), 1);
    assert_eq!(ptr(d16, "/metadata/timestamp"), "2023-11-14T22:13:20Z");
    assert_eq!(ptr(d16, "/metadata/tools/components/0/name"), "sovra");
    assert_eq!(ptr(d16, "/metadata/tools/components/0/version"), "9.9.9");
    assert_eq!(ptr(d16, "/metadata/component/bom-ref"), ROOT_REF);
    assert_eq!(ptr(d16, "/metadata/component/name"), "delivery");
    assert_eq!(ptr(d16, "/metadata/component/type"), "application");
    // The project nobody depends on is the application, the other a library.
    assert_eq!(ptr(d16, "/metadata/component/components/0/bom-ref"), "pkg:cargo/app@0.1.0");
    assert_eq!(ptr(d16, "/metadata/component/components/0/type"), "application");
    assert_eq!(ptr(d16, "/metadata/component/components/0/authors/0/email"), "it@amt.example");
    assert_eq!(ptr(d16, "/metadata/component/components/0/licenses/0/license/id"), "EUPL-1.2");
    assert_eq!(ptr(d16, "/metadata/component/components/1/bom-ref"), "sovra:project:app/lib/Cargo.toml");
    assert_eq!(ptr(d16, "/metadata/component/components/1/type"), "library");
    let names: Vec<&str> =
        d16["components"].as_array().expect("components").iter().filter_map(|c| c["bom-ref"].as_str()).collect();
    let purls: Vec<&str> = inv.components.iter().map(|c| c.purl.as_str()).collect();
    assert_eq!(names, purls, "one component per purl, in the inventory's order");

    let babel = component(d16, "core");
    assert_eq!(babel["group"], "@babel");
    assert_eq!(babel["type"], "library");
    assert_eq!(babel["scope"], "optional");
    assert_eq!(babel["purl"], "pkg:npm/%40babel/core@7.24.0");
    assert_eq!(babel["description"], "Babel compiler core.");
    assert_eq!(babel.pointer("/hashes/0/alg"), Some(&Value::from("SHA-512")));
    assert_eq!(babel.pointer("/authors/0/name"), Some(&Value::from("Sebastian McKenzie (https://babeljs.io)")));
    assert_eq!(babel.pointer("/authors/0/email"), Some(&Value::from("sebmck@gmail.com")));
    assert_eq!(babel.pointer("/authors/1/name"), Some(&Value::from("The Babel Team")));
    assert_eq!(babel.pointer("/licenses/0/license/acknowledgement"), Some(&Value::from("declared")));
    assert_eq!(babel.pointer("/licenses/1/license/acknowledgement"), Some(&Value::from("concluded")));
    assert_eq!(properties(babel, "sovra:scope"), ["dev"]);
    assert_eq!(properties(babel, "sovra:location"), ["web/package-lock.json:120", "web/package.json:7"]);
    assert_eq!(properties(babel, "bsi:component:filename"), ["core-7.24.0.tgz"]);
    assert_eq!(properties(babel, "sovra:npm:bundled"), ["false"]);
    assert_eq!(properties(babel, "sovra:license:concluded:source"), ["web/LICENSE"]);
    let names: Vec<&str> =
        babel["properties"].as_array().expect("properties").iter().filter_map(|p| p["name"].as_str()).collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "properties sorted: {names:?}");
    let refs = babel["externalReferences"].as_array().expect("externalReferences");
    let kinds: Vec<(&str, &str)> =
        refs.iter().map(|r| (r["type"].as_str().unwrap_or(""), r["url"].as_str().unwrap_or(""))).collect();
    assert_eq!(
        kinds,
        [
            ("distribution", "https://registry.npmjs.org/@babel/core/-/core-7.24.0.tgz"),
            ("vcs", "https://github.com/babel/babel.git"),
            ("website", "https://babel.dev/docs/en/next/babel-core"),
        ]
    );
    assert_eq!(refs[0]["hashes"], babel["hashes"], "the distribution carries the file's hash (BSI)");

    let serde = component(d16, "serde");
    assert_eq!(serde.pointer("/licenses/0/expression"), Some(&Value::from("Apache-2.0 AND MIT")));
    assert_eq!(serde.pointer("/licenses/0/acknowledgement"), Some(&Value::from("concluded")));
    assert_eq!(serde["licenses"].as_array().map(Vec::len), Some(1));
    assert_eq!(properties(serde, "sovra:license:declared"), ["MIT OR Apache-2.0"]);
    assert_eq!(properties(serde, "sovra:license:raw"), ["MIT/Apache-2.0"]);
    let serde17 = component(&docs["1.7"], "serde");
    assert_eq!(serde17.pointer("/licenses/0/expression"), Some(&Value::from("MIT OR Apache-2.0")));
    assert_eq!(serde17.pointer("/licenses/0/acknowledgement"), Some(&Value::from("declared")));
    assert_eq!(serde17.pointer("/licenses/1/expression"), Some(&Value::from("Apache-2.0 AND MIT")));
    assert!(properties(serde17, "sovra:license:declared").is_empty());
    let serde15 = component(&docs["1.5"], "serde");
    assert_eq!(serde15.pointer("/licenses/0"), Some(&serde_json::json!({"expression": "Apache-2.0 AND MIT"})));

    let forked = component(d16, "forked");
    assert_eq!(forked.pointer("/licenses/0/license/name"), Some(&Value::from("Proprietary, see LICENSE.txt")));
    assert_eq!(forked.pointer("/externalReferences/0/type"), Some(&Value::from("vcs")));
    assert_eq!(
        forked.pointer("/externalReferences/0/url"),
        Some(&Value::from("ssh://git@github.com/example/forked.git"))
    );
    assert_eq!(
        forked.pointer("/externalReferences/0/comment"),
        Some(&Value::from("commit 0123456789abcdef0123456789abcdef01234567, reference main"))
    );
    assert_eq!(properties(forked, "sovra:source"), ["git"]);

    let requests = component(d16, "requests");
    assert_eq!(requests.pointer("/licenses/0/license/name"), Some(&Value::from("NOASSERTION")));
    assert_eq!(requests.pointer("/licenses/1/license/id"), Some(&Value::from("Apache-2.0")));
    assert_eq!(properties(requests, "sovra:license:raw"), ["Apache 2.0"]);
    assert_eq!(requests["hashes"], serde_json::json!([{"alg": "SHA-256", "content": "01".repeat(32)}]));
    let dist: Vec<&Value> = requests["externalReferences"].as_array().expect("refs").iter().collect();
    assert_eq!(dist.len(), 2, "{dist:?}");
    assert_eq!(dist[0]["url"], "requests-2.31.0-py3-none-any.whl");
    assert_eq!(dist[1]["url"], "requests-2.31.0.tar.gz");
    assert_eq!(dist[1].pointer("/hashes/0/content"), Some(&Value::from("02".repeat(32))));
    assert_eq!(properties(requests, "sovra:source:registry"), ["https://pypi.example.org/simple"]);
    assert_eq!(requests["scope"], "optional");

    assert_eq!(component(d16, "vendored")["scope"], "excluded");
    assert_eq!(properties(component(d16, "vendored"), "sovra:source:path"), ["../vendored"]);
    let tarball = component(d16, "tarball");
    assert_eq!(
        tarball.pointer("/licenses/0/expression"),
        Some(&Value::from("GPL-2.0-or-later WITH Classpath-exception-2.0"))
    );
    assert_eq!(
        tarball.pointer("/externalReferences/0/url"),
        Some(&Value::from("https://example.org/tarball-2.0.tar.gz"))
    );

    // 1.5: one author string, no acknowledgement anywhere.
    let babel15 = component(&docs["1.5"], "core");
    assert_eq!(babel15["author"], "Sebastian McKenzie <sebmck@gmail.com> (https://babeljs.io), The Babel Team");
    assert!(babel15.get("authors").is_none());
    assert!(!serde_json::to_string(&docs["1.5"]).unwrap_or_default().contains("acknowledgement"));

    // Dependencies: every entry, leaves with an empty list, lists sorted.
    let deps = d16["dependencies"].as_array().expect("dependencies");
    assert_eq!(deps.len(), inv.dependencies.len());
    let tarball_dep = deps.iter().find(|d| d["ref"] == "pkg:generic/tarball@2.0").expect("leaf");
    assert_eq!(tarball_dep["dependsOn"], serde_json::json!([]));
    for d in deps {
        let list: Vec<&str> = d["dependsOn"].as_array().expect("dependsOn").iter().filter_map(Value::as_str).collect();
        assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
    }

    // Compositions: the lockfile's packages are complete; @babel/core was
    // seen in a lockfile too, so it is complete; unknown for the rest.
    let comps = d16["compositions"].as_array().expect("compositions");
    let by: BTreeMap<&str, &Value> = comps.iter().map(|c| (c["aggregate"].as_str().unwrap_or(""), c)).collect();
    assert_eq!(by.keys().copied().collect::<Vec<_>>(), ["complete", "unknown"]);
    let complete: Vec<&str> =
        by["complete"]["dependencies"].as_array().expect("deps").iter().filter_map(Value::as_str).collect();
    assert_eq!(
        complete,
        ["pkg:cargo/app@0.1.0", "pkg:cargo/forked@0.3.0", "pkg:cargo/serde@1.0.200", "pkg:npm/%40babel/core@7.24.0"]
    );
    assert_eq!(by["complete"]["assemblies"], serde_json::json!(["pkg:cargo/app@0.1.0"]));
    assert_eq!(by["unknown"]["assemblies"], serde_json::json!(["sovra:project:app/lib/Cargo.toml"]));

    // Diagnostics are annotations on the root, by Sovra.
    let ann = d16["annotations"].as_array().expect("annotations");
    assert_eq!(ann.len(), 2);
    assert_eq!(ann[0]["text"], "error[cargo::parse]: broken/Cargo.lock:3: expected `=`");
    assert_eq!(ann[0]["subjects"], serde_json::json!([ROOT_REF]));
    assert_eq!(ann[0].pointer("/annotator/component/name"), Some(&Value::from("sovra")));
    assert_eq!(ann[0]["timestamp"], "2023-11-14T22:13:20Z");

    // JSON and XML of one document share the content-derived serial number.
    let serial = d16["serialNumber"].as_str().expect("serial");
    assert!(write(&inv, SpecVersion::V1_6, Encoding::Xml).contains(&format!("serialNumber=\"{serial}\"")));
    assert_ne!(docs["1.5"]["serialNumber"], docs["1.6"]["serialNumber"]);
}

#[test]
fn xml_escapes_and_orders_elements() {
    let xml = write(&inventory(), SpecVersion::V1_6, Encoding::Xml);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), "{}", &xml[..80.min(xml.len())]);
    assert!(xml.contains("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\""));
    assert!(xml.contains("x depends on y &amp; &lt;z&gt;"));
    assert!(xml.contains("<expression acknowledgement=\"concluded\">Apache-2.0 AND MIT</expression>"));
    assert!(xml.contains("<property name=\"sovra:scope\">dev</property>"));
    let order = ["<metadata>", "<components>", "<dependencies>", "<compositions>", "<annotations>"];
    let positions: Vec<usize> = order.iter().map(|t| xml.find(t).unwrap_or(usize::MAX)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
}

#[test]
fn empty_inventory_is_valid() {
    let Some(dir) = schema_dir() else { return };
    let mut checker = Checker::new(dir);
    for spec in SPECS {
        let doc = checker.json(spec, "empty", &write(&Inventory::default(), spec, Encoding::Json)).expect("JSON");
        assert_eq!(doc["components"], serde_json::json!([]));
        assert_eq!(doc.pointer("/metadata/component/name"), Some(&Value::from("root")));
        checker.xml(spec, "empty", &write(&Inventory::default(), spec, Encoding::Xml));
    }
    checker.finish();
}

/// The checks are not vacuous: a licence id outside the SPDX list (checked
/// through the locally resolved `spdx` schema), a malformed serial number, a
/// dependency on an undefined reference and XML elements out of the XSD's
/// order are all caught.
#[test]
fn checker_rejects_what_the_schemas_forbid() {
    let Some(dir) = schema_dir() else { return };
    let inv = inventory();
    let good = write(&inv, SpecVersion::V1_6, Encoding::Json);
    let mut doc: Value = serde_json::from_str(&good).expect("JSON");
    doc["components"][0]["licenses"] = serde_json::json!([{"license": {"id": "Not-A-Licence"}}]);
    doc["serialNumber"] = Value::from("urn:uuid:not-a-uuid");
    doc["dependencies"][0]["dependsOn"] = serde_json::json!(["pkg:npm/nowhere@1.0.0"]);
    let mut checker = Checker::new(dir.clone());
    checker.json(SpecVersion::V1_6, "broken", &doc.to_string());
    let failures = checker.failures.join("\n");
    assert!(failures.contains("Not-A-Licence"), "{failures}");
    assert!(failures.contains("not-a-uuid"), "{failures}");
    assert!(failures.contains("undefined bom-ref pkg:npm/nowhere@1.0.0"), "{failures}");

    if !xmllint_available() {
        return;
    }
    let xml = write(&inv, SpecVersion::V1_6, Encoding::Xml);
    let swapped = xml.replacen(
        "<name>serde</name>\n      <version>1.0.200</version>",
        "<version>1.0.200</version>\n      <name>serde</name>",
        1,
    );
    assert_ne!(swapped, xml, "the test must change the document");
    let mut checker = Checker::new(dir);
    checker.xml(SpecVersion::V1_6, "swapped", &swapped);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| checker.finish()));
    assert!(result.is_err(), "xmllint accepted elements out of order");
}
