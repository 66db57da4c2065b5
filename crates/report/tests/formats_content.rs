//! What each format says about the sample report: identities unique and
//! resolvable, layer attribution present, suppressed findings marked,
//! output reproducible, hostile text escaped, table grouped by layer.

mod formats_sample;

use serde_json::Value;
use std::collections::{BTreeSet, HashSet};
use tidewatch_report::{Format, GroupBy, RenderOptions, TableOptions};

fn json(format: Format) -> Value {
    serde_json::from_str(&formats_sample::render(&formats_sample::report(), format))
        .expect("valid JSON")
}

fn arr(v: &Value) -> &Vec<Value> {
    v.as_array().expect("array")
}

#[test]
fn every_format_renders_reproducibly_and_changes_with_content() {
    let report = formats_sample::report();
    let mut changed = report.clone();
    changed.findings[0].fixed_versions = vec!["9.9".into()];
    for format in Format::ALL {
        let a = formats_sample::render(&report, format);
        assert_eq!(a, formats_sample::render(&report, format), "{format}");
        assert_ne!(a, formats_sample::render(&changed, format), "{format}");
    }
}

#[test]
fn sarif_has_a_rule_per_advisory_and_a_result_per_finding() {
    let v = json(Format::Sarif);
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = arr(&run["tool"]["driver"]["rules"]);
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "one rule per advisory: {ids:?}");
    assert_eq!(ids.len(), 7);

    let results = arr(&run["results"]);
    assert_eq!(results.len(), 8, "6 findings + 2 suppressed");
    for r in results {
        let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
    }
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 2);

    // The same advisory on one purl at two paths: two results, two files,
    // each with its own layer.
    let req: Vec<&Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "GHSA-j8r2-6x86-q33q")
        .collect();
    assert_eq!(req.len(), 2);
    let uris: BTreeSet<&str> = req
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri")
        })
        .collect();
    assert_eq!(uris.len(), 2, "{uris:?}");
    let layers: BTreeSet<u64> = req
        .iter()
        .map(|r| r["properties"]["layer"]["index"].as_u64().expect("layer"))
        .collect();
    assert_eq!(layers, BTreeSet::from([1, 2]));

    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).expect("rule");
    assert_eq!(
        rule("CVE-2024-0727")["properties"]["security-severity"],
        "7.5"
    );
    assert_eq!(
        rule("CVE-2024-0727")["defaultConfiguration"]["level"],
        "error"
    );
    assert_eq!(
        rule("GHSA-35jh-r3h4-6jhm")["properties"]["security-severity"],
        "9.3"
    );
    assert_eq!(
        rule("CVE-2010-0928")["defaultConfiguration"]["level"],
        "note"
    );
    assert!(
        rule("OSV-2099-1|weird id")["properties"]
            .get("security-severity")
            .is_none()
    );
    let help = rule("GHSA-j8r2-6x86-q33q")["help"]["text"]
        .as_str()
        .expect("help");
    assert!(help.contains("fixed version: 2.31.0"), "{help}");
    // A path with a space is a valid URI reference.
    assert!(results.iter().any(|r| {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "app/node_modules/evil%20pkg/package.json"
    }));
}

