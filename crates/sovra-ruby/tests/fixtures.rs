//! The hand-written lockfiles under `fixtures/ruby`, scanned through the
//! plug-in and the core merge.

use sovra_core::testing::{fixtures_dir, scan_with};
use sovra_core::{Completeness, HashAlg, Inventory, Scope, Severity, Source};
use sovra_ruby::RubyPlugin;

const KAMINARI: &str = "pkg:gem/kaminari@1.2.2?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fkaminari%2Fkaminari.git%407a7ec5bb7e0c4b6a2e1c0b7d8a3e3c9b4c1f2a3d";
const KAMINARI_CORE: &str = "pkg:gem/kaminari-core@1.2.2?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fkaminari%2Fkaminari.git%407a7ec5bb7e0c4b6a2e1c0b7d8a3e3c9b4c1f2a3d";
const LEDGER: &str = "pkg:gem/ledger@2.1.0?repository_url=https:%2F%2Fgems.example.com%2F";

fn scan(dir: &str) -> Inventory {
    scan_with(&RubyPlugin, &fixtures_dir().join("ruby").join(dir))
}

fn purls(inv: &Inventory) -> Vec<&str> {
    inv.components.iter().map(|c| c.purl.as_str()).collect()
}

fn deps<'a>(inv: &'a Inventory, from: &str) -> Vec<&'a str> {
    inv.dependencies[from].iter().map(String::as_str).collect()
}

/// The diagnostics as (severity, code, line), sorted.
fn codes(inv: &Inventory) -> Vec<(Severity, &str, Option<u32>)> {
    let mut v: Vec<_> = inv.diagnostics.iter().map(|d| (d.severity, d.code.as_str(), d.location.line)).collect();
    v.sort();
    v
}

#[test]
fn git_path_several_gem_remotes_platforms_and_checksums() {
    let inv = scan("modern");
    assert_eq!(
        purls(&inv),
        vec![
            "pkg:gem/activesupport@7.1.3",
            "pkg:gem/concurrent-ruby@1.2.3",
            "pkg:gem/i18n@1.14.1",
            KAMINARI_CORE,
            KAMINARI,
            LEDGER,
            "pkg:gem/mini_portile2@2.8.5",
            "pkg:gem/nokogiri@1.16.0",
            "pkg:gem/racc@1.7.3",
            "pkg:gem/rails-html-sanitizer@1.6.0",
        ]
    );
    // PATH gems and the Gemfile's directory are first-party.
    let refs: Vec<&str> = inv.projects.iter().map(|p| p.bom_ref.as_str()).collect();
    assert_eq!(refs, vec!["pkg:gem/billing@0.1.0", "sovra:project:Gemfile"]);
    assert_eq!(inv.projects[0].component.source, Source::Path { path: "engines/billing".into() });
    let root = &inv.projects[1].component.properties;
    assert_eq!(root["sovra:ruby:bundled-with"], "2.6.2");
    assert_eq!(root["sovra:ruby:ruby-version"], "ruby 3.3.0p0");
    assert_eq!(root["sovra:ruby:platforms"], "arm64-darwin, java, ruby, x86_64-linux");

    // DEPENDENCIES (with `!` for non-rubygems sources) are the project's edges.
    assert_eq!(
        deps(&inv, "sovra:project:Gemfile"),
        vec![
            "pkg:gem/billing@0.1.0",
            KAMINARI,
            LEDGER,
            "pkg:gem/nokogiri@1.16.0",
            "pkg:gem/rails-html-sanitizer@1.6.0"
        ]
    );
    assert_eq!(deps(&inv, "pkg:gem/billing@0.1.0"), vec![LEDGER, "pkg:gem/nokogiri@1.16.0"]);
    // Edges of every platform build are folded onto the one component.
    assert_eq!(deps(&inv, "pkg:gem/nokogiri@1.16.0"), vec!["pkg:gem/mini_portile2@2.8.5", "pkg:gem/racc@1.7.3"]);
    assert_eq!(deps(&inv, KAMINARI), vec!["pkg:gem/activesupport@7.1.3", KAMINARI_CORE]);

    // One component per name@version; platform builds listed and hashed per file.
    let noko = inv.component("pkg:gem/nokogiri@1.16.0").unwrap();
    assert_eq!(noko.properties["sovra:ruby:platforms"], "arm64-darwin, java, ruby, x86_64-linux");
    for f in [
        "nokogiri-1.16.0.gem",
        "nokogiri-1.16.0-arm64-darwin.gem",
        "nokogiri-1.16.0-java.gem",
        "nokogiri-1.16.0-x86_64-linux.gem",
    ] {
        assert!(noko.hashes.iter().any(|h| h.file.as_deref() == Some(f)), "{f}");
    }
    assert_eq!(noko.hashes.len(), 4);
    assert!(noko.hashes.iter().all(|h| h.alg == HashAlg::Sha256));
    let plain = noko.hashes.iter().find(|h| h.file.as_deref() == Some("nokogiri-1.16.0.gem")).unwrap();
    assert_eq!(plain.value, "341388184e975d1b5dfb0ffd6cf8b6e2c4e1b6f5a0b8b9a9e8f1b8b7e6e5d4c3");
    assert_eq!(noko.filename.as_deref(), Some("nokogiri-1.16.0.gem"));
    assert_eq!(noko.download_url.as_deref(), Some("https://rubygems.org/gems/nokogiri-1.16.0.gem"));
    assert_eq!(inv.component("pkg:gem/racc@1.7.3").unwrap().properties["sovra:ruby:platforms"], "java, ruby");
    assert!(!inv.component("pkg:gem/i18n@1.14.1").unwrap().properties.contains_key("sovra:ruby:platforms"));

    // GIT: Source::Git with commit and branch, glob and submodules kept.
    let k = inv.component(KAMINARI).unwrap();
    assert_eq!(
        k.source,
        Source::Git {
            url: "https://github.com/kaminari/kaminari.git".into(),
            commit: Some("7a7ec5bb7e0c4b6a2e1c0b7d8a3e3c9b4c1f2a3d".into()),
            reference: Some("master".into()),
        }
    );
    assert_eq!(k.properties["sovra:ruby:glob"], "{,*/}*.gemspec");
    assert_eq!(k.properties["sovra:ruby:submodules"], "true");
    assert!(k.hashes.is_empty());
    // A second GEM remote: repository_url qualifier and registry URL.
    let ledger = inv.component(LEDGER).unwrap();
    assert_eq!(ledger.source, Source::Registry { url: Some("https://gems.example.com/".into()) });
    assert_eq!(ledger.download_url.as_deref(), Some("https://gems.example.com/gems/ledger-2.1.0.gem"));
    assert_eq!(ledger.locations[0].to_string(), "Gemfile.lock:23");
    assert!(inv.components.iter().all(|c| c.scope == Some(Scope::Required)));

    // loofah is named but not locked; wdm is a Windows-only gem; bundler's checksum is expected.
    assert_eq!(
        codes(&inv),
        vec![
            (Severity::Warning, "ruby::unresolved-dependency", Some(46)),
            (Severity::Info, "ruby::not-locked", Some(62))
        ]
    );
    assert_eq!(inv.completeness["Gemfile.lock"], Completeness::Complete);
}

