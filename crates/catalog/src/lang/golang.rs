//! Go executables: the modules and toolchain recorded in their build info.
//!
//! Executables are found by content, never by path: files with an exec bit
//! and the ELF magic are kept only when their bytes hold the build info
//! magic or a `.go.buildinfo` section name (checked while the layer
//! streams, so the shared libraries of an image are not held in memory). Each is opened with `object` either over the kept bytes
//! or, for files spilled to disk, over positioned reads of just the
//! headers and sections needed, so a 100 MB binary is never loaded whole.
//! The ELF access here ([`Executable`], [`with_executable`]) is shared with
//! the Rust and runtime catalogers.
//!
//! What is reported per binary:
//! - the toolchain as module `stdlib`, version in the vulndb form
//!   (`go1.24.1` → `v1.24.1`), ecosystem `Go`;
//! - the main module; a `(devel)` main module (built from a checkout
//!   without a version) is listed with `ecosystem = None` so it is never
//!   version-matched;
//! - every dependency. A `=>` replacement by another module is reported
//!   under the replacement's path and version, since that is the code in
//!   the binary (`replaces` in metadata names the original); a replacement
//!   by a local directory has no version to match, so it is listed under
//!   the original path as `(devel)` with `ecosystem = None`.

use super::go_buildinfo::{self, AddressSpace, BuildInfoError, Module};
use crate::{Cataloger, Output};
use object::read::{ReadCache, ReadRef};
use object::{Object, ObjectSection, ObjectSegment, SegmentFlags};
use std::borrow::Cow;
use std::io::{self, Read};
use thiserror::Error;
use tidewatch_image::{FileEntry, Files, Want};
use tidewatch_types::{OsInfo, Package, PackageType};

/// Executables smaller than this are not sniffed; real Go and Rust
/// binaries are far larger, and even a dynamically linked `python3.X`
/// launcher is over 4 KiB.
pub(crate) const MIN_EXECUTABLE_SIZE: u64 = 4096;
const ELF_MAGIC: &[u8] = b"\x7fELF";
/// How much of a data segment Go's own reader searches for the header
/// when there is no `.go.buildinfo` section.
const DATA_SEARCH_LEN: u64 = 64 * 1024;
/// Upper bound on a build info section read (real ones are a few KiB).
const SECTION_LIMIT: u64 = 8 << 20;

/// Why a kept executable could not be read.
#[derive(Debug, Error)]
pub enum ExecutableError {
    #[error("cannot read the file: {0}")]
    Io(#[from] io::Error),
    #[error("malformed ELF file: {0}")]
    Elf(#[from] object::read::Error),
    #[error("section {name} is {size} bytes, over the {limit}-byte limit")]
    SectionTooLarge { name: String, size: u64, limit: u64 },
    #[error("section {name} lies outside the file")]
    SectionOutsideFile { name: String },
    #[error("{0}")]
    BuildInfo(#[from] BuildInfoError),
}

/// A section's load address and (possibly borrowed) bytes.
pub(crate) type Section<'a> = (u64, Cow<'a, [u8]>);

/// The parts of an executable the binary catalogers read.
pub(crate) trait Executable: AddressSpace {
    /// A section's address and bytes (at most `limit`), if it exists.
    fn section(&self, name: &str, limit: u64) -> Result<Option<Section<'_>>, ExecutableError>;
    /// The start of the first writable, non-executable loaded segment (at
    /// most `limit` bytes of its file data).
    fn data_segment_start(&self, limit: u64) -> Option<Cow<'_, [u8]>>;
}

struct Elf<'d, R: ReadRef<'d>> {
    file: object::File<'d, R>,
    data: R,
}

impl<'d, R: ReadRef<'d>> AddressSpace for Elf<'d, R> {
    fn read(&self, addr: u64, len: u64) -> Option<Cow<'_, [u8]>> {
        for seg in self.file.segments() {
            let (off, file_size) = seg.file_range();
            let start = seg.address();
            let Some(rel) = addr.checked_sub(start) else {
                continue;
            };
            if rel >= file_size {
                continue;
            }
            if rel.checked_add(len)? > file_size {
                return None;
            }
            return self
                .data
                .read_bytes_at(off.checked_add(rel)?, len)
                .ok()
                .map(Cow::Borrowed);
        }
        None
    }
}

