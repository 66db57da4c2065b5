//! A small streaming tar reader that knows exactly where a stream ended.
//!
//! Why not `tar::Archive`: a scanner must tell apart three endings that
//! the `tar` crate folds together. (1) A proper end-of-archive marker.
//! (2) A stream that stops right after an entry's data, without the
//! padding or the end-of-archive blocks (real images have this; Trivy and
//! Syft read them) — keep what was read and warn. (3) A stream cut inside
//! an entry's data or header — an error. `tar::Archive` reports (2) as
//! "unexpected EOF during skip", the same as an unread entry cut in its
//! data, and a cut inside data that is being read just looks like a short
//! entry (its `Take` ends quietly). We also need the stream back
//! afterwards to drain it for the diff_id hash. So this module frames the
//! stream itself and reuses the `tar` crate only for decoding header
//! fields (`tar::Header`: octal/base-256 numbers, the ustar prefix) and PAX
//! records (`tar::PaxExtensions`).

use std::io::{self, Read};

const BLOCK: usize = 512;
/// PAX and GNU long-name records larger than this are refused: real ones
/// are a few hundred bytes, and the size comes from untrusted input.
const MAX_EXTENSION: u64 = 1 << 20;

/// What kind of filesystem object an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    File,
    Dir,
    Symlink,
    Hardlink,
    /// Devices, fifos, sparse files and unknown types: never kept.
    Other,
}

/// One entry's header, extensions applied. Names are raw bytes; callers
/// normalise them.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub path: Vec<u8>,
    pub link: Option<Vec<u8>>,
    pub kind: Kind,
    pub size: u64,
    pub mode: u32,
}

#[derive(Debug)]
pub(crate) enum Event {
    Entry(Header),
    /// The end-of-archive marker was read.
    End,
    /// The stream ended after a complete entry (or before any), without
    /// padding or end-of-archive blocks.
    MissingTail,
}

#[derive(Debug)]
pub(crate) enum TarError {
    /// Reading the underlying stream failed (I/O, or a decompressor).
    Io(io::Error),
    /// A sink given to [`TarReader::copy_data`] failed.
    Sink(io::Error),
    /// The stream ended inside an entry's header or data.
    Cut { entry: String, detail: String },
    /// A header that cannot be a tar header.
    Bad { detail: String },
}

impl From<io::Error> for TarError {
    fn from(e: io::Error) -> Self {
        TarError::Io(e)
    }
}

/// A byte source that can skip forward; seekable sources override
/// [`Skip::skip`] so indexing a big outer tar does not read it.
pub(crate) trait Skip: Read {
    /// Skip up to `n` bytes; fewer only at end of stream.
    fn skip(&mut self, n: u64) -> io::Result<u64> {
        let mut buf = vec![0u8; 64 * 1024];
        let mut done = 0;
        while done < n {
            let want = usize::try_from((n - done).min(buf.len() as u64)).unwrap_or(buf.len());
            let got = match self.read(buf.get_mut(..want).unwrap_or_default()) {
                Ok(0) => break,
                Ok(got) => got,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            done += got as u64;
        }
        Ok(done)
    }
}

/// Any reader, skipped by reading.
pub(crate) struct Streamed<R>(pub R);

impl<R: Read> Read for Streamed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: Read> Skip for Streamed<R> {}

pub(crate) struct TarReader<R> {
    inner: R,
    /// Data bytes of the current entry not yet consumed.
    remaining: u64,
    /// Padding after the current entry's data.
    padding: u64,
    entry: String,
    scratch: Vec<u8>,
}

impl<R: Skip> TarReader<R> {
    pub fn new(inner: R) -> Self {
        TarReader {
            inner,
            remaining: 0,
            padding: 0,
            entry: String::new(),
            scratch: vec![0u8; 256 * 1024],
        }
    }

    /// Data bytes of the current entry not yet read.
    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    pub fn into_inner(self) -> R {
        self.inner
    }

    pub fn inner_ref(&self) -> &R {
        &self.inner
    }

