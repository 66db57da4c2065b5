//! npm ordering: node-semver's `compare` with npm's loose parsing.
//!
//! Written here rather than taken from `nodejs-semver`/`semver` because npm
//! accepts spellings the SemVer crates refuse (`v1.2.3`, `=1.2.3`,
//! `1.2.3beta`, leading zeros) and the range conversion in
//! [`crate::requirement`] needs the parsed triple anyway. Numbers above
//! JavaScript's `MAX_SAFE_INTEGER` are rejected, as node-semver rejects them.

use crate::VersionError;
use std::cmp::Ordering;

const SCHEME: &str = "npm";
const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;
/// node-semver refuses longer version strings.
const MAX_LENGTH: usize = 256;

/// A parsed npm version. Build metadata is dropped: it never orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpmVersion {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: Vec<Identifier>,
}

/// One dot-separated prerelease identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    Numeric(u64),
    Alpha(String),
}

impl Ord for Identifier {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Identifier::Numeric(a), Identifier::Numeric(b)) => a.cmp(b),
            (Identifier::Numeric(_), Identifier::Alpha(_)) => Ordering::Less,
            (Identifier::Alpha(_), Identifier::Numeric(_)) => Ordering::Greater,
            (Identifier::Alpha(a), Identifier::Alpha(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for Identifier {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for NpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| compare_prerelease(&self.pre, &other.pre))
    }
}

impl PartialOrd for NpmVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// SemVer precedence of prerelease lists: none sorts after any, then
/// identifier by identifier, a longer list winning a tie.
pub(crate) fn compare_prerelease<T: Ord>(a: &[T], b: &[T]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.cmp(b),
    }
}

/// Compare two decimal digit strings by value, whatever their length.
pub(crate) fn compare_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl NpmVersion {
    /// Parse as node-semver does with `loose: true`.
    pub fn parse(version: &str) -> Result<NpmVersion, VersionError> {
        let err = |reason: &str| VersionError::new(SCHEME, version, reason);
        if version.len() > MAX_LENGTH {
            return Err(err("longer than 256 characters"));
        }
        let s = version.trim().trim_start_matches(['v', '=', ' ', '\t']);
        let s = match s.split_once('+') {
            Some((head, build)) => {
                if build.split('.').any(|id| !is_ident(id)) {
                    return Err(err("invalid build metadata"));
                }
                head
            }
            None => s,
        };
        let (major, rest) = take_number(s).ok_or_else(|| err("expected a major version"))?;
        let rest = rest
            .strip_prefix('.')
            .ok_or_else(|| err("expected MAJOR.MINOR.PATCH"))?;
        let (minor, rest) = take_number(rest).ok_or_else(|| err("expected a minor version"))?;
        let rest = rest
            .strip_prefix('.')
            .ok_or_else(|| err("expected MAJOR.MINOR.PATCH"))?;
        let (patch, rest) = take_number(rest).ok_or_else(|| err("expected a patch version"))?;
        let mut numbers = [0u64; 3];
        for (slot, digits) in numbers.iter_mut().zip([major, minor, patch]) {
            *slot = safe_integer(digits).ok_or_else(|| err("number larger than 2^53-1"))?;
        }
        let pre = if rest.is_empty() {
            Vec::new()
        } else {
            // Loose mode lets the hyphen go: `1.2.3beta` is `1.2.3-beta`.
            let pre = rest.strip_prefix('-').unwrap_or(rest);
            parse_prerelease(pre).ok_or_else(|| err("invalid prerelease"))?
        };
        let [major, minor, patch] = numbers;
        Ok(NpmVersion {
            major,
            minor,
            patch,
            pre,
        })
    }
}

fn take_number(s: &str) -> Option<(&str, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    (end > 0).then(|| s.split_at(end))
}

fn safe_integer(digits: &str) -> Option<u64> {
    digits
        .parse::<u64>()
        .ok()
        .filter(|n| *n <= MAX_SAFE_INTEGER)
}

fn is_ident(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn parse_prerelease(pre: &str) -> Option<Vec<Identifier>> {
    pre.split('.')
        .map(|id| {
            if !is_ident(id) {
                None
            } else if id.bytes().all(|b| b.is_ascii_digit()) {
                // node-semver keeps over-large numeric identifiers as
                // strings; they still compare numerically among themselves.
                Some(match safe_integer(id) {
                    Some(n) => Identifier::Numeric(n),
                    None => Identifier::Alpha(id.to_string()),
                })
            } else {
                Some(Identifier::Alpha(id.to_string()))
            }
        })
        .collect()
}

/// Parse an npm version (loose).
pub fn parse(version: &str) -> Result<NpmVersion, VersionError> {
    NpmVersion::parse(version)
}

/// Compare two npm versions as `semver.compare(a, b, {loose: true})`.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(parse(a)?.cmp(&parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_semver_precedence() {
        let ordered = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "1.10.0",
            "2.0.0",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Ok(Ordering::Less), "{pair:?}");
        }
    }

    #[test]
    fn loose_spellings() {
        assert_eq!(compare("v1.2.3", "1.2.3"), Ok(Ordering::Equal));
        assert_eq!(compare("=1.2.3", "1.2.3"), Ok(Ordering::Equal));
        assert_eq!(compare(" =v1.2.3 ", "1.2.3"), Ok(Ordering::Equal));
        assert_eq!(compare("1.2.3beta", "1.2.3-beta"), Ok(Ordering::Equal));
        assert_eq!(compare("01.2.3", "1.2.3"), Ok(Ordering::Equal));
        assert_eq!(compare("1.2.3+build", "1.2.3+other"), Ok(Ordering::Equal));
        assert_eq!(compare("1.2.3-5-Foo", "1.2.3-5-foo"), Ok(Ordering::Less));
        assert_eq!(compare("1.2.3-r100", "1.2.3-r2"), Ok(Ordering::Less));
    }

    #[test]
    fn rejects_what_node_semver_rejects() {
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "1.2.3-",
            "1.2.3-a..b",
            "1.2.3+",
            "9007199254740992.0.0",
            "x.y.z",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert!(parse("9007199254740991.0.0").is_ok());
    }

    #[test]
    fn digit_strings_compare_by_value() {
        assert_eq!(compare_digits("010", "9"), Ordering::Greater);
        assert_eq!(compare_digits("000", "0"), Ordering::Equal);
        assert_eq!(
            compare_digits(
                "999999999999999999999999999991",
                "999999999999999999999999999999"
            ),
            Ordering::Less
        );
    }
}
