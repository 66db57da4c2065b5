//! The RPM vendor feeds — Amazon ALAS, Oracle ELSA OVAL, SUSE CVRF and
//! OVAL — and
//! SUSE OSV ecosystems, on trimmed real samples (`tests/fixtures`) and on
//! files the tests write.

mod support;

use std::fs;
use std::path::Path;
use support::{db_from, fixtures};
use tidewatch_db::{AffectedRecord, Db, DbError, import};
use tidewatch_types::{RangeEvent, Severity};

fn records(db: &Db, ecosystem: &str, package: &str, id: &str) -> Vec<AffectedRecord> {
    db.affected(ecosystem, package)
        .expect("query")
        .into_iter()
        .filter(|r| r.advisory.id == id)
        .collect()
}

/// The one record of `id` for `package`, with its single range as events.
fn only(db: &Db, ecosystem: &str, package: &str, id: &str) -> (AffectedRecord, Vec<RangeEvent>) {
    let recs = records(db, ecosystem, package, id);
    assert_eq!(recs.len(), 1, "{ecosystem} {package} {id}: {recs:#?}");
    let rec = recs.into_iter().next().expect("one");
    assert_eq!(rec.ranges.len(), 1, "{rec:#?}");
    let events = rec.ranges[0].events.clone();
    (rec, events)
}

fn below(fixed: &str) -> Vec<RangeEvent> {
    vec![
        RangeEvent::Introduced("0".into()),
        RangeEvent::Fixed(fixed.into()),
    ]
}

fn sources(report: &tidewatch_db::ImportReport) -> Vec<String> {
    let mut s: Vec<String> = report.sources.iter().map(|s| s.name.clone()).collect();
    s.sort();
    s
}

fn assert_malformed(dir: &Path, name: &str, body: &str) {
    let file = dir.join(name);
    fs::write(&file, body).expect("write");
    let db = dir.join(format!("{name}.db"));
    let err = import(&db, std::slice::from_ref(&file)).expect_err(name);
    assert!(matches!(err, DbError::Malformed { .. }), "{name}: {err:?}");
    assert!(err.to_string().contains(name), "{name}: {err}");
    assert!(!db.exists(), "{name}: DB written");
}

#[test]
fn amazon_vuln_list_json_per_release() {
    let (_t, db, report) = db_from(&[fixtures().join("amazon")]);
    assert_eq!(
        sources(&report),
        ["amazon-alas:1", "amazon-alas:2", "amazon-alas:2023"]
    );

    // AL2023: one fixed build for three architectures is one record.
    let (rec, events) = only(&db, "Amazon Linux:2023", "rsyslog", "ALAS2023-2023-001");
    assert_eq!(events, below("8.2204.0-3.amzn2023.0.2"));
    assert!(rec.binary_package);
    assert_eq!(rec.module, None);
    assert_eq!(rec.advisory.severity, Some(Severity::High));
    assert_eq!(rec.advisory.severity_source.as_deref(), Some("amazon-alas"));
    assert_eq!(rec.advisory.source, "amazon-alas");
    assert_eq!(rec.advisory.aliases, ["CVE-2014-3634", "CVE-2022-24903"]);
    let (_, events) = only(
        &db,
        "Amazon Linux:2023",
        "rsyslog-openssl",
        "ALAS2023-2023-001",
    );
    assert_eq!(events, below("8.2204.0-3.amzn2023.0.2"));
    // Binary names only: the advisory is not filed under other releases.
    assert!(
        db.affected("Amazon Linux:2", "rsyslog")
            .expect("q")
            .is_empty()
    );

    // AL2: severity "low".
    let (rec, events) = only(&db, "Amazon Linux:2", "kernel-headers", "ALAS2-2021-1699");
    assert_eq!(events, below("4.14.243-185.433.amzn2"));
    assert_eq!(rec.advisory.severity, Some(Severity::Low));
    assert_eq!(rec.advisory.aliases, ["CVE-2021-22543"]);

    // AL1 (`ALAS-`): a non-zero epoch is kept, a zero one dropped.
    let (rec, events) = only(&db, "Amazon Linux:1", "git-debuginfo", "ALAS-2018-1093");
    assert_eq!(events, below("1:2.14.5-1.59.amzn1"));
    assert_eq!(rec.advisory.severity, Some(Severity::High));
    let (_, events) = only(&db, "Amazon Linux:1", "git", "ALAS-2018-1093");
    assert_eq!(events, below("2.14.5-1.59.amzn1"));
}

