//! The Go binary cataloger on synthesised ELF files (both build info
//! formats, spilled and in memory, malformed variants) and on real Go
//! executables built by `scripts/fixtures/build-go.sh`, checked against
//! `go version -m`.
#![allow(clippy::unwrap_used)]

mod lang_bin_support;

use lang_bin_support::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use tidewatch_catalog::Cataloger;
use tidewatch_catalog::lang::golang::GoBinaryCataloger;
use tidewatch_image::{Files, Want};

const START: &[u8; 16] = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6";
const END: &[u8; 16] = b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2";
const MAGIC: &[u8] = b"\xff Go buildinf:";

const MODINFO: &str = "path\texample.com/app/cmd/app\n\
mod\texample.com/app\tv1.4.0\th1:main=\n\
dep\tgithub.com/pkg/errors\tv0.9.1\th1:aaa=\n\
dep\tgolang.org/x/xerrors\tv0.0.0-20220907171357-04be3eba64a2\n\
=>\tgithub.com/golang/xerrors\tv0.0.0-20220907171357-04be3eba64a2\th1:bbb=\n\
dep\texample.com/lib\tv0.1.0\n\
=>\t../lib\t(devel)\t\n\
dep\tgithub.com/docker/cli\tv28.0.2+incompatible\th1:ccc=\n\
build\tGOOS=linux\n\
build\tvcs.revision=abc123\n";

fn framed(text: &str) -> Vec<u8> {
    let mut v = START.to_vec();
    v.extend_from_slice(text.as_bytes());
    v.extend_from_slice(END);
    v
}

