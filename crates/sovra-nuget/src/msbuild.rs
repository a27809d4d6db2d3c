//! Just enough MSBuild evaluation to read package references.
//!
//! MSBuild is a programming language; Sovra does not run it. The evaluator
//! knows properties (`$(Name)`, set in file order, undefined ones empty as in
//! MSBuild), the simple conditions people write around them
//! (`'$(X)' == ''`, `and`, `or`), item `Include`/`Update`/`Remove`, and
//! `Choose`/`When`. Anything else (property functions, `Exists()`, targets)
//! is "unknown": a property under an unknown condition is not set (it usually
//! overrides a default for a special build), while an item under one is kept
//! (listing a package that might not be used beats missing one that is).

use std::collections::BTreeMap;

use crate::xml::Element;

/// Properties by lower-cased name (MSBuild names are case-insensitive).
#[derive(Clone, Debug, Default)]
pub struct Properties(BTreeMap<String, String>);

impl Properties {
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.0.insert(name.to_ascii_lowercase(), value.into());
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(&name.to_ascii_lowercase()).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// Whether a property is `true` (case-insensitively).
    pub fn is_true(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    /// Replace `$(Name)` by the property's value (empty when undefined).
    /// Property functions (`$(X.Replace(...))`, `$([MSBuild]::...)`) are left as written.
    pub fn expand(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(start) = rest.find("$(") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(len) = closing_paren(after) else {
                out.push_str(&rest[start..]);
                return out;
            };
            let inner = &after[..len];
            if is_identifier(inner) {
                out.push_str(self.0.get(&inner.to_ascii_lowercase()).map_or("", String::as_str));
            } else {
                out.push_str(&rest[start..start + 2 + len + 1]);
            }
            rest = &after[len + 1..];
        }
        out.push_str(rest);
        out
    }

    /// Evaluate a condition: `Some(result)` when it only uses what the
    /// evaluator knows, `None` otherwise.
    pub fn condition(&self, cond: &str) -> Option<bool> {
        let cond = strip_parens(cond.trim());
        if cond.is_empty() {
            return Some(true);
        }
        // `or` binds weaker than `and`; an unknown part decides nothing unless
        // another part settles it (`true or ?`, `false and ?`).
        for (keyword, settles) in [("or", true), ("and", false)] {
            let parts = split_top(cond, keyword);
            if parts.len() > 1 {
                let results: Vec<Option<bool>> = parts.iter().map(|c| self.condition(c)).collect();
                return if results.contains(&Some(settles)) {
                    Some(settles)
                } else if results.iter().all(|r| *r == Some(!settles)) {
                    Some(!settles)
                } else {
                    None
                };
            }
        }
        for (op, equal) in [("==", true), ("!=", false)] {
            if let Some((l, r)) = cond.split_once(op) {
                let l = self.operand(l)?;
                let r = self.operand(r)?;
                return Some(l.eq_ignore_ascii_case(&r) == equal);
            }
        }
        if let Some(neg) = cond.strip_prefix('!') {
            return self.condition(neg).map(|b| !b);
        }
        match self.operand(cond)?.to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    fn operand(&self, s: &str) -> Option<String> {
        let s = s.trim();
        let s = s.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')).unwrap_or(s);
        let lower = s.to_ascii_lowercase();
        let varies = BUILD_VARYING.iter().any(|v| lower.contains(&format!("$({v})")) && self.get(v).is_none());
        if varies {
            return None;
        }
        let v = self.expand(s);
        // Whatever is still unexpanded (a property function) is unknown.
        (!v.contains("$(") && !v.contains("@(") && !v.contains("%(")).then(|| v.trim().to_string())
    }
}

/// Properties set per build (by the command line, the environment or the
/// inner per-framework build), lower-cased. Undefined here, they do not mean
/// "empty": a condition on them is unknown, so that a reference for one
/// target framework or configuration is kept rather than dropped.
const BUILD_VARYING: [&str; 9] = [
    "configuration",
    "platform",
    "os",
    "targetframework",
    "targetframeworkidentifier",
    "targetframeworkversion",
    "runtimeidentifier",
    "ci",
    "defineconstants",
];

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Length up to the `)` that closes an already opened parenthesis.
fn closing_paren(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(i),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn strip_parens(mut s: &str) -> &str {
    // Only a pair that encloses everything: `(a) and (b)` stays as it is.
    while s.starts_with('(') && closing_paren(&s[1..]) == Some(s.len() - 2) {
        s = s[1..s.len() - 1].trim();
    }
    s
}

/// Split on a keyword (`and`/`or`) outside quotes and parentheses.
fn split_top<'a>(s: &'a str, keyword: &str) -> Vec<&'a str> {
    let bytes = s.as_bytes();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0usize);
    let mut parts = Vec::new();
    let k = keyword.len();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth -= 1,
            b' ' | b'\t' | b'\n' | b'\r' if !quoted && depth == 0 => {
                let word_end = i + 1 + k;
                if word_end < bytes.len()
                    && s[i + 1..word_end].eq_ignore_ascii_case(keyword)
                    && bytes[word_end].is_ascii_whitespace()
                {
                    parts.push(&s[start..i]);
                    start = word_end;
                    i = word_end;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&s[start..]);
    parts
}

