//! The transport: an oci-client [`Client`] (OCI distribution API, token and
//! Basic auth from the registry's `WWW-Authenticate` challenge) driven from
//! synchronous code by a small tokio runtime of its own, with timeouts,
//! retries of transient failures, and errors sorted into the kinds a user
//! acts on differently: refused (401/403), not found (404), unreachable
//! (connect, TLS, timeout) and anything else.
//!
//! Layer blobs are not downloaded first: [`BlobReader`] is a blocking
//! `Read` over the response body, so the layer reader decompresses, hashes
//! and walks the tar while it arrives, and rayon reads several at once.
//! The image reader verifies every blob digest itself (and names the layer
//! when one is wrong), so oci-client's own end-of-stream digest check is
//! turned into an end of stream here rather than an I/O error.

use super::reference::ImageRef;
use crate::error::ImageError;
use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::{DigestError, OciDistributionError, OciErrorCode};
use oci_client::manifest::OciDescriptor;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference, RegistryOperation};
use std::io::{self, Read};
use std::sync::Arc;
use std::time::Duration;

/// Attempts for a request that failed transiently (network, 5xx, 429).
const ATTEMPTS: u32 = 3;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Longest silence on an open connection before a request fails.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// A connected, authenticated client for one image's repository.
pub(crate) struct Remote {
    pub image: ImageRef,
    runtime: Arc<tokio::runtime::Runtime>,
    client: Client,
    auth: RegistryAuth,
    /// `http` or `https`, for messages.
    pub scheme: &'static str,
    /// Tries per request ([`ATTEMPTS`], or 1 while probing for TLS).
    attempts: u32,
    insecure: bool,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote")
            .field("image", &self.image.canonical)
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

impl Remote {
    /// Connect: ping `/v2/` and authenticate for pulling. With `insecure`,
    /// TLS certificates are not verified and a registry that does not speak
    /// TLS at all is used over plain HTTP.
    pub fn connect(
        image: ImageRef,
        auth: RegistryAuth,
        insecure: bool,
        plain_http: bool,
    ) -> Result<Remote, ImageError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("tidewatch-registry")
            .enable_all()
            .build()
            .map_err(|e| ImageError::Registry {
                reference: image.canonical.clone(),
                detail: format!("cannot start the network runtime: {e}"),
            })?;
        let runtime = Arc::new(runtime);
        if plain_http && insecure {
            // Already known to speak only HTTP (a bearer token is not
            // checked against the registry before the first request).
            let http =
                Remote::with_protocol(&image, &auth, &runtime, ClientProtocol::Http, insecure);
            return http.authenticate().map(|()| http);
        }
        let mut https =
            Remote::with_protocol(&image, &auth, &runtime, ClientProtocol::Https, insecure);
        // With --insecure a TLS failure means "try HTTP", not "retry".
        https.attempts = if insecure { 1 } else { ATTEMPTS };
        let first = https.authenticate();
        https.attempts = ATTEMPTS;
        match first {
            Ok(()) => Ok(https),
            Err(ImageError::RegistryUnreachable { detail, .. }) if insecure => {
                tracing::debug!(detail, "HTTPS failed; trying plain HTTP (--insecure)");
                let http =
                    Remote::with_protocol(&image, &auth, &runtime, ClientProtocol::Http, insecure);
                http.authenticate().map(|()| http)
            }
            Err(e) => Err(e),
        }
    }

    fn with_protocol(
        image: &ImageRef,
        auth: &RegistryAuth,
        runtime: &Arc<tokio::runtime::Runtime>,
        protocol: ClientProtocol,
        insecure: bool,
    ) -> Remote {
        let scheme = match protocol {
            ClientProtocol::Http => "http",
            _ => "https",
        };
        let config = ClientConfig {
            protocol,
            accept_invalid_certificates: insecure,
            connect_timeout: Some(CONNECT_TIMEOUT),
            read_timeout: Some(READ_TIMEOUT),
            // Platforms are chosen by the caller from the raw index.
            platform_resolver: None,
            user_agent: concat!("tidewatch/", env!("CARGO_PKG_VERSION")),
            ..ClientConfig::default()
        };
        Remote {
            image: image.clone(),
            runtime: Arc::clone(runtime),
            client: Client::new(config),
            auth: auth.clone(),
            scheme,
            attempts: ATTEMPTS,
            insecure,
        }
    }

