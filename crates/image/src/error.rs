//! The one error type of this crate. Every variant names the file (and,
//! inside an archive, the entry) it is about, so a user can tell which of
//! an image's parts was wrong without a debugger (DESIGN §1.3).

use std::io;

/// Why an image or directory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("{spec}: no such file or directory")]
    NotFound { spec: String },

    #[error("{spec}: {reason}")]
    UnsupportedSource { spec: String, reason: String },

    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: io::Error,
    },

    #[error("{file}: malformed: {reason}")]
    Malformed { file: String, reason: String },

    #[error("{file}: blob {blob} is missing")]
    MissingBlob { file: String, blob: String },

    #[error("{file}: {choices_len} images match, choose one with @<digest>, a tag or --platform:\n  {}", choices.join("\n  "), choices_len = choices.len())]
    Ambiguous { file: String, choices: Vec<String> },

    #[error("{file}: no image matches {wanted}; available:\n  {}", if choices.is_empty() { "(none)".to_string() } else { choices.join("\n  ") })]
    NoMatch {
        file: String,
        wanted: String,
        choices: Vec<String>,
    },

    #[error("{file}: digest mismatch for {what}: expected {expected}, got {actual}")]
    DigestMismatch {
        file: String,
        what: String,
        expected: String,
        actual: String,
    },

    #[error(
        "{file}: {what}: diff_id mismatch: the config says {expected}, the uncompressed tar is {actual}"
    )]
    DiffIdMismatch {
        file: String,
        what: String,
        expected: String,
        actual: String,
    },

    #[error("{file}: {what}: tar is cut inside entry {entry:?}: {detail}")]
    TruncatedTar {
        file: String,
        what: String,
        entry: String,
        detail: String,
    },

    #[error("{file}: {what}: bad tar: {detail}")]
    BadTar {
        file: String,
        what: String,
        detail: String,
    },

    #[error("{file}: {what}: corrupt {compression} stream: {source}")]
    CorruptStream {
        file: String,
        what: String,
        compression: &'static str,
        #[source]
        source: io::Error,
    },

    #[error(
        "{reference}: the registry refused access (401/403 unauthorized): {detail}; log in with `docker login`, or pass --username/--password (TIDEWATCH_USERNAME/TIDEWATCH_PASSWORD)"
    )]
    RegistryUnauthorized { reference: String, detail: String },

    #[error("{reference}: not found in the registry (404): {detail}")]
    RegistryNotFound { reference: String, detail: String },

    #[error("{reference}: cannot reach the registry {registry}: {detail}")]
    RegistryUnreachable {
        reference: String,
        registry: String,
        detail: String,
    },

    #[error("{reference}: registry error: {detail}")]
    Registry { reference: String, detail: String },

    #[error("{spec}: is a registry reference, but --offline forbids network access")]
    Offline { spec: String },

    #[error("{spec}: Docker daemon at {host}: {detail}")]
    Daemon {
        spec: String,
        host: String,
        detail: String,
    },

    #[error("{file}: could not write a spill file to {dir}: {source}")]
    Spill {
        file: String,
        dir: String,
        #[source]
        source: io::Error,
    },
}

impl ImageError {
    pub(crate) fn io(file: impl Into<String>, source: io::Error) -> Self {
        ImageError::Io {
            file: file.into(),
            source,
        }
    }

    pub(crate) fn malformed(file: impl Into<String>, reason: impl Into<String>) -> Self {
        ImageError::Malformed {
            file: file.into(),
            reason: reason.into(),
        }
    }
}
