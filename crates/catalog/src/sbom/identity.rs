//! From a purl (and what the document says around it) to the package
//! identity the matcher needs: kind, OSV ecosystem, lookup name, version
//! and source package.

use super::{Entry, Read, SbomContents};
use crate::os::{ecosystem, eol};
use packageurl::PackageUrl;
use std::collections::BTreeMap;
use std::str::FromStr;
use tidewatch_types::{Location, OsInfo, Package, PackageType, SourcePackage, Warning};

/// Purl types that name the scanned artifact itself, not a package in it.
const CONTAINER_TYPES: [&str; 2] = ["oci", "docker"];

/// The OSV ecosystem of a language purl type.
fn language_ecosystem(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "pypi" => "PyPI",
        "npm" => "npm",
        "gem" => "RubyGems",
        "composer" => "Packagist",
        "nuget" => "NuGet",
        "cargo" => "crates.io",
        "golang" => "Go",
        "maven" => "Maven",
        "hex" => "Hex",
        "pub" => "Pub",
        "hackage" => "Hackage",
        "cran" => "CRAN",
        _ => return None,
    })
}

/// The os-release `ID` tidewatch uses for a distro name as SBOM tools
/// spell it (Trivy's OS families, purl namespaces, os-release ids).
pub(super) fn family(name: &str) -> String {
    let lower = name.trim().to_ascii_lowercase();
    match lower.as_str() {
        "redhat" | "red hat" | "rhel" => "rhel",
        "alma" | "almalinux" => "almalinux",
        "rocky" | "rockylinux" => "rocky",
        "amazon" | "amzn" | "amazonlinux" => "amzn",
        "oracle" | "ol" | "oraclelinux" => "ol",
        "opensuse.leap" | "opensuse-leap" => "opensuse-leap",
        "opensuse.tumbleweed" | "opensuse-tumbleweed" => "opensuse-tumbleweed",
        "suse linux enterprise server" | "sles" | "suse" => "sles",
        "suse linux enterprise micro" | "sle-micro" => "sle-micro",
        "cbl-mariner" | "mariner" => "mariner",
        _ => return lower,
    }
    .to_string()
}

/// `debian-12.15` → (`debian`, `12.15`); `3.18.9` (Trivy's apk) → (none,
/// `3.18.9`); `opensuse-leap-15.5` → (`opensuse-leap`, `15.5`); `bookworm`
/// → (`bookworm`, none).
fn split_distro(d: &str) -> (Option<&str>, Option<&str>) {
    let d = d.trim();
    if d.starts_with(|c: char| c.is_ascii_digit()) {
        return (None, Some(d));
    }
    let bytes = d.as_bytes();
    for i in 1..bytes.len() {
        if bytes.get(i - 1) == Some(&b'-') && bytes.get(i).is_some_and(u8::is_ascii_digit) {
            let family = d.get(..i - 1).filter(|f| !f.is_empty());
            return (family, d.get(i..));
        }
    }
    ((!d.is_empty()).then_some(d), None)
}

/// The release an OS package of purl type `ty` belongs to: its `distro`
/// qualifier first, then the document's operating system.
fn package_os(purl: &PackageUrl, doc_os: Option<&OsInfo>) -> Option<OsInfo> {
    let ty = purl.ty();
    let from_namespace = purl.namespace().map(family);
    let distro = purl.qualifiers().get("distro").map(|d| d.as_ref());
    let (q_family, q_version) = distro.map(split_distro).unwrap_or((None, None));
    let mut os = OsInfo::default();
    match (q_family, q_version) {
        (Some(f), Some(v)) => {
            os.family = family(f);
            os.version = v.to_string();
        }
        (None, Some(v)) => {
            os.family = from_namespace.clone()?;
            os.version = v.to_string();
        }
        (Some(word), None) => {
            // A codename (`distro=bookworm`) or a bare family.
            let fam = from_namespace.clone().unwrap_or_else(|| family(word));
            if fam == "debian"
                && let Some(release) = eol::debian_release_of_codename(word)
            {
                os.family = fam;
                os.version = release.to_string();
                os.codename = Some(word.to_string());
            } else {
                os.family = family(word);
            }
        }
        (None, None) => {}
    }
    if os.version.is_empty() {
        // Fall back to the document's OS when it is the same distro (or
        // the purl does not say which distro it is).
        let doc = doc_os.filter(|d| ecosystem::native_format(d, ty))?;
        let same = os.family.is_empty() || os.family == doc.family;
        let namespace_agrees = from_namespace.as_deref().is_none_or(|n| n == doc.family);
        if !(same && namespace_agrees) {
            return None;
        }
        return Some(doc.clone());
    }
    if os.family.is_empty() {
        os.family = from_namespace?;
    }
    Some(os)
}

