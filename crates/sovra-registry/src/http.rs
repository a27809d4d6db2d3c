//! HTTP GET with the manners a registry client owes: a bounded number of
//! requests per host, timeouts, retries with backoff on 429/5xx that honour
//! `Retry-After`, and size limits on what is read.
//!
//! A blocking client (ureq, rustls on the ring provider) and plain threads
//! rather than an async runtime: the work is a few hundred independent GETs,
//! bounded to a handful per host, so a few dozen parked threads cost nothing,
//! while tokio + hyper would double the compile time of the binary on the
//! two-core machines Sovra is built on.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

/// How the client behaves towards registries.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// For one request, from connecting to the last byte of the body.
    pub timeout: Duration,
    /// Further attempts after a 429, a 5xx or a failed connection.
    pub retries: u32,
    /// Requests in flight at once to one host (scheme, host and port).
    pub per_host: usize,
    /// A `Retry-After` longer than this is not waited for: the package fails.
    pub max_retry_after: Duration,
    /// First backoff delay; doubled on each further attempt.
    pub backoff: Duration,
}

impl Default for HttpConfig {
    fn default() -> HttpConfig {
        HttpConfig {
            timeout: Duration::from_secs(30),
            retries: 3,
            per_host: 16,
            max_retry_after: Duration::from_secs(60),
            backoff: Duration::from_millis(250),
        }
    }
}

/// Largest JSON or XML document read (an npm packument of a package with
/// thousands of versions is a few MB).
pub const DOC_LIMIT: u64 = 32 << 20;

/// Why a document could not be had.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FetchError {
    #[error("not found: {url}")]
    NotFound { url: String },
    #[error("HTTP {status} from {url}{}", attempts_note(*.attempts))]
    Status { status: u16, url: String, attempts: u32 },
    #[error("{url} asked to retry after {secs} s, longer than Sovra waits")]
    RetryTooLate { url: String, secs: u64 },
    #[error("no answer from {url} within {secs} s{}", attempts_note(*.attempts))]
    Timeout { url: String, secs: u64, attempts: u32 },
    #[error("cannot reach {url}: {message}{}", attempts_note(*.attempts))]
    Unreachable { url: String, message: String, attempts: u32 },
    #[error("response from {url} is larger than {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("malformed response from {url}: {message}")]
    Malformed { url: String, message: String },
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 { format!(" (after {attempts} attempts)") } else { String::new() }
}

impl FetchError {
    pub fn malformed(url: &str, message: impl Into<String>) -> FetchError {
        FetchError::Malformed { url: url.to_string(), message: message.into() }
    }

    /// The diagnostic code a failed package is reported with.
    pub fn code(&self) -> &'static str {
        match self {
            FetchError::NotFound { .. } => "registry::not-found",
            FetchError::Malformed { .. } | FetchError::TooLarge { .. } => "registry::malformed",
            _ => "registry::unavailable",
        }
    }
}

/// A response body and the header some sources date versions by.
#[derive(Debug)]
pub struct Body {
    pub bytes: Vec<u8>,
    /// `Last-Modified`, as RFC 3339.
    pub last_modified: Option<String>,
}

/// One counting semaphore per host.
struct Slots {
    free: Mutex<usize>,
    cv: Condvar,
}

impl Slots {
    fn acquire(&self) -> SlotGuard<'_> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self.cv.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        SlotGuard(self)
    }
}

struct SlotGuard<'a>(&'a Slots);

impl Drop for SlotGuard<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.cv.notify_one();
    }
}

type Shared = Arc<OnceLock<Result<Arc<Body>, FetchError>>>;

/// The client one enrichment run shares between its worker threads.
pub struct Http {
    agent: ureq::Agent,
    config: HttpConfig,
    hosts: Mutex<HashMap<String, Arc<Slots>>>,
    /// Documents several packages need (owner lists, service indexes),
    /// fetched once per run.
    shared: Mutex<HashMap<String, Shared>>,
}

enum Attempt {
    Done(Result<Body, FetchError>),
    Retry(FetchError, Option<Duration>),
}

impl Http {
    pub fn new(config: HttpConfig) -> Http {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            .user_agent(concat!("sovra/", env!("CARGO_PKG_VERSION"), " (+https://github.com/sovra-sbom/sovra)"))
            // Keep every slot's connection alive between requests (TLS
            // handshakes are the expensive part of a short GET).
            .max_idle_connections_per_host(config.per_host)
            .max_idle_connections(config.per_host * 8)
            .build()
            .into();
        Http { agent, config, hosts: Mutex::new(HashMap::new()), shared: Mutex::new(HashMap::new()) }
    }

    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// GET a document of at most `limit` bytes, retrying what may pass.
    pub fn get(&self, url: &str, limit: u64) -> Result<Body, FetchError> {
        let slots = self.slots(url);
        let mut attempts = 0u32;
        let mut timeouts = 0u32;
        loop {
            attempts += 1;
            // The slot is held for the request only, not while backing off.
            let outcome = {
                let _slot = slots.acquire();
                self.attempt(url, limit, attempts)
            };
            let (err, wait) = match outcome {
                Attempt::Done(result) => return result,
                Attempt::Retry(err, wait) => (err, wait),
            };
            if let FetchError::Timeout { .. } = err {
                // A server too slow once is likely too slow again; one more try.
                timeouts += 1;
                if timeouts > 1 {
                    return Err(err);
                }
            }
            if attempts > self.config.retries {
                return Err(err);
            }
            let wait = wait.unwrap_or_else(|| self.backoff(url, attempts));
            if wait > self.config.max_retry_after {
                return Err(FetchError::RetryTooLate { url: url.to_string(), secs: wait.as_secs() });
            }
            std::thread::sleep(wait);
        }
    }

