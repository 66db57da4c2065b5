//! Pulls from a real registry without the internet: Debian's
//! `docker-registry` (distribution v2) started on 127.0.0.1 with temporary
//! storage, images pushed into it with `skopeo`, then opened by reference
//! and compared with the same image opened from its tarball. Covers
//! anonymous pulls, htpasswd Basic auth, bearer tokens from a token server
//! run by the test (JWTs signed with `openssl`), a multi-platform index,
//! and the distinct errors for 401, 404, unreachable and digest mismatch.
//! Every test prints "skipping" and passes when `docker-registry`,
//! `skopeo` (or, for auth, `htpasswd`/`openssl`) are not installed.

mod registry_support;

use registry_support::*;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use tidewatch_image::{ImageError, OpenOptions};
use tidewatch_testkit::ImageBuilder;

#[test]
fn anonymous_pull_matches_the_tarball_and_errors_are_distinct() {
    if !tools_present(&[]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let tar = dir.path().join("img.tar");
    sample()
        .write_oci_tar(&tar)
        .unwrap_or_else(|e| panic!("{e}"));
    let reg = Registry::start("", None);
    reg.push(
        &format!("oci-archive:{}", tar.display()),
        "team/app:1.0",
        false,
    );

    let opts = options(None);
    let by_ref = open(&reg.reference("team/app:1.0"), &opts);
    let by_file = open(&tar.display().to_string(), &OpenOptions::default());
    same_image(&by_ref, &by_file);
    // The `registry:` prefix and a digest reference reach the same image.
    let digest = by_ref.manifest_digest.clone().unwrap_or_default();
    let pinned = open(
        &format!("registry:{}@{digest}", reg.reference("team/app")),
        &opts,
    );
    same_image(&pinned, &by_file);

    // 404: unknown tag and unknown repository.
    for missing in ["team/app:2.0", "nobody/here:1"] {
        let err = tidewatch_image::open(&reg.reference(missing), &opts).err();
        assert!(
            matches!(err, Some(ImageError::RegistryNotFound { .. })),
            "{missing}: {err:?}"
        );
    }
    // Unreachable: nothing listens on that port.
    let dead = format!("127.0.0.1:{}/team/app:1.0", free_port());
    let err = tidewatch_image::open(&dead, &opts).err();
    assert!(
        matches!(&err, Some(ImageError::RegistryUnreachable { .. })),
        "{err:?}"
    );
    // Without --insecure a plain-HTTP registry is unreachable, with a hint.
    let mut strict = options(None);
    strict.registry.insecure = false;
    let err = tidewatch_image::open(&reg.reference("team/app:1.0"), &strict).err();
    assert!(
        matches!(&err, Some(ImageError::RegistryUnreachable { detail, .. }) if detail.contains("--insecure")),
        "{err:?}"
    );
    // --offline forbids the pull.
    let mut offline = options(None);
    offline.offline = true;
    let err = tidewatch_image::open(&reg.reference("team/app:1.0"), &offline).err();
    assert!(matches!(err, Some(ImageError::Offline { .. })), "{err:?}");
}

#[test]
fn a_tampered_layer_is_a_digest_mismatch() {
    if !tools_present(&[]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let tar = dir.path().join("img.tar");
    let built = sample()
        .write_oci_tar(&tar)
        .unwrap_or_else(|e| panic!("{e}"));
    let reg = Registry::start("", None);
    reg.push(&format!("oci-archive:{}", tar.display()), "app:1", false);
    // Swap the stored bytes of the top layer for other bytes: the registry
    // serves them under the old digest.
    let layer = built.layers.last().unwrap_or_else(|| panic!("no layers"));
    reg.corrupt_blob(&layer.digest, &layer.blob);

    let image = open(&reg.reference("app:1"), &options(None));
    let err = image.squash(&All).err();
    assert!(
        matches!(&err, Some(ImageError::DigestMismatch { expected, .. }) if expected == &layer.digest),
        "{err:?}"
    );
}

#[test]
fn htpasswd_basic_auth() {
    if !tools_present(&["htpasswd"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let htpasswd = dir.path().join("htpasswd");
    let out = Command::new("htpasswd")
        .args(["-Bbn", "alice", "s3cret"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&htpasswd, &out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let auth = format!(
        "auth:\n  htpasswd:\n    realm: tidewatch-test\n    path: {}\n",
        htpasswd.display()
    );
    let reg = Registry::start(&auth, Some("alice:s3cret"));
    let (by_ref, _) = reg.push_sample_and_compare(dir.path(), "private/app:1", ("alice", "s3cret"));

    for creds in [None, Some(("alice", "wrong"))] {
        let err = tidewatch_image::open(&reg.reference("private/app:1"), &options(creds)).err();
        assert!(
            matches!(err, Some(ImageError::RegistryUnauthorized { .. })),
            "{creds:?}: {err:?}"
        );
    }

    // Credentials from a Docker config file's `auths`.
    let config = dir.path().join("config.json");
    let entry = base64(b"alice:s3cret", false);
    std::fs::write(
        &config,
        format!(
            r#"{{"auths":{{"127.0.0.1:{}":{{"auth":"{entry}"}}}}}}"#,
            reg.port
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut opts = options(None);
    opts.registry.docker_config = Some(config);
    let by_config = open(&reg.reference("private/app:1"), &opts);
    assert_eq!(by_config.config_digest, by_ref.config_digest);
}

#[test]
fn bearer_token_auth_from_a_token_server() {
    if !tools_present(&["openssl"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let key = dir.path().join("key.pem");
    let cert = dir.path().join("cert.pem");
    let ok = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=tidewatch-token"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "openssl req failed");
    let der = Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(&cert)
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
        .stdout;
    let tokens = TokenServer::start(key.clone(), base64(&der, false), ("bob", "hunter2"));
    let auth = format!(
        "auth:\n  token:\n    realm: http://127.0.0.1:{}/token\n    service: tidewatch-registry\n    issuer: tidewatch-issuer\n    rootcertbundle: {}\n",
        tokens.port,
        cert.display()
    );
    let reg = Registry::start(&auth, Some("bob:hunter2"));
    let (_, tar) = reg.push_sample_and_compare(dir.path(), "tok/app:1", ("bob", "hunter2"));
    // Wrong password: the token server refuses, which is a 401 too.
    let err =
        tidewatch_image::open(&reg.reference("tok/app:1"), &options(Some(("bob", "nope")))).err();
    assert!(
        matches!(err, Some(ImageError::RegistryUnauthorized { .. })),
        "{err:?}"
    );

    // An identity token in the Docker config is traded at the token
    // server for an access token (as `docker pull` does)...
    let config = dir.path().join("config.json");
    let with_token = |token: &str| {
        std::fs::write(
            &config,
            format!(
                r#"{{"auths":{{"127.0.0.1:{}":{{"identitytoken":"{token}"}}}}}}"#,
                reg.port
            ),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let mut opts = options(None);
        opts.registry.docker_config = Some(config.clone());
        opts
    };
    let by_token = open(&reg.reference("tok/app:1"), &with_token(REFRESH_TOKEN));
    same_image(
        &by_token,
        &open(&tar.display().to_string(), &OpenOptions::default()),
    );
    // ...and one the token server refuses is a 401 that says so.
    let err = tidewatch_image::open(&reg.reference("tok/app:1"), &with_token("stale")).err();
    assert!(
        matches!(&err, Some(ImageError::RegistryUnauthorized { detail, .. })
            if detail.contains("identity token") && detail.contains("config.json")),
        "{err:?}"
    );
}

#[test]
fn multi_platform_index_picks_the_platform() {
    if !tools_present(&[]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let amd = sample().architecture("amd64");
    let arm = ImageBuilder::new()
        .layer(|l| {
            l.file("etc/os-release", b"ID=alpine\nVERSION_ID=3.18.9\n")
                .file("arm", b"arm64\n")
        })
        .architecture("arm64");
    let amd_built = amd
        .write_oci_dir(dir.path().join("amd"))
        .unwrap_or_else(|e| panic!("{e}"));
    let arm_built = arm
        .write_oci_dir(dir.path().join("arm"))
        .unwrap_or_else(|e| panic!("{e}"));
    // One layout holding both, behind an index with platforms.
    let multi = dir.path().join("multi");
    let blobs = multi.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap_or_else(|e| panic!("{e}"));
    for sub in ["amd", "arm"] {
        for entry in std::fs::read_dir(dir.path().join(sub).join("blobs/sha256"))
            .unwrap_or_else(|e| panic!("{e}"))
            .flatten()
        {
            std::fs::copy(entry.path(), blobs.join(entry.file_name()))
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let desc = |digest: &str, size: usize, arch: &str, variant: Option<&str>| {
        let mut platform = serde_json::json!({"os": "linux", "architecture": arch});
        if let Some(v) = variant {
            platform["variant"] = serde_json::json!(v);
        }
        serde_json::json!({"mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": digest, "size": size, "platform": platform})
    };
    let index = serde_json::to_vec(&serde_json::json!({
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [
        desc(&amd_built.manifest_digest, amd_built.manifest.len(), "amd64", None),
        desc(&arm_built.manifest_digest, arm_built.manifest.len(), "arm64", Some("v8")),
    ]}))
    .unwrap_or_default();
    let index_digest = sha256_hex(&index);
    std::fs::write(blobs.join(&index_digest), &index).unwrap_or_else(|e| panic!("{e}"));
    let top = serde_json::json!({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "digest": format!("sha256:{index_digest}"), "size": index.len(),
        "annotations": {"org.opencontainers.image.ref.name": "multi"}}]});
    std::fs::write(multi.join("index.json"), top.to_string()).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        multi.join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));

    let reg = Registry::start("", None);
    reg.push(&format!("oci:{}:multi", multi.display()), "multi:1", true);

    let mut opts = options(None);
    opts.registry.platform = Some("linux/arm64".into());
    let arm_img = open(&reg.reference("multi:1"), &opts);
    assert_eq!(arm_img.config.architecture.as_deref(), Some("arm64"));
    assert_eq!(
        arm_img.manifest_digest.as_deref(),
        Some(arm_built.manifest_digest.as_str())
    );
    let s = arm_img.squash(&All).unwrap_or_else(|e| panic!("{e}"));
    assert!(s.files.contains("arm"));

    opts.registry.platform = Some("linux/amd64".into());
    let amd_img = open(&reg.reference("multi:1"), &opts);
    assert_eq!(
        amd_img.manifest_digest.as_deref(),
        Some(amd_built.manifest_digest.as_str())
    );

    opts.registry.platform = Some("linux/s390x".into());
    let err = tidewatch_image::open(&reg.reference("multi:1"), &opts).err();
    assert!(
        matches!(&err, Some(ImageError::NoMatch { choices, .. }) if choices.len() == 2),
        "{err:?}"
    );
    // The default is the host's platform (these tests run on amd64 or arm64).
    opts.registry.platform = None;
    let host = open(&reg.reference("multi:1"), &opts);
    assert!(host.manifest_digest.is_some());
}

/// The identity token (OAuth2 refresh token) the token server accepts.
const REFRESH_TOKEN: &str = "refresh-abc";

/// A token server in the style of Docker's: `GET /token?scope=…&service=…`
/// with Basic credentials, or `POST /token` with a refresh-token grant for
/// [`REFRESH_TOKEN`], answers `{"token": <JWT>}` granting what was asked
/// for, signed RS256 with `openssl dgst`, the certificate in `x5c`.
struct TokenServer {
    port: u16,
}

impl TokenServer {
    fn start(key: PathBuf, cert_b64: String, creds: (&'static str, &'static str)) -> TokenServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let expected = format!(
            "Basic {}",
            base64(format!("{}:{}", creds.0, creds.1).as_bytes(), false)
        );
        std::thread::spawn(move || {
            // Bounded: a test needs a handful of tokens.
            for stream in listener.incoming().take(200).flatten() {
                let _ = serve_token(stream, &key, &cert_b64, &expected);
            }
        });
        TokenServer { port }
    }
}

fn serve_token(
    stream: TcpStream,
    key: &Path,
    cert_b64: &str,
    expected: &str,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut authorized = false;
    let mut content_length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("authorization") {
                authorized = value.trim() == expected;
            } else if name.eq_ignore_ascii_case("content-length") {
                content_length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("");
    let mut query = target
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or("")
        .to_string();
    if request_line.starts_with("POST ") {
        // An OAuth2 refresh-token grant: the form carries the scope, and
        // the identity token replaces the Basic credentials.
        let mut body = vec![0u8; content_length.min(64 * 1024)];
        reader.read_exact(&mut body)?;
        query = String::from_utf8_lossy(&body).into_owned();
        let field = |name: &str| {
            query
                .split('&')
                .find_map(|p| p.strip_prefix(&format!("{name}=")))
                .map(percent_decode)
        };
        authorized = field("grant_type").as_deref() == Some("refresh_token")
            && field("refresh_token").as_deref() == Some(REFRESH_TOKEN);
    }
    let mut access = Vec::new();
    for pair in query.split('&') {
        if let Some(scope) = pair.strip_prefix("scope=") {
            let scope = percent_decode(scope);
            let parts: Vec<&str> = scope.split(':').collect();
            if let [kind, name, actions] = parts.as_slice() {
                let actions: Vec<&str> = actions.split(',').collect();
                access.push(serde_json::json!({"type": kind, "name": name, "actions": actions}));
            }
        }
    }
    let mut out = stream;
    if !authorized {
        let body = r#"{"details":"bad credentials"}"#;
        return write!(
            out,
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "x5c": [cert_b64]});
    let claims = serde_json::json!({"iss": "tidewatch-issuer", "sub": "bob", "aud": "tidewatch-registry",
        "exp": now + 600, "nbf": now - 60, "iat": now - 60, "jti": format!("{now}-{}", access.len()),
        "access": access});
    let signing_input = format!(
        "{}.{}",
        base64(header.to_string().as_bytes(), true),
        base64(claims.to_string().as_bytes(), true)
    );
    let mut sign = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = sign.stdin.take() {
        stdin.write_all(signing_input.as_bytes())?;
    }
    let mut signature = Vec::new();
    if let Some(mut stdout) = sign.stdout.take() {
        stdout.read_to_end(&mut signature)?;
    }
    sign.wait()?;
    let token = format!("{signing_input}.{}", base64(&signature, true));
    let body =
        serde_json::json!({"token": token, "access_token": token, "expires_in": 600}).to_string();
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = bytes.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(&String::from_utf8_lossy(hex), 16)
        {
            out.push(v);
            i += 3;
        } else if bytes[i] == b'+' {
            out.push(b' ');
            i += 1;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Standard or URL-safe unpadded base64 (test helper; no crate needed).
fn base64(data: &[u8], url: bool) -> String {
    let table: &[u8; 64] = if url {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(table[((n >> (18 - 6 * i)) & 63) as usize]));
        }
        if !url {
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
    }
    out
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(data))
}
