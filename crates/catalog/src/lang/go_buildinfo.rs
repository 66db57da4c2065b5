//! Go build info: the toolchain version and module list the Go linker
//! embeds in every module-aware executable (what `go version -m` prints).
//!
//! No maintained Rust crate reads this, so it is written here, small and
//! fuzzed (`fuzz/fuzz_targets/go_buildinfo.rs`). It follows Go's own
//! `debug/buildinfo` and `runtime/debug.ParseBuildInfo`:
//!
//! - A 32-byte header, 16-byte aligned, starts with `\xff Go buildinf:`.
//!   Byte 14 is the pointer size, byte 15 the flags.
//! - Go ≥ 1.18 (flag bit 2 set): the version and the module info follow
//!   the header inline, each as a uvarint length and the bytes.
//! - Older Go: two pointers (4 or 8 bytes, endianness from flag bit 1) to
//!   Go string headers (`ptr, len`) elsewhere in the executable, read
//!   through an [`AddressSpace`] that maps virtual addresses to file bytes.
//! - The module info is framed by two 16-byte sentinels, and is lines of
//!   `path`, `mod`, `dep`, `=>` (replacement of the line before) and
//!   `build` settings, tab-separated.
//!
//! Everything read from the executable is bounded: string lengths are
//! checked against [`MAX_STRING`] before any allocation.

use std::borrow::Cow;
use thiserror::Error;

/// The magic that starts the build info header.
pub const MAGIC: &[u8; 14] = b"\xff Go buildinf:";
const HEADER_LEN: usize = 32;
const ALIGN: usize = 16;
/// Longest version or module-info string accepted (real ones are a few
/// KiB; a hostile length must not become a huge allocation).
pub const MAX_STRING: u64 = 4 << 20;

/// Why build info could not be read.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum BuildInfoError {
    #[error("no Go build info header found")]
    NotFound,
    #[error("build info header is truncated")]
    TruncatedHeader,
    #[error("build info has unsupported pointer size {0}")]
    PointerSize(u8),
    #[error("build info {what} string is truncated or points outside the file")]
    BadString { what: &'static str },
    #[error("build info {what} string is {len} bytes, over the {MAX_STRING}-byte limit")]
    StringTooLong { what: &'static str, len: u64 },
    #[error("build info has an empty Go version")]
    EmptyVersion,
    #[error("build info {what} is not UTF-8")]
    NotUtf8 { what: &'static str },
    #[error("module info line {line}: {message}")]
    ModInfo { line: usize, message: String },
}

/// Reads bytes at virtual addresses of an executable (its loaded
/// segments), for the pre-1.18 pointer format.
pub trait AddressSpace {
    /// `len` bytes at virtual address `addr`, or `None` when that range is
    /// not backed by file data.
    fn read(&self, addr: u64, len: u64) -> Option<Cow<'_, [u8]>>;
}

/// An address space with nothing in it, for blobs known to be inline.
pub struct NoAddressSpace;

impl AddressSpace for NoAddressSpace {
    fn read(&self, _addr: u64, _len: u64) -> Option<Cow<'_, [u8]>> {
        None
    }
}

/// The two raw strings a build info header leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawBuildInfo {
    /// `runtime.buildVersion`, e.g. `go1.24.1`.
    pub go_version: String,
    /// The module info text without its sentinels; empty for binaries
    /// built outside module mode.
    pub modinfo: String,
}

/// Offset of the first 16-byte-aligned header in `data` (which must start
/// at an aligned address, as a section or segment does).
pub fn find_header(data: &[u8]) -> Option<usize> {
    let finder = memchr::memmem::Finder::new(MAGIC);
    let mut from = 0;
    while let Some(rel) = data.get(from..).and_then(|d| finder.find(d)) {
        let at = from + rel;
        if at % ALIGN == 0 {
            return (data.len() - at >= HEADER_LEN).then_some(at);
        }
        from = at.div_ceil(ALIGN) * ALIGN;
    }
    None
}

