//! Red Hat content sets (`root/buildinfo/content_manifests/*.json`) on
//! roots these tests assemble: recorded on the OS, naming RHEL when
//! os-release is missing, and flagging extended-support streams.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use tidewatch_catalog::rpmdb::bdb;
use tidewatch_catalog::rpmdb::header::{tag, testing::HeaderBuilder};
use tidewatch_catalog::{Catalogers, catalog};
use tidewatch_image::{FileData, FileEntry, FileFilter, Files, Want};

fn put(files: &mut Files, path: &str, layer: usize, bytes: &[u8]) {
    files.insert(
        path.into(),
        FileEntry {
            layer: Some(layer),
            size: bytes.len() as u64,
            mode: 0o644,
            data: FileData::Memory(Arc::new(bytes.to_vec())),
        },
    );
}

fn rpmdb() -> Vec<u8> {
    let h = |name: &str, version: &str, release: &str| {
        HeaderBuilder::new()
            .string(tag::NAME, name)
            .string(tag::VERSION, version)
            .string(tag::RELEASE, release)
            .string(tag::ARCH, "x86_64")
            .string(
                tag::SOURCERPM,
                &format!("{name}-{version}-{release}.src.rpm"),
            )
            .string(tag::VENDOR, "Red Hat, Inc.")
            .build()
    };
    bdb::testing::build(
        &[
            (1, h("openssl-libs", "1.1.1k", "5.el8_5")),
            (2, h("tzdata", "2021e", "1.el8")),
        ],
        4096,
        false,
    )
}

/// The shape of a UBI 8 manifest (trivy's `ubi8-minimal-container-8.5-218.json`).
const UBI8_MANIFEST: &str = r#"{
  "metadata": {"icm_version": 1, "image_layer_index": 1},
  "content_sets": ["rhel-8-for-x86_64-baseos-rpms", "rhel-8-for-x86_64-appstream-rpms"],
  "image_contents": []
}"#;

const RHEL94: &str =
    "NAME=\"Red Hat Enterprise Linux\"\nVERSION=\"9.4 (Plow)\"\nID=\"rhel\"\nVERSION_ID=\"9.4\"\n";

#[test]
fn manifests_are_wanted() {
    let all = Catalogers::all();
    let p = "root/buildinfo/content_manifests/ubi8-minimal-container-8.5-218.json";
    assert_eq!(all.wants(p, 300, 0o644), Want::Keep);
    assert_eq!(
        all.wants("root/buildinfo/content_manifests/x.txt", 3, 0o644),
        Want::Skip
    );
}

#[test]
fn content_sets_name_rhel_when_os_release_is_missing() {
    let mut files = Files::new();
    put(
        &mut files,
        "root/buildinfo/content_manifests/ubi8-minimal-container-8.5-218.json",
        1,
        UBI8_MANIFEST.as_bytes(),
    );
    put(&mut files, "var/lib/rpm/Packages", 1, &rpmdb());
    let (os, out) = catalog(&Catalogers::all(), &files);
    let os = os.expect("identified from the content sets");
    assert_eq!((os.family.as_str(), os.version.as_str()), ("rhel", "8"));
    assert_eq!(
        os.content_sets,
        [
            "rhel-8-for-x86_64-appstream-rpms",
            "rhel-8-for-x86_64-baseos-rpms"
        ]
    );
    let rpms: Vec<_> = out.packages.iter().filter(|p| p.format == "rpm").collect();
    assert_eq!(rpms.len(), 2);
    for p in rpms {
        assert_eq!(
            p.ecosystem.as_deref(),
            Some("Red Hat:enterprise_linux:8"),
            "{}",
            p.name
        );
    }
    // RHEL 8 is supported today: no end-of-life or unmatched warning.
    assert!(
        out.warnings
            .iter()
            .all(|w| !w.message.contains("cannot be matched")),
        "{:?}",
        out.warnings
    );
}

