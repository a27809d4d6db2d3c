//! Hand-written inputs in `fixtures/python/`: every format version and
//! feature the plug-in supports, and broken files. Each test scans a fixture
//! directory through the real plug-in and merge.

use sovra_core::testing::{fixtures_dir, scan_with};
use sovra_core::{Completeness, Inventory, Scope, Severity, Source};
use sovra_python::PythonPlugin;

fn scan(dir: &str) -> Inventory {
    scan_with(&PythonPlugin, &fixtures_dir().join("python").join(dir))
}

fn purls(inv: &Inventory) -> Vec<(&str, Scope)> {
    inv.components.iter().map(|c| (c.purl.as_str(), c.scope.expect("scope"))).collect()
}

fn diags(inv: &Inventory) -> Vec<(Severity, String, String)> {
    inv.diagnostics.iter().map(|d| (d.severity, d.code.clone(), d.location.to_string())).collect()
}

fn edges<'a>(inv: &'a Inventory, from: &str) -> Vec<&'a str> {
    inv.dependencies.get(from).map(|s| s.iter().map(String::as_str).collect()).unwrap_or_default()
}

const A64: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

#[test]
fn requirements_every_feature() {
    let inv = scan("requirements-features");
    assert_eq!(
        purls(&inv),
        vec![
            (
                "pkg:pypi/archpkg@3.1?download_url=https:%2F%2Ffiles.example%2Fdist%2Farchpkg-3.1.tar.gz",
                Scope::Required
            ),
            (
                "pkg:pypi/editable-pkg@main?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fexample%2Feditable.git%40main",
                Scope::Required
            ),
            // Unpinned `idna` pinned by the constraints file.
            ("pkg:pypi/idna@3.6", Scope::Required),
            ("pkg:pypi/named@v1.2?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fexample%2Fnamed.git%40v1.2", Scope::Required),
            ("pkg:pypi/requests@2.31.0", Scope::Required),
            ("pkg:pypi/six@1.16.0", Scope::Required),
            (
                "pkg:pypi/vcspkg@0123456789abcdef0123456789abcdef01234567?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fexample%2Fvcspkg.git%400123456789abcdef0123456789abcdef01234567",
                Scope::Required
            ),
            ("pkg:pypi/zope-interface@6.0", Scope::Required),
        ]
    );
    let req = inv.component("pkg:pypi/requests@2.31.0").unwrap();
    assert_eq!(req.hashes.len(), 2, "hashes on continuation lines");
    assert_eq!(req.hashes[0].value, A64);
    assert_eq!(req.properties["sovra:python:marker"], "python_version < \"3.11\"");
    assert_eq!(req.properties["sovra:python:extras"], "socks");
    assert_eq!(req.source, Source::Registry { url: Some("https://pypi.internal.example/simple".into()) });
    assert_eq!(req.locations[0].line, Some(7));
    let vcs = inv.components.iter().find(|c| c.name == "vcspkg").unwrap();
    assert!(matches!(&vcs.source, Source::Git { commit: Some(c), reference: None, .. } if c.starts_with("0123")));
    // `-e ./libs/local` is first-party, named by its own pyproject.toml.
    assert_eq!(inv.projects.iter().map(|p| p.bom_ref.as_str()).collect::<Vec<_>>(), vec!["pkg:pypi/local-lib@0.1.0"]);
    assert_eq!(
        diags(&inv),
        vec![
            (Severity::Error, "python::missing-include".into(), "base.txt:2".into()),
            (Severity::Warning, "python::unknown-option".into(), "requirements.txt:19".into()),
            (Severity::Warning, "python::unpinned".into(), "requirements.txt:11".into()),
            (Severity::Warning, "python::unpinned".into(), "requirements.txt:18".into()),
            (Severity::Info, "python::constraints-only".into(), "constraints.txt:2".into()),
        ]
    );
    assert!(inv.files["python"].contains(&"constraints.txt".to_string()));
    assert_eq!(inv.completeness["requirements.txt"], Completeness::Incomplete);
}

