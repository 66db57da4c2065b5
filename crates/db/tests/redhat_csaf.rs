//! The Red Hat CSAF VEX importer on trimmed real samples
//! (`tests/fixtures/csaf`) and on a document the test writes in Red Hat's
//! current layout (`product_status` lists, nested module products, EUS
//! platforms).

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use support::{db_from, fixed};
use tidewatch_db::{AffectedRecord, Db, DbError, import};
use tidewatch_types::{FixState, RangeEvent, Severity};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/csaf")
}

fn open(rec: &AffectedRecord) -> bool {
    rec.ranges.len() == 1 && rec.ranges[0].events == [RangeEvent::Introduced("0".into())]
}

fn only(db: &Db, ecosystem: &str, package: &str) -> AffectedRecord {
    let mut recs = db.affected(ecosystem, package).expect("query");
    assert_eq!(recs.len(), 1, "{ecosystem} {package}: {recs:#?}");
    recs.remove(0)
}

#[test]
fn fixed_binary_rpms_from_a_real_vex_file() {
    let (_t, db, report) = db_from(&[fixtures().join("cve-2024-10041.json")]);
    let names: Vec<_> = report.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["redhat-csaf:9"]);
    let pam = only(&db, "Red Hat:enterprise_linux:9", "pam");
    assert_eq!(pam.advisory.id, "CVE-2024-10041");
    assert_eq!(pam.advisory.source, "redhat-csaf");
    assert_eq!(pam.advisory.aliases, ["RHSA-2024:9941"]);
    // x86_64 and aarch64 builds of one fix are one range; epoch 0 spelt out.
    assert_eq!(fixed(&pam), ["0:1.5.1-21.el9_5"]);
    assert!(pam.binary_package);
    assert_eq!(pam.module, None);
    assert_eq!(pam.fix_state, None);
    assert_eq!(pam.severity, Some(Severity::Medium));
    assert_eq!(pam.advisory.severity, Some(Severity::Medium));
    assert_eq!(pam.advisory.severity_source.as_deref(), Some("redhat-csaf"));
    let cvss: Vec<_> = pam
        .advisory
        .cvss
        .iter()
        .map(|c| c.vector.as_str())
        .collect();
    assert_eq!(cvss, ["CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N"]);
    assert_eq!(pam.advisory.cvss[0].score, Some(4.7));
    // The RHEL 7 "out of support scope" product has no relationship in the
    // tree, so it names no package and nothing is recorded for RHEL 7.
    assert!(
        db.affected("Red Hat:enterprise_linux:7", "pam")
            .expect("q")
            .is_empty()
    );
    // Nothing leaks into other ecosystems.
    assert!(db.affected("Red Hat", "pam").expect("q").is_empty());
}

#[test]
fn remediation_only_exports_and_modules_by_suffix() {
    let (_t, db, _) = db_from(&[fixtures().join("cve-2024-22222.json")]);
    let eco = "Red Hat:enterprise_linux:9";
    let t = only(&db, eco, "test-package");
    assert_eq!(fixed(&t), ["1:1.0.0-1.el9"]);
    assert_eq!(t.severity, Some(Severity::Critical));
    assert_eq!(t.advisory.aliases, ["RHSA-2024:9999"]);
    // `none_available` / "Affected": the source rpm is recorded
    // source-keyed, the binary binary-keyed, both unfixed.
    let recs = db.affected(eco, "affected-package").expect("q");
    assert_eq!(recs.len(), 1);
    assert!(!recs[0].binary_package);
    assert!(open(&recs[0]));
    assert_eq!(recs[0].fix_state, Some(FixState::NotFixed));
    let bin = only(&db, eco, "affected-package-bin");
    assert!(bin.binary_package);
    assert_eq!(bin.fix_state, Some(FixState::NotFixed));
    // The `rpmmod` qualifier names the stream.
    let m = only(&db, eco, "modular-package");
    assert_eq!(m.module.as_deref(), Some("module:2.4"));
    assert_eq!(fixed(&m), ["0:2.4.37-65.module+el8.10.0+21982+14717793"]);
    assert_eq!(m.severity, Some(Severity::Medium));
    // The OCI image product is not an rpm.
    assert!(db.affected(eco, "oci-image").expect("q").is_empty());
}

#[test]
fn a_platform_wide_not_affected_names_no_package() {
    let (_t, _db, report) = db_from(&[fixtures().join("cve-2024-0002.json")]);
    assert!(report.sources.is_empty(), "{report:?}");
    assert!(
        report.warnings.is_empty(),
        "claimed, not skipped: {report:?}"
    );
    assert_eq!(report.files_read, 1);
}

