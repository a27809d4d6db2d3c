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

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use crate::text::{Token, holder_slots, tokenize};

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
    /// What each of `words` is to the alignment.
    roles: Vec<Role>,
    /// Where the text's last paragraph starts (an index into `words`).
    last_paragraph: usize,
    /// The words `[start, end)` of its opening paragraph after the title
    /// when that is a preamble to the rest (see [`opening_paragraph`]);
    /// empty otherwise.
    opening: (usize, usize),
    /// Where each sentence after the first starts (an index into `words`),
    /// and whether it disclaims warranty (see [`disclaims`]).
    sentences: Vec<(usize, bool)>,
    /// Another reference whose whole text this one's SPDX text carries at
    /// its end (LGPL-3.0 carries GPL-3.0): only the own part is indexed, and
    /// the embedded one found right with it is part of it.
    embeds: Option<usize>,
    text: &'static str,
    /// Where each shingle stands in the text (`None` for one it has twice),
    /// built the first time a match is split into copies: most references
    /// are never chosen, and the chosen ones (MIT, Apache) are chosen again
    /// for file after file.
    places: OnceLock<Places>,
}

type Places = HashMap<u64, Option<u32>, BuildHasherDefault<KeyHasher>>;

/// A reference word's weight when copies are compared with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// A word of the licence's terms: a copy lacking it differs.
    Term,
    /// A word of a licensor slot that any copy replaces ("the copyright
    /// holders", "the author"): neither its presence nor its absence says
    /// which licence a copy is.
    Filler,
    /// A word of the licence's title: a copy may leave it out.
    Title,
    /// A proper name in a licensor slot ("Regents", "HP"): a copy that
    /// keeps it is that licensor's variant; one that replaced it is not
    /// the less a copy.
    Name,
}

/// Words of a licensor slot that name no one in particular.
const FILLER: &[&str] = &[
    "the",
    "a",
    "an",
    "and",
    "or",
    "of",
    "its",
    "their",
    "his",
    "her",
    "copyright",
    "holder",
    "holders",
    "owner",
    "owners",
    "author",
    "authors",
    "contributor",
    "contributors",
    "organization",
    "respective",
    "above",
    "named",
    "this",
    "software",
    "any",
    "other",
    "such",
    "inc",
    "ltd",
    "llc",
    "corporation",
    "company",
    "project",
    "group",
    "licensor",
    "licensors",
];

/// The reference texts and the shingle index over them.
pub struct Index {
    refs: Vec<Reference>,
    /// Shingle to its range in `posted`: the references having it, all
    /// lists in one block for the cache.
    postings: HashMap<u64, (u32, u32), BuildHasherDefault<KeyHasher>>,
    posted: Vec<u16>,
}

/// For keys that are hashes already (shingles, word hashes): a multiply
/// spreads them over the table; SipHash's protection against chosen keys
/// buys nothing on keys we derive ourselves.
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0 ^ x ^ (x >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
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
    /// Token ranges `[start, end)` that fill the reference's licensor slots
    /// (a name the word alignment put where the reference says "the
    /// author"): explained by the text, though no shingle of it matches.
    pub filled: Vec<(usize, usize)>,
}

impl Reference {
    fn new(expression: String, name: &'static str, kind: Kind, text: &'static str) -> Reference {
        let tokens = tokenize(text);
        let mut shingles = shingles_of(&tokens);
        shingles.sort_unstable();
        shingles.dedup();
        let roles = roles_of(&tokens);
        let last_paragraph = last_paragraph(&tokens);
        let opening = opening_paragraph(&tokens);
        Reference {
            expression,
            name,
            kind,
            own_or_later: None,
            shingles,
            words: tokens.iter().map(|t| t.hash).collect(),
            roles,
            last_paragraph,
            opening,
            sentences: sentences_of(&tokens),
            embeds: None,
            text,
            places: OnceLock::new(),
        }
    }

    /// See [`Reference::places`].
    fn places(&self) -> &Places {
        self.places.get_or_init(|| {
            let mut place = Places::default();
            for (i, w) in self.words.windows(N).enumerate() {
                let i = u32::try_from(i).ok();
                place.entry(shingle_of_hashes(w.iter().copied())).and_modify(|e| *e = None).or_insert(i);
            }
            place
        })
    }
}

/// Each word of a reference text: title, licensor slot or term.
fn roles_of(tokens: &[Token]) -> Vec<Role> {
    let title = title_len(tokens);
    holder_slots(tokens)
        .into_iter()
        .zip(tokens)
        .enumerate()
        .map(|(i, (slot, t))| match slot {
            _ if i < title => Role::Title,
            false => Role::Term,
            true if FILLER.contains(&t.word.as_str()) => Role::Filler,
            true => Role::Name,
        })
        .collect()
}

