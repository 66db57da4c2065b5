//! Each kind of broken image gives its own error naming the file, and a
//! layer missing only its tail gives a warning.

mod common;

use common::{paths, wants};
use std::io::Write;
use tidewatch_image::{ImageError, OpenOptions, open};
use tidewatch_testkit::{Compression, Corruption, ImageBuilder, truncate_file};

fn base(c: Compression) -> ImageBuilder {
    ImageBuilder::new()
        .compression(c)
        .layer(|l| l.file("etc/os-release", b"ID=alpine\n"))
        .layer(|l| l.file("lib/apk/db/installed", &b"P:musl\nV:1.2\n\n".repeat(40)))
}

fn squash_err(b: ImageBuilder) -> ImageError {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("image.tar");
    b.write_oci_tar(&path).expect("write");
    let filter = wants(&["etc/os-release", "lib/apk/db/installed"], &[]);
    match open(&path.display().to_string(), &OpenOptions::default()) {
        Err(e) => e,
        Ok(image) => image.squash(&filter).expect_err("squash must fail"),
    }
}

#[test]
fn tar_cut_inside_an_entry_is_an_error() {
    for c in Compression::ALL {
        let err = squash_err(base(c).corrupt(Corruption::CutInsideLastFile(1)));
        let msg = err.to_string();
        assert!(
            matches!(err, ImageError::TruncatedTar { .. }),
            "{c:?}: {msg}"
        );
        assert!(
            msg.contains("lib/apk/db/installed") && msg.contains("layer 1"),
            "{msg}"
        );
    }
}

#[test]
fn corrupt_compressed_streams_are_errors() {
    for c in [Compression::Gzip, Compression::Zstd] {
        let err = squash_err(base(c).corrupt(Corruption::CorruptStream(1)));
        assert!(
            matches!(err, ImageError::CorruptStream { .. }),
            "{c:?}: {err}"
        );
    }
}

#[test]
fn digest_mismatches_name_what_and_both_digests() {
    for c in Compression::ALL {
        let built = base(c).build().expect("build");
        let err = squash_err(base(c).corrupt(Corruption::WrongLayerDigest(0)));
        let msg = err.to_string();
        assert!(
            matches!(err, ImageError::DigestMismatch { .. }),
            "{c:?}: {msg}"
        );
        assert!(
            msg.contains("layer 0 blob") && msg.contains(&built.layers[0].digest),
            "{msg}"
        );

        let err = squash_err(base(c).corrupt(Corruption::WrongDiffId(1)));
        let msg = err.to_string();
        assert!(
            matches!(err, ImageError::DiffIdMismatch { .. }),
            "{c:?}: {msg}"
        );
        assert!(msg.contains(&built.layers[1].diff_id), "{msg}");
    }
    let err = squash_err(base(Compression::Gzip).corrupt(Corruption::WrongConfigDigest));
    assert!(
        matches!(&err, ImageError::DigestMismatch { what, .. } if what == "config"),
        "{err}"
    );
}

#[test]
fn legacy_docker_layers_are_checked_against_diff_ids() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("docker.tar");
    base(Compression::None)
        .corrupt(Corruption::WrongDiffId(0))
        .write_docker_archive(&path)
        .expect("write");
    let image = open(&path.display().to_string(), &OpenOptions::default()).expect("open");
    let err = image.squash(&wants(&[], &[])).err();
    assert!(
        matches!(err, Some(ImageError::DiffIdMismatch { .. })),
        "{err:?}"
    );
}

#[test]
fn missing_tail_is_a_warning_and_keeps_the_data() {
    for c in Compression::ALL {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("image.tar");
        base(c)
            .corrupt(Corruption::MissingTail(1))
            .write_oci_tar(&path)
            .expect("write");
        let image = open(&path.display().to_string(), &OpenOptions::default()).expect("open");
        let s = image
            .squash(&wants(&["etc/os-release", "lib/apk/db/installed"], &[]))
            .unwrap_or_else(|e| panic!("{c:?}: {e}"));
        assert_eq!(paths(&s), vec!["etc/os-release", "lib/apk/db/installed"]);
        assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
        assert!(
            s.warnings[0].message.contains("layer 1"),
            "{:?}",
            s.warnings
        );
    }
}

