//! go.sum and go.work.sum: one line per `module version[/go.mod] hash`
//! (<https://go.dev/ref/mod#go-sum-files>). The `h1:` hash is a digest of the
//! module's file tree (or of its go.mod), not of a downloadable file, so it is
//! kept as a property, never as a component hash.

use std::collections::BTreeMap;

use sovra_core::{Diagnostic, Location};

/// The checksums recorded for one module version.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SumEntry {
    /// Hash of the module's content (`h1:...`); present when the module was downloaded.
    pub content: Option<String>,
    /// Hash of its go.mod alone; present when only its requirements were consulted.
    pub go_mod: Option<String>,
    /// First line that mentions the module version.
    pub line: u32,
}

/// Checksums by `(module path, version)`.
pub type Sums = BTreeMap<(String, String), SumEntry>;

pub fn parse_go_sum(text: &str, path: &str) -> (Sums, Vec<Diagnostic>) {
    let mut sums = Sums::new();
    let mut diags = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i as u32 + 1;
        let fields: Vec<&str> = raw.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let [module, version, hash] = fields.as_slice() else {
            diags.push(bad(path, line, format!("expected `module version hash`, found {} fields", fields.len())));
            continue;
        };
        let Some((alg, digest)) = hash.split_once(':').filter(|(a, d)| !a.is_empty() && !d.is_empty()) else {
            diags.push(bad(path, line, format!("`{hash}` is not an `alg:digest` checksum")));
            continue;
        };
        let (version, is_go_mod) = match version.strip_suffix("/go.mod") {
            Some(v) => (v, true),
            None => (*version, false),
        };
        if !version.starts_with('v') {
            diags.push(bad(path, line, format!("`{version}` is not a module version")));
            continue;
        }
        let entry = sums
            .entry((module.to_string(), version.to_string()))
            .or_insert_with(|| SumEntry { line, ..SumEntry::default() });
        let slot = if is_go_mod { &mut entry.go_mod } else { &mut entry.content };
        slot.get_or_insert_with(|| format!("{alg}:{digest}"));
    }
    (sums, diags)
}

fn bad(path: &str, line: u32, msg: String) -> Diagnostic {
    Diagnostic::warning("go::sum-syntax", Location::new(path, Some(line)), format!("line skipped: {msg}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_go_mod_lines_into_one_entry() {
        let (s, d) = parse_go_sum("a v1.0.0 h1:AAA=\na v1.0.0/go.mod h1:BBB=\nb v0.1.0/go.mod h1:CCC=\n", "go.sum");
        assert!(d.is_empty());
        let a = &s[&("a".to_string(), "v1.0.0".to_string())];
        assert_eq!((a.content.as_deref(), a.go_mod.as_deref(), a.line), (Some("h1:AAA="), Some("h1:BBB="), 1));
        assert_eq!(s[&("b".to_string(), "v0.1.0".to_string())].content, None);
    }

    #[test]
    fn bad_lines_are_reported_with_their_line() {
        let (s, d) = parse_go_sum("a v1.0.0 h1:AAA=\ngarbage\nb 1.0 h1:x\nc v1 nohash\n", "m/go.sum");
        assert_eq!(s.len(), 1);
        let lines: Vec<_> = d.iter().map(|d| (d.code.as_str(), d.location.line)).collect();
        assert_eq!(lines, vec![("go::sum-syntax", Some(2)), ("go::sum-syntax", Some(3)), ("go::sum-syntax", Some(4))]);
    }
}
