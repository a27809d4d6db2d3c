//! The digital-sovereignty risk model, as `docs/risk-model.md` defines it.
//!
//! [`Factor`]s are the rules; [`RiskConfig`] holds their severities and the
//! weights (a policy may change both); [`assess`] runs every factor over every
//! component and gives an [`Assessment`]: per-component [`ComponentRisk`] with
//! the evidence of each fired factor, and the [`ProjectRisk`] aggregate.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::{Component, Inventory, Location, Scope, Source};

mod factors;
pub mod vendors;

pub use factors::{
    Factor, PROP_ABANDONED, PROP_DEPRECATED, PROP_MAINTAINERS, PROP_PUBLISHED, PROP_YANKED, class_name,
    effective_license, is_free, req_id,
};
pub use vendors::{Category, Vendor, VendorDb};

/// How much a fired factor matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "info" => Severity::Info,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }
}

/// A component's or the project's overall risk level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl Level {
    pub const ALL: [Level; 5] = [Level::None, Level::Low, Level::Medium, Level::High, Level::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }

    fn of(sev: Severity) -> Level {
        match sev {
            Severity::Info => Level::None,
            Severity::Low => Level::Low,
            Severity::Medium => Level::Medium,
            Severity::High => Level::High,
            Severity::Critical => Level::Critical,
        }
    }
}

/// Severities per factor and weights per severity.
#[derive(Clone, Debug)]
pub struct RiskConfig {
    pub severity: BTreeMap<Factor, Severity>,
    pub weights: BTreeMap<Severity, u32>,
    /// Releases older than this many days are stale.
    pub stale_after_days: u32,
    /// Whether dev-only components count in the project aggregate.
    pub include_dev: bool,
    pub vendors: VendorDb,
    /// "Now" for age computations, as days since 1970-01-01 (fixed by
    /// `SOURCE_DATE_EPOCH` for reproducible reports).
    pub today: i64,
}

impl Default for RiskConfig {
    fn default() -> RiskConfig {
        RiskConfig {
            severity: Factor::ALL.iter().map(|f| (*f, f.default_severity())).collect(),
            weights: [
                (Severity::Info, 0),
                (Severity::Low, 15),
                (Severity::Medium, 40),
                (Severity::High, 70),
                (Severity::Critical, 90),
            ]
            .into_iter()
            .collect(),
            stale_after_days: 730,
            include_dev: false,
            vendors: VendorDb::builtin(),
            today: crate::time::today_days(),
        }
    }
}

impl RiskConfig {
    pub fn severity_of(&self, f: Factor) -> Severity {
        self.severity.get(&f).copied().unwrap_or(f.default_severity())
    }

    fn weight(&self, s: Severity) -> u32 {
        self.weights.get(&s).copied().unwrap_or(0)
    }
}

/// One fired factor, with what made it fire.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub factor: Factor,
    pub severity: Severity,
    pub message: String,
    pub evidence: Evidence,
}

/// Why a factor fired: the file and field it read, the rule or data entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Evidence {
    /// The lockfile or manifest entry the fact comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The field or property read (`license`, `source`, `sovra:registry:published`).
    pub field: String,
    /// The value seen.
    pub value: String,
    /// The rule or data entry that matched (`vendors.toml 2026.11.1: nuget:Azure.*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// The risk of one component.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComponentRisk {
    pub purl: String,
    pub level: Level,
    pub score: u32,
    pub findings: Vec<Finding>,
    pub vendors: Vec<Vendor>,
    /// The licence the licence factors judged (concluded, else declared).
    pub license: Option<String>,
    /// Whether that licence is free (OSI-approved, FSF-libre or public domain).
    pub free_license: bool,
}

/// The delivery as a whole (see "The project aggregate" in the model).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ProjectRisk {
    pub level: Option<Level>,
    pub score: u32,
    pub counts: BTreeMap<Level, usize>,
    pub worst: Vec<String>,
    /// Percent, one decimal.
    pub free_license_share: f64,
    pub components_counted: usize,
    pub vendors: Vec<ProjectVendor>,
    pub factors: BTreeMap<Factor, usize>,
}

/// A vendor and the delivered packages that tie the delivery to it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProjectVendor {
    #[serde(flatten)]
    pub vendor: Vendor,
    pub packages: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Assessment {
    /// Keyed by purl.
    pub components: BTreeMap<String, ComponentRisk>,
    pub project: ProjectRisk,
    pub vendor_data_version: String,
}

/// Rate every component and the whole inventory.
pub fn assess(inv: &Inventory, cfg: &RiskConfig) -> Assessment {
    let components: BTreeMap<String, ComponentRisk> =
        inv.components.iter().map(|c| (c.purl.clone(), assess_component(c, cfg))).collect();
    let project = aggregate(inv, &components, cfg);
    Assessment { components, project, vendor_data_version: cfg.vendors.version.clone() }
}

