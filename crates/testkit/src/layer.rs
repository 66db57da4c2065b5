//! One layer's tar, entry by entry, including entries no well-behaved tool
//! writes (hostile names, devices), written with raw headers because
//! `tar::Builder` refuses them.

use std::io;

/// One entry of a layer tar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    File {
        path: String,
        data: Vec<u8>,
        mode: u32,
    },
    Dir {
        path: String,
    },
    Symlink {
        path: String,
        target: String,
    },
    Hardlink {
        path: String,
        target: String,
    },
    Fifo {
        path: String,
    },
    /// A regular file whose name bytes are written as given, unchecked.
    RawName {
        name: Vec<u8>,
        data: Vec<u8>,
    },
}

#[derive(Debug, Clone, Default)]
pub struct LayerBuilder {
    pub(crate) entries: Vec<Entry>,
    pub(crate) created_by: Option<String>,
}

impl LayerBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn created_by(mut self, c: impl Into<String>) -> Self {
        self.created_by = Some(c.into());
        self
    }

    pub fn file(self, path: &str, data: &[u8]) -> Self {
        self.file_mode(path, data, 0o644)
    }

    pub fn file_mode(mut self, path: &str, data: &[u8], mode: u32) -> Self {
        self.entries.push(Entry::File {
            path: path.to_string(),
            data: data.to_vec(),
            mode,
        });
        self
    }

    pub fn dir(mut self, path: &str) -> Self {
        self.entries.push(Entry::Dir {
            path: path.to_string(),
        });
        self
    }

    pub fn symlink(mut self, path: &str, target: &str) -> Self {
        self.entries.push(Entry::Symlink {
            path: path.to_string(),
            target: target.to_string(),
        });
        self
    }

    pub fn hardlink(mut self, path: &str, target: &str) -> Self {
        self.entries.push(Entry::Hardlink {
            path: path.to_string(),
            target: target.to_string(),
        });
        self
    }

    pub fn fifo(mut self, path: &str) -> Self {
        self.entries.push(Entry::Fifo {
            path: path.to_string(),
        });
        self
    }

    /// `.wh.<name>` beside `path`: deletes `path` from the layers below.
    pub fn whiteout(self, path: &str) -> Self {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let wh = if dir.is_empty() {
            format!(".wh.{name}")
        } else {
            format!("{dir}/.wh.{name}")
        };
        self.file(&wh, b"")
    }

    /// `.wh..wh..opq` inside `dir`: hides everything below it from lower layers.
    pub fn opaque(self, dir: &str) -> Self {
        self.dir(dir).file(&format!("{dir}/.wh..wh..opq"), b"")
    }

    /// A regular file whose name is written verbatim (`../x`, `/abs`, …).
    pub fn raw_name(mut self, name: &[u8], data: &[u8]) -> Self {
        self.entries.push(Entry::RawName {
            name: name.to_vec(),
            data: data.to_vec(),
        });
        self
    }

    /// The layer as an uncompressed tar with end-of-archive blocks, and the
    /// data size of its last entry (for tail corruptions).
    pub(crate) fn tar(&self) -> io::Result<(Vec<u8>, u64)> {
        let mut b = tar::Builder::new(Vec::new());
        let mut last = 0u64;
        for e in &self.entries {
            let mut h = tar::Header::new_gnu();
            h.set_mtime(0);
            h.set_uid(0);
            h.set_gid(0);
            last = 0;
            match e {
                Entry::File { path, data, mode } => {
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_mode(*mode);
                    h.set_size(data.len() as u64);
                    b.append_data(&mut h, path, data.as_slice())?;
                    last = data.len() as u64;
                }
                Entry::Dir { path } => {
                    h.set_entry_type(tar::EntryType::Directory);
                    h.set_mode(0o755);
                    h.set_size(0);
                    b.append_data(&mut h, path, io::empty())?;
                }
                Entry::Symlink { path, target } => {
                    h.set_entry_type(tar::EntryType::Symlink);
                    h.set_mode(0o777);
                    h.set_size(0);
                    b.append_link(&mut h, path, target)?;
                }
                Entry::Hardlink { path, target } => {
                    h.set_entry_type(tar::EntryType::Link);
                    h.set_mode(0o644);
                    h.set_size(0);
                    b.append_link(&mut h, path, target)?;
                }
                Entry::Fifo { path } => {
                    h.set_entry_type(tar::EntryType::Fifo);
                    h.set_mode(0o644);
                    h.set_size(0);
                    b.append_data(&mut h, path, io::empty())?;
                }
                Entry::RawName { name, data } => {
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_mode(0o644);
                    h.set_size(data.len() as u64);
                    let field = &mut h.as_old_mut().name;
                    let n = name.len().min(field.len());
                    field[..n].copy_from_slice(&name[..n]);
                    h.set_cksum();
                    b.append(&h, data.as_slice())?;
                    last = data.len() as u64;
                }
            }
        }
        Ok((b.into_inner()?, last))
    }
}
