//! Node.js security working group advisories for npm packages
//! (`nodejs-security-wg/vuln/npm/<n>.json`): `module_name`, node-semver
//! ranges in `vulnerable_versions` / `patched_versions`, CVEs, a CVSS
//! vector.
//!
//! The id is the working group's own, `NSWG-ECO-<n>`. Affected versions
//! are `vulnerable_versions` minus `patched_versions`, both converted to
//! exact OSV events by `tidewatch_version::requirement`; a record with only
//! `patched_versions` is affected everywhere else. `vuln/core` (Node.js
//! itself) has another shape and is not claimed. One source:
//! `nodejs-security-wg:npm`.

use super::{Feed, Input, NewAffected, SourceBatch, Syntax, advisory};
use crate::error::DbError;
use crate::scoring;
use serde::Deserialize;
use tidewatch_types::AffectedRange;
use tidewatch_version::Scheme;
use tidewatch_version::requirement::{complement_to_ranges, to_ranges, to_ranges_excluding};

pub(crate) const FEED: Feed = Feed {
    name: "nodejs-security-wg",
    claims,
    parse,
};

const FORMAT: &str = "nodejs security-wg advisory";
const ECOSYSTEM: &str = "npm";

fn claims(input: &Input<'_>) -> bool {
    input.syntax == Syntax::Json
        && input.shape.has(0, "module_name")
        && (input.shape.has(0, "vulnerable_versions") || input.shape.has(0, "patched_versions"))
}

#[derive(Deserialize)]
struct Record {
    id: serde_json::Value,
    #[serde(default)]
    title: Option<String>,
    module_name: String,
    #[serde(default)]
    updated_at: Option<String>,
    #[serde(default)]
    publish_date: Option<String>,
    #[serde(default)]
    cves: Vec<String>,
    #[serde(default)]
    vulnerable_versions: Option<String>,
    #[serde(default)]
    patched_versions: Option<String>,
    #[serde(default)]
    cvss_vector: Option<String>,
    #[serde(default)]
    cvss_score: Option<f64>,
}

