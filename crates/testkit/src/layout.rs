//! Blobs, config and manifest of a built image, and writers for the
//! on-disk layouts.

use crate::{Corruption, ImageBuilder, hex_of, sha256};
use serde_json::{Value, json};
use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// One built layer.
#[derive(Debug, Clone)]
pub struct BuiltLayer {
    /// The uncompressed tar (what the diff_id hashes).
    pub tar: Vec<u8>,
    /// The blob as stored (maybe compressed).
    pub blob: Vec<u8>,
    /// The digest the manifest names (`sha256:…`); normally the blob's.
    pub digest: String,
    pub diff_id: String,
    pub media_type: &'static str,
}

/// A built image: everything needed to write any layout.
#[derive(Debug, Clone)]
pub struct BuiltImage {
    pub layers: Vec<BuiltLayer>,
    pub config: Vec<u8>,
    /// The digest the manifest names for the config.
    pub config_digest: String,
    pub manifest: Vec<u8>,
    pub manifest_digest: String,
    pub tags: Vec<String>,
    pub(crate) config_blob: Vec<u8>,
}

pub(crate) fn build(b: &ImageBuilder) -> io::Result<BuiltImage> {
    let mut layers = Vec::new();
    for (i, l) in b.layers.iter().enumerate() {
        let (mut tar, last) = l.tar()?;
        let pad = (512 - last % 512) % 512;
        let tail = 1024 + pad as usize;
        if b.corruptions.contains(&Corruption::MissingTail(i)) {
            tar.truncate(tar.len().saturating_sub(tail));
        }
        if b.corruptions.contains(&Corruption::CutInsideLastFile(i)) {
            let keep = tar.len().saturating_sub(tail + (last as usize).div_ceil(2));
            tar.truncate(keep);
        }
        let mut blob = b.compression.compress(&tar)?;
        if b.corruptions.contains(&Corruption::CorruptStream(i)) {
            if b.compression == crate::Compression::Zstd {
                // zstd frames carry no checksum by default, so flipped bits
                // decode to garbage; a stream cut mid-frame is detectable.
                blob.truncate(blob.len() * 2 / 3);
            } else {
                let mid = blob.len() / 2;
                for byte in blob.iter_mut().skip(mid).take(16) {
                    *byte ^= 0xa5;
                }
            }
        }
        let digest = sha256(&blob);
        if b.corruptions.contains(&Corruption::WrongLayerDigest(i)) {
            // Keep the name, change the content.
            blob.push(0);
        }
        let mut diff_id = sha256(&tar);
        if b.corruptions.contains(&Corruption::WrongDiffId(i)) {
            diff_id = sha256(b"not this layer");
        }
        layers.push(BuiltLayer {
            tar,
            blob,
            digest,
            diff_id,
            media_type: b.compression.media_type(),
        });
    }

    let mut history = Vec::new();
    for (i, l) in b.layers.iter().enumerate() {
        for (_, step) in b.empty_history.iter().filter(|(at, _)| *at == i) {
            history.push(json!({"created_by": step, "empty_layer": true}));
        }
        history.push(json!({"created_by": l.created_by}));
    }
    for (_, step) in b
        .empty_history
        .iter()
        .filter(|(at, _)| *at >= b.layers.len())
    {
        history.push(json!({"created_by": step, "empty_layer": true}));
    }
    let labels: serde_json::Map<String, Value> = b
        .labels
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let config = serde_json::to_vec(&json!({
        "architecture": b.architecture.as_deref().unwrap_or("amd64"),
        "os": "linux",
        "config": {"Env": b.env, "Labels": labels},
        "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>()},
        "history": history,
    }))?;
    let config_digest = sha256(&config);
    let mut config_blob = config.clone();
    if b.corruptions.contains(&Corruption::WrongConfigDigest) {
        config_blob.extend_from_slice(b" ");
    }
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": config_digest,
            "size": config.len(),
        },
        "layers": layers.iter().map(|l| json!({
            "mediaType": l.media_type,
            "digest": l.digest,
            "size": l.blob.len(),
        })).collect::<Vec<_>>(),
    }))?;
    Ok(BuiltImage {
        layers,
        config_digest,
        config,
        config_blob,
        manifest_digest: sha256(&manifest),
        manifest,
        tags: b.tags.clone(),
    })
}

/// Files of a layout: relative name → bytes, symlinks as (name, target).
#[derive(Default)]
struct Tree {
    files: Vec<(String, Vec<u8>)>,
    symlinks: Vec<(String, String)>,
}

impl Tree {
    fn add(&mut self, name: impl Into<String>, bytes: Vec<u8>) {
        let name = name.into();
        if !self.files.iter().any(|(n, _)| *n == name) {
            self.files.push((name, bytes));
        }
    }

