//! Which layers of an image came from the base image it was built `FROM`,
//! so that a report can tell "fix it in your Dockerfile" from "rebuild on a
//! newer base".
//!
//! The base is named by `--base-image` or, failing that, by the config's
//! `org.opencontainers.image.base.name` label (with `.base.digest` pinning
//! it, as BuildKit writes them). Its manifest and config are read (no
//! layer data) and the image's layers that start like the base's are
//! marked: the longest common prefix of diff_ids, or, when the base has
//! been rebuilt since (no diff_id in common), of the history `created_by`
//! lines. A base that cannot be read is a warning when the user named it
//! and a debug note when only a label did (an offline scan of an image
//! whose base lives in a registry is normal).

use crate::ScanError;
use tidewatch_image::{Image, ImageError, OpenOptions};
use tidewatch_types::{LayerInfo, Warning};

pub const BASE_NAME_LABEL: &str = "org.opencontainers.image.base.name";
pub const BASE_DIGEST_LABEL: &str = "org.opencontainers.image.base.digest";

/// The base image reference the labels give, if any.
pub fn base_from_labels(image: &Image) -> Option<String> {
    let labels = &image.config.labels;
    let name = labels
        .get(BASE_NAME_LABEL)
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())?;
    let digest = labels
        .get(BASE_DIGEST_LABEL)
        .map(|d| d.trim())
        .filter(|d| d.starts_with("sha256:"));
    Some(match digest {
        Some(d) if !name.contains('@') => format!("{name}@{d}"),
        _ => name.to_string(),
    })
}

/// How many leading layers `base` and `layers` share: by diff_id, else
/// by history line.
pub fn shared_prefix(layers: &[LayerInfo], base: &[LayerInfo]) -> usize {
    let by_diff_id = layers
        .iter()
        .zip(base)
        .take_while(|(a, b)| a.diff_id == b.diff_id)
        .count();
    if by_diff_id > 0 {
        return by_diff_id;
    }
    layers
        .iter()
        .zip(base)
        .take_while(|(a, b)| {
            a.created_by.is_some()
                && a.created_by.as_deref().map(str::trim) == b.created_by.as_deref().map(str::trim)
        })
        .count()
}

/// Mark the layers of `image` that belong to its base image; returns a
/// warning when the base the user named cannot be read, and an error when
/// it names a local file that is not there.
pub fn mark_base_layers(
    image: &Image,
    layers: &mut [LayerInfo],
    hint: Option<&str>,
    open: &OpenOptions,
) -> Result<Option<Warning>, ScanError> {
    let (spec, named_by_user) = match hint.map(str::trim).filter(|h| !h.is_empty()) {
        Some(h) => (h.to_string(), true),
        None => match base_from_labels(image) {
            Some(spec) => (spec, false),
            None => return Ok(None),
        },
    };
    let base_open = OpenOptions {
        tag: None,
        ..open.clone()
    };
    let base = match tidewatch_image::open(&spec, &base_open) {
        Ok(b) => b,
        Err(e @ ImageError::NotFound { .. }) if named_by_user => {
            return Err(ScanError::BaseImage(e));
        }
        Err(e) if named_by_user => {
            return Ok(Some(Warning::new(
                spec.clone(),
                format!("cannot read the base image: {e}; base layers are not marked"),
            )));
        }
        Err(e) => {
            tracing::debug!("base image {spec} from the image labels cannot be read: {e}");
            return Ok(None);
        }
    };
    let n = shared_prefix(layers, &base.layers);
    if n == 0 && named_by_user {
        return Ok(Some(Warning::new(
            spec,
            "the image does not start with this base image's layers; base layers are not marked",
        )));
    }
    for l in layers.iter_mut().take(n) {
        l.base = true;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(i: usize, diff: &str, created_by: &str) -> LayerInfo {
        LayerInfo {
            index: i,
            digest: None,
            diff_id: diff.into(),
            created_by: Some(created_by.into()),
            base: false,
        }
    }

    #[test]
    fn prefix_by_diff_id_then_history() {
        let image = [
            layer(0, "a", "ADD x /"),
            layer(1, "b", "RUN apk add"),
            layer(2, "c", "COPY app /app"),
        ];
        let base = [layer(0, "a", "ADD x /"), layer(1, "b", "RUN apk add")];
        assert_eq!(shared_prefix(&image, &base), 2);
        let rebuilt = [
            layer(0, "z", "ADD x /"),
            layer(1, "y", "RUN apk add"),
            layer(2, "q", "CMD"),
        ];
        assert_eq!(shared_prefix(&image, &rebuilt), 2);
        let other = [layer(0, "z", "ADD y /")];
        assert_eq!(shared_prefix(&image, &other), 0);
        assert_eq!(shared_prefix(&image, &[]), 0);
    }
}
