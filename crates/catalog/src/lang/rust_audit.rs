//! Rust executables built with `cargo auditable`: the crate list embedded
//! as zlib-compressed JSON in the `.dep-v0` section.
//!
//! The JSON model and its validation (one root, no cycles, indices in
//! range) come from `auditable-serde`. The section is located with
//! `object` over positioned reads rather than through `auditable-info`,
//! which reads the whole binary into memory first.
//!
//! Build-time dependencies (`"kind": "build"`: build scripts and
//! proc-macros) are not part of the executable and are left out, as
//! Trivy and Syft do. Only crates from crates.io are matchable (`ecosystem = crates.io`);
//! git, path and alternate-registry crates are listed with their source in
//! metadata and `ecosystem = None`, since a crates.io advisory says nothing
//! about a fork or a private crate of the same name.

use super::golang::{ExecutableError, executables, purl, wants_executable, with_executable};
use crate::{Cataloger, Output};
use auditable_serde::{DependencyKind, Source, VersionInfo};
use flate2::read::ZlibDecoder;
use std::io::Read;
use thiserror::Error;
use tidewatch_image::{Files, Want};
use tidewatch_types::{OsInfo, Package, PackageType};

/// The section cargo-auditable writes.
pub const SECTION: &str = ".dep-v0";
/// [`SECTION`] as it is stored in the section header string table.
const SECTION_NAME: &[u8] = b".dep-v0\0";
/// Bounds on the compressed section and the JSON it inflates to; real
/// ones are a few KiB, a zip bomb must not exhaust memory.
const COMPRESSED_LIMIT: u64 = 8 << 20;
const JSON_LIMIT: u64 = 32 << 20;

/// Why audit data could not be read.
#[derive(Debug, Error)]
pub enum AuditError {
    #[error("{0}")]
    Executable(#[from] ExecutableError),
    #[error("audit data in {SECTION} is not valid zlib: {0}")]
    Inflate(std::io::Error),
    #[error("audit data in {SECTION} inflates to over {JSON_LIMIT} bytes")]
    TooLarge,
    #[error("audit data in {SECTION} is not valid cargo-auditable JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Decode the contents of a `.dep-v0` section.
pub fn decode_section(compressed: &[u8]) -> Result<VersionInfo, AuditError> {
    let mut json = Vec::new();
    ZlibDecoder::new(compressed)
        .take(JSON_LIMIT + 1)
        .read_to_end(&mut json)
        .map_err(AuditError::Inflate)?;
    if json.len() as u64 > JSON_LIMIT {
        return Err(AuditError::TooLarge);
    }
    Ok(serde_json::from_slice(&json)?)
}

/// The crates of `info` as packages located at `location`.
pub fn packages(info: &VersionInfo, location: &tidewatch_types::Location) -> Vec<Package> {
    info.packages
        .iter()
        // Build dependencies (build scripts, proc-macros) run at compile
        // time and are not in the executable.
        .filter(|c| c.kind != DependencyKind::Build)
        .map(|c| {
            let version = c.version.to_string();
            let mut p = Package::new(&c.name, &version, "cargo", PackageType::Library);
            let source = String::from(c.source.clone());
            if c.source == Source::CratesIo {
                p.ecosystem = Some("crates.io".into());
            }
            p.purl = purl("cargo", &c.name, Some(&version));
            p.metadata.insert("source".into(), source);
            if c.root {
                p.metadata.insert("root".into(), "true".into());
            }
            p.locations.push(location.clone());
            p
        })
        .collect()
}

/// Reads cargo-auditable data from ELF executables.
pub struct RustAuditCataloger;

impl Cataloger for RustAuditCataloger {
    fn name(&self) -> &'static str {
        "rust-cargo-auditable"
    }

    fn wants(&self, _path: &str, size: u64, mode: u32) -> Want {
        wants_executable(size, mode)
    }

    fn sniff(&self, _path: &str, head: &[u8]) -> bool {
        head.starts_with(b"\x7fELF")
    }

    /// The section's name in the section header string table: without it
    /// there is no audit data to read.
    fn must_contain(&self, _path: &str, _head: &[u8]) -> Option<Vec<&'static [u8]>> {
        Some(vec![SECTION_NAME])
    }

