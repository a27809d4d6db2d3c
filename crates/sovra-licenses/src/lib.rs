/*!
Licence-text detection: what licence a file (a `LICENSE`, `COPYING`, a
notice, a source header) grants, as an SPDX expression with a confidence.

The principal types:

* [`Detector`] holds the reference data, built once (about a second; share
  it, it is `Sync`): the shingle index over every licence and exception text
  of the SPDX list (`engine`) and the phrase table of licence names and
  families (`notice`).
* [`Detector::detect`] turns a file's bytes into a [`Detection`]: it
  tokenises the text (`text`), finds the full licence texts in it (several
  texts make an `AND`), then reads what the full texts do not explain for
  references (`SPDX-License-Identifier:` tags, licence URLs, names with
  versions and "or later" clauses, dual-licence wording that makes an `OR`,
  exceptions that make a `WITH`).
* A full text that was edited (a close but not exact match) gives
  `NOASSERTION` with the closest licence named; a file with only a copyright
  statement gives `NONE`.
*/

mod engine;
mod notice;
mod text;

use engine::{Index, Kind, TextMatch};
use notice::{Mention, Phrases};
use text::Token;

/// A reference text counts as present from this containment on; between
/// [`CLOSE`] and here it is only "the closest match" of a modified licence.
const ACCEPT: f32 = 0.80;
const CLOSE: f32 = 0.5;
/// Inside a matched span, at least this share of words must be the
/// reference's own; fewer means clauses were added or rewritten.
const MIN_PRECISION: f32 = 0.85;

/// The result for one file.
#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    /// An SPDX expression, `NONE` (no licence in the file) or `NOASSERTION`.
    pub expression: String,
    /// 0.0 to 1.0: the weakest of the matches the expression is built from.
    pub confidence: f32,
    /// The full names of the licences matched, in file order; for a
    /// `NOASSERTION` from an edited text, the closest licence.
    pub matched: Vec<String>,
    /// How the expression was found.
    pub method: Method,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Full licence texts.
    Text,
    /// Notices, names, tags or URLs (possibly next to full texts).
    Reference,
    /// A licence text that differs from its closest reference.
    Modified,
    /// Nothing licence-like.
    Nothing,
}

/// The reference data; see the crate documentation.
pub struct Detector {
    index: Index,
    phrases: Phrases,
}

impl Default for Detector {
    fn default() -> Self {
        Detector::new()
    }
}

/// One term of the expression being built, at a token position.
struct Term {
    at: usize,
    /// Token position just after the term.
    end: usize,
    expression: String,
    exception: bool,
    confidence: f32,
    name: String,
}

impl Detector {
    pub fn new() -> Detector {
        let phrases = Phrases::build();
        let mut index = Index::build();
        index.count_own_or_later(|tokens, id| or_later_mentions(&phrases, tokens, id));
        Detector { index, phrases }
    }

    fn or_later_count(&self, tokens: &[Token], only_id: &str) -> usize {
        or_later_mentions(&self.phrases, tokens, only_id)
    }

