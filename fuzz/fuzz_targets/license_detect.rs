//! The licence-text detector on arbitrary bytes, as `sovra licenses detect`
//! hands it a file's contents.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sovra_licenses::Detector;

// Building the index takes about a second: once per process, not per input.
static DETECTOR: OnceLock<Detector> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let detection = DETECTOR.get_or_init(Detector::new).detect(data);
    assert!((0.0..=1.0).contains(&detection.confidence), "confidence {} out of range", detection.confidence);
});
