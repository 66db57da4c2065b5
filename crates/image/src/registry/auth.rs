//! Whose credentials a pull uses: `--username/--password` (or
//! `TIDEWATCH_USERNAME/PASSWORD`) when given, otherwise what `docker login`
//! stored in the Docker config (`auths`, `credsStore`, `credHelpers` via
//! the `docker-credential-*` helpers, read by the `docker_credential`
//! crate), otherwise none. The registry decides from its challenge
//! whether they go out as Basic auth or are traded for a bearer token
//! (oci-client does both).

use super::RegistryOptions;
use super::reference::ImageRef;
use docker_credential::{CredentialRetrievalError, DockerCredential};
use oci_client::secrets::RegistryAuth;
use std::path::PathBuf;

/// Where the credentials came from, for debug logs and error hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    Flags,
    DockerConfig,
    Anonymous,
}

pub(crate) fn resolve(
    image: &ImageRef,
    opts: &RegistryOptions,
) -> Result<(RegistryAuth, Origin), String> {
    match (&opts.username, &opts.password) {
        (Some(u), Some(p)) => {
            return Ok((RegistryAuth::Basic(u.clone(), p.clone()), Origin::Flags));
        }
        (Some(_), None) => return Err("--username needs --password (or TIDEWATCH_PASSWORD)".into()),
        (None, Some(_)) => return Err("--password needs --username (or TIDEWATCH_USERNAME)".into()),
        (None, None) => {}
    }
    let Some(path) = opts.docker_config.clone().or_else(default_config) else {
        return Ok((RegistryAuth::Anonymous, Origin::Anonymous));
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!("{}: cannot read the Docker config: {e}", path.display());
            }
            return Ok((RegistryAuth::Anonymous, Origin::Anonymous));
        }
    };
    for key in image.config_keys() {
        match docker_credential::get_credential_from_reader(bytes.as_slice(), &key) {
            Ok(DockerCredential::UsernamePassword(u, p)) => {
                tracing::debug!(registry = key, "credentials from {}", path.display());
                return Ok((RegistryAuth::Basic(u, p), Origin::DockerConfig));
            }
            Ok(DockerCredential::IdentityToken(_)) => {
                tracing::warn!(
                    "{}: the credentials for {key} are an identity token, which tidewatch cannot use; pulling anonymously",
                    path.display()
                );
                return Ok((RegistryAuth::Anonymous, Origin::Anonymous));
            }
            Err(
                CredentialRetrievalError::NoCredentialConfigured
                | CredentialRetrievalError::ConfigNotFound,
            ) => {}
            // A helper that knows nothing for this registry exits non-zero.
            Err(CredentialRetrievalError::HelperFailure { helper, stderr, .. }) => {
                tracing::debug!(
                    helper,
                    stderr,
                    registry = key,
                    "credential helper had nothing"
                );
            }
            Err(e) => {
                return Err(format!("{}: credentials for {key}: {e}", path.display()));
            }
        }
    }
    Ok((RegistryAuth::Anonymous, Origin::Anonymous))
}

/// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
fn default_config() -> Option<PathBuf> {
    let dir = std::env::var_os("DOCKER_CONFIG")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".docker"))
        })?;
    Some(dir.join("config.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(s: &str) -> ImageRef {
        match ImageRef::parse(s) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        }
    }

    fn with_config(json: &str) -> (tempfile::TempDir, RegistryOptions) {
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        let path = dir.path().join("config.json");
        if let Err(e) = std::fs::write(&path, json) {
            panic!("{e}");
        }
        let opts = RegistryOptions {
            docker_config: Some(path),
            ..RegistryOptions::default()
        };
        (dir, opts)
    }

    #[test]
    fn flags_win_and_must_come_in_pairs() {
        let (_d, mut opts) = with_config(r#"{"auths":{"r.example":{"auth":"YTpi"}}}"#);
        opts.username = Some("u".into());
        opts.password = Some("p".into());
        let got = resolve(&image("r.example/x"), &opts);
        assert!(
            matches!(got, Ok((RegistryAuth::Basic(u, p), Origin::Flags)) if u == "u" && p == "p")
        );
        opts.password = None;
        assert!(resolve(&image("r.example/x"), &opts).is_err());
    }

    #[test]
    fn docker_config_auths_by_host_and_hub_key() {
        // "YTpi" is base64("a:b").
        let (_d, opts) = with_config(
            r#"{"auths":{"r.example:5000":{"auth":"YTpi"},"https://index.docker.io/v1/":{"auth":"aHViOnNlY3JldA=="}}}"#,
        );
        let got = resolve(&image("r.example:5000/x:1"), &opts);
        assert!(
            matches!(got, Ok((RegistryAuth::Basic(u, p), Origin::DockerConfig)) if u == "a" && p == "b")
        );
        let got = resolve(&image("alpine"), &opts);
        assert!(matches!(got, Ok((RegistryAuth::Basic(u, p), _)) if u == "hub" && p == "secret"));
        let got = resolve(&image("other.example/x"), &opts);
        assert!(matches!(
            got,
            Ok((RegistryAuth::Anonymous, Origin::Anonymous))
        ));
    }

    #[test]
    fn broken_auth_entry_is_an_error_naming_the_file() {
        let (_d, opts) = with_config(r#"{"auths":{"r.example":{"auth":"!!!"}}}"#);
        let got = resolve(&image("r.example/x"), &opts);
        assert!(
            matches!(&got, Err(e) if e.contains("config.json") && e.contains("r.example")),
            "{got:?}"
        );
    }
}
