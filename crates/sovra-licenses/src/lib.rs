/*!
Licence-text detection: what licence a file (a `LICENSE`, `COPYING`, a
notice, a source header) grants, as an SPDX expression with a confidence.

The principal types:

* [`Detector`] holds the reference data, built once (about a second; share
  it, it is `Sync`): the shingle index over every licence and exception text
  of the SPDX list (`engine`) and the phrase table of licence names and
  families (`notice`).
* [`Detector::detect`] turns a file's bytes into a [`Detection`]
  (`assemble`): it tokenises the text (`text`), finds the full licence
  texts in it (several texts make an `AND`), then reads what the full texts
  do not explain for references (`SPDX-License-Identifier:` tags, licence
  URLs read by rule in `urls`, names with versions and "or later" clauses,
  choice wording that makes an `OR` between neighbours, exceptions that
  make a `WITH` on the licence they belong to).
* A file that is only a project's URL gives `NOASSERTION` with
  [`Method::UrlOnly`]: what the page says cannot be known offline.
* A full text that was edited (a close but not exact match) gives
  `NOASSERTION` with the closest licence named; a file with only a copyright
  statement gives `NONE`.
*/

mod assemble;
pub mod conclude;
mod engine;
mod notice;
mod text;
mod urls;

use engine::Index;
use notice::Phrases;

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
    /// Only a URL that names no licence text (a project's own `LICENSE`
    /// on GitHub): what it grants cannot be known offline; `matched` says
    /// "licence is referenced by URL only: <url>".
    UrlOnly,
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

impl Detector {
    pub fn new() -> Detector {
        let phrases = Phrases::build();
        let mut index = Index::build();
        index.count_own_or_later(|tokens, id| assemble::or_later_mentions(&phrases, tokens, id));
        Detector { index, phrases }
    }

    /// Detect the licence of a file's content (see `assemble`).
    pub fn detect(&self, bytes: &[u8]) -> Detection {
        assemble::detect(self, bytes)
    }
}
