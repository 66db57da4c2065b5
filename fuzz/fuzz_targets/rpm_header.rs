//! rpm header blobs: any bytes give a package, `None` or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tidewatch_catalog::rpmdb::header::parse_package(data);
});
