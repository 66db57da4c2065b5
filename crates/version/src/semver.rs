//! SemVer 2.0 precedence (OSV `SEMVER` ranges, crates.io), on the `semver`
//! crate.
//!
//! Build metadata is ignored, as the SemVer spec requires (`1.0.0+a` ==
//! `1.0.0+b`); the crate's own `Ord` would order it. A leading `v` is
//! accepted because Go modules carry one (`v1.2.3`) while the Go vulndb
//! writes the same versions bare in `SEMVER` ranges. Anything else that is
//! not SemVer 2.0 — a missing minor or patch, a leading zero, a number
//! beyond 64 bits — is an error rather than a guess.

use crate::VersionError;
use std::cmp::Ordering;

const SCHEME: &str = "semver";

/// Parse a SemVer 2.0 version, with an optional leading `v`.
pub fn parse(input: &str) -> Result<::semver::Version, VersionError> {
    let bare = input.strip_prefix('v').unwrap_or(input);
    ::semver::Version::parse(bare).map_err(|e| VersionError::new(SCHEME, input, e.to_string()))
}

/// Compare two versions by SemVer precedence.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(parse(a)?.cmp_precedence(&parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        compare(a, b).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn spec_precedence() {
        let ascending = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "1.1.0",
            "2.0.0",
        ];
        for w in ascending.windows(2) {
            if let [a, b] = w {
                assert_eq!(cmp(a, b), Less, "{a} < {b}");
            }
        }
    }

    #[test]
    fn build_metadata_and_v_prefix() {
        assert_eq!(cmp("1.2.3+build", "1.2.3+other"), Equal);
        assert_eq!(cmp("v1.2.3", "1.2.3"), Equal);
        assert_eq!(cmp("v1.2.3-beta", "1.2.3"), Less);
        assert_eq!(cmp("1.2.3-5-Foo", "1.2.3-5-foo"), Less);
    }

    #[test]
    fn rejects_non_semver() {
        for bad in [
            "", "1", "1.2", "1.2.3.4", "01.2.3", "1.2.3-01", "V1.2.3", "vv1.2.3",
        ] {
            assert!(compare(bad, "1.0.0").is_err(), "{bad:?} accepted");
        }
        assert!(compare("99999999999999999999.0.0", "1.0.0").is_err());
    }
}
