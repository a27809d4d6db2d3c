//! Full-text matching against the SPDX licence list.
//!
//! Every reference text (licences and exceptions of the `spdx` crate's list)
//! is reduced to its set of word trigrams ("shingles"). An inverted index from
//! shingle to texts gives, in one pass over a file's shingles, how much of each
//! reference the file contains (the candidate prefilter). The few references
//! that pass are then placed on the file: a greedy cover picks, again and
//! again, the reference that explains the most not-yet-explained words, weighed
//! by how completely the file contains it, so that a BSD-3-Clause file is not
//! reported as the BSD-2-Clause it contains, and two licences appended to each
//! other are both found.

use std::collections::HashMap;

use crate::text::{tokenize, Token};

/// Shingle length in words.
const N: usize = 3;
/// A reference must be contained at least this much to be considered at all.
const CANDIDATE_MIN: f32 = 0.5;
/// Below this many shingles a reference is too short to be found by text
/// alone (a one-line "licence"): the notice rules handle those.
const MIN_SHINGLES: usize = 8;
/// Matches further apart than this many words belong to different clusters.
const MAX_GAP: usize = 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    License,
    Exception,
}

/// One reference text, under its current SPDX id.
pub struct Reference {
    /// The SPDX expression the text stands for: usually one id; deprecated
    /// composite ids are replaced (`GPL-2.0-with-classpath-exception` is
    /// `GPL-2.0-only WITH Classpath-exception-2.0`).
    pub expression: String,
    pub name: &'static str,
    pub kind: Kind,
    /// For GNU `-only` texts: how many "or later" references the text
    /// itself contains (its "how to apply" appendix), so that only a further
    /// one in a file widens the match to `-or-later`.
    pub own_or_later: Option<usize>,
    /// Sorted, distinct.
    shingles: Vec<u64>,
    text: &'static str,
}

/// The reference texts and the shingle index over them.
pub struct Index {
    refs: Vec<Reference>,
    postings: HashMap<u64, Vec<u32>>,
}

/// A reference text found in a file.
#[derive(Clone, Debug)]
pub struct TextMatch {
    pub reference: usize,
    /// Share of the reference's shingles found in the file.
    pub containment: f32,
    /// Share of the words inside the matched span that the reference explains:
    /// low when a licence was edited (clauses added or rewritten).
    pub precision: f32,
    /// Token indices `[start, end)` of the span.
    pub span: (usize, usize),
}

