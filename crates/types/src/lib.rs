//! The vocabulary every tidewatch crate speaks: what a package, a layer, an
//! advisory range and a finding are, plus the severity and fix-state scales.
//! This crate owns no behaviour beyond parsing and ordering those small
//! values, and does no I/O, so that every other crate can depend on it
//! without pulling anything else in.

mod advisory;
mod finding;
mod image;
mod os;
mod package;
mod report;
mod severity;

pub use advisory::{AffectedRange, RangeEvent, RangeKind};
pub use finding::{Cvss, Epss, Finding, PackageRef, Suppressed, Warning};
pub use image::LayerInfo;
pub use os::OsInfo;
pub use package::{Location, Package, PackageType, SourcePackage};
pub use report::{REPORT_SCHEMA_VERSION, Report, Summary, Target, TargetKind, Tool};
pub use severity::{FixState, ParseError, Severity};
