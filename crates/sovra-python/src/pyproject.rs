//! `pyproject.toml`: the first-party project (PEP 621 `[project]`, Poetry's
//! `[tool.poetry]`) with its declared licence and its declared direct
//! dependencies. A manifest pins nothing: its dependencies become edges to
//! whatever a lockfile beside it locked, never components of their own.

use sovra_core::plugin::{line_of, parent_dir};
use sovra_core::{DeclaredLicense, Diagnostic, Location, Project, Scope};
use toml::{Table, Value};

use crate::common::{self, normalize};
use crate::pep508;

/// A direct dependency the manifest declares, by normalised name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclaredDep {
    pub name: String,
    pub scope: Scope,
}

/// What a `pyproject.toml` says about its project.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    pub path: String,
    pub project: Project,
    pub deps: Vec<DeclaredDep>,
}

impl Manifest {
    pub fn name(&self) -> &str {
        &self.project.component.name
    }
}

/// Parse a `pyproject.toml`. `Ok(None)` for a file that configures tools
/// only (no `[project]`, no `[tool.poetry]` name): it defines no project.
pub fn parse_pyproject(text: &str, path: &str) -> (Option<Manifest>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let doc = match common::parse_toml(text, path) {
        Ok(d) => d,
        Err(d) => return (None, vec![d]),
    };
    let line = |needle: &str| text.find(needle).map(|o| line_of(text, o));
    let pep621 = common::table_field(&doc, "project", path, line("[project"), &mut diags);
    let poetry = doc
        .get("tool")
        .and_then(Value::as_table)
        .and_then(|t| common::table_field(t, "poetry", path, line("[tool.poetry"), &mut diags));
    let field = |key: &str, diags: &mut Vec<Diagnostic>| -> Option<String> {
        // PEP 621 is authoritative; Poetry 2 reads `[tool.poetry]` only for what `[project]` lacks.
        [pep621, poetry]
            .into_iter()
            .flatten()
            .find_map(|t| common::str_field(t, key, path, None, diags))
            .map(str::to_string)
    };
    let name = field("name", &mut diags);
    let Some(name) = name.filter(|n| common::valid_name(n)) else {
        if pep621.is_some() || poetry.is_some() {
            diags.push(common::warning(
                "no-name",
                path,
                line("[project").or(line("[tool.poetry")),
                "pyproject.toml has no valid project name; no project is recorded",
            ));
        }
        return (None, diags);
    };
    let version = field("version", &mut diags);
    let decl_line = if pep621.is_some() { line("[project") } else { line("[tool.poetry") };
    let dir = parent_dir(path);
    let mut project = common::project(&name, version.as_deref(), dir, path, decl_line);
    let c = &mut project.component;
    c.description = field("description", &mut diags);
    if let Some(lic) = pep621.and_then(|t| t.get("license")).or_else(|| poetry.and_then(|t| t.get("license"))) {
        read_license(lic, c, path, line("license"), &mut diags);
    }
    for t in [pep621, poetry].into_iter().flatten() {
        c.authors.extend(t.get("authors").and_then(Value::as_array).into_iter().flatten().filter_map(person));
    }
    read_urls(pep621, poetry, c);

    let mut deps = Vec::new();
    let mut add = |name: &str, scope: Scope| deps.push(DeclaredDep { name: normalize(name), scope });
    let pep508_list = |list: &Value, scope: Scope, add: &mut dyn FnMut(&str, Scope), diags: &mut Vec<Diagnostic>| {
        for v in list.as_array().into_iter().flatten() {
            // PEP 735 `{include-group = "..."}` entries name a group, not a package.
            let Some(s) = v.as_str() else { continue };
            match pep508::parse(s) {
                Some(r) => add(&r.name, scope),
                None => diags.push(common::warning(
                    "invalid-requirement",
                    path,
                    line(s),
                    format!("cannot parse dependency `{s}`"),
                )),
            }
        }
    };
    if let Some(p) = pep621 {
        if let Some(list) = p.get("dependencies") {
            pep508_list(list, Scope::Required, &mut add, &mut diags);
        }
        for list in p.get("optional-dependencies").and_then(Value::as_table).into_iter().flat_map(Table::values) {
            pep508_list(list, Scope::Optional, &mut add, &mut diags);
        }
    }
    for list in doc.get("dependency-groups").and_then(Value::as_table).into_iter().flat_map(Table::values) {
        pep508_list(list, Scope::Dev, &mut add, &mut diags);
    }
    if let Some(list) = doc.get("tool").and_then(|t| t.get("uv")).and_then(|t| t.get("dev-dependencies")) {
        pep508_list(list, Scope::Dev, &mut add, &mut diags);
    }
    if let Some(p) = poetry {
        poetry_table(p.get("dependencies"), Scope::Required, &mut add);
        poetry_table(p.get("dev-dependencies"), Scope::Dev, &mut add);
        for (group, g) in p.get("group").and_then(Value::as_table).into_iter().flatten() {
            let scope = if group == "main" { Scope::Required } else { Scope::Dev };
            poetry_table(g.get("dependencies"), scope, &mut add);
        }
    }
    // One entry per name, with the strongest scope it is declared in.
    deps.sort_by(|a, b| (&a.name, a.scope).cmp(&(&b.name, b.scope)));
    deps.dedup_by(|a, b| a.name == b.name);
    (Some(Manifest { path: path.to_string(), project, deps }), diags)
}

