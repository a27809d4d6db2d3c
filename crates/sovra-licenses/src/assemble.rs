//! One file's detection put together: the full texts the engine finds, the
//! references (`notice`, `urls`, SPDX tags) in the words those texts do not
//! explain, and the expression built from both.
//!
//! Operators are decided locally, pair by pair of neighbouring licences:
//! `OR` where the words between them (or a "dual/tri-licensed" lead-in
//! just before the pair) offer a choice, `AND` otherwise. A whole-file
//! "either" would turn "CDDL or GPL, and this part under Apache" into a
//! three-way choice.

use crate::engine::{Kind, TextMatch};
use crate::notice::{self, Mention, Phrases, Role};
use crate::text::{self, Token};
use crate::urls::{self, UrlRef};
use crate::{ACCEPT, CLOSE, Detection, Detector, MIN_PRECISION, Method};

/// One term of the expression being built, at a token position.
struct Term {
    at: usize,
    /// Token position just after the term.
    end: usize,
    expression: String,
    exception: bool,
    confidence: f32,
    name: String,
    /// The family, when the version was not stated (see [`Mention::unversioned`]).
    unversioned: Option<&'static str>,
    /// Found from a URL: redundant when the licence is also named in words.
    from_url: bool,
    /// See [`Mention::unqualified`].
    unqualified: bool,
    /// See [`Mention::pinned`].
    pinned: bool,
    /// See [`Role::Pointer`].
    pointer: bool,
}

impl Term {
    fn new(at: usize, end: usize, expression: String, confidence: f32, name: String) -> Term {
        Term {
            at,
            end,
            expression,
            exception: false,
            confidence,
            name,
            unversioned: None,
            from_url: false,
            unqualified: false,
            pinned: false,
            pointer: false,
        }
    }
}

/// A URL-only file is one whose words are mostly in URLs.
const URL_ONLY_SHARE: f32 = 0.5;

