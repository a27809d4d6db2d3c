//! The vendor knowledge base: which packages tie a delivery to a vendor's
//! service or send data to one. The data lives in `data/vendors.toml`; a
//! policy may add entries of the same form.

use serde::Deserialize;

use crate::model::{Component, Ecosystem};

/// The data file shipped with Sovra.
pub const BUILTIN: &str = include_str!("../../data/vendors.toml");

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorFile {
    pub version: String,
    #[serde(rename = "vendor", default)]
    pub vendors: Vec<Vendor>,
}

/// A vendor entry. Reports name it without its patterns: they say which
/// packages *could* match, and the report lists those that did.
#[derive(Clone, Debug, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Vendor {
    /// Stable id used in policies (`deny = ["aws"]`).
    pub id: String,
    /// The legal person.
    pub name: String,
    /// Legal seat, as a place a person recognises.
    pub seat: String,
    /// ISO 3166 alpha-2 code of the seat's country.
    pub country: String,
    pub category: Category,
    /// The service the packages talk to.
    pub service: String,
    #[serde(skip_serializing)]
    pub packages: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Cloud,
    Saas,
    Payment,
    Communication,
    Identity,
    Database,
    Telemetry,
    Analytics,
    CrashReporting,
    Advertising,
}

impl Category {
    /// Whether packages of this category send data out (data egress) rather
    /// than bind the software to a platform (lock-in).
    pub fn is_egress(self) -> bool {
        matches!(self, Category::Telemetry | Category::Analytics | Category::CrashReporting | Category::Advertising)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Cloud => "cloud",
            Category::Saas => "saas",
            Category::Payment => "payment",
            Category::Communication => "communication",
            Category::Identity => "identity",
            Category::Database => "database",
            Category::Telemetry => "telemetry",
            Category::Analytics => "analytics",
            Category::CrashReporting => "crash-reporting",
            Category::Advertising => "advertising",
        }
    }

    pub const ALL: [Category; 10] = [
        Category::Cloud,
        Category::Saas,
        Category::Payment,
        Category::Communication,
        Category::Identity,
        Category::Database,
        Category::Telemetry,
        Category::Analytics,
        Category::CrashReporting,
        Category::Advertising,
    ];
}

/// A vendor entry that matched a component, and the pattern that did.
#[derive(Clone, Debug, PartialEq)]
pub struct VendorMatch<'a> {
    pub vendor: &'a Vendor,
    pub pattern: &'a str,
}

/// The compiled knowledge base.
#[derive(Clone, Debug)]
pub struct VendorDb {
    pub version: String,
    vendors: Vec<Vendor>,
    /// Per ecosystem: (vendor index, pattern without its type prefix, original
    /// pattern). Indexed by ecosystem because every component of a scan is
    /// matched, and most patterns belong to other ecosystems.
    patterns: std::collections::BTreeMap<Ecosystem, Vec<(usize, String, String)>>,
}

#[derive(Debug, thiserror::Error)]
pub enum VendorDbError {
    #[error("vendor `{vendor}`: pattern `{pattern}` must be `<purl type>:<package>` with a known purl type")]
    BadPattern { vendor: String, pattern: String },
    #[error("vendor data: {0}")]
    Toml(String),
}

impl VendorDb {
    /// The knowledge base shipped with Sovra.
    pub fn builtin() -> VendorDb {
        // The file is part of the binary and checked by a test, so it parses.
        Self::from_toml(BUILTIN).expect("data/vendors.toml is valid")
    }

    pub fn from_toml(text: &str) -> Result<VendorDb, VendorDbError> {
        let file: VendorFile = toml::from_str(text).map_err(|e| VendorDbError::Toml(e.to_string()))?;
        Self::new(file.version, file.vendors)
    }

