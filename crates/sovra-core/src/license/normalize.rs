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
//! 5. Names joined by `or`/`and`/`,`/`/` (`MIT or Apache 2.0`), each part
//!    mapped by steps 3-4.
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
    let fixed = fix_case(s);
    let expr = spdx::Expression::parse_mode(&fixed, MODE).ok()?;
    Some(canonical(&expr))
}

/// `A or B`, `A and B`, `A, B`: each part on its own. Commas and slashes are
/// read as `OR` (a list of licences offered), like Composer arrays.
fn compound(s: &str) -> Option<String> {
    let lower = s.to_lowercase();
    for (sep, op) in [(" or ", "OR"), (" and ", "AND"), (", ", "OR"), (" / ", "OR"), ("; ", "OR")] {
        if !lower.contains(sep) {
            continue;
        }
        let mut parts = Vec::new();
        let mut rest = s;
        while let Some(at) = rest.to_lowercase().find(sep) {
            parts.push(&rest[..at]);
            rest = &rest[at + sep.len()..];
        }
        parts.push(rest);
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
                let prec = if s.contains(" OR ") { 0 } else if s.contains(" AND ") { 1 } else { 2 };
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
            if id.is_deprecated() {
                if let Some(current) = aliases::lookup(name) {
                    return match &req.addition {
                        Some(add) if current.contains(" ") => format!("({current}) WITH {add}"),
                        Some(add) => format!("{current} WITH {add}"),
                        None => current.to_string(),
                    };
                }
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
