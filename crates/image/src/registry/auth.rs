//! Whose credentials a pull uses, in Docker's order: `--username/--password`
//! (or `TIDEWATCH_USERNAME/PASSWORD`) when given; otherwise what `docker
//! login` stored in the Docker config (`$DOCKER_CONFIG/config.json`, else
//! `~/.docker/config.json`): the `credHelpers` entry for the registry's
//! host, else the `credsStore` helper, else the file's own `auths` entry
//! (read by the `docker_credential` crate); otherwise none. As in the
//! Docker CLI, a configured `credsStore` replaces `auths` (whose entries
//! are then empty markers), and a helper that answers "credentials not
//! found" means an anonymous pull, while any other helper failure is an
//! error naming the helper: pulling anonymously instead would turn a
//! broken keychain into a confusing 401. An identity token (`identitytoken`,
//! or a helper's `<token>` user) is traded for an access token at the
//! registry's token server (`token.rs`). The registry decides from its
//! challenge whether the credentials go out as Basic auth or are traded
//! for a bearer token (oci-client does both).
//!
//! Helpers are run here rather than through `docker_credential`, which
//! drops the helper's name and output from its errors and has no timeout.

use super::RegistryOptions;
use super::reference::ImageRef;
use docker_credential::{CredentialRetrievalError, DockerCredential};
use oci_client::secrets::RegistryAuth;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A helper that has not answered by then (a keychain waiting for a GUI
/// prompt nobody will see) is stopped.
const HELPER_TIMEOUT: Duration = Duration::from_secs(60);
/// Helper output beyond this is not credentials.
const HELPER_OUTPUT_LIMIT: u64 = 1 << 20;
/// How the helper protocol says "nothing stored for this server"
/// (docker-credential-helpers' `ErrCredentialsNotFound`).
const NOT_FOUND: &str = "credentials not found";

/// What to authenticate with.
pub(crate) enum Credential {
    Registry(RegistryAuth),
    /// An identity token (an OAuth2 refresh token, `docker login` to a
    /// registry with an OAuth token server): traded for an access token
    /// at the registry's token server before pulling.
    IdentityToken(String),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Registry(a) => a.fmt(f),
            Credential::IdentityToken(_) => f.write_str("IdentityToken(<redacted>)"),
        }
    }
}

/// Where the credentials came from, for debug logs and error hints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    Flags,
    /// The config's `auths` entry.
    DockerConfig(PathBuf),
    /// `docker-credential-<helper>`, named by the config.
    Helper {
        config: PathBuf,
        program: String,
    },
    /// The config holds an identity token (an OAuth refresh token).
    IdentityToken(PathBuf),
    Anonymous,
}

impl Origin {
    /// What a refusal should tell the user about the credentials sent.
    pub(crate) fn hint(&self) -> Option<String> {
        match self {
            Origin::Flags => Some("the credentials from --username/--password were used".into()),
            Origin::DockerConfig(p) => {
                Some(format!("the credentials from {} were used", p.display()))
            }
            Origin::Helper { config, program } => Some(format!(
                "the credentials from {program} (configured in {}) were used",
                config.display()
            )),
            Origin::IdentityToken(p) => Some(format!(
                "{} holds an identity token for this registry; it was refused, or the registry has no token server to trade it at, so the pull was anonymous",
                p.display()
            )),
            Origin::Anonymous => None,
        }
    }
}

pub(crate) fn resolve(
    image: &ImageRef,
    opts: &RegistryOptions,
) -> Result<(Credential, Origin), String> {
    match (&opts.username, &opts.password) {
        (Some(u), Some(p)) => {
            return Ok((
                Credential::Registry(RegistryAuth::Basic(u.clone(), p.clone())),
                Origin::Flags,
            ));
        }
        (Some(_), None) => return Err("--username needs --password (or TIDEWATCH_PASSWORD)".into()),
        (None, Some(_)) => return Err("--password needs --username (or TIDEWATCH_USERNAME)".into()),
        (None, None) => {}
    }
    let Some(path) = opts.docker_config.clone().or_else(default_config) else {
        return Ok((
            Credential::Registry(RegistryAuth::Anonymous),
            Origin::Anonymous,
        ));
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((
                Credential::Registry(RegistryAuth::Anonymous),
                Origin::Anonymous,
            ));
        }
        Err(e) => {
            return Err(format!(
                "{}: cannot read the Docker config: {e}",
                path.display()
            ));
        }
    };
    from_config(image, &path, &bytes)
}

