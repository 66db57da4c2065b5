//! `db update` against a local HTTP server started by each test: first
//! download, 304s, incremental OSV, retries, mirror fallback and failures
//! that must leave the previous DB untouched.

#![allow(clippy::unwrap_used)]

mod support;

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use support::http::{Route, Server, mirror};
use support::zip_of;
use tidewatch_db::Db;
use tidewatch_db::update::{Change, FeedSpec, NoProgress, Repository, UpdateOptions, update};

fn osv_record(id: &str, package: &str, fixed: &str, modified: &str) -> String {
    serde_json::json!({
        "schema_version": "1.6.0",
        "id": id,
        "modified": modified,
        "aliases": [],
        "affected": [{
            "package": {"ecosystem": "PyPI", "name": package},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}]
        }]
    })
    .to_string()
}

fn secdb(branch: &str) -> String {
    serde_json::json!({
        "apkurl": "{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk",
        "archs": ["x86_64"],
        "reponame": "main",
        "urlprefix": "https://dl-cdn.alpinelinux.org/alpine",
        "distroversion": branch,
        "packages": [{"pkg": {"name": "zlib", "secfixes": {"1.2.12-r2": ["CVE-2022-37434"]}}}]
    })
    .to_string()
}

/// A server with PyPI (one record) and Alpine v3.18 main.
fn feed_server() -> Server {
    let server = Server::start();
    let r1 = osv_record("GHSA-0001", "alpha", "1.0", "2024-01-01T00:00:00Z");
    server.route(
        "osv/PyPI/all.zip",
        Route::new(zip_of(&[("GHSA-0001.json", r1)]), "zip1"),
    );
    server.route(
        "osv/PyPI/modified_id.csv",
        Route::new("2024-01-01T00:00:00Z,GHSA-0001\n", "csv1"),
    );
    server.route("alpine/v3.18/main.json", Route::new(secdb("v3.18"), "alp1"));
    server
}

fn options(cache: &Path, repos: Vec<Repository>) -> UpdateOptions {
    let mut o = UpdateOptions::new(cache);
    o.feeds = ["osv:PyPI", "alpine:v3.18"]
        .iter()
        .flat_map(|f| FeedSpec::parse_list(f).unwrap())
        .collect();
    o.repositories = repos;
    o.backoff = Duration::from_millis(10);
    o.timeout = Duration::from_secs(5);
    o
}

fn ids(db: &Path, package: &str) -> Vec<String> {
    let db = Db::open(db).unwrap();
    let mut ids: Vec<String> = db
        .affected("PyPI", package)
        .unwrap()
        .iter()
        .map(|r| r.advisory.id.clone())
        .collect();
    ids.sort();
    ids
}

#[test]
fn first_update_imports_and_second_gets_304_and_changes_nothing() {
    let server = feed_server();
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db/tidewatch.db");
    let opts = options(&tmp.path().join("cache"), mirror(&server));

    let first = update(&db, &opts, &NoProgress).unwrap();
    assert!(first.feeds.iter().all(|f| f.change == Change::Full));
    let status = Db::open(&db).unwrap().status().unwrap();
    let names: Vec<_> = status.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["alpine-secdb:v3.18", "osv:PyPI"]);
    assert!(status.sources.iter().all(|s| s.via == "update"));
    let osv = status
        .sources
        .iter()
        .find(|s| s.name == "osv:PyPI")
        .unwrap();
    assert!(osv.origin.starts_with(&server.base), "{}", osv.origin);
    assert_eq!(ids(&db, "alpha"), ["GHSA-0001"]);
    server.take_log();

    let before = std::fs::read(&db).unwrap();
    let second = update(&db, &opts, &NoProgress).unwrap();
    assert!(second.import.is_none());
    assert_eq!(second.bytes, 0);
    assert!(second.feeds.iter().all(|f| f.change == Change::NotModified));
    assert_eq!(std::fs::read(&db).unwrap(), before, "DB rewritten");
    let log = server.take_log();
    assert!(log.iter().all(|(_, s)| *s == 304 || *s == 404), "{log:?}");
    assert!(!log.iter().any(|(p, _)| p.ends_with("all.zip")), "{log:?}");
}

