//! Images from a local Docker daemon (or anything speaking its Engine API,
//! like Podman's socket): `GET /images/{name}/json` says whether the daemon
//! has the image, `GET /images/{name}/get` exports it as a `docker save`
//! tar, which is then read like any docker-save archive.
//!
//! The export is spooled to a temporary file in the cache directory rather
//! than streamed: `docker save` writes `manifest.json` (which says which
//! blob is which layer, in which order) *after* the layers, so no layer
//! could be read, let alone verified against its diff_id, before the whole
//! export has arrived anyway; on disk the archive reader seeks and reads
//! layers in parallel. The file is deleted when the image is dropped.
//!
//! The HTTP client is a minimal HTTP/1.1 one over the unix socket (or
//! `tcp://` without TLS): one request per connection, `Connection: close`,
//! chunked or length-delimited bodies. reqwest has no unix-socket
//! transport, and hyper's client would add its connection machinery for
//! two GET requests.

use crate::error::ImageError;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

const DEFAULT_SOCKET: &str = "/var/run/docker.sock";
/// Longest silence from the daemon before giving up (exports of big
/// images start only after the daemon has prepared them).
const READ_TIMEOUT: Duration = Duration::from_secs(300);
const MAX_HEAD: usize = 64 * 1024;
/// Error bodies and `/json` answers are read whole up to this size.
const MAX_SMALL_BODY: u64 = 4 * 1024 * 1024;

/// Where the daemon listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Host {
    Unix(PathBuf),
    Tcp(String),
}

impl std::fmt::Display for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Host::Unix(p) => write!(f, "unix://{}", p.display()),
            Host::Tcp(a) => write!(f, "tcp://{a}"),
        }
    }
}

impl Host {
    /// `docker_host` (`--docker-host` or `DOCKER_HOST`), else the default
    /// socket; `Err` for a host this client cannot speak to.
    pub fn resolve(docker_host: Option<&str>) -> Result<Host, String> {
        let from_env = std::env::var("DOCKER_HOST").ok().filter(|v| !v.is_empty());
        match docker_host.map(str::to_string).or(from_env) {
            None => Ok(Host::Unix(PathBuf::from(DEFAULT_SOCKET))),
            Some(h) => {
                if let Some(path) = h.strip_prefix("unix://") {
                    Ok(Host::Unix(PathBuf::from(path)))
                } else if let Some(addr) = h.strip_prefix("tcp://") {
                    if std::env::var("DOCKER_TLS_VERIFY").is_ok_and(|v| !v.is_empty()) {
                        return Err(format!(
                            "DOCKER_HOST={h} with DOCKER_TLS_VERIFY: TLS to the daemon is not supported"
                        ));
                    }
                    Ok(Host::Tcp(addr.trim_end_matches('/').to_string()))
                } else if h.starts_with('/') {
                    Ok(Host::Unix(PathBuf::from(h)))
                } else {
                    Err(format!(
                        "DOCKER_HOST={h}: only unix:// and tcp:// are supported"
                    ))
                }
            }
        }
    }

    /// Is there anything to talk to? (A missing socket means no daemon.)
    pub fn present(&self) -> bool {
        match self {
            Host::Unix(p) => p.exists(),
            Host::Tcp(_) => true,
        }
    }
}

/// The answer to one request, with its body unread.
struct Response {
    status: u16,
    body: Body,
}

/// A client for one daemon.
#[derive(Debug, Clone)]
pub(crate) struct Daemon {
    pub host: Host,
    spec: String,
}

impl Daemon {
    pub fn new(host: Host, spec: &str) -> Daemon {
        Daemon {
            host,
            spec: spec.to_string(),
        }
    }

    /// Does the daemon have an image by this name (or id)?
    pub fn has_image(&self, name: &str) -> Result<bool, ImageError> {
        let path = format!("/images/{}/json", encode(name));
        let resp = self.get(&path)?;
        match resp.status {
            200 => Ok(true),
            404 => Ok(false),
            _ => Err(self.status_error(resp, "inspecting the image")),
        }
    }

    /// Export the image into a temporary file in `dir` (or the system's).
    pub fn export(&self, name: &str, dir: Option<&Path>) -> Result<tempfile::TempPath, ImageError> {
        let path = format!("/images/{}/get", encode(name));
        let mut resp = self.get(&path)?;
        if resp.status != 200 {
            return Err(self.status_error(resp, "exporting the image"));
        }
        let tmp = match dir {
            Some(d) => std::fs::create_dir_all(d).and_then(|()| tempfile::NamedTempFile::new_in(d)),
            None => tempfile::NamedTempFile::new(),
        }
        .map_err(|e| ImageError::Spill {
            file: self.spec.clone(),
            dir: dir.map_or_else(
                || std::env::temp_dir().display().to_string(),
                |d| d.display().to_string(),
            ),
            source: e,
        })?;
        let (file, path) = tmp.into_parts();
        let mut out = io::BufWriter::with_capacity(1024 * 1024, file);
        let copied = io::copy(&mut resp.body, &mut out).and_then(|n| out.flush().map(|()| n));
        match copied {
            Ok(n) => {
                tracing::debug!(bytes = n, path = %path.display(), "daemon export spooled");
                Ok(path)
            }
            Err(e) => Err(self.error(format!("the export broke off: {e}"))),
        }
    }

