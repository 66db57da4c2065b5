//! Turning what the user named into an [`Image`]: which file or directory,
//! which layout inside it, and which image when it holds several. An
//! existing path always wins over any other reading of the name; the
//! prefixes `docker-archive:`, `oci-archive:` and `oci-dir:` force the
//! type; `path@sha256:…` selects by manifest digest and `path:tag` (or
//! [`OpenOptions::tag`]) by tag. A name that is no path is an image
//! reference, looked up in the [`ImageSource`]s in order (by default the
//! Docker daemon, then the registry, like Trivy); `docker:` and
//! `registry:` force one of them.

use crate::blobs::BlobStore;
use crate::config::ImageConfig;
use crate::daemon::{Daemon, Host};
use crate::digest::Digest;
use crate::error::ImageError;
use crate::files::FileFilter;
use crate::layer::{LayerFiles, LayerName, read_layer, verify_layer};
use crate::merge::{Squashed, merge};
use crate::registry::{self, ImageRef, RegistryOptions, Remote, looks_like_path};
use crate::spill::Spill;
use crate::{docker, oci};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use tidewatch_types::LayerInfo;

/// How to open an image.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Select the image with this tag when the source holds several: the
    /// OCI `org.opencontainers.image.ref.name` annotation (or containerd's
    /// full name) or a docker `RepoTags` entry.
    pub tag: Option<String>,
    /// Where kept files too big for memory are spilled (the scanner's
    /// cache directory); `None` = the system temp directory. Docker
    /// daemon exports are spooled here too.
    pub temp_dir: Option<PathBuf>,
    /// Where to look for an image named by reference, in order; empty =
    /// [`ImageSource::DEFAULT_ORDER`].
    pub sources: Vec<ImageSource>,
    pub registry: RegistryOptions,
    /// Forbid network access: a registry reference is then an error.
    pub offline: bool,
    /// The Docker daemon's address (`unix:///…` or `tcp://…`); `None` =
    /// `DOCKER_HOST`, else `/var/run/docker.sock`.
    pub docker_host: Option<String>,
}

/// Where an image named by reference can come from (`--image-src`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageSource {
    /// The local Docker daemon's image store (Engine API export).
    Docker,
    /// A registry (OCI distribution API).
    Registry,
}

impl ImageSource {
    pub const DEFAULT_ORDER: [ImageSource; 2] = [ImageSource::Docker, ImageSource::Registry];

    pub fn parse(s: &str) -> Result<ImageSource, String> {
        match s.trim() {
            "docker" => Ok(ImageSource::Docker),
            "registry" | "remote" => Ok(ImageSource::Registry),
            other => Err(format!(
                "unknown image source {other:?} (expected docker or registry)"
            )),
        }
    }

    fn name(self) -> &'static str {
        match self {
            ImageSource::Docker => "docker",
            ImageSource::Registry => "registry",
        }
    }
}

/// An opened image: its identity, config and layers, ready to squash.
#[derive(Debug)]
pub struct Image {
    /// What the user named.
    pub name: String,
    /// The manifest digest, when the source has a manifest (OCI layouts,
    /// Docker ≥ 25 archives); legacy `docker save` archives have none.
    pub manifest_digest: Option<String>,
    pub config_digest: String,
    pub config: ImageConfig,
    /// Base layer first, with `created_by` from the config's history.
    pub layers: Vec<LayerInfo>,
    store: Store,
    sources: Vec<LayerSource>,
    temp_dir: Option<PathBuf>,
}

/// Where an opened image's blobs are read from.
#[derive(Debug)]
enum Store {
    /// A file or directory; `_spool` is a daemon export to delete on drop.
    Local {
        store: BlobStore,
        _spool: Option<tempfile::TempPath>,
    },
    Remote(Box<Remote>),
}

impl Store {
    fn open(&self, name: &str) -> Result<(Box<dyn std::io::Read + Send>, u64), ImageError> {
        match self {
            Store::Local { store, .. } => store.open(name),
            Store::Remote(remote) => Ok((Box::new(remote.blob(name)?), 0)),
        }
    }

    fn describe(&self, name: &str) -> String {
        match self {
            Store::Local { store, .. } => store.describe(name),
            Store::Remote(remote) => remote.describe(name),
        }
    }

    fn display(&self) -> String {
        match self {
            Store::Local { store, .. } => store.display(),
            Store::Remote(remote) => remote.image.canonical.clone(),
        }
    }
}

/// Where one layer's blob is and what it must hash to.
#[derive(Debug, Clone)]
pub(crate) struct LayerSource {
    pub blob: String,
    pub digest: Option<Digest>,
    pub diff_id: Digest,
}