/// A VEX file in Red Hat's current layout, written the way
/// `security.access.redhat.com` publishes them (prose left out).
const OPENSSL_VEX: &str = r#"{
  "document": {
    "aggregate_severity": {"text": "Important"},
    "category": "csaf_vex",
    "csaf_version": "2.0",
    "tracking": {"id": "CVE-2099-0001", "initial_release_date": "2099-01-02T00:00:00Z",
                 "current_release_date": "2099-02-03T00:00:00Z", "status": "final", "version": "3"}
  },
  "product_tree": {
    "branches": [{"category": "vendor", "name": "Red Hat", "branches": [
      {"category": "product_family", "name": "Red Hat Enterprise Linux", "branches": [
        {"category": "product_name", "name": "Red Hat Enterprise Linux 8",
         "product": {"name": "Red Hat Enterprise Linux 8", "product_id": "red_hat_enterprise_linux_8",
                     "product_identification_helper": {"cpe": "cpe:/o:redhat:enterprise_linux:8"}}},
        {"category": "product_name", "name": "Red Hat Enterprise Linux 9",
         "product": {"name": "Red Hat Enterprise Linux 9", "product_id": "red_hat_enterprise_linux_9",
                     "product_identification_helper": {"cpe": "cpe:/o:redhat:enterprise_linux:9"}}},
        {"category": "product_version", "name": "Red Hat Enterprise Linux AppStream (v. 9)",
         "product": {"name": "Red Hat Enterprise Linux AppStream (v. 9)", "product_id": "AppStream-9.2.0.Z.MAIN",
                     "product_identification_helper": {"cpe": "cpe:/a:redhat:enterprise_linux:9::appstream"}}},
        {"category": "product_version", "name": "Red Hat Enterprise Linux AppStream EUS (v.9.2)",
         "product": {"name": "Red Hat Enterprise Linux AppStream EUS (v.9.2)", "product_id": "AppStream-9.2.0.Z.EUS",
                     "product_identification_helper": {"cpe": "cpe:/a:redhat:rhel_eus:9.2::appstream"}}},
        {"category": "product_version", "name": "Red Hat Enterprise Linux AppStream (v. 8)",
         "product": {"name": "Red Hat Enterprise Linux AppStream (v. 8)", "product_id": "AppStream-8.9.0.Z.MAIN",
                     "product_identification_helper": {"cpe": "cpe:/a:redhat:enterprise_linux:8::appstream"}}}
      ]},
      {"category": "product_version", "name": "openssl",
       "product": {"name": "openssl", "product_id": "openssl",
                   "product_identification_helper": {"purl": "pkg:rpm/redhat/openssl?arch=src"}}},
      {"category": "product_version", "name": "openssl-libs",
       "product": {"name": "openssl-libs", "product_id": "openssl-libs",
                   "product_identification_helper": {"purl": "pkg:rpm/redhat/openssl-libs"}}},
      {"category": "product_version", "name": "compat-openssl11",
       "product": {"name": "compat-openssl11", "product_id": "compat-openssl11",
                   "product_identification_helper": {"purl": "pkg:rpm/redhat/compat-openssl11"}}},
      {"category": "product_version", "name": "openssl-pkcs11",
       "product": {"name": "openssl-pkcs11", "product_id": "openssl-pkcs11",
                   "product_identification_helper": {"purl": "pkg:rpm/redhat/openssl-pkcs11"}}},
      {"category": "product_version", "name": "nodejs:16/nodejs",
       "product": {"name": "nodejs:16/nodejs", "product_id": "nodejs:16/nodejs"}},
      {"category": "product_version", "name": "nodejs:18:8090020231019152822:a75119d5",
       "product": {"name": "nodejs:18:8090020231019152822:a75119d5", "product_id": "nodejs:18:8090020231019152822:a75119d5",
                   "product_identification_helper": {"purl": "pkg:rpmmod/redhat/nodejs@18:8090020231019152822:a75119d5"}}},
      {"category": "architecture", "name": "x86_64", "branches": [
        {"category": "product_version", "name": "openssl-libs-1:3.0.7-18.el9_2.x86_64",
         "product": {"name": "openssl-libs-1:3.0.7-18.el9_2.x86_64", "product_id": "openssl-libs-1:3.0.7-18.el9_2.x86_64",
                     "product_identification_helper": {"purl": "pkg:rpm/redhat/openssl-libs@3.0.7-18.el9_2?arch=x86_64&epoch=1"}}},
        {"category": "product_version", "name": "openssl-libs-1:3.0.7-17.el9_2.x86_64",
         "product": {"name": "openssl-libs-1:3.0.7-17.el9_2.x86_64", "product_id": "openssl-libs-1:3.0.7-17.el9_2.x86_64",
                     "product_identification_helper": {"purl": "pkg:rpm/redhat/openssl-libs@3.0.7-17.el9_2?arch=x86_64&epoch=1"}}},
        {"category": "product_version", "name": "nodejs-1:18.19.0-1.module+el8.9.0+20473+c4e3d824.x86_64",
         "product": {"name": "nodejs-1:18.19.0-1.module+el8.9.0+20473+c4e3d824.x86_64",
                     "product_id": "nodejs-1:18.19.0-1.module+el8.9.0+20473+c4e3d824.x86_64",
                     "product_identification_helper": {"purl": "pkg:rpm/redhat/nodejs@18.19.0-1.module%2Bel8.9.0%2B20473%2Bc4e3d824?arch=x86_64&epoch=1"}}}
      ]},
      {"category": "architecture", "name": "src", "branches": [
        {"category": "product_version", "name": "openssl-1:3.0.7-18.el9_2.src",
         "product": {"name": "openssl-1:3.0.7-18.el9_2.src", "product_id": "openssl-1:3.0.7-18.el9_2.src",
                     "product_identification_helper": {"purl": "pkg:rpm/redhat/openssl@3.0.7-18.el9_2?arch=src&epoch=1"}}}
      ]}
    ]}],
    "relationships": [
      {"category": "default_component_of", "full_product_name": {"name": "x", "product_id": "AppStream-9.2.0.Z.MAIN:openssl-libs-1:3.0.7-18.el9_2.x86_64"},
       "product_reference": "openssl-libs-1:3.0.7-18.el9_2.x86_64", "relates_to_product_reference": "AppStream-9.2.0.Z.MAIN"},
      {"category": "default_component_of", "full_product_name": {"name": "x", "product_id": "AppStream-9.2.0.Z.MAIN:openssl-1:3.0.7-18.el9_2.src"},
       "product_reference": "openssl-1:3.0.7-18.el9_2.src", "relates_to_product_reference": "AppStream-9.2.0.Z.MAIN"},
      {"category": "default_component_of", "full_product_name": {"name": "x", "product_id": "AppStream-9.2.0.Z.EUS:openssl-libs-1:3.0.7-17.el9_2.x86_64"},
       "product_reference": "openssl-libs-1:3.0.7-17.el9_2.x86_64", "relates_to_product_reference": "AppStream-9.2.0.Z.EUS"},
      {"category": "default_component_of", "full_product_name": {"name": "x", "product_id": "AppStream-8.9.0.Z.MAIN:nodejs:18:8090020231019152822:a75119d5"},
       "product_reference": "nodejs:18:8090020231019152822:a75119d5", "relates_to_product_reference": "AppStream-8.9.0.Z.MAIN"},
      {"category": "default_component_of", "full_product_name": {"name": "x", "product_id": "AppStream-8.9.0.Z.MAIN:nodejs:18:8090020231019152822:a75119d5:nodejs-1:18.19.0-1.module+el8.9.0+20473+c4e3d824.x86_64"},
       "product_reference": "nodejs-1:18.19.0-1.module+el8.9.0+20473+c4e3d824.x86_64",
       "relates_to_product_reference": "AppStream-8.9.0.Z.MAIN:nodejs:18:8090020231019152822:a75119d5"},
      {"category": "default_component_of", "full_product_name": {"name": "x", "product_id": "red_hat_enterprise_linux_8:openssl"},
       "product_reference": "openssl", "relates_to_product_reference": "red_hat_enterprise_linux_8"},
      {"category": "default_component_of", "full_product_name": {"name": "x", "product_id": "red_hat_enterprise_linux_8:openssl-libs"},
       "product_reference": "openssl-libs", "relates_to_product_reference": "red_hat_enterprise_linux_8"},
      {"category": "default_component_of", "full_product_name": {"name": "x", "product_id": "red_hat_enterprise_linux_8:nodejs:16/nodejs"},
       "product_reference": "nodejs:16/nodejs", "relates_to_product_reference": "red_hat_enterprise_linux_8"},
      {"category": "default_component_of", "full_product_name": {"name": "x", "product_id": "red_hat_enterprise_linux_9:compat-openssl11"},
       "product_reference": "compat-openssl11", "relates_to_product_reference": "red_hat_enterprise_linux_9"},
      {"category": "default_component_of", "full_product_name": {"name": "x", "product_id": "red_hat_enterprise_linux_9:openssl-pkcs11"},
       "product_reference": "openssl-pkcs11", "relates_to_product_reference": "red_hat_enterprise_linux_9"}
    ]
  },
  "vulnerabilities": [{
    "cve": "CVE-2099-0001",
    "release_date": "2099-01-01T00:00:00Z",
    "product_status": {
      "fixed": ["AppStream-9.2.0.Z.MAIN:openssl-libs-1:3.0.7-18.el9_2.x86_64",
                "AppStream-9.2.0.Z.MAIN:openssl-1:3.0.7-18.el9_2.src",
                "AppStream-9.2.0.Z.EUS:openssl-libs-1:3.0.7-17.el9_2.x86_64",
                "AppStream-8.9.0.Z.MAIN:nodejs:18:8090020231019152822:a75119d5",
                "AppStream-8.9.0.Z.MAIN:nodejs:18:8090020231019152822:a75119d5:nodejs-1:18.19.0-1.module+el8.9.0+20473+c4e3d824.x86_64"],
      "known_affected": ["red_hat_enterprise_linux_8:openssl", "red_hat_enterprise_linux_8:openssl-libs",
                         "red_hat_enterprise_linux_8:nodejs:16/nodejs"],
      "known_not_affected": ["red_hat_enterprise_linux_9:openssl-pkcs11"],
      "under_investigation": ["red_hat_enterprise_linux_9:compat-openssl11"]
    },
    "remediations": [
      {"category": "vendor_fix", "url": "https://access.redhat.com/errata/RHSA-2099:0100",
       "product_ids": ["AppStream-9.2.0.Z.MAIN:openssl-libs-1:3.0.7-18.el9_2.x86_64",
                       "AppStream-9.2.0.Z.MAIN:openssl-1:3.0.7-18.el9_2.src"]},
      {"category": "vendor_fix", "url": "https://access.redhat.com/errata/RHSA-2099:0101",
       "product_ids": ["AppStream-9.2.0.Z.EUS:openssl-libs-1:3.0.7-17.el9_2.x86_64"]},
      {"category": "vendor_fix", "url": "https://access.redhat.com/errata/RHSA-2099:0200",
       "product_ids": ["AppStream-8.9.0.Z.MAIN:nodejs:18:8090020231019152822:a75119d5:nodejs-1:18.19.0-1.module+el8.9.0+20473+c4e3d824.x86_64"]},
      {"category": "none_available", "details": "Affected", "product_ids": ["red_hat_enterprise_linux_8:openssl"]},
      {"category": "no_fix_planned", "details": "Will not fix", "product_ids": ["red_hat_enterprise_linux_8:openssl-libs"]},
      {"category": "none_available", "details": "Deferred", "product_ids": ["red_hat_enterprise_linux_8:nodejs:16/nodejs"]}
    ],
    "scores": [{"cvss_v3": {"version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "baseScore": 7.5},
                "products": ["AppStream-9.2.0.Z.MAIN:openssl-libs-1:3.0.7-18.el9_2.x86_64"]}],
    "threats": [{"category": "impact", "details": "Important",
                 "product_ids": ["AppStream-9.2.0.Z.MAIN:openssl-libs-1:3.0.7-18.el9_2.x86_64",
                                 "red_hat_enterprise_linux_8:openssl", "red_hat_enterprise_linux_8:openssl-libs"]},
                {"category": "impact", "details": "Low",
                 "product_ids": ["red_hat_enterprise_linux_8:nodejs:16/nodejs"]}]
  }]
}"#;

fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, body).expect("write");
    p
}

#[test]
fn product_status_states_modules_and_streams() {
    let feeds = tempfile::tempdir().expect("tempdir");
    let file = write(feeds.path(), "cve-2099-0001.json", OPENSSL_VEX);
    let (_t, db, report) = db_from(&[file]);
    let mut names: Vec<_> = report.sources.iter().map(|s| s.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["redhat-csaf:8", "redhat-csaf:9"]);

    let el9 = "Red Hat:enterprise_linux:9";
    // Main stream only: the EUS build (3.0.7-17) is not in the RHEL 9 line;
    // the source rpm of the fix is not recorded.
    let libs = only(&db, el9, "openssl-libs");
    assert_eq!(fixed(&libs), ["1:3.0.7-18.el9_2"]);
    assert!(libs.binary_package);
    assert_eq!(libs.advisory.id, "CVE-2099-0001");
    assert_eq!(libs.advisory.aliases, ["RHSA-2099:0100"]);
    assert_eq!(libs.severity, Some(Severity::High));
    assert_eq!(libs.advisory.severity, Some(Severity::High));
    assert_eq!(
        libs.advisory.published.as_deref(),
        Some("2099-01-01T00:00:00Z")
    );
    assert_eq!(
        libs.advisory.modified.as_deref(),
        Some("2099-02-03T00:00:00Z")
    );
    assert!(db.affected(el9, "openssl").expect("q").is_empty());
    let inv = only(&db, el9, "compat-openssl11");
    assert!(open(&inv));
    assert_eq!(inv.fix_state, Some(FixState::UnderInvestigation));
    let na = only(&db, el9, "openssl-pkcs11");
    assert_eq!(na.fix_state, Some(FixState::NotAffected));
    assert!(na.ranges.is_empty());

    let el8 = "Red Hat:enterprise_linux:8";
    let src = only(&db, el8, "openssl");
    assert!(!src.binary_package, "named by its source rpm");
    assert!(open(&src));
    assert_eq!(src.fix_state, Some(FixState::NotFixed));
    // Aliases are the RHSAs that fix something in the major (nodejs:18).
    assert_eq!(src.advisory.aliases, ["RHSA-2099:0200"]);
    let libs8 = only(&db, el8, "openssl-libs");
    assert!(libs8.binary_package);
    assert_eq!(libs8.fix_state, Some(FixState::WillNotFix));
    assert_eq!(libs8.severity, Some(Severity::High));
    // Two module lines of nodejs: the fixed 18 stream (nested module
    // product) and the deferred 16 stream (`nodejs:16/nodejs`).
    let mut node = db.affected(el8, "nodejs").expect("q");
    node.sort_by(|a, b| a.module.cmp(&b.module));
    assert_eq!(node.len(), 2, "{node:#?}");
    assert_eq!(node[0].module.as_deref(), Some("nodejs:16"));
    assert_eq!(node[0].fix_state, Some(FixState::FixDeferred));
    assert_eq!(node[0].severity, Some(Severity::Low));
    assert_eq!(node[1].module.as_deref(), Some("nodejs:18"));
    assert_eq!(
        fixed(&node[1]),
        ["1:18.19.0-1.module+el8.9.0+20473+c4e3d824"]
    );
    assert_eq!(node[1].advisory.aliases, ["RHSA-2099:0200"]);
    // The EUS stream's ecosystem is not invented.
    assert!(
        db.affected("Red Hat:rhel_eus:9.2", "openssl-libs")
            .expect("q")
            .is_empty()
    );
}

