//! Turning a licence file into a stream of normalised words.
//!
//! Both the SPDX reference texts and the scanned files go through the same
//! steps, so that what differs between them is the wording, not the dress:
//! encoding (BOM, UTF-16), line ends, HTML tags and entities, markdown link
//! targets, comment leaders, hyphenation, British spellings, case and the
//! copyright statements that vary from one copy of a licence to the next.

/// One normalised word and where it stood.
#[derive(Clone, Debug)]
pub struct Token {
    pub word: String,
    /// FNV-1a of `word`, the unit of shingling.
    pub hash: u64,
    /// 0-based line of the input the word came from.
    pub line: u32,
    /// Whether a sentence or list punctuation mark (`.;:`) came before it.
    pub after_stop: bool,
    /// Whether a `/` came right before it (`MIT/GPL2`).
    pub after_slash: bool,
    /// Whether it is joined to the word before by a `.` with no space
    /// (`2.1`, `zlib.h`): one dotted name, where "version 3. [7]" is two.
    pub after_point: bool,
    /// Whether it is part of a URL: a URL's words (`github.com/x/mit-scheme`)
    /// are no licence names; the URL as a whole is read by `urls`.
    pub in_url: bool,
}

/// Inputs are cut here: no licence text comes near, and the bound keeps a
/// stray binary or log file from costing seconds.
pub const MAX_INPUT: usize = 1 << 20;

/// Bytes to text: a UTF-8 BOM is dropped, UTF-16 with a BOM is decoded, any
/// other invalid UTF-8 is replaced rather than refused (licence files in the
/// wild are often Latin-1).
pub fn decode(bytes: &[u8]) -> String {
    let bytes = &bytes[..bytes.len().min(MAX_INPUT)];
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    let utf16 = |rest: &[u8], le: bool| {
        let units = rest
            .chunks_exact(2)
            .map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) });
        char::decode_utf16(units).map(|r| r.unwrap_or('\u{FFFD}')).collect()
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, false);
    }
    String::from_utf8_lossy(bytes).into_owned()
}

/// Remove HTML/XML tags and markdown link targets, decode the common entities.
/// Tags are recognised only when `<` is followed by a letter, `/` or `!`, so
/// `a < b` survives; the SPDX texts' `<year>`/`<owner>` placeholders go too,
/// which is what we want: they are the variable part.
fn strip_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // Bytes, not chars: the marks are ASCII, and a byte scan is quicker.
    while let Some(i) = rest.bytes().position(|b| matches!(b, b'<' | b'&' | b']')) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let next = tail[1..].chars().next();
        match tail.as_bytes()[0] {
            // Style sheets and scripts are no text.
            b'<' if ["<style", "<script"]
                .iter()
                .any(|t| tail.get(..t.len()).is_some_and(|h| h.eq_ignore_ascii_case(t))) =>
            {
                let close = if tail[1..].starts_with(['s', 'S']) && tail[2..].starts_with(['t', 'T']) {
                    "</style>"
                } else {
                    "</script>"
                };
                let lower = head(tail, 200_000).to_ascii_lowercase();
                out.push(' ');
                rest = match lower.find(close) {
                    Some(end) => &tail[end + close.len()..],
                    None => &tail[1..],
                };
            }
            b'<' if next.is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!') => {
                match head(tail, 2000).find('>') {
                    Some(end) => {
                        out.push(' ');
                        rest = &tail[end + 1..];
                    }
                    None => {
                        out.push('<');
                        rest = &tail[1..];
                    }
                }
            }
            b'&' => {
                let end = head(tail, 10).find(';');
                let decoded = end.and_then(|e| entity(&tail[1..e]));
                match (end, decoded) {
                    (Some(e), Some(c)) => {
                        out.push(c);
                        rest = &tail[e + 1..];
                    }
                    _ => {
                        out.push('&');
                        rest = &tail[1..];
                    }
                }
            }
            b']' if tail[1..].starts_with('(') => {
                // A markdown link: keep the label, drop the target.
                out.push(' ');
                rest = match tail.find(')') {
                    Some(end) if !tail[..end].contains('\n') => &tail[end + 1..],
                    _ => &tail[1..],
                };
            }
            _ => {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// At most `max` bytes of `s`, cut back to a character boundary (a byte
/// count alone would split a multi-byte character and panic).
fn head(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "copy" => '©',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)?
        }
    })
}

