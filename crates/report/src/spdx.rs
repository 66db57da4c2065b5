//! SPDX 2.3 JSON: the scanned image as the document's root package, one
//! package per tidewatch package (purl as a `PACKAGE-MANAGER` external
//! ref, reported advisories as `SECURITY` refs), and `DESCRIBES` /
//! `CONTAINS` relationships.
//!
//! SPDX ids are built from the package name plus a short hash of its
//! identity (purl, path), so they are stable across runs and unique even
//! for one purl at two paths. The namespace carries a v5 UUID of the
//! report's content, and `created` comes from the caller (or
//! `SOURCE_DATE_EPOCH`), so equal scans render equal documents.
//!
//! Layer attribution is in each package's `comment` and `sourceInfo`,
//! SPDX 2.3 having no field for it.

use crate::document::{self, advisory_url, content_uuid, image_purl, layer, layer_label};
use crate::licenses::{is_spdx_expression, join_and, license_ref_id};
use jiff::Timestamp;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use tidewatch_types::{Finding, Package, Report, TargetKind};
use uuid::Uuid;

const NOASSERTION: &str = "NOASSERTION";
const ROOT_ID: &str = "SPDXRef-Image";
const OS_ID: &str = "SPDXRef-OperatingSystem";

pub fn render(
    report: &Report,
    created: Option<Timestamp>,
    out: &mut dyn Write,
) -> Result<(), serde_json::Error> {
    crate::document::write_json(&to_value(report, created), out)
}

/// The SPDX document as a JSON value (also what the tests inspect).
pub fn to_value(report: &Report, created: Option<Timestamp>) -> Value {
    let uuid = content_uuid(report);
    let mut licenses = LicenseRefs::default();
    let ids = package_ids(report);

    let mut findings_by_pkg: HashMap<usize, Vec<&Finding>> = HashMap::new();
    let index = document::PackageIndex::new(report);
    for f in &report.findings {
        if let Some(i) = index.find(f) {
            findings_by_pkg.entry(i).or_default().push(f);
        }
    }

    let mut packages = vec![root_package(report)];
    let mut relationships = vec![rel("SPDXRef-DOCUMENT", "DESCRIBES", ROOT_ID)];
    if let Some(os) = &report.target.os {
        let mut p = json!({
            "SPDXID": OS_ID,
            "name": os.family,
            "versionInfo": os.version,
            "downloadLocation": NOASSERTION,
            "filesAnalyzed": false,
            "primaryPackagePurpose": "OPERATING-SYSTEM",
        });
        if let Some(n) = &os.name {
            p["description"] = json!(n);
        }
        packages.push(p);
        relationships.push(rel(ROOT_ID, "CONTAINS", OS_ID));
    }
    for (i, (p, id)) in report.packages.iter().zip(&ids).enumerate() {
        let fs = findings_by_pkg.get(&i).map(Vec::as_slice).unwrap_or(&[]);
        packages.push(package(report, p, id, fs, &mut licenses));
        relationships.push(rel(ROOT_ID, "CONTAINS", id));
    }

    let mut doc = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": report.target.name,
        "documentNamespace": format!(
            "https://spdx.org/spdxdocs/tidewatch/{}-{uuid}",
            uri_segment(&report.target.name)
        ),
        "creationInfo": {
            "created": document::timestamp_string(document::created(created)),
            "creators": [format!("Tool: {}-{}", report.tool.name, report.tool.version)],
        },
        "packages": packages,
        "relationships": relationships,
    });
    let extracted = licenses.into_json();
    if !extracted.is_empty() {
        doc["hasExtractedLicensingInfos"] = Value::Array(extracted);
    }
    doc
}

fn rel(from: &str, kind: &str, to: &str) -> Value {
    json!({"spdxElementId": from, "relationshipType": kind, "relatedSpdxElement": to})
}

fn root_package(report: &Report) -> Value {
    let t = &report.target;
    let mut p = json!({
        "SPDXID": ROOT_ID,
        "name": t.name,
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": false,
        "primaryPackagePurpose": match t.kind {
            TargetKind::Image => "CONTAINER",
            TargetKind::Fs | TargetKind::Sbom => "APPLICATION",
        },
    });
    if let Some(d) = &t.digest {
        p["versionInfo"] = json!(d);
        if let Some(hex) = document::sha256_hex(d) {
            p["checksums"] = json!([{"algorithm": "SHA256", "checksumValue": hex}]);
        }
    }
    if let Some(purl) = image_purl(report) {
        p["externalRefs"] = json!([purl_ref(&purl)]);
    }
    let mut comment: Vec<String> = Vec::new();
    if let Some(c) = &t.config_digest {
        comment.push(format!("config {c}"));
    }
    comment.extend(report.layers.iter().map(|l| {
        let mut s = layer_label(l);
        s.push_str(&format!(", diff_id {}", l.diff_id));
        s
    }));
    if !comment.is_empty() {
        p["comment"] = json!(comment.join("\n"));
    }
    p
}

fn purl_ref(purl: &str) -> Value {
    json!({
        "referenceCategory": "PACKAGE-MANAGER",
        "referenceType": "purl",
        "referenceLocator": purl,
    })
}

