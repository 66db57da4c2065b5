//! `--platform` picks the image of a local OCI layout that holds several
//! platforms' images, flat or behind a nested index (as `buildx --output
//! type=oci` and `skopeo copy --all` write them), as it does for registries.

mod common;

use common::*;
use tidewatch_testkit::{ImageBuilder, OciLayout};

/// An Alpine image for `arch` whose busybox version names the arch.
fn image(arch: &str, busybox: &str) -> ImageBuilder {
    ImageBuilder::new()
        .architecture(arch)
        .tag("example.com/app:multi")
        .layer(|l| {
            l.file("etc/os-release", ALPINE_OS_RELEASE.as_bytes()).file(
                "lib/apk/db/installed",
                apk_db(&[("busybox", busybox, "busybox")]).as_bytes(),
            )
        })
}

const AMD64: &str = "busybox@1.36.1-r1";
const ARM64: &str = "busybox@1.36.1-r2";

/// The layouts: flat, nested, and flat without platforms in the index
/// (the configs' os/architecture decide).
fn layouts(env: &Env) -> Vec<(String, std::path::PathBuf)> {
    let amd = image("amd64", "1.36.1-r1").build().expect("build");
    let arm = image("arm64", "1.36.1-r2").build().expect("build");
    let mut out = Vec::new();
    for (name, nested, platforms) in [
        ("flat", false, true),
        ("nested", true, true),
        ("configs", false, false),
    ] {
        let path = env.path(name);
        OciLayout::new()
            .image(arm.clone())
            .image(amd.clone())
            .nested(nested)
            .descriptor_platforms(platforms)
            .write_dir(&path)
            .expect("write layout");
        out.push((name.to_string(), path));
    }
    out
}

fn scan(env: &Env, path: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["image", path.to_str().expect("utf8"), "--format", "json"];
    args.extend_from_slice(extra);
    env.run(&args)
}

fn packages(out: &std::process::Output) -> Vec<String> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    package_names(&report)
}

#[test]
fn platform_selects_among_a_layouts_images() {
    let env = Env::new();
    env.import(&[("alpine/v3.18/main.json", &secdb(&[]))]);
    let host = match std::env::consts::ARCH {
        "x86_64" => Some(AMD64),
        "aarch64" => Some(ARM64),
        _ => None,
    };
    for (name, path) in layouts(&env) {
        for (flag, want) in [
            ("linux/amd64", AMD64),
            ("linux/arm64", ARM64),
            ("linux/arm64/v8", ARM64),
            ("x86_64", AMD64),
        ] {
            let got = packages(&scan(&env, &path, &["--platform", flag]));
            assert_eq!(got, vec![want.to_string()], "{name} --platform {flag}");
            // A tag shared by both images narrows nothing; the platform does.
            let got = packages(&scan(&env, &path, &["--platform", flag, "--tag", "multi"]));
            assert_eq!(
                got,
                vec![want.to_string()],
                "{name} --tag --platform {flag}"
            );
        }
        if let Some(want) = host {
            let got = packages(&scan(&env, &path, &[]));
            assert_eq!(got, vec![want.to_string()], "{name}: the host's platform");
            let got = packages(&scan(&env, &path, &["--tag", "multi"]));
            assert_eq!(
                got,
                vec![want.to_string()],
                "{name} --tag: the host's platform"
            );
        }

        let out = scan(&env, &path, &["--platform", "linux/s390x"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains("linux/s390x")
                && stderr.contains("linux/amd64")
                && stderr.contains("linux/arm64"),
            "{name}: the error lists the available platforms: {stderr}"
        );

        for bad in ["linux/amd64/v1/x", "linux//", "lin ux/amd64"] {
            let out = scan(&env, &path, &["--platform", bad]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{name} {bad}: {stderr}");
            assert!(
                stderr.contains("os/arch[/variant]"),
                "{name} {bad}: {stderr}"
            );
        }
    }
}

#[test]
fn platform_is_checked_against_a_single_image() {
    let env = Env::new();
    env.import(&[("alpine/v3.18/main.json", &secdb(&[]))]);
    let path = env.path("single");
    image("arm64", "1.36.1-r2")
        .write_oci_dir(&path)
        .expect("write");
    // No flag: a lone image is scanned whatever the host.
    assert_eq!(packages(&scan(&env, &path, &[])), vec![ARM64.to_string()]);
    assert_eq!(
        packages(&scan(&env, &path, &["--platform", "linux/arm64"])),
        vec![ARM64.to_string()]
    );
    let out = scan(&env, &path, &["--platform", "linux/amd64"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("linux/arm64"), "{stderr}");
}
