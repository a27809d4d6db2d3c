//! The declared-licence normaliser on arbitrary strings (any manifest's
//! `license` field reaches it), then the classifier on what it produced.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sovra_core::license::{classify, normalize};

fuzz_target!(|raw: &str| {
    let n = normalize(raw);
    // Its promise: a valid expression or NOASSERTION, so normalising again changes nothing.
    assert_eq!(normalize(&n.expression).expression, n.expression, "not a fixed point for {raw:?}");
    classify(&n.expression);
});
