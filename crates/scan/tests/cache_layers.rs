//! The layer cache on images built by the test: a second squash serves
//! every layer from the cache and gives exactly what reading gives; an
//! image sharing a layer (even at another position) reads only its own
//! layers; other filters, oversized layers, corrupt entries and the size
//! bound behave as the cache module promises.

use std::path::Path;
use tidewatch_image::{FileData, FileFilter, Image, OpenOptions, Squashed, Want};
use tidewatch_scan::cache::{CacheStats, LayerCache, filter_id};
use tidewatch_testkit::{Compression, ImageBuilder, LayerBuilder};

/// Keeps package databases and manifests, sniffs executables for ELF.
struct Filter;

impl FileFilter for Filter {
    fn wants(&self, path: &str, _size: u64, mode: u32) -> Want {
        if path == "etc/os-release"
            || path.starts_with("var/lib/dpkg/")
            || path.ends_with("package.json")
            || path.ends_with(".bin")
        {
            Want::Keep
        } else if mode & 0o111 != 0 {
            Want::Sniff
        } else {
            Want::Skip
        }
    }

    fn sniff(&self, _path: &str, head: &[u8]) -> bool {
        head.starts_with(b"\x7fELF")
    }
}

fn base(l: LayerBuilder) -> LayerBuilder {
    l.file("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n")
        .file(
            "var/lib/dpkg/status",
            b"Package: libc6\nVersion: 2.36-9\n\n",
        )
        .file("etc/motd", b"hi\n")
        .symlink("usr/lib/os-release", "../../etc/os-release")
        .file_mode("usr/bin/tool", b"\x7fELF\x02\x01\x01rest-of-binary", 0o755)
        .file_mode("usr/bin/script", b"#!/bin/sh\n", 0o755)
        .created_by("ADD rootfs /")
}

fn app(l: LayerBuilder) -> LayerBuilder {
    l.file(
        "app/node_modules/a/package.json",
        br#"{"name":"a","version":"1.0.0"}"#,
    )
    .file(
        "var/lib/dpkg/status",
        b"Package: libc6\nVersion: 2.36-9+deb12u4\n\n",
    )
    .whiteout("usr/bin/script")
}

