//! Crates vendored by `cargo vendor` or unpacked in Cargo's registry cache,
//! read for their licences.
//!
//! `cargo vendor` writes each crate to `vendor/<name>` (`vendor/<name>-<version>`
//! when several versions are needed); a project points Cargo at it from
//! `.cargo/config.toml` (`[source.<name>] directory = "..."`), which is read
//! for other folder names. Cargo unpacks downloaded crates to
//! `$CARGO_HOME/registry/src/<registry>-<hash>/<name>-<version>/`
//! (`--package-cache`). Either way the crate's normalised `Cargo.toml` gives
//! `package.license` (an SPDX expression, `/` for `OR` in old crates) or
//! `package.license-file`, and its licence files lie beside it.

use sovra_core::installed::{CacheHome, Installed, InstalledPackage, MAX_PACKAGES, PackageCache, declared};
use sovra_core::plugin::{SourceTree, join_rel, line_of, read_text};
use sovra_core::{Component, Diagnostic, Ecosystem, Location};

use crate::ID;

/// Every crate in the vendor folders of each directory in `dirs`.
pub fn installed(tree: &dyn SourceTree, dirs: &[String]) -> Installed {
    let mut out = Installed::default();
    let mut vendors: Vec<String> = Vec::new();
    for d in dirs {
        vendors.extend(vendor_dirs(tree, d));
    }
    vendors.sort();
    vendors.dedup();
    for vendor in vendors {
        for e in tree.list_dir(&vendor).into_iter().filter(|e| e.is_dir) {
            if out.packages.len() >= MAX_PACKAGES {
                return out;
            }
            read_crate(tree, &format!("{vendor}/{}", e.name), &mut out);
        }
    }
    out
}

/// `vendor` in `dir`, and the `directory` of each replacement source in
/// the `.cargo/config.toml` (or legacy `.cargo/config`) of `dir`.
fn vendor_dirs(tree: &dyn SourceTree, dir: &str) -> Vec<String> {
    let mut out: Vec<String> = join_rel(dir, "vendor").into_iter().collect();
    for name in [".cargo/config.toml", ".cargo/config"] {
        let Some(path) = join_rel(dir, name).filter(|p| tree.exists(p)) else { continue };
        let Ok(text) = read_text(tree, &path, ID) else { continue };
        let Ok(doc) = text.parse::<toml::Table>() else { continue };
        let sources = doc.get("source").and_then(|s| s.as_table()).into_iter().flat_map(|t| t.values());
        for s in sources.filter_map(|s| s.get("directory")?.as_str()) {
            // Relative to the directory holding `.cargo/`, as Cargo reads it.
            out.extend(join_rel(dir, s).filter(|p| !p.is_empty()));
        }
    }
    out
}

/// The crate whose `Cargo.toml` is in `dir`.
fn read_crate(tree: &dyn SourceTree, dir: &str, out: &mut Installed) {
    let manifest = format!("{dir}/Cargo.toml");
    if !tree.exists(&manifest) {
        return;
    }
    let text = match read_text(tree, &manifest, ID) {
        Ok(t) => t,
        Err(d) => return out.diagnostics.push(d),
    };
    let doc = match text.parse::<toml::Table>() {
        Ok(d) => d,
        Err(e) => {
            let line = e.span().map(|s| line_of(&text, s.start));
            return out.diagnostics.push(Diagnostic::warning(
                "cargo::installed-manifest",
                Location::new(manifest, line),
                format!("vendored Cargo.toml is not valid TOML: {}", e.message()),
            ));
        }
    };
    let Some(pkg) = doc.get("package").and_then(|p| p.as_table()) else { return };
    let field = |k: &str| pkg.get(k).and_then(|v| v.as_str()).map(str::trim).filter(|s| !s.is_empty());
    let (Some(name), Some(version)) = (field("name"), field("version")) else { return };
    let line_of_key = |key: &str| {
        text.lines()
            .position(|l| l.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('=')))
            .map(|i| i as u32 + 1)
    };
    let mut p = InstalledPackage {
        purl: Component::new(Ecosystem::Cargo, None, name, version).purl,
        dir: dir.to_string(),
        ..InstalledPackage::default()
    };
    if let Some(l) = field("license") {
        p.declared.push(declared(l, &manifest, line_of_key("license")));
    }
    if let Some(f) = field("license-file").and_then(|f| join_rel(dir, f)).filter(|f| f.starts_with(dir)) {
        p.license_files.push(f);
    }
    p.add_license_files(tree);
    out.packages.push(p);
}

/// `$CARGO_HOME/registry/src` (default `~/.cargo/registry/src`).
pub fn package_caches(home: &CacheHome) -> Vec<PackageCache> {
    vec![home.cache(Some("CARGO_HOME"), ".cargo", "registry/src")]
}

