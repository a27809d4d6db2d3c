//! The ecosystem plug-in contract.
//!
//! A scan walks the tree once ([`crate::discover`]); each file is offered to
//! every plug-in's [`Plugin::claims`]. Each plug-in then groups the files it
//! claimed into [`Unit`]s (a lockfile with the manifests beside it, say), and
//! parses each unit through a [`SourceTree`], which is the only way a plug-in
//! reads files. That keeps parsers pure functions of bytes: tests hand them an
//! in-memory tree, and the scan decides how files are read and how big they may be.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::installed::{CacheHome, Installed, PackageCache};
use crate::model::{Component, Diagnostic, Location, Parsed};

/// Largest file a plug-in may read. Real lockfiles stay far below it (the
/// largest in our corpus is 1.4 MiB); a bigger "lockfile" is almost certainly
/// not one, and reading it whole could exhaust memory.
pub const MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// Read access to the scanned tree, by `/`-separated paths relative to its root.
pub trait SourceTree: Sync {
    /// The bytes of a file.
    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError>;
    /// Whether a file exists (and is a regular file inside the tree).
    fn exists(&self, path: &str) -> bool;
    /// Every file the walk found, sorted (manifests only: build output and
    /// installed package folders are not listed).
    fn files(&self) -> &[String];
    /// The entries of a directory (`""` is the root), sorted by name. Links
    /// are not listed, so a walk built on this never leaves the tree. Used to
    /// look into installed package folders, which [`SourceTree::files`] omits.
    fn list_dir(&self, dir: &str) -> Vec<DirEntry> {
        let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
        let mut out: Vec<DirEntry> = Vec::new();
        for f in self.files() {
            let Some(rest) = f.strip_prefix(&prefix) else { continue };
            let (name, is_dir) = match rest.split_once('/') {
                Some((d, _)) => (d, true),
                None => (rest, false),
            };
            out.push(DirEntry { name: name.to_string(), is_dir, len: 0 });
        }
        out.sort();
        out.dedup_by(|a, b| a.name == b.name);
        out
    }
}

/// One entry of [`SourceTree::list_dir`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DirEntry {
    pub name: String,
    pub is_dir: bool,
    /// Size in bytes of a file (0 where the tree does not know it).
    pub len: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not found")]
    NotFound,
    #[error("file is larger than {MAX_FILE_SIZE} bytes")]
    TooLarge,
    #[error("{0}")]
    Io(String),
}

/// A group of files one plug-in parses together.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unit {
    /// The file that defines the unit (usually the lockfile); diagnostics about
    /// the unit as a whole name it.
    pub primary: String,
    /// Other files the parser will want (manifests beside the lockfile).
    pub related: Vec<String>,
    /// Plug-in-specific tag saying which format `primary` is, so that `parse`
    /// need not guess again.
    pub kind: &'static str,
}

impl Unit {
    pub fn new(primary: impl Into<String>, kind: &'static str) -> Unit {
        Unit { primary: primary.into(), related: Vec::new(), kind }
    }
}

/// One ecosystem's knowledge of its files.
pub trait Plugin: Send + Sync {
    /// Short stable id (`cargo`, `npm`), used in diagnostics codes and the table output.
    fn id(&self) -> &'static str;

    /// Whether this plug-in wants the file at `path` (relative, `/`-separated).
    /// Called for every file of the walk, so it must be cheap: decide by name.
    fn claims(&self, path: &str) -> bool;

    /// Group the claimed files (sorted) into units. Files that belong to a
    /// unit as `related` only (a Cargo.toml beside a Cargo.lock) must not also
    /// become units of their own unless they stand alone.
    fn units(&self, claimed: &[String], tree: &dyn SourceTree) -> Vec<Unit>;

    /// Parse one unit. Never panics on bad input: everything that could not be
    /// read becomes a diagnostic in the result.
    fn parse(&self, unit: &Unit, tree: &dyn SourceTree) -> Parsed;

    /// Packages installed or vendored inside the scanned tree (`node_modules`,
    /// `vendor/`, a virtualenv's `site-packages`), read for their licences
    /// only: they never become components ([`crate::installed`]).
    /// `tree.files()` lists the manifests the scan read.
    fn installed(&self, _tree: &dyn SourceTree) -> Installed {
        Installed::default()
    }

