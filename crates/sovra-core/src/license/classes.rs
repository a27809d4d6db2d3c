//! Licence classes (`classes.tsv`) and the class of a whole expression.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

/// How much a licence restricts its users, from free-est to most restrictive
/// (the derived `Ord` follows that order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LicenseClass {
    PublicDomain,
    Permissive,
    WeakCopyleft,
    StrongCopyleft,
    NetworkCopyleft,
    /// Source-available or otherwise non-free terms (BUSL, SSPL, Elastic,
    /// Commons Clause, non-commercial or no-derivatives terms).
    SourceAvailable,
    Proprietary,
    /// `NOASSERTION`, an unknown `LicenseRef-`, or nothing at all.
    Unknown,
}

/// The class of an expression plus the SPDX list's flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ExpressionClass {
    pub class: LicenseClass,
    /// Every licence that decides the class is OSI-approved.
    pub osi_approved: bool,
    /// Every licence that decides the class is free/libre by the FSF's list.
    pub fsf_libre: bool,
}

fn table() -> &'static HashMap<&'static str, LicenseClass> {
    static MAP: OnceLock<HashMap<&'static str, LicenseClass>> = OnceLock::new();
    MAP.get_or_init(|| {
        include_str!("classes.tsv")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .filter_map(|(id, class)| Some((id, parse_class(class.trim())?)))
            .collect()
    })
}

fn parse_class(s: &str) -> Option<LicenseClass> {
    Some(match s {
        "public-domain" => LicenseClass::PublicDomain,
        "permissive" => LicenseClass::Permissive,
        "weak-copyleft" => LicenseClass::WeakCopyleft,
        "strong-copyleft" => LicenseClass::StrongCopyleft,
        "network-copyleft" => LicenseClass::NetworkCopyleft,
        "source-available" => LicenseClass::SourceAvailable,
        "proprietary" => LicenseClass::Proprietary,
        _ => return None,
    })
}

/// The class of one licence id. Ids not in the table are classed from the
/// SPDX flags: copyleft ones as strong copyleft (the cautious reading), other
/// OSI-approved or FSF-libre ones as permissive; the rest are unknown.
pub fn class_of(id: &str) -> LicenseClass {
    if let Some(c) = table().get(id) {
        return *c;
    }
    match spdx::license_id(id) {
        Some(l) if l.is_copyleft() => LicenseClass::StrongCopyleft,
        Some(l) if l.is_osi_approved() || l.is_fsf_free_libre() => LicenseClass::Permissive,
        _ => LicenseClass::Unknown,
    }
}

fn single(req: &spdx::LicenseReq) -> ExpressionClass {
    match &req.license {
        spdx::LicenseItem::Spdx { id, .. } => {
            // The current id: a deprecated `GPL-2.0` is classed as `GPL-2.0-only`.
            let name = if id.is_gnu() && !id.name.ends_with("-only") && !id.name.ends_with("-or-later") {
                format!("{}-only", id.name)
            } else {
                id.name.to_string()
            };
            ExpressionClass {
                class: class_of(&name),
                osi_approved: id.is_osi_approved(),
                fsf_libre: id.is_fsf_free_libre(),
            }
        }
        other => ExpressionClass { class: class_of(&other.to_string()), osi_approved: false, fsf_libre: false },
    }
}

/// The class of an SPDX expression. For `OR` the user may choose, so the
/// freest option counts; for `AND` all terms apply, so the most restrictive
/// counts. A `WITH` exception does not change the class (exceptions only
/// grant more). `NONE`, `NOASSERTION` and unparsable input are `Unknown`.
pub fn classify(expression: &str) -> ExpressionClass {
    let unknown = ExpressionClass { class: LicenseClass::Unknown, osi_approved: false, fsf_libre: false };
    let mode = spdx::ParseMode { allow_unknown: false, ..spdx::ParseMode::LAX };
    let Ok(expr) = spdx::Expression::parse_mode(expression, mode) else { return unknown };
    let mut stack: Vec<ExpressionClass> = Vec::new();
    for node in expr.iter() {
        match node {
            spdx::expression::ExprNode::Req(r) => stack.push(single(&r.req)),
            spdx::expression::ExprNode::Op(op) => {
                let (Some(b), Some(a)) = (stack.pop(), stack.pop()) else { return unknown };
                let pick = match op {
                    spdx::expression::Operator::Or => {
                        if b.class < a.class {
                            b
                        } else {
                            a
                        }
                    }
                    spdx::expression::Operator::And => {
                        let worst = if b.class > a.class { b } else { a };
                        ExpressionClass {
                            osi_approved: a.osi_approved && b.osi_approved,
                            fsf_libre: a.fsf_libre && b.fsf_libre,
                            ..worst
                        }
                    }
                };
                stack.push(pick);
            }
        }
    }
    stack.pop().unwrap_or(unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use LicenseClass::*;

    #[test]
    fn every_table_row_is_a_known_id_and_class() {
        for line in include_str!("classes.tsv").lines().filter(|l| !l.starts_with('#')) {
            let (id, class) = line.split_once('\t').expect("two columns");
            assert!(parse_class(class).is_some(), "{line}");
            assert!(
                id.starts_with("LicenseRef-") || id == "Commons-Clause" || spdx::license_id(id).is_some(),
                "{id} is not on the SPDX list"
            );
        }
    }

    #[test]
    fn expressions() {
        assert_eq!(classify("MIT").class, Permissive);
        assert!(classify("MIT").osi_approved && classify("MIT").fsf_libre);
        assert_eq!(classify("GPL-2.0-only OR MIT").class, Permissive);
        assert_eq!(classify("GPL-2.0-only AND MIT").class, StrongCopyleft);
        assert_eq!(classify("GPL-2.0").class, StrongCopyleft);
        assert_eq!(classify("GPL-2.0-only WITH Classpath-exception-2.0").class, StrongCopyleft);
        assert_eq!(classify("(MIT OR AGPL-3.0-only) AND LGPL-2.1-only").class, WeakCopyleft);
        assert_eq!(classify("AGPL-3.0-or-later").class, NetworkCopyleft);
        assert_eq!(classify("BUSL-1.1").class, SourceAvailable);
        assert_eq!(classify("SSPL-1.0 OR Elastic-2.0").class, SourceAvailable);
        assert_eq!(classify("CC0-1.0").class, PublicDomain);
        assert_eq!(classify("NOASSERTION").class, Unknown);
        assert_eq!(classify("LicenseRef-UNLICENSED").class, Proprietary);
        assert!(!classify("BUSL-1.1").osi_approved);
    }
}
