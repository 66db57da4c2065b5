//! The rules that keep RPM matching honest (issue 4, grype#820's class of
//! false positives).
//!
//! **Third-party packages.** An rpm whose vendor is not the OS family's
//! (an EPEL-less vendor repo, a Microsoft or Google rpm on RHEL) is not
//! built by the distro; its advisories do not describe it. Such packages
//! are flagged and not matched against the distro's feeds. Red Hat,
//! CentOS, AlmaLinux, Rocky and Fedora count as one family (they rebuild
//! the same sources); SUSE/openSUSE, Amazon and Oracle are each their own.
//! A package without a vendor tag is trusted as the distro's.
//!
//! **Module streams.** A modular package (one with a `modularitylabel`,
//! `name:stream:version:context`) is only ever compared with fixes built
//! for a module, and a non-modular package only with non-modular fixes:
//! the version lines are independent (nodejs 16 from the `nodejs:16`
//! stream vs nodejs 18 from AppStream proper). Records that name their
//! module (Red Hat OVAL's "Module nodejs:18 is enabled") must name the
//! package's `name:stream`. AlmaLinux OSV has no stream field and lists
//! one fixed version per module build, so there a range applies to a
//! modular package only when its fixed release is modular (`.module`) and
//! its version is on the package's stream: it starts with a numeric
//! stream name (`mariadb:10.3` → `10.3.x`, `nodejs:18` → `18.x`) when the
//! installed version does too. The other packages of a module have version
//! lines of their own (npm 6.14 in `nodejs:10`, npm 10.x in `nodejs:20`):
//! when the installed release carries the stream's version as dotted
//! components (npm's `1.10.21.0.3.module…` in `nodejs:10`) a fix must carry
//! it at the same place (`1.10.24.0.1.module…`, not `1.20.8.1.1.module…`);
//! otherwise, and for streams not named by version, a fix must share the
//! installed version's leading component. Ranges with no fixed version
//! (still unfixed) apply to both kinds.
//!
//! **Build flavours.** Oracle Linux ships Ksplice user-space builds
//! (`2:1.1.1g-15.ksplice1.el8_3`), FIPS builds (`…_fips`) and the UEK
//! kernel line (`…el7uek`, whose advisories also list `perf` built from
//! UEK) under the same package names as the regular builds. They are
//! separate version lines: a package is compared only with fixed versions
//! of its own flavour (same `ksplice<N>` release component, both or
//! neither FIPS, both or neither UEK), as Trivy does for Ksplice and FIPS.
//!
//! **Architectures.** A record whose qualifier is `arch:<a>[,<b>…]` (a
//! feed that shipped different fixed builds per architecture, see the
//! db's `AffectedRecord::module`) applies to packages of those
//! architectures; `noarch` packages and packages of unknown architecture
//! are not excluded by it.
//!
//! **Epochs.** A missing epoch is 0 on both sides, which is rpm's own
//! rule (`rpm::compare`); feeds that write epochs (AlmaLinux, Red Hat
//! OVAL) spell them out, so nothing is guessed.

use tidewatch_types::{AffectedRange, Package, RangeEvent};

/// The vendor family an RPM ecosystem's packages come from.
fn family_vendors(ecosystem: &str) -> Option<&'static [&'static str]> {
    let base = ecosystem.split(':').next().unwrap_or(ecosystem);
    Some(match base {
        "Red Hat" | "AlmaLinux" | "Rocky Linux" | "Fedora" | "CentOS" => {
            &["red hat", "centos", "almalinux", "rocky", "fedora"]
        }
        "SUSE" | "openSUSE" => &["suse", "opensuse"],
        "Amazon Linux" => &["amazon"],
        "Oracle" => &["oracle"],
        "Azure Linux" => &["microsoft"],
        "Photon OS" => &["vmware", "broadcom"],
        _ => return None,
    })
}

/// True when an rpm's vendor is not its distro's family.
pub fn is_third_party(pkg: &Package) -> bool {
    if pkg.format != "rpm" {
        return false;
    }
    let (Some(ecosystem), Some(vendor)) = (&pkg.ecosystem, pkg.metadata.get("vendor")) else {
        return false;
    };
    let Some(vendors) = family_vendors(ecosystem) else {
        return false;
    };
    let vendor = vendor.to_ascii_lowercase();
    !vendors.iter().any(|v| vendor.contains(v))
}

