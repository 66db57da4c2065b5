use serde::{Deserialize, Serialize};

/// The operating system found in an image.
///
/// `family` is a lower-case distro id as in os-release `ID` (`alpine`,
/// `debian`, `ubuntu`, `wolfi`, `chainguard`, `rhel`, …); `version` is the
/// full release (`3.18.9`, `12.5`, `22.04`). `eol` is true when the release
/// is past its end of life on the scan date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OsInfo {
    pub family: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Release codename (`bookworm`, `jammy`) when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codename: Option<String>,
    pub eol: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eol_date: Option<String>,
    /// Red Hat content sets (`rhel-8-for-x86_64-baseos-rpms`) from the
    /// image's `root/buildinfo/content_manifests`, sorted; empty elsewhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content_sets: Vec<String>,
}
