//! The mapping table of non-SPDX licence names and URLs (`aliases.tsv`).

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("aliases.tsv");

fn table() -> &'static HashMap<String, &'static str> {
    static MAP: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        TABLE
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .map(|(k, v)| (key(k), v.trim()))
            .collect()
    })
}

/// The lookup key of a name or URL (see the table's header).
fn key(raw: &str) -> String {
    let lower = raw.trim().to_lowercase();
    let collapsed = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(url) = collapsed
        .strip_prefix("https://")
        .or_else(|| collapsed.strip_prefix("http://"))
        .or_else(|| looks_like_host(&collapsed).then_some(collapsed.as_str()))
    else {
        return collapsed.trim_end_matches(['.', ';', ',']).to_string();
    };
    let url = url.strip_prefix("www.").unwrap_or(url);
    let url = url.split(['?', '#']).next().unwrap_or(url).trim_end_matches('/');
    let mut url = url.to_string();
    for ext in [".html", ".htm", ".txt", ".php", ".aspx", ".md"] {
        if let Some(s) = url.strip_suffix(ext) {
            url = s.to_string();
            break;
        }
    }
    // gnu.org serves translations as `gpl-3.0.ru.html`, `gpl-3.0.en.html`.
    if let Some((base, lang)) = url.rsplit_once('.')
        && lang.len() == 2
        && lang.bytes().all(|b| b.is_ascii_alphabetic())
        && base.contains('/')
    {
        url = base.to_string();
    }
    url
}

fn looks_like_host(s: &str) -> bool {
    !s.contains(' ')
        && s.contains('/')
        && s.split('/').next().is_some_and(|h| [".org", ".com", ".net"].iter().any(|tld| h.ends_with(tld)))
}

/// The SPDX expression a non-SPDX licence name or licence URL stands for.
pub fn lookup(raw: &str) -> Option<&'static str> {
    table().get(&key(raw)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_a_valid_current_expression() {
        for (k, v) in table() {
            let parsed = spdx::Expression::parse(v);
            assert!(parsed.is_ok(), "{k} -> {v} does not parse");
            for req in parsed.iter().flat_map(|e| e.requirements()) {
                if let spdx::LicenseItem::Spdx { id, .. } = req.req.license {
                    assert!(!id.is_deprecated(), "{k} -> {v} uses a deprecated id");
                }
            }
        }
        assert!(table().len() > 150);
    }

    #[test]
    fn urls_are_keyed_loosely() {
        assert_eq!(lookup("http://www.apache.org/licenses/LICENSE-2.0.txt"), Some("Apache-2.0"));
        assert_eq!(lookup("https://www.gnu.org/licenses/lgpl-3.0.ru.html"), Some("LGPL-3.0-only"));
        assert_eq!(lookup("https://opensource.org/licenses/MIT/"), Some("MIT"));
        assert_eq!(lookup("The  MIT License"), Some("MIT"));
        assert_eq!(lookup("BSD"), None);
    }
}
