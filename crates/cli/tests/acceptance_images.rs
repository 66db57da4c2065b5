//! Acceptance: the real images and feeds in `../shared` (issue 2 and 3's
//! "done means"). Skips, saying so, where `../shared` or the built Debian
//! images are missing.

mod common;

use common::*;
use std::path::PathBuf;
use std::sync::OnceLock;

fn shared() -> Option<PathBuf> {
    common::shared(&["images"])
}

/// One environment with every real feed imported, shared by the tests.
fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let env = Env::new();
        let v = shared().expect("checked by caller").join("vulndata");
        env.import_feeds(
            &v,
            &[
                "pschou-oval",
                "golang-vulndb",
                "pypa-advisory-database",
                "rustsec-advisory-db",
                "nodejs-security-wg",
                "cisa-kev",
                "nvd-subset",
            ],
        );
        env
    })
}

fn count_type(report: &serde_json::Value, t: &str) -> usize {
    report["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["type"] == t)
        .count()
}

fn has(report: &serde_json::Value, pkg: &str, version: &str, id_prefix: &str) -> bool {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| {
            f["package"]["name"] == pkg
                && f["package"]["version"] == version
                && f["id"].as_str().unwrap_or("").starts_with(id_prefix)
        })
}

#[test]
fn alpine_3_12_reports_exactly_the_zlib_cve() {
    let Some(shared) = shared() else { return };
    let env = env();
    for img in ["alpine-3.12.oci.tar", "alpine-3.12.docker-v25.tar"] {
        let path = shared.join("images").join(img);
        let (code, report, stderr) = env.scan_json("image", &path, &["--pkg-types", "os"]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(count_type(&report, "apk"), 14, "{img}");
        assert_eq!(
            findings(&report),
            vec![(
                "zlib".into(),
                "1.2.12-r0".into(),
                "CVE-2022-37434".into(),
                vec!["1.2.12-r2".into()]
            )],
            "{img}"
        );
        assert_eq!(report["target"]["os"]["eol"], true);
        // NVD data makes it CRITICAL.
        assert_eq!(report["findings"][0]["severity"], "CRITICAL");
    }
    let path = shared.join("images/alpine-3.12.oci.tar");
    let p = path.to_str().expect("utf8");
    assert_eq!(
        env.run(&["image", p, "--exit-code", "3"]).status.code(),
        Some(3)
    );
    assert_eq!(env.run(&["image", p]).status.code(), Some(0));
}

#[test]
fn alpine_3_18_in_both_layouts_gives_the_same_report() {
    let Some(shared) = shared() else { return };
    let env = env();
    let (_, oci, _) = env.scan_json("image", &shared.join("images/alpine-3.18.oci.tar"), &[]);
    let (code, docker, _) = env.scan_json(
        "image",
        &shared.join("images/alpine-3.18.docker.tar"),
        &["--exit-code", "1"],
    );
    assert_eq!(count_type(&oci, "apk"), 15);
    // The peers list 5: they also count the app's own /app/package.json,
    // which is the thing being shipped, not a dependency of it.
    assert_eq!(count_type(&oci, "npm"), 4);
    assert!(count_type(&oci, "golang") >= 56);
    assert_eq!(findings(&oci), findings(&docker));
    assert_eq!(code, if findings(&oci).is_empty() { 0 } else { 1 });
    assert!(has(&oci, "stdlib", "v1.24.1", "GO-"));
}

#[test]
fn distroless_like_reads_status_d_and_the_cut_layer() {
    let Some(shared) = shared() else { return };
    let (code, report, stderr) =
        env().scan_json("image", &shared.join("images/distroless-like.oci.tar"), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(count_type(&report, "deb"), 11);
    assert_eq!(count_type(&report, "cargo"), 11);
    assert!(stderr.contains("end-of-archive"), "{stderr}");
    for (name, version, id) in [
        ("smallvec", "1.6.0", "RUSTSEC-"),
        ("regex", "1.5.4", "RUSTSEC-"),
        ("chrono", "0.4.19", "RUSTSEC-"),
        ("time", "0.1.43", "RUSTSEC-"),
    ] {
        assert!(has(&report, name, version, id), "{name} {version}");
    }
}

#[test]
fn debian_multilayer_in_every_format() {
    let Some(_) = shared() else { return };
    let Some(dir) = debian_multilayer() else {
        return;
    };
    let env = env();
    let mut reference = None;
    for target in [
        "oci-archive.tar",
        "oci",
        "docker-archive.tar",
        "docker-save-v25.tar",
        "oci-zstd",
    ] {
        let (code, report, stderr) = env.scan_json("image", &dir.join(target), &[]);
        assert_eq!(code, 0, "{target}: {stderr}");
        assert_eq!(count_type(&report, "deb"), 144, "{target}");
        let f = findings(&report);
        match &reference {
            None => reference = Some(f),
            Some(r) => assert_eq!(r, &f, "{target} differs from oci-archive.tar"),
        }
        if target != "oci-archive.tar" {
            continue;
        }
        for (pkg, version, prefix) in [
            ("requests", "2.19.1", "PYSEC-"),
            ("urllib3", "1.24.1", "PYSEC-"),
            ("Django", "2.2", "PYSEC-"),
            ("Jinja2", "2.10", "PYSEC-"),
            ("cryptography", "3.2", "PYSEC-"),
            ("lodash", "4.17.15", "NSWG-"),
            ("stdlib", "v1.24.1", "GO-"),
            ("smallvec", "1.6.0", "RUSTSEC-"),
        ] {
            assert!(has(&report, pkg, version, prefix), "{pkg} {version}");
        }
        let pkgs = package_names(&report);
        assert!(
            pkgs.contains(&"axios@0.21.1".to_string()),
            "axios from the opaque layer"
        );
        assert!(!pkgs.contains(&"axios@0.21.0".to_string()));
        assert!(
            !pkgs.iter().any(|p| p.starts_with("PyYAML@")),
            "PyYAML was uninstalled"
        );
        // Language packages Debian installed are matched against Debian only.
        for f in report["findings"].as_array().expect("findings") {
            let purl = f["package"]["purl"].as_str().unwrap_or("");
            let owned = report["packages"]
                .as_array()
                .expect("packages")
                .iter()
                .any(|p| p["purl"] == purl && !p["owned_by"].is_null());
            assert!(!owned, "finding on an OS-owned package: {f}");
        }
    }
}
