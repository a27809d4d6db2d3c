//! SPDX documents: 3.0.1 JSON-LD ([`v3`], the default of `--format
//! spdx-json`) and 2.3 JSON ([`v2`]).
//!
//! Both versions say the same about an inventory, so what they share is
//! decided here once:
//!
//! * [`Package`] is one package of the document: the scanned tree (the
//!   root the document describes), each first-party project and each
//!   third-party component, with a stable SPDX id derived from its bom-ref.
//! * [`Edge`]s are the dependency graph: the tree `contains` its projects,
//!   everything else `dependsOn` what the lockfiles say.
//! * Licences: the declared statements as one SPDX expression, the concluded
//!   one only where Sovra read a licence text. Nothing unknown is guessed;
//!   2.3 writes `NOASSERTION`, 3.0.1 leaves the relationship out.
//! * [`Options`] carries the creation time with the same rules as the
//!   CycloneDX writer (`SOURCE_DATE_EPOCH` makes it and the document's
//!   namespace reproducible).
//!
//! Output is deterministic: packages follow the inventory's order, maps are
//! sorted (`serde_json` without `preserve_order`).

pub mod v2;
pub mod v3;

use sha2::{Digest, Sha256};

use crate::cyclonedx::ids;
use crate::model::{Component, Hash, Inventory, Source};
use crate::party::Organization;
use crate::scan::ROOT_REF;

/// The tool's name in creation info.
pub const TOOL_NAME: &str = "sovra";

/// Everything about a document that does not come from the inventory.
#[derive(Clone, Debug)]
pub struct Options {
    pub tool_version: String,
    /// RFC 3339 UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub created: String,
    /// Whether the namespace is derived from the content (reproducible) or random.
    pub reproducible: bool,
    /// The organisation that makes the SBOM, when configured.
    pub manufacturer: Option<Organization>,
}

impl Options {
    /// Options for a document written now, or at `SOURCE_DATE_EPOCH`.
    pub fn from_env(tool_version: &str, manufacturer: Option<Organization>) -> Options {
        match ids::source_date_epoch().and_then(ids::rfc3339) {
            Some(created) => Options { tool_version: tool_version.into(), created, reproducible: true, manufacturer },
            None => Options {
                tool_version: tool_version.into(),
                created: crate::time::rfc3339(crate::time::now_secs()),
                reproducible: false,
                manufacturer,
            },
        }
    }

    /// Options for a reproducible document dated `epoch`.
    pub fn reproducible(tool_version: &str, epoch: i64) -> Option<Options> {
        Some(Options {
            tool_version: tool_version.into(),
            created: ids::rfc3339(epoch)?,
            reproducible: true,
            manufacturer: None,
        })
    }
}

/// The document's unique part: a UUID from the content when reproducible
/// (`seed` stands for the content), else a random one.
fn document_uuid(opts: &Options, seed: &str) -> String {
    let urn = if opts.reproducible { ids::content_serial(seed.as_bytes()) } else { ids::random_serial() };
    urn.trim_start_matches("urn:uuid:").to_string()
}

/// The namespace every id of a document lives in.
fn namespace(opts: &Options, inv: &Inventory, seed: &str) -> String {
    format!("https://sovra.dev/spdxdocs/{}-{}", id_part(document_name(inv)), document_uuid(opts, seed))
}

fn document_name(inv: &Inventory) -> &str {
    if inv.root.name.trim().is_empty() { "root" } else { &inv.root.name }
}

/// One package of the document.
pub struct Package<'a> {
    /// `SPDXRef-…`, unique in the document.
    pub id: String,
    pub bom_ref: &'a str,
    pub component: &'a Component,
    /// The scanned tree or a first-party project (no registry origin).
    pub first_party: bool,
}

/// Every package: the tree, the projects, then the third-party components.
pub fn packages(inv: &Inventory) -> Vec<Package<'_>> {
    let root =
        std::iter::once(Package { id: spdx_id(ROOT_REF), bom_ref: ROOT_REF, component: &inv.root, first_party: true });
    let projects = inv.projects.iter().map(|p| Package {
        id: spdx_id(&p.bom_ref),
        bom_ref: &p.bom_ref,
        component: &p.component,
        first_party: true,
    });
    let components = inv.components.iter().map(|c| Package {
        id: spdx_id(&c.purl),
        bom_ref: &c.purl,
        component: c,
        first_party: false,
    });
    root.chain(projects).chain(components).collect()
}

/// `SPDXRef-<readable part>-<hash of the bom-ref>`: readable, limited to the
/// characters SPDX ids allow, and unique although the readable part may collide.
pub fn spdx_id(bom_ref: &str) -> String {
    let digest = crate::model::to_hex(&Sha256::digest(bom_ref.as_bytes()));
    let readable = bom_ref.trim_start_matches("pkg:").trim_start_matches("sovra:");
    let readable: String = id_part(readable).chars().take(60).collect();
    format!("SPDXRef-{readable}-{}", &digest[..12])
}

/// Letters, digits, `.` and `-` only.
fn id_part(s: &str) -> String {
    let mapped: String = s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '-' }).collect();
    let trimmed = mapped.trim_matches('-');
    if trimmed.is_empty() { "package".into() } else { trimmed.to_string() }
}

