//! The NDB rpm database reader, with every blob it finds parsed too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tidewatch_catalog::rpmdb::{ndb, header};

fuzz_target!(|data: &[u8]| {
    let mut src: &[u8] = data;
    let _ = ndb::read(&mut src, &mut |r| {
        if let Ok(blob) = r {
            let _ = header::parse_package(&blob.bytes);
        }
    });
});
