//! Sovra plug-in for go. Not written yet: it claims no files.

use sovra_core::plugin::{SourceTree, Unit};
use sovra_core::{Parsed, Plugin};

pub struct GoPlugin;

impl Plugin for GoPlugin {
    fn id(&self) -> &'static str {
        "go"
    }
    fn claims(&self, _path: &str) -> bool {
        false
    }
    fn units(&self, _claimed: &[String], _tree: &dyn SourceTree) -> Vec<Unit> {
        Vec::new()
    }
    fn parse(&self, _unit: &Unit, _tree: &dyn SourceTree) -> Parsed {
        Parsed::default()
    }
}
