//! Hand-written NuGet inputs: lock files v1/v2 with runtimes, CentralTransitive
//! and Project entries, central package management, props inheritance, a test
//! project, a project without lock file, and bad files.

use sovra_core::testing::{fixtures_dir, scan_with};
use sovra_core::{Completeness, Inventory, Scope, Severity};
use sovra_nuget::NugetPlugin;

fn scan(dir: &str) -> Inventory {
    scan_with(&NugetPlugin, &fixtures_dir().join("nuget").join(dir))
}

/// Diagnostics as (code, place, severity), sorted by code and place.
fn codes(inv: &Inventory) -> Vec<(&str, String, Severity)> {
    let mut list: Vec<_> =
        inv.diagnostics.iter().map(|d| (d.code.as_str(), d.location.to_string(), d.severity)).collect();
    list.sort();
    list
}

fn deps(inv: &Inventory, r: &str) -> Vec<String> {
    inv.dependencies[r].iter().cloned().collect()
}

#[test]
fn repository_with_central_management_and_a_test_project() {
    let inv = scan("repo");
    let c = |purl: &str| inv.component(purl).unwrap_or_else(|| panic!("{purl} missing"));

    // Locked projects: one component per name@version across frameworks,
    // runtimes and lock files.
    let newtonsoft = c("pkg:nuget/Newtonsoft.Json@13.0.3");
    assert_eq!(newtonsoft.scope, Some(Scope::Required), "App ships it; the test project's Dev does not win");
    assert_eq!(
        newtonsoft.properties["sovra:nuget:content-hash"],
        "HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ=="
    );
    assert!(newtonsoft.hashes.is_empty(), "contentHash is not a file hash");
    assert_eq!(newtonsoft.locations[0].to_string(), "src/App/packages.lock.json:21");
    let stj = c("pkg:nuget/System.Text.Json@8.0.4");
    assert_eq!(stj.scope, Some(Scope::Required));
    let ilasm = c("pkg:nuget/runtime.linux-x64.Microsoft.NETCore.ILAsm@8.0.0");
    assert_eq!(ilasm.properties["sovra:nuget:target-frameworks"], "net8.0/linux-x64");
    // The runtime section's dependency resolves in its framework's section.
    assert_eq!(deps(&inv, &ilasm.purl), std::slice::from_ref(&stj.purl));
    assert_eq!(c("pkg:nuget/Serilog@3.1.1").properties["sovra:nuget:target-frameworks"], "net6.0, net8.0");

    // Build-only references (PrivateAssets="All" from Directory.Build.props,
    // the GlobalPackageReference) and what only they pull in are Dev.
    for purl in [
        "pkg:nuget/Microsoft.SourceLink.GitHub@8.0.0",
        "pkg:nuget/Microsoft.Build.Tasks.Git@8.0.0",
        "pkg:nuget/Nerdbank.GitVersioning@3.6.133",
    ] {
        assert_eq!(c(purl).scope, Some(Scope::Dev), "{purl}");
    }
    assert_eq!(c("pkg:nuget/Microsoft.SourceLink.GitHub@8.0.0").properties["sovra:nuget:private-assets"], "all");

    // Only the test project uses these: Dev.
    for purl in ["pkg:nuget/Moq@4.20.70", "pkg:nuget/Castle.Core@5.1.1", "pkg:nuget/xunit@2.6.6"] {
        assert_eq!(c(purl).scope, Some(Scope::Dev), "{purl}");
    }

    // Projects: metadata from the project and the props above it.
    let project = |r: &str| &inv.projects.iter().find(|p| p.bom_ref == r).unwrap_or_else(|| panic!("{r}")).component;
    let app = project("sovra:project:src/App/App.csproj");
    assert_eq!(app.purl, "pkg:nuget/Acme.App@1.4.0");
    assert_eq!(app.declared_licenses[0].raw, "EUPL-1.2");
    assert_eq!(app.authors, ["Acme Team", "Ada Example"]);
    assert_eq!(app.properties["sovra:nuget:target-frameworks"], "net8.0, net6.0");
    assert_eq!(app.properties["sovra:nuget:central-package-management"], "true");
    assert_eq!(
        project("sovra:project:tests/App.Tests/App.Tests.csproj").properties["sovra:nuget:test-project"],
        "true"
    );

    // Edges: project -> direct packages and referenced projects; the Project
    // entry `lib` is the project file src/Lib/Lib.csproj; `acme.app` matches
    // App.csproj by its PackageId.
    assert_eq!(
        deps(&inv, "sovra:project:src/App/App.csproj"),
        [
            "pkg:nuget/Microsoft.SourceLink.GitHub@8.0.0",
            "pkg:nuget/Nerdbank.GitVersioning@3.6.133",
            "pkg:nuget/Newtonsoft.Json@13.0.3",
            "pkg:nuget/Serilog@3.1.1",
            "sovra:project:src/Lib/Lib.csproj",
        ]
    );
    assert_eq!(
        deps(&inv, "sovra:project:tests/App.Tests/App.Tests.csproj"),
        ["pkg:nuget/Moq@4.20.70", "pkg:nuget/xunit@2.6.6", "sovra:project:src/App/App.csproj"]
    );
    assert!(deps(&inv, "sovra:project:src/App/App.csproj").contains(&"sovra:project:src/Lib/Lib.csproj".to_string()));
    assert!(deps(&inv, "sovra:project:src/Lib/Lib.csproj").contains(&stj.purl));

    // The unlocked F# project: direct references only, at their lower bound.
    let fsharp = c("pkg:nuget/FSharp.Core@8.0.400");
    assert_eq!(fsharp.properties["sovra:nuget:unlocked"], "true");
    assert_eq!(fsharp.properties["sovra:nuget:requested"], "8.0.400");
    assert_eq!(c("pkg:nuget/Argu@6.2.4").properties["sovra:nuget:requested"], "[6.2.4]");
    let windows = c("pkg:nuget/OnlyOnWindows@1.0.0");
    assert_eq!(windows.properties["sovra:nuget:condition"], "'$(OS)' == 'Windows_NT'");
    assert!(inv.component("pkg:nuget/Floating").is_some(), "floating version listed without version");
    assert_eq!(inv.completeness["tools/Unlocked/Unlocked.fsproj"], Completeness::Incomplete);
    assert_eq!(inv.completeness["src/App/packages.lock.json"], Completeness::Complete);

    assert_eq!(
        codes(&inv),
        [
            ("nuget::unlocked", "tools/Unlocked/Unlocked.fsproj:1".to_string(), Severity::Warning),
            ("nuget::unresolved-version", "Directory.Build.props:8".to_string(), Severity::Warning),
            ("nuget::unresolved-version", "tools/Unlocked/Unlocked.fsproj:10".to_string(), Severity::Warning),
        ]
    );
}

