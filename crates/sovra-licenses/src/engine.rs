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
/// A match this far from its neighbour at an end of the span is a stray hit.
const STRAY: usize = 8;
/// Candidates compared word by word at each step, and how close (share of
/// the best shingle score) they must come to be compared at all.
const RIVALS: usize = 8;
const RIVAL_MARGIN: f32 = 0.3;
/// Word alignment is quadratic: beyond this many cells (a long text against
/// a long file) the shingle score decides alone; long texts have few
/// near-identical variants.
const MAX_ALIGN_CELLS: usize = 400_000;

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
    /// The text's words (hashes), in order, for word-level alignment.
    words: Vec<u64>,
    /// Another reference whose whole text this one's SPDX text carries at
    /// its end (LGPL-3.0 carries GPL-3.0): only the own part is indexed, and
    /// the embedded one found right with it is part of it.
    embeds: Option<usize>,
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
    /// Where the reference's shingles start inside the span: the words the
    /// text explains (an inserted paragraph between them is the file's own).
    pub positions: Vec<usize>,
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
                words: tokenize(text).iter().map(|t| t.hash).collect(),
                embeds: None,
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
                words: tokenize(text).iter().map(|t| t.hash).collect(),
                embeds: None,
                text,
            });
        }
        cut_embedded_texts(&mut refs);
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
            let mut scored: Vec<(f32, usize)> = Vec::new();
            for (k, (r, c, positions)) in candidates.iter().enumerate() {
                // Mostly explained already: a part of a text found before.
                // Measured against the reference's matched shingles, not its
                // positions: a short text's common phrases recur all over a
                // long one appended to it (LGPL-3.0's own part before the GPL).
                let fresh = positions.iter().filter(|&&p| !covered[p]).count();
                let matched = c * self.refs[*r].shingles.len() as f32;
                if positions.is_empty() || (fresh as f32) < 0.6 * matched {
                    continue;
                }
                // Words explained minus reference words the file lacks: of two
                // nested variants the fuller one wins when the file has its
                // extra clause, the smaller when the file lacks it.
                let total = self.refs[*r].shingles.len() as f32;
                scored.push((fresh as f32 - total * (1.0 - c), k));
            }
            if scored.is_empty() {
                break;
            }
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let (k, words) = self.rerank(&scored, &candidates, tokens, &covered);
            let (r, c, positions) = candidates.swap_remove(k);
            // Placed by its words no text found before explains.
            let fresh: Vec<usize> = positions.iter().copied().filter(|&p| !covered[p]).collect();
            let mut m = self.placed(r, c, &fresh, tokens.len());
            if let Some((containment, precision)) = words {
                m.containment = m.containment.max(containment);
                m.precision = m.precision.max(precision);
            }
            if m.containment < accept {
                if closest.as_ref().is_none_or(|b| b.containment < m.containment) && found.is_empty() {
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
        // An embedded text found with its host is part of the host's match.
        for h in 0..found.len() {
            let Some(inner) = self.refs[found[h].reference].embeds else { continue };
            let Some(k) = found.iter().position(|m| m.reference == inner) else { continue };
            let part = found[k].clone();
            let host = &mut found[h];
            host.span = (host.span.0.min(part.span.0), host.span.1.max(part.span.1));
            host.positions.extend(&part.positions);
            host.positions.sort_unstable();
            host.positions.dedup();
            host.precision = host.precision.max(precision_of(&host.positions, host.span));
            found[k].containment = -1.0;
        }
        found.retain(|m| m.containment >= 0.0);
        found.sort_by_key(|m| m.span.0);
        (found, closest)
    }

    /// Among the best-scored candidates (`scored`, best first), the one a
    /// word-level alignment prefers. Shingles are blunt on short texts: a
    /// renamed holder costs as many as a missing clause, so nested variants
    /// (BSD-2/3/4-Clause, their -UC/-HP/-first-lines forms) score alike. The
    /// longest common word subsequence with the file tells them apart: each
    /// reference scores its matched words minus its missing ones. Returns
    /// the candidate's index and, when aligned, its word containment and
    /// precision (share of the file window's words it explains).
    fn rerank(
        &self,
        scored: &[(f32, usize)],
        candidates: &[(usize, f32, Vec<usize>)],
        tokens: &[Token],
        covered: &[bool],
    ) -> (usize, Option<(f32, f32)>) {
        let best = scored[0];
        let rivals: Vec<usize> =
            scored.iter().take(RIVALS).filter(|(s, _)| *s >= best.0 - RIVAL_MARGIN * best.0.abs()).map(|&(_, k)| k).collect();
        let fresh = |k: usize| candidates[k].2.iter().copied().filter(|&p| !covered[p]);
        let lo = rivals.iter().filter_map(|&k| fresh(k).min()).min().unwrap_or(0);
        let hi = rivals.iter().filter_map(|&k| fresh(k).max()).max().map_or(0, |p| (p + N).min(tokens.len()));
        let window: Vec<u64> = tokens[lo..hi.max(lo)].iter().map(|t| t.hash).collect();
        let mut chosen: Option<(i64, usize, f32, f32)> = None;
        for &k in &rivals {
            let words = &self.refs[candidates[k].0].words;
            if words.is_empty() || words.len() * window.len() > MAX_ALIGN_CELLS {
                return (best.1, None);
            }
            let common = lcs(words, &window);
            let score = 2 * common as i64 - words.len() as i64;
            let containment = common as f32 / words.len() as f32;
            let precision = common as f32 / window.len().max(1) as f32;
            if chosen.is_none_or(|(s, ..)| score > s) {
                chosen = Some((score, k, containment, precision));
            }
        }
        match chosen {
            Some((_, k, containment, precision)) => (k, Some((containment, precision))),
            None => (best.1, None),
        }
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
        let mut cluster = if (best.1 - best.0) * 4 >= positions.len() * 3 { &positions[best.0..best.1] } else { positions };
        // Stray hits at either end (a common phrase in a preamble or a
        // trailing note) do not stretch the span.
        while let [a, b, ..] = cluster
            && b - a > STRAY
        {
            cluster = &cluster[1..];
        }
        while let [.., a, b] = cluster
            && b - a > STRAY
        {
            cluster = &cluster[..cluster.len() - 1];
        }
        let first = cluster.first().copied().unwrap_or(0);
        let end = cluster.last().map_or(0, |p| (p + N).min(len));
        let precision = precision_of(cluster, (first, end));
        TextMatch { reference: r, containment: c, precision, span: (first, end), positions: cluster.to_vec() }
    }
}

