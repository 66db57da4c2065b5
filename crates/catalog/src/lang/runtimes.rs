//! Language runtimes installed outside a package manager (the official
//! `python`, `node`, `openjdk` and `golang` images copy them in by hand),
//! reported as packages so their own CVEs can be matched.
//!
//! Signals, chosen because each is written by the runtime's build itself
//! and checked here against the file name so an unrelated string cannot
//! produce a version:
//! - CPython: the `PY_VERSION` constant, a NUL-terminated `3.12.3` inside
//!   `pythonX.Y` or `libpythonX.Y*.so*`, whose `X.Y` must equal the one in
//!   the file name. (`3.12.3 (main, …)` is assembled at run time and is not
//!   in the file.) A launcher linked against `libpython` has no such
//!   string; the library then carries the version and is reported instead.
//! - Node.js: `node.js/vX.Y.Z` (the inspector's browser string) inside
//!   `node` / `nodejs` or `libnode.so*` (Debian links node dynamically).
//! - JDK / JRE: the `release` file's `JAVA_VERSION="17.0.9"`.
//! - Go toolchain: a GOROOT's `VERSION` file (`go1.22.3`), reported as
//!   module `stdlib` like the toolchain recorded in Go binaries.
//!
//! Python, Node and the JDK have no OSV ecosystem for the runtime itself,
//! so they are listed with `ecosystem = None`, `metadata.runtime = true`
//! and a `pkg:generic` purl; the Go toolchain is matchable as `Go`.

use super::go_buildinfo::stdlib_version;
use super::golang::{is_elf, purl};
use crate::{Cataloger, Output};
use memchr::memmem;
use std::collections::BTreeSet;
use std::io::{self, Read};
use tidewatch_image::{FileEntry, Files, Want};
use tidewatch_types::{OsInfo, Package, PackageType};

/// Small text files (`release`, `VERSION`) larger than this are not them.
const MAX_TEXT: u64 = 64 * 1024;
/// How far past a marker a version string may run.
const MAX_VERSION_LEN: usize = 40;
const CHUNK: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A Python executable or library, with its `X.Y` from the file name.
    Python,
    Node,
    JdkRelease,
    GoVersion,
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `3.12` out of `python3.12`, `libpython3.12.so.1.0`, `libpython3.12d.so`.
fn python_minor(name: &str) -> Option<&str> {
    let rest = match name.strip_prefix("libpython") {
        Some(r) if name.contains(".so") => r,
        Some(_) => return None,
        None => name.strip_prefix("python")?,
    };
    let (major, after) = rest.split_once('.')?;
    let minor_len = after.bytes().take_while(u8::is_ascii_digit).count();
    let tail = &after[minor_len..];
    if major.is_empty() || !major.bytes().all(|b| b.is_ascii_digit()) || minor_len == 0 {
        return None;
    }
    // The executable is exactly `pythonX.Y`; a library continues with an
    // ABI flag or `.so`.
    let ok = if name.starts_with("lib") {
        tail.trim_start_matches(|c: char| c.is_ascii_lowercase())
            .starts_with(".so")
    } else {
        tail.is_empty()
    };
    ok.then(|| &rest[..major.len() + 1 + minor_len])
}

fn kind_of(path: &str) -> Option<Kind> {
    let name = basename(path);
    if python_minor(name).is_some() {
        Some(Kind::Python)
    } else if matches!(name, "node" | "nodejs") || name.starts_with("libnode.so") {
        Some(Kind::Node)
    } else if name == "release" {
        Some(Kind::JdkRelease)
    } else if name == "VERSION" && is_goroot_version(path) {
        Some(Kind::GoVersion)
    } else {
        None
    }
}

/// `usr/local/go/VERSION`, `usr/lib/go-1.19/VERSION`: the parent directory
/// looks like a GOROOT.
fn is_goroot_version(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    parts.next();
    parts.next().is_some_and(|dir| {
        dir == "go" || dir.starts_with("go-") || dir.starts_with("go1") || dir == "golang"
    })
}

/// Finds runtimes installed outside a package manager.
pub struct RuntimeCataloger;