    /// Detect the licence of a file's content.
    pub fn detect(&self, bytes: &[u8]) -> Detection {
        let text = text::decode(bytes);
        let tokens = text::tokenize(&text);
        let (found, closest) = self.index.find(&tokens, ACCEPT);

        let mut terms: Vec<Term> = Vec::new();
        let mut covered = vec![false; tokens.len()];
        let mut covered_lines: Vec<(u32, u32)> = Vec::new();
        let mut modified: Option<&TextMatch> = None;
        for m in &found {
            let r = self.index.reference(m.reference);
            if r.kind == Kind::License {
                // An edited text's own words ("MIT License" as its title) are
                // not references either.
                covered[m.span.0..m.span.1].iter_mut().for_each(|c| *c = true);
            }
            if m.precision < MIN_PRECISION && r.kind == Kind::License {
                modified.get_or_insert(m);
                continue;
            }
            if r.kind == Kind::Exception {
                // An exception's text often carries the licence notice it
                // amends (eCos, CLISP): leave it to be read as a reference.
                terms.push(Term {
                    at: m.span.0,
                    end: m.span.1,
                    expression: r.expression.clone(),
                    exception: true,
                    confidence: m.containment.min(1.0),
                    name: r.name.to_string(),
                });
                continue;
            }
            if let (Some(a), Some(b)) = (tokens.get(m.span.0), tokens.get(m.span.1.saturating_sub(1))) {
                covered_lines.push((a.line, b.line));
            }
            let expression = match r.own_or_later {
                // A GNU text says "or any later version" in its own appendix;
                // one more such clause in the file is the licensor's choice.
                Some(own) if self.or_later_count(&tokens, &r.expression) > own => {
                    r.expression.replace("-only", "-or-later")
                }
                _ => r.expression.clone(),
            };
            terms.push(Term {
                at: m.span.0,
                end: m.span.1,
                expression,
                exception: false,
                confidence: m.containment.min(1.0) * m.precision.max(0.9),
                name: r.name.to_string(),
            });
        }
        let from_text = terms.len();

        // References in what the full texts leave unexplained: a GPL text's
        // own "how to apply" appendix must not read as a notice.
        let tags = notice::spdx_tags(&text);
        for (i, t) in tokens.iter().enumerate() {
            if tags.iter().any(|(line, _)| *line == t.line) {
                covered[i] = true;
            }
        }
        let rest: Vec<(usize, Token)> =
            tokens.iter().enumerate().filter(|(i, _)| !covered[*i]).map(|(i, t)| (i, t.clone())).collect();
        let rest_tokens: Vec<Token> = rest.iter().map(|(_, t)| t.clone()).collect();
        let position = |k: usize| rest.get(k).map_or(tokens.len(), |(i, _)| *i);
        let mentions = self.phrases.scan(&rest_tokens);
        let versioned = |family: &str| {
            let prefix = format!("{family}-");
            let is_version = |e: &str| e.strip_prefix(&prefix).is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()));
            terms.iter().any(|t| is_version(&t.expression))
                || mentions.iter().any(|m| m.unversioned.is_none() && is_version(&m.expression))
        };
        let kept: Vec<&Mention> =
            mentions.iter().filter(|m| m.unversioned.is_none_or(|f| !versioned(f))).collect();
        let new_terms: Vec<Term> =
            kept.iter().map(|m| mention_term(m, position(m.start), position(m.end - 1) + 1)).collect();
        terms.extend(new_terms);
        let outside = |line: u32| !covered_lines.iter().any(|&(a, b)| a <= line && line <= b);
        let line_position = |line: u32| tokens.iter().position(|t| t.line >= line).unwrap_or(tokens.len());
        for (line, tag) in tags {
            let n = sovra_core::license::normalize(&tag);
            if n.expression != "NOASSERTION" && n.expression != "NONE" {
                terms.push(Term {
                    at: line_position(line),
                    end: line_position(line + 1),
                    expression: n.expression,
                    exception: false,
                    confidence: 1.0,
                    name: format!("SPDX-License-Identifier: {tag}"),
                });
            }
        }
        for (line, url) in notice::urls(&text) {
            if !outside(line) {
                continue;
            }
            if let Some(expr) = sovra_core::license::lookup_alias(&url) {
                terms.push(Term {
                    at: line_position(line),
                    end: line_position(line + 1),
                    expression: expr.to_string(),
                    exception: false,
                    confidence: 0.9,
                    name: url,
                });
            }
        }

        if terms.is_empty() {
            let near = modified.or(closest.as_ref()).filter(|m| m.containment >= CLOSE);
            return match near {
                Some(m) => Detection {
                    expression: "NOASSERTION".into(),
                    confidence: m.containment * m.precision,
                    matched: vec![self.index.reference(m.reference).expression.clone()],
                    method: Method::Modified,
                },
                None => Detection {
                    expression: if tokens.is_empty() { "NONE" } else { "NOASSERTION" }.into(),
                    confidence: if tokens.is_empty() { 1.0 } else { 0.0 },
                    matched: Vec::new(),
                    method: Method::Nothing,
                },
            };
        }
        let method = if terms.len() == from_text { Method::Text } else { Method::Reference };
        let dual = is_dual(&rest_tokens, &mentions);
        let (expression, confidence, matched) = combine(terms, &tokens, dual);
        match spdx::Expression::parse(&expression) {
            Ok(_) => Detection { expression, confidence, matched, method },
            Err(_) => Detection { expression: "NOASSERTION".into(), confidence: 0.0, matched, method },
        }
    }
}

