//! Severity precedence on every kind of feed, through a real database built
//! from feed files this test writes: the vendor's severity where the feed
//! has one (Debian urgency, Ubuntu priority, distro OSV severity, OSV
//! `database_specific.severity`), else the best CVSS vector of the feed and
//! NVD together (v4 > v3.1 > v3.0 > v2), else UNKNOWN; every vector kept;
//! KEV and EPSS attached through aliases.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use tidewatch_match::match_packages;
use tidewatch_types::{Finding, Package, PackageType, Severity};

const V31_CRITICAL: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
const V31_HIGH: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H";
const V31_MEDIUM: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N";
const V40_MEDIUM: &str = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N";
const V2_MEDIUM: &str = "AV:N/AC:L/Au:N/C:P/I:N/A:N";

fn nvd_item(id: &str, metrics: &[(&str, &str, &str)]) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for (key, version, vector) in metrics {
        m.entry(key.to_string())
            .or_insert_with(|| serde_json::json!([]))
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "source": "nvd@nist.gov", "type": "Primary",
                "cvssData": {"version": version, "vectorString": vector}
            }));
    }
    serde_json::json!({"cve": {"id": id, "metrics": m}})
}

fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, body).unwrap();
    p
}

fn osv(
    id: &str,
    alias: &str,
    ecosystem: &str,
    package: &str,
    fixed: &str,
    extra: serde_json::Value,
) -> String {
    let mut r = serde_json::json!({
        "schema_version": "1.6.0", "id": id, "modified": "2024-01-01T00:00:00Z",
        "aliases": [alias],
        "affected": [{
            "package": {"ecosystem": ecosystem, "name": package},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}]
        }]
    });
    if let (Some(r), Some(extra)) = (r.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            if k == "affected_extra" {
                if let Some(a) = r["affected"][0].as_object_mut() {
                    for (k2, v2) in v.as_object().unwrap() {
                        a.insert(k2.clone(), v2.clone());
                    }
                }
            } else {
                r.insert(k.clone(), v.clone());
            }
        }
    }
    r.to_string()
}

