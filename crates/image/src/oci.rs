//! OCI image layouts (`index.json` + `blobs/`), as a directory or a tar,
//! and Docker ≥ 25 `docker save` archives, which are OCI layouts with a
//! `manifest.json` beside them (its `RepoTags` add to the names an image
//! can be selected by). Nested indexes are followed; attestation
//! manifests that BuildKit attaches are not images and are skipped.

use crate::blobs::BlobStore;
use crate::config;
use crate::digest::Digest;
use crate::docker;
use crate::error::ImageError;
use crate::registry::Platform;
use crate::source::{LayerSource, Resolved, Selector, tag_matches};
use oci_spec::image::{
    Descriptor, ImageConfiguration, ImageIndex, ImageManifest, MediaType, Platform as OciPlatform,
    PlatformBuilder,
};

/// Indexes nested deeper than this are refused (real ones nest once).
const MAX_DEPTH: usize = 4;

const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// One image manifest the layout offers.
#[derive(Debug, Clone)]
struct Candidate {
    digest: Digest,
    names: Vec<String>,
    platform: Option<String>,
    /// The platform the index entry declares, if any.
    declared: Option<OciPlatform>,
    /// Indexes this manifest was reached through (selectable by digest too).
    parents: Vec<Digest>,
}

impl Candidate {
    fn describe(&self) -> String {
        let mut s = self.digest.to_string();
        if !self.names.is_empty() {
            s.push_str(&format!(" ({})", self.names.join(", ")));
        }
        if let Some(p) = &self.platform {
            s.push_str(&format!(" [{p}]"));
        }
        s
    }
}

pub(crate) fn resolve(store: &BlobStore, selector: &Selector) -> Result<Resolved, ImageError> {
    let index_file = store.describe("index.json");
    if !store.exists("index.json") {
        return Err(ImageError::malformed(
            store.display(),
            "index.json is missing",
        ));
    }
    let bytes = store.read_small("index.json")?;
    let index: ImageIndex = serde_json::from_slice(&bytes)
        .map_err(|e| ImageError::malformed(&index_file, e.to_string()))?;
    let mut candidates = Vec::new();
    collect(store, &index, &index_file, &[], &[], 0, &mut candidates)?;
    add_docker_tags(store, &mut candidates)?;

    let chosen = select(store, candidates, selector)?;
    let manifest_bytes = read_blob(store, &chosen.digest, "manifest")?;
    let manifest_file = store.describe(&chosen.digest.blob_path());
    let manifest: ImageManifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| ImageError::malformed(&manifest_file, e.to_string()))?;
    from_manifest(store, &manifest, &manifest_file, Some(chosen.digest))
}

fn from_manifest(
    store: &BlobStore,
    manifest: &ImageManifest,
    manifest_file: &str,
    manifest_digest: Option<Digest>,
) -> Result<Resolved, ImageError> {
    let config_digest = descriptor_digest(manifest.config(), manifest_file)?;
    let config_bytes = read_blob(store, &config_digest, "config")?;
    let config_file = store.describe(&config_digest.blob_path());
    let parsed = config::parse(&config_file, &config_bytes)?;
    if parsed.diff_ids.len() != manifest.layers().len() {
        return Err(ImageError::malformed(
            &config_file,
            format!(
                "the config lists {} diff_ids but the manifest {} layers",
                parsed.diff_ids.len(),
                manifest.layers().len()
            ),
        ));
    }
    let mut layers = Vec::new();
    for (desc, diff_id) in manifest.layers().iter().zip(&parsed.diff_ids) {
        let digest = descriptor_digest(desc, manifest_file)?;
        let diff_id = Digest::parse(diff_id).map_err(|r| ImageError::malformed(&config_file, r))?;
        layers.push(LayerSource {
            blob: digest.blob_path(),
            digest: Some(digest),
            diff_id,
        });
    }
    Ok(Resolved {
        manifest_digest,
        config_digest,
        config: parsed.config,
        layers,
    })
}

fn collect(
    store: &BlobStore,
    index: &ImageIndex,
    index_file: &str,
    inherited: &[String],
    parents: &[Digest],
    depth: usize,
    out: &mut Vec<Candidate>,
) -> Result<(), ImageError> {
    for desc in index.manifests() {
        let digest = descriptor_digest(desc, index_file)?;
        let annotations = desc.annotations().as_ref();
        let annotation = |k: &str| annotations.and_then(|a| a.get(k));
        if annotation("vnd.docker.reference.type").is_some_and(|t| t == "attestation-manifest") {
            continue;
        }
        let mut names = inherited.to_vec();
        for key in [
            "io.containerd.image.name",
            "org.opencontainers.image.ref.name",
        ] {
            if let Some(n) = annotation(key)
                && !names.contains(n)
            {
                names.push(n.clone());
            }
        }
        match desc.media_type() {
            MediaType::ImageIndex => {}
            MediaType::Other(t) if t == DOCKER_LIST => {}
            MediaType::ImageManifest => {
                out.push(candidate(desc, digest, names, parents));
                continue;
            }
            MediaType::Other(t) if t == DOCKER_MANIFEST => {
                out.push(candidate(desc, digest, names, parents));
                continue;
            }
            other => {
                tracing::debug!(%digest, media_type = %other, "not an image; skipped");
                continue;
            }
        }
        if depth >= MAX_DEPTH {
            return Err(ImageError::malformed(
                index_file,
                format!("indexes nested more than {MAX_DEPTH} deep"),
            ));
        }
        let bytes = read_blob(store, &digest, "index")?;
        let nested_file = store.describe(&digest.blob_path());
        let nested: ImageIndex = serde_json::from_slice(&bytes)
            .map_err(|e| ImageError::malformed(&nested_file, e.to_string()))?;
        let mut parents = parents.to_vec();
        parents.push(digest);
        collect(
            store,
            &nested,
            &nested_file,
            &names,
            &parents,
            depth + 1,
            out,
        )?;
    }
    Ok(())
}

