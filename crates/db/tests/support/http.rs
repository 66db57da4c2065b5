//! A local HTTP server for the `db update` tests: keep-alive connections,
//! one thread each, answered by a handler over the test's shared state;
//! and on top of it a server of canned files under `/mirror/` that answers
//! `If-None-Match` with 304 and logs every request.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use tidewatch_db::update::Repository;

/// One request line and its headers.
pub struct Request {
    /// The request target as sent (path and query, percent-encoded).
    pub target: String,
    headers: Vec<(String, String)>,
}

impl Request {
    /// The value of header `name` (case-insensitive), trimmed.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
    pub etag: Option<String>,
    /// Announce the full length but send only half, then hang up.
    pub truncate: bool,
}

impl Response {
    pub fn new(status: u16, body: impl Into<Vec<u8>>, etag: Option<String>) -> Response {
        Response {
            status,
            body: body.into(),
            etag,
            truncate: false,
        }
    }
}

/// Listens on 127.0.0.1 and answers every request with `handler`, called
/// with `state` locked; gives the address.
pub fn listen<S: Send + 'static>(
    state: Arc<Mutex<S>>,
    handler: fn(&mut S, &Request) -> Response,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let state = state.clone();
            std::thread::spawn(move || serve(stream, &state, handler));
        }
    });
    addr
}

fn serve<S>(stream: TcpStream, state: &Mutex<S>, handler: fn(&mut S, &Request) -> Response) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let target = line.split_whitespace().nth(1).unwrap_or("").to_string();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.to_string(), v.trim().to_string()));
            }
        }
        let resp = handler(&mut state.lock().unwrap(), &Request { target, headers });
        let mut head = format!(
            "HTTP/1.1 {} X\r\nContent-Length: {}\r\n",
            resp.status,
            resp.body.len()
        );
        if let Some(etag) = &resp.etag {
            head.push_str(&format!("ETag: {etag}\r\n"));
        }
        head.push_str("\r\n");
        let _ = stream.write_all(head.as_bytes());
        if resp.truncate {
            let _ = stream.write_all(&resp.body[..resp.body.len() / 2]);
            let _ = stream.flush();
            return;
        }
        let _ = stream.write_all(&resp.body);
        let _ = stream.flush();
    }
}

/// A canned response for one path.
#[derive(Clone)]
pub struct Route {
    pub body: Vec<u8>,
    pub etag: String,
    /// Answer this many requests with `fail_status` first.
    pub fail_first: usize,
    pub fail_status: u16,
    /// Always answer with this status instead.
    pub status: Option<u16>,
    /// Announce the full length but send only half, then hang up.
    pub truncate: bool,
}

impl Route {
    pub fn new(body: impl Into<Vec<u8>>, etag: &str) -> Route {
        Route {
            body: body.into(),
            etag: format!("\"{etag}\""),
            fail_first: 0,
            fail_status: 500,
            status: None,
            truncate: false,
        }
    }
}

#[derive(Default)]
pub struct Routes {
    pub routes: HashMap<String, Route>,
    /// (path, status) of every request, in order.
    pub log: Vec<(String, u16)>,
}

/// Serves canned routes under `/mirror/`.
pub struct Server {
    pub base: String,
    pub shared: Arc<Mutex<Routes>>,
}

impl Server {
    pub fn start() -> Server {
        let shared = Arc::new(Mutex::new(Routes::default()));
        let addr = listen(shared.clone(), answer_route);
        Server {
            base: format!("http://{addr}/mirror/"),
            shared,
        }
    }

    pub fn route(&self, path: &str, route: Route) {
        self.shared
            .lock()
            .unwrap()
            .routes
            .insert(format!("/mirror/{path}"), route);
    }

    /// A plain file at `path` with ETag `etag`.
    pub fn file(&self, path: &str, body: impl Into<Vec<u8>>, etag: &str) {
        self.route(path, Route::new(body, etag));
    }

    pub fn take_log(&self) -> Vec<(String, u16)> {
        std::mem::take(&mut self.shared.lock().unwrap().log)
    }
}

fn answer_route(sh: &mut Routes, req: &Request) -> Response {
    let path = req.target.replace("%20", " ");
    let resp = match sh.routes.get_mut(&path) {
        None => Response::new(404, Vec::new(), None),
        Some(r) if r.fail_first > 0 => {
            r.fail_first -= 1;
            Response::new(r.fail_status, b"boom".to_vec(), None)
        }
        Some(r) => match r.status {
            Some(s) => Response::new(s, Vec::new(), None),
            None if req.header("if-none-match") == Some(r.etag.as_str()) => {
                Response::new(304, Vec::new(), Some(r.etag.clone()))
            }
            None => Response {
                truncate: r.truncate,
                ..Response::new(200, r.body.clone(), Some(r.etag.clone()))
            },
        },
    };
    sh.log.push((path, resp.status));
    resp
}

/// The server as the only repository `db update` fetches from.
pub fn mirror(server: &Server) -> Vec<Repository> {
    vec![Repository::parse(&server.base).unwrap()]
}