/// A DB holding one record of each feed kind, each CVE also in NVD.
fn build() -> (tempfile::TempDir, tidewatch_db::Db) {
    let tmp = tempfile::tempdir().unwrap();
    let feeds = tmp.path().join("feeds");
    let tracker = serde_json::json!({
        "zlib": {"CVE-2022-37434": {"releases": {"bookworm": {"status": "open", "urgency": "high"}}}},
        "tiff": {"CVE-2023-0001": {"releases": {"bookworm": {"status": "open", "urgency": "not yet assigned"}}}},
        "curl": {"CVE-2023-0002": {"releases": {"bookworm": {"status": "open", "urgency": "unimportant"}}}},
        "perl": {"CVE-2023-0003": {"releases": {"bookworm": {"status": "open", "urgency": "end-of-life"}}}},
        "bash": {"CVE-2023-0004": {"releases": {"bookworm": {"status": "open", "urgency": "low**"}}}}
    });
    write(&feeds, "debian/tracker.json", &tracker.to_string());
    let nvd = serde_json::json!({
        "format": "NVD_CVE", "version": "2.0",
        "vulnerabilities": [
            nvd_item("CVE-2022-37434", &[("cvssMetricV31", "3.1", V31_CRITICAL), ("cvssMetricV2", "2.0", V2_MEDIUM)]),
            nvd_item("CVE-2023-0001", &[("cvssMetricV31", "3.1", V31_CRITICAL)]),
            nvd_item("CVE-2023-0002", &[("cvssMetricV31", "3.1", V31_HIGH)]),
            nvd_item("CVE-2023-0003", &[("cvssMetricV31", "3.1", V31_HIGH)]),
            nvd_item("CVE-2023-0004", &[("cvssMetricV31", "3.1", V31_MEDIUM)]),
            nvd_item("CVE-2024-26130", &[("cvssMetricV31", "3.1", V31_HIGH)]),
            nvd_item("CVE-2023-1000", &[("cvssMetricV40", "4.0", V40_MEDIUM)]),
            nvd_item("CVE-2023-1001", &[("cvssMetricV2", "2.0", V2_MEDIUM)]),
            nvd_item("CVE-2023-1002", &[("cvssMetricV31", "3.1", V31_CRITICAL)]),
            nvd_item("CVE-2023-2000", &[("cvssMetricV31", "3.1", V31_CRITICAL)]),
            nvd_item("CVE-2023-2001", &[("cvssMetricV31", "3.1", V31_CRITICAL)])
        ]
    });
    write(&feeds, "nvd/nvd.json", &nvd.to_string());
    let secdb = serde_json::json!({
        "apkurl": "{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk",
        "archs": ["x86_64"], "reponame": "main", "urlprefix": "https://dl-cdn.alpinelinux.org/alpine",
        "distroversion": "v3.18",
        "packages": [{"pkg": {"name": "zlib", "secfixes": {
            "1.2.12-r2": ["CVE-2022-37434"], "1.2.12-r3": ["CVE-2099-0001"]
        }}}]
    });
    write(&feeds, "alpine/v3.18/main.json", &secdb.to_string());
    // PyPI: the feed's own v3.1 against NVD's v4.0, and against NVD's v2.
    let own = |v: &str| serde_json::json!({"severity": [{"type": "CVSS_V3", "score": v}]});
    write(
        &feeds,
        "osv/PYSEC-1.json",
        &osv(
            "PYSEC-1",
            "CVE-2023-1000",
            "PyPI",
            "alpha",
            "2.0",
            own(V31_CRITICAL),
        ),
    );
    write(
        &feeds,
        "osv/PYSEC-2.json",
        &osv(
            "PYSEC-2",
            "CVE-2023-1001",
            "PyPI",
            "beta",
            "2.0",
            own(V31_HIGH),
        ),
    );
    // GHSA's own rating is a vendor severity.
    write(
        &feeds,
        "osv/GHSA-1.json",
        &osv(
            "GHSA-aaaa-bbbb-cccc",
            "CVE-2023-1002",
            "PyPI",
            "gamma",
            "2.0",
            serde_json::json!({"database_specific": {"severity": "MODERATE"}}),
        ),
    );
    // Distro OSV: Ubuntu's priority as a `severity` entry, Debian's
    // urgency per affected package.
    write(
        &feeds,
        "osv/UBUNTU-CVE-2023-2000.json",
        &osv(
            "UBUNTU-CVE-2023-2000",
            "CVE-2023-2000",
            "Ubuntu:22.04:LTS",
            "openssl",
            "3.0.2-0ubuntu1.10",
            serde_json::json!({"severity": [{"type": "Ubuntu", "score": "low"}]}),
        ),
    );
    write(
        &feeds,
        "osv/DEBIAN-CVE-2023-2001.json",
        &osv(
            "DEBIAN-CVE-2023-2001",
            "CVE-2023-2001",
            "Debian:11",
            "openssl",
            "1.1.1w-0+deb11u1",
            serde_json::json!({"affected_extra": {"ecosystem_specific": {"urgency": "medium"}}}),
        ),
    );
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../db/tests/fixtures/oval/ubuntu-noble.xml"),
        feeds.join("ubuntu-noble.xml"),
    )
    .unwrap();
    let kev = serde_json::json!({
        "title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2025.08.25",
        "count": 1, "vulnerabilities": [{"cveID": "CVE-2022-37434", "dateAdded": "2025-01-01"}]
    });
    write(&feeds, "kev/kev.json", &kev.to_string());
    write(
        &feeds,
        "epss/epss.csv",
        "#model_version:v2023.03.01,score_date:2025-02-20T00:00:00+0000\ncve,epss,percentile\nCVE-2022-37434,0.01234,0.81000\nCVE-2023-1000,0.5,0.99\n",
    );
    let db_path = tmp.path().join("vuln.db");
    tidewatch_db::import(&db_path, &[feeds]).unwrap();
    let db = tidewatch_db::Db::open(&db_path).unwrap();
    (tmp, db)
}

fn pkg(name: &str, version: &str, format: &str, ecosystem: &str, kind: PackageType) -> Package {
    let mut p = Package::new(name, version, format, kind);
    p.ecosystem = Some(ecosystem.to_string());
    p
}

fn findings(db: &tidewatch_db::Db, p: Package) -> Vec<Finding> {
    match_packages(db, &[p]).unwrap().findings
}

fn one(db: &tidewatch_db::Db, p: Package) -> Finding {
    let mut f = findings(db, p);
    assert_eq!(f.len(), 1, "{f:#?}");
    f.remove(0)
}

fn vectors(f: &Finding) -> Vec<(&str, &str)> {
    f.cvss
        .iter()
        .map(|c| (c.vector.as_str(), c.source.as_str()))
        .collect()
}