fn uvarint(out: &mut Vec<u8>, mut x: u64) {
    while x >= 0x80 {
        out.push((x as u8) | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

fn inline_section(version: &str, modinfo: &[u8]) -> Vec<u8> {
    let mut b = MAGIC.to_vec();
    b.extend_from_slice(&[8, 2]);
    b.resize(32, 0);
    uvarint(&mut b, version.len() as u64);
    b.extend_from_slice(version.as_bytes());
    uvarint(&mut b, modinfo.len() as u64);
    b.extend_from_slice(modinfo);
    b
}

/// Go < 1.18: the header points at string headers in another section.
fn pointer_format_elf(version: &str, modinfo: &[u8]) -> Vec<u8> {
    // Section 1 (".data"): [vers hdr][mod hdr] at 0, version at 0x100,
    // modinfo at 0x200.
    let data_addr = section_addr(1);
    let mut data = vec![0u8; 0x200 + modinfo.len()];
    let hdrs = [
        data_addr + 0x100,
        version.len() as u64,
        data_addr + 0x200,
        modinfo.len() as u64,
    ];
    for (i, v) in hdrs.iter().enumerate() {
        data[i * 8..i * 8 + 8].copy_from_slice(&v.to_le_bytes());
    }
    data[0x100..0x100 + version.len()].copy_from_slice(version.as_bytes());
    data[0x200..].copy_from_slice(modinfo);
    let mut hdr = MAGIC.to_vec();
    hdr.extend_from_slice(&[8, 0]);
    hdr.extend_from_slice(&data_addr.to_le_bytes());
    hdr.extend_from_slice(&(data_addr + 16).to_le_bytes());
    elf64(&[(".go.buildinfo", hdr), (".data", data)])
}

type Row = (String, String, Option<String>);

fn rows(out: &tidewatch_catalog::Output) -> BTreeSet<Row> {
    out.packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone(), p.ecosystem.clone()))
        .collect()
}

fn row(name: &str, version: &str, eco: Option<&str>) -> Row {
    (name.into(), version.into(), eco.map(str::to_string))
}

fn expected_synthetic() -> BTreeSet<Row> {
    [
        row("stdlib", "v1.16.15", Some("Go")),
        row("example.com/app", "v1.4.0", Some("Go")),
        row("github.com/pkg/errors", "v0.9.1", Some("Go")),
        row(
            "github.com/golang/xerrors",
            "v0.0.0-20220907171357-04be3eba64a2",
            Some("Go"),
        ),
        row("example.com/lib", "(devel)", None),
        row("github.com/docker/cli", "v28.0.2+incompatible", Some("Go")),
    ]
    .into_iter()
    .collect()
}

#[test]
fn wants_sniffs_executables_only() {
    let c = GoBinaryCataloger;
    assert_eq!(c.wants("usr/bin/x", 1 << 20, 0o755), Want::Sniff);
    assert_eq!(c.wants("usr/bin/x", 1 << 20, 0o644), Want::Skip);
    assert_eq!(c.wants("usr/bin/x", 100, 0o755), Want::Skip);
    assert!(c.sniff("usr/bin/x", b"\x7fELF\x02\x01"));
    assert!(!c.sniff("usr/bin/x", b"#!/bin/sh\n"));
    assert!(
        c.must_contain("usr/bin/x", b"\x7fELF\x02\x01")
            .is_some_and(|m| m.contains(&MAGIC))
    );
}

/// The image reader keeps an executable only for the markers of the
/// catalogers that accepted it, unless one of them wants it whole (the
/// runtime cataloger reads `pythonX.Y` and `node` for version strings).
#[test]
fn the_union_keeps_runtimes_whole_and_other_executables_by_marker() {
    use tidewatch_image::FileFilter;
    let all = tidewatch_catalog::Catalogers::all();
    let elf = b"\x7fELF\x02\x01\x01\x00";
    assert_eq!(
        all.wants("usr/lib/x86_64-linux-gnu/libssl.so.3", 1 << 20, 0o755),
        Want::Sniff
    );
    assert!(all.sniff("usr/lib/x86_64-linux-gnu/libssl.so.3", elf));
    let markers = all
        .must_contain("usr/lib/x86_64-linux-gnu/libssl.so.3", elf)
        .unwrap();
    assert!(markers.contains(&MAGIC), "{markers:?}");
    assert!(markers.contains(&&b".dep-v0\0"[..]), "{markers:?}");
    for runtime in [
        "usr/bin/python3.11",
        "usr/local/bin/node",
        "usr/lib/libpython3.11.so.1.0",
    ] {
        assert!(all.sniff(runtime, elf), "{runtime}");
        assert_eq!(all.must_contain(runtime, elf), None, "{runtime}");
    }
}

#[test]
fn inline_format_in_memory_and_spilled() {
    let elf = elf64(&[(
        ".go.buildinfo",
        inline_section("go1.16.15", &framed(MODINFO)),
    )]);
    for entry in [mem(elf.clone(), 0o755), spilled(&elf, 0o755)] {
        let layer = entry.layer;
        let mut files = Files::new();
        files.insert("usr/local/bin/app".into(), entry);
        let out = run(&GoBinaryCataloger, &files);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        assert_eq!(rows(&out), expected_synthetic());
        for p in &out.packages {
            assert_eq!(p.locations[0].path, "usr/local/bin/app");
            assert_eq!(p.locations[0].layer, layer);
            assert_eq!(p.format, "golang");
        }
        let by = |n: &str| out.packages.iter().find(|p| p.name == n).unwrap();
        assert_eq!(by("stdlib").purl, "pkg:golang/stdlib@v1.16.15");
        assert_eq!(by("stdlib").metadata["go-version"], "go1.16.15");
        assert_eq!(
            by("github.com/docker/cli").purl,
            "pkg:golang/github.com/docker/cli@v28.0.2%2Bincompatible"
        );
        let x = by("github.com/golang/xerrors");
        assert_eq!(
            x.metadata["replaces"],
            "golang.org/x/xerrors@v0.0.0-20220907171357-04be3eba64a2"
        );
        assert_eq!(by("example.com/lib").metadata["replaced-by"], "../lib");
        let main = by("example.com/app");
        assert_eq!(main.metadata["main-module"], "true");
        assert_eq!(main.metadata["build.vcs.revision"], "abc123");
    }
}

#[test]
fn pointer_format_through_segments() {
    let elf = pointer_format_elf("go1.16.15", &framed(MODINFO));
    for entry in [mem(elf.clone(), 0o755), spilled(&elf, 0o755)] {
        let mut files = Files::new();
        files.insert("app".into(), entry);
        let out = run(&GoBinaryCataloger, &files);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        assert_eq!(rows(&out), expected_synthetic());
    }
}

#[test]
fn without_section_headers_the_data_segment_is_searched() {
    let mut elf = elf64(&[(
        ".go.buildinfo",
        inline_section("go1.22.0", &framed(MODINFO)),
    )]);
    strip_section_headers(&mut elf);
    // The writable segment starts at file offset 0; the header sits at an
    // aligned 0x1000 inside its first 64 KiB.
    let mut files = Files::new();
    files.insert("app".into(), mem(elf, 0o755));
    let out = run(&GoBinaryCataloger, &files);
    assert!(rows(&out).contains(&row("stdlib", "v1.22.0", Some("Go"))));
    assert_eq!(out.packages.len(), 6);
}

#[test]
fn devel_main_module_is_listed_but_not_matchable() {
    let info = "path\tgithub.com/junegunn/fzf\nmod\tgithub.com/junegunn/fzf\t(devel)\t\n";
    let elf = elf64(&[(".go.buildinfo", inline_section("go1.19.8", &framed(info)))]);
    let mut files = Files::new();
    files.insert("usr/bin/fzf".into(), mem(elf, 0o755));
    let out = run(&GoBinaryCataloger, &files);
    let expected: BTreeSet<Row> = [
        row("stdlib", "v1.19.8", Some("Go")),
        row("github.com/junegunn/fzf", "(devel)", None),
    ]
    .into_iter()
    .collect();
    assert_eq!(rows(&out), expected);
    let fzf = out
        .packages
        .iter()
        .find(|p| p.name.ends_with("fzf"))
        .unwrap();
    assert_eq!(fzf.purl, "pkg:golang/github.com/junegunn/fzf");
}

#[test]
fn gopath_builds_list_the_main_package_path() {
    // Debian builds in GOPATH mode: `path` but no `mod` line.
    let info = "path\tgithub.com/junegunn/fzf\nbuild\t-compiler=gc\n";
    let elf = elf64(&[(".go.buildinfo", inline_section("go1.19.8", &framed(info)))]);
    let mut files = Files::new();
    files.insert("usr/bin/fzf".into(), mem(elf, 0o755));
    let out = run(&GoBinaryCataloger, &files);
    let expected: BTreeSet<Row> = [
        row("stdlib", "v1.19.8", Some("Go")),
        row("github.com/junegunn/fzf", "(devel)", None),
    ]
    .into_iter()
    .collect();
    assert_eq!(rows(&out), expected);
}

#[test]
fn non_go_and_non_elf_files_are_ignored() {
    let mut files = Files::new();
    files.insert(
        "bin/c-program".into(),
        mem(elf64(&[(".text", vec![0x90; 64])]), 0o755),
    );
    let mut script = b"#!/bin/sh\n".to_vec();
    script.resize(8192, b' ');
    files.insert("bin/script".into(), mem(script, 0o755));
    let out = run(&GoBinaryCataloger, &files);
    assert!(out.packages.is_empty());
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn malformed_binaries_warn_and_the_scan_goes_on() {
    let good = elf64(&[(
        ".go.buildinfo",
        inline_section("go1.22.0", &framed(MODINFO)),
    )]);
    let mut files = Files::new();
    // Cut inside the section header table.
    files.insert(
        "a/truncated".into(),
        mem(good[..good.len() - 40].to_vec(), 0o755),
    );
    // Build info whose module-info string runs past the section.
    let mut cut = inline_section("go1.22.0", &framed(MODINFO));
    cut.truncate(cut.len() - 10);
    files.insert(
        "b/cut-blob".into(),
        mem(elf64(&[(".go.buildinfo", cut)]), 0o755),
    );
    // A garbled module-info line: stdlib is still reported.
    let bad = framed("path\tx\ndep\tonly-a-path\n");
    files.insert(
        "c/bad-modinfo".into(),
        mem(
            elf64(&[(".go.buildinfo", inline_section("go1.22.0", &bad))]),
            0o755,
        ),
    );
    files.insert("d/good".into(), mem(good, 0o755));
    let out = run(&GoBinaryCataloger, &files);
    let warned: Vec<&str> = out.warnings.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(
        warned,
        vec!["a/truncated", "b/cut-blob", "c/bad-modinfo"],
        "{:?}",
        out.warnings
    );
    assert!(
        out.warnings[2].message.contains("line 2"),
        "{}",
        out.warnings[2].message
    );
    let paths: BTreeSet<&str> = out
        .packages
        .iter()
        .map(|p| p.locations[0].path.as_str())
        .collect();
    assert_eq!(paths, ["c/bad-modinfo", "d/good"].into_iter().collect());
    assert_eq!(
        out.packages
            .iter()
            .filter(|p| p.locations[0].path == "d/good")
            .count(),
        6
    );
}

/// `go version -m` output as the packages tidewatch should report.
fn oracle(bin: &Path) -> BTreeSet<Row> {
    let o = Command::new("go")
        .arg("version")
        .arg("-m")
        .arg(bin)
        .output()
        .unwrap();
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    let mut out = BTreeSet::new();
    let mut pending: Option<(String, String)> = None;
    let flush = |p: &mut Option<(String, String)>, out: &mut BTreeSet<Row>| {
        if let Some((path, v)) = p.take() {
            let matchable = v != "(devel)";
            out.insert((path, v, matchable.then(|| "Go".to_string())));
        }
    };
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            let go = line.rsplit(' ').next().unwrap();
            let v = go.strip_prefix("go").unwrap();
            let parts: Vec<&str> = v.split('.').collect();
            let v = match parts.len() {
                2 => format!("v{v}.0"),
                _ => format!("v{v}"),
            };
            out.insert(("stdlib".into(), v, Some("Go".into())));
            continue;
        }
        let cols: Vec<&str> = line.trim_start_matches('\t').split('\t').collect();
        match cols.as_slice() {
            ["mod" | "dep", path, version, ..] => {
                flush(&mut pending, &mut out);
                pending = Some((path.to_string(), version.to_string()));
            }
            ["=>", path, version, ..] => {
                let (orig, _) = pending.take().unwrap();
                if path.starts_with('.') || path.starts_with('/') {
                    out.insert((orig, "(devel)".into(), None));
                } else {
                    out.insert((path.to_string(), version.to_string(), Some("Go".into())));
                }
            }
            _ => {}
        }
    }
    flush(&mut pending, &mut out);
    out
}

#[test]
fn real_go_binaries_match_go_version_m() {
    if Command::new("go").arg("version").output().is_err() {
        println!("skipping: go not installed (apt-get install golang-go)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/fixtures/build-go.sh");
    let status = Command::new("bash")
        .arg(&script)
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success(), "build-go.sh failed");
    for name in ["hello-amd64", "hello-386", "hello-s390x", "hello-stripped"] {
        let bin = dir.path().join(name);
        let expected = oracle(&bin);
        assert!(expected.len() >= 5, "{name}: {expected:?}");
        for entry in [
            mem(std::fs::read(&bin).unwrap(), 0o755),
            spilled_file(&bin, 0o755),
        ] {
            let mut files = Files::new();
            files.insert(format!("usr/bin/{name}"), entry);
            let out = run(&GoBinaryCataloger, &files);
            assert!(out.warnings.is_empty(), "{name}: {:?}", out.warnings);
            assert_eq!(rows(&out), expected, "{name}");
        }
    }
}
