use crate::{FixState, Severity};
use serde::{Deserialize, Serialize};

/// The identity of the package a finding is about, as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageRef {
    pub name: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<String>,
    pub purl: String,
}

/// One CVSS vector with its base score and who published it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    /// `2.0`, `3.0`, `3.1` or `4.0`.
    pub version: String,
    pub vector: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    pub source: String,
}

/// EPSS probability and percentile for a CVE.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Epss {
    pub score: f64,
    pub percentile: f64,
}

/// One (package, vulnerability) pair (DESIGN §1.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub id: String,
    pub aliases: Vec<String>,
    pub package: PackageRef,
    pub fixed_versions: Vec<String>,
    pub fix_state: FixState,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity_source: Option<String>,
    pub cvss: Vec<Cvss>,
    pub kev: bool,
    pub epss: Option<Epss>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub data_source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    /// What a VEX statement said about a finding that is still reported
    /// (`under_investigation`, `affected`); `None` when no VEX applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vex_status: Option<String>,
}

/// A finding that a filter removed from the reported set, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suppressed {
    pub finding: Finding,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Something that could not be read while the rest of the scan went on
/// (DESIGN §1.3). `path` names the file inside the image or on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub path: String,
    pub message: String,
}

impl Warning {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Warning {
            path: path.into(),
            message: message.into(),
        }
    }
}