#[test]
fn files_are_merged_per_major_and_replace_on_reimport() {
    let feeds = tempfile::tempdir().expect("tempdir");
    write(feeds.path(), "cve-2099-0001.json", OPENSSL_VEX);
    fs::copy(
        fixtures().join("cve-2024-10041.json"),
        feeds.path().join("cve-2024-10041.json"),
    )
    .expect("copy");
    let (_t, db, report) = db_from(&[feeds.path().to_path_buf()]);
    let nine = report
        .sources
        .iter()
        .find(|s| s.name == "redhat-csaf:9")
        .expect("redhat-csaf:9");
    assert_eq!(nine.advisories, 2);
    assert_eq!(
        only(&db, "Red Hat:enterprise_linux:9", "pam").advisory.id,
        "CVE-2024-10041"
    );
}

#[test]
fn malformed_files_are_errors_naming_the_file() {
    let cases = [
        // Truncated mid-document.
        ("cve-2099-0002.json", &OPENSSL_VEX[..OPENSSL_VEX.len() / 2]),
        // A CSAF document without its tracking block (vuln-list-update's
        // `invalid` sample has this shape).
        (
            "cve-2099-0003.json",
            r#"{"document": {"csaf_version": "2.0", "aggregate_severity": {"text": "moderate"}}, "vulnerabilities": []}"#,
        ),
        // A product status that is not a list.
        (
            "cve-2099-0004.json",
            r#"{"document": {"csaf_version": "2.0", "tracking": {"id": "CVE-2099-0004"}},
                "vulnerabilities": [{"cve": "CVE-2099-0004", "product_status": {"fixed": "x"}}]}"#,
        ),
    ];
    for (name, body) in cases {
        let feeds = tempfile::tempdir().expect("tempdir");
        let file = write(feeds.path(), name, body);
        let tmp = tempfile::tempdir().expect("tempdir");
        let db_path = tmp.path().join("v.db");
        let err = import(&db_path, &[file]).expect_err(name);
        let msg = err.to_string();
        assert!(matches!(err, DbError::Malformed { .. }), "{name}: {msg}");
        assert!(msg.contains(name), "{name}: {msg}");
        assert!(msg.contains("Red Hat CSAF VEX"), "{name}: {msg}");
        assert!(!db_path.exists(), "{name}: no half-written DB");
    }
}
