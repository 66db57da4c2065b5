//! `tidewatch fs` on RPM roots the tests assemble (an rpm database written
//! here, plus an os-release) matched against the vendor feeds: Amazon
//! Linux 2023 with ALAS, SLES 15 SP1 with SUSE CVRF, Oracle Linux 7 with
//! ELSA OVAL. The feed files are the db crate's trimmed real samples; each
//! expected finding is worked out by hand from them.

mod common;

use common::*;
use std::path::PathBuf;
use tidewatch_catalog::rpmdb::header::{tag, testing::HeaderBuilder};
use tidewatch_catalog::rpmdb::{bdb, ndb, sqlite};

fn feed(rel: &str) -> (String, String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../db/tests/fixtures")
        .join(rel);
    let name = rel.replace('/', "-");
    let body = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (name, body)
}

fn import(env: &Env, rels: &[&str]) {
    let files: Vec<(String, String)> = rels.iter().map(|r| feed(r)).collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_str()))
        .collect();
    env.import(&refs);
}

/// `(name, version, release, arch, vendor)`.
type Rpm<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);

fn headers(rpms: &[Rpm<'_>]) -> Vec<(u32, Vec<u8>)> {
    rpms.iter()
        .enumerate()
        .map(|(i, (name, version, release, arch, vendor))| {
            let blob = HeaderBuilder::new()
                .string(tag::NAME, name)
                .string(tag::VERSION, version)
                .string(tag::RELEASE, release)
                .string(tag::ARCH, arch)
                .string(tag::VENDOR, vendor)
                .string(
                    tag::SOURCERPM,
                    &format!("{name}-{version}-{release}.src.rpm"),
                )
                .build();
            (i as u32 + 1, blob)
        })
        .collect()
}

fn finding<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no finding {id}"))
}

fn row(name: &str, version: &str, id: &str, fixed: &str) -> (String, String, String, Vec<String>) {
    (name.into(), version.into(), id.into(), vec![fixed.into()])
}

#[test]
fn amazon_linux_2023_matches_alas() {
    let env = Env::new();
    import(
        &env,
        &[
            "amazon/2023/ALAS2023-2023-001.json",
            "amazon/2/ALAS2-2021-1699.json",
        ],
    );
    let root = env.path("al2023");
    write_file(
        &root,
        "etc/os-release",
        b"NAME=\"Amazon Linux\"\nVERSION=\"2023\"\nID=\"amzn\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"2023\"\nPLATFORM_ID=\"platform:al2023\"\n",
    );
    let db = env.path("rpmdb.sqlite");
    sqlite::testing::build(
        &db,
        &headers(&[
            // Before ALAS2023-2023-001's fix 8.2204.0-3.amzn2023.0.2: affected.
            (
                "rsyslog",
                "8.2204.0",
                "3.amzn2023.0.1",
                "x86_64",
                "Amazon Linux",
            ),
            // At the fix: not affected.
            (
                "rsyslog-openssl",
                "8.2204.0",
                "3.amzn2023.0.2",
                "x86_64",
                "Amazon Linux",
            ),
            // Listed by an AL2 advisory only: another release's data.
            (
                "kernel-headers",
                "4.14.1",
                "1.amzn2",
                "x86_64",
                "Amazon Linux",
            ),
        ]),
    )
    .expect("rpmdb");
    write_file(
        &root,
        "var/lib/rpm/rpmdb.sqlite",
        &std::fs::read(&db).expect("read"),
    );

    let (code, report, stderr) = env.scan_json("fs", &root, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["target"]["os"]["family"], "amzn");
    assert_eq!(
        report["packages"].as_array().map(Vec::len),
        Some(3),
        "{stderr}"
    );
    assert_eq!(
        findings(&report),
        [row(
            "rsyslog",
            "8.2204.0-3.amzn2023.0.1",
            "ALAS2023-2023-001",
            "8.2204.0-3.amzn2023.0.2"
        )]
    );
    let f = finding(&report, "ALAS2023-2023-001");
    assert_eq!(f["severity"], "HIGH");
    assert_eq!(f["severity_source"], "amazon-alas");
    assert_eq!(f["package"]["ecosystem"], "Amazon Linux:2023");
}

