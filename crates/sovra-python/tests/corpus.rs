//! The real-world corpus (`shared/corpus/python`). Expected numbers were
//! computed once, independently of this parser, with a Python 3.11 script
//! over the files (tomllib/json; names PEP 503-normalised with
//! `re.sub(r"[-_.]+", "-", s).lower()`):
//!
//! * warehouse: SOURCE.txt lists the pins per file (deploy 8, dev 27,
//!   docs-blog 46, docs-dev 31, docs-user 34, lint 56, main 184, tests 48;
//!   requirements.txt and ipython.txt 0) = 434 pins, which overlap: the union
//!   of `^name(\[..\])?==version` over all files is 303 unique purls. 189 are
//!   in main/deploy (Required), 114 only in dev/docs/lint/tests files (Dev).
//!   ipython.txt holds one unpinned line: one `python::unpinned` warning.
//! * poetry: 78 `[[package]]` = 78 unique (name, version); Poetry does not
//!   lock the root project. 53 have "main" in `groups`, 25 do not (Dev).
//! * rich (lock 2.0, no groups): 51 packages; scopes by reachability from
//!   the `[tool.poetry]` declarations: pygments, markdown-it-py, mdurl Required.
//! * rich-lock-1.1: 63 packages; category main and not optional 8, main and
//!   optional 29, dev 26.
//! * pipenv: 10 default + 100 develop = 110 entries, 105 unique (name, version)
//!   (5 are in both sections: Required wins). Scopes: 10 Required, 95 Dev.
//! * flask: uv.lock has 83 packages including flask itself (`editable = "."`),
//!   so 82 third-party purls (sphinx and sphinx-autobuild at two versions
//!   each). Reachable from flask's `dependencies`: blinker, click, colorama,
//!   itsdangerous, jinja2, markupsafe, werkzeug (7); only from its extras:
//!   asgiref, python-dotenv, typing-extensions (3); the other 72 only from
//!   dependency groups (Dev).

use std::collections::BTreeMap;

use sovra_core::testing::{corpus_dir, scan_with};
use sovra_core::{Completeness, HashAlg, Inventory, Scope, Severity, Source};
use sovra_python::PythonPlugin;

fn scan(project: &str) -> Option<Inventory> {
    let dir = corpus_dir()?.join("python").join(project);
    Some(scan_with(&PythonPlugin, &dir))
}

fn scopes(inv: &Inventory) -> Vec<(Scope, usize)> {
    let mut m = BTreeMap::new();
    for c in &inv.components {
        *m.entry(c.scope.expect("every component has a scope")).or_insert(0) += 1;
    }
    m.into_iter().collect()
}

fn projects(inv: &Inventory) -> Vec<&str> {
    inv.projects.iter().map(|p| p.bom_ref.as_str()).collect()
}

