//! Where an image's files live: a directory (OCI layout, or an unpacked
//! `docker save`), or a tar file read in place. A tar is indexed once —
//! each entry's offset and size — by reading only its headers and seeking
//! over the data, so a layer blob is later streamed straight out of the
//! outer tar, without extracting it, and several layers can be streamed
//! at once through their own file handles.

use crate::error::ImageError;
use crate::path::normalise_entry;
use crate::tarstream::{Event, Kind, Skip, TarError, TarReader};
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// JSON documents (index, manifests, configs) larger than this are
/// refused: real ones are kilobytes, and a hostile one must not exhaust memory.
const MAX_JSON: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    offset: u64,
    size: u64,
}

#[derive(Debug)]
pub(crate) enum Indexed {
    File(Span),
    /// A symlink (target relative to the entry's directory) or hard link
    /// (target relative to the root) inside the tar; legacy `docker save`
    /// links `<id>/layer.tar` to `../<hex>.tar`.
    Link {
        target: String,
        hard: bool,
    },
}

#[derive(Debug)]
pub(crate) enum BlobStore {
    Dir(PathBuf),
    Tar {
        path: PathBuf,
        entries: HashMap<String, Indexed>,
    },
}

impl BlobStore {
    pub fn dir(path: &Path) -> BlobStore {
        BlobStore::Dir(path.to_path_buf())
    }

    /// Index a tar's entries without reading their data.
    pub fn tar(path: &Path) -> Result<BlobStore, ImageError> {
        let display = path.display().to_string();
        let file = File::open(path).map_err(|e| ImageError::io(&display, e))?;
        let len = file
            .metadata()
            .map_err(|e| ImageError::io(&display, e))?
            .len();
        let mut reader = TarReader::new(Seeking {
            inner: BufReader::with_capacity(64 * 1024, file),
            pos: 0,
            len,
        });
        let mut entries = HashMap::new();
        loop {
            let event = reader
                .next_event()
                .map_err(|e| outer_tar_error(&display, e))?;
            let header = match event {
                Event::Entry(h) => h,
                Event::End | Event::MissingTail => break,
            };
            let Ok(Some(name)) = normalise_entry(&header.path) else {
                continue;
            };
            let offset = reader.inner_pos();
            match (header.kind, header.link) {
                (Kind::File, _) => {
                    if offset.saturating_add(header.size) > len {
                        return Err(ImageError::TruncatedTar {
                            file: display,
                            what: "archive".into(),
                            entry: name,
                            detail: format!(
                                "{} data bytes announced, the file ends after {}",
                                header.size,
                                len.saturating_sub(offset)
                            ),
                        });
                    }
                    entries.insert(
                        name,
                        Indexed::File(Span {
                            offset,
                            size: header.size,
                        }),
                    );
                }
                (Kind::Symlink, Some(target)) | (Kind::Hardlink, Some(target)) => {
                    entries.insert(
                        name,
                        Indexed::Link {
                            target: String::from_utf8_lossy(&target).into_owned(),
                            hard: header.kind == Kind::Hardlink,
                        },
                    );
                }
                _ => {}
            }
        }
        Ok(BlobStore::Tar {
            path: path.to_path_buf(),
            entries,
        })
    }

    /// How to name `name` in messages: `archive.tar:blobs/sha256/…` or a path.
    pub fn describe(&self, name: &str) -> String {
        match self {
            BlobStore::Dir(dir) => dir.join(name).display().to_string(),
            BlobStore::Tar { path, .. } => format!("{}:{name}", path.display()),
        }
    }

    /// The container itself, for messages.
    pub fn display(&self) -> String {
        match self {
            BlobStore::Dir(p) | BlobStore::Tar { path: p, .. } => p.display().to_string(),
        }
    }

    pub fn exists(&self, name: &str) -> bool {
        match self {
            BlobStore::Dir(dir) => clean(name).is_some_and(|n| dir.join(n).is_file()),
            BlobStore::Tar { .. } => self.span(name).is_some(),
        }
    }