    /// Read the rest of the underlying stream (for hashing), returning how
    /// many bytes there were.
    pub fn drain(&mut self) -> io::Result<u64> {
        self.inner.skip(u64::MAX)
    }

    /// Advance to the next entry, skipping whatever is left of the current one.
    pub fn next_event(&mut self) -> Result<Event, TarError> {
        if self.remaining > 0 {
            let want = self.remaining;
            let got = self.inner.skip(want)?;
            self.remaining = 0;
            if got < want {
                return Err(self.cut_data(want - got));
            }
        }
        if self.padding > 0 {
            let want = self.padding;
            self.padding = 0;
            if self.inner.skip(want)? < want {
                return Ok(Event::MissingTail);
            }
        }

        let mut pax: Option<Vec<u8>> = None;
        let mut long_name: Option<Vec<u8>> = None;
        let mut long_link: Option<Vec<u8>> = None;
        loop {
            let mut block = [0u8; BLOCK];
            let n = self.read_full(&mut block)?;
            let pending = pax.is_some() || long_name.is_some() || long_link.is_some();
            let head = block.get(..n).unwrap_or_default();
            if n < BLOCK {
                if pending {
                    return Err(TarError::Cut {
                        entry: self.entry.clone(),
                        detail: "the stream ends after an extension header, before its entry"
                            .into(),
                    });
                }
                if head.iter().all(|b| *b == 0) {
                    return Ok(Event::MissingTail);
                }
                return Err(TarError::Cut {
                    entry: self.entry.clone(),
                    detail: format!("the next header is only {n} of {BLOCK} bytes"),
                });
            }
            if block.iter().all(|b| *b == 0) {
                // The end-of-archive marker is two zero blocks; accept a
                // lone one too, and leave what follows to `drain`.
                let mut second = [0u8; BLOCK];
                self.read_full(&mut second)?;
                return Ok(Event::End);
            }

            let header = tar::Header::from_byte_slice(&block);
            check_checksum(&block, header)?;
            let size = header
                .entry_size()
                .map_err(|e| bad(format!("entry size: {e}")))?;
            let ty = header.entry_type();
            match ty.as_byte() {
                b'x' | b'g' | b'L' | b'K' => {
                    let data = self.read_extension(size)?;
                    match ty.as_byte() {
                        b'x' => pax = Some(data),
                        b'L' => long_name = Some(trim_nul(data)),
                        b'K' => long_link = Some(trim_nul(data)),
                        _ => {} // global PAX records: nothing we use
                    }
                    continue;
                }
                _ => {}
            }
            if ty.is_gnu_sparse() {
                self.skip_sparse_extensions(header)?;
            }

            let mut path = long_name
                .take()
                .unwrap_or_else(|| header.path_bytes().into_owned());
            let mut link = long_link
                .take()
                .or_else(|| header.link_name_bytes().map(|l| l.into_owned()));
            let mut size = size;
            if let Some(records) = &pax {
                for record in tar::PaxExtensions::new(records) {
                    let record = record.map_err(|e| bad(format!("PAX record: {e}")))?;
                    match record.key_bytes() {
                        b"path" => path = record.value_bytes().to_vec(),
                        b"linkpath" => link = Some(record.value_bytes().to_vec()),
                        b"size" => {
                            size = std::str::from_utf8(record.value_bytes())
                                .ok()
                                .and_then(|s| s.trim().parse().ok())
                                .ok_or_else(|| bad("PAX size is not a number".into()))?;
                        }
                        _ => {}
                    }
                }
            }

            let kind = if ty.is_file() || ty.is_contiguous() {
                // Pre-POSIX archives mark directories with a trailing slash.
                if path.ends_with(b"/") {
                    Kind::Dir
                } else {
                    Kind::File
                }
            } else if ty.is_dir() {
                Kind::Dir
            } else if ty.is_symlink() {
                Kind::Symlink
            } else if ty.is_hard_link() {
                Kind::Hardlink
            } else {
                Kind::Other
            };
            if !matches!(kind, Kind::Symlink | Kind::Hardlink) {
                link = None;
            }
            self.entry = String::from_utf8_lossy(&path).into_owned();
            self.remaining = size;
            self.padding = (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64;
            return Ok(Event::Entry(Header {
                path,
                link,
                kind,
                size,
                mode: header.mode().unwrap_or(0),
            }));
        }
    }

    /// Read some of the current entry's data; `Ok(0)` once it is all read.
    pub fn read_data(&mut self, buf: &mut [u8]) -> Result<usize, TarError> {
        if self.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let max = usize::try_from(self.remaining.min(buf.len() as u64)).unwrap_or(buf.len());
        let slice = buf.get_mut(..max).unwrap_or_default();
        loop {
            match self.inner.read(slice) {
                Ok(0) => return Err(self.cut_data(self.remaining)),
                Ok(n) => {
                    self.remaining -= n as u64;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(TarError::Io(e)),
            }
        }
    }

    /// Fill `buf` from the current entry's data as far as it goes.
    pub fn read_data_full(&mut self, buf: &mut [u8]) -> Result<usize, TarError> {
        let mut done = 0;
        while done < buf.len() {
            let n = self.read_data(buf.get_mut(done..).unwrap_or_default())?;
            if n == 0 {
                break;
            }
            done += n;
        }
        Ok(done)
    }

    /// Hand the rest of the current entry's data to `sink`, chunk by chunk.
    pub fn copy_data(
        &mut self,
        sink: &mut dyn FnMut(&[u8]) -> io::Result<()>,
    ) -> Result<(), TarError> {
        let mut scratch = std::mem::take(&mut self.scratch);
        let result = (|| {
            loop {
                let n = self.read_data(&mut scratch)?;
                if n == 0 {
                    return Ok(());
                }
                sink(scratch.get(..n).unwrap_or_default()).map_err(TarError::Sink)?;
            }
        })();
        self.scratch = scratch;
        result
    }

    fn cut_data(&self, missing: u64) -> TarError {
        TarError::Cut {
            entry: self.entry.clone(),
            detail: format!("the stream ends with {missing} bytes of its data missing"),
        }
    }

    fn read_full(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut done = 0;
        while done < buf.len() {
            match self.inner.read(buf.get_mut(done..).unwrap_or_default()) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }

    fn read_extension(&mut self, size: u64) -> Result<Vec<u8>, TarError> {
        if size > MAX_EXTENSION {
            return Err(bad(format!(
                "extension header of {size} bytes (more than {MAX_EXTENSION})"
            )));
        }
        let len = usize::try_from(size).map_err(|_| bad("extension size".into()))?;
        let padded = len.div_ceil(BLOCK) * BLOCK;
        let mut data = vec![0u8; padded];
        if self.read_full(&mut data)? < padded {
            return Err(TarError::Cut {
                entry: self.entry.clone(),
                detail: "the stream ends inside an extension header".into(),
            });
        }
        data.truncate(len);
        Ok(data)
    }

    /// Old GNU sparse headers may be followed by extension blocks that
    /// belong to the header, not the data.
    fn skip_sparse_extensions(&mut self, header: &tar::Header) -> Result<(), TarError> {
        let mut extended = header.as_gnu().is_some_and(|g| g.is_extended());
        while extended {
            let mut block = [0u8; BLOCK];
            if self.read_full(&mut block)? < BLOCK {
                return Err(TarError::Cut {
                    entry: self.entry.clone(),
                    detail: "the stream ends inside a sparse header".into(),
                });
            }
            // 21 sparse records of 24 bytes, then the "is extended" flag.
            extended = block.get(504).is_some_and(|b| *b != 0);
        }
        Ok(())
    }
}

fn bad(detail: String) -> TarError {
    TarError::Bad { detail }
}

fn trim_nul(mut v: Vec<u8>) -> Vec<u8> {
    while v.last() == Some(&0) {
        v.pop();
    }
    v
}

/// Historic writers summed signed bytes; accept both.
fn check_checksum(block: &[u8; BLOCK], header: &tar::Header) -> Result<(), TarError> {
    let stored = header
        .cksum()
        .map_err(|e| bad(format!("header checksum field: {e}")))?;
    let mut unsigned: u32 = 8 * u32::from(b' ');
    let mut signed: i64 = 8 * i64::from(b' ');
    for (i, b) in block.iter().enumerate() {
        if !(148..156).contains(&i) {
            unsigned += u32::from(*b);
            signed += i64::from(*b as i8);
        }
    }
    if stored == unsigned || i64::from(stored) == signed {
        Ok(())
    } else {
        Err(bad(format!(
            "header checksum mismatch (stored {stored}, computed {unsigned})"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archive(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            b.append_data(&mut h, name, *data).ok();
        }
        b.into_inner().unwrap_or_default()
    }

    fn events(bytes: &[u8]) -> Result<Vec<String>, TarError> {
        let mut r = TarReader::new(Streamed(bytes));
        let mut out = Vec::new();
        loop {
            match r.next_event()? {
                Event::Entry(h) => {
                    let mut data = Vec::new();
                    r.copy_data(&mut |c| {
                        data.extend_from_slice(c);
                        Ok(())
                    })?;
                    out.push(format!(
                        "{}={}",
                        String::from_utf8_lossy(&h.path),
                        String::from_utf8_lossy(&data)
                    ));
                }
                Event::End => {
                    out.push("END".into());
                    return Ok(out);
                }
                Event::MissingTail => {
                    out.push("TAIL".into());
                    return Ok(out);
                }
            }
        }
    }

    #[test]
    fn reads_entries_and_end() {
        let a = archive(&[("a", b"hello"), ("b/c", b"")]);
        assert_eq!(
            events(&a).ok(),
            Some(vec!["a=hello".into(), "b/c=".into(), "END".into()])
        );
    }

    #[test]
    fn missing_padding_is_a_missing_tail() {
        let a = archive(&[("a", b"hello")]);
        // header + 5 data bytes, nothing after
        let cut = a.get(..BLOCK + 5).unwrap_or_default();
        assert_eq!(
            events(cut).ok(),
            Some(vec!["a=hello".into(), "TAIL".into()])
        );
        // part of the padding present
        let cut = a.get(..BLOCK + 100).unwrap_or_default();
        assert_eq!(
            events(cut).ok(),
            Some(vec!["a=hello".into(), "TAIL".into()])
        );
        // padding present, no end blocks
        let cut = a.get(..2 * BLOCK).unwrap_or_default();
        assert_eq!(
            events(cut).ok(),
            Some(vec!["a=hello".into(), "TAIL".into()])
        );
    }

    #[test]
    fn cut_inside_data_or_header_is_an_error() {
        let a = archive(&[("a", b"hello"), ("b", b"world")]);
        let cut = a.get(..BLOCK + 3).unwrap_or_default();
        assert!(matches!(events(cut), Err(TarError::Cut { entry, .. }) if entry == "a"));
        let cut = a.get(..2 * BLOCK + 100).unwrap_or_default();
        assert!(matches!(events(cut), Err(TarError::Cut { .. })));
    }

    #[test]
    fn corrupt_header_is_bad() {
        let mut a = archive(&[("a", b"hello")]);
        if let Some(b) = a.get_mut(10) {
            *b ^= 0x55;
        }
        assert!(matches!(events(&a), Err(TarError::Bad { .. })));
    }

    #[test]
    fn long_names_and_pax_paths() {
        let long = format!("{}/file", "d".repeat(200));
        let a = archive(&[(&long, b"x")]);
        assert_eq!(
            events(&a).ok(),
            Some(vec![format!("{long}=x"), "END".into()])
        );

        let mut b = tar::Builder::new(Vec::new());
        let record = b"31 path=pax/overrides/name.txt\n";
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(tar::EntryType::XHeader);
        h.set_size(record.len() as u64);
        b.append_data(&mut h, "PaxHeader", &record[..]).ok();
        let mut h = tar::Header::new_ustar();
        h.set_size(1);
        b.append_data(&mut h, "short", &b"y"[..]).ok();
        let a = b.into_inner().unwrap_or_default();
        assert_eq!(
            events(&a).ok(),
            Some(vec!["pax/overrides/name.txt=y".into(), "END".into()])
        );
    }
}
