//! `sovra validate`: check a CycloneDX document against the official schema
//! of its version and, with `--profile`, against BSI TR-03183-2.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use sovra_core::bsi::{self, Level, Requirement};
use sovra_core::validate::{self, Profile, Report, Severity};

use crate::{EXIT_OK, EXIT_POLICY, EXIT_USAGE, emit};

#[derive(Args)]
pub struct ValidateArgs {
    /// The SBOM to check (CycloneDX JSON or XML).
    pub sbom: PathBuf,
    /// Profile to check against (bsi-tr-03183-2).
    #[arg(long, value_parser = parse_profile)]
    pub profile: Option<Profile>,
    /// Directory of the official CycloneDX schemas (default: $SOVRA_CDX_SCHEMAS,
    /// else <XDG data dir>/sovra/cyclonedx-schemas).
    #[arg(long, value_name = "DIR")]
    pub schema_dir: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the result to this file instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn parse_profile(s: &str) -> Result<Profile, String> {
    Profile::parse(s).ok_or_else(|| format!("unknown profile `{s}`; known: {}", bsi::PROFILE))
}

pub fn run(args: ValidateArgs) -> anyhow::Result<u8> {
    let options =
        validate::Options { profile: args.profile, schema_dir: validate::schema::find_dir(args.schema_dir.as_deref()) };
    let report = match validate::validate_file(&args.sbom, &options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sovra: error: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    let out = match args.format {
        Format::Text => render(&report),
        Format::Json => report.to_json(),
    };
    emit(args.output.as_ref(), &out)?;
    Ok(if report.passed { EXIT_OK } else { EXIT_POLICY })
}

/// Findings, the per-field scores and a verdict, for people.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let enc = match r.encoding {
        validate::Encoding::Json => "JSON",
        validate::Encoding::Xml => "XML",
    };
    let _ = writeln!(out, "{}: CycloneDX {} {enc}, {} components", r.file, r.spec_version, r.components);
    match (&r.schema.schema, r.schema.valid) {
        (Some(s), Some(true)) => {
            let _ = writeln!(out, "schema: valid ({s})");
        }
        (Some(s), Some(false)) => {
            let _ = writeln!(out, "schema: INVALID ({s})");
        }
        _ => {
            let _ = writeln!(out, "schema: not checked");
        }
    }
    if !r.findings.is_empty() {
        let _ = writeln!(out);
        for f in &r.findings {
            let _ = writeln!(out, "{f}");
        }
    }
    if let Some(profile) = r.profile {
        let _ = writeln!(out);
        let _ = writeln!(out, "Profile {profile} ({}): fields satisfied", bsi::GUIDELINE);
        let _ = writeln!(out, "  {:<22} {:<11} {:>9} {:>9} {:>6}", "field", "requirement", "satisfied", "total", "%");
        for s in &r.scores {
            let req = match s.requirement {
                Requirement::Required => "required",
                Requirement::Additional => "additional",
            };
            let pct = (s.satisfied * 100).checked_div(s.total).unwrap_or(100);
            let scope = match s.level {
                Level::Sbom => " (SBOM)",
                Level::Component => "",
            };
            let _ = writeln!(
                out,
                "  {:<22} {:<11} {:>9} {:>9} {:>5}%{scope}",
                s.field.id(),
                req,
                s.satisfied,
                s.total,
                pct
            );
        }
    }
    let warnings = r.findings.iter().filter(|f| f.severity == Severity::Warning).count();
    let _ = writeln!(out);
    let _ =
        writeln!(out, "{}: {} errors, {} warnings", if r.passed { "PASSED" } else { "FAILED" }, r.errors(), warnings);
    out
}

/// Lines for stderr: how many components lack each required field after
/// `sovra scan --profile`, then the additional fields (required where the
/// data exists) the inputs did not give.
pub fn gap_summary(gaps: &[bsi::Gap]) -> String {
    let counts = bsi::gap_counts(gaps);
    let mut out = if counts.is_empty() {
        format!("{}: every required field filled", bsi::PROFILE)
    } else {
        let parts: Vec<String> = counts.iter().map(|(f, n)| format!("{f} {n}")).collect();
        format!("{}: fields the inputs cannot give (gaps): {}", bsi::PROFILE, parts.join(", "))
    };
    let mut additional = std::collections::BTreeMap::new();
    for g in gaps.iter().filter(|g| g.requirement() == Some(Requirement::Additional)) {
        *additional.entry(g.field).or_insert(0usize) += 1;
    }
    if !additional.is_empty() {
        let parts: Vec<String> = additional.iter().map(|(f, n)| format!("{f} {n}")).collect();
        let _ = write!(out, "\n{}: additional fields not in the inputs: {}", bsi::PROFILE, parts.join(", "));
    }
    out
}