/// What a layout reader found: everything of [`Image`] but the name.
pub(crate) struct Resolved {
    pub manifest_digest: Option<Digest>,
    pub config_digest: Digest,
    pub config: ImageConfig,
    pub layers: Vec<LayerSource>,
}

/// Which image of several to take.
#[derive(Debug, Clone, Default)]
pub(crate) struct Selector {
    pub digest: Option<Digest>,
    pub tag: Option<String>,
    /// `--platform`, for layouts holding several platforms' images.
    pub platform: Option<crate::registry::Platform>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Forced {
    DockerArchive,
    OciArchive,
    OciDir,
}

/// Open an image from a `docker save` tarball (both layouts) or an OCI
/// image layout (directory or tar). Digests of the index, manifests and
/// config are verified here; layer digests when the layers are read.
pub fn open(spec: &str, opts: &OpenOptions) -> Result<Image, ImageError> {
    if let Some(reference) = spec.strip_prefix("registry:") {
        return open_registry(spec, reference, opts);
    }
    if let Some(name) = spec.strip_prefix("docker:") {
        return match open_daemon(spec, name, opts)? {
            Ok(image) => Ok(image),
            Err(reason) => Err(unsupported(spec, &reason)),
        };
    }
    match parse_spec(spec) {
        Ok((forced, path, selector)) => open_local(spec, forced, &path, selector, opts, None),
        Err(ImageError::NotFound { .. })
            if !looks_like_path(spec)
                && !LOCAL_PREFIXES.iter().any(|(p, _)| spec.starts_with(p))
                && ImageRef::parse(spec).is_ok() =>
        {
            open_by_name(spec, opts)
        }
        Err(e) => Err(e),
    }
}

/// Look a reference up in each image source in turn. A source that does
/// not have the image (no daemon, no such image in it) passes to the next;
/// the last source's error is the answer.
fn open_by_name(spec: &str, opts: &OpenOptions) -> Result<Image, ImageError> {
    let order: &[ImageSource] = if opts.sources.is_empty() {
        &ImageSource::DEFAULT_ORDER
    } else {
        &opts.sources
    };
    let mut passed = Vec::new();
    for (i, source) in order.iter().enumerate() {
        let last = i + 1 == order.len();
        let outcome: Result<(), String> = match source {
            ImageSource::Docker => match open_daemon(spec, spec, opts) {
                Ok(Ok(image)) => return Ok(image),
                Ok(Err(reason)) => Err(reason),
                Err(e) if last => return Err(e),
                Err(e) => Err(e.to_string()),
            },
            ImageSource::Registry => match open_registry(spec, spec, opts) {
                Ok(image) => return Ok(image),
                Err(e) if last => return Err(e),
                Err(e) => Err(e.to_string()),
            },
        };
        if let Err(reason) = outcome {
            tracing::debug!(source = source.name(), reason, "image source passed");
            passed.push(format!("{}: {reason}", source.name()));
        }
    }
    Err(unsupported(
        spec,
        &format!(
            "not a file, and no image source has it ({})",
            passed.join("; ")
        ),
    ))
}

fn open_registry(spec: &str, reference: &str, opts: &OpenOptions) -> Result<Image, ImageError> {
    if opts.offline {
        return Err(ImageError::Offline {
            spec: spec.to_string(),
        });
    }
    let image = ImageRef::parse(reference).map_err(|reason| unsupported(spec, &reason))?;
    let (resolved, remote) = registry::resolve(image, &opts.registry)?;
    Ok(assemble(
        spec,
        resolved,
        Store::Remote(Box::new(remote)),
        opts,
    ))
}

/// `Ok(Err(reason))` when the daemon is not there or lacks the image.
fn open_daemon(
    spec: &str,
    name: &str,
    opts: &OpenOptions,
) -> Result<Result<Image, String>, ImageError> {
    let host = match Host::resolve(opts.docker_host.as_deref()) {
        Ok(h) => h,
        Err(reason) => return Ok(Err(reason)),
    };
    if !host.present() {
        return Ok(Err(format!("no Docker daemon at {host}")));
    }
    let daemon = Daemon::new(host, spec);
    if !daemon.has_image(name)? {
        return Ok(Err(format!(
            "the Docker daemon at {} has no image {name:?}",
            daemon.host
        )));
    }
    let spool = daemon.export(name, opts.temp_dir.as_deref())?;
    let path = spool.to_path_buf();
    open_local(spec, None, &path, Selector::default(), opts, Some(spool)).map(Ok)
}

fn open_local(
    spec: &str,
    forced: Option<Forced>,
    path: &Path,
    mut selector: Selector,
    opts: &OpenOptions,
    spool: Option<tempfile::TempPath>,
) -> Result<Image, ImageError> {
    if selector.tag.is_none() {
        selector.tag = opts.tag.clone();
    }
    if let Some(p) = &opts.registry.platform {
        selector.platform =
            Some(crate::registry::Platform::parse(p).map_err(|reason| unsupported(spec, &reason))?);
    }
    let is_dir = path.is_dir();
    match (forced, is_dir) {
        (Some(Forced::OciDir), false) => {
            return Err(unsupported(spec, "oci-dir: needs a directory"));
        }
        (Some(Forced::DockerArchive | Forced::OciArchive), true) => {
            return Err(unsupported(
                spec,
                "an archive source needs a tar file, not a directory",
            ));
        }
        _ => {}
    }
    let store = if is_dir {
        BlobStore::dir(path)
    } else {
        BlobStore::tar(path)?
    };
    let has_index = store.exists("index.json");
    let has_manifest = store.exists("manifest.json");
    let resolved = match forced {
        Some(Forced::DockerArchive) => docker::resolve(&store, &selector)?,
        Some(Forced::OciArchive | Forced::OciDir) => oci::resolve(&store, &selector)?,
        None if has_index => oci::resolve(&store, &selector)?,
        None if has_manifest => docker::resolve(&store, &selector)?,
        None => {
            return Err(ImageError::malformed(
                store.display(),
                "neither index.json (OCI layout) nor manifest.json (docker save) found",
            ));
        }
    };
    for layer in &resolved.layers {
        if !store.exists(&layer.blob) {
            return Err(ImageError::MissingBlob {
                file: store.display(),
                blob: layer.blob.clone(),
            });
        }
    }
    Ok(assemble(
        spec,
        resolved,
        Store::Local {
            store,
            _spool: spool,
        },
        opts,
    ))
}

fn assemble(spec: &str, resolved: Resolved, store: Store, opts: &OpenOptions) -> Image {
    let created_by = resolved.config.created_by_per_layer(resolved.layers.len());
    let layers = resolved
        .layers
        .iter()
        .zip(created_by)
        .enumerate()
        .map(|(index, (l, created_by))| LayerInfo {
            index,
            digest: l.digest.as_ref().map(Digest::to_string),
            diff_id: l.diff_id.to_string(),
            created_by,
            base: false,
        })
        .collect();
    Image {
        name: spec.to_string(),
        manifest_digest: resolved.manifest_digest.map(|d| d.to_string()),
        config_digest: resolved.config_digest.to_string(),
        config: resolved.config,
        layers,
        store,
        sources: resolved.layers,
        temp_dir: opts.temp_dir.clone(),
    }
}

impl Image {
    /// Read every layer once, in parallel, keeping the files `filter`
    /// wants, and merge them into the final filesystem's view.
    pub fn squash(&self, filter: &dyn FileFilter) -> Result<Squashed, ImageError> {
        let spill = Spill::new(self.temp_dir.clone());
        let layers = (0..self.sources.len())
            .into_par_iter()
            .map(|i| self.read_layer_into(i, filter, &spill))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(merge(layers, filter))
    }

