//! Red Hat content sets: the repositories an image built by Red Hat's
//! build system (UBI, RHEL, OpenShift images) installed its rpms from,
//! listed in `root/buildinfo/content_manifests/*.json` as
//! `"content_sets": ["rhel-8-for-x86_64-baseos-rpms", …]`.
//!
//! They are recorded on the OS (`OsInfo::content_sets`, shown in the
//! report) and used where they change matching:
//!
//! - an image without os-release (some minimal and scratch-based Red Hat
//!   images) is still identified as RHEL of the content sets' major, so
//!   its rpms are matched against `Red Hat:enterprise_linux:<major>`;
//! - Extended Update Support / Advanced Update Support / Update Services
//!   for SAP / Telecom streams (`…-eus-rpms`, `…-aus-rpms`, `…-e4s-rpms`,
//!   `…-tus-rpms`, often pinned as `__9_DOT_4`) get their fixes on other
//!   version lines than the main stream, and the vulnerability data is for
//!   the main stream only (docs/architecture.md), so the scan says so
//!   rather than presenting main-stream fixed versions as the stream's.
//!
//! Trivy maps content sets to repository CPEs and matches only records of
//! those CPEs; tidewatch's records are per major (see the architecture
//! notes), so the content sets cannot narrow matching further.

use crate::Output;
use serde::Deserialize;
use std::collections::BTreeSet;
use tidewatch_image::Files;

const DIR: &str = "root/buildinfo/content_manifests/";

/// Manifests larger than this are not content manifests.
const MAX_MANIFEST: u64 = 4 * 1024 * 1024;

/// Whether `path` is a content manifest.
pub fn wants(path: &str) -> bool {
    path.strip_prefix(DIR)
        .is_some_and(|name| name.ends_with(".json") && !name.contains('/'))
}

#[derive(Deserialize)]
struct Manifest {
    #[serde(default)]
    content_sets: Option<Vec<String>>,
}

/// The content sets of every manifest in `files`, sorted and without
/// repeats, and the path of the first manifest that had any. A manifest
/// that cannot be read or parsed is a warning naming it.
pub fn read(files: &Files, out: &mut Output) -> (Vec<String>, Option<String>) {
    let mut sets = BTreeSet::new();
    let mut first = None;
    for (path, entry) in files.iter().filter(|(p, _)| wants(p)) {
        if entry.size > MAX_MANIFEST {
            out.warn(
                path,
                format!("content manifest is {} bytes; ignored", entry.size),
            );
            continue;
        }
        let bytes = match entry.data.bytes() {
            Ok(b) => b,
            Err(e) => {
                out.warn(path, format!("cannot read content manifest: {e}"));
                continue;
            }
        };
        match serde_json::from_slice::<Manifest>(&bytes) {
            Ok(m) => {
                let list = m.content_sets.unwrap_or_default();
                if !list.is_empty() && first.is_none() {
                    first = Some(path.to_string());
                }
                sets.extend(
                    list.into_iter()
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty()),
                );
            }
            Err(e) => out.warn(
                path,
                format!("not a content manifest (content_sets unreadable): {e}"),
            ),
        }
    }
    (sets.into_iter().collect(), first)
}

/// The RHEL major the content sets name (`rhel-8-for-x86_64-baseos-rpms`,
/// `rhel-7-server-rpms` → `8`, `7`), when they agree on one.
pub fn rhel_major(sets: &[String]) -> Option<String> {
    let majors: BTreeSet<&str> = sets
        .iter()
        .filter_map(|s| {
            let rest = s.strip_prefix("rhel-")?;
            let major = rest.split('-').next()?;
            (!major.is_empty() && major.chars().all(|c| c.is_ascii_digit())).then_some(major)
        })
        .collect();
    match majors.len() {
        1 => majors.into_iter().next().map(str::to_string),
        _ => None,
    }
}

/// The minor release a pinned set names (`…-eus-rpms__9_DOT_4` → `9.4`).
pub fn pinned_release(sets: &[String]) -> Option<String> {
    sets.iter().find_map(|s| {
        let (_, pin) = s.rsplit_once("__")?;
        let v = pin.replace("_DOT_", ".");
        (v.split('.').count() >= 2
            && v.split('.')
                .all(|p| p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty()))
        .then_some(v)
    })
}

/// The update stream other than the main one the RHEL sets come from
/// (`EUS`, `AUS`, `E4S`, `TUS`), if any.
pub fn extended_stream(sets: &[String]) -> Option<&'static str> {
    sets.iter()
        .filter(|s| s.starts_with("rhel-"))
        .find_map(|s| {
            let base = s.split("__").next().unwrap_or(s);
            base.split('-').find_map(|part| match part {
                "eus" => Some("EUS"),
                "aus" => Some("AUS"),
                "e4s" => Some("E4S"),
                "tus" => Some("TUS"),
                _ => None,
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn paths() {
        assert!(wants(
            "root/buildinfo/content_manifests/ubi8-minimal-container-8.5-218.json"
        ));
        assert!(!wants("root/buildinfo/content_manifests/sub/x.json"));
        assert!(!wants("root/buildinfo/Dockerfile-ubi8-8.3-227"));
        assert!(!wants("etc/content_manifests/x.json"));
    }

    #[test]
    fn majors_and_streams() {
        let ubi8 = v(&[
            "rhel-8-for-x86_64-baseos-rpms",
            "rhel-8-for-x86_64-appstream-rpms",
        ]);
        assert_eq!(rhel_major(&ubi8).as_deref(), Some("8"));
        assert_eq!(extended_stream(&ubi8), None);
        assert_eq!(pinned_release(&ubi8), None);
        assert_eq!(
            rhel_major(&v(&["rhel-7-server-rpms"])).as_deref(),
            Some("7")
        );
        let ocp = v(&[
            "rhel-9-for-x86_64-appstream-eus-rpms__9_DOT_4",
            "rhel-9-for-x86_64-baseos-eus-rpms__9_DOT_4",
            "rhocp-4.16-for-rhel-9-x86_64-rpms",
        ]);
        assert_eq!(rhel_major(&ocp).as_deref(), Some("9"));
        assert_eq!(extended_stream(&ocp), Some("EUS"));
        assert_eq!(pinned_release(&ocp).as_deref(), Some("9.4"));
        assert_eq!(
            extended_stream(&v(&["rhel-8-for-x86_64-baseos-aus-rpms__8_DOT_4"])),
            Some("AUS")
        );
        // Disagreeing majors name none.
        assert_eq!(
            rhel_major(&v(&[
                "rhel-8-for-x86_64-baseos-rpms",
                "rhel-9-for-x86_64-baseos-rpms"
            ])),
            None
        );
        assert_eq!(rhel_major(&v(&["rhocp-4.16-for-rhel-9-x86_64-rpms"])), None);
    }
}
