//! Licences from the NuGet global packages folder (`--package-cache`).
//!
//! NuGet extracts every package it restores to
//! `$NUGET_PACKAGES` (default `~/.nuget/packages`) as
//! `<id, lower case>/<normalised version, lower case>/`, with the package's
//! `<id, lower case>.nuspec` inside. The nuspec's `<license
//! type="expression">` is an SPDX expression; `<license type="file">` names
//! the licence file inside the package; the deprecated `<licenseUrl>` is the
//! declaration of older packages (and a placeholder link in newer ones).

use sovra_core::installed::{CacheHome, Installed, InstalledPackage, PackageCache, declared};
use sovra_core::plugin::{SourceTree, join_rel, read_text};
use sovra_core::{Component, Ecosystem};

const ID: &str = "nuget";
/// What `dotnet pack` writes as `licenseUrl` when `<license>` is used.
const PLACEHOLDER_URL: &str = "https://aka.ms/deprecateLicenseUrl";

/// `$NUGET_PACKAGES`, default `~/.nuget/packages`.
pub fn package_caches(home: &CacheHome) -> Vec<PackageCache> {
    vec![home.cache(Some("NUGET_PACKAGES"), ".nuget/packages", "")]
}

/// NuGet's normalised version: at least three parts, no leading zeros
/// per part, no build metadata (`1.0` -> `1.0.0`, `1.0.0.0` -> `1.0.0`).
fn normalised_version(v: &str) -> String {
    let v = v.split('+').next().unwrap_or(v).to_ascii_lowercase();
    let (core, pre) = match v.split_once('-') {
        Some((c, p)) => (c.to_string(), Some(p.to_string())),
        None => (v.clone(), None),
    };
    let mut parts: Vec<String> = core
        .split('.')
        .map(|p| p.trim_start_matches('0'))
        .map(|p| if p.is_empty() { "0".into() } else { p.to_string() })
        .collect();
    while parts.len() < 3 {
        parts.push("0".into());
    }
    if parts.len() == 4 && parts[3] == "0" {
        parts.pop();
    }
    let core = parts.join(".");
    match pre {
        Some(p) => format!("{core}-{p}"),
        None => core,
    }
}

/// The wanted NuGet components found in the global packages folder.
pub fn cached(cache: &dyn SourceTree, wanted: &[&Component]) -> Installed {
    let mut out = Installed::default();
    for c in wanted.iter().filter(|c| c.ecosystem == Some(Ecosystem::Nuget) && !c.version.is_empty()) {
        let id = c.name.to_ascii_lowercase();
        if id.is_empty() || id.contains(['/', '\\']) || id == ".." {
            continue;
        }
        let mut versions = vec![c.version.to_ascii_lowercase(), normalised_version(&c.version)];
        versions.dedup();
        let Some(dir) = versions
            .iter()
            .filter_map(|v| join_rel(&id, v))
            .find(|d| d.starts_with(&id) && d.len() > id.len() && cache.exists(&format!("{d}/{id}.nuspec")))
        else {
            continue;
        };
        let nuspec = format!("{dir}/{id}.nuspec");
        let root = match read_text(cache, &nuspec, ID).and_then(|t| sovra_core::xml::parse(&t, &nuspec, ID)) {
            Ok((root, _)) => root,
            Err(d) => {
                out.diagnostics.push(d);
                continue;
            }
        };
        let mut p = InstalledPackage { purl: c.purl.clone(), dir: dir.clone(), ..InstalledPackage::default() };
        if let Some(l) = root.at("metadata/license") {
            let value = l.text.trim();
            match l.attr("type") {
                Some("expression") if !value.is_empty() => p.declared.push(declared(value, &nuspec, Some(l.line))),
                Some("file") => {
                    p.license_files.extend(join_rel(&dir, value).filter(|f| f.starts_with(&dir) && cache.exists(f)))
                }
                _ => {}
            }
        }
        if p.declared.is_empty()
            && let Some(u) =
                root.at("metadata/licenseUrl").filter(|u| !u.text.trim().is_empty() && u.text.trim() != PLACEHOLDER_URL)
        {
            p.declared.push(declared(&u.text, &nuspec, Some(u.line)));
        }
        p.add_license_files(cache);
        out.packages.push(p);
    }
    out
}

