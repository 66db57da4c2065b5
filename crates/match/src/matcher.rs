use crate::{enrich, lookup::lookup_name, merge, rpm_rules};
use tidewatch_db::{AffectedRecord, Db, DbError};
use tidewatch_types::{Finding, FixState, Package, PackageRef, PackageType, Severity, Warning};
use tidewatch_version::Scheme;

#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Findings for a set of packages, plus what could not be evaluated.
#[derive(Debug, Default)]
pub struct MatchOutput {
    pub findings: Vec<Finding>,
    pub warnings: Vec<Warning>,
}

/// Match every package against the database.
pub fn match_packages(db: &Db, packages: &[Package]) -> Result<MatchOutput, MatchError> {
    let mut out = MatchOutput::default();
    for pkg in packages {
        let mut candidates = Vec::new();
        for query in queries(pkg) {
            let scheme = match Scheme::for_ecosystem(&query.ecosystem) {
                Some(s) => s,
                None => continue,
            };
            for record in db.affected(&query.ecosystem, &query.name)? {
                if record.binary_package != query.binary
                    || !rpm_rules::module_applies(pkg, record.module.as_deref())
                {
                    continue;
                }
                if let Some(f) = evaluate(pkg, &query, scheme, &record, &mut out.warnings) {
                    candidates.push(f);
                }
            }
        }
        out.findings.extend(merge::merge(pkg, candidates));
    }
    enrich::enrich(db, &mut out.findings)?;
    out.warnings.extend(uncovered_ecosystems(db, packages)?);
    Ok(out)
}

/// One warning per ecosystem of the scanned packages that tidewatch can
/// match but the database has no advisories for (a DB built from other
/// feeds, a release the feeds do not cover): "0 findings" there means
/// "not checked", and the user must be told.
fn uncovered_ecosystems(db: &Db, packages: &[Package]) -> Result<Vec<Warning>, MatchError> {
    let mut counts: std::collections::BTreeMap<&str, (usize, bool)> = Default::default();
    for pkg in packages {
        let Some(ecosystem) = pkg.ecosystem.as_deref() else {
            continue;
        };
        if Scheme::for_ecosystem(ecosystem).is_none() || rpm_rules::is_third_party(pkg) {
            continue;
        }
        let entry = counts.entry(ecosystem).or_default();
        entry.0 += 1;
        entry.1 |= pkg.kind == PackageType::Os;
    }
    let wanted: Vec<String> = counts.keys().map(|e| e.to_string()).collect();
    let missing = db.ecosystems_without_data(&wanted)?;
    Ok(missing
        .into_iter()
        .map(|ecosystem| {
            let (n, os) = counts.get(ecosystem.as_str()).copied().unwrap_or_default();
            let what = if os { "OS packages" } else { "packages" };
            Warning::new(
                db.path().display().to_string(),
                format!(
                    "the database has no advisories for {ecosystem}; {n} {what} were not checked \
                     (import or update a feed that covers it)"
                ),
            )
        })
        .collect())
}

/// One way to look a package up: ecosystem, stored name, the version to
/// compare, and whether the feed must key on binary (or source) names.
struct Query {
    ecosystem: String,
    name: String,
    version: String,
    binary: bool,
}

fn queries(pkg: &Package) -> Vec<Query> {
    let Some(ecosystem) = pkg.ecosystem.clone() else {
        return Vec::new();
    };
    if rpm_rules::is_third_party(pkg) {
        return Vec::new();
    }
    match pkg.kind {
        PackageType::Os => {
            // Source-keyed feeds (Debian, Alpine) name the source package /
            // origin and its version; binary-keyed feeds (Ubuntu and Red
            // Hat OVAL, RPM distros' OSV) the binary package.
            let (src_name, src_version) = match &pkg.source {
                Some(s) => (s.name.clone(), s.version.clone()),
                None => (pkg.name.clone(), pkg.version.clone()),
            };
            vec![
                Query {
                    ecosystem: ecosystem.clone(),
                    name: src_name,
                    version: src_version,
                    binary: false,
                },
                Query {
                    ecosystem,
                    name: pkg.name.clone(),
                    version: pkg.version.clone(),
                    binary: true,
                },
            ]
        }
        PackageType::Library => {
            // Distros backport fixes without changing upstream versions:
            // a language package the OS installed is judged by the OS
            // package's advisories only.
            if pkg.owned_by.is_some() {
                return Vec::new();
            }
            let normalised = lookup_name(&ecosystem, &pkg.name);
            let mut names = vec![normalised];
            if names[0] != pkg.name {
                // Feeds imported before names were normalised keep the
                // spelling they published.
                names.push(pkg.name.clone());
            }
            names
                .into_iter()
                .map(|name| Query {
                    ecosystem: ecosystem.clone(),
                    name,
                    version: pkg.version.clone(),
                    binary: false,
                })
                .collect()
        }
    }
}

