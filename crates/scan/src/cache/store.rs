//! The cache file: one SQLite table of encoded layer entries with their
//! size and when they were last used, bounded by a total size with
//! least-recently-used eviction. WAL mode and a busy timeout let several
//! scans share it; every write is one short transaction.

use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS layers (
    key       TEXT PRIMARY KEY,
    diff_id   TEXT NOT NULL,
    bytes     INTEGER NOT NULL,
    last_used INTEGER NOT NULL,
    data      BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS layers_last_used ON layers(last_used);
";

/// The layer cache could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("layer cache {path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("layer cache {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub(crate) struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
    max_bytes: u64,
}

impl Store {
    pub fn open(path: &Path, max_bytes: u64) -> Result<Store, StoreError> {
        let err = |source| StoreError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        Ok(Store {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
            max_bytes,
        })
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves a usable connection.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The entry under `key`, marking it used.
    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let conn = self.conn();
        let data: Option<Vec<u8>> = conn
            .query_row("SELECT data FROM layers WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))?;
        if data.is_some() {
            conn.execute(
                "UPDATE layers SET last_used = ?2 WHERE key = ?1",
                params![key, now()],
            )
            .map_err(|e| self.err(e))?;
        }
        Ok(data)
    }

    /// Store an entry (`extra` = the size of its out-of-line files), then
    /// evict the least recently used ones while the cache is over its size;
    /// returns the evicted keys, whose files the caller deletes. `None`
    /// when the entry alone is over the size and was not stored.
    pub fn put(
        &self,
        key: &str,
        diff_id: &str,
        data: &[u8],
        extra: u64,
    ) -> Result<Option<Vec<String>>, StoreError> {
        let total = (data.len() as u64).saturating_add(extra);
        if total > self.max_bytes {
            return Ok(None);
        }
        let len = i64::try_from(total).unwrap_or(i64::MAX);
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        tx.execute(
            "INSERT OR REPLACE INTO layers (key, diff_id, bytes, last_used, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key, diff_id, len, now(), data],
        )
        .map_err(|e| self.err(e))?;
        let max = i64::try_from(self.max_bytes).unwrap_or(i64::MAX);
        // Oldest first until the rest fits, keeping the new entry.
        let evicted: Vec<String> = {
            let mut stmt = tx
                .prepare(
                    "SELECT key FROM (
                         SELECT key, SUM(bytes) OVER (ORDER BY key = ?1 DESC, last_used DESC, rowid DESC) AS running
                         FROM layers
                     ) WHERE running > ?2 AND key != ?1",
                )
                .map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map(params![key, max], |r| r.get::<_, String>(0))
                .map_err(|e| self.err(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.err(e))?
        };
        for k in &evicted {
            tx.execute("DELETE FROM layers WHERE key = ?1", [k])
                .map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(Some(evicted))
    }

    pub fn remove(&self, key: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM layers WHERE key = ?1", [key])
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Number of entries and their total size.
    pub fn usage(&self) -> Result<(u64, u64), StoreError> {
        self.conn()
            .query_row(
                "SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM layers",
                [],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )
            .map(|(n, b)| (n.max(0) as u64, b.max(0) as u64))
            .map_err(|e| self.err(e))
    }
}

/// Milliseconds since the epoch, so that entries used within one scan
/// still order.
fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
