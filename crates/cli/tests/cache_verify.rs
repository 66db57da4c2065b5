//! The layer cache never vouches for bytes: after a scan has cached an
//! image's layers, an image whose config and manifest name the same
//! digests but whose layer blob was altered fails like a cold scan does
//! (exit 2, digest or diff_id mismatch), and an untouched image still
//! hits the cache.

mod common;

use common::*;
use std::path::Path;
use tidewatch_testkit::{Compression, ImageBuilder};

fn image(compression: Compression) -> ImageBuilder {
    ImageBuilder::new()
        .compression(compression)
        .layer(|l| {
            l.file("etc/os-release", ALPINE_OS_RELEASE.as_bytes())
                .file("etc/alpine-release", b"3.18.9\n")
                .file(
                    "lib/apk/db/installed",
                    apk_db(&[("zlib", "1.2.13-r1", "zlib")]).as_bytes(),
                )
        })
        .layer(|l| l.file("etc/motd", b"hello\n"))
}

fn feeds(env: &Env) {
    env.import(&[(
        "alpine/v3.18/main.json",
        &secdb(&[("zlib", "1.2.13-r2", "CVE-2023-45853")]),
    )]);
}

/// Flip one byte of `needle`'s first occurrence in `path`.
fn tamper(path: &Path, needle: &[u8]) {
    let mut bytes = std::fs::read(path).expect("read");
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle in file");
    bytes[at] ^= 0x01;
    std::fs::write(path, bytes).expect("write");
}

fn scan(env: &Env, target: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["image", target.to_str().expect("utf8"), "--format", "json"];
    args.extend_from_slice(extra);
    let mut cmd = env.cmd();
    cmd.args(&args).env("TIDEWATCH_LOG", "tidewatch_scan=debug");
    let out = cmd.output().expect("run tidewatch");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_mismatch(code: i32, stdout: &str, stderr: &str, needle: &str) {
    assert_eq!(code, 2, "stderr: {stderr}");
    assert!(stdout.is_empty(), "a report was printed: {stdout}");
    assert!(
        stderr.contains(needle) && stderr.contains("layer 0"),
        "{stderr}"
    );
}

#[test]
fn a_tampered_docker_archive_is_refused_even_when_its_layers_are_cached() {
    let env = Env::new();
    feeds(&env);
    // Uncompressed legacy `docker save`: the blob is the layer tar itself
    // and only the config's diff_id vouches for it.
    let genuine = env.path("genuine.tar");
    image(Compression::None)
        .write_docker_archive(&genuine)
        .expect("write");
    let tampered = env.path("tampered.tar");
    std::fs::copy(&genuine, &tampered).expect("copy");
    tamper(&tampered, b"P:zlib");

    let (code, _, stderr) = scan(&env, &tampered, &["--no-cache"]);
    assert_eq!(code, 2, "cold: {stderr}");
    assert!(stderr.contains("diff_id mismatch"), "{stderr}");

    let (code, _, stderr) = scan(&env, &genuine, &[]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = scan(&env, &tampered, &[]);
    assert_mismatch(code, &stdout, &stderr, "diff_id mismatch");

    // The genuine image is still served from the cache.
    let (code, stdout, stderr) = scan(&env, &genuine, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("hits: 2"), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(findings(&report).len(), 1);
}

#[test]
fn a_tampered_oci_blob_is_refused_even_when_its_layers_are_cached() {
    let env = Env::new();
    feeds(&env);
    let genuine = env.path("genuine");
    let built = image(Compression::Gzip)
        .write_oci_dir(&genuine)
        .expect("write");
    let (code, _, stderr) = scan(&env, &genuine, &[]);
    assert_eq!(code, 0, "{stderr}");

    // Same index, manifest and config; layer 0's compressed blob differs
    // in one byte of its gzip trailer (the stream still decompresses to
    // the same tar until the CRC check).
    let tampered = env.path("tampered");
    image(Compression::Gzip)
        .write_oci_dir(&tampered)
        .expect("write");
    let digest = built.layers[0].digest.trim_start_matches("sha256:");
    let blob = tampered.join("blobs/sha256").join(digest);
    let mut bytes = std::fs::read(&blob).expect("read blob");
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(&blob, bytes).expect("write blob");

    let (code, stdout, stderr) = scan(&env, &tampered, &[]);
    assert_mismatch(code, &stdout, &stderr, "digest mismatch");
    let (code, _, stderr) = scan(&env, &tampered, &["--no-cache"]);
    assert_eq!(code, 2, "cold: {stderr}");

    let (code, _, stderr) = scan(&env, &genuine, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("hits: 2"), "{stderr}");
}
