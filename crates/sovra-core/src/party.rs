//! People and organisations as the writers name them.
//!
//! * [`Person`] is one creator as a manifest states it: `Name <email> (url)`,
//!   the form npm, Cargo, Composer and others use, split into its parts. An
//!   email is kept only when it is plainly one, a URL only when it is an
//!   absolute `http(s)` URL, so that whatever is written passes the
//!   CycloneDX schemas' `idn-email` and `iri-reference` formats.
//! * [`Organization`] is an entity with contacts and URLs: the SBOM's
//!   manufacturer as the user configures it, or a component's creator built
//!   from the authors that carry an email or a URL ([`Organization::from_authors`]).
//!   Nothing is invented: without a contact there is no organisation.

/// One creator, as stated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Person {
    pub name: Option<String>,
    pub email: Option<String>,
    pub url: Option<String>,
}

impl Person {
    /// Split `Name <email> (url)`; parts in other places stay in the name.
    pub fn parse(text: &str) -> Person {
        let mut rest = text.trim().to_string();
        let mut email = None;
        if let Some((open, close)) = delimited(&rest, '<', '>') {
            let inner = rest[open + 1..close].trim();
            if looks_like_email(inner) {
                email = Some(inner.to_string());
                rest.replace_range(open..=close, " ");
            }
        }
        let mut url = None;
        if let Some((open, close)) = delimited(&rest, '(', ')') {
            let inner = rest[open + 1..close].trim();
            if is_web_url(inner) {
                url = Some(inner.to_string());
                rest.replace_range(open..=close, " ");
            }
        }
        let name = rest.split_whitespace().collect::<Vec<_>>().join(" ");
        // A bare URL or email as the whole statement is a contact, not a name.
        if email.is_none() && url.is_none() {
            if is_web_url(&name) {
                return Person { name: None, email: None, url: Some(name) };
            }
            if looks_like_email(&name) {
                return Person { name: None, email: Some(name), url: None };
            }
        }
        Person { name: (!name.is_empty()).then_some(name), email, url }
    }

    /// Whether the guideline would accept this person as a creator contact.
    pub fn has_contact(&self) -> bool {
        self.email.is_some() || self.url.is_some()
    }
}

/// `(open, close)` byte positions of the first `open … close` pair.
fn delimited(s: &str, open: char, close: char) -> Option<(usize, usize)> {
    let o = s.find(open)?;
    let c = s[o..].find(close)? + o;
    Some((o, c))
}

/// Conservative, so that what is written passes the schemas' `idn-email`.
pub fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    let plain = |p: &str| {
        !p.is_empty()
            && !p.starts_with('.')
            && !p.ends_with('.')
            && !p.contains("..")
            && p.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
    };
    plain(local)
        && plain(domain)
        && domain.contains('.')
        && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.')
}

/// An absolute `http(s)` URL without spaces or characters an IRI cannot hold.
pub fn is_web_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty()
            && !r.starts_with('/')
            && !s.chars().any(|c| c.is_whitespace() || c.is_control() || "<>\"{}|\\^`".contains(c))
    })
}

/// An organisation with the ways to reach it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Organization {
    pub name: Option<String>,
    pub urls: Vec<String>,
    /// Contacts with at least an email.
    pub contacts: Vec<Person>,
}

impl Organization {
    /// The SBOM manufacturer from configured parts; `None` when all are empty.
    /// An email or URL that is not one is an error, so a typo is not silently dropped.
    pub fn configured(
        name: Option<&str>,
        email: Option<&str>,
        url: Option<&str>,
    ) -> Result<Option<Organization>, String> {
        let clean = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let (name, email, url) = (clean(name), clean(email), clean(url));
        if let Some(e) = email.as_deref().filter(|e| !looks_like_email(e)) {
            return Err(format!("manufacturer email `{e}` is not an email address"));
        }
        if let Some(u) = url.as_deref().filter(|u| !is_web_url(u)) {
            return Err(format!("manufacturer URL `{u}` is not an http(s) URL"));
        }
        let org = Organization {
            name,
            urls: url.into_iter().collect(),
            contacts: email.map(|e| Person { name: None, email: Some(e), url: None }).into_iter().collect(),
        };
        Ok((org != Organization::default()).then_some(org))
    }

