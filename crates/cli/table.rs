//! The human-readable summary of a scan (`--format table`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sovra_core::{Inventory, Scope};

pub fn render(inv: &Inventory) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Scanned: {}", inv.root.name);
    let files: usize = inv.files.values().map(Vec::len).sum();
    let _ = writeln!(
        out,
        "Files read: {files}   projects: {}   third-party components: {}",
        inv.projects.len(),
        inv.components.len()
    );
    let _ = writeln!(out);

    let mut counts: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    for c in &inv.components {
        let eco = c.ecosystem.map(|e| e.to_string()).unwrap_or_else(|| "?".into());
        let slot = match c.scope.unwrap_or(Scope::Required) {
            Scope::Required => 0,
            Scope::Optional => 1,
            Scope::Dev => 2,
            Scope::Excluded => 3,
        };
        counts.entry(eco).or_default()[slot] += 1;
    }
    let _ = writeln!(
        out,
        "{:<12} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "ecosystem", "required", "optional", "dev", "excluded", "total"
    );
    let mut total = [0usize; 4];
    for (eco, c) in &counts {
        let _ =
            writeln!(out, "{:<12} {:>9} {:>9} {:>9} {:>9} {:>9}", eco, c[0], c[1], c[2], c[3], c.iter().sum::<usize>());
        for i in 0..4 {
            total[i] += c[i];
        }
    }
    let _ = writeln!(
        out,
        "{:<12} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "all",
        total[0],
        total[1],
        total[2],
        total[3],
        total.iter().sum::<usize>()
    );

    if !inv.diagnostics.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Diagnostics ({}):", inv.diagnostics.len());
        for d in &inv.diagnostics {
            let _ = writeln!(out, "  {d}");
        }
    }
    out
}
