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
//!
//! Not every licence a text names is granted: [`roles`] tells grants from
//! pointers to a licence's text ("See the GNU General Public License for
//! more details") and from asides (denials, comparisons, a bare "MIT" in
//! prose).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::engine::KeyHasher;
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
    /// Said to be "only" that version: no "or later" elsewhere widens it.
    pub pinned: bool,
    /// A one-word abbreviation with no version ("MIT", "CPL"): also an
    /// ordinary word or a name elsewhere (German "mit", "the MIT lib", a
    /// `cpl` group), so it counts only in licence wording (see [`roles`]).
    pub bare: bool,
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
            "lesser gnu general public license",
            "lesser gnu public license",
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
    Family { phrases: &["eclipse distribution license", "edl"], rule: Rule::Fixed("BSD-3-Clause") },
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
    Family { phrases: &["mit license", "mit licensed", "expat license", "mit"], rule: Rule::Fixed("MIT") },
    // Python's documentation licence, "the Zero-Clause BSD license": no
    // BSD licence of the conventional reading below.
    Family {
        phrases: &["zeroclause bsd", "zero clause bsd", "bsd zeroclause", "0 clause bsd", "bsd 0 clause"],
        rule: Rule::Fixed("0BSD"),
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
    // module tag "Dual BSD/GPL", and the "BSD-style license that can be
    // found in the LICENSE file" of Go's and Chromium's headers. Low
    // confidence: it is a convention, and a BSD text in the same file says
    // which one is meant.
    Family {
        phrases: &["bsd license", "bsd licensed", "bsd licenses", "dual bsd", "bsdstyle license"],
        rule: Rule::Convention("BSD-3-Clause"),
    },
    Family { phrases: &["mitstyle license"], rule: Rule::Convention("MIT") },
    Family {
        phrases: &["simplified bsd license", "bsd 2 clause", "2 clause bsd", "freebsd license"],
        rule: Rule::Fixed("BSD-2-Clause"),
    },
    Family { phrases: &["zlib license"], rule: Rule::Fixed("Zlib") },
    Family { phrases: &["isc license"], rule: Rule::Fixed("ISC") },
    Family { phrases: &["the unlicense", "unlicense"], rule: Rule::Fixed("Unlicense") },
    Family { phrases: &["wtfpl"], rule: Rule::Fixed("WTFPL") },
    // The iMatix licence's own title.
    Family { phrases: &["sfl license agreement", "sfl license"], rule: Rule::Fixed("iMatix") },
    Family { phrases: &["sil open font license", "open font license", "ofl"], rule: Rule::Versioned("OFL", None) },
    // The notice every zlib source file carries points to zlib.h's licence.
    Family {
        phrases: &["conditions of distribution and use see copyright notice in zlib h"],
        rule: Rule::Fixed("Zlib"),
    },
    // "Ruby License" is its SPDX name (too short for the name table);
    // `COPYING.ruby` or `LICENSE.RUBY` is its file, named the way
    // `COPYING.LGPL` is.
    Family {
        phrases: &["ruby license", "copying ruby", "license ruby", "same terms as ruby", "same license as ruby"],
        rule: Rule::Fixed("Ruby"),
    },
    Family {
        phrases: &["same terms as perl itself", "same terms as perl"],
        rule: Rule::Fixed("Artistic-1.0-Perl OR GPL-1.0-or-later"),
    },
    Family {
        phrases: &["classpath exception", "gnu classpath exception"],
        rule: Rule::Exception("Classpath-exception-2.0"),
    },
    Family { phrases: &["gcc runtime library exception"], rule: Rule::Exception("GCC-exception-3.1") },
    Family { phrases: &["llvm exception", "llvm exceptions"], rule: Rule::Exception("LLVM-exception") },
    Family { phrases: &["bison exception"], rule: Rule::Exception("Bison-exception-2.2") },
    Family { phrases: &["autoconf exception"], rule: Rule::Exception("Autoconf-exception-3.0") },
];

