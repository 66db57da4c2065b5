//! The bytes of one cache entry: a layer's [`LayerParts`] in a small
//! length-prefixed binary format, zstd-compressed. Written by hand rather
//! than through serde because the parts hold file bytes (which a text
//! format would bloat and a derive cannot reach in `FileData`) and the
//! format is private to this cache: a format change bumps [`FORMAT`],
//! which is part of every key, so old entries are never decoded.
//!
//! Files of [`BLOB_MIN`] bytes or more (the binaries and shared libraries
//! binary catalogers keep) are not put inline: they are written once,
//! uncompressed, into the entry's blob directory, and a hit hard-links them
//! into the scan's spill directory, so a cached layer of 50 MB of ELF files
//! costs a few links rather than decompressing and rewriting them.
//!
//! Decoding treats the entry as untrusted (the cache directory is just
//! files): every length is checked against what remains, so a corrupt
//! entry is an error — the caller drops it and reads the layer — never a
//! panic or a huge allocation.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use tidewatch_image::{FileData, FileEntry, LayerParts, LinkPart, SPILL_THRESHOLD};
use tidewatch_types::Warning;

/// Version of this encoding; part of every cache key.
pub(crate) const FORMAT: u32 = 2;
/// Kept files at least this big live out of line, in the blob directory.
pub(crate) const BLOB_MIN: u64 = 1024 * 1024;
const INLINE: u8 = 0;
const OUT_OF_LINE: u8 = 1;
const MAGIC: &[u8; 4] = b"TWLC";
const ZSTD_LEVEL: i32 = 3;

