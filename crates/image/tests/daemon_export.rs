//! The Docker daemon source against a fake Engine API served by the test
//! on a unix socket: `/images/{name}/json` says which images exist and
//! `/images/{name}/get` streams a `docker save` tar in HTTP chunks, as
//! dockerd does. Checks the daemon image reads the same as its tarball,
//! the lookup order (`docker` then `registry`), the errors for a missing
//! daemon, a missing image and an export that breaks off, and that the
//! spooled export is deleted with the image.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tidewatch_image::{
    FileFilter, Image, ImageError, ImageSource, OpenOptions, RegistryOptions, Squashed, Want,
};
use tidewatch_testkit::ImageBuilder;

struct All;

impl FileFilter for All {
    fn wants(&self, _path: &str, _size: u64, _mode: u32) -> Want {
        Want::Keep
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Whole,
    /// Close the connection in the middle of the export.
    Cut,
}

/// A fake daemon with one image under `name`.
struct FakeDaemon {
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl FakeDaemon {
    fn start(name: &'static str, export: Vec<u8>, mode: Mode) -> FakeDaemon {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let socket = dir.path().join("docker.sock");
        let listener = UnixListener::bind(&socket).unwrap_or_else(|e| panic!("{e}"));
        let export = Arc::new(export);
        std::thread::spawn(move || {
            // Bounded: each test makes a few requests.
            for stream in listener.incoming().take(64).flatten() {
                let _ = serve(stream, name, &export, mode);
            }
        });
        FakeDaemon { socket, _dir: dir }
    }

    fn host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }
}

fn serve(stream: UnixStream, name: &str, export: &[u8], mode: Mode) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
    }
    let path = request.split_whitespace().nth(1).unwrap_or("");
    let mut out = stream;
    let not_found = |out: &mut UnixStream, what: &str| {
        let body = format!(r#"{{"message":"No such image: {what}"}}"#);
        write!(
            out,
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let asked = path
        .strip_prefix("/images/")
        .and_then(|p| p.rsplit_once('/'))
        .map(|(n, action)| (n.to_string(), action.to_string()));
    let Some((asked, action)) = asked else {
        return not_found(&mut out, path);
    };
    if asked != name {
        return not_found(&mut out, &asked);
    }
    match action.as_str() {
        "json" => {
            let body = r#"{"Id":"sha256:0000"}"#;
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
        }
        "get" => {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n"
            )?;
            let chunks: Vec<&[u8]> = export.chunks(4000).collect();
            for (i, chunk) in chunks.iter().enumerate() {
                if mode == Mode::Cut && i == chunks.len() / 2 {
                    // Half a chunk, then hang up.
                    write!(out, "{:x}\r\n", chunk.len())?;
                    return out.write_all(&chunk[..chunk.len() / 2]);
                }
                write!(out, "{:x}\r\n", chunk.len())?;
                out.write_all(chunk)?;
                out.write_all(b"\r\n")?;
            }
            out.write_all(b"0\r\n\r\n")
        }
        _ => not_found(&mut out, &asked),
    }
}

fn sample() -> ImageBuilder {
    ImageBuilder::new()
        .layer(|l| {
            l.file("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n")
                .file(
                    "var/lib/dpkg/status",
                    b"Package: base-files\nVersion: 12.4\n\n",
                )
                .created_by("ADD rootfs /")
        })
        .layer(|l| l.file("app/requirements.txt", b"flask==2.0.0\n"))
        .tag("myapp:1")
}

fn options(host: &str, spool: &Path) -> OpenOptions {
    OpenOptions {
        docker_host: Some(host.to_string()),
        temp_dir: Some(spool.to_path_buf()),
        registry: RegistryOptions {
            docker_config: Some(PathBuf::from("/nonexistent/config.json")),
            ..RegistryOptions::default()
        },
        // A registry must never be asked in these tests.
        offline: true,
        ..OpenOptions::default()
    }
}

fn listing(s: &Squashed) -> Vec<(String, Option<usize>, Vec<u8>)> {
    s.files
        .iter()
        .map(|(p, e)| {
            let bytes = e.data.bytes().map(|b| b.into_owned()).unwrap_or_default();
            (p.to_string(), e.layer, bytes)
        })
        .collect()
}

fn same(a: &Image, b: &Image) {
    assert_eq!(a.config_digest, b.config_digest);
    assert_eq!(a.layers, b.layers);
    let x = a.squash(&All).unwrap_or_else(|e| panic!("{e}"));
    let y = b.squash(&All).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(listing(&x), listing(&y));
    assert!(x.files.contains("var/lib/dpkg/status"));
}

fn export_of(
    write: impl Fn(&Path) -> std::io::Result<()>,
) -> (tempfile::TempDir, PathBuf, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let tar = dir.path().join("export.tar");
    write(&tar).unwrap_or_else(|e| panic!("{e}"));
    let bytes = std::fs::read(&tar).unwrap_or_else(|e| panic!("{e}"));
    (dir, tar, bytes)
}

#[test]
fn daemon_image_reads_like_its_tarball_in_both_save_layouts() {
    let legacy = export_of(|p| sample().write_docker_archive(p).map(|_| ()));
    let v25 = export_of(|p| sample().write_docker_v25(p).map(|_| ()));
    for (_keep, tar, bytes) in [legacy, v25] {
        let daemon = FakeDaemon::start("myapp:1", bytes, Mode::Whole);
        let spool = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let opts = options(&daemon.host(), spool.path());
        let by_file = tidewatch_image::open(&tar.display().to_string(), &OpenOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        // Forced with `docker:` and found by name in the default order.
        for spec in ["docker:myapp:1", "myapp:1"] {
            let image =
                tidewatch_image::open(spec, &opts).unwrap_or_else(|e| panic!("{spec}: {e}"));
            assert_eq!(image.name, spec);
            same(&image, &by_file);
            drop(image);
        }
        let left: Vec<_> = std::fs::read_dir(spool.path())
            .map(|d| d.flatten().collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "spooled exports left behind: {left:?}");
    }
}

#[test]
fn lookup_order_and_missing_images() {
    let (_keep, _tar, bytes) = export_of(|p| sample().write_docker_archive(p).map(|_| ()));
    let daemon = FakeDaemon::start("myapp:1", bytes, Mode::Whole);
    let spool = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let opts = options(&daemon.host(), spool.path());

    // Not in the daemon: the registry is next, and --offline refuses it.
    let err = tidewatch_image::open("other:2", &opts).err();
    assert!(matches!(err, Some(ImageError::Offline { .. })), "{err:?}");

    // Only the daemon: a clear "has no image".
    let mut only_docker = opts.clone();
    only_docker.sources = vec![ImageSource::Docker];
    let err = tidewatch_image::open("other:2", &only_docker).err();
    assert!(
        matches!(&err, Some(ImageError::UnsupportedSource { reason, .. }) if reason.contains("has no image")),
        "{err:?}"
    );
    let err = tidewatch_image::open("docker:other:2", &opts).err();
    assert!(
        matches!(&err, Some(ImageError::UnsupportedSource { reason, .. }) if reason.contains("has no image")),
        "{err:?}"
    );

    // Registry first: the (offline) registry refuses, the daemon next has it.
    let mut registry_first = opts.clone();
    registry_first.sources = vec![ImageSource::Registry, ImageSource::Docker];
    let image = tidewatch_image::open("myapp:1", &registry_first);
    assert!(image.is_ok(), "{:?}", image.err());

    // No daemon at all.
    let gone = options("unix:///nonexistent/docker.sock", spool.path());
    let err = tidewatch_image::open("docker:myapp:1", &gone).err();
    assert!(
        matches!(&err, Some(ImageError::UnsupportedSource { reason, .. }) if reason.contains("no Docker daemon")),
        "{err:?}"
    );
    // A path-like name never goes to a daemon or registry.
    let err = tidewatch_image::open("missing-image.tar", &opts).err();
    assert!(matches!(err, Some(ImageError::NotFound { .. })), "{err:?}");
}

#[test]
fn an_export_that_breaks_off_is_an_error() {
    let (_keep, _tar, bytes) = export_of(|p| sample().write_docker_archive(p).map(|_| ()));
    let daemon = FakeDaemon::start("myapp:1", bytes, Mode::Cut);
    let spool = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let err = tidewatch_image::open("docker:myapp:1", &options(&daemon.host(), spool.path())).err();
    assert!(
        matches!(&err, Some(ImageError::Daemon { detail, .. }) if detail.contains("broke off")),
        "{err:?}"
    );
}
