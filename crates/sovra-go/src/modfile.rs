//! go.mod and go.work as data: the directives of
//! <https://go.dev/ref/mod#go-mod-file> and <https://go.dev/ref/mod#go-work-file>,
//! checked for shape, with every malformed directive reported at its line.

use sovra_core::{Diagnostic, Location};

use crate::lex::{Directive, directives};

/// Which of the two files is being read: they share the grammar but not the verbs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    GoMod,
    GoWork,
}

/// A `require` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Require {
    pub path: String,
    pub version: String,
    /// Marked `// indirect`: needed by a dependency, not imported by this module.
    pub indirect: bool,
    pub line: u32,
}

/// What a `replace` points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Another module version, fetched like any other.
    Module { path: String, version: String },
    /// A directory on disk, as written (relative to the file's directory or absolute).
    Local(String),
}

/// A `replace` line. Without `old_version` it applies to every version of `old`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replace {
    pub old: String,
    pub old_version: Option<String>,
    pub target: Target,
    pub line: u32,
}

/// Everything Sovra keeps from one go.mod or go.work.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModFile {
    /// The `module` path and its line (go.mod only).
    pub module: Option<(String, u32)>,
    pub go: Option<String>,
    pub toolchain: Option<String>,
    pub requires: Vec<Require>,
    pub replaces: Vec<Replace>,
    /// `exclude` lines as `path@version`: versions MVS must skip, not requirements.
    pub excludes: Vec<String>,
    /// `retract` lines as written (`v1.0.0`, `[v1.0.0, v1.2.0]`): about this module's own releases.
    pub retracts: Vec<String>,
    /// `tool` package paths (Go 1.24).
    pub tools: Vec<String>,
    /// `use` directories and their lines (go.work only).
    pub uses: Vec<(String, u32)>,
}

impl ModFile {
    /// Whether go.mod lists the whole module graph (Go 1.17 and later record
    /// every indirect requirement; before, and when `go` is absent, which Go
    /// reads as 1.16, they may be missing).
    pub fn lists_all_requirements(&self) -> bool {
        self.go.as_deref().is_some_and(|v| go_version_at_least(v, 1, 17))
    }
}

/// Whether a `go` directive version (`1.21`, `1.25.10`, `1.21rc1`) is at least `major.minor`.
fn go_version_at_least(v: &str, major: u32, minor: u32) -> bool {
    let mut parts = v.split('.');
    let num = |p: Option<&str>| -> u32 {
        let p = p.unwrap_or("0");
        let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().unwrap_or(0)
    };
    let (ma, mi) = (num(parts.next()), num(parts.next()));
    (ma, mi) >= (major, minor)
}

/// Parse a go.mod or go.work. Malformed directives are reported and skipped.
pub fn parse_mod_file(text: &str, path: &str, kind: FileKind) -> (ModFile, Vec<Diagnostic>) {
    let (dirs, mut diags) = directives(text, path);
    let mut m = ModFile::default();
    for d in dirs {
        if let Err(msg) = apply(&mut m, &d, kind) {
            diags.push(Diagnostic::warning(
                "go::bad-directive",
                Location::new(path, Some(d.line)),
                format!("`{}` directive skipped: {msg}", d.verb),
            ));
        }
    }
    if kind == FileKind::GoMod && m.module.is_none() {
        diags.push(Diagnostic::error("go::no-module", Location::new(path, None), "go.mod has no `module` directive"));
    }
    (m, diags)
}

fn apply(m: &mut ModFile, d: &Directive, kind: FileKind) -> Result<(), String> {
    let args: Vec<&str> = d.args.iter().map(String::as_str).collect();
    let one = || match args.as_slice() {
        [a] => Ok(a.to_string()),
        _ => Err(format!("expected one argument, found {}", args.len())),
    };
    match (d.verb.as_str(), kind) {
        ("module", FileKind::GoMod) => {
            let path = one()?;
            check_path(&path)?;
            m.module = Some((path, d.line));
        }
        ("go", _) => m.go = Some(one()?),
        ("toolchain", _) => m.toolchain = Some(one()?),
        ("require", FileKind::GoMod) => {
            let [path, version] = args.as_slice() else {
                return Err(format!("expected `path version`, found {} arguments", args.len()));
            };
            check_path(path)?;
            check_version(version)?;
            // cmd/go's own test: the comment is `indirect` or starts with `indirect;`.
            let indirect = d.comment.as_deref().is_some_and(|c| c == "indirect" || c.starts_with("indirect;"));
            m.requires.push(Require { path: path.to_string(), version: version.to_string(), indirect, line: d.line });
        }
        ("exclude", FileKind::GoMod) => {
            let [path, version] = args.as_slice() else {
                return Err("expected `path version`".into());
            };
            check_version(version)?;
            m.excludes.push(format!("{path}@{version}"));
        }
        ("retract", FileKind::GoMod) => {
            if args.is_empty() {
                return Err("expected a version or a version interval".into());
            }
            m.retracts.push(args.join(" ").replace("[ ", "[").replace(" ]", "]").replace(" ,", ","));
        }
        ("tool", FileKind::GoMod) => m.tools.push(one()?),
        ("replace", _) => m.replaces.push(replace(&args, d.line)?),
        ("use", FileKind::GoWork) => m.uses.push((one()?, d.line)),
        // Settings that change no dependency: accepted and not needed here.
        ("godebug", _) | ("ignore", FileKind::GoMod) => {}
        (verb, _) => return Err(format!("unknown directive `{verb}` for this file")),
    }
    Ok(())
}