/// The package's module stream (`nodejs:18`), when it is modular.
pub fn module_stream(pkg: &Package) -> Option<String> {
    let label = pkg.metadata.get("modularitylabel")?;
    let mut parts = label.split(':');
    let name = parts.next().filter(|s| !s.is_empty())?;
    let stream = parts.next().filter(|s| !s.is_empty())?;
    Some(format!("{name}:{stream}"))
}

/// The prefix of an architecture qualifier in a record's `module`.
const ARCH_PREFIX: &str = "arch:";

/// Whether a record with qualifier `module` (a module stream, or an
/// `arch:` list) may apply to the package.
pub fn module_applies(pkg: &Package, module: Option<&str>) -> bool {
    match module {
        Some(m) => match m.strip_prefix(ARCH_PREFIX) {
            Some(arches) => match pkg.arch.as_deref() {
                Some(a) if a != "noarch" => arches.split(',').any(|x| x == a),
                _ => true,
            },
            None => module_stream(pkg).as_deref() == Some(m),
        },
        None => true,
    }
}

/// Whether a record's qualifier names a module stream (rather than
/// nothing or an architecture).
pub fn names_module(module: Option<&str>) -> bool {
    module.is_some_and(|m| !m.starts_with(ARCH_PREFIX))
}

/// The build flavour of an rpm `[epoch:]version-release`: its Ksplice
/// component, and whether it is a FIPS or a UEK build.
fn flavour(evr: &str) -> (Option<&str>, bool, bool) {
    let release = without_epoch(evr).rsplit_once('-').map_or("", |(_, r)| r);
    let parts = || release.split(['.', '+']);
    let ksplice = parts().find(|p| p.starts_with("ksplice"));
    let fips = release.contains("_fips");
    let uek = parts().any(|p| p.starts_with("el") && p.ends_with("uek"));
    (ksplice, fips, uek)
}

/// The ranges of a module-less record that may apply to the package.
pub fn ranges_for(pkg: &Package, installed: &str, ranges: &[AffectedRange]) -> Vec<AffectedRange> {
    let stream = module_stream(pkg);
    let modular = stream.is_some();
    let line = stream
        .as_deref()
        .and_then(|s| s.split_once(':'))
        .map(|(_, st)| st)
        .filter(|st| st.starts_with(|c: char| c.is_ascii_digit()));
    let major = leading_component(installed);
    let kind = flavour(installed);
    // Only the stream's namesake follows the stream's numbering.
    let namesake = line.filter(|l| on_line(installed, l));
    let embedded = line
        .filter(|_| namesake.is_none())
        .and_then(|l| embedded_at(installed, l).map(|i| (l, i)));
    ranges
        .iter()
        .filter(|r| {
            let fixed: Vec<&str> = r
                .events
                .iter()
                .filter_map(|e| match e {
                    RangeEvent::Fixed(v) => Some(v.as_str()),
                    _ => None,
                })
                .collect();
            if fixed.is_empty() {
                return true;
            }
            fixed.iter().any(|v| {
                if flavour(v) != kind {
                    return false;
                }
                let is_modular = v.contains(".module");
                if modular {
                    is_modular
                        && match (namesake, embedded) {
                            (Some(line), _) => on_line(v, line),
                            (None, Some((line, at))) => embedded_at(v, line) == Some(at),
                            (None, None) => leading_component(v) == major,
                        }
                } else {
                    !is_modular
                }
            })
        })
        .cloned()
        .collect()
}

/// Whether `evr`'s version is `line` or continues it (`10.3.39` on `10.3`).
fn on_line(evr: &str, line: &str) -> bool {
    without_epoch(evr)
        .strip_prefix(line)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '-', '_', '~', '+']))
}

/// Where `line`'s components (`10`, `10.3`) sit, as a run of dotted
/// components after the first, in `evr`'s release before its module part:
/// `1:6.14.4-1.10.21.0.3.module_el8…` on `10` → 1.
fn embedded_at(evr: &str, line: &str) -> Option<usize> {
    let release = without_epoch(evr).rsplit_once('-')?.1;
    let base = release.split(".module").next().unwrap_or(release);
    let parts: Vec<&str> = base.split('.').collect();
    let want: Vec<&str> = line.split('.').collect();
    (1..parts.len()).find(|&i| parts.get(i..i + want.len()) == Some(want.as_slice()))
}