#[test]
fn incremental_update_fetches_only_the_changed_record() {
    let server = feed_server();
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("tidewatch.db");
    let opts = options(&tmp.path().join("cache"), mirror(&server));
    update(&db, &opts, &NoProgress).unwrap();
    server.take_log();

    // GHSA-0002 is new, GHSA-0001 changed its fix; an old entry stays below.
    server.route(
        "osv/PyPI/modified_id.csv",
        Route::new(
            "2024-03-01T00:00:00Z,GHSA-0002\n2024-02-01T00:00:00Z,GHSA-0001\n2024-01-01T00:00:00Z,GHSA-0001\n",
            "csv2",
        ),
    );
    server.route(
        "osv/PyPI/GHSA-0002.json",
        Route::new(
            osv_record("GHSA-0002", "beta", "2.0", "2024-03-01T00:00:00Z"),
            "r2",
        ),
    );
    server.route(
        "osv/PyPI/GHSA-0001.json",
        Route::new(
            osv_record("GHSA-0001", "alpha", "1.1", "2024-02-01T00:00:00Z"),
            "r1b",
        ),
    );
    let report = update(&db, &opts, &NoProgress).unwrap();
    let osv = report.feeds.iter().find(|f| f.feed == "osv:PyPI").unwrap();
    assert_eq!(osv.change, Change::Incremental { records: 2 });
    let mut fetched: Vec<_> = server
        .take_log()
        .into_iter()
        .filter(|(p, s)| *s == 200 && p.contains("/osv/"))
        .map(|(p, _)| p)
        .collect();
    fetched.sort();
    assert_eq!(
        fetched,
        [
            "/mirror/osv/PyPI/GHSA-0001.json",
            "/mirror/osv/PyPI/GHSA-0002.json",
            "/mirror/osv/PyPI/modified_id.csv"
        ]
    );
    // Both records in the DB, GHSA-0001 with its new fix, Alpine kept.
    assert_eq!(ids(&db, "alpha"), ["GHSA-0001"]);
    assert_eq!(ids(&db, "beta"), ["GHSA-0002"]);
    let alpha = Db::open(&db).unwrap().affected("PyPI", "alpha").unwrap();
    let json = serde_json::to_string(&alpha[0].ranges).unwrap();
    assert!(json.contains("1.1"), "{json}");
    let status = Db::open(&db).unwrap().status().unwrap();
    assert!(
        status
            .sources
            .iter()
            .any(|s| s.name == "alpine-secdb:v3.18")
    );

    // Nothing newer: no record requests at all.
    server.route(
        "osv/PyPI/modified_id.csv",
        Route::new(
            "2024-03-01T00:00:00Z,GHSA-0002\n2024-02-01T00:00:00Z,GHSA-0001\n",
            "csv3",
        ),
    );
    let report = update(&db, &opts, &NoProgress).unwrap();
    assert!(report.import.is_none());
    let log = server.take_log();
    assert!(
        !log.iter()
            .any(|(p, _)| p.ends_with(".json") && p.contains("GHSA")),
        "{log:?}"
    );
}

#[test]
fn server_errors_are_retried() {
    let server = feed_server();
    let mut r = Route::new(secdb("v3.18"), "alp1");
    r.fail_first = 2;
    server.route("alpine/v3.18/main.json", r);
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("tidewatch.db");
    update(
        &db,
        &options(&tmp.path().join("cache"), mirror(&server)),
        &NoProgress,
    )
    .unwrap();
    let hits: Vec<u16> = server
        .take_log()
        .into_iter()
        .filter(|(p, _)| p.ends_with("v3.18/main.json"))
        .map(|(_, s)| s)
        .collect();
    assert_eq!(hits, [500, 500, 200]);
    assert!(Db::open(&db).unwrap().status().unwrap().sources.len() == 2);
}

#[test]
fn rate_limiting_is_waited_out() {
    let server = feed_server();
    let mut r = Route::new(secdb("v3.18"), "alp1");
    r.fail_first = 1;
    r.fail_status = 429;
    server.route("alpine/v3.18/main.json", r);
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("tidewatch.db");
    update(
        &db,
        &options(&tmp.path().join("cache"), mirror(&server)),
        &NoProgress,
    )
    .unwrap();
    let hits: Vec<u16> = server
        .take_log()
        .into_iter()
        .filter(|(p, _)| p.ends_with("v3.18/main.json"))
        .map(|(_, s)| s)
        .collect();
    assert_eq!(hits, [429, 200]);

    // Retries are bounded: a mirror that keeps saying 429 fails, naming it.
    let mut r = Route::new(secdb("v3.18"), "alp2");
    r.fail_first = 100;
    r.fail_status = 429;
    server.route("alpine/v3.18/main.json", r);
    let err = update(
        &db,
        &options(&tmp.path().join("cache"), mirror(&server)),
        &NoProgress,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("alpine/v3.18/main.json: HTTP 429"), "{err}");
}

