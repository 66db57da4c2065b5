//! VEX: OpenVEX (0.2 and 0.0.x) and CycloneDX VEX statements suppress or
//! annotate findings by id or alias and product/subcomponent purl.

use tidewatch_match::{VexDocument, apply_vex};
use tidewatch_types::{Finding, FixState, PackageRef, Severity};

fn finding(id: &str, aliases: &[&str], purl: &str) -> Finding {
    Finding {
        id: id.into(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        package: PackageRef {
            name: "x".into(),
            version: "1".into(),
            ecosystem: None,
            purl: purl.into(),
        },
        fixed_versions: vec![],
        fix_state: FixState::NotFixed,
        severity: Severity::High,
        severity_source: None,
        cvss: vec![],
        kev: false,
        epss: None,
        title: None,
        data_source: "test".into(),
        path: None,
        layer: None,
        vex_status: None,
    }
}

const SSL: &str =
    "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.5&upstream=openssl";
const LODASH: &str = "pkg:npm/lodash@4.17.15";
const YAML: &str = "pkg:pypi/pyyaml@5.3.1";

fn sample() -> Vec<Finding> {
    vec![
        finding("DSA-5000-1", &["CVE-2024-0001"], SSL),
        finding("GHSA-p6mc-m468-83gw", &["CVE-2020-8203"], LODASH),
        finding("PYSEC-2020-96", &["CVE-2020-14343"], YAML),
        finding("CVE-2024-0009", &[], SSL),
    ]
}

fn parse(json: &str, path: &str) -> VexDocument {
    VexDocument::parse(json.as_bytes(), path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn openvex_suppresses_by_alias_and_purl_and_annotates() {
    let doc = parse(
        r#"{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/1",
  "author": "team",
  "timestamp": "2024-05-01T00:00:00Z",
  "version": 1,
  "statements": [
    {"vulnerability": {"name": "CVE-2024-0001"},
     "products": [{"@id": "pkg:oci/app?repository_url=example.com/app",
                   "subcomponents": [{"@id": "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12"}]}],
     "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
    {"vulnerability": {"name": "GHSA-p6mc-m468-83gw", "aliases": ["CVE-2020-8203"]},
     "products": [{"@id": "pkg:npm/lodash@4.17.15"}],
     "status": "fixed"},
    {"vulnerability": {"name": "CVE-2020-14343"},
     "products": [{"@id": "pkg:pypi/PyYAML@5.3.1"}],
     "status": "under_investigation"},
    {"vulnerability": {"name": "CVE-2024-0009"},
     "products": [{"@id": "pkg:deb/debian/libssl3@9.9"}],
     "status": "not_affected", "justification": "component_not_present"}
  ]
}"#,
        "app.openvex.json",
    );
    let out = apply_vex(&[doc], sample(), &[]);
    let kept: Vec<(&str, Option<&str>)> = out
        .kept
        .iter()
        .map(|f| (f.id.as_str(), f.vex_status.as_deref()))
        .collect();
    assert_eq!(
        kept,
        [
            ("PYSEC-2020-96", Some("under_investigation")),
            ("CVE-2024-0009", None)
        ],
        "another version of the package is not covered"
    );
    let sup: Vec<(&str, &str, &str)> = out
        .suppressed
        .iter()
        .map(|s| {
            (
                s.finding.id.as_str(),
                s.reason.as_str(),
                s.detail.as_deref().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        sup,
        [
            (
                "DSA-5000-1",
                "vex",
                "app.openvex.json statement 1: not_affected (vulnerable_code_not_in_execute_path)"
            ),
            (
                "GHSA-p6mc-m468-83gw",
                "vex",
                "app.openvex.json statement 2: fixed"
            ),
        ]
    );
}

#[test]
fn latest_statement_wins_and_old_openvex_spelling_reads() {
    let old = parse(
        r#"{"@context": "https://openvex.dev/ns", "@id": "x", "author": "a", "timestamp": "2023-01-01T00:00:00Z",
            "statements": [{"vulnerability": "CVE-2020-8203", "products": ["pkg:npm/lodash"], "status": "not_affected"}]}"#,
        "old.json",
    );
    let new = parse(
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "y", "author": "a", "timestamp": "2024-01-01T00:00:00Z",
            "statements": [{"vulnerability": {"name": "CVE-2020-8203"}, "products": [{"@id": "pkg:npm/lodash"}], "status": "affected"}]}"#,
        "new.json",
    );
    // Given in either order, the 2024 statement decides.
    for docs in [vec![old.clone(), new.clone()], vec![new, old]] {
        let out = apply_vex(&docs, sample(), &[]);
        assert!(out.suppressed.is_empty());
        let lodash = out
            .kept
            .iter()
            .find(|f| f.package.purl == LODASH)
            .map(|f| f.vex_status.clone());
        assert_eq!(lodash, Some(Some("affected".to_string())));
    }
}

#[test]
fn image_products_apply_to_their_image_only() {
    let doc = parse(
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "author": "a", "timestamp": "2024-01-01T00:00:00Z",
            "statements": [{"vulnerability": {"name": "CVE-2024-0009"},
                            "products": [{"@id": "pkg:oci/app@sha256%3Aaaaa"}], "status": "not_affected"}]}"#,
        "img.json",
    );
    let out = apply_vex(
        std::slice::from_ref(&doc),
        sample(),
        &["sha256:aaaa".to_string()],
    );
    assert_eq!(out.suppressed.len(), 1);
    let out = apply_vex(&[doc], sample(), &["sha256:bbbb".to_string()]);
    assert!(out.suppressed.is_empty());
}

#[test]
fn cyclonedx_vex_by_bom_ref_bom_link_and_purl() {
    let doc = parse(
        r#"{
  "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
  "components": [{"type": "library", "bom-ref": "ssl-ref", "name": "libssl3",
                  "purl": "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64"}],
  "vulnerabilities": [
    {"id": "CVE-2024-0001", "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
     "affects": [{"ref": "ssl-ref"}]},
    {"id": "GHSA-p6mc-m468-83gw", "analysis": {"state": "resolved"},
     "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:npm/lodash@4.17.15"}]},
    {"id": "CVE-2020-14343", "analysis": {"state": "in_triage"}, "affects": [{"ref": "pkg:pypi/pyyaml@5.3.1"}]},
    {"id": "CVE-2024-0009", "affects": [{"ref": "ssl-ref"}]},
    {"id": "CVE-2024-0009", "analysis": {"state": "false_positive"}, "affects": [{"ref": "unknown-ref"}]}
  ]
}"#,
        "bom.cdx.json",
    );
    assert_eq!(doc.warnings().len(), 1, "the unresolvable ref is reported");
    let out = apply_vex(&[doc], sample(), &[]);
    let sup: Vec<&str> = out
        .suppressed
        .iter()
        .map(|s| s.finding.id.as_str())
        .collect();
    assert_eq!(sup, ["DSA-5000-1", "GHSA-p6mc-m468-83gw"]);
    let kept: Vec<(&str, Option<&str>)> = out
        .kept
        .iter()
        .map(|f| (f.id.as_str(), f.vex_status.as_deref()))
        .collect();
    assert_eq!(
        kept,
        [
            ("PYSEC-2020-96", Some("under_investigation")),
            ("CVE-2024-0009", None)
        ]
    );
    assert_eq!(out.warnings.len(), 1);
}

