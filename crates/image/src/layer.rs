//! Reading one layer: stream its blob once — hashing the blob, detecting
//! and undoing its compression from the magic bytes, hashing the
//! uncompressed tar for the diff_id, and walking the tar entries — and
//! keep only the files the filter wants, plus what the merge needs to
//! apply this layer on top of the ones below (whiteouts, opaque
//! directories, which paths it occupies, its links). A layer is read on
//! its own, so layers can be read in parallel, cached, or fetched from any
//! source; `crate::merge` combines them.

use crate::digest::{Digest, HashingReader};
use crate::error::ImageError;
use crate::files::{ContentCheck, FileData, FileEntry, FileFilter, SNIFF_LEN, Want};
use crate::path::{ancestors, normalise_entry, parent};
use crate::spill::Spill;
use crate::tarstream::{Event, Kind, Streamed, TarError, TarReader};
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher as _};
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use tidewatch_types::Warning;

/// A symlink or hard link found in a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    /// A symlink's target as written (relative to the link's directory, or
    /// absolute = relative to the image root); a hard link's normalised
    /// root-relative target.
    pub target: String,
    pub hard: bool,
}

/// What one layer contributes to the squashed view.
#[derive(Debug, Default)]
pub struct LayerFiles {
    /// The layer's position, 0 = base.
    pub index: usize,
    pub(crate) files: BTreeMap<String, FileEntry>,
    /// Every symlink and hard link of the layer (path + target only).
    pub(crate) links: BTreeMap<String, Link>,
    pub(crate) whiteouts: Vec<String>,
    pub(crate) opaque: Vec<String>,
    /// Hashes of the paths that are directories in this layer (explicit
    /// entries and the parents of every entry) and of those that are not.
    /// Hashes keep this cheap for layers of 100k+ entries; a collision
    /// (about 1 in 10^10 for such a layer) could hide one lower file.
    pub(crate) dirs: HashSet<u64>,
    pub(crate) nondirs: HashSet<u64>,
    pub warnings: Vec<Warning>,
}

impl LayerFiles {
    /// Number of kept files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

pub(crate) fn path_hash(path: &str) -> u64 {
    let mut h = DefaultHasher::new();
    path.hash(&mut h);
    h.finish()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    fn name(self) -> &'static str {
        match self {
            Compression::None => "tar",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }

    fn detect(magic: &[u8]) -> Result<Compression, &'static str> {
        if magic.starts_with(&[0x1f, 0x8b]) {
            Ok(Compression::Gzip)
        } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Ok(Compression::Zstd)
        } else if magic.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Err("xz-compressed layers are not supported")
        } else if magic.starts_with(b"BZh") {
            Err("bzip2-compressed layers are not supported")
        } else {
            Ok(Compression::None)
        }
    }
}

type Raw = HashingReader<Box<dyn Read + Send>>;

enum Decoder {
    Plain(BufReader<Raw>),
    Gzip(Box<flate2::bufread::MultiGzDecoder<BufReader<Raw>>>),
    Zstd(zstd::stream::read::Decoder<'static, BufReader<Raw>>),
}

impl Read for Decoder {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Plain(r) => r.read(buf),
            Decoder::Gzip(r) => r.read(buf),
            Decoder::Zstd(r) => r.read(buf),
        }
    }
}

impl Decoder {
    fn into_inner(self) -> BufReader<Raw> {
        match self {
            Decoder::Plain(r) => r,
            Decoder::Gzip(r) => r.into_inner(),
            Decoder::Zstd(r) => r.finish(),
        }
    }
}

/// Wraps a layer blob in the decompressor its first bytes call for,
/// hashing the stored bytes with `digest`'s algorithm on the way.
fn open_decoder(
    raw: Box<dyn Read + Send>,
    digest: Option<&Digest>,
    name: &LayerName<'_>,
) -> Result<(Decoder, Compression), ImageError> {
    let mut buffered = BufReader::with_capacity(
        256 * 1024,
        HashingReader::new(raw, digest.map(|d| d.algorithm)),
    );
    let magic = buffered
        .fill_buf()
        .map_err(|e| ImageError::io(name.file, e))?;
    let compression = Compression::detect(magic).map_err(|reason| ImageError::BadTar {
        file: name.file.to_string(),
        what: name.what.to_string(),
        detail: reason.to_string(),
    })?;
    let decoder = match compression {
        Compression::None => Decoder::Plain(buffered),
        Compression::Gzip => {
            Decoder::Gzip(Box::new(flate2::bufread::MultiGzDecoder::new(buffered)))
        }
        Compression::Zstd => Decoder::Zstd(
            zstd::stream::read::Decoder::with_buffer(buffered)
                .map_err(|e| ImageError::io(name.file, e))?,
        ),
    };
    Ok((decoder, compression))
}

