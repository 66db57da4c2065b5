//! Package URLs for OS packages (`pkg:deb/debian/…`, `pkg:apk/alpine/…`).
//!
//! Encoding and qualifier order are the `packageurl` crate's (qualifiers
//! sorted, values percent-encoded: `2.36-9+deb12u4` → `2.36-9%2Bdeb12u4`).
//! The `distro` qualifier is `<family>-<version>` of the detected OS, as
//! Trivy and Syft write it; `upstream` names the source package / origin
//! when it differs from the binary.

use tidewatch_types::OsInfo;

/// The purl of one OS package. `namespace` is the vendor (`debian`,
/// `ubuntu`, `alpine`, `wolfi`…). Falls back to a hand-built string only if
/// the crate rejects the name, which it does for an empty one; the
/// catalogers never pass those.
pub fn os_purl(
    ty: &str,
    namespace: &str,
    name: &str,
    version: &str,
    arch: Option<&str>,
    upstream: Option<&str>,
    os: Option<&OsInfo>,
) -> String {
    let distro = os
        .filter(|o| !o.family.is_empty())
        .map(|o| match o.version.as_str() {
            "" => o.family.clone(),
            v => format!("{}-{v}", o.family),
        });
    let build = || -> Result<String, packageurl::Error> {
        let mut p = packageurl::PackageUrl::new(ty, name)?;
        p.with_namespace(namespace);
        if !version.is_empty() {
            p.with_version(version);
        }
        if let Some(a) = arch.filter(|a| !a.is_empty()) {
            p.add_qualifier("arch", a)?;
        }
        if let Some(d) = &distro {
            p.add_qualifier("distro", d.as_str())?;
        }
        if let Some(u) = upstream.filter(|u| !u.is_empty() && *u != name) {
            p.add_qualifier("upstream", u)?;
        }
        Ok(p.to_string())
    };
    build().unwrap_or_else(|_| format!("pkg:{ty}/{namespace}/{name}@{version}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deb_purl_is_encoded_and_sorted() {
        let os = OsInfo {
            family: "debian".into(),
            version: "12.5".into(),
            ..OsInfo::default()
        };
        assert_eq!(
            os_purl(
                "deb",
                "debian",
                "libc6",
                "2.36-9+deb12u4",
                Some("amd64"),
                Some("glibc"),
                Some(&os)
            ),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12.5&upstream=glibc"
        );
        assert_eq!(
            os_purl(
                "deb",
                "debian",
                "bash",
                "5.2.15-2+b2",
                Some("amd64"),
                Some("bash"),
                None
            ),
            "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64"
        );
    }

    #[test]
    fn apk_purl() {
        let os = OsInfo {
            family: "alpine".into(),
            version: "3.18.9".into(),
            ..OsInfo::default()
        };
        assert_eq!(
            os_purl(
                "apk",
                "alpine",
                "libssl3",
                "3.1.7-r0",
                Some("x86_64"),
                Some("openssl"),
                Some(&os)
            ),
            "pkg:apk/alpine/libssl3@3.1.7-r0?arch=x86_64&distro=alpine-3.18.9&upstream=openssl"
        );
    }
}
