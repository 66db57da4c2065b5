//! Acceptance: the real rpm databases in `../shared/fixtures/rpm` yield
//! exactly the package lists the real `rpm -qa` (or upstream's tests, for
//! NDB, which Debian's rpm cannot read) printed for them.
#![allow(clippy::unwrap_used)]

mod shared_support;

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use tidewatch_catalog::os::rpm::Rpm;
use tidewatch_catalog::rpmdb::{self, Format, RpmPackage, RpmdbError};
use tidewatch_catalog::{Cataloger, Catalogers, Output};
use tidewatch_image::{FileData, FileEntry, Files};
use tidewatch_types::OsInfo;

macro_rules! shared_or_skip {
    () => {
        match shared_support::shared("") {
            Some(d) => d.join("fixtures/rpm"),
            None => return,
        }
    };
}

/// The database bytes, gunzipped when stored as `.gz`.
fn load(dir: &Path, stored_as: &str) -> Vec<u8> {
    let raw = std::fs::read(dir.join(stored_as)).unwrap();
    if stored_as.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        raw
    }
}

/// Hold the bytes the way the image reader would: in memory, or spilled
/// to a temporary file when large.
fn file_data(bytes: Vec<u8>) -> FileData {
    if bytes.len() as u64 > tidewatch_image::SPILL_THRESHOLD {
        let mut tmp = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut tmp, &bytes).unwrap();
        FileData::Spilled(Arc::new(tmp.into_temp_path()))
    } else {
        FileData::Memory(Arc::new(bytes))
    }
}

/// Which fields an expected list can be compared on.
#[derive(Clone, Copy)]
enum Columns {
    /// `expected.rpm-qa.tsv` / `expected.go-rpmdb.tsv`: everything.
    Full,
    /// Upstream NDB lists that did not capture the modularity label.
    NoModularity,
    /// snyk's list: name, version, release, arch, sourcerpm.
    Nevra,
}

fn row(p: &RpmPackage, cols: Columns) -> Vec<String> {
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    let mut r = vec![p.name.clone()];
    if !matches!(cols, Columns::Nevra) {
        r.push(p.epoch.map(|e| e.to_string()).unwrap_or_default());
    }
    r.extend([
        p.version.clone(),
        p.release.clone(),
        s(&p.arch),
        s(&p.source_rpm),
    ]);
    match cols {
        Columns::Full => r.extend([s(&p.modularity_label), s(&p.vendor), s(&p.license)]),
        Columns::NoModularity => r.extend([s(&p.vendor), s(&p.license)]),
        Columns::Nevra => {}
    }
    r
}

fn expected(dir: &Path, cols: Columns) -> (String, Vec<Vec<String>>) {
    let (file, take): (&str, &[usize]) = match cols {
        Columns::Full => {
            if dir.join("expected.rpm-qa.tsv").exists() {
                ("expected.rpm-qa.tsv", &[0, 1, 2, 3, 4, 5, 6, 7, 8])
            } else {
                ("expected.go-rpmdb.tsv", &[0, 1, 2, 3, 4, 5, 6, 7, 8])
            }
        }
        Columns::NoModularity => ("expected.go-rpmdb.tsv", &[0, 1, 2, 3, 4, 5, 7, 8]),
        Columns::Nevra => ("expected.tsv", &[0, 1, 2, 3, 4]),
    };
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let mut rows: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            take.iter()
                .map(|&i| f.get(i).copied().unwrap_or("").to_string())
                .collect()
        })
        .filter(|r: &Vec<String>| r[0] != "gpg-pubkey")
        .collect();
    rows.sort();
    (file.to_string(), rows)
}

fn format_of(name: &str) -> Format {
    match name {
        "bdb" => Format::Bdb,
        "sqlite" => Format::Sqlite,
        "ndb" => Format::Ndb,
        other => panic!("unknown format {other}"),
    }
}

#[test]
fn every_fixture_yields_exactly_its_expected_packages() {
    let root = shared_or_skip!();
    let index = std::fs::read_to_string(root.join("INDEX.tsv")).unwrap();
    let mut checked = 0;
    for line in index.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (dir, format, stored_as, count) = (f[0], format_of(f[1]), f[2], f[3]);
        let dir = root.join(dir);
        let cols = if dir.ends_with("ndb/sle15sp3-three-packages") {
            Columns::Nevra
        } else if format == Format::Ndb {
            Columns::NoModularity
        } else {
            Columns::Full
        };
        let started = std::time::Instant::now();
        let db = rpmdb::read(format, &file_data(load(&dir, stored_as))).unwrap();
        let elapsed = started.elapsed();
        assert!(db.errors.is_empty(), "{}: {:?}", dir.display(), db.errors);
        let damaged: Vec<_> = db
            .packages
            .iter()
            .filter(|p| !p.damage.is_empty())
            .collect();
        assert!(damaged.is_empty(), "{}: {damaged:?}", dir.display());
        let mut got: Vec<Vec<String>> = db.packages.iter().map(|p| row(p, cols)).collect();
        got.sort();
        let (file, want) = expected(&dir, cols);
        assert_eq!(got, want, "{} against {file}", dir.display());
        println!(
            "{}: {} packages (index says {count} with gpg-pubkeys) in {elapsed:?}",
            dir.display(),
            got.len()
        );
        checked += 1;
    }
    assert_eq!(checked, 19);
}

