//! CycloneDX writer. Not written yet.

use crate::model::Inventory;

/// The CycloneDX specification version to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SpecVersion {
    V1_5,
    V1_6,
    V1_7,
}

impl SpecVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1_5 => "1.5",
            SpecVersion::V1_6 => "1.6",
            SpecVersion::V1_7 => "1.7",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Json,
    Xml,
}

/// Everything about a document that does not come from the inventory.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    pub spec: SpecVersion,
    pub encoding: Encoding,
    /// The version of Sovra, for `metadata.tools`.
    pub tool_version: String,
    /// RFC 3339 UTC timestamp.
    pub timestamp: String,
    /// `urn:uuid:...`
    pub serial_number: String,
}

pub fn write(_inv: &Inventory, _opts: &WriteOptions) -> String {
    String::new()
}

impl WriteOptions {
    /// Options for a document written now; `SOURCE_DATE_EPOCH` fixes the
    /// timestamp and serial number for reproducible output.
    pub fn from_env(spec: SpecVersion, encoding: Encoding, tool_version: &str) -> WriteOptions {
        WriteOptions {
            spec,
            encoding,
            tool_version: tool_version.to_string(),
            timestamp: String::new(),
            serial_number: String::new(),
        }
    }
}