    /// The deployable file of a component of this ecosystem, where its
    /// registry names files by rule: the file name, and its URL on the
    /// ecosystem's default registry. `None` for other ecosystems and for
    /// registries without such a rule. The BSI profile fills `filename` and
    /// `download_url` with it where the lockfile did not.
    fn distribution(&self, _c: &Component) -> Option<(String, String)> {
        None
    }

    /// This ecosystem's package caches in the user's home (`--package-cache`).
    fn package_caches(&self, _home: &CacheHome) -> Vec<PackageCache> {
        Vec::new()
    }

    /// Look the `wanted` components up in one of [`Plugin::package_caches`],
    /// read through a tree rooted at the cache directory.
    fn cached(&self, _cache: &dyn SourceTree, _wanted: &[&Component]) -> Installed {
        Installed::default()
    }
}

/// A tree held in memory, for tests and for scanning a single file.
#[derive(Clone, Debug, Default)]
pub struct MemoryTree {
    files: BTreeMap<String, Vec<u8>>,
    names: Vec<String>,
}

impl MemoryTree {
    pub fn new<I, P, B>(files: I) -> MemoryTree
    where
        I: IntoIterator<Item = (P, B)>,
        P: Into<String>,
        B: Into<Vec<u8>>,
    {
        let files: BTreeMap<String, Vec<u8>> = files.into_iter().map(|(p, b)| (p.into(), b.into())).collect();
        let names = files.keys().cloned().collect();
        MemoryTree { files, names }
    }
}

impl SourceTree for MemoryTree {
    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        self.files.get(path).cloned().ok_or(ReadError::NotFound)
    }
    fn exists(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }
    fn files(&self) -> &[String] {
        &self.names
    }
}

/// The tree on disk under `root`, with the file list from one walk.
#[derive(Debug)]
pub struct DiskTree {
    root: PathBuf,
    names: Vec<String>,
    canonical_root: OnceLock<Option<PathBuf>>,
}

impl DiskTree {
    pub fn new(root: impl Into<PathBuf>, names: Vec<String>) -> DiskTree {
        DiskTree { root: root.into(), names, canonical_root: OnceLock::new() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether `full` resolves to a place inside the root. Paths built from
    /// what a file says (`vendor/<module>/`) may cross a link in a directory
    /// part, which `symlink_metadata` of the last part alone does not see.
    fn inside(&self, full: &Path) -> bool {
        let root = self.canonical_root.get_or_init(|| std::fs::canonicalize(&self.root).ok());
        match (root, std::fs::canonicalize(full)) {
            (Some(root), Ok(real)) => real.starts_with(root),
            _ => false,
        }
    }
}

impl SourceTree for DiskTree {
    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        if path.split('/').any(|c| c == "..") {
            return Err(ReadError::NotFound);
        }
        let full = self.root.join(path);
        // symlink_metadata: a link is never followed, so nothing outside the tree is read.
        let meta = std::fs::symlink_metadata(&full).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::NotFound,
            _ => ReadError::Io(e.to_string()),
        })?;
        if !meta.is_file() || !self.inside(&full) {
            return Err(ReadError::NotFound);
        }
        if meta.len() > MAX_FILE_SIZE {
            return Err(ReadError::TooLarge);
        }
        std::fs::read(&full).map_err(|e| ReadError::Io(e.to_string()))
    }

    fn exists(&self, path: &str) -> bool {
        !path.split('/').any(|c| c == "..")
            && std::fs::symlink_metadata(self.root.join(path)).is_ok_and(|m| m.is_file())
    }

    fn files(&self) -> &[String] {
        &self.names
    }

    fn list_dir(&self, dir: &str) -> Vec<DirEntry> {
        let full = self.root.join(dir);
        if dir.split('/').any(|c| c == "..")
            || !std::fs::symlink_metadata(&full).is_ok_and(|m| m.is_dir())
            || !self.inside(&full)
        {
            return Vec::new();
        }
        let Ok(entries) = std::fs::read_dir(&full) else { return Vec::new() };
        let mut out: Vec<DirEntry> = entries
            .flatten()
            .filter_map(|e| {
                // `DirEntry::metadata` does not follow links; a link is neither file nor dir.
                let meta = e.metadata().ok()?;
                let name = e.file_name().into_string().ok()?;
                (meta.is_dir() || meta.is_file()).then(|| DirEntry { name, is_dir: meta.is_dir(), len: meta.len() })
            })
            .collect();
        out.sort();
        out
    }
}