/// How often a text says "or later" of the licence `only_id` (`GPL-2.0-only`).
fn or_later_mentions(phrases: &Phrases, tokens: &[Token], only_id: &str) -> usize {
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
    }
}

/// Whether the free text offers a choice ("dual-licensed", "either ... or",
/// "at your choice"), which joins the licences with `OR`.
fn is_dual(tokens: &[Token], mentions: &[Mention]) -> bool {
    let inside = |i: usize| mentions.iter().any(|m| m.start <= i && i < m.end);
    tokens.iter().enumerate().filter(|(i, _)| !inside(*i)).any(|(i, t)| {
        matches!(t.word.as_str(), "dual" | "duallicensed" | "dually" | "alternatively" | "tri" | "trilicensed")
            || (t.word == "choice" && i > 0)
            || (t.word == "either" && tokens.get(i + 1).is_some_and(|n| n.word != "version" && n.word != "express"))
    })
}

/// Build the expression: terms in file order, consecutive duplicates folded,
/// a term upgraded by a later notice of the same licence (`GPL-2.0-only`
/// text + "or any later version" notice = `GPL-2.0-or-later`), exceptions
/// attached with `WITH` to the nearest licence before them (else after),
/// `OR` where the text offers a choice or the words between two references
/// say "or", `AND` otherwise.
/// Whether the words between two references offer a choice: an "or" that is
/// not part of "or later" / "or (at your option)", or a bare `A/B`.
fn offers_choice(between: &[Token], next: Option<&Token>) -> bool {
    if between.len() <= 2 && next.is_some_and(|t| t.after_slash) {
        return true;
    }
    between.len() <= 40
        && between.iter().enumerate().any(|(i, w)| {
            w.word == "or"
                && !between[i + 1..(i + 5).min(between.len())]
                    .iter()
                    .any(|n| matches!(n.word.as_str(), "later" | "newer" | "higher" | "option"))
        })
}

fn combine(mut terms: Vec<Term>, tokens: &[Token], dual: bool) -> (String, f32, Vec<String>) {
    terms.sort_by_key(|t| t.at);
    let confidence = terms.iter().map(|t| t.confidence).fold(1.0f32, f32::min);
    let mut names: Vec<String> = Vec::new();
    for t in &terms {
        if !names.contains(&t.name) {
            names.push(t.name.clone());
        }
    }
    // Widen `-only` to `-or-later` where any reference says so.
    let wider: Vec<String> = terms.iter().filter(|t| t.expression.ends_with("-or-later")).map(|t| t.expression.clone()).collect();
    for t in &mut terms {
        if let Some(base) = t.expression.strip_suffix("-only") {
            let later = format!("{base}-or-later");
            if wider.contains(&later) {
                t.expression = later;
            }
        }
    }
    // Attach exceptions.
    let mut licences: Vec<Term> = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    for t in terms {
        if t.exception {
            match licences.iter_mut().rev().find(|l| !l.expression.contains(' ')) {
                Some(l) => l.expression = format!("{} WITH {}", l.expression, t.expression),
                None => pending.push(t.expression),
            }
        } else {
            let mut t = t;
            if !t.expression.contains(' ')
                && let Some(e) = pending.pop()
            {
                t.expression = format!("{} WITH {e}", t.expression);
            }
            licences.push(t);
        }
    }
    // Group into OR-groups joined by AND.
    let mut seen: Vec<String> = Vec::new();
    licences.retain(|t| {
        let new = !seen.contains(&t.expression);
        seen.push(t.expression.clone());
        new
    });
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut prev_end: Option<usize> = None;
    for t in licences {
        let or = match prev_end {
            None => false,
            Some(p) => {
                dual || tokens.get(p.min(t.at)..t.at).is_some_and(|between| offers_choice(between, tokens.get(t.at)))
            }
        };
        let wrapped = if t.expression.contains(" OR ") || t.expression.contains(" AND ") {
            format!("({})", t.expression)
        } else {
            t.expression.clone()
        };
        match groups.last_mut() {
            Some(g) if or => {
                if !g.contains(&wrapped) {
                    g.push(wrapped);
                }
            }
            _ => {
                if !groups.iter().any(|g| g.len() == 1 && g[0] == wrapped) {
                    groups.push(vec![wrapped]);
                }
            }
        }
        prev_end = Some(t.end);
    }
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
