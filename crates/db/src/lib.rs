//! The vulnerability database: one SQLite file normalised on the OSV model
//! (advisories, affected packages with ranges and fix states, enrichment),
//! the importers that turn each feed's native format into it, and the
//! atomic build-and-rename that keeps a crash from ever leaving a broken DB.
//!
//! - [`Db`] opens a database read-only for scans ([`Db::affected`],
//!   [`Db::cve_enrichment`], [`Db::status`]).
//! - [`import`] builds a new file from the current one plus feed files,
//!   replacing the sources those files hold (see `feeds` for what a source
//!   is and how to add an importer).
//! - [`update::update`] downloads the feeds and imports what changed.

mod error;
mod feeds;
mod import;
mod input;
mod model;
mod schema;
mod scoring;
mod shape;
mod store;
pub mod update;

pub use error::DbError;
pub use import::{ImportOptions, import, import_with};
pub use model::{
    Advisory, AffectedRecord, CveInfo, DbStatus, ImportReport, SourceStatus, SourceSummary,
};
pub use schema::SCHEMA_VERSION;
pub use scoring::best_severity as cvss_severity;
pub use store::Db;