#[test]
fn sles_15_sp1_matches_suse_cvrf_module_fixes() {
    let env = Env::new();
    import(
        &env,
        &[
            "suse/cvrf-suse-su-2019-3295-1.xml",
            "suse/SUSE-SU-2019-0048-2.json",
            "suse/cvrf-suse-su-2019-1608-1.xml",
        ],
    );
    let root = env.path("sles15");
    write_file(
        &root,
        "etc/os-release",
        b"NAME=\"SLES\"\nVERSION=\"15-SP1\"\nVERSION_ID=\"15.1\"\nPRETTY_NAME=\"SUSE Linux Enterprise Server 15 SP1\"\nID=\"sles\"\nID_LIKE=\"suse\"\n",
    );
    let vendor = "SUSE LLC <https://www.suse.com/>";
    let ndb = ndb::testing::build(&headers(&[
        // "Module for Realtime packages 15 SP1" fixes it in 4.12.14-14.14.3.
        ("kernel-rt", "4.12.14", "14.11.1", "x86_64", vendor),
        // At its fix 4.12.14-14.14.2: not affected.
        ("kernel-devel-rt", "4.12.14", "14.14.2", "noarch", vendor),
        // "Module for Containers 15 SP1" (vuln-list JSON): fix 0.2.1-1.7.1.
        ("helm-mirror", "0.2.0", "1.1", "x86_64", vendor),
        // Fixed for SLE 12 only: no finding on 15 SP1.
        ("libopenssl0_9_8", "0.9.8j", "100.1", "x86_64", vendor),
    ]));
    write_file(&root, "usr/lib/sysimage/rpm/Packages.db", &ndb);

    let (code, report, stderr) = env.scan_json("fs", &root, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["target"]["os"]["family"], "sles");
    assert_eq!(
        report["packages"].as_array().map(Vec::len),
        Some(4),
        "{stderr}"
    );
    assert_eq!(
        findings(&report),
        [
            row(
                "helm-mirror",
                "0.2.0-1.1",
                "SUSE-SU-2019:0048-2",
                "0.2.1-1.7.1"
            ),
            row(
                "kernel-rt",
                "4.12.14-14.11.1",
                "SUSE-SU-2019:3295-1",
                "4.12.14-14.14.3"
            ),
        ]
    );
    let f = finding(&report, "SUSE-SU-2019:3295-1");
    assert_eq!(f["severity"], "HIGH");
    assert_eq!(f["severity_source"], "suse-cvrf");
    assert_eq!(
        f["package"]["ecosystem"],
        "SUSE:Linux Enterprise Server 15 SP1"
    );
}

#[test]
fn oracle_linux_7_respects_arch_builds_and_uek() {
    let env = Env::new();
    import(
        &env,
        &[
            "oracle/com.oracle.elsa-per-arch.xml",
            "oracle/com.oracle.elsa-comments-only.xml",
        ],
    );
    let root = env.path("ol7");
    write_file(
        &root,
        "etc/os-release",
        b"NAME=\"Oracle Linux Server\"\nVERSION=\"7.9\"\nID=\"ol\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"7.9\"\n",
    );
    let vendor = "Oracle America";
    let packages = bdb::testing::build(
        &headers(&[
            // x86_64 fix of ELSA-2022-4803 is 8.24.0-57.0.1.el7_9.3.
            ("rsyslog", "8.24.0", "57.el7_9.1", "x86_64", vendor),
            // At the x86_64 fix; the later aarch64 build must not apply.
            (
                "rsyslog-gnutls",
                "8.24.0",
                "57.0.1.el7_9.3",
                "x86_64",
                vendor,
            ),
            // ELSA-2019-4820 (UEK) lists perf at 4.14.35-1902.6.6.el7uek;
            // the RHCK perf is another line.
            ("perf", "3.10.0", "1160.el7", "x86_64", vendor),
            ("kernel-uek", "4.14.35", "1902.3.1.el7uek", "x86_64", vendor),
        ]),
        4096,
        false,
    );
    write_file(&root, "var/lib/rpm/Packages", &packages);

    let (code, report, stderr) = env.scan_json("fs", &root, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["target"]["os"]["family"], "ol");
    assert_eq!(
        report["packages"].as_array().map(Vec::len),
        Some(4),
        "{stderr}"
    );
    assert_eq!(
        findings(&report),
        [
            row(
                "kernel-uek",
                "4.14.35-1902.3.1.el7uek",
                "ELSA-2019-4820",
                "4.14.35-1902.6.6.el7uek"
            ),
            row(
                "rsyslog",
                "8.24.0-57.el7_9.1",
                "ELSA-2022-4803",
                "8.24.0-57.0.1.el7_9.3"
            ),
        ]
    );
    let f = finding(&report, "ELSA-2022-4803");
    assert_eq!(f["severity"], "HIGH");
    assert_eq!(f["severity_source"], "oracle-oval");
}
