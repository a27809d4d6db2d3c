//! CycloneDX documents: JSON and XML, specification 1.5, 1.6 (the default) and 1.7.
//!
//! Sovra writes its own document model instead of using the `cyclonedx-bom`
//! crate, because that crate models the specification only up to 1.5: it can
//! express neither 1.6's licence `acknowledgement` and `authors` objects nor
//! 1.7's licence arrays that hold a declared and a concluded expression side by
//! side, and Germany's BSI TR-03183-2 requires 1.6 or newer. The part of the
//! specification Sovra fills is small, so a model of just that part, checked
//! against the official JSON schemas and XSDs (`tests/cyclonedx_schema.rs`,
//! schemas fetched by `.ci/fetch-schemas`), is less code than an adapter.
//!
//! How it fits together:
//!
//! * [`doc`] is the document as serde structs; JSON is `serde_json` of it.
//! * [`build`] fills it from an [`Inventory`]. Every difference between
//!   specification versions comes from one [`Dialect`], so there is one
//!   builder, not one per version.
//! * [`licenses`] places declared and concluded licences in the `licenses`
//!   array within the rules of each version.
//! * [`xml`] walks the same structs in the element order the XSD demands.
//! * [`ids`] makes timestamps and serial numbers, reproducibly when
//!   `SOURCE_DATE_EPOCH` is set.

mod build;
mod doc;
pub(crate) mod ids;
mod licenses;
mod uri;
mod xml;

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

/// What a specification version allows, in one place. The builder asks this
/// instead of comparing version numbers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Dialect {
    pub spec: SpecVersion,
    /// Licences carry `acknowledgement` (`declared` or `concluded`), 1.6+.
    pub acknowledgement: bool,
    /// Component creators are `authors` contact objects (1.6+); 1.5 has only
    /// the free-text `author`, deprecated since.
    pub author_objects: bool,
    /// A `licenses` array may mix `license` objects and several expressions
    /// (1.7+). Before, it is either `license` objects or exactly one expression.
    pub mixed_licenses: bool,
    /// `manufacturer` on the BOM's metadata and on components (1.6+).
    pub manufacturer: bool,
    /// The `source-distribution` external reference type (1.6+).
    pub source_distribution: bool,
}

impl Dialect {
    pub fn of(spec: SpecVersion) -> Dialect {
        let since_1_6 = spec >= SpecVersion::V1_6;
        Dialect {
            spec,
            acknowledgement: since_1_6,
            author_objects: since_1_6,
            mixed_licenses: spec >= SpecVersion::V1_7,
            manufacturer: since_1_6,
            source_distribution: since_1_6,
        }
    }

    pub fn json_schema(self) -> String {
        format!("http://cyclonedx.org/schema/bom-{}.schema.json", self.spec.as_str())
    }

    pub fn xml_namespace(self) -> String {
        format!("http://cyclonedx.org/schema/bom/{}", self.spec.as_str())
    }
}

/// Everything about a document that does not come from the inventory.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    pub spec: SpecVersion,
    pub encoding: Encoding,
    /// The version of Sovra, for `metadata.tools`.
    pub tool_version: String,
    /// RFC 3339 UTC timestamp, `YYYY-MM-DDTHH:MM:SSZ`.
    pub timestamp: String,
    /// `urn:uuid:...`; `None` derives it from the document's content, so that
    /// the same inventory written at the same time gets the same serial number.
    pub serial_number: Option<String>,
    /// The profile being filled; with BSI TR-03183-2 components name their
    /// reachable creators as `manufacturer`.
    pub profile: Option<crate::validate::Profile>,
    /// `metadata.manufacturer`: who made the SBOM (the user's organisation).
    pub manufacturer: Option<crate::party::Organization>,
}

impl WriteOptions {
    /// Options for a document written now; `SOURCE_DATE_EPOCH` (seconds since
    /// 1970, as reproducible-builds.org defines it) fixes the timestamp and
    /// makes the serial number a function of the content. A value that is not
    /// an integer within years 0000 to 9999 is ignored.
    pub fn from_env(spec: SpecVersion, encoding: Encoding, tool_version: &str) -> WriteOptions {
        if let Some(options) =
            ids::source_date_epoch().and_then(|e| WriteOptions::reproducible(spec, encoding, tool_version, e))
        {
            return options;
        }
        WriteOptions {
            spec,
            encoding,
            tool_version: tool_version.to_string(),
            timestamp: ids::rfc3339(crate::time::now_secs()).unwrap_or_default(),
            serial_number: Some(ids::random_serial()),
            profile: None,
            manufacturer: None,
        }
    }

    /// Options for a reproducible document dated `epoch` (seconds since 1970
    /// UTC); `None` when the instant cannot be written as RFC 3339.
    pub fn reproducible(spec: SpecVersion, encoding: Encoding, tool_version: &str, epoch: i64) -> Option<WriteOptions> {
        Some(WriteOptions {
            spec,
            encoding,
            tool_version: tool_version.to_string(),
            timestamp: ids::rfc3339(epoch)?,
            serial_number: None,
            profile: None,
            manufacturer: None,
        })
    }
}

/// The inventory as a CycloneDX document in the requested version and encoding.
pub fn write(inv: &Inventory, opts: &WriteOptions) -> String {
    let dialect = Dialect::of(opts.spec);
    let mut bom = build::bom(inv, opts, dialect);
    bom.serial_number = match &opts.serial_number {
        Some(serial) => serial.clone(),
        // The JSON text without serial number stands for the content in both
        // encodings, so the JSON and XML of one document share a serial number.
        None => ids::content_serial(to_json(&bom).as_bytes()),
    };
    match opts.encoding {
        Encoding::Json => to_json(&bom),
        Encoding::Xml => xml::write(&bom, dialect),
    }
}

fn to_json(bom: &doc::Bom) -> String {
    // The document holds only strings, numbers and sequences, which always serialise.
    let mut out = serde_json::to_string_pretty(bom).unwrap_or_default();
    out.push('\n');
    out
}
