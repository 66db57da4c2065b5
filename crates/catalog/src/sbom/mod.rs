//! SBOM input (`tidewatch sbom FILE`): the packages a CycloneDX (1.2–1.6)
//! or SPDX 2.2/2.3 JSON document lists, turned into [`Package`]s the
//! matcher can use, plus the operating system the document names.
//!
//! A package's identity comes from its purl: the purl type gives the
//! ecosystem (`pkg:pypi` → `PyPI`, `pkg:deb` → `Debian:<major>` …), the
//! `distro=` qualifier (or, failing that, the document's operating-system
//! component) gives the release of OS packages, and `upstream=` (or the
//! producing tool's own properties: Trivy's `SrcName`/`SrcVersion`, Syft's
//! `metadata:source`) the source package the distro feeds key on. So an
//! SBOM written by Trivy, Syft or tidewatch itself is matched the way an
//! image scan would match the same packages.
//!
//! Nothing here is registered with the image catalogers: an SBOM is a
//! scan target of its own. A document that is not JSON, is neither
//! CycloneDX nor SPDX, or has fields of the wrong shape is an error that
//! names the file and the line; a single component that cannot be
//! understood (a purl that does not parse, an OS package with no release)
//! is a warning and the rest is read.

mod cyclonedx;
mod identity;
mod spdx;

use tidewatch_types::{OsInfo, Package, Warning};

/// Why an SBOM could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    #[error("{path}: not valid JSON: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
    /// A field of the wrong shape; `field` is its path in the document
    /// (`packages[0].externalRefs: `), empty at the top level.
    #[error("{path}: malformed {format} document: {field}{source}")]
    Shape {
        path: String,
        format: &'static str,
        field: String,
        source: serde_json::Error,
    },
    #[error(
        "{path}: not a CycloneDX or SPDX JSON document (no \"bomFormat\": \"CycloneDX\" or \"spdxVersion\" at the top level)"
    )]
    Unknown { path: String },
    #[error("{path}: unsupported {format} version {version:?} (supported: {supported})")]
    Version {
        path: String,
        format: &'static str,
        version: String,
        supported: &'static str,
    },
}

/// What an SBOM says: the OS (when it names one), the packages, and the
/// warnings about components that could not be used.
pub type SbomContents = (Option<OsInfo>, Vec<Package>, Vec<Warning>);

/// Read a CycloneDX or SPDX JSON SBOM. `path` names the file in errors
/// and warnings.
pub fn read_sbom(bytes: &[u8], path: &str) -> Result<SbomContents, SbomError> {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "bomFormat")]
        bom_format: Option<serde_json::Value>,
        #[serde(rename = "spdxVersion")]
        spdx_version: Option<serde_json::Value>,
    }
    let probe: Probe = serde_json::from_slice(bytes).map_err(|source| SbomError::Json {
        path: path.to_string(),
        source,
    })?;
    let read = if probe.bom_format.as_ref().and_then(|v| v.as_str()) == Some("CycloneDX") {
        cyclonedx::read(bytes, path)?
    } else if probe.spdx_version.is_some() {
        spdx::read(bytes, path)?
    } else {
        return Err(SbomError::Unknown {
            path: path.to_string(),
        });
    };
    Ok(identity::resolve(read, path))
}

/// Deserialise the document, naming the field whose shape is wrong (the
/// JSON error alone gives only line and column).
fn shaped<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    path: &str,
    format: &'static str,
) -> Result<T, SbomError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let at = e.path().to_string();
        SbomError::Shape {
            path: path.to_string(),
            format,
            field: if at == "." {
                String::new()
            } else {
                format!("{at}: ")
            },
            source: e.into_inner(),
        }
    })
}

/// One component as the document lists it, before its purl is
/// interpreted. Both readers produce these.
#[derive(Debug, Default, Clone)]
struct Entry {
    /// The name as the document spells it (CycloneDX `group` joined).
    name: String,
    version: Option<String>,
    purl: Option<String>,
    /// Source package name and version, from the producing tool's own
    /// properties (Trivy, Syft, tidewatch).
    source_name: Option<String>,
    source_version: Option<String>,
    /// Where in the image the package was found (no leading `/`).
    path: Option<String>,
    licenses: Vec<String>,
    /// RPM module stream (`modularitylabel`), when the tool records it.
    modularity_label: Option<String>,
    /// The OS package that installed this language package (tidewatch's
    /// own SBOMs say so), which keeps it matched by the OS advisories
    /// only, as in an image scan.
    owned_by: Option<String>,
}

