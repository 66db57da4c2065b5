//! Triage end to end: ignore files (with expiry), VEX (by alias), SBOM
//! input (and the round trip image → our CycloneDX/SPDX → `tidewatch
//! sbom`), `tidewatch.toml` precedence, base-image layers and the gate's
//! verdict, all through the real binary.

mod common;

use common::*;
use serde_json::{Value, json};
use tidewatch_testkit::ImageBuilder;

const CRITICAL: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
const MEDIUM: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N";

fn osv_record(id: &str, aliases: &[&str], eco: &str, pkg: &str, fixed: &str, cvss: &str) -> String {
    json!({
        "schema_version": "1.6.0", "id": id, "modified": "2024-01-01T00:00:00Z",
        "aliases": aliases,
        "severity": [{"type": "CVSS_V3", "score": cvss}],
        "affected": [{"package": {"ecosystem": eco, "name": pkg},
                      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}]}]
    })
    .to_string()
}

/// Alpine 3.18 with zlib and openssl (layer 0, the "base") and a Python
/// and an npm package on top (layer 1).
fn base_builder() -> ImageBuilder {
    ImageBuilder::new().layer(|l| {
        l.file("etc/os-release", ALPINE_OS_RELEASE.as_bytes())
            .file(
                "lib/apk/db/installed",
                apk_db(&[
                    ("zlib", "1.2.13-r1", "zlib"),
                    ("libssl3", "3.1.1-r0", "openssl"),
                ])
                .as_bytes(),
            )
            .created_by("ADD alpine-minirootfs.tar.gz /")
    })
}

fn app_builder() -> ImageBuilder {
    base_builder().layer(|l| {
        l.file(
            "usr/lib/python3.11/site-packages/PyYAML-5.3.1.dist-info/METADATA",
            b"Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3.1\n",
        )
        .file(
            "app/node_modules/lodash/package.json",
            br#"{"name": "lodash", "version": "4.17.15"}"#,
        )
        .created_by("COPY app /app")
    })
}

fn feeds(env: &Env) {
    env.import(&[
        (
            "alpine/v3.18/main.json",
            &secdb(&[
                ("zlib", "1.2.13-r2", "CVE-2023-45853"),
                ("openssl", "3.1.2-r0", "CVE-2023-3817"),
            ]),
        ),
        (
            "osv/pysec.json",
            &osv_record(
                "PYSEC-2021-142",
                &["CVE-2020-14343", "GHSA-8q59-q68h-6hv4"],
                "PyPI",
                "pyyaml",
                "5.4",
                CRITICAL,
            ),
        ),
        (
            "osv/ghsa.json",
            &osv_record(
                "GHSA-p6mc-m468-83gw",
                &["CVE-2020-8203"],
                "npm",
                "lodash",
                "4.17.19",
                MEDIUM,
            ),
        ),
    ]);
}

fn ids(report: &Value) -> Vec<String> {
    let mut v: Vec<String> = findings(report).into_iter().map(|f| f.2).collect();
    v.sort();
    v
}