/// An item (`PackageReference`, `PackageVersion`, ...) after evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub name: String,
    /// Metadata by lower-cased name, expanded.
    pub metadata: BTreeMap<String, String>,
    pub file: String,
    pub line: u32,
    /// A condition the evaluator could not decide, kept for the record.
    pub condition: Option<String>,
}

impl Item {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.metadata.get(&key.to_ascii_lowercase()).map(String::as_str).filter(|v| !v.is_empty())
    }
}

/// Item types the plug-in reads.
pub const PACKAGE_REFERENCE: &str = "PackageReference";
pub const PROJECT_REFERENCE: &str = "ProjectReference";
pub const PACKAGE_VERSION: &str = "PackageVersion";
pub const GLOBAL_PACKAGE_REFERENCE: &str = "GlobalPackageReference";
const ITEM_TYPES: [&str; 4] = [PACKAGE_REFERENCE, PROJECT_REFERENCE, PACKAGE_VERSION, GLOBAL_PACKAGE_REFERENCE];
const METADATA: [&str; 5] = ["Version", "VersionOverride", "PrivateAssets", "IncludeAssets", "ExcludeAssets"];

/// The state of an evaluation: properties and items so far.
#[derive(Clone, Debug, Default)]
pub struct Evaluation {
    pub properties: Properties,
    /// Items by type, in evaluation order.
    pub items: BTreeMap<&'static str, Vec<Item>>,
    /// `Sdk` attributes and `<Sdk Name>` elements.
    pub sdks: Vec<String>,
}

impl Evaluation {
    pub fn items(&self, kind: &str) -> &[Item] {
        self.items.get(kind).map_or(&[], Vec::as_slice)
    }

