//! Declared licence strings to SPDX expressions.

/// The SPDX form of a declared licence string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalized {
    /// A valid SPDX expression, or `NOASSERTION` when the string names no
    /// licence Sovra can identify without guessing.
    pub expression: String,
    /// Whether the raw string had to be changed to get there.
    pub changed: bool,
}

/// Normalise a raw licence string. Deprecated ids become their current form
/// (`GPL-2.0` is `GPL-2.0-only`), the old Cargo `/` separator becomes `OR`;
/// anything the SPDX parser cannot read in lax mode is `NOASSERTION`.
pub fn normalize(raw: &str) -> Normalized {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Normalized { expression: "NOASSERTION".into(), changed: true };
    }
    if trimmed == "NONE" || trimmed == "NOASSERTION" {
        return Normalized { expression: trimmed.into(), changed: false };
    }
    match spdx::Expression::parse_mode(trimmed, spdx::ParseMode::LAX) {
        Ok(expr) => {
            let expression = canonical(&expr);
            Normalized { changed: expression != trimmed, expression }
        }
        Err(_) => Normalized { expression: "NOASSERTION".into(), changed: true },
    }
}

/// Print a parsed expression with current ids (`-only`/`-or-later` spelled out).
fn canonical(expr: &spdx::Expression) -> String {
    // spdx keeps the expression text as written; rebuild it from the parsed
    // requirements so deprecated and lax spellings are replaced.
    let mut out = String::new();
    let mut stack: Vec<String> = Vec::new();
    for node in expr.iter() {
        match node {
            spdx::expression::ExprNode::Req(req) => stack.push(req_string(&req.req)),
            spdx::expression::ExprNode::Op(op) => {
                let (Some(b), Some(a)) = (stack.pop(), stack.pop()) else { continue };
                let (word, prec) = match op {
                    spdx::expression::Operator::And => ("AND", 1),
                    spdx::expression::Operator::Or => ("OR", 0),
                };
                let wrap = |s: String| {
                    if prec == 1 && s.contains(" OR ") && !is_wrapped(&s) { format!("({s})") } else { s }
                };
                stack.push(format!("{} {word} {}", wrap(a), wrap(b)));
            }
        }
    }
    if let Some(s) = stack.pop() {
        out.push_str(&s);
    }
    out
}

fn is_wrapped(s: &str) -> bool {
    s.starts_with('(') && s.ends_with(')')
}

fn req_string(req: &spdx::LicenseReq) -> String {
    let lic = match &req.license {
        spdx::LicenseItem::Spdx { id, or_later } => {
            let name = id.name;
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

    #[test]
    fn table() {
        for (raw, want) in [
            ("MIT", "MIT"),
            ("MIT/Apache-2.0", "MIT OR Apache-2.0"),
            ("MIT OR Apache-2.0", "MIT OR Apache-2.0"),
            ("GPL-2.0", "GPL-2.0-only"),
            ("GPL-2.0+", "GPL-2.0-or-later"),
            ("LGPL-2.1-or-later", "LGPL-2.1-or-later"),
            ("", "NOASSERTION"),
            ("Some Proprietary Licence v7 (see file)", "NOASSERTION"),
        ] {
            assert_eq!(normalize(raw).expression, want, "{raw}");
        }
    }
}
