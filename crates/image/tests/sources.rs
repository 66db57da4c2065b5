//! Every layout × compression opens, verifies and squashes to the same
//! files; tags and digests select among several images.

mod common;

use common::{layer, paths, text, wants};
use tidewatch_image::{ImageError, OpenOptions, open};
use tidewatch_testkit::{Compression, ImageBuilder, OciLayout};

fn sample(c: Compression) -> ImageBuilder {
    ImageBuilder::new()
        .compression(c)
        .tag("example/app:1.0")
        .label("org.example", "yes")
        .env("PATH=/usr/bin")
        .layer(|l| {
            l.created_by("ADD rootfs /")
                .dir("etc")
                .file("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n")
                .file("var/lib/dpkg/status", b"Package: base\n")
                .file_mode("usr/bin/tool", b"\x7fELF binary", 0o755)
                .file_mode("usr/bin/script", b"#!/bin/sh\n", 0o755)
                .file("usr/share/doc/ignored", b"not wanted")
        })
        .empty_step("ENV PATH=/usr/bin")
        .layer(|l| {
            l.created_by("RUN apt-get install x")
                .file("var/lib/dpkg/status", b"Package: base\n\nPackage: x\n")
        })
}

type Writer = fn(&ImageBuilder, &std::path::Path) -> std::io::Result<tidewatch_testkit::BuiltImage>;

fn writers() -> Vec<(&'static str, Writer, bool)> {
    vec![
        (
            "docker-archive.tar",
            |b, p| b.write_docker_archive(p),
            false,
        ),
        (
            "docker-symlinked.tar",
            |b, p| b.write_docker_archive_symlinked(p),
            false,
        ),
        ("docker-v25.tar", |b, p| b.write_docker_v25(p), true),
        ("oci.tar", |b, p| b.write_oci_tar(p), true),
        ("oci-dir", |b, p| b.write_oci_dir(p), true),
    ]
}

#[test]
fn every_layout_and_compression_squashes_the_same() {
    let dir = tempfile::tempdir().expect("tempdir");
    let filter = wants(&["etc/os-release", "var/lib/dpkg/status"], &[]);
    for c in Compression::ALL {
        for (name, write, has_manifest) in writers() {
            let path = dir.path().join(format!("{c:?}-{name}"));
            let built = write(&sample(c), &path).expect("write image");
            let spec = path.display().to_string();
            let image = open(&spec, &OpenOptions::default())
                .unwrap_or_else(|e| panic!("{c:?} {name}: {e}"));
            assert_eq!(image.config_digest, built.config_digest, "{c:?} {name}");
            assert_eq!(
                image.manifest_digest,
                has_manifest.then(|| built.manifest_digest.clone()),
                "{c:?} {name}"
            );
            assert_eq!(image.config.os.as_deref(), Some("linux"));
            assert_eq!(image.config.architecture.as_deref(), Some("amd64"));
            assert_eq!(image.config.env, vec!["PATH=/usr/bin"]);
            assert_eq!(
                image.config.labels.get("org.example").map(String::as_str),
                Some("yes")
            );
            assert_eq!(image.layers.len(), 2);
            for (info, b) in image.layers.iter().zip(&built.layers) {
                assert_eq!(info.diff_id, b.diff_id);
                if has_manifest {
                    assert_eq!(info.digest.as_deref(), Some(b.digest.as_str()));
                }
            }
            assert_eq!(image.layers[0].created_by.as_deref(), Some("ADD rootfs /"));
            assert_eq!(
                image.layers[1].created_by.as_deref(),
                Some("RUN apt-get install x")
            );

            let s = image
                .squash(&filter)
                .unwrap_or_else(|e| panic!("{c:?} {name}: {e}"));
            assert_eq!(
                paths(&s),
                vec!["etc/os-release", "usr/bin/tool", "var/lib/dpkg/status"],
                "{c:?} {name}"
            );
            assert_eq!(layer(&s, "etc/os-release"), Some(0));
            assert_eq!(layer(&s, "var/lib/dpkg/status"), Some(1));
            assert_eq!(
                text(&s, "var/lib/dpkg/status").as_deref(),
                Some("Package: base\n\nPackage: x\n")
            );
            assert_eq!(text(&s, "usr/bin/tool").as_deref(), Some("\x7fELF binary"));
            assert_eq!(
                s.files.get("usr/bin/tool").map(|e| e.mode & 0o777),
                Some(0o755)
            );
            assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        }
    }
}

