use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Whether a package comes from the OS package manager or a language
/// ecosystem; `--pkg-types os,library` selects on this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum PackageType {
    Os,
    Library,
}

/// Where a package was read from: a path inside the image (no leading
/// `/`) and the index of the layer that last wrote that file (`None` for
/// sources without layers, such as a plain directory or an SBOM).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub struct Location {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
}

/// The source (Debian source package, apk origin, source RPM) a binary
/// package was built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourcePackage {
    pub name: String,
    pub version: String,
}

/// One installed package, as a cataloger found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub name: String,
    pub version: String,
    /// The cataloger's format: `apk`, `deb`, `rpm`, `python`, `npm`, `go`, …
    /// (the purl type where one exists).
    #[serde(rename = "type")]
    pub format: String,
    pub kind: PackageType,
    /// The OSV ecosystem string the matcher queries (`Alpine:v3.18`,
    /// `Debian:12`, `PyPI`, …); `None` when the package cannot be matched
    /// (unknown distro, unsupported release).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<String>,
    pub purl: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourcePackage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    pub locations: Vec<Location>,
    /// Files the package installs (paths without a leading `/`), for OS
    /// packages; used to tell which language packages the OS owns. Not
    /// part of the report.
    #[serde(skip)]
    pub owned_files: Vec<String>,
    /// The OS package that owns this package's files, when a language
    /// package was installed by the distro. Such packages are matched
    /// against the OS advisories only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
    /// Free-form facts worth showing (`bundled`, `guessed-from`, …).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
}

impl Package {
    /// A package with the required fields set and everything else empty.
    pub fn new(
        name: impl Into<String>,
        version: impl Into<String>,
        format: impl Into<String>,
        kind: PackageType,
    ) -> Self {
        Package {
            name: name.into(),
            version: version.into(),
            format: format.into(),
            kind,
            ecosystem: None,
            purl: String::new(),
            source: None,
            arch: None,
            licenses: Vec::new(),
            locations: Vec::new(),
            owned_files: Vec::new(),
            owned_by: None,
            metadata: BTreeMap::new(),
        }
    }

    /// The first location's layer, which is what a finding reports.
    pub fn layer(&self) -> Option<usize> {
        self.locations.first().and_then(|l| l.layer)
    }

    pub fn path(&self) -> Option<&str> {
        self.locations.first().map(|l| l.path.as_str())
    }
}
