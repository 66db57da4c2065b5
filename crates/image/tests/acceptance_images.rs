//! Acceptance: open and squash every real image in `../shared/images` and
//! the debian-multilayer image built by its script (every format), with the
//! OS-package filter, and check the results against what is known about
//! them (their READMEs and `*.layers.tsv`). Skips when the data is absent.

mod common;

use std::path::{Path, PathBuf};
use tidewatch_image::{FileFilter, Image, OpenOptions, Squashed, Want, open};

struct OsPackages;

impl FileFilter for OsPackages {
    fn wants(&self, path: &str, _size: u64, _mode: u32) -> Want {
        let exact = [
            "etc/os-release",
            "usr/lib/os-release",
            "lib/apk/db/installed",
            "var/lib/dpkg/status",
            // deleted by alpine-3.18's second layer
            "etc/motd",
            // deleted by debian-multilayer's fourth layer
            "etc/issue.net",
        ];
        if exact.contains(&path) || path.starts_with("var/lib/dpkg/status.d/") {
            Want::Keep
        } else {
            Want::Skip
        }
    }
}

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("TIDEWATCH_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    dir.is_dir().then_some(dir)
}

/// `(digest, diff_id, created_by)` per layer, and the manifest/config digests.
struct Expected {
    layers: Vec<(String, String, String)>,
    manifest: String,
    config: String,
}

fn layers_tsv(path: &Path) -> Expected {
    let text = std::fs::read_to_string(path).expect("layers.tsv");
    let mut e = Expected {
        layers: Vec::new(),
        manifest: String::new(),
        config: String::new(),
    };
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.first() == Some(&"#") {
            for c in &cols[1..] {
                if let Some(m) = c.strip_prefix("manifest=") {
                    e.manifest = m.to_string();
                } else if let Some(m) = c.strip_prefix("config=") {
                    e.config = m.to_string();
                }
            }
        } else if cols.len() >= 6 {
            e.layers.push((
                cols[1].to_string(),
                cols[3].to_string(),
                cols[5].to_string(),
            ));
        }
    }
    e
}

fn check_layers(image: &Image, expected: &Expected, has_manifest: bool, spec: &str) {
    assert_eq!(image.layers.len(), expected.layers.len(), "{spec}");
    assert_eq!(image.config_digest, expected.config, "{spec}");
    if has_manifest {
        assert_eq!(
            image.manifest_digest.as_deref(),
            Some(expected.manifest.as_str()),
            "{spec}"
        );
    }
    for (info, (digest, diff_id, created_by)) in image.layers.iter().zip(&expected.layers) {
        assert_eq!(&info.diff_id, diff_id, "{spec} layer {}", info.index);
        if has_manifest {
            assert_eq!(
                info.digest.as_deref(),
                Some(digest.as_str()),
                "{spec} layer {}",
                info.index
            );
        }
        assert_eq!(
            info.created_by.as_deref(),
            Some(created_by.as_str()),
            "{spec} layer {}",
            info.index
        );
    }
}

