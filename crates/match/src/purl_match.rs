//! Does a purl someone wrote (in an ignore rule or a VEX statement) name
//! the package a finding is about?
//!
//! Type, namespace and name must agree (PyPI names compared after PEP 503
//! normalisation, as the registry does); a version, when the pattern has
//! one, must be the package's. Qualifiers describe where a package came
//! from (`distro=debian-12.5`, Syft's `package-id=…`) rather than which
//! package it is, so they are ignored — except `arch`, which does tell
//! two builds apart and must agree when both sides give it.

use packageurl::PackageUrl;
use std::str::FromStr;

/// A parsed purl to compare package purls against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurlPattern {
    ty: String,
    namespace: Option<String>,
    name: String,
    version: Option<String>,
    arch: Option<String>,
    text: String,
}

impl PurlPattern {
    pub fn parse(text: &str) -> Result<PurlPattern, packageurl::Error> {
        let p = PackageUrl::from_str(text.trim())?;
        Ok(PurlPattern {
            ty: p.ty().to_ascii_lowercase(),
            namespace: p.namespace().map(str::to_string),
            name: normalise_name(p.ty(), p.name()),
            version: p.version().map(str::to_string),
            arch: p.qualifiers().get("arch").map(|a| a.to_string()),
            text: text.trim().to_string(),
        })
    }

    /// The purl as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `purl` (a package's purl) is this package. A purl that
    /// does not parse matches nothing.
    pub fn matches(&self, purl: &str) -> bool {
        let Ok(p) = PackageUrl::from_str(purl) else {
            return false;
        };
        if !p.ty().eq_ignore_ascii_case(&self.ty) || normalise_name(p.ty(), p.name()) != self.name {
            return false;
        }
        let ns_equal = match (self.namespace.as_deref(), p.namespace()) {
            (None, None) => true,
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        };
        if !ns_equal {
            return false;
        }
        if let Some(v) = &self.version
            && p.version() != Some(v.as_str())
        {
            return false;
        }
        match (&self.arch, p.qualifiers().get("arch")) {
            (Some(a), Some(b)) => a == b.as_ref(),
            _ => true,
        }
    }
}

fn normalise_name(ty: &str, name: &str) -> String {
    if ty.eq_ignore_ascii_case("pypi") {
        crate::lookup_name("PyPI", name)
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, purl: &str) -> bool {
        PurlPattern::parse(pattern)
            .map(|p| p.matches(purl))
            .unwrap_or(false)
    }

    #[test]
    fn qualifiers_other_than_arch_are_ignored() {
        let pkg = "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.5&upstream=openssl";
        assert!(m("pkg:deb/debian/libssl3", pkg));
        assert!(m("pkg:deb/debian/libssl3@3.0.11-1~deb12u2", pkg));
        assert!(m(
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12",
            pkg
        ));
        assert!(m("pkg:deb/debian/libssl3?arch=amd64", pkg));
        assert!(!m("pkg:deb/debian/libssl3?arch=arm64", pkg));
        assert!(!m("pkg:deb/debian/libssl3@3.0.11-1", pkg));
        assert!(!m("pkg:deb/ubuntu/libssl3", pkg));
        assert!(!m("pkg:apk/alpine/libssl3", pkg));
    }

    #[test]
    fn names_compare_as_the_registry_does() {
        assert!(m("pkg:pypi/PyYAML@5.3", "pkg:pypi/pyyaml@5.3"));
        assert!(m("pkg:pypi/zope.interface", "pkg:pypi/zope-interface@5"));
        assert!(m(
            "pkg:npm/%40babel/parser@7.23.0",
            "pkg:npm/%40babel/parser@7.23.0"
        ));
        assert!(!m(
            "pkg:npm/parser@7.23.0",
            "pkg:npm/%40babel/parser@7.23.0"
        ));
        assert!(!m("pkg:npm/lodash", "not a purl"));
    }
}
