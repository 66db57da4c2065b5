//! A plain root-filesystem directory (`tidewatch fs`): walked without
//! following symlinks, so nothing outside the root is ever read; symlinks
//! are resolved afterwards against the tree's own links, inside the root,
//! like an image's. Unreadable files become warnings.

use crate::error::ImageError;
use crate::files::{FileData, FileEntry, FileFilter, SNIFF_LEN, Want};
use crate::layer::Link;
use crate::merge::{Squashed, resolve_links};
use crate::path::normalise_entry;
use crate::source::OpenOptions;
use crate::spill::Spill;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;
use tidewatch_types::Warning;

/// Read the wanted files of a directory tree; `layer` is `None` throughout.
pub fn read_dir(
    root: &Path,
    filter: &dyn FileFilter,
    opts: &OpenOptions,
) -> Result<Squashed, ImageError> {
    let display = root.display().to_string();
    let meta = std::fs::metadata(root).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => ImageError::NotFound {
            spec: display.clone(),
        },
        _ => ImageError::io(&display, e),
    })?;
    if !meta.is_dir() {
        return Err(ImageError::UnsupportedSource {
            spec: display,
            reason: "not a directory".into(),
        });
    }
    let spill = Spill::new(opts.temp_dir.clone());
    let mut files = BTreeMap::new();
    let mut links = BTreeMap::new();
    let mut warnings = Vec::new();
    for entry in walkdir::WalkDir::new(root).follow_links(false) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map_or_else(|| display.clone(), |p| p.display().to_string());
                warnings.push(Warning::new(path, format!("cannot read: {e}")));
                continue;
            }
        };
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let Ok(Some(rel)) = normalise_entry(rel.to_string_lossy().as_bytes()) else {
            continue;
        };
        let ft = entry.file_type();
        if ft.is_symlink() {
            match std::fs::read_link(entry.path()) {
                Ok(target) => {
                    let target = target.to_string_lossy().into_owned();
                    links.insert(
                        rel,
                        Link {
                            target,
                            hard: false,
                        },
                    );
                }
                Err(e) => warnings.push(Warning::new(rel, format!("cannot read link: {e}"))),
            }
            continue;
        }
        if !ft.is_file() {
            continue;
        }
        match read_file(entry.path(), &rel, filter, &spill, &mut warnings) {
            Ok(Some(e)) => {
                files.insert(rel, e);
            }
            Ok(None) => {}
            Err(e) => warnings.push(Warning::new(rel, format!("cannot read: {e}"))),
        }
    }
    resolve_links(&mut files, &links, filter);
    let mut out = crate::files::Files::new();
    for (path, entry) in files {
        out.insert(path, entry);
    }
    Ok(Squashed {
        files: out,
        warnings,
    })
}

fn read_file(
    path: &Path,
    rel: &str,
    filter: &dyn FileFilter,
    spill: &Spill,
    warnings: &mut Vec<Warning>,
) -> io::Result<Option<FileEntry>> {
    let meta = std::fs::symlink_metadata(path)?;
    let size = meta.len();
    let mode = mode_of(&meta);
    let want = filter.wants(rel, size, mode);
    if let Want::TooLarge { limit } = want {
        warnings.push(crate::files::too_large_warning(rel, size, limit));
        return Ok(None);
    }
    if want == Want::Skip {
        return Ok(None);
    }
    let mut file = File::open(path)?;
    let mut head = Vec::new();
    let mut needles = None;
    if want == Want::Sniff {
        (&mut file).take(SNIFF_LEN as u64).read_to_end(&mut head)?;
        if !filter.sniff(rel, &head) {
            return Ok(None);
        }
        needles = filter.must_contain(rel, &head);
    }
    let data = if spill.should_spill(size) {
        let mut w = spill.writer(rel).map_err(io::Error::other)?;
        w.write(&head)?;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            w.write(buf.get(..n).unwrap_or_default())?;
        }
        w.finish()?
    } else {
        let mut bytes = head;
        file.take(crate::files::SPILL_THRESHOLD)
            .read_to_end(&mut bytes)?;
        FileData::Memory(Arc::new(bytes))
    };
    if let Some(needles) = needles
        && !crate::layer::contains_any(&data, &needles)?
    {
        return Ok(None);
    }
    Ok(Some(FileEntry {
        layer: None,
        size,
        mode,
        data,
    }))
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_of(_meta: &std::fs::Metadata) -> u32 {
    0o644
}
