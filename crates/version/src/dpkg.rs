//! Debian version ordering, as `dpkg --compare-versions` decides it.
//!
//! A version is `[epoch:]upstream[-revision]`: the epoch is compared as a
//! number (missing = 0), then upstream and revision with dpkg's `verrevcmp`:
//! alternating non-digit runs (compared character by character, `~` before
//! the end of the string, the end before letters, letters before everything
//! else) and digit runs (compared as numbers of any length).
//!
//! Written here rather than taken from the `debversion` crate because that
//! crate's order is not exactly dpkg's: it ranks an absent digit run below
//! `0` (`1.0a` < `1.0a0`, where dpkg says equal) and it accepts versions
//! dpkg rejects (`1.0-` with an empty revision, upstream versions not
//! starting with a digit).
//!
//! Parsing follows dpkg's `parseversion`, with one deliberate difference:
//! what dpkg only *warns* about (an upstream version not starting with a
//! digit, characters outside `[A-Za-z0-9.+~-:]`) is an error here, because
//! such a string in a feed or a status file is not a Debian version and any
//! order given to it would be a guess.

use crate::VersionError;
use std::cmp::Ordering;

const SCHEME: &str = "dpkg";

/// A parsed Debian version, borrowing from the string it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version<'a> {
    /// The epoch's digits without leading zeros (`""` for epoch 0).
    epoch: &'a str,
    pub upstream: &'a str,
    /// The revision, `""` when absent (which dpkg orders like `0`).
    pub revision: &'a str,
}

impl<'a> Version<'a> {
    /// Parse `[epoch:]upstream[-revision]` the way dpkg does, rejecting
    /// what dpkg rejects or warns about.
    pub fn parse(input: &'a str) -> Result<Self, VersionError> {
        let err = |reason: &str| VersionError::new(SCHEME, input, reason);
        // dpkg trims surrounding blanks and refuses blanks inside.
        let s = input.trim_matches([' ', '\t']);
        if s.is_empty() {
            return Err(err("version string is empty"));
        }
        if s.contains([' ', '\t']) {
            return Err(err("version string has embedded spaces"));
        }
        let (epoch, rest) = match s.split_once(':') {
            Some((epoch, rest)) => {
                if epoch.is_empty() {
                    return Err(err("epoch in version is empty"));
                }
                if !epoch.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err("epoch in version is not number"));
                }
                let epoch = epoch.trim_start_matches('0');
                // dpkg stores the epoch in an int.
                let fits = epoch.is_empty()
                    || matches!(epoch.parse::<u64>(), Ok(e) if e <= i32::MAX as u64);
                if !fits {
                    return Err(err("epoch in version is too big"));
                }
                if rest.is_empty() {
                    return Err(err("nothing after colon in version number"));
                }
                (epoch, rest)
            }
            None => ("", s),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((_, "")) => return Err(err("revision number is empty")),
            Some((upstream, revision)) => (upstream, revision),
            None => (rest, ""),
        };
        match upstream.bytes().next() {
            None => return Err(err("upstream version is empty")),
            Some(b) if !b.is_ascii_digit() => {
                return Err(err("version number does not start with digit"));
            }
            Some(_) => {}
        }
        if let Some(c) = upstream
            .chars()
            .find(|&c| !(c.is_ascii_alphanumeric() || ".-+~:".contains(c)))
        {
            return Err(err(&format!("invalid character {c:?} in version number")));
        }
        if let Some(c) = revision
            .chars()
            .find(|&c| !(c.is_ascii_alphanumeric() || ".+~".contains(c)))
        {
            return Err(err(&format!("invalid character {c:?} in revision number")));
        }
        Ok(Version {
            epoch,
            upstream,
            revision,
        })
    }

    /// The epoch (0 when absent).
    pub fn epoch(&self) -> u32 {
        // `parse` guarantees at most i32::MAX.
        self.epoch.parse().unwrap_or(0)
    }
}