pub(crate) fn detect(d: &Detector, bytes: &[u8]) -> Detection {
    let text = text::decode(bytes);
    let tokens = text::tokenize(&text);
    let (found, closest) = d.index.find(&tokens, ACCEPT);

    let mut terms: Vec<Term> = Vec::new();
    // Words a text match explains: neither references nor choice words.
    let mut covered = vec![false; tokens.len()];
    let mut modified: Option<&TextMatch> = None;
    // Words any licence text found explains.
    let mut by_texts = vec![false; tokens.len()];
    for m in found.iter().filter(|m| d.index.reference(m.reference).kind == Kind::License) {
        for (e, by) in explained(m, 0, tokens.len()).into_iter().zip(by_texts.iter_mut()) {
            *by |= e;
        }
    }
    for m in &found {
        let r = d.index.reference(m.reference);
        if r.kind == Kind::License {
            cover_text(m, &mut covered);
        }
        if r.kind == Kind::License
            && (precision_without_references(d, m, &tokens) < MIN_PRECISION || added_clause(d, m, &tokens, &by_texts))
        {
            modified.get_or_insert(m);
            continue;
        }
        let confidence = m.containment.min(1.0);
        if r.kind == Kind::Exception {
            // An exception's text often carries the licence notice it
            // amends (eCos, CLISP): leave it to be read as a reference.
            let mut t = Term::new(m.span.0, m.span.1, r.expression.clone(), confidence, r.name.to_string());
            t.exception = true;
            terms.push(t);
            continue;
        }
        let expression = match r.own_or_later {
            // A GNU text says "or any later version" in its own appendix;
            // one more such clause in the file is the licensor's choice.
            Some(own) if or_later_mentions(&d.phrases, &tokens, &r.expression) > own => {
                r.expression.replace("-only", "-or-later")
            }
            _ => r.expression.clone(),
        };
        let confidence = confidence * m.precision.max(0.9);
        terms.push(Term::new(m.span.0, m.span.1, expression, confidence, r.name.to_string()));
    }
    let from_text = terms.len();

    // A tag that cannot be read as an expression leaves its words to be
    // read as a notice.
    let mut tags: Vec<(u32, String, String, f32)> = notice::spdx_tags(&text)
        .into_iter()
        .filter_map(|(line, tag)| {
            Some((line, d.phrases.read_tag(&tag)?, format!("SPDX-License-Identifier: {tag}"), 1.0))
        })
        .collect();
    // A licence field's value counts as a tag when it is a declared licence
    // string; any other value ("see COPYING", a bare "GPL") is read as
    // words, and a URL by the rules of `urls`.
    for (line, field, value) in notice::licence_fields(&text) {
        let expression = sovra_core::license::normalize(&value).expression;
        let declared = expression != "NOASSERTION" && expression != "NONE" && !expression.contains("LicenseRef-");
        if declared && !value.contains("://") {
            tags.push((line, expression, format!("{field}: {value}"), 0.9));
        }
    }
    let emails = in_emails(&text, &tokens);
    for (i, t) in tokens.iter().enumerate() {
        if t.in_url || emails[i] || tags.iter().any(|(line, ..)| *line == t.line) {
            covered[i] = true;
        }
    }
    let rest: Vec<usize> = (0..tokens.len()).filter(|&i| !covered[i]).collect();
    let rest_tokens: Vec<Token> = rest.iter().map(|&i| tokens[i].clone()).collect();
    let position = |k: usize| rest.get(k).copied().unwrap_or(tokens.len());
    let mentions = d.phrases.scan(&rest_tokens);
    let roles = notice::roles(&rest_tokens, &mentions);
    let texts: Vec<&TextMatch> =
        found.iter().filter(|m| d.index.reference(m.reference).kind == Kind::License).collect();
    let mut named: Vec<Term> = Vec::new();
    // A URL on the line of a licence named aside links that name
    // ("relicense ([MIT](https://opensource.org/licenses/MIT) -> ...");
    // so does one anywhere in the file for a licence named in full words
    // only aside (a footnote list: "first published under the GPL [7]").
    let mut asides: Vec<(u32, &str, bool)> = Vec::new();
    for (m, role) in mentions.iter().zip(roles) {
        let (at, end) = (position(m.start), position(m.end - 1) + 1);
        if role == Role::Aside {
            asides.push((rest_tokens[m.start].line, m.expression.as_str(), m.bare));
            continue;
        }
        if titles_a_text(&texts, d, end, &m.expression) {
            continue;
        }
        let mut t = mention_term(m, at, end);
        t.pointer = role == Role::Pointer;
        named.push(t);
    }
    for e in found.iter().filter(|m| d.index.reference(m.reference).kind == Kind::Exception) {
        within_exception(&mut named, &d.index.reference(e.reference).expression, e.span);
    }
    terms.extend(named);

    let line_position = |line: u32| tokens.iter().position(|t| t.line >= line).unwrap_or(tokens.len());
    for (line, expression, name, confidence) in tags {
        terms.push(Term::new(line_position(line), line_position(line + 1), expression, confidence, name));
    }
    drop_redundant_pointers(&mut terms);
    let text_lines: Vec<(u32, u32)> = found
        .iter()
        .filter(|m| d.index.reference(m.reference).kind == Kind::License)
        .filter_map(|m| Some((tokens.get(m.span.0)?.line, tokens.get(m.span.1.checked_sub(1)?)?.line)))
        .collect();
    let mut unknown_urls: Vec<String> = Vec::new();
    for (line, url) in notice::urls(&text) {
        // A licence text's own URLs (the Apache text names apache.org) are
        // part of the text.
        if text_lines.iter().any(|&(a, b)| a <= line && line <= b) {
            continue;
        }
        let (at, end) = (line_position(line), line_position(line + 1));
        let cited =
            |names: &dyn Fn(&str) -> bool| asides.iter().any(|&(at, e, bare)| names(e) && (at == line || !bare));
        match urls::resolve(&url) {
            UrlRef::Licence(expression) if cited(&|e| e == expression) => {}
            UrlRef::Family(family, _) if cited(&|e| is_version_of(e, family)) => {}
            UrlRef::Licence(expression) => {
                let mut t = Term::new(at, end, expression, 0.9, url);
                t.from_url = true;
                terms.push(t);
            }
            UrlRef::Family(family, default) => {
                let Some(expression) = default else { continue };
                let mut t = Term::new(at, end, expression.to_string(), 0.6, url);
                t.from_url = true;
                t.unversioned = Some(family);
                terms.push(t);
            }
            UrlRef::Other => unknown_urls.push(url),
        }
    }
    settle_versions(&mut terms);

    if terms.is_empty() {
        return nothing_found(d, &tokens, modified.or(closest.as_ref()), unknown_urls);
    }
    let method = if terms.len() == from_text { Method::Text } else { Method::Reference };
    let (expression, confidence, matched) = combine(terms, &tokens, &covered);
    match spdx::Expression::parse(&expression) {
        Ok(_) => Detection { expression, confidence, matched, method },
        Err(_) => Detection { expression: "NOASSERTION".into(), confidence: 0.0, matched, method },
    }
}

/// Whether a licence text found has a clause of the file's own inside it:
/// a long run of words the reference does not have, with a clause's worth
/// of the reference on both sides (or of another text found: two texts'
/// spans may overlap), and that names no
/// licence (an "Alternatively, ... under the GPL" paragraph names one and is
/// read as a reference). Such a text is modified, whatever its share.
fn added_clause(d: &Detector, m: &TextMatch, tokens: &[Token], by_texts: &[bool]) -> bool {
    // A run this long is a sentence of the file's own, not a renamed holder;
    // this many such words in all make a clause. An added clause shares
    // common phrases with the text ("of the Work", "in Source or Object
    // form"): a matched island this short between words of the file's own
    // is such a phrase, and the run goes on across it.
    const RUN: usize = 8;
    const CLAUSE: usize = 20;
    const ISLAND: usize = 5;
    let (start, end) = (m.span.0, m.span.1.min(tokens.len()));
    let explained = &by_texts[start..end.max(start)];
    let total = explained.iter().filter(|e| **e).count();
    // Explained words before position `k`, counted as the scan goes.
    let mut before = 0;
    let mut added = 0;
    let mut k = 0;
    while k < explained.len() {
        // The run: unexplained stretches joined across short islands; `own`
        // counts its unexplained words, `len` all of it.
        let (mut len, mut own) = (0, 0);
        loop {
            let gap = explained[k + len..].iter().take_while(|e| !**e).count();
            own += gap;
            len += gap;
            if gap == 0 {
                break;
            }
            // Looked at no further than an island can reach, or the scan of
            // every matched stretch would be quadratic in the file.
            let island = explained[k + len..].iter().take(ISLAND + 1).take_while(|e| **e).count();
            let resumes = explained.get(k + len + island).is_some_and(|e| !*e);
            if island > ISLAND || !resumes {
                break;
            }
            len += island;
        }
        // Inside the text, not a tail the SPDX copy lacks (the GPL-2.0's
        // closing "does not permit incorporating your program..." note) nor
        // a preface that a few of the text's words (its title, the name of
        // its licensor) drew into the span: a packager's note before the
        // licence is no edit of it.
        let inside = total - before >= CLAUSE && before >= CLAUSE;
        if own >= RUN && inside && d.phrases.scan(&tokens[start + k..start + k + len]).is_empty() {
            added += own;
        }
        if len == 0 {
            before += 1;
        } else {
            before += len - own;
        }
        k += len.max(1);
    }
    added >= CLAUSE
}

