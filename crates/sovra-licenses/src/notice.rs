//! Licence references without the licence text: notices and headers
//! ("Licensed under the Apache License, Version 2.0"), names ("dual-licensed
//! under GPL and MIT"), `SPDX-License-Identifier:` tags and licence URLs.
//!
//! A reference is a licence family phrase (data in [`FAMILIES`], plus the full
//! name of every licence on the SPDX list) followed by an optional version and
//! qualifier ("or (at your option) any later version", "+", "only"). Families
//! of the GNU licences default, when no version is named, to version 1 "or
//! later" (a bare "GPL" grants every version), the way ScanCode and the FSF
//! read it; families where a missing version is a real gap give nothing.

use crate::text::Token;

/// A licence (or exception) referenced at token positions `[start, end)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    /// An SPDX expression (usually one id) or, for `exception`, an exception id.
    pub expression: String,
    pub exception: bool,
    pub confidence: f32,
    /// The family (`GPL`, `LGPL`, `CDDL`...) when the version was not stated
    /// and the family default was used: such a mention takes the version of
    /// a versioned one of the same family elsewhere in the file.
    pub unversioned: Option<&'static str>,
    /// A GNU licence whose version was stated without "only" or "or later"
    /// ("GPL 2.0"): `-only` by default, but a convention may widen it.
    pub unqualified: bool,
}

