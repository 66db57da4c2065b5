//! `tidewatch db import`: read feed files, then write a new database file
//! and rename it over the old one.
//!
//! The new file starts as a copy of the current DB (so sources not being
//! imported are kept), gets the imported sources replaced inside one
//! transaction, is fsynced, and only then renamed into place. Any error
//! drops the temporary file, so the DB on disk is either the old one or
//! the complete new one, never anything in between; scans that opened the
//! old file keep reading it.
//!
//! Builds of one DB file are serialised by a lock file beside it
//! (`.<name>.lock`); two imports at the same moment both succeed, one
//! after the other. A build killed outright (kill -9, power loss) leaves
//! its temp file behind, which the next build of that DB removes.

use crate::error::DbError;
use crate::feeds::{CveSeverity, EpssEntry, KevEntry, NewAdvisory, SourceBatch};
use crate::input;
use crate::model::{ImportReport, SourceSummary};
use crate::schema::{APPLICATION, CREATE, SCHEMA_VERSION};
use crate::store::check_schema;
use rayon::prelude::*;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// How an import is recorded.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Recorded per source: `import` for local files, `update` for the
    /// downloader (which also uses it to decide what it may refresh).
    pub via: String,
    /// Replaces the file path recorded as a source's origin (the
    /// downloader passes the URL it fetched), keyed by input path.
    pub origins: HashMap<PathBuf, String>,
    /// Keyed by input path: only sources named this or `<this>:…` are
    /// taken from the files under it. The downloader imports one OSV
    /// ecosystem's records as `osv:<Ecosystem>`, and a record that also
    /// names another ecosystem must not replace that ecosystem's source
    /// with the few records the two share.
    pub only_sources: HashMap<PathBuf, String>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            via: "import".into(),
            origins: HashMap::new(),
            only_sources: HashMap::new(),
        }
    }
}

/// Builds a new DB at `db_path` from the existing one (if any) plus every
/// feed file found under `inputs`, replacing the sources those files hold.
/// Inputs holding no recognised feed at all are an error
/// ([`DbError::NothingImported`]) and leave the DB as it was: an empty DB
/// would make every scan pass.
pub fn import(db_path: &Path, inputs: &[PathBuf]) -> Result<ImportReport, DbError> {
    build(db_path, inputs, &ImportOptions::default(), true)
}

/// [`import`] with options; importing nothing is not an error here (the
/// downloader decides what an empty download means).
pub fn import_with(
    db_path: &Path,
    inputs: &[PathBuf],
    options: &ImportOptions,
) -> Result<ImportReport, DbError> {
    build(db_path, inputs, options, false)
}

fn build(
    db_path: &Path,
    inputs: &[PathBuf],
    options: &ImportOptions,
    require_some: bool,
) -> Result<ImportReport, DbError> {
    let files = input::collect(inputs)?;
    let results = files
        .par_iter()
        .map(|f| input::read_file(f).map(|r| (f, r)))
        .collect::<Result<Vec<_>, _>>()?;

    let mut report = ImportReport::default();
    let mut merged: BTreeMap<String, Merged> = BTreeMap::new();
    let mut claimed = 0;
    for (file, result) in results {
        report.files_read += result.files;
        claimed += result.claimed;
        report.warnings.extend(result.warnings);
        let only = options
            .only_sources
            .iter()
            .find(|(input, _)| file.starts_with(input));
        for (batch, origin) in result.batches {
            if let Some((_, prefix)) = only
                && batch.name != *prefix
                && !batch
                    .name
                    .strip_prefix(prefix.as_str())
                    .is_some_and(|rest| rest.starts_with(':'))
            {
                tracing::debug!(file = %file.display(), source = %batch.name, "not this input's source, skipped");
                continue;
            }
            let origin = origin_for(file, &origin, inputs, options);
            let entry = merged
                .entry(batch.name.clone())
                .or_insert_with(|| Merged::new(batch.kind));
            entry.add(batch, origin);
        }
    }
    if require_some && claimed == 0 {
        let reasons: Vec<String> = report
            .warnings
            .iter()
            .take(3)
            .map(|w| format!("{}: {}", w.path, w.message))
            .collect();
        return Err(DbError::NothingImported {
            inputs: inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            skipped: report.warnings.len(),
            reasons: if reasons.is_empty() {
                String::new()
            } else {
                format!(": {}", reasons.join("; "))
            },
            db: db_path.to_path_buf(),
        });
    }
    report.sources = write(db_path, merged, options)?;
    Ok(report)
}

