//! Renders a [`tidewatch_types::Report`] in every output format tidewatch
//! offers, and owns the JSON Schema of the JSON report. Renderers write to
//! any `io::Write`; deciding where that goes (stdout or `--output`) is the
//! binary's job.

mod format;
mod json;
mod table;

pub use format::Format;
pub use table::TableOptions;

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
    #[error("output format {0} is not available yet")]
    Unsupported(&'static str),
}

/// Options that change how a report is rendered (not what it contains).
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    pub table: TableOptions,
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
        other => return Err(ReportError::Unsupported(other.name())),
    }
    Ok(())
}