/// The wanted crates unpacked in a registry source cache: one folder per
/// registry, `<name>-<version>` in each.
pub fn cached(cache: &dyn SourceTree, wanted: &[&Component]) -> Installed {
    let mut out = Installed::default();
    let registries = cache.list_dir("");
    for c in wanted.iter().filter(|c| c.ecosystem == Some(Ecosystem::Cargo) && !c.version.is_empty()) {
        for r in registries.iter().filter(|r| r.is_dir) {
            let dir = format!("{}/{}-{}", r.name, c.name, c.version);
            if cache.exists(&format!("{dir}/Cargo.toml")) {
                read_crate(cache, &dir, &mut out);
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sovra_core::plugin::MemoryTree;

    fn summary(found: &Installed) -> Vec<(String, Vec<String>, Vec<String>)> {
        found
            .packages
            .iter()
            .map(|p| (p.purl.clone(), p.declared.iter().map(|d| d.raw.clone()).collect(), p.license_files.clone()))
            .collect()
    }

    #[test]
    fn vendor_folders_from_default_and_config() {
        let tree = MemoryTree::new([
            ("Cargo.toml", "[package]\nname='app'\nversion='0.1.0'"),
            (
                "vendor/serde/Cargo.toml",
                "[package]\nedition = \"2021\"\nname = \"serde\"\nversion = \"1.0.200\"\nlicense = \"MIT OR Apache-2.0\"\n",
            ),
            ("vendor/serde/LICENSE-MIT", "MIT"),
            ("vendor/serde/LICENSE-APACHE", "Apache"),
            (
                "vendor/odd-0.1.0/Cargo.toml",
                "[package]\nname = \"odd\"\nversion = \"0.1.0\"\nlicense-file = \"COPYRIGHT.txt\"\n",
            ),
            ("vendor/odd-0.1.0/COPYRIGHT.txt", "custom"),
            ("vendor/broken/Cargo.toml", "[package\nname="),
            ("vendor/noversion/Cargo.toml", "[package]\nname = \"x\"\n"),
            (
                ".cargo/config.toml",
                "[source.crates-io]\nreplace-with = \"v\"\n[source.v]\ndirectory = \"third_party/crates\"\n",
            ),
            (
                "third_party/crates/libc/Cargo.toml",
                "[package]\nname = \"libc\"\nversion = \"0.2.150\"\nlicense = \"MIT/Apache-2.0\"\n",
            ),
        ]);
        let found = installed(&tree, &[String::new()]);
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            summary(&found),
            vec![
                ("pkg:cargo/libc@0.2.150".into(), s(&["MIT/Apache-2.0"]), s(&[])),
                ("pkg:cargo/odd@0.1.0".into(), s(&[]), s(&["vendor/odd-0.1.0/COPYRIGHT.txt"])),
                (
                    "pkg:cargo/serde@1.0.200".into(),
                    s(&["MIT OR Apache-2.0"]),
                    s(&["vendor/serde/LICENSE-APACHE", "vendor/serde/LICENSE-MIT"])
                ),
            ]
        );
        assert_eq!(found.packages[2].declared[0].source, Some(Location::new("vendor/serde/Cargo.toml", Some(5))));
        assert_eq!(found.diagnostics.len(), 1);
        assert_eq!(
            (found.diagnostics[0].code.as_str(), found.diagnostics[0].location.line),
            ("cargo::installed-manifest", Some(1))
        );
    }

    #[test]
    fn registry_cache_lookup() {
        let cache = MemoryTree::new([
            (
                "index.crates.io-6f17d22bba15001f/itoa-1.0.11/Cargo.toml",
                "[package]\nname = \"itoa\"\nversion = \"1.0.11\"\nlicense = \"MIT OR Apache-2.0\"\n",
            ),
            ("index.crates.io-6f17d22bba15001f/itoa-1.0.11/LICENSE-MIT", "MIT"),
            (
                "index.crates.io-6f17d22bba15001f/other-1.0.0/Cargo.toml",
                "[package]\nname = \"other\"\nversion = \"1.0.0\"\n",
            ),
        ]);
        let itoa = Component::new(Ecosystem::Cargo, None, "itoa", "1.0.11");
        let missing = Component::new(Ecosystem::Cargo, None, "itoa", "9.9.9");
        let npm = Component::new(Ecosystem::Npm, None, "other", "1.0.0");
        let found = cached(&cache, &[&itoa, &missing, &npm]);
        assert_eq!(
            summary(&found),
            vec![(
                "pkg:cargo/itoa@1.0.11".to_string(),
                vec!["MIT OR Apache-2.0".to_string()],
                vec!["index.crates.io-6f17d22bba15001f/itoa-1.0.11/LICENSE-MIT".to_string()],
            )]
        );
    }
}