    /// The creators who can be reached, as one entity: every author's email
    /// as a contact and every author's URL; named after the author when
    /// there is just one. `None` when no author has an email or a URL.
    pub fn from_authors(authors: &[String]) -> Option<Organization> {
        let reachable: Vec<Person> = authors.iter().map(|a| Person::parse(a)).filter(Person::has_contact).collect();
        if reachable.is_empty() {
            return None;
        }
        let mut urls: Vec<String> = reachable.iter().filter_map(|p| p.url.clone()).collect();
        urls.sort();
        urls.dedup();
        let mut contacts: Vec<Person> = reachable
            .iter()
            .filter(|p| p.email.is_some())
            .map(|p| Person { name: p.name.clone(), email: p.email.clone(), url: None })
            .collect();
        contacts.sort_by(|a, b| (&a.email, &a.name).cmp(&(&b.email, &b.name)));
        contacts.dedup();
        let name = match reachable.as_slice() {
            [one] => one.name.clone(),
            _ => None,
        };
        Some(Organization { name, urls, contacts })
    }

    /// Whether the guideline would accept it as a creator: an email or a URL.
    pub fn has_contact(&self) -> bool {
        !self.urls.is_empty() || self.contacts.iter().any(|c| c.email.is_some())
    }

    /// A short text naming it: the name, else the first email or URL.
    pub fn label(&self) -> String {
        self.name
            .clone()
            .or_else(|| self.contacts.iter().find_map(|c| c.email.clone()))
            .or_else(|| self.urls.first().cloned())
            .unwrap_or_default()
    }

    /// The first email, for formats that hold one.
    pub fn email(&self) -> Option<&str> {
        self.contacts.iter().find_map(|c| c.email.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_npm_person_form() {
        let p = Person::parse("Jane Doe <jane@example.org> (https://jane.example.org)");
        assert_eq!(p.name.as_deref(), Some("Jane Doe"));
        assert_eq!(p.email.as_deref(), Some("jane@example.org"));
        assert_eq!(p.url.as_deref(), Some("https://jane.example.org"));
        let p = Person::parse("Team (core maintainers)");
        assert_eq!((p.name.as_deref(), p.has_contact()), (Some("Team (core maintainers)"), false));
        let p = Person::parse("Bob <not an email>");
        assert_eq!((p.email, p.name.as_deref()), (None, Some("Bob <not an email>")));
        assert_eq!(Person::parse("https://example.org/team").url.as_deref(), Some("https://example.org/team"));
        assert_eq!(Person::parse("a@example.org").email.as_deref(), Some("a@example.org"));
    }

    #[test]
    fn organizations_only_from_reachable_authors() {
        assert_eq!(Organization::from_authors(&["Plain Name".into()]), None);
        let one = Organization::from_authors(&["Plain".into(), "A <a@example.org>".into()]).unwrap();
        assert_eq!(one.name.as_deref(), Some("A"));
        assert_eq!(one.email(), Some("a@example.org"));
        let two = Organization::from_authors(&["B (https://b.example)".into(), "A <a@example.org>".into()]).unwrap();
        assert_eq!((two.name, two.urls, two.contacts.len()), (None, vec!["https://b.example".to_string()], 1));
    }

    #[test]
    fn configured_manufacturer_is_checked() {
        assert_eq!(Organization::configured(None, Some(" "), None), Ok(None));
        assert!(Organization::configured(None, Some("nope"), None).is_err());
        assert!(Organization::configured(None, None, Some("example.org")).is_err());
        let org = Organization::configured(Some("Amt"), Some("sbom@amt.example"), None).unwrap().unwrap();
        assert!(org.has_contact());
        assert_eq!(org.label(), "Amt");
    }
}