/// Spelling variants folded to one form (British to American, old forms).
fn canonical_word(w: &str) -> &str {
    match w {
        "licence" => "license",
        "licences" => "licenses",
        "licenced" => "licensed",
        "licencing" => "licensing",
        "organisation" => "organization",
        "organisations" => "organizations",
        "authorised" => "authorized",
        "recognised" => "recognized",
        "favour" => "favor",
        "behaviour" => "behavior",
        "whilst" => "while",
        _ => w,
    }
}

/// FNV-1a: fast, stable across runs and platforms (the index is rebuilt each
/// run, but stable hashes keep results reproducible).
pub fn hash_word(w: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in w.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Words that may follow `copyright` at the start of a line without making
/// the line a copyright statement (they are licence prose).
const COPYRIGHT_PROSE: &[&str] = &[
    "notice",
    "notices",
    "holder",
    "holders",
    "owner",
    "owners",
    "and",
    "law",
    "laws",
    "statement",
    "statements",
    "license",
    "licenses",
    "is",
    "to",
    "of",
    "in",
    "or",
    "interest",
    "protection",
    "disclaimer",
    "the",
    "this",
];

/// Tokenise a text (already decoded).
pub fn tokenize(text: &str) -> Vec<Token> {
    let clean = strip_markup(text);
    let lines: Vec<&str> = clean.lines().collect();
    let numbers: Vec<Option<u64>> = lines.iter().map(|l| listing_number(l).map(|(n, _)| n)).collect();
    let mut tokens = Vec::new();
    let mut hyphenated = false;
    for (i, line) in lines.iter().enumerate() {
        let line_no = u32::try_from(i).unwrap_or(u32::MAX);
        // A listing (source with line numbers, a doxygen page) numbers its
        // lines one after the other; a lone number opening a line is text.
        let numbered = numbers[i].is_some_and(|n| {
            (i > 0 && n.checked_sub(1).is_some_and(|p| numbers[i - 1] == Some(p)))
                || numbers.get(i + 1).is_some_and(|next| *next == Some(n + 1))
        });
        let line = match listing_number(line) {
            Some((_, rest)) if numbered => rest,
            _ => line,
        };
        let start = tokens.len();
        words_of(line, line_no, &mut tokens);
        let joined = std::mem::replace(&mut hyphenated, ends_hyphenated(line)) && join_hyphenated(&mut tokens, start);
        // A line that goes on with a broken word is no copyright statement.
        if !joined && is_copyright_statement(&tokens[start..], line) {
            // The statement ends at its first full stop; a licence named
            // after it on the same line ("(c) 2014 X. Licensed under ...") stays.
            let keep = tokens[start..].iter().position(|t| t.after_stop).map(|k| start + k);
            match keep {
                Some(k) => {
                    tokens.drain(start..k);
                }
                None => tokens.truncate(start),
            }
        }
    }
    drop_all_rights_reserved(&mut tokens);
    tokens
}

/// A line's leading number as a listing prints it (`00012  text`,
/// `12: text`, `12| text`), with the rest of the line. `1.` or `(a)` are
/// section numbers, not this.
fn listing_number(line: &str) -> Option<(u64, &str)> {
    let body = line.trim_start();
    let digits = body.find(|c: char| !c.is_ascii_digit()).unwrap_or(body.len());
    if digits == 0 || digits > 9 {
        return None;
    }
    let rest = &body[digits..];
    if !rest.is_empty() && !rest.starts_with(|c: char| c.is_whitespace() || c == ':' || c == '|') {
        return None;
    }
    Some((body[..digits].parse().ok()?, rest))
}

/// Whether a line ends in a word broken by a hyphen (`Soft-`).
fn ends_hyphenated(line: &str) -> bool {
    let mut tail = line.trim_end().chars().rev();
    tail.next() == Some('-') && tail.next().is_some_and(char::is_alphabetic)
}

/// A word broken at a line end (`Soft-` / `ware`) is one word, as it is
/// when a hyphen joins two words within a line (`non-infringement` =
/// `noninfringement`); the line's first word is joined to the last word
/// kept from the line before, if that line's end survived (a dropped
/// copyright statement does not). Whether it joined.
fn join_hyphenated(tokens: &mut Vec<Token>, start: usize) -> bool {
    let Some(first) = tokens.get(start) else { return false };
    if start == 0
        || !first.word.starts_with(char::is_alphabetic)
        || tokens[start - 1].line.checked_add(1) != Some(first.line)
    {
        return false;
    }
    let first = tokens.remove(start);
    let prev = tokens.remove(start - 1);
    let mut joined = Vec::new();
    push_word(&(prev.word + &first.word), prev.line, prev.after_stop, prev.after_slash, &mut joined);
    joined.iter_mut().for_each(|t| t.in_url = prev.in_url);
    if let Some(t) = joined.first_mut() {
        t.after_point = prev.after_point;
    }
    tokens.splice(start - 1..start - 1, joined);
    true
}

fn is_copyright_statement(words: &[Token], line: &str) -> bool {
    let trimmed = line.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '©');
    if trimmed.starts_with('©') {
        return true;
    }
    match words {
        [first, second, ..] if first.word == "copyright" => !COPYRIGHT_PROSE.contains(&second.word.as_str()),
        [first] => first.word == "copyright",
        [first, ..] if first.word == "c" => trimmed.starts_with("(c)") || trimmed.starts_with("(C)"),
        _ => false,
    }
}

