//! Images pulled from a registry by reference, without a daemon and
//! without writing the image to disk: the manifest (or the index and then
//! the manifest for the chosen platform) and the config are fetched and
//! verified against their digests, and each layer blob is streamed
//! straight into the layer reader when the image is squashed.
//!
//! Why oci-client: it speaks the distribution API with both auth schemes
//! a registry may challenge for (bearer tokens from the `realm`, Basic),
//! handles Docker Hub's and other registries' quirks, and hands out blobs
//! as streams, which `client::BlobReader` turns into a blocking `Read`;
//! manifests are fetched raw and parsed here with oci-spec, like the
//! on-disk layouts, so selection and verification are ours.

mod auth;
mod client;
mod platform;
mod reference;
mod token;

pub(crate) use client::Remote;
pub use platform::Platform;
pub(crate) use platform::describe as describe_platform;
pub(crate) use reference::{ImageRef, looks_like_path};

use crate::config;
use crate::digest::Digest;
use crate::error::ImageError;
use crate::source::{LayerSource, Resolved};
use oci_client::secrets::RegistryAuth;
use oci_spec::image::{ImageIndex, ImageManifest};
use std::path::PathBuf;

/// Configs and manifests larger than this are refused (real ones are kilobytes).
const MAX_DOCUMENT: u64 = 16 * 1024 * 1024;
/// Indexes nested deeper than this are refused (real ones nest once).
const MAX_DEPTH: usize = 4;

const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
const ACCEPT: &[&str] = &[OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST];

/// How to reach registries.
#[derive(Clone, Default)]
pub struct RegistryOptions {
    /// `--platform os/arch[/variant]` for multi-platform images; `None` =
    /// the host's.
    pub platform: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Accept unverified TLS and fall back to plain HTTP.
    pub insecure: bool,
    /// The Docker config to read credentials from; `None` =
    /// `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`.
    pub docker_config: Option<PathBuf>,
}

impl std::fmt::Debug for RegistryOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryOptions")
            .field("platform", &self.platform)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("insecure", &self.insecure)
            .field("docker_config", &self.docker_config)
            .finish()
    }
}

/// Fetch and verify an image's manifest and config from its registry.
pub(crate) fn resolve(
    image: ImageRef,
    opts: &RegistryOptions,
) -> Result<(Resolved, Remote), ImageError> {
    let canonical = image.canonical.clone();
    let platform = match &opts.platform {
        Some(p) => Some(
            Platform::parse(p).map_err(|reason| ImageError::UnsupportedSource {
                spec: canonical.clone(),
                reason,
            })?,
        ),
        None => None,
    };
    let (credential, origin) =
        auth::resolve(&image, opts).map_err(|detail| ImageError::Registry {
            reference: canonical.clone(),
            detail,
        })?;
    tracing::debug!(
        reference = canonical,
        registry = image.registry(),
        ?origin,
        "pulling"
    );
    // A bearer token is sent without asking the registry first, so the
    // exchange's answer also says whether it speaks TLS.
    let (auth, plain_http) = match credential {
        auth::Credential::Registry(a) => (a, false),
        auth::Credential::IdentityToken(t) => match token::exchange(&image, &t, opts.insecure) {
            Ok(Some((access, plain_http))) => (RegistryAuth::Bearer(access), plain_http),
            Ok(None) => {
                tracing::warn!(
                    "{canonical}: the registry has no token server to trade the Docker config's identity token at; pulling anonymously"
                );
                (RegistryAuth::Anonymous, false)
            }
            Err(e) => return Err(with_hint(e, &origin)),
        },
    };
    fetch(image, auth, opts.insecure, plain_http, platform).map_err(|e| with_hint(e, &origin))
}

/// A refusal says whose credentials were refused.
fn with_hint(e: ImageError, origin: &auth::Origin) -> ImageError {
    match (e, origin.hint()) {
        (ImageError::RegistryUnauthorized { reference, detail }, Some(hint)) => {
            ImageError::RegistryUnauthorized {
                reference,
                detail: format!("{detail} ({hint})"),
            }
        }
        (e, _) => e,
    }
}

