//! The image configuration: what a report shows about the image (os,
//! architecture, labels, env, history) and the diff_ids that every layer
//! is verified against.

use crate::error::ImageError;
use oci_spec::image::ImageConfiguration;
use std::collections::BTreeMap;

/// The parts of an image's config a scan uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageConfig {
    pub os: Option<String>,
    pub architecture: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub env: Vec<String>,
    pub history: Vec<History>,
}

/// One history entry, as the build recorded it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    pub created: Option<String>,
    pub created_by: Option<String>,
    pub comment: Option<String>,
    /// True for steps that changed only metadata and produced no layer.
    pub empty_layer: bool,
}

/// A parsed config: the public part and the diff_ids, base layer first.
pub(crate) struct ParsedConfig {
    pub config: ImageConfig,
    pub diff_ids: Vec<String>,
}

pub(crate) fn parse(file: &str, bytes: &[u8]) -> Result<ParsedConfig, ImageError> {
    let raw: ImageConfiguration = serde_json::from_slice(bytes)
        .map_err(|e| ImageError::malformed(file, format!("image config: {e}")))?;
    let runtime = raw.config().as_ref();
    let config = ImageConfig {
        os: Some(raw.os().to_string()).filter(|s| !s.is_empty()),
        architecture: Some(raw.architecture().to_string()).filter(|s| !s.is_empty()),
        labels: runtime
            .and_then(|c| c.labels().clone())
            .map(|l| l.into_iter().collect())
            .unwrap_or_default(),
        env: runtime.and_then(|c| c.env().clone()).unwrap_or_default(),
        history: raw
            .history()
            .iter()
            .flatten()
            .map(|h| History {
                created: h.created().clone(),
                created_by: h.created_by().clone(),
                comment: h.comment().clone(),
                empty_layer: h.empty_layer().unwrap_or(false),
            })
            .collect(),
    };
    Ok(ParsedConfig {
        config,
        diff_ids: raw.rootfs().diff_ids().clone(),
    })
}

impl ImageConfig {
    /// The `created_by` of each layer: history entries that produced a
    /// layer (not `empty_layer`), in order. When the history has fewer such
    /// entries than there are layers (hand-made images), the rest is `None`.
    pub fn created_by_per_layer(&self, layers: usize) -> Vec<Option<String>> {
        let mut out: Vec<Option<String>> = self
            .history
            .iter()
            .filter(|h| !h.empty_layer)
            .map(|h| h.created_by.clone())
            .take(layers)
            .collect();
        out.resize(layers, None);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_history_skipping_empty_layers() {
        let json = br#"{"architecture":"amd64","os":"linux",
            "config":{"Env":["A=1"],"Labels":{"k":"v"}},
            "rootfs":{"type":"layers","diff_ids":["sha256:aa","sha256:bb"]},
            "history":[{"created_by":"ADD x /"},{"created_by":"ENV A=1","empty_layer":true},{"created_by":"RUN y"}]}"#;
        let parsed = parse("config.json", json);
        let Ok(parsed) = parsed else {
            panic!("config did not parse");
        };
        assert_eq!(parsed.diff_ids, vec!["sha256:aa", "sha256:bb"]);
        assert_eq!(parsed.config.os.as_deref(), Some("linux"));
        assert_eq!(parsed.config.env, vec!["A=1"]);
        assert_eq!(parsed.config.labels.get("k").map(String::as_str), Some("v"));
        assert_eq!(
            parsed.config.created_by_per_layer(3),
            vec![Some("ADD x /".into()), Some("RUN y".into()), None]
        );
    }

    #[test]
    fn malformed_config_names_the_file() {
        let err = parse("blobs/sha256/x", b"{\"os\": 1}")
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.starts_with("blobs/sha256/x: malformed")));
    }
}
