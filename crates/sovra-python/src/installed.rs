//! Distributions installed in a virtual environment, read for their licences.
//!
//! A virtualenv (`.venv`, `venv` beside the project's manifests) keeps its
//! packages in `lib/python3.X/site-packages` (`Lib/site-packages` on
//! Windows); PDM's PEP 582 layout in `__pypackages__/3.X/lib`. Each
//! installed distribution has a `<name>-<version>.dist-info` folder (older
//! setuptools installs: `.egg-info`) whose `METADATA` (`PKG-INFO`) holds the
//! core metadata as e-mail style headers:
//!
//! * `License-Expression` (metadata 2.4, PEP 639): an SPDX expression; when
//!   present it is the declaration and the older fields are ignored, as the
//!   PEP asks;
//! * `License` (older versions): free text, often a name, sometimes the whole
//!   licence text (then it is no declaration and is left to the licence files);
//! * `Classifier: License :: ...` trove classifiers;
//! * `License-File`: paths of the licence files, which PEP 639 places under
//!   the `licenses/` folder of the dist-info and older tools at its top.

use sovra_core::installed::{Installed, InstalledPackage, MAX_PACKAGES, declared};
use sovra_core::plugin::{SourceTree, join_rel, read_text};

use crate::common::{ID, component, valid_name};

/// Virtual environment folder names looked for beside the manifests.
const ENVS: &[&str] = &[".venv", "venv"];
/// A `License` value longer than this, or spanning lines, is a licence text.
const MAX_LICENSE_NAME: usize = 120;

/// Every distribution installed in the environments beside each directory in `dirs`.
pub fn installed(tree: &dyn SourceTree, dirs: &[String]) -> Installed {
    let mut out = Installed::default();
    for d in dirs {
        for site in site_packages(tree, d) {
            for e in tree.list_dir(&site) {
                if out.packages.len() >= MAX_PACKAGES {
                    return out;
                }
                let meta = match e.name.rsplit_once('.') {
                    Some((_, "dist-info")) if e.is_dir => "METADATA",
                    Some((_, "egg-info")) if e.is_dir => "PKG-INFO",
                    _ => continue,
                };
                let dist = format!("{site}/{}", e.name);
                let path = format!("{dist}/{meta}");
                if !tree.exists(&path) {
                    continue;
                }
                match read_text(tree, &path, ID) {
                    Ok(text) => out.packages.extend(package(tree, &dist, &path, &text)),
                    Err(d) => out.diagnostics.push(d),
                }
            }
        }
    }
    out
}

/// The site-packages folders of the environments in `dir`.
fn site_packages(tree: &dyn SourceTree, dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    let join = |a: &str, b: &str| join_rel(a, b).unwrap_or_default();
    for env in ENVS {
        let env = join(dir, env);
        for lib in ["lib", "Lib"] {
            let lib = join(&env, lib);
            for e in tree.list_dir(&lib).into_iter().filter(|e| e.is_dir) {
                if e.name == "site-packages" {
                    out.push(join(&lib, "site-packages"));
                } else if e.name.starts_with("python") || e.name.starts_with("pypy") {
                    out.push(join(&join(&lib, &e.name), "site-packages"));
                }
            }
        }
    }
    let pep582 = join(dir, "__pypackages__");
    out.extend(tree.list_dir(&pep582).into_iter().filter(|e| e.is_dir).map(|e| format!("{pep582}/{}/lib", e.name)));
    out
}

/// One header of the metadata: name, value (continuation lines joined by
/// newlines), 1-based line.
type Header<'a> = (&'a str, String, u32);

/// The headers of a core metadata file, up to the blank line before the body.
pub fn headers(text: &str) -> Vec<Header<'_>> {
    let mut out: Vec<Header> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                // Metadata 1.x indents continuations with spaces and a `|`.
                let cont = line.trim_start();
                last.1.push('\n');
                last.1.push_str(cont.strip_prefix('|').unwrap_or(cont));
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim(), v.trim().to_string(), i as u32 + 1));
        }
    }
    out
}

/// The licence facts of one dist-info (or egg-info) folder.
pub fn package(tree: &dyn SourceTree, dist: &str, path: &str, text: &str) -> Option<InstalledPackage> {
    let h = headers(text);
    let get = |name: &'static str| h.iter().filter(move |(k, _, _)| k.eq_ignore_ascii_case(name));
    let name = get("Name").map(|(_, v, _)| v.trim()).find(|v| valid_name(v))?;
    let version = get("Version").map(|(_, v, _)| v.trim()).find(|v| !v.is_empty())?;
    let mut p = InstalledPackage {
        purl: component(name, version, path, None).purl,
        dir: dist.to_string(),
        ..InstalledPackage::default()
    };
    if let Some((_, v, line)) = get("License-Expression").find(|(_, v, _)| !v.is_empty()) {
        p.declared.push(declared(v, path, Some(*line)));
    } else {
        let usable = |v: &str| {
            let v = v.trim();
            !v.is_empty() && !v.contains('\n') && v.len() <= MAX_LICENSE_NAME && !v.eq_ignore_ascii_case("UNKNOWN")
        };
        if let Some((_, v, line)) = get("License").find(|(_, v, _)| usable(v)) {
            p.declared.push(declared(v, path, Some(*line)));
        }
        // Each classifier is a statement of its own: several of them may
        // mean a choice or a combination, which trove cannot say.
        for (_, v, line) in
            get("Classifier").filter(|(_, v, _)| v.starts_with("License ::") && v.trim() != "License :: OSI Approved")
        {
            p.declared.push(declared(v, path, Some(*line)));
        }
    }
    for (_, v, _) in get("License-File") {
        let Some(file) = [format!("licenses/{v}"), v.clone()]
            .iter()
            .filter_map(|rel| join_rel(dist, rel).filter(|p| p.starts_with(dist)))
            .find(|p| tree.exists(p))
        else {
            continue;
        };
        if !p.license_files.contains(&file) {
            p.license_files.push(file);
        }
    }
    p.add_license_files(tree);
    Some(p)
}