impl Cataloger for RuntimeCataloger {
    fn name(&self) -> &'static str {
        "runtimes"
    }

    fn wants(&self, path: &str, size: u64, _mode: u32) -> Want {
        match kind_of(path) {
            Some(Kind::Python | Kind::Node) => Want::Sniff,
            Some(Kind::JdkRelease | Kind::GoVersion) if size <= MAX_TEXT => Want::Keep,
            _ => Want::Skip,
        }
    }

    fn sniff(&self, path: &str, head: &[u8]) -> bool {
        matches!(kind_of(path), Some(Kind::Python | Kind::Node)) && head.starts_with(b"\x7fELF")
    }

    fn catalog(&self, files: &Files, _os: Option<&OsInfo>, out: &mut Output) {
        // One report per (runtime, version, directory): a library and its
        // `.so` symlink resolved to a copy are one install.
        let mut seen = BTreeSet::new();
        for (path, entry) in files.iter() {
            let Some(kind) = kind_of(path) else { continue };
            let found = match kind {
                Kind::Python | Kind::Node => binary_version(path, entry, kind),
                Kind::JdkRelease => text(entry).map(|t| jdk_version(&t).map(|v| ("openjdk", v))),
                Kind::GoVersion => text(entry).map(|t| go_version(&t).map(|v| ("stdlib", v))),
            };
            let (name, version) = match found {
                Ok(Some(found)) => found,
                Ok(None) => continue,
                Err(e) => {
                    out.warn(path, format!("runtime version: {e}"));
                    continue;
                }
            };
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
            if !seen.insert((name, version.clone(), dir.to_string())) {
                continue;
            }
            let mut p = if name == "stdlib" {
                let mut p = Package::new("stdlib", &version, "golang", PackageType::Library);
                p.ecosystem = Some("Go".into());
                p.purl = purl("golang", "stdlib", Some(&version));
                p
            } else {
                let mut p = Package::new(name, &version, "generic", PackageType::Library);
                p.purl = purl("generic", name, Some(&version));
                p
            };
            p.metadata.insert("runtime".into(), "true".into());
            p.locations.push(crate::location(files, path));
            out.packages.push(p);
        }
    }
}

fn text(entry: &FileEntry) -> io::Result<String> {
    let mut buf = Vec::new();
    entry.data.reader()?.take(MAX_TEXT).read_to_end(&mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// `JAVA_VERSION="17.0.9"` from a JDK `release` file.
fn jdk_version(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let v = l.trim().strip_prefix("JAVA_VERSION=")?;
        let v = v.trim().trim_matches('"');
        let ok = !v.is_empty()
            && v.starts_with(|c: char| c.is_ascii_digit())
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+'));
        ok.then(|| v.to_string())
    })
}

/// `go1.22.3` (first line of a GOROOT `VERSION`) as `v1.22.3`.
fn go_version(text: &str) -> Option<String> {
    stdlib_version(text.lines().next()?.trim())
}

fn binary_version(
    path: &str,
    entry: &FileEntry,
    kind: Kind,
) -> io::Result<Option<(&'static str, String)>> {
    if !is_elf(entry)? {
        return Ok(None);
    }
    Ok(match kind {
        Kind::Python => {
            let Some(minor) = python_minor(basename(path)) else {
                return Ok(None);
            };
            let needle = format!("\0{minor}.");
            search(entry, needle.as_bytes(), |after| {
                version_until_nul(after, |c| c.is_ascii_alphanumeric() || c == b'+')
                    .map(|rest| format!("{minor}.{rest}"))
            })?
            .map(|v| ("python", v))
        }
        Kind::Node => search(entry, b"node.js/v", |after| {
            version_until_nul(after, |c| c.is_ascii_digit() || c == b'.')
                .filter(|v| v.split('.').count() == 3 && v.split('.').all(|p| !p.is_empty()))
        })?
        .map(|v| ("node", v)),
        Kind::JdkRelease | Kind::GoVersion => None,
    })
}

/// The bytes before the next NUL if they start with a digit and all pass
/// `ok`.
fn version_until_nul(after: &[u8], ok: impl Fn(u8) -> bool) -> Option<String> {
    let end = memchr::memchr(0, after)?;
    let v = after.get(..end)?;
    (!v.is_empty() && v[0].is_ascii_digit() && v.iter().all(|&c| ok(c)))
        .then(|| String::from_utf8_lossy(v).into_owned())
}

