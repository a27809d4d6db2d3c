//! The same tree gives the same SBOM: byte for byte under `SOURCE_DATE_EPOCH`,
//! and up to serial number and timestamps without it. The scan runs the
//! plug-ins in parallel, so this also checks that the merge orders everything.

use std::path::PathBuf;

use serde_json::Value;

/// All fixtures at once: many ecosystems, broken files (so diagnostics), and
/// enough units for the thread pool to finish them in varying order.
fn tree() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn scan(format: &str, spec: &str, epoch: Option<&str>) -> String {
    let mut cmd = assert_cmd::Command::cargo_bin("sovra").expect("sovra binary");
    cmd.args(["scan", "--quiet", "--format", format, "--spec-version", spec]).arg(tree());
    match epoch {
        Some(e) => cmd.env("SOURCE_DATE_EPOCH", e),
        None => cmd.env_remove("SOURCE_DATE_EPOCH"),
    };
    let out = cmd.output().expect("run sovra");
    assert!(matches!(out.status.code(), Some(0 | 2)), "sovra failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn same_epoch_same_bytes() {
    for (format, spec) in
        [("cyclonedx-json", "1.6"), ("cyclonedx-xml", "1.6"), ("cyclonedx-json", "1.5"), ("cyclonedx-xml", "1.7")]
    {
        let a = scan(format, spec, Some("1700000000"));
        let b = scan(format, spec, Some("1700000000"));
        assert!(!a.is_empty());
        assert!(a == b, "{format} {spec}: two runs differ");
        assert!(a.contains("2023-11-14T22:13:20Z"), "{format} {spec}: timestamp is not the epoch");
    }
}

fn serial(json: &Value) -> String {
    json["serialNumber"].as_str().expect("serialNumber").to_string()
}

#[test]
fn serial_number_follows_epoch_and_content() {
    let a: Value = serde_json::from_str(&scan("cyclonedx-json", "1.6", Some("1700000000"))).expect("JSON");
    let b: Value = serde_json::from_str(&scan("cyclonedx-json", "1.6", Some("1700000001"))).expect("JSON");
    let c: Value = serde_json::from_str(&scan("cyclonedx-json", "1.7", Some("1700000000"))).expect("JSON");
    let s = serial(&a);
    assert_ne!(s, serial(&b), "another instant, another document");
    assert_ne!(s, serial(&c), "another version, another document");
    // RFC 9562 shape: version 8 (name-based, SHA-256), variant 10.
    let hex = s.strip_prefix("urn:uuid:").expect("urn:uuid");
    assert_eq!(hex.len(), 36);
    assert_eq!(&hex[14..15], "8", "{s}");
    assert!(matches!(&hex[19..20], "8" | "9" | "a" | "b"), "{s}");
    // JSON and XML of the same document share it.
    let xml = scan("cyclonedx-xml", "1.6", Some("1700000000"));
    assert!(xml.contains(&format!("serialNumber=\"{s}\"")), "XML serial differs from JSON's {s}");
    // An epoch that is not a number is ignored rather than half-applied.
    let d: Value = serde_json::from_str(&scan("cyclonedx-json", "1.6", Some("yesterday"))).expect("JSON");
    assert_ne!(d["metadata"]["timestamp"], "1970-01-01T00:00:00Z");
    assert_eq!(&serial(&d)[23..24], "4", "random serial is version 4");
}

/// A JSON document without what legitimately changes from run to run.
fn without_volatile(mut doc: Value) -> Value {
    if let Some(obj) = doc.as_object_mut() {
        obj.remove("serialNumber");
    }
    if let Some(meta) = doc["metadata"].as_object_mut() {
        meta.remove("timestamp");
    }
    for a in doc["annotations"].as_array_mut().into_iter().flatten() {
        if let Some(obj) = a.as_object_mut() {
            obj.remove("timestamp");
        }
    }
    doc
}

/// The XML with the serial number and every `<timestamp>` blanked.
fn xml_without_volatile(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(start) = rest.find("<timestamp>") {
        let end = rest[start..].find("</timestamp>").map_or(rest.len(), |e| start + e);
        out.push_str(&rest[..start]);
        rest = &rest[end..];
    }
    out.push_str(rest);
    match (out.find("serialNumber=\""), out.find(" version=\"1\"")) {
        (Some(s), Some(e)) if s < e => format!("{}{}", &out[..s], &out[e..]),
        _ => out,
    }
}

#[test]
fn without_epoch_only_serial_and_time_differ() {
    let a: Value = serde_json::from_str(&scan("cyclonedx-json", "1.6", None)).expect("JSON");
    let b: Value = serde_json::from_str(&scan("cyclonedx-json", "1.6", None)).expect("JSON");
    assert_ne!(serial(&a), serial(&b), "two documents need two serial numbers");
    assert!(a["metadata"]["timestamp"].as_str().is_some_and(|t| t.len() == 20 && t.ends_with('Z')));
    assert_eq!(without_volatile(a), without_volatile(b));

    let x = scan("cyclonedx-xml", "1.6", None);
    let y = scan("cyclonedx-xml", "1.6", None);
    assert_ne!(x, y);
    assert_eq!(xml_without_volatile(&x), xml_without_volatile(&y));
    assert!(!xml_without_volatile(&x).contains("serialNumber"));
}
