//! rpm's own "ndb" package file (`usr/lib/sysimage/rpm/Packages.db`,
//! SUSE/openSUSE since 2020).
//!
//! No crate reads it, and the format is rpm-internal (`lib/backend/ndb/
//! rpmpkg.c`), so this is a small reader following that file and
//! knqyf263/go-rpmdb's port. All integers are little-endian.
//!
//! ```text
//! 0      header: "RpmP", version 0, generation, slot page count (16 bytes + 16 unused)
//! 32     slots, 16 bytes each, up to the end of the slot pages (4 KiB each):
//!        "Slot", package index (0 = free), block offset, block count
//! blocks 16-byte blocks; a blob starts at block offset × 16 with
//!        "BlbS", package index, generation, blob length, then the blob
//! ```

use super::{Blob, Format, RpmdbError, Source, Visit};

const HEADER_MAGIC: &[u8; 4] = b"RpmP";
const SLOT_MAGIC: &[u8; 4] = b"Slot";
const BLOB_MAGIC: &[u8; 4] = b"BlbS";
const SLOT_PAGE: u64 = 4096;
const SLOT_LEN: usize = 16;
const BLOCK: u64 = 16;
const BLOB_HEADER: u64 = 16;
const FORMAT: Format = Format::Ndb;

fn le32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

/// Visit every header blob in an NDB `Packages.db` file.
pub fn read(src: &mut dyn Source, visit: &mut Visit<'_>) -> Result<(), RpmdbError> {
    let mut head = [0u8; 32];
    src.read_at(0, &mut head)
        .map_err(|_| RpmdbError::not_db(FORMAT, format!("only {} bytes", src.len())))?;
    if &head[..4] != HEADER_MAGIC {
        return Err(RpmdbError::not_db(FORMAT, "bad magic"));
    }
    let version = le32(&head, 4);
    if version != 0 {
        return Err(RpmdbError::not_db(
            FORMAT,
            format!("unsupported version {version}"),
        ));
    }
    let slot_pages = u64::from(le32(&head, 12));
    let slots_end = slot_pages * SLOT_PAGE;
    if slot_pages == 0 || slots_end > src.len() {
        return Err(RpmdbError::corrupt(
            FORMAT,
            12,
            format!(
                "{slot_pages} slot pages do not fit a {}-byte file",
                src.len()
            ),
        ));
    }
    // The bounds check above keeps this allocation within the file size.
    let mut slots = vec![0u8; (slots_end - 32) as usize];
    src.read_at(32, &mut slots)
        .map_err(|source| RpmdbError::Io {
            format: FORMAT,
            source,
        })?;
    for (i, slot) in slots.chunks_exact(SLOT_LEN).enumerate() {
        let slot_offset = 32 + (i * SLOT_LEN) as u64;
        if &slot[..4] != SLOT_MAGIC {
            // rpm stops here too: past a bad slot nothing can be trusted.
            visit(Err(RpmdbError::corrupt(
                FORMAT,
                slot_offset,
                "bad slot magic",
            )));
            break;
        }
        let pkg = le32(slot, 4);
        if pkg == 0 {
            continue;
        }
        let blk_offset = u64::from(le32(slot, 8));
        let blk_count = u64::from(le32(slot, 12));
        visit(read_blob(src, pkg, blk_offset, blk_count, slots_end));
    }
    Ok(())
}

