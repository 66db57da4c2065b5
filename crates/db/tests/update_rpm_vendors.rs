//! `db update` of the RPM vendors' feeds against a local HTTP server:
//! Oracle ELSA OVAL and SUSE OVAL (one conditional file each), Amazon
//! ALAS upstream (mirror.list → repomd.xml → updateinfo) and from a
//! mirror, and Red Hat CSAF VEX (archive, then only what `changes.csv`
//! lists). Bodies are the trimmed fixtures under `tests/fixtures`,
//! compressed by the test as the vendors publish them.

#![allow(clippy::unwrap_used)]

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::http::{Server, mirror};
use support::zip_of;
use tidewatch_db::Db;
use tidewatch_db::update::{Change, FeedSpec, NoProgress, Repository, UpdateOptions, update};

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(rel),
    )
    .unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn tar_zst(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (name, body) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, name, &body[..]).unwrap();
    }
    zstd::encode_all(&tar.into_inner().unwrap()[..], 3).unwrap()
}

fn options(cache: &Path, repos: Vec<Repository>, feeds: &[&str]) -> UpdateOptions {
    let mut o = UpdateOptions::new(cache);
    o.feeds = feeds
        .iter()
        .flat_map(|f| FeedSpec::parse_list(f).unwrap())
        .collect();
    o.repositories = repos;
    o.backoff = Duration::from_millis(10);
    o.retries = 1;
    o.timeout = Duration::from_secs(5);
    o
}

/// The fixed versions of `package` under `id` in `ecosystem`.
fn fixed(db: &Path, ecosystem: &str, package: &str, id: &str) -> Vec<String> {
    let db = Db::open(db).unwrap();
    db.affected(ecosystem, package)
        .unwrap()
        .iter()
        .filter(|r| r.advisory.id == id)
        .flat_map(|r| r.ranges.iter().flat_map(|g| g.fixed_versions()))
        .map(str::to_string)
        .collect()
}

fn origin(db: &Path, source: &str) -> String {
    Db::open(db)
        .unwrap()
        .status()
        .unwrap()
        .sources
        .into_iter()
        .find(|s| s.name == source)
        .map(|s| s.origin)
        .unwrap_or_else(|| panic!("no source {source}"))
}

const ORACLE: &str = "oracle/com.oracle.elsa-all.xml.bz2";
const SLES: &str = "suse/oval/suse.linux.enterprise.server.15.xml.gz";
const AL2: &str = "amazon/2/updateinfo.xml.gz";

fn vendor_mirror() -> Server {
    let server = Server::start();
    server.file(
        ORACLE,
        bzip2(&fixture("oracle/com.oracle.elsa-2007.xml")),
        "o1",
    );
    server.file(
        SLES,
        gzip(&fixture("suse/suse.linux.enterprise.server.15.xml")),
        "s1",
    );
    server.file(AL2, gzip(&fixture("amazon/updateinfo-al2.xml")), "a1");
    server
}

const VENDOR_FEEDS: &[&str] = &[
    "oracle",
    "suse-oval:suse.linux.enterprise.server.15",
    "amazon:2",
];

