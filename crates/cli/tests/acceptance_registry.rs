//! Acceptance (issue 7's "done means"): the shared images and the built
//! debian-multilayer, pushed to a local `docker-registry` and scanned by
//! reference through the real binary, give the same report (packages,
//! findings, layers) as their tarballs. Skips, saying so, without
//! ../shared, the built Debian image, or `docker-registry`/`skopeo`.

mod common;
#[path = "../../image/tests/registry_support/mod.rs"]
mod registry_support;

use common::{Env, debian_multilayer, findings, shared};
use registry_support::{Registry, tools_present};
use std::path::PathBuf;

#[test]
fn images_by_reference_give_the_same_report_as_their_tarballs() {
    let Some(shared) = shared(&["images"]) else {
        return;
    };
    if !tools_present(&[]) {
        return;
    }
    let env = Env::new();
    env.import_feeds(
        &shared.join("vulndata"),
        &[
            "pschou-oval",
            "alpine-secdb-2020",
            "debian-security-tracker-2023",
            "golang-vulndb",
            "pypa-advisory-database",
            "rustsec-advisory-db",
            "nodejs-security-wg",
        ],
    );

    let reg = Registry::start("", None);
    let mut images: Vec<PathBuf> = ["alpine-3.12.oci.tar", "distroless-like.oci.tar"]
        .iter()
        .map(|n| shared.join("images").join(n))
        .filter(|p| p.is_file())
        .collect();
    images.extend(debian_multilayer().map(|d| d.join("oci-archive.tar")));
    for (i, tar) in images.iter().enumerate() {
        let repo = format!("acceptance/image{i}:t");
        reg.push(&format!("oci-archive:{}", tar.display()), &repo, false);
        let reference = reg.reference(&repo);
        let scan = |target: &str| {
            let out = env.run(&[
                "image",
                target,
                "--format",
                "json",
                "--skip-db-update",
                "--image-src",
                "registry",
                "--insecure",
                "--no-cache",
            ]);
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            assert_eq!(out.status.code(), Some(0), "{target}: {stderr}");
            let report: serde_json::Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{target}: no JSON ({e}): {stderr}"));
            report
        };
        let by_ref = scan(&reference);
        let by_file = scan(&tar.display().to_string());
        let name = tar.display();
        assert!(
            !by_file["packages"].as_array().is_none_or(Vec::is_empty),
            "{name}"
        );
        assert_eq!(by_ref["packages"], by_file["packages"], "{name}");
        assert_eq!(findings(&by_ref), findings(&by_file), "{name}");
        assert_eq!(by_ref["findings"], by_file["findings"], "{name}");
        assert_eq!(by_ref["layers"], by_file["layers"], "{name}");
        assert_eq!(
            by_ref["target"]["config_digest"], by_file["target"]["config_digest"],
            "{name}"
        );
        println!(
            "{name}: {} packages, {} findings, the same by reference",
            by_file["packages"].as_array().map_or(0, Vec::len),
            by_file["findings"].as_array().map_or(0, Vec::len)
        );
    }
}
