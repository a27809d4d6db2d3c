//! Gradle dependency verification metadata (`gradle/verification-metadata.xml`).
//!
//! `<components><component group name version><artifact name>` lists every
//! file Gradle checked, with `<sha256 value>`/`<sha512 value>` (also `<md5>`,
//! `<sha1>`) and further accepted digests in `<also-trust value>`. Each digest
//! becomes a [`Hash`] tied to its artifact file name. `.pom`/`.module` files
//! are metadata; the first other artifact (preferring `name-version.ext`) is
//! the component's distribution file.
//!
//! The file covers everything the build resolved, plugins and build tooling
//! included, and says nothing about scope or edges. Every component is
//! reported (an auditor wants all code that entered the build) with no scope
//! of its own, so a lockfile or POM sighting of the same package decides it,
//! and with `sovra:maven:gradle-verified=true`. `<configuration>`, trusted and
//! ignored keys and trusted-artifact rules are settings, not components.

use std::collections::BTreeMap;

use sovra_core::{Completeness, Component, Diagnostic, Ecosystem, Hash, HashAlg, Location, Parsed};

use sovra_core::xml;

pub fn parse_verification_metadata(text: &str, path: &str) -> Parsed {
    // No edges and no scopes: the file does not say what depends on what.
    let mut out = Parsed { completeness: Completeness::Unknown, ..Parsed::default() };
    let root = match xml::parse(text, path, "maven") {
        Ok((root, warnings)) => {
            out.diagnostics.extend(warnings);
            root
        }
        Err(d) => {
            out.diagnostics.push(d);
            return out;
        }
    };
    if root.name != "verification-metadata" {
        out.diagnostics.push(Diagnostic::error(
            "maven::not-verification-metadata",
            Location::new(path, Some(root.line)),
            format!("root element is <{}>, not <verification-metadata>", root.name),
        ));
        return out;
    }
    let mut components: BTreeMap<String, Component> = BTreeMap::new();
    for el in root.all("components/component") {
        let at = Location::new(path, Some(el.line));
        let (Some(g), Some(n), Some(v)) = (el.attr("group"), el.attr("name"), el.attr("version")) else {
            out.diagnostics.push(Diagnostic::warning(
                "maven::bad-component",
                at,
                "<component> without group, name or version skipped",
            ));
            continue;
        };
        let mut c = Component::new(Ecosystem::Maven, Some(g), n, v);
        c.scope = None;
        c.locations.push(at);
        c.properties.insert("sovra:maven:gradle-verified".into(), "true".into());
        let mut pgp = Vec::new();
        let mut files = Vec::new();
        for artifact in el.children("artifact") {
            let Some(file) = artifact.attr("name") else { continue };
            files.push(file);
            for digest in &artifact.children {
                if digest.name == "pgp" {
                    pgp.extend(digest.attr("value").map(str::to_string));
                    continue;
                }
                let Some(alg) = algorithm(&digest.name) else { continue };
                let values = digest
                    .attr("value")
                    .into_iter()
                    .chain(digest.children("also-trust").filter_map(|t| t.attr("value")));
                for value in values {
                    match Hash::from_hex(alg, value) {
                        Some(h) => c.hashes.push(h.with_file(file)),
                        None => out.diagnostics.push(Diagnostic::warning(
                            "maven::bad-hash",
                            Location::new(path, Some(digest.line)),
                            format!("{} of {file} is not a {}-digit hex digest", digest.name, alg.hex_len()),
                        )),
                    }
                }
            }
        }
        c.filename = distribution_file(n, v, &files).map(str::to_string);
        if !pgp.is_empty() {
            pgp.sort();
            pgp.dedup();
            c.properties.insert("sovra:maven:pgp-keys".into(), pgp.join(","));
        }
        match components.get_mut(&c.purl) {
            Some(existing) => existing.merge(c),
            None => {
                components.insert(c.purl.clone(), c);
            }
        }
    }
    out.components = components.into_values().collect();
    out
}

fn algorithm(element: &str) -> Option<HashAlg> {
    Some(match element {
        "md5" => HashAlg::Md5,
        "sha1" => HashAlg::Sha1,
        "sha256" => HashAlg::Sha256,
        "sha512" => HashAlg::Sha512,
        _ => return None,
    })
}

fn distribution_file<'a>(name: &str, version: &str, files: &[&'a str]) -> Option<&'a str> {
    let is_metadata = |f: &str| f.ends_with(".pom") || f.ends_with(".module");
    let main = format!("{name}-{version}.");
    files
        .iter()
        .find(|f| !is_metadata(f) && f.strip_prefix(&main).is_some_and(|ext| !ext.contains('.')))
        .or_else(|| files.iter().find(|f| !is_metadata(f)))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_artifact_is_the_distribution_file() {
        let files = ["a-1.0-sources.jar", "a-1.0.pom", "a-1.0.jar"];
        assert_eq!(distribution_file("a", "1.0", &files), Some("a-1.0.jar"));
        assert_eq!(distribution_file("a", "1.0", &["a-1.0.module", "a-1.0-linux.jar"]), Some("a-1.0-linux.jar"));
        assert_eq!(distribution_file("a", "1.0", &["a-1.0.pom"]), None);
    }
}
