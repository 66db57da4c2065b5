//! Snapshots of every output format on one small image, through the real
//! binary: Debian 12 with two dpkg packages in the base layer, a Python
//! package in the next and an npm package in the top one; one finding per
//! ecosystem from a tiny feed the test imports (Debian tracker, OSV for
//! PyPI and npm, NVD severity, KEV, EPSS) and one more that an ignore rule
//! suppresses; an OpenVEX statement (by the CVE alias) marks the PyPI
//! finding under investigation. The base layer is marked with
//! `--base-image`.
//!
//! The image is built byte-for-byte the same every time (testkit writes
//! mtime 0 and fixed digests), the report is rendered with a pinned
//! `SOURCE_DATE_EPOCH`, and target paths are relative, so what remains
//! to normalise is what changes with a release: the tool version and the
//! content-derived document ids that include it. Snapshots live in
//! `tests/snapshots/`; after a deliberate change, re-run with
//! `INSTA_UPDATE=always` and review the diff.

mod common;

use common::*;
use serde_json::{Value, json};
use tidewatch_testkit::ImageBuilder;

const VERSION: &str = env!("CARGO_PKG_VERSION");

const DEBIAN_OS_RELEASE: &str = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n";

const DPKG_STATUS: &str = "\
Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 3.0.9-1

Package: zlib1g
Status: install ok installed
Architecture: amd64
Source: zlib
Version: 1:1.2.13.dfsg-1
";

fn base() -> ImageBuilder {
    ImageBuilder::new().layer(|l| {
        l.file("etc/os-release", DEBIAN_OS_RELEASE.as_bytes())
            .file("etc/debian_version", b"12.1\n")
            .file("var/lib/dpkg/status", DPKG_STATUS.as_bytes())
            .created_by("/bin/sh -c #(nop) ADD file:0123 in / ")
    })
}

fn app() -> ImageBuilder {
    base()
        .layer(|l| {
            l.file(
                "usr/local/lib/python3.11/site-packages/requests-2.25.0.dist-info/METADATA",
                b"Metadata-Version: 2.1\nName: requests\nVersion: 2.25.0\nLicense: Apache 2.0\n",
            )
            .created_by("RUN pip install requests==2.25.0")
        })
        .layer(|l| {
            l.file(
                "app/node_modules/lodash/package.json",
                br#"{"name": "lodash", "version": "4.17.20", "license": "MIT"}"#,
            )
            .file(
                "app/package.json",
                br#"{"name": "app", "version": "1.0.0"}"#,
            )
            .created_by("COPY app /app")
        })
}

/// Facts only (ids, names, versions, scores), no advisory prose.
fn feeds(env: &Env) {
    let tracker = json!({
        "openssl": {"CVE-2023-5678": {"releases": {"bookworm": {
            "status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "low",
            "repositories": {"bookworm": "3.0.11-1~deb12u2"}}}}},
        "zlib": {"CVE-2023-45853": {"releases": {"bookworm": {
            "status": "open", "urgency": "unimportant", "nodsa": "Minor issue",
            "nodsa_reason": "ignored", "repositories": {"bookworm": "1:1.2.13.dfsg-1"}}}}}
    });
    let pysec = json!({
        "schema_version": "1.6.0", "id": "PYSEC-2023-74", "modified": "2024-01-01T00:00:00Z",
        "aliases": ["CVE-2023-32681", "GHSA-j8r2-6x86-q33q"],
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N"}],
        "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.3.0"}, {"fixed": "2.31.0"}]}]}]
    });
    let ghsa = json!({
        "schema_version": "1.6.0", "id": "GHSA-35jh-r3h4-6jhm", "modified": "2024-01-01T00:00:00Z",
        "aliases": ["CVE-2021-23337"],
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"}],
        "affected": [{"package": {"ecosystem": "npm", "name": "lodash"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]}]
    });
    let nvd = json!({
        "resultsPerPage": 1, "startIndex": 0, "totalResults": 1, "format": "NVD_CVE", "version": "2.0",
        "vulnerabilities": [{"cve": {"id": "CVE-2023-5678", "published": "2023-11-06T16:15:42.670",
            "lastModified": "2024-05-01T00:00:00.000", "vulnStatus": "Modified",
            "metrics": {"cvssMetricV31": [{"source": "nvd@nist.gov", "type": "Primary",
                "cvssData": {"version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L",
                    "baseScore": 5.3, "baseSeverity": "MEDIUM"}}]}}}]
    });
    // A synthetic KEV entry, so the table's marker shows.
    let kev = json!({
        "title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2025.01.01",
        "count": 1,
        "vulnerabilities": [{"cveID": "CVE-2021-23337", "vendorProject": "x", "product": "x", "dateAdded": "2025-01-01"}]
    });
    env.import(&[
        ("debian.json", &tracker.to_string()),
        ("osv/pysec.json", &pysec.to_string()),
        ("osv/ghsa.json", &ghsa.to_string()),
        ("nvd.json", &nvd.to_string()),
        ("kev.json", &kev.to_string()),
        (
            "epss.csv",
            "#model_version:v2023.03.01,score_date:2025-01-01T00:00:00+0000\ncve,epss,percentile\nCVE-2021-23337,0.01234,0.84000\nCVE-2023-32681,0.00110,0.45000\n",
        ),
    ]);
}

