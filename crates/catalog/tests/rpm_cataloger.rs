//! The rpm cataloger over squashed files holding databases these tests
//! write, with an os-release beside them.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use tidewatch_catalog::os::rpm::Rpm;
use tidewatch_catalog::rpmdb::header::{tag, testing::HeaderBuilder};
use tidewatch_catalog::rpmdb::{bdb, ndb};
use tidewatch_catalog::{Cataloger, Catalogers, Output, catalog};
use tidewatch_image::{FileData, FileEntry, FileFilter, Files, Want};
use tidewatch_types::PackageType;

fn header(name: &str, epoch: Option<u32>, version: &str, release: &str, vendor: &str) -> Vec<u8> {
    let mut h = HeaderBuilder::new()
        .string(tag::NAME, name)
        .string(tag::VERSION, version)
        .string(tag::RELEASE, release)
        .string(tag::ARCH, "x86_64")
        .string(
            tag::SOURCERPM,
            &format!("{name}-{version}-{release}.src.rpm"),
        )
        .string(tag::VENDOR, vendor)
        .strings(tag::DIRNAMES, &["/usr/lib/python3.9/site-packages/"])
        .strings(tag::BASENAMES, &[&format!("{name}-{version}.dist-info")])
        .int32(tag::DIRINDEXES, &[0]);
    if let Some(e) = epoch {
        h = h.int32(tag::EPOCH, &[e]);
    }
    h.build()
}

fn put(files: &mut Files, path: &str, layer: usize, bytes: Vec<u8>) {
    files.insert(
        path.into(),
        FileEntry {
            layer: Some(layer),
            size: bytes.len() as u64,
            mode: 0o644,
            data: FileData::Memory(Arc::new(bytes)),
        },
    );
}

const ROCKY: &str = "NAME=\"Rocky Linux\"\nID=\"rocky\"\nVERSION_ID=\"9.3\"\nPRETTY_NAME=\"Rocky Linux 9.3 (Blue Onyx)\"\n";

#[test]
fn wants_only_the_database_paths() {
    let all = Catalogers::all();
    for p in [
        "var/lib/rpm/Packages",
        "var/lib/rpm/rpmdb.sqlite",
        "usr/lib/sysimage/rpm/Packages.db",
        "usr/lib/sysimage/rpm/rpmdb.sqlite",
        "usr/lib/sysimage/rpm/Packages",
    ] {
        assert_eq!(Rpm.wants(p, 1, 0o644), Want::Keep, "{p}");
        assert_eq!(all.wants(p, 1, 0o644), Want::Keep, "{p}");
    }
    for p in [
        "var/lib/rpm/Name",
        "var/lib/rpm/Packages.bak",
        "opt/var/lib/rpm/Packages",
    ] {
        assert_eq!(Rpm.wants(p, 1, 0o644), Want::Skip, "{p}");
    }
}

#[test]
fn packages_from_a_bdb_database_on_rocky() {
    let db = bdb::testing::build(
        &[
            (
                1,
                header(
                    "python3-urllib3",
                    None,
                    "1.26.5",
                    "3.el9",
                    "Rocky Enterprise Software Foundation",
                ),
            ),
            (
                2,
                header(
                    "shadow-utils",
                    Some(2),
                    "4.9",
                    "8.el9",
                    "Rocky Enterprise Software Foundation",
                ),
            ),
        ],
        4096,
        false,
    );
    let mut files = Files::new();
    put(&mut files, "etc/os-release", 0, ROCKY.as_bytes().to_vec());
    put(&mut files, "var/lib/rpm/Packages", 2, db);
    let (os, out) = catalog(&Catalogers::all(), &files);
    assert_eq!(os.unwrap().family, "rocky");
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let mut rpms: Vec<_> = out.packages.iter().filter(|p| p.format == "rpm").collect();
    rpms.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(rpms.len(), 2);
    let shadow = rpms[1];
    assert_eq!(shadow.name, "shadow-utils");
    assert_eq!(shadow.kind, PackageType::Os);
    assert_eq!(shadow.version, "2:4.9-8.el9");
    assert_eq!(shadow.ecosystem.as_deref(), Some("Rocky Linux:9"));
    let src = shadow.source.as_ref().unwrap();
    assert_eq!(
        (src.name.as_str(), src.version.as_str()),
        ("shadow-utils", "2:4.9-8.el9")
    );
    assert_eq!(shadow.metadata["epoch"], "2");
    assert_eq!(
        shadow.metadata["vendor"],
        "Rocky Enterprise Software Foundation"
    );
    assert_eq!(
        shadow.purl,
        "pkg:rpm/rocky/shadow-utils@4.9-8.el9?arch=x86_64&distro=rocky-9.3&epoch=2&upstream=shadow-utils-4.9-8.el9.src.rpm"
    );
    assert_eq!(shadow.locations[0].path, "var/lib/rpm/Packages");
    assert_eq!(shadow.locations[0].layer, Some(2));
    assert_eq!(
        rpms[0].owned_files,
        ["usr/lib/python3.9/site-packages/python3-urllib3-1.26.5.dist-info"]
    );
}

