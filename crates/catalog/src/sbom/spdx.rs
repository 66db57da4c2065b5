//! SPDX 2.2 / 2.3 JSON: `packages` with a `purl` external reference, the
//! `OPERATING-SYSTEM` package (Trivy) for the OS, and the `sourceInfo`
//! sentences Trivy and Syft write for the source package and the path.

use super::{Entry, Read, SbomError, image_path, shaped};
use serde::Deserialize;
use tidewatch_types::OsInfo;

const SUPPORTED: &str = "SPDX-2.2, SPDX-2.3";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    spdx_version: String,
    #[serde(default)]
    packages: Vec<SpdxPackage>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpdxPackage {
    name: String,
    #[serde(default)]
    version_info: Option<String>,
    #[serde(default)]
    external_refs: Vec<ExternalRef>,
    #[serde(default)]
    primary_package_purpose: Option<String>,
    #[serde(default)]
    source_info: Option<String>,
    #[serde(default)]
    license_declared: Option<String>,
    #[serde(default)]
    annotations: Vec<Annotation>,
    #[serde(default)]
    comment: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    reference_type: String,
    reference_locator: String,
}

#[derive(Deserialize)]
struct Annotation {
    #[serde(default)]
    comment: Option<String>,
}

pub(super) fn read(bytes: &[u8], path: &str) -> Result<Read, SbomError> {
    let doc: Document = shaped(bytes, path, "SPDX")?;
    if !matches!(doc.spdx_version.trim(), "SPDX-2.2" | "SPDX-2.3") {
        return Err(SbomError::Version {
            path: path.to_string(),
            format: "SPDX",
            version: doc.spdx_version,
            supported: SUPPORTED,
        });
    }
    let mut read = Read::default();
    for p in &doc.packages {
        if p.primary_package_purpose.as_deref() == Some("OPERATING-SYSTEM") {
            if read.os.is_none() {
                read.os = Some(OsInfo {
                    family: super::identity::family(&p.name),
                    version: p.version_info.clone().unwrap_or_default(),
                    ..OsInfo::default()
                });
            }
            continue;
        }
        let mut entry = Entry {
            name: p.name.clone(),
            version: p.version_info.clone().filter(|v| !v.is_empty()),
            purl: p
                .external_refs
                .iter()
                .find(|r| r.reference_type == "purl")
                .map(|r| r.reference_locator.clone()),
            licenses: p
                .license_declared
                .clone()
                .filter(|l| !matches!(l.as_str(), "" | "NOASSERTION" | "NONE"))
                .into_iter()
                .collect(),
            ..Entry::default()
        };
        if let Some(info) = &p.source_info {
            apply_source_info(&mut entry, info);
        }
        if let Some(comment) = &p.comment {
            apply_comment(&mut entry, comment);
        }
        for a in &p.annotations {
            // Trivy: "Modularitylabel: nodejs:18:…"
            if let Some(label) = a
                .comment
                .as_deref()
                .and_then(|c| c.strip_prefix("Modularitylabel: "))
            {
                entry.modularity_label = Some(label.to_string());
            }
        }
        read.entries.push(entry);
    }
    Ok(read)
}

/// tidewatch's own package comments: `found at PATH in layer …` and
/// `installed by OS package NAME`.
fn apply_comment(entry: &mut Entry, comment: &str) {
    for line in comment.lines() {
        if let Some(owner) = line.strip_prefix("installed by OS package ") {
            entry.owned_by = Some(owner.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("found at ")
            && entry.path.is_none()
        {
            let path = rest.split_once(" in ").map_or(rest, |(p, _)| p);
            entry.path = image_path(path);
        }
    }
}

/// Trivy: `built package from: glibc 2.36-9+deb12u14`, `package found in:
/// usr/local/bin/dive`; Syft: `acquired package info from DPKG DB:
/// /var/lib/dpkg/status, /usr/share/doc/…`.
fn apply_source_info(entry: &mut Entry, info: &str) {
    if let Some(rest) = info
        .strip_prefix("built package from: ")
        .or_else(|| info.strip_prefix("built from source package "))
    {
        let mut words = rest.split_whitespace();
        if let Some(name) = words.next() {
            entry.source_name = Some(name.to_string());
            entry.source_version = words.next().map(str::to_string);
        }
    } else if let Some(rest) = info.strip_prefix("package found in: ") {
        entry.path = image_path(rest);
    } else if info.starts_with("acquired package info from ")
        && let Some((_, paths)) = info.split_once(": ")
    {
        entry.path = paths.split(", ").next().and_then(image_path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_info_sentences() {
        let mut e = Entry::default();
        apply_source_info(&mut e, "built package from: glibc 2.36-9+deb12u14");
        assert_eq!(e.source_name.as_deref(), Some("glibc"));
        assert_eq!(e.source_version.as_deref(), Some("2.36-9+deb12u14"));
        let mut e = Entry::default();
        apply_source_info(
            &mut e,
            "acquired package info from DPKG DB: /var/lib/dpkg/status, /usr/share/doc/x/copyright",
        );
        assert_eq!(e.path.as_deref(), Some("var/lib/dpkg/status"));
        let mut e = Entry::default();
        apply_source_info(&mut e, "package found in: usr/local/bin/dive");
        assert_eq!(e.path.as_deref(), Some("usr/local/bin/dive"));
    }
}
