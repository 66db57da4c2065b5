//! The merge: whiteouts, opaque directories, paths replaced by another
//! kind, links resolved inside the root, hostile entries, spilling.

mod common;

use common::{layer, paths, text, wants};
use tidewatch_image::{FileData, OpenOptions, SPILL_THRESHOLD, Squashed, open};
use tidewatch_testkit::ImageBuilder;

fn squash(b: ImageBuilder, filter: &common::Wants) -> Squashed {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("image.tar");
    b.write_oci_tar(&path).expect("write");
    let image = open(&path.display().to_string(), &OpenOptions::default()).expect("open");
    image.squash(filter).expect("squash")
}

#[test]
fn whiteouts_and_opaque_dirs_apply_top_down() {
    let b = ImageBuilder::new()
        .layer(|l| {
            l.file("app/keep.txt", b"keep")
                .file("app/gone.txt", b"gone")
                .file("app/sub/a.txt", b"a")
                .file("app/sub/deeper/b.txt", b"b")
                .file("app/node_modules/axios/package.json", b"0.21.0")
                .file("app/node_modules/lodash/package.json", b"4.17.15")
        })
        .layer(|l| {
            l.whiteout("app/gone.txt")
                .whiteout("app/sub")
                .opaque("app/node_modules")
                .file("app/node_modules/axios/package.json", b"0.21.1")
        })
        .layer(|l| l.file("app/sub/new.txt", b"new"));
    let s = squash(b, &wants(&[], &["app"]));
    assert_eq!(
        paths(&s),
        vec![
            "app/keep.txt",
            "app/node_modules/axios/package.json",
            "app/sub/new.txt",
        ]
    );
    assert_eq!(
        text(&s, "app/node_modules/axios/package.json").as_deref(),
        Some("0.21.1")
    );
    assert_eq!(layer(&s, "app/node_modules/axios/package.json"), Some(1));
    assert_eq!(layer(&s, "app/sub/new.txt"), Some(2));
    assert_eq!(layer(&s, "app/keep.txt"), Some(0));
}

#[test]
fn a_path_replaced_by_another_kind_hides_what_was_below() {
    let b = ImageBuilder::new()
        .layer(|l| {
            l.file("opt/tool/METADATA", b"old")
                .file("opt/was-file", b"file")
                .file("opt/linked/x", b"x")
        })
        .layer(|l| {
            // a directory tree replaced by a file, a file by a directory,
            // a directory by a symlink
            l.file("opt/tool", b"now a file")
                .dir("opt/was-file")
                .file("opt/was-file/inner", b"inner")
                .symlink("opt/linked", "/elsewhere")
        });
    let s = squash(b, &wants(&[], &["opt"]));
    assert_eq!(paths(&s), vec!["opt/tool", "opt/was-file/inner"]);
}

#[test]
fn symlinks_resolve_inside_the_root() {
    let b = ImageBuilder::new()
        .layer(|l| {
            l.file("usr/lib/os-release", b"ID=debian\n")
                .symlink("lib", "usr/lib")
                .file("etc/shadow", b"image shadow")
                .file("usr/lib/not-wanted", b"n")
        })
        .layer(|l| {
            l.symlink("etc/os-release", "../lib/os-release")
                .symlink("etc/abs", "/lib/os-release")
                .symlink("etc/escape", "../../../../../../etc/shadow")
                .symlink("etc/loop-a", "loop-b")
                .symlink("etc/loop-b", "loop-a")
                .symlink("etc/unkept", "/usr/lib/not-wanted")
                .symlink("etc/dangling", "/nowhere")
        });
    let filter = wants(
        &[
            "usr/lib/os-release",
            "etc/os-release",
            "etc/abs",
            "etc/escape",
            "etc/shadow",
            "etc/loop-a",
            "etc/unkept",
            "etc/dangling",
        ],
        &[],
    );
    let s = squash(b, &filter);
    assert_eq!(text(&s, "etc/os-release").as_deref(), Some("ID=debian\n"));
    assert_eq!(
        layer(&s, "etc/os-release"),
        Some(0),
        "the layer of the bytes"
    );
    assert_eq!(text(&s, "etc/abs").as_deref(), Some("ID=debian\n"));
    assert_eq!(
        text(&s, "etc/escape").as_deref(),
        Some("image shadow"),
        "never the host's"
    );
    assert!(!s.files.contains("etc/loop-a"));
    assert!(!s.files.contains("etc/dangling"));
    // Documented limit: the target was not kept under its own name.
    assert!(!s.files.contains("etc/unkept"));
}

