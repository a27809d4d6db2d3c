//! Sovra plug-in for ruby. Not written yet: it claims no files.

use sovra_core::plugin::{SourceTree, Unit};
use sovra_core::{Parsed, Plugin};

pub struct RubyPlugin;

impl Plugin for RubyPlugin {
    fn id(&self) -> &'static str {
        "ruby"
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
