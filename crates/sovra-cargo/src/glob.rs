//! The small part of glob syntax that `[workspace] members` uses: `*` and `?`
//! within one path segment, `**` across segments, `[abc]`/`[a-z]`/`[!a]` classes.

/// Whether the `/`-separated `path` matches `pattern` (both relative, no `.` segments).
pub fn matches(pattern: &str, path: &str) -> bool {
    let pat: Vec<&str> = segments(pattern);
    let segs: Vec<&str> = segments(path);
    match_segments(&pat, &segs)
}

fn segments(s: &str) -> Vec<&str> {
    s.split('/').filter(|p| !p.is_empty() && *p != ".").collect()
}

/// Iterative over `**` would need backtracking state; recursion depth is bounded
/// by the number of pattern segments, which a member pattern keeps small.
fn match_segments(pat: &[&str], segs: &[&str]) -> bool {
    match pat.split_first() {
        None => segs.is_empty(),
        Some((&"**", rest)) => (0..=segs.len()).any(|skip| match_segments(rest, &segs[skip..])),
        Some((p, rest)) => match segs.split_first() {
            Some((s, srest)) => match_segment(p.as_bytes(), s.as_bytes()) && match_segments(rest, srest),
            None => false,
        },
    }
}

/// One segment, with the classic two-pointer backtracking for `*` (linear in practice).
fn match_segment(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() {
            match p[pi] {
                b'*' => {
                    star = Some((pi, si));
                    pi += 1;
                    continue;
                }
                b'?' => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                b'[' => {
                    if let Some((hit, len)) = class(&p[pi..], s[si]) {
                        if hit {
                            pi += len;
                            si += 1;
                            continue;
                        }
                    } else if s[si] == b'[' {
                        pi += 1;
                        si += 1;
                        continue;
                    }
                }
                c if c == s[si] => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, ss)) => {
                pi = sp + 1;
                si = ss + 1;
                star = Some((sp, ss + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// A `[...]` class at the start of `p`: whether `c` is in it and the class's length.
/// `None` when the bracket is not closed (then it is a literal `[`).
fn class(p: &[u8], c: u8) -> Option<(bool, usize)> {
    let close = p.iter().skip(2).position(|&b| b == b']')? + 2;
    let body = &p[1..close];
    let (negate, body) = match body.first() {
        Some(b'!') => (true, &body[1..]),
        _ => (false, body),
    };
    let mut hit = false;
    let mut i = 0;
    while i < body.len() {
        if i + 2 < body.len() && body[i + 1] == b'-' {
            hit |= (body[i]..=body[i + 2]).contains(&c);
            i += 3;
        } else {
            hit |= body[i] == c;
            i += 1;
        }
    }
    Some((hit != negate, close + 1))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn member_patterns() {
        assert!(matches("crates/*", "crates/uv-cli"));
        assert!(!matches("crates/*", "crates/a/b"));
        assert!(!matches("crates/*", "crates"));
        assert!(matches("./crates/uv-*/", "crates/uv-cli"));
        assert!(matches("crates/**", "crates/a/b"));
        assert!(matches("**/x", "a/b/x"));
        assert!(matches("c?t", "cat"));
        assert!(matches("v[0-9]", "v7"));
        assert!(!matches("v[!0-9]", "v7"));
        assert!(matches("a*b*c", "axxbyyc"));
        assert!(!matches("a*b*c", "axxbyy"));
        assert!(matches("lit[", "lit["));
        assert!(matches("fuzz", "fuzz"));
        assert!(matches(".", ""));
    }
}
