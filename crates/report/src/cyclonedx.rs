//! CycloneDX 1.6 JSON: the image as the BOM's subject, one component per
//! package (a package found at two paths is two components), the OS as an
//! `operating-system` component, and a `vulnerabilities` section with one
//! entry per finding, reported or suppressed.
//!
//! The serial number is a v5 UUID of the report's content, so rendering
//! the same scan twice gives the same document; the timestamp comes from
//! the caller (or `SOURCE_DATE_EPOCH`) for the same reason.
//!
//! Layer attribution rides in `properties` (`tidewatch:layer:*`,
//! `tidewatch:location:path`), CycloneDX having no field for it.

use crate::document::{
    self, PackageIndex, advisory_url, content_uuid, image_purl, layer, sha256_hex, source_url,
};
use crate::licenses::spdx_expression;
use jiff::Timestamp;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use tidewatch_types::{
    Cvss, Finding, FixState, Package, PackageType, Report, Severity, Suppressed, TargetKind,
};

pub const CYCLONEDX_SCHEMA: &str = "http://cyclonedx.org/schema/bom-1.6.schema.json";

pub fn render(
    report: &Report,
    created: Option<Timestamp>,
    out: &mut dyn Write,
) -> Result<(), serde_json::Error> {
    crate::document::write_json(&to_value(report, created), out)
}

/// The BOM as a JSON value (also what the tests inspect).
pub fn to_value(report: &Report, created: Option<Timestamp>) -> Value {
    let refs = Refs::new(report);
    let index = PackageIndex::new(report);

    let components: Vec<Value> = refs
        .os
        .iter()
        .filter_map(|os_ref| os_component(report, os_ref))
        .chain(
            report
                .packages
                .iter()
                .zip(&refs.packages)
                .map(|(p, r)| component(report, p, r)),
        )
        .collect();

    let vulnerabilities: Vec<Value> = report
        .findings
        .iter()
        .map(|f| (f, None))
        .chain(report.suppressed.iter().map(|s| (&s.finding, Some(s))))
        .enumerate()
        .map(|(i, (f, s))| {
            let pkg_ref = index.find(f).and_then(|i| refs.packages.get(i));
            vulnerability(report, f, s, pkg_ref.map(String::as_str), i)
        })
        .collect();

    let mut bom = json!({
        "$schema": CYCLONEDX_SCHEMA,
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", content_uuid(report)),
        "version": 1,
        "metadata": {
            "timestamp": document::timestamp_string(document::created(created)),
            "tools": {"components": [{
                "type": "application",
                "name": report.tool.name,
                "version": report.tool.version,
            }]},
            "component": subject(report, &refs.image),
        },
        "components": components,
        "dependencies": dependencies(report, &refs),
    });
    if !vulnerabilities.is_empty() {
        bom["vulnerabilities"] = Value::Array(vulnerabilities);
    }
    bom
}

/// Every bom-ref in the document, unique: a package's is its purl, with
/// the path added when the same purl occurs more than once, and a counter
/// as the last resort.
struct Refs {
    image: String,
    os: Option<String>,
    packages: Vec<String>,
}

impl Refs {
    fn new(report: &Report) -> Self {
        let mut used = BTreeSet::new();
        let mut unique = |base: String| {
            let mut r = base.clone();
            let mut n = 2;
            while !used.insert(r.clone()) {
                r = format!("{base}|{n}");
                n += 1;
            }
            r
        };
        let image =
            unique(image_purl(report).unwrap_or_else(|| format!("target:{}", report.target.name)));
        let os = report
            .target
            .os
            .as_ref()
            .map(|os| unique(format!("os:{}@{}", os.family, os.version)));
        let base = |p: &Package| {
            if p.purl.is_empty() {
                format!("{}:{}@{}", p.format, p.name, p.version)
            } else {
                p.purl.clone()
            }
        };
        let mut counts: HashMap<String, usize> = HashMap::new();
        for p in &report.packages {
            *counts.entry(base(p)).or_default() += 1;
        }
        let packages = report
            .packages
            .iter()
            .map(|p| {
                let b = base(p);
                if counts.get(&b).copied().unwrap_or(0) > 1 {
                    unique(format!("{b}|{}", p.path().unwrap_or("")))
                } else {
                    unique(b)
                }
            })
            .collect();
        Refs {
            image,
            os,
            packages,
        }
    }
}

fn prop(name: &str, value: impl Into<String>) -> Value {
    json!({"name": name, "value": value.into()})
}

