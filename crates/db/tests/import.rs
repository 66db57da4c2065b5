//! Importer and store behaviour on the trimmed fixtures in `tests/fixtures`
//! and on files the tests write.

mod support;

use std::fs;
use std::io::Write;
use std::path::Path;
use support::{fixed, fixtures, one};
use tidewatch_db::{Db, DbError, import};
use tidewatch_types::{FixState, RangeEvent, RangeKind, Severity};

#[test]
fn osv_json_yaml_and_related_ids() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db_path = tmp.path().join("v.db");
    let report = import(&db_path, &[fixtures().join("osv")]).expect("import");
    let names: Vec<_> = report.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["osv:AlmaLinux:9", "osv:Go", "osv:PyPI"]);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);

    let db = Db::open(&db_path).expect("open");
    let pcs = db.affected("AlmaLinux:9", "pcs").expect("query");
    let rec = one(&pcs, "ALSA-2022:4587");
    assert_eq!(rec.advisory.aliases, ["CVE-2022-29970"]);
    assert_eq!(fixed(rec), ["0.11.1-10.el9"]);
    assert!(rec.binary_package);
    assert_eq!(
        db.affected("AlmaLinux:9", "pcs-snmp").expect("query").len(),
        1
    );

    let go = db.affected("Go", "golang.org/x/text").expect("query");
    let rec = one(&go, "GO-2020-0015");
    assert_eq!(rec.ranges[0].kind, RangeKind::Semver);
    assert_eq!(
        rec.advisory.aliases,
        ["CVE-2020-14040", "GHSA-5rcv-m4m3-hfh7"]
    );
    assert!(!rec.binary_package);

    let py = db.affected("PyPI", "urllib3").expect("query");
    let rec = one(&py, "PYSEC-2023-192");
    // Versions stay strings exactly as written, `1.10` included.
    assert_eq!(
        rec.versions,
        ["0.2", "0.3.1", "1.0.2", "1.1", "1.10", "1.10.1", "2.0.5"]
    );
    assert_eq!(rec.ranges.len(), 2);
    assert_eq!(rec.ranges[0].kind, RangeKind::Git);
    assert_eq!(
        rec.ranges[1].events,
        [
            RangeEvent::Introduced("2.0.0".into()),
            RangeEvent::Fixed("2.0.6".into()),
            RangeEvent::Introduced("0".into()),
            RangeEvent::Fixed("1.26.17".into()),
        ]
    );
    // CVSS vector scored by us, severity derived from it.
    assert_eq!(rec.advisory.cvss.len(), 1);
    assert_eq!(rec.advisory.cvss[0].score, Some(8.1));
    assert_eq!(rec.advisory.severity, Some(Severity::High));
    assert_eq!(rec.advisory.severity_source.as_deref(), Some("osv:cvss3.1"));
}

#[test]
fn osv_zip_and_array() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let zip_path = tmp.path().join("all.zip");
    {
        let file = fs::File::create(&zip_path).expect("create zip");
        let mut zip = zip::ZipWriter::new(file);
        let opts = zip::write::SimpleFileOptions::default();
        for name in ["ALSA-2022-4587.json", "GO-2020-0015.json"] {
            zip.start_file(name, opts).expect("zip entry");
            zip.write_all(&fs::read(fixtures().join("osv").join(name)).expect("read"))
                .expect("write");
        }
        zip.finish().expect("finish zip");
    }
    let array = tmp.path().join("list.json");
    fs::write(
        &array,
        r#"[{"id": "GHSA-aaaa-bbbb-cccc", "modified": "2024-01-01T00:00:00Z",
             "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
                           "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.0"}]}]}],
             "database_specific": {"severity": "MODERATE"}},
            {"id": "GHSA-dddd-eeee-ffff", "modified": "2024-01-01T00:00:00Z", "withdrawn": "2024-02-01T00:00:00Z",
             "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"}, "versions": ["1.0.0"]}]}]"#,
    )
    .expect("write");
    let db_path = tmp.path().join("v.db");
    let report = import(&db_path, &[zip_path, array]).expect("import");
    assert_eq!(report.files_read, 3);
    let db = Db::open(&db_path).expect("open");
    assert_eq!(db.affected("Go", "golang.org/x/text").expect("q").len(), 1);
    let npm = db.affected("npm", "left-pad").expect("q");
    assert_eq!(npm.len(), 2);
    let rec = one(&npm, "GHSA-aaaa-bbbb-cccc");
    assert_eq!(rec.advisory.severity, Some(Severity::Medium));
    assert_eq!(rec.advisory.severity_source.as_deref(), Some("osv"));
    assert!(one(&npm, "GHSA-dddd-eeee-ffff").advisory.withdrawn);
}