fn candidate(
    desc: &Descriptor,
    digest: Digest,
    names: Vec<String>,
    parents: &[Digest],
) -> Candidate {
    let platform = desc.platform().as_ref().map(|p| {
        let mut s = format!("{}/{}", p.os(), p.architecture());
        if let Some(v) = p.variant() {
            s.push('/');
            s.push_str(v);
        }
        s
    });
    Candidate {
        digest,
        names,
        platform,
        declared: desc.platform().clone(),
        parents: parents.to_vec(),
    }
}

/// Docker ≥ 25 archives carry `RepoTags` in `manifest.json`; attach them
/// to the manifest with the same config.
fn add_docker_tags(store: &BlobStore, candidates: &mut [Candidate]) -> Result<(), ImageError> {
    if !store.exists("manifest.json") || candidates.is_empty() {
        return Ok(());
    }
    let entries = docker::read_manifest_json(store)?;
    if entries.iter().all(|e| e.repo_tags.is_empty()) {
        return Ok(());
    }
    for c in candidates.iter_mut() {
        let Ok(bytes) = read_blob(store, &c.digest, "manifest") else {
            continue;
        };
        let Ok(manifest) = serde_json::from_slice::<ImageManifest>(&bytes) else {
            continue;
        };
        let config = manifest.config().digest().to_string();
        for e in &entries {
            let same = e
                .config
                .rsplit('/')
                .next()
                .is_some_and(|hex| config.ends_with(hex));
            if same {
                for t in &e.repo_tags {
                    if !c.names.contains(t) {
                        c.names.push(t.clone());
                    }
                }
            }
        }
    }
    Ok(())
}

fn select(
    store: &BlobStore,
    candidates: Vec<Candidate>,
    selector: &Selector,
) -> Result<Candidate, ImageError> {
    let choices: Vec<String> = candidates.iter().map(Candidate::describe).collect();
    let (wanted, matching): (String, Vec<Candidate>) = if let Some(d) = &selector.digest {
        (
            d.to_string(),
            candidates
                .into_iter()
                .filter(|c| &c.digest == d || c.parents.contains(d))
                .collect(),
        )
    } else if let Some(tag) = &selector.tag {
        (
            format!("tag {tag:?}"),
            candidates
                .into_iter()
                .filter(|c| tag_matches(&c.names, tag))
                .collect(),
        )
    } else {
        ("an image".to_string(), candidates)
    };
    let file = store.describe("index.json");
    let mut matching = matching;
    // Several images, or a platform asked for: choose by platform, as a
    // registry pull does (the host's when none is asked for).
    if matching.len() > 1 || selector.platform.is_some() {
        let want = selector.platform.clone().unwrap_or_else(Platform::host);
        let mut available = Vec::new();
        let mut fits = Vec::new();
        for c in &matching {
            match platform_of(store, c) {
                Some(p) => {
                    available.push(format!(
                        "{} ({})",
                        crate::registry::describe_platform(&p),
                        c.digest
                    ));
                    if want.matches(&p) {
                        fits.push(c.clone());
                    }
                }
                None => available.push(format!("unknown platform ({})", c.digest)),
            }
        }
        match (fits.len(), selector.platform.is_some()) {
            (1, _) => return Ok(fits.remove(0)),
            (0, true) => {
                return Err(ImageError::NoMatch {
                    file,
                    wanted: format!("{wanted} for platform {want}"),
                    choices: available,
                });
            }
            (n, _) if n > 1 => matching = fits,
            // The host's platform is not among several images: the user
            // has to choose.
            _ => {}
        }
    }
    match matching.len() {
        0 => Err(ImageError::NoMatch {
            file,
            wanted,
            choices,
        }),
        1 => Ok(matching.remove(0)),
        _ => Err(ImageError::Ambiguous {
            file,
            choices: matching.iter().map(Candidate::describe).collect(),
        }),
    }
}

/// An image's platform: what its index entry declares, else its config's
/// `os`/`architecture`/`variant` (`None` when neither can be read).
fn platform_of(store: &BlobStore, c: &Candidate) -> Option<OciPlatform> {
    if let Some(p) = &c.declared {
        return Some(p.clone());
    }
    let manifest: ImageManifest =
        serde_json::from_slice(&read_blob(store, &c.digest, "manifest").ok()?).ok()?;
    let config_digest = Digest::parse(manifest.config().digest().as_ref()).ok()?;
    let config: ImageConfiguration =
        serde_json::from_slice(&read_blob(store, &config_digest, "config").ok()?).ok()?;
    let mut b = PlatformBuilder::default()
        .os(config.os().clone())
        .architecture(config.architecture().clone());
    if let Some(v) = config.variant() {
        b = b.variant(v.clone());
    }
    b.build().ok()
}

fn descriptor_digest(desc: &Descriptor, file: &str) -> Result<Digest, ImageError> {
    Digest::parse(desc.digest().as_ref()).map_err(|r| ImageError::malformed(file, r))
}

/// Read a JSON blob and check it hashes to its name.
pub(crate) fn read_blob(
    store: &BlobStore,
    digest: &Digest,
    what: &str,
) -> Result<Vec<u8>, ImageError> {
    let name = digest.blob_path();
    let bytes = store.read_small(&name)?;
    let actual = Digest::of(digest.algorithm, &bytes);
    if &actual != digest {
        return Err(ImageError::DigestMismatch {
            file: store.describe(&name),
            what: what.to_string(),
            expected: digest.to_string(),
            actual: actual.to_string(),
        });
    }
    Ok(bytes)
}
