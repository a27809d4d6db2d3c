//! `--online` for `sovra scan`, and `sovra cache clear`.
//!
//! The network is off unless asked for: `--online`, or `[online] enabled =
//! true` in the policy file; `--offline` wins over both. Without either, not
//! one connection is opened and the cache is not read.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use sovra_core::policy::cfg::{self, OnlineCfg, Positions};
use sovra_core::{Inventory, Severity};
use sovra_registry::{Cache, Config, Outcome, Progress, cache::DEFAULT_TTL_DAYS, sources};

use crate::{EXIT_OK, check, show_progress};

#[derive(Args, Clone, Default)]
pub struct OnlineArgs {
    /// Fetch licences and maintenance data from the package registries.
    /// Off by default: without it nothing is sent anywhere.
    #[arg(long, conflicts_with = "offline")]
    pub online: bool,
    /// Forbid all network access, even when the policy file enables it.
    #[arg(long)]
    pub offline: bool,
    /// Point a registry at a mirror or proxy, e.g. `npm=https://nexus.example/repository/npm`
    /// (repeatable; `NAME=off` leaves that registry out). Names: cargo, npm, pypi,
    /// maven, golang, composer, nuget (the v3 index.json), gem.
    #[arg(long = "source", value_name = "NAME=URL", value_parser = parse_source)]
    pub sources: Vec<(String, String)>,
    /// Registry cache directory (default: the platform's cache directory, e.g. ~/.cache/sovra).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Days a cached registry answer is used before it is fetched again (default 7).
    #[arg(long, value_name = "DAYS")]
    pub cache_ttl: Option<u32>,
    /// Neither read nor write the registry cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Seconds one registry request may take.
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = parse_secs)]
    pub registry_timeout: Duration,
}

fn parse_source(s: &str) -> Result<(String, String), String> {
    let (name, url) = s.split_once('=').ok_or_else(|| format!("`{s}` is not NAME=URL"))?;
    sources::by_name(name).ok_or_else(|| sovra_registry::UnknownSource(name.to_string()).to_string())?;
    Ok((name.to_string(), url.to_string()))
}

pub fn parse_secs(s: &str) -> Result<Duration, String> {
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0 && *v < 86_400.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("`{s}` is not a number of seconds"))
}

/// The policy file `check::load_policy` would read, and its `[online]` table.
fn online_cfg(policy: &check::PolicyArgs, scanned: &Path) -> anyhow::Result<Option<(PathBuf, OnlineCfg, String)>> {
    let Some(path) = check::policy_path(policy, scanned) else { return Ok(None) };
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read policy {}", path.display()))?;
    let file = cfg::parse(&path.display().to_string(), &text)?;
    Ok(Some((path, file.online, text)))
}

/// Look the inventory up in the registries if the user asked for it; print
/// what could not be fetched. Does nothing at all otherwise.
pub fn enrich(
    inv: &mut Inventory,
    args: &OnlineArgs,
    policy: &check::PolicyArgs,
    scanned: &Path,
    quiet: bool,
) -> anyhow::Result<()> {
    if args.offline {
        return Ok(());
    }
    let file = online_cfg(policy, scanned)?;
    let from_file = file.as_ref().is_some_and(|(_, o, _)| o.enabled == Some(true));
    if !args.online && !from_file {
        return Ok(());
    }
    let mut config = Config::default();
    let mut cache_dir = None;
    let mut ttl = DEFAULT_TTL_DAYS;
    if let Some((path, online, text)) = &file {
        let name = path.display().to_string();
        let positions = Positions::new(&name, text);
        for (source, url) in &online.sources {
            config.set_source(source, url.get_ref()).map_err(|e| positions.error(url, e.to_string()))?;
        }
        let base = path.parent().unwrap_or(Path::new("."));
        cache_dir = online.cache_dir.as_ref().map(|d| base.join(d));
        ttl = online.ttl_days.unwrap_or(ttl);
    }
    for (source, url) in &args.sources {
        config.set_source(source, url)?;
    }
    if !args.no_cache {
        let dir = args.cache_dir.clone().or(cache_dir).or_else(Cache::default_dir);
        config.cache = dir.map(|d| Cache::new(d, args.cache_ttl.unwrap_or(ttl)));
    }
    config.http.timeout = args.registry_timeout;

    let bar = Bar::new(show_progress(quiet));
    let (summary, diagnostics) = sovra_registry::enrich(inv, &config, &bar);
    bar.bar.finish_and_clear();
    if !quiet {
        for d in diagnostics.iter().filter(|d| d.severity <= Severity::Warning) {
            eprintln!("{d}");
        }
        if summary.looked_up > 0 {
            eprintln!(
                "registry: {} package(s) looked up, {} from the cache, {} without metadata",
                summary.looked_up, summary.from_cache, summary.failed
            );
        }
    }
    inv.diagnostics.extend(diagnostics);
    inv.diagnostics.sort();
    inv.diagnostics.dedup();
    Ok(())
}

/// The bar while fetching: packages done of all, with the cache hits and failures.
struct Bar {
    bar: ProgressBar,
    cached: AtomicUsize,
    failed: AtomicUsize,
}

impl Bar {
    fn new(visible: bool) -> Bar {
        let bar = if visible { ProgressBar::new(0) } else { ProgressBar::hidden() };
        bar.set_style(
            ProgressStyle::with_template("{spinner} registry metadata [{bar:30}] {pos}/{len} packages {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        Bar { bar, cached: AtomicUsize::new(0), failed: AtomicUsize::new(0) }
    }
}

impl Progress for Bar {
    fn start(&self, total: usize) {
        self.bar.set_length(total as u64);
    }
    fn done(&self, outcome: Outcome) {
        match outcome {
            Outcome::Cached => _ = self.cached.fetch_add(1, Relaxed),
            Outcome::Failed => _ = self.failed.fetch_add(1, Relaxed),
            Outcome::Fetched => {}
        }
        self.bar.set_message(format!("({} cached, {} failed)", self.cached.load(Relaxed), self.failed.load(Relaxed)));
        self.bar.inc(1);
    }
}

#[derive(Args)]
pub struct CacheArgs {
    #[command(subcommand)]
    pub command: CacheCommand,
}

#[derive(Subcommand)]
pub enum CacheCommand {
    /// Remove every cached registry answer.
    Clear {
        /// The cache directory (default: the platform's cache directory).
        #[arg(long, value_name = "DIR")]
        cache_dir: Option<PathBuf>,
    },
}

pub fn run_cache(args: CacheArgs) -> anyhow::Result<u8> {
    match args.command {
        CacheCommand::Clear { cache_dir } => {
            let dir = cache_dir
                .or_else(Cache::default_dir)
                .context("no cache directory: set --cache-dir, XDG_CACHE_HOME or HOME")?;
            let names: Vec<&str> = sources::all().iter().map(|s| s.name()).collect();
            let removed =
                Cache::new(dir.clone(), 0).clear(&names).with_context(|| format!("cannot clear {}", dir.display()))?;
            eprintln!("removed {removed} cached registry answer(s) from {}", dir.display());
            Ok(EXIT_OK)
        }
    }
}
