//! SUSE CVRF (`cvrf-suse-su-2019-3295-1.xml`, one `<cvrfdoc>` per SUSE or
//! openSUSE update) and vuln-list's JSON conversion of it (what Trivy's DB
//! is built from): the packages an update fixes, per product.
//!
//! Fixed products are `<product>:<name>-<version>-<release>` of **binary**
//! RPMs (no epoch: SUSE's CVRF never writes one, so a fixed version is
//! compared as epoch 0). Each product maps to an ecosystem by
//! [`ecosystem_of_product`], shared with the OSV importer's SUSE records so
//! both agree with the catalog:
//!
//! | CVRF / OSV product | ecosystem |
//! |---|---|
//! | SUSE Linux Enterprise Server 15 SP5, … Server 15 SP5-LTSS, … Server for SAP Applications 15 SP5, … Module for Basesystem 15 SP5 (any module), … Software Development Kit 12 SP5 | `SUSE:Linux Enterprise Server 15 SP5` |
//! | SUSE Linux Enterprise Desktop 15 SP5, … Micro 5.3, SUSE Linux Micro 6.0 | `SUSE:Linux Enterprise Desktop 15 SP5`, `SUSE:Linux Enterprise Micro 5.3`, `SUSE:Linux Micro 6.0` |
//! | openSUSE Leap 15.5, openSUSE Tumbleweed | `openSUSE:Leap 15.5`, `openSUSE:Tumbleweed` |
//! | anything else (Package Hub, SUSE Manager, …) | `SUSE:` + the name without `SUSE ` (kept, never queried by a scan) |
//!
//! Modules and the SAP/LTSS flavours are parts of one SLES installation: a
//! SLES 15 SP5 image gets most packages from the Basesystem module, and
//! SUSE files their fixes there, not under "Server".
//!
//! One advisory per document (`SUSE-SU-2019:3295-1`) with its CVEs as
//! aliases; its severity is the highest "Impact" threat SUSE gives any of
//! those CVEs (low, moderate, important, critical), with source
//! `suse-cvrf`. Sources are `suse-cvrf:<ecosystem>`.

use super::rpm_fix::{self, Fixes};
use super::{Feed, Input, NewAdvisory, SourceBatch, Syntax, advisory, xml_attr};
use crate::error::DbError;
use crate::scoring;
use quick_xml::Reader;
use quick_xml::events::Event;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use tidewatch_types::Severity;

pub(crate) const FEED: Feed = Feed {
    name: NAME,
    claims,
    parse,
};

const NAME: &str = "suse-cvrf";
const FORMAT: &str = "SUSE CVRF";

fn claims(input: &Input<'_>) -> bool {
    match input.syntax {
        Syntax::Xml => {
            let head = input.head(4096);
            head.contains("cvrfdoc") && head.contains("icasi.org/CVRF")
        }
        Syntax::Json => {
            let s = input.shape;
            s.has(0, "Tracking") && s.has(0, "ProductTree") && s.has(0, "Vulnerabilities")
        }
        _ => false,
    }
}

/// The ecosystem a SUSE product name belongs to (see the module doc).
pub(crate) fn ecosystem_of_product(product: &str) -> String {
    let product = product.trim();
    if let Some(rest) = product.strip_prefix("openSUSE ") {
        return format!("openSUSE:{}", rest.trim());
    }
    let rest = product.strip_prefix("SUSE ").unwrap_or(product).trim();
    let Some(sle) = rest.strip_prefix("Linux Enterprise ") else {
        return format!("SUSE:{rest}");
    };
    // "Module for Basesystem 15 SP5", "Server 15 SP5-LTSS", "Micro 5.3"
    let words: Vec<&str> = sle.split_whitespace().collect();
    let Some(at) = words
        .iter()
        .position(|w| w.starts_with(|c: char| c.is_ascii_digit()))
    else {
        return format!("SUSE:{rest}");
    };
    let kind = words[..at].join(" ");
    let major = words[at].split('-').next().unwrap_or_default();
    let sp = words
        .get(at + 1)
        .and_then(|w| w.split('-').next())
        .filter(|w| {
            w.starts_with("SP") && w.len() > 2 && w[2..].bytes().all(|b| b.is_ascii_digit())
        });
    let kind = if kind == "Server"
        || kind == "Server for SAP Applications"
        || kind == "Software Development Kit"
        || kind.starts_with("Module for ")
    {
        "Server"
    } else {
        kind.as_str()
    };
    match sp {
        Some(sp) => format!("SUSE:Linux Enterprise {kind} {major} {sp}"),
        None => format!("SUSE:Linux Enterprise {kind} {major}"),
    }
}

