//! Online: declared licences that are only a URL are read from the page
//! behind it, cached per URL; the raw URL is kept.

use sovra_core::{Component, DeclaredLicense, Ecosystem, Inventory};
use sovra_registry::testing::{Reply, Server};
use sovra_registry::{Cache, Config, NoProgress, enrich};

const BSD2: &str = "Copyright (c) 2019 Example

Redistribution and use in source and binary forms, with or without modification, are permitted \
provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this list of conditions \
and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice, this list of \
conditions and the following disclaimer in the documentation and/or other materials provided with \
the distribution.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS \"AS IS\" AND ANY EXPRESS OR \
IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND \
FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR \
CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL \
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, \
DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER \
IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF \
THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
";

fn component(name: &str, raw: &str) -> Component {
    let mut c = Component::new(Ecosystem::Nuget, None, name, "1.0.0");
    c.declared_licenses.push(DeclaredLicense::raw(raw));
    sovra_core::license::normalize_component(&mut c);
    c
}

fn inventory(base: &str) -> Inventory {
    let components = vec![
        component("A", &format!("{base}/lic/bsd.txt")),
        // The same URL twice is fetched once.
        component("B", &format!("{base}/lic/bsd.txt")),
        component("C", &format!("{base}/lic/readme.txt")),
        component("D", &format!("{base}/lic/gone.txt")),
        // A licence's own URL needs no page.
        component("E", "https://opensource.org/licenses/MIT"),
        component("F", "MIT"),
    ];
    Inventory { components, ..Inventory::default() }
}

fn expressions(inv: &Inventory) -> Vec<(String, String)> {
    inv.components
        .iter()
        .map(|c| {
            (
                c.declared_licenses[0].raw.rsplit('/').next().unwrap().to_string(),
                c.declared_licenses[0].expression.clone().unwrap(),
            )
        })
        .collect()
}

#[test]
fn url_only_licences_are_read_from_their_page_once_and_cached() {
    let cache = tempfile::tempdir().unwrap();
    let config = Config {
        sources: Default::default(),
        cache: Some(Cache::new(cache.path().to_path_buf(), 7)),
        http: Default::default(),
    };
    let server = Server::start(|_| {
        |target: &str| match target {
            "/lic/bsd.txt" => Reply::ok(BSD2),
            "/lic/readme.txt" => Reply::ok("Build with make. Questions to the mailing list."),
            _ => Reply::status(404),
        }
    });
    let mut inv = inventory(&server.url());
    let (_, diagnostics) = enrich(&mut inv, &config, &NoProgress);
    let want = [
        ("bsd.txt", "BSD-2-Clause"),
        ("bsd.txt", "BSD-2-Clause"),
        ("readme.txt", "NOASSERTION"),
        ("gone.txt", "NOASSERTION"),
        ("MIT", "MIT"),
        ("MIT", "MIT"),
    ];
    let want: Vec<(String, String)> = want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(expressions(&inv), want);
    assert_eq!(server.requests(), 3);
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&"registry::license-url"), "{codes:?}");
    assert!(codes.contains(&"registry::license-url-unknown"), "{codes:?}");
    assert!(codes.contains(&"registry::not-found"), "{codes:?}");
    assert!(
        diagnostics.iter().any(|d| d.message.contains("A@1.0.0, B@1.0.0: the licence URL's page grants BSD-2-Clause")),
        "{diagnostics:?}"
    );

    // The answers, the 404 included, come from the cache the second time.
    let base = server.url();
    drop(server);
    let mut again = inventory(&base);
    let (_, second) = enrich(&mut again, &config, &NoProgress);
    assert_eq!(expressions(&again), want);
    assert_eq!(second, diagnostics);
}
