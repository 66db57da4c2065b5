//! Go ordering: module versions as `golang.org/x/mod/semver` compares them,
//! and Go toolchain versions (`go1.22.3`, `go1.21rc2`, `go1.9`) mapped to
//! the SemVer form the Go vulnerability database uses for `stdlib`
//! (`1.22.3`, `1.21.0-rc.2`, `1.9.0`).
//!
//! The leading `v` is optional because OSV `Go` ranges drop it. Build
//! metadata such as `+incompatible` never orders, and pseudo-versions
//! (`v0.0.0-20200101000000-abcdef123456`) are ordinary prereleases.
//! Numbers may have any number of digits, as in Go.

use crate::VersionError;
use crate::npm::{compare_digits, compare_prerelease};
use std::cmp::Ordering;

const SCHEME: &str = "Go";

/// A parsed Go version; numbers are kept as digit strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoVersion {
    pub major: String,
    pub minor: String,
    pub patch: String,
    pub pre: Vec<PreIdent>,
}

/// A prerelease identifier, ordered as Go's `semver.Compare` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreIdent(String);

impl PreIdent {
    fn is_numeric(&self) -> bool {
        self.0.bytes().all(|b| b.is_ascii_digit())
    }
}

impl Ord for PreIdent {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.is_numeric(), other.is_numeric()) {
            (true, true) => compare_digits(&self.0, &other.0),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => self.0.cmp(&other.0),
        }
    }
}

impl PartialOrd for PreIdent {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for GoVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_digits(&self.major, &other.major)
            .then_with(|| compare_digits(&self.minor, &other.minor))
            .then_with(|| compare_digits(&self.patch, &other.patch))
            .then_with(|| compare_prerelease(&self.pre, &other.pre))
    }
}

impl PartialOrd for GoVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Parse a Go module version (`v1.2.3`, `1.2.3`, `v1`, `v1.2`,
/// `v2.0.0+incompatible`, pseudo-versions) or a toolchain version (`go1.21rc2`).
pub fn parse(version: &str) -> Result<GoVersion, VersionError> {
    let err = |reason: &str| VersionError::new(SCHEME, version, reason);
    if let Some(toolchain) = version.strip_prefix("go") {
        return parse_toolchain(toolchain).ok_or_else(|| err("invalid Go toolchain version"));
    }
    let s = version.strip_prefix('v').unwrap_or(version);
    let (s, build) = match s.split_once('+') {
        Some((head, build)) => (head, Some(build)),
        None => (s, None),
    };
    if let Some(build) = build
        && build.split('.').any(|id| !is_ident(id))
    {
        return Err(err("invalid build metadata"));
    }
    let (s, pre) = match s.split_once('-') {
        Some((head, pre)) => (head, Some(pre)),
        None => (s, None),
    };
    let mut parts = s.split('.');
    let major = parts.next().filter(|p| is_number(p));
    let minor = parts.next();
    let patch = parts.next();
    if parts.next().is_some() {
        return Err(err("more than three numbers"));
    }
    let Some(major) = major else {
        return Err(err("invalid major version"));
    };
    // `v1` and `v1.2` are shorthands Go accepts, but never with a
    // prerelease or build suffix.
    let short = minor.is_none() || patch.is_none();
    if short && (pre.is_some() || build.is_some()) {
        return Err(err("shorthand version with a suffix"));
    }
    let minor = minor.unwrap_or("0");
    let patch = patch.unwrap_or("0");
    if !is_number(minor) || !is_number(patch) {
        return Err(err("invalid minor or patch version"));
    }
    let pre = match pre {
        None => Vec::new(),
        Some(pre) => pre
            .split('.')
            .map(|id| {
                let numeric = id.bytes().all(|b| b.is_ascii_digit());
                (is_ident(id) && !(numeric && id.len() > 1 && id.starts_with('0')))
                    .then(|| PreIdent(id.to_string()))
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| err("invalid prerelease"))?,
    };
    Ok(GoVersion {
        major: major.to_string(),
        minor: minor.to_string(),
        patch: patch.to_string(),
        pre,
    })
}

/// `1.22.3`, `1.21rc2`, `1.9`, `1.21beta1` (after `go`).
fn parse_toolchain(s: &str) -> Option<GoVersion> {
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (release, pre) = s.split_at(split);
    let mut parts = release.split('.');
    let major = parts.next().filter(|p| is_number(p))?;
    let minor = parts.next().filter(|p| is_number(p))?;
    let patch = match parts.next() {
        Some(p) if is_number(p) => p,
        Some(_) => return None,
        None => "0",
    };
    if parts.next().is_some() {
        return None;
    }
    let pre = if pre.is_empty() {
        Vec::new()
    } else {
        let kind_end = pre.find(|c: char| c.is_ascii_digit())?;
        let (kind, n) = pre.split_at(kind_end);
        if !matches!(kind, "alpha" | "beta" | "rc") || !is_number(n) {
            return None;
        }
        vec![PreIdent(kind.to_string()), PreIdent(n.to_string())]
    };
    Some(GoVersion {
        major: major.to_string(),
        minor: minor.to_string(),
        patch: patch.to_string(),
        pre,
    })
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
}

fn is_ident(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Compare two Go versions.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(parse(a)?.cmp(&parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn module_versions() {
        let ordered = [
            "v0.0.0-20190101000000-aaaaaaaaaaaa",
            "v0.0.0-20200101000000-abcdef123456",
            "v0.0.0",
            "v0.1.0",
            "v1.2.3-pre",
            "v1.2.3",
            "v1.2.4-0.20200101000000-abcdef123456",
            "v1.2.4",
            "v1.10.0",
            "v2.0.0+incompatible",
            "v2.0.1",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Ok(Less), "{pair:?}");
        }
        assert_eq!(compare("v1.2.3", "1.2.3"), Ok(Equal));
        assert_eq!(compare("v1", "v1.0.0"), Ok(Equal));
        assert_eq!(compare("v1.2", "1.2.0"), Ok(Equal));
        assert_eq!(compare("v2.0.0+incompatible", "v2.0.0"), Ok(Equal));
    }

    #[test]
    fn toolchain_versions() {
        assert_eq!(compare("go1.22.3", "1.22.3"), Ok(Equal));
        assert_eq!(compare("go1.9", "1.9.0"), Ok(Equal));
        assert_eq!(compare("go1.21rc2", "1.21.0-rc.2"), Ok(Equal));
        assert_eq!(compare("go1.21beta1", "go1.21rc1"), Ok(Less));
        assert_eq!(compare("go1.21rc2", "go1.21.0"), Ok(Less));
        assert_eq!(compare("go1.24.1", "1.24.2"), Ok(Less));
        assert_eq!(compare("go1.9.7", "go1.10"), Ok(Less));
    }

    #[test]
    fn rejects_invalid() {
        for bad in [
            "",
            "v",
            "v1.2.3.4",
            "v01.2.3",
            "v1.2.3-01",
            "v1-pre",
            "v1.2+meta",
            "v1.2.3-",
            "v1.2.3+",
            "go",
            "go1",
            "go1.21xx1",
            "go1.21.x",
            "1.2.3-a..b",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