/// How many of a reference text's first words are its title: the first
/// lines up to a blank one, a few words, no sentence. The SPDX matching
/// guidelines make a licence's title optional.
fn title_len(tokens: &[Token]) -> usize {
    const TITLE: usize = 12;
    let block = tokens.windows(2).position(|w| w[1].line > w[0].line + 1).map_or(tokens.len(), |k| k + 1);
    let title = block <= TITLE && tokens.get(1..block).is_some_and(|b| !b.iter().any(|t| t.after_stop));
    if title && tokens.len() >= block + 40 { block } else { 0 }
}

/// Where the last paragraph (after the last blank line) starts.
fn last_paragraph(tokens: &[Token]) -> usize {
    tokens.windows(2).rposition(|w| w[1].line > w[0].line + 1).map_or(0, |k| k + 1)
}

/// The words of the opening paragraph after the title, when it is a
/// preamble: prose of a sentence's length, not a heading or version line
/// (OLDAP-2.0 and 2.0.1 differ only there, so those keep their full cost),
/// and not all of the text.
fn opening_paragraph(tokens: &[Token]) -> (usize, usize) {
    const SENTENCE: usize = 20;
    let start = title_len(tokens);
    let end = (start + 1..tokens.len()).find(|&i| tokens[i].line > tokens[i - 1].line + 1);
    end.filter(|&end| end - start >= SENTENCE).map_or((start, start), |end| (start, end))
}

/// Where each sentence after the first starts (a paragraph ends one too,
/// whatever the stop before a removed placeholder), and whether it disclaims.
fn sentences_of(tokens: &[Token]) -> Vec<(usize, bool)> {
    let starts: Vec<usize> =
        (1..tokens.len()).filter(|&i| tokens[i].after_stop || tokens[i].line > tokens[i - 1].line + 1).collect();
    let ends = starts.iter().skip(1).copied().chain([tokens.len()]);
    starts.iter().zip(ends).map(|(&from, to)| (from, disclaims(&tokens[from..to], to - from))).collect()
}

/// Whether words disclaim warranty: "as is" (within the first `as_is_within`
/// of them) and a word of warranty.
fn disclaims(tokens: &[Token], as_is_within: usize) -> bool {
    let is = |i: usize, w: &str| tokens.get(i).is_some_and(|t| t.word == w);
    (0..tokens.len().min(as_is_within)).any(|i| is(i, "as") && is(i + 1, "is"))
        && tokens.iter().any(|t| t.word.starts_with("warrant"))
}

/// A licence text whose last paragraph is its warranty disclaimer, without
/// that paragraph: a copy that keeps every grant and condition but leaves
/// out the disclaimer (a source header quoting only the conditions) grants
/// that licence; the disclaimer limits the licensor's liability, it adds no
/// term for the user. Indexed next to the whole text, which wins whenever
/// the copy has the disclaimer. `None` when the rest is too short to tell
/// licences apart.
fn without_disclaimer(text: &str) -> Option<&str> {
    const MIN_TERMS: usize = 40;
    let body = text.trim_end();
    let cut = body.rfind("\n\n")?;
    (disclaims(&tokenize(&body[cut..]), 20) && tokenize(&body[..cut]).len() >= MIN_TERMS).then(|| &body[..cut])
}