fn parse(input: &Input<'_>) -> Result<Vec<SourceBatch>, DbError> {
    let r: Record = input.json(FORMAT)?;
    let number = match &r.id {
        serde_json::Value::Number(n) if n.is_u64() => n.to_string(),
        serde_json::Value::String(s) if !s.trim().is_empty() => s.trim().to_string(),
        other => {
            return Err(input.malformed(FORMAT, format!("`id` {other} is not an advisory number")));
        }
    };
    let id = format!("NSWG-ECO-{number}");
    let package = r.module_name.trim();
    if package.is_empty() {
        return Err(input.malformed(FORMAT, format!("{id}: empty `module_name`")));
    }
    let mut adv = advisory(&id, "nodejs-security-wg");
    for cve in &r.cves {
        let cve = cve.trim();
        if !cve.is_empty() && !adv.aliases.iter().any(|a| a == cve) {
            adv.aliases.push(cve.to_string());
        }
    }
    adv.title = r
        .title
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    adv.published = r.publish_date;
    adv.modified = r.updated_at;
    if let Some(vector) = r
        .cvss_vector
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        // Some records carry a bare vector without its `CVSS:3.0/` prefix or
        // one the parser refuses; the score alone cannot say which version.
        match scoring::entry(vector, r.cvss_score, "nodejs-security-wg") {
            Some(entry) => adv.cvss.push(entry),
            None => {
                tracing::debug!(file = input.path, %id, vector, "unparsable CVSS vector skipped")
            }
        }
    }
    if let Some((sev, src)) = scoring::best_severity(&adv.cvss) {
        adv.severity = Some(sev);
        adv.severity_source = Some(src);
    }

    let nonblank = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let vulnerable = nonblank(&r.vulnerable_versions);
    let patched = nonblank(&r.patched_versions);
    let bad = |what: &str, e: tidewatch_version::VersionError| {
        input.malformed(FORMAT, format!("{id}: {what}: {e}"))
    };
    let ranges = match (vulnerable, patched) {
        (Some(v), Some(p)) => {
            to_ranges_excluding(Scheme::Npm, &v, &[&p]).map_err(|e| bad("versions", e))?
        }
        (Some(v), None) => to_ranges(Scheme::Npm, &v).map_err(|e| bad("vulnerable_versions", e))?,
        (None, Some(p)) => {
            complement_to_ranges(Scheme::Npm, &[&p], &[]).map_err(|e| bad("patched_versions", e))?
        }
        (None, None) => {
            return Err(input.malformed(
                FORMAT,
                format!("{id}: neither vulnerable nor patched versions"),
            ));
        }
    };
    let mut affected = NewAffected::new(ECOSYSTEM, package);
    affected.ranges = ranges.into_iter().map(AffectedRange::ecosystem).collect();

    Ok(SourceBatch::single(
        format!("nodejs-security-wg:{ECOSYSTEM}"),
        "nodejs-security-wg",
        adv,
        vec![affected],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feeds::parse_claimed;
    use tidewatch_types::RangeEvent;

    fn run(text: &str) -> Result<Vec<SourceBatch>, DbError> {
        parse_claimed(&FEED, "vuln/npm/577.json", text, Syntax::Json)
    }

    fn events(batches: &[SourceBatch]) -> Vec<Vec<RangeEvent>> {
        batches[0].advisories[0].affected[0]
            .ranges
            .iter()
            .map(|r| r.events.clone())
            .collect()
    }

    #[test]
    fn lodash_style_record() {
        let text = r#"{"id": 577, "module_name": "lodash", "cves": ["CVE-2020-8203"],
            "vulnerable_versions": "<4.17.19 >=4.17.15", "patched_versions": ">=4.17.19",
            "cvss_vector": "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H", "cvss_score": 7.4}"#;
        let batches = run(text).expect("parse");
        assert_eq!(batches[0].name, "nodejs-security-wg:npm");
        let adv = &batches[0].advisories[0].advisory;
        assert_eq!(adv.id, "NSWG-ECO-577");
        assert_eq!(adv.aliases, ["CVE-2020-8203"]);
        assert_eq!(
            events(&batches),
            [vec![
                RangeEvent::Introduced("4.17.15".into()),
                RangeEvent::Fixed("4.17.19".into())
            ]]
        );
    }

    #[test]
    fn patched_versions_cut_vulnerable_ones() {
        let text = r#"{"id": 1, "module_name": "m",
            "vulnerable_versions": "<=1.5.1 || >=2.0.0 <2.3.0", "patched_versions": ">=1.5.2 <2.0.0 || >=2.2.0"}"#;
        assert_eq!(
            events(&run(text).expect("parse")),
            [
                vec![
                    RangeEvent::Introduced("0".into()),
                    RangeEvent::LastAffected("1.5.1".into())
                ],
                vec![
                    RangeEvent::Introduced("2.0.0".into()),
                    RangeEvent::Fixed("2.2.0".into())
                ],
            ]
        );
        // Only patched versions: everything else.
        let text = r#"{"id": 2, "module_name": "m", "vulnerable_versions": "", "patched_versions": ">=1.0.0"}"#;
        assert_eq!(
            events(&run(text).expect("parse")),
            [vec![
                RangeEvent::Introduced("0".into()),
                RangeEvent::Fixed("1.0.0".into())
            ]]
        );
    }

    #[test]
    fn malformed_records_name_the_file() {
        for bad in [
            r#"{"id": 3, "module_name": "m", "vulnerable_versions": ">=banana"}"#,
            r#"{"id": 3, "module_name": "", "vulnerable_versions": "<1.0.0"}"#,
            r#"{"id": null, "module_name": "m", "vulnerable_versions": "<1.0.0"}"#,
            r#"{"id": 3, "module_name": "m", "vulnerable_versions": "", "patched_versions": ""}"#,
            r#"{"id": 3, "module_name": "m", "vulnerable_versions": "<1.0.0""#,
        ] {
            let err = run(bad).expect_err(bad);
            assert!(err.to_string().contains("vuln/npm/577.json"), "{err}");
        }
    }
}