#[test]
fn missing_and_malformed_documents() {
    let dir = tempfile::tempdir().expect("tempdir");
    let oci = dir.path().join("oci");
    let built = base(Compression::Gzip).write_oci_dir(&oci).expect("write");
    let spec = oci.display().to_string();

    let index = std::fs::read(oci.join("index.json")).expect("read");
    std::fs::write(oci.join("index.json"), b"{\"manifests\": [").expect("write");
    let err = open(&spec, &OpenOptions::default()).expect_err("malformed index");
    assert!(
        matches!(&err, ImageError::Malformed { file, .. } if file.ends_with("index.json")),
        "{err}"
    );
    std::fs::write(oci.join("index.json"), &index).expect("write");

    let layer = oci.join(format!(
        "blobs/sha256/{}",
        &built.layers[1].digest["sha256:".len()..]
    ));
    std::fs::remove_file(&layer).expect("rm");
    let err = open(&spec, &OpenOptions::default()).expect_err("missing blob");
    assert!(
        matches!(&err, ImageError::MissingBlob { blob, .. } if blob.contains(&built.layers[1].digest["sha256:".len()..])),
        "{err}"
    );

    let config = oci.join(format!(
        "blobs/sha256/{}",
        &built.config_digest["sha256:".len()..]
    ));
    std::fs::remove_file(&config).expect("rm");
    let err = open(&spec, &OpenOptions::default()).expect_err("missing config");
    assert!(matches!(err, ImageError::MissingBlob { .. }), "{err}");

    std::fs::remove_file(oci.join("index.json")).expect("rm");
    let err = open(&spec, &OpenOptions::default()).expect_err("no index");
    assert!(matches!(err, ImageError::Malformed { .. }), "{err}");

    // docker archive with a malformed manifest.json
    let tar = dir.path().join("docker.tar");
    let mut b = tar::Builder::new(std::fs::File::create(&tar).expect("create"));
    let body = br#"[{"Config": 3}]"#;
    let mut h = tar::Header::new_ustar();
    h.set_size(body.len() as u64);
    b.append_data(&mut h, "manifest.json", &body[..])
        .expect("append");
    b.into_inner().expect("finish").flush().expect("flush");
    let err =
        open(&tar.display().to_string(), &OpenOptions::default()).expect_err("bad manifest.json");
    assert!(
        matches!(&err, ImageError::Malformed { file, .. } if file.ends_with("manifest.json")),
        "{err}"
    );

    // a tar with neither
    let empty = dir.path().join("empty.tar");
    let mut b = tar::Builder::new(std::fs::File::create(&empty).expect("create"));
    let mut h = tar::Header::new_ustar();
    h.set_size(1);
    b.append_data(&mut h, "README", &b"x"[..]).expect("append");
    b.into_inner().expect("finish").flush().expect("flush");
    let err = open(&empty.display().to_string(), &OpenOptions::default()).err();
    assert!(matches!(err, Some(ImageError::Malformed { .. })), "{err:?}");
}

#[test]
fn truncated_outer_archive_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("image.tar");
    base(Compression::None).write_oci_tar(&path).expect("write");
    let len = std::fs::metadata(&path).expect("stat").len();
    truncate_file(&path, len / 2).expect("truncate");
    let err = open(&path.display().to_string(), &OpenOptions::default()).err();
    assert!(
        matches!(
            err,
            Some(ImageError::TruncatedTar { .. } | ImageError::MissingBlob { .. })
        ),
        "{err:?}"
    );
}

#[test]
fn garbage_instead_of_a_tar_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("image.tar");
    std::fs::write(&path, vec![0x41u8; 2048]).expect("write");
    let err = open(&path.display().to_string(), &OpenOptions::default()).err();
    assert!(matches!(err, Some(ImageError::BadTar { .. })), "{err:?}");
}