/// When an image holds two databases (a migrated rpmdb, or `var/lib/rpm`
/// linked to `usr/lib/sysimage/rpm`), one is read, not both.
#[test]
fn one_database_is_read_when_several_exist() {
    let mut files = Files::new();
    let old = bdb::testing::build(&[(1, header("stale", None, "1", "1", "x"))], 4096, false);
    let new = ndb::testing::build(&[(1, header("live", None, "1", "1", "x"))]);
    put(&mut files, "var/lib/rpm/Packages", 0, old);
    put(&mut files, "usr/lib/sysimage/rpm/Packages.db", 1, new);
    let mut out = Output::default();
    Rpm.catalog(&files, None, &mut out);
    let names: Vec<_> = out.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["live"]);
}

#[test]
fn damage_is_a_warning_naming_the_file() {
    let good = header("bash", None, "5.1.8", "6.el9", "Rocky");
    let mut bad = header("zlib", None, "1.2.11", "40.el9", "Rocky");
    bad.truncate(20);
    let mut files = Files::new();
    put(&mut files, "etc/os-release", 0, ROCKY.as_bytes().to_vec());
    put(
        &mut files,
        "usr/lib/sysimage/rpm/Packages.db",
        0,
        ndb::testing::build(&[(1, good), (2, bad)]),
    );
    let (_, out) = catalog(&Catalogers::all(), &files);
    let names: Vec<_> = out
        .packages
        .iter()
        .filter(|p| p.format == "rpm")
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["bash"]);
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert_eq!(out.warnings[0].path, "usr/lib/sysimage/rpm/Packages.db");
    assert!(
        out.warnings[0].message.contains("record 2"),
        "{}",
        out.warnings[0].message
    );

    // A file that is no database at all.
    let mut files = Files::new();
    put(
        &mut files,
        "var/lib/rpm/rpmdb.sqlite",
        0,
        b"not sqlite".to_vec(),
    );
    let mut out = Output::default();
    Rpm.catalog(&files, None, &mut out);
    assert!(out.packages.is_empty());
    assert_eq!(out.warnings.len(), 1);
    assert!(
        out.warnings[0]
            .message
            .contains("not a SQLite rpm database"),
        "{}",
        out.warnings[0].message
    );
}

/// A package whose file list is unreadable is still listed, with a warning.
#[test]
fn a_damaged_field_keeps_the_package() {
    let h = HeaderBuilder::new()
        .string(tag::NAME, "odd")
        .string(tag::VERSION, "1")
        .string(tag::RELEASE, "1")
        .strings(tag::DIRNAMES, &["/a/"])
        .strings(tag::BASENAMES, &["b"])
        .int32(tag::DIRINDEXES, &[3])
        .build();
    let mut files = Files::new();
    put(
        &mut files,
        "usr/lib/sysimage/rpm/Packages.db",
        0,
        ndb::testing::build(&[(1, h)]),
    );
    let mut out = Output::default();
    Rpm.catalog(&files, None, &mut out);
    assert_eq!(out.packages.len(), 1);
    assert!(out.packages[0].owned_files.is_empty());
    assert!(
        out.warnings
            .iter()
            .any(|w| w.message.contains("rpm package odd")),
        "{:?}",
        out.warnings
    );
}
