//! Every policy violation Sovra reports, and how it is printed: like a
//! compiler diagnostic, so that a CI log reads like one.

use std::fmt::{self, Write as _};

use serde::Serialize;

use super::Set;
use super::cfg::{Action, Pos};
use crate::model::{Component, Location};
use crate::risk::{ComponentRisk, Level, Vendor};

/// Every rule id a violation can carry (and a policy exception can name).
pub const RULES: &[&str] = &[
    "licenses.denied",
    "licenses.not-allowed",
    "licenses.non-free",
    "licenses.copyleft",
    "licenses.network-copyleft",
    "licenses.unknown",
    "vendors.denied",
    "vendors.category",
    "risk.threshold",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ViolationLevel {
    Error,
    Warning,
}

/// One component breaking one rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Violation {
    pub level: ViolationLevel,
    pub rule: &'static str,
    pub purl: String,
    pub message: String,
    /// What the decision rests on, one fact a line.
    pub evidence: Vec<String>,
    /// Where the component was read (lockfile and line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Where the policy sets the rule; `None` for a built-in default.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "pos_string")]
    pub policy: Option<Pos>,
}

fn pos_string<S: serde::Serializer>(p: &Option<Pos>, s: S) -> Result<S::Ok, S::Error> {
    match p {
        Some(p) => s.serialize_str(&p.to_string()),
        None => s.serialize_none(),
    }
}

fn new(
    c: &Component,
    level: ViolationLevel,
    rule: &'static str,
    message: String,
    evidence: Vec<String>,
    policy: Option<Pos>,
) -> Violation {
    Violation { level, rule, purl: c.purl.clone(), message, evidence, location: c.locations.first().cloned(), policy }
}

fn license_evidence(c: &Component) -> Vec<String> {
    let mut ev: Vec<String> = c
        .declared_licenses
        .iter()
        .map(|d| {
            let at = d.source.as_ref().or(c.locations.first()).map(|l| format!(" in {l}")).unwrap_or_default();
            match &d.expression {
                Some(e) if *e != d.raw => format!("declared licence \"{}\" (read as {e}){at}", d.raw),
                _ => format!("declared licence \"{}\"{at}", d.raw),
            }
        })
        .collect();
    if let Some(l) = &c.concluded_license {
        ev.push(format!("concluded licence {} from {} (confidence {:.2})", l.expression, l.source, l.confidence));
    }
    if ev.is_empty() {
        ev.push("no licence in any lockfile, manifest or licence file".into());
    }
    ev
}

pub fn unknown_license(c: &Component, level: ViolationLevel, set: &Set<Action>) -> Violation {
    new(
        c,
        level,
        "licenses.unknown",
        format!("{}: the licence is unknown", c.purl),
        license_evidence(c),
        set.at.clone(),
    )
}

pub fn denied_license(c: &Component, expr: &str, rule: &Set<String>) -> Violation {
    new(
        c,
        ViolationLevel::Error,
        "licenses.denied",
        format!("{}: licensed under {expr}, and the policy denies {}", c.purl, rule.value),
        license_evidence(c),
        rule.at.clone(),
    )
}

pub fn not_allowed_license(c: &Component, expr: &str, allow: &[Set<String>]) -> Violation {
    new(
        c,
        ViolationLevel::Error,
        "licenses.not-allowed",
        format!("{}: licensed under {expr}, which the allow-list does not cover", c.purl),
        license_evidence(c),
        allow.first().and_then(|a| a.at.clone()),
    )
}

pub fn class_license(
    c: &Component,
    expr: &str,
    rule: &'static str,
    level: ViolationLevel,
    set: &Set<Action>,
) -> Violation {
    let what = match rule {
        "licenses.non-free" => "a licence that is not free (neither OSI-approved nor FSF-libre)",
        "licenses.network-copyleft" => "a network-copyleft licence",
        _ => "a strong-copyleft licence",
    };
    new(c, level, rule, format!("{}: licensed under {expr}, {what}", c.purl), license_evidence(c), set.at.clone())
}

pub fn vendor(c: &Component, v: &Vendor, level: ViolationLevel, rule: &'static str, at: Option<Pos>) -> Violation {
    new(
        c,
        level,
        rule,
        format!("{}: ties the delivery to {} ({}, {})", c.purl, v.service, v.category.as_str(), v.name),
        vec![format!("vendor `{}`, legal seat {} ({})", v.id, v.seat, v.country)],
        at,
    )
}

pub fn risk_level(c: &Component, r: &ComponentRisk, level: ViolationLevel, set: &Set<Level>) -> Violation {
    new(
        c,
        level,
        "risk.threshold",
        format!(
            "{}: risk level {} (score {}) reaches the policy's threshold {}",
            c.purl,
            r.level.as_str(),
            r.score,
            set.value.as_str()
        ),
        r.findings.iter().map(|f| format!("{} ({}): {}", f.factor.id(), f.severity.as_str(), f.message)).collect(),
        set.at.clone(),
    )
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            ViolationLevel::Error => "error",
            ViolationLevel::Warning => "warning",
        };
        writeln!(f, "{level}[{}]: {}", self.rule, self.message)?;
        if let Some(l) = &self.location {
            writeln!(f, "  --> {l}")?;
        }
        for e in &self.evidence {
            writeln!(f, "   = evidence: {e}")?;
        }
        match &self.policy {
            Some(p) => writeln!(f, "   = policy: {p}"),
            None => writeln!(f, "   = policy: built-in default"),
        }
    }
}

/// The closing line of a check.
pub fn summary(outcome: &super::Outcome, policy: &super::Policy) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "sovra check: {} error{}, {} warning{}; {} component{} checked against {}",
        outcome.errors(),
        if outcome.errors() == 1 { "" } else { "s" },
        outcome.warnings(),
        if outcome.warnings() == 1 { "" } else { "s" },
        outcome.checked,
        if outcome.checked == 1 { "" } else { "s" },
        policy.source
    );
    if !outcome.waived.is_empty() {
        let _ = write!(s, " ({} waived by exceptions)", outcome.waived.len());
    }
    s
}