#[test]
fn link_replaced_by_a_whiteout_is_gone() {
    let b = ImageBuilder::new()
        .layer(|l| {
            l.file("usr/lib/os-release", b"ID=x\n")
                .symlink("etc/os-release", "../usr/lib/os-release")
        })
        .layer(|l| l.whiteout("etc/os-release"));
    let s = squash(b, &wants(&["etc/os-release", "usr/lib/os-release"], &[]));
    assert_eq!(paths(&s), vec!["usr/lib/os-release"]);
}

#[test]
fn hard_links_share_their_targets_bytes() {
    let b = ImageBuilder::new().layer(|l| {
        l.file("var/lib/dpkg/status", b"Package: a\n")
            .hardlink("var/lib/dpkg/status-old", "var/lib/dpkg/status")
            .file("usr/share/x", b"x")
            .hardlink("var/lib/dpkg/escape", "../../../usr/share/x")
    });
    let s = squash(b, &wants(&[], &["var/lib/dpkg"]));
    assert_eq!(
        text(&s, "var/lib/dpkg/status-old").as_deref(),
        Some("Package: a\n")
    );
    assert!(!s.files.contains("var/lib/dpkg/escape"));
    assert!(
        s.warnings.iter().any(|w| w.path == "var/lib/dpkg/escape"),
        "{:?}",
        s.warnings
    );
}

#[test]
fn hostile_entries_are_normalised_or_refused() {
    let b = ImageBuilder::new().layer(|l| {
        l.raw_name(b"../../etc/passwd", b"evil")
            .raw_name(b"/etc/os-release", b"ID=abs\n")
            .raw_name(b"./etc/./issue", b"issue")
            .raw_name(b"etc/../../../x", b"climb")
            .fifo("etc/fifo")
            .file("etc/hostname", b"h")
    });
    let s = squash(b, &wants(&[], &["etc"]));
    assert_eq!(
        paths(&s),
        vec!["etc/hostname", "etc/issue", "etc/os-release"]
    );
    assert_eq!(text(&s, "etc/os-release").as_deref(), Some("ID=abs\n"));
    let refused: Vec<&str> = s.warnings.iter().map(|w| w.path.as_str()).collect();
    assert!(refused.contains(&"../../etc/passwd"), "{refused:?}");
    assert!(refused.contains(&"etc/../../../x"), "{refused:?}");
    assert!(
        s.warnings
            .iter()
            .all(|w| w.message.contains("climbs above"))
    );
}

#[test]
fn big_files_spill_to_the_temp_dir() {
    let big = vec![7u8; usize::try_from(SPILL_THRESHOLD).expect("fits") + 10];
    let b = ImageBuilder::new().layer(|l| l.file("opt/big.bin", &big).file("opt/small", b"s"));
    let dir = tempfile::tempdir().expect("tempdir");
    let spill = dir.path().join("spill");
    let path = dir.path().join("image.tar");
    b.write_oci_tar(&path).expect("write");
    let image = open(
        &path.display().to_string(),
        &OpenOptions {
            temp_dir: Some(spill.clone()),
            ..Default::default()
        },
    )
    .expect("open");
    let s = image.squash(&wants(&[], &["opt"])).expect("squash");
    let entry = s.files.get("opt/big.bin").expect("kept");
    assert!(matches!(entry.data, FileData::Spilled(_)));
    assert!(entry.data.path().is_some_and(|p| p.starts_with(&spill)));
    assert_eq!(
        entry.data.bytes().expect("read back").as_ref(),
        big.as_slice()
    );
    assert!(matches!(
        s.files.get("opt/small").map(|e| &e.data),
        Some(FileData::Memory(_))
    ));
    let spilled = entry.data.path().expect("path");
    drop(s);
    assert!(
        !spilled.exists(),
        "spill files are removed with the last reference"
    );
}

