//! composer.json: the root package of a Composer project.

use std::collections::BTreeSet;

use serde_json::Value;
use sovra_core::plugin::{file_name, line_of, parent_dir};
use sovra_core::{Component, Diagnostic, Location, Project, Source};

use crate::metadata::{apply_metadata, new_component, platform_summary, requirements, str_field};
use sovra_core::json_pos::find_member;

/// What the lockfile parser needs from composer.json.
#[derive(Debug)]
pub struct Manifest {
    pub project: Project,
    pub require: Vec<(String, String)>,
    pub require_dev: Vec<(String, String)>,
    /// Names the root package itself provides or replaces: requirements on
    /// them are satisfied without a locked package.
    pub provided: BTreeSet<String>,
    /// `repositories` entries of type `path`, as written (relative to composer.json).
    pub path_repositories: Vec<String>,
}

pub use sovra_core::project_ref;

/// Parse composer.json. `None` (with an error diagnostic) when it is not a JSON object.
pub fn parse_manifest(text: &str, path: &str, diags: &mut Vec<Diagnostic>) -> Option<Manifest> {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            diags.push(syntax_error(path, &e));
            return None;
        }
    };
    let Some(obj) = value.as_object() else {
        diags.push(Diagnostic::error(
            "composer::invalid-manifest",
            Location::new(path, Some(1)),
            "composer.json is not a JSON object",
        ));
        return None;
    };
    let line = find_member(text, 0, "name", "\"").map(|o| line_of(text, o)).unwrap_or(1);
    let loc = Location::new(path, Some(line));
    let mut component = match str_field(obj, "name") {
        Some(name) => new_component(name, str_field(obj, "version").unwrap_or("")),
        None => {
            // A root package may go without a name; it then has no purl.
            let dir = parent_dir(path);
            Component {
                name: if dir.is_empty() { "root".into() } else { file_name(dir).to_string() },
                purl: String::new(),
                ..new_component("root", "")
            }
        }
    };
    apply_metadata(obj, &mut component, &loc);
    component.source =
        Source::Path { path: if parent_dir(path).is_empty() { ".".into() } else { parent_dir(path).into() } };
    component.locations.push(loc.clone());
    let require = requirements(obj, "require", &loc, diags);
    let require_dev = requirements(obj, "require-dev", &loc, diags);
    if let Some(p) = platform_summary(&require) {
        component.properties.insert("sovra:composer:platform-requires".into(), p);
    }
    let provided = ["provide", "replace"]
        .iter()
        .flat_map(|k| requirements(obj, k, &loc, diags))
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    let path_repositories = path_repositories(obj.get("repositories"));
    Some(Manifest {
        project: Project { bom_ref: project_ref(path), component, manifest: Location::new(path, Some(1)) },
        require,
        require_dev,
        provided,
        path_repositories,
    })
}

/// `repositories` is a list, or a map keyed by a repository name.
fn path_repositories(repos: Option<&Value>) -> Vec<String> {
    let list: Vec<&Value> = match repos {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(Value::Object(m)) => m.values().collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<String> = list
        .into_iter()
        .filter_map(Value::as_object)
        .filter(|r| str_field(r, "type") == Some("path"))
        .filter_map(|r| str_field(r, "url").map(str::to_string))
        .collect();
    out.sort();
    out
}

/// The diagnostic for JSON that does not parse: a file cut short is named as such.
pub fn syntax_error(path: &str, e: &serde_json::Error) -> Diagnostic {
    let code = if e.is_eof() { "composer::truncated" } else { "composer::syntax" };
    Diagnostic::error(code, Location::new(path, Some(e.line().max(1) as u32)), format!("invalid JSON: {e}"))
}
