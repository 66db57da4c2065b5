//! The one error type of this crate. Every variant names the file it is
//! about, because a user staring at "malformed feed" with forty feeds on
//! disk cannot act on it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "vulnerability database {} not found (build one with `tidewatch db import` or `tidewatch db update`)",
        path.display()
    )]
    NotFound { path: PathBuf },

    #[error("{} is not a tidewatch vulnerability database: {reason}", path.display())]
    NotADatabase { path: PathBuf, reason: String },

    #[error(
        "vulnerability database {} has schema version {found}, this tidewatch reads version {expected}; rebuild it with `tidewatch db update` or `tidewatch db import`",
        path.display()
    )]
    SchemaMismatch {
        path: PathBuf,
        found: String,
        expected: u32,
    },

    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}: SQLite: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    /// A file whose format was recognised but whose content is broken.
    /// `path` may name a member inside an archive (`all.zip!/GHSA-x.json`).
    #[error("{path}: malformed {format} file: {message}")]
    Malformed {
        path: String,
        format: &'static str,
        message: String,
    },

    /// `db import` found no feed it could read in any input: writing the
    /// DB anyway would leave an empty database that passes every scan.
    #[error(
        "nothing imported from {inputs}: no file there is a recognised feed ({skipped} skipped{reasons}); {} was left unchanged",
        db.display()
    )]
    NothingImported {
        inputs: String,
        skipped: usize,
        /// `: <first reasons>` or empty.
        reasons: String,
        db: PathBuf,
    },

    /// A row in the database that this version cannot decode; only a DB
    /// written by something else gets here.
    #[error("{}: corrupt stored record: {message}", path.display())]
    Corrupt { path: PathBuf, message: String },
}

impl DbError {
    pub(crate) fn malformed(
        path: impl Into<String>,
        format: &'static str,
        message: impl std::fmt::Display,
    ) -> Self {
        DbError::Malformed {
            path: path.into(),
            format,
            message: message.to_string(),
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DbError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn sqlite(path: impl Into<PathBuf>, source: rusqlite::Error) -> Self {
        DbError::Sqlite {
            path: path.into(),
            source,
        }
    }
}
