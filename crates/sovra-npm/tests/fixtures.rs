//! The npm plug-in on the hand-written inputs of `fixtures/npm/`: one per
//! lockfile format and feature, and the bad inputs.

use sovra_core::testing::{fixtures_dir, scan_with};
use sovra_core::{HashAlg, Inventory, Scope, Source};
use sovra_npm::NpmPlugin;

fn scan(dir: &str) -> Inventory {
    scan_with(&NpmPlugin, &fixtures_dir().join("npm").join(dir))
}

fn purls(inv: &Inventory) -> Vec<&str> {
    inv.components.iter().map(|c| c.purl.as_str()).collect()
}

fn projects(inv: &Inventory) -> Vec<&str> {
    inv.projects.iter().map(|p| p.bom_ref.as_str()).collect()
}

fn scope(inv: &Inventory, purl: &str) -> Scope {
    inv.component(purl).unwrap_or_else(|| panic!("{purl} missing")).scope.unwrap()
}

fn deps<'a>(inv: &'a Inventory, from: &str) -> Vec<&'a str> {
    inv.dependencies.get(from).unwrap_or_else(|| panic!("{from} has no entry")).iter().map(String::as_str).collect()
}

fn codes(inv: &Inventory) -> Vec<(&str, &str, Option<u32>)> {
    inv.diagnostics.iter().map(|d| (d.code.as_str(), d.location.file.as_str(), d.location.line)).collect()
}

const GIT_SHA: &str = "0123456789abcdef0123456789abcdef01234567";

#[test]
fn package_lock_v1_tree_aliases_git_and_flags() {
    let inv = scan("lock-v1");
    let git =
        format!("pkg:npm/gitdep@{GIT_SHA}?vcs_url=git%2Bssh:%2F%2Fgit%40github.com%2Facme%2Fgitdep.git%40{GIT_SHA}");
    assert_eq!(
        purls(&inv),
        vec![
            "pkg:npm/%40babel/core@7.24.0",
            "pkg:npm/a@1.0.0",
            "pkg:npm/b@1.0.0",
            "pkg:npm/b@2.0.0",
            "pkg:npm/fsevents@2.3.3",
            git.as_str(),
            "pkg:npm/string-width@4.2.3",
        ]
    );
    // `file:../local` is first-party, outside the tree.
    assert_eq!(projects(&inv), vec!["pkg:npm/v1-app@1.0.0", "sovra:project:../local/package.json"]);
    assert_eq!(scope(&inv, "pkg:npm/%40babel/core@7.24.0"), Scope::Dev);
    assert_eq!(scope(&inv, "pkg:npm/b@2.0.0"), Scope::Dev);
    assert_eq!(scope(&inv, "pkg:npm/fsevents@2.3.3"), Scope::Optional);
    assert_eq!(scope(&inv, "pkg:npm/a@1.0.0"), Scope::Required);
    // `requires` resolves in the nested tree: a's own b@1, babel's hoisted b@2.
    assert_eq!(deps(&inv, "pkg:npm/a@1.0.0"), vec!["pkg:npm/b@1.0.0"]);
    assert_eq!(deps(&inv, "pkg:npm/%40babel/core@7.24.0"), vec!["pkg:npm/b@2.0.0"]);
    assert_eq!(deps(&inv, "pkg:npm/string-width@4.2.3"), vec!["pkg:npm/a@1.0.0"]);
    assert!(deps(&inv, "pkg:npm/v1-app@1.0.0").contains(&"sovra:project:../local/package.json"));
    let alias = inv.component("pkg:npm/string-width@4.2.3").unwrap();
    assert_eq!(alias.properties["sovra:npm:alias"], "string-width-cjs");
    let a = inv.component("pkg:npm/a@1.0.0").unwrap();
    assert_eq!(a.hashes.len(), 1);
    assert_eq!(a.hashes[0].alg, HashAlg::Sha1);
    assert_eq!(a.hashes[0].value, "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8");
    assert_eq!(a.hashes[0].file.as_deref(), Some("a-1.0.0.tgz"));
    assert_eq!(a.download_url.as_deref(), Some("https://registry.npmjs.org/a/-/a-1.0.0.tgz"));
    assert_eq!(a.locations[0].line, Some(14));
    let g = inv.component(&git).unwrap();
    assert!(matches!(&g.source, Source::Git { commit: Some(c), .. } if c == GIT_SHA));
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
}

