//! The squashed view of an image: only the files catalogers asked for, each
//! tagged with the layer that last wrote it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::Arc;

/// What a filter wants done with a regular file at some path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Not interesting: skip its bytes.
    Skip,
    /// Keep the whole file.
    Keep,
    /// Read the first `SNIFF_LEN` bytes and ask [`FileFilter::sniff`].
    Sniff,
    /// Wanted, but larger than the `limit` bytes the reader of this kind
    /// of file accepts: its bytes are skipped (never held or spilled) and
    /// the scan gets a warning naming the file and its size.
    TooLarge { limit: u64 },
}

/// The warning for a file skipped as [`Want::TooLarge`].
pub(crate) fn too_large_warning(path: &str, size: u64, limit: u64) -> tidewatch_types::Warning {
    tidewatch_types::Warning::new(
        path,
        format!(
            "file is {size} bytes, over the {limit}-byte limit for this kind of file; not read"
        ),
    )
}

/// How many leading bytes [`FileFilter::sniff`] is shown.
pub const SNIFF_LEN: usize = 64;

/// Files larger than this are spilled to a temporary file in the cache
/// directory instead of being held in memory.
pub const SPILL_THRESHOLD: u64 = 8 * 1024 * 1024;

/// Declares which files of an image a scan needs. Paths are relative to the
/// image root, normalised, without a leading `/` (`var/lib/dpkg/status`).
pub trait FileFilter: Sync {
    /// Decide from the path, size and Unix mode bits alone (the mode lets
    /// binary catalogers sniff only executables).
    fn wants(&self, path: &str, size: u64, mode: u32) -> Want;
    /// Decide from the first bytes of a file `wants` returned `Sniff` for.
    fn sniff(&self, _path: &str, _head: &[u8]) -> bool {
        false
    }
    /// For a file [`FileFilter::sniff`] accepted: `Some(needles)` keeps it
    /// only if one of these byte strings occurs somewhere in it, checked
    /// while its bytes stream past (what marks a Go or Rust binary lies deep
    /// inside the file, not in its first bytes); `None` keeps it as it is.
    fn must_contain(&self, _path: &str, _head: &[u8]) -> Option<Vec<&'static [u8]>> {
        None
    }
}

/// Looks for any of a set of byte strings in data that arrives in chunks,
/// including occurrences that straddle two chunks.
pub(crate) struct ContentCheck {
    finders: Vec<memchr::memmem::Finder<'static>>,
    /// The last `longest - 1` bytes seen, for straddling occurrences.
    tail: Vec<u8>,
    longest: usize,
    found: bool,
}

impl ContentCheck {
    pub(crate) fn new(needles: &[&'static [u8]]) -> ContentCheck {
        let needles: Vec<&'static [u8]> =
            needles.iter().copied().filter(|n| !n.is_empty()).collect();
        ContentCheck {
            longest: needles.iter().map(|n| n.len()).max().unwrap_or(0),
            finders: needles
                .into_iter()
                .map(memchr::memmem::Finder::new)
                .collect(),
            tail: Vec::new(),
            found: false,
        }
    }

    pub(crate) fn feed(&mut self, chunk: &[u8]) {
        if self.found || self.finders.is_empty() || chunk.is_empty() {
            return;
        }
        let keep = self.longest - 1;
        let mut joint = std::mem::take(&mut self.tail);
        let reach = chunk.len().min(keep);
        joint.extend_from_slice(chunk.get(..reach).unwrap_or_default());
        if self
            .finders
            .iter()
            .any(|f| f.find(&joint).is_some() || f.find(chunk).is_some())
        {
            self.found = true;
            return;
        }
        // The new tail: the last `keep` bytes of everything seen so far.
        if chunk.len() >= keep {
            self.tail = chunk.get(chunk.len() - keep..).unwrap_or_default().to_vec();
        } else {
            let drop = joint.len().saturating_sub(keep);
            joint.drain(..drop);
            self.tail = joint;
        }
    }

    pub(crate) fn found(&self) -> bool {
        self.found
    }
}

/// The bytes of a kept file: in memory, or spilled to a temporary file
/// that is deleted when the last reference goes.
#[derive(Debug, Clone)]
pub enum FileData {
    Memory(Arc<Vec<u8>>),
    Spilled(Arc<tempfile::TempPath>),
}

impl FileData {
    /// A reader over the whole file.
    pub fn reader(&self) -> io::Result<Box<dyn Read + Send + '_>> {
        match self {
            FileData::Memory(b) => Ok(Box::new(io::Cursor::new(b.as_slice()))),
            FileData::Spilled(p) => Ok(Box::new(File::open(p.to_path_buf())?)),
        }
    }

