//! Package URLs. Encoding and per-type canonicalisation come from the
//! `packageurl` crate; this wrapper only gives plug-ins an infallible builder,
//! since every plug-in already has a name and version in hand and an invalid
//! purl must not abort the scan.

use std::fmt;

use packageurl::PackageUrl;

/// A purl under construction.
#[derive(Clone, Debug)]
pub struct Purl {
    ty: String,
    namespace: Option<String>,
    name: String,
    version: Option<String>,
    qualifiers: Vec<(String, String)>,
    subpath: Option<String>,
}

impl Purl {
    pub fn new(ty: &str, namespace: Option<&str>, name: &str, version: Option<&str>) -> Purl {
        Purl {
            ty: ty.to_string(),
            namespace: namespace.filter(|n| !n.is_empty()).map(str::to_string),
            name: name.to_string(),
            version: version.filter(|v| !v.is_empty()).map(str::to_string),
            qualifiers: Vec::new(),
            subpath: None,
        }
    }

    pub fn qualifier(mut self, key: &str, value: impl Into<String>) -> Purl {
        let value = value.into();
        if !value.is_empty() {
            self.qualifiers.push((key.to_string(), value));
        }
        self
    }

    pub fn subpath(mut self, subpath: &str) -> Purl {
        self.subpath = Some(subpath.to_string());
        self
    }

    fn build(&self) -> Result<PackageUrl<'_>, packageurl::Error> {
        let mut p = PackageUrl::new(self.ty.as_str(), self.name.as_str())?;
        if let Some(ns) = &self.namespace {
            p.with_namespace(ns.as_str())?;
        }
        if let Some(v) = &self.version {
            p.with_version(v.as_str())?;
        }
        for (k, v) in &self.qualifiers {
            p.add_qualifier(k.as_str(), v.as_str())?;
        }
        if let Some(s) = &self.subpath {
            p.with_subpath(s.as_str())?;
        }
        Ok(p)
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.build() {
            Ok(p) => write!(f, "{p}"),
            // The crate refuses only malformed types or qualifier keys, which
            // plug-ins never produce; fall back to a readable, still unique form.
            Err(_) => {
                write!(f, "pkg:{}/", self.ty)?;
                if let Some(ns) = &self.namespace {
                    write!(f, "{ns}/")?;
                }
                f.write_str(&self.name)?;
                if let Some(v) = &self.version {
                    write!(f, "@{v}")?;
                }
                Ok(())
            }
        }
    }
}

/// The parts of a purl string, for readers that start from one (vendor SBOMs).
pub fn parse(purl: &str) -> Option<(String, Option<String>, String, Option<String>)> {
    let p: PackageUrl<'_> = purl.parse().ok()?;
    Some((p.ty().to_string(), p.namespace().map(str::to_string), p.name().to_string(), p.version().map(str::to_string)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_npm_name_is_encoded() {
        let p = Purl::new("npm", Some("@babel"), "core", Some("7.24.0")).to_string();
        assert_eq!(p, "pkg:npm/%40babel/core@7.24.0");
    }

    #[test]
    fn qualifiers_are_sorted_and_encoded() {
        let p = Purl::new("cargo", None, "foo", Some("0.1.0"))
            .qualifier("vcs_url", "git+https://github.com/a/foo@abc")
            .qualifier("download_url", "https://x/y")
            .to_string();
        assert_eq!(
            p,
            "pkg:cargo/foo@0.1.0?download_url=https:%2F%2Fx%2Fy&vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fa%2Ffoo%40abc"
        );
    }

    #[test]
    fn pypi_names_are_lowercased() {
        assert_eq!(Purl::new("pypi", None, "Flask", Some("3.0")).to_string(), "pkg:pypi/flask@3.0");
    }

    #[test]
    fn roundtrip_parse() {
        let (ty, ns, name, v) = parse("pkg:maven/org.apache/commons-lang3@3.14.0").unwrap();
        assert_eq!(
            (ty.as_str(), ns.as_deref(), name.as_str(), v.as_deref()),
            ("maven", Some("org.apache"), "commons-lang3", Some("3.14.0"))
        );
    }
}
