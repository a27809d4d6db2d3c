use super::*;
use crate::model::{DeclaredLicense, Ecosystem, Location};
use crate::risk::assess;

fn comp(name: &str, license: &str) -> Component {
    let mut c = Component::new(Ecosystem::Npm, None, name, "1.0.0");
    c.declared_licenses.push(DeclaredLicense { raw: license.into(), expression: Some(license.into()), source: None });
    c.locations.push(Location::new("web/package-lock.json", Some(7)));
    c
}

fn run(policy_text: &str, components: Vec<Component>) -> Outcome {
    let policy = Policy::from_file("sovra.toml", policy_text).unwrap_or_else(|e| panic!("{e}"));
    let inv = Inventory { components, ..Inventory::default() };
    let a = assess(&inv, &policy.risk);
    check(&inv, &a, &policy)
}

fn rules(o: &Outcome) -> Vec<(&'static str, ViolationLevel, String)> {
    o.violations.iter().map(|v| (v.rule, v.level, v.purl.clone())).collect()
}

#[test]
fn allow_list_is_evaluated_on_whole_expressions() {
    let o = run(
        "[licenses]\nallow = [\"MIT\"]\n",
        vec![comp("dual", "MIT OR GPL-3.0-only"), comp("gpl", "GPL-3.0-only"), comp("both", "MIT AND Apache-2.0")],
    );
    assert_eq!(
        rules(&o),
        vec![
            ("licenses.not-allowed", ViolationLevel::Error, "pkg:npm/both@1.0.0".into()),
            ("licenses.not-allowed", ViolationLevel::Error, "pkg:npm/gpl@1.0.0".into()),
        ]
    );
    let v = &o.violations[1];
    assert_eq!(v.location, Some(Location::new("web/package-lock.json", Some(7))));
    assert_eq!(v.policy.as_ref().map(|p| (p.line, p.column)), Some((2, 10)));
}

#[test]
fn deny_names_the_rule_position_and_deprecated_ids_are_normalised() {
    let o = run(
        "[licenses]\ndeny = [\n  \"GPL-3.0\",\n]\n",
        vec![comp("gpl", "GPL-3.0-only"), comp("dual", "GPL-3.0-only OR MIT")],
    );
    assert_eq!(rules(&o), vec![("licenses.denied", ViolationLevel::Error, "pkg:npm/gpl@1.0.0".into())]);
    let p = o.violations[0].policy.as_ref().unwrap();
    assert_eq!((p.line, p.column), (3, 3));
    let text = o.violations[0].to_string();
    assert!(text.starts_with("error[licenses.denied]: pkg:npm/gpl@1.0.0"), "{text}");
    assert!(text.contains("--> web/package-lock.json:7"), "{text}");
    assert!(text.contains("= policy: sovra.toml:3:3"), "{text}");
}

#[test]
fn class_rules_warn_or_deny() {
    let o = run(
        "[licenses]\ncopyleft = \"warn\"\nnon-free = \"deny\"\nunknown = \"deny\"\n",
        vec![comp("gpl", "GPL-2.0-only"), comp("busl", "BUSL-1.1"), comp("mit", "MIT"), comp("what", "NOASSERTION")],
    );
    assert_eq!(
        rules(&o),
        vec![
            ("licenses.non-free", ViolationLevel::Error, "pkg:npm/busl@1.0.0".into()),
            ("licenses.unknown", ViolationLevel::Error, "pkg:npm/what@1.0.0".into()),
            ("licenses.copyleft", ViolationLevel::Warning, "pkg:npm/gpl@1.0.0".into()),
        ]
    );
    assert!(!o.passed());
}