impl<'d, R: ReadRef<'d>> Executable for Elf<'d, R> {
    fn section(&self, name: &str, limit: u64) -> Result<Option<Section<'_>>, ExecutableError> {
        let Some(section) = self.file.section_by_name(name) else {
            return Ok(None);
        };
        let Some((off, size)) = section.file_range() else {
            // SHT_NOBITS: no bytes in the file.
            return Ok(None);
        };
        if size > limit {
            return Err(ExecutableError::SectionTooLarge {
                name: name.to_string(),
                size,
                limit,
            });
        }
        let bytes = self.data.read_bytes_at(off, size).map_err(|()| {
            ExecutableError::SectionOutsideFile {
                name: name.to_string(),
            }
        })?;
        Ok(Some((section.address(), Cow::Borrowed(bytes))))
    }

    fn data_segment_start(&self, limit: u64) -> Option<Cow<'_, [u8]>> {
        const PF_X: u32 = 1;
        const PF_W: u32 = 2;
        let seg = self.file.segments().find(|s| {
            matches!(s.flags(), SegmentFlags::Elf { p_flags } if p_flags & (PF_X | PF_W) == PF_W)
        })?;
        let (off, size) = seg.file_range();
        self.data
            .read_bytes_at(off, size.min(limit))
            .ok()
            .map(Cow::Borrowed)
    }
}

