//! Sovra plug-in for composer. Not written yet: it claims no files.

use sovra_core::plugin::{SourceTree, Unit};
use sovra_core::{Parsed, Plugin};

pub struct ComposerPlugin;

impl Plugin for ComposerPlugin {
    fn id(&self) -> &'static str {
        "composer"
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
