//! What the db integration tests share: where the fixtures and `../shared`
//! are, a database imported from files, record lookups, zip archives, and
//! (in [`http`]) a local HTTP server for `db update`.
#![allow(dead_code, clippy::unwrap_used)]

pub mod http;

use std::io::Write;
use std::path::PathBuf;
use tidewatch_db::{AffectedRecord, Db, ImportReport, import};

/// The trimmed feed files under `tests/fixtures`.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// `$TIDEWATCH_SHARED`, else `../shared` beside the repo, when it holds
/// `vulndata`; otherwise says so and gives `None` so the test skips.
pub fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("TIDEWATCH_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    if dir.join("vulndata").is_dir() {
        Some(dir)
    } else {
        println!("skipping: ../shared not found");
        None
    }
}

/// A fresh database imported from `inputs`, with the directory holding it.
pub fn db_from(inputs: &[PathBuf]) -> (tempfile::TempDir, Db, ImportReport) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("v.db");
    let report = import(&path, inputs).expect("import");
    let db = Db::open(&path).expect("open");
    (tmp, db, report)
}

/// Every fixed version of a record's ranges.
pub fn fixed(rec: &AffectedRecord) -> Vec<&str> {
    rec.ranges.iter().flat_map(|r| r.fixed_versions()).collect()
}

/// The record of advisory `id`; panics listing them all when it is missing.
pub fn one<'a>(recs: &'a [AffectedRecord], id: &str) -> &'a AffectedRecord {
    recs.iter()
        .find(|r| r.advisory.id == id)
        .unwrap_or_else(|| panic!("no record {id} in {recs:#?}"))
}

/// A zip archive of `(name, body)` files.
pub fn zip_of(files: &[(&str, String)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        for (name, body) in files {
            z.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            z.write_all(body.as_bytes()).unwrap();
        }
        z.finish().unwrap();
    }
    out.into_inner()
}
