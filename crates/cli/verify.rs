//! `sovra verify`: compare a delivered SBOM with Sovra's scan of the
//! delivered source, as an auditor does when software is delivered.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use sovra_core::validate::Document;
use sovra_core::verify::{self, Kind, Report};

use crate::{EXIT_OK, EXIT_POLICY, EXIT_USAGE, emit, scan};

#[derive(Args)]
pub struct VerifyArgs {
    /// The delivered SBOM (CycloneDX JSON or XML).
    pub sbom: PathBuf,
    /// The delivered source: a directory, lockfile or manifest.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Expect packages used only for development, build or tests in the SBOM too.
    #[arg(long)]
    pub include_dev: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the result to this file instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// No progress bar and no scan diagnostics on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

pub fn run(args: VerifyArgs) -> anyhow::Result<u8> {
    let file = args.sbom.display().to_string();
    let doc = match std::fs::read(&args.sbom)
        .map_err(|e| sovra_core::validate::LoadError::new(&file, None, format!("cannot read: {e}")))
        .and_then(|bytes| Document::parse(bytes, &file))
    {
        Ok(d) => d,
        Err(e) => {
            eprintln!("sovra: error: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    let Some(inv) = scan::scan_usable(&args.path, false, args.quiet)? else {
        return Ok(EXIT_USAGE);
    };
    let report = verify::verify(&doc, &inv, &verify::Options { include_dev: args.include_dev });
    let out = match args.format {
        Format::Table => render(&report),
        Format::Json => report.to_json(),
    };
    emit(args.output.as_ref(), &out)?;
    Ok(if report.differences.is_empty() { EXIT_OK } else { EXIT_POLICY })
}

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} components listed; source: {} delivered components; {} agree",
        r.sbom, r.sbom_components, r.source_components, r.matched
    );
    if r.not_delivered_unlisted > 0 {
        let _ = writeln!(
            out,
            "({} dev/provided-only packages in the source are not listed; not delivered, not a difference)",
            r.not_delivered_unlisted
        );
    }
    if r.differences.is_empty() {
        let _ = writeln!(out, "\nNo differences.");
        return out;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{:<8} {:<50} {:<20} {:<20} where", "kind", "package", "source", "sbom");
    for d in &r.differences {
        let (source, sbom) = match d.kind {
            Kind::Licence => (d.source_licence.clone(), d.sbom_licence.clone()),
            _ => (d.source_version.clone(), d.sbom_version.clone()),
        };
        let place = [d.source_location.as_deref(), d.sbom_location.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; ");
        let _ = writeln!(
            out,
            "{:<8} {:<50} {:<20} {:<20} {place}",
            d.kind.as_str(),
            d.package,
            source.as_deref().unwrap_or("-"),
            sbom.as_deref().unwrap_or("-"),
        );
    }
    let _ = writeln!(
        out,
        "\n{} missing from the SBOM, {} not in the source, {} version and {} licence disagreements",
        r.count(Kind::Missing),
        r.count(Kind::Extra),
        r.count(Kind::Version),
        r.count(Kind::Licence)
    );
    out
}