/// A document, from either form.
#[derive(Default)]
struct Doc {
    id: String,
    published: Option<String>,
    modified: Option<String>,
    /// ProductID → (product, `name-version-release`).
    relationships: HashMap<String, (String, String)>,
    vulns: Vec<Vuln>,
}

#[derive(Default)]
struct Vuln {
    cve: String,
    impact: Option<String>,
    fixed: Vec<String>,
    cvss: Vec<(String, Option<f64>)>,
}

fn parse(input: &Input<'_>) -> Result<Vec<SourceBatch>, DbError> {
    let doc = match input.syntax {
        Syntax::Json => from_json(input)?,
        _ => from_xml(input)?,
    };
    let id = doc.id.trim().to_string();
    if id.is_empty() {
        return Err(input.malformed(
            FORMAT,
            "no document id (DocumentTracking/Identification/ID)",
        ));
    }
    let mut adv = advisory(&id, NAME);
    adv.published = doc.published.clone();
    adv.modified = doc.modified.clone();
    let mut severity: Option<Severity> = None;
    let mut per_ecosystem: BTreeMap<String, Fixes> = BTreeMap::new();
    for v in &doc.vulns {
        let cve = v.cve.trim();
        if !cve.is_empty() && !adv.aliases.iter().any(|a| a == cve) {
            adv.aliases.push(cve.to_string());
        }
        let impact = rpm_fix::vendor_severity(v.impact.as_deref().unwrap_or_default())
            .map_err(|e| input.malformed(FORMAT, format!("{id}: {cve}: {e}")))?;
        severity = severity.max(impact);
        for (vector, score) in &v.cvss {
            if let Some(c) = scoring::entry(vector, *score, NAME)
                && !adv.cvss.contains(&c)
            {
                adv.cvss.push(c);
            }
        }
        for product_id in &v.fixed {
            let (product, nvr) = match doc.relationships.get(product_id) {
                Some((p, n)) => (p.as_str(), n.as_str()),
                // Older documents: "<product>:<nvr>" without a relationship.
                None => product_id.rsplit_once(':').ok_or_else(|| {
                    input.malformed(
                        FORMAT,
                        format!("{id}: fixed product {product_id:?} names no product"),
                    )
                })?,
            };
            let Some((name, version, release)) = split_nvr(nvr) else {
                return Err(input.malformed(
                    FORMAT,
                    format!("{id}: fixed package {nvr:?} is not name-version-release"),
                ));
            };
            per_ecosystem
                .entry(ecosystem_of_product(product))
                .or_default()
                .add(name, &rpm_fix::evr(None, version, release), None);
        }
    }
    if let Some(s) = severity {
        adv.severity = Some(s);
        adv.severity_source = Some(NAME.into());
    }
    Ok(per_ecosystem
        .into_iter()
        .map(|(ecosystem, fixes)| {
            let mut batch = SourceBatch::new(format!("{NAME}:{ecosystem}"), NAME);
            batch.advisories.push(NewAdvisory {
                advisory: adv.clone(),
                affected: fixes.into_affected(&ecosystem, true, rpm_fix::plain),
            });
            batch
        })
        .collect())
}

