//! The policy file, `sovra.toml`, parsed with spans so that every error and
//! every violation can point at the line and column of the rule.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use toml::Spanned;

use crate::risk::{Category, Factor, Level, Severity, Vendor};

/// What to do when a class of licence is found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Allow,
    Warn,
    Deny,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolicyFile {
    /// SBOM profile to apply (`bsi-tr-03183-2`).
    pub profile: Option<Spanned<String>>,
    #[serde(default)]
    pub licenses: LicensesCfg,
    #[serde(default)]
    pub vendors: VendorsCfg,
    #[serde(default)]
    pub risk: RiskCfg,
    #[serde(default)]
    pub exceptions: Vec<ExceptionCfg>,
    /// Registry lookups (`sovra scan --online`); read by the CLI, not by the policy checks.
    #[serde(default)]
    pub online: OnlineCfg,
    /// What the BSI TR-03183-2 profile needs that no input gives.
    #[serde(default)]
    pub bsi: BsiCfg,
}

/// `[bsi]`: the organisation that makes the SBOMs (`metadata.manufacturer`),
/// as `--manufacturer-name/-email/-url` give it on the command line.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BsiCfg {
    pub manufacturer_name: Option<Spanned<String>>,
    pub manufacturer_email: Option<Spanned<String>>,
    pub manufacturer_url: Option<Spanned<String>>,
}

/// `[online]`: whether `sovra scan` asks the package registries, and where.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OnlineCfg {
    /// Look packages up without `--online` (`--offline` still forbids it).
    pub enabled: Option<bool>,
    /// Source name (purl type) -> base URL of a mirror or proxy, or `off`.
    #[serde(default)]
    pub sources: BTreeMap<String, Spanned<String>>,
    /// Cache directory, relative to the policy file.
    pub cache_dir: Option<String>,
    /// How long cached registry answers are used.
    pub ttl_days: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LicensesCfg {
    /// If not empty, only these licences are accepted (as one option of an `OR`).
    #[serde(default)]
    pub allow: Vec<Spanned<String>>,
    /// Licences that are never accepted.
    #[serde(default)]
    pub deny: Vec<Spanned<String>>,
    /// Strong copyleft (GPL family).
    pub copyleft: Option<Spanned<Action>>,
    /// Network copyleft (AGPL family).
    pub network_copyleft: Option<Spanned<Action>>,
    /// Not OSI-approved and not FSF-libre, source-available or proprietary.
    pub non_free: Option<Spanned<Action>>,
    /// No licence found, `NOASSERTION`, unknown `LicenseRef-`.
    pub unknown: Option<Spanned<Action>>,
    /// Evaluate dev-only packages too (they are not delivered).
    pub include_dev: Option<bool>,
    #[serde(default)]
    pub exceptions: Vec<LicenseExceptionCfg>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LicenseExceptionCfg {
    pub package: Spanned<String>,
    pub allow: Vec<Spanned<String>>,
    pub reason: Spanned<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VendorsCfg {
    #[serde(default)]
    pub deny: Vec<Spanned<String>>,
    #[serde(default)]
    pub warn: Vec<Spanned<String>>,
    #[serde(default)]
    pub deny_categories: Vec<Spanned<Category>>,
    #[serde(default)]
    pub warn_categories: Vec<Spanned<Category>>,
    /// More vendor entries, in the form of `data/vendors.toml`.
    #[serde(default)]
    pub entries: Vec<Vendor>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RiskCfg {
    pub fail_on: Option<Spanned<String>>,
    pub warn_on: Option<Spanned<String>>,
    #[serde(default)]
    pub severity: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub weights: BTreeMap<String, Spanned<u32>>,
    pub stale_after_days: Option<u32>,
    pub include_dev: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExceptionCfg {
    pub package: Spanned<String>,
    /// Rule ids (`licenses.denied`, `vendors.*`); empty means every rule.
    #[serde(default)]
    pub rules: Vec<Spanned<String>>,
    pub reason: Spanned<String>,
}

/// A place in the policy file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pos {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// An error in a policy file, with where it is.
#[derive(Debug, thiserror::Error)]
#[error("{pos}: {message}")]
pub struct PolicyError {
    pub pos: Pos,
    pub message: String,
}

/// Maps byte offsets of one file to line and column.
pub struct Positions<'a> {
    file: &'a str,
    text: &'a str,
}

impl<'a> Positions<'a> {
    pub fn new(file: &'a str, text: &'a str) -> Positions<'a> {
        Positions { file, text }
    }

    pub fn at(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = 1 + before.matches('\n').count() as u32;
        let column = 1 + before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32;
        Pos { file: self.file.to_string(), line, column }
    }

    pub fn of<T>(&self, s: &Spanned<T>) -> Pos {
        self.at(s.span().start)
    }

    pub fn error<T>(&self, s: &Spanned<T>, message: impl Into<String>) -> PolicyError {
        PolicyError { pos: self.of(s), message: message.into() }
    }
}

/// Parse the text of a policy file. Only the syntax and the shape are
/// checked here; [`super::Policy::from_file`] checks the values.
pub fn parse(file: &str, text: &str) -> Result<PolicyFile, PolicyError> {
    toml::from_str(text).map_err(|e| {
        let pos = Positions::new(file, text).at(e.span().map_or(0, |s| s.start));
        PolicyError { pos, message: e.message().trim().to_string() }
    })
}

/// A level name from the file, or the error that says which ones exist.
pub fn level(p: &Positions<'_>, s: &Spanned<String>) -> Result<Level, PolicyError> {
    Level::parse(s.get_ref()).ok_or_else(|| {
        p.error(s, format!("unknown risk level `{}`; expected none, low, medium, high or critical", s.get_ref()))
    })
}

pub fn severity(p: &Positions<'_>, s: &Spanned<String>) -> Result<Severity, PolicyError> {
    Severity::parse(s.get_ref()).ok_or_else(|| {
        p.error(s, format!("unknown severity `{}`; expected info, low, medium, high or critical", s.get_ref()))
    })
}

pub fn factor(p: &Positions<'_>, name: &str, s: &Spanned<String>) -> Result<Factor, PolicyError> {
    Factor::parse(name)
        .ok_or_else(|| p.error(s, format!("unknown risk factor `{name}` (see docs/risk-model.md for the factor ids)")))
}