/// Stream the file looking for `needle`; the first occurrence whose
/// following bytes `accept` returns the version. Reads in chunks, so a
/// 100 MB binary is never held in memory.
fn search(
    entry: &FileEntry,
    needle: &[u8],
    accept: impl Fn(&[u8]) -> Option<String>,
) -> io::Result<Option<String>> {
    let finder = memmem::Finder::new(needle);
    let keep = needle.len() + MAX_VERSION_LEN;
    let mut reader = entry.data.reader()?;
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + keep);
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let n = reader.read(&mut chunk)?;
        let eof = n == 0;
        buf.extend_from_slice(&chunk[..n]);
        // Only matches with their whole tail present are final unless at
        // the end of the file.
        let limit = if eof {
            buf.len()
        } else {
            buf.len().saturating_sub(keep)
        };
        let mut from = 0;
        while let Some(rel) = buf.get(from..limit).and_then(|b| finder.find(b)) {
            let at = from + rel;
            let tail_end = (at + keep).min(buf.len());
            if let Some(v) = buf.get(at + needle.len()..tail_end).and_then(&accept) {
                return Ok(Some(v));
            }
            from = at + 1;
        }
        if eof {
            return Ok(None);
        }
        let drop = limit.min(buf.len());
        buf.drain(..drop);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use tidewatch_image::FileData;

    fn mem(bytes: Vec<u8>, mode: u32) -> FileEntry {
        FileEntry {
            layer: Some(0),
            size: bytes.len() as u64,
            mode,
            data: FileData::Memory(Arc::new(bytes)),
        }
    }

    fn elf_with(strings: &[&[u8]], pad: usize) -> Vec<u8> {
        let mut b = b"\x7fELF\x02\x01\x01".to_vec();
        b.resize(pad, 0x41);
        for s in strings {
            b.extend_from_slice(s);
        }
        b.extend_from_slice(&[0u8; 8]);
        b
    }

    #[test]
    fn names() {
        assert_eq!(python_minor("python3.12"), Some("3.12"));
        assert_eq!(python_minor("libpython3.11.so.1.0"), Some("3.11"));
        assert_eq!(python_minor("libpython3.13t.so"), Some("3.13"));
        assert_eq!(python_minor("python3"), None);
        assert_eq!(python_minor("python3.12-config"), None);
        assert_eq!(python_minor("libpython3.12.a"), None);
        assert_eq!(kind_of("usr/local/go/VERSION"), Some(Kind::GoVersion));
        assert_eq!(kind_of("usr/lib/go-1.19/VERSION"), Some(Kind::GoVersion));
        assert_eq!(kind_of("app/VERSION"), None);
        assert_eq!(kind_of("usr/bin/nodejs"), Some(Kind::Node));
    }

    #[test]
    fn python_version_must_match_the_file_name() {
        // A decoy `3.9.1` and a version split across the chunk boundary.
        let bin = elf_with(&[b"\x003.9.1\x00", b"\x003.11.2\x00"], CHUNK - 5);
        let e = mem(bin, 0o755);
        let v = binary_version("usr/bin/python3.11", &e, Kind::Python).unwrap();
        assert_eq!(v, Some(("python", "3.11.2".to_string())));
        let v = binary_version("usr/bin/python3.10", &e, Kind::Python).unwrap();
        assert_eq!(v, None);
    }

    #[test]
    fn node_version_from_the_inspector_string() {
        let bin = elf_with(
            &[b"node.js/vX\x00", b"listening\x00node.js/v20.11.1\x00"],
            100,
        );
        let v = binary_version("usr/local/bin/node", &mem(bin, 0o755), Kind::Node).unwrap();
        assert_eq!(v, Some(("node", "20.11.1".to_string())));
        let not_elf = mem(b"#!/bin/sh\nnode.js/v1.2.3\0".to_vec(), 0o755);
        assert_eq!(
            binary_version("usr/bin/node", &not_elf, Kind::Node).unwrap(),
            None
        );
    }

    #[test]
    fn jdk_and_go_text_files() {
        let release = "IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_RUNTIME_VERSION=\"17.0.9+9\"\nJAVA_VERSION=\"17.0.9\"\n";
        assert_eq!(jdk_version(release).as_deref(), Some("17.0.9"));
        assert_eq!(jdk_version("JAVA_VERSION=\"$(rm -rf)\"").as_deref(), None);
        assert_eq!(jdk_version("NAME=x"), None);
        assert_eq!(
            go_version("go1.22.3\ntime 2024-05-01T19:57:44Z\n").as_deref(),
            Some("v1.22.3")
        );
        assert_eq!(go_version("devel +abc\n"), None);
    }

    #[test]
    fn catalogs_each_install_once() {
        let mut files = Files::new();
        files.insert(
            "opt/java/openjdk/release".into(),
            mem(b"JAVA_VERSION=\"21.0.2\"\n".to_vec(), 0o644),
        );
        files.insert(
            "usr/local/go/VERSION".into(),
            mem(b"go1.22.3\n".to_vec(), 0o644),
        );
        let lib = elf_with(&[b"\x003.12.3\x00"], 64);
        files.insert(
            "usr/local/lib/libpython3.12.so".into(),
            mem(lib.clone(), 0o755),
        );
        files.insert("usr/local/lib/libpython3.12.so.1.0".into(), mem(lib, 0o755));
        files.insert(
            "usr/local/bin/python3.12".into(),
            mem(elf_with(&[], 64), 0o755),
        );
        let mut out = Output::default();
        RuntimeCataloger.catalog(&files, None, &mut out);
        let got: Vec<(&str, &str, &str, Option<&str>)> = out
            .packages
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.version.as_str(),
                    p.purl.as_str(),
                    p.ecosystem.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("openjdk", "21.0.2", "pkg:generic/openjdk@21.0.2", None),
                ("stdlib", "v1.22.3", "pkg:golang/stdlib@v1.22.3", Some("Go")),
                ("python", "3.12.3", "pkg:generic/python@3.12.3", None),
            ]
        );
        assert!(out.packages.iter().all(|p| p.metadata["runtime"] == "true"));
        assert!(out.warnings.is_empty());
    }
}
