//! RubyGems ordering (`Gem::Version#<=>`).
//!
//! A version is split into runs of digits and runs of letters (`1.0.a10`
//! → `1 0 a 10`; `-` means `.pre.`); trailing zeros are dropped from the
//! numeric head and from the part after the first letter run; then
//! segments compare pairwise, a missing segment counting as 0, a letter
//! segment sorting before any number (which is what makes `1.0.a` a
//! prerelease of `1.0`).

use crate::VersionError;
use crate::npm::compare_digits;
use std::cmp::Ordering;

const SCHEME: &str = "RubyGems";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Digits without leading zeros (`"0"` is zero).
    Number(String),
    Letters(String),
}

impl Segment {
    fn is_zero(&self) -> bool {
        matches!(self, Segment::Number(n) if n == "0")
    }
}

/// A parsed gem version: its canonical segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GemVersion {
    canonical: Vec<Segment>,
}

/// Parse a gem version; like `Gem::Version.correct?`, it must start with a
/// digit (or be blank, meaning `0`).
pub fn parse(version: &str) -> Result<GemVersion, VersionError> {
    let err = |reason: &str| VersionError::new(SCHEME, version, reason);
    let s = version.trim();
    if s.is_empty() {
        return Ok(GemVersion {
            canonical: Vec::new(),
        });
    }
    validate(s).map_err(err)?;
    let mut segments = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let digit = bytes.get(i).is_some_and(u8::is_ascii_digit);
        let alpha = bytes.get(i).is_some_and(u8::is_ascii_alphabetic);
        if !digit && !alpha {
            // `.` and `-` only separate; `-` turns into `.pre.`, i.e. adds
            // a `pre` letter segment.
            if bytes.get(i) == Some(&b'-') {
                segments.push(Segment::Letters("pre".to_string()));
            }
            i += 1;
            continue;
        }
        let start = i;
        while bytes.get(i).is_some_and(|b| {
            if digit {
                b.is_ascii_digit()
            } else {
                b.is_ascii_alphabetic()
            }
        }) {
            i += 1;
        }
        let run = s.get(start..i).unwrap_or_default();
        segments.push(if digit {
            let trimmed = run.trim_start_matches('0');
            Segment::Number(if trimmed.is_empty() { "0" } else { trimmed }.to_string())
        } else {
            Segment::Letters(run.to_string())
        });
    }
    let split = segments
        .iter()
        .position(|s| matches!(s, Segment::Letters(_)))
        .unwrap_or(segments.len());
    let strings = segments.split_off(split);
    let mut canonical = drop_trailing_zeros(segments);
    canonical.extend(drop_trailing_zeros(strings));
    Ok(GemVersion { canonical })
}

fn drop_trailing_zeros(mut segments: Vec<Segment>) -> Vec<Segment> {
    while segments.last().is_some_and(Segment::is_zero) {
        segments.pop();
    }
    segments
}

/// `Gem::Version::ANCHORED_VERSION_PATTERN`,
/// `[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`, except
/// that letters may follow the leading digits.
fn validate(s: &str) -> Result<(), &'static str> {
    let (release, pre) = match s.split_once('-') {
        Some((r, p)) => (r, Some(p)),
        None => (s, None),
    };
    let mut parts = release.split('.');
    // RubyGems' pattern wants a dot before letters; gems and feeds still
    // write `1beta`, and its segments (`1`, `beta`) are unambiguous.
    let first = parts.next().unwrap_or_default();
    if !first.starts_with(|c: char| c.is_ascii_digit())
        || !first.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err("must start with a number");
    }
    if !parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric())) {
        return Err("invalid segment");
    }
    if let Some(pre) = pre
        && !pre
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    {
        return Err("invalid prerelease");
    }
    Ok(())
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Segment::Number("0".to_string());
        let len = self.canonical.len().max(other.canonical.len());
        for i in 0..len {
            let l = self.canonical.get(i).unwrap_or(&zero);
            let r = other.canonical.get(i).unwrap_or(&zero);
            let ord = match (l, r) {
                (Segment::Number(a), Segment::Number(b)) => compare_digits(a, b),
                (Segment::Letters(a), Segment::Letters(b)) => a.cmp(b),
                (Segment::Letters(_), Segment::Number(_)) => Ordering::Less,
                (Segment::Number(_), Segment::Letters(_)) => Ordering::Greater,
            };
            if ord.is_ne() {
                return ord;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl GemVersion {
    /// Whether any segment is letters (`Gem::Version#prerelease?`).
    pub fn is_prerelease(&self) -> bool {
        self.canonical
            .iter()
            .any(|s| matches!(s, Segment::Letters(_)))
    }
}

/// Compare two gem versions.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(parse(a)?.cmp(&parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn orders_like_gem_version() {
        let ordered = [
            "0.9",
            "1.0.a.2",
            "1.0.a9",
            "1.0.a10",
            "1.0.b1",
            "1.0",
            "1.0.1",
            "1.2.4.beta",
            "1.2.4",
            "3.2",
            "3.10",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Ok(Less), "{pair:?}");
        }
        assert_eq!(compare("1.0.a2", "1.0.a.2"), Ok(Equal));
        assert_eq!(compare("1.0.0", "1"), Ok(Equal));
        assert_eq!(compare("1beta", "1"), Ok(Less));
        assert_eq!(compare("1.0.0-rc1", "1.0.0.pre.rc1"), Ok(Equal));
        assert_eq!(compare("", "0"), Ok(Equal));
        assert_eq!(compare("01.2", "1.2"), Ok(Equal));
    }

    #[test]
    fn rejects_invalid() {
        for bad in ["a1", "1..2", "1.2.", "1.2-", "1 2", "1.2_3", "-1"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert!(parse("1.0.a").is_ok_and(|v| v.is_prerelease()));
    }
}
