//! A small but awkward report every format test renders: an image with
//! three layers, the same purl at two paths, licences that are and are not
//! SPDX expressions, a package without a purl, hostile text in titles and
//! names, KEV/EPSS, CVSS v2 and v3, suppressed findings (VEX and ignore
//! file), findings a VEX statement annotates, a base-image layer and
//! warnings.

#![allow(dead_code, clippy::too_many_arguments)]

use tidewatch_types::*;

pub fn digest(c: char) -> String {
    format!("sha256:{}", c.to_string().repeat(64))
}

fn pkg(
    name: &str,
    version: &str,
    format: &str,
    kind: PackageType,
    ecosystem: &str,
    purl: &str,
    path: &str,
    layer: usize,
) -> Package {
    let mut p = Package::new(name, version, format, kind);
    p.ecosystem = Some(ecosystem.into());
    p.purl = purl.into();
    p.locations.push(Location {
        path: path.into(),
        layer: Some(layer),
    });
    p
}

/// Built through serde so that fields added to the vocabulary later
/// (optional ones, with defaults) do not break the sample.
fn finding(p: &Package, id: &str, severity: Severity) -> Finding {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "aliases": [],
        "package": {
            "name": p.name,
            "version": p.version,
            "ecosystem": p.ecosystem,
            "purl": p.purl,
        },
        "fixed_versions": [],
        "fix_state": "not_fixed",
        "severity": severity,
        "severity_source": "debian",
        "cvss": [],
        "kev": false,
        "epss": null,
        "data_source": "osv",
        "path": p.path(),
        "layer": p.layer(),
    }))
    .expect("a finding")
}

fn layer(index: usize, digest: Option<String>, diff_id: String, created_by: &str) -> LayerInfo {
    serde_json::from_value(serde_json::json!({
        "index": index,
        "digest": digest,
        "diff_id": diff_id,
        "created_by": created_by,
    }))
    .expect("a layer")
}