#[cfg(test)]
mod tests {
    /// A package as the tests compare it: purl, declared licences with their line, licence files.
    type Row<'a> = (&'a str, Vec<(&'a str, Option<u32>)>, Vec<&'a str>);

    use super::*;
    use sovra_core::plugin::MemoryTree;

    #[test]
    fn versions_normalise_like_nuget() {
        for (raw, want) in [
            ("1.0", "1.0.0"),
            ("1.0.0.0", "1.0.0"),
            ("01.2.3", "1.2.3"),
            ("1.2.3.4", "1.2.3.4"),
            ("2.0.0-Beta+abc", "2.0.0-beta"),
        ] {
            assert_eq!(normalised_version(raw), want, "{raw}");
        }
    }

    #[test]
    fn expression_file_and_url_licences() {
        let ns = "xmlns=\"http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd\"";
        let cache = MemoryTree::new([
            (
                "newtonsoft.json/13.0.3/newtonsoft.json.nuspec".to_string(),
                format!(
                    "<package {ns}>\n<metadata>\n<id>Newtonsoft.Json</id>\n<license type=\"expression\">MIT</license>\n<licenseUrl>https://aka.ms/deprecateLicenseUrl</licenseUrl></metadata></package>"
                ),
            ),
            ("newtonsoft.json/13.0.3/LICENSE.md".into(), "MIT".into()),
            (
                "filed/1.0.0/filed.nuspec".into(),
                format!("<package {ns}><metadata><license type=\"file\">docs/EULA.txt</license></metadata></package>"),
            ),
            ("filed/1.0.0/docs/EULA.txt".into(), "eula".into()),
            (
                "old/2.1.0/old.nuspec".into(),
                format!(
                    "<package {ns}><metadata>\n<licenseUrl>http://www.apache.org/licenses/LICENSE-2.0</licenseUrl></metadata></package>"
                ),
            ),
            ("bad/1.0.0/bad.nuspec".into(), "<package><metadata>".into()),
        ]);
        let comps = [
            Component::new(Ecosystem::Nuget, None, "Newtonsoft.Json", "13.0.3"),
            Component::new(Ecosystem::Nuget, None, "Filed", "1.0"),
            Component::new(Ecosystem::Nuget, None, "Old", "2.1.0"),
            Component::new(Ecosystem::Nuget, None, "Bad", "1.0.0"),
            Component::new(Ecosystem::Nuget, None, "Absent", "1.0.0"),
            Component::new(Ecosystem::Nuget, None, "..", "1.0.0"),
        ];
        let refs: Vec<&Component> = comps.iter().collect();
        let found = cached(&cache, &refs);
        let got: Vec<Row> = found
            .packages
            .iter()
            .map(|p| {
                let d = p.declared.iter().map(|d| (d.raw.as_str(), d.source.as_ref().and_then(|s| s.line))).collect();
                (p.purl.as_str(), d, p.license_files.iter().map(String::as_str).collect())
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("pkg:nuget/Newtonsoft.Json@13.0.3", vec![("MIT", Some(4))], vec!["newtonsoft.json/13.0.3/LICENSE.md"]),
                ("pkg:nuget/Filed@1.0", vec![], vec!["filed/1.0.0/docs/EULA.txt"]),
                ("pkg:nuget/Old@2.1.0", vec![("http://www.apache.org/licenses/LICENSE-2.0", Some(2))], vec![]),
            ]
        );
        assert_eq!(found.diagnostics.len(), 1);
        assert_eq!(found.diagnostics[0].location.file, "bad/1.0.0/bad.nuspec");
    }
}