#[test]
fn a_dead_mirror_is_skipped_for_the_next() {
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", l.local_addr().unwrap())
    };
    let server = feed_server();
    let repos = vec![
        Repository::parse(&dead).unwrap(),
        Repository::parse(&server.base).unwrap(),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("tidewatch.db");
    let mut opts = options(&tmp.path().join("cache"), repos);
    opts.retries = 1;
    let report = update(&db, &opts, &NoProgress).unwrap();
    assert!(report.feeds.iter().all(|f| f.url.starts_with(&server.base)));
    assert_eq!(ids(&db, "alpha"), ["GHSA-0001"]);
}

#[test]
fn a_failed_update_leaves_the_previous_db_and_names_the_url() {
    let server = feed_server();
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("tidewatch.db");
    let opts = options(&tmp.path().join("cache"), mirror(&server));
    update(&db, &opts, &NoProgress).unwrap();
    let before = std::fs::read(&db).unwrap();

    // OSV changes are fetched, then the Alpine download dies half-way.
    server.route(
        "osv/PyPI/modified_id.csv",
        Route::new("2024-03-01T00:00:00Z,GHSA-0002\n", "csv2"),
    );
    server.route(
        "osv/PyPI/GHSA-0002.json",
        Route::new(
            osv_record("GHSA-0002", "beta", "2.0", "2024-03-01T00:00:00Z"),
            "r2",
        ),
    );
    let mut cut = Route::new(secdb("v3.18").repeat(50), "alp2");
    cut.truncate = true;
    server.route("alpine/v3.18/main.json", cut);
    let err = update(&db, &opts, &NoProgress).unwrap_err().to_string();
    assert!(err.contains("alpine/v3.18/main.json"), "{err}");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "DB changed by a failed update"
    );
    assert_eq!(ids(&db, "beta"), Vec::<String>::new());

    // A persistent 503 names the URL and status.
    let mut down = Route::new("", "x");
    down.status = Some(503);
    server.route("alpine/v3.18/main.json", down);
    let err = update(&db, &opts, &NoProgress).unwrap_err().to_string();
    assert!(err.contains("alpine/v3.18/main.json: HTTP 503"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);

    // Once the server is healthy again the pending OSV change arrives.
    server.route("alpine/v3.18/main.json", Route::new(secdb("v3.18"), "alp3"));
    update(&db, &opts, &NoProgress).unwrap();
    assert_eq!(ids(&db, "beta"), ["GHSA-0002"]);
}

#[test]
fn hostile_ids_and_zip_members_are_refused() {
    let server = feed_server();
    server.route(
        "osv/PyPI/all.zip",
        Route::new(zip_of(&[("../escape.json", "{}".into())]), "evil"),
    );
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("tidewatch.db");
    let opts = options(&tmp.path().join("cache"), mirror(&server));
    let err = update(&db, &opts, &NoProgress).unwrap_err().to_string();
    assert!(err.contains("not a plain file name"), "{err}");
    assert!(!db.exists());
    assert!(!tmp.path().join("cache/update/osv/escape.json").exists());

    server.route(
        "osv/PyPI/all.zip",
        Route::new(
            zip_of(&[(
                "GHSA-0001.json",
                osv_record("GHSA-0001", "alpha", "1.0", "2024-01-01T00:00:00Z"),
            )]),
            "ok",
        ),
    );
    update(&db, &opts, &NoProgress).unwrap();
    // An id that would climb out of the record directory is refused.
    server.route(
        "osv/PyPI/modified_id.csv",
        Route::new("2024-05-01T00:00:00Z,..\n", "csv-evil2"),
    );
    let err = update(&db, &opts, &NoProgress).unwrap_err().to_string();
    assert!(
        err.contains("modified_id.csv") && err.contains("line 1"),
        "{err}"
    );
}

#[test]
fn scans_keep_reading_while_updates_swap_the_db() {
    let server = feed_server();
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("tidewatch.db");
    let opts = options(&tmp.path().join("cache"), mirror(&server));
    update(&db, &opts, &NoProgress).unwrap();

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..8)
        .map(|_| {
            let (db, stop) = (db.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut reads = 0;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) || reads == 0 {
                    assert_eq!(ids(&db, "alpha"), ["GHSA-0001"]);
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    for n in 2..6 {
        let ts = format!("2024-0{n}-01T00:00:00Z");
        server.route(
            "osv/PyPI/modified_id.csv",
            Route::new(format!("{ts},GHSA-0001\n"), &format!("csv{n}")),
        );
        server.route(
            "osv/PyPI/GHSA-0001.json",
            Route::new(
                osv_record("GHSA-0001", "alpha", &format!("1.{n}"), &ts),
                &ts,
            ),
        );
        let r = update(&db, &opts, &NoProgress).unwrap();
        assert!(r.import.is_some());
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for r in readers {
        assert!(r.join().unwrap() > 0);
    }
}
