/*!
Online enrichment: what lockfiles do not record (the declared licence, the
publish date, deprecation, yanking, abandonment, the number of maintainers)
fetched from the package registries, only when the user asks for it.

The principal types:

* [`Source`] is one registry's public API (crates.io, npm, PyPI, Maven
  Central, NuGet v3, RubyGems, Packagist, the Go module proxy), named by its
  ecosystem's purl type; [`sources::all`] lists them. A source turns one
  component into [`Facts`] or a [`FetchError`].
* [`Config`] says which sources are on and where each points (the public
  registry or the administration's own mirror), the [`Cache`] and the
  [`HttpConfig`] (timeouts, retries, requests per host).
* [`enrich`] runs the lookups for an [`Inventory`]: cached answers first,
  the rest on worker threads over one [`Http`] client that bounds requests
  per host and retries politely, then [`facts::apply`] writes the answers
  into the components (`sovra:registry:*` properties the risk model reads, a
  declared licence, the repository) in purl order, with a diagnostic for
  every package whose metadata could not be had.

Nothing here opens a connection unless [`enrich`] is called, and the CLI
calls it only for `--online` (or `[online] enabled = true` without
`--offline`).
*/

pub mod cache;
pub mod facts;
pub mod http;
pub mod license_url;
pub mod sources;
#[doc(hidden)]
pub mod testing;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use sovra_core::{Component, Diagnostic, Inventory, Location, PROP_UNLOCKED, Severity, Source as Origin};

pub use cache::{Cache, Cached};
pub use facts::Facts;
pub use http::{FetchError, Http, HttpConfig};
pub use sources::Source;

/// Which sources are on, where they point, and how to talk to them.
#[derive(Clone, Debug)]
pub struct Config {
    /// Source name -> base URL, for the enabled sources.
    pub sources: BTreeMap<&'static str, String>,
    pub cache: Option<Cache>,
    pub http: HttpConfig,
}

/// A `--source` or `[online.sources]` entry that names no source.
#[derive(Debug, thiserror::Error)]
#[error("unknown registry source `{0}`; known: {known}", known = sources::all().iter().map(|s| s.name()).collect::<Vec<_>>().join(", "))]
pub struct UnknownSource(pub String);

impl Default for Config {
    /// Every source on, at its public registry, no cache.
    fn default() -> Config {
        Config {
            sources: sources::all().iter().map(|s| (s.name(), s.default_url().to_string())).collect(),
            cache: None,
            http: HttpConfig::default(),
        }
    }
}

impl Config {
    /// Point a source at another URL (a mirror, a proxy); `off` turns it off.
    pub fn set_source(&mut self, name: &str, url: &str) -> Result<(), UnknownSource> {
        let source = sources::by_name(name).ok_or_else(|| UnknownSource(name.to_string()))?;
        if url.eq_ignore_ascii_case("off") || url.eq_ignore_ascii_case("none") {
            self.sources.remove(source.name());
        } else {
            self.sources.insert(source.name(), url.trim().trim_end_matches('/').to_string());
        }
        Ok(())
    }
}

/// Notified as packages are looked up, so a front end can show a bar.
pub trait Progress: Sync {
    fn start(&self, _total: usize) {}
    fn done(&self, _outcome: Outcome) {}
}

/// How one package's lookup ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Cached,
    Fetched,
    Failed,
}

/// A progress sink that ignores everything.
pub struct NoProgress;
impl Progress for NoProgress {}

/// What a run did, for the caller's summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Components a source was asked about.
    pub looked_up: usize,
    /// Of those, answered from the cache (a cached "unknown package" included).
    pub from_cache: usize,
    /// Of those, without metadata (each has a diagnostic).
    pub failed: usize,
}

/// One component to look up.
struct Job {
    index: usize,
    source: &'static dyn Source,
    base: String,
    /// The cache key: the purl names the package version (and platform).
    key: String,
}

/// Look the inventory's components up in the enabled sources and write what
/// comes back into them. The diagnostics (sorted) are the caller's to add to
/// the inventory and to show.
pub fn enrich(inv: &mut Inventory, config: &Config, progress: &dyn Progress) -> (Summary, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let jobs = plan(&inv.components, config, &mut diagnostics);
    progress.start(jobs.len());
    let mut summary = Summary { looked_up: jobs.len(), ..Summary::default() };

    let mut results: Vec<Option<Result<Cached, FetchError>>> = (0..jobs.len()).map(|_| None).collect();
    let mut pending: Vec<usize> = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        match config.cache.as_ref().and_then(|c| c.get(job.source.name(), &job.key)) {
            Some(hit) => {
                results[i] = Some(Ok(hit));
                summary.from_cache += 1;
                progress.done(Outcome::Cached);
            }
            None => pending.push(i),
        }
    }
    if !pending.is_empty() {
        let fetched = fetch_all(&jobs, &pending, &inv.components, config, progress);
        for (i, result) in pending.into_iter().zip(fetched) {
            remember(config, jobs[i].source.name(), &jobs[i].key, &result, &mut diagnostics);
            results[i] = Some(result.map(Cached::Found));
        }
    }

    for (job, result) in jobs.iter().zip(results) {
        let c = &mut inv.components[job.index];
        match result {
            Some(Ok(Cached::Found(facts))) => {
                diagnostics.extend(facts::apply(c, job.source.name(), &facts));
            }
            Some(Ok(Cached::NotFound { url })) => {
                summary.failed += 1;
                diagnostics.push(failure(c, job, &FetchError::NotFound { url }));
            }
            Some(Err(e)) => {
                summary.failed += 1;
                diagnostics.push(failure(c, job, &e));
            }
            None => {}
        }
    }
    diagnostics.extend(license_url::resolve_inventory(inv, config));
    diagnostics.sort();
    diagnostics.dedup();
    (summary, diagnostics)
}