    fn catalog(&self, files: &Files, _os: Option<&OsInfo>, out: &mut Output) {
        for (path, entry) in executables(files) {
            let read = with_executable(entry, |exe| -> Result<Option<VersionInfo>, AuditError> {
                match exe.section(SECTION, COMPRESSED_LIMIT)? {
                    Some((_, data)) => decode_section(&data).map(Some),
                    None => Ok(None),
                }
            });
            match read {
                Ok(Ok(Some(info))) => {
                    let loc = crate::location(files, path);
                    out.packages.extend(packages(&info, &loc));
                }
                Ok(Ok(None)) => {}
                Ok(Err(e)) => out.warn(path, format!("Rust audit data: {e}")),
                // An unreadable ELF file is reported once, by the Go
                // cataloger, which opens every executable too.
                Err(e) => tracing::debug!(path, error = %e, "not a readable ELF file"),
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use flate2::{Compression, write::ZlibEncoder};
    use std::io::Write;

    pub(crate) fn compress(json: &str) -> Vec<u8> {
        let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
        e.write_all(json.as_bytes()).unwrap();
        e.finish().unwrap()
    }

    const JSON: &str = r#"{"packages":[
        {"name":"demo","version":"0.1.0","source":"local","dependencies":[1,2],"root":true},
        {"name":"smallvec","version":"1.6.0","source":"crates.io"},
        {"name":"autocfg","version":"1.5.1","source":"crates.io","kind":"build"}
    ]}"#;

    #[test]
    fn only_crates_io_crates_are_matchable() {
        let info = decode_section(&compress(JSON)).unwrap();
        let loc = tidewatch_types::Location {
            path: "usr/bin/demo".into(),
            layer: Some(1),
        };
        let pkgs = packages(&info, &loc);
        assert_eq!(pkgs.len(), 2, "the build dependency is left out");
        assert_eq!(pkgs[0].ecosystem, None);
        assert_eq!(pkgs[0].metadata["source"], "local");
        assert_eq!(pkgs[0].metadata["root"], "true");
        assert_eq!(pkgs[1].ecosystem.as_deref(), Some("crates.io"));
        assert_eq!(pkgs[1].purl, "pkg:cargo/smallvec@1.6.0");
        assert_eq!(pkgs[1].locations, vec![loc.clone()]);
    }

    #[test]
    fn malformed_sections_are_errors() {
        assert!(matches!(
            decode_section(b"not zlib"),
            Err(AuditError::Inflate(_))
        ));
        let c = compress(JSON);
        assert!(decode_section(&c[..c.len() / 2]).is_err());
        // A cycle is rejected by auditable-serde's validation.
        let cyclic = r#"{"packages":[
            {"name":"a","version":"1.0.0","source":"local","dependencies":[1],"root":true},
            {"name":"b","version":"1.0.0","source":"crates.io","dependencies":[0]}]}"#;
        assert!(matches!(
            decode_section(&compress(cyclic)),
            Err(AuditError::Json(_))
        ));
        let bad_index = r#"{"packages":[{"name":"a","version":"1.0.0","source":"local","dependencies":[7],"root":true}]}"#;
        // auditable-serde accepts dangling indices; only names and
        // versions are used here, so it must just not panic.
        let _ = decode_section(&compress(bad_index));
    }

    #[test]
    fn a_zip_bomb_is_bounded() {
        let mut e = ZlibEncoder::new(Vec::new(), Compression::best());
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..40 {
            e.write_all(&zeros).unwrap();
        }
        let bomb = e.finish().unwrap();
        assert!(matches!(decode_section(&bomb), Err(AuditError::TooLarge)));
    }
}
