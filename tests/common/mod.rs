//! What several end-to-end tests share: the projects to run over, and a scan
//! through the built binary.

// Each test binary that includes this module uses a part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The corpus's ecosystem folders.
pub const ECOSYSTEMS: [&str; 8] = ["cargo", "npm", "python", "maven", "go", "composer", "nuget", "ruby"];

/// Each case directory `fixtures/<area>/<case>` (and an area that holds files
/// itself), then every corpus project (none when the corpus is absent).
pub fn projects() -> Vec<PathBuf> {
    let mut dirs = fixture_dirs();
    dirs.extend(corpus_projects());
    dirs
}

pub fn fixture_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut dirs = Vec::new();
    for area in sorted_entries(&root).into_iter().filter(|p| p.is_dir()) {
        let entries = sorted_entries(&area);
        if entries.iter().any(|p| p.is_file()) {
            dirs.push(area.clone());
        }
        dirs.extend(entries.into_iter().filter(|p| p.is_dir()));
    }
    dirs
}

pub fn corpus_projects() -> Vec<PathBuf> {
    let Some(corpus) = sovra_core::testing::corpus_dir() else { return Vec::new() };
    ECOSYSTEMS.iter().flat_map(|eco| sorted_entries(&corpus.join(eco))).filter(|p| p.is_dir()).collect()
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> =
        std::fs::read_dir(dir).into_iter().flatten().filter_map(|e| e.ok().map(|e| e.path())).collect();
    out.sort();
    out
}

/// `sovra scan --quiet ARGS DIR` with a fixed `SOURCE_DATE_EPOCH`. Exit 0
/// (found something) and 2 (nothing usable to scan) both write a document;
/// anything else is a failure.
pub fn scan(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = assert_cmd::Command::cargo_bin("sovra")
        .map_err(|e| e.to_string())?
        .args(["scan", "--quiet"])
        .args(args)
        .arg(dir)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .map_err(|e| e.to_string())?;
    match out.status.code() {
        Some(0 | 2) => String::from_utf8(out.stdout).map_err(|e| e.to_string()),
        code => Err(format!("exit {code:?}: {}", String::from_utf8_lossy(&out.stderr))),
    }
}