#[test]
fn broken_databases_are_errors_not_panics() {
    let root = shared_or_skip!();
    let cases = [
        ("bad/claircore-no_packages/rpmdb.sqlite", Format::Sqlite),
        ("bad/preflight-sqlite-corrupt/rpmdb.sqlite", Format::Sqlite),
        (
            "bad/preflight-sqlite-fail-list-pkg/rpmdb.sqlite",
            Format::Sqlite,
        ),
        ("bad/preflight-bdb-corrupt/Packages", Format::Bdb),
        ("bad/preflight-bdb-fail-list-pkg/Packages", Format::Bdb),
    ];
    for (path, format) in cases {
        let bytes = std::fs::read(root.join(path)).unwrap();
        let err = rpmdb::read(format, &FileData::Memory(Arc::new(bytes))).unwrap_err();
        assert!(
            matches!(err, RpmdbError::NotADatabase { .. } | RpmdbError::Sqlite(_)),
            "{path}: {err}"
        );
        println!("{path}: {err}");
    }
}

#[test]
fn lone_header_blobs_parse() {
    let root = shared_or_skip!();
    for name in ["claircore-package.header", "go-rpmdb-blob.bin"] {
        let blob = std::fs::read(root.join("headers").join(name)).unwrap();
        let p = rpmdb::header::parse_package(&blob).unwrap().unwrap();
        assert!(!p.name.is_empty() && !p.version.is_empty());
        if name == "claircore-package.header" {
            assert_eq!(p.damage, []);
            assert_eq!(p.files.len(), 152);
        } else {
            // Upstream's blob has a DIRINDEXES entry past its DIRNAMES:
            // the package survives, its file list does not.
            assert_eq!(p.name, "publicsuffix-list-dafsa");
            assert_eq!(p.damage.len(), 1);
        }
        println!(
            "{name}: {} {} ({} files, damage: {:?})",
            p.name,
            p.evr(),
            p.files.len(),
            p.damage
        );
    }
}

/// Installed files as upstream go-rpmdb lists them for libuuid.
#[test]
fn installed_files_of_libuuid() {
    let root = shared_or_skip!();
    let dir = root.join("bdb/rhel8.8-libuuid-only");
    let db = rpmdb::read(Format::Bdb, &file_data(load(&dir, "Packages"))).unwrap();
    let p = &db.packages[0];
    assert_eq!(p.name, "libuuid");
    assert!(
        p.files.contains(&"/usr/lib64/libuuid.so.1".to_string()),
        "{:?}",
        p.files
    );
    assert!(p.files.iter().all(|f| f.starts_with('/')));
}

/// The whole cataloger on a root assembled from the CentOS 8 database with
/// module labels and an AlmaLinux 8 os-release.
#[test]
fn cataloger_on_an_assembled_almalinux_root() {
    let root = shared_or_skip!();
    let fixtures = root.parent().unwrap();
    let mut files = Files::new();
    let entry = |data: Vec<u8>, layer| FileEntry {
        layer: Some(layer),
        size: data.len() as u64,
        mode: 0o644,
        data: file_data(data),
    };
    let db = load(&root.join("bdb/centos8-modularitylabel"), "Packages.gz");
    files.insert("var/lib/rpm/Packages".into(), entry(db, 1));
    let release =
        std::fs::read(fixtures.join("os-release/snyk/almalinux_8/fs/etc/os-release")).unwrap();
    files.insert("etc/os-release".into(), entry(release, 0));

    let (os, out) = tidewatch_catalog::catalog(&Catalogers::all(), &files);
    let os = os.unwrap();
    assert_eq!(
        (os.family.as_str(), os.version.as_str()),
        ("almalinux", "8.4")
    );
    let rpms: Vec<_> = out.packages.iter().filter(|p| p.format == "rpm").collect();
    let (_, want) = expected(&root.join("bdb/centos8-modularitylabel"), Columns::Full);
    assert_eq!(rpms.len(), want.len());
    assert!(
        out.warnings
            .iter()
            .all(|w| w.path != "var/lib/rpm/Packages"),
        "{:?}",
        out.warnings
    );
    for p in &rpms {
        assert_eq!(p.ecosystem.as_deref(), Some("AlmaLinux:8"), "{}", p.name);
        assert_eq!(p.locations[0].layer, Some(1));
        assert!(p.purl.starts_with("pkg:rpm/almalinux/"), "{}", p.purl);
        assert!(p.purl.contains("distro=almalinux-8.4"), "{}", p.purl);
    }
    let modular = rpms
        .iter()
        .filter(|p| p.metadata.contains_key("modularitylabel"))
        .count();
    assert!(modular > 0);
    let want_modular = want.iter().filter(|r| !r[6].is_empty()).count();
    assert_eq!(modular, want_modular);
    // A package with an epoch keeps it in the version and in metadata.
    let with_epoch = rpms
        .iter()
        .find(|p| p.metadata.get("epoch").is_some_and(|e| e != "0"))
        .unwrap();
    let epoch = &with_epoch.metadata["epoch"];
    assert!(
        with_epoch.version.starts_with(&format!("{epoch}:")),
        "{}",
        with_epoch.version
    );
    assert!(with_epoch.purl.contains(&format!("epoch={epoch}")));
    println!("{} rpm packages, {modular} modular", rpms.len());
}

/// A corrupt database at the path gives one warning and the scan goes on.
#[test]
fn corrupt_database_is_a_warning() {
    let root = shared_or_skip!();
    let bytes = std::fs::read(root.join("bad/preflight-bdb-fail-list-pkg/Packages")).unwrap();
    let mut files = Files::new();
    files.insert(
        "var/lib/rpm/Packages".into(),
        FileEntry {
            layer: Some(0),
            size: bytes.len() as u64,
            mode: 0o644,
            data: FileData::Memory(Arc::new(bytes)),
        },
    );
    let mut out = Output::default();
    Rpm.catalog(&files, Some(&OsInfo::default()), &mut out);
    assert!(out.packages.is_empty());
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert_eq!(out.warnings[0].path, "var/lib/rpm/Packages");
}
