//! `sovra licenses detect`: the licence of licence files, notices and headers.

use sovra_core::installed::is_license_or_notice_file;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};
use rayon::prelude::*;

use sovra_licenses::{Detection, Detector, Method};
use sovra_registry::{Http, HttpConfig, license_url};

#[derive(Args)]
pub struct LicensesArgs {
    #[command(subcommand)]
    command: LicensesCommand,
}

#[derive(Subcommand)]
enum LicensesCommand {
    /// Detect the licence of files; directories are searched for licence
    /// files (LICENSE*, LICENCE*, COPYING*, NOTICE*, UNLICENSE, *.LICENSE ...).
    Detect(DetectArgs),
}

#[derive(Args)]
struct DetectArgs {
    /// Files or directories.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// A file that is only a URL (a NuGet `licenseUrl`, a link to a project's
    /// LICENSE) is answered by fetching the page and reading it. Off by
    /// default: without it nothing is sent anywhere.
    #[arg(long)]
    online: bool,
    /// Seconds one request may take (with --online).
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = crate::online::parse_secs)]
    timeout: std::time::Duration,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
}

/// Directories are not descended deeper than this (a symlink loop or a
/// pathological tree must not hang the command).
const MAX_DEPTH: usize = 32;
/// Directories never worth searching for a project's licence files.
const SKIP_DIRS: &[&str] = &[".git", ".hg", ".svn", "target", ".venv", "__pycache__"];

pub fn run(args: LicensesArgs) -> anyhow::Result<u8> {
    match args.command {
        LicensesCommand::Detect(args) => detect(args),
    }
}

fn detect(args: DetectArgs) -> anyhow::Result<u8> {
    let mut files = Vec::new();
    for p in &args.paths {
        let meta = std::fs::metadata(p).with_context(|| format!("cannot read {}", p.display()))?;
        if meta.is_dir() {
            walk(p, 0, &mut files);
        } else {
            files.push(p.clone());
        }
    }
    files.sort();
    files.dedup();
    let detector = Detector::new();
    let http = args.online.then(|| Http::new(HttpConfig { timeout: args.timeout, ..HttpConfig::default() }));
    // Files are independent: detect them on all cores, report in path order.
    let results: Vec<(PathBuf, Detection)> = files
        .into_par_iter()
        .filter_map(|f| match std::fs::read(&f) {
            Ok(bytes) => {
                let mut found = detector.detect(&bytes);
                if let (Some(http), Method::UrlOnly) = (&http, found.method) {
                    found = from_page(http, &detector, &String::from_utf8_lossy(&bytes), &f).unwrap_or(found);
                }
                Some((f, found))
            }
            Err(e) => {
                eprintln!("sovra: warning: cannot read {}: {e}", f.display());
                None
            }
        })
        .collect();
    let out = match args.format {
        Format::Json => json(&results),
        Format::Table => table(&results),
    };
    crate::emit(args.output.as_ref(), &out)?;
    Ok(crate::EXIT_OK)
}

/// The detection of the page a URL-only file names; `None` (with a warning)
/// when the page cannot be had.
fn from_page(http: &Http, detector: &Detector, text: &str, file: &Path) -> Option<Detection> {
    let url = text.trim();
    match license_url::resolve(http, detector, url) {
        Ok(mut page) => {
            let raw = license_url::raw_url(url);
            page.matched.insert(0, format!("read from {raw}"));
            Some(page)
        }
        Err(e) => {
            eprintln!("sovra: warning: {}: cannot read the licence URL: {e}", file.display());
            None
        }
    }
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        eprintln!("sovra: warning: cannot list {}", dir.display());
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else { continue };
        let name = entry.file_name().to_string_lossy().into_owned();
        if kind.is_dir() {
            if !SKIP_DIRS.contains(&name.as_str()) {
                walk(&entry.path(), depth + 1, out);
            }
        } else if kind.is_file() && is_license_or_notice_file(&name) {
            out.push(entry.path());
        }
    }
}

fn table(results: &[(PathBuf, Detection)]) -> String {
    let rows: Vec<[String; 4]> = results
        .iter()
        .map(|(p, d)| {
            [p.display().to_string(), d.expression.clone(), format!("{:.2}", d.confidence), d.matched.join("; ")]
        })
        .collect();
    let header = ["PATH", "EXPRESSION", "CONFIDENCE", "MATCHED"];
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).chain([header[i].len()]).max().unwrap_or(0);
    let (w0, w1, w2) = (width(0), width(1), width(2));
    let mut out = format!("{:w0$}  {:w1$}  {:w2$}  {}\n", header[0], header[1], header[2], header[3]);
    for r in &rows {
        out.push_str(format!("{:w0$}  {:w1$}  {:>w2$}  {}", r[0], r[1], r[2], r[3]).trim_end());
        out.push('\n');
    }
    out
}

/// `[{"path", "expression", "confidence", "matched", "method"}]`, written by
/// hand: the shape is flat and the binary carries no JSON serialiser of its own.
fn json(results: &[(PathBuf, Detection)]) -> String {
    let mut out = String::from("[");
    for (i, (p, d)) in results.iter().enumerate() {
        let matched: Vec<String> = d.matched.iter().map(|m| quote(m)).collect();
        out.push_str(if i == 0 { "\n  " } else { ",\n  " });
        out.push_str(&format!(
            "{{\"path\": {}, \"expression\": {}, \"confidence\": {:.2}, \"method\": {}, \"matched\": [{}]}}",
            quote(&p.display().to_string()),
            quote(&d.expression),
            d.confidence,
            quote(&format!("{:?}", d.method).to_lowercase()),
            matched.join(", ")
        ));
    }
    out.push_str(if results.is_empty() { "]\n" } else { "\n]\n" });
    out
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licence_file_names() {
        for yes in [
            "LICENSE",
            "LICENSE.md",
            "licence.txt",
            "COPYING",
            "COPYING.LIB",
            "NOTICE",
            "UNLICENSE",
            "MIT-LICENSE",
            "LICENSE-APACHE",
            "foo.LICENSE",
            "COPYRIGHT",
        ] {
            assert!(is_license_or_notice_file(yes), "{yes}");
        }
        for no in ["license.rs", "license.json", "README.md", "main.c", "Cargo.toml"] {
            assert!(!is_license_or_notice_file(no), "{no}");
        }
    }

    #[test]
    fn json_escapes() {
        assert_eq!(quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }
}