/// The parts of the Docker config that choose a helper.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Helpers {
    #[serde(default)]
    creds_store: Option<String>,
    #[serde(default)]
    cred_helpers: Option<HashMap<String, String>>,
}

fn from_config(
    image: &ImageRef,
    path: &Path,
    bytes: &[u8],
) -> Result<(Credential, Origin), String> {
    let helpers: Helpers = serde_json::from_slice(bytes)
        .map_err(|e| format!("{}: not a valid Docker config: {e}", path.display()))?;
    let keys = image.config_keys();
    let per_host = keys.iter().find_map(|key| {
        helpers
            .cred_helpers
            .as_ref()
            .and_then(|h| h.get(key))
            .filter(|h| !h.is_empty())
            .map(|h| (key.as_str(), h.as_str()))
    });
    let store = helpers
        .creds_store
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| keys.first().map(|k| (k.as_str(), s)));
    if let Some((server, helper)) = per_host.or(store) {
        let program = format!("docker-credential-{helper}");
        tracing::debug!(program, server, "asking the credential helper");
        let origin = Origin::Helper {
            config: path.to_path_buf(),
            program: program.clone(),
        };
        return match run_helper(&program, server, path)? {
            Some(HelperCredential::Basic(u, p)) => {
                Ok((Credential::Registry(RegistryAuth::Basic(u, p)), origin))
            }
            Some(HelperCredential::IdentityToken(t)) => Ok((
                Credential::IdentityToken(t),
                Origin::IdentityToken(path.to_path_buf()),
            )),
            None => Ok((
                Credential::Registry(RegistryAuth::Anonymous),
                Origin::Anonymous,
            )),
        };
    }
    for key in &keys {
        match docker_credential::get_credential_from_reader(bytes, key) {
            Ok(DockerCredential::UsernamePassword(u, p)) => {
                tracing::debug!(registry = key, "credentials from {}", path.display());
                return Ok((
                    Credential::Registry(RegistryAuth::Basic(u, p)),
                    Origin::DockerConfig(path.to_path_buf()),
                ));
            }
            Ok(DockerCredential::IdentityToken(t)) => {
                return Ok((
                    Credential::IdentityToken(t),
                    Origin::IdentityToken(path.to_path_buf()),
                ));
            }
            Err(CredentialRetrievalError::NoCredentialConfigured) => {}
            Err(e) => {
                return Err(format!("{}: credentials for {key}: {e}", path.display()));
            }
        }
    }
    Ok((
        Credential::Registry(RegistryAuth::Anonymous),
        Origin::Anonymous,
    ))
}

enum HelperCredential {
    Basic(String, String),
    IdentityToken(String),
}

/// The helper protocol: `<program> get`, the server on stdin, JSON
/// `{"ServerURL", "Username", "Secret"}` on stdout; `Ok(None)` when it
/// has nothing stored for `server`.
fn run_helper(
    program: &str,
    server: &str,
    config: &Path,
) -> Result<Option<HelperCredential>, String> {
    let named = || format!("{}: credential helper {program}", config.display());
    let mut child = Command::new(program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("{}: not found on PATH", named()),
            _ => format!("{}: cannot run it: {e}", named()),
        })?;
    // A helper that exits without reading stdin is judged by its answer.
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(server.as_bytes());
    }
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            if let Some(p) = pipe {
                let _ = p.take(HELPER_OUTPUT_LIMIT).read_to_end(&mut out);
            }
            out
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > HELPER_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{}: no answer for {server} within {}s",
                    named(),
                    HELPER_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("{}: {e}", named())),
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    if !status.success() {
        let said = format!(
            "{} {}",
            String::from_utf8_lossy(&stdout).trim(),
            String::from_utf8_lossy(&stderr).trim()
        );
        if said.contains(NOT_FOUND) {
            tracing::debug!(program, server, "the helper has no credentials");
            return Ok(None);
        }
        return Err(format!(
            "{}: failed for {server} ({status}): {}",
            named(),
            excerpt(&stderr, &stdout)
        ));
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Answer {
        username: String,
        secret: String,
    }
    // The output is not echoed: a half-broken helper may still print secrets.
    let answer: Answer = serde_json::from_slice(&stdout).map_err(|e| {
        format!(
            "{}: answered for {server} with something that is not credentials JSON ({e})",
            named()
        )
    })?;
    Ok(match (answer.username.as_str(), answer.secret.is_empty()) {
        (_, true) => None,
        ("<token>", false) => Some(HelperCredential::IdentityToken(answer.secret)),
        _ => Some(HelperCredential::Basic(answer.username, answer.secret)),
    })
}