#[test]
fn amazon_updateinfo_xml() {
    let (_t, db, report) = db_from(&[fixtures().join("amazon/updateinfo-al2.xml")]);
    assert_eq!(sources(&report), ["amazon-alas:2"]);
    let (rec, events) = only(&db, "Amazon Linux:2", "qemu-img", "ALAS2-2018-942");
    assert_eq!(events, below("10:1.5.3-141.amzn2.5.3"));
    assert_eq!(rec.advisory.severity, Some(Severity::High));
    assert_eq!(rec.advisory.aliases, ["CVE-2017-5715"]);
    assert_eq!(rec.advisory.published.as_deref(), Some("2018-02-07 18:49"));
    let (_, events) = only(
        &db,
        "Amazon Linux:2",
        "java-1.8.0-openjdk-javadoc",
        "ALAS2-2018-949",
    );
    assert_eq!(events, below("1:1.8.0.161-0.b14.amzn2"));
}

#[test]
fn amazon_extras_topics_start_at_their_version_line() {
    // The shape of an AL2 extras updateinfo (kernel-5.10 topic) next to a
    // core advisory for the same package name.
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("updateinfo.xml");
    fs::write(
        &file,
        r#"<?xml version="1.0" ?>
<updates>
<update type="security" status="final"><id>ALAS2KERNEL-5.10-2022-005</id><title>Amazon Linux 2 - ALAS2KERNEL-5.10-2022-005: medium priority package update for kernel</title><issued date="2022-01-20 19:14" /><severity>medium</severity>
<references><reference id="CVE-2021-3753" type="cve" /></references>
<pkglist><collection short="amazon-linux-2---kernel-5.10"><name>Amazon Linux 2 - kernel-5.10</name>
<package name="kernel" epoch="0" version="5.10.62" release="55.141.amzn2" arch="x86_64" /></collection></pkglist></update>
<update type="bugfix"><id>ALAS2-2022-9999</id><severity>low</severity><pkglist><collection short="amazon-linux-2"><name>Amazon Linux 2</name><package name="bash" epoch="0" version="9" release="1" arch="x86_64" /></collection></pkglist></update>
</updates>"#,
    )
    .expect("write");
    let (_t, db, _) = db_from(&[file]);
    let (rec, events) = only(&db, "Amazon Linux:2", "kernel", "ALAS2KERNEL-5.10-2022-005");
    assert_eq!(
        events,
        [
            RangeEvent::Introduced("5.10".into()),
            RangeEvent::Fixed("5.10.62-55.141.amzn2".into())
        ]
    );
    assert_eq!(rec.advisory.severity, Some(Severity::Medium));
    // Bug-fix notices are no advisories.
    assert!(db.affected("Amazon Linux:2", "bash").expect("q").is_empty());
}

#[test]
fn amazon_malformed_files_name_the_path() {
    let tmp = tempfile::tempdir().expect("tempdir");
    assert_malformed(
        tmp.path(),
        "ALAS2-cut.json",
        r#"{"id": "ALAS2-2021-1699", "severity": "low", "packages": [{"name": "kernel", "#,
    );
    assert_malformed(
        tmp.path(),
        "ALAS2-sev.json",
        r#"{"id": "ALAS2-2021-1699", "severity": "catastrophic", "packages": [{"name": "kernel", "epoch": "0", "version": "1", "release": "1", "arch": "x86_64"}], "cveids": []}"#,
    );
    assert_malformed(
        tmp.path(),
        "ALAS2-nover.json",
        r#"{"id": "ALAS2-2021-1699", "severity": "low", "packages": [{"name": "kernel", "arch": "x86_64"}], "cveids": []}"#,
    );
    assert_malformed(
        tmp.path(),
        "updateinfo-cut.xml",
        r#"<?xml version="1.0" ?><updates><update type="security"><id>ALAS2-2018-942</id><pkglist><collection short="amazon-linux-2"><package name="qemu-kvm" epoch="10" version="1.5.3" release="141.amzn2.5.3" arch="x86_64">"#,
    );
}

#[test]
fn oracle_elsa_oval_with_tests() {
    let (_t, db, report) = db_from(&[fixtures().join("oracle/com.oracle.elsa-2007.xml")]);
    assert_eq!(sources(&report), ["oracle-oval:5"]);
    let (rec, events) = only(&db, "Oracle:5", "bind-libs", "ELSA-2007-0057");
    assert_eq!(events, below("30:9.3.3-8.el5"));
    assert!(rec.binary_package);
    assert_eq!(rec.advisory.severity, Some(Severity::Medium));
    assert_eq!(rec.advisory.severity_source.as_deref(), Some("oracle-oval"));
    assert_eq!(rec.advisory.aliases, ["CVE-2007-0493", "CVE-2007-0494"]);
    assert_eq!(rec.advisory.published.as_deref(), Some("2007-06-26"));
    // The release and signature-key tests name no package to record.
    assert!(
        db.affected("Oracle:5", "oraclelinux-release")
            .expect("q")
            .is_empty()
    );
}