#[test]
fn bundler_1_with_several_remotes_in_one_section() {
    let inv = scan("bundler1");
    assert_eq!(
        purls(&inv),
        vec![
            "pkg:gem/json@1.8.6",
            "pkg:gem/rack-protection@1.5.5",
            "pkg:gem/rack@1.6.13",
            "pkg:gem/sinatra@1.4.8",
            "pkg:gem/tilt@2.0.10"
        ]
    );
    let sinatra = inv.component("pkg:gem/sinatra@1.4.8").unwrap();
    assert_eq!(sinatra.properties["sovra:ruby:remotes"], "https://rubygems.org/, https://gems.internal.example/");
    // Which remote served it is not recorded: no download URL is guessed.
    assert_eq!((sinatra.filename.as_deref(), sinatra.download_url.as_deref()), (Some("sinatra-1.4.8.gem"), None));
    assert!(sinatra.hashes.is_empty());
    assert_eq!(
        deps(&inv, "pkg:gem/sinatra@1.4.8"),
        vec!["pkg:gem/rack-protection@1.5.5", "pkg:gem/rack@1.6.13", "pkg:gem/tilt@2.0.10"]
    );
    // No Gemfile beside it: the lockfile names the project.
    assert_eq!(deps(&inv, "sovra:project:Gemfile.lock"), vec!["pkg:gem/json@1.8.6", "pkg:gem/sinatra@1.4.8"]);
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
}

#[test]
fn bad_inputs_become_named_diagnostics() {
    let one = |dir: &str| {
        let inv = scan(dir);
        assert!(inv.components.is_empty() && inv.projects.is_empty(), "{dir}");
        codes(&inv).into_iter().map(|(s, c, l)| (s, c.to_string(), l)).collect::<Vec<_>>()
    };
    assert_eq!(one("bad/empty"), vec![(Severity::Error, "ruby::empty".to_string(), None)]);
    assert_eq!(one("bad/binary"), vec![(Severity::Error, "ruby::binary".to_string(), None)]);
    assert_eq!(
        one("bad/garbage"),
        vec![
            (Severity::Error, "ruby::not-a-lockfile".to_string(), None),
            (Severity::Warning, "ruby::unknown-section".to_string(), Some(1)),
            (Severity::Warning, "ruby::unknown-section".to_string(), Some(4)),
        ]
    );

    // A truncated lockfile keeps the specs read before the cut and says what is missing.
    let inv = scan("bad/truncated");
    assert_eq!(inv.components.len(), 6);
    assert_eq!(
        codes(&inv),
        vec![
            (Severity::Warning, "ruby::no-dependencies", None),
            (Severity::Warning, "ruby::syntax", Some(34)),
            (Severity::Warning, "ruby::unresolved-dependency", Some(16)),
        ]
    );
    assert_eq!(inv.completeness["Gemfile.lock"], Completeness::Incomplete);
}

#[test]
fn pure_entry_point() {
    let p = sovra_ruby::parse_lockfile(
        "GEM\n  remote: https://rubygems.org/\n  specs:\n    a (1.0)\n      b\n    b (2.0-java)\n\nDEPENDENCIES\n  a\n",
        "sub/Gemfile.lock",
        Some("sub/Gemfile"),
    );
    let purls: Vec<&str> = p.components.iter().map(|c| c.purl.as_str()).collect();
    assert_eq!(purls, vec!["pkg:gem/a@1.0", "pkg:gem/b@2.0"]);
    // b exists only as a java build: it names no pure-Ruby file.
    assert_eq!(p.components[1].filename, None);
    assert_eq!(p.components[1].properties["sovra:ruby:platforms"], "java");
    assert_eq!(
        p.edges,
        vec![
            ("pkg:gem/a@1.0".to_string(), "pkg:gem/b@2.0".to_string()),
            ("sovra:project:sub/Gemfile".to_string(), "pkg:gem/a@1.0".to_string()),
        ]
    );
    assert_eq!(p.projects[0].component.name, "sub");
}