#[test]
fn layers_read_alone_merge_to_the_same_result() {
    let b = ImageBuilder::new()
        .layer(|l| l.file("etc/a", b"1").file("etc/b", b"1"))
        .layer(|l| l.file("etc/a", b"2").whiteout("etc/b"));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("image.tar");
    b.write_oci_tar(&path).expect("write");
    let image = open(&path.display().to_string(), &OpenOptions::default()).expect("open");
    let filter = wants(&[], &["etc"]);
    let top = image.read_layer(1, &filter).expect("layer 1");
    let base = image.read_layer(0, &filter).expect("layer 0");
    let s = tidewatch_image::merge(vec![top, base], &filter);
    assert_eq!(paths(&s), vec!["etc/a"]);
    assert_eq!(text(&s, "etc/a").as_deref(), Some("2"));
}

#[test]
fn read_dir_walks_without_leaving_the_root() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("usr/lib")).expect("mkdir");
    std::fs::create_dir_all(root.join("etc")).expect("mkdir");
    std::fs::create_dir_all(root.join("usr/bin")).expect("mkdir");
    std::fs::write(root.join("usr/lib/os-release"), "ID=dir\n").expect("write");
    std::fs::write(dir.path().join("secret"), "host secret").expect("write");
    std::os::unix::fs::symlink("../usr/lib/os-release", root.join("etc/os-release"))
        .expect("symlink");
    std::os::unix::fs::symlink("../../secret", root.join("etc/escape")).expect("symlink");
    std::os::unix::fs::symlink(dir.path(), root.join("hostdir")).expect("symlink");
    std::fs::write(root.join("usr/bin/tool"), b"\x7fELF...").expect("write");
    std::fs::write(root.join("usr/bin/script"), b"#!/bin/sh").expect("write");
    for f in ["usr/bin/tool", "usr/bin/script"] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(root.join(f), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
    }
    let filter = wants(
        &[
            "etc/os-release",
            "usr/lib/os-release",
            "etc/escape",
            "secret",
        ],
        &["hostdir"],
    );
    let s = tidewatch_image::read_dir(&root, &filter, &OpenOptions::default()).expect("read_dir");
    assert_eq!(
        paths(&s),
        vec!["etc/os-release", "usr/bin/tool", "usr/lib/os-release"]
    );
    assert_eq!(text(&s, "etc/os-release").as_deref(), Some("ID=dir\n"));
    assert_eq!(s.files.get("etc/os-release").and_then(|e| e.layer), None);
}

/// Sniffs executables under `usr/bin` for the ELF magic and keeps them
/// only when they contain `MARKER`, as the Go and Rust catalogers do with
/// their build-info markers; `opt/` is kept whole.
struct Marked;

const MARKER: &[u8] = b"\xff MARKER:";

impl tidewatch_image::FileFilter for Marked {
    fn wants(&self, path: &str, _size: u64, mode: u32) -> tidewatch_image::Want {
        if path.starts_with("opt/") {
            tidewatch_image::Want::Keep
        } else if mode & 0o111 != 0 && path.starts_with("usr/bin/") {
            tidewatch_image::Want::Sniff
        } else {
            tidewatch_image::Want::Skip
        }
    }

    fn sniff(&self, _path: &str, head: &[u8]) -> bool {
        head.starts_with(b"\x7fELF")
    }