    fn authenticate(&self) -> Result<(), ImageError> {
        let reference = &self.image.endpoint;
        self.retry("authenticating", || async {
            self.client
                .auth(reference, &self.auth, RegistryOperation::Pull)
                .await
                .map(|_| ())
        })
    }

    /// Fetch a manifest or index (raw bytes, so its digest can be checked)
    /// and the digest the registry reported for it.
    pub fn manifest(
        &self,
        reference: &Reference,
        accept: &[&str],
    ) -> Result<(Bytes, String), ImageError> {
        self.retry("fetching the manifest", || async {
            self.client
                .pull_manifest_raw(reference, &self.auth, accept)
                .await
        })
    }

    /// Fetch a small blob (the config) whole.
    pub fn small_blob(&self, digest: &str, limit: u64) -> Result<Vec<u8>, ImageError> {
        let mut reader = self.blob(digest)?;
        let mut out = Vec::new();
        (&mut reader)
            .take(limit.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| self.io_error(digest, e))?;
        if out.len() as u64 > limit {
            return Err(ImageError::Registry {
                reference: self.image.canonical.clone(),
                detail: format!("blob {digest} is larger than {limit} bytes"),
            });
        }
        Ok(out)
    }

    /// Open a blob for streaming.
    pub fn blob(&self, digest: &str) -> Result<BlobReader, ImageError> {
        let reference = self.image.at_digest(digest);
        let descriptor = OciDescriptor {
            digest: digest.to_string(),
            ..OciDescriptor::default()
        };
        let sized = self.retry("fetching a blob", || async {
            self.client.pull_blob_stream(&reference, &descriptor).await
        })?;
        Ok(BlobReader {
            runtime: Arc::clone(&self.runtime),
            stream: Some(sized.stream),
            chunk: Bytes::new(),
        })
    }

    /// `registry/repo@digest`, how a blob is named in messages.
    pub fn describe(&self, digest: &str) -> String {
        format!(
            "{}/{}@{digest}",
            self.image.registry(),
            self.image.endpoint.repository()
        )
    }

    pub fn io_error(&self, digest: &str, e: io::Error) -> ImageError {
        ImageError::io(self.describe(digest), e)
    }

    /// Run a request, retrying transient failures with a growing pause.
    fn retry<T, F, Fut>(&self, what: &str, mut request: F) -> Result<T, ImageError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, OciDistributionError>>,
    {
        let mut attempt = 1;
        loop {
            match self.runtime.block_on(request()) {
                Ok(v) => return Ok(v),
                Err(e) if attempt < self.attempts && transient(&e) => {
                    let pause = Duration::from_millis(250 << attempt);
                    tracing::debug!(error = %e, attempt, ?pause, "{what}: retrying");
                    std::thread::sleep(pause);
                    attempt += 1;
                }
                Err(e) => return Err(self.classify(e, what)),
            }
        }
    }

