//! `sovra scan`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use sovra_core::cyclonedx::{self, Encoding, SpecVersion, WriteOptions};
use sovra_core::installed::{self, CacheHome};
use sovra_core::party::Organization;
use sovra_core::policy::Policy;
use sovra_core::scan::{ScanOptions, scan_path};
use sovra_core::{Inventory, Severity};
use sovra_core::{report, spdx_out};
use sovra_licenses::conclude::LazyDetector;

use crate::{EXIT_OK, EXIT_USAGE, check, emit, online, plugins, progress, show_progress, table};

#[derive(Args)]
pub struct ScanArgs {
    /// Directory, lockfile or manifest to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::CyclonedxJson)]
    pub format: Format,
    /// CycloneDX specification version [default: 1.6; 1.7 with
    /// --profile bsi-tr-03183-2, the first version whose licence list holds
    /// the concluded and the declared licence expressions side by side].
    #[arg(long, value_enum)]
    pub spec_version: Option<Spec>,
    /// SPDX version of --format spdx-json.
    #[arg(long, value_enum, default_value_t = SpdxVersion::V3_0_1)]
    pub spdx_version: SpdxVersion,
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
    /// Name of the organisation that makes this SBOM (metadata.manufacturer;
    /// default: `manufacturer-name` in the [bsi] table of sovra.toml).
    #[arg(long, value_name = "NAME")]
    pub manufacturer_name: Option<String>,
    /// Email address of the SBOM's manufacturer (BSI TR-03183-2 requires the
    /// SBOM creator's email or URL); default: `manufacturer-email` in [bsi].
    #[arg(long, value_name = "EMAIL")]
    pub manufacturer_email: Option<String>,
    /// URL of the SBOM's manufacturer; default: `manufacturer-url` in [bsi].
    #[arg(long, value_name = "URL")]
    pub manufacturer_url: Option<String>,
    /// Also read licences of the packages in the user's package caches
    /// (~/.cargo/registry/src, ~/.m2/repository, ~/.nuget/packages; CARGO_HOME
    /// and NUGET_PACKAGES are honoured). Installed packages inside the scanned
    /// tree (node_modules, vendor/, .venv) are always read.
    #[arg(long)]
    pub package_cache: bool,
    /// Look for the package caches below DIR instead of the home directory
    /// (implies --package-cache; CARGO_HOME and NUGET_PACKAGES are ignored).
    #[arg(long, value_name = "DIR")]
    pub package_cache_dir: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    CyclonedxJson,
    CyclonedxXml,
    /// SPDX JSON: 3.0.1 JSON-LD, or 2.3 with --spdx-version 2.3.
    SpdxJson,
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

#[derive(Clone, Copy, ValueEnum)]
pub enum SpdxVersion {
    #[value(name = "3.0.1")]
    V3_0_1,
    #[value(name = "2.3")]
    V2_3,
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
    let caches = cache_home(&args);
    let mut inv = scan_with_caches(&args.path, args.exclude_dev, args.quiet, caches.as_ref())?;
    online::enrich(&mut inv, &args.online, &args.policy, &args.path, args.quiet)?;
    let profile = match (args.profile, policy.as_ref().and_then(|p| p.profile.as_deref())) {
        (Some(p), _) => Some(p),
        (None, Some(name)) => Some(crate::validate::parse_profile(name).map_err(anyhow::Error::msg)?),
        (None, None) => None,
    };
    if profile.is_some() {
        sovra_core::bsi::apply(&mut inv, &plugins::all());
    }
    let manufacturer = manufacturer(&args, policy.as_ref())?;
    let (assessment, outcome) = check::evaluate(&mut inv, policy.as_ref());
    let tool_version = env!("CARGO_PKG_VERSION");
    let document = match args.format {
        Format::Table => table::render(&inv),
        Format::Json => {
            let timestamp = sovra_core::time::rfc3339(sovra_core::time::now_secs());
            let with_policy = policy.as_ref().zip(outcome.as_ref());
            let mut r = report::build(&inv, &assessment, with_policy, tool_version, timestamp);
            if profile.is_some() {
                r.profile = Some(report::profile_section(&inv, manufacturer.is_some()));
            }
            report::to_json(&r)
        }
        Format::SpdxJson => {
            let opts = spdx_out::Options::from_env(tool_version, manufacturer.clone());
            match args.spdx_version {
                SpdxVersion::V3_0_1 => spdx_out::v3::write(&inv, &opts),
                SpdxVersion::V2_3 => spdx_out::v2::write(&inv, &opts),
            }
        }
        Format::CyclonedxJson | Format::CyclonedxXml => {
            let encoding = match args.format {
                Format::CyclonedxXml => Encoding::Xml,
                _ => Encoding::Json,
            };
            // The profile needs 1.6 or newer; 1.7 holds both licence expressions.
            let spec = match (args.spec_version, profile) {
                (Some(s), _) => s.into(),
                (None, Some(_)) => SpecVersion::V1_7,
                (None, None) => SpecVersion::V1_6,
            };
            let mut opts = WriteOptions::from_env(spec, encoding, tool_version);
            opts.profile = profile;
            opts.manufacturer = manufacturer.clone();
            cyclonedx::write(&inv, &opts)
        }
    };
    emit(args.output.as_ref(), &document)?;
    if !usable(&inv, &args.path) {
        return Ok(EXIT_USAGE);
    }
    if profile.is_some() && !args.quiet {
        let has_contact = manufacturer.as_ref().is_some_and(|m| m.has_contact());
        eprintln!("{}", crate::validate::gap_summary(&sovra_core::bsi::gaps(&inv, has_contact)));
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

/// The SBOM's manufacturer: each part from its option, else from `[bsi]` in the policy file.
fn manufacturer(args: &ScanArgs, policy: Option<&Policy>) -> anyhow::Result<Option<Organization>> {
    let from_file = policy.and_then(|p| p.manufacturer.as_ref());
    let email_of_file = from_file.and_then(|m| m.email());
    let pick = |arg: &Option<String>, file: Option<&str>| arg.clone().or_else(|| file.map(str::to_string));
    let name = pick(&args.manufacturer_name, from_file.and_then(|m| m.name.as_deref()));
    let email = pick(&args.manufacturer_email, email_of_file);
    let url = pick(&args.manufacturer_url, from_file.and_then(|m| m.urls.first().map(String::as_str)));
    Organization::configured(name.as_deref(), email.as_deref(), url.as_deref()).map_err(anyhow::Error::msg)
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
    scan_with_caches(path, exclude_dev, quiet, None)
}

/// Where `--package-cache` looks, if it was asked for.
fn cache_home(args: &ScanArgs) -> Option<CacheHome> {
    if let Some(dir) = &args.package_cache_dir {
        return Some(CacheHome { home: dir.clone(), vars: Default::default() });
    }
    if !args.package_cache {
        return None;
    }
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(PathBuf::from);
    if home.is_none() && !args.quiet {
        eprintln!("sovra: warning: --package-cache: no home directory (HOME is not set)");
    }
    let vars = ["CARGO_HOME", "NUGET_PACKAGES"]
        .into_iter()
        .filter_map(|v| Some((v.to_string(), PathBuf::from(std::env::var_os(v).filter(|p| !p.is_empty())?))))
        .collect();
    home.map(|home| CacheHome { home, vars })
}

/// [`scan`], then the licences of the installed packages in the tree and,
/// with `caches`, in the user's package caches.
fn scan_with_caches(
    path: &Path,
    exclude_dev: bool,
    quiet: bool,
    caches: Option<&CacheHome>,
) -> anyhow::Result<Inventory> {
    let bar = progress::Bar::new(show_progress(quiet));
    let options = ScanOptions { exclude_dev };
    let mut inv =
        scan_path(path, &plugins::all(), &options, &bar).with_context(|| format!("cannot scan {}", path.display()))?;
    bar.finish();
    installed::attach_path(&mut inv, path, &plugins::all(), caches, &LazyDetector::default());
    if !quiet {
        for d in inv.diagnostics.iter().filter(|d| d.severity <= Severity::Warning) {
            eprintln!("{d}");
        }
    }
    Ok(inv)
}