/// Read a file as UTF-8 text for a parser, or give the diagnostic that says why not.
///
/// Empty files, binary content and invalid UTF-8 are reported here once, with
/// the same codes for every plug-in. A UTF-8 byte-order mark is dropped.
pub fn read_text(tree: &dyn SourceTree, path: &str, plugin: &str) -> Result<String, Diagnostic> {
    let loc = Location::new(path, None);
    let bytes = tree
        .read(path)
        .map_err(|e| Diagnostic::error(&format!("{plugin}::read"), loc.clone(), format!("cannot read file: {e}")))?;
    text_from_bytes(bytes, path, plugin)
}

/// The checks of [`read_text`] on bytes already in hand.
pub fn text_from_bytes(bytes: Vec<u8>, path: &str, plugin: &str) -> Result<String, Diagnostic> {
    let loc = Location::new(path, None);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Diagnostic::error(&format!("{plugin}::empty"), loc, "file is empty"));
    }
    if bytes.contains(&0) {
        return Err(Diagnostic::error(
            &format!("{plugin}::binary"),
            loc,
            "file is binary (contains NUL bytes), not a text lockfile or manifest",
        ));
    }
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|b| **b == b'\n').count();
        Diagnostic::error(
            &format!("{plugin}::encoding"),
            Location::new(path, Some(line as u32)),
            "file is not valid UTF-8",
        )
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Ok(text)
}

/// 1-based line number of a byte offset in `text`.
pub fn line_of(text: &str, offset: usize) -> u32 {
    let offset = offset.min(text.len());
    1 + text.as_bytes()[..offset].iter().filter(|b| **b == b'\n').count() as u32
}

/// The directory part of a relative path (`""` for a file at the root).
pub fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The file-name part of a relative path.
pub fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, name)| name)
}

/// Join a relative directory and a relative path written in a manifest,
/// resolving `.` and `..`. `None` if the result would leave the tree.
pub fn join_rel(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split(['/', '\\']) {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_rel_resolves_dots() {
        assert_eq!(join_rel("a/b", "../c/./d").as_deref(), Some("a/c/d"));
        assert_eq!(join_rel("", "x").as_deref(), Some("x"));
        assert_eq!(join_rel("a", "../../x"), None);
    }

    #[test]
    fn read_text_reports_empty_binary_and_encoding() {
        let tree = MemoryTree::new([
            ("e", b"  \n".to_vec()),
            ("b", b"ab\0c".to_vec()),
            ("u", b"ok\n\xff".to_vec()),
            ("bom", b"\xef\xbb\xbfx".to_vec()),
        ]);
        assert_eq!(read_text(&tree, "e", "t").unwrap_err().code, "t::empty");
        assert_eq!(read_text(&tree, "b", "t").unwrap_err().code, "t::binary");
        let d = read_text(&tree, "u", "t").unwrap_err();
        assert_eq!((d.code.as_str(), d.location.line), ("t::encoding", Some(2)));
        assert_eq!(read_text(&tree, "bom", "t").unwrap(), "x");
        assert_eq!(read_text(&tree, "missing", "t").unwrap_err().code, "t::read");
    }

    #[test]
    fn disk_tree_lists_and_reads_nothing_through_links_out_of_the_tree() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("LICENSE"), "secret").unwrap();
        std::fs::create_dir_all(dir.path().join("vendor/real")).unwrap();
        std::fs::write(dir.path().join("vendor/real/LICENSE"), "MIT").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path(), dir.path().join("vendor/link")).unwrap();
        let tree = DiskTree::new(dir.path(), Vec::new());
        let names: Vec<(String, bool)> = tree.list_dir("vendor").into_iter().map(|e| (e.name, e.is_dir)).collect();
        assert_eq!(names, [("real".to_string(), true)]);
        assert_eq!(tree.read("vendor/real/LICENSE").unwrap(), b"MIT");
        assert!(tree.read("vendor/link/LICENSE").is_err());
        assert!(tree.list_dir("vendor/link").is_empty());
        assert!(tree.list_dir("../").is_empty());
        // The default listing, from the file list.
        let mem = MemoryTree::new([("a/b/c", ""), ("a.txt", ""), ("a/d", "")]);
        let names: Vec<(String, bool)> = mem.list_dir("a").into_iter().map(|e| (e.name, e.is_dir)).collect();
        assert_eq!(names, [("b".to_string(), true), ("d".to_string(), false)]);
    }

    #[test]
    fn line_of_counts_newlines() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 100), 3);
    }
}
