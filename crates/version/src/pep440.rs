//! PEP 440 ordering (PyPI), delegated to `pep440_rs`, the parser uv uses.
//!
//! Only versions valid under PEP 440 are ordered: the pre-PEP 440 "legacy"
//! versions that old `packaging` releases sorted before everything else are
//! an error here, as they are in `packaging` ≥ 22.

use crate::VersionError;
use pep440_rs::Version;
use std::cmp::Ordering;
use std::str::FromStr;

const SCHEME: &str = "pep440";

/// Parse a PEP 440 version (surrounding whitespace ignored, as `packaging` does).
pub fn parse(version: &str) -> Result<Version, VersionError> {
    Version::from_str(version.trim()).map_err(|e| VersionError::new(SCHEME, version, e.to_string()))
}

/// Compare two PEP 440 versions.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(parse(a)?.cmp(&parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_pre_post_dev_local_and_epochs() {
        let ordered = [
            "1.0.dev0",
            "1.0a0",
            "1.0a1.dev4",
            "1.0a1",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0+local",
            "1.0.post1.dev1",
            "1.0.post1",
            "1.1",
            "1!0.1",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Ok(Ordering::Less), "{pair:?}");
        }
    }

    #[test]
    fn normalises_spellings() {
        assert_eq!(compare("1.0", "1.0.0"), Ok(Ordering::Equal));
        assert_eq!(compare("1.2b3.DEV4", "1.2b3.dev4"), Ok(Ordering::Equal));
        assert_eq!(compare("1.0-1", "1.0.post1"), Ok(Ordering::Equal));
        assert_eq!(compare("v1.0", "1.0"), Ok(Ordering::Equal));
        assert_eq!(compare(" 1.0 ", "1.0"), Ok(Ordering::Equal));
    }

    #[test]
    fn rejects_legacy_versions() {
        let err = compare("0.1-bulbasaur", "1.0").expect_err("legacy version accepted");
        assert_eq!(err.version, "0.1-bulbasaur");
        assert!(compare("", "1.0").is_err());
    }
}