/// `metadata.component`: what was scanned.
fn subject(report: &Report, bom_ref: &str) -> Value {
    let t = &report.target;
    let kind = match t.kind {
        TargetKind::Image => "container",
        TargetKind::Fs | TargetKind::Sbom => "application",
    };
    let mut c = json!({"type": kind, "bom-ref": bom_ref, "name": t.name});
    if let Some(d) = &t.digest {
        c["version"] = json!(d);
        if let Some(hex) = sha256_hex(d) {
            c["hashes"] = json!([{"alg": "SHA-256", "content": hex}]);
        }
    }
    if let Some(purl) = image_purl(report) {
        c["purl"] = json!(purl);
    }
    let mut props = Vec::new();
    if let Some(d) = &t.config_digest {
        props.push(prop("tidewatch:image:config_digest", d));
    }
    for l in &report.layers {
        let i = l.index;
        props.push(prop(&format!("tidewatch:layer:{i}:diff_id"), &l.diff_id));
        if let Some(d) = &l.digest {
            props.push(prop(&format!("tidewatch:layer:{i}:digest"), d));
        }
        if let Some(c) = &l.created_by {
            props.push(prop(&format!("tidewatch:layer:{i}:created_by"), c));
        }
        if l.base {
            props.push(prop(&format!("tidewatch:layer:{i}:base_image"), "true"));
        }
    }
    if !props.is_empty() {
        c["properties"] = Value::Array(props);
    }
    c
}

fn os_component(report: &Report, bom_ref: &str) -> Option<Value> {
    let os = report.target.os.as_ref()?;
    let mut c = json!({
        "type": "operating-system",
        "bom-ref": bom_ref,
        "name": os.family,
        "version": os.version,
    });
    if let Some(n) = &os.name {
        c["description"] = json!(n);
    }
    let mut props = vec![prop("tidewatch:os:eol", os.eol.to_string())];
    if let Some(d) = &os.eol_date {
        props.push(prop("tidewatch:os:eol_date", d));
    }
    if let Some(c) = &os.codename {
        props.push(prop("tidewatch:os:codename", c));
    }
    c["properties"] = Value::Array(props);
    Some(c)
}

fn component(report: &Report, p: &Package, bom_ref: &str) -> Value {
    let mut c = json!({
        "type": "library",
        "bom-ref": bom_ref,
        "name": p.name,
        "version": p.version,
    });
    if !p.purl.is_empty() {
        c["purl"] = json!(p.purl);
    }
    if !p.licenses.is_empty() {
        // One SPDX expression when every licence is one (the 1.6 schema
        // allows a single expression or a list of licences, not both);
        // otherwise names, which the schema never rejects.
        c["licenses"] = match spdx_expression(&p.licenses) {
            Some(e) => json!([{"expression": e}]),
            None => Value::Array(
                p.licenses
                    .iter()
                    .map(|l| json!({"license": {"name": l}}))
                    .collect(),
            ),
        };
    }
    let mut props = vec![prop("tidewatch:package:type", &p.format)];
    if let Some(e) = &p.ecosystem {
        props.push(prop("tidewatch:package:ecosystem", e));
    }
    if let Some(s) = &p.source {
        props.push(prop("tidewatch:package:source_name", &s.name));
        props.push(prop("tidewatch:package:source_version", &s.version));
    }
    if let Some(a) = &p.arch {
        props.push(prop("tidewatch:package:arch", a));
    }
    if let Some(o) = &p.owned_by {
        props.push(prop("tidewatch:package:owned_by", o));
    }
    for (k, v) in &p.metadata {
        props.push(prop(&format!("tidewatch:metadata:{k}"), v));
    }
    for loc in &p.locations {
        props.push(prop("tidewatch:location:path", &loc.path));
    }
    props.extend(layer_props(report, p.layer()));
    c["properties"] = Value::Array(props);
    c
}

fn layer_props(report: &Report, index: Option<usize>) -> Vec<Value> {
    let mut props = Vec::new();
    if let Some(i) = index {
        props.push(prop("tidewatch:layer:index", i.to_string()));
    }
    if let Some(l) = layer(report, index) {
        props.push(prop("tidewatch:layer:diff_id", &l.diff_id));
        if let Some(d) = &l.digest {
            props.push(prop("tidewatch:layer:digest", d));
        }
        if let Some(c) = &l.created_by {
            props.push(prop("tidewatch:layer:created_by", c));
        }
        if l.base {
            props.push(prop("tidewatch:layer:base_image", "true"));
        }
    }
    props
}

