//! The lexical layer shared by go.mod and go.work (both use the grammar of
//! <https://go.dev/ref/mod#go-mod-file-lexical>): `//` comments, bare and quoted
//! tokens, `(`/`)` blocks that repeat their verb on every line, and the
//! punctuation `[ ] , =>`. The result is a flat list of [`Directive`]s.

use sovra_core::{Diagnostic, Location};

/// One directive line; inside a block the block's verb is repeated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub verb: String,
    /// Tokens after the verb, quoted strings unquoted, punctuation as written.
    pub args: Vec<String>,
    /// The trailing `//` comment, trimmed (`indirect` for `// indirect`).
    pub comment: Option<String>,
    /// 1-based line in the file.
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(String),
    Punct(&'static str),
}

impl Tok {
    fn text(self) -> String {
        match self {
            Tok::Word(w) => w,
            Tok::Punct(p) => p.to_string(),
        }
    }
}

/// Split a file into directives. Lines that cannot be tokenised and blocks left
/// open at the end of the file (a truncated file) are reported as `go::syntax`.
pub fn directives(text: &str, path: &str) -> (Vec<Directive>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diags = Vec::new();
    // The verb of the open block and the line it opened on.
    let mut block: Option<(String, u32)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = i as u32 + 1;
        let syntax = |msg: String| Diagnostic::error("go::syntax", Location::new(path, Some(line)), msg);
        let (toks, comment) = match tokenize(raw) {
            Ok(t) => t,
            Err(msg) => {
                diags.push(syntax(msg.to_string()));
                continue;
            }
        };
        let Some(first) = toks.first() else { continue };
        if let Some((verb, _)) = &block {
            if toks == [Tok::Punct(")")] {
                block = None;
            } else if toks.iter().any(|t| matches!(t, Tok::Punct("(" | ")"))) {
                diags.push(syntax(format!("unexpected parenthesis inside a `{verb}` block")));
            } else {
                let args = toks.into_iter().map(Tok::text).collect();
                out.push(Directive { verb: verb.clone(), args, comment, line });
            }
            continue;
        }
        let Tok::Word(verb) = first.clone() else {
            diags.push(syntax(format!("expected a directive, found `{}`", first.clone().text())));
            continue;
        };
        match &toks[1..] {
            [Tok::Punct("(")] => block = Some((verb, line)),
            [Tok::Punct("("), Tok::Punct(")")] => {}
            rest if rest.iter().any(|t| matches!(t, Tok::Punct("(" | ")"))) => {
                diags.push(syntax(format!("misplaced parenthesis in `{verb}` directive")));
            }
            rest => {
                let args = rest.iter().cloned().map(Tok::text).collect();
                out.push(Directive { verb, args, comment, line });
            }
        }
    }
    if let Some((verb, line)) = block {
        diags.push(Diagnostic::error(
            "go::syntax",
            Location::new(path, Some(line)),
            format!("`{verb} (` block is never closed (truncated file?)"),
        ));
    }
    (out, diags)
}

/// Tokens and trailing comment of one line.
fn tokenize(line: &str) -> Result<(Vec<Tok>, Option<String>), &'static str> {
    let mut toks = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start();
        let Some(c) = rest.chars().next() else {
            return Ok((toks, None));
        };
        if let Some(comment) = rest.strip_prefix("//") {
            return Ok((toks, Some(comment.trim().to_string())));
        }
        if let Some(after) = rest.strip_prefix("=>") {
            toks.push(Tok::Punct("=>"));
            rest = after;
            continue;
        }
        let punct = match c {
            '(' => Some("("),
            ')' => Some(")"),
            '[' => Some("["),
            ']' => Some("]"),
            ',' => Some(","),
            _ => None,
        };
        if let Some(p) = punct {
            toks.push(Tok::Punct(p));
            rest = &rest[1..];
            continue;
        }
        let (word, after) = match c {
            '"' => unquote(&rest[1..])?,
            '`' => {
                let end = rest[1..].find('`').ok_or("unterminated raw string")?;
                (rest[1..1 + end].to_string(), &rest[end + 2..])
            }
            _ => {
                let end = rest
                    .char_indices()
                    .find(|&(i, ch)| {
                        ch.is_whitespace()
                            || "()[],\"`".contains(ch)
                            || rest[i..].starts_with("//")
                            || rest[i..].starts_with("=>")
                    })
                    .map_or(rest.len(), |(i, _)| i);
                (rest[..end].to_string(), &rest[end..])
            }
        };
        toks.push(Tok::Word(word));
        rest = after;
    }
}

/// An interpreted Go string body (after the opening quote): the value and the rest of the line.
fn unquote(body: &str) -> Result<(String, &str), &'static str> {
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &body[i + 1..])),
            '\\' => match chars.next().map(|(_, e)| e) {
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                _ => return Err("unsupported escape in quoted string"),
            },
            c => out.push(c),
        }
    }
    Err("unterminated quoted string")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<(String, Vec<String>, Option<String>, u32)> {
        let (d, diags) = directives(text, "go.mod");
        assert!(diags.is_empty(), "{diags:?}");
        d.into_iter().map(|d| (d.verb, d.args, d.comment, d.line)).collect()
    }

    #[test]
    fn blocks_repeat_the_verb_and_keep_comments() {
        let got = args("require (\n\ta v1 // indirect\n\t\"b c\" v2\n)\nreplace x=>y v3\n");
        assert_eq!(got[0], ("require".into(), vec!["a".into(), "v1".into()], Some("indirect".into()), 2));
        assert_eq!(got[1].1, vec!["b c".to_string(), "v2".to_string()]);
        assert_eq!(got[2].1, vec!["x", "=>", "y", "v3"]);
    }

    #[test]
    fn retract_intervals_are_split_into_punctuation() {
        let got = args("retract [v1.0.0, v1.9.9] // broken\n");
        assert_eq!(got[0].1, vec!["[", "v1.0.0", ",", "v1.9.9", "]"]);
        assert_eq!(got[0].2.as_deref(), Some("broken"));
    }

    #[test]
    fn open_block_and_bad_strings_are_reported_with_lines() {
        let (_, d) = directives("module m\nrequire (\n\ta v1\n", "x/go.mod");
        assert_eq!((d[0].code.as_str(), d[0].location.line), ("go::syntax", Some(2)));
        let (_, d) = directives("module \"m\n", "go.mod");
        assert_eq!(d[0].location.line, Some(1));
        let (_, d) = directives("require a v1 )\n", "go.mod");
        assert_eq!(d.len(), 1);
    }
}