/// PEP 503 normalisation, to tell whether a document's spelling of a
/// PyPI name is the purl's name.
fn pep503(name: &str) -> String {
    crate::lang::lockfiles::identity::pep503(name)
}

/// What a component listed in the SBOM lacks to be matched; counted per
/// reason so that a thousand-package SBOM without distro qualifiers
/// gives one warning, not a thousand.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Unmatched {
    Purl,
    Version,
    Release(String),
}

pub(super) fn resolve(read: Read, path: &str) -> SbomContents {
    let Read {
        os,
        entries,
        mut warnings,
    } = read;
    let mut os = os.filter(|o| !o.family.is_empty());
    if let Some(o) = &mut os
        && let Some(date) = eol::apply(o, eol::today())
    {
        warnings.push(Warning::new(
            path,
            format!(
                "{} {} reached its end of life on {date}: its advisories are no longer maintained",
                o.family, o.version
            ),
        ));
    }
    let mut packages = Vec::new();
    let mut unmatched: BTreeMap<Unmatched, Vec<String>> = BTreeMap::new();
    for e in &entries {
        let Some(purl_text) = e.purl.as_deref() else {
            // Trivy lists the files that hold packages (a Go binary, a
            // lockfile) as components without purl or version.
            if e.version.is_some() {
                unmatched
                    .entry(Unmatched::Purl)
                    .or_default()
                    .push(e.name.clone());
            }
            continue;
        };
        let purl = match PackageUrl::from_str(purl_text) {
            Ok(p) => p,
            Err(err) => {
                warnings.push(Warning::new(
                    path,
                    format!("component {:?}: invalid purl {purl_text:?}: {err}", e.name),
                ));
                continue;
            }
        };
        if CONTAINER_TYPES.contains(&purl.ty()) {
            continue;
        }
        let (pkg, why) = package(e, &purl, purl_text, os.as_ref());
        if let Some(why) = why {
            unmatched
                .entry(why)
                .or_default()
                .push(format!("{}@{}", pkg.name, pkg.version));
        }
        packages.push(pkg);
    }
    for (why, names) in unmatched {
        let sample = names.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
        let more = if names.len() > 3 { ", …" } else { "" };
        let what = match why {
            Unmatched::Purl => "have no purl".to_string(),
            Unmatched::Version => "have no version".to_string(),
            Unmatched::Release(ty) => format!(
                "are {ty} packages whose distro release is not known (no usable distro= qualifier or operating-system component)"
            ),
        };
        warnings.push(Warning::new(
            path,
            format!(
                "{} component(s) {what}; they are listed but not matched ({sample}{more})",
                names.len()
            ),
        ));
    }
    (os, packages, warnings)
}

/// The package one component describes, and why it cannot be matched
/// when it cannot.
fn package(
    e: &Entry,
    purl: &PackageUrl,
    purl_text: &str,
    doc_os: Option<&OsInfo>,
) -> (Package, Option<Unmatched>) {
    let ty = purl.ty();
    let q = purl.qualifiers();
    let qualifier = |k: &str| q.get(k).map(|v| v.to_string()).filter(|v| !v.is_empty());
    let is_os = matches!(ty, "deb" | "apk" | "rpm");

    let name = match (ty, purl.namespace()) {
        ("maven", Some(ns)) => format!("{ns}:{}", purl.name()),
        (_, Some(ns)) if !is_os => format!("{ns}/{}", purl.name()),
        _ => purl.name().to_string(),
    };
    // Keep the document's spelling where the registry ignores case
    // (`PyYAML` rather than the purl's `pyyaml`).
    let name = match ty {
        "pypi" if pep503(&e.name) == pep503(&name) => e.name.clone(),
        "nuget" if e.name.eq_ignore_ascii_case(&name) => e.name.clone(),
        _ => name,
    };

    let mut version = purl
        .version()
        .map(str::to_string)
        .or_else(|| e.version.clone())
        .unwrap_or_default();
    if is_os
        && let Some(epoch) = qualifier("epoch").filter(|e| e != "0")
        && !version.is_empty()
        && !version.contains(':')
    {
        version = format!("{epoch}:{version}");
    }
    if ty == "golang" && name == "stdlib" {
        version = go_stdlib_version(&version);
    }

    let kind = if is_os {
        PackageType::Os
    } else {
        PackageType::Library
    };
    let mut p = Package::new(name, version, ty, kind);
    p.purl = purl_text.to_string();
    p.arch = qualifier("arch");
    p.licenses = e.licenses.clone();
    if let Some(path) = &e.path {
        p.locations.push(Location {
            path: path.clone(),
            layer: None,
        });
    }
    p.owned_by = e.owned_by.clone().filter(|_| !is_os);
    if let Some(label) = &e.modularity_label {
        p.metadata.insert("modularitylabel".into(), label.clone());
    }

    let mut why = None;
    if is_os {
        p.source = source(e, ty, &p.name, &p.version, qualifier("upstream"));
        match package_os(purl, doc_os) {
            Some(os) => {
                p.ecosystem =
                    ecosystem::ecosystem(&os).filter(|_| ecosystem::native_format(&os, ty));
                if p.ecosystem.is_none() {
                    why = Some(Unmatched::Release(ty.to_string()));
                }
            }
            None => why = Some(Unmatched::Release(ty.to_string())),
        }
    } else {
        let devel = ty == "golang" && matches!(p.version.as_str(), "(devel)" | "");
        p.ecosystem = language_ecosystem(ty)
            .filter(|_| !devel)
            .map(str::to_string);
    }
    if p.version.is_empty() && p.ecosystem.is_some() {
        p.ecosystem = None;
        why = Some(Unmatched::Version);
    }
    (p, why)
}