/// The image depends on its OS and every package; the OS on the OS
/// packages. That is all a squashed filesystem tells for certain.
fn dependencies(report: &Report, refs: &Refs) -> Value {
    let mut image_deps: Vec<&str> = Vec::new();
    let mut os_deps: Vec<&str> = Vec::new();
    if let Some(os) = &refs.os {
        image_deps.push(os);
    }
    for (p, r) in report.packages.iter().zip(&refs.packages) {
        if p.kind == PackageType::Os && refs.os.is_some() {
            os_deps.push(r);
        } else {
            image_deps.push(r);
        }
    }
    let mut deps = vec![json!({"ref": refs.image, "dependsOn": image_deps})];
    if let Some(os) = &refs.os {
        deps.push(json!({"ref": os, "dependsOn": os_deps}));
    }
    Value::Array(deps)
}

fn vulnerability(
    report: &Report,
    f: &Finding,
    suppressed: Option<&Suppressed>,
    pkg_ref: Option<&str>,
    n: usize,
) -> Value {
    let mut v = json!({
        "bom-ref": format!("vuln:{}|{}|{n}", f.id, pkg_ref.unwrap_or(&f.package.purl)),
        "id": f.id,
        "source": {"name": f.data_source, "url": source_url(&f.data_source, &f.id)},
        "ratings": ratings(f),
    });
    let references: Vec<Value> = f
        .aliases
        .iter()
        .filter(|a| **a != f.id)
        .map(|a| json!({"id": a, "source": {"url": advisory_url(a)}}))
        .collect();
    if !references.is_empty() {
        v["references"] = Value::Array(references);
    }
    if let Some(t) = &f.title {
        v["description"] = json!(t);
    }
    if !f.fixed_versions.is_empty() {
        v["recommendation"] = json!(format!(
            "Upgrade {} from {} to {}.",
            f.package.name,
            f.package.version,
            f.fixed_versions.join(" or ")
        ));
    }
    if let Some(a) = analysis(f, suppressed) {
        v["analysis"] = a;
    }
    if let Some(r) = pkg_ref {
        v["affects"] = json!([{
            "ref": r,
            "versions": [{"version": f.package.version, "status": "affected"}],
        }]);
    }
    let mut props = vec![
        prop("tidewatch:fix_state", f.fix_state.as_str()),
        prop("tidewatch:severity", f.severity.as_str()),
        prop("tidewatch:kev", f.kev.to_string()),
    ];
    if let Some(v) = &f.vex_status {
        props.push(prop("tidewatch:vex_status", v));
    }
    if !f.fixed_versions.is_empty() {
        props.push(prop(
            "tidewatch:fixed_versions",
            f.fixed_versions.join(", "),
        ));
    }
    if let Some(e) = f.epss {
        props.push(prop("tidewatch:epss:score", e.score.to_string()));
        props.push(prop("tidewatch:epss:percentile", e.percentile.to_string()));
    }
    if let Some(p) = &f.path {
        props.push(prop("tidewatch:location:path", p));
    }
    props.extend(layer_props(report, f.layer));
    if let Some(s) = suppressed {
        props.push(prop("tidewatch:suppressed", &s.reason));
    }
    v["properties"] = Value::Array(props);
    v
}

fn ratings(f: &Finding) -> Value {
    let mut out = vec![{
        let mut r = json!({
            "severity": cdx_severity(f.severity),
            "method": "other",
        });
        if let Some(src) = f.severity_source.as_deref().or(Some(&f.data_source)) {
            r["source"] = json!({"name": src});
        }
        r
    }];
    out.extend(f.cvss.iter().filter_map(cvss_rating));
    Value::Array(out)
}

fn cvss_rating(c: &Cvss) -> Option<Value> {
    let method = match c.version.as_str() {
        "2.0" | "2" => "CVSSv2",
        "3.0" | "3" => "CVSSv3",
        "3.1" => "CVSSv31",
        "4.0" | "4" => "CVSSv4",
        _ => "other",
    };
    let mut r = json!({
        "source": {"name": c.source},
        "method": method,
        "vector": c.vector,
    });
    if let Some(s) = c.score.filter(|s| s.is_finite()) {
        r["score"] = json!(s);
        let band = if method == "CVSSv2" {
            // CVSS v2 has three bands only.
            if s >= 7.0 {
                "high"
            } else if s >= 4.0 {
                "medium"
            } else {
                "low"
            }
        } else if s == 0.0 {
            "none"
        } else {
            cdx_severity(Severity::from_cvss_score(s))
        };
        r["severity"] = json!(band);
    }
    Some(r)
}

fn cdx_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Negligible => "info",
        Severity::Unknown => "unknown",
    }
}

