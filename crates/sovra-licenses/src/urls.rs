//! Licence URLs: which licence a URL names, read from the URL's structure.
//!
//! The publishers of licence texts lay their URLs out by rule
//! (`opensource.org/licenses/<id>`, `gnu.org/licenses/<name>-<version>.html`,
//! `creativecommons.org/licenses/<kind>/<version>/`...), so the rules below
//! cover every licence those sites publish, not a list of seen URLs; the
//! core's alias table is the fallback for the irregular ones. A URL into a
//! project (`github.com/owner/repo/blob/main/LICENSE`) names no licence: what
//! the file there says cannot be known offline.

/// What a URL says about a licence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlRef {
    /// A licence text's own URL: this SPDX expression.
    Licence(String),
    /// The unversioned page of a GNU licence (`gnu.org/licenses/gpl.html`
    /// always shows the newest version): the family (`GPL`) without a
    /// version, and what it stands for on its own, if anything (the Lesser
    /// GPL's page, `copyleft/lesser.html`, names the LGPL from 2.1 on).
    Family(&'static str, Option<&'static str>),
    /// Not the URL of a licence text (a project's own licence file, a home page).
    Other,
}

/// The current SPDX id for a name, ignoring case: deprecated GNU ids become
/// their `-only` form (`GPL-2.0` is `GPL-2.0-only`), `X+` becomes `X-or-later`.
pub fn current_id(name: &str) -> Option<String> {
    let (name, plus) = match name.strip_suffix('+') {
        Some(n) => (n, true),
        None => (name, false),
    };
    let found = spdx::identifiers::LICENSES.iter().find(|l| l.name.eq_ignore_ascii_case(name))?;
    let id = spdx::license_id(found.name)?;
    if !id.is_deprecated() {
        return Some(id.name.to_string());
    }
    let suffix = if plus { "-or-later" } else { "-only" };
    spdx::license_id(&format!("{}{suffix}", id.name)).filter(|l| !l.is_deprecated()).map(|l| l.name.to_string())
}

/// Resolve a URL (with or without scheme).
pub fn resolve(url: &str) -> UrlRef {
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).unwrap_or(&lower);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let rest = rest.split(['?', '#']).next().unwrap_or(rest).trim_end_matches(['/', '.', ',', ';']);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let from_rules = match host {
        "opensource.org" => opensource(&segments),
        "spdx.org" => match segments.as_slice() {
            ["licenses", name, ..] => current_id(strip_extension(name)),
            _ => None,
        },
        "choosealicense.com" => match segments.as_slice() {
            ["licenses", key, ..] => current_id(key),
            _ => None,
        },
        "gnu.org" | "fsf.org" => return gnu(&segments),
        "apache.org" => apache(&segments),
        "mozilla.org" => mozilla(&segments),
        "eclipse.org" => eclipse(&segments),
        "creativecommons.org" => creative_commons(&segments),
        "w3.org" => w3c(&segments),
        // ISC's own licence page (`isc.org/isc-license-1.0.html`, linked from
        // ISC DHCP's and BIND's notices).
        "isc.org" => segments.last().filter(|f| f.starts_with("isc-license")).map(|_| "ISC".to_string()),
        "glassfish.dev.java.net" | "glassfish.java.net" | "oracle.com" | "oss.oracle.com" => glassfish(&segments),
        _ => None,
    };
    let fallback = || sovra_core::license::lookup_alias(url).map(str::to_string);
    match from_rules.or_else(fallback).or_else(|| named_file(segments.last()?)) {
        Some(expression) => UrlRef::Licence(expression),
        None => UrlRef::Other,
    }
}

/// A licence file named after its licence, wherever it is hosted:
/// `LICENSE-MIT`, `LICENSE.MIT`, `MIT-LICENSE.txt`, `LICENSE-APACHE`,
/// `UNLICENSE`, `LICENSE-BSD-3-Clause.md`. Projects that ship several
/// licences name the files so, and the name is the licence's id (or, for
/// `APACHE`, the one Apache licence still in use). A family name without a
/// version (`LICENSE-GPL`, `LICENSE.BSD`) names no one licence.
fn named_file(file: &str) -> Option<String> {
    let stem = strip_extension(file);
    if stem == "unlicense" {
        return Some("Unlicense".to_string());
    }
    let rest = ["license", "licence"].iter().find_map(|word| {
        let rest = stem
            .strip_prefix(word)
            .map(|r| r.strip_prefix(['-', '.', '_']))
            .or_else(|| stem.strip_suffix(word).map(|r| r.strip_suffix(['-', '.', '_'])))?;
        rest.filter(|r| !r.is_empty())
    })?;
    match rest {
        "apache" | "apache2" => Some("Apache-2.0".to_string()),
        // `LICENSE-GPL-2.0` holds the text, not the "only" or "or later" choice.
        _ => current_id(rest).filter(|id| !id.ends_with("-only") || rest.ends_with("only")),
    }
}

