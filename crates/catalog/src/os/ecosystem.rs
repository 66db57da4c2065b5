//! The vulnerability-data ecosystem an OS release's packages are matched in.
//!
//! Strings follow OSV's ecosystem list (ossf/osv-schema `ecosystems.json`)
//! wherever OSV has the distro, always scoped to one release: a package of
//! Debian 12 is never matched against `Debian` records of no release.
//! The DB importers of feeds that are not OSV (secdb, OVAL, ALAS, CSAF…)
//! write the same strings, so this module is the one place both sides
//! agree on. The conventions:
//!
//! | OS (`OsInfo.family`)        | ecosystem                          |
//! |-----------------------------|------------------------------------|
//! | alpine 3.18.9               | `Alpine:v3.18` (edge: `Alpine:edge`) |
//! | debian 12.5                 | `Debian:12`; testing/unstable by codename (`trixie/sid` → `Debian:13`), `sid` → `Debian:sid` |
//! | ubuntu 22.04                | `Ubuntu:22.04:LTS` (even year, April); `Ubuntu:23.10` otherwise |
//! | wolfi, chainguard           | `Wolfi`, `Chainguard` (rolling, unversioned) |
//! | almalinux 9.4               | `AlmaLinux:9`                      |
//! | rocky 9.3                   | `Rocky Linux:9`                    |
//! | rhel 9.4, centos 7 / Stream | `Red Hat:enterprise_linux:9`       |
//! | ol 8.10                     | `Oracle:8`                         |
//! | amzn 2 / 2023 / 2018.03     | `Amazon Linux:2` / `:2023` / `:1`  |
//! | fedora 39                   | `Fedora:39`                        |
//! | sles 15.3                   | `SUSE:Linux Enterprise Server 15 SP3` |
//! | sle-micro 5.3               | `SUSE:Linux Enterprise Micro 5.3`  |
//! | opensuse-leap 15.5          | `openSUSE:Leap 15.5`               |
//! | opensuse-tumbleweed         | `openSUSE:Tumbleweed`              |
//! | photon 5.0                  | `Photon OS:5.0`                    |
//! | azurelinux 3.0, mariner 2.0 | `Azure Linux:3.0`, `Azure Linux:2.0` |
//!
//! **Red Hat.** OSV's `Red Hat` suffix is a product CPE without its
//! `cpe:/[oa]:redhat:` prefix (`Red Hat:enterprise_linux:9::appstream`).
//! An image does not say which repository (BaseOS, AppStream, CRB…) a
//! package came from, so tidewatch scopes to the product and major
//! release only: `Red Hat:enterprise_linux:<major>`. Importers of Red Hat
//! OSV, OVAL and CSAF data map every `enterprise_linux:<major>[.minor]::*`
//! CPE to this string; the CSAF importer leaves the `rhel_eus` /
//! `rhel_aus` / `rhel_e4s` / `rhel_tus` streams out, since their fixes are
//! on other version lines (an image's content sets say when it is on one,
//! see `content_sets`). CentOS Linux and CentOS Stream, rebuilds of RHEL that have
//! no advisories of their own, are matched against it too, as Grype and
//! Trivy do.
//!
//! **SUSE / openSUSE.** OSV's suffix is the product's marketing name
//! without the vendor word, as SUSE's own OSV records spell it. SUSE files
//! most SLES fixes under modules (`SUSE:Linux Enterprise Module for
//! Basesystem 15 SP5`); the SUSE CVRF and OSV importers fold modules and
//! the SAP/LTSS/SDK products into the SLES string above (see the db's
//! `feeds/suse_cvrf.rs`).
//! Oracle, Amazon and Fedora are not OSV ecosystems; their importers (ELSA
//! OVAL, ALAS) use the strings above.

use crate::os::eol;
use crate::os::release::{major, major_minor};
use tidewatch_types::OsInfo;

