//! Declared licence strings to SPDX expressions.
//!
//! The order of attempts, first hit wins:
//! 1. empty -> `NOASSERTION`; `NONE`/`NOASSERTION` as they are; npm's
//!    `UNLICENSED` (no permission granted) -> `LicenseRef-UNLICENSED`;
//!    `SEE LICENSE IN <file>` -> `NOASSERTION` (the file decides, not the field).
//! 2. A trove classifier (`License :: OSI Approved :: MIT License`) is reduced
//!    to its last part.
//! 3. The mapping table (`aliases.tsv`): common names and licence URLs.
//! 4. The SPDX parser in a lax mode: `/` as `OR` (old Cargo), `+` on GNU ids,
//!    deprecated ids, case-insensitive ids and operators. The spdx crate's own
//!    "imprecise names" are NOT used: they guess (`BSD` -> BSD-2-Clause,
//!    `GPL` -> GPL-2.0-only).
//! 5. An id's family and version run together (`AFLv2.1`, `MPL v2`,
//!    `LGPLv3+`), when `<family>-<version>` is an SPDX id.
//! 6. Names joined by `or`/`and`/`,`/`/` (`MIT or Apache 2.0`), each part
//!    mapped by steps 3-5.
//!
//! Anything else is `NOASSERTION`, never a guess: a bare `BSD`, `GPL` or
//! `Apache` names a family, not a licence. The raw string is always kept by
//! the caller ([`crate::model::DeclaredLicense::raw`]).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::aliases;

/// The SPDX form of a declared licence string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalized {
    /// A valid SPDX expression, or `NOASSERTION` when the string names no
    /// licence Sovra can identify without guessing.
    pub expression: String,
    /// Whether the raw string had to be changed to get there.
    pub changed: bool,
}

const NOASSERTION: &str = "NOASSERTION";

const MODE: spdx::ParseMode = spdx::ParseMode {
    allow_slash_as_or_operator: true,
    allow_imprecise_license_names: false,
    allow_postfix_plus_on_gpl: true,
    allow_deprecated: true,
    allow_unknown: false,
};

/// Normalise a raw licence string (see the module documentation).
pub fn normalize(raw: &str) -> Normalized {
    let trimmed = raw.trim();
    let expression = to_spdx(trimmed).unwrap_or_else(|| NOASSERTION.to_string());
    Normalized { changed: expression != trimmed, expression }
}

fn to_spdx(raw: &str) -> Option<String> {
    let s = raw.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if s.is_empty() {
        return None;
    }
    if s == "NONE" || s == NOASSERTION {
        return Some(s.to_string());
    }
    if s.eq_ignore_ascii_case("UNLICENSED") {
        return Some("LicenseRef-UNLICENSED".into());
    }
    if s.to_ascii_uppercase().starts_with("SEE LICENSE IN") {
        return None;
    }
    let s = match s.strip_prefix("License ::") {
        Some(rest) => rest.rsplit("::").next().unwrap_or(rest).trim(),
        None => s,
    };
    single(s).or_else(|| compound(s))
}

/// One name, URL or SPDX expression.
fn single(s: &str) -> Option<String> {
    if let Some(e) = aliases::lookup(s) {
        return Some(e.to_string());
    }
    parse(s).or_else(|| name_version(s))
}

fn parse(s: &str) -> Option<String> {
    let expr = spdx::Expression::parse_mode(&fix_case(s), MODE).ok()?;
    Some(canonical(&expr))
}

/// An SPDX id's family name and a version run together the way package
/// metadata often spells them: `AFLv2.1`, `MPL v2`, `LGPLv3+`,
/// `OFL version 1.1`. The id must exist once `-<version>` is added (padded
/// with `.0`, as SPDX writes `MPL-2.0`), so a family that has no such id
/// (`BSD v3`) still names nothing.
fn name_version(s: &str) -> Option<String> {
    let (s, plus) = match s.strip_suffix('+') {
        Some(rest) => (rest.trim_end(), "+"),
        None => (s, ""),
    };
    let digits = s.find(|c: char| c.is_ascii_digit())?;
    let version = &s[digits..];
    if !version.chars().all(|c| c.is_ascii_digit() || c == '.') || version.ends_with('.') || version.len() > 8 {
        return None;
    }
    let head = s[..digits].trim_end();
    let lower = head.to_ascii_lowercase();
    let marker = ["version", "v"].iter().find(|m| lower.ends_with(*m))?;
    let family = head[..head.len() - marker.len()].trim_end_matches([' ', '-', '_']);
    if family.is_empty() || !family.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let mut version = version.to_string();
    for _ in 0..3 {
        if let Some(found) = parse(&format!("{family}-{version}{plus}")) {
            return Some(found);
        }
        version.push_str(".0");
    }
    None
}

