//! Alpine, Wolfi and Chainguard packages: the apk installed database.
//!
//! `lib/apk/db/installed` (apk-tools 2) or `usr/lib/apk/db/installed`
//! (merged-/usr images, apk-tools 3, Wolfi): blank-line separated stanzas
//! of `X:value` lines. tidewatch reads `P:` name, `V:` version, `A:`
//! arch, `o:` origin (the source package every advisory is about), `L:`
//! license, and the owned files from `F:` (a directory) followed by its
//! `R:` entries (files in it). A line that is not `X:value` gets a warning
//! with its line number and is skipped; a stanza without `P:` or `V:` is
//! skipped with a warning.

use crate::os::{assign_ecosystem, purl};
use crate::{Cataloger, Output, location};
use tidewatch_image::{Files, Want};
use tidewatch_types::{OsInfo, Package, PackageType, SourcePackage};

const DBS: [&str; 2] = ["lib/apk/db/installed", "usr/lib/apk/db/installed"];

/// The apk cataloger.
pub struct Apk;

/// One package stanza as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line of the stanza's first line.
    pub line: usize,
    pub name: String,
    pub version: String,
    pub arch: Option<String>,
    pub origin: Option<String>,
    pub license: Option<String>,
    /// Owned files, without a leading `/`.
    pub files: Vec<String>,
}

/// Parse an installed database; problems go to `out` naming `path`.
pub fn parse(text: &str, path: &str, out: &mut Output) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut cur: Option<Entry> = None;
    let mut dir = String::new();
    let mut bad_lines = 0usize;
    for (i, raw) in text.split('\n').enumerate() {
        let n = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            if let Some(e) = cur.take() {
                finish(e, path, out, &mut entries);
            }
            dir.clear();
            continue;
        }
        let e = cur.get_or_insert_with(|| Entry {
            line: n,
            ..Entry::default()
        });
        let mut chars = line.chars();
        let (Some(key), Some(':')) = (chars.next(), chars.next()) else {
            bad_lines += 1;
            // One warning per bad run is enough to find the spot.
            if bad_lines <= 3 {
                out.warn(path, format!("line {n}: not a `X:value` line; skipped"));
            }
            continue;
        };
        let value = chars.as_str();
        match key {
            'P' => e.name = value.trim().to_string(),
            'V' => e.version = value.trim().to_string(),
            'A' => e.arch = Some(value.trim().to_string()).filter(|s| !s.is_empty()),
            'o' => e.origin = Some(value.trim().to_string()).filter(|s| !s.is_empty()),
            'L' => e.license = Some(value.trim().to_string()).filter(|s| !s.is_empty()),
            'F' => dir = value.trim().trim_matches('/').to_string(),
            'R' => {
                let file = value.trim().trim_start_matches('/');
                if !file.is_empty() {
                    e.files.push(if dir.is_empty() {
                        file.to_string()
                    } else {
                        format!("{dir}/{file}")
                    });
                }
            }
            _ => {}
        }
    }
    if let Some(e) = cur.take() {
        finish(e, path, out, &mut entries);
    }
    if bad_lines > 3 {
        out.warn(
            path,
            format!("{bad_lines} lines in all were not `X:value` lines and were skipped"),
        );
    }
    entries
}

fn finish(e: Entry, path: &str, out: &mut Output, entries: &mut Vec<Entry>) {
    match (e.name.is_empty(), e.version.is_empty()) {
        (false, false) => entries.push(e),
        (true, _) if e.version.is_empty() && e.files.is_empty() && e.arch.is_none() => {
            // A stanza of only unknown or malformed lines: already warned
            // about line by line, or an empty trailer.
        }
        (true, _) => out.warn(
            path,
            format!("line {}: package stanza has no P: name; skipped", e.line),
        ),
        (false, true) => out.warn(
            path,
            format!(
                "line {}: package {:?} has no V: version; skipped",
                e.line, e.name
            ),
        ),
    }
}

fn namespace(os: Option<&OsInfo>) -> &'static str {
    match os.map(|o| o.family.as_str()) {
        Some("wolfi") => "wolfi",
        Some("chainguard") => "chainguard",
        _ => "alpine",
    }
}

impl Cataloger for Apk {
    fn name(&self) -> &'static str {
        "apk"
    }

    fn wants(&self, path: &str, _size: u64, _mode: u32) -> Want {
        if DBS.contains(&path) {
            Want::Keep
        } else {
            Want::Skip
        }
    }

    fn catalog(&self, files: &Files, os: Option<&OsInfo>, out: &mut Output) {
        let mut first: Option<Vec<u8>> = None;
        for path in DBS {
            let Some(entry) = files.get(path) else {
                continue;
            };
            let bytes = match entry.data.bytes() {
                Ok(b) => b.into_owned(),
                Err(e) => {
                    out.warn(path, format!("cannot read: {e}"));
                    continue;
                }
            };
            // `lib/apk` is a symlink to `usr/lib/apk` on merged-/usr images:
            // the same database seen twice is read once.
            if first.as_ref().is_some_and(|f| *f == bytes) {
                continue;
            }
            let text = String::from_utf8_lossy(&bytes);
            let mut pkgs: Vec<Package> = parse(&text, path, out)
                .into_iter()
                .map(|e| to_package(e, path, files, os))
                .collect();
            assign_ecosystem(&mut pkgs, os, "apk", path, out);
            out.packages.extend(pkgs);
            if first.is_none() {
                first = Some(bytes);
            }
        }
    }
}