    /// [`Http::get`], once per run for a URL; every caller gets the same result.
    pub fn get_shared(&self, url: &str, limit: u64) -> Result<Arc<Body>, FetchError> {
        let cell = {
            let mut shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
            shared.entry(url.to_string()).or_default().clone()
        };
        cell.get_or_init(|| self.get(url, limit).map(Arc::new)).clone()
    }

    fn slots(&self, url: &str) -> Arc<Slots> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts
            .entry(host_of(url).to_string())
            .or_insert_with(|| Arc::new(Slots { free: Mutex::new(self.config.per_host.max(1)), cv: Condvar::new() }))
            .clone()
    }

    fn attempt(&self, url: &str, limit: u64, attempts: u32) -> Attempt {
        let secs = self.config.timeout.as_secs().max(1);
        let response = self.agent.get(url).header("Accept", "application/json, */*;q=0.5").call();
        let mut response = match response {
            Ok(r) => r,
            Err(ureq::Error::Timeout(_)) => {
                return Attempt::Retry(FetchError::Timeout { url: url.to_string(), secs, attempts }, None);
            }
            Err(e) => {
                let err = FetchError::Unreachable { url: url.to_string(), message: e.to_string(), attempts };
                return Attempt::Retry(err, None);
            }
        };
        let status = response.status().as_u16();
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        match status {
            200..=299 => {}
            404 | 410 => return Attempt::Done(Err(FetchError::NotFound { url: url.to_string() })),
            429 | 500..=599 => {
                let wait = header("retry-after").and_then(|v| retry_after(&v, SystemTime::now()));
                return Attempt::Retry(FetchError::Status { status, url: url.to_string(), attempts }, wait);
            }
            _ => return Attempt::Done(Err(FetchError::Status { status, url: url.to_string(), attempts })),
        }
        let last_modified = header("last-modified")
            .and_then(|v| httpdate::parse_http_date(&v).ok())
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map(|d| sovra_core::time::rfc3339(d.as_secs() as i64));
        match response.body_mut().with_config().limit(limit).read_to_vec() {
            Ok(bytes) => Attempt::Done(Ok(Body { bytes, last_modified })),
            Err(ureq::Error::BodyExceedsLimit(_)) => {
                Attempt::Done(Err(FetchError::TooLarge { url: url.to_string(), limit }))
            }
            Err(ureq::Error::Timeout(_)) => {
                Attempt::Retry(FetchError::Timeout { url: url.to_string(), secs, attempts }, None)
            }
            Err(e) => {
                Attempt::Retry(FetchError::Unreachable { url: url.to_string(), message: e.to_string(), attempts }, None)
            }
        }
    }

    /// Exponential backoff with a little spread, so that the requests a 429
    /// turned away do not all come back in the same millisecond.
    fn backoff(&self, url: &str, attempts: u32) -> Duration {
        let base = self.config.backoff.saturating_mul(1 << attempts.saturating_sub(1).min(6));
        let spread = url.bytes().fold(attempts, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % 25;
        base + base * spread / 100
    }
}

/// `scheme://host:port` of a URL: the unit concurrency is bounded by.
pub fn host_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..].find(['/', '?', '#']).map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}

/// A `Retry-After` value: delay seconds or an HTTP date.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_include_the_port_and_not_the_path() {
        assert_eq!(host_of("http://127.0.0.1:8080/npm/lodash"), "http://127.0.0.1:8080");
        assert_eq!(host_of("https://crates.io"), "https://crates.io");
        assert_eq!(host_of("https://repo.example?x=1"), "https://repo.example");
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        // RFC 9110's example date, 100 s after `now`.
        assert_eq!(retry_after("Sun, 06 Nov 1994 08:51:17 GMT", now), Some(Duration::from_secs(100)));
        assert_eq!(retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn backoff_grows_and_stays_close_to_the_base() {
        let http = Http::new(HttpConfig::default());
        let first = http.backoff("u", 1);
        let third = http.backoff("u", 3);
        assert!(first >= Duration::from_millis(250) && first < Duration::from_millis(313), "{first:?}");
        assert!(third >= Duration::from_millis(1000) && third < Duration::from_millis(1250), "{third:?}");
    }
}