/// Decode the header found in `data` (searched as [`find_header`] does)
/// into the Go version and module info, following pointers through `mem`
/// for the old format.
pub fn decode(data: &[u8], mem: &dyn AddressSpace) -> Result<RawBuildInfo, BuildInfoError> {
    let at = find_header(data).ok_or(BuildInfoError::NotFound)?;
    let blob = data.get(at..).ok_or(BuildInfoError::TruncatedHeader)?;
    let header = blob
        .get(..HEADER_LEN)
        .ok_or(BuildInfoError::TruncatedHeader)?;
    let ptr_size = header[14];
    let flags = header[15];
    let (go_version, modinfo) = if flags & 2 != 0 {
        let rest = &blob[HEADER_LEN..];
        let (vers, rest) = inline_string(rest, "version")?;
        let (modinfo, _) = inline_string(rest, "module info")?;
        (vers.to_vec(), modinfo.to_vec())
    } else {
        let big_endian = flags & 1 != 0;
        let read_ptr = |b: &[u8]| -> Option<u64> {
            match (ptr_size, big_endian) {
                (4, false) => Some(u32::from_le_bytes(b.get(..4)?.try_into().ok()?).into()),
                (4, true) => Some(u32::from_be_bytes(b.get(..4)?.try_into().ok()?).into()),
                (8, false) => Some(u64::from_le_bytes(b.get(..8)?.try_into().ok()?)),
                (8, true) => Some(u64::from_be_bytes(b.get(..8)?.try_into().ok()?)),
                _ => None,
            }
        };
        if ptr_size != 4 && ptr_size != 8 {
            return Err(BuildInfoError::PointerSize(ptr_size));
        }
        let ps = usize::from(ptr_size);
        let vers_ptr = read_ptr(&header[16..]).ok_or(BuildInfoError::TruncatedHeader)?;
        let mod_ptr = read_ptr(&header[16 + ps..]).ok_or(BuildInfoError::TruncatedHeader)?;
        let vers = pointed_string(mem, ps, &read_ptr, vers_ptr, "version")?;
        let modinfo = pointed_string(mem, ps, &read_ptr, mod_ptr, "module info")?;
        (vers, modinfo)
    };
    if go_version.is_empty() {
        return Err(BuildInfoError::EmptyVersion);
    }
    let go_version =
        String::from_utf8(go_version).map_err(|_| BuildInfoError::NotUtf8 { what: "version" })?;
    Ok(RawBuildInfo {
        go_version,
        modinfo: strip_sentinels(&modinfo)?,
    })
}

/// A uvarint-length-prefixed string at the start of `data`.
fn inline_string<'a>(
    data: &'a [u8],
    what: &'static str,
) -> Result<(&'a [u8], &'a [u8]), BuildInfoError> {
    let (len, used) = uvarint(data).ok_or(BuildInfoError::BadString { what })?;
    if len > MAX_STRING {
        return Err(BuildInfoError::StringTooLong { what, len });
    }
    let rest = data.get(used..).ok_or(BuildInfoError::BadString { what })?;
    let len = usize::try_from(len).map_err(|_| BuildInfoError::BadString { what })?;
    if rest.len() < len {
        return Err(BuildInfoError::BadString { what });
    }
    Ok(rest.split_at(len))
}

/// Go's `binary.Uvarint`: value and bytes used, `None` if truncated or
/// overflowing 64 bits.
fn uvarint(data: &[u8]) -> Option<(u64, usize)> {
    let mut x: u64 = 0;
    let mut shift = 0u32;
    for (i, &b) in data.iter().enumerate().take(10) {
        if b < 0x80 {
            if i == 9 && b > 1 {
                return None;
            }
            return Some((x | u64::from(b) << shift, i + 1));
        }
        x |= u64::from(b & 0x7f) << shift;
        shift += 7;
    }
    None
}

