//! `tidewatch db import` and `tidewatch db status`.

use crate::args::DbCommand;
use crate::printer::Printer;
use crate::settings::{Settings, ensure_parent};
use anyhow::Result;
use std::time::Instant;
use tidewatch_db::Db;

pub fn run(cmd: DbCommand, settings: &Settings, printer: &Printer) -> Result<u8> {
    match cmd {
        DbCommand::Import { paths } => import(&paths, settings, printer),
        DbCommand::Status => status(settings, printer),
    }
}

fn import(paths: &[std::path::PathBuf], settings: &Settings, printer: &Printer) -> Result<u8> {
    for p in paths {
        if !p.exists() {
            anyhow::bail!("{}: no such file or directory", p.display());
        }
    }
    ensure_parent(&settings.db)?;
    let started = Instant::now();
    let report = tidewatch_db::import(&settings.db, paths)?;
    printer.warnings(&report.warnings);
    for s in &report.sources {
        printer.line(&format!(
            "{:<32} {:>7} advisories {:>8} affected {:>8} enrichment{}",
            s.name,
            s.advisories,
            s.affected,
            s.enrichment,
            if s.replaced { "  (replaced)" } else { "" }
        ));
    }
    printer.line(&format!(
        "imported {} source(s) from {} file(s) into {} in {:.1}s ({} skipped)",
        report.sources.len(),
        report.files_read,
        settings.db.display(),
        started.elapsed().as_secs_f64(),
        report.warnings.len()
    ));
    Ok(0)
}

fn status(settings: &Settings, printer: &Printer) -> Result<u8> {
    let db = Db::open(&settings.db)?;
    let st = db.status()?;
    printer.line(&format!("database:       {}", st.path.display()));
    printer.line(&format!("schema version: {}", st.schema_version));
    printer.line(&format!("built:          {}", st.built_at));
    printer.line(&format!("sources:        {}", st.sources.len()));
    for s in &st.sources {
        printer.line(&format!(
            "  {:<30} {:>7} advisories {:>8} affected {:>8} enrichment  {} {} from {}",
            s.name, s.advisories, s.affected, s.enrichment, s.via, s.imported_at, s.origin
        ));
    }
    Ok(0)
}
