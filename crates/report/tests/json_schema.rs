//! Every JSON report must validate against the schema we publish.

use tidewatch_types::*;

fn sample() -> Report {
    let mut pkg = Package::new("libssl3", "3.1.7-r0", "apk", PackageType::Os);
    pkg.ecosystem = Some("Alpine:v3.18".into());
    pkg.purl = "pkg:apk/alpine/libssl3@3.1.7-r0?arch=x86_64&distro=alpine-3.18.9".into();
    pkg.source = Some(SourcePackage {
        name: "openssl".into(),
        version: "3.1.7-r0".into(),
    });
    pkg.locations.push(Location {
        path: "lib/apk/db/installed".into(),
        layer: Some(0),
    });
    let finding = Finding {
        id: "CVE-2024-9143".into(),
        aliases: vec![],
        package: PackageRef {
            name: pkg.name.clone(),
            version: pkg.version.clone(),
            ecosystem: pkg.ecosystem.clone(),
            purl: pkg.purl.clone(),
        },
        fixed_versions: vec!["3.1.7-r1".into()],
        fix_state: FixState::Fixed,
        severity: Severity::High,
        severity_source: Some("nvd".into()),
        cvss: vec![Cvss {
            version: "3.1".into(),
            vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H".into(),
            score: Some(7.5),
            source: "nvd".into(),
        }],
        kev: false,
        epss: Some(Epss {
            score: 0.1,
            percentile: 0.5,
        }),
        title: None,
        data_source: "alpine-secdb".into(),
        path: Some("lib/apk/db/installed".into()),
        layer: Some(0),
        vex_status: None,
    };
    Report {
        schema_version: REPORT_SCHEMA_VERSION,
        tool: Tool {
            name: "tidewatch".into(),
            version: "0.1.0".into(),
        },
        target: Target {
            kind: TargetKind::Image,
            name: "alpine.tar".into(),
            digest: Some("sha256:abcd".into()),
            config_digest: Some("sha256:ef01".into()),
            os: Some(OsInfo {
                family: "alpine".into(),
                version: "3.18.9".into(),
                ..Default::default()
            }),
        },
        layers: vec![LayerInfo {
            index: 0,
            digest: Some("sha256:0123".into()),
            diff_id: "sha256:4567".into(),
            created_by: Some("ADD rootfs".into()),
            base: false,
        }],
        packages: vec![pkg],
        findings: vec![finding.clone()],
        suppressed: vec![Suppressed {
            finding,
            reason: "ignore-file".into(),
            detail: None,
        }],
        warnings: vec![Warning::new("var/lib/dpkg/status", "bad stanza")],
        summary: Summary::default(),
    }
}

fn validate(v: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_str(tidewatch_report::JSON_SCHEMA).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    validator.iter_errors(v).map(|e| e.to_string()).collect()
}

#[test]
fn a_full_report_validates() {
    let mut out = Vec::new();
    tidewatch_report::render(
        &sample(),
        tidewatch_report::Format::Json,
        &Default::default(),
        &mut out,
    )
    .expect("renders");
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(validate(&v), Vec::<String>::new());
}

#[test]
fn the_schema_rejects_a_report_missing_findings() {
    let mut v = serde_json::to_value(sample()).expect("json");
    v.as_object_mut().expect("object").remove("findings");
    assert!(!validate(&v).is_empty());
    let mut v = serde_json::to_value(sample()).expect("json");
    v["findings"][0]["severity"] = "SEVERE".into();
    assert!(!validate(&v).is_empty());
}

#[test]
fn the_table_shows_counts_and_findings() {
    let mut out = Vec::new();
    let opts = tidewatch_report::RenderOptions {
        table: tidewatch_report::TableOptions {
            list_all_pkgs: true,
            fit_terminal: false,
            show_warnings: true,
            ..Default::default()
        },
        ..Default::default()
    };
    tidewatch_report::render(&sample(), tidewatch_report::Format::Table, &opts, &mut out)
        .expect("renders");
    let s = String::from_utf8(out).expect("utf8");
    assert!(s.starts_with("alpine.tar (alpine 3.18.9)\n"), "{s}");
    assert!(s.contains("HIGH: 1"), "{s}");
    assert!(s.contains("CVE-2024-9143"), "{s}");
    assert!(s.contains("openssl 3.1.7-r0"), "{s}");
    assert!(s.contains("bad stanza"), "{s}");
}