#[test]
fn alpine_secdb_json_and_yaml() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db_path = tmp.path().join("v.db");
    let report = import(&db_path, &[fixtures().join("alpine")]).expect("import");
    let names: Vec<_> = report.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["alpine-secdb:v3.10", "alpine-secdb:v3.12"]);
    let db = Db::open(&db_path).expect("open");

    let zlib = db.affected("Alpine:v3.12", "zlib").expect("q");
    assert_eq!(fixed(one(&zlib, "CVE-2022-37434")), ["1.2.12-r2"]);
    assert_eq!(fixed(one(&zlib, "CVE-2018-25032")), ["1.2.12-r0"]);
    assert_eq!(one(&zlib, "CVE-2022-37434").advisory.source, "alpine-secdb");

    let openssl = db.affected("Alpine:v3.12", "openssl").expect("q");
    let na = one(&openssl, "CVE-2022-1292");
    assert_eq!(na.fix_state, Some(FixState::NotAffected));
    assert!(na.ranges.is_empty());
    assert_eq!(fixed(one(&openssl, "CVE-2018-0735")), ["1.1.1a-r0"]);

    let xen = db.affected("Alpine:v3.12", "xen").expect("q");
    assert_eq!(one(&xen, "CVE-2018-7540").advisory.aliases, ["XSA-252"]);
    assert_eq!(fixed(one(&xen, "XSA-248")), ["4.10.0-r1"]);

    let ansible = db.affected("Alpine:v3.10", "ansible").expect("q");
    assert_eq!(fixed(one(&ansible, "CVE-2019-10217")), ["2.8.4-r0"]);
    assert_eq!(ansible.len(), 4);
}

#[test]
fn unrecognised_files_are_warnings() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let feeds = tmp.path().join("feeds");
    fs::create_dir_all(feeds.join(".git")).expect("mkdir");
    fs::write(feeds.join("README.md"), "# Feeds\n\nSome text.\n").expect("write");
    fs::write(feeds.join("LICENSE"), "MIT License\n").expect("write");
    fs::write(feeds.join("other.json"), r#"{"hello": "world"}"#).expect("write");
    fs::write(feeds.join(".git/HEAD"), "ref: refs/heads/main\n").expect("write");
    fs::copy(
        fixtures().join("osv/GO-2020-0015.json"),
        feeds.join("GO-2020-0015.json"),
    )
    .expect("copy");
    let db_path = tmp.path().join("v.db");
    let report = import(&db_path, &[feeds]).expect("import");
    let mut warned: Vec<_> = report
        .warnings
        .iter()
        .map(|w| {
            Path::new(&w.path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .collect();
    warned.sort();
    assert_eq!(
        warned,
        [
            Some("LICENSE".into()),
            Some("README.md".into()),
            Some("other.json".into())
        ]
    );
    assert_eq!(report.sources.len(), 1);
}

/// The bytes of every file in `dir`, to prove nothing changed.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn malformed_files_fail_and_leave_the_db_alone() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dbdir = tmp.path().join("db");
    fs::create_dir(&dbdir).expect("mkdir");
    let db_path = dbdir.join("v.db");
    import(&db_path, &[fixtures().join("alpine")]).expect("first import");
    let before = snapshot(&dbdir);

    let cases: &[(&str, &str, &str)] = &[
        (
            "truncated.json",
            r#"{"id": "GHSA-x", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npm", "na"#,
            "malformed OSV file",
        ),
        (
            "noid.json",
            r#"{"id": "", "modified": "2024-01-01T00:00:00Z", "affected": []}"#,
            "empty `id`",
        ),
        (
            "badrange.json",
            r#"{"id": "X-1", "modified": "2024", "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "ranges": [{"type": "SEMVER", "events": []}]}]}"#,
            "range without events",
        ),
        (
            "secdb.json",
            r#"{"distroversion": "v3.12", "packages": [{"pkg": {"name": "zlib", "secfixes": {"1.2.12-r2": "CVE-1"}}}]}"#,
            "malformed Alpine secdb file",
        ),
        (
            "secdb-release.json",
            r#"{"distroversion": "latest", "packages": []}"#,
            "not of the form vX.Y",
        ),
    ];
    for (name, body, expect) in cases {
        let dir = tmp.path().join(format!("in-{name}"));
        fs::create_dir(&dir).expect("mkdir");
        // A good file next to the bad one: nothing of it may land either.
        fs::copy(
            fixtures().join("osv/GO-2020-0015.json"),
            dir.join("GO.json"),
        )
        .expect("copy");
        fs::write(dir.join(name), body).expect("write");
        let err = import(&db_path, &[dir]).expect_err(name);
        let msg = err.to_string();
        assert!(matches!(err, DbError::Malformed { .. }), "{name}: {msg}");
        assert!(
            msg.contains(name),
            "{name}: error does not name the file: {msg}"
        );
        assert!(msg.contains(expect), "{name}: {msg}");
        assert_eq!(snapshot(&dbdir), before, "{name}: DB dir changed");
    }
    // A bad bzip2 stream names the file too.
    let bz = tmp.path().join("broken.xml.bz2");
    fs::write(&bz, b"BZh91AY&SYgarbage").expect("write");
    let err = import(&db_path, &[bz]).expect_err("bz2");
    assert!(err.to_string().contains("broken.xml.bz2"), "{err}");
    assert_eq!(snapshot(&dbdir), before);
}

#[test]
fn reimport_replaces_only_that_source() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db_path = tmp.path().join("v.db");
    import(
        &db_path,
        &[fixtures().join("alpine"), fixtures().join("osv")],
    )
    .expect("import");

    // A newer v3.12 secdb without zlib and with a new openssl fix.
    let newer = tmp.path().join("v3.12.json");
    fs::write(
        &newer,
        r#"{"distroversion": "v3.12", "reponame": "main",
            "packages": [{"pkg": {"name": "openssl", "secfixes": {"1.1.1t-r0": ["CVE-2023-0286"]}}}]}"#,
    )
    .expect("write");
    let report = import(&db_path, &[newer]).expect("reimport");
    assert_eq!(report.sources.len(), 1);
    assert!(report.sources[0].replaced);

    let db = Db::open(&db_path).expect("open");
    assert!(db.affected("Alpine:v3.12", "zlib").expect("q").is_empty());
    let openssl = db.affected("Alpine:v3.12", "openssl").expect("q");
    assert_eq!(openssl.len(), 1);
    assert_eq!(fixed(one(&openssl, "CVE-2023-0286")), ["1.1.1t-r0"]);
    // Other sources untouched.
    assert_eq!(db.affected("Alpine:v3.10", "ansible").expect("q").len(), 4);
    assert_eq!(db.affected("Go", "golang.org/x/text").expect("q").len(), 1);
    let status = db.status().expect("status");
    let names: Vec<_> = status.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "alpine-secdb:v3.10",
            "alpine-secdb:v3.12",
            "osv:AlmaLinux:9",
            "osv:Go",
            "osv:PyPI"
        ]
    );
    let s312 = &status.sources[1];
    assert_eq!((s312.advisories, s312.affected), (1, 1));
    assert!(s312.origin.ends_with("v3.12.json"), "{}", s312.origin);
    assert_eq!(s312.via, "import");
}

