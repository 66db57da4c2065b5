//! End-of-life dates of the OS releases tidewatch knows, and the release
//! codenames that go with them.
//!
//! A release past its end of life gets no more security fixes, so an image
//! built on one carries every vulnerability found since, whatever its
//! advisories say; the scan warns about it (DESIGN §1.3).
//!
//! Sources (read 2025; dates the vendor gives only to the month use the
//! first of that month, as endoflife.date does):
//! - Alpine: end of security support per branch, alpinelinux.org/releases.
//! - Debian: end of LTS, wiki.debian.org/LTS (the security tracker keeps
//!   covering a release through LTS, so that is when fixes stop).
//! - Ubuntu: end of standard support, wiki.ubuntu.com/Releases (ESM needs
//!   Ubuntu Pro, which a plain image does not have).
//! - RHEL, AlmaLinux, Rocky, CentOS, Oracle Linux: end of maintenance /
//!   full support, from each vendor's lifecycle page.
//! - Fedora: fedorapeople.org/groups/schedule; Amazon Linux: aws.amazon.com
//!   FAQs; SLES and openSUSE Leap: suse.com/lifecycle and en.opensuse.org
//!   Lifetime.
//!
//! Releases not in the table are never called end-of-life: a missing row
//! must not invent a warning.

use crate::os::release::{major, major_minor};
use jiff::civil::Date;
use tidewatch_types::OsInfo;

/// One row: family, release line, codename, end of life (`YYYY-MM-DD`).
type Row = (&'static str, &'static str, &'static str, &'static str);

