//! Java archives: any bytes as a jar (zip, nested archives,
//! pom.properties, MANIFEST.MF) give packages or an error; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tidewatch_types::Location;

fuzz_target!(|data: &[u8]| {
    let location = Location {
        path: "app/x.jar".into(),
        layer: Some(0),
    };
    let _ = tidewatch_catalog::lang::java::packages_of_archive(std::io::Cursor::new(data), location);
});
