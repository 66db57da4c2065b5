//! Where kept file bytes go: memory for small files, a temporary file in
//! the scanner's cache directory for big ones or once the in-memory budget
//! of a squash is used up, so memory stays flat however large the image.

use crate::error::ImageError;
use crate::files::{FileData, SPILL_THRESHOLD};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Total bytes of kept files held in memory by one squash before further
/// files spill to disk.
pub const MEMORY_BUDGET: u64 = 256 * 1024 * 1024;

/// Shared by the layers of one squash (they are read in parallel).
#[derive(Debug)]
pub(crate) struct Spill {
    dir: Option<PathBuf>,
    in_memory: AtomicU64,
    budget: u64,
}

impl Spill {
    pub fn new(dir: Option<PathBuf>) -> Spill {
        Spill {
            dir,
            in_memory: AtomicU64::new(0),
            budget: MEMORY_BUDGET,
        }
    }

    /// Should a file of `size` bytes go to disk? Reserves budget if not.
    pub fn should_spill(&self, size: u64) -> bool {
        if size > SPILL_THRESHOLD {
            return true;
        }
        let before = self.in_memory.fetch_add(size, Ordering::Relaxed);
        if before.saturating_add(size) > self.budget {
            self.in_memory.fetch_sub(size, Ordering::Relaxed);
            return true;
        }
        false
    }

    /// A writer for a spilled file; `file` names what is spilled, for errors.
    pub fn writer(&self, file: &str) -> Result<SpillWriter, ImageError> {
        let tmp = match &self.dir {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| self.error(file, e))?;
                tempfile::NamedTempFile::new_in(dir)
            }
            None => tempfile::NamedTempFile::new(),
        }
        .map_err(|e| self.error(file, e))?;
        Ok(SpillWriter {
            out: std::io::BufWriter::with_capacity(256 * 1024, tmp),
        })
    }

    pub fn error(&self, file: &str, source: std::io::Error) -> ImageError {
        ImageError::Spill {
            file: file.to_string(),
            dir: self.dir.as_ref().map_or_else(
                || std::env::temp_dir().display().to_string(),
                |d| d.display().to_string(),
            ),
            source,
        }
    }
}

pub(crate) struct SpillWriter {
    out: std::io::BufWriter<tempfile::NamedTempFile>,
}

impl SpillWriter {
    pub fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.out.write_all(bytes)
    }

    pub fn finish(self) -> std::io::Result<FileData> {
        let tmp = self.out.into_inner().map_err(|e| e.into_error())?;
        Ok(FileData::Spilled(Arc::new(tmp.into_temp_path())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_is_shared_and_released_on_refusal() {
        let mut s = Spill::new(None);
        s.budget = 100;
        assert!(!s.should_spill(60));
        assert!(s.should_spill(60));
        assert!(!s.should_spill(40));
        assert!(s.should_spill(SPILL_THRESHOLD + 1));
    }

    #[test]
    fn spilled_files_read_back() {
        let dir = tempfile::tempdir().ok();
        let s = Spill::new(dir.as_ref().map(|d| d.path().to_path_buf()));
        let data = s.writer("x").and_then(|mut w| {
            w.write(b"abc").map_err(|e| s.error("x", e))?;
            w.finish().map_err(|e| s.error("x", e))
        });
        let bytes = data
            .ok()
            .and_then(|d| d.bytes().ok().map(|b| b.into_owned()));
        assert_eq!(bytes.as_deref(), Some(&b"abc"[..]));
    }
}