#[test]
fn cyclonedx_refs_are_unique_and_resolve() {
    let v = json(Format::CycloneDx);
    assert_eq!(v["specVersion"], "1.6");
    let serial = v["serialNumber"].as_str().expect("serial");
    assert!(
        serial.starts_with("urn:uuid:") && serial.len() == 45,
        "{serial}"
    );
    assert_eq!(v["metadata"]["timestamp"], "2024-05-01T12:00:00Z");
    assert_eq!(v["metadata"]["component"]["type"], "container");

    let components = arr(&v["components"]);
    assert_eq!(components.len(), 6, "OS + 5 packages");
    assert_eq!(components[0]["type"], "operating-system");
    let mut refs: Vec<&str> = components
        .iter()
        .map(|c| c["bom-ref"].as_str().expect("bom-ref"))
        .collect();
    refs.push(v["metadata"]["component"]["bom-ref"].as_str().expect("ref"));
    let known: HashSet<&str> = refs.iter().copied().collect();
    assert_eq!(known.len(), refs.len(), "bom-refs unique: {refs:?}");
    let requests: Vec<&Value> = components
        .iter()
        .filter(|c| c["purl"] == "pkg:pypi/requests@2.25.0")
        .collect();
    assert_eq!(requests.len(), 2);

    for d in arr(&v["dependencies"]) {
        assert!(known.contains(d["ref"].as_str().expect("ref")));
        for r in arr(&d["dependsOn"]) {
            assert!(known.contains(r.as_str().expect("ref")), "{r}");
        }
    }
    let image_deps = arr(&v["dependencies"][0]["dependsOn"]);
    assert_eq!(image_deps.len(), 5, "OS + 4 library packages");

    let vulns = arr(&v["vulnerabilities"]);
    assert_eq!(vulns.len(), 8);
    let vuln_refs: HashSet<&str> = vulns
        .iter()
        .map(|x| x["bom-ref"].as_str().expect("ref"))
        .collect();
    assert_eq!(vuln_refs.len(), 8);
    for x in vulns {
        for a in arr(&x["affects"]) {
            assert!(known.contains(a["ref"].as_str().expect("ref")));
        }
    }
    // The finding at the second path affects the second component.
    let req_vulns: Vec<&str> = vulns
        .iter()
        .filter(|x| x["id"] == "GHSA-j8r2-6x86-q33q")
        .map(|x| x["affects"][0]["ref"].as_str().expect("ref"))
        .collect();
    let req_refs: Vec<&str> = requests
        .iter()
        .map(|c| c["bom-ref"].as_str().expect("ref"))
        .collect();
    assert_eq!(req_vulns, req_refs);

    let ssl = vulns
        .iter()
        .find(|x| x["id"] == "CVE-2024-0727")
        .expect("ssl");
    let ratings = arr(&ssl["ratings"]);
    assert!(ratings.iter().any(|r| r["method"] == "CVSSv31"
        && r["score"] == 7.5
        && r["severity"] == "high"
        && r["vector"] == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"));
    assert!(
        ratings
            .iter()
            .any(|r| r["method"] == "CVSSv2" && r["severity"] == "medium")
    );
    assert_eq!(
        ssl["source"]["url"],
        "https://security-tracker.debian.org/tracker/CVE-2024-0727"
    );
    assert!(
        ssl["recommendation"]
            .as_str()
            .expect("rec")
            .contains("3.0.13-1~deb12u1")
    );
    assert_eq!(ssl["analysis"]["response"][0], "update");

    let vex = vulns
        .iter()
        .find(|x| x["id"] == "CVE-2021-23337")
        .expect("vex");
    assert_eq!(vex["analysis"]["state"], "not_affected");
    assert_eq!(vex["analysis"]["justification"], "code_not_reachable");
    let ignored = vulns
        .iter()
        .find(|x| x["id"] == "CVE-2023-5678")
        .expect("ign");
    assert!(
        ignored["analysis"].get("state").is_none(),
        "an ignore rule claims no state"
    );

    let prop = |c: &Value, name: &str| -> Vec<String> {
        arr(&c["properties"])
            .iter()
            .filter(|p| p["name"] == name)
            .map(|p| p["value"].as_str().expect("value").to_string())
            .collect()
    };
    assert_eq!(prop(requests[1], "tidewatch:layer:index"), ["2"]);
    assert_eq!(
        prop(requests[1], "tidewatch:layer:created_by"),
        ["COPY app/ /app/ <b>bold</b>"]
    );
    assert_eq!(requests[0]["licenses"][0]["expression"], "Apache-2.0");
    let lodash = components
        .iter()
        .find(|c| c["name"] == "lodash")
        .expect("lodash");
    assert_eq!(lodash["licenses"][0]["license"]["name"], "MIT License");
}

#[test]
fn spdx_ids_are_unique_and_relationships_resolve() {
    let v = json(Format::SpdxJson);
    assert_eq!(v["spdxVersion"], "SPDX-2.3");
    assert_eq!(v["creationInfo"]["created"], "2024-05-01T12:00:00Z");
    let packages = arr(&v["packages"]);
    assert_eq!(packages.len(), 7, "image + OS + 5 packages");
    let ids: Vec<&str> = packages
        .iter()
        .map(|p| p["SPDXID"].as_str().expect("id"))
        .collect();
    let known: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(known.len(), ids.len());
    for id in &ids {
        let rest = id.strip_prefix("SPDXRef-").expect("prefix");
        assert!(
            rest.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'),
            "{id}"
        );
    }
    let rels = arr(&v["relationships"]);
    assert!(rels.iter().any(|r| r["spdxElementId"] == "SPDXRef-DOCUMENT"
        && r["relationshipType"] == "DESCRIBES"
        && r["relatedSpdxElement"] == "SPDXRef-Image"));
    let contains = rels
        .iter()
        .filter(|r| r["relationshipType"] == "CONTAINS")
        .count();
    assert_eq!(contains, 6);
    for r in rels {
        let from = r["spdxElementId"].as_str().expect("from");
        assert!(from == "SPDXRef-DOCUMENT" || known.contains(from));
        assert!(known.contains(r["relatedSpdxElement"].as_str().expect("to")));
    }
    // Every LicenseRef used is defined.
    let defined: HashSet<&str> = arr(&v["hasExtractedLicensingInfos"])
        .iter()
        .map(|l| l["licenseId"].as_str().expect("id"))
        .collect();
    for p in packages {
        if let Some(decl) = p["licenseDeclared"].as_str() {
            for word in decl.split([' ', '(', ')']) {
                if word.starts_with("LicenseRef-") {
                    assert!(defined.contains(word), "{word} undefined");
                }
            }
        }
    }
    let lodash = packages
        .iter()
        .find(|p| p["name"] == "lodash")
        .expect("lodash");
    assert_eq!(
        lodash["licenseDeclared"],
        "LicenseRef-MIT-License AND (Apache-2.0 OR MIT)"
    );
    let refs = arr(&lodash["externalRefs"]);
    assert!(
        refs.iter()
            .any(|r| r["referenceType"] == "purl"
                && r["referenceLocator"] == "pkg:npm/lodash@4.17.20")
    );
    assert!(refs.iter().any(|r| r["referenceCategory"] == "SECURITY"
        && r["referenceLocator"] == "https://github.com/advisories/GHSA-35jh-r3h4-6jhm"));
    assert!(
        lodash["comment"]
            .as_str()
            .expect("comment")
            .contains("layer 2")
    );
    let ns = v["documentNamespace"].as_str().expect("namespace");
    assert!(ns.starts_with("https://spdx.org/spdxdocs/tidewatch/registry.example-team-app-1.0-"));
}

#[test]
fn html_is_self_contained_and_escaped() {
    let h = formats_sample::render(&formats_sample::report(), Format::Html);
    assert!(h.starts_with("<!DOCTYPE html>"));
    assert!(h.contains("Content-Security-Policy"));
    // Our one script, and none from the data.
    assert_eq!(
        h.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(!h.contains("<script>alert"));
    assert!(h.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Command Injection"));
    assert!(!h.contains("<img"));
    assert!(h.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(h.contains("1.0&quot;&amp;&#39;"));
    assert!(!h.contains("<b>"), "warning and layer markup escaped");
    // No external assets.
    for needle in ["<link", "@import", "url(", "src=\"", "<iframe", "<object"] {
        assert!(!h.contains(needle), "{needle}");
    }
    // Chart: one bar per severity, the counts as text.
    assert_eq!(h.matches("<rect ").count(), 6);
    assert!(h.contains(r#"<text x="0" y="18" class="label">CRITICAL</text>"#));
    assert_eq!(h.matches("<tr data-rank=").count(), 6);
    assert!(h.contains(r#"<tr data-rank="5" data-fixable="1">"#));
    assert!(h.contains("Suppressed (2)"));
    assert!(h.contains("Packages (5)"));
    assert!(h.contains("Layers (3)"));
}

fn table(group_by: GroupBy) -> String {
    let opts = RenderOptions {
        table: TableOptions {
            group_by,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut report = formats_sample::report();
    // A finding from no layer (e.g. a directory scan) goes last.
    let mut loose = report.findings[0].clone();
    loose.id = "CVE-2000-0001".into();
    loose.layer = None;
    report.findings.push(loose);
    let mut out = Vec::new();
    tidewatch_report::render(&report, Format::Table, &opts, &mut out).expect("renders");
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn table_groups_findings_by_layer() {
    let t = table(GroupBy::Layer);
    let pos = |s: &str| t.find(s).unwrap_or_else(|| panic!("{s:?} missing:\n{t}"));
    let l0 = pos("Layer 0 (sha256:000000000000) [base image]: ADD file:1234 in /\n");
    let l1 = pos(
        "Layer 1 (sha256:111111111111): RUN /bin/sh -c apt-get install -y python3-requests # buildkit\n",
    );
    let l2 = pos("Layer 2 (sha256:222222222222): COPY app/ /app/ <b>bold</b>\n");
    let none = pos("No layer\n");
    assert!(l0 < l1 && l1 < l2 && l2 < none, "{t}");
    // libssl3's advisories under layer 0, lodash's under layer 2.
    let ssl = pos("CVE-2024-0727");
    assert!(l0 < ssl && ssl < l1, "{t}");
    let lodash = pos("GHSA-35jh-r3h4-6jhm");
    assert!(l2 < lodash && lodash < none, "{t}");
    assert!(pos("CVE-2000-0001") > none);
    // requests at two paths: once under layer 1, once under layer 2.
    assert_eq!(t[l1..l2].matches("GHSA-j8r2-6x86-q33q").count(), 1);
    assert_eq!(t[l2..none].matches("GHSA-j8r2-6x86-q33q").count(), 1);
    assert!(
        t.contains("Vulnerabilities: 2 (HIGH: 1, NEGLIGIBLE: 1)"),
        "{t}"
    );

    let flat = table(GroupBy::Severity);
    assert!(!flat.contains("Layer 0 ("), "{flat}");
    // The base image's layer is marked, with the split of the findings.
    assert!(
        flat.contains(
            "Base image: layer 0; vulnerabilities from the base image: 2, from the layers on top: 5"
        ),
        "{flat}"
    );
    assert!(
        flat.lines()
            .any(|l| l.contains("CVE-2024-0727") && l.contains("0 (base)")),
        "{flat}"
    );
    assert!(
        flat.contains("fixed (VEX: under_investigation)") && flat.contains("fixed (VEX: affected)"),
        "{flat}"
    );
    assert!(
        flat.contains("Layer"),
        "the flat table keeps its Layer column"
    );
}

#[test]
fn group_by_parses() {
    assert_eq!("layer".parse::<GroupBy>(), Ok(GroupBy::Layer));
    assert_eq!("severity".parse::<GroupBy>(), Ok(GroupBy::Severity));
    assert!("package".parse::<GroupBy>().is_err());
}
