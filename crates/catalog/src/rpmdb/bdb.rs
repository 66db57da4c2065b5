//! The Berkeley DB hash file rpm ≤ 4.15 keeps its packages in
//! (`var/lib/rpm/Packages`: CentOS/RHEL ≤ 8, Amazon Linux 2, SLES 12).
//!
//! No maintained Rust crate reads Berkeley DB files, and linking libdb is
//! neither portable nor safe on hostile input, so this is a small reader
//! for the one shape rpm writes: a hash database whose keys are 4-byte
//! header numbers and whose values are header blobs, almost always too
//! big for a hash page and so stored on chains of overflow pages. It
//! follows the logic of knqyf263/go-rpmdb's reader and the page layouts
//! of libdb's `db_page.h`, in either byte order.
//!
//! The file is walked page by page: every hash page's key/value pairs are
//! visited, and a value that lives off-page is gathered from its overflow
//! chain. Page numbers, in-page offsets, chain lengths and item lengths
//! are all checked before use, and a chain may visit at most every page
//! of the file once, so loops and truncation end in an error.

use super::{Blob, Format, RpmdbError, Source, Visit};

const HASH_MAGIC: u32 = 0x0006_1561;
const BTREE_MAGIC: u32 = 0x0005_3162;
const PAGE_HEADER: usize = 26;

/// Page types (`db_page.h`).
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;

/// Hash item types, the first byte of an item.
const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;
const H_OFFPAGE_LEN: usize = 12;

const FORMAT: Format = Format::Bdb;

#[derive(Debug, Clone, Copy)]
struct Endian {
    big: bool,
}

impl Endian {
    fn u16(self, b: &[u8], at: usize) -> Option<u16> {
        let raw: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
        Some(if self.big {
            u16::from_be_bytes(raw)
        } else {
            u16::from_le_bytes(raw)
        })
    }

    fn u32(self, b: &[u8], at: usize) -> Option<u32> {
        let raw: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
        Some(if self.big {
            u32::from_be_bytes(raw)
        } else {
            u32::from_le_bytes(raw)
        })
    }
}

/// The fields of the metadata page the reader needs.
#[derive(Debug, Clone, Copy)]
struct Meta {
    endian: Endian,
    page_size: usize,
    last_page: u32,
}

fn read_meta(src: &mut dyn Source) -> Result<Meta, RpmdbError> {
    let mut head = [0u8; 64];
    src.read_at(0, &mut head)
        .map_err(|_| RpmdbError::not_db(FORMAT, format!("only {} bytes", src.len())))?;
    let le = Endian { big: false };
    let be = Endian { big: true };
    let magic = le.u32(&head, 12).unwrap_or(0);
    let endian = if magic == HASH_MAGIC {
        le
    } else if magic.swap_bytes() == HASH_MAGIC {
        be
    } else if magic == BTREE_MAGIC || magic.swap_bytes() == BTREE_MAGIC {
        return Err(RpmdbError::not_db(
            FORMAT,
            "a Berkeley DB btree, not a hash database",
        ));
    } else {
        return Err(RpmdbError::not_db(
            FORMAT,
            format!("bad magic {magic:#010x}"),
        ));
    };
    let page_size = endian.u32(&head, 20).unwrap_or(0);
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(RpmdbError::not_db(
            FORMAT,
            format!("bad page size {page_size}"),
        ));
    }
    if head[24] != 0 {
        return Err(RpmdbError::not_db(FORMAT, "encrypted database"));
    }
    if head[25] != P_HASHMETA {
        return Err(RpmdbError::not_db(
            FORMAT,
            format!("first page has type {}, not hash metadata", head[25]),
        ));
    }
    Ok(Meta {
        endian,
        page_size: page_size as usize,
        last_page: endian.u32(&head, 32).unwrap_or(0),
    })
}

/// Visit every header blob in a Berkeley DB hash `Packages` file.
pub fn read(src: &mut dyn Source, visit: &mut Visit<'_>) -> Result<(), RpmdbError> {
    let meta = read_meta(src)?;
    let pages_in_file = src.len() / meta.page_size as u64;
    let mut page = vec![0u8; meta.page_size];
    for pgno in 1..=meta.last_page {
        let offset = u64::from(pgno) * meta.page_size as u64;
        if pgno as u64 >= pages_in_file {
            visit(Err(RpmdbError::corrupt(
                FORMAT,
                offset,
                format!(
                    "file ends after {pages_in_file} pages but the database has {}",
                    u64::from(meta.last_page) + 1
                ),
            )));
            break;
        }
        src.read_at(offset, &mut page)
            .map_err(|source| RpmdbError::Io {
                format: FORMAT,
                source,
            })?;
        if !matches!(page[25], P_HASH | P_HASH_UNSORTED) {
            continue;
        }
        if let Err(e) = read_hash_page(src, &meta, pgno, &page, visit) {
            visit(Err(e));
        }
    }
    Ok(())
}

