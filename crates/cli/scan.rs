//! `sovra scan`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use sovra_core::cyclonedx::{self, Encoding, SpecVersion, WriteOptions};
use sovra_core::report;
use sovra_core::scan::{ScanOptions, scan_path};
use sovra_core::{Inventory, Severity};

use crate::{EXIT_OK, EXIT_USAGE, check, emit, online, plugins, progress, show_progress, table};

#[derive(Args)]
pub struct ScanArgs {
    /// Directory, lockfile or manifest to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::CyclonedxJson)]
    pub format: Format,
    /// CycloneDX specification version.
    #[arg(long, value_enum, default_value_t = Spec::V1_6)]
    pub spec_version: Spec,
    /// Write the result to this file instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Leave out packages used only for development, build or tests.
    #[arg(long)]
    pub exclude_dev: bool,
    /// No progress bar, no diagnostics and no policy violations on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub policy: check::PolicyArgs,
    #[command(flatten)]
    pub online: online::OnlineArgs,
    /// SBOM profile to fill (bsi-tr-03183-2); default: `profile` in sovra.toml.
    /// Fields the inputs cannot give are listed as gaps on stderr.
    #[arg(long, value_parser = crate::validate::parse_profile)]
    pub profile: Option<sovra_core::validate::Profile>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    CyclonedxJson,
    CyclonedxXml,
    /// The dashboard report (schemas/sovra-report-1.schema.json).
    Json,
    Table,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Spec {
    #[value(name = "1.5")]
    V1_5,
    #[value(name = "1.6")]
    V1_6,
    #[value(name = "1.7")]
    V1_7,
}

impl From<Spec> for SpecVersion {
    fn from(s: Spec) -> SpecVersion {
        match s {
            Spec::V1_5 => SpecVersion::V1_5,
            Spec::V1_6 => SpecVersion::V1_6,
            Spec::V1_7 => SpecVersion::V1_7,
        }
    }
}

pub fn run(args: ScanArgs) -> anyhow::Result<u8> {
    let policy = check::load_policy(&args.policy, &args.path)?;
    let mut inv = scan(&args.path, args.exclude_dev, args.quiet)?;
    online::enrich(&mut inv, &args.online, &args.policy, &args.path, args.quiet)?;
    let profile = match (args.profile, policy.as_ref().and_then(|p| p.profile.as_deref())) {
        (Some(p), _) => Some(p),
        (None, Some(name)) => Some(crate::validate::parse_profile(name).map_err(anyhow::Error::msg)?),
        (None, None) => None,
    };
    if profile.is_some() {
        sovra_core::bsi::apply(&mut inv);
    }
    let (assessment, outcome) = check::evaluate(&mut inv, policy.as_ref());
    let document = match args.format {
        Format::Table => table::render(&inv),
        Format::Json => {
            let timestamp = sovra_core::time::rfc3339(sovra_core::time::now_secs());
            let with_policy = policy.as_ref().zip(outcome.as_ref());
            report::to_json(&report::build(&inv, &assessment, with_policy, env!("CARGO_PKG_VERSION"), timestamp))
        }
        Format::CyclonedxJson | Format::CyclonedxXml => {
            let encoding = match args.format {
                Format::CyclonedxXml => Encoding::Xml,
                _ => Encoding::Json,
            };
            cyclonedx::write(&inv, &WriteOptions::from_env(args.spec_version.into(), encoding, env!("CARGO_PKG_VERSION")))
        }
    };
    emit(args.output.as_ref(), &document)?;
    if !usable(&inv, &args.path) {
        return Ok(EXIT_USAGE);
    }
    if profile.is_some() && !args.quiet {
        eprintln!("{}", crate::validate::gap_summary(&sovra_core::bsi::gaps(&inv, false)));
    }
    match (policy, outcome) {
        (Some(policy), Some(outcome)) => {
            let mut sink: Box<dyn std::io::Write> =
                if args.quiet { Box::new(std::io::sink()) } else { Box::new(std::io::stderr().lock()) };
            Ok(check::report(&outcome, &policy, &mut sink))
        }
        _ => Ok(EXIT_OK),
    }
}

/// Whether a scan found anything usable: some project or package. A tree
/// whose every lockfile is broken is an input error even though files were
/// found. Says why on stderr when not.
fn usable(inv: &Inventory, path: &Path) -> bool {
    if !inv.projects.is_empty() || !inv.components.is_empty() {
        return true;
    }
    if inv.files.is_empty() {
        eprintln!("sovra: error: no manifest or lockfile found in {}", path.display());
    } else {
        eprintln!("sovra: error: no usable manifest or lockfile in {}", path.display());
    }
    false
}

/// [`scan`], or `None` (after saying why) when nothing usable was found.
pub fn scan_usable(path: &Path, exclude_dev: bool, quiet: bool) -> anyhow::Result<Option<Inventory>> {
    let inv = scan(path, exclude_dev, quiet)?;
    Ok(usable(&inv, path).then_some(inv))
}

/// Run the plug-ins over a path, with progress and diagnostics on stderr.
pub fn scan(path: &Path, exclude_dev: bool, quiet: bool) -> anyhow::Result<Inventory> {
    let bar = progress::Bar::new(show_progress(quiet));
    let options = ScanOptions { exclude_dev };
    let inv = scan_path(path, &plugins::all(), &options, &bar)
        .with_context(|| format!("cannot scan {}", path.display()))?;
    bar.finish();
    if !quiet {
        for d in inv.diagnostics.iter().filter(|d| d.severity <= Severity::Warning) {
            eprintln!("{d}");
        }
    }
    Ok(inv)
}