#[test]
fn exceptions_waive_with_a_reason() {
    let o = run(
        "[licenses]\ndeny = [\"BUSL-1.1\"]\n[[exceptions]]\npackage = \"pkg:npm/busl\"\nrules = [\"licenses.*\"]\nreason = \"bought a licence\"\n",
        vec![comp("busl", "BUSL-1.1")],
    );
    assert!(o.violations.is_empty());
    assert_eq!(o.waived.len(), 1);
    assert_eq!(o.waived[0].1, "bought a licence");
    let o = run(
        "[licenses]\nallow = [\"MIT\"]\n[[licenses.exceptions]]\npackage = \"busl\"\nallow = [\"BUSL-1.1\"]\nreason = \"contract\"\n",
        vec![comp("busl", "BUSL-1.1")],
    );
    assert!(o.passed(), "{:?}", rules(&o));
}

#[test]
fn vendor_and_threshold_rules() {
    let mut azure = Component::new(Ecosystem::Nuget, None, "Azure.Identity", "1.10.0");
    azure.declared_licenses.push(DeclaredLicense { raw: "MIT".into(), expression: Some("MIT".into()), source: None });
    let mut sentry = Component::new(Ecosystem::Npm, Some("@sentry"), "node", "8.0.0");
    sentry.declared_licenses.push(DeclaredLicense { raw: "MIT".into(), expression: Some("MIT".into()), source: None });
    let o = run(
        "[vendors]\ndeny = [\"azure\"]\nwarn-categories = [\"crash-reporting\"]\n",
        vec![azure.clone(), sentry.clone()],
    );
    assert_eq!(
        rules(&o),
        vec![
            ("vendors.denied", ViolationLevel::Error, "pkg:nuget/Azure.Identity@1.10.0".into()),
            ("vendors.category", ViolationLevel::Warning, "pkg:npm/%40sentry/node@8.0.0".into()),
        ]
    );
    let o = run("[risk]\nfail-on = \"medium\"\n", vec![azure, comp("fine", "MIT")]);
    assert_eq!(rules(&o), vec![("risk.threshold", ViolationLevel::Error, "pkg:nuget/Azure.Identity@1.10.0".into())]);
}

#[test]
fn dev_packages_are_not_checked_unless_asked() {
    let mut dev = comp("devtool", "BUSL-1.1");
    dev.scope = Some(Scope::Dev);
    assert!(run("[licenses]\nnon-free = \"deny\"\n", vec![dev.clone()]).passed());
    assert!(!run("[licenses]\nnon-free = \"deny\"\ninclude-dev = true\n", vec![dev]).passed());
}

#[test]
fn invalid_policies_point_at_line_and_column() {
    let cases = [
        ("[licenses]\nallow = [\"MIT\", \"Not A Licence\"]\n", 2, 17, "not an SPDX licence id"),
        ("[licenses]\ncopyleft = \"maybe\"\n", 2, 12, "maybe"),
        ("[risk]\nfail-on = \"severe\"\n", 2, 11, "unknown risk level"),
        ("[risk.severity]\nlicense-made-up = \"low\"\n", 2, 19, "unknown risk factor"),
        ("[vendors]\ndeny = [\"acme\"]\n", 2, 9, "unknown vendor id"),
        ("[licenses]\nalow = []\n", 2, 1, "alow"),
        ("[[exceptions]]\npackage = \"x\"\nrules = [\"licenses.nope\"]\nreason = \"r\"\n", 3, 10, "unknown rule"),
        ("[licenses\n", 1, 10, ""),
    ];
    for (text, line, column, needle) in cases {
        let Err(e) = Policy::from_file("sovra.toml", text) else { panic!("accepted: {text}") };
        assert_eq!((e.pos.line, e.pos.column), (line, column), "{text}: {e}");
        assert!(e.to_string().contains(needle), "{e}");
        assert!(e.to_string().starts_with(&format!("sovra.toml:{line}:{column}: ")), "{e}");
    }
}

#[test]
fn the_sample_policy_parses() {
    let text = include_str!("../../../../examples/sovra.toml");
    let p = Policy::from_file("examples/sovra.toml", text).unwrap_or_else(|e| panic!("{e}"));
    assert!(p.allow.iter().any(|a| a.value == "EUPL-1.2"));
    assert_eq!(p.fail_on.map(|s| s.value), Some(Level::Critical));
}