fn replace(args: &[&str], line: u32) -> Result<Replace, String> {
    let arrow = args.iter().position(|a| *a == "=>").ok_or("missing `=>`")?;
    let (left, right) = (&args[..arrow], &args[arrow + 1..]);
    let (old, old_version) = match left {
        [p] => (p.to_string(), None),
        [p, v] => {
            check_version(v)?;
            (p.to_string(), Some(v.to_string()))
        }
        _ => return Err("expected `path [version]` before `=>`".into()),
    };
    check_path(&old)?;
    let target = match right {
        [p, v] => {
            check_version(v)?;
            Target::Module { path: p.to_string(), version: v.to_string() }
        }
        [p] if is_local_path(p) => Target::Local(p.to_string()),
        [p] => {
            return Err(format!("replacement `{p}` has no version and is not a directory path (./ ../ or absolute)"));
        }
        _ => return Err("expected `path [version]` after `=>`".into()),
    };
    Ok(Replace { old, old_version, target, line })
}

/// The Go rule for a version-less replacement: a directory, rooted or starting with `./` or `../`.
fn is_local_path(p: &str) -> bool {
    let b = p.as_bytes();
    p.starts_with("./")
        || p.starts_with("../")
        || p == "."
        || p == ".."
        || p.starts_with('/')
        || p.starts_with(".\\")
        || p.starts_with("..\\")
        || (b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/'))
}

fn check_path(p: &str) -> Result<(), String> {
    if p.is_empty() || p.contains(char::is_whitespace) || p.contains('@') {
        return Err(format!("`{p}` is not a module path"));
    }
    Ok(())
}

/// Module versions are canonical semantic versions with a `v` prefix
/// (`v1.2.3`, pseudo-versions, `+incompatible`).
fn check_version(v: &str) -> Result<(), String> {
    let ok = v.len() > 1
        && v.starts_with('v')
        && v[1..].starts_with(|c: char| c.is_ascii_digit())
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b".-+".contains(&b));
    if ok { Ok(()) } else { Err(format!("`{v}` is not a module version")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_versions_compare_numerically() {
        assert!(go_version_at_least("1.17", 1, 17));
        assert!(go_version_at_least("1.25.10", 1, 17));
        assert!(go_version_at_least("1.21rc1", 1, 17));
        assert!(!go_version_at_least("1.9", 1, 17));
        assert!(!go_version_at_least("1.16", 1, 17));
    }

    #[test]
    fn replace_forms() {
        let (m, d) = parse_mod_file(
            "module m\nreplace (\n a => b v1.0.0\n a v1.1.0 => ../a\n c => d\n)\n",
            "go.mod",
            FileKind::GoMod,
        );
        assert_eq!(m.replaces.len(), 2);
        assert_eq!(m.replaces[0].old_version, None);
        assert_eq!(m.replaces[1].target, Target::Local("../a".into()));
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].code.as_str(), d[0].location.line), ("go::bad-directive", Some(5)));
    }

    #[test]
    fn verbs_are_checked_per_file_kind() {
        let (m, d) = parse_mod_file("go 1.22\nuse ./a\nrequire x v1.0.0\n", "go.work", FileKind::GoWork);
        assert_eq!(m.uses, vec![("./a".to_string(), 2)]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].location.line, Some(3));
    }

    #[test]
    fn indirect_marker_follows_cmd_go() {
        let (m, _) = parse_mod_file(
            "module m\nrequire (\n a v1.0.0 // indirect\n b v1.0.0 // indirect; needed by c\n c v1.0.0 // indirectly\n)\n",
            "go.mod",
            FileKind::GoMod,
        );
        let ind: Vec<bool> = m.requires.iter().map(|r| r.indirect).collect();
        assert_eq!(ind, vec![true, true, false]);
    }
}