fn read_blob(
    src: &mut dyn Source,
    pkg: u32,
    blk_offset: u64,
    blk_count: u64,
    slots_end: u64,
) -> Result<Blob, RpmdbError> {
    let start = blk_offset * BLOCK;
    let corrupt =
        |reason: String| RpmdbError::corrupt(FORMAT, start, format!("package {pkg}: {reason}"));
    let room = blk_count * BLOCK;
    if start < slots_end || start.saturating_add(room) > src.len() || room < BLOB_HEADER {
        return Err(corrupt(format!(
            "blocks {blk_offset}+{blk_count} lie outside the data area"
        )));
    }
    let mut head = [0u8; BLOB_HEADER as usize];
    src.read_at(start, &mut head)
        .map_err(|source| RpmdbError::Io {
            format: FORMAT,
            source,
        })?;
    if &head[..4] != BLOB_MAGIC {
        return Err(corrupt("bad blob magic".into()));
    }
    if le32(&head, 4) != pkg {
        return Err(corrupt(format!(
            "blob belongs to package {}",
            le32(&head, 4)
        )));
    }
    let len = u64::from(le32(&head, 12));
    if BLOB_HEADER + len > room {
        return Err(corrupt(format!(
            "blob of {len} bytes overruns its {blk_count} blocks"
        )));
    }
    // Bounded by `room`, which lies within the file.
    let mut bytes = vec![0u8; len as usize];
    src.read_at(start + BLOB_HEADER, &mut bytes)
        .map_err(|source| RpmdbError::Io {
            format: FORMAT,
            source,
        })?;
    Ok(Blob {
        record: u64::from(pkg),
        bytes,
    })
}

/// Writes small NDB files for tests.
#[doc(hidden)]
pub mod testing {
    /// One slot page, then each blob in its own blocks.
    pub fn build(blobs: &[(u32, Vec<u8>)]) -> Vec<u8> {
        let mut out = vec![0u8; super::SLOT_PAGE as usize];
        out[..4].copy_from_slice(super::HEADER_MAGIC);
        out[12..16].copy_from_slice(&1u32.to_le_bytes());
        for at in (32..out.len()).step_by(super::SLOT_LEN) {
            out[at..at + 4].copy_from_slice(super::SLOT_MAGIC);
        }
        for (i, (pkg, blob)) in blobs.iter().enumerate() {
            let start = out.len();
            out.extend_from_slice(super::BLOB_MAGIC);
            out.extend_from_slice(&pkg.to_le_bytes());
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(&(blob.len() as u32).to_le_bytes());
            out.extend_from_slice(blob);
            // rpm's 12-byte tail (checksum, length, magic), then padding.
            out.extend_from_slice(&[0u8; 12]);
            while !out.len().is_multiple_of(super::BLOCK as usize) {
                out.push(0);
            }
            let slot = 32 + i * super::SLOT_LEN;
            out[slot + 4..slot + 8].copy_from_slice(&pkg.to_le_bytes());
            let blk = (start / super::BLOCK as usize) as u32;
            let cnt = ((out.len() - start) / super::BLOCK as usize) as u32;
            out[slot + 8..slot + 12].copy_from_slice(&blk.to_le_bytes());
            out[slot + 12..slot + 16].copy_from_slice(&cnt.to_le_bytes());
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rpmdb::{Format, collect_blobs};

    #[test]
    fn reads_slots_and_blobs() {
        let file = testing::build(&[(1, b"first".to_vec()), (5, vec![9u8; 100])]);
        let (blobs, errors) = collect_blobs(Format::Ndb, &file).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            blobs[0],
            Blob {
                record: 1,
                bytes: b"first".to_vec()
            }
        );
        assert_eq!(blobs[1].record, 5);
        assert_eq!(blobs[1].bytes.len(), 100);
    }

    #[test]
    fn damage_to_one_blob_keeps_the_others() {
        let mut file = testing::build(&[(1, b"first".to_vec()), (2, b"second".to_vec())]);
        // Claim a huge length for the first blob.
        file[4096 + 12..4096 + 16].copy_from_slice(&u32::MAX.to_le_bytes());
        let (blobs, errors) = collect_blobs(Format::Ndb, &file).unwrap();
        assert_eq!(blobs.len(), 1);
        assert_eq!(blobs[0].bytes, b"second");
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn rejects_bad_headers() {
        assert!(collect_blobs(Format::Ndb, b"RpmP").is_err());
        let mut file = testing::build(&[]);
        file[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            collect_blobs(Format::Ndb, &file),
            Err(RpmdbError::Corrupt { .. })
        ));
        file[..4].copy_from_slice(b"XXXX");
        assert!(matches!(
            collect_blobs(Format::Ndb, &file),
            Err(RpmdbError::NotADatabase { .. })
        ));
    }
}
