//! The rpm database readers on databases these tests write: the same two
//! packages in each format, then damaged and random variants that must
//! give errors, never panics.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, LazyLock};

use proptest::prelude::*;
use tidewatch_catalog::rpmdb::header::{tag, testing::HeaderBuilder};
use tidewatch_catalog::rpmdb::{self, Blob, Format, RpmdbError, bdb, ndb, sqlite};
use tidewatch_image::FileData;

fn openssl() -> Vec<u8> {
    // Enough files to push the blob over several 512-byte overflow pages.
    let names: Vec<String> = (0..60).map(|i| format!("libfile{i}.so")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    HeaderBuilder::new()
        .string(tag::NAME, "openssl-libs")
        .int32(tag::EPOCH, &[1])
        .string(tag::VERSION, "3.0.7")
        .string(tag::RELEASE, "27.el9")
        .string(tag::ARCH, "x86_64")
        .string(tag::SOURCERPM, "openssl-3.0.7-27.el9.src.rpm")
        .string(tag::LICENSE, "ASL 2.0")
        .string(tag::VENDOR, "Rocky Enterprise Software Foundation")
        .strings(tag::DIRNAMES, &["/usr/lib64/"])
        .strings(tag::BASENAMES, &names)
        .int32(tag::DIRINDEXES, &vec![0; names.len()])
        .build()
}

fn nodejs() -> Vec<u8> {
    HeaderBuilder::new()
        .string(tag::NAME, "nodejs")
        .string(tag::VERSION, "16.20.2")
        .string(tag::RELEASE, "1.module+el8.8.0+1470+5c6e2dd7")
        .string(tag::ARCH, "x86_64")
        .string(
            tag::SOURCERPM,
            "nodejs-16.20.2-1.module+el8.8.0+1470+5c6e2dd7.src.rpm",
        )
        .string(
            tag::MODULARITYLABEL,
            "nodejs:16:8080020230825092431:a75119d5",
        )
        .strings(tag::OLDFILENAMES, &["/usr/bin/node"])
        .build()
}

fn gpg_pubkey() -> Vec<u8> {
    HeaderBuilder::new()
        .string(tag::NAME, "gpg-pubkey")
        .string(tag::VERSION, "8483c65d")
        .string(tag::RELEASE, "5ccc5b19")
        .build()
}

fn records() -> Vec<(u32, Vec<u8>)> {
    vec![(1, openssl()), (2, gpg_pubkey()), (3, nodejs())]
}

fn sqlite_bytes(records: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rpmdb.sqlite");
    sqlite::testing::build(&path, records).unwrap();
    std::fs::read(path).unwrap()
}

/// Built once: SQLite cases are the slow ones.
static SQLITE: LazyLock<Vec<u8>> = LazyLock::new(|| sqlite_bytes(&records()));

fn memory(bytes: Vec<u8>) -> FileData {
    FileData::Memory(Arc::new(bytes))
}

fn check_two_packages(db: &rpmdb::Database) {
    assert!(db.errors.is_empty(), "{:?}", db.errors);
    let mut names: Vec<(&str, String)> = db
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.evr()))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            (
                "nodejs",
                "16.20.2-1.module+el8.8.0+1470+5c6e2dd7".to_string()
            ),
            ("openssl-libs", "1:3.0.7-27.el9".to_string())
        ]
    );
    let ssl = db
        .packages
        .iter()
        .find(|p| p.name == "openssl-libs")
        .unwrap();
    assert_eq!(ssl.files.len(), 60);
    assert_eq!(ssl.files[59], "/usr/lib64/libfile59.so");
    let node = db.packages.iter().find(|p| p.name == "nodejs").unwrap();
    assert_eq!(
        node.modularity_label.as_deref(),
        Some("nodejs:16:8080020230825092431:a75119d5")
    );
}

#[test]
fn sqlite_from_memory_and_from_a_spilled_file() {
    let bytes = sqlite_bytes(&records());
    check_two_packages(&rpmdb::read(Format::Sqlite, &memory(bytes.clone())).unwrap());
    let mut tmp = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut tmp, &bytes).unwrap();
    let spilled = FileData::Spilled(Arc::new(tmp.into_temp_path()));
    check_two_packages(&rpmdb::read(Format::Sqlite, &spilled).unwrap());
}