pub fn report() -> Report {
    let mut ssl = pkg(
        "libssl3",
        "3.0.11-1~deb12u2",
        "deb",
        PackageType::Os,
        "Debian:12",
        "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
        "var/lib/dpkg/status",
        0,
    );
    ssl.source = Some(SourcePackage {
        name: "openssl".into(),
        version: "3.0.11-1~deb12u2".into(),
    });
    ssl.arch = Some("amd64".into());
    ssl.licenses = vec!["GPL-2+".into()];

    let mut req_a = pkg(
        "requests",
        "2.25.0",
        "python",
        PackageType::Library,
        "PyPI",
        "pkg:pypi/requests@2.25.0",
        "usr/lib/python3/dist-packages/requests-2.25.0.dist-info/METADATA",
        1,
    );
    req_a.licenses = vec!["Apache-2.0".into()];
    let mut req_b = req_a.clone();
    req_b.locations = vec![Location {
        path: "opt/venv/lib/python3.11/site-packages/requests-2.25.0.dist-info/METADATA".into(),
        layer: Some(2),
    }];

    let mut lodash = pkg(
        "lodash",
        "4.17.20",
        "npm",
        PackageType::Library,
        "npm",
        "pkg:npm/lodash@4.17.20",
        "app/node_modules/lodash/package.json",
        2,
    );
    lodash.licenses = vec!["MIT License".into(), "Apache-2.0 OR MIT".into()];

    let mut evil = pkg(
        "<img src=x onerror=alert(1)>",
        "1.0\"&'",
        "npm",
        PackageType::Library,
        "npm",
        "",
        "app/node_modules/evil pkg/package.json",
        2,
    );
    evil.metadata.insert("bundled".into(), "true".into());

    let mut f_ssl = finding(&ssl, "CVE-2024-0727", Severity::High);
    f_ssl.aliases = vec!["DSA-5600-1".into()];
    f_ssl.fixed_versions = vec!["3.0.13-1~deb12u1".into()];
    f_ssl.fix_state = FixState::Fixed;
    f_ssl.cvss = vec![
        Cvss {
            version: "3.1".into(),
            vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H".into(),
            score: Some(7.5),
            source: "nvd".into(),
        },
        Cvss {
            version: "2.0".into(),
            vector: "AV:N/AC:L/Au:N/C:N/I:N/A:P".into(),
            score: Some(5.0),
            source: "nvd".into(),
        },
    ];
    f_ssl.kev = true;
    f_ssl.epss = Some(Epss {
        score: 0.0123,
        percentile: 0.456,
    });
    f_ssl.title = Some("OpenSSL: denial of service via null dereference".into());
    f_ssl.data_source = "debian-tracker".into();

    let mut f_req_a = finding(&req_a, "GHSA-j8r2-6x86-q33q", Severity::Medium);
    f_req_a.aliases = vec!["CVE-2023-32681".into(), "PYSEC-2023-74".into()];
    f_req_a.fixed_versions = vec!["2.31.0".into()];
    f_req_a.fix_state = FixState::Fixed;
    f_req_a.severity_source = Some("cvss".into());
    f_req_a.cvss = vec![Cvss {
        version: "3.1".into(),
        vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N".into(),
        score: Some(6.1),
        source: "ghsa".into(),
    }];
    f_req_a.title = Some("Unintended leak of Proxy-Authorization header".into());
    let mut f_req_b = f_req_a.clone();
    // VEX statements that keep findings reported annotate them.
    f_req_a.vex_status = Some("under_investigation".into());
    f_req_b.vex_status = Some("affected".into());
    f_req_b.path = req_b.path().map(str::to_string);
    f_req_b.layer = req_b.layer();

    let mut f_lodash = finding(&lodash, "GHSA-35jh-r3h4-6jhm", Severity::Critical);
    f_lodash.title = Some("<script>alert(\"x\")</script> Command Injection in lodash".into());
    f_lodash.fixed_versions = vec!["4.17.21".into()];
    f_lodash.fix_state = FixState::Fixed;
    f_lodash.cvss = vec![Cvss {
        version: "4.0".into(),
        vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N".into(),
        score: Some(9.3),
        source: "ghsa".into(),
    }];

    let f_evil = finding(&evil, "OSV-2099-1|weird id", Severity::Unknown);
    let mut f_neg = finding(&ssl, "CVE-2010-0928", Severity::Negligible);
    f_neg.fix_state = FixState::WillNotFix;

    let mut s_vex = finding(&lodash, "CVE-2021-23337", Severity::High);
    s_vex.fix_state = FixState::Fixed;
    s_vex.fixed_versions = vec!["4.17.21".into()];
    let mut s_ignored = finding(&ssl, "CVE-2023-5678", Severity::Medium);
    s_ignored.fix_state = FixState::FixDeferred;

    Report {
        schema_version: REPORT_SCHEMA_VERSION,
        tool: Tool {
            name: "tidewatch".into(),
            version: "0.1.0".into(),
        },
        target: Target {
            kind: TargetKind::Image,
            name: "registry.example/team/app:1.0".into(),
            digest: Some(digest('a')),
            config_digest: Some(digest('b')),
            os: Some(OsInfo {
                family: "debian".into(),
                version: "12.5".into(),
                name: Some("Debian GNU/Linux 12 (bookworm)".into()),
                codename: Some("bookworm".into()),
                eol: false,
                eol_date: None,
                content_sets: Vec::new(),
            }),
        },
        layers: vec![
            // The base image's layer.
            LayerInfo {
                base: true,
                ..layer(
                    0,
                    Some(digest('c')),
                    digest('0'),
                    "/bin/sh -c #(nop) ADD file:1234 in / ",
                )
            },
            layer(
                1,
                Some(digest('d')),
                digest('1'),
                "RUN /bin/sh -c apt-get install -y python3-requests # buildkit",
            ),
            layer(2, None, digest('2'), "COPY app/ /app/ <b>bold</b>"),
        ],
        packages: vec![ssl, req_a, req_b, lodash, evil],
        findings: vec![f_ssl, f_req_a, f_req_b, f_lodash, f_evil, f_neg],
        suppressed: vec![
            Suppressed {
                finding: s_vex,
                reason: "vex".into(),
                detail: Some(
                    "not_affected: vulnerable_code_not_in_execute_path (openvex.json)".into(),
                ),
            },
            Suppressed {
                finding: s_ignored,
                reason: "ignore-file".into(),
                detail: Some(".tidewatchignore line 3".into()),
            },
        ],
        warnings: vec![Warning::new(
            "var/lib/rpm/Packages",
            "malformed header <b>entry</b> 3",
        )],
        summary: Summary {
            by_severity: Default::default(),
            suppressed: 2,
            exit_code: 1,
            verdict: "exit 1: 2 findings at or above HIGH".into(),
        },
    }
}

/// Renders `report` in `format` with a pinned creation time.
pub fn render(report: &Report, format: tidewatch_report::Format) -> String {
    let opts = tidewatch_report::RenderOptions {
        created: jiff::Timestamp::from_second(1_714_564_800).ok(),
        ..Default::default()
    };
    let mut out = Vec::new();
    tidewatch_report::render(report, format, &opts, &mut out).expect("renders");
    String::from_utf8(out).expect("utf-8")
}
