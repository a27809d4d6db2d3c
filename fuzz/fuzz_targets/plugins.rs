//! Every ecosystem plug-in, through the `Plugin` trait as a scan drives it,
//! on an in-memory tree of one or two files, then the core merge.
//!
//! Input layout: byte 0 picks the first file's path from `plugin-files.txt`
//! (the names the plug-ins claim or read beside what they claim); byte 1 is
//! `0xFF` for a single file holding the rest of the input, or picks a second
//! path, and then a little-endian `u16` splits the rest between the two files.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sovra_core::plugin::MemoryTree;
use sovra_core::scan::{ScanOptions, merge};
use sovra_core::{Component, Parsed, Plugin, SourceTree};

const PATHS: &str = include_str!("../plugin-files.txt");
const SINGLE: u8 = 0xFF;

const PLUGINS: [&dyn Plugin; 8] = [
    &sovra_cargo::CargoPlugin,
    &sovra_npm::NpmPlugin,
    &sovra_python::PythonPlugin,
    &sovra_maven::MavenPlugin,
    &sovra_go::GoPlugin,
    &sovra_composer::ComposerPlugin,
    &sovra_nuget::NugetPlugin,
    &sovra_ruby::RubyPlugin,
];

fn tree(data: &[u8]) -> Option<MemoryTree> {
    let paths: Vec<&str> = PATHS.lines().filter(|l| !l.is_empty()).collect();
    let pick = |b: u8| paths[usize::from(b) % paths.len()].to_string();
    let (&first, rest) = data.split_first()?;
    let (&second, rest) = rest.split_first()?;
    if second == SINGLE {
        return Some(MemoryTree::new([(pick(first), rest.to_vec())]));
    }
    let (len, rest) = rest.split_first_chunk::<2>()?;
    let (a, b) = rest.split_at(usize::from(u16::from_le_bytes(*len)).min(rest.len()));
    let (path_a, mut path_b) = (pick(first), pick(second));
    if path_a == path_b {
        // Two files of one name: a workspace member or a nested project.
        path_b = format!("sub/{path_b}");
    }
    Some(MemoryTree::new([(path_a, a.to_vec()), (path_b, b.to_vec())]))
}

fuzz_target!(|data: &[u8]| {
    let Some(tree) = tree(data) else { return };
    let mut results: Vec<(&str, Parsed)> = Vec::new();
    for plugin in PLUGINS {
        let claimed: Vec<String> = tree.files().iter().filter(|f| plugin.claims(f)).cloned().collect();
        if !claimed.is_empty() {
            for unit in plugin.units(&claimed, &tree) {
                results.push((plugin.id(), plugin.parse(&unit, &tree)));
            }
        }
        plugin.installed(&tree);
    }
    // The package caches are looked up for the components found; the tree
    // doubles as a cache so that a lockfile and a cached manifest can meet.
    let wanted: Vec<&Component> = results.iter().flat_map(|(_, p)| &p.components).collect();
    for plugin in PLUGINS {
        plugin.cached(&tree, &wanted);
    }
    merge(results.into_iter(), &ScanOptions::default());
});
