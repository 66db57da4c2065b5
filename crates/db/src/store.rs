//! The read side: a [`Db`] opened read-only for scans.
//!
//! Builds never modify a published file in place (they write a new file and
//! rename it over the old one), so readers open with SQLite's `immutable`
//! flag: no locks, no `-wal`/`-shm` side files, any number of concurrent
//! scans, and a reader that opened the old file keeps reading it undisturbed
//! after a swap.

use crate::error::DbError;
use crate::model::{Advisory, AffectedRecord, CveInfo, DbStatus, SourceStatus};
use crate::schema::{APPLICATION, SCHEMA_VERSION};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use tidewatch_types::{AffectedRange, Cvss, Epss, FixState, Severity};

/// A read-only handle on a vulnerability database. `Send + Sync`: share one
/// across threads; lookups serialise on one connection, which costs
/// microseconds per query.
pub struct Db {
    path: PathBuf,
    inner: Mutex<Inner>,
}

struct Inner {
    conn: Connection,
    /// Advisories already decoded, so every record of one advisory shares
    /// one `Arc` and repeated lookups skip the JSON decoding.
    advisories: HashMap<i64, Arc<Advisory>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

impl Db {
    /// Opens `path` read-only. Errors clearly when the file is missing, is
    /// not a tidewatch DB, or has another schema version.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() => {}
            Ok(_) => {
                return Err(DbError::NotADatabase {
                    path: path.to_path_buf(),
                    reason: "not a regular file".into(),
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(DbError::NotFound {
                    path: path.to_path_buf(),
                });
            }
            Err(e) => return Err(DbError::io(path, e)),
        }
        let conn = Connection::open_with_flags(
            immutable_uri(path),
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| DbError::sqlite(path, e))?;
        check_schema(&conn, path)?;
        Ok(Db {
            path: path.to_path_buf(),
            inner: Mutex::new(Inner {
                conn,
                advisories: HashMap::new(),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic in another thread mid-query leaves nothing half-updated
        // that we rely on (the cache only ever gains complete entries).
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every record for exactly this ecosystem and package name as stored.
    pub fn affected(&self, ecosystem: &str, package: &str) -> Result<Vec<AffectedRecord>, DbError> {
        let mut guard = self.lock();
        let inner = &mut *guard;
        let sql = "SELECT f.advisory_id, f.ranges, f.versions, f.fix_state, f.severity, f.binary, f.module,
                          a.vuln_id, a.aliases, a.title, a.published, a.modified, a.withdrawn,
                          a.severity, a.severity_source, a.cvss, a.feed
                   FROM affected f JOIN advisory a ON a.id = f.advisory_id
                   WHERE f.ecosystem = ?1 AND f.package = ?2
                   ORDER BY a.vuln_id, f.rowid";
        let mut stmt = inner
            .conn
            .prepare_cached(sql)
            .map_err(|e| DbError::sqlite(&self.path, e))?;
        let mut rows = stmt
            .query(params![ecosystem, package])
            .map_err(|e| DbError::sqlite(&self.path, e))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| DbError::sqlite(&self.path, e))? {
            let raw = RawAffected::from_row(row).map_err(|e| DbError::sqlite(&self.path, e))?;
            let advisory = match inner.advisories.get(&raw.advisory_id) {
                Some(a) => Arc::clone(a),
                None => {
                    let a = Arc::new(raw.advisory(&self.path)?);
                    inner.advisories.insert(raw.advisory_id, Arc::clone(&a));
                    a
                }
            };
            out.push(AffectedRecord {
                advisory,
                ecosystem: ecosystem.to_string(),
                package: package.to_string(),
                ranges: decode_json::<Vec<AffectedRange>>(&self.path, "ranges", &raw.ranges)?,
                versions: decode_json::<Vec<String>>(&self.path, "versions", &raw.versions)?,
                fix_state: decode_opt(&self.path, raw.fix_state.as_deref())?,
                severity: decode_opt(&self.path, raw.severity.as_deref())?,
                binary_package: raw.binary,
                module: raw.module,
            });
        }
        Ok(out)
    }

    /// Which of `ecosystems` the database holds no affected-package record
    /// for at all, so a scan can say its packages were not checked rather
    /// than report a clean pass. One query: an index probe per ecosystem.
    pub fn ecosystems_without_data(&self, ecosystems: &[String]) -> Result<Vec<String>, DbError> {
        if ecosystems.is_empty() {
            return Ok(Vec::new());
        }
        let list = serde_json::to_string(ecosystems).map_err(|e| DbError::Corrupt {
            path: self.path.clone(),
            message: format!("cannot encode the ecosystem list: {e}"),
        })?;
        let guard = self.lock();
        let mut stmt = guard
            .conn
            .prepare_cached(
                "SELECT e.value FROM json_each(?1) e
                 WHERE NOT EXISTS (SELECT 1 FROM affected f WHERE f.ecosystem = e.value)
                 ORDER BY e.value",
            )
            .map_err(|e| DbError::sqlite(&self.path, e))?;
        let rows = stmt
            .query_map([list], |r| r.get::<_, String>(0))
            .map_err(|e| DbError::sqlite(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| DbError::sqlite(&self.path, e))
    }

    /// Severity, CVSS, KEV and EPSS for each of `cve_ids` that any
    /// enrichment feed knows; ids no feed mentions are left out.
    pub fn cve_enrichment(&self, cve_ids: &[String]) -> Result<Vec<CveInfo>, DbError> {
        let guard = self.lock();
        let conn = &guard.conn;
        let e = |e| DbError::sqlite(&self.path, e);
        let mut sev = conn
            .prepare_cached(
                "SELECT s.severity, s.severity_source, s.cvss FROM cve_severity s
                 JOIN source src ON src.id = s.source_id
                 WHERE s.cve = ?1 ORDER BY src.name",
            )
            .map_err(e)?;
        let mut kev = conn
            .prepare_cached("SELECT 1 FROM kev WHERE cve = ?1 LIMIT 1")
            .map_err(e)?;
        let mut epss = conn
            .prepare_cached("SELECT score, percentile FROM epss WHERE cve = ?1 LIMIT 1")
            .map_err(e)?;
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for cve in cve_ids {
            if !seen.insert(cve.as_str()) {
                continue;
            }
            let mut info = CveInfo {
                cve: cve.clone(),
                severity: None,
                severity_source: None,
                cvss: Vec::new(),
                kev: false,
                epss: None,
            };
            let mut found = false;
            let mut rows = sev.query(params![cve]).map_err(e)?;
            while let Some(row) = rows.next().map_err(e)? {
                found = true;
                let s: Option<String> = row.get(0).map_err(e)?;
                let src: Option<String> = row.get(1).map_err(e)?;
                let cvss: String = row.get(2).map_err(e)?;
                if info.severity.is_none() {
                    info.severity = decode_opt(&self.path, s.as_deref())?;
                    info.severity_source = src;
                }
                info.cvss
                    .extend(decode_json::<Vec<Cvss>>(&self.path, "cvss", &cvss)?);
            }
            if kev.exists(params![cve]).map_err(e)? {
                found = true;
                info.kev = true;
            }
            let score = epss
                .query_row(params![cve], |r| {
                    Ok(Epss {
                        score: r.get(0)?,
                        percentile: r.get(1)?,
                    })
                })
                .optional()
                .map_err(e)?;
            if let Some(s) = score {
                found = true;
                info.epss = Some(s);
            }
            if found {
                out.push(info);
            }
        }
        Ok(out)
    }

    /// SQLite's own full check of the file (`PRAGMA integrity_check`).
    pub fn check_integrity(&self) -> Result<(), DbError> {
        let guard = self.lock();
        let result: String = guard
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| DbError::sqlite(&self.path, e))?;
        if result == "ok" {
            Ok(())
        } else {
            Err(DbError::Corrupt {
                path: self.path.clone(),
                message: format!("integrity check: {result}"),
            })
        }
    }

    /// The schema version and what each source holds.
    pub fn status(&self) -> Result<DbStatus, DbError> {
        let guard = self.lock();
        status_of(&guard.conn, &self.path)
    }
}

pub(crate) fn status_of(conn: &Connection, path: &Path) -> Result<DbStatus, DbError> {
    let e = |e| DbError::sqlite(path, e);
    let built_at: String = conn
        .query_row("SELECT value FROM meta WHERE key = 'built_at'", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(e)?
        .unwrap_or_default();
    let mut stmt = conn
        .prepare(
            "SELECT s.name, s.kind, s.origin, s.via, s.imported_at,
                (SELECT count(*) FROM advisory a WHERE a.source_id = s.id),
                (SELECT count(*) FROM affected f WHERE f.source_id = s.id),
                (SELECT count(*) FROM cve_severity c WHERE c.source_id = s.id)
                 + (SELECT count(*) FROM kev k WHERE k.source_id = s.id)
                 + (SELECT count(*) FROM epss p WHERE p.source_id = s.id)
             FROM source s ORDER BY s.name",
        )
        .map_err(e)?;
    let sources = stmt
        .query_map([], |r| {
            Ok(SourceStatus {
                name: r.get(0)?,
                kind: r.get(1)?,
                origin: r.get(2)?,
                via: r.get(3)?,
                imported_at: r.get(4)?,
                advisories: r.get::<_, i64>(5)?.max(0) as u64,
                affected: r.get::<_, i64>(6)?.max(0) as u64,
                enrichment: r.get::<_, i64>(7)?.max(0) as u64,
            })
        })
        .map_err(e)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(e)?;
    Ok(DbStatus {
        path: path.to_path_buf(),
        schema_version: SCHEMA_VERSION,
        built_at,
        sources,
    })
}

/// Refuses files that are not ours or not of our schema version.
pub(crate) fn check_schema(conn: &Connection, path: &Path) -> Result<(), DbError> {
    let not_db = |reason: String| DbError::NotADatabase {
        path: path.to_path_buf(),
        reason,
    };
    let has_meta: bool = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map_err(|e| not_db(e.to_string()))?
        > 0;
    if !has_meta {
        return Err(not_db("no `meta` table".into()));
    }
    let meta = |key: &str| -> Result<Option<String>, DbError> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| not_db(e.to_string()))
    };
    if meta("application")?.as_deref() != Some(APPLICATION) {
        return Err(not_db("`meta` does not name it a tidewatch DB".into()));
    }
    let found = meta("schema_version")?.unwrap_or_default();
    if found != SCHEMA_VERSION.to_string() {
        return Err(DbError::SchemaMismatch {
            path: path.to_path_buf(),
            found,
            expected: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// `file:` URI with `immutable=1`; the characters URIs give meaning to are
/// percent-encoded so any path works.
fn immutable_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for &b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii() && !matches!(b, b'%' | b'?' | b'#') {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

struct RawAffected {
    advisory_id: i64,
    ranges: String,
    versions: String,
    fix_state: Option<String>,
    severity: Option<String>,
    binary: bool,
    module: Option<String>,
    vuln_id: String,
    aliases: String,
    title: Option<String>,
    published: Option<String>,
    modified: Option<String>,
    withdrawn: bool,
    adv_severity: Option<String>,
    severity_source: Option<String>,
    cvss: String,
    feed: String,
}

impl RawAffected {
    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(RawAffected {
            advisory_id: r.get(0)?,
            ranges: r.get(1)?,
            versions: r.get(2)?,
            fix_state: r.get(3)?,
            severity: r.get(4)?,
            binary: r.get::<_, i64>(5)? != 0,
            module: r.get(6)?,
            vuln_id: r.get(7)?,
            aliases: r.get(8)?,
            title: r.get(9)?,
            published: r.get(10)?,
            modified: r.get(11)?,
            withdrawn: r.get::<_, i64>(12)? != 0,
            adv_severity: r.get(13)?,
            severity_source: r.get(14)?,
            cvss: r.get(15)?,
            feed: r.get(16)?,
        })
    }

    fn advisory(&self, path: &Path) -> Result<Advisory, DbError> {
        Ok(Advisory {
            id: self.vuln_id.clone(),
            aliases: decode_json(path, "aliases", &self.aliases)?,
            title: self.title.clone(),
            published: self.published.clone(),
            modified: self.modified.clone(),
            withdrawn: self.withdrawn,
            severity: decode_opt(path, self.adv_severity.as_deref())?,
            severity_source: self.severity_source.clone(),
            cvss: decode_json(path, "cvss", &self.cvss)?,
            source: self.feed.clone(),
        })
    }
}

fn decode_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    column: &str,
    text: &str,
) -> Result<T, DbError> {
    serde_json::from_str(text).map_err(|e| DbError::Corrupt {
        path: path.to_path_buf(),
        message: format!("column {column}: {e}"),
    })
}

trait Stored: Sized {
    fn decode(s: &str) -> Option<Self>;
}
impl Stored for Severity {
    fn decode(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}
impl Stored for FixState {
    fn decode(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

fn decode_opt<T: Stored>(path: &Path, s: Option<&str>) -> Result<Option<T>, DbError> {
    match s {
        None => Ok(None),
        Some(s) => T::decode(s).map(Some).ok_or_else(|| DbError::Corrupt {
            path: path.to_path_buf(),
            message: format!("unknown value {s:?}"),
        }),
    }
}