#[test]
fn oracle_elsa_oval_several_releases_from_comments() {
    // vuln-list's sample keeps definitions only: the criterion comments
    // carry package and version; one ELSA covers OL5 and OL6.
    let (_t, db, report) = db_from(&[fixtures().join("oracle/com.oracle.elsa-comments-only.xml")]);
    assert_eq!(
        sources(&report),
        ["oracle-oval:5", "oracle-oval:6", "oracle-oval:7"]
    );
    let (rec, events) = only(&db, "Oracle:5", "firefox", "ELSA-2011-1268");
    assert_eq!(events, below("3.6.22-1.0.1.el5_7"));
    assert_eq!(rec.advisory.severity, Some(Severity::High));
    let (_, events) = only(&db, "Oracle:6", "firefox", "ELSA-2011-1268");
    assert_eq!(events, below("3.6.22-1.0.1.el6_1"));
    // A UEK advisory keeps the `el7uek` marker on every package it lists,
    // perf included (the matcher keeps it off the RHCK perf).
    let (_, events) = only(&db, "Oracle:7", "perf", "ELSA-2019-4820");
    assert_eq!(events, below("4.14.35-1902.6.6.el7uek"));
    let (_, events) = only(&db, "Oracle:7", "kernel-uek", "ELSA-2019-4820");
    assert_eq!(events, below("4.14.35-1902.6.6.el7uek"));
}

#[test]
fn oracle_elsa_oval_per_arch_builds_and_ksplice() {
    let (_t, db, _) = db_from(&[
        fixtures().join("oracle/com.oracle.elsa-per-arch.xml"),
        fixtures().join("oracle/com.oracle.elsa-ksplice.xml"),
    ]);
    let mut recs: Vec<(Option<String>, Vec<RangeEvent>)> =
        records(&db, "Oracle:7", "rsyslog-gnutls", "ELSA-2022-4803")
            .into_iter()
            .map(|r| (r.module.clone(), r.ranges[0].events.clone()))
            .collect();
    recs.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        recs,
        [
            (
                Some("arch:aarch64".to_string()),
                below("8.24.0-57.0.4.el7_9.3")
            ),
            (
                Some("arch:x86_64".to_string()),
                below("8.24.0-57.0.1.el7_9.3")
            ),
        ]
    );
    // The same ksplice build for both arches: one plain record.
    let (rec, events) = only(&db, "Oracle:8", "openssl-libs", "ELSA-2021-9151");
    assert_eq!(events, below("2:1.1.1g-15.ksplice1.el8_3"));
    assert_eq!(rec.module, None);
    assert_eq!(rec.advisory.aliases, ["CVE-2021-3449", "CVE-2021-3450"]);
}

#[test]
fn oracle_malformed_files_name_the_path() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let good =
        fs::read_to_string(fixtures().join("oracle/com.oracle.elsa-2007.xml")).expect("read");
    assert_malformed(
        tmp.path(),
        "com.oracle.elsa-cut.xml",
        &good[..good.len() * 2 / 3],
    );
    assert_malformed(
        tmp.path(),
        "com.oracle.elsa-sev.xml",
        &good.replace(
            "<severity>MODERATE</severity>",
            "<severity>SEVERE-ISH</severity>",
        ),
    );
    // Oracle's word for "not rated" is no error.
    let na = tmp.path().join("com.oracle.elsa-na.xml");
    fs::write(
        &na,
        good.replace("<severity>MODERATE</severity>", "<severity>N/A</severity>"),
    )
    .expect("write");
    let (_t, db, _) = db_from(&[na]);
    let (rec, _) = only(&db, "Oracle:5", "bind", "ELSA-2007-0057");
    assert_eq!(rec.advisory.severity, None);
    assert_malformed(
        tmp.path(),
        "com.oracle.elsa-norelease.xml",
        &good
            .replace("comment=\"Oracle Linux 5 is installed\"", "comment=\"x\"")
            .replace(
                "<platform>Oracle Linux 5</platform>",
                "<platform>Oracle Linux</platform>",
            ),
    );
}