#[test]
fn bdb_in_both_byte_orders_and_page_sizes() {
    for page_size in [512, 4096] {
        for big in [false, true] {
            let bytes = bdb::testing::build(&records(), page_size, big);
            check_two_packages(&rpmdb::read(Format::Bdb, &memory(bytes.clone())).unwrap());
            let mut tmp = tempfile::NamedTempFile::new().unwrap();
            std::io::Write::write_all(&mut tmp, &bytes).unwrap();
            let spilled = FileData::Spilled(Arc::new(tmp.into_temp_path()));
            check_two_packages(&rpmdb::read(Format::Bdb, &spilled).unwrap());
        }
    }
}

#[test]
fn ndb() {
    let bytes = ndb::testing::build(&records());
    check_two_packages(&rpmdb::read(Format::Ndb, &memory(bytes)).unwrap());
}

/// A damaged header costs that package only.
#[test]
fn one_bad_header_keeps_the_rest() {
    let mut recs = records();
    recs[0].1.truncate(40);
    for (format, bytes) in [
        (Format::Sqlite, sqlite_bytes(&recs)),
        (Format::Bdb, bdb::testing::build(&recs, 512, false)),
        (Format::Ndb, ndb::testing::build(&recs)),
    ] {
        let db = rpmdb::read(format, &memory(bytes)).unwrap();
        assert_eq!(db.packages.len(), 1, "{format}");
        assert_eq!(db.packages[0].name, "nodejs");
        assert_eq!(db.errors.len(), 1, "{format}");
        assert!(
            matches!(db.errors[0], RpmdbError::Header { record: 1, .. }),
            "{format}"
        );
        println!("{format}: {}", db.errors[0]);
    }
}

/// Every truncation of every format is an error or fewer packages, never
/// a panic.
#[test]
fn truncations_never_panic() {
    for (format, bytes) in [
        (Format::Bdb, bdb::testing::build(&records(), 512, true)),
        (Format::Ndb, ndb::testing::build(&records())),
    ] {
        for cut in (0..bytes.len()).step_by(7) {
            if let Ok(db) = rpmdb::read(format, &memory(bytes[..cut].to_vec())) {
                assert!(
                    db.packages.len() < 2 || cut >= bytes.len() - 512,
                    "{format} cut {cut}"
                );
            }
        }
    }
    let bytes = sqlite_bytes(&records());
    for cut in (0..bytes.len()).step_by(509) {
        let _ = rpmdb::read(Format::Sqlite, &memory(bytes[..cut].to_vec()));
    }
}

fn visit_all(format: Format, bytes: &[u8]) {
    let mut n = 0usize;
    let mut visit = |r: Result<Blob, RpmdbError>| {
        if let Ok(b) = r {
            let _ = rpmdb::header::parse_package(&b.bytes);
        }
        n += 1;
    };
    let mut src: &[u8] = bytes;
    let _ = match format {
        Format::Bdb => bdb::read(&mut src, &mut visit),
        Format::Ndb => ndb::read(&mut src, &mut visit),
        Format::Sqlite => sqlite::read_bytes(bytes, &mut visit),
    };
}

/// Overwrite `bytes` at the given (wrapped) positions.
fn corrupt(mut bytes: Vec<u8>, edits: &[(usize, u8)]) -> Vec<u8> {
    let len = bytes.len();
    for (at, b) in edits {
        bytes[at % len] = *b;
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        visit_all(Format::Bdb, &bytes);
        visit_all(Format::Ndb, &bytes);
        let _ = rpmdb::header::parse_package(&bytes);
    }

    #[test]
    fn corrupted_databases_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..16)) {
        for big in [false, true] {
            visit_all(Format::Bdb, &corrupt(bdb::testing::build(&records(), 512, big), &edits));
        }
        visit_all(Format::Ndb, &corrupt(ndb::testing::build(&records()), &edits));
        let _ = rpmdb::header::parse_package(&corrupt(openssl(), &edits));
    }

    #[test]
    fn corrupted_sqlite_never_panics(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        // Keep the magic so SQLite itself parses the damage.
        let bytes = SQLITE.clone();
        let edits: Vec<_> = edits.into_iter().map(|(at, b)| (16 + at % (bytes.len() - 16), b)).collect();
        visit_all(Format::Sqlite, &corrupt(bytes, &edits));
    }
}
