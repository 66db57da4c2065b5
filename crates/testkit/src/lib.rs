//! Small, correct container images for tests, built in memory and written
//! in every layout tidewatch reads: `docker save` (legacy and Docker ≥ 25),
//! OCI image layout as a directory or a tar, several images in one layout,
//! nested indexes. Digests, diff_ids and history are computed, so the only
//! thing wrong with an image is what a [`Corruption`] asks for.
//!
//! ```no_run
//! use tidewatch_testkit::{Compression, ImageBuilder};
//! let image = ImageBuilder::new()
//!     .layer(|l| l.file("etc/os-release", b"ID=alpine\n").created_by("ADD rootfs /"))
//!     .layer(|l| l.whiteout("etc/motd").opaque("app/node_modules"))
//!     .compression(Compression::Gzip);
//! image.write_oci_tar("/tmp/x.tar").unwrap();
//! ```

mod layer;
mod layout;

pub use layer::{Entry, LayerBuilder};
pub use layout::{BuiltImage, BuiltLayer, OciLayout, truncate_file};

use sha2::{Digest as _, Sha256};
use std::io::{self, Write};
use std::path::Path;

/// How layer blobs are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    None,
    #[default]
    Gzip,
    Zstd,
}

impl Compression {
    pub const ALL: [Compression; 3] = [Compression::None, Compression::Gzip, Compression::Zstd];

    fn compress(self, bytes: &[u8]) -> io::Result<Vec<u8>> {
        match self {
            Compression::None => Ok(bytes.to_vec()),
            Compression::Gzip => {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(bytes)?;
                e.finish()
            }
            Compression::Zstd => zstd::encode_all(bytes, 3),
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Compression::None => "application/vnd.oci.image.layer.v1.tar",
            Compression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
            Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        }
    }
}

/// Something deliberately wrong with a built image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corruption {
    /// Cut layer `n`'s tar inside its last file's data (digests recomputed,
    /// so only the cut is wrong).
    CutInsideLastFile(usize),
    /// End layer `n`'s tar right after its last file's data: no padding,
    /// no end-of-archive blocks (digests recomputed). Readers should warn.
    MissingTail(usize),
    /// Flip bytes in the middle of layer `n`'s gzip stream, or cut its
    /// zstd stream mid-frame (blob digest recomputed, so the stream is the
    /// only thing wrong).
    CorruptStream(usize),
    /// Store layer `n`'s blob under the right name but with other content.
    WrongLayerDigest(usize),
    /// Put a wrong diff_id for layer `n` in the config.
    WrongDiffId(usize),
    /// Store the config under its name with other content.
    WrongConfigDigest,
}

/// An image under construction.
#[derive(Debug, Clone, Default)]
pub struct ImageBuilder {
    pub(crate) layers: Vec<LayerBuilder>,
    /// History entries without a layer, inserted after the given number of layers.
    pub(crate) empty_history: Vec<(usize, String)>,
    pub(crate) compression: Compression,
    pub(crate) tags: Vec<String>,
    pub(crate) labels: Vec<(String, String)>,
    pub(crate) env: Vec<String>,
    pub(crate) corruptions: Vec<Corruption>,
    pub(crate) architecture: Option<String>,
}

impl ImageBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a layer on top.
    pub fn layer(mut self, f: impl FnOnce(LayerBuilder) -> LayerBuilder) -> Self {
        let n = self.layers.len();
        self.layers
            .push(f(LayerBuilder::new().created_by(format!("layer {n}"))));
        self
    }

    /// A metadata-only history step (`empty_layer: true`) after the layers so far.
    pub fn empty_step(mut self, created_by: &str) -> Self {
        self.empty_history
            .push((self.layers.len(), created_by.to_string()));
        self
    }

    pub fn compression(mut self, c: Compression) -> Self {
        self.compression = c;
        self
    }

    /// A tag: `RepoTags` in docker archives, `org.opencontainers.image.ref.name` in OCI.
    pub fn tag(mut self, t: &str) -> Self {
        self.tags.push(t.to_string());
        self
    }

    pub fn label(mut self, k: &str, v: &str) -> Self {
        self.labels.push((k.to_string(), v.to_string()));
        self
    }

    pub fn env(mut self, e: &str) -> Self {
        self.env.push(e.to_string());
        self
    }

    pub fn architecture(mut self, a: &str) -> Self {
        self.architecture = Some(a.to_string());
        self
    }

    pub fn corrupt(mut self, c: Corruption) -> Self {
        self.corruptions.push(c);
        self
    }

    /// Build blobs, digests, config and manifest in memory.
    pub fn build(&self) -> io::Result<BuiltImage> {
        layout::build(self)
    }

    /// Legacy `docker save`: `manifest.json`, `<hex>.json`, `<id>/layer.tar`.
    pub fn write_docker_archive(&self, path: impl AsRef<Path>) -> io::Result<BuiltImage> {
        let built = self.build()?;
        layout::write_docker_legacy(&built, path.as_ref(), false)?;
        Ok(built)
    }

    /// Legacy `docker save` as Docker 24 writes it: `<id>/layer.tar` are
    /// symlinks to `../<hex>.tar`.
    pub fn write_docker_archive_symlinked(&self, path: impl AsRef<Path>) -> io::Result<BuiltImage> {
        let built = self.build()?;
        layout::write_docker_legacy(&built, path.as_ref(), true)?;
        Ok(built)
    }

    /// Docker ≥ 25 `docker save`: an OCI layout plus `manifest.json`.
    pub fn write_docker_v25(&self, path: impl AsRef<Path>) -> io::Result<BuiltImage> {
        let built = self.build()?;
        OciLayout::new()
            .image(built.clone())
            .docker_manifest(true)
            .write_tar(path.as_ref())?;
        Ok(built)
    }

    pub fn write_oci_dir(&self, path: impl AsRef<Path>) -> io::Result<BuiltImage> {
        let built = self.build()?;
        OciLayout::new()
            .image(built.clone())
            .write_dir(path.as_ref())?;
        Ok(built)
    }

    pub fn write_oci_tar(&self, path: impl AsRef<Path>) -> io::Result<BuiltImage> {
        let built = self.build()?;
        OciLayout::new()
            .image(built.clone())
            .write_tar(path.as_ref())?;
        Ok(built)
    }
}

pub(crate) fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// The hex part of a `sha256:` digest.
pub(crate) fn hex_of(digest: &str) -> &str {
    digest.split_once(':').map_or(digest, |(_, h)| h)
}