/// A licence text that ends its terms with "END OF TERMS AND CONDITIONS"
/// and then explains how to apply them (Apache-2.0, the GNU licences),
/// without that appendix: projects often ship the terms alone, and the
/// appendix is advice to the licensor, no term for the user. Without this
/// variant such a copy of Apache-2.0 lacks a tenth of its reference and
/// comes closer to the Pixar licence, Apache's terms without the appendix.
/// `None` when nothing of substance follows the terms.
fn without_appendix(text: &'static str) -> Option<&'static str> {
    const MIN_APPENDIX: usize = 50;
    let cut = text.find("END OF TERMS AND CONDITIONS")?;
    (tokenize(&text[cut..]).len() >= MIN_APPENDIX).then(|| text[..cut].trim_end())
}

fn shingle(words: &[Token]) -> u64 {
    shingle_of_hashes(words.iter().map(|t| t.hash))
}

fn shingle_of_hashes(hashes: impl Iterator<Item = u64>) -> u64 {
    hashes.fold(0u64, |acc, h| acc.rotate_left(21) ^ h.wrapping_mul(0x9E37_79B9_7F4A_7C15))
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
            for terms in [without_disclaimer(text), without_appendix(text)].into_iter().flatten() {
                refs.push(Reference::new(expression.clone(), name, Kind::License, terms));
            }
            refs.push(Reference::new(expression, name, Kind::License, text));
        }
        for &(id, text) in spdx::text::EXCEPTION_TEXTS {
            let Some(exc) = spdx::exception_id(id) else { continue };
            if exc.is_deprecated() {
                continue;
            }
            refs.push(Reference::new(id.to_string(), id, Kind::Exception, text));
        }
        cut_embedded_texts(&mut refs);
        // A variant of a text that carries another at its end (LGPL-3.0's
        // GPL-3.0 without its appendix) is cut to the same own part as the
        // whole text: one copy of a reference is enough.
        // Decided on borrowed keys first: `retain` moves the references, so
        // its closure could only keep owned copies of every text's words.
        let mut seen = HashSet::new();
        let first: Vec<bool> = refs.iter().map(|r| seen.insert((r.expression.as_str(), r.words.as_slice()))).collect();
        let mut first = first.into_iter();
        refs.retain(|_| first.next().unwrap_or(true));
        let mut lists: HashMap<u64, Vec<u16>, BuildHasherDefault<KeyHasher>> = HashMap::default();
        for (i, r) in refs.iter().enumerate() {
            let i = u16::try_from(i).expect("fewer than 65536 reference texts");
            for &s in &r.shingles {
                lists.entry(s).or_default().push(i);
            }
        }
        let mut postings = HashMap::with_capacity_and_hasher(lists.len(), BuildHasherDefault::default());
        let mut posted = Vec::new();
        for (s, list) in lists {
            let start = u32::try_from(posted.len()).expect("postings fit 32 bits");
            posted.extend_from_slice(&list);
            postings.insert(s, (start, list.len() as u32));
        }
        Index { refs, postings, posted }
    }

    /// The references having a shingle.
    fn posting(&self, s: &u64) -> &[u16] {
        self.postings.get(s).map_or(&[], |&(start, len)| &self.posted[start as usize..(start + len) as usize])
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
        // The index is large and cold in the cache: it is asked once per
        // distinct shingle, and each file shingle keeps the rank of its
        // distinct one.
        let mut order: Vec<(u64, usize)> = file.iter().copied().zip(0..).collect();
        order.sort_unstable();
        let mut distinct: Vec<u64> = Vec::new();
        let mut rank = vec![0; file.len()];
        for &(s, p) in &order {
            if distinct.last() != Some(&s) {
                distinct.push(s);
            }
            rank[p] = distinct.len() - 1;
        }
        let lists: Vec<&[u16]> = distinct.iter().map(|s| self.posting(s)).collect();
        let mut hits = vec![0u32; self.refs.len()];
        for &r in lists.iter().copied().flatten() {
            hits[r as usize] += 1;
        }
        let mut candidates: Vec<(usize, f32, Vec<usize>)> = hits
            .iter()
            .enumerate()
            .filter_map(|(r, &h)| {
                let total = self.refs[r].shingles.len();
                let c = h as f32 / total as f32;
                (total >= MIN_SHINGLES && c >= CANDIDATE_MIN).then_some((r, c, Vec::new()))
            })
            .collect();
        // Each candidate's positions from the posting lists the prefilter
        // already looked up, not from a search of every file shingle in
        // every candidate.
        let mut slot = vec![u16::MAX; self.refs.len()];
        for (k, (r, ..)) in candidates.iter().enumerate() {
            slot[*r] = k as u16;
        }
        let ids: Vec<u16> = candidates.iter().map(|(r, ..)| *r as u16).collect();
        for (p, &d) in rank.iter().enumerate() {
            let list = lists[d];
            // Lists are in reference order: a common phrase's long list is
            // searched for the few candidates rather than read through.
            if list.len() > 2 * ids.len() {
                for (k, r) in ids.iter().enumerate() {
                    if list.binary_search(r).is_ok() {
                        candidates[k].2.push(p);
                    }
                }
                continue;
            }
            for &r in list {
                if let Some((_, _, positions)) = candidates.get_mut(usize::from(slot[usize::from(r)])) {
                    positions.push(p);
                }
            }
        }

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
            let (k, aligned) = self.rerank(&scored, &candidates, tokens, &covered);
            let (r, c, all) = candidates.swap_remove(k);
            // One copy of the text at a time: the one with the most words no
            // text found before explains; another copy goes back among the
            // candidates, and phrases before a copy (another text's) are
            // left to the texts they belong to.
            let mut copies = self.copies(r, &all, &file);
            let fresh_in = |part: &Vec<usize>| part.iter().filter(|&&p| !covered[p]).count();
            let best = (0..copies.len()).max_by_key(|&i| (fresh_in(&copies[i]), usize::MAX - i)).unwrap_or(0);
            let positions = copies.swap_remove(best);
            for part in copies {
                let share = self.share(r, &part, &file);
                if share >= CANDIDATE_MIN {
                    candidates.push((r, share, part));
                }
            }
            // Placed by its words no text found before explains.
            let fresh: Vec<usize> = positions.iter().copied().filter(|&p| !covered[p]).collect();
            let mut m = self.placed(r, c, &fresh, tokens.len());
            if let Some((offset, a)) = aligned {
                m.containment = m.containment.max(a.containment);
                m.precision = m.precision.max(a.precision);
                m.filled = a.fills.iter().map(|&(from, to)| (from + offset, to + offset)).collect();
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
            host.filled.extend(&part.filled);
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
    /// (BSD-2/3/4-Clause, their -UC/-HP/-first-lines forms) score alike. An
    /// alignment with the file tells them apart (see [`align`]). Returns the
    /// candidate's index and, when aligned, its alignment with the token
    /// position the aligned window starts at.
    fn rerank(
        &self,
        scored: &[(f32, usize)],
        candidates: &[(usize, f32, Vec<usize>)],
        tokens: &[Token],
        covered: &[bool],
    ) -> (usize, Option<(usize, Alignment)>) {
        let best = scored[0];
        let rivals: Vec<usize> = scored
            .iter()
            .take(RIVALS)
            .filter(|(s, _)| *s >= best.0 - RIVAL_MARGIN * best.0.abs())
            .map(|&(_, k)| k)
            .collect();
        let fresh = |k: usize| candidates[k].2.iter().copied().filter(|&p| !covered[p]);
        let lo = rivals.iter().filter_map(|&k| fresh(k).min()).min().unwrap_or(0);
        let hi = rivals.iter().filter_map(|&k| fresh(k).max()).max().map_or(0, |p| (p + N).min(tokens.len()));
        let window: Vec<u64> = tokens[lo..hi.max(lo)].iter().map(|t| t.hash).collect();
        let mut chosen: Option<(f32, usize, Alignment)> = None;
        for &k in &rivals {
            let r = &self.refs[candidates[k].0];
            let Some(a) = align(&r.words, &r.roles, r.last_paragraph, r.opening, &r.sentences, &window) else {
                return (best.1, None);
            };
            if chosen.as_ref().is_none_or(|(s, ..)| a.score > *s) {
                chosen = Some((a.score, k, a));
            }
        }
        match chosen {
            Some((_, k, a)) => (k, Some((lo, a))),
            None => (best.1, None),
        }
    }

    /// A candidate's positions split where its matches start over: the
    /// file holds the text twice (readable-stream's LICENSE quotes the MIT
    /// licence for itself and again for Joyent's code), or another text's
    /// common phrases come before the copy (an ISC text before an MIT one:
    /// "the above copyright notice", "in no event shall"). Each such
    /// phrase alone is too near its neighbours to be left out as a stray
    /// hit; what gives it away is that the reference starts again after
    /// it. A restart is a fall from the reference's last third back to its
    /// first tenth, kept up for a few shingles; only shingles the reference
    /// has once say where in it a match is.
    fn copies(&self, r: usize, positions: &[usize], file: &[u64]) -> Vec<Vec<usize>> {
        const KEPT_UP: usize = 3;
        let reference = &self.refs[r];
        // A shingle the reference has twice (a list's repeated wording)
        // places nothing.
        let place = reference.places();
        let len = reference.words.len();
        let at: Vec<(usize, usize)> = positions
            .iter()
            .enumerate()
            .filter_map(|(k, p)| Some((k, place.get(&file[*p]).copied().flatten()? as usize)))
            .collect();
        let mut cuts = Vec::new();
        for j in 1..at.len() {
            let next = &at[j..(j + KEPT_UP).min(at.len())];
            if at[j - 1].1 * 3 >= len * 2 && next.len() == KEPT_UP && next.iter().all(|&(_, a)| a * 10 <= len) {
                cuts.push(at[j].0);
            }
        }
        let mut out: Vec<Vec<usize>> = Vec::new();
        let mut from = 0;
        for cut in cuts.into_iter().chain([positions.len()]) {
            let part = &positions[from..cut];
            from = cut;
            // After a copy, a few of its phrases again are a note on it
            // (the GPL-2.0's closing paragraph), part of its span as before.
            match out.last_mut() {
                Some(prev) if self.share(r, part, file) < CANDIDATE_MIN => prev.extend_from_slice(part),
                _ => out.push(part.to_vec()),
            }
        }
        out
    }

    /// How much of reference `r` the shingles at `positions` hold.
    fn share(&self, r: usize, positions: &[usize], file: &[u64]) -> f32 {
        let distinct: HashSet<u64> = positions.iter().map(|&p| file[p]).collect();
        distinct.len() as f32 / self.refs[r].shingles.len() as f32
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
        let mut cluster =
            if (best.1 - best.0) * 4 >= positions.len() * 3 { &positions[best.0..best.1] } else { positions };
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
        TextMatch {
            reference: r,
            containment: c,
            precision,
            span: (first, end),
            positions: cluster.to_vec(),
            filled: Vec::new(),
        }
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
            r.roles.truncate(at);
            r.last_paragraph = r.last_paragraph.min(at);
            r.opening.1 = r.opening.1.min(at);
            r.sentences.retain(|&(k, _)| k < at);
            r.shingles = shingles;
            r.embeds = Some(b);
        }
    }
}