/// CycloneDX's impact analysis: for suppressed findings what the VEX
/// statement or ignore rule said; for reported ones what the vendor's fix
/// state implies for the response. No state is claimed that the data does
/// not support (a finding is never marked `exploitable` by us).
fn analysis(f: &Finding, suppressed: Option<&Suppressed>) -> Option<Value> {
    if let Some(s) = suppressed {
        let detail = s.detail.as_deref().unwrap_or("");
        let said = format!("{} {}", s.reason, detail).to_ascii_lowercase();
        let mut a = json!({
            "detail": if detail.is_empty() {
                format!("suppressed by {}", s.reason)
            } else {
                format!("suppressed by {}: {detail}", s.reason)
            },
        });
        // Only a VEX statement asserts a state; an ignore rule is a choice
        // of the user's, not a claim about the vulnerability.
        if !s.reason.to_ascii_lowercase().contains("vex") {
            return Some(a);
        }
        if said.contains("not_affected") || said.contains("not affected") {
            a["state"] = json!("not_affected");
            if let Some(j) = justification(&said) {
                a["justification"] = json!(j);
            }
        } else if said.contains("false_positive") || said.contains("false positive") {
            a["state"] = json!("false_positive");
        } else if said.contains("fixed") || said.contains("resolved") {
            a["state"] = json!("resolved");
        } else if said.contains("under_investigation") {
            a["state"] = json!("in_triage");
        }
        return Some(a);
    }
    let (mut state, response) = match f.fix_state {
        FixState::Fixed => (None, Some("update")),
        FixState::WillNotFix => (None, Some("will_not_fix")),
        FixState::NotFixed | FixState::FixDeferred | FixState::EndOfLife => {
            (None, Some("can_not_fix"))
        }
        FixState::UnderInvestigation => (Some("in_triage"), None),
        FixState::NotAffected => (Some("not_affected"), None),
        FixState::Unknown => (None, None),
    };
    // A VEX statement that keeps the finding reported is the producer's
    // word on its state: still being looked at, or confirmed.
    let vex = f.vex_status.as_deref().filter(|v| !v.is_empty());
    match vex {
        Some("under_investigation") => state = Some("in_triage"),
        Some("affected") => state = Some("exploitable"),
        _ => {}
    }
    if state.is_none() && response.is_none() {
        return None;
    }
    let mut detail = format!("vendor fix state: {}", f.fix_state);
    if let Some(v) = vex {
        detail.push_str(&format!("; VEX: {v}"));
    }
    let mut a = json!({"detail": detail});
    if let Some(s) = state {
        a["state"] = json!(s);
    }
    if let Some(r) = response {
        a["response"] = json!([r]);
    }
    Some(a)
}

/// OpenVEX / CycloneDX justification words mapped onto CycloneDX's.
fn justification(said: &str) -> Option<&'static str> {
    const MAP: [(&str, &str); 11] = [
        ("component_not_present", "code_not_present"),
        ("vulnerable_code_not_present", "code_not_present"),
        ("code_not_present", "code_not_present"),
        ("vulnerable_code_not_in_execute_path", "code_not_reachable"),
        ("code_not_reachable", "code_not_reachable"),
        (
            "vulnerable_code_cannot_be_controlled_by_adversary",
            "requires_environment",
        ),
        (
            "inline_mitigations_already_exist",
            "protected_by_mitigating_control",
        ),
        ("requires_configuration", "requires_configuration"),
        ("requires_dependency", "requires_dependency"),
        ("requires_environment", "requires_environment"),
        (
            "protected_by_mitigating_control",
            "protected_by_mitigating_control",
        ),
    ];
    MAP.iter().find(|(k, _)| said.contains(k)).map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvss_bands() {
        let c = |v: &str, s: f64| Cvss {
            version: v.into(),
            vector: "x".into(),
            score: Some(s),
            source: "nvd".into(),
        };
        let band = |c: Cvss| cvss_rating(&c).map(|r| r["severity"].clone());
        assert_eq!(band(c("2.0", 9.3)), Some(json!("high")));
        assert_eq!(band(c("3.1", 9.3)), Some(json!("critical")));
        assert_eq!(band(c("4.0", 0.0)), Some(json!("none")));
        assert_eq!(
            cvss_rating(&c("3.0", 5.0)).map(|r| r["method"].clone()),
            Some(json!("CVSSv3"))
        );
    }

    #[test]
    fn justifications_map() {
        assert_eq!(
            justification("vex not_affected: vulnerable_code_not_in_execute_path"),
            Some("code_not_reachable")
        );
        assert_eq!(justification("nothing"), None);
    }
}