/// Where a layer's messages point: the file (`archive.tar:blobs/…`) and
/// which layer it is (`layer 2`).
pub(crate) struct LayerName<'a> {
    pub file: &'a str,
    pub what: &'a str,
}

/// Read one layer blob. `digest` is the blob digest to verify (absent for
/// legacy `docker save` layers, whose blob is the diff itself).
pub(crate) fn read_layer(
    raw: Box<dyn Read + Send>,
    index: usize,
    name: &LayerName<'_>,
    digest: Option<&Digest>,
    diff_id: &Digest,
    filter: &dyn FileFilter,
    spill: &Spill,
) -> Result<LayerFiles, ImageError> {
    let (decoder, compression) = open_decoder(raw, digest, name)?;
    let mut tar = TarReader::new(Streamed(HashingReader::new(
        decoder,
        Some(diff_id.algorithm),
    )));

    let mut out = LayerFiles {
        index,
        ..LayerFiles::default()
    };
    let walked = walk(&mut tar, &mut out, name, filter, spill)
        .and_then(|()| tar.drain().map(|_| ()).map_err(TarError::Io));

    let hashed = tar.into_inner().0;
    let uncompressed = hashed.count;
    let (decoder, actual_diff) = hashed.into_parts();
    let mut rest = decoder.into_inner();
    // Trailing bytes after the compressed stream still belong to the blob.
    let drained = io::copy(&mut rest, &mut io::sink());
    let actual_blob = rest.into_inner().finish();

    // A tampered blob usually also fails to decompress; name the cause.
    if let (Some(expected), Some(actual)) = (digest, &actual_blob)
        && drained.is_ok()
        && expected != actual
    {
        return Err(ImageError::DigestMismatch {
            file: name.file.to_string(),
            what: format!("{} blob", name.what),
            expected: expected.to_string(),
            actual: actual.to_string(),
        });
    }
    if let Err(e) = walked {
        return Err(tar_error(e, name, compression, spill));
    }
    drained.map_err(|e| ImageError::io(name.file, e))?;
    if let Some(actual) = actual_diff
        && &actual != diff_id
    {
        return Err(ImageError::DiffIdMismatch {
            file: name.file.to_string(),
            what: name.what.to_string(),
            expected: diff_id.to_string(),
            actual: actual.to_string(),
        });
    }
    tracing::debug!(
        layer = index,
        kept = out.files.len(),
        links = out.links.len(),
        uncompressed,
        "layer read"
    );
    Ok(out)
}

/// Check a layer blob against its digests without reading its tar: the
/// blob digest over the stored bytes when the manifest names one (no
/// decompression), else the diff_id over the uncompressed stream (legacy
/// `docker save` layers, whose blob is normally the plain tar). Used when a
/// reading of the layer is served from a cache, so the bytes behind it are
/// still the ones that were verified.
pub(crate) fn verify_layer(
    raw: Box<dyn Read + Send>,
    name: &LayerName<'_>,
    digest: Option<&Digest>,
    diff_id: &Digest,
) -> Result<(), ImageError> {
    if let Some(expected) = digest {
        let mut hashed = HashingReader::new(raw, Some(expected.algorithm));
        drain(&mut hashed).map_err(|e| ImageError::io(name.file, e))?;
        return match hashed.finish() {
            Some(actual) if &actual != expected => Err(ImageError::DigestMismatch {
                file: name.file.to_string(),
                what: format!("{} blob", name.what),
                expected: expected.to_string(),
                actual: actual.to_string(),
            }),
            _ => Ok(()),
        };
    }
    let (decoder, compression) = open_decoder(raw, None, name)?;
    let mut hashed = HashingReader::new(decoder, Some(diff_id.algorithm));
    drain(&mut hashed).map_err(|source| stream_error(source, name, compression))?;
    match hashed.finish() {
        Some(actual) if &actual != diff_id => Err(ImageError::DiffIdMismatch {
            file: name.file.to_string(),
            what: name.what.to_string(),
            expected: diff_id.to_string(),
            actual: actual.to_string(),
        }),
        _ => Ok(()),
    }
}