/// A Go string header (`ptr`, `len`) at `addr`, and the bytes it points to.
fn pointed_string(
    mem: &dyn AddressSpace,
    ptr_size: usize,
    read_ptr: &dyn Fn(&[u8]) -> Option<u64>,
    addr: u64,
    what: &'static str,
) -> Result<Vec<u8>, BuildInfoError> {
    let bad = BuildInfoError::BadString { what };
    let hdr = mem.read(addr, 2 * ptr_size as u64).ok_or(bad.clone())?;
    let data_addr = read_ptr(&hdr).ok_or(bad.clone())?;
    let len = read_ptr(hdr.get(ptr_size..).ok_or(bad.clone())?).ok_or(bad.clone())?;
    if len > MAX_STRING {
        return Err(BuildInfoError::StringTooLong { what, len });
    }
    if len == 0 {
        return Ok(Vec::new());
    }
    let bytes = mem.read(data_addr, len).ok_or(bad.clone())?;
    if bytes.len() as u64 != len {
        return Err(bad);
    }
    Ok(bytes.into_owned())
}

/// Strip `cmd/go`'s 16-byte start and end sentinels; module info without
/// them (or too short for them) is treated as absent, as Go does.
fn strip_sentinels(modinfo: &[u8]) -> Result<String, BuildInfoError> {
    let n = modinfo.len();
    if n < 33 || modinfo.get(n - 17) != Some(&b'\n') {
        return Ok(String::new());
    }
    let inner = &modinfo[16..n - 16];
    String::from_utf8(inner.to_vec()).map_err(|_| BuildInfoError::NotUtf8 {
        what: "module info",
    })
}

/// One module line (`mod`, `dep` or `=>`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Module {
    pub path: String,
    pub version: String,
    pub sum: String,
    pub replace: Option<Box<Module>>,
}

/// The parsed module info.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModInfo {
    /// The main package path (`path` line).
    pub path: String,
    /// The main module (`mod` line), absent for `go run`-style builds.
    pub main: Option<Module>,
    pub deps: Vec<Module>,
    /// `build` settings in order (`GOOS`, `vcs.revision`, …).
    pub settings: Vec<(String, String)>,
}

/// Parse module info text as `runtime/debug.ParseBuildInfo` does.
pub fn parse_modinfo(text: &str) -> Result<ModInfo, BuildInfoError> {
    let mut info = ModInfo::default();
    // Which module a `=>` line replaces: the main module or the last dep.
    enum Last {
        None,
        Main,
        Dep,
    }
    let mut last = Last::None;
    for (i, line) in text.lines().enumerate() {
        let err = |message: String| BuildInfoError::ModInfo {
            line: i + 1,
            message,
        };
        if let Some(rest) = line.strip_prefix("path\t") {
            info.path = rest.to_string();
        } else if let Some(rest) = line.strip_prefix("mod\t") {
            info.main = Some(module_line(rest).map_err(err)?);
            last = Last::Main;
        } else if let Some(rest) = line.strip_prefix("dep\t") {
            info.deps.push(module_line(rest).map_err(err)?);
            last = Last::Dep;
        } else if let Some(rest) = line.strip_prefix("=>\t") {
            let repl = Box::new(module_line(rest).map_err(err)?);
            let target = match last {
                Last::Main => info.main.as_mut(),
                Last::Dep => info.deps.last_mut(),
                Last::None => None,
            };
            match target {
                Some(m) => m.replace = Some(repl),
                None => return Err(err("replacement with no module on the line before".into())),
            }
            last = Last::None;
        } else if let Some(rest) = line.strip_prefix("build\t") {
            info.settings.push(build_setting(rest).map_err(err)?);
        } else if line.starts_with("go\t") || line.trim().is_empty() {
            // The `go` line only appears in `go version -m` output.
        } else {
            return Err(err(format!("unexpected line {:?}", truncate(line))));
        }
    }
    Ok(info)
}

fn module_line(rest: &str) -> Result<Module, String> {
    let cols: Vec<&str> = rest.split('\t').collect();
    match cols.as_slice() {
        [path, version] | [path, version, _] if !path.is_empty() => Ok(Module {
            path: (*path).to_string(),
            version: (*version).to_string(),
            sum: cols.get(2).map(|s| s.to_string()).unwrap_or_default(),
            replace: None,
        }),
        _ => Err(format!(
            "expected a module path, version and optional sum, got {:?}",
            truncate(rest)
        )),
    }
}