/// What a reader found, before identities are resolved.
#[derive(Debug, Default)]
struct Read {
    os: Option<OsInfo>,
    entries: Vec<Entry>,
    warnings: Vec<Warning>,
}

/// A path as the image has it: no leading `/`.
fn image_path(p: &str) -> Option<String> {
    let p = p.trim().trim_start_matches('/');
    (!p.is_empty()).then(|| p.to_string())
}

/// Split Trivy's source version into version and release as it records
/// them (`SrcVersion` 2.36, `SrcRelease` 9+deb12u14, `SrcEpoch` 1).
fn join_evr(epoch: Option<&str>, version: Option<&str>, release: Option<&str>) -> Option<String> {
    let v = version.filter(|v| !v.is_empty())?;
    let mut out = String::new();
    if let Some(e) = epoch.filter(|e| !e.is_empty() && *e != "0") {
        out.push_str(e);
        out.push(':');
    }
    out.push_str(v);
    if let Some(r) = release.filter(|r| !r.is_empty()) {
        out.push('-');
        out.push_str(r);
    }
    Some(out)
}

/// Apply the properties Trivy, Syft and tidewatch write to an entry.
/// Unknown properties are ignored.
fn apply_properties<'a>(entry: &mut Entry, props: impl Iterator<Item = (&'a str, &'a str)>) {
    let mut trivy_src = (None, None, None, None); // name, version, release, epoch
    let mut syft_path = None;
    for (name, value) in props {
        match name {
            "aquasecurity:trivy:SrcName" => trivy_src.0 = Some(value),
            "aquasecurity:trivy:SrcVersion" => trivy_src.1 = Some(value),
            "aquasecurity:trivy:SrcRelease" => trivy_src.2 = Some(value),
            "aquasecurity:trivy:SrcEpoch" => trivy_src.3 = Some(value),
            "aquasecurity:trivy:FilePath" => entry.path = image_path(value),
            "aquasecurity:trivy:Modularitylabel" | "syft:metadata:modularityLabel" => {
                entry.modularity_label = Some(value.to_string())
            }
            "syft:metadata:source" | "syft:metadata:originPackage" => {
                entry.source_name = Some(value.to_string())
            }
            "syft:metadata:sourceVersion" => entry.source_version = Some(value.to_string()),
            "syft:location:0:path" => syft_path = image_path(value),
            "tidewatch:package:source_name" => entry.source_name = Some(value.to_string()),
            "tidewatch:package:source_version" => entry.source_version = Some(value.to_string()),
            "tidewatch:package:owned_by" => entry.owned_by = Some(value.to_string()),
            "tidewatch:location:path" if entry.path.is_none() => entry.path = image_path(value),
            "tidewatch:metadata:modularitylabel" => {
                entry.modularity_label = Some(value.to_string())
            }
            _ => {}
        }
    }
    if let Some(n) = trivy_src.0.filter(|n| !n.is_empty()) {
        entry.source_name = Some(n.to_string());
        entry.source_version = join_evr(trivy_src.3, trivy_src.1, trivy_src.2);
    }
    if entry.path.is_none() {
        entry.path = syft_path;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evr_joins_like_trivy_splits() {
        assert_eq!(
            join_evr(None, Some("2.36"), Some("9+deb12u14")).as_deref(),
            Some("2.36-9+deb12u14")
        );
        assert_eq!(
            join_evr(Some("1"), Some("2.38.1"), Some("5")).as_deref(),
            Some("1:2.38.1-5")
        );
        assert_eq!(
            join_evr(Some("0"), Some("3.1.7-r0"), None).as_deref(),
            Some("3.1.7-r0")
        );
        assert_eq!(join_evr(None, None, Some("1")), None);
    }

    #[test]
    fn neither_format_is_an_error() {
        let e = read_sbom(br#"{"hello": 1}"#, "x.json").err();
        assert!(matches!(e, Some(SbomError::Unknown { .. })), "{e:?}");
        let e = read_sbom(b"{\"bomFormat\": \"CycloneDX\",\n", "x.json").err();
        assert!(
            e.as_ref().is_some_and(
                |e| e.to_string().contains("x.json") && e.to_string().contains("line 2")
            ),
            "{e:?}"
        );
    }
}
