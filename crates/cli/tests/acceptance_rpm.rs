//! Acceptance for issue 4's "done means", through the real binary on roots
//! assembled from `../shared/fixtures/rpm` (skips, saying so, without
//! `../shared`):
//!
//! - `tidewatch fs` on a root holding only one real rpm database lists
//!   exactly its packages (name, epoch, version, release, arch, source rpm)
//!   in the JSON report, in CycloneDX and in SPDX, for all 19 databases;
//! - the CentOS 8 database with module labels under an AlmaLinux 8
//!   os-release, with the AlmaLinux OSV data imported, reports the ALSA
//!   advisories worked out by hand from the records, stream by stream;
//! - a corrupt or truncated rpm database is a warning naming it, and the
//!   rest of the scan goes on.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn shared() -> Option<PathBuf> {
    common::shared(&["fixtures/rpm/INDEX.tsv"])
}

/// Where each format's database lives in an image.
fn db_path(format: &str) -> &'static str {
    match format {
        "bdb" => "var/lib/rpm/Packages",
        "sqlite" => "var/lib/rpm/rpmdb.sqlite",
        "ndb" => "usr/lib/sysimage/rpm/Packages.db",
        other => panic!("unknown format {other}"),
    }
}

/// An environment with a database that knows nothing relevant, so scans
/// run offline without trying to download one.
fn env() -> Env {
    let env = Env::new();
    env.import(&[(
        "unrelated.json",
        &osv("GHSA-0000-0000-0000", "PyPI", "nothing-here", "0", "1"),
    )]);
    env
}

/// One package as the comparison sees it. `epoch` is `None` where the
/// expected list does not record epochs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    name: String,
    epoch: Option<String>,
    version: String,
    release: String,
    arch: String,
    sourcerpm: String,
}

/// The expected list of a fixture, chosen as the catalog's acceptance
/// test does: `rpm -qa`'s where Debian's rpm could read the database,
/// upstream go-rpmdb's for NDB, snyk's name/version/release/arch list for
/// the three-package SLE 15 database.
fn expected(dir: &Path, format: &str) -> (String, Vec<Row>) {
    let file = if dir.join("expected.rpm-qa.tsv").exists() && format != "ndb" {
        "expected.rpm-qa.tsv"
    } else if dir.join("expected.go-rpmdb.tsv").exists() {
        "expected.go-rpmdb.tsv"
    } else {
        "expected.tsv"
    };
    let text = std::fs::read_to_string(dir.join(file)).expect("expected list");
    let mut rows: Vec<Row> = text
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let get = |i: usize| f.get(i).copied().unwrap_or_default().to_string();
            if file == "expected.tsv" {
                Row {
                    name: get(0),
                    epoch: None,
                    version: get(1),
                    release: get(2),
                    arch: get(3),
                    sourcerpm: get(4),
                }
            } else {
                Row {
                    name: get(0),
                    epoch: Some(get(1)),
                    version: get(2),
                    release: get(3),
                    arch: get(4),
                    sourcerpm: get(5),
                }
            }
        })
        .filter(|r| r.name != "gpg-pubkey")
        .collect();
    rows.sort();
    (file.to_string(), rows)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(h, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).expect("utf8 purl")
}

/// A row from an rpm purl:
/// `pkg:rpm/<ns>/<name>@<version>-<release>?arch=…&epoch=…&upstream=<srpm>`.
fn row_of_purl(purl: &str, with_epoch: bool) -> Row {
    let rest = purl.strip_prefix("pkg:rpm/").expect("rpm purl");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (path, vr) = path.split_once('@').expect("versioned purl");
    let name = percent_decode(path.rsplit('/').next().expect("name"));
    let vr = percent_decode(vr);
    let (version, release) = vr.rsplit_once('-').expect("version-release");
    let q = |k: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
            .map(percent_decode)
            .unwrap_or_default()
    };
    Row {
        name,
        epoch: with_epoch.then(|| q("epoch")),
        version: version.to_string(),
        release: release.to_string(),
        arch: q("arch"),
        sourcerpm: q("upstream"),
    }
}