#[test]
fn requirements_dev_file_including_main_file() {
    let inv = scan("requirements-dev-includes");
    assert_eq!(
        purls(&inv),
        vec![
            ("pkg:pypi/certifi@2024.2.2", Scope::Required),
            ("pkg:pypi/pytest@8.0.0", Scope::Dev),
            // Pinned in both the dev file and the main file: the strongest scope wins.
            ("pkg:pypi/requests@2.31.0", Scope::Required),
            ("pkg:pypi/urllib3@2.2.1", Scope::Required),
        ]
    );
    // pip-compile `# via` comments, single-line and multi-line, are edges.
    assert_eq!(edges(&inv, "pkg:pypi/requests@2.31.0"), vec!["pkg:pypi/certifi@2024.2.2", "pkg:pypi/urllib3@2.2.1"]);
    // requirements.in has its compiled .txt beside it and is not read; tests.in is, and pins nothing.
    assert!(!inv.files["python"].contains(&"requirements.in".to_string()));
    assert_eq!(diags(&inv), vec![(Severity::Warning, "python::unpinned".into(), "requirements/tests.in:1".into())]);
    assert_eq!(inv.completeness["requirements.txt"], Completeness::Complete);
}

#[test]
fn requirements_include_cycle_is_reported_and_bounded() {
    let inv = scan("requirements-cycle");
    assert_eq!(purls(&inv), vec![("pkg:pypi/attrs@23.1.0", Scope::Required), ("pkg:pypi/six@1.16.0", Scope::Required)]);
    assert_eq!(
        diags(&inv),
        vec![
            (Severity::Warning, "python::include-cycle".into(), "requirements-b.txt:1".into()),
            (Severity::Warning, "python::include-cycle".into(), "requirements-a.txt:2".into()),
        ]
    );
}

#[test]
fn poetry_lock_1_1_with_metadata_files() {
    let inv = scan("poetry-1.1");
    assert_eq!(
        purls(&inv),
        vec![
            ("pkg:pypi/charset-normalizer@2.1.0", Scope::Required),
            (
                "pkg:pypi/gitpkg@0.3.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fexample%2Fgitpkg.git%401111111111111111111111111111111111111111",
                Scope::Required
            ),
            ("pkg:pypi/internal@1.0.0", Scope::Required),
            ("pkg:pypi/ipywidgets@8.0.0", Scope::Optional),
            ("pkg:pypi/pytest@7.1.2", Scope::Dev),
            ("pkg:pypi/requests@2.28.0", Scope::Required),
        ]
    );
    let r = inv.component("pkg:pypi/requests@2.28.0").unwrap();
    let files: Vec<_> = r.hashes.iter().map(|h| h.file.as_deref().unwrap()).collect();
    assert_eq!(files, vec!["requests-2.28.0-py3-none-any.whl", "requests-2.28.0.tar.gz"]);
    // `charset_normalizer` in the dependency table is normalised; optional PySocks is not locked and not an error.
    assert_eq!(edges(&inv, "pkg:pypi/requests@2.28.0"), vec!["pkg:pypi/charset-normalizer@2.1.0"]);
    assert_eq!(
        inv.component("pkg:pypi/internal@1.0.0").unwrap().source,
        Source::Registry { url: Some("https://pypi.internal.example/simple".into()) }
    );
    let p = &inv.projects[0];
    assert_eq!(p.bom_ref, "pkg:pypi/legacy-app@1.2.3");
    assert_eq!(p.component.declared_licenses[0].raw, "Apache-2.0");
    assert_eq!(p.component.authors, vec!["Jane Doe <jane@example.org>"]);
    assert_eq!(p.component.repository_url.as_deref(), Some("https://github.com/example/legacy-app"));
    assert_eq!(edges(&inv, "pkg:pypi/legacy-app@1.2.3").len(), 5);
    assert_eq!(diags(&inv), vec![(Severity::Warning, "python::unresolved-dependency".into(), "poetry.lock:32".into())]);
}

#[test]
fn poetry_lock_2_0_scopes_by_reachability() {
    let inv = scan("poetry-2.0");
    assert_eq!(
        purls(&inv),
        vec![
            // Only pytest (test group) needs colorama.
            ("pkg:pypi/colorama@0.4.6", Scope::Dev),
            ("pkg:pypi/ipywidgets@8.1.0", Scope::Optional),
            // Reached by nothing: the conservative claim.
            ("pkg:pypi/orphan@1.0", Scope::Required),
            // Required by the project and by pytest: Required wins.
            ("pkg:pypi/pygments@2.17.2", Scope::Required),
            ("pkg:pypi/pytest@8.0.0", Scope::Dev),
        ]
    );
}