/// Poetry's `name = "^1.0"` / `name = {version, optional}` / `name = [...]` tables.
fn poetry_table(table: Option<&Value>, scope: Scope, add: &mut dyn FnMut(&str, Scope)) {
    for (name, spec) in table.and_then(Value::as_table).into_iter().flatten() {
        // `python` constrains the interpreter, it is no package.
        if name.eq_ignore_ascii_case("python") {
            continue;
        }
        let optional = spec.get("optional").and_then(Value::as_bool) == Some(true);
        add(name, if optional && scope == Scope::Required { Scope::Optional } else { scope });
    }
}

/// PEP 639 `license = "MIT OR Apache-2.0"`, legacy `{text = ...}` or `{file = ...}`.
fn read_license(v: &Value, c: &mut sovra_core::Component, path: &str, line: Option<u32>, diags: &mut Vec<Diagnostic>) {
    let mut declared = |raw: &str| {
        let mut d = DeclaredLicense::raw(raw.trim());
        d.source = Some(Location::new(path, line));
        c.declared_licenses.push(d);
    };
    match v {
        Value::String(s) if !s.trim().is_empty() => declared(s),
        Value::Table(t) => {
            if let Some(text) = t.get("text").and_then(Value::as_str).filter(|s| !s.trim().is_empty()) {
                declared(text);
            }
            // A file reference is no statement of which licence: the file is
            // for the licence-text scanner, kept here so it can be found.
            if let Some(file) = t.get("file").and_then(Value::as_str) {
                c.properties.insert(common::prop("license-file"), file.to_string());
            }
        }
        other => diags.push(common::warning(
            "invalid-type",
            path,
            line,
            format!("`license` should be a string or a table, found {}", other.type_str()),
        )),
    }
}

/// PEP 621 `{name, email}` tables and Poetry's `"Name <email>"` strings.
fn person(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Table(t) => {
            let name = t.get("name").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
            let email = t.get("email").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
            match (name, email) {
                (Some(n), Some(e)) => Some(format!("{n} <{e}>")),
                (n, e) => n.or(e).map(str::to_string),
            }
        }
        _ => None,
    }
}

fn read_urls(pep621: Option<&Table>, poetry: Option<&Table>, c: &mut sovra_core::Component) {
    let urls = pep621.and_then(|p| p.get("urls")).and_then(Value::as_table);
    let url_like = |want: &[&str]| -> Option<String> {
        let from_urls = urls.into_iter().flatten().find_map(|(k, v)| {
            let k = k.to_ascii_lowercase().replace([' ', '-', '_'], "");
            want.contains(&k.as_str()).then(|| v.as_str()).flatten()
        });
        from_urls
            .or_else(|| want.iter().find_map(|w| poetry.and_then(|p| p.get(*w)).and_then(Value::as_str)))
            .map(str::to_string)
    };
    c.homepage = url_like(&["homepage", "home"]);
    c.repository_url = url_like(&["repository", "source", "sourcecode", "code"]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep621_with_pep639_expression() {
        let text = "[project]\nname = \"Demo_App\"\nversion = \"1.0\"\nlicense = \"MIT OR Apache-2.0\"\n\
                    authors = [{name = \"A\", email = \"a@x\"}]\ndependencies = [\"Requests[socks]>=2\", \"bad dep!\"]\n\
                    [project.optional-dependencies]\nx = [\"rich\"]\n[dependency-groups]\ndev = [\"pytest\", {include-group = \"x\"}]\n";
        let (m, diags) = parse_pyproject(text, "app/pyproject.toml");
        let m = m.unwrap();
        assert_eq!(m.project.bom_ref, "pkg:pypi/demo-app@1.0");
        assert_eq!(m.project.component.declared_licenses[0].raw, "MIT OR Apache-2.0");
        assert_eq!(m.project.component.authors, vec!["A <a@x>"]);
        let deps: Vec<(&str, Scope)> = m.deps.iter().map(|d| (d.name.as_str(), d.scope)).collect();
        assert_eq!(deps, vec![("pytest", Scope::Dev), ("requests", Scope::Required), ("rich", Scope::Optional)]);
        assert_eq!(diags.len(), 1);
        assert_eq!((diags[0].code.as_str(), diags[0].location.line), ("python::invalid-requirement", Some(6)));
    }
}