/// The origin recorded for a file: the caller's override for it or for
/// the input directory it was found under, else the input as given.
fn origin_for(file: &Path, origin: &str, inputs: &[PathBuf], options: &ImportOptions) -> String {
    if let Some(o) = options.origins.get(file) {
        return o.clone();
    }
    for input in inputs {
        if let Some(o) = options
            .origins
            .get(input)
            .filter(|_| file.starts_with(input))
        {
            return o.clone();
        }
    }
    origin.to_string()
}

/// Everything one import read for one source.
struct Merged {
    kind: &'static str,
    origins: BTreeSet<String>,
    advisories: Vec<NewAdvisory>,
    by_id: HashMap<String, usize>,
    cve_severity: BTreeMap<String, CveSeverity>,
    kev: BTreeMap<String, KevEntry>,
    epss: BTreeMap<String, EpssEntry>,
}

impl Merged {
    fn new(kind: &'static str) -> Self {
        Merged {
            kind,
            origins: BTreeSet::new(),
            advisories: Vec::new(),
            by_id: HashMap::new(),
            cve_severity: BTreeMap::new(),
            kev: BTreeMap::new(),
            epss: BTreeMap::new(),
        }
    }

    /// Adds a batch; advisories already seen under the same id (the same
    /// record in two files of one source, e.g. a release's secdb in both
    /// its YAML and JSON forms) are merged and exact duplicates dropped.
    fn add(&mut self, batch: SourceBatch, origin: String) {
        self.origins.insert(origin);
        for adv in batch.advisories {
            match self.by_id.get(&adv.advisory.id) {
                Some(&i) => {
                    if let Some(existing) = self.advisories.get_mut(i) {
                        for alias in adv.advisory.aliases {
                            if !existing.advisory.aliases.contains(&alias) {
                                existing.advisory.aliases.push(alias);
                            }
                        }
                        for aff in adv.affected {
                            if !existing.affected.contains(&aff) {
                                existing.affected.push(aff);
                            }
                        }
                    }
                }
                None => {
                    self.by_id
                        .insert(adv.advisory.id.clone(), self.advisories.len());
                    self.advisories.push(adv);
                }
            }
        }
        for s in batch.cve_severity {
            self.cve_severity.insert(s.cve.clone(), s);
        }
        for k in batch.kev {
            self.kev.insert(k.cve.clone(), k);
        }
        for e in batch.epss {
            self.epss.insert(e.cve.clone(), e);
        }
    }

    fn origin(&self) -> String {
        let mut origins = self.origins.iter();
        match (origins.next(), self.origins.len()) {
            (None, _) => String::new(),
            (Some(one), 1) => one.clone(),
            (Some(first), n) if n > 3 => format!("{first} and {} more files", n - 1),
            _ => self.origins.iter().cloned().collect::<Vec<_>>().join(", "),
        }
    }
}

