//! SARIF 2.1.0, the format code-scanning UIs (GitHub, GitLab, Azure
//! DevOps) import: one rule per advisory, one result per finding located
//! at the file inside the image that the package was read from.
//!
//! Severity travels two ways because consumers read different fields:
//! `level` (error / warning / note) for SARIF viewers, and the rule's
//! `properties.security-severity` (a CVSS-like number as a string) which
//! GitHub turns into critical / high / medium / low. Suppressed findings
//! are results too, with a SARIF `suppressions` entry, so a viewer shows
//! them as dismissed rather than not at all.

use crate::document::{advisory_url, layer, layer_label, severity_score};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;
use tidewatch_types::{Finding, Report, Severity, Suppressed};
use uuid::Uuid;

pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render(report: &Report, out: &mut dyn Write) -> Result<(), serde_json::Error> {
    crate::document::write_json(&to_value(report), out)
}

/// The SARIF log as a JSON value (also what the tests inspect).
pub fn to_value(report: &Report) -> Value {
    let all: Vec<(&Finding, Option<&Suppressed>)> = report
        .findings
        .iter()
        .map(|f| (f, None))
        .chain(report.suppressed.iter().map(|s| (&s.finding, Some(s))))
        .collect();

    // Rules sorted by id so the log does not depend on finding order.
    let mut by_id: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for (f, _) in &all {
        by_id.entry(f.id.as_str()).or_default().push(f);
    }
    let rule_index: BTreeMap<&str, usize> =
        by_id.keys().enumerate().map(|(i, id)| (*id, i)).collect();
    let rules: Vec<Value> = by_id.iter().map(|(id, fs)| rule(id, fs)).collect();
    let results: Vec<Value> = all
        .iter()
        .map(|(f, s)| result(report, f, *s, rule_index.get(f.id.as_str()).copied()))
        .collect();

    let mut run_props = serde_json::Map::new();
    run_props.insert("target".into(), json!(report.target.name));
    if let Some(d) = &report.target.digest {
        run_props.insert("digest".into(), json!(d));
    }
    if let Some(d) = &report.target.config_digest {
        run_props.insert("configDigest".into(), json!(d));
    }
    if let Some(os) = &report.target.os {
        run_props.insert("os".into(), json!(format!("{} {}", os.family, os.version)));
    }
    let mut run = json!({
        "tool": {
            "driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "rules": rules,
            }
        },
        "results": results,
        "columnKind": "utf16CodeUnits",
        "properties": run_props,
    });
    if !report.warnings.is_empty() {
        // Parts of the image that could not be read: tool notifications,
        // so a viewer tells the result is less complete than it looks.
        let notes: Vec<Value> = report
            .warnings
            .iter()
            .map(|w| {
                json!({
                    "level": "warning",
                    "message": {"text": format!("{}: {}", w.path, w.message)},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(&w.path)}}}],
                })
            })
            .collect();
        run["invocations"] = json!([{
            "executionSuccessful": true,
            "toolExecutionNotifications": notes,
        }]);
    }
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    })
}

fn rule(id: &str, findings: &[&Finding]) -> Value {
    let worst = findings.iter().copied().max_by(|a, b| {
        a.severity.cmp(&b.severity).then_with(|| {
            severity_score(a)
                .unwrap_or(0.0)
                .total_cmp(&severity_score(b).unwrap_or(0.0))
        })
    });
    let severity = worst.map_or(Severity::Unknown, |f| f.severity);
    let title = findings.iter().find_map(|f| f.title.as_deref());
    let short = title.unwrap_or(id);
    let mut aliases: Vec<&str> = findings
        .iter()
        .flat_map(|f| f.aliases.iter().map(String::as_str))
        .filter(|a| *a != id)
        .collect();
    aliases.sort_unstable();
    aliases.dedup();
    let mut names: Vec<&str> = findings.iter().map(|f| f.package.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut full = match title {
        Some(t) => format!("{id}: {t}"),
        None => format!("{id} affects {}", names.join(", ")),
    };
    if !aliases.is_empty() {
        full.push_str(&format!(" (also known as {})", aliases.join(", ")));
    }

    let mut text = format!("Vulnerability {id}\nSeverity: {severity}\n");
    let mut md = format!(
        "**Vulnerability {id}**\n\n| Severity | Package | Installed | Fixed in | Path |\n| --- | --- | --- | --- | --- |\n"
    );
    for f in findings {
        let fixed = fixed_text(f);
        text.push_str(&format!(
            "Package: {} {}, fixed version: {}\n",
            f.package.name, f.package.version, fixed
        ));
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            f.severity,
            md_cell(&f.package.name),
            md_cell(&f.package.version),
            md_cell(&fixed),
            md_cell(f.path.as_deref().unwrap_or("")),
        ));
    }
    let url = advisory_url(id);
    text.push_str(&format!("Link: {url}\n"));
    md.push_str(&format!("\n[{id}]({url})\n"));

    let mut tags = vec!["vulnerability".to_string(), "security".to_string()];
    tags.push(severity.as_str().to_string());
    if findings.iter().any(|f| f.kev) {
        tags.push("known-exploited".to_string());
    }
    let mut props = json!({"tags": tags, "precision": "very-high"});
    if let Some(score) = worst.and_then(severity_score) {
        props["security-severity"] = json!(format!("{score:.1}"));
    }
    json!({
        "id": id,
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "helpUri": url,
        "help": {"text": text, "markdown": md},
        "defaultConfiguration": {"level": level(severity)},
        "properties": props,
    })
}