#[test]
fn package_lock_v2_registry_and_licence() {
    let inv = scan("lock-v2");
    assert_eq!(purls(&inv), vec!["pkg:npm/a@1.0.0"]);
    let a = &inv.components[0];
    assert_eq!(a.source, Source::Registry { url: Some("https://npm.example.org/repo".into()) });
    assert_eq!(a.declared_licenses[0].raw, "MIT");
    assert_eq!(a.hashes[0].alg, HashAlg::Sha512);
    assert!(a.hashes[0].value.starts_with("1f40fc92da241694"));
    // No package.json: the root project comes from the lockfile.
    assert_eq!(projects(&inv), vec!["pkg:npm/v2-app@2.0.0"]);
    assert_eq!(deps(&inv, "pkg:npm/v2-app@2.0.0"), vec!["pkg:npm/a@1.0.0"]);
}

#[test]
fn package_lock_v3_workspaces_links_nesting_and_flags() {
    let inv = scan("lock-v3-workspaces");
    assert_eq!(
        projects(&inv),
        vec!["pkg:npm/%40mono/app@0.1.0", "pkg:npm/mono@0.1.0", "sovra:project:packages/lib/package.json"]
    );
    assert_eq!(
        purls(&inv),
        vec![
            "pkg:npm/c@1.0.0",
            "pkg:npm/c@2.0.0",
            "pkg:npm/d@1.0.0",
            "pkg:npm/peer-x@1.0.0",
            "pkg:npm/string-width@4.2.3",
            "pkg:npm/tarball@1.0.0",
            "pkg:npm/typescript@5.4.2",
        ]
    );
    // The link `node_modules/@mono/lib` resolves to the workspace project;
    // packages/lib finds its own nested c@2, app the hoisted c@1.
    assert_eq!(
        deps(&inv, "pkg:npm/%40mono/app@0.1.0"),
        vec!["pkg:npm/c@1.0.0", "sovra:project:packages/lib/package.json"]
    );
    assert_eq!(deps(&inv, "sovra:project:packages/lib/package.json"), vec!["pkg:npm/c@2.0.0"]);
    assert_eq!(deps(&inv, "pkg:npm/c@1.0.0"), vec!["pkg:npm/d@1.0.0", "pkg:npm/peer-x@1.0.0"]);
    assert_eq!(deps(&inv, "pkg:npm/mono@0.1.0"), vec!["pkg:npm/typescript@5.4.2"]);
    assert_eq!(scope(&inv, "pkg:npm/typescript@5.4.2"), Scope::Dev);
    assert_eq!(scope(&inv, "pkg:npm/d@1.0.0"), Scope::Optional, "devOptional ships when present");
    assert_eq!(scope(&inv, "pkg:npm/string-width@4.2.3"), Scope::Dev, "dev + optional is dev");
    let peer = inv.component("pkg:npm/peer-x@1.0.0").unwrap();
    assert_eq!((peer.scope, peer.properties["sovra:npm:peer"].as_str()), (Some(Scope::Required), "true"));
    let c = inv.component("pkg:npm/c@1.0.0").unwrap();
    let algs: Vec<HashAlg> = c.hashes.iter().map(|h| h.alg).collect();
    assert_eq!(algs, vec![HashAlg::Sha1, HashAlg::Sha512]);
    assert_eq!(inv.component("pkg:npm/d@1.0.0").unwrap().declared_licenses[0].raw, "ISC");
    let t = inv.component("pkg:npm/tarball@1.0.0").unwrap();
    assert_eq!(t.source, Source::Url { url: "https://example.org/downloads/tarball-1.0.0.tgz".into() });
    assert_eq!(t.filename.as_deref(), Some("tarball-1.0.0.tgz"));
    // The missing optional dependency of c is not an error.
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
}

#[test]
fn yarn_classic_workspaces_aliases_and_dev_reachability() {
    let inv = scan("yarn-classic");
    let git = format!("pkg:npm/yc-dep@1.0.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Facme%2Fyc-dep.git%40{GIT_SHA}");
    assert_eq!(
        purls(&inv),
        vec![
            "pkg:npm/%40scope/shared@1.2.0",
            "pkg:npm/jest@29.7.0",
            "pkg:npm/left@1.1.0",
            "pkg:npm/opt@1.0.0",
            "pkg:npm/string-width@4.2.3",
            git.as_str(),
        ]
    );
    assert_eq!(projects(&inv), vec!["pkg:npm/w@0.0.1", "pkg:npm/yc@1.0.0"]);
    // jest only from devDependencies; @scope/shared also from left (prod).
    assert_eq!(scope(&inv, "pkg:npm/jest@29.7.0"), Scope::Dev);
    assert_eq!(scope(&inv, "pkg:npm/%40scope/shared@1.2.0"), Scope::Required);
    assert_eq!(scope(&inv, "pkg:npm/opt@1.0.0"), Scope::Optional);
    assert_eq!(deps(&inv, "pkg:npm/left@1.1.0"), vec!["pkg:npm/%40scope/shared@1.2.0", "pkg:npm/opt@1.0.0"]);
    assert_eq!(deps(&inv, "pkg:npm/w@0.0.1"), vec!["pkg:npm/left@1.1.0", "pkg:npm/opt@1.0.0", git.as_str()]);
    let shared = inv.component("pkg:npm/%40scope/shared@1.2.0").unwrap();
    assert_eq!(shared.hashes[0].value, "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8", "sha1 from the resolved URL");
    assert_eq!(shared.locations[0].line, Some(5));
    assert_eq!(inv.component("pkg:npm/jest@29.7.0").unwrap().hashes[0].alg, HashAlg::Sha512);
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
}