/// How a reference's words line up with a stretch of a file.
struct Alignment {
    /// Matched words minus twice the missing ones, by their [`Role`]: slot words
    /// count only as the licensor's own name found, and a name replaced
    /// costs a trifle, so that of a base licence and a licensor's variant
    /// of it the base wins unless the licensor is named.
    score: f32,
    /// Share of the reference's words present, slot words counted present.
    containment: f32,
    /// Share of the file's words, from the first aligned to the last, that
    /// the reference explains: its words and what fills its slots.
    precision: f32,
    /// Window ranges `[start, end)` that fill the reference's slots.
    fills: Vec<(usize, usize)>,
}

/// The table of longest common subsequence lengths of two word sequences,
/// `at(i, j)` for the first `i` words of one and `j` of the other, computed
/// 64 cells at a time (Hyyrö's bit-parallel form): row `i` is a bit vector
/// over the second sequence whose zero bits mark where the length grows.
struct Lcs {
    blocks: usize,
    /// `n + 1` rows of `blocks` words.
    rows: Vec<u64>,
    /// Per row, the zero bits before each block (`blocks + 1` entries).
    before: Vec<u32>,
}

impl Lcs {
    fn new(words: &[u64], window: &[u64]) -> Lcs {
        let blocks = window.len().div_ceil(64);
        let mut distinct = window.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        // Where each distinct window word occurs, as bits.
        let mut masks = vec![0u64; distinct.len() * blocks];
        for (j, w) in window.iter().enumerate() {
            let d = distinct.partition_point(|x| x < w);
            masks[d * blocks + j / 64] |= 1 << (j % 64);
        }
        let mut rows = vec![u64::MAX; (words.len() + 1) * blocks];
        for (i, w) in words.iter().enumerate() {
            let (done, rest) = rows.split_at_mut((i + 1) * blocks);
            let (prev, cur) = (&done[i * blocks..], &mut rest[..blocks]);
            let Ok(d) = distinct.binary_search(w) else {
                cur.copy_from_slice(prev);
                continue;
            };
            let mask = &masks[d * blocks..(d + 1) * blocks];
            let mut carry = false;
            for b in 0..blocks {
                let v = prev[b];
                let u = v & mask[b];
                let (sum, c1) = v.overflowing_add(u);
                let (sum, c2) = sum.overflowing_add(u64::from(carry));
                carry = c1 || c2;
                cur[b] = sum | (v & !mask[b]);
            }
        }
        let mut before = Vec::with_capacity((words.len() + 1) * (blocks + 1));
        for i in 0..=words.len() {
            let mut zeros = 0;
            before.push(0);
            for &v in &rows[i * blocks..(i + 1) * blocks] {
                zeros += v.count_zeros();
                before.push(zeros);
            }
        }
        Lcs { blocks, rows, before }
    }

