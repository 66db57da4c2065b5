//! The OS side of cataloguing end to end, through the public entry point
//! (`catalog` with every cataloger): release files and package databases
//! go in as a squashed `Files`, and what comes out is the OS, the OS
//! packages with their ecosystem and purl, and the warnings. The inputs are
//! trimmed to facts from real Debian 12, Ubuntu 22.04, Alpine 3.12 and
//! Wolfi files.

use std::sync::Arc;
use tidewatch_catalog::{Catalogers, catalog};
use tidewatch_image::{FileData, FileEntry, Files};
use tidewatch_types::PackageType;

fn files(list: &[(&str, &str, usize)]) -> Files {
    let mut f = Files::new();
    for (path, text, layer) in list {
        f.insert(
            path.to_string(),
            FileEntry {
                layer: Some(*layer),
                size: text.len() as u64,
                mode: 0o644,
                data: FileData::Memory(Arc::new(text.as_bytes().to_vec())),
            },
        );
    }
    f
}

const BOOKWORM_OS_RELEASE: &str = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n";

const BOOKWORM_STATUS: &str = "\
Package: bash
Status: install ok installed
Architecture: amd64
Source: bash (5.2.15-2)
Version: 5.2.15-2+b13

Package: bsdutils
Status: install ok installed
Architecture: amd64
Source: util-linux (2.38.1-5+deb12u3)
Version: 1:2.38.1-5+deb12u3

Package: libc6
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u13

Package: removed-tool
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1
";

#[test]
fn debian_root_packages_are_matched_in_their_release() {
    let f = files(&[
        ("usr/lib/os-release", BOOKWORM_OS_RELEASE, 0),
        ("etc/os-release", BOOKWORM_OS_RELEASE, 0),
        ("etc/debian_version", "12.15\n", 0),
        ("var/lib/dpkg/status", BOOKWORM_STATUS, 2),
        (
            "var/lib/dpkg/info/libc6:amd64.list",
            "/.\n/usr/lib/x86_64-linux-gnu/libc.so.6\n",
            1,
        ),
    ]);
    let (os, out) = catalog(&Catalogers::all(), &f);
    let os = os.expect("debian detected");
    assert_eq!(
        (os.family.as_str(), os.version.as_str()),
        ("debian", "12.15")
    );
    assert_eq!(os.codename.as_deref(), Some("bookworm"));
    assert_eq!(os.eol_date.as_deref(), Some("2028-06-30"));
    let debs: Vec<_> = out.packages.iter().filter(|p| p.format == "deb").collect();
    let names: Vec<&str> = debs.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["bash", "bsdutils", "libc6"]);
    for p in &debs {
        assert_eq!(p.kind, PackageType::Os);
        assert_eq!(p.ecosystem.as_deref(), Some("Debian:12"));
        assert_eq!(p.locations[0].path, "var/lib/dpkg/status");
        assert_eq!(p.locations[0].layer, Some(2));
        assert!(p.purl.contains("distro=debian-12.15"), "{}", p.purl);
    }
    let bsd = debs[1];
    let src = bsd.source.as_ref().expect("source");
    assert_eq!(
        (src.name.as_str(), src.version.as_str()),
        ("util-linux", "2.38.1-5+deb12u3")
    );
    assert_eq!(
        bsd.purl,
        "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12.15&upstream=util-linux"
    );
    assert_eq!(debs[2].owned_files, ["usr/lib/x86_64-linux-gnu/libc.so.6"]);
    assert!(
        out.warnings
            .iter()
            .all(|w| !w.path.starts_with("var/lib/dpkg")),
        "{:?}",
        out.warnings
    );
}

#[test]
fn ubuntu_is_matched_against_ubuntu_not_debian() {
    let f = files(&[
        (
            "etc/os-release",
            "PRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nVERSION=\"22.04.4 LTS (Jammy Jellyfish)\"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=jammy\n",
            0,
        ),
        ("etc/debian_version", "bookworm/sid\n", 0),
        (
            "var/lib/dpkg/status",
            "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.2-0ubuntu1.15\n",
            0,
        ),
    ]);
    let (os, out) = catalog(&Catalogers::all(), &f);
    let os = os.expect("ubuntu");
    assert_eq!(
        (os.family.as_str(), os.version.as_str()),
        ("ubuntu", "22.04")
    );
    let p = &out.packages[0];
    assert_eq!(p.ecosystem.as_deref(), Some("Ubuntu:22.04:LTS"));
    assert_eq!(
        p.purl,
        "pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.15?arch=amd64&distro=ubuntu-22.04&upstream=openssl"
    );
}

const WOLFI_DB: &str = "\
P:wolfi-baselayout
V:20230201-r23
A:x86_64
L:MIT
o:wolfi-baselayout
F:etc
R:os-release

P:ca-certificates-bundle
V:20250619-r3
A:x86_64
L:MPL-2.0 AND MIT
o:ca-certificates
";

#[test]
fn wolfi_is_apk_but_not_alpine() {
    let f = files(&[
        (
            "etc/os-release",
            "ID=wolfi\nNAME=\"Wolfi\"\nPRETTY_NAME=\"Wolfi\"\nVERSION_ID=20230201\n",
            0,
        ),
        ("usr/lib/apk/db/installed", WOLFI_DB, 0),
    ]);
    let (os, out) = catalog(&Catalogers::all(), &f);
    assert_eq!(os.map(|o| o.family), Some("wolfi".to_string()));
    assert_eq!(out.packages.len(), 2);
    for p in &out.packages {
        assert_eq!(p.ecosystem.as_deref(), Some("Wolfi"));
        assert!(p.purl.starts_with("pkg:apk/wolfi/"), "{}", p.purl);
    }
    let ca = &out.packages[1];
    assert_eq!(
        ca.source.as_ref().map(|s| s.name.as_str()),
        Some("ca-certificates")
    );
    assert_eq!(ca.licenses, ["MPL-2.0 AND MIT"]);
}

#[test]
fn apk_without_a_known_os_is_listed_but_unmatched() {
    let f = files(&[("lib/apk/db/installed", WOLFI_DB, 0)]);
    let (os, out) = catalog(&Catalogers::all(), &f);
    assert!(os.is_none());
    assert_eq!(out.packages.len(), 2);
    assert!(out.packages.iter().all(|p| p.ecosystem.is_none()));
    assert!(
        out.warnings
            .iter()
            .any(|w| w.path == "lib/apk/db/installed" && w.message.contains("cannot be matched")),
        "{:?}",
        out.warnings
    );
}

#[test]
fn end_of_life_alpine_warns_through_the_pipeline() {
    let f = files(&[
        (
            "etc/os-release",
            "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.12.12\nPRETTY_NAME=\"Alpine Linux v3.12\"\n",
            0,
        ),
        ("etc/alpine-release", "3.12.12\n", 0),
        (
            "lib/apk/db/installed",
            "P:zlib\nV:1.2.12-r0\nA:x86_64\nL:Zlib\no:zlib\n",
            0,
        ),
    ]);
    let (os, out) = catalog(&Catalogers::all(), &f);
    let os = os.expect("alpine");
    assert!(os.eol);
    assert_eq!(os.eol_date.as_deref(), Some("2022-05-01"));
    assert!(
        out.warnings.iter().any(|w| w.path == "etc/os-release"
            && w.message.contains("reached end of life on 2022-05-01")),
        "{:?}",
        out.warnings
    );
    assert_eq!(out.packages[0].ecosystem.as_deref(), Some("Alpine:v3.12"));
}
