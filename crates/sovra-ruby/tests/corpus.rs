//! The Ruby projects of the shared corpus, scanned end to end.
//!
//! SOURCE.txt counts spec lines (4-space indent) in all GEM/GIT/PATH sections.
//! Sovra lists one component per name@version of GEM and GIT specs: platform
//! builds of a gem fold into it, and PATH specs are first-party projects.

use sovra_core::testing::{corpus_dir, scan_with};
use sovra_core::{Inventory, Severity};
use sovra_ruby::RubyPlugin;

fn scan(project: &str) -> Option<Inventory> {
    Some(scan_with(&RubyPlugin, &corpus_dir()?.join("ruby").join(project)))
}

/// Only info diagnostics: tzinfo-data and wdm are Windows/JRuby-only gems that
/// the Gemfile declares and Bundler does not lock for these PLATFORMS.
fn assert_only_not_locked(inv: &Inventory) {
    let mut got: Vec<_> = inv.diagnostics.iter().map(|d| (d.severity, d.code.as_str())).collect();
    got.dedup();
    assert_eq!(got, vec![(Severity::Info, "ruby::not-locked")], "{:?}", inv.diagnostics);
    assert_eq!(inv.diagnostics.len(), 2);
}

#[test]
fn rails_bundler_4_with_checksums() {
    let Some(inv) = scan("rails") else { return };
    // 264 spec lines = 14 PATH specs (13 rails gems + releaser) + 250 GEM spec
    // lines; the GEM lines hold 218 name@version (32 lines are platform builds,
    // e.g. nokogiri 1.19.1 in 5 builds): 264 - 14 - 32 = 218.
    assert_eq!(inv.components.len(), 218);
    assert_eq!(inv.projects.len(), 15);
    assert_only_not_locked(&inv);
    let noko = inv.component("pkg:gem/nokogiri@1.19.1").unwrap();
    assert_eq!(noko.hashes.len(), 5);
    assert_eq!(
        noko.properties["sovra:ruby:platforms"],
        "aarch64-linux-gnu, arm64-darwin, ruby, x86_64-darwin, x86_64-linux-gnu"
    );
    // Every GEM component carries the .gem checksum(s) of CHECKSUMS.
    assert!(inv.components.iter().all(|c| !c.hashes.is_empty()));
    assert!(inv.projects.iter().any(|p| p.bom_ref == "pkg:gem/rails@8.2.0.alpha"));
    let direct = &inv.dependencies["sovra:project:Gemfile"];
    assert!(direct.contains("pkg:gem/rails@8.2.0.alpha") && direct.contains("pkg:gem/nokogiri@1.19.1"));
}

#[test]
fn rails_2024_with_git_sources() {
    let Some(inv) = scan("rails-2024-git-sources") else {
        return;
    };
    // 256 spec lines = 14 PATH specs + 3 GIT specs + 239 GEM spec lines, of
    // which 15 are platform builds: 256 - 14 - 15 = 227 components (3 from GIT).
    assert_eq!(inv.components.len(), 227);
    assert_eq!(inv.projects.len(), 15);
    assert_only_not_locked(&inv);
    let git: Vec<&str> =
        inv.components.iter().filter(|c| c.purl.contains("vcs_url=")).map(|c| c.name.as_str()).collect();
    assert_eq!(git, vec!["httpclient", "sdoc", "websocket-client-simple"]);
    assert!(inv.component(
        "pkg:gem/sdoc@3.0.0.alpha?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Frails%2Fsdoc.git%40242686d0a55cd1f7c1c8b9e96ec85518c5e169a1"
    ).is_some());
    assert!(inv.components.iter().all(|c| c.hashes.is_empty()));
}
