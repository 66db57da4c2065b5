//! `docker save` archives by their `manifest.json`: the legacy layout
//! (`<id>/layer.tar`, `<hex>.json` config) and, when forced with
//! `docker-archive:`, the Docker ≥ 25 one (`blobs/sha256/…` names). Legacy
//! layers are stored uncompressed and have no blob digest of their own:
//! they are verified against the config's diff_ids only.

use crate::blobs::BlobStore;
use crate::config;
use crate::digest::{Algorithm, Digest};
use crate::error::ImageError;
use crate::source::{LayerSource, Resolved, Selector, tag_matches};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(crate) struct ManifestEntry {
    #[serde(rename = "Config")]
    pub config: String,
    #[serde(rename = "RepoTags", default, deserialize_with = "null_as_empty")]
    pub repo_tags: Vec<String>,
    #[serde(rename = "Layers")]
    pub layers: Vec<String>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

pub(crate) fn read_manifest_json(store: &BlobStore) -> Result<Vec<ManifestEntry>, ImageError> {
    let file = store.describe("manifest.json");
    if !store.exists("manifest.json") {
        return Err(ImageError::malformed(
            store.display(),
            "manifest.json is missing",
        ));
    }
    let bytes = store.read_small("manifest.json")?;
    serde_json::from_slice(&bytes).map_err(|e| ImageError::malformed(file, e.to_string()))
}

pub(crate) fn resolve(store: &BlobStore, selector: &Selector) -> Result<Resolved, ImageError> {
    let file = store.describe("manifest.json");
    let entries = read_manifest_json(store)?;
    let describe = |e: &ManifestEntry| {
        if e.repo_tags.is_empty() {
            e.config.clone()
        } else {
            format!("{} ({})", e.config, e.repo_tags.join(", "))
        }
    };
    let choices: Vec<String> = entries.iter().map(describe).collect();

    // Configs are read once for selection by digest and for the result.
    let mut matching = Vec::new();
    for entry in entries {
        let keep = match (&selector.digest, &selector.tag) {
            (Some(d), _) => config_digest_of(store, &entry.config)? == *d,
            (None, Some(tag)) => tag_matches(&entry.repo_tags, tag),
            (None, None) => true,
        };
        if keep {
            matching.push(entry);
        }
    }
    let entry = match matching.len() {
        1 => matching.remove(0),
        0 => {
            let wanted = match (&selector.digest, &selector.tag) {
                (Some(d), _) => d.to_string(),
                (None, Some(t)) => format!("tag {t:?}"),
                (None, None) => "an image".into(),
            };
            return Err(ImageError::NoMatch {
                file,
                wanted,
                choices,
            });
        }
        _ => {
            return Err(ImageError::Ambiguous {
                file,
                choices: matching.iter().map(describe).collect(),
            });
        }
    };

    let config_file = store.describe(&entry.config);
    let config_bytes = store.read_small(&entry.config)?;
    let config_digest = Digest::sha256_of(&config_bytes);
    if let Some(named) = digest_in_name(&entry.config) {
        let actual = Digest::of(named.algorithm, &config_bytes);
        if actual != named {
            return Err(ImageError::DigestMismatch {
                file: config_file,
                what: "config".into(),
                expected: named.to_string(),
                actual: actual.to_string(),
            });
        }
    }
    let parsed = config::parse(&config_file, &config_bytes)?;
    if parsed.diff_ids.len() != entry.layers.len() {
        return Err(ImageError::malformed(
            &config_file,
            format!(
                "the config lists {} diff_ids but manifest.json {} layers",
                parsed.diff_ids.len(),
                entry.layers.len()
            ),
        ));
    }
    let mut layers = Vec::new();
    for (blob, diff_id) in entry.layers.iter().zip(&parsed.diff_ids) {
        let diff_id = Digest::parse(diff_id).map_err(|r| ImageError::malformed(&config_file, r))?;
        layers.push(LayerSource {
            blob: blob.clone(),
            digest: blob_digest_in_name(blob),
            diff_id,
        });
    }
    Ok(Resolved {
        manifest_digest: None,
        config_digest,
        config: parsed.config,
        layers,
    })
}

fn config_digest_of(store: &BlobStore, name: &str) -> Result<Digest, ImageError> {
    Ok(Digest::sha256_of(&store.read_small(name)?))
}

/// `blobs/<alg>/<hex>` names a blob by its digest.
fn blob_digest_in_name(name: &str) -> Option<Digest> {
    let rest = name.strip_prefix("blobs/")?;
    let (alg, hex) = rest.split_once('/')?;
    Digest::parse(&format!("{alg}:{hex}")).ok()
}

/// Configs are named `<hex>.json` (legacy) or `blobs/sha256/<hex>` (≥ 25).
fn digest_in_name(name: &str) -> Option<Digest> {
    blob_digest_in_name(name).or_else(|| {
        let hex = name.strip_suffix(".json")?;
        Digest::parse(&format!("sha256:{hex}"))
            .ok()
            .filter(|d| d.algorithm == Algorithm::Sha256)
    })
}
