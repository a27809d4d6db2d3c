//! Licences from the local Maven repository (`--package-cache`).
//!
//! Maven keeps every artifact it downloaded in `~/.m2/repository` as
//! `<group, dots as slashes>/<artifact>/<version>/<artifact>-<version>.pom`.
//! A POM's `<licenses>` are the declaration; a POM without them inherits its
//! parent's, so the `<parent>` chain is followed through the same repository.
//! The licence texts live inside the jars, which are not opened.

use sovra_core::installed::{CacheHome, Installed, InstalledPackage, PackageCache, declared};
use sovra_core::plugin::{SourceTree, read_text};
use sovra_core::{Component, Ecosystem};

use crate::pom::{Pom, parse_pom};

const ID: &str = "maven";
/// Parents followed. Real chains are a handful deep; a cycle must end.
const MAX_PARENTS: usize = 16;

/// `~/.m2/repository`.
pub fn package_caches(home: &CacheHome) -> Vec<PackageCache> {
    vec![home.cache(None, ".m2/repository", "")]
}

/// The repository path of an artifact's POM.
fn pom_path(group: &str, artifact: &str, version: &str) -> Option<String> {
    let safe = |s: &str| !s.is_empty() && !s.contains(['/', '\\']) && s != "..";
    (group.split('.').all(safe) && safe(artifact) && safe(version))
        .then(|| format!("{}/{artifact}/{version}/{artifact}-{version}.pom", group.replace('.', "/")))
}

/// The declared licences of the wanted Maven components found in the repository.
pub fn cached(repo: &dyn SourceTree, wanted: &[&Component]) -> Installed {
    let mut out = Installed::default();
    for c in wanted.iter().filter(|c| c.ecosystem == Some(Ecosystem::Maven)) {
        let Some(group) = c.namespace.as_deref() else { continue };
        let Some(path) = pom_path(group, &c.name, &c.version) else { continue };
        let Some(pom) = read(repo, &path, &mut out) else { continue };
        let mut with_licences = pom;
        for _ in 0..MAX_PARENTS {
            if !with_licences.licences.is_empty() {
                break;
            }
            let Some(parent) = with_licences
                .parent
                .as_ref()
                .and_then(|p| pom_path(p.group.as_deref()?, p.artifact.as_deref()?, p.version.as_deref()?))
            else {
                break;
            };
            match read(repo, &parent, &mut out) {
                Some(p) => with_licences = p,
                None => break,
            }
        }
        out.packages.push(InstalledPackage {
            purl: Component::new(Ecosystem::Maven, Some(group), &c.name, &c.version).purl,
            dir: sovra_core::plugin::parent_dir(&path).to_string(),
            declared: with_licences
                .licences
                .iter()
                .filter_map(|l| {
                    Some(declared(l.name.as_deref().or(l.url.as_deref())?, &with_licences.path, Some(l.line)))
                })
                .collect(),
            license_files: Vec::new(),
        });
    }
    out
}

fn read(repo: &dyn SourceTree, path: &str, out: &mut Installed) -> Option<Pom> {
    if !repo.exists(path) {
        return None;
    }
    let parsed = read_text(repo, path, ID).and_then(|text| parse_pom(&text, path));
    match parsed {
        Ok((pom, _)) => Some(pom),
        Err(d) => {
            out.diagnostics.push(d);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    /// A package as the tests compare it: purl, declared licences with their file and line.
    type Row<'a> = (&'a str, Vec<(&'a str, &'a str, Option<u32>)>);

    use super::*;
    use sovra_core::plugin::MemoryTree;

    #[test]
    fn licences_of_the_pom_or_its_parents() {
        let repo = MemoryTree::new([
            (
                "org/a/lib/1.0/lib-1.0.pom",
                "<project>\n<parent><groupId>org.a</groupId><artifactId>parent</artifactId><version>2</version></parent>\n<artifactId>lib</artifactId></project>",
            ),
            (
                "org/a/parent/2/parent-2.pom",
                "<project>\n<licenses>\n<license><name>The Apache Software License, Version 2.0</name></license>\n<license><url>https://opensource.org/licenses/MIT</url></license>\n</licenses></project>",
            ),
            (
                "org/b/own/1/own-1.pom",
                "<project><licenses><license><name>EPL-2.0</name></license></licenses></project>",
            ),
            (
                "org/c/loop/1/loop-1.pom",
                "<project><parent><groupId>org.c</groupId><artifactId>loop</artifactId><version>1</version></parent></project>",
            ),
            ("org/d/bad/1/bad-1.pom", "<project><licenses>"),
        ]);
        let comps: Vec<Component> = [
            ("org.a", "lib", "1.0"),
            ("org.b", "own", "1"),
            ("org.c", "loop", "1"),
            ("org.d", "bad", "1"),
            ("org.e", "none", "1"),
            ("..", "x", "1"),
        ]
        .iter()
        .map(|(g, a, v)| Component::new(Ecosystem::Maven, Some(g), a, v))
        .collect();
        let refs: Vec<&Component> = comps.iter().collect();
        let found = cached(&repo, &refs);
        let got: Vec<Row> = found
            .packages
            .iter()
            .map(|p| {
                let d = p.declared.iter().map(|d| {
                    let s = d.source.as_ref().map(|s| (s.file.as_str(), s.line)).unwrap_or_default();
                    (d.raw.as_str(), s.0, s.1)
                });
                (p.purl.as_str(), d.collect())
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "pkg:maven/org.a/lib@1.0",
                    vec![
                        ("The Apache Software License, Version 2.0", "org/a/parent/2/parent-2.pom", Some(3)),
                        ("https://opensource.org/licenses/MIT", "org/a/parent/2/parent-2.pom", Some(4)),
                    ]
                ),
                ("pkg:maven/org.b/own@1", vec![("EPL-2.0", "org/b/own/1/own-1.pom", Some(1))]),
                ("pkg:maven/org.c/loop@1", vec![]),
            ]
        );
        assert_eq!(found.diagnostics.len(), 1);
        assert_eq!(found.diagnostics[0].location.file, "org/d/bad/1/bad-1.pom");
    }
}
