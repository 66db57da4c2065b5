//! `db update` and the automatic update before a scan, against a local
//! HTTP server (or a port nobody answers on): `--offline` never connects,
//! a stale downloaded DB with an unreachable mirror warns and scans, no DB
//! and no mirror is an error, and a DB from `db import` is left alone.

mod common;

use common::{ALPINE_OS_RELEASE, Env, apk_db, secdb};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Serves `body` at `/alpine/v3.18/main.json`, 404 elsewhere; counts
/// connections.
fn server(body: String) -> (String, Arc<AtomicUsize>) {
    routes_server(vec![("/alpine/v3.18/main.json", body.into_bytes())])
}

/// Serves each `(path, body)`, 404 elsewhere; counts connections.
fn routes_server(routes: Vec<(&'static str, Vec<u8>)>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            h.fetch_add(1, Ordering::SeqCst);
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut stream = stream;
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                continue;
            }
            loop {
                let mut hdr = String::new();
                if reader.read_line(&mut hdr).unwrap_or(0) == 0 || hdr.trim().is_empty() {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("");
            let (status, body) = match routes.iter().find(|(p, _)| *p == path) {
                Some((_, b)) => ("200 OK", &b[..]),
                None => ("404 Not Found", &b""[..]),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(body);
        }
    });
    (base, hits)
}

/// A port with no server behind it.
fn dead_url() -> String {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    format!("http://{}/", l.local_addr().expect("addr"))
}

fn alpine_root(env: &Env) -> std::path::PathBuf {
    let root = env.path("root");
    std::fs::create_dir_all(root.join("etc")).expect("mkdir");
    std::fs::create_dir_all(root.join("lib/apk/db")).expect("mkdir");
    std::fs::write(root.join("etc/os-release"), ALPINE_OS_RELEASE).expect("write");
    std::fs::write(
        root.join("lib/apk/db/installed"),
        apk_db(&[("zlib", "1.2.12-r1", "zlib")]),
    )
    .expect("write");
    root
}

fn zlib_feed() -> String {
    secdb(&[("zlib", "1.2.12-r2", "CVE-2022-37434")])
}

#[test]
fn offline_scan_never_connects() {
    let env = Env::new();
    let root = alpine_root(&env);
    let (base, hits) = server(zlib_feed());
    let out = env
        .cmd()
        .args(["fs", root.to_str().expect("utf8"), "--offline"])
        .env("TIDEWATCH_DB_REPOSITORY", &base)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not found"), "{stderr}");
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[test]
fn first_scan_downloads_then_stale_db_with_dead_mirror_warns_and_scans() {
    let env = Env::new();
    let root = alpine_root(&env);
    let (base, hits) = server(zlib_feed());
    let root_s = root.to_str().expect("utf8");

    // No DB: the scan downloads one first and finds the CVE.
    let out = env
        .cmd()
        .args([
            "fs",
            root_s,
            "--format",
            "json",
            "--db-feeds",
            "alpine:v3.18/main",
        ])
        .env("TIDEWATCH_DB_REPOSITORY", &base)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["findings"][0]["id"], "CVE-2022-37434", "{report}");
    assert!(hits.load(Ordering::SeqCst) >= 1);

    // Fresh within 24h: no request at all.
    let before = hits.load(Ordering::SeqCst);
    let out = env
        .cmd()
        .args(["fs", root_s, "--db-feeds", "alpine:v3.18/main"])
        .env("TIDEWATCH_DB_REPOSITORY", &base)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(hits.load(Ordering::SeqCst), before);

    // Stale (max age 0s) with the mirror gone: a warning, then the scan.
    let out = env
        .cmd()
        .args(["fs", root_s, "--format", "json", "--db-max-age", "0s"])
        .args(["--db-feeds", "alpine:v3.18/main"])
        .env("TIDEWATCH_DB_REPOSITORY", dead_url())
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning") && stderr.contains("database update failed"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["findings"][0]["id"], "CVE-2022-37434");
}

#[test]
fn no_db_and_no_mirror_is_an_error() {
    let env = Env::new();
    let root = alpine_root(&env);
    let out = env
        .cmd()
        .args([
            "fs",
            root.to_str().expect("utf8"),
            "--db-feeds",
            "alpine:v3.18/main",
        ])
        .env("TIDEWATCH_DB_REPOSITORY", dead_url())
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot download"), "{stderr}");
    assert!(stderr.contains("alpine/v3.18/main.json"), "{stderr}");
    assert!(!env.db().exists());
}

#[test]
fn an_imported_db_is_never_auto_updated() {
    let env = Env::new();
    let root = alpine_root(&env);
    env.import(&[("secdb/main.json", &zlib_feed())]);
    let (base, hits) = server(zlib_feed());
    let out = env
        .cmd()
        .args(["fs", root.to_str().expect("utf8"), "--db-max-age", "0s"])
        .env("TIDEWATCH_DB_REPOSITORY", &base)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[test]
fn db_update_command_reports_what_changed() {
    let env = Env::new();
    let (base, _hits) = server(zlib_feed());
    let out = env.run(&[
        "db",
        "update",
        "--db-repository",
        &base,
        "--db-feeds",
        "alpine:v3.18",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("alpine:v3.18/main") && stdout.contains("downloaded"),
        "{stdout}"
    );
    assert!(stdout.contains("alpine-secdb:v3.18"), "{stdout}");
    let status = env.run(&["db", "status"]);
    let s = String::from_utf8_lossy(&status.stdout);
    assert!(s.contains("update") && s.contains(&base), "{s}");

    let bad = env.run(&["db", "update", "--db-feeds", "nope"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("invalid feed \"nope\""));
}

#[test]
fn db_status_lists_the_vendor_feeds_with_their_urls() {
    let env = Env::new();
    let fixture = |rel: &str| {
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../db/tests/fixtures")
                .join(rel),
        )
        .expect("fixture")
    };
    // Uncompressed bodies under the compressed names: the importer goes
    // by content.
    let (base, _) = routes_server(vec![
        (
            "/oracle/com.oracle.elsa-all.xml.bz2",
            fixture("oracle/com.oracle.elsa-2007.xml"),
        ),
        (
            "/amazon/2/updateinfo.xml.gz",
            fixture("amazon/updateinfo-al2.xml"),
        ),
        (
            "/suse/oval/suse.linux.enterprise.server.15.xml.gz",
            fixture("suse/suse.linux.enterprise.server.15.xml"),
        ),
    ]);
    let out = env.run(&[
        "db",
        "update",
        "--db-repository",
        &base,
        "--db-feeds",
        "oracle,amazon:2,suse-oval:suse.linux.enterprise.server.15",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for feed in [
        "oracle",
        "amazon:2",
        "suse-oval:suse.linux.enterprise.server.15",
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(feed) && l.contains("downloaded")),
            "{feed}: {stdout}"
        );
    }
    let status = env.run(&["db", "status"]);
    let s = String::from_utf8_lossy(&status.stdout);
    for (source, path) in [
        ("oracle-oval:5", "oracle/com.oracle.elsa-all.xml.bz2"),
        ("amazon-alas:2", "amazon/2/updateinfo.xml.gz"),
        (
            "suse-oval:SUSE:Linux Enterprise Server 15 SP1",
            "suse/oval/suse.linux.enterprise.server.15.xml.gz",
        ),
    ] {
        let url = format!("{base}{path}");
        assert!(
            s.lines().any(|l| l.trim_start().starts_with(source)
                && l.contains("update")
                && l.ends_with(&url)),
            "{source} from {url}: {s}"
        );
    }
}
