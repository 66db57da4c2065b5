//! Package identity per language ecosystem: the purl type, the OSV
//! ecosystem string and the name normalisation each registry applies.
//!
//! Shared by the catalogers of installed packages (`lang/python.rs`, …)
//! and the lockfile parsers, so that a package found both ways has the
//! same identity.

use packageurl::PackageUrl;
use tidewatch_types::{Location, Package, PackageType};

/// A language ecosystem whose packages tidewatch reads from text files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eco {
    PyPI,
    Npm,
    RubyGems,
    Packagist,
    NuGet,
    CratesIo,
    Go,
}

impl Eco {
    /// The purl type, also used as [`Package::format`].
    pub fn purl_type(self) -> &'static str {
        match self {
            Eco::PyPI => "pypi",
            Eco::Npm => "npm",
            Eco::RubyGems => "gem",
            Eco::Packagist => "composer",
            Eco::NuGet => "nuget",
            Eco::CratesIo => "cargo",
            Eco::Go => "golang",
        }
    }

    /// The OSV ecosystem the matcher queries.
    pub fn osv(self) -> &'static str {
        match self {
            Eco::PyPI => "PyPI",
            Eco::Npm => "npm",
            Eco::RubyGems => "RubyGems",
            Eco::Packagist => "Packagist",
            Eco::NuGet => "NuGet",
            Eco::CratesIo => "crates.io",
            Eco::Go => "Go",
        }
    }
}

/// PEP 503 normalisation: runs of `-`, `_`, `.` become one `-`, lower case.
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// The package URL of `name@version` in `eco`. Names with a namespace
/// (`@scope/name`, `vendor/name`, Go module paths) are split at the last
/// `/` so that the namespace is encoded as the purl spec asks.
pub fn purl(eco: Eco, name: &str, version: &str) -> String {
    let name_for_purl = match eco {
        Eco::PyPI => pep503(name),
        _ => name.to_string(),
    };
    let (ns, short) = match eco {
        Eco::Npm | Eco::Packagist | Eco::Go => match name_for_purl.rsplit_once('/') {
            Some((ns, n)) if !ns.is_empty() && !n.is_empty() => {
                (Some(ns.to_string()), n.to_string())
            }
            _ => (None, name_for_purl.clone()),
        },
        _ => (None, name_for_purl.clone()),
    };
    match PackageUrl::new(eco.purl_type(), short.as_str()) {
        Ok(mut p) => {
            if let Some(ns) = ns.as_deref() {
                p.with_namespace(ns);
            }
            if !version.is_empty() {
                p.with_version(version);
            }
            p.to_string()
        }
        // Only an invalid purl type fails, and ours are constants.
        Err(_) => format!("pkg:{}/{}@{}", eco.purl_type(), name_for_purl, version),
    }
}

/// A library package of `eco`, matchable in that ecosystem, read from
/// `location`.
pub fn library(eco: Eco, name: &str, version: &str, location: Location) -> Package {
    let mut p = package(eco, name, version);
    p.locations.push(location);
    p
}

/// A library package of `eco` without a location yet (lockfile parsers
/// leave it to their cataloger).
pub fn package(eco: Eco, name: &str, version: &str) -> Package {
    let mut p = Package::new(name, version, eco.purl_type(), PackageType::Library);
    p.ecosystem = Some(eco.osv().to_string());
    p.purl = purl(eco, name, version);
    p
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pep503_collapses_separators_and_case() {
        assert_eq!(pep503("Flask_SQLAlchemy"), "flask-sqlalchemy");
        assert_eq!(pep503("zope.interface"), "zope-interface");
        assert_eq!(pep503("a-._b"), "a-b");
        assert_eq!(pep503("PyYAML"), "pyyaml");
    }

    #[test]
    fn purls_encode_namespaces() {
        assert_eq!(
            purl(Eco::Npm, "@babel/parser", "7.23.0"),
            "pkg:npm/%40babel/parser@7.23.0"
        );
        assert_eq!(
            purl(Eco::Npm, "lodash", "4.17.15"),
            "pkg:npm/lodash@4.17.15"
        );
        assert_eq!(purl(Eco::PyPI, "Jinja2", "2.10"), "pkg:pypi/jinja2@2.10");
        assert_eq!(
            purl(Eco::Packagist, "behat/mink", "v1.8.1"),
            "pkg:composer/behat/mink@v1.8.1"
        );
        assert_eq!(
            purl(Eco::Go, "github.com/pkg/errors", "v0.9.1"),
            "pkg:golang/github.com/pkg/errors@v0.9.1"
        );
        assert_eq!(
            purl(Eco::NuGet, "Newtonsoft.Json", "13.0.1"),
            "pkg:nuget/Newtonsoft.Json@13.0.1"
        );
    }
}
