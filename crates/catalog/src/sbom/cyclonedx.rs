//! CycloneDX JSON (spec 1.2–1.6): `components` (nested ones too, and the
//! `metadata.component`'s children) with purls, and the
//! `operating-system` component for the OS.

use super::{Entry, Read, SbomError, apply_properties, shaped};
use serde::Deserialize;
use tidewatch_types::OsInfo;

const SUPPORTED: &str = "1.2, 1.3, 1.4, 1.5, 1.6";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bom {
    spec_version: String,
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(default)]
    components: Vec<Component>,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(default)]
    component: Option<Component>,
}

#[derive(Deserialize)]
struct Component {
    #[serde(rename = "type")]
    ty: String,
    name: String,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    purl: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    licenses: Vec<LicenseChoice>,
    #[serde(default)]
    properties: Vec<Property>,
    #[serde(default)]
    components: Vec<Component>,
}

#[derive(Deserialize)]
struct Property {
    name: String,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Deserialize)]
struct LicenseChoice {
    #[serde(default)]
    license: Option<License>,
    #[serde(default)]
    expression: Option<String>,
}

#[derive(Deserialize)]
struct License {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

pub(super) fn read(bytes: &[u8], path: &str) -> Result<Read, SbomError> {
    let bom: Bom = shaped(bytes, path, "CycloneDX")?;
    let version = bom.spec_version.trim();
    let minor = version
        .strip_prefix("1.")
        .and_then(|m| m.parse::<u32>().ok());
    if !matches!(minor, Some(2..=6)) {
        return Err(SbomError::Version {
            path: path.to_string(),
            format: "CycloneDX",
            version: version.to_string(),
            supported: SUPPORTED,
        });
    }
    let mut read = Read::default();
    walk(&bom.components, &mut read);
    if let Some(root) = bom.metadata.as_ref().and_then(|m| m.component.as_ref()) {
        // The described thing itself (an image) is not a package, but
        // some tools nest the inventory under it.
        walk(&root.components, &mut read);
    }
    Ok(read)
}

/// Collect components in document order. Depth is bounded by the JSON
/// parser's recursion limit.
fn walk(components: &[Component], read: &mut Read) {
    for c in components {
        if c.ty == "operating-system" {
            if read.os.is_none() {
                read.os = Some(os_of(c));
            }
        } else {
            read.entries.push(entry_of(c));
        }
        walk(&c.components, read);
    }
}

fn entry_of(c: &Component) -> Entry {
    let mut entry = Entry {
        name: match c.group.as_deref().filter(|g| !g.is_empty()) {
            Some(g) => format!("{g}/{}", c.name),
            None => c.name.clone(),
        },
        version: c.version.clone().filter(|v| !v.is_empty()),
        purl: c.purl.clone().filter(|p| !p.is_empty()),
        licenses: c
            .licenses
            .iter()
            .filter_map(|l| {
                l.expression.clone().or_else(|| {
                    l.license
                        .as_ref()
                        .and_then(|l| l.id.clone().or_else(|| l.name.clone()))
                })
            })
            .collect(),
        ..Entry::default()
    };
    apply_properties(
        &mut entry,
        c.properties
            .iter()
            .filter_map(|p| p.value.as_deref().map(|v| (p.name.as_str(), v))),
    );
    entry
}

/// `{"type": "operating-system", "name": "debian", "version": "12.15"}`
/// (Trivy), with Syft's `syft:distro:*` properties preferred when present.
fn os_of(c: &Component) -> OsInfo {
    let prop = |n: &str| {
        c.properties
            .iter()
            .find(|p| p.name == n)
            .and_then(|p| p.value.clone())
            .filter(|v| !v.is_empty())
    };
    let family = prop("syft:distro:id").unwrap_or_else(|| c.name.clone());
    OsInfo {
        family: super::identity::family(&family),
        version: prop("syft:distro:versionID")
            .or_else(|| c.version.clone())
            .unwrap_or_default(),
        name: prop("syft:distro:prettyName").or_else(|| c.description.clone()),
        codename: prop("syft:distro:versionCodename"),
        ..OsInfo::default()
    }
}