#[test]
fn vendor_files_from_a_mirror_then_304s() {
    let server = vendor_mirror();
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("tidewatch.db");
    let opts = options(&tmp.path().join("cache"), mirror(&server), VENDOR_FEEDS);

    let first = update(&db, &opts, &NoProgress).unwrap();
    let mut names: Vec<_> = first.feeds.iter().map(|f| f.feed.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "amazon:2",
            "oracle",
            "suse-oval:suse.linux.enterprise.server.15"
        ]
    );
    assert!(first.feeds.iter().all(|f| f.change == Change::Full));
    assert_eq!(
        fixed(&db, "Oracle:5", "bind-libs", "ELSA-2007-0057"),
        ["30:9.3.3-8.el5"]
    );
    assert_eq!(
        fixed(
            &db,
            "SUSE:Linux Enterprise Server 15 SP1",
            "kernel-default",
            "CVE-2021-29154"
        ),
        ["4.12.14-197.89.2"]
    );
    assert_eq!(
        fixed(&db, "Amazon Linux:2", "qemu-img", "ALAS2-2018-942"),
        ["10:1.5.3-141.amzn2.5.3"]
    );
    assert_eq!(
        origin(&db, "oracle-oval:5"),
        format!("{}{ORACLE}", server.base)
    );
    assert_eq!(
        origin(&db, "amazon-alas:2"),
        format!("{}{AL2}", server.base)
    );
    assert_eq!(
        origin(&db, "suse-oval:SUSE:Linux Enterprise Server 15 SP1"),
        format!("{}{SLES}", server.base)
    );
    server.take_log();

    let before = std::fs::read(&db).unwrap();
    let second = update(&db, &opts, &NoProgress).unwrap();
    assert!(second.import.is_none());
    assert_eq!(second.bytes, 0);
    assert!(second.feeds.iter().all(|f| f.change == Change::NotModified));
    let log = server.take_log();
    assert_eq!(log.len(), 3, "{log:?}");
    assert!(log.iter().all(|(_, s)| *s == 304), "{log:?}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "DB rewritten");
}

/// Amazon's upstream layout under the server: the mirror list names a
/// repository whose repomd.xml locates the updateinfo.
fn amazon_cdn(server: &Server, updateinfo: &str, etag: &str) {
    let repo = format!("{}2/core/2.0/x86_64/f00d/", server.base);
    server.file(
        "2/core/latest/x86_64/mirror.list",
        format!("{repo}\n"),
        "ml1",
    );
    server.file(
        "2/core/2.0/x86_64/f00d/repodata/repomd.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo">
  <data type="primary"><location href="repodata/p-primary.xml.gz"/></data>
  <data type="updateinfo"><checksum type="sha256">{etag}</checksum>
    <location href="repodata/{etag}-{updateinfo}"/></data>
</repomd>"#
        ),
        &format!("md-{etag}"),
    );
    server.file(
        &format!("2/core/2.0/x86_64/f00d/repodata/{etag}-{updateinfo}"),
        gzip(&fixture("amazon/updateinfo-al2.xml")),
        etag,
    );
}

#[test]
fn amazon_upstream_follows_mirror_list_repomd_updateinfo() {
    let server = Server::start();
    amazon_cdn(&server, "updateinfo.xml.gz", "aa11");
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("tidewatch.db");
    let mut opts = options(
        &tmp.path().join("cache"),
        vec![Repository::Upstream],
        &["amazon:2"],
    );
    opts.amazon_cdn = server.base.clone();

    let first = update(&db, &opts, &NoProgress).unwrap();
    assert_eq!(first.feeds[0].change, Change::Full);
    let info_url = format!(
        "{}2/core/2.0/x86_64/f00d/repodata/aa11-updateinfo.xml.gz",
        server.base
    );
    assert_eq!(first.feeds[0].url, info_url);
    let log: Vec<String> = server.take_log().into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        log,
        [
            "/mirror/2/core/latest/x86_64/mirror.list",
            "/mirror/2/core/2.0/x86_64/f00d/repodata/repomd.xml",
            "/mirror/2/core/2.0/x86_64/f00d/repodata/aa11-updateinfo.xml.gz",
        ]
    );
    assert_eq!(
        fixed(&db, "Amazon Linux:2", "qemu-img", "ALAS2-2018-942"),
        ["10:1.5.3-141.amzn2.5.3"]
    );
    assert_eq!(origin(&db, "amazon-alas:2"), info_url);

    // Unchanged repository: two 304s, nothing transferred or imported.
    let second = update(&db, &opts, &NoProgress).unwrap();
    assert_eq!(second.feeds[0].change, Change::NotModified);
    assert_eq!(second.feeds[0].url, info_url);
    assert_eq!(second.bytes, 0);
    assert!(second.import.is_none());
    let log = server.take_log();
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log.iter().all(|(_, s)| *s == 304), "{log:?}");

    // A new repository release: repomd.xml names a new updateinfo.
    amazon_cdn(&server, "updateinfo.xml.gz", "bb22");
    let third = update(&db, &opts, &NoProgress).unwrap();
    assert_eq!(third.feeds[0].change, Change::Full);
    assert!(third.feeds[0].url.ends_with("bb22-updateinfo.xml.gz"));
    assert!(third.import.is_some());
}

