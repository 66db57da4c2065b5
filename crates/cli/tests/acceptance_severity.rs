//! Acceptance (issue 5's "done means"): with `../shared/vulndata`'s feeds
//! and its NVD subset imported, every finding on the shared images whose
//! CVE NVD scored carries NVD's vectors, takes NVD's severity unless the
//! distro rated it itself, alpine-3.12's zlib CVE-2022-37434 is CRITICAL
//! with NVD's vector (so `--fail-on HIGH` fails), and KEV is attached
//! wherever CISA lists the CVE. Skips where `../shared` is missing.

mod common;

use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::OnceLock;

fn shared() -> Option<PathBuf> {
    common::shared(&["images", "vulndata/nvd-subset"])
}

fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let env = Env::new();
        let v = shared().expect("checked by caller").join("vulndata");
        env.import_feeds(
            &v,
            &[
                "pschou-oval",
                "golang-vulndb",
                "pypa-advisory-database",
                "cisa-kev",
                "nvd-subset",
            ],
        );
        env
    })
}

/// NVD's vectors per CVE, and the severity of its preferred entry
/// (v4.0 > v3.1 > v3.0 > v2, NVD's own Primary first), as NVD states it.
fn nvd(shared: &std::path::Path) -> BTreeMap<String, (BTreeSet<String>, String)> {
    let text = std::fs::read_to_string(shared.join("vulndata/nvd-subset/nvd-cves-2.0.json"))
        .expect("nvd subset");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let rank = |v: &str| match v {
        "4.0" => 4,
        "3.1" => 3,
        "3.0" => 2,
        _ => 1,
    };
    let mut out = BTreeMap::new();
    for item in doc["vulnerabilities"].as_array().expect("list") {
        let cve = &item["cve"];
        let mut vectors = BTreeSet::new();
        let mut best: Option<(i32, bool, String)> = None;
        for metrics in cve["metrics"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
        {
            for m in metrics.as_array().into_iter().flatten() {
                let data = &m["cvssData"];
                let version = data["version"].as_str().unwrap_or("");
                vectors.insert(data["vectorString"].as_str().unwrap_or("").to_string());
                let sev = data["baseSeverity"]
                    .as_str()
                    .or(m["baseSeverity"].as_str())
                    .unwrap_or("")
                    .to_string();
                let primary = m["type"] == "Primary";
                let better = best.as_ref().is_none_or(|(r, p, _)| {
                    rank(version) > *r || (rank(version) == *r && primary && !*p)
                });
                if better {
                    best = Some((rank(version), primary, sev));
                }
            }
        }
        if let Some((_, _, sev)) = best {
            out.insert(cve["id"].as_str().unwrap_or("").to_string(), (vectors, sev));
        }
    }
    out
}

fn kev(shared: &std::path::Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(
        shared.join("vulndata/cisa-kev/known_exploited_vulnerabilities.json"),
    )
    .expect("kev");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    doc["vulnerabilities"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|v| v["cveID"].as_str().map(String::from))
        .collect()
}

#[test]
fn alpine_3_12_zlib_is_critical_from_nvd_and_fails_the_high_gate() {
    let Some(shared) = shared() else { return };
    let env = env();
    let img = shared.join("images/alpine-3.12.oci.tar");
    let (code, report, stderr) = env.scan_json("image", &img, &["--fail-on", "HIGH"]);
    assert_eq!(code, 1, "{stderr}");
    let f = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["id"] == "CVE-2022-37434")
        .expect("zlib finding");
    assert_eq!(f["package"]["name"], "zlib");
    assert_eq!(f["severity"], "CRITICAL");
    assert_eq!(f["severity_source"], "nvd:cvss3.1");
    assert_eq!(
        f["cvss"][0]["vector"],
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    );
    assert_eq!(f["cvss"][0]["source"], "nvd");
    assert_eq!(f["cvss"][0]["score"], 9.8);
    let p = img.to_str().expect("utf8");
    assert_eq!(
        env.run(&["image", p, "--fail-on", "CRITICAL"])
            .status
            .code(),
        Some(1)
    );
    let table = env.run(&["image", p]);
    assert!(String::from_utf8_lossy(&table.stdout).contains("CRITICAL"));
}

#[test]
fn every_finding_nvd_scored_carries_its_vectors_and_kev_where_listed() {
    let Some(shared) = shared() else { return };
    let env = env();
    let nvd = nvd(&shared);
    let kev = kev(&shared);
    let mut images: Vec<PathBuf> = [
        "alpine-3.12.oci.tar",
        "alpine-3.18.oci.tar",
        "distroless-like.oci.tar",
    ]
    .iter()
    .map(|i| shared.join("images").join(i))
    .collect();
    let multilayer = PathBuf::from(
        std::env::var_os("TIDEWATCH_IMAGES").unwrap_or_else(|| "/tmp/tw-images".into()),
    )
    .join("debian-multilayer/oci-archive.tar");
    if multilayer.is_file() {
        images.push(multilayer);
    } else {
        eprintln!("debian-multilayer not built; checking the shared images only");
    }
    let (mut scored, mut from_nvd, mut vendor, mut kevs) = (0, 0, 0, 0);
    for img in &images {
        let (_, report, _) = env.scan_json("image", img, &[]);
        let findings = report["findings"].as_array().expect("findings");
        for f in findings {
            let ids: Vec<&str> = std::iter::once(&f["id"])
                .chain(f["aliases"].as_array().into_iter().flatten())
                .filter_map(|v| v.as_str())
                .filter(|i| i.starts_with("CVE-"))
                .collect();
            let vectors: BTreeSet<&str> = f["cvss"]
                .as_array()
                .expect("cvss")
                .iter()
                .filter_map(|c| c["vector"].as_str())
                .collect();
            let what = format!("{} {} on {}", f["id"], f["package"]["name"], img.display());
            for id in &ids {
                if kev.contains(*id) {
                    assert_eq!(f["kev"], true, "{what}: {id} is in KEV");
                }
                let Some((nvd_vectors, nvd_sev)) = nvd.get(*id) else {
                    continue;
                };
                scored += 1;
                for v in nvd_vectors {
                    assert!(
                        vectors.contains(v.as_str()),
                        "{what}: NVD vector {v} missing"
                    );
                }
                let source = f["severity_source"].as_str().unwrap_or("");
                if source.starts_with("nvd:") && ids.len() == 1 {
                    from_nvd += 1;
                    assert_eq!(f["severity"], nvd_sev.as_str(), "{what}");
                } else if !source.contains("cvss") && !source.is_empty() {
                    vendor += 1;
                }
                assert_ne!(f["severity"], "UNKNOWN", "{what}: NVD scored {id}");
            }
            kevs += usize::from(f["kev"] == true);
        }
    }
    eprintln!(
        "{scored} findings NVD scored: {from_nvd} with NVD's severity, {vendor} with the distro's own; {kevs} in KEV"
    );
    assert!(scored > 0 && from_nvd > 0);
}
