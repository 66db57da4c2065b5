//! CVE-level facts attached after matching, and the severity of findings
//! whose feed gave no vendor severity.
//!
//! Precedence (DESIGN §1.1): the vendor's severity when the feed has one
//! (set by the matcher: Debian urgency, Ubuntu priority, distro OSV
//! `severity` / `database_specific.severity`); else the best CVSS vector
//! of the finding, the feed's own and NVD's together, v4.0 > v3.1 > v3.0 >
//! v2 (the feed's own first among equal versions), banded by its version;
//! else UNKNOWN. Every CVSS vector is kept, each with its source. CISA KEV
//! and EPSS are attached by CVE id, through the finding's aliases too.

use std::collections::{BTreeSet, HashMap};
use tidewatch_db::{CveInfo, Db, DbError};
use tidewatch_types::{Finding, Severity};

pub fn enrich(db: &Db, findings: &mut [Finding]) -> Result<(), DbError> {
    let cves: Vec<String> = findings
        .iter()
        .flat_map(cve_ids)
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect();
    let infos: HashMap<String, CveInfo> = if cves.is_empty() {
        HashMap::new()
    } else {
        db.cve_enrichment(&cves)?
            .into_iter()
            .map(|i| (i.cve.clone(), i))
            .collect()
    };
    for f in findings.iter_mut() {
        let ids: Vec<String> = cve_ids(f).collect();
        for cve in ids {
            let Some(info) = infos.get(&cve) else {
                continue;
            };
            f.kev |= info.kev;
            if let Some(e) = info.epss
                && f.epss.is_none_or(|cur| e.score > cur.score)
            {
                f.epss = Some(e);
            }
            for c in &info.cvss {
                if !f.cvss.contains(c) {
                    f.cvss.push(c.clone());
                }
            }
        }
        if !has_vendor_severity(f) {
            match tidewatch_db::cvss_severity(&f.cvss) {
                Some((s, src)) => {
                    f.severity = s;
                    f.severity_source = Some(src);
                }
                None => {
                    f.severity = Severity::Unknown;
                    f.severity_source = None;
                }
            }
        }
    }
    Ok(())
}

/// Whether a severity source names a CVSS computation (`nvd:cvss3.1`,
/// `osv:cvss4.0`, `cvss`) rather than a vendor's rating.
pub(crate) fn is_cvss_derived(source: &str) -> bool {
    source == "cvss" || source.starts_with("cvss") || source.contains(":cvss")
}

fn has_vendor_severity(f: &Finding) -> bool {
    f.severity != Severity::Unknown
        && f.severity_source
            .as_deref()
            .is_none_or(|s| !is_cvss_derived(s))
}

fn cve_ids(f: &Finding) -> impl Iterator<Item = String> + '_ {
    std::iter::once(&f.id)
        .chain(f.aliases.iter())
        .filter(|i| i.starts_with("CVE-"))
        .cloned()
}
