//! The real Composer projects of the shared corpus.
//!
//! Expected numbers were computed once, independently of this crate, with a
//! python3 script over each composer.lock (json.load; counted the entries of
//! `packages` and `packages-dev`, unique by name, none with `dist.type: path`):
//!
//! | project   | packages | packages-dev | unique | SOURCE.txt  |
//! |-----------|----------|--------------|--------|-------------|
//! | composer  | 30       | 6            | 36     | "30 + 6 dev"   |
//! | bookstack | 110      | 37           | 147    | "110 + 37 dev" |
//!
//! So the component count equals SOURCE.txt's sum; no name is in both sections.
//! The same script found every `require` of a locked package resolvable by
//! name, except bookstack's requirements on `illuminate/*` (replaced by
//! laravel/framework) and `symfony/mailer` (replaced by
//! ssddanbrown/symfony-mailer): those resolve through `replace`, so no
//! `unresolved-requirement` diagnostic is expected.

use sovra_composer::ComposerPlugin;
use sovra_core::testing::{corpus_dir, scan_with};
use sovra_core::{Inventory, Scope};

fn scan(project: &str) -> Option<Inventory> {
    let dir = corpus_dir()?.join("composer").join(project);
    Some(scan_with(&ComposerPlugin, &dir))
}

fn count(inv: &Inventory, scope: Scope) -> usize {
    inv.components.iter().filter(|c| c.scope == Some(scope)).count()
}

#[test]
fn composer_lock_of_composer() {
    let Some(inv) = scan("composer") else { return };
    assert_eq!(inv.components.len(), 36);
    assert_eq!((count(&inv, Scope::Required), count(&inv, Scope::Dev)), (30, 6));
    assert_eq!(inv.projects.len(), 1);
    assert_eq!(inv.projects[0].bom_ref, "sovra:project:composer.json");
    assert_eq!(inv.projects[0].component.purl, "pkg:composer/composer/composer");
    assert!(inv.diagnostics.is_empty(), "{:#?}", inv.diagnostics);
    // Platform requirements are properties of the project, never edges.
    let platform = &inv.projects[0].component.properties["sovra:composer:platform"];
    assert!(platform.contains("php ^7.2.5 || ^8.0"), "{platform}");
    assert!(inv.dependencies.values().flatten().all(|to| !to.contains("/php@") && !to.contains("ext-")));
    // composer.json's `require` is the project's edge list.
    let direct = &inv.dependencies["sovra:project:composer.json"];
    assert!(direct.contains("pkg:composer/composer/ca-bundle@1.5.12"), "{direct:?}");
}

#[test]
fn composer_lock_of_bookstack() {
    let Some(inv) = scan("bookstack") else { return };
    assert_eq!(inv.components.len(), 147);
    assert_eq!((count(&inv, Scope::Required), count(&inv, Scope::Dev)), (110, 37));
    assert!(inv.diagnostics.is_empty(), "{:#?}", inv.diagnostics);
    // A `replace` stands in for the replaced name: laravel/socialite requires
    // illuminate/support, which laravel/framework replaces.
    let socialite = inv.components.iter().find(|c| c.name == "socialite").unwrap();
    let framework = inv.components.iter().find(|c| c.name == "framework").unwrap();
    assert!(inv.dependencies[&socialite.purl].contains(&framework.purl));
    // A three-way licence array is one OR expression.
    assert!(
        inv.components
            .iter()
            .any(|c| c.declared_licenses.iter().any(|l| l.raw == "BSD-3-Clause OR GPL-2.0-only OR GPL-3.0-only"))
    );
    // A branch alias (`6.4.x-dev`) keeps the commit as a property.
    let mailer = inv.components.iter().find(|c| c.name == "symfony-mailer").unwrap();
    assert_eq!(mailer.version, "6.4.x-dev");
    assert!(mailer.properties.contains_key("sovra:composer:source-reference"));
}
