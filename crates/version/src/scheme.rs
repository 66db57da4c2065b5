use crate::VersionError;
use std::cmp::Ordering;

/// A version ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    Dpkg,
    Apk,
    Rpm,
    Pep440,
    /// SemVer 2.0 (OSV `SEMVER` ranges, crates.io).
    Semver,
    Npm,
    Go,
    Maven,
    RubyGems,
    NuGet,
    Composer,
}

impl Scheme {
    /// The ordering an OSV ecosystem string uses (`Debian:12` → dpkg,
    /// `Alpine:v3.18` → apk, `PyPI` → PEP 440, …). `None` for ecosystems
    /// whose versions tidewatch cannot order.
    pub fn for_ecosystem(ecosystem: &str) -> Option<Scheme> {
        let base = ecosystem.split(':').next().unwrap_or(ecosystem);
        Some(match base {
            "Debian" | "Ubuntu" => Scheme::Dpkg,
            "Alpine" | "Wolfi" | "Chainguard" | "Alpaquita" | "BellSoft Hardened Containers" => {
                Scheme::Apk
            }
            "Red Hat" | "AlmaLinux" | "Rocky Linux" | "SUSE" | "openSUSE" | "Oracle"
            | "Amazon Linux" | "Fedora" | "CentOS" | "Mageia" | "openEuler" | "Azure Linux"
            | "Photon OS" => Scheme::Rpm,
            "PyPI" => Scheme::Pep440,
            "crates.io" => Scheme::Semver,
            "npm" => Scheme::Npm,
            "Go" => Scheme::Go,
            "Maven" => Scheme::Maven,
            "RubyGems" => Scheme::RubyGems,
            "NuGet" => Scheme::NuGet,
            "Packagist" => Scheme::Composer,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Scheme::Dpkg => "dpkg",
            Scheme::Apk => "apk",
            Scheme::Rpm => "rpm",
            Scheme::Pep440 => "PEP 440",
            Scheme::Semver => "SemVer",
            Scheme::Npm => "npm",
            Scheme::Go => "Go",
            Scheme::Maven => "Maven",
            Scheme::RubyGems => "RubyGems",
            Scheme::NuGet => "NuGet",
            Scheme::Composer => "Composer",
        }
    }

    /// Compare two versions of this scheme.
    pub fn compare(self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        match self {
            Scheme::Dpkg => crate::dpkg::compare(a, b),
            Scheme::Apk => crate::apk::compare(a, b),
            Scheme::Rpm => crate::rpm::compare(a, b),
            Scheme::Pep440 => crate::pep440::compare(a, b),
            Scheme::Semver => crate::semver::compare(a, b),
            Scheme::Npm => crate::npm::compare(a, b),
            Scheme::Go => crate::golang::compare(a, b),
            Scheme::Maven => crate::maven::compare(a, b),
            Scheme::RubyGems => crate::gem::compare(a, b),
            Scheme::NuGet => crate::nuget::compare(a, b),
            Scheme::Composer => crate::composer::compare(a, b),
        }
    }
}