/// `A or B`, `A and B`, `A, B`: each part on its own. Commas and slashes are
/// read as `OR` (a list of licences offered), like Composer arrays.
fn compound(s: &str) -> Option<String> {
    for (sep, op) in [(" or ", "OR"), (" and ", "AND"), (", ", "OR"), (" / ", "OR"), ("; ", "OR")] {
        let parts = split_ignore_ascii_case(s, sep);
        if parts.len() < 2 {
            continue;
        }
        let mapped: Option<Vec<String>> = parts
            .iter()
            .map(|p| single(p.trim()).map(|e| if e.contains(' ') { format!("({e})") } else { e }))
            .collect();
        if let Some(mapped) = mapped {
            let joined = mapped.join(&format!(" {op} "));
            let expr = spdx::Expression::parse_mode(&joined, MODE).ok()?;
            return Some(canonical(&expr));
        }
    }
    None
}

/// `s` split at every occurrence of the ASCII `sep`, ignoring ASCII case.
/// Offsets are found in `s` itself, never in `s.to_lowercase()`: lower-casing
/// changes the length of some characters (`Ⱥ` has 2 bytes, `ⱥ` 3), so its
/// offsets can fall inside a character of `s`. One pass, so a long string of
/// separators stays linear.
fn split_ignore_ascii_case<'a>(s: &'a str, sep: &str) -> Vec<&'a str> {
    let (hay, needle) = (s.as_bytes(), sep.as_bytes());
    let mut parts = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i + needle.len() <= hay.len() {
        // An ASCII match starts and ends on character boundaries of `s`.
        if hay[i..i + needle.len()].eq_ignore_ascii_case(needle) {
            parts.push(&s[start..i]);
            i += needle.len();
            start = i;
        } else {
            i += 1;
        }
    }
    parts.push(&s[start..]);
    parts
}

