//! `tidewatch clean`: remove what tidewatch keeps in its cache directory.

use crate::args::CleanArgs;
use crate::printer::Printer;
use crate::settings::Settings;
use anyhow::{Context, Result};
use std::path::Path;

pub fn run(args: CleanArgs, settings: &Settings, printer: &Printer) -> Result<u8> {
    // With no selection, clean what is safe to lose: the scan cache.
    let cache = args.cache || args.all || !args.vuln_db;
    // Checked before anything is removed, so a refusal leaves all in place.
    let db = (args.vuln_db || args.all) && is_removable_db(&settings.db)?;
    if cache {
        for sub in ["tmp", "layers"] {
            remove(&settings.cache_dir.join(sub), printer)?;
        }
    }
    if db {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = settings.db.clone().into_os_string();
            p.push(suffix);
            remove(Path::new(&p), printer)?;
        }
    }
    Ok(0)
}

/// Whether the file `--db` / `TIDEWATCH_DB` names may be deleted: only a
/// tidewatch database (of any schema version, so an old one can be
/// cleared) — a mistyped path must not cost the user an unrelated file.
/// `false` when there is nothing there.
fn is_removable_db(path: &Path) -> Result<bool> {
    use tidewatch_db::DbError;
    match tidewatch_db::Db::open(path) {
        Ok(_) | Err(DbError::SchemaMismatch { .. }) => Ok(true),
        Err(DbError::NotFound { .. }) => Ok(false),
        Err(e) => anyhow::bail!("{e}; refusing to remove it (check --db / TIDEWATCH_DB)"),
    }
}

fn remove(path: &Path, printer: &Printer) -> Result<()> {
    let result = if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    match result {
        Ok(()) => {
            printer.line(&format!("removed {}", path.display()));
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot remove {}", path.display())),
    }
}