fn squash(spec: &str) -> (Image, Squashed) {
    let image = open(spec, &OpenOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let squashed = image.squash(&OsPackages).unwrap_or_else(|e| panic!("{e}"));
    (image, squashed)
}

fn text(s: &Squashed, path: &str) -> String {
    common::text(s, path).unwrap_or_else(|| panic!("{path} not kept"))
}

fn count(text: &str, needle: &str) -> usize {
    text.lines().filter(|l| l.starts_with(needle)).count()
}

#[test]
fn shared_images_open_and_squash() {
    let Some(shared) = shared() else {
        eprintln!("skipping: ../shared not found");
        return;
    };
    let images = shared.join("images");
    for (file, tsv, apks, version, has_manifest) in [
        (
            "alpine-3.12.oci.tar",
            "alpine-3.12.layers.tsv",
            14,
            "3.12.12",
            true,
        ),
        (
            "alpine-3.12.docker-v25.tar",
            "alpine-3.12.layers.tsv",
            14,
            "3.12.12",
            true,
        ),
        (
            "alpine-3.18.oci.tar",
            "alpine-3.18.layers.tsv",
            15,
            "3.18.9",
            true,
        ),
        (
            "alpine-3.18.docker.tar",
            "alpine-3.18.layers.tsv",
            15,
            "3.18.9",
            false,
        ),
    ] {
        let spec = images.join(file).display().to_string();
        let (image, s) = squash(&spec);
        let expected = layers_tsv(&images.join(tsv));
        // The docker-v25 archive re-encodes the layer uncompressed, so only
        // diff_ids and the config are the same as in the OCI archive.
        let same_blobs = has_manifest && !file.contains("docker-v25");
        check_layers(&image, &expected, same_blobs, &spec);
        assert_eq!(
            count(&text(&s, "lib/apk/db/installed"), "P:"),
            apks,
            "{spec}"
        );
        assert_eq!(
            s.files.get("lib/apk/db/installed").and_then(|e| e.layer),
            Some(0)
        );
        assert!(text(&s, "etc/os-release").contains(version), "{spec}");
        // alpine-3.18's second layer deletes etc/motd; 3.12 keeps it.
        let deleted = version.starts_with("3.18");
        assert_eq!(s.files.contains("etc/motd"), !deleted, "{spec}: etc/motd");
        assert!(s.warnings.is_empty(), "{spec}: {:?}", s.warnings);
    }

    let spec = images.join("distroless-like.oci.tar").display().to_string();
    let (image, s) = squash(&spec);
    check_layers(
        &image,
        &layers_tsv(&images.join("distroless-like.layers.tsv")),
        true,
        &spec,
    );
    let packages = s
        .files
        .under("var/lib/dpkg/status.d/")
        .filter(|(p, _)| !p.ends_with(".md5sums"))
        .count();
    assert_eq!(packages, 11, "{spec}");
    assert!(!s.files.contains("var/lib/dpkg/status"));
    assert!(text(&s, "etc/os-release").contains("bookworm"), "{spec}");
    assert_eq!(s.warnings.len(), 1, "{spec}: {:?}", s.warnings);
    assert!(
        s.warnings[0].message.contains("layer 1"),
        "{:?}",
        s.warnings
    );
}

#[test]
fn debian_multilayer_in_every_format() {
    let dir = Path::new("/tmp/tw-images/debian-multilayer");
    if !dir.is_dir() {
        eprintln!("skipping: /tmp/tw-images/debian-multilayer not built");
        return;
    }
    let expected = layers_tsv(&dir.join("layers.tsv"));
    for (name, same_blobs) in [
        ("oci", true),
        ("oci-archive.tar", true),
        ("docker-archive.tar", false),
        ("docker-save-v25.tar", false),
        ("oci-zstd", false),
    ] {
        let path = dir.join(name);
        if !path.exists() {
            continue;
        }
        let spec = path.display().to_string();
        let (image, s) = squash(&spec);
        check_layers(&image, &expected, same_blobs, &spec);
        let status = text(&s, "var/lib/dpkg/status");
        assert_eq!(
            count(&status, "Status: install ok installed"),
            144,
            "{spec}"
        );
        assert_eq!(
            s.files.get("var/lib/dpkg/status").and_then(|e| e.layer),
            Some(3),
            "{spec}"
        );
        // etc/os-release is a symlink to ../usr/lib/os-release
        assert!(text(&s, "etc/os-release").contains("bookworm"), "{spec}");
        assert!(
            !s.files.contains("etc/issue.net"),
            "{spec}: removed in layer 3"
        );
        // The last layer (written by the build script) has no tar tail either.
        assert!(
            s.warnings.iter().all(|w| w.message.contains("layer 4")),
            "{spec}: {:?}",
            s.warnings
        );
    }
}
