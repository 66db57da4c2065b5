//! CISA Known Exploited Vulnerabilities (`known_exploited_vulnerabilities.json`):
//! the set of CVEs exploited in the wild. One source, `cisa-kev`.

use super::{Feed, Input, KevEntry, SourceBatch, Syntax};
use crate::error::DbError;
use serde::Deserialize;

pub(crate) const FEED: Feed = Feed {
    name: "cisa-kev",
    claims,
    parse,
};

const FORMAT: &str = "CISA KEV";

fn claims(input: &Input<'_>) -> bool {
    input.syntax == Syntax::Json
        && input.shape.has(0, "vulnerabilities")
        && (input.shape.has(0, "catalogVersion") || input.shape.has(1, "cveID"))
}

#[derive(Deserialize)]
struct Catalog {
    vulnerabilities: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(rename = "cveID")]
    cve_id: String,
    date_added: Option<String>,
}

fn parse(input: &Input<'_>) -> Result<Vec<SourceBatch>, DbError> {
    let catalog: Catalog = input.json(FORMAT)?;
    let mut batch = SourceBatch::new("cisa-kev", "cisa-kev");
    for (i, e) in catalog.vulnerabilities.into_iter().enumerate() {
        let cve = e.cve_id.trim();
        if !cve.starts_with("CVE-") {
            return Err(input.malformed(
                FORMAT,
                format!("vulnerabilities[{i}]: cveID {cve:?} is not a CVE id"),
            ));
        }
        batch.kev.push(KevEntry {
            cve: cve.to_string(),
            date_added: e.date_added,
        });
    }
    Ok(vec![batch])
}