#[rustfmt::skip]
const TABLE: &[Row] = &[
    ("alpine", "2.6", "", "2015-05-01"), ("alpine", "2.7", "", "2015-11-01"),
    ("alpine", "3.0", "", "2016-05-01"), ("alpine", "3.1", "", "2016-11-01"),
    ("alpine", "3.2", "", "2017-05-01"), ("alpine", "3.3", "", "2017-11-01"),
    ("alpine", "3.4", "", "2018-05-01"), ("alpine", "3.5", "", "2018-11-01"),
    ("alpine", "3.6", "", "2019-05-01"), ("alpine", "3.7", "", "2019-11-01"),
    ("alpine", "3.8", "", "2020-05-01"), ("alpine", "3.9", "", "2020-11-01"),
    ("alpine", "3.10", "", "2021-05-01"), ("alpine", "3.11", "", "2021-11-01"),
    ("alpine", "3.12", "", "2022-05-01"), ("alpine", "3.13", "", "2022-11-01"),
    ("alpine", "3.14", "", "2023-05-01"), ("alpine", "3.15", "", "2023-11-01"),
    ("alpine", "3.16", "", "2024-05-23"), ("alpine", "3.17", "", "2024-11-22"),
    ("alpine", "3.18", "", "2025-05-09"), ("alpine", "3.19", "", "2025-11-01"),
    ("alpine", "3.20", "", "2026-04-01"), ("alpine", "3.21", "", "2026-11-01"),
    ("alpine", "3.22", "", "2027-05-01"),

    ("debian", "6", "squeeze", "2016-02-29"), ("debian", "7", "wheezy", "2018-05-31"),
    ("debian", "8", "jessie", "2020-06-30"), ("debian", "9", "stretch", "2022-06-30"),
    ("debian", "10", "buster", "2024-06-30"), ("debian", "11", "bullseye", "2026-08-31"),
    ("debian", "12", "bookworm", "2028-06-30"), ("debian", "13", "trixie", "2030-06-30"),
    ("debian", "14", "forky", ""),

    ("ubuntu", "10.04", "lucid", "2015-04-30"), ("ubuntu", "12.04", "precise", "2017-04-28"),
    ("ubuntu", "12.10", "quantal", "2014-05-16"), ("ubuntu", "13.04", "raring", "2014-01-27"),
    ("ubuntu", "13.10", "saucy", "2014-07-17"), ("ubuntu", "14.04", "trusty", "2019-04-25"),
    ("ubuntu", "14.10", "utopic", "2015-07-23"), ("ubuntu", "15.04", "vivid", "2016-02-04"),
    ("ubuntu", "15.10", "wily", "2016-07-28"), ("ubuntu", "16.04", "xenial", "2021-04-30"),
    ("ubuntu", "16.10", "yakkety", "2017-07-20"), ("ubuntu", "17.04", "zesty", "2018-01-13"),
    ("ubuntu", "17.10", "artful", "2018-07-19"), ("ubuntu", "18.04", "bionic", "2023-05-31"),
    ("ubuntu", "18.10", "cosmic", "2019-07-18"), ("ubuntu", "19.04", "disco", "2020-01-23"),
    ("ubuntu", "19.10", "eoan", "2020-07-17"), ("ubuntu", "20.04", "focal", "2025-05-29"),
    ("ubuntu", "20.10", "groovy", "2021-07-22"), ("ubuntu", "21.04", "hirsute", "2022-01-20"),
    ("ubuntu", "21.10", "impish", "2022-07-14"), ("ubuntu", "22.04", "jammy", "2027-04-01"),
    ("ubuntu", "22.10", "kinetic", "2023-07-20"), ("ubuntu", "23.04", "lunar", "2024-01-25"),
    ("ubuntu", "23.10", "mantic", "2024-07-11"), ("ubuntu", "24.04", "noble", "2029-04-01"),
    ("ubuntu", "24.10", "oracular", "2025-07-10"), ("ubuntu", "25.04", "plucky", "2026-01-01"),
    ("ubuntu", "25.10", "questing", "2026-07-01"),

    ("rhel", "5", "tikanga", "2017-03-31"), ("rhel", "6", "santiago", "2020-11-30"),
    ("rhel", "7", "maipo", "2024-06-30"), ("rhel", "8", "ootpa", "2029-05-31"),
    ("rhel", "9", "plow", "2032-05-31"), ("rhel", "10", "coughlan", "2035-05-31"),
    ("almalinux", "8", "", "2029-03-01"), ("almalinux", "9", "", "2032-05-31"),
    ("almalinux", "10", "", "2035-05-31"),
    ("rocky", "8", "", "2029-05-31"), ("rocky", "9", "", "2032-05-31"),
    ("rocky", "10", "", "2035-05-31"),
    ("centos", "5", "", "2017-03-31"), ("centos", "6", "", "2020-11-30"),
    ("centos", "7", "", "2024-06-30"), ("centos", "8", "", "2021-12-31"),
    ("centos-stream", "8", "", "2024-05-31"), ("centos-stream", "9", "", "2027-05-31"),
    ("centos-stream", "10", "", "2030-01-01"),
    ("ol", "5", "", "2017-06-30"), ("ol", "6", "", "2021-03-01"),
    ("ol", "7", "", "2024-12-31"), ("ol", "8", "", "2029-07-01"),
    ("ol", "9", "", "2032-06-01"),

    ("fedora", "29", "", "2019-11-26"), ("fedora", "30", "", "2020-05-26"),
    ("fedora", "31", "", "2020-11-24"), ("fedora", "32", "", "2021-05-25"),
    ("fedora", "33", "", "2021-11-30"), ("fedora", "34", "", "2022-06-07"),
    ("fedora", "35", "", "2022-12-13"), ("fedora", "36", "", "2023-05-16"),
    ("fedora", "37", "", "2023-12-05"), ("fedora", "38", "", "2024-05-21"),
    ("fedora", "39", "", "2024-11-26"), ("fedora", "40", "", "2025-05-13"),
    ("fedora", "41", "", "2025-12-15"),

    ("amzn", "1", "", "2023-12-31"), ("amzn", "2", "", "2026-06-30"),
    ("amzn", "2023", "", "2029-06-30"),

    ("sles", "11", "", "2019-03-31"), ("sles", "12", "", "2024-10-31"),
    ("sles", "15", "", "2031-07-31"),
    ("opensuse-leap", "42.3", "", "2019-07-01"), ("opensuse-leap", "15.0", "", "2019-12-03"),
    ("opensuse-leap", "15.1", "", "2021-01-31"), ("opensuse-leap", "15.2", "", "2021-12-31"),
    ("opensuse-leap", "15.3", "", "2022-12-31"), ("opensuse-leap", "15.4", "", "2023-12-31"),
    ("opensuse-leap", "15.5", "", "2024-12-31"), ("opensuse-leap", "15.6", "", "2026-04-30"),
];