/// Visit the values of one hash page. Items are key/value pairs of
/// in-page offsets; an item's length runs to the previous item's start.
fn read_hash_page(
    src: &mut dyn Source,
    meta: &Meta,
    pgno: u32,
    page: &[u8],
    visit: &mut Visit<'_>,
) -> Result<(), RpmdbError> {
    let page_offset = u64::from(pgno) * meta.page_size as u64;
    let corrupt =
        |reason: String| RpmdbError::corrupt(FORMAT, page_offset, format!("page {pgno}: {reason}"));
    let e = meta.endian;
    let entries = usize::from(e.u16(page, 20).unwrap_or(0));
    if PAGE_HEADER + entries * 2 > meta.page_size {
        return Err(corrupt(format!("{entries} items do not fit")));
    }
    if entries % 2 != 0 {
        return Err(corrupt(format!("odd item count {entries}")));
    }
    let item = |i: usize| -> Result<&[u8], RpmdbError> {
        let start = usize::from(e.u16(page, PAGE_HEADER + 2 * i).unwrap_or(0));
        let end = if i == 0 {
            meta.page_size
        } else {
            usize::from(e.u16(page, PAGE_HEADER + 2 * (i - 1)).unwrap_or(0))
        };
        page.get(start..end)
            .filter(|it| !it.is_empty() && start >= PAGE_HEADER + entries * 2)
            .ok_or_else(|| corrupt(format!("item {i} at bad offset {start}..{end}")))
    };
    for pair in 0..entries / 2 {
        let key = item(2 * pair)?;
        let value = item(2 * pair + 1)?;
        let record = match key {
            [H_KEYDATA, k @ ..] if k.len() == 4 => e.u32(k, 0).map_or(0, u64::from),
            _ => return Err(corrupt(format!("item {} is not a 4-byte key", 2 * pair))),
        };
        match value {
            // Record 0 holds rpm's next-instance counter, not a header.
            _ if record == 0 => {}
            [H_KEYDATA, bytes @ ..] => visit(Ok(Blob {
                record,
                bytes: bytes.to_vec(),
            })),
            [H_OFFPAGE, ..] if value.len() >= H_OFFPAGE_LEN => {
                let first = e.u32(value, 4).unwrap_or(0);
                let total = e.u32(value, 8).unwrap_or(0);
                match read_overflow(src, meta, first, total) {
                    Ok(bytes) => visit(Ok(Blob { record, bytes })),
                    Err(err) => visit(Err(err)),
                }
            }
            [other, ..] => {
                return Err(corrupt(format!(
                    "record {record} has item type {other}, not data"
                )));
            }
            [] => {}
        }
    }
    Ok(())
}

/// Gather a value stored on a chain of overflow pages.
fn read_overflow(
    src: &mut dyn Source,
    meta: &Meta,
    first: u32,
    total: u32,
) -> Result<Vec<u8>, RpmdbError> {
    let total = total as usize;
    let err = |pgno: u32, reason: String| {
        RpmdbError::corrupt(
            FORMAT,
            u64::from(pgno) * meta.page_size as u64,
            format!("overflow page {pgno}: {reason}"),
        )
    };
    if total as u64 > src.len() {
        return Err(err(
            first,
            format!("value of {total} bytes exceeds the file"),
        ));
    }
    let mut out = Vec::with_capacity(total);
    let mut page = vec![0u8; meta.page_size];
    let mut pgno = first;
    let mut hops = 0u32;
    while out.len() < total {
        if pgno == 0 || pgno > meta.last_page {
            return Err(err(
                pgno,
                format!("chain ends after {} of {total} bytes", out.len()),
            ));
        }
        hops += 1;
        if hops > meta.last_page {
            return Err(err(pgno, "chain loops".into()));
        }
        src.read_at(u64::from(pgno) * meta.page_size as u64, &mut page)
            .map_err(|_| err(pgno, "past the end of the file".into()))?;
        if page[25] != P_OVERFLOW {
            return Err(err(
                pgno,
                format!("type {} is not an overflow page", page[25]),
            ));
        }
        // On overflow pages the free-offset field holds the data length.
        let len = usize::from(meta.endian.u16(&page, 22).unwrap_or(0));
        let data = page
            .get(PAGE_HEADER..PAGE_HEADER + len)
            .ok_or_else(|| err(pgno, format!("data length {len} exceeds the page")))?;
        let want = total - out.len();
        out.extend_from_slice(data.get(..want).unwrap_or(data));
        pgno = meta.endian.u32(&page, 16).unwrap_or(0);
    }
    Ok(out)
}

