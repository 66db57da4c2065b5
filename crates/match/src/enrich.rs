//! CVE-level facts attached after matching: NVD/CVE severity and CVSS for
//! findings whose feed gave none, CISA KEV and EPSS for all.

use std::collections::{BTreeSet, HashMap};
use tidewatch_db::{CveInfo, Db, DbError};
use tidewatch_types::{Finding, Severity};

pub fn enrich(db: &Db, findings: &mut [Finding]) -> Result<(), DbError> {
    let cves: BTreeSet<String> = findings.iter().flat_map(cve_ids).collect();
    if cves.is_empty() {
        return Ok(());
    }
    let cves: Vec<String> = cves.into_iter().collect();
    let infos: HashMap<String, CveInfo> = db
        .cve_enrichment(&cves)?
        .into_iter()
        .map(|i| (i.cve.clone(), i))
        .collect();
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
            if f.severity == Severity::Unknown
                && let Some(s) = info.severity
            {
                f.severity = s;
                f.severity_source = info.severity_source.clone().or(Some("nvd".into()));
            }
        }
    }
    Ok(())
}

fn cve_ids(f: &Finding) -> impl Iterator<Item = String> + '_ {
    std::iter::once(&f.id)
        .chain(f.aliases.iter())
        .filter(|i| i.starts_with("CVE-"))
        .cloned()
}
