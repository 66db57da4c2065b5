//! Files a cataloger reads whole (manifests, metadata, lockfiles) have a
//! size limit: a small compressed layer can hold gigabytes of zeros under
//! such a name, which must cost neither memory nor spill-directory space.

mod common;

use common::*;
use tidewatch_testkit::ImageBuilder;

/// Just over the 16 MiB limit for manifest and metadata files.
const OVER_MANIFEST_LIMIT: usize = 16 * 1024 * 1024 + 1;

#[test]
fn oversized_manifests_are_skipped_with_a_warning_and_the_rest_is_found() {
    let env = Env::new();
    env.import(&[(
        "osv/npm/GHSA-aaaa-bbbb-cccc.json",
        &osv("GHSA-aaaa-bbbb-cccc", "npm", "lodash", "0", "4.17.21"),
    )]);
    let zeros = vec![0u8; OVER_MANIFEST_LIMIT];
    let img = env.path("img");
    ImageBuilder::new()
        .layer(|l| {
            l.file("etc/os-release", ALPINE_OS_RELEASE.as_bytes())
                .file(
                    "app/node_modules/lodash/package.json",
                    br#"{"name": "lodash", "version": "4.17.20"}"#,
                )
                .file("app/node_modules/x/package.json", &zeros)
                .file(
                    "usr/lib/python3.11/site-packages/big-1.0.dist-info/METADATA",
                    &zeros,
                )
        })
        .write_oci_dir(&img)
        .expect("write image");
    let (code, report, stderr) = env.scan_json("image", &img, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        findings(&report),
        vec![(
            "lodash".to_string(),
            "4.17.20".to_string(),
            "GHSA-aaaa-bbbb-cccc".to_string(),
            vec!["4.17.21".to_string()]
        )]
    );
    let size = OVER_MANIFEST_LIMIT.to_string();
    for path in [
        "app/node_modules/x/package.json",
        "usr/lib/python3.11/site-packages/big-1.0.dist-info/METADATA",
    ] {
        let warned = report["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .any(|w| {
                let msg = w["message"].as_str().unwrap_or_default();
                w["path"].as_str() == Some(path) && msg.contains(&size) && msg.contains("limit")
            });
        assert!(warned, "no size warning for {path}: {report}");
        assert!(stderr.contains(path), "{stderr}");
    }
    // Nothing of the oversized files was spilled, and nothing is left over.
    let tmp = env.path("cache/tmp");
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "left in {}: {left:?}", tmp.display());
}

#[test]
fn oversized_lockfile_in_a_fs_scan_is_skipped_with_a_warning() {
    let env = Env::new();
    env.import(&[(
        "osv/npm/GHSA-aaaa-bbbb-cccc.json",
        &osv("GHSA-aaaa-bbbb-cccc", "npm", "lodash", "0", "4.17.21"),
    )]);
    let root = env.path("root");
    write_file(
        &root,
        "app/node_modules/lodash/package.json",
        br#"{"name": "lodash", "version": "4.17.20"}"#,
    );
    // A sparse file: 300 MB apparent size (over the 256 MiB lockfile
    // limit), no disk blocks.
    write_file(&root, "app/yarn.lock", b"");
    std::fs::File::options()
        .write(true)
        .open(root.join("app/yarn.lock"))
        .and_then(|f| f.set_len(300_000_000))
        .expect("sparse");
    let (code, report, stderr) = env.scan_json("fs", &root, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(package_names(&report), vec!["lodash@4.17.20".to_string()]);
    let warned = report["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .any(|w| {
            w["path"].as_str() == Some("app/yarn.lock")
                && w["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("300000000 bytes")
        });
    assert!(warned, "{report}");
}

#[test]
fn stale_spill_files_of_a_killed_scan_are_removed_at_the_next_scan() {
    let env = Env::new();
    env.import(&[(
        "osv/npm/GHSA-aaaa-bbbb-cccc.json",
        &osv("GHSA-aaaa-bbbb-cccc", "npm", "lodash", "0", "4.17.21"),
    )]);
    let tmp = env.path("cache/tmp");
    std::fs::create_dir_all(&tmp).expect("mkdir");
    let stale = tmp.join(".tmpAbC123");
    let fresh = tmp.join(".tmpXyZ789");
    let other = tmp.join("keep-me");
    for p in [&stale, &fresh, &other] {
        std::fs::write(p, b"spilled").expect("write");
    }
    let day_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(24 * 3600);
    for p in [&stale, &other] {
        std::fs::File::options()
            .write(true)
            .open(p)
            .and_then(|f| f.set_modified(day_ago))
            .expect("set mtime");
    }
    let root = env.path("root");
    write_file(
        &root,
        "app/node_modules/lodash/package.json",
        br#"{"name": "lodash", "version": "4.17.20"}"#,
    );
    let (code, _, stderr) = env.scan_json("fs", &root, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stale.exists(), "a day-old spill file survived");
    // A younger one may belong to a scan running right now.
    assert!(fresh.exists());
    assert!(other.exists(), "only spill files are removed");
}
