use serde::{Deserialize, Serialize};

/// One layer of an image as the report shows it. `index` counts from 0 at
/// the base layer; `digest` is the blob digest (compressed, as stored) when
/// the source has one, `diff_id` the digest of the uncompressed tar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerInfo {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    pub diff_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// The layer belongs to the base image the image was built `FROM`
    /// (known from the config's `org.opencontainers.image.base.*` labels
    /// or a `--base-image` hint).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub base: bool,
}
