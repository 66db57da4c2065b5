//! Whose credentials `tidewatch image REF` sends, driven through the real
//! binary against a local `docker-registry` with htpasswd Basic auth: the
//! Docker config found through `DOCKER_CONFIG` (or `~/.docker`), its
//! `auths`, `credsStore` and per-host `credHelpers` (fake
//! `docker-credential-*` helpers the test writes into a directory put
//! first on `PATH`), and `--username/--password` and
//! `TIDEWATCH_USERNAME/PASSWORD` over all of them. Also: the registry scan
//! gives the same findings as the tarball scan, and 401, 404 and an
//! unreachable registry each exit 2 with their own message. Skips (with a
//! message) when `docker-registry`, `skopeo` or `htpasswd` are missing.

mod common;
#[path = "../../image/tests/registry_support/mod.rs"]
mod registry_support;

use common::{ALPINE_OS_RELEASE, Env, apk_db, findings, secdb};
use registry_support::{Registry, free_port, tools_present};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tidewatch_testkit::{BuiltImage, Compression, ImageBuilder};

const USER: &str = "alice";
const PASSWORD: &str = "s3cret";

/// The fake helpers: one script per name, whose behaviour is chosen by a
/// `<name>.mode` file next to it, logging each `get` to `calls.log`.
const HELPER: &str = r#"#!/bin/sh
here=$(dirname "$0")
name=$(basename "$0")
[ "$1" = get ] || { echo "unsupported: $1" >&2; exit 1; }
server=$(cat)
echo "$name $server" >> "$here/calls.log"
case "$(cat "$here/$name.mode" 2>/dev/null)" in
  ok) printf '{"ServerURL":"%s","Username":"alice","Secret":"s3cret"}\n' "$server" ;;
  wrong) printf '{"ServerURL":"%s","Username":"alice","Secret":"nope"}\n' "$server" ;;
  token) printf '{"ServerURL":"%s","Username":"<token>","Secret":"refresh"}\n' "$server" ;;
  notfound) echo "credentials not found in native keychain"; exit 1 ;;
  garbage) echo "this is not JSON" ;;
  *) echo "the keychain is locked" >&2; exit 3 ;;
esac
"#;

struct Setup {
    env: Env,
    reg: Registry,
    bin: PathBuf,
    tar: PathBuf,
    built: BuiltImage,
}

impl Setup {
    fn reference(&self) -> String {
        self.reg.reference("private/app:1")
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.reg.port)
    }

    fn mode(&self, helper: &str, mode: &str) {
        std::fs::write(
            self.bin.join(format!("docker-credential-{helper}.mode")),
            mode,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }

    /// The helper calls since the last look, as `name server` lines.
    fn calls(&self) -> Vec<String> {
        let log = self.bin.join("calls.log");
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let _ = std::fs::remove_file(&log);
        text.lines().map(str::to_string).collect()
    }

    /// Write `json` as the Docker config in `dir` (created).
    fn config(&self, dir: &Path, json: &str) {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.join("config.json"), json).unwrap_or_else(|e| panic!("{e}"));
    }

    /// `tidewatch image REF` with the helpers first on PATH; `env` adds
    /// variables (`DOCKER_CONFIG`, `TIDEWATCH_USERNAME`, …).
    fn scan(&self, env: &[(&str, &Path)], args: &[&str]) -> Output {
        let mut cmd = self.env.cmd();
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![self.bin.clone()];
        dirs.extend(std::env::split_paths(&path));
        cmd.env(
            "PATH",
            std::env::join_paths(dirs).unwrap_or_else(|e| panic!("{e}")),
        );
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.args(["image", "--image-src", "registry", "--insecure"])
            .args(["--format", "json", "--skip-db-update"])
            .arg(self.reference())
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("run tidewatch: {e}"))
    }
}

