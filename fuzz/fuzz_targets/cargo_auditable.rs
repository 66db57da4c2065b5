//! cargo-auditable `.dep-v0` section contents: zlib + JSON, bounded.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tidewatch_catalog::lang::rust_audit::decode_section(data);
});