#[test]
fn suse_cvrf_xml_products_map_to_release_ecosystems() {
    let (_t, db, report) = db_from(&[
        fixtures().join("suse/cvrf-suse-su-2019-3295-1.xml"),
        fixtures().join("suse/cvrf-suse-su-2019-1608-1.xml"),
        fixtures().join("suse/cvrf-opensuse-su-2018-1633-1.xml"),
    ]);
    assert_eq!(
        sources(&report),
        [
            "suse-cvrf:SUSE:Linux Enterprise Desktop 12 SP3",
            "suse-cvrf:SUSE:Linux Enterprise Desktop 12 SP4",
            "suse-cvrf:SUSE:Linux Enterprise Server 12",
            "suse-cvrf:SUSE:Linux Enterprise Server 12 SP1",
            "suse-cvrf:SUSE:Linux Enterprise Server 12 SP2",
            "suse-cvrf:SUSE:Linux Enterprise Server 12 SP3",
            "suse-cvrf:SUSE:Linux Enterprise Server 12 SP4",
            "suse-cvrf:SUSE:Linux Enterprise Server 15 SP1",
            "suse-cvrf:openSUSE:Leap 15.0",
        ]
    );
    // Two modules of SLE 15 SP1 list the same build: one record for SLES 15 SP1.
    let (rec, events) = only(
        &db,
        "SUSE:Linux Enterprise Server 15 SP1",
        "kernel-rt",
        "SUSE-SU-2019:3295-1",
    );
    assert_eq!(events, below("4.12.14-14.14.3"));
    assert!(rec.binary_package);
    assert_eq!(rec.advisory.source, "suse-cvrf");
    // The worst of the CVEs' impacts (moderate, important, low): important.
    assert_eq!(rec.advisory.severity, Some(Severity::High));
    assert_eq!(rec.advisory.severity_source.as_deref(), Some("suse-cvrf"));
    let mut aliases = rec.advisory.aliases.clone();
    aliases.sort();
    assert_eq!(
        aliases,
        [
            "CVE-2018-12207",
            "CVE-2019-0154",
            "CVE-2019-11135",
            "CVE-2019-15916"
        ]
    );
    let (_, events) = only(
        &db,
        "SUSE:Linux Enterprise Server 15 SP1",
        "kernel-devel-rt",
        "SUSE-SU-2019:3295-1",
    );
    assert_eq!(events, below("4.12.14-14.14.2"));

    // SAP Applications 12 SP4 is SLES 12 SP4; the Desktop keeps its own.
    let (rec, events) = only(
        &db,
        "SUSE:Linux Enterprise Server 12 SP4",
        "libopenssl0_9_8",
        "SUSE-SU-2019:1608-1",
    );
    assert_eq!(events, below("0.9.8j-106.12.1"));
    assert_eq!(rec.advisory.aliases, ["CVE-2019-1559"]);
    assert_eq!(rec.advisory.severity, Some(Severity::Medium));
    let (_, events) = only(
        &db,
        "SUSE:Linux Enterprise Server 12",
        "libopenssl0_9_8-32bit",
        "SUSE-SU-2019:1608-1",
    );
    assert_eq!(events, below("0.9.8j-106.12.1"));
    assert_eq!(
        records(
            &db,
            "SUSE:Linux Enterprise Desktop 12 SP4",
            "compat-openssl098",
            "SUSE-SU-2019:1608-1"
        )
        .len(),
        1
    );

    let (rec, events) = only(
        &db,
        "openSUSE:Leap 15.0",
        "glibc-32bit",
        "openSUSE-SU-2018:1633-1",
    );
    assert_eq!(events, below("2.26-lp150.11.3.2"));
    assert_eq!(rec.advisory.severity, Some(Severity::Medium));
}

#[test]
fn suse_cvrf_vuln_list_json() {
    let (_t, db, report) = db_from(&[
        fixtures().join("suse/SUSE-SU-2019-0048-2.json"),
        fixtures().join("suse/SUSE-SU-2024-2546-1.json"),
    ]);
    assert_eq!(
        sources(&report),
        [
            "suse-cvrf:SUSE:Linux Enterprise Micro 5.3",
            "suse-cvrf:SUSE:Linux Enterprise Server 15 SP1",
        ]
    );
    let (rec, events) = only(
        &db,
        "SUSE:Linux Enterprise Server 15 SP1",
        "helm-mirror",
        "SUSE-SU-2019:0048-2",
    );
    assert_eq!(events, below("0.2.1-1.7.1"));
    assert_eq!(rec.advisory.severity, Some(Severity::High));
    let (rec, events) = only(
        &db,
        "SUSE:Linux Enterprise Micro 5.3",
        "libgnutls30",
        "SUSE-SU-2024:2546-1",
    );
    assert_eq!(events, below("3.7.3-150400.8.1"));
    assert_eq!(rec.advisory.severity, Some(Severity::Medium));
}

