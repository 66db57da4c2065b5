//! Renders a [`tidewatch_types::Report`] in every output format tidewatch
//! offers, and owns the JSON Schema of the JSON report. Renderers write to
//! any `io::Write`; deciding where that goes (stdout or `--output`) is the
//! binary's job.

pub mod cyclonedx;
mod document;
mod escape;
mod format;
pub mod html;
mod json;
mod licenses;
pub mod sarif;
pub mod spdx;
mod table;

pub use escape::escape_controls;
pub use format::Format;
pub use table::{GroupBy, SortBy, TableOptions, sort_findings};

use std::io::{self, Write};
use tidewatch_types::Report;

/// The JSON Schema (draft 2020-12) every JSON report validates against.
pub const JSON_SCHEMA: &str = include_str!("../schema/report-v1.schema.json");

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write the report: {0}")]
    Io(#[from] io::Error),
    #[error("cannot serialise the report: {0}")]
    Json(#[from] serde_json::Error),
}

/// Options that change how a report is rendered (not what it contains).
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    pub table: TableOptions,
    /// When the SBOM formats (CycloneDX, SPDX) say they were created.
    /// `None`: `SOURCE_DATE_EPOCH` when set, else now. Pin it for
    /// reproducible documents.
    pub created: Option<jiff::Timestamp>,
}

/// Render `report` as `format` into `out`.
pub fn render(
    report: &Report,
    format: Format,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    match format {
        Format::Table => table::render(report, &options.table, out)?,
        Format::Json => json::render(report, out)?,
        Format::Sarif => sarif::render(report, out)?,
        Format::CycloneDx => cyclonedx::render(report, options.created, out)?,
        Format::SpdxJson => spdx::render(report, options.created, out)?,
        Format::Html => html::render(report, out)?,
    }
    Ok(())
}