struct Fixture {
    env: Env,
}

impl Fixture {
    fn new() -> Fixture {
        let env = Env::new();
        feeds(&env);
        base().write_oci_tar(env.path("base.tar")).expect("base");
        app().write_oci_tar(env.path("app.tar")).expect("app");
        std::fs::write(
            env.path(".tidewatchignore.yaml"),
            "ignore:\n  - id: CVE-2023-45853\n    package: zlib1g\n    reason: no untrusted archives are inflated\n    expires: 2999-12-31\n",
        )
        .expect("ignore file");
        let vex = json!({
            "@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/app",
            "author": "app team", "timestamp": "2024-05-01T00:00:00Z", "version": 1,
            "statements": [{"vulnerability": {"name": "CVE-2023-32681"},
                            "products": [{"@id": "pkg:pypi/requests"}],
                            "status": "under_investigation"}]
        });
        std::fs::write(env.path("app.openvex.json"), vex.to_string()).expect("VEX");
        Fixture { env }
    }

    /// Run the binary on the image in `format` (plus `extra` flags) and
    /// return stdout; it must exit 0.
    fn render(&self, format: &str, extra: &[&str]) -> String {
        let mut args = vec![
            "image",
            "app.tar",
            "--base-image",
            "base.tar",
            "--vex",
            "app.openvex.json",
            "--format",
            format,
        ];
        args.extend_from_slice(extra);
        let out = self
            .env
            .cmd()
            .args(&args)
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .output()
            .expect("run tidewatch");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }
}

/// Replace what changes with a release (or with where the test runs):
/// the tool version, document ids derived from the whole content, and the
/// temporary directory should a path ever leak into a report.
fn normalise(text: &str, env: &Env) -> String {
    let mut s = text.replace(&env.dir.path().display().to_string(), "[TMP]");
    let mut ids: Vec<String> = Vec::new();
    if let Ok(v) = serde_json::from_str::<Value>(&s) {
        for pointer in ["/serialNumber", "/documentNamespace"] {
            if let Some(id) = v.pointer(pointer).and_then(Value::as_str) {
                ids.push(id.to_string());
            }
        }
    }
    for id in ids {
        let placeholder = if id.starts_with("urn:uuid:") {
            "urn:uuid:[UUID]"
        } else {
            "https://spdx.org/spdxdocs/tidewatch/[NAMESPACE]"
        };
        s = s.replace(&id, placeholder);
    }
    for (from, to) in [
        (format!("\"{VERSION}\""), "\"[VERSION]\"".to_string()),
        (format!("tidewatch-{VERSION}"), "tidewatch-[VERSION]".into()),
        (format!("tidewatch {VERSION}"), "tidewatch [VERSION]".into()),
    ] {
        s = s.replace(&from, &to);
    }
    s
}

fn snapshot_all(fx: &Fixture) -> Vec<(&'static str, String)> {
    let cases: [(&str, &str, &[&str]); 8] = [
        ("table", "table", &["--show-suppressed"]),
        ("table_by_layer", "table", &["--group-by", "layer"]),
        ("table_packages", "table", &["--list-all-pkgs"]),
        ("json", "json", &[]),
        ("sarif", "sarif", &[]),
        ("cyclonedx", "cyclonedx", &[]),
        ("spdx", "spdx-json", &[]),
        ("html", "html", &[]),
    ];
    cases
        .iter()
        .map(|(name, format, extra)| (*name, fx.render(format, extra)))
        .collect()
}

#[test]
fn every_format_matches_its_snapshot() {
    let fx = Fixture::new();

    // The fixture is what the snapshots claim: one finding per ecosystem
    // reported, one suppressed, the base layer marked.
    let report: Value = serde_json::from_str(&fx.render("json", &[])).expect("JSON");
    validate(&report);
    let mut ecosystems: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["package"]["ecosystem"].as_str())
        .collect();
    ecosystems.sort_unstable();
    assert_eq!(ecosystems, ["Debian:12", "PyPI", "npm"]);
    assert_eq!(report["suppressed"].as_array().map(Vec::len), Some(1));
    let vex: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f.get("vex_status"))
        .collect();
    assert_eq!(vex, [&json!("under_investigation")]);
    let bases: Vec<bool> = report["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .map(|l| l["base"] == json!(true))
        .collect();
    assert_eq!(bases, [true, false, false]);
    // The version placeholder must not swallow a package's version.
    assert!(
        report["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .all(|p| p["version"] != VERSION)
    );

    for (name, text) in snapshot_all(&fx) {
        insta::assert_snapshot!(name, normalise(&text, &fx.env));
    }
}

#[test]
fn every_format_is_byte_identical_across_runs() {
    // Two processes (different hash seeds), the second one served from
    // the layer cache: any unordered iteration in a renderer, the matcher
    // or the cache shows up as a difference.
    let fx = Fixture::new();
    let first = snapshot_all(&fx);
    let second = snapshot_all(&fx);
    for ((name, a), (_, b)) in first.iter().zip(&second) {
        assert_eq!(a, b, "{name} differs between two runs");
    }
}
