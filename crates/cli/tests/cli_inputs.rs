//! Small input rules through the binary: format aliases, a missing
//! `--base-image` file, a missing `fs` directory.

mod common;

use common::{ALPINE_OS_RELEASE, Env, apk_db, secdb};
use tidewatch_testkit::ImageBuilder;

fn alpine_root(env: &Env) -> std::path::PathBuf {
    let root = env.path("root");
    std::fs::create_dir_all(root.join("etc")).expect("mkdir");
    std::fs::create_dir_all(root.join("lib/apk/db")).expect("mkdir");
    std::fs::write(root.join("etc/os-release"), ALPINE_OS_RELEASE).expect("write");
    std::fs::write(
        root.join("lib/apk/db/installed"),
        apk_db(&[("zlib", "1.2.12-r1", "zlib")]),
    )
    .expect("write");
    env.import(&[(
        "secdb/main.json",
        &secdb(&[("zlib", "1.2.12-r2", "CVE-2022-0001")]),
    )]);
    root
}

#[test]
fn spdx_and_cyclonedx_json_are_format_aliases() {
    let env = Env::new();
    let root = alpine_root(&env);
    let root = root.to_str().expect("utf8");
    for (alias, name) in [("spdx", "spdx-json"), ("cyclonedx-json", "cyclonedx")] {
        let a = env.run(&["fs", root, "--offline", "--format", alias]);
        assert!(
            a.status.success(),
            "{alias}: {}",
            String::from_utf8_lossy(&a.stderr)
        );
        let b = env.run(&["fs", root, "--offline", "--format", name]);
        let doc = |o: &std::process::Output| {
            let mut v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
            // Documents are stamped with a fresh serial / namespace.
            for key in [
                "serialNumber",
                "documentNamespace",
                "metadata",
                "creationInfo",
            ] {
                if let Some(m) = v.as_object_mut() {
                    m.remove(key);
                }
            }
            v
        };
        assert_eq!(doc(&a), doc(&b), "--format {alias} is --format {name}");
    }
}

#[test]
fn a_missing_base_image_file_is_an_error_naming_it() {
    let env = Env::new();
    let _ = alpine_root(&env);
    let image = env.path("app.tar");
    ImageBuilder::new()
        .layer(|l| {
            l.file("etc/os-release", ALPINE_OS_RELEASE.as_bytes()).file(
                "lib/apk/db/installed",
                apk_db(&[("zlib", "1.2.12-r1", "zlib")]).as_bytes(),
            )
        })
        .write_oci_tar(&image)
        .expect("write image");
    let image = image.to_str().expect("utf8");
    for base in [
        "./no-such-base.tar",
        "oci-dir:no-such-dir",
        "/nowhere/base.tar:v1",
    ] {
        let out = env.run(&["image", image, "--offline", "--base-image", base]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{base}: {err}");
        assert!(
            err.contains(base) && err.contains("no such file"),
            "{base}: {err}"
        );
        assert!(out.stdout.is_empty(), "{base}: a report was printed");
    }
    // The image itself as its own base: exists, so the scan runs.
    let out = env.run(&["image", image, "--offline", "--base-image", image]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn fs_on_a_missing_directory_says_so() {
    let env = Env::new();
    let _ = alpine_root(&env);
    let missing = env.path("not-here");
    let out = env.run(&["fs", missing.to_str().expect("utf8"), "--offline"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("not-here") && err.to_lowercase().contains("no such file or directory"),
        "{err}"
    );
    let file = env.path("file.txt");
    std::fs::write(&file, "x").expect("write");
    let out = env.run(&["fs", file.to_str().expect("utf8"), "--offline"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("is not a directory"), "{err}");
}