#[cfg(test)]
mod tests {
    /// A package as the tests compare it: purl, declared licences with their line, licence files.
    type Row<'a> = (&'a str, Vec<(&'a str, Option<u32>)>, Vec<&'a str>);

    use super::*;
    use sovra_core::plugin::MemoryTree;

    const SP: &str = ".venv/lib/python3.12/site-packages";

    fn tree() -> MemoryTree {
        MemoryTree::new([
            (format!("{SP}/attrs-24.2.0.dist-info/METADATA"), "Metadata-Version: 2.4\nName: attrs\nVersion: 24.2.0\nLicense-Expression: MIT\nLicense: BSD\nLicense-File: LICENSE\n\nbody\nLicense: GPL\n".to_string()),
            (format!("{SP}/attrs-24.2.0.dist-info/licenses/LICENSE"), "MIT".into()),
            (format!("{SP}/Old_Pkg-1.0.dist-info/METADATA"), "Metadata-Version: 2.1\nName: Old_Pkg\nVersion: 1.0\nLicense: Apache 2.0\nClassifier: License :: OSI Approved\nClassifier: License :: OSI Approved :: Apache Software License\nLicense-File: LICENSE.txt\n".into()),
            (format!("{SP}/Old_Pkg-1.0.dist-info/LICENSE.txt"), "Apache".into()),
            (format!("{SP}/classy-2.0.dist-info/METADATA"), "Metadata-Version: 2.1\nName: classy\nVersion: 2.0\nLicense: UNKNOWN\nClassifier: Programming Language :: Python\nClassifier: License :: OSI Approved :: MIT License\nClassifier: License :: OSI Approved :: BSD License\n".into()),
            (format!("{SP}/texty-1.0.dist-info/METADATA"), "Metadata-Version: 1.2\nName: texty\nVersion: 1.0\nLicense: Copyright (c) X\n        |\n        |Permission is hereby granted\n".into()),
            (format!("{SP}/nameless.dist-info/METADATA"), "Metadata-Version: 2.1\nVersion: 1\n".into()),
            (format!("{SP}/empty-1.dist-info/METADATA"), "".into()),
            (format!("{SP}/egg-3.0-py3.12.egg-info/PKG-INFO"), "Metadata-Version: 1.1\nName: egg\nVersion: 3.0\nLicense: ZPL 2.1\n".into()),
            ("__pypackages__/3.12/lib/pdm_pkg-1.0.dist-info/METADATA".into(), "Name: pdm-pkg\nVersion: 1.0\nLicense-Expression: ISC\n".into()),
            ("app/venv/Lib/site-packages/win-1.0.dist-info/METADATA".into(), "Name: win\nVersion: 1.0\n".into()),
        ])
    }

    #[test]
    fn pep639_legacy_classifiers_and_layouts() {
        let found = installed(&tree(), &[String::new(), "app".into()]);
        let got: Vec<Row> = found
            .packages
            .iter()
            .map(|p| {
                let d = p.declared.iter().map(|d| (d.raw.as_str(), d.source.as_ref().and_then(|s| s.line))).collect();
                (p.purl.as_str(), d, p.license_files.iter().map(|f| f.rsplit('/').next().unwrap_or(f)).collect())
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "pkg:pypi/old-pkg@1.0",
                    vec![("Apache 2.0", Some(4)), ("License :: OSI Approved :: Apache Software License", Some(6))],
                    vec!["LICENSE.txt"]
                ),
                ("pkg:pypi/attrs@24.2.0", vec![("MIT", Some(4))], vec!["LICENSE"]),
                (
                    "pkg:pypi/classy@2.0",
                    vec![
                        ("License :: OSI Approved :: MIT License", Some(6)),
                        ("License :: OSI Approved :: BSD License", Some(7))
                    ],
                    vec![]
                ),
                ("pkg:pypi/egg@3.0", vec![("ZPL 2.1", Some(4))], vec![]),
                ("pkg:pypi/texty@1.0", vec![], vec![]),
                ("pkg:pypi/pdm-pkg@1.0", vec![("ISC", Some(3))], vec![]),
                ("pkg:pypi/win@1.0", vec![], vec![]),
            ]
        );
        assert_eq!(found.diagnostics.len(), 1);
        assert_eq!(found.diagnostics[0].code, "python::empty");
    }

    #[test]
    fn continuation_lines_are_joined() {
        let h = headers("License: a\n        |b\n       c\nName: x\n\nName: body");
        assert_eq!(h, vec![("License", "a\nb\nc".to_string(), 1), ("Name", "x".to_string(), 4)]);
    }
}
