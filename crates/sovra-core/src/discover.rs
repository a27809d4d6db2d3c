//! One walk over the scanned tree that finds the files plug-ins may claim.

use std::path::Path;

use walkdir::WalkDir;

use crate::model::{Diagnostic, Location};

/// Directories that hold build output, installed packages or VCS data, not the
/// manifests a project delivers. Installed package folders are read later for
/// licence texts, never as a source of components.
pub const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "bower_components",
    "jspm_packages",
    "target",
    "vendor",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".gradle",
    ".yarn",
    ".pnpm-store",
    "obj",
];

/// Deepest directory level walked. Real trees are far shallower; the bound
/// keeps a pathological or cyclic mount from running forever.
const MAX_DEPTH: usize = 64;

/// Files under `root`, relative and `/`-separated, sorted. Links are never
/// followed, so nothing outside the tree is read. Directories that cannot be
/// read become diagnostics.
pub fn walk(root: &Path) -> (Vec<String>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    let walker =
        WalkDir::new(root).follow_links(false).max_depth(MAX_DEPTH).sort_by_file_name().into_iter().filter_entry(|e| {
            e.depth() == 0 || !(e.file_type().is_dir() && is_skipped(&e.file_name().to_string_lossy()))
        });
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                if let Some(rel) = relative(root, e.path()) {
                    files.push(rel);
                }
            }
            Ok(_) => {}
            Err(err) => {
                let path = err.path().and_then(|p| relative(root, p)).unwrap_or_default();
                diagnostics.push(Diagnostic::warning(
                    "scan::walk",
                    Location::new(path, None),
                    format!("cannot read directory entry: {err}"),
                ));
            }
        }
    }
    files.sort();
    (files, diagnostics)
}

fn is_skipped(name: &str) -> bool {
    SKIPPED_DIRS.contains(&name)
}

/// `path` relative to `root` with `/` separators; `None` for a name that is not UTF-8.
pub fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut out = String::new();
    for c in rel.components() {
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(c.as_os_str().to_str()?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_build_and_vcs_dirs_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for p in ["a/Cargo.lock", "node_modules/x/package.json", ".git/config", "b/target/x", "c.txt"] {
            let full = root.join(p);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, "x").unwrap();
        }
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("package-lock.json"), "{}").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path(), root.join("link")).unwrap();
        let (files, diags) = walk(root);
        assert_eq!(files, vec!["a/Cargo.lock".to_string(), "c.txt".to_string()]);
        assert!(diags.is_empty());
    }
}
