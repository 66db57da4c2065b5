//! rpm header blobs: the index of tag entries and the data store they
//! point into, as rpm writes one per package into its database.
//!
//! Layout (all integers big-endian): `il: u32`, `dl: u32`, then `il`
//! index entries of 16 bytes (`tag`, `type`, `offset`, `count`), then
//! `dl` bytes of data. rpm databases store the blob without the 8-byte
//! header magic that package files carry; a blob that has it is accepted
//! too. Only the tags a scanner needs are decoded, each lookup checked
//! against the data store, so a corrupt entry costs that field, or the
//! package when a required field is unreadable.

use std::collections::HashMap;

/// rpm tag numbers (`rpmtag.h`).
pub mod tag {
    pub const NAME: u32 = 1000;
    pub const VERSION: u32 = 1001;
    pub const RELEASE: u32 = 1002;
    pub const EPOCH: u32 = 1003;
    pub const VENDOR: u32 = 1011;
    pub const LICENSE: u32 = 1014;
    pub const ARCH: u32 = 1022;
    pub const OLDFILENAMES: u32 = 1027;
    pub const SOURCERPM: u32 = 1044;
    pub const DIRINDEXES: u32 = 1116;
    pub const BASENAMES: u32 = 1117;
    pub const DIRNAMES: u32 = 1118;
    pub const MODULARITYLABEL: u32 = 5096;
}

/// rpm tag data types (`rpmTagType`).
mod kind {
    pub const INT8: u32 = 2;
    pub const INT16: u32 = 3;
    pub const INT32: u32 = 4;
    pub const STRING: u32 = 6;
    pub const STRING_ARRAY: u32 = 8;
    pub const I18NSTRING: u32 = 9;
}

/// The magic that starts a header in a package file (and, rarely, in a
/// database value).
const HEADER_MAGIC: [u8; 8] = [0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0];
/// rpm refuses headers with more tags than this (`hdrchkTags`).
const MAX_TAGS: u32 = 0xffff;
/// rpm refuses headers larger than this (`headerMaxbytes`).
const MAX_DATA: u32 = 256 * 1024 * 1024;
const ENTRY_LEN: usize = 16;