#[test]
fn version_1_lock_without_project_file() {
    let inv = scan("v1");
    assert_eq!(inv.components.iter().map(|c| c.purl.as_str()).collect::<Vec<_>>(), ["pkg:nuget/Dapper@2.1.28"]);
    let refs: Vec<&str> = inv.projects.iter().map(|p| p.bom_ref.as_str()).collect();
    assert_eq!(refs, ["sovra:project:Web/packages.lock.json", "sovra:project:nuget:shared.models"]);
    assert_eq!(
        deps(&inv, "sovra:project:Web/packages.lock.json"),
        ["pkg:nuget/Dapper@2.1.28", "sovra:project:nuget:shared.models"]
    );
    assert_eq!(deps(&inv, "sovra:project:nuget:shared.models"), ["pkg:nuget/Dapper@2.1.28"]);
    assert_eq!(
        codes(&inv),
        [("nuget::unresolved-dependency", "Web/packages.lock.json:11".to_string(), Severity::Warning)]
    );
}

#[test]
fn bad_lock_files_are_named_diagnostics() {
    for (dir, code, line) in [
        ("bad/empty", "nuget::empty", None),
        ("bad/truncated", "nuget::truncated", Some(10)),
        ("bad/binary", "nuget::binary", None),
        ("bad/array", "nuget::invalid-lock", Some(1)),
    ] {
        let inv = scan(dir);
        assert!(inv.components.is_empty(), "{dir}");
        let d = &inv.diagnostics[0];
        assert_eq!(
            (d.code.as_str(), d.location.file.as_str(), d.location.line),
            (code, "packages.lock.json", line),
            "{dir}"
        );
        assert_eq!(d.severity, Severity::Error);
    }
}

#[test]
fn wrongly_typed_entries_are_skipped_with_warnings() {
    let inv = scan("bad/wrong-types");
    assert_eq!(inv.components.iter().map(|c| c.purl.as_str()).collect::<Vec<_>>(), ["pkg:nuget/Good@1.0.0"]);
    assert_eq!(
        codes(&inv),
        [
            ("nuget::invalid-lock", "packages.lock.json:10".to_string(), Severity::Warning),
            ("nuget::invalid-lock", "packages.lock.json:6".to_string(), Severity::Warning),
            ("nuget::invalid-lock", "packages.lock.json:7".to_string(), Severity::Warning),
            ("nuget::invalid-lock", "packages.lock.json:8".to_string(), Severity::Warning),
            ("nuget::lock-version", "packages.lock.json:2".to_string(), Severity::Warning),
        ]
    );
}

#[test]
fn malformed_project_and_props_are_named_diagnostics() {
    let inv = scan("bad/malformed-xml");
    assert!(inv.components.is_empty());
    assert_eq!(inv.projects.len(), 1);
    assert_eq!(
        codes(&inv),
        [
            ("nuget::malformed-xml", "Broken.csproj:4".to_string(), Severity::Error),
            ("nuget::truncated", "Directory.Build.props:4".to_string(), Severity::Error),
            ("nuget::unlocked", "Broken.csproj:1".to_string(), Severity::Warning),
        ]
    );
}