fn drop_all_rights_reserved(tokens: &mut Vec<Token>) {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    for t in tokens.drain(..) {
        if t.word == "reserved"
            && out.len() >= 2
            && out[out.len() - 1].word == "rights"
            && out[out.len() - 2].word == "all"
        {
            out.truncate(out.len() - 2);
            continue;
        }
        out.push(t);
    }
    *tokens = out;
}

/// Split a line into words. A hyphen between two letters joins them
/// (`non-infringement` = `noninfringement`; across a line end see
/// [`join_hyphenated`]); a `+` right after a word is kept as a word
/// (`GPLv2+`); compact family-version forms (`gplv2`, `lgpl2`) are split.
fn words_of(line: &str, line_no: u32, out: &mut Vec<Token>) {
    let chars: Vec<char> = line.chars().collect();
    let in_url = url_mask(line, &chars);
    let mut i = 0;
    let mut after_stop = false;
    let mut after_slash = false;
    let mut word = String::new();
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() {
            let url = in_url[i];
            let point = i >= 2 && chars[i - 1] == '.' && chars[i - 2].is_alphanumeric();
            word.clear();
            while i < chars.len() {
                let c = chars[i];
                if c.is_ascii() {
                    // The common case, without the Unicode case tables.
                    if c.is_ascii_alphanumeric() {
                        word.push(c.to_ascii_lowercase());
                        i += 1;
                        continue;
                    }
                } else if c.is_alphanumeric() {
                    word.extend(c.to_lowercase());
                    i += 1;
                    continue;
                }
                if c == '-'
                    && i + 1 < chars.len()
                    && chars[i + 1].is_alphabetic()
                    && i > 0
                    && chars[i - 1].is_alphabetic()
                {
                    i += 1;
                } else {
                    break;
                }
            }
            let first = out.len();
            push_word(&word, line_no, after_stop, after_slash, out);
            out[first..].iter_mut().for_each(|t| t.in_url = url);
            if let Some(t) = out.get_mut(first) {
                t.after_point = point;
            }
            after_stop = false;
            after_slash = false;
            if i < chars.len() && chars[i] == '+' && chars.get(i + 1).is_none_or(|c| !c.is_alphanumeric()) {
                push_word("+", line_no, false, false, out);
                i += 1;
            }
        } else {
            if matches!(c, '.' | ';' | ':' | '!' | '?') {
                after_stop = true;
            }
            after_slash = c == '/';
            i += 1;
        }
    }
}