#[test]
fn yarn_berry_workspaces_patch_virtual_link_and_checksum() {
    let inv = scan("yarn-berry");
    let git = format!("pkg:npm/gitpkg@2.0.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Facme%2Fgitpkg.git%40{GIT_SHA}");
    assert_eq!(
        purls(&inv),
        vec![
            "pkg:npm/fsevents@2.3.3",
            git.as_str(),
            "pkg:npm/lodash@4.17.21",
            "pkg:npm/loose-envify@1.4.0",
            "pkg:npm/react-dom@18.2.0",
            "pkg:npm/typescript@5.4.2",
            "pkg:npm/virtual-thing@1.0.0",
        ]
    );
    // The linked folder is first-party, the same project its own package.json gives.
    assert_eq!(projects(&inv), vec!["pkg:npm/%40berry/w@1.0.0", "pkg:npm/helper@0.0.0", "sovra:project:package.json"]);
    let ts = inv.component("pkg:npm/typescript@5.4.2").unwrap();
    assert_eq!(ts.properties["sovra:npm:patched"], "optional!builtin<compat/typescript>");
    assert_eq!(ts.scope, Some(Scope::Dev), "the patched and the original entry are one dev package");
    assert!(ts.hashes.is_empty(), "berry checksums are not tarball hashes");
    assert!(ts.properties["sovra:npm:yarn-checksum"].starts_with("10c0/"));
    assert_eq!(scope(&inv, "pkg:npm/fsevents@2.3.3"), Scope::Optional);
    assert_eq!(scope(&inv, "pkg:npm/lodash@4.17.21"), Scope::Required);
    assert_eq!(
        deps(&inv, "sovra:project:package.json"),
        vec!["pkg:npm/helper@0.0.0", "pkg:npm/lodash@4.17.21", "pkg:npm/typescript@5.4.2"]
    );
    assert_eq!(deps(&inv, "pkg:npm/react-dom@18.2.0"), vec!["pkg:npm/fsevents@2.3.3", "pkg:npm/loose-envify@1.4.0"]);
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
}

#[test]
fn pnpm_5_peer_suffixes_dev_flags_and_links() {
    let inv = scan("pnpm-5");
    let git = format!("pkg:npm/gitpkg@3.0.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Facme%2Fgitpkg.git%40{GIT_SHA}");
    assert_eq!(
        purls(&inv),
        vec![
            "pkg:npm/%40types/node@18.0.0",
            "pkg:npm/esbuild@0.17.19",
            "pkg:npm/fsevents@2.3.2",
            git.as_str(),
            "pkg:npm/vite@4.3.1",
        ]
    );
    assert_eq!(
        projects(&inv),
        vec!["pkg:npm/%40p5/p@1.0.0", "pkg:npm/p5-root@1.0.0", "sovra:project:packages/other/package.json"]
    );
    assert_eq!(scope(&inv, "pkg:npm/vite@4.3.1"), Scope::Dev);
    assert_eq!(scope(&inv, "pkg:npm/%40types/node@18.0.0"), Scope::Required);
    assert_eq!(
        deps(&inv, "pkg:npm/vite@4.3.1"),
        vec!["pkg:npm/%40types/node@18.0.0", "pkg:npm/esbuild@0.17.19", "pkg:npm/fsevents@2.3.2"]
    );
    assert_eq!(
        deps(&inv, "pkg:npm/%40p5/p@1.0.0"),
        vec!["pkg:npm/%40types/node@18.0.0", "sovra:project:packages/other/package.json"]
    );
    // The broken integrity of vite is reported with its line.
    assert_eq!(codes(&inv), vec![("npm::integrity", "pnpm-lock.yaml", Some(25))]);
}

