//! Acceptance: SBOM input on the real debian-multilayer image and real
//! feeds from `../shared`: the image scanned directly and through our own
//! CycloneDX and SPDX output gives the same findings. Skips, saying so,
//! where `../shared` or the built image is missing.

mod common;

use common::*;
use std::collections::BTreeSet;

fn identities(report: &serde_json::Value) -> BTreeSet<(String, String, String)> {
    findings(report)
        .into_iter()
        .map(|f| (f.0, f.1, f.2))
        .collect()
}

#[test]
fn our_sboms_of_a_real_image_give_the_image_scans_findings() {
    let (Some(shared), Some(image)) = (shared(&["vulndata"]), debian_multilayer()) else {
        return;
    };
    let image = image.join("oci-archive.tar");
    let env = Env::new();
    env.import_feeds(
        &shared.join("vulndata"),
        &[
            "debian-security-tracker-2023",
            "golang-vulndb",
            "pypa-advisory-database",
            "nodejs-security-wg",
            "rustsec-advisory-db",
        ],
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
