//! Shared by the registry tests: a `docker-registry` on 127.0.0.1 with
//! temporary storage, pushes with `skopeo`, and comparisons of images.
//! The CLI's registry tests include this file too (`#[path]`), so it uses
//! only what both test crates depend on.

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tidewatch_image::{
    FileFilter, Image, ImageSource, OpenOptions, RegistryOptions, Squashed, Want,
};
use tidewatch_testkit::{Compression, ImageBuilder};

const REGISTRY: &str = "/usr/bin/docker-registry";

pub fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub fn tools_present(extra: &[&str]) -> bool {
    let mut missing: Vec<&str> = Vec::new();
    if !Path::new(REGISTRY).exists() {
        missing.push("docker-registry");
    }
    for t in ["skopeo"].iter().chain(extra) {
        if !have(t) {
            missing.push(t);
        }
    }
    if !missing.is_empty() {
        println!("skipping: {} not installed", missing.join(", "));
    }
    missing.is_empty()
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

/// A `docker-registry` on 127.0.0.1, stopped when dropped.
pub struct Registry {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
    /// `--dest-creds` for skopeo when the registry wants auth.
    pub creds: Option<String>,
}

impl Registry {
    pub fn start(auth_yaml: &str, creds: Option<&str>) -> Registry {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let port = free_port();
        let config = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n{auth_yaml}",
            dir.path().join("data").display()
        );
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).unwrap_or_else(|e| panic!("{e}"));
        let child = Command::new(REGISTRY)
            .arg("serve")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start docker-registry: {e}"));
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "docker-registry did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Registry {
            child,
            port,
            dir,
            creds: creds.map(str::to_string),
        }
    }

    pub fn reference(&self, name: &str) -> String {
        format!("127.0.0.1:{}/{name}", self.port)
    }

    /// Push an OCI layout (dir or archive) with skopeo.
    pub fn push(&self, source: &str, name: &str, all: bool) {
        let mut cmd = Command::new("skopeo");
        cmd.args(["copy", "-q", "--dest-tls-verify=false"]);
        if all {
            cmd.arg("--all");
        }
        if let Some(c) = &self.creds {
            cmd.arg("--dest-creds").arg(c);
        }
        let out = cmd
            .arg(source)
            .arg(format!("docker://{}", self.reference(name)))
            .output()
            .unwrap_or_else(|e| panic!("skopeo: {e}"));
        assert!(
            out.status.success(),
            "skopeo copy failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Overwrite the stored bytes of blob `digest` with `blob` with one
    /// byte flipped: the registry then serves other bytes under the old
    /// digest.
    pub fn corrupt_blob(&self, digest: &str, blob: &[u8]) {
        let hex = digest.trim_start_matches("sha256:");
        let data = self
            .dir
            .path()
            .join("data/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data");
        let mut tampered = blob.to_vec();
        let mid = tampered.len() / 2;
        tampered[mid] ^= 0x01;
        std::fs::write(&data, tampered).unwrap_or_else(|e| panic!("{}: {e}", data.display()));
    }

    /// Push [`sample`] (written as an OCI archive in `dir`) as `name`,
    /// and check that pulling it with `user` gives the same image as the
    /// archive; returns the pulled image and the archive.
    pub fn push_sample_and_compare(
        &self,
        dir: &Path,
        name: &str,
        user: (&str, &str),
    ) -> (Image, PathBuf) {
        let tar = dir.join("img.tar");
        sample()
            .write_oci_tar(&tar)
            .unwrap_or_else(|e| panic!("{e}"));
        self.push(&format!("oci-archive:{}", tar.display()), name, false);
        let by_ref = open(&self.reference(name), &options(Some(user)));
        same_image(
            &by_ref,
            &open(&tar.display().to_string(), &OpenOptions::default()),
        );
        (by_ref, tar)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Keeps every regular file: the strictest comparison of two sources.
pub struct All;

impl FileFilter for All {
    fn wants(&self, _path: &str, _size: u64, _mode: u32) -> Want {
        Want::Keep
    }
}

pub fn options(user: Option<(&str, &str)>) -> OpenOptions {
    OpenOptions {
        sources: vec![ImageSource::Registry],
        registry: RegistryOptions {
            insecure: true,
            username: user.map(|u| u.0.to_string()),
            password: user.map(|u| u.1.to_string()),
            // Never the developer's own ~/.docker/config.json.
            docker_config: Some(PathBuf::from("/nonexistent/config.json")),
            ..RegistryOptions::default()
        },
        ..OpenOptions::default()
    }
}

pub fn sample() -> ImageBuilder {
    ImageBuilder::new()
        .layer(|l| {
            l.file("etc/os-release", b"ID=alpine\nVERSION_ID=3.18.9\n")
                .file("lib/apk/db/installed", b"P:musl\nV:1.2.4-r2\n\n")
                .file("etc/motd", b"hello\n")
                .created_by("ADD rootfs /")
        })
        .layer(|l| {
            l.file("app/package.json", br#"{"name":"app","version":"1.0.0"}"#)
                .whiteout("etc/motd")
        })
        .compression(Compression::Gzip)
}

/// `(path, layer, bytes)` of every kept file.
pub fn listing(s: &Squashed) -> Vec<(String, Option<usize>, Vec<u8>)> {
    s.files
        .iter()
        .map(|(p, e)| {
            let bytes = e.data.bytes().map(|b| b.into_owned()).unwrap_or_default();
            (p.to_string(), e.layer, bytes)
        })
        .collect()
}

pub fn open(spec: &str, opts: &OpenOptions) -> Image {
    tidewatch_image::open(spec, opts).unwrap_or_else(|e| panic!("{spec}: {e}"))
}

pub fn same_image(by_ref: &Image, by_file: &Image) {
    assert_eq!(by_ref.config_digest, by_file.config_digest);
    assert_eq!(by_ref.manifest_digest, by_file.manifest_digest);
    assert_eq!(by_ref.layers, by_file.layers);
    assert_eq!(by_ref.config, by_file.config);
    let a = by_ref.squash(&All).unwrap_or_else(|e| panic!("{e}"));
    let b = by_file.squash(&All).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(listing(&a), listing(&b));
    assert!(!a.files.is_empty());
}