/// The ecosystem string the matcher queries for `os`'s packages, or `None`
/// when tidewatch has no vulnerability data convention for that OS or the
/// release cannot be told (no version).
pub fn ecosystem(os: &OsInfo) -> Option<String> {
    let v = os.version.trim();
    let numeric = |s: &str| !s.is_empty() && s.chars().next().is_some_and(|c| c.is_ascii_digit());
    let need = |s: &str| {
        if numeric(s) {
            Some(s.to_string())
        } else {
            None
        }
    };
    Some(match os.family.as_str() {
        "alpine" => {
            if v.contains("_alpha") || v.contains("edge") {
                "Alpine:edge".to_string()
            } else {
                format!(
                    "Alpine:v{}",
                    need(major_minor(v)).filter(|m| m.contains('.'))?
                )
            }
        }
        "debian" => {
            if numeric(v) {
                format!("Debian:{}", major(v))
            } else {
                // Testing/unstable: `trixie/sid`, or a codename alone.
                let code = os
                    .codename
                    .clone()
                    .or_else(|| v.split('/').next().map(str::to_string))
                    .filter(|c| !c.is_empty())?;
                if code == "sid" {
                    "Debian:sid".to_string()
                } else {
                    format!("Debian:{}", eol::debian_release_of_codename(&code)?)
                }
            }
        }
        "ubuntu" => {
            let line = need(major_minor(v))?;
            let (year, month) = line.split_once('.')?;
            let year: u32 = year.parse().ok()?;
            if month == "04" && year.is_multiple_of(2) {
                format!("Ubuntu:{line}:LTS")
            } else {
                format!("Ubuntu:{line}")
            }
        }
        "wolfi" => "Wolfi".to_string(),
        "chainguard" => "Chainguard".to_string(),
        "almalinux" => format!("AlmaLinux:{}", need(major(v))?),
        "rocky" => format!("Rocky Linux:{}", need(major(v))?),
        "rhel" | "centos" => format!("Red Hat:enterprise_linux:{}", need(major(v))?),
        "ol" => format!("Oracle:{}", need(major(v))?),
        "amzn" => {
            let m = need(major(v))?;
            if m.len() == 4 && m != "2023" && m.starts_with("20") && v.contains('.') {
                "Amazon Linux:1".to_string()
            } else {
                format!("Amazon Linux:{m}")
            }
        }
        "fedora" => format!("Fedora:{}", need(major(v))?),
        "sles" => {
            let m = need(major(v))?;
            let sp = v
                .strip_prefix(m.as_str())
                .and_then(|r| r.strip_prefix('.'))
                .map(major)
                .filter(|s| !s.is_empty() && *s != "0");
            match sp {
                Some(sp) => format!("SUSE:Linux Enterprise Server {m} SP{sp}"),
                None => format!("SUSE:Linux Enterprise Server {m}"),
            }
        }
        "sle-micro" | "sl-micro" => {
            let line = need(major_minor(v))?;
            if os.family == "sl-micro" {
                format!("SUSE:Linux Micro {line}")
            } else {
                format!("SUSE:Linux Enterprise Micro {line}")
            }
        }
        "opensuse-leap" => format!("openSUSE:Leap {}", need(major_minor(v))?),
        "opensuse-tumbleweed" => "openSUSE:Tumbleweed".to_string(),
        "photon" => {
            let line = need(major_minor(v))?;
            if line.contains('.') {
                format!("Photon OS:{line}")
            } else {
                format!("Photon OS:{line}.0")
            }
        }
        "azurelinux" | "mariner" => {
            let line = need(major_minor(v))?;
            if line.contains('.') {
                format!("Azure Linux:{line}")
            } else {
                format!("Azure Linux:{line}.0")
            }
        }
        _ => return None,
    })
}

/// Whether packages of `format` (`deb`, `apk`, `rpm`) are the native
/// packages of `os`, so that `os`'s ecosystem applies to them. A dpkg
/// database on an Alpine image (or the reverse) is listed but not matched.
pub fn native_format(os: &OsInfo, format: &str) -> bool {
    match format {
        "deb" => matches!(os.family.as_str(), "debian" | "ubuntu"),
        "apk" => matches!(os.family.as_str(), "alpine" | "wolfi" | "chainguard"),
        "rpm" => matches!(
            os.family.as_str(),
            "rhel"
                | "centos"
                | "almalinux"
                | "rocky"
                | "ol"
                | "amzn"
                | "fedora"
                | "sles"
                | "sle-micro"
                | "sl-micro"
                | "opensuse-leap"
                | "opensuse-tumbleweed"
                | "photon"
                | "azurelinux"
                | "mariner"
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eco(family: &str, version: &str) -> Option<String> {
        ecosystem(&OsInfo {
            family: family.into(),
            version: version.into(),
            ..OsInfo::default()
        })
    }

    #[test]
    fn osv_spellings() {
        let cases = [
            ("alpine", "3.18.9", "Alpine:v3.18"),
            ("alpine", "3.19_alpha20230901", "Alpine:edge"),
            ("debian", "12.5", "Debian:12"),
            ("debian", "trixie/sid", "Debian:13"),
            ("debian", "sid", "Debian:sid"),
            ("ubuntu", "22.04", "Ubuntu:22.04:LTS"),
            ("ubuntu", "23.10", "Ubuntu:23.10"),
            ("ubuntu", "23.04", "Ubuntu:23.04"),
            ("wolfi", "20230201", "Wolfi"),
            ("chainguard", "", "Chainguard"),
            ("almalinux", "9.4", "AlmaLinux:9"),
            ("rocky", "9.3", "Rocky Linux:9"),
            ("rhel", "9.4", "Red Hat:enterprise_linux:9"),
            ("centos", "7.6.1810", "Red Hat:enterprise_linux:7"),
            ("ol", "8.10", "Oracle:8"),
            ("amzn", "2", "Amazon Linux:2"),
            ("amzn", "2023", "Amazon Linux:2023"),
            ("amzn", "2018.03", "Amazon Linux:1"),
            ("fedora", "39", "Fedora:39"),
            ("sles", "15.3", "SUSE:Linux Enterprise Server 15 SP3"),
            ("sles", "15", "SUSE:Linux Enterprise Server 15"),
            ("opensuse-leap", "15.5", "openSUSE:Leap 15.5"),
            ("opensuse-tumbleweed", "20220412", "openSUSE:Tumbleweed"),
            ("photon", "5.0", "Photon OS:5.0"),
            ("azurelinux", "3.0", "Azure Linux:3.0"),
            ("mariner", "2.0", "Azure Linux:2.0"),
        ];
        for (f, v, want) in cases {
            assert_eq!(eco(f, v).as_deref(), Some(want), "{f} {v}");
        }
    }

    #[test]
    fn unknown_or_versionless_is_none() {
        assert_eq!(eco("arch", ""), None);
        assert_eq!(eco("alpine", ""), None);
        assert_eq!(eco("alpine", "3"), None);
        assert_eq!(eco("debian", ""), None);
        assert_eq!(eco("ubuntu", "x"), None);
        assert_eq!(eco("rhel", ""), None);
    }
}
