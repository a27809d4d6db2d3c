//! Modules vendored by `go mod vendor`, read for their licences.
//!
//! `vendor/modules.txt` lists each vendored module as `# <path> <version>`,
//! optionally followed by `=> <replacement> [<version>]`, and below it the
//! packages copied. `go mod vendor` copies the module root's licence files
//! (`LICENSE`, `COPYING`, ...) to `vendor/<path>/` even when the root package
//! itself is not used. Go modules declare no licence in metadata, so only
//! the texts speak here.

use sovra_core::installed::{Installed, InstalledPackage, MAX_PACKAGES, license_files};
use sovra_core::plugin::{SourceTree, join_rel, read_text};

use crate::purl::golang_purl;

const ID: &str = "go";

/// Every module of the `vendor/modules.txt` beside each go.mod directory in `dirs`.
pub fn installed(tree: &dyn SourceTree, dirs: &[String]) -> Installed {
    let mut out = Installed::default();
    for d in dirs {
        let Some(vendor) = join_rel(d, "vendor") else { continue };
        let listing = format!("{vendor}/modules.txt");
        if !tree.exists(&listing) {
            continue;
        }
        match read_text(tree, &listing, ID) {
            Ok(text) => {
                for (module, versions) in parse_modules_txt(&text) {
                    if out.packages.len() >= MAX_PACKAGES {
                        break;
                    }
                    // A module path never climbs (`..`); one that would is not read.
                    let Some(dir) = join_rel(&vendor, module).filter(|p| p.starts_with(&vendor)) else { continue };
                    let files = license_files(tree, &dir);
                    out.packages.extend(versions.into_iter().map(|(path, version)| InstalledPackage {
                        purl: golang_purl(path, Some(version)),
                        dir: dir.clone(),
                        declared: Vec::new(),
                        license_files: files.clone(),
                    }));
                }
            }
            Err(d) => out.diagnostics.push(d),
        }
    }
    out
}

/// `(module path, [(path, version)])` of each `# ` module line: the module
/// itself and, for a replacement by another module version, that one too
/// (the inventory names whichever the go.mod resolution chose). Modules
/// replaced by a directory are first-party and left out.
pub fn parse_modules_txt(text: &str) -> Vec<(&str, Vec<(&str, &str)>)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("# ") else { continue };
        let (left, right) = match rest.split_once("=>") {
            Some((l, r)) => (l, Some(r)),
            None => (rest, None),
        };
        let mut l = left.split_whitespace();
        let Some(path) = l.next() else { continue };
        let mut versions = Vec::new();
        if let Some(v) = l.next() {
            versions.push((path, v));
        }
        if let Some(r) = right {
            let mut r = r.split_whitespace();
            if let (Some(rp), Some(rv)) = (r.next(), r.next()) {
                versions.push((rp, rv));
            } else {
                continue;
            }
        }
        if !versions.is_empty() {
            out.push((path, versions));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sovra_core::plugin::MemoryTree;

    const MODULES: &str = "# github.com/pkg/errors v0.9.1
## explicit
github.com/pkg/errors
# golang.org/x/text v0.3.0 => golang.org/x/text v0.3.8
golang.org/x/text/unicode
# example.com/local v1.0.0 => ../local
example.com/local
# example.com/nover => example.com/other v1.2.0
## explicit; go 1.21
# ../../escape v1.0.0
";

    #[test]
    fn modules_and_replacements() {
        assert_eq!(
            parse_modules_txt(MODULES),
            vec![
                ("github.com/pkg/errors", vec![("github.com/pkg/errors", "v0.9.1")]),
                ("golang.org/x/text", vec![("golang.org/x/text", "v0.3.0"), ("golang.org/x/text", "v0.3.8")]),
                ("example.com/nover", vec![("example.com/other", "v1.2.0")]),
                ("../../escape", vec![("../../escape", "v1.0.0")]),
            ]
        );
    }

    #[test]
    fn vendored_licence_files() {
        let tree = MemoryTree::new([
            ("go.mod", "module x"),
            ("vendor/modules.txt", MODULES),
            ("vendor/github.com/pkg/errors/LICENSE", "BSD"),
            ("vendor/golang.org/x/text/LICENSE", "BSD"),
            ("vendor/golang.org/x/text/PATENTS", "p"),
        ]);
        let found = installed(&tree, &[String::new()]);
        let got: Vec<(&str, Vec<&str>)> = found
            .packages
            .iter()
            .map(|p| (p.purl.as_str(), p.license_files.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("pkg:golang/github.com/pkg/errors@v0.9.1", vec!["vendor/github.com/pkg/errors/LICENSE"]),
                ("pkg:golang/golang.org/x/text@v0.3.0", vec!["vendor/golang.org/x/text/LICENSE"]),
                ("pkg:golang/golang.org/x/text@v0.3.8", vec!["vendor/golang.org/x/text/LICENSE"]),
                ("pkg:golang/example.com/other@v1.2.0", vec![]),
            ]
        );
        let broken = installed(&MemoryTree::new([("vendor/modules.txt", "\0")]), &[String::new()]);
        assert_eq!(broken.diagnostics[0].code, "go::binary");
    }
}