/// Words that may stand between a family phrase and its version.
const FILLER: &[&str] = &[
    "version",
    "v",
    "ver",
    "vers",
    "the",
    "of",
    "license",
    "licenses",
    "public",
    "as",
    "published",
    "by",
    "free",
    "software",
    "foundation",
    "fsf",
    "either",
    "gnu",
    "gpl",
    "lgpl",
    "agpl",
    "mpl",
    "epl",
    "cddl",
    "release",
    "revision",
    "general",
    "lesser",
    "library",
    "terms",
    "conditions",
    "s",
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
    /// A short full name ("OpenSSL License", "Vim License"): its first word
    /// is often the project's name, so it counts only right after a grant
    /// ("licensed under the OpenSSL License"), see [`granted_before`].
    ShortName(&'static str),
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
    /// Phrase indices by the hash of their first word, longest first (a
    /// hash shared by two words only adds phrases that fail to match).
    by_first: HashMap<u64, Vec<usize>, BuildHasherDefault<KeyHasher>>,
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
            let words: Vec<String> = crate::text::tokenize(lic.full_name).into_iter().map(|t| t.word).collect();
            // Short names ("MIT License") stand for the licence only after a
            // grant; those that do not say "license" ("SSH short notice")
            // are too much like prose even there.
            if words.len() < 4 {
                if words.len() >= 2 && words.iter().any(|w| w == "license") {
                    list.push(Phrase { words, target: Target::ShortName(lic.name) });
                }
            } else {
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
        let mut by_first: HashMap<u64, Vec<usize>, BuildHasherDefault<KeyHasher>> = HashMap::default();
        for (i, p) in list.iter().enumerate() {
            if let Some(first) = p.words.first() {
                by_first.entry(crate::text::hash_word(first)).or_default().push(i);
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
        let candidates = self.by_first.get(&tokens[i].hash)?;
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
                        pinned: false,
                        bare: false,
                    });
                }
                Target::ShortName(_) if !granted_before(&tokens[..i]) => {}
                Target::Name(id) | Target::ShortName(id) => {
                    return Some(Mention {
                        start: i,
                        end: i + n,
                        expression: id.to_string(),
                        exception: false,
                        confidence: 0.9,
                        unversioned: None,
                        unqualified: false,
                        pinned: false,
                        bare: false,
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

impl Phrases {
    /// An `SPDX-License-Identifier:` value, also when it is not a valid
    /// expression but its author's meaning is plain: an operand may be a
    /// licence name ("GPL 2.0+", a bare "BSD" read as the BSD licence),
    /// names with no operator between them are all granted (`AND`).
    /// `None` when an operand names no licence.
    pub fn read_tag(&self, tag: &str) -> Option<String> {
        let valid = |e: String| (e != "NOASSERTION" && e != "NONE").then_some(e);
        if let Some(e) = valid(sovra_core::license::normalize(tag).expression) {
            return Some(e);
        }
        let spaced = tag.replace('(', " ( ").replace(')', " ) ");
        let mut out = String::new();
        let mut name: Vec<&str> = Vec::new();
        // Whether the last thing written was an operand, which the next
        // operand must be joined to.
        let mut after_operand = false;
        for word in spaced.split_whitespace().chain([")"]) {
            let op = matches!(word.to_ascii_uppercase().as_str(), "AND" | "OR" | "WITH");
            if !name.is_empty() && (op || word == "(" || word == ")") {
                let licences = self.read_names(&name.join(" "))?;
                if after_operand {
                    out.push_str(" AND ");
                }
                out.push_str(&if licences.len() > 1 {
                    format!("({})", licences.join(" AND "))
                } else {
                    licences.join("")
                });
                after_operand = true;
                name.clear();
            }
            match word {
                "(" => {
                    if after_operand {
                        out.push_str(" AND ");
                    }
                    out.push('(');
                    after_operand = false;
                }
                ")" => {
                    out.push(')');
                    after_operand = true;
                }
                _ if op => {
                    out.push_str(&format!(" {} ", word.to_ascii_uppercase()));
                    after_operand = false;
                }
                _ => name.push(word),
            }
        }
        // The closing bracket added to flush the last operand.
        out.pop();
        valid(sovra_core::license::normalize(&out).expression)
    }

    /// The licences a run of words between a tag's operators names: SPDX
    /// ids, and names read as notices are.
    fn read_names(&self, words: &str) -> Option<Vec<String>> {
        let mut out = Vec::new();
        let mut name: Vec<&str> = Vec::new();
        let id = |w: &str| spdx::license_id(w.trim_end_matches('+')).is_some() || spdx::exception_id(w).is_some();
        for w in words.split_whitespace().chain([""]) {
            if !w.is_empty() && !id(w) {
                name.push(w);
                continue;
            }
            if !name.is_empty() {
                // A family named alone ("BSD") is read as "BSD License".
                let tokens = crate::text::tokenize(&format!("{} license", name.join(" ")));
                let found = self.scan(&tokens);
                let explained = |i: usize| {
                    found.iter().any(|m| m.start <= i && i < m.end)
                        || i + 1 == tokens.len()
                        || FILLER.contains(&tokens[i].word.as_str())
                };
                if found.is_empty() || !(0..tokens.len()).all(explained) {
                    return None;
                }
                out.extend(found.into_iter().map(|m| m.expression));
                name.clear();
            }
            if spdx::exception_id(w).is_some() {
                out.push(w.to_string());
            } else if !w.is_empty() {
                out.push(sovra_core::license::normalize(w).expression);
            }
        }
        Some(out)
    }
}

/// Whether the words before a licence name grant it: "licensed under
/// (the)", "released/distributed/available/provided under", "under the
/// terms of (the)", "subject to (the)", "governed/covered by".
fn granted_before(before: &[Token]) -> bool {
    let words: Vec<&str> = before.iter().rev().take(3).map(|t| t.word.as_str()).collect();
    let words = match words.split_first() {
        Some((&"the", rest)) => rest,
        _ => &words[..],
    };
    matches!(
        words,
        ["under", "licensed" | "released" | "distributed" | "available" | "provided" | "published", ..]
            | ["of", "terms" | "conditions", ..]
            | ["to", "subject", ..]
            | ["by", "governed" | "covered", ..]
    )
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
        pinned: false,
        // Set below for the rules that read no version.
        bare: false,
    };
    let one_word = end == start + 1;
    let version_after =
        |tokens: &[Token], end: usize| version_after(tokens, end).or_else(|| version_before(tokens, start, end));
    match rule {
        Rule::Fixed(expr) => Some(Mention { bare: one_word, ..mention(expr.to_string(), end, 0.8, false) }),
        Rule::Convention(expr) => Some(Mention {
            bare: one_word,
            // "BSD" of BSD-3-Clause: a BSD text elsewhere says which.
            unversioned: expr.split_once('-').map(|(family, _)| family),
            ..mention(expr.to_string(), end, 0.5, false)
        }),
        Rule::Exception(id) => Some(mention(id.to_string(), end, 0.8, true)),
        Rule::Versioned(base, default) => match version_after(tokens, end) {
            Some((version, after)) => Some(mention(existing_id(&format!("{base}-{version}"))?, after, 0.85, false)),
            None => {
                let mut m = mention(existing_id(&format!("{base}-{}", (*default)?))?, end, 0.6, false);
                m.unversioned = Some(*base);
                m.bare = one_word;
                Some(m)
            }
        },
        Rule::Gnu(base, default) => {
            let (version, after, explicit) = match version_after(tokens, end) {
                Some((v, after)) => (v, after, true),
                None if *base == "GPL" && points_to_linux_copying(tokens, end) => ("2.0".to_string(), end, true),
                None => (default.map(str::to_string)?, end, false),
            };
            let (stated, after) = qualifier(tokens, after);
            let or_later = stated.unwrap_or(!explicit);
            let suffix = if or_later { "or-later" } else { "only" };
            let id = existing_id(&format!("{base}-{version}-{suffix}"))?;
            let mut m = mention(id, after, if explicit { 0.85 } else { 0.6 }, false);
            m.unversioned = (!explicit).then_some(*base);
            m.unqualified = explicit && stated.is_none();
            m.pinned = stated == Some(false);
            Some(m)
        }
    }
}

/// A licence name's trailing version, as [`version_after`] reads it
/// (`["apple", "public", "source", "license", "1", "1"]` -> the name and
/// `1.1`); names of fewer than three words stay whole.
fn split_version(words: &[String]) -> Option<(Vec<String>, String)> {
    let numeric = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit());
    let mut digits = words.iter().rev().take_while(|w| numeric(w)).count();
    let mut parts: Vec<&str> = words[words.len() - digits..].iter().map(String::as_str).collect();
    // "v1.0" is the words `v1` `0`.
    if let Some(major) =
        words.len().checked_sub(digits + 1).and_then(|k| words[k].strip_prefix('v')).filter(|d| numeric(d))
    {
        parts.insert(0, major);
        digits += 1;
    }
    let head = &words[..words.len() - digits];
    let version = match parts.as_slice() {
        [major] if major.len() <= 2 => format!("{major}.0"),
        [major, minor] if major.len() <= 2 && is_minor(minor) => format!("{major}.{minor}"),
        _ => return None,
    };
    let head = head.strip_suffix(&["version".to_string()]).unwrap_or(head);
    (head.len() >= 3).then(|| (head.to_vec(), version))
}

/// Whether the words after an unversioned GPL point to the Linux kernel's
/// `COPYING` ("See the file COPYING in the main directory of the Linux
/// distribution for more details", the kernel's old boilerplate): that
/// file grants the GPL version 2, which names its version the way "GPL
/// version 2" would.
fn points_to_linux_copying(tokens: &[Token], end: usize) -> bool {
    // How far the pointer may follow the name, and how far its file is
    // from the word "Linux".
    const POINTER: usize = 16;
    const PLACE: usize = 10;
    let after = &tokens[end.min(tokens.len())..(end + POINTER).min(tokens.len())];
    (1..after.len()).any(|k| {
        after[k].word == "copying"
            && matches!(after[k - 1].word.as_str(), "file" | "see")
            && after[k + 1..(k + 1 + PLACE).min(after.len())]
                .iter()
                .take_while(|t| !t.after_stop)
                .any(|t| t.word == "linux")
    })
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
/// and an optional minor joined to it by a point (`2 1` from "2.1"; the
/// "3" and "7" of "version 3. [7]" are a version and a footnote).
fn version_after(tokens: &[Token], mut i: usize) -> Option<(String, usize)> {
    let limit = (i + 10).min(tokens.len());
    while i < limit && FILLER.contains(&tokens[i].word.as_str()) {
        i += 1;
    }
    // A word or two of the licensor's own may stand before an explicit
    // "version" ("as published by the Free Software Foundation, using
    // version 2 of the License").
    if let Some(k) = (1..=2).find(|&k| {
        tokens.get(i + k).is_some_and(|t| t.word == "version") && tokens[i..=i + k].iter().all(|t| !t.after_stop)
    }) && tokens.get(i).is_some_and(|t| !t.word.starts_with(|c: char| c.is_ascii_digit()))
    {
        i += k + 1;
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
        Some(minor) if minor.after_point && is_minor(&minor.word) => {
            version.push('.');
            version.push_str(&minor.word);
            i += 1;
        }
        _ => version.push_str(".0"),
    }
    Some((version, i))
}

/// A version named before the licence ("under the terms of version 2 of
/// the GNU General Public License"), with the position after the name.
fn version_before(tokens: &[Token], start: usize, end: usize) -> Option<(String, usize)> {
    let before = &tokens[start.saturating_sub(6)..start];
    let at = before.iter().rposition(|t| t.word == "version")?;
    let (version, after) = version_after(before, at + 1)?;
    let rest: Vec<&str> = before[after..].iter().map(|t| t.word.as_str()).collect();
    matches!(rest.as_slice(), ["of"] | ["of", "the"]).then_some((version, end))
}

/// A minor version: one digit ("2.1"), or two with a leading zero
/// ("1.02": the Lucent licence), which no other version form has.
fn is_minor(w: &str) -> bool {
    w.bytes().all(|b| b.is_ascii_digit()) && (w.len() == 1 || (w.len() == 2 && w.starts_with('0')))
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
            // An SPDX id in prose: "GPL-2.0-or-later" is one hyphenated word.
            "+" | "orlater" if k == 0 => return (Some(true), i + 1),
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

/// How a licence named in a text is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Granted, or named with nothing saying otherwise.
    Grant,
    /// Pointed to for its text or details ("See the GNU General Public
    /// License for more details", "You should have received a copy of the
    /// ...", "the complete text ... can be found in
    /// /usr/share/common-licenses/GPL-2"): such a sentence names the licence
    /// a grant elsewhere gives (or, copied carelessly, another one); where
    /// the file grants a licence, the grant decides.
    Pointer,
    /// Named but not granted: denied ("not licensed under the GPL", "the BSD
    /// license may not apply"), compared with ("compatible with the GNU
    /// GPL", "unlike the GPL"), or a bare abbreviation outside any licence
    /// wording ("the MIT lib", German "mit einer").
    Aside,
}

/// Words that make a bare abbreviation next to them a licence name.
const LICENCE_WORDS: &[&str] =
    &["license", "licenses", "licensed", "licensing", "relicense", "relicensed", "under", "terms", "dual"];

/// The role of each of `mentions`, as [`Phrases::scan`] found them in `tokens`.
pub fn roles(tokens: &[Token], mentions: &[Mention]) -> Vec<Role> {
    let mut out: Vec<Role> = Vec::with_capacity(mentions.len());
    for (k, m) in mentions.iter().enumerate() {
        // "the GNU Public License (GPL)": the abbreviation is the same name.
        if let Some(prev) = k.checked_sub(1).map(|j| &mentions[j])
            && prev.end == m.start
            && prev.expression == m.expression
        {
            out.push(out[k - 1]);
            continue;
        }
        let before = sentence_before(tokens, m.start, 15);
        let near = &before[before.len().saturating_sub(4)..];
        let after = sentence_after(tokens, m.end, 4);
        let pair = |ws: &[Token], a: &str, b: &str| ws.windows(2).any(|w| w[0].word == a && w[1].word == b);
        let denied = near.iter().any(|t| matches!(t.word.as_str(), "not" | "never")) || pair(after, "not", "apply");
        let compared = near.iter().any(|t| t.word == "unlike")
            || ["compatible", "incompatible", "compatibility", "incompatibility", "compared"]
                .iter()
                .any(|w| pair(near, w, "with"))
            || ["contrary", "similar", "compared"].iter().any(|w| pair(near, w, "to"))
            || after.first().is_some_and(|t| COMPATIBLE.contains(&t.word.as_str()))
            || about_compatibility(tokens, m);
        // "Modified Apache 2.0 License" (wrk, Pixar) names a licence of its
        // own made from that one, not a grant of it ("the Modified BSD
        // License" is a phrase of its own and starts at "modified").
        let derived = near.last().is_some_and(|t| t.word == "modified");
        let role = if denied
            || compared
            || derived
            || suggested(tokens, m.start)
            || superseded(tokens, m.start)
            || (m.bare && !in_licence_wording(tokens, mentions, k))
        {
            Role::Aside
        } else if pointed_to(before) {
            Role::Pointer
        } else {
            Role::Grant
        };
        out.push(role);
    }
    out
}

/// A licence's name made an adjective of compatibility ("GPL compatible",
/// "GPL-compatible", joined into one word by the tokeniser; Font Awesome's
/// "free, open source, and GPL friendly").
const COMPATIBLE: &[&str] = &["compatible", "incompatible", "compatibility", "incompatibility", "friendly"];

/// Whether the mention's sentence calls something compatible with the same
/// licence ("GPL-compatible doesn't mean we distribute under the GPL", "the
/// GPL-compatible licences let you combine it with software released under
/// the GPL"): the sentence weighs licences against that one, so naming it
/// again there grants nothing.
fn about_compatibility(tokens: &[Token], m: &Mention) -> bool {
    // How far the sentence is searched on each side of the mention.
    const REACH: usize = 25;
    let names = &tokens[m.start.min(tokens.len())..m.end.min(tokens.len())];
    let compatible = |word: &str| COMPATIBLE.contains(&word);
    let adjective = |ws: &[Token]| {
        ws.iter().enumerate().any(|(i, t)| {
            names.iter().filter(|n| n.word.len() > 1 && n.word.starts_with(char::is_alphabetic)).any(|n| {
                match t.word.strip_prefix(n.word.as_str()) {
                    Some("") => ws.get(i + 1).is_some_and(|next| compatible(&next.word)),
                    Some(rest) => compatible(rest),
                    None => false,
                }
            })
        })
    };
    adjective(sentence_before(tokens, m.start, REACH)) || adjective(sentence_after(tokens, m.end, REACH))
}

/// The words of a mention's sentence before it (at most `max`).
fn sentence_before(tokens: &[Token], start: usize, max: usize) -> &[Token] {
    if tokens.get(start).is_none_or(|t| t.after_stop) {
        return &[];
    }
    let window = &tokens[start.saturating_sub(max)..start];
    let from = window.iter().rposition(|t| t.after_stop).unwrap_or(0);
    &window[from..]
}

/// The words of a mention's sentence after it (at most `max`).
fn sentence_after(tokens: &[Token], end: usize, max: usize) -> &[Token] {
    let window = &tokens[end.min(tokens.len())..(end + max).min(tokens.len())];
    let to = window.iter().position(|t| t.after_stop).unwrap_or(window.len());
    &window[..to]
}

/// Whether a mention is the licence a relicensing replaced ("relicensed
/// from MIT to ISC", "changed the license from X to Y", "relicense (MIT ->
/// ISC)", "now under Y (previously X)"): only the new licence holds. The
/// new one is the licence introduced by "to", "under" or "as". So is the
/// licence a work was first published under when the text goes on to say
/// it was republished under another ("initially published under the GPL
/// ... In 2010 republished under the OFL").
fn superseded(tokens: &[Token], start: usize) -> bool {
    // How far after the first publication its republication is looked for.
    const HISTORY: usize = 80;
    let before = sentence_before(tokens, start, 15);
    if before[before.len().saturating_sub(3)..].iter().any(|t| matches!(t.word.as_str(), "previously" | "formerly")) {
        return true;
    }
    let published = |w: &Token| matches!(w.word.as_str(), "published" | "released" | "licensed" | "distributed");
    // A publication's date and place may stand between ("initially
    // published on the 6th of July 2009 on the author's website under").
    let before = sentence_before(tokens, start, 30);
    let first = before.iter().any(|t| matches!(t.word.as_str(), "initially" | "originally"))
        || before.windows(2).any(|w| w[0].word == "first" && published(&w[1]));
    if first
        && tokens[start..(start + HISTORY).min(tokens.len())]
            .iter()
            .any(|t| matches!(t.word.as_str(), "republished" | "rereleased" | "relicensed" | "relicenced"))
    {
        return true;
    }
    let relicensing = |w: &[Token]| {
        matches!(w[0].word.as_str(), "relicense" | "relicensed" | "relicensing")
            || (matches!(w[0].word.as_str(), "changed" | "switched") && w[1..].iter().any(|t| t.word == "license"))
            || (w[0].word == "license" && w[1..].iter().any(|t| t.word == "changed"))
    };
    (0..before.len())
        .rposition(|i| relicensing(&before[i..(i + 3).min(before.len())]))
        .is_some_and(|at| !before[at..].iter().any(|t| matches!(t.word.as_str(), "to" | "under" | "as")))
}

/// Whether a mention is one of a list of licences offered as examples,
/// under a heading such as "Some suggested licenses:" (a template's
/// comment), or in a sentence that says so.
fn suggested(tokens: &[Token], start: usize) -> bool {
    let sentence = sentence_before(tokens, start, 15);
    let opening = start - sentence.len();
    let heading = &tokens[opening.saturating_sub(4)..start];
    let offered = |t: &Token| matches!(t.word.as_str(), "suggested" | "example" | "examples");
    (0..heading.len()).any(|i| {
        offered(&heading[i])
            && heading[i + 1..(i + 3).min(heading.len())].iter().any(|t| t.word == "license" || t.word == "licenses")
    })
}

/// Whether the words before a mention point to a licence's text rather
/// than grant it ("see the", "a copy of the", "the full text of the",
/// Debian's `common-licenses` directory), or name an exception to it
/// ("gcc's library exception to the GPL v3": the exception's name, which
/// says nothing of the file's own licence).
fn pointed_to(before: &[Token]) -> bool {
    let near = &before[before.len().saturating_sub(3)..];
    let pointer_word = |t: &Token| t.word == "see" || t.word == "commonlicenses";
    let text_of = before[before.len().saturating_sub(10)..]
        .windows(3)
        .any(|w| matches!(w[0].word.as_str(), "full" | "complete") && w[1].word == "text" && w[2].word == "of");
    let pair = |a: &str, b: &str| near.windows(2).any(|w| w[0].word == a && w[1].word == b);
    near.iter().any(pointer_word)
        || pair("copy", "of")
        || pair("exception", "to")
        || pair("exceptions", "to")
        || text_of
}

/// Whether a bare abbreviation stands in licence wording: a licence word
/// just before it ("License: MIT", "under MIT") or after it in its sentence
/// ("MIT licensed"), another licence name right next to it ("MIT/GPL"), or
/// nothing else on its line (a heading) or in the text.
fn in_licence_wording(tokens: &[Token], mentions: &[Mention], k: usize) -> bool {
    let m = &mentions[k];
    let neighbour = mentions.iter().enumerate().any(|(j, o)| {
        j != k && ((o.end <= m.start && m.start <= o.end + 2) || (m.end <= o.start && o.start <= m.end + 2))
    });
    let before = &tokens[m.start.saturating_sub(3)..m.start];
    let after = sentence_after(tokens, m.end, 3);
    let line = tokens[m.start].line;
    let alone = m.start.checked_sub(1).is_none_or(|k| tokens[k].line != line)
        && tokens.get(m.end).is_none_or(|t| t.line != line);
    tokens.len() <= 3
        || alone
        || neighbour
        || before.iter().chain(after).any(|t| LICENCE_WORDS.contains(&t.word.as_str()))
}

/// The licence named by an `SPDX-License-Identifier:` tag on each line,
/// as (line number, expression text).
pub fn spdx_tags(text: &str) -> Vec<(u32, String)> {
    const TAG: &str = "spdx-license-identifier:";
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        // Found in place: lowering a copy of every line costs more than
        // the rest of the reading.
        let tag = |w: &[u8]| (w[0] | 0x20) == b's' && w.eq_ignore_ascii_case(TAG.as_bytes());
        let Some(at) = line.as_bytes().windows(TAG.len()).position(tag) else {
            continue;
        };
        let value = line[at + TAG.len()..].trim();
        let value = value.split("*/").next().unwrap_or(value);
        let value = value.split("-->").next().unwrap_or(value).trim().trim_end_matches(['"', '\'', ',']);
        if !value.is_empty() {
            out.push((u32::try_from(n).unwrap_or(u32::MAX), value.to_string()));
        }
    }
    out
}

/// The values of licence fields, as (line number, field, value): a line
/// that opens (after a comment leader) with `License:` (RPM spec, Debian
/// copyright, PKG-INFO, many headers), `Licence:`, `Licenses:` or
/// `License-Expression:`; in an RPM spec's preamble (its `Name:`,
/// `Version:` and `Release:` tags) also `Copyright:`, the licence tag of
/// RPM before `License:` replaced it.
pub fn licence_fields(text: &str) -> Vec<(u32, String, String)> {
    const FIELDS: &[&str] = &["license", "licence", "licenses", "license-expression"];
    let field = |line| -> Option<(&str, &str)> {
        let body = str::trim_start_matches(line, |c: char| c.is_whitespace() || "#*/;%!-".contains(c));
        let (name, value) = body.split_once(':')?;
        let value = value.trim();
        (!value.is_empty() && !name.contains(char::is_whitespace)).then_some((name, value))
    };
    let fields: Vec<Option<(&str, &str)>> = text.lines().map(field).collect();
    let has = |tag: &str| fields.iter().flatten().any(|(name, _)| name.eq_ignore_ascii_case(tag));
    let spec = has("name") && has("version") && has("release");
    let mut out = Vec::new();
    for (n, f) in fields.into_iter().enumerate() {
        let Some((name, value)) = f else { continue };
        let is = |f: &str| name.eq_ignore_ascii_case(f);
        if FIELDS.iter().any(|f| is(f)) || (spec && is("copyright")) {
            out.push((u32::try_from(n).unwrap_or(u32::MAX), name.to_string(), value.to_string()));
        }
    }
    out
}

/// The URLs in a text, as (line number, URL).
pub fn urls(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if !line.contains("://") {
            continue;
        }
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
            refs(
                "either version 2 of the License, or (at your option) any later version. GNU General Public License as published by the Free Software Foundation; either version 2 of the License, or (at your option) any later version."
            ),
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
        assert_eq!(refs("the files in lib/ are under LICENSE.RUBY"), ["Ruby"]);
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
    fn a_version_is_digits_joined_by_a_point() {
        // "3" is the version, "[7]" a footnote.
        assert_eq!(refs("under the GNU General Public License version 3. [7] Then we moved."), ["GPL-3.0-only"]);
        assert_eq!(refs("the GNU Lesser General Public License version 2.1"), ["LGPL-2.1-only"]);
        assert_eq!(refs("See LGPL-2.1-or-later in prose"), ["LGPL-2.1-or-later"]);
    }

    #[test]
    fn the_linux_copying_file_is_the_gpl_version_2() {
        assert_eq!(
            refs(
                "This driver is subject to the terms of the GNU General Public License. See the file \
                  COPYING in the top directory of the Linux kernel source for details."
            ),
            ["GPL-2.0-only"]
        );
        // A project's own COPYING says nothing of the version.
        assert_eq!(
            refs(
                "subject to the GNU General Public License. See the file COPYING in the main directory of this \
                  package."
            ),
            ["GPL-1.0-or-later"]
        );
    }

    #[test]
    fn licence_fields_and_rpm_copyright() {
        let fields = |s: &str| licence_fields(s).into_iter().map(|(_, f, v)| format!("{f}={v}")).collect::<Vec<_>>();
        assert_eq!(fields("Name: tool\nVersion: 2\nLicense: BSD-2-Clause\n"), ["License=BSD-2-Clause"]);
        assert_eq!(fields(" * Licence: MPL-2.0\n"), ["Licence=MPL-2.0"]);
        // RPM's old licence tag, only in a spec's preamble.
        assert_eq!(fields("Name: tool\nVersion: 2\nRelease: 1\nCopyright: Zlib\n"), ["Copyright=Zlib"]);
        assert!(fields("Files: *\nCopyright: Zlib\n").is_empty());
    }

    #[test]
    fn short_full_names_count_after_a_grant() {
        assert_eq!(refs("Licensed under the OpenSSL license (the \"License\")"), ["OpenSSL"]);
        assert_eq!(refs("distributed under the terms of the Vim License."), ["Vim"]);
        assert_eq!(refs("under the terms of the SFL License Agreement"), ["iMatix"]);
        // The project's own name in prose is no grant.
        assert!(refs("The OpenSSL license file is long; the Vim license says").is_empty());
    }

    #[test]
    fn versions_named_around_the_licence() {
        assert_eq!(
            refs("the GNU General Public License as published by the Free Software Foundation, using version 2 of the"),
            ["GPL-2.0-only"]
        );
        assert_eq!(
            refs("under the terms of version 2 of the GNU General Public License as published by"),
            ["GPL-2.0-only"]
        );
        assert_eq!(refs("also made available under the Lucent Public License version 1.02"), ["LPL-1.02"]);
        assert_eq!(refs("subject to the Netscape Public License Version 1.1 (the NPL)"), ["NPL-1.1"]);
        assert_eq!(refs("terms of the Lesser Gnu Public License v2.1, which accompanies"), ["LGPL-2.1-only"]);
        assert_eq!(refs("For conditions of distribution and use, see copyright notice in zlib.h"), ["Zlib"]);
        assert_eq!(refs("is governed by a BSD-style license that can be found in the LICENSE file"), ["BSD-3-Clause"]);
        // Shaped like the PSF licence file that typing_extensions ships.
        assert_eq!(refs("dual licensed under the PSF License Version 2 and the Zero-Clause BSD license"), ["0BSD"]);
        assert_eq!(refs("released under the BSD-0-Clause license"), ["0BSD"]);
        let only = Phrases::build().scan(&tokenize("the GNU GPL 2 only"));
        assert!(only[0].pinned);
    }

    fn roles_of(s: &str) -> Vec<(String, Role)> {
        let tokens = tokenize(s);
        let found = Phrases::build().scan(&tokens);
        let roles = roles(&tokens, &found);
        found.into_iter().map(|m| m.expression).zip(roles).collect()
    }

    #[test]
    fn grants_pointers_and_asides() {
        let grant = |e: &str| (e.to_string(), Role::Grant);
        let pointer = |e: &str| (e.to_string(), Role::Pointer);
        let aside = |e: &str| (e.to_string(), Role::Aside);
        assert_eq!(
            roles_of("We chose the MIT licence; it is compatible with the GNU GPL."),
            [grant("MIT"), aside("GPL-1.0-or-later")]
        );
        assert_eq!(
            roles_of("Unlike the GNU Public License (GPL) it asks little."),
            [aside("GPL-1.0-or-later"), aside("GPL-1.0-or-later")]
        );
        assert_eq!(
            roles_of("The tools are GPL, so the BSD license may not apply to them."),
            [grant("GPL-1.0-or-later"), aside("BSD-3-Clause")]
        );
        assert_eq!(
            roles_of("Being GPL-compatible does not put this tool under the GPL. Licensed under the MIT license."),
            [aside("GPL-1.0-or-later"), grant("MIT")]
        );
        assert_eq!(
            roles_of("Our MIT license is GPL compatible, so you may link it with programs released under the GPL."),
            [grant("MIT"), aside("GPL-1.0-or-later"), aside("GPL-1.0-or-later")]
        );
        assert_eq!(roles_of("Das geht mit einer Lizenz. Written for the MIT lib."), [aside("MIT"), aside("MIT")]);
        assert_eq!(roles_of("License: MIT"), [grant("MIT")]);
        assert_eq!(roles_of("MIT\n\nPermission is hereby granted"), [grant("MIT")]);
        assert_eq!(
            roles_of("WITHOUT ANY WARRANTY. See the GNU Lesser General Public License for more details."),
            [pointer("LGPL-2.1-or-later")]
        );
        assert_eq!(
            roles_of("You should have received a copy of the GNU General Public License"),
            [pointer("GPL-1.0-or-later")]
        );
        assert_eq!(
            roles_of("We first released it under the MIT License. Since 2012 it is republished under the ISC License."),
            [aside("MIT"), grant("ISC")]
        );
        assert_eq!(roles_of("The parser was originally written under the MIT License by a student."), [grant("MIT")]);
        assert_eq!(
            roles_of("On Debian, the full text of the GNU GPL is in /usr/share/common-licenses/GPL-2."),
            [pointer("GPL-1.0-or-later"), pointer("GPL-2.0-only")]
        );
    }

    #[test]
    fn tags_written_loosely() {
        let p = Phrases::build();
        assert_eq!(p.read_tag("MIT OR Apache-2.0").as_deref(), Some("MIT OR Apache-2.0"));
        assert_eq!(p.read_tag("(GPL-2.0+ OR BSD)").as_deref(), Some("GPL-2.0-or-later OR BSD-3-Clause"));
        assert_eq!(p.read_tag("GPL 2.0+ BSD-3-Clause").as_deref(), Some("GPL-2.0-or-later AND BSD-3-Clause"));
        assert_eq!(
            p.read_tag("GPL-2.0 WITH Linux-syscall-note").as_deref(),
            Some("GPL-2.0-only WITH Linux-syscall-note")
        );
        assert_eq!(p.read_tag("Our-Own-Terms"), None);
    }

    #[test]
    fn tags_and_urls() {
        assert_eq!(spdx_tags("// SPDX-License-Identifier: MIT OR Apache-2.0 */"), [(0, "MIT OR Apache-2.0".into())]);
        assert_eq!(urls("see <https://opensource.org/licenses/MIT>.").len(), 1);
    }
}