    /// The whole file in memory; for spilled files this reads it back, so
    /// callers of large files should prefer [`FileData::reader`] or
    /// [`FileData::path`].
    pub fn bytes(&self) -> io::Result<std::borrow::Cow<'_, [u8]>> {
        match self {
            FileData::Memory(b) => Ok(std::borrow::Cow::Borrowed(b.as_slice())),
            FileData::Spilled(p) => Ok(std::borrow::Cow::Owned(std::fs::read(p.to_path_buf())?)),
        }
    }

    /// The on-disk path of a spilled file (for memory-mapping or seeking).
    pub fn path(&self) -> Option<PathBuf> {
        match self {
            FileData::Memory(_) => None,
            FileData::Spilled(p) => Some(p.to_path_buf()),
        }
    }
}

/// One kept file of the final filesystem.
#[derive(Debug, Clone)]
pub struct FileEntry {
    /// Index of the layer that last wrote this file; `None` for sources
    /// without layers (a plain directory).
    pub layer: Option<usize>,
    pub size: u64,
    /// Unix permission bits as stored.
    pub mode: u32,
    pub data: FileData,
}

/// The files a scan kept from the final filesystem, keyed by normalised
/// path (no leading `/`). Symlinks and hard links among wanted paths have
/// already been resolved within the image root.
#[derive(Debug, Default, Clone)]
pub struct Files {
    entries: BTreeMap<String, FileEntry>,
}

impl Files {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, path: String, entry: FileEntry) {
        self.entries.insert(path, entry);
    }

    pub fn remove(&mut self, path: &str) -> Option<FileEntry> {
        self.entries.remove(path)
    }

    pub fn get(&self, path: &str) -> Option<&FileEntry> {
        self.entries.get(path)
    }

    pub fn contains(&self, path: &str) -> bool {
        self.entries.contains_key(path)
    }

    /// All kept files in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FileEntry)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Kept files whose path starts with `prefix` (a directory ends in `/`).
    pub fn under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a FileEntry)> {
        self.entries
            .range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .take_while(move |(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::ContentCheck;

    fn found(data: &[u8], split: &[usize], needles: &[&'static [u8]]) -> bool {
        let mut check = ContentCheck::new(needles);
        let mut at = 0;
        for &s in split.iter().chain(std::iter::once(&data.len())) {
            check.feed(&data[at..s]);
            at = s;
        }
        check.found()
    }

    #[test]
    fn finds_needles_across_every_split() {
        let data = b"0123456789\xff Go buildinf:abcdef.dep-v0\0xyz";
        for a in 0..=data.len() {
            for b in a..=data.len() {
                assert!(found(data, &[a, b], &[b"\xff Go buildinf:"]), "{a} {b}");
                assert!(found(data, &[a, b], &[b"nope", b".dep-v0"]), "{a} {b}");
                assert!(!found(data, &[a, b], &[b"buildinf:x"]), "{a} {b}");
            }
        }
        // One byte at a time, the needle at the very start and end.
        let ones: Vec<usize> = (1..data.len()).collect();
        assert!(found(data, &ones, &[b"0123"]));
        assert!(found(data, &ones, &[b"\0xyz"]));
        assert!(!found(data, &ones, &[b"xyz!"]));
        assert!(!found(data, &[], &[]));
    }
}
