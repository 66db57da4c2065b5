//! `tidewatch image` end to end on images the tests build: every layout
//! and compression, layers, whiteouts, opaque directories, the CI gate and
//! bad input.

mod common;

use common::*;
use tidewatch_testkit::{Compression, Corruption, ImageBuilder};

/// An Alpine 3.18 image whose zlib is vulnerable in layer 0 and whose
/// busybox is replaced by a fixed one in layer 1.
fn alpine_image() -> ImageBuilder {
    ImageBuilder::new()
        .layer(|l| {
            l.file("etc/os-release", ALPINE_OS_RELEASE.as_bytes())
                .file("etc/alpine-release", b"3.18.9\n")
                .file(
                    "lib/apk/db/installed",
                    apk_db(&[
                        ("zlib", "1.2.13-r1", "zlib"),
                        ("libssl3", "3.1.1-r0", "openssl"),
                        ("busybox", "1.36.0-r0", "busybox"),
                    ])
                    .as_bytes(),
                )
                .created_by("ADD alpine-minirootfs.tar.gz /")
        })
        .layer(|l| {
            l.file(
                "lib/apk/db/installed",
                apk_db(&[
                    ("zlib", "1.2.13-r1", "zlib"),
                    ("libssl3", "3.1.1-r0", "openssl"),
                    ("busybox", "1.36.1-r5", "busybox"),
                ])
                .as_bytes(),
            )
            .created_by("RUN apk upgrade busybox")
        })
}

fn alpine_feeds(env: &Env) {
    env.import(&[(
        "alpine/v3.18/main.json",
        &secdb(&[
            ("zlib", "1.2.13-r2", "CVE-2023-45853"),
            // Matched through the origin, not the binary name libssl3.
            ("openssl", "3.1.2-r0", "CVE-2023-3817"),
            ("busybox", "1.36.1-r2", "CVE-2022-48174"),
            // Fixed in "0": never affected.
            ("zlib", "0", "CVE-2018-25032"),
        ]),
    )]);
}

fn expected_alpine() -> Vec<(String, String, String, Vec<String>)> {
    vec![
        (
            "libssl3".into(),
            "3.1.1-r0".into(),
            "CVE-2023-3817".into(),
            vec!["3.1.2-r0".into()],
        ),
        (
            "zlib".into(),
            "1.2.13-r1".into(),
            "CVE-2023-45853".into(),
            vec!["1.2.13-r2".into()],
        ),
    ]
}

#[test]
fn every_layout_and_compression_gives_the_same_findings() {
    let env = Env::new();
    alpine_feeds(&env);
    for compression in Compression::ALL {
        let img = alpine_image().compression(compression);
        let targets = [
            ("docker-archive.tar", "docker-archive"),
            ("docker-v25.tar", "docker-v25"),
            ("oci-dir", "oci-dir"),
            ("oci.tar", "oci-tar"),
        ];
        for (name, kind) in targets {
            let path = env.path(&format!("{compression:?}-{name}"));
            match kind {
                "docker-archive" => img.write_docker_archive(&path),
                "docker-v25" => img.write_docker_v25(&path),
                "oci-dir" => img.write_oci_dir(&path),
                _ => img.write_oci_tar(&path),
            }
            .expect("write image");
            let (code, report, stderr) = env.scan_json("image", &path, &[]);
            assert_eq!(code, 0, "{kind}/{compression:?}: {stderr}");
            assert_eq!(
                findings(&report),
                expected_alpine(),
                "{kind}/{compression:?}"
            );
            assert_eq!(report["target"]["os"]["family"], "alpine");
            assert_eq!(report["target"]["os"]["version"], "3.18.9");
            assert_eq!(report["layers"].as_array().map(Vec::len), Some(2));
            assert_eq!(report["layers"][1]["created_by"], "RUN apk upgrade busybox");
            // The package database came from layer 1, which rewrote it.
            for f in report["findings"].as_array().expect("findings") {
                assert_eq!(f["layer"], 1, "{f}");
                assert_eq!(f["path"], "lib/apk/db/installed");
            }
            assert_eq!(report["packages"].as_array().map(Vec::len), Some(3));
        }
    }
}