#[test]
fn without_content_sets_or_os_release_the_rpms_stay_unmatched() {
    let mut files = Files::new();
    put(&mut files, "var/lib/rpm/Packages", 1, &rpmdb());
    let (os, out) = catalog(&Catalogers::all(), &files);
    assert!(os.is_none());
    assert!(
        out.packages
            .iter()
            .filter(|p| p.format == "rpm")
            .all(|p| p.ecosystem.is_none())
    );
    assert!(
        out.warnings
            .iter()
            .any(|w| w.message.contains("cannot be matched"))
    );
}

#[test]
fn eus_streams_are_recorded_and_flagged() {
    let mut files = Files::new();
    put(&mut files, "etc/os-release", 0, RHEL94.as_bytes());
    // Two layers' manifests (OpenShift images carry one per layer).
    put(
        &mut files,
        "root/buildinfo/content_manifests/openshift-base-rhel9-container.json",
        1,
        br#"{"content_sets": ["rhel-9-for-x86_64-appstream-eus-rpms__9_DOT_4",
              "rhel-9-for-x86_64-baseos-eus-rpms__9_DOT_4", "rhocp-4.16-for-rhel-9-x86_64-rpms"]}"#,
    );
    put(
        &mut files,
        "root/buildinfo/content_manifests/driver-toolkit-container.json",
        3,
        br#"{"image_contents": [], "content_sets": ["rhel-9-for-x86_64-baseos-eus-rpms__9_DOT_4",
              "rhel-9-for-x86_64-rt-rpms__9_DOT_4"]}"#,
    );
    let (os, out) = catalog(&Catalogers::all(), &files);
    let os = os.unwrap();
    assert_eq!(os.version, "9.4", "os-release wins");
    assert_eq!(
        os.content_sets,
        [
            "rhel-9-for-x86_64-appstream-eus-rpms__9_DOT_4",
            "rhel-9-for-x86_64-baseos-eus-rpms__9_DOT_4",
            "rhel-9-for-x86_64-rt-rpms__9_DOT_4",
            "rhocp-4.16-for-rhel-9-x86_64-rpms",
        ]
    );
    let eus: Vec<_> = out
        .warnings
        .iter()
        .filter(|w| w.message.contains("EUS"))
        .collect();
    assert_eq!(eus.len(), 1, "{:?}", out.warnings);
    assert!(eus[0].path.starts_with("root/buildinfo/content_manifests/"));
    assert!(eus[0].message.contains("main RHEL 9 stream"));
}

#[test]
fn a_pinned_eus_release_is_the_version_without_os_release() {
    let mut files = Files::new();
    put(
        &mut files,
        "root/buildinfo/content_manifests/x.json",
        1,
        br#"{"content_sets": ["rhel-9-for-x86_64-baseos-eus-rpms__9_DOT_4"]}"#,
    );
    let (os, _) = catalog(&Catalogers::all(), &files);
    let os = os.unwrap();
    assert_eq!((os.family.as_str(), os.version.as_str()), ("rhel", "9.4"));
}

#[test]
fn a_broken_manifest_is_a_warning_and_the_scan_goes_on() {
    let mut files = Files::new();
    put(&mut files, "etc/os-release", 0, RHEL94.as_bytes());
    put(
        &mut files,
        "root/buildinfo/content_manifests/broken.json",
        1,
        b"broken",
    );
    // `image_contents` as an object and no content sets: not an error.
    put(
        &mut files,
        "root/buildinfo/content_manifests/sbom-purl.json",
        1,
        br#"{"image_contents": {"dependencies": [{"purl": "pkg:rpm/redhat/zstd@1.5.1-2.el9?arch=src"}]}}"#,
    );
    put(&mut files, "var/lib/rpm/Packages", 1, &rpmdb());
    let (os, out) = catalog(&Catalogers::all(), &files);
    let os = os.unwrap();
    assert!(os.content_sets.is_empty());
    let w: Vec<_> = out
        .warnings
        .iter()
        .filter(|w| w.path.starts_with("root/buildinfo/"))
        .collect();
    assert_eq!(w.len(), 1, "{:?}", out.warnings);
    assert_eq!(w[0].path, "root/buildinfo/content_manifests/broken.json");
    assert_eq!(out.packages.iter().filter(|p| p.format == "rpm").count(), 2);
}
