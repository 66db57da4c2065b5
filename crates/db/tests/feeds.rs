//! The OVAL, Debian tracker and enrichment importers on trimmed real
//! samples (`tests/fixtures`) and on files the tests write.

mod support;

use std::fs;
use std::io::Write;
use support::{db_from, fixed, fixtures, one};
use tidewatch_db::import;
use tidewatch_types::{FixState, RangeEvent, Severity};

#[test]
fn debian_oval() {
    let (_tmp, db, report) = db_from(&[fixtures().join("oval/debian-bookworm.xml")]);
    assert_eq!(report.sources[0].name, "debian-oval:bookworm");
    let glibc = db.affected("Debian:12", "glibc").expect("q");
    assert_eq!(fixed(one(&glibc, "CVE-1999-0199")), ["2.2-1"]);
    assert_eq!(one(&glibc, "CVE-1999-0199").advisory.source, "debian-oval");
    let tar = db.affected("Debian:12", "tar").expect("q");
    let rec = one(&tar, "CVE-2005-2541");
    assert_eq!(rec.fix_state, Some(FixState::NotAffected));
    assert!(rec.ranges.is_empty());
    let zlib = db.affected("Debian:12", "zlib").expect("q");
    // Non-zero epochs are kept.
    assert_eq!(fixed(one(&zlib, "CVE-2022-37434")), ["1:1.2.11.dfsg-4.1"]);
    assert!(db.affected("Debian", "zlib").expect("q").is_empty());
}

#[test]
fn debian_oval_bz2() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bz = tmp.path().join("oval-definitions-bookworm.xml.bz2");
    let mut enc = bzip2::write::BzEncoder::new(
        fs::File::create(&bz).expect("create"),
        bzip2::Compression::fast(),
    );
    enc.write_all(&fs::read(fixtures().join("oval/debian-bookworm.xml")).expect("read"))
        .expect("compress");
    enc.finish().expect("finish");
    let (_t, db, _) = db_from(&[bz]);
    assert_eq!(db.affected("Debian:12", "glibc").expect("q").len(), 1);
}

#[test]
fn ubuntu_oval_binary_packages() {
    let (_tmp, db, report) = db_from(&[fixtures().join("oval/ubuntu-noble.xml")]);
    assert_eq!(report.sources[0].name, "ubuntu-oval:noble");
    let recs = db
        .affected("Ubuntu:24.04:LTS", "python3-cryptography")
        .expect("q");
    let rec = one(&recs, "USN-6673-3");
    assert!(rec.binary_package);
    assert_eq!(fixed(rec), ["41.0.7-4ubuntu0.1"]);
    assert_eq!(rec.advisory.aliases, ["CVE-2024-26130"]);
    assert_eq!(rec.severity, Some(Severity::Medium));
    assert_eq!(rec.advisory.severity_source.as_deref(), Some("ubuntu"));
    // The source package name is not how Ubuntu OVAL lists it.
    assert!(
        db.affected("Ubuntu:24.04:LTS", "python-cryptography")
            .expect("q")
            .is_empty()
    );
}

#[test]
fn redhat_oval_modules() {
    let (_tmp, db, report) = db_from(&[fixtures().join("oval/rhel9.xml")]);
    assert_eq!(report.sources[0].name, "redhat-oval:9");
    let recs = db
        .affected("Red Hat:enterprise_linux:9", "nodejs")
        .expect("q");
    let rec = one(&recs, "RHSA-2022:8832");
    assert!(rec.binary_package);
    assert_eq!(rec.module.as_deref(), Some("nodejs:18"));
    let f = fixed(rec);
    assert_eq!(f.len(), 1);
    assert!(f[0].starts_with("1:18."), "{f:?}");
    assert!(rec.advisory.aliases.contains(&"CVE-2022-3517".to_string()));
    assert_eq!(rec.advisory.severity, Some(Severity::Medium));
    let cvss = &rec.advisory.cvss;
    assert!(
        cvss.iter()
            .any(|c| c.score == Some(7.5) && c.version == "3.1")
    );
}

