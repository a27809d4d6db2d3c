//! `sovra scan`.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use sovra_core::cyclonedx::{self, Encoding, SpecVersion, WriteOptions};
use sovra_core::scan::{ScanOptions, scan_path};
use sovra_core::{Inventory, Severity};

use crate::{EXIT_OK, EXIT_USAGE, emit, plugins, progress, show_progress, table};

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
    /// No progress bar and no diagnostics on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    CyclonedxJson,
    CyclonedxXml,
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
    let inv = scan(&args.path, args.exclude_dev, args.quiet)?;
    // Usable means some project or package came out; a tree whose every
    // lockfile is broken is an input error even though files were found.
    let found_anything = !inv.projects.is_empty() || !inv.components.is_empty();
    let document = match args.format {
        Format::Table => table::render(&inv),
        Format::CyclonedxJson | Format::CyclonedxXml => {
            let encoding = match args.format {
                Format::CyclonedxXml => Encoding::Xml,
                _ => Encoding::Json,
            };
            cyclonedx::write(&inv, &WriteOptions::from_env(args.spec_version.into(), encoding, env!("CARGO_PKG_VERSION")))
        }
    };
    emit(args.output.as_ref(), &document)?;
    if !found_anything {
        if inv.files.is_empty() {
            eprintln!("sovra: error: no manifest or lockfile found in {}", args.path.display());
        } else {
            eprintln!("sovra: error: no usable manifest or lockfile in {}", args.path.display());
        }
        return Ok(EXIT_USAGE);
    }
    Ok(EXIT_OK)
}

/// Run the plug-ins over a path, with progress and diagnostics on stderr.
pub fn scan(path: &std::path::Path, exclude_dev: bool, quiet: bool) -> anyhow::Result<Inventory> {
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
