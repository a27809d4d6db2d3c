//! The detector as the core's [`Concluder`], for licences of installed
//! packages (`sovra_core::installed`).

use std::sync::OnceLock;

use sovra_core::installed::{Concluder, Conclusion};

use crate::Detector;

impl Concluder for Detector {
    fn conclude(&self, text: &[u8]) -> Conclusion {
        let d = self.detect(text);
        Conclusion { expression: d.expression, confidence: d.confidence, matched: d.matched }
    }
}

/// A [`Detector`] built on first use: building one takes about a second,
/// which a scan that finds no installed package should not pay.
#[derive(Default)]
pub struct LazyDetector(OnceLock<Detector>);

impl Concluder for LazyDetector {
    fn conclude(&self, text: &[u8]) -> Conclusion {
        self.0.get_or_init(Detector::new).conclude(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concludes_like_detect() {
        let mit = "Permission is hereby granted, free of charge, to any person obtaining a copy of this software \
            and associated documentation files (the \"Software\"), to deal in the Software without restriction, \
            including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, \
            and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, \
            subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be \
            included in all copies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", \
            WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF \
            MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR \
            COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, \
            TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS \
            IN THE SOFTWARE.\n";
        let lazy = LazyDetector::default();
        let c = lazy.conclude(mit.as_bytes());
        assert_eq!(c.expression, "MIT");
        assert!(c.confidence > 0.8, "{c:?}");
        assert_eq!(lazy.conclude(b"").expression, "NONE");
    }
}
