//! The real NuGet projects of the shared corpus.
//!
//! Expected numbers were computed once, independently of this crate, with a
//! python3 script: for every packages*.lock.json, every entry of every
//! section (`net10.0`, `net8.0/linux-x64`, ...) except `"type": "Project"`,
//! collected as a set of (name, resolved); the set is the same size whether
//! names are compared case-sensitively or not.
//!
//! | project         | lock files | unique name@resolved | SOURCE.txt | Project names |
//! |-----------------|------------|----------------------|------------|---------------|
//! | bitwarden-server| 26         | 198                  | 198        | 19            |
//! | bicep           | 2          | 196                  | 196        | 5             |
//!
//! The same script listed every `PackageReference` of the .csproj and
//! Directory.Build.props files: each names a package some lock file has, so
//! the project files add no component, and the count equals SOURCE.txt.
//! It also found that bicep's runtime sections (`net8.0/linux-x64` ...) name
//! 324 dependencies only their framework section lists: they must resolve
//! there (no unresolved-dependency diagnostic).

use sovra_core::testing::{corpus_dir, scan_with};
use sovra_core::{Inventory, Scope};
use sovra_nuget::NugetPlugin;

fn scan(project: &str) -> Option<Inventory> {
    let dir = corpus_dir()?.join("nuget").join(project);
    Some(scan_with(&NugetPlugin, &dir))
}

#[test]
fn bitwarden_server() {
    let Some(inv) = scan("bitwarden-server") else { return };
    assert_eq!(inv.components.len(), 198);
    assert!(inv.diagnostics.is_empty(), "{:#?}", inv.diagnostics);
    // 25 project files, plus src/Sql whose lock file has no .csproj beside
    // it, plus the Project entries whose projects are not in the corpus
    // (Migrator, MySqlMigrations, PostgresMigrations, SqliteMigrations).
    assert_eq!(inv.projects.len(), 25 + 1 + 4, "{:#?}", inv.projects.iter().map(|p| &p.bom_ref).collect::<Vec<_>>());
    // No test project among them: everything is shipped.
    assert!(inv.components.iter().all(|c| c.scope == Some(Scope::Required)));
    // Project entries resolve to the project files by name, across directories.
    let api = &inv.dependencies["sovra:project:src/Api/Api.csproj"];
    assert!(api.contains("sovra:project:src/Core/Core.csproj"));
    assert!(api.contains("sovra:project:bitwarden_license/src/Commercial.Core/Commercial.Core.csproj"));
    assert!(api.contains("pkg:nuget/AspNetCore.HealthChecks.SqlServer@8.0.2"));
    let core = &inv.dependencies["sovra:project:src/Core/Core.csproj"];
    assert!(core.contains("sovra:project:src/Libraries/Data/Data.csproj"), "{core:?}");
    // Version comes from the Directory.Build.props chain: the nearest one
    // (src/Libraries) pins libraries to 0.0.1, the root one says 2026.8.0.
    let project = |r: &str| inv.projects.iter().find(|p| p.bom_ref == r).unwrap();
    assert_eq!(project("sovra:project:src/Core/Core.csproj").component.purl, "pkg:nuget/Core@2026.8.0");
    assert_eq!(project("sovra:project:src/Libraries/Data/Data.csproj").component.purl, "pkg:nuget/Data@0.0.1");
    let sqlclient = inv.component("pkg:nuget/Microsoft.Data.SqlClient@7.0.0").expect("transitive package");
    assert!(sqlclient.properties.contains_key("sovra:nuget:content-hash"));
    assert!(sqlclient.hashes.is_empty());
}

#[test]
fn bicep_with_runtime_sections() {
    let Some(inv) = scan("bicep") else { return };
    assert_eq!(inv.components.len(), 196);
    assert!(inv.diagnostics.is_empty(), "{:#?}", inv.diagnostics);
    // The analyzers and build tools Directory.Build.props adds with
    // PrivateAssets="All" are build-only, and so is what only they pull in.
    for purl in ["pkg:nuget/Nerdbank.GitVersioning@3.7.112", "pkg:nuget/Microsoft.SourceLink.GitHub@8.0.0"] {
        let c = inv.component(purl).unwrap_or_else(|| panic!("{purl}"));
        assert_eq!(c.scope, Some(Scope::Dev), "{purl}");
        assert_eq!(c.properties["sovra:nuget:private-assets"], "all");
    }
    let sarif = inv.components.iter().find(|c| c.name == "Sarif.Sdk").unwrap();
    assert_eq!(sarif.scope, Some(Scope::Required));
    // A runtime-specific package records the sections it was found in.
    let rid = inv.components.iter().find(|c| c.name.starts_with("runtime.linux-x64.")).unwrap();
    assert!(rid.properties["sovra:nuget:target-frameworks"].contains("net8.0/linux-x64"));
    // Project entries named by PackageId (azure.bicep.core) that no project
    // file in the tree declares stay first-party projects.
    assert!(inv.projects.iter().any(|p| p.bom_ref == "sovra:project:nuget:azure.bicep.decompiler"));
    for first_party in ["azure.bicep.core", "azure.bicep.decompiler", "azure.bicep.io"] {
        assert!(inv.components.iter().all(|c| !c.name.eq_ignore_ascii_case(first_party)), "{first_party}");
    }
}