    pub fn new(version: String, vendors: Vec<Vendor>) -> Result<VendorDb, VendorDbError> {
        let mut patterns: std::collections::BTreeMap<Ecosystem, Vec<(usize, String, String)>> = Default::default();
        for (i, v) in vendors.iter().enumerate() {
            for p in &v.packages {
                let bad = || VendorDbError::BadPattern { vendor: v.id.clone(), pattern: p.clone() };
                let (ty, pkg) = p.split_once(':').ok_or_else(bad)?;
                let eco = Ecosystem::from_purl_type(ty).ok_or_else(bad)?;
                patterns.entry(eco).or_default().push((i, normalize_name(eco, pkg), p.clone()));
            }
        }
        Ok(VendorDb { version, vendors, patterns })
    }

    /// Add entries (from a policy file).
    pub fn extend(&mut self, vendors: Vec<Vendor>) -> Result<(), VendorDbError> {
        let mut all = std::mem::take(&mut self.vendors);
        all.extend(vendors);
        *self = Self::new(std::mem::take(&mut self.version), all)?;
        Ok(())
    }

    pub fn vendors(&self) -> &[Vendor] {
        &self.vendors
    }

    /// Every entry whose patterns match the component, each vendor entry once.
    pub fn matches(&self, c: &Component) -> Vec<VendorMatch<'_>> {
        let Some(patterns) = c.ecosystem.and_then(|eco| Some((eco, self.patterns.get(&eco)?))) else {
            return Vec::new();
        };
        let (eco, patterns) = patterns;
        let name = normalize_name(eco, &package_key(c));
        let mut out: Vec<VendorMatch<'_>> = Vec::new();
        for (i, pat, original) in patterns {
            if glob(pat, &name) && !out.iter().any(|m| std::ptr::eq(m.vendor, &self.vendors[*i])) {
                out.push(VendorMatch { vendor: &self.vendors[*i], pattern: original });
            }
        }
        out
    }
}

/// The package as its purl writes it, without version: `namespace/name` or `name`.
fn package_key(c: &Component) -> String {
    match &c.namespace {
        Some(ns) if !ns.is_empty() => format!("{ns}/{}", c.name),
        _ => c.name.clone(),
    }
}

/// Names compare as their registries compare them.
fn normalize_name(eco: Ecosystem, name: &str) -> String {
    match eco {
        Ecosystem::Nuget => name.to_ascii_lowercase(),
        Ecosystem::Pypi => {
            // PEP 503: lowercase, runs of `-`, `_`, `.` become one `-`.
            let mut out = String::with_capacity(name.len());
            let mut sep = false;
            for ch in name.chars() {
                if matches!(ch, '-' | '_' | '.') {
                    sep = true;
                } else {
                    if sep && !out.is_empty() {
                        out.push('-');
                    }
                    sep = false;
                    out.push(ch.to_ascii_lowercase());
                }
            }
            out
        }
        _ => name.to_string(),
    }
}

