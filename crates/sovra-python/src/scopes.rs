//! Scopes from reachability, for lockfiles that do not record them per package
//! (uv.lock, poetry.lock 2.0 without `groups`): a package is Required when a
//! root's runtime dependencies reach it, else Optional when an extra (or an
//! optional dependency) is on every path to it, else Dev when only dependency
//! groups reach it.

use std::collections::BTreeMap;

use sovra_core::Scope;

/// A dependency graph over string keys (purls, project refs, or virtual
/// nodes such as `pkg[extra]` that stand for an activated extra).
#[derive(Default)]
pub struct Graph {
    edges: BTreeMap<String, Vec<(String, bool)>>,
    seeds: Vec<(String, Scope)>,
}

impl Graph {
    /// `weaken`: the edge is an optional dependency of its source, so what
    /// is reached through it is at best Optional.
    pub fn edge(&mut self, from: &str, to: &str, weaken: bool) {
        self.edges.entry(from.to_string()).or_default().push((to.to_string(), weaken));
    }

    pub fn seed(&mut self, node: &str, scope: Scope) {
        self.seeds.push((node.to_string(), scope));
    }

    /// The strongest scope each reachable node gets: a path's scope is the
    /// weakest of its seed and its weakening edges, a node's the strongest of
    /// its paths. Levels are settled from the strongest, so a node's first
    /// settlement is final.
    pub fn solve(&self) -> BTreeMap<String, Scope> {
        let mut out: BTreeMap<String, Scope> = BTreeMap::new();
        let mut pending: BTreeMap<Scope, Vec<String>> = BTreeMap::new();
        for (node, s) in &self.seeds {
            pending.entry(*s).or_default().push(node.clone());
        }
        for level in [Scope::Required, Scope::Optional, Scope::Dev, Scope::Excluded] {
            let mut stack = pending.remove(&level).unwrap_or_default();
            while let Some(n) = stack.pop() {
                if out.contains_key(&n) {
                    continue;
                }
                out.insert(n.clone(), level);
                for (to, weaken) in self.edges.get(&n).map(Vec::as_slice).unwrap_or(&[]) {
                    if out.contains_key(to) {
                        continue;
                    }
                    let s = if *weaken { level.max(Scope::Optional) } else { level };
                    if s == level {
                        stack.push(to.clone());
                    } else {
                        pending.entry(s).or_default().push(to.clone());
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strongest_path_wins_and_optional_edges_weaken() {
        let mut g = Graph::default();
        g.seed("root", Scope::Required);
        g.seed("dev", Scope::Dev);
        g.edge("root", "a", false);
        g.edge("a", "b", true);
        g.edge("b", "c", false);
        g.edge("dev", "c", false);
        g.edge("dev", "d", false);
        g.edge("dev", "a", false);
        let s = g.solve();
        assert_eq!(s["a"], Scope::Required);
        assert_eq!(s["b"], Scope::Optional);
        assert_eq!(s["c"], Scope::Optional);
        assert_eq!(s["d"], Scope::Dev);
        assert!(!s.contains_key("e"));
    }
}