fn shingle(words: &[Token]) -> u64 {
    words.iter().fold(0u64, |acc, t| acc.rotate_left(21) ^ t.hash.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

fn shingles_of(tokens: &[Token]) -> Vec<u64> {
    tokens.windows(N).map(shingle).collect()
}

impl Index {
    /// Build the index from the SPDX texts. Ids sharing one text (`GPL-2.0`,
    /// `GPL-2.0-only`, `GPL-2.0-or-later`) become one reference under the
    /// current id; the `-only` form is the default, a notice may widen it.
    pub fn build() -> Index {
        let mut by_text: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        let mut order: Vec<&'static str> = Vec::new();
        for &(id, text) in spdx::text::LICENSE_TEXTS {
            let ids = by_text.entry(text).or_default();
            if ids.is_empty() {
                order.push(text);
            }
            ids.push(id);
        }
        let mut refs = Vec::new();
        for text in order {
            let ids = &by_text[text];
            let Some((expression, name)) = preferred_license(ids) else { continue };
            refs.push(Reference {
                expression,
                name,
                kind: Kind::License,
                own_or_later: None,
                shingles: reference_shingles(text),
                text,
            });
        }
        for &(id, text) in spdx::text::EXCEPTION_TEXTS {
            let Some(exc) = spdx::exception_id(id) else { continue };
            if exc.is_deprecated() {
                continue;
            }
            refs.push(Reference {
                expression: id.to_string(),
                name: id,
                kind: Kind::Exception,
                own_or_later: None,
                shingles: reference_shingles(text),
                text,
            });
        }
        let mut postings: HashMap<u64, Vec<u32>> = HashMap::new();
        for (i, r) in refs.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            for &s in &r.shingles {
                postings.entry(s).or_default().push(i);
            }
        }
        Index { refs, postings }
    }

    /// Fill [`Reference::own_or_later`] for the GNU `-only` texts with a
    /// counter of "or later" references.
    pub fn count_own_or_later(&mut self, count: impl Fn(&[Token], &str) -> usize) {
        for r in &mut self.refs {
            let gnu = spdx::license_id(&r.expression).is_some_and(|l| l.is_gnu());
            if gnu && r.expression.ends_with("-only") {
                r.own_or_later = Some(count(&tokenize(r.text), &r.expression));
            }
        }
    }

    pub fn reference(&self, i: usize) -> &Reference {
        &self.refs[i]
    }

    /// The reference texts found in a tokenised file, in file order, plus the
    /// best partial match (for "modified licence, closest is X") when it did
    /// not make the cut.
    pub fn find(&self, tokens: &[Token], accept: f32) -> (Vec<TextMatch>, Option<TextMatch>) {
        let file = shingles_of(tokens);
        let mut distinct = file.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let mut hits: HashMap<u32, u32> = HashMap::new();
        for s in &distinct {
            if let Some(list) = self.postings.get(s) {
                for &r in list {
                    *hits.entry(r).or_default() += 1;
                }
            }
        }
        let mut candidates: Vec<(usize, f32, Vec<usize>)> = hits
            .into_iter()
            .filter_map(|(r, h)| {
                let r = r as usize;
                let total = self.refs[r].shingles.len();
                let c = h as f32 / total as f32;
                (total >= MIN_SHINGLES && c >= CANDIDATE_MIN).then_some((r, c))
            })
            .map(|(r, c)| {
                let own = &self.refs[r].shingles;
                let positions: Vec<usize> = file
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| own.binary_search(s).is_ok())
                    .map(|(p, _)| p)
                    .collect();
                (r, c, positions)
            })
            .collect();
        // Deterministic order whatever the hash map did.
        candidates.sort_by_key(|(r, _, _)| *r);

        let mut covered = vec![false; tokens.len()];
        let mut found: Vec<TextMatch> = Vec::new();
        let mut closest: Option<TextMatch> = None;
        loop {
            let mut best: Option<(f32, usize)> = None;
            for (k, (_, c, positions)) in candidates.iter().enumerate() {
                let fresh = positions.iter().filter(|&&p| !covered[p]).count();
                if positions.is_empty() || (fresh as f32) < 0.6 * positions.len() as f32 {
                    continue;
                }
                // c^4: of two variants explaining about as much, the one the file
                // contains completely wins (BSD-3-Clause over its HP variant).
                let score = fresh as f32 * c.powi(4);
                if best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, k));
                }
            }
            let Some((_, k)) = best else { break };
            let (r, c, positions) = candidates.swap_remove(k);
            let m = self.placed(r, c, &positions, tokens.len());
            if c < accept {
                if closest.as_ref().is_none_or(|b| b.containment < c) && found.is_empty() {
                    closest = Some(m);
                }
                continue;
            }
            for &p in &positions {
                for flag in &mut covered[p..(p + N).min(tokens.len())] {
                    *flag = true;
                }
            }
            found.push(m);
        }
        found.sort_by_key(|m| m.span.0);
        (found, closest)
    }

    fn placed(&self, r: usize, c: f32, positions: &[usize], len: usize) -> TextMatch {
        // A few of a reference's shingles are common phrases that also occur
        // far away (in another licence of the same file): the span is the
        // main cluster of matches, unless the matches really are split (a
        // text with a long insertion), then it is all of them.
        let mut best = (0usize, 0usize);
        let mut start = 0;
        for k in 1..=positions.len() {
            if k == positions.len() || positions[k] - positions[k - 1] > MAX_GAP {
                if k - start > best.1 - best.0 {
                    best = (start, k);
                }
                start = k;
            }
        }
        let cluster = if (best.1 - best.0) * 4 >= positions.len() * 3 { &positions[best.0..best.1] } else { positions };
        let first = cluster.first().copied().unwrap_or(0);
        let end = cluster.last().map_or(0, |p| (p + N).min(len));
        let mut explained = vec![false; end.saturating_sub(first)];
        for &p in cluster {
            for q in p..(p + N).min(end) {
                explained[q - first] = true;
            }
        }
        let precision = if explained.is_empty() {
            0.0
        } else {
            explained.iter().filter(|&&e| e).count() as f32 / explained.len() as f32
        };
        TextMatch { reference: r, containment: c, precision, span: (first, end) }
    }
}

fn reference_shingles(text: &str) -> Vec<u64> {
    let mut s = shingles_of(&tokenize(text));
    s.sort_unstable();
    s.dedup();
    s
}

/// The current id among those sharing one text, and its full name.
fn preferred_license(ids: &[&'static str]) -> Option<(String, &'static str)> {
    let live: Vec<spdx::LicenseId> =
        ids.iter().filter_map(|id| spdx::license_id(id)).filter(|l| !l.is_deprecated()).collect();
    // `GFDL-1.3-only` over `GFDL-1.3-invariants-only`, `GPL-2.0-only` over
    // `GPL-2.0-or-later`: the shortest `-only` id, else the shortest id.
    let shortest = |only: bool| {
        live.iter().filter(|l| !only || l.name.ends_with("-only")).min_by_key(|l| (l.name.len(), l.name))
    };
    // Texts only deprecated ids carry (`GPL-2.0+`, `GPL-2.0-with-GCC-exception`)
    // repeat a current text or an exception text: "or later" and exceptions
    // are found from the notice and the exception texts instead.
    shortest(true).or_else(|| shortest(false)).map(|l| (l.name.to_string(), l.full_name))
}
