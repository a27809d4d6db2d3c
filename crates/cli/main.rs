//! The `sovra` command line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check;
mod licenses;
mod online;
mod plugins;
mod progress;
mod scan;
mod table;
mod validate;
mod verify;

/// Exit codes, as the README documents them.
pub const EXIT_OK: u8 = 0;
pub const EXIT_POLICY: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

#[derive(Parser)]
#[command(name = "sovra", version, about = "SBOM and licence scanner that measures digital-sovereignty risk")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan a directory or a single lockfile/manifest and write an SBOM or report.
    Scan(scan::ScanArgs),
    /// Check a directory against a policy (sovra.toml); exit 1 on violations.
    Check(check::CheckArgs),
    /// Licence-text detection (`sovra licenses detect PATH...`).
    Licenses(licenses::LicensesArgs),
    /// Check a CycloneDX SBOM (JSON or XML) against the official schema and a
    /// profile (BSI TR-03183-2); exit 1 when a required field is missing.
    Validate(validate::ValidateArgs),
    /// Compare a delivered SBOM with a scan of the delivered source; exit 1 on differences.
    Verify(verify::VerifyArgs),
    /// Manage the registry cache of `--online` (`sovra cache clear`).
    Cache(online::CacheArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Check(args) => check::run(args),
        Command::Licenses(args) => licenses::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Cache(args) => online::run_cache(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("sovra: error: {e:#}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Write a document to the named file, or to stdout.
pub fn emit(output: Option<&PathBuf>, content: &str) -> anyhow::Result<()> {
    use anyhow::Context as _;
    match output {
        Some(path) => std::fs::write(path, content).with_context(|| format!("cannot write {}", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`sovra scan | head`) is not an error worth reporting.
            match out.write_all(content.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => r.context("cannot write to stdout"),
            }
        }
    }
}

/// Whether progress should be drawn: stderr is a terminal and the user did not ask for quiet.
pub fn show_progress(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}
