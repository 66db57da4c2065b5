//! Version orderings, one module per packaging scheme (dpkg, apk, rpm,
//! PEP 440, SemVer, npm, Go, Maven, RubyGems, NuGet, Composer), and the
//! evaluation of OSV `affected` ranges with the right ordering. Every
//! comparison answers "which is newer" exactly as the scheme's reference
//! tool would; a version a scheme cannot parse is an error, never a guess.

mod range;
mod scheme;

pub mod apk;
pub mod composer;
pub mod dpkg;
pub mod gem;
pub mod golang;
pub mod maven;
pub mod npm;
pub mod nuget;
pub mod pep440;
pub mod requirement;
pub mod rpm;
pub mod semver;

pub use range::{Affected, is_affected};
pub use scheme::Scheme;

/// A version string the scheme cannot parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {scheme} version {version:?}: {reason}")]
pub struct VersionError {
    pub scheme: &'static str,
    pub version: String,
    pub reason: String,
}

impl VersionError {
    pub fn new(scheme: &'static str, version: &str, reason: impl Into<String>) -> Self {
        VersionError {
            scheme,
            version: version.to_string(),
            reason: reason.into(),
        }
    }
}
