//! Where things live: the cache directory and the database file, from
//! flags, environment and XDG defaults.

use crate::args::GlobalArgs;
use anyhow::{Context, Result, bail};
use std::path::PathBuf;

pub struct Settings {
    pub cache_dir: PathBuf,
    pub db: PathBuf,
}

impl Settings {
    pub fn resolve(global: &GlobalArgs) -> Result<Settings> {
        let cache_dir = match &global.cache_dir {
            Some(d) => d.clone(),
            None => default_cache_dir()?,
        };
        let db = match &global.db {
            Some(p) => p.clone(),
            None => cache_dir.join("db").join("tidewatch.db"),
        };
        Ok(Settings { cache_dir, db })
    }
}

fn default_cache_dir() -> Result<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(x).join("tidewatch"));
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(h) => Ok(PathBuf::from(h).join(".cache").join("tidewatch")),
        None => bail!(
            "cannot find a cache directory: set --cache-dir, TIDEWATCH_CACHE_DIR, XDG_CACHE_HOME or HOME"
        ),
    }
}

/// Make sure the directory a file goes into exists.
pub fn ensure_parent(path: &std::path::Path) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create directory {}", parent.display()))?;
    }
    Ok(())
}
