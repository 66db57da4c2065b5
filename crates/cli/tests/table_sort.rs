//! The table through the binary: `--sort-by severity|epss|kev` decides
//! the row order (the same order as JSON), the KEV marker and the EPSS
//! column show what the enrichment feeds say.

mod common;

use common::{ALPINE_OS_RELEASE, Env, apk_db, secdb};

const CRITICAL: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
const HIGH: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H";
const MEDIUM: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N";

/// zlib: CRITICAL, EPSS 1%; busybox: MEDIUM, EPSS 90%; musl: HIGH, KEV, no EPSS.
fn setup() -> (Env, std::path::PathBuf) {
    let env = Env::new();
    let root = env.path("root");
    std::fs::create_dir_all(root.join("etc")).expect("mkdir");
    std::fs::create_dir_all(root.join("lib/apk/db")).expect("mkdir");
    std::fs::write(root.join("etc/os-release"), ALPINE_OS_RELEASE).expect("write");
    std::fs::write(
        root.join("lib/apk/db/installed"),
        apk_db(&[
            ("zlib", "1.2.12-r1", "zlib"),
            ("busybox", "1.36.0-r0", "busybox"),
            ("musl", "1.2.3-r0", "musl"),
        ]),
    )
    .expect("write");
    let metric = |id: &str, v: &str| {
        serde_json::json!({"cve": {"id": id, "metrics": {"cvssMetricV31": [{
            "source": "nvd@nist.gov", "type": "Primary",
            "cvssData": {"version": "3.1", "vectorString": v}}]}}})
    };
    let nvd = serde_json::json!({"format": "NVD_CVE", "version": "2.0", "vulnerabilities": [
        metric("CVE-2022-0001", CRITICAL), metric("CVE-2022-0002", MEDIUM), metric("CVE-2022-0003", HIGH)
    ]});
    let kev = serde_json::json!({"title": "CISA Catalog of Known Exploited Vulnerabilities",
        "catalogVersion": "2025.08.25", "count": 1,
        "vulnerabilities": [{"cveID": "CVE-2022-0003", "dateAdded": "2025-01-01"}]});
    env.import(&[
        (
            "secdb/main.json",
            &secdb(&[
                ("zlib", "1.2.12-r2", "CVE-2022-0001"),
                ("busybox", "1.36.0-r1", "CVE-2022-0002"),
                ("musl", "1.2.3-r1", "CVE-2022-0003"),
            ]),
        ),
        ("nvd.json", &nvd.to_string()),
        ("kev.json", &kev.to_string()),
        (
            "epss.csv",
            "#model_version:v2023.03.01,score_date:2025-01-01T00:00:00+0000\ncve,epss,percentile\nCVE-2022-0001,0.01000,0.50000\nCVE-2022-0002,0.90000,0.99000\n",
        ),
    ]);
    (env, root)
}

/// The packages of the findings table's rows, top to bottom.
fn table_order(env: &Env, root: &std::path::Path, extra: &[&str]) -> (Vec<String>, String) {
    let mut args = vec!["fs", root.to_str().expect("utf8"), "--offline"];
    args.extend_from_slice(extra);
    let out = env.run(&args);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let order = text
        .lines()
        .filter(|l| l.starts_with('│'))
        .filter_map(|l| {
            l.split('│')
                .nth(1)
                .map(|c| c.split('┆').next().unwrap_or("").trim().to_string())
        })
        .filter(|c: &String| c != "Package")
        .collect();
    (order, text)
}

fn json_order(env: &Env, root: &std::path::Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["--offline"];
    args.extend_from_slice(extra);
    let (_, report, _) = env.scan_json("fs", root, &args);
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["package"]["name"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn sort_by_decides_the_table_order_like_json() {
    let (env, root) = setup();
    for (key, expected) in [
        ("severity", ["zlib", "musl", "busybox"]),
        ("epss", ["busybox", "zlib", "musl"]),
        ("kev", ["musl", "zlib", "busybox"]),
    ] {
        let (order, text) = table_order(&env, &root, &["--sort-by", key]);
        assert_eq!(order, expected, "--sort-by {key}:\n{text}");
        assert_eq!(json_order(&env, &root, &["--sort-by", key]), expected);
        // Grouped by layer, the order within the group is the same.
        let (order, text) = table_order(&env, &root, &["--sort-by", key, "--group-by", "layer"]);
        assert_eq!(order, expected, "--group-by layer --sort-by {key}:\n{text}");
    }
    // The default is severity.
    assert_eq!(table_order(&env, &root, &[]).0, ["zlib", "musl", "busybox"]);
    let bad = env.run(&[
        "fs",
        root.to_str().expect("utf8"),
        "--offline",
        "--sort-by",
        "age",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("expected severity, epss or kev"));
}

#[test]
fn the_table_marks_kev_and_shows_epss() {
    let (env, root) = setup();
    let (_, text) = table_order(&env, &root, &[]);
    let header = text
        .lines()
        .find(|l| l.contains("Vulnerability"))
        .expect("header");
    assert!(header.contains("EPSS"), "{text}");
    let row = |pkg: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("│ {pkg} ")))
            .unwrap_or_else(|| panic!("no row for {pkg}:\n{text}"))
            .to_string()
    };
    assert!(row("musl").contains("CVE-2022-0003 [KEV]"), "{text}");
    assert!(!row("zlib").contains("[KEV]"));
    assert!(row("busybox").contains("90.0%"), "{text}");
    assert!(row("zlib").contains("1.0%"), "{text}");
    assert!(row("zlib").contains("CRITICAL"), "{text}");
}