/// `key=value`, either side possibly a Go-quoted string.
fn build_setting(rest: &str) -> Result<(String, String), String> {
    let (key, value_part) = if rest.starts_with('"') {
        let (key, used) = unquote_prefix(rest)?;
        let after = rest.get(used..).unwrap_or("");
        let value = after
            .strip_prefix('=')
            .ok_or_else(|| format!("build setting without '=': {:?}", truncate(rest)))?;
        (key, value)
    } else {
        let (key, value) = rest
            .split_once('=')
            .ok_or_else(|| format!("build setting without '=': {:?}", truncate(rest)))?;
        (key.to_string(), value)
    };
    if key.is_empty() {
        return Err("build setting with an empty key".into());
    }
    let value = if value_part.starts_with('"') {
        let (v, used) = unquote_prefix(value_part)?;
        if used != value_part.len() {
            return Err(format!("junk after quoted value: {:?}", truncate(rest)));
        }
        v
    } else {
        value_part.to_string()
    };
    Ok((key, value))
}

/// Unquote the Go double-quoted string at the start of `s`; returns the
/// string and how many bytes of `s` it took.
fn unquote_prefix(s: &str) -> Result<(String, usize), String> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    chars.next(); // the opening quote
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, i + 1)),
            '\\' => match chars.next().map(|(_, c)| c) {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(c @ ('\\' | '"' | '\'')) => out.push(c),
                Some(other) => {
                    // Rare escapes (\x, \u) are kept as written: settings
                    // are informational, never matched on.
                    out.push('\\');
                    out.push(other);
                }
                None => break,
            },
            c => out.push(c),
        }
    }
    Err(format!("unterminated quoted string {:?}", truncate(s)))
}