/// The source package of an OS package: the producing tool's properties,
/// else the purl's `upstream` qualifier (`glibc`, `glibc@2.36-9`, or for
/// rpm the source RPM file name).
fn source(
    e: &Entry,
    ty: &str,
    name: &str,
    version: &str,
    upstream: Option<String>,
) -> Option<SourcePackage> {
    let epoch_prefix = match version.split_once(':') {
        Some((epoch, _)) if ty == "rpm" => format!("{epoch}:"),
        _ => String::new(),
    };
    let (src_name, src_version) = if let Some(n) = &e.source_name {
        (n.clone(), e.source_version.clone())
    } else if let Some(up) = upstream {
        if ty == "rpm" {
            match crate::os::rpm::parse_source_rpm(&up) {
                Some((n, vr)) => (n.to_string(), Some(vr.to_string())),
                None => (up.clone(), None),
            }
        } else {
            match up.split_once('@') {
                Some((n, v)) if !v.is_empty() => (n.to_string(), Some(v.to_string())),
                _ => (up.clone(), None),
            }
        }
    } else if ty == "rpm" {
        // An rpm without its source RPM is matched on its own name only.
        return None;
    } else {
        (name.to_string(), None)
    };
    let src_version = match src_version {
        Some(v) if ty == "rpm" && !v.contains(':') => format!("{epoch_prefix}{v}"),
        Some(v) => v,
        None => version.to_string(),
    };
    Some(SourcePackage {
        name: src_name,
        version: src_version,
    })
}

/// The Go toolchain as the vulnerability database versions it
/// (`v1.24.1`), whether the SBOM wrote `go1.24.1`, `1.24.1` or `v1.24.1`.
fn go_stdlib_version(v: &str) -> String {
    let v = v.trim();
    if v.starts_with("go") {
        return crate::lang::go_buildinfo::stdlib_version(v).unwrap_or_else(|| v.to_string());
    }
    if v.starts_with(|c: char| c.is_ascii_digit()) {
        return crate::lang::go_buildinfo::stdlib_version(&format!("go{v}"))
            .unwrap_or_else(|| format!("v{v}"));
    }
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distro_qualifiers_split() {
        assert_eq!(
            split_distro("debian-12.15"),
            (Some("debian"), Some("12.15"))
        );
        assert_eq!(split_distro("3.18.9"), (None, Some("3.18.9")));
        assert_eq!(
            split_distro("opensuse-leap-15.5"),
            (Some("opensuse-leap"), Some("15.5"))
        );
        assert_eq!(split_distro("bookworm"), (Some("bookworm"), None));
        assert_eq!(
            split_distro("ubuntu-22.04"),
            (Some("ubuntu"), Some("22.04"))
        );
        assert_eq!(split_distro(""), (None, None));
    }

    #[test]
    fn stdlib_versions() {
        assert_eq!(go_stdlib_version("go1.24.1"), "v1.24.1");
        assert_eq!(go_stdlib_version("1.24.1"), "v1.24.1");
        assert_eq!(go_stdlib_version("v1.24.1"), "v1.24.1");
        assert_eq!(go_stdlib_version("1.21"), "v1.21.0");
    }
}