    fn at(&self, i: usize, j: usize) -> u32 {
        let (b, r) = (j / 64, j % 64);
        let whole = self.before[i * (self.blocks + 1) + b];
        if r == 0 {
            return whole;
        }
        let low = self.rows[i * self.blocks + b] & ((1u64 << r) - 1);
        whole + r as u32 - low.count_ones()
    }
}

/// Align a reference's words with a file window by their longest common
/// subsequence, then weigh what matched and what did not. `None` for an
/// empty reference or beyond [`MAX_ALIGN_CELLS`].
fn align(
    words: &[u64],
    roles: &[Role],
    last_paragraph: usize,
    opening: (usize, usize),
    sentences: &[(usize, bool)],
    window: &[u64],
) -> Option<Alignment> {
    // A replaced name is no difference, only a hint for the tie.
    const NAME_MISSING: f32 = 0.01;
    // A slot's filling is a name, not a paragraph.
    const FILL: usize = 20;
    // A left-out closing note is at most this share (1/n) of the text and,
    // missing altogether, costs at most as many words as this.
    const TAIL_SHARE: usize = 5;
    const TAIL_WEIGHT: usize = 10;
    // A left-out sentence may share at most one word in this many with the
    // file's text around it.
    const STRAY: usize = 8;
    let (n, m) = (words.len(), window.len());
    if n == 0 || n * m > MAX_ALIGN_CELLS {
        return None;
    }
    let table = Lcs::new(words, window);
    // Matched pairs, last first.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 && j > 0 {
        if words[i - 1] == window[j - 1] && table.at(i, j) == table.at(i - 1, j - 1) + 1 {
            pairs.push((i - 1, j - 1));
            i -= 1;
            j -= 1;
        } else if table.at(i - 1, j) >= table.at(i, j - 1) {
            i -= 1;
        } else {
            j -= 1;
        }
    }
    pairs.reverse();
    let mut matched = vec![false; n];
    pairs.iter().for_each(|&(i, _)| matched[i] = true);
    let mut score = 0.0;
    let mut missing = 0usize;
    for (&role, &hit) in roles.iter().zip(&matched) {
        score += match (role, hit) {
            (Role::Term | Role::Name, true) => 1.0,
            // A missing word is a sure difference; a matched one may be a
            // common word the alignment found in the file's own prose.
            (Role::Term, false) => {
                missing += 1;
                -2.0
            }
            (Role::Name, false) => -NAME_MISSING,
            // A title word may stand anywhere in a file that names the licence.
            (Role::Filler | Role::Title, _) => 0.0,
        };
    }
    // A copy that ends before the reference's last paragraph does left out
    // a closing note (Apache-1.1's credit to NCSA, which SPDX marks
    // optional, or its whole "voluntary contributions" note): one
    // difference if the note was only cut short, a bounded one if it is
    // missing, as long as it is a small part of the text; otherwise the
    // length of a note two variants do not share would outweigh the terms
    // they do.
    let tail = matched.iter().rev().take_while(|&&hit| !hit).count();
    if n - tail >= last_paragraph && tail * TAIL_SHARE <= n {
        let terms = roles[n - tail..].iter().filter(|&&r| r == Role::Term).count();
        let weight = if n - tail > last_paragraph { 1 } else { TAIL_WEIGHT };
        score += 2.0 * terms.saturating_sub(weight) as f32;
    }
    // A copy that starts after the reference's opening paragraph left out
    // a preamble (MIT-CMU's "By obtaining, using and/or copying this
    // software ... you agree ...", which SPDX marks optional): one
    // difference, under the closing note's bound, so that the preamble's
    // length does not outweigh the terms the copy does share. Where the
    // opening is a grant sentence, the rival variants share it and the rule
    // weighs them alike. Whole only: a paragraph the copy has in part is the
    // copy's own wording of it. A common word the alignment found in the
    // file's own heading does not make the paragraph kept.
    let count =
        |from: usize, to: usize, hit: bool| (from..to).filter(|&k| roles[k] == Role::Term && matched[k] == hit).count();
    let (start, end) = opening;
    let head = count(start, end, false);
    if count(start, end, true) * STRAY <= head && head * TAIL_SHARE <= n {
        score += 2.0 * head.saturating_sub(1) as f32;
    }
    // So is a warranty disclaimer left out between two sentences the copy
    // has (HPND's optional "makes no representations about the suitability
    // of this software ... It is provided as is without express or implied
    // warranty"), as long as it is a small part of the text: like a missing
    // closing disclaimer it gives the user no term, so it costs one
    // difference. Whole sentences (next to) none of whose terms matched, one
    // of which disclaims; a left-out condition (BSD-4-Clause's advertising
    // clause) keeps its full cost.
    let term_hit = |k: usize| roles[k] == Role::Term && matched[k];
    let mut left_out = None;
    let mut run: Option<(usize, bool)> = None;
    for w in sentences.windows(2) {
        let ((from, disclaimer), (to, _)) = (w[0], w[1]);
        // A common word of it ("the") the alignment found in the file's own
        // next sentence does not make a sentence kept.
        if count(from, to, true) * STRAY > count(from, to, false) {
            run = None;
            continue;
        }
        let (start, any_disclaimer) = *run.insert(run.map_or((from, disclaimer), |(s, d)| (s, d || disclaimer)));
        let terms = count(start, to, false);
        if any_disclaimer && (0..start).any(term_hit) && (to..n).any(term_hit) && terms * TAIL_SHARE <= n {
            left_out = left_out.max(Some(terms));
        }
    }
    if let Some(terms) = left_out {
        score += 2.0 * terms.saturating_sub(1) as f32;
    }
    // File words between two aligned words fill a slot when the reference
    // words between them (or next to them) are slot words.
    let slot = |i: usize| roles.get(i).is_some_and(|r| matches!(r, Role::Filler | Role::Name));
    let mut explained = pairs.len();
    let mut fills = Vec::new();
    for w in pairs.windows(2) {
        let ((i0, j0), (i1, j1)) = (w[0], w[1]);
        let gap = j1 - j0 - 1;
        let fills_slot = if i1 > i0 + 1 { (i0 + 1..i1).all(slot) } else { slot(i0) || slot(i1) };
        if gap > 0 && gap <= FILL && fills_slot {
            explained += gap;
            fills.push((j0 + 1, j1));
        }
    }
    let span = match (pairs.first(), pairs.last()) {
        (Some(&(_, a)), Some(&(_, b))) => b + 1 - a,
        _ => 0,
    };
    Some(Alignment {
        score,
        containment: (n - missing) as f32 / n as f32,
        precision: if span == 0 { 0.0 } else { explained as f32 / span as f32 },
        fills,
    })
}

