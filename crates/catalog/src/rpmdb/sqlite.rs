//! The SQLite rpm database (`rpmdb.sqlite`, rpm ≥ 4.16: Fedora 33+,
//! RHEL/UBI/Rocky/Alma 9+, Amazon Linux 2023, CBL-Mariner).
//!
//! Header blobs are the `blob` column of table `Packages`, keyed by
//! `hnum`. A database spilled to disk is opened read-only and
//! `immutable`, so SQLite neither writes nor looks for journals beside
//! it; one held in memory is handed to SQLite as an in-memory, read-only
//! copy (`sqlite3_deserialize`), so nothing is written anywhere.
//!
//! rpm keeps its database in WAL mode. The write-ahead log is a separate
//! file that images rarely carry with anything in it (rpm checkpoints on
//! close), and tidewatch reads only the main file, as an immutable open
//! does.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::{Blob, Format, RpmdbError, Source, Visit};

const FORMAT: Format = Format::Sqlite;
const MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// `sqlite3_deserialize` sizes are C ints.
const MAX_IN_MEMORY: usize = i32::MAX as usize;

/// Visit every header blob of a database held in memory.
pub fn read_bytes(bytes: &[u8], visit: &mut Visit<'_>) -> Result<(), RpmdbError> {
    check_magic(bytes.get(..16).unwrap_or(bytes))?;
    if bytes.len() > MAX_IN_MEMORY {
        return Err(RpmdbError::not_db(FORMAT, "too large to read from memory"));
    }
    let mut copy = bytes.to_vec();
    // A deserialized database cannot be in WAL mode (SQLite refuses to
    // open it); the file-format bytes 18 and 19 say "WAL" as 2, "rollback
    // journal" as 1, and nothing else in the file depends on them.
    if let Some(versions @ [2, 2]) = copy.get_mut(18..20) {
        versions.copy_from_slice(&[1, 1]);
    }
    let mut conn = Connection::open_in_memory_with_flags(
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.deserialize_read_exact("main", copy.as_slice(), copy.len(), true)?;
    read_connection(&conn, visit)
}

/// Visit every header blob of a database from any [`Source`].
pub fn read_source(src: &mut dyn Source, visit: &mut Visit<'_>) -> Result<(), RpmdbError> {
    let len = usize::try_from(src.len()).map_err(|_| RpmdbError::not_db(FORMAT, "too large"))?;
    let mut bytes = vec![0u8; len];
    src.read_at(0, &mut bytes)
        .map_err(|source| RpmdbError::Io {
            format: FORMAT,
            source,
        })?;
    read_bytes(&bytes, visit)
}

/// Visit every header blob of a database file.
pub fn read_path(path: &Path, visit: &mut Visit<'_>) -> Result<(), RpmdbError> {
    let mut head = [0u8; 16];
    {
        use std::io::Read;
        let mut f = std::fs::File::open(path).map_err(|source| RpmdbError::Io {
            format: FORMAT,
            source,
        })?;
        let n = f.read(&mut head).map_err(|source| RpmdbError::Io {
            format: FORMAT,
            source,
        })?;
        check_magic(head.get(..n).unwrap_or_default())?;
    }
    let conn = Connection::open_with_flags(
        immutable_uri(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    read_connection(&conn, visit)
}

fn read_connection(conn: &Connection, visit: &mut Visit<'_>) -> Result<(), RpmdbError> {
    let has_table: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'Packages')",
        [],
        |row| row.get(0),
    )?;
    if !has_table {
        return Err(RpmdbError::not_db(FORMAT, "no Packages table"));
    }
    let mut stmt = conn.prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")?;
    let mut rows = stmt.query([])?;
    loop {
        match rows.next() {
            Ok(Some(row)) => {
                let record = row.get::<_, i64>(0).map(|n| n as u64);
                let blob = row.get::<_, Vec<u8>>(1);
                match (record, blob) {
                    (Ok(record), Ok(bytes)) => visit(Ok(Blob { record, bytes })),
                    (Err(e), _) | (_, Err(e)) => visit(Err(e.into())),
                }
            }
            Ok(None) => break,
            // A damaged page ends the scan of the table; keep what came.
            Err(e) => {
                visit(Err(e.into()));
                break;
            }
        }
    }
    Ok(())
}

fn check_magic(head: &[u8]) -> Result<(), RpmdbError> {
    if head == MAGIC {
        Ok(())
    } else {
        Err(RpmdbError::not_db(FORMAT, "no SQLite file header"))
    }
}

/// A `file:` URI for `path` with `immutable=1`, percent-encoding every
/// byte SQLite's URI parser would read as syntax.
fn immutable_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for b in path.as_os_str().as_encoded_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                uri.push(char::from(*b))
            }
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// Writes small SQLite rpm databases for tests, with rpm's schema.
#[doc(hidden)]
pub mod testing {
    use rusqlite::Connection;
    use std::path::Path;

    pub fn build(path: &Path, blobs: &[(u32, Vec<u8>)]) -> rusqlite::Result<()> {
        let conn = Connection::open(path)?;
        // rpm's own settings: a WAL-mode file is what images carry.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);",
        )?;
        for (hnum, blob) in blobs {
            conn.execute(
                "INSERT INTO Packages (hnum, blob) VALUES (?1, ?2)",
                rusqlite::params![hnum, blob],
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn uri_escapes_syntax() {
        assert_eq!(
            immutable_uri(Path::new("/tmp/a b?#%.sqlite")),
            "file:/tmp/a%20b%3F%23%25.sqlite?immutable=1"
        );
    }

    #[test]
    fn reads_blobs_from_memory_and_from_files_writing_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rpmdb.sqlite");
        testing::build(&path, &[(1, b"one".to_vec()), (2, b"two".to_vec())]).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let mut got = Vec::new();
        read_bytes(&bytes, &mut |r| got.push(r.unwrap())).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[1],
            Blob {
                record: 2,
                bytes: b"two".to_vec()
            }
        );
        // Reading in place writes nothing beside the file.
        read_path(&path, &mut |_| {}).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["rpmdb.sqlite"]);
    }

    #[test]
    fn refuses_non_rpm_databases() {
        assert!(matches!(
            read_bytes(b"CORRUPT\n", &mut |_| {}),
            Err(RpmdbError::NotADatabase { .. })
        ));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.sqlite");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t (x);")
            .unwrap();
        let err = read_path(&path, &mut |_| {}).unwrap_err();
        assert!(err.to_string().contains("no Packages table"), "{err}");
    }
}
