//! Acceptance: the shared real images pushed to a local `docker-registry`
//! read the same by reference as from their tarballs (config, layers and
//! every wanted file with the layer that wrote it). Skips without
//! ../shared or without `docker-registry`/`skopeo`.

mod common;
mod registry_support;

use registry_support::*;
use std::path::{Path, PathBuf};
use tidewatch_image::OpenOptions;

#[test]
fn shared_images_by_reference_match_their_tarballs() {
    let shared = std::env::var_os("TIDEWATCH_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let images = shared.join("images");
    if !images.is_dir() {
        println!("skipping: ../shared not found");
        return;
    }
    if !tools_present(&[]) {
        return;
    }
    let reg = Registry::start("", None);
    let filter = common::wants(
        &[
            "etc/os-release",
            "lib/apk/db/installed",
            "var/lib/dpkg/status",
        ],
        &["var/lib/dpkg/status.d", "usr/lib/python3", "usr/local/lib"],
    );
    for name in [
        "alpine-3.12.oci.tar",
        "alpine-3.18.oci.tar",
        "distroless-like.oci.tar",
    ] {
        let tar = images.join(name);
        if !tar.exists() {
            continue;
        }
        let repo = format!("shared/{}:t", name.trim_end_matches(".oci.tar"));
        reg.push(&format!("oci-archive:{}", tar.display()), &repo, false);
        let by_ref = open(&reg.reference(&repo), &options(None));
        let by_file = open(&tar.display().to_string(), &OpenOptions::default());
        assert_eq!(by_ref.config_digest, by_file.config_digest, "{name}");
        assert_eq!(by_ref.layers, by_file.layers, "{name}");
        let a = by_ref.squash(&filter).unwrap_or_else(|e| panic!("{e}"));
        let b = by_file.squash(&filter).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(listing(&a), listing(&b), "{name}");
        assert!(!a.files.is_empty(), "{name}");
    }
}