/// Writes small Berkeley DB hash files for tests: one hash page holding
/// every record, each value on its own overflow chain.
#[doc(hidden)]
pub mod testing {
    /// Build a `Packages` file of `page_size` with the given records.
    pub fn build(records: &[(u32, Vec<u8>)], page_size: usize, big_endian: bool) -> Vec<u8> {
        let u16b = |v: u16| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let u32b = |v: u32| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let data_per_page = page_size - super::PAGE_HEADER;
        // Page 0 meta, page 1 hash, then overflow chains.
        let mut pages: Vec<Vec<u8>> = vec![vec![0; page_size], vec![0; page_size]];
        let mut items: Vec<Vec<u8>> = Vec::new();
        for (key, value) in records {
            let mut k = vec![super::H_KEYDATA];
            k.extend_from_slice(&u32b(*key));
            items.push(k);
            let first = pages.len() as u32;
            let chunks: Vec<&[u8]> = value.chunks(data_per_page).collect();
            for (i, chunk) in chunks.iter().enumerate() {
                let pgno = pages.len() as u32;
                let mut p = vec![0u8; page_size];
                p[8..12].copy_from_slice(&u32b(pgno));
                let next = if i + 1 < chunks.len() { pgno + 1 } else { 0 };
                p[16..20].copy_from_slice(&u32b(next));
                p[22..24].copy_from_slice(&u16b(chunk.len() as u16));
                p[25] = super::P_OVERFLOW;
                p[26..26 + chunk.len()].copy_from_slice(chunk);
                pages.push(p);
            }
            let mut v = vec![super::H_OFFPAGE, 0, 0, 0];
            v.extend_from_slice(&u32b(first));
            v.extend_from_slice(&u32b(value.len() as u32));
            items.push(v);
        }
        let last = pages.len() as u32 - 1;
        let meta = &mut pages[0];
        meta[12..16].copy_from_slice(&u32b(super::HASH_MAGIC));
        meta[16..20].copy_from_slice(&u32b(9));
        meta[20..24].copy_from_slice(&u32b(page_size as u32));
        meta[25] = super::P_HASHMETA;
        meta[32..36].copy_from_slice(&u32b(last));
        let hash = &mut pages[1];
        hash[8..12].copy_from_slice(&u32b(1));
        hash[20..22].copy_from_slice(&u16b(items.len() as u16));
        hash[25] = super::P_HASH;
        let mut end = page_size;
        for (i, it) in items.iter().enumerate() {
            end -= it.len();
            hash[end..end + it.len()].copy_from_slice(it);
            let at = super::PAGE_HEADER + 2 * i;
            hash[at..at + 2].copy_from_slice(&u16b(end as u16));
        }
        hash[22..24].copy_from_slice(&u16b(end as u16));
        pages.concat()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rpmdb::{Format, collect_blobs};

    #[test]
    fn reads_overflow_chains_in_both_byte_orders() {
        let long: Vec<u8> = (0..3000u32).map(|i| i as u8).collect();
        for big in [false, true] {
            let file = testing::build(&[(1, b"short".to_vec()), (2, long.clone())], 512, big);
            let (blobs, errors) = collect_blobs(Format::Bdb, &file).unwrap();
            assert!(errors.is_empty(), "{errors:?}");
            assert_eq!(blobs.len(), 2);
            assert_eq!(
                blobs[0],
                Blob {
                    record: 1,
                    bytes: b"short".to_vec()
                }
            );
            assert_eq!(blobs[1].bytes, long);
        }
    }

    #[test]
    fn truncation_is_reported_not_fatal() {
        let long = vec![7u8; 2000];
        let file = testing::build(&[(1, long)], 512, false);
        let (blobs, errors) = collect_blobs(Format::Bdb, &file[..file.len() - 512]).unwrap();
        assert!(blobs.is_empty());
        assert!(!errors.is_empty());
    }

    #[test]
    fn overflow_loops_end() {
        let long = vec![7u8; 2000];
        let mut file = testing::build(&[(1, long)], 512, false);
        // Point the chain's second page back at its first.
        let second = 3 * 512;
        file[second + 16..second + 20].copy_from_slice(&2u32.to_le_bytes());
        file[second + 22..second + 24].copy_from_slice(&10u16.to_le_bytes());
        let (_, errors) = collect_blobs(Format::Bdb, &file).unwrap();
        assert!(!errors.is_empty());
    }

    #[test]
    fn rejects_files_that_are_not_hash_databases() {
        assert!(matches!(
            collect_blobs(Format::Bdb, b"CORRUPT\n"),
            Err(RpmdbError::NotADatabase { .. })
        ));
        let mut btree = vec![0u8; 512];
        btree[12..16].copy_from_slice(&BTREE_MAGIC.to_le_bytes());
        let err = collect_blobs(Format::Bdb, &btree).unwrap_err();
        assert!(err.to_string().contains("btree"), "{err}");
    }
}
