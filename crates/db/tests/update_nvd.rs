//! The NVD part of `db update` against a fake NVD CVE API 2.0 and a fake
//! mirror on 127.0.0.1: a first full fetch page by page, a second fetch
//! that asks only for the window since the first started, rate-limit
//! answers (403, 429) waited out, and the mirror's yearly files fetched
//! conditionally.

#![allow(clippy::unwrap_used)]

mod support;

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::http::{Request, Response};
use tidewatch_db::Db;
use tidewatch_db::update::{Change, FeedSpec, NoProgress, Repository, UpdateOptions, update};
use tidewatch_types::Severity;

/// One CVE the fake NVD knows.
#[derive(Clone)]
struct Cve {
    id: String,
    modified: jiff::Timestamp,
    vector: String,
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    query: HashMap<String, String>,
    api_key: Option<String>,
    status: u16,
}

#[derive(Default)]
struct Shared {
    cves: Vec<Cve>,
    /// Answer the next API requests with these statuses first.
    fail: Vec<u16>,
    /// Static files (the mirror), by path, with an ETag.
    files: HashMap<String, (Vec<u8>, String)>,
    log: Vec<Seen>,
}

struct Server {
    base: String,
    shared: Arc<Mutex<Shared>>,
}

impl Server {
    fn start() -> Server {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let addr = support::http::listen(shared.clone(), answer);
        Server {
            base: format!("http://{addr}"),
            shared,
        }
    }

    fn api(&self) -> String {
        format!("{}/rest/json/cves/2.0", self.base)
    }

    fn take_log(&self) -> Vec<Seen> {
        std::mem::take(&mut self.shared.lock().unwrap().log)
    }
}

fn nvd_time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3f").to_string()
}

fn record(c: &Cve) -> serde_json::Value {
    serde_json::json!({"cve": {
        "id": c.id,
        "published": "2022-08-05T07:15:07.240",
        "lastModified": nvd_time(c.modified),
        "vulnStatus": "Analyzed",
        "descriptions": [{"lang": "en", "value": "dropped by the updater"}],
        "metrics": {"cvssMetricV31": [{
            "source": "nvd@nist.gov", "type": "Primary",
            "cvssData": {"version": "3.1", "vectorString": c.vector}
        }]}
    }})
}

/// The API: `lastModStartDate`/`lastModEndDate` filter (both or neither,
/// at most 120 days apart), `startIndex`/`resultsPerPage` page.
fn answer_api(sh: &mut Shared, q: &HashMap<String, String>) -> (u16, Vec<u8>) {
    if !sh.fail.is_empty() {
        return (sh.fail.remove(0), b"rate limited".to_vec());
    }
    let window = match (q.get("lastModStartDate"), q.get("lastModEndDate")) {
        (None, None) => None,
        (Some(a), Some(b)) => {
            let a: jiff::Timestamp = a.parse().unwrap();
            let b: jiff::Timestamp = b.parse().unwrap();
            if b.duration_since(a) > jiff::SignedDuration::from_hours(24 * 120) {
                return (404, Vec::new());
            }
            Some((a, b))
        }
        _ => return (404, Vec::new()),
    };
    let start: usize = q.get("startIndex").map_or(0, |s| s.parse().unwrap());
    let per: usize = q.get("resultsPerPage").map_or(2000, |s| s.parse().unwrap());
    let matching: Vec<&Cve> = sh
        .cves
        .iter()
        .filter(|c| window.is_none_or(|(a, b)| c.modified >= a && c.modified <= b))
        .collect();
    let page: Vec<serde_json::Value> = matching
        .iter()
        .skip(start)
        .take(per)
        .map(|c| record(c))
        .collect();
    let body = serde_json::json!({
        "resultsPerPage": page.len(), "startIndex": start, "totalResults": matching.len(),
        "format": "NVD_CVE", "version": "2.0", "timestamp": "2026-12-03T00:00:00.000",
        "vulnerabilities": page
    });
    (200, body.to_string().into_bytes())
}

/// The API at `/rest/json/cves/2.0`, the mirror's files elsewhere.
fn answer(sh: &mut Shared, req: &Request) -> Response {
    let url = reqwest::Url::parse(&format!("http://x{}", req.target)).unwrap();
    let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
    let path = url.path().to_string();
    let resp = if path == "/rest/json/cves/2.0" {
        let (s, b) = answer_api(sh, &query);
        Response::new(s, b, None)
    } else {
        match sh.files.get(&path) {
            Some((_, etag)) if req.header("if-none-match") == Some(etag.as_str()) => {
                Response::new(304, Vec::new(), Some(etag.clone()))
            }
            Some((body, etag)) => Response::new(200, body.clone(), Some(etag.clone())),
            None => Response::new(404, Vec::new(), None),
        }
    };
    sh.log.push(Seen {
        path,
        query,
        api_key: req.header("apikey").map(str::to_string),
        status: resp.status,
    });
    resp
}

const CRITICAL: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
const HIGH: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H";
const MEDIUM: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N";

fn cve(id: &str, modified: &str, vector: &str) -> Cve {
    Cve {
        id: id.into(),
        modified: modified.parse().unwrap(),
        vector: vector.into(),
    }
}

