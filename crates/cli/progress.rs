//! The progress bar on stderr while plug-ins parse.

use indicatif::{ProgressBar, ProgressStyle};
use sovra_core::Unit;
use sovra_core::scan::Progress;

/// An indicatif bar counting parsed units; hidden when not drawing.
pub struct Bar(ProgressBar);

impl Bar {
    pub fn new(visible: bool) -> Bar {
        let bar = if visible { ProgressBar::new(0) } else { ProgressBar::hidden() };
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg:.bold} [{bar:30}] {pos}/{len} files")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message("scanning");
        Bar(bar)
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Progress for Bar {
    fn units_found(&self, total: usize) {
        self.0.set_length(total as u64);
    }
    fn unit_done(&self, unit: &Unit) {
        self.0.set_message(unit.primary.clone());
        self.0.inc(1);
    }
}
