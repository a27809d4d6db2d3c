//! The policy file (`sovra.toml`) parser and checks on arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sovra_core::policy::Policy;

fuzz_target!(|text: &str| {
    if let Err(e) = Policy::from_file("sovra.toml", text) {
        // Error positions are computed from spans: rendering them must not panic either.
        let _ = e.to_string();
    }
});