#[test]
fn poetry_lock_2_1_groups_sources_and_pep621() {
    let inv = scan("poetry-2.1");
    assert_eq!(
        purls(&inv),
        vec![
            ("pkg:pypi/anyio@4.3.0", Scope::Required),
            ("pkg:pypi/localwheel@2.0", Scope::Required),
            ("pkg:pypi/mypy@1.9.0", Scope::Dev),
            ("pkg:pypi/typing-extensions@4.10.0", Scope::Required),
            ("pkg:pypi/urlpkg@0.1.0?download_url=https:%2F%2Ffiles.example%2Furlpkg-0.1.0.tar.gz", Scope::Required),
        ]
    );
    assert_eq!(edges(&inv, "pkg:pypi/anyio@4.3.0"), vec!["pkg:pypi/typing-extensions@4.10.0"]);
    assert_eq!(
        inv.component("pkg:pypi/anyio@4.3.0").unwrap().properties["sovra:python:markers"],
        "python_version < \"3.12\""
    );
    assert_eq!(
        inv.component("pkg:pypi/localwheel@2.0").unwrap().source,
        Source::Path { path: "dist/localwheel-2.0-py3-none-any.whl".into() }
    );
    // The directory source is first-party, and its own manifest's legacy licence table is read.
    let refs: Vec<_> = inv.projects.iter().map(|p| p.bom_ref.as_str()).collect();
    assert_eq!(refs, vec!["pkg:pypi/modern-app@3.0.0", "pkg:pypi/shared@0.5.0"]);
    assert_eq!(inv.projects[1].component.declared_licenses[0].raw, "EUPL-1.2");
    let app = &inv.projects[0].component;
    assert_eq!(app.declared_licenses[0].raw, "MIT OR Apache-2.0");
    assert_eq!(app.homepage.as_deref(), Some("https://example.de"));
    assert_eq!(app.repository_url.as_deref(), Some("https://git.example.de/modern-app"));
    assert!(edges(&inv, "pkg:pypi/modern-app@3.0.0").contains(&"pkg:pypi/shared@0.5.0"));
    assert!(diags(&inv).is_empty(), "{:?}", diags(&inv));
}

#[test]
fn uv_workspace_sources_extras_and_groups() {
    let inv = scan("uv-workspace");
    assert_eq!(
        purls(&inv),
        vec![
            ("pkg:pypi/archive-dep@1.5", Scope::Required),
            ("pkg:pypi/click@8.1.7", Scope::Optional),
            (
                "pkg:pypi/gitdep@0.9.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fexample%2Fgitdep%402222222222222222222222222222222222222222",
                Scope::Required
            ),
            // Requested as httpx[http2] by the app.
            ("pkg:pypi/h2@4.1.0", Scope::Required),
            ("pkg:pypi/httpx@0.27.0", Scope::Required),
            ("pkg:pypi/idna@3.7", Scope::Required),
            ("pkg:pypi/pytest@8.2.0", Scope::Dev),
            // httpx[socks] is requested by nobody.
            ("pkg:pypi/socksio@1.0.0", Scope::Optional),
            ("pkg:pypi/urldep@2.0?download_url=https:%2F%2Ffiles.example%2Furldep-2.0.tar.gz", Scope::Optional),
        ]
    );
    let git = inv.components.iter().find(|c| c.name == "gitdep").unwrap();
    assert_eq!(
        git.source,
        Source::Git {
            url: "https://github.com/example/gitdep".into(),
            commit: Some("2222222222222222222222222222222222222222".into()),
            reference: Some("v0.9".into())
        }
    );
    let httpx = inv.component("pkg:pypi/httpx@0.27.0").unwrap();
    let files: Vec<_> = httpx.hashes.iter().map(|h| h.file.as_deref().unwrap()).collect();
    assert_eq!(files, vec!["httpx-0.27.0.tar.gz", "httpx-0.27.0-py3-none-any.whl"]);
    assert_eq!(httpx.download_url.as_deref(), Some("https://files.pythonhosted.org/packages/x/httpx-0.27.0.tar.gz"));
    assert_eq!(
        inv.component("pkg:pypi/idna@3.7").unwrap().source,
        Source::Registry { url: Some("https://mirror.example/simple".into()) }
    );
    // Members and the directory dependency are projects; the member's own manifest supplies its licence.
    let projects: Vec<_> = inv
        .projects
        .iter()
        .map(|p| (p.bom_ref.as_str(), p.component.declared_licenses.iter().map(|l| l.raw.as_str()).collect::<Vec<_>>()))
        .collect();
    assert_eq!(
        projects,
        vec![
            ("pkg:pypi/app@1.0.0", vec!["Apache License 2.0"]),
            ("pkg:pypi/lib@0.2.0", vec!["EUPL-1.2"]),
            ("pkg:pypi/sibling@0.0.1", vec![]),
        ]
    );
    assert_eq!(inv.projects[1].manifest.file, "packages/lib/pyproject.toml");
    assert_eq!(edges(&inv, "pkg:pypi/lib@0.2.0"), vec!["pkg:pypi/archive-dep@1.5"]);
    assert_eq!(
        edges(&inv, "pkg:pypi/httpx@0.27.0"),
        vec!["pkg:pypi/h2@4.1.0", "pkg:pypi/idna@3.7", "pkg:pypi/socksio@1.0.0"]
    );
    assert!(diags(&inv).is_empty(), "{:?}", diags(&inv));
}