#[test]
fn pnpm_6_single_project_with_alias() {
    let inv = scan("pnpm-6");
    assert_eq!(
        purls(&inv),
        vec![
            "pkg:npm/react-dom@18.2.0",
            "pkg:npm/react@18.2.0",
            "pkg:npm/scheduler@0.23.0",
            "pkg:npm/string-width@4.2.3"
        ]
    );
    assert_eq!(scope(&inv, "pkg:npm/string-width@4.2.3"), Scope::Dev);
    assert_eq!(
        deps(&inv, "pkg:npm/p6@1.0.0"),
        vec!["pkg:npm/react-dom@18.2.0", "pkg:npm/react@18.2.0", "pkg:npm/string-width@4.2.3"]
    );
    assert_eq!(deps(&inv, "pkg:npm/react-dom@18.2.0"), vec!["pkg:npm/react@18.2.0", "pkg:npm/scheduler@0.23.0"]);
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
}

#[test]
fn pnpm_9_snapshots_catalogs_and_local_dirs() {
    let inv = scan("pnpm-9");
    let git = format!("pkg:npm/gitpkg@3.0.0?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Facme%2Fgitpkg.git%40{GIT_SHA}");
    assert_eq!(
        purls(&inv),
        vec![
            "pkg:npm/%40types/node@20.0.0",
            "pkg:npm/debug@4.3.4",
            git.as_str(),
            "pkg:npm/ms@2.1.3",
            "pkg:npm/supports-color@8.1.1",
            "pkg:npm/vite@5.2.0",
        ]
    );
    assert_eq!(
        projects(&inv),
        vec!["pkg:npm/%40p9/p@2.0.0", "pkg:npm/p9-root@1.0.0", "sovra:project:vendor/localdir/package.json"]
    );
    // No dev flags in 9.0: reachability from the importers decides.
    assert_eq!(scope(&inv, "pkg:npm/vite@5.2.0"), Scope::Dev);
    assert_eq!(scope(&inv, "pkg:npm/%40types/node@20.0.0"), Scope::Dev);
    assert_eq!(scope(&inv, "pkg:npm/ms@2.1.3"), Scope::Required);
    assert_eq!(deps(&inv, "pkg:npm/debug@4.3.4"), vec!["pkg:npm/ms@2.1.3", "pkg:npm/supports-color@8.1.1"]);
    assert_eq!(
        deps(&inv, "pkg:npm/%40p9/p@2.0.0"),
        vec!["pkg:npm/debug@4.3.4", git.as_str(), "pkg:npm/ms@2.1.3", "sovra:project:vendor/localdir/package.json"]
    );
    assert_eq!(inv.component("pkg:npm/ms@2.1.3").unwrap().hashes[0].alg, HashAlg::Sha512);
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
}

#[test]
fn package_json_without_lockfile_warns() {
    let inv = scan("no-lockfile");
    assert!(inv.components.is_empty());
    assert_eq!(projects(&inv), vec!["pkg:npm/bare@3.0.0"]);
    assert_eq!(inv.projects[0].component.declared_licenses[0].raw, "MIT");
    assert_eq!(codes(&inv), vec![("npm::no-lockfile", "package.json", Some(1))]);
}

#[test]
fn bad_inputs_are_named_diagnostics() {
    let inv = scan("bad");
    let mut got = codes(&inv);
    got.sort();
    assert_eq!(
        got,
        vec![
            ("npm::binary", "binary/yarn.lock", None),
            ("npm::empty", "empty/package-lock.json", None),
            ("npm::parse", "truncated/package-lock.json", Some(5)),
            ("npm::parse", "yaml/pnpm-lock.yaml", Some(5)),
            ("npm::too-deep", "deep-v1/package-lock.json", Some(145)),
            ("npm::wrong-type", "berry-wrong-type/yarn.lock", Some(4)),
            ("npm::wrong-type", "packages-array/package-lock.json", Some(3)),
            ("npm::yarn-syntax", "yarn-truncated/yarn.lock", Some(4)),
        ]
    );
    // What could be read still is: the legacy tree beside the broken `packages`,
    // the good berry entry, the good yarn entry, and the 48 levels of the deep tree.
    for purl in ["pkg:npm/a@1.0.0", "pkg:npm/b@1.0.0", "pkg:npm/x8@1.0.0", "pkg:npm/top@1.0.0"] {
        assert!(inv.component(purl).is_some(), "{purl} missing");
    }
    assert!(inv.component("pkg:npm/x7@1.0.0").is_none(), "below the depth bound");
}
