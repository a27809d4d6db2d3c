//! Reading the package fields composer.json and composer.lock entries share.

use serde_json::{Map, Value};
use sovra_core::{Component, DeclaredLicense, Diagnostic, Ecosystem, Location};

pub type Object = Map<String, Value>;

/// A non-empty, trimmed string member.
pub fn str_field<'a>(obj: &'a Object, key: &str) -> Option<&'a str> {
    obj.get(key)?.as_str().map(str::trim).filter(|s| !s.is_empty())
}

/// Requirements Composer resolves against the PHP installation rather than a
/// repository (`php`, `ext-*`, `lib-*`, the plug-in and runtime APIs): they are
/// never packages, so they become a property instead of an edge.
pub fn is_platform(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "php"
            | "php-64bit"
            | "php-ipv6"
            | "php-zts"
            | "php-debug"
            | "hhvm"
            | "composer"
            | "composer-plugin-api"
            | "composer-runtime-api"
    ) || n.starts_with("ext-")
        || n.starts_with("lib-")
}

/// A component for `vendor/package`. The purl type definition says vendor and
/// name are case-insensitive and lower-cased; the version stays as Composer
/// wrote it (`v1.2.3` and `1.2.3` are different tags on Packagist).
pub fn new_component(name: &str, version: &str) -> Component {
    let lower = name.to_ascii_lowercase();
    match lower.split_once('/') {
        Some((vendor, package)) => Component::new(Ecosystem::Composer, Some(vendor), package, version),
        None => Component::new(Ecosystem::Composer, None, &lower, version),
    }
}

/// A requirement map (`require`, `require-dev`, `provide`, `replace`) as
/// `(name, constraint)` pairs, sorted. PHP encodes an empty map as `[]`, which
/// is accepted; any other shape is reported.
pub fn requirements(obj: &Object, key: &str, loc: &Location, diags: &mut Vec<Diagnostic>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = match obj.get(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) if a.is_empty() => Vec::new(),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| (k.trim().to_string(), v.as_str().unwrap_or("").trim().to_string()))
            .filter(|(k, _)| !k.is_empty())
            .collect(),
        Some(_) => {
            diags.push(Diagnostic::warning(
                "composer::invalid-field",
                loc.clone(),
                format!("`{key}` is not an object of package names to constraints; ignored"),
            ));
            Vec::new()
        }
    };
    out.sort();
    out
}

/// `php ^8.1, ext-json *` for the platform requirements among `reqs`.
pub fn platform_summary(reqs: &[(String, String)]) -> Option<String> {
    let list: Vec<String> = reqs
        .iter()
        .filter(|(n, _)| is_platform(n))
        .map(|(n, c)| if c.is_empty() { n.clone() } else { format!("{n} {c}") })
        .collect();
    (!list.is_empty()).then(|| list.join(", "))
}

/// Description, homepage, licence, authors, support URL and package type.
pub fn apply_metadata(obj: &Object, c: &mut Component, loc: &Location) {
    c.description = str_field(obj, "description").map(str::to_string);
    c.homepage = str_field(obj, "homepage").map(str::to_string);
    let licenses: Vec<&str> = match obj.get("license") {
        Some(Value::String(s)) => vec![s.as_str()],
        // An array lists alternatives the user may choose from (Composer docs: "or").
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if let Some(mut l) = DeclaredLicense::any_of(&licenses) {
        l.source = Some(loc.clone());
        c.declared_licenses.push(l);
    }
    if let Some(Value::Array(authors)) = obj.get("authors") {
        c.authors = authors.iter().filter_map(|a| a.as_object()).filter_map(author).collect();
    }
    c.repository_url =
        obj.get("support").and_then(Value::as_object).and_then(|s| str_field(s, "source")).map(str::to_string);
    if let Some(t) = str_field(obj, "type") {
        c.properties.insert("sovra:composer:type".into(), t.to_string());
    }
}

fn author(a: &Object) -> Option<String> {
    match (str_field(a, "name"), str_field(a, "email")) {
        (Some(n), Some(e)) => Some(format!("{n} <{e}>")),
        (Some(n), None) => Some(n.to_string()),
        (None, Some(e)) => Some(e.to_string()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_names() {
        for n in ["php", "PHP-64bit", "ext-json", "lib-icu", "composer-plugin-api", "composer-runtime-api"] {
            assert!(is_platform(n), "{n}");
        }
        for n in ["phpunit/phpunit", "psr/log", "composer/semver"] {
            assert!(!is_platform(n), "{n}");
        }
    }

    #[test]
    fn purl_lowercases_vendor_and_name_only() {
        assert_eq!(new_component("Symfony/Console", "v6.4.0").purl, "pkg:composer/symfony/console@v6.4.0");
    }
}
