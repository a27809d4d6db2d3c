//! The BSI TR-03183-2 profile (v2.1.0, August 2025): what an SBOM for German
//! public administration must contain, how Sovra fills it during a scan, and
//! which fields a scan could not fill.
//!
//! * [`Field`] is the list of the guideline's data fields as they map onto
//!   CycloneDX (the guideline's mapping tables and the BSI's CycloneDX property
//!   taxonomy, `bsi:component:*`). The validator ([`crate::validate`]) reports
//!   findings and scores per field; the scan reports its [`Gap`]s per field, so
//!   the two can be compared.
//! * [`apply`] fills what the inputs allow: the file name and URL of each
//!   package's deployable file from the ecosystem's naming rules, the
//!   classification properties, creators with a contact; [`gaps`] lists every
//!   required field still empty, per component. Nothing is invented: a field
//!   without data stays empty and becomes a gap.

use serde::Serialize;

/// The profile's name on the command line and in `sovra.toml`.
pub const PROFILE: &str = "bsi-tr-03183-2";
/// The version of the guideline the rules follow.
pub const GUIDELINE: &str = "BSI TR-03183-2 v2.1.0";

pub const PROP_FILENAME: &str = "bsi:component:filename";
pub const PROP_EXECUTABLE: &str = "bsi:component:executable";
pub const PROP_ARCHIVE: &str = "bsi:component:archive";
pub const PROP_STRUCTURED: &str = "bsi:component:structured";
pub const PROP_EFFECTIVE_LICENCE: &str = "bsi:component:effectiveLicence";

/// Whether the guideline demands a field always, or whenever the data exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Requirement {
    /// Must be present; its absence fails the profile.
    Required,
    /// Must be present when the data exists ("additional" fields); its
    /// absence is a warning, because a checker cannot know whether it exists.
    Additional,
}

/// Whether a field belongs to the document or to each component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Sbom,
    Component,
}

/// One data field of the guideline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    /// CycloneDX 1.6 or newer.
    SpecVersion,
    /// No vulnerability data in the SBOM.
    NoVulnerabilities,
    /// `metadata.manufacturer` with an email or a URL.
    SbomCreator,
    /// `metadata.timestamp`.
    Timestamp,
    /// `serialNumber`.
    SbomUri,
    /// The component's `manufacturer` with an email or a URL.
    Creator,
    Name,
    /// `version` (or the file's modification date when it has none).
    Version,
    /// `bsi:component:filename`.
    Filename,
    /// An entry in `dependencies`.
    Dependencies,
    /// Listed in a `compositions` entry stating completeness.
    Completeness,
    /// A licence with `acknowledgement: concluded`, as an SPDX id or expression.
    DistributionLicence,
    /// SHA-512 in `externalReferences[type=distribution].hashes`.
    Hash,
    Executable,
    Archive,
    Structured,
    /// `externalReferences[type=source-distribution]`.
    SourceUri,
    /// `externalReferences[type=distribution]`.
    DistributionUri,
    /// purl or CPE.
    Identifiers,
    /// A licence with `acknowledgement: declared`.
    OriginalLicence,
    /// `bsi:component:effectiveLicence`: optional; checked only where present.
    EffectiveLicence,
}

impl Field {
    pub const ALL: [Field; 21] = [
        Field::SpecVersion,
        Field::NoVulnerabilities,
        Field::SbomCreator,
        Field::Timestamp,
        Field::SbomUri,
        Field::Creator,
        Field::Name,
        Field::Version,
        Field::Filename,
        Field::Dependencies,
        Field::Completeness,
        Field::DistributionLicence,
        Field::Hash,
        Field::Executable,
        Field::Archive,
        Field::Structured,
        Field::SourceUri,
        Field::DistributionUri,
        Field::Identifiers,
        Field::OriginalLicence,
        Field::EffectiveLicence,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Field::SpecVersion => "spec-version",
            Field::NoVulnerabilities => "no-vulnerabilities",
            Field::SbomCreator => "sbom-creator",
            Field::Timestamp => "timestamp",
            Field::SbomUri => "sbom-uri",
            Field::Creator => "creator",
            Field::Name => "name",
            Field::Version => "version",
            Field::Filename => "filename",
            Field::Dependencies => "dependencies",
            Field::Completeness => "completeness",
            Field::DistributionLicence => "distribution-licence",
            Field::Hash => "hash",
            Field::Executable => "executable",
            Field::Archive => "archive",
            Field::Structured => "structured",
            Field::SourceUri => "source-uri",
            Field::DistributionUri => "distribution-uri",
            Field::Identifiers => "identifiers",
            Field::OriginalLicence => "original-licence",
            Field::EffectiveLicence => "effective-licence",
        }
    }

    pub fn parse(id: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.id() == id)
    }

    /// `None` for the optional effective licence, which is never missing.
    pub fn requirement(self) -> Option<Requirement> {
        match self {
            Field::SbomUri
            | Field::SourceUri
            | Field::DistributionUri
            | Field::Identifiers
            | Field::OriginalLicence => Some(Requirement::Additional),
            Field::EffectiveLicence => None,
            _ => Some(Requirement::Required),
        }
    }

    pub fn level(self) -> Level {
        match self {
            Field::SpecVersion
            | Field::NoVulnerabilities
            | Field::SbomCreator
            | Field::Timestamp
            | Field::SbomUri => Level::Sbom,
            _ => Level::Component,
        }
    }

    /// Where the field lives in a CycloneDX document, for messages.
    pub fn cyclonedx(self) -> &'static str {
        match self {
            Field::SpecVersion => "specVersion >= 1.6",
            Field::NoVulnerabilities => "no vulnerabilities",
            Field::SbomCreator => "metadata.manufacturer (email or url)",
            Field::Timestamp => "metadata.timestamp",
            Field::SbomUri => "serialNumber",
            Field::Creator => "manufacturer (email or url)",
            Field::Name => "name",
            Field::Version => "version",
            Field::Filename => "properties[bsi:component:filename]",
            Field::Dependencies => "dependencies[ref]",
            Field::Completeness => "compositions[aggregate]",
            Field::DistributionLicence => "licenses[acknowledgement=concluded]",
            Field::Hash => "externalReferences[type=distribution].hashes[SHA-512]",
            Field::Executable => "properties[bsi:component:executable]",
            Field::Archive => "properties[bsi:component:archive]",
            Field::Structured => "properties[bsi:component:structured]",
            Field::SourceUri => "externalReferences[type=source-distribution]",
            Field::DistributionUri => "externalReferences[type=distribution]",
            Field::Identifiers => "purl or cpe",
            Field::OriginalLicence => "licenses[acknowledgement=declared]",
            Field::EffectiveLicence => "properties[bsi:component:effectiveLicence]",
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}