fn options(cache: &Path, server: &Server) -> UpdateOptions {
    let mut o = UpdateOptions::new(cache);
    o.feeds = FeedSpec::parse_list("nvd").unwrap();
    o.repositories = vec![Repository::Upstream];
    o.nvd_api = server.api();
    o.nvd_page_size = 2;
    o.nvd_request_interval = Some(Duration::ZERO);
    o.backoff = Duration::from_millis(10);
    o.timeout = Duration::from_secs(5);
    o
}

fn severity(db: &Path, id: &str) -> Option<(Severity, String, Vec<String>)> {
    let info = Db::open(db)
        .unwrap()
        .cve_enrichment(&[id.to_string()])
        .unwrap();
    info.first().map(|i| {
        (
            i.severity.unwrap_or(Severity::Unknown),
            i.severity_source.clone().unwrap_or_default(),
            i.cvss.iter().map(|c| c.vector.clone()).collect(),
        )
    })
}

#[test]
fn full_paged_fetch_then_only_the_changed_window() {
    let server = Server::start();
    server.shared.lock().unwrap().cves = vec![
        cve("CVE-2022-37434", "2024-01-01T00:00:00Z", CRITICAL),
        cve("CVE-2021-0002", "2024-01-02T00:00:00Z", MEDIUM),
        cve("CVE-2021-0003", "2024-01-03T00:00:00Z", MEDIUM),
        cve("CVE-2019-0004", "2024-01-04T00:00:00Z", HIGH),
        cve("CVE-2023-0005", "2024-01-05T00:00:00Z", MEDIUM),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("tidewatch.db");
    let mut opts = options(&tmp.path().join("cache"), &server);
    opts.nvd_api_key = Some("k-123".into());

    let before_first = jiff::Timestamp::now();
    let first = update(&db, &opts, &NoProgress).unwrap();
    let after_first = jiff::Timestamp::now();
    assert_eq!(first.feeds[0].change, Change::Full);
    assert_eq!(first.feeds[0].url, server.api());
    let log = server.take_log();
    let starts: Vec<&str> = log.iter().map(|s| s.query["startIndex"].as_str()).collect();
    assert_eq!(starts, ["0", "2", "4"], "{log:?}");
    assert!(log.iter().all(|s| s.query["resultsPerPage"] == "2"
        && !s.query.contains_key("lastModStartDate")
        && s.api_key.as_deref() == Some("k-123")));
    assert_eq!(
        severity(&db, "CVE-2022-37434"),
        Some((
            Severity::Critical,
            "nvd:cvss3.1".into(),
            vec![CRITICAL.into()]
        ))
    );
    assert_eq!(severity(&db, "CVE-2019-0004").unwrap().0, Severity::High);
    let status = Db::open(&db).unwrap().status().unwrap();
    let nvd = status.sources.iter().find(|s| s.name == "nvd").unwrap();
    assert_eq!((nvd.enrichment, nvd.via.as_str()), (5, "update"));
    assert_eq!(nvd.origin, server.api());
    // Advisory prose is not kept in the local store.
    let stored =
        std::fs::read_to_string(tmp.path().join("cache/update/nvd/records/2022.json")).unwrap();
    assert!(!stored.contains("dropped by the updater"), "{stored}");

    // One CVE re-scored and one new since the first run started.
    let changed_at = jiff::Timestamp::now();
    {
        let mut sh = server.shared.lock().unwrap();
        sh.cves[1].modified = changed_at;
        sh.cves[1].vector = CRITICAL.into();
        sh.cves.push(Cve {
            id: "CVE-2024-0006".into(),
            modified: changed_at,
            vector: HIGH.into(),
        });
    }
    let second = update(&db, &opts, &NoProgress).unwrap();
    assert_eq!(second.feeds[0].change, Change::Incremental { records: 2 });
    let log = server.take_log();
    assert_eq!(log.len(), 1, "{log:?}");
    let q = &log[0].query;
    let start: jiff::Timestamp = q["lastModStartDate"].parse().unwrap();
    let end: jiff::Timestamp = q["lastModEndDate"].parse().unwrap();
    // The window starts when the first fetch started, not when it ended.
    assert!(
        start
            >= before_first
                .checked_sub(jiff::SignedDuration::from_millis(1))
                .unwrap()
    );
    assert!(start <= after_first, "{start} after {after_first}");
    assert!(
        end >= changed_at
            .checked_sub(jiff::SignedDuration::from_millis(1))
            .unwrap()
    );
    assert!(q["lastModStartDate"].ends_with("+00:00"), "{q:?}");
    assert_eq!(q["startIndex"], "0");
    assert_eq!(
        severity(&db, "CVE-2021-0002").unwrap().0,
        Severity::Critical
    );
    assert_eq!(severity(&db, "CVE-2024-0006").unwrap().0, Severity::High);
    // Unchanged records stay.
    assert_eq!(severity(&db, "CVE-2021-0003").unwrap().0, Severity::Medium);
    assert_eq!(
        severity(&db, "CVE-2022-37434").unwrap().0,
        Severity::Critical
    );

    // Nothing changed: one request for the new window, no import.
    let third = update(&db, &opts, &NoProgress).unwrap();
    assert_eq!(third.feeds[0].change, Change::NotModified);
    assert!(third.import.is_none());
    let log = server.take_log();
    assert_eq!(log.len(), 1);
    let start3: jiff::Timestamp = log[0].query["lastModStartDate"].parse().unwrap();
    assert!(start3 > start, "the window moves on");
}

#[test]
fn rate_limit_answers_are_waited_out_and_a_persistent_one_fails_cleanly() {
    let server = Server::start();
    {
        let mut sh = server.shared.lock().unwrap();
        sh.cves = vec![cve("CVE-2022-37434", "2024-01-01T00:00:00Z", CRITICAL)];
        sh.fail = vec![403, 429];
    }
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("tidewatch.db");
    let opts = options(&tmp.path().join("cache"), &server);
    update(&db, &opts, &NoProgress).unwrap();
    let statuses: Vec<u16> = server.take_log().iter().map(|s| s.status).collect();
    assert_eq!(statuses, [403, 429, 200]);
    assert!(severity(&db, "CVE-2022-37434").is_some());
    let before = std::fs::read(&db).unwrap();

    // Still limited after every retry: an error naming the URL and the
    // status, the DB untouched, and the next run asks for the same window.
    server.shared.lock().unwrap().fail = vec![403; 10];
    let err = update(&db, &opts, &NoProgress).unwrap_err().to_string();
    assert!(
        err.contains("/rest/json/cves/2.0") && err.contains("403"),
        "{err}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let failed = server.take_log();
    assert_eq!(failed.len(), opts.retries as usize + 1);
    let window = failed[0].query["lastModStartDate"].clone();
    server.shared.lock().unwrap().fail.clear();
    update(&db, &opts, &NoProgress).unwrap();
    assert_eq!(server.take_log()[0].query["lastModStartDate"], window);
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn year_file(cves: &[Cve]) -> Vec<u8> {
    serde_json::json!({
        "resultsPerPage": cves.len(), "startIndex": 0, "totalResults": cves.len(),
        "format": "NVD_CVE", "version": "2.0",
        "vulnerabilities": cves.iter().map(record).collect::<Vec<_>>()
    })
    .to_string()
    .into_bytes()
}

#[test]
fn a_mirror_serves_yearly_files_fetched_conditionally() {
    let server = Server::start();
    {
        let mut sh = server.shared.lock().unwrap();
        let y2022 = year_file(&[cve("CVE-2022-37434", "2024-01-01T00:00:00Z", CRITICAL)]);
        let y2021 = year_file(&[cve("CVE-2021-0002", "2024-01-01T00:00:00Z", MEDIUM)]);
        sh.files.insert(
            "/m/nvd/nvdcve-2.0-2022.json.gz".into(),
            (gzip(&y2022), "\"a\"".into()),
        );
        // A plain (not gzipped) year file is read too.
        sh.files.insert(
            "/m/nvd/nvdcve-2.0-2021.json.gz".into(),
            (y2021, "\"b\"".into()),
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("tidewatch.db");
    let mut opts = options(&tmp.path().join("cache"), &server);
    opts.repositories = vec![Repository::parse(&format!("{}/m/", server.base)).unwrap()];

    let first = update(&db, &opts, &NoProgress).unwrap();
    assert_eq!(first.feeds[0].change, Change::Full);
    assert_eq!(first.feeds[0].url, format!("{}/m/nvd/", server.base));
    assert!(
        server
            .take_log()
            .iter()
            .all(|s| s.path != "/rest/json/cves/2.0")
    );
    assert_eq!(
        severity(&db, "CVE-2022-37434").unwrap().0,
        Severity::Critical
    );
    assert_eq!(severity(&db, "CVE-2021-0002").unwrap().0, Severity::Medium);

    let second = update(&db, &opts, &NoProgress).unwrap();
    assert_eq!(second.feeds[0].change, Change::NotModified);
    assert!(second.import.is_none());
    let log = server.take_log();
    assert!(
        log.iter().all(|s| s.status == 304 || s.status == 404),
        "{log:?}"
    );

    // Only 2021 changed: only it is transferred; 2022 stays in the DB.
    let y2021 = year_file(&[cve("CVE-2021-0002", "2024-02-01T00:00:00Z", HIGH)]);
    server.shared.lock().unwrap().files.insert(
        "/m/nvd/nvdcve-2.0-2021.json.gz".into(),
        (y2021.clone(), "\"c\"".into()),
    );
    let third = update(&db, &opts, &NoProgress).unwrap();
    assert_eq!(third.bytes, y2021.len() as u64);
    let ok: Vec<String> = server
        .take_log()
        .into_iter()
        .filter(|s| s.status == 200)
        .map(|s| s.path)
        .collect();
    assert_eq!(ok, ["/m/nvd/nvdcve-2.0-2021.json.gz"]);
    assert_eq!(severity(&db, "CVE-2021-0002").unwrap().0, Severity::High);
    assert_eq!(
        severity(&db, "CVE-2022-37434").unwrap().0,
        Severity::Critical
    );
}