    /// Read one layer on its own (verifying its digests); combine layers
    /// with [`crate::merge`].
    pub fn read_layer(
        &self,
        index: usize,
        filter: &dyn FileFilter,
    ) -> Result<LayerFiles, ImageError> {
        let spill = Spill::new(self.temp_dir.clone());
        self.read_layer_into(index, filter, &spill)
    }

    /// Check that layer `index`'s stored bytes still hash to the digest
    /// the manifest names (the diff_id for legacy `docker save` layers),
    /// without reading its files: what a cache must do before serving an
    /// earlier reading of the layer. A registry layer is not fetched for
    /// this: its digest comes from the manifest the registry served (over
    /// TLS), and no bytes of it are used, so there is nothing to check.
    pub fn verify_layer(&self, index: usize) -> Result<(), ImageError> {
        let source = self.source(index)?;
        if matches!(self.store, Store::Remote(_)) {
            return Ok(());
        }
        let (raw, _) = self.store.open(&source.blob)?;
        let file = self.store.describe(&source.blob);
        let what = format!("layer {index}");
        verify_layer(
            raw,
            &LayerName {
                file: &file,
                what: &what,
            },
            source.digest.as_ref(),
            &source.diff_id,
        )
    }

    fn source(&self, index: usize) -> Result<&LayerSource, ImageError> {
        self.sources.get(index).ok_or_else(|| {
            ImageError::malformed(
                self.store.display(),
                format!("no layer {index} (the image has {})", self.sources.len()),
            )
        })
    }