#[test]
fn pipfile_lock_sections_and_sources() {
    let inv = scan("pipfile");
    assert_eq!(
        purls(&inv),
        vec![
            ("pkg:pypi/internal-lib@0.4.0", Scope::Required),
            ("pkg:pypi/pytest@8.0.0", Scope::Dev),
            ("pkg:pypi/requests@2.31.0", Scope::Required),
            ("pkg:pypi/url-pkg@1.0?download_url=https:%2F%2Ffiles.example%2Furl_pkg-1.0.tar.gz", Scope::Required),
            (
                "pkg:pypi/vcs-pkg@3333333333333333333333333333333333333333?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fexample%2Fvcs-pkg.git%403333333333333333333333333333333333333333",
                Scope::Required
            ),
        ]
    );
    assert_eq!(
        inv.component("pkg:pypi/internal-lib@0.4.0").unwrap().source,
        Source::Registry { url: Some("https://pypi.internal.example/simple".into()) }
    );
    let lines: Vec<_> = inv.component("pkg:pypi/requests@2.31.0").unwrap().locations.iter().map(|l| l.line).collect();
    assert_eq!(lines, vec![Some(12), Some(42)]);
    // `path: "."` editable is the project itself.
    assert_eq!(inv.projects[0].component.name, "myproject");
    assert_eq!(diags(&inv), vec![(Severity::Warning, "python::unpinned".into(), "Pipfile.lock:35".into())]);
}

#[test]
fn pyproject_without_lockfile_invents_nothing() {
    let inv = scan("pyproject-only");
    assert!(inv.components.is_empty());
    let p = &inv.projects[0];
    assert_eq!(p.bom_ref, "sovra:project:pyproject.toml");
    assert_eq!(p.component.name, "no-lock-app");
    assert!(p.component.declared_licenses.is_empty());
    assert_eq!(p.component.properties["sovra:python:license-file"], "LICENSE");
    assert_eq!(diags(&inv), vec![(Severity::Warning, "python::no-lockfile".into(), "pyproject.toml:1".into())]);
    assert_eq!(inv.completeness["pyproject.toml"], Completeness::Incomplete);
}

#[test]
fn broken_files_become_diagnostics() {
    let one = |dir: &str| {
        let inv = scan(dir);
        assert!(inv.components.is_empty() && inv.projects.is_empty());
        diags(&inv)
    };
    assert_eq!(one("bad/empty"), vec![(Severity::Error, "python::empty".into(), "poetry.lock".into())]);
    assert_eq!(one("bad/truncated"), vec![(Severity::Error, "python::parse".into(), "uv.lock:41".into())]);
    assert_eq!(one("bad/binary"), vec![(Severity::Error, "python::binary".into(), "Pipfile.lock".into())]);
    assert_eq!(one("bad/json-array"), vec![(Severity::Error, "python::invalid-type".into(), "Pipfile.lock:1".into())]);
}

#[test]
fn wrongly_typed_entries_are_skipped_with_diagnostics() {
    let inv = scan("bad/wrong-types");
    assert_eq!(purls(&inv), vec![("pkg:pypi/ok@1.0", Scope::Required)]);
    let codes: Vec<_> = diags(&inv).into_iter().map(|(_, c, l)| format!("{c} {l}")).collect();
    for want in [
        "python::invalid-type poetry.lock",
        "python::invalid-type uv.lock:3",
        "python::invalid-type Pipfile.lock:1",
        "python::unresolved-dependency uv.lock:7",
        "python::unsupported-version Pipfile.lock",
        "python::invalid-type pyproject.toml:4",
        "python::invalid-requirement pyproject.toml:5",
    ] {
        assert!(codes.iter().any(|c| c == want), "missing {want} in {codes:#?}");
    }
}