#[test]
fn prefixes_force_the_type() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tar = dir.path().join("image.tar");
    sample(Compression::Gzip)
        .write_docker_v25(&tar)
        .expect("write");
    let forced = open(
        &format!("docker-archive:{}", tar.display()),
        &OpenOptions::default(),
    )
    .expect("docker-archive: on a v25 archive");
    assert_eq!(forced.manifest_digest, None, "read through manifest.json");
    assert!(
        open(
            &format!("oci-archive:{}", tar.display()),
            &OpenOptions::default()
        )
        .is_ok()
    );
    let err = open(
        &format!("oci-dir:{}", tar.display()),
        &OpenOptions::default(),
    )
    .err();
    assert!(
        matches!(err, Some(ImageError::UnsupportedSource { .. })),
        "{err:?}"
    );
    let err = open(
        &dir.path().join("nope.tar").display().to_string(),
        &OpenOptions::default(),
    )
    .err();
    assert!(matches!(err, Some(ImageError::NotFound { .. })), "{err:?}");
}

fn two_images() -> (tidewatch_testkit::BuiltImage, tidewatch_testkit::BuiltImage) {
    let one = ImageBuilder::new()
        .tag("example/one:v1")
        .layer(|l| l.file("etc/os-release", b"ID=one\n"))
        .build()
        .expect("build");
    let two = ImageBuilder::new()
        .tag("example/two:v2")
        .layer(|l| l.file("etc/os-release", b"ID=two\n"))
        .build()
        .expect("build");
    (one, two)
}

#[test]
fn several_images_select_by_tag_or_digest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (one, two) = two_images();
    let filter = wants(&["etc/os-release"], &[]);
    for as_tar in [false, true] {
        let path = dir.path().join(if as_tar { "multi.tar" } else { "multi" });
        let layout = OciLayout::new().image(one.clone()).image(two.clone());
        if as_tar {
            layout.write_tar(&path).expect("write");
        } else {
            layout.write_dir(&path).expect("write");
        }
        let spec = path.display().to_string();

        let err = open(&spec, &OpenOptions::default()).expect_err("ambiguous");
        let msg = err.to_string();
        assert!(matches!(err, ImageError::Ambiguous { .. }), "{msg}");
        assert!(
            msg.contains(&one.manifest_digest) && msg.contains(&two.manifest_digest),
            "{msg}"
        );

        let by_tag = open(
            &spec,
            &OpenOptions {
                tag: Some("v2".into()),
                ..Default::default()
            },
        )
        .expect("by tag");
        assert_eq!(
            by_tag.manifest_digest.as_deref(),
            Some(two.manifest_digest.as_str())
        );
        let s = by_tag.squash(&filter).expect("squash");
        assert_eq!(text(&s, "etc/os-release").as_deref(), Some("ID=two\n"));

        let full = open(
            &spec,
            &OpenOptions {
                tag: Some("example/one:v1".into()),
                ..Default::default()
            },
        )
        .expect("full name");
        assert_eq!(
            full.manifest_digest.as_deref(),
            Some(one.manifest_digest.as_str())
        );

        let in_spec =
            open(&format!("{spec}:v1"), &OpenOptions::default()).expect(":tag in the spec");
        assert_eq!(
            in_spec.manifest_digest.as_deref(),
            Some(one.manifest_digest.as_str())
        );

        let by_digest = open(
            &format!("{spec}@{}", one.manifest_digest),
            &OpenOptions::default(),
        )
        .expect("by digest");
        assert_eq!(by_digest.config_digest, one.config_digest);

        let err = open(
            &spec,
            &OpenOptions {
                tag: Some("v3".into()),
                ..Default::default()
            },
        )
        .err();
        assert!(matches!(err, Some(ImageError::NoMatch { .. })), "{err:?}");
        let unknown = format!("{spec}@sha256:{}", "0".repeat(64));
        assert!(matches!(
            open(&unknown, &OpenOptions::default()).err(),
            Some(ImageError::NoMatch { .. })
        ));
    }
}

#[test]
fn nested_index_is_followed_and_attestations_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (one, _) = two_images();
    let path = dir.path().join("nested");
    OciLayout::new()
        .image(one.clone())
        .nested(true)
        .write_dir(&path)
        .expect("write");
    let image = open(&path.display().to_string(), &OpenOptions::default()).expect("open nested");
    assert_eq!(
        image.manifest_digest.as_deref(),
        Some(one.manifest_digest.as_str())
    );
}

#[test]
fn docker_repo_tags_select() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v25.tar");
    let (one, two) = two_images();
    OciLayout::new()
        .image(one)
        .image(two.clone())
        .docker_manifest(true)
        .write_tar(&path)
        .expect("write");
    let image = open(
        &path.display().to_string(),
        &OpenOptions {
            tag: Some("example/two:v2".into()),
            ..Default::default()
        },
    )
    .expect("by RepoTags");
    assert_eq!(image.config_digest, two.config_digest);
}
