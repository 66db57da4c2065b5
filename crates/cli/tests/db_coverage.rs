//! A database that cannot answer for what is scanned must not pass it
//! quietly: `db import` of inputs holding no feed is an error that leaves
//! the DB alone, and a scan warns (once per ecosystem) when the DB has no
//! advisories at all for an ecosystem of the scanned packages.

mod common;

use common::*;

#[test]
fn importing_nothing_is_an_error_and_leaves_the_database_alone() {
    let env = Env::new();
    let junk = env.path("random.bin");
    std::fs::write(&junk, [0x8fu8, 0x00, 0x13, 0xfe, 0x42, 0x17, 0x00, 0x99]).expect("write");
    let out = env.run(&["db", "import", junk.to_str().expect("utf8")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("nothing imported"), "{stderr}");
    assert!(stderr.contains("random.bin"), "{stderr}");
    assert!(!env.db().exists(), "an empty database was written");

    // An existing DB is not replaced either.
    env.import(&[(
        "go/GO-2024-0001.json",
        &osv("GO-2024-0001", "Go", "example.com/mod", "0", "1.2.0"),
    )]);
    let before = std::fs::read(env.db()).expect("read db");
    let out = env.run(&["db", "import", junk.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(env.db()).expect("read db"), before);
}

#[test]
fn a_scan_warns_once_per_ecosystem_the_database_has_no_advisories_for() {
    let env = Env::new();
    env.import(&[(
        "go/GO-2024-0001.json",
        &osv("GO-2024-0001", "Go", "example.com/mod", "0", "1.2.0"),
    )]);
    let root = env.path("rootfs");
    write_file(&root, "etc/os-release", ALPINE_OS_RELEASE.as_bytes());
    write_file(
        &root,
        "lib/apk/db/installed",
        apk_db(&[
            ("zlib", "1.2.13-r1", "zlib"),
            ("busybox", "1.36.0-r0", "busybox"),
        ])
        .as_bytes(),
    );
    let wanted = "the database has no advisories for Alpine:v3.18";
    let (code, report, stderr) = env.scan_json("fs", &root, &[]);
    assert_eq!(code, 0, "{stderr}");
    let warnings: Vec<String> = report["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| w["message"].as_str().unwrap_or_default().to_string())
        .filter(|m| m.contains(wanted))
        .collect();
    assert_eq!(warnings.len(), 1, "{:#?}", report["warnings"]);
    assert!(warnings[0].contains("2 OS packages"), "{}", warnings[0]);
    assert_eq!(stderr.matches(wanted).count(), 1, "{stderr}");

    // With Alpine 3.18 data the warning goes, and Go (no Go packages
    // scanned) never warned.
    env.import(&[(
        "alpine/v3.18/main.json",
        &secdb(&[("zlib", "1.2.13-r2", "CVE-2023-45853")]),
    )]);
    let (code, report, stderr) = env.scan_json("fs", &root, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("no advisories"), "{stderr}");
    assert!(
        !report["warnings"].to_string().contains("no advisories"),
        "{}",
        report["warnings"]
    );
    assert_eq!(findings(&report).len(), 1);
}