/// `*` matches any run of characters; everything else literally.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comp(eco: Ecosystem, ns: Option<&str>, name: &str) -> Component {
        Component::new(eco, ns, name, "1.0.0")
    }

    fn ids(db: &VendorDb, c: &Component) -> Vec<String> {
        db.matches(c).iter().map(|m| m.vendor.id.clone()).collect()
    }

    #[test]
    fn builtin_data_parses_and_every_pattern_is_well_formed() {
        let db = VendorDb::builtin();
        assert!(!db.version.is_empty());
        assert!(db.vendors().len() >= 25);
        for v in db.vendors() {
            assert!(!v.packages.is_empty(), "{} has no packages", v.id);
            assert_eq!(v.country.len(), 2, "{}: country is an ISO code", v.id);
        }
        let mut seen = std::collections::BTreeSet::new();
        for v in db.vendors() {
            assert!(seen.insert(v.id.clone()), "duplicate vendor id {}", v.id);
        }
    }

    #[test]
    fn every_category_has_entries() {
        let db = VendorDb::builtin();
        for cat in Category::ALL {
            if cat == Category::Database {
                continue; // reserved for policies: database services come with their cloud's entry
            }
            assert!(db.vendors().iter().any(|v| v.category == cat), "no vendor of category {}", cat.as_str());
        }
    }

    #[test]
    fn lock_in_entries_match_their_sdks() {
        let db = VendorDb::builtin();
        assert_eq!(ids(&db, &comp(Ecosystem::Nuget, None, "Azure.Storage.Blobs")), ["azure"]);
        assert_eq!(ids(&db, &comp(Ecosystem::Nuget, None, "azure.storage.blobs")), ["azure"]);
        assert_eq!(ids(&db, &comp(Ecosystem::Npm, Some("@aws-sdk"), "client-s3")), ["aws"]);
        assert_eq!(ids(&db, &comp(Ecosystem::Pypi, None, "Boto3")), ["aws"]);
        assert_eq!(ids(&db, &comp(Ecosystem::Maven, Some("com.stripe"), "stripe-java")), ["stripe"]);
        assert_eq!(ids(&db, &comp(Ecosystem::Golang, Some("github.com/aws"), "aws-sdk-go-v2")), ["aws"]);
        assert_eq!(ids(&db, &comp(Ecosystem::Composer, Some("stripe"), "stripe-php")), ["stripe"]);
        assert_eq!(ids(&db, &comp(Ecosystem::Gem, None, "aws-sdk-s3")), ["aws"]);
        assert_eq!(ids(&db, &comp(Ecosystem::Cargo, None, "aws-sdk-s3")), ["aws"]);
        assert_eq!(ids(&db, &comp(Ecosystem::Nuget, None, "Braintree")), ["paypal"]);
        assert_eq!(ids(&db, &comp(Ecosystem::Nuget, None, "SendGrid")), ["twilio"]);
    }

    #[test]
    fn egress_entries_match_telemetry_sdks() {
        let db = VendorDb::builtin();
        for (c, want) in [
            (comp(Ecosystem::Npm, Some("@sentry"), "node"), "sentry"),
            (comp(Ecosystem::Pypi, None, "sentry_sdk"), "sentry"),
            (comp(Ecosystem::Npm, None, "dd-trace"), "datadog"),
            (comp(Ecosystem::Gem, None, "newrelic_rpm"), "newrelic"),
            (comp(Ecosystem::Nuget, None, "Microsoft.ApplicationInsights.AspNetCore"), "application-insights"),
            (comp(Ecosystem::Npm, Some("@amplitude"), "analytics-browser"), "amplitude"),
            (comp(Ecosystem::Pypi, None, "google-ads"), "google-ads"),
        ] {
            let m = db.matches(&c);
            assert!(
                m.iter().any(|m| m.vendor.id == want && m.vendor.category.is_egress()),
                "{} -> {:?}",
                c.purl,
                ids(&db, &c)
            );
        }
    }

    #[test]
    fn unrelated_and_lookalike_packages_do_not_match() {
        let db = VendorDb::builtin();
        for c in [
            comp(Ecosystem::Npm, None, "lodash"),
            comp(Ecosystem::Npm, None, "stripe-like"),
            comp(Ecosystem::Nuget, None, "AzureSomething"),
            comp(Ecosystem::Pypi, None, "boto"),
            comp(Ecosystem::Cargo, None, "sentryx"),
            comp(Ecosystem::Nuget, None, "OpenTelemetry"),
        ] {
            assert!(ids(&db, &c).is_empty(), "{} matched {:?}", c.purl, ids(&db, &c));
        }
        // The same name in another ecosystem is another package.
        assert!(ids(&db, &comp(Ecosystem::Cargo, None, "stripe")).is_empty());
    }

    #[test]
    fn glob_semantics() {
        assert!(glob("a*", "a"));
        assert!(glob("a*c", "abc"));
        assert!(!glob("a*c", "ab"));
        assert!(glob("*x*", "axb"));
        assert!(!glob("ab*ba", "aba"));
    }

    #[test]
    fn bad_patterns_are_rejected() {
        let err = VendorDb::from_toml(
            "version = \"1\"\n[[vendor]]\nid=\"x\"\nname=\"X\"\nseat=\"Y\"\ncountry=\"DE\"\ncategory=\"saas\"\nservice=\"s\"\npackages=[\"nope:foo\"]\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("nope:foo"));
    }
}
