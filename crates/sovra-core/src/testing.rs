//! Helpers for the test suites of Sovra's crates. Not part of the stable API.

use std::path::PathBuf;

use crate::model::Inventory;
use crate::plugin::Plugin;
use crate::scan::{NoProgress, ScanOptions, scan_path};

/// The shared real-world corpus beside the workspace (`../shared/corpus`), or
/// `None` after printing a notice when it is absent (a fresh clone). CI sets
/// `SOVRA_REQUIRE_CORPUS=1` to turn its absence into a failure.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("SOVRA_REQUIRE_CORPUS").is_some() {
        panic!("SOVRA_REQUIRE_CORPUS is set but {} does not exist", dir.display());
    }
    eprintln!("notice: {} is absent; skipping corpus test", dir.display());
    None
}

/// The workspace's `fixtures/` directory.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// Scan a path with one plug-in and default options.
pub fn scan_with(plugin: &dyn Plugin, path: &std::path::Path) -> Inventory {
    scan_path(path, &[plugin], &ScanOptions::default(), &NoProgress)
        .unwrap_or_else(|e| panic!("scan of {} failed: {e}", path.display()))
}