    fn get(&self, path: &str) -> Result<Response, ImageError> {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: tidewatch/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
            env!("CARGO_PKG_VERSION")
        );
        let stream: Box<dyn ReadWrite> = match &self.host {
            Host::Unix(p) => {
                let s = UnixStream::connect(p)
                    .map_err(|e| self.error(format!("cannot connect: {e}")))?;
                s.set_read_timeout(Some(READ_TIMEOUT))
                    .map_err(|e| self.error(e.to_string()))?;
                Box::new(s)
            }
            Host::Tcp(a) => {
                let s = TcpStream::connect(a)
                    .map_err(|e| self.error(format!("cannot connect: {e}")))?;
                s.set_read_timeout(Some(READ_TIMEOUT))
                    .map_err(|e| self.error(e.to_string()))?;
                Box::new(s)
            }
        };
        let mut reader = BufReader::with_capacity(256 * 1024, stream);
        reader
            .get_mut()
            .write_all(request.as_bytes())
            .map_err(|e| self.error(format!("cannot send the request: {e}")))?;
        let head = read_head(&mut reader).map_err(|e| self.error(format!("bad response: {e}")))?;
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut parsed = httparse::Response::new(&mut headers);
        match parsed.parse(&head) {
            Ok(httparse::Status::Complete(_)) => {}
            Ok(httparse::Status::Partial) => {
                return Err(self.error("bad response: incomplete header"));
            }
            Err(e) => return Err(self.error(format!("bad response: {e}"))),
        }
        let status = parsed.code.unwrap_or(0);
        let header = |name: &str| {
            parsed
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
        };
        let body = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            Body::Chunked(Chunked {
                inner: reader,
                left: 0,
                done: false,
            })
        } else if let Some(len) = header("content-length") {
            let len: u64 = len
                .parse()
                .map_err(|_| self.error(format!("bad response: Content-Length {len:?}")))?;
            Body::Sized(reader.take(len), len)
        } else {
            Body::ToEnd(reader)
        };
        Ok(Response { status, body })
    }

    fn status_error(&self, resp: Response, what: &str) -> ImageError {
        let mut text = Vec::new();
        let _ = resp.body.take(MAX_SMALL_BODY).read_to_end(&mut text);
        // The Engine API answers errors as {"message": "..."}.
        let message = serde_json::from_slice::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| {
                v.get("message")
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| String::from_utf8_lossy(&text).trim().to_string());
        self.error(format!("{what}: HTTP {}: {message}", resp.status))
    }

    fn error(&self, detail: impl Into<String>) -> ImageError {
        ImageError::Daemon {
            spec: self.spec.clone(),
            host: self.host.to_string(),
            detail: detail.into(),
        }
    }
}

trait ReadWrite: Read + Write + Send {}
impl<T: Read + Write + Send> ReadWrite for T {}

type Conn = BufReader<Box<dyn ReadWrite>>;

enum Body {
    Chunked(Chunked),
    Sized(io::Take<Conn>, u64),
    ToEnd(Conn),
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Body::Chunked(c) => c.read(buf),
            Body::Sized(r, len) => {
                let n = r.read(buf)?;
                if n == 0 && !buf.is_empty() && r.limit() > 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("the body ended {} bytes short of {len}", r.limit()),
                    ));
                }
                Ok(n)
            }
            Body::ToEnd(r) => r.read(buf),
        }
    }
}

/// `Transfer-Encoding: chunked`; a connection that closes before the
/// last (empty) chunk is an error, never a short body.
struct Chunked {
    inner: Conn,
    left: u64,
    done: bool,
}

impl Read for Chunked {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            let size = read_line(&mut self.inner)?;
            let hex = size.split(';').next().unwrap_or("").trim();
            self.left = u64::from_str_radix(hex, 16).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("bad chunk size {hex:?}"),
                )
            })?;
            if self.left == 0 {
                // Trailers until an empty line.
                while !read_line(&mut self.inner)?.is_empty() {}
                self.done = true;
                return Ok(0);
            }
        }
        let want = usize::try_from(self.left)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let dst = buf.get_mut(..want).unwrap_or_default();
        let n = self.inner.read(dst)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the connection closed inside a chunk",
            ));
        }
        self.left -= n as u64;
        if self.left == 0 && !read_line(&mut self.inner)?.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "chunk not followed by CRLF",
            ));
        }
        Ok(n)
    }
}

/// One CRLF-terminated line (without it), bounded.
fn read_line(r: &mut Conn) -> io::Result<String> {
    let mut line = Vec::new();
    let n = r.by_ref().take(4096).read_until(b'\n', &mut line)?;
    if n == 0 || line.last() != Some(&b'\n') {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the connection closed inside the chunked body",
        ));
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(String::from_utf8_lossy(&line).into_owned())
}

/// The status line and headers, through the blank line.
fn read_head(r: &mut Conn) -> io::Result<Vec<u8>> {
    let mut head = Vec::new();
    loop {
        let n = r
            .by_ref()
            .take(MAX_HEAD as u64)
            .read_until(b'\n', &mut head)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the connection closed before the response header ended",
            ));
        }
        if head.ends_with(b"\r\n\r\n") || head.ends_with(b"\n\n") {
            return Ok(head);
        }
        if head.len() > MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "response header too large",
            ));
        }
    }
}

/// Percent-encode a name for a URL path, keeping what image names are made
/// of (`/` stays: the Engine API routes `{name:.*}`).
fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(
            Host::resolve(Some("unix:///run/x.sock")),
            Ok(Host::Unix(PathBuf::from("/run/x.sock")))
        );
        assert_eq!(
            Host::resolve(Some("tcp://127.0.0.1:2375")),
            Ok(Host::Tcp("127.0.0.1:2375".into()))
        );
        assert!(Host::resolve(Some("ssh://me@host")).is_err());
        assert_eq!(encode("ghcr.io/a/b:1 x?"), "ghcr.io/a/b:1%20x%3F");
    }
}