#[test]
fn malformed_documents_name_file_and_field() {
    let cases = [
        (
            "{\"@context\": \"https://openvex.dev/ns/v0.2.0\",\n \"statements\": [{\"vulnerability\": {\"name\": \"CVE-1\"}, \"products\": [{\"@id\": \"pkg:npm/a\"}], \"status\": \"maybe\"}]}",
            "v.json: statement 1: status: unknown status \"maybe\"",
        ),
        (
            "{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"statements\": [{\"vulnerability\": {\"name\": \"CVE-1\"}, \"products\": [], \"status\": \"fixed\"}]}",
            "v.json: statement 1: products: names no product",
        ),
        (
            "{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"statements\": [{\"vulnerability\": {\"name\": \"CVE-1\"}, \"products\": [{\"@id\": \"pkg:\"}], \"status\": \"fixed\"}]}",
            "v.json: statement 1: products: invalid purl",
        ),
        (
            "{\"@context\": \"https://openvex.dev/ns/v0.2.0\",\n\"statements\": {}}",
            "v.json: malformed OpenVEX document: statements: invalid type: map, expected a sequence at line 2",
        ),
        (
            "{\"bomFormat\": \"CycloneDX\", \"vulnerabilities\": [{\"id\": \"CVE-1\", \"analysis\": {\"state\": \"nope\"}, \"affects\": [{\"ref\": \"pkg:npm/a\"}]}]}",
            "v.json: vulnerability 1: analysis.state: unknown state \"nope\"",
        ),
        (
            "{\"hello\": 1}",
            "v.json: not an OpenVEX or CycloneDX VEX document",
        ),
        ("{\"@context\": ", "v.json: not valid JSON"),
    ];
    for (json, want) in cases {
        let err = VexDocument::parse(json.as_bytes(), "v.json")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains(want), "got {err:?}, want {want:?}");
    }
    let err = VexDocument::parse(
        b"{\"@context\": \"https://openvex.dev/ns/v0.2.0\",\n\"statements\": {}}",
        "v.json",
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(err.contains("line 2"), "{err}");
}
