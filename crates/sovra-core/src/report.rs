//! The dashboard report (`sovra scan --format json`): a stable, versioned JSON
//! document whose schema is published in `schemas/sovra-report-1.schema.json`.
//!
//! Everything a dashboard charts is precomputed in `summary`, so that a
//! consumer needs no knowledge of licences or of the risk model.
//! Fields are only ever added within a major version.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{
    ConcludedLicense, DeclaredLicense, Diagnostic, Ecosystem, Hash, Inventory, Location, Scope, Source,
};
use crate::policy::{Outcome, Policy, Violation};
use crate::risk::{Assessment, Finding, Level, ProjectVendor};
use crate::{bsi, license};

/// The major version of the report format; the schema's file name carries it.
pub const REPORT_VERSION: &str = "1.0";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report<'a> {
    pub report_version: &'static str,
    pub tool: Tool<'a>,
    pub timestamp: String,
    pub project: ProjectSection<'a>,
    pub components: Vec<ComponentEntry<'a>>,
    pub dependencies: Vec<DependencyEntry<'a>>,
    pub summary: Summary<'a>,
    pub diagnostics: &'a [Diagnostic],
    pub policy: Option<PolicySection<'a>>,
    /// With `--profile`: which fields of the profile the scan filled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<ProfileSection>,
}

/// The profile's fields as the scan filled them: per field how many subjects
/// (the SBOM, or the tree, projects and components) have it, and per
/// bom-ref the fields missing.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSection {
    pub name: &'static str,
    pub guideline: &'static str,
    pub fields: Vec<FieldScore>,
    pub missing: Vec<MissingEntry>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldScore {
    pub field: bsi::Field,
    pub requirement: bsi::Requirement,
    pub level: bsi::Level,
    pub complete: usize,
    pub total: usize,
    /// Why the inputs did not give it, where some subject lacks it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MissingEntry {
    pub bom_ref: String,
    pub fields: Vec<bsi::Field>,
}

/// The profile section for an inventory that [`bsi::apply`] has filled.
pub fn profile_section(inv: &Inventory, has_manufacturer: bool) -> ProfileSection {
    let gaps = bsi::gaps(inv, has_manufacturer);
    let subjects = bsi::subjects(inv).count();
    let fields = bsi::JUDGED
        .iter()
        .filter_map(|&field| {
            let requirement = field.requirement()?;
            let total = match field.level() {
                bsi::Level::Sbom => 1,
                bsi::Level::Component => subjects,
            };
            let of_field: Vec<&bsi::Gap> = gaps.iter().filter(|g| g.field == field).collect();
            Some(FieldScore {
                field,
                requirement,
                level: field.level(),
                complete: total.saturating_sub(of_field.len()),
                total,
                reason: of_field.first().map(|g| g.reason),
            })
        })
        .collect();
    let mut by_ref: BTreeMap<&str, Vec<bsi::Field>> = BTreeMap::new();
    for g in &gaps {
        by_ref.entry(&g.bom_ref).or_default().push(g.field);
    }
    let missing = by_ref.into_iter().map(|(r, fields)| MissingEntry { bom_ref: r.to_string(), fields }).collect();
    ProfileSection { name: bsi::PROFILE, guideline: bsi::GUIDELINE, fields, missing }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tool<'a> {
    pub name: &'static str,
    pub version: &'a str,
    pub vendor_data: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectSection<'a> {
    pub name: &'a str,
    pub level: Level,
    pub score: u32,
    pub projects: Vec<ProjectEntry<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectEntry<'a> {
    pub bom_ref: &'a str,
    pub name: &'a str,
    pub version: &'a str,
    pub ecosystem: Option<Ecosystem>,
    pub manifest: &'a Location,
    pub licenses: Vec<&'a DeclaredLicense>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentEntry<'a> {
    pub purl: &'a str,
    pub name: &'a str,
    pub namespace: Option<&'a str>,
    pub version: &'a str,
    pub ecosystem: Option<Ecosystem>,
    pub scope: &'static str,
    pub source: &'a Source,
    pub hashes: &'a [Hash],
    pub locations: &'a [Location],
    pub licenses: LicenseEntry<'a>,
    pub risk: RiskEntry<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseEntry<'a> {
    pub declared: &'a [DeclaredLicense],
    pub concluded: Option<&'a ConcludedLicense>,
    /// The licence the risk model judged (concluded, else declared).
    pub effective: Option<String>,
    pub class: &'static str,
    pub osi_approved: bool,
    pub fsf_libre: bool,
    pub free: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskEntry<'a> {
    pub level: Level,
    pub score: u32,
    pub factors: &'a [Finding],
    pub vendors: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DependencyEntry<'a> {
    #[serde(rename = "ref")]
    pub reference: &'a str,
    pub depends_on: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary<'a> {
    pub components: usize,
    pub projects: usize,
    pub by_ecosystem: BTreeMap<String, usize>,
    pub by_scope: BTreeMap<&'static str, usize>,
    pub by_license: BTreeMap<String, usize>,
    pub by_license_class: BTreeMap<&'static str, usize>,
    pub by_risk_level: BTreeMap<Level, usize>,
    pub by_factor: BTreeMap<&'static str, usize>,
    pub vendors: &'a [ProjectVendor],
    /// Percent of delivered components under a free licence.
    pub free_license_share: f64,
    pub worst_components: &'a [String],
    pub diagnostics: BTreeMap<String, usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicySection<'a> {
    pub source: &'a str,
    pub passed: bool,
    pub errors: usize,
    pub warnings: usize,
    pub checked: usize,
    pub violations: &'a [Violation],
    pub waived: Vec<Waived<'a>>,
}

#[derive(Serialize)]
pub struct Waived<'a> {
    pub violation: &'a Violation,
    pub reason: &'a str,
}