fn suppressed(report: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = report["suppressed"]
        .as_array()
        .expect("suppressed")
        .iter()
        .map(|s| {
            (
                s["finding"]["id"].as_str().unwrap_or_default().to_string(),
                s["reason"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn setup() -> (Env, std::path::PathBuf) {
    let env = Env::new();
    feeds(&env);
    let img = env.path("app.tar");
    app_builder().write_oci_tar(&img).expect("write image");
    (env, img)
}

const ALL: [&str; 4] = [
    "CVE-2023-3817",
    "CVE-2023-45853",
    "GHSA-p6mc-m468-83gw",
    "PYSEC-2021-142",
];

#[test]
fn ignore_files_suppress_by_id_alias_package_and_expire() {
    let (env, img) = setup();
    let (_, report, _) = env.scan_json("image", &img, &[]);
    assert_eq!(ids(&report), ALL);

    // The plain file in the working directory is read by default; an
    // alias names the PyPI finding; an expired rule no longer applies.
    std::fs::write(
        env.path(".tidewatchignore"),
        "# accepted\nCVE-2020-14343\nCVE-2023-3817 exp:2020-01-01\n",
    )
    .expect("write");
    let (code, report, stderr) = env.scan_json("image", &img, &["--exit-code", "1"]);
    assert_eq!(
        ids(&report),
        ["CVE-2023-3817", "CVE-2023-45853", "GHSA-p6mc-m468-83gw"]
    );
    assert_eq!(
        suppressed(&report),
        [("PYSEC-2021-142".to_string(), "ignore-file".to_string())]
    );
    assert_eq!(report["summary"]["suppressed"], 1);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("line 3") && stderr.contains("expired on 2020-01-01"),
        "{stderr}"
    );
    assert!(
        report["warnings"]
            .as_array()
            .is_some_and(|w| w.iter().any(|w| w["path"] == ".tidewatchignore")),
        "the expiry warning is in the report too"
    );

    // --ignorefile replaces the default; YAML rules by purl and by path glob.
    let yaml = env.path("ci-ignore.yaml");
    std::fs::write(
        &yaml,
        "ignore:\n  - package: pkg:apk/alpine/zlib\n    reason: no untrusted input\n    expires: 2999-01-01\n  - path: app/node_modules/**\n",
    )
    .expect("write");
    let (_, report, _) = env.scan_json(
        "image",
        &img,
        &["--ignorefile", yaml.to_str().expect("utf8")],
    );
    assert_eq!(ids(&report), ["CVE-2023-3817", "PYSEC-2021-142"]);
    let detail = report["suppressed"][0]["detail"]
        .as_str()
        .unwrap_or_default()
        .to_string()
        + report["suppressed"][1]["detail"]
            .as_str()
            .unwrap_or_default();
    assert!(
        detail.contains("no untrusted input (until 2999-01-01)"),
        "{detail}"
    );

    // The table lists suppressed findings only on request; the verdict counts them.
    let table = |extra: &[&str]| {
        let mut args = vec![
            "image",
            img.to_str().expect("utf8"),
            "--ignorefile",
            yaml.to_str().expect("utf8"),
        ];
        args.extend_from_slice(extra);
        String::from_utf8_lossy(&env.run(&args).stdout).into_owned()
    };
    let plain = table(&[]);
    assert!(
        !plain.contains("no untrusted input") && plain.contains("2 suppressed"),
        "{plain}"
    );
    let shown = table(&["--show-suppressed"]);
    assert!(
        shown.contains("no untrusted input") && shown.contains("ignore-file"),
        "{shown}"
    );
}

#[test]
fn malformed_ignore_vex_and_sbom_files_exit_2_naming_the_problem() {
    let (env, img) = setup();
    let p = img.to_str().expect("utf8");
    // (file name, content, how it is passed, what stderr must say).
    let cases: &[(&str, &str, &str, &str)] = &[
        // Ignore files: plain (line), YAML and TOML (line of the field,
        // or line:column of a syntax error).
        (
            "plain.ignore",
            "# ok\nCVE-2023-3817\nCVE-2020-14343 exp:2024-13-01\n",
            "--ignorefile",
            "plain.ignore:3: invalid date \"2024-13-01\"",
        ),
        (
            "plain2.ignore",
            "CVE-1\nCVE-2 because it is fine\n",
            "--ignorefile",
            "plain2.ignore:2: unexpected \"because\" after the id",
        ),
        (
            "bad.yaml",
            "ignore:\n  - id: CVE-1\n    expires: soon\n",
            "--ignorefile",
            "bad.yaml:3: rule 1: expires: invalid date \"soon\"",
        ),
        (
            "typo.yaml",
            "ignore:\n  - id: CVE-1\n  - id: CVE-2\n    pakage: zlib\n",
            "--ignorefile",
            "typo.yaml:4:5: unknown field `pakage`",
        ),
        (
            "syntax.yaml",
            "ignore:\n  - id: [CVE-1\n",
            "--ignorefile",
            "syntax.yaml:2:",
        ),
        (
            "bad.toml",
            "[[ignore]]\nid = \"CVE-1\"\n\n[[ignore]]\npath = \"app/[x\"\n",
            "--ignorefile",
            "bad.toml:5: rule 2: path: invalid glob \"app/[x\"",
        ),
        (
            "syntax.toml",
            "[[ignore]]\nid = \"CVE-1\nreason = \"x\"\n",
            "--ignorefile",
            "syntax.toml:2:",
        ),
        (
            "date.toml",
            "[[ignore]]\nid = \"CVE-1\"\nexpires = 2024-02-30\n",
            "--ignorefile",
            "date.toml:3:11: invalid date",
        ),
        // VEX: OpenVEX and CycloneDX VEX name the statement and field, or
        // the line of a JSON error.
        (
            "bad.vex.json",
            r#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:npm/a"}], "status": "maybe"}]}"#,
            "--vex",
            "bad.vex.json: statement 1: status: unknown status \"maybe\"",
        ),
        (
            "shape.vex.json",
            "{\"@context\": \"https://openvex.dev/ns/v0.2.0\",\n \"statements\": [{\"products\": [], \"status\": \"fixed\"}]}",
            "--vex",
            "shape.vex.json: malformed OpenVEX document: statements[0]: missing field `vulnerability` at line 2",
        ),
        (
            "syntax.vex.json",
            "{\"@context\": \"https://openvex.dev/ns/v0.2.0\",\n \"statements\": [,]}",
            "--vex",
            "syntax.vex.json: not valid JSON: expected value at line 2",
        ),
        (
            "bad.cdx-vex.json",
            r#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "vulnerabilities": [{"id": "CVE-1", "analysis": {"state": "resolved"}, "affects": [{"ref": "pkg:npm/a@1"}]}, {"id": "CVE-2", "analysis": {"state": "perhaps"}, "affects": [{"ref": "pkg:npm/a@1"}]}]}"#,
            "--vex",
            "bad.cdx-vex.json: vulnerability 2: analysis.state: unknown state \"perhaps\"",
        ),
        (
            "noid.cdx-vex.json",
            r#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "vulnerabilities": [{"analysis": {"state": "resolved"}, "affects": [{"ref": "pkg:npm/a@1"}]}]}"#,
            "--vex",
            "noid.cdx-vex.json: vulnerability 1: id:",
        ),
        (
            "neither.json",
            r#"{"statements": []}"#,
            "--vex",
            "neither.json: not an OpenVEX or CycloneDX VEX document",
        ),
        // SBOMs: CycloneDX and SPDX, wrong shape (line and field) and an
        // unsupported version.
        (
            "bad.cdx.json",
            "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\",\n\"components\": [{\"name\": \"x\"}]}",
            "sbom",
            "bad.cdx.json: malformed CycloneDX document: components[0]: missing field `type` at line 2",
        ),
        (
            "old.cdx.json",
            r#"{"bomFormat": "CycloneDX", "specVersion": "0.9", "components": []}"#,
            "sbom",
            "old.cdx.json: unsupported CycloneDX version \"0.9\"",
        ),
        (
            "bad.spdx.json",
            "{\"spdxVersion\": \"SPDX-2.3\",\n\"packages\": [{\"SPDXID\": \"SPDXRef-a\", \"name\": \"a\",\n \"externalRefs\": {}}]}",
            "sbom",
            "bad.spdx.json: malformed SPDX document: packages[0].externalRefs: invalid type: map, expected a sequence at line 3",
        ),
        (
            "truncated.spdx.json",
            "{\"spdxVersion\": \"SPDX-2.3\",\n\"packages\": [",
            "sbom",
            "truncated.spdx.json: not valid JSON: EOF while parsing a list at line 2",
        ),
    ];
    for (name, content, how, want) in cases {
        let file = env.path(name);
        std::fs::write(&file, content).expect("write");
        let file = file.to_str().expect("utf8");
        let out_file = env.path("report.json");
        let out_path = out_file.to_str().expect("utf8");
        let args: Vec<&str> = if *how == "sbom" {
            vec!["sbom", file, "--format", "json", "--output", out_path]
        } else {
            vec![
                "image", p, *how, file, "--format", "json", "--output", out_path,
            ]
        };
        let out = env.run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(want), "{name}: want {want:?}, got {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: one line: {stderr}");
        assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
        assert!(!out_file.exists(), "{name}: no report written");
    }
    for (args, want) in [
        (
            vec!["image", p, "--ignorefile", "missing-file"],
            "missing-file",
        ),
        (vec!["sbom", "nope.json"], "nope.json: No such file"),
    ] {
        let out = env.run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
}

#[test]
fn vex_suppresses_by_alias_and_annotates_under_investigation() {
    let (env, img) = setup();
    let vex = env.path("app.openvex.json");
    std::fs::write(
        &vex,
        json!({
            "@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1",
            "author": "app team", "timestamp": "2024-05-01T00:00:00Z", "version": 1,
            "statements": [
                // By the CVE alias of the GHSA finding, on the image with the package as subcomponent.
                {"vulnerability": {"name": "CVE-2020-8203"},
                 "products": [{"@id": "pkg:oci/app", "subcomponents": [{"@id": "pkg:npm/lodash@4.17.15"}]}],
                 "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
                {"vulnerability": {"name": "CVE-2020-14343"}, "products": [{"@id": "pkg:pypi/pyyaml"}],
                 "status": "under_investigation"},
                // Another version: does not apply.
                {"vulnerability": {"name": "CVE-2023-45853"}, "products": [{"@id": "pkg:apk/alpine/zlib@1.3-r0"}],
                 "status": "not_affected", "justification": "component_not_present"}
            ]
        })
        .to_string(),
    )
    .expect("write");
    let cdx_vex = env.path("ssl.cdx.json");
    std::fs::write(
        &cdx_vex,
        json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
               "vulnerabilities": [{"id": "CVE-2023-3817", "analysis": {"state": "resolved"},
                                    "affects": [{"ref": "pkg:apk/alpine/libssl3@3.1.1-r0"}]}]})
        .to_string(),
    )
    .expect("write");
    let (code, report, _) = env.scan_json(
        "image",
        &img,
        &[
            "--vex",
            vex.to_str().expect("utf8"),
            "--vex",
            cdx_vex.to_str().expect("utf8"),
            "--fail-on",
            "CRITICAL",
        ],
    );
    assert_eq!(ids(&report), ["CVE-2023-45853", "PYSEC-2021-142"]);
    assert_eq!(
        suppressed(&report),
        [
            ("CVE-2023-3817".to_string(), "vex".to_string()),
            ("GHSA-p6mc-m468-83gw".to_string(), "vex".to_string())
        ]
    );
    let yaml = report["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["id"] == "PYSEC-2021-142"))
        .cloned();
    assert_eq!(
        yaml.map(|f| f["vex_status"].clone()),
        Some(json!("under_investigation"))
    );
    assert_eq!(code, 1, "under investigation is still reported and gates");

    // Every format shows the annotation.
    let render = |format: &str| {
        let out = env.run(&[
            "image",
            img.to_str().expect("utf8"),
            "--vex",
            vex.to_str().expect("utf8"),
            "--format",
            format,
        ]);
        assert_eq!(out.status.code(), Some(0), "{format}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let table = render("table");
    assert!(
        table
            .lines()
            .any(|l| l.contains("PYSEC-2021-142") && l.contains("fixed (VEX: under_investigation)")),
        "{table}"
    );
    let sarif: Value = serde_json::from_str(&render("sarif")).expect("SARIF");
    let result = sarif["runs"][0]["results"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["ruleId"] == "PYSEC-2021-142"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(result["properties"]["vexStatus"], "under_investigation");
    let cdx: Value = serde_json::from_str(&render("cyclonedx")).expect("CycloneDX");
    let vuln = cdx["vulnerabilities"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["id"] == "PYSEC-2021-142"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(vuln["analysis"]["state"], "in_triage");
    assert!(render("html").contains("fixed (VEX: under_investigation)"));
    assert!(render("spdx-json").contains("VEX: under_investigation"));
}

/// Findings as `(package, version, id)`, the identity a round trip keeps.
fn identities(report: &Value) -> Vec<(String, String, String)> {
    findings(report)
        .into_iter()
        .map(|f| (f.0, f.1, f.2))
        .collect()
}

#[test]
fn sbom_round_trip_gives_the_same_findings() {
    let (env, img) = setup();
    let (_, direct, _) = env.scan_json("image", &img, &[]);
    assert_eq!(ids(&direct), ALL);
    for (format, file) in [
        ("cyclonedx", "out.cdx.json"),
        ("spdx-json", "out.spdx.json"),
    ] {
        let sbom = env.path(file);
        let out = env.run(&[
            "image",
            img.to_str().expect("utf8"),
            "--format",
            format,
            "--output",
            sbom.to_str().expect("utf8"),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (code, via_sbom, stderr) = env.scan_json("sbom", &sbom, &["--exit-code", "1"]);
        assert_eq!(code, 1, "{stderr}");
        assert_eq!(via_sbom["target"]["kind"], "sbom");
        assert_eq!(
            identities(&via_sbom),
            identities(&direct),
            "{format}: {stderr}"
        );
        assert_eq!(package_names(&via_sbom), package_names(&direct), "{format}");
    }
}

#[test]
fn config_file_env_and_flags_in_precedence() {
    let (env, img) = setup();
    let p = img.to_str().expect("utf8");
    std::fs::write(
        env.path("tidewatch.toml"),
        "severity = [\"CRITICAL\"]\nexit-code = 4\n",
    )
    .expect("write");
    let (code, report, _) = env.scan_json("image", &img, &[]);
    assert_eq!(
        (code, ids(&report)),
        (4, vec!["PYSEC-2021-142".to_string()])
    );

    // The environment overrides the file, a flag the environment.
    let out = env
        .cmd()
        .args(["image", p, "--format", "json"])
        .env("TIDEWATCH_SEVERITY", "MEDIUM")
        .output()
        .expect("run");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        (out.status.code(), ids(&report)),
        (Some(4), vec!["GHSA-p6mc-m468-83gw".to_string()])
    );
    let out = env
        .cmd()
        .args([
            "image",
            p,
            "--format",
            "json",
            "--severity",
            "UNKNOWN",
            "--exit-code",
            "0",
        ])
        .env("TIDEWATCH_SEVERITY", "MEDIUM")
        .output()
        .expect("run");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!((out.status.code(), ids(&report).len()), (Some(0), 2));

    // --config names another file; a typo in a key is an error.
    let other = env.path("other.toml");
    std::fs::write(&other, "fail-on = \"HIGH\"\nseverty = [\"LOW\"]\n").expect("write");
    let out = env.run(&["image", p, "--config", other.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown key `severty`"));
    std::fs::write(&other, "fail-on = \"HIGH\"\n").expect("write");
    let out = env.run(&["image", p, "--config", other.to_str().expect("utf8")]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn gate_verdict_counts_severities_and_suppressions() {
    let (env, img) = setup();
    std::fs::write(env.path(".tidewatchignore"), "CVE-2023-3817\n").expect("write");
    let (code, report, _) = env.scan_json("image", &img, &["--fail-on", "HIGH"]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["by_severity"]["CRITICAL"], 1);
    assert_eq!(report["summary"]["by_severity"]["MEDIUM"], 1);
    let verdict = report["summary"]["verdict"].as_str().unwrap_or_default();
    assert_eq!(
        verdict,
        "3 finding(s) reported (CRITICAL: 1, MEDIUM: 1, UNKNOWN: 1), 1 suppressed (ignore-file: 1), 1 at or above HIGH: exit 1."
    );
    // --severity selects before suppression: the ignored UNKNOWN finding
    // is not reported either way, so it is not counted as suppressed.
    let (code, report, _) = env.scan_json(
        "image",
        &img,
        &["--fail-on", "CRITICAL", "--severity", "MEDIUM,LOW"],
    );
    assert_eq!(
        (
            code,
            report["summary"]["verdict"].as_str().unwrap_or_default()
        ),
        (
            0,
            "1 finding(s) reported (MEDIUM: 1), none at or above CRITICAL: exit 0."
        )
    );
    let (code, report, _) = env.scan_json("image", &img, &[]);
    assert_eq!(code, 0);
    assert!(
        report["summary"]["verdict"]
            .as_str()
            .unwrap_or_default()
            .ends_with("exit 0 (no --exit-code or --fail-on given)."),
        "{}",
        report["summary"]["verdict"]
    );
}

#[test]
fn base_image_layers_are_marked_from_a_hint_or_the_labels() {
    let env = Env::new();
    feeds(&env);
    let base = env.path("base.tar");
    base_builder().write_oci_tar(&base).expect("base");
    let img = env.path("app.tar");
    app_builder().write_oci_tar(&img).expect("app");
    let bases = |report: &Value| -> Vec<bool> {
        report["layers"]
            .as_array()
            .expect("layers")
            .iter()
            .map(|l| l["base"] == json!(true))
            .collect()
    };
    let (_, plain, _) = env.scan_json("image", &img, &[]);
    assert_eq!(bases(&plain), [false, false]);
    let (_, hinted, _) = env.scan_json(
        "image",
        &img,
        &["--base-image", base.to_str().expect("utf8")],
    );
    assert_eq!(bases(&hinted), [true, false]);

    let labelled = env.path("labelled.tar");
    app_builder()
        .label(
            "org.opencontainers.image.base.name",
            base.to_str().expect("utf8"),
        )
        .write_oci_tar(&labelled)
        .expect("labelled");
    let (_, by_label, _) = env.scan_json("image", &labelled, &[]);
    assert_eq!(bases(&by_label), [true, false]);

    // A hint naming a file that is not there is a typo: an error naming it.
    let out = env.run(&[
        "image",
        img.to_str().expect("utf-8 path"),
        "--base-image",
        "no-such-base.tar",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no-such-base.tar"), "{stderr}");
}

#[test]
fn version_shows_the_database_schema_and_age() {
    let env = Env::new();
    feeds(&env);
    let out = env.run(&["version"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("schema version") && stdout.contains("minute"),
        "{stdout}"
    );
}

#[test]
fn table_marks_base_image_layers_and_findings() {
    let env = Env::new();
    feeds(&env);
    let base = env.path("base.tar");
    base_builder().write_oci_tar(&base).expect("base");
    // The base named by the config's labels, as BuildKit writes them.
    let img = env.path("labelled.tar");
    app_builder()
        .label(
            "org.opencontainers.image.base.name",
            base.to_str().expect("utf8"),
        )
        .write_oci_tar(&img)
        .expect("labelled");
    let table = |extra: &[&str]| {
        let mut args = vec!["image", img.to_str().expect("utf8")];
        args.extend_from_slice(extra);
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let rows = |t: &str, pkg: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.contains(&format!(" {pkg} ")))
            .map(|l| l.split('┆').map(str::trim).collect::<Vec<_>>().join("|"))
            .collect()
    };

    // zlib and openssl came with the base (layer 0), the rest on top.
    let plain = table(&[]);
    assert!(
        plain.contains(
            "Base image: layer 0; vulnerabilities from the base image: 2, from the layers on top: 2"
        ),
        "{plain}"
    );
    assert!(
        rows(&plain, "zlib")
            .iter()
            .any(|r| r.contains("|0 (base)|")),
        "{plain}"
    );
    assert!(
        rows(&plain, "lodash")
            .iter()
            .any(|r| r.contains("|1|") && !r.contains("base")),
        "{plain}"
    );
    let pkgs = table(&["--list-all-pkgs"]);
    assert!(
        rows(&pkgs, "libssl3")
            .iter()
            .any(|r| r.contains("lib/apk/db/installed|0 (base) │")),
        "{pkgs}"
    );

    let grouped = table(&["--group-by", "layer"]);
    let headings: Vec<&str> = grouped
        .lines()
        .filter(|l| l.starts_with("Layer "))
        .collect();
    assert_eq!(headings.len(), 2, "{grouped}");
    assert!(
        headings[0].starts_with("Layer 0 (sha256:")
            && headings[0].ends_with("[base image]: ADD alpine-minirootfs.tar.gz /"),
        "{grouped}"
    );
    assert!(
        headings[1].starts_with("Layer 1 (sha256:") && headings[1].ends_with("): COPY app /app"),
        "{grouped}"
    );

    // Without a known base nothing is marked and the line is absent.
    let unmarked = env.path("app.tar");
    app_builder().write_oci_tar(&unmarked).expect("app");
    let out = env.run(&[
        "image",
        unmarked.to_str().expect("utf8"),
        "--group-by",
        "layer",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("base") && text.contains("Layer 0 (sha256:"),
        "{text}"
    );
    // The HTML report marks them too.
    let out = env.run(&["image", img.to_str().expect("utf8"), "--format", "html"]);
    let html = String::from_utf8_lossy(&out.stdout);
    assert!(
        html.contains("<dt>Base image layers</dt><dd>0</dd>")
            && html.matches(r#"<span class="base""#).count() >= 2,
        "base marks in the HTML"
    );
}

#[test]
fn config_precedence_for_switches_and_defaulted_flags() {
    let (env, img) = setup();
    let p = img.to_str().expect("utf8");
    std::fs::write(
        env.path("tidewatch.toml"),
        "format = \"table\"\nlist-all-pkgs = true\nsort-by = \"kev\"\n",
    )
    .expect("write");
    let run = |vars: &[(&str, &str)], flags: &[&str]| {
        let mut c = env.cmd();
        c.args(["image", p]).args(flags);
        for (k, v) in vars {
            c.env(k, v);
        }
        let out = c.output().expect("run");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let lists_packages = |out: &str| out.contains("\nPackages: 4\n");

    // The file beats the defaults (a switch and a flag with a default).
    let out = run(&[], &[]);
    assert!(lists_packages(&out), "file sets list-all-pkgs: {out}");
    // A switch turned off in the environment beats the file.
    let out = run(&[("TIDEWATCH_LIST_ALL_PKGS", "false")], &[]);
    assert!(!lists_packages(&out), "env beats file: {out}");
    // The environment beats the file for a defaulted flag, a flag beats both.
    let out = run(&[("TIDEWATCH_FORMAT", "json")], &[]);
    let report: Value = serde_json::from_str(&out).expect("env format json");
    validate(&report);
    let out = run(&[("TIDEWATCH_FORMAT", "json")], &["--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&out).expect("flag format sarif");
    assert_eq!(sarif["version"], "2.1.0");
    // Without the file the default applies again.
    std::fs::remove_file(env.path("tidewatch.toml")).expect("rm");
    let out = run(&[], &[]);
    assert!(
        !lists_packages(&out) && out.contains("Vulnerability"),
        "{out}"
    );
}