/// What one edge means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// The scanned tree holds a first-party project.
    Contains,
    DependsOn,
}

/// One dependency edge between two packages of the document, by SPDX id.
pub struct Edge {
    pub from: String,
    pub kind: EdgeKind,
    pub to: Vec<String>,
}

/// The graph, one entry per depending package, targets sorted.
pub fn edges(inv: &Inventory) -> Vec<Edge> {
    inv.dependencies
        .iter()
        .filter(|(from, to)| !from.is_empty() && !to.is_empty())
        .map(|(from, to)| {
            let kind = if from == ROOT_REF { EdgeKind::Contains } else { EdgeKind::DependsOn };
            let mut to: Vec<String> = to.iter().filter(|t| !t.is_empty()).map(|t| spdx_id(t)).collect();
            to.sort();
            Edge { from: spdx_id(from), kind, to }
        })
        .collect()
}

/// The declared statements as one SPDX expression (several statements all
/// apply, so they are joined with `AND`); `None` when none maps to SPDX.
pub fn declared_expression(c: &Component) -> Option<String> {
    let mut parts: Vec<String> = c
        .declared_licenses
        .iter()
        .map(|l| l.expression.clone().unwrap_or_else(|| crate::license::normalize(&l.raw).expression))
        .filter(|e| usable(e))
        .collect();
    parts.sort();
    parts.dedup();
    match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(
            parts
                .iter()
                .map(|p| if p.contains(' ') { format!("({p})") } else { p.clone() })
                .collect::<Vec<_>>()
                .join(" AND "),
        ),
    }
}

/// The licence Sovra concluded from a licence text, when it names one.
pub fn concluded_expression(c: &Component) -> Option<String> {
    let l = c.concluded_license.as_ref()?;
    usable(&l.expression).then(|| l.expression.trim().to_string())
}

/// A valid expression naming a licence, without references to other
/// documents (which would need external document references).
fn usable(expression: &str) -> bool {
    crate::validate::profile::licence_expression(expression).is_ok() && !expression.contains("DocumentRef-")
}

/// `LicenseRef-` identifiers an expression uses.
pub fn license_refs(expression: &str) -> Vec<String> {
    expression
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|t| t.starts_with("LicenseRef-"))
        .map(str::to_string)
        .collect()
}

/// The hashes of the package's deployable file (not of other files, such as
/// one wheel among many), as the CycloneDX writer places them on the component.
pub fn own_hashes(c: &Component) -> Vec<&Hash> {
    let download = download_location(c);
    let main_file = c.filename.as_deref().or_else(|| download.as_deref().map(crate::bsi::last_segment));
    let mut out: Vec<&Hash> = c.hashes.iter().filter(|h| h.file.is_none() || h.file.as_deref() == main_file).collect();
    out.sort();
    out.dedup();
    out
}

/// Where the package can be downloaded, as a URL both validators accept:
/// its download URL, a direct URL, or a git source pinned to a commit in
/// the VCS form `git+<url>@<commit>`.
pub fn download_location(c: &Component) -> Option<String> {
    let url = match (&c.download_url, &c.source) {
        (Some(u), _) => u.clone(),
        (None, Source::Url { url }) => url.clone(),
        (None, Source::Git { .. }) => crate::bsi::source_code(c)?.url,
        _ => return None,
    };
    plain_url(&url)
}

/// Where the text can be written to JSON as a URL both validators accept.
fn plain_url(url: &str) -> Option<String> {
    crate::party::is_web_url(url).then(|| url.to_string()).or_else(|| {
        let vcs = url.strip_prefix("git+")?;
        crate::party::is_web_url(vcs).then(|| url.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DeclaredLicense, Ecosystem};

    #[test]
    fn ids_are_valid_and_distinct() {
        let a = spdx_id("pkg:npm/%40babel/core@7.24.0");
        let b = spdx_id("pkg:npm/@babel/core@7.24.0");
        assert_ne!(a, b);
        assert!(
            a.starts_with("SPDXRef-npm-") && a.chars().all(|c| c.is_ascii_alphanumeric() || ".-".contains(c)),
            "{a}"
        );
        assert!(spdx_id("").starts_with("SPDXRef-package-"));
    }

    #[test]
    fn declared_statements_join_and_unknown_text_is_left_out() {
        let mut c = Component::new(Ecosystem::Npm, None, "x", "1.0.0");
        c.declared_licenses = vec![
            DeclaredLicense::raw("MIT"),
            DeclaredLicense::raw("Apache-2.0 OR MIT"),
            DeclaredLicense::raw("see file"),
        ];
        assert_eq!(declared_expression(&c).as_deref(), Some("(Apache-2.0 OR MIT) AND MIT"));
        c.declared_licenses = vec![DeclaredLicense::raw("see file")];
        assert_eq!(declared_expression(&c), None);
        assert_eq!(license_refs("(LicenseRef-a OR MIT) AND LicenseRef-b"), ["LicenseRef-a", "LicenseRef-b"]);
    }
}