    /// Stream one file. `what` says what the file is, for the missing-file error.
    pub fn open(&self, name: &str) -> Result<(Box<dyn Read + Send>, u64), ImageError> {
        let missing = || ImageError::MissingBlob {
            file: self.display(),
            blob: name.to_string(),
        };
        match self {
            BlobStore::Dir(dir) => {
                let rel = clean(name).ok_or_else(missing)?;
                let path = dir.join(rel);
                let file = match File::open(&path) {
                    Ok(f) => f,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(missing()),
                    Err(e) => return Err(ImageError::io(path.display().to_string(), e)),
                };
                let len = file
                    .metadata()
                    .map_err(|e| ImageError::io(path.display().to_string(), e))?
                    .len();
                Ok((Box::new(file), len))
            }
            BlobStore::Tar { path, .. } => {
                let span = self.span(name).ok_or_else(missing)?;
                let mut file =
                    File::open(path).map_err(|e| ImageError::io(path.display().to_string(), e))?;
                file.seek(SeekFrom::Start(span.offset))
                    .map_err(|e| ImageError::io(self.describe(name), e))?;
                Ok((Box::new(file.take(span.size)), span.size))
            }
        }
    }

    /// Read a small file whole (JSON documents).
    pub fn read_small(&self, name: &str) -> Result<Vec<u8>, ImageError> {
        let (reader, len) = self.open(name)?;
        if len > MAX_JSON {
            return Err(ImageError::malformed(
                self.describe(name),
                format!("{len} bytes is too large for a JSON document"),
            ));
        }
        let mut out = Vec::new();
        reader
            .take(MAX_JSON)
            .read_to_end(&mut out)
            .map_err(|e| ImageError::io(self.describe(name), e))?;
        Ok(out)
    }

    fn span(&self, name: &str) -> Option<Span> {
        let BlobStore::Tar { entries, .. } = self else {
            return None;
        };
        let mut current = clean(name)?;
        // Bounded: link chains in a hostile archive may loop.
        for _ in 0..16 {
            match entries.get(&current)? {
                Indexed::File(span) => return Some(*span),
                Indexed::Link { target, hard } => {
                    let joined = if *hard || target.starts_with('/') {
                        target.clone()
                    } else {
                        let parent = crate::path::parent(&current);
                        format!("{parent}/{target}")
                    };
                    current = clean(&joined)?;
                }
            }
        }
        None
    }
}

/// A name from a manifest, normalised; `None` if it escapes the root.
fn clean(name: &str) -> Option<String> {
    normalise_entry(name.as_bytes()).ok().flatten()
}

fn outer_tar_error(file: &str, e: TarError) -> ImageError {
    match e {
        TarError::Io(source) | TarError::Sink(source) => ImageError::io(file, source),
        TarError::Cut { entry, detail } => ImageError::TruncatedTar {
            file: file.to_string(),
            what: "archive".into(),
            entry,
            detail,
        },
        TarError::Bad { detail } => ImageError::BadTar {
            file: file.to_string(),
            what: "archive".into(),
            detail,
        },
    }
}

/// A file read through a buffer that skips by seeking; reports EOF at the
/// file's length like a stream would.
struct Seeking {
    inner: BufReader<File>,
    pos: u64,
    len: u64,
}

impl Read for Seeking {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Skip for Seeking {
    fn skip(&mut self, n: u64) -> io::Result<u64> {
        let n = n.min(self.len.saturating_sub(self.pos));
        let delta = i64::try_from(n).map_err(|_| io::Error::other("seek out of range"))?;
        self.inner.seek_relative(delta)?;
        self.pos += n;
        Ok(n)
    }
}

impl TarReader<Seeking> {
    fn inner_pos(&self) -> u64 {
        self.inner_ref().pos
    }
}