fn strip_extension(name: &str) -> &str {
    for ext in [".html", ".htm", ".php", ".txt", ".json", ".md", ".aspx"] {
        if let Some(s) = name.strip_suffix(ext) {
            return s;
        }
    }
    name
}

/// `opensource.org/licenses/<id>` (and `/license/<id>`): SPDX ids, and the
/// site's older `<name>-license.php` pages.
fn opensource(segments: &[&str]) -> Option<String> {
    let ["licenses" | "license", name, ..] = segments else { return None };
    let name = strip_extension(name);
    current_id(name)
        .or_else(|| current_id(name.strip_suffix("-license")?))
        .or_else(|| current_id(&name.replace("license", "")))
}

/// `gnu.org/licenses/[old-licenses/]<name>[-<version>][.<lang>].html`,
/// `gnu.org/copyleft/<name>.html`.
fn gnu(segments: &[&str]) -> UrlRef {
    // Also the FSF's older `fsf.org/licensing/licenses/agpl-3.0.html`.
    let file = match segments {
        [.., "licenses" | "old-licenses" | "copyleft", file] => *file,
        _ => return UrlRef::Other,
    };
    let mut stem = strip_extension(file);
    // Translations: `gpl-3.0.ru.html`.
    if let Some((base, lang)) = stem.rsplit_once('.')
        && lang.len() == 2
        && lang.bytes().all(|b| b.is_ascii_alphabetic())
    {
        stem = base;
    }
    let (name, version) = match stem.rsplit_once('-') {
        Some((n, v)) if v.starts_with(|c: char| c.is_ascii_digit()) => (n, Some(v)),
        _ => (stem, None),
    };
    let (family, default) = match name {
        "gpl" => ("GPL", Some("GPL-1.0-or-later")),
        "lgpl" => ("LGPL", Some("LGPL-2.0-or-later")),
        "lesser" => ("LGPL", Some("LGPL-2.1-or-later")),
        "agpl" => ("AGPL", Some("AGPL-1.0-or-later")),
        "fdl" => ("GFDL", None),
        _ => return UrlRef::Other,
    };
    match version {
        Some(v) => current_id(&format!("{family}-{v}")).map_or(UrlRef::Other, UrlRef::Licence),
        None => UrlRef::Family(family, default),
    }
}

/// `apache.org/licenses/LICENSE-2.0[.txt|.html]`.
fn apache(segments: &[&str]) -> Option<String> {
    let ["licenses", file, ..] = segments else { return None };
    let version = strip_extension(file).strip_prefix("license-")?;
    let dotted = if version.contains('.') { version.to_string() } else { format!("{version}.0") };
    current_id(&format!("Apache-{dotted}"))
}

/// `mozilla.org/MPL/2.0/`, `mozilla.org/MPL/MPL-1.1.html`, `mozilla.org/en-US/MPL/2.0/`.
fn mozilla(segments: &[&str]) -> Option<String> {
    let at = segments.iter().position(|s| *s == "mpl")?;
    let next = strip_extension(segments.get(at + 1)?);
    let version = next.strip_prefix("mpl-").unwrap_or(next);
    current_id(&format!("MPL-{version}"))
}

/// `eclipse.org/legal/epl-v10.html`, `epl-2.0`, `epl-v20.html`, `cpl-v10.html`,
/// `eclipse.org/org/documents/edl-v10.php` (the EDL is BSD-3-Clause).
fn eclipse(segments: &[&str]) -> Option<String> {
    let file = strip_extension(segments.last()?);
    let (name, version) = file.split_once('-')?;
    let digits: String = version.chars().filter(char::is_ascii_digit).collect();
    let version = match digits.as_str() {
        "10" | "1" => "1.0",
        "20" | "2" => "2.0",
        _ => return None,
    };
    match name {
        "epl" => current_id(&format!("EPL-{version}")),
        "cpl" => current_id(&format!("CPL-{version}")),
        "edl" if version == "1.0" => Some("BSD-3-Clause".into()),
        _ => None,
    }
}

/// `w3.org/Consortium/Legal/<year>/copyright-software-<date>`: the W3C
/// licence of that date.
fn w3c(segments: &[&str]) -> Option<String> {
    let id = match strip_extension(segments.last()?) {
        "copyright-software-20021231" => "W3C",
        "copyright-software-19980720" => "W3C-19980720",
        "copyright-software-and-document" | "copyright-software-and-document-20150513" => "W3C-20150513",
        _ => return None,
    };
    Some(id.into())
}

/// The GlassFish/Java EE licence pages (`glassfish.dev.java.net/public/
/// CDDL+GPL_1_1.html`, `oracle.com/licenses/CDDL+GPL_1_1`): CDDL (the
/// version in the name) or GPL-2.0; the Classpath exception is granted per
/// file, by the notice, not by the page.
fn glassfish(segments: &[&str]) -> Option<String> {
    let file = strip_extension(segments.last()?);
    let cddl = match file {
        "cddlv1.0" | "cddl-1.0" => return Some("CDDL-1.0".into()),
        "cddl+gpl" => "CDDL-1.0",
        "cddl+gpl_1_1" | "cddl+gpl-1.1" => "CDDL-1.1",
        _ => return None,
    };
    Some(format!("{cddl} OR GPL-2.0-only"))
}