/// Whether an entry's bytes start with the ELF magic.
pub(crate) fn is_elf(entry: &FileEntry) -> io::Result<bool> {
    let mut head = [0u8; 4];
    let mut r = entry.data.reader()?;
    let mut got = 0;
    while got < head.len() {
        match r.read(&mut head[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got == head.len() && head == ELF_MAGIC)
}

/// The kept ELF files with an exec bit, in path order.
pub(crate) fn executables(files: &Files) -> impl Iterator<Item = (&str, &FileEntry)> {
    files
        .iter()
        .filter(|(_, e)| e.mode & 0o111 != 0 && e.size >= MIN_EXECUTABLE_SIZE)
        .filter(|(_, e)| is_elf(e).unwrap_or(false))
}

/// Open `entry` as an ELF file and hand it to `f`: over the kept bytes, or
/// over positioned reads of the spilled file.
pub(crate) fn with_executable<T>(
    entry: &FileEntry,
    f: impl FnOnce(&dyn Executable) -> T,
) -> Result<T, ExecutableError> {
    match entry.data.path() {
        Some(path) => {
            let cache = ReadCache::new(std::fs::File::open(path)?);
            let file = object::File::parse(&cache)?;
            Ok(f(&Elf { file, data: &cache }))
        }
        None => {
            let bytes = entry.data.bytes()?;
            let data: &[u8] = &bytes;
            let file = object::File::parse(data)?;
            Ok(f(&Elf { file, data }))
        }
    }
}

/// The wants of the binary catalogers: every sizeable executable, to be
/// sniffed for the ELF magic (and then checked for their markers, see
/// [`GO_MARKERS`] and the Rust cataloger's section name).
pub(crate) fn wants_executable(size: u64, mode: u32) -> Want {
    if mode & 0o111 != 0 && size >= MIN_EXECUTABLE_SIZE {
        Want::Sniff
    } else {
        Want::Skip
    }
}

/// What every Go executable with build info contains: the header magic
/// [`read_build_info`] needs (the section name is a second chance, for a
/// header the reader finds through the section).
pub(crate) const GO_MARKERS: [&[u8]; 2] = [go_buildinfo::MAGIC, b".go.buildinfo\0"];

/// Read the raw build info of an executable, `Ok(None)` for non-Go files.
pub(crate) fn read_build_info(
    exe: &dyn Executable,
) -> Result<Option<go_buildinfo::RawBuildInfo>, ExecutableError> {
    let data = match exe.section(".go.buildinfo", SECTION_LIMIT)? {
        Some((_, data)) => data,
        None => match exe.data_segment_start(DATA_SEARCH_LEN) {
            Some(data) => data,
            None => return Ok(None),
        },
    };
    match go_buildinfo::decode(&data, exe) {
        Ok(raw) => Ok(Some(raw)),
        Err(BuildInfoError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Reads Go build info from ELF executables.
pub struct GoBinaryCataloger;

impl Cataloger for GoBinaryCataloger {
    fn name(&self) -> &'static str {
        "go-binary"
    }

    fn wants(&self, _path: &str, size: u64, mode: u32) -> Want {
        wants_executable(size, mode)
    }

    fn sniff(&self, _path: &str, head: &[u8]) -> bool {
        head.starts_with(ELF_MAGIC)
    }

    fn must_contain(&self, _path: &str, _head: &[u8]) -> Option<Vec<&'static [u8]>> {
        Some(GO_MARKERS.to_vec())
    }

    fn catalog(&self, files: &Files, _os: Option<&OsInfo>, out: &mut Output) {
        for (path, entry) in executables(files) {
            match with_executable(entry, read_build_info) {
                Ok(Ok(Some(raw))) => packages_of(files, path, &raw, out),
                Ok(Ok(None)) => {}
                Ok(Err(e)) | Err(e) => out.warn(path, format!("Go build info: {e}")),
            }
        }
    }
}

/// Turn one binary's build info into packages.
pub(crate) fn packages_of(
    files: &Files,
    path: &str,
    raw: &go_buildinfo::RawBuildInfo,
    out: &mut Output,
) {
    let location = crate::location(files, path);
    let mut push = |mut p: Package| {
        p.locations.push(location.clone());
        out.packages.push(p);
    };

    let mut stdlib = match go_buildinfo::stdlib_version(&raw.go_version) {
        Some(v) => go_package("stdlib", &v, true),
        None => go_package("stdlib", "(devel)", false),
    };
    stdlib
        .metadata
        .insert("go-version".into(), raw.go_version.clone());
    push(stdlib);

    if raw.modinfo.is_empty() {
        return;
    }
    let info = match go_buildinfo::parse_modinfo(&raw.modinfo) {
        Ok(info) => info,
        Err(e) => {
            out.warn(path, format!("Go module info: {e}"));
            return;
        }
    };
    // GOPATH-mode builds (Debian's) have no `mod` line; the main package
    // path still names the program, listed unversioned like `(devel)`.
    let from_path = Module {
        path: info.path.clone(),
        version: "(devel)".into(),
        ..Module::default()
    };
    let main = info
        .main
        .as_ref()
        .or((!info.path.is_empty()).then_some(&from_path));
    if let Some(main) = main {
        let mut p = module_package(main);
        p.metadata.insert("main-module".into(), "true".into());
        for (k, v) in &info.settings {
            if matches!(
                k.as_str(),
                "GOOS"
                    | "GOARCH"
                    | "CGO_ENABLED"
                    | "vcs"
                    | "vcs.revision"
                    | "vcs.time"
                    | "vcs.modified"
            ) {
                p.metadata.insert(format!("build.{k}"), v.clone());
            }
        }
        push(p);
    }
    for dep in &info.deps {
        push(module_package(dep));
    }
}

fn module_package(m: &Module) -> Package {
    match m.replace.as_deref() {
        Some(r) if is_local_path(&r.path) || r.version.is_empty() => {
            // Replaced by a local directory: no version to match.
            let mut p = go_package(&m.path, "(devel)", false);
            p.metadata.insert("replaced-by".into(), r.path.clone());
            p
        }
        Some(r) => {
            let mut p = go_package(&r.path, &r.version, r.version != "(devel)");
            p.metadata
                .insert("replaces".into(), format!("{}@{}", m.path, m.version));
            p
        }
        None => {
            let versioned = !m.version.is_empty() && m.version != "(devel)";
            let version = if versioned {
                m.version.as_str()
            } else {
                "(devel)"
            };
            go_package(&m.path, version, versioned)
        }
    }
}

/// A replacement by a directory (`./fork`, `../x`, `/src/x`), which Go
/// records with version `(devel)` or none.
fn is_local_path(path: &str) -> bool {
    path.starts_with("./")
        || path.starts_with("../")
        || path.starts_with('/')
        || path == "."
        || path == ".."
}

fn go_package(path: &str, version: &str, matchable: bool) -> Package {
    let mut p = Package::new(path, version, "golang", PackageType::Library);
    if matchable {
        p.ecosystem = Some("Go".into());
    }
    p.purl = purl("golang", path, matchable.then_some(version));
    p
}

/// The package URL `pkg:<ty>/<namespace>/<name>@<version>`, splitting a
/// path-like name (Go module paths) at its last `/` into namespace and
/// name, percent-encoded by `packageurl`.
pub(crate) fn purl(ty: &str, name: &str, version: Option<&str>) -> String {
    let (ns, short) = match name.rsplit_once('/') {
        Some((ns, n)) if !ns.is_empty() && !n.is_empty() => (Some(ns), n),
        _ => (None, name),
    };
    match packageurl::PackageUrl::new(ty, short) {
        Ok(mut p) => {
            if let Some(ns) = ns {
                p.with_namespace(ns);
            }
            if let Some(v) = version.filter(|v| !v.is_empty()) {
                p.with_version(v);
            }
            p.to_string()
        }
        // Only an invalid type fails, and callers pass constants.
        Err(_) => format!("pkg:{ty}/{name}"),
    }
}
