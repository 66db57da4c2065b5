//! One finding per (package, vulnerability): advisories that name the same
//! vulnerability (a PYSEC and a GHSA for one CVE, a DSA and its CVE) are
//! merged, the others' ids kept as aliases.

use std::collections::BTreeSet;
use tidewatch_types::{Finding, Package, PackageType};

pub fn merge(pkg: &Package, mut candidates: Vec<Finding>) -> Vec<Finding> {
    // Order by preference so the first of each group is the one we keep.
    candidates.sort_by_cached_key(|f| preference(pkg, f));
    let mut groups: Vec<(BTreeSet<String>, Finding)> = Vec::new();
    for f in candidates {
        let ids: BTreeSet<String> = std::iter::once(f.id.clone())
            .chain(f.aliases.iter().cloned())
            .collect();
        match groups.iter_mut().find(|(g, _)| !g.is_disjoint(&ids)) {
            Some((g, kept)) => {
                absorb(kept, f);
                g.extend(ids);
            }
            None => groups.push((ids, f)),
        }
    }
    groups
        .into_iter()
        .map(|(ids, mut f)| {
            f.aliases = ids.into_iter().filter(|i| *i != f.id).collect();
            f
        })
        .collect()
}

/// Lower sorts first. For OS packages the distro's own id wins; for
/// language packages the feed's own id (GHSA, PYSEC, GO, RUSTSEC) over a
/// bare CVE; then ids with more information; then by id for stability.
fn preference(pkg: &Package, f: &Finding) -> (u8, u8, String) {
    let is_cve = f.id.starts_with("CVE-");
    let rank = match pkg.kind {
        PackageType::Os => u8::from(f.data_source == "osv"),
        PackageType::Library => u8::from(is_cve),
    };
    let unknown = u8::from(f.severity == tidewatch_types::Severity::Unknown);
    (rank, unknown, f.id.clone())
}

fn absorb(kept: &mut Finding, other: Finding) {
    for v in other.fixed_versions {
        if !kept.fixed_versions.contains(&v) {
            kept.fixed_versions.push(v);
        }
    }
    for c in other.cvss {
        if !kept.cvss.contains(&c) {
            kept.cvss.push(c);
        }
    }
    if kept.severity == tidewatch_types::Severity::Unknown
        && other.severity != tidewatch_types::Severity::Unknown
    {
        kept.severity = other.severity;
        kept.severity_source = other.severity_source;
    }
    if kept.title.is_none() {
        kept.title = other.title;
    }
}