/// Which characters of a line belong to a URL (`http://`, `https://`,
/// `www.` up to the next space, quote or bracket).
fn url_mask(line: &str, chars: &[char]) -> Vec<bool> {
    let mut mask = vec![false; chars.len()];
    // Most lines have no URL: a byte search says so without the scan.
    let www = line.match_indices('.').any(|(k, _)| k >= 3 && line.as_bytes()[k - 3..k].eq_ignore_ascii_case(b"www"));
    if !www && !line.contains("://") {
        return mask;
    }
    let starts_at = |i: usize, p: &str| {
        p.chars().enumerate().all(|(k, c)| chars.get(i + k).is_some_and(|x| x.eq_ignore_ascii_case(&c)))
    };
    let mut i = 0;
    while i < chars.len() {
        let may_start = matches!(chars[i], 'h' | 'H' | 'w' | 'W') && (i == 0 || !chars[i - 1].is_alphanumeric());
        if may_start && (starts_at(i, "http://") || starts_at(i, "https://") || starts_at(i, "www.")) {
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !matches!(chars[i], '"' | '\'' | '<' | '>' | ')' | ']' | '`')
            {
                mask[i] = true;
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    mask
}

fn push_word(word: &str, line: u32, after_stop: bool, after_slash: bool, out: &mut Vec<Token>) {
    let mut push = |w: &str, stop: bool, slash: bool| {
        let w = canonical_word(w);
        out.push(Token {
            word: w.to_string(),
            hash: hash_word(w),
            line,
            after_stop: stop,
            after_slash: slash,
            after_point: false,
            in_url: false,
        });
    };
    if let Some((family, version)) = split_compact(word) {
        push(family, after_stop, after_slash);
        push(version, false, false);
    } else {
        push(word, after_stop, after_slash);
    }
}

/// `gplv2` -> (`gpl`, `2`), `lgpl21`? no: only one digit, the common form.
fn split_compact(word: &str) -> Option<(&str, &str)> {
    const FAMILIES: &[&str] = &["gpl", "lgpl", "agpl", "mpl", "epl", "cddl", "afl", "asl", "apl"];
    let digits_at = word.find(|c: char| c.is_ascii_digit())?;
    let (head, version) = word.split_at(digits_at);
    if !version.bytes().all(|b| b.is_ascii_digit()) || version.len() > 1 {
        return None;
    }
    let family = head.strip_suffix('v').unwrap_or(head);
    FAMILIES.contains(&family).then_some((family, version))
}

/// The places where a licence names its licensor rather than stating a
/// term: "provided by <holder> as is", "in no event shall <holder> be
/// liable", "neither the name of <holder> nor", "developed by <holder>.",
/// "<holder> disclaims". The SPDX templates make these variables, so that
/// the BSD text of "the author" is the BSD text of "the copyright holders
/// and contributors", and HP's or the Regents' own copies differ from the
/// generic one only in them. Each rule: the words that open a slot and the
/// words (any one of them; two words as a phrase) that close it; no closer
/// means the sentence ends it.
const SLOT_RULES: &[(&[&str], &[&str])] = &[
    (&["provided", "by"], &["as is"]),
    (&["no", "event", "shall"], &["be liable"]),
    (&["developed", "by"], &[]),
    (&["permission", "of"], &[]),
    (&["name", "of"], &["nor", "may", "must", "not", "shall"]),
    (&["names", "of"], &["nor", "may", "must", "not", "shall"]),
    (&["names"], &["must", "may"]),
    (&["called"], &["nor"]),
    (&["nor", "may"], &["appear"]),
    (&["behalf", "of"], &[]),
    (&["information", "on"], &["please"]),
    // A contact address is the licensor's, not a term; its dots are no
    // stops, it runs to the end of its line.
    (&["please", "contact"], &[LINE_END]),
];
/// The closer of a slot that ends with its line.
const LINE_END: &str = "\n";
/// What a sentence starting with the licensor's name goes on with.
const SLOT_BEFORE: &[&str] = &["disclaims all", "disclaim all", "makes no", "make no"];
/// A name longer than this is no name but prose.
const MAX_SLOT: usize = 10;

/// Which tokens stand in a licensor slot (see [`SLOT_RULES`]).
pub fn holder_slots(tokens: &[Token]) -> Vec<bool> {
    let mut slot = vec![false; tokens.len()];
    let is = |i: usize, w: &str| tokens.get(i).is_some_and(|t| t.word == w);
    let phrase = |i: usize, p: &str| p.split(' ').enumerate().all(|(k, w)| is(i + k, w));
    let mut i = 0;
    while i < tokens.len() {
        let rule = SLOT_RULES.iter().find(|(open, _)| open.iter().enumerate().all(|(k, w)| is(i + k, w)));
        let Some(&(open, close)) = rule else {
            i += 1;
            continue;
        };
        let from = i + open.len();
        let end = (from..(from + MAX_SLOT + 1).min(tokens.len() + 1)).find(|&j| {
            if close == [LINE_END] {
                j == tokens.len() || (j > from && tokens[j].line > tokens[from].line)
            } else if close.is_empty() {
                // A blank line ends the sentence too: a stop at a line's
                // end marks no token.
                j == tokens.len()
                    || (j > from && (tokens[j].after_stop || tokens[j].line > tokens[j - 1].line + 1))
                    || tokens[j].in_url
            } else {
                close.iter().any(|c| phrase(j, c))
            }
        });
        match end {
            // "shall not be liable" is a term, not a name.
            Some(end) if end > from && !(from..end).any(|j| is(j, "not")) => {
                // The licensor's web address after its name is the licensor's too.
                let end = end + tokens[end..].iter().take_while(|t| t.in_url).count();
                slot[from..end].iter_mut().for_each(|s| *s = true);
                i = end;
            }
            _ => i = from,
        }
    }
    for i in 0..tokens.len() {
        if slot[i] || !SLOT_BEFORE.iter().any(|p| phrase(i, p)) {
            continue;
        }
        let start = (i.saturating_sub(MAX_SLOT)..i).rev().find(|&k| k == 0 || tokens[k].after_stop);
        if let Some(start) = start.filter(|&s| s < i) {
            slot[start..i].iter_mut().for_each(|s| *s = true);
        }
    }
    slot
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        tokenize(s).into_iter().map(|t| t.word).collect()
    }

    #[test]
    fn markup_spelling_and_copyright_lines_are_normalised_away() {
        assert_eq!(
            words("<p>Copyright (c) 2020 Jane</p>\r\n<b>Licence</b> &amp; non-infringement. All rights reserved"),
            ["license", "noninfringement"]
        );
        assert_eq!(words("The above copyright notice"), ["the", "above", "copyright", "notice"]);
        assert_eq!(words("<STYLE>p { margin: 0 }</style><p>MIT</p><script>var x;</script>"), ["mit"]);
        assert_eq!(words("[MIT](https://x.org/mit) GPLv2+"), ["mit", "gpl", "2", "+"]);
    }

    #[test]
    fn markup_cut_inside_a_multibyte_character_does_not_panic() {
        // An entity or tag scan window ending inside a character (seen in a
        // binary file decoded lossily).
        assert_eq!(words("&abcdefgh\u{e9} MIT").last().map(String::as_str), Some("mit"));
        assert_eq!(words(&format!("<a{}", "\u{e9}".repeat(1500))).len(), 1);
        assert_eq!(words(&format!("<style{}", "\u{e9}".repeat(150_000))).len(), 1);
    }

    #[test]
    fn licensor_slots() {
        let slots = |s: &str| -> Vec<String> {
            let tokens = tokenize(s);
            holder_slots(&tokens).into_iter().zip(tokens).filter(|(s, _)| *s).map(|(_, t)| t.word).collect()
        };
        assert_eq!(slots("provided by the Example Project \"as is\" and"), ["the", "example", "project"]);
        assert_eq!(
            slots("In no event shall Jane Roe be liable. Jane Roe disclaims all warranties."),
            ["jane", "roe", "jane", "roe"]
        );
        assert_eq!(
            slots("Neither the name of Acme nor the names of its contributors may be used"),
            ["acme", "its", "contributors"]
        );
        assert_eq!(slots("This product includes software developed by Acme Labs. Next"), ["acme", "labs"]);
        // A stop at a line's end marks no token: a blank line ends the slot.
        assert_eq!(slots("written permission of Acme Labs.\n\n5. Products"), ["acme", "labs"]);
        // A contact address has dots but runs to its line's end; a web
        // address after a name is the licensor's too.
        assert_eq!(slots("please contact info@acme.example.org.\nNext"), ["info", "acme", "example", "org"]);
        assert_eq!(slots("developed by Acme (http://acme.example/). Next"), ["acme", "http", "acme", "example"]);
        // Terms, not names.
        assert!(slots("In no event shall the author not be liable; provided by law as required").is_empty());
    }

    #[test]
    fn words_broken_at_line_ends_and_listing_numbers() {
        assert_eq!(
            words("the Free Soft-\n * ware Foundation; non-\n infringement"),
            ["the", "free", "software", "foundation", "noninfringement"]
        );
        // A dash ending a line is no broken word; nor is a number after one.
        assert_eq!(words("see below --\nMIT; BSD-\n3 terms"), ["see", "below", "mit", "bsd", "3", "terms"]);
        assert_eq!(words("00041  under the\n00042  GNU GPL\n00043\n"), ["under", "the", "gnu", "gpl"]);
        // Section numbers and a lone leading number stay.
        assert_eq!(words("1. Grant\n2. Terms"), ["1", "grant", "2", "terms"]);
        assert_eq!(words("version\n2 of the License"), ["version", "2", "of", "the", "license"]);
    }

    #[test]
    fn encodings() {
        assert_eq!(decode(b"\xEF\xBB\xBFMIT"), "MIT");
        assert_eq!(decode(b"\xFF\xFEM\0I\0T\0"), "MIT");
        assert_eq!(decode(b"Caf\xE9"), "Caf\u{FFFD}");
    }
}