/// The first lines a failing helper wrote (stderr, else stdout), bounded.
fn excerpt(stderr: &[u8], stdout: &[u8]) -> String {
    let text = String::from_utf8_lossy(if stderr.iter().any(|b| !b.is_ascii_whitespace()) {
        stderr
    } else {
        stdout
    });
    let text = text.trim();
    if text.is_empty() {
        return "no output".into();
    }
    let mut out: String = text.lines().take(3).collect::<Vec<_>>().join(" / ");
    if out.len() > 300 {
        let mut cut = 300;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('…');
    }
    out
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
            matches!(got, Ok((Credential::Registry(RegistryAuth::Basic(u, p)), Origin::Flags)) if u == "u" && p == "p")
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
            matches!(got, Ok((Credential::Registry(RegistryAuth::Basic(u, p)), Origin::DockerConfig(_))) if u == "a" && p == "b")
        );
        let got = resolve(&image("alpine"), &opts);
        assert!(
            matches!(got, Ok((Credential::Registry(RegistryAuth::Basic(u, p)), _)) if u == "hub" && p == "secret")
        );
        let got = resolve(&image("other.example/x"), &opts);
        assert!(matches!(
            got,
            Ok((
                Credential::Registry(RegistryAuth::Anonymous),
                Origin::Anonymous
            ))
        ));
    }

    #[test]
    fn a_helper_wins_over_auths_and_a_missing_one_is_named() {
        // credsStore replaces `auths`, as in the Docker CLI: the entry
        // below is not used, the (missing) helper is.
        let (_d, opts) = with_config(
            r#"{"auths":{"r.example":{"auth":"YTpi"}},"credsStore":"tidewatch-no-such-helper"}"#,
        );
        let got = resolve(&image("r.example/x"), &opts);
        assert!(
            matches!(&got, Err(e) if e.contains("docker-credential-tidewatch-no-such-helper")
                && e.contains("not found on PATH") && e.contains("config.json")),
            "{got:?}"
        );
        // A per-host helper for another registry leaves this one to `auths`.
        let (_d, opts) = with_config(
            r#"{"auths":{"r.example":{"auth":"YTpi"}},"credHelpers":{"other.example":"tidewatch-no-such-helper"}}"#,
        );
        let got = resolve(&image("r.example/x"), &opts);
        assert!(
            matches!(got, Ok((Credential::Registry(RegistryAuth::Basic(u, _)), Origin::DockerConfig(_))) if u == "a")
        );
        let got = resolve(&image("other.example/x"), &opts);
        assert!(matches!(&got, Err(e) if e.contains("docker-credential-tidewatch-no-such-helper")));
    }

    #[test]
    fn identity_tokens_are_handed_on_and_named_in_hints() {
        let (_d, opts) = with_config(r#"{"auths":{"r.example":{"identitytoken":"refresh-me"}}}"#);
        let got = resolve(&image("r.example/x"), &opts);
        match got {
            Ok((Credential::IdentityToken(t), origin @ Origin::IdentityToken(_))) => {
                assert_eq!(t, "refresh-me");
                assert!(origin.hint().is_some_and(|h| h.contains("identity token")));
                assert!(!format!("{:?}", Credential::IdentityToken(t)).contains("refresh"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_config_that_is_not_json_is_an_error_naming_it() {
        let (_d, opts) = with_config("{not json");
        let got = resolve(&image("r.example/x"), &opts);
        assert!(
            matches!(&got, Err(e) if e.contains("config.json") && e.contains("not a valid Docker config")),
            "{got:?}"
        );
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