fn write(
    db_path: &Path,
    merged: BTreeMap<String, Merged>,
    options: &ImportOptions,
) -> Result<Vec<SourceSummary>, DbError> {
    let dir = match db_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| DbError::io(&dir, e))?;
    let name = db_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tidewatch.db".into());
    // One build per DB file at a time. Holding the lock also means any
    // temp file of this DB still lying around was left by a build that was
    // killed (the kernel drops a dead process's lock), so it can go.
    let lock_path = dir.join(format!(".{name}.lock"));
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| DbError::io(&lock_path, e))?;
    lock.lock().map_err(|e| DbError::io(&lock_path, e))?;
    let temp_prefix = format!(".{name}.import-");
    remove_stale_temps(&dir, &temp_prefix);
    let temp = tempfile::Builder::new()
        .prefix(&temp_prefix)
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| DbError::io(&dir, e))?;
    let temp_path = temp.path().to_path_buf();

    if db_path.exists() {
        // Refuse to build on top of something that is not ours (or of
        // another schema) rather than silently discarding it.
        {
            let conn =
                Connection::open_with_flags(db_path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                    .map_err(|e| DbError::sqlite(db_path, e))?;
            check_schema(&conn, db_path)?;
        }
        std::fs::copy(db_path, &temp_path).map_err(|e| DbError::io(db_path, e))?;
    }

    let summaries = {
        let mut conn = Connection::open(&temp_path).map_err(|e| DbError::sqlite(&temp_path, e))?;
        let sql = |e| DbError::sqlite(&temp_path, e);
        // The temp file is thrown away on any failure and fsynced explicitly
        // before the rename, so SQLite's own durability work is wasted here.
        // Foreign keys are checked once at the end instead of per row: the
        // bundled SQLite enforces them by default, and deleting a replaced
        // source's advisories then scans all of `affected` (no index on
        // `advisory_id`) once per advisory — a minute for one OSV ecosystem
        // in a DB of all feeds, against a second for the whole import.
        conn.execute_batch(
            "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF;
             PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536;
             PRAGMA foreign_keys = OFF;",
        )
        .map_err(sql)?;
        conn.execute_batch(CREATE).map_err(sql)?;
        let tx = conn.transaction().map_err(sql)?;
        let now = jiff::Timestamp::now().to_string();
        let mut summaries = Vec::new();
        for (name, source) in &merged {
            summaries.push(write_source(&tx, name, source, &now, options).map_err(sql)?);
        }
        for (k, v) in [
            ("application", APPLICATION.to_string()),
            ("schema_version", SCHEMA_VERSION.to_string()),
            ("built_at", now.clone()),
        ] {
            tx.execute(
                "INSERT INTO meta(key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![k, v],
            )
            .map_err(sql)?;
        }
        // Rows are deleted children first, so this never finds anything;
        // if it ever did, the new file is dropped and the DB left alone.
        let dangling: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()
            .map_err(sql)?;
        if let Some(table) = dangling {
            return Err(DbError::Corrupt {
                path: temp_path.clone(),
                message: format!("rows of {table} refer to missing rows"),
            });
        }
        tx.commit().map_err(sql)?;
        // Replacing sources leaves free pages behind; compact when they are
        // a large part of the file so repeated imports do not grow it.
        let free: i64 = conn
            .query_row("PRAGMA freelist_count", [], |r| r.get(0))
            .map_err(sql)?;
        let pages: i64 = conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .map_err(sql)?;
        if free * 4 > pages {
            conn.execute_batch("VACUUM").map_err(sql)?;
        }
        conn.execute_batch("PRAGMA journal_mode = DELETE; ANALYZE;")
            .map_err(sql)?;
        conn.close().map_err(|(_, e)| sql(e))?;
        summaries
    };

    set_permissions(&temp_path, db_path)?;
    temp.as_file()
        .sync_all()
        .map_err(|e| DbError::io(&temp_path, e))?;
    temp.persist(db_path)
        .map_err(|e| DbError::io(db_path, e.error))?;
    // Make the rename itself durable; not every platform can open a
    // directory for this, and the data is already safe, so failure is fine.
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(summaries)
}

