//! Line numbers of the values in a JSON text, by JSON pointer.
//!
//! serde_json keeps no positions, and findings should name the line a
//! person can jump to. The text is already known to parse, so this scanner
//! only tracks structure; it never fails, it just stops recording where the
//! text ends early.

use std::collections::HashMap;

/// Deeper than serde_json's own recursion limit (128), so every document it
/// accepts is covered while a hostile one cannot overflow the stack.
const MAX_DEPTH: usize = 160;

pub fn json_lines(text: &str) -> HashMap<String, u32> {
    let mut s = Scanner { bytes: text.as_bytes(), pos: 0, line: 1, lines: HashMap::new() };
    let mut ptr = String::new();
    s.value(&mut ptr, 0);
    s.lines
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u32,
    lines: HashMap<String, u32>,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) {
        if self.peek() == Some(b'\n') {
            self.line += 1;
        }
        self.pos += 1;
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.bump();
        }
    }

    fn value(&mut self, ptr: &mut String, depth: usize) {
        self.ws();
        self.lines.insert(ptr.clone(), self.line);
        match self.peek() {
            Some(b'{') if depth < MAX_DEPTH => {
                self.bump();
                loop {
                    self.ws();
                    match self.peek() {
                        Some(b'"') => {}
                        Some(b'}') | None => break,
                        Some(_) => {
                            self.bump();
                            continue;
                        }
                    }
                    let key = self.string();
                    self.ws();
                    if self.peek() == Some(b':') {
                        self.bump();
                    }
                    let len = ptr.len();
                    ptr.push('/');
                    ptr.push_str(&key.replace('~', "~0").replace('/', "~1"));
                    self.value(ptr, depth + 1);
                    ptr.truncate(len);
                    self.ws();
                    if self.peek() == Some(b',') {
                        self.bump();
                    }
                }
                self.bump();
            }
            Some(b'[') if depth < MAX_DEPTH => {
                self.bump();
                let mut index = 0usize;
                loop {
                    self.ws();
                    match self.peek() {
                        Some(b']') | None => break,
                        Some(b',') => {
                            self.bump();
                            continue;
                        }
                        Some(_) => {}
                    }
                    let len = ptr.len();
                    ptr.push('/');
                    ptr.push_str(&index.to_string());
                    self.value(ptr, depth + 1);
                    ptr.truncate(len);
                    index += 1;
                }
                self.bump();
            }
            Some(b'"') => {
                self.string();
            }
            Some(_) => {
                while self.peek().is_some_and(|b| !b",]} \t\r\n".contains(&b)) {
                    self.bump();
                }
            }
            None => {}
        }
    }

    /// A string token, unescaped (keys with escapes are rare but legal).
    fn string(&mut self) -> String {
        let start = self.pos;
        self.bump();
        while let Some(b) = self.peek() {
            match b {
                b'\\' => {
                    self.bump();
                    self.bump();
                }
                b'"' => {
                    self.bump();
                    break;
                }
                _ => self.bump(),
            }
        }
        let raw = std::str::from_utf8(&self.bytes[start..self.pos]).unwrap_or("\"\"");
        serde_json::from_str(raw).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_lines_of_nested_values() {
        let text = "{\n  \"a\": [\n    1,\n    {\"b/c\": \"x\\\"y\"}\n  ],\n  \"d\": true\n}\n";
        let lines = json_lines(text);
        assert_eq!(lines[""], 1);
        assert_eq!(lines["/a"], 2);
        assert_eq!(lines["/a/0"], 3);
        assert_eq!(lines["/a/1"], 4);
        assert_eq!(lines["/a/1/b~1c"], 4);
        assert_eq!(lines["/d"], 6);
    }

    #[test]
    fn truncated_text_does_not_panic() {
        let lines = json_lines("{\"a\": [1, {\"b\": ");
        assert_eq!(lines["/a/0"], 1);
    }
}