fn result(
    report: &Report,
    f: &Finding,
    suppressed: Option<&Suppressed>,
    rule_index: Option<usize>,
) -> Value {
    let layer = layer(report, f.layer);
    let mut message = format!(
        "Package {} {} is affected by {} ({}); fixed version: {}.",
        f.package.name,
        f.package.version,
        f.id,
        f.severity,
        fixed_text(f)
    );
    if let Some(v) = &f.vex_status {
        message.push_str(&format!(" VEX status: {v}."));
    }
    if let Some(path) = &f.path {
        message.push_str(&format!(" Found in {path}"));
        if let Some(l) = layer {
            message.push_str(&format!(", {}", layer_label(l)));
        }
        message.push('.');
    }
    let artifact = f.path.as_deref().unwrap_or(report.target.name.as_str());

    let mut props = json!({
        "purl": f.package.purl,
        "installedVersion": f.package.version,
        "fixedVersions": f.fixed_versions,
        "fixState": f.fix_state.as_str(),
        "severity": f.severity.as_str(),
        "kev": f.kev,
        "dataSource": f.data_source,
    });
    if let Some(e) = &f.package.ecosystem {
        props["ecosystem"] = json!(e);
    }
    if !f.aliases.is_empty() {
        props["aliases"] = json!(f.aliases);
    }
    if let Some(e) = f.epss {
        props["epss"] = json!({"score": e.score, "percentile": e.percentile});
    }
    if let Some(v) = &f.vex_status {
        props["vexStatus"] = json!(v);
    }
    if let Some(l) = layer {
        let mut lv = json!({"index": l.index, "diffId": l.diff_id});
        if let Some(d) = &l.digest {
            lv["digest"] = json!(d);
        }
        if let Some(c) = &l.created_by {
            lv["createdBy"] = json!(c);
        }
        if l.base {
            lv["baseImage"] = json!(true);
        }
        props["layer"] = lv;
    } else if let Some(i) = f.layer {
        props["layer"] = json!({"index": i});
    }

    let fingerprint = Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("{}|{}|{}", f.id, f.package.purl, artifact).as_bytes(),
    );
    let mut r = json!({
        "ruleId": f.id,
        "level": level(f.severity),
        "message": {"text": message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": uri(artifact)},
                // Code-scanning UIs want a line; a package database has
                // no meaningful one, so the file's first.
                "region": {"startLine": 1},
            },
            "logicalLocations": [{"name": f.package.name, "fullyQualifiedName": f.package.purl, "kind": "package"}],
        }],
        "partialFingerprints": {"tidewatchFinding/v1": fingerprint.to_string()},
        "properties": props,
    });
    if let Some(i) = rule_index {
        r["ruleIndex"] = json!(i);
    }
    if let Some(s) = suppressed {
        let justification = match &s.detail {
            Some(d) => format!("{}: {d}", s.reason),
            None => s.reason.clone(),
        };
        r["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": justification,
        }]);
    }
    r
}

fn fixed_text(f: &Finding) -> String {
    if f.fixed_versions.is_empty() {
        format!("none ({})", f.fix_state)
    } else {
        f.fixed_versions.join(", ")
    }
}

/// SARIF levels: the severe ones fail a code-scanning check, the rest
/// inform.
fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Negligible | Severity::Unknown => "note",
    }
}

/// A relative URI reference for a path inside the image: every byte
/// outside RFC 3986's unreserved set and `/` is percent-encoded (a `:`
/// in the first segment would otherwise read as a scheme).
fn uri(path: &str) -> String {
    let path = path.trim_start_matches('/');
    let mut s = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// Markdown table cells must not break the table.
fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_references() {
        assert_eq!(uri("lib/apk/db/installed"), "lib/apk/db/installed");
        assert_eq!(uri("/a b/c:d/é"), "a%20b/c%3Ad/%C3%A9");
    }

    #[test]
    fn levels_follow_severity() {
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Negligible), "note");
    }

    #[test]
    fn markdown_cells_are_escaped() {
        assert_eq!(md_cell("a|b\nc"), "a\\|b c");
    }
}
