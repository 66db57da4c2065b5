//! Debian matching by source package and release, and `tidewatch fs`.

mod common;

use common::*;
use tidewatch_testkit::ImageBuilder;

const DEBIAN_OS_RELEASE: &str = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n";

/// libssl3 is built from source `openssl` with the same version; libc6
/// from `glibc`; `tar` has an epoch and a binNMU-free version.
const STATUS: &str = "\
Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 3.0.9-1

Package: libc6
Status: install ok installed
Architecture: amd64
Source: glibc
Version: 2.36-9+deb12u1

Package: tar
Status: install ok installed
Architecture: amd64
Version: 1.34+dfsg-1.2

Package: removed-pkg
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1
";

fn feeds(env: &Env) {
    env.import(&[
        // Source-keyed, release-specific: matches libssl3 through openssl.
        (
            "deb1.json",
            &osv(
                "DSA-0001-1",
                "Debian:12",
                "openssl",
                "0",
                "3.0.11-1~deb12u1",
            ),
        ),
        // Same source, fixed before the installed version: not affected.
        (
            "deb2.json",
            &osv("DSA-0002-1", "Debian:12", "glibc", "0", "2.36-9"),
        ),
        // Wrong release: never applies to a Debian 12 image.
        (
            "deb3.json",
            &osv("DSA-0003-1", "Debian:11", "openssl", "0", "9.9.9-1"),
        ),
        // The bare ecosystem is never matched against a specific release.
        (
            "deb4.json",
            &osv("DSA-0004-1", "Debian", "openssl", "0", "9.9.9-1"),
        ),
        // Keyed on the binary name: a source-keyed feed must not hit it.
        (
            "deb5.json",
            &osv("DSA-0005-1", "Debian:12", "libssl3", "0", "9.9.9-1"),
        ),
        (
            "deb6.json",
            &osv(
                "DSA-0006-1",
                "Debian:12",
                "tar",
                "0",
                "1.34+dfsg-1.2+deb12u1",
            ),
        ),
    ]);
}

fn expected() -> Vec<(String, String, String, Vec<String>)> {
    vec![
        (
            "libssl3".into(),
            "3.0.9-1".into(),
            "DSA-0001-1".into(),
            vec!["3.0.11-1~deb12u1".into()],
        ),
        (
            "tar".into(),
            "1.34+dfsg-1.2".into(),
            "DSA-0006-1".into(),
            vec!["1.34+dfsg-1.2+deb12u1".into()],
        ),
    ]
}

#[test]
fn debian_packages_match_by_source_in_their_release_only() {
    let env = Env::new();
    feeds(&env);
    let img = ImageBuilder::new().layer(|l| {
        l.file("etc/os-release", DEBIAN_OS_RELEASE.as_bytes())
            .file("etc/debian_version", b"12.1\n")
            .file("var/lib/dpkg/status", STATUS.as_bytes())
    });
    let path = env.path("debian.tar");
    img.write_docker_archive(&path).expect("write");
    let (code, report, stderr) = env.scan_json("image", &path, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["target"]["os"]["family"], "debian");
    assert_eq!(report["target"]["os"]["version"], "12.1");
    assert_eq!(report["packages"].as_array().map(Vec::len), Some(3));
    assert_eq!(findings(&report), expected());
    let libssl = report["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == "libssl3")
        .expect("libssl3");
    assert_eq!(libssl["source"]["name"], "openssl");
    let purl = libssl["purl"].as_str().expect("purl");
    assert!(
        purl.starts_with("pkg:deb/debian/libssl3@3.0.9-1?"),
        "{purl}"
    );
    assert!(purl.contains("upstream=openssl"), "{purl}");
}

#[test]
fn fs_scans_a_root_filesystem_directory() {
    let env = Env::new();
    feeds(&env);
    let root = env.path("rootfs");
    for (p, body) in [
        ("etc/os-release", DEBIAN_OS_RELEASE),
        ("etc/debian_version", "12.1\n"),
        ("var/lib/dpkg/status", STATUS),
    ] {
        let f = root.join(p);
        std::fs::create_dir_all(f.parent().expect("parent")).expect("mkdir");
        std::fs::write(f, body).expect("write");
    }
    let (code, report, stderr) = env.scan_json("fs", &root, &["--exit-code", "1"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(report["target"]["kind"], "fs");
    assert_eq!(findings(&report), expected());
    assert_eq!(report["layers"].as_array().map(Vec::len), Some(0));

    // The table goes to stdout, lists packages on request, and says why
    // the exit status is what it is.
    let out = env.run(&["fs", root.to_str().expect("utf8"), "--list-all-pkgs"]);
    assert_eq!(out.status.code(), Some(0));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("DSA-0001-1"), "{table}");
    assert!(table.contains("glibc 2.36-9+deb12u1"), "{table}");
    assert!(table.contains("exit 0"), "{table}");
}

#[test]
fn a_missing_database_is_an_error_and_a_bad_feed_leaves_the_db_unchanged() {
    let env = Env::new();
    let root = env.path("rootfs");
    std::fs::create_dir_all(&root).expect("mkdir");
    let out = env.run(&["fs", root.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("db import"));

    feeds(&env);
    let before = std::fs::read(env.db()).expect("db");
    let bad = env.path("bad");
    std::fs::create_dir_all(&bad).expect("mkdir");
    std::fs::write(
        bad.join("broken.json"),
        r#"{"schema_version": "1.6.0", "id": "X-1", "affected": [{"package": "#,
    )
    .expect("write");
    let out = env.run(&["db", "import", bad.to_str().expect("utf8")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("broken.json"), "{stderr}");
    assert_eq!(std::fs::read(env.db()).expect("db"), before);

    let out = env.run(&["db", "status"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("osv:Debian:12"));
}
