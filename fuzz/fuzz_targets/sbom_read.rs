//! The readers of `sovra validate` and `sovra verify` on arbitrary bytes: a
//! delivered SBOM is untrusted input (JSON or XML, any nesting), read into a
//! document, checked against the BSI profile and compared with a scan.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sovra_core::validate::{self, Document, Profile};
use sovra_core::{Component, Ecosystem, Inventory, verify};

fuzz_target!(|bytes: &[u8]| {
    let Ok(doc) = Document::parse(bytes.to_vec(), "bom.json") else { return };
    let text = String::from_utf8_lossy(bytes);
    let options = validate::Options { profile: Some(Profile::BsiTr03183_2), schema_dir: None };
    let report = validate::validate_document(&doc, &text, &options);
    let _ = report.to_json();
    // A scan with one component, so that matching by purl and version runs.
    let inv = Inventory {
        components: vec![Component::new(Ecosystem::Npm, None, "left-pad", "1.3.0")],
        ..Inventory::default()
    };
    let _ = verify::verify(&doc, &inv, &verify::Options::default()).to_json();
});
