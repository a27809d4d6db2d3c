//! Line numbers for JSON members, for plug-ins whose formats are JSON.
//!
//! `serde_json` gives values without positions (and without key order unless a
//! workspace-wide feature is switched on), so entries are located afterwards by
//! searching the text for the member that introduced them. Searches move
//! forward from a given offset, which keeps them linear over a whole lockfile.

/// Byte offset of the first member `"key": <value>` at or after `from` whose
/// value text starts with `value_prefix` (after optional whitespace).
pub fn find_member(text: &str, from: usize, key: &str, value_prefix: &str) -> Option<usize> {
    let needle = format!("\"{key}\"");
    let mut pos = from.min(text.len());
    while let Some(found) = text.get(pos..)?.find(&needle) {
        let start = pos + found;
        let rest = text[start + needle.len()..].trim_start();
        if let Some(value) = rest.strip_prefix(':')
            && value.trim_start().starts_with(value_prefix)
        {
            return Some(start);
        }
        pos = start + needle.len();
    }
    None
}

/// The JSON text of a string value as writers emit it (serde_json's escaping;
/// `/` is not escaped, as npm, Composer and NuGet write it).
pub fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_member_with_any_spacing_after_offset() {
        let text = "{\"name\":\"a\",\n \"x\": {\"name\" :  \"b/c\"}}";
        assert_eq!(find_member(text, 0, "name", "\"b/c\""), Some(20));
        assert_eq!(find_member(text, 21, "name", "\"b/c\""), None);
        assert_eq!(find_member(text, 0, "name", "\"a\""), Some(1));
    }
}
