//! Accuracy on the shared licence corpus (`licenses/expected.tsv`); skips
//! when the corpus is absent. Prints the accuracy and every miss.

use std::collections::BTreeSet;

use sovra_licenses::Detector;

/// An expression as a tree with sorted, de-duplicated, flattened children, so
/// that `A AND B` equals `B AND A` and deprecated ids equal their `-only` form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    Leaf(String),
    And(BTreeSet<Node>),
    Or(BTreeSet<Node>),
}

fn tree(expression: &str) -> Option<Node> {
    let e = sovra_core::license::normalize(expression).expression;
    if e == "NONE" || e == "NOASSERTION" {
        return Some(Node::Leaf(e));
    }
    let parsed = spdx::Expression::parse(&e).ok()?;
    let mut stack: Vec<Node> = Vec::new();
    for node in parsed.iter() {
        match node {
            spdx::expression::ExprNode::Req(r) => stack.push(Node::Leaf(r.req.to_string())),
            spdx::expression::ExprNode::Op(op) => {
                let (b, a) = (stack.pop()?, stack.pop()?);
                let and = matches!(op, spdx::expression::Operator::And);
                let mut set = BTreeSet::new();
                for n in [a, b] {
                    match (n, and) {
                        (Node::And(s), true) | (Node::Or(s), false) => set.extend(s),
                        (n, _) => {
                            set.insert(n);
                        }
                    }
                }
                stack.push(if set.len() == 1 {
                    set.pop_first()?
                } else if and {
                    Node::And(set)
                } else {
                    Node::Or(set)
                });
            }
        }
    }
    stack.pop()
}

#[test]
fn equivalence_used_by_the_corpus_check() {
    assert_eq!(tree("GPL-2.0"), tree("GPL-2.0-only"));
    assert_eq!(tree("MIT AND BSD-3-Clause AND MIT"), tree("BSD-3-Clause AND MIT"));
    assert_ne!(tree("MIT OR BSD-3-Clause"), tree("MIT AND BSD-3-Clause"));
    assert_ne!(tree("GPL-2.0-only"), tree("GPL-2.0-or-later"));
}

/// Whether a file is nothing but one URL (ScanCode's `nuget_test_url_*`
/// cases: a NuGet `licenseUrl` pointing into a project's repository).
/// Their label is what the page behind the URL says, which cannot be known
/// offline; Sovra answers NOASSERTION ("licence is referenced by URL only")
/// unless the URL is a licence text's own (opensource.org, gnu.org ...) or
/// names a file after its licence (`LICENSE-MIT`); `--online` reads the page.
fn url_only(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let t = text.trim();
    !t.contains(char::is_whitespace) && (t.starts_with("http://") || t.starts_with("https://"))
}

// Labels Sovra deliberately does not follow (they stay misses here; see
// docs/license-detection.md):
// - licensee answers `other` (NOASSERTION) for any text outside the
//   choosealicense.com set, so its fixtures `cc-by-nc-sa` and `cc-by-nd` (the
//   unmodified CC-BY-NC-SA-4.0 / CC-BY-ND-4.0 texts) and
//   `pixar-modified-apache` (the unmodified SPDX `Pixar` text) are labelled
//   NOASSERTION. That label means "not one of licensee's licences", not
//   "unknown"; hiding a non-commercial or no-derivatives restriction behind
//   NOASSERTION would be worse for Sovra's users. Modified texts
//   (`fcpl-modified-mpl`, `wrk-modified-apache`) do give NOASSERTION.
// - ScanCode's `bsd-new` covers Theodore Ts'o's variant, which SPDX lists as
//   `BSD-3-Clause-Tso` (`bsd-new_and_gpl_2`); its `freebsd-doc` covers the
//   generic "as the first lines of this file unmodified" text without the
//   FreeBSD documentation's SGML/compiled-forms wording, which SPDX lists as
//   `BSD-2-Clause-first-lines` (`freebsd-doc_4`, `freebsd-doc_5`).
// - Versions only project knowledge could give: "the GPL" is GPL-1.0-or-later
//   (`gpl_and_mit`), an unversioned "MPL" is no licence
//   (`bsd-new_and_lgpl_and_mpl-1.1`).
// - "the same terms as perl itself" is Artistic-1.0-Perl OR GPL-1.0-or-later,
//   not the Artistic-2.0 of the label (`artistic-2.0.txt`).

/// `SOVRA_LICENSE_TSV=path/expected.tsv` measures another labelled set in
/// the same format (paths relative to the file's directory) instead, without
/// the floor: how a wider sample of the same sources is evaluated.
#[test]
fn corpus_accuracy() {
    let other = std::env::var_os("SOVRA_LICENSE_TSV").map(std::path::PathBuf::from);
    let dir = match &other {
        Some(tsv) => tsv.parent().map(std::path::Path::to_path_buf).unwrap_or_default(),
        None => {
            let Some(corpus) = sovra_core::testing::corpus_dir() else { return };
            corpus.join("licenses")
        }
    };
    let Ok(tsv) = std::fs::read_to_string(other.clone().unwrap_or_else(|| dir.join("expected.tsv"))) else {
        eprintln!("notice: no licenses/expected.tsv; skipping");
        return;
    };
    let detector = Detector::new();
    let (mut total, mut right, mut urls, mut urls_right) = (0usize, 0usize, 0usize, 0usize);
    let mut misses = Vec::new();
    for line in tsv.lines().filter(|l| !l.trim().is_empty()) {
        let Some((path, want)) = line.split_once('\t') else { continue };
        let bytes = std::fs::read(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        let got = detector.detect(&bytes);
        let url = url_only(&bytes);
        total += 1;
        urls += usize::from(url);
        if tree(&got.expression).is_some() && tree(&got.expression) == tree(want) {
            right += 1;
            urls_right += usize::from(url);
        } else {
            misses.push(format!(
                "  {path}\n      want {want}\n      got  {} ({:.2}, {:?} {:?})",
                got.expression, got.confidence, got.method, got.matched
            ));
        }
    }
    let accuracy = right as f64 / total as f64;
    let (rest, rest_right) = (total - urls, right - urls_right);
    println!("licence corpus: {right}/{total} = {:.1} %", accuracy * 100.0);
    println!(
        "  without the {urls} URL-only files: {rest_right}/{rest} = {:.1} %",
        rest_right as f64 / rest.max(1) as f64 * 100.0
    );
    for m in &misses {
        println!("{m}");
    }
    if other.is_some() {
        return;
    }
    assert!(total > 100, "expected.tsv has only {total} rows");
    // The bar is 97 %; this floor guards against regressions (78.2 % at the
    // last change, 91.6 % without the URL-only files; 26 of those 31 name a
    // project's own licence file and cannot be right offline).
    assert!(accuracy >= 0.77, "accuracy {:.1} % fell below the floor", accuracy * 100.0);
}
