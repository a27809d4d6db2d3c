//! Policy as code: `sovra.toml` says which licences, vendors and risk levels a
//! delivery may have; [`check`] says where it does not comply.
//!
//! [`cfg`] parses the file with spans, [`Policy`] is its checked form, and
//! [`diags`] holds every violation message and how it is printed, so that
//! the rules themselves stay short.

use std::collections::BTreeSet;

use crate::license;
use crate::model::{Component, Inventory, Scope};
use crate::risk::{Assessment, Category, Level, RiskConfig, VendorDb};

pub mod cfg;
pub mod diags;

use cfg::{Action, PolicyError, Pos, Positions};
pub use diags::{Violation, ViolationLevel};

/// A rule value together with where the policy set it (`None` for defaults).
#[derive(Clone, Debug)]
pub struct Set<T> {
    pub value: T,
    pub at: Option<Pos>,
}

impl<T> Set<T> {
    fn default(value: T) -> Set<T> {
        Set { value, at: None }
    }
}

#[derive(Clone, Debug)]
pub struct LicenseException {
    pub package: String,
    pub allow: Vec<String>,
    pub reason: String,
    pub at: Pos,
}

#[derive(Clone, Debug)]
pub struct Exception {
    pub package: String,
    /// Rule ids or `prefix.*`; empty means every rule.
    pub rules: Vec<String>,
    pub reason: String,
    pub at: Pos,
}

/// A checked policy.
#[derive(Clone, Debug)]
pub struct Policy {
    /// The file it came from, as given (`sovra.toml`, or "built-in defaults").
    pub source: String,
    pub profile: Option<String>,
    /// `[bsi]`: who makes the SBOMs (`metadata.manufacturer`).
    pub manufacturer: Option<crate::party::Organization>,
    pub allow: Vec<Set<String>>,
    pub deny: Vec<Set<String>>,
    pub copyleft: Set<Action>,
    pub network_copyleft: Set<Action>,
    pub non_free: Set<Action>,
    pub unknown: Set<Action>,
    pub include_dev: bool,
    pub license_exceptions: Vec<LicenseException>,
    pub deny_vendors: Vec<Set<String>>,
    pub warn_vendors: Vec<Set<String>>,
    pub deny_categories: Vec<Set<Category>>,
    pub warn_categories: Vec<Set<Category>>,
    pub fail_on: Option<Set<Level>>,
    pub warn_on: Option<Set<Level>>,
    pub exceptions: Vec<Exception>,
    /// The risk model as this policy tunes it.
    pub risk: RiskConfig,
}

impl Default for Policy {
    /// The policy used when none is given: what no administration can accept
    /// (non-free licences) fails, what needs a person's look (unknown licences,
    /// network copyleft) warns.
    fn default() -> Policy {
        Policy {
            source: "built-in defaults".into(),
            profile: None,
            manufacturer: None,
            allow: Vec::new(),
            deny: Vec::new(),
            copyleft: Set::default(Action::Allow),
            network_copyleft: Set::default(Action::Warn),
            non_free: Set::default(Action::Deny),
            unknown: Set::default(Action::Warn),
            include_dev: false,
            license_exceptions: Vec::new(),
            deny_vendors: Vec::new(),
            warn_vendors: Vec::new(),
            deny_categories: Vec::new(),
            warn_categories: Vec::new(),
            fail_on: None,
            warn_on: None,
            exceptions: Vec::new(),
            risk: RiskConfig::default(),
        }
    }
}