/// A text's precision, not counting the long runs of words it does not
/// explain that name a licence: an "Alternatively, this product may be
/// distributed under the terms of the GNU General Public License"
/// paragraph inside a BSD text is a second grant, read as a reference,
/// not an edit of the text.
fn precision_without_references(d: &Detector, m: &TextMatch, tokens: &[Token]) -> f32 {
    const RUN: usize = 12;
    if m.precision >= MIN_PRECISION {
        return m.precision;
    }
    let (start, end) = (m.span.0, m.span.1.min(tokens.len()));
    let explained = explained(m, start, end);
    let (mut own, mut counted) = (0usize, 0usize);
    let mut k = 0;
    while k < explained.len() {
        let run = explained[k..].iter().take_while(|e| !**e).count();
        if run == 0 {
            own += 1;
            counted += 1;
            k += 1;
            continue;
        }
        if run < RUN || d.phrases.scan(&tokens[start + k..start + k + run]).is_empty() {
            counted += run;
        }
        k += run;
    }
    if counted == 0 {
        return m.precision;
    }
    m.precision.max(own as f32 / counted as f32)
}

/// Which tokens of `[start, end)` a text match explains: its shingles'
/// words and the names filling its licensor slots.
fn explained(m: &TextMatch, start: usize, end: usize) -> Vec<bool> {
    let mut explained = vec![false; end.saturating_sub(start)];
    let words = m.positions.iter().map(|&p| (p, p + 3)).chain(m.filled.iter().copied());
    for (from, to) in words {
        for q in from.max(start)..to.min(end) {
            explained[q - start] = true;
        }
    }
    explained
}

/// Mark the words a licence text explains: its span, except for long runs
/// it does not match (an inserted "Alternatively, ... under the GPL"
/// paragraph is the file's own); short ones are the copy's small edits
/// and the licence's own names ("MIT License" as an edited text's title).
fn cover_text(m: &TextMatch, covered: &mut [bool]) {
    const INSERTION: usize = 12;
    let (start, end) = (m.span.0, m.span.1.min(covered.len()));
    let explained = explained(m, start, end);
    let mut k = 0;
    while k < explained.len() {
        let run = explained[k..].iter().take_while(|e| !**e).count();
        if run == 0 || run < INSERTION {
            let n = run.max(1);
            covered[start + k..start + k + n].iter_mut().for_each(|c| *c = true);
            k += n;
        } else {
            k += run;
        }
    }
}

/// A pointer ("See the GNU General Public License for more details") to
/// a licence the file grants adds nothing; nor does one to the GPL where
/// the LGPL is granted (the LGPL is built on the GPL, its notices point
/// there). A pointer to another licence ("licensed under the GPL ... You
/// should have received a copy of the GNU Library General Public License")
/// leaves the notice inconsistent: both are reported.
fn drop_redundant_pointers(terms: &mut Vec<Term>) {
    let granted: Vec<String> = terms
        .iter()
        .filter(|t| !t.pointer && !t.exception)
        .flat_map(|t| licence_ids(&t.expression))
        .map(|id| family(&id).to_string())
        .collect();
    terms.retain(|t| {
        !t.pointer
            || !licence_ids(&t.expression).iter().all(|id| {
                let f = family(id);
                granted.iter().any(|g| g == f || (f == "GPL" && g == "LGPL"))
            })
    });
}

/// The licence family of an id: `GPL` of `GPL-2.0-or-later`, `MIT` of `MIT`.
fn family(id: &str) -> &str {
    id.find(|c: char| c.is_ascii_digit()).map_or(id, |k| id[..k].trim_end_matches(['-', 'v']))
}

/// Whether a licence name stands right before a licence text's words,
/// as the text's heading: "MIT +no-false-attribs License" over the
/// MITNFA text, "MIT/X Consortium License" over DocBook's. The text says
/// what it is; a heading of the same family may still say "or later".
fn titles_a_text(texts: &[&TextMatch], d: &Detector, end: usize, expression: &str) -> bool {
    // Words a heading may have after the name ("License", "Version").
    const GAP: usize = 3;
    texts.iter().any(|m| {
        let next = m.positions.get(m.positions.partition_point(|&p| p < end));
        next.is_some_and(|&p| p <= end + GAP)
            && family(&d.index.reference(m.reference).expression) != family(expression)
    })
}