fn without_epoch(evr: &str) -> &str {
    match evr.split_once(':') {
        Some((e, rest)) if e.chars().all(|c| c.is_ascii_digit()) => rest,
        _ => evr,
    }
}

/// `3:10.3.39-1.module_el8` → `10`; `18.19.0-1` → `18`.
fn leading_component(evr: &str) -> &str {
    let no_epoch = without_epoch(evr);
    no_epoch
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or(no_epoch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tidewatch_types::PackageType;

    fn rpm(name: &str, version: &str, vendor: Option<&str>, label: Option<&str>) -> Package {
        let mut p = Package::new(name, version, "rpm", PackageType::Os);
        p.ecosystem = Some("AlmaLinux:8".into());
        if let Some(v) = vendor {
            p.metadata.insert("vendor".into(), v.into());
        }
        if let Some(l) = label {
            p.metadata.insert("modularitylabel".into(), l.into());
        }
        p
    }

    fn range(fixed: &str) -> AffectedRange {
        AffectedRange::ecosystem(vec![
            RangeEvent::Introduced("0".into()),
            RangeEvent::Fixed(fixed.into()),
        ])
    }

    #[test]
    fn vendors_of_the_family_are_not_third_party() {
        assert!(!is_third_party(&rpm(
            "bash",
            "4.4",
            Some("AlmaLinux"),
            None
        )));
        assert!(!is_third_party(&rpm(
            "bash",
            "4.4",
            Some("Red Hat, Inc."),
            None
        )));
        assert!(!is_third_party(&rpm("bash", "4.4", None, None)));
        assert!(is_third_party(&rpm(
            "code",
            "1.0",
            Some("Microsoft Corporation"),
            None
        )));
        let mut suse = rpm("bash", "4.4", Some("Red Hat, Inc."), None);
        suse.ecosystem = Some("SUSE:Linux Enterprise Server 15".into());
        assert!(is_third_party(&suse));
    }

    #[test]
    fn modular_packages_see_only_their_streams_fixes() {
        // grype#820: mariadb 10.3 from the module must not be judged by a
        // non-modular (or another stream's) fixed version, and vice versa.
        let ranges = vec![
            range("3:10.3.39-1.module_el8.8.0+3609+204d4ab0"),
            range("3:10.5.22-1.module_el8.9.0+3702+fdbba6b9"),
            range("3:10.11.6-1.el8"),
        ];
        let modular = rpm(
            "mariadb",
            "3:10.3.28-1.module_el8.3.0+2177+7adc332a",
            Some("AlmaLinux"),
            Some("mariadb:10.3:8030020210304180624:b4a3e5c5"),
        );
        let kept = ranges_for(&modular, &modular.version, &ranges);
        assert_eq!(kept, vec![ranges[0].clone()]);
        let plain = rpm("mariadb", "3:10.11.5-1.el8", Some("AlmaLinux"), None);
        assert_eq!(
            ranges_for(&plain, &plain.version, &ranges),
            vec![ranges[2].clone()]
        );
        let unfixed = AffectedRange::ecosystem(vec![RangeEvent::Introduced("0".into())]);
        assert_eq!(
            ranges_for(&plain, &plain.version, std::slice::from_ref(&unfixed)),
            vec![unfixed]
        );
    }

    #[test]
    fn other_packages_of_a_module_follow_their_own_line() {
        // npm from nodejs:10 (AlmaLinux 8): ALSA-2021:0735's nodejs:10 npm
        // build applies; ALSA-2023:7205's nodejs:20 npm 10.1.0 is on the
        // "10" line only by accident, and nodejs:12's npm 6.14 is another
        // stream's build.
        let ranges = vec![
            range("1:6.14.11-1.10.24.0.1.module_el8.3.0+2047+b07ac28e"),
            range("1:10.1.0-1.20.8.1.1.module_el8.9.0+3675+0258a6d9"),
            range("1:6.14.14-1.12.22.5.1.module_el8.4.0+2529+af52a4c7"),
        ];
        let npm = rpm(
            "npm",
            "1:6.14.4-1.10.21.0.3.module_el8.2.0+391+8da3adc6",
            None,
            Some("nodejs:10:8020020200707141642:6a468ee4"),
        );
        assert_eq!(
            ranges_for(&npm, &npm.version, &ranges),
            vec![ranges[0].clone()]
        );
        // The namesake itself still follows the stream's numbering.
        let node = rpm(
            "nodejs",
            "1:10.21.0-3.module_el8.2.0+391+8da3adc6",
            None,
            Some("nodejs:10:8020020200707141642:6a468ee4"),
        );
        let node_ranges = vec![
            range("1:10.24.0-1.module_el8.3.0+2047+b07ac28e"),
            range("1:12.22.5-1.module_el8.4.0+2529+af52a4c7"),
        ];
        assert_eq!(
            ranges_for(&node, &node.version, &node_ranges),
            vec![node_ranges[0].clone()]
        );
        // A module member without the stream in its release: leading
        // component (galera 25.x in mariadb:10.3).
        let galera = rpm(
            "galera",
            "25.3.31-1.module_el8.3.0+2177+7adc332a",
            None,
            Some("mariadb:10.3:8030020210304180624:b4a3e5c5"),
        );
        let galera_ranges = vec![
            range("25.3.37-1.module_el8.7.0+3355+2bd2d5e8"),
            range("26.4.14-1.module_el8.8.0+3583+2db56a31"),
        ];
        assert_eq!(
            ranges_for(&galera, &galera.version, &galera_ranges),
            vec![galera_ranges[0].clone()]
        );
        assert_eq!(
            embedded_at("1:6.14.4-1.10.21.0.3.module_el8", "10"),
            Some(1)
        );
        assert_eq!(embedded_at("3:10.3.28-1.module_el8", "10.3"), None);
    }

    #[test]
    fn oracle_build_flavours_see_only_their_own_fixes() {
        let ranges = vec![
            range("2:1.1.1g-15.ksplice1.el8_3"),
            range("1:1.1.1g-15.0.1.el8_3"),
        ];
        let mut plain = rpm("openssl-libs", "1:1.1.1g-12.el8_3", None, None);
        plain.ecosystem = Some("Oracle:8".into());
        assert_eq!(
            ranges_for(&plain, &plain.version, &ranges),
            vec![ranges[1].clone()]
        );
        let ksplice = rpm("openssl-libs", "2:1.1.1g-12.ksplice1.el8_3", None, None);
        assert_eq!(
            ranges_for(&ksplice, &ksplice.version, &ranges),
            vec![ranges[0].clone()]
        );
        // ELSA-2019-4820 lists perf with the UEK version: not the RHCK perf.
        let uek = [range("4.14.35-1902.6.6.el7uek")];
        let perf = rpm("perf", "3.10.0-1160.el7", None, None);
        assert!(ranges_for(&perf, &perf.version, &uek).is_empty());
        let kernel_uek = rpm("kernel-uek", "4.14.35-1902.3.1.el7uek", None, None);
        assert_eq!(ranges_for(&kernel_uek, &kernel_uek.version, &uek).len(), 1);
        let fips = [range("10:3.6.16-4.0.1.el8_fips")];
        let gnutls = rpm("gnutls", "3.6.16-4.el8", None, None);
        assert!(ranges_for(&gnutls, &gnutls.version, &fips).is_empty());
    }

    #[test]
    fn arch_qualified_records_apply_to_their_arches() {
        let mut p = rpm("rsyslog", "8.24.0-57.0.1.el7_9.3", None, None);
        p.arch = Some("x86_64".into());
        assert!(module_applies(&p, Some("arch:x86_64")));
        assert!(module_applies(&p, Some("arch:aarch64,x86_64")));
        assert!(!module_applies(&p, Some("arch:aarch64")));
        assert!(!names_module(Some("arch:aarch64")));
        assert!(names_module(Some("nodejs:18")));
        p.arch = Some("noarch".into());
        assert!(module_applies(&p, Some("arch:aarch64")));
        p.arch = None;
        assert!(module_applies(&p, Some("arch:aarch64")));
    }

    #[test]
    fn records_naming_a_module_apply_to_that_stream_only() {
        let p = rpm(
            "nodejs",
            "1:18.19.0-1.module_el8",
            None,
            Some("nodejs:18:8090:abc"),
        );
        assert!(module_applies(&p, Some("nodejs:18")));
        assert!(!module_applies(&p, Some("nodejs:16")));
        assert!(module_applies(&p, None));
        let plain = rpm("nodejs", "1:18.19.0-1.el8", None, None);
        assert!(!module_applies(&plain, Some("nodejs:18")));
    }
}