impl Policy {
    /// Parse and check a policy file. `name` is how errors name the file.
    pub fn from_file(name: &str, text: &str) -> Result<Policy, PolicyError> {
        let file = cfg::parse(name, text)?;
        let p = Positions::new(name, text);
        let mut policy = Policy { source: name.to_string(), ..Policy::default() };
        policy.profile = file.profile.map(|s| s.into_inner());
        let bsi = &file.bsi;
        fn part(s: &Option<toml::Spanned<String>>) -> Option<&str> {
            s.as_ref().map(|s| s.get_ref().as_str())
        }
        policy.manufacturer = crate::party::Organization::configured(
            part(&bsi.manufacturer_name),
            part(&bsi.manufacturer_email),
            part(&bsi.manufacturer_url),
        )
        .map_err(|message| {
            // Point at the value that is wrong.
            let at = if message.contains("email") { &bsi.manufacturer_email } else { &bsi.manufacturer_url };
            match at {
                Some(s) => p.error(s, message),
                None => PolicyError { pos: p.at(0), message },
            }
        })?;

        let lic = file.licenses;
        policy.allow = lic.allow.iter().map(|s| license_id(&p, s)).collect::<Result<_, _>>()?;
        policy.deny = lic.deny.iter().map(|s| license_id(&p, s)).collect::<Result<_, _>>()?;
        for (slot, value) in [
            (&mut policy.copyleft, &lic.copyleft),
            (&mut policy.network_copyleft, &lic.network_copyleft),
            (&mut policy.non_free, &lic.non_free),
            (&mut policy.unknown, &lic.unknown),
        ] {
            if let Some(v) = value {
                *slot = Set { value: *v.get_ref(), at: Some(p.of(v)) };
            }
        }
        for e in &lic.exceptions {
            policy.license_exceptions.push(LicenseException {
                package: e.package.get_ref().clone(),
                allow: e.allow.iter().map(|s| license_id(&p, s).map(|s| s.value)).collect::<Result<_, _>>()?,
                reason: e.reason.get_ref().clone(),
                at: p.of(&e.package),
            });
        }

        let mut vendors = VendorDb::builtin();
        vendors.extend(file.vendors.entries).map_err(|e| PolicyError {
            pos: p.at(text.find("[[vendors.entries]]").unwrap_or(0)),
            message: e.to_string(),
        })?;
        let known: BTreeSet<&str> = vendors.vendors().iter().map(|v| v.id.as_str()).collect();
        for (slot, list) in
            [(&mut policy.deny_vendors, &file.vendors.deny), (&mut policy.warn_vendors, &file.vendors.warn)]
        {
            for s in list {
                if !known.contains(s.get_ref().as_str()) {
                    return Err(p.error(
                        s,
                        format!(
                            "unknown vendor id `{}`; known: {}",
                            s.get_ref(),
                            known.iter().copied().collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
                slot.push(Set { value: s.get_ref().clone(), at: Some(p.of(s)) });
            }
        }
        policy.deny_categories =
            file.vendors.deny_categories.iter().map(|s| Set { value: *s.get_ref(), at: Some(p.of(s)) }).collect();
        policy.warn_categories =
            file.vendors.warn_categories.iter().map(|s| Set { value: *s.get_ref(), at: Some(p.of(s)) }).collect();

        let risk = file.risk;
        if let Some(s) = &risk.fail_on {
            policy.fail_on = Some(Set { value: cfg::level(&p, s)?, at: Some(p.of(s)) });
        }
        if let Some(s) = &risk.warn_on {
            policy.warn_on = Some(Set { value: cfg::level(&p, s)?, at: Some(p.of(s)) });
        }
        for (name, s) in &risk.severity {
            let f = cfg::factor(&p, name, s)?;
            policy.risk.severity.insert(f, cfg::severity(&p, s)?);
        }
        for (name, w) in &risk.weights {
            let sev = crate::risk::Severity::parse(name)
                .ok_or_else(|| p.error(w, format!("unknown severity `{name}` in [risk.weights]")))?;
            if *w.get_ref() > 100 {
                return Err(p.error(w, "weights are between 0 and 100"));
            }
            policy.risk.weights.insert(sev, *w.get_ref());
        }
        if let Some(d) = risk.stale_after_days {
            policy.risk.stale_after_days = d;
        }
        policy.include_dev = lic.include_dev.unwrap_or(false);
        policy.risk.include_dev = risk.include_dev.unwrap_or(false);
        policy.risk.vendors = vendors;

        for e in &file.exceptions {
            for r in &e.rules {
                let id = r.get_ref();
                if !diags::RULES.iter().any(|known| rule_matches(id, known)) {
                    return Err(p.error(r, format!("unknown rule `{id}`; rules are {}", diags::RULES.join(", "))));
                }
            }
            policy.exceptions.push(Exception {
                package: e.package.get_ref().clone(),
                rules: e.rules.iter().map(|r| r.get_ref().clone()).collect(),
                reason: e.reason.get_ref().clone(),
                at: p.of(&e.package),
            });
        }
        Ok(policy)
    }
}

fn license_id(p: &Positions<'_>, s: &toml::Spanned<String>) -> Result<Set<String>, PolicyError> {
    let id = s.get_ref().trim();
    let norm = license::normalize(id).expression;
    let valid =
        spdx::license_id(&norm).is_some() || norm.starts_with("LicenseRef-") || spdx::exception_id(id).is_some();
    if !valid || norm.contains(' ') || norm == "NOASSERTION" || norm == "NONE" {
        return Err(p.error(s, format!("`{id}` is not an SPDX licence id (write expressions as several ids)")));
    }
    Ok(Set { value: norm, at: Some(p.of(s)) })
}

/// Whether a policy rule pattern (`licenses.denied`, `licenses.*`) names a rule.
fn rule_matches(pattern: &str, rule: &str) -> bool {
    match pattern.strip_suffix(".*") {
        Some(prefix) => rule.split('.').next() == Some(prefix),
        None => pattern == rule,
    }
}

/// Whether a policy's package pattern names the component: a purl with or
/// without version, or the name as a person writes it.
fn package_matches(pattern: &str, c: &Component) -> bool {
    pattern == c.purl
        || c.purl.strip_prefix(pattern).is_some_and(|rest| rest.starts_with('@'))
        || pattern == c.display_name()
        || pattern == format!("{}@{}", c.display_name(), c.version)
}

/// The result of checking an inventory against a policy.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub violations: Vec<Violation>,
    /// Violations an exception waived, with its reason.
    pub waived: Vec<(Violation, String)>,
    pub checked: usize,
}

impl Outcome {
    pub fn errors(&self) -> usize {
        self.violations.iter().filter(|v| v.level == ViolationLevel::Error).count()
    }
    pub fn warnings(&self) -> usize {
        self.violations.iter().filter(|v| v.level == ViolationLevel::Warning).count()
    }
    pub fn passed(&self) -> bool {
        self.errors() == 0
    }
}

/// Check every component a policy applies to.
pub fn check(inv: &Inventory, assessment: &Assessment, policy: &Policy) -> Outcome {
    let mut out = Outcome::default();
    for c in &inv.components {
        let dev = c.scope == Some(Scope::Dev);
        let mut found = Vec::new();
        if !dev || policy.include_dev {
            check_licenses(c, policy, &mut found);
        }
        if (!dev || policy.risk.include_dev)
            && let Some(r) = assessment.components.get(&c.purl)
        {
            check_vendors(c, r, policy, &mut found);
            check_level(c, r, policy, &mut found);
        }
        if !dev || policy.include_dev || policy.risk.include_dev {
            out.checked += 1;
        }
        for v in found {
            match policy.exceptions.iter().find(|e| {
                package_matches(&e.package, c)
                    && (e.rules.is_empty() || e.rules.iter().any(|r| rule_matches(r, v.rule)))
            }) {
                Some(e) => out.waived.push((v, e.reason.clone())),
                None => out.violations.push(v),
            }
        }
    }
    out.violations.sort_by(|a, b| (a.level, a.rule, &a.purl).cmp(&(b.level, b.rule, &b.purl)));
    out
}

fn level_of(action: Action) -> Option<ViolationLevel> {
    match action {
        Action::Allow => None,
        Action::Warn => Some(ViolationLevel::Warning),
        Action::Deny => Some(ViolationLevel::Error),
    }
}

fn check_licenses(c: &Component, policy: &Policy, out: &mut Vec<Violation>) {
    let expr = crate::risk::effective_license(c).map(|(e, _)| e);
    let Some(expr) = expr else {
        if let Some(level) = level_of(policy.unknown.value) {
            out.push(diags::unknown_license(c, level, &policy.unknown));
        }
        return;
    };
    let Ok(parsed) = spdx::Expression::parse_mode(&expr, spdx::ParseMode::LAX) else {
        if let Some(level) = level_of(policy.unknown.value) {
            out.push(diags::unknown_license(c, level, &policy.unknown));
        }
        return;
    };
    let exception_allows: Vec<&str> = policy
        .license_exceptions
        .iter()
        .filter(|e| package_matches(&e.package, c))
        .flat_map(|e| e.allow.iter().map(String::as_str))
        .collect();
    let id_of = |req: &spdx::LicenseReq| crate::risk::req_id(req);
    let explicitly_allowed = |id: &str| policy.allow.iter().any(|a| a.value == id) || exception_allows.contains(&id);

    // `deny` wins over everything but a per-package exception.
    let denied: Vec<&Set<String>> = policy.deny.iter().filter(|d| expr_mentions(&parsed, &d.value)).collect();
    if !denied.is_empty()
        && !parsed.evaluate(|r| {
            let id = id_of(r);
            exception_allows.contains(&id.as_str()) || !policy.deny.iter().any(|d| d.value == id)
        })
    {
        out.push(diags::denied_license(c, &expr, denied[0]));
        return;
    }
    if !policy.allow.is_empty() && !parsed.evaluate(|r| explicitly_allowed(&id_of(r))) {
        out.push(diags::not_allowed_license(c, &expr, &policy.allow));
        return;
    }
    // Class rules: the expression fails a rule when no choice avoids the class.
    for (rule, set, classes) in [
        (
            "licenses.non-free",
            &policy.non_free,
            &[license::LicenseClass::SourceAvailable, license::LicenseClass::Proprietary][..],
        ),
        ("licenses.network-copyleft", &policy.network_copyleft, &[license::LicenseClass::NetworkCopyleft][..]),
        ("licenses.copyleft", &policy.copyleft, &[license::LicenseClass::StrongCopyleft][..]),
    ] {
        let Some(level) = level_of(set.value) else { continue };
        let is_bad = |id: &str| {
            let class = license::classify(id);
            classes.contains(&class.class)
                || (rule == "licenses.non-free"
                    && !crate::risk::is_free(&class)
                    && class.class != license::LicenseClass::Unknown)
        };
        if !parsed.evaluate(|r| {
            let id = id_of(r);
            explicitly_allowed(&id) || !is_bad(&id)
        }) {
            out.push(diags::class_license(c, &expr, rule, level, set));
            return;
        }
    }
    if !parsed.evaluate(|r| {
        let id = id_of(r);
        explicitly_allowed(&id) || license::classify(&id).class != license::LicenseClass::Unknown
    }) && let Some(level) = level_of(policy.unknown.value)
    {
        out.push(diags::unknown_license(c, level, &policy.unknown));
    }
}

fn expr_mentions(parsed: &spdx::Expression, id: &str) -> bool {
    parsed.requirements().any(|r| crate::risk::req_id(&r.req) == id)
}

fn check_vendors(c: &Component, r: &crate::risk::ComponentRisk, policy: &Policy, out: &mut Vec<Violation>) {
    for v in &r.vendors {
        let by_id = |list: &[Set<String>]| list.iter().find(|s| s.value == v.id).cloned();
        let by_cat = |list: &[Set<Category>]| list.iter().find(|s| s.value == v.category).cloned();
        if let Some(s) = by_id(&policy.deny_vendors) {
            out.push(diags::vendor(c, v, ViolationLevel::Error, "vendors.denied", s.at));
        } else if let Some(s) = by_cat(&policy.deny_categories) {
            out.push(diags::vendor(c, v, ViolationLevel::Error, "vendors.category", s.at));
        } else if let Some(s) = by_id(&policy.warn_vendors) {
            out.push(diags::vendor(c, v, ViolationLevel::Warning, "vendors.denied", s.at));
        } else if let Some(s) = by_cat(&policy.warn_categories) {
            out.push(diags::vendor(c, v, ViolationLevel::Warning, "vendors.category", s.at));
        }
    }
}

fn check_level(c: &Component, r: &crate::risk::ComponentRisk, policy: &Policy, out: &mut Vec<Violation>) {
    if r.level == Level::None {
        return;
    }
    if let Some(s) = policy.fail_on.as_ref().filter(|s| s.value != Level::None && r.level >= s.value) {
        out.push(diags::risk_level(c, r, ViolationLevel::Error, s));
    } else if let Some(s) = policy.warn_on.as_ref().filter(|s| s.value != Level::None && r.level >= s.value) {
        out.push(diags::risk_level(c, r, ViolationLevel::Warning, s));
    }
}

#[cfg(test)]
mod tests;
