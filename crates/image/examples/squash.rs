//! Time opening and squashing an image with the OS-package filter:
//! `cargo run --release -p tidewatch-image --example squash -- IMAGE...`
//! Compare with decompressing its layers alone (`zcat blobs/... > /dev/null`).

use std::time::Instant;
use tidewatch_image::{FileFilter, OpenOptions, Want, open};

struct OsPackages;

impl FileFilter for OsPackages {
    fn wants(&self, path: &str, _size: u64, _mode: u32) -> Want {
        let exact = [
            "etc/os-release",
            "usr/lib/os-release",
            "lib/apk/db/installed",
            "var/lib/dpkg/status",
        ];
        if exact.contains(&path) || path.starts_with("var/lib/dpkg/status.d/") {
            Want::Keep
        } else {
            Want::Skip
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for spec in std::env::args().skip(1) {
        let start = Instant::now();
        let image = open(&spec, &OpenOptions::default())?;
        let opened = start.elapsed();
        let squashed = image.squash(&OsPackages)?;
        let total = start.elapsed();
        println!(
            "{spec}: {} layers, {} files kept, {} warnings; open {:.3}s, total {:.3}s",
            image.layers.len(),
            squashed.files.len(),
            squashed.warnings.len(),
            opened.as_secs_f64(),
            total.as_secs_f64()
        );
        for (path, entry) in squashed.files.iter() {
            println!("  {path} (layer {:?}, {} bytes)", entry.layer, entry.size);
        }
        for w in &squashed.warnings {
            println!("  warning: {}: {}", w.path, w.message);
        }
    }
    Ok(())
}
