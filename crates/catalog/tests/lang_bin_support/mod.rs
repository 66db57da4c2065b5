//! Helpers shared by the `lang_bin_*` tests: kept-file entries (in memory
//! or spilled to disk, as the image reader makes them), a minimal ELF
//! writer and a jar writer, so that no binary fixture is committed.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use tidewatch_catalog::{Cataloger, Output};
use tidewatch_image::{FileData, FileEntry, Files};

pub fn mem(bytes: Vec<u8>, mode: u32) -> FileEntry {
    FileEntry {
        layer: Some(1),
        size: bytes.len() as u64,
        mode,
        data: FileData::Memory(Arc::new(bytes)),
    }
}

/// An entry whose bytes live in a temporary file, like a spilled one.
pub fn spilled(bytes: &[u8], mode: u32) -> FileEntry {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(bytes).unwrap();
    FileEntry {
        layer: Some(2),
        size: bytes.len() as u64,
        mode,
        data: FileData::Spilled(Arc::new(f.into_temp_path())),
    }
}

pub fn spilled_file(path: &Path, mode: u32) -> FileEntry {
    spilled(&std::fs::read(path).unwrap(), mode)
}

/// Run one cataloger over `files` the way a scan does, including the
/// wants/sniff filter each path would have gone through.
pub fn run(c: &dyn Cataloger, files: &Files) -> Output {
    let mut out = Output::default();
    c.catalog(files, None, &mut out);
    out
}

/// Where section `i` of [`elf64`] is loaded.
pub const ELF_BASE: u64 = 0x40_0000;
pub fn section_addr(i: usize) -> u64 {
    ELF_BASE + 0x1000 * (i as u64 + 1)
}

/// A little-endian ELF64 executable with one writable PT_LOAD segment
/// covering the whole file and the given sections, section `i` at file
/// offset `0x1000 * (i + 1)` (each must be under 4 KiB).
pub fn elf64(sections: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut f = vec![0u8; 0x1000 * (sections.len() + 1)];
    for (i, (_, data)) in sections.iter().enumerate() {
        assert!(data.len() <= 0x1000, "section too large for the test ELF");
        let off = 0x1000 * (i + 1);
        f[off..off + data.len()].copy_from_slice(data);
    }
    let mut shstrtab = vec![0u8];
    let mut name_offs = Vec::new();
    for (name, _) in sections {
        name_offs.push(shstrtab.len() as u32);
        shstrtab.extend_from_slice(name.as_bytes());
        shstrtab.push(0);
    }
    let shstr_name = shstrtab.len() as u32;
    shstrtab.extend_from_slice(b".shstrtab\0");
    let shstr_off = f.len();
    f.extend_from_slice(&shstrtab);
    while !f.len().is_multiple_of(8) {
        f.push(0);
    }
    let shoff = f.len();
    let shnum = sections.len() + 2;
    let file_len = (shoff + 64 * shnum) as u64;

    let sh = |f: &mut Vec<u8>, name: u32, ty: u32, addr: u64, off: u64, size: u64| {
        f.extend_from_slice(&name.to_le_bytes());
        f.extend_from_slice(&ty.to_le_bytes());
        f.extend_from_slice(&2u64.to_le_bytes()); // SHF_ALLOC
        f.extend_from_slice(&addr.to_le_bytes());
        f.extend_from_slice(&off.to_le_bytes());
        f.extend_from_slice(&size.to_le_bytes());
        f.extend_from_slice(&0u32.to_le_bytes());
        f.extend_from_slice(&0u32.to_le_bytes());
        f.extend_from_slice(&16u64.to_le_bytes());
        f.extend_from_slice(&0u64.to_le_bytes());
    };
    f.extend_from_slice(&[0u8; 64]);
    for (i, (_, data)) in sections.iter().enumerate() {
        let off = 0x1000 * (i as u64 + 1);
        sh(
            &mut f,
            name_offs[i],
            1,
            section_addr(i),
            off,
            data.len() as u64,
        );
    }
    sh(
        &mut f,
        shstr_name,
        3,
        0,
        shstr_off as u64,
        shstrtab.len() as u64,
    );

    let mut h = Vec::with_capacity(120);
    h.extend_from_slice(b"\x7fELF\x02\x01\x01\x00");
    h.extend_from_slice(&[0u8; 8]);
    h.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    h.extend_from_slice(&62u16.to_le_bytes()); // x86-64
    h.extend_from_slice(&1u32.to_le_bytes());
    h.extend_from_slice(&(ELF_BASE + 0x1000).to_le_bytes()); // entry
    h.extend_from_slice(&64u64.to_le_bytes()); // phoff
    h.extend_from_slice(&(shoff as u64).to_le_bytes());
    h.extend_from_slice(&0u32.to_le_bytes());
    h.extend_from_slice(&64u16.to_le_bytes());
    h.extend_from_slice(&56u16.to_le_bytes());
    h.extend_from_slice(&1u16.to_le_bytes());
    h.extend_from_slice(&64u16.to_le_bytes());
    h.extend_from_slice(&(shnum as u16).to_le_bytes());
    h.extend_from_slice(&((shnum - 1) as u16).to_le_bytes());
    // PT_LOAD, PF_R | PF_W, the whole file.
    h.extend_from_slice(&1u32.to_le_bytes());
    h.extend_from_slice(&6u32.to_le_bytes());
    h.extend_from_slice(&0u64.to_le_bytes());
    h.extend_from_slice(&ELF_BASE.to_le_bytes());
    h.extend_from_slice(&ELF_BASE.to_le_bytes());
    h.extend_from_slice(&file_len.to_le_bytes());
    h.extend_from_slice(&file_len.to_le_bytes());
    h.extend_from_slice(&0x1000u64.to_le_bytes());
    f[..h.len()].copy_from_slice(&h);
    f
}

/// Clear the section header table fields so only program headers remain
/// (as after `sstrip`).
pub fn strip_section_headers(elf: &mut [u8]) {
    elf[0x28..0x30].fill(0); // e_shoff
    elf[0x3c..0x40].fill(0); // e_shnum, e_shstrndx
}

/// A zip archive with the given (name, bytes) members.
pub fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in members {
        // Nested archives are stored, as Spring Boot does; the rest deflated.
        let method = if name.ends_with(".jar") {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        w.start_file(
            *name,
            SimpleFileOptions::default().compression_method(method),
        )
        .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

pub fn pom(group: &str, artifact: &str, version: &str) -> Vec<u8> {
    format!("#Generated by Maven\ngroupId={group}\nartifactId={artifact}\nversion={version}\n")
        .into_bytes()
}
