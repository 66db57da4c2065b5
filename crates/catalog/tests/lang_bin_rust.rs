//! The cargo-auditable cataloger on synthesised ELF files and on a real
//! binary built by `scripts/fixtures/build-rust-auditable.sh`, checked
//! against its `Cargo.lock`.
#![allow(clippy::unwrap_used)]

mod lang_bin_support;

use flate2::{Compression, write::ZlibEncoder};
use lang_bin_support::*;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use tidewatch_catalog::lang::rust_audit::RustAuditCataloger;
use tidewatch_image::Files;

fn compress(json: &str) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
    e.write_all(json.as_bytes()).unwrap();
    e.finish().unwrap()
}

const JSON: &str = r#"{"packages":[
  {"name":"rusty-demo","version":"0.1.0","source":"local","dependencies":[1,2,3],"root":true},
  {"name":"smallvec","version":"1.6.0","source":"crates.io"},
  {"name":"regex","version":"1.5.4","source":"crates.io"},
  {"name":"private","version":"2.0.0","source":"registry"}
]}"#;

type Row = (String, String, Option<String>);

fn rows(out: &tidewatch_catalog::Output) -> BTreeSet<Row> {
    out.packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone(), p.ecosystem.clone()))
        .collect()
}

#[test]
fn synthesised_section_in_memory_and_spilled() {
    let elf = elf64(&[(".text", vec![0x90; 32]), (".dep-v0", compress(JSON))]);
    for entry in [mem(elf.clone(), 0o755), spilled(&elf, 0o755)] {
        let layer = entry.layer;
        let mut files = Files::new();
        files.insert("usr/local/bin/rusty-demo".into(), entry);
        let out = run(&RustAuditCataloger, &files);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let crates_io = Some("crates.io".to_string());
        let expected: BTreeSet<Row> = [
            ("rusty-demo".into(), "0.1.0".into(), None),
            ("smallvec".into(), "1.6.0".into(), crates_io.clone()),
            ("regex".into(), "1.5.4".into(), crates_io),
            ("private".into(), "2.0.0".into(), None),
        ]
        .into_iter()
        .collect();
        assert_eq!(rows(&out), expected);
        let sv = out.packages.iter().find(|p| p.name == "smallvec").unwrap();
        assert_eq!(sv.purl, "pkg:cargo/smallvec@1.6.0");
        assert_eq!(sv.format, "cargo");
        assert_eq!(sv.locations[0].path, "usr/local/bin/rusty-demo");
        assert_eq!(sv.locations[0].layer, layer);
        let private = out.packages.iter().find(|p| p.name == "private").unwrap();
        assert_eq!(private.metadata["source"], "registry");
    }
}

#[test]
fn binaries_without_audit_data_are_ignored() {
    let mut files = Files::new();
    files.insert(
        "bin/plain".into(),
        mem(elf64(&[(".text", vec![0x90; 64])]), 0o755),
    );
    let out = run(&RustAuditCataloger, &files);
    assert!(out.packages.is_empty());
    assert!(out.warnings.is_empty());
}

#[test]
fn corrupt_audit_data_warns_and_the_scan_goes_on() {
    let mut files = Files::new();
    let mut cut = compress(JSON);
    cut.truncate(cut.len() / 2);
    files.insert("a/cut".into(), mem(elf64(&[(".dep-v0", cut)]), 0o755));
    files.insert(
        "b/not-json".into(),
        mem(elf64(&[(".dep-v0", compress("{\"packages\": 5}"))]), 0o755),
    );
    files.insert(
        "c/good".into(),
        mem(elf64(&[(".dep-v0", compress(JSON))]), 0o755),
    );
    let out = run(&RustAuditCataloger, &files);
    let warned: Vec<&str> = out.warnings.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(warned, vec!["a/cut", "b/not-json"]);
    assert!(
        out.warnings.iter().all(|w| w.message.contains(".dep-v0")),
        "{:?}",
        out.warnings
    );
    assert_eq!(out.packages.len(), 4);
    assert!(out.packages.iter().all(|p| p.locations[0].path == "c/good"));
}

#[test]
fn real_cargo_auditable_binary_matches_its_lockfile() {
    let have = Command::new("cargo")
        .args(["auditable", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        println!("skipping: cargo-auditable not installed (cargo install cargo-auditable)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scripts/fixtures/build-rust-auditable.sh");
    let status = Command::new("bash")
        .arg(&script)
        .arg(dir.path())
        .status()
        .unwrap();
    if !status.success() {
        println!("skipping: build-rust-auditable.sh failed (no cached crates and no network?)");
        return;
    }
    let lock: toml::Table = std::fs::read_to_string(dir.path().join("Cargo.lock"))
        .unwrap()
        .parse()
        .unwrap();
    let expected: BTreeSet<Row> = lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let crates_io = p.get("source").and_then(|s| s.as_str()).is_some_and(|s| {
                s.contains("github.com/rust-lang/crates.io-index")
                    || s == "sparse+https://index.crates.io/"
            });
            (
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
                crates_io.then(|| "crates.io".to_string()),
            )
        })
        .collect();
    assert_eq!(expected.len(), 3);
    let bin = dir.path().join("demo-auditable");
    for entry in [
        mem(std::fs::read(&bin).unwrap(), 0o755),
        spilled_file(&bin, 0o755),
    ] {
        let mut files = Files::new();
        files.insert("usr/bin/demo-auditable".into(), entry);
        let out = run(&RustAuditCataloger, &files);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        assert_eq!(rows(&out), expected);
    }
}
