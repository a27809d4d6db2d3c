//! A component's licences as a `licenses` array.
//!
//! Each statement becomes one entry: a single listed SPDX id is `license.id`,
//! any other valid SPDX expression (compound, `WITH`, `+`, `LicenseRef-`) is an
//! `expression`, and `NOASSERTION`, `NONE` or text that names no licence is
//! `license.name` with the text as found, so no statement is lost.
//!
//! Before 1.7 an array holds either `license` objects or exactly one
//! expression. Where the statements do not fit, one is kept and the others are
//! written as `sovra:license:declared` properties:
//!
//! * a concluded licence that differs from every declared one wins, because it
//!   was read from the licence text; the declared ones stay visible as
//!   properties, so the disagreement is not hidden from an auditor;
//! * otherwise, if an expression must stand alone, the concluded entry (which
//!   then equals a declared one) or else the first declared one is kept.
//!
//! 1.6 marks each entry `declared` or `concluded`; 1.5 cannot, so there a
//! concluded licence equal to a declared one adds nothing. 1.7 allows every
//! statement side by side. The raw text is kept as `sovra:license:raw`
//! wherever normalisation changed it.

use super::Dialect;
use super::doc::{License, LicenseChoice, Property};
use crate::model::Component;

#[derive(Clone, Debug, PartialEq)]
enum Statement {
    Id(String),
    Name(String),
    Expression(String),
}

impl Statement {
    fn of(expression: &str, raw: &str) -> Statement {
        let expression = expression.trim();
        let raw = raw.trim();
        let as_name = || {
            let text = [raw, expression].into_iter().find(|s| !s.is_empty()).unwrap_or("NOASSERTION");
            Statement::Name(text.to_string())
        };
        if expression.is_empty() || expression == "NOASSERTION" || expression == "NONE" {
            return as_name();
        }
        // `license_id` ignores a trailing `+`; an id is only what it names exactly.
        if spdx::license_id(expression).is_some_and(|id| id.name == expression)
            && !NOT_IN_SCHEMA_ENUM.contains(&expression)
        {
            return Statement::Id(expression.to_string());
        }
        if spdx::Expression::parse(expression).is_ok() {
            Statement::Expression(expression.to_string())
        } else {
            as_name()
        }
    }

    fn text(&self) -> &str {
        match self {
            Statement::Id(s) | Statement::Name(s) | Statement::Expression(s) => s,
        }
    }
}