    fn write_dir(&self, root: &Path) -> io::Result<()> {
        for (name, bytes) in &self.files {
            let path = root.join(name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::write(path, bytes)?;
        }
        for (name, target) in &self.symlinks {
            let path = root.join(name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            std::os::unix::fs::symlink(target, path)?;
        }
        Ok(())
    }

    fn write_tar(&self, path: &Path) -> io::Result<()> {
        let mut b = tar::Builder::new(io::BufWriter::new(fs::File::create(path)?));
        for (name, bytes) in &self.files {
            let mut h = tar::Header::new_ustar();
            h.set_mode(0o644);
            h.set_size(bytes.len() as u64);
            h.set_mtime(0);
            b.append_data(&mut h, name, bytes.as_slice())?;
        }
        for (name, target) in &self.symlinks {
            let mut h = tar::Header::new_ustar();
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_mode(0o777);
            h.set_size(0);
            b.append_link(&mut h, name, target)?;
        }
        b.into_inner()?.flush()
    }
}

pub(crate) fn write_docker_legacy(
    built: &BuiltImage,
    path: &Path,
    symlinked: bool,
) -> io::Result<()> {
    let mut tree = Tree::default();
    let config_name = format!("{}.json", hex_of(&built.config_digest));
    tree.add(config_name.clone(), built.config_blob.clone());
    let mut names = Vec::new();
    for (i, l) in built.layers.iter().enumerate() {
        // Legacy layer ids are chain ids; any unique hex will do here.
        let id = hex_of(&sha256(format!("{i}{}", l.diff_id).as_bytes())).to_string();
        let name = format!("{id}/layer.tar");
        if symlinked {
            let file = format!("{}.tar", hex_of(&l.diff_id));
            tree.add(file.clone(), l.blob.clone());
            tree.symlinks.push((name.clone(), format!("../{file}")));
        } else {
            tree.add(name.clone(), l.blob.clone());
        }
        names.push(name);
    }
    let manifest = json!([{"Config": config_name, "RepoTags": built.tags, "Layers": names}]);
    tree.add("manifest.json", serde_json::to_vec(&manifest)?);
    tree.write_tar(path)
}

/// An OCI image layout holding one or more images, optionally behind a
/// nested index, optionally with Docker ≥ 25's `manifest.json`.
#[derive(Debug, Clone, Default)]
pub struct OciLayout {
    images: Vec<BuiltImage>,
    nested: bool,
    docker_manifest: bool,
    /// Leave `platform` out of the manifests' descriptors (readers must
    /// then look at the configs).
    no_descriptor_platform: bool,
}

impl OciLayout {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn image(mut self, built: BuiltImage) -> Self {
        self.images.push(built);
        self
    }

    /// Put the manifests in a nested index (with an attestation manifest
    /// beside them, as BuildKit does) that `index.json` points to.
    pub fn nested(mut self, nested: bool) -> Self {
        self.nested = nested;
        self
    }

    pub fn docker_manifest(mut self, yes: bool) -> Self {
        self.docker_manifest = yes;
        self
    }

    /// Whether the index's descriptors carry each image's `platform`
    /// (taken from its config; the default) or leave it out.
    pub fn descriptor_platforms(mut self, yes: bool) -> Self {
        self.no_descriptor_platform = !yes;
        self
    }

    fn tree(&self) -> io::Result<Tree> {
        let mut tree = Tree::default();
        tree.add("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec());
        let blob = |d: &str| format!("blobs/sha256/{}", hex_of(d));
        let mut descriptors = Vec::new();
        let mut docker = Vec::new();
        for img in &self.images {
            tree.add(blob(&img.manifest_digest), img.manifest.clone());
            tree.add(blob(&img.config_digest), img.config_blob.clone());
            for l in &img.layers {
                tree.add(blob(&l.digest), l.blob.clone());
            }
            let mut annotations = serde_json::Map::new();
            if let Some(t) = img.tags.first() {
                let short = t.rsplit_once(':').map_or(t.as_str(), |(_, s)| s);
                annotations.insert("org.opencontainers.image.ref.name".into(), json!(short));
                annotations.insert("io.containerd.image.name".into(), json!(t));
            }
            let mut descriptor = json!({
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": img.manifest_digest,
                "size": img.manifest.len(),
                "annotations": annotations,
            });
            if !self.no_descriptor_platform {
                let config: Value = serde_json::from_slice(&img.config_blob)?;
                descriptor["platform"] =
                    json!({"os": config["os"], "architecture": config["architecture"]});
            }
            descriptors.push(descriptor);
            docker.push(json!({
                "Config": blob(&img.config_digest),
                "RepoTags": img.tags,
                "Layers": img.layers.iter().map(|l| blob(&l.digest)).collect::<Vec<_>>(),
            }));
        }
        let index = if self.nested {
            let attestation = serde_json::to_vec(
                &json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(b"{}"), "size": 2}, "layers": []}),
            )?;
            tree.add(blob(&sha256(&attestation)), attestation.clone());
            tree.add(blob(&sha256(b"{}")), b"{}".to_vec());
            let mut inner = descriptors.clone();
            inner.push(json!({
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": sha256(&attestation),
                "size": attestation.len(),
                "annotations": {"vnd.docker.reference.type": "attestation-manifest"},
                "platform": {"os": "unknown", "architecture": "unknown"},
            }));
            let nested = serde_json::to_vec(&json!({
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.index.v1+json",
                "manifests": inner,
            }))?;
            tree.add(blob(&sha256(&nested)), nested.clone());
            json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [{
                "mediaType": "application/vnd.oci.image.index.v1+json",
                "digest": sha256(&nested),
                "size": nested.len(),
            }]})
        } else {
            json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": descriptors})
        };
        tree.add("index.json", serde_json::to_vec(&index)?);
        if self.docker_manifest {
            tree.add("manifest.json", serde_json::to_vec(&Value::Array(docker))?);
        }
        Ok(tree)
    }

    pub fn write_dir(&self, path: &Path) -> io::Result<()> {
        self.tree()?.write_dir(path)
    }

    pub fn write_tar(&self, path: &Path) -> io::Result<()> {
        self.tree()?.write_tar(path)
    }
}

/// Cut a file to its first `len` bytes (a truncated download).
pub fn truncate_file(path: &Path, len: u64) -> io::Result<()> {
    fs::OpenOptions::new().write(true).open(path)?.set_len(len)
}