/// Inside an exception's text only the licence it amends counts (the
/// family of the first licence it fits named before the text ends): the
/// licences the text itself names (RRDtool's list of FLOSS licences its
/// users may combine with) are not granted.
fn within_exception(named: &mut Vec<Term>, exception: &str, span: (usize, usize)) {
    let amended = named
        .iter()
        .find(|t| t.at < span.1 && !t.exception && exception_fits(exception, &t.expression))
        .map(|t| family(&t.expression).to_string());
    let Some(amended) = amended else { return };
    named.retain(|t| t.exception || t.at < span.0 || t.at >= span.1 || family(&t.expression) == amended);
}

/// Token positions inside e-mail addresses: their words
/// (`roland@gnu.ai.mit.edu`) are no licence names, as a URL's are not.
fn in_emails(text: &str, tokens: &[Token]) -> Vec<bool> {
    let mut out = vec![false; tokens.len()];
    for (n, line) in text.lines().enumerate().filter(|(_, l)| l.contains('@')) {
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        let from = tokens.partition_point(|t| t.line < n);
        let to = tokens.partition_point(|t| t.line <= n);
        for chunk in line.split_whitespace().filter(|c| c.contains('@')) {
            let chunk = chunk.trim_matches(|c: char| !c.is_alphanumeric());
            let words: Vec<String> = text::tokenize(chunk).into_iter().map(|t| t.word).collect();
            if words.is_empty() {
                continue;
            }
            let Some(k) = (from..to.saturating_sub(words.len() - 1))
                .find(|&k| tokens[k..k + words.len()].iter().zip(&words).all(|(t, w)| t.word == *w))
            else {
                continue;
            };
            out[k..k + words.len()].iter_mut().for_each(|e| *e = true);
        }
    }
    out
}

/// The result when no licence was found: an edited text (its closest licence
/// named), a file that only points to a URL, or nothing licence-like.
fn nothing_found(d: &Detector, tokens: &[Token], near: Option<&TextMatch>, unknown_urls: Vec<String>) -> Detection {
    if let Some(m) = near.filter(|m| m.containment >= CLOSE) {
        return Detection {
            expression: "NOASSERTION".into(),
            confidence: m.containment * m.precision,
            matched: vec![d.index.reference(m.reference).expression.clone()],
            method: Method::Modified,
        };
    }
    let in_urls = tokens.iter().filter(|t| t.in_url).count();
    if !unknown_urls.is_empty() && in_urls as f32 >= URL_ONLY_SHARE * tokens.len() as f32 {
        return Detection {
            expression: "NOASSERTION".into(),
            confidence: 0.0,
            matched: unknown_urls.into_iter().map(|u| format!("licence is referenced by URL only: {u}")).collect(),
            method: Method::UrlOnly,
        };
    }
    Detection {
        expression: if tokens.is_empty() { "NONE" } else { "NOASSERTION" }.into(),
        confidence: if tokens.is_empty() { 1.0 } else { 0.0 },
        matched: Vec::new(),
        method: Method::Nothing,
    }
}

/// An unversioned reference takes the version the file states elsewhere for
/// its family (one version: that one; several: it adds nothing); a URL
/// that only repeats a licence named in words adds nothing either.
fn settle_versions(terms: &mut Vec<Term>) {
    let stated: Vec<String> = terms
        .iter()
        .filter(|t| t.unversioned.is_none() && !t.exception)
        .flat_map(|t| licence_ids(&t.expression))
        .collect();
    let mut drop = vec![false; terms.len()];
    for k in 0..terms.len() {
        let Some(family) = terms[k].unversioned else { continue };
        let mut versions: Vec<&String> = stated.iter().filter(|e| is_version_of(e, family)).collect();
        versions.sort_unstable();
        versions.dedup();
        match versions.as_slice() {
            // Unversioned only: the most specific default ("Lesser" GPL is
            // 2.1 or later, a bare "LGPL" 2.0 or later) speaks for all.
            [] => {
                if let Some(most) =
                    terms.iter().filter(|t| t.unversioned == Some(family)).map(|t| t.expression.clone()).max()
                {
                    terms[k].expression = most;
                }
            }
            [one] => terms[k].expression = (*one).clone(),
            _ => drop[k] = true,
        }
    }
    let named: Vec<String> = terms
        .iter()
        .zip(&drop)
        .filter(|(t, d)| !t.from_url && !**d)
        .flat_map(|(t, _)| licence_ids(&t.expression))
        .collect();
    for (t, d) in terms.iter().zip(drop.iter_mut()) {
        if t.from_url && licence_ids(&t.expression).iter().all(|id| named.contains(id)) {
            *d = true;
        }
    }
    let mut keep = drop.iter().map(|d| !d);
    terms.retain(|_| keep.next().unwrap_or(true));
}

/// Whether an id is a version of a family (`GPL-3.0-only` of `GPL`).
fn is_version_of(id: &str, family: &str) -> bool {
    id.strip_prefix(family)
        .and_then(|r| r.strip_prefix('-'))
        .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
}

fn licence_ids(expression: &str) -> Vec<String> {
    expression
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|w| !w.is_empty() && !matches!(*w, "AND" | "OR" | "WITH"))
        .map(str::to_string)
        .collect()
}

/// How often a text says "or later" of the licence `only_id` (`GPL-2.0-only`).
pub(crate) fn or_later_mentions(phrases: &Phrases, tokens: &[Token], only_id: &str) -> usize {
    let later = only_id.replace("-only", "-or-later");
    phrases.scan(tokens).iter().filter(|m| m.expression == later).count()
}

