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
use crate::notice::{self, Mention, Phrases};
use crate::text::{self, Token};
use crate::urls::{self, UrlRef};
use crate::{Detection, Detector, Method, ACCEPT, CLOSE, MIN_PRECISION};

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
        for &p in &m.positions {
            by_texts[p..(p + 3).min(tokens.len())].iter_mut().for_each(|e| *e = true);
        }
    }
    for m in &found {
        let r = d.index.reference(m.reference);
        if r.kind == Kind::License {
            cover_text(m, &mut covered);
        }
        if r.kind == Kind::License && (m.precision < MIN_PRECISION || added_clause(d, m, &tokens, &by_texts)) {
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

    let tags = notice::spdx_tags(&text);
    for (i, t) in tokens.iter().enumerate() {
        if t.in_url || tags.iter().any(|(line, _)| *line == t.line) {
            covered[i] = true;
        }
    }
    let rest: Vec<usize> = (0..tokens.len()).filter(|&i| !covered[i]).collect();
    let rest_tokens: Vec<Token> = rest.iter().map(|&i| tokens[i].clone()).collect();
    let position = |k: usize| rest.get(k).copied().unwrap_or(tokens.len());
    for m in d.phrases.scan(&rest_tokens) {
        if !negated(&rest_tokens, m.start) {
            terms.push(mention_term(&m, position(m.start), position(m.end - 1) + 1));
        }
    }

    let line_position = |line: u32| tokens.iter().position(|t| t.line >= line).unwrap_or(tokens.len());
    for (line, tag) in tags {
        let n = sovra_core::license::normalize(&tag);
        if n.expression != "NOASSERTION" && n.expression != "NONE" {
            let name = format!("SPDX-License-Identifier: {tag}");
            terms.push(Term::new(line_position(line), line_position(line + 1), n.expression, 1.0, name));
        }
    }
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
        match urls::resolve(&url) {
            UrlRef::Licence(expression) => {
                let mut t = Term::new(at, end, expression, 0.9, url);
                t.from_url = true;
                terms.push(t);
            }
            UrlRef::Family(family) => {
                let Some(expression) = unversioned_default(family) else { continue };
                let mut t = Term::new(at, end, expression, 0.6, url);
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
/// a long run of words the reference does not have, followed by more of
/// the reference (or another text found: two texts' spans may overlap), and that names no
/// licence (an "Alternatively, ... under the GPL" paragraph names one and is
/// read as a reference). Such a text is modified, whatever its share.
fn added_clause(d: &Detector, m: &TextMatch, tokens: &[Token], by_texts: &[bool]) -> bool {
    // A run this long is a sentence of the file's own, not a renamed holder;
    // this many such words in all make a clause (an added clause shares
    // common phrases with the text, which split it into shorter runs).
    const RUN: usize = 8;
    const CLAUSE: usize = 20;
    let (start, end) = (m.span.0, m.span.1.min(tokens.len()));
    let explained = &by_texts[start..end.max(start)];
    let mut added = 0;
    let mut k = 0;
    while k < explained.len() {
        let run = explained[k..].iter().take_while(|e| !**e).count();
        // Inside the text, not a tail the SPDX copy lacks (the GPL-2.0's
        // closing "does not permit incorporating your program..." note).
        let inside = explained[k + run..].iter().filter(|e| **e).count() >= CLAUSE;
        if run >= RUN && inside && d.phrases.scan(&tokens[start + k..start + k + run]).is_empty() {
            added += run;
        }
        k += run.max(1);
    }
    added >= CLAUSE
}

/// Mark the words a licence text explains: its span, except for long runs
/// it does not match (an inserted "Alternatively, ... under the GPL"
/// paragraph is the file's own); short ones are the copy's small edits
/// and the licence's own names ("MIT License" as an edited text's title).
fn cover_text(m: &TextMatch, covered: &mut [bool]) {
    const INSERTION: usize = 12;
    let (start, end) = (m.span.0, m.span.1.min(covered.len()));
    let mut explained = vec![false; end.saturating_sub(start)];
    for &p in &m.positions {
        for q in p..(p + 3).min(end) {
            explained[q - start] = true;
        }
    }
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

/// Whether a reference is denied by the words just before it in its
/// sentence ("it is not licensed under the GPL", "do not move to LGPLv3").
fn negated(tokens: &[Token], start: usize) -> bool {
    let before = &tokens[start.saturating_sub(4)..start];
    let sentence = before.iter().rposition(|t| t.after_stop).unwrap_or(0);
    before[sentence..].iter().any(|t| matches!(t.word.as_str(), "not" | "never"))
        && tokens.get(start).is_none_or(|t| !t.after_stop)
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

/// The expression an unversioned family reference stands for on its own.
fn unversioned_default(family: &str) -> Option<String> {
    match family {
        "GPL" => Some("GPL-1.0-or-later".into()),
        "LGPL" => Some("LGPL-2.0-or-later".into()),
        "AGPL" => Some("AGPL-1.0-or-later".into()),
        _ => None,
    }
}

/// An unversioned reference takes the version the file states elsewhere for
/// its family (one version: that one; several: it adds nothing); a URL
/// that only repeats a licence named in words adds nothing either.
fn settle_versions(terms: &mut Vec<Term>) {
    let is_version_of = |e: &str, family: &str| {
        e.strip_prefix(family).and_then(|r| r.strip_prefix('-')).is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
    };
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
                if let Some(most) = terms
                    .iter()
                    .filter(|t| t.unversioned == Some(family))
                    .map(|t| t.expression.clone())
                    .max()
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
    }
}

/// Words announcing that the licences named next are alternatives.
fn is_choice_lead(w: &str) -> bool {
    matches!(w, "dual" | "duallicensed" | "dually" | "tri" | "trilicensed" | "choice" | "choose" | "alternatively" | "either")
}

/// Whether the licence at `next` is an alternative to the one before it
/// (`prev_at..prev_end`). Only words no full text explains count.
fn offers_choice(tokens: &[Token], covered: &[bool], prev_at: usize, prev_end: usize, next: usize) -> bool {
    let free = |from: usize, to: usize| -> Vec<&Token> {
        (from..to.min(tokens.len())).filter(|&i| !covered[i]).map(|i| &tokens[i]).collect()
    };
    // A licence named inside another's text (an "Alternatively, ... GPL"
    // paragraph in a BSD text) is judged by the words just before it.
    let start = if prev_end <= next { prev_end } else { next.saturating_sub(12) };
    let between = free(start, next);
    if between.len() <= 2 && tokens.get(next).is_some_and(|t| t.after_slash) {
        return true;
    }
    if between.len() > 40 {
        return false;
    }
    let choice = between.iter().enumerate().any(|(i, w)| match w.word.as_str() {
        // Not "or later", "or (at your option)", "and/or".
        "or" => {
            !between[i + 1..(i + 5).min(between.len())]
                .iter()
                .any(|n| matches!(n.word.as_str(), "later" | "newer" | "higher" | "option"))
                && (i == 0 || between[i - 1].word != "and")
        }
        "alternatively" | "alternative" | "choice" | "choose" | "dual" | "dually" | "duallicensed" => true,
        "either" => between.get(i + 1).is_some_and(|n| n.word != "version" && n.word != "express"),
        _ => false,
    });
    // "dual licensed under the MIT and GPL licenses": the lead-in decides.
    choice || (between.len() <= 8 && free(prev_at.saturating_sub(10), prev_at).iter().any(|w| is_choice_lead(&w.word)))
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
    for t in &mut terms {
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
    // see the GNU GPL ... Alternatively, ... Apache" is a choice.
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut group_of: Vec<(String, usize)> = Vec::new();
    let mut prev: Option<(usize, usize, usize)> = None;
    for t in licences {
        let wrapped = if t.expression.contains(" OR ") || t.expression.contains(" AND ") {
            format!("({})", t.expression)
        } else {
            t.expression.clone()
        };
        let group = match group_of.iter().find(|(e, _)| *e == wrapped) {
            Some(&(_, g)) => g,
            None => {
                let choice = |at: usize, end: usize| {
                    offers_choice(tokens, covered, at, end, t.at) || eclipse_dual(tokens, at, t.at)
                };
                let g = match prev {
                    Some((at, end, g)) if choice(at, end) => g,
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
        prev = Some((t.at, t.end, group));
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