fn package(
    report: &Report,
    p: &Package,
    id: &str,
    findings: &[&Finding],
    licenses: &mut LicenseRefs,
) -> Value {
    let declared = if p.licenses.is_empty() {
        NOASSERTION.to_string()
    } else {
        join_and(p.licenses.iter().map(|l| licenses.expression(l)))
    };
    let mut v = json!({
        "SPDXID": id,
        "name": p.name,
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": false,
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": declared,
        "copyrightText": NOASSERTION,
        "primaryPackagePurpose": "LIBRARY",
    });
    if !p.version.is_empty() {
        v["versionInfo"] = json!(p.version);
    }
    if let Some(s) = &p.source {
        v["sourceInfo"] = json!(format!(
            "built from source package {} {}",
            s.name, s.version
        ));
    }
    let mut refs = Vec::new();
    if !p.purl.is_empty() {
        refs.push(purl_ref(&p.purl));
    }
    for f in findings {
        let fixed = if f.fixed_versions.is_empty() {
            format!("no fix ({})", f.fix_state)
        } else {
            format!("fixed in {}", f.fixed_versions.join(", "))
        };
        refs.push(json!({
            "referenceCategory": "SECURITY",
            "referenceType": "advisory",
            "referenceLocator": advisory_url(&f.id),
            "comment": match &f.vex_status {
                Some(v) => format!("{} {}: {fixed}; VEX: {v}", f.id, f.severity),
                None => format!("{} {}: {fixed}", f.id, f.severity),
            },
        }));
    }
    if !refs.is_empty() {
        v["externalRefs"] = Value::Array(refs);
    }
    let mut comment: Vec<String> = p
        .locations
        .iter()
        .map(|loc| match layer(report, loc.layer) {
            Some(l) => format!("found at {} in {}", loc.path, layer_label(l)),
            None => match loc.layer {
                Some(i) => format!("found at {} in layer {i}", loc.path),
                None => format!("found at {}", loc.path),
            },
        })
        .collect();
    if let Some(l) = layer(report, p.layer()) {
        comment.push(format!("layer diff_id {}", l.diff_id));
    }
    if let Some(o) = &p.owned_by {
        comment.push(format!("installed by OS package {o}"));
    }
    if !comment.is_empty() {
        v["comment"] = json!(comment.join("\n"));
    }
    v
}

/// `SPDXRef-Package-<type>-<name>-<hash>`: SPDX ids allow letters, digits,
/// `.` and `-` only; the hash of the package's identity keeps ids stable
/// and apart, a counter settles the (identical-package) rest.
fn package_ids(report: &Report) -> Vec<String> {
    let mut used: BTreeSet<String> = [ROOT_ID.to_string(), OS_ID.to_string()].into();
    report
        .packages
        .iter()
        .map(|p| {
            let identity = format!(
                "{}|{}|{}|{}",
                p.purl,
                p.name,
                p.version,
                p.path().unwrap_or("")
            );
            let hash = Uuid::new_v5(&Uuid::NAMESPACE_OID, identity.as_bytes()).simple();
            let hash = hash.to_string();
            let base = format!(
                "SPDXRef-Package-{}-{}-{}",
                id_chars(&p.format),
                id_chars(&p.name),
                hash.get(..16).unwrap_or(&hash)
            );
            let mut id = base.clone();
            let mut n = 2;
            while !used.insert(id.clone()) {
                id = format!("{base}-{n}");
                n += 1;
            }
            id
        })
        .collect()
}

fn id_chars(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if out.is_empty() { "x".into() } else { out }
}

/// A name fit for one URI path segment.
fn uri_segment(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let out = out.trim_matches('-').to_string();
    if out.is_empty() { "target".into() } else { out }
}

/// Licence texts that are not SPDX expressions, each given a
/// `LicenseRef-` id that is unique per distinct text.
#[derive(Default)]
struct LicenseRefs {
    by_id: BTreeMap<String, String>,
    by_text: HashMap<String, String>,
}

impl LicenseRefs {
    fn expression(&mut self, license: &str) -> String {
        let license = license.trim();
        if is_spdx_expression(license) {
            return license.to_string();
        }
        if let Some(id) = self.by_text.get(license) {
            return id.clone();
        }
        let base = license_ref_id(license);
        let mut id = base.clone();
        let mut n = 2;
        while self.by_id.contains_key(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.by_id.insert(id.clone(), license.to_string());
        self.by_text.insert(license.to_string(), id.clone());
        id
    }

    fn into_json(self) -> Vec<Value> {
        self.by_id
            .into_iter()
            .map(|(id, text)| json!({"licenseId": id, "extractedText": text, "name": text}))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn license_refs_are_unique_per_text() {
        let mut l = LicenseRefs::default();
        assert_eq!(l.expression("MIT"), "MIT");
        assert_eq!(l.expression("MIT License"), "LicenseRef-MIT-License");
        assert_eq!(l.expression("MIT-License!"), "LicenseRef-MIT-License-2");
        assert_eq!(l.expression("MIT License"), "LicenseRef-MIT-License");
        assert_eq!(l.into_json().len(), 2);
    }

    #[test]
    fn ids_and_segments_are_sanitised() {
        assert_eq!(id_chars("@scope/pkg_x"), "-scope-pkg-x");
        assert_eq!(uri_segment("/tmp/img.tar"), "tmp-img.tar");
        assert_eq!(uri_segment("///"), "target");
    }
}