/// Why a header blob could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("header blob is {len} bytes, too short for its {what}")]
    Truncated { len: usize, what: &'static str },
    #[error("header claims {il} index entries and {dl} data bytes, more than rpm allows")]
    TooLarge { il: u32, dl: u32 },
    #[error("header is {len} bytes but its index and data need {needed}")]
    LengthMismatch { len: usize, needed: usize },
    #[error("tag {tag}: {reason}")]
    BadTag { tag: u32, reason: &'static str },
    #[error("header has no {0} tag")]
    Missing(&'static str),
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    kind: u32,
    offset: u32,
    count: u32,
}

/// A parsed header: the index, keyed by tag, over the data store.
#[derive(Debug)]
pub struct Header<'a> {
    entries: HashMap<u32, Entry>,
    data: &'a [u8],
}

impl<'a> Header<'a> {
    /// Check the blob's framing and index it. Entries are not decoded
    /// until asked for.
    pub fn parse(blob: &'a [u8]) -> Result<Self, HeaderError> {
        let blob = blob.strip_prefix(&HEADER_MAGIC[..]).unwrap_or(blob);
        let il = be32(blob, 0).ok_or(HeaderError::Truncated {
            len: blob.len(),
            what: "index length",
        })?;
        let dl = be32(blob, 4).ok_or(HeaderError::Truncated {
            len: blob.len(),
            what: "data length",
        })?;
        if il == 0 || il > MAX_TAGS || dl > MAX_DATA {
            return Err(HeaderError::TooLarge { il, dl });
        }
        // Both bounded above, so this cannot overflow.
        let index_end = 8 + il as usize * ENTRY_LEN;
        let needed = index_end + dl as usize;
        // BDB pads values and NDB blobs carry no slack, so allow trailing
        // bytes but never fewer than the header says.
        if blob.len() < needed {
            return Err(HeaderError::LengthMismatch {
                len: blob.len(),
                needed,
            });
        }
        let index = blob.get(8..index_end).ok_or(HeaderError::Truncated {
            len: blob.len(),
            what: "index",
        })?;
        let data = blob.get(index_end..needed).ok_or(HeaderError::Truncated {
            len: blob.len(),
            what: "data store",
        })?;
        let mut entries = HashMap::with_capacity(il as usize);
        for raw in index.chunks_exact(ENTRY_LEN) {
            let field = |i| be32(raw, i).unwrap_or(0);
            // A tag repeated after the immutable region ("dribble"
            // entries) overrides it, as in rpm: the last one wins.
            entries.insert(
                field(0),
                Entry {
                    kind: field(4),
                    offset: field(8),
                    count: field(12),
                },
            );
        }
        Ok(Header { entries, data })
    }

    pub fn has(&self, tag: u32) -> bool {
        self.entries.contains_key(&tag)
    }

    /// A string tag (the first element of an array or i18n table).
    pub fn string(&self, tag: u32) -> Result<Option<String>, HeaderError> {
        let Some(e) = self.entries.get(&tag) else {
            return Ok(None);
        };
        match e.kind {
            kind::STRING | kind::STRING_ARRAY | kind::I18NSTRING if e.count >= 1 => {
                let (s, _) = self.c_string(tag, e.offset as usize)?;
                Ok(Some(s))
            }
            _ => Err(bad(tag, "not a string")),
        }
    }

    /// A string array tag.
    pub fn strings(&self, tag: u32) -> Result<Vec<String>, HeaderError> {
        let Some(e) = self.entries.get(&tag) else {
            return Ok(Vec::new());
        };
        if !matches!(e.kind, kind::STRING_ARRAY | kind::I18NSTRING) {
            return Err(bad(tag, "not a string array"));
        }
        let mut out = Vec::with_capacity((e.count as usize).min(self.data.len()));
        let mut at = e.offset as usize;
        for _ in 0..e.count {
            let (s, next) = self.c_string(tag, at)?;
            out.push(s);
            at = next;
        }
        Ok(out)
    }

    /// An integer array tag, widened to `u32` (INT8, INT16 or INT32).
    pub fn ints(&self, tag: u32) -> Result<Vec<u32>, HeaderError> {
        let Some(e) = self.entries.get(&tag) else {
            return Ok(Vec::new());
        };
        let width = match e.kind {
            kind::INT8 => 1,
            kind::INT16 => 2,
            kind::INT32 => 4,
            _ => return Err(bad(tag, "not an integer")),
        };
        let start = e.offset as usize;
        let bytes = (e.count as usize)
            .checked_mul(width)
            .and_then(|len| self.data.get(start..start.checked_add(len)?))
            .ok_or(bad(tag, "integers run past the data store"))?;
        Ok(bytes
            .chunks_exact(width)
            .map(|c| c.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
            .collect())
    }

    /// The first integer of an integer tag.
    pub fn int(&self, tag: u32) -> Result<Option<u32>, HeaderError> {
        Ok(self.ints(tag)?.first().copied())
    }

    /// The NUL-terminated string at `at`, and the offset after its NUL.
    fn c_string(&self, tag: u32, at: usize) -> Result<(String, usize), HeaderError> {
        let rest = self
            .data
            .get(at..)
            .ok_or(bad(tag, "offset past the data store"))?;
        let len = memchr::memchr(0, rest).ok_or(bad(tag, "string not terminated"))?;
        let s = rest.get(..len).unwrap_or_default();
        // Old headers carry Latin-1 in free-text fields; keep what we can.
        Ok((String::from_utf8_lossy(s).into_owned(), at + len + 1))
    }
}

fn bad(tag: u32, reason: &'static str) -> HeaderError {
    HeaderError::BadTag { tag, reason }
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let bytes = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

/// The facts about one installed package that tidewatch uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RpmPackage {
    pub name: String,
    /// `None` when the header has no Epoch tag (which rpm compares as 0).
    pub epoch: Option<u32>,
    pub version: String,
    pub release: String,
    pub arch: Option<String>,
    /// The source RPM file name, e.g. `openssl-3.0.7-27.el9.src.rpm`.
    pub source_rpm: Option<String>,
    pub license: Option<String>,
    pub vendor: Option<String>,
    /// `name:stream:version:context` for packages built in a module.
    pub modularity_label: Option<String>,
    /// Installed files, absolute paths as rpm records them.
    pub files: Vec<String>,
    /// Optional fields that could not be decoded (and are left empty).
    pub damage: Vec<HeaderError>,
}

impl RpmPackage {
    /// `[epoch:]version-release`, the epoch shown only when it is present
    /// and not 0 (rpm orders a missing epoch as 0, so the two are equal).
    pub fn evr(&self) -> String {
        match self.epoch {
            Some(e) if e != 0 => format!("{e}:{}-{}", self.version, self.release),
            _ => format!("{}-{}", self.version, self.release),
        }
    }
}

/// Decode a package from a header blob; `Ok(None)` for the `gpg-pubkey`
/// pseudo-packages rpm uses to store imported signing keys.
pub fn parse_package(blob: &[u8]) -> Result<Option<RpmPackage>, HeaderError> {
    let h = Header::parse(blob)?;
    let name = h.string(tag::NAME)?.ok_or(HeaderError::Missing("Name"))?;
    if name == "gpg-pubkey" {
        return Ok(None);
    }
    let version = h
        .string(tag::VERSION)?
        .ok_or(HeaderError::Missing("Version"))?;
    let release = h
        .string(tag::RELEASE)?
        .ok_or(HeaderError::Missing("Release"))?;
    let mut pkg = RpmPackage {
        name,
        version,
        release,
        ..RpmPackage::default()
    };
    // Past the NEVR, a damaged field costs only itself: the package is
    // still worth matching, and the damage is reported with it.
    let keep = |r: Result<Option<String>, HeaderError>, pkg: &mut RpmPackage| match r {
        // rpm prints "(none)" for absent tags and some builders wrote
        // that text into the tag itself.
        Ok(v) => v.filter(|s| !s.is_empty() && s != "(none)"),
        Err(e) => {
            pkg.damage.push(e);
            None
        }
    };
    pkg.arch = keep(h.string(tag::ARCH), &mut pkg);
    pkg.source_rpm = keep(h.string(tag::SOURCERPM), &mut pkg);
    pkg.license = keep(h.string(tag::LICENSE), &mut pkg);
    pkg.vendor = keep(h.string(tag::VENDOR), &mut pkg);
    pkg.modularity_label = keep(h.string(tag::MODULARITYLABEL), &mut pkg);
    // The epoch is part of the version: unreadable, the package is too.
    pkg.epoch = h.int(tag::EPOCH)?;
    match files(&h) {
        Ok(f) => pkg.files = f,
        Err(e) => pkg.damage.push(e),
    }
    Ok(Some(pkg))
}

/// Installed file paths: `DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]` in rpm
/// ≥ 4.0, the flat `OLDFILENAMES` before.
fn files(h: &Header<'_>) -> Result<Vec<String>, HeaderError> {
    if !h.has(tag::BASENAMES) {
        return h.strings(tag::OLDFILENAMES);
    }
    let base = h.strings(tag::BASENAMES)?;
    let dirs = h.strings(tag::DIRNAMES)?;
    let index = h.ints(tag::DIRINDEXES)?;
    if index.len() != base.len() {
        return Err(bad(tag::DIRINDEXES, "count differs from BASENAMES"));
    }
    base.iter()
        .zip(index)
        .map(|(b, i)| {
            let dir = dirs
                .get(i as usize)
                .ok_or(bad(tag::DIRINDEXES, "index past DIRNAMES"))?;
            Ok(format!("{dir}{b}"))
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rpmdb::header::testing::HeaderBuilder;

    #[test]
    fn decodes_the_tags_a_scanner_needs() {
        let blob = HeaderBuilder::new()
            .string(tag::NAME, "openssl-libs")
            .int32(tag::EPOCH, &[1])
            .string(tag::VERSION, "3.0.7")
            .string(tag::RELEASE, "27.el9")
            .string(tag::ARCH, "x86_64")
            .string(tag::SOURCERPM, "openssl-3.0.7-27.el9.src.rpm")
            .string(tag::LICENSE, "ASL 2.0")
            .string(tag::VENDOR, "Rocky Enterprise Software Foundation")
            .string(tag::MODULARITYLABEL, "")
            .strings(tag::DIRNAMES, &["/usr/lib64/", "/etc/pki/"])
            .strings(tag::BASENAMES, &["libssl.so.3", "tls", "libcrypto.so.3"])
            .int32(tag::DIRINDEXES, &[0, 1, 0])
            .build();
        let p = parse_package(&blob).unwrap().unwrap();
        assert_eq!(p.name, "openssl-libs");
        assert_eq!(p.epoch, Some(1));
        assert_eq!(p.evr(), "1:3.0.7-27.el9");
        assert_eq!(p.arch.as_deref(), Some("x86_64"));
        assert_eq!(p.modularity_label, None);
        assert_eq!(
            p.files,
            [
                "/usr/lib64/libssl.so.3",
                "/etc/pki/tls",
                "/usr/lib64/libcrypto.so.3"
            ]
        );
    }

    #[test]
    fn old_headers_list_files_flat() {
        let blob = HeaderBuilder::new()
            .string(tag::NAME, "bash")
            .string(tag::VERSION, "3.2")
            .string(tag::RELEASE, "24.el5")
            .strings(tag::OLDFILENAMES, &["/bin/bash", "/bin/sh"])
            .build();
        let p = parse_package(&blob).unwrap().unwrap();
        assert_eq!(p.files, ["/bin/bash", "/bin/sh"]);
        assert_eq!(p.epoch, None);
        assert_eq!(p.evr(), "3.2-24.el5");
    }

    #[test]
    fn gpg_pubkeys_are_not_packages() {
        let blob = HeaderBuilder::new()
            .string(tag::NAME, "gpg-pubkey")
            .string(tag::VERSION, "8483c65d")
            .string(tag::RELEASE, "5ccc5b19")
            .build();
        assert_eq!(parse_package(&blob).unwrap(), None);
    }

    #[test]
    fn bad_entries_are_errors() {
        let ok = HeaderBuilder::new()
            .string(tag::NAME, "x")
            .string(tag::VERSION, "1")
            .string(tag::RELEASE, "1")
            .build();
        // Every truncation is refused.
        for cut in 0..ok.len() {
            assert!(parse_package(&ok[..cut]).is_err(), "cut at {cut}");
        }
        // A string offset past the store.
        let mut bad_offset = ok.clone();
        bad_offset[8 + 8..8 + 12].copy_from_slice(&0xffff_fff0u32.to_be_bytes());
        assert!(matches!(
            parse_package(&bad_offset),
            Err(HeaderError::BadTag { tag: 1000, .. })
        ));
        // An index count that would need gigabytes.
        let mut huge = ok.clone();
        huge[..4].copy_from_slice(&0x7fff_ffffu32.to_be_bytes());
        assert!(matches!(
            parse_package(&huge),
            Err(HeaderError::TooLarge { .. })
        ));
        // Missing the name.
        let nameless = HeaderBuilder::new().string(tag::VERSION, "1").build();
        assert_eq!(parse_package(&nameless), Err(HeaderError::Missing("Name")));
        // Integers past the end.
        let ints = HeaderBuilder::new()
            .string(tag::NAME, "x")
            .string(tag::VERSION, "1")
            .string(tag::RELEASE, "1")
            .raw(tag::EPOCH, kind::INT32, 0, 1000)
            .build();
        assert!(parse_package(&ints).is_err());
    }

    #[test]
    fn a_bad_file_list_costs_only_the_files() {
        let blob = HeaderBuilder::new()
            .string(tag::NAME, "x")
            .string(tag::VERSION, "1")
            .string(tag::RELEASE, "1")
            .strings(tag::DIRNAMES, &["/a/"])
            .strings(tag::BASENAMES, &["b"])
            .int32(tag::DIRINDEXES, &[7])
            .raw(tag::VENDOR, kind::STRING, 9999, 1)
            .build();
        let p = parse_package(&blob).unwrap().unwrap();
        assert!(p.files.is_empty());
        assert_eq!(p.vendor, None);
        assert_eq!(p.damage.len(), 2);
    }
}

/// Builds header blobs for tests (unit, integration and fuzz), which
/// synthesise databases rather than ship real ones.
#[doc(hidden)]
pub mod testing {
    /// Writes a header blob the way rpm lays it out.
    #[derive(Default)]
    pub struct HeaderBuilder {
        index: Vec<[u32; 4]>,
        data: Vec<u8>,
    }

    impl HeaderBuilder {
        pub fn new() -> Self {
            Self::default()
        }

        pub fn string(self, tag: u32, s: &str) -> Self {
            self.strings_of(tag, super::kind::STRING, &[s])
        }

        pub fn strings(self, tag: u32, ss: &[&str]) -> Self {
            self.strings_of(tag, super::kind::STRING_ARRAY, ss)
        }

        fn strings_of(mut self, tag: u32, kind: u32, ss: &[&str]) -> Self {
            let offset = self.data.len() as u32;
            for s in ss {
                self.data.extend_from_slice(s.as_bytes());
                self.data.push(0);
            }
            self.index.push([tag, kind, offset, ss.len() as u32]);
            self
        }

        pub fn int32(mut self, tag: u32, vs: &[u32]) -> Self {
            while !self.data.len().is_multiple_of(4) {
                self.data.push(0);
            }
            let offset = self.data.len() as u32;
            for v in vs {
                self.data.extend_from_slice(&v.to_be_bytes());
            }
            self.index
                .push([tag, super::kind::INT32, offset, vs.len() as u32]);
            self
        }

        /// An index entry with arbitrary fields and no data.
        pub fn raw(mut self, tag: u32, kind: u32, offset: u32, count: u32) -> Self {
            self.index.push([tag, kind, offset, count]);
            self
        }

        pub fn build(&self) -> Vec<u8> {
            let mut out = Vec::new();
            out.extend_from_slice(&(self.index.len() as u32).to_be_bytes());
            out.extend_from_slice(&(self.data.len() as u32).to_be_bytes());
            for e in &self.index {
                for v in e {
                    out.extend_from_slice(&v.to_be_bytes());
                }
            }
            out.extend_from_slice(&self.data);
            out
        }
    }
}