#[test]
fn redhat_csaf_archive_then_only_the_changed_files() {
    let server = Server::start();
    server.file(
        "redhat/csaf/vex/archive_latest.txt",
        "csaf_vex_2024-07-20.tar.zst\n",
        "l1",
    );
    server.file(
        "redhat/csaf/vex/csaf_vex_2024-07-20.tar.zst",
        tar_zst(&[(
            "2024/cve-2024-10041.json",
            fixture("csaf/cve-2024-10041.json"),
        )]),
        "t1",
    );
    // Only a change from before the archive: nothing to fetch.
    server.file(
        "redhat/csaf/vex/changes.csv",
        "\"2024/cve-2024-10041.json\",\"2024-07-19T10:00:00+00:00\"\n",
        "c1",
    );
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("tidewatch.db");
    let opts = options(&tmp.path().join("cache"), mirror(&server), &["redhat-csaf"]);

    let first = update(&db, &opts, &NoProgress).unwrap();
    assert_eq!(first.feeds[0].change, Change::Full);
    let eco = "Red Hat:enterprise_linux:9";
    assert_eq!(
        fixed(&db, eco, "pam", "CVE-2024-10041"),
        ["0:1.5.1-21.el9_5"]
    );
    let log = server.take_log();
    assert!(
        !log.iter().any(|(p, _)| p.ends_with(".json")),
        "no single file before any change: {log:?}"
    );
    assert!(origin(&db, "redhat-csaf:9").ends_with("csaf_vex_2024-07-20.tar.zst"));

    // Nothing changed: 304 on changes.csv, nothing else asked for.
    let second = update(&db, &opts, &NoProgress).unwrap();
    assert_eq!(second.feeds[0].change, Change::NotModified);
    assert_eq!(second.bytes, 0);
    assert!(second.import.is_none());
    let log = server.take_log();
    assert_eq!(
        log,
        [("/mirror/redhat/csaf/vex/changes.csv".to_string(), 304)]
    );

    // One new file listed: only it is fetched; the archive is not.
    server.file(
        "redhat/csaf/vex/changes.csv",
        "\"2024/cve-2024-22222.json\",\"2024-07-22T08:00:00+00:00\"\n\"2024/cve-2024-10041.json\",\"2024-07-19T10:00:00+00:00\"\n",
        "c2",
    );
    server.file(
        "redhat/csaf/vex/2024/cve-2024-22222.json",
        fixture("csaf/cve-2024-22222.json"),
        "f2",
    );
    let third = update(&db, &opts, &NoProgress).unwrap();
    assert_eq!(third.feeds[0].change, Change::Incremental { records: 1 });
    let fetched: Vec<String> = server
        .take_log()
        .into_iter()
        .filter(|(_, s)| *s == 200)
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        fetched,
        [
            "/mirror/redhat/csaf/vex/changes.csv",
            "/mirror/redhat/csaf/vex/2024/cve-2024-22222.json"
        ]
    );
    assert_eq!(
        fixed(&db, eco, "test-package", "CVE-2024-22222"),
        ["1:1.0.0-1.el9"]
    );
    assert_eq!(
        fixed(&db, eco, "pam", "CVE-2024-10041"),
        ["0:1.5.1-21.el9_5"]
    );
}