impl Ord for Version<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(self.epoch, other.epoch)
            .then_with(|| verrevcmp(self.upstream, other.upstream))
            .then_with(|| verrevcmp(self.revision, other.revision))
    }
}

impl PartialOrd for Version<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compare two Debian versions.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(Version::parse(a)?.cmp(&Version::parse(b)?))
}

/// The weight dpkg gives a character of a non-digit run; the end of the
/// run weighs 0.
fn order(c: u8) -> i32 {
    match c {
        b'~' => -1,
        c if c.is_ascii_alphabetic() => i32::from(c),
        c => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`: alternate non-digit and digit runs.
fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    while !a.is_empty() || !b.is_empty() {
        let (a_text, a_rest) = split_run(a, |c| !c.is_ascii_digit());
        let (b_text, b_rest) = split_run(b, |c| !c.is_ascii_digit());
        let len = a_text.len().max(b_text.len());
        for i in 0..len {
            let ac = a_text.get(i).map_or(0, |&c| order(c));
            let bc = b_text.get(i).map_or(0, |&c| order(c));
            if ac != bc {
                return ac.cmp(&bc);
            }
        }
        let (a_num, a_rest) = split_run(a_rest, |c| c.is_ascii_digit());
        let (b_num, b_rest) = split_run(b_rest, |c| c.is_ascii_digit());
        // An absent digit run counts as 0, as in dpkg.
        let ord = cmp_digits(as_str(a_num), as_str(b_num));
        if ord != Ordering::Equal {
            return ord;
        }
        a = a_rest;
        b = b_rest;
    }
    Ordering::Equal
}

fn split_run(s: &[u8], pred: impl Fn(u8) -> bool) -> (&[u8], &[u8]) {
    let end = s.iter().position(|&c| !pred(c)).unwrap_or(s.len());
    s.split_at(end)
}

fn as_str(digits: &[u8]) -> &str {
    // Only ever called on ASCII digit runs.
    std::str::from_utf8(digits).unwrap_or("")
}

/// Compare two runs of ASCII digits as unbounded non-negative numbers.
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        match compare(a, b) {
            Ok(o) => o,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn policy_examples() {
        use Ordering::*;
        let cases = [
            ("1.0~rc1", "1.0", Less),
            ("1.0~~", "1.0~", Less),
            ("1.0~~a", "1.0~~", Greater),
            ("1.0", "1.0a", Less),
            ("1.0a", "1.0+", Less),
            ("1.0a", "1.0a0", Equal),
            ("1.0", "1.0-0", Equal),
            ("1.0-0", "1.0-~", Greater),
            ("1:0.1", "2.0", Greater),
            ("0:2.0", "2.0", Equal),
            ("007:1", "7:1", Equal),
            ("1.2.3-1~deb7u1", "1.2.3-1", Less),
            (
                "2.7.4+reloaded2-13ubuntu1",
                "2.7.4+reloaded2-13+deb9u1",
                Less,
            ),
            ("1.0-1-2", "1.0-1-10", Less),
            ("1:2:3-4", "1:2:3-5", Less),
            ("10", "9", Greater),
            ("1.000001", "1.1", Equal),
            (
                "1.99999999999999999999999999",
                "1.99999999999999999999999998",
                Greater,
            ),
            ("0.9.7e-3", "0.9.7e-3sarge1", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(cmp(a, b), want, "{a} vs {b}");
            assert_eq!(cmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn parts() {
        let v = Version::parse("3:1.2-3-4").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((v.epoch(), v.upstream, v.revision), (3, "1.2-3", "4"));
        let v = Version::parse(" 1.2 ").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((v.epoch(), v.upstream, v.revision), (0, "1.2", ""));
    }

    #[test]
    fn rejects_what_dpkg_rejects_or_warns_about() {
        for bad in [
            "",
            "  ",
            "1 2",
            ":1",
            "a:1",
            "-1:1",
            "99999999999:1",
            "1:",
            "1.0-",
            "-1",
            "1:-1",
            "a1.0",
            "~1",
            "1.0_1",
            "1.0-1_2",
            "1.0-a:b",
            "1.0é",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