/// Build the report. `policy` is the policy checked and its outcome, if any.
pub fn build<'a>(
    inv: &'a Inventory,
    assessment: &'a Assessment,
    policy: Option<(&'a Policy, &'a Outcome)>,
    tool_version: &'a str,
    timestamp: String,
) -> Report<'a> {
    let mut summary = Summary {
        components: inv.components.len(),
        projects: inv.projects.len(),
        by_ecosystem: BTreeMap::new(),
        by_scope: BTreeMap::new(),
        by_license: BTreeMap::new(),
        by_license_class: BTreeMap::new(),
        by_risk_level: Level::ALL.iter().map(|l| (*l, 0)).collect(),
        by_factor: BTreeMap::new(),
        vendors: &assessment.project.vendors,
        free_license_share: assessment.project.free_license_share,
        worst_components: &assessment.project.worst,
        diagnostics: BTreeMap::new(),
    };
    let mut components = Vec::with_capacity(inv.components.len());
    for c in &inv.components {
        let Some(risk) = assessment.components.get(&c.purl) else { continue };
        let scope = c.scope.unwrap_or(Scope::Required).as_str();
        let class = risk.license.as_deref().map(license::classify);
        let class_name = class.as_ref().map_or("unknown", |k| crate::risk::class_name(k.class));
        *summary.by_ecosystem.entry(c.ecosystem.map_or("unknown".into(), |e| e.to_string())).or_default() += 1;
        *summary.by_scope.entry(scope).or_default() += 1;
        *summary.by_license.entry(risk.license.clone().unwrap_or_else(|| "NOASSERTION".into())).or_default() += 1;
        *summary.by_license_class.entry(class_name).or_default() += 1;
        *summary.by_risk_level.entry(risk.level).or_default() += 1;
        for f in &risk.findings {
            *summary.by_factor.entry(f.factor.id()).or_default() += 1;
        }
        components.push(ComponentEntry {
            purl: &c.purl,
            name: &c.name,
            namespace: c.namespace.as_deref(),
            version: &c.version,
            ecosystem: c.ecosystem,
            scope,
            source: &c.source,
            hashes: &c.hashes,
            locations: &c.locations,
            licenses: LicenseEntry {
                declared: &c.declared_licenses,
                concluded: c.concluded_license.as_ref(),
                effective: risk.license.clone(),
                class: class_name,
                osi_approved: class.as_ref().is_some_and(|k| k.osi_approved),
                fsf_libre: class.as_ref().is_some_and(|k| k.fsf_libre),
                free: risk.free_license,
            },
            risk: RiskEntry {
                level: risk.level,
                score: risk.score,
                factors: &risk.findings,
                vendors: risk.vendors.iter().map(|v| v.id.as_str()).collect(),
            },
        });
    }
    for d in &inv.diagnostics {
        *summary.diagnostics.entry(d.severity.to_string()).or_default() += 1;
    }
    Report {
        report_version: REPORT_VERSION,
        tool: Tool { name: "sovra", version: tool_version, vendor_data: &assessment.vendor_data_version },
        timestamp,
        project: ProjectSection {
            name: &inv.root.name,
            level: assessment.project.level.unwrap_or(Level::None),
            score: assessment.project.score,
            projects: inv
                .projects
                .iter()
                .map(|p| ProjectEntry {
                    bom_ref: &p.bom_ref,
                    name: &p.component.name,
                    version: &p.component.version,
                    ecosystem: p.component.ecosystem,
                    manifest: &p.manifest,
                    licenses: p.component.declared_licenses.iter().collect(),
                })
                .collect(),
        },
        components,
        dependencies: inv
            .dependencies
            .iter()
            .map(|(r, deps)| DependencyEntry { reference: r, depends_on: deps.iter().map(String::as_str).collect() })
            .collect(),
        summary,
        diagnostics: &inv.diagnostics,
        policy: policy.map(|(p, o)| PolicySection {
            source: &p.source,
            passed: o.passed(),
            errors: o.errors(),
            warnings: o.warnings(),
            checked: o.checked,
            violations: &o.violations,
            waived: o.waived.iter().map(|(v, r)| Waived { violation: v, reason: r }).collect(),
        }),
        profile: None,
    }
}

/// The report as pretty-printed JSON with a trailing newline.
pub fn to_json(report: &Report<'_>) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
