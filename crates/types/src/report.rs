use crate::{Finding, LayerInfo, OsInfo, Package, Severity, Suppressed, Warning};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The JSON report's schema version (DESIGN §1.1). Bump only on a
/// breaking change; adding fields does not need it.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// What was scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    Image,
    Fs,
    Sbom,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub kind: TargetKind,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<String>,
    pub os: Option<OsInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Summary {
    pub by_severity: BTreeMap<Severity, usize>,
    #[serde(default)]
    pub suppressed: usize,
    pub exit_code: i32,
    /// Why the exit status is what it is, in one sentence.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub verdict: String,
}

/// A whole scan result: what every output format renders (DESIGN §1.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub target: Target,
    pub layers: Vec<LayerInfo>,
    pub packages: Vec<Package>,
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    pub warnings: Vec<Warning>,
    pub summary: Summary,
}