fn to_package(e: Entry, path: &str, files: &Files, os: Option<&OsInfo>) -> Package {
    let mut p = Package::new(&e.name, &e.version, "apk", PackageType::Os);
    let origin = e.origin.clone().unwrap_or_else(|| e.name.clone());
    p.purl = purl::os_purl(
        "apk",
        namespace(os),
        &e.name,
        &e.version,
        e.arch.as_deref(),
        Some(&origin),
        os.filter(|o| crate::os::ecosystem::native_format(o, "apk")),
    );
    p.source = Some(SourcePackage {
        name: origin,
        version: e.version,
    });
    p.arch = e.arch;
    if let Some(l) = e.license {
        p.licenses.push(l);
    }
    p.owned_files = e.files;
    p.locations.push(location(files, path));
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use tidewatch_image::{FileData, FileEntry};

    fn files(list: &[(&str, &str)]) -> Files {
        let mut f = Files::new();
        for (p, t) in list {
            f.insert(
                p.to_string(),
                FileEntry {
                    layer: Some(0),
                    size: t.len() as u64,
                    mode: 0o644,
                    data: FileData::Memory(Arc::new(t.as_bytes().to_vec())),
                },
            );
        }
        f
    }

    fn os(family: &str, version: &str) -> OsInfo {
        OsInfo {
            family: family.into(),
            version: version.into(),
            ..OsInfo::default()
        }
    }

    const DB: &str = "C:Q1abc=\nP:libssl3\nV:3.1.7-r0\nA:x86_64\nL:Apache-2.0\no:openssl\nF:lib\nR:libssl.so.3\nF:usr/lib\nR:libssl.so.3\n\n\
P:musl\r\nV:1.2.4-r2\r\nA:x86_64\r\nL:MIT\r\no:musl\r\nF:lib\r\nR:ld-musl-x86_64.so.1\r\n\n";

    #[test]
    fn reads_packages_origin_and_files() {
        let f = files(&[("lib/apk/db/installed", DB)]);
        let mut out = Output::default();
        Apk.catalog(&f, Some(&os("alpine", "3.18.9")), &mut out);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        assert_eq!(out.packages.len(), 2);
        let ssl = &out.packages[0];
        assert_eq!(
            ssl.purl,
            "pkg:apk/alpine/libssl3@3.1.7-r0?arch=x86_64&distro=alpine-3.18.9&upstream=openssl"
        );
        assert_eq!(ssl.ecosystem.as_deref(), Some("Alpine:v3.18"));
        assert_eq!(
            ssl.source
                .as_ref()
                .map(|s| (s.name.as_str(), s.version.as_str())),
            Some(("openssl", "3.1.7-r0"))
        );
        assert_eq!(ssl.owned_files, ["lib/libssl.so.3", "usr/lib/libssl.so.3"]);
        assert_eq!(ssl.licenses, ["Apache-2.0"]);
        assert_eq!(out.packages[1].owned_files, ["lib/ld-musl-x86_64.so.1"]);
        assert!(!out.packages[1].purl.contains("upstream"));
    }

    #[test]
    fn wolfi_is_its_own_ecosystem() {
        let f = files(&[("usr/lib/apk/db/installed", DB)]);
        let mut out = Output::default();
        Apk.catalog(&f, Some(&os("wolfi", "20230201")), &mut out);
        assert_eq!(out.packages[0].ecosystem.as_deref(), Some("Wolfi"));
        assert!(out.packages[0].purl.starts_with("pkg:apk/wolfi/libssl3@"));
        assert_eq!(
            out.packages[0].locations[0].path,
            "usr/lib/apk/db/installed"
        );
    }

    #[test]
    fn same_db_at_both_paths_is_read_once() {
        let f = files(&[
            ("lib/apk/db/installed", DB),
            ("usr/lib/apk/db/installed", DB),
        ]);
        let mut out = Output::default();
        Apk.catalog(&f, Some(&os("alpine", "3.18.9")), &mut out);
        assert_eq!(out.packages.len(), 2);
    }

    #[test]
    fn corrupt_lines_warn_and_the_rest_is_kept() {
        let text = "this is a corrupt db\n\nP:ok\nV:1-r0\n\nP:noversion\n\nV:1\nA:x86_64\n";
        let f = files(&[("lib/apk/db/installed", text)]);
        let mut out = Output::default();
        Apk.catalog(&f, None, &mut out);
        assert_eq!(out.packages.len(), 1);
        let msgs: Vec<&str> = out.warnings.iter().map(|w| w.message.as_str()).collect();
        assert!(msgs.iter().any(|m| m.starts_with("line 1:")), "{msgs:?}");
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("line 6:") && m.contains("no V:")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("line 8:") && m.contains("no P:")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("cannot be matched")),
            "{msgs:?}"
        );
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_never_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..2000)) {
            let text = String::from_utf8_lossy(&data);
            let mut out = Output::default();
            let _ = parse(&text, "lib/apk/db/installed", &mut out);
        }

        #[test]
        fn random_db_text_never_panics(text in "([PVAoLFRZ]?:?[a-z0-9/._-]{0,10}\r?\n){0,60}") {
            let f = files(&[("lib/apk/db/installed", &text)]);
            let mut out = Output::default();
            Apk.catalog(&f, Some(&os("alpine", "3.18.9")), &mut out);
        }
    }
}
