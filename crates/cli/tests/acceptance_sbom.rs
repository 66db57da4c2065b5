//! Acceptance: SBOM input on the real debian-multilayer image and real
//! feeds from `../shared`: the image scanned directly and through our own
//! CycloneDX and SPDX output gives the same findings. Skips, saying so,
//! where `../shared` or the built image is missing.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn shared() -> Option<PathBuf> {
    let p = std::env::var_os("TIDEWATCH_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    if p.join("vulndata").is_dir() {
        Some(p)
    } else {
        eprintln!("skipping: ../shared not found");
        None
    }
}

fn debian_multilayer() -> Option<PathBuf> {
    let dir = std::env::var_os("TIDEWATCH_IMAGES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/tw-images"))
        .join("debian-multilayer/oci-archive.tar");
    if dir.is_file() {
        Some(dir)
    } else {
        eprintln!("skipping: debian-multilayer not built (scripts/test.sh builds it)");
        None
    }
}

fn identities(report: &serde_json::Value) -> BTreeSet<(String, String, String)> {
    findings(report)
        .into_iter()
        .map(|f| (f.0, f.1, f.2))
        .collect()
}

#[test]
fn our_sboms_of_a_real_image_give_the_image_scans_findings() {
    let (Some(shared), Some(image)) = (shared(), debian_multilayer()) else {
        return;
    };
    let env = Env::new();
    let v = shared.join("vulndata");
    let mut args = vec!["db".to_string(), "import".to_string()];
    for feed in [
        "debian-security-tracker-2023",
        "golang-vulndb",
        "pypa-advisory-database",
        "nodejs-security-wg",
        "rustsec-advisory-db",
    ] {
        args.push(v.join(feed).display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = env.run(&args);
    assert!(
        out.status.success(),
        "import: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (_, direct, _) = env.scan_json("image", &image, &[]);
    let want = identities(&direct);
    assert!(
        want.len() > 50,
        "the image has many findings: {}",
        want.len()
    );
    // Language packages Debian installed (pip, fzf's Go stdlib) are judged
    // by Debian's advisories in both scans.
    assert!(!want.iter().any(|(n, v, _)| n == "pip" && v == "23.0.1"));

    for (format, file) in [
        ("cyclonedx", "sbom.cdx.json"),
        ("spdx-json", "sbom.spdx.json"),
    ] {
        let sbom = env.path(file);
        let out = env.run(&[
            "image",
            image.to_str().expect("utf8"),
            "--format",
            format,
            "--output",
            sbom.to_str().expect("utf8"),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (_, via, stderr) = env.scan_json("sbom", &sbom, &[]);
        assert_eq!(
            via["packages"].as_array().map(Vec::len),
            direct["packages"].as_array().map(Vec::len),
            "{format}"
        );
        let got = identities(&via);
        assert_eq!(
            got.symmetric_difference(&want).collect::<Vec<_>>(),
            Vec::<&(String, String, String)>::new(),
            "{format}: {stderr}"
        );
    }
}
