//! The scan pipeline as a library: resolve the source, squash the wanted
//! files out of its layers, catalogue packages, match them against the
//! database and filter the findings into a [`tidewatch_types::Report`].
//! Used by the CLI (and later the server); it prints nothing and decides
//! no exit status — the gate is applied by the caller on the report.

mod base;
pub mod cache;
mod pipeline;

pub use pipeline::{ScanError, ScanOptions, ScanTarget, scan};