/// Put ids and operators written in the wrong case right (`mit` -> `MIT`,
/// `apache-2.0 or mit` -> `Apache-2.0 OR MIT`).
fn fix_case(s: &str) -> String {
    static IDS: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    let ids = IDS.get_or_init(|| {
        let licenses = spdx::identifiers::LICENSES.iter().map(|l| l.name);
        let exceptions = spdx::identifiers::EXCEPTIONS.iter().map(|e| e.name);
        licenses.chain(exceptions).map(|n| (n.to_lowercase(), n)).collect()
    });
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let lower = word.to_lowercase();
        let plus = lower.ends_with('+');
        let bare = lower.trim_end_matches('+');
        match bare {
            "and" | "or" | "with" => out.push_str(&bare.to_uppercase()),
            _ => match ids.get(bare) {
                Some(id) => out.push_str(id),
                None => out.push_str(word.trim_end_matches('+')),
            },
        }
        if plus {
            out.push('+');
        }
        word.clear();
    };
    for c in s.chars() {
        if c.is_whitespace() || c == '(' || c == ')' || c == '/' {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Print a parsed expression with current ids (`-only`/`-or-later` spelled out).
fn canonical(expr: &spdx::Expression) -> String {
    // spdx keeps the expression text as written; rebuild it from the parsed
    // requirements so deprecated and lax spellings are replaced.
    let mut stack: Vec<(String, u8)> = Vec::new();
    for node in expr.iter() {
        match node {
            spdx::expression::ExprNode::Req(req) => {
                let s = req_string(&req.req);
                let prec = if s.contains(" OR ") {
                    0
                } else if s.contains(" AND ") {
                    1
                } else {
                    2
                };
                stack.push((s, prec));
            }
            spdx::expression::ExprNode::Op(op) => {
                let (Some(b), Some(a)) = (stack.pop(), stack.pop()) else { continue };
                let (word, prec) = match op {
                    spdx::expression::Operator::And => ("AND", 1),
                    spdx::expression::Operator::Or => ("OR", 0),
                };
                let wrap = |(s, p): (String, u8)| if p < prec { format!("({s})") } else { s };
                stack.push((format!("{} {word} {}", wrap(a), wrap(b)), prec));
            }
        }
    }
    stack.pop().map(|(s, _)| s).unwrap_or_default()
}

fn req_string(req: &spdx::LicenseReq) -> String {
    let lic = match &req.license {
        spdx::LicenseItem::Spdx { id, or_later } => {
            let name = id.name;
            if id.is_deprecated()
                && let Some(current) = aliases::lookup(name)
            {
                return match &req.addition {
                    Some(add) if current.contains(' ') => format!("({current}) WITH {add}"),
                    Some(add) => format!("{current} WITH {add}"),
                    None => current.to_string(),
                };
            }
            if *or_later {
                if let Some(base) = name.strip_suffix("-only") {
                    format!("{base}-or-later")
                } else if name.ends_with("-or-later") {
                    name.to_string()
                } else if id.is_gnu() {
                    format!("{name}-or-later")
                } else {
                    format!("{name}+")
                }
            } else if id.is_gnu() && !name.ends_with("-only") && !name.ends_with("-or-later") {
                format!("{name}-only")
            } else {
                name.to_string()
            }
        }
        other @ spdx::LicenseItem::Other(_) => other.to_string(),
    };
    match &req.addition {
        Some(add) => format!("{lic} WITH {add}"),
        None => lic,
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    /// Raw strings as manifests and registries write them: the corpus
    /// lockfiles (npm `license`, Composer arrays joined with OR by the
    /// model, Cargo `license`, pyproject) and common registry metadata
    /// (PyPI trove classifiers and `License:` fields, Maven `<licenses>`
    /// names and URLs, NuGet `licenseUrl`, RubyGems, npm legacy types).
    const CASES: &[(&str, &str)] = &[
        // SPDX ids and expressions, as they are or in lax spellings
        ("MIT", "MIT"),
        ("ISC", "ISC"),
        ("Apache-2.0", "Apache-2.0"),
        ("BSD-3-Clause", "BSD-3-Clause"),
        ("BSD-2-Clause", "BSD-2-Clause"),
        ("BlueOak-1.0.0", "BlueOak-1.0.0"),
        ("0BSD", "0BSD"),
        ("CC0-1.0", "CC0-1.0"),
        ("CC-BY-4.0", "CC-BY-4.0"),
        ("CC-BY-3.0", "CC-BY-3.0"),
        ("(MIT OR CC0-1.0)", "MIT OR CC0-1.0"),
        ("(WTFPL OR MIT)", "WTFPL OR MIT"),
        ("(MIT AND BSD-3-Clause)", "MIT AND BSD-3-Clause"),
        ("(MIT AND Zlib)", "MIT AND Zlib"),
        ("Unlicense OR MIT", "Unlicense OR MIT"),
        ("Unlicense/MIT", "Unlicense OR MIT"),
        ("MIT/Apache-2.0", "MIT OR Apache-2.0"),
        ("MIT / Apache-2.0", "MIT OR Apache-2.0"),
        ("Apache-2.0/MIT", "Apache-2.0 OR MIT"),
        ("MIT OR Apache-2.0", "MIT OR Apache-2.0"),
        ("Apache-2.0 OR BSD-2-Clause", "Apache-2.0 OR BSD-2-Clause"),
        ("Apache-2.0 WITH LLVM-exception", "Apache-2.0 WITH LLVM-exception"),
        ("Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT", "Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT"),
        ("MIT OR Apache-2.0 OR Zlib", "MIT OR Apache-2.0 OR Zlib"),
        ("(MIT OR Apache-2.0) AND Unicode-3.0", "(MIT OR Apache-2.0) AND Unicode-3.0"),
        ("MPL-2.0", "MPL-2.0"),
        ("LGPL-2.1", "LGPL-2.1-only"),
        ("LGPL-2.1-or-later", "LGPL-2.1-or-later"),
        ("LGPL-3.0-or-later", "LGPL-3.0-or-later"),
        ("GPL-2.0-or-later", "GPL-2.0-or-later"),
        ("GPL-2.0", "GPL-2.0-only"),
        ("GPL-2.0+", "GPL-2.0-or-later"),
        ("GPL-3.0", "GPL-3.0-only"),
        ("GPL-3.0+", "GPL-3.0-or-later"),
        ("AGPL-3.0", "AGPL-3.0-only"),
        ("LGPL-3.0", "LGPL-3.0-only"),
        ("LGPL-2.0+", "LGPL-2.0-or-later"),
        ("GPL-2.0-with-classpath-exception", "GPL-2.0-only WITH Classpath-exception-2.0"),
        ("GPL-2.0 WITH Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0"),
        ("GPL-3.0-or-later WITH GCC-exception-3.1", "GPL-3.0-or-later WITH GCC-exception-3.1"),
        ("eCos-2.0", "GPL-2.0-or-later WITH eCos-exception-2.0"),
        ("BSD-2-Clause-FreeBSD", "BSD-2-Clause"),
        ("mit", "MIT"),
        ("apache-2.0", "Apache-2.0"),
        ("Mit OR apache-2.0", "MIT OR Apache-2.0"),
        ("mit or apache-2.0", "MIT OR Apache-2.0"),
        ("  MIT  ", "MIT"),
        ("\"MIT\"", "MIT"),
        ("Python-2.0", "Python-2.0"),
        ("PSF-2.0", "PSF-2.0"),
        ("Artistic-2.0", "Artistic-2.0"),
        (
            "EPL-2.0 OR GPL-2.0-only WITH Classpath-exception-2.0",
            "EPL-2.0 OR GPL-2.0-only WITH Classpath-exception-2.0",
        ),
        ("LicenseRef-Proprietary", "LicenseRef-Proprietary"),
        // Names (pyproject `license = {text}`, pom `<name>`, gemspec, PyPI `License:`)
        ("MIT License", "MIT"),
        ("MIT License (MIT)", "MIT"),
        ("The MIT License", "MIT"),
        ("The MIT License (MIT)", "MIT"),
        ("Apache 2.0", "Apache-2.0"),
        ("Apache 2", "Apache-2.0"),
        ("Apache2", "Apache-2.0"),
        ("Apache License 2.0", "Apache-2.0"),
        ("Apache License, Version 2.0", "Apache-2.0"),
        ("The Apache License, Version 2.0", "Apache-2.0"),
        ("The Apache Software License, Version 2.0", "Apache-2.0"),
        ("Apache Software License - Version 2.0", "Apache-2.0"),
        ("Apache License Version 2.0", "Apache-2.0"),
        ("ASL 2.0", "Apache-2.0"),
        ("BSD 3-Clause", "BSD-3-Clause"),
        ("New BSD License", "BSD-3-Clause"),
        ("Revised BSD License", "BSD-3-Clause"),
        ("BSD 2-Clause License", "BSD-2-Clause"),
        ("Simplified BSD", "BSD-2-Clause"),
        ("Eclipse Public License - v 1.0", "EPL-1.0"),
        ("Eclipse Public License v2.0", "EPL-2.0"),
        // Family and version run together (old npm `licenses[].type`, gemspecs)
        ("AFLv2.1", "AFL-2.1"),
        ("MPL v2", "MPL-2.0"),
        ("MPLv1.1", "MPL-1.1"),
        ("LGPLv3+", "LGPL-3.0-or-later"),
        ("OFL version 1.1", "OFL-1.1"),
        ("EPL v1", "EPL-1.0"),
        ("CC-BY v4", "CC-BY-4.0"),
        ("Eclipse Public License 2.0", "EPL-2.0"),
        ("Eclipse Distribution License - v 1.0", "BSD-3-Clause"),
        ("Mozilla Public License 2.0", "MPL-2.0"),
        ("Mozilla Public License Version 1.1", "MPL-1.1"),
        ("GNU General Public License v2.0 only", "GPL-2.0-only"),
        ("GNU General Public License, version 2", "GPL-2.0-only"),
        ("GNU Lesser General Public License v2.1", "LGPL-2.1-only"),
        ("GNU Lesser General Public License, Version 2.1", "LGPL-2.1-only"),
        ("GPLv2+", "GPL-2.0-or-later"),
        ("GPLv3", "GPL-3.0-only"),
        ("LGPLv3+", "LGPL-3.0-or-later"),
        ("CDDL + GPLv2 with classpath exception", "CDDL-1.1 OR GPL-2.0-only WITH Classpath-exception-2.0"),
        ("CDDL/GPLv2+CE", "CDDL-1.1 OR GPL-2.0-only WITH Classpath-exception-2.0"),
        ("Common Development and Distribution License (CDDL) v1.0", "CDDL-1.0"),
        ("Boost Software License 1.0", "BSL-1.0"),
        ("ISC License", "ISC"),
        ("zlib License", "Zlib"),
        ("The Unlicense", "Unlicense"),
        ("Python Software Foundation License", "PSF-2.0"),
        ("PostgreSQL License", "PostgreSQL"),
        ("Public Domain (CC0)", "CC0-1.0"),
        ("EUPL 1.2", "EUPL-1.2"),
        ("European Union Public Licence (EUPL) v1.2", "EUPL-1.2"),
        ("Ruby", "Ruby"),
        ("perl_5", "Artistic-1.0-Perl OR GPL-1.0-or-later"),
        ("MIT or Apache 2.0", "MIT OR Apache-2.0"),
        ("Apache License 2.0 and MIT License", "Apache-2.0 AND MIT"),
        ("MIT, Apache 2.0", "MIT OR Apache-2.0"),
        // PyPI trove classifiers
        ("License :: OSI Approved :: MIT License", "MIT"),
        ("License :: OSI Approved :: Apache Software License", "NOASSERTION"),
        ("License :: OSI Approved :: BSD License", "NOASSERTION"),
        ("License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)", "GPL-2.0-or-later"),
        ("License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)", "LGPL-3.0-only"),
        ("License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"),
        ("License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication", "CC0-1.0"),
        ("License :: OSI Approved :: ISC License (ISCL)", "ISC"),
        // URLs (pom `<url>`, nuspec `licenseUrl`, npm legacy `licenses[].url`)
        ("http://www.apache.org/licenses/LICENSE-2.0", "Apache-2.0"),
        ("https://www.apache.org/licenses/LICENSE-2.0.txt", "Apache-2.0"),
        ("http://www.apache.org/licenses/LICENSE-2.0.html", "Apache-2.0"),
        ("http://opensource.org/licenses/MIT", "MIT"),
        ("https://opensource.org/licenses/mit-license.php", "MIT"),
        ("http://www.opensource.org/licenses/bsd-license.php", "NOASSERTION"),
        ("https://opensource.org/licenses/BSD-3-Clause", "BSD-3-Clause"),
        ("http://www.gnu.org/licenses/gpl-2.0.html", "GPL-2.0-only"),
        ("https://www.gnu.org/licenses/old-licenses/lgpl-2.1.en.html", "LGPL-2.1-only"),
        ("https://www.gnu.org/licenses/agpl-3.0.html", "AGPL-3.0-only"),
        ("https://www.eclipse.org/legal/epl-v10.html", "EPL-1.0"),
        ("https://www.eclipse.org/legal/epl-2.0/", "EPL-2.0"),
        ("http://www.eclipse.org/org/documents/edl-v10.php", "BSD-3-Clause"),
        ("https://www.mozilla.org/en-US/MPL/2.0/", "MPL-2.0"),
        ("http://mozilla.org/MPL/2.0/", "MPL-2.0"),
        ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
        ("https://github.com/dotnet/corefx/blob/master/LICENSE.TXT", "NOASSERTION"),
        // Ambiguous or not a licence: never guessed
        ("BSD", "NOASSERTION"),
        ("BSD v3", "NOASSERTION"),
        ("MIT v2", "NOASSERTION"),
        ("Ours v1.0", "NOASSERTION"),
        ("BSD License", "NOASSERTION"),
        ("GPL", "NOASSERTION"),
        ("LGPL", "NOASSERTION"),
        ("Apache", "NOASSERTION"),
        ("Apache License", "NOASSERTION"),
        ("Dual License", "NOASSERTION"),
        ("Public Domain", "NOASSERTION"),
        ("Commercial", "NOASSERTION"),
        ("Proprietary", "NOASSERTION"),
        ("SEE LICENSE IN LICENSE.md", "NOASSERTION"),
        ("UNLICENSED", "LicenseRef-UNLICENSED"),
        ("", "NOASSERTION"),
        ("   ", "NOASSERTION"),
        ("NONE", "NONE"),
        ("NOASSERTION", "NOASSERTION"),
        ("MIT AND", "NOASSERTION"),
        ("(MIT", "NOASSERTION"),
        ("Some Proprietary Licence v7 (see file)", "NOASSERTION"),
    ];

    #[test]
    fn table() {
        let mut failures = Vec::new();
        for (raw, want) in CASES {
            let got = normalize(raw).expression;
            if got != *want {
                failures.push(format!("{raw:?}: want {want}, got {got}"));
            }
        }
        assert!(CASES.len() >= 100, "only {} cases", CASES.len());
        assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    }

    #[test]
    fn every_result_is_a_valid_expression() {
        for (raw, _) in CASES {
            let e = normalize(raw).expression;
            assert!(e == "NONE" || e == "NOASSERTION" || spdx::Expression::parse(&e).is_ok(), "{raw:?} -> {e}");
        }
    }

    /// Found by fuzzing: `compound` found separators in the lower-cased
    /// string and cut the original at those offsets, inside `é` here (each
    /// `Ⱥ` grows by a byte when lower-cased), which panicked.
    #[test]
    fn separators_after_characters_that_grow_when_lower_cased() {
        assert_eq!(normalize("ȺȺȺȺȺ or éé").expression, "NOASSERTION");
        assert_eq!(normalize("Apache 2.0 Or mit").expression, "Apache-2.0 OR MIT");
    }

    #[test]
    fn changed_flag() {
        assert!(!normalize("MIT").changed);
        assert!(normalize("GPL-2.0").changed);
        assert!(normalize("Apache 2.0").changed);
    }
}