enum Rule {
    /// A GNU licence: `GPL`, `LGPL`, `AGPL`, `GFDL`, with the version and
    /// `-only`/`-or-later` read from the words that follow; the default when
    /// no version is given.
    Gnu(&'static str, Option<&'static str>),
    /// `<base>-<version>`, the version read from the words that follow;
    /// without one, the default version if the family has one (the first
    /// CDDL was the only one for years), else nothing (an unversioned
    /// "Apache License" is a gap, not a guess).
    Versioned(&'static str, Option<&'static str>),
    /// Always this expression, whatever follows.
    Fixed(&'static str),
    /// This expression by a common reading of an ambiguous name.
    Convention(&'static str),
    /// A licence exception (attached with `WITH` to the nearest licence).
    Exception(&'static str),
}

struct Family {
    phrases: &'static [&'static str],
    rule: Rule,
}

/// The licence families recognised by name. Phrases are in normalised words
/// (see `text.rs`: lower case, no punctuation, `licence` = `license`).
const FAMILIES: &[Family] = &[
    Family {
        phrases: &["gnu affero general public license", "affero general public license", "gnu agpl", "agpl"],
        rule: Rule::Gnu("AGPL", Some("1.0")),
    },
    // "Lesser" is the name from version 2.1 on, "Library" that of 2.0: an
    // unversioned reference grants that version "or later".
    Family {
        phrases: &[
            "gnu lesser general public license",
            "lesser general public license",
            "gnu lesser public license",
            "lesser gpl",
        ],
        rule: Rule::Gnu("LGPL", Some("2.1")),
    },
    Family {
        phrases: &[
            "gnu library general public license",
            "library general public license",
            "gnu library public license",
            "library gpl",
            "gnu lgpl",
            "lgpl",
        ],
        rule: Rule::Gnu("LGPL", Some("2.0")),
    },
    Family {
        phrases: &["gnu general public license", "general public license", "gnu public license", "gnu gpl", "gpl"],
        rule: Rule::Gnu("GPL", Some("1.0")),
    },
    Family {
        phrases: &["gnu free documentation license", "free documentation license", "gfdl", "gnu fdl"],
        rule: Rule::Gnu("GFDL", None),
    },
    Family {
        // A bare "Apache" counts only with a version right after it ("Apache 2
        // license"): the rule reads no version, no licence.
        phrases: &["apache license", "apache software license", "apache public license", "asl", "apache"],
        rule: Rule::Versioned("Apache", None),
    },
    Family { phrases: &["mozilla public license", "mpl"], rule: Rule::Versioned("MPL", None) },
    Family { phrases: &["eclipse public license", "epl"], rule: Rule::Versioned("EPL", None) },
    Family {
        phrases: &["eclipse distribution license", "edl"],
        rule: Rule::Fixed("BSD-3-Clause"),
    },
    Family {
        phrases: &["common development and distribution license", "cddl"],
        rule: Rule::Versioned("CDDL", Some("1.0")),
    },
    Family { phrases: &["common public license", "cpl"], rule: Rule::Fixed("CPL-1.0") },
    Family { phrases: &["academic free license", "afl"], rule: Rule::Versioned("AFL", None) },
    // Unversioned, the Artistic License is Perl's ("under the GPL or the
    // Artistic License, as specified in the Perl README").
    Family { phrases: &["artistic license"], rule: Rule::Versioned("Artistic", Some("1.0-Perl")) },
    Family {
        phrases: &[
            "creative commons attribution share alike",
            "creative commons attribution sharealike",
            "cc by sa",
            "ccbysa",
        ],
        rule: Rule::Versioned("CC-BY-SA", None),
    },
    Family {
        phrases: &[
            "creative commons attribution no derivatives",
            "creative commons attribution noderivatives",
            "creative commons attribution no derivs",
            "cc by nd",
        ],
        rule: Rule::Versioned("CC-BY-ND", None),
    },
    Family { phrases: &["creative commons attribution", "cc by"], rule: Rule::Versioned("CC-BY", None) },
    Family { phrases: &["creative commons zero", "cc0"], rule: Rule::Fixed("CC0-1.0") },
    Family { phrases: &["european union public license", "eupl"], rule: Rule::Versioned("EUPL", None) },
    Family { phrases: &["boost software license"], rule: Rule::Fixed("BSL-1.0") },
    Family {
        phrases: &["w3c software notice and license", "w3c software license", "w3c r software license", "w3c license"],
        rule: Rule::Fixed("W3C"),
    },
    Family { phrases: &["microsoft public license", "ms pl"], rule: Rule::Fixed("MS-PL") },
    Family { phrases: &["microsoft reciprocal license", "ms rl"], rule: Rule::Fixed("MS-RL") },
    Family {
        phrases: &["mit license", "mit licensed", "expat license", "mit"],
        rule: Rule::Fixed("MIT"),
    },
    Family {
        phrases: &[
            "revised bsd license",
            "new bsd license",
            "modified bsd license",
            "bsd 3 clause",
            "3 clause bsd",
            "bsd new",
        ],
        rule: Rule::Fixed("BSD-3-Clause"),
    },
    // "The BSD license" with no clause count is read, as ScanCode and most
    // registries read it, as the revised (3-clause) licence; so is the Linux
    // module tag "Dual BSD/GPL". Low confidence: it is a convention.
    Family {
        phrases: &["bsd license", "bsd licensed", "bsd licenses", "dual bsd"],
        rule: Rule::Convention("BSD-3-Clause"),
    },
    Family {
        phrases: &["simplified bsd license", "bsd 2 clause", "2 clause bsd", "freebsd license"],
        rule: Rule::Fixed("BSD-2-Clause"),
    },
    Family { phrases: &["zlib license"], rule: Rule::Fixed("Zlib") },
    Family { phrases: &["isc license"], rule: Rule::Fixed("ISC") },
    Family { phrases: &["the unlicense", "unlicense"], rule: Rule::Fixed("Unlicense") },
    Family { phrases: &["wtfpl"], rule: Rule::Fixed("WTFPL") },
    Family { phrases: &["sil open font license", "open font license", "ofl"], rule: Rule::Versioned("OFL", None) },
    Family {
        phrases: &["same terms as perl itself", "same terms as perl"],
        rule: Rule::Fixed("Artistic-1.0-Perl OR GPL-1.0-or-later"),
    },
    Family {
        phrases: &["classpath exception", "gnu classpath exception"],
        rule: Rule::Exception("Classpath-exception-2.0"),
    },
    Family {
        phrases: &["gcc runtime library exception"],
        rule: Rule::Exception("GCC-exception-3.1"),
    },
    Family { phrases: &["llvm exception", "llvm exceptions"], rule: Rule::Exception("LLVM-exception") },
    Family { phrases: &["bison exception"], rule: Rule::Exception("Bison-exception-2.2") },
    Family { phrases: &["autoconf exception"], rule: Rule::Exception("Autoconf-exception-3.0") },
];

/// Words that may stand between a family phrase and its version.
const FILLER: &[&str] = &[
    "version", "v", "ver", "vers", "the", "of", "license", "licenses", "public", "as", "published", "by",
    "free", "software", "foundation", "fsf", "either", "gnu", "gpl", "lgpl", "agpl", "mpl", "epl", "cddl",
    "release", "revision", "general", "lesser", "library", "terms", "conditions", "s",
];

/// A phrase of several words, as hashes.
struct Phrase {
    words: Vec<String>,
    target: Target,
}

enum Target {
    Family(usize),
    /// The full name of an SPDX licence.
    Name(&'static str),
    /// The full name of SPDX licences without their version ("Apple Public
    /// Source License" of "... 1.1"), when a notice puts words between
    /// ("Version 1.1"): the version read after it picks the id.
    Versions(Versions),
}

/// The ids of one licence name by version (`1.1` -> `APSL-1.1`).
type Versions = Vec<(String, &'static str)>;

/// All phrases, longest first so that the first hit at a position is the
/// longest one.
pub struct Phrases {
    list: Vec<Phrase>,
    /// Phrase indices by first word, longest first.
    by_first: std::collections::HashMap<String, Vec<usize>>,
}

impl Phrases {
    pub fn build() -> Phrases {
        let mut list = Vec::new();
        for (i, f) in FAMILIES.iter().enumerate() {
            for p in f.phrases {
                list.push(Phrase { words: p.split(' ').map(str::to_string).collect(), target: Target::Family(i) });
            }
        }
        let mut versioned: Vec<(Vec<String>, Versions)> = Vec::new();
        for lic in spdx::identifiers::LICENSES {
            if lic.flags & spdx::flags::IS_DEPRECATED != 0 {
                continue;
            }
            let words: Vec<String> =
                crate::text::tokenize(lic.full_name).into_iter().map(|t| t.word).collect();
            // Short names ("MIT License") are covered by the families; short
            // generic ones would fire on ordinary prose.
            if words.len() >= 4 {
                if let Some((head, version)) = split_version(&words) {
                    match versioned.iter_mut().find(|(h, _)| *h == head) {
                        Some((_, ids)) => ids.push((version, lic.name)),
                        None => versioned.push((head, vec![(version, lic.name)])),
                    }
                }
                list.push(Phrase { words, target: Target::Name(lic.name) });
            }
        }
        for (words, ids) in versioned {
            list.push(Phrase { words, target: Target::Versions(ids) });
        }
        list.sort_by_key(|p| std::cmp::Reverse(p.words.len()));
        let mut by_first: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
        for (i, p) in list.iter().enumerate() {
            if let Some(first) = p.words.first() {
                by_first.entry(first.clone()).or_default().push(i);
            }
        }
        Phrases { list, by_first }
    }

    /// Every reference in a token stream, in order, not overlapping.
    pub fn scan(&self, tokens: &[Token]) -> Vec<Mention> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            match self.at(tokens, i) {
                Some(m) => {
                    i = m.end.max(i + 1);
                    out.push(m);
                }
                None => i += 1,
            }
        }
        out
    }

    fn at(&self, tokens: &[Token], i: usize) -> Option<Mention> {
        // Longest phrase first; a hit ends the search.
        let candidates = self.by_first.get(&tokens[i].word)?;
        for p in candidates.iter().map(|&k| &self.list[k]) {
            let n = p.words.len();
            if i + n > tokens.len() || !tokens[i..i + n].iter().zip(&p.words).all(|(t, w)| t.word == *w) {
                continue;
            }
            match &p.target {
                Target::Versions(ids) => {
                    let Some((version, after)) = version_after(tokens, i + n) else { continue };
                    let Some(&(_, id)) = ids.iter().find(|(v, _)| *v == version) else { continue };
                    return Some(Mention {
                        start: i,
                        end: after,
                        expression: id.to_string(),
                        exception: false,
                        confidence: 0.85,
                        unversioned: None,
                        unqualified: false,
                    });
                }
                Target::Name(id) => {
                    return Some(Mention {
                        start: i,
                        end: i + n,
                        expression: id.to_string(),
                        exception: false,
                        confidence: 0.9,
                        unversioned: None,
                        unqualified: false,
                    });
                }
                Target::Family(f) => {
                    if let Some(m) = resolve(&FAMILIES[*f].rule, tokens, i, i + n) {
                        return Some(m);
                    }
                }
            }
        }
        None
    }
}

/// Read the version and qualifier after a family phrase ending at `end`.
fn resolve(rule: &Rule, tokens: &[Token], start: usize, end: usize) -> Option<Mention> {
    let mention = |expression: String, end: usize, confidence: f32, exception: bool| Mention {
        start,
        end,
        expression,
        exception,
        confidence,
        unversioned: None,
        unqualified: false,
    };
    match rule {
        Rule::Fixed(expr) => Some(mention(expr.to_string(), end, 0.8, false)),
        Rule::Convention(expr) => Some(mention(expr.to_string(), end, 0.5, false)),
        Rule::Exception(id) => Some(mention(id.to_string(), end, 0.8, true)),
        Rule::Versioned(base, default) => match version_after(tokens, end) {
            Some((version, after)) => Some(mention(existing_id(&format!("{base}-{version}"))?, after, 0.85, false)),
            None => {
                let mut m = mention(existing_id(&format!("{base}-{}", (*default)?))?, end, 0.6, false);
                m.unversioned = Some(*base);
                Some(m)
            }
        },
        Rule::Gnu(base, default) => {
            let (version, after, explicit) = match version_after(tokens, end) {
                Some((v, after)) => (v, after, true),
                None => (default.map(str::to_string)?, end, false),
            };
            let (stated, after) = qualifier(tokens, after);
            let or_later = stated.unwrap_or(!explicit);
            let suffix = if or_later { "or-later" } else { "only" };
            let id = existing_id(&format!("{base}-{version}-{suffix}"))?;
            let mut m = mention(id, after, if explicit { 0.85 } else { 0.6 }, false);
            m.unversioned = (!explicit).then_some(*base);
            m.unqualified = explicit && stated.is_none();
            Some(m)
        }
    }
}

/// A licence name's trailing version, as [`version_after`] reads it
/// (`["apple", "public", "source", "license", "1", "1"]` -> the name and
/// `1.1`); names of fewer than three words stay whole.
fn split_version(words: &[String]) -> Option<(Vec<String>, String)> {
    let digits = words.iter().rev().take_while(|w| w.bytes().all(|b| b.is_ascii_digit())).count();
    let head = &words[..words.len() - digits];
    let version = match &words[words.len() - digits..] {
        [major] if major.len() <= 2 => format!("{major}.0"),
        [major, minor] if major.len() <= 2 && minor.len() == 1 => format!("{major}.{minor}"),
        _ => return None,
    };
    let head = head.strip_suffix(&["version".to_string()]).unwrap_or(head);
    (head.len() >= 3).then(|| (head.to_vec(), version))
}

/// `1` -> `1.0`, then whichever of `X-1.0`/`X-1` the list has.
fn existing_id(candidate: &str) -> Option<String> {
    if spdx::license_id(candidate).is_some_and(|l| !l.is_deprecated()) {
        return Some(candidate.to_string());
    }
    let shorter = candidate.replace(".0-", "-");
    let shorter = shorter.strip_suffix(".0").unwrap_or(&shorter);
    spdx::license_id(shorter).filter(|l| !l.is_deprecated()).map(|l| l.name.to_string())
}

/// A version after a family phrase: up to four filler words, then a number
/// and an optional single-digit minor (`2 1` from "2.1").
fn version_after(tokens: &[Token], mut i: usize) -> Option<(String, usize)> {
    let limit = (i + 10).min(tokens.len());
    while i < limit && FILLER.contains(&tokens[i].word.as_str()) {
        i += 1;
    }
    let major = tokens.get(i)?;
    // "v3" is one word.
    let digits = major.word.strip_prefix('v').unwrap_or(&major.word);
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut version = digits.to_string();
    i += 1;
    match tokens.get(i) {
        Some(minor) if minor.word.len() == 1 && minor.word.bytes().all(|b| b.is_ascii_digit()) => {
            version.push('.');
            version.push_str(&minor.word);
            i += 1;
        }
        _ => version.push_str(".0"),
    }
    Some((version, i))
}

/// "or later" / "+" / "only" after a version: `Some(true)` for or-later,
/// `Some(false)` for only, and the position after the qualifier.
fn qualifier(tokens: &[Token], i: usize) -> (Option<bool>, usize) {
    let window = &tokens[i..(i + 10).min(tokens.len())];
    for (k, t) in window.iter().enumerate() {
        if k > 0 && t.after_stop && k > 2 {
            break;
        }
        match t.word.as_str() {
            "+" if k == 0 => return (Some(true), i + 1),
            "later" | "newer" | "higher" | "greater"
                if window[..k].iter().any(|w| w.word == "or" || w.word == "and") =>
            {
                let mut end = i + k + 1;
                if tokens.get(end).is_some_and(|t| t.word == "version" || t.word == "versions") {
                    end += 1;
                }
                return (Some(true), end);
            }
            "only" if k <= 1 => return (Some(false), i + k + 1),
            _ => {}
        }
    }
    (None, i)
}

/// The licence named by an `SPDX-License-Identifier:` tag on each line,
/// as (line number, expression text).
pub fn spdx_tags(text: &str) -> Vec<(u32, String)> {
    const TAG: &str = "spdx-license-identifier:";
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let lower = line.to_ascii_lowercase();
        let Some(at) = lower.find(TAG) else { continue };
        let value = line[at + TAG.len()..].trim();
        let value = value.split("*/").next().unwrap_or(value);
        let value = value.split("-->").next().unwrap_or(value).trim().trim_end_matches(['"', '\'', ',']);
        if !value.is_empty() {
            out.push((u32::try_from(n).unwrap_or(u32::MAX), value.to_string()));
        }
    }
    out
}

/// The URLs in a text, as (line number, URL).
pub fn urls(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("http://").or_else(|| rest.find("https://")) {
            let url: String = rest[at..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '<' | '>' | ')' | ']' | '`'))
                .collect();
            rest = &rest[at + url.len().max(1)..];
            out.push((u32::try_from(n).unwrap_or(u32::MAX), url));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    fn refs(s: &str) -> Vec<String> {
        Phrases::build().scan(&tokenize(s)).into_iter().map(|m| m.expression).collect()
    }

    #[test]
    fn versions_and_qualifiers() {
        assert_eq!(refs("Licensed under the Apache License, Version 2.0 (the \"License\")"), ["Apache-2.0"]);
        assert_eq!(
            refs("either version 2 of the License, or (at your option) any later version. GNU General Public License as published by the Free Software Foundation; either version 2 of the License, or (at your option) any later version."),
            ["GPL-2.0-or-later"]
        );
        assert_eq!(refs("GNU Lesser General Public License version 2.1 only"), ["LGPL-2.1-only"]);
        assert_eq!(refs("Released under the GPLv3"), ["GPL-3.0-only"]);
        assert_eq!(refs("GNU Affero General Public License v3"), ["AGPL-3.0-only"]);
        assert_eq!(refs("is LGPLv2.1+"), ["LGPL-2.1-or-later"]);
        assert_eq!(refs("My work is under the GPL license"), ["GPL-1.0-or-later"]);
        assert_eq!(refs("University of Illinois/NCSA Open Source License"), ["NCSA"]);
        assert_eq!(refs("subject to the Apple Public Source License Version 1.1 (the License)"), ["APSL-1.1"]);
        assert_eq!(refs("the Apple Public Source License, Version 2.0"), ["APSL-2.0"]);
        assert_eq!(refs("with the Classpath exception"), ["Classpath-exception-2.0"]);
        // An unversioned Apache licence is a gap, not a guess.
        assert!(refs("under the Apache License").is_empty());
        assert!(refs("Licensed to the Apache Software Foundation (ASF) under one").is_empty());
        assert_eq!(refs("code licensed under the Apache 2 license"), ["Apache-2.0"]);
        assert_eq!(refs("under the terms of BSD license"), ["BSD-3-Clause"]);
        assert_eq!(refs("the GPL or the Artistic License"), ["GPL-1.0-or-later", "Artistic-1.0-Perl"]);
        assert_eq!(refs("GNU Lesser General Public License"), ["LGPL-2.1-or-later"]);
        assert_eq!(refs("GNU Library General Public License"), ["LGPL-2.0-or-later"]);
        assert_eq!(refs("Common Development and Distribution License"), ["CDDL-1.0"]);
    }

    #[test]
    fn tags_and_urls() {
        assert_eq!(spdx_tags("// SPDX-License-Identifier: MIT OR Apache-2.0 */"), [(0, "MIT OR Apache-2.0".into())]);
        assert_eq!(urls("see <https://opensource.org/licenses/MIT>.").len(), 1);
    }
}