#[test]
fn whiteouts_and_opaque_directories_decide_what_is_installed() {
    let env = Env::new();
    env.import(&[
        (
            "pypi.json",
            &osv("PYSEC-2020-96", "PyPI", "pyyaml", "0", "5.4"),
        ),
        (
            "npm.json",
            &osv("GHSA-axio-0000-0001", "npm", "axios", "0", "0.21.1"),
        ),
        (
            "npm2.json",
            &osv("GHSA-axio-0000-0002", "npm", "axios", "0", "0.21.2"),
        ),
    ]);
    let site = "usr/local/lib/python3.11/site-packages";
    let img = ImageBuilder::new()
        .layer(|l| {
            l.file("etc/os-release", ALPINE_OS_RELEASE.as_bytes())
                .file(
                    &format!("{site}/PyYAML-5.3.dist-info/METADATA"),
                    b"Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3\n",
                )
                .file(
                    "app/node_modules/axios/package.json",
                    br#"{"name": "axios", "version": "0.21.0"}"#,
                )
        })
        .layer(|l| l.whiteout(&format!("{site}/PyYAML-5.3.dist-info")))
        .layer(|l| {
            l.opaque("app/node_modules/axios").file(
                "app/node_modules/axios/package.json",
                br#"{"name": "axios", "version": "0.21.1"}"#,
            )
        });
    let path = env.path("img.tar");
    img.write_oci_tar(&path).expect("write");
    let (code, report, stderr) = env.scan_json("image", &path, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(package_names(&report), vec!["axios@0.21.1".to_string()]);
    let f = findings(&report);
    assert_eq!(
        f,
        vec![(
            "axios".into(),
            "0.21.1".into(),
            "GHSA-axio-0000-0002".into(),
            vec!["0.21.2".into()]
        )]
    );
    assert_eq!(report["findings"][0]["layer"], 2);
}

#[test]
fn the_gate_follows_exit_code_and_fail_on() {
    let env = Env::new();
    alpine_feeds(&env);
    let path = env.path("img.tar");
    alpine_image().write_oci_tar(&path).expect("write");
    let p = path.to_str().expect("utf8");

    let status = |args: &[&str]| env.run(args).status.code();
    assert_eq!(status(&["image", p]), Some(0));
    assert_eq!(status(&["image", p, "--exit-code", "3"]), Some(3));
    assert_eq!(status(&["image", p, "--exit-code", "0"]), Some(0));
    // Feeds without severity: findings are UNKNOWN, which is below LOW.
    assert_eq!(status(&["image", p, "--fail-on", "LOW"]), Some(0));
    assert_eq!(status(&["image", p, "--fail-on", "UNKNOWN"]), Some(1));
    assert_eq!(
        status(&["image", p, "--fail-on", "UNKNOWN", "--exit-code", "5"]),
        Some(5)
    );
    // --severity selects what is reported, and so what can fail.
    assert_eq!(
        status(&[
            "image",
            p,
            "--severity",
            "HIGH,CRITICAL",
            "--exit-code",
            "1"
        ]),
        Some(0)
    );
    let out = env.run(&["image", p, "--exit-code", "2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--exit-code 2"));

    let (_, report, _) = env.scan_json("image", &path, &["--exit-code", "4"]);
    assert_eq!(report["summary"]["exit_code"], 4);
    assert_eq!(report["summary"]["by_severity"]["UNKNOWN"], 2);
}

#[test]
fn ignore_unfixed_and_pkg_types_select_findings() {
    let env = Env::new();
    alpine_feeds(&env);
    env.import(&[(
        "pypi.json",
        &osv("PYSEC-2019-1", "PyPI", "jinja2", "0", "2.10.1"),
    )]);
    let img = alpine_image().layer(|l| {
        l.file(
            "usr/lib/python3.11/site-packages/Jinja2-2.10.dist-info/METADATA",
            b"Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.10\n",
        )
    });
    let path = env.path("img.tar");
    img.write_oci_tar(&path).expect("write");
    let (_, all, _) = env.scan_json("image", &path, &[]);
    assert_eq!(findings(&all).len(), 3);
    let (_, os_only, _) = env.scan_json("image", &path, &["--pkg-types", "os"]);
    assert_eq!(findings(&os_only), expected_alpine());
    let (_, libs, _) = env.scan_json("image", &path, &["--pkg-types", "library"]);
    assert_eq!(findings(&libs).len(), 1);
    assert_eq!(libs["findings"][0]["package"]["name"], "Jinja2");
    let (_, fixed_only, _) = env.scan_json("image", &path, &["--ignore-unfixed"]);
    assert_eq!(findings(&fixed_only).len(), 3);
}

#[test]
fn broken_images_exit_2_with_a_clear_error_and_write_nothing() {
    let env = Env::new();
    alpine_feeds(&env);
    let cases = [
        (Corruption::CutInsideLastFile(1), "cut inside"),
        (Corruption::CorruptStream(0), ""),
        (Corruption::WrongLayerDigest(0), "digest"),
        (Corruption::WrongDiffId(1), "diff"),
    ];
    for (i, (corruption, needle)) in cases.into_iter().enumerate() {
        let path = env.path(&format!("broken-{i}.tar"));
        alpine_image()
            .corrupt(corruption)
            .write_oci_tar(&path)
            .expect("write");
        let report = env.path(&format!("report-{i}.json"));
        // --no-cache: the layer cache is keyed by diff_id, and layer 0 of
        // an earlier case was read fine; this test is about reading.
        let out = env.run(&[
            "image",
            path.to_str().expect("utf8"),
            "--no-cache",
            "--format",
            "json",
            "--output",
            report.to_str().expect("utf8"),
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{corruption:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{corruption:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        assert!(
            stderr.to_lowercase().contains(needle),
            "{corruption:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!report.exists(), "{corruption:?} left a report behind");
    }

    // A file that is not an image at all, and one that does not exist.
    let junk = env.path("junk.tar");
    std::fs::write(&junk, b"not a tar at all").expect("write");
    let out = env.run(&["image", junk.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    let out = env.run(&["image", "oci-archive:/nonexistent/image.tar"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_layer_missing_its_tar_tail_is_read_with_a_warning() {
    let env = Env::new();
    alpine_feeds(&env);
    let path = env.path("img.tar");
    alpine_image()
        .corrupt(Corruption::MissingTail(1))
        .write_oci_tar(&path)
        .expect("write");
    let (code, report, stderr) = env.scan_json("image", &path, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(findings(&report), expected_alpine());
    let tail_warnings: Vec<_> = report["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter(|w| {
            w["message"]
                .as_str()
                .unwrap_or("")
                .contains("end-of-archive")
        })
        .collect();
    assert_eq!(tail_warnings.len(), 1, "{report}");
    assert!(stderr.contains("end-of-archive"), "{stderr}");
}

#[test]
fn a_malformed_package_database_is_a_warning_not_an_error() {
    let env = Env::new();
    alpine_feeds(&env);
    let img = ImageBuilder::new().layer(|l| {
        l.file("etc/os-release", ALPINE_OS_RELEASE.as_bytes()).file(
            "lib/apk/db/installed",
            b"P:zlib\nV:1.2.13-r1\no:zlib\n\nthis line is garbage\x00\xff\n\nP:broken\n",
        )
    });
    let path = env.path("img.tar");
    img.write_oci_tar(&path).expect("write");
    let (code, report, _) = env.scan_json("image", &path, &[]);
    assert_eq!(code, 0);
    assert!(
        !report["warnings"].as_array().expect("warnings").is_empty(),
        "{report}"
    );
    assert_eq!(
        findings(&report),
        vec![(
            "zlib".into(),
            "1.2.13-r1".into(),
            "CVE-2023-45853".into(),
            vec!["1.2.13-r2".into()]
        )]
    );
}
