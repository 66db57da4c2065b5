//! Which image of a multi-platform index to scan: `--platform os/arch[/variant]`,
//! by default the host's architecture on Linux (images are Linux images
//! whatever the host runs). Arm variants follow the conventions of the
//! OCI image index: `arm64` without a variant is `arm64/v8`.

use oci_spec::image::Platform as OciPlatform;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Platform {
    /// Parse `os/arch[/variant]` (also `arch` alone, meaning Linux).
    pub fn parse(s: &str) -> Result<Platform, String> {
        let parts: Vec<&str> = s.trim().split('/').collect();
        let (os, arch, variant) = match parts.as_slice() {
            [arch] => ("linux", *arch, None),
            [os, arch] => (*os, *arch, None),
            [os, arch, variant] => (*os, *arch, Some(*variant)),
            _ => return Err(format!("platform {s:?} is not os/arch[/variant]")),
        };
        let ok = |p: &str| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
        };
        if !ok(os) || !ok(arch) || variant.is_some_and(|v| !ok(v)) {
            return Err(format!("platform {s:?} is not os/arch[/variant]"));
        }
        Ok(Platform {
            os: os.to_ascii_lowercase(),
            architecture: normalise_arch(&arch.to_ascii_lowercase()).to_string(),
            variant: variant.map(str::to_ascii_lowercase),
        })
    }

    /// Linux on the architecture this program was built for.
    pub fn host() -> Platform {
        let (architecture, variant) = match std::env::consts::ARCH {
            "x86_64" => ("amd64", None),
            "aarch64" => ("arm64", None),
            "arm" => ("arm", Some("v7")),
            "x86" => ("386", None),
            "powerpc64" => ("ppc64le", None),
            other => (other, None),
        };
        Platform {
            os: "linux".into(),
            architecture: architecture.into(),
            variant: variant.map(str::to_string),
        }
    }

    /// Does an index entry's platform satisfy this one? A variant asked
    /// for must match (with arm64's implied `v8`); none asked for accepts any.
    pub fn matches(&self, other: &OciPlatform) -> bool {
        let arch = normalise_arch(&other.architecture().to_string()).to_string();
        if other.os().to_string() != self.os || arch != self.architecture {
            return false;
        }
        match &self.variant {
            None => true,
            Some(want) => {
                let have = other
                    .variant()
                    .clone()
                    .or_else(|| (arch == "arm64").then(|| "v8".to_string()));
                have.as_deref() == Some(want.as_str())
            }
        }
    }

    /// Matches the `os`/`architecture` of an image config.
    pub fn matches_config(&self, os: Option<&str>, arch: Option<&str>) -> bool {
        os.is_none_or(|o| o == self.os)
            && arch.is_none_or(|a| normalise_arch(a) == self.architecture)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// Describe an index entry's platform for messages.
pub(crate) fn describe(p: &OciPlatform) -> String {
    let mut s = format!("{}/{}", p.os(), p.architecture());
    if let Some(v) = p.variant() {
        s.push('/');
        s.push_str(v);
    }
    s
}

fn normalise_arch(arch: &str) -> &str {
    match arch {
        "x86_64" | "x86-64" => "amd64",
        "aarch64" => "arm64",
        "i386" | "i686" => "386",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oci_spec::image::{Arch, Os, PlatformBuilder};

    fn oci(os: Os, arch: Arch, variant: Option<&str>) -> OciPlatform {
        let mut b = PlatformBuilder::default().os(os).architecture(arch);
        if let Some(v) = variant {
            b = b.variant(v.to_string());
        }
        match b.build() {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn parses_and_matches() {
        let p = Platform::parse("linux/arm64/v8").ok();
        let Some(p) = p else { panic!("did not parse") };
        assert_eq!(p.to_string(), "linux/arm64/v8");
        assert!(p.matches(&oci(Os::Linux, Arch::ARM64, None)));
        assert!(p.matches(&oci(Os::Linux, Arch::ARM64, Some("v8"))));
        assert!(!p.matches(&oci(Os::Linux, Arch::Amd64, None)));

        let arm = Platform::parse("linux/arm/v7").ok();
        let Some(arm) = arm else {
            panic!("did not parse")
        };
        assert!(arm.matches(&oci(Os::Linux, Arch::ARM, Some("v7"))));
        assert!(!arm.matches(&oci(Os::Linux, Arch::ARM, Some("v6"))));

        let any = Platform::parse("x86_64").ok();
        assert_eq!(any.map(|p| p.to_string()).as_deref(), Some("linux/amd64"));
        assert!(Platform::parse("linux/amd64/v1/x").is_err());
        assert!(Platform::parse("linux//").is_err());
        assert!(Platform::host().matches_config(Some("linux"), None));
    }
}