#[test]
fn suse_osv_modules_land_in_the_sles_release() {
    // The shape of SUSE's own OSV records: fixes filed under a module.
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("SUSE-SU-2024:2546-1.json");
    fs::write(
        &file,
        r#"{"schema_version": "1.6.0", "id": "SUSE-SU-2024:2546-1", "modified": "2024-07-22T13:11:37Z",
  "published": "2024-07-22T13:11:37Z", "upstream": ["CVE-2024-28834"], "related": ["CVE-2024-28834"],
  "affected": [
    {"package": {"ecosystem": "SUSE:Linux Enterprise Module for Basesystem 15 SP5", "name": "libgnutls30",
      "purl": "pkg:rpm/suse/libgnutls30&distro=SUSE%20Linux%20Enterprise%20Module%20for%20Basesystem%2015%20SP5"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.7.3-150400.8.1"}]}]},
    {"package": {"ecosystem": "openSUSE:Leap 15.5", "name": "libgnutls30"},
     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.7.3-150400.8.1"}]}]}
  ]}"#,
    )
    .expect("write");
    let (_t, db, _) = db_from(&[file]);
    let (rec, events) = only(
        &db,
        "SUSE:Linux Enterprise Server 15 SP5",
        "libgnutls30",
        "SUSE-SU-2024:2546-1",
    );
    assert_eq!(events, below("3.7.3-150400.8.1"));
    assert!(rec.binary_package);
    let (rec, _) = only(
        &db,
        "openSUSE:Leap 15.5",
        "libgnutls30",
        "SUSE-SU-2024:2546-1",
    );
    assert!(rec.binary_package);
}

#[test]
fn suse_malformed_files_name_the_path() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let good =
        fs::read_to_string(fixtures().join("suse/cvrf-suse-su-2019-3295-1.xml")).expect("read");
    assert_malformed(tmp.path(), "cvrf-cut.xml", &good[..good.len() / 2]);
    assert_malformed(
        tmp.path(),
        "cvrf-impact.xml",
        &good.replace("<vuln:Description>moderate<", "<vuln:Description>dreadful<"),
    );
    assert_malformed(
        tmp.path(),
        "cvrf-nvr.xml",
        &good.replace(
            "Realtime packages 15 SP1:kernel-rt-4.12.14-14.14.3</vuln:ProductID>",
            "Realtime packages 15 SP1:kernelrt</vuln:ProductID>",
        ),
    );
    assert_malformed(
        tmp.path(),
        "SUSE-SU-cut.json",
        r#"{"Tracking": {"ID": "SUSE-SU-2019:0048-2"}, "ProductTree": {"Relationships": []}, "Vulnerabilities": [{"CVE": "#,
    );
}

#[test]
fn suse_oval_per_cve_definitions() {
    // vunnel's (truncated) SLES 15 OVAL: some criteria point at tests the
    // file no longer has; those record nothing.
    let (_t, db, report) = db_from(&[fixtures().join("suse/suse.linux.enterprise.server.15.xml")]);
    assert!(
        sources(&report).contains(&"suse-oval:SUSE:Linux Enterprise Server 15 SP1".to_string()),
        "{:?} {:?}",
        sources(&report),
        report.warnings
    );
    // "SUSE Linux Enterprise Server 15 SP1-LTSS is installed" and "… for SAP
    // Applications 15 SP1 is installed" with kernel-default <4.12.14-197.89.2.
    let (rec, events) = only(
        &db,
        "SUSE:Linux Enterprise Server 15 SP1",
        "kernel-default",
        "CVE-2021-29154",
    );
    assert_eq!(events, below("4.12.14-197.89.2"));
    assert!(rec.binary_package);
    assert_eq!(rec.advisory.severity, Some(Severity::High));
    assert_eq!(rec.advisory.severity_source.as_deref(), Some("suse-oval"));
    // SLES 15 (GA, LTSS and SAP): the 150.72.1 build.
    let (_, events) = only(
        &db,
        "SUSE:Linux Enterprise Server 15",
        "kernel-default",
        "CVE-2021-29154",
    );
    assert_eq!(events, below("4.12.14-150.72.1"));
    // "is not affected" records nothing.
    assert!(
        db.affected("SUSE:Linux Enterprise Server 15", "python3-cryptography")
            .expect("q")
            .is_empty()
    );
}