/// The finding `record` makes for `pkg`, if the installed version is affected.
fn evaluate(
    pkg: &Package,
    query: &Query,
    scheme: Scheme,
    record: &AffectedRecord,
    warnings: &mut Vec<Warning>,
) -> Option<Finding> {
    let advisory = &record.advisory;
    if advisory.withdrawn
        || record.fix_state == Some(FixState::NotAffected)
        || is_not_a_security_advisory(&advisory.id)
    {
        return None;
    }
    let (fixed_versions, fix_state) = if record.ranges.is_empty() && record.versions.is_empty() {
        // No ranges: an explicit open state (Debian tracker "open",
        // "no-dsa", "end-of-life", …) means every version is affected.
        match record.fix_state {
            Some(state) if state != FixState::Fixed => (Vec::new(), state),
            _ => return None,
        }
    } else {
        let rpm_ranges;
        let ranges = if pkg.format == "rpm" && !rpm_rules::names_module(record.module.as_deref()) {
            rpm_ranges = rpm_rules::ranges_for(pkg, &query.version, &record.ranges);
            if rpm_ranges.is_empty() && record.versions.is_empty() {
                return None;
            }
            &rpm_ranges
        } else {
            &record.ranges
        };
        match tidewatch_version::is_affected(scheme, &query.version, ranges, &record.versions) {
            Ok(verdict) if verdict.affected => {
                for e in &verdict.errors {
                    warnings.push(cannot_evaluate(pkg, record, e));
                }
                let state = if !verdict.fixed.is_empty() {
                    FixState::Fixed
                } else {
                    record.fix_state.unwrap_or(FixState::NotFixed)
                };
                (verdict.fixed, state)
            }
            Ok(_) => return None,
            Err(e) => {
                warnings.push(cannot_evaluate(pkg, record, &e));
                return None;
            }
        }
    };
    // Only a vendor's own word here; CVSS-derived severities are decided
    // in `enrich`, once every CVSS vector of the finding (the feed's and
    // NVD's) is known.
    let (severity, severity_source) =
        vendor_severity(record).map_or((Severity::Unknown, None), |(s, src)| (s, Some(src)));
    Some(Finding {
        id: advisory.id.clone(),
        aliases: advisory.aliases.clone(),
        package: PackageRef {
            name: pkg.name.clone(),
            version: pkg.version.clone(),
            ecosystem: pkg.ecosystem.clone(),
            purl: pkg.purl.clone(),
        },
        fixed_versions,
        fix_state,
        severity,
        severity_source,
        cvss: advisory.cvss.clone(),
        kev: false,
        epss: None,
        title: advisory.title.clone(),
        data_source: advisory.source.clone(),
        path: pkg.path().map(str::to_string),
        layer: pkg.layer(),
        vex_status: None,
    })
}

/// The vendor's severity for this package, when the feed gives one: the
/// per-package one (Debian urgency, Ubuntu priority, OSV
/// `ecosystem_specific`/`database_specific` severity or urgency) before
/// the advisory's (OSV `database_specific.severity`, an Ubuntu `severity`
/// entry, Red Hat's impact). An advisory severity the importer computed
/// from CVSS is not a vendor's and is left to `enrich`; so is UNKNOWN.
fn vendor_severity(record: &AffectedRecord) -> Option<(Severity, String)> {
    let advisory = &record.advisory;
    if let Some(s) = record.severity.filter(|s| *s != Severity::Unknown) {
        return Some((s, vendor_label(&advisory.source, &record.ecosystem)));
    }
    let s = advisory.severity.filter(|s| *s != Severity::Unknown)?;
    match advisory.severity_source.as_deref() {
        Some(src) if crate::enrich::is_cvss_derived(src) => None,
        Some(src) => Some((s, src.to_string())),
        None => Some((s, vendor_label(&advisory.source, &record.ecosystem))),
    }
}

/// `severity_source` for a per-package vendor severity: the distro, not
/// the file format it came in.
fn vendor_label(feed: &str, ecosystem: &str) -> String {
    let distro = ecosystem.split(':').next().unwrap_or_default();
    match feed {
        "debian-tracker" | "debian-oval" => "debian".into(),
        "ubuntu-oval" => "ubuntu".into(),
        "osv" if distro == "Debian" => "debian".into(),
        "osv" if distro == "Ubuntu" => "ubuntu".into(),
        other => other.to_string(),
    }
}

/// A range that could not be evaluated is a warning, never a silent
/// "not affected": the user must know the answer is incomplete.
fn cannot_evaluate(
    pkg: &Package,
    record: &AffectedRecord,
    e: &tidewatch_version::VersionError,
) -> Warning {
    Warning::new(
        pkg.path().unwrap_or(&pkg.name),
        format!(
            "{} {}: cannot evaluate {} ({}): {e}",
            pkg.name, pkg.version, record.advisory.id, record.ecosystem
        ),
    )
}

/// Distro errata also publish bug-fix and enhancement advisories (AlmaLinux
/// `ALBA`/`ALEA`, Rocky `RLBA`/`RLEA`, Red Hat `RHBA`/`RHEA`) in the same
/// feeds; an outdated package is not a vulnerability, so only security
/// advisories become findings.
fn is_not_a_security_advisory(id: &str) -> bool {
    ["ALBA-", "ALEA-", "RLBA-", "RLEA-", "RHBA-", "RHEA-"]
        .iter()
        .any(|p| id.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::is_not_a_security_advisory;

    #[test]
    fn bug_fix_and_enhancement_errata_are_not_findings() {
        assert!(is_not_a_security_advisory("ALBA-2022:0348"));
        assert!(is_not_a_security_advisory("RHEA-2020:1234"));
        assert!(!is_not_a_security_advisory("ALSA-2022:1565"));
        assert!(!is_not_a_security_advisory("CVE-2022-0001"));
    }
}