fn setup() -> Option<Setup> {
    if !tools_present(&["htpasswd"]) {
        return None;
    }
    let env = Env::new();
    env.import(&[(
        "alpine/v3.18/main.json",
        &secdb(&[("zlib", "1.2.13-r2", "CVE-2023-45853")]),
    )]);
    let htpasswd = env.path("htpasswd");
    let out = Command::new("htpasswd")
        .args(["-Bbn", USER, PASSWORD])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&htpasswd, &out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let auth = format!(
        "auth:\n  htpasswd:\n    realm: tidewatch-test\n    path: {}\n",
        htpasswd.display()
    );
    let reg = Registry::start(&auth, Some(&format!("{USER}:{PASSWORD}")));
    let tar = env.path("img.tar");
    let built = ImageBuilder::new()
        .layer(|l| {
            l.file("etc/os-release", ALPINE_OS_RELEASE.as_bytes()).file(
                "lib/apk/db/installed",
                apk_db(&[("zlib", "1.2.13-r1", "zlib")]).as_bytes(),
            )
        })
        .compression(Compression::Gzip)
        .write_oci_tar(&tar)
        .unwrap_or_else(|e| panic!("{e}"));
    reg.push(
        &format!("oci-archive:{}", tar.display()),
        "private/app:1",
        false,
    );
    let bin = env.path("bin");
    std::fs::create_dir_all(&bin).unwrap_or_else(|e| panic!("{e}"));
    for name in ["tidewatchtest", "tidewatchstore"] {
        let script = bin.join(format!("docker-credential-{name}"));
        std::fs::write(&script, HELPER).unwrap_or_else(|e| panic!("{e}"));
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    Some(Setup {
        env,
        reg,
        bin,
        tar,
        built,
    })
}

/// The scan succeeded and found what the tarball scan finds.
#[track_caller]
fn pulled(s: &Setup, out: &Output, expected: &serde_json::Value) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}); stderr: {stderr}"));
    assert_eq!(findings(&report), findings(expected));
    assert_eq!(report["packages"], expected["packages"]);
    assert!(
        report["target"]["name"]
            .as_str()
            .is_some_and(|n| n.contains(&s.host())),
        "{}",
        report["target"]
    );
}

/// Exit 2, nothing on stdout, and stderr mentions every one of `words`.
#[track_caller]
fn refused(out: &Output, words: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        out.stdout.is_empty(),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    for w in words {
        assert!(stderr.contains(w), "{w:?} not in stderr: {stderr}");
    }
}

