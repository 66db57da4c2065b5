//! Helpers for the text-cataloger tests: a squashed [`Files`] view built
//! from a fixture directory or from in-memory files, filtered through a
//! cataloger's `wants` exactly as the image reader would.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use tidewatch_catalog::{Cataloger, Output};
use tidewatch_image::{FileData, FileEntry, Files, Want};
use tidewatch_types::Package;

pub fn fixture(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lang")
        .join(rel)
}

/// Every file under `root`, relative paths, layer 0.
pub fn files_from_dir(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

/// The files `c` keeps out of `all`.
pub fn kept(c: &dyn Cataloger, all: Vec<(String, Vec<u8>)>) -> Files {
    let mut files = Files::new();
    for (path, bytes) in all {
        if c.wants(&path, bytes.len() as u64, 0o644) == Want::Keep {
            files.insert(
                path,
                FileEntry {
                    layer: Some(0),
                    size: bytes.len() as u64,
                    mode: 0o644,
                    data: FileData::Memory(Arc::new(bytes)),
                },
            );
        }
    }
    files
}

pub fn run(c: &dyn Cataloger, all: Vec<(String, Vec<u8>)>) -> Output {
    let files = kept(c, all);
    let mut out = Output::default();
    c.catalog(&files, None, &mut out);
    out
}

pub fn run_dir(c: &dyn Cataloger, rel: &str) -> Output {
    run(c, files_from_dir(&fixture(rel)))
}

/// `name@version` of every package, sorted.
pub fn ids(pkgs: &[Package]) -> Vec<String> {
    let mut v: Vec<String> = pkgs
        .iter()
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect();
    v.sort();
    v
}

pub fn find<'a>(pkgs: &'a [Package], name: &str) -> &'a Package {
    pkgs.iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} not found in {:?}", ids(pkgs)))
}
