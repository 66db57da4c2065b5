//! CycloneDX and SPDX JSON SBOMs: any bytes give packages (with warnings)
//! or an error naming the file, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = tidewatch_catalog::sbom::read_sbom(data, "s.json") {
        assert!(e.to_string().starts_with("s.json"), "{e}");
    }
});
