//! The on-disk cache: one small JSON file per source and package version,
//! so that a second scan needs no network and gives the same answer.
//!
//! Layout: `<dir>/<source>/<2 hex>/<sha256 of the key>.json`. Only those
//! per-source directories are ever written or removed, so pointing
//! `--cache-dir` at a directory that holds other things is harmless.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::facts::Facts;

/// What a lookup found; a package the registry does not know is remembered too,
/// so a re-run reports it the same way without asking again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cached {
    Found(Facts),
    NotFound { url: String },
}

#[derive(Serialize, Deserialize)]
struct Entry {
    /// The full key, to tell a hash collision from a hit.
    key: String,
    /// Seconds since the epoch (the real clock, not `SOURCE_DATE_EPOCH`).
    fetched: u64,
    outcome: Cached,
}

/// A cache directory and how long its entries are trusted.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
    ttl: Duration,
}

/// Default lifetime of an entry.
pub const DEFAULT_TTL_DAYS: u32 = 7;

impl Cache {
    pub fn new(dir: PathBuf, ttl_days: u32) -> Cache {
        Cache { dir, ttl: Duration::from_secs(u64::from(ttl_days) * 86_400) }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The platform's cache directory for Sovra: `$XDG_CACHE_HOME/sovra`,
    /// `~/.cache/sovra`, `~/Library/Caches/sovra`, `%LOCALAPPDATA%\sovra\cache`.
    pub fn default_dir() -> Option<PathBuf> {
        let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        if cfg!(windows) {
            return env("LOCALAPPDATA").map(|d| d.join("sovra").join("cache"));
        }
        if let Some(xdg) = env("XDG_CACHE_HOME").filter(|p| p.is_absolute()) {
            return Some(xdg.join("sovra"));
        }
        let home = env("HOME")?;
        Some(if cfg!(target_os = "macos") { home.join("Library/Caches/sovra") } else { home.join(".cache/sovra") })
    }

    fn path(&self, source: &str, key: &str) -> PathBuf {
        let hash = sovra_core::to_hex(&Sha256::digest(key.as_bytes()));
        self.dir.join(source).join(&hash[..2]).join(format!("{hash}.json"))
    }

    /// A fresh entry, or `None` (absent, expired, unreadable: all mean "ask").
    pub fn get(&self, source: &str, key: &str) -> Option<Cached> {
        let text = std::fs::read(self.path(source, key)).ok()?;
        let entry: Entry = serde_json::from_slice(&text).ok()?;
        let age = now().saturating_sub(entry.fetched);
        (entry.key == key && age < self.ttl.as_secs()).then_some(entry.outcome)
    }

    /// Store an entry; written to a temporary file and renamed, so a
    /// concurrent scan never reads half a file.
    pub fn put(&self, source: &str, key: &str, outcome: &Cached) -> std::io::Result<()> {
        let path = self.path(source, key);
        let parent = path.parent().unwrap_or(&self.dir);
        std::fs::create_dir_all(parent)?;
        self.tag()?;
        let entry = Entry { key: key.to_string(), fetched: now(), outcome: outcome.clone() };
        let tmp = parent.join(format!(
            ".{}.{}.tmp",
            std::process::id(),
            path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        ));
        std::fs::write(&tmp, serde_json::to_vec(&entry).map_err(std::io::Error::other)?)?;
        std::fs::rename(&tmp, &path)
    }

    /// Mark the directory as a cache (backup tools skip it), once.
    fn tag(&self) -> std::io::Result<()> {
        let tag = self.dir.join("CACHEDIR.TAG");
        if !tag.exists() {
            std::fs::write(
                tag,
                "Signature: 8a477f597d28d172789f06886806bc55\n# This is Sovra's registry cache; see `sovra cache clear`.\n",
            )?;
        }
        Ok(())
    }

    /// Remove the entries of the given sources; how many files went.
    pub fn clear(&self, sources: &[&str]) -> std::io::Result<usize> {
        let mut removed = 0;
        for source in sources {
            let dir = self.dir.join(source);
            if dir.is_dir() {
                removed += count_files(&dir);
                std::fs::remove_dir_all(&dir)?;
            }
        }
        let tag = self.dir.join("CACHEDIR.TAG");
        if tag.is_file() {
            std::fs::remove_file(tag)?;
        }
        Ok(removed)
    }
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|it| it.flatten().map(|e| if e.path().is_dir() { count_files(&e.path()) } else { 1 }).sum())
        .unwrap_or(0)
}

fn now() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_roundtrip_expire_and_are_cleared_without_touching_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf(), 7);
        let facts = Facts { url: "u".into(), license: Some("MIT".into()), ..Facts::default() };
        assert_eq!(cache.get("npm", "lodash@4.17.21"), None);
        cache.put("npm", "lodash@4.17.21", &Cached::Found(facts.clone())).unwrap();
        cache.put("npm", "nope@1.0.0", &Cached::NotFound { url: "x".into() }).unwrap();
        assert_eq!(cache.get("npm", "lodash@4.17.21"), Some(Cached::Found(facts)));
        assert_eq!(cache.get("npm", "nope@1.0.0"), Some(Cached::NotFound { url: "x".into() }));
        // Another source's key is another entry.
        assert_eq!(cache.get("cargo", "lodash@4.17.21"), None);
        // A zero lifetime trusts nothing.
        assert_eq!(Cache::new(dir.path().to_path_buf(), 0).get("npm", "lodash@4.17.21"), None);

        std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
        assert_eq!(cache.clear(&["npm", "cargo"]).unwrap(), 2);
        assert_eq!(cache.get("npm", "lodash@4.17.21"), None);
        assert!(dir.path().join("keep.txt").is_file());
    }

    #[test]
    fn a_corrupt_entry_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf(), 7);
        cache.put("npm", "a@1", &Cached::NotFound { url: "x".into() }).unwrap();
        let path = cache.path("npm", "a@1");
        std::fs::write(&path, b"{\"key\": [").unwrap();
        assert_eq!(cache.get("npm", "a@1"), None);
    }
}
