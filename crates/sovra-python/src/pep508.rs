//! PEP 508 dependency specifications (`name[extra] (>=1,<2) ; marker`,
//! `name @ https://...`), as requirements files and `pyproject.toml` write them.

/// One parsed requirement. Fields keep the text as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub name: String,
    pub extras: Vec<String>,
    /// The version specifier without surrounding parentheses (`>=1,<2`), may be empty.
    pub specifier: String,
    /// `name @ url` direct reference.
    pub url: Option<String>,
    pub marker: Option<String>,
}

impl Requirement {
    /// The version when the specifier pins exactly one (`==1.2` or `===1.2`,
    /// without wildcard). Anything else is a range and locks nothing.
    pub fn pinned_version(&self) -> Option<&str> {
        let spec = self.specifier.trim();
        if spec.contains(',') {
            return None;
        }
        let v = spec.strip_prefix("===").or_else(|| spec.strip_prefix("=="))?.trim();
        (!v.is_empty() && !v.contains('*') && !v.contains(char::is_whitespace)).then_some(v)
    }
}

/// Parse one requirement; `None` if it does not start with a valid name or
/// its brackets are unbalanced.
pub fn parse(text: &str) -> Option<Requirement> {
    let text = text.trim();
    let (body, marker) = split_marker(text);
    let name_end =
        body.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))).unwrap_or(body.len());
    let name = &body[..name_end];
    if !crate::common::valid_name(name) {
        return None;
    }
    let mut rest = body[name_end..].trim_start();
    let mut extras = Vec::new();
    if let Some(r) = rest.strip_prefix('[') {
        let (inside, after) = r.split_once(']')?;
        extras = inside.split(',').map(str::trim).filter(|e| !e.is_empty()).map(str::to_string).collect();
        rest = after.trim_start();
    }
    let mut url = None;
    let mut specifier = String::new();
    if let Some(u) = rest.strip_prefix('@') {
        let u = u.trim();
        if u.is_empty() {
            return None;
        }
        url = Some(u.to_string());
    } else {
        let s = rest.trim();
        let s = match s.strip_prefix('(') {
            Some(inner) => inner.strip_suffix(')')?,
            None => s,
        };
        if !s.is_empty() && !s.starts_with(['<', '>', '=', '!', '~']) {
            return None;
        }
        specifier = s.split_whitespace().collect::<Vec<_>>().join("");
    }
    Some(Requirement { name: name.to_string(), extras, specifier, url, marker })
}

/// Split off the environment marker. In a direct-reference URL a `;` only
/// starts the marker when preceded by whitespace (PEP 508), since URLs may contain `;`.
fn split_marker(text: &str) -> (&str, Option<String>) {
    let is_url = text.contains('@') && !text.starts_with('@');
    let pos = if is_url {
        text.match_indices(';').find(|(i, _)| text[..*i].ends_with(char::is_whitespace)).map(|(i, _)| i)
    } else {
        text.find(';')
    };
    match pos {
        Some(i) => {
            let m = text[i + 1..].trim();
            (text[..i].trim_end(), (!m.is_empty()).then(|| m.to_string()))
        }
        None => (text, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_extras_specifier_and_marker() {
        let r = parse("cachecontrol[filecache] (>=0.14.0,<0.15.0) ; python_version < '3.11'").unwrap();
        assert_eq!(r.name, "cachecontrol");
        assert_eq!(r.extras, vec!["filecache"]);
        assert_eq!(r.specifier, ">=0.14.0,<0.15.0");
        assert_eq!(r.marker.as_deref(), Some("python_version < '3.11'"));
        assert_eq!(r.pinned_version(), None);
    }

    #[test]
    fn pins_and_non_pins() {
        assert_eq!(parse("a==1.0").unwrap().pinned_version(), Some("1.0"));
        assert_eq!(parse("a === 1.0+local").unwrap().pinned_version(), Some("1.0+local"));
        assert_eq!(parse("a==1.*").unwrap().pinned_version(), None);
        assert_eq!(parse("a>=1").unwrap().pinned_version(), None);
        assert_eq!(parse("a").unwrap().pinned_version(), None);
    }

    #[test]
    fn direct_reference_keeps_url_semicolons() {
        let r = parse("pkg @ https://h/x;y.whl ; os_name == 'nt'").unwrap();
        assert_eq!(r.url.as_deref(), Some("https://h/x;y.whl"));
        assert_eq!(r.marker.as_deref(), Some("os_name == 'nt'"));
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(parse("-x"), None);
        assert_eq!(parse("a[b"), None);
        assert_eq!(parse("a b c"), None);
    }
}