fn tarball_report(s: &Setup) -> serde_json::Value {
    let (code, report, stderr) = s.env.scan_json("image", &s.tar, &["--skip-db-update"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(findings(&report).len(), 1, "{report}");
    report
}

#[test]
fn credential_helpers_stores_and_auths_in_dockers_order() {
    let Some(s) = setup() else { return };
    let expected = tarball_report(&s);
    let docker = s.env.path("docker-config");
    let with_config: [(&str, &Path); 1] = [("DOCKER_CONFIG", &docker)];
    let host = s.host();

    // A per-host credHelpers entry wins over credsStore (which would send
    // a wrong password); the helper is asked for the bare host.
    s.mode("tidewatchtest", "ok");
    s.mode("tidewatchstore", "wrong");
    s.config(
        &docker,
        &format!(r#"{{"credsStore":"tidewatchstore","credHelpers":{{"{host}":"tidewatchtest"}}}}"#),
    );
    pulled(&s, &s.scan(&with_config, &[]), &expected);
    assert_eq!(
        s.calls(),
        vec![format!("docker-credential-tidewatchtest {host}")]
    );

    // Without a per-host entry the store is used: the right password
    // pulls, a wrong one is a 401 that names where it came from.
    s.config(&docker, r#"{"credsStore":"tidewatchtest","auths":{}}"#);
    pulled(&s, &s.scan(&with_config, &[]), &expected);
    assert_eq!(
        s.calls(),
        vec![format!("docker-credential-tidewatchtest {host}")]
    );
    s.mode("tidewatchtest", "wrong");
    refused(
        &s.scan(&with_config, &[]),
        &["401", "docker-credential-tidewatchtest"],
    );
    s.calls();

    // A helper with nothing stored means anonymous, which this registry
    // refuses; a failing or garbled helper is an error naming it, before
    // any request is made.
    s.mode("tidewatchtest", "notfound");
    refused(&s.scan(&with_config, &[]), &["401", "unauthorized"]);
    s.mode("tidewatchtest", "fail");
    refused(
        &s.scan(&with_config, &[]),
        &[
            "docker-credential-tidewatchtest",
            "the keychain is locked",
            "config.json",
        ],
    );
    s.mode("tidewatchtest", "garbage");
    refused(
        &s.scan(&with_config, &[]),
        &["docker-credential-tidewatchtest", "not credentials JSON"],
    );
    let garbled = s.scan(&with_config, &[]);
    assert!(!String::from_utf8_lossy(&garbled.stderr).contains("this is not JSON"));
    s.mode("tidewatchtest", "token");
    refused(&s.scan(&with_config, &[]), &["401", "identity token"]);
    s.config(&docker, r#"{"credsStore":"tidewatchmissing"}"#);
    refused(
        &s.scan(&with_config, &[]),
        &["docker-credential-tidewatchmissing", "not found on PATH"],
    );
    s.calls();

    // `auths` with a base64 `auth` (padded, as `docker login` writes it).
    let good = format!(r#"{{"auths":{{"{host}":{{"auth":"YWxpY2U6czNjcmV0"}}}}}}"#);
    s.config(&docker, &good);
    pulled(&s, &s.scan(&with_config, &[]), &expected);
    // The https:// form of the key is the same registry.
    s.config(
        &docker,
        &format!(r#"{{"auths":{{"https://{host}":{{"auth":"YWxpY2U6czNjcmV0"}}}}}}"#),
    );
    pulled(&s, &s.scan(&with_config, &[]), &expected);
    assert!(s.calls().is_empty());
}

#[test]
fn flags_and_env_win_over_the_docker_config_and_docker_config_over_home() {
    let Some(s) = setup() else { return };
    let expected = tarball_report(&s);
    let host = s.host();
    // base64("alice:nope") in ~/.docker, base64("alice:s3cret") in $DOCKER_CONFIG.
    let home = s.env.dir.path().join(".docker");
    s.config(
        &home,
        &format!(r#"{{"auths":{{"{host}":{{"auth":"YWxpY2U6bm9wZQ=="}}}}}}"#),
    );
    let docker = s.env.path("docker-config");
    s.config(
        &docker,
        &format!(r#"{{"auths":{{"{host}":{{"auth":"YWxpY2U6czNjcmV0"}}}}}}"#),
    );
    let home_cfg = home.join("config.json").display().to_string();

    // HOME's config alone: its wrong password is refused, and the error
    // says which file the credentials came from.
    refused(&s.scan(&[], &[]), &["401", &home_cfg]);
    // DOCKER_CONFIG is read instead of ~/.docker.
    pulled(&s, &s.scan(&[("DOCKER_CONFIG", &docker)], &[]), &expected);

    // Flags beat the (good) config: a wrong --password is refused...
    let flags = ["--username", USER, "--password", "nope"];
    refused(
        &s.scan(&[("DOCKER_CONFIG", &docker)], &flags),
        &["401", "--username/--password"],
    );
    // ...and right flags beat the bad HOME config.
    pulled(
        &s,
        &s.scan(&[], &["--username", USER, "--password", PASSWORD]),
        &expected,
    );
    // The environment variables beat the config too, and flags beat them.
    let user = PathBuf::from(USER);
    let good = PathBuf::from(PASSWORD);
    let bad = PathBuf::from("nope");
    pulled(
        &s,
        &s.scan(
            &[("TIDEWATCH_USERNAME", &user), ("TIDEWATCH_PASSWORD", &good)],
            &[],
        ),
        &expected,
    );
    pulled(
        &s,
        &s.scan(
            &[("TIDEWATCH_USERNAME", &user), ("TIDEWATCH_PASSWORD", &bad)],
            &["--password", PASSWORD],
        ),
        &expected,
    );
    // A user name without a password is a usage error, not an anonymous pull.
    refused(&s.scan(&[], &["--username", USER]), &["--password"]);
}

#[test]
fn not_found_and_unreachable_are_distinct_errors() {
    let Some(s) = setup() else { return };
    let cred = ["--username", USER, "--password", PASSWORD];
    let mut cmd = s.env.cmd();
    let out = cmd
        .args(["image", "--image-src", "registry", "--insecure"])
        .args(["--format", "json", "--skip-db-update"])
        .arg(s.reg.reference("private/app:2"))
        .args(cred)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    refused(&out, &["not found in the registry (404)", "private/app:2"]);
    let dead = format!("127.0.0.1:{}/private/app:1", free_port());
    let out = s
        .env
        .cmd()
        .args(["image", "--image-src", "registry", "--insecure"])
        .args(["--format", "json", "--skip-db-update", &dead])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    refused(&out, &["cannot reach the registry", &dead]);

    // The registry serves other bytes under the layer's digest.
    let layer = s.built.layers.last().unwrap_or_else(|| panic!("no layers"));
    s.reg.corrupt_blob(&layer.digest, &layer.blob);
    let out = s
        .env
        .cmd()
        .args([
            "image",
            "--image-src",
            "registry",
            "--insecure",
            "--no-cache",
        ])
        .args(["--format", "json", "--skip-db-update"])
        .arg(s.reference())
        .args(cred)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    refused(&out, &["digest mismatch", &layer.digest]);
}