/// Rows from the JSON report's rpm packages, from their fields rather than
/// their purls: `version` is `[epoch:]version-release`, `arch`, and the
/// `epoch` / `sourcerpm` metadata.
fn rows_of_json(report: &serde_json::Value, with_epoch: bool) -> Vec<Row> {
    let mut rows: Vec<Row> = report["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["type"] == "rpm")
        .map(|p| {
            let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
            let full = s(&p["version"]);
            let epoch = s(&p["metadata"]["epoch"]);
            let evr = match full.split_once(':') {
                Some((e, vr)) => {
                    assert_eq!(e, epoch, "{full}: epoch in the version and metadata");
                    vr.to_string()
                }
                None => full.clone(),
            };
            let (version, release) = evr.rsplit_once('-').expect("version-release");
            Row {
                name: s(&p["name"]),
                epoch: with_epoch.then_some(epoch),
                version: version.to_string(),
                release: release.to_string(),
                arch: s(&p["arch"]),
                sourcerpm: s(&p["metadata"]["sourcerpm"]),
            }
        })
        .collect();
    rows.sort();
    rows
}

fn rows_of_purls<'a>(purls: impl Iterator<Item = &'a str>, with_epoch: bool) -> Vec<Row> {
    let mut rows: Vec<Row> = purls
        .filter(|p| p.starts_with("pkg:rpm/"))
        .map(|p| row_of_purl(p, with_epoch))
        .collect();
    rows.sort();
    rows
}

/// Equal sorted lists, or a failure listing what is missing and extra.
fn same(got: &[Row], want: &[Row], what: &str) {
    if got == want {
        return;
    }
    let mut extra = got.to_vec();
    let mut missing = Vec::new();
    for w in want {
        match extra.iter().position(|g| g == w) {
            Some(i) => {
                extra.remove(i);
            }
            None => missing.push(w),
        }
    }
    panic!(
        "{what}: {} rows, {} expected\nmissing ({}): {:?}\nextra ({}): {:?}",
        got.len(),
        want.len(),
        missing.len(),
        missing.iter().take(5).collect::<Vec<_>>(),
        extra.len(),
        extra.iter().take(5).collect::<Vec<_>>()
    );
}

