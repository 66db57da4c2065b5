//! Go build info: raw blobs through the header decoder and module-info
//! parser, and the same bytes as a whole executable through the Go
//! cataloger (ELF parsing, section and segment reads). Any input gives
//! packages, a warning or nothing; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use tidewatch_catalog::lang::go_buildinfo::{NoAddressSpace, decode, parse_modinfo};
use tidewatch_catalog::lang::golang::GoBinaryCataloger;
use tidewatch_catalog::{Cataloger, Output};
use tidewatch_image::{FileData, FileEntry, Files};

fuzz_target!(|data: &[u8]| {
    if let Ok(raw) = decode(data, &NoAddressSpace) {
        let _ = parse_modinfo(&raw.modinfo);
    }
    let _ = parse_modinfo(&String::from_utf8_lossy(data));

    let mut files = Files::new();
    files.insert(
        "bin/x".into(),
        FileEntry {
            layer: Some(0),
            size: 1 << 20,
            mode: 0o755,
            data: FileData::Memory(Arc::new(data.to_vec())),
        },
    );
    let mut out = Output::default();
    GoBinaryCataloger.catalog(&files, None, &mut out);
});