fn mention_term(m: &Mention, at: usize, end: usize) -> Term {
    Term {
        at,
        end,
        expression: m.expression.clone(),
        exception: m.exception,
        confidence: m.confidence,
        name: m.expression.clone(),
        unversioned: m.unversioned,
        from_url: false,
        unqualified: m.unqualified,
        pinned: m.pinned,
        pointer: false,
    }
}

/// Words announcing that the licences named next are alternatives.
fn is_choice_lead(w: &str) -> bool {
    matches!(
        w,
        "dual" | "duallicensed" | "dually" | "tri" | "trilicensed" | "choice" | "choose" | "alternatively" | "either"
    )
}

/// Whether the licence at `next` is an alternative to the one before it
/// (`prev_at..prev_end`). Only words no full text explains count.
///
/// Choice words ("alternatively", "either", "dual", "also available
/// under") count between the two or in the next one's sentence, however
/// far the two are apart (an MPL notice, then "Alternatively, the contents
/// of this file may be used under the terms of the GPL"). A plain "or"
/// counts only in the next one's sentence: "MIT or GPL", not the "or" of a
/// warranty disclaimer before "See the LGPL for more details". A licence
/// said to be "preferred" ("GPLv2+ (GPLv3+ preferred)") is one of several
/// the user may pick from.
fn offers_choice(tokens: &[Token], covered: &[bool], prev: (usize, usize), next: (usize, usize)) -> bool {
    // How far back a sentence is read.
    const SENTENCE: usize = 40;
    let ((prev_at, prev_end), (next, next_end)) = (prev, next);
    let free = |from: usize, to: usize| -> Vec<&Token> {
        (from..to.min(tokens.len())).filter(|&i| !covered[i]).map(|i| &tokens[i]).collect()
    };
    if free(next_end, next_end + 2)
        .iter()
        .take_while(|t| !t.after_stop)
        .any(|t| matches!(t.word.as_str(), "preferred" | "preferably"))
    {
        return true;
    }
    // A licence named inside another's text (an "Alternatively, ... GPL"
    // paragraph in a BSD text) is judged by the words just before it.
    let start = if prev_end <= next { prev_end } else { next.saturating_sub(12) };
    let between = free(start, next);
    if between.len() <= 2 && tokens.get(next).is_some_and(|t| t.after_slash) {
        return true;
    }
    let sentence_start = if tokens.get(next).is_none_or(|t| t.after_stop) {
        next
    } else {
        let from = start.max(next.saturating_sub(SENTENCE));
        (from..next).rev().find(|&i| tokens[i].after_stop).unwrap_or(from)
    };
    let lead = free(sentence_start, next);
    let offers = |words: &[&Token], plain_or: bool| {
        words.iter().enumerate().any(|(i, w)| {
            let ahead = |n: usize| &words[(i + 1).min(words.len())..(i + 1 + n).min(words.len())];
            match w.word.as_str() {
                // Not "or (at your option) any later", "and/or"; only in the
                // next one's sentence or opening one ("version 2.0. Or under
                // the following terms:").
                "or" => {
                    (plain_or || i == 0 || w.after_stop)
                        && !ahead(5).iter().any(|n| matches!(n.word.as_str(), "later" | "newer" | "higher"))
                        && (i == 0 || words[i - 1].word != "and")
                }
                "alternatively" | "alternative" | "choice" | "choose" | "dual" | "dually" | "duallicensed" => true,
                "either" => ahead(1).iter().all(|n| n.word != "version" && n.word != "express"),
                // "This software is also made available under ...".
                "also" => ahead(3).iter().any(|n| {
                    matches!(n.word.as_str(), "available" | "offered" | "licensed" | "distributed" | "released")
                }),
                _ => false,
            }
        })
    };
    offers(&lead, true)
        || (between.len() <= SENTENCE && offers(&between, false))
        // "dual licensed under the MIT and GPL licenses": the lead-in decides.
        || (between.len() <= 8 && free(prev_at.saturating_sub(10), prev_at).iter().any(|w| is_choice_lead(&w.word)))
}

/// Whether the words right after a licence say that the licences just
/// named apply each to its own part ("GPL or LGPL respectively",
/// "accordingly").
fn applies_respectively(tokens: &[Token], covered: &[bool], end: usize) -> bool {
    (end..(end + 3).min(tokens.len()))
        .filter(|&i| !covered[i])
        .map(|i| &tokens[i])
        .take_while(|t| !t.after_stop)
        .any(|t| matches!(t.word.as_str(), "respectively" | "accordingly"))
}

/// Mozilla's tri-licence ("MPL 1.1/GPL 2.0/LGPL 2.1" in its block's
/// header) grants, by its boilerplate, the GPL 2.0 and LGPL 2.1 "or later":
/// a GPL or LGPL named without qualifier right next to an MPL 1.x by a
/// slash is read so.
fn mozilla_tri_licence(terms: &mut [Term], tokens: &[Token]) {
    let slashed = |t: &Term| tokens.get(t.at).is_some_and(|w| w.after_slash);
    for k in 0..terms.len() {
        let near_mpl = terms[k.saturating_sub(2)..(k + 3).min(terms.len())]
            .iter()
            .any(|t| t.expression.starts_with("MPL-1.") && (slashed(t) || slashed(&terms[k])));
        let t = &mut terms[k];
        if near_mpl && t.unqualified && matches!(t.expression.as_str(), "GPL-2.0-only" | "LGPL-2.1-only") {
            t.expression = t.expression.replace("-only", "-or-later");
        }
    }
}