pub fn assess_component(c: &Component, cfg: &RiskConfig) -> ComponentRisk {
    let matches = cfg.vendors.matches(c);
    let effective = factors::effective_license(c);
    let findings = factors::evaluate(c, cfg, &matches, effective.as_ref());
    let weights: Vec<u32> = findings.iter().map(|f| cfg.weight(f.severity)).collect();
    let worst = weights.iter().copied().max().unwrap_or(0);
    let others = weights.iter().filter(|w| **w > 0).count().saturating_sub(1) as u32;
    let score = if worst == 0 { 0 } else { (worst + 5 * others).min(100) };
    let level = findings.iter().map(|f| Level::of(f.severity)).max().unwrap_or(Level::None);
    let vendors = matches.iter().map(|m| m.vendor.clone()).collect();
    let free_license = effective.as_ref().is_some_and(|(_, class)| is_free(class));
    let license = effective.map(|(e, _)| e);
    ComponentRisk { purl: c.purl.clone(), level, score, findings, vendors, license, free_license }
}

fn aggregate(inv: &Inventory, risks: &BTreeMap<String, ComponentRisk>, cfg: &RiskConfig) -> ProjectRisk {
    let counted: Vec<(&Component, &ComponentRisk)> = inv
        .components
        .iter()
        .filter(|c| cfg.include_dev || c.scope != Some(Scope::Dev))
        .filter_map(|c| risks.get(&c.purl).map(|r| (c, r)))
        .collect();
    let mut p = ProjectRisk { components_counted: counted.len(), ..ProjectRisk::default() };
    for l in Level::ALL {
        p.counts.insert(l, 0);
    }
    let mut vendors: BTreeMap<String, ProjectVendor> = BTreeMap::new();
    let mut free = 0usize;
    for (c, r) in &counted {
        *p.counts.entry(r.level).or_default() += 1;
        free += usize::from(r.free_license);
        for f in &r.findings {
            *p.factors.entry(f.factor).or_default() += 1;
        }
        for v in &r.vendors {
            vendors
                .entry(v.id.clone())
                .or_insert_with(|| ProjectVendor { vendor: v.clone(), packages: Vec::new() })
                .packages
                .push(c.purl.clone());
        }
    }
    let mut ranked: Vec<&ComponentRisk> = counted.iter().map(|(_, r)| *r).filter(|r| r.score > 0).collect();
    ranked.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.purl.cmp(&b.purl)));
    p.worst = ranked.iter().take(10).map(|r| r.purl.clone()).collect();
    p.score = ranked.first().map_or(0, |r| r.score);
    p.level = Some(counted.iter().map(|(_, r)| r.level).max().unwrap_or(Level::None));
    p.free_license_share =
        if counted.is_empty() { 100.0 } else { (free as f64 * 1000.0 / counted.len() as f64).round() / 10.0 };
    p.vendors = vendors.into_values().collect();
    p
}

impl Assessment {
    /// Put each component's risk into its properties (`sovra:risk:*`), so
    /// that every writer carries it without knowing the risk model.
    pub fn annotate(&self, inv: &mut Inventory) {
        for c in &mut inv.components {
            let Some(r) = self.components.get(&c.purl) else { continue };
            c.properties.insert("sovra:risk:level".into(), r.level.as_str().into());
            c.properties.insert("sovra:risk:score".into(), r.score.to_string());
            let ids: BTreeSet<&str> = r.findings.iter().map(|f| f.factor.id()).collect();
            if !ids.is_empty() {
                c.properties.insert("sovra:risk:factors".into(), ids.into_iter().collect::<Vec<_>>().join(","));
            }
            let vendors: BTreeSet<String> =
                r.vendors.iter().map(|v| format!("{} ({}, {})", v.id, v.category.as_str(), v.country)).collect();
            if !vendors.is_empty() {
                c.properties.insert("sovra:risk:vendors".into(), vendors.into_iter().collect::<Vec<_>>().join(", "));
            }
        }
    }
}

/// Whether a git reference is a full commit id (SHA-1 or SHA-256 hex).
fn is_full_commit(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether a local path, written in the manifest at `manifest`, leaves the tree.
fn path_leaves_tree(manifest: &str, path: &str) -> bool {
    let p = path.trim_start_matches("file:");
    p.starts_with('/')
        || p.chars().nth(1) == Some(':')
        || crate::plugin::join_rel(crate::plugin::parent_dir(manifest), p).is_none()
}

fn source_is_registry_or_url(s: &Source) -> bool {
    matches!(s, Source::Registry { .. } | Source::Url { .. })
}

#[cfg(test)]
mod tests;