/// `creativecommons.org/licenses/<kind>/<version>[/<port>][/legalcode]`,
/// `creativecommons.org/publicdomain/zero/1.0/`.
fn creative_commons(segments: &[&str]) -> Option<String> {
    match segments {
        ["publicdomain", "zero", "1.0", ..] => Some("CC0-1.0".into()),
        ["licenses", kind, version, rest @ ..] => {
            let base = format!("CC-{}-{version}", kind.to_ascii_uppercase());
            // A ported licence (`by-sa/3.0/de`) has its own id where the list has it.
            let port = rest.first().filter(|p| p.len() == 2 && **p != "legalcode");
            port.and_then(|p| current_id(&format!("{base}-{p}"))).or_else(|| current_id(&base))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn licence(url: &str) -> Option<String> {
        match resolve(url) {
            UrlRef::Licence(e) => Some(e),
            _ => None,
        }
    }

    #[test]
    fn licence_sites_by_rule() {
        for (url, want) in [
            ("https://opensource.org/licenses/BSD-2-Clause", "BSD-2-Clause"),
            ("http://www.opensource.org/licenses/mit-license.php", "MIT"),
            ("https://opensource.org/license/zlib/", "Zlib"),
            ("https://spdx.org/licenses/0BSD.html", "0BSD"),
            ("https://choosealicense.com/licenses/lgpl-3.0/", "LGPL-3.0-only"),
            ("https://www.apache.org/licenses/LICENSE-1.0", "Apache-1.0"),
            ("http://www.apache.org/licenses/LICENSE-2.0.txt", "Apache-2.0"),
            ("https://www.gnu.org/licenses/old-licenses/lgpl-2.0.html", "LGPL-2.0-only"),
            ("https://www.gnu.org/licenses/fdl-1.2.de.html", "GFDL-1.2-only"),
            ("http://www.fsf.org/licensing/licenses/agpl-3.0.html", "AGPL-3.0-only"),
            ("http://mozilla.org/MPL/1.0/", "MPL-1.0"),
            ("https://www.eclipse.org/legal/epl-v20.html", "EPL-2.0"),
            ("http://www.eclipse.org/legal/cpl-v10.html", "CPL-1.0"),
            ("https://creativecommons.org/licenses/by-nc-sa/3.0/de/", "CC-BY-NC-SA-3.0-DE"),
            ("https://creativecommons.org/licenses/by-nc/4.0/legalcode", "CC-BY-NC-4.0"),
            ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
            ("https://glassfish.dev.java.net/public/CDDL+GPL_1_1.html", "CDDL-1.1 OR GPL-2.0-only"),
            ("https://oss.oracle.com/licenses/CDDL+GPL-1.1", "CDDL-1.1 OR GPL-2.0-only"),
            ("http://www.w3.org/Consortium/Legal/2002/copyright-software-20021231", "W3C"),
            ("http://www.isc.org/isc-license-1.0.html", "ISC"),
            // Files named after their licence, on any host.
            ("https://github.com/o/r/blob/master/LICENSE.MIT", "MIT"),
            ("https://github.com/o/r/blob/master/LICENSE-APACHE", "Apache-2.0"),
            ("https://example.org/src/MIT-LICENSE.txt", "MIT"),
            ("https://github.com/o/r/blob/master/UNLICENSE.txt", "Unlicense"),
            ("https://example.org/LICENSE_BSD-3-Clause.md", "BSD-3-Clause"),
        ] {
            assert_eq!(licence(url).as_deref(), Some(want), "{url}");
        }
    }

    #[test]
    fn unversioned_and_project_urls() {
        assert_eq!(resolve("https://www.gnu.org/licenses/gpl.html"), UrlRef::Family("GPL", Some("GPL-1.0-or-later")));
        assert_eq!(
            resolve("http://www.gnu.org/copyleft/lesser.html"),
            UrlRef::Family("LGPL", Some("LGPL-2.1-or-later"))
        );
        for url in [
            "https://github.com/owner/project/blob/main/LICENSE",
            "https://raw.githubusercontent.com/owner/project/master/LICENSE.txt",
            "https://example.org/licenses/ours.html",
            "https://www.gnu.org/philosophy/free-sw.html",
            // A family without a version, or no licence name at all.
            "https://github.com/o/r/blob/master/LICENSE.GPL",
            "https://github.com/o/r/blob/master/LICENSE-BSD",
            "https://github.com/o/r/blob/master/LICENSE-2.0.txt",
            "https://github.com/o/r/blob/master/LICENSE-ours",
        ] {
            assert_eq!(resolve(url), UrlRef::Other, "{url}");
        }
    }
}