fn fetch(
    image: ImageRef,
    auth: RegistryAuth,
    insecure: bool,
    plain_http: bool,
    platform: Option<Platform>,
) -> Result<(Resolved, Remote), ImageError> {
    let canonical = image.canonical.clone();
    let remote = Remote::connect(image, auth, insecure, plain_http)?;

    let mut reference = remote.image.endpoint.clone();
    let mut expected = reference
        .digest()
        .map(|d| Digest::parse(d).map_err(|r| malformed(&canonical, r)))
        .transpose()?;
    for _ in 0..=MAX_DEPTH {
        let (bytes, _) = remote.manifest(&reference, ACCEPT)?;
        let file = remote.describe(
            reference
                .digest()
                .unwrap_or_else(|| reference.tag().unwrap_or("latest")),
        );
        if bytes.len() as u64 > MAX_DOCUMENT {
            return Err(malformed(&file, "manifest larger than 16 MiB"));
        }
        let actual = Digest::sha256_of(&bytes);
        if let Some(want) = &expected {
            let actual = Digest::of(want.algorithm, &bytes);
            if &actual != want {
                return Err(ImageError::DigestMismatch {
                    file,
                    what: "manifest".into(),
                    expected: want.to_string(),
                    actual: actual.to_string(),
                });
            }
        }
        let (media_type, schema) = peek(&bytes, &file)?;
        if schema == Some(1) {
            return Err(ImageError::UnsupportedSource {
                spec: canonical,
                reason: "Docker schema 1 manifests are deprecated and not supported; re-push the image with a current client".into(),
            });
        }
        let is_index = matches!(media_type.as_deref(), Some(OCI_INDEX | DOCKER_LIST))
            || (media_type.is_none() && looks_like_index(&bytes));
        if is_index {
            let index: ImageIndex = serde_json::from_slice(&bytes)
                .map_err(|e| malformed(&file, format!("image index: {e}")))?;
            let chosen = choose(&index, platform.as_ref(), &file)?;
            reference = remote.image.at_digest(&chosen.to_string());
            expected = Some(chosen);
            continue;
        }
        let manifest: ImageManifest = serde_json::from_slice(&bytes)
            .map_err(|e| malformed(&file, format!("image manifest: {e}")))?;
        let manifest_digest = expected.unwrap_or(actual);
        let resolved = from_manifest(&remote, &manifest, &file, manifest_digest)?;
        if let Some(p) = &platform
            && !p.matches_config(
                resolved.config.os.as_deref(),
                resolved.config.architecture.as_deref(),
            )
        {
            return Err(ImageError::NoMatch {
                file: canonical,
                wanted: format!("platform {p}"),
                choices: vec![format!(
                    "{}/{} (a single-platform image)",
                    resolved.config.os.as_deref().unwrap_or("?"),
                    resolved.config.architecture.as_deref().unwrap_or("?")
                )],
            });
        }
        return Ok((resolved, remote));
    }
    Err(malformed(
        &canonical,
        format!("indexes nested more than {MAX_DEPTH} deep"),
    ))
}

fn from_manifest(
    remote: &Remote,
    manifest: &ImageManifest,
    manifest_file: &str,
    manifest_digest: Digest,
) -> Result<Resolved, ImageError> {
    let config_digest = Digest::parse(manifest.config().digest().as_ref())
        .map_err(|r| malformed(manifest_file, r))?;
    let config_file = remote.describe(&config_digest.to_string());
    let config_bytes = remote.small_blob(&config_digest.to_string(), MAX_DOCUMENT)?;
    let actual = Digest::of(config_digest.algorithm, &config_bytes);
    if actual != config_digest {
        return Err(ImageError::DigestMismatch {
            file: config_file,
            what: "config".into(),
            expected: config_digest.to_string(),
            actual: actual.to_string(),
        });
    }
    let parsed = config::parse(&config_file, &config_bytes)?;
    if parsed.diff_ids.len() != manifest.layers().len() {
        return Err(malformed(
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
        let digest =
            Digest::parse(desc.digest().as_ref()).map_err(|r| malformed(manifest_file, r))?;
        let diff_id = Digest::parse(diff_id).map_err(|r| malformed(&config_file, r))?;
        layers.push(LayerSource {
            blob: digest.to_string(),
            digest: Some(digest),
            diff_id,
        });
    }
    Ok(Resolved {
        manifest_digest: Some(manifest_digest),
        config_digest,
        config: parsed.config,
        layers,
    })
}

/// The manifest of the index entry for `platform` (the host's by default).
fn choose(
    index: &ImageIndex,
    platform: Option<&Platform>,
    file: &str,
) -> Result<Digest, ImageError> {
    let want = platform.cloned().unwrap_or_else(Platform::host);
    let mut choices = Vec::new();
    for desc in index.manifests() {
        let annotations = desc.annotations().as_ref();
        if annotations
            .and_then(|a| a.get("vnd.docker.reference.type"))
            .is_some_and(|t| t == "attestation-manifest")
        {
            continue;
        }
        let Some(p) = desc.platform() else {
            // An index without platforms (one image, or nested indexes):
            // only a lone entry is unambiguous.
            if index.manifests().len() == 1 {
                return Digest::parse(desc.digest().as_ref()).map_err(|r| malformed(file, r));
            }
            continue;
        };
        if want.matches(p) {
            return Digest::parse(desc.digest().as_ref()).map_err(|r| malformed(file, r));
        }
        choices.push(format!("{} ({})", platform::describe(p), desc.digest()));
    }
    Err(ImageError::NoMatch {
        file: file.to_string(),
        wanted: format!("platform {want} (choose one with --platform)"),
        choices,
    })
}

/// `mediaType` and `schemaVersion` of a manifest document.
fn peek(bytes: &[u8], file: &str) -> Result<(Option<String>, Option<u64>), ImageError> {
    #[derive(serde::Deserialize)]
    struct Head {
        #[serde(rename = "mediaType")]
        media_type: Option<String>,
        #[serde(rename = "schemaVersion")]
        schema_version: Option<u64>,
    }
    let head: Head =
        serde_json::from_slice(bytes).map_err(|e| malformed(file, format!("manifest: {e}")))?;
    Ok((head.media_type, head.schema_version))
}

fn looks_like_index(bytes: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Probe {
        manifests: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_slice::<Probe>(bytes).is_ok_and(|p| p.manifests.is_some())
}

fn malformed(file: &str, reason: impl Into<String>) -> ImageError {
    ImageError::malformed(file, reason)
}