/// Share of the words in `span` that shingles starting at `positions` explain.
fn precision_of(positions: &[usize], span: (usize, usize)) -> f32 {
    let (first, end) = span;
    let mut explained = vec![false; end.saturating_sub(first)];
    for &p in positions.iter().filter(|&&p| p >= first) {
        for q in p..(p + N).min(end) {
            explained[q - first] = true;
        }
    }
    if explained.is_empty() {
        return 0.0;
    }
    explained.iter().filter(|&&e| e).count() as f32 / explained.len() as f32
}

/// Where a licence's SPDX text goes on with another licence's whole text
/// (the LGPL-3.0 text is the LGPL's additional permissions followed by the
/// GPL-3.0), keep only the own part: a copy of the LGPL's own part alone,
/// the usual `COPYING.LESSER`, must match it.
fn cut_embedded_texts(refs: &mut [Reference]) {
    const HEAD: usize = 12;
    let key = |w: &[u64]| w.iter().fold(0u64, |a, &h| a.rotate_left(7) ^ h);
    let mut starts: HashMap<u64, usize> = HashMap::new();
    for (i, r) in refs.iter().enumerate() {
        if r.kind == Kind::License && r.words.len() >= 300 {
            starts.insert(key(&r.words[..HEAD]), i);
        }
    }
    for a in 0..refs.len() {
        if refs[a].kind != Kind::License {
            continue;
        }
        let len = refs[a].words.len();
        let cut = (50..len.saturating_sub(HEAD)).find_map(|at| {
            let &b = starts.get(&key(&refs[a].words[at..at + HEAD]))?;
            let whole = refs[b].words.len();
            // Verbatim: a shared boilerplate opening is not an embedded text.
            let same = refs[a].words[at..].iter().zip(&refs[b].words).filter(|(x, y)| x == y).count();
            (b != a && same * 10 >= whole * 9).then_some((at, b))
        });
        if let Some((at, b)) = cut {
            let tokens = tokenize(refs[a].text);
            let mut shingles = shingles_of(&tokens[..at.min(tokens.len())]);
            shingles.sort_unstable();
            shingles.dedup();
            let r = &mut refs[a];
            r.words.truncate(at);
            r.shingles = shingles;
            r.embeds = Some(b);
        }
    }
}

/// Length of the longest common subsequence of two word sequences.
fn lcs(a: &[u64], b: &[u64]) -> usize {
    let mut prev = vec![0u32; b.len() + 1];
    let mut row = vec![0u32; b.len() + 1];
    for &x in a {
        for (j, &y) in b.iter().enumerate() {
            row[j + 1] = if x == y { prev[j] + 1 } else { prev[j + 1].max(row[j]) };
        }
        std::mem::swap(&mut prev, &mut row);
    }
    prev[b.len()] as usize
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