fn scan(env: &Env, root: &Path, format: &str) -> (serde_json::Value, String) {
    let out = env.run(&[
        "fs",
        root.to_str().expect("utf8"),
        "--format",
        format,
        "--offline",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{format}: {stderr}");
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{format}: not JSON ({e}); stderr: {stderr}"));
    (doc, stderr)
}

#[test]
fn every_rpm_database_lists_exactly_its_packages_in_json_cyclonedx_and_spdx() {
    let Some(shared) = shared() else { return };
    let rpm = shared.join("fixtures/rpm");
    let env = env();
    let index = std::fs::read_to_string(rpm.join("INDEX.tsv")).expect("INDEX.tsv");
    let mut checked = 0;
    for line in index.lines().skip(1).filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let (dir, format, stored_as) = (f[0], f[1], f[2]);
        let fixture = rpm.join(dir);
        let (file, want) = expected(&fixture, format);
        let with_epoch = want.first().is_some_and(|r| r.epoch.is_some());
        let root = env.path(&format!("roots/{}", dir.replace('/', "-")));
        write_file(
            &root,
            db_path(format),
            &read_fixture(&fixture.join(stored_as)),
        );

        let (report, stderr) = scan(&env, &root, "json");
        validate(&report);
        let got = rows_of_json(&report, with_epoch);
        same(
            &got,
            &want,
            &format!("{dir} JSON against {file}; stderr: {stderr}"),
        );
        // Only the database is in the root: nothing but its rpms.
        assert_eq!(
            report["packages"].as_array().expect("packages").len(),
            want.len(),
            "{dir}"
        );
        // With no os-release the packages cannot be matched, which is
        // said; anything else about the database would be damage.
        assert!(
            report["warnings"]
                .as_array()
                .expect("warnings")
                .iter()
                .filter(|w| w["path"] == db_path(format))
                .all(|w| w["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("cannot be matched"))),
            "{dir}: the database itself gave warnings: {}",
            report["warnings"]
        );

        // CycloneDX: the purl, with the epoch from our property, since a
        // purl leaves out an explicit epoch 0 (`perl-IO` on CentOS 8).
        let (bom, _) = scan(&env, &root, "cyclonedx");
        let mut rows: Vec<Row> = bom["components"]
            .as_array()
            .expect("components")
            .iter()
            .filter(|c| {
                c["purl"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("pkg:rpm/"))
            })
            .map(|c| {
                let mut r = row_of_purl(c["purl"].as_str().unwrap_or_default(), with_epoch);
                if with_epoch {
                    r.epoch = Some(
                        c["properties"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .find(|p| p["name"] == "tidewatch:metadata:epoch")
                            .and_then(|p| p["value"].as_str())
                            .unwrap_or_default()
                            .to_string(),
                    );
                }
                r
            })
            .collect();
        rows.sort();
        same(&rows, &want, &format!("{dir} CycloneDX against {file}"));

        let (spdx, _) = scan(&env, &root, "spdx-json");
        let purls = spdx["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .flat_map(|p| p["externalRefs"].as_array().into_iter().flatten())
            .filter(|r| r["referenceType"] == "purl")
            .filter_map(|r| r["referenceLocator"].as_str());
        // SPDX has only the purl: an explicit epoch 0 reads as none there,
        // which rpm treats alike.
        let zero = |rows: &[Row]| -> Vec<Row> {
            let mut v: Vec<Row> = rows
                .iter()
                .cloned()
                .map(|mut r| {
                    if r.epoch.as_deref() == Some("0") {
                        r.epoch = Some(String::new());
                    }
                    r
                })
                .collect();
            v.sort();
            v
        };
        same(
            &zero(&rows_of_purls(purls, with_epoch)),
            &zero(&want),
            &format!("{dir} SPDX against {file}"),
        );
        println!("{dir}: {} packages in JSON, CycloneDX and SPDX", want.len());
        checked += 1;
    }
    assert_eq!(checked, 19);
}

/// The ALSA ids a package's findings carry (the kept id and merged aliases).
fn alsa_ids(report: &serde_json::Value, package: &str) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["package"]["name"] == package)
        .flat_map(|f| {
            std::iter::once(f["id"].as_str().unwrap_or_default().to_string()).chain(
                f["aliases"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a.as_str().map(str::to_string)),
            )
        })
        .filter(|id| id.starts_with("ALSA-"))
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// The expected ids were worked out from `almalinux8/*.json` by hand (with
/// `rpm.labelCompare` for the ordering): for each record naming the
/// package, keep the fixed versions on the package's side of the module
/// rule (`rpm_rules.rs`) and report the record when the installed version
/// is older than one of them.
#[test]
fn almalinux_8_root_reports_the_alsa_advisories_stream_by_stream() {
    let Some(shared) = shared() else { return };
    let alma = shared.join("vulndata/almalinux-osv-database/advisories/almalinux8");
    if !alma.is_dir() {
        eprintln!("skipping: {} not found", alma.display());
        return;
    }
    let env = Env::new();
    let out = env.run(&["db", "import", alma.to_str().expect("utf8")]);
    assert!(
        out.status.success(),
        "import: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let root = env.path("root");
    write_file(
        &root,
        "var/lib/rpm/Packages",
        &read_fixture(&shared.join("fixtures/rpm/bdb/centos8-modularitylabel/Packages.gz")),
    );
    write_file(
        &root,
        "etc/os-release",
        &std::fs::read(shared.join("fixtures/os-release/snyk/almalinux_8/fs/etc/os-release"))
            .expect("os-release"),
    );
    let (report, stderr) = scan(&env, &root, "json");
    validate(&report);
    assert_eq!(report["target"]["os"]["family"], "almalinux", "{stderr}");
    assert_eq!(
        report["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .filter(|p| p["type"] == "rpm")
            .count(),
        517
    );

    // nodejs 1:10.21.0-3.module_el8.2.0+391+8da3adc6 from the nodejs:10
    // stream: of the 53 ALSA records naming nodejs only ALSA-2021:0735
    // has nodejs:10 builds (1:10.24.0-1.module_el8.{3,4,5}.0+…), all
    // newer. The 12/14/16/18/20/22/24 streams' fixes (ALSA-2021:3623
    // 1:12.22.5, ALSA-2022:7821 1:18.9.1, …) are all "newer" too by rpm
    // ordering and must not be reported.
    assert_eq!(alsa_ids(&report, "nodejs"), set(&["ALSA-2021:0735"]));
    // npm 1:6.14.4-1.10.21.0.3.module… of the same stream: its nodejs:10
    // builds (1:6.14.11-1.10.24.0.1.module…) are in ALSA-2021:0735 only;
    // the nodejs:20/22 streams' npm 10.x (ALSA-2023:7205 1:10.1.0-1.20.8…,
    // …) is not its line although "10" starts it.
    assert_eq!(alsa_ids(&report, "npm"), set(&["ALSA-2021:0735"]));
    // javapackages-filesystem 5.3.0-1.module_el8.0.0+11+5b8c10bd
    // (javapackages-runtime:201801): the 201801 stream's
    // 5.3.0-2.module_el8.6.0+3333+6f2999f0 in ALSA-2025:9318 and
    // ALSA-2026:41948; the stream name is no version, so its own 5.x line
    // decides.
    assert_eq!(
        alsa_ids(&report, "javapackages-filesystem"),
        set(&["ALSA-2025:9318", "ALSA-2026:41948"])
    );
    // python36 3.6.8-2.module_el8.1.0+245+c39af44f (python36:3.6): fixed
    // by 3.6.8-38.module_el8.5.0 (ALSA-2021:4150) and 3.6.8-39.module_el8.10.0
    // (ALSA-2024:10953, ALSA-2025:8419).
    assert_eq!(
        alsa_ids(&report, "python36"),
        set(&["ALSA-2021:4150", "ALSA-2024:10953", "ALSA-2025:8419"])
    );
    // bzip2-libs 1.0.6-26.el8, not modular: 1.0.6-27.el8_10 (ALSA-2024:8922)
    // and 1.0.6-28.el8_10 (ALSA-2025:0733), one finding (both fix
    // CVE-2019-12900).
    assert_eq!(
        alsa_ids(&report, "bzip2-libs"),
        set(&["ALSA-2024:8922", "ALSA-2025:0733"])
    );
    // Every finding on a modular package names a fix from a module build,
    // every finding on a non-modular package a non-modular one.
    let modular: BTreeSet<String> = report["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["metadata"]["modularitylabel"].is_string())
        .map(|p| p["name"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(modular.len(), 21);
    for f in report["findings"].as_array().expect("findings") {
        let name = f["package"]["name"].as_str().unwrap_or_default();
        for v in f["fixed_versions"].as_array().into_iter().flatten() {
            let v = v.as_str().unwrap_or_default();
            assert_eq!(
                v.contains(".module"),
                modular.contains(name),
                "{name}: {} fixed in {v}",
                f["id"]
            );
        }
    }
}

fn python_package(root: &Path) {
    write_file(
        root,
        "usr/lib/python3.6/site-packages/requests-2.19.1.dist-info/METADATA",
        b"Metadata-Version: 2.1\nName: requests\nVersion: 2.19.1\n",
    );
}

#[test]
fn a_corrupt_or_truncated_rpm_database_is_a_warning_and_the_scan_goes_on() {
    let Some(shared) = shared() else { return };
    let rpm = shared.join("fixtures/rpm");
    let env = env();
    let centos7 = read_fixture(&rpm.join("bdb/centos7-plain/Packages.gz"));
    let al2023 = read_fixture(&rpm.join("sqlite/amazonlinux2023-plain/rpmdb.sqlite.gz"));
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        (
            "corrupt-bdb",
            "var/lib/rpm/Packages",
            std::fs::read(rpm.join("bad/preflight-bdb-fail-list-pkg/Packages")).expect("read"),
        ),
        (
            "corrupt-sqlite",
            "var/lib/rpm/rpmdb.sqlite",
            std::fs::read(rpm.join("bad/preflight-sqlite-corrupt/rpmdb.sqlite")).expect("read"),
        ),
        (
            "truncated-bdb",
            "var/lib/rpm/Packages",
            centos7[..centos7.len() / 3].to_vec(),
        ),
        (
            "truncated-sqlite",
            "var/lib/rpm/rpmdb.sqlite",
            al2023[..al2023.len() / 3].to_vec(),
        ),
    ];
    for (name, path, bytes) in cases {
        let root = env.path(name);
        write_file(&root, path, &bytes);
        write_file(
            &root,
            "etc/os-release",
            b"NAME=\"CentOS Linux\"\nID=\"centos\"\nVERSION_ID=\"7\"\n",
        );
        python_package(&root);
        let (report, stderr) = scan(&env, &root, "json");
        validate(&report);
        let warnings: Vec<&serde_json::Value> = report["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .filter(|w| w["path"] == path)
            .collect();
        assert!(
            !warnings.is_empty(),
            "{name}: no warning names {path}: {}",
            report["warnings"]
        );
        assert!(stderr.contains(path), "{name}: stderr: {stderr}");
        let pkgs = package_names(&report);
        assert!(
            pkgs.contains(&"requests@2.19.1".to_string()),
            "{name}: the scan stopped: {pkgs:?}"
        );
        println!(
            "{name}: {} ({} rpm packages kept)",
            warnings[0]["message"],
            report["packages"]
                .as_array()
                .expect("packages")
                .iter()
                .filter(|p| p["type"] == "rpm")
                .count()
        );
    }
}

/// A Red Hat CSAF VEX document for RHEL 8 in Red Hat's layout (prose left
/// out): `cve` fixes `openssl-libs` at `fixed`, or leaves `bash` in the
/// given state.
fn rhel8_vex(cve: &str, status: &str, component: &str, extra: &str) -> String {
    let (purl, product) = match component {
        "openssl-libs" => (
            "pkg:rpm/redhat/openssl-libs@1.1.1c-2.el8?arch=x86_64&epoch=1",
            "openssl-libs-1:1.1.1c-2.el8.x86_64",
        ),
        _ => ("pkg:rpm/redhat/bash", "bash"),
    };
    let platform = if component == "openssl-libs" {
        (
            "BaseOS-8.1.0.Z.MAIN",
            "cpe:/o:redhat:enterprise_linux:8::baseos",
        )
    } else {
        (
            "red_hat_enterprise_linux_8",
            "cpe:/o:redhat:enterprise_linux:8",
        )
    };
    let id = format!("{}:{product}", platform.0);
    serde_json::json!({
        "document": {"category": "csaf_vex", "csaf_version": "2.0",
                     "tracking": {"id": cve, "status": "final", "version": "1"}},
        "product_tree": {
            "branches": [{"category": "vendor", "name": "Red Hat", "branches": [
                {"category": "product_name", "name": platform.0,
                 "product": {"name": platform.0, "product_id": platform.0,
                             "product_identification_helper": {"cpe": platform.1}}},
                {"category": "product_version", "name": product,
                 "product": {"name": product, "product_id": product,
                             "product_identification_helper": {"purl": purl}}}
            ]}],
            "relationships": [{"category": "default_component_of",
                "full_product_name": {"name": product, "product_id": id},
                "product_reference": product, "relates_to_product_reference": platform.0}]
        },
        "vulnerabilities": [{
            "cve": cve,
            "product_status": {status: [id]},
            "remediations": serde_json::from_str::<serde_json::Value>(&extra.replace("ID", &id))
                .expect("remediations"),
            "threats": [{"category": "impact",
                         "details": if status == "fixed" { "Important" } else { "Low" },
                         "product_ids": [id]}]
        }]
    })
    .to_string()
}

/// The UBI 8 database without os-release, with its content manifest, and
/// Red Hat CSAF VEX data: RHEL 8 is found from the content sets and the
/// VEX states become findings (or not).
#[test]
fn ubi8_without_os_release_is_matched_against_red_hat_csaf_vex() {
    let Some(shared) = shared() else { return };
    let env = Env::new();
    env.import(&[
        (
            "csaf/cve-2099-1001.json",
            &rhel8_vex(
                "CVE-2099-1001",
                "fixed",
                "openssl-libs",
                r#"[{"category": "vendor_fix", "url": "https://access.redhat.com/errata/RHSA-2099:1001", "product_ids": ["ID"]}]"#,
            ),
        ),
        (
            "csaf/cve-2099-1002.json",
            &rhel8_vex(
                "CVE-2099-1002",
                "known_affected",
                "bash",
                r#"[{"category": "no_fix_planned", "details": "Will not fix", "product_ids": ["ID"]}]"#,
            ),
        ),
        (
            "csaf/cve-2099-1003.json",
            &rhel8_vex("CVE-2099-1003", "known_not_affected", "bash", "[]"),
        ),
    ]);
    let root = env.path("ubi8");
    write_file(
        &root,
        "var/lib/rpm/Packages",
        &read_fixture(&shared.join("fixtures/rpm/bdb/rhel8.0-ubi8/Packages.gz")),
    );
    write_file(
        &root,
        "root/buildinfo/content_manifests/ubi8-container-8.0-126.json",
        br#"{"metadata": {"icm_version": 1}, "image_contents": [],
             "content_sets": ["rhel-8-for-x86_64-baseos-rpms", "rhel-8-for-x86_64-appstream-rpms"]}"#,
    );
    let (report, stderr) = scan(&env, &root, "json");
    validate(&report);
    let os = &report["target"]["os"];
    assert_eq!(
        (os["family"].as_str(), os["version"].as_str()),
        (Some("rhel"), Some("8")),
        "{stderr}"
    );
    assert_eq!(
        os["content_sets"],
        serde_json::json!([
            "rhel-8-for-x86_64-appstream-rpms",
            "rhel-8-for-x86_64-baseos-rpms"
        ])
    );
    let found: Vec<(String, String, String, String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
            (
                s(&f["id"]),
                s(&f["package"]["name"]),
                s(&f["fix_state"]),
                s(&f["severity"]),
                f["fixed_versions"].to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "CVE-2099-1001".to_string(),
                "openssl-libs".to_string(),
                "fixed".to_string(),
                "HIGH".to_string(),
                r#"["1:1.1.1c-2.el8"]"#.to_string()
            ),
            (
                "CVE-2099-1002".to_string(),
                "bash".to_string(),
                "will_not_fix".to_string(),
                "LOW".to_string(),
                "[]".to_string()
            ),
        ],
        "{stderr}"
    );
    let openssl = &report["findings"][0];
    assert_eq!(openssl["aliases"], serde_json::json!(["RHSA-2099:1001"]));
    assert_eq!(openssl["data_source"], "redhat-csaf");
}