#[test]
fn debian_urgency_wins_except_when_it_is_no_rating() {
    let (_t, db) = build();
    let deb = |n: &str| pkg(n, "1.0-1", "deb", "Debian:12", PackageType::Os);
    // A real urgency beats NVD's CRITICAL, and NVD's vectors are still listed.
    let f = one(&db, deb("zlib"));
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.severity_source.as_deref(), Some("debian"));
    let mut v = vectors(&f);
    v.sort();
    assert_eq!(
        v,
        [(V2_MEDIUM, "nvd"), (V31_CRITICAL, "nvd")],
        "every CVSS vector is kept"
    );
    // "not yet assigned" and "end-of-life" rate nothing: NVD decides
    // (as Trivy and Grype do).
    let f = one(&db, deb("tiff"));
    assert_eq!(
        (f.severity, f.severity_source.as_deref()),
        (Severity::Critical, Some("nvd:cvss3.1"))
    );
    let f = one(&db, deb("perl"));
    assert_eq!(
        (f.severity, f.severity_source.as_deref()),
        (Severity::High, Some("nvd:cvss3.1"))
    );
    // "unimportant" is Debian's rating (NEGLIGIBLE, DESIGN §1.1; Grype
    // says Negligible, Trivy LOW): it is not replaced by NVD's HIGH.
    let f = one(&db, deb("curl"));
    assert_eq!(
        (f.severity, f.severity_source.as_deref()),
        (Severity::Negligible, Some("debian"))
    );
    // "low**" (guessed from NVD by the tracker) still reads as LOW.
    let f = one(&db, deb("bash"));
    assert_eq!(
        (f.severity, f.severity_source.as_deref()),
        (Severity::Low, Some("debian"))
    );
}

#[test]
fn ubuntu_priority_wins_over_nvd() {
    let (_t, db) = build();
    let f = one(
        &db,
        pkg(
            "python3-cryptography",
            "41.0.7-4",
            "deb",
            "Ubuntu:24.04:LTS",
            PackageType::Os,
        ),
    );
    assert_eq!(f.id, "USN-6673-3");
    assert_eq!(
        (f.severity, f.severity_source.as_deref()),
        (Severity::Medium, Some("ubuntu"))
    );
    assert!(vectors(&f).contains(&(V31_HIGH, "nvd")), "{f:#?}");

    let f = one(
        &db,
        pkg(
            "openssl",
            "3.0.2-0ubuntu1.9",
            "deb",
            "Ubuntu:22.04:LTS",
            PackageType::Os,
        ),
    );
    assert_eq!(
        (f.severity, f.severity_source.as_deref()),
        (Severity::Low, Some("ubuntu"))
    );
}

#[test]
fn distro_and_ghsa_osv_severities_are_vendor_ratings() {
    let (_t, db) = build();
    let f = one(
        &db,
        pkg(
            "openssl",
            "1.1.1n-0+deb11u5",
            "deb",
            "Debian:11",
            PackageType::Os,
        ),
    );
    assert_eq!(
        (f.severity, f.severity_source.as_deref()),
        (Severity::Medium, Some("debian"))
    );
    let f = one(
        &db,
        pkg("gamma", "1.0", "python", "PyPI", PackageType::Library),
    );
    assert_eq!(
        (f.severity, f.severity_source.as_deref()),
        (Severity::Medium, Some("osv"))
    );
    assert_eq!(vectors(&f), [(V31_CRITICAL, "nvd")]);
}

#[test]
fn without_a_vendor_rating_the_newest_cvss_version_decides() {
    let (_t, db) = build();
    // NVD's v4.0 beats the feed's own v3.1.
    let f = one(
        &db,
        pkg("alpha", "1.0", "python", "PyPI", PackageType::Library),
    );
    assert_eq!(
        (f.severity, f.severity_source.as_deref()),
        (Severity::Medium, Some("nvd:cvss4.0"))
    );
    assert_eq!(vectors(&f), [(V31_CRITICAL, "osv"), (V40_MEDIUM, "nvd")]);
    assert_eq!(f.epss.map(|e| e.score), Some(0.5));
    // The feed's own v3.1 beats NVD's v2.
    let f = one(
        &db,
        pkg("beta", "1.0", "python", "PyPI", PackageType::Library),
    );
    assert_eq!(
        (f.severity, f.severity_source.as_deref()),
        (Severity::High, Some("osv:cvss3.1"))
    );
    assert_eq!(vectors(&f), [(V31_HIGH, "osv"), (V2_MEDIUM, "nvd")]);
}

#[test]
fn alpine_takes_nvd_and_kev_epss_and_unknown_without_any_score() {
    let (_t, db) = build();
    let mut fs = findings(
        &db,
        pkg("zlib", "1.2.12-r1", "apk", "Alpine:v3.18", PackageType::Os),
    );
    fs.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(fs.len(), 2);
    let zlib = &fs[0];
    assert_eq!(zlib.id, "CVE-2022-37434");
    assert_eq!(
        (zlib.severity, zlib.severity_source.as_deref()),
        (Severity::Critical, Some("nvd:cvss3.1"))
    );
    assert!(zlib.kev);
    let epss = zlib.epss.unwrap();
    assert_eq!((epss.score, epss.percentile), (0.01234, 0.81));
    // In no feed's scores at all.
    let none = &fs[1];
    assert_eq!(none.id, "CVE-2099-0001");
    assert_eq!(
        (none.severity, none.severity_source.as_deref()),
        (Severity::Unknown, None)
    );
    assert!(none.cvss.is_empty() && !none.kev && none.epss.is_none());
}
