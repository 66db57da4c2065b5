//! CVSS base scores and the preference between CVSS versions.
//!
//! v3.x and v4.0 are scored by the `cvss` crate. It does not cover v2,
//! which NVD still publishes for most pre-2016 CVEs, so the v2 base
//! equation (FIRST, CVSS v2 guide §3.2.1) is written out here.

use std::str::FromStr;
use tidewatch_types::{Cvss, Severity};

/// Rank of a CVSS version string, higher preferred: v4 > v3.1 > v3.0 > v2.
pub(crate) fn rank(version: &str) -> u8 {
    match version {
        "4.0" => 4,
        "3.1" => 3,
        "3.0" => 2,
        "2.0" => 1,
        _ => 0,
    }
}

/// The CVSS version a vector declares (`2.0` for prefix-less v2 vectors).
pub(crate) fn version_of(vector: &str) -> Option<&'static str> {
    if vector.starts_with("CVSS:4.0/") {
        Some("4.0")
    } else if vector.starts_with("CVSS:3.1/") {
        Some("3.1")
    } else if vector.starts_with("CVSS:3.0/") {
        Some("3.0")
    } else if vector.starts_with("AV:") || vector.starts_with("(AV:") {
        Some("2.0")
    } else {
        None
    }
}

/// The base score of a vector, or `None` when it does not parse.
pub(crate) fn base_score(vector: &str) -> Option<f64> {
    match version_of(vector)? {
        "4.0" => cvss::v4::Vector::from_str(vector)
            .ok()
            .map(|v| v.score().value()),
        "3.1" | "3.0" => cvss::v3::Base::from_str(vector)
            .ok()
            .map(|b| b.score().value()),
        _ => v2_base_score(vector),
    }
}

/// A `Cvss` entry for `vector` from `source`, scoring it when `score` is
/// missing. `None` when the vector is of no known version.
pub(crate) fn entry(vector: &str, score: Option<f64>, source: &str) -> Option<Cvss> {
    let vector = vector.trim();
    let version = version_of(vector)?;
    Some(Cvss {
        version: version.to_string(),
        vector: vector.to_string(),
        score: score.or_else(|| base_score(vector)),
        source: source.to_string(),
    })
}

/// The preferred scored entry: highest version, then the first given.
pub(crate) fn best(entries: &[Cvss]) -> Option<&Cvss> {
    let mut best: Option<&Cvss> = None;
    for e in entries.iter().filter(|e| e.score.is_some()) {
        if best.is_none_or(|b| rank(&e.version) > rank(&b.version)) {
            best = Some(e);
        }
    }
    best
}

/// The qualitative severity of a score under its version's bands (v2 has
/// no Critical band).
pub(crate) fn severity(version: &str, score: f64) -> Severity {
    if version == "2.0" {
        if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::Unknown
        }
    } else {
        Severity::from_cvss_score(score)
    }
}

/// Severity and its source label (`nvd:cvss3.1` …) from the best entry:
/// v4.0 > v3.1 > v3.0 > v2, the first given among equal versions.
pub fn best_severity(entries: &[Cvss]) -> Option<(Severity, String)> {
    let b = best(entries)?;
    let score = b.score?;
    Some((
        severity(&b.version, score),
        format!("{}:cvss{}", b.source, b.version),
    ))
}

fn v2_base_score(vector: &str) -> Option<f64> {
    let vector = vector.trim_start_matches('(').trim_end_matches(')');
    let (mut av, mut ac, mut au, mut c, mut i, mut a) = (None, None, None, None, None, None);
    for part in vector.split('/') {
        let (k, v) = part.split_once(':')?;
        let cia = |v: &str| match v {
            "N" => Some(0.0),
            "P" => Some(0.275),
            "C" => Some(0.660),
            _ => None,
        };
        match k {
            "AV" => {
                av = match v {
                    "L" => Some(0.395),
                    "A" => Some(0.646),
                    "N" => Some(1.0),
                    _ => None,
                }
            }
            "AC" => {
                ac = match v {
                    "H" => Some(0.35),
                    "M" => Some(0.61),
                    "L" => Some(0.71),
                    _ => None,
                }
            }
            "Au" => {
                au = match v {
                    "M" => Some(0.45),
                    "S" => Some(0.56),
                    "N" => Some(0.704),
                    _ => None,
                }
            }
            "C" => c = cia(v),
            "I" => i = cia(v),
            "A" => a = cia(v),
            // Temporal / environmental metrics do not change the base score.
            _ => {}
        }
    }
    let (av, ac, au, c, i, a) = (av?, ac?, au?, c?, i?, a?);
    let impact = 10.41 * (1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a));
    let exploitability = 20.0 * av * ac * au;
    let f = if impact == 0.0 { 0.0 } else { 1.176 };
    let raw: f64 = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * f;
    Some((raw * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_each_version() {
        // Values as NVD publishes them for these vectors.
        assert_eq!(base_score("AV:N/AC:L/Au:N/C:P/I:N/A:N"), Some(5.0));
        assert_eq!(base_score("AV:N/AC:L/Au:N/C:C/I:C/A:C"), Some(10.0));
        assert_eq!(base_score("AV:L/AC:M/Au:N/C:P/I:P/A:P"), Some(4.4));
        assert_eq!(
            base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Some(9.8)
        );
        assert_eq!(
            base_score("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"),
            Some(6.1)
        );
        assert_eq!(
            base_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            Some(9.3)
        );
        assert_eq!(base_score("garbage"), None);
        assert_eq!(base_score("AV:X/AC:L/Au:N/C:P/I:N/A:N"), None);
    }

    #[test]
    fn prefers_newer_versions() {
        let e = [
            entry("AV:N/AC:L/Au:N/C:P/I:N/A:N", None, "nvd"),
            entry("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", None, "nvd"),
            entry("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", None, "nvd"),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
        assert_eq!(best(&e).map(|c| c.version.as_str()), Some("3.1"));
        assert_eq!(
            best_severity(&e),
            Some((Severity::Critical, "nvd:cvss3.1".into()))
        );
        assert_eq!(severity("2.0", 10.0), Severity::High);
    }
}