/// The current id among those sharing one text, and its full name.
fn preferred_license(ids: &[&'static str]) -> Option<(String, &'static str)> {
    let live: Vec<spdx::LicenseId> =
        ids.iter().filter_map(|id| spdx::license_id(id)).filter(|l| !l.is_deprecated()).collect();
    // `GFDL-1.3-only` over `GFDL-1.3-invariants-only`, `GPL-2.0-only` over
    // `GPL-2.0-or-later`: the shortest `-only` id, else the shortest id.
    let shortest =
        |only: bool| live.iter().filter(|l| !only || l.name.ends_with("-only")).min_by_key(|l| (l.name.len(), l.name));
    // Texts only deprecated ids carry (`GPL-2.0+`, `GPL-2.0-with-GCC-exception`)
    // repeat a current text or an exception text: "or later" and exceptions
    // are found from the notice and the exception texts instead.
    shortest(true).or_else(|| shortest(false)).map(|l| (l.name.to_string(), l.full_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(reference: &str, file: &str) -> Alignment {
        let tokens = tokenize(reference);
        let words: Vec<u64> = tokens.iter().map(|t| t.hash).collect();
        let window: Vec<u64> = tokenize(file).iter().map(|t| t.hash).collect();
        let sentences = sentences_of(&tokens);
        let (last, opening) = (last_paragraph(&tokens), opening_paragraph(&tokens));
        align(&words, &roles_of(&tokens), last, opening, &sentences, &window).expect("small texts")
    }

    #[test]
    fn bit_parallel_lcs_is_the_plain_table() {
        // Small alphabets over lengths around the 64-bit block edges.
        let mut seed = 7u64;
        let mut next = |k: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % k
        };
        for (n, m) in [(0, 5), (5, 0), (1, 1), (63, 64), (64, 65), (100, 129), (200, 190)] {
            let a: Vec<u64> = (0..n).map(|_| next(4)).collect();
            let b: Vec<u64> = (0..m).map(|_| next(4)).collect();
            let lcs = Lcs::new(&a, &b);
            let mut plain = vec![vec![0u32; m + 1]; n + 1];
            for i in 0..n {
                for j in 0..m {
                    plain[i + 1][j + 1] =
                        if a[i] == b[j] { plain[i][j] + 1 } else { plain[i][j + 1].max(plain[i + 1][j]) };
                }
            }
            for (i, row) in plain.iter().enumerate() {
                for (j, &cell) in row.iter().enumerate() {
                    assert_eq!(lcs.at(i, j), cell, "{n}x{m} at ({i}, {j})");
                }
            }
        }
    }

    #[test]
    fn a_licence_is_also_known_by_its_terms_without_its_disclaimer() {
        let terms = "Redistribution and use in source and binary forms, with or without modification, are \
            permitted provided that the following conditions are met: the above copyright notice, this list \
            of conditions and the following disclaimer are retained in every copy of the source code, and \
            the name of the author is not used to promote products derived from it.";
        let disclaimer = "THIS SOFTWARE IS PROVIDED AS IS AND ANY WARRANTIES ARE DISCLAIMED.";
        assert_eq!(without_disclaimer(&format!("{terms}\n\n{disclaimer}\n")), Some(terms));
        // A last paragraph that is a term, or too little left to tell
        // licences apart.
        assert_eq!(without_disclaimer(&format!("{terms}\n\nThe software may not be sold.\n")), None);
        assert_eq!(without_disclaimer(&format!("Use is permitted.\n\n{disclaimer}")), None);
    }

    #[test]
    fn a_left_out_closing_note_weighs_as_one_bounded_difference() {
        let terms = "Redistribution and use in source and binary forms are permitted provided that the \
            above copyright notice and this paragraph are retained. THE SOFTWARE IS PROVIDED AS IS WITHOUT \
            WARRANTY OF ANY KIND, AND IN NO EVENT SHALL THE AUTHORS BE LIABLE FOR ANY DAMAGES WHATSOEVER.";
        let note = "This software consists of contributions made by many people. \
            Parts of it were first written at the Example Institute of Technology in Springfield.";
        let score = |reference: &str, file: &str| score(reference, file).score;
        let body = [terms; 3].join("\n");
        let full = score(&body, &body);
        let noted = format!("{body}\n\n{note}");
        // Left out whole, the note costs ten words, not its 23; cut short,
        // one.
        assert_eq!(score(&noted, &body), full - 2.0 * 10.0);
        let cut = format!("{body}\n\nThis software consists of contributions made by many people.");
        assert_eq!(score(&noted, &cut), score(&cut, &cut) - 2.0);
        // Missing words amid the text, or a tail that is much of the
        // text, cost every word.
        let inner = format!("{terms}\n\n{note}\n\n{terms}\n{terms}");
        assert_eq!(score(&inner, &body), full - 2.0 * 23.0);
        assert_eq!(score(&format!("{terms}\n\n{note} {note}"), terms), score(terms, terms) - 2.0 * 46.0);
    }

    #[test]
    fn a_left_out_preamble_weighs_as_one_difference() {
        let terms = ["Permission to use, copy and distribute this software for any purpose is granted, provided \
            that this notice appears in all copies. The authors disclaim all warranties."; 5]
            .join(" ");
        let preamble = "By using or copying this software and its documentation, you confirm that you have read \
            and understood the following terms and will comply with them:";
        let score = |reference: &str, file: &str| score(reference, file).score;
        let full = score(&terms, &terms);
        assert_eq!(score(&format!("{preamble}\n\n{terms}"), &terms), full - 2.0);
        // A short opening line (a version line) is no preamble; nor is a
        // preamble the copy words its own way, or one that is much of the text.
        let version = "Example Licence Version 2.1, 1 May 2001";
        assert_eq!(score(&format!("{version}\n\n{terms}"), &terms), full - 2.0 * 8.0);
        let reworded = format!("By using this software you agree to these terms.\n\n{terms}");
        assert!(score(&format!("{preamble}\n\n{terms}"), &reworded) < full - 2.0 * 10.0);
        let short = "Use of this software is permitted, provided that this notice is kept.";
        assert!(score(&format!("{preamble}\n\n{short}"), short) < score(short, short) - 2.0 * 10.0);
    }

    #[test]
    fn a_left_out_disclaimer_between_kept_sentences_weighs_as_one_difference() {
        let grant = ["Permission to use, copy, modify and distribute this software for any purpose is granted, \
            provided that this notice appears in all copies."; 3]
            .join(" ");
        let liability = ["In no event shall anybody be liable for any damages arising from its use."; 3].join(" ");
        let score = |reference: &str, file: &str| score(reference, file).score;
        let copy = format!("{grant} {liability}");
        let full = score(&copy, &copy);
        let disclaimer = "Nobody makes representations about suitability. It is provided as is without warranty.";
        assert_eq!(score(&format!("{grant} {disclaimer} {liability}"), &copy), full - 2.0);
        // A left-out condition is a different licence: every word counts.
        let condition = "Advertising materials must display an acknowledgement.";
        assert_eq!(score(&format!("{grant} {condition} {liability}"), &copy), full - 2.0 * 6.0);
    }

    #[test]
    fn licensor_slots_and_titles_do_not_decide_between_variants() {
        let base = "Use is permitted provided that the name of the copyright holder is not used. \
            THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS AS IS. IN NO EVENT SHALL \
            THE COPYRIGHT HOLDERS BE LIABLE FOR ANY DAMAGES.";
        // A licensor's variant: its own name in the slots and two words of
        // its own in the terms.
        let acme = "Use is permitted provided that the name of Acme is not used. THIS SOFTWARE IS PROVIDED \
            BY THE AUTHOR AS IS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR ANY DAMAGES OR LOSSES.";
        let copy = "Use is permitted provided that the name of the author is not used. THIS SOFTWARE IS \
            PROVIDED BY THE AUTHOR AS IS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR ANY DAMAGES.";
        // The variant's "the author" matches the copy word for word, but
        // it is only a filled slot; the variant's own "or losses" is missing.
        assert!(score(base, copy).score > score(acme, copy).score);
        assert_eq!(score(base, copy).containment, 1.0);
        assert!(score(base, copy).precision > 0.99);
        // A copy that keeps the licensor's name is the variant.
        let named = copy.replace("name of the author", "name of Acme").replace("DAMAGES.", "DAMAGES OR LOSSES.");
        assert!(score(acme, &named).score > score(base, &named).score);
        // A title is optional.
        let titled = format!("The Example Licence\n\n{}", [base; 4].join("\n"));
        assert_eq!(score(&titled, &[copy; 4].join("\n")).containment, 1.0);
    }
}