/// Deletes what killed builds of this DB left: temp files and SQLite's
/// side files next to them (`…tmp-journal`). Failures only cost space.
fn remove_stale_temps(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(prefix) {
            tracing::debug!(path = %entry.path().display(), "removing a killed build's temp file");
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn write_source(
    tx: &Transaction<'_>,
    name: &str,
    source: &Merged,
    now: &str,
    options: &ImportOptions,
) -> rusqlite::Result<SourceSummary> {
    let origin = source.origin();
    let existing: Option<i64> = tx
        .query_row("SELECT id FROM source WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?;
    let source_id = match existing {
        Some(id) => {
            for table in ["affected", "advisory", "cve_severity", "kev", "epss"] {
                tx.execute(&format!("DELETE FROM {table} WHERE source_id = ?1"), [id])?;
            }
            tx.execute(
                "UPDATE source SET kind = ?2, origin = ?3, via = ?4, imported_at = ?5 WHERE id = ?1",
                params![id, source.kind, origin, options.via, now],
            )?;
            id
        }
        None => {
            tx.execute(
                "INSERT INTO source(name, kind, origin, via, imported_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![name, source.kind, origin, options.via, now],
            )?;
            tx.last_insert_rowid()
        }
    };

    let mut adv_stmt = tx.prepare_cached(
        "INSERT INTO advisory(source_id, vuln_id, aliases, title, published, modified, withdrawn,
                              severity, severity_source, cvss, feed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let mut aff_stmt = tx.prepare_cached(
        "INSERT INTO affected(advisory_id, source_id, ecosystem, package, ranges, versions,
                              fix_state, severity, binary, module)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut affected = 0u64;
    for adv in &source.advisories {
        let a = &adv.advisory;
        adv_stmt.execute(params![
            source_id,
            a.id,
            to_json(&a.aliases),
            a.title,
            a.published,
            a.modified,
            a.withdrawn,
            a.severity.map(|s| s.as_str()),
            a.severity_source,
            to_json(&a.cvss),
            a.source,
        ])?;
        let advisory_id = tx.last_insert_rowid();
        for f in &adv.affected {
            aff_stmt.execute(params![
                advisory_id,
                source_id,
                f.ecosystem,
                f.package,
                to_json(&f.ranges),
                to_json(&f.versions),
                f.fix_state.map(|s| s.as_str()),
                f.severity.map(|s| s.as_str()),
                f.binary_package,
                f.module,
            ])?;
            affected += 1;
        }
    }

    let mut sev_stmt = tx.prepare_cached(
        "INSERT INTO cve_severity(cve, source_id, severity, severity_source, cvss) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for s in source.cve_severity.values() {
        sev_stmt.execute(params![
            s.cve,
            source_id,
            s.severity.map(|s| s.as_str()),
            s.severity_source,
            to_json(&s.cvss)
        ])?;
    }
    let mut kev_stmt =
        tx.prepare_cached("INSERT INTO kev(cve, source_id, date_added) VALUES (?1, ?2, ?3)")?;
    for k in source.kev.values() {
        kev_stmt.execute(params![k.cve, source_id, k.date_added])?;
    }
    let mut epss_stmt = tx.prepare_cached(
        "INSERT INTO epss(cve, source_id, score, percentile) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for e in source.epss.values() {
        epss_stmt.execute(params![e.cve, source_id, e.score, e.percentile])?;
    }

    Ok(SourceSummary {
        name: name.to_string(),
        kind: source.kind.to_string(),
        origin,
        advisories: source.advisories.len() as u64,
        affected,
        enrichment: (source.cve_severity.len() + source.kev.len() + source.epss.len()) as u64,
        replaced: existing.is_some(),
    })
}

/// The temp file is created private (0600); the DB keeps the mode of the
/// file it replaces, or gets the usual 0644 when new, so other users'
/// scans can read a shared DB.
fn set_permissions(temp: &Path, db_path: &Path) -> Result<(), DbError> {
    let perms = match std::fs::metadata(db_path) {
        Ok(m) => m.permissions(),
        Err(_) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::Permissions::from_mode(0o644)
            }
            #[cfg(not(unix))]
            {
                return Ok(());
            }
        }
    };
    std::fs::set_permissions(temp, perms).map_err(|e| DbError::io(temp, e))
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Serialising our own plain data types to a String cannot fail (no
    // maps with non-string keys, no I/O); fall back to an empty list to
    // stay panic-free regardless.
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_string())
}