/// Ids the `spdx` crate knows but the schemas' SPDX enumeration (the one
/// bundled with the CycloneDX 1.5 to 1.7 schemas) does not: as `license.id`
/// they would fail validation, as an `expression` they are valid.
/// `schema_enum_covers_every_other_id` keeps this list exact.
const NOT_IN_SCHEMA_ENUM: &[&str] = &[
    "BSD-2-Clause-pos-unchanged",
    "BSD-3-Clause-OpenWebUI",
    "BSD-Source-Code-no-disclaimer",
    "BSD-Source-alt-GPL",
    "BSD-ask-to-endorse",
    "Brian-Gladman-3-Clause-no-conversion",
    "Bugroff",
    "CC-BY-NC-3.0-IGO",
    "FDK-MPEG-H",
    "GFDL-1.1-invariants",
    "GFDL-1.1-no-invariants",
    "GFDL-1.2-invariants",
    "GFDL-1.2-no-invariants",
    "GFDL-1.3-invariants",
    "GFDL-1.3-no-invariants",
    "Hippocratic-3.0-core",
    "Informatica",
    "MVT-1.1",
    "atc-game",
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Ack {
    Declared,
    Concluded,
}

#[derive(Clone, Debug, PartialEq)]
struct Entry {
    statement: Statement,
    ack: Ack,
}

/// The `licenses` array of a component and the properties that carry what
/// the array cannot.
pub fn licenses(c: &Component, d: Dialect) -> (Vec<LicenseChoice>, Vec<Property>) {
    let mut props = Vec::new();
    let mut declared: Vec<Entry> = Vec::new();
    for l in &c.declared_licenses {
        // Hand-built inventories may skip normalisation; the scan always does it.
        let expression = l.expression.clone().unwrap_or_else(|| crate::license::normalize(&l.raw).expression);
        if l.raw.trim() != expression {
            props.push(Property::new("sovra:license:raw", l.raw.as_str()));
        }
        let entry = Entry { statement: Statement::of(&expression, &l.raw), ack: Ack::Declared };
        if !declared.contains(&entry) {
            declared.push(entry);
        }
    }
    let concluded = c.concluded_license.as_ref().map(|l| {
        props.push(Property::new("sovra:license:concluded:source", l.source.to_string()));
        props.push(Property::new("sovra:license:concluded:confidence", format!("{:.2}", l.confidence)));
        Entry { statement: Statement::of(&l.expression, &l.expression), ack: Ack::Concluded }
    });
    let (kept, overflow) = select(declared, concluded, d);
    props.extend(overflow.iter().map(|e| Property::new("sovra:license:declared", e.statement.text())));
    (kept.into_iter().map(|e| choice(e, d)).collect(), props)
}

/// The entries the array holds in this dialect, and the declared ones it cannot.
fn select(declared: Vec<Entry>, concluded: Option<Entry>, d: Dialect) -> (Vec<Entry>, Vec<Entry>) {
    let mut kept = declared;
    let mut overflow = Vec::new();
    if d.mixed_licenses {
        kept.extend(concluded);
        return (kept, overflow);
    }
    if let Some(c) = concluded {
        if !kept.iter().any(|e| e.statement == c.statement) {
            overflow.append(&mut kept);
            kept.push(c);
        } else if d.acknowledgement {
            kept.push(c);
        }
    }
    if kept.len() > 1 && kept.iter().any(|e| matches!(e.statement, Statement::Expression(_))) {
        let keep = kept.iter().position(|e| e.ack == Ack::Concluded).unwrap_or(0);
        let chosen = kept.remove(keep);
        overflow.append(&mut kept);
        kept.push(chosen);
    }
    (kept, overflow)
}

fn choice(e: Entry, d: Dialect) -> LicenseChoice {
    let acknowledgement = d.acknowledgement.then_some(match e.ack {
        Ack::Declared => "declared",
        Ack::Concluded => "concluded",
    });
    match e.statement {
        Statement::Id(id) => LicenseChoice::License { license: License { id: Some(id), name: None, acknowledgement } },
        Statement::Name(name) => {
            LicenseChoice::License { license: License { id: None, name: Some(name), acknowledgement } }
        }
        Statement::Expression(expression) => LicenseChoice::Expression { expression, acknowledgement },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cyclonedx::SpecVersion;
    use crate::model::{ConcludedLicense, DeclaredLicense, Location};

    fn component(declared: &[&str], concluded: Option<&str>) -> Component {
        Component {
            declared_licenses: declared.iter().map(|r| DeclaredLicense::raw(*r)).collect(),
            concluded_license: concluded.map(|e| ConcludedLicense {
                expression: e.to_string(),
                confidence: 0.9,
                source: Location::new("LICENSE", None),
            }),
            ..Component::default()
        }
    }

    fn run(declared: &[&str], concluded: Option<&str>, spec: SpecVersion) -> (String, Vec<String>) {
        let (choices, props) = licenses(&component(declared, concluded), Dialect::of(spec));
        let json = serde_json::to_string(&choices).unwrap_or_default();
        let props = props
            .into_iter()
            .filter(|p| !p.name.starts_with("sovra:license:concluded:"))
            .map(|p| format!("{}={}", p.name, p.value))
            .collect();
        (json, props)
    }

    #[test]
    fn single_ids_compounds_and_unknown_text() {
        use SpecVersion::*;
        let (j, p) = run(&["MIT"], None, V1_6);
        assert_eq!(j, r#"[{"license":{"id":"MIT","acknowledgement":"declared"}}]"#);
        assert!(p.is_empty());
        let (j, p) = run(&["MIT/Apache-2.0"], None, V1_5);
        assert_eq!(j, r#"[{"expression":"MIT OR Apache-2.0"}]"#);
        assert_eq!(p, ["sovra:license:raw=MIT/Apache-2.0"]);
        let (j, _) = run(&["Apache-2.0+"], None, V1_6);
        assert_eq!(j, r#"[{"expression":"Apache-2.0+","acknowledgement":"declared"}]"#);
        let (j, p) = run(&["See LICENSE file"], None, V1_6);
        assert_eq!(j, r#"[{"license":{"name":"See LICENSE file","acknowledgement":"declared"}}]"#);
        assert_eq!(p, ["sovra:license:raw=See LICENSE file"]);
        let (j, _) = run(&[], Some("NONE"), V1_5);
        assert_eq!(j, r#"[{"license":{"name":"NONE"}}]"#);
    }

    #[test]
    fn concluded_wins_before_1_7_and_sits_beside_declared_in_1_7() {
        use SpecVersion::*;
        let (j, p) = run(&["GPL-2.0+"], Some("GPL-3.0-only AND MIT"), V1_6);
        assert_eq!(j, r#"[{"expression":"GPL-3.0-only AND MIT","acknowledgement":"concluded"}]"#);
        assert_eq!(p, ["sovra:license:raw=GPL-2.0+", "sovra:license:declared=GPL-2.0-or-later"]);
        let (j, p) = run(&["GPL-2.0+"], Some("GPL-3.0-only AND MIT"), V1_7);
        assert_eq!(
            j,
            r#"[{"license":{"id":"GPL-2.0-or-later","acknowledgement":"declared"}},{"expression":"GPL-3.0-only AND MIT","acknowledgement":"concluded"}]"#
        );
        assert_eq!(p, ["sovra:license:raw=GPL-2.0+"]);
        // Agreement: 1.6 lists an id twice with both acknowledgements, 1.5 once.
        let (j, _) = run(&["MIT"], Some("MIT"), V1_6);
        assert_eq!(
            j,
            r#"[{"license":{"id":"MIT","acknowledgement":"declared"}},{"license":{"id":"MIT","acknowledgement":"concluded"}}]"#
        );
        let (j, _) = run(&["MIT"], Some("MIT"), V1_5);
        assert_eq!(j, r#"[{"license":{"id":"MIT"}}]"#);
        // An agreeing expression can appear only once before 1.7.
        let (j, p) = run(&["MIT OR Apache-2.0"], Some("MIT OR Apache-2.0"), V1_6);
        assert_eq!(j, r#"[{"expression":"MIT OR Apache-2.0","acknowledgement":"concluded"}]"#);
        assert_eq!(p, ["sovra:license:declared=MIT OR Apache-2.0"]);
    }

    /// The schemas' directory, as `tests/cyclonedx_schema.rs` finds it.
    fn schema_dir() -> Option<std::path::PathBuf> {
        let dir = std::env::var_os("SOVRA_CDX_SCHEMAS")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/cyclonedx-schemas"));
        if dir.join("spdx.SNAPSHOT.schema.json").is_file() {
            return Some(dir);
        }
        assert!(std::env::var_os("CI").is_none(), "CI is set but {} has no schemas", dir.display());
        eprintln!("notice: {} is absent (run .ci/fetch-schemas); skipping", dir.display());
        None
    }

    #[test]
    fn schema_enum_covers_every_other_id() {
        let Some(dir) = schema_dir() else { return };
        let text = std::fs::read_to_string(dir.join("spdx.SNAPSHOT.schema.json")).unwrap_or_default();
        let schema: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let listed: Vec<&str> = schema["enum"].as_array().into_iter().flatten().filter_map(|v| v.as_str()).collect();
        assert!(listed.len() > 500, "the SPDX enumeration was not found");
        for lic in spdx::identifiers::LICENSES {
            let in_enum = listed.contains(&lic.name);
            let excluded = NOT_IN_SCHEMA_ENUM.contains(&lic.name);
            assert!(
                in_enum != excluded || lic.name == "NOASSERTION",
                "{}: in the schema enum: {in_enum}, in NOT_IN_SCHEMA_ENUM: {excluded}",
                lic.name
            );
        }
        // Such an id is still written, as an expression.
        assert_eq!(Statement::of("Bugroff", "Bugroff"), Statement::Expression("Bugroff".into()));
    }

    #[test]
    fn several_declared_statements() {
        use SpecVersion::*;
        let (j, p) = run(&["MIT", "Apache-2.0"], None, V1_5);
        assert_eq!(j, r#"[{"license":{"id":"MIT"}},{"license":{"id":"Apache-2.0"}}]"#);
        assert!(p.is_empty());
        let (j, p) = run(&["MIT", "BSD-3-Clause OR MIT"], None, V1_6);
        assert_eq!(j, r#"[{"license":{"id":"MIT","acknowledgement":"declared"}}]"#);
        assert_eq!(p, ["sovra:license:declared=BSD-3-Clause OR MIT"]);
        let (j, _) = run(&["MIT", "BSD-3-Clause OR MIT"], None, V1_7);
        assert_eq!(
            j,
            r#"[{"license":{"id":"MIT","acknowledgement":"declared"}},{"expression":"BSD-3-Clause OR MIT","acknowledgement":"declared"}]"#
        );
    }
}