fn write(builder: ImageBuilder, dir: &Path, name: &str) -> Image {
    let path = dir.join(name);
    builder
        .compression(Compression::Gzip)
        .write_oci_dir(&path)
        .unwrap_or_else(|e| panic!("{e}"));
    tidewatch_image::open(&path.display().to_string(), &OpenOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Path, layer, size, mode and bytes of a kept file.
type Kept = (String, Option<usize>, u64, u32, Vec<u8>);

fn listing(s: &Squashed) -> Vec<Kept> {
    s.files
        .iter()
        .map(|(p, e)| {
            let bytes = e.data.bytes().map(|b| b.into_owned()).unwrap_or_default();
            (p.to_string(), e.layer, e.size, e.mode, bytes)
        })
        .collect()
}

fn through(cache: &LayerCache, image: &Image, id: &str) -> (Squashed, CacheStats) {
    cache
        .squash(image, &Filter, id)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn second_squash_is_served_from_the_cache_and_identical() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let image = write(
        ImageBuilder::new()
            .layer(base)
            .layer(app)
            .layer(|l| l.opaque("app/node_modules").file("app/x.bin", b"x")),
        dir.path(),
        "img",
    );
    let plain = image.squash(&Filter).unwrap_or_else(|e| panic!("{e}"));
    let cache = LayerCache::open(&dir.path().join("cache")).unwrap_or_else(|e| panic!("{e}"));
    let id = filter_id(["a", "b"]);

    let (cold, stats) = through(&cache, &image, &id);
    assert_eq!(
        stats,
        CacheStats {
            hits: 0,
            read: 3,
            stored: 3
        }
    );
    let (warm, stats) = through(&cache, &image, &id);
    assert_eq!(
        stats,
        CacheStats {
            hits: 3,
            read: 0,
            stored: 0
        }
    );

    assert_eq!(listing(&cold), listing(&plain));
    assert_eq!(listing(&warm), listing(&plain));
    assert_eq!(warm.warnings, plain.warnings);
    // Whiteouts, opaque directories and links survived the round trip.
    assert!(!warm.files.contains("usr/bin/script"));
    assert!(!warm.files.contains("app/node_modules/a/package.json"));
    assert!(warm.files.contains("usr/bin/tool"));
    assert!(warm.files.contains("app/x.bin"));

    // Another cataloger set never sees these entries.
    let (_, stats) = through(&cache, &image, &filter_id(["a"]));
    assert_eq!(stats.hits, 0);
    // A cache reopened from disk still has them.
    drop(cache);
    let reopened = LayerCache::open(&dir.path().join("cache")).unwrap_or_else(|e| panic!("{e}"));
    let (_, stats) = through(&reopened, &image, &id);
    assert_eq!(stats.hits, 3);
}

#[test]
fn an_image_sharing_a_layer_reads_only_its_own_layers() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let first = write(
        ImageBuilder::new().layer(base).layer(app),
        dir.path(),
        "first",
    );
    let second = write(
        ImageBuilder::new()
            .layer(base)
            .layer(|l| l.file("srv/package.json", br#"{"name":"srv","version":"2.0.0"}"#)),
        dir.path(),
        "second",
    );
    // The shared layer at another position: files must carry index 1.
    let shifted = write(
        ImageBuilder::new()
            .layer(|l| l.file("var/lib/dpkg/status", b"Package: old\nVersion: 1\n\n"))
            .layer(app),
        dir.path(),
        "shifted",
    );
    let cache = LayerCache::open(&dir.path().join("cache")).unwrap_or_else(|e| panic!("{e}"));
    let id = filter_id(["all"]);
    through(&cache, &first, &id);

    let (s, stats) = through(&cache, &second, &id);
    assert_eq!((stats.hits, stats.read), (1, 1));
    assert_eq!(
        listing(&s),
        listing(&second.squash(&Filter).unwrap_or_else(|e| panic!("{e}")))
    );

    let (s, stats) = through(&cache, &shifted, &id);
    assert_eq!((stats.hits, stats.read), (1, 1));
    assert_eq!(
        listing(&s),
        listing(&shifted.squash(&Filter).unwrap_or_else(|e| panic!("{e}")))
    );
    assert_eq!(
        s.files.get("var/lib/dpkg/status").and_then(|e| e.layer),
        Some(1)
    );
}

#[test]
fn oversized_layers_are_read_each_time_and_big_files_spill() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let big = vec![7u8; 9 * 1024 * 1024];
    let image = write(
        ImageBuilder::new()
            .layer(base)
            .layer(|l| l.file("opt/big.bin", &big)),
        dir.path(),
        "img",
    );
    let id = filter_id(["x"]);
    // An entry cap below the big layer: it is not stored.
    let small = LayerCache::with_limits(&dir.path().join("small"), 1024 * 1024, 1 << 30)
        .unwrap_or_else(|e| panic!("{e}"));
    let (_, stats) = through(&small, &image, &id);
    assert_eq!(
        stats,
        CacheStats {
            hits: 0,
            read: 2,
            stored: 1
        }
    );
    let (_, stats) = through(&small, &image, &id);
    assert_eq!(
        stats,
        CacheStats {
            hits: 1,
            read: 1,
            stored: 0
        }
    );

    // With room, the big file is cached and comes back spilled to disk.
    let spill = dir.path().join("spill");
    std::fs::create_dir_all(&spill).unwrap_or_else(|e| panic!("{e}"));
    let roomy = LayerCache::open(&dir.path().join("roomy"))
        .unwrap_or_else(|e| panic!("{e}"))
        .spill_into(Some(spill.clone()));
    through(&roomy, &image, &id);
    let (warm, stats) = through(&roomy, &image, &id);
    assert_eq!(stats.hits, 2);
    let entry = warm
        .files
        .get("opt/big.bin")
        .unwrap_or_else(|| panic!("big file lost"));
    assert!(matches!(entry.data, FileData::Spilled(_)));
    assert_eq!(entry.data.bytes().ok().as_deref(), Some(big.as_slice()));
    drop(warm);
    let left = std::fs::read_dir(&spill).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "spill files outlived the squash");
}

#[test]
fn a_corrupt_entry_is_dropped_and_the_layer_read_again() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let image = write(
        ImageBuilder::new().layer(base).layer(app),
        dir.path(),
        "img",
    );
    let cache_dir = dir.path().join("cache");
    let cache = LayerCache::open(&cache_dir).unwrap_or_else(|e| panic!("{e}"));
    let id = filter_id(["x"]);
    let (plain, _) = through(&cache, &image, &id);

    let db = rusqlite::Connection::open(cache_dir.join("layers.sqlite"))
        .unwrap_or_else(|e| panic!("{e}"));
    let changed = db
        .execute(
            "UPDATE layers SET data = x'28b52ffd0000deadbeef' WHERE diff_id = ?1",
            [&image.layers[1].diff_id],
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(changed, 1);

    let (again, stats) = through(&cache, &image, &id);
    assert_eq!(
        stats,
        CacheStats {
            hits: 1,
            read: 1,
            stored: 1
        }
    );
    assert_eq!(listing(&again), listing(&plain));
    let (_, stats) = through(&cache, &image, &id);
    assert_eq!(stats.hits, 2);
}

#[test]
fn the_cache_stays_under_its_size_evicting_least_recently_used() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let images: Vec<Image> = (0..4)
        .map(|i| {
            let body = format!("Package: p{i}\nVersion: {i}\n\n").repeat(200);
            write(
                ImageBuilder::new().layer(move |l| l.file("var/lib/dpkg/status", body.as_bytes())),
                dir.path(),
                &format!("img{i}"),
            )
        })
        .collect();
    let id = filter_id(["x"]);
    // Learn the entry size, then allow about two and a half entries.
    let probe = LayerCache::open(&dir.path().join("probe")).unwrap_or_else(|e| panic!("{e}"));
    through(&probe, &images[0], &id);
    let (_, one) = probe.usage().unwrap_or_else(|e| panic!("{e}"));
    let cap = one * 5 / 2 + 16;

    let cache = LayerCache::with_limits(&dir.path().join("cache"), 1 << 20, cap)
        .unwrap_or_else(|e| panic!("{e}"));
    for image in &images[..3] {
        through(&cache, image, &id);
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // Image 0, the oldest, made room for image 2; reading it again
    // stores it and evicts image 1, then image 3 evicts image 2.
    assert_eq!(
        through(&cache, &images[0], &id).1.hits,
        0,
        "image 0 was not evicted"
    );
    std::thread::sleep(std::time::Duration::from_millis(5));
    through(&cache, &images[3], &id);
    let (count, total) = cache.usage().unwrap_or_else(|e| panic!("{e}"));
    assert!(total <= cap, "{total} > {cap}");
    assert_eq!(count, 2);
    assert_eq!(through(&cache, &images[3], &id).1.hits, 1);
    assert_eq!(through(&cache, &images[0], &id).1.hits, 1);
}