    fn must_contain(&self, _path: &str, _head: &[u8]) -> Option<Vec<&'static [u8]>> {
        Some(vec![b"never present in these files", MARKER])
    }
}

/// An "ELF file" of `len` bytes with the marker at `at`, if given.
fn elf(len: usize, at: Option<usize>) -> Vec<u8> {
    let mut b = vec![0u8; len];
    b[..4].copy_from_slice(b"\x7fELF");
    for (i, x) in b.iter_mut().enumerate().skip(4) {
        *x = (i % 251) as u8;
    }
    if let Some(at) = at {
        b[at..at + MARKER.len()].copy_from_slice(MARKER);
    }
    b
}

#[test]
fn sniffed_files_are_kept_only_when_their_bytes_hold_a_marker() {
    let big = usize::try_from(SPILL_THRESHOLD).expect("fits") + 4096;
    // Markers straddling every likely chunk boundary, in the head, at the
    // very end, and in a file big enough to be spilled.
    let mut marked: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, at) in [8, 60, 508, 8188, 65530, 131068, 262140, 299_990]
        .into_iter()
        .enumerate()
    {
        marked.push((format!("usr/bin/marked{i}"), elf(300_000, Some(at))));
    }
    marked.push(("usr/bin/marked-big".into(), elf(big, Some(big - 5_000_000))));
    let cut = elf(300_000, Some(300_000 - MARKER.len()));
    let unmarked: Vec<(String, Vec<u8>)> = vec![
        ("usr/bin/plain".into(), elf(300_000, None)),
        ("usr/bin/plain-big".into(), elf(big, None)),
        // The marker cut short by the end of the file.
        ("usr/bin/cut".into(), cut[..300_000 - 2].to_vec()),
    ];
    let executables: Vec<(String, Vec<u8>)> = marked.iter().chain(&unmarked).cloned().collect();
    let builder = ImageBuilder::new().layer(move |mut l| {
        for (p, b) in &executables {
            l = l.file_mode(p, b, 0o755);
        }
        l.file_mode("opt/plain", &elf(300_000, None), 0o755)
            .hardlink("usr/bin/link-marked", "usr/bin/marked0")
            .hardlink("usr/bin/link-plain", "opt/plain")
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let spill = dir.path().join("spill");
    let path = dir.path().join("image.tar");
    builder.write_oci_tar(&path).expect("write");
    let image = open(
        &path.display().to_string(),
        &OpenOptions {
            temp_dir: Some(spill.clone()),
            ..Default::default()
        },
    )
    .expect("open");
    let s = image.squash(&Marked).expect("squash");
    let mut expected: Vec<String> = marked.iter().map(|(p, _)| p.clone()).collect();
    expected.extend(["opt/plain".to_string(), "usr/bin/link-marked".to_string()]);
    expected.sort();
    assert_eq!(paths(&s), expected);
    for (p, b) in &marked {
        let entry = s.files.get(p).expect("kept");
        assert_eq!(
            entry.data.bytes().expect("read").as_ref(),
            b.as_slice(),
            "{p}"
        );
    }
    assert!(matches!(
        s.files.get("usr/bin/marked-big").map(|e| &e.data),
        Some(FileData::Spilled(_))
    ));
    // The unmarked big file's spill file is gone already.
    let spilled: Vec<_> = std::fs::read_dir(&spill)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert_eq!(spilled.len(), 1, "{spilled:?}");

    // A directory source applies the same rule.
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("usr/bin")).expect("mkdir");
    for (p, b) in [
        ("usr/bin/marked", elf(300_000, Some(65530))),
        ("usr/bin/plain", elf(300_000, None)),
    ] {
        std::fs::write(root.join(p), b).expect("write");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(root.join(p), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
    }
    let s = tidewatch_image::read_dir(&root, &Marked, &OpenOptions::default()).expect("read_dir");
    assert_eq!(paths(&s), vec!["usr/bin/marked"]);
}