#[derive(Debug, thiserror::Error)]
pub(crate) enum CodecError {
    #[error("corrupt cache entry: {0}")]
    Corrupt(&'static str),
    #[error("cannot read or write a kept file: {0}")]
    Io(#[from] std::io::Error),
}

/// An encoded entry and the bytes it put into its blob directory.
pub(crate) struct Encoded {
    pub data: Vec<u8>,
    pub blob_bytes: u64,
}

/// Encode a layer's parts, writing big files into `blob_dir` (created
/// when needed); `None` when its kept bytes exceed `max_bytes` (such
/// layers are read each time rather than cached).
pub(crate) fn encode(
    parts: &LayerParts,
    max_bytes: u64,
    blob_dir: &Path,
) -> Result<Option<Encoded>, CodecError> {
    let total: u64 = parts.files.iter().map(|(_, e)| e.size).sum();
    if total > max_bytes {
        return Ok(None);
    }
    let mut blob_bytes = 0;
    let mut enc = zstd::stream::write::Encoder::new(Vec::new(), ZSTD_LEVEL)?;
    let mut w = Writer { out: &mut enc };
    w.raw(MAGIC)?;
    w.u32(FORMAT)?;
    w.len(parts.files.len())?;
    for (n, (path, entry)) in parts.files.iter().enumerate() {
        w.str(path)?;
        w.u64(entry.size)?;
        w.u32(entry.mode)?;
        if entry.size >= BLOB_MIN {
            std::fs::create_dir_all(blob_dir)?;
            let mut out =
                std::io::BufWriter::new(std::fs::File::create(blob_dir.join(n.to_string()))?);
            let copied = std::io::copy(&mut entry.data.reader()?, &mut out)?;
            out.flush()?;
            if copied != entry.size {
                return Err(CodecError::Corrupt("kept file changed size"));
            }
            blob_bytes += copied;
            w.raw(&[OUT_OF_LINE])?;
            w.u64(n as u64)?;
        } else {
            w.raw(&[INLINE])?;
            let bytes = entry.data.bytes()?;
            w.bytes(&bytes)?;
        }
    }
    w.len(parts.links.len())?;
    for l in &parts.links {
        w.str(&l.path)?;
        w.str(&l.target)?;
        w.raw(&[u8::from(l.hard)])?;
    }
    w.strs(&parts.whiteouts)?;
    w.strs(&parts.opaque)?;
    w.u64s(&parts.dirs)?;
    w.u64s(&parts.nondirs)?;
    w.len(parts.warnings.len())?;
    for warning in &parts.warnings {
        w.str(&warning.path)?;
        w.str(&warning.message)?;
    }
    Ok(Some(Encoded {
        data: enc.finish()?,
        blob_bytes,
    }))
}

/// Decode an entry into the parts of the layer at `index`. Out-of-line
/// files are hard-linked (copied where links are impossible) from
/// `blob_dir` to temporary files in `spill_dir`; inline files larger than
/// the image reader's spill threshold are written there.
pub(crate) fn decode(
    compressed: &[u8],
    index: usize,
    blob_dir: &Path,
    spill_dir: Option<&Path>,
) -> Result<LayerParts, CodecError> {
    let raw = zstd::stream::decode_all(compressed).map_err(|_| CodecError::Corrupt("zstd"))?;
    let mut r = Reader { buf: &raw };
    if r.take(4)? != MAGIC {
        return Err(CodecError::Corrupt("magic"));
    }
    if r.u32()? != FORMAT {
        return Err(CodecError::Corrupt("format version"));
    }
    let mut parts = LayerParts {
        index,
        ..LayerParts::default()
    };
    let n = r.len(16)?;
    for _ in 0..n {
        let path = r.str()?;
        let size = r.u64()?;
        let mode = r.u32()?;
        let data = match r.take(1)? {
            [OUT_OF_LINE] => {
                let n = r.u64()?;
                link(&blob_dir.join(n.to_string()), size, spill_dir)?
            }
            [INLINE] => {
                let bytes = r.bytes()?;
                if bytes.len() as u64 != size {
                    return Err(CodecError::Corrupt("file size"));
                }
                if size > SPILL_THRESHOLD {
                    spill(bytes, spill_dir)?
                } else {
                    FileData::Memory(Arc::new(bytes.to_vec()))
                }
            }
            _ => return Err(CodecError::Corrupt("file kind")),
        };
        parts.files.push((
            path,
            FileEntry {
                layer: Some(index),
                size,
                mode,
                data,
            },
        ));
    }
    let n = r.len(2)?;
    for _ in 0..n {
        let path = r.str()?;
        let target = r.str()?;
        let hard = match r.take(1)? {
            [0] => false,
            [1] => true,
            _ => return Err(CodecError::Corrupt("link kind")),
        };
        parts.links.push(LinkPart { path, target, hard });
    }
    parts.whiteouts = r.strs()?;
    parts.opaque = r.strs()?;
    parts.dirs = r.u64s()?;
    parts.nondirs = r.u64s()?;
    let n = r.len(2)?;
    for _ in 0..n {
        let path = r.str()?;
        let message = r.str()?;
        parts.warnings.push(Warning::new(path, message));
    }
    if !r.buf.is_empty() {
        return Err(CodecError::Corrupt("trailing bytes"));
    }
    Ok(parts)
}

/// A temporary file with the blob's content: a hard link when the spill
/// directory is on the same file system, else a copy. A blob of the wrong
/// size (evicted, truncated) makes the entry corrupt.
fn link(blob: &Path, size: u64, dir: Option<&Path>) -> Result<FileData, CodecError> {
    let actual = std::fs::metadata(blob)
        .map_err(|_| CodecError::Corrupt("blob missing"))?
        .len();
    if actual != size {
        return Err(CodecError::Corrupt("blob size"));
    }
    let dir = dir.map_or_else(std::env::temp_dir, Path::to_path_buf);
    // A unique name, reserved by creating it, then replaced by the link.
    let path = tempfile::Builder::new()
        .prefix(".tw-blob")
        .tempfile_in(&dir)?
        .into_temp_path();
    let target = path.to_path_buf();
    std::fs::remove_file(&target)?;
    if std::fs::hard_link(blob, &target).is_err() {
        std::fs::copy(blob, &target)?;
    }
    Ok(FileData::Spilled(Arc::new(path)))
}

fn spill(bytes: &[u8], dir: Option<&Path>) -> Result<FileData, CodecError> {
    let mut tmp = match dir {
        Some(d) => tempfile::NamedTempFile::new_in(d)?,
        None => tempfile::NamedTempFile::new()?,
    };
    tmp.write_all(bytes)?;
    tmp.flush()?;
    Ok(FileData::Spilled(Arc::new(tmp.into_temp_path())))
}

struct Writer<'a, W: Write> {
    out: &'a mut W,
}

impl<W: Write> Writer<'_, W> {
    fn raw(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.out.write_all(b)
    }
    fn u32(&mut self, v: u32) -> std::io::Result<()> {
        self.raw(&v.to_le_bytes())
    }
    fn u64(&mut self, v: u64) -> std::io::Result<()> {
        self.raw(&v.to_le_bytes())
    }
    fn len(&mut self, n: usize) -> std::io::Result<()> {
        self.u64(n as u64)
    }
    fn bytes(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.len(b.len())?;
        self.raw(b)
    }
    fn str(&mut self, s: &str) -> std::io::Result<()> {
        self.bytes(s.as_bytes())
    }
    fn strs(&mut self, v: &[String]) -> std::io::Result<()> {
        self.len(v.len())?;
        v.iter().try_for_each(|s| self.str(s))
    }
    fn u64s(&mut self, v: &[u64]) -> std::io::Result<()> {
        self.len(v.len())?;
        v.iter().try_for_each(|x| self.u64(*x))
    }
}

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        if n > self.buf.len() {
            return Err(CodecError::Corrupt("truncated"));
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }
    fn u32(&mut self) -> Result<u32, CodecError> {
        let b: [u8; 4] = self
            .take(4)?
            .try_into()
            .map_err(|_| CodecError::Corrupt("u32"))?;
        Ok(u32::from_le_bytes(b))
    }
    fn u64(&mut self) -> Result<u64, CodecError> {
        let b: [u8; 8] = self
            .take(8)?
            .try_into()
            .map_err(|_| CodecError::Corrupt("u64"))?;
        Ok(u64::from_le_bytes(b))
    }
    /// A count of items each at least `min_item` bytes long, checked
    /// against what remains so a corrupt count cannot allocate wildly.
    fn len(&mut self, min_item: usize) -> Result<usize, CodecError> {
        let n = usize::try_from(self.u64()?).map_err(|_| CodecError::Corrupt("length"))?;
        if n.saturating_mul(min_item.max(1)) > self.buf.len() {
            return Err(CodecError::Corrupt("length"));
        }
        Ok(n)
    }
    fn bytes(&mut self) -> Result<&'a [u8], CodecError> {
        let n = self.len(1)?;
        self.take(n)
    }
    fn str(&mut self) -> Result<String, CodecError> {
        std::str::from_utf8(self.bytes()?)
            .map(str::to_string)
            .map_err(|_| CodecError::Corrupt("utf-8"))
    }
    fn strs(&mut self) -> Result<Vec<String>, CodecError> {
        let n = self.len(8)?;
        (0..n).map(|_| self.str()).collect()
    }
    fn u64s(&mut self) -> Result<Vec<u64>, CodecError> {
        let n = self.len(8)?;
        (0..n).map(|_| self.u64()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blobs() -> tempfile::TempDir {
        match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn big_files_go_out_of_line_and_come_back_linked() {
        let dir = blobs();
        let spill = blobs();
        let big = vec![9u8; BLOB_MIN as usize];
        let mut parts = sample();
        parts.files.push((
            "usr/bin/big".into(),
            FileEntry {
                layer: Some(3),
                size: big.len() as u64,
                mode: 0o755,
                data: FileData::Memory(Arc::new(big.clone())),
            },
        ));
        let Ok(Some(enc)) = encode(&parts, 1 << 30, dir.path()) else {
            panic!("encode failed")
        };
        assert_eq!(enc.blob_bytes, BLOB_MIN);
        assert!(enc.data.len() < 4096, "the big file went inline");
        let Ok(back) = decode(&enc.data, 1, dir.path(), Some(spill.path())) else {
            panic!("decode failed")
        };
        let (_, entry) = &back.files[1];
        assert!(matches!(entry.data, FileData::Spilled(_)));
        assert_eq!(entry.data.bytes().ok().as_deref(), Some(big.as_slice()));
        drop(back);
        // The link went with the file data; the blob stays.
        assert_eq!(
            std::fs::read_dir(spill.path()).map(|d| d.count()).ok(),
            Some(0)
        );
        // A missing blob makes the entry unusable.
        let _ = std::fs::remove_file(dir.path().join("1"));
        assert!(decode(&enc.data, 1, dir.path(), Some(spill.path())).is_err());
    }

    fn sample() -> LayerParts {
        LayerParts {
            index: 3,
            files: vec![(
                "var/lib/dpkg/status".into(),
                FileEntry {
                    layer: Some(3),
                    size: 5,
                    mode: 0o644,
                    data: FileData::Memory(Arc::new(b"hello".to_vec())),
                },
            )],
            links: vec![LinkPart {
                path: "lib".into(),
                target: "usr/lib".into(),
                hard: false,
            }],
            whiteouts: vec!["etc/motd".into()],
            opaque: vec!["app".into()],
            dirs: vec![1, 2, 3],
            nondirs: vec![u64::MAX],
            warnings: vec![Warning::new("x", "y")],
        }
    }

    #[test]
    fn round_trips_and_retags() {
        let dir = blobs();
        let Ok(Some(enc)) = encode(&sample(), 1 << 20, dir.path()) else {
            panic!("encode failed")
        };
        let Ok(back) = decode(&enc.data, 7, dir.path(), None) else {
            panic!("decode failed")
        };
        assert_eq!(back.index, 7);
        assert_eq!(back.files.len(), 1);
        let (path, entry) = &back.files[0];
        assert_eq!(path, "var/lib/dpkg/status");
        assert_eq!(entry.layer, Some(7));
        assert_eq!((entry.size, entry.mode), (5, 0o644));
        assert_eq!(entry.data.bytes().ok().as_deref(), Some(&b"hello"[..]));
        assert_eq!(back.links, sample().links);
        assert_eq!(back.whiteouts, vec!["etc/motd"]);
        assert_eq!(back.opaque, vec!["app"]);
        assert_eq!(back.dirs, vec![1, 2, 3]);
        assert_eq!(back.nondirs, vec![u64::MAX]);
        assert_eq!(back.warnings, vec![Warning::new("x", "y")]);
    }

    #[test]
    fn over_the_cap_is_not_encoded() {
        assert!(matches!(encode(&sample(), 4, blobs().path()), Ok(None)));
    }

    #[test]
    fn every_truncation_and_bit_flip_is_an_error_not_a_panic() {
        let dir = blobs();
        let Ok(Some(enc)) = encode(&sample(), 1 << 20, dir.path()) else {
            panic!("encode failed")
        };
        let raw = zstd::stream::decode_all(enc.data.as_slice()).unwrap_or_default();
        for cut in 0..raw.len() {
            let Ok(re) = zstd::encode_all(&raw[..cut], 1) else {
                continue;
            };
            assert!(
                decode(&re, 0, dir.path(), None).is_err(),
                "cut at {cut} decoded"
            );
        }
        for i in 0..raw.len() {
            let mut bad = raw.clone();
            bad[i] ^= 0xff;
            if let Ok(re) = zstd::encode_all(bad.as_slice(), 1) {
                let _ = decode(&re, 0, dir.path(), None);
            }
        }
        assert!(decode(b"not zstd", 0, dir.path(), None).is_err());
    }
}