/// The Eclipse Foundation's "Eclipse Public License ... and Eclipse
/// Distribution License" boilerplate makes the two alternatives (the EDL
/// is offered for those who cannot take the EPL), whatever the "and" says.
fn eclipse_dual(tokens: &[Token], a: usize, b: usize) -> bool {
    let kind = |i: usize| match tokens.get(i..(i + 2).min(tokens.len())) {
        Some([first, second, ..]) if first.word == "eclipse" => Some(second.word.as_str()),
        Some([first, ..]) if first.word == "epl" => Some("public"),
        Some([first, ..]) if first.word == "edl" => Some("distribution"),
        _ => None,
    };
    matches!((kind(a), kind(b)), (Some("public"), Some("distribution")) | (Some("distribution"), Some("public")))
}

/// Whether an exception belongs to a licence: LLVM's to Apache, the others
/// (Classpath, GCC, Bison, Autoconf, eCos...) to the GNU licences.
fn exception_fits(exception: &str, licence: &str) -> bool {
    if exception.starts_with("LLVM") {
        licence.starts_with("Apache")
    } else {
        ["GPL-", "LGPL-", "AGPL-"].iter().any(|f| licence.starts_with(f))
    }
}

/// Build the expression: terms in file order, repeated licences folded into
/// their first mention, `-only` widened where another reference says "or
/// later", exceptions attached with `WITH` to the nearest licence they fit
/// (before them, else after), then OR-groups (see [`offers_choice`]) joined
/// by `AND`.
fn combine(mut terms: Vec<Term>, tokens: &[Token], covered: &[bool]) -> (String, f32, Vec<String>) {
    terms.sort_by_key(|t| (t.at, t.end));
    let confidence = terms.iter().map(|t| t.confidence).fold(1.0f32, f32::min);
    let mut names: Vec<String> = Vec::new();
    for t in &terms {
        if !names.contains(&t.name) {
            names.push(t.name.clone());
        }
    }
    let wider: Vec<String> =
        terms.iter().filter(|t| t.expression.ends_with("-or-later")).map(|t| t.expression.clone()).collect();
    for t in terms.iter_mut().filter(|t| !t.pinned) {
        if let Some(base) = t.expression.strip_suffix("-only") {
            let later = format!("{base}-or-later");
            if wider.contains(&later) {
                t.expression = later;
            }
        }
    }
    mozilla_tri_licence(&mut terms, tokens);
    let (exceptions, mut licences): (Vec<Term>, Vec<Term>) = terms.into_iter().partition(|t| t.exception);
    let mut attached: Vec<String> = Vec::new();
    for e in exceptions {
        if attached.contains(&e.expression) {
            continue;
        }
        let simple = |l: &Term| !l.expression.contains(' ');
        let fits = |l: &Term| simple(l) && exception_fits(&e.expression, &l.expression);
        let before = licences.iter().rposition(|l| l.at <= e.at && fits(l));
        let after = licences.iter().position(|l| l.at > e.at && fits(l));
        let any = licences.iter().rposition(|l| l.at <= e.at && simple(l)).or_else(|| licences.iter().position(simple));
        if let Some(k) = before.or(after).or(any) {
            // Every mention of that licence carries the exception.
            let plain = licences[k].expression.clone();
            let with = format!("{plain} WITH {}", e.expression);
            licences.iter_mut().filter(|l| l.expression == plain).for_each(|l| l.expression = with.clone());
            attached.push(e.expression);
        }
    }
    // A licence seen before keeps its group; a new one joins the group of
    // the licence named just before it when the words between offer a
    // choice. "Just before" is that licence's latest mention: "GPL-3.0 ...
    // see the GNU GPL ... Alternatively, ... Apache" is a choice. A licence
    // seen before that is offered as an alternative again merges the two
    // groups: the file says they are alternatives.
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut group_of: Vec<(String, usize)> = Vec::new();
    // Two licences said to apply "respectively" are each some part's
    // licence wherever the file names the pair ("may fall under GPL or
    // LGPL ... published under GPL or LGPL accordingly").
    let respective: Vec<(&str, &str)> = licences
        .windows(2)
        .filter(|w| applies_respectively(tokens, covered, w[1].end))
        .flat_map(|w| {
            let (a, b) = (w[0].expression.as_str(), w[1].expression.as_str());
            [(a, b), (b, a)]
        })
        .collect();
    let mut prev: Option<(usize, usize, usize, &str)> = None;
    for t in &licences {
        let wrapped = if t.expression.contains(" OR ") || t.expression.contains(" AND ") {
            format!("({})", t.expression)
        } else {
            t.expression.clone()
        };
        let choice = |at: usize, end: usize, before: &str| {
            (offers_choice(tokens, covered, (at, end), (t.at, t.end)) || eclipse_dual(tokens, at, t.at))
                && !respective.contains(&(before, t.expression.as_str()))
        };
        let group = match group_of.iter().find(|(e, _)| *e == wrapped) {
            Some(&(_, g)) => {
                if let Some((at, end, other, before)) = prev
                    && other != g
                    && choice(at, end, before)
                {
                    let moved = std::mem::take(&mut groups[other]);
                    groups[g].extend(moved);
                    group_of.iter_mut().filter(|(_, k)| *k == other).for_each(|(_, k)| *k = g);
                }
                g
            }
            None => {
                let g = match prev {
                    Some((at, end, g, before)) if choice(at, end, before) => g,
                    _ => {
                        groups.push(Vec::new());
                        groups.len() - 1
                    }
                };
                groups[g].push(wrapped.clone());
                group_of.push((wrapped, g));
                g
            }
        };
        prev = Some((t.at, t.end, group, t.expression.as_str()));
    }
    // The same licence alone in two groups (an AND of one thing) is one.
    groups.retain(|g| !g.is_empty());
    let expression = if groups.len() == 1 && groups[0].len() == 1 {
        // A single term needs no parentheses.
        let only = &groups[0][0];
        only.strip_prefix('(').and_then(|o| o.strip_suffix(')')).unwrap_or(only).to_string()
    } else if groups.len() == 1 {
        groups[0].join(" OR ")
    } else {
        groups
            .iter()
            .map(|g| if g.len() > 1 { format!("({})", g.join(" OR ")) } else { g[0].clone() })
            .collect::<Vec<_>>()
            .join(" AND ")
    };
    (expression, confidence, names)
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use crate::Detector;

    fn detect(text: &str) -> String {
        static D: OnceLock<Detector> = OnceLock::new();
        D.get_or_init(Detector::new).detect(text.as_bytes()).expression
    }

    fn spdx_text(id: &str) -> &'static str {
        spdx::text::LICENSE_TEXTS.iter().find(|(i, _)| *i == id).map(|(_, t)| *t).expect("known id")
    }

    /// Words that name no licence and offer no choice, to keep two notices
    /// apart.
    const FILLER: &str = "The parser reads the input in one pass, keeps a small table of the names it has seen \
        and writes the result to the output stream, with a note for every name that is not in the table.";

    #[test]
    fn licences_that_apply_respectively_are_all_granted() {
        assert_eq!(
            detect(
                "The tools here may be under the GPL or the LGPL. Programs linking them are released under \
                 the GPL or LGPL accordingly."
            ),
            "GPL-1.0-or-later AND LGPL-2.0-or-later"
        );
        assert_eq!(detect("You may use it under the MIT License or the ISC License."), "MIT OR ISC");
    }

    #[test]
    fn a_link_to_a_licence_named_aside_grants_nothing() {
        assert_eq!(
            detect(
                "It was first released under the GNU General Public License version 3 [1]. In 2014 it was \
                    republished under the MIT License [2].\n\n[1]: https://www.gnu.org/licenses/gpl.html\n\
                    [2]: https://opensource.org/licenses/MIT\n"
            ),
            "MIT"
        );
    }

    #[test]
    fn a_declared_licence_field_is_a_grant() {
        assert_eq!(
            detect("Name: tool\nVersion: 2.0\nLicense: GPL-2.0-or-later AND Zlib\nGroup: Utilities\n"),
            "GPL-2.0-or-later AND Zlib"
        );
        assert_eq!(detect("Name: tool\nVersion: 2.0\nRelease: 3\nCopyright: ISC\n"), "ISC");
    }

    #[test]
    fn an_alternative_licence_inside_a_text_is_a_choice() {
        let bsd = spdx_text("BSD-3-Clause");
        let at = bsd.find("THIS SOFTWARE").expect("disclaimer");
        let text = format!(
            "{}ALTERNATIVELY, this software may be distributed under the terms of the GNU General Public License, \
             in which case the provisions of the GPL apply INSTEAD OF those given above.\n\n{}",
            &bsd[..at],
            &bsd[at..]
        );
        assert_eq!(detect(&text), "BSD-3-Clause OR GPL-1.0-or-later");
    }

    #[test]
    fn choice_words_in_the_sentence_of_the_second_licence() {
        let mpl = format!(
            "The contents of this file are subject to the Mozilla Public License Version 1.1. {FILLER} {FILLER} \
             Alternatively, the contents of this file may be used under the terms of the GNU General Public \
             License Version 2 or later."
        );
        assert_eq!(detect(&mpl), "MPL-1.1 OR GPL-2.0-or-later");
        let lucent = format!(
            "Use is permitted under the MIT License. {FILLER} {FILLER} This code is also made available under \
             the Apache License 2.0."
        );
        assert_eq!(detect(&lucent), "MIT OR Apache-2.0");
        // The "or" of a warranty disclaimer offers nothing.
        let gpl = "You can redistribute it under the terms of the GNU General Public License as published by the \
            Free Software Foundation; either version 2 of the License, or (at your option) any later version. \
            It is distributed WITHOUT ANY WARRANTY; without even the implied warranty of MERCHANTABILITY or \
            FITNESS FOR A PARTICULAR PURPOSE. See the GNU Lesser General Public License for more details.";
        assert_eq!(detect(gpl), "GPL-2.0-or-later AND LGPL-2.1-or-later");
    }

    #[test]
    fn an_alternative_named_again_joins_the_groups() {
        let text = format!(
            "This library is offered under the GNU Lesser General Public License version 2.1. {FILLER} \
             The contents of this file are subject to the Mozilla Public License Version 1.1. {FILLER} \
             Alternatively, the contents of this file may be used under the terms of the GNU Lesser General \
             Public License version 2.1."
        );
        assert_eq!(detect(&text), "LGPL-2.1-only OR MPL-1.1");
    }

    #[test]
    fn mentions_that_grant_nothing() {
        // An exception's name refers to the licence it amends.
        let exception = "This plugin is distributed under the GPL v2. The build does not use the \
            runtime library exception to the GPL v3, which we may choose not to rely on.";
        assert_eq!(detect(exception), "GPL-2.0-only");
        // The old licence of a relicensing, and its link, are history.
        let changelog = "## 2.0\n- relicensed ([Apache-2.0](https://spdx.org/licenses/Apache-2.0.html) to \
            [MIT](https://opensource.org/licenses/MIT))\n";
        assert_eq!(detect(changelog), "MIT");
        assert_eq!(detect("This tool is now licensed under the MIT license (previously GPLv2)."), "MIT");
        // A template's suggestions, then its own choice.
        let template = "meta:\n  # Some suggested licenses:\n  # - MIT\n  # - GPLv3\n  license: EPL 2.0\n";
        assert_eq!(detect(template), "EPL-2.0");
    }

    #[test]
    fn a_preferred_licence_is_one_of_the_alternatives() {
        let notice = "You may use this file under the MIT license or the LGPLv2.1+ (LGPLv3+ preferred).";
        assert_eq!(detect(notice), "MIT OR LGPL-2.1-or-later OR LGPL-3.0-or-later");
    }

    #[test]
    fn pointers_add_nothing_to_the_licence_granted() {
        let lgpl = "This library is free software; you can redistribute it under the terms of the GNU Lesser \
            General Public License as published by the Free Software Foundation; either version 2.1 of the \
            License, or (at your option) any later version. See the GNU General Public License for more details. \
            You should have received a copy of the GNU General Public License along with this library.";
        assert_eq!(detect(lgpl), "LGPL-2.1-or-later");
        let debian = "This package is licensed under the GPLv2 or later. On Debian systems, the complete text of \
            the GNU General Public License version 2 can be found in /usr/share/common-licenses/GPL-2, \
            version 3 in /usr/share/common-licenses/GPL-3.";
        assert_eq!(detect(debian), "GPL-2.0-or-later");
        // A pointer is all there is to say which version is meant.
        let docs = "The manual is released under the GNU Free Documentation License, see \
            /usr/share/common-licenses/GFDL-1.2.";
        assert_eq!(detect(docs), "GFDL-1.2-only");
    }

    #[test]
    fn an_explicit_only_is_not_widened() {
        let text = "The lowest common denominator is GNU GPL 2 only. Many apps are under GNU GPL 2 or later.";
        assert_eq!(detect(text), "GPL-2.0-only AND GPL-2.0-or-later");
    }

    #[test]
    fn words_of_mail_addresses_are_no_licence_names() {
        assert_eq!(
            detect("Questions to someone@mit.edu. Licensed under the Apache License, Version 2.0."),
            "Apache-2.0"
        );
    }

    #[test]
    fn a_preface_and_a_licensor_named_in_a_slot_are_no_edit() {
        let bsd = spdx_text("BSD-3-Clause");
        let preface = "BSD 3-Clause License, as packaged here by the distribution's maintainers, who keep the \
            sources of the upstream release unchanged apart from the build files added for the package.";
        assert_eq!(detect(&format!("{preface}\n\n{bsd}")), "BSD-3-Clause");
        let named = bsd.replace(
            "Neither the name of the copyright holder",
            "Neither the name of the Example Research Institute for Applied Parsing Methods",
        );
        assert_eq!(detect(&named), "BSD-3-Clause");
        // A condition added among the clauses still makes it an edit.
        let at = bsd.find("THIS SOFTWARE").expect("disclaimer");
        let edited = format!(
            "{}4. This software must not be used in any weapons system or by any military organisation \
             anywhere in the world, whatever the purpose of the use.\n\n{}",
            &bsd[..at],
            &bsd[at..]
        );
        assert_eq!(detect(&edited), "NOASSERTION");
    }

    #[test]
    fn a_heading_gives_way_to_the_text_under_it() {
        let text = format!("MIT +no-false-attribs License\n\n{}", spdx_text("MITNFA"));
        assert_eq!(detect(&text), "MITNFA");
    }

    #[test]
    fn licences_listed_inside_an_exception_are_not_granted() {
        let exception = spdx::text::EXCEPTION_TEXTS
            .iter()
            .find(|(i, _)| *i == "RRDtool-FLOSS-exception-2.0")
            .map(|(_, t)| *t)
            .expect("known exception");
        let text = format!(
            "This program is free software; you can redistribute it and/or modify it under the terms of the GNU \
             General Public License as published by the Free Software Foundation; either version 2 of the \
             License, or (at your option) any later version.\n\n{exception}"
        );
        assert_eq!(detect(&text), "GPL-2.0-or-later WITH RRDtool-FLOSS-exception-2.0");
    }

    #[test]
    fn loose_tags_and_the_lesser_gpl_page() {
        assert_eq!(detect("// SPDX-License-Identifier: (GPL-2.0+ OR BSD)"), "GPL-2.0-or-later OR BSD-3-Clause");
        assert_eq!(detect("License: http://www.gnu.org/copyleft/lesser.html"), "LGPL-2.1-or-later");
    }
}