/// `libopenssl0_9_8-32bit-0.9.8j-106.12.1` → (`libopenssl0_9_8-32bit`,
/// `0.9.8j`, `106.12.1`).
fn split_nvr(nvr: &str) -> Option<(&str, &str, &str)> {
    let (nv, release) = nvr.trim().rsplit_once('-')?;
    let (name, version) = nv.rsplit_once('-')?;
    (!name.is_empty() && !version.is_empty() && !release.is_empty())
        .then_some((name, version, release))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct JsonDoc {
    tracking: JsonTracking,
    product_tree: Option<JsonTree>,
    vulnerabilities: Option<Vec<JsonVuln>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct JsonTracking {
    #[serde(rename = "ID")]
    id: String,
    initial_release_date: Option<String>,
    current_release_date: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct JsonTree {
    relationships: Option<Vec<JsonRelationship>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct JsonRelationship {
    product_reference: String,
    relates_to_product_reference: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct JsonVuln {
    #[serde(rename = "CVE")]
    cve: Option<String>,
    threats: Option<Vec<JsonThreat>>,
    product_statuses: Option<Vec<JsonStatus>>,
    #[serde(rename = "CVSSScoreSets")]
    cvss: Option<JsonScore>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct JsonThreat {
    #[serde(rename = "Type")]
    kind: Option<String>,
    severity: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct JsonStatus {
    #[serde(rename = "Type")]
    kind: Option<String>,
    #[serde(rename = "ProductID")]
    product_id: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct JsonScore {
    base_score: Option<String>,
    vector: Option<String>,
}

fn from_json(input: &Input<'_>) -> Result<Doc, DbError> {
    let j: JsonDoc = input.json(FORMAT)?;
    let mut doc = Doc {
        id: j.tracking.id,
        published: j.tracking.initial_release_date,
        modified: j.tracking.current_release_date,
        ..Doc::default()
    };
    for r in j
        .product_tree
        .and_then(|t| t.relationships)
        .into_iter()
        .flatten()
    {
        doc.relationships.insert(
            format!("{}:{}", r.relates_to_product_reference, r.product_reference),
            (r.relates_to_product_reference, r.product_reference),
        );
    }
    for v in j.vulnerabilities.into_iter().flatten() {
        let mut out = Vuln {
            cve: v.cve.unwrap_or_default(),
            ..Vuln::default()
        };
        out.impact = v
            .threats
            .into_iter()
            .flatten()
            .find(|t| t.kind.as_deref() == Some("Impact"))
            .and_then(|t| t.severity);
        for s in v.product_statuses.into_iter().flatten() {
            if s.kind.as_deref() == Some("Fixed") {
                out.fixed.extend(s.product_id.into_iter().flatten());
            }
        }
        if let Some(JsonScore {
            base_score,
            vector: Some(vector),
        }) = v.cvss
        {
            out.cvss
                .push((vector, base_score.and_then(|s| s.parse().ok())));
        }
        doc.vulns.push(out);
    }
    Ok(doc)
}

/// Where text is being collected to.
#[derive(Clone, Copy, PartialEq)]
enum Capture {
    Id,
    Initial,
    Current,
    Cve,
    Impact,
    ProductId,
    Score,
    Vector,
}

fn from_xml(input: &Input<'_>) -> Result<Doc, DbError> {
    let mut reader = Reader::from_reader(input.bytes);
    reader.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut doc = Doc::default();
    let mut stack: Vec<String> = Vec::new();
    let mut capture: Option<Capture> = None;
    let mut text = String::new();
    let mut relationship: Option<(String, String)> = None;
    let mut vuln: Option<Vuln> = None;
    let mut status_fixed = false;
    let mut threat_impact = false;
    let mut score: (Option<f64>, Option<String>) = (None, None);
    let mut saw_root = false;
    loop {
        buf.clear();
        let pos = reader.buffer_position();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| input.malformed(FORMAT, format!("XML error at byte {pos}: {e}")))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let parent = stack.last().map(String::as_str).unwrap_or_default();
                capture = match (parent, name.as_str()) {
                    ("Identification", "ID") => Some(Capture::Id),
                    ("DocumentTracking", "InitialReleaseDate") => Some(Capture::Initial),
                    ("DocumentTracking", "CurrentReleaseDate") => Some(Capture::Current),
                    ("Vulnerability", "CVE") => Some(Capture::Cve),
                    ("Threat", "Description") if threat_impact => Some(Capture::Impact),
                    ("Status", "ProductID") if status_fixed => Some(Capture::ProductId),
                    (_, "BaseScore" | "BaseScoreV3") => Some(Capture::Score),
                    (_, "Vector" | "VectorV3") => Some(Capture::Vector),
                    _ => None,
                };
                text.clear();
                match name.as_str() {
                    "cvrfdoc" => saw_root = true,
                    "Relationship" => {
                        relationship = xml_attr(e, "ProductReference")
                            .zip(xml_attr(e, "RelatesToProductReference"))
                    }
                    "FullProductName" if parent == "Relationship" => {
                        if let (Some((nvr, product)), Some(id)) =
                            (relationship.as_ref(), xml_attr(e, "ProductID"))
                        {
                            doc.relationships.insert(id, (product.clone(), nvr.clone()));
                        }
                    }
                    "Vulnerability" => vuln = Some(Vuln::default()),
                    "Status" => status_fixed = xml_attr(e, "Type").as_deref() == Some("Fixed"),
                    "Threat" => threat_impact = xml_attr(e, "Type").as_deref() == Some("Impact"),
                    "ScoreSet" | "ScoreSetV2" | "ScoreSetV3" => score = (None, None),
                    _ => {}
                }
                if matches!(event, Event::Start(_)) {
                    stack.push(name);
                } else {
                    capture = None;
                }
            }
            Event::Text(t) if capture.is_some() => {
                let s = t
                    .xml_content()
                    .map_err(|e| input.malformed(FORMAT, format!("bad text at byte {pos}: {e}")))?;
                text.push_str(&s);
            }
            Event::End(_) => {
                let name = stack.pop().unwrap_or_default();
                if let Some(c) = capture.take() {
                    let value = text.trim().to_string();
                    match c {
                        Capture::Id => doc.id = value,
                        Capture::Initial => doc.published = Some(value),
                        Capture::Current => doc.modified = Some(value),
                        Capture::Cve => {
                            if let Some(v) = vuln.as_mut() {
                                v.cve = value;
                            }
                        }
                        Capture::Impact => {
                            if let Some(v) = vuln.as_mut() {
                                v.impact = Some(value);
                            }
                        }
                        Capture::ProductId => {
                            if let Some(v) = vuln.as_mut() {
                                v.fixed.push(value);
                            }
                        }
                        Capture::Score => score.0 = value.parse().ok(),
                        Capture::Vector => score.1 = Some(value),
                    }
                }
                match name.as_str() {
                    "Relationship" => relationship = None,
                    "Vulnerability" => doc.vulns.extend(vuln.take()),
                    "ScoreSet" | "ScoreSetV2" | "ScoreSetV3" => {
                        if let (Some(v), (s, Some(vector))) = (vuln.as_mut(), score.clone()) {
                            v.cvss.push((vector, s));
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        return Err(input.malformed(FORMAT, "no <cvrfdoc> root element"));
    }
    if !stack.is_empty() {
        return Err(input.malformed(FORMAT, "document ends inside an element (truncated?)"));
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_map_to_the_catalogs_ecosystems() {
        let cases = [
            (
                "SUSE Linux Enterprise Server 15 SP5",
                "SUSE:Linux Enterprise Server 15 SP5",
            ),
            (
                "SUSE Linux Enterprise Server 15 SP5-LTSS",
                "SUSE:Linux Enterprise Server 15 SP5",
            ),
            (
                "SUSE Linux Enterprise Server 15-LTSS",
                "SUSE:Linux Enterprise Server 15",
            ),
            (
                "SUSE Linux Enterprise Module for Basesystem 15 SP5",
                "SUSE:Linux Enterprise Server 15 SP5",
            ),
            (
                "SUSE Linux Enterprise Server for SAP Applications 12 SP4",
                "SUSE:Linux Enterprise Server 12 SP4",
            ),
            (
                "SUSE Linux Enterprise Server 11 SP4-LTSS",
                "SUSE:Linux Enterprise Server 11 SP4",
            ),
            (
                "SUSE Linux Enterprise Desktop 12 SP3",
                "SUSE:Linux Enterprise Desktop 12 SP3",
            ),
            (
                "SUSE Linux Enterprise Micro 5.3",
                "SUSE:Linux Enterprise Micro 5.3",
            ),
            ("SUSE Linux Micro 6.0", "SUSE:Linux Micro 6.0"),
            ("openSUSE Leap 15.5", "openSUSE:Leap 15.5"),
            ("openSUSE Tumbleweed", "openSUSE:Tumbleweed"),
            (
                "SUSE Package Hub for SUSE Linux Enterprise 15",
                "SUSE:Package Hub for SUSE Linux Enterprise 15",
            ),
        ];
        for (product, want) in cases {
            assert_eq!(ecosystem_of_product(product), want, "{product}");
        }
    }

    #[test]
    fn nvr() {
        assert_eq!(
            split_nvr("libopenssl0_9_8-32bit-0.9.8j-106.12.1"),
            Some(("libopenssl0_9_8-32bit", "0.9.8j", "106.12.1"))
        );
        assert_eq!(
            split_nvr("docker-27.5.1_ce-3.1"),
            Some(("docker", "27.5.1_ce", "3.1"))
        );
        assert_eq!(split_nvr("broken-1"), None);
    }
}
