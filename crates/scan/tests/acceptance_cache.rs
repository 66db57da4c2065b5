//! Acceptance: the layer cache on the big real test image (debian-multilayer,
//! built by ../shared/images/build-images.sh): the second squash with every
//! cataloger's filter comes from the cache, is identical to reading the
//! layers, and takes a fraction of the time; the times are printed.
//! Skips when ../shared or the built image is missing.

use std::path::{Path, PathBuf};
use std::time::Instant;
use tidewatch_catalog::Catalogers;
use tidewatch_image::{OpenOptions, Squashed};
use tidewatch_scan::cache::{LayerCache, filter_id};

fn image_path() -> Option<PathBuf> {
    let shared = std::env::var_os("TIDEWATCH_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    if !shared.is_dir() {
        println!("skipping: ../shared not found");
        return None;
    }
    let candidates = [
        std::env::var_os("TIDEWATCH_IMAGES").map(PathBuf::from),
        Some(PathBuf::from("/tmp/tw-images")),
    ];
    let found = candidates
        .into_iter()
        .flatten()
        .map(|d| d.join("debian-multilayer/oci-archive.tar"))
        .find(|p| p.is_file());
    if found.is_none() {
        println!("skipping: debian-multilayer not built (scripts/test.sh builds it)");
    }
    found
}

fn listing(s: &Squashed) -> Vec<(String, Option<usize>, u64)> {
    s.files
        .iter()
        .map(|(p, e)| (p.to_string(), e.layer, e.size))
        .collect()
}

#[test]
fn second_scan_of_debian_multilayer_comes_from_the_cache() {
    let Some(path) = image_path() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let opts = OpenOptions {
        temp_dir: Some(dir.path().join("tmp")),
        ..OpenOptions::default()
    };
    let catalogers = Catalogers::all();
    let id = filter_id(catalogers.iter().map(|c| c.name()));
    let cache = LayerCache::open(&dir.path().join("layers"))
        .unwrap_or_else(|e| panic!("{e}"))
        .spill_into(opts.temp_dir.clone());

    let started = Instant::now();
    let image =
        tidewatch_image::open(&path.display().to_string(), &opts).unwrap_or_else(|e| panic!("{e}"));
    let (cold, cold_stats) = cache
        .squash(&image, &catalogers, &id)
        .unwrap_or_else(|e| panic!("{e}"));
    let cold_time = started.elapsed();

    let started = Instant::now();
    let image =
        tidewatch_image::open(&path.display().to_string(), &opts).unwrap_or_else(|e| panic!("{e}"));
    let (warm, warm_stats) = cache
        .squash(&image, &catalogers, &id)
        .unwrap_or_else(|e| panic!("{e}"));
    let warm_time = started.elapsed();
    let (entries, bytes) = cache.usage().unwrap_or_else(|e| panic!("{e}"));

    println!(
        "debian-multilayer: first squash {cold_time:?} ({cold_stats:?}), second {warm_time:?} ({warm_stats:?}); cache {entries} entries, {} KiB",
        bytes / 1024
    );
    assert_eq!(cold_stats.read, image.layers.len());
    assert_eq!(warm_stats.hits, cold_stats.stored);
    assert_eq!(listing(&warm), listing(&cold));
    let same_bytes = warm.files.iter().all(|(p, e)| {
        let other = cold
            .files
            .get(p)
            .and_then(|o| o.data.bytes().ok().map(|b| b.into_owned()));
        e.data.bytes().ok().map(|b| b.into_owned()) == other
    });
    assert!(same_bytes, "a cached file's bytes differ");
    if warm_stats.read == 0 {
        assert!(
            warm_time * 3 < cold_time,
            "the cached squash ({warm_time:?}) is not a fraction of reading ({cold_time:?})"
        );
    }
}
