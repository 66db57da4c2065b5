//! Identity tokens: what `docker login` stores (in `auths` as
//! `identitytoken`, or from a helper as user `<token>`) for registries
//! whose token server speaks OAuth2. Like the Docker CLI, tidewatch reads
//! the token server (`realm`, `service`) from the registry's `/v2/`
//! challenge and trades the token there for an access token
//! (`grant_type=refresh_token`, POST), which then goes out as the bearer
//! token of every request. oci-client only does the Basic-credentials GET,
//! hence this small exchange of its own.

use super::reference::ImageRef;
use crate::error::ImageError;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(30);
/// Token server answers beyond this are not tokens.
const MAX_ANSWER: usize = 1 << 20;

/// The access token for pulling `image` and whether the registry answered
/// over plain HTTP (only tried with `insecure`), or `None` when it does not
/// challenge for bearer tokens (an identity token is then of no use).
pub(crate) fn exchange(
    image: &ImageRef,
    refresh_token: &str,
    insecure: bool,
) -> Result<Option<(String, bool)>, ImageError> {
    let reference = image.canonical.clone();
    let client = reqwest::blocking::Client::builder()
        .danger_accept_invalid_certs(insecure)
        .timeout(TIMEOUT)
        .user_agent(concat!("tidewatch/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ImageError::Registry {
            reference: reference.clone(),
            detail: format!("cannot set up HTTP: {e}"),
        })?;
    let host = image.registry();
    let schemes: &[&str] = if insecure {
        &["https", "http"]
    } else {
        &["https"]
    };
    let mut challenge = None;
    let mut plain_http = false;
    for (i, scheme) in schemes.iter().enumerate() {
        let url = format!("{scheme}://{host}/v2/");
        match client.get(&url).send() {
            Ok(resp) => {
                plain_http = *scheme == "http";
                challenge = resp
                    .headers()
                    .get(reqwest::header::WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_bearer);
                break;
            }
            Err(_) if i + 1 < schemes.len() => continue,
            Err(e) => {
                return Err(ImageError::RegistryUnreachable {
                    reference,
                    registry: format!("{scheme}://{host}"),
                    detail: format!("asking for its token server: {}", chain(&e)),
                });
            }
        }
    }
    let Some((realm, service)) = challenge else {
        return Ok(None);
    };
    let scope = format!("repository:{}:pull", image.endpoint.repository());
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", "tidewatch"),
        ("scope", scope.as_str()),
    ];
    if let Some(s) = service.as_deref() {
        form.push(("service", s));
    }
    let resp = client
        .post(&realm)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(urlencoded(&form))
        .send()
        .map_err(|e| ImageError::RegistryUnreachable {
            reference: reference.clone(),
            registry: realm.clone(),
            detail: format!("trading the identity token: {}", chain(&e)),
        })?;
    let status = resp.status();
    let body = resp.bytes().map_err(|e| ImageError::RegistryUnreachable {
        reference: reference.clone(),
        registry: realm.clone(),
        detail: format!("reading the token server's answer: {}", chain(&e)),
    })?;
    if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
        return Err(ImageError::RegistryUnauthorized {
            reference,
            detail: format!("the token server {realm} refused the identity token ({status})"),
        });
    }
    if !status.is_success() || body.len() > MAX_ANSWER {
        return Err(ImageError::Registry {
            reference,
            detail: format!("the token server {realm} answered {status} to the identity token"),
        });
    }
    #[derive(serde::Deserialize)]
    struct Answer {
        access_token: Option<String>,
        token: Option<String>,
    }
    let answer: Answer = serde_json::from_slice(&body).map_err(|e| ImageError::Registry {
        reference: reference.clone(),
        detail: format!("the token server {realm} answered with no token: {e}"),
    })?;
    match answer.access_token.or(answer.token) {
        Some(t) if !t.is_empty() => Ok(Some((t, plain_http))),
        _ => Err(ImageError::Registry {
            reference,
            detail: format!("the token server {realm} answered with no token"),
        }),
    }
}

/// `realm` and `service` of a `Bearer realm="…",service="…",…` challenge.
fn parse_bearer(header: &str) -> Option<(String, Option<String>)> {
    let rest = header.trim();
    let (scheme, params) = rest.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut realm = None;
    let mut service = None;
    let mut chars = params.trim();
    while !chars.is_empty() {
        let (name, after) = chars.split_once('=')?;
        let name = name.trim().trim_start_matches(',').trim();
        let after = after.trim_start();
        let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"')?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim(), &after[end..])
        };
        match name.to_ascii_lowercase().as_str() {
            "realm" => realm = Some(value.to_string()),
            "service" => service = Some(value.to_string()),
            _ => {}
        }
        chars = next.trim_start().trim_start_matches(',').trim_start();
    }
    realm.filter(|r| !r.is_empty()).map(|r| (r, service))
}

/// `application/x-www-form-urlencoded` (reqwest's `form` is a feature
/// the workspace does not enable for one call).
fn urlencoded(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        let mut out = String::new();
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
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

#[cfg(test)]
mod tests {
    use super::{parse_bearer, urlencoded};

    #[test]
    fn form_encoding() {
        assert_eq!(
            urlencoded(&[("scope", "repository:a/b:pull"), ("t", "x y+z")]),
            "scope=repository%3Aa%2Fb%3Apull&t=x%20y%2Bz"
        );
    }

    #[test]
    fn bearer_challenges() {
        assert_eq!(
            parse_bearer(
                r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a:pull""#
            ),
            Some((
                "https://auth.example/token".into(),
                Some("registry.example".into())
            ))
        );
        assert_eq!(
            parse_bearer(r#"bearer service=reg, realm="http://127.0.0.1:1/t""#),
            Some(("http://127.0.0.1:1/t".into(), Some("reg".into())))
        );
        assert_eq!(parse_bearer(r#"Basic realm="x""#), None);
        assert_eq!(parse_bearer(r#"Bearer service="x""#), None);
        assert_eq!(parse_bearer(r#"Bearer realm="unterminated"#), None);
    }
}