/// Today's date in UTC.
pub fn today() -> Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// The table's family and release line for `os`: how each distro numbers
/// the releases it supports as one line (`3.18` of Alpine `3.18.9`, `12`
/// of Debian `12.5`, `22.04` of Ubuntu, `8` of Rocky `8.9`).
fn line(os: &OsInfo) -> Option<(&'static str, String)> {
    let v = os.version.as_str();
    Some(match os.family.as_str() {
        "alpine" => ("alpine", major_minor(v).to_string()),
        "debian" => ("debian", major(v).to_string()),
        "ubuntu" => ("ubuntu", major_minor(v).to_string()),
        "rhel" => ("rhel", major(v).to_string()),
        "almalinux" => ("almalinux", major(v).to_string()),
        "rocky" => ("rocky", major(v).to_string()),
        "centos" if is_centos_stream(os) => ("centos-stream", major(v).to_string()),
        "centos" => ("centos", major(v).to_string()),
        "ol" => ("ol", major(v).to_string()),
        "fedora" => ("fedora", major(v).to_string()),
        // Amazon Linux 1 releases were named by date (2018.03).
        "amzn" if v.starts_with("20") && v.contains('.') => ("amzn", "1".to_string()),
        "amzn" => ("amzn", major(v).to_string()),
        "sles" => ("sles", major(v).to_string()),
        "opensuse-leap" => ("opensuse-leap", major_minor(v).to_string()),
        _ => return None,
    })
}

/// CentOS Stream says `ID=centos` like CentOS Linux; only its name differs.
pub(crate) fn is_centos_stream(os: &OsInfo) -> bool {
    os.name
        .as_deref()
        .is_some_and(|n| n.to_ascii_lowercase().contains("stream"))
}

fn row(os: &OsInfo) -> Option<&'static Row> {
    let (family, line) = line(os)?;
    TABLE.iter().find(|r| r.0 == family && r.1 == line)
}

/// The codename of a Debian or Ubuntu release (`bookworm` for `12.5`),
/// when the table has one.
pub fn codename(family: &str, version: &str) -> Option<&'static str> {
    let os = OsInfo {
        family: family.to_string(),
        version: version.to_string(),
        ..OsInfo::default()
    };
    row(&os).map(|r| r.2).filter(|c| !c.is_empty())
}

/// The Debian release number (`12`) of a codename (`bookworm`).
pub fn debian_release_of_codename(codename: &str) -> Option<&'static str> {
    TABLE
        .iter()
        .find(|r| r.0 == "debian" && r.2 == codename)
        .map(|r| r.1)
}

/// The end-of-life date of `os`'s release, when known.
pub fn eol_date(os: &OsInfo) -> Option<Date> {
    row(os).and_then(|r| r.3.parse().ok())
}

/// Set `os.eol_date` and `os.eol` as of `today`; returns the date when the
/// release is past its end of life.
pub fn apply(os: &mut OsInfo, today: Date) -> Option<String> {
    let date = eol_date(os)?;
    os.eol_date = Some(date.to_string());
    os.eol = date <= today;
    os.eol.then(|| date.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(family: &str, version: &str, name: Option<&str>) -> OsInfo {
        OsInfo {
            family: family.into(),
            version: version.into(),
            name: name.map(str::to_string),
            ..OsInfo::default()
        }
    }

    #[test]
    fn every_date_parses() {
        for r in TABLE {
            assert!(r.3.is_empty() || r.3.parse::<Date>().is_ok(), "{r:?}");
        }
    }

    #[test]
    fn eol_relative_to_today() {
        let mut a = os("alpine", "3.18.9", None);
        assert_eq!(apply(&mut a, "2025-05-08".parse().expect("date")), None);
        assert!(!a.eol);
        assert_eq!(a.eol_date.as_deref(), Some("2025-05-09"));
        assert_eq!(
            apply(&mut a, "2025-05-09".parse().expect("date")).as_deref(),
            Some("2025-05-09")
        );
        assert!(a.eol);
    }

    #[test]
    fn lines_and_codenames() {
        assert_eq!(codename("debian", "12.5"), Some("bookworm"));
        assert_eq!(codename("ubuntu", "22.04"), Some("jammy"));
        assert_eq!(debian_release_of_codename("trixie"), Some("13"));
        let stream = os("centos", "8", Some("CentOS Stream"));
        let linux = os("centos", "8", Some("CentOS Linux"));
        assert_ne!(eol_date(&stream), eol_date(&linux));
        assert_eq!(
            eol_date(&os("amzn", "2018.03", None)),
            "2023-12-31".parse().ok()
        );
        let mut unknown = os("arch", "", None);
        assert_eq!(
            apply(&mut unknown, "2099-01-01".parse().expect("date")),
            None
        );
        assert!(!unknown.eol && unknown.eol_date.is_none());
    }
}
