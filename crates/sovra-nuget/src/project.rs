//! A project file (`*.csproj`, `*.fsproj`, `*.vbproj`) evaluated with the
//! `Directory.Build.props` and `Directory.Packages.props` files above it.

use sovra_core::plugin::{SourceTree, file_name, parent_dir, read_text};
use sovra_core::{Diagnostic, Location};

use crate::ID;
use crate::msbuild::{Evaluation, GLOBAL_PACKAGE_REFERENCE, Item, PACKAGE_REFERENCE, PACKAGE_VERSION};
use crate::xml::{self, Element};

pub const BUILD_PROPS: &str = "Directory.Build.props";
pub const PACKAGES_PROPS: &str = "Directory.Packages.props";

/// How many ancestor props files are followed through imports; real trees
/// chain two or three.
const MAX_CHAIN: usize = 16;

/// Test frameworks whose reference marks a test project.
const TEST_PACKAGES: [&str; 8] = [
    "Microsoft.NET.Test.Sdk",
    "xunit",
    "xunit.v3",
    "xunit.core",
    "NUnit",
    "MSTest",
    "MSTest.TestFramework",
    "MSTest.Sdk",
];

/// Name suffixes that mark a test project by convention.
const TEST_SUFFIXES: [&str; 6] =
    [".test", ".tests", ".unittest", ".unittests", ".integrationtest", ".integrationtests"];

/// A package reference after evaluation, with its version as the project states it.
#[derive(Clone, Debug, PartialEq)]
pub struct PackageRef {
    pub name: String,
    /// `VersionOverride`, `Version`, or the central `PackageVersion`, as written.
    pub version: Option<String>,
    /// `PrivateAssets="all"`: used to build this project, not passed on (analyzers, source link).
    pub build_only: bool,
    pub condition: Option<String>,
    pub location: Location,
}

#[derive(Clone, Debug, Default)]
pub struct ProjectInfo {
    pub path: String,
    pub eval: Evaluation,
    /// Every file read (the project and props files).
    pub files: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

impl ProjectInfo {
    /// The file name without extension (`MSBuildProjectName`).
    pub fn file_stem(&self) -> &str {
        let name = file_name(&self.path);
        name.rsplit_once('.').map_or(name, |(stem, _)| stem)
    }

    /// The package id: `PackageId`, else `AssemblyName`, else the file name.
    pub fn package_id(&self) -> String {
        let p = &self.eval.properties;
        p.get("PackageId").or(p.get("AssemblyName")).unwrap_or(self.file_stem()).trim().to_string()
    }

    pub fn target_frameworks(&self) -> Vec<String> {
        let p = &self.eval.properties;
        let raw = p.get("TargetFrameworks").or(p.get("TargetFramework")).unwrap_or("");
        raw.split(';').map(str::trim).filter(|s| !s.is_empty() && !s.contains("$(")).map(str::to_string).collect()
    }

    /// The package references in effect, `GlobalPackageReference`s included.
    pub fn package_refs(&self) -> Vec<PackageRef> {
        let central = self.eval.properties.is_true("ManagePackageVersionsCentrally");
        let central_version = |name: &str| {
            self.eval
                .items(PACKAGE_VERSION)
                .iter()
                .rev()
                .find(|v| v.name.eq_ignore_ascii_case(name))
                .and_then(|v| v.get("version"))
                .map(str::to_string)
        };
        let make = |i: &Item, global: bool| {
            let version = i
                .get("versionoverride")
                .or(i.get("version"))
                .map(str::to_string)
                .or_else(|| if central || global { central_version(&i.name) } else { None })
                .or_else(|| if global { i.get("version").map(str::to_string) } else { None });
            let private =
                i.get("privateassets").is_some_and(|p| p.split(';').any(|a| a.trim().eq_ignore_ascii_case("all")));
            PackageRef {
                name: i.name.clone(),
                version,
                // A GlobalPackageReference is private by definition (NuGet docs).
                build_only: private || global,
                condition: i.condition.clone(),
                location: Location::new(&i.file, Some(i.line)),
            }
        };
        let mut refs: Vec<PackageRef> = self.eval.items(PACKAGE_REFERENCE).iter().map(|i| make(i, false)).collect();
        refs.extend(self.eval.items(GLOBAL_PACKAGE_REFERENCE).iter().map(|i| make(i, true)));
        refs
    }

