//! NuGet ordering (`NuGetVersion` with the default `VersionComparer`):
//! one to four release numbers (missing ones are 0, leading zeros allowed),
//! SemVer 2 prerelease labels compared case-insensitively, build metadata
//! ignored.

use crate::VersionError;
use crate::npm::{compare_digits, compare_prerelease};
use std::cmp::Ordering;

const SCHEME: &str = "NuGet";

/// A parsed NuGet version: four release numbers (as digit strings) and the
/// prerelease labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NuGetVersion {
    release: [String; 4],
    pre: Vec<Label>,
}

/// A prerelease label: numeric labels sort numerically and before
/// alphanumeric ones, which compare ordinally ignoring ASCII case.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Label(String);

impl Ord for Label {
    fn cmp(&self, other: &Self) -> Ordering {
        let numeric = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        match (numeric(&self.0), numeric(&other.0)) {
            (true, true) => compare_digits(&self.0, &other.0),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => self
                .0
                .bytes()
                .map(|b| b.to_ascii_uppercase())
                .cmp(other.0.bytes().map(|b| b.to_ascii_uppercase())),
        }
    }
}

impl PartialOrd for Label {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.release
            .iter()
            .zip(&other.release)
            .map(|(a, b)| compare_digits(a, b))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
            .then_with(|| compare_prerelease(&self.pre, &other.pre))
    }
}

impl PartialOrd for NuGetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Parse a NuGet version.
pub fn parse(version: &str) -> Result<NuGetVersion, VersionError> {
    let err = |reason: &str| VersionError::new(SCHEME, version, reason);
    let s = version.trim();
    let ident_ok =
        |id: &str| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let s = match s.split_once('+') {
        Some((head, meta)) => {
            if !meta.split('.').all(ident_ok) {
                return Err(err("invalid metadata"));
            }
            head
        }
        None => s,
    };
    let (s, pre) = match s.split_once('-') {
        Some((head, pre)) => (head, Some(pre)),
        None => (s, None),
    };
    let numbers: Vec<&str> = s.split('.').collect();
    if numbers.len() > 4 {
        return Err(err("more than four release numbers"));
    }
    let mut release: [String; 4] = Default::default();
    for (slot, n) in release.iter_mut().zip(&numbers) {
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err("release numbers must be digits"));
        }
        *slot = n.to_string();
    }
    for slot in release.iter_mut().skip(numbers.len()) {
        *slot = "0".to_string();
    }
    let pre = match pre {
        None => Vec::new(),
        Some(pre) => {
            if !pre.split('.').all(ident_ok) {
                return Err(err("invalid prerelease label"));
            }
            pre.split('.').map(|l| Label(l.to_string())).collect()
        }
    };
    Ok(NuGetVersion { release, pre })
}

/// Compare two NuGet versions.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(parse(a)?.cmp(&parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn four_part_and_padding() {
        assert_eq!(compare("1.0", "1.0.0.0"), Ok(Equal));
        assert_eq!(compare("1.0.01", "1.0.1.0"), Ok(Equal));
        assert_eq!(compare("1.0", "1.0.0.1"), Ok(Less));
        assert_eq!(compare("1.999.9999", "2.1.1"), Ok(Less));
    }

    #[test]
    fn prerelease_case_insensitive_metadata_ignored() {
        assert_eq!(compare("1.0.0-BETA", "1.0.0-beta"), Ok(Equal));
        assert_eq!(compare("1.0.0-BETA+AA", "1.0.0-beta+aa"), Ok(Equal));
        assert_eq!(compare("1.0.0-BETA", "1.0.0-beta2"), Ok(Less));
        assert_eq!(compare("1.0.0-beta+AA", "1.0.0+aa"), Ok(Less));
        assert_eq!(compare("1.0.0-beta.2", "1.0.0-beta.11"), Ok(Less));
        assert_eq!(compare("1.0.0-1", "1.0.0-a"), Ok(Less));
        assert_eq!(compare("1.0.0-a", "1.0.0-a.1"), Ok(Less));
    }

    #[test]
    fn rejects_invalid() {
        for bad in [
            "",
            "1.0.0.0.0",
            "1..0",
            "a.b",
            "1.0-",
            "1.0-a..b",
            "1.0+",
            "v1.0",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
