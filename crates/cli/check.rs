//! `sovra check`, and the policy part of `sovra scan`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use sovra_core::Inventory;
use sovra_core::policy::{self, Outcome, Policy};
use sovra_core::risk::{self, Assessment, Level};

use crate::{EXIT_OK, EXIT_POLICY, scan};

#[derive(Args)]
pub struct CheckArgs {
    /// Directory, lockfile or manifest to check.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub online: crate::online::OnlineArgs,
    /// No progress bar; only violations and the summary are printed.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options shared by `check` and `scan`.
#[derive(Args, Clone, Default)]
pub struct PolicyArgs {
    /// Policy file (default: `sovra.toml` in the scanned directory, if any).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Fail (exit 1) when a delivered component reaches this risk level.
    #[arg(long, value_name = "LEVEL", value_parser = parse_level)]
    pub fail_on: Option<Level>,
}

fn parse_level(s: &str) -> Result<Level, String> {
    Level::parse(s).ok_or_else(|| format!("`{s}` is not a risk level (none, low, medium, high, critical)"))
}

/// The policy file that applies, if any: `--policy FILE`, else `sovra.toml`
/// in the scanned directory.
pub fn policy_path(args: &PolicyArgs, scanned: &Path) -> Option<PathBuf> {
    match &args.policy {
        Some(p) => Some(p.clone()),
        None => Some(scanned.join("sovra.toml")).filter(|p| scanned.is_dir() && p.is_file()),
    }
}

/// The policy that applies: `--policy FILE`, else `sovra.toml` in the scanned
/// directory, else none (`sovra check` then uses the built-in defaults).
pub fn load_policy(args: &PolicyArgs, scanned: &Path) -> anyhow::Result<Option<Policy>> {
    let mut policy = match policy_path(args, scanned) {
        Some(path) => {
            let text =
                std::fs::read_to_string(&path).with_context(|| format!("cannot read policy {}", path.display()))?;
            Some(Policy::from_file(&path.display().to_string(), &text)?)
        }
        None => None,
    };
    if let Some(level) = args.fail_on {
        let p = policy.get_or_insert_with(Policy::default);
        p.fail_on = Some(policy::Set { value: level, at: None });
    }
    Ok(policy)
}

/// Rate the inventory and check it; the risk is also written into the
/// components' properties so every output format carries it.
pub fn evaluate(inv: &mut Inventory, policy: Option<&Policy>) -> (Assessment, Option<Outcome>) {
    let default_risk;
    let risk_cfg = match policy {
        Some(p) => &p.risk,
        None => {
            default_risk = risk::RiskConfig::default();
            &default_risk
        }
    };
    let assessment = risk::assess(inv, risk_cfg);
    assessment.annotate(inv);
    let outcome = policy.map(|p| policy::check(inv, &assessment, p));
    (assessment, outcome)
}

/// Print violations and the summary line to `out`; the exit code they mean.
pub fn report(outcome: &Outcome, policy: &Policy, out: &mut dyn std::io::Write) -> u8 {
    for v in &outcome.violations {
        let _ = writeln!(out, "{v}");
    }
    let _ = writeln!(out, "{}", policy::diags::summary(outcome, policy));
    if outcome.passed() { EXIT_OK } else { EXIT_POLICY }
}

pub fn run(args: CheckArgs) -> anyhow::Result<u8> {
    let policy = load_policy(&args.policy, &args.path)?.unwrap_or_default();
    let Some(mut inv) = scan::scan_usable(&args.path, false, args.quiet)? else {
        return Ok(crate::EXIT_USAGE);
    };
    // Registry metadata feeds the maintenance factors, when asked for.
    crate::online::enrich(&mut inv, &args.online, &args.policy, &args.path, args.quiet)?;
    let (_, outcome) = evaluate(&mut inv, Some(&policy));
    let outcome = outcome.unwrap_or_default();
    Ok(report(&outcome, &policy, &mut std::io::stdout().lock()))
}