    /// Test project heuristic: `IsTestProject`, a test framework reference,
    /// or a conventional name suffix.
    pub fn is_test(&self) -> bool {
        self.eval.properties.is_true("IsTestProject")
            || self.eval.sdks.iter().any(|s| s.eq_ignore_ascii_case("MSTest.Sdk"))
            || self.package_refs().iter().any(|r| is_test_package(&r.name))
            || is_test_name(self.file_stem())
    }
}

pub fn is_test_package(name: &str) -> bool {
    TEST_PACKAGES.iter().any(|t| t.eq_ignore_ascii_case(name))
}

pub fn is_test_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    TEST_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

/// Read and parse one MSBuild file, or report why not.
pub fn read_xml(tree: &dyn SourceTree, path: &str) -> Result<Element, Diagnostic> {
    let text = read_text(tree, path, ID)?;
    xml::parse(&text).map_err(|e| {
        let code = if e.truncated { "nuget::truncated" } else { "nuget::malformed-xml" };
        Diagnostic::error(code, Location::new(path, Some(e.line)), e.message)
    })
}

/// Evaluate a project file: built-in properties, then the
/// Directory.Build.props chain, Directory.Packages.props chain and the project
/// itself, in MSBuild's import order.
pub fn evaluate(tree: &dyn SourceTree, path: &str) -> ProjectInfo {
    let mut info = ProjectInfo { path: path.to_string(), ..ProjectInfo::default() };
    let name = file_name(path);
    let stem = info.file_stem().to_string();
    let p = &mut info.eval.properties;
    p.set("MSBuildProjectName", stem);
    p.set("MSBuildProjectFile", name);
    p.set("MSBuildProjectExtension", name.rsplit_once('.').map_or(String::new(), |(_, e)| format!(".{e}")));
    p.set("MSBuildProjectDirectory", parent_dir(path));
    let dir = parent_dir(path);
    let mut docs: Vec<(String, Element)> = Vec::new();
    for props in [BUILD_PROPS, PACKAGES_PROPS] {
        let chain = props_chain(tree, dir, props, &mut info.diagnostics);
        docs.extend(chain.into_iter().rev());
    }
    match read_xml(tree, path) {
        Ok(root) => docs.push((path.to_string(), root)),
        Err(d) => info.diagnostics.push(d),
    }
    // The project may opt out of central management the props file turned on:
    // the project's value must win, so Directory.Packages.props is applied
    // before it, as the SDK imports it.
    for (file, root) in &docs {
        info.eval.apply(root, file);
    }
    info.files = docs.into_iter().map(|(f, _)| f).collect();
    info.files.push(path.to_string());
    info.files.sort();
    info.files.dedup();
    info
}

/// The nearest `name` at or above `dir`, then those its imports reach
/// (`GetPathOfFileAbove`, `../Directory.Build.props`): innermost first.
fn props_chain(tree: &dyn SourceTree, dir: &str, name: &str, diags: &mut Vec<Diagnostic>) -> Vec<(String, Element)> {
    let mut chain = Vec::new();
    let mut search_from = Some(dir.to_string());
    while let Some(start) = search_from.take() {
        if chain.len() >= MAX_CHAIN {
            break;
        }
        let Some(found) = nearest(tree, &start, name) else { break };
        match read_xml(tree, &found) {
            Ok(root) => {
                let imports_parent = imports_of(&root).any(|p| p.contains(name));
                let found_dir = parent_dir(&found);
                if imports_parent && !found_dir.is_empty() {
                    search_from = Some(parent_dir(found_dir).to_string());
                }
                chain.push((found, root));
            }
            Err(d) => diags.push(d),
        }
    }
    chain
}

fn imports_of(root: &Element) -> impl Iterator<Item = &str> {
    root.children
        .iter()
        .flat_map(|c| if c.is("ImportGroup") { c.children.iter().collect::<Vec<_>>() } else { vec![c] })
        .filter(|c| c.is("Import"))
        .filter_map(|c| c.attr("Project"))
}

/// The file `name` in `dir` or the closest directory above it.
fn nearest(tree: &dyn SourceTree, dir: &str, name: &str) -> Option<String> {
    let mut d = dir.to_string();
    loop {
        let candidate = if d.is_empty() { name.to_string() } else { format!("{d}/{name}") };
        if tree.exists(&candidate) {
            return Some(candidate);
        }
        if d.is_empty() {
            return None;
        }
        d = parent_dir(&d).to_string();
    }
}
