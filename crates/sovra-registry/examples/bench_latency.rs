//! How long `--online` takes for a large lockfile when every request costs
//! 50 ms: the uv workspace of the corpus (`../shared/corpus/cargo/uv`,
//! 753 lockfile packages) against a local server that answers every crates.io
//! request after that delay. No cache, so every package goes over the wire.
//!
//! `cargo run -p sovra-registry --example bench_latency [--release] [-- LATENCY_MS]`

use std::time::{Duration, Instant};

use sovra_registry::testing::{Reply, Server};
use sovra_registry::{Config, NoProgress, enrich};

fn main() {
    let latency = Duration::from_millis(std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50));
    let Some(corpus) = sovra_core::testing::corpus_dir() else { return };
    let mut inv = sovra_core::testing::scan_with(&sovra_cargo::CargoPlugin, &corpus.join("cargo/uv"));

    let server = Server::start(|_| {
        move |target: &str| {
            let reply = match target.strip_prefix("/api/v1/crates/").map(|r| r.split('/').collect::<Vec<_>>()) {
                Some(parts) if parts.len() == 2 && parts[1] == "owners" => {
                    Reply::ok(r#"{"users": [{"id": 1, "login": "a", "kind": "user"}]}"#)
                }
                Some(parts) if parts.len() == 2 => Reply::ok(format!(
                    r#"{{"version": {{"crate": "{}", "num": "{}", "license": "MIT OR Apache-2.0", "yanked": false,
                        "created_at": "2024-01-01T00:00:00.000000+00:00", "repository": "https://github.com/x/{}"}}}}"#,
                    parts[0], parts[1], parts[0]
                )),
                _ => Reply::status(404),
            };
            reply.delay(latency)
        }
    });
    let mut config = Config::default();
    config.sources.retain(|name, _| *name == "cargo");
    config.set_source("cargo", &server.url()).expect("cargo is a source");

    let started = Instant::now();
    let (summary, diagnostics) = enrich(&mut inv, &config, &NoProgress);
    let elapsed = started.elapsed();
    let filled = inv.components.iter().filter(|c| c.properties.contains_key("sovra:registry:published")).count();
    println!(
        "{} components, {} looked up, {} filled, {} failed, {} requests, {} per host, {} ms latency: {:.2} s",
        inv.components.len(),
        summary.looked_up,
        filled,
        summary.failed,
        server.requests(),
        config.http.per_host,
        latency.as_millis(),
        elapsed.as_secs_f64()
    );
    for d in diagnostics.iter().take(5) {
        println!("  {d}");
    }
}