    fn read_layer_into(
        &self,
        index: usize,
        filter: &dyn FileFilter,
        spill: &Spill,
    ) -> Result<LayerFiles, ImageError> {
        let source = self.source(index)?;
        let (raw, _) = self.store.open(&source.blob)?;
        let file = self.store.describe(&source.blob);
        let what = format!("layer {index}");
        read_layer(
            raw,
            index,
            &LayerName {
                file: &file,
                what: &what,
            },
            source.digest.as_ref(),
            &source.diff_id,
            filter,
            spill,
        )
    }
}

fn unsupported(spec: &str, reason: &str) -> ImageError {
    ImageError::UnsupportedSource {
        spec: spec.to_string(),
        reason: reason.to_string(),
    }
}

const LOCAL_PREFIXES: [(&str, Forced); 3] = [
    ("docker-archive:", Forced::DockerArchive),
    ("oci-archive:", Forced::OciArchive),
    ("oci-dir:", Forced::OciDir),
];

/// Split `[prefix:]path[@digest|:tag]`, preferring any reading under which
/// the path exists.
fn parse_spec(spec: &str) -> Result<(Option<Forced>, PathBuf, Selector), ImageError> {
    if Path::new(spec).exists() {
        return Ok((None, PathBuf::from(spec), Selector::default()));
    }
    let (forced, rest) = LOCAL_PREFIXES
        .iter()
        .find_map(|(p, f)| spec.strip_prefix(p).map(|r| (Some(*f), r)))
        .unwrap_or((None, spec));
    if Path::new(rest).exists() {
        return Ok((forced, PathBuf::from(rest), Selector::default()));
    }
    if let Some((path, digest)) = rest.rsplit_once('@')
        && Path::new(path).exists()
    {
        let digest = Digest::parse(digest).map_err(|reason| unsupported(spec, &reason))?;
        return Ok((
            forced,
            PathBuf::from(path),
            Selector {
                digest: Some(digest),
                tag: None,
                platform: None,
            },
        ));
    }
    if let Some((path, tag)) = rest.rsplit_once(':')
        && !tag.contains('/')
        && !tag.is_empty()
        && Path::new(path).exists()
    {
        return Ok((
            forced,
            PathBuf::from(path),
            Selector {
                digest: None,
                tag: Some(tag.to_string()),
                platform: None,
            },
        ));
    }
    Err(ImageError::NotFound {
        spec: spec.to_string(),
    })
}

/// Does any of an image's names match what the user asked for? A bare
/// tag (`latest`) matches the tag part; a full name matches with or
/// without `docker.io/` and `library/`, and with an implied `:latest`.
pub(crate) fn tag_matches(names: &[String], wanted: &str) -> bool {
    let wanted_norm = normalise_ref(wanted);
    names.iter().any(|n| {
        n == wanted
            || normalise_ref(n) == wanted_norm
            || (!wanted.contains('/') && !wanted.contains(':') && tag_part(n) == Some(wanted))
    })
}

fn tag_part(name: &str) -> Option<&str> {
    let last = name.rsplit('/').next().unwrap_or(name);
    last.rsplit_once(':').map(|(_, t)| t)
}

fn normalise_ref(name: &str) -> String {
    let mut n = name.strip_prefix("docker.io/").unwrap_or(name);
    n = n.strip_prefix("library/").unwrap_or(n);
    if tag_part(n).is_some() || n.contains('@') {
        n.to_string()
    } else {
        format!("{n}:latest")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_match_loosely_but_not_wrongly() {
        let names = vec![
            "docker.io/library/alpine:3.18".to_string(),
            "3.18".to_string(),
        ];
        assert!(tag_matches(&names, "3.18"));
        assert!(tag_matches(&names, "alpine:3.18"));
        assert!(tag_matches(&names, "docker.io/library/alpine:3.18"));
        assert!(!tag_matches(&names, "alpine"));
        assert!(!tag_matches(&names, "3.12"));
        let names = vec!["vulnscan-test/alpine-3.12:latest".to_string()];
        assert!(tag_matches(&names, "vulnscan-test/alpine-3.12"));
        assert!(tag_matches(&names, "latest"));
    }

    #[test]
    fn missing_path_is_not_found() {
        let err = parse_spec("/nonexistent/thing.tar").err();
        assert!(matches!(err, Some(ImageError::NotFound { .. })));
    }
}
