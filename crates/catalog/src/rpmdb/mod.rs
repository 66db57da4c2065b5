//! Readers for the rpm package database in its three on-disk formats, and
//! the parser of the header blobs they hold.
//!
//! rpm stores one header blob per installed package. Where the blobs live
//! depends on the rpm version: a SQLite table (Fedora 33+, RHEL 9+), a
//! Berkeley DB hash file (CentOS/RHEL ≤ 8, Amazon Linux 2, SLES 12) or the
//! "ndb" slot file of SUSE. The three readers only find the blobs;
//! [`header`] turns a blob into an [`RpmPackage`]. Every reader is
//! read-only and treats the file as hostile: all offsets and lengths are
//! checked against the file before use, so a corrupt database is an error,
//! never a panic or an outsized allocation.
//!
//! A database can be damaged in one record and fine elsewhere; readers
//! report such damage per record and go on, so callers keep what parsed.

pub mod bdb;
pub mod header;
pub mod ndb;
mod source;
pub mod sqlite;

use std::fmt;
use std::io;

pub use header::{HeaderError, RpmPackage};
pub use source::Source;
use tidewatch_image::FileData;

/// The on-disk formats of an rpm database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `rpmdb.sqlite`, table `Packages`.
    Sqlite,
    /// Berkeley DB hash `Packages`.
    Bdb,
    /// rpm's own "ndb" `Packages.db`.
    Ndb,
}

impl Format {
    /// The format a database file name implies (`rpmdb.sqlite`,
    /// `Packages`, `Packages.db`).
    pub fn from_file_name(path: &str) -> Option<Format> {
        match path.rsplit('/').next()? {
            "rpmdb.sqlite" => Some(Format::Sqlite),
            "Packages" => Some(Format::Bdb),
            "Packages.db" => Some(Format::Ndb),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Sqlite => "SQLite",
            Format::Bdb => "Berkeley DB",
            Format::Ndb => "NDB",
        })
    }
}

/// Why an rpm database, or one record of it, could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RpmdbError {
    #[error("reading the {format} rpm database: {source}")]
    Io {
        format: Format,
        #[source]
        source: io::Error,
    },
    #[error("not a {format} rpm database: {reason}")]
    NotADatabase { format: Format, reason: String },
    #[error("corrupt {format} rpm database at byte {offset}: {reason}")]
    Corrupt {
        format: Format,
        offset: u64,
        reason: String,
    },
    #[error("SQLite rpm database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("package record {record}: {source}")]
    Header {
        record: u64,
        #[source]
        source: HeaderError,
    },
}

impl RpmdbError {
    pub(crate) fn corrupt(format: Format, offset: u64, reason: impl Into<String>) -> Self {
        RpmdbError::Corrupt {
            format,
            offset,
            reason: reason.into(),
        }
    }

    pub(crate) fn not_db(format: Format, reason: impl Into<String>) -> Self {
        RpmdbError::NotADatabase {
            format,
            reason: reason.into(),
        }
    }
}

/// One header blob as a reader found it, with the database's record
/// number for it (the header instance rpm calls `hnum`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub record: u64,
    pub bytes: Vec<u8>,
}

/// Called by a reader for every record: the blob, or why that record
/// could not be read.
pub type Visit<'a> = dyn FnMut(Result<Blob, RpmdbError>) + 'a;

/// What a database held: the packages that parsed, and the records that
/// did not.
#[derive(Debug, Default)]
pub struct Database {
    pub packages: Vec<RpmPackage>,
    pub errors: Vec<RpmdbError>,
}

/// Read every package of a database file of `format`. An `Err` means the
/// file as a whole is unreadable; damage to single records is reported in
/// [`Database::errors`]. `gpg-pubkey` pseudo-packages (imported signing
/// keys) are left out.
pub fn read(format: Format, data: &FileData) -> Result<Database, RpmdbError> {
    let mut db = Database::default();
    let mut visit = |blob: Result<Blob, RpmdbError>| match blob {
        Ok(blob) => match header::parse_package(&blob.bytes) {
            Ok(Some(pkg)) => db.packages.push(pkg),
            Ok(None) => {}
            Err(source) => db.errors.push(RpmdbError::Header {
                record: blob.record,
                source,
            }),
        },
        Err(e) => db.errors.push(e),
    };
    read_blobs(format, data, &mut visit)?;
    Ok(db)
}

/// Run the reader for `format` over `data`, visiting each blob.
pub fn read_blobs(
    format: Format,
    data: &FileData,
    visit: &mut Visit<'_>,
) -> Result<(), RpmdbError> {
    let io_err = |source| RpmdbError::Io { format, source };
    match (format, data) {
        (Format::Sqlite, FileData::Memory(bytes)) => sqlite::read_bytes(bytes, visit),
        (Format::Sqlite, FileData::Spilled(path)) => sqlite::read_path(path, visit),
        (Format::Bdb | Format::Ndb, FileData::Memory(bytes)) => {
            read_paged(format, &mut bytes.as_slice(), visit)
        }
        (Format::Bdb | Format::Ndb, FileData::Spilled(path)) => {
            let mut src = source::FileSource::open(path).map_err(io_err)?;
            read_paged(format, &mut src, visit)
        }
    }
}

fn read_paged(
    format: Format,
    src: &mut dyn Source,
    visit: &mut Visit<'_>,
) -> Result<(), RpmdbError> {
    match format {
        Format::Bdb => bdb::read(src, visit),
        Format::Ndb => ndb::read(src, visit),
        Format::Sqlite => sqlite::read_source(src, visit),
    }
}

/// What `format`'s paged reader finds in `bytes`: the blobs, and the
/// records it could not read. For the readers' unit tests.
#[cfg(test)]
pub(crate) fn collect_blobs(
    format: Format,
    bytes: &[u8],
) -> Result<(Vec<Blob>, Vec<RpmdbError>), RpmdbError> {
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    read_paged(format, &mut &bytes[..], &mut |r| match r {
        Ok(b) => ok.push(b),
        Err(e) => bad.push(e),
    })?;
    Ok((ok, bad))
}