#[test]
fn open_errors_are_clear() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let missing = tmp.path().join("nope.db");
    assert!(matches!(Db::open(&missing), Err(DbError::NotFound { .. })));

    let text = tmp.path().join("text.db");
    fs::write(
        &text,
        "definitely not sqlite, but long enough to have a header...........",
    )
    .expect("write");
    let err = Db::open(&text).expect_err("text file");
    assert!(matches!(err, DbError::NotADatabase { .. }), "{err}");

    let other = tmp.path().join("other.db");
    {
        let c = rusqlite::Connection::open(&other).expect("sqlite");
        c.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .expect("sql");
    }
    let err = Db::open(&other).expect_err("foreign sqlite");
    assert!(matches!(err, DbError::NotADatabase { .. }), "{err}");
    // And an import refuses to build on top of it.
    assert!(import(&other, &[fixtures().join("alpine")]).is_err());

    let db_path = tmp.path().join("v.db");
    import(&db_path, &[fixtures().join("alpine")]).expect("import");
    {
        let c = rusqlite::Connection::open(&db_path).expect("sqlite");
        c.execute(
            "UPDATE meta SET value = '999' WHERE key = 'schema_version'",
            [],
        )
        .expect("sql");
    }
    let err = Db::open(&db_path).expect_err("schema");
    assert!(matches!(err, DbError::SchemaMismatch { .. }), "{err}");
    assert!(err.to_string().contains("999"));
}

#[test]
fn concurrent_readers_and_a_swap() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db_path = tmp.path().join("v.db");
    import(&db_path, &[fixtures().join("alpine")]).expect("import");
    let shared = Db::open(&db_path).expect("open");
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                // Each thread: its own handle, plus the shared one.
                let own = Db::open(&db_path).expect("open in thread");
                for _ in 0..50 {
                    let a = own.affected("Alpine:v3.12", "zlib").expect("query");
                    assert_eq!(a.len(), 2);
                    let b = shared.affected("Alpine:v3.12", "zlib").expect("query");
                    assert_eq!(b.len(), 2);
                }
            });
        }
        // Swap the file underneath the readers.
        s.spawn(|| {
            for _ in 0..3 {
                import(&db_path, &[fixtures().join("osv")]).expect("reimport during reads");
            }
        });
    });
    // The shared handle still reads the file it opened; a new one sees all.
    let fresh = Db::open(&db_path).expect("open");
    assert_eq!(
        fresh.affected("Go", "golang.org/x/text").expect("q").len(),
        1
    );
    assert_eq!(fresh.affected("Alpine:v3.12", "zlib").expect("q").len(), 2);
}