    /// Apply one file (a project or an imported props file) to the state.
    pub fn apply(&mut self, root: &Element, file: &str) {
        if let Some(sdk) = root.attr("Sdk") {
            self.sdks.extend(sdk.split(';').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()));
        }
        self.apply_body(root, file, 0);
    }

    fn apply_body(&mut self, parent: &Element, file: &str, depth: usize) {
        if depth > 8 {
            return;
        }
        for el in &parent.children {
            let cond = el.attr("Condition").map(|c| self.properties.condition(c));
            if cond == Some(Some(false)) {
                continue;
            }
            if el.is("PropertyGroup") && cond.is_none_or(|c| c.is_some()) {
                self.apply_properties(el);
            } else if el.is("ItemGroup") {
                let unknown = el.attr("Condition").filter(|_| cond == Some(None));
                self.apply_items(el, file, unknown);
            } else if el.is("Choose") {
                self.apply_choose(el, file, depth);
            } else if el.is("Sdk")
                && let Some(name) = el.attr("Name")
            {
                self.sdks.push(name.trim().to_string());
            }
        }
    }

    fn apply_properties(&mut self, group: &Element) {
        for p in &group.children {
            let ok = p.attr("Condition").is_none_or(|c| self.properties.condition(c) == Some(true));
            if ok {
                let value = self.properties.expand(&p.text);
                self.properties.set(&p.name, value);
            }
        }
    }

    fn apply_items(&mut self, group: &Element, file: &str, group_condition: Option<&str>) {
        for el in &group.children {
            let Some(kind) = ITEM_TYPES.iter().find(|t| el.is(t)).copied() else { continue };
            let own = el.attr("Condition");
            let decided = own.map(|c| self.properties.condition(c));
            if decided == Some(Some(false)) {
                continue;
            }
            let condition = own.filter(|_| decided == Some(None)).or(group_condition).map(str::to_string);
            let metadata: BTreeMap<String, String> = METADATA
                .iter()
                .chain(["Include"].iter())
                .filter_map(|m| el.metadata(m).map(|v| (m.to_ascii_lowercase(), self.properties.expand(v))))
                .collect();
            let list = self.items.entry(kind).or_default();
            if let Some(include) = el.attr("Include") {
                for name in split_list(&self.properties.expand(include)) {
                    list.push(Item {
                        name,
                        metadata: metadata.clone(),
                        file: file.to_string(),
                        line: el.line,
                        condition: condition.clone(),
                    });
                }
            } else if let Some(update) = el.attr("Update") {
                for name in split_list(&self.properties.expand(update)) {
                    for item in list.iter_mut().filter(|i| i.name.eq_ignore_ascii_case(&name)) {
                        item.metadata.extend(metadata.iter().map(|(k, v)| (k.clone(), v.clone())));
                    }
                }
            } else if let Some(remove) = el.attr("Remove") {
                let names = split_list(&self.properties.expand(remove));
                list.retain(|i| !names.iter().any(|n| n.eq_ignore_ascii_case(&i.name)));
            }
        }
    }

    /// The first `When` that holds, else `Otherwise`; a `When` the evaluator
    /// cannot decide is applied too (see the module comment) without ending the search.
    fn apply_choose(&mut self, choose: &Element, file: &str, depth: usize) {
        let mut taken = false;
        for branch in &choose.children {
            if branch.is("When") {
                match branch.attr("Condition").map_or(Some(true), |c| self.properties.condition(c)) {
                    Some(true) => {
                        self.apply_body(branch, file, depth + 1);
                        return;
                    }
                    Some(false) => {}
                    None => {
                        taken = true;
                        self.apply_body(branch, file, depth + 1);
                    }
                }
            } else if branch.is("Otherwise") && !taken {
                self.apply_body(branch, file, depth + 1);
            }
        }
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::parse;

    #[test]
    fn expands_properties_and_leaves_functions() {
        let mut p = Properties::default();
        p.set("Ver", "1.2");
        assert_eq!(p.expand("$(ver).3-$(Missing)"), "1.2.3-");
        assert_eq!(p.expand("$(X.EndsWith('.Test'))"), "$(X.EndsWith('.Test'))");
        assert_eq!(
            p.expand("$([MSBuild]::GetPathOfFileAbove('a', '$(Ver)'))"),
            "$([MSBuild]::GetPathOfFileAbove('a', '$(Ver)'))"
        );
    }

    #[test]
    fn evaluates_simple_conditions() {
        let mut p = Properties::default();
        p.set("Configuration", "Release");
        assert_eq!(p.condition("'$(Configuration)' == 'release'"), Some(true));
        assert_eq!(p.condition("'$(Unset)' == ''"), Some(true));
        assert_eq!(p.condition("'$(Configuration)' != 'Release' or '$(Unset)' == ''"), Some(true));
        assert_eq!(p.condition("('$(Configuration)' == 'Debug') and ('$(Unset)' == '')"), Some(false));
        assert_eq!(p.condition("$(MSBuildProjectName.EndsWith('.Test'))"), None);
        assert_eq!(p.condition("Exists('x')"), None);
        // Set per build, not "empty": unknown rather than false.
        assert_eq!(p.condition("'$(TargetFramework)' == 'net462'"), None);
        assert_eq!(p.condition("'$(OS)' == 'Windows_NT' and '$(Configuration)' == 'Release'"), None);
    }

    #[test]
    fn items_include_update_remove_and_choose() {
        let doc = r#"<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><V>2.0</V><W Condition="'$(V)' == '9'">no</W></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="A;B" Version="$(V)" />
    <PackageReference Update="b" PrivateAssets="all" />
    <PackageReference Include="C" Version="1" Condition="'$(V)' == '3'" />
    <PackageReference Include="D" Version="1" Condition="Exists('x')" />
    <PackageReference Remove="A" />
  </ItemGroup>
  <Choose>
    <When Condition="'$(V)' == '1'"><ItemGroup><ProjectReference Include="no.csproj" /></ItemGroup></When>
    <Otherwise><ItemGroup><ProjectReference Include="yes.csproj" /></ItemGroup></Otherwise>
  </Choose>
</Project>"#;
        let mut e = Evaluation::default();
        e.apply(&parse(doc).unwrap(), "p.csproj");
        assert_eq!(e.sdks, ["Microsoft.NET.Sdk"]);
        assert_eq!(e.properties.get("w"), None);
        let refs = e.items(PACKAGE_REFERENCE);
        let names: Vec<&str> = refs.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["B", "D"]);
        assert_eq!(refs[0].get("version"), Some("2.0"));
        assert_eq!(refs[0].get("privateassets"), Some("all"));
        assert_eq!(refs[1].condition.as_deref(), Some("Exists('x')"));
        let projects: Vec<&str> = e.items(PROJECT_REFERENCE).iter().map(|i| i.name.as_str()).collect();
        assert_eq!(projects, ["yes.csproj"]);
    }
}
