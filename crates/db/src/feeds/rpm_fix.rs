//! Shared by the RPM vendor feeds (ALAS, ELSA OVAL, SUSE CVRF): turning
//! the fixed builds an advisory lists per architecture into affected
//! records.
//!
//! A vendor usually ships one fixed `epoch:version-release` for every
//! architecture, and then one record per package says so. When the
//! architectures got different builds (Oracle's aarch64 rebuilds carry
//! their own release numbers), each build is recorded with the
//! architectures it is for, as `module = "arch:aarch64"` (see
//! `AffectedRecord::module`): reporting the union would flag the x86_64
//! package between the two fixes, taking the lowest would hide the
//! aarch64 one.

use super::{NewAffected, fixed_range};
use std::collections::BTreeMap;
use tidewatch_types::{AffectedRange, RangeEvent, Severity};

/// The prefix of an architecture qualifier in `NewAffected::module`.
pub(crate) const ARCH_PREFIX: &str = "arch:";

/// `epoch:version-release`, without a `0:` epoch (rpm orders a missing
/// epoch as 0, and the catalog writes installed versions that way).
pub(crate) fn evr(epoch: Option<&str>, version: &str, release: &str) -> String {
    match epoch.map(str::trim).filter(|e| !e.is_empty() && *e != "0") {
        Some(e) => format!("{e}:{version}-{release}"),
        None => format!("{version}-{release}"),
    }
}

/// A vendor's severity word: `None` for the words that mean "not rated"
/// (Oracle writes `N/A`), an error for a word that is no severity.
pub(crate) fn vendor_severity(word: &str) -> Result<Option<Severity>, String> {
    let w = word.trim();
    if w.is_empty()
        || ["n/a", "na", "not set", "unknown"].contains(&w.to_ascii_lowercase().as_str())
    {
        return Ok(None);
    }
    w.parse::<Severity>()
        .map(Some)
        .map_err(|_| format!("unknown severity {w:?}"))
}

/// Collects the fixed builds of one package in one ecosystem.
#[derive(Default)]
pub(crate) struct Fixes {
    /// package → fixed evr → architectures (`None`: no architecture given).
    by_package: BTreeMap<String, BTreeMap<String, Vec<Option<String>>>>,
}

impl Fixes {
    pub fn add(&mut self, package: &str, evr: &str, arch: Option<&str>) {
        let arches = self
            .by_package
            .entry(package.to_string())
            .or_default()
            .entry(evr.to_string())
            .or_default();
        let arch = arch
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string);
        if !arches.contains(&arch) {
            arches.push(arch);
        }
    }

    /// The records, with `range` turning a fixed evr into the affected
    /// range (usually [`fixed_range`]).
    pub fn into_affected(
        self,
        ecosystem: &str,
        binary: bool,
        range: impl Fn(&str, &str) -> AffectedRange,
    ) -> Vec<NewAffected> {
        let mut out = Vec::new();
        for (package, builds) in self.by_package {
            let qualify = builds.len() > 1;
            for (evr, arches) in builds {
                let mut f = NewAffected::new(ecosystem, &package);
                f.binary_package = binary;
                f.ranges.push(range(&package, &evr));
                if qualify && arches.iter().all(Option::is_some) {
                    let mut names: Vec<&str> =
                        arches.iter().flatten().map(String::as_str).collect();
                    names.sort_unstable();
                    f.module = Some(format!("{ARCH_PREFIX}{}", names.join(",")));
                }
                out.push(f);
            }
        }
        out
    }
}

/// The plain "fixed in `evr`" range.
pub(crate) fn plain(_package: &str, evr: &str) -> AffectedRange {
    fixed_range(evr)
}

/// "Affected from `introduced` until `fixed`".
pub(crate) fn between(introduced: &str, fixed: &str) -> AffectedRange {
    AffectedRange::ecosystem(vec![
        RangeEvent::Introduced(introduced.to_string()),
        RangeEvent::Fixed(fixed.to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_build_for_all_arches_is_one_record() {
        let mut f = Fixes::default();
        f.add("rsyslog", "8.24.0-57.el7", Some("x86_64"));
        f.add("rsyslog", "8.24.0-57.el7", Some("aarch64"));
        let recs = f.into_affected("Oracle:7", true, plain);
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].module, None);
        assert!(recs[0].binary_package);
    }

    #[test]
    fn per_arch_builds_are_qualified() {
        let mut f = Fixes::default();
        f.add("rsyslog", "8.24.0-57.0.1.el7_9.3", Some("x86_64"));
        f.add("rsyslog", "8.24.0-57.0.4.el7_9.3", Some("aarch64"));
        let recs = f.into_affected("Oracle:7", true, plain);
        let mods: Vec<_> = recs.iter().map(|r| r.module.as_deref()).collect();
        assert_eq!(mods, [Some("arch:x86_64"), Some("arch:aarch64")]);
    }

    #[test]
    fn vendor_severity_words() {
        assert_eq!(vendor_severity("IMPORTANT"), Ok(Some(Severity::High)));
        assert_eq!(vendor_severity("moderate"), Ok(Some(Severity::Medium)));
        assert_eq!(vendor_severity("N/A"), Ok(None));
        assert_eq!(vendor_severity(""), Ok(None));
        assert!(vendor_severity("dreadful").is_err());
    }

    #[test]
    fn zero_epochs_are_dropped() {
        assert_eq!(evr(Some("0"), "1.2", "3.el9"), "1.2-3.el9");
        assert_eq!(evr(None, "1.2", "3.el9"), "1.2-3.el9");
        assert_eq!(evr(Some("10"), "1.5.3", "141"), "10:1.5.3-141");
    }
}
