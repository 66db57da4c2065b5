//! NVD CVE API 2.0 responses (and files of the same shape, such as the
//! yearly feeds): `{"format": "NVD_CVE", "vulnerabilities": [{"cve": {id,
//! metrics}}]}`. Every CVSS entry is kept; the CVE's severity comes from
//! the best one (v4.0 > v3.1 > v3.0 > v2, the NVD's own Primary scorer
//! first), scored with the `cvss` crate when only a vector is given.
//! One source, `nvd`.

use super::{CveSeverity, Feed, Input, SourceBatch, Syntax};
use crate::error::DbError;
use crate::scoring;
use serde::Deserialize;
use std::collections::BTreeMap;

pub(crate) const FEED: Feed = Feed {
    name: "nvd",
    claims,
    parse,
};

const FORMAT: &str = "NVD CVE";

fn claims(input: &Input<'_>) -> bool {
    input.syntax == Syntax::Json
        && input.shape.has(0, "vulnerabilities")
        && (input.shape.has(0, "format") || input.shape.has(1, "cve"))
        && !input.shape.has(0, "catalogVersion")
}

#[derive(Deserialize)]
struct Response {
    vulnerabilities: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    cve: Cve,
}

#[derive(Deserialize)]
struct Cve {
    id: String,
    #[serde(default)]
    metrics: BTreeMap<String, Vec<Metric>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metric {
    source: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    cvss_data: CvssData,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CvssData {
    vector_string: String,
    base_score: Option<f64>,
}

fn parse(input: &Input<'_>) -> Result<Vec<SourceBatch>, DbError> {
    let response: Response = input.json(FORMAT)?;
    let mut batch = SourceBatch::new("nvd", "nvd");
    for item in response.vulnerabilities {
        let id = item.cve.id.trim();
        if !id.starts_with("CVE-") {
            return Err(input.malformed(FORMAT, format!("{id:?} is not a CVE id")));
        }
        // Primary (the NVD's own analysis) before Secondary (CNA) scores,
        // so that among equal versions the NVD's wins.
        let mut metrics: Vec<&Metric> = item.cve.metrics.values().flatten().collect();
        metrics.sort_by_key(|m| m.kind.as_deref() != Some("Primary"));
        let mut cvss = Vec::new();
        for m in metrics {
            let source = match m.source.as_deref() {
                Some("nvd@nist.gov") | None => "nvd".to_string(),
                Some(other) => format!("nvd:{other}"),
            };
            match scoring::entry(&m.cvss_data.vector_string, m.cvss_data.base_score, &source) {
                Some(c) => cvss.push(c),
                None => {
                    return Err(input.malformed(
                        FORMAT,
                        format!(
                            "{id}: unrecognised CVSS vector {:?}",
                            m.cvss_data.vector_string
                        ),
                    ));
                }
            }
        }
        let (severity, severity_source) = match scoring::best_severity(&cvss) {
            Some((s, src)) => (Some(s), Some(src)),
            None => (None, None),
        };
        batch.cve_severity.push(CveSeverity {
            cve: id.to_string(),
            severity,
            severity_source,
            cvss,
        });
    }
    Ok(vec![batch])
}