#[test]
fn broken_bodies_name_the_url_and_leave_the_previous_db() {
    let server = vendor_mirror();
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("tidewatch.db");
    let opts = options(&tmp.path().join("cache"), mirror(&server), VENDOR_FEEDS);
    update(&db, &opts, &NoProgress).unwrap();
    let before = std::fs::read(&db).unwrap();

    // A bzip2 stream cut short.
    let good = bzip2(&fixture("oracle/com.oracle.elsa-2007.xml"));
    server.file(ORACLE, &good[..good.len() / 2], "o2");
    let err = update(&db, &opts, &NoProgress).unwrap_err().to_string();
    assert!(
        err.contains(&format!("{}{ORACLE}", server.base)) && err.contains("bzip2"),
        "{err}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
    server.file(
        ORACLE,
        bzip2(&fixture("oracle/com.oracle.elsa-2007.xml")),
        "o3",
    );

    // An updateinfo that is not XML the importer can read.
    server.file(
        AL2,
        gzip(b"<?xml version=\"1.0\"?><updates><update type=\"security\"><id>ALAS2-1</id><pkglist><collection"),
        "a2",
    );
    let err = update(&db, &opts, &NoProgress).unwrap_err().to_string();
    assert!(err.contains(&format!("{}{AL2}", server.base)), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);

    // Upstream Amazon: a repomd.xml without an updateinfo.
    let up = Server::start();
    up.file(
        "2/core/latest/x86_64/mirror.list",
        format!("{}repo/\n", up.base),
        "m",
    );
    up.file(
        "repo/repodata/repomd.xml",
        "<repomd><data type=\"primary\"/></repomd>",
        "r",
    );
    let mut o = options(
        &tmp.path().join("cache2"),
        vec![Repository::Upstream],
        &["amazon:2"],
    );
    o.amazon_cdn = up.base.clone();
    let err = update(&db, &o, &NoProgress).unwrap_err().to_string();
    assert!(
        err.contains(&format!("{}repo/repodata/repomd.xml", up.base))
            && err.contains("no updateinfo"),
        "{err}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);

    // A CSAF archive that is not zstd.
    let rh = Server::start();
    rh.file(
        "redhat/csaf/vex/archive_latest.txt",
        "csaf_vex_2024-07-20.tar.zst",
        "l",
    );
    rh.file(
        "redhat/csaf/vex/csaf_vex_2024-07-20.tar.zst",
        "not an archive",
        "t",
    );
    let o = options(&tmp.path().join("cache3"), mirror(&rh), &["redhat-csaf"]);
    let err = update(&db, &o, &NoProgress).unwrap_err().to_string();
    assert!(
        err.contains(&format!(
            "{}redhat/csaf/vex/csaf_vex_2024-07-20.tar.zst",
            rh.base
        )),
        "{err}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn feed_names_parse() {
    let all = FeedSpec::defaults();
    for f in [
        FeedSpec::OracleOval,
        FeedSpec::SuseOval {
            file: "suse.linux.enterprise.server.15".into(),
        },
        FeedSpec::Amazon {
            release: "2023".into(),
        },
        FeedSpec::Osv {
            ecosystem: "SUSE".into(),
        },
        FeedSpec::Osv {
            ecosystem: "openSUSE".into(),
        },
        // The catalog names edge images `Alpine:edge`.
        FeedSpec::AlpineSecdb {
            branch: "edge".into(),
            repo: "main".into(),
        },
    ] {
        assert!(all.contains(&f), "{f:?} is not a default");
    }
    // The multi-GB CSAF archive is opt-in.
    assert!(!all.contains(&FeedSpec::RedhatCsaf));
    assert_eq!(
        FeedSpec::parse_list("redhat-csaf").unwrap(),
        [FeedSpec::RedhatCsaf]
    );
    assert_eq!(
        FeedSpec::parse_list("suse-oval:opensuse.leap.15.6.xml.gz").unwrap(),
        [FeedSpec::SuseOval {
            file: "opensuse.leap.15.6".into()
        }]
    );
    assert!(FeedSpec::parse_list("amazon:1").is_err());
    assert!(FeedSpec::parse_list("suse-oval:../x").is_err());
}

/// An OSV record fixing `package` at `fixed` in each of `ecosystems`.
fn osv(id: &str, package: &str, fixed: &str, ecosystems: &[&str]) -> String {
    let affected: Vec<_> = ecosystems
        .iter()
        .map(|e| {
            serde_json::json!({
                "package": {"ecosystem": e, "name": package},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}]
            })
        })
        .collect();
    serde_json::json!({"id": id, "modified": "2024-01-01T00:00:00Z", "affected": affected})
        .to_string()
}

#[test]
fn suse_and_opensuse_osv_keep_each_others_records() {
    // osv.dev exports a SUSE advisory that also names openSUSE Leap under
    // both prefixes; openSUSE's own advisories only under openSUSE.
    let server = Server::start();
    let shared = osv(
        "SUSE-SU-2024:0001-1",
        "curl",
        "8.0.1-150400.5.1",
        &["SUSE:Linux Enterprise Server 15 SP5", "openSUSE:Leap 15.5"],
    );
    let leap_only = osv(
        "openSUSE-SU-2024:0002-1",
        "vim",
        "9.1.0-150500.20.1",
        &["openSUSE:Leap 15.5"],
    );
    server.file(
        "osv/SUSE/all.zip",
        zip_of(&[("SUSE-SU-2024:0001-1.json", shared.clone())]),
        "z1",
    );
    server.file(
        "osv/SUSE/modified_id.csv",
        "2024-01-01T00:00:00Z,SUSE-SU-2024:0001-1\n",
        "m1",
    );
    server.file(
        "osv/openSUSE/all.zip",
        zip_of(&[
            ("SUSE-SU-2024:0001-1.json", shared),
            ("openSUSE-SU-2024:0002-1.json", leap_only),
        ]),
        "z2",
    );
    server.file(
        "osv/openSUSE/modified_id.csv",
        "2024-01-01T00:00:00Z,openSUSE-SU-2024:0002-1\n2024-01-01T00:00:00Z,SUSE-SU-2024:0001-1\n",
        "m2",
    );
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("tidewatch.db");
    let opts = options(
        &tmp.path().join("cache"),
        mirror(&server),
        &["osv:SUSE", "osv:openSUSE"],
    );
    update(&db, &opts, &NoProgress).unwrap();
    let leap = "openSUSE:Leap 15.5";
    assert_eq!(
        fixed(&db, leap, "vim", "openSUSE-SU-2024:0002-1"),
        ["9.1.0-150500.20.1"]
    );
    assert_eq!(
        fixed(&db, leap, "curl", "SUSE-SU-2024:0001-1"),
        ["8.0.1-150400.5.1"]
    );

    // Only SUSE changes: its re-import must not take openSUSE's own
    // records out of the Leap source.
    server.file(
        "osv/SUSE/modified_id.csv",
        "2024-02-01T00:00:00Z,SUSE-SU-2024:0003-1\n2024-01-01T00:00:00Z,SUSE-SU-2024:0001-1\n",
        "m3",
    );
    server.file(
        "osv/SUSE/SUSE-SU-2024:0003-1.json",
        osv(
            "SUSE-SU-2024:0003-1",
            "openssl-3",
            "3.0.8-150500.5.1",
            &["SUSE:Linux Enterprise Server 15 SP5", "openSUSE:Leap 15.5"],
        ),
        "r3",
    );
    let report = update(&db, &opts, &NoProgress).unwrap();
    let changed: Vec<_> = report
        .feeds
        .iter()
        .filter(|f| f.change != Change::NotModified)
        .map(|f| f.feed.as_str())
        .collect();
    assert_eq!(changed, ["osv:SUSE"]);
    assert_eq!(
        fixed(&db, leap, "vim", "openSUSE-SU-2024:0002-1"),
        ["9.1.0-150500.20.1"],
        "openSUSE's own record lost"
    );
    assert_eq!(
        fixed(
            &db,
            "SUSE:Linux Enterprise Server 15 SP5",
            "openssl-3",
            "SUSE-SU-2024:0003-1"
        ),
        ["3.0.8-150500.5.1"]
    );
}

#[test]
fn redhat_csaf_deletions_and_a_newer_archive_past_the_changes() {
    let server = Server::start();
    let archive = |date: &str, tag: &str| {
        server.file(
            "redhat/csaf/vex/archive_latest.txt",
            format!("csaf_vex_{date}.tar.zst\n"),
            &format!("l-{tag}"),
        );
        server.file(
            &format!("redhat/csaf/vex/csaf_vex_{date}.tar.zst"),
            tar_zst(&[(
                "./2024/cve-2024-10041.json",
                fixture("csaf/cve-2024-10041.json"),
            )]),
            &format!("t-{tag}"),
        );
    };
    archive("2024-07-20", "1");
    server.file("redhat/csaf/vex/changes.csv", "", "c0");
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("tidewatch.db");
    let opts = options(&tmp.path().join("cache"), mirror(&server), &["redhat-csaf"]);
    update(&db, &opts, &NoProgress).unwrap();
    let eco = "Red Hat:enterprise_linux:9";
    assert_eq!(
        fixed(&db, eco, "pam", "CVE-2024-10041"),
        ["0:1.5.1-21.el9_5"]
    );

    // One file added, the other deleted.
    server.file(
        "redhat/csaf/vex/changes.csv",
        "\"2024/cve-2024-22222.json\",\"2024-07-22T08:00:00+00:00\"\n",
        "c1",
    );
    server.file(
        "redhat/csaf/vex/2024/cve-2024-22222.json",
        fixture("csaf/cve-2024-22222.json"),
        "f2",
    );
    server.file(
        "redhat/csaf/vex/deletions.csv",
        "\"2024/cve-2024-10041.json\",\"2024-07-21T08:00:00+00:00\"\n",
        "d1",
    );
    let r = update(&db, &opts, &NoProgress).unwrap();
    assert_eq!(r.feeds[0].change, Change::Incremental { records: 1 });
    assert!(fixed(&db, eco, "pam", "CVE-2024-10041").is_empty());
    assert_eq!(
        fixed(&db, eco, "test-package", "CVE-2024-22222"),
        ["1:1.0.0-1.el9"]
    );
    server.take_log();

    // A newer archive, and a change list that starts after it: what
    // changed in between is unknown, so the new archive is downloaded.
    archive("2024-08-01", "2");
    server.file(
        "redhat/csaf/vex/changes.csv",
        "\"2024/cve-2024-0002.json\",\"2024-08-02T08:00:00+00:00\"\n",
        "c2",
    );
    server.file(
        "redhat/csaf/vex/2024/cve-2024-0002.json",
        fixture("csaf/cve-2024-0002.json"),
        "f3",
    );
    let r = update(&db, &opts, &NoProgress).unwrap();
    assert_eq!(r.feeds[0].change, Change::Full);
    let log: Vec<String> = server
        .take_log()
        .into_iter()
        .filter(|(_, s)| *s == 200)
        .map(|(p, _)| p)
        .collect();
    assert!(
        log.contains(&"/mirror/redhat/csaf/vex/csaf_vex_2024-08-01.tar.zst".to_string()),
        "{log:?}"
    );
    // The archive's content, plus the change listed after it.
    assert_eq!(
        fixed(&db, eco, "pam", "CVE-2024-10041"),
        ["0:1.5.1-21.el9_5"]
    );
    assert!(fixed(&db, eco, "test-package", "CVE-2024-22222").is_empty());
    assert!(log.contains(&"/mirror/redhat/csaf/vex/2024/cve-2024-0002.json".to_string()));
}