    fn classify(&self, e: OciDistributionError, what: &str) -> ImageError {
        let reference = self.image.canonical.clone();
        let registry = format!("{}://{}", self.scheme, self.image.registry());
        let detail = format!("{what}: {}", describe_error(&e));
        match kind(&e) {
            Kind::Unauthorized => ImageError::RegistryUnauthorized { reference, detail },
            Kind::NotFound => ImageError::RegistryNotFound { reference, detail },
            Kind::Unreachable => ImageError::RegistryUnreachable {
                reference,
                registry,
                detail: if self.scheme == "https" && !self.insecure {
                    format!("{detail} (for a plain-HTTP or self-signed registry, pass --insecure)")
                } else {
                    detail
                },
            },
            Kind::Digest => match e {
                OciDistributionError::DigestError(DigestError::VerificationError {
                    expected,
                    actual,
                }) => ImageError::DigestMismatch {
                    file: reference,
                    what: what.trim_start_matches("fetching ").to_string(),
                    expected,
                    actual,
                },
                other => ImageError::Registry {
                    reference,
                    detail: format!("{what}: {}", describe_error(&other)),
                },
            },
            Kind::Other => ImageError::Registry { reference, detail },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unauthorized,
    NotFound,
    Unreachable,
    Digest,
    Other,
}

fn kind(e: &OciDistributionError) -> Kind {
    match e {
        OciDistributionError::AuthenticationFailure(_)
        | OciDistributionError::UnauthorizedError { .. } => Kind::Unauthorized,
        OciDistributionError::ImageManifestNotFoundError(_) => Kind::NotFound,
        OciDistributionError::RegistryError { envelope, .. } => {
            let codes = || envelope.errors.iter().map(|e| &e.code);
            if codes().any(|c| matches!(c, OciErrorCode::Unauthorized | OciErrorCode::Denied)) {
                Kind::Unauthorized
            } else if codes().any(|c| {
                matches!(
                    c,
                    OciErrorCode::ManifestUnknown
                        | OciErrorCode::NameUnknown
                        | OciErrorCode::BlobUnknown
                        | OciErrorCode::NotFound
                )
            }) {
                Kind::NotFound
            } else {
                Kind::Other
            }
        }
        OciDistributionError::ServerError { code, .. } => match code {
            401 | 403 => Kind::Unauthorized,
            404 => Kind::NotFound,
            _ => Kind::Other,
        },
        OciDistributionError::RequestError(r) if r.is_connect() || r.is_timeout() => {
            Kind::Unreachable
        }
        OciDistributionError::DigestError(_) => Kind::Digest,
        _ => Kind::Other,
    }
}

/// Worth another try: the network or the server hiccupped.
fn transient(e: &OciDistributionError) -> bool {
    match e {
        OciDistributionError::RequestError(r) => {
            // A refused connection will be refused again; don't wait for it.
            let refused = r.is_connect() && connection_refused(r);
            !(r.is_builder() || r.is_redirect() || refused)
        }
        OciDistributionError::ServerError { code, .. } => *code >= 500 || *code == 429,
        OciDistributionError::RegistryError { envelope, .. } => envelope
            .errors
            .iter()
            .any(|e| matches!(e.code, OciErrorCode::Toomanyrequests)),
        _ => false,
    }
}

fn connection_refused(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<io::Error>()
            && io.kind() == io::ErrorKind::ConnectionRefused
        {
            return true;
        }
        source = s.source();
    }
    false
}

/// The error with its causes, which reqwest keeps out of `Display`.
fn describe_error(e: &OciDistributionError) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// A blocking reader over a blob's response body.
pub(crate) struct BlobReader {
    runtime: Arc<tokio::runtime::Runtime>,
    stream: Option<BoxStream<'static, Result<Bytes, io::Error>>>,
    chunk: Bytes,
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            let Some(stream) = self.stream.as_mut() else {
                return Ok(0);
            };
            match self.runtime.block_on(stream.next()) {
                Some(Ok(chunk)) => self.chunk = chunk,
                Some(Err(e)) if is_digest_check(&e) => {
                    // All bytes were delivered; the reader's own hash of
                    // them reports the mismatch with the layer's name.
                    self.stream = None;
                    return Ok(0);
                }
                Some(Err(e)) => return Err(e),
                None => {
                    self.stream = None;
                    return Ok(0);
                }
            }
        }
        let n = buf.len().min(self.chunk.len());
        let head = self.chunk.split_to(n);
        if let Some(dst) = buf.get_mut(..n) {
            dst.copy_from_slice(&head);
        }
        Ok(n)
    }
}

fn is_digest_check(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| {
        inner.is::<DigestError>()
            || inner
                .downcast_ref::<OciDistributionError>()
                .is_some_and(|o| matches!(o, OciDistributionError::DigestError(_)))
    })
}
