/*!
Sovra plug-in for Ruby: Bundler's `Gemfile.lock` (and `gems.locked`).

The Gemfile itself is Ruby code and is not evaluated; the lockfile records
everything resolved. [`lockfile::parse`] reads the line-based format into a
[`lockfile::Lockfile`] (sources with their specs, DEPENDENCIES, PLATFORMS,
CHECKSUMS, RUBY VERSION, BUNDLED WITH); [`resolve::resolve`] turns it into
components (GEM and GIT specs, platform builds folded), first-party projects
(PATH gems and the lockfile's directory) and edges. [`parse_lockfile`] is the
pure entry point; [`RubyPlugin`] only finds lockfiles and reads them.
*/

pub mod lockfile;
pub mod resolve;

use sovra_core::plugin::{SourceTree, Unit, file_name, parent_dir, read_text};
use sovra_core::{Diagnostic, Location, Parsed, Plugin};

const ID: &str = "ruby";

pub struct RubyPlugin;

impl Plugin for RubyPlugin {
    /// rubygems.org serves `<name>-<version>.gem` (the pure-Ruby build; the
    /// platform builds of one version are folded into one component).
    fn distribution(&self, c: &sovra_core::Component) -> Option<(String, String)> {
        if c.ecosystem != Some(sovra_core::Ecosystem::Gem) {
            return None;
        }
        let file = format!("{}-{}.gem", c.name, c.version);
        let url = format!("https://rubygems.org/downloads/{file}");
        Some((file, url))
    }

    fn id(&self) -> &'static str {
        ID
    }

    fn claims(&self, path: &str) -> bool {
        matches!(file_name(path), "Gemfile.lock" | "gems.locked")
    }

    fn units(&self, claimed: &[String], _tree: &dyn SourceTree) -> Vec<Unit> {
        claimed.iter().map(|p| Unit::new(p.clone(), "gemfile-lock")).collect()
    }

    fn parse(&self, unit: &Unit, tree: &dyn SourceTree) -> Parsed {
        let path = unit.primary.as_str();
        let manifest = manifest_of(path);
        let manifest = tree.exists(&manifest).then_some(manifest);
        let mut parsed = match read_text(tree, path, ID) {
            Ok(text) => parse_lockfile(&text, path, manifest.as_deref()),
            Err(d) => Parsed { diagnostics: vec![d], ..Parsed::default() },
        };
        parsed.files = vec![path.to_string()];
        parsed
    }
}

/// The Gemfile a lockfile belongs to (`gems.rb` for `gems.locked`).
fn manifest_of(lock: &str) -> String {
    let name = if file_name(lock) == "gems.locked" { "gems.rb" } else { "Gemfile" };
    match parent_dir(lock) {
        "" => name.to_string(),
        dir => format!("{dir}/{name}"),
    }
}

/// Parse a lockfile. `manifest` is the Gemfile beside it when there is one: it
/// names the directory's project (`sovra:project:<Gemfile>`), else the lockfile does.
pub fn parse_lockfile(text: &str, path: &str, manifest: Option<&str>) -> Parsed {
    let (lock, mut diags) = lockfile::parse(text, path);
    if lock.sources.is_empty() && !lock.has_dependencies_section {
        diags.push(Diagnostic::error(
            "ruby::not-a-lockfile",
            Location::new(path, None),
            "no GEM, GIT, PATH or DEPENDENCIES section: not a Bundler lockfile",
        ));
        return Parsed { diagnostics: diags, ..Parsed::default() };
    }
    let project_ref = sovra_core::project_ref(manifest.unwrap_or(path));
    resolve::resolve(&lock, path, &project_ref, diags)
}