/// Put a fetched answer into the cache, if there is one: an unknown package
/// (or page) is an answer too, a failure is not.
fn remember(
    config: &Config,
    source: &str,
    key: &str,
    result: &Result<Facts, FetchError>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let entry = match result {
        Ok(facts) => Cached::Found(facts.clone()),
        Err(FetchError::NotFound { url }) => Cached::NotFound { url: url.clone() },
        Err(_) => return,
    };
    if let Some(cache) = &config.cache
        && let Err(e) = cache.put(source, key, &entry)
    {
        diagnostics.push(Diagnostic::warning(
            "registry::cache",
            Location::new(cache.dir().display().to_string(), None),
            format!("cannot write the registry cache: {e}"),
        ));
    }
}

fn failure(c: &Component, job: &Job, e: &FetchError) -> Diagnostic {
    let at = c.locations.first().cloned().unwrap_or_else(|| Location::new(c.purl.clone(), None));
    Diagnostic::warning(
        e.code(),
        at,
        format!(
            "{}@{}: no registry metadata from {} ({}): {e}",
            c.display_name(),
            c.version,
            job.source.name(),
            job.base
        ),
    )
}

/// Which components can be looked up where. A component from another
/// registry than the configured one is left alone: the public registry may
/// know a different package of the same name.
fn plan(components: &[Component], config: &Config, diagnostics: &mut Vec<Diagnostic>) -> Vec<Job> {
    let mut jobs = Vec::new();
    let mut elsewhere: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, c) in components.iter().enumerate() {
        let Some(source) = c.ecosystem.and_then(|e| sources::all().into_iter().find(|s| s.ecosystem() == e)) else {
            continue;
        };
        let Some(base) = config.sources.get(source.name()) else { continue };
        if c.version.is_empty() || c.properties.contains_key(PROP_UNLOCKED) {
            continue;
        }
        match &c.source {
            Origin::Registry { url: None } => {}
            Origin::Registry { url: Some(url) } if http::host_of(url) == http::host_of(base) => {}
            Origin::Registry { url: Some(_) } => {
                *elsewhere.entry(source.name()).or_default() += 1;
                continue;
            }
            // Composer locks name the VCS checkout and the dist archive of
            // every package, Packagist ones included.
            Origin::Git { .. } | Origin::Url { .. } if c.ecosystem == Some(sovra_core::Ecosystem::Composer) => {}
            _ => continue,
        }
        jobs.push(Job { index, source, base: base.clone(), key: c.purl.clone() });
    }
    for (source, n) in elsewhere {
        diagnostics.push(Diagnostic::new(
            Severity::Info,
            "registry::other-registry",
            Location::new("", None),
            format!(
                "{n} {source} component(s) come from another registry than {}; not looked up",
                config.sources[source]
            ),
        ));
    }
    jobs
}

/// Fetch the pending jobs on worker threads; results in the order given.
fn fetch_all(
    jobs: &[Job],
    pending: &[usize],
    components: &[Component],
    config: &Config,
    progress: &dyn Progress,
) -> Vec<Result<Facts, FetchError>> {
    let http = Http::new(config.http.clone());
    let detector = OnceLock::new();
    let hosts: std::collections::BTreeSet<&str> = pending.iter().map(|&i| http::host_of(&jobs[i].base)).collect();
    // Twice as many threads as request slots: a lookup makes several requests
    // with parsing in between, and a waiting thread takes a slot the moment
    // it frees. The bound itself is enforced per request inside `Http`.
    let workers = 2 * config.http.per_host.max(1) * hosts.len();
    parallel(pending, workers, |&i| {
        let job = &jobs[i];
        let cx = sources::Context { http: &http, base: &job.base, detector: &detector };
        let result = job.source.lookup(&cx, &components[job.index]);
        progress.done(if result.is_ok() { Outcome::Fetched } else { Outcome::Failed });
        result
    })
}

/// `f` over `items` on up to `workers` threads (at most 128); the results in
/// the order of the items.
fn parallel<T: Sync, R: Send>(items: &[T], workers: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = items.len().min(workers).clamp(1, 128);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(n) else { break };
                    let result = f(item);
                    results.lock().unwrap_or_else(|e| e.into_inner())[n] = Some(result);
                }
            });
        }
    });
    // Every index below `items.len()` was taken by exactly one worker.
    results.into_inner().unwrap_or_else(|e| e.into_inner()).into_iter().flatten().collect()
}
