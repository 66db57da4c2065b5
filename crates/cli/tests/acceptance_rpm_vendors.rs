//! Acceptance: `tidewatch fs` on roots holding the real rpm databases of
//! `../shared/fixtures/rpm` (amazonlinux:2023's SQLite rpmdb, the SLE 15
//! BCI image's NDB Packages.db) matched against vendor advisories in the
//! ALAS and SUSE OSV formats. The advisories are written here, against
//! versions read from the fixtures' `expected.*.tsv`, so that each
//! expected finding can be checked by hand. Skips, saying so, without
//! `../shared`.

mod common;

use common::*;
use std::path::{Path, PathBuf};

fn shared() -> Option<PathBuf> {
    common::shared(&["fixtures/rpm"])
}

/// Packages listed by an `expected*.tsv` (header first), without the
/// `gpg-pubkey` entries rpm lists for imported keys (not packages).
fn expected_rows(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty() && !l.starts_with("gpg-pubkey\t"))
        .count()
}

fn alas(id: &str, name: &str, epoch: &str, version: &str, release: &str) -> String {
    format!(
        r#"{{"id": "{id}", "issued": {{"date": "2023-09-01 00:00"}}, "updated": {{"date": "2023-09-01 00:00"}},
  "severity": "important", "packages": [{{"name": "{name}", "epoch": "{epoch}", "version": "{version}",
  "release": "{release}", "arch": "x86_64", "filename": "Packages/{name}-{version}-{release}.x86_64.rpm"}}],
  "references": [], "cveids": ["CVE-2023-0001"]}}"#
    )
}

#[test]
fn amazon_linux_2023_rpmdb_against_alas() {
    let Some(shared) = shared() else { return };
    let dir = shared.join("fixtures/rpm/sqlite/amazonlinux2023-plain");
    let env = Env::new();
    // From expected.rpm-qa.tsv: openssl-libs 1:3.0.8-1.amzn2023.0.4,
    // curl-minimal 8.0.1-1.amzn2023.0.1.
    let newer = alas(
        "ALAS2023-2023-9001",
        "openssl-libs",
        "1",
        "3.0.8",
        "1.amzn2023.0.5",
    );
    let same = alas(
        "ALAS2023-2023-9002",
        "curl-minimal",
        "0",
        "8.0.1",
        "1.amzn2023.0.1",
    );
    let other_release = alas("ALAS2-2023-9003", "openssl-libs", "1", "9.9.9", "1.amzn2");
    env.import(&[
        ("amazon/2023/ALAS2023-2023-9001.json", &newer),
        ("amazon/2023/ALAS2023-2023-9002.json", &same),
        ("amazon/2/ALAS2-2023-9003.json", &other_release),
    ]);
    let root = env.path("al2023");
    write_file(
        &root,
        "etc/os-release",
        b"NAME=\"Amazon Linux\"\nVERSION=\"2023\"\nID=\"amzn\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"2023\"\nPLATFORM_ID=\"platform:al2023\"\n",
    );
    write_file(
        &root,
        "var/lib/rpm/rpmdb.sqlite",
        &read_fixture(&dir.join("rpmdb.sqlite.gz")),
    );
    let (code, report, stderr) = env.scan_json("fs", &root, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        report["packages"].as_array().map(Vec::len),
        Some(expected_rows(&dir.join("expected.rpm-qa.tsv")))
    );
    assert_eq!(
        findings(&report),
        [(
            "openssl-libs".to_string(),
            "1:3.0.8-1.amzn2023.0.4".to_string(),
            "ALAS2023-2023-9001".to_string(),
            vec!["1:3.0.8-1.amzn2023.0.5".to_string()]
        )]
    );
    assert_eq!(report["findings"][0]["severity"], "HIGH");
    assert_eq!(report["findings"][0]["severity_source"], "amazon-alas");
}

#[test]
fn sle15_bci_ndb_against_suse_osv_module_records() {
    let Some(shared) = shared() else { return };
    let dir = shared.join("fixtures/rpm/ndb/sle15-bci");
    let env = Env::new();
    // From expected.go-rpmdb.tsv: glibc 2.31-9.3.2, filesystem 15.0-11.3.2.
    // SUSE files SLES fixes under its modules, as its OSV records do.
    let record = |id: &str, eco: &str, name: &str, fixed: &str| {
        format!(
            r#"{{"schema_version": "1.6.0", "id": "{id}", "modified": "2023-01-01T00:00:00Z",
  "published": "2023-01-01T00:00:00Z", "related": ["CVE-2023-0002"],
  "affected": [{{"package": {{"ecosystem": "{eco}", "name": "{name}"}},
    "ranges": [{{"type": "ECOSYSTEM", "events": [{{"introduced": "0"}}, {{"fixed": "{fixed}"}}]}}]}}]}}"#
        )
    };
    let module = "SUSE:Linux Enterprise Module for Basesystem 15 SP3";
    env.import(&[
        (
            "SUSE-SU-2023:9001-1.json",
            &record("SUSE-SU-2023:9001-1", module, "glibc", "2.31-9.3.3"),
        ),
        (
            "SUSE-SU-2023:9002-1.json",
            &record("SUSE-SU-2023:9002-1", module, "filesystem", "15.0-11.3.2"),
        ),
        (
            "SUSE-SU-2023:9003-1.json",
            &record(
                "SUSE-SU-2023:9003-1",
                "SUSE:Linux Enterprise Module for Basesystem 15 SP4",
                "glibc",
                "9.99-1",
            ),
        ),
    ]);
    let root = env.path("sle15");
    write_file(
        &root,
        "etc/os-release",
        b"NAME=\"SLES\"\nVERSION=\"15-SP3\"\nVERSION_ID=\"15.3\"\nID=\"sles\"\nID_LIKE=\"suse\"\n",
    );
    write_file(
        &root,
        "usr/lib/sysimage/rpm/Packages.db",
        &read_fixture(&dir.join("Packages.db.gz")),
    );
    let (code, report, stderr) = env.scan_json("fs", &root, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        report["packages"].as_array().map(Vec::len),
        Some(expected_rows(&dir.join("expected.go-rpmdb.tsv")))
    );
    assert_eq!(
        findings(&report),
        [(
            "glibc".to_string(),
            "2.31-9.3.2".to_string(),
            "SUSE-SU-2023:9001-1".to_string(),
            vec!["2.31-9.3.3".to_string()]
        )]
    );
    assert_eq!(
        report["findings"][0]["package"]["ecosystem"],
        "SUSE:Linux Enterprise Server 15 SP3"
    );
}
