//! URLs for `externalReferences`, whose `url` the schemas type as an IRI
//! reference (JSON `iri-reference`, XML `anyURI`). Lockfiles hold URLs that
//! are not (scp-style `git@host:org/repo.git`, a path after `host:`); a
//! consumer that validates would reject the whole document for one of them,
//! so the builder keeps such a value as a property instead.

/// The value as an IRI reference, repairing the git spellings that have one
/// obvious meaning; `None` when it cannot be used as a URL.
pub fn reference(raw: &str) -> Option<String> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    if is_iri_reference(s) {
        return Some(s.to_string());
    }
    repair_git(s).filter(|r| is_iri_reference(r))
}

/// A file name as a relative reference (one path segment).
pub fn file_reference(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=@".contains(c) || (!c.is_ascii() && !c.is_control()) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// `git@host:org/repo` is ssh; `ssh://git@host:org/repo` means the same with
/// a path where the port would be.
fn repair_git(s: &str) -> Option<String> {
    if let Some((scheme, rest)) = s.split_once("://") {
        let end = rest.find('/').unwrap_or(rest.len());
        let authority = &rest[..end];
        let host_start = authority.rfind('@').map_or(0, |i| i + 1);
        let colon = authority[host_start..].find(':')? + host_start;
        let port = &authority[colon + 1..];
        if port.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        return Some(format!("{scheme}://{}/{}{}", &authority[..colon], port, &rest[end..]));
    }
    let (userhost, path) = s.split_once(':')?;
    if userhost.contains('/') || !userhost.contains('@') || path.starts_with("//") {
        return None;
    }
    Some(format!("ssh://{userhost}/{}", path.trim_start_matches('/')))
}

/// RFC 3987 `IRI-reference`: an IRI, or a relative reference whose first
/// segment has no colon. Checks the character repertoire, percent escapes,
/// the scheme, one fragment, and the authority's port and IPv6 brackets.
pub fn is_iri_reference(s: &str) -> bool {
    if !chars_allowed(s) {
        return false;
    }
    let (body, fragment) = match s.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (s, None),
    };
    if fragment.is_some_and(|f| f.contains(['#', '[', ']'])) {
        return false;
    }
    let rest = match body.find([':', '/', '?']) {
        Some(i) if body.as_bytes()[i] == b':' => {
            let scheme = &body[..i];
            let mut bytes = scheme.bytes();
            let first_alpha = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
            if !first_alpha || !bytes.all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) {
                return false;
            }
            &body[i + 1..]
        }
        _ => body,
    };
    let (authority, path_query) = match rest.strip_prefix("//") {
        Some(after) => {
            let end = after.find(['/', '?']).unwrap_or(after.len());
            (Some(&after[..end]), &after[end..])
        }
        None => (None, rest),
    };
    if path_query.contains(['[', ']']) {
        return false;
    }
    authority.is_none_or(authority_ok)
}

fn chars_allowed(s: &str) -> bool {
    let b = s.as_bytes();
    s.char_indices().all(|(i, c)| match c {
        '%' => b.get(i + 1).is_some_and(u8::is_ascii_hexdigit) && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit),
        c if c.is_ascii_alphanumeric() => true,
        c if c.is_ascii() => "-._~!$&'()*+,;=:/?#@[]".contains(c),
        c => !c.is_control() && !c.is_whitespace(),
    })
}

fn authority_ok(authority: &str) -> bool {
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (u, h),
        None => ("", authority),
    };
    if userinfo.contains(['@', '[', ']']) {
        return false;
    }
    let port = if let Some(inner) = hostport.strip_prefix('[') {
        let Some((literal, after)) = inner.split_once(']') else { return false };
        if literal.is_empty() || !literal.bytes().all(|b| b.is_ascii_hexdigit() || b":.".contains(&b)) {
            return false;
        }
        match after.strip_prefix(':') {
            Some(port) => port,
            None if after.is_empty() => "",
            None => return false,
        }
    } else {
        if hostport.contains(['[', ']']) {
            return false;
        }
        hostport.split_once(':').map_or("", |(_, port)| port)
    };
    port.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        for ok in [
            "https://github.com/serde-rs/serde",
            "git+https://github.com/a/b.git#0123abc",
            "git+ssh://git@github.com/a/b.git",
            "http://[::1]:8080/x?y=z#f",
            "https://example.org/%C3%A4/ä",
            "foo-1.0-py3-none-any.whl",
            "../relative/path",
        ] {
            assert!(is_iri_reference(ok), "{ok}");
            assert_eq!(reference(ok).as_deref(), Some(ok));
        }
        for bad in [
            "has space",
            "https://host:port/x",
            "1http://x",
            "@x:y",
            "http://x/%zz",
            "http://x/#a#b",
            "http://x/[y]",
            "tab\there",
            "http://[::1/x",
        ] {
            assert!(!is_iri_reference(bad), "{bad}");
        }
    }

    #[test]
    fn git_spellings_are_repaired() {
        assert_eq!(reference("git@github.com:org/repo.git").as_deref(), Some("ssh://git@github.com/org/repo.git"));
        assert_eq!(
            reference("git+ssh://git@github.com:org/repo.git#v1").as_deref(),
            Some("git+ssh://git@github.com/org/repo.git#v1")
        );
        assert_eq!(reference("not a url"), None);
        assert_eq!(reference("  "), None);
    }

    #[test]
    fn file_names() {
        assert_eq!(file_reference("a b:c/d.whl"), "a%20b%3Ac%2Fd.whl");
        assert!(is_iri_reference(&file_reference("x:y#z?.tar.gz")));
    }
}