fn truncate(s: &str) -> &str {
    match s.char_indices().nth(80) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The Go vulndb form of a toolchain version: `go1.24.1` → `v1.24.1`,
/// `go1.21` → `v1.21.0`, `go1.21rc2` → `v1.21.0-rc.2`. Experiment
/// suffixes (`go1.20 X:boringcrypto`) are dropped. `None` for versions
/// that are not a release (`devel go1.23-abc…`).
pub fn stdlib_version(go_version: &str) -> Option<String> {
    let token = go_version.split_whitespace().next()?;
    let v = token.strip_prefix("go")?;
    // Split the numeric part from a pre-release (`rc2`, `beta1`).
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let (nums, pre) = v.split_at(split);
    let parts: Vec<&str> = nums.split('.').collect();
    if parts.is_empty()
        || parts.len() > 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let major = parts[0];
    let minor = parts.get(1).copied().unwrap_or("0");
    let patch = parts.get(2).copied().unwrap_or("0");
    let mut out = format!("v{major}.{minor}.{patch}");
    if !pre.is_empty() {
        let kind_len = pre.find(|c: char| c.is_ascii_digit()).unwrap_or(pre.len());
        let (kind, num) = pre.split_at(kind_len);
        if !matches!(kind, "rc" | "beta" | "alpha")
            || num.is_empty()
            || !num.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        out.push_str(&format!("-{kind}.{num}"));
    }
    Some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const START: &[u8; 16] = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6";
    const END: &[u8; 16] = b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2";

    fn framed(text: &str) -> Vec<u8> {
        let mut v = START.to_vec();
        v.extend_from_slice(text.as_bytes());
        v.extend_from_slice(END);
        v
    }

    fn put_uvarint(out: &mut Vec<u8>, mut x: u64) {
        while x >= 0x80 {
            out.push((x as u8) | 0x80);
            x >>= 7;
        }
        out.push(x as u8);
    }

    /// A Go ≥ 1.18 inline blob, preceded by `pad` bytes.
    pub(crate) fn inline_blob(pad: usize, version: &str, modinfo: &[u8]) -> Vec<u8> {
        let mut b = vec![0u8; pad];
        b.extend_from_slice(MAGIC);
        b.push(8);
        b.push(2);
        b.extend_from_slice(&[0u8; 16]);
        put_uvarint(&mut b, version.len() as u64);
        b.extend_from_slice(version.as_bytes());
        put_uvarint(&mut b, modinfo.len() as u64);
        b.extend_from_slice(modinfo);
        b
    }

    struct Mem(HashMap<u64, Vec<u8>>);
    impl AddressSpace for Mem {
        fn read(&self, addr: u64, len: u64) -> Option<Cow<'_, [u8]>> {
            self.0.iter().find_map(|(base, bytes)| {
                let off = addr.checked_sub(*base)?;
                let end = off.checked_add(len)?;
                bytes.get(off as usize..end as usize).map(Cow::Borrowed)
            })
        }
    }

    /// An old-format header with pointers, plus the memory it points to.
    fn pointer_blob(
        ptr_size: u8,
        big_endian: bool,
        version: &str,
        modinfo: &[u8],
    ) -> (Vec<u8>, Mem) {
        let enc = |v: u64| -> Vec<u8> {
            match (ptr_size, big_endian) {
                (4, false) => (v as u32).to_le_bytes().to_vec(),
                (4, true) => (v as u32).to_be_bytes().to_vec(),
                (_, false) => v.to_le_bytes().to_vec(),
                (_, true) => v.to_be_bytes().to_vec(),
            }
        };
        // String headers at 0x1000, string bytes at 0x2000 and 0x3000.
        let mut hdrs = Vec::new();
        hdrs.extend(enc(0x2000));
        hdrs.extend(enc(version.len() as u64));
        hdrs.extend(enc(0x3000));
        hdrs.extend(enc(modinfo.len() as u64));
        let mut mem = HashMap::new();
        mem.insert(0x1000, hdrs);
        mem.insert(0x2000, version.as_bytes().to_vec());
        mem.insert(0x3000, modinfo.to_vec());
        let mut b = MAGIC.to_vec();
        b.push(ptr_size);
        b.push(u8::from(big_endian));
        b.extend(enc(0x1000));
        b.extend(enc(0x1000 + 2 * u64::from(ptr_size)));
        b.resize(32, 0);
        (b, Mem(mem))
    }

    const MODINFO: &str = "path\texample.com/app\n\
        mod\texample.com/app\t(devel)\t\n\
        dep\tgolang.org/x/xerrors\tv0.0.0-20220907171357-04be3eba64a2\n\
        =>\tgithub.com/golang/xerrors\tv0.0.0-20220907171357-04be3eba64a2\th1:abc=\n\
        dep\tgithub.com/pkg/errors\tv0.9.1\th1:def=\n\
        build\t-buildmode=exe\n\
        build\t-ldflags=\"-w -X main.version=v1.0.0\"\n\
        build\tGOOS=linux\n";

    #[test]
    fn decodes_inline_format_at_an_aligned_offset() {
        let blob = inline_blob(48, "go1.22.0", &framed(MODINFO));
        let raw = decode(&blob, &NoAddressSpace).unwrap();
        assert_eq!(raw.go_version, "go1.22.0");
        assert_eq!(raw.modinfo, MODINFO);
    }

    #[test]
    fn skips_unaligned_magic() {
        let mut blob = vec![0u8; 3];
        blob.extend_from_slice(MAGIC);
        blob.resize(16, 0);
        blob.extend(inline_blob(0, "go1.20", &framed(MODINFO)));
        assert_eq!(find_header(&blob), Some(16));
        assert_eq!(decode(&blob, &NoAddressSpace).unwrap().go_version, "go1.20");
    }

    #[test]
    fn decodes_pointer_format_all_sizes_and_endiannesses() {
        for (ps, be) in [(4, false), (4, true), (8, false), (8, true)] {
            let (blob, mem) = pointer_blob(ps, be, "go1.16.5", &framed(MODINFO));
            let raw = decode(&blob, &mem).unwrap();
            assert_eq!(raw.go_version, "go1.16.5", "ptr {ps} be {be}");
            assert_eq!(raw.modinfo, MODINFO);
        }
    }

    #[test]
    fn pointer_format_outside_the_file_is_an_error() {
        let (blob, _) = pointer_blob(8, false, "go1.16.5", &framed(MODINFO));
        assert_eq!(
            decode(&blob, &NoAddressSpace),
            Err(BuildInfoError::BadString { what: "version" })
        );
    }

    #[test]
    fn malformed_headers_are_errors_not_panics() {
        let full = inline_blob(0, "go1.22.0", &framed(MODINFO));
        for cut in 0..full.len() {
            let _ = decode(&full[..cut], &NoAddressSpace);
        }
        assert_eq!(
            decode(&full[..20], &NoAddressSpace),
            Err(BuildInfoError::NotFound)
        );
        assert!(matches!(
            decode(&full[..40], &NoAddressSpace),
            Err(BuildInfoError::BadString { .. })
        ));
        let mut bad_ptr = full.clone();
        bad_ptr[14] = 3;
        bad_ptr[15] = 0;
        assert_eq!(
            decode(&bad_ptr, &NoAddressSpace),
            Err(BuildInfoError::PointerSize(3))
        );
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&[8, 2]);
        huge.resize(32, 0);
        huge.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
        assert!(matches!(
            decode(&huge, &NoAddressSpace),
            Err(BuildInfoError::StringTooLong { .. })
        ));
    }

    #[test]
    fn modinfo_without_sentinels_is_absent() {
        let blob = inline_blob(0, "go1.22.0", b"short");
        assert_eq!(decode(&blob, &NoAddressSpace).unwrap().modinfo, "");
    }

    #[test]
    fn parses_modules_replacements_and_settings() {
        let info = parse_modinfo(MODINFO).unwrap();
        assert_eq!(info.path, "example.com/app");
        let main = info.main.unwrap();
        assert_eq!(
            (main.path.as_str(), main.version.as_str()),
            ("example.com/app", "(devel)")
        );
        assert_eq!(info.deps.len(), 2);
        let x = &info.deps[0];
        assert_eq!(x.path, "golang.org/x/xerrors");
        let r = x.replace.as_ref().unwrap();
        assert_eq!(r.path, "github.com/golang/xerrors");
        assert_eq!(r.sum, "h1:abc=");
        assert_eq!(info.deps[1].version, "v0.9.1");
        assert!(info.deps[1].replace.is_none());
        assert_eq!(
            info.settings,
            vec![
                ("-buildmode".into(), "exe".into()),
                ("-ldflags".into(), "-w -X main.version=v1.0.0".into()),
                ("GOOS".into(), "linux".into()),
            ]
        );
    }

    #[test]
    fn malformed_modinfo_names_the_line() {
        let e = parse_modinfo("path\tx\ndep\tonly-a-path\n").unwrap_err();
        assert!(matches!(e, BuildInfoError::ModInfo { line: 2, .. }), "{e}");
        let e = parse_modinfo("=>\ta\tv1\n").unwrap_err();
        assert!(matches!(e, BuildInfoError::ModInfo { line: 1, .. }));
        let e = parse_modinfo("build\t\"unterminated=1\n").unwrap_err();
        assert!(matches!(e, BuildInfoError::ModInfo { line: 1, .. }));
        assert!(parse_modinfo("garbage line\n").is_err());
    }

    #[test]
    fn stdlib_versions_in_vulndb_form() {
        assert_eq!(stdlib_version("go1.24.1").as_deref(), Some("v1.24.1"));
        assert_eq!(stdlib_version("go1.21").as_deref(), Some("v1.21.0"));
        assert_eq!(stdlib_version("go1.21rc2").as_deref(), Some("v1.21.0-rc.2"));
        assert_eq!(
            stdlib_version("go1.9beta1").as_deref(),
            Some("v1.9.0-beta.1")
        );
        assert_eq!(
            stdlib_version("go1.20.3 X:boringcrypto").as_deref(),
            Some("v1.20.3")
        );
        assert_eq!(stdlib_version("devel go1.23-abcdef"), None);
        assert_eq!(stdlib_version("go1.x"), None);
        assert_eq!(stdlib_version("go"), None);
    }
}