#[test]
fn debian_tracker_states() {
    let (_tmp, db, report) = db_from(&[fixtures().join("debian-tracker/debian.json")]);
    let names: Vec<_> = report.sources.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(&"debian-tracker:buster"), "{names:?}");
    assert!(names.contains(&"debian-tracker:sid"), "{names:?}");
    let recs = db.affected("Debian:10", "backupninja").expect("q");
    let rec = one(&recs, "CVE-2005-3111");
    assert_eq!(fixed(rec), ["0.8-2"]);
    assert_eq!(rec.severity, Some(Severity::Medium));
    // open + urgency end-of-life
    let chromium = db.affected("Debian:10", "chromium").expect("q");
    assert_eq!(
        one(&chromium, "CVE-2022-0456").fix_state,
        Some(FixState::EndOfLife)
    );

    // The states the sample lacks, written here.
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("tracker.json");
    fs::write(
        &file,
        r#"{"openssl": {
             "CVE-2023-0001": {"releases": {"bookworm": {"status": "open", "urgency": "low", "nodsa": "Minor issue", "nodsa_reason": "postponed"}}},
             "CVE-2023-0002": {"releases": {"bookworm": {"status": "open", "urgency": "unimportant", "nodsa": "", "nodsa_reason": "ignored"}}},
             "CVE-2023-0003": {"releases": {"bookworm": {"status": "open", "urgency": "high**"}}},
             "CVE-2023-0004": {"releases": {"bookworm": {"status": "undetermined", "urgency": "not yet assigned"}}},
             "CVE-2023-0005": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "0", "urgency": "unimportant"}}},
             "CVE-2023-0006": {"releases": {"bookworm": {"status": "open", "urgency": "medium", "nodsa": "Minor issue", "nodsa_reason": ""}}},
             "TEMP-0000000-AAAAAA": {"releases": []}}}"#,
    )
    .expect("write");
    let (_t, db, _) = db_from(&[file]);
    let recs = db.affected("Debian:12", "openssl").expect("q");
    let state = |id| one(&recs, id).fix_state;
    assert_eq!(state("CVE-2023-0001"), Some(FixState::FixDeferred));
    assert_eq!(state("CVE-2023-0002"), Some(FixState::WillNotFix));
    assert_eq!(state("CVE-2023-0003"), Some(FixState::NotFixed));
    assert_eq!(one(&recs, "CVE-2023-0003").severity, Some(Severity::High));
    assert_eq!(
        one(&recs, "CVE-2023-0003").ranges[0].events,
        [RangeEvent::Introduced("0".into())]
    );
    assert_eq!(state("CVE-2023-0004"), Some(FixState::UnderInvestigation));
    assert_eq!(state("CVE-2023-0005"), Some(FixState::NotAffected));
    assert_eq!(
        one(&recs, "CVE-2023-0005").severity,
        Some(Severity::Negligible)
    );
    assert_eq!(state("CVE-2023-0006"), Some(FixState::FixDeferred));
}

#[test]
fn enrichment_nvd_kev_epss() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let gz = tmp.path().join("epss_scores.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(
        fs::File::create(&gz).expect("create"),
        flate2::Compression::fast(),
    );
    enc.write_all(&fs::read(fixtures().join("enrich/epss.csv")).expect("read"))
        .expect("gzip");
    enc.finish().expect("finish");
    let (_t, db, report) = db_from(&[
        fixtures().join("enrich/nvd.json"),
        fixtures().join("enrich/kev.json"),
        gz,
    ]);
    let names: Vec<_> = report.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["cisa-kev", "epss", "nvd"]);

    let ids: Vec<String> = [
        "CVE-2022-37434",
        "CVE-2019-11236",
        "CVE-2014-0160",
        "CVE-1999-0002",
        "CVE-2000-0000",
        "CVE-2018-25091",
    ]
    .map(String::from)
    .to_vec();
    let info = db.cve_enrichment(&ids).expect("enrich");
    let get = |id: &str| info.iter().find(|i| i.cve == id);
    let zlib = get("CVE-2022-37434").expect("zlib");
    assert_eq!(zlib.severity, Some(Severity::Critical));
    assert_eq!(zlib.severity_source.as_deref(), Some("nvd:cvss3.1"));
    assert_eq!(zlib.cvss[0].score, Some(9.8));
    assert!(!zlib.kev);
    // v3.0 preferred over v2; both kept.
    let u = get("CVE-2019-11236").expect("urllib3");
    assert_eq!(u.severity, Some(Severity::Medium));
    assert_eq!(u.severity_source.as_deref(), Some("nvd:cvss3.0"));
    assert_eq!(u.cvss.len(), 2);
    assert!(get("CVE-2014-0160").expect("heartbleed").kev);
    let e = get("CVE-1999-0002")
        .expect("epss")
        .epss
        .expect("epss score");
    assert_eq!((e.score, e.percentile), (0.01328, 0.85996));
    assert!(get("CVE-2000-0000").is_none());
    // A record without metrics: known, but no severity.
    let empty = get("CVE-2018-25091").expect("no metrics");
    assert_eq!(empty.severity, None);
}

#[test]
fn malformed_enrichment_and_oval_name_the_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cases: &[(&str, &str)] = &[
        (
            "bad.csv",
            "#model_version:v1\ncve,epss,percentile\nCVE-1,notanumber,0.5\n",
        ),
        ("hdr.csv", "#model_version:v1\ninvalid,header,format\n"),
        (
            "kev.json",
            r#"{"catalogVersion": "1", "vulnerabilities": [{"cveID": "nope"}]}"#,
        ),
        (
            "nvd.json",
            r#"{"format": "NVD_CVE", "vulnerabilities": [{"cve": {"id": "CVE-1", "metrics": {"cvssMetricV31": [{"cvssData": {"vectorString": "junk"}}]}}}]}"#,
        ),
        (
            "tracker.json",
            r#"{"zlib": {"CVE-1": {"releases": {"bookworm": {"status": "weird"}}}}}"#,
        ),
        (
            "cut.xml",
            "<?xml version=\"1.0\"?>\n<oval_definitions xmlns:x=\"oval:org.debian\"><definitions><definition id=\"oval:org.debian:def:1\" class=\"vulnerability\"><metadata>",
        ),
    ];
    for (name, body) in cases {
        let file = tmp.path().join(name);
        fs::write(&file, body).expect("write");
        let err = import(&tmp.path().join("v.db"), &[file]).expect_err(name);
        assert!(err.to_string().contains(name), "{name}: {err}");
        assert!(!tmp.path().join("v.db").exists(), "{name}: DB written");
    }
}