fn no_problems(inv: &Inventory) {
    let bad: Vec<_> = inv.diagnostics.iter().filter(|d| d.severity != Severity::Info).collect();
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn warehouse_requirements() {
    let Some(inv) = scan("warehouse") else { return };
    assert_eq!(inv.components.len(), 303);
    assert_eq!(scopes(&inv), vec![(Scope::Required, 189), (Scope::Dev, 114)]);
    let alembic = inv.component("pkg:pypi/alembic@1.18.5").expect("alembic");
    assert_eq!(alembic.hashes.len(), 2);
    assert_eq!(alembic.hashes[0].value, "06d8ba9d04558022f5395e9317de03d270f3dced49cee01f89fe7a13c26f14bc");
    // `# via alembic` under alembic-postgresql-enum's dependents: pip-compile annotations are edges.
    assert!(inv.dependencies["pkg:pypi/alembic-postgresql-enum@1.10.0"].contains("pkg:pypi/alembic@1.18.5"));
    let d: Vec<_> = inv.diagnostics.iter().map(|d| (d.code.as_str(), d.location.to_string())).collect();
    assert_eq!(d, vec![("python::unpinned", "requirements/ipython.txt:1".to_string())]);
    assert_eq!(inv.completeness["requirements/main.txt"], Completeness::Complete);
}

#[test]
fn poetry_lock_2_1_with_pep621() {
    let Some(inv) = scan("poetry") else { return };
    no_problems(&inv);
    assert_eq!(inv.components.len(), 78);
    assert_eq!(scopes(&inv), vec![(Scope::Required, 53), (Scope::Dev, 25)]);
    assert_eq!(projects(&inv), vec!["pkg:pypi/poetry@2.5.0.dev0"]);
    let core = inv.components.iter().find(|c| c.name == "poetry-core").expect("poetry-core");
    assert_eq!(
        core.purl,
        "pkg:pypi/poetry-core@2.4.1?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fpython-poetry%2Fpoetry-core.git%40e3998b0e111dc03e4aa721fd054c48e5c7de6fc5"
    );
    assert!(
        matches!(&core.source, Source::Git { commit: Some(c), reference: Some(r), .. } if c.starts_with("e3998b0e") && r == "HEAD")
    );
    assert!(inv.dependencies["pkg:pypi/poetry@2.5.0.dev0"].contains(&core.purl));
    assert_eq!(inv.projects[0].component.declared_licenses[0].raw, "MIT");
}

#[test]
fn poetry_lock_2_0_scopes_from_pyproject() {
    let Some(inv) = scan("rich") else { return };
    no_problems(&inv);
    assert_eq!(inv.components.len(), 51);
    let required: Vec<&str> =
        inv.components.iter().filter(|c| c.scope == Some(Scope::Required)).map(|c| c.name.as_str()).collect();
    assert_eq!(required, vec!["markdown-it-py", "mdurl", "pygments"]);
    assert_eq!(projects(&inv), vec!["pkg:pypi/rich@14.0.0"]);
}

#[test]
fn poetry_lock_1_1_metadata_files() {
    let Some(inv) = scan("rich-lock-1.1") else { return };
    no_problems(&inv);
    assert_eq!(inv.components.len(), 63);
    assert_eq!(scopes(&inv), vec![(Scope::Required, 8), (Scope::Optional, 29), (Scope::Dev, 26)]);
    let appnope = inv.component("pkg:pypi/appnope@0.1.3").expect("appnope");
    assert_eq!(appnope.hashes.len(), 2);
    assert!(appnope.hashes.iter().all(|h| h.alg == HashAlg::Sha256 && h.file.is_some()));
}

#[test]
fn pipfile_lock_spec_6() {
    let Some(inv) = scan("pipenv") else { return };
    no_problems(&inv);
    assert_eq!(inv.components.len(), 105);
    assert_eq!(scopes(&inv), vec![(Scope::Required, 10), (Scope::Dev, 95)]);
    // Dynamic version: the project is known by its manifest.
    assert_eq!(projects(&inv), vec!["sovra:project:pyproject.toml"]);
    assert_eq!(inv.projects[0].component.declared_licenses[0].raw, "MIT License (MIT)");
    assert_eq!(inv.completeness["Pipfile.lock"], Completeness::IncompleteFirstPartyOnly);
}

#[test]
fn uv_lock_with_pep639_license() {
    let Some(inv) = scan("flask") else { return };
    no_problems(&inv);
    assert_eq!(inv.components.len(), 82);
    assert_eq!(scopes(&inv), vec![(Scope::Required, 7), (Scope::Optional, 3), (Scope::Dev, 72)]);
    assert_eq!(projects(&inv), vec!["pkg:pypi/flask@3.2.0.dev0"]);
    assert_eq!(inv.projects[0].component.declared_licenses[0].raw, "BSD-3-Clause");
    assert!(inv.dependencies["pkg:pypi/flask@3.2.0.dev0"].contains("pkg:pypi/werkzeug@3.1.8"));
    let w = inv.component("pkg:pypi/werkzeug@3.1.8").expect("werkzeug");
    assert_eq!(w.hashes.len(), 2);
    assert_eq!(w.filename.as_deref(), Some("werkzeug-3.1.8.tar.gz"));
    assert!(inv.component("pkg:pypi/sphinx@8.1.3").is_some() && inv.component("pkg:pypi/sphinx@8.2.3").is_some());
}
