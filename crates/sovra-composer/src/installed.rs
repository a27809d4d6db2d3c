//! Packages installed in a Composer `vendor/` folder, read for their licences.
//!
//! Composer records what it installed in `vendor/composer/installed.json`:
//! Composer 1 writes an array of package entries, Composer 2 an object whose
//! `packages` holds them. An entry has the fields of a composer.lock entry
//! (`name`, `version`, `license`) and, since Composer 2, the `install-path`
//! relative to `vendor/composer/`; Composer 1 installs to `vendor/<name>`.
//! The vendor folder is `config.vendor-dir` of composer.json, else `vendor`.

use serde_json::Value;
use sovra_core::installed::{Installed, InstalledPackage, MAX_PACKAGES, declared, license_files};
use sovra_core::json_pos::{find_member, json_string};
use sovra_core::plugin::{SourceTree, join_rel, line_of, read_text};
use sovra_core::{Diagnostic, Location};

use crate::metadata::{new_component, str_field};

const ID: &str = "composer";

/// Every package listed in the installed.json of the vendor folder of each
/// directory in `dirs`.
pub fn installed(tree: &dyn SourceTree, dirs: &[String]) -> Installed {
    let mut out = Installed::default();
    for d in dirs {
        let vendor = join_rel(d, &vendor_dir(tree, d)).unwrap_or_default();
        let listing = format!("{vendor}/composer/installed.json");
        if tree.exists(&listing) {
            read_installed(tree, &vendor, &listing, &mut out);
        }
    }
    out
}

/// `config.vendor-dir` of the composer.json in `dir`, or `vendor`.
fn vendor_dir(tree: &dyn SourceTree, dir: &str) -> String {
    let manifest = join_rel(dir, "composer.json").unwrap_or_default();
    let Ok(text) = read_text(tree, &manifest, ID) else { return "vendor".into() };
    let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    value
        .pointer("/config/vendor-dir")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.starts_with('/') && !s.contains('$'))
        .unwrap_or("vendor")
        .to_string()
}

fn read_installed(tree: &dyn SourceTree, vendor: &str, listing: &str, out: &mut Installed) {
    let text = match read_text(tree, listing, ID) {
        Ok(t) => t,
        Err(d) => return out.diagnostics.push(d),
    };
    let broken = |msg: String| Diagnostic::warning("composer::installed-json", Location::new(listing, None), msg);
    let value: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return out.diagnostics.push(broken(format!("not valid JSON: {e}"))),
    };
    let entries = match &value {
        Value::Array(a) => a,
        Value::Object(o) => match o.get("packages") {
            Some(Value::Array(a)) => a,
            _ => return out.diagnostics.push(broken("`packages` is not an array".into())),
        },
        _ => return out.diagnostics.push(broken("neither an array nor an object with `packages`".into())),
    };
    let mut from = 0;
    for entry in entries.iter().filter_map(Value::as_object) {
        if out.packages.len() >= MAX_PACKAGES {
            break;
        }
        let (Some(name), Some(version)) = (str_field(entry, "name"), str_field(entry, "version")) else {
            continue;
        };
        let line = find_member(&text, from, "name", &json_string(name)).map(|at| {
            from = at;
            line_of(&text, at)
        });
        let dir = match str_field(entry, "install-path") {
            Some(p) => join_rel(&format!("{vendor}/composer"), p),
            None => join_rel(vendor, name),
        };
        // An install path leaving the tree (an absolute path repository) is not read.
        let Some(dir) = dir.filter(|d| d.starts_with(vendor)) else { continue };
        let licenses: Vec<&str> = match entry.get("license") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        out.packages.push(InstalledPackage {
            purl: new_component(name, version).purl,
            declared: sovra_core::DeclaredLicense::any_of(&licenses)
                .map(|d| declared(&d.raw, listing, line))
                .into_iter()
                .collect(),
            license_files: license_files(tree, &dir),
            dir,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sovra_core::plugin::MemoryTree;

    #[test]
    fn composer_2_with_install_paths_and_composer_1_array() {
        let tree = MemoryTree::new([
            ("composer.json", r#"{"require":{}}"#),
            (
                "vendor/composer/installed.json",
                r#"{"packages":[
  {"name":"psr/log","version":"3.0.0","license":["MIT"],"install-path":"../psr/log"},
  {"name":"a/b","version":"v1.0.0","license":["GPL-2.0-or-later","MIT"],"install-path":"../a/b"},
  {"name":"evil/x","version":"1","install-path":"../../../etc"},
  {"name":"no-version"}
], "dev": true}"#,
            ),
            ("vendor/psr/log/LICENSE", "MIT"),
            ("app/composer.json", r#"{"config":{"vendor-dir":"lib/deps"}}"#),
            (
                "app/lib/deps/composer/installed.json",
                r#"[{"name":"Old/Pkg","version":"1.2.3","license":"BSD-3-Clause"}]"#,
            ),
            ("app/lib/deps/old/pkg/COPYING", "BSD"),
            ("app/lib/deps/Old/Pkg/COPYING", "BSD"),
        ]);
        let found = installed(&tree, &[String::new(), "app".into()]);
        assert!(found.diagnostics.is_empty(), "{:?}", found.diagnostics);
        let got: Vec<(&str, &str, Vec<&str>, Vec<&str>)> = found
            .packages
            .iter()
            .map(|p| {
                (
                    p.purl.as_str(),
                    p.dir.as_str(),
                    p.declared.iter().map(|d| d.raw.as_str()).collect(),
                    p.license_files.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("pkg:composer/psr/log@3.0.0", "vendor/psr/log", vec!["MIT"], vec!["vendor/psr/log/LICENSE"]),
                ("pkg:composer/a/b@v1.0.0", "vendor/a/b", vec!["GPL-2.0-or-later OR MIT"], vec![]),
                (
                    "pkg:composer/old/pkg@1.2.3",
                    "app/lib/deps/Old/Pkg",
                    vec!["BSD-3-Clause"],
                    vec!["app/lib/deps/Old/Pkg/COPYING"]
                ),
            ]
        );
        let src = found.packages[1].declared[0].source.clone().unwrap();
        assert_eq!((src.file.as_str(), src.line), ("vendor/composer/installed.json", Some(3)));
    }

    #[test]
    fn broken_listings_are_reported() {
        for (text, code) in [
            ("{", "composer::installed-json"),
            ("{\"packages\":{}}", "composer::installed-json"),
            ("7", "composer::installed-json"),
            ("", "composer::empty"),
        ] {
            let tree = MemoryTree::new([("vendor/composer/installed.json", text)]);
            let found = installed(&tree, &[String::new()]);
            assert!(found.packages.is_empty());
            assert_eq!(found.diagnostics.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(), [code], "{text}");
        }
    }
}
