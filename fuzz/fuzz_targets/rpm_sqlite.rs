//! The SQLite rpm database reader. Inputs get the SQLite magic prefixed
//! so the fuzzer spends its time inside SQLite's page parsing, which the
//! reader hands hostile files to.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tidewatch_catalog::rpmdb::{header, sqlite};

fuzz_target!(|data: &[u8]| {
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend_from_slice(data);
    let _ = sqlite::read_bytes(&bytes, &mut |r| {
        if let Ok(blob) = r {
            let _ = header::parse_package(&blob.bytes);
        }
    });
});