/// Read to the end in 1 MiB chunks: `io::copy`'s 8 KiB reads make
/// hashing a few hundred MB of cached layers cost more in system calls
/// than in hashing.
fn drain(r: &mut impl Read) -> io::Result<()> {
    let mut buf = vec![0u8; 1024 * 1024];
    loop {
        match r.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// A read error under the tar: the file's own when it is stored plain,
/// else the decompressor's, which means the compressed stream is corrupt.
fn stream_error(source: io::Error, name: &LayerName<'_>, compression: Compression) -> ImageError {
    if compression == Compression::None {
        ImageError::io(name.file, source)
    } else {
        ImageError::CorruptStream {
            file: name.file.to_string(),
            what: name.what.to_string(),
            compression: compression.name(),
            source,
        }
    }
}

fn tar_error(
    e: TarError,
    name: &LayerName<'_>,
    compression: Compression,
    spill: &Spill,
) -> ImageError {
    match e {
        TarError::Io(source) => stream_error(source, name, compression),
        TarError::Sink(source) => spill.error(name.file, source),
        TarError::Cut { entry, detail } => ImageError::TruncatedTar {
            file: name.file.to_string(),
            what: name.what.to_string(),
            entry,
            detail,
        },
        TarError::Bad { detail } => ImageError::BadTar {
            file: name.file.to_string(),
            what: name.what.to_string(),
            detail,
        },
    }
}

fn walk<R: crate::tarstream::Skip>(
    tar: &mut TarReader<R>,
    out: &mut LayerFiles,
    name: &LayerName<'_>,
    filter: &dyn FileFilter,
    spill: &Spill,
) -> Result<(), TarError> {
    loop {
        let header = match tar.next_event()? {
            Event::Entry(h) => h,
            Event::End => return Ok(()),
            Event::MissingTail => {
                out.warnings.push(Warning::new(
                    name.file,
                    format!(
                        "{}: the tar ends right after its last file's data, without padding or \
                         end-of-archive blocks; kept what was read",
                        name.what
                    ),
                ));
                return Ok(());
            }
        };
        let path = match normalise_entry(&header.path) {
            Ok(Some(p)) => p,
            Ok(None) => continue,
            Err(reason) => {
                out.warnings.push(Warning::new(
                    String::from_utf8_lossy(&header.path),
                    format!("{}: entry ignored: {reason}", name.what),
                ));
                continue;
            }
        };
        for dir in ancestors(&path) {
            if !out.dirs.insert(path_hash(dir)) {
                break; // its ancestors are already there too
            }
        }

        let base = path.rsplit('/').next().unwrap_or(&path);
        if let Some(hidden) = base.strip_prefix(".wh.") {
            let dir = parent(&path);
            if hidden == ".wh..opq" {
                out.opaque.push(dir.to_string());
            } else if !hidden.starts_with(".wh.") && !hidden.is_empty() {
                // `.wh..wh.*` other than `.opq` is aufs bookkeeping.
                out.whiteouts.push(join(dir, hidden));
            }
            continue;
        }

        match header.kind {
            Kind::Dir => {
                out.dirs.insert(path_hash(&path));
            }
            Kind::Other => {
                out.nondirs.insert(path_hash(&path));
                out.files.remove(&path);
                out.links.remove(&path);
            }
            Kind::Symlink => {
                out.nondirs.insert(path_hash(&path));
                out.files.remove(&path);
                let target = header
                    .link
                    .as_deref()
                    .map(String::from_utf8_lossy)
                    .unwrap_or_default()
                    .into_owned();
                if target.contains('\0') || target.len() > crate::path::MAX_PATH {
                    continue;
                }
                out.links.insert(
                    path,
                    Link {
                        target,
                        hard: false,
                    },
                );
            }
            Kind::Hardlink => {
                out.nondirs.insert(path_hash(&path));
                out.files.remove(&path);
                let raw = header.link.as_deref().unwrap_or_default();
                let target = match normalise_entry(raw) {
                    Ok(Some(t)) => t,
                    _ => {
                        out.warnings.push(Warning::new(
                            &path,
                            format!("{}: hard link with an unusable target ignored", name.what),
                        ));
                        continue;
                    }
                };
                // A hard link shares the data of the file as this layer
                // wrote it; resolve it now when that file was kept.
                if let Some(entry) = out.files.get(&target).cloned()
                    && wants_copy(filter, &path, &entry)
                {
                    out.files.insert(path.clone(), entry);
                }
                out.links.insert(path, Link { target, hard: true });
            }
            Kind::File => {
                out.nondirs.insert(path_hash(&path));
                out.links.remove(&path);
                out.files.remove(&path);
                let keep = match filter.wants(&path, header.size, header.mode) {
                    Want::Skip => None,
                    Want::TooLarge { limit } => {
                        out.warnings.push(crate::files::too_large_warning(
                            &path,
                            header.size,
                            limit,
                        ));
                        None
                    }
                    Want::Keep => Some((Vec::new(), None)),
                    Want::Sniff => {
                        let len = usize::try_from(header.size.min(SNIFF_LEN as u64)).unwrap_or(0);
                        let mut head = vec![0u8; len];
                        tar.read_data_full(&mut head)?;
                        if filter.sniff(&path, &head) {
                            let check = filter
                                .must_contain(&path, &head)
                                .map(|n| ContentCheck::new(&n));
                            Some((head, check))
                        } else {
                            None
                        }
                    }
                };
                if let Some((head, check)) = keep
                    && let Some(data) = store(tar, head, header.size, &path, spill, check)?
                {
                    out.files.insert(
                        path,
                        FileEntry {
                            layer: Some(out.index),
                            size: header.size,
                            mode: header.mode,
                            data,
                        },
                    );
                }
            }
        }
    }
}

/// Would the filter keep `entry`'s bytes under the name `path`?
pub(crate) fn wants_copy(filter: &dyn FileFilter, path: &str, entry: &FileEntry) -> bool {
    match filter.wants(path, entry.size, entry.mode) {
        Want::Skip | Want::TooLarge { .. } => false,
        Want::Keep => true,
        Want::Sniff => {
            let mut head = Vec::with_capacity(SNIFF_LEN);
            let read = entry
                .data
                .reader()
                .and_then(|r| r.take(SNIFF_LEN as u64).read_to_end(&mut head));
            if read.is_err() || !filter.sniff(path, &head) {
                return false;
            }
            match filter.must_contain(path, &head) {
                None => true,
                Some(needles) => contains_any(&entry.data, &needles).unwrap_or(false),
            }
        }
    }
}

/// Does any of `needles` occur in `data`?
pub(crate) fn contains_any(data: &FileData, needles: &[&'static [u8]]) -> io::Result<bool> {
    let mut check = ContentCheck::new(needles);
    let mut reader = data.reader()?;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            return Ok(check.found());
        }
        check.feed(buf.get(..n).unwrap_or_default());
        if check.found() {
            return Ok(true);
        }
    }
}

/// Read the rest of the entry after `head`; `None` when `check` is given
/// and none of its byte strings occurred (the bytes, or the spill file,
/// are dropped again at once).
fn store<R: crate::tarstream::Skip>(
    tar: &mut TarReader<R>,
    head: Vec<u8>,
    size: u64,
    path: &str,
    spill: &Spill,
    mut check: Option<ContentCheck>,
) -> Result<Option<FileData>, TarError> {
    if let Some(c) = check.as_mut() {
        c.feed(&head);
    }
    let data = if spill.should_spill(size) {
        let mut w = spill.writer(path).map_err(|e| match e {
            ImageError::Spill { source, .. } => TarError::Sink(source),
            other => TarError::Sink(io::Error::other(other.to_string())),
        })?;
        w.write(&head).map_err(TarError::Sink)?;
        tar.copy_data(&mut |chunk| {
            if let Some(c) = check.as_mut() {
                c.feed(chunk);
            }
            w.write(chunk)
        })?;
        w.finish().map_err(TarError::Sink)?
    } else {
        // `size` is at most SPILL_THRESHOLD here, so the reservation is bounded.
        let mut bytes = head;
        bytes.reserve(usize::try_from(tar.remaining()).unwrap_or(0));
        tar.copy_data(&mut |chunk| {
            if let Some(c) = check.as_mut() {
                c.feed(chunk);
            }
            bytes.extend_from_slice(chunk);
            Ok(())
        })?;
        FileData::Memory(Arc::new(bytes))
    };
    Ok(match check {
        Some(c) if !c.found() => None,
        _ => Some(data),
    })
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}
