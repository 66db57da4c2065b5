//! OpenVEX and CycloneDX VEX documents: any bytes give statements or an
//! error naming the file, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = tidewatch_match::VexDocument::parse(data, "v.json") {
        assert!(e.to_string().starts_with("v.json"), "{e}");
    }
});
