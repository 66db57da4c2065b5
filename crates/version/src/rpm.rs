//! RPM version ordering: `[epoch:]version[-release]` compared like
//! `rpm.labelCompare` (epoch, then version, then release, each with
//! `rpmvercmp`).
//!
//! `rpmvercmp` cuts a string into runs of ASCII digits and runs of ASCII
//! letters, skipping every other character as a separator:
//! - `~` sorts before everything, even the end of the string
//!   (`1.0~rc1` < `1.0`);
//! - `^` sorts after the end of the string but before anything else
//!   (`1.0` < `1.0^git1` < `1.0.1`);
//! - a digit run beats a letter run; digit runs compare as numbers of any
//!   length, letter runs as bytes;
//! - when all runs are equal, the side with characters left over wins, so
//!   only the separators differing (`1.0` vs `1_0`) means equal.
//!
//! The epoch is everything before the first `:` when that prefix is all
//! digits (a missing or empty epoch is 0); the release is what follows the
//! last `-` after it. A missing release sorts before any present one, as in
//! `labelCompare`. The `rpm-version` crate was not used: it has no `^`
//! support and is not maintained; rpmvercmp is short.

use crate::VersionError;
use crate::dpkg::cmp_digits;
use std::cmp::Ordering;

const SCHEME: &str = "rpm";

/// An RPM EVR, borrowing from its string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evr<'a> {
    /// The epoch's text (`"0"` when absent), compared with rpmvercmp.
    pub epoch: &'a str,
    pub version: &'a str,
    pub release: Option<&'a str>,
}

impl<'a> Evr<'a> {
    /// Split `[epoch:]version[-release]` the way rpm's `parseEVR` does.
    /// rpm orders any string; only an empty version is refused here.
    pub fn parse(input: &'a str) -> Result<Self, VersionError> {
        let digits = input.bytes().take_while(u8::is_ascii_digit).count();
        let (epoch, rest) = match input.get(digits..) {
            Some(rest) if rest.starts_with(':') => {
                let epoch = &input[..digits];
                (if epoch.is_empty() { "0" } else { epoch }, &rest[1..])
            }
            _ => ("0", input),
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((v, r)) => (v, Some(r)),
            None => (rest, None),
        };
        if version.is_empty() {
            return Err(VersionError::new(SCHEME, input, "version is empty"));
        }
        Ok(Evr {
            epoch,
            version,
            release,
        })
    }
}

impl Ord for Evr<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        rpmvercmp(self.epoch, other.epoch)
            .then_with(|| rpmvercmp(self.version, other.version))
            .then_with(|| match (self.release, other.release) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                (a, b) => a.is_some().cmp(&b.is_some()),
            })
    }
}

impl PartialOrd for Evr<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compare two RPM `[epoch:]version[-release]` strings.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(Evr::parse(a)?.cmp(&Evr::parse(b)?))
}

/// rpm's `rpmvercmp` on one field.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    let is_sep = |c: &u8| !c.is_ascii_alphanumeric() && *c != b'~' && *c != b'^';
    loop {
        a = skip_while(a, is_sep);
        b = skip_while(b, is_sep);
        let (ca, cb) = (a.first().copied(), b.first().copied());

        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            a = &a[1..];
            b = &b[1..];
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            match (ca, cb) {
                (None, _) => return Ordering::Less,
                (_, None) => return Ordering::Greater,
                (Some(b'^'), Some(b'^')) => {
                    a = &a[1..];
                    b = &b[1..];
                    continue;
                }
                (Some(b'^'), _) => return Ordering::Less,
                _ => return Ordering::Greater,
            }
        }
        let (Some(ca), Some(_)) = (ca, cb) else {
            break;
        };

        let numeric = ca.is_ascii_digit();
        let class: fn(&u8) -> bool = if numeric {
            u8::is_ascii_digit
        } else {
            u8::is_ascii_alphabetic
        };
        let (seg_a, rest_a) = split_while(a, class);
        let (seg_b, rest_b) = split_while(b, class);
        // Different kinds of run: digits are newer than letters.
        if seg_b.is_empty() {
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let ord = if numeric {
            cmp_digits(ascii(seg_a), ascii(seg_b))
        } else {
            seg_a.cmp(seg_b)
        };
        if ord != Ordering::Equal {
            return ord;
        }
        a = rest_a;
        b = rest_b;
    }
    // Whichever still has characters left wins.
    (!a.is_empty()).cmp(&!b.is_empty())
}

fn skip_while(s: &[u8], pred: impl Fn(&u8) -> bool) -> &[u8] {
    split_while(s, pred).1
}

fn split_while(s: &[u8], pred: impl Fn(&u8) -> bool) -> (&[u8], &[u8]) {
    let n = s.iter().take_while(|c| pred(c)).count();
    s.split_at(n)
}

fn ascii(digits: &[u8]) -> &str {
    // Only ever called on ASCII digit runs.
    std::str::from_utf8(digits).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        compare(a, b).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn rpmvercmp_vectors() {
        // From rpm's tests/rpmvercmp.at.
        let cases = [
            ("1.0", "1.0", Equal),
            ("1.0", "2.0", Less),
            ("2.0.1a", "2.0.1", Greater),
            ("5.5p1", "5.5p10", Less),
            ("10xyz", "10.1xyz", Less),
            ("xyz10", "xyz10.1", Less),
            ("xyz.4", "8", Less),
            ("6.0.rc1", "6.0", Greater),
            ("10b2", "10a1", Greater),
            ("1.0aa", "1.0a", Greater),
            ("10.0001", "10.1", Equal),
            ("10.0001", "10.0039", Less),
            ("4.999.9", "5.0", Less),
            ("2_0", "2.0", Equal),
            ("a+", "a_", Equal),
            ("+", "_", Equal),
            ("1.0~rc1", "1.0", Less),
            ("1.0~rc1~git123", "1.0~rc1", Less),
            ("1.0~rc1", "1.0arc1", Less),
            ("1.0^", "1.0", Greater),
            ("1.0^git1", "1.01", Less),
            ("1.0^20160101", "1.0.1", Less),
            ("1.0^20160102", "1.0^20160101^git1", Greater),
            ("1.0~rc1^git1", "1.0~rc1", Greater),
            ("1.0^git1~pre", "1.0^git1", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(rpmvercmp(a, b), want, "{a} vs {b}");
            assert_eq!(rpmvercmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn evr() {
        assert_eq!(cmp("1:1.0-1", "2.0-1"), Greater);
        assert_eq!(cmp("0:1.0-1", "1.0-1"), Equal);
        assert_eq!(cmp(":1.0-1", "1.0-1"), Equal);
        assert_eq!(cmp("1.0", "1.0-1"), Less);
        assert_eq!(cmp("3.10.0-229.el7", "3.10.0-229.1.2.ael7b"), Less);
        assert_eq!(cmp("1.2.3-1.el8_4", "1.2.3-1.el8"), Greater);
        assert_eq!(cmp("2:1.0-1.module_el8.4.0+2+abc", "2:1.0-1.el8"), Greater);
        // A colon after non-digits is part of the version, not an epoch.
        let v = Evr::parse("1.m+e2:1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((v.epoch, v.version, v.release), ("0", "1.m+e2:1", None));
        assert!(Evr::parse("").is_err());
        assert!(Evr::parse("1:").is_err());
    }
}
