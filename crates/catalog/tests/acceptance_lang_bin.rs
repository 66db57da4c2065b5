//! Acceptance: the Go, Rust, Java and runtime catalogers on the real images
//! in `../shared/images` and `/tmp/tw-images/debian-multilayer`, compared
//! with what Trivy and Syft list there (`../shared/peers/packages`).
//!
//! The layers are read here with `tar` + `flate2` (not through the image
//! crate) so these catalogers are checked on their own: each layer's
//! regular files are offered to the catalogers' `wants`/`sniff`, later
//! layers replace earlier files, whiteouts delete them, and files over
//! the spill threshold go to temporary files as the image reader does.
#![allow(clippy::unwrap_used)]

mod lang_bin_support;
mod shared_support;

use flate2::read::MultiGzDecoder;
use std::collections::{BTreeSet, HashMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tidewatch_catalog::lang::golang::GoBinaryCataloger;
use tidewatch_catalog::lang::java::JavaArchiveCataloger;
use tidewatch_catalog::lang::runtimes::RuntimeCataloger;
use tidewatch_catalog::lang::rust_audit::RustAuditCataloger;
use tidewatch_catalog::{Cataloger, Output};
use tidewatch_image::{FileData, FileEntry, Files, SNIFF_LEN, SPILL_THRESHOLD, Want};

fn catalogers() -> Vec<Box<dyn Cataloger>> {
    vec![
        Box::new(GoBinaryCataloger),
        Box::new(RustAuditCataloger),
        Box::new(JavaArchiveCataloger),
        Box::new(RuntimeCataloger),
    ]
}

/// Blobs of an OCI layout, from a directory or an OCI archive.
enum Layout {
    Dir(PathBuf),
    Archive(HashMap<String, Vec<u8>>),
}

impl Layout {
    fn open(path: &Path) -> Layout {
        if path.is_dir() {
            return Layout::Dir(path.to_path_buf());
        }
        let mut blobs = HashMap::new();
        let mut tar = tar::Archive::new(std::fs::File::open(path).unwrap());
        for e in tar.entries().unwrap() {
            let mut e = e.unwrap();
            let name = e
                .path()
                .unwrap()
                .to_string_lossy()
                .trim_start_matches("./")
                .to_string();
            let mut buf = Vec::new();
            e.read_to_end(&mut buf).unwrap();
            blobs.insert(name, buf);
        }
        Layout::Archive(blobs)
    }

    fn read(&self, name: &str) -> Vec<u8> {
        match self {
            Layout::Dir(d) => std::fs::read(d.join(name)).unwrap(),
            Layout::Archive(m) => m[name].clone(),
        }
    }

    fn blob(&self, digest: &str) -> Vec<u8> {
        self.read(&format!("blobs/{}", digest.replacen(':', "/", 1)))
    }

    fn layers(&self) -> Vec<String> {
        let index: serde_json::Value = serde_json::from_slice(&self.read("index.json")).unwrap();
        let manifest = index["manifests"][0]["digest"].as_str().unwrap();
        let manifest: serde_json::Value = serde_json::from_slice(&self.blob(manifest)).unwrap();
        manifest["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["digest"].as_str().unwrap().to_string())
            .collect()
    }
}

/// The squashed files the given catalogers keep.
fn squash(image: &Path, cats: &[Box<dyn Cataloger>]) -> Files {
    let layout = Layout::open(image);
    let mut files = Files::new();
    for (index, digest) in layout.layers().iter().enumerate() {
        let blob = layout.blob(digest);
        let reader: Box<dyn Read> = if blob.starts_with(&[0x1f, 0x8b]) {
            Box::new(MultiGzDecoder::new(blob.as_slice()))
        } else {
            Box::new(blob.as_slice())
        };
        let mut tar = tar::Archive::new(reader);
        for e in tar.entries().unwrap() {
            // distroless-like's last layer stops right after its last
            // file's data, without end-of-archive blocks.
            let Ok(mut e) = e else { break };
            let path = e.path().unwrap().to_string_lossy().to_string();
            let path = path
                .trim_start_matches("./")
                .trim_start_matches('/')
                .to_string();
            let (dir, name) = path
                .rsplit_once('/')
                .map_or(("", path.as_str()), |(d, n)| (d, n));
            if let Some(deleted) = name.strip_prefix(".wh.") {
                let prefix = if dir.is_empty() {
                    String::new()
                } else {
                    format!("{dir}/")
                };
                if deleted == ".wh..opq" {
                    let gone: Vec<String> =
                        files.under(&prefix).map(|(p, _)| p.to_string()).collect();
                    for p in gone {
                        files.remove(&p);
                    }
                } else {
                    files.remove(&format!("{prefix}{deleted}"));
                }
                continue;
            }
            if !e.header().entry_type().is_file() {
                continue;
            }
            let size = e.header().size().unwrap();
            let mode = e.header().mode().unwrap();
            let wants: Vec<Want> = cats.iter().map(|c| c.wants(&path, size, mode)).collect();
            if wants.iter().all(|w| *w == Want::Skip) {
                continue;
            }
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).unwrap();
            if !wants.contains(&Want::Keep) {
                let head = &bytes[..bytes.len().min(SNIFF_LEN)];
                let accepted: Vec<_> = cats.iter().filter(|c| c.sniff(&path, head)).collect();
                if accepted.is_empty() {
                    continue;
                }
                // As the image reader does: kept whole for a cataloger
                // that wants it so, otherwise only with one of the markers.
                let markers = accepted.iter().try_fold(Vec::new(), |mut all, c| {
                    all.extend(c.must_contain(&path, head)?);
                    Some(all)
                });
                if let Some(markers) = markers
                    && !markers
                        .iter()
                        .any(|m| memchr::memmem::find(&bytes, m).is_some())
                {
                    continue;
                }
            }
            let data = if bytes.len() as u64 > SPILL_THRESHOLD {
                let mut f = tempfile::NamedTempFile::new().unwrap();
                f.write_all(&bytes).unwrap();
                FileData::Spilled(Arc::new(f.into_temp_path()))
            } else {
                FileData::Memory(Arc::new(bytes))
            };
            files.insert(
                path,
                FileEntry {
                    layer: Some(index),
                    size,
                    mode,
                    data,
                },
            );
        }
    }
    files
}

fn scan(image: &Path) -> Output {
    let cats = catalogers();
    let files = squash(image, &cats);
    let mut out = Output::default();
    let t = std::time::Instant::now();
    for c in &cats {
        c.catalog(&files, None, &mut out);
    }
    let kept: u64 = files.iter().map(|(_, e)| e.size).sum();
    println!(
        "{}: {} kept files ({} MB), catalogued in {:?}",
        image.display(),
        files.len(),
        kept >> 20,
        t.elapsed()
    );
    out
}

/// (name, version) rows of one peer's list for an image, by type.
fn peer(shared: &Path, image: &str, tool: &str, ty: &str) -> BTreeSet<(String, String)> {
    let path = shared.join(format!("peers/packages/{image}/{tool}-packages.tsv"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (c.first() == Some(&ty)).then(|| (c[1].to_string(), c[2].to_string()))
        })
        .collect()
}

fn rows(out: &Output, format: &str, path: &str) -> BTreeSet<(String, String)> {
    out.packages
        .iter()
        .filter(|p| p.format == format && p.locations[0].path == path)
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect()
}

#[test]
fn dive_in_alpine_3_18() {
    let Some(shared) = shared_support::shared("") else {
        return;
    };
    let out = scan(&shared.join("images/alpine-3.18.oci.tar"));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let dive = rows(&out, "golang", "usr/local/bin/dive");
    let trivy = peer(&shared, "alpine-3.18", "trivy", "gobinary");
    assert_eq!(trivy.len(), 56);
    assert_eq!(dive, trivy, "dive's modules differ from Trivy's");
    assert!(dive.contains(&("stdlib".into(), "v1.24.1".into())));
    // Syft agrees except that it prints the toolchain as `go1.24.1`.
    let syft: BTreeSet<(String, String)> = peer(&shared, "alpine-3.18", "syft", "go-module")
        .into_iter()
        .map(|(n, v)| {
            if n == "stdlib" {
                (n, "v1.24.1".into())
            } else {
                (n, v)
            }
        })
        .collect();
    assert_eq!(dive, syft);
    let layer = out
        .packages
        .iter()
        .find(|p| p.name == "stdlib")
        .unwrap()
        .locations[0]
        .layer;
    assert_eq!(layer, Some(1), "dive came in with the second layer");
}

#[test]
fn rusty_demo_in_distroless_like() {
    let Some(shared) = shared_support::shared("") else {
        return;
    };
    let out = scan(&shared.join("images/distroless-like.oci.tar"));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let crates = rows(&out, "cargo", "usr/local/bin/rusty-demo");
    assert_eq!(
        crates,
        peer(&shared, "distroless-like", "trivy", "rustbinary")
    );
    assert_eq!(
        crates,
        peer(&shared, "distroless-like", "syft", "rust-crate")
    );
    for (name, version) in [
        ("smallvec", "1.6.0"),
        ("regex", "1.5.4"),
        ("chrono", "0.4.19"),
        ("time", "0.1.43"),
    ] {
        let p = out.packages.iter().find(|p| p.name == name).unwrap();
        assert_eq!(p.version, version);
        assert_eq!(p.ecosystem.as_deref(), Some("crates.io"));
    }
    let demo = out
        .packages
        .iter()
        .find(|p| p.name == "rusty-demo")
        .unwrap();
    assert_eq!(
        demo.ecosystem, None,
        "a local crate is not matched against crates.io"
    );
}

#[test]
fn debian_multilayer() {
    let image = Path::new("/tmp/tw-images/debian-multilayer/oci");
    let Some(shared) = shared_support::shared("") else {
        return;
    };
    if !image.is_dir() {
        println!(
            "skipping: {} not built (../shared/images/build-images.sh)",
            image.display()
        );
        return;
    }
    let t = std::time::Instant::now();
    let out = scan(image);
    println!(
        "debian-multilayer: {} packages in {:?}",
        out.packages.len(),
        t.elapsed()
    );
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);

    // Go: dive (56 modules) and Debian's fzf (a (devel) main module and
    // its toolchain): Syft's 58.
    let mut go = rows(&out, "golang", "usr/local/bin/dive");
    go.extend(rows(&out, "golang", "usr/bin/fzf"));
    let syft_go: BTreeSet<(String, String)> =
        peer(&shared, "debian-multilayer", "syft", "go-module")
            .into_iter()
            .map(|(n, v)| match v.strip_prefix("go") {
                Some(rest) if n == "stdlib" => (n, format!("v{rest}")),
                _ => (n, v),
            })
            .collect();
    assert_eq!(go, syft_go);
    let fzf = out
        .packages
        .iter()
        .find(|p| p.name == "github.com/junegunn/fzf")
        .unwrap();
    assert_eq!(fzf.ecosystem, None);

    // Rust: rusty-demo's 11 crates (Debian's ripgrep has no audit data).
    let rust = rows(&out, "cargo", "usr/local/bin/rusty-demo");
    assert_eq!(
        rust,
        peer(&shared, "debian-multilayer", "syft", "rust-crate")
    );
    assert_eq!(
        out.packages.iter().filter(|p| p.format == "cargo").count(),
        11
    );

    // Java: what Trivy found (by groupId:artifactId) plus Syft's extras.
    let maven: BTreeSet<(String, String)> = out
        .packages
        .iter()
        .filter(|p| p.format == "maven")
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect();
    for row in peer(&shared, "debian-multilayer", "trivy", "jar") {
        assert!(
            maven.contains(&row),
            "missing {row:?} from Trivy's list: {maven:?}"
        );
    }
    let artifacts: BTreeSet<(String, String)> = maven
        .iter()
        .map(|(n, v)| (n.rsplit(':').next().unwrap().to_string(), v.clone()))
        .collect();
    for (name, version) in peer(&shared, "debian-multilayer", "syft", "java-archive") {
        // Syft reads Debian's `log4j-1.2-1.2.17.jar` name as version
        // `1.2-1.2.17`; its manifest says 1.2.17.
        let version = if version == "1.2-1.2.17" {
            "1.2.17".to_string()
        } else {
            version
        };
        assert!(
            artifacts.contains(&(name.clone(), version.clone())),
            "missing Syft's {name} {version}: {artifacts:?}"
        );
    }
    let nested = out
        .packages
        .iter()
        .find(|p| {
            p.name == "com.fasterxml.jackson.core:jackson-core"
                && p.locations[0].path == "app/lib/demo-app-1.0.0.jar"
        })
        .unwrap();
    assert_eq!(
        nested.metadata["archive-path"],
        "app/lib/demo-app-1.0.0.jar!/BOOT-INF/lib/jackson-core-2.14.1.jar"
    );

    // Runtimes: Debian's python3.11 and node (in libnode).
    let runtimes: BTreeSet<(String, String, String)> = out
        .packages
        .iter()
        .filter(|p| p.metadata.contains_key("runtime"))
        .map(|p| {
            (
                p.name.clone(),
                p.version.clone(),
                p.locations[0].path.clone(),
            )
        })
        .collect();
    println!("runtimes: {runtimes:?}");
    println!("maven: {maven:?}");
    assert!(runtimes.contains(&(
        "python".into(),
        "3.11.2".into(),
        "usr/bin/python3.11".into()
    )));
    assert!(
        runtimes
            .iter()
            .any(|(n, v, _)| n == "node" && v == "18.20.4")
    );
}
